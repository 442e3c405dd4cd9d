import OZGReplication
import OZGStorage

/// Generates docs/DOMAIN.md from the declaration, so the document cannot drift from the code.
public enum DomainDocumentation {
    public static func markdown() -> String {
        var out = """
            # Domänenmodell

            Erzeugt aus `Sources/OZGDomain/Domain.swift` (`DomainDocumentation.markdown()`); nicht von Hand
            ändern. Neu erzeugen: `OZG_WRITE_DOMAIN_DOC=1 swift test --filter DomainTests`.

            Jede Entität ist eine replizierte Tabelle mit `id` (UUID oder, beim Labor, 1–64 Zeichen aus
            Buchstaben, Ziffern, `-`, `_`), `labor_id` und den Feldern unten; geordnete Kinder haben zusätzlich
            `position` (Positionsschlüssel, Anzeige nach `(position, id)`). Gespeichert werden Schlüssel,
            angezeigt Bezeichnungen. Listen und Mehrfachauswahlen werden mit `;` getrennt eingegeben.
            Schemaversion: \(Domain.schemaVersion).


            """
        for entity in Domain.entities {
            out += "## `\(entity.key)` – \(entity.label)\n\n"
            var notes: [String] = []
            if let parent = entity.orderedWithin { notes.append("geordnet innerhalb von `\(parent)`") }
            if let owner = entity.owningField {
                notes.append("gehört zu `\(owner.referencedEntity ?? "")` (wird mit ihm gelöscht)")
            }
            if entity.isLab { notes.append("Löschen eines Labors löscht alle seine Einträge") }
            if !notes.isEmpty { out += notes.joined(separator: "; ").prefixCapitalized + ".\n\n" }
            out += "| Feld | Bezeichnung | Typ | Pflicht | Erlaubte Werte |\n|---|---|---|---|---|\n"
            for field in entity.fields {
                let required = field.required ? "ja" + (field.defaultValue.map { " (Vorgabe: `\($0)`)" } ?? "") : ""
                out +=
                    "| `\(field.key)` | \(field.label) | \(typeName(field.kind)) | \(required) | \(allowed(field.kind)) |\n"
            }
            if !entity.retired.isEmpty {
                out += "\nFrühere Felder (Spalten bleiben für Replikate älterer Programme, Eingaben werden abgelehnt; "
                out += "`LaborStore.moveRetiredFields()` überträgt ihre Werte):\n\n"
                for retired in entity.retired { out += "- `\(retired.key)`: \(retired.movedTo)\n" }
            }
            if !entity.bookkeeping.isEmpty {
                out += "\nVom Programm gepflegt, nicht eingebbar: "
                out += entity.bookkeeping.map { "`\($0)`" }.joined(separator: ", ")
                out += " (Version des Laborwerts, aus dem das Feld übertragen wurde).\n"
            }
            out += "\n"
        }
        return out
    }

    static func typeName(_ kind: FieldKind) -> String {
        switch kind {
        case .text(let max): return max.map { "Text (≤ \($0))" } ?? "Text"
        case .longText: return "Langtext"
        case .integer: return "Ganzzahl"
        case .boolean: return "ja/nein"
        case .date: return "Datum"
        case .choice: return "Auswahl"
        case .choices: return "Mehrfachauswahl"
        case .suggested: return "Text mit Vorschlägen"
        case .list: return "Liste"
        case .reference(let entity): return "Verweis auf `\(entity)`"
        case .digits(let count): return "\(count) Ziffern"
        case .digitsList(let count): return "Liste von Schlüsseln (je \(count) Ziffern)"
        }
    }

    private static func list(_ choices: [Choice]) -> String {
        choices.map { choice in
            let aliases = choice.aliases.isEmpty ? "" : " (auch: " + choice.aliases.joined(separator: ", ") + ")"
            return "`\(choice.key)` \(choice.label)\(aliases)"
        }.joined(separator: " · ").replacingOccurrences(of: "|", with: "\\|")
    }

    static func allowed(_ kind: FieldKind) -> String {
        switch kind {
        case .integer(let range): return range.map { "\($0.lowerBound) … \($0.upperBound)" } ?? ""
        case .date: return "JJJJ-MM-TT"
        case .choice(let choices), .choices(let choices):
            return list(choices)
        case .suggested(let choices):
            return list(choices) + " · oder freier Text"
        default: return ""
        }
    }
}

extension String {
    var prefixCapitalized: String { prefix(1).uppercased() + dropFirst() }
}
