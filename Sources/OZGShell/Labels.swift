import OZGDomain
import OZGReplication
import OZGSyncClient

// The German words the shell shows for the library's typed kinds, and the hints that name shell
// commands. The library returns structured values and errors; what to type next is the shell's to say.

extension HistoryEntry.Kind {
    var label: String {
        switch self {
        case .created: "angelegt"
        case .compacted: "Stand bei Verdichtung"
        case .changed: "geändert"
        case .deleted: "gelöscht"
        case .restored: "wiederhergestellt"
        }
    }
}

extension ConflictStatus {
    var label: String {
        switch self {
        case .open: "offen"
        case .resolved: "geloest"
        }
    }
}

extension CheckFinding.Kind {
    var label: String {
        switch self {
        case .orphan: "waise"
        case .danglingReference: "verweis"
        case .vertrauensniveau: "vertrauensniveau"
        case .processError: "prozessfehler"
        case .process: "prozess"
        case .completeness: "vollstaendigkeit"
        case .conflict: "konflikt"
        case .phase: "phase"
        case .consent: "einverstaendnis"
        case .evidence: "beleg"
        }
    }
}

extension CheckFinding {
    /// The finding's message with what to type next, where a command helps.
    var messageWithHint: String {
        switch kind {
        case .conflict: message + " „conflicts“ zeigt sie, „resolve“ löst sie."
        default: message
        }
    }
}

enum Hints {
    /// The library's message for `error`, followed by the shell command that helps, if one does.
    static func message(for error: any Error) -> String {
        switch error {
        case DomainError.noCurrentLab:
            return "\(error) Mit „labor use <id>“ wählen oder mit „labor add …“ anlegen."
        case ReplicaError.rowDeleted:
            return "\(error) Mit „restore“ lässt er sich wiederherstellen."
        case SyncClientError.network:
            return "\(error) Später erneut „sync“ ausführen; nichts geht verloren."
        case SyncClientError.rejected(let status, _, _) where status == 401:
            return "\(error) Bitte ein gültiges Token mit „remote set … token=…“ eintragen."
        default:
            // Foundation's and the C library's own texts are English; the shell names the reason itself.
            if let reason = SystemReason.text(for: error) { return "Systemfehler: \(reason)." }
            return "\(error)"
        }
    }
}
