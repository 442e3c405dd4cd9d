import CSQLite

/// One SQLite connection with a statement cache and closure-scoped transactions.
///
/// A `Database` is not thread-safe and not `Sendable`: its owner uses it from one task at a time.
/// Nothing outside the `SQLite/` folder talks to the C API.
///
/// ```swift
/// let db = try Database(path: "/tmp/labor.ozg")
/// try db.inTransaction {
///     try db.execute("INSERT INTO labor(id, titel) VALUES (?, ?)", ["L1", "Wohngeld"])
/// }
/// ```
public final class Database {
    /// How a connection is opened.
    public enum Mode: Sendable {
        case readWrite
        case readOnly
    }

    let handle: OpaquePointer
    /// The file path this connection was opened on.
    public let path: String
    private var cache: [String: Statement] = [:]
    private var transactionDepth = 0
    private var isClosed = false

    /// Opens (and for `.readWrite` creates) the database at `path` in WAL mode with a busy timeout.
    public init(path: String, mode: Mode = .readWrite, busyTimeoutMilliseconds: Int32 = 5000) throws {
        var handle: OpaquePointer?
        let flags: Int32 =
            switch mode {
            case .readWrite: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
            case .readOnly: SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
            }
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let error = DatabaseError(code: code, connection: handle)
            sqlite3_close_v2(handle)
            throw error
        }
        self.handle = handle
        self.path = path
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        if mode == .readWrite {
            try execute("PRAGMA journal_mode=WAL")
            try execute("PRAGMA synchronous=NORMAL")
            // A first sync writes tens of megabytes: a checkpoint every 40 MB of WAL instead of every
            // 4 MB (SQLite's default) took its apply from about 91,000 to 105,000–130,000 rows/s
            // (docs/PERFORMANCE.md, „First sync“). The WAL keeps its size until the last connection
            // closes the file (then it is removed): at most about 40 MB per open file.
            try execute("PRAGMA wal_autocheckpoint=10000")
        } else {
            try execute("PRAGMA query_only=1")
        }
    }

    deinit {
        close()
    }

    /// Finalizes cached statements and closes the connection; an open transaction is rolled back.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements without parameters and discards their rows.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if code != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(errorMessage)
            throw DatabaseError(code: code, message: message, sql: sql)
        }
    }

    /// Runs one statement with parameters through the statement cache.
    public func execute(_ sql: String, _ values: [DatabaseValue]) throws {
        try cachedStatement(sql).execute(values)
    }

    /// Returns a prepared statement for `sql`, reusing an earlier one for the same text.
    public func cachedStatement(_ sql: String) throws -> Statement {
        if let statement = cache[sql] { return statement }
        let statement = try Statement(database: self, sql: sql, persistent: true)
        cache[sql] = statement
        return statement
    }

    /// Prepares a one-off statement that is not cached.
    public func makeStatement(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql, persistent: false)
    }

    /// Maps every row of `sql` through `read`.
    public func rows<T>(_ sql: String, _ values: [DatabaseValue] = [], _ read: (Row) throws -> T) throws -> [T] {
        try cachedStatement(sql).rows(values, read)
    }

    /// Calls `body` for every row of `sql`.
    public func forEachRow(_ sql: String, _ values: [DatabaseValue] = [], _ body: (Row) throws -> Void) throws {
        _ = try cachedStatement(sql).rows(values, body)
    }

    /// Reads the first row of `sql`, if any.
    public func firstRow<T>(_ sql: String, _ values: [DatabaseValue] = [], _ read: (Row) throws -> T) throws -> T? {
        try cachedStatement(sql).firstRow(values, read)
    }

    /// The rowid of the most recent successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The number of rows changed by the most recent INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a transaction that commits when it returns and rolls back when it throws.
    ///
    /// Nested calls run inside the outer transaction through savepoints, so an inner failure
    /// rolls back only the inner work unless the error propagates further.
    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            let name = "ozg_sp\(transactionDepth)"
            try execute("SAVEPOINT \(name)")
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            do {
                let result = try body()
                try execute("RELEASE \(name)")
                return result
            } catch {
                try? execute("ROLLBACK TO \(name)")
                try? execute("RELEASE \(name)")
                throw error
            }
        }
        try execute("BEGIN IMMEDIATE")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// File size in bytes of the main database (page count × page size).
    public func fileSizeBytes() throws -> Int64 {
        let pages = try firstRow("PRAGMA page_count") { $0.int64(0) } ?? 0
        let size = try firstRow("PRAGMA page_size") { $0.int64(0) } ?? 0
        return pages * size
    }
}

@available(*, unavailable)
extension Database: Sendable {}

@available(*, unavailable)
extension Statement: Sendable {}
