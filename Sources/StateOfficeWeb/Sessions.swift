import Foundation
import SyncServerCore

/// Logged-in sessions of the web view, in memory: a random id (the cookie's value) names the token
/// the person logged in with. A session ends on logout, after `lifetime`, or when its token is revoked
/// (checked on every request). The token itself is never kept.
actor SessionStore {
    struct Session: Sendable {
        let tokenID: String
        let expires: ContinuousClock.Instant
    }

    let lifetime: Duration
    private var sessions: [String: Session] = [:]
    /// Upper bound on live sessions: the oldest ends first, so logins cannot grow memory without bound.
    let limit: Int

    init(lifetime: Duration, limit: Int = 10_000) {
        self.lifetime = lifetime
        self.limit = limit
    }

    /// A new session for `tokenID`; returns its id (256 random bits, hex).
    func open(tokenID: String) -> String {
        let now = ContinuousClock.now
        sessions = sessions.filter { $0.value.expires > now }
        while sessions.count >= limit, let oldest = sessions.min(by: { $0.value.expires < $1.value.expires }) {
            sessions[oldest.key] = nil
        }
        var generator = SystemRandomNumberGenerator()
        let id = (0..<4).map { _ in String(generator.next() as UInt64, radix: 16).leftPadded(16) }.joined()
        sessions[id] = Session(tokenID: tokenID, expires: now + lifetime)
        return id
    }

    /// The token id of a live session, or nil.
    func tokenID(of session: String) -> String? {
        guard let entry = sessions[session] else { return nil }
        guard entry.expires > .now else {
            sessions[session] = nil
            return nil
        }
        return entry.tokenID
    }

    func close(_ session: String) {
        sessions[session] = nil
    }
}

/// Failed logins per client address: after `maxFailures` within `window` the address waits until
/// the oldest failure leaves the window. Bounded: at most `maxAddresses` addresses are remembered.
actor LoginLimiter {
    let maxFailures: Int
    let window: Duration
    let maxAddresses: Int
    private var failures: [String: [ContinuousClock.Instant]] = [:]

    init(maxFailures: Int = 5, window: Duration = .seconds(300), maxAddresses: Int = 10_000) {
        self.maxFailures = maxFailures
        self.window = window
        self.maxAddresses = maxAddresses
    }

    /// Seconds to wait before `address` may try again, or nil when it may try now.
    func waitSeconds(for address: String) -> Int? {
        let now = ContinuousClock.now
        let recent = (failures[address] ?? []).filter { now - $0 < window }
        failures[address] = recent.isEmpty ? nil : recent
        guard recent.count >= maxFailures, let oldest = recent.first else { return nil }
        let remaining = window - (now - oldest)
        return max(1, Int(remaining.components.seconds) + 1)
    }

    func recordFailure(for address: String) {
        if failures[address] == nil, failures.count >= maxAddresses {
            failures.removeAll()
        }
        failures[address, default: []].append(.now)
    }

    func recordSuccess(for address: String) {
        failures[address] = nil
    }
}

extension String {
    func leftPadded(_ length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
