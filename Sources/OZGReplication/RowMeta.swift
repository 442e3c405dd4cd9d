import OZGStorage

/// Replication metadata of one cell, as stored (see docs/ARCHITECTURE.md, "Storage layout").
///
/// The causal extras (context and siblings) sit behind one optional reference: a cell with one
/// writer — nearly every cell — then costs no array retains when row metadata is copied, which
/// measured 20 % of `write_ratio` with two inline arrays.
struct CellMeta: Equatable {
    var cl: UInt64
    var version: Version
    private var extras: CausalExtras?

    init(cl: UInt64, version: Version, context: [Version] = [], siblings: [CellSibling] = []) {
        self.cl = cl
        self.version = version
        extras = CausalExtras.make(context: context, siblings: siblings)
    }

    init(cl: UInt64, _ causality: CellCausality) {
        self.init(
            cl: cl, version: causality.winner.version, context: causality.winner.context,
            siblings: causality.siblings)
    }

    /// The winner's causal context (`CellChange.context`); empty for one writer.
    var context: [Version] {
        get { extras?.context ?? [] }
        set { extras = CausalExtras.make(context: newValue, siblings: siblings) }
    }

    /// Concurrent writes that lost to `version` by the clock, with their values.
    var siblings: [CellSibling] {
        get { extras?.siblings ?? [] }
        set { extras = CausalExtras.make(context: context, siblings: newValue) }
    }

    /// Whether the cell carries causal metadata beyond its version.
    var hasCausalContext: Bool { extras != nil }

    static func == (lhs: CellMeta, rhs: CellMeta) -> Bool {
        lhs.cl == rhs.cl && lhs.version == rhs.version && lhs.extras == rhs.extras
    }
}

/// A cell's context and siblings, immutable and shared; absent (nil) when both are empty.
final class CausalExtras: Equatable {
    let context: [Version]
    let siblings: [CellSibling]

    private init(context: [Version], siblings: [CellSibling]) {
        self.context = context
        self.siblings = siblings
    }

    static func make(context: [Version], siblings: [CellSibling]) -> CausalExtras? {
        context.isEmpty && siblings.isEmpty ? nil : CausalExtras(context: context, siblings: siblings)
    }

    static func == (lhs: CausalExtras, rhs: CausalExtras) -> Bool {
        lhs === rhs || (lhs.context == rhs.context && lhs.siblings == rhs.siblings)
    }
}

/// Replication metadata of one row: its causal length, the row change that set it, and every cell's metadata.
///
/// Stored packed in one BLOB per row (column `_ozg` of the row, or `_ozg_tomb_<table>.meta` once deleted); site ids are stored as indexes
/// into `_ozg_sites`, so the encoding needs the replica's site table.
struct RowMeta: Equatable {
    var cl: UInt64
    /// The version of the delete or restore that set `cl`, absent while the row was never deleted.
    var rowVersion: Version?
    /// For a row deleted under protocol 1: the highest cell version the deleting replica had seen.
    var deleteBase: Version?
    /// For a deleted row: the cell writes of the deleted incarnation the deleter had seen
    /// (`RowChange.deleteContext`); empty for a delete of protocol 1.
    var deleteContext: [Version] = []
    /// Indexed by column ordinal; nil where the column has never been written.
    var cells: [CellMeta?]
    /// The log row (`_ozg_log.seq`) holding this row's latest change: where `history(id:)` starts
    /// walking the row's chain of log entries. Nil in rows written before the chain existed.
    var logSequence: Int64?

    var isVisible: Bool { cl % 2 == 1 }

    func cell(_ ordinal: Int) -> CellMeta? {
        ordinal < cells.count ? cells[ordinal] : nil
    }

    mutating func setCell(_ ordinal: Int, _ meta: CellMeta) {
        if ordinal >= cells.count {
            cells.append(contentsOf: repeatElement(nil, count: ordinal - cells.count + 1))
        }
        cells[ordinal] = meta
    }

    /// The highest version of any cell, used as the delete base.
    var maxCellVersion: Version? {
        cells.compactMap { $0?.version }.max()
    }

    func encode(siteIndex: (SiteID) -> UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: 16 + cells.count * 2)
        writer.varint(cl)
        writer.byte(
            (rowVersion == nil ? 0 : 1) | (deleteBase == nil ? 0 : 2) | (deleteContext.isEmpty ? 0 : 4)
                | (logSequence == nil ? 0 : 8))
        if let rowVersion { Self.write(rowVersion, &writer, siteIndex) }
        if let deleteBase { Self.write(deleteBase, &writer, siteIndex) }
        if !deleteContext.isEmpty {
            writer.varint(UInt64(deleteContext.count))
            for entry in deleteContext { Self.write(entry, &writer, siteIndex) }
        }
        if let logSequence { writer.varint(UInt64(bitPattern: logSequence)) }
        writer.varint(UInt64(cells.count))
        var previous: CellMeta?
        for cell in cells {
            guard let cell else {
                writer.byte(0)
                continue
            }
            if cell == previous {
                writer.byte(1)
                continue
            }
            writer.byte(cell.hasCausalContext ? 4 : 2)
            writer.varint(cell.cl)
            Self.write(cell.version, &writer, siteIndex)
            if cell.hasCausalContext {
                writer.varint(UInt64(cell.context.count))
                for entry in cell.context { Self.write(entry, &writer, siteIndex) }
                writer.varint(UInt64(cell.siblings.count))
                for sibling in cell.siblings {
                    Self.write(sibling.version, &writer, siteIndex)
                    writer.varint(UInt64(sibling.context.count))
                    for entry in sibling.context { Self.write(entry, &writer, siteIndex) }
                    writer.byte(sibling.value.tag.rawValue)
                    sibling.value.writePayload(to: &writer)
                }
            }
            previous = cell
        }
        return writer.bytes
    }

    private static func write(_ version: Version, _ writer: inout ByteWriter, _ siteIndex: (SiteID) -> UInt64) {
        writer.fixed64(version.hlc)
        writer.varint(siteIndex(version.site))
    }

    static func decode(_ bytes: [UInt8], sites: [SiteID]) throws -> RowMeta {
        var reader = ByteReader(bytes)
        do {
            func version() throws -> Version {
                let hlc = try reader.fixed64()
                let index = Int(clamping: try reader.varint())
                guard index < sites.count else { throw StorageCorruption(detail: "Site-Index \(index) unbekannt") }
                return Version(hlc: hlc, site: sites[index])
            }
            let cl = try reader.varint()
            let flags = try reader.byte()
            let rowVersion = flags & 1 != 0 ? try version() : nil
            let deleteBase = flags & 2 != 0 ? try version() : nil
            var deleteContext: [Version] = []
            if flags & 4 != 0 {
                let count = Int(clamping: try reader.varint())
                guard count <= ChangeLimits.maxContextEntries else {
                    throw StorageCorruption(detail: "zu viele Kontexteinträge")
                }
                for _ in 0..<count { deleteContext.append(try version()) }
            }
            let logSequence = flags & 8 != 0 ? Int64(bitPattern: try reader.varint()) : nil
            let count = Int(clamping: try reader.varint())
            guard count <= 4096 else { throw StorageCorruption(detail: "zu viele Spalten") }
            var cells: [CellMeta?] = []
            cells.reserveCapacity(count)
            var previous: CellMeta?
            for _ in 0..<count {
                switch try reader.byte() {
                case 0:
                    cells.append(nil)
                case 1:
                    guard let previous else { throw StorageCorruption(detail: "Wiederholung ohne Vorgänger") }
                    cells.append(previous)
                case let tag where tag == 2 || tag == 3 || tag == 4:
                    let cellCl = try reader.varint()
                    let cellVersion = try version()
                    var cell = CellMeta(cl: cellCl, version: cellVersion)
                    if tag == 3 {
                        // Written before protocol 2: the one base the writer had replaced becomes its
                        // context (a write of the cell's own site is implied by the version).
                        let base = try version()
                        if base.site != cellVersion.site, base.hlc < cellVersion.hlc { cell.context = [base] }
                    } else if tag == 4 {
                        let contextCount = Int(clamping: try reader.varint())
                        guard contextCount <= ChangeLimits.maxContextEntries else {
                            throw StorageCorruption(detail: "zu viele Kontexteinträge")
                        }
                        for _ in 0..<contextCount { cell.context.append(try version()) }
                        let siblingCount = Int(clamping: try reader.varint())
                        guard siblingCount <= ChangeLimits.maxSiblings else {
                            throw StorageCorruption(detail: "zu viele gleichzeitige Werte")
                        }
                        for _ in 0..<siblingCount {
                            let siblingVersion = try version()
                            let siblingContextCount = Int(clamping: try reader.varint())
                            guard siblingContextCount <= ChangeLimits.maxContextEntries else {
                                throw StorageCorruption(detail: "zu viele Kontexteinträge")
                            }
                            var siblingContext: [Version] = []
                            for _ in 0..<siblingContextCount { siblingContext.append(try version()) }
                            guard let valueTag = ValueTag(rawValue: try reader.byte()), valueTag != .textReference
                            else { throw StorageCorruption(detail: "unbekannte Wertkennung") }
                            cell.siblings.append(
                                CellSibling(
                                    version: siblingVersion,
                                    value: try DatabaseValue.readPayload(tag: valueTag, from: &reader),
                                    context: siblingContext))
                        }
                    }
                    cells.append(cell)
                    previous = cell
                default:
                    throw StorageCorruption(detail: "unbekannte Zellkennung")
                }
            }
            var meta = RowMeta(cl: cl, rowVersion: rowVersion, deleteBase: deleteBase, cells: cells)
            meta.deleteContext = deleteContext
            meta.logSequence = logSequence
            return meta
        } catch let error as StorageCorruption {
            throw error
        } catch {
            throw StorageCorruption(detail: "Metadaten abgeschnitten")
        }
    }
}

/// The replica file's internal metadata cannot be read: the file was changed outside the library.
public struct StorageCorruption: Error, Sendable, CustomStringConvertible {
    public let detail: String
    public var description: String {
        "Die Replikationsdaten der Datei sind beschädigt (\(detail)). "
            + "Die Datei wurde vermutlich außerhalb von OZG Labor-Sync verändert; bitte eine Sicherung verwenden."
    }
}
