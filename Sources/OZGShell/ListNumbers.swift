import OZGDomain

/// The numbers in the „Nr.“ column of `list` for an ordered entity (`schritt`, `akteur`, `element`):
/// each parent's entries (a journey's steps, a process's Akteure or elements) in their order, from 1.
///
/// `show`, `set`, `delete` and `move` take such a number where they take an id; the rule is in
/// docs/SHELL.md („Nr. statt ID“) and in `Interpreter.resolveVisible`.
///
/// ```swift
/// let numbers = try ListNumbers(schritt, store: store, laborID: lab)
/// numbers.number(of: stepID)   // 3, as `schritt list` shows it
/// ```
struct ListNumbers {
    /// One parent's entries in list order.
    struct List {
        let parent: String
        let entries: [Record]
    }

    let entity: Entity
    /// The key of the parent entity (`nutzerreise`, `prozess`), also the name of the option that
    /// chooses a parent: `schritt show 3 nutzerreise=<id>`.
    let parentEntity: String
    /// The parents with entries, in the order `list` shows them.
    let lists: [List]

    /// The numbering of `entity`'s visible entries in lab `laborID`, as `list` shows it.
    init(_ entity: Entity, store: LaborStore, laborID: String) throws {
        guard let parentField = entity.orderedWithin, let parentEntity = entity.field(parentField)?.referencedEntity
        else {
            throw DomainError.notOrdered(entity: entity.key)
        }
        self.entity = entity
        self.parentEntity = parentEntity
        // Ordered by parent, then position: each parent's entries are consecutive.
        var lists: [List] = []
        for record in try store.records(of: entity, in: laborID) {
            let parent = record.text(parentField) ?? ""
            if let last = lists.last, last.parent == parent {
                lists[lists.count - 1] = List(parent: parent, entries: last.entries + [record])
            } else {
                lists.append(List(parent: parent, entries: [record]))
            }
        }
        self.lists = lists
    }

    /// The parent option's name for an ordered entity (`nutzerreise` for `schritt`), nil otherwise.
    static func parentEntity(of entity: Entity) -> String? {
        entity.orderedWithin.flatMap { entity.field($0)?.referencedEntity }
    }

    /// The most digits a Nr. is typed with. Longer numbers are id prefixes: the ID column shows eight
    /// characters, which can all be digits, and a person who abbreviates an id types at least four.
    static let maximumDigits = 3

    /// `text` as a Nr.: 1 to 999, written as the column writes it (`3`, not `03` or `0`).
    ///
    /// Decided by the text alone, not by how long the lists are, so a script's `schritt delete 4` never
    /// turns from an id prefix into a Nr. when a fourth step is added.
    static func number(_ text: String) -> Int? {
        guard text.utf8.count <= maximumDigits, let number = Int(text), number > 0, String(number) == text else {
            return nil
        }
        return number
    }

    /// Whether `text` consists of digits only (then an unknown input is explained with the Nr.).
    static func isDigits(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// The largest Nr. the column shows.
    var largest: Int { lists.map(\.entries.count).max() ?? 0 }

    /// The Nr. `list` shows for the entry `id`.
    func number(of id: String) -> Int? {
        for list in lists {
            if let index = list.entries.firstIndex(where: { $0.id == id }) { return index + 1 }
        }
        return nil
    }

    /// The entries of one parent (none when it has no entries).
    func entries(of parent: String) -> [Record] {
        lists.first { $0.parent == parent }?.entries ?? []
    }

    /// The lines that say which numbers exist: `nutzerreise=0c3e91aa  Wohngeld beantragen: Nr. 1–4`.
    func overview(store: LaborStore, only parent: String? = nil) -> String {
        let shown = parent.map { parent in [List(parent: parent, entries: entries(of: parent))] } ?? lists
        guard !shown.isEmpty else { return "„\(entity.key) list“ zeigt keine Einträge." }
        return shown.map { list in
            "  \(parentEntity)=\(Self.short(list.parent))  \(title(of: list.parent, store: store)): "
                + Self.range(list.entries.count)
        }.joined(separator: "\n")
    }

    /// `Nr. 1–4`, `Nr. 1` or `keine Einträge`.
    static func range(_ count: Int) -> String {
        switch count {
        case 0: "keine Einträge"
        case 1: "Nr. 1"
        default: "Nr. 1–\(count)"
        }
    }

    func title(of parent: String, store: LaborStore) -> String {
        ((try? store.record(parentEntity, id: parent)) ?? nil)?.title ?? parent
    }

    /// A generated id as `list` shows it (its first 8 characters); other ids whole.
    static func short(_ id: String) -> String {
        id.utf8.count == 36 ? String(id.prefix(8)) : id
    }
}
