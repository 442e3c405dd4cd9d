import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file `export … out=DATEI` writes to, checked before anything is written.
///
/// An export must never destroy the data it came from, nor write where the person did not mean to:
/// - the open replica, its SQLite files (`-wal`, `-shm`, `-journal`) and its token file are refused,
///   however they are named — compared as real paths (`./labor.ozg`, a path through a linked
///   directory) and, for existing files, by device and inode (a hard link);
/// - a symbolic link is refused, not followed; so is anything that is not a regular file
///   (directory, device such as `/dev/null`, FIFO, socket);
/// - an existing regular file is only replaced when the person agreed (`ueberschreiben=ja`, or the
///   question in the interactive shell).
struct ExportTarget {
    /// The path as given.
    let path: String
    /// The permissions of the existing file it replaces, nil for a new file.
    let existingPermissions: mode_t?

    /// The suffixes that name the replica's own files next to it.
    static let replicaFileSuffixes = ["", "-wal", "-shm", "-journal", TokenFile.suffix]

    /// Checks `path` against the replica at `replicaPath`; throws when it must not be written.
    init(_ path: String, replicaPath: String) throws(ShellError) {
        self.path = path
        let (directory, name) = AtomicFile.split(path)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw .failed("„\(path)“ ist ein Verzeichnis; export schreibt nur in eine Datei, z. B. out=steckbrief.md.")
        }
        guard let realDirectory = Self.realPath(directory) else {
            let code = errno
            throw .failed(
                code == ENOENT
                    ? "Das Verzeichnis „\(directory)“ für „\(path)“ gibt es nicht."
                    : "Das Verzeichnis „\(directory)“ für „\(path)“ lässt sich nicht öffnen: "
                        + "\(SystemReason.text(errno: code)).")
        }
        let protected = Self.replicaFiles(replicaPath)
        let target = (realDirectory == "/" ? "" : realDirectory) + "/" + name
        if let file = protected.first(where: { $0.path == target }) {
            throw Self.refusal(path, file.path)
        }
        var status = stat()
        guard lstat(path, &status) == 0 else {
            guard errno == ENOENT else { throw AtomicFile.failure(path, errno) }
            existingPermissions = nil
            return
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK:
            throw .failed(
                "„\(path)“ ist ein symbolischer Verweis; export folgt keinen Verweisen. "
                    + "Bitte das eigentliche Ziel oder einen neuen Dateinamen angeben.")
        case S_IFDIR:
            throw .failed("„\(path)“ ist ein Verzeichnis; export schreibt nur in eine Datei, z. B. out=steckbrief.md.")
        default:
            throw .failed(
                "„\(path)“ ist keine gewöhnliche Datei (Gerät, FIFO oder Socket); "
                    + "export schreibt nur in gewöhnliche Dateien.")
        }
        if let file = protected.first(where: { $0.device == status.st_dev && $0.inode == status.st_ino }) {
            throw Self.refusal(path, file.path)
        }
        existingPermissions = status.st_mode & 0o7777
    }

    /// Whether a file is already there, so writing replaces it.
    var exists: Bool { existingPermissions != nil }

    /// Writes the export; an existing file keeps its permissions.
    func write(_ text: String) throws(ShellError) {
        try AtomicFile.write(Array(text.utf8), to: path, permissions: existingPermissions)
    }

    /// The replica's files as real paths, with device and inode where they exist.
    static func replicaFiles(_ replicaPath: String) -> [(path: String, device: dev_t?, inode: ino_t?)] {
        let (directory, name) = AtomicFile.split(replicaPath)
        let real = realPath(replicaPath) ?? ((realPath(directory) ?? directory) + "/" + name)
        return replicaFileSuffixes.map { suffix in
            var status = stat()
            let exists = stat(replicaPath + suffix, &status) == 0
            return (real + suffix, exists ? status.st_dev : nil, exists ? status.st_ino : nil)
        }
    }

    static func refusal(_ path: String, _ file: String) -> ShellError {
        .failed(
            "„\(path)“ ist "
                + (file.hasSuffix(TokenFile.suffix)
                    ? "die Token-Datei des Replikats"
                    : "die geöffnete Replikatdatei oder eine ihrer SQLite-Dateien")
                + " (\(file)); ein Export dorthin würde sie zerstören. Bitte einen anderen Dateinamen wählen.")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
