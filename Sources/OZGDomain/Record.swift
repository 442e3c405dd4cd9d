import OZGReplication
import OZGStorage

/// One visible row of a domain entity, with its stored values by field key.
public struct Record: Sendable, Equatable {
    public let entity: Entity
    public let id: String
    public let laborID: String
    /// Stored values by field key (plus `position` for ordered children).
    public let values: [String: DatabaseValue]

    public subscript(_ field: String) -> DatabaseValue { values[field] ?? .null }

    /// The stored text of a field, or nil.
    public func text(_ field: String) -> String? { self[field].textValue }

    /// The value as a person reads it (labels for keys).
    public func display(_ field: String) -> String {
        guard let declaration = entity.field(field) else { return self[field].textValue ?? "" }
        return declaration.display(self[field])
    }

    /// The row's title (its title field, or its id).
    public var title: String {
        let text = display(entity.titleField)
        return text.isEmpty ? id : text
    }

    /// The id of the row this one belongs to (its owning reference), if any.
    public var parentID: String? {
        entity.owningField.flatMap { text($0.key) }
    }
}

/// Where `move` puts an ordered child.
public enum MoveTarget: Sendable, Equatable {
    case before(String)
    case after(String)
    case first
    case last
}
