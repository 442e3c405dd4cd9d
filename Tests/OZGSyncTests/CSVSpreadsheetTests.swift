import Foundation
import Testing

@testable import OZGDomain
@testable import OZGReplication

/// Exported CSV opened by a real spreadsheet: LibreOffice Calc (headless, installed by
/// scripts/install-system-packages.sh) imports it as a user would (UTF-8, comma, quote) and saves it
/// as flat OpenDocument XML, which shows whether a cell became a formula.
@Suite("CSV in LibreOffice")
struct CSVSpreadsheetTests {
    /// The cells LibreOffice made of `csv`: the flat ODS text.
    static func openInCalc(_ csv: String, in directory: TemporaryDirectory, name: String) throws -> String {
        let file = directory.path("\(name).csv")
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        _ = try runTool(
            "/usr/bin/soffice",
            [
                "-env:UserInstallation=file://\(directory.path("profil-\(name)"))", "--headless",
                "--infilter=CSV:44,34,76,1", "--convert-to", "fods", "--outdir", directory.url.path, file,
            ])
        return try String(contentsOfFile: directory.path("\(name).fods"), encoding: .utf8)
    }

    @Test("Formelanfänge bleiben Text, Umlaute bleiben heil, Zahlen bleiben Zahlen – eine rohe Datei wäre eine Formel")
    func hostileCellsStayText() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let hostile = ["=HYPERLINK(\"http://example.org\";\"klick\")", "+1+1", "@SUMME(1)", "-2+3"]
        for name in hostile {
            try workshop.store.add(
                "persona", laborID: workshop.labor,
                fields: ["name": name, "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z"])
        }
        let personas = try CSVExport.csv(store: workshop.store, laborID: workshop.labor, entity: "persona")
        let sheet = try Self.openInCalc(personas, in: directory, name: "persona")
        #expect(!sheet.contains("table:formula"))
        #expect(sheet.contains("Bürgerinnen und Bürger"))
        #expect(sheet.contains("HYPERLINK"))
        // Journey steps: the emotion −2…2 is stored as a number and arrives as one.
        let steps = try CSVExport.csv(store: workshop.store, laborID: workshop.labor, entity: "schritt")
        let stepSheet = try Self.openInCalc(steps, in: directory, name: "schritt")
        #expect(stepSheet.contains("office:value-type=\"float\" office:value=\"-2\""))
        // The same cell unneutralised is a live formula in the same import: the check can fail.
        let raw = try Self.openInCalc(
            "\u{FEFF}Name\r\n\"=HYPERLINK(\"\"http://example.org\"\";\"\"klick\"\")\"\r\n", in: directory, name: "roh")
        #expect(raw.contains("table:formula"))
    }
}
