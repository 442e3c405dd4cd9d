/// A value stored in one SQLite cell: NULL, INTEGER, REAL, TEXT or BLOB.
///
/// ```swift
/// let title: DatabaseValue = .text("Wohngeld beantragen")
/// ```
public enum DatabaseValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// Whether this value is SQL NULL.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The text payload, or nil for other storage classes.
    public var textValue: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    /// The integer payload, or nil for other storage classes.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The value as plain text: empty for NULL, numbers in decimal, blobs in hex (CSV cells, JSON strings).
    public var plainText: String {
        switch self {
        case .null: return ""
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .text(let text): return text
        case .blob(let bytes):
            return bytes.map { byte in
                let digits = Array("0123456789abcdef")
                return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
            }.joined()
        }
    }

    /// A stable, type-tagged rendering used by canonical dumps and history output.
    public var canonicalText: String {
        switch self {
        case .null: return "NULL"
        case .integer(let value): return "i:\(value)"
        case .real(let value): return "r:\(value.bitPattern == (-0.0).bitPattern ? 0.0 : value)"
        case .text(let text): return "t:" + text.debugDescription
        case .blob(let bytes): return "b:" + bytes.map { String($0, radix: 16) }.joined(separator: ",")
        }
    }
}

extension DatabaseValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(nilLiteral: ()) { self = .null }
}
