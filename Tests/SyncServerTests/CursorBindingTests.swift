import Foundation
import OZGDomain
import OZGReplication
import OZGSyncClient
import SyncServerCore
import Testing

/// A cursor names the server that issued it (docs/PROTOCOL.md, „Cursor-Bindung“): a device that moves
/// between servers, or talks to a server restored from a backup, syncs everything again instead of
/// trusting a position that means something else there.
@Suite("Cursor-Bindung an den ausgebenden Server")
struct CursorBindingTests {
    static let lab = "wechsel-lab"
    static let persona = ["name": "Erika", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z"]

    @Test("Ein Gerät wechselt zwischen zwei Servern und zurück: jeder bekommt alles, nichts geht verloren")
    func deviceMovesBetweenServers() async throws {
        let hub = TestServer()
        let state = TestServer()
        try await hub.start()
        try await state.start()
        let hubToken = try await hub.lab(Self.lab)
        let stateToken = try await state.lab(Self.lab)
        let directory = ReplicaDirectory()
        let mover = try LaborStore(path: directory.path("mover.ozg"))
        let atHub = try LaborStore(path: directory.path("hub-peer.ozg"))
        let atState = try LaborStore(path: directory.path("state-peer.ozg"))

        // The state server already holds work the hub never saw.
        try atState.add("labor", id: Self.lab, fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        let early = try atState.add("persona", laborID: Self.lab, fields: Self.persona.merging(["name": "Früh"]) { $1 })
        try await state.client(atState, token: stateToken, lab: Self.lab).sync()

        // The mover works at the hub first: its writes are acknowledged there, its cursor is the hub's.
        try mover.add("labor", id: Self.lab, fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        let fromHub = try mover.add(
            "persona", laborID: Self.lab, fields: Self.persona.merging(["name": "Am Hub"]) { $1 })
        for _ in 0..<3 {
            try mover.add("persona", laborID: Self.lab, fields: Self.persona)
        }
        try await hub.client(mover, token: hubToken, lab: Self.lab).sync()
        try await hub.client(atHub, token: hubToken, lab: Self.lab).sync()
        #expect(try mover.replica.cursor(for: "server") > 0)

        // To the state server directly: its cursor means nothing there; everything goes both ways.
        try await state.client(mover, token: stateToken, lab: Self.lab).sync()
        #expect(try mover.record("persona", id: early)?.text("name") == "Früh")
        try await state.client(atState, token: stateToken, lab: Self.lab).sync()
        #expect(try atState.record("persona", id: fromHub)?.text("name") == "Am Hub")

        // A write at the state server, then back to the hub: the hub gets it and what it lacked.
        try mover.set("persona", id: fromHub, fields: ["zitat": "am Landesserver geschrieben"])
        try await state.client(mover, token: stateToken, lab: Self.lab).sync()
        try await hub.client(mover, token: hubToken, lab: Self.lab).sync()
        try await hub.client(atHub, token: hubToken, lab: Self.lab).sync()
        #expect(try atHub.record("persona", id: fromHub)?.text("zitat") == "am Landesserver geschrieben")
        #expect(try atHub.record("persona", id: early) == nil)  // the hub relays nothing: only the mover's writes
        try await state.client(atState, token: stateToken, lab: Self.lab).sync()
        #expect(try atState.replica.canonicalDump() == mover.replica.canonicalDump())
        await hub.stop()
        await state.stop()
    }

    @Test("Ein aus der Sicherung wiederhergestellter Server: die Geräte senden erneut, nichts geht verloren")
    func serverRestoredFromBackup() async throws {
        let server = TestServer()
        try await server.start()
        let token = try await server.lab(Self.lab)
        let directory = ReplicaDirectory()
        let writer = try LaborStore(path: directory.path("writer.ozg"))
        let reader = try LaborStore(path: directory.path("reader.ozg"))
        try writer.add("labor", id: Self.lab, fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        let persona = try writer.add("persona", laborID: Self.lab, fields: Self.persona)
        try await server.client(writer, token: token, lab: Self.lab).sync()
        await server.stop()
        let backup = directory.url.appendingPathComponent("sicherung")
        try FileManager.default.copyItem(at: server.directory, to: backup)
        try await server.start()

        // After the backup: writes both replicas have, and the server acknowledged.
        try writer.set("persona", id: persona, fields: ["zitat": "nach der Sicherung"])
        let later = try writer.add(
            "persona", laborID: Self.lab, fields: Self.persona.merging(["name": "Später"]) { $1 })
        try await server.client(writer, token: token, lab: Self.lab).sync()
        try await server.client(reader, token: token, lab: Self.lab).sync()
        try reader.set("persona", id: later, fields: ["ziele": "vom Leser"])
        try await server.client(reader, token: token, lab: Self.lab).sync()
        await server.stop()

        // The operator restores the backup; then one new write reaches the server before anyone else.
        try FileManager.default.removeItem(at: server.directory)
        try FileManager.default.copyItem(at: backup, to: server.directory)
        try await server.start()
        let fresh = try LaborStore(path: directory.path("fresh.ozg"))
        try await server.client(fresh, token: token, lab: Self.lab).sync()
        try fresh.set("persona", id: persona, fields: ["kurzbeschreibung": "nach der Wiederherstellung"])
        try await server.client(fresh, token: token, lab: Self.lab).sync()

        for store in [writer, reader, writer, fresh, reader] {
            try await server.client(store, token: token, lab: Self.lab).sync()
        }
        for store in [writer, reader, fresh] {
            #expect(try store.record("persona", id: persona)?.text("zitat") == "nach der Sicherung")
            #expect(try store.record("persona", id: later)?.text("ziele") == "vom Leser")
            #expect(
                try store.record("persona", id: persona)?.text("kurzbeschreibung") == "nach der Wiederherstellung")
        }
        #expect(Set(try [writer, reader, fresh].map { try $0.replica.canonicalDump() }).count == 1)
        await server.stop()
    }
}
