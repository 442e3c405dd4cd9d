import Testing

@testable import OZGDomain
@testable import OZGReplication
@testable import OZGStorage

@Suite("Eigenschaften des Zusammenführens")
struct MergePropertyTests {
    static let ids = (0..<6).map { _ in RowID.generate() }

    func fresh(_ directory: TemporaryDirectory, _ name: String) throws -> Replica {
        try Replica.test(directory, name, configuration: .init(maxDriftMilliseconds: UInt64.max / 4))
    }

    @Test("Zweimal anwenden ändert nichts (Idempotenz)", arguments: 0..<40)
    func idempotence(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let batch = RandomChanges.batch(&generator, rows: 12, ids: Self.ids)
        let directory = TemporaryDirectory()
        let replica = try fresh(directory, "a.ozg")
        try replica.apply(batch)
        let once = try replica.canonicalDump(includeConflicts: false)
        let sequence = try replica.lastSequence()
        let again = try replica.apply(batch)
        #expect(again.changedRows == 0)
        #expect(try replica.canonicalDump(includeConflicts: false) == once)
        #expect(try replica.lastSequence() == sequence)
    }

    @Test("Die Reihenfolge spielt keine Rolle (Kommutativität)", arguments: 0..<40)
    func commutativity(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let x = RandomChanges.batch(&generator, rows: 8, ids: Self.ids)
        let y = RandomChanges.batch(&generator, rows: 8, ids: Self.ids)
        let directory = TemporaryDirectory()
        let a = try fresh(directory, "a.ozg")
        let b = try fresh(directory, "b.ozg")
        try a.apply(x)
        try a.apply(y)
        try b.apply(y)
        try b.apply(x)
        #expect(try a.canonicalDump(includeConflicts: false) == b.canonicalDump(includeConflicts: false))
    }

    @Test("Die Gruppierung spielt keine Rolle (Assoziativität)", arguments: 0..<40)
    func associativity(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let x = RandomChanges.batch(&generator, rows: 6, ids: Self.ids)
        let y = RandomChanges.batch(&generator, rows: 6, ids: Self.ids)
        let z = RandomChanges.batch(&generator, rows: 6, ids: Self.ids)
        let directory = TemporaryDirectory()
        // (x ⊔ y) ⊔ z: x and y merged on one replica, its state then merged with z elsewhere.
        let left = try fresh(directory, "l.ozg")
        try left.apply(x)
        try left.apply(y)
        let leftFinal = try fresh(directory, "lf.ozg")
        try leftFinal.apply(try left.fullState())
        try leftFinal.apply(z)
        // x ⊔ (y ⊔ z)
        let right = try fresh(directory, "r.ozg")
        try right.apply(y)
        try right.apply(z)
        let rightFinal = try fresh(directory, "rf.ozg")
        try rightFinal.apply(x)
        try rightFinal.apply(try right.fullState())
        #expect(
            try leftFinal.canonicalDump(includeConflicts: false) == rightFinal.canonicalDump(includeConflicts: false))
    }
}
