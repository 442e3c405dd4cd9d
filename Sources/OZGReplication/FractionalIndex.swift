/// Position keys for ordered children: strings that sort between their neighbours.
///
/// Keys use the digits `0-9A-Za-z` (ASCII order) and never end in `0`, so there is always room
/// between two keys. Each generated key ends with random digits, so two replicas inserting at
/// the same place get different keys; display order is `(position, id)`.
///
/// ```swift
/// let first = FractionalIndex.between(nil, nil)
/// let second = FractionalIndex.between(first, nil)
/// let middle = FractionalIndex.between(first, second)   // first < middle < second
/// ```
public enum FractionalIndex {
    static let digits: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    static let base = 62
    /// Bounds are read up to this many bytes. Keys made here stay far shorter (about one digit per
    /// insertion into the same gap); a longer position can only come from a broken or hostile peer,
    /// and an entry placed next to it may sort on its other side instead of failing.
    public static let maxBoundLength = 1024

    /// A key strictly between `lower` and `upper` (nil meaning the start or end of the list).
    ///
    /// Keys that are not made of the digit alphabet are treated by their byte order; a lower bound
    /// that is not below the upper bound yields a key after `lower`. Linear in the bounds' length,
    /// which is capped at `maxBoundLength`.
    public static func between(_ lower: String?, _ upper: String?) -> String {
        var generator = SystemRandomNumberGenerator()
        return between(lower, upper, using: &generator)
    }

    /// As `between(_:_:)`, drawing the random suffix from `generator` (for seeded simulations).
    public static func between<G: RandomNumberGenerator>(
        _ lower: String?, _ upper: String?,
        using generator: inout G
    ) -> String {
        let low = lower.map { sanitize(Array($0.utf8.prefix(maxBoundLength))) } ?? []
        var high = upper.map { sanitize(Array($0.utf8.prefix(maxBoundLength))) }
        if let current = high, !(low.lexicographicallyPrecedes(current)) { high = nil }
        var key = midpoint(low[...], high?[...])
        while let current = high, current.starts(with: key) {
            high = key
            key = midpoint(low[...], key[...])
        }
        for index in 0..<3 {
            let digit =
                index == 2 ? Int.random(in: 1..<base, using: &generator) : Int.random(in: 0..<base, using: &generator)
            key.append(digits[digit])
        }
        return String(decoding: key, as: UTF8.self)
    }

    /// A key before `first` (or a first key for an empty list).
    public static func before(_ first: String?) -> String { between(nil, first) }

    /// A key after `last` (or a first key for an empty list).
    public static func after(_ last: String?) -> String { between(last, nil) }

    private static func value(_ byte: UInt8) -> Int {
        switch byte {
        case 48...57: return Int(byte) - 48
        case 65...90: return Int(byte) - 55
        case 97...122: return Int(byte) - 61
        default: return 0
        }
    }

    /// Maps bytes outside the alphabet to the nearest digit so any stored text still works as a bound.
    private static func sanitize(_ key: [UInt8]) -> [UInt8] {
        var result = key.map { byte -> UInt8 in
            switch byte {
            case 48...57, 65...90, 97...122: return byte
            case ..<48: return 48
            case 58...64: return 57
            case 91...96: return 90
            default: return 122
            }
        }
        while result.last == 48 { result.removeLast() }
        return result
    }

    /// The classic midpoint over digit strings with implicit trailing zeros; `low < high` required.
    ///
    /// One pass over the common prefix and at most one more over `low`: linear in the key length.
    private static func midpoint(_ low: ArraySlice<UInt8>, _ high: ArraySlice<UInt8>?) -> [UInt8] {
        var low = low
        var high = high
        var key: [UInt8] = []
        while true {
            if let upper = high {
                var common = 0
                while common < upper.count,
                    (common < low.count ? low[low.startIndex + common] : 48) == upper[upper.startIndex + common]
                {
                    common += 1
                }
                key += upper.prefix(common)
                low = low.dropFirst(common)
                high = upper.dropFirst(common)
            }
            let lowDigit = low.first.map(value) ?? 0
            let highDigit = high?.first.map(value) ?? base
            if highDigit - lowDigit > 1 {
                key.append(digits[(lowDigit + highDigit + 1) / 2])
                return key
            }
            if let upper = high, upper.count > 1 {
                key.append(upper[upper.startIndex])
                return key
            }
            key.append(digits[lowDigit])
            low = low.dropFirst()
            high = nil
        }
    }
}
