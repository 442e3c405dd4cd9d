import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import Testing

/// Schema changes meet replicas in the field: files the previous programs wrote, and replicas of a
/// previous program that sync with new ones. Schema 2 added Dokumente of a Prozesselement and the
/// Standardfluss, schema 3 the Steckbrief's document control on the lab.
@Suite("Schemaänderungen im Feld")
struct SchemaUpgradeTests {
    /// The columns schema 2 and schema 3 added.
    static let addedInSchema2: Set<String> = ["eingehende_dokumente", "ausgehende_dokumente", "standard"]
    static let addedInSchema3: Set<String> = [
        "freigabestatus", "stand", "version", "bearbeitung", "federfuehrung", "ansprechperson",
    ]
    static let added = addedInSchema2.union(addedInSchema3)

    /// The domain schema as a previous program declared it: the current one without the columns added
    /// since. Its replication layer is the one in this build, unchanged since: only the declaration differs.
    static func schema(version: Int, without columns: Set<String>) -> ReplicaSchema {
        ReplicaSchema(
            version: version,
            tables: Domain.schema.tables.map { table in
                ReplicatedTable(table.name, columns: table.columns.filter { !columns.contains($0.name) })
            })
    }
    static let previous = schema(version: 1, without: added)
    static let schema2 = schema(version: 2, without: addedInSchema3)

    /// A file of `Fixtures/` (`labor-schema1.ozg` written by the shell of commit 0da6ad3, schema 1;
    /// `labor-schema2.ozg` by the shell of commit c4e2705, schema 2), copied into `directory`. How
    /// they were made: Fixtures/README.md.
    static func fixture(_ name: String = "labor-schema1.ozg", in directory: ReplicaDirectory) throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)")
        let path = directory.path("alt.ozg")
        try FileManager.default.copyItem(atPath: source.path, toPath: path)
        return path
    }

    static func schemaVersion(_ replica: Replica) throws -> Int64? {
        try replica.read {
            try $0.firstRow("SELECT value FROM _ozg_state WHERE key = 'schema_version'") { $0.int64(0) }
        }
    }

    @Test(
        "Eine Datei von Schema 1 öffnet, wird auf das aktuelle Schema gehoben und behält jede Zeile und ihre Geschichte"
    )
    func previousFileOpensAndKeepsEverything() throws {
        let directory = ReplicaDirectory()
        let path = try Self.fixture(in: directory)
        let old = try Replica(path: path, schema: Self.previous)
        #expect(try Self.schemaVersion(old) == 1)
        let before = try old.canonicalDump()
        let rows = try Domain.schema.tables.map { table in
            (
                table.name,
                try old.read { try $0.rows("SELECT id FROM \"\(table.name)\" ORDER BY id") { $0.text(0) ?? "" } }
            )
        }
        #expect(rows.reduce(0) { $0 + $1.1.count } >= 10, "die Vorlage enthält ein Labor mit Prozess")
        var histories: [String: [HistoryEntry]] = [:]
        for (_, ids) in rows {
            for id in ids { histories[id] = try old.history(id: id) }
        }
        old.close()

        let store = try LaborStore(path: path)
        #expect(try Self.schemaVersion(store.replica) == Int64(Domain.schemaVersion))
        // Only the new columns appear, empty; no value changes.
        var after = try store.replica.canonicalDump()
        for column in Self.added { after = after.replacingOccurrences(of: "\t\(column)=NULL", with: "") }
        #expect(after == before)
        #expect(try store.replica.canonicalDump().contains("\tstandard=NULL"))
        for (id, history) in histories { #expect(try store.replica.history(id: id) == history) }
        // The new fields work on the old rows, and the process exports as BPMN with them.
        let process = try #require(try store.records("prozess", laborID: nil).first)
        let task = try #require(
            try store.records("element", laborID: process.laborID).first { $0.text("element_typ") == "user_aufgabe" })
        try store.set("element", id: task.id, fields: ["ausgehende_dokumente": "Antrag"])
        #expect(try BPMNExport.bpmn(store: store, processID: process.id).contains(#"name="Antrag""#))
    }

    @Test(
        "Vorige und neue Replikate synchronisieren über einen Server in beiden Richtungen; nach dem Update erscheinen die neuen Felder"
    )
    func previousAndNewReplicasSync() async throws {
        let server = TestServer()
        try await server.start()
        let lab = "lab"
        let token = try await server.lab(lab)
        let directory = ReplicaDirectory()
        let new = try LaborStore(path: directory.path("neu.ozg"))
        try new.add("labor", id: lab, fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        let process = try new.add("prozess", laborID: lab, fields: ["name": "P (SOLL)"])
        let office = try new.add(
            "akteur", laborID: lab, fields: ["prozess_id": process, "name": "Amt", "akteurtyp": "behoerde"])
        func element(_ store: LaborStore, _ type: String, _ name: String, _ extra: [String: String] = [:]) throws
            -> String
        {
            try store.add(
                "element", laborID: lab,
                fields: ["prozess_id": process, "element_typ": type, "bezeichnung": name, "akteur_id": office]
                    .merging(extra) { $1 })
        }
        let gateway = try element(new, "xor", "Vollständig?")
        let task = try element(new, "aufgabe", "Prüfen", ["eingehende_dokumente": "Antrag"])
        let flow = try new.add(
            "fluss", laborID: lab,
            fields: ["prozess_id": process, "von_id": gateway, "nach_id": task, "standard": "ja"])
        try await server.client(new, token: token, lab: lab).sync()

        // The previous program pulls values of columns it does not declare; it cannot show them, but
        // keeps them in its change log (they appear after its update, below).
        let oldPath = directory.path("alt.ozg")
        var old = LaborStore(replica: try Replica(path: oldPath, schema: Self.previous))
        try await server.client(old, token: token, lab: lab).sync()
        #expect(try old.record("fluss", id: flow) != nil)
        #expect(!(try old.replica.canonicalDump()).contains("standard="))
        // It edits what it knows and adds rows; the new replica gets both, its own values stay.
        try old.set("fluss", id: flow, fields: ["bedingung": "sonst"])
        let added = try element(old, "ende", "Fertig")
        try await server.client(old, token: token, lab: lab).sync()
        try await server.client(new, token: token, lab: lab).sync()
        let merged = try #require(try new.record("fluss", id: flow))
        #expect(merged.text("bedingung") == "sonst" && merged["standard"] == .integer(1))
        #expect(try new.record("element", id: added) != nil)
        try new.set("element", id: added, fields: ["eingehende_dokumente": "Bescheid"])
        try await server.client(new, token: token, lab: lab).sync()
        try await server.client(old, token: token, lab: lab).sync()

        // After the update the previous replica shows the new fields with the values it kept.
        old.replica.close()
        old = try LaborStore(path: oldPath)
        #expect(try Self.schemaVersion(old.replica) == Int64(Domain.schemaVersion))
        #expect(try old.record("fluss", id: flow)?.display("standard") == "ja")
        #expect(try old.record("element", id: task)?.display("eingehende_dokumente") == "Antrag")
        #expect(try old.record("element", id: added)?.display("eingehende_dokumente") == "Bescheid")
        #expect(try old.replica.canonicalDump() == new.replica.canonicalDump())
        await server.stop()
    }

    @Test(
        "Eine Datei von Schema 2 öffnet als Schema 3, behält jede Zeile und Geschichte; der Steckbrief bekommt seinen Kopf"
    )
    func schema2FileUpgrades() throws {
        let directory = ReplicaDirectory()
        let path = try Self.fixture("labor-schema2.ozg", in: directory)
        let old = try Replica(path: path, schema: Self.schema2)
        #expect(try Self.schemaVersion(old) == 2)
        let before = try old.canonicalDump()
        #expect(before.contains("\teingehende_dokumente=t:\"Antrag\""), "die Vorlage nutzt Felder von Schema 2")
        var histories: [String: [HistoryEntry]] = [:]
        for table in Self.schema2.tables {
            let ids = try old.read { try $0.rows("SELECT id FROM \"\(table.name)\"") { $0.text(0) ?? "" } }
            for id in ids { histories[id] = try old.history(id: id) }
        }
        #expect(histories.count >= 12)
        old.close()

        let store = try LaborStore(path: path)
        #expect(try Self.schemaVersion(store.replica) == 3)
        var after = try store.replica.canonicalDump()
        for column in Self.addedInSchema3 { after = after.replacingOccurrences(of: "\t\(column)=NULL", with: "") }
        #expect(after == before)
        for (id, history) in histories { #expect(try store.replica.history(id: id) == history) }
        try store.set(
            "labor", id: "wohngeld",
            fields: [
                "freigabestatus": "QS Landesredaktion", "stand": "2026-12-01", "version": "0.3",
                "federfuehrung": "Land Berlin (fiktives Ressort)",
            ])
        let markdown = try MarkdownExport.projektsteckbrief(store: store, laborID: "wohngeld")
        #expect(markdown.contains("| Freigabestatus | QS Landesredaktion |\n| Stand | 2026-12-01 |\n| Version | 0.3 |"))
        let control = try #require(markdown.range(of: "| Freigabestatus |"))
        let theme = try #require(markdown.range(of: "| Themenfeld |"))
        #expect(control.lowerBound < theme.lowerBound, "die Dokumentsteuerung steht oben im Kopf")
    }
}
