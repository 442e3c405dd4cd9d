import Foundation
import Logging
import NIOCore
import OZGReplication
import OZGStorage
import OZGWire
import PostgresNIO

/// One lab's server-side store in PostgreSQL (docs/ARCHITECTURE.md, „Server auf PostgreSQL“).
///
/// PostgreSQL holds the lab in the form a lab file stores it (`MirrorState`: site and table
/// registries, log rows, rows with their packed metadata, the audit log). Each instance keeps a local
/// replica file mirroring it — disposable, rebuilt from the database whenever it is missing or does
/// not fit — in which the replica's own merge and extraction run:
///
/// - A push locks the lab's row (`SELECT … FOR UPDATE`), brings the mirror up to the database,
///   merges there with `capturingRolledBack` (nothing stays behind), writes the captured log rows,
///   rows, registries, audit entry and the new head in the same transaction, and only after the
///   commit applies the capture to the mirror. The lab row's lock makes the head gap-free and in
///   commit order per lab, so a puller following `seq > cursor` never skips a change.
/// - A pull brings the mirror up to the database in one snapshot and pages from the mirror.
///
/// Work on the mirror is serialized by the actor and, across the awaits on the database, by `turn`.
actor PostgresLabStore: LabStore {
    let lab: LabID
    let database: PostgresServerDatabase
    let replica: Replica
    /// This instance's live clients: told of every change the mirror takes, also of pushes through
    /// other instances (`PostgresLiveRelay` makes it look soon).
    let live: LiveHub?
    private let executor: QueueExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    /// The lab row's `version` the mirror reflects (-1: unknown, compare from the mirror's head).
    private var mirroredVersion: Int64 = -1
    private var peers = PeerPositions()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    private init(
        lab: LabID, database: PostgresServerDatabase, replica: Replica, live: LiveHub?, executor: QueueExecutor
    ) {
        self.lab = lab
        self.database = database
        self.replica = replica
        self.live = live
        self.executor = executor
    }

    /// Opens the mirror of `lab` (in `DIR/postgres-cache/`), building it from the database when it is
    /// missing or does not fit, and registers in the database what the mirror's schema adds (a new lab's
    /// tables, or tables a newer server declares).
    static func open(
        configuration: ServerConfiguration, lab: LabID, database: PostgresServerDatabase, live: LiveHub? = nil
    ) async throws -> PostgresLabStore {
        let directory = configuration.dataDirectory + "/postgres-cache"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/labor-\(lab).ozg"
        for _ in 0..<5 {
            guard let stored = try await database.snapshot({ try await Self.registry(of: lab, $0, database.logger) })
            else { throw SyncHTTPError.labUnknown(lab) }
            let replica = try openMirror(path: path, configuration: configuration, stored: stored)
            let store = PostgresLabStore(
                lab: lab, database: database, replica: replica, live: live,
                executor: QueueExecutor(label: "ozg-pg-\(lab)"))
            if try await store.registerAdditions(to: stored) { return store }
            // Another instance registered something meanwhile: start again from what it wrote.
            await store.close()
        }
        throw AdminError("Das Labor „\(lab)“ ließ sich nicht öffnen: sein Schema änderte sich bei jedem Versuch.")
    }

    /// What the database holds of a lab beside its rows.
    struct StoredRegistry {
        let site: SiteID
        let head: Int64
        let version: Int64
        let sites: [MirrorSite]
        let tables: [MirrorTable]
    }

    static func registry(of lab: LabID, _ connection: PostgresConnection, _ logger: Logger) async throws
        -> StoredRegistry?
    {
        guard
            let row = try await connection.rows(
                "SELECT site, head, version FROM ozg_lab WHERE lab = \(lab.rawValue)", logger: logger
            ).first
        else { return nil }
        let (siteBytes, head, version) = try row.decode((ByteBuffer, Int64, Int64).self)
        guard let site = SiteID(bytes: siteBytes.bytes) else {
            throw AdminError("Die Datenbank nennt für das Labor „\(lab)“ keine gültige Geräte-ID.")
        }
        let sites = try await connection.rows(
            "SELECT idx, site FROM ozg_lab_site WHERE lab = \(lab.rawValue) ORDER BY idx", logger: logger
        ).map { row in
            let (index, site) = try row.decode((Int64, ByteBuffer).self)
            return MirrorSite(index: index, site: site.bytes)
        }
        let tables = try await connection.rows(
            "SELECT idx, name, columns FROM ozg_lab_table WHERE lab = \(lab.rawValue) ORDER BY idx", logger: logger
        ).map { row in
            let (index, name, columns) = try row.decode((Int64, String, String).self)
            return MirrorTable(index: index, name: name, columns: columns.split(separator: ",").map(String.init))
        }
        return StoredRegistry(site: site, head: head, version: version, sites: sites, tables: tables)
    }

    /// The mirror file, kept when it fits the database (same site, registries that agree, not ahead),
    /// else built anew from the registries.
    private static func openMirror(path: String, configuration: ServerConfiguration, stored: StoredRegistry) throws
        -> Replica
    {
        var (schema, replicaConfiguration) = LabSteps.replicaSetup(configuration)
        replicaConfiguration.siteIDForNewFile = stored.site
        if FileManager.default.fileExists(atPath: path) {
            if let replica = try? Replica(path: path, schema: schema, configuration: replicaConfiguration) {
                replica.adoptRegisteredTables()
                if replica.siteID == stored.site, (try? replica.lastSequence()) ?? .max <= stored.head,
                    let registry = try? replica.mirrorRegistry(), Self.agree(registry, stored)
                {
                    return replica
                }
                replica.close()
            }
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        try Replica.createMirrorFile(
            path: path, site: stored.site, sites: stored.sites, tables: stored.tables, schema: schema)
        let replica = try Replica(path: path, schema: schema, configuration: replicaConfiguration)
        replica.adoptRegisteredTables()
        return replica
    }

    /// Whether every site and table both registries name is the same in both (a table's columns may
    /// have grown on either side).
    static func agree(_ local: (sites: [MirrorSite], tables: [MirrorTable]), _ stored: StoredRegistry) -> Bool {
        let storedSites = Dictionary(uniqueKeysWithValues: stored.sites.map { ($0.index, $0.site) })
        for site in local.sites where storedSites[site.index].map({ $0 != site.site }) ?? false { return false }
        let storedTables = Dictionary(uniqueKeysWithValues: stored.tables.map { ($0.index, $0) })
        let storedNames = Dictionary(uniqueKeysWithValues: stored.tables.map { ($0.name, $0.index) })
        for table in local.tables {
            if let index = storedNames[table.name], index != table.index { return false }
            guard let other = storedTables[table.index] else { continue }
            let shorter = min(other.columns.count, table.columns.count)
            if other.name != table.name || other.columns.prefix(shorter) != table.columns.prefix(shorter) {
                return false
            }
        }
        return true
    }

    /// Writes to the database what the mirror's registries have beyond `stored`, if the lab is still
    /// at `stored.version`; false when it moved on (the caller opens again).
    private func registerAdditions(to stored: StoredRegistry) async throws -> Bool {
        let local = try replica.mirrorRegistry()
        let storedSites = Set(stored.sites.map(\.index))
        let storedColumns = Dictionary(uniqueKeysWithValues: stored.tables.map { ($0.index, $0.columns.count) })
        let additions = MirrorState(
            sites: local.sites.filter { !storedSites.contains($0.index) },
            tables: local.tables.filter { $0.columns.count > storedColumns[$0.index] ?? -1 })
        guard !additions.isEmpty else { return true }
        let lab = lab.rawValue
        return try await database.transaction { connection in
            let version = try await connection.rows(
                "SELECT version FROM ozg_lab WHERE lab = \(lab) FOR UPDATE", logger: database.logger
            ).first?.decode(Int64.self)
            guard version == stored.version else { return false }
            try await Self.write(additions, lab: lab, connection, database.logger)
            try await connection.query(
                "UPDATE ozg_lab SET version = version + 1 WHERE lab = \(lab)", logger: database.logger)
            return true
        }
    }

    // MARK: - Turns

    /// Waits until no other call of this store is between its awaits on the database.
    private func takeTurn() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func endTurn() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }

    // MARK: - LabStore

    func sync(
        _ request: SyncRequest, cursorCheck: String?, token: TokenRecord, pageRows: Int, pageBytes: Int,
        live: LiveHub
    ) async throws -> LabSyncOutcome {
        await takeTurn()
        defer { endTurn() }
        var merged = 0
        var start: (cursor: Int64, reset: Bool, compacted: Int64?)
        if request.batch.isEmpty {
            try await catchUp()
            start = try LabSteps.start(replica, cursor: request.cursor, cursorCheck: cursorCheck)
            if let due = peers.due(request.site, cursor: start.cursor) {
                try await database.query(Self.peerUpsert(lab, site: request.site, cursor: start.cursor, seen: due))
                peers.note(request.site, cursor: start.cursor, milliseconds: due)
            }
        } else {
            let pushed = try await push(request, cursorCheck: cursorCheck, token: token)
            start = pushed.start
            merged = pushed.merged
            if let due = pushed.peerRecorded { peers.note(request.site, cursor: start.cursor, milliseconds: due) }
            try LabSteps.publish(
                replica, lab: lab, from: pushed.before, head: try replica.lastSequence(), sender: request.site,
                tokenName: token.name, changeCount: request.batch.changeCount, live: live)
            if pushed.before < (try replica.lastSequence()) {
                // Wakes the other instances' live clients; they also look on their own every few seconds,
                // and engines without NOTIFY simply refuse this.
                _ = try? await database.query("SELECT pg_notify(\(PostgresLiveRelay.channel), \(lab.rawValue))")
            }
        }
        let answer = try LabSteps.page(
            replica, after: start.cursor, for: request.site, maxRows: pageRows, maxBytes: pageBytes)
        return LabSyncOutcome(
            response: answer, merged: merged, cursorCheck: try replica.cursorCheck(at: answer.cursor),
            reset: start.reset, compacted: start.compacted)
    }

    /// Step 4 in PostgreSQL: one transaction holding the lab row's lock; the mirror takes the merge after
    /// the commit.
    private func push(_ request: SyncRequest, cursorCheck: String?, token: TokenRecord) async throws
        -> (start: (cursor: Int64, reset: Bool, compacted: Int64?), merged: Int, peerRecorded: Int64?, before: Int64)
    {
        let lab = lab.rawValue
        let logger = database.logger
        let audit = LabSteps.auditEntry(request, token: token)
        let result = try await database.transaction { connection in
            guard
                let row = try await connection.rows(
                    "SELECT head, version FROM ozg_lab WHERE lab = \(lab) FOR UPDATE", logger: logger
                ).first
            else { throw SyncHTTPError.labUnknown(self.lab) }
            let (head, version) = try row.decode((Int64, Int64).self)
            try await catchUp(connection, head: head, version: version)
            let before = try replica.lastSequence()
            let start = try LabSteps.start(replica, cursor: request.cursor, cursorCheck: cursorCheck)
            let (merged, captured) = try replica.capturingRolledBack {
                try replica.apply(request.batch, creatingUnknownTables: true).changedCells
            }
            try await Self.write(captured, lab: lab, connection, logger)
            let auditSequence = try await connection.rows(Self.auditInsert(lab, audit), logger: logger).first?
                .decode(Int64.self)
            let due = peers.due(request.site, cursor: start.cursor)
            if let due {
                try await connection.query(
                    Self.peerUpsert(self.lab, site: request.site, cursor: start.cursor, seen: due), logger: logger)
            }
            let newHead = captured.log.last?.sequence ?? head
            try await connection.query(
                "UPDATE ozg_lab SET head = \(newHead), version = version + 1 WHERE lab = \(lab)", logger: logger)
            return (start, merged, captured, auditSequence, version + 1, due, before)
        }
        let (start, merged, captured, auditSequence, version, due, before) = result
        try replica.transaction {
            try replica.applyMirror(captured)
            try replica.appendLocal(to: LabSteps.auditTable.name, audit, sequence: auditSequence)
        }
        mirroredVersion = version
        return (start, merged, due, before)
    }

    /// Brings the mirror up to the database (telling this instance's live clients what it took).
    func refresh() async throws {
        await takeTurn()
        defer { endTurn() }
        try await catchUp()
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Replica) throws -> T) async throws -> T {
        await takeTurn()
        defer { endTurn() }
        try await catchUp()
        return try body(replica)
    }

    func close() async {
        await takeTurn()
        defer { endTurn() }
        replica.close()
    }

    // MARK: - Bringing the mirror up to the database

    /// In one snapshot of the database.
    private func catchUp() async throws {
        let lab = lab.rawValue
        let logger = database.logger
        try await database.snapshot { connection in
            guard
                let row = try await connection.rows(
                    "SELECT head, version FROM ozg_lab WHERE lab = \(lab)", logger: logger
                ).first
            else { throw SyncHTTPError.labUnknown(self.lab) }
            let (head, version) = try row.decode((Int64, Int64).self)
            try await catchUp(connection, head: head, version: version)
        }
    }

    /// Copies into the mirror what the database has beyond it: registries, log rows after the
    /// mirror's head up to `head`, the rows changed since, and new audit entries. The caller holds the
    /// lab row's lock or reads one snapshot, so the copy is consistent.
    private func catchUp(_ connection: PostgresConnection, head: Int64, version: Int64) async throws {
        guard version != mirroredVersion else { return }
        let lab = lab.rawValue
        let logger = database.logger
        let mirrorHead = try replica.lastSequence()
        guard mirrorHead <= head else {
            throw AdminError(
                "Der Zwischenspeicher des Labors „\(lab)“ ist weiter als die Datenbank (wurde sie zurückgespielt?); "
                    + "bitte den Server neu starten, er baut ihn dann neu auf.")
        }
        guard let stored = try await Self.registry(of: self.lab, connection, logger) else {
            throw SyncHTTPError.labUnknown(self.lab)
        }
        var state = MirrorState(sites: stored.sites, tables: stored.tables)
        state.log = try await connection.rows(
            """
            SELECT seq, tbl, kind, origin, entries FROM ozg_log
            WHERE lab = \(lab) AND seq > \(mirrorHead) AND seq <= \(head) ORDER BY seq
            """, logger: logger
        ).map { row in
            let (sequence, table, kind, origin, entries) = try row.decode((Int64, Int64, Int16, Int16, ByteBuffer).self)
            return MirrorLogRow(
                sequence: sequence, table: table, kind: Int64(kind), origin: Int64(origin), entries: entries.bytes)
        }
        state.rows = try await connection.rows(
            "SELECT tbl, id, visible, vals, meta, seq FROM ozg_row WHERE lab = \(lab) AND seq > \(mirrorHead)",
            logger: logger
        ).map { row in
            let (table, id, visible, values, meta, sequence) = try row.decode(
                (Int64, String, Bool, ByteBuffer, ByteBuffer, Int64).self)
            return MirrorRow(
                table: table, id: id, visible: visible, values: values.bytes, meta: meta.bytes, logSequence: sequence)
        }
        let auditHead =
            try replica.read { database in
                try database.firstRow("SELECT COALESCE(MAX(seq), 0) FROM \(LabSteps.auditTable.name)") { $0.int64(0) }
            } ?? 0
        let audit = try await connection.rows(
            """
            SELECT seq, zeit, token_id, token_name, geraet, aenderungen, zeilen, weitergeleitet_fuer FROM ozg_audit
            WHERE lab = \(lab) AND seq > \(auditHead) ORDER BY seq
            """, logger: logger
        ).map { row in
            let (sequence, time, tokenID, tokenName, device, changes, rows, relayed) = try row.decode(
                (Int64, String, String, String, String, Int64, Int64, String).self)
            let values: [String: DatabaseValue] = [
                "zeit": .text(time), "token_id": .text(tokenID), "token_name": .text(tokenName),
                "geraet": .text(device), "aenderungen": .integer(changes), "zeilen": .integer(rows),
                "weitergeleitet_fuer": .text(relayed),
            ]
            return (sequence, values)
        }
        try replica.transaction {
            try replica.applyMirror(state)
            for (sequence, values) in audit {
                try replica.appendLocal(to: LabSteps.auditTable.name, values, sequence: sequence)
            }
        }
        mirroredVersion = version
        // What other instances merged: to this instance's live clients, named after the last push.
        if let live, head > mirrorHead {
            let last = audit.last?.1
            try LabSteps.publish(
                replica, lab: self.lab, from: mirrorHead, head: head,
                sender: last?["geraet"]?.textValue.flatMap(SiteID.init(hex:)) ?? Replica.conflictSite,
                tokenName: last?["token_name"]?.textValue ?? "Landesserver",
                changeCount: audit.reduce(0) { $0 + Int($1.1["aenderungen"]?.integerValue ?? 0) }, live: live)
        }
    }

    // MARK: - Statements

    /// Writes a captured merge (or registry additions): new sites, new or widened tables, log rows and rows.
    static func write(_ state: MirrorState, lab: String, _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        if !state.sites.isEmpty {
            try await connection.query(
                """
                INSERT INTO ozg_lab_site(lab, idx, site)
                SELECT \(lab), i, s FROM unnest(\(state.sites.map(\.index))::bigint[],
                    \(state.sites.map { ByteBuffer(bytes: $0.site) })::bytea[]) AS u(i, s)
                """, logger: logger)
        }
        for table in state.tables {
            try await connection.query(
                """
                INSERT INTO ozg_lab_table(lab, idx, name, columns)
                VALUES (\(lab), \(table.index), \(table.name), \(table.columns.joined(separator: ",")))
                ON CONFLICT (lab, idx) DO UPDATE SET columns = excluded.columns
                """, logger: logger)
        }
        if !state.log.isEmpty {
            try await connection.query(
                """
                INSERT INTO ozg_log(lab, seq, tbl, kind, origin, entries)
                SELECT \(lab), s, t, k, o, e FROM unnest(\(state.log.map(\.sequence))::bigint[],
                    \(state.log.map(\.table))::bigint[], \(state.log.map { Int16($0.kind) })::smallint[],
                    \(state.log.map { Int16($0.origin) })::smallint[],
                    \(state.log.map { ByteBuffer(bytes: $0.entries) })::bytea[]) AS u(s, t, k, o, e)
                """, logger: logger)
        }
        if !state.rows.isEmpty {
            try await connection.query(
                """
                INSERT INTO ozg_row(lab, tbl, id, visible, vals, meta, seq)
                SELECT \(lab), t, i, v, a, m, s FROM unnest(\(state.rows.map(\.table))::bigint[],
                    \(state.rows.map(\.id))::text[], \(state.rows.map(\.visible))::boolean[],
                    \(state.rows.map { ByteBuffer(bytes: $0.values) })::bytea[],
                    \(state.rows.map { ByteBuffer(bytes: $0.meta) })::bytea[],
                    \(state.rows.map(\.logSequence))::bigint[]) AS u(t, i, v, a, m, s)
                ON CONFLICT (lab, tbl, id) DO UPDATE
                SET visible = excluded.visible, vals = excluded.vals, meta = excluded.meta, seq = excluded.seq
                """, logger: logger)
        }
    }

    static func auditInsert(_ lab: String, _ values: [String: DatabaseValue]) -> PostgresQuery {
        func text(_ key: String) -> String { values[key]?.textValue ?? "" }
        func integer(_ key: String) -> Int64 { values[key]?.integerValue ?? 0 }
        return """
            INSERT INTO ozg_audit(lab, zeit, token_id, token_name, geraet, aenderungen, zeilen, weitergeleitet_fuer)
            VALUES (\(lab), \(text("zeit")), \(text("token_id")), \(text("token_name")), \(text("geraet")),
                \(integer("aenderungen")), \(integer("zeilen")), \(text("weitergeleitet_fuer")))
            RETURNING seq
            """
    }

    static func peerUpsert(_ lab: LabID, site: SiteID, cursor: Int64, seen: Int64) -> PostgresQuery {
        """
        INSERT INTO ozg_peer(lab, site, cursor, seen_ms) VALUES (\(lab.rawValue), \(ByteBuffer(bytes: site.bytes)),
            \(cursor), \(seen))
        ON CONFLICT (lab, site) DO UPDATE SET cursor = excluded.cursor, seen_ms = excluded.seen_ms
        """
    }
}
