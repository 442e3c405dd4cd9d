import Foundation
import Hummingbird
import Testing

@testable import OZGReplication
@testable import OZGStorage
@testable import OZGSyncClient
@testable import OZGWire
@testable import SyncServerCore

/// The convergence simulation through the real server path (issue 16): the same seeded edits, but
/// replicas exchange only by syncing with a real server over loopback HTTP — the real `SyncClient`
/// (own writes pushed in pages of 1–4 rows), the server's handler, store, extraction in pages of 3 rows, echo
/// filter and cursors — and the server restarts between requests now and then.
///
/// The oracle follows each round trip (`SyncClient.onExchange`): the server learns what the client
/// knew of each pushed cell, the client what the server knew of each cell on the page. Verdict:
/// every client holds the same data, the join of all writes; no replica records a conflict without a
/// concurrent pair behind it; the server, and after the final round every client, holds every conflict
/// the oracle requires. A conflict only a client detected may stay on that client (docs/PROTOCOL.md).
final class ServerPathSimulation: Simulation {
    var serverDirectory: String { directory.path("server") }
    let lab = "sim"
    var token = ""
    var port = 0
    var server: Task<Void, Error>?
    var restarts = 0
    var syncs = 0
    /// Compactions run, tombstones they removed, and syncs that had to load the lab anew.
    var compactions = (runs: 0, reduced: 0, logRows: 0, resyncs: 0)
    /// When each replica's last sync ended (Unix ms): a compaction may stop waiting for some of them.
    var lastSynced: [Int64] = []
    /// The server's index in the oracle, after the replicas'.
    var serverIndex: Int { replicaCount }

    init(seed: UInt64) throws {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        try super.init(seed: seed, clockStart: now)
        causal = CausalOracle(replicas: replicaCount + 1)
        try FileManager.default.createDirectory(atPath: serverDirectory, withIntermediateDirectories: true)
    }

    func configuration() -> ServerConfiguration {
        var configuration = ServerConfiguration(dataDirectory: serverDirectory)
        configuration.port = 0
        configuration.pageRows = 3
        return configuration
    }

    func startServer() async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = try buildApplication(configuration()) { continuation.yield($0) }
        server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        port = await iterator.next() ?? 0
    }

    func stopServer() async {
        server?.cancel()
        _ = try? await server?.value
        server = nil
    }

    func runThroughServer(steps: Int = 60) async throws {
        let registry = try SQLiteRegistry(dataDirectory: serverDirectory)
        try await registry.createLab(lab, title: nil)
        token = try await registry.createToken(labs: [lab], role: .schreiben, name: "Simulation")
        try await startServer()
        for _ in 0..<steps {
            clock.advance(UInt64.random(in: 0...3, using: &random))
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<50: try localEdit(Int.random(in: 0..<replicaCount, using: &random))
            case 50..<90: try await sync(Int.random(in: 0..<replicaCount, using: &random))
            case 90..<93:
                restarts += 1
                await stopServer()
                try await startServer()
            case 93..<96: try await compact()
            default: try reopen(Int.random(in: 0..<replicaCount, using: &random))
            }
        }
        // Everyone syncs until a whole round brings nothing new: twice around suffices for a star.
        for _ in 0..<2 {
            for index in 0..<replicaCount { try await sync(index) }
        }
        await stopServer()
        try verifyThroughServer()
    }

    func sync(_ index: Int) async throws {
        syncs += 1
        let client = SyncClient(
            replica: replicas[index], server: URL(string: "http://127.0.0.1:\(port)")!, token: token,
            lab: LabID(lab)!)
        // Pages of 1–4 rows: a pulled page often lands between two pushed ones, so an own write can
        // lose by the clock to a pulled one before it is pushed (it must be pushed all the same).
        client.pushPageRows = Int.random(in: 1...4, using: &random)
        client.retryDelay = .milliseconds(5)
        let server = serverIndex
        let trace = ProcessInfo.processInfo.environment["OZG_SIM_TRACE"]
        client.onExchange = { [unowned self] pushed, received in
            if let trace {
                for (what, batch) in [("push", pushed), ("pull", received)] {
                    for row in batch.rows where row.id.hasPrefix(trace) {
                        print(
                            "TRACE r\(index) \(what) cl=\(row.cl) rv=\(row.rowVersion?.text ?? "-") cells=\(row.cells.map { "\($0.column)=\($0.value.canonicalText)@\($0.version.text.suffix(4))/\($0.cl)" })"
                        )
                    }
                }
            }
            causal.recordDelivery(pushed, to: server)
            causal.recordDelivery(received, to: index)
        }
        let result = try await client.sync()
        if result.compactionNotice != nil { compactions.resyncs += 1 }
        while lastSynced.count < replicaCount { lastSynced.append(0) }
        lastSynced[index] = Int64(Date().timeIntervalSince1970 * 1000)
    }

    /// Compacts the lab while the server runs: waiting for every device, or (half the time) not for
    /// those whose last sync ended no later than a randomly chosen replica's. Those come back below the
    /// horizon; when the compaction removed history after their position, they load the lab anew.
    func compact() async throws {
        compactions.runs += 1
        var since: Int64?
        if Bool.random(using: &random), !lastSynced.isEmpty {
            since = (lastSynced.randomElement(using: &random) ?? 0) + 1
        }
        // Half the time the history goes too (all of it before the horizon).
        let results = try await LabMaintenance.compact(
            dataDirectory: serverDirectory, labs: [lab], countedSince: since,
            keepHistoryDays: Bool.random(using: &random) ? 0 : nil)
        compactions.reduced += results.reduce(0) { $0 + $1.result.removedTombstoneCount }
        if ProcessInfo.processInfo.environment["OZG_SIM_TRACE"] != nil {
            print("TRACE compact since=\(String(describing: since)) \(results.map { "\($0.result)" })")
        }
        // Which rows it reduced (a later edit may give a reduced row a cell again).
        let serverFile = try Replica(
            path: "\(serverDirectory)/labor-\(lab).ozg", schema: ReplicaSchema(version: 2, tables: []))
        defer { serverFile.close() }
        serverFile.adoptRegisteredTables()
        compactedRows.formUnion(try serverFile.compactedDeletedRows())
        compactions.logRows += results.reduce(0) { $0 + $1.result.removedLogRows }
    }

    func verifyThroughServer() throws {
        let serverFile = try Replica(
            path: "\(serverDirectory)/labor-\(lab).ozg", schema: ReplicaSchema(version: 2, tables: []))
        defer { serverFile.close() }
        try verifyData(includeConflicts: false)
        try verifyMaximalWrites(replicas: Array(replicas.indices))
        let atServer = Set(try serverFile.conflicts(includeResolved: true).map(\.id))
        verdict = causal.verdict()
        let extra = atServer.subtracting(verdict.expected)
        if !extra.isEmpty {
            Issue.record("Seed \(seed): der Server meldet \(extra.count) Konflikte ohne gleichzeitige Schreibvorgänge")
        }
        let requiredAtServer = verdict.metAt[serverIndex].filter { !isOnCompactedRow($0) }
        let missingAtServer = requiredAtServer.subtracting(atServer)
        if !missingAtServer.isEmpty {
            Issue.record(
                "Seed \(seed): dem Server fehlen \(missingAtServer.count) von \(requiredAtServer.count) Konflikten\(explained(missingAtServer))"
            )
        }
        // A client holds what met at its own file and everything the server holds (pulled in the final
        // rounds); a pair that met only at another client stays there (clients push no conflict rows).
        try verifyConflicts(requiredValues: { index in self.verdict.metAt[index].union(atServer) })
    }
}

@Suite("Konvergenz-Simulation über den Server")
struct ServerPathSimulationTests {
    /// `OZG_SERVER_SIM_SEEDS` sets the number of schedules (each a real server with restarts).
    static let seedCount = Int(ProcessInfo.processInfo.environment["OZG_SERVER_SIM_SEEDS"] ?? "") ?? 40
    static let firstSeed = UInt64(ProcessInfo.processInfo.environment["OZG_SIM_FIRST_SEED"] ?? "") ?? 1

    @Test("Fünf Replikate konvergieren über den echten Server mit Seiten, Echofilter, Cursorn und Neustarts")
    func schedulesConvergeThroughTheServer() async throws {
        var totals = (writes: 0, syncs: 0, restarts: 0, conflicts: 0, met: 0, unmet: 0, unmetDeletes: 0)
        var compacted = (runs: 0, reduced: 0, logRows: 0, resyncs: 0)
        for offset in 0..<Self.seedCount {
            let seed = Self.firstSeed + UInt64(offset)
            do {
                let simulation = try ServerPathSimulation(seed: seed)
                try await simulation.runThroughServer()
                totals.writes += simulation.statistics.writes
                totals.syncs += simulation.syncs
                totals.restarts += simulation.restarts
                totals.conflicts += simulation.verdict.expected.count
                totals.met += simulation.verdict.metAnywhere.count
                totals.unmet += simulation.verdict.unmetPairs
                totals.unmetDeletes += simulation.verdict.unmetDeletePairs
                compacted.runs += simulation.compactions.runs
                compacted.reduced += simulation.compactions.reduced
                compacted.logRows += simulation.compactions.logRows
                compacted.resyncs += simulation.compactions.resyncs
            } catch {
                Issue.record(
                    "Seed \(seed) scheiterte: \(error). Nachspielen: OZG_SIM_FIRST_SEED=\(seed) OZG_SERVER_SIM_SEEDS=1")
            }
        }
        if Self.seedCount >= 20 {
            #expect(totals.conflicts > 0 && totals.restarts > 0 && totals.syncs > 0)
            #expect(
                compacted.reduced > 0 && compacted.logRows > 0 && compacted.resyncs > 0, "Verdichtung: \(compacted)")
        }
        print(
            "Simulation über den Server: \(totals.writes) Schreibvorgänge, \(totals.syncs) Synchronisationen, "
                + "\(totals.restarts) Neustarts, \(totals.conflicts) gleichzeitige Paare, \(totals.met) davon getroffen und "
                + "alle erkannt; nie getroffen: \(totals.unmet) Wertpaare, \(totals.unmetDeletes) Löschpaare; "
                + "\(compacted.runs) Verdichtungen: \(compacted.reduced) gelöschte Zeilen auf die Löschung reduziert, "
                + "\(compacted.logRows) Protokollzeilen entfernt, \(compacted.resyncs) Synchronisationen luden neu")
    }
}
