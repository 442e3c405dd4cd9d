import Foundation
import Testing

/// Drives the interactive shell through a real terminal (tmux): keys in, screen out.
final class Terminal {
    let socket = "ozg-test-\(UUID().uuidString.prefix(8))"
    let session = "shell"

    /// Runs tmux through the C library's system(): Foundation's Process waited forever on the client
    /// that forks the tmux server.
    @discardableResult
    func tmux(_ arguments: [String], capture: Bool = true) throws -> String {
        func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: output) }
        let command =
            (["tmux", "-L", socket] + arguments).map(quote).joined(separator: " ")
            + " > \(quote(output.path)) 2>&1 < /dev/null"
        _ = system(command)
        return capture ? ((try? String(contentsOf: output, encoding: .utf8)) ?? "") : ""
    }

    func start(_ command: String) throws {
        try tmux(["new-session", "-d", "-s", session, "-x", "160", "-y", "50", command], capture: false)
    }

    func keys(_ keys: String...) throws {
        try tmux(["send-keys", "-t", session] + keys)
    }

    func screen() throws -> String {
        try tmux(["capture-pane", "-p", "-t", session])
    }

    /// Waits (up to 5 s) until the screen satisfies `condition`; returns the last screen.
    @discardableResult
    func wait(for condition: (String) -> Bool) throws -> String {
        var text = ""
        for _ in 0..<50 {
            text = try screen()
            if condition(text) { return text }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return text
    }

    func stop() {
        _ = try? tmux(["kill-server"], capture: false)
    }
}

@Suite("ozg-shell im Terminal", .serialized)
struct InteractiveShellTests {
    func prepared() throws -> (ShellDirectory, String) {
        let directory = ShellDirectory()
        let setup = try ShellProcess.run(
            ["labor.ozg"],
            input: """
                labor add titel="DigiLab Wohngeld" themenfeld=bauen_wohnen bundesland=DE-MV
                persona add name="Erika Muster" kurzbeschreibung=Pflegekraft nutzergruppe=001 ziele=Schnell
                """, in: directory.url)
        #expect(setup.status == 0, "\(setup.stderr)")
        return (directory, setup.lines[1])
    }

    func launch(_ terminal: Terminal, _ directory: ShellDirectory) throws {
        try terminal.start(
            "env HOME=\(directory.url.path) OZG_SHELL_HISTORY=\(directory.path("verlauf")) "
                + "\(ShellProcess.binary) \(directory.path("labor.ozg"))")
        try terminal.wait { $0.contains("ozg (DigiLab Wohngeld)>") }
    }

    @Test("Tab ergänzt Befehl, Feld, Auswahlwert und ID; mehrdeutige Werte werden mit Bezeichnung gelistet")
    func completion() throws {
        let (directory, persona) = try prepared()
        let terminal = Terminal()
        defer { terminal.stop() }
        try launch(terminal, directory)
        try terminal.keys("pers", "Tab")
        #expect(try terminal.wait { $0.contains("> persona") }.contains("> persona"))
        try terminal.keys("sh", "Tab", "Tab")
        let id = try terminal.wait { $0.contains(persona) }
        #expect(id.contains("> persona show \(persona)"))
        try terminal.keys("Enter")
        #expect(try terminal.wait { $0.contains("Pflegekraft") }.contains("Nutzergruppe"))
        try terminal.keys("persona set \(persona.prefix(6)) kurz", "Tab")
        #expect(try terminal.wait { $0.contains("kurzbeschreibung=") }.contains("kurzbeschreibung="))
        try terminal.keys("C-u", "persona set \(persona.prefix(6)) nutzergruppe=", "Tab", "Tab")
        let listing = try terminal.wait { $0.contains("003  Verwaltung") }
        #expect(listing.contains("001  Bürgerinnen und Bürger") && listing.contains("002  Unternehmen"))
    }

    @Test("Mehrere eingefügte Zeilen werden alle ausgeführt, keine geht verloren")
    func pastedLines() throws {
        let (directory, _) = try prepared()
        let terminal = Terminal()
        defer { terminal.stop() }
        try launch(terminal, directory)
        // One send-keys call: the later lines wait in the terminal while the first one runs.
        try terminal.keys(
            "persona add name=Zwei kurzbeschreibung=k nutzergruppe=001 ziele=z", "Enter",
            "persona add name=Drei kurzbeschreibung=k nutzergruppe=001 ziele=z", "Enter", "persona list", "Enter")
        // Each name twice: once typed, once in the list.
        func listed(_ screen: String) -> Bool {
            screen.components(separatedBy: "Drei").count >= 3 && screen.components(separatedBy: "Zwei").count >= 3
        }
        #expect(listed(try terminal.wait(for: listed)))
    }

    @Test("Live: Annas Änderung erscheint bei Bernd als Zeile über der Eingabe, ohne sync; die halbe Zeile bleibt")
    func liveArrivalLine() throws {
        let directory = ShellDirectory()
        let server = URL(fileURLWithPath: ShellProcess.binary).deletingLastPathComponent()
            .appendingPathComponent("ozg-sync-server").path
        let data = directory.path("server")
        func admin(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: server)
            process.arguments = arguments + ["--data", data]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try admin(["labor", "create", "live-lab", "--titel", "Live"])
        let anna = try admin(["token", "create", "--labor", "live-lab", "--rolle", "schreiben", "--name", "Anna"])
        let bernd = try admin(["token", "create", "--labor", "live-lab", "--rolle", "schreiben", "--name", "Bernd"])
        let serverTerminal = Terminal()
        defer { serverTerminal.stop() }
        try serverTerminal.start("\(server) serve --data \(data) --port 0")
        let listening = try serverTerminal.wait { $0.contains("hört auf") }
        let port =
            listening.split(separator: "\n").first { $0.contains("hört auf") }?.split(separator: ":").last
            .map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        let url = "http://127.0.0.1:\(port)"

        let setup = try ShellProcess.run(
            ["a.ozg", "--autor", "Anna"],
            input: """
                labor add id=live-lab titel="DigiLab Live" themenfeld=bauen_wohnen bundesland=DE-MV
                persona add name="Erika Muster" kurzbeschreibung=Pflegekraft nutzergruppe=001 ziele=Schnell
                remote set \(url) token=\(anna)
                sync
                """, in: directory.url)
        #expect(setup.status == 0, "\(setup.stderr)")
        let persona = setup.lines[1]
        let joined = try ShellProcess.run(
            ["b.ozg", "--autor", "Bernd", "-c", "remote set \(url) token=\(bernd) labor=live-lab", "-c", "sync"],
            in: directory.url)
        #expect(joined.status == 0, "\(joined.stderr)")

        let annaTerminal = Terminal()
        let berndTerminal = Terminal()
        defer {
            annaTerminal.stop()
            berndTerminal.stop()
        }
        for (terminal, file, name) in [(annaTerminal, "a.ozg", "Anna"), (berndTerminal, "b.ozg", "Bernd")] {
            try terminal.start(
                "env HOME=\(directory.url.path) OZG_SHELL_HISTORY=\(directory.path("verlauf-\(name)")) "
                    + "\(ShellProcess.binary) \(directory.path(file)) --autor \(name)")
            try terminal.wait { $0.contains("ozg (DigiLab Live)>") }
            // Connecting can take a moment on a loaded machine: ask again, up to about 20 s.
            var connected = false
            for _ in 0..<20 where !connected {
                try terminal.keys("C-l", "status", "Enter")
                connected = try terminal.wait { $0.contains("Live                        verbunden") }
                    .contains("Live                        verbunden")
                if !connected { Thread.sleep(forTimeInterval: 1) }
            }
            #expect(connected)
        }
        // Bernd is in the middle of typing when Anna's change arrives.
        try berndTerminal.keys("persona li")
        try annaTerminal.keys("persona set \(persona) zitat=\"Live aus dem Workshop\"", "Enter")
        // The arrival line comes first, the prompt with the half-typed line is drawn again right after.
        let arrived = try berndTerminal.wait { screen in
            screen.contains("↓ 1 Änderung von Anna: persona")
                && screen.split(separator: "\n").last(where: { !$0.isEmpty }) == "ozg (DigiLab Live)> persona li"
        }
        #expect(arrived.contains("↓ 1 Änderung von Anna: persona"))
        let lines = arrived.split(separator: "\n").map(String.init)
        #expect(lines.last { !$0.isEmpty } == "ozg (DigiLab Live)> persona li")
        try berndTerminal.keys("st", "Enter", "persona show \(persona)", "Enter")
        #expect(try berndTerminal.wait { $0.contains("Live aus dem Workshop") }.contains("Live aus dem Workshop"))
        try berndTerminal.keys("C-d")
        try annaTerminal.keys("C-d")
        Thread.sleep(forTimeInterval: 0.3)
        // Bernd never typed sync: the replica has it from the live channel.
        let check = try ShellProcess.run(["b.ozg", "-c", "persona show \(persona)"], in: directory.url)
        #expect(check.stdout.contains("Live aus dem Workshop"))
    }

    @Test("Verlauf bleibt über einen Neustart erhalten; Strg-C verwirft nur die Zeile, Strg-D beendet")
    func historyAndControlKeys() throws {
        let (directory, persona) = try prepared()
        let terminal = Terminal()
        defer { terminal.stop() }
        try launch(terminal, directory)
        try terminal.keys("persona list", "Enter")
        try terminal.wait { $0.contains("Erika Muster") }
        // Ctrl-C drops a half-typed delete: the persona is still there.
        try terminal.keys("persona delete \(persona)", "C-c")
        try terminal.wait { $0.contains("^C") }
        // remote set carries the sync token and stays out of the history file.
        try terminal.keys("remote set http://127.0.0.1:9 token=olt_geheim_1", "Enter")
        try terminal.wait { $0.components(separatedBy: "ozg (DigiLab Wohngeld)>").count == 5 }
        try terminal.keys("C-d")
        Thread.sleep(forTimeInterval: 0.3)
        let still = try ShellProcess.run([directory.path("labor.ozg"), "-c", "persona list"], in: directory.url)
        #expect(still.stdout.contains("Erika Muster"))
        let history = try String(contentsOfFile: directory.path("verlauf"), encoding: .utf8)
        #expect(history == "persona list\n")

        terminal.stop()
        let second = Terminal()
        defer { second.stop() }
        try launch(second, directory)
        try second.keys("Up")
        #expect(try second.wait { $0.contains("> persona list") }.contains("> persona list"))
        try second.keys("C-u", "C-r", "list")
        #expect(
            try second.wait { $0.contains("(Suche im Verlauf) 'list': persona list") }
                .contains("(Suche im Verlauf) 'list': persona list"))
    }

    @Test("export fragt vor dem Überschreiben einer vorhandenen Datei; nein lässt sie stehen, ja ersetzt sie")
    func overwriteQuestion() throws {
        let (directory, _) = try prepared()
        let file = directory.path("labor.json")
        try "alt\n".write(toFile: file, atomically: false, encoding: .utf8)
        let terminal = Terminal()
        defer { terminal.stop() }
        // Started in the test's directory, where out=labor.json is.
        try terminal.start(
            "cd \(directory.url.path) && env HOME=\(directory.url.path) OZG_SHELL_HISTORY=\(directory.path("verlauf")) "
                + "\(ShellProcess.binary) labor.ozg")
        try terminal.wait { $0.contains("ozg (DigiLab Wohngeld)>") }
        try terminal.keys("export json out=labor.json", "Enter")
        #expect(
            try terminal.wait { $0.contains("Überschreiben? (ja/nein)") }
                .contains("Datei „labor.json“ existiert. Überschreiben? (ja/nein)"))
        try terminal.keys("nein", "Enter")
        #expect(try terminal.wait { $0.contains("Nicht geschrieben") }.contains("„labor.json“ bleibt unverändert"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "alt\n")
        try terminal.keys("export json out=labor.json", "Enter")
        try terminal.wait { $0.components(separatedBy: "Überschreiben?").count == 3 }
        try terminal.keys("ja", "Enter")
        #expect(try terminal.wait { $0.contains("Geschrieben: labor.json") }.contains("Geschrieben: labor.json"))
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("\"format\": \"ozg-labor-sync\""))
    }

    @Test("Lange Tabellen zeigt ein Pager, q führt zur Eingabe zurück; ohne Pager die erste Seite und was fehlt")
    func longTablesArePaged() throws {
        let (directory, _) = try prepared()
        let adds = (1...80).map { "persona add name=P\($0) kurzbeschreibung=k nutzergruppe=002 ziele=z" }
        let setup = try ShellProcess.run(["labor.ozg"], input: adds.joined(separator: "\n"), in: directory.url)
        #expect(setup.status == 0, "\(setup.stderr)")
        for (pager, quit) in [("less -FRX", true), ("", false)] {
            let terminal = Terminal()
            defer { terminal.stop() }
            try terminal.start(
                "env HOME=\(directory.url.path) OZG_SHELL_HISTORY=\(directory.path("verlauf")) PAGER='\(pager)' "
                    + "\(ShellProcess.binary) \(directory.path("labor.ozg"))")
            try terminal.wait { $0.contains("ozg (DigiLab Wohngeld)>") }
            try terminal.keys("persona list", "Enter")
            func lastLine(_ screen: String) -> String {
                String(screen.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "")
            }
            if quit {
                // less shows the first screen and waits; the shell's prompt is not there yet.
                let screen = try terminal.wait { lastLine($0) == ":" }
                #expect(lastLine(screen) == ":", "\(screen)")
                #expect(screen.contains("Kurzbeschreibung"))
                try terminal.keys("q")
                let back = try terminal.wait { lastLine($0).hasPrefix("ozg (DigiLab Wohngeld)>") }
                #expect(lastLine(back).hasPrefix("ozg (DigiLab Wohngeld)>"), "\(back)")
            } else {
                let screen = try terminal.wait { $0.contains("Zeilen (alle:") }
                #expect(
                    screen.contains("… noch 36 Zeilen (alle: Paket less installieren oder PAGER setzen)."), "\(screen)")
            }
            // A short table comes straight.
            try terminal.keys("labor list", "Enter")
            #expect(try terminal.wait { $0.contains("DigiLab Wohngeld  Bauen") }.contains("DigiLab Wohngeld  Bauen"))
        }
    }
}
