import Foundation
import OZGDomain
import OZGReplication
import OZGStorage

extension Interpreter {
    /// Read-only SQL on a separate read-only connection, so it can never bypass change capture.
    ///
    /// One statement only: SQLite compiles the first and would silently skip the rest. The statement
    /// is classified before it runs (`DatabaseReader`): `VACUUM INTO 'datei'` would otherwise create
    /// the file at its first step, before the read-only connection refuses to write.
    func query(_ input: String) throws {
        let sql = SQLText.droppingLeadingSeparators(input)
        guard !sql.isEmpty else { throw ShellError.usage("Aufruf: query <SQL>, z. B. query SELECT name FROM persona") }
        let connection: Database
        do {
            connection = try Database(path: path, mode: .readOnly)
        } catch {
            throw ShellError.failed("Die Datei lässt sich nicht lesend öffnen: \(error)")
        }
        defer { connection.close() }
        do {
            let statement = try DatabaseReader(connection).statement(sql)
            guard SQLText.droppingLeadingSeparators(statement.unparsedTail).isEmpty else {
                throw ShellError.usage(
                    "„query“ führt genau eine SQL-Anweisung aus; nach der ersten folgt noch "
                        + "„\(statement.unparsedTail.trimmingCharacters(in: .whitespacesAndNewlines).prefix(40))“. "
                        + "Bitte jede Anweisung mit einem eigenen „query“ ausführen.")
            }
            let columns = statement.columnNames
            let rows = try statement.rows([]) { row in (0..<columns.count).map { row.value($0).plainText } }
            printTable(ResultTable(columns: columns, rows: rows).render(format))
        } catch let error as DatabaseError where error.resultCode == .readOnly {
            throw ShellError.failed(
                "„query“ liest nur. Änderungen gehen über die Befehle (add, set, delete, …), "
                    + "damit sie synchronisiert werden. (SQLite: \(error.message))")
        } catch let error as DatabaseError {
            throw ShellError.failed("SQL-Fehler: \(error.message)")
        }
    }

    func importFile(_ arguments: [String]) throws {
        guard arguments.count >= 2, arguments[0] == "json" else {
            throw ShellError.usage("Aufruf: import json DATEI [neue_ids=ja]")
        }
        let options = try Tokenizer.assignments(arguments.dropFirst(2), command: "import")
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
        } catch {
            throw ShellError.file(arguments[1], cannot: "lesen", error)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ShellError.failed(
                "Die Datei „\(arguments[1])“ lässt sich nicht lesen: sie ist kein UTF-8-Text "
                    + "(„export json“ schreibt UTF-8).")
        }
        let lab = try JSONImport.load(text, into: store, newIDs: options["neue_ids"] == "ja")
        try replica.setLocalSetting(Self.currentLabSetting, lab)
        print(lab)
    }

    /// Finds the table holding a row id or a unique prefix of one (visible or deleted).
    func locate(_ prefix: String) throws -> (Entity, String) {
        var matches: [(Entity, String)] = []
        for entity in Domain.entities {
            let visible = try replica.read { db in
                try db.rows(
                    "SELECT id FROM \"\(entity.key)\" WHERE substr(id, 1, ?) = ?",
                    [.integer(Int64(prefix.utf8.count)), .text(prefix)]
                ) { $0.text(0) ?? "" }
            }
            let deleted = try replica.deletedRows(table: entity.key).map(\.id).filter { $0.hasPrefix(prefix) }
            matches += (visible + deleted).map { (entity, $0) }
        }
        if let exact = matches.first(where: { $0.1 == prefix }) { return exact }
        guard !matches.isEmpty else { throw ShellError.failed("Keine Zeile mit der ID „\(prefix)“ gefunden.") }
        guard matches.count == 1 else {
            throw ShellError.failed(
                "Die ID „\(prefix)“ ist nicht eindeutig. Infrage kommen:\n  "
                    + matches.prefix(10).map { "\($0.1)  (\($0.0.key))" }.joined(separator: "\n  "))
        }
        return matches[0]
    }

    static func time(_ version: Version) -> String {
        let date = Date(timeIntervalSince1970: Double(version.milliseconds) / 1000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    func who(_ site: SiteID, _ authors: [SiteID: String]) -> String {
        if site == Replica.conflictSite { return "Konflikterkennung" }
        return authors[site] ?? "Gerät \(site.shortHex)"
    }

    func history(_ arguments: [String]) throws {
        guard let prefix = arguments.first, arguments.count == 1 else { throw ShellError.usage("Aufruf: history <id>") }
        let (entity, id) = try locate(prefix)
        let authors = try replica.authors()
        var rows: [[String]] = []
        for entry in try replica.history(id: id) {
            let base = [
                Self.time(entry.version), who(entry.version.site, authors),
                entry.kind.label + (entry.isLocal ? "" : " (übernommen)"),
            ]
            if entry.changes.isEmpty { rows.append(base + ["", "", ""]) }
            for change in entry.changes {
                let field = entity.field(change.column)
                let old = field?.display(change.old) ?? change.old.plainText
                let new = change.new.map { field?.display($0) ?? $0.plainText } ?? "(gelöscht)"
                rows.append(base + [field?.label ?? change.column, old, new])
            }
        }
        printTable(ResultTable(columns: ["Zeit", "Wer", "Art", "Feld", "alt", "neu"], rows: rows).render(format))
    }

    /// `compact verlauf=<Tage>`: removes from this file what is older than that and already at every
    /// server it syncs with — history (old values) and the values of deleted entries — then shrinks the
    /// file (docs/SHELL.md, „Befehle“).
    func compact(_ arguments: [String]) throws {
        let usage = "Aufruf: compact verlauf=<Tage>, z. B. compact verlauf=365"
        let options = try Tokenizer.assignments(arguments[...], command: "compact")
        if let unknown = options.keys.first(where: { $0 != "verlauf" }) {
            throw ShellError.usage("Unbekannte Angabe „\(unknown)“ für compact; erlaubt: verlauf=<Tage>. \(usage)")
        }
        guard let text = options["verlauf"] else { throw ShellError.usage(usage) }
        guard let days = Int(text), (0...36_500).contains(days) else {
            throw ShellError.usage("verlauf= erwartet eine Zahl von Tagen von 0 bis 36500, nicht „\(text)“. \(usage)")
        }
        let horizon = try replica.acknowledgedByEveryRemote()
        guard horizon > 0 else {
            print(
                "Nichts verdichtet: dieses Gerät hat noch nichts an einen Server gesendet. Verlauf, den noch kein "
                    + "Server hat, bleibt; nach „sync“ lässt er sich verdichten.")
            return
        }
        let cutoff = UInt64(max(0, Date().timeIntervalSince1970 * 1000 - Double(days) * 86_400_000)) << 16
        try replica.checkpoint()
        let before = try replica.fileSizeBytes()
        let result = try replica.compact(through: horizon, historyBefore: cutoff, deletedBefore: cutoff)
        let reduced = result.removedTombstoneCount
        let span = days == 1 ? "1 Tag" : "\(days) Tage"
        guard reduced > 0 || result.removedLogRows > 0 else {
            print("Nichts zu verdichten: kein Verlauf älter als \(span), der schon an jeden Server gesendet ist.")
            return
        }
        // Rewriting the whole file is worth it only after something went.
        try replica.vacuum()
        try replica.checkpoint()
        let after = try replica.fileSizeBytes()
        var parts: [String] = []
        if result.removedLogRows > 0 {
            parts.append(days == 0 ? "gesendeten Verlauf entfernt" : "Verlauf älter als \(span) entfernt")
        }
        if reduced > 0 {
            parts.append(
                reduced == 1
                    ? "von 1 gelöschten Eintrag nur die Löschung behalten (nicht mehr wiederherstellbar)"
                    : "von \(reduced) gelöschten Einträgen nur die Löschung behalten (nicht mehr wiederherstellbar)")
        }
        print(
            "Verdichtet: \(parts.joined(separator: ", ")); Datei "
                + String(format: "%.1f → %.1f MB.", Double(before) / 1_000_000, Double(after) / 1_000_000))
    }

    func conflicts(_ arguments: [String]) throws {
        let all = arguments.first == "alle"
        let authors = try replica.authors()
        let listed = try replica.conflicts(includeResolved: all)
        let rows = try listed.map { conflict -> [String] in
            let entity = Domain.entity(conflict.table)
            let title = entity.flatMap { try? store.record($0.key, id: conflict.rowID) }?.title ?? conflict.rowID
            let field = entity?.field(conflict.column)
            func side(_ value: DatabaseValue, _ version: Version?) -> String {
                let text = field?.display(value) ?? value.plainText
                guard let version else { return text }
                return "\(text) – \(who(version.site, authors)), \(Self.time(version))"
            }
            // "(gilt)" marks the value the field shows now; with three or more concurrent values a
            // pair's two may both have lost to a third.
            let current =
                conflict.kind == .value
                ? try? replica.cellState(table: conflict.table, id: conflict.rowID, column: conflict.column)?.version
                : nil
            func mark(_ version: Version?) -> String { version != nil && version == current ? " (gilt)" : "" }
            let b =
                conflict.kind == .editVersusDelete
                ? "gelöscht – \(conflict.versionB.map { who($0.site, authors) } ?? "")"
                : side(conflict.valueB, conflict.versionB) + mark(conflict.versionB)
            return [
                shortID(conflict.id), "\(conflict.table) \(shortID(conflict.rowID)) „\(title)“",
                field?.label ?? conflict.column,
                side(conflict.valueA, conflict.versionA) + mark(conflict.versionA), b,
            ] + (all ? [conflict.status.label] : [])
        }
        print(
            ResultTable(columns: ["Konflikt", "Eintrag", "Feld", "A", "B"] + (all ? ["Status"] : []), rows: rows)
                .render(format))
        guard format == .tabelle else { return }
        // Several pairs of one field: one decision settles them all; say so once per field.
        var pairsPerField: [String: (count: Int, label: String)] = [:]
        for conflict in listed where conflict.kind == .value && conflict.isOpen {
            let key = "\(conflict.table)\u{1F}\(conflict.rowID)\u{1F}\(conflict.column)"
            let label = Domain.entity(conflict.table)?.field(conflict.column)?.label ?? conflict.column
            pairsPerField[key] = (
                (pairsPerField[key]?.count ?? 0) + 1, "„\(label)“ (\(conflict.table) \(shortID(conflict.rowID)))"
            )
        }
        for (_, field) in pairsPerField.sorted(by: { $0.key < $1.key }) where field.count > 1 {
            print(
                "Hinweis: \(field.label) hat \(field.count) Konflikte gleichzeitiger Werte; eine Entscheidung "
                    + "(resolve <konflikt-id> wert=… oder behalte=a|b) klärt alle.")
        }
    }

    func resolve(_ arguments: [String]) throws {
        guard let prefix = arguments.first, arguments.count == 2 else {
            throw ShellError.usage(
                "Aufruf: resolve <konflikt-id> wert=<neuer Wert> | behalte=a|b|<version> | "
                    + "wiederherstellen | loeschen")
        }
        let all = try replica.conflicts(includeResolved: true).filter { $0.id.hasPrefix(prefix) }
        guard let conflict = all.first(where: { $0.id == prefix }) ?? (all.count == 1 ? all.first : nil) else {
            throw ShellError.failed(
                all.isEmpty
                    ? "Kein Konflikt „\(prefix)“; „conflicts“ zeigt die offenen."
                    : "Die Konflikt-ID „\(prefix)“ ist nicht eindeutig.")
        }
        let choice = arguments[1]
        let resolution: ConflictResolution
        switch choice {
        case "wiederherstellen": resolution = .restore
        case "loeschen": resolution = .confirmDelete
        case let text where text.hasPrefix("wert="):
            let input = String(text.dropFirst(5))
            if let entity = Domain.entity(conflict.table), let field = entity.field(conflict.column) {
                resolution = .value(try field.parse(input, entity: entity.key))
            } else {
                resolution = .value(.text(input))
            }
        case let text where text.hasPrefix("behalte="):
            let which = String(text.dropFirst(8))
            let version = which == "a" ? conflict.versionA : which == "b" ? conflict.versionB : Version(text: which)
            guard let version else {
                throw ShellError.usage("behalte= erwartet a, b oder eine Version (wie in „conflicts“ angezeigt).")
            }
            resolution = .keep(version)
        default:
            throw ShellError.usage(
                "Unbekannte Auflösung „\(choice)“; erlaubt: wert=…, behalte=a|b, wiederherstellen, loeschen.")
        }
        try replica.resolveConflict(id: conflict.id, resolution)
    }

    func check(_ arguments: [String]) throws {
        let lab = try requireLab()
        let findings = try store.check(laborID: lab)
        if findings.isEmpty, format == .tabelle {
            print("Keine Befunde: keine Waisen, Verweise stimmen, Vertrauensniveau stimmig, nichts fehlt.")
            return
        }
        print(
            ResultTable(
                columns: ["Stufe", "Art", "Befund"],
                rows: findings.map { [$0.isError ? "Fehler" : "Hinweis", $0.kind.label, $0.messageWithHint] }
            ).render(format))
        // Scripts (nobody to ask) learn from the exit code that something must be fixed.
        let errors = findings.filter(\.isError).count
        if errors > 0, ask == nil {
            throw ShellError.failed(
                "check hat \(errors) Fehler gefunden (Stufe „Fehler“: Verweise ins Leere, Prozessfehler); "
                    + "Hinweise allein lassen check gelingen.")
        }
    }
}
