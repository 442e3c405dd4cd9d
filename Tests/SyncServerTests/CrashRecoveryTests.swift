import Foundation
import OZGDomain
import OZGReplication
import OZGStorage
import OZGSyncClient
import SyncServerCore
import Testing

/// The server as a separate process, so it can be killed with SIGKILL.
final class ServerProcess {
    /// The server built next to this test bundle, whatever `--scratch-path` the build used.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["OZG_SYNC_SERVER_BINARY"] { return path }
        #if os(macOS)
            let products = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL
                .deletingLastPathComponent()
        #else
            let products = Bundle.main.executableURL?.deletingLastPathComponent()
        #endif
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../.build/debug").standardizedFileURL
        return (products ?? fallback).appendingPathComponent("ozg-sync-server").path
    }()
    let process = Process()
    private(set) var port = 0

    init(data: String, arguments extra: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--data", data, "--port", "0"] + extra
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints "ozg-sync-server hört auf 127.0.0.1:<port>" once it listens.
        var text = ""
        let handle = output.fileHandleForReading
        while !text.contains("hört auf"), text.count < 4096 {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        port = Int(text.split(separator: ":").last?.split(separator: "\n").first ?? "") ?? 0
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

@Suite("Absturz des Servers")
struct CrashRecoveryTests {
    @Test(
        "SIGKILL mitten in Pushes: jeder bestätigte Push ist nach dem Neustart da, die Datei ist heil, Clients machen weiter"
    )
    func killDuringPushes() async throws {
        let data = ReplicaDirectory()
        let registry = try SQLiteRegistry(dataDirectory: data.path("server"))
        try await registry.createLab("lab", title: nil)
        let token = try await registry.createToken(labs: ["lab"], role: .schreiben, name: "Stress")
        var server = try ServerProcess(data: data.path("server"))
        #expect(server.port > 0)
        let store = try LaborStore(path: data.path("a.ozg"))
        try store.add("labor", id: "lab", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        var acknowledged: [String] = []
        var failures = 0
        for index in 0..<60 {
            let id = try store.add(
                "persona", laborID: "lab",
                fields: [
                    "name": "P\(index)", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z",
                ])
            if index == 30 { server.kill() }
            let client = SyncClient(
                replica: store.replica, server: URL(string: "http://127.0.0.1:\(server.port)")!,
                token: token, lab: LabID("lab")!)
            client.maxAttempts = 2
            client.retryDelay = .milliseconds(10)
            do {
                try await client.sync()
                acknowledged.append(id)
            } catch {
                failures += 1
            }
        }
        #expect(acknowledged.count >= 30 && failures > 0)
        server = try ServerProcess(data: data.path("server"))
        defer { server.kill() }
        let file = try Database(path: data.path("server/labor-lab.ozg"), mode: .readOnly)
        #expect(try file.firstRow("PRAGMA integrity_check") { $0.text(0) } == "ok")
        let stored = Set(try file.rows("SELECT id FROM persona") { $0.text(0) ?? "" })
        file.close()
        #expect(
            acknowledged.allSatisfy(stored.contains),
            "acknowledged but missing: \(acknowledged.filter { !stored.contains($0) })")
        // A replica that only pulls sees everything the restarted server holds.
        let reader = try LaborStore(path: data.path("c.ozg"))
        try await SyncClient(
            replica: reader.replica, server: URL(string: "http://127.0.0.1:\(server.port)")!,
            token: token, lab: LabID("lab")!
        ).sync()
        let seen = Set(try reader.records("persona", laborID: "lab", includeOrphans: true).map(\.id))
        let labs = try reader.replica.read { try $0.firstRow("SELECT count(*) FROM labor") { $0.int64(0) } } ?? -1
        #expect(seen == stored, "reader \(seen.count), server \(stored.count), labor \(labs)")
        // The client resumes: everything written while the server was down arrives now.
        let client = SyncClient(
            replica: store.replica, server: URL(string: "http://127.0.0.1:\(server.port)")!,
            token: token, lab: LabID("lab")!)
        try await client.sync()
        let fresh = try LaborStore(path: data.path("b.ozg"))
        try await SyncClient(
            replica: fresh.replica, server: URL(string: "http://127.0.0.1:\(server.port)")!,
            token: token, lab: LabID("lab")!
        ).sync()
        #expect(try fresh.records("persona", laborID: "lab").count == 60)
        #expect(try fresh.replica.canonicalDump() == store.replica.canonicalDump())
    }
}
