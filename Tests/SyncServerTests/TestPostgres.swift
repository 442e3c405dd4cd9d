import Foundation
import SyncServerCore

/// The throwaway PostgreSQL cluster of this test process: started at first use by
/// `scripts/postgres-test-cluster.sh` (as the `postgres` user when the tests run as root) and stopped
/// by the script's watchdog when the process ends, however it ends. Each test gets a database of its own.
enum TestPostgres {
    private static let cluster = Task<String, Error> {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/postgres-test-cluster.sh").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ozg-postgres-\(UUID().uuidString)"
        ).path
        let status = try await exitStatus(
            "/bin/bash", [script, directory, String(ProcessInfo.processInfo.processIdentifier)])
        let url = ((try? String(contentsOfFile: directory + "/url", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0, url.hasPrefix("postgres://") else {
            let log = (try? String(contentsOfFile: directory + "/postgres.log", encoding: .utf8)) ?? ""
            throw TestPostgresError(description: "PostgreSQL startete nicht (Status \(status)): \(url) \(log)")
        }
        return url
    }

    /// Runs a program to its end, its output discarded (the script leaves the cluster running
    /// behind it, so nothing may wait for the end of its output).
    private static func exitStatus(_ executable: String, _ arguments: [String]) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    /// The cluster's URL (its `postgres` database, as the superuser `ozg`).
    static func clusterURL() async throws -> String {
        try await cluster.value
    }

    /// A new, empty database in the cluster; returns its URL.
    static func freshDatabase() async throws -> String {
        let url = try await clusterURL()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await psql(url, "CREATE DATABASE \(name)")
        return url.replacingOccurrences(of: "/postgres", with: "/\(name)")
    }

    /// Runs one statement with `psql`; returns its output (unaligned, tuples only).
    @discardableResult
    static func psql(_ url: String, _ statement: String) async throws -> String {
        let (status, output) = try await ChildProcess.run("/usr/bin/psql", [url, "-XAtq", "-c", statement])
        let text = String(decoding: output, as: UTF8.self)
        guard status == 0 else { throw TestPostgresError(description: "psql: \(statement) → \(status) \(text)") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

struct TestPostgresError: Error, CustomStringConvertible {
    let description: String
}
