import OZGReplication

extension MarkdownExport {
    /// The Anforderungsdokument (seed 000) in Markdown.
    public static func anforderungsdokument(store: LaborStore, laborID: String) throws -> String {
        anforderungsdokument(of: try store.snapshot(of: laborID)).markdown
    }

    /// The Anforderungsdokument: the lab's Nutzeranforderungen by Priorität (Muss, Soll, Kann, then
    /// those without), numbered, each with its description, category, status, where it came from
    /// (Nutzerreiseschritt, Persona, Befund), the Schmerzpunkte it addresses and the Rechtsänderungen
    /// it causes. Deterministic like the Projektsteckbrief.
    public static func anforderungsdokument(of lab: LabSnapshot) -> Report {
        let titles = titles(in: lab)
        var out = Report()
        out.heading(1, "Anforderungsdokument: \(lab.lab.title)")
        let facts = ["freigabestatus", "stand", "version"].filter { lab.lab.text($0) != nil }.map {
            "\(lab.lab.entity.field($0)?.label ?? $0): \(lab.lab.display($0))"
        }
        if !facts.isEmpty { out.paragraph(facts.joined(separator: " · ")) }
        let requirements = lab.records("anforderung")
        let counts = (Catalog.prioritaet.map(\.key) + [""]).map { key in
            requirements.filter { ($0.text("prioritaet") ?? "") == key }.count
        }
        out.paragraph(
            "\(requirements.count) Nutzeranforderung(en): \(counts[0]) Muss, \(counts[1]) Soll, \(counts[2]) Kann, "
                + "\(counts[3]) ohne Priorität.")
        if requirements.isEmpty { out.paragraph(noInformation) }
        let pains = lab.records("schmerzpunkt")
        let legal = lab.records("rechtsaenderung")
        var number = 0
        for (key, label) in Catalog.prioritaet.map({ ($0.key, $0.label) }) + [("", "Ohne Priorität")] {
            let group = requirements.filter { ($0.text("prioritaet") ?? "") == key }
                .sorted { ($0.title, $0.id) < ($1.title, $1.id) }
            if group.isEmpty { continue }
            out.heading(2, label)
            for requirement in group {
                number += 1
                out.heading(3, "A\(number): \(requirement.title)")
                if let text = requirement.text("beschreibung") { out.lines(text) }
                var lines: [String] = []
                for field in ["kategorie", "status", "rechtsaenderung_noetig"] where !requirement[field].isNull {
                    lines.append("\(requirement.entity.field(field)?.label ?? field): \(requirement.display(field))")
                }
                for field in ["schritt_id", "persona_id", "befund_id"] {
                    guard let id = requirement.text(field) else { continue }
                    lines.append("\(requirement.entity.field(field)?.label ?? field): \(titles[id] ?? "–")")
                }
                let addressed = pains.filter { $0.text("anforderung_id") == requirement.id }.map(\.title)
                if !addressed.isEmpty { lines.append("Adressiert Schmerzpunkte: \(addressed.joined(separator: "; "))") }
                let changes = legal.filter { $0.text("anforderung_id") == requirement.id }.map(\.title)
                if !changes.isEmpty { lines.append("Erfordert Rechtsänderung: \(changes.joined(separator: "; "))") }
                out.list(lines)
            }
        }
        return out
    }
}
