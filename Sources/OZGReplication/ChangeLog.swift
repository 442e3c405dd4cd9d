import OZGStorage

/// One logged write: which row, which columns, which version, and the old values.
struct LogEntry {
    let sequence: Int64
    let table: Int64
    let kind: LogKind
    let origin: Origin
    let id: String
    let mask: UInt64
    let hlc: UInt64
    let siteIndex: Int
    let old: [DatabaseValue]?
    /// The log row of the row's previous change: 0 when this is its first, nil when unknown (an
    /// entry written before the chain existed).
    let previous: Int64?
}

/// Writes of one transaction that share table, kind and origin, collected until commit.
///
/// The log (`_ozg_log`) is both the push queue and the history. Writing one SQLite row per write
/// cost more than the domain insert itself, so consecutive writes of one transaction are packed
/// into one log row (up to `capacity` entries); see docs/ARCHITECTURE.md, "Change log".
struct LogGroup {
    static let capacity = 1024

    /// The `_ozg_log.seq` this group is stored under, known before it is stored so that each row's
    /// metadata can point at it (`RowMeta.logSequence`).
    let sequence: Int64
    let table: Int64
    let kind: LogKind
    let origin: Origin
    var entries = ByteWriter(capacity: 4096)
    var count = 0
    var previousHLC: UInt64 = 0

    init(sequence: Int64, table: Int64, kind: LogKind, origin: Origin) {
        self.sequence = sequence
        self.table = table
        self.kind = kind
        self.origin = origin
    }

    func accepts(table: Int64, kind: LogKind, origin: Origin) -> Bool {
        self.table == table && self.kind == kind && self.origin == origin && count < Self.capacity
    }

    /// Flags byte of an entry: bit 0 old values follow, bit 1 the previous-change pointer follows,
    /// bit 2 the row's first change (previous 0, not stored).
    mutating func append(id: String, mask: UInt64, hlc: UInt64, siteIndex: UInt64, old: [UInt8]?, previous: Int64?) {
        entries.string(id)
        entries.varint(mask)
        entries.signedVarint(Int64(bitPattern: hlc &- previousHLC))
        previousHLC = hlc
        entries.varint(siteIndex)
        entries.byte((old == nil ? 0 : 1) | (previous == nil ? 0 : previous == 0 ? 4 : 2))
        if let old { entries.lengthPrefixed(old) }
        if let previous, previous != 0 { entries.varint(UInt64(bitPattern: previous)) }
        count += 1
    }

    /// Decodes the entries of one stored log row.
    static func decode(sequence: Int64, table: Int64, kind: LogKind, origin: Origin, bytes: [UInt8]) throws
        -> [LogEntry]
    {
        var reader = ByteReader(bytes)
        var result: [LogEntry] = []
        var hlc: UInt64 = 0
        do {
            while !reader.isAtEnd {
                let idBytes = try reader.lengthPrefixed()
                let id = String(decoding: idBytes, as: UTF8.self)
                let mask = try reader.varint()
                hlc = hlc &+ UInt64(bitPattern: try reader.signedVarint())
                let site = Int(clamping: try reader.varint())
                let flags = try reader.byte()
                guard flags & ~7 == 0 else { throw StorageCorruption(detail: "Änderungsprotokoll \(sequence)") }
                let old: [DatabaseValue]? =
                    flags & 1 != 0 ? try ValueList.decode(Array(try reader.lengthPrefixed())) : nil
                let previous = flags & 2 != 0 ? Int64(bitPattern: try reader.varint()) : flags & 4 != 0 ? 0 : nil
                result.append(
                    LogEntry(
                        sequence: sequence, table: table, kind: kind, origin: origin, id: id, mask: mask,
                        hlc: hlc, siteIndex: site, old: old, previous: previous))
            }
        } catch let error as StorageCorruption {
            throw error
        } catch {
            throw StorageCorruption(detail: "Änderungsprotokoll \(sequence)")
        }
        return result
    }
}

extension Replica {
    /// The log row the next write of this kind will be logged in: a row's metadata records it
    /// (`RowMeta.logSequence`) before `appendLog` adds the entry.
    func logSequence(for table: TableState, kind: LogKind, origin: Origin) throws -> Int64 {
        if let group = logGroup, group.accepts(table: table.index, kind: kind, origin: origin) {
            return group.sequence
        }
        try flushLog()
        let last = try database.cachedStatement("SELECT COALESCE(MAX(seq), 0) FROM _ozg_log").firstRow([]) {
            $0.int64(0)
        }
        let group = LogGroup(sequence: (last ?? 0) + 1, table: table.index, kind: kind, origin: origin)
        logGroup = group
        return group.sequence
    }

    /// Records one write in the current transaction's log group; `previous` is the log row of the
    /// row's change before this one (the old `RowMeta.logSequence`; 0 for a new row).
    func appendLog(
        _ table: TableState, id: String, kind: LogKind, origin: Origin, version: Version, mask: UInt64,
        old: [UInt8]?, previous: Int64?
    ) throws {
        let site = try siteIndexes[version.site] ?? siteIndex(version.site)
        _ = try logSequence(for: table, kind: kind, origin: origin)
        logGroup?.append(id: id, mask: mask, hlc: version.hlc, siteIndex: site, old: old, previous: previous)
    }

    /// Writes the collected log group (before commit, and before anything reads the log).
    func flushLog() throws {
        guard let group = logGroup, group.count > 0 else { return }
        logGroup = nil
        try database.cachedStatement("INSERT INTO _ozg_log(seq, tbl, kind, origin, entries) VALUES (?, ?, ?, ?, ?)")
            .execute([
                .integer(group.sequence), .integer(group.table), .integer(group.kind.rawValue),
                .integer(group.origin.rawValue),
                .blob(group.entries.bytes),
            ])
    }

    /// Calls `body` for every logged write after `sequence`, oldest first, a stored group at a time.
    func forEachLogGroup(after sequence: Int64, _ body: ([LogEntry]) throws -> Bool) throws {
        try flushLog()
        let statement = try database.cachedStatement(
            "SELECT seq, tbl, kind, origin, entries FROM _ozg_log WHERE seq > ? ORDER BY seq")
        try statement.bind([.integer(sequence)])
        defer { try? statement.bind([]) }
        let row = Row(statement: statement)
        while try statement.step() {
            guard let kind = LogKind(rawValue: row.int64(2)), let origin = Origin(rawValue: row.int64(3)) else {
                throw StorageCorruption(detail: "Änderungsprotokoll \(row.int64(0))")
            }
            let entries = try LogGroup.decode(
                sequence: row.int64(0), table: row.int64(1), kind: kind, origin: origin,
                bytes: row.blob(4) ?? [])
            guard try body(entries) else { return }
        }
    }
}
