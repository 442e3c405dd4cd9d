import OZGReplication

extension MarkdownExport {
    /// The Anforderungsdokument (seed 000): the lab's Nutzeranforderungen by Priorität (Muss, Soll,
    /// Kann, then those without), each with its description, category, status, where it came from
    /// (Nutzerreiseschritt, Persona, Befund), the Schmerzpunkte it addresses and the Rechtsänderungen
    /// it causes. Deterministic like the Projektsteckbrief.
    public static func anforderungsdokument(store: LaborStore, laborID: String) throws -> String {
        let lab = try store.snapshot(of: laborID)
        var titles: [String: String] = [:]
        for entity in Domain.labContents {
            for record in lab.records(entity.key) { titles[record.id] = record.title }
        }
        var out = Markdown()
        out += "# Anforderungsdokument: \(lab.lab.title)\n\n"
        var facts: [Markdown] = []
        for key in ["freigabestatus", "stand", "version"] where lab.lab.text(key) != nil {
            facts.append("\(lab.lab.entity.field(key)?.label ?? key): \(lab.lab.display(key))")
        }
        if !facts.isEmpty { out += facts.joined(separator: " · ") + "\n\n" }
        let requirements = lab.records("anforderung")
        let counts = (Catalog.prioritaet.map(\.key) + [""]).map { key in
            requirements.filter { ($0.text("prioritaet") ?? "") == key }.count
        }
        out +=
            "\(requirements.count) Nutzeranforderung(en): \(counts[0]) Muss, \(counts[1]) Soll, \(counts[2]) Kann, "
            + "\(counts[3]) ohne Priorität.\n"
        if requirements.isEmpty { out += "\n\(noInformation)\n" }
        let pains = lab.records("schmerzpunkt")
        let legal = lab.records("rechtsaenderung")
        var number = 0
        for (key, label) in Catalog.prioritaet.map({ ($0.key, $0.label) }) + [("", "Ohne Priorität")] {
            let group = requirements.filter { ($0.text("prioritaet") ?? "") == key }
                .sorted { ($0.title, $0.id) < ($1.title, $1.id) }
            if group.isEmpty { continue }
            out += "\n## \(label)\n"
            for requirement in group {
                number += 1
                out += "\n### A\(number): \(requirement.title)\n\n"
                if let text = requirement.text("beschreibung") { out += "\(block: text)\n\n" }
                var lines: [Markdown] = []
                for field in ["kategorie", "status", "rechtsaenderung_noetig"] where !requirement[field].isNull {
                    lines.append("- \(requirement.entity.field(field)?.label ?? field): \(requirement.display(field))")
                }
                for field in ["schritt_id", "persona_id", "befund_id"] {
                    guard let id = requirement.text(field) else { continue }
                    lines.append("- \(requirement.entity.field(field)?.label ?? field): \(titles[id] ?? "–")")
                }
                let addressed = pains.filter { $0.text("anforderung_id") == requirement.id }.map(\.title)
                if !addressed.isEmpty {
                    lines.append("- Adressiert Schmerzpunkte: \(addressed.joined(separator: "; "))")
                }
                let changes = legal.filter { $0.text("anforderung_id") == requirement.id }.map(\.title)
                if !changes.isEmpty { lines.append("- Erfordert Rechtsänderung: \(changes.joined(separator: "; "))") }
                if !lines.isEmpty { out += lines.joined(separator: "\n") + "\n" }
            }
        }
        return out.source
    }
}
