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

    /// In German for the codes a user meets (a file that cannot be opened, is no database, is locked
    /// or damaged, a full disk); SQLite's own English message otherwise, where it carries the detail
    /// (a syntax error names the token). The statement is left out when the reason is the file.
    public var description: String {
        if let reason = resultCode.germanReason { return "SQLite-Fehler \(code): \(reason)" }
        var text = "SQLite-Fehler \(code): \(message)"
        if let sql { text += " (SQL: \(sql))" }
        return text
    }
}

extension ResultCode {
    /// What the code means for the user, in German; nil where SQLite's message says more.
    var germanReason: String? {
        switch rawValue {
        case SQLITE_CANTOPEN:
            "die Datei lässt sich nicht öffnen (gibt es das Verzeichnis, darf dieser Benutzer dort schreiben?)"
        case SQLITE_NOTADB: "die Datei ist keine SQLite-Datenbank, also kein Replikat"
        case SQLITE_BUSY, SQLITE_LOCKED: "die Datei ist von einem anderen Programm gesperrt; später erneut versuchen"
        case SQLITE_READONLY: "die Datei ist nur lesbar (Dateirechte oder schreibgeschützter Datenträger)"
        case SQLITE_CORRUPT: "die Datei ist beschädigt; eine Sicherung zurückspielen oder neu synchronisieren"
        case SQLITE_FULL: "der Datenträger ist voll"
        case SQLITE_PERM: "keine Berechtigung für diese Datei"
        case SQLITE_IOERR: "Ein-/Ausgabefehler beim Lesen oder Schreiben der Datei"
        default: nil
        }
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
