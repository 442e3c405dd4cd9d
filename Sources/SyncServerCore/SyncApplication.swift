import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import OZGReplication
import OZGStorage
import OZGWire

/// An error answer: status, machine-readable code and a German message.
struct SyncHTTPError: Error {
    let status: HTTPResponse.Status
    let code: String
    let message: String
}

/// Opens lab stores on demand and keeps them for the server's lifetime.
actor LabDirectory {
    let configuration: ServerConfiguration
    var stores: [String: LabReplicaStore] = [:]

    init(configuration: ServerConfiguration) {
        self.configuration = configuration
    }

    func store(_ id: String) throws -> LabReplicaStore {
        if let store = stores[id] { return store }
        let store = try LabReplicaStore(
            dataDirectory: configuration.dataDirectory, labID: id,
            maxDriftMilliseconds: configuration.maxDriftMilliseconds)
        stores[id] = store
        return store
    }
}

/// Builds the HTTP application: `POST /v1/labs/{labor_id}/sync`, `GET /healthz`, `GET /metrics`.
///
/// `onServerRunning` receives the bound port (tests start on port 0).
public func buildApplication(
    _ configuration: ServerConfiguration, logger: Logger = Logger(label: "ozg-sync-server"),
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws
    -> some ApplicationProtocol
{
    let registry = try Registry(dataDirectory: configuration.dataDirectory)
    let labs = LabDirectory(configuration: configuration)
    let metrics = ServerMetrics()
    let router = Router()
    router.get("healthz") { _, _ in "ok\n" }
    router.get("metrics") { _, _ -> Response in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
    }
    router.post("v1/labs/:labor/sync") { request, context -> Response in
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await handleSync(
                request, context: context, configuration: configuration,
                registry: registry, labs: labs, metrics: metrics)
        } catch let error as SyncHTTPError {
            response = errorResponse(error)
        } catch {
            context.logger.error("Unerwarteter Fehler: \(error)")
            response = errorResponse(
                SyncHTTPError(
                    status: .internalServerError, code: "intern",
                    message: "Interner Fehler des Servers; bitte später erneut versuchen."))
        }
        metrics.request(status: Int(response.status.code))
        metrics.latency.record(ContinuousClock.now - started)
        return response
    }
    return Application(
        router: router,
        server: try serverBuilder(configuration),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "ozg-sync-server"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// Plain HTTP/1.1, or HTTPS when a certificate and key are configured.
func serverBuilder(_ configuration: ServerConfiguration) throws -> HTTPServerBuilder {
    switch (configuration.tlsCertificatePath, configuration.tlsKeyPath) {
    case (nil, nil):
        return .http1()
    case (let certificate?, let key?):
        let chain: [NIOSSLCertificate]
        let privateKey: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw AdminError("Das Zertifikat „\(certificate)“ lässt sich nicht lesen (PEM erwartet): \(error)")
        }
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw AdminError("Der Schlüssel „\(key)“ lässt sich nicht lesen (PEM erwartet): \(error)")
        }
        guard !chain.isEmpty else { throw AdminError("Die Datei „\(certificate)“ enthält kein Zertifikat.") }
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(privateKey))
        return try HTTPServerBuilder.tls(HTTPServerBuilder.http1(), tlsConfiguration: tls)
    default:
        throw AdminError("Für TLS sind --tls-cert und --tls-key beide nötig.")
    }
}

func errorResponse(_ error: SyncHTTPError) -> Response {
    let body = (try? JSONEncoder().encode(SyncErrorBody(error: error.code, message: error.message))) ?? Data()
    return Response(
        status: error.status, headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: body)))
}

func handleSync(
    _ request: Request, context: BasicRequestContext, configuration: ServerConfiguration,
    registry: Registry, labs: LabDirectory, metrics: ServerMetrics
) async throws -> Response {
    // Who is asking.
    guard let authorization = request.headers[.authorization] else {
        throw SyncHTTPError(
            status: .unauthorized, code: "token_fehlt",
            message: "Kein Token: die Anfrage braucht den Kopf „Authorization: Bearer <token>“.")
    }
    guard authorization.hasPrefix("Bearer "),
        let token = try await registry.authenticate(String(authorization.dropFirst(7)))
    else {
        throw SyncHTTPError(
            status: .unauthorized, code: "token_ungueltig",
            message: "Das Token ist unbekannt oder widerrufen.")
    }
    let labID = context.parameters.get("labor") ?? ""
    guard LabID(labID) != nil else {
        throw SyncHTTPError(
            status: .badRequest, code: "labor_id_ungueltig", message: "Ungültige Labor-ID: \(LabID.rule).")
    }
    guard token.labs.contains(labID) else {
        throw SyncHTTPError(
            status: .forbidden, code: "labor_nicht_erlaubt",
            message: "Dieses Token gilt nicht für das Labor „\(labID)“.")
    }
    guard try await registry.labExists(labID) else {
        throw SyncHTTPError(
            status: .notFound, code: "labor_unbekannt",
            message: "Das Labor „\(labID)“ ist auf diesem Server nicht angelegt.")
    }

    // What it sends.
    let raw: ByteBuffer
    do {
        raw = try await request.body.collect(upTo: configuration.maxBodyBytes)
    } catch {
        throw SyncHTTPError(
            status: .contentTooLarge, code: "zu_gross",
            message: "Die Anfrage ist größer als \(configuration.maxBodyBytes) Bytes; bitte in kleineren Teilen senden."
        )
    }
    metrics.bytesIn.increment(by: Int64(raw.readableBytes))
    var bytes = [UInt8](buffer: raw)
    switch request.headers[.contentEncoding]?.lowercased() {
    case nil, "identity": break
    case "deflate":
        do {
            bytes = try Deflate.decompress(bytes, maxOutputBytes: configuration.maxInflatedBytes)
        } catch DeflateError.tooLarge {
            throw SyncHTTPError(
                status: .contentTooLarge, code: "zu_gross",
                message: "Entpackt ist die Anfrage größer als \(configuration.maxInflatedBytes) Bytes.")
        } catch {
            throw SyncHTTPError(
                status: .badRequest, code: "kompression_ungueltig",
                message: "Der Inhalt ist nicht gültig deflate-komprimiert (Content-Encoding: deflate).")
        }
    case let other?:
        throw SyncHTTPError(
            status: .badRequest, code: "kodierung_unbekannt",
            message: "Content-Encoding „\(other)“ wird nicht unterstützt; erlaubt: deflate oder keine.")
    }
    let sync: SyncRequest
    do {
        sync = try SyncWire.decodeRequest(bytes)
    } catch .unsupportedVersion(let version) {
        throw SyncHTTPError(
            status: .conflict, code: "protokollversion",
            message: SyncWireError.unsupportedVersion(version).description)
    } catch {
        throw SyncHTTPError(
            status: .badRequest, code: "anfrage_ungueltig", message: "Ungültige Anfrage: \(error.description)")
    }
    if !sync.batch.isEmpty && token.role == .lesen {
        throw SyncHTTPError(
            status: .forbidden, code: "nur_lesen",
            message: "Dieses Token darf nur lesen; Änderungen senden braucht die Rolle „schreiben“.")
    }
    if sync.batch.changeCount > configuration.maxChangesPerRequest {
        throw SyncHTTPError(
            status: .contentTooLarge, code: "zu_viele_aenderungen",
            message:
                "Höchstens \(configuration.maxChangesPerRequest) Änderungen je Anfrage (gesendet: \(sync.batch.changeCount))."
        )
    }

    // Merge and answer.
    let store = try await labs.store(labID)
    let answer: SyncResponse
    do {
        let (response, merged) = try await store.sync(sync, token: token, pageRows: configuration.pageRows)
        metrics.changesMerged.increment(by: Int64(merged))
        answer = response
    } catch let error as ClockDriftError {
        throw SyncHTTPError(status: .unprocessableContent, code: "uhr_voraus", message: error.description)
    } catch let error as SchemaError {
        throw SyncHTTPError(status: .badRequest, code: "name_ungueltig", message: error.description)
    } catch let error as ReplicaError {
        throw SyncHTTPError(status: .badRequest, code: "aenderung_ungueltig", message: error.description)
    }
    let body = try Deflate.compress(SyncWire.encode(answer))
    metrics.bytesOut.increment(by: Int64(body.count))
    return Response(
        status: .ok, headers: [.contentType: "application/x-ozg-sync", .contentEncoding: "deflate"],
        body: .init(byteBuffer: ByteBuffer(bytes: body)))
}
