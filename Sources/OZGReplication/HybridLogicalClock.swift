#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A hybrid logical clock: never goes backwards, follows wall time, and moves past every merged version.
///
/// Values pack 48 bits of Unix milliseconds and a 16-bit counter into a `UInt64`, so they compare as integers.
///
/// ```swift
/// var clock = HybridLogicalClock(last: 0)
/// let first = clock.tick()
/// try clock.observe(first + 5, maxDriftMilliseconds: 600_000)
/// ```
public struct HybridLogicalClock: Sendable {
    /// Returns the current wall time in Unix milliseconds.
    public typealias WallClock = @Sendable () -> UInt64

    /// The last value handed out or observed.
    public private(set) var last: UInt64
    let wallClock: WallClock

    public init(last: UInt64, wallClock: @escaping WallClock = HybridLogicalClock.systemMilliseconds) {
        self.last = last
        self.wallClock = wallClock
    }

    /// The wall clock of this machine in Unix milliseconds.
    public static let systemMilliseconds: WallClock = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
    }

    /// The packed value for wall time `milliseconds` with counter 0.
    public static func pack(milliseconds: UInt64, counter: UInt64 = 0) -> UInt64 {
        (milliseconds << 16) | (counter & 0xFFFF)
    }

    /// A new value greater than every earlier one.
    public mutating func tick() -> UInt64 {
        let physical = Self.pack(milliseconds: wallClock())
        last = max(physical, last &+ 1)
        return last
    }

    /// Moves the clock past `remote`, unless `remote` lies more than `maxDriftMilliseconds` ahead of wall time.
    public mutating func observe(_ remote: UInt64, maxDriftMilliseconds: UInt64) throws(ClockDriftError) {
        try check(remote, maxDriftMilliseconds: maxDriftMilliseconds, site: nil)
        last = max(last, remote)
    }

    /// Throws when `remote` lies more than `maxDriftMilliseconds` ahead of this machine's wall time.
    public func check(_ remote: UInt64, maxDriftMilliseconds: UInt64, site: SiteID?) throws(ClockDriftError) {
        let now = wallClock()
        let remoteMilliseconds = remote >> 16
        if remoteMilliseconds > now &+ maxDriftMilliseconds {
            throw ClockDriftError(
                site: site, aheadMilliseconds: remoteMilliseconds - now,
                allowedMilliseconds: maxDriftMilliseconds)
        }
    }
}

/// A change carries a clock value too far in the future: the writing device's clock is wrong.
public struct ClockDriftError: Error, Sendable, CustomStringConvertible {
    /// The device whose clock is ahead, when known.
    public let site: SiteID?
    /// How far ahead of this machine the change's time lies.
    public let aheadMilliseconds: UInt64
    /// The allowed drift.
    public let allowedMilliseconds: UInt64

    public var description: String {
        let device = site.map { "des Geräts \($0.shortHex)" } ?? "eines Geräts"
        return "Die Uhr \(device) geht \(Self.minutes(aheadMilliseconds)) vor "
            + "(erlaubt sind höchstens \(Self.minutes(allowedMilliseconds))). "
            + "Bitte Datum und Uhrzeit auf diesem Gerät korrigieren und erneut synchronisieren."
    }

    static func minutes(_ milliseconds: UInt64) -> String {
        let seconds = milliseconds / 1000
        if seconds < 120 { return "\(seconds) Sekunden" }
        return "\((seconds + 30) / 60) Minuten"
    }
}
