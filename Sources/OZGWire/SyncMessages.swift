import OZGReplication

/// One sync round trip: the client's push and where its pull should start.
public struct SyncRequest: Sendable, Equatable {
    public static let protocolVersion: UInt64 = 1

    public var protocolVersion: UInt64
    public var site: SiteID
    /// The last server sequence this replica has applied.
    public var cursor: Int64
    /// Local changes not yet acknowledged.
    public var batch: ChangeBatch

    public init(protocolVersion: UInt64 = SyncRequest.protocolVersion, site: SiteID, cursor: Int64, batch: ChangeBatch)
    {
        self.protocolVersion = protocolVersion
        self.site = site
        self.cursor = cursor
        self.batch = batch
    }
}

/// The server's answer: changes after the cursor, the new cursor, and whether another page waits.
public struct SyncResponse: Sendable, Equatable {
    public var cursor: Int64
    public var more: Bool
    public var batch: ChangeBatch

    public init(cursor: Int64, more: Bool, batch: ChangeBatch) {
        self.cursor = cursor
        self.more = more
        self.batch = batch
    }
}

/// The binary bodies of protocol version 1 (before deflate); see docs/PROTOCOL.md.
public enum SyncWire {
    package static let requestMagic: [UInt8] = [0x4F, 0x5A, 0x51, 0x01]  // "OZQ" 1
    package static let responseMagic: [UInt8] = [0x4F, 0x5A, 0x50, 0x01]  // "OZP" 1

    public static func encode(_ request: SyncRequest) -> [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.raw(requestMagic)
        writer.varint(request.protocolVersion)
        writer.raw(request.site.bytes)
        writer.varint(UInt64(max(0, request.cursor)))
        writer.raw(ChangeBatchCodec.encode(request.batch))
        return writer.bytes
    }

    public static func encode(_ response: SyncResponse) -> [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.raw(responseMagic)
        writer.varint(UInt64(max(0, response.cursor)))
        writer.byte(response.more ? 1 : 0)
        writer.raw(ChangeBatchCodec.encode(response.batch))
        return writer.bytes
    }

    /// Decodes a request; an unsupported protocol version is reported as such (the server answers 409).
    public static func decodeRequest(_ bytes: [UInt8]) throws(SyncWireError) -> SyncRequest {
        var reader = ByteReader(bytes)
        do {
            guard reader.remaining >= 4, Array(try reader.raw(count: 4)) == requestMagic else {
                throw SyncWireError.malformed("Kein Sync-Auftrag (Kennung „OZQ“ erwartet)")
            }
            let version = try reader.varint()
            guard version == SyncRequest.protocolVersion else { throw SyncWireError.unsupportedVersion(version) }
            guard let site = SiteID(bytes: try reader.raw(count: 16)) else {
                throw SyncWireError.malformed("Geräte-ID fehlt")
            }
            let cursor = try reader.varint()
            guard cursor <= UInt64(Int64.max) else { throw SyncWireError.malformed("Cursor zu groß") }
            let batch = try ChangeBatchCodec.decode(Array(bytes[reader.offset...]))
            return SyncRequest(protocolVersion: version, site: site, cursor: Int64(cursor), batch: batch)
        } catch let error as SyncWireError {
            throw error
        } catch let error as ChangeBatchDecodingError {
            throw SyncWireError.malformed(error.description)
        } catch {
            throw SyncWireError.malformed("Der Auftrag endet vorzeitig")
        }
    }

    public static func decodeResponse(_ bytes: [UInt8]) throws(SyncWireError) -> SyncResponse {
        var reader = ByteReader(bytes)
        do {
            guard reader.remaining >= 4, Array(try reader.raw(count: 4)) == responseMagic else {
                throw SyncWireError.malformed("Keine Sync-Antwort (Kennung „OZP“ erwartet)")
            }
            let cursor = try reader.varint()
            guard cursor <= UInt64(Int64.max) else { throw SyncWireError.malformed("Cursor zu groß") }
            let more = try reader.byte()
            guard more <= 1 else { throw SyncWireError.malformed("Feld „more“ ungültig") }
            let batch = try ChangeBatchCodec.decode(Array(bytes[reader.offset...]))
            return SyncResponse(cursor: Int64(cursor), more: more == 1, batch: batch)
        } catch let error as SyncWireError {
            throw error
        } catch let error as ChangeBatchDecodingError {
            throw SyncWireError.malformed(error.description)
        } catch {
            throw SyncWireError.malformed("Die Antwort endet vorzeitig")
        }
    }
}

/// A sync body could not be read.
public enum SyncWireError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case unsupportedVersion(UInt64)

    public var description: String {
        switch self {
        case .malformed(let reason): return reason
        case .unsupportedVersion(let version):
            return
                "Protokollversion \(version) wird nicht unterstützt; dieser Server spricht Version \(SyncRequest.protocolVersion)."
        }
    }
}

/// The JSON body of every error answer: `{"error": code, "message": German text}`.
public struct SyncErrorBody: Codable, Sendable, Equatable {
    public var error: String
    public var message: String

    public init(error: String, message: String) {
        self.error = error
        self.message = message
    }
}
