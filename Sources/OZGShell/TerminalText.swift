/// Text made safe to show on a terminal: every control character is shown, none acts.
///
/// Replicated text comes from other people's devices. Written to a terminal as it is, an ESC starts
/// a control sequence (clear the screen, set the window title, move the cursor, on some terminals
/// write to the clipboard), a CR overwrites what the line showed, and a bidi override reverses the
/// rest of a table row. The shell therefore passes everything it prints through `visible(_:lineBreaks:)`
/// (`Interpreter.write`, `ResultTable.render`, the line editor, error messages):
///
/// - C0 controls and DEL become their Unicode control pictures, one column wide like the character
///   they stand for: ESC → `␛` (U+241B), BEL → `␇`, CR → `␍`, DEL → `␡`.
/// - C1 controls (U+0080–U+009F, among them CSI U+009B) and the bidi embeddings, overrides and
///   isolates (U+202A–U+202E, U+2066–U+2069) have no picture; they are shown as `\u{9B}`, `\u{202E}`.
///   Bidi marks (U+200E, U+200F) stay: they have no scope and cannot reorder the rest of a line.
/// - Newline and tab stay where a multi-line text is shown (`.kept`), as does CR directly before a
///   newline (CSV lines end in CRLF); in a table cell (`.shown`) a newline becomes ` ⏎ ` and a tab `␉`.
///
/// ```swift
/// TerminalText.visible("Erika\u{1B}[2J")  // "Erika␛[2J"
/// ```
public enum TerminalText {
    /// What happens to newline and tab.
    public enum LineBreaks: Sendable {
        /// Multi-line text: newline, tab and CRLF stay.
        case kept
        /// One table cell on one line: newline becomes ` ⏎ `, tab `␉`.
        case shown
    }

    /// `text` with every control character replaced by a visible stand-in.
    public static func visible(_ text: String, lineBreaks: LineBreaks = .kept) -> String {
        guard needsReplacement(text, lineBreaks) else { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar.value {
            case 0x0A where lineBreaks == .kept, 0x09 where lineBreaks == .kept:
                out.append(scalar)
            case 0x0D where lineBreaks == .kept && index + 1 < scalars.count && scalars[index + 1] == "\n":
                out.append(scalar)
            case 0x0D where lineBreaks == .shown && index + 1 < scalars.count && scalars[index + 1] == "\n":
                continue  // CRLF is one line break: shown once, by its LF
            case 0x0A:
                out.append(contentsOf: " ⏎ ".unicodeScalars)
            case 0x00..<0x20:
                out.append(Unicode.Scalar(0x2400 + scalar.value)!)
            case 0x7F:
                out.append("\u{2421}")
            case _ where isInvisibleFormat(scalar):
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// JSON text with C1 controls, DEL and bidi formatting characters written as `\uXXXX` escapes.
    ///
    /// Valid for any JSON document: outside strings JSON is ASCII, so these characters only occur
    /// inside strings, where the escape means the same character. The document stays lossless and
    /// parseable, and shows nothing a terminal would act on (C0 controls are escaped by `JSONText`).
    static func jsonEscaped(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { $0.value == 0x7F || isInvisibleFormat($0) }) else { return json }
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            if scalar.value == 0x7F || isInvisibleFormat(scalar) {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// C1 controls and the bidi characters that reorder everything up to their end (or the line's).
    static func isInvisibleFormat(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// Whether `text` holds anything `visible` replaces; most text does not and is returned as it is.
    static func needsReplacement(_ text: String, _ lineBreaks: LineBreaks) -> Bool {
        var (secondLast, previous): (UInt8, UInt8) = (0, 0)
        for byte in text.utf8 {
            // Only CRLF survives in multi-line text.
            if previous == 0x0D && byte != 0x0A { return true }
            switch (secondLast, previous, byte) {
            case (_, _, 0x0A), (_, _, 0x09), (_, _, 0x0D): if lineBreaks == .shown { return true }
            case (_, _, 0x00..<0x20), (_, _, 0x7F): return true
            // In UTF-8, C1 controls are C2 80–C2 9F, U+202A–U+202E are E2 80 AA–AE, U+2066–U+2069 E2 81 A6–A9.
            case (_, 0xC2, 0x80...0x9F), (0xE2, 0x80, 0xAA...0xAE), (0xE2, 0x81, 0xA6...0xA9): return true
            default: break
            }
            (secondLast, previous) = (previous, byte)
        }
        return previous == 0x0D
    }
}
