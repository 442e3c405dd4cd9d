// Plain imports on purpose: these tests see only what the layers above the replica see.
import OZGReplication
import OZGStorage
import Testing

@Suite("Schreibschutz an den Schichtgrenzen")
struct LayerBoundaryTests {
    @Test(
        "Der Lesezugang eines Replikats verweigert jede schreibende Anweisung und lässt die Daten unverändert",
        arguments: [
            "DELETE FROM reise", "UPDATE reise SET titel = 'x'", "INSERT INTO reise(id, _ozg) VALUES ('x', x'00')",
            "DROP TABLE reise", "CREATE TABLE fremd(a)", "DELETE FROM _ozg_log", "ALTER TABLE reise ADD COLUMN b",
        ])
    func readerRefusesWrites(sql: String) throws {
        let directory = TemporaryDirectory()
        let replica = try Replica.test(directory, "a.ozg")
        let id = try replica.insert(into: "reise", values: ["titel": "Wohngeld"])
        let before = try replica.canonicalDump()
        let error = #expect(throws: DatabaseError.self) {
            try replica.read { db in try db.rows(sql) { _ in 0 } }
        }
        #expect(error?.resultCode == .readOnly)
        #expect(try replica.canonicalDump() == before)
        #expect(try replica.row("reise", id)?["titel"] == "Wohngeld")
    }

    @Test("Lokale Tabellen werden angelegt, nur über die Bibliothek beschrieben und nie repliziert")
    func localTables() throws {
        let directory = TemporaryDirectory()
        let audit = LocalTable("_ozg_audit", columns: ["wer": .text, "wieviel": .integer])
        let replica = try Replica.test(directory, "a.ozg", configuration: .init(localTables: [audit]))
        try replica.appendLocal(to: "_ozg_audit", ["wer": "Erika", "wieviel": 3])
        // A failing transaction takes its local row with it.
        #expect(throws: ReplicaError.self) {
            try replica.transaction {
                try replica.appendLocal(to: "_ozg_audit", ["wer": "Max", "wieviel": 1])
                try replica.update("reise", id: "fehlt", values: ["titel": "x"])
            }
        }
        #expect(throws: SchemaError.self) { try replica.appendLocal(to: "_ozg_audit", ["wer": "ohne Zahl"]) }
        #expect(throws: SchemaError.self) { try replica.appendLocal(to: "reise", ["titel": "x"]) }
        let rows = try replica.read { db in
            try db.rows("SELECT wer, wieviel FROM _ozg_audit ORDER BY seq") { "\($0.text(0) ?? "")=\($0.int64(1))" }
        }
        #expect(rows == ["Erika=3"])
        #expect(try replica.extractChanges(after: 0).batch.isEmpty)
        #expect(!(replica.tableNames.contains("_ozg_audit")))
    }

    @Test("Unbekannte Tabellen anlegen und Zusammenführen ist eine Transaktion")
    func creatingUnknownTablesIsAtomic() throws {
        let directory = TemporaryDirectory()
        let source = try Replica.test(directory, "quelle.ozg")
        let id = try source.insert(into: "reise", values: ["titel": "Wohngeld"])
        let batch = try source.extractChanges(after: 0).batch
        let server = try Replica(path: directory.path("server.ozg"), schema: ReplicaSchema(version: 1, tables: []))
        struct Abort: Error {}
        // The tables are created inside the merge's transaction: rolling it back removes them, in the
        // file and in the replica's table registry alike.
        #expect(throws: Abort.self) {
            try server.transaction {
                try server.apply(batch, creatingUnknownTables: true)
                throw Abort()
            }
        }
        #expect(!server.tableNames.contains("reise"))
        #expect(
            try server.read { try $0.rows("SELECT name FROM sqlite_master WHERE name = 'reise'") { _ in 1 } }.isEmpty)
        try server.apply(batch, creatingUnknownTables: true)
        #expect(server.tableNames.contains("reise"))
        #expect(try server.row("reise", id)?["titel"] == "Wohngeld")
    }
}
