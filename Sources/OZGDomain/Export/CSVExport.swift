import Foundation
import OZGReplication
import OZGStorage

/// CSV of one entity of one lab: RFC 4180 (comma, CRLF, quotes doubled), UTF-8, header of German
/// labels (or field keys), stored values (keys for choices, 1/0 for ja/nein), rows in list order.
public enum CSVExport {
    public static func csv(store: LaborStore, laborID: String, entity entityKey: String, keysInHeader: Bool = false)
        throws -> String
    {
        let entity = try store.entity(entityKey)
        let records =
            Domain.entity(entityKey)?.isLab == true
            ? try store.record(Domain.lab.key, id: laborID).map { [$0] } ?? []
            : try store.records(entityKey, laborID: laborID)
        var columns: [(key: String, label: String)] = [("id", "ID"), ("labor_id", "Labor")]
        columns += entity.fields.map { ($0.key, $0.label) }
        if entity.isOrdered { columns.append(("position", "Position")) }
        let header = columns.map { keysInHeader ? $0.key : $0.label }
        let body = records.map { record in
            columns.map { column -> String in
                switch column.key {
                case "id": return record.id
                case "labor_id": return record.laborID
                default: return record[column.key].plainText
                }
            }
        }
        return document([header] + body)
    }

    /// Lines of fields as CSV text, each line ended by CRLF (RFC 4180).
    public static func document(_ lines: [[String]]) -> String {
        lines.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// Quotes a field when it contains a comma, a quote, CR or LF (RFC 4180 §2.6–2.7).
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
