/// Escaping for HTML text and attribute values: `& < > " '`, as swift-mustache's `{{value}}` does.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        // The XML rules are the HTML rules for text and quoted attributes, and they drop the control
        // characters no page should carry.
        XMLText.escape(text)
    }

    /// An id for a heading: letters, digits and `-` only („6. Referenzprozesse …“ → `6-referenzprozesse-…`).
    public static func anchor(_ text: String) -> String {
        let folded = InputFolding.asciiKey(text).map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(String(folded).split(separator: "-").joined(separator: "-").prefix(60))
    }
}

extension Report {
    /// The document as an HTML fragment: headings of level 1 and 2 with an id, tables with header
    /// cells, pictures as `figure` with caption and a table in `details`. Every string passes
    /// `HTMLText.escape`; only a drawing's SVG, which `SVGCanvas` escaped, is inserted as it is.
    ///
    /// Written by hand rather than with a template engine: a Steckbrief of 10,000 entries has tens of
    /// thousands of cells, and swift-mustache's lookups per value made the lab page take 350 ms.
    public var html: String {
        var out = ""
        func table(_ header: [String], _ rows: [[String]]) {
            out += "<div class=\"tabelle\"><table><thead><tr>"
            for cell in header { out += "<th scope=\"col\">" + HTMLText.escape(cell) + "</th>" }
            out += "</tr></thead><tbody>"
            for row in rows {
                out += "<tr>"
                for cell in row { out += "<td>" + HTMLText.escape(cell) + "</td>" }
                out += "</tr>"
            }
            out += "</tbody></table></div>\n"
        }
        for block in blocks {
            switch block {
            case .heading(let level, let text):
                let tag = "h\(max(1, min(4, level)))"
                let id = level <= 2 ? " id=\"\(HTMLText.escape(HTMLText.anchor(text)))\"" : ""
                out += "<\(tag)\(id)>" + HTMLText.escape(text) + "</\(tag)>\n"
            case .paragraph(let text): out += "<p>" + HTMLText.escape(text) + "</p>\n"
            case .lines(let text):
                out +=
                    "<p>"
                    + text.split(whereSeparator: \.isNewline).map { HTMLText.escape(String($0)) }
                    .joined(separator: "<br>") + "</p>\n"
            case .table(let header, let rows): table(header, rows)
            case .list(let items):
                out += "<ul>" + items.map { "<li>" + HTMLText.escape($0) + "</li>" }.joined() + "</ul>\n"
            case .drawing(let drawing):
                let title = HTMLText.escape(drawing.title)
                out += "<figure class=\"bild bild-\(drawing.kind.rawValue)\"><div class=\"zeichnung\">" + drawing.svg
                out += "</div><figcaption><strong>\(title).</strong> " + HTMLText.escape(drawing.description)
                out += "</figcaption><details><summary>Als Tabelle: \(title)</summary>"
                table(drawing.tableHeader, drawing.tableRows)
                out += "</details></figure>\n"
            }
        }
        return out
    }
}
