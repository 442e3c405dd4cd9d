import Foundation
import OZGReplication
import OZGSyncClient
import SyncServerCore
import Synchronization

/// `concurrent_clients_*` (docs/PERFORMANCE.md, „1,000 clients“): the server runs in this process, the
/// clients in a second one (`ozg-bench 0 clients-run …`), so they do not share the server's threads.
/// `OZG_BENCH_CLIENTS` replicas (default 1,000), `OZG_BENCH_PER_LAB` per lab (default 4: 250 labs),
/// each creates its replica and catches up once (reported apart: `concurrent_first_round_*`), then
/// writes a small change and syncs once a second for `OZG_BENCH_CLIENT_SECONDS` (default 30).
enum ClientsBench {
    static let clients = Int(ProcessInfo.processInfo.environment["OZG_BENCH_CLIENTS"] ?? "") ?? 1_000
    static let perLab = max(1, Int(ProcessInfo.processInfo.environment["OZG_BENCH_PER_LAB"] ?? "") ?? 4)
    static let seconds = Int(ProcessInfo.processInfo.environment["OZG_BENCH_CLIENT_SECONDS"] ?? "") ?? 30

    static func run(directory: URL) async throws {
        OpenFileLimit.raise(upTo: .max)
        var configuration = ServerConfiguration(dataDirectory: directory.appendingPathComponent("clients-server").path)
        configuration.reservedTables = Workload.schema.tables
        configuration.maxConnections = 4_000
        if let open = Int(ProcessInfo.processInfo.environment["OZG_BENCH_OPEN_LABS"] ?? "") {
            configuration.maxOpenLabs = open
        }
        let registry = try SQLiteRegistry(dataDirectory: configuration.dataDirectory)
        let labs = (clients + perLab - 1) / perLab
        for lab in 0..<labs { try await registry.createLab("parallel-\(lab)", title: nil) }
        // Each client has a token of its own, as each facilitator has.
        var tokens: [String] = []
        for number in 0..<clients {
            tokens.append(
                try await registry.createToken(
                    labs: ["parallel-\(number / perLab)"], role: .schreiben, name: "P\(number)"))
        }
        let tokenFile = directory.appendingPathComponent("clients-tokens.txt")
        try tokens.joined(separator: "\n").write(to: tokenFile, atomically: true, encoding: .utf8)
        let server = try await BenchServer.start(configuration)
        defer { server.task.cancel() }
        let url = server.url.absoluteString
        let child = try await ChildProcess.start(
            arguments: [
                "0", "clients-run", url, tokenFile.path, String(perLab),
                directory.appendingPathComponent("clients").path,
            ], keepInputOpen: false)
        while let line = await offPool({ child.readLine() }) { print(line) }
        await offPool { child.finish() }
    }

    /// `ozg-bench 0 clients-run URL TOKENFILE PERLAB DIR`: the clients' process.
    static func clientsMain(arguments: [String]) async throws {
        OpenFileLimit.raise(upTo: .max)
        guard arguments.count >= 4, let server = URL(string: arguments[0]), let perLab = Int(arguments[2]) else {
            return
        }
        let tokens = try String(contentsOfFile: arguments[1], encoding: .utf8).split(separator: "\n").map(String.init)
        let directory = URL(fileURLWithPath: arguments[3])
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let counts = Counts()
        let start = ContinuousClock.now + .seconds(max(2, tokens.count / 100))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (number, token) in tokens.enumerated() {
                group.addTask {
                    let replica = try Replica(
                        path: directory.appendingPathComponent("c\(number).ozg").path, schema: Workload.schema)
                    let client = SyncClient(
                        replica: replica, server: server, token: token, lab: LabID("parallel-\(number / perLab)")!)
                    client.maxAttempts = 1
                    let id = try replica.insert(
                        into: Workload.tableName,
                        declaredValues: [.text("Client \(number)"), 0, 1.5, "offen", 2026, ""])
                    // The first round: the replica is new, the lab's other replicas may not be.
                    let began = DispatchTime.now().uptimeNanoseconds
                    do {
                        try await client.sync()
                        counts.first.withLock { $0.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e6) }
                    } catch {
                        counts.firstErrors.add(1, ordering: .relaxed)
                    }
                    // Everyone starts the measured rounds together, each at its own offset in the second.
                    try await Task.sleep(until: start + .milliseconds(Int64(number * 1000 / max(tokens.count, 1))))
                    for round in 0..<seconds {
                        let tick = ContinuousClock.now
                        try replica.update(
                            Workload.tableName, id: id, values: ["prioritaet": .integer(Int64(round + 1))])
                        let began = DispatchTime.now().uptimeNanoseconds
                        do {
                            try await client.sync()
                            counts.measured.withLock {
                                $0.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e6)
                            }
                        } catch {
                            counts.errors.add(1, ordering: .relaxed)
                        }
                        try await Task.sleep(until: tick + .seconds(1))
                    }
                    replica.close()
                }
            }
            try await group.waitForAll()
        }
        let firstTimes = counts.first.withLock { $0 }
        let times = counts.measured.withLock { $0 }
        print("concurrent_clients: \(tokens.count)")
        print("concurrent_clients_per_lab: \(perLab)")
        print("concurrent_first_round_p50_ms: \(String(format: "%.2f", SyncBench.percentile(firstTimes, 0.5)))")
        print("concurrent_first_round_p99_ms: \(String(format: "%.2f", SyncBench.percentile(firstTimes, 0.99)))")
        print("concurrent_first_round_errors: \(counts.firstErrors.load(ordering: .relaxed))")
        print("concurrent_syncs: \(times.count)")
        print("concurrent_errors: \(counts.errors.load(ordering: .relaxed))")
        print("concurrent_clients_p50_ms: \(String(format: "%.2f", SyncBench.percentile(times, 0.5)))")
        print("concurrent_clients_p99_ms: \(String(format: "%.2f", SyncBench.percentile(times, 0.99)))")
        fflushStandardOutput()
    }

    /// What the clients' tasks share.
    final class Counts: Sendable {
        let first = Mutex<[Double]>([])
        let measured = Mutex<[Double]>([])
        let errors = Atomic(0)
        let firstErrors = Atomic(0)
    }
}
