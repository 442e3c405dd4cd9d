/// A lab's id, validated: 1–64 ASCII letters, digits, `-` or `_`.
///
/// Every replicated row names its lab (`labor_id`), the server keeps one store per lab and puts
/// the id into a file name and a URL path, so the one rule lives here, below all of them.
///
/// ```swift
/// guard let lab = LabID("wohngeld-mv") else { throw … }  // LabID.rule says what is allowed
/// ```
public struct LabID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The id's text.
    public let rawValue: String

    /// What a lab id may contain, in German, for error messages.
    public static let rule = "erlaubt sind 1 bis 64 Buchstaben, Ziffern, - oder _"

    /// Validates `text`; nil when it breaks the rule.
    public init?(_ text: String) {
        guard Self.isValid(text) else { return nil }
        rawValue = text
    }

    public var description: String { rawValue }

    public static func < (lhs: LabID, rhs: LabID) -> Bool { lhs.rawValue < rhs.rawValue }

    private static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
    }
}
