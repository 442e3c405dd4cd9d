import OZGDomain
import OZGReplication
import OZGStorage

extension Interpreter {
    /// Tab completion for the text before the cursor: commands, entities, verbs, field names, allowed
    /// values and ids (listed with their titles).
    public func completions(for text: String) -> LineEditor.Completion {
        // Inside an open quote nothing is completed.
        if text.filter({ $0 == "\"" }).count % 2 == 1 { return .init(wordStart: text.count, candidates: []) }
        var words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let endsWithSpace = text.last == " " || text.isEmpty
        let current = endsWithSpace ? "" : (words.popLast() ?? "")
        let wordStart = text.count - current.count
        func plain(_ values: [String]) -> LineEditor.Completion {
            .init(wordStart: wordStart, candidates: values.sorted().map { ($0, $0) })
        }
        func prefixed(_ prefix: String, _ values: [(String, String)]) -> LineEditor.Completion {
            .init(
                wordStart: wordStart,
                candidates: values.map { (prefix + $0.0, $0.1.isEmpty ? $0.0 : "\($0.0)  \($0.1)") })
        }
        guard let first = words.first else {
            return plain(Self.commands + Domain.entities.map(\.key))
        }
        switch first {
        case "help": return words.count == 1 ? plain(Self.commands + Domain.entities.map(\.key)) : plain([])
        case "remote": return words.count == 1 ? plain(["set"]) : plain(["token=", "labor="])
        case "import": return words.count == 1 ? plain(["json"]) : plain(["neue_ids=ja"])
        case "conflicts": return plain(["alle"])
        case "export":
            if words.count == 1 {
                return plain(["markdown", "anforderungen", "html", "svg", "csv", "json", "bpmn"])
            }
            if current.hasPrefix("prozess=") { return prefixed("prozess=", ids("prozess")) }
            if current.hasPrefix("nutzerreise=") { return prefixed("nutzerreise=", ids("nutzerreise")) }
            if current.hasPrefix("befunde=") { return prefixed("befunde=", ids("prototyp")) }
            if words.dropFirst().first == "svg" {
                return plain(["prozess=", "nutzerreise=", "befunde", "out=", "ueberschreiben=ja"])
            }
            if current.hasPrefix("entitaet=") { return prefixed("entitaet=", Domain.entities.map { ($0.key, "") }) }
            return plain(["prozess=", "entitaet=", "out=", "schluessel=ja", "ueberschreiben=ja", "trotzdem=ja"])
        case "resolve":
            if words.count == 1 {
                return .init(
                    wordStart: wordStart,
                    candidates: ((try? replica.conflicts()) ?? []).map {
                        ($0.id, "\($0.id)  \($0.table).\($0.column)")
                    })
            }
            return plain(["wert=", "behalte=a", "behalte=b", "wiederherstellen", "loeschen"])
        default: break
        }
        guard let entity = Domain.entity(first) else { return plain([]) }
        if words.count == 1 { return plain(verbs(for: entity)) }
        let verb = Self.verbAliases[words[1]] ?? words[1]
        let needsID = ["show", "delete", "restore", "move", "set", "use"].contains(verb)
        if needsID && words.count == 2 {
            if verb == "restore" {
                let deleted = (try? replica.deletedRows(table: entity.key)) ?? []
                return prefixed("", deleted.map { ($0.id, $0.values[entity.titleField]?.textValue ?? "") })
            }
            return prefixed("", ids(entity.key))
        }
        if verb == "move" {
            if current.hasPrefix("before=") { return prefixed("before=", ids(entity.key)) }
            if current.hasPrefix("after=") { return prefixed("after=", ids(entity.key)) }
            return plain(["before=", "after=", "first", "last"])
        }
        guard ["add", "set", "list"].contains(verb) else { return plain([]) }
        if let equals = current.firstIndex(of: "=") {
            let key = String(current[..<equals])
            guard let field = entity.field(named: key) else { return plain([]) }
            let value = String(current[current.index(after: equals)...])
            switch field.kind {
            case .choice(let choices), .suggested(let choices):
                return prefixed(key + "=", choices.map { ($0.key, $0.label == $0.key ? "" : $0.label) })
            case .choices(let choices):
                // Complete the part after the last ';'.
                let done = value.split(separator: ";", omittingEmptySubsequences: false).dropLast().joined(
                    separator: ";")
                let head = key + "=" + (done.isEmpty ? "" : done + ";")
                return prefixed(head, choices.map { ($0.key, $0.label) })
            case .boolean: return prefixed(key + "=", [("ja", ""), ("nein", "")])
            case .reference(let target): return prefixed(key + "=", ids(target))
            default:
                if key == "phase", entity.key == "schritt" {
                    return prefixed(key + "=", Catalog.schrittPhase.map { ($0, "") })
                }
                return plain([])
            }
        }
        let used = Set(words.dropFirst(2).compactMap { $0.split(separator: "=").first.map(String.init) })
        var names = entity.fields.map(\.key).filter { !used.contains($0) }
        if entity.isLab && verb == "add" { names.append("id") }
        return .init(wordStart: wordStart, candidates: names.map { ($0 + "=", $0 + "=") })
    }

    /// Visible ids of an entity in the current lab with their titles.
    func ids(_ entityKey: String) -> [(String, String)] {
        let lab = Domain.entity(entityKey)?.isLab == true ? nil : currentLab
        let records = (try? store.records(entityKey, laborID: lab)) ?? []
        return records.map { ($0.id, $0.title) }
    }
}
