import Foundation
import OZGReplication
import OZGStorage

/// Wire size when five writers edit the same rows (issue 10): what exact conflicts cost on the wire.
///
/// Five replicas start from the same `rows` rows. Concurrent: each changes `status` and `notiz` of
/// every row without having seen the others, a sixth replica (the server) merges all five, and its
/// relay batch carries per cell the winner and the siblings — every write counts as a change; the
/// conflict rows the server recorded travel in the same batch and are reported apart.
/// Sequential: the writers take turns, each after merging the previous one's changes, so the last
/// push carries each cell with a context naming the four other writers; the baseline is one writer
/// changing one cell of each of its own rows (no context; the row id dominates both).
enum ContendedBench {
    static let writers = 5

    static func run(rows count: Int, directory: URL) throws {
        let rows = Array(Workload.rows(count: count, seed: 7).map(\.id))
        func replica(_ name: String) throws -> Replica {
            try Replica(path: directory.appendingPathComponent(name).path, schema: Workload.schema)
        }
        let origin = try replica("contended-origin.ozg")
        try origin.transaction {
            for (index, id) in rows.enumerated() {
                try origin.insert(
                    into: Workload.tableName, id: id,
                    values: ["titel": .text(Workload.titles[index % Workload.titles.count]), "status": "offen"])
            }
        }
        let seed = try origin.extractChanges(after: 0).batch
        // Baseline: one writer updates one cell of each of its own rows (no context, one id per change).
        let single = try replica("contended-single.ozg")
        try single.transaction {
            for id in rows { try single.insert(into: Workload.tableName, id: id, values: ["status": "offen"]) }
        }
        let afterInsert = try single.lastSequence()
        try single.transaction {
            for id in rows { try single.update(Workload.tableName, id: id, values: ["notiz": "Runde 0"]) }
        }
        let singlePush = try single.extractChanges(after: afterInsert).batch
        line(
            "wire_bytes_per_change_deflate_one_cell_1_writer",
            Double(try ChangeBatchCodec.encodeCompressed(singlePush).count) / Double(singlePush.changeCount), digits: 2)

        // Concurrent: five writers, none sees another before the server merges them.
        let server = try replica("contended-server.ozg")
        try server.apply(seed)
        let start = try server.lastSequence()
        for writer in 0..<writers {
            let replica = try replica("contended-concurrent-\(writer).ozg")
            try replica.apply(seed)
            try replica.transaction {
                for (index, id) in rows.enumerated() {
                    try replica.update(
                        Workload.tableName, id: id,
                        values: [
                            "status": .text(Workload.states[(index + writer) % Workload.states.count]),
                            "notiz": .text("Schreiber \(writer): \(Workload.notes[index % Workload.notes.count])"),
                        ])
                }
            }
            try server.apply(try replica.extractChanges(after: 0).batch)
        }
        let relay = try server.extractChanges(after: start, includeRemoteOrigin: true).batch
        let data = ChangeBatch(rows: relay.rows.filter { $0.table == Workload.tableName })
        let conflicts = ChangeBatch(rows: relay.rows.filter { $0.table != Workload.tableName })
        let dataWrites = data.rows.reduce(0) { sum, row in
            sum + row.cells.reduce(0) { $0 + 1 + $1.siblings.count }
        }
        let dataBytes = try ChangeBatchCodec.encodeCompressed(data).count
        let conflictBytes = try ChangeBatchCodec.encodeCompressed(conflicts).count
        print("contended_rows: \(rows.count)")
        print("contended_writes_relayed: \(dataWrites)")
        print("contended_conflicts: \(conflicts.rows.count)")
        line("wire_bytes_per_change_deflate_contended", Double(dataBytes) / Double(dataWrites), digits: 2)
        line("wire_bytes_per_conflict_deflate", Double(conflictBytes) / Double(max(1, conflicts.rows.count)), digits: 2)

        // Sequential: each writer merges the previous one's changes first; the last push names four.
        var previous: Replica?
        var lastPush = ChangeBatch()
        for writer in 0..<writers {
            let replica = try replica("contended-sequential-\(writer).ozg")
            try replica.apply(seed)
            if let previous {
                try replica.apply(try previous.extractChanges(after: 0, includeRemoteOrigin: true).batch)
            }
            let before = try replica.lastSequence()
            try replica.transaction {
                for id in rows {
                    try replica.update(Workload.tableName, id: id, values: ["notiz": .text("Runde \(writer)")])
                }
            }
            lastPush = try replica.extractChanges(after: before).batch
            previous = replica
        }
        let pushBytes = try ChangeBatchCodec.encodeCompressed(lastPush).count
        line(
            "wire_bytes_per_change_deflate_sequential_5_writers",
            Double(pushBytes) / Double(lastPush.changeCount), digits: 2)
    }
}
