import Foundation
import OZGReplication
import OZGWire

/// Progress of a running sync, reported after every page.
public struct SyncProgress: Sendable, Equatable {
    public var pages = 0
    public var pushedChanges = 0
    public var pulledChanges = 0
    /// Whether the server said another page waits.
    public var more = false
    /// Local changes the server refused, set aside with its reason (`Replica.quarantinedChanges()`).
    public var quarantinedChanges = 0
    /// Set when this sync loaded the lab anew because the server had compacted its history past this
    /// replica's cursor: what to tell the user.
    public var compactionNotice: String?

    mutating func record(_ response: SyncResponse, pushed: Int) {
        pages += 1
        pushedChanges += pushed
        pulledChanges += response.batch.changeCount
        more = response.more
    }
}

/// Syncs one lab of a replica with the server: pushes local changes and pulls everything new, page by
/// page, until nothing is left (docs/PROTOCOL.md).
///
/// ```swift
/// let client = SyncClient(replica: replica, server: URL(string: "https://sync.land.de")!, token: token, lab: LabID("wohngeld-mv")!)
/// let result = try await client.sync { print("Seite \($0.pages)") }
/// ```
public final class SyncClient {
    public let replica: Replica
    public let server: URL
    public let token: String
    public let lab: LabID
    /// The name under which cursor and acknowledgements are stored in the replica.
    public var remoteName = "server"
    /// Rows pushed per request.
    public var pushPageRows = 2000
    /// Attempts for transient failures (network, 5xx), with doubling pauses from `retryDelay`.
    public var maxAttempts = 5
    public var retryDelay: Duration = .milliseconds(200)
    /// Called after each round trip whose page was applied: what this replica pushed and what it
    /// received. The convergence simulation follows what each replica has seen through it.
    public var onExchange: ((_ pushed: ChangeBatch, _ received: ChangeBatch) -> Void)?
    /// How long one round trip may take.
    public var requestTimeout: Duration = .seconds(60)

    public init(replica: Replica, server: URL, token: String, lab: LabID) {
        self.replica = replica
        self.server = server
        self.token = token
        self.lab = lab
    }

    /// The endpoint of this lab.
    public var endpoint: URL { transport.endpoint }

    /// Runs push/pull rounds until the server has nothing more and everything local was sent.
    ///
    /// Once everything local is pushed, the request for the next page goes out before the current
    /// one is applied (docs/PROTOCOL.md, „Was der Client tut“): the server builds it while this
    /// replica applies, and a first sync takes about as long as the slower of the two, not their sum.
    ///
    /// When the server compacted the lab's history past this replica's cursor, it starts the pages at 0
    /// like after a restore (`reset`): everything local goes again, and
    /// `SyncProgress.compactionNotice` says why.
    @discardableResult
    public func sync(progress: (SyncProgress) -> Void = { _ in }) async throws -> SyncProgress {
        var state = SyncProgress()
        var resets = 0
        var prefetched: Task<SyncAnswer, any Error>?
        defer { prefetched?.cancel() }
        while true {
            let acknowledged = try replica.acknowledgedSequence(for: remoteName)
            let extracted: ExtractedChanges
            let answer: SyncAnswer
            positionWasReset = false
            if let next = prefetched {
                // A pure pull sent while the previous page was applied: nothing local was left to push.
                prefetched = nil
                extracted = ExtractedChanges(batch: ChangeBatch(), throughSequence: acknowledged)
                answer = try await next.value
            } else {
                extracted = try replica.extractChanges(
                    after: acknowledged, includeRemoteOrigin: false,
                    maxRows: pushPageRows)
                let request = SyncRequest(
                    site: replica.siteID, cursor: try replica.cursor(for: remoteName),
                    batch: extracted.batch)
                do {
                    answer = try await send(request)
                } catch let error as SyncClientError where error.refusesChanges && !extracted.batch.isEmpty {
                    // One refused change must not hold up the rest: find it, set it aside, push the others.
                    try await pushIsolatingRefused(extracted.batch.rows[...], state: &state)
                    if !positionWasReset { try replica.acknowledge(extracted.throughSequence, for: remoteName) }
                    progress(state)
                    continue
                }
            }
            // Whether this round left local changes for the next: an extraction stops after
            // `pushPageRows` rows counted before other sites' writes are dropped, so a short page
            // does not prove that nothing is left.
            let localLeft = try replica.hasLocalChanges(after: extracted.throughSequence)
            if answer.response.more, !answer.reset, !localLeft {
                let next = SyncRequest(site: replica.siteID, cursor: answer.response.cursor, batch: ChangeBatch())
                let transport = self.transport
                let check = answer.cursorCheck
                prefetched = Task { try await transport.send(next, cursorCheck: check) }
            }
            try take(answer)
            onExchange?(extracted.batch, answer.response.batch)
            state.record(answer.response, pushed: extracted.batch.changeCount)
            progress(state)
            if answer.reset {
                // Another server, or this one restored from a backup: it may lack what it acknowledged
                // before, so everything local goes again (from the next round; nothing acknowledged now).
                // Or it compacted its history past this replica's cursor: the same path is safe there.
                if let floor = answer.compactedFloor {
                    state.compactionNotice =
                        "Dieses Gerät war länger nicht verbunden, als der Verlauf des Labors auf dem Server "
                        + "zurückreicht (der Server hat ihn bis Position \(floor) verdichtet). Es lädt den Stand "
                        + "des Labors neu und sendet alle eigenen Änderungen noch einmal; nichts geht verloren."
                }
                resets += 1
                guard resets <= 2 else {
                    throw SyncClientError.protocolViolation(
                        "Der Server erkennt den Stand dieses Geräts wiederholt nicht wieder; bitte später erneut synchronisieren."
                    )
                }
                continue
            }
            try replica.acknowledge(extracted.throughSequence, for: remoteName)
            if !answer.response.more && !localLeft { break }
        }
        return state
    }

    /// Set by `take` when the server reset this replica's position during the current round.
    private var positionWasReset = false

    /// Applies an answer (`Replica.take`) and remembers a reset for the current round.
    func take(_ answer: SyncAnswer) throws {
        try replica.take(answer, from: remoteName)
        if answer.reset { positionWasReset = true }
    }

    /// Pushes `rows` in halves until each refused row stands alone, and quarantines those
    /// (`Replica.quarantine`) with the server's reason; every accepted part's page is applied as usual.
    func pushIsolatingRefused(_ rows: ArraySlice<RowChange>, state: inout SyncProgress) async throws {
        let request = SyncRequest(
            site: replica.siteID, cursor: try replica.cursor(for: remoteName), batch: ChangeBatch(rows: Array(rows)))
        do {
            let answer = try await send(request)
            try take(answer)
            onExchange?(request.batch, answer.response.batch)
            state.record(answer.response, pushed: request.batch.changeCount)
        } catch let error as SyncClientError where error.refusesChanges {
            guard rows.count > 1 else {
                if let row = rows.first {
                    try replica.quarantine(
                        row, remote: remoteName, reason: error.serverMessage,
                        time: ISO8601DateFormatter().string(from: Date()))
                    state.quarantinedChanges += row.changeCount
                }
                return
            }
            let middle = rows.startIndex + rows.count / 2
            try await pushIsolatingRefused(rows[..<middle], state: &state)
            try await pushIsolatingRefused(rows[middle...], state: &state)
        }
    }

    /// One round trip, repeated on transient failures (a repeated request is harmless).
    func send(_ request: SyncRequest) async throws -> SyncAnswer {
        try await transport.send(request, cursorCheck: replica.storedCursorCheck(for: remoteName))
    }

    /// This client's server, token, lab and retry settings.
    public var transport: SyncTransport {
        SyncTransport(
            server: server, token: token, lab: lab, maxAttempts: maxAttempts, retryDelay: retryDelay,
            requestTimeout: requestTimeout)
    }
}

/// Why a sync failed, in German, with what the user can do.
public enum SyncClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case network(String)
    case rejected(status: Int, code: String, message: String)
    case protocolViolation(String)

    /// The server refused particular changes of the push (their content), not the request as such:
    /// those changes are set aside and the others pushed again (docs/PROTOCOL.md, „Fehler“).
    var refusesChanges: Bool {
        guard case .rejected(_, let code, _) = self else { return false }
        return Self.changeRefusalCodes.contains(code)
    }

    static let changeRefusalCodes: Set<String> = [
        "aenderung_ungueltig", "aenderung_abgelehnt", "aenderung_fremd", "name_ungueltig", "schema_grenze",
        "zu_viele_aenderungen", "zu_gross",
    ]

    /// The server's own message (for a refusal), or the whole description.
    var serverMessage: String {
        if case .rejected(_, _, let message) = self { return message }
        return description
    }

    var isTransient: Bool {
        switch self {
        case .network: return true
        case .rejected(let status, _, _): return status >= 500 || status == 429
        case .protocolViolation: return false
        }
    }

    public var description: String {
        switch self {
        case .network(let message), .protocolViolation(let message): return message
        case .rejected(let status, _, let message):
            let hint =
                switch status {
                case 401: ""
                case 403: " Das Token gilt nicht für dieses Labor oder erlaubt nur Lesen."
                case 409 where message.contains("aktualisieren"): ""
                case 409:
                    " Dieses Gerät spricht Protokollversion \(SyncRequest.protocolVersion); bitte das Programm auf der älteren Seite aktualisieren."
                case 422: " Bitte Datum und Uhrzeit dieses Geräts prüfen."
                default: ""
                }
            return "Der Server hat abgelehnt (HTTP \(status)): \(message)\(hint)"
        }
    }
}
