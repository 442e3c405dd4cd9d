import Foundation
import OZGDomain

extension Interpreter {
    func export(_ arguments: [String]) throws {
        guard let kind = arguments.first else {
            throw ShellError.usage(
                "Aufruf: export markdown|anforderungen|html|csv|json|bpmn [prozess=<id> [trotzdem=ja]] [entitaet=<name>] "
                    + "[out=DATEI] [ueberschreiben=ja]; export svg prozess=<id>|nutzerreise=<id>|befunde[=<prototyp-id>] "
                    + "[out=DATEI]"
            )
        }
        // `export svg befunde` without a prototype is a picture of the only prototype with Befunde.
        let words = arguments.dropFirst().map { kind == "svg" && $0 == "befunde" ? "befunde=" : $0 }
        let options = try Tokenizer.assignments(words[...], command: "export")
        let allowed: Set<String> = [
            "prozess", "entitaet", "out", "schluessel", "ueberschreiben", "trotzdem", "nutzerreise", "befunde",
        ]
        if let unknown = options.keys.first(where: { !allowed.contains($0) }) {
            throw ShellError.usage(
                "Unbekannte Angabe „\(unknown)“ für export; erlaubt: prozess=, entitaet=, out=, schluessel=ja, "
                    + "ueberschreiben=ja, trotzdem=ja, bei export svg nutzerreise= und befunde.")
        }
        if kind != "svg", let picture = ["nutzerreise", "befunde"].first(where: { options[$0] != nil }) {
            throw ShellError.usage("\(picture)= gilt nur für export svg, z. B. export svg \(picture)=… out=bild.svg")
        }
        if let force = options["trotzdem"], force != "ja" || kind != "bpmn" {
            throw ShellError.usage(
                "trotzdem=\(force) ist hier unbekannt; erlaubt ist nur trotzdem=ja bei export bpmn "
                    + "(exportiert einen Prozess mit Fehlern ohne die fehlerhaften Sequenzflüsse).")
        }
        if let overwrite = options["ueberschreiben"], overwrite != "ja" {
            throw ShellError.usage("ueberschreiben=\(overwrite) ist unbekannt; erlaubt ist nur ueberschreiben=ja.")
        }
        // Checked before the export is built: a refused target costs nothing and writes nothing.
        let target = try options["out"].map { file throws(ShellError) in try ExportTarget(file, replicaPath: path) }
        let lab = try requireLab()
        let text: String
        switch kind {
        case "markdown", "md": text = try MarkdownExport.projektsteckbrief(store: store, laborID: lab)
        case "anforderungen", "anforderungsdokument":
            text = try MarkdownExport.anforderungsdokument(store: store, laborID: lab)
        case "html": text = try HTMLExport.projektsteckbrief(store: store, laborID: lab)
        case "svg": text = try drawing(options, laborID: lab).standalone
        case "json": text = try JSONExport.json(store: store, laborID: lab)
        case "csv":
            guard let entity = options["entitaet"] else {
                throw ShellError.usage("export csv braucht entitaet=<name>, z. B. export csv entitaet=persona")
            }
            // The byte order mark only in a file: spreadsheets need it, a pipe would pass it on as data.
            text = try CSVExport.csv(
                store: store, laborID: lab, entity: entity, keysInHeader: options["schluessel"] == "ja",
                byteOrderMark: target != nil)
        case "bpmn":
            guard let prefix = options["prozess"] else {
                throw ShellError.usage("export bpmn braucht prozess=<id>; „prozess list“ zeigt die Prozesse.")
            }
            text = try bpmn(try store.resolveID("prozess", prefix, laborID: lab), force: options["trotzdem"] == "ja")
        default:
            throw ShellError.usage(
                "Unbekanntes Exportformat „\(kind)“; erlaubt: markdown, anforderungen, html, svg, csv, json, bpmn.")
        }
        guard let target else {
            // On the terminal; JSON keeps its data exact through \u escapes (TerminalText.jsonEscaped).
            write(kind == "json" ? TerminalText.jsonEscaped(text) : text)
            return
        }
        if target.exists, options["ueberschreiben"] != "ja" {
            guard let ask else {
                throw ShellError.failed(
                    "Die Datei „\(target.path)“ existiert bereits und bleibt unverändert; "
                        + "mit ueberschreiben=ja wird sie ersetzt.")
            }
            let answer = ask("Datei „\(target.path)“ existiert. Überschreiben? (ja/nein) ")
            guard let answer, ["ja", "j"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased()) else {
                print("Nicht geschrieben; „\(target.path)“ bleibt unverändert.")
                return
            }
        }
        try target.write(text)
        if format == .tabelle { print("Geschrieben: \(target.path)") }
    }

    /// The one picture `export svg` names: a process, a journey, or the Befunde of a prototype
    /// (`befunde` alone when exactly one prototype has Befunde).
    func drawing(_ options: [String: String], laborID lab: String) throws -> Drawing {
        let named = ["prozess", "nutzerreise", "befunde"].filter { options[$0] != nil }
        guard named.count == 1, let kind = named.first else {
            throw ShellError.usage(
                "export svg braucht genau eines: prozess=<id>, nutzerreise=<id> oder befunde[=<prototyp-id>], "
                    + "z. B. export svg nutzerreise=3f2a out=reise.svg")
        }
        let snapshot = try store.snapshot(of: lab)
        let value = options[kind] ?? ""
        switch kind {
        case "prozess":
            let id = try store.resolveID("prozess", value, laborID: lab)
            guard let process = snapshot.records("prozess").first(where: { $0.id == id }) else {
                throw ShellError.failed("Prozess \(value) gehört nicht zum gewählten Labor.")
            }
            return Drawings.process(ProcessModel(process: process, in: snapshot))
        case "nutzerreise":
            let id = try store.resolveID("nutzerreise", value, laborID: lab)
            guard let journey = snapshot.records("nutzerreise").first(where: { $0.id == id }) else {
                throw ShellError.failed("Nutzerreise \(value) gehört nicht zum gewählten Labor.")
            }
            return Drawings.journey(journey, in: snapshot)
        default:
            let charts = snapshot.records("prototyp").compactMap { prototype in
                Drawings.findings(of: prototype, in: snapshot).map { (prototype, $0) }
            }
            if value.isEmpty || value == "ja" {
                guard charts.count == 1, let only = charts.first else {
                    throw ShellError.usage(
                        charts.isEmpty
                            ? "Kein Prototyp dieses Labors hat Befunde; es gibt nichts zu zeichnen."
                            : "\(charts.count) Prototypen haben Befunde; bitte einen wählen: "
                                + charts.map { "befunde=\($0.0.id.prefix(8)) („\($0.0.title)“)" }.joined(
                                    separator: ", "))
                }
                return only.1
            }
            let id = try store.resolveID("prototyp", value, laborID: lab)
            guard let chart = charts.first(where: { $0.0.id == id }) else {
                throw ShellError.failed("Prototyp \(value) hat keine Befunde; es gibt nichts zu zeichnen.")
            }
            return chart.1
        }
    }

    /// A process with errors is refused with the list of them, or with `trotzdem=ja` exported without
    /// the flows at fault while the errors go to stderr.
    func bpmn(_ processID: String, force: Bool) throws -> String {
        do {
            let text = try BPMNExport.bpmn(store: store, processID: processID, includingErrors: force)
            if force {
                let errors = try ProcessModel(store: store, processID: processID).errors()
                if !errors.isEmpty {
                    warn(
                        "Warnung: trotz \(errors.count) Fehler(n) exportiert; Sequenzflüsse mit Fehlern sind "
                            + "weggelassen (die Datei nennt sie in einem Kommentar):\n  - "
                            + errors.map(\.message).joined(separator: "\n  - ") + "\n")
                }
            }
            return text
        } catch let error as BPMNExportError {
            throw ShellError.failed(
                "\(error)\nBitte die Fehler beheben (auch „check“ nennt sie) oder mit trotzdem=ja ohne die "
                    + "fehlerhaften Sequenzflüsse exportieren.")
        }
    }
}
