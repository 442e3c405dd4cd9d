import Foundation
import OZGSync

// Placeholder until the shell issue: opens (and on first use creates) the replica file so the
// README's command works, then says what is still missing. The core has no domain tables yet.
let path = CommandLine.arguments.dropFirst().first ?? "labor.ozg"
do {
    let replica = try Replica(path: path, schema: ReplicaSchema(version: 0, tables: []))
    print("Replikat \(path) geöffnet (Geräte-ID \(replica.siteID.shortHex)).")
    print("Die Befehle der Shell (labor, persona, sync, …) sind noch nicht gebaut.")
} catch {
    FileHandle.standardError.write(Data("Fehler: \(error)\n".utf8))
    exit(1)
}
