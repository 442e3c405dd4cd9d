import ArgumentParser
import Foundation
import OZGReplication
import SyncServerCore

#if canImport(Glibc)
    import Glibc
#endif

extension SyncServerCommand {
    /// `ozg-sync-server raum`: a workshop room in one command (docs/OPERATIONS.md, „Workshop ohne Internet“).
    struct Room: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "raum",
            abstract: "Richtet einen Workshop-Raum ein und startet den Server als Hub.",
            discussion: """
                Legt das Labor an (oder übernimmt es mit --upstream vom Landesserver), legt ein Token der Rolle \
                schreiben für den Raum an (oder eines je Teilnehmerin mit --teilnehmende), nennt die Adresse im \
                lokalen Netz und die Zeile für „remote set“ in der Shell, und startet dann den Server.
                """)

        @OptionGroup var options: DataOptions
        @Option(help: "Labor-ID des Workshops.") var labor: String
        @Option(help: "Titel, wenn das Labor neu angelegt wird.") var titel: String?
        @Option(help: "Tokens je Teilnehmerin oder Teilnehmer statt eines Tokens für den Raum.") var teilnehmende = 0
        @Option(help: "Adresse, an die der Server bindet (Vorgabe: alle, damit der Raum ihn erreicht).")
        var host = "0.0.0.0"
        @Option(help: "Port.") var port = 8080
        @Option(help: "Landesserver, an den der Hub weiterleitet, sobald Netz da ist.") var upstream: String?
        @Option(help: "Token der Rolle „hub“ beim Landesserver.") var upstreamToken: String?

        func validate() throws {
            guard LabID(labor) != nil else { throw ValidationError("Ungültige Labor-ID „\(labor)“: \(LabID.rule).") }
            guard (0...200).contains(teilnehmende) else {
                throw ValidationError("--teilnehmende muss zwischen 0 und 200 liegen (angegeben: \(teilnehmende)).")
            }
            if (upstream == nil) != (upstreamToken == nil) {
                throw ValidationError("--upstream und --upstream-token gehören zusammen.")
            }
        }

        func run() async throws {
            let registry = try await admin { try SQLiteRegistry(dataDirectory: options.data) }
            let existed = try await registry.labExists(labor)
            if !existed { try await admin { try await registry.createLab(labor, title: titel) } }
            var tokens: [(name: String, token: String)] = []
            let names = teilnehmende == 0 ? ["Raum \(labor)"] : (1...teilnehmende).map { "Platz \($0)" }
            for name in names {
                tokens.append((name, try await registry.createToken(labs: [labor], role: .schreiben, name: name)))
            }
            let address = host == "0.0.0.0" ? (Self.localNetworkAddress() ?? "127.0.0.1") : host
            let url = "http://\(address):\(port)"
            var text = "Workshop-Hub für das Labor „\(labor)“" + (existed ? " (vorhanden)" : " (neu angelegt)") + "\n"
            text += "Adresse im Raum: \(url)\n"
            if let upstream {
                text +=
                    "Weiterleitung an \(upstream): sobald erreichbar, in beide Richtungen (Status: ozg-sync-server status).\n"
                if !existed { text += "Das Labor kommt vom Landesserver, sobald er erreichbar ist.\n" }
            } else {
                text += "Ohne --upstream bleibt alles auf diesem Rechner; später mit --upstream weiterleiten.\n"
            }
            text += "In jeder Shell (einmal, dann sync oder live):\n"
            for (name, token) in tokens {
                text += "  \(names.count > 1 ? name + ": " : "")remote set \(url) token=\(token) labor=\(labor)\n"
            }
            text += "Tokens widerrufen nach dem Workshop: ozg-sync-server token list/revoke --data \(options.data)\n"
            FileHandle.standardOutput.write(Data(text.utf8))
            var arguments = ["--data", options.data, "--host", host, "--port", String(port)]
            if let upstream, let upstreamToken {
                arguments += ["--upstream", upstream, "--upstream-token", upstreamToken, "--upstream-labor", labor]
            }
            let serve = try Serve.parse(arguments)
            try await serve.run()
        }

        /// The first IPv4 address of an interface that is up and not the loopback: what the room's laptops reach.
        static func localNetworkAddress() -> String? {
            var first: UnsafeMutablePointer<ifaddrs>?
            guard getifaddrs(&first) == 0, let list = first else { return nil }
            defer { freeifaddrs(list) }
            var cursor: UnsafeMutablePointer<ifaddrs>? = list
            while let entry = cursor {
                defer { cursor = entry.pointee.ifa_next }
                let flags = Int32(entry.pointee.ifa_flags)
                guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == UInt8(AF_INET),
                    flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0
                else { continue }
                var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(
                    address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0,
                    NI_NUMERICHOST) == 0
                {
                    return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                }
            }
            return nil
        }
    }
}

extension SyncServerCommand {
    /// `ozg-sync-server status`: what a hub still has to send upstream, per lab.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Zeigt je Labor, was ein Hub noch an den Landesserver senden muss.",
            discussion: "Liest den Stand, den der laufende (oder zuletzt gelaufene) Hub nach jeder Runde schreibt.")
        @OptionGroup var options: DataOptions

        /// The error text comes from the upstream server: its control characters are not passed to the
        /// terminal.
        static func printable(_ text: String) -> String {
            String(
                String.UnicodeScalarView(
                    text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
        }

        func run() async throws {
            guard let entries = try HubStatus.status(dataDirectory: options.data) else {
                print("Dieser Server leitet nicht weiter (kein --upstream) oder lief noch nie als Hub.")
                return
            }
            for entry in entries {
                var line = "\(entry.labor): "
                line +=
                    entry.wartend == 0
                    ? "nichts wartend"
                    : entry.wartend == 1
                        ? "1 Änderung wartet auf den Landesserver"
                        : "\(entry.wartend) Änderungen warten auf den Landesserver"
                line += "; zuletzt erreicht: \(entry.zuletztErreicht ?? "noch nie")"
                if let error = entry.fehler { line += "; letzter Fehler: \(error)" }
                print(Self.printable(line))
            }
        }
    }
}
