import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGSyncClient
import SyncServerCore
import Testing

/// The server on PostgreSQL when something breaks: an instance killed mid-push, the database
/// restarted mid-sync (docs/OPERATIONS.md, „PostgreSQL“).
@Suite("Server auf PostgreSQL: Ausfälle", .serialized)
struct PostgresFailureTests {
    static func client(_ store: LaborStore, port: Int, token: String, lab: String) -> SyncClient {
        SyncClient(
            replica: store.replica, server: URL(string: "http://127.0.0.1:\(port)")!, token: token, lab: LabID(lab)!)
    }

    @Test("SIGKILL einer Instanz mitten in Pushes: jeder bestätigte Push bleibt, die andere Instanz macht weiter")
    func killOneInstance() async throws {
        let url = try await TestPostgres.freshDatabase()
        let data = ReplicaDirectory()
        let token = try await PostgresServerDatabase.with(url: url) { database in
            let registry = PostgresRegistry(database: database)
            try await registry.createLab("lab", title: nil)
            return try await registry.createToken(labs: ["lab"], role: .schreiben, name: "Stress")
        }
        var first = try ServerProcess(data: data.path("eins"), arguments: ["--postgres", url])
        let second = try ServerProcess(data: data.path("zwei"), arguments: ["--postgres", url])
        defer {
            first.kill()
            second.kill()
        }
        #expect(first.port > 0 && second.port > 0)
        let store = try LaborStore(path: data.path("a.ozg"))
        try store.add("labor", id: "lab", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        var acknowledged: [String] = []
        var failures = 0
        for index in 0..<40 {
            let id = try store.add(
                "persona", laborID: "lab",
                fields: ["name": "P\(index)", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z"])
            // Odd pushes go to the instance that is killed at push 20 (while it may be merging).
            let port = index % 2 == 0 ? second.port : first.port
            let client = Self.client(store, port: port, token: token, lab: "lab")
            client.maxAttempts = 2
            client.retryDelay = .milliseconds(10)
            if index == 21 {
                let pid = first.process.processIdentifier
                Task.detached {
                    try? await Task.sleep(for: .milliseconds(2))
                    Foundation.kill(pid, SIGKILL)
                }
            }
            do {
                try await client.sync()
                acknowledged.append(id)
            } catch {
                failures += 1
            }
        }
        first.kill()
        #expect(acknowledged.count >= 20 && failures > 0)
        // What the database holds: every acknowledged push, read through the surviving instance.
        let reader = try LaborStore(path: data.path("leser.ozg"))
        try await Self.client(reader, port: second.port, token: token, lab: "lab").sync()
        let seen = Set(try reader.records("persona", laborID: "lab", includeOrphans: true).map(\.id))
        #expect(
            acknowledged.allSatisfy(seen.contains),
            "bestätigt, aber fehlt: \(acknowledged.filter { !seen.contains($0) })")
        // The killed instance comes back on its old mirror and serves the same lab.
        first = try ServerProcess(data: data.path("eins"), arguments: ["--postgres", url])
        try await Self.client(store, port: first.port, token: token, lab: "lab").sync()
        let fresh = try LaborStore(path: data.path("b.ozg"))
        try await Self.client(fresh, port: first.port, token: token, lab: "lab").sync()
        #expect(try fresh.records("persona", laborID: "lab").count == 40)
        #expect(try fresh.replica.canonicalDump() == store.replica.canonicalDump())
        try await Self.client(reader, port: second.port, token: token, lab: "lab").sync()
        #expect(try reader.replica.canonicalDump() == store.replica.canonicalDump())
    }

    @Test("PostgreSQL startet mitten im Abgleich neu: die Clients versuchen es erneut und laufen zusammen")
    func databaseRestart() async throws {
        // A cluster of its own: the shared one must not restart under other tests.
        let directory = ReplicaDirectory()
        let cluster = try await TestPostgres.startCluster(in: directory.path("cluster"))
        let url = cluster.url
        let server = TestServer(data: ServerData(postgresURL: url))
        try await server.start()
        let token = try await server.lab("neustart")
        let a = try LaborStore(path: directory.path("a.ozg"))
        let b = try LaborStore(path: directory.path("b.ozg"))
        try a.add("labor", id: "neustart", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        for store in [a, b] { try await server.client(store, token: token, lab: "neustart").sync() }
        var restarted = false
        var stoppedProcess: Int32 = 0
        for index in 0..<24 {
            let store = index % 2 == 0 ? a : b
            try store.add(
                "persona", laborID: "neustart",
                fields: ["name": "P\(index)", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z"])
            if index == 8 {
                // A fast shutdown; the test cluster's watchdog starts it again about two seconds later.
                stoppedProcess = try cluster.serverProcess()
                try cluster.stopServer()
                restarted = true
            }
            let client = server.client(store, token: token, lab: "neustart")
            client.retryDelay = .milliseconds(400)
            client.maxAttempts = 6
            try await client.sync()
        }
        #expect(restarted)
        // It really restarted while the clients synced: another server process serves the database now.
        #expect(try cluster.serverProcess() != stoppedProcess)
        for store in [a, b, a] { try await server.client(store, token: token, lab: "neustart").sync() }
        #expect(try a.records("persona", laborID: "neustart").count == 24)
        #expect(try a.replica.canonicalDump() == b.replica.canonicalDump())
        await server.stop()
    }
}
