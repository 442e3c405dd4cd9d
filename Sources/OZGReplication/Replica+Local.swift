import OZGStorage

/// A table of one file only: never replicated, never in the change log (the server's audit log).
///
/// Every local table gets an `seq INTEGER PRIMARY KEY` that numbers its rows in insertion order.
///
/// ```swift
/// let audit = LocalTable("_ozg_audit", columns: ["zeit": .text, "aenderungen": .integer])
/// let replica = try Replica(path: path, schema: schema, configuration: .init(localTables: [audit]))
/// try replica.appendLocal(to: "_ozg_audit", ["zeit": .text("2026-12-01T10:00:00Z"), "aenderungen": 3])
/// ```
public struct LocalTable: Sendable {
    /// The storage class of a column; every column is NOT NULL.
    public enum ColumnType: String, Sendable {
        case text = "TEXT"
        case integer = "INTEGER"
        case blob = "BLOB"

        /// The value rows written before the column existed get (`Replica` adds columns forward).
        var defaultSQL: String {
            switch self {
            case .text: "''"
            case .integer: "0"
            case .blob: "X''"
            }
        }
    }

    /// The table's name; it must start with `_ozg_` so it never collides with a replicated table.
    public let name: String
    /// Column names and types, in order.
    public let columns: [(name: String, type: ColumnType)]

    public init(_ name: String, columns: KeyValuePairs<String, ColumnType>) {
        self.name = name
        self.columns = columns.map { ($0.key, $0.value) }
    }

    var createSQL: String {
        let definitions = columns.map { ", \"\($0.name)\" \($0.type.rawValue) NOT NULL" }.joined()
        return "CREATE TABLE IF NOT EXISTS \"\(name)\"(seq INTEGER PRIMARY KEY\(definitions))"
    }
}

extension Replica {
    /// Runs `body` with a read-only view of the file. Writes go through the replica's API only.
    ///
    /// ```swift
    /// let count = try replica.read { db in try db.firstRow("SELECT count(*) FROM persona") { $0.int64(0) } }
    /// ```
    public func read<T>(_ body: (DatabaseReader) throws -> T) throws -> T {
        try body(DatabaseReader(database))
    }

    func createLocalTables() throws {
        for table in configuration.localTables {
            guard table.name.hasPrefix("_ozg_"), !table.columns.isEmpty else {
                throw SchemaError(
                    description: "Die lokale Tabelle „\(table.name)“ muss mit „_ozg_“ beginnen und Spalten haben.")
            }
            try validateIdentifier(table.name, what: "Tabellenname")
            for column in table.columns { try validateIdentifier(column.name, what: "Feldname") }
            try database.execute(table.createSQL)
            // A column a newer program declares is added to the file's table (older rows get the default).
            let existing = Set(
                try database.rows("SELECT name FROM pragma_table_info(?)", [.text(table.name)]) { $0.text(0) ?? "" })
            for column in table.columns where !existing.contains(column.name) {
                try database.execute(
                    "ALTER TABLE \"\(table.name)\" ADD COLUMN \"\(column.name)\" \(column.type.rawValue) NOT NULL DEFAULT \(column.type.defaultSQL)"
                )
            }
        }
    }

    /// Appends a row to a local table, inside the current write transaction if there is one.
    /// `sequence` numbers it as another copy of the table did (a row with that number already here is
    /// left as it is); nil takes the next number.
    public func appendLocal(to name: String, _ values: [String: DatabaseValue], sequence: Int64? = nil) throws {
        guard let table = configuration.localTables.first(where: { $0.name == name }) else {
            throw SchemaError(description: "„\(name)“ ist keine lokale Tabelle dieser Datei.")
        }
        let names = table.columns.map(\.name)
        guard Set(values.keys) == Set(names) else {
            throw SchemaError(
                description: "Für „\(name)“ werden genau diese Felder erwartet: \(names.joined(separator: ", ")).")
        }
        let quoted = names.map { "\"\($0)\"" }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: names.count).joined(separator: ", ")
        try write {
            if let sequence {
                try database.execute(
                    "INSERT OR IGNORE INTO \"\(name)\"(seq, \(quoted)) VALUES (?, \(marks))",
                    [.integer(sequence)] + names.map { values[$0] ?? .null })
            } else {
                try database.execute(
                    "INSERT INTO \"\(name)\"(\(quoted)) VALUES (\(marks))", names.map { values[$0] ?? .null })
            }
        }
    }

    /// SQLite's `PRAGMA integrity_check`: nil when the file is sound, else SQLite's first finding.
    public func integrityProblem() throws -> String? {
        let result = try database.firstRow("PRAGMA integrity_check") { $0.text(0) } ?? nil
        return result == "ok" ? nil : result
    }

    /// Copies the write-ahead log into the main file and truncates it (before measuring the file's size).
    public func checkpoint() throws {
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    /// Rewrites the file without its free pages (after a compaction): SQLite's `VACUUM`. Fails while
    /// another connection reads the file.
    public func vacuum() throws {
        try flushLog()
        try database.execute("VACUUM")
    }

    /// The main file's size in bytes.
    public func fileSizeBytes() throws -> Int64 {
        try database.fileSizeBytes()
    }
}
