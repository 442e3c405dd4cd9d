import OZGStorage

/// Bounds every change from another replica must keep (docs/PROTOCOL.md, „Grenzen“).
///
/// A peer's numbers and sizes are checked where they enter (`Replica.apply`, the batch decoder),
/// so arithmetic on stored state can never overflow and no single value can exhaust memory.
public enum ChangeLimits {
    /// The highest causal length a row may reach: 2^32, about two billion deletes and restores.
    public static let maxCausalLength: UInt64 = 1 << 32
    /// The largest text (UTF-8 bytes) or blob one cell may hold: 1 MiB.
    public static let maxValueBytes = 1 << 20
    /// Cells one row change may carry: one per column, and a table has at most 63 replicated columns.
    public static let maxCellsPerRow = 63

    /// The size of `value` as the limit counts it (0 for numbers and NULL).
    static func size(of value: DatabaseValue) -> Int {
        switch value {
        case .text(let text): return text.utf8.count
        case .blob(let bytes): return bytes.count
        default: return 0
        }
    }

    /// Throws when `value` is larger than `maxValueBytes`.
    static func checkSize(of value: DatabaseValue, table: String, id: String, column: String) throws {
        let size = size(of: value)
        guard size <= maxValueBytes else {
            throw ReplicaError.changeRefused(
                table: table, id: id,
                reason: "Das Feld „\(column)“ ist \(size) Bytes groß; erlaubt sind höchstens \(maxValueBytes) Bytes")
        }
    }
}

/// The rules a change from an untrusted peer must keep beyond the decoder's format checks
/// (`../shared/DESIGN.md` §13): bounded numbers and sizes, author rows only from their device,
/// conflict rows that describe the conflict their id names.
enum PeerChangeRules {
    static func check(_ row: RowChange) throws {
        func refuse(_ reason: String) -> ReplicaError {
            ReplicaError.changeRefused(table: row.table, id: row.id, reason: reason)
        }
        try Replica.validate(id: row.id)
        guard row.cl <= ChangeLimits.maxCausalLength, row.cells.allSatisfy({ $0.cl <= ChangeLimits.maxCausalLength })
        else {
            throw refuse("Die kausale Länge ist größer als \(ChangeLimits.maxCausalLength)")
        }
        guard row.cells.count <= ChangeLimits.maxCellsPerRow else {
            throw refuse(
                "\(row.cells.count) Felder in einer Zeile; erlaubt sind höchstens \(ChangeLimits.maxCellsPerRow)")
        }
        for cell in row.cells {
            try ChangeLimits.checkSize(of: cell.value, table: row.table, id: row.id, column: cell.column)
        }
        switch row.table {
        case ReplicaSchema.deviceTable.name: try checkAuthorRow(row, refuse: refuse)
        case ConflictRecord.tableName: try checkConflictRow(row, refuse: refuse)
        default:
            // A plain scan: this runs for every merged row, and building `writtenSites` cost 2.5 % of a merge.
            let conflictSite = Replica.conflictSite
            guard row.rowVersion?.site != conflictSite, !row.cells.contains(where: { $0.version.site == conflictSite })
            else {
                throw refuse("Die Geräte-ID 0 gehört der Konflikterkennung und schreibt nur Konflikte")
            }
        }
    }

    /// A device's author row (id = its site id) is written only by that device.
    private static func checkAuthorRow(_ row: RowChange, refuse: (String) -> ReplicaError) throws {
        guard row.writtenSites.allSatisfy({ $0.hex == row.id }) else {
            throw refuse("Den Autorennamen eines Geräts darf nur dieses Gerät selbst setzen")
        }
    }

    /// Conflict rows: the cells written by the conflict detection (site 0) must be complete and
    /// produce the row's id and version, so a peer cannot invent a conflict under a real one's id or
    /// dress up arbitrary values; other sites may only set the status.
    private static func checkConflictRow(_ row: RowChange, refuse: (String) -> ReplicaError) throws {
        guard row.rowVersion == nil, row.cl == 1, row.cells.allSatisfy({ $0.cl == 1 }) else {
            throw refuse("Konflikte werden nicht gelöscht oder wiederhergestellt")
        }
        var detected: [String: CellChange] = [:]
        for cell in row.cells {
            if cell.version.site == Replica.conflictSite {
                detected[cell.column] = cell
            } else {
                guard cell.column == "status", case .text(let status) = cell.value,
                    ConflictStatus(rawValue: status) != nil
                else {
                    throw refuse("Ein Gerät darf an einem Konflikt nur den Status (offen/geloest) ändern")
                }
            }
        }
        guard !detected.isEmpty else { return }
        guard let expected = ConflictRecord.detectedRow(from: detected.mapValues(\.value)), expected.id == row.id,
            expected.cells.allSatisfy({
                detected[$0.column] == $0 || ($0.column == "status" && detected["status"] == nil)
            }),
            detected.count <= expected.cells.count
        else {
            throw refuse("Der Konflikt passt nicht zu seiner ID und den Versionen, die er nennt")
        }
    }
}

extension RowChange {
    /// The sites whose writes this change carries (cell versions and the row's delete/restore);
    /// bases name versions the writer had seen and belong to others.
    public var writtenSites: Set<SiteID> {
        var sites = Set(cells.map(\.version.site))
        if let rowVersion { sites.insert(rowVersion.site) }
        return sites
    }
}

extension ChangeBatch {
    /// The sites whose writes this batch carries.
    public var writtenSites: Set<SiteID> {
        rows.reduce(into: Set<SiteID>()) { $0.formUnion($1.writtenSites) }
    }
}
