import Testing

@testable import OZGReplication
@testable import OZGStorage

/// `history(id:)` follows each row's chain of log entries instead of scanning the log
/// (docs/ARCHITECTURE.md, „Verlauf einer Zeile“): the chain must find exactly what the scan finds.
@Suite("Verlauf über die Kette der Protokolleinträge")
struct HistoryChainTests {
    static let ids = (0..<8).map { _ in RowID.generate() }

    /// Local writes of every kind (several per transaction, the same row twice in one), merges from
    /// other replicas, one id in two tables.
    func randomLab(_ directory: TemporaryDirectory, seed: UInt64) throws -> Replica {
        var generator = SeededGenerator(seed: seed)
        let replica = try Replica.test(directory, "a.ozg", configuration: .init(maxDriftMilliseconds: UInt64.max / 4))
        let other = try Replica.test(directory, "b.ozg")
        for round in 0..<30 {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:
                try replica.apply(RandomChanges.batch(&generator, rows: 4, ids: Self.ids))
            case 1:
                let id = Self.ids.randomElement(using: &generator)!
                if try other.row("reise", id) == nil, try other.causalLength(table: "reise", id: id) == nil {
                    _ = try other.insert(into: "reise", id: id, values: ["titel": .text("B\(round)")])
                } else if try other.isVisible(table: "reise", id: id) {
                    try other.update("reise", id: id, values: ["notiz": .text("B\(round)")])
                }
                try other.send(to: replica, name: "a")
            default:
                try replica.transaction {
                    for _ in 0..<Int.random(in: 1...4, using: &generator) {
                        let id = Self.ids.randomElement(using: &generator)!
                        let table = Bool.random(using: &generator) ? "reise" : "schritt"
                        let column = table == "reise" ? "notiz" : "text"
                        if try replica.isVisible(table: table, id: id) {
                            if Int.random(in: 0..<4, using: &generator) == 0 {
                                try replica.delete(table, id: id)
                            } else {
                                try replica.update(table, id: id, values: [column: .text("A\(round)")])
                            }
                        } else if try replica.causalLength(table: table, id: id) != nil {
                            // A row known only by its delete has nothing to restore (`rowCompacted`).
                            do { try replica.restore(table, id: id) } catch ReplicaError.rowCompacted {}
                        } else {
                            _ = try replica.insert(into: table, id: id, values: [column: .text("A\(round)")])
                        }
                    }
                }
            }
        }
        return replica
    }

    @Test("Die Kette findet dieselben Einträge wie das Durchsuchen des ganzen Protokolls", arguments: 0..<20)
    func chainMatchesScan(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let replica = try randomLab(directory, seed: seed)
        var walked = 0
        for id in Self.ids {
            let chain = try replica.loggedChangesByChain(of: id)
            #expect(chain != nil, "Kette von \(id) unvollständig")
            let scan = try replica.loggedChangesByScan(of: id)
            #expect(chain?.map(\.sequence) == scan.map(\.sequence))
            #expect(chain?.map(\.mask) == scan.map(\.mask))
            #expect(chain?.map(\.hlc) == scan.map(\.hlc))
            #expect(chain?.map(\.table) == scan.map(\.table))
            walked += scan.count
        }
        #expect(walked > 0)
    }

    @Test("Dieselbe Zeile zweimal in einer Transaktion: die Kette führt an beiden Einträgen vorbei zurück")
    func twiceInOneTransaction() throws {
        let directory = TemporaryDirectory()
        let replica = try Replica.test(directory, "a.ozg")
        let id = try replica.insert(into: "reise", values: ["titel": "Wohngeld"])
        try replica.transaction {
            try replica.update("reise", id: id, values: ["notiz": "erste Fassung"])
            try replica.update("reise", id: id, values: ["notiz": "zweite Fassung"])
        }
        let chain = try #require(try replica.loggedChangesByChain(of: id))
        #expect(chain.map(\.sequence) == (try replica.loggedChangesByScan(of: id)).map(\.sequence))
        let history = try replica.history(id: id)
        #expect(history.map(\.kind) == [.created, .changed, .changed])
        #expect(history[2].changes == [.init(column: "notiz", old: "erste Fassung", new: "zweite Fassung")])
    }

    @Test("Zeilen aus der Zeit vor der Kette: der Verlauf durchsucht das Protokoll und bleibt vollständig")
    func rowsWithoutChain() throws {
        let directory = TemporaryDirectory()
        let replica = try Replica.test(directory, "a.ozg")
        let id = try replica.insert(into: "reise", values: ["titel": "Wohngeld"])
        try replica.update("reise", id: id, values: ["notiz": "erste Fassung"])
        try replica.update("reise", id: id, values: ["notiz": "zweite Fassung"])
        let before = try replica.history(id: id)
        #expect(before.count == 3)
        // As an older version wrote it: no pointer in the row's metadata.
        let table = try replica.table("reise")
        var stored = try #require(try replica.loadRow(table, id: id))
        stored.meta.logSequence = nil
        try replica.database.execute(
            "UPDATE reise SET _ozg = ? WHERE id = ?", [try replica.encodedMeta(stored.meta), .text(id)])
        #expect(try replica.loggedChangesByChain(of: id) == nil)
        #expect(try replica.history(id: id) == before)
        // A new change starts from an unknown predecessor: still the scan, still complete.
        try replica.update("reise", id: id, values: ["notiz": "dritte Fassung"])
        #expect(try replica.loggedChangesByChain(of: id) == nil)
        #expect(try replica.history(id: id).map(\.kind) == [.created, .changed, .changed, .changed])
    }
}
