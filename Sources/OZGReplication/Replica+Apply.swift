import OZGStorage

/// What applying a batch did.
public struct ApplyResult: Sendable, Equatable {
    /// Rows whose stored state changed.
    public var changedRows = 0
    /// Cells whose stored state changed.
    public var changedCells = 0
    /// Conflicts newly recorded.
    public var conflicts = 0
    /// Changes kept for tables or columns this replica does not know yet.
    public var pendingChanges = 0

    public init() {}
}

extension Replica {
    /// Merges `batch` into this replica in one transaction (the join of docs/ARCHITECTURE.md, "Merge rules").
    ///
    /// Applying the same batch again changes nothing. When `remote` and `cursor` are given, the
    /// remote's cursor advances in the same transaction. Changes whose clock lies more than the
    /// configured drift ahead, and changes breaking a rule of `PeerChangeRules` (bounds, author rows,
    /// conflict rows), are refused before anything is written. With `creatingUnknownTables`
    /// (the schema-agnostic server), tables and columns the batch names but this file lacks are
    /// created in the same transaction (`ensureSchema(for:)`).
    @discardableResult
    public func apply(
        _ batch: ChangeBatch, remote: String? = nil, cursor: Int64? = nil, creatingUnknownTables: Bool = false
    ) throws -> ApplyResult {
        try checkDrift(batch)
        for row in batch.rows { try PeerChangeRules.check(row) }
        return try write {
            if creatingUnknownTables { try ensureSchema(for: batch) }
            clock.observeUnchecked(batch.maxHLC)
            var result = ApplyResult()
            for row in batch.rows {
                try merge(row, origin: .remote, result: &result)
            }
            if let remote, let cursor {
                try database.execute(
                    """
                    INSERT INTO _ozg_remote(name, cursor) VALUES (?, ?)
                    ON CONFLICT(name) DO UPDATE SET cursor = excluded.cursor
                    """, [.text(remote), .integer(cursor)])
            }
            return result
        }
    }

    /// Throws `ClockDriftError` when a change of `batch` lies too far ahead of this machine's clock.
    func checkDrift(_ batch: ChangeBatch) throws {
        let maxDrift = configuration.maxDriftMilliseconds
        guard (try? clock.check(batch.maxHLC, maxDriftMilliseconds: maxDrift, site: nil)) == nil else { return }
        // Something is too far ahead: name the device it came from.
        for row in batch.rows {
            for version in [row.rowVersion].compactMap({ $0 }) + row.cells.map(\.version) {
                try clock.check(version.hlc, maxDriftMilliseconds: maxDrift, site: version.site)
            }
        }
    }

    /// Merges one row change by the rules of docs/ARCHITECTURE.md ("Merge rules", "Conflicts"); each
    /// rule is one named step of `MergeRules`. Returns whether stored state changed.
    ///
    /// The row's state stays in local variables on purpose: the same steps on a struct holding it
    /// measured 12 % fewer applied changes per second (docs/PERFORMANCE.md).
    @discardableResult
    func merge(_ change: RowChange, origin: Origin, result: inout ApplyResult) throws -> Bool {
        guard let table = tables[change.table] else {
            try keepPending(change)
            result.pendingChanges += change.changeCount
            return false
        }
        let known = try keepUnknownColumnsPending(change, table: table, result: &result)
        let stored = try loadRow(table, id: change.id)
        var meta = stored?.meta ?? RowMeta(cl: 0, rowVersion: nil, deleteBase: nil, cells: [])
        let oldCl = meta.cl
        let oldRowVersion = meta.rowVersion
        let oldValues = stored?.values ?? [DatabaseValue](repeating: .null, count: table.columns.count)
        var values = oldValues

        MergeRules.growCausalLength(&meta, change: change, cells: known)
        let storedIncarnation = MergeRules.incarnation(ofStored: oldCl)
        let newIncarnation = MergeRules.incarnation(ofStored: meta.cl)
        let detectConflicts = table.name != ConflictRecord.tableName

        // A cell keeps the maximum by (cl, version) and joins the causal state of its incarnation
        // (`CellCausality`); visible values are the current incarnation's.
        var conflicts: [RowChange] = []
        var wonMask: UInt64 = 0
        var touchedMask: UInt64 = 0
        for (ordinal, cell) in known {
            let local = meta.cell(ordinal)
            if let local, local.cl > cell.cl { continue }
            let merged: CellCausality
            let newPairs: [(CellSibling, CellSibling)]
            if let local, local.cl == cell.cl {
                let localState = CellCausality(local, value: values[ordinal])
                (merged, newPairs) = localState.joined(with: CellCausality(cell))
                if merged == localState { continue }
            } else {
                // A first write here, or one of a newer incarnation: its causal state replaces what was.
                (merged, newPairs) = CellCausality.empty.joined(with: CellCausality(cell))
            }
            if detectConflicts, cell.cl == newIncarnation {
                for (first, second) in newPairs where first.value != second.value {
                    conflicts.append(
                        ConflictRecord.valueConflict(
                            table: table.name, id: change.id, column: cell.column,
                            first: (first.version, first.value), second: (second.version, second.value)))
                }
            }
            let bit: UInt64 = 1 << UInt64(ordinal)
            touchedMask |= bit
            meta.setCell(ordinal, CellMeta(cl: cell.cl, merged))
            if local?.cl != cell.cl || local?.version != merged.winner.version {
                wonMask |= bit
                if cell.cl == newIncarnation { values[ordinal] = merged.winner.value }
            }
        }
        if newIncarnation != storedIncarnation {
            MergeRules.hideOlderIncarnations(&values, meta: meta, incarnation: newIncarnation)
        }
        if detectConflicts {
            conflicts += MergeRules.editsLostToDelete(
                table: table, id: change.id, meta: meta, values: values,
                rowChanged: oldCl != meta.cl || oldRowVersion != meta.rowVersion, touchedMask: touchedMask)
        }

        let changed = try persist(
            table, change: change, cells: known, stored: stored, meta: meta, values: values, oldValues: oldValues,
            wonMask: wonMask, touchedMask: touchedMask, origin: origin, result: &result)
        for conflict in conflicts {
            if try merge(conflict, origin: .local, result: &result) { result.conflicts += 1 }
        }
        return changed
    }

    /// Changes for a column the file does not know are kept in `_ozg_pending` until a migration adds
    /// it; returns the known cells with their column ordinals.
    private func keepUnknownColumnsPending(_ change: RowChange, table: TableState, result: inout ApplyResult) throws
        -> [(ordinal: Int, cell: CellChange)]
    {
        var known: [(ordinal: Int, cell: CellChange)] = []
        known.reserveCapacity(change.cells.count)
        var unknown: [CellChange] = []
        for (position, cell) in change.cells.enumerated() {
            if let ordinal = table.ordinal(ofIncoming: cell.column, at: position) {
                known.append((ordinal, cell))
            } else {
                unknown.append(cell)
            }
        }
        if !unknown.isEmpty {
            try keepPending(RowChange(table: change.table, id: change.id, cl: change.cl, cells: unknown))
            result.pendingChanges += unknown.count
        }
        return known
    }

    /// Writes the merged row and its log entry when anything changed.
    private func persist(
        _ table: TableState, change: RowChange, cells known: [(ordinal: Int, cell: CellChange)], stored: StoredRow?,
        meta: RowMeta, values: [DatabaseValue], oldValues: [DatabaseValue], wonMask: UInt64, touchedMask: UInt64,
        origin: Origin, result: inout ApplyResult
    ) throws -> Bool {
        guard stored == nil || meta != stored!.meta || values != oldValues else { return false }
        var changedMask: UInt64 = 0
        for ordinal in values.indices where values[ordinal] != oldValues[ordinal] {
            changedMask |= 1 << UInt64(ordinal)
        }
        let wasVisible = stored?.inTable ?? false
        let kind: LogKind
        // A cell whose causal state grew without a new winner (a sibling arrived) is logged too, so
        // a relay passes the sibling on.
        var mask = touchedMask
        var old: [UInt8]?
        switch (wasVisible, meta.isVisible) {
        case (false, true):
            kind = stored == nil ? .insert : .restore
        case (true, true):
            kind = .update
            mask |= changedMask
            old = ValueList.encode(values.indices.filter { mask & (1 << UInt64($0)) != 0 }.map { oldValues[$0] })
        case (true, false):
            kind = .delete
            mask = table.allMask
            old = ValueList.encode(oldValues)
        case (false, false):
            kind = .delete
            mask = table.allMask
            old = ValueList.encode(values)
        }
        var meta = meta
        meta.logSequence = try logSequence(for: table, kind: kind, origin: origin)
        try store(table, id: change.id, meta, values: values, previous: stored, changed: changedMask)
        let logVersion = change.rowVersion ?? known.first?.cell.version ?? Version(hlc: clock.last, site: siteID)
        try appendLog(
            table, id: change.id, kind: kind, origin: origin, version: logVersion, mask: mask, old: old,
            previous: stored == nil ? 0 : stored!.meta.logSequence)
        result.changedRows += 1
        result.changedCells += wonMask.nonzeroBitCount
        return true
    }

    func keepPending(_ change: RowChange) throws {
        try database.execute(
            "INSERT INTO _ozg_pending(batch) VALUES (?)",
            [.blob(ChangeBatchCodec.encode(ChangeBatch(rows: [change])))])
    }
}

extension HybridLogicalClock {
    /// Moves past `remote` without a drift check (the caller has checked).
    mutating func observeUnchecked(_ remote: UInt64) {
        if remote > last { self = HybridLogicalClock(last: remote, wallClock: wallClock) }
    }
}
