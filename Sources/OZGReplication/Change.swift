import OZGStorage

/// The state of one cell as it travels between replicas.
public struct CellChange: Hashable, Sendable {
    public var column: String
    public var value: DatabaseValue
    /// The row's causal length when the value was written.
    public var cl: UInt64
    public var version: Version
    /// The causal context of this write (docs/ARCHITECTURE.md, "Conflicts"): for every other site
    /// whose writes of this cell in this incarnation its writer had merged, the highest such clock
    /// (one `Version` per site, sorted by site). Empty while the cell has had one writer.
    public var context: [Version]
    /// Writes of this cell that no known write had seen and that lost to `version` by the clock:
    /// concurrent values kept until a write that saw them replaces them. Empty without a race.
    public var siblings: [CellSibling]

    public init(
        column: String, value: DatabaseValue, cl: UInt64, version: Version, context: [Version] = [],
        siblings: [CellSibling] = []
    ) {
        self.column = column
        self.value = value
        self.cl = cl
        self.version = version
        self.context = context
        self.siblings = siblings
    }
}

/// One maximal write of a cell: a concurrent write that lost to the cell's current version by the
/// clock, with the causal context its writer had (as `CellChange.context`).
public struct CellSibling: Hashable, Sendable {
    public var version: Version
    public var value: DatabaseValue
    public var context: [Version]

    public init(version: Version, value: DatabaseValue, context: [Version] = []) {
        self.version = version
        self.value = value
        self.context = context
    }
}

/// The state of one row as it travels: its causal length and the changed cells.
///
/// `rowVersion` is present when the row was deleted or restored. `deleteContext` says which cell
/// writes of the deleted incarnation the deleter had seen (site → highest clock, as a cell's
/// context); an edit outside it lost to the delete visibly. `deleteBase` is the single highest
/// version a delete of protocol 1 carried instead, still read from older files.
public struct RowChange: Hashable, Sendable {
    public var table: String
    public var id: String
    public var cl: UInt64
    public var rowVersion: Version?
    public var deleteBase: Version?
    public var deleteContext: [Version]
    public var cells: [CellChange]

    public init(
        table: String, id: String, cl: UInt64, rowVersion: Version? = nil, deleteBase: Version? = nil,
        deleteContext: [Version] = [], cells: [CellChange]
    ) {
        self.deleteContext = deleteContext
        self.table = table
        self.id = id
        self.cl = cl
        self.rowVersion = rowVersion
        self.deleteBase = deleteBase
        self.cells = cells
    }

    /// Cell changes plus one for a delete/restore.
    public var changeCount: Int { cells.count + (rowVersion == nil ? 0 : 1) }
}

/// A set of row changes, the unit of extraction, encoding and apply.
public struct ChangeBatch: Hashable, Sendable {
    public var rows: [RowChange]

    public init(rows: [RowChange] = []) {
        self.rows = rows
    }

    /// The number of individual changes (cells and row-level deletes/restores).
    public var changeCount: Int { rows.reduce(0) { $0 + $1.changeCount } }

    public var isEmpty: Bool { rows.isEmpty }

    /// The highest clock value in the batch.
    var maxHLC: UInt64 {
        var result: UInt64 = 0
        for row in rows {
            if let version = row.rowVersion { result = max(result, version.hlc) }
            for cell in row.cells { result = max(result, cell.version.hlc) }
        }
        return result
    }
}
