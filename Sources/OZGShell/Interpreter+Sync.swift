import Foundation
import OZGDomain
import OZGReplication
import OZGSyncClient

extension Interpreter {
    static let remoteName = "server"

    func status(_ arguments: [String]) throws {
        var rows: [[String]] = [
            ["Datei", path], ["Gerät", "\(replica.siteID.shortHex)" + (replica.author.map { " (\($0))" } ?? "")],
        ]
        if let lab = currentLab, let record = try store.record(Domain.lab.key, id: lab) {
            rows.append(["Labor", "\(record.title) (\(lab))"])
        } else {
            rows.append(["Labor", "keins ausgewählt"])
        }
        rows.append(["Server", try replica.localSetting("remote.url") ?? "nicht eingerichtet"])
        do {
            rows.append(["Token", try tokenFile.load() == nil ? "keins" : "in \(tokenFile.path)"])
        } catch {
            rows.append(["Token", error.description])
        }
        rows.append(["Ausstehende Änderungen", String(try replica.pendingLocalChanges(for: Self.remoteName))])
        rows.append(["Letzte Synchronisation", try replica.localSetting("remote.last_sync") ?? "noch nie"])
        rows.append(["Cursor", String(try replica.cursor(for: Self.remoteName))])
        rows.append(["Live", liveStatus])
        rows.append(["Offene Konflikte", String(try replica.conflicts().count)])
        let quarantined = try replica.quarantinedChanges()
        rows.append(["Zurückgehaltene Änderungen", String(quarantined.count)])
        for change in quarantined {
            rows.append(["– \(change.table) \(change.rowID.prefix(8))", "\(change.time): \(change.reason)"])
        }
        print(ResultTable(columns: ["Feld", "Wert"], rows: rows).render(format))
    }

    func remote(_ arguments: [String]) throws {
        guard arguments.first == "set", arguments.count >= 3 else {
            throw ShellError.usage("Aufruf: remote set <url> token=<token> [labor=<id>]")
        }
        let url = arguments[1]
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw ShellError.usage("„\(url)“ ist keine gültige Server-Adresse; erwartet z. B. https://sync.land.de")
        }
        let options = try Tokenizer.assignments(arguments.dropFirst(2), command: "remote set")
        guard let token = options["token"], !token.isEmpty else {
            throw ShellError.usage("remote set braucht token=<token>.")
        }
        if let unknown = options.keys.first(where: { $0 != "token" && $0 != "labor" }) {
            throw ShellError.usage("Unbekannte Angabe „\(unknown)“ für remote set; erlaubt: token=, labor=.")
        }
        try tokenFile.store(token)
        try replica.setLocalSetting("remote.url", url)
        defer { restartLive() }
        if let lab = options["labor"] {
            guard LabID(lab) != nil else { throw ShellError.usage("Ungültige Labor-ID „\(lab)“: \(LabID.rule).") }
            try replica.setLocalSetting("remote.labor", lab)
        } else {
            try replica.setLocalSetting("remote.labor", try requireLab())
        }
    }

    /// Where this replica's sync token is kept: a file of its own, not the replica (`TokenFile`).
    var tokenFile: TokenFile { TokenFile(replicaPath: path) }

    /// Moves a token that an earlier version kept in the replica (a local setting, so `query` could
    /// read it and every copy of the file carried it) into the token file.
    func moveLegacyToken() throws(ShellError) {
        do {
            guard let token = try replica.localSetting(TokenFile.legacySetting) else { return }
            if (try? tokenFile.load()) == nil { try tokenFile.store(token) }
            // Overwritten before it is deleted: where SQLite is built without secure delete, a deleted
            // record's bytes stay in the page. The checkpoint empties the WAL, which holds the old page.
            try replica.setLocalSetting(TokenFile.legacySetting, String(repeating: "0", count: token.utf8.count))
            try replica.setLocalSetting(TokenFile.legacySetting, nil)
            try replica.checkpoint()
        } catch let error as ShellError {
            throw error
        } catch {
            throw .failed(
                "Das Sync-Token ließ sich nicht aus der Datei „\(path)“ nach „\(tokenFile.path)“ verschieben: \(error)")
        }
    }

    /// A client for the configured server and lab, or the German reason why there is none.
    func syncClient() throws -> SyncClient {
        guard let address = try replica.localSetting("remote.url"), let url = URL(string: address),
            let token = try tokenFile.load()
        else {
            throw ShellError.failed("Kein Server eingerichtet: erst „remote set <url> token=<token>“ ausführen.")
        }
        guard let lab = try replica.localSetting("remote.labor") ?? currentLab else {
            throw ShellError.failed(Hints.message(for: DomainError.noCurrentLab))
        }
        guard let labID = LabID(lab) else {
            throw ShellError.failed("Ungültige Labor-ID „\(lab)“ für den Server: \(LabID.rule).")
        }
        return SyncClient(replica: replica, server: url, token: token, lab: labID)
    }

    func sync(_ arguments: [String]) async throws {
        if arguments.first == "live" { return try liveCommand(Array(arguments.dropFirst())) }
        guard arguments.isEmpty else { throw ShellError.usage("Aufruf: sync, sync live an|aus") }
        let client = try syncClient()
        let lab = client.lab.rawValue
        let onTerminal = isatty(STDOUT_FILENO) == 1 && format == .tabelle
        let result: SyncProgress
        do {
            result = try await client.sync { progress in
                if onTerminal {
                    self.writeControl(
                        "\rSeite \(progress.pages): \(progress.pushedChanges) gesendet, "
                            + "\(progress.pulledChanges) empfangen\(progress.more ? " …" : "")\u{1B}[K")
                }
            }
        } catch let error as SyncClientError {
            if onTerminal { writeControl("\n") }
            throw ShellError.failed(Hints.message(for: error))
        }
        if onTerminal { writeControl("\n") }
        // A replica of the previous program may have sent Leistung fields that now live elsewhere.
        let moved = try store.moveRetiredFields()
        try replica.setLocalSetting("remote.last_sync", ISO8601DateFormatter().string(from: Date()))
        if currentLab == nil, try replica.isVisible(table: Domain.lab.key, id: lab) {
            try replica.setLocalSetting(Self.currentLabSetting, lab)
        }
        if format == .tabelle {
            if let message = result.compactionNotice { print(message) }
            let open = try replica.conflicts().count
            print(
                "Synchronisiert: \(result.pushedChanges == 1 ? "1 Änderung" : "\(result.pushedChanges) Änderungen") "
                    + "gesendet, \(result.pulledChanges) empfangen, "
                    + (open == 1 ? "1 offener Konflikt." : "\(open) offene Konflikte."))
            if !moved.isEmpty {
                print(
                    "Leistungsangaben eines älteren Programms in OZG-Leistung und Labor-Leistung übernommen "
                        + "(\(moved.joined(separator: ", "))); der nächste sync sendet sie.")
            }
            if result.quarantinedChanges > 0 {
                print(
                    "Der Server hat \(result.quarantinedChanges) Änderungen abgelehnt; sie sind zurückgehalten, "
                        + "alles andere ist synchronisiert. Die Gründe zeigt „status“.")
            }
        }
    }
}
