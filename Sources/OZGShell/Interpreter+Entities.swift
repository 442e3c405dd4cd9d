import Foundation
import OZGDomain
import OZGReplication
import OZGStorage

extension Interpreter {
    func entityCommand(_ entityKey: String, _ arguments: [String]) throws {
        let entity = try store.entity(entityKey)
        guard let typed = arguments.first else {
            throw ShellError.usage(
                "Was soll mit \(entity.key) geschehen? Möglich: \(verbs(for: entity).map(Self.withGermanVerb).joined(separator: ", ")). "
                    + "Beispiel: „help \(entity.key)“.")
        }
        let verb = Self.verbAliases[typed] ?? typed
        let rest = arguments.dropFirst()
        switch verb {
        case "add":
            var fields = try Tokenizer.assignments(rest, command: "\(entity.key) add")
            let explicitID = entity.isLab ? fields.removeValue(forKey: "id") : nil
            let id = try store.add(
                entity.key, laborID: entity.isLab ? nil : try requireLab(), id: explicitID,
                fields: fields)
            if entity.isLab { try replica.setLocalSetting(Self.currentLabSetting, id) }
            print(id)
        case "use" where entity.isLab:
            guard let prefix = rest.first, rest.count == 1 else { throw ShellError.usage("Aufruf: labor use <id>") }
            let id = try store.resolveID(Domain.lab.key, prefix, laborID: nil)
            try replica.setLocalSetting(Self.currentLabSetting, id)
            if format == .tabelle {
                print("Aktuelles Labor: \(try store.record(Domain.lab.key, id: id)?.title ?? id) (\(id))")
            }
        case "list":
            let filter = try Tokenizer.assignments(rest, command: "\(entity.key) list")
            let records = try store.records(
                entity.key, laborID: entity.isLab ? nil : try requireLab(), filter: filter,
                fields: format == .tabelle ? listedFields(entity) : nil)
            printTable(try listTable(entity, records).render(format))
        case "show":
            let (parent, words) = try parentOption(entity, rest, verb: "show")
            guard words.count <= 1 else { throw ShellError.usage("Aufruf: \(usage(entity, "show"))") }
            let record = try resolveRecord(entity, words.first, parent: parent, verb: "show")
            print(detailTable(record).render(format))
        case "set":
            guard let first = rest.first else { throw ShellError.usage("Aufruf: \(usage(entity, "set")) feld=wert …") }
            let (parent, words) = try parentOption(entity, rest.dropFirst(), verb: "set")
            let id = try resolveVisible(entity, first, parent: parent, verb: "set")
            let fields = try Tokenizer.assignments(words[...], command: "\(entity.key) set")
            guard !fields.isEmpty else { throw ShellError.usage("Aufruf: \(usage(entity, "set")) feld=wert …") }
            try store.set(entity.key, id: id, fields: fields)
        case "delete":
            let (parent, words) = try parentOption(entity, rest, verb: "delete")
            guard let first = words.first, words.count == 1 else {
                throw ShellError.usage("Aufruf: \(usage(entity, "delete"))")
            }
            let id = try resolveVisible(entity, first, parent: parent, verb: "delete")
            try store.delete(entity.key, id: id)
            if entity.isLab, currentLab == nil { try replica.setLocalSetting(Self.currentLabSetting, nil) }
        case "restore":
            guard let first = rest.first, rest.count == 1 else {
                throw ShellError.usage("Aufruf: \(entity.key) restore <id>")
            }
            try store.restore(entity.key, id: try resolveDeleted(entity, first))
        case "move":
            guard entity.isOrdered else {
                throw ShellError.failed(DomainError.notOrdered(entity: entity.key).description)
            }
            let (parent, words) = try parentOption(entity, rest, verb: "move")
            guard words.count == 2, let first = words.first, let destination = words.last else {
                throw ShellError.usage(
                    "Aufruf: \(usage(entity, "move")) before=<id>|after=<id>|first|last")
            }
            let id = try resolveVisible(entity, first, parent: parent, verb: "move")
            // A Nr. in before=/after= counts in the moved entry's own list.
            let list = try store.record(entity.key, id: id)?.text(entity.orderedWithin!)
            func anchor(_ input: String) throws -> String {
                currentLab == nil ? input : try resolveVisible(entity, input, parent: list, verb: "move")
            }
            let target: MoveTarget
            switch destination {
            case "first": target = .first
            case "last": target = .last
            case let text where text.hasPrefix("before="):
                target = .before(try anchor(String(text.dropFirst(7))))
            case let text where text.hasPrefix("after="):
                target = .after(try anchor(String(text.dropFirst(6))))
            default:
                throw ShellError.usage(
                    "Ziel „\(destination)“ unbekannt; erlaubt: before=<id>, after=<id>, first, last.")
            }
            try store.move(entity.key, id: id, to: target)
        default:
            let suggestion = Self.nearest(verb, in: verbs(for: entity) + Self.verbAliases.keys.sorted())
            throw ShellError.usage(
                "Unbekannte Aktion „\(verb)“ für \(entity.key)."
                    + (suggestion.map { " Meinten Sie „\($0)“?" } ?? "")
                    + " Möglich: \(verbs(for: entity).map(Self.withGermanVerb).joined(separator: ", ")).")
        }
    }

    /// „add (neu)“: the verb with its German name, for messages.
    static func withGermanVerb(_ verb: String) -> String {
        germanVerbs[verb].map { "\(verb) (\($0))" } ?? verb
    }

    func verbs(for entity: Entity) -> [String] {
        var verbs = Self.verbs.filter { $0 != "move" || entity.isOrdered }
        if entity.isLab { verbs.insert("use", at: 0) }
        return verbs
    }

    /// Short ids in tables: the first 8 characters of a UUID (any unique prefix works as input).
    func shortID(_ id: String) -> String {
        format == .tabelle && id.utf8.count == 36 ? String(id.utf8.prefix(8))! : id
    }

    func listTable(_ entity: Entity, _ records: [Record]) throws -> ResultTable {
        if format != .tabelle {
            let fields = entity.fields.map(\.key) + (entity.isOrdered ? ["position"] : [])
            return ResultTable(
                columns: ["id"] + fields,
                rows: records.map { record in
                    [record.id] + fields.map { record[$0].plainText }
                })
        }
        let fields = listedFields(entity)
        var columns = (entity.isOrdered ? ["Nr."] : []) + ["ID"]
        columns += fields.compactMap { entity.field($0)?.label }
        let declarations = fields.compactMap { entity.field($0) }
        // The Nr. of an entry in its parent's whole list, also when a filter shows only some of them:
        // `show`, `set`, `delete` and `move` take the number as shown (`ListNumbers`).
        let numbers = try entity.isOrdered ? currentLab.map { try ListNumbers(entity, store: store, laborID: $0) } : nil
        let rows = records.map { record -> [String] in
            (entity.isOrdered ? [numbers?.number(of: record.id).map(String.init) ?? ""] : []) + [shortID(record.id)]
                + declarations.map { listed($0, of: record) }
        }
        return ResultTable(columns: columns, rows: rows)
    }

    /// The fields a table listing shows: the title, then the entity's listed ones or up to four short ones.
    func listedFields(_ entity: Entity) -> [String] {
        var fields = [entity.titleField]
        if let listed = entity.listed { return fields + listed }
        for field in entity.fields where fields.count < 5 && field.key != entity.titleField {
            switch field.kind {
            case .longText, .list, .reference: continue
            default: fields.append(field.key)
            }
        }
        return fields
    }

    /// A field as a listing shows it: a reference by the title of what it names (`fluss list` shows
    /// von and nach by name), else the display value.
    func listed(_ field: Field, of record: Record) -> String {
        guard let target = field.referencedEntity, let id = record.text(field.key) else {
            return field.display(record[field.key])
        }
        return (try? store.record(target, id: id))?.map(\.title) ?? "\(shortID(id)) (gelöscht)"
    }

    func detailTable(_ record: Record) -> ResultTable {
        var rows = [["ID", record.id]]
        if !record.entity.isLab { rows.append(["Labor", record.laborID]) }
        for field in record.entity.fields {
            var value = record.display(field.key)
            if let target = field.referencedEntity, let id = record.text(field.key) {
                let title = (try? store.record(target, id: id))?.map(\.title) ?? "gelöscht"
                value = "\(shortID(id)) (\(title))"
            }
            rows.append([field.label, value])
        }
        return ResultTable(columns: ["Feld", "Wert"], rows: rows)
    }
}
