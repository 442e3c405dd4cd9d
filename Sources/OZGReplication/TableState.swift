import OZGStorage

/// What a replica knows about one replicated table: its stored column order and its prepared SQL.
package final class TableState {
    let name: String
    /// The table's index in `_ozg_tables`, used in the change log.
    let index: Int64
    /// Column names by ordinal (creation order; added columns are appended).
    let columns: [String]
    let ordinals: [String: Int]
    /// Declaration position → ordinal.
    let declaredOrdinals: [Int]

    let insertSQL: String
    let selectSQL: String
    let deleteSQL: String
    let tombSelectSQL: String
    let tombUpsertSQL: String
    let tombDeleteSQL: String
    let tombListSQL: String
    private var updateSQLByMask: [UInt64: String] = [:]
    private var statements: [Statement?] = Array(repeating: nil, count: Kind.allCases.count)

    /// The statements every write needs, kept here so the hot path skips the cache's string hashing.
    enum Kind: Int, CaseIterable {
        case insert, select, delete, tombSelect, tombUpsert, tombDelete
    }

    func statement(_ kind: Kind, in database: Database) throws -> Statement {
        if let statement = statements[kind.rawValue] { return statement }
        let sql =
            switch kind {
            case .insert: insertSQL
            case .select: selectSQL
            case .delete: deleteSQL
            case .tombSelect: tombSelectSQL
            case .tombUpsert: tombUpsertSQL
            case .tombDelete: tombDeleteSQL
            }
        let statement = try database.makeStatement(sql)
        statements[kind.rawValue] = statement
        return statement
    }

    /// Whether the tombstone table may hold rows; false lets inserts and merges of new rows skip looking there.
    /// Only ever set to true while the connection is open (a rolled-back write leaves it conservatively true).
    private var tombstonesKnownAbsent = false
    private var tombstonesChecked = false

    func mayHaveTombstones(in database: Database) throws -> Bool {
        if !tombstonesChecked {
            tombstonesChecked = true
            let any = try database.firstRow("SELECT EXISTS(SELECT 1 FROM \"_ozg_tomb_\(name)\")") { $0.int64(0) }
            tombstonesKnownAbsent = any == 0
        }
        return !tombstonesKnownAbsent
    }

    func noteTombstone() {
        tombstonesChecked = true
        tombstonesKnownAbsent = false
    }

    /// Drops prepared statements (before the connection closes).
    func releaseStatements() {
        statements = Array(repeating: nil, count: Kind.allCases.count)
    }

    /// The column in every replicated table that holds the row's packed replication metadata.
    package static let metaColumn = "_ozg"

    init(name: String, index: Int64, columns: [String], declared: [String]) {
        self.name = name
        self.index = index
        self.columns = columns
        var ordinals: [String: Int] = [:]
        for (ordinal, column) in columns.enumerated() { ordinals[column] = ordinal }
        self.ordinals = ordinals
        self.declaredOrdinals = declared.compactMap { ordinals[$0] }
        let quoted = columns.map { "\"\($0)\"" }
        let table = "\"\(name)\""
        let tomb = "\"_ozg_tomb_\(name)\""
        insertSQL =
            "INSERT INTO \(table)(id\(quoted.map { ", " + $0 }.joined()), \(Self.metaColumn)) VALUES (?"
            + String(repeating: ", ?", count: columns.count + 1) + ")"
        selectSQL = "SELECT \((quoted + [Self.metaColumn]).joined(separator: ", ")) FROM \(table) WHERE id = ?"
        deleteSQL = "DELETE FROM \(table) WHERE id = ?"
        tombSelectSQL = "SELECT meta, vals FROM \(tomb) WHERE id = ?"
        tombUpsertSQL = "INSERT OR REPLACE INTO \(tomb)(id, meta, vals) VALUES (?, ?, ?)"
        tombDeleteSQL = "DELETE FROM \(tomb) WHERE id = ?"
        tombListSQL = "SELECT id FROM \(tomb) ORDER BY id"
    }

    /// `UPDATE table SET c1 = ?, c2 = ?, _ozg = ? WHERE id = ?` for the ordinals in `mask`.
    func updateSQL(mask: UInt64) -> String {
        if let sql = updateSQLByMask[mask] { return sql }
        let assignments =
            columns.indices.filter { mask & (1 << UInt64($0)) != 0 }.map { "\"\(columns[$0])\" = ?" }
            + ["\(Self.metaColumn) = ?"]
        let sql = "UPDATE \"\(name)\" SET \(assignments.joined(separator: ", ")) WHERE id = ?"
        updateSQLByMask[mask] = sql
        return sql
    }

    /// Column names of the last merged row by position: decoded batches share one string per name,
    /// so comparing against the previous row's names is cheaper than hashing every cell's name.
    private var recentColumns: [(String, Int)] = []

    func ordinal(ofIncoming column: String, at position: Int) -> Int? {
        if position < recentColumns.count, recentColumns[position].0 == column { return recentColumns[position].1 }
        guard let ordinal = ordinals[column] else { return nil }
        if position < recentColumns.count {
            recentColumns[position] = (column, ordinal)
        } else if position == recentColumns.count {
            recentColumns.append((column, ordinal))
        }
        return ordinal
    }

    func ordinal(of column: String) throws -> Int {
        guard let ordinal = ordinals[column] else {
            throw ReplicaError.unknownColumn(table: name, column: column, allowed: columns)
        }
        return ordinal
    }

    var allMask: UInt64 { columns.count >= 64 ? UInt64.max : (1 << UInt64(columns.count)) - 1 }
}

/// A request the replica cannot carry out; the message says what was wrong and what is allowed.
public enum ReplicaError: Error, Sendable, CustomStringConvertible, Equatable {
    case unknownTable(String, allowed: [String])
    case unknownColumn(table: String, column: String, allowed: [String])
    case rowNotFound(table: String, id: String)
    case rowDeleted(table: String, id: String)
    case rowNotDeleted(table: String, id: String)
    case rowCompacted(table: String, id: String)
    case duplicateID(table: String, id: String)
    case invalidID(String)
    case tooManyColumns(table: String)
    case transactionAborted
    case conflictNotFound(String)
    case newerFile(fileVersion: Int, programVersion: Int)
    /// A change from another replica breaks a rule of docs/PROTOCOL.md („Grenzen“); nothing was stored.
    case changeRefused(table: String, id: String, reason: String)
    /// A row was deleted and restored so often that its causal length reached `ChangeLimits.maxCausalLength`.
    case causalLengthExhausted(table: String, id: String)

    public var description: String {
        switch self {
        case .unknownTable(let table, let allowed):
            return "Unbekannte Tabelle „\(table)“. Erlaubt: \(allowed.joined(separator: ", "))."
        case .unknownColumn(let table, let column, let allowed):
            return "Unbekanntes Feld „\(column)“ in „\(table)“. Erlaubt: \(allowed.joined(separator: ", "))."
        case .rowNotFound(let table, let id):
            return "Kein Eintrag „\(id)“ in „\(table)“ gefunden."
        case .rowDeleted(let table, let id):
            return "Der Eintrag „\(id)“ in „\(table)“ ist gelöscht."
        case .rowNotDeleted(let table, let id):
            return "Der Eintrag „\(id)“ in „\(table)“ ist nicht gelöscht und kann daher nicht wiederhergestellt werden."
        case .rowCompacted(let table, let id):
            return
                "Von „\(id)“ in „\(table)“ ist hier nur die Löschung bekannt, keine Werte (von lange gelöschten "
                + "Einträgen bewahrt eine Verdichtung nur die Löschung auf). Wiederherstellen geht auf einem Gerät, das "
                + "die Werte noch hat."
        case .duplicateID(let table, let id):
            return "Die ID „\(id)“ ist in „\(table)“ bereits vergeben (auch gelöschte Einträge behalten ihre ID)."
        case .invalidID(let id):
            return "Ungültige ID „\(id)“: erlaubt sind 1 bis 256 Zeichen ohne Steuerzeichen."
        case .tooManyColumns(let table):
            return "Die Tabelle „\(table)“ hat mehr als 63 Felder; mehr unterstützt die Replikation nicht."
        case .transactionAborted:
            return "Ein früherer Schreibvorgang in dieser Transaktion ist fehlgeschlagen; "
                + "die ganze Transaktion wurde zurückgerollt."
        case .conflictNotFound(let id):
            return "Kein Konflikt mit der ID „\(id)“ gefunden."
        case .newerFile(let fileVersion, let programVersion):
            return "Die Datei hat Schemaversion \(fileVersion), dieses Programm kennt nur bis \(programVersion). "
                + "Bitte OZG Labor-Sync aktualisieren."
        case .changeRefused(let table, let id, let reason):
            return "Änderung an „\(table)“ „\(id)“ abgelehnt: \(reason)."
        case .causalLengthExhausted(let table, let id):
            return "Der Eintrag „\(id)“ in „\(table)“ wurde zu oft gelöscht und wiederhergestellt "
                + "(höchstens \(ChangeLimits.maxCausalLength / 2)-mal)."
        }
    }
}
