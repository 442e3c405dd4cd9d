import OZGStorage

/// A replica's stored state, or what one write added to it, byte for byte as the file holds it: site
/// and table registries, log rows, and rows with their packed metadata. The sync server on PostgreSQL
/// keeps its labs in this form and mirrors them into a local replica, where the merge runs
/// (docs/ARCHITECTURE.md, „Server auf PostgreSQL“).
package struct MirrorState: Sendable, Equatable {
    package var sites: [MirrorSite] = []
    /// Tables that are new or gained columns (in a capture), or all of them.
    package var tables: [MirrorTable] = []
    package var log: [MirrorLogRow] = []
    package var rows: [MirrorRow] = []

    package init(sites: [MirrorSite] = [], tables: [MirrorTable] = [], log: [MirrorLogRow] = [], rows: [MirrorRow] = [])
    {
        self.sites = sites
        self.tables = tables
        self.log = log
        self.rows = rows
    }

    package var isEmpty: Bool { sites.isEmpty && tables.isEmpty && log.isEmpty && rows.isEmpty }
}

/// One entry of `_ozg_sites`: the index log entries and row metadata name a site by.
package struct MirrorSite: Sendable, Equatable {
    package let index: Int64
    package let site: [UInt8]

    package init(index: Int64, site: [UInt8]) {
        self.index = index
        self.site = site
    }
}

/// One entry of `_ozg_tables`: the table's index in the log and its columns in stored order.
package struct MirrorTable: Sendable, Equatable {
    package let index: Int64
    package let name: String
    package let columns: [String]

    package init(index: Int64, name: String, columns: [String]) {
        self.index = index
        self.name = name
        self.columns = columns
    }
}

/// One stored log row (a group of logged writes).
package struct MirrorLogRow: Sendable, Equatable {
    package let sequence: Int64
    package let table: Int64
    package let kind: Int64
    package let origin: Int64
    package let entries: [UInt8]

    package init(sequence: Int64, table: Int64, kind: Int64, origin: Int64, entries: [UInt8]) {
        self.sequence = sequence
        self.table = table
        self.kind = kind
        self.origin = origin
        self.entries = entries
    }
}

/// One stored row: its values (`ValueList`, in column order), its packed metadata, whether it is
/// visible (else a tombstone), and the log row of its latest change.
package struct MirrorRow: Sendable, Equatable {
    package let table: Int64
    package let id: String
    package let visible: Bool
    package let values: [UInt8]
    package let meta: [UInt8]
    package let logSequence: Int64

    package init(table: Int64, id: String, visible: Bool, values: [UInt8], meta: [UInt8], logSequence: Int64) {
        self.table = table
        self.id = id
        self.visible = visible
        self.values = values
        self.meta = meta
        self.logSequence = logSequence
    }
}

/// Ends the write of `capturingRolledBack` once its capture is taken.
private struct MirrorRolledBack: Error {}

/// A mirrored state does not fit the replica it is applied to (another lab's, or out of order).
package struct MirrorMismatch: Error, CustomStringConvertible {
    package let description: String
}

extension Replica {
    /// Runs `body` as one write, captures what it stored, and rolls it back: the caller stores the
    /// capture elsewhere first and then applies it here with `applyMirror` (so this file never holds
    /// what the other store did not commit).
    package func capturingRolledBack<T>(_ body: () throws -> T) throws -> (T, MirrorState) {
        let head = try lastSequence()
        let siteCount = sites.count
        let columnsBefore = Dictionary(uniqueKeysWithValues: tablesByIndex.map { ($0.key, $0.value.columns) })
        var captured: (T, MirrorState)?
        do {
            try write {
                let result = try body()
                try flushLog()
                var state = MirrorState()
                state.sites = sites[siteCount...].enumerated().map { offset, site in
                    MirrorSite(index: Int64(siteCount + offset), site: site.bytes)
                }
                state.tables = try mirrorTables().filter { columnsBefore[$0.index] != $0.columns }
                state.log = try mirrorLog(after: head)
                state.rows = try mirrorRows(loggedIn: state.log)
                captured = (result, state)
                throw MirrorRolledBack()
            }
        } catch is MirrorRolledBack {}
        guard let captured else { throw ReplicaError.transactionAborted }
        return captured
    }

    /// The whole stored state after log position `sequence`: every site and table, the log rows after
    /// it and the rows they name (all rows for 0).
    package func mirrorState(after sequence: Int64) throws -> MirrorState {
        try flushLog()
        let sites = sites.enumerated().dropFirst().map { MirrorSite(index: Int64($0.offset), site: $0.element.bytes) }
        let log = try mirrorLog(after: sequence)
        var rows: [MirrorRow] = []
        if sequence == 0 {
            for table in tablesByIndex.values.sorted(by: { $0.index < $1.index }) {
                let ids =
                    try database.rows("SELECT id FROM \"\(table.name)\"", []) { $0.text(0) ?? "" }
                    + database.rows("SELECT id FROM \"_ozg_tomb_\(table.name)\"", []) { $0.text(0) ?? "" }
                for id in ids.sorted() {
                    if let row = try mirrorRow(table, id: id) { rows.append(row) }
                }
            }
        } else {
            rows = try mirrorRows(loggedIn: log)
        }
        return MirrorState(sites: sites, tables: try mirrorTables(), log: log, rows: rows)
    }

    private func mirrorTables() throws -> [MirrorTable] {
        try database.rows("SELECT idx, name, columns FROM _ozg_tables ORDER BY idx", []) { row in
            MirrorTable(
                index: row.int64(0), name: row.text(1) ?? "",
                columns: (row.text(2) ?? "").split(separator: ",").map(String.init))
        }
    }

    private func mirrorLog(after sequence: Int64) throws -> [MirrorLogRow] {
        try database.rows(
            "SELECT seq, tbl, kind, origin, entries FROM _ozg_log WHERE seq > ? ORDER BY seq", [.integer(sequence)]
        ) { row in
            MirrorLogRow(
                sequence: row.int64(0), table: row.int64(1), kind: row.int64(2), origin: row.int64(3),
                entries: row.blob(4) ?? [])
        }
    }

    /// The rows the log rows name, each once, in the order first named.
    private func mirrorRows(loggedIn log: [MirrorLogRow]) throws -> [MirrorRow] {
        var seen = Set<String>()
        var rows: [MirrorRow] = []
        for logRow in log {
            guard let table = tablesByIndex[logRow.table],
                let kind = LogKind(rawValue: logRow.kind), let origin = Origin(rawValue: logRow.origin)
            else { throw StorageCorruption(detail: "Änderungsprotokoll \(logRow.sequence)") }
            for entry in try LogGroup.decode(
                sequence: logRow.sequence, table: logRow.table, kind: kind, origin: origin, bytes: logRow.entries)
            where seen.insert("\(logRow.table)/\(entry.id)").inserted {
                if let row = try mirrorRow(table, id: entry.id) { rows.append(row) }
            }
        }
        return rows
    }

    private func mirrorRow(_ table: TableState, id: String) throws -> MirrorRow? {
        guard let stored = try loadRow(table, id: id) else { return nil }
        guard case .blob(let meta) = try encodedMeta(stored.meta) else { return nil }
        return MirrorRow(
            table: table.index, id: id, visible: stored.inTable, values: ValueList.encode(stored.values), meta: meta,
            logSequence: stored.meta.logSequence ?? 0)
    }

    /// Stores `state` (captured from another replica of the same lab, or read back from where it was
    /// kept) in one transaction: sites and tables first, then log rows and rows as they are. Applying
    /// the same state twice changes nothing.
    package func applyMirror(_ state: MirrorState) throws {
        guard !state.isEmpty else { return }
        try write {
            for site in state.sites {
                guard let id = SiteID(bytes: site.site) else { throw StorageCorruption(detail: "Geräteliste") }
                if site.index < sites.count {
                    guard sites[Int(site.index)] == id else {
                        throw MirrorMismatch(description: "Gerät \(site.index) ist hier ein anderes")
                    }
                    continue
                }
                guard site.index == sites.count else {
                    throw MirrorMismatch(description: "Gerät \(site.index) folgt nicht auf \(sites.count - 1)")
                }
                _ = try siteIndex(id)
            }
            for table in state.tables { try mirrorTable(table) }
            for logRow in state.log {
                try database.cachedStatement(
                    "INSERT OR REPLACE INTO _ozg_log(seq, tbl, kind, origin, entries) VALUES (?, ?, ?, ?, ?)"
                ).execute([
                    .integer(logRow.sequence), .integer(logRow.table), .integer(logRow.kind), .integer(logRow.origin),
                    .blob(logRow.entries),
                ])
            }
            for row in state.rows {
                guard let table = tablesByIndex[row.table] else {
                    throw MirrorMismatch(description: "Tabelle \(row.table) ist hier unbekannt")
                }
                var values = try ValueList.decode(row.values)
                if row.visible {
                    guard values.count <= table.columns.count else {
                        throw MirrorMismatch(description: "„\(table.name)“ hat hier weniger Felder")
                    }
                    values += repeatElement(DatabaseValue.null, count: table.columns.count - values.count)
                    try table.statement(.tombDelete, in: database).execute([.text(row.id)])
                    try database.cachedStatement("INSERT OR REPLACE" + table.insertSQL.dropFirst("INSERT".count))
                        .execute([.text(row.id)] + values + [.blob(row.meta)])
                } else {
                    try table.statement(.delete, in: database).execute([.text(row.id)])
                    table.noteTombstone()
                    try table.statement(.tombUpsert, in: database).execute([
                        .text(row.id), .blob(row.meta), .blob(row.values),
                    ])
                }
            }
        }
    }

    /// Creates or widens one table to the mirrored registry entry.
    private func mirrorTable(_ mirrored: MirrorTable) throws {
        if let state = tablesByIndex[mirrored.index] {
            guard state.name == mirrored.name, Array(mirrored.columns.prefix(state.columns.count)) == state.columns
            else {
                throw MirrorMismatch(
                    description: "Tabelle \(mirrored.index) ist hier „\(state.name)“ mit anderen Feldern")
            }
            guard mirrored.columns.count > state.columns.count else { return }
            for column in mirrored.columns.dropFirst(state.columns.count) {
                try Self.validateColumnName(column)
                try database.execute(
                    "ALTER TABLE \"\(state.name)\" ADD COLUMN \(Self.columnDefinition(ReplicatedColumn(column, .any)))")
            }
            try database.execute(
                "UPDATE _ozg_tables SET columns = ? WHERE idx = ?",
                [.text(mirrored.columns.joined(separator: ",")), .integer(mirrored.index)])
        } else {
            try validateIdentifier(mirrored.name, what: "Tabellenname")
            for column in mirrored.columns { try Self.validateColumnName(column) }
            guard tables[mirrored.name] == nil else {
                throw MirrorMismatch(description: "„\(mirrored.name)“ hat hier eine andere Nummer")
            }
            guard mirrored.columns.count <= 63 else { throw ReplicaError.tooManyColumns(table: mirrored.name) }
            let created = try createReplicatedTable(
                mirrored.name, columns: mirrored.columns.map { ReplicatedColumn($0, .any) })
            if created != mirrored.index {
                try database.execute(
                    "UPDATE _ozg_tables SET idx = ? WHERE idx = ?", [.integer(mirrored.index), .integer(created)])
            }
        }
        let declared = schema.tables.first { $0.name == mirrored.name }?.columns.map(\.name) ?? mirrored.columns
        let state = TableState(
            name: mirrored.name, index: mirrored.index, columns: mirrored.columns, declared: declared)
        tablesByIndex[mirrored.index] = state
        if !mirrored.name.hasPrefix("_ozg") || tables[mirrored.name] != nil { tables[mirrored.name] = state }
    }
}

extension Replica {
    /// The site and table registries of this file (everything but the conflict site's index 0).
    package func mirrorRegistry() throws -> (sites: [MirrorSite], tables: [MirrorTable]) {
        let state = try mirrorState(after: Int64.max)
        return (state.sites, state.tables)
    }

    /// Creates a replica file with site id `site` and the registries of the store it mirrors, so that
    /// opening it with `schema` keeps that store's table numbers and adds only what `schema` declares
    /// beyond them. Declared tables get their declared column types, others untyped columns.
    package static func createMirrorFile(
        path: String, site: SiteID, sites: [MirrorSite], tables: [MirrorTable], schema: ReplicaSchema
    ) throws {
        let database = try Database(path: path)
        defer { database.close() }
        let declared = schema.tables + [ReplicaSchema.conflictTable, ReplicaSchema.deviceTable]
        try database.execute(coreSQL)
        try database.inTransaction {
            try database.execute(
                "INSERT INTO _ozg_state(key, value) VALUES ('site_id', ?), ('hlc', 0), ('schema_version', 0)",
                [.blob(site.bytes)])
            for entry in sites.isEmpty ? [MirrorSite(index: 1, site: site.bytes)] : sites {
                try database.execute(
                    "INSERT INTO _ozg_sites(idx, site) VALUES (?, ?)", [.integer(entry.index), .blob(entry.site)])
            }
            for table in tables {
                try validateIdentifier(table.name, what: "Tabellenname")
                let types = declared.first { $0.name == table.name }?.columns ?? []
                let columns = try table.columns.map { name in
                    try validateColumnName(name)
                    return types.first { $0.name == name } ?? ReplicatedColumn(name, .any)
                }
                let definitions = columns.map { ", " + columnDefinition($0) }.joined()
                try database.execute(
                    """
                    CREATE TABLE "\(table.name)"(id TEXT PRIMARY KEY NOT NULL\(definitions), \(TableState.metaColumn) BLOB NOT NULL) WITHOUT ROWID;
                    CREATE TABLE "_ozg_tomb_\(table.name)"(id TEXT PRIMARY KEY, meta BLOB NOT NULL, vals BLOB NOT NULL) WITHOUT ROWID
                    """)
                try database.execute(
                    "INSERT INTO _ozg_tables(idx, name, columns) VALUES (?, ?, ?)",
                    [.integer(table.index), .text(table.name), .text(table.columns.joined(separator: ","))])
            }
        }
    }
}
