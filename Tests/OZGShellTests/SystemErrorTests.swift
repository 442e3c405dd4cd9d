import Foundation
import Testing

@testable import OZGShell

/// Issue 12: what the system reports about files and streams reaches the user in German – which file,
/// what failed, why – and never with Foundation's or the C library's English text.
@Suite("Systemfehler auf Deutsch: Datei, Vorgang und Grund, kein englischer Text")
struct SystemErrorTests {
    /// English from Foundation's and the C library's messages (and from a crash report).
    static let english = [
        "could not be completed", "No such file", "Permission denied", "The file", "Is a directory",
        "Not a directory", "No space", "Read-only", "There isn", "doesn’t exist", "Error Domain", "NSCocoaErrorDomain",
        "Fatal error", "crashed",
    ]

    static func expectGerman(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for phrase in english {
            #expect(!text.contains(phrase), "„\(phrase)“ in: \(text)", sourceLocation: sourceLocation)
        }
    }

    /// A directory with a replica holding one lab, a directory `ordner` and a file `notiz.txt`.
    func prepared(unprivileged: Bool = false) throws -> ShellDirectory {
        let directory = ShellDirectory()
        if unprivileged, getuid() == 0 {
            #expect(chown(directory.url.path, ShellProcess.nobody, ShellProcess.nobody) == 0)
        }
        let setup = try ShellProcess.run(
            ["labor.ozg", "-c", "labor add id=lab titel=Lab themenfeld=umwelt bundesland=DE-BE"], in: directory.url,
            unprivileged: unprivileged)
        #expect(setup.status == 0, "\(setup.stderr)")
        try FileManager.default.createDirectory(atPath: directory.path("ordner"), withIntermediateDirectories: false)
        try "Notiz\n".write(toFile: directory.path("notiz.txt"), atomically: false, encoding: .utf8)
        return directory
    }

    @Test(
        "import json: fehlende Datei, Verzeichnis, kein UTF-8 – die Meldung nennt Datei und Grund",
        arguments: [
            (
                "fehlt.json",
                "Die Datei „fehlt.json“ lässt sich nicht lesen: nicht vorhanden (die Datei oder ein Verzeichnis im "
                    + "Pfad fehlt)."
            ),
            ("ordner", "Die Datei „ordner“ lässt sich nicht lesen: das ist ein Verzeichnis, keine Datei."),
            (
                "latin1.json",
                "Die Datei „latin1.json“ lässt sich nicht lesen: sie ist kein UTF-8-Text („export json“ schreibt UTF-8)."
            ),
        ])
    func importReasons(file: String, message: String) throws {
        let directory = try prepared()
        try Data([0x7B, 0x22, 0xE4, 0x22, 0x7D]).write(to: directory.url.appendingPathComponent("latin1.json"))
        let outcome = try ShellProcess.run(["labor.ozg", "-c", "import json \(file)"], in: directory.url)
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "Fehler: \(message)\n")
        Self.expectGerman(outcome.stderr)
    }

    @Test(
        "export out= und remote set: Pfad durch eine Datei, fehlendes Verzeichnis, Verzeichnis statt Token-Datei",
        arguments: [
            (
                "export json out=notiz.txt/labor.json",
                "Die Datei „notiz.txt/labor.json“ lässt sich nicht schreiben: ein Teil des Pfads ist kein Verzeichnis."
            ),
            ("export json out=fehlt/labor.json", "Das Verzeichnis „fehlt“ für „fehlt/labor.json“ gibt es nicht."),
            (
                "remote set http://127.0.0.1:9 token=olt_x",
                "Die Datei „labor.ozg.token“ lässt sich nicht schreiben: das ist ein Verzeichnis, keine Datei."
            ),
        ])
    func writeReasons(command: String, message: String) throws {
        let directory = try prepared()
        try FileManager.default.createDirectory(
            atPath: directory.path("labor.ozg.token"), withIntermediateDirectories: false)
        let outcome = try ShellProcess.run(["labor.ozg", "-c", command], in: directory.url)
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "Fehler: \(message)\n")
        Self.expectGerman(outcome.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(!files.contains { $0.hasSuffix(".tmp") }, "\(files)")
    }

    @Test(
        "Replikat in fehlendem Verzeichnis, hinter einer Datei, als Verzeichnis: der Grund statt „nicht öffnen“",
        arguments: [
            ("fehlt/labor.ozg", "das Verzeichnis „fehlt“ gibt es nicht"),
            ("notiz.txt/labor.ozg", "ein Teil des Pfads ist kein Verzeichnis"),
            ("ordner", "„ordner“ ist ein Verzeichnis, keine Datei"),
        ])
    func replicaLocation(file: String, reason: String) throws {
        let directory = try prepared()
        let outcome = try ShellProcess.run([file, "-c", "status"], in: directory.url)
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "Fehler: Die Datei „\(file)“ lässt sich nicht als Replikat öffnen: \(reason).\n")
        Self.expectGerman(outcome.stderr)
    }

    @Test(
        "Ohne Berechtigung: Replikat im schreibgeschützten Verzeichnis, Export dorthin, unlesbare Importdatei",
        .enabled(if: ShellProcess.canRunUnprivileged, "braucht einen Benutzer ohne root-Rechte (setpriv)"))
    func permissionDenied() throws {
        let directory = try prepared(unprivileged: true)
        let readOnly = directory.path("nurlesen")
        try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: directory.path("labor.ozg"), toPath: readOnly + "/alt.ozg")
        try "{}".write(toFile: directory.path("geheim.json"), atomically: false, encoding: .utf8)
        if getuid() == 0 {
            for file in [readOnly, readOnly + "/alt.ozg"] {
                #expect(chown(file, ShellProcess.nobody, ShellProcess.nobody) == 0)
            }
        }
        #expect(chmod(readOnly, 0o555) == 0 && chmod(directory.path("geheim.json"), 0o000) == 0)
        defer { chmod(readOnly, 0o755) }
        let noPermission = "keine Berechtigung (die Dateirechte erlauben es diesem Benutzer nicht)"
        let cases = [
            (
                ["nurlesen/neu.ozg", "-c", "status"],
                "Die Datei „nurlesen/neu.ozg“ lässt sich nicht als Replikat öffnen: im Verzeichnis „nurlesen“ darf "
                    + "dieser Benutzer keine Dateien anlegen; SQLite braucht dort neben der Datei auch "
                    + "„neu.ozg-wal“ und „neu.ozg-shm“."
            ),
            (
                ["nurlesen/alt.ozg", "-c", "status"],
                "Die Datei „nurlesen/alt.ozg“ lässt sich nicht als Replikat öffnen: im Verzeichnis „nurlesen“ darf "
                    + "dieser Benutzer keine Dateien anlegen; SQLite braucht dort neben der Datei auch "
                    + "„alt.ozg-wal“ und „alt.ozg-shm“."
            ),
            (
                ["labor.ozg", "-c", "export json out=nurlesen/labor.json"],
                "Die Datei „nurlesen/labor.json“ lässt sich nicht schreiben: \(noPermission)."
            ),
            (
                ["labor.ozg", "-c", "import json geheim.json"],
                "Die Datei „geheim.json“ lässt sich nicht lesen: \(noPermission)."
            ),
        ]
        for (arguments, message) in cases {
            let outcome = try ShellProcess.run(arguments, in: directory.url, unprivileged: true)
            #expect(outcome.status == 1, "\(arguments)")
            #expect(outcome.stderr == "Fehler: \(message)\n", "\(arguments)")
            Self.expectGerman(outcome.stderr)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: readOnly) == ["alt.ozg"])
    }

    @Test(
        "Eine volle Standardausgabe (/dev/full) wird auf Deutsch gemeldet, statt mit englischem Text abzustürzen",
        .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullOutput() throws {
        let directory = try prepared()
        for arguments in [
            ["labor.ozg", "-c", "labor list"], ["labor.ozg", "-c", "export json"], ["neu.ozg", "-c", "help"],
        ] {
            let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
            let outcome = try ShellProcess.run(arguments, in: directory.url, standardOutput: full)
            #expect(outcome.status == 1, "\(arguments)")
            #expect(
                outcome.stderr == "Fehler: Die Ausgabe lässt sich nicht schreiben: der Datenträger ist voll.\n",
                "\(arguments)")
            Self.expectGerman(outcome.stderr)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("neu.ozg")))
    }

    @Test("Ein Verzeichnis als Skripteingabe wird gemeldet, statt nichts auszuführen und 0 zu melden")
    func directoryAsInput() throws {
        let directory = try prepared()
        let input = try #require(FileHandle(forReadingAtPath: directory.path("ordner")))
        let outcome = try ShellProcess.run(["labor.ozg"], in: directory.url, standardInput: input)
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "Fehler: Die Eingabe lässt sich nicht lesen: das ist ein Verzeichnis, keine Datei.\n")
        // Lines still end at \n or \r\n, the last one also without a line break.
        let script = directory.path("skript.txt")
        try "labor list\r\nlabor show\nlabor list".write(toFile: script, atomically: false, encoding: .utf8)
        let lines = try ShellProcess.run(
            ["labor.ozg"], in: directory.url, standardInput: try #require(FileHandle(forReadingAtPath: script)))
        #expect(lines.status == 0, "\(lines.stderr)")
        #expect(lines.stdout.components(separatedBy: "Vorbereitung").count == 4, "\(lines.stdout)")
    }

    @Test("Jeder Fehlercode hat einen deutschen Grund; Foundation-Fehler werden über ihren POSIX-Code benannt")
    func reasons() throws {
        for code in Int32(1)...Int32(133) {
            let reason = SystemReason.text(errno: code)
            #expect(!reason.isEmpty && !reason.contains(String(cString: strerror(code))), "\(code): \(reason)")
            Self.expectGerman(reason)
        }
        #expect(SystemReason.text(errno: ENOSPC) == "der Datenträger ist voll")
        #expect(SystemReason.text(errno: EROFS) == "der Datenträger ist schreibgeschützt")
        #expect(SystemReason.text(errno: EDQUOT) == "das Speicherkontingent (Quota) ist ausgeschöpft")
        #expect(SystemReason.text(errno: 4711) == "Systemfehler Nr. 4711")
        // Real errors of Foundation, whose own descriptions are English.
        let directory = ShellDirectory()
        for (path, code) in [(directory.path("fehlt"), ENOENT), (directory.url.path, EISDIR)] {
            let error = try #require(throws: (any Error).self) { try Data(contentsOf: URL(fileURLWithPath: path)) }
            #expect(SystemReason.text(for: error) == SystemReason.text(errno: code), "\(error)")
        }
        #expect(SystemReason.text(for: CocoaError(.fileWriteOutOfSpace)) == "der Datenträger ist voll")
        #expect(SystemReason.text(for: POSIXError(.EACCES))?.hasPrefix("keine Berechtigung") == true)
        #expect(SystemReason.text(for: CocoaError(.coderInvalidValue)) == "Systemfehler Nr. 4866 (Foundation)")
        #expect(SystemReason.text(for: ShellError.failed("x")) == nil)
    }
}
