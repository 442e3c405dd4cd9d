import Foundation

#if canImport(Glibc)
    import Glibc

    private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
        Glibc.write(descriptor, pointer, count)
    }
#elseif canImport(Darwin)
    import Darwin

    private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
        Darwin.write(descriptor, pointer, count)
    }
#endif

/// A small raw-mode line editor: cursor keys, Home/End, Ctrl-A/E/B/F/K/U/W/D/L/P/N, history across runs,
/// reverse search with Ctrl-R, Tab completion. Ctrl-C cancels the line, Ctrl-D on an empty line leaves.
///
/// Our own instead of GNU readline (GPL) or libedit (needs a -dev package and a C shim for completion
/// from Swift 6); see docs/SHELL.md.
public final class LineEditor {
    public enum Result: Equatable {
        case line(String)
        case interrupted
        case endOfInput
        /// The wake descriptor became readable while nothing was typed: the caller prints what arrived
        /// and calls `readLine` again, which shows the prompt with the line as it was.
        case woken
    }

    /// What completion offers for the word before the cursor.
    public struct Completion {
        /// Where the word being completed starts (character offset in the line).
        public var wordStart: Int
        /// Each candidate's replacement text and how it is listed.
        public var candidates: [(insert: String, display: String)]

        public init(wordStart: Int, candidates: [(insert: String, display: String)]) {
            self.wordStart = wordStart
            self.candidates = candidates
        }
    }

    public private(set) var history: [String] = []
    let historyFile: String?
    let complete: (String) -> Completion
    static let historyLimit = 1000

    public init(historyFile: String?, complete: @escaping (String) -> Completion) {
        self.historyFile = historyFile
        self.complete = complete
        if let historyFile, let text = try? String(contentsOfFile: historyFile, encoding: .utf8) {
            history = Array(text.split(separator: "\n").map(String.init).suffix(Self.historyLimit))
        }
    }

    /// Reads one line from the terminal in raw mode. With `wake`, returns `.woken` as soon as that
    /// descriptor is readable between keystrokes, and the next call continues the same line.
    public func readLine(prompt: String, wake: Int32? = nil) -> Result {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { return .endOfInput }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        // TCSADRAIN, not TCSAFLUSH: lines typed ahead or pasted while a command ran must not be thrown away.
        tcsetattr(STDIN_FILENO, TCSADRAIN, &raw)
        defer { tcsetattr(STDIN_FILENO, TCSADRAIN, &original) }
        return edit(prompt: prompt, wake: wake)
    }

    /// Adds a line to the history (and the history file).
    public func remember(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, history.last != trimmed else { return }
        history.append(trimmed)
        if let historyFile, let file = fopen(historyFile, "a") {
            fputs(trimmed + "\n", file)
            fclose(file)
        }
    }

    // MARK: - Editing

    private var buffer: [Character] = []
    private var cursor = 0
    /// Set when `edit` returned `.woken`: the next call keeps the line being typed.
    private var resuming = false

    private func output(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = systemWrite(STDOUT_FILENO, bytes.baseAddress, bytes.count) }
    }

    private func readByte() -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count == 1 { return byte }
            if count < 0 && errno == EINTR { continue }
            return nil
        }
    }

    private enum Input {
        case byte(UInt8)
        case wake
    }

    /// The next typed byte, or `.wake` when `wake` is readable and nothing typed waits; nil at the end
    /// of input.
    private func nextInput(wake: Int32?) -> Input? {
        guard let wake else { return readByte().map { .byte($0) } }
        var descriptors = [
            pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&descriptors, 2, -1)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 { return readByte().map { .byte($0) } }
            if descriptors[0].revents != 0 { return readByte().map { .byte($0) } }
            if descriptors[1].revents & Int16(POLLIN) != 0 { return .wake }
            // A wake descriptor that broke (closed, error) must not spin: wait for keys alone.
            if descriptors[1].revents != 0 { return readByte().map { .byte($0) } }
        }
    }

    /// Reads the rest of a UTF-8 sequence that starts with `first`.
    private func readCharacter(_ first: UInt8) -> Character? {
        var bytes = [first]
        let extra = first >= 0xF0 ? 3 : first >= 0xE0 ? 2 : first >= 0xC0 ? 1 : 0
        for _ in 0..<extra {
            guard let next = readByte() else { return nil }
            bytes.append(next)
        }
        return String(validating: bytes, as: UTF8.self)?.first
    }

    /// The prompt names the lab and completion inserts ids, both replicated: shown, never acted on.
    private func redraw(_ prompt: String) {
        var text = "\r" + TerminalText.visible(prompt + String(buffer), lineBreaks: .shown) + "\u{1B}[K"
        let back = buffer.count - cursor
        if back > 0 { text += "\u{1B}[\(back)D" }
        output(text)
    }

    private func edit(prompt: String, wake: Int32?) -> Result {
        if !resuming {
            buffer = []
            cursor = 0
        }
        resuming = false
        var historyIndex = history.count
        var stash: [Character] = []
        redraw(prompt)
        while let input = nextInput(wake: wake) {
            guard case .byte(let byte) = input else {
                resuming = true
                return .woken
            }
            switch byte {
            case 13, 10:
                output("\r\n")
                return .line(String(buffer))
            case 3:
                output("^C\r\n")
                return .interrupted
            case 4:
                if buffer.isEmpty {
                    output("\r\n")
                    return .endOfInput
                }
                if cursor < buffer.count { buffer.remove(at: cursor) }
            case 1: cursor = 0
            case 5: cursor = buffer.count
            case 2: cursor = max(0, cursor - 1)
            case 6: cursor = min(buffer.count, cursor + 1)
            case 11: buffer.removeSubrange(cursor...)
            case 21:
                buffer.removeSubrange(..<cursor)
                cursor = 0
            case 23:
                var start = cursor
                while start > 0 && buffer[start - 1] == " " { start -= 1 }
                while start > 0 && buffer[start - 1] != " " { start -= 1 }
                buffer.removeSubrange(start..<cursor)
                cursor = start
            case 8, 127:
                if cursor > 0 {
                    buffer.remove(at: cursor - 1)
                    cursor -= 1
                }
            case 12: output("\u{1B}[H\u{1B}[2J")
            case 16, 14:
                moveInHistory(byte == 16 ? -1 : 1, index: &historyIndex, stash: &stash)
            case 9:
                completeWord(prompt)
            case 18:
                if let result = reverseSearch(prompt) { return result }
            case 27:
                handleEscape(index: &historyIndex, stash: &stash)
            default:
                if byte >= 32, let character = readCharacter(byte) {
                    buffer.insert(character, at: cursor)
                    cursor += 1
                }
            }
            redraw(prompt)
        }
        output("\r\n")
        return .endOfInput
    }

    private func moveInHistory(_ step: Int, index: inout Int, stash: inout [Character]) {
        let target = index + step
        guard target >= 0, target <= history.count else { return }
        if index == history.count { stash = buffer }
        index = target
        buffer = index == history.count ? stash : Array(history[index])
        cursor = buffer.count
    }

    private func handleEscape(index: inout Int, stash: inout [Character]) {
        guard let second = readByte() else { return }
        guard second == UInt8(ascii: "[") || second == UInt8(ascii: "O") else { return }
        guard var code = readByte() else { return }
        var number = 0
        while code >= UInt8(ascii: "0") && code <= UInt8(ascii: "9") {
            number = number * 10 + Int(code - UInt8(ascii: "0"))
            guard let next = readByte() else { return }
            code = next
        }
        switch (code, number) {
        case (UInt8(ascii: "A"), _): moveInHistory(-1, index: &index, stash: &stash)
        case (UInt8(ascii: "B"), _): moveInHistory(1, index: &index, stash: &stash)
        case (UInt8(ascii: "C"), _): cursor = min(buffer.count, cursor + 1)
        case (UInt8(ascii: "D"), _): cursor = max(0, cursor - 1)
        case (UInt8(ascii: "H"), _), (UInt8(ascii: "~"), 1), (UInt8(ascii: "~"), 7): cursor = 0
        case (UInt8(ascii: "F"), _), (UInt8(ascii: "~"), 4), (UInt8(ascii: "~"), 8): cursor = buffer.count
        case (UInt8(ascii: "~"), 3): if cursor < buffer.count { buffer.remove(at: cursor) }
        default: break
        }
    }

    private func completeWord(_ prompt: String) {
        let before = String(buffer[..<cursor])
        let completion = complete(before)
        let start = min(max(0, completion.wordStart), cursor)
        let typed = String(buffer[start..<cursor])
        let candidates = completion.candidates.filter { $0.insert.hasPrefix(typed) }
        guard !candidates.isEmpty else {
            output("\u{07}")
            return
        }
        var common = candidates[0].insert
        for candidate in candidates.dropFirst() {
            common = String(zip(common, candidate.insert).prefix { $0 == $1 }.map(\.0))
        }
        var insert = common
        if candidates.count == 1, !(insert.hasSuffix("=") || insert.hasSuffix(";")) { insert += " " }
        if insert.count > typed.count {
            buffer.replaceSubrange(start..<cursor, with: Array(insert))
            cursor = start + insert.count
        } else if candidates.count > 1 {
            let listing = candidates.prefix(40).map { TerminalText.visible($0.display, lineBreaks: .shown) }
                .joined(separator: "\r\n")
            output("\r\n" + listing + (candidates.count > 40 ? "\r\n… (\(candidates.count) Treffer)" : "") + "\r\n")
        }
    }

    /// Ctrl-R: searches the history backwards for what is typed; Enter runs the match, Esc keeps it for editing.
    private func reverseSearch(_ prompt: String) -> Result? {
        var query = ""
        var index = history.count
        var match = ""
        func find(from start: Int) {
            var position = start - 1
            while position >= 0 {
                if query.isEmpty || history[position].contains(query) {
                    index = position
                    match = history[position]
                    return
                }
                position -= 1
            }
        }
        func show() {
            let line = TerminalText.visible("(Suche im Verlauf) '\(query)': \(match)", lineBreaks: .shown)
            output("\r" + line + "\u{1B}[K")
        }
        show()
        while let byte = readByte() {
            switch byte {
            case 18: find(from: index)
            case 13, 10:
                output("\r\n")
                return .line(match)
            case 3:
                output("^C\r\n")
                return .interrupted
            case 7, 27:
                buffer = Array(match)
                cursor = buffer.count
                return nil
            case 8, 127:
                if !query.isEmpty { query.removeLast() }
                find(from: history.count)
            default:
                if byte >= 32, let character = readCharacter(byte) {
                    query.append(character)
                    find(from: min(index + 1, history.count))
                } else {
                    buffer = Array(match)
                    cursor = buffer.count
                    return nil
                }
            }
            show()
        }
        return .endOfInput
    }
}
