#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The shell's standard output and standard error, written with `write(2)`.
///
/// `FileHandle.standardOutput.write(_:)` stops the program with Foundation's English message and a
/// crash report when the write fails („There isn’t enough space“ on a full disk, `> /dev/full`).
/// Here a failed write of the output is an error the shell reports in German, on standard error.
///
/// ```swift
/// try StandardStream.output("Geschrieben: steckbrief.md\n")
/// StandardStream.error("Fehler: …\n")
/// ```
public enum StandardStream {
    /// Writes `text` to standard output, whole; throws „Die Ausgabe lässt sich nicht schreiben: …“.
    public static func output(_ text: String) throws(ShellError) {
        if let code = writeAll(Array(text.utf8), to: STDOUT_FILENO) {
            throw .failed("Die Ausgabe lässt sich nicht schreiben: \(SystemReason.text(errno: code)).")
        }
    }

    /// Writes `text` to standard error as far as it goes: a failure there has nowhere left to be told.
    public static func error(_ text: String) {
        _ = writeAll(Array(text.utf8), to: STDERR_FILENO)
    }

    /// Standard input, line by line, for scripts.
    ///
    /// `Swift.readLine()` ends on a read error as on the end of input, so `ozg-shell < verzeichnis` ran
    /// nothing and succeeded; here the error is thrown („Die Eingabe lässt sich nicht lesen: …“).
    /// Like `readLine(strippingNewline: true)`, a line loses its `\n` or `\r\n`.
    public struct Lines {
        private var buffer: [UInt8] = []
        private var start = 0
        private var ended = false

        public init() {}

        /// The next line, nil at the end of input.
        public mutating func next() throws(ShellError) -> String? {
            while true {
                if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    defer { start = newline + 1 }
                    return Self.text(buffer[start..<newline])
                }
                if ended {
                    guard start < buffer.count else { return nil }
                    defer { start = buffer.count }
                    return Self.text(buffer[start...])
                }
                buffer.removeFirst(start)
                start = 0
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                let count = read(STDIN_FILENO, &chunk, chunk.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw .failed("Die Eingabe lässt sich nicht lesen: \(SystemReason.text(errno: errno)).")
                }
                if count == 0 { ended = true } else { buffer += chunk[..<count] }
            }
        }

        private static func text(_ bytes: ArraySlice<UInt8>) -> String {
            String(decoding: bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes, as: UTF8.self)
        }
    }
}

/// Writes all of `bytes` to `descriptor`, retrying after signals; the error code when a write fails.
func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { buffer in
            systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        }
        if written < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += written
    }
    return nil
}

#if canImport(Glibc)
    private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        Glibc.write(descriptor, pointer, count)
    }
#elseif canImport(Darwin)
    private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        Darwin.write(descriptor, pointer, count)
    }
#endif
