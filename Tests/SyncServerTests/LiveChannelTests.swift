import Foundation
import OZGDomain
import OZGReplication
import OZGSyncClient
import OZGWire
import SyncServerCore
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The live channel over a real WebSocket on a real server (docs/PROTOCOL.md, „Live-Kanal“).
@Suite("Live-Kanal über echte WebSockets")
struct LiveChannelTests {
    /// A lab with one persona, synced to `count` fresh replicas.
    static func room(_ server: TestServer, _ directory: ReplicaDirectory, count: Int) async throws -> (
        token: String, stores: [LaborStore], persona: String
    ) {
        let token = try await server.lab("live-lab", name: "Raum")
        var stores: [LaborStore] = []
        for index in 0..<count {
            stores.append(try LaborStore(path: directory.path("r\(index).ozg")))
        }
        try stores[0].add(
            "labor", id: "live-lab", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        let persona = try stores[0].add(
            "persona", laborID: "live-lab",
            fields: ["name": "Erika", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z"])
        for store in stores + stores { try await server.client(store, token: token, lab: "live-lab").sync() }
        return (token, stores, persona)
    }

    /// Waits for events (at most `seconds`), handles them, and returns what arrived.
    static func arrivals(_ live: LiveSync, seconds: Int = 10) async throws -> [LiveArrival] {
        let connection = live.connection
        let events = try await withThrowingTaskGroup(of: [LiveEvent].self) { group in
            group.addTask { await connection.nextEvents() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return []
            }
            let first = try await group.next() ?? []
            group.cancelAll()
            return first
        }
        return try await live.process(events)
    }

    /// Waits until the live connection is open and its catch-up sync is done: the `connected` event
    /// (which may still wait in the inbox when the state already says so) is handled too.
    static func connect(_ live: LiveSync) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while live.connection.state != .connected && ContinuousClock.now < deadline {
            _ = try await arrivals(live, seconds: 1)
        }
        _ = try await live.process(live.connection.takeEvents())
    }

    /// Handles events until `done` holds (at most `seconds`).
    static func process(_ live: LiveSync, seconds: Int = 10, until done: () throws -> Bool) async throws
        -> [LiveArrival]
    {
        var all: [LiveArrival] = []
        let deadline = ContinuousClock.now + .seconds(seconds)
        while try !done() && ContinuousClock.now < deadline {
            all += try await arrivals(live, seconds: 1)
        }
        return all
    }

    @Test("Eine Änderung auf A erscheint auf B ohne sync, aus der Live-Nachricht selbst")
    func writeAppearsWithoutSync() async throws {
        let server = TestServer()
        try await server.start()
        let directory = ReplicaDirectory()
        let (token, stores, persona) = try await Self.room(server, directory, count: 2)
        let (a, b) = (stores[0], stores[1])
        let live = LiveSync(client: server.client(b, token: token, lab: "live-lab"))
        live.start()
        // The first event is the connection itself, answered by a catch-up sync.
        try await Self.connect(live)
        #expect(live.connection.state == .connected)
        let cursorBefore = try b.replica.cursor(for: "server")

        try a.set("persona", id: persona, fields: ["zitat": "live von A"])
        try await server.client(a, token: token, lab: "live-lab").sync()
        let arrivals = try await Self.process(live) { try b.record("persona", id: persona)?.text("zitat") != nil }

        #expect(try b.record("persona", id: persona)?.text("zitat") == ("live von A"))
        // Applied from the message: it names the token, which a sync's page does not.
        #expect(arrivals == [LiveArrival(writer: a.replica.siteID, tokenName: "Raum", changes: 1, tables: ["persona"])])
        #expect(try b.replica.cursor(for: "server") > cursorBefore)
        #expect(try a.replica.canonicalDump() == b.replica.canonicalDump())
        live.stop()
        await server.stop()
    }

    @Test("Wer eine Nachricht verpasst, sieht die Lücke und holt per sync nach; nichts geht verloren")
    func gapCatchesUpBySync() async throws {
        let server = TestServer()
        try await server.start()
        let directory = ReplicaDirectory()
        let (token, stores, persona) = try await Self.room(server, directory, count: 2)
        let (a, b) = (stores[0], stores[1])
        let live = LiveSync(client: server.client(b, token: token, lab: "live-lab"))
        live.start()
        try await Self.connect(live)

        let pushA = server.client(a, token: token, lab: "live-lab")
        try a.set("persona", id: persona, fields: ["zitat": "eins"])
        try await pushA.sync()
        // B loses the first message (as if dropped on the way) …
        var dropped: [LiveEvent] = []
        while dropped.isEmpty { dropped = await live.connection.nextEvents() }
        #expect(dropped.contains { if case .message = $0 { true } else { false } })
        try a.set("persona", id: persona, fields: ["ziele": "zwei"])
        try await pushA.sync()
        // … so the second does not continue its cursor: B syncs and has both.
        _ = try await Self.process(live) { try b.record("persona", id: persona)?.text("ziele") == ("zwei") }
        #expect(try b.record("persona", id: persona)?.text("zitat") == ("eins"))
        #expect(try a.replica.canonicalDump() == b.replica.canonicalDump())

        // A reconnect catches up too: B offline, A writes, B back.
        live.stop()
        try a.set("persona", id: persona, fields: ["zitat": "während B weg war"])
        try await pushA.sync()
        live.start()
        // The reconnect waits out the client's backoff; on the loaded 2-core machine (the server
        // simulation runs beside it) that took longer than 10 s in two of four full runs.
        _ = try await Self.process(live, seconds: 60) {
            try b.record("persona", id: persona)?.text("zitat") == ("während B weg war")
        }
        #expect(try a.replica.canonicalDump() == b.replica.canonicalDump())
        live.stop()
        await server.stop()
    }

    @Test("Drei Live-Teilnehmende schreiben gleichzeitig dieselbe Zelle: alle konvergieren, Konflikte überall")
    func threeLiveWritersConverge() async throws {
        let server = TestServer()
        try await server.start()
        let directory = ReplicaDirectory()
        let (token, stores, persona) = try await Self.room(server, directory, count: 3)
        let lives = stores.map { LiveSync(client: server.client($0, token: token, lab: "live-lab")) }
        for live in lives { live.start() }
        for live in lives { try await Self.connect(live) }
        // All three write offline-fast, then push; each pushes its own write at once, as the shell does.
        for (index, store) in stores.enumerated() {
            try store.set("persona", id: persona, fields: ["zitat": "Wert \(index)"])
        }
        for live in lives { _ = try await live.pushLocalChanges() }
        func settled() throws -> Bool {
            try Set(stores.map { try $0.replica.canonicalDump() }).count == 1
                && stores.allSatisfy { try $0.replica.conflicts().count == 3 }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while try !settled() && ContinuousClock.now < deadline {
            for live in lives { _ = try await live.process(live.connection.takeEvents()) }
            try await Task.sleep(for: .milliseconds(20))
        }
        let dumps = try stores.map { try $0.replica.canonicalDump() }
        #expect(Set(dumps).count == 1)
        for store in stores {
            #expect(try store.replica.conflicts().filter { $0.column == "zitat" }.count == 3)
        }
        for live in lives { live.stop() }
        await server.stop()
    }

    @Test("Ohne WebSocket (Proxy, älterer Server): Zustand „kein WebSocket“ und regelmäßige sync-Anlässe")
    func fallsBackToPolling() async throws {
        let server = TestServer()
        try await server.start()
        let token = try await server.lab("live-lab")
        // A path prefix the server does not know answers 404 instead of upgrading, as a blocking proxy would.
        let connection = LiveConnection(
            server: server.url.appendingPathComponent("kein-websocket"), token: token, lab: LabID("live-lab")!,
            site: SiteID.random(), pollInterval: .milliseconds(100))
        connection.start()
        var polls = 0
        let deadline = ContinuousClock.now + .seconds(10)
        while polls < 3 && ContinuousClock.now < deadline {
            polls += await connection.nextEvents().filter { $0 == .poll }.count
        }
        #expect(polls >= 3)
        guard case .polling = connection.state else {
            Issue.record("Zustand \(connection.state)")
            return
        }
        #expect(connection.state.description.contains("regelmäßiger sync"))
        connection.stop()
        #expect(connection.state == .off)
        await server.stop()
    }

    @Test("Ein widerrufenes Token verliert seine Live-Verbindung; neu verbinden lässt der Server nicht zu")
    func revokedTokenLosesConnection() async throws {
        let server = TestServer()
        try await server.start { $0.liveTokenCheckInterval = .milliseconds(200) }
        let directory = ReplicaDirectory()
        let (token, stores, _) = try await Self.room(server, directory, count: 1)
        let connection = LiveConnection(
            server: server.url, token: token, lab: LabID("live-lab")!, site: stores[0].replica.siteID,
            pollInterval: .milliseconds(200))
        connection.start()
        let deadline = ContinuousClock.now + .seconds(10)
        while connection.state != .connected && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(connection.state == .connected)
        let id = try await server.registry.tokens().first { $0.name == "Raum" }?.id ?? ""
        try await server.registry.revokeToken(id)
        while connection.state == .connected && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(connection.state != .connected)
        // Every new attempt is refused; the client falls back to polling, whose sync reports the token.
        try await Task.sleep(for: .milliseconds(500))
        #expect(connection.state != .connected)
        connection.stop()
        await server.stop()
    }

    @Test("Der Live-Pfad prüft wie sync: Token, Labor, Geräte-ID, Protokoll, nur als WebSocket")
    func upgradeRequestIsChecked() async throws {
        let server = TestServer()
        try await server.start()
        let token = try await server.lab("live-lab")
        let other = try await server.lab("anderes-lab")
        let site = SiteID.random().hex
        func get(_ query: String, token: String?, upgrade: Bool = true) async throws -> (Int, String) {
            var request = URLRequest(url: URL(string: "\(server.url)/v1/labs/live-lab/live?\(query)")!)
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            if upgrade {
                request.setValue("websocket", forHTTPHeaderField: "Upgrade")
                request.setValue("Upgrade", forHTTPHeaderField: "Connection")
                request.setValue("13", forHTTPHeaderField: "Sec-WebSocket-Version")
                request.setValue("dGhlIHNhbXBsZSBub25jZQ==", forHTTPHeaderField: "Sec-WebSocket-Key")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }
        // A refused upgrade gets an empty 400 (hummingbird-websocket); the same GET without the upgrade
        // gets the reason. Both for every fault.
        let cases: [(query: String, token: String?, status: Int, code: String)] = [
            ("geraet=\(site)&protokoll=2", nil, 401, "token_fehlt"),
            ("geraet=\(site)&protokoll=2", "falsch", 401, "token_ungueltig"),
            ("geraet=\(site)&protokoll=2", other, 403, "labor_nicht_erlaubt"),
            ("protokoll=2", token, 400, "geraet_ungueltig"),
            ("geraet=xyz&protokoll=2", token, 400, "geraet_ungueltig"),
            ("geraet=\(site)", token, 400, "protokollversion"),
            ("geraet=\(site)&protokoll=1", token, 409, "aktualisieren"),
        ]
        for fault in cases {
            let upgrade = try await get(fault.query, token: fault.token)
            #expect(upgrade.0 == 400, "\(fault.code)")
            let plain = try await get(fault.query, token: fault.token, upgrade: false)
            #expect(plain.0 == fault.status && plain.1.contains(fault.code), "\(fault.code): \(plain)")
        }
        let plain = try await get("geraet=\(site)&protokoll=2", token: token, upgrade: false)
        #expect(plain.0 == 400 && plain.1.contains("nur_websocket"))
        await server.stop()
    }

    @Test("Live-Nachrichten: kodiert und gelesen; kaputte und zu große werden mit Grund abgelehnt")
    func messageCodec() throws {
        let row = RowChange(
            table: "persona", id: "p1", cl: 1, rowVersion: nil,
            cells: [
                CellChange(
                    column: "zitat", value: .text("x"), cl: 1,
                    version: Version(hlc: 5 << 16, site: SiteID(high: 1, low: 2)))
            ])
        let message = LiveMessage(
            fromSequence: 4, headSequence: 7, sender: SiteID(high: 1, low: 2), tokenName: "Bernd",
            cursorCheck: "abc:7-1f", changeCount: 1,
            batch: ChangeBatch(rows: [row]))
        #expect(try LiveMessage.decode(message.encoded()) == message)
        var withoutBatch = message
        withoutBatch.batch = nil
        #expect(try LiveMessage.decode(withoutBatch.encoded()) == withoutBatch)
        let bytes = message.encoded()
        for cut in [0, 3, 10, 25, bytes.count - 1] {
            #expect(throws: SyncWireError.self) { try LiveMessage.decode(Array(bytes.prefix(cut))) }
        }
        #expect(throws: SyncWireError.self) { try LiveMessage.decode(bytes + [UInt8](repeating: 0, count: 20_000)) }
        var backwards = withoutBatch
        backwards.fromSequence = 9
        #expect(throws: SyncWireError.self) { try LiveMessage.decode(backwards.encoded()) }
        // A batch beyond the limit travels as an announcement only.
        let big = ChangeBatch(
            rows: (0..<40).map { index in
                RowChange(
                    table: "persona", id: "p\(index)", cl: 1, rowVersion: nil,
                    cells: [
                        CellChange(
                            column: "zitat", value: .text(String(repeating: "x", count: 1000)), cl: 1,
                            version: Version(hlc: 5 << 16, site: SiteID(high: 1, low: 2)))
                    ])
            })
        var large = message
        large.batch = big
        #expect(try LiveMessage.decode(large.encoded()).batch == nil)
        #expect(SiteID(hex: SiteID(high: 7, low: 9).hex) == SiteID(high: 7, low: 9))
        #expect(SiteID(hex: "zz") == nil)
    }
}
