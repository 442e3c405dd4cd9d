import OZGDomain
import OZGReplication
import OZGStorage
import SyncServerCore

/// One lab as the overview shows it: read once from the server's copy of the lab.
struct LabSummary: Sendable {
    let id: String
    let title: String
    let themeKey: String
    let theme: String
    let phaseKey: String
    let phase: String
    /// „Wohngeld (Labor-Leistungen)“ per covered or analysed Leistung.
    let leistungen: [String]
    /// „Personas: 3“ for each entity with entries.
    let counts: [String]
    /// Entries of all entities.
    let total: Int
    /// Per Leistung: „Wohngeld (Labor-Leistungen): 12 von 14“ (present of required).
    let completeness: [String]
    /// Required contents missing over all Leistungen.
    let missing: Int
    let conflicts: Int
    let findings: Int
    let errors: Int
}

/// Everything the lab page shows, read in one pass on the lab store's queue.
struct LabPage: Sendable {
    let summary: LabSummary
    let steckbrief: Report
    let findings: [CheckFinding]
    let conflicts: [ConflictRow]
    /// Entities with entries: (key, plural label), for the CSV downloads.
    let entities: [(key: String, label: String)]
    /// Processes: (id, name), for the BPMN downloads.
    let processes: [(id: String, name: String)]
}

struct ConflictRow: Sendable {
    let entity: String
    let row: String
    let field: String
    let valueA: String
    let authorA: String
    let valueB: String
    let authorB: String
}

/// Lab summaries by lab, each with the lab's last log sequence when it was computed: a lab whose log
/// did not grow is not read again for the overview. At most `capacity` labs are kept.
actor SummaryCache {
    let capacity: Int
    private var entries: [String: (sequence: Int64, summary: LabSummary?)] = [:]

    init(capacity: Int = 10_000) { self.capacity = capacity }

    func entry(_ lab: String) -> (sequence: Int64, summary: LabSummary?)? { entries[lab] }

    func store(_ lab: String, sequence: Int64, summary: LabSummary?) {
        if entries[lab] == nil, entries.count >= capacity { entries.removeAll() }
        entries[lab] = (sequence, summary)
    }
}

/// One lab's line of the overview: its summary and who pushed last from which device.
struct OverviewReading: Sendable {
    let sequence: Int64
    let summary: LabSummary?
    let devices: [AuditEntry]
}

enum LabReading {
    /// The overview's reading of a lab: the summary is computed again only when the log grew since
    /// `cached` (pushes and conflict resolutions all write the log).
    static func overview(of id: String, replica: Replica, cached: (sequence: Int64, summary: LabSummary?)?) throws
        -> OverviewReading
    {
        let sequence = try replica.lastSequence()
        let summary =
            cached.map { $0.sequence == sequence } == true ? cached?.summary : try summary(of: id, replica: replica)
        return OverviewReading(
            sequence: sequence, summary: summary, devices: try ServerAccess.lastPushPerDevice(in: replica))
    }

    /// The summary of lab `id`, or nil when the server's copy has no lab row yet (nobody synced it).
    static func summary(of id: String, replica: Replica) throws -> LabSummary? {
        let store = LaborStore(replica: replica)
        guard let lab = try? store.snapshot(of: id) else { return nil }
        return try summary(lab, store: store)
    }

    static func summary(_ lab: LabSnapshot, store: LaborStore) throws -> LabSummary {
        let labor = lab.lab
        let completeness = LaborStore.completeness(of: lab)
        let findings = try store.check(lab)
        return LabSummary(
            id: labor.id, title: labor.title, themeKey: labor.text("themenfeld") ?? "",
            theme: labor.display("themenfeld"), phaseKey: labor.text("phase") ?? "", phase: labor.display("phase"),
            leistungen: completeness.filter { $0.leistungID != nil }.map {
                "\($0.leistung) (\($0.categoryLabel))"
            },
            counts: Domain.labContents.compactMap { entity in
                let count = lab.records(entity.key).count
                return count == 0 ? nil : "\(entity.pluralLabel): \(count)"
            },
            total: Domain.labContents.reduce(0) { $0 + lab.records($1.key).count },
            completeness: completeness.map { leistung in
                let required = leistung.items.filter { $0.requirement == .required }
                return "\(leistung.leistung) (\(leistung.categoryLabel)): "
                    + "\(required.filter(\.present).count) von \(required.count)"
            },
            missing: completeness.reduce(0) { sum, leistung in
                sum + leistung.items.filter { $0.requirement == .required && !$0.present }.count
            },
            conflicts: try store.replica.conflicts().count,
            findings: findings.count, errors: findings.filter(\.isError).count)
    }

    static func page(of id: String, replica: Replica) throws -> LabPage? {
        let store = LaborStore(replica: replica)
        guard let lab = try? store.snapshot(of: id) else { return nil }
        let summary = try summary(lab, store: store)
        let titles = Dictionary(
            Domain.labContents.flatMap { entity in lab.records(entity.key).map { ($0.id, $0.title) } },
            uniquingKeysWith: { first, _ in first })
        let authors = try replica.authors()
        func author(_ version: Version?) -> String {
            guard let site = version?.site else { return "–" }
            return authors[site] ?? "Gerät " + String(site.hex.prefix(8))
        }
        let conflicts = try replica.conflicts().map { conflict in
            let entity = Domain.entity(conflict.table)
            let field = entity?.field(conflict.column)
            func shown(_ value: DatabaseValue) -> String {
                value.isNull ? "(leer)" : (field?.display(value) ?? value.textValue ?? "")
            }
            return ConflictRow(
                entity: entity?.label ?? conflict.table, row: titles[conflict.rowID] ?? conflict.rowID,
                field: field?.label ?? conflict.column, valueA: shown(conflict.valueA),
                authorA: author(conflict.versionA), valueB: shown(conflict.valueB), authorB: author(conflict.versionB))
        }
        return LabPage(
            summary: summary, steckbrief: MarkdownExport.projektsteckbrief(of: lab),
            findings: try store.check(lab), conflicts: conflicts,
            entities: Domain.labContents.filter { !lab.records($0.key).isEmpty }.map { ($0.key, $0.pluralLabel) },
            processes: lab.records("prozess").map { ($0.id, $0.title) })
    }
}
