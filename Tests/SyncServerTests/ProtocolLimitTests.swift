import Foundation
import HTTPTypes
import OZGReplication
import OZGWire
import SyncServerCore
import Testing

/// What the protocol refuses and with which answer, checked on the router in process.
@Suite("Grenzen des Protokolls")
struct ProtocolLimitTests {
    @Test("Falsche Version 409, zu groß 413, Uhr weit voraus 422 – und nichts wird gespeichert")
    func protocolLimits() async throws {
        let data = ServerData()
        let token = try await data.lab("lab")
        let headers = SyncRequestBody.headers(token)
        var random = SystemRandomNumberGenerator()
        let big = (0..<(100 << 10)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let future = Version(
            hlc: HybridLogicalClock.pack(milliseconds: HybridLogicalClock.systemMilliseconds() + 86_400_000),
            site: SyncRequestBody.testSite)
        let ahead = ChangeBatch(rows: [
            RowChange(
                table: "persona", id: RowID.generate(), cl: 1,
                cells: [
                    CellChange(column: "name", value: "Zukunft", cl: 1, version: future)
                ])
        ])
        let reserved = ChangeBatch(rows: [
            RowChange(
                table: "_ozg_log", id: "x", cl: 1,
                cells: [
                    CellChange(
                        column: "a", value: 1, cl: 1, version: Version(hlc: 1, site: SyncRequestBody.testSite),
                    )
                ])
        ])
        try await data.inProcess(data.configuration { $0.maxBodyBytes = 64 << 10 }) { client in
            let opened = try await client.sync("lab", body: SyncRequestBody.make(), headers: headers)
            #expect(opened.status == .ok)
            let before = try data.dump("lab")
            // A client of protocol 1 (before exact conflicts) is refused and told to update.
            let version = try await client.sync("lab", body: SyncRequestBody.make(version: 1), headers: headers)
            #expect(version.status.code == 409)
            #expect(try version.error.message.contains("Bitte OZG Labor-Sync auf diesem Gerät aktualisieren"))
            let size = try await client.sync("lab", body: big, headers: headers)
            #expect(size.status.code == 413)
            let drift = try await client.sync("lab", body: SyncRequestBody.make(ahead), headers: headers)
            #expect(drift.status.code == 422)
            #expect(try drift.error.message.contains(future.site.shortHex))
            let name = try await client.sync("lab", body: SyncRequestBody.make(reserved), headers: headers)
            #expect(name.status.code == 400)
            #expect(try data.dump("lab") == before)
        }
    }

    @Test("Jede Ablehnung des Inhalts hat ihren Code und eine deutsche Meldung, die sagt, was erlaubt ist")
    func bodyRefusals() async throws {
        let data = ServerData()
        let token = try await data.lab("lab")
        let twoChanges = ChangeBatch(rows: [
            RowChange(
                table: "persona", id: RowID.generate(), cl: 1,
                cells: [
                    CellChange(
                        column: "name", value: "A", cl: 1, version: Version(hlc: 1, site: SyncRequestBody.testSite),
                    ),
                    CellChange(
                        column: "ziele", value: "B", cl: 1, version: Version(hlc: 2, site: SyncRequestBody.testSite),
                    ),
                ])
        ])
        let raw = SyncWire.encode(SyncRequest(site: .random(), cursor: 0, batch: ChangeBatch()))
        let cases: [(body: [UInt8], encoding: String?, status: Int, error: SyncErrorBody)] = [
            (
                [1, 2, 3], "deflate", 400,
                SyncErrorBody(
                    error: "kompression_ungueltig",
                    message: "Der Inhalt ist nicht gültig deflate-komprimiert (Content-Encoding: deflate).")
            ),
            (
                raw, "gzip", 400,
                SyncErrorBody(
                    error: "kodierung_unbekannt",
                    message: "Content-Encoding „gzip“ wird nicht unterstützt; erlaubt: deflate oder keine.")
            ),
            (
                [0x4F, 0x5A], nil, 400,
                SyncErrorBody(
                    error: "anfrage_ungueltig", message: "Ungültige Anfrage: Kein Sync-Auftrag (Kennung „OZQ“ erwartet)"
                )
            ),
            (
                try SyncRequestBody.make(version: 7), "deflate", 409,
                SyncErrorBody(
                    error: "protokollversion",
                    message:
                        "Protokollversion 7 wird nicht unterstützt; dieser Server spricht Version 2. Bitte den Server aktualisieren."
                )
            ),
            (
                try Deflate.compress([UInt8](repeating: 0, count: 5000)), "deflate", 413,
                SyncErrorBody(error: "zu_gross", message: "Entpackt ist die Anfrage größer als 4096 Bytes.")
            ),
            (
                [UInt8](repeating: 0, count: 3000), "identity", 413,
                SyncErrorBody(
                    error: "zu_gross",
                    message: "Die Anfrage ist größer als 2048 Bytes; bitte in kleineren Teilen senden.")
            ),
            (
                try SyncRequestBody.make(twoChanges), "deflate", 413,
                SyncErrorBody(
                    error: "zu_viele_aenderungen", message: "Höchstens 1 Änderungen je Anfrage (gesendet: 2).")
            ),
        ]
        let configuration = data.configuration {
            $0.maxBodyBytes = 2048
            $0.maxInflatedBytes = 4096
            $0.maxChangesPerRequest = 1
        }
        try await data.inProcess(configuration) { client in
            for (body, encoding, status, error) in cases {
                var headers = SyncRequestBody.headers(token)
                headers["Content-Encoding"] = encoding
                let response = try await client.sync("lab", body: body, headers: headers)
                #expect(Int(response.status.code) == status, "\(error.error)")
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(try response.error == error)
            }
        }
        #expect(try data.dump("lab").isEmpty)
    }
}
