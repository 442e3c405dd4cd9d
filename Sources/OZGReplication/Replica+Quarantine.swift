import OZGStorage

/// A local change a remote refused: kept here, out of the push queue, so the rest keeps flowing.
public struct QuarantinedChange: Sendable, Equatable {
    /// When it was set aside (ISO 8601).
    public var time: String
    /// The remote that refused it.
    public var remote: String
    public var table: String
    public var rowID: String
    /// The remote's reason, in German.
    public var reason: String
    /// The refused change itself, so nothing the user wrote is lost.
    public var change: RowChange
}

extension Replica {
    static let quarantineSQL = """
        CREATE TABLE IF NOT EXISTS _ozg_quarantaene(
            seq INTEGER PRIMARY KEY, zeit TEXT NOT NULL, gegenstelle TEXT NOT NULL, tabelle TEXT NOT NULL,
            zeile_id TEXT NOT NULL, grund TEXT NOT NULL, aenderung BLOB NOT NULL)
        """

    /// Sets aside a change `remote` refused (docs/PROTOCOL.md, „Zurückgehaltene Änderungen“). The
    /// caller then acknowledges the log position as usual; a later edit of the same cells is pushed anew.
    public func quarantine(_ change: RowChange, remote: String, reason: String, time: String) throws {
        let encoded = ChangeBatchCodec.encode(ChangeBatch(rows: [change]))
        try write {
            // A sync that failed after setting a change aside sets it aside again on its next attempt.
            try database.execute(
                """
                INSERT INTO _ozg_quarantaene(zeit, gegenstelle, tabelle, zeile_id, grund, aenderung)
                SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM _ozg_quarantaene WHERE aenderung = ?)
                """,
                [
                    .text(time), .text(remote), .text(change.table), .text(change.id), .text(reason),
                    .blob(encoded), .blob(encoded),
                ])
        }
    }

    /// Every change set aside, oldest first.
    public func quarantinedChanges() throws -> [QuarantinedChange] {
        try database.rows(
            "SELECT zeit, gegenstelle, tabelle, zeile_id, grund, aenderung FROM _ozg_quarantaene ORDER BY seq"
        ) { row -> QuarantinedChange? in
            guard let change = try? ChangeBatchCodec.decode(row.blob(5) ?? []).rows.first else { return nil }
            return QuarantinedChange(
                time: row.text(0) ?? "", remote: row.text(1) ?? "", table: row.text(2) ?? "",
                rowID: row.text(3) ?? "", reason: row.text(4) ?? "", change: change)
        }.compactMap { $0 }
    }
}
