import OZGReplication
import OZGStorage

/// Where schema 4 moved each of the lab's Leistung fields: (lab column, table, column).
enum LeistungMove {
    static let moves: [(lab: String, table: String, column: String)] = [
        ("ozg_leistung", "ozg_leistung", "bezeichnung"),
        ("ozg_id", "ozg_leistung", "ozg_id"),
        ("leika_schluessel", "verwaltungsleistung", "leika_schluessel"),
        ("kategorie", "labor_leistung", "kategorie"),
        ("begruendung", "labor_leistung", "begruendung"),
        ("reifegrad_ist", "labor_leistung", "reifegrad_ist"),
        ("reifegrad_ziel", "labor_leistung", "reifegrad_ziel"),
    ]

    /// The column of `table` that holds the version of the lab value last moved into `column`.
    static func sourceColumn(_ column: String) -> String { "aus_labor_" + column }

    /// The bookkeeping columns of `table`.
    static func bookkeeping(of table: String) -> [String] {
        moves.filter { $0.table == table }.map { sourceColumn($0.column) }
    }
}

extension LaborStore {
    /// Schema 4 moved the lab's Leistung fields (OZG-Leistung, OZG-ID, LeiKa-Schlüssel,
    /// Priorisierungskategorie, Begründung, Reifegrad) into an OZG-Leistung, its Verwaltungsleistung and
    /// the Labor-Leistung that says the lab covers it. This moves every value in those columns that is
    /// newer than the one moved before: written before the upgrade, or since by a replica of the
    /// previous program.
    ///
    /// The move is a replicated change with ids derived from the lab's id, and each moved cell records
    /// the version of the lab value it came from (`aus_labor_<feld>`). So replicas that upgrade
    /// independently write the same rows with the same values, never duplicates; an edit of an old
    /// field on a previous program moves over whenever it arrives, also after another replica moved the
    /// older value; and the lab's row is never written, so nothing competes with the old program's
    /// edits. Values the new fields refuse, and old fields cleared, stay where they are. Runs on every
    /// open and after every sync; with nothing new it only reads. Returns the ids of the labs it moved.
    @discardableResult
    public func moveRetiredFields() throws -> [String] {
        // A replica opened with a previous program's schema has nowhere to move them.
        guard replica.tableNames.contains("labor_leistung") else { return [] }
        let retired = LeistungMove.moves.map(\.lab)
        let condition = retired.map { "\"\($0)\" IS NOT NULL" }.joined(separator: " OR ")
        let labs = try rows("SELECT id, titel, themenfeld FROM labor WHERE \(condition) ORDER BY id") {
            ($0.text(0) ?? "", $0.text(1), $0.text(2))
        }
        var moved: [String] = []
        for (lab, title, theme) in labs {
            if try replica.transaction({ try moveRetiredFields(lab: lab, title: title, theme: theme) }) {
                moved.append(lab)
            }
        }
        return moved
    }

    /// The deterministic id of the row of `table` that holds lab `lab`'s moved Leistung fields.
    public static func movedLeistungID(_ table: String, lab: String) -> String {
        RowID.derived(from: ["ozg-labor-sync", "schema 4", lab, table])
    }

    private func moveRetiredFields(lab: String, title: String?, theme: String?) throws -> Bool {
        // Per table, the cells to write: each lab value newer than the one moved before, as the field
        // that now holds it accepts it.
        var writes: [String: [String: DatabaseValue]] = [:]
        for move in LeistungMove.moves {
            guard let state = try replica.cellState(table: Domain.lab.key, id: lab, column: move.lab),
                let value = Self.accepted(state.value, as: move.column, of: move.table)
            else { continue }
            let id = Self.movedLeistungID(move.table, lab: lab)
            let source = LeistungMove.sourceColumn(move.column)
            let movedBefore = try replica.cellState(table: move.table, id: id, column: source)?.value.textValue
            guard movedBefore.map({ $0 < state.version.text }) ?? true else { continue }
            writes[move.table, default: [:]][move.column] = value
            writes[move.table, default: [:]][source] = .text(state.version.text)
        }
        guard !writes.isEmpty else { return false }
        let fallbackName = writes["ozg_leistung"]?["bezeichnung"] ?? .text(title ?? lab)
        let leistung = Self.movedLeistungID("ozg_leistung", lab: lab)
        // The Leistung and the lab's coverage of it exist whenever something moves.
        try upsert(
            "ozg_leistung", id: leistung, lab: lab, values: writes["ozg_leistung"] ?? [:],
            onInsert: ["bezeichnung": fallbackName, "themenfeld": theme.map(DatabaseValue.text) ?? .null])
        if let service = writes["verwaltungsleistung"] {
            try upsert(
                "verwaltungsleistung", id: Self.movedLeistungID("verwaltungsleistung", lab: lab), lab: lab,
                values: service, onInsert: ["ozg_leistung_id": .text(leistung), "bezeichnung": fallbackName])
        }
        try upsert(
            "labor_leistung", id: Self.movedLeistungID("labor_leistung", lab: lab), lab: lab,
            values: writes["labor_leistung"] ?? [:],
            onInsert: ["ozg_leistung_id": .text(leistung), "kategorie": .text("labor_leistung")])
        return true
    }

    /// A stored lab value as field `column` of `table` accepts it, or nil when it refuses it or it is empty.
    private static func accepted(_ value: DatabaseValue, as column: String, of table: String) -> DatabaseValue? {
        guard let field = Domain.entity(table)?.field(column) else { return nil }
        let text: String
        switch value {
        case .text(let stored): text = stored
        case .integer(let number): text = String(number)
        default: return nil
        }
        guard let parsed = try? field.parse(text, entity: table), !parsed.isNull else { return nil }
        return parsed
    }

    /// Writes `values` into row `id`: updates it when visible, brings it back when deleted (the old
    /// program's user still meant the lab to cover the Leistung), inserts it with `onInsert` otherwise.
    private func upsert(
        _ table: String, id: String, lab: String, values: [String: DatabaseValue], onInsert: [String: DatabaseValue]
    ) throws {
        if try replica.isVisible(table: table, id: id) {
            if !values.isEmpty { try replica.update(table, id: id, values: values) }
        } else if try replica.causalLength(table: table, id: id) != nil {
            try replica.restore(table, id: id, values: values)
        } else {
            var row = onInsert.merging(values) { _, new in new }
            row["labor_id"] = .text(lab)
            try replica.insert(into: table, id: id, values: row)
        }
    }
}
