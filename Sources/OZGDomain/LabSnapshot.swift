import OZGReplication

/// Everything one lab holds, read once: the lab's row and, per entity, its visible rows in display
/// order, also grouped by the parent they belong to.
///
/// Exports and `check` read a snapshot instead of querying per section or per parent.
///
/// ```swift
/// let lab = try store.snapshot(of: laborID)
/// for journey in lab.records("nutzerreise") {
///     let steps = lab.children("schritt", of: journey.id)
/// }
/// ```
public struct LabSnapshot: Sendable {
    /// The lab's own row.
    public let lab: Record
    private let rowsByEntity: [String: [Record]]
    private let allByEntity: [String: [Record]]
    private let orphanKeys: Set<String>
    private let childrenByEntity: [String: [String: [Record]]]

    /// A replica need not have every table: the server's copy of a lab has only those its clients
    /// pushed rows of, so a missing table reads as empty.
    init(store: LaborStore, laborID: String) throws {
        let tables = Set(store.replica.tableNames)
        guard tables.contains(Domain.lab.key), let lab = try store.record(Domain.lab.key, id: laborID) else {
            throw DomainError.notFound(entity: Domain.lab.key, id: laborID)
        }
        self.lab = lab
        var rows: [String: [Record]] = [:]
        var all: [String: [Record]] = [:]
        var orphanKeys = Set<String>()
        var children: [String: [String: [Record]]] = [:]
        for entity in Domain.labContents where tables.contains(entity.key) {
            let records = try store.records(of: entity, in: laborID, includeOrphans: true)
            let (kept, orphaned) = try store.separatingOrphans(records)
            rows[entity.key] = kept
            all[entity.key] = records
            for orphan in orphaned { orphanKeys.insert(entity.key + "/" + orphan.id) }
            for record in kept {
                if let parent = record.parentID {
                    children[entity.key, default: [:]][parent, default: []].append(record)
                }
            }
        }
        rowsByEntity = rows
        allByEntity = all
        self.orphanKeys = orphanKeys
        childrenByEntity = children
    }

    /// The visible rows of entity `key` in display order, orphans left out.
    public func records(_ key: String) -> [Record] { rowsByEntity[key] ?? [] }

    /// The visible rows of entity `key` that belong to `parentID` (through the owning field), in order.
    public func children(_ key: String, of parentID: String) -> [Record] {
        childrenByEntity[key]?[parentID] ?? []
    }

    /// The rows of entity `key` in display order, orphans included (for `check`).
    public func recordsIncludingOrphans(_ key: String) -> [Record] { allByEntity[key] ?? [] }

    /// Whether `record`'s owning parent or lab is gone (deleted concurrently elsewhere).
    public func isOrphan(_ record: Record) -> Bool { orphanKeys.contains(record.entity.key + "/" + record.id) }
}

extension LaborStore {
    /// Reads lab `laborID` once for an export or a check.
    public func snapshot(of laborID: String) throws -> LabSnapshot {
        try LabSnapshot(store: self, laborID: laborID)
    }
}
