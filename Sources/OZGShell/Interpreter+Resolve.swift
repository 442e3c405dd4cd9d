import OZGDomain

extension Interpreter {
    /// The visible entry a person names in `show`, `set`, `delete` or `move`, tried in this order
    /// (docs/SHELL.md, „Nr. statt ID“):
    /// 1. a whole id;
    /// 2. for ordered entities, a number from 1 to 999 as the „Nr.“ column of `list` writes it
    ///    (`ListNumbers.number`): in the list of `parent` (the input of `nutzerreise=`, `prozess=`) when
    ///    given, in the only list when the lab's entries belong to one parent, refused as ambiguous
    ///    otherwise; a number that no list has is an error, never an id prefix;
    /// 3. an id prefix (also all digits, from four on: the ID column shows eight characters).
    /// A given `parent` also limits 1 and 3 to its entries. `verb` goes into the example of an error.
    func resolveVisible(_ entity: Entity, _ input: String, parent: String? = nil, verb: String) throws -> String {
        // Without a current lab there is no list to count in (`list` needs one): ids as before.
        guard entity.isOrdered, !entity.isLab, parent != nil || currentLab != nil else {
            return try store.resolveID(entity.key, input, laborID: entity.isLab ? nil : currentLab)
        }
        let lab = try requireLab()
        let numbers = try ListNumbers(entity, store: store, laborID: lab)
        let parentID = try parent.map { try store.resolveID(numbers.parentEntity, $0, laborID: lab) }
        if let exact = try store.record(entity.key, id: input), exact.laborID == lab {
            return try inList(exact.id, parentID, numbers)
        }
        if let number = ListNumbers.number(input) {
            return try entry(number, parentID, numbers, verb: verb)
        }
        do {
            return try inList(try store.resolveID(entity.key, input, laborID: lab), parentID, numbers)
        } catch DomainError.notFound where ListNumbers.isDigits(input) {
            throw ShellError.failed(
                "Kein Eintrag „\(input)“ in \(entity.key) gefunden: weder eine Nr. aus „\(entity.key) list“ "
                    + "noch der Anfang einer ID. Die Nr. zählt je \(numbers.parentEntity):\n"
                    + numbers.overview(store: store, only: parentID))
        }
    }

    /// The entry with Nr. `number` in the list of `parent`, or of the only parent with entries.
    private func entry(_ number: Int, _ parent: String?, _ numbers: ListNumbers, verb: String) throws -> String {
        let entity = numbers.entity
        if parent == nil, numbers.lists.count != 1, number > numbers.largest {
            throw ShellError.failed(
                "Keine Nr. \(number) in \(entity.key); die Nr. zählt je \(numbers.parentEntity):\n"
                    + numbers.overview(store: store))
        }
        guard let parent = parent ?? (numbers.lists.count == 1 ? numbers.lists[0].parent : nil) else {
            throw ShellError.failed(
                "Nr. \(number) ist nicht eindeutig: die Nr. zählt je \(numbers.parentEntity), und \(entity.key)-"
                    + "Einträge gibt es in \(numbers.lists.count) davon. Bitte \(numbers.parentEntity)=<id> "
                    + "dazuschreiben, z. B. „\(entity.key) \(verb) \(number) \(numbers.parentEntity)="
                    + "\(ListNumbers.short(numbers.lists[0].parent))“, oder die ID aus „\(entity.key) list“ "
                    + "angeben:\n" + numbers.overview(store: store))
        }
        let entries = numbers.entries(of: parent)
        guard number <= entries.count else {
            throw ShellError.failed(
                "Keine Nr. \(number) in \(numbers.parentEntity) „\(numbers.title(of: parent, store: store))“ "
                    + "(\(ListNumbers.short(parent))): "
                    + (entries.isEmpty
                        ? "dort gibt es keine \(entity.key)-Einträge."
                        : "erlaubt ist \(ListNumbers.range(entries.count))."))
        }
        return entries[number - 1].id
    }

    /// `id`, after checking that it belongs to the list of `parent` when one was named.
    private func inList(_ id: String, _ parent: String?, _ numbers: ListNumbers) throws -> String {
        guard let parent, let parentField = numbers.entity.orderedWithin,
            try store.record(numbers.entity.key, id: id)?.text(parentField) != parent
        else { return id }
        throw ShellError.failed(
            "Der Eintrag \(ListNumbers.short(id)) in \(numbers.entity.key) gehört nicht zu \(numbers.parentEntity) "
                + "„\(numbers.title(of: parent, store: store))“ (\(ListNumbers.short(parent))).")
    }

    /// Splits off the option that names the list a Nr. counts in (`nutzerreise=<id>` for `schritt`,
    /// `prozess=<id>` for `akteur` and `element`); entities without order have none.
    func parentOption(_ entity: Entity, _ words: ArraySlice<String>, verb: String) throws(ShellError)
        -> (parent: String?, rest: [String])
    {
        guard let parentEntity = ListNumbers.parentEntity(of: entity) else { return (nil, Array(words)) }
        let prefix = parentEntity + "="
        let given = words.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        guard given.count <= 1, given.first?.isEmpty != true else {
            throw .usage("Aufruf: \(usage(entity, verb)) – \(prefix)<id> einmal und mit einer ID.")
        }
        return (given.first, words.filter { !$0.hasPrefix(prefix) })
    }

    /// How a command names one entry: `schritt show <id>|<nr> [nutzerreise=<id>]`.
    func usage(_ entity: Entity, _ verb: String) -> String {
        guard let parentEntity = ListNumbers.parentEntity(of: entity) else { return "\(entity.key) \(verb) <id>" }
        return "\(entity.key) \(verb) <id>|<nr> [\(parentEntity)=<id>]"
    }

    func resolveRecord(_ entity: Entity, _ input: String?, parent: String?, verb: String) throws -> Record {
        let id: String
        if let input {
            id = try resolveVisible(entity, input, parent: parent, verb: verb)
        } else if entity.isLab, let lab = currentLab {
            id = lab
        } else {
            throw ShellError.usage("Aufruf: \(usage(entity, verb))")
        }
        guard let record = try store.record(entity.key, id: id) else {
            throw ShellError.failed(DomainError.notFound(entity: entity.key, id: id).description)
        }
        return record
    }

    /// Resolves a prefix among deleted rows (for `restore`).
    func resolveDeleted(_ entity: Entity, _ prefix: String) throws -> String {
        let lab = currentLab
        let candidates = try replica.deletedRows(table: entity.key).filter { row in
            row.id.hasPrefix(prefix)
                && (entity.isLab || lab == nil || row.values["labor_id"]?.textValue == lab)
        }
        if let exact = candidates.first(where: { $0.id == prefix }) { return exact.id }
        guard !candidates.isEmpty else {
            throw ShellError.failed("Kein gelöschter Eintrag „\(prefix)“ in \(entity.key) gefunden.")
        }
        guard candidates.count == 1 else {
            throw ShellError.failed(
                DomainError.ambiguousID(
                    entity: entity.key, prefix: prefix,
                    candidates: candidates.map {
                        "\($0.id)  \($0.values[entity.titleField]?.textValue ?? "")"
                    }
                ).description)
        }
        return candidates[0].id
    }
}
