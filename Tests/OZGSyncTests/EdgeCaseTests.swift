import Foundation
import Testing

@testable import OZGDomain
@testable import OZGReplication
@testable import OZGStorage

@Suite("Grenzfälle der Replikation")
struct EdgeCaseTests {
    @Test("Kommt das Löschen vor dem Anlegen an, bleibt die Zeile gelöscht und lässt sich wiederherstellen")
    func createAfterDelete() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg")
        let b = try Replica.test(directory, "b.ozg")
        let c = try Replica.test(directory, "c.ozg")
        let id = try a.insert(into: "reise", values: ["titel": "Wohngeld", "notiz": "n"])
        let creation = try a.extractChanges(after: 0).batch
        try b.apply(creation)
        try b.delete("reise", id: id)
        var deletion = try b.extractChanges(after: 0).batch
        deletion.rows = deletion.rows.map {
            RowChange(
                table: $0.table, id: $0.id, cl: $0.cl, rowVersion: $0.rowVersion,
                deleteBase: $0.deleteBase, deleteContext: $0.deleteContext, cells: [])
        }
        try c.apply(deletion)
        try c.apply(creation)
        #expect(try c.row("reise", id) == nil)
        #expect(try c.causalLength(table: "reise", id: id) == 2)
        #expect(try c.conflicts().isEmpty)
        #expect(throws: ReplicaError.duplicateID(table: "reise", id: id)) {
            try c.insert(into: "reise", id: id, values: ["titel": "neu"])
        }
        try c.restore("reise", id: id)
        #expect(try c.row("reise", id)?["titel"] == "Wohngeld")
        try exchangeAll([a, b, c])
        #expect(try a.canonicalDump() == c.canonicalDump())
        #expect(try b.canonicalDump() == c.canonicalDump())
    }

    @Test("Löschen gegen gleichzeitige Änderung: gelöscht, aber die Änderung steht als Konflikt bereit")
    func deleteVersusConcurrentUpdate() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg")
        let b = try Replica.test(directory, "b.ozg")
        let id = try a.insert(into: "reise", values: ["titel": "Wohngeld"])
        try exchangeAll([a, b])
        try a.delete("reise", id: id)
        try b.update("reise", id: id, values: ["titel": "Wohngeld digital"])
        try exchangeAll([a, b])
        for replica in [a, b] {
            #expect(try replica.row("reise", id) == nil)
            let conflicts = try replica.conflicts()
            #expect(conflicts.count == 1)
            #expect(conflicts.first?.kind == .editVersusDelete)
            #expect(conflicts.first?.valueA == "Wohngeld digital")
        }
        #expect(try a.canonicalDump() == b.canonicalDump())
        let conflict = try #require(try a.conflicts().first)
        try a.resolveConflict(id: conflict.id, .restore)
        try exchangeAll([a, b])
        for replica in [a, b] {
            #expect(try replica.row("reise", id)?["titel"] == "Wohngeld digital")
            #expect(try replica.conflicts().isEmpty)
        }
        #expect(try a.canonicalDump() == b.canonicalDump())
    }

    @Test("Ein Löschen, das die Änderung schon kannte, ist kein Konflikt")
    func informedDeleteIsNoConflict() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg")
        let b = try Replica.test(directory, "b.ozg")
        let id = try a.insert(into: "reise", values: ["titel": "A"])
        try exchangeAll([a, b])
        try b.update("reise", id: id, values: ["titel": "B"])
        try exchangeAll([a, b])
        try a.delete("reise", id: id)
        try exchangeAll([a, b])
        #expect(try a.conflicts().isEmpty)
        #expect(try b.conflicts().isEmpty)
        #expect(try b.row("reise", id) == nil)
    }

    @Test("Gleichzeitige Änderung einer Zelle: gleicher Gewinner überall, Konflikt überall, Auflösung überall")
    func concurrentUpdateIsAConflict() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg")
        let b = try Replica.test(directory, "b.ozg")
        let c = try Replica.test(directory, "c.ozg")
        let id = try a.insert(into: "reise", values: ["titel": "A"])
        try exchangeAll([a, b, c])
        try a.update("reise", id: id, values: ["titel": "von A"])
        try b.update("reise", id: id, values: ["titel": "von B"])
        try a.send(to: c, name: "c")
        try b.send(to: c, name: "c")
        try exchangeAll([a, b, c])
        let winner = try a.row("reise", id)?["titel"]
        for replica in [a, b, c] {
            #expect(try replica.row("reise", id)?["titel"] == winner)
            let conflicts = try replica.conflicts()
            #expect(conflicts.count == 1)
            #expect(Set([conflicts[0].valueA, conflicts[0].valueB]) == ["von A", "von B"])
            #expect(conflicts[0].valueB == winner)
        }
        let conflict = try #require(try c.conflicts().first)
        try c.resolveConflict(id: conflict.id, .value("von A und B"))
        try exchangeAll([a, b, c])
        for replica in [a, b, c] {
            #expect(try replica.row("reise", id)?["titel"] == "von A und B")
            #expect(try replica.conflicts().isEmpty)
            #expect(try replica.conflicts(includeResolved: true).count == 1)
        }
    }

    @Test("Gleichzeitiges Verschieben und Einfügen an derselben Stelle ergibt überall dieselbe Reihenfolge")
    func concurrentMoves() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg")
        let b = try Replica.test(directory, "b.ozg")
        let reise = try a.insert(into: "reise", values: ["titel": "R"])
        var last: String? = nil
        var steps: [String] = []
        for text in ["eins", "zwei", "drei"] {
            let position = FractionalIndex.after(last)
            last = position
            steps.append(
                try a.insert(
                    into: "schritt",
                    values: [
                        "reise_id": .text(reise), "position": .text(position),
                        "text": .text(text),
                    ]))
        }
        try exchangeAll([a, b])
        func order(_ replica: Replica) throws -> [String] {
            try replica.database.rows("SELECT text FROM schritt ORDER BY position, id") { $0.text(0) ?? "" }
        }
        func positions(_ replica: Replica) throws -> [String] {
            try replica.database.rows("SELECT position FROM schritt ORDER BY position, id") { $0.text(0) ?? "" }
        }
        let p = try positions(a)
        try a.update("schritt", id: steps[0], values: ["position": .text(FractionalIndex.after(p[2]))])
        try b.update("schritt", id: steps[0], values: ["position": .text(FractionalIndex.between(p[1], p[2]))])
        try a.insert(
            into: "schritt",
            values: [
                "reise_id": .text(reise), "position": .text(FractionalIndex.between(p[0], p[1])),
                "text": "a-neu",
            ])
        try b.insert(
            into: "schritt",
            values: [
                "reise_id": .text(reise), "position": .text(FractionalIndex.between(p[0], p[1])),
                "text": "b-neu",
            ])
        try exchangeAll([a, b])
        let final = try order(a)
        #expect(final == (try order(b)))
        #expect(final.count == 5)
        #expect(Set(final.prefix(3)) == ["zwei", "a-neu", "b-neu"] || final.first == "zwei")
        #expect(try a.conflicts().count == 1)
        #expect(try a.conflicts().first?.column == "position")
        #expect(try a.canonicalDump() == b.canonicalDump())
    }

    @Test("Änderungen einer Uhr, die weit vorgeht, werden abgelehnt und ändern nichts")
    func clockFarAhead() throws {
        let directory = TemporaryDirectory()
        let future = ManualClock(HybridLogicalClock.systemMilliseconds() + 3 * 3_600_000)
        let wrong = try Replica.test(directory, "a.ozg", configuration: .init(wallClock: future.read))
        let right = try Replica.test(directory, "b.ozg")
        try wrong.insert(into: "reise", values: ["titel": "aus der Zukunft"])
        let before = try right.canonicalDump()
        do {
            try wrong.send(to: right, name: "b")
            Issue.record("angenommen")
        } catch let error as ClockDriftError {
            #expect(error.site == wrong.siteID)
            #expect(error.description.contains(wrong.siteID.shortHex))
            #expect(error.description.contains("180 Minuten"))
        }
        #expect(try right.canonicalDump() == before)
        #expect(try right.lastSequence() == 0)
        // A small drift inside the limit is accepted, and the receiver's clock moves past it.
        let slightly = ManualClock(HybridLogicalClock.systemMilliseconds() + 60_000)
        let ahead = try Replica.test(directory, "c.ozg", configuration: .init(wallClock: slightly.read))
        let id = try ahead.insert(into: "reise", values: ["titel": "eine Minute voraus"])
        try ahead.send(to: right, name: "b")
        try right.update("reise", id: id, values: ["titel": "danach"])
        let mine = try #require(try right.cellState(table: "reise", id: id, column: "titel"))
        #expect(mine.version.milliseconds >= slightly.read())
    }

    @Test("Spalten und Tabellen eines neueren Replikats werden aufbewahrt und nach dem Upgrade angewendet")
    func unknownColumnsFromNewerReplica() throws {
        let directory = TemporaryDirectory()
        let testsitzung = ReplicatedTable("testsitzung", columns: [.init("datum"), .init("ort")])
        let reiseV2 = ReplicatedTable("reise", columns: TestSchema.reise.columns + [.init("dauer", .integer)])
        let v2 = ReplicaSchema(version: 2, tables: [reiseV2, TestSchema.schritt, testsitzung])
        let newer = try Replica.test(directory, "neu.ozg", schema: v2)
        var older = try Replica.test(directory, "alt.ozg")
        let id = try newer.insert(into: "reise", values: ["titel": "Wohngeld", "dauer": 45])
        try newer.insert(into: "testsitzung", values: ["datum": "2026-11-28", "ort": "Schwerin"])
        let result = try newer.send(to: older, name: "alt")
        #expect(result.pendingChanges == 3)
        #expect(try older.row("reise", id)?["titel"] == "Wohngeld")
        #expect(try older.pendingChangeCount() == 3)
        older.close()
        older = try Replica.test(directory, "alt.ozg", schema: v2)
        #expect(try older.pendingChangeCount() == 0)
        #expect(try older.row("reise", id)?["dauer"] == 45)
        #expect(try older.canonicalDump() == newer.canonicalDump())
        // An older program refuses a newer file instead of damaging it.
        older.close()
        #expect(throws: ReplicaError.newerFile(fileVersion: 2, programVersion: 1)) {
            try Replica.test(directory, "alt.ozg")
        }
    }

    @Test("Eine kopierte Replikatdatei bekommt beim Öffnen eine eigene Geräte-ID")
    func copiedReplicaFile() throws {
        let directory = TemporaryDirectory()
        var original = try Replica.test(directory, "a.ozg")
        let id = try original.insert(into: "reise", values: ["titel": "A"])
        let site = original.siteID
        original.close()
        try FileManager.default.copyItem(atPath: directory.path("a.ozg"), toPath: directory.path("kopie.ozg"))
        original = try Replica.test(directory, "a.ozg")
        let copy = try Replica.test(directory, "kopie.ozg")
        #expect(original.siteID == site)
        #expect(copy.siteID != site)
        try original.update("reise", id: id, values: ["titel": "Original"])
        try copy.update("reise", id: id, values: ["titel": "Kopie"])
        try exchangeAll([original, copy])
        #expect(try original.canonicalDump() == copy.canonicalDump())
        #expect(try original.conflicts().count == 1)
        // Renaming keeps the identity.
        copy.close()
        try FileManager.default.moveItem(atPath: directory.path("kopie.ozg"), toPath: directory.path("umbenannt.ozg"))
        let renamed = try Replica.test(directory, "umbenannt.ozg")
        #expect(renamed.siteID == copy.siteID)
    }

    /// A client pushes only its own writes (docs/PROTOCOL.md, „Zuordnung“). Its edit of a row another
    /// device deleted since travels at the causal length it was written at: a server that never saw
    /// the delete (a new remote) must not record a delete nobody sent it (mutant `own-writes-keep-foreign-cl`).
    @Test("Eigene Änderungen einer inzwischen fremd gelöschten Zeile gehen mit ihrer eigenen kausalen Länge hinaus")
    func ownEditOfAForeignDeletedRowKeepsItsLength() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg")
        let b = try Replica.test(directory, "b.ozg")
        let fresh = try Replica.test(directory, "neu.ozg")
        let id = try a.insert(into: "reise", values: ["titel": "Wohngeld"])
        try exchangeAll([a, b])
        try b.update("reise", id: id, values: ["titel": "Wohngeld digital"])
        try a.delete("reise", id: id)
        try a.send(to: b, name: "b")
        #expect(try b.causalLength(table: "reise", id: id) == 2)
        let own = try b.extractChanges(after: 0).batch
        let change = try #require(own.rows.first { $0.id == id })
        #expect(change.cl == 1)
        #expect(change.rowVersion == nil && change.deleteBase == nil)
        #expect(change.cells.allSatisfy { $0.version.site == b.siteID })
        try fresh.apply(own)
        #expect(try fresh.row("reise", id)?["titel"] == "Wohngeld digital")
    }

    /// Cells of an older incarnation stay hidden where a peer put them; they are not passed on
    /// (mutant `row-change-sends-older-incarnation`): honest replicas never hold them, since a restore
    /// writes every column afresh.
    @Test("Zellen einer älteren Inkarnation, die ein anderes Replikat schickt, gibt ein Replikat nicht weiter")
    func cellsOfOlderIncarnationsAreNotPassedOn() throws {
        let directory = TemporaryDirectory()
        let b = try Replica.test(directory, "b.ozg")
        let c = try Replica.test(directory, "c.ozg")
        let id = RowID.generate()
        let version = PeerChangeRulesTests.version(.random())
        try b.apply(
            ChangeBatch(rows: [
                RowChange(
                    table: "reise", id: id, cl: 3,
                    cells: [
                        CellChange(column: "titel", value: "Neu", cl: 3, version: version),
                        CellChange(column: "notiz", value: "Alt", cl: 1, version: version),
                    ])
            ]))
        #expect(try b.row("reise", id)?["titel"] == "Neu")
        #expect(try b.row("reise", id)?["notiz"] == .null)
        let relayed = try b.extractChanges(after: 0, includeRemoteOrigin: true).batch
        let change = try #require(relayed.rows.first { $0.id == id })
        #expect(change.cells.map(\.column) == ["titel"])
        try b.send(to: c, name: "c")
        #expect(try c.canonicalDump() == b.canonicalDump())
        #expect(try c.cellState(table: "reise", id: id, column: "notiz") == nil)
    }
}
