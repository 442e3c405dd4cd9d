import Foundation
import HummingbirdTesting
import OZGDomain
import OZGReplication
import OZGStorage
import OZGWire
import SyncServerCore
import Testing

/// The attacks of issue 9, each through the real server: a writer with a valid token sends
/// well-formed changes with hostile content. Nothing may crash, lock out or split the lab.
@Suite("Feindliche Replikate")
struct HostilePeerTests {
    /// A cell written now by `site`.
    static func cell(_ column: String, _ value: DatabaseValue, site: SiteID, cl: UInt64 = 1) -> CellChange {
        CellChange(
            column: column, value: value, cl: cl,
            version: Version(
                hlc: HybridLogicalClock.pack(milliseconds: HybridLogicalClock.systemMilliseconds()), site: site),
        )
    }

    static func row(_ table: String, id: String = RowID.generate(), cl: UInt64 = 1, _ cells: [CellChange])
        -> ChangeBatch
    {
        ChangeBatch(rows: [RowChange(table: table, id: id, cl: cl, cells: cells)])
    }

    @Test("Fremde Felder und Tabellen sind je Labor begrenzt und sperren kein vereinbartes Feld aus")
    func junkColumnsLockNobodyOut() async throws {
        let data = ServerData()
        let attacker = try await data.lab("lab", name: "Angreifer")
        let honest = try await data.lab("lab", name: "Ehrlich")
        let evil = SiteID.random()
        let good = SiteID.random()
        let junk = (1...8).map { Self.cell("junk\($0)", .text("x"), site: evil) }
        try await data.inProcess { client in
            func push(_ batch: ChangeBatch, token: String, site: SiteID) async throws -> TestResponse {
                try await client.sync(
                    "lab", body: SyncRequestBody.make(batch, site: site), headers: SyncRequestBody.headers(token))
            }
            #expect(try await push(Self.row("persona", junk), token: attacker, site: evil).status == .ok)
            for table in 1...8 {
                let response = try await push(
                    Self.row("t\(table)", [Self.cell("a", 1, site: evil)]), token: attacker, site: evil)
                #expect(response.status == .ok)
            }
            let before = try data.dump("lab")
            let ninthColumn = try await push(
                Self.row("persona", [Self.cell("junk9", .text("x"), site: evil)]), token: attacker, site: evil)
            #expect(ninthColumn.status.code == 422)
            #expect(try ninthColumn.error.error == "schema_grenze")
            #expect(try ninthColumn.error.message.contains("höchstens 8 je Tabelle"))
            let ninthTable = try await push(
                Self.row("t9", [Self.cell("a", 1, site: evil)]), token: attacker, site: evil)
            #expect(ninthTable.status.code == 422)
            #expect(try ninthTable.error.message.contains("nicht vereinbarte Tabellen"))
            #expect(try data.dump("lab") == before)
            // A declared column nobody used before still works, and so does a restore of every column.
            let id = RowID.generate()
            let persona = Self.row(
                "persona", id: id,
                [
                    Self.cell("labor_id", "lab", site: good), Self.cell("name", "Erika", site: good),
                    Self.cell("altersgruppe", "35", site: good),
                ])
            #expect(try await push(persona, token: honest, site: good).status == .ok)
            let restore = ChangeBatch(rows: [
                RowChange(
                    table: "persona", id: id, cl: 3,
                    rowVersion: Version(
                        hlc: HybridLogicalClock.pack(milliseconds: HybridLogicalClock.systemMilliseconds()), site: good),
                    cells: Domain.schema.tables.first { $0.name == "persona" }!.columns.map {
                        Self.cell($0.name, $0.name == "name" ? "Erika M." : .null, site: good, cl: 3)
                    })
            ])
            #expect(try await push(restore, token: honest, site: good).status == .ok)
        }
        #expect(try data.dump("lab").contains("Erika M."))
    }

    @Test("Niemand schreibt unter fremder Geräte-ID, Autorennamen oder Konflikte; nur ein Hub leitet weiter")
    func forgedSitesAreRefused() async throws {
        let data = ServerData()
        let victimToken = try await data.lab("lab", name: "Opfer")
        let attacker = try await data.lab("lab", name: "Angreifer")
        let hub = try await data.lab("lab", role: .hub, name: "Workshop-Box")
        let victim = SiteID.random()
        let evil = SiteID.random()
        let id = RowID.generate()
        try await data.inProcess { client in
            func push(_ batch: ChangeBatch, token: String, site: SiteID) async throws -> TestResponse {
                try await client.sync(
                    "lab", body: SyncRequestBody.make(batch, site: site), headers: SyncRequestBody.headers(token))
            }
            let original = Self.row(
                "persona", id: id,
                [Self.cell("labor_id", "lab", site: victim), Self.cell("name", "Erika", site: victim)])
            #expect(try await push(original, token: victimToken, site: victim).status == .ok)
            let before = try data.dump("lab")
            // Speaking as the victim's device.
            let impersonation = try await push(ChangeBatch(), token: attacker, site: victim)
            #expect(impersonation.status == .forbidden)
            #expect(try impersonation.error.error == "geraet_fremd")
            // Writing versions in the victim's name from its own device.
            let forged = try await push(
                Self.row("persona", id: id, [Self.cell("name", "Gefälscht", site: victim)]), token: attacker, site: evil
            )
            #expect(forged.status.code == 422)
            #expect(try forged.error.error == "aenderung_fremd")
            #expect(try forged.error.message.contains(victim.shortHex))
            // Renaming the victim's author.
            let author = try await push(
                Self.row("_ozg_geraet", id: victim.hex, [Self.cell("autor", "Mallory", site: evil)]), token: attacker,
                site: evil)
            #expect(author.status.code == 422)
            #expect(try author.error.error == "aenderung_abgelehnt")
            // A fake conflict (the detection's pseudo-site 0) from a writer.
            let fakeConflict = Self.row(
                ConflictRecord.tableName, [Self.cell("tabelle", "persona", site: Replica.conflictSite)])
            let conflict = try await push(fakeConflict, token: attacker, site: evil)
            #expect(try conflict.error.error == "aenderung_fremd")
            // Even a hub cannot relay a conflict row that does not match its id.
            let hubConflict = try await push(fakeConflict, token: hub, site: SiteID.random())
            #expect(try hubConflict.error.error == "aenderung_abgelehnt")
            #expect(try data.dump("lab") == before)
            // A hub relays what other devices wrote.
            let relayed = Self.row(
                "persona", [Self.cell("labor_id", "lab", site: evil), Self.cell("name", "Über die Box", site: evil)])
            #expect(try await push(relayed, token: hub, site: SiteID.random()).status == .ok)
        }
        #expect(try data.dump("lab").contains("Über die Box"))
        #expect(try !data.dump("lab").contains("Gefälscht"))
    }

    @Test("Ein Token bindet höchstens 8 Geräte")
    func devicesPerToken() async throws {
        let data = ServerData()
        let token = try await data.lab("lab")
        try await data.inProcess { client in
            for _ in 1...8 {
                let response = try await client.sync(
                    "lab", body: SyncRequestBody.make(site: .random()), headers: SyncRequestBody.headers(token))
                #expect(response.status == .ok)
            }
            let ninth = try await client.sync(
                "lab", body: SyncRequestBody.make(site: .random()), headers: SyncRequestBody.headers(token))
            #expect(ninth.status == .forbidden)
            #expect(try ninth.error.error == "geraete_grenze")
        }
        let tokenID = String(token.split(separator: "_")[1])
        #expect(try await data.registry.devices(of: tokenID).count == 8)
    }

    @Test("Übergroße Werte, Kausallängen jenseits der Grenze und große Lese-Anfragen werden abgewiesen")
    func boundsAtTheServer() async throws {
        let data = ServerData()
        let token = try await data.lab("lab")
        let reader = try await data.lab("lab", role: .lesen, name: "Leser")
        let site = SiteID.random()
        try await data.inProcess { client in
            let huge = Self.row(
                "persona", [Self.cell("name", .text(String(repeating: "x", count: 2 << 20)), site: site)])
            let tooBig = try await client.sync(
                "lab", body: SyncRequestBody.make(huge, site: site), headers: SyncRequestBody.headers(token))
            #expect(tooBig.status.code == 422)
            #expect(try tooBig.error.message.contains("erlaubt sind höchstens 1048576 Bytes"))
            let endless = Self.row("persona", cl: UInt64.max, [Self.cell("name", "x", site: site)])
            let overflow = try await client.sync(
                "lab", body: SyncRequestBody.make(endless, site: site), headers: SyncRequestBody.headers(token))
            #expect(overflow.status == .badRequest)
            #expect(try overflow.error.message.contains("Kausale Länge"))
            // A reading token's body is refused before 256 MiB could be inflated.
            let zeros = try Deflate.compress([UInt8](repeating: 0, count: 1 << 20))
            let read = try await client.sync("lab", body: zeros, headers: SyncRequestBody.headers(reader))
            #expect(read.status == .contentTooLarge)
            #expect(try read.error.message.contains("4096"))
        }
        #expect(try !data.dump("lab").contains("xxxx"))
    }

    @Test("Die höchste erlaubte Kausallänge und eine riesige Position bringen kein Replikat zum Absturz")
    func extremeValuesDoNotCrashReplicas() async throws {
        let server = TestServer()
        try await server.start()
        defer { Task { await server.stop() } }
        let attacker = try await server.lab("lab", name: "Angreifer")
        let victimToken = try await server.lab("lab", name: "Opfer")
        let directory = ReplicaDirectory()
        let victim = try LaborStore(path: directory.path("opfer.ozg"))
        try victim.add("labor", id: "lab", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        let persona0 = try victim.add(
            "persona", laborID: "lab",
            fields: ["name": "Erika", "kurzbeschreibung": "k", "nutzergruppe": "Bürger", "ziele": "z"])
        let journey = try victim.add(
            "nutzerreise", laborID: "lab", fields: ["titel": "Antrag", "zustand": "ist", "persona_id": persona0])
        try victim.add(
            "schritt", laborID: "lab", fields: ["nutzerreise_id": journey, "phase": "anlass", "aktivitaet": "Erster"])
        try await server.client(victim, token: victimToken, lab: "lab").sync()

        let evil = SiteID.random()
        let persona = RowID.generate()
        let top = ChangeLimits.maxCausalLength - 1
        var batch = Self.row(
            "persona", id: persona, cl: top,
            [Self.cell("labor_id", "lab", site: evil, cl: top), Self.cell("name", "Ewig", site: evil, cl: top)])
        batch.rows +=
            Self.row(
                "schritt",
                [
                    Self.cell("labor_id", "lab", site: evil), Self.cell("nutzerreise_id", .text(journey), site: evil),
                    Self.cell("phase", "anlass", site: evil), Self.cell("aktivitaet", "Lang", site: evil),
                    Self.cell("position", .text(String(repeating: "z", count: 200_000)), site: evil),
                ]
            ).rows
        let (status, _) = try await server.post(
            "v1/labs/lab/sync", body: SyncRequestBody.make(batch, site: evil),
            headers: SyncRequestBody.headers(attacker))
        #expect(status == 200)

        try await server.client(victim, token: victimToken, lab: "lab").sync()
        // Deleting reaches the limit; restoring would pass it and is refused with a message.
        try victim.delete("persona", id: persona)
        #expect(throws: ReplicaError.causalLengthExhausted(table: "persona", id: persona)) {
            try victim.restore("persona", id: persona)
        }
        // Adding a step after the 200,000-character position finishes and stays short.
        let added = try victim.add(
            "schritt", laborID: "lab", fields: ["nutzerreise_id": journey, "phase": "bescheid", "aktivitaet": "Neu"])
        let position = try victim.record("schritt", id: added)?.text("position") ?? ""
        #expect(position.count <= FractionalIndex.maxBoundLength + 4)
        try await server.client(victim, token: victimToken, lab: "lab").sync()
        #expect(try victim.replica.integrityProblem() == nil)
    }

    @Test("Eine abgelehnte Änderung wird zurückgehalten; alles andere fließt weiter")
    func refusedChangesAreQuarantined() async throws {
        let server = TestServer()
        try await server.start { $0.schemaGrowthLimit = SchemaGrowthLimit(tables: 0, columnsPerTable: 0) }
        defer { Task { await server.stop() } }
        let token = try await server.lab("lab")
        let readerToken = try await server.lab("lab", name: "Zweites Gerät")
        let directory = ReplicaDirectory()
        // A newer client: it knows a table the server's declaration does not have.
        let schema = ReplicaSchema(
            version: 1,
            tables: [
                ReplicatedTable("persona", columns: [.init("labor_id"), .init("name")]),
                ReplicatedTable("notiz", columns: [.init("text")]),
            ])
        let newer = try LaborStore(replica: Replica(path: directory.path("neu.ozg"), schema: schema))
        try newer.replica.insert(into: "persona", values: ["labor_id": "lab", "name": "Erika"])
        let note = try newer.replica.insert(into: "notiz", values: ["text": "Nur im neuen Client"])
        try newer.replica.insert(into: "persona", values: ["labor_id": "lab", "name": "Yilmaz"])
        let client = server.client(newer, token: token, lab: "lab")
        client.pushPageRows = 10
        let first = try await client.sync()
        #expect(first.quarantinedChanges == 1)
        let quarantined = try newer.replica.quarantinedChanges()
        #expect(quarantined.map(\.rowID) == [note])
        #expect(quarantined.first?.reason.contains("nicht vereinbart") == true)
        #expect(try newer.replica.pendingLocalChanges(for: client.remoteName) == 0)
        // The rest arrived, and the next edits flow as usual.
        try newer.replica.insert(into: "persona", values: ["labor_id": "lab", "name": "Neu"])
        let second = try await client.sync()
        #expect(second.quarantinedChanges == 0 && second.pushedChanges == 2)
        let other = try LaborStore(path: directory.path("anderes.ozg"))
        try await server.client(other, token: readerToken, lab: "lab").sync()
        let names = try other.replica.read { db in
            try db.rows("SELECT name FROM persona ORDER BY name") { $0.text(0) ?? "" }
        }
        #expect(names == ["Erika", "Neu", "Yilmaz"])
    }
}
