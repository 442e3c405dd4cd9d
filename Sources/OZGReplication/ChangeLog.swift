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
}

/// Writes of one transaction that share table, kind and origin, collected until commit.
///
/// The log (`_ozg_log`) is both the push queue and the history. Writing one SQLite row per write
/// cost more than the domain insert itself, so consecutive writes of one transaction are packed
/// into one log row (up to `capacity` entries); see docs/ARCHITECTURE.md, "Change log".
struct LogGroup {
    static let capacity = 1024

    let table: Int64
    let kind: LogKind
    let origin: Origin
    var entries = ByteWriter(capacity: 4096)
    var count = 0
    var previousHLC: UInt64 = 0

    init(table: Int64, kind: LogKind, origin: Origin) {
        self.table = table
        self.kind = kind
        self.origin = origin
    }

    func accepts(table: Int64, kind: LogKind, origin: Origin) -> Bool {
        self.table == table && self.kind == kind && self.origin == origin && count < Self.capacity
    }

    mutating func append(id: String, mask: UInt64, hlc: UInt64, siteIndex: UInt64, old: [UInt8]?) {
        entries.string(id)
        entries.varint(mask)
        entries.signedVarint(Int64(bitPattern: hlc &- previousHLC))
        previousHLC = hlc
        entries.varint(siteIndex)
        if let old {
            entries.byte(1)
            entries.lengthPrefixed(old)
        } else {
            entries.byte(0)
        }
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
                let old: [DatabaseValue]? =
                    try reader.byte() == 1
                    ? try ValueList.decode(Array(try reader.lengthPrefixed())) : nil
                result.append(
                    LogEntry(
                        sequence: sequence, table: table, kind: kind, origin: origin, id: id, mask: mask,
                        hlc: hlc, siteIndex: site, old: old))
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
    /// Records one write in the current transaction's log group.
    func appendLog(
        _ table: TableState, id: String, kind: LogKind, origin: Origin, version: Version, mask: UInt64,
        old: [UInt8]?
    ) throws {
        let site = try siteIndexes[version.site] ?? siteIndex(version.site)
        if logGroup?.accepts(table: table.index, kind: kind, origin: origin) != true {
            try flushLog()
            logGroup = LogGroup(table: table.index, kind: kind, origin: origin)
        }
        logGroup?.append(id: id, mask: mask, hlc: version.hlc, siteIndex: site, old: old)
    }

    /// Writes the collected log group (before commit, and before anything reads the log).
    func flushLog() throws {
        guard let group = logGroup, group.count > 0 else { return }
        logGroup = nil
        try database.cachedStatement("INSERT INTO _ozg_log(tbl, kind, origin, entries) VALUES (?, ?, ?, ?)")
            .execute([
                .integer(group.table), .integer(group.kind.rawValue), .integer(group.origin.rawValue),
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
