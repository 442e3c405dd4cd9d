import OZGReplication
import OZGStorage

/// The Projektsteckbrief / Ergebnisdokumentation of one lab, sections in the order of data
/// dictionary §9.1, then Vertrauensniveau, Nutzeranforderungen, Prototypen, Machbarkeit,
/// Umsetzungsplan, Beteiligte and the completeness check of §9.2 per Leistung. Built once as a
/// `Report`, written as Markdown here and as HTML by the web view. Deterministic: the same visible
/// state gives byte-identical output.
public enum MarkdownExport {
    /// What a section the lab cannot fill yet says.
    public static let noInformation = "Noch keine Angaben."

    public static func projektsteckbrief(store: LaborStore, laborID: String) throws -> String {
        // Markdown leaves the pictures out, so they are not drawn for it.
        projektsteckbrief(of: try store.snapshot(of: laborID), pictures: false).markdown
    }

    /// The Projektsteckbrief of a lab read once, as blocks for any renderer; `pictures` adds the
    /// drawings (journeys, processes, Befunde) for renderers that show them.
    public static func projektsteckbrief(of lab: LabSnapshot, pictures: Bool = true) -> Report {
        var steckbrief = Steckbrief(lab: lab, pictures: pictures)
        steckbrief.header()
        steckbrief.leistungen()
        steckbrief.userJourneys()
        steckbrief.personas()
        steckbrief.architecture()
        steckbrief.legalChanges()
        steckbrief.standards()
        steckbrief.referenceProcesses()
        steckbrief.registers()
        steckbrief.harmonisation()
        steckbrief.reuse()
        steckbrief.variants()
        steckbrief.vertrauensniveau()
        steckbrief.requirements()
        steckbrief.prototypes()
        steckbrief.feasibility()
        steckbrief.plans()
        steckbrief.participants()
        steckbrief.completeness()
        return steckbrief.out
    }

    /// −2…+2 as a five-slot marker, e.g. `··●··` for neutral.
    static func curve(_ emotion: Int64) -> String {
        let slot = Int(max(-2, min(2, emotion))) + 2
        return String((0..<5).map { $0 == slot ? "●" : "·" })
    }

    /// „2 – Formular-Assistent“ for a stored Reifegrad, "" without one.
    static func maturity(_ record: Record, _ field: String) -> String {
        guard let level = record[field].integerValue else { return "" }
        return level >= 0 && level < Catalog.reifegrad.count
            ? "\(level) – \(Catalog.reifegrad[Int(level)])" : "\(level)"
    }

    /// Every row's title by id, for references; a Labor-Leistung is named by its OZG-Leistung.
    static func titles(in lab: LabSnapshot) -> [String: String] {
        var titles: [String: String] = [:]
        for entity in Domain.labContents {
            for record in lab.records(entity.key) { titles[record.id] = record.title }
        }
        for coverage in lab.records("labor_leistung") {
            titles[coverage.id] = coverage.text("ozg_leistung_id").flatMap { titles[$0] } ?? coverage.id
        }
        return titles
    }
}

/// The Projektsteckbrief being written: one step per section, in the order of the document.
private struct Steckbrief {
    let lab: LabSnapshot
    /// Processes by title; sections 4–7 and the Vertrauensniveau walk them in this order.
    let processes: [Record]
    /// Every row's title by id, for references.
    let titles: [String: String]
    let pictures: Bool
    var out = Report()

    init(lab: LabSnapshot, pictures: Bool) {
        self.lab = lab
        self.pictures = pictures
        processes = Self.byTitle(lab.records("prozess"))
        titles = MarkdownExport.titles(in: lab)
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

    /// Rows in the order of their choice `field` in `choices` (unknown keys last), then by title.
    static func inCatalogOrder(_ records: [Record], _ field: String, _ choices: [Choice]) -> [Record] {
        let order = choices.map(\.key)
        func rank(_ record: Record) -> Int { order.firstIndex(of: record.text(field) ?? "") ?? order.count }
        return records.sorted { (rank($0), $0.title, $0.id) < (rank($1), $1.title, $1.id) }
    }

    /// The title of the row `id` names, of any entity of the lab ("–" when it is gone or empty).
    func titleOf(_ id: String?) -> String {
        guard let id else { return "" }
        return titles[id] ?? "–"
    }

    func assessments(of process: Record) -> [Record] { lab.children("vertrauensniveau", of: process.id) }

    /// A record's fields as a Feld/Wert table, empty ones left out.
    mutating func fieldTable(_ record: Record, skipping skipped: Set<String>) {
        out.table(
            ["Feld", "Wert"],
            record.entity.fields.filter { !skipped.contains($0.key) }.compactMap { field in
                let value = record.display(field.key)
                return value.isEmpty ? nil : [field.label, value]
            })
    }

    /// Rows as a table of the given fields (references by title), or „Noch keine Angaben.“.
    mutating func rows(_ records: [Record], _ fields: [String]) {
        guard let entity = records.first?.entity else {
            out.paragraph(MarkdownExport.noInformation)
            return
        }
        out.table(
            fields.map { entity.field($0)?.label ?? $0 },
            records.map { record in
                fields.map { key in
                    entity.field(key)?.referencedEntity != nil ? titleOf(record.text(key)) : record.display(key)
                }
            })
    }

    /// A section's lab-wide text, if given; then its rows, if any; „Noch keine Angaben.“ when neither.
    mutating func textAndRows(_ key: String, _ records: [Record], _ fields: [String]) {
        let text = lab.lab.text(key)
        if let text { out.lines(text) }
        if !records.isEmpty || text == nil { rows(records, fields) }
    }

    mutating func header() {
        let labor = lab.lab
        out.heading(1, "Projektsteckbrief: \(labor.title)")
        // Document control first (Freigabestatus, Stand, Version, …), then what the lab is about.
        let control: Set<String> = [
            "freigabestatus", "stand", "version", "bearbeitung", "federfuehrung", "ansprechperson",
        ]
        // The lab-wide texts of sections 3, 8 and 9 appear there.
        let inSections: Set<String> = ["titel", "architektur", "harmonisierung", "nachnutzung"]
        let fields =
            labor.entity.fields.filter { control.contains($0.key) }
            + labor.entity.fields.filter { !control.contains($0.key) && !inSections.contains($0.key) }
        out.table(
            ["Feld", "Wert"],
            fields.compactMap { field in
                let value = labor.display(field.key)
                return value.isEmpty ? nil : [field.label, value]
            })
    }

    /// The Leistungen the lab covers, with the Priorisierung per Leistung, and those it analyses for
    /// the catalogue only; then the Verwaltungsleistungen with their LeiKa keys and analysis.
    mutating func leistungen() {
        out.heading(2, "Leistungen und Priorisierung")
        let leistungen = Self.byTitle(lab.records("ozg_leistung"))
        if leistungen.isEmpty {
            out.paragraph(MarkdownExport.noInformation)
            return
        }
        let coverage = lab.records("labor_leistung")
        out.table(
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
                    covered?.display("begruendung") ?? "",
                    covered.map { MarkdownExport.maturity($0, "reifegrad_ist") } ?? "",
                    covered.map { MarkdownExport.maturity($0, "reifegrad_ziel") } ?? "",
                ]
            })
        let services = leistungen.flatMap { lab.children("verwaltungsleistung", of: $0.id) }
        if !services.isEmpty {
            out.heading(3, "Analysierte Verwaltungsleistungen")
            out.table(
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
        out.heading(2, "1. User Journey")
        let personaNames = Dictionary(uniqueKeysWithValues: lab.records("persona").map { ($0.id, $0.title) })
        let journeys = Self.byTitle(lab.records("nutzerreise"))
        if journeys.isEmpty { out.paragraph("Keine Nutzerreise erfasst.") }
        for journey in journeys {
            out.heading(3, journey.titleWithState())
            let persona = journey.text("persona_id").flatMap { personaNames[$0] } ?? "–"
            out.paragraph("Persona: \(persona)" + (journey.text("ziel").map { " · Ziel: \($0)" } ?? ""))
            if let scenario = journey.text("szenario") { out.lines(scenario) }
            let steps = lab.children("schritt", of: journey.id)
            if steps.isEmpty {
                out.paragraph("Noch keine Schritte.")
                continue
            }
            if pictures { out.drawing(Drawings.journey(journey, in: lab)) }
            out.table(
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
                out.paragraph("Schmerzpunkte:")
                painTable(pains)
            }
        }
        let unplaced = lab.records("schmerzpunkt").filter { pain in
            !lab.records("schritt").contains { $0.id == pain.text("schritt_id") }
        }
        if !unplaced.isEmpty {
            out.heading(3, "Schmerzpunkte ohne Nutzerreiseschritt")
            painTable(unplaced)
        }
    }

    mutating func painTable(_ pains: [Record]) {
        out.table(
            ["Schmerzpunkt", "Schritt / Persona", "Schwere", "Quelle", "Adressiert durch"],
            pains.map {
                [
                    $0.title, titleOf($0.text("schritt_id") ?? $0.text("persona_id")), $0.display("schwere"),
                    $0.display("quelle"), titleOf($0.text("anforderung_id")),
                ]
            })
    }

    mutating func personas() {
        out.heading(2, "2. Personas")
        let personas = lab.records("persona")
        if personas.isEmpty { out.paragraph("Keine Persona erfasst.") }
        for persona in Self.byTitle(personas) {
            out.heading(3, persona.title + (persona["ist_primaer"] == .integer(1) ? " (primäre Persona)" : ""))
            fieldTable(persona, skipping: ["name", "ist_primaer"])
        }
    }

    mutating func architecture() {
        out.heading(2, "3. Architektur & Komponenten")
        textAndRows("architektur", Self.byTitle(lab.records("komponente")), ["name", "status", "beschreibung"])
        let chosen = lab.records("umsetzungsvariante").filter { $0["gewaehlt"] == .integer(1) }
        if !chosen.isEmpty {
            out.paragraph("Gewählte Umsetzungsvariante: \(chosen.map(\.title).joined(separator: "; ")) (siehe 10.)")
        }
    }

    mutating func legalChanges() {
        out.heading(2, "4. Erforderliche Rechtsänderungen")
        let changes = Self.byTitle(lab.records("rechtsaenderung"))
        // Anforderungen a recorded Rechtsänderung names as its cause appear with it, not twice.
        let causes = Set(changes.compactMap { $0.text("anforderung_id") })
        var legal = lab.records("anforderung").filter {
            $0["rechtsaenderung_noetig"] == .integer(1) && !causes.contains($0.id)
        }.map { "\($0.title) (Nutzeranforderung)" }
        for process in processes {
            for assessment in assessments(of: process) where assessment.text("schriftformersatz") == "entfaellt" {
                legal.append("Schriftform abschaffen (Prozess „\(process.title)“)")
            }
        }
        if !changes.isEmpty {
            out.table(
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
            if !legal.isEmpty { out.paragraph("Außerdem:") }
        }
        if !legal.isEmpty {
            out.list(legal)
        } else if changes.isEmpty {
            out.paragraph("Keine erfasst.")
        }
    }

    mutating func standards() {
        out.heading(2, "5. Geltende und anzupassende Standards, FIM-Artefakte")
        out.heading(3, "Standards")
        rows(Self.byTitle(lab.records("standard")), ["name", "status", "anwendung"])
        out.heading(3, "FIM-Artefakte")
        let artefacts = lab.records("fim_artefakt").sorted {
            ($0.text("baustein") ?? "", $0.text("zustand") ?? "", $0.title, $0.id)
                < ($1.text("baustein") ?? "", $1.text("zustand") ?? "", $1.title, $1.id)
        }
        if !artefacts.isEmpty {
            rows(artefacts, ["bezeichnung", "baustein", "zustand", "fim_id", "version", "freigabestatus"])
        }
        var fim: [String] = []
        for process in processes {
            for element in lab.children("element", of: process.id) {
                for reference in Field.items(element["fim_referenzen"]) {
                    fim.append("\(reference) – \(element.title) (\(process.title))")
                }
            }
        }
        if !fim.isEmpty {
            out.paragraph("FIM-Bezüge der Prozesselemente:")
            out.list(fim)
        } else if artefacts.isEmpty {
            out.paragraph("Keine FIM-Bezüge erfasst.")
        }
    }

    mutating func referenceProcesses() {
        out.heading(2, "6. Referenzprozesse aus Nutzersicht")
        if processes.isEmpty { out.paragraph("Kein Referenzprozess erfasst.") }
        for process in processes {
            let model = ProcessModel(process: process, in: lab)
            let lanes = Dictionary(uniqueKeysWithValues: model.lanes.map { ($0.id, $0.title) })
            out.heading(3, process.title)
            var facts = ["Zustand: \(process.display("zustand"))"]
            for (label, key) in [("Leistung", "ozg_leistung"), ("Auslöser", "ausloeser"), ("Ergebnis", "ergebnis")] {
                if let text = process.text(key) { facts.append("\(label): \(text)") }
            }
            out.paragraph(facts.joined(separator: " · "))
            if pictures, !model.nodes.isEmpty { out.drawing(Drawings.process(model)) }
            out.table(
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
                out.paragraph("Hinweise zum Modell:")
                out.list(problems)
            }
        }
    }

    mutating func registers() {
        out.heading(2, "7. Registeranbindungen")
        var registers: [String] = []
        for process in processes {
            registers += lab.children("element", of: process.id).filter { $0["once_only"] == .integer(1) }.map {
                "\($0.title) (\(process.title)): Nachweis per Once-Only"
            }
        }
        let connections = Self.byTitle(lab.records("registeranbindung"))
        if !connections.isEmpty { rows(connections, ["register", "nachweis", "schnittstelle", "status"]) }
        if !registers.isEmpty {
            out.list(registers)
        } else if connections.isEmpty {
            out.paragraph("Keine erfasst.")
        }
    }

    mutating func harmonisation() {
        out.heading(2, "8. Harmonisierungspotenzial")
        let perLeistung = lab.records("labor_leistung").filter { $0.text("harmonisierung") != nil }
        if let text = lab.lab.text("harmonisierung") { out.lines(text) }
        if !perLeistung.isEmpty {
            out.table(
                ["Leistung", "Harmonisierungspotenzial"],
                perLeistung.map { [titleOf($0.id), $0.display("harmonisierung")] })
        } else if lab.lab.text("harmonisierung") == nil {
            out.paragraph(MarkdownExport.noInformation)
        }
    }

    mutating func reuse() {
        out.heading(2, "9. Nachnutzung bestehender Lösungen")
        let models = Self.byTitle(lab.records("ozg_leistung")).filter {
            $0.text("nachnutzungsmodell") != nil || $0.text("onlinedienst") != nil
        }
        textAndRows(
            "nachnutzung", models,
            ["bezeichnung", "nachnutzungsmodell", "federfuehrendes_land", "onlinedienst", "verfuegbar_ab"])
    }

    mutating func variants() {
        out.heading(2, "10. Umsetzungsvarianten")
        rows(lab.records("umsetzungsvariante"), ["variante", "ozg_leistung_id", "gewaehlt", "begruendung"])
    }

    mutating func vertrauensniveau() {
        out.heading(2, "Vertrauensniveau")
        var anyAssessment = false
        for process in processes {
            for assessment in assessments(of: process) {
                anyAssessment = true
                let verdict = LaborStore.consistency(of: assessment)
                out.heading(3, process.title)
                fieldTable(assessment, skipping: ["prozess_id"])
                out.paragraph("Prüfung: \(verdict.state.label) – \(verdict.text)")
            }
        }
        if !anyAssessment { out.paragraph("Keine Bewertung erfasst.") }
    }

    mutating func requirements() {
        out.heading(2, "Priorisierte Nutzeranforderungen")
        let requirements = lab.records("anforderung")
        if requirements.isEmpty { out.paragraph("Keine erfasst.") }
        for (key, label) in Catalog.prioritaet.map({ ($0.key, $0.label) }) + [("", "ohne Priorität")] {
            let group = Self.byTitle(requirements.filter { Self.known($0, "prioritaet", Catalog.prioritaet) == key })
            if group.isEmpty { continue }
            out.heading(3, label)
            out.table(
                ["Anforderung", "Kategorie", "Status", "Rechtsänderung"],
                group.map {
                    [
                        $0.display("titel"), $0.display("kategorie"), $0.display("status"),
                        $0.display("rechtsaenderung_noetig"),
                    ]
                })
        }
    }

    mutating func prototypes() {
        out.heading(2, "Prototypen und Testergebnisse")
        let prototypes = Self.byTitle(lab.records("prototyp"))
        if prototypes.isEmpty { out.paragraph("Kein Prototyp erfasst.") }
        let testers = lab.records("testperson")
        if !testers.isEmpty {
            let consented = testers.filter { $0["einverstaendnis"] == .integer(1) }.count
            out.paragraph("Testpersonen: \(testers.count) erfasst (pseudonym), \(consented) mit Einverständnis.")
        }
        for prototype in prototypes {
            out.heading(
                3, "\(prototype.title) (\(prototype.display("art")), Iteration \(prototype.display("iteration")))")
            let findings = FindingsBySeverity(prototype: prototype, in: lab)
            out.paragraph(
                "\(findings.sessions) Testsitzung(en), \(findings.persons) Testperson(en), \(findings.count) Befund(e)."
            )
            if pictures { out.drawing(Drawings.findings(of: prototype, in: lab)) }
            for group in findings.groups {
                out.heading(4, group.label)
                out.table(
                    ["Beobachtung", "Häufigkeit"],
                    group.observations.map { [$0.text, "\($0.persons) von \(findings.persons)"] })
            }
        }
    }

    mutating func feasibility() {
        out.heading(2, "Machbarkeitsanalyse")
        let assessments = Self.inCatalogOrder(lab.records("machbarkeit"), "dimension", Catalog.machbarkeitDimension)
        rows(assessments, ["dimension", "bewertung", "begruendung"])
    }

    mutating func plans() {
        out.heading(2, "Umsetzungsplan mit Umsetzungsstufen")
        let plans = Self.byTitle(lab.records("umsetzungsplan"))
        if plans.isEmpty { out.paragraph(MarkdownExport.noInformation) }
        for plan in plans {
            out.heading(3, plan.title)
            var facts: [String] = []
            if let mvp = plan.text("mvp") { facts.append("Minimalprodukt (MVP): \(mvp)") }
            if let lead = plan.text("umsetzungsverantwortung") { facts.append("Umsetzungskoordination: \(lead)") }
            if !facts.isEmpty { out.paragraph(facts.joined(separator: " · ")) }
            let stages = lab.children("umsetzungsstufe", of: plan.id)
            if stages.isEmpty {
                out.paragraph("Noch keine Umsetzungsstufen.")
                continue
            }
            out.table(
                ["Nr.", "Umsetzungsstufe", "Inhalt", "Ziel-Reifegrad", "Abhängigkeiten", "Zeitraum"],
                stages.enumerated().map { index, stage in
                    [
                        String(index + 1), stage.title, stage.display("inhalt"),
                        MarkdownExport.maturity(stage, "ziel_reifegrad"), stage.display("abhaengigkeiten"),
                        stage.display("zeitraum"),
                    ]
                })
        }
    }

    mutating func participants() {
        out.heading(2, "Beteiligte")
        let people = Self.inCatalogOrder(lab.records("teilnehmende"), "rolle", Catalog.teilnehmendeRolle)
        rows(people, ["rolle", "anzeigename", "ebene", "organisation"])
    }

    mutating func completeness() {
        out.heading(2, "Vollständigkeit je Leistung")
        for leistung in LaborStore.completeness(of: lab) {
            out.heading(3, "\(leistung.leistung) (\(leistung.categoryLabel))")
            out.list(
                leistung.items.map { item in
                    if item.present { return "vorhanden: \(item.content)" }
                    if item.requirement == .required { return "fehlt: \(item.content)" }
                    return "bedarfsweise, nicht vorhanden: \(item.content)"
                })
        }
    }
}

/// A prototype's findings grouped by Schweregrad (most severe first, then those without), the same
/// observation by several persons counted once per person: the Steckbrief's tables and the web
/// view's bar chart read the same numbers.
public struct FindingsBySeverity: Sendable {
    public struct Observation: Sendable {
        public let text: String
        /// How many test persons made it.
        public let persons: Int
    }

    public struct Group: Sendable {
        /// The Schweregrad key (`"0"`…`"4"`), or "" for findings without one.
        public let severity: String
        public let label: String
        public let observations: [Observation]
        /// Findings (rows) in the group.
        public let count: Int
    }

    public let sessions: Int
    /// Distinct test persons with findings.
    public let persons: Int
    /// All findings of the prototype.
    public let count: Int
    public let groups: [Group]

    public init(prototype: Record, in lab: LabSnapshot) {
        let sessions = lab.children("testsitzung", of: prototype.id)
        let findings = sessions.flatMap { lab.children("befund", of: $0.id) }
        self.sessions = sessions.count
        persons = Set(findings.compactMap { $0.text("testperson") }).count
        count = findings.count
        var groups: [Group] = []
        for severity in Catalog.schweregrad.reversed().map(\.key) + [""] {
            let group = findings.filter { finding in
                let key = finding.text("schweregrad") ?? ""
                return (Catalog.schweregrad.contains { $0.key == key } ? key : "") == severity
            }
            if group.isEmpty { continue }
            var seen: [String: Set<String>] = [:]
            var order: [String] = []
            for finding in group.sorted(by: {
                ($0.display("beobachtung"), $0.id) < ($1.display("beobachtung"), $1.id)
            }) {
                let observation = finding.display("beobachtung")
                if seen[observation] == nil { order.append(observation) }
                seen[observation, default: []].insert(finding.text("testperson") ?? "")
            }
            let label =
                Catalog.schweregrad.first { $0.key == severity }.map { "Schweregrad \($0.key): \($0.label)" }
                ?? "ohne Schweregrad"
            groups.append(
                Group(
                    severity: severity, label: label,
                    observations: order.map { Observation(text: $0, persons: seen[$0]?.count ?? 0) },
                    count: group.count))
        }
        self.groups = groups
    }
}
