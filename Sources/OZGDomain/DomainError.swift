import OZGReplication

/// A domain request that cannot be carried out; every message is German and says what is allowed.
public enum DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownEntity(String, allowed: [String])
    case unknownField(entity: String, field: String, allowed: [String])
    /// A field an earlier schema had here; the value lives elsewhere now (`movedTo` says where).
    case retiredField(entity: String, field: String, movedTo: String)
    case invalidValue(entity: String, field: String, value: String, reason: String)
    case missingRequired(entity: String, fields: [String])
    case cannotClearRequired(entity: String, field: String)
    case systemField(entity: String, field: String)
    case notFound(entity: String, id: String)
    case ambiguousID(entity: String, prefix: String, candidates: [String])
    case noCurrentLab
    case otherLab(entity: String, id: String)
    case notOrdered(entity: String)
    case invalidMove(String)
    case invalidImport(String)
    /// An element, flow or Akteur that would break its process (the message names it and what is allowed).
    case processRule(String)

    public var description: String {
        switch self {
        case .unknownEntity(let entity, let allowed):
            return "Unbekannte Entität „\(entity)“. Erlaubt: \(allowed.joined(separator: ", "))."
        case .unknownField(let entity, let field, let allowed):
            return "Unbekanntes Feld „\(field)“ für \(entity). Erlaubt: \(allowed.joined(separator: ", "))."
        case .retiredField(let entity, let field, let movedTo):
            return "Das Feld „\(field)“ gibt es bei \(entity) nicht mehr: \(movedTo)"
        case .invalidValue(let entity, let field, let value, let reason):
            return "Ungültiger Wert „\(value)“ für \(entity).\(field): \(reason)"
        case .missingRequired(let entity, let fields):
            return "Pflichtfeld fehlt für \(entity): \(fields.joined(separator: ", "))."
        case .cannotClearRequired(let entity, let field):
            return "\(entity).\(field) ist ein Pflichtfeld und kann nicht geleert werden."
        case .systemField(let entity, let field):
            return "\(entity).\(field) setzt das System selbst; für die Reihenfolge gibt es „move“."
        case .notFound(let entity, let id):
            return "Kein Eintrag „\(id)“ in \(entity) gefunden."
        case .ambiguousID(let entity, let prefix, let candidates):
            return "Die ID „\(prefix)“ ist in \(entity) nicht eindeutig. Infrage kommen:\n  "
                + candidates.joined(separator: "\n  ")
        case .noCurrentLab:
            return "Kein Labor ausgewählt."
        case .otherLab(let entity, let id):
            return "\(entity) „\(id)“ gehört zu einem anderen Labor; Verweise gelten nur innerhalb eines Labors."
        case .notOrdered(let entity):
            let ordered = Domain.entities.filter(\.isOrdered).map(\.pluralLabel)
            return "\(entity) hat keine Reihenfolge; „move“ gibt es nur für "
                + ordered.dropLast().joined(separator: ", ") + " und " + (ordered.last ?? "") + "."
        case .invalidMove(let reason):
            return "Verschieben nicht möglich: \(reason)"
        case .invalidImport(let reason):
            return "Import nicht möglich: \(reason)"
        case .processRule(let message):
            return message
        }
    }
}
