import Foundation
import OZGDomain
import OZGReplication
import StateOfficeWeb
import SyncServerCore
import Testing

/// A person in front of the web view, as curl with a cookie jar: what a browser sends and receives
/// on the HTTP level (the real browser is in `BrowserTests`).
struct WebVisitor {
    let base: String
    let jar: String

    init(_ server: TestServer, name: String = "besucher") {
        base = "http://127.0.0.1:\(server.port)"
        jar = server.directory.appendingPathComponent("\(name).cookies").path
    }

    struct Answer {
        let status: Int
        let headers: [String: String]
        let body: String
    }

    /// One request; `form` makes it a POST with URL-encoded fields. Redirects are not followed.
    func request(_ path: String, form: [String: String]? = nil, cookies: Bool = true) async throws -> Answer {
        var arguments = ["-s", "-i", "--max-time", "20"]
        if cookies { arguments += ["-c", jar, "-b", jar] }
        if form != nil { arguments += ["-X", "POST"] }
        for (key, value) in form ?? [:] { arguments += ["--data-urlencode", "\(key)=\(value)"] }
        arguments.append(base + path)
        let output = String(decoding: try await ChildProcess.run("/usr/bin/curl", arguments).output, as: UTF8.self)
        let parts = output.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? ""
        let lines = head.components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + "\n" + value } ?? value
        }
        return Answer(status: status, headers: headers, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    func login(_ token: String) async throws -> Answer { try await request("/anmelden", form: ["token": token]) }
}

/// A lab pushed to `server` through the real client: a few entries of every kind the pages show.
func pushExampleLab(
    to server: TestServer, lab: String, token: String, in directory: URL, persona: String = "Erika Muster",
    title: String = "DigiLab Wohngeld"
) async throws -> LaborStore {
    let store = try LaborStore(path: directory.appendingPathComponent("\(lab).ozg").path)
    try store.add("labor", id: lab, fields: ["titel": title, "themenfeld": "bauen_wohnen", "bundesland": "DE-MV"])
    let leistung = try store.add("ozg_leistung", laborID: lab, fields: ["bezeichnung": "Wohngeld", "ozg_id": "99901"])
    try store.add(
        "labor_leistung", laborID: lab,
        fields: ["ozg_leistung_id": leistung, "kategorie": "labor_leistung", "begruendung": "Fallzahlen"])
    let person = try store.add(
        "persona", laborID: lab,
        fields: ["name": persona, "kurzbeschreibung": "Pflegekraft", "nutzergruppe": "001", "ziele": "schnell"])
    try store.add("nutzerreise", laborID: lab, fields: ["titel": "Wohngeld beantragen", "persona_id": person])
    try await server.client(store, token: token, lab: lab).sync()
    return store
}

@Suite("Web-Ansicht des Landesamts (HTTP)")
struct WebViewTests {
    static func server() async throws -> TestServer {
        let server = TestServer()
        try await server.start(modules: [WebModule(secureCookies: false)])
        return server
    }

    @Test(
        "Anmelden mit Token: Sitzungscookie HttpOnly und SameSite=Strict, die Übersicht zeigt nur die eigenen Labore, ein fremdes Labor ist 404 wie ein unbekanntes, Abmelden beendet die Sitzung auf dem Server"
    )
    func loginOverviewAndLogout() async throws {
        let server = try await Self.server()
        let writer = try await server.lab("wohngeld")
        let other = try await server.lab("fremd")
        let reader = try await server.data.registry.createToken(labs: ["wohngeld"], role: .lesen, name: "Redaktion")
        _ = try await pushExampleLab(to: server, lab: "wohngeld", token: writer, in: server.directory)
        _ = try await pushExampleLab(
            to: server, lab: "fremd", token: other, in: server.directory, title: "Fremdes Labor Geheim")
        let visitor = WebVisitor(server)
        let start = try await visitor.request("/")
        #expect(start.status == 200 && start.body.contains("<h1>Anmelden</h1>"))
        #expect(start.body.contains(#"<html lang="de">"#) && start.body.contains(#"<label for="token">"#))

        let wrong = try await visitor.login("olt_000000000000_" + String(repeating: "0", count: 48))
        #expect(wrong.status == 401 && wrong.body.contains("Das Token ist ungültig oder widerrufen"))
        #expect(wrong.headers["set-cookie"] == nil)

        let login = try await visitor.login(reader)
        #expect(login.status == 303 && login.headers["location"] == "/")
        let cookie = try #require(login.headers["set-cookie"])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        #expect(!cookie.contains("Secure"), "ohne TLS kein Secure")
        #expect(!login.body.contains(reader) && !cookie.contains(reader), "das Token erscheint nirgends")

        let overview = try await visitor.request("/")
        #expect(overview.status == 200 && overview.body.contains("Übersicht der Labore"))
        #expect(overview.body.contains(#"<a href="/labore/wohngeld">DigiLab Wohngeld</a>"#))
        #expect(overview.body.contains("Wohngeld (Labor-Leistungen)"))
        #expect(!overview.body.contains("Fremdes Labor") && !overview.body.contains("fremd"))
        #expect(overview.body.contains("Angemeldet: Redaktion"))

        let page = try await visitor.request("/labore/wohngeld")
        #expect(page.status == 200 && page.body.contains("<h1 id=\"projektsteckbrief-digilab-wohngeld\">"))
        #expect(page.body.contains("<h2 id=\"2-personas\">2. Personas</h2>") && page.body.contains("Erika Muster"))
        let forbidden = try await visitor.request("/labore/fremd")
        let unknown = try await visitor.request("/labore/gibt-es-nicht")
        #expect(forbidden.status == 404 && unknown.status == 404)
        #expect(forbidden.body == unknown.body, "ein fremdes Labor verrät nicht, dass es existiert")
        #expect(try await visitor.request("/labore/fremd/labor.json").status == 404)

        let logout = try await visitor.request("/abmelden", form: [:])
        #expect(logout.status == 303)
        // The old cookie, sent again by hand, no longer opens a session.
        let sessionValue = try #require(cookie.split(separator: ";").first?.split(separator: "=").last)
        let (_, replay) = try await TLSTests.run(
            "/usr/bin/curl", ["-s", "-H", "Cookie: ozg_sitzung=\(sessionValue)", visitor.base + "/labore/wohngeld"])
        #expect(replay.contains("Bitte zuerst anmelden") && !replay.contains("Erika Muster"))
        await server.stop()
    }

    @Test("Namen wie <script> und \"><img onerror> erscheinen als Text, in jedem Teil der Seite und in der Übersicht")
    func hostileNamesAreText() async throws {
        let server = try await Self.server()
        let token = try await server.lab("wohngeld")
        let script = "<script>alert(1)</script>"
        let image = #""><img src=x onerror=alert(1)>"#
        let store = try await pushExampleLab(
            to: server, lab: "wohngeld", token: token, in: server.directory, persona: script, title: image)
        try store.add(
            "komponente", laborID: "wohngeld",
            fields: ["name": "javascript:alert(1)", "status": "neu", "beschreibung": "<b onmouseover=x>fett</b>"])
        try await server.client(store, token: token, lab: "wohngeld").sync()
        let visitor = WebVisitor(server)
        #expect(try await visitor.login(token).status == 303)
        for path in ["/", "/labore/wohngeld"] {
            let body = try await visitor.request(path).body
            #expect(!body.contains("<script>") && !body.contains("<img") && !body.contains("<b onmouseover"))
            #expect(body.contains("&lt;img src=x onerror=alert(1)&gt;") || path == "/labore/wohngeld")
            #expect(!body.contains(#"href="javascript"#))
        }
        let page = try await visitor.request("/labore/wohngeld").body
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        #expect(page.contains("javascript:alert(1)"), "als Text, nicht als Link")
        await server.stop()
    }

    @Test(
        "Jede Antwort: CSP ohne Inline-Skript, nosniff, kein Referrer, kein Einbetten; Seiten nicht im Cache, CSS schon"
    )
    func securityHeaders() async throws {
        let server = try await Self.server()
        let visitor = WebVisitor(server)
        for path in ["/", "/labore/x"] {
            let answer = try await visitor.request(path)
            let policy = answer.headers["content-security-policy"] ?? ""
            #expect(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe-inline"))
            #expect(answer.headers["x-content-type-options"] == "nosniff")
            #expect(answer.headers["referrer-policy"] == "no-referrer")
            #expect(answer.headers["x-frame-options"] == "DENY")
            #expect(answer.headers["cache-control"] == "no-store")
        }
        let css = try await visitor.request("/static/web.css")
        #expect(css.status == 200 && css.headers["content-type"] == "text/css; charset=utf-8")
        #expect(css.headers["cache-control"] == "public, max-age=86400" && css.body.contains(":focus-visible"))
        #expect(!(try await visitor.request("/")).body.contains("<script"), "die Seiten kommen ohne Skript aus")
        await server.stop()
    }

    @Test(
        "Fehlgeschlagene Anmeldungen: nach fünf wartet die Adresse, auch mit richtigem Token; alles steht im Protokoll")
    func failedLoginsAreLimitedAndAudited() async throws {
        let server = try await Self.server()
        let token = try await server.lab("wohngeld")
        let visitor = WebVisitor(server)
        for _ in 0..<5 { #expect(try await visitor.login("olt_abcdefabcdef_falsch").status == 401) }
        let blocked = try await visitor.login(token)
        #expect(blocked.status == 429 && blocked.body.contains("Zu viele fehlgeschlagene Anmeldungen"))
        #expect(Int(blocked.headers["retry-after"] ?? "") ?? 0 > 0)
        let audit = try await server.data.registry.loginAudit(limit: 10)
        #expect(audit.map(\.outcome) == ["gesperrt"] + Array(repeating: "abgelehnt", count: 5))
        #expect(audit.allSatisfy { $0.address == "127.0.0.1" })
        #expect(audit[1].tokenID == "abcdefabcdef", "die öffentliche ID des Tokens, nie das Geheimnis")
        await server.stop()
    }

    @Test(
        "Hinter dem Proxy zählen Fehlversuche je Adresse aus X-Forwarded-For: gesperrt ist nur, wer falsch rät; ohne Vertrauen in den Proxy zählt die Verbindung"
    )
    func failedLoginsBehindProxy() async throws {
        let server = TestServer()
        try await server.start(modules: [WebModule(secureCookies: true, trustsProxy: true)])
        let token = try await server.lab("wohngeld")
        let visitor = WebVisitor(server)
        func login(_ presented: String, from address: String) async throws -> Int {
            let arguments = [
                "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Forwarded-For: 10.9.9.9, \(address)",
                "--data-urlencode", "token=\(presented)", visitor.base + "/anmelden",
            ]
            return Int(String(decoding: try await ChildProcess.run("/usr/bin/curl", arguments).output, as: UTF8.self))
                ?? 0
        }
        for _ in 0..<5 { #expect(try await login("olt_abcdefabcdef_falsch", from: "192.0.2.7") == 401) }
        #expect(try await login(token, from: "192.0.2.7") == 429)
        #expect(try await login(token, from: "192.0.2.8") == 303, "andere Personen hinter demselben Proxy")
        // A forged value that is no address falls back to the connection's address.
        #expect(try await login(token, from: "<script>") == 303)
        let audit = try await server.data.registry.loginAudit(limit: 10)
        #expect(audit.first?.address == "127.0.0.1" && audit[1].address == "192.0.2.8")
        await server.stop()
    }

    @Test("Downloads sind dieselben Exporte wie in der Shell; ein widerrufenes Token beendet die Sitzung")
    func downloadsAndRevocation() async throws {
        let server = try await Self.server()
        let writer = try await server.lab("wohngeld")
        let store = try await pushExampleLab(to: server, lab: "wohngeld", token: writer, in: server.directory)
        let visitor = WebVisitor(server)
        #expect(try await visitor.login(writer).status == 303)
        let markdown = try await visitor.request("/labore/wohngeld/projektsteckbrief.md")
        #expect(markdown.status == 200 && markdown.headers["content-type"] == "text/markdown; charset=utf-8")
        #expect(markdown.headers["content-disposition"] == #"attachment; filename="wohngeld-projektsteckbrief.md""#)
        #expect(markdown.body == (try MarkdownExport.projektsteckbrief(store: store, laborID: "wohngeld")))
        let json = try await visitor.request("/labore/wohngeld/labor.json")
        #expect(json.body == (try JSONExport.json(store: store, laborID: "wohngeld")))
        let csv = try await visitor.request("/labore/wohngeld/csv/persona")
        #expect(csv.status == 200 && csv.body.contains("Erika Muster"))
        #expect(try await visitor.request("/labore/wohngeld/csv/gibtsnicht").status == 404)
        #expect(try await visitor.request("/labore/wohngeld/passwd").status == 404)
        let tokens = try await server.data.registry.tokens()
        let id = try #require(tokens.first?.id)
        try await server.data.registry.revokeToken(id)
        let after = try await visitor.request("/labore/wohngeld")
        #expect(after.status == 401 && after.body.contains("Bitte zuerst anmelden"))
        await server.stop()
    }
}
