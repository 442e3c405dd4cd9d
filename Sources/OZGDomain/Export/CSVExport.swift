import Foundation
import OZGReplication
import OZGStorage

/// CSV of one entity of one lab for spreadsheets: RFC 4180 (comma, CRLF, quotes doubled), UTF-8 with a
/// byte order mark, rows in list order.
///
/// The header carries German labels and the cells what a person reads (choice labels, ja/nein), or,
/// with `keysInHeader`, field keys and stored values (choice keys, 1/0). Replicated text comes from
/// other people's devices, so a text cell that a spreadsheet would run as a formula gets a leading `'`
/// (see docs/EXPORTS.md, „CSV und Tabellenkalkulationen“).
///
/// ```swift
/// let csv = try CSVExport.csv(store: store, laborID: "digilab-mv", entity: "persona")
/// try Data(csv.utf8).write(to: URL(fileURLWithPath: "personas.csv"))
/// ```
public enum CSVExport {
    /// U+FEFF, which Excel and LibreOffice need to read the file as UTF-8 rather than a legacy code page.
    public static let byteOrderMark = "\u{FEFF}"

    /// One cell: text is neutralised against formula injection, a number is written as it is.
    public enum Cell: Sendable, Equatable {
        case text(String)
        /// A value stored as INTEGER or REAL, such as the emotion −2 … 2; never a formula.
        case number(String)
    }

    /// The first characters with which a spreadsheet reads a cell as a formula or a DDE call (OWASP).
    static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// The file for `entity` of `laborID`; `byteOrderMark` is for files (a pipe wants none).
    public static func csv(
        store: LaborStore, laborID: String, entity entityKey: String, keysInHeader: Bool = false,
        byteOrderMark: Bool = true
    ) throws -> String {
        let entity = try store.entity(entityKey)
        let records =
            Domain.entity(entityKey)?.isLab == true
            ? try store.record(Domain.lab.key, id: laborID).map { [$0] } ?? []
            : try store.records(entityKey, laborID: laborID)
        var columns: [(key: String, label: String)] = [("id", "ID"), ("labor_id", "Labor")]
        columns += entity.fields.map { ($0.key, $0.label) }
        if entity.isOrdered { columns.append(("position", "Position")) }
        let header = columns.map { Cell.text(keysInHeader ? $0.key : $0.label) }
        let body = records.map { record in
            columns.map { column -> Cell in
                switch column.key {
                case "id": return .text(record.id)
                case "labor_id": return .text(record.laborID)
                default: return cell(record, column.key, labels: !keysInHeader)
                }
            }
        }
        return (byteOrderMark ? Self.byteOrderMark : "") + document(cells: [header] + body)
    }

    /// A stored value as a cell: numbers stay numbers; with `labels`, choices and ja/nein as a person reads them.
    static func cell(_ record: Record, _ key: String, labels: Bool) -> Cell {
        let value = record[key]
        let field = record.entity.field(key)
        switch value {
        case .integer(let number):
            if labels, let field, field.kind == .boolean { return .text(field.display(value)) }
            return .number(String(number))
        case .real(let number):
            return .number(String(number))
        case .text(let text):
            guard labels, let field else { return .text(text) }
            switch field.kind {
            case .choice, .choices, .suggested, .boolean: return .text(field.display(value))
            default: return .text(text)
            }
        case .null, .blob:
            return .text(value.plainText)
        }
    }

    /// Lines of cells as CSV text, text cells neutralised, each line ended by CRLF (RFC 4180).
    public static func document(cells lines: [[Cell]]) -> String {
        lines.map { line in
            line.map { cell in
                switch cell {
                case .text(let text): return field(neutralized(text))
                case .number(let number): return field(number)
                }
            }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }

    /// Lines of fields as CSV text exactly as given, each line ended by CRLF (RFC 4180).
    ///
    /// For machine consumers (the shell's `--format csv` on stdout): no byte order mark and no `'`
    /// prefix, which would change the data a script reads. Spreadsheet files use `csv(…)`.
    public static func document(_ lines: [[String]]) -> String {
        lines.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// `text` with a leading `'` when it starts like a formula (`=`, `+`, `-`, `@`, tab, CR), so a
    /// spreadsheet shows it as text instead of evaluating it.
    public static func neutralized(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, formulaTriggers.contains(first) else { return text }
        return "'" + text
    }

    /// Quotes a field when it contains a comma, a quote, CR or LF (RFC 4180 §2.6–2.7).
    ///
    /// Looks at scalars, not characters: "\r\n" is one `Character` that equals neither "\r" nor "\n".
    public static func field(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
