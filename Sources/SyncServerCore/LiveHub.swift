import OZGReplication
import OZGWire
import Synchronization

/// The live clients of every lab and what they still have to be sent (docs/PROTOCOL.md, „Live-Kanal“).
///
/// A lab store publishes after each committed push, in commit order; every other live client of the
/// lab gets the message. Each client's queue is bounded (`queueLimit`): a client that does not read
/// loses the oldest messages, sees the gap in the sequences and catches up with an ordinary sync, so a
/// slow reader costs the server a fixed amount of memory.
final class LiveHub: Sendable {
    struct Subscriber: Sendable {
        let site: SiteID
        let tokenID: String
        let continuation: AsyncStream<[UInt8]>.Continuation
    }

    private struct State {
        var next = 0
        var labs: [LabID: [Int: Subscriber]] = [:]
        var perToken: [String: Int] = [:]
    }

    /// Messages a client may have waiting before the oldest are dropped.
    static let queueLimit = 32

    private let state = Mutex(State())
    let metrics: ServerMetrics

    init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    /// Checks the tokens of all live clients every `interval` (`liveTokenCheckInterval`) in one task,
    /// not one per connection, and ends the connections of revoked ones; the task ends with the hub.
    func startTokenChecks(registry: any Registry, interval: Duration) {
        Task { [weak self] in
            while true {
                try? await Task.sleep(for: interval)
                guard let tokens = self?.state.withLock({ Set($0.perToken.keys) }) else { return }
                for id in tokens {
                    do {
                        if try await registry.activeToken(id: id) == nil { self?.close(tokenID: id) }
                    } catch {
                        // The registry could not answer: checked again next time.
                    }
                }
            }
        }
    }

    /// Ends every live connection of `tokenID` (its message stream finishes, the endpoint closes).
    func close(tokenID: String) {
        let subscribers = state.withLock { state in
            state.labs.values.flatMap { $0.values.filter { $0.tokenID == tokenID } }
        }
        for subscriber in subscribers { subscriber.continuation.finish() }
    }

    /// Registers a live client; nil when its token already holds `limit` live connections.
    func subscribe(lab: LabID, site: SiteID, tokenID: String, limit: Int) -> (id: Int, messages: AsyncStream<[UInt8]>)?
    {
        let (stream, continuation) = AsyncStream.makeStream(
            of: [UInt8].self, bufferingPolicy: .bufferingNewest(Self.queueLimit))
        let id: Int? = state.withLock { state in
            guard state.perToken[tokenID, default: 0] < limit else { return nil }
            state.perToken[tokenID, default: 0] += 1
            state.next += 1
            state.labs[lab, default: [:]][state.next] = Subscriber(
                site: site, tokenID: tokenID, continuation: continuation)
            return state.next
        }
        guard let id else { return nil }
        metrics.liveConnections.increment()
        return (id, stream)
    }

    func unsubscribe(lab: LabID, id: Int) {
        let removed: Subscriber? = state.withLock { state in
            guard let subscriber = state.labs[lab]?.removeValue(forKey: id) else { return nil }
            if state.labs[lab]?.isEmpty == true { state.labs[lab] = nil }
            state.perToken[subscriber.tokenID, default: 1] -= 1
            if state.perToken[subscriber.tokenID] == 0 { state.perToken[subscriber.tokenID] = nil }
            return subscriber
        }
        guard let removed else { return }
        removed.continuation.finish()
        metrics.liveConnections.decrement()
    }

    /// Whether anyone but `site` listens to `lab` (the store skips building a message otherwise).
    func hasListeners(lab: LabID, besides site: SiteID) -> Bool {
        state.withLock { state in state.labs[lab]?.values.contains { $0.site != site } ?? false }
    }

    /// The labs with at least one live client here.
    func labsWithListeners() -> [LabID] {
        state.withLock { state in state.labs.filter { !$0.value.isEmpty }.map(\.key) }
    }

    /// Sends `message` to every live client of `lab` except the sending device's own connections.
    func publish(lab: LabID, message: [UInt8], sender: SiteID) {
        let receivers = state.withLock { state in state.labs[lab]?.values.filter { $0.site != sender } ?? [] }
        for receiver in receivers { receiver.continuation.yield(message) }
        metrics.liveMessages.increment(by: Int64(receivers.count))
    }
}
