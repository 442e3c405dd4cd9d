import Foundation
import OZGDomain
import OZGReplication
import OZGSyncClient
import OZGWire
import SyncServerCore
import Testing

/// `ozg-sync-server compact` removes deleted rows every device has pulled, and a device that comes
/// back from before the horizon loads the lab anew without losing what it wrote offline
/// (docs/OPERATIONS.md, „Verdichtung“).
@Suite(
    "Verdichtung auf dem Server",
    .disabled(if: TestPostgres.serverSuites, "Verdichtung gibt es nur auf Datenverzeichnissen"))
struct CompactionTests {
    static let personaFields = ["kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z"]

    func persona(_ store: LaborStore, _ name: String) throws -> String {
        try store.add("persona", laborID: "lab", fields: Self.personaFields.merging(["name": name]) { $1 })
    }

    func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// A real server with the lab `lab` and a writing token, and a directory for the devices' files.
    func startLab(pageRows: Int? = nil) async throws -> (TestServer, token: String, ReplicaDirectory) {
        let server = TestServer()
        try await server.start { configuration in
            if let pageRows { configuration.pageRows = pageRows }
        }
        return (server, try await server.lab("lab"), ReplicaDirectory())
    }

    /// The device that creates the lab `lab`.
    func founder(in directory: ReplicaDirectory) throws -> LaborStore {
        let store = try LaborStore(path: directory.path("a.ozg"))
        try store.add("labor", id: "lab", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        return store
    }

    @Test("Von gelöschten Zeilen bleibt nur die Löschung; eine alte Änderung daran holt sie nicht zurück")
    func deletedRowsKeepTheirDelete() async throws {
        let (server, token, directory) = try await startLab()
        defer { Task { await server.stop() } }
        let a = try founder(in: directory)
        let b = try LaborStore(path: directory.path("b.ozg"))
        let c = try LaborStore(path: directory.path("c.ozg"))
        let gone = try persona(a, "wird gelöscht")
        let kept = try persona(a, "bleibt")
        let alsoGone = try persona(a, "auch gelöscht")
        for store in [a, b, c] { try await server.client(store, token: token, lab: "lab").sync() }

        // C goes offline. A deletes two personas; A and B pull the deletes.
        let cutOff = now()
        try await Task.sleep(for: .milliseconds(20))
        try a.delete("persona", id: gone)
        try a.delete("persona", id: alsoGone)
        // A device's position counts once it reports it: with its next request (each syncs twice).
        for store in [a, b, a, b] { try await server.client(store, token: token, lab: "lab").sync() }

        // Waiting for every device: C has not pulled the deletes, nothing changes.
        let waiting = try await LabMaintenance.compact(
            dataDirectory: server.directory.path, labs: ["lab"], countedSince: nil)
        #expect(waiting.map(\.result.removedTombstoneCount) == [0])
        #expect(waiting.first?.countedDevices == 3)

        // Not waiting for C (last seen before the cut-off), while the server runs: both keep only their delete.
        let compacted = try await LabMaintenance.compact(
            dataDirectory: server.directory.path, labs: ["lab"], countedSince: cutOff)
        #expect(compacted.first?.result.removedTombstoneCount == 2)
        #expect(compacted.first?.forgottenDevices == 1)
        #expect(compacted.first?.result.floor == 0, "der Verlauf blieb, kein Gerät muss neu laden")

        // Meanwhile C, offline, edited a deleted persona and the kept one, and added one.
        try c.set("persona", id: gone, fields: ["name": "offline geändert"])
        try c.set("persona", id: kept, fields: ["ziele": "offline ergänzt"])
        let added = try persona(c, "offline angelegt")
        let result = try await server.client(c, token: token, lab: "lab").sync()
        #expect(result.compactionNotice == nil)
        for store in [a, b, c] { try await server.client(store, token: token, lab: "lab").sync() }

        let dumps = try [a, b, c].map { try $0.replica.canonicalDump(includeConflicts: false) }
        #expect(dumps[1] == dumps[0])
        #expect(dumps[2] == dumps[0])
        for store in [a, b, c] {
            // The deleted personas stay deleted everywhere; C's new persona and its edit arrived.
            #expect(try !store.replica.isVisible(table: "persona", id: gone))
            #expect(try !store.replica.isVisible(table: "persona", id: alsoGone))
            #expect(try store.record("persona", id: added)?.text("name") == "offline angelegt")
            #expect(try store.record("persona", id: kept)?.text("ziele") == "offline ergänzt")
            // C's edit of the deleted persona is an edit-vs-delete conflict, as without compaction.
            #expect(try store.replica.conflicts().contains { $0.rowID == gone && $0.kind == .editVersusDelete })
        }

        // A device that joins now gets the delete only: it cannot restore values it never had.
        let d = try LaborStore(path: directory.path("d.ozg"))
        try await server.client(d, token: token, lab: "lab").sync()
        #expect(try d.replica.canonicalDump(includeConflicts: false) == dumps[0])
        #expect(throws: ReplicaError.rowCompacted(table: "persona", id: alsoGone)) {
            try d.replica.restore("persona", id: alsoGone)
        }
        // A device that still has the values restores the row for everyone.
        try a.restore("persona", id: alsoGone)
        try await server.client(a, token: token, lab: "lab").sync()
        try await server.client(d, token: token, lab: "lab").sync()
        #expect(try d.record("persona", id: alsoGone)?.text("name") == "auch gelöscht")
    }

    @Test("Ein Gerät mit einem Stand vor dem entfernten Verlauf lädt neu und sendet danach, was es offline schrieb")
    func returningDeviceResyncs() async throws {
        let (server, token, directory) = try await startLab(pageRows: 4)
        defer { Task { await server.stop() } }
        let a = try founder(in: directory)
        let c = try LaborStore(path: directory.path("c.ozg"))
        var ids: [String] = []
        // One push per persona: C's cursor ends far above the few positions the compaction writes to.
        for index in 0..<12 {
            ids.append(try persona(a, "P\(index)"))
            try await server.client(a, token: token, lab: "lab").sync()
        }
        try await server.client(c, token: token, lab: "lab").sync()
        let cutOff = now()
        try await Task.sleep(for: .milliseconds(20))
        for id in ids.prefix(4) { try a.set("persona", id: id, fields: ["ziele": "neu"]) }
        try a.delete("persona", id: ids[5])
        for _ in 0..<2 { try await server.client(a, token: token, lab: "lab").sync() }
        let compacted = try await LabMaintenance.compact(
            dataDirectory: server.directory.path, labs: ["lab"], countedSince: cutOff, keepHistoryDays: 0)
        let result = try #require(compacted.first?.result)
        #expect(result.removedLogRows > 0)
        #expect(result.floor > (try c.replica.cursor(for: "server")))

        // C edited offline; its next sync is told, loads the lab anew and then sends its edits.
        try c.set("persona", id: ids[0], fields: ["name": "offline"])
        let added = try persona(c, "offline angelegt")
        let synced = try await server.client(c, token: token, lab: "lab").sync()
        #expect(synced.compactionNotice?.contains("verdichtet") == true)
        #expect(synced.compactionNotice?.contains("nichts geht verloren") == true)
        try await server.client(a, token: token, lab: "lab").sync()
        #expect(
            try c.replica.canonicalDump(includeConflicts: false) == a.replica.canonicalDump(includeConflicts: false))
        #expect(try a.record("persona", id: added)?.text("name") == "offline angelegt")
        #expect(try a.record("persona", id: ids[0])?.text("ziele") == "neu")
        #expect(try a.record("persona", id: ids[0])?.text("name") == "offline")
        #expect(try !c.replica.isVisible(table: "persona", id: ids[5]))
        // A fresh device's first sync still finds every row.
        let d = try LaborStore(path: directory.path("d.ozg"))
        try await server.client(d, token: token, lab: "lab").sync()
        #expect(
            try d.replica.canonicalDump(includeConflicts: false) == a.replica.canonicalDump(includeConflicts: false))
        #expect(try await server.client(c, token: token, lab: "lab").sync().compactionNotice == nil)
    }

    @Test("Ein neues Gerät holt nach der Verdichtung in vielen Seiten alles, ohne neu anzufangen")
    func freshDeviceAfterCompaction() async throws {
        let (server, token, directory) = try await startLab(pageRows: 5)
        defer { Task { await server.stop() } }
        let a = try founder(in: directory)
        var ids: [String] = []
        for index in 0..<30 {
            ids.append(try persona(a, "P\(index)"))
            if index % 3 == 0 { try await server.client(a, token: token, lab: "lab").sync() }
        }
        for id in ids.prefix(10) { try a.delete("persona", id: id) }
        for _ in 0..<2 { try await server.client(a, token: token, lab: "lab").sync() }
        let compacted = try await LabMaintenance.compact(
            dataDirectory: server.directory.path, labs: nil, countedSince: nil, keepHistoryDays: 0)
        #expect(compacted.first?.result.removedLogRows ?? 0 > 1)

        let floor = try #require(compacted.first?.result.floor)
        // The walk from 0 passes positions below the floor; each is named by its check and goes on.
        let d = try LaborStore(path: directory.path("d.ozg"))
        let transport = server.client(d, token: token, lab: "lab").transport
        let first = try await transport.send(
            SyncRequest(site: d.replica.siteID, cursor: 0, batch: ChangeBatch()), cursorCheck: nil)
        #expect(first.response.more && first.response.cursor < floor)
        let second = try await transport.send(
            SyncRequest(site: d.replica.siteID, cursor: first.response.cursor, batch: ChangeBatch()),
            cursorCheck: first.cursorCheck)
        #expect(!second.reset && second.compactedFloor == nil)
        let result = try await server.client(d, token: token, lab: "lab").sync()
        #expect(result.compactionNotice == nil)
        #expect(
            try d.replica.canonicalDump(includeConflicts: false) == a.replica.canonicalDump(includeConflicts: false))
    }

    @Test("Ein Cursor unter der Grenze beginnt wieder bei 0 und sagt warum – mit und ohne Prüfwert")
    func oldCursorStartsAgain() async throws {
        let (server, token, directory) = try await startLab()
        defer { Task { await server.stop() } }
        let a = try founder(in: directory)
        let id = try persona(a, "weg")
        try await server.client(a, token: token, lab: "lab").sync()
        let oldCursor = try a.replica.cursor(for: "server")
        let oldCheck = try a.replica.storedCursorCheck(for: "server")
        try a.delete("persona", id: id)
        _ = try persona(a, "neu")
        for _ in 0..<2 { #expect(try await server.client(a, token: token, lab: "lab").sync().compactionNotice == nil) }
        let compacted = try await LabMaintenance.compact(
            dataDirectory: server.directory.path, labs: ["lab"], countedSince: nil, keepHistoryDays: 0)
        let floor = try #require(compacted.first?.result.floor)
        #expect(compacted.first?.result.removedTombstoneCount == 1)
        #expect(floor > oldCursor)
        // A's own cursor is above the floor: an ordinary sync.
        #expect(try await server.client(a, token: token, lab: "lab").sync().compactionNotice == nil)

        // As from a device that had A's old position (another device: A's own writes are not echoed).
        let transport = server.client(a, token: token, lab: "lab").transport
        for check in [oldCheck, nil] {
            let answer = try await transport.send(
                SyncRequest(site: SiteID.random(), cursor: oldCursor, batch: ChangeBatch()), cursorCheck: check)
            #expect(answer.reset)
            #expect(answer.compactedFloor == floor)
            #expect(answer.response.batch.rows.contains { $0.table == "labor" }, "die Seite beginnt bei 0")
        }
        // Unknown labs are named.
        await #expect {
            _ = try await LabMaintenance.compact(
                dataDirectory: server.directory.path, labs: ["gibtsnicht"], countedSince: nil)
        } throws: { error in
            (error as? AdminError)?.description.contains("„gibtsnicht“ gibt es auf diesem Server nicht") == true
        }
    }
}
