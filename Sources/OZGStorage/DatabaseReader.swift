import CSQLite

/// A read-only view of a connection: it runs queries and can never change the file.
///
/// Upper layers get one from `Replica.read(_:)`; it has no method that writes, and it refuses any
/// statement SQLite does not classify as read-only (`sqlite3_stmt_readonly`), so SQL text cannot
/// write either.
///
/// ```swift
/// let names = try replica.read { db in
///     try db.rows("SELECT name FROM persona WHERE labor_id = ?", [.text(lab)]) { $0.text(0) ?? "" }
/// }
/// ```
public struct DatabaseReader {
    let database: Database

    /// Wraps `database`; only the layer that owns the connection hands readers out.
    package init(_ database: Database) {
        self.database = database
    }

    /// A cached statement for `sql`, after checking that it only reads.
    public func statement(_ sql: String) throws -> ReadStatement {
        let statement = try database.cachedStatement(sql)
        guard statement.isReadOnly else {
            throw DatabaseError(
                code: ResultCode.readOnly.rawValue, message: "Die Anweisung würde schreiben; hier wird nur gelesen.",
                sql: sql)
        }
        return ReadStatement(statement: statement)
    }

    /// Maps every row of `sql` through `read`.
    public func rows<T>(_ sql: String, _ values: [DatabaseValue] = [], _ read: (Row) throws -> T) throws -> [T] {
        try statement(sql).rows(values, read)
    }

    /// Calls `body` for every row of `sql`.
    public func forEachRow(_ sql: String, _ values: [DatabaseValue] = [], _ body: (Row) throws -> Void) throws {
        _ = try statement(sql).rows(values, body)
    }

    /// Reads the first row of `sql`, if any.
    public func firstRow<T>(_ sql: String, _ values: [DatabaseValue] = [], _ read: (Row) throws -> T) throws -> T? {
        try statement(sql).firstRow(values, read)
    }
}

/// A prepared statement that only reads, with its result column names.
public struct ReadStatement {
    let statement: Statement

    /// The names of the result columns, in order.
    public var columnNames: [String] { (0..<statement.columnCount).map { statement.columnName($0) } }

    /// The SQL after the first statement, which this statement does not run (see `Statement.unparsedTail`).
    public var unparsedTail: Substring { statement.unparsedTail }

    /// Binds `values` and maps every result row through `read`.
    public func rows<T>(_ values: [DatabaseValue] = [], _ read: (Row) throws -> T) throws -> [T] {
        try statement.rows(values, read)
    }

    /// Binds `values` and reads the first result row, if any.
    public func firstRow<T>(_ values: [DatabaseValue] = [], _ read: (Row) throws -> T) throws -> T? {
        try statement.firstRow(values, read)
    }
}

@available(*, unavailable)
extension DatabaseReader: Sendable {}

@available(*, unavailable)
extension ReadStatement: Sendable {}
