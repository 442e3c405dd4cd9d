import Foundation
import OZGReplication
import OZGStorage
import OZGWire

/// One lab's server-side store: a replica file with a schema that grows with what clients send,
/// serialized by the actor. The change log's sequence is the server sequence clients pull by.
actor LabReplicaStore {
    let replica: Replica
    let lab: LabID

    init(dataDirectory: String, lab: LabID, maxDriftMilliseconds: UInt64) throws {
        self.lab = lab
        replica = try Replica(
            path: "\(dataDirectory)/labor-\(lab).ozg", schema: ReplicaSchema(version: 1, tables: []),
            configuration: Replica.Configuration(
                maxDriftMilliseconds: maxDriftMilliseconds, localTables: [Self.auditTable]))
        // Tables clients created earlier are in the file but in no declared schema.
        replica.adoptRegisteredTables()
    }

    /// The audit log of accepted pushes: who (token), when, from which device, how much.
    static let auditTable = LocalTable(
        "_ozg_audit",
        columns: [
            "zeit": .text, "token_id": .text, "token_name": .text, "geraet": .text, "aenderungen": .integer,
            "zeilen": .integer,
        ])

    /// Merges the push (one transaction, with its audit entry) and answers with the page after the cursor.
    func sync(_ request: SyncRequest, token: TokenRecord, pageRows: Int) throws -> (SyncResponse, merged: Int) {
        var merged = 0
        if !request.batch.isEmpty {
            try replica.transaction {
                let result = try replica.apply(request.batch, creatingUnknownTables: true)
                merged = result.changedCells
                try replica.appendLocal(
                    to: Self.auditTable.name,
                    [
                        "zeit": .text(ISO8601DateFormatter().string(from: Date())), "token_id": .text(token.id),
                        "token_name": .text(token.name), "geraet": .text(request.site.hex),
                        "aenderungen": .integer(Int64(request.batch.changeCount)),
                        "zeilen": .integer(Int64(request.batch.rows.count)),
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
}
