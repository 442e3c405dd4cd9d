import OZGStorage

/// Row identifiers: random 128-bit values in canonical lowercase UUID text (version 4).
public enum RowID {
    /// A new random id such as `3f2a9c1e-8b7d-4e0f-a1b2-c3d4e5f60718`.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return format(high: generator.next(), low: generator.next(), asVersion4: true)
    }

    /// A deterministic id derived from `parts` (two replicas computing it from the same inputs agree).
    public static func derived(from parts: [String]) -> String {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x84222325_cbf29ce4
        for part in parts {
            for byte in part.utf8 {
                first = (first ^ UInt64(byte)) &* 0x100_0000_01b3
                second = (second ^ UInt64(byte)) &* 0x100_0000_01b3 &+ 0x9e37_79b9
            }
            first = (first ^ 0x1f) &* 0x100_0000_01b3
            second = (second ^ 0x1f) &* 0x100_0000_01b3 &+ 0x9e37_79b9
        }
        return format(high: first, low: second, asVersion4: false)
    }

    static func format(high: UInt64, low: UInt64, asVersion4: Bool) -> String {
        var high = high
        var low = low
        if asVersion4 {
            high = (high & ~0xF000) | 0x4000
            low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        }
        let hex = Array((hex16(high) + hex16(low)).utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (index, byte) in hex.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { out.append(45) }
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The 16 bytes of a canonical lowercase UUID text, or nil when `text` is not exactly that form.
    static func packedBytes(_ text: String) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(16)
        var count = 0
        var pending: UInt8 = 0
        var half = false
        for byte in text.utf8 {
            defer { count += 1 }
            if count == 8 || count == 13 || count == 18 || count == 23 {
                guard byte == 45 else { return nil }
                continue
            }
            let nibble: UInt8
            switch byte {
            case 48...57: nibble = byte - 48
            case 97...102: nibble = byte - 87
            default: return nil
            }
            if half {
                result.append(pending << 4 | nibble)
            } else {
                pending = nibble
            }
            half.toggle()
        }
        return count == 36 ? result : nil
    }

    /// The canonical text of 16 packed bytes.
    static func text(fromPacked bytes: ArraySlice<UInt8>) -> String {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        return format(high: high, low: low, asVersion4: false)
    }
}
