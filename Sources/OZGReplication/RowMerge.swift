import OZGStorage

/// One row while a change merges into it: the stored state, the state being built, and what the
/// merge found. Each mutating step is one rule of docs/ARCHITECTURE.md ("Merge rules", "Conflicts").
///
/// The steps are inlined into `Replica.merge`, so the struct costs nothing over local variables
/// (measured with callgrind: without inlining, copying and destroying it added ~5 % to the merge).
struct RowMerge {
    let table: TableState
    let id: String
    let stored: StoredRow?
    let oldValues: [DatabaseValue]
    var meta: RowMeta
    var values: [DatabaseValue]
    /// Columns whose incoming cell won, as a bit mask by ordinal.
    var wonMask: UInt64 = 0
    /// Conflict rows detected on the way, merged after the row.
    var conflicts: [RowChange] = []

    @inline(__always)
    init(table: TableState, id: String, stored: StoredRow?) {
        self.table = table
        self.id = id
        self.stored = stored
        meta = stored?.meta ?? RowMeta(cl: 0, rowVersion: nil, deleteBase: nil, cells: [])
        oldValues = stored?.values ?? [DatabaseValue](repeating: .null, count: table.columns.count)
        values = oldValues
    }

    var oldCl: UInt64 { stored?.meta.cl ?? 0 }

    /// The odd causal length whose cells were visible (or, for a deleted row, last visible) before.
    var storedIncarnation: UInt64 { oldCl % 2 == 1 ? oldCl : (oldCl == 0 ? 0 : oldCl - 1) }

    /// The odd causal length whose cells are visible (or kept in the tombstone) after the merge.
    var newIncarnation: UInt64 { meta.cl % 2 == 1 ? meta.cl : meta.cl - 1 }

    /// A row's causal length only grows: the maximum of the local one, the incoming row's and every
    /// incoming cell's (a cell written at a higher length proves the row reached it). The row version
    /// and delete base follow the change that set the length.
    @inline(__always)
    mutating func growCausalLength(_ change: RowChange, cells known: [(ordinal: Int, cell: CellChange)]) {
        var newCl = max(oldCl, change.cl)
        for (_, cell) in known { newCl = max(newCl, cell.cl) }
        if change.cl > oldCl {
            meta.rowVersion = change.rowVersion
            meta.deleteBase = change.deleteBase
        } else if change.cl == oldCl, let version = change.rowVersion, Optional.isLess(meta.rowVersion, version) {
            meta.rowVersion = version
            meta.deleteBase = change.deleteBase
        }
        meta.cl = newCl
    }

    /// A cell keeps the maximum by `(cl, version)`; visible values are the cells of the current
    /// incarnation. Two different values of one cell in one incarnation, neither writer having seen
    /// the other's, are recorded as a conflict.
    @inline(__always)
    mutating func keepMaximumCells(_ known: [(ordinal: Int, cell: CellChange)], detectConflicts: Bool) {
        let incarnation = newIncarnation
        for (ordinal, cell) in known {
            let local = meta.cell(ordinal)
            if detectConflicts, let local, isConcurrentValueConflict(local: local, incoming: cell, ordinal: ordinal) {
                conflicts.append(
                    ConflictRecord.valueConflict(
                        table: table.name, id: id, column: cell.column,
                        first: (local.version, values[ordinal]), second: (cell.version, cell.value)))
            }
            if let local, !((local.cl, local.version) < (cell.cl, cell.version)) { continue }
            meta.setCell(ordinal, CellMeta(cl: cell.cl, version: cell.version, base: cell.base))
            wonMask |= 1 << UInt64(ordinal)
            if cell.cl == incarnation { values[ordinal] = cell.value }
        }
        // Cells of an older incarnation are invisible: a restore writes every column afresh.
        if incarnation != storedIncarnation {
            for ordinal in values.indices where meta.cell(ordinal)?.cl != incarnation && !values[ordinal].isNull {
                values[ordinal] = .null
            }
        }
    }

    /// The design's single-predecessor rule: `incoming.base < local.version` and `local.base < incoming.version`.
    private func isConcurrentValueConflict(local: CellMeta, incoming cell: CellChange, ordinal: Int) -> Bool {
        local.cl == cell.cl && local.cl == storedIncarnation && local.version != cell.version
            && values[ordinal] != cell.value
            && Optional.isLess(cell.base, local.version) && Optional.isLess(local.base, cell.version)
    }

    /// An edit the deleting replica had not seen loses to the delete, visibly: a cell of the deleted
    /// incarnation newer than the delete's base, whether the delete or the edit arrived now.
    @inline(__always)
    mutating func recordEditsLostToDelete() {
        let rowChanged = oldCl != meta.cl
        guard meta.cl % 2 == 0, let deleteVersion = meta.rowVersion, wonMask != 0 || rowChanged else { return }
        for ordinal in meta.cells.indices where wonMask & (1 << UInt64(ordinal)) != 0 || rowChanged {
            guard let cell = meta.cell(ordinal), cell.cl == meta.cl - 1, Optional.isLess(meta.deleteBase, cell.version)
            else { continue }
            conflicts.append(
                ConflictRecord.deleteConflict(
                    table: table.name, id: id, column: table.columns[ordinal],
                    edit: (cell.version, values[ordinal]), delete: deleteVersion))
        }
    }
}
