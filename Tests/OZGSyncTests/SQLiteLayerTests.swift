import Testing

@testable import OZGDomain
@testable import OZGReplication
@testable import OZGStorage

@Suite("SQLite-Schicht")
struct SQLiteLayerTests {
    @Test("Alle fünf Speicherklassen kommen unverändert zurück")
    func storageClassesRoundTrip() throws {
        let directory = TemporaryDirectory()
        let db = try Database(path: directory.path("a.sqlite"))
        try db.execute("CREATE TABLE t(v)")
        let values: [DatabaseValue] = [
            .null, .integer(-42), .integer(Int64.max), .real(3.25), .text("Grüße „Ü“ 👋"),
            .blob([0, 1, 255]), .blob([]), .text(""),
        ]
        for value in values { try db.execute("INSERT INTO t(v) VALUES (?)", [value]) }
        let read = try db.rows("SELECT v FROM t ORDER BY rowid") { $0.value(0) }
        #expect(read == values)
    }

    @Test("Eine Transaktion wird bei einem Fehler vollständig zurückgerollt")
    func transactionRollsBack() throws {
        struct Boom: Error {}
        let directory = TemporaryDirectory()
        let db = try Database(path: directory.path("a.sqlite"))
        try db.execute("CREATE TABLE t(v)")
        #expect(throws: Boom.self) {
            try db.inTransaction {
                try db.execute("INSERT INTO t(v) VALUES (1)", [])
                try db.inTransaction { try db.execute("INSERT INTO t(v) VALUES (2)", []) }
                throw Boom()
            }
        }
        #expect(try db.firstRow("SELECT count(*) FROM t") { $0.int64(0) } == 0)
        #expect(!db.isInTransaction)
        try db.inTransaction { try db.execute("INSERT INTO t(v) VALUES (3)", []) }
        #expect(try db.firstRow("SELECT count(*) FROM t") { $0.int64(0) } == 1)
    }

    @Test("Fehler tragen SQLites Code und Meldung")
    func errorsCarryCodeAndMessage() throws {
        let directory = TemporaryDirectory()
        let db = try Database(path: directory.path("a.sqlite"))
        do {
            try db.execute("SELEC 1", [])
            Issue.record("kein Fehler")
        } catch let error as DatabaseError {
            #expect(error.resultCode == .error)
            #expect(error.message.contains("syntax error"))
            #expect(error.sql == "SELEC 1")
        }
        try db.execute("CREATE TABLE u(id TEXT PRIMARY KEY)")
        try db.execute("INSERT INTO u VALUES ('a')", [])
        do {
            try db.execute("INSERT INTO u VALUES ('a')", [])
            Issue.record("kein Fehler")
        } catch let error as DatabaseError {
            #expect(error.isConstraintViolation)
        }
    }

    @Test("Die Datei läuft im WAL-Modus; eine Nur-Lese-Verbindung verweigert Schreiben")
    func walAndReadOnly() throws {
        let directory = TemporaryDirectory()
        let db = try Database(path: directory.path("a.sqlite"))
        #expect(try db.firstRow("PRAGMA journal_mode") { $0.text(0) } == "wal")
        try db.execute("CREATE TABLE t(v)")
        let reader = try Database(path: directory.path("a.sqlite"), mode: .readOnly)
        #expect(throws: DatabaseError.self) { try reader.execute("INSERT INTO t VALUES (1)", []) }
        #expect(try reader.firstRow("SELECT count(*) FROM t") { $0.int64(0) } == 0)
    }
}
