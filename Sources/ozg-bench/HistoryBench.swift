import CSQLite
import Foundation
import OZGReplication
import OZGStorage

/// `history_lookup_ms` (docs/PERFORMANCE.md, „Verlauf“): `history(id:)` on a replica whose log holds
/// `OZG_BENCH_HISTORY_CHANGES` changes (default 1,000,000: the rows inserted in one transaction,
/// then updates of random rows in transactions of 100), next to plain SQLite keeping the same
/// history in a table with an index by row id, and next to the scan of the whole log the replica
/// did before each row had its chain.
enum HistoryBench {
    static let changes = Int(ProcessInfo.processInfo.environment["OZG_BENCH_HISTORY_CHANGES"] ?? "") ?? 1_000_000
    static let lookups = 200

    static func run(rows: [Workload.Row], directory: URL) throws {
        let replica = try Replica(
            path: directory.appendingPathComponent("history.ozg").path, schema: Workload.schema)
        let plain = PlainSQLite(path: directory.appendingPathComponent("history.sqlite").path)
        plain.exec(Workload.createSQL)
        plain.exec(
            "CREATE TABLE verlauf(seq INTEGER PRIMARY KEY, id TEXT NOT NULL, spalte TEXT, alt); CREATE INDEX verlauf_id ON verlauf(id)"
        )
        var generator = SeededGenerator(seed: 7)
        let updates = max(changes - rows.count, 0)
        let targets = (0..<updates).map { _ in Int.random(in: 0..<rows.count, using: &generator) }

        let plainBuild = measure { plain.insertWithHistory(rows, updates: targets) }
        let ozgBuild = try measure {
            try replica.transaction {
                for row in rows {
                    _ = try replica.insert(into: Workload.tableName, id: row.id, declaredValues: row.values)
                }
            }
            for start in stride(from: 0, to: targets.count, by: 100) {
                try replica.transaction {
                    for (offset, target) in targets[start..<min(start + 100, targets.count)].enumerated() {
                        try replica.update(
                            Workload.tableName, id: rows[target].id,
                            values: ["notiz": .text("Fassung \(start + offset)")])
                    }
                }
            }
        }
        print("history_changes: \(rows.count + updates)")
        line("history_build_plain_s", plainBuild)
        line("history_build_ozgsync_s", ozgBuild)

        let asked = (0..<lookups).map { _ in rows[Int.random(in: 0..<rows.count, using: &generator)].id }
        var ozgTimes: [Double] = []
        var plainTimes: [Double] = []
        var entries = 0
        for id in asked {
            ozgTimes.append(try measure { entries += try replica.history(id: id).count })
            plainTimes.append(measure { _ = plain.history(id: id) })
        }
        var scanTimes: [Double] = []
        for id in asked.prefix(5) {
            scanTimes.append(try measure { _ = try replica.history(id: id, scanningLog: true) })
        }
        print("history_entries_per_lookup: \(String(format: "%.1f", Double(entries) / Double(asked.count)))")
        line("history_lookup_ms", SyncBench.percentile(ozgTimes, 0.5) * 1000)
        line("history_lookup_p99_ms", SyncBench.percentile(ozgTimes, 0.99) * 1000)
        line("history_lookup_plain_ms", SyncBench.percentile(plainTimes, 0.5) * 1000)
        line("history_scan_ms", SyncBench.percentile(scanTimes, 0.5) * 1000, digits: 1)
    }
}

extension PlainSQLite {
    /// The rows, then `updates` (row indexes) each changing `notiz`, every write with its history row.
    func insertWithHistory(_ rows: [Workload.Row], updates: [Int]) {
        insert(rows)  // one transaction of its own
        exec("BEGIN")
        let logInsert = prepare("INSERT INTO verlauf(id, spalte, alt) VALUES (?, NULL, NULL)")
        for row in rows {
            bind(logInsert, 1, row.id)
            _ = sqlite3_step(logInsert)
            sqlite3_reset(logInsert)
        }
        exec("COMMIT")
        let read = prepare("SELECT notiz FROM aufgabe WHERE id = ?")
        let update = prepare("UPDATE aufgabe SET notiz = ? WHERE id = ?")
        let logUpdate = prepare("INSERT INTO verlauf(id, spalte, alt) VALUES (?, 'notiz', ?)")
        for start in stride(from: 0, to: updates.count, by: 100) {
            exec("BEGIN")
            for (offset, target) in updates[start..<min(start + 100, updates.count)].enumerated() {
                let id = rows[target].id
                bind(read, 1, id)
                _ = sqlite3_step(read)
                let old = String(cString: sqlite3_column_text(read, 0))
                sqlite3_reset(read)
                bind(logUpdate, 1, id)
                bind(logUpdate, 2, old)
                _ = sqlite3_step(logUpdate)
                sqlite3_reset(logUpdate)
                bind(update, 1, "Fassung \(start + offset)")
                bind(update, 2, id)
                _ = sqlite3_step(update)
                sqlite3_reset(update)
            }
            exec("COMMIT")
        }
        for statement in [logInsert, read, update, logUpdate] { sqlite3_finalize(statement) }
    }

    /// The history rows of `id`, oldest first.
    func history(id: String) -> [(Int64, String?)] {
        let statement = prepare("SELECT seq, alt FROM verlauf WHERE id = ? ORDER BY seq")
        defer { sqlite3_finalize(statement) }
        bind(statement, 1, id)
        var result: [(Int64, String?)] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            let text = sqlite3_column_text(statement, 1).map { String(cString: $0) }
            result.append((sqlite3_column_int64(statement, 0), text))
        }
        return result
    }
}
