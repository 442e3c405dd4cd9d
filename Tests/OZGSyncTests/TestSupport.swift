import Foundation
import OZGDomain
import OZGReplication
import OZGStorage

/// A directory under the system temp dir, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ozg-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// The small schema the core tests use: journeys with ordered steps.
enum TestSchema {
    static let reise = ReplicatedTable("reise", columns: [.init("titel"), .init("notiz")])
    static let schritt = ReplicatedTable(
        "schritt",
        columns: [
            .init("reise_id"), .init("position"), .init("text"), .init("emotion", .integer),
        ])
    static let v1 = ReplicaSchema(version: 1, tables: [reise, schritt])
}

extension Replica {
    /// Opens a replica of the test schema in `directory`.
    static func test(
        _ directory: TemporaryDirectory, _ name: String, schema: ReplicaSchema = TestSchema.v1,
        configuration: Configuration = Configuration()
    ) throws -> Replica {
        try Replica(path: directory.path(name), schema: schema, configuration: configuration)
    }

    /// A replica on a hand-moved clock, so which write is newer does not depend on the machine's load.
    static func test(_ directory: TemporaryDirectory, _ name: String, clock: ManualClock) throws -> Replica {
        try test(directory, name, configuration: Configuration(wallClock: clock.read))
    }

    /// Sends everything `self` has that `other` has not acknowledged, relaying merged changes too.
    @discardableResult
    func send(to other: Replica, name: String) throws -> ApplyResult {
        let extracted = try extractChanges(after: try acknowledgedSequence(for: name), includeRemoteOrigin: true)
        let result = try other.apply(extracted.batch)
        try acknowledge(extracted.throughSequence, for: name)
        return result
    }

    /// The visible values of one row by column name.
    func row(_ table: String, _ id: String) throws -> [String: DatabaseValue]? {
        try read { db in
            let columns = try db.rows("SELECT name FROM pragma_table_info(?)", [.text(table)]) { $0.text(0) ?? "" }
            return try db.firstRow("SELECT * FROM \"\(table)\" WHERE id = ?", [.text(id)]) { row in
                var values: [String: DatabaseValue] = [:]
                for (index, column) in columns.enumerated() { values[column] = row.value(index) }
                return values
            }
        }
    }
}

/// Full exchange between every pair until nothing changes any more.
func exchangeAll(_ replicas: [Replica]) throws {
    var rounds = 0
    while true {
        var changed = 0
        for (i, sender) in replicas.enumerated() {
            for (j, receiver) in replicas.enumerated() where i != j {
                changed += try sender.send(to: receiver, name: "r\(j)").changedRows
            }
        }
        rounds += 1
        if changed == 0 || rounds > 20 { return }
    }
}

/// Runs a tool the project's scripts install (pandoc, jq, xmllint, LibreOffice, python3 with
/// SpiffWorkflow): feeds `input` to its standard input when given, and returns its exit status and
/// standard output (with `includingErrors`, standard error too).
func runTool(_ path: String, _ arguments: [String], input: String? = nil, includingErrors: Bool = false) throws
    -> (status: Int32, output: String)
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let stdout = Pipe()
    process.standardOutput = stdout
    if includingErrors { process.standardError = stdout }
    let stdin = Pipe()
    if input != nil { process.standardInput = stdin }
    try process.run()
    if let input {
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
    }
    let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

/// Runs one of the project's fetch scripts (`scripts/fetch-….sh`) unless `marker` already exists.
func fetchUnlessPresent(_ marker: String, script: String) throws {
    guard !FileManager.default.fileExists(atPath: marker) else { return }
    _ = try runTool(BPMNSchema.packageRoot.appendingPathComponent("scripts/\(script)").path, [])
}
