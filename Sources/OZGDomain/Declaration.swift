import OZGReplication

/// One allowed value of a choice field: the stored key, the German label, and spellings accepted on input.
/// How typed input is compared with keys and labels: facilitators write „Bauen und Wohnen“ for the
/// label „Bauen & Wohnen“ (the seed documents' spelling), umlauts for the ASCII keys, any capitals.
public enum InputFolding {
    /// `name` in the spelling of field keys: lower case, umlauts and ß transliterated.
    public static func asciiKey(_ name: String) -> String {
        var result = ""
        for character in name.lowercased() {
            switch character {
            case "ä": result += "ae"
            case "ö": result += "oe"
            case "ü": result += "ue"
            case "ß": result += "ss"
            default: result.append(character)
            }
        }
        return result
    }

    /// A label or typed value for comparison: ASCII key spelling, „und“ as „&“, single spaces.
    public static func comparable(_ text: String) -> String {
        asciiKey(text).split(whereSeparator: \.isWhitespace).map { $0 == "und" ? "&" : String($0) }
            .joined(separator: " ")
    }
}

public struct Choice: Sendable, Hashable {
    public let key: String
    public let label: String
    public let aliases: [String]

    public init(_ key: String, _ label: String, aliases: [String] = []) {
        self.key = key
        self.label = label
        self.aliases = aliases
    }
}

/// What a field holds and how input is checked; stored keys, shown labels.
public enum FieldKind: Sendable, Hashable {
    /// One line of text, optionally limited in length.
    case text(maxLength: Int? = nil)
    /// Free text that may span lines.
    case longText
    /// A whole number, optionally within a range.
    case integer(ClosedRange<Int64>? = nil)
    /// ja/nein, stored as 1/0.
    case boolean
    /// A calendar date `JJJJ-MM-TT`.
    case date
    /// Exactly one of the given values (key stored).
    case choice([Choice])
    /// Any subset of the given values, stored as keys joined by `;` in declaration order.
    case choices([Choice])
    /// One line of text with a default list: a value of the list is stored by its key and shown by
    /// its label, anything else as typed (the journey's Phase / Etappe, data dictionary §5.3).
    case suggested([Choice])
    /// Free entries separated by `;`.
    case list
    /// The id of a row of another entity of the same lab.
    case reference(entity: String)
    /// Exactly `count` digits (LeiKa-Schlüssel: 14).
    case digits(count: Int)
    /// Several keys of exactly `count` digits, separated by `;` (regional Leistungsschlüssel).
    case digitsList(count: Int)

    /// The SQLite column type the replicated table declares.
    var columnType: ColumnType {
        switch self {
        case .integer, .boolean: return .integer
        default: return .text
        }
    }

    /// The allowed choices, for completion and messages.
    public var choiceValues: [Choice] {
        switch self {
        case .choice(let values), .choices(let values), .suggested(let values): return values
        default: return []
        }
    }
}

/// One field of an entity.
public struct Field: Sendable, Hashable {
    public let key: String
    public let label: String
    public let kind: FieldKind
    /// Must be given on `add` and cannot be cleared.
    public let required: Bool
    /// Used on `add` when the field is not given.
    public let defaultValue: String?
    /// For a reference: deleting the referenced row deletes this row too (the row belongs to it).
    public let owning: Bool

    public init(
        _ key: String, _ label: String, _ kind: FieldKind, required: Bool = false, default defaultValue: String? = nil,
        owning: Bool = false
    ) {
        self.key = key
        self.label = label
        self.kind = kind
        self.required = required
        self.defaultValue = defaultValue
        self.owning = owning
    }

    /// The referenced entity, for reference fields.
    public var referencedEntity: String? {
        if case .reference(let entity) = kind { return entity }
        return nil
    }
}

/// One entity of the domain: its table key, German names, fields and, for ordered children, its parent.
///
/// A class so that the many `Record`s of a listing share one declaration instead of copying it.
public final class Entity: Sendable, Hashable {
    public let key: String
    public let label: String
    public let pluralLabel: String
    public let fields: [Field]
    /// For ordered children: the owning reference field whose rows share one order (`position`).
    public let orderedWithin: String?
    /// The field shown to tell rows apart (title, name, …).
    public let titleField: String
    /// Whether this is the lab itself: its rows are the labs, whose `labor_id` is their own id, and
    /// deleting one deletes everything in it.
    public let isLab: Bool
    /// The fields a short listing shows after the title, when the first short fields are not the
    /// telling ones (a Befund's Schweregrad and Status, a Sequenzfluss's von and nach); nil: the first
    /// four short fields.
    public let listed: [String]?
    /// Fields an earlier schema declared here and a later one moved to other entities: their columns
    /// stay in the table (replicas of the earlier program still write them), but they are neither shown
    /// nor accepted; `LaborStore.moveRetiredFields()` carries their values to where they live now.
    public let retired: [RetiredField]
    /// Text columns the program keeps for itself, never shown or accepted (which lab value a moved
    /// field came from: `LaborStore.moveRetiredFields()`).
    public let bookkeeping: [String]
    private let fieldsByKey: [String: Field]

    public init(
        _ key: String, _ label: String, plural: String, title: String, orderedWithin: String? = nil,
        isLab: Bool = false, listed: [String]? = nil, fields: [Field], retired: [RetiredField] = [],
        bookkeeping: [String] = []
    ) {
        self.key = key
        self.retired = retired
        self.bookkeeping = bookkeeping
        self.listed = listed
        self.isLab = isLab
        self.label = label
        self.pluralLabel = plural
        self.fields = fields
        self.orderedWithin = orderedWithin
        self.titleField = title
        self.fieldsByKey = Dictionary(fields.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public static func == (lhs: Entity, rhs: Entity) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    public func field(_ key: String) -> Field? { fieldsByKey[key] }

    /// The field a person means by `name`: its key, or the key typed with umlauts or capitals
    /// (`auslöser` is `ausloeser`, field keys are written in ASCII).
    public func field(named name: String) -> Field? {
        fieldsByKey[name] ?? fieldsByKey[InputFolding.asciiKey(name)]
    }

    /// The owning reference (the parent this row belongs to), if any.
    public var owningField: Field? { fields.first { $0.owning } }

    public var isOrdered: Bool { orderedWithin != nil }

    /// The replicated table: `labor_id`, the declared fields and, for ordered children, `position`.
    var table: ReplicatedTable {
        var columns = [ReplicatedColumn("labor_id")]
        columns += fields.map { ReplicatedColumn($0.key, $0.kind.columnType) }
        columns += retired.map { ReplicatedColumn($0.key, $0.columnType) }
        columns += bookkeeping.map { ReplicatedColumn($0) }
        if isOrdered { columns.append(ReplicatedColumn("position")) }
        return ReplicatedTable(key, columns: columns)
    }
}

/// A field a previous schema declared and a later one moved: the column remains, the input is refused
/// with a pointer to where the value lives now.
public struct RetiredField: Sendable, Hashable {
    public let key: String
    let columnType: ColumnType
    /// Where the value lives now and how to enter it, in German.
    public let movedTo: String

    public init(_ key: String, integer: Bool = false, movedTo: String) {
        self.key = key
        self.columnType = integer ? .integer : .text
        self.movedTo = movedTo
    }

    /// The retired field of `entity` a person means by `name`, if any.
    static func named(_ name: String, in entity: Entity) -> RetiredField? {
        let key = InputFolding.asciiKey(name)
        return entity.retired.first { $0.key == name || $0.key == key }
    }
}
