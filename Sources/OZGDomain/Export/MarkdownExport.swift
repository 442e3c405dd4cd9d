import OZGReplication
import OZGStorage

/// The Projektsteckbrief / Ergebnisdokumentation of one lab in German Markdown, sections in the
/// order of data dictionary §9.1, then Vertrauensniveau, Nutzeranforderungen, Prototypen and the
/// completeness check of §9.2. Deterministic: the same visible state gives byte-identical output.
public enum MarkdownExport {
    public static func projektsteckbrief(store: LaborStore, laborID: String) throws -> String {
        guard let labor = try store.record("labor", id: laborID) else {
            throw DomainError.notFound(entity: "labor", id: laborID)
        }
        var out = "# Projektsteckbrief: \(inline(labor.title))\n\n"
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
        let personas = try store.records("persona", laborID: laborID)
        let personaNames = Dictionary(uniqueKeysWithValues: personas.map { ($0.id, $0.title) })

        out += "\n## 1. User Journey\n\n"
        let journeys = try store.records("nutzerreise", laborID: laborID).sorted {
            ($0.title, $0.id) < ($1.title, $1.id)
        }
        if journeys.isEmpty { out += "Keine Nutzerreise erfasst.\n" }
        for journey in journeys {
            out += "### \(inline(journey.title)) (\(journey.display("zustand")))\n\n"
            let persona = journey.text("persona_id").flatMap { personaNames[$0] } ?? "–"
            out += "Persona: \(inline(persona))"
            if let goal = journey.text("ziel") { out += " · Ziel: \(inline(goal))" }
            out += "\n\n"
            if let scenario = journey.text("szenario") { out += "\(scenario)\n\n" }
            let steps = try store.records("schritt", laborID: laborID, filter: ["nutzerreise_id": journey.id])
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
                        emotion.map(curve) ?? "", step.display("schmerzpunkte"), step.display("chancen"),
                        step.display("medienbruch"),
                    ]
                })
            out += "\n"
        }

        out += "\n## 2. Personas\n\n"
        if personas.isEmpty { out += "Keine Persona erfasst.\n" }
        for persona in personas.sorted(by: { ($0.title, $0.id) < ($1.title, $1.id) }) {
            out +=
                "### \(inline(persona.title))\(persona["ist_primaer"] == .integer(1) ? " (primäre Persona)" : "")\n\n"
            out += table(
                ["Feld", "Wert"],
                persona.entity.fields.filter { !["name", "ist_primaer"].contains($0.key) }
                    .compactMap { field in
                        let value = persona.display(field.key)
                        return value.isEmpty ? nil : [field.label, value]
                    })
            out += "\n"
        }

        out += "\n## 3. Architektur & Komponenten\n\nWird in OZG Labor-Sync noch nicht erfasst.\n"

        out += "\n## 4. Erforderliche Rechtsänderungen\n\n"
        let requirements = try store.records("anforderung", laborID: laborID)
        var legal = requirements.filter { $0["rechtsaenderung_noetig"] == .integer(1) }.map { "- \(inline($0.title))" }
        let processes = try store.records("prozess", laborID: laborID).sorted { ($0.title, $0.id) < ($1.title, $1.id) }
        for process in processes {
            for assessment in try store.records(
                "vertrauensniveau", laborID: laborID, filter: ["prozess_id": process.id])
            where assessment.text("schriftformersatz") == "entfaellt" {
                legal.append("- Schriftform abschaffen (Prozess „\(inline(process.title))“)")
            }
        }
        out += legal.isEmpty ? "Keine erfasst.\n" : legal.joined(separator: "\n") + "\n"

        out += "\n## 5. Geltende und anzupassende Standards, FIM-Artefakte\n\n"
        var fim: [String] = []
        for process in processes {
            for element in try store.records("element", laborID: laborID, filter: ["prozess_id": process.id]) {
                for reference in Field.items(element["fim_referenzen"]) {
                    fim.append("- \(inline(reference)) – \(inline(element.title)) (\(inline(process.title)))")
                }
            }
        }
        out += fim.isEmpty ? "Keine FIM-Bezüge erfasst.\n" : fim.joined(separator: "\n") + "\n"

        out += "\n## 6. Referenzprozesse aus Nutzersicht\n\n"
        if processes.isEmpty { out += "Kein Referenzprozess erfasst.\n" }
        var registers: [String] = []
        for process in processes {
            let model = try ProcessModel(store: store, processID: process.id)
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
            registers += model.nodes.filter { $0["once_only"] == .integer(1) }.map {
                "- \(inline($0.title)) (\(inline(process.title))): Nachweis per Once-Only"
            }
        }

        out += "\n## 7. Registeranbindungen\n\n"
        out += registers.isEmpty ? "Keine erfasst.\n" : registers.joined(separator: "\n") + "\n"
        out += "\n## 8. Harmonisierungspotenzial\n\nWird in OZG Labor-Sync noch nicht erfasst.\n"
        out += "\n## 9. Nachnutzung bestehender Lösungen\n\nWird in OZG Labor-Sync noch nicht erfasst.\n"
        out += "\n## 10. Umsetzungsvarianten\n\nWird in OZG Labor-Sync noch nicht erfasst.\n"

        out += "\n## Vertrauensniveau\n\n"
        var anyAssessment = false
        for process in processes {
            for assessment in try store.records(
                "vertrauensniveau", laborID: laborID, filter: ["prozess_id": process.id])
            {
                anyAssessment = true
                let verdict = LaborStore.consistency(of: assessment)
                out += "### \(inline(process.title))\n\n"
                out += table(
                    ["Feld", "Wert"],
                    assessment.entity.fields.filter { $0.key != "prozess_id" }.compactMap { field in
                        let value = assessment.display(field.key)
                        return value.isEmpty ? nil : [field.label, value]
                    })
                out += "\nPrüfung: \(verdict.ok ? "stimmig" : "nicht stimmig") – \(verdict.text)\n\n"
            }
        }
        if !anyAssessment { out += "Keine Bewertung erfasst.\n" }

        out += "\n## Priorisierte Nutzeranforderungen\n\n"
        if requirements.isEmpty { out += "Keine erfasst.\n" }
        for (key, label) in Catalog.prioritaet.map({ ($0.key, $0.label) }) + [("", "ohne Priorität")] {
            let group = requirements.filter { ($0.text("prioritaet") ?? "") == key }
                .sorted { ($0.title, $0.id) < ($1.title, $1.id) }
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

        out += "\n## Prototypen und Testergebnisse\n\n"
        let prototypes = try store.records("prototyp", laborID: laborID).sorted {
            ($0.title, $0.id) < ($1.title, $1.id)
        }
        if prototypes.isEmpty { out += "Kein Prototyp erfasst.\n" }
        for prototype in prototypes {
            out +=
                "### \(inline(prototype.title)) (\(prototype.display("art")), Iteration \(prototype.display("iteration")))\n\n"
            let sessions = try store.records("testsitzung", laborID: laborID, filter: ["prototyp_id": prototype.id])
            var findings: [Record] = []
            for session in sessions {
                findings += try store.records("befund", laborID: laborID, filter: ["testsitzung_id": session.id])
            }
            let persons = Set(findings.compactMap { $0.text("testperson") })
            out +=
                "\(sessions.count) Testsitzung(en), \(persons.count) Testperson(en), \(findings.count) Befund(e).\n\n"
            for severity in Catalog.schweregrad.reversed().map(\.key) + [""] {
                let group = findings.filter { ($0.text("schweregrad") ?? "") == severity }
                if group.isEmpty { continue }
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
                    order.map { observation in
                        [observation, "\(seen[observation]?.count ?? 0) von \(persons.count)"]
                    })
                out += "\n"
            }
        }

        let category = Catalog.kategorie.first { $0.key == (labor.text("kategorie") ?? "labor_leistung") }?.label ?? ""
        out += "\n## Vollständigkeit (Priorisierungskategorie: \(category))\n\n"
        for item in try store.completeness(laborID: laborID) {
            if item.present {
                out += "- vorhanden: \(item.content)\n"
            } else if item.requirement == .required {
                out += "- fehlt: \(item.content)\(item.note.map { " (\($0))" } ?? "")\n"
            } else {
                out += "- bedarfsweise, nicht vorhanden: \(item.content)\n"
            }
        }
        return out
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
