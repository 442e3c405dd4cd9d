import Foundation
import OZGDomain
import Testing

@Suite("Das Sync-Token steht nicht im Replikat")
struct TokenFileTests {
    static let token = "olt_geheim_0123456789abcdef"

    /// Every byte of the replica's files, WAL included.
    func replicaBytes(_ directory: ShellDirectory) -> String {
        ["labor.ozg", "labor.ozg-wal"].compactMap { FileManager.default.contents(atPath: directory.path($0)) }
            .map { String(decoding: $0, as: UTF8.self) }.joined()
    }

    func permissions(_ path: String) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    }

    @Test("remote set schreibt das Token in labor.ozg.token (0600); weder Datei, status noch query zeigen es")
    func tokenLivesBesideTheReplica() throws {
        let directory = ShellDirectory()
        let outcome = try ShellProcess.run(
            ["labor.ozg"],
            input: """
                labor add id=lab titel="DigiLab Wohngeld" themenfeld=bauen_wohnen bundesland=DE-MV
                remote set http://127.0.0.1:9 token=\(Self.token)
                status
                query SELECT * FROM _ozg_state
                """, in: directory.url)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(!outcome.stdout.contains(Self.token) && outcome.stdout.contains("in labor.ozg.token"))
        #expect(!replicaBytes(directory).contains(Self.token))
        #expect(try String(contentsOfFile: directory.path("labor.ozg.token"), encoding: .utf8) == Self.token + "\n")
        #expect(try permissions(directory.path("labor.ozg.token")) == 0o600)
        // sync finds it: it gets as far as the (closed) port instead of asking for remote set.
        let sync = try ShellProcess.run(["labor.ozg", "-c", "sync"], in: directory.url)
        #expect(sync.status == 1 && !sync.stderr.contains("Kein Server eingerichtet"), "\(sync.stderr)")
        #expect(sync.stderr.contains("später erneut") || sync.stderr.contains("Später erneut"), "\(sync.stderr)")
    }

    @Test("Eine Token-Datei, die andere lesen dürfen, oder ein Verweis an ihrer Stelle wird verweigert")
    func looseTokenFileIsRefused() throws {
        let directory = ShellDirectory()
        let setup = try ShellProcess.run(
            ["labor.ozg"],
            input: """
                labor add id=lab titel="DigiLab Wohngeld" themenfeld=bauen_wohnen bundesland=DE-MV
                remote set http://127.0.0.1:9 token=\(Self.token)
                """, in: directory.url)
        #expect(setup.status == 0, "\(setup.stderr)")
        let file = directory.path("labor.ozg.token")
        #expect(chmod(file, 0o644) == 0)
        let loose = try ShellProcess.run(["labor.ozg", "-c", "sync"], in: directory.url)
        #expect(loose.status == 1 && loose.stderr.contains("chmod 600"), "\(loose.stderr)")
        #expect(!loose.stderr.contains(Self.token))

        try FileManager.default.moveItem(atPath: file, toPath: directory.path("woanders"))
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: directory.path("woanders"))
        let linked = try ShellProcess.run(["labor.ozg", "-c", "sync"], in: directory.url)
        #expect(linked.status == 1 && linked.stderr.contains("symbolischer Verweis"), "\(linked.stderr)")
        // remote set replaces the link with a file of its own and leaves the link's target alone.
        let again = try ShellProcess.run(
            ["labor.ozg", "-c", "remote set http://127.0.0.1:9 token=olt_neu_1"], in: directory.url)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "olt_neu_1\n")
        #expect(try String(contentsOfFile: directory.path("woanders"), encoding: .utf8) == Self.token + "\n")
    }

    @Test("Ein Replikat mit dem Token in den lokalen Einstellungen wird beim Öffnen umgezogen")
    func legacyTokenIsMoved() throws {
        let directory = ShellDirectory()
        let setup = try ShellProcess.run(
            ["labor.ozg", "-c", "labor add id=lab titel=\"DigiLab\" themenfeld=bauen_wohnen bundesland=DE-MV"],
            in: directory.url)
        #expect(setup.status == 0, "\(setup.stderr)")
        // What earlier versions of remote set wrote.
        do {
            let store = try LaborStore(path: directory.path("labor.ozg"))
            defer { store.replica.close() }
            try store.replica.setLocalSetting("remote.url", "http://127.0.0.1:9")
            try store.replica.setLocalSetting("remote.token", Self.token)
            try store.replica.setLocalSetting("remote.labor", "lab")
        }
        #expect(replicaBytes(directory).contains(Self.token))

        let status = try ShellProcess.run(["labor.ozg", "-c", "status"], in: directory.url)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(!status.stdout.contains(Self.token) && status.stdout.contains("in labor.ozg.token"))
        #expect(try String(contentsOfFile: directory.path("labor.ozg.token"), encoding: .utf8) == Self.token + "\n")
        #expect(try permissions(directory.path("labor.ozg.token")) == 0o600)
        #expect(!replicaBytes(directory).contains(Self.token))
        let store = try LaborStore(path: directory.path("labor.ozg"))
        defer { store.replica.close() }
        #expect(try store.replica.localSetting("remote.token") == nil)
        #expect(try store.replica.localSetting("remote.url") == "http://127.0.0.1:9")
    }
}
