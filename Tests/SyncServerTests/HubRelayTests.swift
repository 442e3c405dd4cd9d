import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGSyncClient
import OZGWire
import Testing

@testable import SyncServerCore

/// A workshop hub relays its lab to the state server and back (`serve --upstream`, DESIGN §10):
/// three tiers of real servers on loopback ports.
@Suite(
    "Workshop-Hub leitet an den Landesserver weiter",
    .disabled(if: TestPostgres.serverSuites, "ein Hub hält seine Labore in Dateien"))
struct HubRelayTests {
    static let lab = "drei-lab"

    /// Syncs every replica (participants at the hub, `direct` at the state server) until all hold the
    /// same state and `done` holds, at most `seconds`; returns whether they got there.
    static func settle(
        _ participants: [LaborStore], hub: TestServer, hubToken: String, direct: LaborStore, state: TestServer,
        stateToken: String, seconds: Int = 30, until done: () throws -> Bool = { true }
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            for store in participants { try await hub.client(store, token: hubToken, lab: lab).sync() }
            try await state.client(direct, token: stateToken, lab: lab).sync()
            let dumps = try Set((participants + [direct]).map { try $0.replica.canonicalDump() })
            if dumps.count == 1, try done() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    @Test(
        "Drei Teilnehmende am Hub, eine Person direkt am Landesserver, dieselbe Zelle; Upstream getrennt und zurück: alles überall, jeder Konflikt überall"
    )
    func threeTiers() async throws {
        let state = TestServer()
        try await state.start()
        let port = state.port
        let hubToken = try await state.lab(Self.lab, role: .hub, name: "Hub Raum 3")
        let stateToken = try await state.lab(Self.lab, name: "Direkt")
        let hub = TestServer()
        let roomToken = try await hub.lab(Self.lab, name: "Raum")
        try await hub.start {
            $0.upstream = UpstreamConfiguration(url: state.url, token: hubToken, labs: [Self.lab])
        }
        let directory = ReplicaDirectory()
        let participants = try (0..<3).map { try LaborStore(path: directory.path("p\($0).ozg")) }
        let direct = try LaborStore(path: directory.path("direkt.ozg"))

        try participants[0].add(
            "labor", id: Self.lab, fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        let persona = try participants[0].add(
            "persona", laborID: Self.lab,
            fields: ["name": "Erika", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z"])
        #expect(
            try await Self.settle(
                participants, hub: hub, hubToken: roomToken, direct: direct, state: state, stateToken: stateToken))
        #expect(try direct.record("persona", id: persona)?.text("name") == "Erika")

        // Everyone writes the same cell without seeing the others.
        for (index, store) in participants.enumerated() {
            try store.set("persona", id: persona, fields: ["zitat": "vom Platz \(index)"])
        }
        try direct.set("persona", id: persona, fields: ["zitat": "aus dem Landesamt"])
        func zitatConflicts(_ store: LaborStore) throws -> Int {
            try store.replica.conflicts().filter { $0.column == "zitat" }.count
        }
        #expect(
            try await Self.settle(
                participants, hub: hub, hubToken: roomToken, direct: direct, state: state, stateToken: stateToken
            ) { try zitatConflicts(direct) == 6 })
        for store in participants + [direct] { #expect(try zitatConflicts(store) == 6) }

        // The upstream link is cut while everyone writes; the hub keeps serving the room.
        await state.stop()
        let offline = try participants[1].add(
            "persona", laborID: Self.lab,
            fields: ["name": "Während der Trennung", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z"])
        try participants[2].set("persona", id: persona, fields: ["ziele": "im Raum geändert"])
        for store in participants + participants {
            try await hub.client(store, token: roomToken, lab: Self.lab).sync()
        }
        #expect(try participants[0].record("persona", id: offline)?.text("name") == "Während der Trennung")
        try direct.set("persona", id: persona, fields: ["kurzbeschreibung": "im Landesamt geändert"])

        do {
            try await state.start { $0.port = port }
        } catch {
            // Another test's process took the port meanwhile: the state server moves, the hub follows.
            try await state.start()
            await hub.stop()
            try await hub.start {
                $0.upstream = UpstreamConfiguration(url: state.url, token: hubToken, labs: [Self.lab])
            }
        }
        #expect(
            try await Self.settle(
                participants, hub: hub, hubToken: roomToken, direct: direct, state: state, stateToken: stateToken
            ) {
                try direct.record("persona", id: offline) != nil
                    && participants[0].record("persona", id: persona)?.text("kurzbeschreibung")
                        == "im Landesamt geändert"
            })
        #expect(try direct.record("persona", id: persona)?.text("ziele") == "im Raum geändert")
        // The state server's own file holds what the room wrote, written by the participants' devices;
        // its audit log names the hub's token and the devices it relayed.
        #expect(try state.dump(Self.lab).contains(participants[1].replica.siteID.hex))
        let audit = try Database(
            path: state.directory.appendingPathComponent("labor-\(Self.lab).ozg").path, mode: .readOnly
        )
        .rows("SELECT token_name, weitergeleitet_fuer FROM _ozg_audit") { ($0.text(0) ?? "", $0.text(1) ?? "") }
        #expect(audit.contains { $0.0 == "Hub Raum 3" && $0.1.contains(participants[1].replica.siteID.hex) })
        #expect(audit.contains { $0.0 == "Direkt" && $0.1.isEmpty })

        // A participant leaves the room, syncs with the state server directly, and comes back.
        try participants[0].set("persona", id: persona, fields: ["zitat": "unterwegs geschrieben"])
        try await state.client(participants[0], token: stateToken, lab: Self.lab).sync()
        try participants[0].set("persona", id: persona, fields: ["lebenssituation": "wieder im Raum"])
        try await hub.client(participants[0], token: roomToken, lab: Self.lab).sync()
        #expect(
            try await Self.settle(
                participants, hub: hub, hubToken: roomToken, direct: direct, state: state, stateToken: stateToken
            ) {
                try direct.record("persona", id: persona)?.text("lebenssituation") == "wieder im Raum"
                    && participants[2].record("persona", id: persona)?.text("zitat") == "unterwegs geschrieben"
            })
        await hub.stop()
        await state.stop()
    }

    @Test("SIGKILL des Hubs mitten im Weiterleiten: nach dem Neustart kommt alles beim Landesserver an, nichts fehlt")
    func hubKilledWhileRelaying() async throws {
        let state = TestServer()
        try await state.start()
        let hubToken = try await state.lab(Self.lab, role: .hub, name: "Hub")
        let stateToken = try await state.lab(Self.lab, name: "Direkt")
        let directory = ReplicaDirectory()
        let hubData = directory.path("hub")
        let registry = try SQLiteRegistry(dataDirectory: hubData)
        try await registry.createLab(Self.lab, title: nil)
        let roomToken = try await registry.createToken(labs: [Self.lab], role: .schreiben, name: "Raum")
        let hubArguments = [
            "--upstream", state.url.absoluteString, "--upstream-token", hubToken, "--upstream-labor", Self.lab,
        ]
        var hub = try ServerProcess(data: hubData, arguments: hubArguments)
        let participant = try LaborStore(path: directory.path("p.ozg"))
        let direct = try LaborStore(path: directory.path("d.ozg"))
        func client(_ port: Int) -> SyncClient {
            let client = SyncClient(
                replica: participant.replica, server: URL(string: "http://127.0.0.1:\(port)")!, token: roomToken,
                lab: LabID(Self.lab)!)
            client.maxAttempts = 1
            return client
        }
        try participant.add(
            "labor", id: Self.lab, fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        var ids: [String] = []
        for round in 0..<12 {
            for index in 0..<5 {
                ids.append(
                    try participant.add(
                        "persona", laborID: Self.lab,
                        fields: [
                            "name": "R\(round)-\(index)", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z",
                        ]))
            }
            // The hub relays each push at once; the kill falls somewhere into that.
            try? await client(hub.port).sync()
            if round == 6 {
                hub.kill()
                hub = try ServerProcess(data: hubData, arguments: hubArguments)
            }
        }
        try await client(hub.port).sync()
        let deadline = ContinuousClock.now + .seconds(30)
        var arrived = 0
        while ContinuousClock.now < deadline {
            try await state.client(direct, token: stateToken, lab: Self.lab).sync()
            arrived = try ids.filter { try direct.record("persona", id: $0) != nil }.count
            if arrived == ids.count { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(arrived == ids.count)
        try await client(hub.port).sync()
        #expect(try participant.replica.canonicalDump() == direct.replica.canonicalDump())
        hub.kill()
        await state.stop()
    }

    @Test("Ein Push im Raum, während der Hub auf den Landesserver wartet, geht in der nächsten Runde mit")
    func pushDuringUpstreamRoundIsSentNext() async throws {
        let directory = ReplicaDirectory()
        var configuration = ServerConfiguration(dataDirectory: directory.path("hub"))
        configuration.reservedTables = Domain.schema.tables
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let store = try LabReplicaStore(configuration: configuration, lab: LabID(Self.lab)!)
        let live = LiveHub(metrics: ServerMetrics())
        let token = TokenRecord(
            id: "t", name: "Raum", role: .schreiben, labs: [Self.lab], created: "2026-12-03T00:00:00Z", revoked: nil)
        let participant = try LaborStore(path: directory.path("p.ozg"))
        func push() async throws {
            let batch = try participant.replica.extractChanges(
                after: try participant.replica.acknowledgedSequence(for: "hub"))
            let request = SyncRequest(site: participant.replica.siteID, cursor: 0, batch: batch.batch)
            _ = try await store.sync(
                request, cursorCheck: nil, token: token, pageRows: 100, pageBytes: 1 << 20, live: live)
            try participant.replica.acknowledge(batch.throughSequence, for: "hub")
        }
        try participant.add(
            "labor", id: Self.lab, fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        try await push()
        let (first, through, _) = try await store.upstreamRequest(maxRows: 100)
        #expect(!first.batch.isEmpty)
        // While the hub waits for upstream's answer, a participant pushes.
        let later = try participant.add(
            "persona", laborID: Self.lab,
            fields: ["name": "Dazwischen", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z"])
        try await push()
        let answer = SyncAnswer(
            response: SyncResponse(cursor: 1, more: false, batch: ChangeBatch()), cursorCheck: nil, reset: false)
        _ = try await store.takeUpstream(
            answer, pushedThrough: through, pushedRows: first.batch.rows.count, maxRows: 100, live: live)
        let (second, _, _) = try await store.upstreamRequest(maxRows: 100)
        #expect(second.batch.rows.contains { $0.id == later })
        #expect(!second.batch.rows.contains { $0.table == "labor" })
    }
}
