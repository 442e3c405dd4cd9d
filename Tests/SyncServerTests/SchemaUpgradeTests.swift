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
    /// Schema 4's new columns on the lab and its new tables.
    static let addedInSchema4: Set<String> = ["architektur", "harmonisierung", "nachnutzung"]
    static let tablesOfSchema4: Set<String> = [
        "ozg_leistung", "verwaltungsleistung", "labor_leistung", "umsetzungsvariante", "komponente", "standard",
        "fim_artefakt", "rechtsaenderung", "registeranbindung", "machbarkeit", "umsetzungsplan", "umsetzungsstufe",
        "teilnehmende", "testperson", "schmerzpunkt",
    ]
    static let added = addedInSchema2.union(addedInSchema3).union(addedInSchema4)

    /// The domain schema as a previous program declared it: the current one without the columns and
    /// tables added since. Its replication layer is the one in this build, unchanged since: only the
    /// declaration differs.
    static func schema(version: Int, without columns: Set<String>) -> ReplicaSchema {
        ReplicaSchema(
            version: version,
            tables: Domain.schema.tables.filter { !tablesOfSchema4.contains($0.name) }.map { table in
                ReplicatedTable(table.name, columns: table.columns.filter { !columns.contains($0.name) })
            })
    }
    static let previous = schema(version: 1, without: added)
    static let schema2 = schema(version: 2, without: addedInSchema3.union(addedInSchema4))
    static let schema3 = schema(version: 3, without: addedInSchema4)

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

    /// `dump` without the sections of schema 4's tables.
    static func withoutNewTables(_ dump: String) -> String {
        var keep = true
        return dump.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            if line.hasPrefix("# ") { keep = !tablesOfSchema4.contains(String(line.dropFirst(2))) }
            return keep || line.isEmpty
        }.joined(separator: "\n")
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
        let rows = try Self.previous.tables.map { table in
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
        var after = Self.withoutNewTables(try store.replica.canonicalDump())
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
        "Eine Datei von Schema 2 öffnet als aktuelles Schema, behält jede Zeile und Geschichte; der Steckbrief bekommt seinen Kopf"
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
        #expect(try Self.schemaVersion(store.replica) == Int64(Domain.schemaVersion))
        var after = Self.withoutNewTables(try store.replica.canonicalDump())
        for column in Self.addedInSchema3.union(Self.addedInSchema4) {
            after = after.replacingOccurrences(of: "\t\(column)=NULL", with: "")
        }
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

    /// The values a lab of schema 3 held on itself, by the table and column that hold them since schema 4.
    static func movedRows(_ store: LaborStore, lab: String) throws -> [String: Record] {
        var rows: [String: Record] = [:]
        for table in ["ozg_leistung", "verwaltungsleistung", "labor_leistung"] {
            rows[table] = try store.record(table, id: LaborStore.movedLeistungID(table, lab: lab))
        }
        return rows
    }

    @Test(
        "Eine Datei von Schema 3 öffnet als Schema 4: die Leistung des Labors wird OZG-Leistung, Verwaltungsleistung und Labor-Leistung, nichts geht verloren"
    )
    func schema3FileMovesTheLeistung() throws {
        let directory = ReplicaDirectory()
        let path = try Self.fixture("labor-schema3.ozg", in: directory)
        let old = try Replica(path: path, schema: Self.schema3)
        #expect(try Self.schemaVersion(old) == 3)
        let before = try old.canonicalDump()
        #expect(before.contains("\tleika_schluessel=t:\"99999999999001\""), "die Vorlage hat die Leistung am Labor")
        var histories: [String: [HistoryEntry]] = [:]
        for table in Self.schema3.tables {
            let ids = try old.read { try $0.rows("SELECT id FROM \"\(table.name)\"") { $0.text(0) ?? "" } }
            for id in ids { histories[id] = try old.history(id: id) }
        }
        old.close()

        let store = try LaborStore(path: path)
        #expect(try Self.schemaVersion(store.replica) == Int64(Domain.schemaVersion))
        let moved = try Self.movedRows(store, lab: "wohngeld")
        let leistung = try #require(moved["ozg_leistung"])
        #expect(leistung.text("bezeichnung") == "Wohngeld (fiktive Vorlage)" && leistung.text("ozg_id") == "99901")
        #expect(leistung.text("themenfeld") == "bauen_wohnen")
        #expect(moved["verwaltungsleistung"]?.text("leika_schluessel") == "99999999999001")
        #expect(moved["verwaltungsleistung"]?.text("ozg_leistung_id") == leistung.id)
        let coverage = try #require(moved["labor_leistung"])
        #expect(coverage.text("kategorie") == "labor_leistung" && coverage.text("begruendung") == "Hohe Fallzahlen")
        #expect(coverage["reifegrad_ist"] == .integer(1) && coverage["reifegrad_ziel"] == .integer(3))
        // The lab's row is not written: its old columns keep what the previous program stored (no
        // longer shown), and every row keeps its history.
        let lab = try #require(try store.record("labor", id: "wohngeld"))
        #expect(lab.text("freigabestatus") == "entwurf" && lab.text("version") == "0.2")
        var after = Self.withoutNewTables(try store.replica.canonicalDump())
        for column in Self.addedInSchema4 { after = after.replacingOccurrences(of: "\t\(column)=NULL", with: "") }
        #expect(after == before)
        for (id, history) in histories { #expect(try store.replica.history(id: id) == history) }
        // The moved cells name the lab value they came from: the second Priorisierungskategorie.
        let source = try #require(
            try store.replica.cellState(table: "labor_leistung", id: coverage.id, column: "aus_labor_kategorie"))
        let edit = try #require(try store.replica.cellState(table: "labor", id: "wohngeld", column: "kategorie"))
        #expect(source.value == .text(edit.version.text))
        // Opening again moves nothing more, and the Steckbrief names the Leistung with its key.
        let dump = try store.replica.canonicalDump()
        #expect(try store.moveRetiredFields().isEmpty)
        #expect(try store.replica.canonicalDump() == dump)
        let markdown = try MarkdownExport.projektsteckbrief(store: store, laborID: "wohngeld")
        #expect(
            markdown.contains(
                "| Wohngeld (fiktive Vorlage) | 99901 | 99999999999001 | Labor-Leistungen | Hohe Fallzahlen |"))
        // The old fields are refused with a pointer to where they live now.
        #expect(throws: DomainError.self) {
            try store.set("labor", id: "wohngeld", fields: ["kategorie": "labor_kandidat"])
        }
    }

    @Test(
        "Drei Replikate, zwei zu verschiedenen Zeiten aktualisiert, eines bearbeitet derweil die alten Felder: dieselben Zeilen, keine Doppelten, die spätere Bearbeitung gewinnt"
    )
    func independentUpgradesMoveTheSameRows() async throws {
        let server = TestServer()
        try await server.start()
        let lab = "wohngeld"
        let token = try await server.lab(lab)
        let directory = ReplicaDirectory()
        func old(_ name: String) throws -> LaborStore {
            LaborStore(replica: try Replica(path: directory.path(name), schema: Self.schema3))
        }
        // The lab as schema 3 had it, on all three replicas.
        var anna = try old("anna.ozg")
        try anna.add(
            "labor", id: lab,
            fields: ["titel": "Wohngeld digital", "themenfeld": "bauen_wohnen", "bundesland": "DE-BE"])
        try anna.replica.update(
            "labor", id: lab,
            values: [
                "ozg_leistung": .text("Wohngeld (fiktiv)"), "ozg_id": .text("99901"),
                "leika_schluessel": .text("99999999999001"), "kategorie": .text("labor_leistung"),
                "begruendung": .text("Hohe Fallzahlen"),
            ])
        try await server.client(anna, token: token, lab: lab).sync()
        var bernd = try old("bernd.ozg")
        let carla = try old("carla.ozg")
        try await server.client(bernd, token: token, lab: lab).sync()
        try await server.client(carla, token: token, lab: lab).sync()

        // Anna updates first and sends the move.
        anna.replica.close()
        anna = try LaborStore(path: directory.path("anna.ozg"))
        #expect(try Self.movedRows(anna, lab: lab)["labor_leistung"]?.text("kategorie") == "labor_leistung")
        try await server.client(anna, token: token, lab: lab).sync()
        // Carla, still on the previous program, changes the old fields meanwhile (later than Anna's move).
        try await Task.sleep(for: .milliseconds(5))
        try carla.replica.update(
            "labor", id: lab, values: ["kategorie": .text("labor_kandidat"), "reifegrad_ist": .integer(2)])
        // Bernd updates later, without having seen Anna's move: he moves the same values into the same rows.
        bernd.replica.close()
        bernd = try LaborStore(path: directory.path("bernd.ozg"))
        #expect(try Self.movedRows(bernd, lab: lab).values.count == 3)
        // Everyone syncs, the updated ones moving what arrives the way the shell does after `sync`.
        for _ in 0..<2 {
            for store in [carla, bernd, anna] {
                try await server.client(store, token: token, lab: lab).sync()
                if store !== carla { try store.moveRetiredFields() }
            }
        }
        // Carla's previous program kept the new tables it does not know; they appear once she updates.
        #expect(!(try carla.replica.canonicalDump()).contains("labor_leistung"))
        carla.replica.close()
        let updated = try LaborStore(path: directory.path("carla.ozg"))
        #expect(try Self.movedRows(updated, lab: lab).values.count == 3)
        for store in [updated, bernd, anna, updated] {
            try await server.client(store, token: token, lab: lab).sync()
            try store.moveRetiredFields()
        }
        for store in [anna, bernd, updated] {
            #expect(try store.records("labor_leistung", laborID: lab).count == 1, "keine doppelte Labor-Leistung")
            #expect(try store.records("ozg_leistung", laborID: lab).count == 1)
            #expect(try store.records("verwaltungsleistung", laborID: lab).count == 1)
            let coverage = try #require(try Self.movedRows(store, lab: lab)["labor_leistung"])
            #expect(coverage.text("kategorie") == "labor_kandidat", "Carlas spätere Bearbeitung gewinnt")
            #expect(coverage["reifegrad_ist"] == .integer(2) && coverage.text("begruendung") == "Hohe Fallzahlen")
        }
        #expect(try anna.replica.canonicalDump() == bernd.replica.canonicalDump())
        #expect(try anna.replica.canonicalDump() == updated.replica.canonicalDump())
        // The same value written twice by two moves is no conflict; the lab row was never contested.
        #expect(try anna.replica.conflicts().isEmpty && bernd.replica.conflicts().isEmpty)
        await server.stop()
    }
}
