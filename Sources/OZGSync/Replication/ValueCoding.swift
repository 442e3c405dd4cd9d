/// The storage-class tags shared by the change encoding, tombstones and history blobs.
enum ValueTag: UInt8 {
    case null = 0
    case integer = 1
    case real = 2
    case text = 3
    case blob = 4
}

extension DatabaseValue {
    var tag: ValueTag {
        switch self {
        case .null: return .null
        case .integer: return .integer
        case .real: return .real
        case .text: return .text
        case .blob: return .blob
        }
    }

    /// Writes the payload only; the tag travels separately.
    func writePayload(to writer: inout ByteWriter) {
        switch self {
        case .null: break
        case .integer(let value): writer.signedVarint(value)
        case .real(let value): writer.fixed64(value.bitPattern)
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
