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
            let value = record[field.key]
            switch (field.kind, value) {
            case (_, .null): continue
            case (.boolean, .integer(let flag)): members[field.key] = .bool(flag != 0)
            case (_, .integer(let number)): members[field.key] = .number(number)
            case (_, .text(let text)): members[field.key] = .string(text)
            case (_, .real(let number)): members[field.key] = .string(String(number))
            case (_, .blob): continue
            }
        }
        if record.entity.isOrdered, let position = record.text("position") { members["position"] = .string(position) }
        return .object(members)
    }
}

/// A JSON value rendered with sorted keys, two-space indentation and escaped strings.
indirect enum JSONValue: Equatable {
    case string(String)
    case number(Int64)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])

    func rendered(indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let close = String(repeating: "  ", count: indent)
        switch self {
        case .string(let text): return Self.quote(text)
        case .number(let number): return String(number)
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
