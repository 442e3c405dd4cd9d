import Foundation
import OZGReplication
import OZGStorage
import OZGWire

/// One lab's server-side state behind the sync endpoint, the live channel and the web view: a lab
/// file (`LabReplicaStore`, the default) or PostgreSQL (`PostgresLabStore`). Both merge with the
/// replica's own `apply` and page with its own extraction, so the semantics are one.
protocol LabStore: Actor {
    /// Merges the push (one transaction, with its audit entry) and answers with the page after the
    /// cursor (docs/PROTOCOL.md, „Was der Server tut“, steps 4 to 6).
    func sync(
        _ request: SyncRequest, cursorCheck: String?, token: TokenRecord, pageRows: Int, pageBytes: Int,
        live: LiveHub
    ) async throws -> LabSyncOutcome

    /// Runs `body` with the lab's replica between pushes; `body` may only read.
    func read<T: Sendable>(_ body: @escaping @Sendable (Replica) throws -> T) async throws -> T

    /// Closes what the store holds open; the directory calls this only when no request uses it.
    func close() async
}

/// What one sync request got.
struct LabSyncOutcome: Sendable {
    let response: SyncResponse
    /// Cells whose stored state changed.
    let merged: Int
    let cursorCheck: String
    /// The cursor was not this lab's (or lay below a compaction's floor): the page starts at 0.
    let reset: Bool
    /// The floor of the compaction that made the reset.
    let compacted: Int64?
}

/// The steps both stores take the same way, on the replica that holds the lab.
enum LabSteps {
    /// The audit log of accepted pushes: who (token), when, from which device, how much.
    static let auditTable = LocalTable(
        "_ozg_audit",
        columns: [
            "zeit": .text, "token_id": .text, "token_name": .text, "geraet": .text, "aenderungen": .integer,
            "zeilen": .integer,
            // For a hub's push: the devices whose writes it relayed (site ids, comma-separated, at most 64).
            "weitergeleitet_fuer": .text,
        ])

    /// The schema and settings of a lab's server-side replica.
    static func replicaSetup(_ configuration: ServerConfiguration) -> (ReplicaSchema, Replica.Configuration) {
        var replicaConfiguration = Replica.Configuration(
            maxDriftMilliseconds: configuration.maxDriftMilliseconds, localTables: [auditTable])
        replicaConfiguration.schemaGrowthLimit = configuration.schemaGrowthLimit
        // The reserved tables keep every value exactly as sent, like the ones pushes create.
        let reserved = configuration.reservedTables.map { table in
            ReplicatedTable(table.name, columns: table.columns.map { ReplicatedColumn($0.name, .any) })
        }
        // 2: cells carry causal contexts (protocol 2); an older server refuses the file clearly.
        return (ReplicaSchema(version: 2, tables: reserved), replicaConfiguration)
    }

    /// Where the pages start (docs/PROTOCOL.md, „Cursor-Bindung“): when `cursorCheck` is not what
    /// this lab said about the cursor when it issued it — the cursor came from another server, or
    /// from this one before a restore — the pages start at 0 and `reset` tells the client to push
    /// everything again. A request without one (an older client) is trusted as before.
    ///
    /// A cursor below the floor of a compaction that removed history (docs/OPERATIONS.md,
    /// „Verdichtung“) may have missed rows the compaction logged again under it: its check no longer
    /// matches (the log row it names is gone or another), or — from a client without checks — it is
    /// simply below the floor. Either way the pages start at 0 and `compacted` tells the client why.
    static func start(_ replica: Replica, cursor: Int64, cursorCheck: String?) throws
        -> (cursor: Int64, reset: Bool, compacted: Int64?)
    {
        // The floor is read only for a cursor that is reset or unchecked, not on every request.
        guard cursor > 0, try cursorCheck.map({ try $0 != replica.cursorCheck(at: cursor) }) ?? true else {
            return (cursor, false, nil)
        }
        let floor = try replica.compactionFloor()
        guard cursorCheck != nil || cursor < floor else { return (cursor, false, nil) }
        return (0, true, cursor < floor ? floor : nil)
    }

    /// The audit entry of a push.
    static func auditEntry(_ request: SyncRequest, token: TokenRecord) -> [String: DatabaseValue] {
        [
            "zeit": .text(ISO8601DateFormatter().string(from: Date())), "token_id": .text(token.id),
            "token_name": .text(token.name), "geraet": .text(request.site.hex),
            "aenderungen": .integer(Int64(request.batch.changeCount)),
            "zeilen": .integer(Int64(request.batch.rows.count)),
            "weitergeleitet_fuer": .text(token.role == .hub ? relayedDevices(request) : ""),
        ]
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
    static func page(_ replica: Replica, after cursor: Int64, for site: SiteID, maxRows: Int, maxBytes: Int) throws
        -> SyncResponse
    {
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

    /// Tells the lab's live clients (all but `sender`'s connections) that the log grew from `before` to
    /// `head`: with the changes when they fit `LiveMessage.maxBatchBytes`, else only the sequences (the
    /// client then syncs). Nothing is built when the log did not grow or nobody else listens.
    static func publish(
        _ replica: Replica, lab: LabID, from before: Int64, head: Int64, sender: SiteID, tokenName: String,
        changeCount: Int, live: LiveHub
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
}

/// Remembers what was last written of each device's position, so an unchanged position is written
/// at most once a minute. The horizon of a compaction is the lowest recorded position; one recorded
/// too low only keeps a compaction more careful.
struct PeerPositions {
    private var noted: [SiteID: (cursor: Int64, milliseconds: Int64)] = [:]

    /// When `site`'s position is to be recorded (now, in Unix milliseconds), or nil.
    func due(_ site: SiteID, cursor: Int64) -> Int64? {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if let noted = noted[site], noted.cursor == cursor, now - noted.milliseconds < 60_000 { return nil }
        return now
    }

    /// Noted only once written: a refused push rolls its peer row back too.
    mutating func note(_ site: SiteID, cursor: Int64, milliseconds: Int64) {
        noted[site] = (cursor, milliseconds)
    }
}
