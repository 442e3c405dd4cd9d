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

    /// §8.2 levels, lowest first, labelled as the eIDAS levels (BundID's Basisregistrierung does not
    /// reach eIDAS „niedrig“; the spelling is accepted on input as the dictionary asks).
    public static let vertrauensniveau: [Choice] = [
        Choice("niedrig", "niedrig", aliases: ["Basisregistrierung", "normal"]),
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

    // MARK: - Schema 4: Leistungen, Umsetzung, people and evidence

    /// §4.1 Nachnutzungsmodell (first three ✅, Eigenentwicklung 🔶).
    public static let nachnutzungsmodell: [Choice] = [
        Choice("efa", "Einer für Alle", aliases: ["EfA"]), Choice("efv", "Einer für Viele", aliases: ["EfV"]),
        Choice("software_dezentral", "Nachnutzbare Software dezentral betrieben"),
        Choice("eigenentwicklung", "Eigenentwicklung"),
    ]

    /// Who leads an OZG-Leistung: the Bund or one of the Länder.
    public static let federfuehrung: [Choice] = [Choice("DE", "Bund")] + bundesland

    /// §1.5 LeiKa Leistungstyp (Struktur of the key).
    public static let leikaTyp: [Choice] = [
        Choice("lo", "Leistungsobjekt (lo)"), Choice("lov", "Leistungsobjekt mit Verrichtung (lov)"),
        Choice("lovd", "Leistungsobjekt mit Verrichtung und Detail (lovd)"),
    ]

    /// §1.1 Typisierung (who regulates, who executes), the FIM code list `urn:de:fim:leika:typisierung`.
    public static let typisierung: [Choice] = [
        "1", "2", "2a", "2b", "3", "3a", "3b", "2/3", "2/3a", "2/3b", "4", "4a", "4b", "5", "6", "7", "8", "9", "10",
        "11", "12",
    ].map { Choice($0, "Typ \($0)") }

    /// §9.3 target-platform variants of seed 002; others may be typed (M-V-specific list).
    public static let umsetzungsvariante: [Choice] = [
        Choice("zustellung", "(1) Zielplattform mit Zustellung"),
        Choice("einfache_vorgangsbearbeitung", "(2) Zielplattform mit einfacher Vorgangsbearbeitung"),
        Choice("fachverfahren_integriert", "(3) Zielplattform mit daten-integriertem Fachverfahren"),
        Choice("fachverfahren_servicekonto", "(4) Fachverfahren mit Servicekonto- und Postfach-Integration"),
    ]

    /// Architektur & Komponenten: the components of seed 002 and the federal Basisdienste; others may be typed.
    public static let komponente: [Choice] = [
        Choice("verwaltungsportal", "Verwaltungsportal"),
        Choice("zentrales_informationssystem", "Zentrales Informationssystem"),
        Choice("servicekonto", "Servicekonto mit Postfach"), Choice("antragsmanagement", "Antragsmanagement"),
        Choice("fallmanagement", "Fallmanagement"), Choice("zahlungsverkehr", "Zahlungsverkehrsplattform"),
        Choice("egvp", "eGVP"), Choice("eakte", "eAkte"), Choice("fachverfahren", "Fachverfahren"),
        Choice("dms", "DMS"), Choice("bundid", "BundID / Organisationskonto"),
        Choice("fit_connect", "FIT-Connect"), Choice("osci_xta", "OSCI-XTA"),
    ]

    public static let komponenteStatus: [Choice] = [
        Choice("vorhanden", "vorhanden"), Choice("anzupassen", "anzupassen"), Choice("neu", "neu"),
    ]

    /// XÖV and other data-exchange standards; others may be typed.
    public static let standard: [Choice] = [
        Choice("xbau", "XBau"), Choice("xfall", "XFall"), Choice("xdomea", "xdomea"), Choice("xzufi", "XZuFi"),
        Choice("xdatenfelder", "XDatenfelder"), Choice("xprozess", "XProzess"),
        Choice("xgewerbeanzeige", "XGewerbeanzeige"), Choice("xmeld", "XMeld"), Choice("osci_xta", "OSCI-XTA"),
        Choice("fit_connect", "FIT-Connect"), Choice("xrechnung", "XRechnung"),
    ]

    public static let standardStatus: [Choice] = [Choice("geltend", "geltend"), Choice("anzupassen", "anzupassen")]

    /// §7.7 FIM-Bausteine.
    public static let fimBaustein: [Choice] = [
        Choice("leistungen", "Leistungen (Stammtext, XZuFi)"),
        Choice("datenfelder", "Datenfelder (Stammdatenschema, XDatenfelder)"),
        Choice("prozesse", "Prozesse (Stammprozess, XProzess)"),
    ]

    /// §7.7 state of a FIM artefact in the lab (seed 000: IST, Entwurf, SOLL FIM-Artefakte).
    public static let fimZustand: [Choice] = [
        Choice("ist", "IST"), Choice("entwurf", "Entwurf"), Choice("soll", "SOLL"),
    ]

    /// §1.5 FIM Freigabestatus (`urn:xoev-de:xprozess:codeliste:status`).
    public static let fimFreigabestatus: [Choice] = [
        Choice("1", "in Planung"), Choice("2", "in Bearbeitung"), Choice("3", "Entwurf"),
        Choice("4", "methodisch freigegeben"), Choice("5", "fachlich freigegeben (silber)"),
        Choice("6", "fachlich freigegeben (gold)"), Choice("7", "inaktiv"), Choice("8", "vorgesehen zum Löschen"),
    ]

    /// §7.4 levels of law and administration.
    public static let rechtsebene: [Choice] = [
        Choice("eu", "EU"), Choice("bund", "Bund"), Choice("land", "Land"), Choice("kommune", "Kommune"),
    ]

    /// Where a register connection stands (🔶, seed 002 „Registeranbindungen“).
    public static let registerStatus: [Choice] = [
        Choice("vorhanden", "vorhanden"), Choice("geplant", "geplant"), Choice("offen", "offen (zu klären)"),
    ]

    /// Dimensions of the Machbarkeitsanalyse (seed 000).
    public static let machbarkeitDimension: [Choice] = [
        Choice("rechtlich", "rechtlich"), Choice("technisch", "technisch"),
        Choice("organisatorisch", "organisatorisch"), Choice("finanziell", "finanziell"),
    ]

    public static let machbarkeitBewertung: [Choice] = [
        Choice("machbar", "machbar"), Choice("mit_auflagen", "machbar mit Auflagen"),
        Choice("nicht_machbar", "nicht machbar"), Choice("offen", "offen"),
    ]

    /// §4.5 roles in a lab.
    public static let teilnehmendeRolle: [Choice] = [
        Choice("fachexpertise", "Fachexpert:in"), Choice("recht", "Rechtsexpert:in"), Choice("it", "IT-Expert:in"),
        Choice("ux", "UX-Designer:in"), Choice("agile_coach", "Agile Coach"), Choice("product_owner", "Product Owner"),
        Choice("nutzer", "Nutzer:in"), Choice("moderation", "Moderation"), Choice("fim", "FIM-Methodenexpert:in"),
        Choice("datenschutz", "Datenschutzbeauftragte:r"), Choice("it_sicherheit", "IT-Sicherheitsbeauftragte:r"),
    ]

    /// §4.5 Verwaltungsebene.
    public static let verwaltungsebene: [Choice] = [
        Choice("bund", "Bund"), Choice("land", "Land"), Choice("kommune", "Kommune"), Choice("extern", "Extern"),
    ]

    /// §5.4 Schwere of a Schmerzpunkt (🔶).
    public static let schwere: [Choice] = [
        Choice("gering", "gering"), Choice("mittel", "mittel"), Choice("hoch", "hoch"),
    ]

    /// §5.4 where a Schmerzpunkt was found (🔶).
    public static let quelle: [Choice] = [
        Choice("interview", "Interview"), Choice("beobachtung", "Beobachtung"), Choice("nutzertest", "Nutzertest"),
        Choice("statistik", "Statistik"), Choice("workshop", "Workshop"),
    ]
}
