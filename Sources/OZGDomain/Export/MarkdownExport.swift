import OZGReplication
import OZGStorage

/// The Projektsteckbrief / Ergebnisdokumentation of one lab in German Markdown, sections in the
/// order of data dictionary §9.1, then Vertrauensniveau, Nutzeranforderungen, Prototypen and the
/// completeness check of §9.2. Deterministic: the same visible state gives byte-identical output.
public enum MarkdownExport {
    /// What a section the lab cannot fill yet says.
    public static let noInformation = "Noch keine Angaben."

    public static func projektsteckbrief(store: LaborStore, laborID: String) throws -> String {
        var report = Steckbrief(lab: try store.snapshot(of: laborID))
        report.header()
        report.userJourneys()
        report.personas()
        report.notCaptured("3. Architektur & Komponenten")
        report.legalChanges()
        report.standards()
        report.referenceProcesses()
        report.registers()
        report.notCaptured("8. Harmonisierungspotenzial")
        report.notCaptured("9. Nachnutzung bestehender Lösungen")
        report.notCaptured("10. Umsetzungsvarianten")
        report.vertrauensniveau()
        report.requirements()
        report.prototypes()
        report.completeness()
        return report.out.source
    }

    /// −2…+2 as a five-slot marker, e.g. `··●··` for neutral.
    static func curve(_ emotion: Int64) -> String {
        let slot = Int(max(-2, min(2, emotion))) + 2
        return String((0..<5).map { $0 == slot ? "●" : "·" })
    }

    /// A Markdown table; every cell is escaped (`MarkdownText.cell`), so values cannot add columns,
    /// rows, HTML or links.
    static func table(_ header: [String], _ rows: [[String]]) -> Markdown {
        func line(_ cells: [String]) -> String { "| " + cells.map(MarkdownText.cell).joined(separator: " | ") + " |\n" }
        var out = line(header)
        out += "|" + String(repeating: "---|", count: header.count) + "\n"
        for row in rows { out += line(row) }
        return Markdown(stringLiteral: out)
    }
}

/// The Projektsteckbrief being written: one step per section, in the order of the document.
private struct Steckbrief {
    let lab: LabSnapshot
    /// Processes by title; sections 4–7 and the Vertrauensniveau walk them in this order.
    let processes: [Record]
    /// Values only enter through `Markdown` interpolation, which escapes them.
    var out = Markdown()

    init(lab: LabSnapshot) {
        self.lab = lab
        processes = Self.byTitle(lab.records("prozess"))
    }

    /// The row's choice key, or "" when it has none or one a peer stored that is not declared: such
    /// rows are listed with those without a value instead of vanishing from the document.
    static func known(_ record: Record, _ field: String, _ choices: [Choice]) -> String {
        let key = record.text(field) ?? ""
        return choices.contains { $0.key == key } ? key : ""
    }

    static func byTitle(_ records: [Record]) -> [Record] {
        records.sorted { ($0.title, $0.id) < ($1.title, $1.id) }
    }

    func table(_ header: [String], _ rows: [[String]]) -> Markdown { MarkdownExport.table(header, rows) }

    /// A record's fields as a Feld/Wert table, empty ones left out.
    func fieldTable(_ record: Record, skipping skipped: Set<String>) -> Markdown {
        table(
            ["Feld", "Wert"],
            record.entity.fields.filter { !skipped.contains($0.key) }.compactMap { field in
                let value = record.display(field.key)
                return value.isEmpty ? nil : [field.label, value]
            })
    }

    func assessments(of process: Record) -> [Record] { lab.children("vertrauensniveau", of: process.id) }

    mutating func header() {
        let labor = lab.lab
        out += "# Projektsteckbrief: \(labor.title)\n\n"
        // Document control first (Freigabestatus, Stand, Version, …), then what the lab is about.
        let control: Set<String> = [
            "freigabestatus", "stand", "version", "bearbeitung", "federfuehrung", "ansprechperson",
        ]
        let fields =
            labor.entity.fields.filter { control.contains($0.key) }
            + labor.entity.fields.filter { !control.contains($0.key) && $0.key != "titel" }
        out += table(
            ["Feld", "Wert"],
            fields.compactMap { field in
                let value = labor.display(field.key)
                if value.isEmpty { return nil }
                if field.key.hasPrefix("reifegrad"), let level = Int(value), level < Catalog.reifegrad.count {
                    return [field.label, "\(level) – \(Catalog.reifegrad[level])"]
                }
                return [field.label, value]
            })
    }

    mutating func userJourneys() {
        out += "\n## 1. User Journey\n\n"
        let personaNames = Dictionary(uniqueKeysWithValues: lab.records("persona").map { ($0.id, $0.title) })
        let journeys = Self.byTitle(lab.records("nutzerreise"))
        if journeys.isEmpty { out += "Keine Nutzerreise erfasst.\n" }
        for journey in journeys {
            out += "### \(journey.titleWithState())\n\n"
            let persona = journey.text("persona_id").flatMap { personaNames[$0] } ?? "–"
            out += "Persona: \(persona)"
            if let goal = journey.text("ziel") { out += " · Ziel: \(goal)" }
            out += "\n\n"
            if let scenario = journey.text("szenario") { out += "\(block: scenario)\n\n" }
            let steps = lab.children("schritt", of: journey.id)
            if steps.isEmpty {
                out += "Noch keine Schritte.\n\n"
                continue
            }
            out += table(
                [
                    "Nr.", "Phase", "Aktivität", "Touchpoint", "Emotion", "Verlauf", "Schmerzpunkte", "Chancen",
                    "Medienbruch",
                ],
                steps.enumerated().map { index, step in
                    let emotion = step["emotion"].integerValue
                    return [
                        String(index + 1), step.display("phase"), step.display("aktivitaet"),
                        step.display("touchpoint"),
                        emotion.map { "\($0 > 0 ? "+" : "")\($0) (\(Catalog.emotion[$0] ?? ""))" } ?? "",
                        emotion.map(MarkdownExport.curve) ?? "", step.display("schmerzpunkte"), step.display("chancen"),
                        step.display("medienbruch"),
                    ]
                })
            out += "\n"
        }
    }

    mutating func personas() {
        out += "\n## 2. Personas\n\n"
        let personas = lab.records("persona")
        if personas.isEmpty { out += "Keine Persona erfasst.\n" }
        for persona in Self.byTitle(personas) {
            out +=
                "### \(persona.title)\(persona["ist_primaer"] == .integer(1) ? " (primäre Persona)" : "")\n\n"
            out += fieldTable(persona, skipping: ["name", "ist_primaer"])
            out += "\n"
        }
    }

    /// A section the lab cannot fill yet: the document says only that nothing is given (in the
    /// Landesredaktion's words, no product name); `check` tells the facilitator why.
    mutating func notCaptured(_ title: Markdown) {
        out += "\n## \(title)\n\n\(MarkdownExport.noInformation)\n"
    }

    mutating func legalChanges() {
        out += "\n## 4. Erforderliche Rechtsänderungen\n\n"
        var legal: [Markdown] = lab.records("anforderung").filter { $0["rechtsaenderung_noetig"] == .integer(1) }
            .map { "- \($0.title)" }
        for process in processes {
            for assessment in assessments(of: process) where assessment.text("schriftformersatz") == "entfaellt" {
                legal.append("- Schriftform abschaffen (Prozess „\(process.title)“)")
            }
        }
        out += legal.isEmpty ? "Keine erfasst.\n" : legal.joined(separator: "\n") + "\n"
    }

    mutating func standards() {
        out += "\n## 5. Geltende und anzupassende Standards, FIM-Artefakte\n\n"
        var fim: [Markdown] = []
        for process in processes {
            for element in lab.children("element", of: process.id) {
                for reference in Field.items(element["fim_referenzen"]) {
                    fim.append("- \(reference) – \(element.title) (\(process.title))")
                }
            }
        }
        out += fim.isEmpty ? "Keine FIM-Bezüge erfasst.\n" : fim.joined(separator: "\n") + "\n"
    }

    mutating func referenceProcesses() {
        out += "\n## 6. Referenzprozesse aus Nutzersicht\n\n"
        if processes.isEmpty { out += "Kein Referenzprozess erfasst.\n" }
        for process in processes {
            let model = ProcessModel(process: process, in: lab)
            let lanes = Dictionary(uniqueKeysWithValues: model.lanes.map { ($0.id, $0.title) })
            out += "### \(process.title)\n\n"
            var facts: [Markdown] = ["Zustand: \(process.display("zustand"))"]
            for (label, key) in [("Leistung", "ozg_leistung"), ("Auslöser", "ausloeser"), ("Ergebnis", "ergebnis")] {
                if let text = process.text(key) { facts.append("\(label): \(text)") }
            }
            out += facts.joined(separator: " · ") + "\n\n"
            out += table(
                ["Nr.", "Element", "Typ", "Akteur", "Handlungsgrundlage", "IT-System"],
                model.nodes.enumerated().map { index, node in
                    [
                        String(index + 1), node.display("bezeichnung"), node.display("element_typ"),
                        lanes[node.text("akteur_id") ?? ""] ?? "–", node.display("handlungsgrundlagen"),
                        node.display("it_system"),
                    ]
                })
            let problems = model.problems()
            if !problems.isEmpty {
                out += "\nHinweise zum Modell:\n\(problems.map { "- \($0)" as Markdown }.joined(separator: "\n"))\n"
            }
            out += "\n"
        }
    }

    mutating func registers() {
        out += "\n## 7. Registeranbindungen\n\n"
        var registers: [Markdown] = []
        for process in processes {
            registers += lab.children("element", of: process.id).filter { $0["once_only"] == .integer(1) }.map {
                "- \($0.title) (\(process.title)): Nachweis per Once-Only"
            }
        }
        out += registers.isEmpty ? "Keine erfasst.\n" : registers.joined(separator: "\n") + "\n"
    }

    mutating func vertrauensniveau() {
        out += "\n## Vertrauensniveau\n\n"
        var anyAssessment = false
        for process in processes {
            for assessment in assessments(of: process) {
                anyAssessment = true
                let verdict = LaborStore.consistency(of: assessment)
                out += "### \(process.title)\n\n"
                out += fieldTable(assessment, skipping: ["prozess_id"])
                out += "\nPrüfung: \(verdict.state.label) – \(verdict.text)\n\n"
            }
        }
        if !anyAssessment { out += "Keine Bewertung erfasst.\n" }
    }

    mutating func requirements() {
        out += "\n## Priorisierte Nutzeranforderungen\n\n"
        let requirements = lab.records("anforderung")
        if requirements.isEmpty { out += "Keine erfasst.\n" }
        for (key, label) in Catalog.prioritaet.map({ ($0.key, $0.label) }) + [("", "ohne Priorität")] {
            let group = Self.byTitle(requirements.filter { Self.known($0, "prioritaet", Catalog.prioritaet) == key })
            if group.isEmpty { continue }
            out += "### \(label)\n\n"
            out += table(
                ["Anforderung", "Kategorie", "Status", "Rechtsänderung"],
                group.map {
                    [
                        $0.display("titel"), $0.display("kategorie"), $0.display("status"),
                        $0.display("rechtsaenderung_noetig"),
                    ]
                })
            out += "\n"
        }
    }

    mutating func prototypes() {
        out += "\n## Prototypen und Testergebnisse\n\n"
        let prototypes = Self.byTitle(lab.records("prototyp"))
        if prototypes.isEmpty { out += "Kein Prototyp erfasst.\n" }
        for prototype in prototypes {
            out +=
                "### \(prototype.title) (\(prototype.display("art")), Iteration \(prototype.display("iteration")))\n\n"
            let sessions = lab.children("testsitzung", of: prototype.id)
            let findings = sessions.flatMap { lab.children("befund", of: $0.id) }
            let persons = Set(findings.compactMap { $0.text("testperson") })
            out +=
                "\(sessions.count) Testsitzung(en), \(persons.count) Testperson(en), \(findings.count) Befund(e).\n\n"
            for severity in Catalog.schweregrad.reversed().map(\.key) + [""] {
                let group = findings.filter { Self.known($0, "schweregrad", Catalog.schweregrad) == severity }
                if group.isEmpty { continue }
                findingsBySeverity(severity, group, persons: persons.count)
            }
        }
    }

    /// One Schweregrad's findings, the same observation by several persons counted once per person.
    mutating func findingsBySeverity(_ severity: String, _ group: [Record], persons: Int) {
        let label =
            Catalog.schweregrad.first { $0.key == severity }.map { "Schweregrad \($0.key): \($0.label)" }
            ?? "ohne Schweregrad"
        out += "#### \(label)\n\n"
        var seen: [String: Set<String>] = [:]
        var order: [String] = []
        for finding in group.sorted(by: {
            ($0.display("beobachtung"), $0.id) < ($1.display("beobachtung"), $1.id)
        }) {
            let observation = finding.display("beobachtung")
            if seen[observation] == nil { order.append(observation) }
            seen[observation, default: []].insert(finding.text("testperson") ?? "")
        }
        out += table(
            ["Beobachtung", "Häufigkeit"],
            order.map { observation in [observation, "\(seen[observation]?.count ?? 0) von \(persons)"] })
        out += "\n"
    }

    mutating func completeness() {
        let category =
            Catalog.kategorie.first { $0.key == (lab.lab.text("kategorie") ?? "labor_leistung") }?.label ?? ""
        out += "\n## Vollständigkeit (Priorisierungskategorie: \(category))\n\n"
        for item in LaborStore.completeness(of: lab) {
            if item.present {
                out += "- vorhanden: \(item.content)\n"
            } else if item.requirement == .required {
                out += "- fehlt: \(item.content)\n"
            } else {
                out += "- bedarfsweise, nicht vorhanden: \(item.content)\n"
            }
        }
    }
}
