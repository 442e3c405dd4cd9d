import Foundation
import Testing

@testable import OZGDomain
@testable import OZGReplication

/// Validates BPMN files with xmllint against the OMG schema (fetched by scripts/fetch-bpmn-xsd.sh).
enum BPMNSchema {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardizedFileURL

    static func schemaDirectory() throws -> URL {
        let directory =
            ProcessInfo.processInfo.environment["OZG_BPMN_XSD_DIR"].map { URL(fileURLWithPath: $0) }
            ?? packageRoot.appendingPathComponent(".build/bpmn-xsd")
        try fetchUnlessPresent(directory.appendingPathComponent("BPMN20.xsd").path, script: "fetch-bpmn-xsd.sh")
        return directory
    }

    /// xmllint's verdict: (exit status, its output).
    static func validate(_ xml: String, in directory: TemporaryDirectory) throws -> (Int32, String) {
        let file = directory.path("prozess.bpmn")
        try xml.write(toFile: file, atomically: true, encoding: .utf8)
        let schema = try schemaDirectory().appendingPathComponent("BPMN20.xsd").path
        let (status, output) = try runTool(
            "/usr/bin/xmllint", ["--noout", "--schema", schema, file], includingErrors: true)
        return (status, output)
    }
}

@Suite("Exporte")
struct ExportTests {
    @Test(
        "BPMN: gültig gegen das OMG-Schema, semantisch stimmig, wie die geprüfte Referenzdatei",
        arguments: [("linear", Workshop.linear), ("xor", Workshop.branching), ("parallel", Workshop.parallel)])
    func bpmnIsValid(name: String, process: String) throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let xml = try BPMNExport.bpmn(store: workshop.store, processID: process)
        let (status, output) = try BPMNSchema.validate(xml, in: directory)
        #expect(status == 0, "xmllint: \(output)")
        #expect(output.contains("validates"))
        #expect(BPMNSemantics.problems(xml) == [])
        #expect(try ProcessModel(store: workshop.store, processID: process).problems() == [])
        #expect(try matchesGolden(xml, "prozess-\(name).bpmn"), "BPMN weicht von Golden/prozess-\(name).bpmn ab")
        #expect(try BPMNExport.bpmn(store: workshop.store, processID: process) == xml)
    }

    @Test("BPMN: die Prüfungen erkennen Fehler, die das Schema nicht sieht")
    func bpmnChecksCatchMistakes() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let store = workshop.store
        // A second outgoing flow without condition from the XOR gateway, and an unreachable element.
        let gateway = Workshop.id("02", 203)
        let lane = Workshop.id("02", 101)
        let island = try store.add(
            "element", laborID: workshop.labor,
            fields: [
                "prozess_id": Workshop.branching, "element_typ": "aufgabe", "bezeichnung": "Insel", "akteur_id": lane,
            ])
        try store.add(
            "fluss", laborID: workshop.labor,
            fields: [
                "prozess_id": Workshop.branching, "von_id": gateway, "nach_id": Workshop.id("02", 207),
            ])
        let problems = try ProcessModel(store: store, processID: Workshop.branching).problems()
        #expect(problems.contains { $0.contains("braucht eine Bedingung") })
        #expect(problems.contains { $0.contains("Insel") && $0.contains("nicht erreichbar") })
        let xml = try BPMNExport.bpmn(store: store, processID: Workshop.branching)
        let semantic = BPMNSemantics.problems(xml)
        #expect(semantic.contains { $0.contains("XOR") })
        #expect(semantic.contains { $0.contains(XMLText.id("Element", island)) && $0.contains("unerreichbar") })
        // A broken file is rejected by the schema.
        let broken = xml.replacingOccurrences(of: "targetNamespace=", with: "data-target=")
        #expect(try BPMNSchema.validate(broken, in: directory).0 != 0)
    }

    @Test("Markdown-Projektsteckbrief wie die geprüfte Referenzdatei, Abschnitte in der Reihenfolge von §9.1")
    func markdownProjektsteckbrief() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let markdown = try MarkdownExport.projektsteckbrief(store: workshop.store, laborID: workshop.labor)
        #expect(try matchesGolden(markdown, "projektsteckbrief.md"), "weicht von Golden/projektsteckbrief.md ab")
        let headings = markdown.split(separator: "\n").filter { $0.hasPrefix("## ") }.map(String.init)
        #expect(headings.first == "## Leistungen und Priorisierung")
        #expect(headings.dropFirst().prefix(10).map { $0.split(separator: " ")[1] } == (1...10).map { "\($0)." })
        // The covered Leistung with its fictitious LeiKa key and its category in the head.
        #expect(markdown.contains("| Wohngeld | 99901 | 99999999999001 | Labor-Leistungen |"))
        #expect(markdown.contains("| 3 | Beantragen |"))  // reordered: step 4 now third; the phase by its label
        #expect(!markdown.contains("| anlass |"))
        #expect(markdown.contains("·●··· "))  // emotion curve marker
        #expect(markdown.contains("Findet den Upload-Button nicht | 2 von 3"))
        #expect(markdown.contains("Prüfung: stimmig"))
        #expect(markdown.contains("### Wohngeld (Labor-Leistungen)\n"))
        #expect(
            markdown.contains("- fehlt: Harmonisierung\n") && markdown.contains("- vorhanden: Umsetzungsvarianten\n"))
        // The Landesredaktion's language: no product name and no tool excuse in the document.
        #expect(!markdown.contains("Labor-Sync") && !markdown.contains("noch nicht erfasst"))
    }

    @Test("CSV nach RFC 4180 mit deutschen Spaltennamen oder Schlüsseln")
    func csv() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let store = workshop.store
        try store.set(
            "persona", id: Workshop.persona,
            fields: [
                "zitat": "Sie sagte: \"Zu viel Papier\", dann ging sie.", "lebenssituation": "Zeile 1\nZeile 2",
            ])
        let text = try CSVExport.csv(store: store, laborID: workshop.labor, entity: "persona")
        let lines = text.components(separatedBy: "\r\n")
        // The byte order mark first: see HostileExportTests.
        #expect(lines[0].hasPrefix("\u{FEFF}ID,Labor,Name,Kurzbeschreibung,Nutzergruppe,"))
        #expect(text.contains("\"Sie sagte: \"\"Zu viel Papier\"\", dann ging sie.\""))
        #expect(text.contains("\"Zeile 1\nZeile 2\""))
        #expect(text.hasSuffix("\r\n"))
        let keys = try CSVExport.csv(store: store, laborID: workshop.labor, entity: "schritt", keysInHeader: true)
        #expect(keys.hasPrefix("\u{FEFF}id,labor_id,nutzerreise_id,phase,aktivitaet,"))
        #expect(keys.components(separatedBy: "\r\n").count == 7)
        #expect(throws: DomainError.self) {
            try CSVExport.csv(store: store, laborID: workshop.labor, entity: "personen")
        }
    }

    @Test("JSON: stabil, und ein Import ergibt dasselbe Labor – mit gleichen oder neuen IDs")
    func jsonRoundTrip() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let json = try JSONExport.json(store: workshop.store, laborID: workshop.labor)
        #expect(try JSONExport.json(store: workshop.store, laborID: workshop.labor) == json)
        #expect(!json.contains("exportiert"))

        let copy = try LaborStore(path: directory.path("kopie.ozg"))
        let imported = try JSONImport.load(json, into: copy)
        #expect(imported == workshop.labor)
        #expect(try JSONExport.json(store: copy, laborID: imported) == json)
        #expect(
            try MarkdownExport.projektsteckbrief(store: copy, laborID: imported)
                == MarkdownExport.projektsteckbrief(store: workshop.store, laborID: workshop.labor))

        let second = try JSONImport.load(json, into: copy, newIDs: true)
        #expect(second != imported)
        #expect(
            try MarkdownExport.projektsteckbrief(store: copy, laborID: second)
                == MarkdownExport.projektsteckbrief(store: workshop.store, laborID: workshop.labor))
        #expect(
            try BPMNSemantics.problems(
                BPMNExport.bpmn(
                    store: copy,
                    processID: try copy.records("prozess", laborID: second).first { $0.title.hasPrefix("Antrag") }!.id))
                == [])

        let before = try copy.replica.canonicalDump()
        for bad in [
            "{", "[]", #"{"format":"anderes","version":1}"#, #"{"format":"ozg-labor-sync","version":2}"#,
            json.replacingOccurrences(of: "\"nutzergruppe\": \"001\"", with: "\"nutzergruppe\": \"009\""),
        ] {
            #expect(throws: DomainError.self) { try JSONImport.load(bad, into: copy, newIDs: true) }
        }
        #expect(try copy.replica.canonicalDump() == before)
    }

    @Test("Drei Replikate bearbeiten ein Labor gleichzeitig und enden mit byte-gleichen Exporten")
    func concurrentEditsGiveIdenticalExports() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory, name: "a.ozg")
        try workshop.build()
        let a = workshop.store
        let b = try LaborStore(path: directory.path("b.ozg"))
        let c = try LaborStore(path: directory.path("c.ozg"))
        try exchangeAll([a.replica, b.replica, c.replica])
        let lab = workshop.labor
        try a.set("persona", id: Workshop.persona, fields: ["zitat": "von A"])
        try b.set("persona", id: Workshop.persona, fields: ["zitat": "von B"])
        try a.move("schritt", id: workshop.steps[4], to: .first)
        try c.move("schritt", id: workshop.steps[0], to: .last)
        try b.add(
            "schritt", laborID: lab,
            fields: [
                "nutzerreise_id": Workshop.journey, "phase": "danach",
                "aktivitaet": "Legt Widerspruch ein", "emotion": "-1",
            ])
        try c.add("anforderung", laborID: lab, fields: ["titel": "Status online sehen", "prioritaet": "kann"])
        try c.delete("befund", id: Workshop.id("c2", 4))
        try a.set("befund", id: Workshop.id("c2", 4), fields: ["empfehlung": "Schrift 16 pt"])
        try b.set("labor", id: lab, fields: ["phase": "ergebnisvorstellung"])
        try exchangeAll([a.replica, b.replica, c.replica])
        let json = try [a, b, c].map { try JSONExport.json(store: $0, laborID: lab) }
        let markdown = try [a, b, c].map { try MarkdownExport.projektsteckbrief(store: $0, laborID: lab) }
        #expect(Set(json).count == 1)
        #expect(Set(markdown).count == 1)
        #expect(try a.replica.conflicts().count == 2)  // the quote, and the edit that lost to the delete
    }
}
