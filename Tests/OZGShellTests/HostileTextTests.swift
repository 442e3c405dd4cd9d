import Foundation
import OZGDomain
import OZGReplication
import Testing

@Suite("Replizierter Text erreicht das Terminal nur sichtbar, nie als Steuerbefehl")
struct HostileTextTests {
    /// Sets the window title and clears the screen, if a terminal receives it as it is.
    static let hostileName = "Erika\u{1B}]0;pwned\u{07}Muster\u{1B}[2J"
    /// A C1 CSI (clears the screen on terminals that take 8-bit controls) and a right-to-left override.
    static let hostileDescription = "Pflege\u{9B}2J \u{202E}kraft"

    /// A lab whose persona carries control characters, edited on two replicas at once so that history
    /// and conflicts hold them too. Returns the persona's id; the shell's file is `a.ozg`.
    func hostileLab(_ directory: ShellDirectory) throws -> String {
        let setup = try ShellProcess.run(
            ["a.ozg", "--autor", "Anna\u{1B}[8m"],
            input: """
                labor add id=lab titel="Labor\u{1B}[31mRot" themenfeld=bauen_wohnen bundesland=DE-MV
                persona add name="\(Self.hostileName)" kurzbeschreibung="\(Self.hostileDescription)" nutzergruppe=001 ziele=Schnell
                """, in: directory.url)
        #expect(setup.status == 0, "\(setup.stderr)")
        let persona = setup.lines[1]
        // b.ozg gets a's state, then both change the name without seeing each other: a conflict.
        do {
            let a = try LaborStore(path: directory.path("a.ozg"))
            let b = try LaborStore(path: directory.path("b.ozg"))
            defer {
                a.replica.close()
                b.replica.close()
            }
            try b.replica.apply(try a.replica.extractChanges(after: 0).batch)
        }
        for (file, name) in [("a.ozg", "A\u{1B}]52;c;ZXZpbA==\u{07}"), ("b.ozg", "B\u{1B}[2J\u{7F}")] {
            let edit = try ShellProcess.run([file, "-c", "persona set \(persona) name=\"\(name)\""], in: directory.url)
            #expect(edit.status == 0, "\(edit.stderr)")
        }
        let a = try LaborStore(path: directory.path("a.ozg"))
        let b = try LaborStore(path: directory.path("b.ozg"))
        defer {
            a.replica.close()
            b.replica.close()
        }
        try a.replica.apply(try b.replica.extractChanges(after: 0).batch)
        #expect(try a.replica.conflicts().count == 1)
        return persona
    }

    @Test("list, show, history, conflicts, status, query, check und export auf die Standardausgabe zeigen ␛ statt ESC")
    func controlCharactersAreShown() throws {
        let directory = ShellDirectory()
        let persona = try hostileLab(directory)
        let commands = [
            "persona list", "persona show \(persona.prefix(8))", "history \(persona.prefix(8))", "conflicts",
            "status", "query SELECT name, kurzbeschreibung FROM persona", "check", "export markdown",
            "export csv entitaet=persona", "export json",
        ]
        for format in ["tabelle", "json", "csv"] {
            let outcome = try ShellProcess.run(
                ["a.ozg", "--format", format] + commands.flatMap { ["-c", $0] }, in: directory.url)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let bytes = Array(outcome.stdout.utf8)
            #expect(!bytes.contains(0x1B) && !bytes.contains(0x07) && !bytes.contains(0x7F), "\(format)")
            #expect(!outcome.stdout.unicodeScalars.contains { (0x80...0x9F).contains($0.value) || $0 == "\u{202E}" })
            if format == "json" {
                // JSON keeps the data exact: the controls are \u escapes.
                #expect(outcome.stdout.contains("Erika\\u001b]0;pwned\\u0007Muster\\u001b[2J"))
                #expect(outcome.stdout.contains("Pflege\\u009b2J \\u202ekraft"))
            } else {
                #expect(outcome.stdout.contains("Erika␛]0;pwned␇Muster␛[2J"), "\(format): \(outcome.stdout)")
                #expect(outcome.stdout.contains("Pflege\\u{9B}2J \\u{202E}kraft"), "\(format)")
            }
            // Both sides of the conflict, and the lab's title in status.
            #expect(outcome.stdout.contains("A␛]52;c;ZXZpbA==␇") || outcome.stdout.contains("A\\u001b]52"))
            #expect(outcome.stdout.contains("B␛[2J␡") || outcome.stdout.contains("B\\u001b[2J\\u007f"))
            #expect(outcome.stdout.contains("Labor␛[31mRot") || outcome.stdout.contains("Labor\\u001b[31mRot"))
        }
    }

    @Test("Fehlermeldungen mit repliziertem Text zeigen die Steuerzeichen ebenfalls nur")
    func errorMessagesAreShown() throws {
        let directory = ShellDirectory()
        _ = try hostileLab(directory)
        let outcome = try ShellProcess.run(
            ["a.ozg", "-c", "persona add name=X kurzbeschreibung=k nutzergruppe=\"\u{1B}[2J\" ziele=z"],
            in: directory.url)
        #expect(outcome.status == 1)
        #expect(!outcome.stderr.utf8.contains(0x1B) && outcome.stderr.contains("„␛[2J“"), "\(outcome.stderr)")
    }

    @Test("export mit out= schreibt die Daten unverändert, Steuerzeichen eingeschlossen")
    func fileExportKeepsBytes() throws {
        let directory = ShellDirectory()
        _ = try hostileLab(directory)
        let outcome = try ShellProcess.run(["a.ozg", "-c", "export markdown out=steckbrief.md"], in: directory.url)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let markdown = try String(contentsOfFile: directory.path("steckbrief.md"), encoding: .utf8)
        #expect(markdown.contains(Self.hostileDescription))
    }
}
