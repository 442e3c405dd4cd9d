import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the system refused a file operation, in German.
///
/// The C library and Foundation describe failures in English on Linux („No such file or directory“,
/// „The operation could not be completed. The file doesn’t exist.“). The shell never passes those on:
/// it names the file and what failed itself, and takes only the error code from the system.
///
/// ```swift
/// SystemReason.text(errno: ENOSPC)                  // "der Datenträger ist voll"
/// throw ShellError.file("labor.json", cannot: "lesen", error)
/// // Die Datei „labor.json“ lässt sich nicht lesen: nicht vorhanden (…).
/// ```
public enum SystemReason {
    /// The reason for a POSIX error code; codes without a German text are named by number.
    public static func text(errno code: Int32) -> String {
        switch code {
        case ENOENT: "nicht vorhanden (die Datei oder ein Verzeichnis im Pfad fehlt)"
        case EACCES: "keine Berechtigung (die Dateirechte erlauben es diesem Benutzer nicht)"
        case EPERM: "nicht erlaubt (Dateirechte oder Dateiattribute verbieten es)"
        case EISDIR: "das ist ein Verzeichnis, keine Datei"
        case ENOTDIR: "ein Teil des Pfads ist kein Verzeichnis"
        case ENOSPC: "der Datenträger ist voll"
        case EDQUOT: "das Speicherkontingent (Quota) ist ausgeschöpft"
        case EROFS: "der Datenträger ist schreibgeschützt"
        case EEXIST: "eine Datei dieses Namens gibt es schon"
        case ENAMETOOLONG: "der Pfad oder ein Name darin ist zu lang"
        case ELOOP: "zu viele symbolische Verweise im Pfad"
        case EMFILE, ENFILE: "zu viele geöffnete Dateien"
        case EIO: "Ein-/Ausgabefehler des Datenträgers"
        case EFBIG: "die Datei würde zu groß"
        case EBUSY, ETXTBSY: "die Datei ist gerade in Benutzung"
        case EAGAIN: "vorübergehend nicht möglich; bitte erneut versuchen"
        case ENXIO, ENODEV: "kein passendes Gerät"
        case EINVAL: "ungültiger Name oder Vorgang"
        case EXDEV: "Quelle und Ziel liegen auf verschiedenen Datenträgern"
        case EPIPE: "der Empfänger hat die Verbindung geschlossen"
        case EBADF: "die Datei ist nicht geöffnet"
        case ENOMEM: "nicht genug Arbeitsspeicher"
        default: "Systemfehler Nr. \(code)"
        }
    }

    /// The reason for an error of Foundation (`CocoaError`, `NSError`) or the system (`POSIXError`),
    /// nil for other errors. A Foundation error that wraps a POSIX error is named by that (more exact) code.
    public static func text(for error: any Error) -> String? {
        if let error = error as? POSIXError { return text(errno: error.code.rawValue) }
        let error = error as NSError
        switch error.domain {
        case NSPOSIXErrorDomain: return text(errno: Int32(truncatingIfNeeded: error.code))
        case NSCocoaErrorDomain:
            // On Linux the underlying error may be a `POSIXError` value rather than an `NSError`.
            if let underlying = error.userInfo[NSUnderlyingErrorKey] as? any Error,
                let reason = text(for: underlying)
            {
                return reason
            }
            return cocoaText(CocoaError.Code(rawValue: error.code))
        default: return nil
        }
    }

    /// The reason for a Foundation error code that carries no POSIX error.
    static func cocoaText(_ code: CocoaError.Code) -> String {
        switch code {
        case .fileNoSuchFile, .fileReadNoSuchFile: text(errno: ENOENT)
        case .fileReadNoPermission, .fileWriteNoPermission: text(errno: EACCES)
        case .fileWriteOutOfSpace: text(errno: ENOSPC)
        case .fileWriteVolumeReadOnly: text(errno: EROFS)
        case .fileWriteFileExists: text(errno: EEXIST)
        case .fileReadTooLarge: "die Datei ist zu groß zum Lesen"
        case .fileReadInvalidFileName, .fileWriteInvalidFileName: "ungültiger Dateiname"
        case .fileLocking: "die Datei ist gesperrt"
        case .fileReadCorruptFile: "der Inhalt hat nicht das erwartete Format"
        case .fileReadInapplicableStringEncoding, .fileReadUnknownStringEncoding,
            .fileWriteInapplicableStringEncoding:
            "der Inhalt ist kein Text in der erwarteten Kodierung (UTF-8)"
        default: "Systemfehler Nr. \(code.rawValue) (Foundation)"
        }
    }
}

extension ShellError {
    /// A file the shell could not read or write: „Die Datei „labor.json“ lässt sich nicht lesen: …“.
    public static func file(_ path: String, cannot action: String, errno code: Int32) -> ShellError {
        .failed("Die Datei „\(path)“ lässt sich nicht \(action): \(SystemReason.text(errno: code)).")
    }

    /// The same for a Foundation error; one that is not a system error is named without its (English) text.
    public static func file(_ path: String, cannot action: String, _ error: any Error) -> ShellError {
        .failed(
            "Die Datei „\(path)“ lässt sich nicht \(action): \(SystemReason.text(for: error) ?? "unbekannter Fehler").")
    }
}
