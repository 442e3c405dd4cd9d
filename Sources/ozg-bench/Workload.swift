import OZGDomain
import OZGReplication
import OZGStorage

/// The benchmark's table: the product's id column plus six columns (text, integer, real, text, integer, text).
enum Workload {
    static let tableName = "aufgabe"
    static let table = ReplicatedTable(
        tableName,
        columns: [
            .init("titel", .text), .init("prioritaet", .integer), .init("dauer", .real), .init("status", .text),
            .init("jahr", .integer), .init("notiz", .text),
        ])
    static let schema = ReplicaSchema(version: 1, tables: [table])
    static let createSQL = """
        CREATE TABLE aufgabe(id TEXT PRIMARY KEY, titel TEXT, prioritaet INTEGER, dauer REAL, status TEXT,
                             jahr INTEGER, notiz TEXT) WITHOUT ROWID
        """

    static let titles = [
        "Antrag online stellen", "Nachweis hochladen", "Identität mit eID bestätigen", "Bescheid abrufen",
        "Einkommen angeben", "Haushaltsmitglieder erfassen", "Mietvertrag hochladen", "Termin vereinbaren",
        "Zahlung auslösen", "Vollmacht erteilen", "Formular vorausfüllen", "Status prüfen", "Rückfrage beantworten",
        "Widerspruch einlegen", "Unterlagen nachreichen", "Konto angeben", "Zuständigkeit ermitteln",
        "Antrag speichern", "Entwurf fortsetzen", "Einwilligung erteilen", "Daten aus Register abrufen",
        "Gebühr berechnen", "Barrierefreie Ansicht wählen", "Hilfe aufrufen", "Bescheid herunterladen",
    ]
    static let states = ["offen", "in Arbeit", "erledigt", "verworfen", "zurückgestellt"]
    static let notes = [
        "Medienbruch beim Upload", "Nutzer brechen hier ab", "Rechtsgrundlage prüfen", "mit Fachamt klären",
        "Testperson TP-03 fand Button nicht", "kein Handlungsbedarf", "Schriftform nötig?", "Text zu lang",
        "eID-Karte fehlt oft", "positiv bewertet", "Ladezeit zu hoch", "Begriff unklar", "", "Pflichtfeld",
    ]

    struct Row {
        let id: String
        let titel: String
        let prioritaet: Int64
        let dauer: Double
        let status: String
        let jahr: Int64
        let notiz: String

        var values: [DatabaseValue] {
            [.text(titel), .integer(prioritaet), .real(dauer), .text(status), .integer(jahr), .text(notiz)]
        }
    }

    /// Deterministic realistic rows with random UUID ids.
    static func rows(count: Int, seed: UInt64) -> [Row] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            Row(
                id: RowID.generate(), titel: titles.randomElement(using: &random)!,
                prioritaet: Int64.random(in: 0...4, using: &random),
                dauer: Double(Int.random(in: 5...1800, using: &random)) / 10,
                status: states.randomElement(using: &random)!, jahr: Int64.random(in: 2023...2027, using: &random),
                notiz: notes.randomElement(using: &random)!)
        }
    }
}
