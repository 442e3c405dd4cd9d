import Foundation
import Testing

@testable import OZGReplication
@testable import OZGStorage

/// Exact conflicts among many writers (issue 10, `../shared/DESIGN.md` §8), each on the smallest
/// schedule that shows it; the simulation checks the rule on random schedules.
@Suite("Genaue Konflikte unter vielen Schreibenden")
struct ExactConflictTests {
    /// Replicas on one hand-moved clock, so which write is newer does not depend on the machine's load.
    let clock = ManualClock(1_800_000_000_000)

    func valuePairs(_ replica: Replica) throws -> Set<Set<String>> {
        Set(
            try replica.conflicts().filter { $0.kind == .value }.map {
                Set([$0.valueA.canonicalText, $0.valueB.canonicalText])
            })
    }

    func pair(_ a: String, _ b: String) -> Set<String> {
        [DatabaseValue.text(a).canonicalText, DatabaseValue.text(b).canonicalText]
    }

    @Test("Drei Schreibende: B übernimmt c und überschreibt es mit b; a trifft b und wird Konflikt (DESIGN §8)")
    func thirdWriterDoesNotHideTheFirst() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg", clock: clock)
        let b = try Replica.test(directory, "b.ozg", clock: clock)
        let c = try Replica.test(directory, "c.ozg", clock: clock)
        let id = try a.insert(into: "reise", values: ["titel": "start"])
        for other in [b, c] { try a.send(to: other, name: other.siteID.hex) }
        clock.advance(1)
        try a.update("reise", id: id, values: ["titel": "a"])
        clock.advance(1)
        try c.update("reise", id: id, values: ["titel": "c"])
        try c.send(to: b, name: "b")
        clock.advance(1)
        try b.update("reise", id: id, values: ["titel": "b"])
        // b's old `base` was c, newer than a: version 1 recorded nothing here.
        try b.send(to: a, name: "a")
        #expect(try valuePairs(a) == [pair("a", "b")])
        // c was overwritten by a write that had seen it: c against b is no conflict, c against a never met.
        try a.send(to: c, name: "c")
        try c.send(to: a, name: "a2")
        #expect(try valuePairs(c) == [pair("a", "b")])
        #expect(try a.canonicalDump() == c.canonicalDump())
    }

    @Test(
        "Drei gleichzeitige Werte: jedes Paar wird Konflikt, auch das, dessen Seiten sich nur über einen Dritten treffen"
    )
    func threeConcurrentValuesAllPairs() throws {
        let directory = TemporaryDirectory()
        let replicas = try ["a", "c", "d", "b", "e"].map { try Replica.test(directory, "\($0).ozg", clock: clock) }
        let (a, c, d, b, e) = (replicas[0], replicas[1], replicas[2], replicas[3], replicas[4])
        let id = try a.insert(into: "reise", values: ["titel": "start"])
        for other in [b, c, d, e] { try a.send(to: other, name: other.siteID.hex) }
        clock.advance(1)
        try a.update("reise", id: id, values: ["titel": "a"])
        try d.update("reise", id: id, values: ["titel": "d"])
        clock.advance(1)
        try c.update("reise", id: id, values: ["titel": "c"])
        // B meets a and c (c wins by the clock, a stays as a sibling), then d arrives.
        try a.send(to: b, name: "b")
        try c.send(to: b, name: "b")
        #expect(try b.cellState(table: "reise", id: id, column: "titel")?.siblings.map(\.value) == ["a"])
        try d.send(to: b, name: "b")
        #expect(try valuePairs(b) == [pair("a", "c"), pair("a", "d"), pair("c", "d")])
        // A replica that holds the start and meets the three through B's state alone — without B's
        // conflict rows, which may come on a later page — records all three as well.
        let state = try b.extractChanges(after: 0, includeRemoteOrigin: true).batch
        try e.apply(ChangeBatch(rows: state.rows.filter { $0.table != ConflictRecord.tableName }))
        #expect(try valuePairs(e) == [pair("a", "c"), pair("a", "d"), pair("c", "d")])
        // Whoever decides after seeing all three ends the race: one decision settles the three
        // conflicts of the cell, no sibling is left, no new conflict appears.
        clock.advance(1)
        let first = try #require(try e.conflicts().first)
        try e.resolveConflict(id: first.id, .value("geklärt"))
        #expect(try e.conflicts().isEmpty)
        try e.send(to: b, name: "b2")
        let settled = try #require(try b.cellState(table: "reise", id: id, column: "titel"))
        #expect(settled.value == "geklärt" && settled.siblings.isEmpty)
        #expect(try b.conflicts().isEmpty && b.conflicts(includeResolved: true).count == 3)
    }

    @Test("Ein Paar, dessen beide Werte einem dritten unterlagen, lässt sich mit „behalte“ lösen")
    func keepingASideThatLostToAThirdValue() throws {
        let directory = TemporaryDirectory()
        let replicas = try ["a", "b", "c"].map { try Replica.test(directory, "\($0).ozg", clock: clock) }
        let (a, b, c) = (replicas[0], replicas[1], replicas[2])
        let id = try a.insert(into: "reise", values: ["titel": "start"])
        for other in [b, c] { try a.send(to: other, name: other.siteID.hex) }
        clock.advance(1)
        try a.update("reise", id: id, values: ["titel": "a"])
        try b.update("reise", id: id, values: ["titel": "b"])
        clock.advance(1)
        try c.update("reise", id: id, values: ["titel": "c"])  // the newest: c is shown
        for other in [a, c] { try other.send(to: b, name: other.siteID.hex) }
        let pair = try #require(try b.conflicts().first { Set([$0.valueA, $0.valueB]) == ["a", "b"] })
        let kept = try #require(pair.valueA == "a" ? pair.versionA : pair.versionB)
        try b.resolveConflict(id: pair.id, .keep(kept))
        #expect(try b.row("reise", id)?["titel"] == "a")
        #expect(try b.conflicts().isEmpty)
    }

    @Test("Ein Löschen kennt, was es gesehen hat: eine ältere ungesehene Änderung wird Konflikt, eine gesehene nicht")
    func deleteContextIsExact() throws {
        let directory = TemporaryDirectory()
        let replicas = try ["a", "b", "c"].map { try Replica.test(directory, "\($0).ozg", clock: clock) }
        let (a, b, c) = (replicas[0], replicas[1], replicas[2])
        let id = try a.insert(into: "reise", values: ["titel": "start", "notiz": "start"])
        for other in [b, c] { try a.send(to: other, name: other.siteID.hex) }
        clock.advance(1)
        try a.update("reise", id: id, values: ["titel": "von A"])  // older, B never sees it
        clock.advance(1)
        try c.update("reise", id: id, values: ["notiz": "von C"])  // newer, B sees it before deleting
        try c.send(to: b, name: "b")
        clock.advance(1)
        try b.delete("reise", id: id)
        // A single base (C's newer version) took A's older edit as seen: version 1 recorded nothing.
        try b.send(to: a, name: "a")
        let lost = try a.conflicts().filter { $0.kind == .editVersusDelete }
        #expect(lost.map(\.column) == ["titel"])
        #expect(lost.first?.valueA == "von A")
    }

    @Test("Nacheinander überschreiben ergibt nie einen Konflikt, auch nicht im Ring über fünf Replikate")
    func sequentialRingNeverConflicts() throws {
        let directory = TemporaryDirectory()
        let ring = try (0..<5).map { try Replica.test(directory, "r\($0).ozg", clock: clock) }
        let id = try ring[0].insert(into: "reise", values: ["titel": "0"])
        for round in 1...10 {
            let writer = ring[round % 5]
            try ring[(round + 4) % 5].send(to: writer, name: "ring")
            clock.advance(1)
            try writer.update("reise", id: id, values: ["titel": .text("\(round)")])
        }
        for replica in ring { try ring[0].send(to: replica, name: "alle\(replica.siteID.hex)") }
        for replica in ring {
            try replica.send(to: ring[0], name: "zurück\(replica.siteID.hex)")
        }
        for replica in ring { #expect(try replica.conflicts().isEmpty) }
        // One writer after another: the cell names every earlier writer's site once, no sibling.
        let state = try #require(try ring[0].cellState(table: "reise", id: id, column: "titel"))
        #expect(state.value == "10" && state.siblings.isEmpty && state.context.count == 4)
    }

    @Test(
        "Ein Gerät sendet seinen gleichzeitigen Wert auch, wenn er hier nach der Uhr verlor – mit dem Kontext, den es beim Schreiben hatte"
    )
    func ownLosingWriteIsPushedWithItsOwnContext() throws {
        let directory = TemporaryDirectory()
        let server = try Replica.test(directory, "server.ozg", clock: clock)
        let a = try Replica.test(directory, "a.ozg", clock: clock)
        let b = try Replica.test(directory, "b.ozg", clock: clock)
        let id = try a.insert(into: "reise", values: ["titel": "start"])
        try a.send(to: server, name: "server")
        try server.send(to: b, name: "b")
        clock.advance(1)
        try b.update("reise", id: id, values: ["titel": "b"])
        clock.advance(1)
        try a.update("reise", id: id, values: ["titel": "a"])
        try a.send(to: server, name: "server")
        try server.send(to: b, name: "b")  // b pulls a before pushing: a wins there by the clock
        let pushed = try b.extractChanges(after: 0).batch
        let cell = try #require(pushed.rows.first { $0.id == id }?.cells.first { $0.column == "titel" })
        #expect(cell.value == "b" && cell.version.site == b.siteID && cell.siblings.isEmpty)
        #expect(cell.context.map(\.site) == [a.siteID])  // the insert it had seen, not a's later write
        try server.apply(pushed)
        #expect(try valuePairs(server) == [pair("a", "b")])
    }

    @Test("Ein Kontext, der Ungesehenes behauptet, und widersprüchliche gleichzeitige Werte werden abgelehnt")
    func hostileContextsAreRefused() throws {
        let directory = TemporaryDirectory()
        let target = try Replica.test(directory, "t.ozg", clock: clock)
        let id = try target.insert(into: "reise", values: ["titel": "echt"])
        let before = try target.canonicalDump()
        let mallory = SiteID.random()
        let victim = SiteID.random()
        let now = clock.read() << 16
        func change(_ cell: CellChange) -> ChangeBatch {
            ChangeBatch(rows: [RowChange(table: "reise", id: id, cl: 1, cells: [cell])])
        }
        let write = Version(hlc: now + 10, site: mallory)
        let hostile: [(CellChange, String)] = [
            // Claims to have seen the victim's writes up to after its own clock.
            (
                CellChange(
                    column: "titel", value: "x", cl: 1, version: write,
                    context: [Version(hlc: now + 1_000_000, site: victim)]), "nicht vor diesem"
            ),
            // Names a site twice.
            (
                CellChange(
                    column: "titel", value: "x", cl: 1, version: write,
                    context: [Version(hlc: now, site: victim), Version(hlc: now + 1, site: victim)]), "doppelt"
            ),
            // A sibling newer than the winner.
            (
                CellChange(
                    column: "titel", value: "x", cl: 1, version: write,
                    siblings: [CellSibling(version: Version(hlc: now + 20, site: victim), value: "y")]),
                "nicht älter"
            ),
            // Two "concurrent" values of which one had seen the other.
            (
                CellChange(
                    column: "titel", value: "x", cl: 1, version: write,
                    context: [Version(hlc: now + 5, site: victim)],
                    siblings: [CellSibling(version: Version(hlc: now + 5, site: victim), value: "y")]),
                "kennt den anderen"
            ),
            // Far too many siblings.
            (
                CellChange(
                    column: "titel", value: "x", cl: 1, version: write,
                    siblings: (1...ChangeLimits.maxSiblings).map {
                        CellSibling(version: Version(hlc: now + UInt64($0), site: .random()), value: "v")
                    }), "höchstens"
            ),
        ]
        for (cell, reason) in hostile {
            #expect {
                try target.apply(change(cell))
            } throws: { error in
                "\(error)".contains(reason)
            }
            #expect(try target.canonicalDump() == before)
        }
    }

    @Test("Änderungspakete des Formats 1 werden weiter gelesen: die Basis wird zum Kontext")
    func formatOneBatchesReadForward() throws {
        // "OZB" 1, names [reise, titel], one site, one row with a UUID id, one cell with a base.
        let site = SiteID(high: 1, low: 2)
        let other = SiteID(high: 3, low: 4)
        var bytes: [UInt8] = [0x4F, 0x5A, 0x42, 0x01]
        bytes += [2, 5] + Array("reise".utf8) + [5] + Array("titel".utf8)
        bytes += [2] + site.bytes + other.bytes
        bytes += [1, 0] + RowID.packedBytes("1e78c9f7-414d-4182-a589-5a14313a7fb8")!
        // Row: header 0, table 0, one cell: header text(3) | base(0x20), column 1, version +100 site 0,
        // base −50 site 1, payload "neu".
        bytes += [0, 0, 1, 0x03 | 0x20, 1, 200, 1, 0, 99, 1, 3] + Array("neu".utf8)
        let batch = try ChangeBatchCodec.decode(bytes)
        let cell = try #require(batch.rows.first?.cells.first)
        #expect(cell.value == "neu" && cell.version == Version(hlc: 100, site: site))
        #expect(cell.context == [Version(hlc: 50, site: other)] && cell.siblings.isEmpty)
    }
}
