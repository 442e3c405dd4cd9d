import Foundation
import OZGDomain
import OZGReplication
import OZGStorage

/// How the shell prints results.
public enum OutputFormat: String, CaseIterable, Sendable {
    case tabelle
    case json
    case csv
}

/// Rows with named columns, printed as an aligned table, JSON or CSV.
///
/// Cells often hold replicated text, so every format shows control characters instead of passing them
/// to the terminal (`TerminalText`): the table on one line per row, CSV with its line breaks, JSON with
/// `\uXXXX` escapes, which keep the data exact.
public struct ResultTable {
    public var columns: [String]
    public var rows: [[String]]

    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }

    public func render(_ format: OutputFormat) -> String {
        switch format {
        case .tabelle: return aligned()
        case .json: return json()
        case .csv: return csv()
        }
    }

    func aligned() -> String {
        if rows.isEmpty { return "(keine Einträge)\n" }
        // Cells made visible only where needed (most are plain text already); one pass for the
        // widths, one for the text — no per-row arrays besides the rows themselves (a listing of
        // 10,000 entries, docs/PERFORMANCE.md „Shell“).
        let cells = ([columns] + rows).map { row in
            row.contains { TerminalText.needsReplacement($0, .shown) }
                ? row.map { TerminalText.visible($0, lineBreaks: .shown) } : row
        }
        // Width by Unicode scalars: German text is precomposed, and counting graphemes costs far more.
        var widths = columns.map { _ in 0 }
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.unicodeScalars.count)
            }
        }
        let blanks = String(repeating: " ", count: (widths.max() ?? 0) + 2)
        var out = ""
        out.reserveCapacity(cells.count * (widths.reduce(0, +) + 2 * widths.count + 1))
        for (number, row) in cells.enumerated() {
            let last = row.lastIndex { !$0.isEmpty } ?? -1
            for (index, cell) in row.enumerated() where index <= last {
                out += cell
                if index < last { out += blanks.prefix(widths[index] - cell.unicodeScalars.count + 2) }
            }
            out += "\n"
            if number == 0 {
                out += widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
            }
        }
        return out
    }

    func json() -> String {
        let objects = rows.map { row in
            "  {" + zip(columns, row).map { "\(Self.quote($0)): \(Self.quote($1))" }.joined(separator: ", ") + "}"
        }
        return objects.isEmpty ? "[]\n" : "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    func csv() -> String {
        CSVExport.document(([columns] + rows).map { row in row.map { TerminalText.visible($0) } })
    }

    static func quote(_ text: String) -> String { TerminalText.jsonEscaped(JSONText.quote(text)) }
}
