import Foundation
import OZGStorage
import Testing

@testable import OZGDomain
@testable import OZGReplication

/// Text a hostile peer replicates: HTML, a javascript: link and image, an autolink, pandoc attributes,
/// emphasis, a heading and a list after a line break, a table row, an entity.
let hostileMarkdown =
    "<img src=x onerror=alert(1)> [klick](javascript:alert(2)) ![b](javascript:alert(3)) <javascript:alert(4)> "
    + "[s]{onclick=alert(5)} **fett** _kursiv_ `code` &lt;script&gt;\r\n# Titel\n- Punkt | Spalte |\n1. Schritt"

@Suite("Exporte gegen feindliche Werte")
struct HostileExportTests {
    /// The workshop lab with `hostileMarkdown` in every text, list and choice field of every row, written
    /// straight into the replica as a peer's change would arrive (no input validation).
    static func hostileWorkshop(_ directory: TemporaryDirectory) throws -> Workshop {
        var workshop = try Workshop(directory)
        try workshop.build()
        let store = workshop.store
        for entity in Domain.entities {
            let records =
                entity.isLab
                ? [try store.record(entity.key, id: workshop.labor)!]
                : try store.records(entity.key, laborID: workshop.labor)
            for record in records {
                var values: [String: DatabaseValue] = [:]
                for field in entity.fields {
                    switch field.kind {
                    case .text, .longText, .list, .choice:
                        values[field.key] = .text(hostileMarkdown + " " + record.id.suffix(4))
                    default: continue
                    }
                }
                try store.replica.update(entity.key, id: record.id, values: values)
            }
        }
        return workshop
    }

    @Test("CSV: Zellen, die wie Formeln beginnen, bekommen ein ', Zahlen bleiben Zahlen, BOM am Dateianfang")
    func csvNeutralisesFormulas() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let store = workshop.store
        try store.set(
            "persona", id: Workshop.persona,
            fields: [
                "name": "=HYPERLINK(\"http://example.org\";\"klick\")", "kurzbeschreibung": "+49 30 1234",
                "zitat": "@SUMME(A1)", "altersgruppe": "-5", "lebenssituation": "\tTab\r\nzweite Zeile",
            ])
        try store.replica.update("persona", id: Workshop.persona2, values: ["zitat": .text("\rCR")])
        let file = directory.path("personas.csv")
        try Data(CSVExport.csv(store: store, laborID: workshop.labor, entity: "persona").utf8)
            .write(to: URL(fileURLWithPath: file))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        let rows = text.components(separatedBy: "\r\n")
        #expect(
            rows[1]
                == "\(Workshop.persona),wohngeld-mv,\"'=HYPERLINK(\"\"http://example.org\"\";\"\"klick\"\")\",'+49 30 1234,"
                + "Bürgerinnen und Bürger,'-5,\"'\tTab")
        #expect(rows[2].hasPrefix("zweite Zeile\",Wohngeld schnell erhalten;wenig Papier,,,mittel,'@SUMME(A1),ja"))
        #expect(text.contains(",\"'\rCR\","))

        // Emotion is an INTEGER: −2 stays a number a spreadsheet can compute with.
        let steps = try CSVExport.csv(store: store, laborID: workshop.labor, entity: "schritt", keysInHeader: true)
        let emotions = steps.dropFirst().components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }.map {
            $0.components(separatedBy: ",")[7]
        }
        #expect(emotions == ["1", "0", "-1", "-2", "2"])
        #expect(steps.hasPrefix("\u{FEFF}id,labor_id,"))
        #expect(
            !(try CSVExport.csv(store: store, laborID: workshop.labor, entity: "schritt", byteOrderMark: false))
                .hasPrefix("\u{FEFF}"))
    }

    @Test("CSV: Bezeichnungen in der Kopfzeile – Bezeichnungen in den Zellen; Schlüssel – Schlüssel")
    func csvLabelsOrKeys() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let labels = try CSVExport.csv(store: workshop.store, laborID: workshop.labor, entity: "persona")
        let keys = try CSVExport.csv(
            store: workshop.store, laborID: workshop.labor, entity: "persona", keysInHeader: true)
        #expect(
            labels.contains(",Bürgerinnen und Bürger,35,") && labels.contains(",mittel,") && labels.contains(",ja\r\n"))
        #expect(keys.contains(",001,35,") && keys.contains(",1\r\n"))
        let services = try CSVExport.csv(
            store: workshop.store, laborID: workshop.labor, entity: "verwaltungsleistung", keysInHeader: true)
        #expect(services.contains(",99999999999001,"))  // digits kept as written, never 9.9E+13
    }

    @Test("CSV: ein Wert mit CRLF wird gequotet und kann keine Zeile einschieben")
    func csvQuotesCRLF() {
        #expect(CSVExport.field("a\r\nb,=1") == "\"a\r\nb,=1\"")
        #expect(CSVExport.document(cells: [[.text("=1+1"), .number("-2"), .text("-2")]]) == "'=1+1,-2,'-2\r\n")
    }

    @Test("Markdown: HTML und Markdown-Syntax aus replizierten Werten werden Text, in jedem Abschnitt")
    func markdownEscapesEveryValue() throws {
        let directory = TemporaryDirectory()
        let workshop = try Self.hostileWorkshop(directory)
        let markdown = try MarkdownExport.projektsteckbrief(store: workshop.store, laborID: workshop.labor)
        #expect(!markdown.contains("<img") && !markdown.contains("<javascript"))
        #expect(markdown.range(of: #"[^\\]\]\(javascript"#, options: .regularExpression) == nil)
        #expect(markdown.contains("# Projektsteckbrief: &lt;img src=x onerror=alert(1)&gt; \\[klick\\](javascript"))
        // Every section shows the value, escaped.
        let sections = markdown.components(separatedBy: "\n## ").dropFirst()
        for section in sections
        where !section.contains(MarkdownExport.noInformation) && !section.hasPrefix("Vollständigkeit") {
            #expect(section.contains("&lt;img src=x onerror=alert(1)&gt;"), "\(section.prefix(40))")
        }
        // Rows with an undeclared choice key are listed with those without one, not left out.
        #expect(markdown.contains("### ohne Priorität") && markdown.contains("#### ohne Schweregrad"))
        // No value adds a heading, a list item or a table column.
        #expect(
            !markdown.contains("\n# Titel") && !markdown.contains("\n- Punkt") && !markdown.contains("\n1. Schritt"))
        #expect(markdown.contains(" / \\# Titel / - Punkt \\| Spalte \\| / 1. Schritt"))
        #expect(markdown.contains("&amp;lt;script&amp;gt;"))

        for format in ["markdown", "gfm"] {
            let (status, html) = try runTool("/usr/bin/pandoc", ["-f", format, "-t", "html"], input: markdown)
            #expect(status == 0)
            #expect(!html.contains("<img") && !html.contains("<script"), "\(format)")
            #expect(html.range(of: #"<[^>]*\son[a-z]+="#, options: .regularExpression) == nil, "\(format)")
            #expect(html.range(of: #"href="\s*javascript:"#, options: [.regularExpression, .caseInsensitive]) == nil)
            #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "\(format)")
            #expect(!html.contains("<h1>Titel") && !html.contains("<em>kursiv") && !html.contains("<strong>fett"))
        }
    }

    @Test("Markdown: gewöhnlicher Text bleibt lesbar")
    func markdownKeepsOrdinaryText() {
        #expect(
            MarkdownText.inline("Bürger*innen sagen „zu viel Papier“ – 3. Versuch, klick_dummy & Co.")
                == "Bürger\\*innen sagen „zu viel Papier“ – 3. Versuch, klick_dummy & Co.")
        #expect(MarkdownText.inline("-2 (negativ)") == "-2 (negativ)")
        #expect(MarkdownText.inline("- Punkt") == "\\- Punkt")
        #expect(MarkdownText.inline("2026. Jahr") == "2026\\. Jahr")
        #expect(MarkdownText.cell("a|b\nc") == "a\\|b / c")
        #expect(MarkdownText.block("Zeile 1\r\n    # Zeile 2") == "Zeile 1\n\\# Zeile 2")
    }

    @Test("JSON: Listen als Arrays, Zahlen als Zahlen; jq zählt Befunde mit Schweregrad ≥ 3 richtig")
    func jsonIsTyped() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let json = try JSONExport.json(store: workshop.store, laborID: workshop.labor)
        #expect(json.contains("\"schweregrad\": 3"))
        #expect(json.contains("\"emotion\": -2"))
        #expect(
            json.contains(
                "\"ziele\": [\n          \"Wohngeld schnell erhalten\",\n          \"wenig Papier\"\n        ]"))
        let (status, count) = try runTool(
            "/usr/bin/jq", ["[.. | objects | select(.schweregrad? >= 3)] | length"], input: json)
        #expect(status == 0 && count == "2\n")

        // The older form (strings, lists joined by ;) still imports, to the same lab.
        let old =
            json.replacingOccurrences(of: "\"schweregrad\": 3", with: "\"schweregrad\": \"3\"")
            .replacingOccurrences(
                of: "[\n          \"Wohngeld schnell erhalten\",\n          \"wenig Papier\"\n        ]",
                with: "\"Wohngeld schnell erhalten;wenig Papier\"")
        #expect(old != json)
        let copy = try LaborStore(path: directory.path("alt.ozg"))
        let imported = try JSONImport.load(old, into: copy)
        #expect(try JSONExport.json(store: copy, laborID: imported) == json)
    }

    @Test("docs/EXPORTS-JSON.md ist aus der Deklaration erzeugt und aktuell")
    func jsonSchemaDocumentationIsCurrent() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/EXPORTS-JSON.md").standardizedFileURL
        let generated = JSONExport.schemaDocumentation()
        if ProcessInfo.processInfo.environment["OZG_WRITE_DOMAIN_DOC"] == "1" {
            try generated.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(
            try String(contentsOf: url, encoding: .utf8) == generated,
            "docs/EXPORTS-JSON.md veraltet: OZG_WRITE_DOMAIN_DOC=1 swift test --filter HostileExportTests")
        #expect(generated.contains("| `schweregrad` | number |") && generated.contains("| `ziele` | array of string |"))
    }
}
