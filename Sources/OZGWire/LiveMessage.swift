import OZGReplication

/// What the server sends a live client after someone else's push committed (docs/PROTOCOL.md, „Live-Kanal“):
/// the lab's log grew from `fromSequence` to `headSequence`; `batch` holds exactly those changes when
/// they are small, else nil and the client pulls them with an ordinary sync.
///
/// The channel only accelerates: a client whose cursor is not `fromSequence` (it missed a message, or
/// is ahead) syncs instead of applying, so a lost or reordered message loses nothing.
public struct LiveMessage: Sendable, Equatable {
    /// The server sequence before the push (the cursor a client must hold to apply `batch`).
    public var fromSequence: Int64
    /// The server sequence after the push.
    public var headSequence: Int64
    /// The device that pushed.
    public var sender: SiteID
    /// The name of the token that pushed (shown when the device has no author name yet).
    public var tokenName: String
    /// What the server says about `headSequence` as a cursor (docs/PROTOCOL.md, „Cursor-Bindung“):
    /// stored beside the cursor when the batch is applied.
    public var cursorCheck: String
    /// How many changes the push merged (also when `batch` is left out).
    public var changeCount: Int
    /// The log between the two sequences, when it fits `LiveMessage.maxBatchBytes`.
    public var batch: ChangeBatch?

    /// The largest encoded batch a message carries; a larger push is announced without its changes.
    public static let maxBatchBytes = 16 << 10
    /// The largest message a client accepts (batch, header, a token name and a cursor check of at most
    /// 200 bytes each).
    public static let maxMessageBytes = maxBatchBytes + 512

    public init(
        fromSequence: Int64, headSequence: Int64, sender: SiteID, tokenName: String, cursorCheck: String,
        changeCount: Int, batch: ChangeBatch?
    ) {
        self.fromSequence = fromSequence
        self.headSequence = headSequence
        self.sender = sender
        self.tokenName = tokenName
        self.cursorCheck = cursorCheck
        self.changeCount = changeCount
        self.batch = batch
    }

    static let magic: [UInt8] = [0x4F, 0x5A, 0x4C, 0x01]  // "OZL" 1

    /// The message's bytes; the batch travels only when its encoding fits `maxBatchBytes`.
    public static func encode(
        fromSequence: Int64, headSequence: Int64, sender: SiteID, tokenName: String, cursorCheck: String,
        changeCount: Int, batch: ChangeBatch?
    ) -> [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.raw(magic)
        writer.varint(UInt64(max(0, fromSequence)))
        writer.varint(UInt64(max(0, headSequence)))
        writer.raw(sender.bytes)
        for text in [tokenName, cursorCheck] {
            var shortened = text
            while shortened.utf8.count > 200 { shortened.removeLast() }
            writer.string(shortened)
        }
        writer.varint(UInt64(max(0, changeCount)))
        let encoded = batch.map { ChangeBatchCodec.encode($0) }
        if let encoded, encoded.count <= maxBatchBytes {
            writer.byte(1)
            writer.raw(encoded)
        } else {
            writer.byte(0)
        }
        return writer.bytes
    }

    public func encoded() -> [UInt8] {
        Self.encode(
            fromSequence: fromSequence, headSequence: headSequence, sender: sender, tokenName: tokenName,
            cursorCheck: cursorCheck, changeCount: changeCount, batch: batch)
    }

    /// Reads a message; anything else (another kind of frame, a truncated or oversized one) is an error
    /// with the German reason.
    public static func decode(_ bytes: [UInt8]) throws(SyncWireError) -> LiveMessage {
        guard bytes.count <= maxMessageBytes else {
            throw .malformed("Live-Nachricht zu groß (\(bytes.count) Bytes, höchstens \(maxMessageBytes))")
        }
        var reader = ByteReader(bytes)
        do {
            guard reader.remaining >= magic.count, Array(try reader.raw(count: magic.count)) == magic else {
                throw SyncWireError.malformed("Keine Live-Nachricht (Kennung „OZL“ erwartet)")
            }
            let from = try reader.varint()
            let head = try reader.varint()
            guard from <= head, head <= UInt64(Int64.max) else {
                throw SyncWireError.malformed("Live-Nachricht mit ungültigen Sequenzen \(from)…\(head)")
            }
            guard let sender = SiteID(bytes: try reader.raw(count: 16)) else {
                throw SyncWireError.malformed("Live-Nachricht ohne Geräte-ID")
            }
            guard let name = String(validating: try reader.lengthPrefixed(), as: UTF8.self),
                let check = String(validating: try reader.lengthPrefixed(), as: UTF8.self)
            else {
                throw SyncWireError.malformed("Live-Nachricht mit ungültigem Tokennamen oder Cursor-Kennung")
            }
            let count = try reader.varint()
            guard count <= UInt64(Int32.max) else { throw SyncWireError.malformed("Live-Nachricht: Anzahl zu groß") }
            let flag = try reader.byte()
            guard flag <= 1 else { throw SyncWireError.malformed("Live-Nachricht: Feld „Änderungen“ ungültig") }
            let batch = flag == 1 ? try ChangeBatchCodec.decode(Array(bytes[reader.offset...])) : nil
            if flag == 0 && reader.remaining > 0 {
                throw SyncWireError.malformed("Live-Nachricht mit überzähligen Bytes")
            }
            return LiveMessage(
                fromSequence: Int64(from), headSequence: Int64(head), sender: sender, tokenName: name,
                cursorCheck: check, changeCount: Int(count), batch: batch)
        } catch let error as SyncWireError {
            throw error
        } catch let error as ChangeBatchDecodingError {
            throw .malformed("Live-Nachricht: \(error.description)")
        } catch {
            throw .malformed("Die Live-Nachricht endet vorzeitig")
        }
    }
}

extension SiteID {
    /// Reads 32 hex digits (as `hex` writes them); nil for anything else.
    public init?(hex text: String) {
        let digits = Array(text.utf8)
        guard digits.count == 32 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for index in stride(from: 0, to: 32, by: 2) {
            guard let high = Self.hexValue(digits[index]), let low = Self.hexValue(digits[index + 1]) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        self.init(bytes: bytes)
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
