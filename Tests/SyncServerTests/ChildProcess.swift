import Foundation

/// Runs a program to its end without holding a thread of Swift's cooperative pool.
///
/// The tests' server runs in the test process, on that same pool: a test that waited for curl (or a
/// browser) synchronously on a pool thread could starve the server it is talking to. On this
/// 2-core machine the pool has two threads, so two such tests at once hung the whole run.
enum ChildProcess {
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: Data) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                // Read before waiting: a child whose output fills the pipe would never exit.
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, data))
            }
        }
    }
}
