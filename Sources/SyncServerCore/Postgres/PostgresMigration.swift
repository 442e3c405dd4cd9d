import Crypto
import Foundation
import NIOCore
import OZGReplication
import OZGStorage
import PostgresNIO

/// `ozg-sync-server migrate --from DIR --to postgres://…`: copies a data directory into PostgreSQL
/// (docs/OPERATIONS.md, „Umzug in PostgreSQL“) — every lab with its log, rows, registries, audit log
/// and device positions, every token (its hash only), device binding and web login — and checks the
/// result: counts, and per lab a checksum over everything a lab file stores, read back through the
/// server's own PostgreSQL path.
///
/// Safe to re-run: labs, tokens and bindings already there are kept; a lab already copied whole is
/// skipped; a lab that exists in the database with other content (devices already synced there) is
/// refused, not overwritten.
public enum PostgresMigration {
    /// What one run did, per lab and in sum.
    public struct Report: Sendable {
        public var labs: [LabReport] = []
        public var tokens = 0
        public var tokensAlreadyThere = 0
        public var deviceBindings = 0
        public var webLogins = 0
    }

    public struct LabReport: Sendable {
        public let lab: String
        /// Copied now, or found already copied by an earlier run.
        public let copied: Bool
        public let logRows: Int
        public let rows: Int
        public let auditEntries: Int
        /// SHA-256 (hex) over the lab's stored state, equal in the file and read back from the database.
        public let checksum: String
    }

    /// Copies `dataDirectory` into the database at `url`; `configuration` is what `serve` would run with
    /// (its reserved tables decide how lab files are opened). Throws `AdminError` with a German message
    /// when a lab conflicts or a check fails.
    public static func migrate(
        from dataDirectory: String, to url: String, configuration: ServerConfiguration,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> Report {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/server.sqlite") else {
            throw AdminError("In \(dataDirectory) liegt kein Datenverzeichnis des Servers (server.sqlite fehlt).")
        }
        let registry = try SQLiteRegistry(dataDirectory: dataDirectory)
        let exported = try await registry.export()
        return try await PostgresServerDatabase.with(url: url) { database in
            try await database.prepared()
            var report = Report()
            for lab in exported.labs {
                report.labs.append(
                    try await copyLab(
                        lab, from: dataDirectory, into: database, configuration: configuration, progress: progress))
            }
            try await copyRegistry(exported, into: database, report: &report)
            progress(
                "Tokens: \(report.tokens) übertragen, \(report.tokensAlreadyThere) schon vorhanden; "
                    + "\(counted(report.deviceBindings, "Gerätebindung", "Gerätebindungen")), "
                    + "\(counted(report.webLogins, "Web-Anmeldung", "Web-Anmeldungen")).")
            return report
        }
    }

    private static func copyRegistry(
        _ exported: RegistryExport, into database: PostgresServerDatabase, report: inout Report
    ) async throws {
        let logger = database.logger
        try await database.transaction { connection in
            for token in exported.tokens {
                let inserted = try await connection.rows(
                    """
                    INSERT INTO ozg_token(id, hash, name, rolle, labore, angelegt, widerrufen)
                    VALUES (\(token.id), \(token.hash), \(token.name), \(token.role), \(token.labs), \(token.created),
                        \(token.revoked))
                    ON CONFLICT (id) DO NOTHING RETURNING id
                    """, logger: logger)
                if inserted.isEmpty {
                    let stored = try await connection.rows(
                        "SELECT hash FROM ozg_token WHERE id = \(token.id)", logger: logger
                    ).first?.decode(String.self)
                    guard stored == token.hash else {
                        throw AdminError(
                            "Das Token \(token.id) gibt es in der Datenbank schon mit einem anderen Geheimnis; "
                                + "nichts wurde übertragen.")
                    }
                    report.tokensAlreadyThere += 1
                } else {
                    report.tokens += 1
                }
            }
            for device in exported.devices {
                try await connection.query(
                    """
                    INSERT INTO ozg_token_device(lab, geraet, token_id, erstmals)
                    VALUES (\(device.lab), \(device.site), \(device.tokenID), \(device.first))
                    ON CONFLICT (lab, geraet) DO NOTHING
                    """, logger: logger)
            }
            report.deviceBindings = exported.devices.count
            // Web logins are a log: copied once, when the database has none yet.
            let existing = try await connection.rows("SELECT count(*) FROM ozg_web_login", logger: logger).first?
                .decode(Int64.self)
            if existing == 0 {
                for login in exported.logins {
                    try await connection.query(
                        """
                        INSERT INTO ozg_web_login(zeit, adresse, token_id, ergebnis)
                        VALUES (\(login.time), \(login.address), \(login.tokenID), \(login.outcome))
                        """, logger: logger)
                }
                report.webLogins = exported.logins.count
            }
        }
    }

    private static func copyLab(
        _ lab: RegistryExport.Lab, from dataDirectory: String, into database: PostgresServerDatabase,
        configuration: ServerConfiguration, progress: @Sendable (String) -> Void
    ) async throws -> LabReport {
        guard let labID = LabID(lab.id) else { throw AdminError("Ungültige Labor-ID „\(lab.id)“ im Datenverzeichnis.") }
        let logger = database.logger
        let path = "\(dataDirectory)/labor-\(lab.id).ozg"
        var source = MirrorState()
        var audit: [[String: DatabaseValue]] = []
        var peers: [PeerPosition] = []
        var site = SiteID.random()
        var head: Int64 = 0
        if FileManager.default.fileExists(atPath: path) {
            let (schema, replicaConfiguration) = LabSteps.replicaSetup(configuration)
            let replica = try Replica(path: path, schema: schema, configuration: replicaConfiguration)
            defer { replica.close() }
            replica.adoptRegisteredTables()
            guard try replica.compactionFloor() == 0 else {
                throw AdminError(
                    "Das Labor „\(lab.id)“ wurde mit --verlauf-tage verdichtet; solche Labore kann der Umzug noch "
                        + "nicht übertragen (nichts von ihm wurde übertragen).")
            }
            source = try replica.mirrorState(after: 0)
            site = replica.siteID
            head = try replica.lastSequence()
            audit = try replica.read { database in
                try database.rows(
                    """
                    SELECT zeit, token_id, token_name, geraet, aenderungen, zeilen, weitergeleitet_fuer
                    FROM _ozg_audit ORDER BY seq
                    """
                ) { row in
                    [
                        "zeit": row.value(0), "token_id": row.value(1), "token_name": row.value(2),
                        "geraet": row.value(3), "aenderungen": row.value(4), "zeilen": row.value(5),
                        "weitergeleitet_fuer": row.value(6),
                    ]
                }
            }
            peers = try replica.peerPositions()
        }
        // A lab no device synced has no file: its registries are the ones a server writes at first use.
        let withRegistries = !source.tables.isEmpty
        let checksum = Self.checksum(source, registries: withRegistries)
        let siteBytes = ByteBuffer(bytes: site.bytes)
        let copied = try await database.transaction { connection in
            let existing = try await connection.rows(
                "SELECT head, site FROM ozg_lab WHERE lab = \(lab.id) FOR UPDATE", logger: logger
            ).first?.decode((Int64, ByteBuffer).self)
            if let existing {
                let rows = try await connection.rows(
                    "SELECT count(*) FROM ozg_row WHERE lab = \(lab.id)", logger: logger
                ).first?.decode(Int64.self)
                // Already copied; or, for a lab no device synced, already there (a server may have used it since).
                if existing.0 == head && rows == Int64(source.rows.count)
                    && (existing.1.bytes == site.bytes || !withRegistries)
                {
                    return false
                }
                guard existing.0 == 0 && rows == 0 else {
                    throw AdminError(
                        "Das Labor „\(lab.id)“ gibt es in der Datenbank schon mit anderem Inhalt (Stand \(existing.0), "
                            + "hier \(head)); es wird nicht überschrieben. Nichts von ihm wurde übertragen.")
                }
                try await connection.query(
                    "UPDATE ozg_lab SET site = \(siteBytes), head = \(head), version = version + 1 WHERE lab = \(lab.id)",
                    logger: logger)
                try await connection.query("DELETE FROM ozg_lab_site WHERE lab = \(lab.id)", logger: logger)
                try await connection.query("DELETE FROM ozg_lab_table WHERE lab = \(lab.id)", logger: logger)
            } else {
                try await connection.query(
                    """
                    INSERT INTO ozg_lab(lab, title, created, site, head, version)
                    VALUES (\(lab.id), \(lab.title), \(lab.created), \(siteBytes), \(head), 1)
                    """, logger: logger)
            }
            try await PostgresLabStore.write(source, lab: lab.id, connection, logger)
            for entry in audit {
                try await connection.query(PostgresLabStore.auditInsert(lab.id, entry), logger: logger)
            }
            for peer in peers {
                try await connection.query(
                    PostgresLabStore.peerUpsert(
                        labID, site: peer.site, cursor: peer.cursor, seen: peer.seenMilliseconds), logger: logger)
            }
            return true
        }
        // Read back the way a server instance reads it, into a mirror of its own.
        let check = FileManager.default.temporaryDirectory.appendingPathComponent("ozg-migrate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: check) }
        var checkConfiguration = configuration
        checkConfiguration.dataDirectory = check.path
        let store = try await PostgresLabStore.open(configuration: checkConfiguration, lab: labID, database: database)
        let (readBack, auditBack) = try await store.read { replica in
            (
                try replica.mirrorState(after: 0),
                try replica.read { database in
                    try database.firstRow("SELECT count(*) FROM _ozg_audit") { $0.int64(0) } ?? 0
                }
            )
        }
        await store.close()
        let backChecksum = Self.checksum(readBack, registries: withRegistries)
        guard backChecksum == checksum, Int(auditBack) == audit.count || !copied else {
            throw AdminError(
                "Prüfung des Labors „\(lab.id)“ fehlgeschlagen: aus der Datenbank gelesen ergibt es \(readBack.log.count) "
                    + "Protokollzeilen und \(readBack.rows.count) Zeilen (Prüfsumme \(backChecksum.prefix(12))), die "
                    + "Datei \(source.log.count) und \(source.rows.count) (Prüfsumme \(checksum.prefix(12))).")
        }
        let report = LabReport(
            lab: lab.id, copied: copied, logRows: source.log.count, rows: source.rows.count,
            auditEntries: audit.count, checksum: checksum)
        progress(
            "\(lab.id): \(copied ? "übertragen" : "war schon übertragen"), "
                + "\(counted(report.logRows, "Protokollzeile", "Protokollzeilen")), "
                + "\(counted(report.rows, "Zeile", "Zeilen")), "
                + "\(counted(report.auditEntries, "Eintrag", "Einträge")) im Prüfprotokoll; Prüfsumme "
                + "\(checksum.prefix(16)) in Datei und Datenbank gleich.")
        return report
    }

    /// „1 Zeile“, „2 Zeilen“.
    static func counted(_ count: Int, _ one: String, _ many: String) -> String {
        "\(count) \(count == 1 ? one : many)"
    }

    /// SHA-256 over a lab's stored state, independent of the order it was read in.
    static func checksum(_ state: MirrorState, registries: Bool = true) -> String {
        var hash = SHA256()
        func add(_ bytes: [UInt8]) {
            var length = UInt64(bytes.count).bigEndian
            withUnsafeBytes(of: &length) { hash.update(bufferPointer: $0) }
            hash.update(data: bytes)
        }
        func add(_ number: Int64) { add(Array(String(number).utf8)) }
        for site in registries ? state.sites.sorted(by: { $0.index < $1.index }) : [] {
            add(site.index)
            add(site.site)
        }
        for table in registries ? state.tables.sorted(by: { $0.index < $1.index }) : [] {
            add(table.index)
            add(Array(table.name.utf8))
            add(Array(table.columns.joined(separator: ",").utf8))
        }
        for row in state.log.sorted(by: { $0.sequence < $1.sequence }) {
            for number in [row.sequence, row.table, row.kind, row.origin] { add(number) }
            add(row.entries)
        }
        for row in state.rows.sorted(by: { ($0.table, $0.id) < ($1.table, $1.id) }) {
            add(row.table)
            add(Array(row.id.utf8))
            add(row.visible ? 1 : 0)
            add(row.values)
            add(row.meta)
            add(row.logSequence)
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// Everything `server.sqlite` holds, for `PostgresMigration` (token hashes included).
struct RegistryExport: Sendable {
    struct Lab: Sendable {
        let id: String
        let title: String?
        let created: String
    }

    struct Token: Sendable {
        let id, hash, name, role, labs, created: String
        let revoked: String?
    }

    struct Device: Sendable {
        let lab, site, tokenID, first: String
    }

    struct Login: Sendable {
        let time, address: String
        let tokenID: String?
        let outcome: String
    }

    var labs: [Lab] = []
    var tokens: [Token] = []
    var devices: [Device] = []
    var logins: [Login] = []
}

extension SQLiteRegistry {
    func export() throws -> RegistryExport {
        var export = RegistryExport()
        export.labs = try database.rows("SELECT id, titel, angelegt FROM labor ORDER BY id") {
            RegistryExport.Lab(id: $0.text(0) ?? "", title: $0.text(1), created: $0.text(2) ?? "")
        }
        export.tokens = try database.rows(
            "SELECT id, hash, name, rolle, labore, angelegt, widerrufen FROM token ORDER BY angelegt, id"
        ) {
            RegistryExport.Token(
                id: $0.text(0) ?? "", hash: $0.text(1) ?? "", name: $0.text(2) ?? "", role: $0.text(3) ?? "",
                labs: $0.text(4) ?? "", created: $0.text(5) ?? "", revoked: $0.text(6))
        }
        export.devices = try database.rows(
            "SELECT labor, geraet, token_id, erstmals FROM token_geraet ORDER BY erstmals, labor, geraet"
        ) {
            RegistryExport.Device(
                lab: $0.text(0) ?? "", site: $0.text(1) ?? "", tokenID: $0.text(2) ?? "", first: $0.text(3) ?? "")
        }
        export.logins = try database.rows(
            "SELECT zeit, adresse, token_id, ergebnis FROM web_anmeldung ORDER BY seq"
        ) {
            RegistryExport.Login(
                time: $0.text(0) ?? "", address: $0.text(1) ?? "", tokenID: $0.text(2), outcome: $0.text(3) ?? "")
        }
        return export
    }
}
