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
    /// Deleted rows removed for good (their tombstones), per table.
    public var removedTombstones: [String: Int] = [:]
    /// Cursors below this position are refused from now on (0: none).
    public var floor: Int64

    public var removedTombstoneCount: Int { removedTombstones.values.reduce(0, +) }
}

/// A cursor from before a compaction: the peer may lack deletes whose tombstones are gone, so it must
/// load the lab anew (`Replica.startResync`) instead of continuing.
public struct CursorBelowCompactionError: Error, Sendable, Equatable {
    public let cursor: Int64
    public let floor: Int64
}

/// What a full resync changed beside merging the remote's state (`Replica.finishResync`).
public struct ResyncResult: Sendable, Equatable {
    /// Rows this replica held that the remote no longer has: deleted there, and their tombstones compacted.
    public var removedRows = 0
    /// Local changes to such rows, set aside (`quarantinedChanges()`) instead of sent.
    public var quarantinedChanges = 0
}

extension Replica {
    static let compactionSQL = """
        CREATE TABLE IF NOT EXISTS _ozg_peers(site BLOB PRIMARY KEY, cursor INTEGER NOT NULL, seen_ms INTEGER NOT NULL) WITHOUT ROWID;
        """

    static let floorKey = "compaction_floor"

    // MARK: - Peers and the horizon

    /// Records that `site` has applied this replica's log up to `cursor` (a sync server calls this for
    /// every device that pulls). A peer's position never moves backwards here unless it reports less.
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

    /// Positions below this were compacted away: a peer whose cursor is between 0 and this must resync.
    public func compactionFloor() throws -> Int64 {
        try database.cachedStatement("SELECT value FROM _ozg_state WHERE key = ?").firstRow([.text(Self.floorKey)]) {
            $0.int64(0)
        } ?? 0
    }

    /// Throws `CursorBelowCompactionError` for a cursor a compaction left behind; 0 (a first or a
    /// full sync) is always accepted.
    public func checkCursorAboveCompaction(_ cursor: Int64) throws {
        guard cursor > 0 else { return }
        let floor = try compactionFloor()
        if cursor < floor { throw CursorBelowCompactionError(cursor: cursor, floor: floor) }
    }

    // MARK: - Compaction

    /// Removes the tombstones of rows whose latest change is logged at or below `horizon`: every
    /// counted peer has pulled the delete, and a peer that has not (a cursor below the horizon) is
    /// refused from now on (`checkCursorAboveCompaction`). A deleted row removed here cannot be restored.
    ///
    /// The caller chooses the horizon: the lowest position of the peers it counts, and no higher than
    /// what every remote this replica pushes to has acknowledged (a relay still has to send the deletes).
    /// Tombstones of files from before the history chain carry no log position and stay.
    public func compact(through horizon: Int64) throws -> CompactionResult {
        try write {
            let head = try lastSequence()
            let horizon = min(horizon, head)
            var result = CompactionResult(horizon: horizon, floor: try compactionFloor())
            guard horizon > 0 else { return result }
            for name in tables.keys.sorted() {
                guard let table = tables[name], try table.mayHaveTombstones(in: database) else { continue }
                var removable: [String] = []
                try database.forEachRow("SELECT id, meta FROM \"_ozg_tomb_\(name)\"") { row in
                    let meta = try RowMeta.decode(row.blob(1) ?? [], sites: sites)
                    if let position = meta.logSequence, position > 0, position <= horizon {
                        removable.append(row.text(0) ?? "")
                    }
                }
                let delete = try table.statement(.tombDelete, in: database)
                for id in removable { try delete.execute([.text(id)]) }
                if !removable.isEmpty { result.removedTombstones[name] = removable.count }
            }
            if result.removedTombstoneCount > 0 && horizon > result.floor {
                result.floor = horizon
                try database.execute(
                    "INSERT OR REPLACE INTO _ozg_state(key, value) VALUES (?, ?)",
                    [.text(Self.floorKey), .integer(horizon)])
            }
            return result
        }
    }

    // MARK: - Full resync after a remote's compaction

    static func resyncCursorKey(_ remote: String) -> String { "remote.\(remote).neuaufbau" }

    /// The position a running full resync from `remote` has reached, or nil when none runs.
    public func resyncCursor(for remote: String) throws -> Int64? {
        try localSetting(Self.resyncCursorKey(remote)).flatMap { Int64($0) }
    }

    /// Starts loading `remote`'s whole state anew (its answer to this replica's cursor was that it
    /// compacted past it). Until `finishResync`, pages go through `applyResyncPage`; an interrupted
    /// resync continues where it stopped.
    public func startResync(for remote: String) throws {
        try write {
            try database.execute(
                "CREATE TABLE IF NOT EXISTS _ozg_neuaufbau(tbl TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY(tbl, id)) WITHOUT ROWID"
            )
            try database.execute("DELETE FROM _ozg_neuaufbau")
            try setLocalSetting(Self.resyncCursorKey(remote), "0")
        }
    }

    /// Merges one page of `remote`'s full state and notes which rows it holds, in one transaction.
    public func applyResyncPage(_ batch: ChangeBatch, from remote: String, cursor: Int64) throws {
        try write {
            try apply(batch, creatingUnknownTables: false)
            let note = try database.cachedStatement("INSERT OR IGNORE INTO _ozg_neuaufbau(tbl, id) VALUES (?, ?)")
            for row in batch.rows { try note.execute([.text(row.table), .text(row.id)]) }
            try setLocalSetting(Self.resyncCursorKey(remote), String(cursor))
        }
    }

    /// Ends a full resync: rows this replica holds that `remote`'s state lacks were deleted there and
    /// compacted, so they go here too — except rows this replica created and has not pushed yet. Its
    /// unpushed changes to a removed row are set aside with `reason` (never sent, never lost); conflict
    /// records stay. The cursor becomes `cursor`; what `remote` acknowledged stays, so every local change
    /// not yet pushed follows in the next round.
    public func finishResync(from remote: String, cursor: Int64, reason: String, time: String) throws -> ResyncResult {
        try write {
            let acknowledged = try acknowledgedSequence(for: remote)
            struct Key: Hashable {
                let table: Int64
                let id: String
            }
            var createdHere: Set<Key> = []
            var changedHere: Set<Key> = []
            try forEachLogGroup(after: acknowledged) { entries in
                for entry in entries where entry.origin == .local {
                    let key = Key(table: entry.table, id: entry.id)
                    changedHere.insert(key)
                    if entry.kind == .insert { createdHere.insert(key) }
                }
                return true
            }
            var result = ResyncResult()
            let held = try database.cachedStatement("SELECT 1 FROM _ozg_neuaufbau WHERE tbl = ? AND id = ?")
            for name in tables.keys.sorted() where name != ReplicaSchema.conflictTable.name {
                guard let table = tables[name] else { continue }
                var ids = try database.rows("SELECT id FROM \"\(name)\"") { $0.text(0) ?? "" }
                if try table.mayHaveTombstones(in: database) {
                    ids += try database.rows(table.tombListSQL) { $0.text(0) ?? "" }
                }
                for id in ids {
                    let key = Key(table: table.index, id: id)
                    if createdHere.contains(key) { continue }
                    if try held.firstRow([.text(name), .text(id)], { _ in true }) == true { continue }
                    guard let stored = try loadRow(table, id: id) else { continue }
                    if changedHere.contains(key),
                        let own = ownWrites(in: rowChange(table, id: id, stored: stored, mask: table.allMask))
                    {
                        try quarantine(own, remote: remote, reason: reason, time: time)
                        result.quarantinedChanges += own.changeCount
                    }
                    try table.statement(stored.inTable ? .delete : .tombDelete, in: database).execute([.text(id)])
                    result.removedRows += 1
                }
            }
            try database.execute(
                """
                INSERT INTO _ozg_remote(name, acked_seq, cursor) VALUES (?, 0, ?)
                ON CONFLICT(name) DO UPDATE SET cursor = excluded.cursor
                """, [.text(remote), .integer(cursor)])
            try database.execute("DROP TABLE IF EXISTS _ozg_neuaufbau")
            try setLocalSetting(Self.resyncCursorKey(remote), nil)
            return result
        }
    }
}
