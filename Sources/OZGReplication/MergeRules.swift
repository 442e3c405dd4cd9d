import OZGStorage

/// The merge rules of docs/ARCHITECTURE.md ("Merge rules", "Conflicts"), one function each, on the
/// plain values `Replica.merge` holds for one row.
enum MergeRules {
    /// A row's causal length only grows: the maximum of the local one, the incoming row's and every
    /// incoming cell's (a cell written at a higher length proves the row reached it). The row version
    /// and delete base follow the change that set the length.
    @inline(__always)
    static func growCausalLength(
        _ meta: inout RowMeta, change: RowChange, cells known: [(ordinal: Int, cell: CellChange)]
    ) {
        let oldCl = meta.cl
        var newCl = max(oldCl, change.cl)
        for (_, cell) in known { newCl = max(newCl, cell.cl) }
        if change.cl > oldCl {
            meta.rowVersion = change.rowVersion
            meta.deleteBase = change.deleteBase
            meta.deleteContext = change.deleteContext
        } else if change.cl == oldCl, let version = change.rowVersion, Optional.isLess(meta.rowVersion, version) {
            meta.rowVersion = version
            meta.deleteBase = change.deleteBase
            meta.deleteContext = change.deleteContext
        }
        meta.cl = newCl
    }

    /// The odd causal length whose cells are visible at `cl` (for a deleted row: were visible last);
    /// 0 for a row never seen.
    @inline(__always)
    static func incarnation(ofStored cl: UInt64) -> UInt64 {
        cl % 2 == 1 ? cl : (cl == 0 ? 0 : cl - 1)
    }

    // Value conflicts: `CellCausality.joined(with:)` names the pairs of concurrent writes that meet.

    /// Cells of an older incarnation are invisible: a restore writes every column afresh.
    @inline(__always)
    static func hideOlderIncarnations(_ values: inout [DatabaseValue], meta: RowMeta, incarnation: UInt64) {
        for ordinal in values.indices where meta.cell(ordinal)?.cl != incarnation && !values[ordinal].isNull {
            values[ordinal] = .null
        }
    }

    /// An edit the deleting replica had not seen loses to the delete, visibly: a maximal write (winner
    /// or sibling) of a cell of the deleted incarnation outside the delete's context, whether the
    /// delete or the edit arrived now. A delete of protocol 1 (no context) uses its single base.
    ///
    /// `rowChanged`: the row's causal length or delete changed in this merge — a newer delete of the
    /// same incarnation is checked against every cell as well as the touched ones.
    static func editsLostToDelete(
        table: TableState, id: String, meta: RowMeta, values: [DatabaseValue], rowChanged: Bool, touchedMask: UInt64
    ) -> [RowChange] {
        guard meta.cl % 2 == 0, let deleteVersion = meta.rowVersion, touchedMask != 0 || rowChanged else { return [] }
        let deleter = CellCausality(maximal: [
            CellSibling(version: deleteVersion, value: .null, context: meta.deleteContext)
        ])
        func unseen(_ version: Version) -> Bool {
            meta.deleteContext.isEmpty ? Optional.isLess(meta.deleteBase, version) : !deleter.knows(version)
        }
        var conflicts: [RowChange] = []
        for ordinal in meta.cells.indices where touchedMask & (1 << UInt64(ordinal)) != 0 || rowChanged {
            guard let cell = meta.cell(ordinal), cell.cl == meta.cl - 1 else { continue }
            for write in CellCausality(cell, value: values[ordinal]).maximal where unseen(write.version) {
                conflicts.append(
                    ConflictRecord.deleteConflict(
                        table: table.name, id: id, column: table.columns[ordinal],
                        edit: (write.version, write.value), delete: deleteVersion))
            }
        }
        return conflicts
    }
}
