/// The 16-byte random identity of one replica file, created with the file.
///
/// Site ids break ties between versions with the same clock value, so they compare bytewise.
public struct SiteID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first eight bytes, big-endian.
    public let high: UInt64
    /// The last eight bytes, big-endian.
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads 16 bytes; returns nil for any other length.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// A new random site id.
    public static func random() -> SiteID {
        var generator = SystemRandomNumberGenerator()
        return SiteID(high: generator.next(), low: generator.next())
    }

    /// The 16 bytes, big-endian.
    public var bytes: [UInt8] {
        var result = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            result[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(index)))
            result[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(index)))
        }
        return result
    }

    /// 32 lowercase hex digits.
    public var hex: String { hex16(high) + hex16(low) }

    /// The first 8 hex digits, enough to tell devices apart in messages.
    public var shortHex: String { String(hex.prefix(8)) }

    public var description: String { hex }

    public static func < (lhs: SiteID, rhs: SiteID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

func hex16(_ value: UInt64) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var bytes = [UInt8](repeating: 0, count: 16)
    for index in 0..<16 {
        bytes[index] = digits[Int((value >> (60 - 4 * UInt64(index))) & 0xF)]
    }
    return String(decoding: bytes, as: UTF8.self)
}
