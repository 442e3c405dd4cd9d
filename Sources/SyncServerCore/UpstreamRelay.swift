import Foundation
import Logging
import OZGReplication
import OZGSyncClient
import ServiceLifecycle
import Synchronization

/// Where a hub relays its labs (`serve --upstream URL --upstream-token T [--upstream-labor ID …]`).
public struct UpstreamConfiguration: Sendable {
    public var url: URL
    /// A token of the role `hub` on the upstream server: the only role that may push other devices' writes.
    public var token: String
    /// The labs to relay; nil: every lab of this server.
    public var labs: [String]?
    /// Set (by a simulation): the relay does not run by itself; `RelayControl.round` runs one.
    public var control: RelayControl?
    /// Rows pushed per round, as a client does.
    public var pushPageRows = 2000

    public init(url: URL, token: String, labs: [String]? = nil, control: RelayControl? = nil) {
        self.url = url
        self.token = token
        self.labs = labs
        self.control = control
    }
}

/// Runs a hub's relay step by step instead of in the background, for the convergence simulation
/// through hub and state server: each round when the schedule says so, and every exchange reported
/// to the oracle in order.
public final class RelayControl: Sendable {
    fileprivate let relay = Mutex<UpstreamRelay?>(nil)
    /// Called after each round trip with what the hub pushed and what it received.
    let onExchange: @Sendable (_ pushed: ChangeBatch, _ received: ChangeBatch) -> Void

    public init(onExchange: @escaping @Sendable (_ pushed: ChangeBatch, _ received: ChangeBatch) -> Void) {
        self.onExchange = onExchange
    }

    /// Push and pull rounds for `lab` until nothing is left (or upstream fails: the error is thrown).
    public func round(_ lab: LabID) async throws {
        guard let relay = relay.withLock({ $0 }) else { return }
        try await relay.rounds(lab)
    }
}

/// Relays labs of this server — a workshop hub on a facilitator's laptop — to an upstream server and
/// back (`../shared/DESIGN.md` §10, docs/OPERATIONS.md „Workshop ohne Internet“).
///
/// Per lab one loop: push every change of the lab's log after what upstream acknowledged (origin-
/// preserving), apply upstream's pages, repeat until nothing is left; then wait for a participant's
/// push, a live message from upstream, or the next poll. Store and forward are durable: participants'
/// pushes are committed before they are answered, and the upstream positions (acknowledgement,
/// cursor, cursor check) live in the lab file and move only after upstream answered. Without
/// upstream the hub keeps serving and retries with a doubling pause up to a minute.
final class UpstreamRelay: Service, Sendable {
    let upstream: UpstreamConfiguration
    let registry: any Registry
    let labs: LabDirectory
    let live: LiveHub
    let logger: Logger
    let dataDirectory: String
    var pushPageRows: Int { upstream.pushPageRows }
    /// Without any other reason, a round this often (upstream changes also arrive by its live channel).
    let pollInterval: Duration = .seconds(10)

    struct LabState: Sendable {
        var lastSuccess: Date?
        var lastError: String?
        /// Changes waiting for upstream, counted after a failed round (0 after a successful one).
        var waiting = 0
        var wake: AsyncStream<Void>.Continuation?
    }

    /// Writes every lab's state for `status` (atomically: a reader never sees half a file).
    private func writeStatus() {
        let formatter = ISO8601DateFormatter()
        let entries = states.withLock { states in
            states.map { lab, state in
                HubStatus.Entry(
                    labor: lab.rawValue, wartend: state.waiting,
                    zuletztErreicht: state.lastSuccess.map { formatter.string(from: $0) }, fehler: state.lastError)
            }.sorted { $0.labor < $1.labor }
        }
        guard let data = try? JSONEncoder().encode(entries) else { return }
        try? data.write(to: HubStatus.file(dataDirectory: dataDirectory), options: .atomic)
    }

    private let states = Mutex<[LabID: LabState]>([:])

    init(
        upstream: UpstreamConfiguration, registry: any Registry, labs: LabDirectory, live: LiveHub, logger: Logger,
        dataDirectory: String
    ) {
        self.dataDirectory = dataDirectory
        self.upstream = upstream
        self.registry = registry
        self.labs = labs
        self.live = live
        self.logger = logger
        upstream.control?.relay.withLock { $0 = self }
    }

    /// A participant's push merged into `lab`: relay it soon.
    func notify(_ lab: LabID) {
        _ = states.withLock { $0[lab]?.wake }?.yield()
    }

    func run() async throws {
        var ids: [String]
        if let chosen = upstream.labs {
            ids = chosen
            // A lab named for relaying that this hub does not have yet comes from upstream.
            for id in chosen where try await !registry.labExists(id) {
                do {
                    try await registry.createLab(id, title: nil)
                } catch {
                    // An administrator may have created it at the same moment.
                    if try await !registry.labExists(id) { throw error }
                }
            }
        } else {
            ids = try await registry.labs().map(\.id)
        }
        let relayed = ids
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for id in relayed {
                    guard let lab = LabID(id) else { continue }
                    group.addTask { await self.relay(lab) }
                }
            }
        }
    }

    /// The loop of one lab, until the task is cancelled.
    func relay(_ lab: LabID) async {
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        states.withLock { $0[lab, default: LabState()].wake = wake }
        await withTaskGroup(of: Void.self) { group in
            // Upstream's live channel: a message there is a reason for a round here.
            group.addTask { await self.listenUpstream(lab, wake: wake) }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.pollInterval)
                    wake.yield()
                }
            }
            var delay = Duration.milliseconds(500)
            var iterator = wakes.makeAsyncIterator()
            wake.yield()
            while !Task.isCancelled, await iterator.next() != nil {
                do {
                    try await rounds(lab)
                    delay = .milliseconds(500)
                    states.withLock { states in
                        states[lab]?.lastSuccess = Date()
                        states[lab]?.lastError = nil
                        states[lab]?.waiting = 0
                    }
                    writeStatus()
                } catch {
                    let reason = (error as? SyncClientError)?.description ?? String(describing: error)
                    let waiting = await backlog(lab)
                    states.withLock { states in
                        states[lab]?.lastError = reason
                        states[lab]?.waiting = waiting
                    }
                    writeStatus()
                    logger.warning("Upstream für Labor \(lab) nicht erreicht: \(reason)")
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(60))
                    wake.yield()
                }
            }
            group.cancelAll()
        }
    }

    /// Push and pull rounds until upstream has nothing more and everything here was sent.
    func rounds(_ lab: LabID) async throws {
        let transport = SyncTransport(server: upstream.url, token: upstream.token, lab: lab, maxAttempts: 2)
        var resets = 0
        while !Task.isCancelled {
            let store = try await labs.checkOutFile(lab)
            do {
                let (request, through, check) = try await store.upstreamRequest(maxRows: pushPageRows)
                let answer = try await transport.send(request, cursorCheck: check)
                if answer.reset { resets += 1 }
                guard resets <= 2 else {
                    throw SyncClientError.protocolViolation(
                        "Der Upstream-Server erkennt den Stand dieses Hubs wiederholt nicht wieder.")
                }
                let again = try await store.takeUpstream(
                    answer, pushedThrough: through, pushedRows: request.batch.rows.count, maxRows: pushPageRows,
                    live: live)
                upstream.control?.onExchange(request.batch, answer.response.batch)
                await labs.checkIn(lab)
                if !again { return }
            } catch {
                await labs.checkIn(lab)
                throw error
            }
        }
    }

    /// Changes of `lab` upstream has not acknowledged (0 when the store cannot say).
    func backlog(_ lab: LabID) async -> Int {
        guard let store = try? await labs.checkOutFile(lab) else { return 0 }
        let count = (try? await store.upstreamBacklog()) ?? 0
        await labs.checkIn(lab)
        return count
    }

    /// Keeps a live connection to upstream for `lab` and wakes the loop on each of its events.
    func listenUpstream(_ lab: LabID, wake: AsyncStream<Void>.Continuation) async {
        guard let store = try? await labs.checkOutFile(lab) else { return }
        let site = store.siteID
        await labs.checkIn(lab)
        let connection = LiveConnection(server: upstream.url, token: upstream.token, lab: lab, site: site)
        connection.start()
        while !Task.isCancelled {
            if !(await connection.nextEvents()).isEmpty { wake.yield() }
        }
        connection.stop()
    }
}

/// What a hub's relay last knew per lab (`DIR/hub-status.json`), for `ozg-sync-server status`.
public enum HubStatus {
    /// Where `ozg-sync-server status` reads the relay's state (`DIR/hub-status.json`).
    public static func file(dataDirectory: String) -> URL {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("hub-status.json")
    }

    /// One lab's line of the status file.
    public struct Entry: Codable, Sendable, Equatable {
        public var labor: String
        public var wartend: Int
        public var zuletztErreicht: String?
        public var fehler: String?
    }

    /// Reads the status file a hub writes after each round; nil when there is none.
    public static func status(dataDirectory: String) throws -> [Entry]? {
        let file = file(dataDirectory: dataDirectory)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try JSONDecoder().decode([Entry].self, from: Data(contentsOf: file))
    }
}
