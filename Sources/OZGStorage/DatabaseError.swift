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
    public var resultCode: ResultCode { ResultCode(rawValue: code & 0xFF) }

    /// Whether a UNIQUE, PRIMARY KEY, NOT NULL or CHECK constraint refused the statement.
    public var isConstraintViolation: Bool { resultCode == .constraint }

    public var description: String {
        var text = "SQLite-Fehler \(code): \(message)"
        if let sql { text += " (SQL: \(sql))" }
        return text
    }
}

/// A primary SQLite result code, named (`SQLITE_READONLY` is `.readOnly`).
///
/// ```swift
/// catch let error as DatabaseError where error.resultCode == .readOnly { … }
/// ```
public struct ResultCode: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// SQLITE_ERROR: a generic error, e.g. a syntax error in SQL.
    public static let error = ResultCode(rawValue: SQLITE_ERROR)
    /// SQLITE_BUSY: another connection holds the lock past the busy timeout.
    public static let busy = ResultCode(rawValue: SQLITE_BUSY)
    /// SQLITE_READONLY: a write on a read-only connection or through a read-only handle.
    public static let readOnly = ResultCode(rawValue: SQLITE_READONLY)
    /// SQLITE_CORRUPT: the file is damaged.
    public static let corrupt = ResultCode(rawValue: SQLITE_CORRUPT)
    /// SQLITE_CANTOPEN: the file cannot be opened.
    public static let cannotOpen = ResultCode(rawValue: SQLITE_CANTOPEN)
    /// SQLITE_CONSTRAINT: a UNIQUE, PRIMARY KEY, NOT NULL or CHECK constraint refused the statement.
    public static let constraint = ResultCode(rawValue: SQLITE_CONSTRAINT)
    /// SQLITE_NOTADB: the file is not an SQLite database.
    public static let notADatabase = ResultCode(rawValue: SQLITE_NOTADB)
}
