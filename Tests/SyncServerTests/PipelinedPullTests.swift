import Foundation
import OZGDomain
import OZGReplication
import OZGSyncClient
import Testing

/// `SyncClient` asks for the next page before it applies the current one once nothing local is left
/// to push (docs/PROTOCOL.md, „Was der Client tut“): nothing may be lost or applied out of turn,
/// also when other devices push between the pages.
@Suite("Nächste Seite anfordern, während die aktuelle angewendet wird")
struct PipelinedPullTests {
    @Test("Frisches Gerät holt viele Seiten, während ein anderes dazwischen schreibt: alles kommt an")
    func pagesWhileAnotherDeviceWrites() async throws {
        let server = TestServer()
        try await server.start { $0.pageRows = 40 }
        defer { Task { await server.stop() } }
        let token = try await server.lab("lab")
        let directory = ReplicaDirectory()
        let writer = try LaborStore(path: directory.path("writer.ozg"))
        try writer.add("labor", id: "lab", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        var ids: [String] = []
        for chunk in 0..<10 {
            try writer.replica.transaction {
                for index in 0..<40 {
                    ids.append(
                        try writer.add(
                            "persona", laborID: "lab",
                            fields: [
                                "name": "P\(chunk)-\(index)", "kurzbeschreibung": "k", "nutzergruppe": "001",
                                "ziele": "z",
                            ]))
                }
            }
        }
        // Pushed 40 rows at a time: each push one group in the server's log, so the pages split there.
        let firstPush = server.client(writer, token: token, lab: "lab")
        firstPush.pushPageRows = 40
        try await firstPush.sync()

        // A fresh device pulls about ten pages; after its second page the writer changes rows of
        // pages it has already received and adds new ones.
        let fresh = try LaborStore(path: directory.path("fresh.ozg"))
        let freshClient = server.client(fresh, token: token, lab: "lab")
        let writerClient = server.client(writer, token: token, lab: "lab")
        let late = ids.prefix(5) + ids.suffix(5)
        var push: Task<Void, any Error>?
        let progress = try await freshClient.sync { state in
            guard state.pages == 2, push == nil else { return }
            // Between two pages of the fresh device's sync: written, and pushed while it goes on.
            for id in late { try? writer.set("persona", id: id, fields: ["name": "neu \(id.prefix(4))"]) }
            _ = try? writer.add(
                "persona", laborID: "lab",
                fields: ["name": "dazwischen", "kurzbeschreibung": "k", "nutzergruppe": "002", "ziele": "z"])
            nonisolated(unsafe) let client = writerClient
            push = Task { try await client.sync() }
        }
        try await #require(push).value
        #expect(progress.pages >= 10, "\(progress.pages) Seiten")
        try await freshClient.sync()
        #expect(try fresh.replica.canonicalDump() == writer.replica.canonicalDump())
        #expect(try fresh.records("persona", laborID: "lab").count == 401)
    }
}
