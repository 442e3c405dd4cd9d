import Foundation
import OZGDomain

extension Interpreter {
    func export(_ arguments: [String]) throws {
        guard let kind = arguments.first else {
            throw ShellError.usage(
                "Aufruf: export markdown|csv|json|bpmn [prozess=<id>] [entitaet=<name>] [out=DATEI] [ueberschreiben=ja]"
            )
        }
        let options = try Tokenizer.assignments(arguments.dropFirst(), command: "export")
        let allowed: Set<String> = ["prozess", "entitaet", "out", "schluessel", "ueberschreiben"]
        if let unknown = options.keys.first(where: { !allowed.contains($0) }) {
            throw ShellError.usage(
                "Unbekannte Angabe „\(unknown)“ für export; erlaubt: prozess=, entitaet=, out=, schluessel=ja, "
                    + "ueberschreiben=ja.")
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
            text = try BPMNExport.bpmn(store: store, processID: try store.resolveID("prozess", prefix, laborID: lab))
        default:
            throw ShellError.usage("Unbekanntes Exportformat „\(kind)“; erlaubt: markdown, csv, json, bpmn.")
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
}
