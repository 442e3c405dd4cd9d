import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sync token of one replica, in a file of its own next to it: `<replica>.token`, mode 0600.
///
/// Not in the replica: the replica file is readable by others (0644), is copied, mailed and backed up,
/// and `query` reads every table in it. The token file is written whole with mode 0600 (`AtomicFile`)
/// and, like ssh's private keys, refused when it is a link, not a regular file, owned by someone else
/// or readable by group or others.
///
/// ```swift
/// try TokenFile(replicaPath: "labor.ozg").store("olt_abc_123")   // labor.ozg.token
/// ```
struct TokenFile {
    /// Appended to the replica's path.
    static let suffix = ".token"
    /// The local setting where earlier versions kept the token, in the replica.
    static let legacySetting = "remote.token"

    let path: String

    init(replicaPath: String) {
        path = replicaPath + Self.suffix
    }

    /// Stores `token`, readable by the owner only.
    func store(_ token: String) throws(ShellError) {
        try AtomicFile.write(Array((token + "\n").utf8), to: path, permissions: 0o600)
    }

    /// The stored token, or nil when there is no token file.
    func load() throws(ShellError) -> String? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            switch errno {
            case ENOENT: return nil
            case ELOOP:
                throw .failed("„\(path)“ ist ein symbolischer Verweis; das Token wird nur aus einer Datei gelesen.")
            case let code:
                throw .failed("Die Token-Datei „\(path)“ lässt sich nicht lesen: \(SystemReason.text(errno: code)).")
            }
        }
        defer { close(descriptor) }
        // Checked on the open file, so it cannot be swapped between check and read.
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw .failed("„\(path)“ ist keine gewöhnliche Datei; dort wird das Sync-Token erwartet.")
        }
        guard status.st_uid == geteuid() else {
            throw .failed("Die Token-Datei „\(path)“ gehört einem anderen Benutzer; sie wird nicht verwendet.")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw .failed(
                "Die Token-Datei „\(path)“ ist für andere lesbar (Rechte \(String(status.st_mode & 0o777, radix: 8))); "
                    + "erlaubt ist nur der Eigentümer: „chmod 600 \(path)“ "
                    + "oder das Token mit „remote set“ neu eintragen.")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw .failed("Die Token-Datei „\(path)“ lässt sich nicht lesen: \(SystemReason.text(errno: errno)).")
            }
            if count == 0 { break }
            bytes += chunk[..<count]
            guard bytes.count <= 4096 else { throw .failed("Die Token-Datei „\(path)“ ist zu groß für ein Token.") }
        }
        let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }
}
