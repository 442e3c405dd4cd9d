import Foundation
import OZGDomain
import Testing

/// The example of docs/beispiele: a whole lab entered through the shell's scripted mode the way
/// facilitators enter it after a workshop.
@Suite("Ein vollständiges Labor per Skript")
struct RealisticLabTests {
    /// Runs docs/beispiele/wohngeld-labor.sh with the built shell into `labor.ozg` of `directory`.
    static func buildExample(in directory: ShellDirectory) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            ShellProcess.packageRoot.appendingPathComponent("docs/beispiele/wohngeld-labor.sh").path,
            ShellProcess.binary, directory.path("labor.ozg"),
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(message)")
    }

    @Test(
        "Personas, Reise mit Schmerzpunkten, Anforderungen, Tests mit Einverständnis, Prozess, Vertrauensniveau, Leistung und Umsetzung: check meldet nichts, der Steckbrief ist vollständig"
    )
    func completeLab() throws {
        let directory = ShellDirectory()
        try Self.buildExample(in: directory)
        func shell(_ command: String) throws -> ShellProcess.Outcome {
            try ShellProcess.run(["labor.ozg", "-c", command], in: directory.url)
        }
        let check = try shell("check")
        #expect(check.status == 0 && check.stdout.hasPrefix("Keine Befunde"), "\(check.stdout)")
        let markdown = try shell("export markdown").stdout
        let completeness = try #require(markdown.components(separatedBy: "## Vollständigkeit je Leistung").last)
        #expect(completeness.contains("### Wohngeld (Labor-Leistungen)"))
        #expect(!completeness.contains("fehlt") && completeness.contains("- vorhanden: Umsetzungsvarianten"))
        #expect(!markdown.contains(MarkdownExport.noInformation), "kein Abschnitt bleibt leer")
        #expect(markdown.contains("| Wohngeld | 99901 | 99999999999001 | Labor-Leistungen |"))
        // The Anforderungsdokument: by priority, with origin, Schmerzpunkt and Rechtsänderung.
        let requirements = try shell("export anforderungen").stdout
        #expect(requirements.hasPrefix("# Anforderungsdokument: DigiLab Wohngeld (Beispiel)"))
        let must = try #require(requirements.range(of: "## Muss"))
        let should = try #require(requirements.range(of: "## Soll"))
        #expect(must.lowerBound < should.lowerBound)
        #expect(requirements.contains("- Adressiert Schmerzpunkte: Nachweise liegen nur auf Papier vor"))
        #expect(requirements.contains("- Erfordert Rechtsänderung: § 24 WoGG"))
        #expect(requirements.contains("- Rechtsänderung erforderlich: nein"))
    }

    @Test("Ein Befund ohne Einverständnis der Testperson ist ein Fehler; eine nicht erfasste Testperson ein Hinweis")
    func consent() throws {
        let directory = ShellDirectory()
        try Self.buildExample(in: directory)
        func shell(_ command: String, csv: Bool = false) throws -> ShellProcess.Outcome {
            try ShellProcess.run(
                ["labor.ozg"] + (csv ? ["--format", "csv"] : []) + ["-c", command], in: directory.url)
        }
        // CSV rows end in CRLF, one Character in Swift: split on the string.
        func firstID(_ command: String) throws -> String {
            let rows = try shell(command, csv: true).stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            return try #require(rows.dropFirst().first?.components(separatedBy: ",").first)
        }
        let person = try firstID("testperson list code=TP-02")
        let set = try shell("testperson set \(person) einverstaendnis=nein")
        #expect(set.status == 0, "\(set.stderr) \(person)")
        let refused = try shell("check")
        #expect(refused.status != 0)
        #expect(refused.stdout.contains("1 Befund(e) von Testperson „TP-02“ ohne Einverständnis"), "\(refused.stdout)")
        #expect(try shell("testperson set \(person) einverstaendnis=ja").status == 0)
        let session = try firstID("testsitzung list")
        #expect(
            try shell("befund add testsitzung_id=\(session) testperson=TP-09 beobachtung=\"Bricht ab\"").status == 0)
        let hint = try shell("check")
        #expect(hint.status == 0, "ein Hinweis, kein Fehler")
        #expect(hint.stdout.contains("Testperson „TP-09“, die nicht erfasst ist"))
    }
}
