import OZGStorage

/// The compact binary form of a `ChangeBatch` (see docs/ARCHITECTURE.md, "Encoding").
///
/// Table names, column names and site ids are dictionary-encoded; integers are LEB128 varints;
/// clock values are zigzag deltas from the previous one; a cell whose version equals the previous
/// cell's costs no version bytes; canonical UUID ids cost 16 bytes.
///
/// ```swift
/// let bytes = ChangeBatchCodec.encode(batch)
/// let again = try ChangeBatchCodec.decode(bytes)
/// let wire = try ChangeBatchCodec.encodeCompressed(batch)
/// ```
public enum ChangeBatchCodec {
    static let magic: [UInt8] = [0x4F, 0x5A, 0x42, 0x02]  // "OZB", format 2
    /// Format 1 (protocol version 1) carried one `base` per cell instead of a causal context; still
    /// read, because replica files keep pending changes in it.
    static let magicFormat1: [UInt8] = [0x4F, 0x5A, 0x42, 0x01]

    /// Row header bits.
    fileprivate static let hasRowVersion: UInt8 = 0x01
    fileprivate static let hasDeleteBase: UInt8 = 0x02
    fileprivate static let explicitCl: UInt8 = 0x04
    fileprivate static let sameTable: UInt8 = 0x08
    fileprivate static let hasDeleteContext: UInt8 = 0x10
    /// Cell header bits (the low three hold the value tag).
    fileprivate static let tagMask: UInt8 = 0x07
    fileprivate static let ownCl: UInt8 = 0x08
    fileprivate static let sameVersion: UInt8 = 0x10
    /// Format 2: context and siblings follow; format 1: a base version follows.
    fileprivate static let hasCausality: UInt8 = 0x20
    fileprivate static let expectedColumn: UInt8 = 0x40
    /// Texts up to this many bytes are remembered, so a repeat costs an index instead of the text.
    static let maxReferencedTextBytes = 64

    /// Encodes `batch` without compression.
    ///
    /// Layout: magic, name table, site table, row count, then all row ids together (random ids do
    /// not compress; keeping them apart lets deflate find the repetition in everything else), then
    /// the rows. A cell whose column is the one after the previous cell's (or, for a row's first
    /// cell, the previous row's first column) omits the column index.
    public static func encode(_ batch: ChangeBatch) -> [UInt8] {
        var encoder = BatchEncoder(rowCount: batch.rows.count)
        for row in batch.rows { encoder.row(row) }
        return encoder.finish()
    }

    /// Decodes an uncompressed batch, rejecting anything malformed with a `ChangeBatchDecodingError`.
    public static func decode(_ bytes: [UInt8]) throws(ChangeBatchDecodingError) -> ChangeBatch {
        var decoder = BatchDecoder(bytes)
        do {
            return try decoder.batch()
        } catch let error as ChangeBatchDecodingError {
            throw error
        } catch ByteReaderFailure.truncated(let offset) {
            throw ChangeBatchDecodingError(reason: "Die Daten enden mitten in einer Änderung", offset: offset)
        } catch ByteReaderFailure.varintTooLong(let offset) {
            throw ChangeBatchDecodingError(reason: "Eine Zahl ist länger als 64 Bit", offset: offset)
        } catch ValueDecodingFailure.invalidUTF8(let offset) {
            throw ChangeBatchDecodingError(reason: "Ein Text ist kein gültiges UTF-8", offset: offset)
        } catch {
            throw ChangeBatchDecodingError(reason: "Unlesbare Daten", offset: decoder.reader.offset)
        }
    }
}

/// Writes one batch: rows and cells into the body and ids apart, names and sites into tables that
/// `finish()` puts in front. The mirror of `BatchDecoder`.
private struct BatchEncoder {
    typealias Codec = ChangeBatchCodec
    var strings: [String: UInt64] = [:]
    var stringList: [String] = []
    var sites: [SiteID: UInt64] = [:]
    var siteList: [SiteID] = []
    var ids: ByteWriter
    var body: ByteWriter
    var rowCount = 0
    /// Versions are delta-encoded against the previous one written.
    var previousHLC: UInt64 = 0
    /// Context entries are delta-encoded against the previous entry of the same site (by site index).
    var previousContextHLC: [UInt64: UInt64] = [:]
    /// Short texts already written, by the index a later cell uses to repeat them.
    var texts: [String: UInt64] = [:]
    var previousTable: String?
    var previousFirstColumn: UInt64?

    init(rowCount: Int) {
        ids = ByteWriter(capacity: rowCount * 17)
        body = ByteWriter(capacity: rowCount * 64)
    }

    mutating func stringIndex(_ text: String) -> UInt64 {
        if let index = strings[text] { return index }
        let index = UInt64(stringList.count)
        strings[text] = index
        stringList.append(text)
        return index
    }

    mutating func siteIndex(_ site: SiteID) -> UInt64 {
        if let index = sites[site] { return index }
        let index = UInt64(siteList.count)
        sites[site] = index
        siteList.append(site)
        return index
    }

    mutating func writeVersion(_ version: Version) {
        body.signedVarint(Int64(bitPattern: version.hlc &- previousHLC))
        previousHLC = version.hlc
        body.varint(siteIndex(version.site))
    }

    /// A context entry: site index, then the clock as a zigzag delta from the previous context entry
    /// of the same site in this batch. Rows written one after another by the same writers give small,
    /// repeating deltas, where a delta from the previous version (another site's clock) would not.
    mutating func writeContextEntry(_ entry: Version) {
        let index = siteIndex(entry.site)
        body.varint(index)
        body.signedVarint(Int64(bitPattern: entry.hlc &- (previousContextHLC[index] ?? 0)))
        previousContextHLC[index] = entry.hlc
    }

    /// A row: its id among the ids (packed when it is a UUID), then header flags, table (unless the
    /// previous row's), causal length (unless 1), row version, delete base, cells.
    mutating func row(_ row: RowChange) {
        rowCount += 1
        if let packed = RowID.packedBytes(row.id) {
            ids.varint(0)
            ids.raw(packed)
        } else {
            var id = row.id
            id.withUTF8 { bytes in
                ids.varint(UInt64(bytes.count) + 1)
                ids.raw(bytes)
            }
        }
        var header: UInt8 = 0
        if row.rowVersion != nil { header |= Codec.hasRowVersion }
        if row.deleteBase != nil { header |= Codec.hasDeleteBase }
        if row.cl != 1 { header |= Codec.explicitCl }
        if row.table == previousTable { header |= Codec.sameTable }
        if !row.deleteContext.isEmpty { header |= Codec.hasDeleteContext }
        body.byte(header)
        if row.table != previousTable { body.varint(stringIndex(row.table)) }
        previousTable = row.table
        if row.cl != 1 { body.varint(row.cl) }
        if let version = row.rowVersion { writeVersion(version) }
        if let base = row.deleteBase { writeVersion(base) }
        if !row.deleteContext.isEmpty {
            body.varint(UInt64(row.deleteContext.count))
            for entry in row.deleteContext { writeContextEntry(entry) }
        }
        body.varint(UInt64(row.cells.count))
        var expected = previousFirstColumn
        for (position, cell) in row.cells.enumerated() {
            let column = stringIndex(cell.column)
            if position == 0 { previousFirstColumn = column }
            self.cell(
                cell, column: column, rowCl: row.cl, expectedColumn: expected,
                previousVersion: position == 0 ? nil : row.cells[position - 1].version)
            expected = column + 1
        }
    }

    /// A cell: header with value tag and flags, then only what differs from what the decoder expects
    /// (column, causal length, version), context and siblings, and the value or a reference to an earlier text.
    mutating func cell(
        _ cell: CellChange, column: UInt64, rowCl: UInt64, expectedColumn expected: UInt64?, previousVersion: Version?
    ) {
        var reference: UInt64?
        if case .text(let text) = cell.value, text.utf8.count <= Codec.maxReferencedTextBytes {
            if let index = texts[text] {
                reference = index
            } else {
                texts[text] = UInt64(texts.count)
            }
        }
        var cellHeader = reference == nil ? cell.value.tag.rawValue : ValueTag.textReference.rawValue
        if cell.cl != rowCl { cellHeader |= Codec.ownCl }
        if cell.version == previousVersion { cellHeader |= Codec.sameVersion }
        let hasCausality = !cell.context.isEmpty || !cell.siblings.isEmpty
        if hasCausality { cellHeader |= Codec.hasCausality }
        if column == expected { cellHeader |= Codec.expectedColumn }
        body.byte(cellHeader)
        if column != expected { body.varint(column) }
        if cell.cl != rowCl { body.varint(cell.cl) }
        if cell.version != previousVersion { writeVersion(cell.version) }
        if hasCausality {
            body.varint(UInt64(cell.context.count))
            for entry in cell.context { writeContextEntry(entry) }
            body.varint(UInt64(cell.siblings.count))
            for sibling in cell.siblings {
                writeVersion(sibling.version)
                body.varint(UInt64(sibling.context.count))
                for entry in sibling.context { writeContextEntry(entry) }
                body.byte(sibling.value.tag.rawValue)
                sibling.value.writePayload(to: &body)
            }
        }
        if let reference { body.varint(reference) } else { cell.value.writePayload(to: &body) }
    }

    /// Magic, name table, site table, row count, the ids, the body.
    func finish() -> [UInt8] {
        var out = ByteWriter(capacity: ids.bytes.count + body.bytes.count + 64)
        out.raw(Codec.magic)
        out.varint(UInt64(stringList.count))
        for text in stringList { out.string(text) }
        out.varint(UInt64(siteList.count))
        for site in siteList { out.raw(site.bytes) }
        out.varint(UInt64(rowCount))
        out.raw(ids.bytes)
        out.raw(body.bytes)
        return out.bytes
    }
}

/// Reads one encoded batch in the order `ChangeBatchCodec.encode` wrote it: header, name table,
/// site table, row ids, then each row with its cells. Every count and index is checked against what
/// is left or what was declared, so nothing in the input can make it trap or allocate without bound.
private struct BatchDecoder {
    typealias Codec = ChangeBatchCodec
    var reader: ByteReader
    var strings: [String] = []
    var sites: [SiteID] = []
    /// Versions are delta-encoded against the previous one read.
    var previousHLC: UInt64 = 0
    /// Context entries are delta-encoded against the previous entry of the same site (by site index).
    var previousContextHLC: [Int: UInt64] = [:]
    /// Short texts already read, which later cells may reference by index.
    var texts: [String] = []
    var previousTable: String?
    var previousFirstColumn: Int?
    /// Format 1 carries a base version per cell instead of context and siblings.
    var isFormat1 = false

    init(_ bytes: [UInt8]) {
        reader = ByteReader(bytes)
    }

    func fail(_ reason: String) -> ChangeBatchDecodingError {
        ChangeBatchDecodingError(reason: reason, offset: reader.offset)
    }

    mutating func batch() throws -> ChangeBatch {
        let header = reader.remaining >= 4 ? Array(try reader.raw(count: 4)) : []
        guard header == Codec.magic || header == Codec.magicFormat1 else {
            throw ChangeBatchDecodingError(reason: "Kein Änderungspaket (Kennung „OZB“, Format 2 erwartet)", offset: 0)
        }
        isFormat1 = header == Codec.magicFormat1
        try nameTable()
        try siteTable()
        let ids = try rowIDs()
        var rows: [RowChange] = []
        rows.reserveCapacity(ids.count)
        for id in ids { rows.append(try row(id: id)) }
        guard reader.isAtEnd else { throw fail("Nach dem Ende des Pakets folgen noch \(reader.remaining) Bytes") }
        return ChangeBatch(rows: rows)
    }

    mutating func nameTable() throws {
        let stringCount = try reader.varint()
        guard stringCount <= UInt64(reader.remaining) else { throw fail("Zu viele Namen angegeben") }
        strings.reserveCapacity(Int(stringCount))
        for _ in 0..<stringCount {
            let bytes = try reader.lengthPrefixed()
            guard let text = String(validating: bytes, as: UTF8.self), !text.isEmpty else {
                throw fail("Ein Tabellen- oder Spaltenname ist leer oder kein gültiges UTF-8")
            }
            strings.append(text)
        }
    }

    mutating func siteTable() throws {
        let siteCount = try reader.varint()
        guard siteCount <= UInt64(reader.remaining / 16) else { throw fail("Zu viele Geräte-IDs angegeben") }
        for _ in 0..<siteCount {
            guard let site = SiteID(bytes: try reader.raw(count: 16)) else { throw fail("Ungültige Geräte-ID") }
            sites.append(site)
        }
    }

    mutating func rowIDs() throws -> [String] {
        let rowCount = try reader.varint()
        guard rowCount <= UInt64(reader.remaining) else { throw fail("Zu viele Zeilen angegeben") }
        var ids: [String] = []
        ids.reserveCapacity(Int(rowCount))
        for _ in 0..<rowCount {
            let length = try reader.varint()
            if length == 0 {
                ids.append(RowID.text(fromPacked: try reader.raw(count: 16)))
            } else {
                guard length <= 257 else { throw fail("Eine Zeilen-ID ist länger als 256 Bytes") }
                let bytes = try reader.raw(count: Int(length - 1))
                guard let text = String(validating: bytes, as: UTF8.self), !text.isEmpty else {
                    throw fail("Eine Zeilen-ID ist leer oder kein gültiges UTF-8")
                }
                ids.append(text)
            }
        }
        return ids
    }

    mutating func string(_ what: String) throws -> String {
        let index = try reader.varint()
        guard index < UInt64(strings.count) else { throw fail("\(what)-Index \(index) verweist auf keinen Namen") }
        return strings[Int(index)]
    }

    mutating func version() throws -> Version {
        let delta = try reader.signedVarint()
        let hlc = previousHLC &+ UInt64(bitPattern: delta)
        previousHLC = hlc
        let index = try reader.varint()
        guard index < UInt64(sites.count) else { throw fail("Geräte-Index \(index) verweist auf keine Geräte-ID") }
        return Version(hlc: hlc, site: sites[Int(index)])
    }

    /// A write's causal context: a count, then that many versions.
    mutating func contextEntries() throws -> [Version] {
        let count = try reader.varint()
        guard count <= UInt64(ChangeLimits.maxContextEntries), count <= UInt64(reader.remaining) else {
            throw fail(
                "Der Kontext einer Zelle nennt \(count) Geräte; erlaubt sind höchstens \(ChangeLimits.maxContextEntries)"
            )
        }
        var entries: [Version] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            let index = try reader.varint()
            guard index < UInt64(sites.count) else { throw fail("Geräte-Index \(index) verweist auf keine Geräte-ID") }
            let hlc = (previousContextHLC[Int(index)] ?? 0) &+ UInt64(bitPattern: try reader.signedVarint())
            previousContextHLC[Int(index)] = hlc
            entries.append(Version(hlc: hlc, site: sites[Int(index)]))
        }
        return entries
    }

    /// A row: header flags, table (or the previous one), causal length, row version, delete base, cells.
    mutating func row(id: String) throws -> RowChange {
        let header = try reader.byte()
        guard header & ~(isFormat1 ? 0x0F : 0x1F) == 0 else { throw fail("Unbekannte Zeilenkennzeichen \(header)") }
        let table: String
        if header & Codec.sameTable != 0 {
            guard let previousTable else { throw fail("Die erste Zeile verweist auf eine vorige Tabelle") }
            table = previousTable
        } else {
            table = try string("Tabellen")
        }
        previousTable = table
        let cl = header & Codec.explicitCl != 0 ? try reader.varint() : 1
        guard cl >= 1, cl <= ChangeLimits.maxCausalLength else {
            throw fail("Kausale Länge \(cl) ist nicht erlaubt (1 bis \(ChangeLimits.maxCausalLength))")
        }
        let rowVersion = header & Codec.hasRowVersion != 0 ? try version() : nil
        let deleteBase = header & Codec.hasDeleteBase != 0 ? try version() : nil
        let deleteContext = header & Codec.hasDeleteContext != 0 ? try contextEntries() : []
        let cellCount = try reader.varint()
        guard cellCount <= UInt64(reader.remaining) else { throw fail("Zu viele Zellen angegeben") }
        var cells: [CellChange] = []
        cells.reserveCapacity(Int(cellCount))
        var expected = previousFirstColumn
        for position in 0..<Int(cellCount) {
            let cell = try cell(rowCl: cl, expectedColumn: expected, previousVersion: cells.last?.version)
            if position == 0 { previousFirstColumn = cell.columnIndex }
            expected = cell.columnIndex + 1
            cells.append(cell.change)
        }
        return RowChange(
            table: table, id: id, cl: cl, rowVersion: rowVersion, deleteBase: deleteBase, deleteContext: deleteContext,
            cells: cells)
    }

    /// A cell: header with value tag and flags, column (or the expected next one), causal length
    /// (or the row's), version (or the previous cell's), context and siblings, value (or a reference to an earlier text).
    mutating func cell(rowCl: UInt64, expectedColumn expected: Int?, previousVersion: Version?) throws
        -> (change: CellChange, columnIndex: Int)
    {
        let cellHeader = try reader.byte()
        guard cellHeader & 0x80 == 0, let tag = ValueTag(rawValue: cellHeader & Codec.tagMask) else {
            throw fail("Unbekannte Zellkennung \(cellHeader)")
        }
        let columnIndex: Int
        if cellHeader & Codec.expectedColumn != 0 {
            guard let expected, expected < strings.count else {
                throw fail("Zelle verweist auf eine Spalte, die es nicht gibt")
            }
            columnIndex = expected
        } else {
            let index = try reader.varint()
            guard index < UInt64(strings.count) else { throw fail("Spalten-Index \(index) verweist auf keinen Namen") }
            columnIndex = Int(index)
        }
        let cellCl = cellHeader & Codec.ownCl != 0 ? try reader.varint() : rowCl
        guard cellCl >= 1, cellCl % 2 == 1, cellCl <= ChangeLimits.maxCausalLength else {
            throw fail(
                "Eine Zelle trägt die kausale Länge \(cellCl); erlaubt sind ungerade Werte von 1 bis \(ChangeLimits.maxCausalLength)"
            )
        }
        let cellVersion: Version
        if cellHeader & Codec.sameVersion != 0 {
            guard let previousVersion else { throw fail("Zelle verweist auf eine fehlende Vorgängerversion") }
            cellVersion = previousVersion
        } else {
            cellVersion = try version()
        }
        var context: [Version] = []
        var siblings: [CellSibling] = []
        if cellHeader & Codec.hasCausality != 0 {
            if isFormat1 {
                let base = try version()
                if base.site != cellVersion.site, base.hlc < cellVersion.hlc { context = [base] }
            } else {
                context = try contextEntries()
                let siblingCount = try reader.varint()
                guard siblingCount < UInt64(ChangeLimits.maxSiblings), siblingCount <= UInt64(reader.remaining) else {
                    throw fail(
                        "Eine Zelle trägt \(siblingCount) gleichzeitige Werte neben dem gültigen; erlaubt sind höchstens \(ChangeLimits.maxSiblings - 1)"
                    )
                }
                for _ in 0..<siblingCount {
                    let siblingVersion = try version()
                    let siblingContext = try contextEntries()
                    guard let siblingTag = ValueTag(rawValue: try reader.byte()), siblingTag != .textReference else {
                        throw fail("Unbekannte Wertkennung eines gleichzeitigen Werts")
                    }
                    siblings.append(
                        CellSibling(
                            version: siblingVersion,
                            value: try DatabaseValue.readPayload(tag: siblingTag, from: &reader),
                            context: siblingContext))
                }
            }
        }
        let value: DatabaseValue
        if tag == .textReference {
            let index = try reader.varint()
            guard index < UInt64(texts.count) else { throw fail("Textverweis \(index) zeigt auf keinen Text") }
            value = .text(texts[Int(index)])
        } else {
            value = try DatabaseValue.readPayload(tag: tag, from: &reader)
            if case .text(let text) = value, text.utf8.count <= Codec.maxReferencedTextBytes { texts.append(text) }
        }
        let change = CellChange(
            column: strings[columnIndex], value: value, cl: cellCl, version: cellVersion, context: context,
            siblings: siblings)
        return (change, columnIndex)
    }
}

/// An encoded change batch is malformed; says what was wrong and where.
public struct ChangeBatchDecodingError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What was wrong, in German.
    public let reason: String
    /// The byte offset in the uncompressed data, when known.
    public let offset: Int?

    package init(reason: String, offset: Int?) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        let place = offset.map { " (bei Byte \($0))" } ?? ""
        return "Ungültiges Änderungspaket: \(reason)\(place)."
    }
}
