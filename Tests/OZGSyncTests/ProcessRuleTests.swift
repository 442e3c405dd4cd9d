import Foundation
import Testing

@testable import OZGDomain
@testable import OZGReplication

/// Issue 12: process errors are refused at input, found by `check` when replication combines them,
/// and never reach the BPMN export as dangling references.
@Suite("Prozessregeln")
struct ProcessRuleTests {
    /// The branching workshop process: its office lane, start, a task, the gateway and the end event.
    static let office = Workshop.id("02", 101)
    static let start = Workshop.id("02", 201)
    static let task = Workshop.id("02", 202)
    static let gateway = Workshop.id("02", 203)
    static let end = Workshop.id("02", 207)

    func workshop(_ directory: TemporaryDirectory, name: String = "labor.ozg") throws -> Workshop {
        var workshop = try Workshop(directory, name: name)
        try workshop.build()
        return workshop
    }

    func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as DomainError {
            guard case .processRule(let message) = error else { return "anderer Fehler: \(error)" }
            return message
        } catch {
            return "anderer Fehler: \(error)"
        }
    }

    @Test("fluss add lehnt Fluss aus dem Endereignis, Schleife auf sich selbst und Element eines anderen Prozesses ab")
    func flowInputIsRefused() throws {
        let workshop = try workshop(TemporaryDirectory())
        let store = workshop.store
        func addFlow(_ from: String, _ to: String) -> String? {
            refusal {
                try store.add(
                    "fluss", laborID: workshop.labor,
                    fields: ["prozess_id": Workshop.branching, "von_id": from, "nach_id": to])
            }
        }
        let fromEnd = try #require(addFlow(Self.end, Self.task))
        #expect(fromEnd.contains("„Bescheid bestandskräftig“") && fromEnd.contains("Endereignis hat keine ausgehenden"))
        let loop = try #require(addFlow(Self.task, Self.task))
        #expect(loop.contains("zu sich selbst") && loop.contains("verschiedene Elemente"))
        let foreign = try #require(addFlow(Self.task, Workshop.id("03", 202)))
        #expect(foreign.contains("gehört zum Prozess") && foreign.contains("desselben Prozesses"))
        let toStart = try #require(addFlow(Self.task, Self.start))
        #expect(toStart.contains("Startereignis hat keine eingehenden"))
        // fluss set is checked with the values after the change.
        let flow = Workshop.id("02", 301)
        #expect(refusal { try store.set("fluss", id: flow, fields: ["nach_id": Self.start]) } != nil)
        #expect(addFlow(Self.task, Self.end) == nil)
    }

    @Test("element add/set lehnt einen Akteur eines anderen Prozesses und ein Endereignis mit ausgehendem Fluss ab")
    func elementInputIsRefused() throws {
        let workshop = try workshop(TemporaryDirectory())
        let store = workshop.store
        let foreignLane = Workshop.id("03", 101)
        let message = try #require(
            refusal {
                try store.add(
                    "element", laborID: workshop.labor,
                    fields: [
                        "prozess_id": Workshop.branching, "element_typ": "aufgabe", "bezeichnung": "Fremd",
                        "akteur_id": foreignLane,
                    ])
            })
        #expect(message.contains("Element „Fremd“") && message.contains("„Wohngeldbehörde“"), "\(message)")
        #expect(refusal { try store.set("element", id: Self.task, fields: ["akteur_id": foreignLane]) } != nil)
        let toEnd = try #require(refusal { try store.set("element", id: Self.task, fields: ["element_typ": "ende"]) })
        #expect(toEnd.contains("kann kein Endereignis sein"))
        #expect(try ProcessModel(store: store, processID: Workshop.branching).errors() == [])
    }

    /// Replica B adds a task; replica A draws a flow from it to the end event while B turns the task
    /// into an end event: each edit is valid where it is made, together they are not.
    func combinedError(_ directory: TemporaryDirectory) throws -> LaborStore {
        let a = try workshop(directory, name: "a.ozg").store
        let b = LaborStore(replica: try Replica(path: directory.path("b.ozg"), schema: Domain.schema))
        try a.replica.send(to: b.replica, name: "b")
        let extra = try b.add(
            "element", laborID: "wohngeld-mv",
            fields: [
                "prozess_id": Workshop.branching, "element_typ": "aufgabe", "bezeichnung": "Akte schließen",
                "akteur_id": Self.office,
            ])
        try b.replica.send(to: a.replica, name: "a")
        try a.add(
            "fluss", laborID: "wohngeld-mv",
            fields: ["prozess_id": Workshop.branching, "von_id": extra, "nach_id": Self.end])
        try b.set("element", id: extra, fields: ["element_typ": "ende"])
        try a.replica.send(to: b.replica, name: "b")
        return b
    }

    @Test("Zwei gültige Änderungen zweier Replikate ergeben einen Fehler: check meldet ihn als Prozessfehler")
    func checkFindsCombinedErrors() throws {
        let store = try combinedError(TemporaryDirectory())
        let findings = try store.check(laborID: "wohngeld-mv")
        let errors = findings.filter(\.isError)
        #expect(errors.count == 1 && errors.first?.kind == .processError)
        #expect(errors.first?.message.contains("Endereignis „Akte schließen“") == true)
        #expect(!findings.contains { $0.kind == .completeness && $0.isError })
    }

    @Test("export bpmn lehnt einen Prozess mit Fehlern ab; erzwungen ohne die fehlerhaften Flüsse und gültig")
    func exportRefusesOrSkips() throws {
        let directory = TemporaryDirectory()
        let store = try combinedError(directory)
        #expect {
            try BPMNExport.bpmn(store: store, processID: Workshop.branching)
        } throws: { error in
            "\(error)".contains("wird nicht als BPMN exportiert") && "\(error)".contains("Akte schließen")
        }
        let xml = try BPMNExport.bpmn(store: store, processID: Workshop.branching, includingErrors: true)
        #expect(xml.contains("Trotz Prozessfehlern exportiert"))
        let semantic = BPMNSemantics.problems(xml)
        #expect(
            !semantic.contains { $0.contains("ins Leere") || $0.contains("Unbekanntes") || $0.contains("fehlt in") })
        let (status, output) = try BPMNSchema.validate(xml, in: directory)
        #expect(status == 0, "xmllint: \(output)")
    }

    @Test("Ein Fluss zu einem Element eines anderen Prozesses aus einem Replikat: check und Export sehen ihn")
    func foreignFlowFromReplica() throws {
        let directory = TemporaryDirectory()
        let store = try workshop(directory).store
        // Written below the domain layer, as a peer's change would arrive.
        try store.replica.insert(
            into: "fluss", id: Workshop.id("02", 399),
            values: [
                "labor_id": .text("wohngeld-mv"), "prozess_id": .text(Workshop.branching),
                "von_id": .text(Self.task), "nach_id": .text(Workshop.id("03", 202)),
            ])
        #expect(try store.check(laborID: "wohngeld-mv").contains { $0.kind == .processError })
        let xml = try BPMNExport.bpmn(store: store, processID: Workshop.branching, includingErrors: true)
        #expect(!xml.contains(XMLText.id("Element", Workshop.id("03", 202))))
    }
}

@Suite("Titel mit Zustand")
struct TitleWithStateTests {
    @Test("Eine Nutzerreise „… (IST)“ wird nicht zu „… (IST) (IST)“, gleich in welcher Schreibweise")
    func stateIsNotRepeated() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let store = workshop.store
        func journey(_ title: String, _ state: String) throws -> Record {
            let id = try store.add(
                "nutzerreise", laborID: workshop.labor,
                fields: ["titel": title, "persona_id": Workshop.persona, "zustand": state])
            return try #require(try store.record("nutzerreise", id: id))
        }
        #expect(try journey("Wohngeld beantragen (IST)", "ist").titleWithState() == "Wohngeld beantragen (IST)")
        #expect(try journey("Wohngeld beantragen (ist)", "ist").titleWithState() == "Wohngeld beantragen (ist)")
        #expect(try journey("Wohngeld beantragen", "soll").titleWithState() == "Wohngeld beantragen (SOLL)")
        #expect(try journey("Wohngeld (IST)", "soll").titleWithState() == "Wohngeld (IST) (SOLL)")
        // The Steckbrief's journey headings use it.
        let steckbrief = try MarkdownExport.projektsteckbrief(store: store, laborID: workshop.labor)
        #expect(steckbrief.contains("### Wohngeld beantragen (IST)\n"))
        #expect(!steckbrief.contains("(IST) (IST)") && !steckbrief.contains("(ist) (IST)"))
    }
}
