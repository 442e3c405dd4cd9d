import AsyncHTTPClient
import Foundation
import NIOCore
import OZGReplication
import OZGWire

/// A server's answer with what it says about the new cursor (docs/PROTOCOL.md, „Cursor-Bindung“;
/// nil from a server before cursor checks) and whether it reset the requester's position.
public struct SyncAnswer: Sendable {
    public var response: SyncResponse
    public var cursorCheck: String?
    public var reset: Bool
    /// With a reset: the floor of a compaction the requester's cursor lay below (it was away longer
    /// than the lab's history reaches back; docs/PROTOCOL.md, „Verdichtung“).
    public var compactedFloor: Int64?

    public init(response: SyncResponse, cursorCheck: String?, reset: Bool, compactedFloor: Int64? = nil) {
        self.response = response
        self.cursorCheck = cursorCheck
        self.reset = reset
        self.compactedFloor = compactedFloor
    }
}

/// The HTTP side of one lab's sync: sends a request (deflated, with the token and the cursor check),
/// repeats it on transient failures, and reads the answer. It holds no replica, so a server relaying a
/// lab to its upstream (`--upstream`) uses it from its lab store as `SyncClient` does from a replica.
public struct SyncTransport: Sendable {
    public var server: URL
    public var token: String
    public var lab: LabID
    /// Attempts for transient failures (network, 5xx), with doubling pauses from `retryDelay`.
    public var maxAttempts = 5
    public var retryDelay: Duration = .milliseconds(200)
    /// How long one round trip may take.
    public var requestTimeout: Duration = .seconds(60)

    public init(
        server: URL, token: String, lab: LabID, maxAttempts: Int = 5, retryDelay: Duration = .milliseconds(200),
        requestTimeout: Duration = .seconds(60)
    ) {
        self.server = server
        self.token = token
        self.lab = lab
        self.maxAttempts = maxAttempts
        self.retryDelay = retryDelay
        self.requestTimeout = requestTimeout
    }

    /// The endpoint of this lab.
    public var endpoint: URL {
        server.appendingPathComponent("v1").appendingPathComponent("labs").appendingPathComponent(lab.rawValue)
            .appendingPathComponent("sync")
    }

    /// One HTTP client (AsyncHTTPClient, on NIO's shared event loops) for every `SyncClient` of the
    /// process, so connections are kept alive and reused across rounds and replicas. A refused
    /// connection fails at once (the client's own retries decide what happens next), a connection
    /// attempt gives up after 10 s; bodies are inflated here, not by the client.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// One round trip, repeated on transient failures (a repeated request is harmless).
    public func send(_ request: SyncRequest, cursorCheck: String?) async throws -> SyncAnswer {
        let body = try Deflate.compress(SyncWire.encode(request))
        var attempt = 0
        var delay = retryDelay
        while true {
            attempt += 1
            do {
                return try await post(body, cursorCheck: cursorCheck)
            } catch let error as SyncClientError where error.isTransient && attempt < maxAttempts {
                try await Task.sleep(for: delay)
                delay *= 2
            }
        }
    }

    func post(_ body: [UInt8], cursorCheck: String?) async throws -> SyncAnswer {
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/x-ozg-sync")
        request.headers.add(name: "Content-Encoding", value: "deflate")
        request.headers.add(name: "Accept-Encoding", value: "deflate")
        if let cursorCheck { request.headers.add(name: "OZG-Cursor-Check", value: cursorCheck) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: Int
        let data: ByteBuffer
        let cursorCheck: String?
        let reset: Bool
        let compactedFloor: Int64?
        do {
            let response = try await Self.http.execute(
                request,
                timeout: .nanoseconds(
                    requestTimeout.components.seconds * 1_000_000_000 + requestTimeout.components.attoseconds
                        / 1_000_000_000))
            status = Int(response.status.code)
            cursorCheck = response.headers.first(name: "OZG-Cursor-Check")
            reset = response.headers.first(name: "OZG-Cursor-Reset") == "1"
            compactedFloor = response.headers.first(name: "OZG-Verdichtet").flatMap { Int64($0) }
            data = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            throw SyncClientError.network(
                "Der Server \(server.absoluteString) ist nicht erreichbar (\(Self.germanReason(for: error))).")
        }
        let bytes = [UInt8](buffer: data)
        guard status == 200 else {
            let detail = try? JSONDecoder().decode(SyncErrorBody.self, from: Data(bytes))
            throw SyncClientError.rejected(
                status: status, code: detail?.error ?? "unbekannt",
                message: detail?.message ?? "Der Server antwortete mit HTTP \(status).")
        }
        do {
            let inflated =
                bytes.starts(with: SyncWire.responseMagic)
                ? bytes : try Deflate.decompress(bytes, maxOutputBytes: Self.maxInflatedResponseBytes)
            return SyncAnswer(
                response: try SyncWire.decodeResponse(inflated), cursorCheck: cursorCheck, reset: reset,
                compactedFloor: compactedFloor)
        } catch {
            throw SyncClientError.protocolViolation("Die Antwort des Servers ist unlesbar: \(error)")
        }
    }

    /// The largest answer read (deflated) and inflated: a page is at most `--page-bytes` of values.
    static let maxResponseBytes = 256 << 20
    static let maxInflatedResponseBytes = 512 << 20
}

extension SyncTransport {
    /// Why a request did not reach the server, in German: the libraries' own texts are English.
    static func germanReason(for error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .connectTimeout { return "keine Verbindung innerhalb der Wartezeit" }
            if [.deadlineExceeded, .readTimeout, .writeTimeout].contains(error) {
                return "keine Antwort innerhalb der Wartezeit"
            }
            if [.remoteConnectionClosed, .cancelled].contains(error) { return "Verbindung unterbrochen" }
            if [.invalidURL, .emptyHost, .emptyScheme].contains(error) { return "ungültige Adresse" }
        }
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("ECONNREFUSED") {
            return "Verbindung abgelehnt – läuft der Server, stimmt der Port?"
        }
        if text.contains("NIOSSL") || text.contains("handshake") || text.contains("certificate") {
            return "TLS-Verbindung fehlgeschlagen – Zertifikat oder https/http prüfen"
        }
        if text.contains("lookup") || text.contains("resolve") || text.contains("NXDOMAIN") {
            return "Rechnername nicht gefunden"
        }
        if text.contains("unreachable") || text.contains("Network is down") { return "keine Netzverbindung" }
        return "Netzfehler"
    }
}
