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
    static let magic: [UInt8] = [0x4F, 0x5A, 0x42, 0x01]  // "OZB", format 1

    /// Row header bits.
    private static let hasRowVersion: UInt8 = 0x01
    private static let hasDeleteBase: UInt8 = 0x02
    private static let explicitCl: UInt8 = 0x04
    private static let sameTable: UInt8 = 0x08
    /// Cell header bits (the low three hold the value tag).
    private static let tagMask: UInt8 = 0x07
    private static let ownCl: UInt8 = 0x08
    private static let sameVersion: UInt8 = 0x10
    private static let hasBase: UInt8 = 0x20
    private static let expectedColumn: UInt8 = 0x40
    /// Texts up to this many bytes are remembered, so a repeat costs an index instead of the text.
    static let maxReferencedTextBytes = 64

    /// Encodes `batch` without compression.
    ///
    /// Layout: magic, name table, site table, row count, then all row ids together (random ids do
    /// not compress; keeping them apart lets deflate find the repetition in everything else), then
    /// the rows. A cell whose column is the one after the previous cell's (or, for a row's first
    /// cell, the previous row's first column) omits the column index.
    public static func encode(_ batch: ChangeBatch) -> [UInt8] {
        var strings: [String: UInt64] = [:]
        var stringList: [String] = []
        var sites: [SiteID: UInt64] = [:]
        var siteList: [SiteID] = []
        func stringIndex(_ text: String) -> UInt64 {
            if let index = strings[text] { return index }
            let index = UInt64(stringList.count)
            strings[text] = index
            stringList.append(text)
            return index
        }
        func siteIndex(_ site: SiteID) -> UInt64 {
            if let index = sites[site] { return index }
            let index = UInt64(siteList.count)
            sites[site] = index
            siteList.append(site)
            return index
        }

        var ids = ByteWriter(capacity: batch.rows.count * 17)
        var body = ByteWriter(capacity: batch.rows.count * 64)
        var previousHLC: UInt64 = 0
        func writeVersion(_ version: Version) {
            body.signedVarint(Int64(bitPattern: version.hlc &- previousHLC))
            previousHLC = version.hlc
            body.varint(siteIndex(version.site))
        }
        var texts: [String: UInt64] = [:]
        var previousTable: String?
        var previousFirstColumn: UInt64?
        for row in batch.rows {
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
            if row.rowVersion != nil { header |= hasRowVersion }
            if row.deleteBase != nil { header |= hasDeleteBase }
            if row.cl != 1 { header |= explicitCl }
            if row.table == previousTable { header |= sameTable }
            body.byte(header)
            if row.table != previousTable { body.varint(stringIndex(row.table)) }
            previousTable = row.table
            if row.cl != 1 { body.varint(row.cl) }
            if let version = row.rowVersion { writeVersion(version) }
            if let base = row.deleteBase { writeVersion(base) }
            body.varint(UInt64(row.cells.count))
            var previousVersion: Version?
            var expected = previousFirstColumn
            for (position, cell) in row.cells.enumerated() {
                let column = stringIndex(cell.column)
                if position == 0 { previousFirstColumn = column }
                var reference: UInt64?
                if case .text(let text) = cell.value, text.utf8.count <= maxReferencedTextBytes {
                    if let index = texts[text] {
                        reference = index
                    } else {
                        texts[text] = UInt64(texts.count)
                    }
                }
                var cellHeader = reference == nil ? cell.value.tag.rawValue : ValueTag.textReference.rawValue
                if cell.cl != row.cl { cellHeader |= ownCl }
                if cell.version == previousVersion { cellHeader |= sameVersion }
                if cell.base != nil { cellHeader |= hasBase }
                if column == expected { cellHeader |= expectedColumn }
                body.byte(cellHeader)
                if column != expected { body.varint(column) }
                expected = column + 1
                if cell.cl != row.cl { body.varint(cell.cl) }
                if cell.version != previousVersion { writeVersion(cell.version) }
                if let base = cell.base { writeVersion(base) }
                if let reference { body.varint(reference) } else { cell.value.writePayload(to: &body) }
                previousVersion = cell.version
            }
        }

        var out = ByteWriter(capacity: ids.bytes.count + body.bytes.count + 64)
        out.raw(magic)
        out.varint(UInt64(stringList.count))
        for text in stringList { out.string(text) }
        out.varint(UInt64(siteList.count))
        for site in siteList { out.raw(site.bytes) }
        out.varint(UInt64(batch.rows.count))
        out.raw(ids.bytes)
        out.raw(body.bytes)
        return out.bytes
    }

    /// Decodes an uncompressed batch, rejecting anything malformed with a `ChangeBatchDecodingError`.
    public static func decode(_ bytes: [UInt8]) throws(ChangeBatchDecodingError) -> ChangeBatch {
        var reader = ByteReader(bytes)
        do {
            return try decode(&reader)
        } catch let error as ChangeBatchDecodingError {
            throw error
        } catch ByteReaderFailure.truncated(let offset) {
            throw ChangeBatchDecodingError(reason: "Die Daten enden mitten in einer Änderung", offset: offset)
        } catch ByteReaderFailure.varintTooLong(let offset) {
            throw ChangeBatchDecodingError(reason: "Eine Zahl ist länger als 64 Bit", offset: offset)
        } catch ValueDecodingFailure.invalidUTF8(let offset) {
            throw ChangeBatchDecodingError(reason: "Ein Text ist kein gültiges UTF-8", offset: offset)
        } catch {
            throw ChangeBatchDecodingError(reason: "Unlesbare Daten", offset: reader.offset)
        }
    }

    private static func decode(_ reader: inout ByteReader) throws -> ChangeBatch {
        func fail(_ reason: String) -> ChangeBatchDecodingError {
            ChangeBatchDecodingError(reason: reason, offset: reader.offset)
        }
        guard reader.remaining >= 4, Array(try reader.raw(count: 4)) == magic else {
            throw ChangeBatchDecodingError(reason: "Kein Änderungspaket (Kennung „OZB“, Format 1 erwartet)", offset: 0)
        }
        let stringCount = try reader.varint()
        guard stringCount <= UInt64(reader.remaining) else { throw fail("Zu viele Namen angegeben") }
        var strings: [String] = []
        strings.reserveCapacity(Int(stringCount))
        for _ in 0..<stringCount {
            let bytes = try reader.lengthPrefixed()
            guard let text = String(validating: bytes, as: UTF8.self), !text.isEmpty else {
                throw fail("Ein Tabellen- oder Spaltenname ist leer oder kein gültiges UTF-8")
            }
            strings.append(text)
        }
        let siteCount = try reader.varint()
        guard siteCount <= UInt64(reader.remaining / 16) else { throw fail("Zu viele Geräte-IDs angegeben") }
        var sites: [SiteID] = []
        for _ in 0..<siteCount {
            sites.append(SiteID(bytes: try reader.raw(count: 16))!)
        }
        func string(_ what: String) throws -> String {
            let index = try reader.varint()
            guard index < UInt64(strings.count) else { throw fail("\(what)-Index \(index) verweist auf keinen Namen") }
            return strings[Int(index)]
        }
        var previousHLC: UInt64 = 0
        func version() throws -> Version {
            let delta = try reader.signedVarint()
            let hlc = previousHLC &+ UInt64(bitPattern: delta)
            previousHLC = hlc
            let index = try reader.varint()
            guard index < UInt64(sites.count) else { throw fail("Geräte-Index \(index) verweist auf keine Geräte-ID") }
            return Version(hlc: hlc, site: sites[Int(index)])
        }

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
        var rows: [RowChange] = []
        rows.reserveCapacity(Int(rowCount))
        var texts: [String] = []
        var previousTable: String?
        var previousFirstColumn: Int?
        for id in ids {
            let header = try reader.byte()
            guard header & ~0x0F == 0 else { throw fail("Unbekannte Zeilenkennzeichen \(header)") }
            let table: String
            if header & sameTable != 0 {
                guard let previousTable else { throw fail("Die erste Zeile verweist auf eine vorige Tabelle") }
                table = previousTable
            } else {
                table = try string("Tabellen")
            }
            previousTable = table
            let cl = header & explicitCl != 0 ? try reader.varint() : 1
            guard cl >= 1 else { throw fail("Kausale Länge 0 ist nicht erlaubt (mindestens 1)") }
            let rowVersion = header & hasRowVersion != 0 ? try version() : nil
            let deleteBase = header & hasDeleteBase != 0 ? try version() : nil
            let cellCount = try reader.varint()
            guard cellCount <= UInt64(reader.remaining) else { throw fail("Zu viele Zellen angegeben") }
            var cells: [CellChange] = []
            cells.reserveCapacity(Int(cellCount))
            var previousVersion: Version?
            var expected = previousFirstColumn
            for position in 0..<Int(cellCount) {
                let cellHeader = try reader.byte()
                guard cellHeader & 0x80 == 0, let tag = ValueTag(rawValue: cellHeader & tagMask) else {
                    throw fail("Unbekannte Zellkennung \(cellHeader)")
                }
                let columnIndex: Int
                if cellHeader & expectedColumn != 0 {
                    guard let expected, expected < strings.count else {
                        throw fail("Zelle verweist auf eine Spalte, die es nicht gibt")
                    }
                    columnIndex = expected
                } else {
                    let index = try reader.varint()
                    guard index < UInt64(strings.count) else {
                        throw fail("Spalten-Index \(index) verweist auf keinen Namen")
                    }
                    columnIndex = Int(index)
                }
                if position == 0 { previousFirstColumn = columnIndex }
                expected = columnIndex + 1
                let cellCl = cellHeader & ownCl != 0 ? try reader.varint() : cl
                guard cellCl >= 1, cellCl % 2 == 1 else {
                    throw fail("Eine Zelle trägt die kausale Länge \(cellCl); erlaubt sind ungerade Werte ab 1")
                }
                let cellVersion: Version
                if cellHeader & sameVersion != 0 {
                    guard let previousVersion else { throw fail("Zelle verweist auf eine fehlende Vorgängerversion") }
                    cellVersion = previousVersion
                } else {
                    cellVersion = try version()
                }
                let base = cellHeader & hasBase != 0 ? try version() : nil
                let value: DatabaseValue
                if tag == .textReference {
                    let index = try reader.varint()
                    guard index < UInt64(texts.count) else { throw fail("Textverweis \(index) zeigt auf keinen Text") }
                    value = .text(texts[Int(index)])
                } else {
                    value = try DatabaseValue.readPayload(tag: tag, from: &reader)
                    if case .text(let text) = value, text.utf8.count <= maxReferencedTextBytes { texts.append(text) }
                }
                cells.append(
                    CellChange(
                        column: strings[columnIndex], value: value, cl: cellCl, version: cellVersion,
                        base: base))
                previousVersion = cellVersion
            }
            rows.append(
                RowChange(
                    table: table, id: id, cl: cl, rowVersion: rowVersion, deleteBase: deleteBase,
                    cells: cells))
        }
        guard reader.isAtEnd else { throw fail("Nach dem Ende des Pakets folgen noch \(reader.remaining) Bytes") }
        return ChangeBatch(rows: rows)
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
