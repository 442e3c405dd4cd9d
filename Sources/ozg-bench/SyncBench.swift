import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGSyncClient
import SyncServerCore

/// Sync figures against a real server on a loopback port in this process.
enum SyncBench {
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }

    /// `onlyFirstSync`: stop after the first sync and the delta figures (`ozg-bench ROWS sync`).
    static func run(directory: URL, source: Replica, rowCount: Int, onlyFirstSync: Bool = false) async throws {
        var configuration = ServerConfiguration(dataDirectory: directory.appendingPathComponent("server").path)
        configuration.port = 0
        configuration.reservedTables = Workload.schema.tables
        if let rows = Int(ProcessInfo.processInfo.environment["OZG_BENCH_PAGE_ROWS"] ?? "") {
            configuration.pageRows = rows
        }
        let registry = try Registry(dataDirectory: configuration.dataDirectory)
        try await registry.createLab("bench", title: nil)
        let token = try await registry.createToken(labs: ["bench"], role: .schreiben, name: "Bench")
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = try buildApplication(configuration) { continuation.yield($0) }
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        let url = URL(string: "http://127.0.0.1:\(await iterator.next() ?? 0)")!
        func client(_ replica: Replica) -> SyncClient {
            SyncClient(replica: replica, server: url, token: token, lab: LabID("bench")!)
        }

        // Fill the server with the write workload's rows, then time a fresh replica pulling them.
        let pushStart = DispatchTime.now().uptimeNanoseconds
        try await client(source).sync()
        let pushTime = Double(DispatchTime.now().uptimeNanoseconds - pushStart) / 1e9
        line("initial_push_s", pushTime)
        let fresh = try Replica(path: directory.appendingPathComponent("fresh.ozg").path, schema: Workload.schema)
        var pages = 0
        let pullStart = DispatchTime.now().uptimeNanoseconds
        try await client(fresh).sync { pages = $0.pages }
        let pullTime = Double(DispatchTime.now().uptimeNanoseconds - pullStart) / 1e9
        print("initial_sync_pages: \(pages)")
        line("initial_sync_s", pullTime)
        line("initial_sync_rows_per_s", Double(rowCount) / pullTime, digits: 0)

        // One small change pushed by one replica and pulled by another.
        let ids = try source.read { try $0.rows("SELECT id FROM aufgabe LIMIT 200") { $0.text(0) ?? "" } }
        var deltas: [Double] = []
        let writer = client(source)
        let reader = client(fresh)
        for (index, id) in ids.enumerated() {
            try source.update(Workload.tableName, id: id, values: ["status": .text("Runde \(index)")])
            let start = DispatchTime.now().uptimeNanoseconds
            try await writer.sync()
            try await reader.sync()
            deltas.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        line("delta_sync_p50_ms", percentile(deltas, 0.5), digits: 2)
        line("delta_sync_p99_ms", percentile(deltas, 0.99), digits: 2)
        if onlyFirstSync { return }

        // 200 replicas, each syncing a small delta once a second for 10 seconds: as at a state office,
        // spread over labs (OZG_BENCH_PER_LAB replicas share one lab, default 4, so 50 labs).
        let clients = Int(ProcessInfo.processInfo.environment["OZG_BENCH_CLIENTS"] ?? "") ?? 200
        let perLab = max(1, Int(ProcessInfo.processInfo.environment["OZG_BENCH_PER_LAB"] ?? "") ?? 4)
        // Each client has a token of its own, as each facilitator has (a token binds at most 8 devices).
        var clientTokens: [String] = []
        for lab in 0..<((clients + perLab - 1) / perLab) {
            try await registry.createLab("parallel-\(lab)", title: nil)
        }
        for number in 0..<clients {
            clientTokens.append(
                try await registry.createToken(
                    labs: ["parallel-\(number / perLab)"], role: .schreiben, name: "P\(number)"))
        }
        let seconds = 10
        let latencies = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for number in 0..<clients {
                let labToken = clientTokens[number]
                group.addTask {
                    let replica = try Replica(
                        path: directory.appendingPathComponent("c\(number).ozg").path,
                        schema: Workload.schema)
                    let syncClient = SyncClient(
                        replica: replica, server: url, token: labToken,
                        lab: LabID("parallel-\(number / perLab)")!)
                    syncClient.maxAttempts = 1
                    let id = try replica.insert(
                        into: Workload.tableName,
                        declaredValues: [
                            .text("Client \(number)"), 0, 1.5, "offen", 2026, "",
                        ])
                    // The first sync catches up with the lab; it is not part of the figure.
                    try await syncClient.sync()
                    var times: [Double] = []
                    var errors = 0
                    let offset = Duration.milliseconds(Int64(number * 1000 / max(clients, 1)))
                    try await Task.sleep(for: offset)
                    for round in 0..<seconds {
                        let tick = ContinuousClock.now
                        try replica.update(
                            Workload.tableName, id: id, values: ["prioritaet": .integer(Int64(round + 1))])
                        let start = DispatchTime.now().uptimeNanoseconds
                        do {
                            try await syncClient.sync()
                            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                        } catch {
                            errors += 1
                        }
                        try await Task.sleep(until: tick + .seconds(1))
                    }
                    return (times, errors)
                }
            }
            var all: [Double] = []
            var errors = 0
            for try await (times, failed) in group {
                all += times
                errors += failed
            }
            return (all, errors)
        }
        print("concurrent_clients: \(clients)")
        print("concurrent_clients_per_lab: \(perLab)")
        print("concurrent_syncs: \(latencies.0.count)")
        print("concurrent_errors: \(latencies.1)")
        line("concurrent_clients_p50_ms", percentile(latencies.0, 0.5), digits: 2)
        line("concurrent_clients_p99_ms", percentile(latencies.0, 0.99), digits: 2)
    }
}
