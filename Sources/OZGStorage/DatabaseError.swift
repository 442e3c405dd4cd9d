import CSQLite

/// An error reported by SQLite, carrying its result code, its message and the SQL involved.
///
/// ```swift
/// do { try db.execute("SELEC 1") } catch let error as DatabaseError { print(error.code, error.message) }
/// ```
public struct DatabaseError: Error, CustomStringConvertible, Sendable {
    /// The extended SQLite result code.
    public let code: Int32
    /// SQLite's own message.
    public let message: String
    /// The statement that failed, when known.
    public let sql: String?

    init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    init(code: Int32, connection: OpaquePointer?, sql: String? = nil) {
        let message =
            connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        self.init(code: code, message: message, sql: sql)
    }

    /// The primary result code (the extended code with its high bits removed).
    public var primaryCode: Int32 { code & 0xFF }

    /// Whether a UNIQUE, PRIMARY KEY, NOT NULL or CHECK constraint refused the statement.
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }

    public var description: String {
        var text = "SQLite-Fehler \(code): \(message)"
        if let sql { text += " (SQL: \(sql))" }
        return text
    }
}
