import Foundation
import OZGDomain
import OZGReplication
import OZGWire
import SyncServerCore
import Testing

/// Random and mangled bodies, straight into the router: thousands of them in well under a second.
@Suite("Verstümmelte Anfragen")
struct FuzzingTests {
    @Test("Tausende zufällige und verstümmelte Anfragen: nur 4xx, der Server läuft weiter, nichts ändert sich")
    func fuzzing() async throws {
        let data = ServerData()
        let token = try await data.lab("lab")
        let directory = ReplicaDirectory()
        let store = try LaborStore(path: directory.path("a.ozg"))
        try store.add("labor", id: "lab", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        let site = store.replica.siteID
        let state = try store.replica.fullState()
        // Fuzzed bodies go out with a read-only token: the decoder still sees every one of them, and a
        // mutation that happens to decode cannot become a legitimate write.
        let reader = try await data.registry.createToken(labs: ["lab"], role: .lesen, name: "Fuzz")
        let valid = SyncWire.encode(SyncRequest(site: .random(), cursor: 0, batch: state))
        try await data.inProcess { client in
            let pushed = try await client.sync(
                "lab", body: SyncRequestBody.make(state, site: site), headers: SyncRequestBody.headers(token))
            #expect(pushed.status == .ok)
            let before = try data.dump("lab")
            var random = SystemRandomNumberGenerator()
            var statuses: [Int: Int] = [:]
            // nil sends no Content-Encoding at all; "" sends the header empty.
            let encodings: [String?] = ["deflate", "identity", "gzip", "", "DEFLATE", nil]
            for round in 0..<2000 {
                var bytes: [UInt8]
                switch round % 4 {
                case 0:
                    bytes = (0..<Int.random(in: 0..<300, using: &random)).map { _ in
                        UInt8.random(in: 0...255, using: &random)
                    }
                case 1:
                    bytes = valid
                    for _ in 0..<Int.random(in: 1...4, using: &random) {
                        bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(
                            in: 0...255, using: &random)
                    }
                case 2: bytes = Array(valid.prefix(Int.random(in: 0..<valid.count, using: &random)))
                default:
                    bytes = [0x4F, 0x5A, 0x51, 0x01] + (0..<40).map { _ in UInt8.random(in: 0...255, using: &random) }
                }
                let encoding = encodings[round % encodings.count]
                if encoding?.lowercased() == "deflate" { bytes = try Deflate.compress(bytes) }
                var headers = SyncRequestBody.headers(round % 7 == 0 ? "Bearer \(reader)" : reader)
                headers["Content-Encoding"] = encoding
                let response = try await client.sync("lab", body: bytes, headers: headers)
                statuses[Int(response.status.code), default: 0] += 1
            }
            #expect(statuses.keys.allSatisfy { (400..<500).contains($0) || $0 == 200 }, "\(statuses)")
            #expect(statuses.filter { $0.key >= 500 }.isEmpty)
            #expect(try data.dump("lab") == before)
            let health = try await client.get("/healthz")
            #expect(health.status == .ok && health.text == "ok\n")
            // The writer still syncs: its own state again (nothing changes) and the page after cursor 0.
            let again = try await client.sync(
                "lab", body: SyncRequestBody.make(state, site: site), headers: SyncRequestBody.headers(token))
            #expect(again.status == .ok)
            #expect(try data.dump("lab") == before)
        }
    }
}
