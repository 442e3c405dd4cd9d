import Foundation
import Glibc
import OZGDomain

/// `shell_startup_ms` (docs/PERFORMANCE.md): start `ozg-shell FILE -c 'persona list'`, read all of its
/// output, exit — on a lab with 10,000 personas and on the example lab of `docs/beispiele`
/// (`shell_startup_example_ms`, about 50 entries), next to `sqlite3` printing the same personas
/// (`shell_startup_sqlite3_ms`) when the `sqlite3` program is installed.
enum ShellBench {
    static func run(directory: URL) throws {
        let shellBinary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("ozg-shell").path
        guard FileManager.default.isExecutableFile(atPath: shellBinary) else {
            print("shell_startup_ms: nicht gemessen – \(shellBinary) fehlt; erst `swift build -c release` ausführen")
            return
        }
        let shellFile = directory.appendingPathComponent("shell.ozg").path
        let store = try LaborStore(path: shellFile)
        let lab = try store.add("labor", fields: ["titel": "Bench", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        try store.replica.transaction {
            for index in 0..<10_000 {
                try store.add(
                    "persona", laborID: lab,
                    fields: [
                        "name": "Persona \(index)",
                        "kurzbeschreibung": Workload.notes[index % Workload.notes.count] + " \(index)",
                        "nutzergruppe": ["001", "002", "003"][index % 3],
                        "ziele": Workload.titles[index % Workload.titles.count],
                    ])
            }
        }
        try store.replica.setLocalSetting("labor", lab)
        store.replica.close()
        let runs = max(repetitions, 9)
        let (startup, lines) = try timed(shellBinary, [shellFile, "-c", "persona list"], runs: runs)
        print("shell_list_lines: \(lines)")
        line("shell_startup_ms", startup * 1000, digits: 1)
        if let sqlite3 = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) {
            let query = "SELECT name, kurzbeschreibung, nutzergruppe, ziele FROM persona ORDER BY name"
            let (plain, _) = try timed(sqlite3, ["-readonly", shellFile, query], runs: runs)
            line("shell_startup_sqlite3_ms", plain * 1000, digits: 1)
        }

        // The example lab, made by its script with this shell.
        let script = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("docs/beispiele/wohngeld-labor.sh").path
        guard FileManager.default.fileExists(atPath: script) else {
            print("shell_startup_example_ms: nicht gemessen – \(script) fehlt (im Verzeichnis des Pakets starten)")
            return
        }
        let exampleFile = directory.appendingPathComponent("beispiel.ozg").path
        let setup = Process()
        setup.executableURL = URL(fileURLWithPath: "/bin/bash")
        setup.arguments = [script, shellBinary, exampleFile]
        setup.standardOutput = FileHandle.nullDevice
        try setup.run()
        setup.waitUntilExit()
        guard setup.terminationStatus == 0 else {
            print("shell_startup_example_ms: nicht gemessen – das Beispielskript endete mit \(setup.terminationStatus)")
            return
        }
        let (example, exampleLines) = try timed(shellBinary, [exampleFile, "-c", "persona list"], runs: runs)
        print("shell_example_list_lines: \(exampleLines)")
        line("shell_startup_example_ms", example * 1000, digits: 1)
    }

    /// The median time of `runs` runs of `executable` with all of its output read, and its line count.
    ///
    /// Started with `posix_spawn` and reaped with `waitpid`: Foundation's `Process` added about 50 ms
    /// per run on this machine (measured against `perf stat` of the same command), more than the
    /// shell itself takes.
    static func timed(_ executable: String, _ arguments: [String], runs: Int) throws -> (Double, Int) {
        var lines = 0
        let time = median(runs) { _ in
            var status: Int32 = 0
            var count = 0
            let time = measure { (status, count) = spawnReadingOutput(executable, arguments) }
            precondition(status == 0, "\(executable) failed")
            lines = count
            return time
        }
        return (time, lines)
    }

    /// Runs `executable`, reads its standard output to the end, waits: its exit status and line count.
    static func spawnReadingOutput(_ executable: String, _ arguments: [String]) -> (Int32, Int) {
        var pipe: [Int32] = [-1, -1]
        guard Glibc.pipe(&pipe) == 0 else { return (-1, 0) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        posix_spawn_file_actions_addclose(&actions, pipe[1])
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(pipe[1])
        defer { close(pipe[0]) }
        guard spawned == 0 else { return (-1, 0) }
        var lines = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let read = buffer.withUnsafeMutableBytes { Glibc.read(pipe[0], $0.baseAddress, $0.count) }
            if read <= 0 { break }
            for byte in buffer[..<read] where byte == 10 { lines += 1 }
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return ((status >> 8) & 0xFF, lines)
    }
}
