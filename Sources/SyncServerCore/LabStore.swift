import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGSyncClient
import OZGWire

/// One lab's server-side store: a replica file with a schema that grows with what clients send,
/// serialized by the actor. The change log's sequence is the server sequence clients pull by.
actor LabStore {
    let replica: Replica
    let labID: String

    init(dataDirectory: String, labID: String, maxDriftMilliseconds: UInt64) throws {
        self.labID = labID
        replica = try Replica(
            path: "\(dataDirectory)/labor-\(labID).ozg", schema: ReplicaSchema(version: 1, tables: []),
            configuration: Replica.Configuration(maxDriftMilliseconds: maxDriftMilliseconds))
        // Tables clients created earlier are in the file but in no declared schema.
        replica.adoptRegisteredTables()
        try replica.database.execute(
            """
            CREATE TABLE IF NOT EXISTS _ozg_audit(
                seq INTEGER PRIMARY KEY, zeit TEXT NOT NULL, token_id TEXT NOT NULL, token_name TEXT NOT NULL,
                geraet TEXT NOT NULL, aenderungen INTEGER NOT NULL, zeilen INTEGER NOT NULL);
            """)
    }

    /// Merges the push (one transaction, with its audit entry) and answers with the page after the cursor.
    func sync(_ request: SyncRequest, token: TokenRecord, pageRows: Int) throws -> (SyncResponse, merged: Int) {
        var merged = 0
        if !request.batch.isEmpty {
            try replica.checkDriftPublic(request.batch)
            try replica.ensureSchema(for: request.batch)
            try replica.transaction {
                let result = try replica.apply(request.batch)
                merged = result.changedCells
                try replica.database.execute(
                    """
                    INSERT INTO _ozg_audit(zeit, token_id, token_name, geraet, aenderungen, zeilen) VALUES (?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(ISO8601DateFormatter().string(from: Date())), .text(token.id), .text(token.name),
                        .text(request.site.hex), .integer(Int64(request.batch.changeCount)),
                        .integer(Int64(request.batch.rows.count)),
                    ])
            }
        }
        let page = try replica.extractChanges(after: request.cursor, includeRemoteOrigin: true, maxRows: pageRows)
        // No echo of what the requester itself currently holds: cells whose version is its own.
        var rows: [RowChange] = []
        rows.reserveCapacity(page.batch.rows.count)
        for var row in page.batch.rows {
            row.cells.removeAll { $0.version.site == request.site }
            if row.cells.isEmpty && (row.rowVersion == nil || row.rowVersion?.site == request.site) { continue }
            rows.append(row)
        }
        let more = try replica.lastSequence() > page.throughSequence
        return (SyncResponse(cursor: page.throughSequence, more: more, batch: ChangeBatch(rows: rows)), merged)
    }

    func dump() throws -> String { try replica.canonicalDump() }
    func integrity() throws -> String? { try replica.database.firstRow("PRAGMA integrity_check") { $0.text(0) } ?? nil }
}
