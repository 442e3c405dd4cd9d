import ArgumentParser
import Foundation
import Hummingbird
import Logging
import OZGDomain
import OZGReplication
import StateOfficeWeb
import SyncServerCore

/// `ozg-sync-server`: the state office's sync server and its admin commands.
@main
struct SyncServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ozg-sync-server",
        abstract: "Sync-Server für OZG Labor-Sync: Endpunkt für die Replikate, Labore, Tokens und Rollen.",
        version: "ozg-sync-server \(ProductVersion.current)",
        subcommands: [
            Serve.self, Room.self, Status.self, Compact.self, Migrate.self, LaborCommand.self, TokenCommand.self,
        ])
}

/// Options every subcommand shares.
struct DataOptions: ParsableArguments {
    @Option(help: "Datenverzeichnis (server.sqlite und eine Datei je Labor); wird angelegt.")
    var data: String

    /// root must not write into a data directory that belongs to the service's user (the Debian
    /// package's `ozg-sync`): files root creates there (a new lab, the WAL of server.sqlite) would
    /// be unreadable for the running server.
    func validate() throws {
        guard getuid() == 0,
            let attributes = try? FileManager.default.attributesOfItem(atPath: data),
            let owner = (attributes[.ownerAccountID] as? NSNumber)?.uint32Value, owner != 0
        else { return }
        let name = attributes[.ownerAccountName] as? String ?? String(owner)
        throw ValidationError(
            "Das Datenverzeichnis \(data) gehört dem Benutzer \(name); als root angelegte Dateien könnte der "
                + "Server dort nicht mehr öffnen. Bitte als dieser Benutzer aufrufen: runuser -u \(name) -- ozg-sync-server …"
        )
    }
}

/// Where labs and tokens live: a data directory, or PostgreSQL (then the directory holds only this
/// instance's disposable mirrors of the labs).
struct StoreOptions: ParsableArguments {
    @Option(
        help: """
            Datenverzeichnis (server.sqlite und eine Datei je Labor); wird angelegt. Mit --postgres nur der \
            Zwischenspeicher dieser Instanz (darf jederzeit geleert werden).
            """)
    var data: String?
    @Option(
        help: """
            PostgreSQL statt Datenverzeichnis: postgres://BENUTZER@HOST:PORT/DATENBANK (Passwort aus PGPASSWORD); \
            siehe docs/OPERATIONS.md, „PostgreSQL“.
            """)
    var postgres: String?

    func validate() throws {
        guard data != nil || postgres != nil else {
            throw ValidationError("Bitte --data VERZEICHNIS oder --postgres postgres://… angeben.")
        }
        if let data { try DataOptions(data: data).validate() }
    }

    /// Runs `body` with the registry of the chosen store.
    func withRegistry<T: Sendable>(_ body: @escaping @Sendable (any Registry) async throws -> T) async throws -> T {
        if let postgres {
            return try await PostgresServerDatabase.with(url: postgres) {
                try await body(PostgresRegistry(database: $0))
            }
        }
        return try await body(try SQLiteRegistry(dataDirectory: data ?? ""))
    }
}

extension DataOptions {
    init(data: String) {
        self.init()
        self.data = data
    }
}

extension SyncServerCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Startet den Server.",
            discussion: """
                SIGTERM oder SIGINT beenden laufende Anfragen und schließen die Dateien sauber. Mit --postgres \
                teilen sich beliebig viele Instanzen eine Datenbank; --data ist dann je Instanz ein Zwischenspeicher.
                Feste Grenzen (docs/PROTOCOL.md, „Grenzen“): Werte bis 1 MiB je Feld, kausale Länge bis 2^32, \
                Anfragen eines lesen-Tokens bis 4 KiB, entpackt bis 256 MiB.
                """)

        @OptionGroup var options: StoreOptions
        @Option(help: "Adresse, an die der Server bindet.") var host = "127.0.0.1"
        @Option(help: "Port (0: das Betriebssystem wählt).") var port = 8080
        @Option(help: "Wie weit eine Änderung der Serveruhr voraus sein darf, in Sekunden.") var maxDriftSeconds = 600
        @Option(help: "Größter komprimierter Anfrageinhalt in Bytes.") var maxBodyBytes = 32 << 20
        @Option(help: "Höchstzahl Änderungen je Anfrage.") var maxChanges = 200_000
        @Option(help: "Zeilen je Seite beim Abholen.") var pageRows = 5000
        @Option(help: "Bytes an Text- und Blobwerten je Seite beim Abholen.") var pageBytes = 16 << 20
        @Option(help: "Sekunden, die eine Verbindung ohne Anfrage offen bleibt (auch Frist für die Kopfzeilen).")
        var idleTimeoutSeconds = 30
        @Option(help: "Höchstzahl gleichzeitig offener Verbindungen; weitere werden sofort geschlossen.")
        var maxConnections = 512
        @Option(help: "Höchstzahl gleichzeitig geöffneter Labordateien (die am längsten unbenutzte wird geschlossen).")
        var maxOpenLabs = 256
        @Option(help: "Sekunden, nach denen eine unbenutzte Labordatei geschlossen wird.") var labIdleSeconds = 300
        @Option(help: "Geräte je Token (ein Gerät wird bei seiner ersten Anfrage an das Token gebunden).")
        var maxDevicesPerToken = 8
        @Option(help: "Nicht vereinbarte Tabellen, die Clients je Labor anlegen dürfen.") var maxExtraTables = 8
        @Option(help: "Nicht vereinbarte Felder, die Clients je Tabelle anlegen dürfen.") var maxExtraColumns = 8
        @Option(help: "TLS-Zertifikatskette (PEM); mit --tls-key spricht der Server nur HTTPS.") var tlsCert: String?
        @Option(help: "Privater TLS-Schlüssel (PEM).") var tlsKey: String?
        @Flag(help: "Ohne die Web-Ansicht des Landesamts (sonst unter /).") var noWeb = false
        @Flag(
            help: """
                Der Server steht hinter einem TLS-Proxy: das Sitzungscookie der Web-Ansicht bekommt „Secure“, \
                fehlgeschlagene Anmeldungen zählen je Adresse aus X-Forwarded-For (letzter Eintrag).
                """)
        var behindTLSProxy = false
        @Option(
            help: """
                Macht den Server zum Hub (Workshop ohne Internet): er leitet seine Labore an diesen Server \
                weiter und holt dessen Änderungen (docs/OPERATIONS.md, „Workshop ohne Internet“).
                """)
        var upstream: String?
        @Option(help: "Token der Rolle „hub“ beim Upstream-Server.") var upstreamToken: String?
        @Option(help: "Nur diese Labore weiterleiten (mehrfach angeben; ohne: alle Labore dieses Servers).")
        var upstreamLabor: [String] = []

        func validate() throws {
            guard options.data != nil else {
                throw ValidationError("serve braucht --data (mit --postgres: Verzeichnis für den Zwischenspeicher).")
            }
            if options.postgres != nil && upstream != nil {
                throw ValidationError(
                    "Ein Hub (--upstream) hält seine Labore in Dateien; --postgres gilt nur für Landesserver.")
            }
            if let upstream {
                guard let url = URL(string: upstream), ["http", "https"].contains(url.scheme ?? ""), url.host != nil
                else {
                    throw ValidationError(
                        "--upstream „\(upstream)“ ist keine Server-Adresse; erwartet z. B. https://sync.land.de")
                }
                guard let upstreamToken, !upstreamToken.isEmpty else {
                    throw ValidationError(
                        "--upstream braucht --upstream-token (ein Token der Rolle „hub“ beim Upstream-Server).")
                }
            } else if upstreamToken != nil || !upstreamLabor.isEmpty {
                throw ValidationError("--upstream-token und --upstream-labor gelten nur mit --upstream.")
            }
            if let invalid = upstreamLabor.first(where: { LabID($0) == nil }) {
                throw ValidationError("Ungültige Labor-ID „\(invalid)“ für --upstream-labor: \(LabID.rule).")
            }
            let positive: [(String, Int)] = [
                ("--max-body-bytes", maxBodyBytes), ("--max-changes", maxChanges), ("--page-rows", pageRows),
                ("--page-bytes", pageBytes), ("--idle-timeout-seconds", idleTimeoutSeconds),
                ("--max-connections", maxConnections), ("--max-open-labs", maxOpenLabs),
                ("--lab-idle-seconds", labIdleSeconds), ("--max-devices-per-token", maxDevicesPerToken),
            ]
            for (option, value) in positive where value < 1 {
                throw ValidationError("\(option) muss mindestens 1 sein (angegeben: \(value)).")
            }
            for (option, value) in [("--max-extra-tables", maxExtraTables), ("--max-extra-columns", maxExtraColumns)]
            where !(0...55).contains(value) {
                throw ValidationError("\(option) muss zwischen 0 und 55 liegen (angegeben: \(value)).")
            }
            guard maxDriftSeconds >= 0 else {
                throw ValidationError("--max-drift-seconds darf nicht negativ sein (angegeben: \(maxDriftSeconds)).")
            }
        }

        func run() async throws {
            var configuration = ServerConfiguration(dataDirectory: options.data ?? "")
            configuration.postgresURL = options.postgres
            configuration.host = host
            configuration.port = port
            configuration.maxDriftMilliseconds = UInt64(max(0, maxDriftSeconds)) * 1000
            configuration.maxBodyBytes = maxBodyBytes
            configuration.maxChangesPerRequest = maxChanges
            configuration.pageRows = pageRows
            configuration.pageBytes = pageBytes
            configuration.idleTimeoutSeconds = idleTimeoutSeconds
            configuration.maxConnections = maxConnections
            configuration.maxOpenLabs = maxOpenLabs
            configuration.labIdleSeconds = labIdleSeconds
            configuration.maxDevicesPerToken = maxDevicesPerToken
            configuration.schemaGrowthLimit = SchemaGrowthLimit(
                tables: maxExtraTables, columnsPerTable: maxExtraColumns)
            configuration.tlsCertificatePath = tlsCert
            configuration.tlsKeyPath = tlsKey
            configuration.reservedTables = Domain.schema.tables
            if let upstream, let url = URL(string: upstream), let upstreamToken {
                configuration.upstream = UpstreamConfiguration(
                    url: url, token: upstreamToken, labs: upstreamLabor.isEmpty ? nil : upstreamLabor)
            }
            var logger = Logger(label: "ozg-sync-server")
            logger.logLevel = .info
            if let postgres = options.postgres {
                // Reached and at this program's schema (created or upgraded here) before anything listens.
                try await admin { try await PostgresServerDatabase.prepare(url: postgres) }
            }
            let host = self.host
            let app = try await admin {
                let web = WebModule(secureCookies: tlsKey != nil || behindTLSProxy, trustsProxy: behindTLSProxy)
                return try buildApplication(configuration, modules: noWeb ? [] : [web], logger: logger) { port in
                    FileHandle.standardOutput.write(Data("ozg-sync-server hört auf \(host):\(port)\n".utf8))
                }
            }
            try await app.runService()
        }
    }

    /// `ozg-sync-server compact`: keeps only the delete of rows every device has seen deleted, and with
    /// `--verlauf-tage` removes older history (docs/OPERATIONS.md, „Verdichtung“).
    struct Compact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verdichtet Labore: was jedes Gerät schon hat, wird kleiner gespeichert.",
            discussion: """
                Der Horizont eines Labors ist der kleinste Stand, den ein Gerät zuletzt gemeldet hat. Von gelöschten \
                Zeilen, deren Löschung vor dem Horizont liegt, bleibt nur die Löschung (ihre Werte lassen sich \
                danach nicht mehr vom Server wiederherstellen). Mit --verlauf-tage geht auch älterer Verlauf vor \
                dem Horizont; ein Gerät, das nicht abgewartet wurde und mit älterem Stand zurückkommt, lädt das \
                Labor dann neu und sendet alle eigenen Änderungen noch einmal. Darf laufen, während der Server \
                auf demselben Verzeichnis läuft.
                """)
        @OptionGroup var options: DataOptions
        @Option(help: "Nur dieses Labor (mehrfach angeben; ohne: alle Labore).") var labor: [String] = []
        @Option(
            help:
                "Geräte, die seit so vielen Tagen nicht synchronisiert haben, nicht abwarten (ohne: jedes Gerät abwarten)."
        )
        var vergessenNachTagen: Int?
        @Option(
            help:
                "Verlauf nur so viele Tage aufbewahren: ältere Änderungen samt alten Werten entfernen (ohne: ganzen Verlauf behalten)."
        )
        var verlaufTage: Int?

        func validate() throws {
            if let days = vergessenNachTagen, !(1...36_500).contains(days) {
                throw ValidationError("--vergessen-nach-tagen muss zwischen 1 und 36500 liegen (angegeben: \(days)).")
            }
            if let invalid = labor.first(where: { LabID($0) == nil }) {
                throw ValidationError("Ungültige Labor-ID „\(invalid)“ für --labor: \(LabID.rule).")
            }
            if let days = verlaufTage, !(0...36_500).contains(days) {
                throw ValidationError("--verlauf-tage muss zwischen 0 und 36500 liegen (angegeben: \(days)).")
            }
        }

        func run() async throws {
            let since = vergessenNachTagen.map { Int64(Date().timeIntervalSince1970 * 1000) - Int64($0) * 86_400_000 }
            let results = try await admin {
                try await LabMaintenance.compact(
                    dataDirectory: options.data, labs: labor.isEmpty ? nil : labor, countedSince: since,
                    keepHistoryDays: verlaufTage)
            }
            for lab in results { print(Self.line(lab)) }
        }

        static func line(_ lab: LabCompaction) -> String {
            let reduced = lab.result.removedTombstoneCount
            var line = "\(lab.lab): Horizont \(lab.result.horizon) ("
            line += lab.countedDevices == 1 ? "1 Gerät abgewartet" : "\(lab.countedDevices) Geräte abgewartet"
            if lab.forgottenDevices > 0 {
                line += ", \(lab.forgottenDevices) länger nicht gesehen und nicht abgewartet"
            }
            line += "); "
            var parts: [String] = []
            if reduced > 0 {
                parts.append(
                    reduced == 1
                        ? "von 1 gelöschten Zeile nur die Löschung behalten"
                        : "von \(reduced) gelöschten Zeilen nur die Löschung behalten")
            }
            if lab.result.removedLogRows > 0 {
                parts.append("\(lab.result.removedLogRows) Protokollzeilen älteren Verlaufs entfernt")
            }
            line += parts.isEmpty ? "nichts zu verdichten" : parts.joined(separator: ", ")
            line += String(format: "; Datei %.1f MB", Double(lab.fileBytes) / 1_000_000)
            if !parts.isEmpty && !lab.shrunk {
                line += " (nicht verkleinert, der Server las gerade; der frei gewordene Platz wird wiederverwendet)"
            }
            if lab.result.floor > 0 {
                line += "; Geräte mit einem Stand unter \(lab.result.floor) laden das Labor beim nächsten Sync neu"
            }
            return line + "."
        }
    }

    /// `ozg-sync-server migrate`: copies a data directory into PostgreSQL (docs/OPERATIONS.md, „Umzug in
    /// PostgreSQL“).
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Überträgt ein Datenverzeichnis in PostgreSQL und prüft das Ergebnis.",
            discussion: """
                Überträgt jedes Labor (Protokoll, Zeilen, Prüfprotokoll, Gerätestände), jedes Token (nur den Hash), \
                jede Gerätebindung und die Web-Anmeldungen, und prüft danach je Labor eine Prüfsumme über alles, \
                was die Labordatei speichert, aus der Datenbank zurückgelesen. Darf wiederholt werden: schon \
                Übertragenes bleibt, wie es ist. Den Server auf dem Datenverzeichnis vorher anhalten.
                """)
        @Option(help: "Datenverzeichnis des Servers (server.sqlite und eine Datei je Labor).") var from: String
        @Option(help: "Ziel: postgres://BENUTZER@HOST:PORT/DATENBANK (Passwort aus PGPASSWORD).") var to: String

        func validate() throws {
            try DataOptions(data: from).validate()
        }

        func run() async throws {
            var configuration = ServerConfiguration(dataDirectory: from)
            configuration.reservedTables = Domain.schema.tables
            let (from, to) = (from, to)
            let report = try await admin {
                try await PostgresMigration.migrate(from: from, to: to, configuration: configuration) { print($0) }
            }
            let copied = report.labs.filter(\.copied).count
            let tokens = report.tokens + report.tokensAlreadyThere
            print(
                "Fertig: \(report.labs.count == 1 ? "1 Labor" : "\(report.labs.count) Labore") geprüft "
                    + "(\(copied) jetzt übertragen), \(tokens == 1 ? "1 Token" : "\(tokens) Tokens") in der Datenbank.")
        }
    }

    struct LaborCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "labor", abstract: "Labore verwalten.", subcommands: [Create.self, List.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Legt ein Labor an.")
            @Argument(help: "Labor-ID: 1–64 Buchstaben, Ziffern, - oder _.") var laborID: String
            @Option(help: "Titel.") var titel: String?
            @OptionGroup var options: StoreOptions

            func run() async throws {
                let (laborID, titel) = (laborID, titel)
                try await admin { try await options.withRegistry { try await $0.createLab(laborID, title: titel) } }
                print(laborID)
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Listet die Labore.")
            @OptionGroup var options: StoreOptions

            func run() async throws {
                let labs = try await admin {
                    try await options.withRegistry { try await $0.labs().map { [$0.id, $0.title ?? ""] } }
                }
                for lab in labs { print(lab.joined(separator: "\t")) }
            }
        }
    }

    struct TokenCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token", abstract: "Tokens verwalten.", subcommands: [Create.self, List.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Legt ein Token an und gibt es einmalig aus (gespeichert wird nur ein Hash).")
            @Option(help: "Labor-ID(s), durch Komma getrennt.") var labor: String
            @Option(help: "Rolle: lesen, schreiben, hub (leitet Änderungen anderer Geräte weiter) oder admin.")
            var rolle: String
            @Option(help: "Wem das Token gehört (erscheint im Prüfprotokoll).") var name: String
            @OptionGroup var options: StoreOptions

            func run() async throws {
                guard let role = Role(rawValue: rolle) else {
                    failAdmin("Unbekannte Rolle „\(rolle)“; erlaubt: lesen, schreiben, hub, admin.")
                }
                let labs = labor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let name = name
                print(
                    try await admin {
                        try await options.withRegistry { try await $0.createToken(labs: labs, role: role, name: name) }
                    })
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Listet die Tokens (ohne Geheimnis).")
            @OptionGroup var options: StoreOptions

            func run() async throws {
                let lines = try await admin {
                    try await options.withRegistry { registry in
                        var lines: [String] = []
                        for token in try await registry.tokens() {
                            let devices = try await registry.devices(of: token.id)
                            lines.append(
                                [
                                    token.id, token.name, token.role.rawValue, token.labs.joined(separator: ","),
                                    token.created, token.revoked.map { "widerrufen \($0)" } ?? "gültig",
                                    devices.isEmpty ? "keine Geräte" : "Geräte: " + devices.joined(separator: ","),
                                ].joined(separator: "\t"))
                        }
                        return lines
                    }
                }
                for line in lines { print(line) }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Widerruft ein Token.")
            @Argument(help: "Token-ID (aus „token list“).") var tokenID: String
            @OptionGroup var options: StoreOptions

            func run() async throws {
                let tokenID = tokenID
                try await admin { try await options.withRegistry { try await $0.revokeToken(tokenID) } }
            }
        }
    }
}

/// Runs an admin action; its errors end the program with a German message and exit code 1.
func admin<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as AdminError {
        failAdmin(error.description)
    }
}

func failAdmin(_ message: String) -> Never {
    FileHandle.standardError.write(Data("Fehler: \(message)\n".utf8))
    exit(1)
}
