/// The version of one write: a hybrid-logical-clock value and the site that wrote it.
///
/// Versions are totally ordered by `(hlc, site)`; see docs/ARCHITECTURE.md, "Merge rules".
public struct Version: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed clock value: 48 bits of Unix milliseconds, 16 bits of counter.
    public let hlc: UInt64
    /// The replica that wrote it.
    public let site: SiteID

    public init(hlc: UInt64, site: SiteID) {
        self.hlc = hlc
        self.site = site
    }

    public static func < (lhs: Version, rhs: Version) -> Bool {
        if lhs.hlc != rhs.hlc { return lhs.hlc < rhs.hlc }
        return lhs.site < rhs.site
    }

    /// `<hlc as 16 hex digits>-<site as 32 hex digits>`; accepted back by `init?(text:)`.
    public var text: String { hex16(hlc) + "-" + site.hex }

    public var description: String { text }

    /// Parses the form produced by `text`.
    public init?(text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 16, parts[1].count == 32,
            let hlc = UInt64(parts[0], radix: 16),
            let high = UInt64(parts[1].prefix(16), radix: 16),
            let low = UInt64(parts[1].suffix(16), radix: 16)
        else { return nil }
        self.init(hlc: hlc, site: SiteID(high: high, low: low))
    }

    /// The wall-clock milliseconds part of the clock value.
    public var milliseconds: UInt64 { hlc >> 16 }
}

extension Optional where Wrapped == Version {
    /// Orders an absent version before every present one (a first write has no base).
    static func isLess(_ lhs: Version?, _ rhs: Version?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case (let left?, let right?): return left < right
        }
    }
}
