import Foundation
import OZGReplication
import OZGStorage

extension Field {
    /// Parses user input into the stored value; empty input clears the field (NULL).
    ///
    /// References are returned as typed text here; the store resolves abbreviated ids.
    public func parse(_ input: String, entity: String) throws -> DatabaseValue {
        let trimmed = input.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return .null }
        func invalid(_ reason: String) -> DomainError {
            .invalidValue(entity: entity, field: key, value: input, reason: reason)
        }
        switch kind {
        case .text(let maxLength):
            if let maxLength, trimmed.count > maxLength {
                throw invalid("höchstens \(maxLength) Zeichen erlaubt (sind \(trimmed.count)).")
            }
            return .text(trimmed)
        case .longText:
            return .text(input)
        case .integer(let range):
            let allowed =
                range.map { "erlaubt: ganze Zahl von \($0.lowerBound) bis \($0.upperBound)." }
                ?? "erlaubt: eine ganze Zahl."
            guard let number = Int64(trimmed.replacingOccurrences(of: "+", with: "")), range?.contains(number) ?? true
            else {
                throw invalid(allowed)
            }
            return .integer(number)
        case .boolean:
            switch trimmed.lowercased() {
            case "ja", "j", "true", "wahr", "1", "x": return .integer(1)
            case "nein", "n", "false", "falsch", "0": return .integer(0)
            default: throw invalid("erlaubt: ja oder nein.")
            }
        case .date:
            guard Self.isValidDate(trimmed) else {
                throw invalid("erlaubt: ein Datum im Format JJJJ-MM-TT, z. B. 2026-11-28.")
            }
            return .text(trimmed)
        case .choice(let choices):
            guard let choice = Self.match(trimmed, in: choices) else { throw invalid(Self.allowedText(choices)) }
            return .text(choice.key)
        case .suggested(let choices):
            return .text(Self.match(trimmed, in: choices)?.key ?? trimmed)
        case .choices(let choices):
            var keys = Set<String>()
            for part in trimmed.split(separator: ";") {
                let item = part.trimmingCharacters(in: .whitespaces)
                if item.isEmpty { continue }
                guard let choice = Self.match(item, in: choices) else {
                    throw DomainError.invalidValue(
                        entity: entity, field: key, value: item,
                        reason: Self.allowedText(choices) + " Mehrere mit ; trennen.")
                }
                keys.insert(choice.key)
            }
            let ordered = choices.map(\.key).filter(keys.contains)
            return ordered.isEmpty ? .null : .text(ordered.joined(separator: ";"))
        case .list:
            let items = trimmed.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            return items.isEmpty ? .null : .text(items.joined(separator: ";"))
        case .reference:
            return .text(trimmed)
        case .digits(let count):
            guard trimmed.count == count, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw invalid("erlaubt: genau \(count) Ziffern, wie der Schlüssel im Leistungskatalog steht.")
            }
            return .text(trimmed)
        case .digitsList(let count):
            let items = trimmed.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            for item in items where item.count != count || !item.allSatisfy({ $0.isASCII && $0.isNumber }) {
                throw invalid(
                    "„\(item)“ ist kein Schlüssel: erlaubt sind je genau \(count) Ziffern, mehrere mit ; getrennt.")
            }
            return items.isEmpty ? .null : .text(items.joined(separator: ";"))
        }
    }

    /// The value as a person reads it: labels for keys, ja/nein, list items separated by "; ".
    public func display(_ value: DatabaseValue) -> String {
        switch (kind, value) {
        case (_, .null): return ""
        case (.choice(let choices), .text(let key)), (.suggested(let choices), .text(let key)):
            return choices.first { $0.key == key }?.label ?? key
        case (.choices(let choices), .text(let keys)):
            return keys.split(separator: ";").map { key in choices.first { $0.key == key }?.label ?? String(key) }
                .joined(separator: ", ")
        case (.boolean, .integer(let flag)): return flag != 0 ? "ja" : "nein"
        case (.list, .text(let items)), (.digitsList, .text(let items)):
            return items.split(separator: ";").joined(separator: "; ")
        case (_, .integer(let number)): return String(number)
        case (_, .real(let number)): return String(number)
        case (_, .text(let text)): return text
        case (_, .blob(let bytes)): return "<\(bytes.count) Bytes>"
        }
    }

    /// The items of a list or choices value.
    public static func items(_ value: DatabaseValue) -> [String] {
        guard case .text(let text) = value else { return [] }
        return text.split(separator: ";").map(String.init)
    }

    static func match(_ input: String, in choices: [Choice]) -> Choice? {
        if let exact = choices.first(where: { $0.key == input }) { return exact }
        let folded = InputFolding.comparable(input)
        return choices.first { choice in
            InputFolding.comparable(choice.key) == folded || InputFolding.comparable(choice.label) == folded
                || choice.aliases.contains { InputFolding.comparable($0) == folded }
        }
    }

    static func allowedText(_ choices: [Choice]) -> String {
        "erlaubt: " + choices.map { $0.key == $0.label ? $0.key : "\($0.key) (\($0.label))" }.joined(separator: ", ")
            + "."
    }

    static func isValidDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), day >= 1
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }
}
