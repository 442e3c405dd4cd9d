import Foundation
import Testing

@Suite("query führt genau eine lesende Anweisung aus")
struct QueryTests {
    func prepared() throws -> ShellDirectory {
        let directory = ShellDirectory()
        let setup = try ShellProcess.run(
            ["labor.ozg"],
            input: """
                labor add id=lab titel="DigiLab Wohngeld" themenfeld=bauen_wohnen bundesland=DE-MV
                persona add name="Erika Muster" kurzbeschreibung=Pflegekraft nutzergruppe=001 ziele=Schnell
                """, in: directory.url)
        #expect(setup.status == 0, "\(setup.stderr)")
        return directory
    }

    @Test(
        "Ein abschließendes Semikolon, Leerraum und Kommentare danach sind erlaubt",
        arguments: [
            "SELECT name FROM persona", "SELECT name FROM persona;", "SELECT name FROM persona ;  ",
            "SELECT name FROM persona; -- Kommentar", "SELECT name FROM persona /* a */ ; /* b */ ;",
            "; SELECT name FROM persona",
        ])
    func oneStatement(sql: String) throws {
        let directory = try prepared()
        let outcome = try ShellProcess.run(["labor.ozg", "-c", "query \(sql)"], in: directory.url)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.lines == ["name", "────────────", "Erika Muster"])
    }

    @Test(
        "Mehrere Anweisungen werden abgelehnt, statt die weiteren stillschweigend zu übergehen",
        arguments: [
            "SELECT 1; SELECT 2", "SELECT name FROM persona; DELETE FROM persona",
            "SELECT 1; -- x\n DROP TABLE persona", "SELECT 1 /* ; */; ATTACH 'x.db' AS x",
        ])
    func severalStatements(sql: String) throws {
        let directory = try prepared()
        let outcome = try ShellProcess.run(["labor.ozg", "-c", "query \(sql)"], in: directory.url)
        #expect(outcome.status == 2, "\(outcome.stdout)")
        #expect(outcome.stderr.contains("„query“ führt genau eine SQL-Anweisung aus"), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(!files.contains("x.db"))
    }

    @Test("VACUUM INTO wird abgelehnt und legt keine Datei an")
    func vacuumIntoLeavesNoFile() throws {
        let directory = try prepared()
        let copy = directory.path("kopie.ozg")
        let outcome = try ShellProcess.run(["labor.ozg", "-c", "query VACUUM INTO '\(copy)'"], in: directory.url)
        #expect(outcome.status == 1 && outcome.stderr.contains("„query“ liest nur"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: copy))
        let attach = try ShellProcess.run(
            ["labor.ozg", "-c", "query ATTACH '\(directory.path("neu.db"))' AS neu"], in: directory.url)
        #expect(attach.status == 1, "\(attach.stdout)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("neu.db")))
    }

    @Test("Nur Kommentare sind keine Anweisung")
    func onlyComments() throws {
        let directory = try prepared()
        let outcome = try ShellProcess.run(["labor.ozg", "-c", "query -- nichts"], in: directory.url)
        #expect(outcome.status == 2 && outcome.stderr.contains("Aufruf: query <SQL>"), "\(outcome.stderr)")
    }
}
