import OZGStorage

/// What kind of change a log entry records.
enum LogKind: Int64 {
    case insert = 1
    case update = 2
    case delete = 3
    case restore = 4
}

/// Whether a log entry was written on this replica or merged from another.
enum Origin: Int64 {
    case local = 0
    case remote = 1
}

/// A row's stored state: metadata and the values of its current (or, once deleted, last) incarnation.
struct StoredRow {
    var meta: RowMeta
    /// In ordinal order, one per column.
    var values: [DatabaseValue]
    /// Whether the row lives in the domain table (visible) rather than the tombstone table.
    var inTable: Bool
}

extension Replica {
    // MARK: - Public write API

    /// Inserts a row with the given column values and returns its id (a new random UUID unless `id` is given).
    @discardableResult
    public func insert(into tableName: String, id: String? = nil, values: [String: DatabaseValue]) throws -> String {
        let table = try self.table(tableName)
        var row = [DatabaseValue?](repeating: nil, count: table.columns.count)
        for (column, value) in values { row[try table.ordinal(of: column)] = value }
        return try insert(table, id: id, row: row)
    }

    /// Inserts a row whose values are given in the table's declared column order (the fast path for bulk loads).
    @discardableResult
    public func insert(into tableName: String, id: String? = nil, declaredValues: [DatabaseValue]) throws -> String {
        let table = try self.table(tableName)
        guard declaredValues.count == table.declaredOrdinals.count else {
            throw ReplicaError.unknownColumn(
                table: tableName, column: "(\(declaredValues.count) Werte)",
                allowed: table.declaredOrdinals.map { table.columns[$0] })
        }
        var row = [DatabaseValue?](repeating: nil, count: table.columns.count)
        for (position, ordinal) in table.declaredOrdinals.enumerated() { row[ordinal] = declaredValues[position] }
        return try insert(table, id: id, row: row)
    }

    /// Changes only the given columns of a visible row; unchanged values are not written again.
    public func update(_ tableName: String, id: String, values: [String: DatabaseValue]) throws {
        let table = try self.table(tableName)
        var assignments: [(Int, DatabaseValue)] = []
        for (column, value) in values {
            try ChangeLimits.checkSize(of: value, table: table.name, id: id, column: column)
            assignments.append((try table.ordinal(of: column), value))
        }
        assignments.sort { $0.0 < $1.0 }
        try write {
            guard var stored = try loadRow(table, id: id) else {
                throw ReplicaError.rowNotFound(table: table.name, id: id)
            }
            guard stored.inTable else { throw ReplicaError.rowDeleted(table: table.name, id: id) }
            let changes = assignments.filter { stored.values[$0.0] != $0.1 }
            guard !changes.isEmpty else { return }
            let version = Version(hlc: clock.tick(), site: siteID)
            var mask: UInt64 = 0
            for (ordinal, _) in changes {
                mask |= 1 << UInt64(ordinal)
                // The writer has seen everything this replica knows of the cell in this incarnation.
                let written: CellMeta
                if let previous = stored.meta.cell(ordinal), previous.cl == stored.meta.cl {
                    let state = CellCausality(previous, value: stored.values[ordinal])
                    written = CellMeta(cl: stored.meta.cl, state.overwritten(by: version, value: .null))
                } else {
                    written = CellMeta(cl: stored.meta.cl, version: version)
                }
                stored.meta.setCell(ordinal, written)
            }
            let old = changes.map { stored.values[$0.0] }
            let previous = stored.meta.logSequence
            stored.meta.logSequence = try logSequence(for: table, kind: .update, origin: .local)
            try database.cachedStatement(table.updateSQL(mask: mask))
                .execute(changes.map(\.1) + [try encodedMeta(stored.meta), .text(id)])
            try appendLog(
                table, id: id, kind: .update, origin: .local, version: version, mask: mask,
                old: ValueList.encode(old), previous: previous)
        }
    }

    /// Deletes a visible row (a row change with the next even causal length); its values stay restorable.
    public func delete(_ tableName: String, id: String) throws {
        let table = try self.table(tableName)
        try write {
            guard var stored = try loadRow(table, id: id) else {
                throw ReplicaError.rowNotFound(table: table.name, id: id)
            }
            guard stored.inTable else { throw ReplicaError.rowDeleted(table: table.name, id: id) }
            let version = Version(hlc: clock.tick(), site: siteID)
            // The deleter has seen every write of the incarnation this replica knows: their versions
            // and contexts, per site the highest clock.
            stored.meta.deleteBase = nil
            stored.meta.deleteContext = Self.knowledge(of: stored.meta, incarnation: stored.meta.cl)
            stored.meta.cl = try Self.nextCausalLength(after: stored.meta.cl, table: table.name, id: id)
            stored.meta.rowVersion = version
            let previous = stored.meta.logSequence
            stored.meta.logSequence = try logSequence(for: table, kind: .delete, origin: .local)
            try store(table, id: id, stored.meta, values: stored.values, previous: stored, changed: 0)
            try appendLog(
                table, id: id, kind: .delete, origin: .local, version: version, mask: table.allMask,
                old: ValueList.encode(stored.values), previous: previous)
        }
    }

    /// Restores a deleted row with its last values, overridden by `values`; every column gets a fresh write.
    public func restore(_ tableName: String, id: String, values: [String: DatabaseValue] = [:]) throws {
        let table = try self.table(tableName)
        var overrides: [(Int, DatabaseValue)] = []
        for (column, value) in values {
            try ChangeLimits.checkSize(of: value, table: table.name, id: id, column: column)
            overrides.append((try table.ordinal(of: column), value))
        }
        // Only the delete is known here — a compaction kept nothing else (`compact(through:)`), and a
        // replica that joined later received nothing else: there are no values to bring back. Checked
        // before the write, so an enclosing transaction stays usable.
        if overrides.isEmpty, let stored = try loadRow(table, id: id), !stored.inTable,
            !stored.meta.cells.contains(where: { $0 != nil })
        {
            throw ReplicaError.rowCompacted(table: table.name, id: id)
        }
        try write {
            guard let stored = try loadRow(table, id: id) else {
                throw ReplicaError.rowNotFound(table: table.name, id: id)
            }
            guard !stored.inTable else { throw ReplicaError.rowNotDeleted(table: table.name, id: id) }
            var row = stored.values
            for (ordinal, value) in overrides { row[ordinal] = value }
            let version = Version(hlc: clock.tick(), site: siteID)
            var meta = stored.meta
            meta.cl = try Self.nextCausalLength(after: meta.cl, table: table.name, id: id)
            meta.rowVersion = version
            meta.deleteBase = nil
            meta.deleteContext = []
            // The restorer has seen no write of the new incarnation: a cell version of an older one
            // must not count as seen there, or two concurrent restores with different values would
            // not conflict (found by the simulation through the server, issue 16).
            for ordinal in table.columns.indices {
                meta.setCell(ordinal, CellMeta(cl: meta.cl, version: version))
            }
            meta.logSequence = try logSequence(for: table, kind: .restore, origin: .local)
            try store(table, id: id, meta, values: row, previous: stored, changed: table.allMask)
            try appendLog(
                table, id: id, kind: .restore, origin: .local, version: version, mask: table.allMask, old: nil,
                previous: stored.meta.logSequence)
        }
    }

    // MARK: - Building blocks shared with merge

    func insert(_ table: TableState, id: String?, row: [DatabaseValue?]) throws -> String {
        let id = id ?? RowID.generate()
        try Self.validate(id: id)
        return try write {
            let version = Version(hlc: clock.tick(), site: siteID)
            var meta = RowMeta(cl: 1, rowVersion: nil, deleteBase: nil, cells: [])
            var mask: UInt64 = 0
            let cell = CellMeta(cl: 1, version: version)
            var bindings: [DatabaseValue] = [.text(id)]
            bindings.reserveCapacity(row.count + 2)
            for (ordinal, value) in row.enumerated() {
                bindings.append(value ?? .null)
                guard let value else { continue }
                try ChangeLimits.checkSize(of: value, table: table.name, id: id, column: table.columns[ordinal])
                meta.setCell(ordinal, cell)
                mask |= 1 << UInt64(ordinal)
            }
            meta.logSequence = try logSequence(for: table, kind: .insert, origin: .local)
            bindings.append(try encodedMeta(meta))
            // A deleted row keeps its id: inserting it again would fork its history, so refuse.
            if try table.mayHaveTombstones(in: database),
                try table.statement(.tombSelect, in: database).firstRow([.text(id)], { _ in true }) != nil
            {
                throw ReplicaError.duplicateID(table: table.name, id: id)
            }
            do {
                try table.statement(.insert, in: database).execute(bindings)
            } catch let error as DatabaseError where error.isConstraintViolation {
                throw ReplicaError.duplicateID(table: table.name, id: id)
            }
            try appendLog(
                table, id: id, kind: .insert, origin: .local, version: version, mask: mask, old: nil, previous: 0)
            return id
        }
    }

    /// Everything `meta` knows of the cells of `incarnation`: per site the highest clock among the
    /// maximal writes and their contexts, sorted by site (a delete's context).
    static func knowledge(of meta: RowMeta, incarnation: UInt64) -> [Version] {
        var highest: [SiteID: UInt64] = [:]
        for cell in meta.cells {
            guard let cell, cell.cl == incarnation else { continue }
            highest.merge(CellCausality(cell, value: .null).vector, uniquingKeysWith: max)
        }
        return CellCausality.context(highest)
    }

    /// The causal length a delete or restore moves `cl` to; never past `ChangeLimits.maxCausalLength`.
    static func nextCausalLength(after cl: UInt64, table: String, id: String) throws -> UInt64 {
        guard cl < ChangeLimits.maxCausalLength else { throw ReplicaError.causalLengthExhausted(table: table, id: id) }
        return cl + 1
    }

    static func validate(id: String) throws {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= 256, !utf8.contains(where: { $0 < 32 || $0 == 127 }) else {
            throw ReplicaError.invalidID(id)
        }
    }

    /// Reads a row from the domain table, or from the tombstones when it is deleted.
    func loadRow(_ table: TableState, id: String) throws -> StoredRow? {
        let count = table.columns.count
        if let row = try table.statement(.select, in: database).firstRow(
            [.text(id)],
            { row in
                StoredRow(
                    meta: try RowMeta.decode(row.blob(count) ?? [], sites: sites),
                    values: (0..<count).map { row.value($0) }, inTable: true)
            })
        {
            return row
        }
        guard try table.mayHaveTombstones(in: database) else { return nil }
        return try table.statement(.tombSelect, in: database).firstRow([.text(id)]) { row in
            var values = try ValueList.decode(row.blob(1) ?? [])
            if values.count < count { values += repeatElement(DatabaseValue.null, count: count - values.count) }
            return StoredRow(meta: try RowMeta.decode(row.blob(0) ?? [], sites: sites), values: values, inTable: false)
        }
    }

    /// Writes a row's new state, moving it between the domain table and the tombstones as visibility changes.
    ///
    /// `changed` lists the ordinals whose value differs from `previous` (used for in-place updates).
    func store(
        _ table: TableState, id: String, _ meta: RowMeta, values: [DatabaseValue], previous: StoredRow?,
        changed: UInt64
    ) throws {
        let blob = try encodedMeta(meta)
        switch (previous?.inTable ?? false, meta.isVisible) {
        case (true, true):
            var bindings: [DatabaseValue] = []
            for ordinal in values.indices where changed & (1 << UInt64(ordinal)) != 0 {
                bindings.append(values[ordinal])
            }
            try database.cachedStatement(table.updateSQL(mask: changed)).execute(bindings + [blob, .text(id)])
        case (true, false):
            try table.statement(.delete, in: database).execute([.text(id)])
            table.noteTombstone()
            try table.statement(.tombUpsert, in: database).execute([.text(id), blob, .blob(ValueList.encode(values))])
        case (false, true):
            if previous != nil { try table.statement(.tombDelete, in: database).execute([.text(id)]) }
            try table.statement(.insert, in: database).execute([.text(id)] + values + [blob])
        case (false, false):
            table.noteTombstone()
            try table.statement(.tombUpsert, in: database).execute([.text(id), blob, .blob(ValueList.encode(values))])
        }
    }

    func encodedMeta(_ meta: RowMeta) throws -> DatabaseValue {
        let local = siteID
        if meta.rowVersion == nil,
            meta.cells.allSatisfy({ $0 == nil || ($0!.version.site == local && !$0!.hasCausalContext) })
        {
            return .blob(meta.encode { $0 == local ? (siteIndexes[local] ?? 0) : 0 })
        }
        for version in [meta.rowVersion, meta.deleteBase].compactMap({ $0 }) + meta.deleteContext
        where siteIndexes[version.site] == nil {
            _ = try siteIndex(version.site)
        }
        for cell in meta.cells {
            guard let cell else { continue }
            if siteIndexes[cell.version.site] == nil { _ = try siteIndex(cell.version.site) }
            let named = cell.context + cell.siblings.flatMap { [$0.version] + $0.context }
            for version in named where siteIndexes[version.site] == nil {
                _ = try siteIndex(version.site)
            }
        }
        return .blob(meta.encode { siteIndexes[$0] ?? 0 })
    }
}
