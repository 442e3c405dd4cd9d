import Foundation
import OZGDomain
import OZGReplication
import OZGSyncClient
import SyncServerCore
import Testing

/// A workshop hub relays its lab to the state server and back (`serve --upstream`, DESIGN §10):
/// three tiers of real servers on loopback ports.
@Suite("Workshop-Hub leitet an den Landesserver weiter")
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

        try await state.start { $0.port = port }
        #expect(
            try await Self.settle(
                participants, hub: hub, hubToken: roomToken, direct: direct, state: state, stateToken: stateToken
            ) {
                try direct.record("persona", id: offline) != nil
                    && participants[0].record("persona", id: persona)?.text("kurzbeschreibung")
                        == "im Landesamt geändert"
            })
        #expect(try direct.record("persona", id: persona)?.text("ziele") == "im Raum geändert")
        // The state server's own file holds what the room wrote, written by the participants' devices.
        #expect(try state.dump(Self.lab).contains(participants[1].replica.siteID.hex))
        await hub.stop()
        await state.stop()
    }
}
