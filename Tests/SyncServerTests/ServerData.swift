import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OZGDomain
import OZGReplication
import OZGStorage
import OZGWire
import SyncServerCore

/// A server's data directory in a fresh temp dir (`server.sqlite` and one file per lab), removed
/// afterwards; every test makes its own, so tests share nothing and may run in parallel.
///
/// With `postgresURL` the server keeps its state in that PostgreSQL database (`TestPostgres`) and the
/// directory holds only this instance's mirrors; two `ServerData` on one URL are two instances.
final class ServerData: Sendable {
    let directory: URL
    let postgresURL: String?
    private let database: PostgresServerDatabase?
    private let pool: Task<Void, Never>?

    /// `postgresURL` nil: a data directory, or — when the server suites run against PostgreSQL
    /// (`TestPostgres.serverSuites`) — a fresh schema in the test cluster.
    init(postgresURL: String? = nil) {
        let postgresURL = postgresURL ?? (TestPostgres.serverSuites ? TestPostgres.freshSchemaURL() : nil)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ozg-server-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.postgresURL = postgresURL
        database = postgresURL.flatMap { try? PostgresServerDatabase(url: $0, maxConnections: 4) }
        pool = database.map { database in Task { await database.run() } }
    }

    deinit {
        pool?.cancel()
        try? FileManager.default.removeItem(at: directory)
    }

    var registry: any Registry {
        get throws {
            if let database { return PostgresRegistry(database: database) }
            return try SQLiteRegistry(dataDirectory: directory.path)
        }
    }

    /// The configuration a test server starts with: this directory, a port the OS picks, the domain's
    /// tables reserved in every lab (as `ozg-sync-server serve` does).
    func configuration(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration(dataDirectory: directory.path)
        configuration.postgresURL = postgresURL
        configuration.port = 0
        configuration.reservedTables = Domain.schema.tables
        adjust(&configuration)
        return configuration
    }

    /// Creates a lab (unless it exists) and a token for it.
    func lab(_ id: String, role: Role = .schreiben, name: String = "Test") async throws -> String {
        let registry = try self.registry
        if !(try await registry.labExists(id)) { try await registry.createLab(id, title: nil) }
        return try await registry.createToken(labs: [id], role: role, name: name)
    }

    /// The canonical dump of one lab's file (opened read-only next to the running server); on
    /// PostgreSQL of this instance's mirror of the lab (up to date after each of its answers).
    func dump(_ lab: String) throws -> String {
        let file = directory.appendingPathComponent(
            postgresURL == nil ? "labor-\(lab).ozg" : "postgres-cache/labor-\(lab).ozg"
        ).path
        guard FileManager.default.fileExists(atPath: file) else { return "" }
        let database = try Database(path: file, mode: .readOnly)
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

    /// Runs `body` against the application in process: requests go straight to its router, no socket.
    func inProcess<Value: Sendable>(
        _ configuration: ServerConfiguration? = nil, _ body: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        try await buildApplication(configuration ?? self.configuration()).test(.router, body)
    }
}

/// Sync request bodies and headers as a replica would send them.
enum SyncRequestBody {
    /// The device of requests that name none; the server binds it to the first token that uses it.
    static let testSite = SiteID.random()

    /// A well-formed sync request body (deflated) for `site`.
    static func make(
        _ batch: ChangeBatch = ChangeBatch(), site: SiteID = testSite, cursor: Int64 = 0,
        version: UInt64 = SyncRequest.protocolVersion
    ) throws -> [UInt8] {
        try Deflate.compress(
            SyncWire.encode(SyncRequest(protocolVersion: version, site: site, cursor: cursor, batch: batch)))
    }

    /// The headers of a deflated sync request, with the token when there is one.
    static func headers(_ token: String?) -> [String: String] {
        var headers = ["Content-Encoding": "deflate", "Content-Type": "application/x-ozg-sync"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return headers
    }
}

extension TestClientProtocol {
    /// `POST /v1/labs/{lab}/sync` with raw bytes and raw headers.
    func sync(_ lab: String, body: [UInt8], headers: [String: String]) async throws -> TestResponse {
        var fields = HTTPFields()
        for (name, value) in headers {
            guard let name = HTTPField.Name(name) else { continue }
            fields[name] = value
        }
        return try await execute(
            uri: "/v1/labs/\(lab)/sync", method: .post, headers: fields, body: ByteBuffer(bytes: body))
    }

    /// `GET path`.
    func get(_ path: String) async throws -> TestResponse {
        try await execute(uri: path, method: .get)
    }
}

extension TestResponse {
    var bytes: [UInt8] { [UInt8](buffer: body) }
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The JSON error body every error answer carries.
    var error: SyncErrorBody {
        get throws { try JSONDecoder().decode(SyncErrorBody.self, from: Data(bytes)) }
    }

    /// A 200 answer's body, inflated and decoded.
    var syncResponse: SyncResponse {
        get throws { try SyncWire.decodeResponse(try Deflate.decompress(bytes, maxOutputBytes: 64 << 20)) }
    }
}
