#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the replica file at a path cannot be opened or created, found by looking at the file and its
/// directory.
///
/// SQLite reports only that it cannot open the file, or that it is read-only – also when the file is
/// writable but its directory is not, where SQLite must create `-wal` and `-shm` next to it. The shell
/// looks for the cause so that the message names it: a missing directory, a directory in place of the
/// file, missing permissions.
///
/// ```swift
/// ReplicaLocation.problem("fehlt/labor.ozg")   // "das Verzeichnis „fehlt“ gibt es nicht"
/// ```
enum ReplicaLocation {
    /// The cause, or nil when the file and its directory look usable (then SQLite's reason stands).
    static func problem(_ path: String) -> String? {
        var status = stat()
        if stat(path, &status) == 0 {
            switch status.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: return "„\(path)“ ist ein Verzeichnis, keine Datei"
            default: return "„\(path)“ ist keine gewöhnliche Datei"
            }
            if access(path, R_OK | W_OK) != 0 {
                let code = errno
                return code == EACCES
                    ? "dieser Benutzer darf sie nicht lesen und schreiben (Dateirechte)"
                    : SystemReason.text(errno: code)
            }
        } else if errno != ENOENT {
            return SystemReason.text(errno: errno)
        }
        let (directory, name) = AtomicFile.split(path)
        guard stat(directory, &status) == 0 else {
            return errno == ENOENT
                ? "das Verzeichnis „\(directory)“ gibt es nicht"
                : "das Verzeichnis „\(directory)“: \(SystemReason.text(errno: errno))"
        }
        guard status.st_mode & S_IFMT == S_IFDIR else { return "„\(directory)“ ist kein Verzeichnis" }
        if access(directory, W_OK | X_OK) != 0 {
            let code = errno
            return code == EACCES
                ? "im Verzeichnis „\(directory)“ darf dieser Benutzer keine Dateien anlegen; SQLite braucht dort "
                    + "neben der Datei auch „\(name)-wal“ und „\(name)-shm“"
                : "das Verzeichnis „\(directory)“: \(SystemReason.text(errno: code))"
        }
        return nil
    }
}
