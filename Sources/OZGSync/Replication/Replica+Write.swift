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

/// A row's stored replication state: metadata, and for deleted rows the values of its last incarnation.
struct StoredRow {
    var meta: RowMeta
    var tomb: [DatabaseValue]?
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
            throw ReplicaError.unknownColumn(table: tableName, column: "(\(declaredValues.count) Werte)",
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
        for (column, value) in values { assignments.append((try table.ordinal(of: column), value)) }
        assignments.sort { $0.0 < $1.0 }
        try write {
            guard var stored = try loadRow(table, id: id) else { throw ReplicaError.rowNotFound(table: table.name, id: id) }
            guard stored.meta.isVisible else { throw ReplicaError.rowDeleted(table: table.name, id: id) }
            let current = try readValues(table, id: id)
            let changes = assignments.filter { current[$0.0] != $0.1 }
            guard !changes.isEmpty else { return }
            let version = Version(hlc: clock.tick(), site: siteID)
            var mask: UInt64 = 0
            for (ordinal, _) in changes {
                mask |= 1 << UInt64(ordinal)
                let base = stored.meta.cell(ordinal)?.version
                stored.meta.setCell(ordinal, CellMeta(cl: stored.meta.cl, version: version, base: base))
            }
            try database.cachedStatement(table.updateSQL(mask: mask)).execute(changes.map(\.1) + [.text(id)])
            try writeMeta(table, id: id, stored, isNew: false)
            try appendLog(table, id: id, kind: .update, origin: .local, version: version, mask: mask,
                          old: ValueList.encode(changes.map { current[$0.0] }))
        }
    }

    /// Deletes a visible row (a row change with the next even causal length); its values stay restorable.
    public func delete(_ tableName: String, id: String) throws {
        let table = try self.table(tableName)
        try write {
            guard var stored = try loadRow(table, id: id) else { throw ReplicaError.rowNotFound(table: table.name, id: id) }
            guard stored.meta.isVisible else { throw ReplicaError.rowDeleted(table: table.name, id: id) }
            let current = try readValues(table, id: id)
            let version = Version(hlc: clock.tick(), site: siteID)
            stored.meta.deleteBase = stored.meta.maxCellVersion
            stored.meta.cl += 1
            stored.meta.rowVersion = version
            stored.tomb = current
            try database.cachedStatement(table.deleteSQL).execute([.text(id)])
            try writeMeta(table, id: id, stored, isNew: false)
            try appendLog(table, id: id, kind: .delete, origin: .local, version: version, mask: table.allMask,
                          old: ValueList.encode(current))
        }
    }

    /// Restores a deleted row with its last values, overridden by `values`; every column gets a fresh write.
    public func restore(_ tableName: String, id: String, values: [String: DatabaseValue] = [:]) throws {
        let table = try self.table(tableName)
        var overrides: [(Int, DatabaseValue)] = []
        for (column, value) in values { overrides.append((try table.ordinal(of: column), value)) }
        try write {
            guard var stored = try loadRow(table, id: id) else { throw ReplicaError.rowNotFound(table: table.name, id: id) }
            guard !stored.meta.isVisible else { throw ReplicaError.rowNotDeleted(table: table.name, id: id) }
            var row = stored.tomb ?? []
            row += repeatElement(DatabaseValue.null, count: max(0, table.columns.count - row.count))
            for (ordinal, value) in overrides { row[ordinal] = value }
            let version = Version(hlc: clock.tick(), site: siteID)
            stored.meta.cl += 1
            stored.meta.rowVersion = version
            stored.meta.deleteBase = nil
            for ordinal in table.columns.indices {
                let base = stored.meta.cell(ordinal)?.version
                stored.meta.setCell(ordinal, CellMeta(cl: stored.meta.cl, version: version, base: base))
            }
            stored.tomb = nil
            try database.cachedStatement(table.insertSQL).execute([.text(id)] + row)
            try writeMeta(table, id: id, stored, isNew: false)
            try appendLog(table, id: id, kind: .restore, origin: .local, version: version, mask: table.allMask, old: nil)
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
            let cell = CellMeta(cl: 1, version: version, base: nil)
            for (ordinal, value) in row.enumerated() where value != nil {
                meta.setCell(ordinal, cell)
                mask |= 1 << UInt64(ordinal)
            }
            do {
                try writeMeta(table, id: id, StoredRow(meta: meta, tomb: nil), isNew: true)
            } catch let error as DatabaseError where error.isConstraintViolation {
                throw ReplicaError.duplicateID(table: table.name, id: id)
            }
            var bindings: [DatabaseValue] = [.text(id)]
            bindings.reserveCapacity(row.count + 1)
            for value in row { bindings.append(value ?? .null) }
            try database.cachedStatement(table.insertSQL).execute(bindings)
            try appendLog(table, id: id, kind: .insert, origin: .local, version: version, mask: mask, old: nil)
            return id
        }
    }

    static func validate(id: String) throws {
        guard !id.isEmpty, id.utf8.count <= 256, !id.unicodeScalars.contains(where: { $0.value < 32 || $0.value == 127 })
        else { throw ReplicaError.invalidID(id) }
    }

    func loadRow(_ table: TableState, id: String) throws -> StoredRow? {
        try database.cachedStatement(table.metaSelectSQL).firstRow([.text(id)]) { row in
            let meta = try RowMeta.decode(row.blob(0) ?? [], sites: sites)
            let tomb = try row.blob(1).map(ValueList.decode)
            return StoredRow(meta: meta, tomb: tomb)
        }
    }

    /// The values of a visible row in ordinal order.
    func readValues(_ table: TableState, id: String) throws -> [DatabaseValue] {
        let values = try database.cachedStatement(table.selectSQL).firstRow([.text(id)]) { row in
            (0..<table.columns.count).map { row.value($0) }
        }
        guard let values else { throw StorageCorruption(detail: "Zeile \(id) fehlt in \(table.name)") }
        return values
    }

    func writeMeta(_ table: TableState, id: String, _ stored: StoredRow, isNew: Bool) throws {
        for version in [stored.meta.rowVersion, stored.meta.deleteBase].compactMap({ $0 })
            where siteIndexes[version.site] == nil
        {
            _ = try siteIndex(version.site)
        }
        for cell in stored.meta.cells {
            guard let cell else { continue }
            if siteIndexes[cell.version.site] == nil { _ = try siteIndex(cell.version.site) }
            if let base = cell.base, siteIndexes[base.site] == nil { _ = try siteIndex(base.site) }
        }
        let blob = DatabaseValue.blob(stored.meta.encode { siteIndexes[$0] ?? 0 })
        let tomb = stored.tomb.map { DatabaseValue.blob(ValueList.encode($0)) } ?? .null
        if isNew {
            try database.cachedStatement(table.metaInsertSQL).execute([.text(id), blob, tomb])
        } else {
            try database.cachedStatement(table.metaUpdateSQL).execute([blob, tomb, .text(id)])
        }
    }

    func appendLog(_ table: TableState, id: String, kind: LogKind, origin: Origin, version: Version, mask: UInt64,
                   old: [UInt8]?) throws
    {
        let site = try siteIndexes[version.site] ?? siteIndex(version.site)
        try database.cachedStatement(
            "INSERT INTO _ozg_log(tbl, id, kind, origin, hlc, site, cols, old) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ).execute([
            .integer(table.index), .text(id), .integer(kind.rawValue), .integer(origin.rawValue),
            .integer(Int64(bitPattern: version.hlc)), .integer(Int64(site)), .integer(Int64(bitPattern: mask)),
            old.map { .blob($0) } ?? .null,
        ])
    }
}
