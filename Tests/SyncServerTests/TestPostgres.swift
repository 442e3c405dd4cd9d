import Foundation
import SyncServerCore

/// The throwaway PostgreSQL cluster of this test process: started at first use by
/// `scripts/postgres-test-cluster.sh` (as the `postgres` user when the tests run as root) and stopped
/// by the script's watchdog when the process ends, however it ends. Each test gets a database of its own.
enum TestPostgres {
    /// Whether the server suites run against PostgreSQL instead of data directories
    /// (`OZG_TEST_STORE=postgres`; `scripts/test.sh` runs them that way after the whole suite).
    static let serverSuites = ProcessInfo.processInfo.environment["OZG_TEST_STORE"] == "postgres"

    /// The cluster's URL (its `postgres` database, as the superuser `ozg`), started at first use; the
    /// first caller waits about a second.
    static let clusterURL: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ozg-postgres-\(UUID().uuidString)"
        ).path
        do {
            return try startClusterSynchronously(in: directory).url
        } catch {
            fatalError("\(error)")
        }
    }()

    /// A cluster of a test's own (one it restarts); it ends with the test process like the shared one.
    struct Cluster {
        let url: String
        let directory: String

        /// The server's process id (the watchdog writes it at every start).
        func serverProcess() throws -> Int32 {
            let text = try String(contentsOfFile: directory + "/postmaster", encoding: .utf8)
            guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw TestPostgresError(description: "keine Prozess-ID in \(directory)/postmaster")
            }
            return pid
        }

        /// Stops the server with a fast shutdown; the script's watchdog starts it again a second later.
        func stopServer() throws {
            kill(try serverProcess(), SIGINT)
        }
    }

    static func startCluster(in directory: String) async throws -> Cluster {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try startClusterSynchronously(in: directory) })
            }
        }
    }

    private static func startClusterSynchronously(in directory: String) throws -> Cluster {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/postgres-test-cluster.sh").path
        // Output discarded and only the end awaited: the script leaves the cluster running behind it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, directory, String(ProcessInfo.processInfo.processIdentifier)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let url = ((try? String(contentsOfFile: directory + "/url", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, url.hasPrefix("postgres://") else {
            let log = (try? String(contentsOfFile: directory + "/postgres.log", encoding: .utf8)) ?? ""
            throw TestPostgresError(
                description: "PostgreSQL startete nicht (Status \(process.terminationStatus)): \(log)")
        }
        return Cluster(url: url, directory: directory)
    }

    /// A fresh PostgreSQL schema of its own in the cluster's database (the server creates it at first use).
    static func freshSchemaURL() -> String {
        clusterURL + "?sslmode=disable&schema=t_"
            + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// A new, empty database in the cluster; returns its URL.
    static func freshDatabase() async throws -> String {
        let url = clusterURL
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
