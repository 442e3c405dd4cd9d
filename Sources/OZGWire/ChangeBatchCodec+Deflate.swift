import OZGReplication

/// The batch format compressed for the wire.
extension ChangeBatchCodec {
    /// Encodes and deflates `batch`.
    public static func encodeCompressed(_ batch: ChangeBatch) throws -> [UInt8] {
        try Deflate.compress(encode(batch))
    }

    /// Inflates (at most `maxInflatedBytes`) and decodes.
    public static func decodeCompressed(_ bytes: [UInt8], maxInflatedBytes: Int = 256 << 20) throws -> ChangeBatch {
        let inflated: [UInt8]
        do {
            inflated = try Deflate.decompress(bytes, maxOutputBytes: maxInflatedBytes)
        } catch let error as DeflateError {
            throw ChangeBatchDecodingError(reason: error.description, offset: nil)
        }
        return try decode(inflated)
    }
}
