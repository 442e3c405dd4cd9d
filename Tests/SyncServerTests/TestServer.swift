import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGWire
import SyncServerCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real server on a loopback port the OS picks, with its own data directory.
final class TestServer: @unchecked Sendable {
    // Written once in `start`, read afterwards from the test task only.
    let directory: URL
    private(set) var port = 0
    private var task: Task<Void, Error>?

    init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ozg-server-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var registry: Registry { get throws { try Registry(dataDirectory: directory.path) } }

    func start(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) async throws {
        var configuration = ServerConfiguration(dataDirectory: directory.path)
        configuration.port = 0
        adjust(&configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = try buildApplication(configuration) { continuation.yield($0) }
        task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        port = await iterator.next() ?? 0
    }

    func stop() async {
        task?.cancel()
        _ = try? await task?.value
    }

    /// Creates a lab and a token for it.
    func lab(_ id: String, role: Role = .schreiben, name: String = "Test") async throws -> String {
        let registry = try self.registry
        if !(try await registry.labExists(id)) { try await registry.createLab(id, title: nil) }
        return try await registry.createToken(labs: [id], role: role, name: name)
    }

    /// The server's canonical dump of one lab (opened read-only next to the running server).
    func dump(_ lab: String) throws -> String {
        let file = directory.appendingPathComponent("labor-\(lab).ozg").path
        guard FileManager.default.fileExists(atPath: file) else { return "" }
        let database = try Database(path: directory.appendingPathComponent("labor-\(lab).ozg").path, mode: .readOnly)
        defer { database.close() }
        var out = ""
        let tables = try database.rows("SELECT name FROM _ozg_tables ORDER BY name") { $0.text(0) ?? "" }
        for table in tables {
            out += "# \(table)\n"
            try database.forEachRow("SELECT * FROM \"\(table)\" ORDER BY id") { row in
                out += (0..<row.count).map { row.value($0).canonicalText }.joined(separator: "\t") + "\n"
            }
        }
        return out
    }

    /// Sends raw bytes with raw headers; returns status and body.
    func post(_ path: String, body: [UInt8], headers: [String: String]) async throws -> (Int, Data) {
        var request = URLRequest(url: url.appendingPathComponent(path))
        request.httpMethod = "POST"
        for (key, value) in headers { request.setValue(value, forHTTPHeaderField: key) }
        request.httpBody = Data(body)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// A well-formed sync request body (deflated) for `site`.
    static func body(
        _ batch: ChangeBatch = ChangeBatch(), site: SiteID = .random(), cursor: Int64 = 0,
        version: UInt64 = SyncRequest.protocolVersion
    ) throws -> [UInt8] {
        try Deflate.compress(
            SyncWire.encode(SyncRequest(protocolVersion: version, site: site, cursor: cursor, batch: batch)))
    }

    static func headers(_ token: String?) -> [String: String] {
        var headers = ["Content-Encoding": "deflate", "Content-Type": "application/x-ozg-sync"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return headers
    }
}

/// A temp directory for replicas.
final class ReplicaDirectory {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ozg-replicas-\(UUID().uuidString)")
    init() { try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}
