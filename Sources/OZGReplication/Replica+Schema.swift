import OZGStorage

extension Replica {
    /// Brings the file to `schema`: creates tables, adds columns, runs custom steps. Returns whether anything changed.
    func migrate() throws -> Bool {
        let fileVersion = Int(
            try database.firstRow("SELECT value FROM _ozg_state WHERE key = 'schema_version'") {
                $0.int64(0)
            } ?? 0)
        if fileVersion > schema.version {
            throw ReplicaError.newerFile(fileVersion: fileVersion, programVersion: schema.version)
        }
        let declared = schema.tables + [ReplicaSchema.conflictTable, ReplicaSchema.deviceTable]
        for table in declared {
            try validateIdentifier(table.name, what: "Tabellenname")
            guard table.columns.count <= 63 else { throw ReplicaError.tooManyColumns(table: table.name) }
            for column in table.columns { try Self.validateColumnName(column.name) }
        }
        return try database.inTransaction {
            var changed = fileVersion != schema.version
            for table in declared {
                let registered = try database.firstRow(
                    "SELECT idx, columns FROM _ozg_tables WHERE name = ?",
                    [.text(table.name)]
                ) { ($0.int64(0), $0.text(1) ?? "") }
                var columns = registered.map { $0.1.split(separator: ",").map(String.init) } ?? []
                let index: Int64
                if let registered {
                    index = registered.0
                    for column in table.columns where !columns.contains(column.name) {
                        try database.execute(
                            "ALTER TABLE \"\(table.name)\" ADD COLUMN \(Self.columnDefinition(column))")
                        columns.append(column.name)
                        changed = true
                    }
                    try database.execute(
                        "UPDATE _ozg_tables SET columns = ? WHERE idx = ?",
                        [.text(columns.joined(separator: ",")), .integer(index)])
                } else {
                    columns = table.columns.map(\.name)
                    index = try createReplicatedTable(table.name, columns: table.columns)
                    changed = true
                }
                guard columns.count <= 63 else { throw ReplicaError.tooManyColumns(table: table.name) }
                let state = TableState(
                    name: table.name, index: index, columns: columns,
                    declared: table.columns.map(\.name))
                tables[table.name] = state
                tablesByIndex[index] = state
            }
            // Tables an older program declared but this one does not stay readable for the log.
            try database.forEachRow("SELECT idx, name, columns FROM _ozg_tables") { row in
                let index = row.int64(0)
                guard tablesByIndex[index] == nil, let name = row.text(1) else { return }
                let columns = (row.text(2) ?? "").split(separator: ",").map(String.init)
                tablesByIndex[index] = TableState(name: name, index: index, columns: columns, declared: columns)
            }
            for version in (fileVersion + 1)..<(max(fileVersion + 1, schema.version + 1)) {
                if let step = schema.migrations[version] { try step(database) }
            }
            if fileVersion != schema.version {
                try database.execute(
                    "UPDATE _ozg_state SET value = ? WHERE key = 'schema_version'",
                    [.integer(Int64(schema.version))])
            }
            return changed
        }
    }

    /// Creates a replicated table (its domain table with the metadata column, and its tombstones) and
    /// registers it; returns its index in `_ozg_tables`.
    @discardableResult
    func createReplicatedTable(_ name: String, columns: [ReplicatedColumn]) throws -> Int64 {
        let definitions = columns.map { ", " + Self.columnDefinition($0) }.joined()
        try database.execute(
            """
            CREATE TABLE "\(name)"(id TEXT PRIMARY KEY NOT NULL\(definitions), \(TableState.metaColumn) BLOB NOT NULL) WITHOUT ROWID
            """)
        try database.execute(
            """
            CREATE TABLE "_ozg_tomb_\(name)"(id TEXT PRIMARY KEY, meta BLOB NOT NULL, vals BLOB NOT NULL) WITHOUT ROWID
            """)
        try database.execute(
            "INSERT INTO _ozg_tables(name, columns) VALUES (?, ?)",
            [.text(name), .text(columns.map(\.name).joined(separator: ","))])
        return database.lastInsertRowID
    }

    /// A column name must be an identifier, and `id` and names starting with `_ozg` belong to the replication.
    static func validateColumnName(_ name: String) throws {
        try validateIdentifier(name, what: "Feldname")
        guard name != "id", !name.hasPrefix("_ozg") else {
            throw SchemaError(
                description:
                    "Der Feldname „\(name)“ ist reserviert: „id“ und Namen mit „_ozg“ legt die Replikation selbst an.")
        }
    }

    static func columnDefinition(_ column: ReplicatedColumn) -> String {
        // "ANY" would mean NUMERIC affinity in an ordinary table; no type keeps values exactly as given.
        column.type == .any ? "\"\(column.name)\"" : "\"\(column.name)\" \(column.type.rawValue)"
    }

    /// Applies changes kept for tables or columns this file did not know when they arrived.
    func applyPendingChanges() throws {
        let pending = try database.rows("SELECT seq, batch FROM _ozg_pending ORDER BY seq") {
            ($0.int64(0), $0.blob(1) ?? [])
        }
        guard !pending.isEmpty else { return }
        try write {
            try database.execute("DELETE FROM _ozg_pending")
            var result = ApplyResult()
            for (_, bytes) in pending {
                let batch = try ChangeBatchCodec.decode(bytes)
                for row in batch.rows { try merge(row, origin: .remote, result: &result) }
            }
        }
    }

    /// The number of kept changes waiting for a schema upgrade.
    public func pendingChangeCount() throws -> Int {
        var count = 0
        for bytes in try database.rows("SELECT batch FROM _ozg_pending", [], { $0.blob(0) ?? [] }) {
            count += (try? ChangeBatchCodec.decode(bytes).changeCount) ?? 0
        }
        return count
    }
}

extension Replica {
    /// Treats every table registered in the file as known, also those no schema declares (tables a
    /// schema-agnostic server created at run time), so merges and extraction cover them.
    public func adoptRegisteredTables() {
        for state in tablesByIndex.values where tables[state.name] == nil && !state.name.hasPrefix("_ozg") {
            tables[state.name] = state
        }
    }

    /// Creates the tables and columns `batch` names that this file does not know yet, with untyped
    /// columns that keep every value exactly (the sync server's schema-agnostic mode).
    ///
    /// Names must be identifiers (`a–z`, `0–9`, `_`) and may not collide with the core's own tables.
    func ensureSchema(for batch: ChangeBatch) throws {
        var wanted: [String: [String]] = [:]
        var order: [String] = []
        adoptRegisteredTables()
        for row in batch.rows {
            if wanted[row.table] == nil {
                wanted[row.table] = []
                order.append(row.table)
            }
            for cell in row.cells where !(wanted[row.table]!.contains(cell.column)) {
                wanted[row.table]!.append(cell.column)
            }
        }
        var missing: [(String, [String])] = []
        for table in order {
            let columns = wanted[table] ?? []
            if let state = tables[table] {
                let new = columns.filter { state.ordinals[$0] == nil }
                if !new.isEmpty { missing.append((table, new)) }
            } else {
                missing.append((table, columns))
            }
        }
        guard !missing.isEmpty else { return }
        for (table, columns) in missing {
            try validateIdentifier(table, what: "Tabellenname")
            if tables[table] == nil && (table.hasPrefix("_ozg") || table.hasPrefix("sqlite_")) {
                throw SchemaError(description: "Der Tabellenname „\(table)“ ist reserviert.")
            }
            for column in columns { try Self.validateColumnName(column) }
            if (tables[table]?.columns.count ?? 0) + columns.count > 63 {
                throw ReplicaError.tooManyColumns(table: table)
            }
        }
        if let limit = configuration.schemaGrowthLimit { try check(missing, against: limit) }
        try database.inTransaction {
            for (table, columns) in missing {
                if let state = tables[table] {
                    for column in columns {
                        try database.execute(
                            "ALTER TABLE \"\(table)\" ADD COLUMN \(Self.columnDefinition(ReplicatedColumn(column, .any)))"
                        )
                    }
                    let all = state.columns + columns
                    try database.execute(
                        "UPDATE _ozg_tables SET columns = ? WHERE idx = ?",
                        [.text(all.joined(separator: ",")), .integer(state.index)])
                } else {
                    try createReplicatedTable(table, columns: columns.map { ReplicatedColumn($0, .any) })
                }
            }
        }
        // Reload the registry so statements and ordinals follow the new columns.
        try database.forEachRow("SELECT idx, name, columns FROM _ozg_tables") { row in
            guard let name = row.text(1), missing.contains(where: { $0.0 == name }) else { return }
            let columns = (row.text(2) ?? "").split(separator: ",").map(String.init)
            let state = TableState(name: name, index: row.int64(0), columns: columns, declared: columns)
            tables[name] = state
            tablesByIndex[state.index] = state
        }
    }
}

/// How far peers may grow a schema-agnostic replica beyond its declared schema: the server's bound
/// per lab (docs/PROTOCOL.md, „Grenzen“), so that pushed junk can neither fill a table's 63 columns
/// nor create tables without end.
public struct SchemaGrowthLimit: Sendable, Equatable {
    /// Tables that are not declared.
    public var tables: Int
    /// Columns per table that are not declared.
    public var columnsPerTable: Int

    public init(tables: Int, columnsPerTable: Int) {
        self.tables = tables
        self.columnsPerTable = columnsPerTable
    }
}

/// A push would grow the schema past `SchemaGrowthLimit`; nothing was stored.
public struct SchemaGrowthError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

extension Replica {
    /// Throws when creating `missing` would pass `limit`.
    fileprivate func check(_ missing: [(String, [String])], against limit: SchemaGrowthLimit) throws {
        let declared = Dictionary(uniqueKeysWithValues: schema.tables.map { ($0.name, Set($0.columns.map(\.name))) })
        var undeclaredTables = tables.keys.filter { declared[$0] == nil && !$0.hasPrefix("_ozg") }.count
        for (table, columns) in missing {
            let known = declared[table]
            if tables[table] == nil && known == nil {
                undeclaredTables += 1
                guard undeclaredTables <= limit.tables else {
                    throw SchemaGrowthError(
                        description: "Die Tabelle „\(table)“ ist nicht vereinbart, und dieses Labor hat schon "
                            + "\(limit.tables) nicht vereinbarte Tabellen; mehr legt der Server nicht an. "
                            + "Vereinbart sind: \(schema.tables.map(\.name).joined(separator: ", ")).")
                }
            }
            let existing = tables[table]?.columns ?? []
            let undeclared = (existing + columns).filter { !(known?.contains($0) ?? false) }
            guard undeclared.count <= limit.columnsPerTable else {
                throw SchemaGrowthError(
                    description: "„\(table)“ hätte \(undeclared.count) nicht vereinbarte Felder "
                        + "(\(columns.joined(separator: ", ")) neu); erlaubt sind höchstens \(limit.columnsPerTable) je Tabelle. "
                        + "Vereinbart sind: \((known.map { Array($0).sorted() } ?? []).joined(separator: ", ")).")
            }
        }
    }
}
