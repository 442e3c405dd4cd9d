import Foundation

@testable import OZGDomain
@testable import OZGReplication

/// A realistic lab built through the domain API, with fixed ids so exports can be compared to golden files.
struct Workshop {
    let store: LaborStore
    let labor = "wohngeld-mv"
    var steps: [String] = []

    static let persona = "00000000-0000-4000-8000-00000000a001"
    static let leistung = "00000000-0000-4000-8000-00000000a101"
    static let persona2 = "00000000-0000-4000-8000-00000000a002"
    static let journey = "00000000-0000-4000-8000-00000000b001"
    static let prototype = "00000000-0000-4000-8000-00000000c001"
    static let session = "00000000-0000-4000-8000-00000000c101"
    static let linear = "00000000-0000-4000-8000-00000000d001"
    static let branching = "00000000-0000-4000-8000-00000000d002"
    static let parallel = "00000000-0000-4000-8000-00000000d003"

    static func id(_ prefix: String, _ number: Int) -> String {
        "00000000-0000-4000-8000-0000\(prefix)\(String(format: "%06d", number))"
    }

    init(_ directory: TemporaryDirectory, name: String = "labor.ozg") throws {
        store = try LaborStore(path: directory.path(name))
    }

    @discardableResult
    mutating func build() throws -> Workshop {
        // OZG-ID and LeiKa-Schlüssel are fictitious, well-formed numbers (99901, 99999999999001), never
        // the real key of this or another Leistung; Golden/README.md says so for the golden files.
        try store.add(
            "labor", id: labor,
            fields: [
                "titel": "DigiLab Wohngeld M-V", "themenfeld": "Bauen & Wohnen", "bundesland": "DE-MV",
                "phase": "soll_design", "beginn": "2026-11-02", "ende": "2026-11-30",
                "freigabestatus": "Entwurf", "stand": "2026-11-30", "version": "0.9",
            ])
        try store.add(
            "ozg_leistung", laborID: labor, id: Self.leistung,
            fields: [
                "bezeichnung": "Wohngeld", "ozg_id": "99901", "themenfeld": "bauen_wohnen",
                "leistungsadressaten": "001", "nachnutzungsmodell": "EfA", "federfuehrendes_land": "DE-MV",
            ])
        try store.add(
            "verwaltungsleistung", laborID: labor, id: Self.id("a1", 1),
            fields: [
                "ozg_leistung_id": Self.leistung, "bezeichnung": "Wohngeld Mietzuschuss",
                "leika_schluessel": "99999999999001", "leika_typ": "lov", "typisierung": "2/3",
                "handlungsgrundlagen": "§ 22 WoGG", "normenanalyse": "ja", "leika_aktualisiert": "nein",
            ])
        try store.add(
            "labor_leistung", laborID: labor, id: Self.id("a1", 2),
            fields: [
                "ozg_leistung_id": Self.leistung, "kategorie": "labor_leistung",
                "begruendung": "Hohe Fallzahlen, viele Medienbrüche", "reifegrad_ist": "1", "reifegrad_ziel": "4",
            ])
        for (index, code) in ["TP-01", "TP-02", "TP-03"].enumerated() {
            try store.add(
                "testperson", laborID: labor, id: Self.id("a2", index + 1),
                fields: [
                    "code": code, "nutzergruppe": "001", "einverstaendnis": "ja",
                    "einverstaendnis_am": "2026-11-20",
                ])
        }
        try store.add(
            "komponente", laborID: labor, id: Self.id("a3", 1),
            fields: ["name": "Servicekonto mit Postfach", "status": "vorhanden"])
        try store.add(
            "standard", laborID: labor, id: Self.id("a3", 2),
            fields: ["name": "XFall", "status": "anzupassen", "anwendung": "Antragsdaten an das Fachverfahren"])
        try store.add(
            "umsetzungsvariante", laborID: labor, id: Self.id("a3", 3),
            fields: [
                "variante": "fachverfahren_integriert", "gewaehlt": "ja",
                "begruendung": "Das Fachverfahren ist landesweit im Einsatz.",
            ])
        try store.add(
            "persona", laborID: labor, id: Self.persona,
            fields: [
                "name": "Erika Muster", "kurzbeschreibung": "Alleinerziehende Pflegekraft, Schichtdienst",
                "nutzergruppe": "001", "altersgruppe": "35", "ziele": "Wohngeld schnell erhalten; wenig Papier",
                "digitale_affinitaet": "mittel", "zitat": "Ich habe abends nur eine halbe Stunde.", "ist_primaer": "ja",
            ])
        try store.add(
            "persona", laborID: labor, id: Self.persona2,
            fields: [
                "name": "Herr Yilmaz", "kurzbeschreibung": "Rentner, wenig Erfahrung mit Onlinediensten",
                "nutzergruppe": "Bürger", "ziele": "Antrag verstehen", "digitale_affinitaet": "niedrig",
            ])
        try store.add(
            "nutzerreise", laborID: labor, id: Self.journey,
            fields: [
                "titel": "Wohngeld beantragen", "persona_id": Self.persona, "zustand": "ist",
            ])
        let stepData: [(String, String, String, String)] = [
            ("anlass", "Erfährt von Wohngeld über Kollegin", "dritte", "1"),
            ("informieren", "Sucht Informationen auf der Website", "website", "0"),
            ("vorbereiten", "Sammelt Einkommensnachweise", "post", "-2"),
            ("beantragen", "Füllt den Antrag aus", "onlinedienst", "-1"),
            ("bescheid", "Erhält den Bescheid per Post", "post", "2"),
        ]
        steps = []
        for (index, step) in stepData.enumerated() {
            steps.append(
                try store.add(
                    "schritt", laborID: labor, id: Self.id("e0", index + 1),
                    fields: [
                        "nutzerreise_id": Self.journey, "phase": step.0, "aktivitaet": step.1, "touchpoint": step.2,
                        "emotion": step.3, "medienbruch": step.2 == "post" ? "ja" : "nein",
                        "schmerzpunkte": step.3.hasPrefix("-") ? "Nachweise doppelt einreichen" : "",
                    ]))
        }
        // The facilitators reorder: the preparation step comes after the application starts.
        try store.move("schritt", id: steps[2], to: .after(steps[3]))

        try store.add(
            "anforderung", laborID: labor, id: Self.id("f0", 1),
            fields: [
                "titel": "Nachweise einmal hochladen", "prioritaet": "muss", "kategorie": "nutzerzentrierung",
                "status": "priorisiert", "schritt_id": steps[2], "rechtsaenderung_noetig": "nein",
            ])
        try store.add(
            "anforderung", laborID: labor, id: Self.id("f0", 2),
            fields: [
                "titel": "Bescheid digital zustellen", "prioritaet": "soll", "rechtsaenderung_noetig": "ja",
            ])
        try store.add(
            "schmerzpunkt", laborID: labor, id: Self.id("e1", 1),
            fields: [
                "beschreibung": "Einkommensnachweise liegen nur auf Papier vor", "schritt_id": steps[2],
                "schwere": "hoch", "quelle": "interview", "anforderung_id": Self.id("f0", 1),
            ])
        try store.add(
            "prototyp", laborID: labor, id: Self.prototype,
            fields: [
                "titel": "Klick-Dummy Antrag", "art": "klick_dummy", "iteration": "2",
            ])
        try store.add(
            "testsitzung", laborID: labor, id: Self.session,
            fields: [
                "prototyp_id": Self.prototype, "datum": "2026-11-20", "format": "vor_ort",
            ])
        let findings: [(String, String, String)] = [
            ("TP-01", "Findet den Upload-Button nicht", "3"), ("TP-02", "Findet den Upload-Button nicht", "3"),
            ("TP-03", "Begriff „Haushaltsmitglied“ unklar", "2"), ("TP-01", "Schrift zu klein", "1"),
        ]
        for (index, finding) in findings.enumerated() {
            try store.add(
                "befund", laborID: labor, id: Self.id("c2", index + 1),
                fields: [
                    "testsitzung_id": Self.session, "testperson": finding.0, "beobachtung": finding.1,
                    "schweregrad": finding.2, "aufgabenerfolg": "mit_hilfe",
                ])
        }
        try buildLinearProcess()
        try buildBranchingProcess()
        try buildParallelProcess()
        return self
    }

    func lane(_ process: String, _ number: Int, _ name: String, _ type: String, role: String? = nil) throws -> String {
        var fields = ["prozess_id": process, "name": name, "akteurtyp": type]
        if let role { fields["prozessrolle"] = role }
        return try store.add(
            "akteur", laborID: labor, id: Self.id(String(process.suffix(2)), 100 + number), fields: fields)
    }

    @discardableResult
    func element(
        _ process: String, _ number: Int, _ type: String, _ name: String, lane: String,
        extra: [String: String] = [:]
    ) throws -> String {
        try store.add(
            "element", laborID: labor, id: Self.id(String(process.suffix(2)), 200 + number),
            fields: ["prozess_id": process, "element_typ": type, "bezeichnung": name, "akteur_id": lane]
                .merging(extra) { $1 })
    }

    func flow(
        _ process: String, _ number: Int, _ from: String, _ to: String, condition: String? = nil,
        isDefault: Bool = false
    ) throws {
        var fields = ["prozess_id": process, "von_id": from, "nach_id": to]
        if let condition { fields["bedingung"] = condition }
        if isDefault { fields["standard"] = "ja" }
        try store.add("fluss", laborID: labor, id: Self.id(String(process.suffix(2)), 300 + number), fields: fields)
    }

    /// Linear, flows implied by element order, with a Vertrauensniveau; the Antragsteller/in in a pool
    /// of her own, the Antrag and the Bescheid as documents.
    func buildLinearProcess() throws {
        try store.add(
            "prozess", laborID: labor, id: Self.linear,
            fields: [
                "name": "Wohngeld beantragen (SOLL)", "ausloeser": "Bedarf erkannt", "ergebnis": "Bescheid zugestellt",
            ])
        let citizen = try lane(Self.linear, 1, "Antragsteller/in", "nutzer", role: "ergebnisempfaenger")
        let office = try lane(Self.linear, 2, "Wohngeldbehörde", "behoerde", role: "hauptakteur")
        try element(Self.linear, 1, "start", "Bedarf erkannt", lane: citizen)
        try element(
            Self.linear, 2, "user_aufgabe", "Online-Antrag stellen", lane: citizen,
            extra: [
                "handlungsgrundlagen": "§ 22 WoGG", "it_system": "Onlinedienst Wohngeld (EfA)",
                "fim_referenzen": "S00000000367", "identifizierung": "ja", "ausgehende_dokumente": "Antrag",
            ])
        try element(
            Self.linear, 3, "service_aufgabe", "Einkommen beim Register abrufen", lane: office,
            extra: ["once_only": "ja"])
        try element(
            Self.linear, 4, "aufgabe", "Antrag formell prüfen", lane: office,
            extra: ["eingehende_dokumente": "Antrag", "ausgehende_dokumente": "Bescheid", "frist": "3 Monate"])
        try element(Self.linear, 5, "ende", "Bescheid zugestellt", lane: citizen)
        try store.add(
            "vertrauensniveau", laborID: labor, id: Self.id("d0", 9001),
            fields: [
                "prozess_id": Self.linear, "adressat": "001", "schriftformerfordernis": "ja",
                "schriftformersatz": "ozg_9a",
                "schadensbeschreibung": "Leistung an falsche Person, finanzieller Schaden",
                "erforderliches_niveau": "substantiell", "begruendung": "Finanzielle Leistung, Schaden beträchtlich",
                "identifizierungsmittel": "elster; online_ausweis", "bewertet_von": "Fachverantwortliche Wohngeld",
                "bewertet_am": "2026-11-25",
            ])
    }

    /// An exclusive choice with a condition and a default flow, the Antragsteller/in in a pool of
    /// her own (message flows both ways), and the Widerspruchsfrist as a timer.
    func buildBranchingProcess() throws {
        try store.add("prozess", laborID: labor, id: Self.branching, fields: ["name": "Antrag prüfen (SOLL)"])
        let office = try lane(Self.branching, 1, "Wohngeldbehörde", "behoerde")
        let citizen = try lane(Self.branching, 2, "Antragsteller/in", "nutzer")
        let start = try element(Self.branching, 1, "start", "Antrag eingegangen", lane: office)
        let check = try element(Self.branching, 2, "aufgabe", "Vollständigkeit prüfen", lane: office)
        let gateway = try element(Self.branching, 3, "xor", "Vollständig?", lane: office)
        let request = try element(
            Self.branching, 4, "senden", "Nachforderung senden", lane: office,
            extra: ["ausgehende_dokumente": "Nachforderung"])
        let supply = try element(Self.branching, 5, "user_aufgabe", "Unterlagen nachreichen", lane: citizen)
        let decide = try element(Self.branching, 6, "aufgabe", "Bescheid erstellen", lane: office)
        let deadline = try element(
            Self.branching, 8, "zwischenereignis", "Widerspruchsfrist abgelaufen", lane: office,
            extra: ["frist": "1 Monat"])
        let end = try element(Self.branching, 7, "ende", "Bescheid bestandskräftig", lane: office)
        try flow(Self.branching, 1, start, check)
        try flow(Self.branching, 2, check, gateway)
        try flow(Self.branching, 3, gateway, decide, condition: "vollständig")
        try flow(Self.branching, 4, gateway, request, isDefault: true)
        try flow(Self.branching, 5, request, supply)
        try flow(Self.branching, 6, supply, check)
        try flow(Self.branching, 7, decide, deadline)
        try flow(Self.branching, 8, deadline, end)
    }

    /// A parallel split and join.
    func buildParallelProcess() throws {
        try store.add("prozess", laborID: labor, id: Self.parallel, fields: ["name": "Nachweise beschaffen (SOLL)"])
        let office = try lane(Self.parallel, 1, "Wohngeldbehörde", "behoerde")
        let registers = try lane(Self.parallel, 2, "Register", "it_system")
        let start = try element(Self.parallel, 1, "start", "Antrag vollständig", lane: office)
        let split = try element(Self.parallel, 2, "and", "Parallel abrufen", lane: office)
        let income = try element(Self.parallel, 3, "service_aufgabe", "Einkommen abrufen", lane: registers)
        let rent = try element(Self.parallel, 4, "service_aufgabe", "Miete abrufen", lane: registers)
        let join = try element(Self.parallel, 5, "and", "Zusammenführen", lane: office)
        let end = try element(Self.parallel, 6, "ende", "Nachweise liegen vor", lane: office)
        try flow(Self.parallel, 1, start, split)
        try flow(Self.parallel, 2, split, income)
        try flow(Self.parallel, 3, split, rent)
        try flow(Self.parallel, 4, income, join)
        try flow(Self.parallel, 5, rent, join)
        try flow(Self.parallel, 6, join, end)
    }
}

/// Reads a golden file next to the tests; with OZG_UPDATE_GOLDEN=1 writes it instead.
func matchesGolden(_ actual: String, _ name: String) throws -> Bool {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    if ProcessInfo.processInfo.environment["OZG_UPDATE_GOLDEN"] == "1" {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        return true
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    return expected == actual
}
