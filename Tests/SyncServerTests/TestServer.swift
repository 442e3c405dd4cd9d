import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGSyncClient
import OZGWire
import SyncServerCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real server on a loopback port the OS picks, with its own data directory: for the tests where
/// the socket is the point (the real `SyncClient` over URLSession, TLS).
final class TestServer: @unchecked Sendable {
    // `port` and `task` are written once in `start` and read afterwards from the test's task only.
    let data: ServerData
    private(set) var port = 0
    private var task: Task<Void, Error>?

    var directory: URL { data.directory }
    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var registry: any Registry { get throws { try data.registry } }

    init(data: ServerData = ServerData()) {
        self.data = data
    }

    func start(
        modules: [any ServerModule] = [], _ adjust: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = try buildApplication(data.configuration(adjust), modules: modules) { continuation.yield($0) }
        // A server that cannot start (its port taken by another test's process) ends the stream, so
        // `start` throws instead of waiting for a port forever.
        let run: @Sendable () async throws -> Void = {
            do {
                try await app.runService(gracefulShutdownSignals: [])
            } catch {
                continuation.finish()
                throw error
            }
        }
        if #available(macOS 15.0, *) {
            task = Task(executorPreference: ServerThreads()) { try await run() }
        } else {
            task = Task { try await run() }
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            _ = try? await task?.value
            task = nil
            throw TestServerError.couldNotStart
        }
        port = bound
    }

    func stop() async {
        task?.cancel()
        _ = try? await task?.value
    }

    func lab(_ id: String, role: Role = .schreiben, name: String = "Test") async throws -> String {
        try await data.lab(id, role: role, name: name)
    }

    func dump(_ lab: String) throws -> String { try data.dump(lab) }

    /// Sends raw bytes with raw headers; returns status and body.
    func post(_ path: String, body: [UInt8], headers: [String: String]) async throws -> (Int, Data) {
        var request = URLRequest(url: url.appendingPathComponent(path))
        request.httpMethod = "POST"
        for (key, value) in headers { request.setValue(value, forHTTPHeaderField: key) }
        request.httpBody = Data(body)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// `GET path`; returns status and body.
    func get(_ path: String) async throws -> (Int, Data) {
        let (data, response) = try await URLSession.shared.data(from: url.appendingPathComponent(path))
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// A `SyncClient` for `store` against this server, retrying quickly.
    func client(_ store: LaborStore, token: String, lab: String) -> SyncClient {
        let client = SyncClient(replica: store.replica, server: url, token: token, lab: LabID(lab)!)
        client.retryDelay = .milliseconds(20)
        return client
    }
}

enum TestServerError: Error {
    case couldNotStart
}

/// Threads of a test server's own: its tasks (and the actors they call) run here, not on the
/// cooperative pool that has one thread per core. A test that blocks a pool thread (waiting for
/// curl or a subprocess) or a long CPU-bound test running in parallel can then not starve the
/// server another test is waiting for.
@available(macOS 15.0, *)
final class ServerThreads: TaskExecutor {
    private let queue = DispatchQueue(label: "ozg-test-server", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// A temp directory for replicas.
final class ReplicaDirectory {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ozg-replicas-\(UUID().uuidString)")
    init() { try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}
