import Foundation

/// Markdown source built from trusted literals and escaped values.
///
/// Replicated values come from other people's devices; a persona named `<img src=x onerror=…>` or a
/// title `[x](javascript:…)` must render as that text, not as HTML or a link. Interpolating a `String`
/// into a `Markdown` literal escapes it (`MarkdownText.inline`), so every value a section writes is
/// escaped by construction; only literals and other `Markdown` pass through unchanged.
///
/// ```swift
/// var out: Markdown = "### \(persona.title)\n\n"   // the title is escaped
/// out += "\(block: scenario)\n\n"                   // several lines, each escaped
/// ```
struct Markdown: ExpressibleByStringInterpolation, Equatable, Sendable {
    /// The Markdown text.
    private(set) var source: String

    init() { source = "" }
    init(stringLiteral value: String) { source = value }
    init(stringInterpolation: Interpolation) { source = stringInterpolation.source }

    struct Interpolation: StringInterpolationProtocol {
        var source = ""
        init(literalCapacity: Int, interpolationCount: Int) { source.reserveCapacity(literalCapacity * 2) }
        mutating func appendLiteral(_ literal: String) { source += literal }
        /// A value on one line: escaped, line breaks shown as " / ".
        mutating func appendInterpolation(_ value: String) { source += MarkdownText.inline(value) }
        /// A paragraph of several lines, each escaped.
        mutating func appendInterpolation(block value: String) { source += MarkdownText.block(value) }
        mutating func appendInterpolation(_ markdown: Markdown) { source += markdown.source }
        mutating func appendInterpolation(_ number: Int) { source += String(number) }
    }

    var isEmpty: Bool { source.isEmpty }

    static func += (lhs: inout Markdown, rhs: Markdown) { lhs.source += rhs.source }
    static func + (lhs: Markdown, rhs: Markdown) -> Markdown { Markdown(stringLiteral: lhs.source + rhs.source) }
}

extension Array where Element == Markdown {
    func joined(separator: Markdown) -> Markdown {
        Markdown(stringLiteral: map(\.source).joined(separator: separator.source))
    }
}

/// Escaping of replicated text for Markdown (CommonMark, GitHub and pandoc's Markdown).
///
/// HTML (`<`, `>` and `&` where it would start an entity) becomes entities; characters that start
/// links, emphasis, code, pandoc attributes, sub-/superscript or math get a backslash; block syntax
/// (`#`, `- `, `1. `, `: `, `|`, `---`) only where it would take effect, at the start of a line. Umlauts,
/// „…“, dashes and ordinary punctuation stay as they are.
enum MarkdownText {
    /// Escaped anywhere in a line.
    static let backslashed: Set<Unicode.Scalar> = ["\\", "`", "*", "[", "]", "{", "}", "~", "^", "$"]

    /// `text` for one line (heading, list item, table cell, running text): line breaks (LF, CR, CRLF)
    /// become " / " between the trimmed, non-blank lines, then the line is escaped.
    static func inline(_ text: String) -> String {
        let lines = lines(of: text)
        // One line keeps its spaces: callers interpolate pieces such as " (primäre Persona)".
        guard lines.count > 1 else { return escapeLine(text) }
        return escapeLine(lines.map(trimmed).filter { !$0.isEmpty }.joined(separator: " / "))
    }

    /// `text` as a paragraph: its lines kept, indentation dropped (it would make a code block), each
    /// line escaped at its start.
    static func block(_ text: String) -> String {
        lines(of: text).map { escapeLine(trimmed($0)) }.joined(separator: "\n")
    }

    /// `text` in a table cell: one line, and `|` escaped so it cannot open another column.
    static func cell(_ text: String) -> String {
        inline(text).replacingOccurrences(of: "|", with: "\\|")
    }

    static func lines(of text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            if scalar == "\n" && previous == "\r" { continue }
            if scalar == "\n" || scalar == "\r" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        lines.append(String(current))
        return lines
    }

    static func trimmed(_ line: String) -> String {
        line.trimmingCharacters(in: .whitespaces)
    }

    /// One line without line breaks, escaped.
    static func escapeLine(_ line: String) -> String {
        let scalars = Array(line.unicodeScalars)
        var out = String.UnicodeScalarView()
        let blockMarker = blockMarkerIndex(scalars)
        for (index, scalar) in scalars.enumerated() {
            let before = index > 0 ? scalars[index - 1] : nil
            let after = index + 1 < scalars.count ? scalars[index + 1] : nil
            switch scalar {
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "&" where startsEntity(scalars, at: index): out.append(contentsOf: "&amp;".unicodeScalars)
            case "_" where !(isWordCharacter(before) && isWordCharacter(after)):
                // Inside a word (`klick_dummy`) an underscore never emphasises.
                out.append(contentsOf: "\\_".unicodeScalars)
            case "#" where before == nil || before!.properties.isWhitespace:
                out.append(contentsOf: "\\#".unicodeScalars)
            case _ where backslashed.contains(scalar) || index == blockMarker:
                out.append("\\")
                out.append(scalar)
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// The index of the character that would make the line a list item, a definition, a line block,
    /// a thematic break or a setext underline, if any.
    static func blockMarkerIndex(_ whole: [Unicode.Scalar]) -> Int? {
        // Up to three spaces of indentation still open a block; more would start code, which is inert.
        let indentation = whole.prefix { $0 == " " || $0 == "\t" }.count
        return blockMarkerIndex(unindented: Array(whole.dropFirst(indentation))).map { $0 + indentation }
    }

    static func blockMarkerIndex(unindented line: [Unicode.Scalar]) -> Int? {
        guard let first = line.first else { return nil }
        let second = line.count > 1 ? line[1] : nil
        let spaceOrEnd = second == nil || second == " " || second == "\t"
        switch first {
        case "-", "+", "=":
            if spaceOrEnd { return 0 }
            let rule = line.allSatisfy { $0 == first || $0 == " " || $0 == "\t" }
            return rule ? 0 : nil
        case ":": return spaceOrEnd || second == ":" ? 0 : nil
        case "|": return 0
        default:
            // `1. ` and `1) ` open an ordered list.
            let digits = line.prefix { ("0"..."9").contains($0) }.count
            guard digits > 0, digits < line.count, line[digits] == "." || line[digits] == ")" else { return nil }
            let next = digits + 1 < line.count ? line[digits + 1] : nil
            return next == nil || next == " " || next == "\t" ? digits : nil
        }
    }

    /// Whether the `&` at `index` starts `&name;` or `&#123;`, which a renderer would decode.
    static func startsEntity(_ line: [Unicode.Scalar], at index: Int) -> Bool {
        var position = index + 1
        while position < line.count, position - index <= 32 {
            let scalar = line[position]
            if scalar == ";" { return position > index + 1 }
            guard scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "#"
            else { return false }
            position += 1
        }
        return false
    }

    static func isWordCharacter(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
