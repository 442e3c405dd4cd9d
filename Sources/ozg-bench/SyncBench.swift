import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGSyncClient
import OZGWire
import SyncServerCore

/// Sync figures against a real server on a loopback port in this process.
enum SyncBench {
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }

    /// `ozg-bench ROWS sync apply`: both sides of a first sync without HTTP — what the server spends
    /// on the pages (extraction, encoding, deflate) and the client applying them into a fresh replica.
    static func firstSyncWithoutHTTP(source: Replica, rowCount: Int, freshPath: String) throws {
        var pages: [ChangeBatch] = []
        var after: Int64 = 0
        let extractTime = try measure {
            while true {
                let page = try source.extractChanges(after: after, includeRemoteOrigin: true, maxRows: 5_000)
                if page.batch.isEmpty { break }
                pages.append(page.batch)
                after = page.throughSequence
            }
        }
        var encoded: [[UInt8]] = []
        let encodeTime = measure { encoded = pages.map { ChangeBatchCodec.encode($0) } }
        let deflateTime = try measure { for page in encoded { _ = try Deflate.compress(page) } }
        line("first_sync_server_extract_s", extractTime)
        line("first_sync_server_encode_s", encodeTime)
        line("first_sync_server_deflate_s", deflateTime)
        let fresh = try Replica(path: freshPath, schema: Workload.schema)
        let time = try measure {
            for (number, page) in pages.enumerated() {
                try fresh.apply(page, remote: "server", cursor: Int64(number + 1))
            }
        }
        line("first_sync_apply_rows_per_s", Double(rowCount) / time, digits: 0)
    }

    /// The first sync and the delta figures (the concurrent clients: `ClientsBench`).
    static func run(directory: URL, source: Replica, rowCount: Int) async throws {
        var configuration = ServerConfiguration(dataDirectory: directory.appendingPathComponent("server").path)
        configuration.reservedTables = Workload.schema.tables
        if let rows = Int(ProcessInfo.processInfo.environment["OZG_BENCH_PAGE_ROWS"] ?? "") {
            configuration.pageRows = rows
        }
        let registry = try SQLiteRegistry(dataDirectory: configuration.dataDirectory)
        try await registry.createLab("bench", title: nil)
        let token = try await registry.createToken(labs: ["bench"], role: .schreiben, name: "Bench")
        let server = try await BenchServer.start(configuration)
        defer { server.task.cancel() }
        let url = server.url
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
        // Resident memory of this process (server, both replicas and the workload's rows) before the
        // pull and its highest value after any page: whether the first sync's memory stays flat.
        let residentBefore = LiveBench.residentBytes()
        var residentPeak = residentBefore
        let pullStart = DispatchTime.now().uptimeNanoseconds
        try await client(fresh).sync { progress in
            pages = progress.pages
            residentPeak = max(residentPeak, LiveBench.residentBytes())
        }
        let pullTime = Double(DispatchTime.now().uptimeNanoseconds - pullStart) / 1e9
        print("initial_sync_pages: \(pages)")
        line("initial_sync_rss_before_mb", Double(residentBefore) / 1_048_576, digits: 0)
        line("initial_sync_rss_peak_mb", Double(residentPeak) / 1_048_576, digits: 0)
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
    }
}
