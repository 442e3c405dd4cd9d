import Testing

@testable import OZGDomain
@testable import OZGReplication
@testable import OZGStorage

@Suite("Schreiben auf einem Replikat")
struct ReplicaWriteTests {
    @Test("Anlegen, Ändern, Löschen und Wiederherstellen landen in Tabelle, Metadaten und Verlauf")
    func lifecycle() throws {
        let directory = TemporaryDirectory()
        let replica = try Replica.test(directory, "a.ozg")
        let id = try replica.insert(into: "reise", values: ["titel": "Wohngeld", "notiz": "erste Fassung"])
        #expect(try replica.row("reise", id)?["titel"] == "Wohngeld")
        #expect(try replica.causalLength(table: "reise", id: id) == 1)

        try replica.update("reise", id: id, values: ["notiz": "zweite Fassung"])
        #expect(try replica.row("reise", id)?["notiz"] == "zweite Fassung")
        #expect(try replica.row("reise", id)?["titel"] == "Wohngeld")

        try replica.delete("reise", id: id)
        #expect(try replica.row("reise", id) == nil)
        #expect(try replica.causalLength(table: "reise", id: id) == 2)
        #expect(throws: ReplicaError.rowDeleted(table: "reise", id: id)) {
            try replica.update("reise", id: id, values: ["notiz": "x"])
        }

        try replica.restore("reise", id: id)
        #expect(try replica.row("reise", id)?["notiz"] == "zweite Fassung")
        #expect(try replica.causalLength(table: "reise", id: id) == 3)

        let history = try replica.history(id: id)
        #expect(history.map(\.kind) == [.created, .changed, .deleted, .restored])
        #expect(history[1].changes == [.init(column: "notiz", old: "erste Fassung", new: "zweite Fassung")])
        #expect(history[0].changes.contains(.init(column: "titel", old: .null, new: "Wohngeld")))
        #expect(history[2].changes.contains(.init(column: "titel", old: "Wohngeld", new: nil)))
        #expect(history.allSatisfy { $0.isLocal && $0.version.site == replica.siteID })
    }

    @Test("Schlechte Eingaben ändern nichts und nennen, was erlaubt ist")
    func badInputChangesNothing() throws {
        let directory = TemporaryDirectory()
        let replica = try Replica.test(directory, "a.ozg")
        let id = try replica.insert(into: "reise", values: ["titel": "A"])
        let before = try replica.canonicalDump()
        let sequence = try replica.lastSequence()
        do {
            try replica.update("reise", id: id, values: ["tittel": "B"])
            Issue.record("kein Fehler")
        } catch let error as ReplicaError {
            #expect(error.description.contains("Unbekanntes Feld „tittel“"))
            #expect(error.description.contains("titel"))
        }
        #expect(throws: ReplicaError.self) { try replica.insert(into: "reisen", values: [:]) }
        #expect(throws: ReplicaError.duplicateID(table: "reise", id: id)) {
            try replica.insert(into: "reise", id: id, values: ["titel": "C"])
        }
        #expect(throws: ReplicaError.self) { try replica.insert(into: "reise", id: "", values: [:]) }
        #expect(throws: ReplicaError.rowNotFound(table: "reise", id: "nix")) { try replica.delete("reise", id: "nix") }
        #expect(throws: ReplicaError.rowNotDeleted(table: "reise", id: id)) { try replica.restore("reise", id: id) }
        #expect(try replica.canonicalDump() == before)
        #expect(try replica.lastSequence() == sequence)
    }

    @Test("Schlägt ein Schreiben in einer Transaktion fehl, bleibt nichts davon")
    func transactionIsAllOrNothing() throws {
        let directory = TemporaryDirectory()
        let replica = try Replica.test(directory, "a.ozg")
        let before = try replica.canonicalDump()
        #expect(throws: ReplicaError.self) {
            try replica.transaction {
                try replica.insert(into: "reise", values: ["titel": "A"])
                _ = try? replica.update("reise", id: "fehlt", values: ["titel": "B"])
            }
        }
        #expect(try replica.canonicalDump() == before)
        try replica.transaction {
            try replica.insert(into: "reise", values: ["titel": "A"])
            try replica.insert(into: "reise", values: ["titel": "B"])
        }
        #expect(try replica.database.firstRow("SELECT count(*) FROM reise") { $0.int64(0) } == 2)
    }

    @Test("Zum Senden kommt je Zelle nur der letzte Stand, bestätigt wird per Folgenummer")
    func extractLatestStateAndAcknowledge() throws {
        let directory = TemporaryDirectory()
        let replica = try Replica.test(directory, "a.ozg")
        let id = try replica.insert(into: "reise", values: ["titel": "A", "notiz": "n"])
        for title in ["B", "C", "D"] { try replica.update("reise", id: id, values: ["titel": .text(title)]) }
        let first = try replica.extractChanges(after: 0)
        #expect(first.batch.rows.count == 1)
        #expect(first.batch.changeCount == 2)
        #expect(first.batch.rows[0].cells.first { $0.column == "titel" }?.value == "D")
        try replica.acknowledge(first.throughSequence, for: "server")
        #expect(try replica.pendingLocalChanges(for: "server") == 0)

        try replica.update("reise", id: id, values: ["notiz": "m"])
        let second = try replica.extractChanges(after: try replica.acknowledgedSequence(for: "server"))
        #expect(second.batch.rows.map { $0.cells.map(\.column) } == [["notiz"]])
        try replica.acknowledge(1, for: "server")  // an old acknowledgement never moves backwards
        #expect(try replica.acknowledgedSequence(for: "server") == first.throughSequence)
    }

    @Test("Gesendet wird nur, was das eigene Gerät schrieb: keine übernommenen Änderungen, keine Konflikte")
    func onlyOwnWritesArePushed() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg")
        let b = try Replica.test(directory, "b.ozg")
        let id = try a.insert(into: "reise", values: ["titel": "A"])
        try a.send(to: b, name: "b")
        #expect(try b.extractChanges(after: 0).batch.isEmpty)
        #expect(try b.extractChanges(after: 0, includeRemoteOrigin: true).batch.changeCount == 1)
        // b edits, then a's concurrent edit of the same cell arrives: b records the conflict and pushes
        // its own two edits — the one that lost by the clock too, so the server meets it — but neither
        // the conflict nor a's value.
        let acknowledged = try b.lastSequence()
        try b.update("reise", id: id, values: ["titel": "B", "notiz": "von B"])
        try a.update("reise", id: id, values: ["titel": "A2"])
        try a.send(to: b, name: "b")
        #expect(try b.conflicts().count == 1)
        let pushed = try b.extractChanges(after: acknowledged).batch
        #expect(pushed.writtenSites == [b.siteID])
        #expect(pushed.rows.map(\.table) == ["reise"])
        #expect(pushed.rows.first?.cells.map(\.column) == ["titel", "notiz"])
        let titel = try #require(pushed.rows.first?.cells.first)
        #expect(titel.value == "B" && titel.siblings.isEmpty)
        #expect(try b.cellState(table: "reise", id: id, column: "titel")?.siblings.count == 1)
    }
}
