import OZGStorage

/// The storage-class tags shared by the change encoding, tombstones and history blobs.
enum ValueTag: UInt8 {
    case null = 0
    case integer = 1
    case real = 2
    case text = 3
    case blob = 4
    /// A REAL that is exactly an integer divided by 10^scale (scale 0–4), stored as one varint.
    case decimal = 5
    /// Only in change batches: a text equal to an earlier short text of the same batch, by index.
    case textReference = 6
}

/// Exact powers of ten, so `Double(mantissa) / scale` is the same correctly rounded value everywhere.
private let powersOfTen: [Double] = [1, 10, 100, 1000, 10000]

extension DatabaseValue {
    var tag: ValueTag {
        switch self {
        case .null: return .null
        case .integer: return .integer
        case .real(let value): return Self.decimal(value) == nil ? .real : .decimal
        case .text: return .text
        case .blob: return .blob
        }
    }

    /// The packed `zigzag(mantissa) * 5 + scale` of a double that round-trips exactly, or nil.
    static func decimal(_ value: Double) -> UInt64? {
        guard value.isFinite, value.bitPattern != (-0.0).bitPattern, abs(value) < 1e12 else { return nil }
        for scale in 0..<powersOfTen.count {
            let scaled = (value * powersOfTen[scale]).rounded()
            guard abs(scaled) < 9e15 else { return nil }
            let mantissa = Int64(scaled)
            if (Double(mantissa) / powersOfTen[scale]).bitPattern == value.bitPattern {
                let zigzag = UInt64(bitPattern: (mantissa << 1) ^ (mantissa >> 63))
                return zigzag * 5 + UInt64(scale)
            }
        }
        return nil
    }

    /// Writes the payload only; the tag (from `tag`) travels separately.
    func writePayload(to writer: inout ByteWriter) {
        switch self {
        case .null: break
        case .integer(let value): writer.signedVarint(value)
        case .real(let value):
            if let packed = Self.decimal(value) { writer.varint(packed) } else { writer.fixed64(value.bitPattern) }
        case .text(let text): writer.string(text)
        case .blob(let bytes): writer.lengthPrefixed(bytes)
        }
    }

    static func readPayload(tag: ValueTag, from reader: inout ByteReader) throws -> DatabaseValue {
        switch tag {
        case .null: return .null
        case .integer: return .integer(try reader.signedVarint())
        case .real: return .real(Double(bitPattern: try reader.fixed64()))
        case .text:
            let bytes = try reader.lengthPrefixed()
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw ValueDecodingFailure.invalidUTF8(offset: reader.offset)
            }
            return .text(text)
        case .blob: return .blob(Array(try reader.lengthPrefixed()))
        case .textReference:
            throw ValueDecodingFailure.unknownTag(tag.rawValue, offset: reader.offset)
        case .decimal:
            let packed = try reader.varint()
            let zigzag = packed / 5
            let mantissa = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
            return .real(Double(mantissa) / powersOfTen[Int(packed % 5)])
        }
    }
}

enum ValueDecodingFailure: Error {
    case invalidUTF8(offset: Int)
    case unknownTag(UInt8, offset: Int)
}

/// A list of tagged values, used for tombstones and history entries.
enum ValueList {
    static func encode(_ values: [DatabaseValue]) -> [UInt8] {
        var writer = ByteWriter(capacity: 8 * values.count + 2)
        writer.varint(UInt64(values.count))
        for value in values {
            writer.byte(value.tag.rawValue)
            value.writePayload(to: &writer)
        }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> [DatabaseValue] {
        var reader = ByteReader(bytes)
        do {
            let count = Int(clamping: try reader.varint())
            guard count <= reader.remaining else { throw StorageCorruption(detail: "Werteliste zu lang") }
            var values: [DatabaseValue] = []
            values.reserveCapacity(count)
            for _ in 0..<count {
                let raw = try reader.byte()
                guard let tag = ValueTag(rawValue: raw) else { throw StorageCorruption(detail: "Wertkennung \(raw)") }
                values.append(try DatabaseValue.readPayload(tag: tag, from: &reader))
            }
            return values
        } catch let error as StorageCorruption {
            throw error
        } catch {
            throw StorageCorruption(detail: "Werteliste unlesbar")
        }
    }
}
