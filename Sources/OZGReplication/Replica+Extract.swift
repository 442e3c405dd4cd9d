import OZGStorage

/// Changes read from the log for pushing, and the log position they reach.
public struct ExtractedChanges: Sendable {
    public var batch: ChangeBatch
    /// Acknowledge this sequence once the receiver has stored the batch.
    public var throughSequence: Int64

    public init(batch: ChangeBatch, throughSequence: Int64) {
        self.batch = batch
        self.throughSequence = throughSequence
    }
}

extension Replica {
    /// The latest state of every cell and row changed after log position `sequence`.
    ///
    /// Each changed cell appears once with its current value and version, however often it was
    /// written. With `includeRemoteOrigin` false only what this replica's own site wrote is included
    /// (docs/PROTOCOL.md, „Zuordnung“): a cell another site has overwritten since, or a conflict this
    /// replica detected, travels with its own writer or is detected again by the server. This is what
    /// a client pushes; a relay passes true and sends every change.
    /// At most about `maxRows` rows and `maxValueBytes` bytes of text and blob values are returned
    /// (whole log groups, at least one); extract again from `throughSequence` for the rest.
    public func extractChanges(
        after sequence: Int64, includeRemoteOrigin: Bool = false,
        maxRows: Int = Int.max, maxValueBytes: Int = Int.max
    ) throws -> ExtractedChanges {
        struct Key: Hashable {
            let table: Int64
            let id: String
        }
        var order: [Key] = []
        var masks: [Key: UInt64] = [:]
        // Where each log group ends in `order`, and its sequence: a page may end after any of them.
        var groupEnds: [(orderCount: Int, sequence: Int64)] = []
        try forEachLogGroup(after: sequence) { entries in
            guard let first = entries.first else { return true }
            if !includeRemoteOrigin && first.origin != .local {
                groupEnds.append((order.count, first.sequence))
                return true
            }
            // Groups are taken whole, so `maxRows` is a soft limit; the first group is always taken.
            if order.count >= maxRows { return false }
            for entry in entries {
                let key = Key(table: entry.table, id: entry.id)
                if let mask = masks[key] {
                    masks[key] = mask | entry.mask
                } else {
                    order.append(key)
                    masks[key] = entry.mask
                }
            }
            groupEnds.append((order.count, first.sequence))
            return true
        }

        var rows: [RowChange] = []
        rows.reserveCapacity(order.count)
        var through = sequence
        var valueBytes = 0
        var next = 0
        for end in groupEnds {
            while next < end.orderCount {
                let key = order[next]
                next += 1
                guard let table = tablesByIndex[key.table], tables[table.name] != nil,
                    let stored = try loadRow(table, id: key.id)
                else { continue }
                let change = rowChange(table, id: key.id, stored: stored, mask: masks[key] ?? 0)
                guard let sent = includeRemoteOrigin ? change : ownWrites(in: change) else { continue }
                valueBytes += sent.cells.reduce(0) { $0 + ChangeLimits.size(of: $1.value) }
                rows.append(sent)
            }
            through = end.sequence
            if valueBytes >= maxValueBytes { break }
        }
        return ExtractedChanges(batch: ChangeBatch(rows: rows), throughSequence: through)
    }

    /// The part of `change` this replica's site wrote, or nil when that is nothing. A delete or
    /// restore by another site stays with that site; the own cells keep the causal length they were
    /// written at. A cell whose maximal writes include one of this site's is sent as that write
    /// alone (`CellCausality.projected(onto:)`), also when another site's concurrent write won it here.
    func ownWrites(in change: RowChange) -> RowChange? {
        // Usually everything is this site's own: return it without copying.
        if change.rowVersion.map({ $0.site == siteID }) ?? true, !change.cells.isEmpty || change.rowVersion != nil,
            change.cells.allSatisfy({ $0.version.site == siteID && $0.siblings.isEmpty })
        {
            return change
        }
        var own = change
        own.cells = change.cells.compactMap { cell in
            if cell.version.site == siteID && cell.siblings.isEmpty { return cell }
            guard let own = CellCausality(cell).projected(onto: siteID) else { return nil }
            return CellChange(
                column: cell.column, value: own.value, cl: cell.cl, version: own.version, context: own.context)
        }
        if let rowVersion = change.rowVersion, rowVersion.site != siteID {
            guard let highest = own.cells.map(\.cl).max() else { return nil }
            own.cl = highest
            own.rowVersion = nil
            own.deleteBase = nil
            own.deleteContext = []
        } else if own.cells.isEmpty && own.rowVersion == nil {
            return nil
        }
        return own
    }

    /// The current state of the given cells of one row, as a change another replica can merge.
    func rowChange(_ table: TableState, id: String, stored: StoredRow, mask: UInt64) -> RowChange {
        let meta = stored.meta
        let incarnation = meta.isVisible ? meta.cl : meta.cl - 1
        var cells: [CellChange] = []
        cells.reserveCapacity(mask.nonzeroBitCount)
        for ordinal in table.columns.indices where mask & (1 << UInt64(ordinal)) != 0 {
            guard let cell = meta.cell(ordinal), cell.cl == incarnation else { continue }
            cells.append(
                CellChange(
                    column: table.columns[ordinal], value: stored.values[ordinal], cl: cell.cl,
                    version: cell.version, context: cell.context, siblings: cell.siblings))
        }
        return RowChange(
            table: table.name, id: id, cl: meta.cl, rowVersion: meta.rowVersion,
            deleteBase: meta.deleteBase, deleteContext: meta.deleteContext, cells: cells)
    }

    /// The full current state of this replica (every row, every cell), e.g. to seed another replica.
    public func fullState() throws -> ChangeBatch {
        var rows: [RowChange] = []
        for name in tables.keys.sorted() {
            guard let table = tables[name] else { continue }
            var ids = try database.rows("SELECT id FROM \"\(name)\"") { $0.text(0) ?? "" }
            ids += try database.rows(table.tombListSQL) { $0.text(0) ?? "" }
            for id in ids.sorted() {
                guard let stored = try loadRow(table, id: id) else { continue }
                rows.append(rowChange(table, id: id, stored: stored, mask: table.allMask))
            }
        }
        return ChangeBatch(rows: rows)
    }

    /// The highest log position written so far.
    public func lastSequence() throws -> Int64 {
        try flushLog()
        return try database.firstRow("SELECT COALESCE(MAX(seq), 0) FROM _ozg_log") { $0.int64(0) } ?? 0
    }

    /// The log position up to which `remote` has confirmed receiving this replica's changes.
    public func acknowledgedSequence(for remote: String) throws -> Int64 {
        try database.firstRow("SELECT acked_seq FROM _ozg_remote WHERE name = ?", [.text(remote)]) { $0.int64(0) } ?? 0
    }

    /// Records that `remote` stored everything up to `sequence` (never moves backwards).
    public func acknowledge(_ sequence: Int64, for remote: String) throws {
        try write {
            try database.execute(
                """
                INSERT INTO _ozg_remote(name, acked_seq) VALUES (?, ?)
                ON CONFLICT(name) DO UPDATE SET acked_seq = MAX(acked_seq, excluded.acked_seq)
                """, [.text(remote), .integer(sequence)])
        }
    }

    /// The last position of `remote`'s own change stream this replica has applied.
    public func cursor(for remote: String) throws -> Int64 {
        try database.firstRow("SELECT cursor FROM _ozg_remote WHERE name = ?", [.text(remote)]) { $0.int64(0) } ?? 0
    }

    /// What names the log position `sequence` of this replica for a cursor (docs/PROTOCOL.md,
    /// „Cursor-Bindung“): the file's site id and a fingerprint of the log row at that position. Another
    /// file, or this file restored from an older backup, gives a different value for the same number.
    public func cursorCheck(at sequence: Int64) throws -> String {
        try flushLog()
        guard sequence > 0 else { return "\(siteID.hex):0" }
        let row = try database.firstRow(
            "SELECT tbl, kind, origin, entries FROM _ozg_log WHERE seq = ?", [.integer(sequence)]
        ) { row in (row.int64(0), row.int64(1), row.int64(2), row.blob(3) ?? []) }
        guard let (table, kind, origin, entries) = row else { return "\(siteID.hex):-" }
        // FNV-1a over the row: cheap, and any difference in what was logged at this position shows.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in [UInt8(truncatingIfNeeded: table), UInt8(kind), UInt8(origin)] + entries {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return "\(siteID.hex):\(sequence)-\(String(hash, radix: 16))"
    }

    /// Forgets how far `remote` acknowledged this replica's changes and how far its stream was applied:
    /// the next sync pushes every local change again and pulls from the start (both harmless twice).
    public func forgetRemotePosition(_ remote: String) throws {
        try write {
            try database.execute(
                "UPDATE _ozg_remote SET acked_seq = 0, cursor = 0 WHERE name = ?", [.text(remote)])
        }
    }

    /// Whether local changes may wait for `remote`: a local write logged after its acknowledgement.
    /// Cheap, unlike counting them (`pendingLocalChanges`).
    public func hasPendingLocalChanges(for remote: String) throws -> Bool {
        try hasLocalChanges(after: try acknowledgedSequence(for: remote))
    }

    /// Whether a local write is logged after `sequence` (an extraction's `throughSequence`: whether
    /// it left anything out — `maxRows` counts rows before the ones another site wrote are dropped).
    public func hasLocalChanges(after sequence: Int64) throws -> Bool {
        try flushLog()
        return try database.firstRow(
            "SELECT EXISTS(SELECT 1 FROM _ozg_log WHERE seq > ? AND origin = ?)",
            [.integer(sequence), .integer(Origin.local.rawValue)]
        ) { $0.int64(0) } == 1
    }

    /// Local changes not yet acknowledged by `remote`.
    public func pendingLocalChanges(for remote: String) throws -> Int {
        try extractChanges(after: try acknowledgedSequence(for: remote)).batch.changeCount
    }
}
