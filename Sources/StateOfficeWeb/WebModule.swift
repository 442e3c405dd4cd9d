import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OZGDomain
import OZGReplication
import SyncServerCore

/// The state office's read-only web view (docs/WEB.md): login with a token, the overview of every
/// lab the token may read, a page per lab with the Projektsteckbrief, check findings, conflicts, the
/// audit log and downloads. There is no write path: every route is GET except logging in and out.
public struct WebModule: ServerModule {
    /// Sessions last this long without a new login.
    public var sessionLifetime: Duration = .seconds(8 * 3600)
    /// The cookie carries `Secure` (set when the server speaks HTTPS, or behind a TLS proxy).
    public var secureCookies: Bool
    /// Behind a reverse proxy every request comes from the proxy's address; then the client is the
    /// last address the proxy appended to `X-Forwarded-For` (failed logins are limited per client).
    public var trustsProxy: Bool
    let sessions: SessionStore
    let limiter: LoginLimiter
    let summaries = SummaryCache()
    let pages = Pages()
    let logger: Logger

    public init(
        secureCookies: Bool, trustsProxy: Bool = false, logger: Logger = Logger(label: "ozg-sync-server.web")
    ) {
        self.secureCookies = secureCookies
        self.trustsProxy = trustsProxy
        self.logger = logger
        sessions = SessionStore(lifetime: .seconds(8 * 3600))
        limiter = LoginLimiter()
    }

    static let cookieName = "ozg_sitzung"

    public func addRoutes(to router: Router<SyncRequestContext>, server: ServerAccess) {
        let web = router.group().add(middleware: SecurityHeadersMiddleware())
        web.get("/") { request, context in try await overview(request, context, server) }
        web.post("anmelden") { request, context in try await login(request, context, server) }
        web.post("abmelden") { request, _ in await logout(request) }
        web.get("static/web.css") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=86400"],
                body: .init(byteBuffer: ByteBuffer(string: Pages.css)))
        }
        web.get("labore/:labor") { request, context in
            try await withLab(request, context, server) { lab, viewer in
                try await labPage(lab, viewer: viewer, server)
            }
        }
        web.get("labore/:labor/:datei") { request, context in
            try await withLab(request, context, server) { lab, _ in
                try await download(lab, context.parameters.get("datei") ?? "", server)
            }
        }
        web.get("labore/:labor/csv/:entitaet") { request, context in
            try await withLab(request, context, server) { lab, _ in
                try await csv(lab, context.parameters.get("entitaet") ?? "", server)
            }
        }
        web.get("labore/:labor/bpmn/:prozess") { request, context in
            try await withLab(request, context, server) { lab, _ in
                try await bpmn(lab, context.parameters.get("prozess") ?? "", server)
            }
        }
    }

    // MARK: - Sessions

    /// The token of the request's session, if it has a live one whose token is not revoked.
    func viewer(_ request: Request, _ server: ServerAccess) async throws -> TokenRecord? {
        guard let session = request.cookies[Self.cookieName]?.value,
            let tokenID = await sessions.tokenID(of: session)
        else { return nil }
        guard let token = try await server.registry.activeToken(id: tokenID) else {
            await sessions.close(session)
            return nil
        }
        return token
    }

    func login(_ request: Request, _ context: SyncRequestContext, _ server: ServerAccess) async throws -> Response {
        let address = clientAddress(request, context)
        if let wait = await limiter.waitSeconds(for: address) {
            try await server.registry.recordLogin(address: address, tokenID: nil, outcome: "gesperrt")
            logger.warning("Anmeldung gesperrt", metadata: ["adresse": "\(address)"])
            return html(
                .tooManyRequests,
                loginPage(
                    "Zu viele fehlgeschlagene Anmeldungen von dieser Adresse. Bitte in \(wait) Sekunden erneut versuchen."
                ),
                headers: [.retryAfter: String(wait)])
        }
        let body = try? await request.body.collect(upTo: 4096)
        let form = body.map { String(buffer: $0) } ?? ""
        struct Form: Decodable { let token: String? }
        let presented =
            (try? URLEncodedFormDecoder().decode(Form.self, from: form))?.token?
            .trimmingCharacters(in: .whitespaces) ?? ""
        guard let token = try await server.registry.authenticate(presented) else {
            await limiter.recordFailure(for: address)
            // Only the token's public id part is recorded, never the secret.
            let parts = presented.split(separator: "_")
            let namedID = parts.count == 3 && parts[1].count == 12 ? String(parts[1]) : nil
            try await server.registry.recordLogin(address: address, tokenID: namedID, outcome: "abgelehnt")
            logger.notice("Anmeldung abgelehnt", metadata: ["adresse": "\(address)"])
            return html(
                .unauthorized,
                loginPage(
                    presented.isEmpty
                        ? "Bitte ein Zugangstoken eingeben." : "Das Token ist ungültig oder widerrufen. Bitte prüfen."))
        }
        await limiter.recordSuccess(for: address)
        try await server.registry.recordLogin(address: address, tokenID: token.id, outcome: "angemeldet")
        let session = await sessions.open(tokenID: token.id)
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.setCookie(
            Cookie(
                name: Self.cookieName, value: session, maxAge: Int(sessionLifetime.components.seconds), path: "/",
                secure: secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    /// The address failed logins are counted and recorded under: the peer's, or behind a trusted
    /// proxy the last entry of `X-Forwarded-For` (the one the proxy wrote; earlier ones the client
    /// could have sent itself). Only an IP address is taken, at most 45 characters.
    func clientAddress(_ request: Request, _ context: SyncRequestContext) -> String {
        if trustsProxy, let header = request.headers[Self.forwardedFor],
            let last = header.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
            (2...45).contains(last.count), last.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" })
        {
            return last
        }
        return context.clientAddress ?? "unbekannt"
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    func logout(_ request: Request) async -> Response {
        if let session = request.cookies[Self.cookieName]?.value { await sessions.close(session) }
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.setCookie(
            Cookie(
                name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true,
                sameSite: .strict))
        return response
    }

    // MARK: - Pages

    func loginPage(_ error: String?) -> String {
        pages.page(
            title: "Anmelden", content: pages.render("anmelden", ["fehler": error as Any]), viewer: nil)
    }

    func html(_ status: HTTPResponse.Status, _ page: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    func notFound(_ viewer: TokenRecord?) -> Response {
        html(
            .notFound,
            pages.page(
                title: "Nicht gefunden",
                content: pages.render(
                    "meldung",
                    [
                        "titel": "Seite nicht gefunden",
                        "text": "Diese Seite gibt es nicht, oder Ihr Zugang darf sie nicht lesen.",
                    ]),
                viewer: viewer?.name))
    }

    func overview(_ request: Request, _ context: SyncRequestContext, _ server: ServerAccess) async throws
        -> Response
    {
        guard let viewer = try await viewer(request, server) else { return html(.ok, loginPage(nil)) }
        let query = request.uri.queryParameters
        let theme = query["themenfeld"].map(String.init) ?? ""
        let phase = query["phase"].map(String.init) ?? ""
        let order = query["sortierung"].map(String.init) ?? "titel"
        var rows: [[String: Any]] = []
        var total = 0
        for (id, registeredTitle) in try await server.registry.labs() where viewer.labs.contains(id) {
            guard let lab = LabID(id) else { continue }
            total += 1
            let cached = await summaries.entry(id)
            let reading = try await server.read(lab: lab) {
                try LabReading.overview(of: id, replica: $0, cached: cached)
            }
            await summaries.store(id, sequence: reading.sequence, summary: reading.summary)
            let summary = reading.summary
            if !theme.isEmpty, summary?.themeKey != theme { continue }
            if !phase.isEmpty, summary?.phaseKey != phase { continue }
            let devices = reading.devices.map {
                "\($0.tokenName), Gerät \($0.device.prefix(8)): \(Self.shortTime($0.time))"
            }
            rows.append(row(id: id, title: registeredTitle, summary: summary, devices: devices))
        }
        rows.sort { Self.sortKey($0, order) < Self.sortKey($1, order) }
        func options(_ choices: [Choice], _ selected: String) -> [[String: Any]] {
            choices.map { ["key": $0.key, "label": $0.label, "gewaehlt": $0.key == selected] }
        }
        let sortings: [Choice] = [
            Choice("titel", "Titel"), Choice("themenfeld", "Themenfeld"), Choice("phase", "Phase"),
            Choice("fehlend", "Meiste fehlende Inhalte"), Choice("konflikte", "Meiste Konflikte"),
        ]
        let content = pages.render(
            "uebersicht",
            [
                "themen": options(Catalog.themenfeld, theme), "phasen": options(Catalog.laborPhase, phase),
                "sortierungen": options(sortings, order), "labore": rows, "anzahl": rows.count, "gesamt": total,
            ])
        return html(.ok, pages.page(title: "Übersicht", content: content, viewer: viewer.name))
    }

    func row(id: String, title: String?, summary: LabSummary?, devices: [String]) -> [String: Any] {
        guard let summary else {
            return [
                "id": id, "titel": title ?? id, "themenfeld": "–", "phase": "noch nicht synchronisiert",
                "hat_leistungen": false, "leistungen": [String](), "hat_geraete": !devices.isEmpty, "geraete": devices,
                "hat_eintraege": false, "eintraege": [String](), "hat_vollstaendigkeit": false,
                "vollstaendigkeit": [String](), "konflikte": 0, "pruefung": "–", "sort_fehlend": 0,
                "sort_phase": "", "sort_themenfeld": "",
            ]
        }
        return [
            "id": id, "titel": summary.title, "themenfeld": summary.theme, "phase": summary.phase,
            "hat_leistungen": !summary.leistungen.isEmpty, "leistungen": summary.leistungen,
            "hat_geraete": !devices.isEmpty, "geraete": devices, "hat_eintraege": !summary.counts.isEmpty,
            "eintraege": summary.counts, "eintraege_gesamt": summary.total,
            "hat_vollstaendigkeit": !summary.completeness.isEmpty,
            "vollstaendigkeit": summary.completeness, "konflikte": summary.conflicts,
            "pruefung": summary.findings == 0
                ? "keine Befunde" : "\(summary.findings) Befund(e), davon \(summary.errors) Fehler",
            "sort_fehlend": summary.missing,
            "sort_phase": String(Catalog.laborPhase.firstIndex { $0.key == summary.phaseKey } ?? 9),
            "sort_themenfeld": summary.theme,
        ]
    }

    static func sortKey(_ row: [String: Any], _ order: String) -> String {
        let title = (row["titel"] as? String ?? "").lowercased()
        func descending(_ key: String) -> String { String(format: "%08d", 99_999_999 - (row[key] as? Int ?? 0)) }
        switch order {
        case "themenfeld": return (row["sort_themenfeld"] as? String ?? "") + "\u{0}" + title
        case "phase": return (row["sort_phase"] as? String ?? "") + "\u{0}" + title
        case "fehlend": return descending("sort_fehlend") + title
        case "konflikte": return descending("konflikte") + title
        default: return title
        }
    }

    /// „2026-12-02 18:34“ from an ISO 8601 time.
    static func shortTime(_ iso: String) -> String {
        String(iso.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// Runs `body` for the lab in the path when the session may read it; 404 otherwise (a lab the
    /// session may not read looks exactly like one that does not exist), the login page without session.
    func withLab(
        _ request: Request, _ context: SyncRequestContext, _ server: ServerAccess,
        _ body: (LabID, TokenRecord) async throws -> Response
    ) async throws -> Response {
        guard let viewer = try await viewer(request, server) else {
            return html(.unauthorized, loginPage("Bitte zuerst anmelden."))
        }
        guard let text = context.parameters.get("labor"), let lab = LabID(text), viewer.labs.contains(text),
            try await server.registry.labExists(text)
        else { return notFound(viewer) }
        return try await body(lab, viewer)
    }

    func labPage(_ lab: LabID, viewer: TokenRecord, _ server: ServerAccess) async throws -> Response {
        let id = lab.rawValue
        guard let page = try await server.read(lab: lab, { try LabReading.page(of: id, replica: $0) }) else {
            return html(
                .ok,
                pages.page(
                    title: id,
                    content: pages.render(
                        "meldung",
                        [
                            "titel": id,
                            "text": "Dieses Labor ist angelegt, aber noch hat kein Gerät es synchronisiert.",
                        ]),
                    viewer: viewer.name))
        }
        let audit = try await server.audit(lab: lab, limit: 200)
        let steckbrief = page.steckbrief.html
        let content = pages.render(
            "labor",
            [
                "id": id, "steckbrief": steckbrief,
                "hat_befunde": !page.findings.isEmpty,
                "befunde": page.findings.map { ["stufe": $0.isError ? "Fehler" : "Hinweis", "text": $0.message] },
                "hat_konflikte": !page.conflicts.isEmpty,
                "konflikte": page.conflicts.map {
                    [
                        "eintrag": $0.row, "entitaet": $0.entity, "feld": $0.field, "wertA": $0.valueA,
                        "autorA": $0.authorA, "wertB": $0.valueB, "autorB": $0.authorB,
                    ]
                },
                "hat_protokoll": !audit.isEmpty,
                "protokoll": audit.map {
                    [
                        "zeit": Self.shortTime($0.time), "token": $0.tokenName, "geraet": String($0.device.prefix(8)),
                        "aenderungen": $0.changes,
                    ]
                },
                "entitaeten": page.entities.map { ["labor": id, "key": $0.key, "label": $0.label] },
                "prozesse": page.processes.map { ["labor": id, "id": $0.id, "name": $0.name] },
            ])
        return html(.ok, pages.page(title: page.summary.title, content: content, viewer: viewer.name))
    }

    // MARK: - Downloads

    func file(_ text: String, type: String, name: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, .contentDisposition: "attachment; filename=\"\(name)\"",
                .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func download(_ lab: LabID, _ name: String, _ server: ServerAccess) async throws -> Response {
        let id = lab.rawValue
        let text: String?
        switch name {
        case "projektsteckbrief.md":
            text = try await server.read(lab: lab) { replica in
                try? MarkdownExport.projektsteckbrief(store: LaborStore(replica: replica), laborID: id)
            }
        case "anforderungen.md":
            text = try await server.read(lab: lab) { replica in
                try? MarkdownExport.anforderungsdokument(store: LaborStore(replica: replica), laborID: id)
            }
        case "labor.json":
            text = try await server.read(lab: lab) { replica in
                try? JSONExport.json(store: LaborStore(replica: replica), laborID: id)
            }
        default: return notFound(nil)
        }
        guard let text else { return notFound(nil) }
        let type = name.hasSuffix(".json") ? "application/json; charset=utf-8" : "text/markdown; charset=utf-8"
        return file(text, type: type, name: "\(id)-\(name)")
    }

    func csv(_ lab: LabID, _ entity: String, _ server: ServerAccess) async throws -> Response {
        let id = lab.rawValue
        guard Domain.entity(entity) != nil else { return notFound(nil) }
        let text = try await server.read(lab: lab) { replica -> String? in
            guard replica.tableNames.contains(entity) else { return nil }
            return try? CSVExport.csv(
                store: LaborStore(replica: replica), laborID: id, entity: entity, byteOrderMark: true)
        }
        guard let text else { return notFound(nil) }
        return file(text, type: "text/csv; charset=utf-8", name: "\(id)-\(entity).csv")
    }

    func bpmn(_ lab: LabID, _ process: String, _ server: ServerAccess) async throws -> Response {
        let id = lab.rawValue
        let text = try await server.read(lab: lab) { replica -> String? in
            let store = LaborStore(replica: replica)
            guard let snapshot = try? store.snapshot(of: id),
                let record = snapshot.records("prozess").first(where: { $0.id == process })
            else { return nil }
            // The web view shows what there is: a process with errors is exported without the faulty flows.
            return try? BPMNExport.bpmn(ProcessModel(process: record, in: snapshot), includingErrors: true)
        }
        guard let text else { return notFound(nil) }
        return file(text, type: "application/xml; charset=utf-8", name: "\(id)-prozess.bpmn")
    }
}

/// Headers every web answer carries: no inline script or style from anywhere but this server, no
/// framing, no MIME sniffing, no referrer; pages are not cached (they show lab data).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = SyncRequestContext
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!

    func handle(
        _ request: Request, context: SyncRequestContext,
        next: (Request, SyncRequestContext) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicy] = "no-referrer"
        response.headers[Self.frameOptions] = "DENY"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
