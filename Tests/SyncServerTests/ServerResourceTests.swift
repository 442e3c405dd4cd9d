import Dispatch
import Foundation
import HummingbirdTesting
import OZGReplication
import OZGStorage
import OZGWire
import SyncServerCore
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One lab, one client or one socket must not take what the others need: connections, open files,
/// page sizes (docs/OPERATIONS.md, „Härtung“).
@Suite("Grenzen der Serverressourcen")
struct ServerResourceTests {
    @Test("Eine Verbindung ohne (vollständige) Anfrage wird nach der Leerlauffrist geschlossen")
    func idleAndHeaderTimeout() async throws {
        let server = TestServer()
        try await server.start { $0.idleTimeoutSeconds = 1 }
        defer { Task { await server.stop() } }
        let silent = try RawConnection(port: server.port)
        let slow = try RawConnection(port: server.port)
        slow.send("POST /v1/labs/lab/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Langsam: ")
        #expect(await silent.closedByServer(within: 5))
        #expect(await slow.closedByServer(within: 5))
    }

    @Test("Über der Verbindungsgrenze wird sofort geschlossen; danach geht es weiter")
    func connectionLimit() async throws {
        let server = TestServer()
        try await server.start { $0.maxConnections = 4 }
        defer { Task { await server.stop() } }
        var open = try (0..<4).map { _ in try RawConnection(port: server.port) }
        // Let the server count them before the next one arrives.
        try await Task.sleep(for: .milliseconds(200))
        let refused = try RawConnection(port: server.port)
        #expect(await refused.closedByServer(within: 5))
        #expect(await !open[0].closedByServer(within: 0.3))
        open.removeAll()
        var healthy = false
        for _ in 0..<20 where !healthy {
            try await Task.sleep(for: .milliseconds(100))
            healthy = (try? await server.get("healthz").0) == 200
        }
        #expect(healthy)
        let metrics = String(decoding: try await server.get("metrics").1, as: UTF8.self)
        #expect(metrics.contains("ozg_connections_refused_total 1"))
    }

    @Test("Geöffnete Labordateien sind begrenzt; eine geschlossene öffnet sich beim nächsten Abgleich wieder")
    func openLabsAreBounded() async throws {
        let data = ServerData()
        var created: [String: String] = [:]
        for lab in ["l1", "l2", "l3", "l4"] { created[lab] = try await data.lab(lab) }
        let tokens = created
        let site = SiteID.random()
        try await data.inProcess(data.configuration { $0.maxOpenLabs = 2 }) { client in
            for lab in ["l1", "l2", "l3", "l4"] {
                let batch = HostilePeerTests.row(
                    "persona", [HostilePeerTests.cell("name", .text("in \(lab)"), site: site)])
                let response = try await client.sync(
                    lab, body: SyncRequestBody.make(batch, site: site), headers: SyncRequestBody.headers(tokens[lab]))
                #expect(response.status == .ok)
            }
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(String(buffer: metrics.body).contains("ozg_open_lab_stores 2"))
            let again = try await client.sync(
                "l1", body: SyncRequestBody.make(site: .random()), headers: SyncRequestBody.headers(tokens["l1"]))
            #expect(try again.syncResponse.batch.rows.contains { $0.cells.contains { $0.value == "in l1" } })
        }
    }

    @Test("Eine Seite ist nach Bytes begrenzt, nicht nur nach Zeilen")
    func pagesAreBoundedByBytes() async throws {
        let data = ServerData()
        let token = try await data.lab("lab")
        let writer = SiteID.random()
        try await data.inProcess(data.configuration { $0.pageBytes = 1 << 20 }) { client in
            for index in 0..<3 {
                let value = DatabaseValue.text(String(repeating: Character(String(index)), count: 600_000))
                let batch = HostilePeerTests.row("persona", [HostilePeerTests.cell("name", value, site: writer)])
                let pushed = try await client.sync(
                    "lab", body: SyncRequestBody.make(batch, site: writer), headers: SyncRequestBody.headers(token))
                #expect(pushed.status == .ok)
            }
            let reader = SiteID.random()
            let first = try await client.sync(
                "lab", body: SyncRequestBody.make(site: reader), headers: SyncRequestBody.headers(token)
            ).syncResponse
            #expect(first.batch.rows.count == 2 && first.more)
            let second = try await client.sync(
                "lab", body: SyncRequestBody.make(site: reader, cursor: first.cursor),
                headers: SyncRequestBody.headers(token)
            ).syncResponse
            #expect(second.batch.rows.count == 1 && !second.more)
        }
    }

    @Test("Das Schema „bearer“ gilt in jeder Schreibweise")
    func bearerIsCaseInsensitive() async throws {
        let data = ServerData()
        let token = try await data.lab("lab")
        try await data.inProcess { client in
            for scheme in ["bearer", "BEARER", "Bearer"] {
                var headers = SyncRequestBody.headers(nil)
                headers["Authorization"] = "\(scheme) \(token)"
                let response = try await client.sync("lab", body: SyncRequestBody.make(), headers: headers)
                #expect(response.status == .ok, "\(scheme)")
            }
        }
    }
}

/// A plain TCP connection to the test server, for what an HTTP client would never do (stay silent,
/// send half a header). Blocking waits run on a dispatch thread, not the cooperative pool.
final class RawConnection: @unchecked Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(descriptor) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// Whether the server closes the connection within `seconds` (answers it may send first are read).
    func closedByServer(within seconds: Double) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var timeout = timeval(
                    tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
                setsockopt(self.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = recv(self.descriptor, &buffer, buffer.count, 0)
                    if count == 0 { return continuation.resume(returning: true) }
                    if count < 0 { return continuation.resume(returning: errno == ECONNRESET) }
                }
            }
        }
    }
}

@Suite("Getrennte Labore unter Last")
struct LabIsolationTests {
    @Test("Zwei große Pushes in zwei Labore halten den Abgleich eines dritten nicht auf (echter Serverprozess)")
    func heavyLabsDoNotStallOthers() async throws {
        let data = ReplicaDirectory()
        let registry = try SQLiteRegistry(dataDirectory: data.path("server"))
        var tokens: [String: String] = [:]
        for lab in ["gross1", "gross2", "klein"] {
            try await registry.createLab(lab, title: nil)
            tokens[lab] = try await registry.createToken(labs: [lab], role: .schreiben, name: lab)
        }
        let server = try ServerProcess(data: data.path("server"))
        defer { server.kill() }
        let url = URL(string: "http://127.0.0.1:\(server.port)")!
        func heavyBody() throws -> [UInt8] {
            let site = SiteID.random()
            let rows = (0..<12_000).map { index in
                RowChange(
                    table: "persona", id: RowID.generate(), cl: 1,
                    cells: ["labor_id", "name", "kurzbeschreibung", "ziele", "zitat"].map {
                        HostilePeerTests.cell($0, .text("\($0) \(index)"), site: site)
                    })
            }
            return try SyncRequestBody.make(ChangeBatch(rows: rows), site: site)
        }
        let bodies = try [heavyBody(), heavyBody()]
        let small = try SyncRequestBody.make()
        let requests = [
            Self.request(url, lab: "gross1", body: bodies[0], token: tokens["gross1"]!),
            Self.request(url, lab: "gross2", body: bodies[1], token: tokens["gross2"]!),
            Self.request(url, lab: "klein", body: small, token: tokens["klein"]!),
        ]
        // Sent and timed on dispatch threads: a busy cooperative pool in this test process (other tests
        // run in parallel) must not shift when a request leaves or when its answer is noted.
        let outcomes = try await withCheckedThrowingContinuation { continuation in
            let results = Mutex([Int: (status: Int, finished: ContinuousClock.Instant)]())
            let group = DispatchGroup()
            let start = ContinuousClock.now
            for (index, request) in requests.enumerated() {
                group.enter()
                // The small lab's sync goes out once both heavy merges are under way.
                DispatchQueue.global().asyncAfter(deadline: .now() + (index == 2 ? 0.3 : 0)) {
                    URLSession.shared.dataTask(with: request) { _, response, _ in
                        let finished = ContinuousClock.now
                        results.withLock {
                            $0[index] = ((response as? HTTPURLResponse)?.statusCode ?? 0, finished)
                        }
                        group.leave()
                    }.resume()
                }
            }
            group.notify(queue: .global()) {
                let all = results.withLock { $0 }
                continuation.resume(
                    returning: (0..<3).map { (all[$0]?.status ?? 0, (all[$0]?.finished ?? start) - start) })
            }
        }
        #expect(outcomes.allSatisfy { $0.0 == 200 }, "\(outcomes)")
        #expect(
            outcomes[0].1 > outcomes[2].1 && outcomes[1].1 > outcomes[2].1,
            "klein fertig nach \(outcomes[2].1), die großen nach \(outcomes[0].1) und \(outcomes[1].1)")
    }

    static func request(_ url: URL, lab: String, body: [UInt8], token: String) -> URLRequest {
        var request = URLRequest(url: url.appendingPathComponent("v1/labs/\(lab)/sync"))
        request.httpMethod = "POST"
        for (key, value) in SyncRequestBody.headers(token) { request.setValue(value, forHTTPHeaderField: key) }
        request.httpBody = Data(body)
        request.timeoutInterval = 300
        return request
    }
}
