import OZGReplication

/// One sync round trip: the client's push and where its pull should start.
public struct SyncRequest: Sendable, Equatable {
    public static let protocolVersion: UInt64 = 2

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

/// The binary bodies of the sync protocol (before deflate; the version travels in the request); see docs/PROTOCOL.md.
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
        let (header, batch) = try decodeEnvelope(
            bytes, magic: requestMagic, notThis: "Kein Sync-Auftrag (Kennung „OZQ“ erwartet)",
            truncated: "Der Auftrag endet vorzeitig"
        ) { reader in
            let version = try reader.varint()
            guard version == SyncRequest.protocolVersion else { throw SyncWireError.unsupportedVersion(version) }
            guard let site = SiteID(bytes: try reader.raw(count: 16)) else {
                throw SyncWireError.malformed("Geräte-ID fehlt")
            }
            return (version: version, site: site, cursor: try readCursor(&reader))
        }
        return SyncRequest(protocolVersion: header.version, site: header.site, cursor: header.cursor, batch: batch)
    }

    /// Decodes a server's answer (the client's side of the round trip).
    public static func decodeResponse(_ bytes: [UInt8]) throws(SyncWireError) -> SyncResponse {
        let (header, batch) = try decodeEnvelope(
            bytes, magic: responseMagic, notThis: "Keine Sync-Antwort (Kennung „OZP“ erwartet)",
            truncated: "Die Antwort endet vorzeitig"
        ) { reader in
            let cursor = try readCursor(&reader)
            let more = try reader.byte()
            guard more <= 1 else { throw SyncWireError.malformed("Feld „more“ ungültig") }
            return (cursor: cursor, more: more == 1)
        }
        return SyncResponse(cursor: header.cursor, more: header.more, batch: batch)
    }

    /// The frame both bodies share: magic, a header read by `readHeader`, then a change batch to the end.
    /// Every failure becomes a `SyncWireError`; running out of bytes is reported as `truncated`.
    private static func decodeEnvelope<Header>(
        _ bytes: [UInt8], magic: [UInt8], notThis: String, truncated: String,
        header readHeader: (inout ByteReader) throws -> Header
    ) throws(SyncWireError) -> (Header, ChangeBatch) {
        var reader = ByteReader(bytes)
        do {
            guard reader.remaining >= magic.count, Array(try reader.raw(count: magic.count)) == magic else {
                throw SyncWireError.malformed(notThis)
            }
            let header = try readHeader(&reader)
            return (header, try ChangeBatchCodec.decode(Array(bytes[reader.offset...])))
        } catch let error as SyncWireError {
            throw error
        } catch let error as ChangeBatchDecodingError {
            throw SyncWireError.malformed(error.description)
        } catch {
            throw SyncWireError.malformed(truncated)
        }
    }

    /// A server sequence number: a varint that must fit an `Int64`.
    private static func readCursor(_ reader: inout ByteReader) throws -> Int64 {
        let cursor = try reader.varint()
        guard cursor <= UInt64(Int64.max) else { throw SyncWireError.malformed("Cursor zu groß") }
        return Int64(cursor)
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
            if version < SyncRequest.protocolVersion {
                return
                    "Protokollversion \(version) wird nicht mehr unterstützt; dieser Server spricht Version \(SyncRequest.protocolVersion) "
                    + "(genaue Konflikte unter vielen Schreibenden). Bitte OZG Labor-Sync auf diesem Gerät aktualisieren; "
                    + "die lokale Datei und ihre noch nicht übertragenen Änderungen bleiben erhalten."
            }
            return
                "Protokollversion \(version) wird nicht unterstützt; dieser Server spricht Version \(SyncRequest.protocolVersion). "
                + "Bitte den Server aktualisieren."
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
