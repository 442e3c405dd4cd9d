import OZGReplication
import OZGStorage

/// One visible row of a domain entity, with its stored values by field key.
public struct Record: Sendable, Equatable {
    public let entity: Entity
    public let id: String
    public let laborID: String
    /// Which field each stored value belongs to, shared by every record of one query: a listing of
    /// 10,000 rows builds one dictionary, not 10,000 (docs/PERFORMANCE.md, „Shell“).
    let layout: RecordLayout
    let stored: [DatabaseValue]

    init(entity: Entity, id: String, laborID: String, layout: RecordLayout, stored: [DatabaseValue]) {
        self.entity = entity
        self.id = id
        self.laborID = laborID
        self.layout = layout
        self.stored = stored
    }

    /// Stored values by field key (plus `position` for ordered children).
    public var values: [String: DatabaseValue] {
        Dictionary(zip(layout.names, stored)) { first, _ in first }
    }

    public subscript(_ field: String) -> DatabaseValue {
        guard let index = layout.index[field], index < stored.count else { return .null }
        return stored[index]
    }

    public static func == (lhs: Record, rhs: Record) -> Bool {
        lhs.entity == rhs.entity && lhs.id == rhs.id && lhs.laborID == rhs.laborID && lhs.values == rhs.values
    }

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

/// The field names of a query's columns in order, and each name's position.
final class RecordLayout: Sendable {
    let names: [String]
    let index: [String: Int]

    init(names: [String]) {
        self.names = names
        index = Dictionary(names.enumerated().map { ($1, $0) }) { first, _ in first }
    }
}

/// Where `move` puts an ordered child.
public enum MoveTarget: Sendable, Equatable {
    case before(String)
    case after(String)
    case first
    case last
}
