import OZGReplication

/// Reference lists from the data dictionary (`shared/domain/DATA-DICTIONARY.md`), exact German spellings.
public enum Catalog {
    /// §3.1, the 14 Themenfelder with the FIM-Portal keys.
    public static let themenfeld: [Choice] = [
        Choice("arbeit_ruhestand", "Arbeit & Ruhestand"),
        Choice("bauen_wohnen", "Bauen & Wohnen"),
        Choice("bildung", "Bildung"),
        Choice("ein_auswanderung", "Ein- & Auswanderung"),
        Choice("engagement_hobby", "Engagement & Hobby"),
        Choice("familie_kind", "Familie & Kind"),
        Choice("forschung_foerderung", "Forschung & Förderung"),
        Choice("gesundheit", "Gesundheit"),
        Choice("mobilitaet_reisen", "Mobilität & Reisen"),
        Choice("querschnittsleistungen", "Querschnittsleistungen", aliases: ["Querschnitt"]),
        Choice("recht_ordnung", "Recht & Ordnung", aliases: ["Ordnung und Recht"]),
        Choice("steuern_zoll", "Steuern & Zoll"),
        Choice("umwelt", "Umwelt"),
        Choice("unternehmensfuehrung_entwicklung", "Unternehmensführung & -entwicklung"),
    ]

    /// §5.3, the default stages of a Nutzerreise (Phase / Etappe); free text is allowed beside them.
    public static let reisePhase: [Choice] = [
        Choice("anlass", "Anlass"),
        Choice("informieren", "Informieren"),
        Choice("vorbereiten", "Vorbereiten (Unterlagen beschaffen)", aliases: ["Vorbereiten"]),
        Choice("beantragen", "Beantragen"),
        Choice("warten", "Warten & Rückfragen", aliases: ["Warten"]),
        Choice("bescheid", "Bescheid erhalten", aliases: ["Bescheid"]),
        Choice("danach", "Nach dem Bescheid"),
    ]

    /// The 16 Länder by ISO 3166-2 code.
    public static let bundesland: [Choice] = [
        Choice("DE-BW", "Baden-Württemberg"), Choice("DE-BY", "Bayern"), Choice("DE-BE", "Berlin"),
        Choice("DE-BB", "Brandenburg"), Choice("DE-HB", "Bremen"), Choice("DE-HH", "Hamburg"),
        Choice("DE-HE", "Hessen"), Choice("DE-MV", "Mecklenburg-Vorpommern"), Choice("DE-NI", "Niedersachsen"),
        Choice("DE-NW", "Nordrhein-Westfalen"), Choice("DE-RP", "Rheinland-Pfalz"), Choice("DE-SL", "Saarland"),
        Choice("DE-SN", "Sachsen"), Choice("DE-ST", "Sachsen-Anhalt"), Choice("DE-SH", "Schleswig-Holstein"),
        Choice("DE-TH", "Thüringen"),
    ]

    /// §3.2 Leistungsadressat / Nutzergruppe.
    public static let nutzergruppe: [Choice] = [
        Choice("001", "Bürgerinnen und Bürger", aliases: ["Bürger"]),
        Choice("002", "Unternehmen"),
        Choice("003", "Verwaltung"),
    ]

    /// §4.3 Phase of a lab.
    public static let laborPhase: [Choice] = [
        Choice("vorbereitung", "Vorbereitung"), Choice("ist_betrachtung", "IST-Betrachtung"),
        Choice("soll_design", "SOLL-Design"), Choice("ergebnisvorstellung", "Ergebnisvorstellung"),
    ]

    /// The Projektsteckbrief's way to publication: Entwurf → QS Landesredaktion → freigegeben.
    public static let freigabestatus: [Choice] = [
        Choice("entwurf", "Entwurf"), Choice("qs_landesredaktion", "QS Landesredaktion", aliases: ["QS"]),
        Choice("freigegeben", "freigegeben"),
    ]

    /// §4.3 Format of a lab.
    public static let laborFormat: [Choice] = [
        Choice("praesenz", "Präsenz"), Choice("remote", "Remote"), Choice("hybrid", "Hybrid"),
    ]

    /// §1.3 / §4.4 Priorisierungskategorie.
    public static let kategorie: [Choice] = [
        Choice("labor_leistung", "Labor-Leistungen"), Choice("labor_kandidat", "Labor-Kandidaten"),
        Choice("mittlere_prioritaet", "Leistungen mittlerer Priorität"),
        Choice("depriorisiert", "Depriorisierte Leistungen"),
    ]

    /// §1.4 OZG-Reifegrad (model 1.1).
    public static let reifegrad = [
        "Offline", "Information", "Formular-Assistent", "Online-Leistung", "Online-Transaktion",
    ]

    public static let digitaleAffinitaet: [Choice] = [
        Choice("niedrig", "niedrig"), Choice("mittel", "mittel"), Choice("hoch", "hoch"),
    ]

    public static let zustand: [Choice] = [Choice("ist", "IST"), Choice("soll", "SOLL")]

    /// §5.3 default phases of a journey step (free text allowed; offered for completion).
    public static let schrittPhase = [
        "anlass", "informieren", "vorbereiten", "beantragen", "warten", "bescheid", "danach",
    ]

    public static let touchpoint: [Choice] = [
        Choice("website", "Website/Portal"), Choice("onlinedienst", "Onlinedienst"), Choice("email", "E-Mail"),
        Choice("telefon", "Telefon"), Choice("post", "Post/Brief"), Choice("vor_ort", "Vor Ort (Behörde)"),
        Choice("app", "App"), Choice("dritte", "Dritte (Beratung, Arbeitgeber, …)"), Choice("sonstiges", "Sonstiges"),
    ]

    /// §5.3 emotion scale.
    public static let emotion: [Int64: String] = [
        -2: "sehr negativ", -1: "negativ", 0: "neutral", 1: "positiv", 2: "sehr positiv",
    ]

    public static let prioritaet: [Choice] = [Choice("muss", "Muss"), Choice("soll", "Soll"), Choice("kann", "Kann")]

    public static let anforderungKategorie: [Choice] = [
        Choice("nutzerzentrierung", "Nutzerzentrierung"), Choice("vorgehen", "Vorgehen"),
        Choice("zusammenarbeit", "Zusammenarbeit"), Choice("offenheit", "Offenheit"),
        Choice("technischer_betrieb", "Technischer Betrieb"), Choice("wirkungscontrolling", "Wirkungscontrolling"),
        Choice("recht", "Recht"), Choice("datenschutz", "Datenschutz"), Choice("barrierefreiheit", "Barrierefreiheit"),
    ]

    public static let anforderungStatus: [Choice] = [
        Choice("offen", "offen"), Choice("priorisiert", "priorisiert"), Choice("im_prototyp", "im Prototyp umgesetzt"),
        Choice("getestet", "getestet"), Choice("verworfen", "verworfen"),
    ]

    public static let prototypArt: [Choice] = [
        Choice("papierskizze", "Papierskizze"), Choice("wireframe", "Wire Frame"),
        Choice("klick_dummy", "Mockup / Klick-Dummy"), Choice("prototyp", "Prototyp (umsetzungsnah)"),
        Choice("mvp", "Minimal Viable Product (MVP)"),
    ]

    public static let testFormat: [Choice] = [Choice("vor_ort", "vor Ort"), Choice("remote", "remote")]

    public static let aufgabenerfolg: [Choice] = [
        Choice("erfolgreich", "erfolgreich"), Choice("mit_hilfe", "mit Hilfe"),
        Choice("nicht_erfolgreich", "nicht erfolgreich"), Choice("abgebrochen", "abgebrochen"),
    ]

    /// §6.4 Nielsen severity with German labels.
    public static let schweregrad: [Choice] = [
        Choice("0", "kein Usability-Problem"), Choice("1", "kosmetisches Problem"),
        Choice("2", "geringfügiges Problem"), Choice("3", "schwerwiegendes Problem"),
        Choice("4", "Usability-Katastrophe"),
    ]

    public static let befundStatus: [Choice] = [
        Choice("offen", "offen"), Choice("umgesetzt", "umgesetzt"), Choice("verworfen", "verworfen"),
    ]

    public static let akteurtyp: [Choice] = [
        Choice("nutzer", "Nutzer:in/Antragsteller:in"), Choice("behoerde", "Behörde"), Choice("dritte", "Dritte"),
        Choice("it_system", "IT-System"),
    ]

    public static let prozessrolle: [Choice] = [
        Choice("hauptakteur", "Hauptakteur"), Choice("mitwirkender", "Mitwirkender"),
        Choice("ergebnisempfaenger", "Ergebnisempfänger"),
    ]

    /// §7.5 element types; the BPMN element each maps to is in `BPMNExport`.
    public static let elementTyp: [Choice] = [
        Choice("aufgabe", "Aufgabe"), Choice("user_aufgabe", "User-Aufgabe"),
        Choice("service_aufgabe", "Service-Aufgabe"), Choice("manuelle_aufgabe", "Manuelle Aufgabe"),
        Choice("senden", "Aufgabe (sendend)"), Choice("empfangen", "Aufgabe (empfangend)"),
        Choice("teilprozess", "Teilprozess"), Choice("start", "Startereignis"), Choice("ende", "Endereignis"),
        Choice("zwischenereignis", "Zwischenereignis"), Choice("xor", "Exklusives Gateway"),
        Choice("and", "Paralleles Gateway"),
    ]

    public static let schriftformerfordernis: [Choice] = [
        Choice("ja", "ja"), Choice("nein", "nein"), Choice("unklar", "unklar (Rechtsprüfung offen)"),
    ]

    public static let schriftformersatz: [Choice] = [
        Choice("ozg_9a", "§ 9a Abs. 5 OZG (Nutzerkonto + Online-Formular)"),
        Choice("vwvfg_3a_eid", "§ 3a Abs. 2 VwVfG (Formular + eID)"),
        Choice("qes", "Qualifizierte elektronische Signatur"), Choice("de_mail", "De-Mail"),
        Choice("landesrecht", "Landes-VwVfG"), Choice("entfaellt", "Schriftform wird abgeschafft (Rechtsänderung)"),
    ]

    public static let schutzbedarf: [Choice] = [
        Choice("normal", "normal"), Choice("hoch", "hoch"), Choice("sehr_hoch", "sehr hoch"),
    ]

    /// §8.2 levels, lowest first; aliases as accepted on import.
    public static let vertrauensniveau: [Choice] = [
        Choice("niedrig", "niedrig (BundID: Basisregistrierung)", aliases: ["Basisregistrierung", "normal"]),
        Choice("substanziell", "substanziell", aliases: ["substantiell"]),
        Choice("hoch", "hoch"),
    ]

    /// §8.3 identification means.
    public static let identifizierungsmittel: [Choice] = [
        Choice("benutzername_passwort", "Benutzername & Passwort"), Choice("elster", "ELSTER-Zertifikat"),
        Choice("online_ausweis", "Online-Ausweis (eID)"), Choice("eat", "elektronischer Aufenthaltstitel"),
        Choice("unionsbuergerkarte", "Unionsbürgerkarte"), Choice("eu_identitaet", "EU-Identität (eIDAS-notifiziert)"),
        Choice("eudi_wallet", "EUDI-Wallet"), Choice("organisationskonto", "Organisationskonto (ELSTER)"),
    ]

    /// §8.2: the level each means reaches (index into `vertrauensniveau`).
    public static let mittelNiveau: [String: Int] = [
        "benutzername_passwort": 0, "elster": 1, "organisationskonto": 1, "eu_identitaet": 1,
        "online_ausweis": 2, "eat": 2, "unionsbuergerkarte": 2, "eudi_wallet": 2,
    ]
}
