import Foundation
import Testing

@Suite("export … out= schreibt nur, wohin es soll")
struct ExportTargetTests {
    /// A replica with one lab and persona, and what `persona list` shows for it.
    func prepared() throws -> (ShellDirectory, String) {
        let directory = ShellDirectory()
        let setup = try ShellProcess.run(
            ["labor.ozg"],
            input: """
                labor add id=lab titel="DigiLab Wohngeld" themenfeld=bauen_wohnen bundesland=DE-MV
                persona add name="Erika Muster" kurzbeschreibung=Pflegekraft nutzergruppe=001 ziele=Schnell
                remote set http://127.0.0.1:9 token=olt_x_y
                """, in: directory.url)
        #expect(setup.status == 0, "\(setup.stderr)")
        try FileManager.default.createDirectory(
            atPath: directory.path("unter"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: directory.path("verweis"), withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(
            atPath: directory.path("zeiger.md"), withDestinationPath: directory.path("ziel.md"))
        try "Ziel\n".write(toFile: directory.path("ziel.md"), atomically: false, encoding: .utf8)
        #expect(link(directory.path("labor.ozg"), directory.path("hart.ozg")) == 0)
        let listing = try ShellProcess.run(["labor.ozg", "-c", "persona list"], in: directory.url)
        return (directory, listing.stdout)
    }

    @Test(
        "Das Replikat, seine Begleitdateien, Verweise, Geräte und Verzeichnisse werden abgelehnt",
        arguments: [
            ("labor.ozg", "die geöffnete Replikatdatei"),
            ("./labor.ozg", "die geöffnete Replikatdatei"),
            ("unter/../labor.ozg", "die geöffnete Replikatdatei"),
            ("verweis/labor.ozg", "die geöffnete Replikatdatei"),
            ("hart.ozg ueberschreiben=ja", "die geöffnete Replikatdatei"),
            ("labor.ozg-wal", "SQLite-Dateien"),
            ("verweis/labor.ozg-journal", "SQLite-Dateien"),
            ("labor.ozg.token", "die Token-Datei"),
            ("zeiger.md ueberschreiben=ja", "ist ein symbolischer Verweis"),
            ("/dev/null ueberschreiben=ja", "keine gewöhnliche Datei"),
            ("unter ueberschreiben=ja", "ist ein Verzeichnis"),
            ("fehlt/x.json", "gibt es nicht"),
        ])
    func refused(target: String, message: String) throws {
        let (directory, listing) = try prepared()
        let before = try Data(contentsOf: URL(fileURLWithPath: directory.path("labor.ozg")))
        let outcome = try ShellProcess.run(["labor.ozg", "-c", "export json out=\(target)"], in: directory.url)
        #expect(outcome.status == 1, "\(outcome.stdout)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.path("labor.ozg"))) == before)
        #expect(try String(contentsOfFile: directory.path("ziel.md"), encoding: .utf8) == "Ziel\n")
        #expect(try ShellProcess.run(["labor.ozg", "-c", "persona list"], in: directory.url).stdout == listing)
        let integrity = try ShellProcess.run(["labor.ozg", "-c", "query PRAGMA integrity_check"], in: directory.url)
        #expect(integrity.lines.last == "ok", "\(integrity.stdout)")
        let status = try ShellProcess.run(["labor.ozg", "-c", "status"], in: directory.url)
        #expect(status.stdout.contains("in labor.ozg.token"))
        // Nothing half-written is left behind.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(!files.contains { $0.hasSuffix(".tmp") }, "\(files)")
    }

    @Test("Eine vorhandene Datei wird im Skript nur mit ueberschreiben=ja ersetzt, ganz und mit ihren Rechten")
    func overwriteNeedsConsent() throws {
        let (directory, _) = try prepared()
        let file = directory.path("labor.json")
        try "alt\n".write(toFile: file, atomically: false, encoding: .utf8)
        #expect(chmod(file, 0o640) == 0)
        let refused = try ShellProcess.run(["labor.ozg", "-c", "export json out=labor.json"], in: directory.url)
        #expect(refused.status == 1 && refused.stderr.contains("mit ueberschreiben=ja wird sie ersetzt"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "alt\n")

        let replaced = try ShellProcess.run(
            ["labor.ozg", "-c", "export json out=labor.json ueberschreiben=ja"], in: directory.url)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(replaced.stdout == "Geschrieben: labor.json\n")
        let json = try ShellProcess.run(["labor.ozg", "-c", "export json"], in: directory.url).stdout
        #expect(try String(contentsOfFile: file, encoding: .utf8) == json)
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o640)
        let unknown = try ShellProcess.run(
            ["labor.ozg", "-c", "export json out=labor.json ueberschreiben=nein"], in: directory.url)
        #expect(unknown.status == 2 && unknown.stderr.contains("erlaubt ist nur ueberschreiben=ja"))
    }

    @Test("Eine neue Datei entsteht mit den üblichen Rechten (0666 ohne die Bits der umask)")
    func newFileMode() throws {
        let (directory, _) = try prepared()
        let mask = umask(0o022)
        umask(mask)
        let outcome = try ShellProcess.run(["labor.ozg", "-c", "export markdown out=unter/neu.md"], in: directory.url)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path("unter/neu.md"))
        #expect(attributes[.posixPermissions] as? Int == Int(0o666 & ~mask))
    }
}
