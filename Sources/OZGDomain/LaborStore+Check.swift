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
    }

    public let kind: Kind
    public let message: String

    /// Whether the finding is an error (scripted `check` then fails): a reference that leads nowhere
    /// or a process error. Orphans, Vertrauensniveau, incomplete processes and content, and open
    /// conflicts are reported but wait for a person's decision.
    public var isError: Bool { kind == .danglingReference || kind == .processError }
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
    /// Why it counts as missing (e.g. not captured by the tool).
    public let note: String?
}

extension LaborStore {
    /// Orphans, dangling references, Vertrauensniveau consistency, process structure, completeness and open conflicts.
    public func check(laborID: String) throws -> [CheckFinding] {
        let lab = try snapshot(of: laborID)
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
        for item in Self.completeness(of: lab) where !item.present && item.requirement == .required {
            findings.append(
                CheckFinding(
                    kind: .completeness, message: "fehlt: \(item.content)" + (item.note.map { " (\($0))" } ?? "")))
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
                    if !(try replica.isVisible(table: target, id: value)) {
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
            let category = lab.lab.text("kategorie") ?? "labor_leistung"
            if category == "labor_leistung",
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

    /// The §9.2 matrix for the lab's Priorisierungskategorie (Labor-Leistungen when none is set).
    public static func completeness(of lab: LabSnapshot) -> [CompletenessItem] {
        let labor = lab.lab
        let column =
            ["labor_leistung": 0, "labor_kandidat": 1, "mittlere_prioritaet": 2, "depriorisiert": 3][
                labor.text("kategorie") ?? "labor_leistung"] ?? 0
        let notCaptured = "wird in OZG Labor-Sync noch nicht erfasst"
        let elements = lab.records("element")
        let requirements = lab.records("anforderung")
        func has(_ entity: String) -> Bool { !lab.records(entity).isEmpty }
        // (content, L, K, M, D) with "X" required, "(X)" as needed, "" not required; then presence.
        let matrix: [(String, [String], Bool, String?)] = [
            ("Analysierte Leistungen", ["X", "X", "X", "X"], labor.text("ozg_leistung") != nil, nil),
            (
                "Prioritäten (begründet)", ["X", "X", "X", "X"],
                labor.text("kategorie") != nil && labor.text("begruendung") != nil, nil
            ),
            ("User Journey", ["X", "(X)", "", ""], has("schritt"), nil),
            ("Umsetzungsvarianten", ["X", "X", "X", ""], false, notCaptured),
            ("Architektur & Komponenten", ["X", "(X)", "", ""], false, notCaptured),
            (
                "Rechtsänderungen", ["X", "(X)", "(X)", ""],
                requirements.contains { !$0["rechtsaenderung_noetig"].isNull }, nil
            ),
            ("FIM-Artefakte", ["X", "X", "X", ""], elements.contains { !$0["fim_referenzen"].isNull }, nil),
            ("Datenübertragungsstandards / XÖV", ["X", "X", "(X)", ""], false, notCaptured),
            ("Personas", ["X", "X", "", ""], has("persona"), nil),
            ("Referenzprozesse", ["X", "(X)", "", ""], !elements.isEmpty, nil),
            ("Register", ["X", "(X)", "(X)", ""], elements.contains { $0["once_only"] == .integer(1) }, nil),
            ("Harmonisierung", ["X", "X", "X", ""], false, notCaptured),
            ("Nachnutzung", ["X", "X", "X", ""], false, notCaptured),
            ("Prototypen", ["X", "(X)", "", ""], has("prototyp"), nil),
        ]
        return matrix.compactMap { content, marks, present, note in
            let mark = marks[column]
            guard !mark.isEmpty else { return nil }
            return CompletenessItem(
                content: content, requirement: mark == "X" ? .required : .asNeeded,
                present: present, note: present ? nil : note)
        }
    }
}
