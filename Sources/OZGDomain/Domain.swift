import OZGReplication
import OZGStorage

/// The domain, declared once as data: every entity, field, label and allowed value.
///
/// Tables, validation, listing, the shell's grammar and completion, and the exports all read this
/// declaration. A new field is one line here plus a new `schemaVersion` (columns are added by the
/// replica's migration); see docs/DOMAIN.md, which `DomainDocumentation` generates from it.
public enum Domain {
    /// Bump when a field or entity is added. 3: the Steckbrief's document control on the lab
    /// (Freigabestatus, Stand, Version, Bearbeitung, Federführung, Ansprechperson).
    /// 4: Leistungen (OZG-Leistung, Verwaltungsleistung, Labor-Leistung; the lab's Leistung fields
    /// move there), Umsetzung, Teilnehmende, Testpersonen, Schmerzpunkte.
    /// 5: no new field; the file's cells carry causal contexts (protocol 2, exact conflicts), which
    /// a program of schema 4 cannot read — the bump makes it refuse the file with its clear message.
    public static let schemaVersion = 5

    public static let entities: [Entity] =
        [
            Entity(
                "labor", "Digitalisierungslabor", plural: "Digitalisierungslabore", title: "titel", isLab: true,
                fields: [
                    Field("titel", "Titel", .text(), required: true),
                    Field("themenfeld", "Themenfeld", .choice(Catalog.themenfeld), required: true),
                    Field("bundesland", "Bundesland", .choice(Catalog.bundesland), required: true),
                    Field("phase", "Phase", .choice(Catalog.laborPhase), required: true, default: "vorbereitung"),
                    Field("format", "Format", .choice(Catalog.laborFormat)),
                    Field("beginn", "Beginn", .date),
                    Field("ende", "Ende", .date),
                    Field("product_owner", "Product Owner", .text()),
                    Field("ziel", "Zielbild / Zielvision", .longText),
                    // Schema 3: the Projektsteckbrief's document control (seed 002, header).
                    Field("freigabestatus", "Freigabestatus", .choice(Catalog.freigabestatus)),
                    Field("stand", "Stand", .date),
                    Field("version", "Version", .text(maxLength: 20)),
                    Field("bearbeitung", "Bearbeitung", .text()),
                    Field("federfuehrung", "Federführung (Land/Ressort)", .text()),
                    Field("ansprechperson", "Ansprechperson", .text()),
                    // Schema 4: the Steckbrief's lab-wide texts (seed 002, sections 3, 8 and 9).
                    Field("architektur", "Architektur & Komponenten (Beschreibung)", .longText),
                    Field("harmonisierung", "Harmonisierungspotenzial", .longText),
                    Field("nachnutzung", "Nachnutzung bestehender Lösungen", .longText),
                ],
                retired: Self.retiredLeistungFields),
            Entity(
                "persona", "Persona", plural: "Personas", title: "name",
                fields: [
                    Field("name", "Name", .text(), required: true),
                    Field("kurzbeschreibung", "Kurzbeschreibung", .text(maxLength: 120), required: true),
                    Field("nutzergruppe", "Nutzergruppe", .choice(Catalog.nutzergruppe), required: true),
                    Field("altersgruppe", "Alter", .text(maxLength: 20)),
                    Field("lebenssituation", "Lebenssituation", .longText),
                    Field("ziele", "Ziele", .list, required: true),
                    Field("beduerfnisse", "Bedürfnisse", .list),
                    Field("schmerzpunkte", "Schmerzpunkte / Frustrationen", .list),
                    Field("digitale_affinitaet", "Digitale Affinität", .choice(Catalog.digitaleAffinitaet)),
                    Field("zitat", "Zitat", .text()),
                    Field("ist_primaer", "Primäre Persona", .boolean),
                ]),
            Entity(
                "nutzerreise", "Nutzerreise", plural: "Nutzerreisen", title: "titel",
                fields: [
                    Field("titel", "Titel", .text(), required: true),
                    Field("persona_id", "Persona", .reference(entity: "persona"), required: true),
                    Field("zustand", "IST/SOLL", .choice(Catalog.zustand), required: true, default: "ist"),
                    Field("szenario", "Szenario / Ausgangssituation", .longText),
                    Field("ziel", "Ziel der Persona", .text()),
                ]),
            Entity(
                "schritt", "Nutzerreiseschritt", plural: "Nutzerreiseschritte", title: "aktivitaet",
                orderedWithin: "nutzerreise_id",
                fields: [
                    Field(
                        "nutzerreise_id", "Nutzerreise", .reference(entity: "nutzerreise"), required: true, owning: true
                    ),
                    Field("phase", "Phase / Etappe", .suggested(Catalog.reisePhase), required: true),
                    Field("aktivitaet", "Aktivität", .text(), required: true),
                    Field("touchpoint", "Touchpoint / Kanal", .choice(Catalog.touchpoint)),
                    Field("gedanken", "Gedanken / Zitat", .text()),
                    Field("emotion", "Emotion", .integer(-2...2)),
                    Field("schmerzpunkte", "Schmerzpunkte", .list),
                    Field("chancen", "Chancen / Verbesserungsideen", .list),
                    Field("medienbruch", "Medienbruch", .boolean),
                ]),
            Entity(
                "anforderung", "Nutzeranforderung", plural: "Nutzeranforderungen", title: "titel",
                fields: [
                    Field("titel", "Anforderung", .text(), required: true),
                    Field("beschreibung", "Beschreibung", .longText),
                    Field("prioritaet", "Priorität", .choice(Catalog.prioritaet)),
                    Field("kategorie", "Kategorie", .choice(Catalog.anforderungKategorie)),
                    Field("status", "Status", .choice(Catalog.anforderungStatus), required: true, default: "offen"),
                    Field("rechtsaenderung_noetig", "Rechtsänderung erforderlich", .boolean),
                    Field("schritt_id", "Herkunft: Nutzerreiseschritt", .reference(entity: "schritt")),
                    Field("persona_id", "Herkunft: Persona", .reference(entity: "persona")),
                    Field("befund_id", "Herkunft: Befund", .reference(entity: "befund")),
                ]),
            Entity(
                "prototyp", "Prototyp", plural: "Prototypen", title: "titel",
                fields: [
                    Field("titel", "Titel", .text(), required: true),
                    Field("art", "Art", .choice(Catalog.prototypArt), required: true),
                    Field("iteration", "Iteration / Testphase", .integer(1...99), required: true, default: "1"),
                    Field("werkzeug_link", "Link / Datei", .text()),
                    Field("maskenfluss", "Maskenfluss / Bedienreihenfolge", .longText),
                    Field("happy_path", "Happy Path", .longText),
                ]),
            Entity(
                "testsitzung", "Testsitzung", plural: "Testsitzungen", title: "datum",
                fields: [
                    Field("prototyp_id", "Prototyp", .reference(entity: "prototyp"), required: true, owning: true),
                    Field("datum", "Datum", .date, required: true),
                    Field("format", "Format", .choice(Catalog.testFormat)),
                    Field("hypothesen", "Hypothesen / Testziele", .list),
                ]),
            Entity(
                "befund", "Befund", plural: "Befunde", title: "beobachtung",
                listed: ["testperson", "aufgabenerfolg", "schweregrad", "status"],
                fields: [
                    Field(
                        "testsitzung_id", "Testsitzung", .reference(entity: "testsitzung"), required: true, owning: true
                    ),
                    Field("testperson", "Testperson", .text(maxLength: 20), required: true),
                    Field("schritt", "Screen / Schritt", .text()),
                    Field("aufgabenerfolg", "Aufgabenerfolg", .choice(Catalog.aufgabenerfolg)),
                    Field("beobachtung", "Beobachtung", .longText, required: true),
                    Field("zitat", "Zitat", .text()),
                    Field("schweregrad", "Schweregrad", .choice(Catalog.schweregrad)),
                    Field("empfehlung", "Empfehlung", .longText),
                    Field("status", "Status", .choice(Catalog.befundStatus), required: true, default: "offen"),
                ]),
            Entity(
                "prozess", "Referenzprozess", plural: "Referenzprozesse", title: "name",
                fields: [
                    Field("name", "Prozessname", .text(), required: true),
                    Field("zustand", "Zustand", .choice(Catalog.zustand), required: true, default: "soll"),
                    Field("ozg_leistung", "Leistung", .text()),
                    Field("definition", "Definition", .longText),
                    Field("beschreibung", "Beschreibung", .longText),
                    Field("ausloeser", "Auslöser", .longText),
                    Field("ergebnis", "Ergebnis", .longText),
                ]),
            Entity(
                "akteur", "Akteur", plural: "Akteure", title: "name", orderedWithin: "prozess_id",
                fields: [
                    Field("prozess_id", "Prozess", .reference(entity: "prozess"), required: true, owning: true),
                    Field("name", "Akteur", .text(), required: true),
                    Field("akteurtyp", "Akteurtyp", .choice(Catalog.akteurtyp), required: true),
                    Field("prozessrolle", "FIM-Prozessrolle", .choice(Catalog.prozessrolle)),
                ]),
            Entity(
                "element", "Prozesselement", plural: "Prozesselemente", title: "bezeichnung",
                orderedWithin: "prozess_id",
                fields: [
                    Field("prozess_id", "Prozess", .reference(entity: "prozess"), required: true, owning: true),
                    Field("element_typ", "Elementtyp", .choice(Catalog.elementTyp), required: true),
                    Field("bezeichnung", "Aktivität", .text(), required: true),
                    Field("akteur_id", "Akteur / Rolle", .reference(entity: "akteur"), required: true),
                    Field("handlungsgrundlagen", "Handlungsgrundlage / Rechtsgrundlage", .list),
                    Field("it_system", "IT-System / Fachverfahren", .text()),
                    Field("fim_referenzen", "FIM-Bezug", .list),
                    Field("medienbruch", "Medienbruch", .boolean),
                    Field("once_only", "Nachweis per Once-Only", .boolean),
                    Field("identifizierung", "Identifizierung nötig", .boolean),
                    Field("frist", "Frist / Dauer", .text()),
                    Field("eingehende_dokumente", "Dokumente (ein)", .list),
                    Field("ausgehende_dokumente", "Dokumente (aus)", .list),
                    Field("anmerkung", "Anmerkung", .longText),
                ]),
            Entity(
                "fluss", "Sequenzfluss", plural: "Sequenzflüsse", title: "bedingung", listed: ["von_id", "nach_id"],
                fields: [
                    Field("prozess_id", "Prozess", .reference(entity: "prozess"), required: true, owning: true),
                    Field("von_id", "von", .reference(entity: "element"), required: true),
                    Field("nach_id", "nach", .reference(entity: "element"), required: true),
                    Field("bedingung", "Bedingung", .text()),
                    Field("standard", "Standardfluss (sonst)", .boolean),
                ]),
            Entity(
                "vertrauensniveau", "Vertrauensniveau-Bewertung", plural: "Vertrauensniveau-Bewertungen",
                title: "erforderliches_niveau",
                fields: [
                    Field("prozess_id", "Bezug (Prozess)", .reference(entity: "prozess"), required: true, owning: true),
                    Field("adressat", "Nutzergruppe", .choice(Catalog.nutzergruppe), required: true),
                    Field(
                        "schriftformerfordernis", "Schriftformerfordernis", .choice(Catalog.schriftformerfordernis),
                        required: true),
                    Field("schriftformersatz", "Schriftformersatz über", .choice(Catalog.schriftformersatz)),
                    Field(
                        "schadensbeschreibung", "Möglicher Schaden bei Umgehung der Identifizierung", .longText,
                        required: true),
                    Field("schutzbedarf_gesamt", "Schutzbedarf gesamt", .choice(Catalog.schutzbedarf)),
                    Field(
                        "erforderliches_niveau", "Erforderliches Vertrauensniveau", .choice(Catalog.vertrauensniveau),
                        required: true),
                    Field("begruendung", "Begründung", .longText, required: true),
                    Field(
                        "identifizierungsmittel", "Zugelassene Identifizierungsmittel",
                        .choices(Catalog.identifizierungsmittel)),
                    Field("bewertet_von", "Bewertet von", .text(), required: true),
                    Field("bewertet_am", "Bewertet am", .date, required: true),
                ]),
        ] + leistungen + umsetzung + evidence

    /// The lab's Leistung fields of schemas 1–3, now in OZG-Leistung, Verwaltungsleistung and Labor-Leistung.
    static let retiredLeistungFields: [RetiredField] = [
        RetiredField(
            "ozg_leistung", movedTo: "die Leistung ist jetzt eine OZG-Leistung (ozg_leistung add bezeichnung=…)."),
        RetiredField("ozg_id", movedTo: "die OZG-ID steht bei der OZG-Leistung (ozg_leistung set <id> ozg_id=…)."),
        RetiredField(
            "leika_schluessel",
            movedTo:
                "der LeiKa-Schlüssel steht bei der Verwaltungsleistung (verwaltungsleistung add … leika_schluessel=…)."),
        RetiredField(
            "kategorie",
            movedTo:
                "die Priorisierungskategorie steht je Leistung bei der Labor-Leistung (labor_leistung set <id> kategorie=…)."
        ),
        RetiredField(
            "begruendung",
            movedTo:
                "die Begründung der Priorisierung steht je Leistung bei der Labor-Leistung (labor_leistung set <id> begruendung=…)."
        ),
        RetiredField(
            "reifegrad_ist", integer: true,
            movedTo: "der Reifegrad steht je Leistung bei der Labor-Leistung (labor_leistung set <id> reifegrad_ist=…)."
        ),
        RetiredField(
            "reifegrad_ziel", integer: true,
            movedTo:
                "der Reifegrad steht je Leistung bei der Labor-Leistung (labor_leistung set <id> reifegrad_ziel=…)."),
    ]

    /// Schema 4: the Leistungen a lab analyses and covers (data dictionary §4.1, §4.2, §4.4).
    static let leistungen: [Entity] = [
        Entity(
            "ozg_leistung", "OZG-Leistung", plural: "OZG-Leistungen", title: "bezeichnung",
            listed: ["ozg_id", "themenfeld", "nachnutzungsmodell"],
            fields: [
                Field("bezeichnung", "Bezeichnung", .text(), required: true),
                Field("ozg_id", "OZG-ID", .text(maxLength: 20)),
                Field("themenfeld", "Themenfeld", .choice(Catalog.themenfeld)),
                Field("lage", "Lebens-/Geschäftslage", .text()),
                Field("leistungsadressaten", "Leistungsadressaten", .choices(Catalog.nutzergruppe)),
                Field("prioritaet_katalog", "Priorität (föderal / Bund)", .text()),
                Field("nachnutzungsmodell", "Nachnutzungsmodell", .choice(Catalog.nachnutzungsmodell)),
                Field("federfuehrendes_land", "Federführendes Land", .choice(Catalog.federfuehrung)),
                Field("onlinedienst", "Onlinedienst", .text()),
                Field("verfuegbar_ab", "verfügbar ab", .date),
            ],
            bookkeeping: LeistungMove.bookkeeping(of: "ozg_leistung")),
        Entity(
            "verwaltungsleistung", "Verwaltungsleistung (LeiKa)", plural: "Verwaltungsleistungen",
            title: "bezeichnung", listed: ["leika_schluessel", "normenanalyse", "leika_aktualisiert"],
            fields: [
                Field(
                    "ozg_leistung_id", "OZG-Leistung", .reference(entity: "ozg_leistung"), required: true, owning: true),
                Field("bezeichnung", "Leistungsbezeichnung", .text(), required: true),
                Field("leika_schluessel", "LeiKa-Schlüssel", .digits(count: 14)),
                Field("weitere_schluessel", "Weitere Leistungsschlüssel (regional)", .digitsList(count: 14)),
                Field("leika_typ", "LeiKa-Typ", .choice(Catalog.leikaTyp)),
                Field("typisierung", "Typisierung", .choice(Catalog.typisierung)),
                Field("handlungsgrundlagen", "Handlungsgrundlage(n)", .list),
                Field("varianten", "Varianten der Handlungsgrundlage", .list),
                Field("normenanalyse", "FIM-Normenanalyse durchgeführt", .boolean),
                Field("leika_aktualisiert", "LeiKa aktualisiert", .boolean),
                Field("schriftformerfordernis", "Schriftformerfordernis", .boolean),
                Field("persoenliches_erscheinen", "Persönliches Erscheinen erforderlich", .boolean),
                Field("formlos", "Formlos möglich", .boolean),
            ],
            bookkeeping: LeistungMove.bookkeeping(of: "verwaltungsleistung")),
        Entity(
            "labor_leistung", "Labor-Leistung", plural: "Labor-Leistungen", title: "ozg_leistung_id",
            listed: ["kategorie", "reifegrad_ist", "reifegrad_ziel"],
            fields: [
                Field(
                    "ozg_leistung_id", "OZG-Leistung", .reference(entity: "ozg_leistung"), required: true, owning: true),
                Field("kategorie", "Priorisierungskategorie", .choice(Catalog.kategorie), required: true),
                Field("begruendung", "Begründung der Priorisierung", .longText),
                Field("reifegrad_ist", "Reifegrad (IST)", .integer(0...4)),
                Field("reifegrad_ziel", "Reifegrad (Ziel)", .integer(0...4)),
                Field("harmonisierung", "Harmonisierungspotenzial dieser Leistung", .longText),
            ],
            bookkeeping: LeistungMove.bookkeeping(of: "labor_leistung")),
    ]

    /// Schema 4: how the results are put into practice (seed 002 sections 3–10, data dictionary §7.7, §9).
    static let umsetzung: [Entity] = [
        Entity(
            "umsetzungsvariante", "Umsetzungsvariante", plural: "Umsetzungsvarianten", title: "variante",
            listed: ["gewaehlt", "ozg_leistung_id"],
            fields: [
                Field("variante", "Umsetzungsvariante", .suggested(Catalog.umsetzungsvariante), required: true),
                Field("ozg_leistung_id", "für OZG-Leistung", .reference(entity: "ozg_leistung")),
                Field("gewaehlt", "gewählt", .boolean),
                Field("begruendung", "Begründung", .longText, required: true),
            ]),
        Entity(
            "komponente", "Komponente", plural: "Komponenten", title: "name",
            fields: [
                Field("name", "Komponente", .suggested(Catalog.komponente), required: true),
                Field("status", "Status", .choice(Catalog.komponenteStatus), required: true),
                Field("beschreibung", "Beschreibung", .longText),
            ]),
        Entity(
            "standard", "Standard", plural: "Standards", title: "name",
            fields: [
                Field("name", "Standard", .suggested(Catalog.standard), required: true),
                Field("status", "Status", .choice(Catalog.standardStatus), required: true),
                Field("anwendung", "Anwendung", .longText),
            ]),
        Entity(
            "fim_artefakt", "FIM-Artefakt", plural: "FIM-Artefakte", title: "bezeichnung",
            listed: ["baustein", "zustand", "fim_id", "freigabestatus"],
            fields: [
                Field("bezeichnung", "Bezeichnung", .text(), required: true),
                Field("baustein", "Baustein", .choice(Catalog.fimBaustein), required: true),
                Field("zustand", "Zustand im Labor", .choice(Catalog.fimZustand), required: true),
                Field("verwaltungsleistung_id", "Verwaltungsleistung", .reference(entity: "verwaltungsleistung")),
                Field("fim_id", "FIM-ID", .text(maxLength: 40)),
                Field("version", "Version", .text(maxLength: 20)),
                Field("detaillierungsstufe", "Detaillierungsstufe", .integer(101...105)),
                Field("freigabestatus", "Freigabestatus", .choice(Catalog.fimFreigabestatus)),
                Field("normenanalyse", "FIM-Normenanalyse durchgeführt", .boolean),
                Field("link", "Link", .text()),
                Field("bemerkung", "Bemerkung", .longText),
            ]),
        Entity(
            "rechtsaenderung", "Rechtsänderung", plural: "Rechtsänderungen", title: "norm",
            listed: ["ebene", "zustaendigkeit"],
            fields: [
                Field("norm", "Norm", .text(), required: true),
                Field("aenderung", "Änderung", .longText, required: true),
                Field("begruendung", "Begründung", .longText),
                Field("ebene", "Ebene", .choice(Catalog.rechtsebene)),
                Field("zustaendigkeit", "Zuständigkeit", .text()),
                Field("anforderung_id", "Anlass: Nutzeranforderung", .reference(entity: "anforderung")),
                Field(
                    "vertrauensniveau_id", "Anlass: Vertrauensniveau-Bewertung", .reference(entity: "vertrauensniveau")),
            ]),
        Entity(
            "registeranbindung", "Registeranbindung", plural: "Registeranbindungen", title: "register",
            fields: [
                Field("register", "Register", .text(), required: true),
                Field("nachweis", "Nachweis / Zweck", .text()),
                Field("schnittstelle", "Schnittstelle", .text()),
                Field("status", "Status", .choice(Catalog.registerStatus)),
            ]),
        Entity(
            "machbarkeit", "Machbarkeitsbewertung", plural: "Machbarkeitsbewertungen", title: "dimension",
            fields: [
                Field("dimension", "Dimension", .choice(Catalog.machbarkeitDimension), required: true),
                Field("bewertung", "Bewertung", .choice(Catalog.machbarkeitBewertung), required: true),
                Field("begruendung", "Begründung", .longText, required: true),
            ]),
        Entity(
            "umsetzungsplan", "Umsetzungsplan", plural: "Umsetzungspläne", title: "titel",
            fields: [
                Field("titel", "Titel", .text(), required: true),
                Field("mvp", "Minimalprodukt (MVP)", .longText),
                Field("umsetzungsverantwortung", "Umsetzungskoordination", .text()),
            ]),
        Entity(
            "umsetzungsstufe", "Umsetzungsstufe", plural: "Umsetzungsstufen", title: "titel",
            orderedWithin: "umsetzungsplan_id",
            fields: [
                Field(
                    "umsetzungsplan_id", "Umsetzungsplan", .reference(entity: "umsetzungsplan"), required: true,
                    owning: true),
                Field("titel", "Umsetzungsstufe", .text(), required: true),
                Field("inhalt", "Inhalt", .longText),
                Field("ziel_reifegrad", "Ziel-Reifegrad", .integer(0...4)),
                Field("abhaengigkeiten", "Abhängigkeiten", .list),
                Field("zeitraum", "Zeitraum", .text()),
            ]),
    ]

    /// Schema 4: who takes part, who is tested (with consent), and the Schmerzpunkte found (§4.5, §5.4, §6.3).
    static let evidence: [Entity] = [
        Entity(
            "teilnehmende", "Teilnehmende", plural: "Teilnehmende", title: "anzeigename",
            fields: [
                Field("anzeigename", "Name / Kürzel", .text(maxLength: 60), required: true),
                Field("rolle", "Rolle", .choice(Catalog.teilnehmendeRolle), required: true),
                Field("ebene", "Verwaltungsebene", .choice(Catalog.verwaltungsebene)),
                Field("organisation", "Organisation", .text()),
                Field("nutzergruppe", "Nutzergruppe", .choice(Catalog.nutzergruppe)),
            ]),
        Entity(
            "testperson", "Testperson", plural: "Testpersonen", title: "code",
            listed: ["nutzergruppe", "einverstaendnis", "einverstaendnis_am"],
            fields: [
                Field("code", "Testperson (Pseudonym)", .text(maxLength: 20), required: true),
                Field("persona_id", "entspricht Persona", .reference(entity: "persona")),
                Field("nutzergruppe", "Nutzergruppe", .choice(Catalog.nutzergruppe)),
                Field("einverstaendnis", "Einverständnis liegt vor", .boolean, required: true),
                Field("einverstaendnis_am", "Einverständnis vom", .date),
            ]),
        Entity(
            "schmerzpunkt", "Schmerzpunkt", plural: "Schmerzpunkte", title: "beschreibung",
            listed: ["schwere", "quelle", "schritt_id"],
            fields: [
                Field("beschreibung", "Schmerzpunkt", .text(), required: true),
                Field("schritt_id", "Bezug: Nutzerreiseschritt", .reference(entity: "schritt")),
                Field("persona_id", "Bezug: Persona", .reference(entity: "persona")),
                Field("schwere", "Schwere", .choice(Catalog.schwere)),
                Field("quelle", "Quelle", .choice(Catalog.quelle)),
                Field("anforderung_id", "Adressiert durch (Anforderung)", .reference(entity: "anforderung")),
            ]),
    ]

    /// The lab entity: every other entity's rows belong to one lab.
    public static let lab = entities.first { $0.isLab }!

    /// Every entity but the lab: the contents of a lab.
    public static let labContents = entities.filter { !$0.isLab }

    /// The replica schema all of the domain's tables declare.
    public static let schema = ReplicaSchema(version: schemaVersion, tables: entities.map(\.table))

    /// The entity with key `key`, if any.
    public static func entity(_ key: String) -> Entity? {
        entities.first { $0.key == key }
    }
}
