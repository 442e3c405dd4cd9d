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
    /// Concurrent values one cell may hold (its winner and siblings): one per site that wrote it
    /// without having seen the others. A workshop of 64 people typing into one field at once.
    public static let maxSiblings = 64
    /// Other sites one cell's causal context may name: every device that ever wrote the cell in one
    /// incarnation.
    public static let maxContextEntries = 4096

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
        if !row.deleteContext.isEmpty {
            // Like a cell's context: other writes only, each site once, all before the delete itself.
            var sites: Set<SiteID> = []
            guard let delete = row.rowVersion, row.cl % 2 == 0,
                row.deleteContext.count <= ChangeLimits.maxContextEntries,
                row.deleteContext.allSatisfy({ $0.hlc < delete.hlc && sites.insert($0.site).inserted })
            else {
                throw refuse(
                    "Der Kontext des Löschens nennt einen Schreibvorgang, der nicht vor ihm liegt, ein Gerät doppelt oder gehört zu keinem Löschen"
                )
            }
        }
        for cell in row.cells {
            try ChangeLimits.checkSize(of: cell.value, table: row.table, id: row.id, column: cell.column)
            try checkCausality(of: cell, refuse: refuse)
            for sibling in cell.siblings {
                try ChangeLimits.checkSize(of: sibling.value, table: row.table, id: row.id, column: cell.column)
            }
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

    /// A cell's causal state must describe a possible history (docs/ARCHITECTURE.md, "Conflicts"):
    /// one maximal write per site, siblings older than the winner, none in another's context, and each
    /// write's context naming other sites only, with clocks before the write's own (a writer can only
    /// have seen earlier writes), all within bounds. Otherwise a peer could claim knowledge of writes
    /// it never saw and swallow them, or make two replicas disagree about which writes are maximal.
    private static func checkCausality(of cell: CellChange, refuse: (String) -> ReplicaError) throws {
        guard !cell.siblings.isEmpty || !cell.context.isEmpty else { return }
        guard cell.siblings.count < ChangeLimits.maxSiblings else {
            throw refuse(
                "Das Feld „\(cell.column)“ trägt \(cell.siblings.count + 1) gleichzeitige Werte; erlaubt sind höchstens \(ChangeLimits.maxSiblings)"
            )
        }
        let state = CellCausality(cell)
        var sites: Set<SiteID> = []
        for (index, write) in state.maximal.enumerated() {
            guard sites.insert(write.version.site).inserted, write.version.site != Replica.conflictSite || index == 0,
                index == 0 || write.version < cell.version
            else {
                throw refuse(
                    "Ein gleichzeitiger Wert des Feldes „\(cell.column)“ ist nicht älter als der gültige oder nennt ein Gerät doppelt"
                )
            }
            guard write.context.count <= ChangeLimits.maxContextEntries else {
                throw refuse(
                    "Das Feld „\(cell.column)“ nennt \(write.context.count) Geräte im Kontext; erlaubt sind höchstens \(ChangeLimits.maxContextEntries)"
                )
            }
            var contextSites: Set<SiteID> = [write.version.site]
            for entry in write.context {
                guard entry.hlc < write.version.hlc, contextSites.insert(entry.site).inserted else {
                    throw refuse(
                        "Der Kontext des Feldes „\(cell.column)“ nennt einen Schreibvorgang, der nicht vor diesem liegt, oder ein Gerät doppelt"
                    )
                }
            }
        }
        // No write's context reaches another maximal write (contexts never name their own site, so
        // one vector of all contexts answers for every write in one pass).
        var contexts: [SiteID: UInt64] = [:]
        for write in state.maximal {
            for entry in write.context { contexts[entry.site] = max(contexts[entry.site] ?? 0, entry.hlc) }
        }
        for write in state.maximal {
            guard CellCausality.isUnknown(write.version, to: contexts) else {
                throw refuse(
                    "Zwei gleichzeitige Werte des Feldes „\(cell.column)“ widersprechen sich: einer kennt den anderen schon"
                )
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
                let statuses = [cell.value] + cell.siblings.map(\.value)
                guard cell.column == "status",
                    statuses.allSatisfy({
                        if case .text(let status) = $0 { return ConflictStatus(rawValue: status) != nil }
                        return false
                    })
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
    /// the context names versions the writer had seen and belongs to others.
    public var writtenSites: Set<SiteID> {
        var sites = Set(cells.map(\.version.site))
        for cell in cells { sites.formUnion(cell.siblings.map(\.version.site)) }
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
