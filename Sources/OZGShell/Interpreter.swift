import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGSyncClient

/// Runs shell commands against one replica: parses a line, calls the library, prints the result.
///
/// ```swift
/// let shell = try Interpreter(path: "labor.ozg")
/// try shell.run("labor add titel=\"DigiLab Wohngeld\" themenfeld=bauen_wohnen bundesland=DE-MV")
/// ```
public final class Interpreter {
    public let store: LaborStore
    public let path: String
    public var format: OutputFormat
    /// Where results go (nil: standard output, `StandardStream`). Everything the commands print reaches
    /// it through `write(_:)`, which shows control characters instead of passing them on.
    let output: ((String) -> Void)?
    /// The first failed write to standard output during the current command; `run` reports it.
    var outputFailure: ShellError?
    /// Asks the person at the terminal a question and returns the answer; nil when the shell runs a
    /// script, where nobody can answer and commands need their options instead (`ueberschreiben=ja`).
    public var ask: ((String) -> String?)?
    /// Where warnings go (stderr by default), shown like everything else (`TerminalText`).
    public var warning: (String) -> Void = { StandardStream.error($0) }
    /// The live connection of the interactive shell (`Interpreter+Live.swift`); nil in scripts.
    var live: LiveSync?
    /// Whether this shell is interactive and may keep a live connection (`startLive`).
    var liveAllowed = false
    /// The last live problem shown, so that a failing poll is reported once, not every 15 seconds.
    var lastLiveProblem: String?

    public static let commands = [
        "help", "query", "export", "import", "history", "conflicts", "resolve", "check", "status", "remote", "sync",
        "compact", "quit",
    ]
    public static let verbs = ["add", "list", "show", "set", "delete", "restore", "move"]
    /// The German verb beside each English one, as messages show it.
    public static let germanVerbs = [
        "add": "neu", "list": "liste", "show": "zeige", "set": "ändere", "delete": "lösche", "move": "verschiebe",
        "restore": "wiederherstellen",
    ]
    /// Typed German verb → English verb, with umlauts or ae/oe/ue.
    public static let verbAliases = aliases(germanVerbs)
    /// Typed German command → English command.
    public static let commandAliases = aliases(["check": "prüfe", "help": "hilfe", "compact": "verdichte"])

    /// Inverts English → German names and adds each German name's ASCII spelling (`lösche`, `loesche`).
    static func aliases(_ german: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for (english, name) in german {
            result[name] = english
            result[InputFolding.asciiKey(name)] = english
        }
        return result
    }

    public init(
        path: String, author: String? = nil, format: OutputFormat = .tabelle,
        write: ((String) -> Void)? = nil
    ) throws(ShellError) {
        self.path = path
        self.format = format
        self.output = write
        do {
            store = try LaborStore(path: path)
            if let author, !author.isEmpty, store.replica.author != author { try store.replica.setAuthor(author) }
        } catch {
            // SQLite knows only that it cannot open or write the file; the file and its directory tell why.
            var reason = Hints.message(for: error)
            if let error = error as? DatabaseError, [.cannotOpen, .readOnly].contains(error.resultCode) {
                reason = ReplicaLocation.problem(path) ?? reason
            }
            throw ShellError.failed("Die Datei „\(path)“ lässt sich nicht als Replikat öffnen: \(reason).")
        }
        try moveLegacyToken()
    }

    var replica: Replica { store.replica }

    /// The local setting that remembers the current lab.
    static let currentLabSetting = "labor"

    /// The lab commands work on (remembered in the file, not replicated).
    public var currentLab: String? {
        guard let id = try? replica.localSetting(Self.currentLabSetting),
            (try? replica.isVisible(table: Domain.lab.key, id: id)) == true
        else {
            return nil
        }
        return id
    }

    /// The prompt, naming the current lab.
    public var prompt: String {
        guard let lab = currentLab, let record = try? store.record(Domain.lab.key, id: lab) else {
            return "ozg (kein Labor)> "
        }
        return "ozg (\(TerminalText.visible(record.title, lineBreaks: .shown)))> "
    }

    /// Writes `text` as it is shown on a terminal: replicated text can hold control characters
    /// (`TerminalText`), so every command prints through here and new commands are covered too.
    func write(_ text: String) {
        emit(TerminalText.visible(text))
    }

    /// Writes the shell's own terminal control (the progress line of `sync`), never replicated text.
    func writeControl(_ text: String) {
        emit(text)
    }

    /// Passes `text` on; after a failed write to standard output the rest of the command's output is
    /// dropped and `run` reports the failure.
    private func emit(_ text: String) {
        guard outputFailure == nil else { return }
        guard let output else {
            do throws(ShellError) {
                try StandardStream.output(text)
            } catch {
                outputFailure = error
            }
            return
        }
        output(text)
    }

    func warn(_ text: String) {
        warning(TerminalText.visible(text))
    }

    /// Shows long tables page by page; the interactive shell sets it (`Pager.show`), scripts leave it nil.
    public var pager: ((String) -> Void)?

    /// Prints a table for people: through `pager` when one is set, else like `print`.
    func printTable(_ text: String) {
        guard let pager, format == .tabelle, output == nil else { return print(text) }
        pager(TerminalText.visible(text.utf8.last == 10 ? text : text + "\n"))
    }

    func print(_ text: String) {
        // "\r\n" is one Character in Swift, so look at the last byte.
        write(text.utf8.last == 10 ? text : text + "\n")
    }

    func requireLab() throws(ShellError) -> String {
        guard let lab = currentLab else { throw .failed(Hints.message(for: DomainError.noCurrentLab)) }
        return lab
    }

    /// The output of a line that needs no replica (`help`, an empty line, a comment), or nil when the
    /// line is another command. Lets a script ask for help without creating a replica file.
    public static func helpWithoutReplica(_ line: String) -> String? {
        guard let words = try? Tokenizer.split(line) else { return nil }
        guard let command = words.first else { return "" }
        guard ["help", "hilfe", "?"].contains(command) else { return nil }
        return TerminalText.visible(Help.text(for: words.dropFirst().first))
    }

    /// Runs one command line. Empty lines and comments do nothing.
    public func run(_ line: String) async throws(ShellError) {
        outputFailure = nil
        try await runCommand(line)
        // A command whose output could not be written did not do what was asked, even if it succeeded.
        if let failure = outputFailure { throw failure }
    }

    private func runCommand(_ line: String) async throws(ShellError) {
        do {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            // query takes the rest of the line verbatim: SQL has its own quoting.
            if trimmed.hasPrefix("query") && (trimmed.count == 5 || trimmed.dropFirst(5).first?.isWhitespace == true) {
                try query(String(trimmed.dropFirst(5)).trimmingCharacters(in: .whitespaces))
                return
            }
            let words = try Tokenizer.split(line)
            guard let command = words.first else { return }
            try await dispatch(command, Array(words.dropFirst()))
        } catch let error as ShellError {
            throw error
        } catch let error as DomainError {
            switch error {
            case .unknownEntity: throw .usage(error.description)
            default: throw .failed(Hints.message(for: error))
            }
        } catch {
            throw .failed(Hints.message(for: error))
        }
    }

    func dispatch(_ typed: String, _ arguments: [String]) async throws {
        let command = Self.commandAliases[typed] ?? typed
        switch command {
        case "help", "?": print(Help.text(for: arguments.first))
        case "export": try export(arguments)
        case "import": try importFile(arguments)
        case "history": try history(arguments)
        case "conflicts": try conflicts(arguments)
        case "resolve": try resolve(arguments)
        case "check": try check(arguments)
        case "status": try status(arguments)
        case "remote": try remote(arguments)
        case "sync": try await sync(arguments)
        case "compact": try compact(arguments)
        case "quit", "exit": break
        default:
            guard Domain.entity(command) != nil else {
                let suggestion = Self.nearest(command, in: Self.commands + Domain.entities.map(\.key))
                throw ShellError.usage(
                    "Unbekannter Befehl „\(command)“."
                        + (suggestion.map { " Meinten Sie „\($0)“?" } ?? "") + " „help“ listet alle Befehle.")
            }
            try entityCommand(command, arguments)
        }
    }

    /// The closest word by edit distance, if it is close enough to be a likely typo.
    static func nearest(_ word: String, in candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var current = [i + 1]
                for (j, y) in b.enumerated() {
                    current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
                }
                previous = current
            }
            return previous[b.count]
        }
        let scored = candidates.map { ($0, distance(Array(word.lowercased()), Array($0))) }.min { $0.1 < $1.1 }
        guard let (best, score) = scored, score <= max(2, word.count / 3) else { return nil }
        return best
    }
}
