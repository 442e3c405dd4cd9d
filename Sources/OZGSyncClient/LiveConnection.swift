import Foundation
import HummingbirdWSClient
import Logging
import OZGReplication
import OZGWire
import Synchronization

/// The state of a live connection, as `status` shows it.
public enum LiveState: Sendable, Equatable, CustomStringConvertible {
    /// Not started, or switched off.
    case off
    case connecting
    case connected
    /// The connection broke (or never came up); the next attempt follows after a growing pause.
    case disconnected(reason: String)
    /// The server (or a proxy on the way) does not upgrade to a WebSocket: a sync every `pollInterval`
    /// instead, and now and then a new attempt.
    case polling(reason: String)

    public var description: String {
        switch self {
        case .off: "aus"
        case .connecting: "verbindet …"
        case .connected: "verbunden"
        case .disconnected(let reason): "getrennt (\(reason)); neuer Versuch läuft"
        case .polling(let reason): "kein WebSocket (\(reason)); stattdessen regelmäßiger sync"
        }
    }
}

/// What a live connection hands its owner: a reason to sync, or a message to apply.
public enum LiveEvent: Sendable, Equatable {
    /// The connection (re)opened: catch up with a sync, since messages may have been missed meanwhile.
    case connected
    case message(LiveMessage)
    /// Without a WebSocket: time for the periodic sync.
    case poll
}

/// The WebSocket of `GET /v1/labs/{lab}/live` (docs/PROTOCOL.md, „Live-Kanal“), kept open in a task
/// of its own: it reconnects with a doubling pause (up to `maxRetryDelay`), and falls back to events
/// for a periodic sync when the server or a proxy refuses the upgrade.
///
/// It never touches the replica: it only queues events. Their owner (`LiveSync`) takes them where it
/// uses the replica — the shell between keystrokes, a benchmark participant in its own task — and
/// learns that some wait through `nextEvents()` or the file descriptor `wakeDescriptor`, which is
/// readable while events wait.
public final class LiveConnection: Sendable {
    public let server: URL
    public let token: String
    public let lab: LabID
    public let site: SiteID
    public let pollInterval: Duration
    public let maxRetryDelay: Duration

    private struct Inbox {
        var events: [LiveEvent] = []
        var state: LiveState = .off
        var waiter: CheckedContinuation<Void, Never>?
        var task: Task<Void, Never>?
        /// Made on the first call of `wakeDescriptor` (the shell's), so other owners spend no descriptors.
        var wakePipe: (read: Int32, write: Int32)?
    }

    /// Events waiting at most; beyond that they are replaced by one `connected` (the sync catches up on
    /// everything), so an owner that stops taking them costs a fixed amount of memory.
    static let inboxLimit = 256

    private let inbox = Mutex(Inbox())

    public init(
        server: URL, token: String, lab: LabID, site: SiteID, pollInterval: Duration = .seconds(15),
        maxRetryDelay: Duration = .seconds(30)
    ) {
        self.server = server
        self.token = token
        self.lab = lab
        self.site = site
        self.pollInterval = pollInterval
        self.maxRetryDelay = maxRetryDelay
    }

    deinit {
        let pipe = inbox.withLock { inbox in
            inbox.task?.cancel()
            return inbox.wakePipe
        }
        if let pipe {
            close(pipe.read)
            close(pipe.write)
        }
    }

    /// Readable while events wait (for `poll(2)` next to the terminal); `takeEvents()` empties it.
    /// -1 when the system has no descriptor left for the pipe.
    public var wakeDescriptor: Int32 {
        inbox.withLock { inbox in
            if let pipe = inbox.wakePipe { return pipe.read }
            var descriptors: [Int32] = [-1, -1]
            guard pipe(&descriptors) == 0 else { return -1 }
            for descriptor in descriptors {
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            }
            // Events queued before the pipe existed must wake the reader too.
            if !inbox.events.isEmpty {
                var byte: UInt8 = 1
                _ = write(descriptors[1], &byte, 1)
            }
            inbox.wakePipe = (descriptors[0], descriptors[1])
            return descriptors[0]
        }
    }

    public var state: LiveState { inbox.withLock { $0.state } }

    /// The WebSocket address of this lab's live channel.
    public var url: String {
        var components = URLComponents(url: server, resolvingAgainstBaseURL: false) ?? URLComponents()
        components.scheme = components.scheme == "https" ? "wss" : "ws"
        let base = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
        components.path = base + "/v1/labs/\(lab.rawValue)/live"
        components.queryItems = [
            URLQueryItem(name: "geraet", value: site.hex),
            URLQueryItem(name: "protokoll", value: String(SyncRequest.protocolVersion)),
        ]
        return components.string ?? ""
    }

    /// Opens the connection in a task of its own (once; again after `stop`).
    public func start() {
        inbox.withLock { inbox in
            guard inbox.task == nil else { return }
            inbox.state = .connecting
            inbox.task = Task { [weak self] in await self?.run() }
        }
    }

    /// Closes the connection; queued events stay.
    public func stop() {
        let task = inbox.withLock { inbox in
            defer {
                inbox.task = nil
                inbox.state = .off
            }
            return inbox.task
        }
        task?.cancel()
    }

    /// The events queued so far, oldest first.
    public func takeEvents() -> [LiveEvent] {
        inbox.withLock { inbox in
            if let pipe = inbox.wakePipe {
                var byte: UInt8 = 0
                while read(pipe.read, &byte, 1) > 0 {}
            }
            defer { inbox.events = [] }
            return inbox.events
        }
    }

    /// Waits until at least one event is queued (or the task is cancelled), then takes them all.
    public func nextEvents() async -> [LiveEvent] {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = inbox.withLock { inbox in
                    if !inbox.events.isEmpty || Task.isCancelled { return true }
                    inbox.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            inbox.withLock { inbox in
                defer { inbox.waiter = nil }
                return inbox.waiter
            }?.resume()
        }
        return takeEvents()
    }

    private func enqueue(_ event: LiveEvent) {
        let waiter = inbox.withLock { inbox in
            if inbox.events.count >= Self.inboxLimit {
                // Nobody took them for a while: one sync stands for all of them.
                inbox.events = [.connected]
            }
            inbox.events.append(event)
            if let pipe = inbox.wakePipe {
                var byte: UInt8 = 1
                _ = write(pipe.write, &byte, 1)
            }
            defer { inbox.waiter = nil }
            return inbox.waiter
        }
        waiter?.resume()
    }

    private func setState(_ state: LiveState) {
        inbox.withLock { $0.state = state }
    }

    private func run() async {
        var logger = Logger(label: "ozg-live", factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = .critical
        var delay = Duration.milliseconds(250)
        while !Task.isCancelled {
            let opened = Atomic(false)
            do {
                var configuration = WebSocketClientConfiguration(
                    maxFrameSize: 1 << 16, autoPing: .enabled(timePeriod: .seconds(20)))
                configuration.additionalHeaders[.authorization] = "Bearer \(token)"
                try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
                    inbound, _, _ in
                    opened.store(true, ordering: .relaxed)
                    // The event first: whoever sees the state `connected` finds it waiting.
                    self.enqueue(.connected)
                    self.setState(.connected)
                    var messages = inbound.messages(maxSize: LiveMessage.maxMessageBytes).makeAsyncIterator()
                    while let message = try await messages.next() {
                        guard case .binary(let buffer) = message else { continue }
                        do {
                            self.enqueue(.message(try LiveMessage.decode(Array(buffer.readableBytesView))))
                        } catch {
                            // An unreadable message is a missed one: the sync catches up.
                            self.enqueue(.connected)
                        }
                    }
                }
                if !Task.isCancelled { setState(.disconnected(reason: "der Server hat die Verbindung geschlossen")) }
            } catch let error as WebSocketClientError where error == .webSocketUpgradeFailed {
                // The server answered, but not with a WebSocket: an older server, a proxy that blocks
                // WebSockets, or a token the server refuses (the sync reports that one clearly).
                await poll(reason: "der Server oder ein Proxy lehnt die Verbindung ab")
                continue
            } catch {
                if Task.isCancelled { return }
                setState(.disconnected(reason: SyncTransport.germanReason(for: error)))
            }
            if opened.load(ordering: .relaxed) { delay = .milliseconds(250) }
            // Jitter, so that a room of clients does not reconnect in lockstep after a server restart.
            let jitter = Duration.milliseconds(Int.random(in: 0...Int(delay.components.seconds * 250 + 100)))
            try? await Task.sleep(for: delay + jitter)
            delay = min(delay * 2, maxRetryDelay)
            if !Task.isCancelled { setState(.connecting) }
        }
    }

    /// Without a WebSocket: a poll event every `pollInterval`, for four intervals, then another attempt.
    private func poll(reason: String) async {
        setState(.polling(reason: reason))
        enqueue(.poll)
        for _ in 0..<4 {
            do { try await Task.sleep(for: pollInterval) } catch { return }
            enqueue(.poll)
        }
    }
}
