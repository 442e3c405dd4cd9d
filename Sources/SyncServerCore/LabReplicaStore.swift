import Foundation
import OZGReplication
import OZGStorage
import OZGSyncClient
import OZGWire

/// One lab's server-side store: a replica file with a schema that grows with what clients send,
/// serialized by the actor. The change log's sequence is the server sequence clients pull by.
///
/// The actor runs on a dispatch queue of its own (`QueueExecutor`), so its blocking SQLite work never
/// occupies a thread of the cooperative pool.
actor LabReplicaStore {
    let replica: Replica
    let lab: LabID
    /// The lab file's device id: this server's identity toward an upstream server.
    nonisolated let siteID: SiteID
    private let executor: QueueExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(configuration: ServerConfiguration, lab: LabID) throws {
        executor = QueueExecutor(label: "ozg-lab-\(lab)")
        self.lab = lab
        var replicaConfiguration = Replica.Configuration(
            maxDriftMilliseconds: configuration.maxDriftMilliseconds, localTables: [Self.auditTable])
        replicaConfiguration.schemaGrowthLimit = configuration.schemaGrowthLimit
        // The reserved tables keep every value exactly as sent, like the ones pushes create.
        let reserved = configuration.reservedTables.map { table in
            ReplicatedTable(table.name, columns: table.columns.map { ReplicatedColumn($0.name, .any) })
        }
        replica = try Replica(
            path: "\(configuration.dataDirectory)/labor-\(lab).ozg",
            // 2: cells carry causal contexts (protocol 2); an older server refuses the file clearly.
            schema: ReplicaSchema(version: 2, tables: reserved),
            configuration: replicaConfiguration)
        // Tables clients created earlier are in the file but in no declared schema.
        replica.adoptRegisteredTables()
        siteID = replica.siteID
    }

    /// Closes the file; the directory calls this only when no request uses the store.
    func close() {
        replica.close()
    }

    /// The audit log of accepted pushes: who (token), when, from which device, how much.
    static let auditTable = LocalTable(
        "_ozg_audit",
        columns: [
            "zeit": .text, "token_id": .text, "token_name": .text, "geraet": .text, "aenderungen": .integer,
            "zeilen": .integer,
            // For a hub's push: the devices whose writes it relayed (site ids, comma-separated, at most 64).
            "weitergeleitet_fuer": .text,
        ])

    /// Merges the push (one transaction, with its audit entry) and answers with the page after the cursor.
    ///
    /// One actor call for both, so no other push lands between a requester's merge and its page. A
    /// push that grew the log is published to the lab's other live clients here too, so they receive the
    /// messages in commit order.
    ///
    /// `cursorCheck` is what this store said about the request's cursor when it issued it
    /// (`Replica.cursorCheck(at:)`): when it does not match — the cursor came from another server, or
    /// from this one before it was restored from a backup — the page starts at 0 and `reset` tells the
    /// client to push everything again. A request without one (an older client) is trusted as before.
    ///
    /// A cursor below the floor of a compaction that removed history (docs/OPERATIONS.md,
    /// „Verdichtung“) may have missed rows the compaction logged again under it: its check no longer
    /// matches (the log row it names is gone or another), or — from a client without checks — it is
    /// simply below the floor. Either way the pages start at 0 and `compacted` tells the client why.
    func sync(
        _ request: SyncRequest, cursorCheck: String?, token: TokenRecord, pageRows: Int, pageBytes: Int,
        live: LiveHub
    ) throws -> (SyncResponse, merged: Int, cursorCheck: String, reset: Bool, compacted: Int64?) {
        var cursor = request.cursor
        var reset = false
        var compacted: Int64?
        // The floor is read only for a cursor that is reset or unchecked, not on every request.
        if cursor > 0, try cursorCheck.map({ try $0 != replica.cursorCheck(at: cursor) }) ?? true {
            let floor = try replica.compactionFloor()
            if cursorCheck != nil || cursor < floor {
                reset = true
                if cursor < floor { compacted = floor }
                cursor = 0
            }
        }
        let peerDue = peerPositionDue(request.site, cursor: cursor)
        var merged = 0
        if !request.batch.isEmpty {
            let before = try replica.lastSequence()
            merged = try replica.transaction {
                if let peerDue {
                    try replica.recordPeerPosition(site: request.site, cursor: cursor, seenMilliseconds: peerDue)
                }
                return try merge(request, token: token)
            }
            let head = try replica.lastSequence()
            try publish(
                from: before, head: head, sender: request.site, tokenName: token.name,
                changeCount: request.batch.changeCount, live: live)
        } else if let peerDue {
            try replica.recordPeerPosition(site: request.site, cursor: cursor, seenMilliseconds: peerDue)
        }
        // Noted only once written: a refused push rolls its peer row back too.
        if let peerDue { notedPeers[request.site] = (cursor, peerDue) }
        let answer = try page(after: cursor, for: request.site, maxRows: pageRows, maxBytes: pageBytes)
        return (answer, merged, try replica.cursorCheck(at: answer.cursor), reset, compacted)
    }

    /// What was last written to `_ozg_peers` per device, so an unchanged position is not written again
    /// within a minute.
    private var notedPeers: [SiteID: (cursor: Int64, milliseconds: Int64)] = [:]

    /// When `site`'s position is to be recorded (now, in Unix milliseconds), or nil when it was
    /// recorded less than a minute ago with the same cursor. The horizon of a compaction is the lowest
    /// recorded position; one recorded too low only keeps a compaction more careful.
    private func peerPositionDue(_ site: SiteID, cursor: Int64) -> Int64? {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if let noted = notedPeers[site], noted.cursor == cursor, now - noted.milliseconds < 60_000 { return nil }
        return now
    }

    /// Compacts this lab (`Replica.compact(through:)`): the horizon is the lowest position of the
    /// devices seen at or after `countedSince` (Unix milliseconds; nil: every device ever seen), and on a
    /// hub no higher than what upstream acknowledged. Devices seen only before are not waited for: when
    /// one comes back below a compaction's floor, its pages start at 0 again.
    /// `historyBefore` (a clock value): history older than it goes too (`Replica.compact`).
    func compact(countedSince: Int64?, historyBefore: UInt64?, relaysUpstream hub: Bool) throws -> LabCompaction {
        let relaysUpstream =
            try hub
            || replica.read { database in
                try database.firstRow("SELECT 1 FROM _ozg_remote WHERE name = ?", [.text(Self.upstreamRemote)]) { _ in
                    true
                }
            } == true
        let peers = try replica.peerPositions()
        let counted = peers.filter { peer in countedSince.map { peer.seenMilliseconds >= $0 } ?? true }
        var horizon = try counted.map(\.cursor).min() ?? replica.lastSequence()
        if relaysUpstream {
            horizon = min(horizon, try replica.acknowledgedSequence(for: Self.upstreamRemote))
        }
        let result = try replica.compact(through: horizon, historyBefore: historyBefore)
        // The file shrinks only when nothing else reads it at that moment; otherwise the freed pages
        // are reused by what the lab writes next.
        var shrunk = false
        if result.removedTombstoneCount > 0 || result.removedLogRows > 0 {
            shrunk = (try? replica.vacuum()) != nil
            try? replica.checkpoint()
        }
        return LabCompaction(
            lab: lab, result: result, countedDevices: counted.count, forgottenDevices: peers.count - counted.count,
            fileBytes: try replica.fileSizeBytes(), shrunk: shrunk)
    }

    /// Tells the lab's live clients (all but `sender`'s connections) that the log grew from `before` to
    /// `head`: with the changes when they fit `LiveMessage.maxBatchBytes`, else only the sequences (the
    /// client then syncs). Nothing is built when the log did not grow or nobody else listens.
    private func publish(
        from before: Int64, head: Int64, sender: SiteID, tokenName: String, changeCount: Int, live: LiveHub
    ) throws {
        guard head > before, live.hasListeners(lab: lab, besides: sender) else { return }
        let page = try replica.extractChanges(
            after: before, includeRemoteOrigin: true, maxRows: 256, maxValueBytes: LiveMessage.maxBatchBytes)
        let message = LiveMessage.encode(
            fromSequence: before, headSequence: head, sender: sender, tokenName: tokenName,
            cursorCheck: try replica.cursorCheck(at: head), changeCount: changeCount,
            batch: page.throughSequence >= head ? page.batch : nil)
        live.publish(lab: lab, message: message, sender: sender)
    }

    // MARK: - Relay to an upstream server (`UpstreamRelay`)

    static let upstreamRemote = "upstream"

    /// The next request to upstream: every change of this lab's log after what upstream acknowledged,
    /// the participants' exactly as they wrote them (origin-preserving: clock, site, causal length and
    /// context; conflict rows as they are), with the upstream cursor and its check.
    func upstreamRequest(maxRows: Int) throws -> (request: SyncRequest, through: Int64, cursorCheck: String?) {
        let acknowledged = try replica.acknowledgedSequence(for: Self.upstreamRemote)
        let extracted = try replica.extractChanges(after: acknowledged, includeRemoteOrigin: true, maxRows: maxRows)
        let cursor = try replica.cursor(for: Self.upstreamRemote)
        return (
            SyncRequest(site: replica.siteID, cursor: cursor, batch: extracted.batch), extracted.throughSequence,
            try replica.storedCursorCheck(for: Self.upstreamRemote)
        )
    }

    /// Takes upstream's answer to `upstreamRequest`: its page with cursor and check in one transaction
    /// (after a reset upstream gets everything again), then the acknowledgement of what was pushed;
    /// what the page changed goes to this lab's live clients. Returns whether another round is due.
    func takeUpstream(_ answer: SyncAnswer, pushedThrough: Int64, pushedRows: Int, maxRows: Int, live: LiveHub) throws
        -> Bool
    {
        let before = try replica.lastSequence()
        try replica.take(answer, from: Self.upstreamRemote, creatingUnknownTables: true)
        let head = try replica.lastSequence()
        if !answer.reset {
            // What the page just logged came from upstream: not sent back, unless a participant's push
            // landed in between (then only up to what was pushed).
            try replica.acknowledge(before == pushedThrough ? head : pushedThrough, for: Self.upstreamRemote)
        }
        try publish(
            from: before, head: head, sender: Replica.conflictSite, tokenName: "Landesserver",
            changeCount: answer.response.batch.changeCount, live: live)
        return answer.reset || answer.response.more || pushedRows >= maxRows
    }

    /// Changes of this lab's log upstream has not acknowledged yet (for `status`).
    func upstreamBacklog() throws -> Int {
        try replica.extractChanges(
            after: try replica.acknowledgedSequence(for: Self.upstreamRemote), includeRemoteOrigin: true
        ).batch.changeCount
    }

    /// Step 4 of docs/PROTOCOL.md: the push and its audit entry in one transaction; returns the cells
    /// whose state changed.
    private func merge(_ request: SyncRequest, token: TokenRecord) throws -> Int {
        try replica.transaction {
            let result = try replica.apply(request.batch, creatingUnknownTables: true)
            try replica.appendLocal(
                to: Self.auditTable.name,
                [
                    "zeit": .text(ISO8601DateFormatter().string(from: Date())), "token_id": .text(token.id),
                    "token_name": .text(token.name), "geraet": .text(request.site.hex),
                    "aenderungen": .integer(Int64(request.batch.changeCount)),
                    "zeilen": .integer(Int64(request.batch.rows.count)),
                    "weitergeleitet_fuer": .text(token.role == .hub ? Self.relayedDevices(request) : ""),
                ])
            return result.changedCells
        }
    }

    /// The devices other than the sender (and the conflict detection) whose writes a push carries.
    static func relayedDevices(_ request: SyncRequest) -> String {
        var sites = Set(request.batch.rows.flatMap(\.writtenSites))
        sites.remove(request.site)
        sites.remove(Replica.conflictSite)
        return sites.sorted().prefix(64).map(\.hex).joined(separator: ",")
    }

    /// Step 6: the log after `cursor`, whole groups up to about `maxRows` rows and `maxBytes` bytes of
    /// values, without echoing to `site` what it itself currently holds (cells whose version is its own
    /// and that hold no concurrent value the site may lack).
    private func page(after cursor: Int64, for site: SiteID, maxRows: Int, maxBytes: Int) throws -> SyncResponse {
        let page = try replica.extractChanges(
            after: cursor, includeRemoteOrigin: true, maxRows: maxRows, maxValueBytes: maxBytes)
        let more = try replica.lastSequence() > page.throughSequence
        var rows: [RowChange] = []
        rows.reserveCapacity(page.batch.rows.count)
        for var row in page.batch.rows {
            // Most rows hold nothing of the requester's (a first sync: none): taken without a copy.
            if row.cells.contains(where: { $0.version.site == site && $0.siblings.isEmpty }) {
                row.cells.removeAll { $0.version.site == site && $0.siblings.isEmpty }
            }
            if row.cells.isEmpty && (row.rowVersion == nil || row.rowVersion?.site == site) { continue }
            rows.append(row)
        }
        return SyncResponse(cursor: page.throughSequence, more: more, batch: ChangeBatch(rows: rows))
    }
}

/// What `ozg-sync-server compact` did to one lab.
public struct LabCompaction: Sendable {
    public let lab: LabID
    public let result: CompactionResult
    /// Devices whose position set the horizon.
    public let countedDevices: Int
    /// Devices not seen since the cut-off: not waited for.
    public let forgottenDevices: Int
    /// The lab file's size afterwards.
    public let fileBytes: Int64
    /// Whether the file was rewritten without its freed pages (`VACUUM`; not while the server reads it).
    public let shrunk: Bool
}

/// `ozg-sync-server compact`: compacts labs in a data directory (docs/OPERATIONS.md, „Verdichtung“).
public enum LabMaintenance {
    /// Compacts `labs` (nil: every lab of the directory), one after the other. `countedSince` (Unix
    /// milliseconds): devices last seen before it are not waited for. Safe while the server runs on the
    /// same directory: SQLite serializes the writes, and the server reads the compaction's floor per request.
    /// `keepHistoryDays`: history older than that many days goes too (nil: all history stays).
    public static func compact(
        dataDirectory: String, labs: [String]?, countedSince: Int64?, keepHistoryDays: Int? = nil
    ) async throws -> [LabCompaction] {
        let historyBefore = keepHistoryDays.map { days in
            UInt64(max(0, Date().timeIntervalSince1970 * 1000 - Double(days) * 86_400_000)) << 16
        }
        let registry = try Registry(dataDirectory: dataDirectory)
        let known = try await registry.labs().map(\.id)
        let chosen = labs ?? known
        for lab in chosen where !known.contains(lab) {
            throw AdminError(
                "Das Labor „\(lab)“ gibt es auf diesem Server nicht (bekannt: \(known.joined(separator: ", "))).")
        }
        let hub = FileManager.default.fileExists(atPath: HubStatus.file(dataDirectory: dataDirectory).path)
        var results: [LabCompaction] = []
        for name in chosen {
            guard let lab = LabID(name) else { continue }
            let store = try LabReplicaStore(configuration: ServerConfiguration(dataDirectory: dataDirectory), lab: lab)
            do {
                results.append(
                    try await store.compact(
                        countedSince: countedSince, historyBefore: historyBefore, relaysUpstream: hub))
                await store.close()
            } catch {
                await store.close()
                throw error
            }
        }
        return results
    }
}
