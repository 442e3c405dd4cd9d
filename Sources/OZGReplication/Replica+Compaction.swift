import OZGStorage

/// How far one peer has pulled this replica's log: the cursor it last reported and when.
public struct PeerPosition: Sendable, Equatable {
    public var site: SiteID
    /// The last position of this replica's log the peer said it had applied.
    public var cursor: Int64
    /// When it said so (Unix milliseconds).
    public var seenMilliseconds: Int64
}

/// What one compaction removed (docs/ARCHITECTURE.md, „Verdichtung“).
public struct CompactionResult: Sendable, Equatable {
    /// Every change logged at or below this position had reached every peer that was counted.
    public var horizon: Int64
    /// Deleted rows reduced to what decides a merge (values and cell metadata gone), per table.
    public var removedTombstones: [String: Int] = [:]
    /// Log rows removed (`historyBefore`).
    public var removedLogRows = 0
    /// The compaction floor afterwards (0: none): a server starts a device whose cursor lies below it at 0.
    public var floor: Int64

    public var removedTombstoneCount: Int { removedTombstones.values.reduce(0, +) }
}

extension Replica {
    static let compactionSQL = """
        CREATE TABLE IF NOT EXISTS _ozg_peers(site BLOB PRIMARY KEY, cursor INTEGER NOT NULL, seen_ms INTEGER NOT NULL) WITHOUT ROWID;
        """

    static let floorKey = "compaction_floor"

    // MARK: - Peers and the horizon

    /// Records that `site` has applied this replica's log up to `cursor` (a sync server calls this for
    /// every device that pulls). The last report wins: a device restored from a backup reports less.
    /// One row per device; the server binds at most `--max-devices-per-token` devices to a token.
    public func recordPeerPosition(site: SiteID, cursor: Int64, seenMilliseconds: Int64) throws {
        try write {
            try database.cachedStatement(
                "INSERT OR REPLACE INTO _ozg_peers(site, cursor, seen_ms) VALUES (?, ?, ?)"
            ).execute([.blob(site.bytes), .integer(cursor), .integer(seenMilliseconds)])
        }
    }

    /// Every peer's last reported position.
    public func peerPositions() throws -> [PeerPosition] {
        try database.rows("SELECT site, cursor, seen_ms FROM _ozg_peers ORDER BY site") { row in
            PeerPosition(
                site: SiteID(bytes: row.blob(0) ?? []) ?? Replica.conflictSite, cursor: row.int64(1),
                seenMilliseconds: row.int64(2))
        }
    }

    /// Positions below this were compacted away (0: none): a cursor below it may have missed rows the
    /// compaction logged again under it, so a server starts such a device's pages at 0 (`LabReplicaStore`).
    public func compactionFloor() throws -> Int64 {
        try database.cachedStatement("SELECT value FROM _ozg_state WHERE key = ?").firstRow([.text(Self.floorKey)]) {
            $0.int64(0)
        } ?? 0
    }

    // MARK: - Compaction

    /// Compacts what every counted peer already has: the log position `horizon` is the lowest cursor
    /// of the peers the caller counts, and no higher than what every remote this replica pushes to
    /// acknowledged (a relay still has to send the rest).
    ///
    /// - Deleted rows whose latest change lies at or below the horizon keep only what decides a merge —
    ///   causal length, the delete's version and context — and lose the values and cell metadata of
    ///   their last incarnation (they can no longer be restored from here). The row stays known, so a
    ///   late edit from a device that had not seen the delete loses to it as before (edit-vs-delete
    ///   conflict); nothing comes back.
    /// - With `historyBefore` (a clock value): the log rows at or below the horizon whose changes are all
    ///   older are removed, with the old values they held (history before that point is gone). Each
    ///   row whose latest change was among them gets one entry in its place (its state at the
    ///   compaction), so a first sync still finds every row. A device whose cursor lies below the removed
    ///   part gets its pages from 0 again (`compactionFloor()`).
    /// `deletedBefore` (a clock value) keeps deleted rows whose delete is newer as they are.
    public func compact(through horizon: Int64, historyBefore cutoff: UInt64? = nil, deletedBefore: UInt64? = nil)
        throws -> CompactionResult
    {
        try write {
            let head = try lastSequence()
            let horizon = min(horizon, head)
            var result = CompactionResult(horizon: horizon, floor: try compactionFloor())
            guard horizon > 0 else { return result }
            for name in tables.keys.sorted() {
                guard let table = tables[name], try table.mayHaveTombstones(in: database) else { continue }
                var stubs: [(id: String, meta: [UInt8])] = []
                try database.forEachRow("SELECT id, meta FROM \"_ozg_tomb_\(name)\"") { row in
                    var meta = try RowMeta.decode(row.blob(1) ?? [], sites: sites)
                    guard let position = meta.logSequence, position > 0, position <= horizon,
                        meta.cells.contains(where: { $0 != nil }),
                        deletedBefore.map({ (meta.rowVersion?.hlc ?? 0) < $0 }) ?? true
                    else { return }
                    meta.cells = []
                    stubs.append((row.text(0) ?? "", meta.encode(siteIndex: siteIndexUnchecked)))
                }
                let empty = Self.compactedValues
                let update = try database.cachedStatement(
                    "UPDATE \"_ozg_tomb_\(name)\" SET meta = ?, vals = ? WHERE id = ?")
                for stub in stubs { try update.execute([.blob(stub.meta), .blob(empty), .text(stub.id)]) }
                if !stubs.isEmpty { result.removedTombstones[name] = stubs.count }
            }
            if let cutoff {
                result.removedLogRows = try compactLog(through: horizon, before: cutoff)
                result.floor = try compactionFloor()
            }
            return result
        }
    }

    /// The log position every remote this replica pushes to has acknowledged (0 without any): what a
    /// client may compact (`compact(through:)`).
    public func acknowledgedByEveryRemote() throws -> Int64 {
        try database.firstRow("SELECT COALESCE(MIN(acked_seq), 0) FROM _ozg_remote") { $0.int64(0) } ?? 0
    }

    /// What a compacted deleted row stores as values: none (a tombstone otherwise stores one per column;
    /// a later edit of the row stores them again).
    static let compactedValues = ValueList.encode([])

    /// The site index of a site this file already knows (every version in stored metadata).
    private func siteIndexUnchecked(_ site: SiteID) -> UInt64 {
        siteIndexes[site] ?? 0
    }

    /// Removes the log rows from the start up to the last one at or below `horizon` whose changes are
    /// all older than `cutoff` (the last such row stays, so a cursor pointing at it keeps its check),
    /// and logs each row with a change among them once more, with all its columns, under the removed
    /// positions. Returns how many log rows went (not counting what an earlier compaction wrote).
    private func compactLog(through horizon: Int64, before cutoff: UInt64) throws -> Int {
        var removable: [(sequence: Int64, ids: [(table: Int64, id: String)])] = []
        try forEachLogGroup(after: 0) { entries in
            guard let first = entries.first, first.sequence <= horizon,
                entries.allSatisfy({ $0.hlc < cutoff })
            else { return false }
            removable.append((first.sequence, entries.map { ($0.table, $0.id) }))
            return true
        }
        removable.removeLast(min(1, removable.count))
        // What an earlier compaction left below its floor is taken again (its rows logged anew once), but
        // only new history makes a compaction worth doing.
        let floor = try compactionFloor()
        let removed = removable.filter { $0.sequence >= floor }.count
        guard removed > 0, let boundary = removable.last?.sequence else { return 0 }
        // Every row with a change in the removed part: its entry there named columns that later entries
        // may not, so it is logged once more with all of them.
        var touched: [Int64: Set<String>] = [:]
        for group in removable {
            for entry in group.ids { touched[entry.table, default: []].insert(entry.id) }
        }
        struct Squashed {
            let table: TableState
            var rows: [(id: String, meta: RowMeta, inTable: Bool)] = []
        }
        var squashed: [Squashed] = []
        for (tableIndex, ids) in touched.sorted(by: { $0.key < $1.key }) {
            guard let table = tablesByIndex[tableIndex], tables[table.name] != nil else { continue }
            var entry = Squashed(table: table)
            for id in ids.sorted() {
                guard let stored = try loadRow(table, id: id) else { continue }
                entry.rows.append((id, stored.meta, stored.inTable))
            }
            if !entry.rows.isEmpty { squashed.append(entry) }
        }
        // Each removed log row held at most `LogGroup.capacity` entries of one table, so the new ones
        // fit into as many positions as were removed.
        let needed = squashed.reduce(0) { $0 + ($1.rows.count + LogGroup.capacity - 1) / LogGroup.capacity }
        guard needed <= removable.count else { return 0 }
        try flushLog()
        try database.execute("DELETE FROM _ozg_log WHERE seq <= ?", [.integer(boundary)])
        // From position 1 on: a device walking from 0 after the compaction meets them first.
        var sequence: Int64 = 1
        for entry in squashed {
            let table = entry.table
            let updateRow = try database.cachedStatement(
                "UPDATE \"\(table.name)\" SET \(TableState.metaColumn) = ? WHERE id = ?")
            let updateTomb = try database.cachedStatement(
                "UPDATE \"_ozg_tomb_\(table.name)\" SET meta = ? WHERE id = ?")
            for start in stride(from: 0, to: entry.rows.count, by: LogGroup.capacity) {
                // Logged as this replica's own: a client that later pushes to a remote it has never
                // pushed to extracts its own writes from it (`ownWrites`); a server sends everything anyway.
                var group = LogGroup(sequence: sequence, table: table.index, kind: .insert, origin: .local)
                for row in entry.rows[start..<min(start + LogGroup.capacity, entry.rows.count)] {
                    var meta = row.meta
                    let version = meta.maxCellVersion ?? meta.rowVersion ?? Version(hlc: 0, site: Self.conflictSite)
                    group.append(
                        id: row.id, mask: table.allMask, hlc: version.hlc,
                        siteIndex: siteIndexUnchecked(version.site), old: nil, previous: 0)
                    // A row changed after the removed part keeps pointing at its latest change (its
                    // chain ends where the removed part begins).
                    guard (meta.logSequence ?? 0) <= boundary else { continue }
                    meta.logSequence = sequence
                    try (row.inTable ? updateRow : updateTomb).execute([
                        .blob(meta.encode(siteIndex: siteIndexUnchecked)), .text(row.id),
                    ])
                }
                try database.cachedStatement(
                    "INSERT INTO _ozg_log(seq, tbl, kind, origin, entries) VALUES (?, ?, ?, ?, ?)"
                ).execute([
                    .integer(sequence), .integer(table.index), .integer(LogKind.insert.rawValue),
                    .integer(Origin.local.rawValue), .blob(group.entries.bytes),
                ])
                sequence += 1
            }
        }
        // A cursor at or below the boundary may have missed rows now logged below it.
        try database.execute(
            "INSERT OR REPLACE INTO _ozg_state(key, value) VALUES (?, ?)",
            [.text(Self.floorKey), .integer(max(floor, boundary + 1))])
        return removed
    }
}

extension Replica {
    /// Ids of deleted rows a compaction reduced to their delete and nothing has written since, in any table.
    package func compactedDeletedRows() throws -> Set<String> {
        var ids: Set<String> = []
        for name in tables.keys {
            try database.forEachRow(
                "SELECT id FROM \"_ozg_tomb_\(name)\" WHERE vals = ?", [.blob(Self.compactedValues)]
            ) { row in ids.insert(row.text(0) ?? "") }
        }
        return ids
    }
}
