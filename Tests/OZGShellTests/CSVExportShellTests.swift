import Foundation
import Testing

@Suite("ozg-shell: CSV für Tabellenkalkulationen")
struct CSVExportShellTests {
    @Test("export csv out=… schreibt BOM und neutralisierte Formeln; stdout und --format csv bleiben unverändert")
    func csvFileIsSpreadsheetSafe() throws {
        let directory = ShellDirectory()
        let created = try ShellProcess.run(
            [
                "labor.ozg", "-c", "labor add id=wohngeld-mv titel=Wohngeld themenfeld=umwelt bundesland=DE-MV",
                "-c",
                #"persona add name="=HYPERLINK(\"http://example.org\";\"klick\")" kurzbeschreibung=-k nutzergruppe=001 ziele=z"#,
            ],
            in: directory.url)
        #expect(created.status == 0, "\(created.stderr)")
        let persona = created.lines[1]
        let exported = try ShellProcess.run(
            [
                "labor.ozg", "-c", "export csv entitaet=persona out=personas.csv", "-c", "export csv entitaet=persona",
                "-c", "persona list", "--format", "csv",
            ],
            in: directory.url)
        #expect(exported.status == 0, "\(exported.stderr)")
        let header =
            "ID,Labor,Name,Kurzbeschreibung,Nutzergruppe,Alter,Lebenssituation,Ziele,Bedürfnisse,"
            + "Schmerzpunkte / Frustrationen,Digitale Affinität,Zitat,Primäre Persona\r\n"
        let row =
            "\(persona),wohngeld-mv,\"'=HYPERLINK(\"\"http://example.org\"\";\"\"klick\"\")\",'-k,"
            + "Bürgerinnen und Bürger,,,z,,,,,\r\n"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.path("personas.csv")))
        #expect(bytes == Data([0xEF, 0xBB, 0xBF]) + Data((header + row).utf8))
        // On stdout (a pipe) no byte order mark; `persona list --format csv` gives the raw stored values.
        #expect(exported.stdout.hasPrefix(header + row))
        #expect(exported.stdout.contains(",\"=HYPERLINK(\"\"http://example.org\"\";\"\"klick\"\")\",-k,001,"))
    }
}
