import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGWire
import SyncServerCore
import Testing

/// Tokens, roles and labs, checked on the router in process: the HTTP client is not the point here.
@Suite("Rechte und getrennte Labore")
struct AuthorizationTests {
    @Test(
        "Rechte: ohne, unbekanntes und widerrufenes Token 401; fremdes Labor und lesend schreiben 403; lesend holen geht"
    )
    func authorizationMatrix() async throws {
        let data = ServerData()
        let writer = try await data.lab("a")
        let otherLab = try await data.lab("b")
        let reader = try await data.registry.createToken(labs: ["a"], role: .lesen, name: "Leser")
        let revoked = try await data.registry.createToken(labs: ["a"], role: .schreiben, name: "Weg")
        try await data.registry.revokeToken(String(revoked.split(separator: "_")[1]))
        let directory = ReplicaDirectory()
        let store = try LaborStore(path: directory.path("a.ozg"))
        try store.add("labor", id: "a", fields: ["titel": "Geheim A", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        let batch = try store.replica.extractChanges(after: 0).batch
        let site = store.replica.siteID
        let push = try SyncRequestBody.make(batch)
        let pull = try SyncRequestBody.make()
        try await data.inProcess { client in
            // Lab a gets data.
            let pushed = try await client.sync(
                "a", body: SyncRequestBody.make(batch, site: site), headers: SyncRequestBody.headers(writer))
            #expect(pushed.status == .ok)
            let cases: [(String?, String, [UInt8], Int, String)] = [
                (nil, "a", pull, 401, "token_fehlt"),
                ("olt_000000000000_" + String(repeating: "0", count: 48), "a", pull, 401, "token_ungueltig"),
                ("kaputt", "a", pull, 401, "token_ungueltig"),
                (revoked, "a", pull, 401, "token_ungueltig"),
                (otherLab, "a", pull, 403, "labor_nicht_erlaubt"),
                (reader, "a", push, 403, "nur_lesen"),
                // An HTTP client resolves "a/../b" to lab b before sending (see `dotSegments` for the raw path).
                (writer, "b", pull, 403, "labor_nicht_erlaubt"),
                (writer, "b%20c", pull, 400, "labor_id_ungueltig"),
            ]
            for (token, lab, body, status, code) in cases {
                let response = try await client.sync(lab, body: body, headers: SyncRequestBody.headers(token))
                #expect(Int(response.status.code) == status, "\(token ?? "-") \(lab): \(response.status)")
                if !code.isEmpty {
                    let error = try response.error
                    #expect(error.error == code)
                    #expect(!error.message.isEmpty)
                }
            }
            let ok = try await client.sync("a", body: pull, headers: SyncRequestBody.headers(reader))
            #expect(ok.status == .ok)
            #expect(try ok.syncResponse.batch.rows.contains { $0.table == "labor" })
            // Isolation: the token of lab b sees nothing of lab a.
            // (A device of its own: the reader's device stays bound to the reader's token.)
            let other = try await client.sync(
                "b", body: SyncRequestBody.make(site: .random()), headers: SyncRequestBody.headers(otherLab))
            #expect(other.status == .ok)
            #expect(try other.syncResponse.batch.rows.isEmpty)
        }
        #expect(!(try data.dump("b")).contains("Geheim A"))
    }

    @Test("Ein Pfad mit „..“, der ungeglättet ankommt, führt zu keinem Labor")
    func dotSegments() async throws {
        let data = ServerData()
        let writer = try await data.lab("a")
        _ = try await data.lab("b")
        try await data.inProcess { client in
            let response = try await client.sync(
                "a/../b", body: SyncRequestBody.make(), headers: SyncRequestBody.headers(writer))
            #expect(response.status == .notFound)
        }
        #expect(try data.dump("b").isEmpty)
    }

    @Test(
        "Ein Labor, das es auf dem Server nicht (mehr) gibt, ist 404 labor_unbekannt",
        .disabled(if: TestPostgres.serverSuites, "löscht das Labor in server.sqlite"))
    func unknownLab() async throws {
        let data = ServerData()
        let token = try await data.lab("weg")
        // Labs cannot be deleted through the registry; a token outliving its lab is a hand-edited file.
        let registry = try Database(path: data.directory.appendingPathComponent("server.sqlite").path)
        try registry.execute("DELETE FROM labor WHERE id = 'weg'")
        registry.close()
        try await data.inProcess { client in
            let response = try await client.sync(
                "weg", body: SyncRequestBody.make(), headers: SyncRequestBody.headers(token))
            #expect(response.status == .notFound)
            #expect(
                try response.error
                    == SyncErrorBody(
                        error: "labor_unbekannt", message: "Das Labor „weg“ ist auf diesem Server nicht angelegt."))
        }
        #expect(try data.dump("weg").isEmpty)
    }

    @Test("Tokens: die Liste zeigt Name, Rolle, Labore und Widerruf; gespeichert ist nur der Hash des Geheimnisses")
    func tokenRecords() async throws {
        let data = ServerData()
        let registry = try data.registry
        try await registry.createLab("a", title: "A")
        try await registry.createLab("b", title: nil)
        let token = try await registry.createToken(labs: ["a", "b"], role: .admin, name: "Erika")
        let id = String(token.split(separator: "_")[1])
        let listed = try await registry.tokens()
        #expect(listed.count == 1)
        #expect(listed.first?.id == id && listed.first?.name == "Erika" && listed.first?.role == .admin)
        #expect(listed.first?.labs == ["a", "b"] && listed.first?.revoked == nil)
        #expect(try await registry.authenticate(token) == listed.first)
        // The registry runs in WAL mode: the secret must be in neither file.
        let secret = Data(String(token.split(separator: "_")[2]).utf8)
        for name in ["server.sqlite", "server.sqlite-wal"] {
            let file = (try? Data(contentsOf: data.directory.appendingPathComponent(name))) ?? Data()
            #expect(file.range(of: secret) == nil, "\(name)")
        }
        try await registry.revokeToken(id)
        #expect(try await registry.tokens().first?.revoked != nil)
        #expect(try await registry.authenticate(token) == nil)
    }
}
