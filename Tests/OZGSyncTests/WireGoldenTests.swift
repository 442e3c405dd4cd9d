import Testing

@testable import OZGReplication
@testable import OZGStorage
@testable import OZGWire

/// A fixed batch that uses every feature of the format: UUID and other ids, table runs and switches,
/// causal lengths above 1, row versions, delete bases, cell bases, own cell lengths, repeated
/// versions and texts, every value type.
enum GoldenBatch {
    static func make() -> ChangeBatch {
        var generator = SeededGenerator(seed: 20_261_201)
        let sites = RandomChanges.sites
        var tick: UInt64 = 0
        func version() -> Version {
            tick += 1
            return Version(
                hlc: HybridLogicalClock.pack(milliseconds: 1_764_547_200_000 + tick * 37, counter: tick % 5),
                site: sites[Int(tick % UInt64(sites.count))])
        }
        var rows: [RowChange] = []
        for index in 0..<40 {
            let table = index % 7 < 4 ? "reise" : "schritt"
            let id =
                index % 3 == 0
                ? "id-\(index)-ä" : RowID.format(high: generator.next(), low: generator.next(), asVersion4: true)
            let cl = UInt64([1, 1, 1, 2, 3, 4][index % 6])
            let cellCl = cl % 2 == 1 ? cl : cl - 1
            let columns = table == "reise" ? ["titel", "notiz"] : ["reise_id", "position", "text", "emotion"]
            let shared = version()
            let cells = columns.enumerated().compactMap { offset, column -> CellChange? in
                guard (index + offset) % 4 != 3 else { return nil }
                let value: DatabaseValue =
                    offset == 0 && index % 2 == 0 ? .text("Wohngeld beantragen") : RandomChanges.value(&generator)
                return CellChange(
                    column: column, value: value, cl: offset == 1 && cl == 3 ? 1 : cellCl,
                    version: offset % 2 == 0 ? shared : version(), context: index % 5 == 0 ? [version()] : [],
                    siblings: index % 7 == 0
                        ? [CellSibling(version: version(), value: "älter", context: [version()])] : [])
            }
            rows.append(
                RowChange(
                    table: table, id: id, cl: cl, rowVersion: cl > 1 ? version() : nil,
                    deleteBase: cl % 2 == 0 ? version() : nil, cells: cells))
        }
        return ChangeBatch(rows: rows)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for (offset, byte) in bytes.enumerated() {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
            if offset % 32 == 31 { text.append("\n") }
        }
        return text + "\n"
    }
}

@Suite("Bytes auf der Leitung bleiben gleich")
struct WireGoldenTests {
    @Test("Ein festes Änderungspaket kodiert Byte für Byte wie Golden/batch.hex und kommt unverändert zurück")
    func batchBytes() throws {
        let batch = GoldenBatch.make()
        let bytes = ChangeBatchCodec.encode(batch)
        #expect(try matchesGolden(GoldenBatch.hex(bytes), "batch.hex"), "Kodierung weicht von Golden/batch.hex ab")
        #expect(try ChangeBatchCodec.decode(bytes) == batch)
    }

    @Test("Sync-Auftrag und -Antwort kodieren Byte für Byte wie Golden/sync-*.hex")
    func syncMessageBytes() throws {
        let batch = GoldenBatch.make()
        let request = SyncRequest(site: RandomChanges.sites[1], cursor: 4711, batch: batch)
        let response = SyncResponse(cursor: 9_000_000_001, more: true, batch: batch)
        let requestBytes = SyncWire.encode(request)
        let responseBytes = SyncWire.encode(response)
        #expect(try matchesGolden(GoldenBatch.hex(requestBytes), "sync-request.hex"))
        #expect(try matchesGolden(GoldenBatch.hex(responseBytes), "sync-response.hex"))
        #expect(try SyncWire.decodeRequest(requestBytes) == request)
        #expect(try SyncWire.decodeResponse(responseBytes) == response)
    }
}
