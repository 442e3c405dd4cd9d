import OZGReplication
import OZGStorage
import Testing

@Suite("Lokale Tabellen")
struct LocalTableTests {
    @Test(
        "Eine Spalte, die ein neueres Programm deklariert, kommt in die vorhandene Datei; alte Zeilen bekommen den Vorgabewert"
    )
    func columnAddedForward() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("server.ozg")
        let old = LocalTable("_ozg_audit", columns: ["zeit": .text, "aenderungen": .integer])
        let first = try Replica(path: path, schema: TestSchema.v1, configuration: .init(localTables: [old]))
        try first.appendLocal(to: "_ozg_audit", ["zeit": .text("früher"), "aenderungen": .integer(3)])
        first.close()

        let new = LocalTable(
            "_ozg_audit", columns: ["zeit": .text, "aenderungen": .integer, "weitergeleitet_fuer": .text])
        let second = try Replica(path: path, schema: TestSchema.v1, configuration: .init(localTables: [new]))
        try second.appendLocal(
            to: "_ozg_audit",
            ["zeit": .text("jetzt"), "aenderungen": .integer(1), "weitergeleitet_fuer": .text("ab,cd")])
        let rows = try second.read { db in
            try db.rows("SELECT zeit, weitergeleitet_fuer FROM _ozg_audit ORDER BY seq") {
                "\($0.text(0) ?? "")=\($0.text(1) ?? "nil")"
            }
        }
        #expect(rows == ["früher=", "jetzt=ab,cd"])
    }
}
