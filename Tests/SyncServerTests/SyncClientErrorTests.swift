import Foundation
import OZGDomain
import OZGReplication
import OZGSyncClient
import Testing

@Suite("Meldungen des Sync-Clients")
struct SyncClientErrorTests {
    @Test("Ein nicht erreichbarer Server wird auf Deutsch gemeldet, ohne Foundations englischen Text")
    func unreachableServerInGerman() async throws {
        let directory = ReplicaDirectory()
        let store = try LaborStore(path: directory.path("a.ozg"))
        // Port 1 on the loopback interface: nothing listens there.
        let client = SyncClient(
            replica: store.replica, server: URL(string: "http://127.0.0.1:1")!, token: "olt_x", lab: LabID("lab")!)
        client.maxAttempts = 1
        do {
            try await client.sync()
            Issue.record("Der Abgleich mit einem geschlossenen Port gelang")
        } catch let error as SyncClientError {
            #expect(error.description.contains("Verbindung abgelehnt"), "\(error)")
            #expect(!error.description.contains("operation"), "\(error)")
        }
    }
}
