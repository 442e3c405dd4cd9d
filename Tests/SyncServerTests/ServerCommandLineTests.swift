import Foundation
import OZGDomain
import Testing

/// The installed program's command line: what the Debian package and its operators rely on.
@Suite("ozg-sync-server auf der Befehlszeile")
struct ServerCommandLineTests {
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    func run(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test("compact: eine Zeile je Labor; unmögliche Tage und unbekannte Labore werden auf Deutsch abgewiesen")
    func compactCommand() throws {
        let data = ReplicaDirectory()
        let directory = data.path("daten")
        #expect(try run(["labor", "create", "wohngeld-mv", "--data", directory]).status == 0)
        let outcome = try run(["compact", "--data", directory, "--verlauf-tage", "0"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(
            outcome.stdout.hasPrefix("wohngeld-mv: Horizont 0 (0 Geräte abgewartet); nichts zu verdichten"),
            "\(outcome.stdout)")
        for (arguments, message) in [
            (["--vergessen-nach-tagen", "0"], "--vergessen-nach-tagen muss zwischen 1 und 36500 liegen"),
            (
                ["--vergessen-nach-tagen", "9223372036854775807"],
                "--vergessen-nach-tagen muss zwischen 1 und 36500 liegen"
            ),
            (["--verlauf-tage=-1"], "--verlauf-tage muss zwischen 0 und 36500 liegen"),
            (["--labor", "gibt-es-nicht"], "Das Labor „gibt-es-nicht“ gibt es auf diesem Server nicht"),
        ] {
            let refused = try run(["compact", "--data", directory] + arguments)
            #expect(refused.status != 0, "\(arguments)")
            #expect(refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
    }

    @Test("--version nennt die Version des Pakets")
    func version() throws {
        let outcome = try run(["--version"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "ozg-sync-server \(ProductVersion.current)\n")
    }

    /// As root, an admin command must not create files in the service user's data directory: the running
    /// server (user ozg-sync in the Debian package) could not open them. Only root can hand a directory
    /// to another user, so the test needs root, as CI has.
    @Test(
        "Als root weisen die Verwaltungsbefehle ein Datenverzeichnis eines anderen Benutzers ab und ändern nichts",
        .enabled(if: getuid() == 0, "nur root kann ein Verzeichnis einem anderen Benutzer geben"))
    func rootRefusesServiceDirectory() throws {
        let data = ReplicaDirectory()
        let directory = data.path("dienst")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(chown(directory, 65534, 65534) == 0)
        for arguments in [
            ["labor", "create", "wohngeld-mv", "--data", directory], ["token", "list", "--data", directory],
            ["serve", "--data", directory, "--port", "0"], ["compact", "--data", directory],
        ] {
            let outcome = try run(arguments)
            #expect(outcome.status == 64, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains("gehört dem Benutzer"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains("runuser -u "), "\(outcome.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        // Root's own directory stays usable for root.
        let own = data.path("eigen")
        #expect(try run(["labor", "create", "wohngeld-mv", "--data", own]).status == 0)
    }
}
