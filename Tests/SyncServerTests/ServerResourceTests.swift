import Dispatch
import Foundation
import HummingbirdTesting
import OZGReplication
import OZGStorage
import OZGWire
import SyncServerCore
import Testing

#if canImport(Glibc)
    import Glibc
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
