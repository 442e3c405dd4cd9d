import Foundation
import OZGReplication
import OZGSyncClient
import SyncServerCore
import Synchronization

/// Live push figures (docs/PERFORMANCE.md, „Live“): the server runs in this process, the participants
/// in a second one (`ozg-bench 0 live-participants …`) and the idle connections in a third
/// (`ozg-bench 0 live-idle …`), so that neither shares the server's threads.
///
/// - `live_push_p50_ms` / `live_push_p99_ms`: from the commit of a write on one replica to its commit
///   on another, 30 participants in one lab each writing twice a second.
/// - `live_clients_max`: the most idle live connections (in other labs) at which the active lab's
///   p99 stays ≤ 10 ms, stepping up to 10,000 (`live_clients_held`: how many were open at the last
///   step), with the active lab's p99 at each step and the server's memory per connection.
enum LiveBench {
    static let participants = Int(ProcessInfo.processInfo.environment["OZG_BENCH_LIVE_PARTICIPANTS"] ?? "") ?? 30
    static let seconds = Int(ProcessInfo.processInfo.environment["OZG_BENCH_LIVE_SECONDS"] ?? "") ?? 10
    static let steps = (ProcessInfo.processInfo.environment["OZG_BENCH_LIVE_STEPS"] ?? "1000,2500,5000,10000")
        .split(separator: ",").compactMap { Int($0) }

    /// The server side: starts the server, runs the participants, then the steps of idle connections.
    static func run(directory: URL) async throws {
        OpenFileLimit.raise(upTo: .max)
        var configuration = ServerConfiguration(dataDirectory: directory.appendingPathComponent("live-server").path)
        configuration.reservedTables = Workload.schema.tables
        configuration.maxConnections = 25_000
        configuration.maxDevicesPerToken = 20_000
        let registry = try SQLiteRegistry(dataDirectory: configuration.dataDirectory)
        try await registry.createLab("live", title: nil)
        var tokens: [String] = []
        for number in 0..<participants {
            tokens.append(
                try await registry.createToken(labs: ["live"], role: .schreiben, name: "Teilnehmer \(number)"))
        }
        let idleLabs = 100
        for lab in 0..<idleLabs { try await registry.createLab("ruhig-\(lab)", title: nil) }
        let idleToken = try await registry.createToken(
            labs: (0..<idleLabs).map { "ruhig-\($0)" }, role: .lesen, name: "Zuhörer")
        let server = try await BenchServer.start(configuration)
        defer { server.task.cancel() }
        let url = server.url.absoluteString
        let tokenFile = directory.appendingPathComponent("live-tokens.txt")
        try tokens.joined(separator: "\n").write(to: tokenFile, atomically: true, encoding: .utf8)

        // One participants' process for all rounds, started before any idle connection: Foundation's
        // Process.run crashed in a parent holding thousands of sockets.
        let participantsProcess = try await ChildProcess.start(
            arguments: [
                "0", "live-participants", url, tokenFile.path,
                directory.appendingPathComponent("live-participants").path,
            ], keepInputOpen: true)
        let first = await participantsRound(participantsProcess)
        for line in first.lines { print(line) }

        // Idle connections in steps, the active lab measured again at each.
        let rssBefore = residentBytes()
        let idle = try await ChildProcess.start(
            arguments: ["0", "live-idle", url, idleToken, String(idleLabs)], keepInputOpen: true)
        var reached = 0
        var bytesPerConnection = 0.0
        var open = 0
        for step in steps {
            idle.send("\(step - open)\n")
            guard let answer = await offPool({ idle.readLine() }), answer.hasPrefix("offen ") else {
                print("live_idle_error: \(await offPool { idle.readRest() })")
                break
            }
            open = Int(answer.dropFirst(6)) ?? open
            let measured = await participantsRound(participantsProcess)
            let p99 = measured.p99
            print("live_push_p99_ms_at_\(open)_idle: \(String(format: "%.2f", p99))")
            bytesPerConnection = Double(residentBytes() - rssBefore) / Double(max(open, 1))
            print("live_server_bytes_per_connection_at_\(open): \(Int(bytesPerConnection))")
            if p99 <= 10 { reached = open }
        }
        await offPool { idle.finish() }
        await offPool { participantsProcess.finish() }
        // Held open at once, whatever the active lab's p99; the figure the issue asks for is the next one.
        print("live_clients_held: \(open)")
        print("live_clients_max: \(reached)")
        print("live_server_bytes_per_connection: \(Int(bytesPerConnection))")
    }

    struct Measurement {
        var lines: [String]
        var p99: Double
    }

    /// One round of the participants' process: its figure lines, up to its „ende“.
    static func participantsRound(_ child: ChildProcess) async -> Measurement {
        child.send("runde\n")
        var lines: [String] = []
        while let line = await offPool({ child.readLine() }), line != "ende" { lines.append(line) }
        let p99 = lines.first { $0.hasPrefix("live_push_p99_ms:") }.flatMap {
            Double($0.split(separator: " ").last ?? "")
        }
        return Measurement(lines: lines, p99: p99 ?? .infinity)
    }

    // MARK: - The participants' process

    /// `ozg-bench 0 live-participants URL TOKENFILE DIR`: 30 replicas in one lab; for each line
    /// „runde“ on stdin, each writes its own row twice a second for `seconds` and takes what the others
    /// write through the live channel; the figures follow, then „ende“.
    static func participantsMain(arguments: [String]) async throws {
        OpenFileLimit.raise(upTo: .max)
        guard arguments.count >= 3, let server = URL(string: arguments[0]) else { return }
        let tokens = try String(contentsOfFile: arguments[1], encoding: .utf8).split(separator: "\n").map(String.init)
        let directory = URL(fileURLWithPath: arguments[2])
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let counts = Counts()
        var lives: [LiveSync] = []
        var rows: [String] = []
        for (number, token) in tokens.enumerated() {
            let replica = try Replica(
                path: directory.appendingPathComponent("p\(number).ozg").path, schema: Workload.schema)
            let client = SyncClient(replica: replica, server: server, token: token, lab: LabID("live")!)
            rows.append(
                try replica.insert(
                    into: Workload.tableName,
                    declaredValues: [.text("0"), 0, 1.5, .text("offen"), 2026, .text("P\(number)")]))
            try await client.sync()
            client.onExchange = { _, received in
                let now = DispatchTime.now().uptimeNanoseconds
                var found: [Double] = []
                for row in received.rows {
                    for cell in row.cells where cell.column == "titel" {
                        if case .text(let text) = cell.value, let sent = UInt64(text), sent > 0, now > sent {
                            found.append(Double(now - sent) / 1e6)
                        }
                    }
                }
                counts.latencies.withLock { $0 += found }
            }
            lives.append(LiveSync(client: client))
        }
        for live in lives { try await live.client.sync() }
        for live in lives { live.start() }
        // Everyone connected (and caught up) before the clock starts.
        for live in lives {
            while live.connection.state != .connected { try await Task.sleep(for: .milliseconds(10)) }
            _ = try await live.process(live.connection.takeEvents())
        }
        while Swift.readLine() == "runde" {
            try await participantsRound(lives: lives, rows: rows, counts: counts)
        }
        for live in lives { live.stop() }
    }

    /// One measured round of `participantsMain`.
    static func participantsRound(lives: [LiveSync], rows: [String], counts: Counts) async throws {
        let participantCount = lives.count
        counts.latencies.withLock { $0 = [] }
        counts.pushes.withLock { $0 = [] }
        counts.value.store(0, ordering: .relaxed)
        let end = ContinuousClock.now + .seconds(seconds)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (number, live) in lives.enumerated() {
                let row = rows[number]
                nonisolated(unsafe) let live = live
                group.addTask {
                    let connection = live.connection
                    var tick = ContinuousClock.now + .milliseconds(Int64(number * 500 / max(participantCount, 1)))
                    while ContinuousClock.now < end {
                        let events = await nextEvents(connection, until: tick)
                        if !events.isEmpty {
                            if events.contains(where: { if case .message = $0 { true } else { false } }) {
                                counts.value.add(1, ordering: .relaxed)
                            }
                            _ = try await live.process(events)
                        }
                        if ContinuousClock.now >= tick {
                            let stamp = DispatchTime.now().uptimeNanoseconds
                            try live.client.replica.update(
                                Workload.tableName, id: row, values: ["titel": .text(String(stamp))])
                            _ = try await live.pushLocalChanges()
                            let pushed = Double(DispatchTime.now().uptimeNanoseconds - stamp) / 1e6
                            counts.pushes.withLock { $0.append(pushed) }
                            tick += .milliseconds(500)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let measured = counts.latencies.withLock { $0 }
        // Converged: a last sync each, then every replica holds the same rows.
        for live in lives { try await live.client.sync() }
        for live in lives { try await live.client.sync() }
        let dumps = try Set(lives.map { try $0.client.replica.canonicalDump() })
        print("live_participants: \(lives.count)")
        print("live_deliveries: \(measured.count)")
        print("live_rounds_with_message: \(counts.value.load(ordering: .relaxed))")
        print("live_push_p50_ms: \(String(format: "%.2f", SyncBench.percentile(measured, 0.5)))")
        print("live_push_p99_ms: \(String(format: "%.2f", SyncBench.percentile(measured, 0.99)))")
        let pushes = counts.pushes.withLock { $0 }
        print("live_push_request_p50_ms: \(String(format: "%.2f", SyncBench.percentile(pushes, 0.5)))")
        print("live_push_request_p99_ms: \(String(format: "%.2f", SyncBench.percentile(pushes, 0.99)))")
        print("live_converged: \(dumps.count == 1 ? "ja" : "nein (\(dumps.count) Stände)")")
        print("ende")
        fflushStandardOutput()
    }

    /// The events that arrive before `deadline` (possibly none).
    static func nextEvents(_ connection: LiveConnection, until deadline: ContinuousClock.Instant) async -> [LiveEvent] {
        let waiting = connection.takeEvents()
        guard waiting.isEmpty, deadline > .now else { return waiting }
        return await withTaskGroup(of: [LiveEvent].self) { group in
            group.addTask { await connection.nextEvents() }
            group.addTask {
                try? await Task.sleep(until: deadline)
                return []
            }
            var events = await group.next() ?? []
            group.cancelAll()
            // The waiting side returns what it had when cancelled: keep it.
            for await more in group { events += more }
            return events
        }
    }

    // MARK: - The idle connections' process

    /// `ozg-bench 0 live-idle URL TOKEN LABS`: reads a number per line from stdin, opens that many more
    /// live connections spread over the labs, answers „offen N“ with the total, until stdin closes.
    static func idleMain(arguments: [String]) async throws {
        OpenFileLimit.raise(upTo: .max)
        guard arguments.count >= 3, let server = URL(string: arguments[0]), let labs = Int(arguments[2]) else { return }
        let token = arguments[1]
        let opened = Counts()
        try await withThrowingTaskGroup(of: Void.self) { group in
            var total = 0
            while let line = Swift.readLine(), let more = Int(line) {
                let target = total + more
                for number in total..<target {
                    let connection = LiveConnection(
                        server: server, token: token, lab: LabID("ruhig-\(number % labs)")!, site: SiteID.random())
                    group.addTask {
                        connection.start()
                        while connection.state != .connected { try await Task.sleep(for: .milliseconds(50)) }
                        opened.value.add(1, ordering: .relaxed)
                        // Held open until the process ends.
                        try await Task.sleep(for: .seconds(3600))
                        connection.stop()
                    }
                    // Not all at once: the server's accept queue and this machine's two cores.
                    if number % 200 == 199 { try await Task.sleep(for: .milliseconds(20)) }
                }
                total = target
                while opened.value.load(ordering: .relaxed) < total { try await Task.sleep(for: .milliseconds(50)) }
                // Settle before the measurement.
                try await Task.sleep(for: .seconds(1))
                FileHandle.standardOutput.write(Data("offen \(total)\n".utf8))
            }
            group.cancelAll()
        }
    }

    /// Counters the participants' tasks share.
    final class Counts: Sendable {
        let value = Atomic(0)
        let latencies = Mutex<[Double]>([])
        let pushes = Mutex<[Double]>([])
    }

    // MARK: - Process helpers

    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kilobytes * 1024
    }
}

/// Print goes through a buffered stdout that a pipe does not flush per line.
func fflushStandardOutput() {
    FileHandle.standardOutput.write(Data())
    fflush(nil)
}

/// Runs blocking work (waiting for a child process) on a dispatch thread: the server in this process
/// needs the cooperative pool's two threads.
func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
}

/// This benchmark binary run again as a child process, with a pipe to its stdin and from its stdout.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    private var buffered: [UInt8] = []

    static func start(arguments: [String], keepInputOpen: Bool) async throws -> ChildProcess {
        let child = ChildProcess()
        child.process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
            .resolvingSymlinksInPath()
        if let executable = Bundle.main.executableURL { child.process.executableURL = executable }
        child.process.arguments = arguments
        child.process.standardInput = child.input
        child.process.standardOutput = child.output
        try child.process.run()
        if !keepInputOpen { try? child.input.fileHandleForWriting.close() }
        return child
    }

    func send(_ text: String) {
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// One line of the child's output (blocking), nil at its end.
    func readLine() -> String? {
        while true {
            if let newline = buffered.firstIndex(of: 10) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffered += chunk
        }
    }

    func readRest() -> String {
        var text = String(decoding: buffered, as: UTF8.self)
        buffered = []
        text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text
    }

    func finish() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
