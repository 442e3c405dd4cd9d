import Foundation
import SyncServerCore

/// A sync server in the bench process on a loopback port the OS picks; cancel `task` to stop it.
struct BenchServer {
    let url: URL
    let task: Task<Void, any Error>

    static func start(_ configuration: ServerConfiguration, modules: [any ServerModule] = []) async throws
        -> BenchServer
    {
        var configuration = configuration
        configuration.port = 0
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = try buildApplication(configuration, modules: modules) { continuation.yield($0) }
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        return BenchServer(url: URL(string: "http://127.0.0.1:\(await iterator.next() ?? 0)")!, task: task)
    }
}
