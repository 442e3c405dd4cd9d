@testable import OZGReplication
@testable import OZGStorage

/// The conflicts a schedule must produce, derived from what each writer had actually seen, not from
/// the implementation's rule (issue 16).
///
/// Every write of a cell and every delete is recorded with the writes of that row its replica knew at
/// the time. A replica knows a write once its own state includes it: it wrote it, or it merged a
/// peer's cell whose state included it (a merged cell dominates everything the sender's cell had
/// absorbed). Expected, after a full exchange, on every replica:
/// - a **value conflict** for every two writes of one cell in one incarnation with different values
///   where neither writer knew the other's write;
/// - an **edit-vs-delete conflict** for every write of a cell in a deleted incarnation and every
///   delete of that incarnation that did not know the write.
///
/// The version-1 rule keeps one predecessor (`base`) per cell and compares an incoming change with the
/// current winner only, so it misses a concurrent pair when a third write of the row overtakes one of
/// the two (docs/ARCHITECTURE.md, "Known limit of the base rule"), and it ignores writes of an
/// incarnation a later restore has replaced. Such misses are counted as `knownDeviations`; any other
/// miss, and every conflict recorded without a concurrent pair behind it, is a failure.
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
        var expected: Set<String> = []
        /// Expected conflicts the version-1 rule is known to miss (a third write overtook one side,
        /// or a restore replaced the incarnation), with a reason each.
        var knownDeviations: [String: String] = [:]
        /// Which pair each expected id stands for, for a failing seed's report.
        var pairs: [String: (row: RowKey, text: String)] = [:]
    }

    private(set) var writes: [CellKey: [Write]] = [:]
    private(set) var deletes: [RowKey: [Delete]] = [:]
    /// Per replica: the versions of each cell's writes it knows.
    private var knowledge: [[CellKey: Set<Version>]]

    init(replicas: Int) {
        knowledge = Array(repeating: [:], count: replicas)
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
    }

    /// `receiver` merged `batch`, extracted from `sender` just before: it now knows, for each cell the
    /// batch carried, everything the sender knew of that cell.
    mutating func recordDelivery(_ batch: ChangeBatch, from sender: Int, to receiver: Int) {
        for row in batch.rows where row.table != ConflictRecord.tableName {
            for cell in row.cells {
                let key = CellKey(table: row.table, id: row.id, column: cell.column)
                knowledge[receiver][key, default: []].formUnion(knowledge[sender][key] ?? [])
            }
        }
    }

    /// The conflict ids the schedule demands, and which of them the version-1 rule is known to miss.
    func verdict() -> Verdict {
        var verdict = Verdict()
        var rowWrites: [RowKey: [Write]] = [:]
        for (key, list) in writes { rowWrites[RowKey(table: key.table, id: key.id), default: []] += list }
        func laterIncarnation(_ row: RowKey, after cl: UInt64) -> Bool {
            (rowWrites[row] ?? []).contains { $0.cl > cl }
        }
        for (key, list) in writes {
            let row = RowKey(table: key.table, id: key.id)
            for (i, x) in list.enumerated() {
                for y in list.dropFirst(i + 1)
                where x.cl == y.cl && x.version != y.version && x.value != y.value
                    && !x.seen.contains(y.version) && !y.seen.contains(x.version)
                {
                    let (low, high) = x.version < y.version ? (x.version, y.version) : (y.version, x.version)
                    let id = RowID.derived(
                        from: [ConflictKind.value.rawValue, key.table, key.id, key.column, low.text, high.text])
                    verdict.expected.insert(id)
                    verdict.pairs[id] = (row, "Wert \(key.column) \(low.text)/\(high.text)")
                    if list.contains(where: {
                        $0.cl == x.cl && $0.version != x.version && $0.version != y.version && $0.version > low
                    }) {
                        verdict.knownDeviations[id] = "ein dritter Schreibvorgang überholt eine Seite"
                    } else if laterIncarnation(row, after: x.cl) {
                        verdict.knownDeviations[id] = "eine Wiederherstellung ersetzt die Inkarnation"
                    }
                }
            }
        }
        for (row, list) in deletes {
            for delete in list {
                let edits = (rowWrites[row] ?? []).filter { $0.cl == delete.incarnation }
                for edit in edits where !delete.seen.contains(edit.version) {
                    let id = RowID.derived(
                        from: [
                            ConflictKind.editVersusDelete.rawValue, row.table, row.id, edit.cell.column,
                            edit.version.text, delete.version.text,
                        ])
                    verdict.expected.insert(id)
                    verdict.pairs[id] = (row, "Löschen \(edit.cell.column) \(edit.version.text)/\(delete.version.text)")
                    if edits.contains(where: { $0.version > edit.version }) {
                        verdict.knownDeviations[id] = "ein dritter Schreibvorgang der Zeile überholt die Änderung"
                    } else if list.contains(where: {
                        $0.incarnation == delete.incarnation && $0.version > delete.version
                    }) {
                        verdict.knownDeviations[id] = "ein zweites Löschen derselben Inkarnation überholt dieses"
                    } else if laterIncarnation(row, after: delete.incarnation + 1) {
                        verdict.knownDeviations[id] = "eine Wiederherstellung ersetzt die Inkarnation"
                    }
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
