import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGSyncClient
import OZGWire
import SyncServerCore
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("Sync-Server über echtes HTTP", .serialized)
struct SyncServerTests {
    func client(_ store: LaborStore, _ server: TestServer, _ token: String, _ lab: String) -> SyncClient {
        let client = SyncClient(replica: store.replica, server: server.url, token: token, laborID: lab)
        client.retryDelay = .milliseconds(20)
        return client
    }

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
        for store in [a, b, c] { try await client(store, server, token, lab).sync() }
        // Offline: concurrent edits of one cell, delete against update, concurrent moves.
        try a.set("persona", id: persona, fields: ["zitat": "von A"])
        try b.set("persona", id: persona, fields: ["zitat": "von B"])
        try c.delete("schritt", id: steps[1])
        try a.set("schritt", id: steps[1], fields: ["aktivitaet": "geändert von A"])
        try b.move("schritt", id: steps[2], to: .first)
        try c.move("schritt", id: steps[0], to: .last)
        for store in [c, b, a, c, b, a] { try await client(store, server, token, lab).sync() }
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
        let body = try TestServer.body(batch, site: store.replica.siteID)
        let (first, _) = try await server.post("v1/labs/lab1/sync", body: body, headers: TestServer.headers(token))
        let afterFirst = try server.dump("lab1")
        let (second, _) = try await server.post("v1/labs/lab1/sync", body: body, headers: TestServer.headers(token))
        #expect(first == 200 && second == 200)
        #expect(try server.dump("lab1") == afterFirst)
        // The client never saw an answer, so it sends again through its normal path: still nothing doubles.
        try await client(store, server, token, "lab1").sync()
        #expect(try server.dump("lab1") == afterFirst)
        let fresh = try LaborStore(path: directory.path("b.ozg"))
        try await client(fresh, server, token, "lab1").sync()
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
        let pushed = try await client(source, server, token, "gross").sync()
        #expect(pushed.pushedChanges >= 20_000)
        #expect(pushed.pages > 1)
        let fresh = try LaborStore(path: directory.path("b.ozg"))
        var reports: [SyncProgress] = []
        let pulled = try await client(fresh, server, token, "gross").sync { reports.append($0) }
        #expect(pulled.pulledChanges >= 20_000)
        // Pages follow the server's log groups (up to 1,024 rows), so 4,000 rows come in several pages.
        #expect(reports.count >= 3, "\(reports)")
        #expect(reports.dropLast().allSatisfy(\.more) && reports.last?.more == false, "\(reports)")
        #expect(try fresh.replica.canonicalDump() == source.replica.canonicalDump())
        await server.stop()
    }

    @Test(
        "Rechte: ohne, unbekanntes und widerrufenes Token 401; fremdes Labor und lesend schreiben 403; lesend holen geht"
    )
    func authorizationMatrix() async throws {
        let server = TestServer()
        try await server.start()
        let writer = try await server.lab("a")
        let otherLab = try await server.lab("b")
        let reader = try await server.registry.createToken(labs: ["a"], role: .lesen, name: "Leser")
        let revoked = try await server.registry.createToken(labs: ["a"], role: .schreiben, name: "Weg")
        try await server.registry.revokeToken(String(revoked.split(separator: "_")[1]))
        // Lab a gets data.
        let directory = ReplicaDirectory()
        let store = try LaborStore(path: directory.path("a.ozg"))
        try store.add("labor", id: "a", fields: ["titel": "Geheim A", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        try await client(store, server, writer, "a").sync()
        let push = try TestServer.body(try store.replica.extractChanges(after: 0).batch)
        let pull = try TestServer.body()
        let cases: [(String?, String, [UInt8], Int, String)] = [
            (nil, "a", pull, 401, "token_fehlt"),
            ("olt_000000000000_" + String(repeating: "0", count: 48), "a", pull, 401, "token_ungueltig"),
            ("kaputt", "a", pull, 401, "token_ungueltig"),
            (revoked, "a", pull, 401, "token_ungueltig"),
            (otherLab, "a", pull, 403, "labor_nicht_erlaubt"),
            (reader, "a", push, 403, "nur_lesen"),
            (writer, "a/../b", pull, 403, "labor_nicht_erlaubt"),  // the path resolves to lab b
            (writer, "b%20c", pull, 400, "labor_id_ungueltig"),
        ]
        for (token, lab, body, status, code) in cases {
            let (got, data) = try await server.post(
                "v1/labs/\(lab)/sync", body: body, headers: TestServer.headers(token))
            #expect(got == status, "\(token ?? "-") \(lab): \(got)")
            if !code.isEmpty {
                let error = try JSONDecoder().decode(SyncErrorBody.self, from: data)
                #expect(error.error == code)
                #expect(!error.message.isEmpty)
            }
        }
        let (ok, data) = try await server.post("v1/labs/a/sync", body: pull, headers: TestServer.headers(reader))
        #expect(ok == 200)
        var bytes = [UInt8](data)
        // URLSession may already have inflated the body.
        if bytes.first != 0x4F { bytes = try Deflate.decompress(bytes, maxOutputBytes: 1 << 20) }
        let response = try SyncWire.decodeResponse(bytes)
        #expect(response.batch.rows.contains { $0.table == "labor" })
        // Isolation: the token of lab b sees nothing of lab a.
        let other = try LaborStore(path: directory.path("b.ozg"))
        try await client(other, server, otherLab, "b").sync()
        #expect(try other.replica.read { try $0.firstRow("SELECT count(*) FROM labor") { $0.int64(0) } } == 0)
        #expect(!(try server.dump("b")).contains("Geheim A"))
        await server.stop()
    }

    @Test("Falsche Version 409, zu groß 413, Uhr weit voraus 422 – und nichts wird gespeichert")
    func protocolLimits() async throws {
        let server = TestServer()
        try await server.start { $0.maxBodyBytes = 64 << 10 }
        let token = try await server.lab("lab")
        let (opened, _) = try await server.post(
            "v1/labs/lab/sync", body: try TestServer.body(), headers: TestServer.headers(token))
        #expect(opened == 200)
        let before = try server.dump("lab")
        let (version, _) = try await server.post(
            "v1/labs/lab/sync", body: try TestServer.body(version: 2),
            headers: TestServer.headers(token))
        #expect(version == 409)
        var random = SystemRandomNumberGenerator()
        let big = (0..<(100 << 10)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let (size, _) = try await server.post("v1/labs/lab/sync", body: big, headers: TestServer.headers(token))
        #expect(size == 413)
        let future = Version(
            hlc: HybridLogicalClock.pack(milliseconds: HybridLogicalClock.systemMilliseconds() + 86_400_000),
            site: .random())
        let ahead = ChangeBatch(rows: [
            RowChange(
                table: "persona", id: RowID.generate(), cl: 1,
                cells: [
                    CellChange(column: "name", value: "Zukunft", cl: 1, version: future, base: nil)
                ])
        ])
        let (drift, data) = try await server.post(
            "v1/labs/lab/sync", body: try TestServer.body(ahead),
            headers: TestServer.headers(token))
        #expect(drift == 422)
        #expect(try JSONDecoder().decode(SyncErrorBody.self, from: data).message.contains(future.site.shortHex))
        let reserved = ChangeBatch(rows: [
            RowChange(
                table: "_ozg_log", id: "x", cl: 1,
                cells: [
                    CellChange(column: "a", value: 1, cl: 1, version: Version(hlc: 1, site: .random()), base: nil)
                ])
        ])
        let (name, _) = try await server.post(
            "v1/labs/lab/sync", body: try TestServer.body(reserved),
            headers: TestServer.headers(token))
        #expect(name == 400)
        #expect(try server.dump("lab") == before)
        await server.stop()
    }

    @Test("Tausende zufällige und verstümmelte Anfragen: nur 4xx, der Server läuft weiter, nichts ändert sich")
    func fuzzing() async throws {
        let server = TestServer()
        try await server.start()
        let token = try await server.lab("lab")
        let directory = ReplicaDirectory()
        let store = try LaborStore(path: directory.path("a.ozg"))
        try store.add("labor", id: "lab", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        try await client(store, server, token, "lab").sync()
        // Fuzzed bodies go out with a read-only token: the decoder still sees every one of them, and a
        // mutation that happens to decode cannot become a legitimate write.
        let reader = try await server.registry.createToken(labs: ["lab"], role: .lesen, name: "Fuzz")
        let before = try server.dump("lab")
        let valid = SyncWire.encode(
            SyncRequest(
                site: .random(), cursor: 0,
                batch: try store.replica.fullState()))
        var random = SystemRandomNumberGenerator()
        var statuses: [Int: Int] = [:]
        let encodings = ["deflate", "identity", "gzip", "", "DEFLATE"]
        for round in 0..<2000 {
            var bytes: [UInt8]
            switch round % 4 {
            case 0:
                bytes = (0..<Int.random(in: 0..<300, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            case 1:
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            case 2: bytes = Array(valid.prefix(Int.random(in: 0..<valid.count, using: &random)))
            default: bytes = [0x4F, 0x5A, 0x51, 0x01] + (0..<40).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
            let encoding = encodings[round % encodings.count]
            if encoding.lowercased() == "deflate" { bytes = try Deflate.compress(bytes) }
            var headers = TestServer.headers(round % 7 == 0 ? "Bearer \(reader)" : reader)
            headers["Content-Encoding"] = encoding
            let (status, _) = try await server.post("v1/labs/lab/sync", body: bytes, headers: headers)
            statuses[status, default: 0] += 1
        }
        #expect(statuses.keys.allSatisfy { (400..<500).contains($0) || $0 == 200 }, "\(statuses)")
        #expect(statuses.filter { $0.key >= 500 }.isEmpty)
        #expect(try server.dump("lab") == before)
        let (health, response) = try await URLSession.shared.data(from: server.url.appendingPathComponent("healthz"))
        #expect((response as? HTTPURLResponse)?.statusCode == 200 && String(decoding: health, as: UTF8.self) == "ok\n")
        try await client(store, server, token, "lab").sync()
        await server.stop()
    }
}
