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
        report.leistungen()
        report.userJourneys()
        report.personas()
        report.architecture()
        report.legalChanges()
        report.standards()
        report.referenceProcesses()
        report.registers()
        report.harmonisation()
        report.reuse()
        report.variants()
        report.vertrauensniveau()
        report.requirements()
        report.prototypes()
        report.feasibility()
        report.plans()
        report.participants()
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
    /// Every row's title by id, for references.
    let titles: [String: String]
    /// Values only enter through `Markdown` interpolation, which escapes them.
    var out = Markdown()

    init(lab: LabSnapshot) {
        self.lab = lab
        processes = Self.byTitle(lab.records("prozess"))
        var titles: [String: String] = [:]
        for entity in Domain.labContents {
            for record in lab.records(entity.key) { titles[record.id] = record.title }
        }
        // A Labor-Leistung is named by its OZG-Leistung.
        for coverage in lab.records("labor_leistung") {
            titles[coverage.id] = coverage.text("ozg_leistung_id").flatMap { titles[$0] } ?? coverage.id
        }
        self.titles = titles
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
        // The lab-wide texts of sections 3, 8 and 9 appear there.
        let inSections: Set<String> = ["titel", "architektur", "harmonisierung", "nachnutzung"]
        let fields =
            labor.entity.fields.filter { control.contains($0.key) }
            + labor.entity.fields.filter { !control.contains($0.key) && !inSections.contains($0.key) }
        out += table(
            ["Feld", "Wert"],
            fields.compactMap { field in
                let value = labor.display(field.key)
                return value.isEmpty ? nil : [field.label, value]
            })
    }

    /// „2 – Formular-Assistent“ for a stored Reifegrad, "" without one.
    static func maturity(_ record: Record, _ field: String) -> String {
        guard let level = record[field].integerValue else { return "" }
        return level >= 0 && level < Catalog.reifegrad.count
            ? "\(level) – \(Catalog.reifegrad[Int(level)])" : "\(level)"
    }

    /// The title of the row `id` names, of any entity of the lab ("–" when it is gone or empty).
    func titleOf(_ id: String?) -> String {
        guard let id else { return "" }
        return titles[id] ?? "–"
    }

    /// The Leistungen the lab covers, with the Priorisierung per Leistung, and those it analyses for
    /// the catalogue only; then the Verwaltungsleistungen with their LeiKa keys and analysis.
    mutating func leistungen() {
        out += "\n## Leistungen und Priorisierung\n\n"
        let leistungen = Self.byTitle(lab.records("ozg_leistung"))
        if leistungen.isEmpty {
            out += "\(MarkdownExport.noInformation)\n"
            return
        }
        let coverage = lab.records("labor_leistung")
        out += table(
            [
                "OZG-Leistung", "OZG-ID", "LeiKa-Schlüssel", "Priorisierungskategorie", "Begründung", "Reifegrad IST",
                "Reifegrad Ziel",
            ],
            leistungen.map { leistung in
                let covered = coverage.first { $0.text("ozg_leistung_id") == leistung.id }
                let keys = lab.children("verwaltungsleistung", of: leistung.id).flatMap { service in
                    [service.text("leika_schluessel")].compactMap { $0 } + Field.items(service["weitere_schluessel"])
                }
                return [
                    leistung.title, leistung.display("ozg_id"), keys.joined(separator: ", "),
                    covered?.display("kategorie") ?? "nur Analyse zum Katalog (kein Labor)",
                    covered?.display("begruendung") ?? "", covered.map { Self.maturity($0, "reifegrad_ist") } ?? "",
                    covered.map { Self.maturity($0, "reifegrad_ziel") } ?? "",
                ]
            })
        let services = leistungen.flatMap { lab.children("verwaltungsleistung", of: $0.id) }
        if !services.isEmpty {
            out += "\n### Analysierte Verwaltungsleistungen\n\n"
            out += table(
                [
                    "Verwaltungsleistung", "OZG-Leistung", "LeiKa-Schlüssel", "Typisierung", "Handlungsgrundlagen",
                    "FIM-Normenanalyse", "LeiKa aktualisiert",
                ],
                services.map {
                    [
                        $0.title, titleOf($0.text("ozg_leistung_id")),
                        ([$0.text("leika_schluessel")].compactMap { $0 } + Field.items($0["weitere_schluessel"]))
                            .joined(separator: ", "),
                        [$0.display("leika_typ"), $0.display("typisierung")].filter { !$0.isEmpty }
                            .joined(separator: ", "),
                        [$0.display("handlungsgrundlagen"), $0.display("varianten")].filter { !$0.isEmpty }
                            .joined(separator: "; Varianten: "),
                        $0.display("normenanalyse"), $0.display("leika_aktualisiert"),
                    ]
                })
        }
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
            let stepIDs = Set(steps.map(\.id))
            let pains = lab.records("schmerzpunkt").filter { stepIDs.contains($0.text("schritt_id") ?? "") }
            if !pains.isEmpty {
                out += "\nSchmerzpunkte:\n\n"
                out += painTable(pains)
            }
            out += "\n"
        }
        let unplaced = lab.records("schmerzpunkt").filter { pain in
            !lab.records("schritt").contains { $0.id == pain.text("schritt_id") }
        }
        if !unplaced.isEmpty {
            out += "### Schmerzpunkte ohne Nutzerreiseschritt\n\n"
            out += painTable(unplaced)
        }
    }

    func painTable(_ pains: [Record]) -> Markdown {
        table(
            ["Schmerzpunkt", "Schritt / Persona", "Schwere", "Quelle", "Adressiert durch"],
            pains.map {
                [
                    $0.title, titleOf($0.text("schritt_id") ?? $0.text("persona_id")), $0.display("schwere"),
                    $0.display("quelle"), titleOf($0.text("anforderung_id")),
                ]
            })
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

    /// A section's rows as a table of the given fields (references by title), or „Noch keine Angaben.“.
    func rows(_ records: [Record], _ fields: [String]) -> Markdown {
        guard let entity = records.first?.entity else { return "\(MarkdownExport.noInformation)\n" }
        return table(
            fields.map { entity.field($0)?.label ?? $0 },
            records.map { record in
                fields.map { key in
                    entity.field(key)?.referencedEntity != nil ? titleOf(record.text(key)) : record.display(key)
                }
            })
    }

    /// A section's lab-wide text, if given, as a paragraph; then its table, if it has rows; „Noch
    /// keine Angaben.“ when it has neither.
    mutating func textAndTable(_ key: String, _ records: [Record], _ table: Markdown) {
        let text = lab.lab.text(key)
        if let text { out += "\(block: text)\n" }
        if !records.isEmpty {
            if text != nil { out += "\n" }
            out += table
        } else if text == nil {
            out += "\(MarkdownExport.noInformation)\n"
        }
    }

    mutating func architecture() {
        out += "\n## 3. Architektur & Komponenten\n\n"
        let components = Self.byTitle(lab.records("komponente"))
        textAndTable("architektur", components, rows(components, ["name", "status", "beschreibung"]))
        let chosen = lab.records("umsetzungsvariante").filter { $0["gewaehlt"] == .integer(1) }
        if !chosen.isEmpty {
            out += "\nGewählte Umsetzungsvariante: \(chosen.map(\.title).joined(separator: "; ")) (siehe 10.)\n"
        }
    }

    mutating func harmonisation() {
        out += "\n## 8. Harmonisierungspotenzial\n\n"
        let perLeistung = lab.records("labor_leistung").filter { $0.text("harmonisierung") != nil }
        let perLeistungTable = table(
            ["Leistung", "Harmonisierungspotenzial"],
            perLeistung.map { [titleOf($0.id), $0.display("harmonisierung")] })
        textAndTable("harmonisierung", perLeistung, perLeistungTable)
    }

    mutating func reuse() {
        out += "\n## 9. Nachnutzung bestehender Lösungen\n\n"
        let models = Self.byTitle(lab.records("ozg_leistung")).filter {
            $0.text("nachnutzungsmodell") != nil || $0.text("onlinedienst") != nil
        }
        let modelTable = rows(
            models, ["bezeichnung", "nachnutzungsmodell", "federfuehrendes_land", "onlinedienst", "verfuegbar_ab"])
        textAndTable("nachnutzung", models, modelTable)
    }

    mutating func variants() {
        out += "\n## 10. Umsetzungsvarianten\n\n"
        out += rows(lab.records("umsetzungsvariante"), ["variante", "ozg_leistung_id", "gewaehlt", "begruendung"])
    }

    mutating func feasibility() {
        out += "\n## Machbarkeitsanalyse\n\n"
        let order = Catalog.machbarkeitDimension.map(\.key)
        let assessments = lab.records("machbarkeit").sorted {
            (order.firstIndex(of: $0.text("dimension") ?? "") ?? order.count, $0.id)
                < (order.firstIndex(of: $1.text("dimension") ?? "") ?? order.count, $1.id)
        }
        out += rows(assessments, ["dimension", "bewertung", "begruendung"])
    }

    mutating func plans() {
        out += "\n## Umsetzungsplan mit Umsetzungsstufen\n\n"
        let plans = Self.byTitle(lab.records("umsetzungsplan"))
        if plans.isEmpty { out += "\(MarkdownExport.noInformation)\n" }
        for plan in plans {
            out += "### \(plan.title)\n\n"
            var facts: [Markdown] = []
            if let mvp = plan.text("mvp") { facts.append("Minimalprodukt (MVP): \(mvp)") }
            if let lead = plan.text("umsetzungsverantwortung") { facts.append("Umsetzungskoordination: \(lead)") }
            if !facts.isEmpty { out += facts.joined(separator: " · ") + "\n\n" }
            let stages = lab.children("umsetzungsstufe", of: plan.id)
            if stages.isEmpty {
                out += "Noch keine Umsetzungsstufen.\n\n"
                continue
            }
            out += table(
                ["Nr.", "Umsetzungsstufe", "Inhalt", "Ziel-Reifegrad", "Abhängigkeiten", "Zeitraum"],
                stages.enumerated().map { index, stage in
                    [
                        String(index + 1), stage.title, stage.display("inhalt"), Self.maturity(stage, "ziel_reifegrad"),
                        stage.display("abhaengigkeiten"), stage.display("zeitraum"),
                    ]
                })
            out += "\n"
        }
    }

    mutating func participants() {
        out += "\n## Beteiligte\n\n"
        let roles = Catalog.teilnehmendeRolle.map(\.key)
        let people = lab.records("teilnehmende").sorted {
            (roles.firstIndex(of: $0.text("rolle") ?? "") ?? roles.count, $0.title, $0.id)
                < (roles.firstIndex(of: $1.text("rolle") ?? "") ?? roles.count, $1.title, $1.id)
        }
        out += rows(people, ["rolle", "anzeigename", "ebene", "organisation"])
    }

    mutating func legalChanges() {
        out += "\n## 4. Erforderliche Rechtsänderungen\n\n"
        let changes = Self.byTitle(lab.records("rechtsaenderung"))
        // Anforderungen a recorded Rechtsänderung names as its cause appear with it, not twice.
        let causes = Set(changes.compactMap { $0.text("anforderung_id") })
        var legal: [Markdown] = lab.records("anforderung").filter {
            $0["rechtsaenderung_noetig"] == .integer(1) && !causes.contains($0.id)
        }.map { "- \($0.title) (Nutzeranforderung)" }
        for process in processes {
            for assessment in assessments(of: process) where assessment.text("schriftformersatz") == "entfaellt" {
                legal.append("- Schriftform abschaffen (Prozess „\(process.title)“)")
            }
        }
        if !changes.isEmpty {
            out += table(
                ["Norm", "Änderung", "Begründung", "Ebene", "Zuständigkeit", "Anlass"],
                changes.map { change in
                    let cause =
                        change.text("anforderung_id").map { "Anforderung „\(titleOf($0))“" }
                        ?? change.text("vertrauensniveau_id").map { "Vertrauensniveau „\(titleOf($0))“" } ?? ""
                    return [
                        change.title, change.display("aenderung"), change.display("begruendung"),
                        change.display("ebene"), change.display("zustaendigkeit"), cause,
                    ]
                })
            if !legal.isEmpty { out += "\nAußerdem:\n\n" }
        }
        if !legal.isEmpty {
            out += legal.joined(separator: "\n") + "\n"
        } else if changes.isEmpty {
            out += "Keine erfasst.\n"
        }
    }

    mutating func standards() {
        out += "\n## 5. Geltende und anzupassende Standards, FIM-Artefakte\n\n"
        out += "### Standards\n\n"
        out += rows(Self.byTitle(lab.records("standard")), ["name", "status", "anwendung"])
        out += "\n### FIM-Artefakte\n\n"
        let artefacts = lab.records("fim_artefakt").sorted {
            ($0.text("baustein") ?? "", $0.text("zustand") ?? "", $0.title, $0.id)
                < ($1.text("baustein") ?? "", $1.text("zustand") ?? "", $1.title, $1.id)
        }
        if !artefacts.isEmpty {
            out += rows(artefacts, ["bezeichnung", "baustein", "zustand", "fim_id", "version", "freigabestatus"])
            out += "\n"
        }
        var fim: [Markdown] = []
        for process in processes {
            for element in lab.children("element", of: process.id) {
                for reference in Field.items(element["fim_referenzen"]) {
                    fim.append("- \(reference) – \(element.title) (\(process.title))")
                }
            }
        }
        if !fim.isEmpty {
            out += "FIM-Bezüge der Prozesselemente:\n\n" + fim.joined(separator: "\n") + "\n"
        } else if artefacts.isEmpty {
            out += "Keine FIM-Bezüge erfasst.\n"
        }
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
        let connections = Self.byTitle(lab.records("registeranbindung"))
        if !connections.isEmpty {
            out += rows(connections, ["register", "nachweis", "schnittstelle", "status"])
            if !registers.isEmpty { out += "\n" }
        }
        if !registers.isEmpty {
            out += registers.joined(separator: "\n") + "\n"
        } else if connections.isEmpty {
            out += "Keine erfasst.\n"
        }
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
        let testers = lab.records("testperson")
        if !testers.isEmpty {
            let consented = testers.filter { $0["einverstaendnis"] == .integer(1) }.count
            out += "Testpersonen: \(testers.count) erfasst (pseudonym), \(consented) mit Einverständnis.\n\n"
        }
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
        out += "\n## Vollständigkeit je Leistung\n"
        for leistung in LaborStore.completeness(of: lab) {
            out += "\n### \(leistung.leistung) (\(leistung.categoryLabel))\n\n"
            for item in leistung.items {
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
}
