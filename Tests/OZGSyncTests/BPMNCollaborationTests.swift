import Foundation
import Testing

@testable import OZGDomain

/// BPMN the way FIM modellers draw it (issue 12): pools for the parties outside the lead authority,
/// message flows between them, a process per pool that still runs from start to end, Dokumente as
/// data objects, Fristen as timers, default flows, prose conditions as names.
@Suite("BPMN wie FIM")
struct BPMNCollaborationTests {
    static func golden(_ name: String) throws -> String {
        try String(
            contentsOf: BPMNEngineTests.golden.appendingPathComponent("prozess-\(name).bpmn"), encoding: .utf8)
    }

    @Test("Referenzdateien: Pool der Antragstellerin mit Nachrichtenflüssen, Datenobjekte, Frist als Zeitereignis")
    func goldenFilesShowTheFIMShape() throws {
        let linear = try Self.golden("linear")
        #expect(linear.components(separatedBy: "<bpmn:participant ").count - 1 == 2)
        #expect(linear.components(separatedBy: "<bpmn:messageFlow ").count - 1 == 2)
        #expect(linear.components(separatedBy: "<bpmn:process ").count - 1 == 2)
        #expect(
            linear.contains(
                #"<bpmn:dataObject id="DataObject_00000000-0000-4000-8000-00000000d001_2" name="Bescheid"/>"#))
        #expect(linear.contains("<bpmn:dataInputAssociation") && linear.contains("<bpmn:dataOutputAssociation"))
        #expect(linear.contains(#"<ols:akteur akteurtyp="nutzer" prozessrolle="ergebnisempfaenger"/>"#))
        #expect(linear.contains(#"<ols:vertrauensniveau niveau="substanziell" schriftformerfordernis="ja""#))
        #expect(linear.contains("Vertrauensniveau: substanziell"))
        #expect(linear.contains(#"<ols:frist dauer="P3M">3 Monate</ols:frist>"#))
        // The authority's pool starts with the Antrag that arrives as a message.
        #expect(linear.contains(#"name="Nachricht von Antragsteller/in">"#))

        let xor = try Self.golden("xor")
        #expect(xor.contains(#"<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P1M</bpmn:timeDuration>"#))
        #expect(xor.contains(#"default="Flow_00000000-0000-4000-8000-000002000304""#))
        #expect(xor.contains(#"name="vollständig""#))
        #expect(!xor.contains("conditionExpression"))
        for file in ["linear", "xor", "parallel"] {
            #expect(!(try Self.golden(file)).contains("conditionExpression"), "\(file): Prosa als Formel")
        }
    }

    /// A lab with an Antragsteller/in who decides at a gateway and ends the process herself, a
    /// Meldebehörde that takes part (Mitwirkender), a Vermieter named without any step, and an office.
    static func crossingProcess(_ store: LaborStore) throws -> String {
        let lab = try store.add(
            "labor", id: "lab", fields: ["titel": "L", "themenfeld": "familie_kind", "bundesland": "DE-BE"])
        let process = try store.add("prozess", laborID: lab, fields: ["name": "Wohngeld (SOLL)"])
        func akteur(_ name: String, _ type: String, _ role: String? = nil) throws -> String {
            var fields = ["prozess_id": process, "name": name, "akteurtyp": type]
            if let role { fields["prozessrolle"] = role }
            return try store.add("akteur", laborID: lab, fields: fields)
        }
        let citizen = try akteur("Antragsteller/in", "nutzer")
        let office = try akteur("Wohngeldbehörde", "behoerde", "hauptakteur")
        let registry = try akteur("Meldebehörde", "behoerde", "mitwirkender")
        _ = try akteur("Vermieter/in", "dritte")
        func element(_ type: String, _ name: String, _ lane: String, _ extra: [String: String] = [:]) throws -> String {
            try store.add(
                "element", laborID: lab,
                fields: ["prozess_id": process, "element_typ": type, "bezeichnung": name, "akteur_id": lane]
                    .merging(extra) { $1 })
        }
        func flow(_ from: String, _ to: String, _ condition: String? = nil, isDefault: Bool = false) throws {
            var fields = ["prozess_id": process, "von_id": from, "nach_id": to]
            if let condition { fields["bedingung"] = condition }
            if isDefault { fields["standard"] = "ja" }
            try store.add("fluss", laborID: lab, fields: fields)
        }
        let start = try element("start", "Umzug steht an", citizen)
        let online = try element("xor", "Online?", citizen)
        let apply = try element("user_aufgabe", "Online-Antrag stellen", citizen, ["ausgehende_dokumente": "Antrag"])
        let paper = try element("manuelle_aufgabe", "Papierantrag einreichen", citizen)
        let check = try element("aufgabe", "Antrag prüfen", office, ["eingehende_dokumente": "Antrag"])
        let lookup = try element("service_aufgabe", "Meldedaten liefern", registry)
        let decide = try element(
            "aufgabe", "Bescheid erstellen", office, ["ausgehende_dokumente": "Bescheid", "frist": "3 Monate"])
        let end = try element("ende", "Bescheid erhalten", citizen)
        try flow(start, online)
        try flow(online, apply, "ja")
        try flow(online, paper, isDefault: true)
        try flow(apply, check)
        try flow(paper, check)
        try flow(check, lookup)
        try flow(lookup, decide)
        try flow(decide, end)
        return process
    }

    @Test("Über Poolgrenzen: Ereignisse senden und empfangen für Gateway und Endereignis, jeder Pool läuft zu Ende")
    func crossingFlowsBecomeMessages() throws {
        let directory = TemporaryDirectory()
        let store = try LaborStore(path: directory.path("labor.ozg"))
        let process = try Self.crossingProcess(store)
        let xml = try BPMNExport.bpmn(store: store, processID: process)
        let (status, output) = try BPMNSchema.validate(xml, in: directory)
        #expect(status == 0, "\(output)")
        #expect(BPMNSemantics.problems(xml) == [])
        // Four pools: Antragsteller/in, the authority, the Meldebehörde (Mitwirkender), the Vermieter/in
        // drawn collapsed (no process of her own).
        #expect(xml.components(separatedBy: "<bpmn:participant ").count - 1 == 4)
        #expect(xml.components(separatedBy: "<bpmn:process ").count - 1 == 3)
        #expect(xml.contains(#"name="Vermieter/in"/>"#) || xml.contains(#"name="Vermieter/in">"#))
        #expect(!xml.contains(#"name="Vermieter/in" processRef"#))
        // The end event of the Antragsteller/in cannot receive: a catch event does, then the end follows.
        #expect(xml.contains(#"name="Nachricht von Wohngeldbehörde""#))
        let file = directory.path("pools.bpmn")
        try xml.write(toFile: file, atomically: true, encoding: .utf8)
        let (engine, runs) = try BPMNEngineTests.check([file])
        #expect(engine == 0, "\(runs)")
        #expect(runs.components(separatedBy: "\n").filter { $0.hasPrefix("ok ") }.count >= 5, "\(runs)")
        let (shapes, edges) = BPMNLayoutTests.read(xml)
        #expect(BPMNLayoutTests.crossings(shapes, edges) == [])
        #expect(BPMNLayoutTests.closeParallels(edges) == [])
    }

    @Test("Frist als ISO-8601-Dauer, Prosa bleibt Text")
    func fristDurations() {
        #expect(FristDauer.iso("14 Tage") == "P14D")
        #expect(FristDauer.iso("2 Wochen") == "P2W")
        #expect(FristDauer.iso("1 Monat") == "P1M")
        #expect(FristDauer.iso("3 Monate") == "P3M")
        #expect(FristDauer.iso("1 Jahr") == "P1Y")
        #expect(FristDauer.iso("48 Stunden") == "PT48H")
        #expect(FristDauer.iso("30 Minuten") == "PT30M")
        #expect(FristDauer.iso("p10d") == "P10D")
        #expect(FristDauer.iso("bis Monatsende") == nil)
        #expect(FristDauer.iso("0 Tage") == nil)
        #expect(FristDauer.iso("10 Arbeitstage") == nil)
        #expect(FristDauer.iso("") == nil)
    }

    @Test("Standardfluss: braucht keine Bedingung, höchstens einer je Element, nur an XOR und Aufgaben")
    func defaultFlowRules() throws {
        let directory = TemporaryDirectory()
        let store = try LaborStore(path: directory.path("labor.ozg"))
        let process = try Self.crossingProcess(store)
        #expect(try ProcessModel(store: store, processID: process).issues() == [])
        let model = try ProcessModel(store: store, processID: process)
        let gateway = model.nodes.first { $0.text("bezeichnung") == "Online?" }!
        let apply = model.nodes.first { $0.text("bezeichnung") == "Online-Antrag stellen" }!
        try store.add(
            "fluss", laborID: "lab",
            fields: ["prozess_id": process, "von_id": gateway.id, "nach_id": apply.id, "standard": "ja"])
        let issues = try ProcessModel(store: store, processID: process).issues().map(\.message)
        #expect(issues.contains { $0.contains("„Online?“ hat 2 Standardflüsse") }, "\(issues)")
    }
}
