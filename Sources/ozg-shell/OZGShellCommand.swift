import ArgumentParser
import Foundation
import OZGDomain
import OZGShell

extension OutputFormat: ExpressibleByArgument {}

/// `ozg-shell [DATEI] [-c BEFEHL]... [--format tabelle|json|csv] [--autor NAME]`
@main
struct OZGShellCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ozg-shell",
        abstract:
            "Zeilen-Shell für OZG-Digitalisierungslabore – arbeitet vollständig offline auf einem lokalen Replikat.",
        discussion: """
            Interaktiv, wenn die Eingabe ein Terminal ist (Zeilenbearbeitung, Verlauf, Tab-Ergänzung);
            sonst liest sie Befehle von der Standardeingabe oder aus -c, einen je Zeile, und bricht beim
            ersten Fehler ab (Exit-Code 1, bei Aufruffehlern 2). „help“ in der Shell listet die Befehle.
            """,
        version: "ozg-shell \(ProductVersion.current)")

    @Argument(help: "Die Replikatdatei; wird beim ersten Mal angelegt.")
    var datei = "labor.ozg"

    @Option(name: .customShort("c"), help: "Einen Befehl ausführen (mehrfach möglich), dann beenden.")
    var befehle: [String] = []

    @Option(help: "Ausgabeformat: tabelle, json oder csv.")
    var format: OutputFormat = .tabelle

    @Option(help: "Name für Verlauf und Konflikte (sonst OZG_AUTOR); wird in der Datei gespeichert.")
    var autor: String?

    /// Usage errors of the command line itself exit with 2, like usage errors of commands.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                do throws(ShellError) {
                    try StandardStream.output(message + "\n")
                } catch {
                    StandardStream.error("Fehler: \(error.description)\n")
                    Foundation.exit(error.exitCode)
                }
                Foundation.exit(0)
            }
            StandardStream.error("Fehler: " + TerminalText.visible(german(message)) + "\n" + usage)
            Foundation.exit(2)
        }
    }

    static let usage = """
        Aufruf: ozg-shell [DATEI] [-c BEFEHL]... [--format tabelle|json|csv] [--autor NAME]
        Mehr dazu: ozg-shell --help

        """

    /// Argument-parser's messages, in German for the common cases.
    static func german(_ message: String) -> String {
        let first = message.split(separator: "\n").first.map(String.init) ?? message
        let detail = first.replacingOccurrences(of: "Error: ", with: "")
        func quoted(_ text: String) -> String {
            text.split(separator: "'").dropFirst().first.map(String.init) ?? text
        }
        if detail.hasPrefix("Unknown option") { return "Unbekannte Option „\(quoted(detail))“." }
        if detail.hasPrefix("Missing value for") { return "Für „\(quoted(detail))“ fehlt ein Wert." }
        if detail.contains("is invalid for") {
            return "Ungültiger Wert „\(quoted(detail))“; erlaubt sind für --format: tabelle, json, csv."
        }
        if detail.hasPrefix("Unexpected argument") { return "Unerwartetes Argument „\(quoted(detail))“." }
        return "Ungültiger Aufruf (\(detail))."
    }

    func run() async throws {
        if isatty(STDIN_FILENO) == 1 && befehle.isEmpty {
            await interactive(open())
            return
        }
        // Scripted, the replica is created only by the first command that needs it: `help` on a new
        // file name must not leave an empty replica behind.
        var shell = FileManager.default.fileExists(atPath: datei) ? open() : nil
        func execute(_ line: String) async {
            if shell == nil, let help = Interpreter.helpWithoutReplica(line) {
                do throws(ShellError) {
                    if !help.isEmpty { try StandardStream.output(help + "\n") }
                } catch {
                    fail(error)
                }
                return
            }
            let current = shell ?? open()
            shell = current
            do {
                try await current.run(line)
            } catch {
                fail(error)
            }
        }
        if !befehle.isEmpty {
            for command in befehle { await execute(command) }
            return
        }
        var input = StandardStream.Lines()
        do throws(ShellError) {
            while let line = try input.next() { await execute(line) }
        } catch {
            fail(error)
        }
    }

    /// Opens (or creates) the replica file; a file that is no replica ends the program.
    func open() -> Interpreter {
        do {
            return try Interpreter(
                path: datei, author: autor ?? ProcessInfo.processInfo.environment["OZG_AUTOR"],
                format: format)
        } catch {
            fail(error)
        }
    }

    func fail(_ error: ShellError) -> Never {
        StandardStream.error("Fehler: \(TerminalText.visible(error.description))\n")
        Foundation.exit(error.exitCode)
    }

    func interactive(_ shell: Interpreter) async {
        let historyFile =
            ProcessInfo.processInfo.environment["OZG_SHELL_HISTORY"]
            ?? (ProcessInfo.processInfo.environment["HOME"].map { $0 + "/.ozg_shell_history" })
        let editor = LineEditor(historyFile: historyFile) { shell.completions(for: $0) }
        shell.pager = { Pager.show($0) }
        shell.ask = { question in
            if case .line(let answer) = editor.readLine(prompt: question) { return answer }
            return nil
        }
        try? StandardStream.output("OZG Labor-Sync – „help“ zeigt die Befehle, Strg-D beendet.\n")
        shell.startLive()
        defer { shell.stopLive() }
        // Lines about what arrived go above the prompt: the prompt line is cleared first, and the next
        // `readLine` draws it again with what was typed so far.
        func showAbovePrompt(_ lines: [String]) {
            for line in lines { try? StandardStream.output("\r\u{1B}[K" + TerminalText.visible(line) + "\n") }
        }
        while true {
            switch editor.readLine(prompt: shell.prompt, wake: shell.liveWakeDescriptor) {
            case .endOfInput: return
            case .interrupted: continue
            case .woken:
                showAbovePrompt(await shell.liveUpdates())
            case .line(let line):
                let command = line.trimmingCharacters(in: .whitespaces)
                // The history file is an ordinary file in the home directory: no sync token in it.
                if !command.hasPrefix("remote ") { editor.remember(line) }
                if command == "quit" || command == "exit" { return }
                do {
                    try await shell.run(line)
                } catch {
                    StandardStream.error("Fehler: \(TerminalText.visible(error.description))\n")
                }
                showAbovePrompt(await shell.livePush())
            }
        }
    }
}
