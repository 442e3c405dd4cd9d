import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a whole file or nothing: a temporary file in the same directory, renamed over the target.
///
/// A failed or interrupted write leaves the target as it was and no half file. `rename` replaces the
/// directory entry and never follows a symbolic link at the target, so the write cannot be redirected
/// through a link planted after the checks (`ExportTarget`).
///
/// ```swift
/// try AtomicFile.write(Array("# Steckbrief\n".utf8), to: "steckbrief.md")
/// ```
enum AtomicFile {
    /// Writes `bytes` to `path`. A new file gets `permissions` if given, else 0666 less the umask
    /// (usually 0644), as any program's new file does.
    static func write(_ bytes: [UInt8], to path: String, permissions: mode_t? = nil) throws(ShellError) {
        let (directory, name) = split(path)
        let temporary = directory + "/." + name + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions ?? 0o666)
        guard descriptor >= 0 else { throw failure(path, errno) }
        var done = false
        defer {
            if !done {
                close(descriptor)
                unlink(temporary)
            }
        }
        // The umask only narrows; a file that must be private says so explicitly.
        if let permissions, fchmod(descriptor, permissions) != 0 { throw failure(path, errno) }
        if let code = writeAll(bytes, to: descriptor) { throw failure(path, code) }
        guard fsync(descriptor) == 0 else { throw failure(path, errno) }
        done = true
        guard close(descriptor) == 0, rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw failure(path, code)
        }
    }

    /// The directory part (`.` when there is none) and the last component of `path`.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    static func failure(_ path: String, _ code: Int32) -> ShellError {
        .file(path, cannot: "schreiben", errno: code)
    }
}
