import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGSyncClient
import OZGWire
import SyncServerCore
import Testing

/// The real `SyncClient` (URLSession) against a real server on a loopback port: what a replica does.
@Suite("Sync-Server über echtes HTTP")
struct SyncServerTests {
    @Test(
        "Drei Replikate bearbeiten offline, synchronisieren in wechselnder Reihenfolge und konvergieren; Konflikte überall"
    )
    func threeReplicasConverge() async throws {
        let server = TestServer()
        try await server.start()
        let lab = "wohngeld-mv"
        let token = try await server.lab(lab)
        let directory = ReplicaDirectory()
        let a = try LaborStore(path: directory.path("a.ozg"))
        let b = try LaborStore(path: directory.path("b.ozg"))
        let c = try LaborStore(path: directory.path("c.ozg"))
        try a.add("labor", id: lab, fields: ["titel": "Lab", "themenfeld": "umwelt", "bundesland": "DE-MV"])
        let persona = try a.add(
            "persona", laborID: lab,
            fields: [
                "name": "Erika", "kurzbeschreibung": "k",
                "nutzergruppe": "001", "ziele": "z",
            ])
        let journey = try a.add("nutzerreise", laborID: lab, fields: ["titel": "R", "persona_id": persona])
        var steps: [String] = []
        for index in 0..<3 {
            steps.append(
                try a.add(
                    "schritt", laborID: lab,
                    fields: [
                        "nutzerreise_id": journey, "phase": "p\(index)",
                        "aktivitaet": "a\(index)",
                    ]))
        }
        for store in [a, b, c] { try await server.client(store, token: token, lab: lab).sync() }
        // Offline: concurrent edits of one cell, delete against update, concurrent moves.
        try a.set("persona", id: persona, fields: ["zitat": "von A"])
        try b.set("persona", id: persona, fields: ["zitat": "von B"])
        try c.delete("schritt", id: steps[1])
        try a.set("schritt", id: steps[1], fields: ["aktivitaet": "geändert von A"])
        try b.move("schritt", id: steps[2], to: .first)
        try c.move("schritt", id: steps[0], to: .last)
        for store in [c, b, a, c, b, a] { try await server.client(store, token: token, lab: lab).sync() }
        let dumps = try [a, b, c].map { try $0.replica.canonicalDump() }
        #expect(Set(dumps).count == 1)
        for store in [a, b, c] {
            let conflicts = try store.replica.conflicts()
            #expect(conflicts.contains { $0.kind == .value && $0.column == "zitat" })
            #expect(conflicts.contains { $0.kind == .editVersusDelete && $0.rowID == steps[1] })
        }
        await server.stop()
    }

    @Test("Eine verlorene Antwort: der wiederholte Auftrag verdoppelt und verliert nichts")
    func lostResponseIsHarmless() async throws {
        let server = TestServer()
        try await server.start()
        let token = try await server.lab("lab1")
        let directory = ReplicaDirectory()
        let store = try LaborStore(path: directory.path("a.ozg"))
        try store.add("labor", id: "lab1", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        let batch = try store.replica.extractChanges(after: 0).batch
        let body = try SyncRequestBody.make(batch, site: store.replica.siteID)
        let headers = SyncRequestBody.headers(token)
        let (first, _) = try await server.post("v1/labs/lab1/sync", body: body, headers: headers)
        let afterFirst = try server.dump("lab1")
        let (second, _) = try await server.post("v1/labs/lab1/sync", body: body, headers: headers)
        #expect(first == 200 && second == 200)
        #expect(try server.dump("lab1") == afterFirst)
        // The client never saw an answer, so it sends again through its normal path: still nothing doubles.
        try await server.client(store, token: token, lab: "lab1").sync()
        #expect(try server.dump("lab1") == afterFirst)
        let fresh = try LaborStore(path: directory.path("b.ozg"))
        try await server.client(fresh, token: token, lab: "lab1").sync()
        #expect(try fresh.replica.canonicalDump() == store.replica.canonicalDump())
        await server.stop()
    }

    @Test("20.000 Änderungen gehen in mehreren Seiten; ein neues Replikat holt auf und meldet Fortschritt")
    func pagedCatchUp() async throws {
        let server = TestServer()
        try await server.start { $0.pageRows = 500 }
        let token = try await server.lab("gross")
        let directory = ReplicaDirectory()
        let source = try LaborStore(path: directory.path("a.ozg"))
        try source.add("labor", id: "gross", fields: ["titel": "G", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        try source.replica.transaction {
            for index in 0..<4000 {
                try source.add(
                    "persona", laborID: "gross",
                    fields: [
                        "name": "P\(index)", "kurzbeschreibung": "k\(index)", "nutzergruppe": "002",
                        "ziele": "z\(index % 7)",
                    ])
            }
        }
        let pushed = try await server.client(source, token: token, lab: "gross").sync()
        #expect(pushed.pushedChanges >= 20_000)
        #expect(pushed.pages > 1)
        let fresh = try LaborStore(path: directory.path("b.ozg"))
        var reports: [SyncProgress] = []
        let pulled = try await server.client(fresh, token: token, lab: "gross").sync { reports.append($0) }
        #expect(pulled.pulledChanges >= 20_000)
        // Pages follow the server's log groups (up to 1,024 rows), so 4,000 rows come in several pages.
        #expect(reports.count >= 3, "\(reports)")
        #expect(reports.dropLast().allSatisfy(\.more) && reports.last?.more == false, "\(reports)")
        #expect(try fresh.replica.canonicalDump() == source.replica.canonicalDump())
        await server.stop()
    }

    /// The server may have nothing more while the client still has own changes beyond its push page:
    /// one `sync` must push them all (mutant `client-stops-after-full-push-page`).
    @Test("Ein Abgleich schickt alle eigenen Änderungen, auch wenn sie mehrere Push-Seiten füllen")
    func oneSyncPushesEveryPage() async throws {
        let server = TestServer()
        try await server.start()
        let token = try await server.lab("seiten")
        let directory = ReplicaDirectory()
        let source = try LaborStore(path: directory.path("a.ozg"))
        try source.add("labor", id: "seiten", fields: ["titel": "S", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        for index in 0..<23 {  // 23 transactions, 23 log groups
            try source.add(
                "persona", laborID: "seiten",
                fields: ["name": "P\(index)", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z"])
        }
        let client = server.client(source, token: token, lab: "seiten")
        client.pushPageRows = 5
        let pushed = try await client.sync()
        #expect(pushed.pages >= 5, "\(pushed)")
        #expect(try source.replica.acknowledgedSequence(for: client.remoteName) == source.replica.lastSequence())
        let fresh = try LaborStore(path: directory.path("b.ozg"))
        try await server.client(fresh, token: token, lab: "seiten").sync()
        #expect(try fresh.replica.canonicalDump() == source.replica.canonicalDump())
        await server.stop()
    }
}
