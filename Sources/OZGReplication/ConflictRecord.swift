import OZGStorage

/// A detected conflict, stored as a replicated row of `_ozg_konflikt` (see docs/ARCHITECTURE.md, "Conflicts").
///
/// `kind` is `.value` when two replicas wrote one cell concurrently (a = the lower version, b = the
/// winner), `.editVersusDelete` when an edit (a) lost to a concurrent delete (b).
public struct ConflictRecord: Sendable, Equatable {
    public static let tableName = "_ozg_konflikt"

    public var id: String
    public var table: String
    public var rowID: String
    public var column: String
    public var kind: ConflictKind
    public var valueA: DatabaseValue
    public var versionA: Version?
    public var valueB: DatabaseValue
    public var versionB: Version?
    public var status: ConflictStatus

    public var isOpen: Bool { status == .open }

    /// Two replicas wrote one cell without having seen each other's value.
    static func valueConflict(
        table: String, id: String, column: String, first: (Version, DatabaseValue),
        second: (Version, DatabaseValue)
    ) -> RowChange {
        let (low, high) = first.0 < second.0 ? (first, second) : (second, first)
        let conflictID = RowID.derived(from: [ConflictKind.value.rawValue, table, id, column, low.0.text, high.0.text])
        return row(
            id: conflictID, hlc: high.0.hlc,
            cells: [
                ("tabelle", .text(table)), ("zeile_id", .text(id)), ("spalte", .text(column)),
                ("art", .text(ConflictKind.value.rawValue)),
                ("wert_a", low.1), ("version_a", .text(low.0.text)), ("wert_b", high.1),
                ("version_b", .text(high.0.text)),
                ("status", .text(ConflictStatus.open.rawValue)),
            ])
    }

    /// An edit the deleting replica had not seen.
    static func deleteConflict(
        table: String, id: String, column: String, edit: (Version, DatabaseValue),
        delete: Version
    ) -> RowChange {
        let conflictID = RowID.derived(
            from: [ConflictKind.editVersusDelete.rawValue, table, id, column, edit.0.text, delete.text])
        return row(
            id: conflictID, hlc: max(edit.0.hlc, delete.hlc),
            cells: [
                ("tabelle", .text(table)), ("zeile_id", .text(id)), ("spalte", .text(column)),
                ("art", .text(ConflictKind.editVersusDelete.rawValue)),
                ("wert_a", edit.1), ("version_a", .text(edit.0.text)), ("wert_b", .null),
                ("version_b", .text(delete.text)),
                ("status", .text(ConflictStatus.open.rawValue)),
            ])
    }

    /// Every replica that detects the same conflict builds the identical row with the identical version,
    /// so duplicates merge to nothing and a later resolution (a newer version) always wins.
    private static func row(id: String, hlc: UInt64, cells: [(String, DatabaseValue)]) -> RowChange {
        let version = Version(hlc: hlc, site: Replica.conflictSite)
        return RowChange(
            table: tableName, id: id, cl: 1,
            cells: cells.map {
                CellChange(column: $0.0, value: $0.1, cl: 1, version: version)
            })
    }
}

/// What kind of race a conflict records; the raw value is what the replicated row stores.
public enum ConflictKind: String, Sendable, CaseIterable {
    /// Two replicas wrote one cell concurrently.
    case value = "wert"
    /// An edit lost to a concurrent delete of its row.
    case editVersusDelete = "loeschen"
}

/// Whether a conflict still waits for a decision; the raw value is what the replicated row stores.
public enum ConflictStatus: String, Sendable, CaseIterable {
    case open = "offen"
    case resolved = "geloest"
}

/// How a conflict is settled.
public enum ConflictResolution: Sendable, Equatable {
    /// Write this value to the cell (a normal write based on the current winner).
    case value(DatabaseValue)
    /// Keep the value of one of the two versions.
    case keep(Version)
    /// For an edit that lost to a delete: restore the row with the edit's value.
    case restore
    /// For an edit that lost to a delete: the delete stands.
    case confirmDelete
}

extension Replica {
    /// All conflicts, open ones first, each group ordered by id.
    ///
    /// A row whose kind or status is none of the known values (written by a newer or a broken
    /// replica) is not a conflict this version can settle and is left out.
    public func conflicts(includeResolved: Bool = false) throws -> [ConflictRecord] {
        let rows = try database.rows(
            """
            SELECT id, tabelle, zeile_id, spalte, art, wert_a, version_a, wert_b, version_b, status
            FROM "\(ConflictRecord.tableName)" ORDER BY status = 'offen' DESC, id
            """
        ) { row -> ConflictRecord? in
            guard let kind = row.text(4).flatMap(ConflictKind.init(rawValue:)),
                let status = row.text(9).flatMap(ConflictStatus.init(rawValue:))
            else { return nil }
            return ConflictRecord(
                id: row.text(0) ?? "", table: row.text(1) ?? "", rowID: row.text(2) ?? "",
                column: row.text(3) ?? "", kind: kind, valueA: row.value(5),
                versionA: row.text(6).flatMap(Version.init(text:)), valueB: row.value(7),
                versionB: row.text(8).flatMap(Version.init(text:)), status: status)
        }.compactMap { $0 }
        return includeResolved ? rows : rows.filter(\.isOpen)
    }

    /// Settles a conflict: writes the chosen outcome as normal writes and marks the conflict resolved,
    /// with every other open value conflict of the same cell.
    public func resolveConflict(id: String, _ resolution: ConflictResolution) throws {
        guard let conflict = try conflicts(includeResolved: true).first(where: { $0.id == id }) else {
            throw ReplicaError.conflictNotFound(id)
        }
        try write {
            switch resolution {
            case .value(let value):
                try update(conflict.table, id: conflict.rowID, values: [conflict.column: value])
            case .keep(let version):
                let value = version == conflict.versionA ? conflict.valueA : conflict.valueB
                guard version == conflict.versionA || version == conflict.versionB else {
                    throw ReplicaError.conflictNotFound("\(id) mit Version \(version.text)")
                }
                try checkAgainstStoredCell(conflict)
                if conflict.kind == .value {
                    try update(conflict.table, id: conflict.rowID, values: [conflict.column: value])
                }
            case .restore:
                let table = try self.table(conflict.table)
                if let stored = try loadRow(table, id: conflict.rowID), !stored.meta.isVisible {
                    try restore(conflict.table, id: conflict.rowID, values: [conflict.column: conflict.valueA])
                }
            case .confirmDelete:
                break
            }
            try update(ConflictRecord.tableName, id: id, values: ["status": .text(ConflictStatus.resolved.rawValue)])
            // With three or more concurrent values a cell has one conflict per pair; the decision just
            // written has seen them all, so it settles every open value conflict of the same cell.
            if conflict.kind == .value {
                for other in try conflicts()
                where other.id != id && other.kind == .value && other.table == conflict.table
                    && other.rowID == conflict.rowID && other.column == conflict.column
                {
                    try update(
                        ConflictRecord.tableName, id: other.id,
                        values: ["status": .text(ConflictStatus.resolved.rawValue)])
                }
            }
        }
    }
}

extension Replica {
    /// Refuses to settle a conflict whose recorded value of the version this replica still holds is
    /// not that version's stored value: a conflict only ever offers values that were really written.
    fileprivate func checkAgainstStoredCell(_ conflict: ConflictRecord) throws {
        guard let stored = try cellState(table: conflict.table, id: conflict.rowID, column: conflict.column) else {
            return
        }
        // Spelled out: a `nil` in a conditional expression here would become `DatabaseValue.null`
        // (the value type is nil-literal-expressible), and a cell a third write has won would then
        // fail the check — found with three concurrent writers (issue 10).
        let recorded: DatabaseValue?
        if stored.version == conflict.versionA {
            recorded = conflict.valueA
        } else if stored.version == conflict.versionB {
            recorded = conflict.valueB
        } else {
            recorded = Optional.none
        }
        if let recorded, recorded != stored.value {
            throw ReplicaError.changeRefused(
                table: ConflictRecord.tableName, id: conflict.id,
                reason: "Der Konflikt nennt für Version \(stored.version.text) einen anderen Wert als gespeichert ist")
        }
    }
}

extension ConflictRecord {
    /// The row the conflict detection builds for the conflict that `cells` (column → value) name,
    /// or nil when they name none; lets a receiver check a conflict row it did not detect itself.
    static func detectedRow(from cells: [String: DatabaseValue]) -> RowChange? {
        func text(_ column: String) -> String? {
            if case .text(let value)? = cells[column] { return value }
            return nil
        }
        guard let kind = text("art").flatMap(ConflictKind.init(rawValue:)), let table = text("tabelle"),
            let id = text("zeile_id"), let column = text("spalte"),
            let versionA = text("version_a").flatMap(Version.init(text:)),
            let versionB = text("version_b").flatMap(Version.init(text:)),
            versionA.site != Replica.conflictSite, versionB.site != Replica.conflictSite
        else { return nil }
        let valueA = cells["wert_a"] ?? .null
        switch kind {
        case .value:
            guard versionA < versionB else { return nil }
            return valueConflict(
                table: table, id: id, column: column, first: (versionA, valueA),
                second: (versionB, cells["wert_b"] ?? .null))
        case .editVersusDelete:
            return deleteConflict(table: table, id: id, column: column, edit: (versionA, valueA), delete: versionB)
        }
    }
}
