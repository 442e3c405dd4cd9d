import OZGReplication
import OZGStorage

/// The Projektsteckbrief / Ergebnisdokumentation of one lab in German Markdown, sections in the
/// order of data dictionary §9.1, then Vertrauensniveau, Nutzeranforderungen, Prototypen and the
/// completeness check of §9.2. Deterministic: the same visible state gives byte-identical output.
public enum MarkdownExport {
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
        return report.out
    }

    /// −2…+2 as a five-slot marker, e.g. `··●··` for neutral.
    static func curve(_ emotion: Int64) -> String {
        let slot = Int(max(-2, min(2, emotion))) + 2
        return String((0..<5).map { $0 == slot ? "●" : "·" })
    }

    static func inline(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ")
    }

    /// A Markdown table; pipes and line breaks inside cells are escaped.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        func cell(_ text: String) -> String {
            inline(text).replacingOccurrences(of: "|", with: "\\|")
        }
        var out = "| " + header.map(cell).joined(separator: " | ") + " |\n"
        out += "|" + String(repeating: "---|", count: header.count) + "\n"
        for row in rows { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
        return out
    }
}

/// The Projektsteckbrief being written: one step per section, in the order of the document.
private struct Steckbrief {
    let lab: LabSnapshot
    /// Processes by title; sections 4–7 and the Vertrauensniveau walk them in this order.
    let processes: [Record]
    var out = ""

    init(lab: LabSnapshot) {
        self.lab = lab
        processes = Self.byTitle(lab.records("prozess"))
    }

    static func byTitle(_ records: [Record]) -> [Record] {
        records.sorted { ($0.title, $0.id) < ($1.title, $1.id) }
    }

    func inline(_ text: String) -> String { MarkdownExport.inline(text) }
    func table(_ header: [String], _ rows: [[String]]) -> String { MarkdownExport.table(header, rows) }

    /// A record's fields as a Feld/Wert table, empty ones left out.
    func fieldTable(_ record: Record, skipping skipped: Set<String>) -> String {
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
        out += "# Projektsteckbrief: \(inline(labor.title))\n\n"
        out += table(
            ["Feld", "Wert"],
            labor.entity.fields.filter { $0.key != "titel" }.compactMap { field in
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
            out += "### \(inline(journey.title)) (\(journey.display("zustand")))\n\n"
            let persona = journey.text("persona_id").flatMap { personaNames[$0] } ?? "–"
            out += "Persona: \(inline(persona))"
            if let goal = journey.text("ziel") { out += " · Ziel: \(inline(goal))" }
            out += "\n\n"
            if let scenario = journey.text("szenario") { out += "\(scenario)\n\n" }
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
                "### \(inline(persona.title))\(persona["ist_primaer"] == .integer(1) ? " (primäre Persona)" : "")\n\n"
            out += fieldTable(persona, skipping: ["name", "ist_primaer"])
            out += "\n"
        }
    }

    mutating func notCaptured(_ title: String) {
        out += "\n## \(title)\n\nWird in OZG Labor-Sync noch nicht erfasst.\n"
    }

    mutating func legalChanges() {
        out += "\n## 4. Erforderliche Rechtsänderungen\n\n"
        var legal = lab.records("anforderung").filter { $0["rechtsaenderung_noetig"] == .integer(1) }.map {
            "- \(inline($0.title))"
        }
        for process in processes {
            for assessment in assessments(of: process) where assessment.text("schriftformersatz") == "entfaellt" {
                legal.append("- Schriftform abschaffen (Prozess „\(inline(process.title))“)")
            }
        }
        out += legal.isEmpty ? "Keine erfasst.\n" : legal.joined(separator: "\n") + "\n"
    }

    mutating func standards() {
        out += "\n## 5. Geltende und anzupassende Standards, FIM-Artefakte\n\n"
        var fim: [String] = []
        for process in processes {
            for element in lab.children("element", of: process.id) {
                for reference in Field.items(element["fim_referenzen"]) {
                    fim.append("- \(inline(reference)) – \(inline(element.title)) (\(inline(process.title)))")
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
            out += "### \(inline(process.title))\n\n"
            var facts = ["Zustand: \(process.display("zustand"))"]
            for (label, key) in [("Leistung", "ozg_leistung"), ("Auslöser", "ausloeser"), ("Ergebnis", "ergebnis")] {
                if let text = process.text(key) { facts.append("\(label): \(inline(text))") }
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
                out += "\nHinweise zum Modell:\n" + problems.map { "- \($0)" }.joined(separator: "\n") + "\n"
            }
            out += "\n"
        }
    }

    mutating func registers() {
        out += "\n## 7. Registeranbindungen\n\n"
        var registers: [String] = []
        for process in processes {
            registers += lab.children("element", of: process.id).filter { $0["once_only"] == .integer(1) }.map {
                "- \(inline($0.title)) (\(inline(process.title))): Nachweis per Once-Only"
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
                out += "### \(inline(process.title))\n\n"
                out += fieldTable(assessment, skipping: ["prozess_id"])
                out += "\nPrüfung: \(verdict.ok ? "stimmig" : "nicht stimmig") – \(verdict.text)\n\n"
            }
        }
        if !anyAssessment { out += "Keine Bewertung erfasst.\n" }
    }

    mutating func requirements() {
        out += "\n## Priorisierte Nutzeranforderungen\n\n"
        let requirements = lab.records("anforderung")
        if requirements.isEmpty { out += "Keine erfasst.\n" }
        for (key, label) in Catalog.prioritaet.map({ ($0.key, $0.label) }) + [("", "ohne Priorität")] {
            let group = Self.byTitle(requirements.filter { ($0.text("prioritaet") ?? "") == key })
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
                "### \(inline(prototype.title)) (\(prototype.display("art")), Iteration \(prototype.display("iteration")))\n\n"
            let sessions = lab.children("testsitzung", of: prototype.id)
            let findings = sessions.flatMap { lab.children("befund", of: $0.id) }
            let persons = Set(findings.compactMap { $0.text("testperson") })
            out +=
                "\(sessions.count) Testsitzung(en), \(persons.count) Testperson(en), \(findings.count) Befund(e).\n\n"
            for severity in Catalog.schweregrad.reversed().map(\.key) + [""] {
                let group = findings.filter { ($0.text("schweregrad") ?? "") == severity }
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
                out += "- fehlt: \(item.content)\(item.note.map { " (\($0))" } ?? "")\n"
            } else {
                out += "- bedarfsweise, nicht vorhanden: \(item.content)\n"
            }
        }
    }
}
