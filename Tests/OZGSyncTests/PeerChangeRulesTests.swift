import Foundation
import OZGReplication
import OZGStorage
import Testing

/// The rules every replica applies to changes from peers (docs/PROTOCOL.md, „Zuordnung“ and „Grenzen“),
/// without a server in between.
@Suite("Regeln für Änderungen anderer Replikate")
struct PeerChangeRulesTests {
    static func version(_ site: SiteID) -> Version {
        Version(hlc: HybridLogicalClock.pack(milliseconds: HybridLogicalClock.systemMilliseconds()), site: site)
    }

    @Test("Zu große Werte werden schon beim lokalen Schreiben und beim Übernehmen abgelehnt")
    func valueSizeLimit() throws {
        let directory = TemporaryDirectory()
        let replica = try Replica.test(directory, "a.ozg")
        let tooLarge = DatabaseValue.text(String(repeating: "x", count: ChangeLimits.maxValueBytes + 1))
        #expect(throws: ReplicaError.self) { try replica.insert(into: "reise", values: ["titel": tooLarge]) }
        let id = try replica.insert(
            into: "reise", values: ["titel": .text(String(repeating: "x", count: ChangeLimits.maxValueBytes))])
        #expect(throws: ReplicaError.self) {
            try replica.update(
                "reise", id: id, values: ["notiz": .blob([UInt8](repeating: 1, count: ChangeLimits.maxValueBytes + 1))])
        }
        let other = SiteID.random()
        let incoming = ChangeBatch(rows: [
            RowChange(
                table: "reise", id: RowID.generate(), cl: 1,
                cells: [CellChange(column: "titel", value: tooLarge, cl: 1, version: Self.version(other))])
        ])
        let before = try replica.lastSequence()
        do {
            try replica.apply(incoming)
            Issue.record("Ein zu großer Wert wurde übernommen")
        } catch let error as ReplicaError {
            #expect(error.description.contains("erlaubt sind höchstens 1048576 Bytes"))
        }
        #expect(try replica.lastSequence() == before)
    }

    @Test("Den Autorennamen eines Geräts übernimmt ein Replikat nur von diesem Gerät")
    func authorRowsOnlyFromTheirDevice() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg")
        let b = try Replica.test(directory, "b.ozg")
        try a.setAuthor("Anna")
        try a.send(to: b, name: "b")
        #expect(try b.authors()[a.siteID] == "Anna")
        let forged = ChangeBatch(rows: [
            RowChange(
                table: ReplicaSchema.deviceTable.name, id: a.siteID.hex, cl: 1,
                cells: [
                    CellChange(column: "autor", value: "Mallory", cl: 1, version: Self.version(.random()))
                ])
        ])
        #expect(throws: ReplicaError.self) { try b.apply(forged) }
        #expect(try b.authors()[a.siteID] == "Anna")
    }

    @Test("Eine echte Konfliktzeile wird übernommen, eine erfundene nicht; resolve prüft Werte gegen den Stand")
    func conflictRowsAreChecked() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg")
        let b = try Replica.test(directory, "b.ozg")
        let c = try Replica.test(directory, "c.ozg")
        let id = try a.insert(into: "reise", values: ["titel": "Start"])
        try a.send(to: b, name: "b")
        try a.update("reise", id: id, values: ["titel": "A"])
        try b.update("reise", id: id, values: ["titel": "B"])
        try b.send(to: a, name: "a")
        // a detected the conflict; c gets the row, the winner's value and the conflict through a.
        try a.send(to: c, name: "c")
        let conflicts = try c.conflicts()
        #expect(conflicts.count == 1)
        guard let conflict = conflicts.first, let versionB = conflict.versionB else { return }

        // The same conflict under another id, or with the detection's site outside conflicts: refused.
        let genuine = try a.extractChanges(after: 0, includeRemoteOrigin: true).batch.rows.first {
            $0.table == ConflictRecord.tableName
        }!
        var renamed = genuine
        renamed.id = RowID.generate()
        #expect(throws: ReplicaError.self) { try c.apply(ChangeBatch(rows: [renamed])) }
        var disguised = genuine
        disguised.table = "reise"
        disguised.id = id
        disguised.cells = [
            CellChange(
                column: "titel", value: "Z", cl: 1, version: Version(hlc: versionB.hlc + 1, site: Replica.conflictSite),
            )
        ]
        #expect(throws: ReplicaError.self) { try c.apply(ChangeBatch(rows: [disguised])) }

        // A copy whose recorded winner value differs from what d stores: resolve refuses to apply it.
        let d = try Replica.test(directory, "d.ozg")
        try a.send(to: d, name: "d")
        var tampered = genuine
        tampered.cells = tampered.cells.map { cell in
            var cell = cell
            if cell.column == "wert_b" || cell.column == "wert_a" { cell.value = "Erfunden" }
            return cell
        }
        // e holds only the winner (a relay that passed the concurrent value would let e detect the
        // genuine conflict itself, and the genuine row would win over the copy by merging first).
        let e = try Replica.test(directory, "e.ozg")
        let winnersOnly = try a.extractChanges(after: 0, includeRemoteOrigin: true).batch.rows
            .filter { $0.table == "reise" }
            .map { row -> RowChange in
                var row = row
                row.cells = row.cells.map {
                    CellChange(column: $0.column, value: $0.value, cl: $0.cl, version: $0.version)
                }
                return row
            }
        try e.apply(winnersOnly.batch)
        #expect(try e.conflicts().isEmpty)
        try e.apply(ChangeBatch(rows: [tampered]))
        let stored = try #require(try e.conflicts().first)
        let winner = try #require(try e.cellState(table: "reise", id: id, column: "titel"))
        #expect(throws: ReplicaError.self) { try e.resolveConflict(id: stored.id, .keep(winner.version)) }
        // The genuine one settles fine.
        try d.resolveConflict(id: conflict.id, .keep(winner.version))
        #expect(try d.conflicts().isEmpty)
    }

    @Test("Positionen: riesige und fremde Grenzen ergeben schnell einen kurzen Schlüssel")
    func hugePositions() {
        let huge = String(repeating: "z", count: 200_000)
        let after = FractionalIndex.after(huge)
        #expect(after.utf8.count <= FractionalIndex.maxBoundLength + 4)
        let between = FractionalIndex.between(
            String(repeating: "1", count: 300_000), String(repeating: "2", count: 300_000))
        #expect(between.utf8.count <= FractionalIndex.maxBoundLength + 4)
        #expect(between > String(repeating: "1", count: FractionalIndex.maxBoundLength))
        let odd = FractionalIndex.between("\u{1B}[2J", "ÄÖÜ~~")
        let alphabet = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        #expect(odd.utf8.allSatisfy { alphabet.contains($0) })
    }

    /// Honest replicas send a row's causal length with its cells, so only another peer produces a cell
    /// above its row's (docs/ARCHITECTURE.md, „Merge rules“). Without lifting the row, that cell would
    /// be stored above a visible row and hide the field: every later edit of it, written at the row's
    /// lower length, would lose to it everywhere.
    @Test("Eine Zelle über der kausalen Länge ihrer Zeile hebt die Zeile; das Feld bleibt sichtbar und änderbar")
    func cellAboveItsRowLiftsTheRow() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg")
        let b = try Replica.test(directory, "b.ozg")
        let c = try Replica.test(directory, "c.ozg")
        let id = try a.insert(into: "reise", values: ["titel": "Start"])
        try a.send(to: b, name: "b")
        let ahead = ChangeBatch(rows: [
            RowChange(
                table: "reise", id: id, cl: 1,
                cells: [CellChange(column: "titel", value: "Neu", cl: 3, version: Self.version(.random()))])
        ])
        try b.apply(ahead)
        #expect(try b.causalLength(table: "reise", id: id) == 3)
        #expect(try b.isVisible(table: "reise", id: id))
        func title(_ replica: Replica) throws -> DatabaseValue? { try replica.row("reise", id)?["titel"] }
        #expect(try title(b) == "Neu")
        try b.update("reise", id: id, values: ["titel": "Weiter"])
        #expect(try title(b) == "Weiter")
        #expect(try b.cellState(table: "reise", id: id, column: "titel")?.cl == 3)
        try b.send(to: c, name: "c")
        try b.send(to: a, name: "a")
        #expect(try title(c) == "Weiter")
        #expect(try title(a) == "Weiter")
        #expect(try a.canonicalDump() == b.canonicalDump())
        #expect(try c.canonicalDump() == b.canonicalDump())
    }

    @Test("Die kausale Länge endet an der Grenze mit einer Meldung statt eines Absturzes")
    func causalLengthLimit() throws {
        let directory = TemporaryDirectory()
        let replica = try Replica.test(directory, "a.ozg")
        let id = RowID.generate()
        let top = ChangeLimits.maxCausalLength - 1
        try replica.apply(
            ChangeBatch(rows: [
                RowChange(
                    table: "reise", id: id, cl: top,
                    cells: [
                        CellChange(column: "titel", value: "Alt", cl: top, version: Self.version(.random()))
                    ])
            ]))
        try replica.delete("reise", id: id)
        #expect(throws: ReplicaError.causalLengthExhausted(table: "reise", id: id)) {
            try replica.restore("reise", id: id)
        }
        let beyond = ChangeBatch(rows: [
            RowChange(table: "reise", id: id, cl: ChangeLimits.maxCausalLength + 1, cells: [])
        ])
        #expect(throws: ReplicaError.self) { try replica.apply(beyond) }
        #expect(throws: ChangeBatchDecodingError.self) {
            try ChangeBatchCodec.decode(ChangeBatchCodec.encode(beyond))
        }
    }
}

extension Array where Element == RowChange {
    var batch: ChangeBatch { ChangeBatch(rows: self) }
}
