/// A document as a sequence of blocks: the Projektsteckbrief and the Anforderungsdokument are built
/// once as a `Report` and rendered to Markdown (the export) and to HTML (the state office's web view),
/// so both always carry the same content in the same order.
///
/// Every string in a block is plain text from the lab; each renderer escapes it for its format.
///
/// ```swift
/// var report = Report()
/// report.heading(2, "2. Personas")
/// report.table(["Feld", "Wert"], [["Name", persona.title]])
/// let markdown = report.markdown
/// ```
public struct Report: Sendable, Equatable {
    public enum Block: Sendable, Equatable {
        /// A heading, level 1 (the document's title) to 4.
        case heading(level: Int, text: String)
        /// One paragraph on one line.
        case paragraph(String)
        /// A paragraph whose line breaks are kept (a Nutzerreise's Szenario).
        case lines(String)
        /// A table with a header row; every row has as many cells as the header.
        case table(header: [String], rows: [[String]])
        /// A bulleted list, one line per item.
        case list([String])
        /// A picture with its table alternative; HTML shows it, Markdown leaves it out (the tables
        /// beside it carry the same content).
        case drawing(Drawing)
    }

    public private(set) var blocks: [Block] = []

    public init() {}

    public mutating func heading(_ level: Int, _ text: String) { blocks.append(.heading(level: level, text: text)) }
    public mutating func paragraph(_ text: String) { blocks.append(.paragraph(text)) }
    public mutating func lines(_ text: String) { blocks.append(.lines(text)) }
    public mutating func list(_ items: [String]) { if !items.isEmpty { blocks.append(.list(items)) } }
    public mutating func drawing(_ drawing: Drawing?) { if let drawing { blocks.append(.drawing(drawing)) } }

    /// A table; a row with fewer cells than the header is padded, one with more is cut.
    public mutating func table(_ header: [String], _ rows: [[String]]) {
        let fitted = rows.map { row in
            Array((row + Array(repeating: "", count: max(0, header.count - row.count))).prefix(header.count))
        }
        blocks.append(.table(header: header, rows: fitted))
    }

    /// The document in Markdown: blocks separated by one blank line, every value escaped
    /// (`MarkdownText`), so no value can add HTML, links, headings, list items or table columns.
    public var markdown: String {
        blocks.compactMap { block -> String? in
            switch block {
            case .heading(let level, let text):
                return String(repeating: "#", count: max(1, min(6, level))) + " "
                    + MarkdownText.inline(text, atLineStart: false)
            case .paragraph(let text): return MarkdownText.inline(text)
            case .lines(let text): return MarkdownText.block(text)
            case .table(let header, let rows):
                func line(_ cells: [String]) -> String {
                    "| " + cells.map(MarkdownText.cell).joined(separator: " | ") + " |"
                }
                return ([line(header), "|" + String(repeating: "---|", count: header.count)] + rows.map(line))
                    .joined(separator: "\n")
            case .list(let items): return items.map { "- " + MarkdownText.inline($0) }.joined(separator: "\n")
            case .drawing: return nil
            }
        }.joined(separator: "\n\n") + "\n"
    }
}
