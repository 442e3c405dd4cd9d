import OZGReplication
import OZGStorage

/// The domain on top of a replica: validated adds and edits, cascade deletes, ordered children,
/// id prefixes, listing without orphans.
///
/// ```swift
/// let store = try LaborStore(path: "labor.ozg")
/// let labor = try store.add("labor", fields: ["titel": "DigiLab Wohngeld", "themenfeld": "bauen_wohnen",
///                                             "bundesland": "DE-MV"])
/// let persona = try store.add("persona", laborID: labor, fields: ["name": "Erika", ...])
/// ```
public final class LaborStore {
    public let replica: Replica

    public init(replica: Replica) {
        self.replica = replica
    }

    /// Opens (or creates) a replica file with the domain schema and moves values a previous schema
    /// kept elsewhere (`moveRetiredFields()`).
    public convenience init(path: String, configuration: Replica.Configuration = Replica.Configuration()) throws {
        self.init(replica: try Replica(path: path, schema: Domain.schema, configuration: configuration))
        try moveRetiredFields()
    }

    /// The declaration of entity `key`, or a German error listing the entities.
    public func entity(_ key: String) throws -> Entity {
        guard let entity = Domain.entity(key) else {
            throw DomainError.unknownEntity(key, allowed: Domain.entities.map(\.key))
        }
        return entity
    }

    // MARK: - Reading

    /// Visible rows of an entity in one lab (all labs for `labor` when `laborID` is nil), without orphans
    /// unless asked, filtered by `feld=wert` as a person types it (parsed like on `add`, ids may be
    /// prefixes), in display order. Code that has values, not input, calls `records(of:in:where:)`.
    ///
    /// `fields` limits what the records hold (a listing reads only the fields it shows; the owning
    /// reference is always read): nil reads all.
    public func records(
        _ entityKey: String, laborID: String?, filter: [String: String] = [:],
        includeOrphans: Bool = false, fields: [String]? = nil
    ) throws -> [Record] {
        let entity = try self.entity(entityKey)
        var conditions: [String: DatabaseValue] = [:]
        for (key, input) in filter.sorted(by: { $0.key < $1.key }) {
            if key == "id" {
                conditions["id"] = .text(try resolveID(entityKey, input, laborID: laborID))
                continue
            }
            guard let field = entity.field(named: key) else {
                if let retired = RetiredField.named(key, in: entity) {
                    throw DomainError.retiredField(entity: entity.key, field: retired.key, movedTo: retired.movedTo)
                }
                throw DomainError.unknownField(entity: entity.key, field: key, allowed: entity.fields.map(\.key))
            }
            var value = try field.parse(input, entity: entity.key)
            if let target = field.referencedEntity, case .text(let prefix) = value {
                // A filter may name a parent that is gone (to find orphans): then the text is taken as is.
                do {
                    value = .text(try resolveID(target, prefix, laborID: laborID))
                } catch DomainError.notFound {
                    value = .text(prefix)
                }
            }
            conditions[field.key] = value
        }
        return try records(of: entity, in: laborID, where: conditions, includeOrphans: includeOrphans, fields: fields)
    }

    /// Visible rows of `entity` in lab `laborID` (every lab when nil) whose fields equal the given
    /// values (`.null` matches an empty field), without orphans unless asked, in display order.
    ///
    /// ```swift
    /// let steps = try store.records(of: schritt, in: lab, where: ["nutzerreise_id": .text(journey.id)])
    /// ```
    public func records(
        of entity: Entity, in laborID: String?, where conditions: [String: DatabaseValue] = [:],
        includeOrphans: Bool = false, fields: [String]? = nil
    ) throws -> [Record] {
        var bindings: [DatabaseValue] = []
        var clauses: [String] = []
        if let laborID {
            clauses.append("labor_id = ?")
            bindings.append(.text(laborID))
        }
        for (key, value) in conditions.sorted(by: { $0.key < $1.key }) {
            guard key == "id" || entity.field(key) != nil else {
                throw DomainError.unknownField(entity: entity.key, field: key, allowed: entity.fields.map(\.key))
            }
            clauses.append(value.isNull ? "\"\(key)\" IS NULL" : "\"\(key)\" = ?")
            if !value.isNull { bindings.append(value) }
        }
        let records = try fetch(entity, clauses: clauses, bindings: bindings, fields: fields)
        return includeOrphans ? records : try separatingOrphans(records).kept
    }

    /// Splits rows into those whose lab and owning parent are visible and the orphans.
    func separatingOrphans(_ records: [Record]) throws -> (kept: [Record], orphans: [Record]) {
        // Many rows share a lab and a parent: look each one up once (the same as the row before
        // without building a key).
        var visible: [String: Bool] = [:]
        var last: (table: String, id: String, answer: Bool)?
        var kept: [Record] = []
        var orphans: [Record] = []
        for record in records {
            let orphan = try isOrphan(record) { table, id in
                if let last, last.id == id, last.table == table { return last.answer }
                let key = table + "/" + id
                // A parent's table the replica does not have holds no visible parent.
                let answer =
                    try visible[key] ?? (replica.tableNames.contains(table) && replica.isVisible(table: table, id: id))
                visible[key] = answer
                last = (table, id, answer)
                return answer
            }
            if orphan { orphans.append(record) } else { kept.append(record) }
        }
        return (kept, orphans)
    }

    /// One visible row by exact id.
    public func record(_ entityKey: String, id: String) throws -> Record? {
        try fetch(try self.entity(entityKey), clauses: ["id = ?"], bindings: [.text(id)]).first
    }

    private func fetch(_ entity: Entity, clauses: [String], bindings: [DatabaseValue], fields: [String]? = nil)
        throws -> [Record]
    {
        var selected = "*"
        if let fields {
            var keys = ["id", "labor_id"] + (entity.owningField.map { [$0.key] } ?? [])
            for key in fields + (entity.isOrdered ? ["position"] : [])
            where !keys.contains(key) && (key == "position" || entity.field(key) != nil) {
                keys.append(key)
            }
            selected = keys.map { "\"\($0)\"" }.joined(separator: ", ")
        }
        var sql = "SELECT \(selected) FROM \"\(entity.key)\""
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += entity.isOrdered ? " ORDER BY \"\(entity.orderedWithin!)\", position, id" : " ORDER BY id"
        return try replica.read { db in
            let statement = try db.statement(sql)
            let names = statement.columnNames
            let idColumn = names.firstIndex(of: "id")
            let labColumn = names.firstIndex(of: "labor_id")
            let valueColumns = names.indices.filter {
                names[$0] != "id" && names[$0] != "labor_id" && names[$0] != TableState.metaColumn
            }
            let layout = RecordLayout(names: valueColumns.map { names[$0] })
            return try statement.rows(bindings) { row in
                Record(
                    entity: entity, id: idColumn.flatMap { row.text($0) } ?? "",
                    laborID: labColumn.flatMap { row.text($0) } ?? "", layout: layout,
                    stored: valueColumns.map { row.value($0) })
            }
        }
    }

    /// Whether the row's owning parent or its lab is gone (deleted concurrently elsewhere).
    public func isOrphan(_ record: Record) throws -> Bool {
        try isOrphan(record) { try replica.isVisible(table: $0, id: $1) }
    }

    private func isOrphan(_ record: Record, isVisible: (String, String) throws -> Bool) throws -> Bool {
        if !record.entity.isLab, !(try isVisible(Domain.lab.key, record.laborID)) { return true }
        guard let owning = record.entity.owningField, let target = owning.referencedEntity else { return false }
        guard let parent = record.text(owning.key) else { return true }
        return !(try isVisible(target, parent))
    }

    /// Resolves a full id or a unique prefix of one; lists the candidates when ambiguous.
    public func resolveID(_ entityKey: String, _ prefix: String, laborID: String?) throws -> String {
        let entity = try self.entity(entityKey)
        var sql = "SELECT id, \"\(entity.titleField)\" FROM \"\(entity.key)\" WHERE substr(id, 1, ?) = ?"
        var bindings: [DatabaseValue] = [.integer(Int64(prefix.utf8.count)), .text(prefix)]
        if let laborID, !entity.isLab {
            sql += " AND labor_id = ?"
            bindings.append(.text(laborID))
        }
        sql += " ORDER BY id LIMIT 11"
        let candidates = try rows(sql, bindings) { row in (row.text(0) ?? "", row.value(1)) }
        if let exact = candidates.first(where: { $0.0 == prefix }) { return exact.0 }
        guard !prefix.isEmpty, !candidates.isEmpty else { throw DomainError.notFound(entity: entity.key, id: prefix) }
        guard candidates.count == 1 else {
            let title = entity.field(entity.titleField)
            throw DomainError.ambiguousID(
                entity: entity.key, prefix: prefix,
                candidates: candidates.prefix(10).map {
                    "\($0.0)  \(title?.display($0.1) ?? "")"
                } + (candidates.count > 10 ? ["…"] : []))
        }
        return candidates[0].0
    }

    // MARK: - Writing

    /// Adds a row. `laborID` is the current lab (ignored for `labor` itself, whose `labor_id` is its own id).
    /// Values are user input; required fields without default must be given. Returns the new id.
    @discardableResult
    public func add(_ entityKey: String, laborID: String? = nil, id: String? = nil, fields: [String: String]) throws
        -> String
    {
        let entity = try self.entity(entityKey)
        let newID = id ?? RowID.generate()
        let lab: String
        if entity.isLab {
            try Self.validateLaborID(newID)
            lab = newID
        } else {
            guard let laborID, try replica.isVisible(table: Domain.lab.key, id: laborID) else {
                throw DomainError.noCurrentLab
            }
            lab = laborID
        }
        var values = try parse(entity, fields, laborID: lab)
        for field in entity.fields where values[field.key] == nil {
            if let fallback = field.defaultValue { values[field.key] = try field.parse(fallback, entity: entity.key) }
        }
        let missing = entity.fields.filter { $0.required && (values[$0.key]?.isNull ?? true) }.map(\.key)
        guard missing.isEmpty else { throw DomainError.missingRequired(entity: entity.key, fields: missing) }
        try validateProcessRules(entity, id: nil, values: values)
        values["labor_id"] = .text(lab)
        if let parentField = entity.orderedWithin, let parent = values[parentField]?.textValue {
            let last = try siblings(entity, parentField: parentField, parent: parent).last?.1
            values["position"] = .text(FractionalIndex.after(last))
        }
        return try replica.insert(into: entity.key, id: newID, values: values)
    }

    /// Changes the given fields of a visible row.
    public func set(_ entityKey: String, id: String, fields: [String: String]) throws {
        let entity = try self.entity(entityKey)
        guard let current = try record(entity.key, id: id) else {
            throw DomainError.notFound(entity: entity.key, id: id)
        }
        let values = try parse(entity, fields, laborID: current.laborID)
        for (key, value) in values where value.isNull && entity.field(key)?.required == true {
            throw DomainError.cannotClearRequired(entity: entity.key, field: key)
        }
        try validateProcessRules(entity, id: id, values: current.values.merging(values) { _, new in new })
        var changes = values
        if let parentField = entity.orderedWithin, let parent = values[parentField]?.textValue,
            parent != current.text(parentField)
        {
            // Moving to another parent appends there.
            let last = try siblings(entity, parentField: parentField, parent: parent).last?.1
            changes["position"] = .text(FractionalIndex.after(last))
        }
        try replica.update(entity.key, id: id, values: changes)
    }

    /// Deletes a row and, in the same transaction, everything that belongs to it (a lab: all its rows).
    public func delete(_ entityKey: String, id: String) throws {
        let entity = try self.entity(entityKey)
        guard try replica.isVisible(table: entity.key, id: id) else {
            throw DomainError.notFound(entity: entity.key, id: id)
        }
        try replica.transaction { try deleteTree(entity, id: id) }
    }

    /// Restores a deleted row and what was deleted together with it.
    public func restore(_ entityKey: String, id: String) throws {
        let entity = try self.entity(entityKey)
        let deletion = try replica.rowChangeVersion(table: entity.key, id: id)
        try replica.transaction {
            try replica.restore(entity.key, id: id)
            try restoreChildren(of: entity, id: id, deletedSince: deletion)
        }
    }

    /// Moves an ordered child within its parent's list.
    public func move(_ entityKey: String, id: String, to target: MoveTarget) throws {
        let entity = try self.entity(entityKey)
        guard let parentField = entity.orderedWithin else { throw DomainError.notOrdered(entity: entity.key) }
        guard let record = try record(entity.key, id: id), let parent = record.text(parentField) else {
            throw DomainError.notFound(entity: entity.key, id: id)
        }
        let others = try siblings(entity, parentField: parentField, parent: parent).filter { $0.0 != id }
        let position: String
        switch target {
        case .first: position = FractionalIndex.before(others.first?.1)
        case .last: position = FractionalIndex.after(others.last?.1)
        case .before(let anchorInput), .after(let anchorInput):
            let anchor = try resolveID(entity.key, anchorInput, laborID: record.laborID)
            guard anchor != id else {
                throw DomainError.invalidMove("ein Eintrag kann nicht relativ zu sich selbst stehen.")
            }
            guard let index = others.firstIndex(where: { $0.0 == anchor }) else {
                throw DomainError.invalidMove("„\(anchor)“ gehört nicht zur selben Liste.")
            }
            if case .before = target {
                position = FractionalIndex.between(index > 0 ? others[index - 1].1 : nil, others[index].1)
            } else {
                position = FractionalIndex.between(
                    others[index].1, index + 1 < others.count ? others[index + 1].1 : nil)
            }
        }
        try replica.update(entity.key, id: id, values: ["position": .text(position)])
    }

    // MARK: - Helpers

    /// A lab id: 1–64 letters, digits, `-` or `_` (readable ids such as `wohngeld-mv`, or generated UUIDs).
    static func validateLaborID(_ id: String) throws {
        guard LabID(id) != nil else {
            throw DomainError.invalidValue(entity: Domain.lab.key, field: "id", value: id, reason: LabID.rule + ".")
        }
    }

    private func parse(_ entity: Entity, _ fields: [String: String], laborID: String) throws -> [String: DatabaseValue]
    {
        var values: [String: DatabaseValue] = [:]
        for (key, input) in fields {
            if key == "labor_id" || key == "position" || key == "id" {
                throw DomainError.systemField(entity: entity.key, field: key)
            }
            guard let field = entity.field(named: key) else {
                if let retired = RetiredField.named(key, in: entity) {
                    throw DomainError.retiredField(entity: entity.key, field: retired.key, movedTo: retired.movedTo)
                }
                throw DomainError.unknownField(entity: entity.key, field: key, allowed: entity.fields.map(\.key))
            }
            var value = try field.parse(input, entity: entity.key)
            if let target = field.referencedEntity, case .text(let prefix) = value {
                value = .text(try resolveID(target, prefix, laborID: laborID))
            }
            values[field.key] = value
        }
        return values
    }

    /// Visible rows under one parent, in order: (id, position).
    private func siblings(_ entity: Entity, parentField: String, parent: String) throws -> [(String, String)] {
        try rows(
            "SELECT id, position FROM \"\(entity.key)\" WHERE \"\(parentField)\" = ? ORDER BY position, id",
            [.text(parent)]
        ) { ($0.text(0) ?? "", $0.text(1) ?? "") }
    }

    /// Entities whose rows belong to `entity` through an owning reference.
    private func ownedEntities(of entity: Entity) -> [(Entity, Field)] {
        Domain.entities.compactMap { child in
            guard let field = child.owningField, field.referencedEntity == entity.key else { return nil }
            return (child, field)
        }
    }

    private func deleteTree(_ entity: Entity, id: String) throws {
        try replica.delete(entity.key, id: id)
        if entity.isLab {
            for child in Domain.labContents {
                let ids = try rows("SELECT id FROM \"\(child.key)\" WHERE labor_id = ?", [.text(id)]) {
                    $0.text(0) ?? ""
                }
                for childID in ids { try replica.delete(child.key, id: childID) }
            }
            return
        }
        for (child, field) in ownedEntities(of: entity) {
            let ids = try rows(
                "SELECT id FROM \"\(child.key)\" WHERE \"\(field.key)\" = ?", [.text(id)]
            ) {
                $0.text(0) ?? ""
            }
            for childID in ids { try deleteTree(child, id: childID) }
        }
    }

    /// Restores children deleted by the same cascade: those whose delete came after the parent's.
    private func restoreChildren(of entity: Entity, id: String, deletedSince deletion: Version?) throws {
        guard let deletion else { return }
        let children: [(Entity, String?)] =
            entity.isLab
            ? Domain.labContents.map { ($0, "labor_id") }
            : ownedEntities(of: entity).map { ($0.0, $0.1.key) }
        for (child, field) in children {
            guard let field else { continue }
            for row in try replica.deletedRows(table: child.key)
            where row.values[field]?.textValue == id && !(row.deletedBy.map { $0 < deletion } ?? true) {
                try replica.restore(child.key, id: row.id)
                if !entity.isLab { try restoreChildren(of: child, id: row.id, deletedSince: deletion) }
            }
        }
    }
}

extension LaborStore {
    /// Reads rows through the replica's read-only view.
    func rows<T>(_ sql: String, _ values: [DatabaseValue] = [], _ read: (Row) throws -> T) throws -> [T] {
        try replica.read { try $0.rows(sql, values, read) }
    }
}
