import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGWire

/// `ozg-bench`: runs the same workload through plain SQLite and through OZGSync in one process
/// and prints one `name: value` line per figure (docs/PERFORMANCE.md explains each).
///
/// Usage: `swift run -c release ozg-bench [ROWS]` (default 100000).

func measure(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Runs `body` `repetitions` times (each with fresh state from `prepare`) and returns the median time.
func median(_ repetitions: Int, _ run: (Int) throws -> Double) rethrows -> Double {
    var times: [Double] = []
    for index in 0..<repetitions { times.append(try run(index)) }
    return times.sorted()[repetitions / 2]
}

func line(_ name: String, _ value: Double, digits: Int = 3) {
    print("\(name): \(String(format: "%.\(digits)f", value))")
}

let rowCount = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
/// Every timed figure is the median of this many runs on fresh files (the machine's timing noise is large).
let repetitions = Int(ProcessInfo.processInfo.environment["OZG_BENCH_REPETITIONS"] ?? "") ?? 5
/// `ozg-bench ROWS write` stops after the write figures (for profiling the capture path alone).
let onlyWrites = CommandLine.arguments.dropFirst(2).first == "write"
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ozg-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

/// Ends a run that measured one part only (`ozg-bench ROWS PART`).
func finishPart() -> Never {
    try? FileManager.default.removeItem(at: directory)
    exit(0)
}

/// `ozg-bench ROWS web` measures only the state office's web view and the live channel.
if CommandLine.arguments.dropFirst(2).first == "web" {
    try await WebBench.run(directory: directory)
    try await LiveBench.run(directory: directory)
    finishPart()
}

/// `ozg-bench ROWS clients` measures only the concurrent clients (`ClientsBench`; `clients-run` is its
/// child process).
/// `ozg-bench ROWS live` measures only the live channel; `live-participants` and `live-idle` are its
/// child processes (`LiveBench`).
switch CommandLine.arguments.dropFirst(2).first {
case "live":
    try await LiveBench.run(directory: directory)
    finishPart()
case "live-participants":
    try await LiveBench.participantsMain(arguments: Array(CommandLine.arguments.dropFirst(3)))
    exit(0)
case "clients":
    try await ClientsBench.run(directory: directory)
    finishPart()
case "clients-run":
    try await ClientsBench.clientsMain(arguments: Array(CommandLine.arguments.dropFirst(3)))
    exit(0)
case "live-idle":
    try await LiveBench.idleMain(arguments: Array(CommandLine.arguments.dropFirst(3)))
    exit(0)
default: break
}

/// `ozg-bench ROWS contended` measures only the wire size of five writers on the same rows.
if CommandLine.arguments.dropFirst(2).first == "contended" {
    try ContendedBench.run(rows: rowCount, directory: directory)
    finishPart()
}

print("sqlite_version: \(PlainSQLite.version)")
print("rows: \(rowCount)")
let rows = Workload.rows(count: rowCount, seed: 42)

/// `ozg-bench ROWS shell` measures only the shell's start to first output.
if CommandLine.arguments.dropFirst(2).first == "shell" {
    try ShellBench.run(directory: directory)
    finishPart()
}

/// `ozg-bench ROWS sync` measures only the first sync (the rows inserted, pushed to a server in this
/// process, pulled by a fresh replica) and the delta sync.
if CommandLine.arguments.dropFirst(2).first == "sync" {
    let plain = PlainSQLite(path: path("plain-sync.sqlite"))
    plain.exec(Workload.createSQL)
    line("write_plain_rows_per_s", Double(rows.count) / measure { plain.insert(rows) }, digits: 0)
    let source = try Replica(path: path("source-sync.ozg"), schema: Workload.schema)
    try source.transaction {
        for row in rows { _ = try source.insert(into: Workload.tableName, id: row.id, declaredValues: row.values) }
    }
    if CommandLine.arguments.dropFirst(3).first == "apply" {
        try SyncBench.firstSyncWithoutHTTP(source: source, rowCount: rows.count, freshPath: path("fresh-apply.ozg"))
    } else {
        try await SyncBench.run(directory: directory, source: source, rowCount: rowCount)
    }
    finishPart()
}

/// `ozg-bench ROWS compact`: a long-lived lab before and after compaction.
if CommandLine.arguments.dropFirst(2).first == "compact" {
    try CompactionBench.run(rows: rows, directory: directory)
    finishPart()
}

/// `ozg-bench ROWS history` measures only the history lookup on a long log.
if CommandLine.arguments.dropFirst(2).first == "history" {
    try HistoryBench.run(rows: rows, directory: directory)
    finishPart()
}
let declared = rows.map(\.values)

// Writes: 100,000 inserts in one transaction.
var plain = PlainSQLite(path: path("plain-0.sqlite"))
var source = try Replica(path: path("source-0.ozg"), schema: Workload.schema)
var plainWrites: [Double] = []
var ozgWrites: [Double] = []
for run in 0..<repetitions {
    // Alternate the sides so neither always runs on a warmer machine.
    plain = PlainSQLite(path: path("plain-\(run).sqlite"))
    plain.exec(Workload.createSQL)
    source = try Replica(path: path("source-\(run).ozg"), schema: Workload.schema)
    let replica = source
    let plainSide = measure { plain.insert(rows) }
    let ozgSide = try measure {
        try replica.transaction {
            for (row, values) in zip(rows, declared) {
                try replica.insert(into: Workload.tableName, id: row.id, declaredValues: values)
            }
        }
    }
    plainWrites.append(plainSide)
    ozgWrites.append(ozgSide)
}
let plainWrite = plainWrites.sorted()[repetitions / 2]
let ozgWrite = ozgWrites.sorted()[repetitions / 2]
line("write_plain_s", plainWrite)
line("write_ozgsync_s", ozgWrite)
line("write_ratio", ozgWrite / plainWrite, digits: 2)
if onlyWrites { exit(0) }

// Storage after the inserts (WAL checkpointed on both sides).
let plainSize = plain.checkpointedSize()
try source.checkpoint()
let ozgSize = try source.fileSizeBytes()
print("storage_plain_bytes: \(plainSize)")
print("storage_ozgsync_bytes: \(ozgSize)")
line("storage_ratio", Double(ozgSize) / Double(plainSize), digits: 2)

// Extraction of every change, its wire size, apply into a fresh replica and re-apply.
var extractedBatch = ChangeBatch()
let extractTime = try median(repetitions) { _ in
    try measure { extractedBatch = try source.extractChanges(after: 0).batch }
}
let extracted = (batch: extractedBatch, ())
let changes = extracted.batch.changeCount
print("changes: \(changes)")
line("extract_s", extractTime)
line("extract_changes_per_s", Double(changes) / extractTime, digits: 0)

let encoded = ChangeBatchCodec.encode(extracted.batch)
let compressed = try ChangeBatchCodec.encodeCompressed(extracted.batch)
line("wire_bytes_per_change", Double(encoded.count) / Double(changes), digits: 2)
line("wire_bytes_per_change_deflate", Double(compressed.count) / Double(changes), digits: 2)
try ContendedBench.run(rows: min(rowCount, 10_000), directory: directory)

var target = try Replica(path: path("target-0.ozg"), schema: Workload.schema)
let applyTime = try median(repetitions) { run in
    target = try Replica(path: path("target-\(run).ozg"), schema: Workload.schema)
    let fresh = target
    return try measure { try fresh.apply(extracted.batch) }
}
line("apply_s", applyTime)
line("apply_changes_per_s", Double(changes) / applyTime, digits: 0)
let reapplyTime = try median(repetitions) { _ in
    var reapplied = ApplyResult()
    let time = try measure { reapplied = try target.apply(extracted.batch) }
    precondition(reapplied.changedRows == 0, "re-apply changed \(reapplied.changedRows) rows")
    return time
}
line("reapply_s", reapplyTime)
line("reapply_changes_per_s", Double(changes) / reapplyTime, digits: 0)
if ProcessInfo.processInfo.environment["OZG_BENCH_SKIP_CHECK"] == nil {
    let sameState = try target.canonicalDump() == source.canonicalDump()
    precondition(sameState, "target differs from source")
}

// Updates: 100,000 single-column updates in one transaction, same ids and values on both sides.
var random = SeededGenerator(seed: 7)
let updates: [(id: String, status: String)] = (0..<rowCount).map { index in
    let row = rows[Int.random(in: 0..<rows.count, using: &random)]
    return (row.id, "geprüft \(index)")
}
let plainUpdate = measure { plain.update(updates) }
let ozgUpdate = try measure {
    try source.transaction {
        for update in updates {
            try source.update(Workload.tableName, id: update.id, values: ["status": .text(update.status)])
        }
    }
}
line("update_plain_s", plainUpdate)
line("update_ozgsync_s", ozgUpdate)
line("update_ratio", ozgUpdate / plainUpdate, digits: 2)

// Sync over loopback HTTP against a server in this process.
if CommandLine.arguments.dropFirst(2).first != "nosync" {
    try await SyncBench.run(directory: directory, source: source, rowCount: rowCount)
    try await ClientsBench.run(directory: directory)
    try await WebBench.run(directory: directory)
}

try ShellBench.run(directory: directory)

try HistoryBench.run(rows: rows, directory: directory)
