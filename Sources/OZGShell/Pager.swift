import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Long tables in the interactive shell, like psql and git show them: a table taller than the
/// terminal goes through the user's pager (`$PAGER`, else `less -FRX`); without one, the first
/// screen is shown with the number of lines left out and how to see them all.
public enum Pager {
    /// Shows `text` (already made safe for the terminal) on standard output.
    public static func show(_ text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let count = lines.last == "" ? lines.count - 1 : lines.count
        guard let rows = terminalRows(), count > rows - 1 else {
            try? StandardStream.output(text)
            return
        }
        if let command = command(), run(command, text) { return }
        let shown = max(rows - 3, 1)
        try? StandardStream.output(
            lines.prefix(shown).joined(separator: "\n") + "\n"
                + "… noch \(count - shown) Zeilen (alle: Paket less installieren oder PAGER setzen).\n")
    }

    /// The terminal's height, or nil when standard output is no terminal.
    static func terminalRows() -> Int? {
        var size = winsize()
        guard isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else {
            return nil
        }
        return Int(size.ws_row)
    }

    /// `$PAGER` when set (empty or `cat`: none), else `less -FRX` when installed.
    static func command() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let pager = environment["PAGER"]?.trimmingCharacters(in: .whitespaces) {
            return pager.isEmpty || pager == "cat" ? nil : pager
        }
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        let found = path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/less") }
        return found ? "less -FRX" : nil
    }

    /// Runs the pager with `text` on its standard input; false when it could not start.
    ///
    /// Through popen, so the pager stays in the shell's process group and reads keys from the
    /// terminal (Foundation's Process starts children in a group of their own, where a pager that
    /// reads the terminal is stopped).
    static func run(_ command: String, _ text: String) -> Bool {
        if getenv("LESSCHARSET") == nil { setenv("LESSCHARSET", "utf-8", 0) }
        guard let pipe = popen(command, "w") else { return false }
        // Quitting the pager early closes the pipe: that must end the writing, not the shell.
        let previous = signal(SIGPIPE, SIG_IGN)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, pipe) }
        let status = pclose(pipe)
        signal(SIGPIPE, previous)
        // 127: the shell found no such command; show the text another way.
        return status != -1 && (status >> 8) & 0xff != 127
    }
}
