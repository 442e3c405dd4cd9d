import Synchronization
import Testing

@testable import OZGDomain
@testable import OZGReplication
@testable import OZGStorage
@testable import OZGWire

/// Random change batches for codec and merge properties.
enum RandomChanges {
    static let sites = (0..<4).map { SiteID(high: UInt64($0) &* 0x1234_5678_9abc, low: UInt64($0) + 7) }

    static func value(_ generator: inout SeededGenerator) -> DatabaseValue {
        switch Int.random(in: 0..<7, using: &generator) {
        case 6:
            return .real(
                [12.5, 0.1, -3.0, 123.4567, 1e11, -0.0, .infinity, 0.30000000000000004].randomElement(
                    using: &generator)!)
        case 0: return .null
        case 1: return .integer(Int64.random(in: Int64.min...Int64.max, using: &generator))
        case 2: return .real(Double.random(in: -1e6...1e6, using: &generator))
        case 3: return .text(["", "a", "Grüße", "Lange Zeile mit „Zitat“", "👋"].randomElement(using: &generator)!)
        case 4:
            return .blob(
                (0..<Int.random(in: 0..<5, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            )
        default: return .integer(Int64.random(in: -2...2, using: &generator))
        }
    }

    /// A version no other call returns: one (hlc, site) identifies one write, as on real replicas.
    static func version(_ generator: inout SeededGenerator) -> Version {
        let counter = Counter.next()
        return Version(
            hlc: HybridLogicalClock.pack(
                milliseconds: 1_700_000_000_000 + UInt64.random(in: 0..<50, using: &generator),
                counter: counter),
            site: sites.randomElement(using: &generator)!)
    }

    /// A cell written at `version(…)` whose writer had merged writes of some other sites (context)
    /// and that holds concurrent writes of others that lost by the clock (siblings): every context
    /// entry and sibling older than the winner, each site once, as `PeerChangeRules` demands.
    static func causalCell(_ generator: inout SeededGenerator, column: String, cl: UInt64) -> CellChange {
        let winner = version(&generator)
        var context: [Version] = []
        var siblings: [CellSibling] = []
        for site in sites.shuffled(using: &generator) where site != winner.site {
            let older = HybridLogicalClock.pack(
                milliseconds: winner.milliseconds - 1 - UInt64.random(in: 0..<3, using: &generator),
                counter: Counter.next())
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: context.append(Version(hlc: older, site: site))
            case 1: siblings.append(CellSibling(version: Version(hlc: older, site: site), value: value(&generator)))
            default: break
            }
        }
        return CellChange(
            column: column, value: value(&generator), cl: cl, version: winner,
            context: context.sorted { $0.site < $1.site }, siblings: siblings.sorted { $0.version > $1.version })
    }

    /// Changes over a few rows of the test schema, with realistic cl values (cells odd, rows any).
    ///
    /// Like an extracted batch, each row appears at most once.
    static func batch(_ generator: inout SeededGenerator, rows: Int = 6, ids: [String]) -> ChangeBatch {
        var result: [RowChange] = []
        for id in ids.shuffled(using: &generator).prefix(rows) {
            let cl = UInt64.random(in: 1...4, using: &generator)
            let cellCl = cl % 2 == 1 ? cl : cl - 1
            let columns = ["titel", "notiz"].filter { _ in Bool.random(using: &generator) }
            let cells = columns.map { column in
                causalCell(&generator, column: column, cl: cellCl)
            }
            let rowVersion: Version? = cl > 1 ? version(&generator) : nil
            result.append(
                RowChange(
                    table: "reise", id: id, cl: cl, rowVersion: rowVersion,
                    deleteBase: cl % 2 == 0 ? version(&generator) : nil, cells: cells))
        }
        return ChangeBatch(rows: result)
    }
}

/// Hands out distinct counters across concurrently running tests.
enum Counter {
    static let value = Atomic<UInt64>(0)
    static func next() -> UInt64 { value.add(1, ordering: .relaxed).newValue & 0xFFFF }
}

@Suite("Kodierung der Änderungspakete")
struct CodecTests {
    @Test("Kodieren und Dekodieren ergibt dasselbe Paket", arguments: 0..<50)
    func roundTrip(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let ids = [RowID.generate(), "wohngeld-mv", RowID.generate()]
        let batch = RandomChanges.batch(&generator, rows: 3, ids: ids)
        #expect(try ChangeBatchCodec.decode(ChangeBatchCodec.encode(batch)) == batch)
        #expect(try ChangeBatchCodec.decodeCompressed(ChangeBatchCodec.encodeCompressed(batch)) == batch)
    }

    @Test("Dezimalzahlen kommen bitgenau zurück, ob kompakt oder mit 8 Bytes kodiert")
    func decimalsRoundTripExactly() throws {
        var generator = SeededGenerator(seed: 5)
        var compact = 0
        for _ in 0..<20000 {
            let scale = [1.0, 10, 100, 1000, 10000, 3].randomElement(using: &generator)!
            let value = Double(Int.random(in: -10_000_000...10_000_000, using: &generator)) / scale
            let encoded = ValueList.encode([.real(value)])
            let decoded = try ValueList.decode(encoded)
            guard case .real(let back) = decoded[0] else {
                Issue.record("kein REAL")
                continue
            }
            #expect(back.bitPattern == value.bitPattern, "\(value)")
            if encoded.count < 9 { compact += 1 }
        }
        #expect(compact > 15000)
    }

    @Test("Zufällige Bytes werden abgelehnt, nie ein Absturz")
    func randomBytesAreRejected() {
        var generator = SeededGenerator(seed: 99)
        var rejected = 0
        for round in 0..<5000 {
            var bytes = (0..<Int.random(in: 0..<200, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            if round % 2 == 0 { bytes = ChangeBatchCodec.magic + bytes }
            do {
                _ = try ChangeBatchCodec.decode(bytes)
            } catch {
                rejected += 1
                #expect(error.description.hasPrefix("Ungültiges Änderungspaket:"))
            }
        }
        #expect(rejected > 4900)
    }

    @Test("Jede Kürzung und jedes gekippte Byte eines echten Pakets wird sauber behandelt")
    func truncationsAndMutations() throws {
        var generator = SeededGenerator(seed: 7)
        let batch = RandomChanges.batch(&generator, rows: 10, ids: [RowID.generate(), "x"])
        let bytes = ChangeBatchCodec.encode(batch)
        for length in 0..<bytes.count {
            #expect(throws: ChangeBatchDecodingError.self) { try ChangeBatchCodec.decode(Array(bytes[0..<length])) }
        }
        for index in bytes.indices {
            var mutated = bytes
            mutated[index] ^= UInt8.random(in: 1...255, using: &generator)
            _ = try? ChangeBatchCodec.decode(mutated)  // must return or throw, never trap
        }
        #expect(throws: ChangeBatchDecodingError.self) { try ChangeBatchCodec.decode(bytes + [0]) }
    }

    @Test("Ungültige oder übergroße Kompression wird mit Meldung abgelehnt")
    func badCompression() throws {
        let batch = ChangeBatch(rows: [])
        let good = try ChangeBatchCodec.encodeCompressed(batch)
        for bytes in [[], [1, 2, 3], Array(good.dropLast(2)), good + [9]] as [[UInt8]] {
            do {
                _ = try ChangeBatchCodec.decodeCompressed(bytes)
                Issue.record("angenommen: \(bytes)")
            } catch let error as ChangeBatchDecodingError {
                #expect(error.description.contains("komprimierten Daten"))
            }
        }
        let bomb = try Deflate.compress([UInt8](repeating: 0, count: 1 << 20))
        #expect(throws: DeflateError.tooLarge(limit: 1000)) { try Deflate.decompress(bomb, maxOutputBytes: 1000) }
    }

    @Test("Eine eingefügte Zeile mit sechs Spalten kostet wenige Bytes je Änderung")
    func compactRowInsert() {
        let site = SiteID.random()
        let version = Version(hlc: HybridLogicalClock.pack(milliseconds: 1_750_000_000_000), site: site)
        let rows = (0..<100).map { index in
            RowChange(
                table: "persona", id: RowID.generate(), cl: 1,
                cells: [
                    CellChange(column: "name", value: .text("Person \(index)"), cl: 1, version: version),
                    CellChange(column: "alter", value: .integer(30), cl: 1, version: version),
                    CellChange(column: "dauer", value: .real(12.5), cl: 1, version: version),
                    CellChange(column: "status", value: "offen", cl: 1, version: version),
                    CellChange(column: "jahr", value: .integer(2026), cl: 1, version: version),
                    CellChange(column: "notiz", value: "kurz", cl: 1, version: version),
                ])
        }
        let bytes = ChangeBatchCodec.encode(ChangeBatch(rows: rows))
        #expect(bytes.count / 600 <= 16)
    }
}
