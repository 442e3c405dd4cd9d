import Foundation
import OZGDomain
import OZGReplication
import OZGSyncClient

/// The live connection of the interactive shell (docs/SHELL.md, „Live“): while a server is set up,
/// what others push appears as one line above the prompt, and each command's writes are sent at once.
/// Scripts stay one-shot: they never open it.
extension Interpreter {
    /// The local setting that switches live off for this replica („aus“; anything else: on).
    static let liveSetting = "remote.live"

    var liveWanted: Bool { (try? replica.localSetting(Self.liveSetting)) != "aus" }

    /// Opens the live connection when this shell is interactive, live is wanted and a server is set up.
    public func startLive() {
        liveAllowed = true
        guard live == nil, liveWanted, let client = try? syncClient() else { return }
        // A live push must not hold the prompt for long when the server is gone: the reconnect catches up.
        client.maxAttempts = 2
        let session = LiveSync(client: client)
        session.start()
        live = session
    }

    public func stopLive() {
        live?.stop()
        live = nil
    }

    /// After `remote set` or `sync live an`: a connection to the server now configured.
    func restartLive() {
        guard liveAllowed else { return }
        stopLive()
        startLive()
    }

    /// Readable while live events wait (for `LineEditor.readLine(prompt:wake:)`).
    public var liveWakeDescriptor: Int32? { live?.connection.wakeDescriptor }

    /// Handles what the live connection delivered; returns the lines to show above the prompt.
    public func liveUpdates() async -> [String] {
        guard let live else { return [] }
        let events = live.connection.takeEvents()
        guard !events.isEmpty else { return [] }
        return await liveStep { try await live.process(events) }
    }

    /// Sends the writes of the command just run (and takes what waits); returns lines to show.
    public func livePush() async -> [String] {
        guard let live, live.connection.state == .connected else { return [] }
        return await liveStep { try await live.pushLocalChanges() }
    }

    private func liveStep(_ work: () async throws -> [LiveArrival]) async -> [String] {
        let conflictsBefore = (try? replica.conflicts().count) ?? 0
        do {
            let arrivals = try await work()
            lastLiveProblem = nil
            try? replica.setLocalSetting("remote.last_sync", ISO8601DateFormatter().string(from: Date()))
            let newConflicts = ((try? replica.conflicts().count) ?? 0) - conflictsBefore
            return arrivalLines(arrivals, newConflicts: newConflicts)
        } catch {
            let message = "Live: " + Hints.message(for: error)
            guard message != lastLiveProblem else { return [] }
            lastLiveProblem = message
            return [message]
        }
    }

    /// „↓ 3 Änderungen von Bernd: persona, schritt“, one line per device, counting only the lab's
    /// entities (not a device's author row).
    func arrivalLines(_ arrivals: [LiveArrival], newConflicts: Int) -> [String] {
        let authors = (try? replica.authors()) ?? [:]
        var lines: [String] = []
        for arrival in arrivals {
            let tables = arrival.tables.filter { Domain.entity($0) != nil }
            guard !tables.isEmpty else { continue }
            let name = authors[arrival.writer] ?? arrival.tokenName ?? "Gerät \(arrival.writer.shortHex)"
            let count = arrival.changes == 1 ? "1 Änderung" : "\(arrival.changes) Änderungen"
            lines.append("↓ \(count) von \(name): \(tables.joined(separator: ", "))")
        }
        if newConflicts > 0 {
            lines.append(
                "↓ \(newConflicts == 1 ? "1 neuer Konflikt" : "\(newConflicts) neue Konflikte") – „conflicts“ zeigt sie."
            )
        }
        return lines
    }

    /// What `status` shows in the row „Live“.
    var liveStatus: String {
        if let live { return live.connection.state.description }
        if !liveWanted { return "aus („sync live an“ schaltet ein)" }
        if !liveAllowed { return "nur in der interaktiven Shell" }
        return "kein Server eingerichtet"
    }

    /// `sync live an|aus`: switches the live connection for this replica (remembered in the file).
    func liveCommand(_ arguments: [String]) throws {
        switch arguments {
        case []:
            print("Live: \(liveStatus)")
        case ["an"], ["ein"]:
            try replica.setLocalSetting(Self.liveSetting, nil)
            restartLive()
            print(
                liveAllowed
                    ? "Live an: Änderungen anderer erscheinen, sobald sie gesendet sind; eigene werden sofort gesendet."
                    : "Live an: wirkt in der interaktiven Shell (Skripte synchronisieren nur mit „sync“).")
        case ["aus"]:
            try replica.setLocalSetting(Self.liveSetting, "aus")
            stopLive()
            print("Live aus: synchronisiert wird nur noch mit „sync“.")
        default:
            throw ShellError.usage("Aufruf: sync live an|aus (ohne Angabe: zeigt den Zustand)")
        }
    }
}
