import Foundation
import SyncServerCore
import Testing

@Suite("Zwei Shells und ein Server", .serialized)
struct ShellSyncTests {
    @Test("Offline bearbeiten, synchronisieren: conflicts zeigt den Wettlauf, resolve klärt ihn auf beiden")
    func conflictThroughServer() async throws {
        let server = try await LabServer.start(tokensFor: ["Anna", "Ben"])
        defer { server.task.cancel() }
        let (url, anna, ben) = (server.url, server.tokens[0], server.tokens[1])

        let directory = ShellDirectory()
        func shell(_ file: String, _ author: String, _ commands: String) async throws -> ShellProcess.Outcome {
            let outcome = try await ShellProcess.runOffPool(
                [file, "--autor", author], input: commands, in: directory.url)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return outcome
        }
        let persona = try await shell(
            "a.ozg", "Anna",
            """
            labor add id=wohngeld-mv titel="DigiLab Wohngeld" themenfeld=bauen_wohnen bundesland=DE-MV
            persona add name="Erika Muster" kurzbeschreibung=Pflegekraft nutzergruppe=001 ziele=Schnell
            remote set \(url) token=\(anna)
            sync
            """
        ).lines[1]
        _ = try await shell(
            "b.ozg", "Ben",
            """
            remote set \(url) token=\(ben) labor=wohngeld-mv
            sync
            """)
        // Both edit the same field offline.
        _ = try await shell("a.ozg", "Anna", "persona set \(persona.prefix(8)) zitat=\"Zu viel Papier\"")
        _ = try await shell("b.ozg", "Ben", "persona set \(persona.prefix(8)) zitat=\"Ich habe wenig Zeit\"")
        _ = try await shell("a.ozg", "Anna", "sync")
        _ = try await shell("b.ozg", "Ben", "sync")
        _ = try await shell("a.ozg", "Anna", "sync")
        for (file, author) in [("a.ozg", "Anna"), ("b.ozg", "Ben")] {
            let listing = try await shell(file, author, "conflicts").stdout
            #expect(listing.contains("Zu viel Papier") && listing.contains("Ich habe wenig Zeit"), "\(listing)")
            #expect(listing.contains("Anna") && listing.contains("Ben"), "\(listing)")
        }
        let csv = try await ShellProcess.runOffPool(["b.ozg", "--format", "csv", "-c", "conflicts"], in: directory.url)
            .stdout
        let id = csv.components(separatedBy: "\r\n")[1].split(separator: ",").first.map(String.init) ?? ""
        #expect(!id.isEmpty, "\(csv)")
        _ = try await shell(
            "b.ozg", "Ben",
            """
            resolve \(id) wert="Zu viel Papier, zu wenig Zeit"
            sync
            """)
        _ = try await shell("a.ozg", "Anna", "sync")
        for (file, author) in [("a.ozg", "Anna"), ("b.ozg", "Ben")] {
            #expect(try await shell(file, author, "conflicts").stdout.contains("(keine Einträge)"))
            let show = try await shell(file, author, "persona show \(persona.prefix(8))").stdout
            #expect(show.contains("Zu viel Papier, zu wenig Zeit"))
            let status = try await shell(file, author, "status").stdout
            #expect(status.contains(/Ausstehende Änderungen +0\n/))
            #expect(status.contains(/Zurückgehaltene Änderungen +0\n/))
        }
        let wrong = try await ShellProcess.runOffPool(
            ["a.ozg", "-c", "remote set \(url) token=olt_falsch", "-c", "sync"], in: directory.url)
        #expect(wrong.status == 1 && wrong.stderr.contains("HTTP 401"))
    }

    @Test("compact verlauf=<Tage>: erst nach dem Senden, Sichtbares bleibt, history beginnt mit dem Stand")
    func compactAfterSync() async throws {
        let server = try await LabServer.start(tokensFor: ["Anna"])
        defer { server.task.cancel() }
        let (url, token) = (server.url, server.tokens[0])
        let directory = ShellDirectory()
        func shell(_ commands: String, status: Int32 = 0) async throws -> ShellProcess.Outcome {
            let outcome = try await ShellProcess.runOffPool(
                ["a.ozg", "--autor", "Anna"], input: commands, in: directory.url)
            #expect(outcome.status == status, "\(outcome.stdout) \(outcome.stderr)")
            return outcome
        }
        let persona = try await shell(
            """
            labor add id=wohngeld-mv titel="DigiLab Wohngeld" themenfeld=bauen_wohnen bundesland=DE-MV
            persona add name="Erika Muster" kurzbeschreibung=Pflegekraft nutzergruppe=001 ziele=Schnell
            """
        ).lines[1]
        // Each its own transaction: the compaction keeps the newest log row, so the change is not in it.
        _ = try await shell(
            """
            persona set \(persona.prefix(8)) zitat="Zu viel Papier"
            persona add name="Max Muster" kurzbeschreibung=Rentner nutzergruppe=001 ziele=Einfach
            """)
        // Nothing was sent yet: nothing is compacted.
        let unsent = try await shell("compact verlauf=0").stdout
        #expect(unsent.contains("Nichts verdichtet") && unsent.contains("sync"), "\(unsent)")
        _ = try await shell("remote set \(url) token=\(token)\nsync")
        let before = try await shell("persona show \(persona.prefix(8))").stdout
        let compacted = try await shell("compact verlauf=0").stdout
        #expect(compacted.contains("Verdichtet: gesendeten Verlauf entfernt"), "\(compacted)")
        #expect(try await shell("persona show \(persona.prefix(8))").stdout == before)
        let history = try await shell("history \(persona.prefix(8))").stdout
        #expect(history.contains("Stand bei Verdichtung") && history.contains("Zu viel Papier"), "\(history)")
        #expect(!history.contains("geändert"), "\(history)")
        #expect(try await shell("verdichte verlauf=0").stdout.contains("Nichts zu verdichten"))
        let refused = try await shell("compact verlauf=viele", status: 2).stderr
        #expect(refused.contains("verlauf= erwartet eine Zahl von Tagen"), "\(refused)")
        // A change after the compaction shows in history as before, and is synced as before.
        let synced = try await shell("persona set \(persona.prefix(8)) zitat=\"Weniger Papier\"\nsync").stdout
        #expect(synced.contains("Synchronisiert: 1 Änderung gesendet, 0 empfangen, 0 offene Konflikte."), "\(synced)")
        let after = try await shell("history \(persona.prefix(8))").stdout
        #expect(after.contains("Zu viel Papier") && after.contains("Weniger Papier") && after.contains("geändert"))
    }

}

/// A real server on a port the OS picks, with the lab `wohngeld-mv` and a writing token per name.
struct LabServer {
    /// Kept so the server's directory lives as long as the server.
    let data: ShellDirectory
    let url: String
    let tokens: [String]
    let task: Task<Void, any Error>

    static func start(tokensFor names: [String]) async throws -> LabServer {
        let data = ShellDirectory()
        var configuration = ServerConfiguration(dataDirectory: data.path("server"))
        configuration.port = 0
        let registry = try SQLiteRegistry(dataDirectory: configuration.dataDirectory)
        try await registry.createLab("wohngeld-mv", title: nil)
        var tokens: [String] = []
        for name in names {
            tokens.append(try await registry.createToken(labs: ["wohngeld-mv"], role: .schreiben, name: name))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = try buildApplication(configuration) { continuation.yield($0) }
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        let url = "http://127.0.0.1:\(await iterator.next() ?? 0)"
        return LabServer(data: data, url: url, tokens: tokens, task: task)
    }
}
