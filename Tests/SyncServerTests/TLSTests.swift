import Foundation
import SyncServerCore
import Testing

@Suite("TLS")
struct TLSTests {
    static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String) {
        let (status, data) = try await ChildProcess.run(executable, arguments)
        return (status, String(decoding: data, as: UTF8.self))
    }

    @Test("Mit --tls-cert/--tls-key spricht der Server HTTPS; kaputte Dateien werden verständlich abgelehnt")
    func https() async throws {
        let server = TestServer()
        let certificate = server.directory.appendingPathComponent("cert.pem").path
        let key = server.directory.appendingPathComponent("key.pem").path
        let (generated, _) = try await Self.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=localhost",
            ])
        #expect(generated == 0)
        try await server.start {
            $0.tlsCertificatePath = certificate
            $0.tlsKeyPath = key
        }
        let (secure, body) = try await Self.run(
            "/usr/bin/curl", ["-sk", "--max-time", "10", "https://127.0.0.1:\(server.port)/healthz"])
        #expect(secure == 0 && body == "ok\n")
        let (plain, _) = try await Self.run(
            "/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(server.port)/healthz"])
        #expect(plain != 0)
        await server.stop()

        var broken = ServerConfiguration(dataDirectory: server.directory.path)
        broken.tlsCertificatePath = key
        broken.tlsKeyPath = key
        do {
            _ = try buildApplication(broken)
            Issue.record("kaputtes Zertifikat angenommen")
        } catch {
            #expect("\(error)".contains("Zertifikat"))
        }
        broken.tlsKeyPath = nil
        #expect(throws: (any Error).self) { _ = try buildApplication(broken) }
    }
}
