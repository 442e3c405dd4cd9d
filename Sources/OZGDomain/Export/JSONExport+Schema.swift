extension JSONExport {
    /// docs/EXPORTS-JSON.md: the JSON type of every field, generated from the declaration so that it
    /// cannot drift from what `JSONExport` writes.
    public static func schemaDocumentation() -> String {
        var out = """
            # JSON-Export: Typen der Felder

            Erzeugt aus der Deklaration (`JSONExport.schemaDocumentation()`); nicht von Hand ändern. Neu
            erzeugen: `OZG_WRITE_DOMAIN_DOC=1 swift test --filter HostileExportTests`.

            Aufbau: `{"entitaeten": {"<entität>": [<zeile>, …], …}, "format": "\(format)", "labor": <zeile>,
            "version": \(version)}`. Jede Zeile hat `id` (string), geordnete Kinder zusätzlich `position`
            (string). Leere Felder fehlen. Der Import nimmt außerdem die ältere Form an, in der jeder Wert
            ein string war und Listen mit `;` verbunden.


            """
        for entity in Domain.entities {
            out += "## `\(entity.key)` – \(entity.label)\n\n| Feld | JSON-Typ |\n|---|---|\n"
            for field in entity.fields {
                out += "| `\(field.key)` | \(JSONType(field.kind).documentation) |\n"
            }
            out += "\n"
        }
        return out
    }
}
