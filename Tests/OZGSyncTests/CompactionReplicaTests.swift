import Testing

@testable import OZGReplication
@testable import OZGStorage

/// `Replica.compact(through:historyBefore:)` on random labs: nothing visible changes, a fresh replica
/// fed from the compacted log ends with the same data, and history stays consistent
/// (docs/ARCHITECTURE.md, „Verdichtung“).
@Suite("Verdichtung einer Replikatdatei")
struct CompactionReplicaTests {
    func fedFrom(_ source: Replica, _ directory: TemporaryDirectory, _ name: String) throws -> Replica {
        let fresh = try Replica.test(directory, name, configuration: .init(maxDriftMilliseconds: UInt64.max / 4))
        try fresh.apply(try source.extractChanges(after: 0, includeRemoteOrigin: true).batch)
        return fresh
    }

    @Test(
        "Verdichten ändert nichts Sichtbares; ein neues Replikat erhält alles; der Verlauf bleibt stimmig",
        arguments: 0..<12)
    func compactionKeepsWhatIsVisible(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let replica = try HistoryChainTests().randomLab(directory, seed: seed)
        let before = try replica.canonicalDump(includeConflicts: true)
        let head = try replica.lastSequence()

        let result = try replica.compact(through: head, historyBefore: UInt64.max)
        #expect(try replica.canonicalDump(includeConflicts: true) == before)
        #expect(result.removedLogRows > 0)
        #expect(result.floor > 1 && result.floor <= head)
        // Rows are logged again from position 1 on: a cursor left in the removed part would miss them,
        // which is why a server starts such a device at 0 (`compactionFloor`).
        let fromStart = try replica.extractChanges(after: 0, includeRemoteOrigin: true).batch.rows.count
        let fromGap = try replica.extractChanges(after: result.floor - 1, includeRemoteOrigin: true).batch.rows.count
        #expect(fromGap < fromStart)
        // Conflicts a fresh replica detects itself depend on what meets there; the data may not.
        let fresh = try fedFrom(replica, directory, "fresh.ozg")
        #expect(try fresh.canonicalDump(includeConflicts: false) == replica.canonicalDump(includeConflicts: false))

        // More changes after the compaction, then a second one over part of them.
        for id in HistoryChainTests.ids.prefix(4) where try replica.isVisible(table: "reise", id: id) {
            try replica.update("reise", id: id, values: ["notiz": .text("nach der Verdichtung")])
        }
        let second = try replica.compact(through: try replica.lastSequence() - 1, historyBefore: UInt64.max)
        #expect(second.floor >= result.floor)
        let again = try fedFrom(replica, directory, "again.ozg")
        #expect(try again.canonicalDump(includeConflicts: false) == replica.canonicalDump(includeConflicts: false))
        for id in HistoryChainTests.ids {
            let chain = try replica.history(id: id)
            #expect(try chain == replica.history(id: id, scanningLog: true), "Seed \(seed), \(id)")
            // A row with history left ends with its latest change; a row without starts at the compaction.
            if try replica.isVisible(table: "reise", id: id), let last = chain.last(where: { $0.table == "reise" }) {
                let notiz = last.changes.first { $0.column == "notiz" }?.new
                if let notiz { #expect(notiz == (try replica.row("reise", id)?["notiz"] ?? .null)) }
            }
        }
    }

    @Test(
        "Gelöschte Zeilen behalten nur die Löschung: eine späte Änderung verliert weiter, ein Wiederherstellen wird erklärt"
    )
    func deletedRowsKeepTheirDelete() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg")
        let b = try Replica.test(directory, "b.ozg")
        let id = try a.insert(into: "reise", values: ["titel": .text("Reise"), "notiz": .text("alt")])
        _ = try a.send(to: b, name: "b")
        try a.delete("reise", id: id)
        // B edits concurrently, before it sees the delete.
        try b.update("reise", id: id, values: ["notiz": .text("spät")])
        let result = try a.compact(through: try a.lastSequence())
        #expect(result.removedTombstones == ["reise": 1])
        #expect(result.floor == 0)
        #expect(throws: ReplicaError.rowCompacted(table: "reise", id: id)) { try a.restore("reise", id: id) }
        _ = try b.send(to: a, name: "a")
        #expect(try !a.isVisible(table: "reise", id: id))
        #expect(try a.conflicts().contains { $0.rowID == id && $0.kind == .editVersusDelete })
        // The late edit is kept with the delete: restoring brings it back.
        try a.restore("reise", id: id)
        #expect(try a.row("reise", id)?["notiz"] == .text("spät"))
    }
}
