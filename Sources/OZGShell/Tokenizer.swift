/// Splits a command line into words: whitespace separates, double quotes group (`name="Erika Muster"`),
/// `#` outside quotes starts a comment. Inside quotes `\"` and `\\` stand for `"` and `\`; any other
/// backslash is kept, so `"C:\Labor\v1.fig"` loses nothing (it used to be dropped). Outside quotes a
/// backslash is an ordinary character: `link=\\server\labor\v1.fig` is taken as typed.
public enum Tokenizer {
    public static func split(_ line: String) throws(ShellError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var inQuotes = false
        var escaped = false
        for character in line {
            if escaped {
                escaped = false
                if character == "\"" || character == "\\" {
                    current.append(character)
                    continue
                }
                // Not an escape: the backslash stays, the character is read as usual.
                current.append("\\")
            }
            if inQuotes {
                switch character {
                case "\\": escaped = true
                case "\"": inQuotes = false
                default: current.append(character)
                }
                continue
            }
            switch character {
            case "\"":
                inQuotes = true
                inWord = true
            case "#" where !inWord:
                return words
            case " ", "\t", "\r", "\n":
                if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
            default:
                current.append(character)
                inWord = true
            }
        }
        if inQuotes {
            throw .usage(
                "Anführungszeichen nicht geschlossen: Werte mit Leerzeichen stehen in \"…\", ein \" darin als \\\".")
        }
        if inWord { words.append(current) }
        return words
    }

    /// Splits `feld=wert` words into a dictionary; other words are an error naming the word.
    public static func assignments(_ words: ArraySlice<String>, command: String) throws(ShellError) -> [String: String]
    {
        var result: [String: String] = [:]
        for word in words {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                throw .usage("„\(word)“ ist keine Angabe der Form feld=wert (Befehl: \(command)).")
            }
            result[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        return result
    }
}

/// A shell error: usage errors (exit code 2) or failures of a command (exit code 1).
public enum ShellError: Error, Equatable, CustomStringConvertible {
    case usage(String)
    case failed(String)

    public var description: String {
        switch self {
        case .usage(let message), .failed(let message): return message
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .usage: return 2
        case .failed: return 1
        }
    }
}
