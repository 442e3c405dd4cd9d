import Foundation

/// Runs the built `ozg-shell` binary as a separate process.
struct ShellProcess {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardizedFileURL
    /// The shell built next to this test bundle, whatever `--scratch-path` the build used.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["OZG_SHELL_BINARY"] { return path }
        #if os(macOS)
            let products = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL
                .deletingLastPathComponent()
        #else
            let products = Bundle.main.executableURL?.deletingLastPathComponent()
        #endif
        return (products ?? packageRoot.appendingPathComponent(".build/debug"))
            .appendingPathComponent("ozg-shell").path
    }

    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
        var lines: [String] {
            stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        }
    }

    /// Runs the shell with `arguments`, feeding `input` on stdin (a pipe, so scripted mode), or reading
    /// from `standardInput` and writing results to `standardOutput` when given (a file such as `/dev/full`).
    /// `unprivileged` runs it as `nobody` when the tests run as root (see `canRunUnprivileged`).
    static func run(
        _ arguments: [String], input: String = "", in directory: URL,
        environment: [String: String] = [:], standardInput: FileHandle? = nil, standardOutput: FileHandle? = nil,
        unprivileged: Bool = false
    ) throws -> Outcome {
        let process = Process()
        if unprivileged, getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: setpriv)
            process.arguments = ["--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = directory.path
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = standardInput ?? stdin
        process.standardOutput = standardOutput ?? stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        // A pipe the process was not given keeps its writing end here: close it, or reading never ends.
        if standardOutput != nil { try stdout.fileHandleForWriting.close() }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }
}

extension ShellProcess {
    /// File permissions do not bind root. Tests of „keine Berechtigung“ run the shell as `nobody`
    /// through util-linux's `setpriv` when they run as root; as any other user, directly.
    static var canRunUnprivileged: Bool {
        getuid() != 0 || FileManager.default.isExecutableFile(atPath: setpriv)
    }
    static let setpriv = "/usr/bin/setpriv"
    /// The uid and gid of `nobody` on Linux.
    static let nobody: uid_t = 65534

    /// The same as `run`, but waits on a thread of its own: a test whose shell talks to a server
    /// running in this process must not block one of the few cooperative threads that server needs.
    static func runOffPool(
        _ arguments: [String], input: String = "", in directory: URL, environment: [String: String] = [:]
    ) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result { try run(arguments, input: input, in: directory, environment: environment) })
            }.start()
        }
    }
}

/// A temporary directory for one test.
final class ShellDirectory {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ozg-shell-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
