import Foundation
import HummingbirdTesting
import OZGDomain
import OZGReplication
import OZGWire
import SyncServerCore
import Testing

/// How the server pages its change log, read from raw answers on the router in process.
@Suite("Seiten beim Abholen")
struct PagingTests {
    @Test("Seiten folgen den Pushes des Protokolls: Cursor steigt, „more“ bis zur letzten Seite, nichts fehlt")
    func pagesFollowTheLog() async throws {
        let data = ServerData()
        let token = try await data.lab("lab")
        let directory = ReplicaDirectory()
        let source = try LaborStore(path: directory.path("a.ozg"))
        try source.add("labor", id: "lab", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        // Five pushes, five groups in the server's log; a page never splits a group.
        var pushes: [[UInt8]] = []
        var sent: Int64 = 0
        var ids: Set<String> = []
        for push in 0..<5 {
            try source.replica.transaction {
                for index in 0..<20 {
                    ids.insert(
                        try source.add(
                            "persona", laborID: "lab",
                            fields: [
                                "name": "P\(push)-\(index)", "kurzbeschreibung": "k", "nutzergruppe": "001",
                                "ziele": "z",
                            ]))
                }
            }
            let changes = try source.replica.extractChanges(after: sent)
            sent = changes.throughSequence
            pushes.append(try SyncRequestBody.make(changes.batch, site: source.replica.siteID))
        }
        let site = source.replica.siteID
        let (allIDs, bodies) = (ids, pushes)
        try await data.inProcess(data.configuration { $0.pageRows = 10 }) { client in
            for push in bodies {
                #expect(try await client.sync("lab", body: push, headers: SyncRequestBody.headers(token)).status == .ok)
            }
            let pages = try await client.pullPages("lab", token: token)
            #expect(pages.count >= 5, "\(pages.map(\.batch.rows.count))")
            #expect(pages.dropLast().allSatisfy(\.more) && pages.last?.more == false)
            let pulled = Set(pages.flatMap(\.batch.rows).filter { $0.table == "persona" }.map(\.id))
            #expect(pulled == allIDs)
            // An empty page after the last cursor, and no echo for the device that wrote everything.
            let cursor = pages.last?.cursor ?? 0
            let end = try await client.sync(
                "lab", body: SyncRequestBody.make(cursor: cursor), headers: SyncRequestBody.headers(token))
            #expect(try end.syncResponse == SyncResponse(cursor: cursor, more: false, batch: ChangeBatch()))
            let echo = try await client.sync(
                "lab", body: SyncRequestBody.make(site: site), headers: SyncRequestBody.headers(token))
            #expect(try echo.syncResponse.batch.rows.isEmpty)
        }
    }

    /// A page ends after the log group that reaches `pageBytes`; its cursor must say so, or the groups
    /// after it would be acknowledged unsent (mutant `extract-acknowledges-unsent`).
    @Test("Große Werte: eine Seite endet an der Bytegrenze, der Cursor zeigt genau dorthin, nichts fehlt")
    func pagesEndAtTheByteLimit() async throws {
        let data = ServerData()
        let token = try await data.lab("lab")
        let directory = ReplicaDirectory()
        let source = try LaborStore(path: directory.path("a.ozg"))
        try source.add("labor", id: "lab", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        let long = String(repeating: "Lebenssituation mit vielen Einzelheiten. ", count: 1500)  // 61.5 KB
        var pushes: [[UInt8]] = []
        var sent: Int64 = 0
        var ids: Set<String> = []
        for push in 0..<5 {
            try source.replica.transaction {
                for index in 0..<2 {
                    ids.insert(
                        try source.add(
                            "persona", laborID: "lab",
                            fields: [
                                "name": "P\(push)-\(index)", "kurzbeschreibung": "k", "nutzergruppe": "001",
                                "ziele": "z", "lebenssituation": long,
                            ]))
                }
            }
            let changes = try source.replica.extractChanges(after: sent)
            sent = changes.throughSequence
            pushes.append(try SyncRequestBody.make(changes.batch, site: source.replica.siteID))
        }
        let (allIDs, bodies) = (ids, pushes)
        // Each push holds about 123 KB of values: a page takes two pushes, then stops.
        try await data.inProcess(data.configuration { $0.pageBytes = 150_000 }) { client in
            for push in bodies {
                #expect(try await client.sync("lab", body: push, headers: SyncRequestBody.headers(token)).status == .ok)
            }
            let pages = try await client.pullPages("lab", token: token)
            #expect(pages.count >= 3, "\(pages.map(\.batch.rows.count))")
            let pulled = pages.flatMap(\.batch.rows).filter { $0.table == "persona" }.map(\.id)
            #expect(Set(pulled) == allIDs)
            #expect(pulled.count == allIDs.count, "keine Zeile doppelt")
        }
    }
}

extension TestClientProtocol {
    /// Pulls every page of `lab` from cursor 0, as a fresh replica would (at most 50); each cursor must
    /// grow.
    func pullPages(_ lab: String, token: String) async throws -> [SyncResponse] {
        var cursor: Int64 = 0
        var pages: [SyncResponse] = []
        repeat {
            let response = try await sync(
                lab, body: SyncRequestBody.make(cursor: cursor), headers: SyncRequestBody.headers(token))
            let page = try response.syncResponse
            #expect(page.cursor > cursor)
            cursor = page.cursor
            pages.append(page)
        } while pages.last?.more == true && pages.count < 50
        return pages
    }
}
