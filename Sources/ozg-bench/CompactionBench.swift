import Foundation
import OZGReplication
import OZGStorage

/// A lab that lived long (docs/PERFORMANCE.md, „Verdichtung“): `OZG_BENCH_HISTORY_CHANGES` changes
/// (default 1,000,000: the rows inserted, then updates of random rows in transactions of 100, and one
/// row in ten deleted), its `storage_ratio` against plain SQLite holding the same visible rows, and the
/// first sync of a new device (every page extracted and applied, without HTTP), before and after
/// `compact` with the history removed (`ozg-sync-server compact --verlauf-tage 0`).
enum CompactionBench {
    static func run(rows: [Workload.Row], directory: URL) throws {
        let path = directory.appendingPathComponent("long-lived.ozg").path
        let replica = try Replica(path: path, schema: Workload.schema)
        var generator = SeededGenerator(seed: 11)
        let deletes = rows.count / 10
        let updates = max(HistoryBench.changes - rows.count - deletes, 0)
        var finalNotes = rows.map(\.notiz)
        let buildTime = try measure {
            try replica.transaction {
                for row in rows {
                    _ = try replica.insert(into: Workload.tableName, id: row.id, declaredValues: row.values)
                }
            }
            for start in stride(from: 0, to: updates, by: 100) {
                try replica.transaction {
                    for offset in start..<min(start + 100, updates) {
                        let target = Int.random(in: deletes..<rows.count, using: &generator)
                        finalNotes[target] = "Fassung \(offset)"
                        try replica.update(
                            Workload.tableName, id: rows[target].id, values: ["notiz": .text(finalNotes[target])])
                    }
                }
            }
            try replica.transaction {
                for row in rows.prefix(deletes) { try replica.delete(Workload.tableName, id: row.id) }
            }
        }
        print("long_lived_changes: \(rows.count + updates + deletes)")
        line("long_lived_build_s", buildTime)

        // Plain SQLite with the rows a user sees at the end.
        let plain = PlainSQLite(path: directory.appendingPathComponent("long-lived.sqlite").path)
        plain.exec(Workload.createSQL)
        plain.insert(
            rows.indices.dropFirst(deletes).map { index in
                let row = rows[index]
                return Workload.Row(
                    id: row.id, titel: row.titel, prioritaet: row.prioritaet, dauer: row.dauer, status: row.status,
                    jahr: row.jahr, notiz: finalNotes[index])
            })
        let plainSize = plain.checkpointedSize()

        try replica.checkpoint()
        let before = try replica.fileSizeBytes()
        print("long_lived_bytes_before: \(before)")
        line("storage_ratio_before", Double(before) / Double(plainSize), digits: 2)
        line(
            "first_sync_before_s",
            try firstSync(replica, freshPath: directory.appendingPathComponent("fresh-1.ozg").path))

        var result: CompactionResult?
        let compactTime = try measure {
            result = try replica.compact(through: try replica.lastSequence(), historyBefore: UInt64.max)
            try replica.vacuum()
            try replica.checkpoint()
        }
        let after = try replica.fileSizeBytes()
        print("compaction_removed_log_rows: \(result?.removedLogRows ?? 0)")
        print("compaction_reduced_deletes: \(result?.removedTombstoneCount ?? 0)")
        line("compaction_s", compactTime)
        print("long_lived_bytes_after: \(after)")
        line("storage_ratio_after", Double(after) / Double(plainSize), digits: 2)
        line(
            "first_sync_after_s",
            try firstSync(replica, freshPath: directory.appendingPathComponent("fresh-2.ozg").path))
    }

    /// Seconds for a new device's first sync without HTTP: every page of 5,000 rows extracted and applied.
    static func firstSync(_ source: Replica, freshPath: String) throws -> Double {
        let fresh = try Replica(path: freshPath, schema: Workload.schema)
        defer { fresh.close() }
        return try measure {
            var after: Int64 = 0
            while true {
                let page = try source.extractChanges(after: after, includeRemoteOrigin: true, maxRows: 5_000)
                if page.batch.isEmpty && page.throughSequence == after { break }
                try fresh.apply(page.batch, remote: "server", cursor: page.throughSequence)
                after = page.throughSequence
            }
        }
    }
}
