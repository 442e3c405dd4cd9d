import OZGReplication
import OZGWire
import Testing

/// Pins what the server and the client say about a body they cannot read: these messages reach the
/// user in a 400 answer or a failed sync.
@Suite("Umschläge von Auftrag und Antwort")
struct SyncWireEnvelopeTests {
    static let request = SyncRequest(
        site: SiteID(bytes: [UInt8](repeating: 7, count: 16))!, cursor: 300,
        batch: ChangeBatch(rows: [
            RowChange(
                table: "persona", id: "p1", cl: 1,
                cells: [
                    CellChange(
                        column: "name", value: "Erika", cl: 1, version: Version(hlc: 5, site: .random()))
                ])
        ]))
    static let response = SyncResponse(cursor: 300, more: true, batch: request.batch)

    @Test("Auftrag und Antwort kommen unverändert durch Kodieren und Dekodieren")
    func roundTrip() throws {
        #expect(try SyncWire.decodeRequest(SyncWire.encode(Self.request)) == Self.request)
        #expect(try SyncWire.decodeResponse(SyncWire.encode(Self.response)) == Self.response)
    }

    @Test("Ein Auftrag mit falscher Kennung, fremder Version oder abgeschnitten wird mit Grund abgelehnt")
    func malformedRequests() {
        let valid = SyncWire.encode(Self.request)
        let cases: [([UInt8], SyncWireError)] = [
            ([], .malformed("Kein Sync-Auftrag (Kennung „OZQ“ erwartet)")),
            (SyncWire.encode(Self.response), .malformed("Kein Sync-Auftrag (Kennung „OZQ“ erwartet)")),
            ([0x4F, 0x5A, 0x51, 0x01, 0x01], .unsupportedVersion(1)),
            ([0x4F, 0x5A, 0x51, 0x01, 0x03], .unsupportedVersion(3)),
            (Array(valid.prefix(5)), .malformed("Der Auftrag endet vorzeitig")),
            (Array(valid.prefix(12)), .malformed("Der Auftrag endet vorzeitig")),
            (Array(valid.prefix(21)), .malformed("Der Auftrag endet vorzeitig")),
            (
                [0x4F, 0x5A, 0x51, 0x01, 0x02] + [UInt8](repeating: 1, count: 16) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + [
                    0xFF, 0xFF, 0xFF, 0xFF, 0x01,
                ], .malformed("Cursor zu groß")
            ),
        ]
        for (bytes, expected) in cases {
            #expect(throws: expected, "\(bytes)") { try SyncWire.decodeRequest(bytes) }
        }
        // A client of protocol 1 is told to update itself, a newer one that the server is older.
        #expect(
            SyncWireError.unsupportedVersion(1).description
                == "Protokollversion 1 wird nicht mehr unterstützt; dieser Server spricht Version 2 (genaue Konflikte "
                + "unter vielen Schreibenden). Bitte OZG Labor-Sync auf diesem Gerät aktualisieren; die lokale Datei "
                + "und ihre noch nicht übertragenen Änderungen bleiben erhalten.")
        #expect(
            SyncWireError.unsupportedVersion(3).description
                == "Protokollversion 3 wird nicht unterstützt; dieser Server spricht Version 2. Bitte den Server aktualisieren."
        )
    }

    @Test("Eine Antwort mit falscher Kennung, ungültigem „more“ oder abgeschnitten wird mit Grund abgelehnt")
    func malformedResponses() {
        let valid = SyncWire.encode(Self.response)
        let cases: [([UInt8], SyncWireError)] = [
            ([0x4F], .malformed("Keine Sync-Antwort (Kennung „OZP“ erwartet)")),
            (SyncWire.encode(Self.request), .malformed("Keine Sync-Antwort (Kennung „OZP“ erwartet)")),
            (Array(valid.prefix(5)), .malformed("Die Antwort endet vorzeitig")),
            ([0x4F, 0x5A, 0x50, 0x01, 0x00, 0x02], .malformed("Feld „more“ ungültig")),
            (
                [0x4F, 0x5A, 0x50, 0x01] + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
                .malformed("Cursor zu groß")
            ),
        ]
        for (bytes, expected) in cases {
            #expect(throws: expected, "\(bytes)") { try SyncWire.decodeResponse(bytes) }
        }
    }

    @Test("Ein kaputtes Änderungspaket nennt den Fehler des Paketdekoders")
    func brokenBatch() throws {
        let request = SyncWire.encode(Self.request)
        let response = SyncWire.encode(Self.response)
        // Header lengths: request magic 4 + version 1 + site 16 + cursor 2; response magic 4 + cursor 2 + more 1.
        let batchError = #expect(throws: ChangeBatchDecodingError.self) {
            try ChangeBatchCodec.decode(Array(request[23...].dropLast()))
        }
        let expected = SyncWireError.malformed(batchError?.description ?? "")
        #expect(throws: expected) { try SyncWire.decodeRequest(Array(request.dropLast())) }
        #expect(throws: expected) { try SyncWire.decodeResponse(Array(response.dropLast())) }
    }
}
