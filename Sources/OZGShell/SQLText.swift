import Foundation

/// What SQLite itself skips between statements: whitespace, `;` and comments.
enum SQLText {
    /// `sql` without the whitespace, semicolons and comments at its start; empty when nothing else is there.
    ///
    /// ```swift
    /// SQLText.droppingLeadingSeparators(" ; -- fertig\n")  // ""
    /// SQLText.droppingLeadingSeparators("; DELETE FROM persona")  // "DELETE FROM persona"
    /// ```
    static func droppingLeadingSeparators(_ sql: some StringProtocol) -> String {
        var rest = Substring(sql)
        while let first = rest.first {
            if first.isWhitespace || first == ";" {
                rest = rest.dropFirst()
            } else if rest.hasPrefix("--") {
                // A line comment runs to the end of the line (or of the text).
                rest = rest.drop { $0 != "\n" && $0 != "\r\n" }
            } else if rest.hasPrefix("/*") {
                // An unterminated block comment runs to the end, as in SQLite.
                guard let end = rest.dropFirst(2).range(of: "*/") else { return "" }
                rest = rest[end.upperBound...]
            } else {
                break
            }
        }
        return String(rest)
    }
}
