import Foundation
import Testing

@testable import OZGDomain

@Suite("Projektsteckbrief als HTML")
struct ReportHTMLTests {
    static let hostile = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'; x='", "a & b"]

    @Test("Jeder Text jeder Blockart wird escapt: Überschrift, Absatz, Zeilen, Tabelle, Liste, Bild")
    func everyBlockEscapes() throws {
        for text in Self.hostile {
            var report = Report()
            report.heading(1, text)
            report.heading(2, "2. " + text)
            report.heading(3, text)
            report.paragraph(text)
            report.lines(text + "\n" + text)
            report.table([text], [[text]])
            report.list([text])
            let html = report.html
            #expect(!html.contains("<script") && !html.contains("<img") && !html.contains(text))
            #expect(html.components(separatedBy: HTMLText.escape(text)).count - 1 == 9)
        }
    }

    @Test("Überschriften 1 und 2 tragen die Sprungmarke, die die Laborseite verlinkt; Bilder stehen mit Tabelle")
    func anchorsAndFigures() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let report = MarkdownExport.projektsteckbrief(of: try workshop.store.snapshot(of: workshop.labor))
        let html = report.html
        #expect(html.contains("<h2 id=\"1-user-journey\">1. User Journey</h2>"))
        #expect(html.contains("<h2 id=\"6-referenzprozesse-aus-nutzersicht\">"))
        let figures = html.components(separatedBy: "<figure class=\"bild").count - 1
        let drawings = report.blocks.filter { if case .drawing = $0 { return true } else { return false } }.count
        #expect(figures == drawings && drawings >= 3)
        #expect(html.components(separatedBy: "<summary>Als Tabelle:").count - 1 == drawings)
        // Markdown leaves the pictures out: the export stays as it was.
        #expect(!report.markdown.contains("<svg"))
    }
}
