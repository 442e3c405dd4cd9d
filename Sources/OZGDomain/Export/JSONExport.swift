import Foundation
import OZGReplication
import OZGStorage

/// JSON of a whole lab: stable key order, rows sorted by id, no export timestamp — the same visible
/// state gives byte-identical output. `JSONImport` loads such a file into a replica.
///
/// ```json
/// {"entitaeten":{"persona":[{"id":"…","name":"Erika",…}],…},"format":"ozg-labor-sync","labor":{…},"version":1}
/// ```
public enum JSONExport {
    public static let format = "ozg-labor-sync"
    public static let version = 1

    public static func json(store: LaborStore, laborID: String) throws -> String {
        let lab = try store.snapshot(of: laborID)
        var entities: [String: JSONValue] = [:]
        for entity in Domain.labContents {
            entities[entity.key] = .array(lab.records(entity.key).sorted { $0.id < $1.id }.map(object))
        }
        let root: JSONValue = .object([
            "format": .string(format), "version": .number(Int64(version)), "labor": object(lab.lab),
            "entitaeten": .object(entities),
        ])
        return root.rendered(indent: 0) + "\n"
    }

    static func object(_ record: Record) -> JSONValue {
        var members: [String: JSONValue] = ["id": .string(record.id)]
        for field in record.entity.fields {
            if let value = value(of: field, record[field.key]) { members[field.key] = value }
        }
        if record.entity.isOrdered, let position = record.text("position") { members["position"] = .string(position) }
        return .object(members)
    }

    /// How a field appears in the file: what `jq` and analysts can compute with (see `JSONType`).
    static func value(of field: Field, _ stored: DatabaseValue) -> JSONValue? {
        switch (JSONType(field.kind), stored) {
        case (_, .null), (_, .blob): return nil
        case (.boolean, .integer(let flag)): return .bool(flag != 0)
        case (_, .integer(let number)): return .number(number)
        case (_, .real(let number)): return number.isFinite ? .real(number) : .string(String(number))
        case (.array, .text(let text)): return .array(Field.items(.text(text)).map(JSONValue.string))
        case (.number, .text(let text)):
            // A numbered choice (Schweregrad); a value a peer stored in another form stays text.
            return Int64(text).map { String($0) == text ? .number($0) : .string(text) } ?? .string(text)
        case (_, .text(let text)): return .string(text)
        }
    }
}

/// The JSON type a field has in the export, derived from its declared kind.
public enum JSONType: String, Sendable, CaseIterable {
    case string, number, boolean, array

    /// Integers and choices whose keys are all whole numbers (Schweregrad 0–4) are numbers, lists and
    /// multiple choices arrays of strings, ja/nein booleans, everything else strings.
    public init(_ kind: FieldKind) {
        switch kind {
        case .integer: self = .number
        case .boolean: self = .boolean
        case .list, .choices, .digitsList: self = .array
        case .choice(let choices):
            let numbered = !choices.isEmpty && choices.allSatisfy { Int64($0.key).map(String.init) == $0.key }
            self = numbered ? .number : .string
        case .text, .longText, .date, .reference, .digits, .suggested: self = .string
        }
    }

    /// How docs/EXPORTS-JSON.md names the type.
    var documentation: String {
        switch self {
        case .string: return "string"
        case .number: return "number"
        case .boolean: return "boolean (`true`/`false`)"
        case .array: return "array of string"
        }
    }
}

/// A JSON value rendered with sorted keys, two-space indentation and escaped strings.
indirect enum JSONValue: Equatable {
    case string(String)
    case number(Int64)
    /// A finite real number (a peer may store one in an INTEGER column).
    case real(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])

    func rendered(indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let close = String(repeating: "  ", count: indent)
        switch self {
        case .string(let text): return Self.quote(text)
        case .number(let number): return String(number)
        case .real(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n\(close)]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n"
                + members.keys.sorted().map { key in
                    pad + Self.quote(key) + ": " + members[key]!.rendered(indent: indent + 1)
                }.joined(separator: ",\n") + "\n\(close)}"
        }
    }

    static func quote(_ text: String) -> String { JSONText.quote(text) }
}

/// JSON string literals.
public enum JSONText {
    /// `text` as a JSON string literal with quotes, backslashes and control characters escaped.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
