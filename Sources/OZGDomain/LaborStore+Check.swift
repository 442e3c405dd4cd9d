import OZGReplication
import OZGStorage

/// The verdict on a Vertrauensniveau assessment, with the reason in German.
public struct TrustVerdict: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case stimmig, offen, nichtStimmig

        /// As the Steckbrief prints it.
        public var label: String {
            switch self {
            case .stimmig: return "stimmig"
            case .offen: return "offen"
            case .nichtStimmig: return "nicht stimmig"
            }
        }
    }

    public let state: State
    public let text: String

    init(_ state: State, _ text: String) {
        self.state = state
        self.text = text
    }
}

/// One finding of `check`: what is wrong or missing, in German.
public struct CheckFinding: Sendable, Equatable {
    /// What a finding is about.
    public enum Kind: Sendable, Equatable, CaseIterable {
        /// A row whose owning parent or lab is gone.
        case orphan
        /// A reference to a row that is deleted or unknown.
        case danglingReference
        /// A process without exactly one consistent Vertrauensniveau assessment.
        case vertrauensniveau
        /// A process error: the BPMN export would write dangling references or a process that never
        /// finishes (`ProcessModel.errors()`).
        case processError
        /// A process not finished yet (no end event, unreachable element, condition missing).
        case process
        /// A content the Projektsteckbrief requires is missing.
        case completeness
        /// Open conflicts wait for a decision.
        case conflict
        /// What the lab's phase expects by now (priorities in SOLL-Design, a Klick-Dummy, an assessment).
        case phase
        /// A Befund of a Testperson who did not consent (an error: it must not be recorded).
        case consent
        /// Evidence that cannot be traced: a Befund's Testperson not registered (consent undocumented),
        /// a Schmerzpunkt without a step or persona.
        case evidence
    }

    public let kind: Kind
    public let message: String

    /// Whether the finding is an error (scripted `check` then fails): a reference that leads nowhere,
    /// a process error, or a Befund recorded without consent. Orphans, Vertrauensniveau, incomplete
    /// processes and content, and open conflicts are reported but wait for a person's decision.
    public var isError: Bool { kind == .danglingReference || kind == .processError || kind == .consent }
}

/// One line of the completeness check against the matrix of data dictionary §9.2.
public struct CompletenessItem: Sendable, Equatable {
    /// How strongly the lab's priority category asks for a content (matrix marks „X“ and „(X)“).
    public enum Requirement: Sendable, Equatable {
        case required
        case asNeeded
    }

    public let content: String
    public let requirement: Requirement
    public let present: Bool
    /// What is missing and how to enter it.
    public let note: String?
}

/// The completeness check for one Leistung: its priority category picks the matrix column (§9.2).
public struct LeistungCompleteness: Sendable, Equatable {
    /// The OZG-Leistung's id; nil when the lab names no Leistung yet.
    public let leistungID: String?
    /// The OZG-Leistung's Bezeichnung, or a placeholder when the lab names none yet.
    public let leistung: String
    /// The Priorisierungskategorie (its key in `Catalog.kategorie`).
    public let category: String
    public let items: [CompletenessItem]

    public var categoryLabel: String { Catalog.kategorie.first { $0.key == category }?.label ?? category }
}

extension LaborStore {
    /// Orphans, dangling references, Vertrauensniveau consistency, process structure, completeness and open conflicts.
    public func check(laborID: String) throws -> [CheckFinding] {
        try check(try snapshot(of: laborID))
    }

    /// The same check on a snapshot read before (the web view reads a lab once per page).
    public func check(_ lab: LabSnapshot) throws -> [CheckFinding] {
        var findings = try orphansAndDanglingReferences(in: lab)
        for process in lab.records("prozess") {
            findings += vertrauensniveauFindings(for: process, in: lab)
            findings += ProcessModel(process: process, in: lab).issues().map {
                CheckFinding(
                    kind: $0.severity == .error ? .processError : .process,
                    message: "Prozess „\(process.title)“: \($0.message)")
            }
        }
        findings += Self.phaseFindings(in: lab)
        findings += Self.evidenceFindings(in: lab)
        for leistung in Self.completeness(of: lab) {
            for item in leistung.items where !item.present && item.requirement == .required {
                findings.append(
                    CheckFinding(
                        kind: .completeness,
                        message: "fehlt für „\(leistung.leistung)“ (\(leistung.categoryLabel)): \(item.content)"
                            + (item.note.map { " – \($0)" } ?? "")))
            }
        }
        let conflicts = try replica.conflicts()
        if !conflicts.isEmpty {
            findings.append(CheckFinding(kind: .conflict, message: "\(conflicts.count) offene(r) Konflikt(e)."))
        }
        return findings
    }

    /// Per row in display order: an orphan, or else each reference to a row that is gone.
    private func orphansAndDanglingReferences(in lab: LabSnapshot) throws -> [CheckFinding] {
        var findings: [CheckFinding] = []
        for entity in Domain.labContents {
            for record in lab.recordsIncludingOrphans(entity.key) {
                if lab.isOrphan(record) {
                    let parent =
                        record.entity.owningField.map { "\($0.label) \(record.text($0.key) ?? "–")" } ?? "Labor"
                    findings.append(
                        CheckFinding(
                            kind: .orphan,
                            message:
                                "\(entity.label) \(record.id) („\(record.title)“) ist verwaist: \(parent) ist gelöscht."
                        ))
                    continue
                }
                for field in entity.fields where !field.owning {
                    guard let target = field.referencedEntity, let value = record.text(field.key) else { continue }
                    // A table the replica lacks (the server's copy has only pushed ones) holds no row.
                    if !(try replica.tableNames.contains(target) && replica.isVisible(table: target, id: value)) {
                        findings.append(
                            CheckFinding(
                                kind: .danglingReference,
                                message:
                                    "\(entity.label) \(record.id) („\(record.title)“): \(field.label) verweist auf \(value), "
                                    + "das gelöscht oder unbekannt ist."))
                    }
                }
            }
        }
        return findings
    }

    /// What the lab's phase (§4.3: Vorbereitung → IST-Betrachtung → SOLL-Design → Ergebnisvorstellung)
    /// expects to exist: from SOLL-Design on every Anforderung has a Priorität and a Labor-Leistung has
    /// a Klick-Dummy (seed 002: „Immer zu liefern!“); for the Ergebnisvorstellung a Vertrauensniveau
    /// assessment exists.
    static func phaseFindings(in lab: LabSnapshot) -> [CheckFinding] {
        let order = Catalog.laborPhase.map(\.key)
        guard let phaseKey = lab.lab.text("phase"), let phase = order.firstIndex(of: phaseKey) else { return [] }
        let label = Catalog.laborPhase[phase].label
        var findings: [CheckFinding] = []
        if phase >= order.firstIndex(of: "soll_design") ?? order.count {
            let unprioritised = lab.records("anforderung").filter { $0.text("prioritaet") == nil }
            if !unprioritised.isEmpty {
                let names = unprioritised.prefix(5).map { "„\($0.title)“" }.joined(separator: ", ")
                let more = unprioritised.count > 5 ? " und \(unprioritised.count - 5) weitere" : ""
                findings.append(
                    CheckFinding(
                        kind: .phase,
                        message:
                            "Phase \(label): \(unprioritised.count) Anforderung(en) ohne Priorität: \(names)\(more) "
                            + "(anforderung set <id> prioritaet=…)."))
            }
            let covered = lab.records("labor_leistung")
            if covered.isEmpty || covered.contains(where: { $0.text("kategorie") == "labor_leistung" }),
                !lab.records("prototyp").contains(where: { $0.text("art") == "klick_dummy" })
            {
                findings.append(
                    CheckFinding(
                        kind: .phase,
                        message: "Phase \(label): eine Labor-Leistung braucht mindestens einen Klick-Dummy "
                            + "(„Immer zu liefern!“; prototyp add art=klick_dummy …)."))
            }
        }
        if phaseKey == "ergebnisvorstellung", lab.records("vertrauensniveau").isEmpty {
            findings.append(
                CheckFinding(
                    kind: .phase,
                    message: "Phase \(label): vor der Ergebnisvorstellung gehört eine Vertrauensniveau-Bewertung dazu "
                        + "(vertrauensniveau add prozess_id=<id> …)."))
        }
        return findings
    }

    /// Exactly one assessment per process, and each one consistent.
    private func vertrauensniveauFindings(for process: Record, in lab: LabSnapshot) -> [CheckFinding] {
        let assessments = lab.children("vertrauensniveau", of: process.id)
        var findings: [CheckFinding] = []
        if assessments.isEmpty {
            findings.append(
                CheckFinding(
                    kind: .vertrauensniveau, message: "Prozess „\(process.title)“ hat keine Vertrauensniveau-Bewertung."
                ))
        } else if assessments.count > 1 {
            findings.append(
                CheckFinding(
                    kind: .vertrauensniveau,
                    message:
                        "Prozess „\(process.title)“ hat \(assessments.count) Vertrauensniveau-Bewertungen; erlaubt ist eine."
                ))
        }
        for assessment in assessments {
            let verdict = Self.consistency(of: assessment)
            if verdict.state != .stimmig {
                findings.append(
                    CheckFinding(kind: .vertrauensniveau, message: "Prozess „\(process.title)“: \(verdict.text)"))
            }
        }
        return findings
    }

    /// The verdict on one Vertrauensniveau assessment (data dictionary §8.1–8.3): „stimmig“ only when
    /// identification means are chosen and every one reaches the required level, and a required
    /// Schriftform has its replacement; „offen“ while no means are chosen; otherwise „nicht stimmig“.
    ///
    /// A Schriftform replaced through § 3a Abs. 2 VwVfG (Formular + eID) needs the eID, so the level
    /// „hoch“; a qualified electronic signature replaces it by itself.
    public static func consistency(of assessment: Record) -> TrustVerdict {
        guard let level = assessment.text("erforderliches_niveau"),
            let required = Catalog.vertrauensniveau.firstIndex(where: { $0.key == level })
        else { return TrustVerdict(.nichtStimmig, "kein erforderliches Vertrauensniveau angegeben.") }
        if assessment.text("schriftformerfordernis") == "ja" {
            switch assessment.text("schriftformersatz") {
            case nil:
                return TrustVerdict(
                    .nichtStimmig, "Schriftformerfordernis „ja“ verlangt einen Schriftformersatz (schriftformersatz=…)."
                )
            case "vwvfg_3a_eid" where level != "hoch":
                return TrustVerdict(
                    .nichtStimmig,
                    "der Schriftformersatz nach § 3a Abs. 2 VwVfG (Formular + eID) verlangt den elektronischen "
                        + "Identitätsnachweis, also das Niveau „hoch“ (angegeben: „\(level)“).")
            default: break
            }
        }
        let means = Field.items(assessment["identifizierungsmittel"])
        if means.isEmpty {
            return TrustVerdict(
                .offen, "keine Identifizierungsmittel gewählt; das Niveau „\(level)“ ist damit noch nicht belegt.")
        }
        let below = means.filter { (Catalog.mittelNiveau[$0] ?? 0) < required }
        let labels = Dictionary(uniqueKeysWithValues: Catalog.identifizierungsmittel.map { ($0.key, $0.label) })
        if below.isEmpty {
            return TrustVerdict(.stimmig, "alle gewählten Identifizierungsmittel erreichen das Niveau „\(level)“.")
        }
        return TrustVerdict(
            .nichtStimmig,
            "folgende Identifizierungsmittel erreichen das erforderliche Niveau „\(level)“ nicht: "
                + below.map { labels[$0] ?? $0 }.joined(separator: ", ") + ".")
    }

    /// Befunde need a Testperson who consented (data dictionary §6.3: consent before recording);
    /// Schmerzpunkte need a step or a persona they belong to (§5.4).
    static func evidenceFindings(in lab: LabSnapshot) -> [CheckFinding] {
        var findings: [CheckFinding] = []
        let persons = Dictionary(lab.records("testperson").map { ($0.text("code") ?? "", $0) }) { first, _ in first }
        var findingsByCode: [String: Int] = [:]
        for finding in lab.records("befund") { findingsByCode[finding.text("testperson") ?? "", default: 0] += 1 }
        for (code, count) in findingsByCode.sorted(by: { $0.key < $1.key }) {
            guard let person = persons[code] else {
                findings.append(
                    CheckFinding(
                        kind: .evidence,
                        message:
                            "\(count) Befund(e) von Testperson „\(code)“, die nicht erfasst ist: ihr Einverständnis "
                            + "ist nicht dokumentiert (testperson add code=\(code) einverstaendnis=ja einverstaendnis_am=…)."
                    ))
                continue
            }
            if person["einverstaendnis"] != .integer(1) {
                findings.append(
                    CheckFinding(
                        kind: .consent,
                        message: "\(count) Befund(e) von Testperson „\(code)“ ohne Einverständnis: ohne Einverständnis "
                            + "darf nichts aufgezeichnet werden; Befunde löschen oder das Einverständnis nachweisen "
                            + "(testperson set \(code) einverstaendnis=ja einverstaendnis_am=…)."))
            }
        }
        for pain in lab.records("schmerzpunkt") where pain.text("schritt_id") == nil && pain.text("persona_id") == nil {
            findings.append(
                CheckFinding(
                    kind: .evidence,
                    message: "Schmerzpunkt „\(pain.title)“ gehört zu keinem Nutzerreiseschritt und keiner Persona "
                        + "(schmerzpunkt set <id> schritt_id=… oder persona_id=…)."))
        }
        return findings
    }

    /// The §9.2 matrix per Leistung: each Labor-Leistung in its Priorisierungskategorie, each
    /// OZG-Leistung the lab analyses without covering it as „Depriorisierte Leistungen“ (analysis for
    /// the catalogue only), and a lab that names no Leistung yet as a Labor-Leistung.
    public static func completeness(of lab: LabSnapshot) -> [LeistungCompleteness] {
        let leistungen = lab.records("ozg_leistung")
        let covered = lab.records("labor_leistung")
        var entries: [(Record?, Record?)] =
            covered.map { coverage in (leistungen.first { $0.id == coverage.text("ozg_leistung_id") }, coverage) }
        let coveredIDs = Set(covered.compactMap { $0.text("ozg_leistung_id") })
        entries += leistungen.filter { !coveredIDs.contains($0.id) }.map { ($0, nil) }
        if entries.isEmpty { entries = [(nil, nil)] }
        return entries.map { leistung, coverage in
            var category = coverage?.text("kategorie") ?? (leistung == nil ? "labor_leistung" : "depriorisiert")
            if !Catalog.kategorie.contains(where: { $0.key == category }) { category = "labor_leistung" }
            return LeistungCompleteness(
                leistungID: leistung?.id, leistung: leistung?.title ?? "keine Leistung erfasst", category: category,
                items: items(for: leistung, coverage: coverage, in: lab, category: category))
        }.sorted { ($0.leistung, $0.category) < ($1.leistung, $1.category) }
    }

    private static func items(for leistung: Record?, coverage: Record?, in lab: LabSnapshot, category: String)
        -> [CompletenessItem]
    {
        let column =
            ["labor_leistung": 0, "labor_kandidat": 1, "mittlere_prioritaet": 2, "depriorisiert": 3][category] ?? 0
        let labor = lab.lab
        let elements = lab.records("element")
        func has(_ entity: String) -> Bool { !lab.records(entity).isEmpty }
        let services = leistung.map { lab.children("verwaltungsleistung", of: $0.id) } ?? []
        let serviceIDs = Set(services.map(\.id))
        // (content, L, K, M, D), "X" required, "(X)" as needed, "" not asked; then what is missing (nil: present).
        let analysis: String? = {
            guard let leistung else { return "OZG-Leistung erfassen (ozg_leistung add bezeichnung=…)" }
            if services.isEmpty {
                return
                    "Verwaltungsleistung mit LeiKa-Schlüssel erfassen (verwaltungsleistung add ozg_leistung_id=\(leistung.id.prefix(8)) …)"
            }
            var open: [String] = []
            for service in services {
                var missing: [String] = []
                if service.text("leika_schluessel") == nil { missing.append("LeiKa-Schlüssel") }
                if service.text("handlungsgrundlagen") == nil { missing.append("Handlungsgrundlage") }
                if service["normenanalyse"] != .integer(1) { missing.append("FIM-Normenanalyse") }
                if service["leika_aktualisiert"] != .integer(1) { missing.append("LeiKa aktualisiert") }
                if !missing.isEmpty { open.append("„\(service.title)“: \(missing.joined(separator: ", "))") }
            }
            return open.isEmpty ? nil : open.joined(separator: "; ")
        }()
        let priority: String? = {
            guard let coverage else {
                return
                    "Kategorie und Begründung als Labor-Leistung erfassen (labor_leistung add ozg_leistung_id=… kategorie=… begruendung=…)"
            }
            return coverage.text("begruendung") == nil
                ? "Begründung fehlt (labor_leistung set <id> begruendung=…)" : nil
        }()
        func missing(_ present: Bool, _ hint: String) -> String? { present ? nil : hint }
        let matrix: [(String, [String], String?)] = [
            ("Analysierte Leistungen", ["X", "X", "X", "X"], analysis),
            ("Prioritäten (begründet)", ["X", "X", "X", "X"], priority),
            ("User Journey", ["X", "(X)", "", ""], missing(has("schritt"), "schritt add …")),
            (
                "Umsetzungsvarianten", ["X", "X", "X", ""],
                missing(
                    lab.records("umsetzungsvariante").contains {
                        $0.text("ozg_leistung_id") == nil || $0.text("ozg_leistung_id") == leistung?.id
                    }, "umsetzungsvariante add variante=… begruendung=…")
            ),
            (
                "Architektur & Komponenten", ["X", "(X)", "", ""],
                missing(has("komponente") || labor.text("architektur") != nil, "komponente add name=… status=…")
            ),
            (
                "Rechtsänderungen", ["X", "(X)", "(X)", ""],
                missing(
                    has("rechtsaenderung")
                        || lab.records("anforderung").contains { !$0["rechtsaenderung_noetig"].isNull },
                    "rechtsaenderung add norm=… aenderung=…, oder je Anforderung rechtsaenderung_noetig=ja/nein")
            ),
            (
                "FIM-Artefakte", ["X", "X", "X", ""],
                missing(
                    lab.records("fim_artefakt").contains {
                        $0.text("verwaltungsleistung_id").map(serviceIDs.contains) ?? true
                    } || elements.contains { !$0["fim_referenzen"].isNull },
                    "fim_artefakt add bezeichnung=… baustein=… zustand=…")
            ),
            (
                "Datenübertragungsstandards / XÖV", ["X", "X", "(X)", ""],
                missing(has("standard"), "standard add name=… status=…")
            ),
            ("Personas", ["X", "X", "", ""], missing(has("persona"), "persona add …")),
            ("Referenzprozesse", ["X", "(X)", "", ""], missing(!elements.isEmpty, "prozess add …, element add …")),
            (
                "Register", ["X", "(X)", "(X)", ""],
                missing(
                    has("registeranbindung") || elements.contains { $0["once_only"] == .integer(1) },
                    "registeranbindung add register=…")
            ),
            (
                "Harmonisierung", ["X", "X", "X", ""],
                missing(
                    labor.text("harmonisierung") != nil || coverage?.text("harmonisierung") != nil,
                    "labor set <id> harmonisierung=…")
            ),
            (
                "Nachnutzung", ["X", "X", "X", ""],
                missing(
                    labor.text("nachnutzung") != nil || leistung?.text("nachnutzungsmodell") != nil,
                    "ozg_leistung set <id> nachnutzungsmodell=… oder labor set <id> nachnutzung=…")
            ),
            ("Prototypen", ["X", "(X)", "", ""], missing(has("prototyp"), "prototyp add …")),
        ]
        return matrix.compactMap { content, marks, missing in
            let mark = marks[column]
            guard !mark.isEmpty else { return nil }
            return CompletenessItem(
                content: content, requirement: mark == "X" ? .required : .asNeeded, present: missing == nil,
                note: missing)
        }
    }
}
