import OZGStorage

/// The storage class a replicated column declares; SQLite keeps it as the column's type affinity.
public enum ColumnType: String, Sendable {
    case text = "TEXT"
    case integer = "INTEGER"
    case real = "REAL"
    case blob = "BLOB"
    case any = "ANY"
}

/// One replicated column of a replicated table.
public struct ReplicatedColumn: Sendable, Hashable {
    public let name: String
    public let type: ColumnType

    public init(_ name: String, _ type: ColumnType = .text) {
        self.name = name
        self.type = type
    }
}

/// A table whose rows replicate: `id TEXT PRIMARY KEY` plus the declared columns.
///
/// ```swift
/// let persona = ReplicatedTable("persona", columns: [.init("labor_id"), .init("name"), .init("ist_primaer", .integer)])
/// ```
public struct ReplicatedTable: Sendable, Hashable {
    public let name: String
    public let columns: [ReplicatedColumn]

    public init(_ name: String, columns: [ReplicatedColumn]) {
        self.name = name
        self.columns = columns
    }
}

/// The replicated tables of an application at one schema version, with forward migrations.
///
/// Opening a replica whose file has an older version creates missing tables, adds missing columns
/// (columns are only ever added) and then runs the custom migration steps above the file's version.
/// Changes that arrived earlier for tables or columns the file did not know yet are applied afterwards.
public struct ReplicaSchema: Sendable {
    /// A custom forward step, run inside the migration transaction after tables and columns exist.
    public typealias Migration = @Sendable (Database) throws -> Void

    public let version: Int
    public let tables: [ReplicatedTable]
    public let migrations: [Int: Migration]

    public init(version: Int, tables: [ReplicatedTable], migrations: [Int: Migration] = [:]) {
        self.version = version
        self.tables = tables
        self.migrations = migrations
    }

    /// The core's own replicated table naming the person behind each device (row id = site id in hex).
    public static let deviceTable = ReplicatedTable("_ozg_geraet", columns: [.init("autor")])

    /// The core's own replicated table of detected conflicts (see docs/ARCHITECTURE.md, "Conflicts").
    public static let conflictTable = ReplicatedTable(
        ConflictRecord.tableName,
        columns: [
            .init("tabelle"), .init("zeile_id"), .init("spalte"), .init("art"),
            .init("wert_a", .any), .init("version_a"), .init("wert_b", .any), .init("version_b"),
            .init("status"),
        ])
}

/// An invalid schema declaration.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

func validateIdentifier(_ name: String, what: String) throws {
    let allowed = name.utf8.allSatisfy { byte in
        (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 95
    }
    guard !name.isEmpty, allowed, let first = name.utf8.first, !(first >= 48 && first <= 57) else {
        throw SchemaError(
            description: "Ungültiger \(what) „\(name)“: erlaubt sind Kleinbuchstaben a–z, "
                + "Ziffern und _, beginnend mit einem Buchstaben oder _.")
    }
}
