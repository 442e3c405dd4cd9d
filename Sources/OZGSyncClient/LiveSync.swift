import OZGReplication
import OZGWire

/// Changes that arrived from one device, for a line like „↓ 3 Änderungen von Bernd: persona, schritt“.
public struct LiveArrival: Sendable, Equatable {
    /// The device that wrote them.
    public var writer: SiteID
    /// The name of the token that pushed them, when a live message said so.
    public var tokenName: String?
    public var changes: Int
    /// The tables they touched, in the order they came.
    public var tables: [String]

    public init(writer: SiteID, tokenName: String?, changes: Int, tables: [String]) {
        self.writer = writer
        self.tokenName = tokenName
        self.changes = changes
        self.tables = tables
    }
}

/// Keeps a replica in step with the server while a live connection is open (docs/PROTOCOL.md,
/// „Live-Kanal“): applies a live message's changes when they continue the replica's cursor, syncs for
/// everything else (a gap, a reconnect, a message without changes, the fallback's poll), and pushes
/// local writes at once.
///
/// Used from one task at a time (it owns the replica's sync), like `SyncClient`:
///
/// ```swift
/// let live = LiveSync(client: SyncClient(replica: replica, server: url, token: token, lab: lab))
/// live.start()
/// while true {
///     for arrival in try await live.process(await live.connection.nextEvents()) { print(arrival.changes) }
/// }
/// ```
public final class LiveSync {
    public let client: SyncClient
    public let connection: LiveConnection

    public init(client: SyncClient, pollInterval: Duration = .seconds(15)) {
        self.client = client
        connection = LiveConnection(
            server: client.server, token: client.token, lab: client.lab, site: client.replica.siteID,
            pollInterval: pollInterval)
    }

    public func start() { connection.start() }
    public func stop() { connection.stop() }

    /// Handles `events` (from `connection.takeEvents()` or `nextEvents()`) and says what arrived from
    /// other devices. Errors are those of `SyncClient.sync`.
    public func process(_ events: [LiveEvent]) async throws -> [LiveArrival] {
        var arrivals: [LiveArrival] = []
        var needsSync = false
        // Messages that continue each other are applied together, in one transaction: a replica that
        // was busy for a moment catches up with one commit instead of one per message.
        var cursor = try client.replica.cursor(for: client.remoteName)
        var pending: [LiveMessage] = []
        for event in events {
            switch event {
            case .connected, .poll:
                needsSync = true
            case .message(let message):
                guard !needsSync else { continue }
                if message.headSequence <= cursor { continue }
                guard message.fromSequence == cursor, message.batch != nil else {
                    needsSync = true
                    continue
                }
                pending.append(message)
                cursor = message.headSequence
            }
        }
        if !needsSync, !pending.isEmpty {
            let batch = ChangeBatch(rows: pending.flatMap { $0.batch?.rows ?? [] })
            do {
                try client.replica.takeLive(
                    batch, from: client.remoteName, cursor: cursor, cursorCheck: pending.last?.cursorCheck)
                client.onExchange?(ChangeBatch(rows: []), batch)
                for message in pending {
                    Self.add(
                        message.batch ?? ChangeBatch(), tokenName: message.tokenName, by: message.sender,
                        ownSite: client.replica.siteID, to: &arrivals)
                }
            } catch {
                // The server checked the pushes; should they still not apply, the sync reports why.
                needsSync = true
            }
        }
        if needsSync { arrivals += try await syncCollectingArrivals() }
        return arrivals
    }

    /// Pushes local writes not yet sent (and takes what the server has); nothing when none wait.
    public func pushLocalChanges() async throws -> [LiveArrival] {
        guard try client.replica.hasPendingLocalChanges(for: client.remoteName) else { return [] }
        return try await syncCollectingArrivals()
    }

    private func syncCollectingArrivals() async throws -> [LiveArrival] {
        var arrivals: [LiveArrival] = []
        let previous = client.onExchange
        let ownSite = client.replica.siteID
        client.onExchange = { pushed, received in
            previous?(pushed, received)
            Self.add(received, tokenName: nil, by: nil, ownSite: ownSite, to: &arrivals)
        }
        defer { client.onExchange = previous }
        try await client.sync()
        return arrivals
    }

    /// Counts `batch`'s changes per writing device (the writer of each row's newest version), leaving
    /// out this device's own.
    static func add(
        _ batch: ChangeBatch, tokenName: String?, by sender: SiteID?, ownSite: SiteID, to arrivals: inout [LiveArrival]
    ) {
        for row in batch.rows {
            let newest = (row.cells.map(\.version) + (row.rowVersion.map { [$0] } ?? [])).max()
            guard let writer = newest?.site ?? sender, writer != ownSite else { continue }
            let index =
                arrivals.firstIndex { $0.writer == writer }
                ?? {
                    arrivals.append(
                        LiveArrival(
                            writer: writer, tokenName: writer == sender ? tokenName : nil, changes: 0, tables: []))
                    return arrivals.count - 1
                }()
            arrivals[index].changes += row.changeCount
            if !arrivals[index].tables.contains(row.table) { arrivals[index].tables.append(row.table) }
        }
    }
}
