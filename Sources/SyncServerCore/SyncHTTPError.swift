import Foundation
import Hummingbird
import NIOCore
import OZGReplication
import OZGWire

/// An error answer of the sync endpoint: status, machine-readable code and a German message.
///
/// Thrown from any step of a request; Hummingbird's router turns it into the JSON body
/// `{"error": code, "message": …}` that docs/PROTOCOL.md („Fehler“) lists.
///
/// ```swift
/// guard token.labs.contains(lab) else { throw SyncHTTPError.labNotAllowed(lab) }
/// ```
struct SyncHTTPError: HTTPResponseError, CustomStringConvertible {
    let status: HTTPResponse.Status
    let code: String
    let message: String

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = (try? JSONEncoder().encode(SyncErrorBody(error: code, message: message))) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    var description: String { "\(status.code) \(code)" }
}

// MARK: - 401, 403, 404: who may ask for which lab

extension SyncHTTPError {
    static let tokenMissing = SyncHTTPError(
        .unauthorized, "token_fehlt", "Kein Token: die Anfrage braucht den Kopf „Authorization: Bearer <token>“.")

    static let tokenInvalid = SyncHTTPError(
        .unauthorized, "token_ungueltig", "Das Token ist unbekannt oder widerrufen.")

    static let labIDInvalid = SyncHTTPError(
        .badRequest, "labor_id_ungueltig", "Ungültige Labor-ID: \(LabID.rule).")

    static func labNotAllowed(_ lab: String) -> SyncHTTPError {
        SyncHTTPError(.forbidden, "labor_nicht_erlaubt", "Dieses Token gilt nicht für das Labor „\(lab)“.")
    }

    static func labUnknown(_ lab: LabID) -> SyncHTTPError {
        SyncHTTPError(.notFound, "labor_unbekannt", "Das Labor „\(lab)“ ist auf diesem Server nicht angelegt.")
    }

    static func tooManyDevices(limit: Int, site: SiteID) -> SyncHTTPError {
        SyncHTTPError(
            .forbidden, "geraete_grenze",
            "Dieses Token ist schon an \(limit) Geräte gebunden; das Gerät \(site.shortHex) braucht ein eigenes Token "
                + "(„ozg-sync-server token create“).")
    }

    static func deviceOfOtherToken(_ site: SiteID) -> SyncHTTPError {
        SyncHTTPError(
            .forbidden, "geraet_fremd",
            "Das Gerät \(site.shortHex) synchronisiert mit einem anderen Token; ein Gerät bleibt an das Token "
                + "gebunden, mit dem es zuerst kam (bis dieses widerrufen wird).")
    }

    static let readOnly = SyncHTTPError(
        .forbidden, "nur_lesen", "Dieses Token darf nur lesen; Änderungen senden braucht die Rolle „schreiben“.")
}

// MARK: - 400, 409, 413: what the body may be

extension SyncHTTPError {
    static func bodyTooLarge(limit: Int) -> SyncHTTPError {
        SyncHTTPError(
            .contentTooLarge, "zu_gross",
            "Die Anfrage ist größer als \(limit) Bytes; bitte in kleineren Teilen senden.")
    }

    static func inflatedTooLarge(limit: Int) -> SyncHTTPError {
        SyncHTTPError(.contentTooLarge, "zu_gross", "Entpackt ist die Anfrage größer als \(limit) Bytes.")
    }

    static let compressionInvalid = SyncHTTPError(
        .badRequest, "kompression_ungueltig",
        "Der Inhalt ist nicht gültig deflate-komprimiert (Content-Encoding: deflate).")

    static func encodingUnknown(_ encoding: String) -> SyncHTTPError {
        SyncHTTPError(
            .badRequest, "kodierung_unbekannt",
            "Content-Encoding „\(encoding)“ wird nicht unterstützt; erlaubt: deflate oder keine.")
    }

    static func unreadable(_ error: SyncWireError) -> SyncHTTPError {
        switch error {
        case .unsupportedVersion:
            return SyncHTTPError(.conflict, "protokollversion", error.description)
        case .malformed:
            return SyncHTTPError(.badRequest, "anfrage_ungueltig", "Ungültige Anfrage: \(error.description)")
        }
    }

    static func tooManyChanges(limit: Int, sent: Int) -> SyncHTTPError {
        SyncHTTPError(
            .contentTooLarge, "zu_viele_aenderungen", "Höchstens \(limit) Änderungen je Anfrage (gesendet: \(sent)).")
    }
}

// MARK: - 422, 400, 500: what the merge refuses

extension SyncHTTPError {
    static func clockAhead(_ error: ClockDriftError) -> SyncHTTPError {
        SyncHTTPError(.unprocessableContent, "uhr_voraus", error.description)
    }

    static func nameInvalid(_ error: SchemaError) -> SyncHTTPError {
        SyncHTTPError(.badRequest, "name_ungueltig", error.description)
    }

    static func changeInvalid(_ error: ReplicaError) -> SyncHTTPError {
        if case .changeRefused = error {
            return SyncHTTPError(.unprocessableContent, "aenderung_abgelehnt", error.description)
        }
        return SyncHTTPError(.badRequest, "aenderung_ungueltig", error.description)
    }

    static func foreignChange(row: RowChange, writer: SiteID, sender: SiteID) -> SyncHTTPError {
        SyncHTTPError(
            .unprocessableContent, "aenderung_fremd",
            "Die Änderung an „\(row.table)“ „\(row.id)“ hat das Gerät \(writer.shortHex) geschrieben; mit diesem "
                + "Token sendet das Gerät \(sender.shortHex) nur eigene Änderungen (fremde leitet nur ein Token mit der "
                + "Rolle „hub“ weiter).")
    }

    static func schemaLimit(_ error: SchemaGrowthError) -> SyncHTTPError {
        SyncHTTPError(.unprocessableContent, "schema_grenze", error.description)
    }

    /// The server's PostgreSQL database did not answer (or broke off): the client retries.
    static let databaseUnavailable = SyncHTTPError(
        .serviceUnavailable, "datenbank",
        "Die Datenbank des Servers ist gerade nicht erreichbar; nichts wurde gespeichert. Bitte gleich erneut versuchen."
    )

    /// Anything the server did not foresee; the cause goes to the log, not to the client.
    static let unexpected = SyncHTTPError(
        .internalServerError, "intern", "Interner Fehler des Servers; bitte später erneut versuchen.")
}

// MARK: - 400, 409: the live channel's upgrade request

extension SyncHTTPError {
    static let liveNeedsWebSocket = SyncHTTPError(
        .badRequest, "nur_websocket",
        "Der Live-Kanal spricht nur WebSocket: die Anfrage braucht „Upgrade: websocket“ (docs/PROTOCOL.md, „Live-Kanal“)."
    )

    static let liveDeviceInvalid = SyncHTTPError(
        .badRequest, "geraet_ungueltig",
        "Der Live-Kanal braucht die Geräte-ID als Parameter „geraet“: 32 Hex-Ziffern, wie sie der Sync sendet.")

    static func liveProtocolVersion(_ sent: String?) -> SyncHTTPError {
        guard let sent, let version = UInt64(sent) else {
            return SyncHTTPError(
                .badRequest, "protokollversion",
                "Der Live-Kanal braucht den Parameter „protokoll=\(SyncRequest.protocolVersion)“.")
        }
        return unreadable(.unsupportedVersion(version))
    }
}
