import Foundation

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
    /// `atLineStart` false: the text follows a marker on its line (a heading's `## `), where block
    /// syntax such as `1. ` cannot take effect and is left as written.
    static func inline(_ text: String, atLineStart: Bool = true) -> String {
        let lines = lines(of: text)
        // One line keeps its spaces: callers interpolate pieces such as " (primäre Persona)".
        guard lines.count > 1 else { return escapeLine(text, atLineStart: atLineStart) }
        return escapeLine(lines.map(trimmed).filter { !$0.isEmpty }.joined(separator: " / "), atLineStart: atLineStart)
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
    static func escapeLine(_ line: String, atLineStart: Bool = true) -> String {
        let scalars = Array(line.unicodeScalars)
        var out = String.UnicodeScalarView()
        let blockMarker = atLineStart ? blockMarkerIndex(scalars) : nil
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
