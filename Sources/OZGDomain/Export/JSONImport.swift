import Foundation
import OZGReplication
import OZGStorage

/// Loads a lab exported by `JSONExport` into a replica, as one transaction.
public enum JSONImport {
    /// Imports `text`; with `newIDs` every row (the lab too) gets a fresh id and references follow,
    /// so a lab's results can be copied next to the original. Returns the lab's id in this replica.
    @discardableResult
    public static func load(_ text: String, into store: LaborStore, newIDs: Bool = false) throws -> String {
        guard let data = text.data(using: .utf8),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw DomainError.invalidImport("die Datei ist kein gültiges JSON-Objekt.") }
        guard root["format"] as? String == JSONExport.format else {
            throw DomainError.invalidImport("das Feld „format“ muss „\(JSONExport.format)“ sein.")
        }
        guard (root["version"] as? NSNumber)?.intValue == JSONExport.version else {
            throw DomainError.invalidImport("nur Version \(JSONExport.version) wird unterstützt.")
        }
        guard let labor = root["labor"] as? [String: Any], let laborID = labor["id"] as? String else {
            throw DomainError.invalidImport("das Objekt „labor“ mit „id“ fehlt.")
        }
        let entities = root["entitaeten"] as? [String: Any] ?? [:]
        for key in entities.keys where Domain.entity(key)?.isLab != false {
            throw DomainError.invalidImport("unbekannte Entität „\(key)“.")
        }
        var idMap: [String: String] = [:]
        func mapped(_ id: String) -> String {
            guard newIDs else { return id }
            if let known = idMap[id] { return known }
            let fresh = RowID.generate()
            idMap[id] = fresh
            return fresh
        }
        return try store.replica.transaction {
            let newLab = try insert(
                labor, entity: Domain.lab, laborID: nil, store: store, mapped: mapped)
            // Parents before children: an entity's references point to entities declared before it,
            // except anforderung → befund and element → akteur order, which the declaration order satisfies.
            for entity in importOrder() {
                guard let rows = entities[entity.key] as? [Any] else { continue }
                for case let row as [String: Any] in rows {
                    try insert(row, entity: entity, laborID: newLab, store: store, mapped: mapped)
                }
            }
            _ = laborID
            return newLab
        }
    }

    /// Entities ordered so that every referenced entity comes before the one referring to it.
    static func importOrder() -> [Entity] {
        var done: Set<String> = [Domain.lab.key]
        var order: [Entity] = []
        var remaining = Domain.labContents
        while !remaining.isEmpty {
            let ready = remaining.filter { entity in
                entity.fields.compactMap(\.referencedEntity).allSatisfy { done.contains($0) || $0 == entity.key }
            }
            let next = ready.isEmpty ? [remaining[0]] : ready
            for entity in next {
                order.append(entity)
                done.insert(entity.key)
            }
            remaining.removeAll { entity in next.contains { $0.key == entity.key } }
        }
        return order
    }

    @discardableResult
    static func insert(
        _ row: [String: Any], entity: Entity, laborID: String?, store: LaborStore,
        mapped: (String) -> String
    ) throws -> String {
        guard let id = row["id"] as? String else {
            throw DomainError.invalidImport("ein Eintrag in \(entity.key) hat keine „id“.")
        }
        var fields: [String: String] = [:]
        for (key, value) in row where key != "id" && key != "position" {
            guard let field = entity.field(key) else {
                throw DomainError.invalidImport("unbekanntes Feld „\(key)“ in \(entity.key).")
            }
            let text = try Self.text(value, field: field, entity: entity)
            fields[key] = field.referencedEntity == nil ? text : mapped(text)
        }
        let newID = mapped(id)
        let created = try store.add(entity.key, laborID: laborID, id: newID, fields: fields)
        if entity.isOrdered, let position = row["position"] as? String {
            try store.replica.update(entity.key, id: created, values: ["position": .text(position)])
        }
        return created
    }

    /// A field's value as input text. Accepts the typed form of `JSONExport` (numbers, booleans, arrays
    /// for lists) and the older one, in which every value was a string and lists were joined by `;`.
    static func text(_ value: Any, field: Field, entity: Entity) throws -> String {
        switch value {
        case let string as String: return string
        case let number as NSNumber:
            return field.kind == .boolean ? (number.boolValue ? "ja" : "nein") : number.stringValue
        case let items as [Any] where JSONType(field.kind) == .array:
            return try items.map { item in
                guard let text = item as? String, !text.contains(";") else {
                    throw DomainError.invalidImport(
                        "\(entity.key).\(field.key) enthält einen Listeneintrag, der kein Text ist oder „;“ enthält.")
                }
                return text
            }.joined(separator: ";")
        default:
            let allowed = JSONType(field.kind) == .array ? "eine Liste von Texten" : "Text oder eine Zahl"
            throw DomainError.invalidImport("\(entity.key).\(field.key) hat einen Wert, der nicht \(allowed) ist.")
        }
    }
}
