import CZlib
import OZGReplication

/// zlib-format deflate compression (HTTP `Content-Encoding: deflate`), with a bound on inflated size.
///
/// ```swift
/// let packed = try Deflate.compress(bytes)
/// let original = try Deflate.decompress(packed, maxOutputBytes: 64 << 20)
/// ```
public enum Deflate {
    /// Compresses `input` at `level` (0–9).
    public static func compress(_ input: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        guard ozg_deflate_init(&stream, level) == Z_OK else { throw DeflateError.failed("deflateInit") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw DeflateError.failed("deflate \(status)") }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Inflates zlib-format `input`; throws when it is not valid or would exceed `maxOutputBytes`.
    public static func decompress(_ input: [UInt8], maxOutputBytes: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard ozg_inflate_init(&stream) == Z_OK else { throw DeflateError.failed("inflateInit") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        return try input.withUnsafeMutableBufferPointer { inBuffer -> [UInt8] in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            while true {
                let (status, produced): (Int32, Int) = chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = UInt32(outBuffer.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, outBuffer.count - Int(stream.avail_out))
                }
                if output.count + produced > maxOutputBytes { throw DeflateError.tooLarge(limit: maxOutputBytes) }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END:
                    guard stream.avail_in == 0 else { throw DeflateError.invalid }
                    return output
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: the input ended before the stream did.
                    if produced == 0 { throw DeflateError.invalid }
                default:
                    throw DeflateError.invalid
                }
            }
        }
    }
}

/// Compression failed or compressed input was unusable.
public enum DeflateError: Error, Sendable, CustomStringConvertible, Equatable {
    case invalid
    case tooLarge(limit: Int)
    case failed(String)

    public var description: String {
        switch self {
        case .invalid:
            return "Die komprimierten Daten sind ungültig oder unvollständig (erwartet: zlib/deflate)."
        case .tooLarge(let limit):
            return "Die entpackten Daten überschreiten die erlaubte Größe von \(limit) Bytes."
        case .failed(let detail):
            return "Komprimierung fehlgeschlagen (\(detail))."
        }
    }
}
