import Foundation
import OZGReplication
import OZGStorage
import OZGSyncClient
import OZGWire

/// One lab's server-side store in the data directory: a replica file with a schema that grows with
/// what clients send, serialized by the actor. The change log's sequence is the server sequence
/// clients pull by.
///
/// The actor runs on a dispatch queue of its own (`QueueExecutor`), so its blocking SQLite work never
/// occupies a thread of the cooperative pool.
actor LabReplicaStore: LabStore {
    let replica: Replica
    let lab: LabID
    /// The lab file's device id: this server's identity toward an upstream server.
    nonisolated let siteID: SiteID
    private let executor: QueueExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(configuration: ServerConfiguration, lab: LabID) throws {
        executor = QueueExecutor(label: "ozg-lab-\(lab)")
        self.lab = lab
        let (schema, replicaConfiguration) = LabSteps.replicaSetup(configuration)
        replica = try Replica(
            path: "\(configuration.dataDirectory)/labor-\(lab).ozg", schema: schema, configuration: replicaConfiguration
        )
        // Tables clients created earlier are in the file but in no declared schema.
        replica.adoptRegisteredTables()
        siteID = replica.siteID
    }

    func close() {
        replica.close()
    }

    /// Merges the push and its audit entry in one transaction and answers with the page after the
    /// cursor (`LabSteps.start` says where it starts).
    ///
    /// One actor call for both, so no other push lands between a requester's merge and its page. A
    /// push that grew the log is published to the lab's other live clients here too, so they receive the
    /// messages in commit order.
    func sync(
        _ request: SyncRequest, cursorCheck: String?, token: TokenRecord, pageRows: Int, pageBytes: Int,
        live: LiveHub
    ) throws -> LabSyncOutcome {
        let (cursor, reset, compacted) = try LabSteps.start(replica, cursor: request.cursor, cursorCheck: cursorCheck)
        let peerDue = peers.due(request.site, cursor: cursor)
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
            try LabSteps.publish(
                replica, lab: lab, from: before, head: head, sender: request.site, tokenName: token.name,
                changeCount: request.batch.changeCount, live: live)
        } else if let peerDue {
            try replica.recordPeerPosition(site: request.site, cursor: cursor, seenMilliseconds: peerDue)
        }
        if let peerDue { peers.note(request.site, cursor: cursor, milliseconds: peerDue) }
        let answer = try LabSteps.page(
            replica, after: cursor, for: request.site, maxRows: pageRows, maxBytes: pageBytes)
        return LabSyncOutcome(
            response: answer, merged: merged, cursorCheck: try replica.cursorCheck(at: answer.cursor), reset: reset,
            compacted: compacted)
    }

    private var peers = PeerPositions()

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
        try LabSteps.publish(
            replica, lab: lab, from: before, head: head, sender: Replica.conflictSite, tokenName: "Landesserver",
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
            try replica.appendLocal(to: LabSteps.auditTable.name, LabSteps.auditEntry(request, token: token))
            return result.changedCells
        }
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
        let registry = try SQLiteRegistry(dataDirectory: dataDirectory)
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
