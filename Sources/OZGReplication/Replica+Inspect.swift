import OZGStorage

/// The stored state of one cell, for inspection and tests.
public struct CellState: Sendable, Equatable {
    public var value: DatabaseValue
    public var cl: UInt64
    public var version: Version
    /// Other sites' highest merged clocks of this cell (docs/ARCHITECTURE.md, "Conflicts").
    public var context: [Version]
    /// Concurrent writes that lost to `version` by the clock.
    public var siblings: [CellSibling]
}

/// One entry of a row's history: who changed which fields when, old → new.
public struct HistoryEntry: Sendable, Equatable {
    /// One field's change.
    public struct FieldChange: Sendable, Equatable {
        public var column: String
        public var old: DatabaseValue
        /// nil when the entry deleted the row.
        public var new: DatabaseValue?
    }

    public var sequence: Int64
    public var table: String
    public var id: String
    public var kind: Kind
    /// Whether the change was made on this replica or merged from another.
    public var isLocal: Bool
    public var version: Version
    public var changes: [FieldChange]

    /// What the change did to the row.
    public enum Kind: Sendable, Equatable {
        case created, changed, deleted, restored
        /// The row's state when a compaction removed the history before it (`Replica.compact`).
        case compacted
    }
}

extension Replica {
    /// A deterministic text of the visible state: tables by name, rows by id, declared columns in order.
    ///
    /// Two replicas that merged the same changes produce byte-identical dumps.
    /// With `includeConflicts` false the core's own tables (conflicts, device authors) are left out: which conflicts a replica
    /// detects itself depends on merge order, and only after a full exchange do all replicas hold all of them.
    public func canonicalDump(includeConflicts: Bool = true) throws -> String {
        var out = ""
        for name in tables.keys.sorted() where includeConflicts || !name.hasPrefix("_ozg") {
            guard let table = tables[name] else { continue }
            out += "# \(name)\n"
            let columns = table.declaredOrdinals.map { "\"\(table.columns[$0])\"" }
            let sql = "SELECT id\(columns.map { ", " + $0 }.joined()) FROM \"\(name)\" ORDER BY id"
            try database.forEachRow(sql) { row in
                var line = row.text(0) ?? ""
                for (offset, ordinal) in table.declaredOrdinals.enumerated() {
                    line += "\t\(table.columns[ordinal])=\(row.value(offset + 1).canonicalText)"
                }
                out += line + "\n"
            }
        }
        return out
    }

    /// The stored state of one cell, or nil when the row or cell was never written here.
    public func cellState(table tableName: String, id: String, column: String) throws -> CellState? {
        let table = try self.table(tableName)
        let ordinal = try table.ordinal(of: column)
        guard let stored = try loadRow(table, id: id), let cell = stored.meta.cell(ordinal) else { return nil }
        return CellState(
            value: stored.values[ordinal], cl: cell.cl, version: cell.version, context: cell.context,
            siblings: cell.siblings)
    }

    /// The causal length of a row (odd: visible, even: deleted), or nil when unknown here.
    public func causalLength(table tableName: String, id: String) throws -> UInt64? {
        try loadRow(try table(tableName), id: id)?.meta.cl
    }

    /// Whether a row exists and is visible.
    public func isVisible(table tableName: String, id: String) throws -> Bool {
        try loadRow(try table(tableName), id: id)?.meta.isVisible ?? false
    }

    /// The history of row `id` (in any table), oldest first.
    ///
    /// The log stores each change's old values; a change's new value is the next change's old
    /// value of that field, or the current value for the latest change. The row's changes are found
    /// by following its chain (`RowMeta.logSequence`, each entry's `previous`): one log row read per
    /// change instead of a scan of the whole log. Rows and entries written before the chain existed
    /// have no pointers; for them the whole log is scanned.
    public func history(id: String) throws -> [HistoryEntry] {
        try history(id: id, scanningLog: false)
    }

    /// `history(id:)`, with `scanningLog` as before the chain existed (for `ozg-bench`'s comparison).
    package func history(id: String, scanningLog: Bool) throws -> [HistoryEntry] {
        try flushLog()
        let floor = try compactionFloor()
        var logged = try (scanningLog ? nil : loggedChangesByChain(of: id)) ?? loggedChangesByScan(of: id)
        // A row changed after a compaction starts its history at that change (its old values say what
        // was before); the entry the compaction wrote for it stands only where nothing followed.
        if floor > 0 {
            let later = Set(logged.filter { $0.sequence >= floor }.map(\.table))
            logged.removeAll { $0.sequence < floor && later.contains($0.table) }
        }
        var raws: [Raw] = []
        for entry in logged {
            guard let table = tablesByIndex[entry.table] else { continue }
            let site = entry.siteIndex < sites.count ? sites[entry.siteIndex] : Self.conflictSite
            let ordinals = table.columns.indices.filter { entry.mask & (1 << UInt64($0)) != 0 }
            raws.append(
                Raw(
                    sequence: entry.sequence, table: table, kind: entry.kind, origin: entry.origin.rawValue,
                    version: Version(hlc: entry.hlc, site: site), ordinals: ordinals, old: entry.old))
        }
        var current: [String: [DatabaseValue]] = [:]
        for table in Set(raws.map(\.table.name)) {
            guard let state = tables[table], let stored = try loadRow(state, id: id) else { continue }
            current[table] = stored.values
        }
        var entries: [HistoryEntry] = []
        for (position, raw) in raws.enumerated() {
            var changes: [HistoryEntry.FieldChange] = []
            for (offset, ordinal) in raw.ordinals.enumerated() {
                let old = raw.kind == .insert || raw.kind == .restore ? .null : (raw.old?[safe: offset] ?? .null)
                var new: DatabaseValue? = nil
                if raw.kind != .delete {
                    new = current[raw.table.name]?[safe: ordinal] ?? .null
                    for later in raws[(position + 1)...] where later.table.name == raw.table.name {
                        if later.kind == .insert || later.kind == .restore { continue }
                        if let index = later.ordinals.firstIndex(of: ordinal) {
                            new = later.old?[safe: index] ?? .null
                            break
                        }
                    }
                }
                if old == new { continue }
                changes.append(.init(column: raw.table.columns[ordinal], old: old, new: new))
            }
            let kind: HistoryEntry.Kind =
                switch raw.kind {
                case .insert where raw.sequence < floor: .compacted
                case .insert: .created
                case .update: .changed
                case .delete: .deleted
                case .restore: .restored
                }
            entries.append(
                HistoryEntry(
                    sequence: raw.sequence, table: raw.table.name, id: id, kind: kind,
                    isLocal: raw.origin == Origin.local.rawValue, version: raw.version,
                    changes: changes))
        }
        return entries
    }

    private struct Raw {
        let sequence: Int64
        let table: TableState
        let kind: LogKind
        let origin: Int64
        let version: Version
        let ordinals: [Int]
        let old: [DatabaseValue]?
    }

    /// The log entries of `id` in log order, found through each table's chain; nil when a chain is
    /// incomplete (written before the chain existed, or the log does not hold what a pointer names).
    func loggedChangesByChain(of id: String) throws -> [LogEntry]? {
        var found: [LogEntry] = []
        let floor = try compactionFloor()
        for table in tablesByIndex.values {
            guard let stored = try loadRow(table, id: id) else { continue }
            guard var sequence = stored.meta.logSequence else { return nil }
            var chain: [[LogEntry]] = []
            while sequence > 0 {
                let entries = try logEntries(at: sequence).filter { $0.id == id && $0.table == table.index }
                // The change before lies in a part of the log a compaction removed: history starts here.
                if entries.isEmpty && sequence < floor { break }
                // The first entry of the row in this log row points at the one before it.
                guard let previous = entries.first?.previous, previous < sequence else { return nil }
                chain.append(entries)
                sequence = previous
            }
            found += chain.reversed().joined()
        }
        // Tables interleave in log order; entries of one log row keep their order (a stable sort).
        return found.enumerated().sorted { ($0.element.sequence, $0.offset) < ($1.element.sequence, $1.offset) }
            .map(\.element)
    }

    func loggedChangesByScan(of id: String) throws -> [LogEntry] {
        var found: [LogEntry] = []
        try forEachLogGroup(after: 0) { entries in
            found += entries.filter { $0.id == id }
            return true
        }
        return found
    }

    /// The entries of the log row at `sequence` (none when there is no such row).
    private func logEntries(at sequence: Int64) throws -> [LogEntry] {
        let statement = try database.cachedStatement(
            "SELECT tbl, kind, origin, entries FROM _ozg_log WHERE seq = ?")
        return try statement.firstRow([.integer(sequence)]) { row in
            guard let kind = LogKind(rawValue: row.int64(1)), let origin = Origin(rawValue: row.int64(2)) else {
                throw StorageCorruption(detail: "Änderungsprotokoll \(sequence)")
            }
            return try LogGroup.decode(
                sequence: sequence, table: row.int64(0), kind: kind, origin: origin, bytes: row.blob(3) ?? [])
        } ?? []
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}

/// A deleted row as kept in the tombstones.
public struct DeletedRow: Sendable, Equatable {
    public var id: String
    /// The values of its last incarnation, by column.
    public var values: [String: DatabaseValue]
    /// The version of the delete.
    public var deletedBy: Version?
}

extension Replica {
    /// The version of the delete or restore that last changed the row's visibility, if any.
    public func rowChangeVersion(table tableName: String, id: String) throws -> Version? {
        try loadRow(try table(tableName), id: id)?.meta.rowVersion
    }

    /// Every deleted row of a table with its last values.
    public func deletedRows(table tableName: String) throws -> [DeletedRow] {
        let table = try self.table(tableName)
        guard try table.mayHaveTombstones(in: database) else { return [] }
        let ids = try database.rows(table.tombListSQL) { $0.text(0) ?? "" }
        return try ids.compactMap { id in
            guard let stored = try loadRow(table, id: id) else { return nil }
            var values: [String: DatabaseValue] = [:]
            for (ordinal, column) in table.columns.enumerated() { values[column] = stored.values[ordinal] }
            return DeletedRow(id: id, values: values, deletedBy: stored.meta.rowVersion)
        }
    }
}
