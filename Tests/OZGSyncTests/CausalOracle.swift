@testable import OZGReplication
@testable import OZGStorage

/// The conflicts a schedule must produce, derived from what each writer had actually seen, not from
/// the implementation's rule (issue 16, exact since protocol 2, issue 10).
///
/// Every write of a cell and every delete is recorded with the writes of that row its replica knew at
/// the time. A replica knows a write once its own state includes it: it wrote it, or it merged a cell
/// state naming it as a maximal write (winner or sibling), or naming a write whose writer knew it.
/// A write is **maximal** at a replica when the replica knows it and no known write of the cell's
/// newest known incarnation had seen it.
/// - a **value conflict** is required for every two writes of one cell in one incarnation with
///   different values that were both maximal at one replica at one moment (they met there); every such
///   pair is concurrent. Concurrent pairs that never met — one side was overwritten by a write that
///   had seen it before the other arrived — are counted (`unmetPairs`), not required: the write that
///   overwrote it meets the other side instead. After the final exchange every replica knows every
///   write, so every two concurrent writes nobody overwrote knowingly have met.
/// - an **edit-vs-delete conflict** for every write of a cell in a deleted incarnation and every
///   delete of that incarnation that did not know the write. The delete's base is still the single
///   highest version the deleter had seen, so a third write of the row that overtakes the edit, a
///   second delete, or a restore hides such a pair; those misses are counted as `knownDeviations`.
/// Any other miss, and every conflict recorded without a concurrent pair behind it, is a failure.
struct CausalOracle {
    struct CellKey: Hashable {
        let table: String
        let id: String
        let column: String
    }

    struct RowKey: Hashable {
        let table: String
        let id: String
    }

    struct Write {
        let cell: CellKey
        let version: Version
        let cl: UInt64
        let value: DatabaseValue
        /// Versions of this cell's writes the writer knew (its own excluded).
        let seen: Set<Version>
    }

    struct Delete {
        let row: RowKey
        /// The odd causal length the delete ended.
        let incarnation: UInt64
        let version: Version
        /// Versions of all cell writes of the row the deleter knew.
        let seen: Set<Version>
    }

    struct Verdict {
        /// Every conflict a concurrent pair stands for (a recorded conflict outside it is false).
        var expected: Set<String> = []
        /// Per replica index: the conflicts (value and edit-vs-delete) whose pair met there.
        var metAt: [Set<String>] = []
        /// Concurrent value pairs that never met (one side knowingly overwritten first).
        var unmetPairs = 0
        /// Edit-vs-delete pairs that never met (the edit overwritten knowingly, or the delete
        /// replaced by a newer delete or a restore, before the two were at one replica).
        var unmetDeletePairs = 0
        /// Conflicts whose pair met at some replica.
        var metAnywhere: Set<String> { metAt.reduce(into: Set<String>()) { $0.formUnion($1) } }
        /// Which pair each expected id stands for, for a failing seed's report.
        var pairs: [String: (row: RowKey, text: String)] = [:]
    }

    private(set) var writes: [CellKey: [Write]] = [:]
    private(set) var deletes: [RowKey: [Delete]] = [:]
    /// Per replica: the versions of each cell's writes it knows.
    private var knowledge: [[CellKey: Set<Version>]]
    /// Per replica: the deletes of each row it knows.
    private var knownDeletes: [[RowKey: Set<Version>]]
    /// Per replica: ids of the value conflicts whose two writes were maximal there at once.
    private var met: [Set<String>]

    init(replicas: Int) {
        knowledge = Array(repeating: [:], count: replicas)
        knownDeletes = Array(repeating: [:], count: replicas)
        met = Array(repeating: [], count: replicas)
    }

    static func valueConflictID(_ key: CellKey, _ x: Version, _ y: Version) -> String {
        let (low, high) = x < y ? (x, y) : (y, x)
        return RowID.derived(from: [ConflictKind.value.rawValue, key.table, key.id, key.column, low.text, high.text])
    }

    static func deleteConflictID(_ row: RowKey, column: String, _ edit: Version, _ delete: Version) -> String {
        RowID.derived(
            from: [ConflictKind.editVersusDelete.rawValue, row.table, row.id, column, edit.text, delete.text])
    }

    /// The write recorded with `version` for cell `key`.
    func write(_ key: CellKey, _ version: Version) -> Write? {
        writes[key]?.first { $0.version == version }
    }

    /// The writes of `key`'s newest incarnation known at `replica` that no known write had seen.
    func maximalWrites(at replica: Int, _ key: CellKey) -> [Write] {
        let known = (knowledge[replica][key] ?? []).compactMap { write(key, $0) }
        guard let newest = known.map(\.cl).max() else { return [] }
        let current = known.filter { $0.cl == newest }
        return current.filter { candidate in !current.contains { $0.seen.contains(candidate.version) } }
    }

    /// The writes of `key`'s newest incarnation that no write at all had seen: what every replica
    /// must hold as winner and siblings once everyone has heard of everything.
    func finalMaximalVersions(_ key: CellKey) -> (cl: UInt64, versions: Set<Version>) {
        let all = writes[key] ?? []
        guard let newest = all.map(\.cl).max() else { return (0, []) }
        let current = all.filter { $0.cl == newest }
        let maximal = current.filter { candidate in !current.contains { $0.seen.contains(candidate.version) } }
        return (newest, Set(maximal.map(\.version)))
    }

    /// Adds the pairs of writes maximal at `replica` in `key` to what met there.
    private mutating func notePairsMet(at replica: Int, _ key: CellKey) {
        let maximal = maximalWrites(at: replica, key)
        guard maximal.count > 1 else { return }
        for (i, x) in maximal.enumerated() {
            for y in maximal.dropFirst(i + 1) where x.value != y.value {
                met[replica].insert(Self.valueConflictID(key, x.version, y.version))
            }
        }
    }

    /// Records what a local write at `replica` changed in row `row` (new cell versions, a delete).
    mutating func recordLocalWrite(at replica: Int, on store: Replica, row: RowKey, columns: [String]) throws {
        var rowKnowledge: Set<Version> = []
        for column in columns {
            rowKnowledge.formUnion(knowledge[replica][CellKey(table: row.table, id: row.id, column: column)] ?? [])
        }
        for column in columns {
            let key = CellKey(table: row.table, id: row.id, column: column)
            guard let state = try store.cellState(table: row.table, id: row.id, column: column) else { continue }
            let known = knowledge[replica][key] ?? []
            guard !known.contains(state.version) else { continue }
            writes[key, default: []].append(
                Write(cell: key, version: state.version, cl: state.cl, value: state.value, seen: known))
            knowledge[replica][key, default: []].insert(state.version)
        }
        guard let stored = try store.loadRow(try store.table(row.table), id: row.id), stored.meta.cl % 2 == 0,
            let version = stored.meta.rowVersion,
            !(deletes[row] ?? []).contains(where: { $0.version == version })
        else { return }
        deletes[row, default: []].append(
            Delete(row: row, incarnation: stored.meta.cl - 1, version: version, seen: rowKnowledge))
        knownDeletes[replica][row, default: []].insert(version)
    }

    /// At `replica`, the row's current delete — the newest known delete of the newest known
    /// incarnation, unless a write of a later incarnation is known — meets every maximal write of the
    /// deleted incarnation; each one the delete had not seen is a pair that met there.
    private mutating func noteDeletePairsMet(at replica: Int, _ row: RowKey) {
        let known = (deletes[row] ?? []).filter { knownDeletes[replica][row]?.contains($0.version) ?? false }
        guard let incarnation = known.map(\.incarnation).max(),
            let delete = known.filter({ $0.incarnation == incarnation }).max(by: { $0.version < $1.version })
        else { return }
        let cells = writes.keys.filter { $0.table == row.table && $0.id == row.id }
        let newestWrite = cells.flatMap { key in (knowledge[replica][key] ?? []).compactMap { write(key, $0)?.cl } }
            .max()
        guard (newestWrite ?? 0) <= incarnation else { return }
        for key in cells {
            for edit in maximalWrites(at: replica, key)
            where edit.cl == incarnation && !delete.seen.contains(edit.version) {
                met[replica].insert(Self.deleteConflictID(row, column: key.column, edit.version, delete.version))
            }
        }
    }

    /// `receiver` merged `batch`: for each cell it carried, the receiver now knows the writes the
    /// cell names as maximal (winner and siblings) and everything their writers had seen — taken from
    /// this oracle's record of each write, not from the contexts the batch carries.
    mutating func recordDelivery(_ batch: ChangeBatch, to receiver: Int) {
        for row in batch.rows where row.table != ConflictRecord.tableName {
            let rowKey = RowKey(table: row.table, id: row.id)
            defer { noteDeletePairsMet(at: receiver, rowKey) }
            if let version = row.rowVersion, row.cl % 2 == 0 {
                knownDeletes[receiver][rowKey, default: []].insert(version)
            }
            for cell in row.cells {
                let key = CellKey(table: row.table, id: row.id, column: cell.column)
                for version in [cell.version] + cell.siblings.map(\.version) {
                    knowledge[receiver][key, default: []].insert(version)
                    knowledge[receiver][key, default: []].formUnion(write(key, version)?.seen ?? [])
                }
                notePairsMet(at: receiver, key)
            }
        }
    }

    /// The conflict ids concurrent pairs stand for, where value pairs met, and which delete pairs the
    /// delete's single base is known to miss.
    func verdict() -> Verdict {
        var verdict = Verdict()
        var rowWrites: [RowKey: [Write]] = [:]
        for (key, list) in writes { rowWrites[RowKey(table: key.table, id: key.id), default: []] += list }
        verdict.metAt = met
        let allMet = met.reduce(into: Set<String>()) { $0.formUnion($1) }
        for (key, list) in writes {
            let row = RowKey(table: key.table, id: key.id)
            for (i, x) in list.enumerated() {
                for y in list.dropFirst(i + 1)
                where x.cl == y.cl && x.version != y.version && x.value != y.value
                    && !x.seen.contains(y.version) && !y.seen.contains(x.version)
                {
                    let id = Self.valueConflictID(key, x.version, y.version)
                    verdict.expected.insert(id)
                    let (low, high) = x.version < y.version ? (x.version, y.version) : (y.version, x.version)
                    verdict.pairs[id] = (row, "Wert \(key.column) \(low.text)/\(high.text)")
                    if !allMet.contains(id) { verdict.unmetPairs += 1 }
                }
            }
        }
        for (row, list) in deletes {
            for delete in list {
                let edits = (rowWrites[row] ?? []).filter { $0.cl == delete.incarnation }
                for edit in edits where !delete.seen.contains(edit.version) {
                    let id = Self.deleteConflictID(row, column: edit.cell.column, edit.version, delete.version)
                    verdict.expected.insert(id)
                    verdict.pairs[id] = (row, "Löschen \(edit.cell.column) \(edit.version.text)/\(delete.version.text)")
                    if !allMet.contains(id) { verdict.unmetDeletePairs += 1 }
                }
            }
        }
        return verdict
    }
}

extension CausalOracle {
    /// Everything recorded about one row, for a failing seed's report.
    func describe(table: String, id: String) -> String {
        var out = ""
        for (key, list) in writes where key.table == table && key.id == id {
            for write in list {
                out +=
                    "write \(key.column) v=\(write.version.text) cl=\(write.cl) val=\(write.value.canonicalText) seen=\(write.seen.map(\.text).sorted())\n"
            }
        }
        for delete in deletes[RowKey(table: table, id: id)] ?? [] {
            out +=
                "delete inc=\(delete.incarnation) v=\(delete.version.text) seen=\(delete.seen.map(\.text).sorted())\n"
        }
        return out
    }
}
