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
    public static let schemaVersion = 3

    public static let entities: [Entity] = [
        Entity(
            "labor", "Digitalisierungslabor", plural: "Digitalisierungslabore", title: "titel", isLab: true,
            fields: [
                Field("titel", "Titel", .text(), required: true),
                Field("themenfeld", "Themenfeld", .choice(Catalog.themenfeld), required: true),
                Field("bundesland", "Bundesland", .choice(Catalog.bundesland), required: true),
                Field("phase", "Phase", .choice(Catalog.laborPhase), required: true, default: "vorbereitung"),
                Field("format", "Format", .choice(Catalog.laborFormat)),
                Field("ozg_leistung", "OZG-Leistung (Bezeichnung)", .text()),
                Field("ozg_id", "OZG-ID", .text(maxLength: 20)),
                Field("leika_schluessel", "LeiKa-Schlüssel", .digits(count: 14)),
                Field("kategorie", "Priorisierungskategorie", .choice(Catalog.kategorie)),
                Field("begruendung", "Begründung der Priorisierung", .longText),
                Field("reifegrad_ist", "Reifegrad (IST)", .integer(0...4)),
                Field("reifegrad_ziel", "Reifegrad (Ziel)", .integer(0...4)),
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
            ]),
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
                Field("nutzerreise_id", "Nutzerreise", .reference(entity: "nutzerreise"), required: true, owning: true),
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
                Field("testsitzung_id", "Testsitzung", .reference(entity: "testsitzung"), required: true, owning: true),
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
            "prozess", "SOLL-Referenzprozess", plural: "Referenzprozesse", title: "name",
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
