import Foundation
import Testing

@testable import OZGDomain
@testable import OZGReplication
@testable import OZGStorage

@Suite("Uhr, IDs und Positionsschlüssel")
struct ClockAndIndexTests {
    @Test("Die Uhr geht nie rückwärts, auch wenn die Wanduhr zurückspringt")
    func clockIsMonotonic() {
        let box = ManualClock(1_000_000)
        var clock = HybridLogicalClock(last: 0, wallClock: box.read)
        let first = clock.tick()
        box.set(500_000)
        let second = clock.tick()
        #expect(second > first)
        #expect(HybridLogicalClock.pack(milliseconds: 1_000_000) <= first)
    }

    @Test("Eine Uhr weit in der Zukunft wird mit verständlicher Meldung abgelehnt")
    func clockRefusesDrift() {
        let box = ManualClock(10_000_000)
        var clock = HybridLogicalClock(last: 0, wallClock: box.read)
        let remote = HybridLogicalClock.pack(milliseconds: 10_000_000 + 3_600_000)
        do {
            try clock.observe(remote, maxDriftMilliseconds: 600_000)
            Issue.record("kein Fehler")
        } catch {
            #expect(error.description.contains("60 Minuten"))
            #expect(error.description.contains("Uhrzeit"))
        }
        #expect(clock.last == 0)
        try? clock.observe(HybridLogicalClock.pack(milliseconds: 10_000_000 + 1000), maxDriftMilliseconds: 600_000)
        #expect(clock.tick() > HybridLogicalClock.pack(milliseconds: 10_001_000))
    }

    @Test("Die Uhr überdauert das Schließen und Öffnen der Datei")
    func clockPersists() throws {
        let directory = TemporaryDirectory()
        let box = ManualClock(2_000_000)
        let configuration = Replica.Configuration(wallClock: box.read)
        var replica = try Replica.test(directory, "a.ozg", configuration: configuration)
        let site = replica.siteID
        let id = try replica.insert(into: "reise", values: ["titel": "A"])
        let written = try #require(try replica.cellState(table: "reise", id: id, column: "titel")).version
        replica.close()
        box.set(1_000_000)
        replica = try Replica.test(directory, "a.ozg", configuration: configuration)
        #expect(replica.siteID == site)
        try replica.update("reise", id: id, values: ["titel": "B"])
        let next = try #require(try replica.cellState(table: "reise", id: id, column: "titel"))
        #expect(next.version > written)
        // The site's own earlier write is implied by the version: no context for one writer.
        #expect(next.context.isEmpty)
    }

    @Test("Zeilen-IDs sind kanonische UUIDs und lassen sich in 16 Bytes packen")
    func rowIDs() {
        var seen = Set<String>()
        for _ in 0..<1000 {
            let id = RowID.generate()
            #expect(id.count == 36)
            #expect(RowID.packedBytes(id).map { RowID.text(fromPacked: $0[...]) } == id)
            seen.insert(id)
        }
        #expect(seen.count == 1000)
        #expect(RowID.packedBytes("ABCDEF00-0000-4000-8000-000000000000") == nil)
        #expect(RowID.packedBytes("wohngeld-mv") == nil)
        #expect(RowID.derived(from: ["a", "b"]) == RowID.derived(from: ["a", "b"]))
        #expect(RowID.derived(from: ["a", "b"]) != RowID.derived(from: ["ab"]))
    }

    @Test("Positionsschlüssel liegen immer zwischen ihren Nachbarn", arguments: [1, 2, 3])
    func fractionalIndexOrders(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var keys: [String] = []
        for _ in 0..<500 {
            let slot = Int.random(in: 0...keys.count, using: &generator)
            let lower = slot > 0 ? keys[slot - 1] : nil
            let upper = slot < keys.count ? keys[slot] : nil
            let key = FractionalIndex.between(lower, upper, using: &generator)
            if let lower { #expect(lower < key, "\(lower) < \(key)") }
            if let upper { #expect(key < upper, "\(key) < \(upper)") }
            keys.insert(key, at: slot)
        }
        #expect(keys == keys.sorted())
        #expect(keys.map(\.count).max()! < 40)
    }

    @Test("Zwei Replikate, die an derselben Stelle einfügen, bekommen verschiedene Schlüssel")
    func concurrentInsertsDiffer() {
        let a = FractionalIndex.between("V", "W")
        let b = FractionalIndex.between("V", "W")
        #expect(a != b)
        for key in [a, b] { #expect("V" < key && key < "W") }
        #expect(FractionalIndex.between("Vz", "W") > "Vz")
        #expect(FractionalIndex.after(nil) < "z")
    }

    /// Keys never end in `0`, so there is always room before a key (a bound's trailing zeros are
    /// dropped, so a key `K0` would sort like `K`); mutant `index-may-end-in-zero`.
    @Test("Erzeugte Positionen enden nie auf 0 und bleiben bei 5.000 zufälligen Einfügungen streng geordnet")
    func keysNeverEndInZero() {
        var generator = SeededGenerator(seed: 42)
        var keys: [String] = []
        for _ in 0..<5000 {
            let slot = Int.random(in: 0...keys.count, using: &generator)
            let key = FractionalIndex.between(
                slot > 0 ? keys[slot - 1] : nil, slot < keys.count ? keys[slot] : nil, using: &generator)
            #expect(key.last != "0", "\(key)")
            keys.insert(key, at: slot)
        }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
    }
}

/// A wall clock a test can move by hand.
final class ManualClock: @unchecked Sendable {
    // Guarded by `lock`: tests read it from the replica and write it from the test body.
    private var milliseconds: UInt64
    private let lock = NSLock()

    init(_ milliseconds: UInt64) { self.milliseconds = milliseconds }

    func set(_ value: UInt64) { locked { milliseconds = value } }
    func advance(_ delta: UInt64) { locked { milliseconds += delta } }
    var read: HybridLogicalClock.WallClock { { self.locked { self.milliseconds } } }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}
