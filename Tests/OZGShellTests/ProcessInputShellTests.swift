import Foundation
import OZGDomain
import OZGReplication
import Testing

/// Issue 12 in the real shell binary: process errors at input, in `check` and in `export bpmn`, and
/// what the shell's input and listings do with backslashes, help, flows and Befunde.
@Suite("ozg-shell: Prozesseingaben und Eingabezeile")
struct ProcessInputShellTests {
    struct Lab {
        let directory = ShellDirectory()
        var process = ""
        var lane = ""
        var elements: [String] = []

        func shell(_ arguments: [String] = [], _ input: String = "") throws -> ShellProcess.Outcome {
            try ShellProcess.run(["labor.ozg"] + arguments, input: input, in: directory.url)
        }
    }

    /// A lab with one process: start → Antrag prüfen → Ende, with explicit flows.
    func lab() throws -> Lab {
        var lab = Lab()
        let setup = try lab.shell(
            [], "labor add id=lab titel=Lab themenfeld=umwelt bundesland=DE-BE\nprozess add name=Antrag\n")
        #expect(setup.status == 0, "\(setup.stderr)")
        lab.process = setup.lines[1]
        lab.lane = try lab.shell(["-c", "akteur add prozess_id=\(lab.process) name=Behörde akteurtyp=behoerde"])
            .lines[0]
        for (type, name) in [("start", "Eingang"), ("aufgabe", "Antrag prüfen"), ("ende", "Erledigt")] {
            lab.elements += try lab.shell([
                "-c",
                "element add prozess_id=\(lab.process) element_typ=\(type) bezeichnung=\"\(name)\" akteur_id=\(lab.lane)",
            ]).lines
        }
        for (from, to) in [(0, 1), (1, 2)] {
            let flow = try lab.shell([
                "-c", "fluss add prozess_id=\(lab.process) von_id=\(lab.elements[from]) nach_id=\(lab.elements[to])",
            ])
            #expect(flow.status == 0, "\(flow.stderr)")
        }
        return lab
    }

    /// A flow out of the end event, written as a peer's change arrives (below the input checks).
    func breakProcess(_ lab: Lab) throws -> String {
        let store = try LaborStore(path: lab.directory.path("labor.ozg"))
        return try store.replica.insert(
            into: "fluss",
            values: [
                "labor_id": .text("lab"), "prozess_id": .text(lab.process), "von_id": .text(lab.elements[2]),
                "nach_id": .text(lab.elements[1]),
            ])
    }

    @Test("fluss add aus dem Endereignis wird mit deutscher Meldung abgelehnt (Exit 1), nichts wird gespeichert")
    func flowOutOfEndIsRefused() throws {
        let lab = try lab()
        let outcome = try lab.shell([
            "-c", "fluss add prozess_id=\(lab.process) von_id=\(lab.elements[2]) nach_id=\(lab.elements[1])",
        ])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("Endereignis „Erledigt“") && outcome.stderr.contains("keine ausgehenden"))
        // Header, rule and the two flows of the setup.
        #expect(try lab.shell(["-c", "fluss list"]).lines.count == 4)
    }

    @Test("check endet im Skript mit 1 bei Fehlern, mit 0 bei bloßen Hinweisen")
    func checkExitCode() throws {
        let lab = try lab()
        let clean = try lab.shell(["-c", "check"])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("Hinweis") && !clean.stdout.contains("Fehler"))
        _ = try breakProcess(lab)
        let broken = try lab.shell(["-c", "check"])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("prozessfehler") && broken.stdout.contains("Endereignis „Erledigt“"))
        #expect(broken.stderr.contains("check hat 1 Fehler gefunden"))
    }

    @Test("export bpmn lehnt einen Prozess mit Fehlern ab; trotzdem=ja schreibt ihn ohne den Fluss und warnt")
    func exportBpmnRefusesOrForces() throws {
        let lab = try lab()
        let flow = try breakProcess(lab)
        let refused = try lab.shell(["-c", "export bpmn prozess=\(lab.process) out=p.bpmn"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("wird nicht als BPMN exportiert") && refused.stderr.contains("trotzdem=ja"))
        #expect(!FileManager.default.fileExists(atPath: lab.directory.path("p.bpmn")))
        let forced = try lab.shell(["-c", "export bpmn prozess=\(lab.process) out=p.bpmn trotzdem=ja"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stderr.contains("Warnung: trotz 1 Fehler(n) exportiert"))
        let xml = try String(contentsOfFile: lab.directory.path("p.bpmn"), encoding: .utf8)
        #expect(!xml.contains("<bpmn:sequenceFlow id=\"Flow_\(flow)\""))
        #expect(xml.contains("Trotz Prozessfehlern exportiert"))
        let wrong = try lab.shell(["-c", "export markdown trotzdem=ja"])
        #expect(wrong.status == 2 && wrong.stderr.contains("nur trotzdem=ja bei export bpmn"))
    }

    @Test("Ein Backslash in Anführungszeichen bleibt erhalten, außer vor \" und \\")
    func backslashesAreKept() throws {
        let lab = try lab()
        let id = try lab.shell([
            "-c", #"prototyp add titel="Pfad \"neu\"" art=klick_dummy werkzeug_link="\\server\labor\v1.fig""#,
        ])
        #expect(id.status == 0, "\(id.stderr)")
        let shown = try lab.shell(["-c", "query SELECT titel, werkzeug_link FROM prototyp", "--format", "csv"])
        #expect(shown.stdout.contains(#"\server\labor\v1.fig"#), "\(shown.stdout)")
        #expect(!shown.stdout.contains("serverlabor"))
        #expect(shown.stdout.contains(#"Pfad ""neu"""#), "\(shown.stdout)")
    }

    @Test("-c help legt keine Datei an")
    func helpCreatesNoFile() throws {
        let directory = ShellDirectory()
        let outcome = try ShellProcess.run(["neu.ozg", "-c", "help", "-c", "help fluss"], in: directory.url)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("OZG Labor-Sync – Befehle") && outcome.stdout.contains("fluss – Sequenzfluss"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("neu.ozg")))
        let piped = try ShellProcess.run(["neu.ozg"], input: "# nur Hilfe\nhelp\n", in: directory.url)
        #expect(piped.status == 0 && !FileManager.default.fileExists(atPath: directory.path("neu.ozg")))
    }

    @Test("fluss list zeigt von und nach mit Namen, befund list Schweregrad und Status")
    func listingsShowWhatMatters() throws {
        let lab = try lab()
        let flows = try lab.shell(["-c", "fluss list"]).stdout
        #expect(flows.contains("Eingang") && flows.contains("Antrag prüfen") && flows.contains("Erledigt"), "\(flows)")
        let prototype = try lab.shell(["-c", "prototyp add titel=Dummy art=klick_dummy"]).lines[0]
        let session = try lab.shell(["-c", "testsitzung add prototyp_id=\(prototype) datum=2026-11-20"]).lines[0]
        let added = try lab.shell([
            "-c",
            "befund add testsitzung_id=\(session) testperson=TP-01 beobachtung=\"Findet Upload nicht\" schweregrad=3",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let findings = try lab.shell(["-c", "befund list"]).stdout
        #expect(
            findings.contains("Schweregrad") && findings.contains("Status") && findings.contains("offen"), "\(findings)"
        )
    }
}
