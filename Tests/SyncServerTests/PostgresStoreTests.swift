import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGSyncClient
import OZGWire
import SyncServerCore
import Testing

/// The server on PostgreSQL (docs/ARCHITECTURE.md, „Server auf PostgreSQL“), against a real cluster
/// (`TestPostgres`): two instances on one database, the same pushes as a server on files, cursors
/// under concurrent pushes, refused pushes. One test at a time: each starts servers and PostgreSQL
/// backends, and all at once pressed the timing tests running beside them.
@Suite("Server auf PostgreSQL", .serialized)
struct PostgresStoreTests {
    /// A device speaking the protocol by hand: its own pushes, its cursor per server.
    final class Device {
        let replica: Replica
        var acknowledged: Int64 = 0
        var cursors: [String: Int64] = [:]

        init(_ directory: ReplicaDirectory, _ name: String) throws {
            replica = try Replica(path: directory.path(name), schema: Domain.schema)
        }

        /// What the next request sends: every own change not yet acknowledged.
        func push() throws -> ExtractedChanges {
            try replica.extractChanges(after: acknowledged)
        }
    }

    /// One sync request to `server`; returns the page.
    static func sync(
        _ server: TestServer, lab: String, token: String, site: SiteID, batch: ChangeBatch = ChangeBatch(),
        cursor: Int64
    ) async throws -> SyncResponse {
        let (status, body) = try await server.post(
            "v1/labs/\(lab)/sync", body: try SyncRequestBody.make(batch, site: site, cursor: cursor),
            headers: SyncRequestBody.headers(token))
        guard status == 200 else {
            throw TestPostgresError(description: "\(status): \(String(decoding: body, as: UTF8.self))")
        }
        // URLSession inflates a deflated answer itself.
        return try SyncWire.decodeResponse([UInt8](body))
    }

    /// Everything a new device pulls from `server`, page after page.
    static func pullAll(_ server: TestServer, lab: String, token: String, into replica: Replica) async throws {
        var cursor: Int64 = 0
        while true {
            let page = try await sync(server, lab: lab, token: token, site: replica.siteID, cursor: cursor)
            try replica.apply(page.batch)
            cursor = page.cursor
            if !page.more { return }
        }
    }

    /// Random writes of one device to personas: new ones, edits of any column, deletes, restores.
    static func randomWrites(_ replica: Replica, ids: [String], random: inout SeededGenerator) throws {
        for _ in 0..<Int.random(in: 1...5, using: &random) {
            let id = ids.randomElement(using: &random)!
            let column = ["name", "zitat", "ziele"].randomElement(using: &random)!
            let value = DatabaseValue.text("\(column) \(Int.random(in: 0..<100, using: &random))")
            if try replica.causalLength(table: "persona", id: id) == nil {
                try replica.insert(into: "persona", id: id, values: ["name": value])
            } else if try !replica.isVisible(table: "persona", id: id) {
                // A row known here only by its delete cannot be restored here.
                try? replica.restore("persona", id: id)
            } else if Int.random(in: 0..<6, using: &random) == 0 {
                try replica.delete("persona", id: id)
            } else {
                try replica.update("persona", id: id, values: [column: value])
            }
        }
    }

    @Test(
        "Zwei Instanzen auf einer Datenbank, Geräte wechseln zufällig: alles läuft zusammen, Byte für Byte wie auf Dateien",
        arguments: 0..<3)
    func twoInstancesMatchTheFileServer(seed: UInt64) async throws {
        let url = try await TestPostgres.freshDatabase()
        let instances = [
            TestServer(data: ServerData(postgresURL: url)), TestServer(data: ServerData(postgresURL: url)),
        ]
        let files = TestServer()
        for server in instances + [files] { try await server.start() }
        let lab = "wohngeld-pg"
        let directory = ReplicaDirectory()
        let devices = try (0..<3).map { try Device(directory, "d\($0).ozg") }
        var pgTokens: [String] = []
        var fileTokens: [String] = []
        for index in devices.indices {
            pgTokens.append(try await instances[0].lab(lab, name: "Gerät \(index)"))
            fileTokens.append(try await files.lab(lab, name: "Gerät \(index)"))
        }
        var random = SeededGenerator(seed: seed)
        let ids = (0..<8).map { "p\($0)" }
        for _ in 0..<40 {
            let index = Int.random(in: devices.indices, using: &random)
            let device = devices[index]
            try Self.randomWrites(device.replica, ids: ids, random: &random)
            let push = try device.push()
            let instance = instances[Int.random(in: 0..<2, using: &random)]
            let page = try await Self.sync(
                instance, lab: lab, token: pgTokens[index], site: device.replica.siteID, batch: push.batch,
                cursor: device.cursors["pg", default: 0])
            // The same push, in the same order, to the server on files.
            let filePage = try await Self.sync(
                files, lab: lab, token: fileTokens[index], site: device.replica.siteID, batch: push.batch,
                cursor: device.cursors["files", default: 0])
            try device.replica.apply(page.batch)
            device.acknowledged = push.throughSequence
            device.cursors["pg"] = page.cursor
            device.cursors["files"] = filePage.cursor
        }
        // Everyone pulls the rest, alternating instances.
        for (index, device) in devices.enumerated() {
            var more = true
            while more {
                let page = try await Self.sync(
                    instances[index % 2], lab: lab, token: pgTokens[index], site: device.replica.siteID,
                    cursor: device.cursors["pg", default: 0])
                try device.replica.apply(page.batch)
                device.cursors["pg"] = page.cursor
                more = page.more
            }
        }
        var pulled: [String] = []
        for (number, server) in (instances + [files]).enumerated() {
            let fresh = try Replica(path: directory.path("fresh\(number).ozg"), schema: Domain.schema)
            try await Self.pullAll(
                server, lab: lab, token: number < 2 ? pgTokens[0] : fileTokens[0], into: fresh)
            pulled.append(try fresh.canonicalDump())
        }
        #expect(pulled[0] == pulled[2], "Seed \(seed): von PostgreSQL geholt ≠ von Dateien geholt")
        #expect(pulled[1] == pulled[2], "Seed \(seed): von Instanz B geholt ≠ von Dateien geholt")
        for device in devices { #expect(try device.replica.canonicalDump() == pulled[2], "Seed \(seed)") }
        // The server-side lab itself: each instance's mirror equals the lab file, metadata included.
        let fileDump = try files.dump(lab)
        #expect(!fileDump.isEmpty)
        #expect(try instances[0].dump(lab) == fileDump, "Seed \(seed): Instanz A")
        #expect(try instances[1].dump(lab) == fileDump, "Seed \(seed): Instanz B")
        for server in instances + [files] { await server.stop() }
    }

    @Test("Gleichzeitige Pushes über zwei Instanzen: ein Abholender erhält jede Änderung genau einmal")
    func cursorNeverSkipsALateCommit() async throws {
        let url = try await TestPostgres.freshDatabase()
        let instances = [
            TestServer(data: ServerData(postgresURL: url)), TestServer(data: ServerData(postgresURL: url)),
        ]
        for server in instances { try await server.start() }
        let lab = "rennen"
        let directory = ReplicaDirectory()
        let pushers = 4
        let rounds = 15
        let rowsPerRound = 3
        var work: [(token: String, batches: [ChangeBatch], site: SiteID)] = []
        for pusher in 0..<pushers {
            let device = try Device(directory, "p\(pusher).ozg")
            var batches: [ChangeBatch] = []
            for round in 0..<rounds {
                for row in 0..<rowsPerRound {
                    try device.replica.insert(
                        into: "persona", id: "p\(pusher)-\(round)-\(row)", values: ["name": .text("N")])
                }
                let push = try device.push()
                batches.append(push.batch)
                device.acknowledged = push.throughSequence
            }
            work.append((try await instances[0].lab(lab, name: "Schreiber \(pusher)"), batches, device.replica.siteID))
        }
        let readerToken = try await instances[0].lab(lab, role: .lesen, name: "Leser")
        let readerSite = SiteID.random()

        let seen = try await withThrowingTaskGroup(of: [String].self) { group in
            for (number, pusher) in work.enumerated() {
                group.addTask {
                    for (round, batch) in pusher.batches.enumerated() {
                        _ = try await Self.sync(
                            instances[(number + round) % 2], lab: lab, token: pusher.token, site: pusher.site,
                            batch: batch, cursor: 0)
                    }
                    return []
                }
            }
            group.addTask {
                var ids: [String] = []
                var cursor: Int64 = 0
                var requests = 0
                // Walks until every row arrived (or far more requests than needed).
                while ids.count < pushers * rounds * rowsPerRound && requests < 2000 {
                    let page = try await Self.sync(
                        instances[requests % 2], lab: lab, token: readerToken, site: readerSite, cursor: cursor)
                    ids += page.batch.rows.map(\.id)
                    cursor = page.cursor
                    requests += 1
                }
                return ids
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        let expected = Set(
            work.indices.flatMap { pusher in
                (0..<rounds).flatMap { round in (0..<rowsPerRound).map { "p\(pusher)-\(round)-\($0)" } }
            })
        #expect(seen.count == expected.count, "jede Zeile genau einmal: \(seen.count) von \(expected.count)")
        #expect(Set(seen) == expected)
        for server in instances { await server.stop() }
    }

    @Test("Ein abgelehnter Push hinterlässt nichts in der Datenbank")
    func refusedPushLeavesNothing() async throws {
        let url = try await TestPostgres.freshDatabase()
        let server = TestServer(data: ServerData(postgresURL: url))
        try await server.start()
        let lab = "abgelehnt"
        let token = try await server.lab(lab)
        let directory = ReplicaDirectory()
        let device = try Device(directory, "d.ozg")
        try device.replica.insert(into: "persona", id: "gut", values: ["name": .text("Erika")])
        _ = try await Self.sync(
            server, lab: lab, token: token, site: device.replica.siteID, batch: try device.push().batch, cursor: 0)
        let counts =
            "SELECT (SELECT count(*) FROM ozg_row) || '/' || (SELECT count(*) FROM ozg_log) || '/' "
            + "|| (SELECT count(*) FROM ozg_audit) || '/' || (SELECT head FROM ozg_lab)"
        let before = try await TestPostgres.psql(url, counts)

        // A valid row first, then one in a table name the server refuses: the whole push goes.
        try device.replica.insert(into: "persona", id: "auch-gut", values: ["name": .text("Max")])
        var batch = try device.push().batch
        var bad = batch.rows[0]
        bad.table = "_ozg_boese"
        batch.rows.append(bad)
        let (status, body) = try await server.post(
            "v1/labs/\(lab)/sync", body: try SyncRequestBody.make(batch, site: device.replica.siteID, cursor: 0),
            headers: SyncRequestBody.headers(token))
        #expect(status == 422 || status == 400, "\(status) \(String(decoding: body, as: UTF8.self))")
        #expect(String(decoding: body, as: UTF8.self).contains("reserviert"))
        #expect(try await TestPostgres.psql(url, counts) == before)
        // The mirror rolled back too: the next good push and pull see exactly the database's lab.
        _ = try await Self.sync(
            server, lab: lab, token: token, site: device.replica.siteID, batch: try device.push().batch, cursor: 0)
        let fresh = try Replica(path: directory.path("fresh.ozg"), schema: Domain.schema)
        try await Self.pullAll(server, lab: lab, token: token, into: fresh)
        #expect(try fresh.isVisible(table: "persona", id: "auch-gut"))
        #expect(try await TestPostgres.psql(url, "SELECT count(*) FROM ozg_row WHERE id = 'auch-gut'") == "1")
        await server.stop()
    }
}

extension PostgresStoreTests {
    @Test("Ein Dienstkonto mit nur SELECT, INSERT, UPDATE und DELETE genügt, sobald das Schema steht")
    func serviceRoleNeedsOnlyDataRights() async throws {
        let url = try await TestPostgres.freshDatabase()
        // The owner creates the schema (here through the registry's first statement).
        let token = try await ServerData(postgresURL: url).lab("rechte")
        try await TestPostgres.psql(
            url,
            """
            CREATE ROLE dienst LOGIN; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO dienst;
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO dienst
            """)
        let server = TestServer(
            data: ServerData(postgresURL: url.replacingOccurrences(of: "//ozg@", with: "//dienst@")))
        try await server.start()
        let directory = ReplicaDirectory()
        let device = try Device(directory, "d.ozg")
        try device.replica.insert(into: "persona", id: "p", values: ["name": .text("Erika")])
        let page = try await Self.sync(
            server, lab: "rechte", token: token, site: device.replica.siteID, batch: try device.push().batch, cursor: 0)
        #expect(page.cursor > 0)
        #expect(try await TestPostgres.psql(url, "SELECT count(*) FROM ozg_row WHERE id = 'p'") == "1")
        await server.stop()
    }
}

extension PostgresStoreTests {
    @Test(
        "Umzug eines Datenverzeichnisses: Labore, Tokens, Bindungen; Geräte machen ohne Neuladen weiter; wiederholbar",
        .disabled(if: TestPostgres.serverSuites, "braucht einen Server auf einem Datenverzeichnis")
    )
    func migrateDataDirectory() async throws {
        let files = TestServer()
        try await files.start()
        let lab = "umzug"
        let tokenA = try await files.lab(lab, name: "Anna")
        let tokenB = try await files.lab(lab, name: "Ben")
        let registry = try files.registry
        try await registry.createLab("leer", title: "Noch niemand da")
        let revoked = try await registry.createToken(labs: ["leer"], role: .schreiben, name: "Weg")
        try await registry.revokeToken(String(revoked.split(separator: "_")[1]))
        try await registry.recordLogin(address: "10.0.0.1", tokenID: nil, outcome: "abgelehnt")
        let directory = ReplicaDirectory()
        let a = try LaborStore(path: directory.path("a.ozg"))
        let b = try LaborStore(path: directory.path("b.ozg"))
        try a.add("labor", id: lab, fields: ["titel": "Umzug", "themenfeld": "umwelt", "bundesland": "DE-MV"])
        let persona = try a.add(
            "persona", laborID: lab,
            fields: ["name": "Erika", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z"])
        try await files.client(a, token: tokenA, lab: lab).sync()
        try await files.client(b, token: tokenB, lab: lab).sync()
        try a.set("persona", id: persona, fields: ["zitat": "von A"])
        try b.set("persona", id: persona, fields: ["zitat": "von B"])
        for (store, token) in [(a, tokenA), (b, tokenB), (a, tokenA)] {
            try await files.client(store, token: token, lab: lab).sync()
        }
        let fileDump = try files.dump(lab)
        await files.stop()

        let url = try await TestPostgres.freshDatabase()
        let configuration = files.data.configuration()
        let report = try await PostgresMigration.migrate(
            from: files.directory.path, to: url, configuration: configuration)
        #expect(report.labs.map(\.lab) == ["leer", lab])
        #expect(report.labs.allSatisfy { $0.copied })
        #expect(report.tokens == 3 && report.webLogins == 1 && report.deviceBindings == 2)
        #expect(report.labs.last?.auditEntries ?? 0 >= 3)
        let again = try await PostgresMigration.migrate(
            from: files.directory.path, to: url, configuration: configuration)
        #expect(!again.labs.contains { $0.copied })
        #expect(again.tokensAlreadyThere == 3 && again.tokens == 0)
        #expect(again.labs.map(\.checksum) == report.labs.map(\.checksum))

        let server = TestServer(data: ServerData(postgresURL: url))
        try await server.start()
        // Same site id, same log: the devices' cursors and their checks stay valid, nothing is loaded again.
        let first = try await server.client(a, token: tokenA, lab: lab).sync()
        #expect(first.pushedChanges == 0 && first.pulledChanges == 0)
        #expect(try server.dump(lab) == fileDump)
        try b.set("persona", id: persona, fields: ["ziele": "nach dem Umzug"])
        try await server.client(b, token: tokenB, lab: lab).sync()
        try await server.client(a, token: tokenA, lab: lab).sync()
        #expect(try a.replica.canonicalDump() == b.replica.canonicalDump())
        #expect(try a.replica.conflicts().contains { $0.column == "zitat" })
        let (status, _) = try await server.post(
            "v1/labs/leer/sync", body: try SyncRequestBody.make(), headers: SyncRequestBody.headers(revoked))
        #expect(status == 401)
        await server.stop()

        // A database where the lab already lives on is not overwritten.
        let other = try await TestPostgres.freshDatabase()
        let busy = TestServer(data: ServerData(postgresURL: other))
        try await busy.start()
        let token = try await busy.lab(lab)
        let c = try LaborStore(path: directory.path("c.ozg"))
        try c.add("labor", id: lab, fields: ["titel": "Anderes", "themenfeld": "umwelt", "bundesland": "DE-BY"])
        try await busy.client(c, token: token, lab: lab).sync()
        await busy.stop()
        await #expect(throws: AdminError.self) {
            try await PostgresMigration.migrate(from: files.directory.path, to: other, configuration: configuration)
        }
    }
}

extension PostgresStoreTests {
    @Test("Live über Instanzen: ein Push über Instanz A erscheint beim Live-Client an Instanz B ohne sync")
    func liveCrossesInstances() async throws {
        let url = try await TestPostgres.freshDatabase()
        let (first, second) = (
            TestServer(data: ServerData(postgresURL: url)), TestServer(data: ServerData(postgresURL: url))
        )
        try await first.start()
        try await second.start()
        let directory = ReplicaDirectory()
        let (token, stores, persona) = try await LiveChannelTests.room(first, directory, count: 2)
        let (a, b) = (stores[0], stores[1])
        let live = LiveSync(client: second.client(b, token: token, lab: "live-lab"))
        live.start()
        try await LiveChannelTests.connect(live)
        #expect(live.connection.state == .connected)

        try a.set("persona", id: persona, fields: ["zitat": "über Instanz A"])
        try await first.client(a, token: token, lab: "live-lab").sync()
        let arrivals = try await LiveChannelTests.process(live) {
            try b.record("persona", id: persona)?.text("zitat") != nil
        }
        #expect(try b.record("persona", id: persona)?.text("zitat") == "über Instanz A")
        #expect(arrivals.contains { $0.writer == a.replica.siteID && $0.tokenName == "Raum" })
        #expect(try a.replica.canonicalDump() == b.replica.canonicalDump())
        live.stop()
        await first.stop()
        await second.stop()
    }
}
