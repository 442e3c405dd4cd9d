import CSQLite

/// A prepared SQLite statement, bound and stepped by its `Database`.
///
/// Statements come from `Database.cachedStatement(_:)` (kept for reuse) or
/// `Database.makeStatement(_:)`; they are reset before every use.
///
/// ```swift
/// let statement = try db.cachedStatement("SELECT titel FROM labor WHERE id = ?")
/// let titles = try statement.rows(["L1"]) { $0.text(0) }
/// ```
public final class Statement {
    let handle: OpaquePointer
    unowned let database: Database
    /// The SQL text this statement was prepared from.
    public let sql: String
    /// Where in `sql` (UTF-8 offset) SQLite stopped compiling: after the first statement.
    private let tailOffset: Int

    init(database: Database, sql: String, persistent: Bool) throws {
        var handle: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let flags: UInt32 = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let (code, offset) = sql.withCString { text in
            let code = sqlite3_prepare_v3(database.handle, text, -1, flags, &handle, &tail)
            return (code, tail.map { $0 - text } ?? 0)
        }
        guard code == SQLITE_OK, let handle else {
            throw DatabaseError(code: code, connection: database.handle, sql: sql)
        }
        self.handle = handle
        self.database = database
        self.sql = sql
        self.tailOffset = offset
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// The text of `sql` after the first statement, which this statement does not run (`pzTail` of
    /// `sqlite3_prepare_v3`); empty when `sql` is one statement. A caller that takes SQL from a person
    /// checks it, so that `SELECT 1; DELETE …` is refused rather than silently cut short.
    public var unparsedTail: Substring {
        let utf8 = sql.utf8
        return Substring(utf8[utf8.index(utf8.startIndex, offsetBy: min(tailOffset, utf8.count))...])
    }

    /// Whether the statement leaves the database file unchanged (SQLite's own classification).
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    /// The number of result columns.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The name of result column `index`.
    public func columnName(_ index: Int) -> String {
        String(cString: sqlite3_column_name(handle, Int32(index)))
    }

    /// Resets the statement and binds `values` to its parameters, in order; parameters beyond them become NULL.
    public func bind(_ values: [DatabaseValue]) throws {
        sqlite3_reset(handle)
        if values.count < Int(sqlite3_bind_parameter_count(handle)) { sqlite3_clear_bindings(handle) }
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds one value to parameter `index` (1-based).
    public func bind(_ value: DatabaseValue, at index: Int32) throws {
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(handle, index)
        case .integer(let integer):
            code = sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            code = sqlite3_bind_double(handle, index, real)
        case .text(let text):
            code =
                text.utf8.withContiguousStorageIfAvailable { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { chars in
                        sqlite3_bind_text(handle, index, chars.baseAddress, Int32(chars.count), ozg_sqlite_transient())
                    }
                } ?? sqlite3_bind_text(handle, index, text, -1, ozg_sqlite_transient())
        case .blob(let bytes):
            code = bytes.withUnsafeBytes { buffer in
                sqlite3_bind_blob(
                    handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                    Int32(buffer.count), ozg_sqlite_transient())
            }
        }
        guard code == SQLITE_OK else {
            throw DatabaseError(code: code, connection: database.handle, sql: sql)
        }
    }

    /// Steps once; returns true while a row is available.
    @discardableResult
    public func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = DatabaseError(
                code: sqlite3_extended_errcode(database.handle), connection: database.handle,
                sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Binds `values` and runs the statement to completion, discarding rows.
    public func execute(_ values: [DatabaseValue] = []) throws {
        try bind(values)
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Binds `values` and maps every result row through `read`.
    public func rows<T>(_ values: [DatabaseValue] = [], _ read: (Row) throws -> T) throws -> [T] {
        try bind(values)
        defer { sqlite3_reset(handle) }
        var result: [T] = []
        let row = Row(statement: self)
        while try step() {
            result.append(try read(row))
        }
        return result
    }

    /// Binds `values` and reads the first result row, if any.
    public func firstRow<T>(_ values: [DatabaseValue] = [], _ read: (Row) throws -> T) throws -> T? {
        try bind(values)
        defer { sqlite3_reset(handle) }
        guard try step() else { return nil }
        return try read(Row(statement: self))
    }
}

/// The current result row of a stepping statement; valid only inside the reading closure.
public struct Row {
    let statement: Statement

    /// A view of `statement`'s current row, for callers that step a statement themselves.
    package init(statement: Statement) {
        self.statement = statement
    }

    /// The number of columns in the row.
    public var count: Int { statement.columnCount }

    /// Whether column `index` is NULL.
    public func isNull(_ index: Int) -> Bool {
        sqlite3_column_type(statement.handle, Int32(index)) == SQLITE_NULL
    }

    /// Column `index` as a 64-bit integer (0 when NULL).
    public func int64(_ index: Int) -> Int64 {
        sqlite3_column_int64(statement.handle, Int32(index))
    }

    /// Column `index` as a double (0 when NULL).
    public func double(_ index: Int) -> Double {
        sqlite3_column_double(statement.handle, Int32(index))
    }

    /// Column `index` as text, or nil when NULL.
    public func text(_ index: Int) -> String? {
        guard let pointer = sqlite3_column_text(statement.handle, Int32(index)) else { return nil }
        let count = Int(sqlite3_column_bytes(statement.handle, Int32(index)))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Column `index` as bytes, or nil when NULL.
    public func blob(_ index: Int) -> [UInt8]? {
        let type = sqlite3_column_type(statement.handle, Int32(index))
        if type == SQLITE_NULL { return nil }
        let count = Int(sqlite3_column_bytes(statement.handle, Int32(index)))
        guard count > 0, let pointer = sqlite3_column_blob(statement.handle, Int32(index)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Column `index` with its storage class preserved.
    public func value(_ index: Int) -> DatabaseValue {
        switch sqlite3_column_type(statement.handle, Int32(index)) {
        case SQLITE_INTEGER: return .integer(int64(index))
        case SQLITE_FLOAT: return .real(double(index))
        case SQLITE_TEXT: return .text(text(index) ?? "")
        case SQLITE_BLOB: return .blob(blob(index) ?? [])
        default: return .null
        }
    }
}
