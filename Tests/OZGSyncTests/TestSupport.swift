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
