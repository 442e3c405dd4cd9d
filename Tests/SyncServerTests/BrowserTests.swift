import Foundation
import OZGDomain
import OZGReplication
import StateOfficeWeb
import SyncServerCore
import Testing

/// Where the browser tests leave their screenshots: `$OZG_ARTIFACTS`, else `.build/test-artifacts/web`.
func artifactDirectory() -> URL {
    if let path = ProcessInfo.processInfo.environment["OZG_ARTIFACTS"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return package.appendingPathComponent(".build/test-artifacts/web")
}

/// A lab with something to draw: a journey with steps and a pain point, a process with two
/// Akteure, a prototype with Befunde; and a persona whose name is an attack.
func pushDrawnLab(to server: TestServer, lab: String, token: String, persona: String) async throws {
    let store = try await pushExampleLab(to: server, lab: lab, token: token, in: server.directory, persona: persona)
    let snapshot = try store.snapshot(of: lab)
    let journey = try #require(snapshot.records("nutzerreise").first).id
    var steps: [String] = []
    for (phase, activity, emotion) in [
        ("anlass", "Hört von Wohngeld", "0"), ("vorbereiten", "Sammelt Nachweise", "-2"),
        ("beantragen", "Stellt den Antrag online", "1"),
    ] {
        steps.append(
            try store.add(
                "schritt", laborID: lab,
                fields: ["nutzerreise_id": journey, "phase": phase, "aktivitaet": activity, "emotion": emotion]))
    }
    try store.add(
        "schmerzpunkt", laborID: lab, fields: ["beschreibung": "Nachweise nur auf Papier", "schritt_id": steps[1]])
    let process = try store.add("prozess", laborID: lab, fields: ["name": "Wohngeld beantragen"])
    let person = try store.add(
        "akteur", laborID: lab, fields: ["prozess_id": process, "name": "Antragsteller:in", "akteurtyp": "nutzer"])
    let office = try store.add(
        "akteur", laborID: lab, fields: ["prozess_id": process, "name": "Wohngeldstelle", "akteurtyp": "behoerde"])
    for (akteur, type, name) in [
        (person, "start", "Bedarf erkannt"), (person, "user_aufgabe", "Antrag stellen"),
        (office, "service_aufgabe", "Einkommen abrufen"), (office, "ende", "Bescheid erlassen"),
    ] {
        try store.add(
            "element", laborID: lab,
            fields: ["prozess_id": process, "akteur_id": akteur, "element_typ": type, "bezeichnung": name])
    }
    let prototype = try store.add("prototyp", laborID: lab, fields: ["titel": "Klick-Dummy", "art": "klick_dummy"])
    let session = try store.add("testsitzung", laborID: lab, fields: ["prototyp_id": prototype, "datum": "2026-11-20"])
    for (person, severity) in [("TP-01", "3"), ("TP-02", "3"), ("TP-03", "1")] {
        try store.add(
            "befund", laborID: lab,
            fields: [
                "testsitzung_id": session, "testperson": person, "beobachtung": "Findet den Upload nicht",
                "schweregrad": severity,
            ])
    }
    try await server.client(store, token: token, lab: lab).sync()
}

@Suite("Web-Ansicht im echten Browser (chromium über WebDriver)")
struct BrowserTests {
    @Test(
        "Anmelden, Übersicht, Labor mit Bildern, Download, fremdes Labor abgelehnt, Abmelden: im echten Browser, feindliche Namen bleiben Text"
    )
    func reviewerWalksThrough() async throws {
        let server = TestServer()
        try await server.start(modules: [WebModule(secureCookies: false)])
        let writer = try await server.lab("wohngeld")
        let other = try await server.lab("fremd")
        let reader = try await server.data.registry.createToken(labs: ["wohngeld"], role: .lesen, name: "Redaktion")
        let attack = #"Erika <img src=x onerror="window.__angriff=1"><script>window.__angriff=2</script>"#
        try await pushDrawnLab(to: server, lab: "wohngeld", token: writer, persona: attack)
        _ = try await pushExampleLab(to: server, lab: "fremd", token: other, in: server.directory, title: "Geheim")
        let base = "http://127.0.0.1:\(server.port)"
        let browser = try await WebDriver.start(in: server.directory)
        do {
            try await walk(browser, base: base, token: reader, attack: attack)
        } catch {
            await browser.quit()
            await server.stop()
            throw error
        }
        await browser.quit()
        await server.stop()
    }

    func walk(_ browser: WebDriver, base: String, token: String, attack: String) async throws {
        let artifacts = artifactDirectory()
        try await browser.open(base + "/")
        #expect(try await browser.text("h1") == "Anmelden")
        try await browser.type(token, into: "#token")
        try await browser.click("form.anmeldung button")
        #expect(try await browser.text("h1") == "Übersicht der Labore")
        #expect(try await browser.text("table.labore tbody th") == "DigiLab Wohngeld")
        let rows = try await browser.execute("return document.querySelectorAll('table.labore tbody tr').length")
        #expect(rows as? Int == 1, "nur das Labor des Tokens")
        #expect(try await browser.execute("return document.documentElement.lang") as? String == "de")
        try await browser.screenshot(to: artifacts.appendingPathComponent("uebersicht.png"))

        try await browser.click("table.labore tbody th a")
        #expect(try await browser.text("h1") == "Projektsteckbrief: DigiLab Wohngeld")
        // Three pictures, each an SVG with title and description, drawn with shapes and text.
        let pictures =
            try await browser.execute(
                """
                return Array.from(document.querySelectorAll('figure.bild svg[role=img]')).map(s =>
                  [s.querySelector('title').textContent, s.querySelectorAll('rect,circle,polyline,polygon').length,
                   s.getBoundingClientRect().width > 100].join('|'))
                """) as? [String] ?? []
        #expect(pictures.count == 3, "\(pictures)")
        #expect(pictures.contains { $0.hasPrefix("Nutzerreise „Wohngeld beantragen") })
        #expect(pictures.contains { $0.hasPrefix("Referenzprozess „Wohngeld beantragen“ als BPMN-Diagramm") })
        #expect(pictures.contains { $0.hasPrefix("Befunde nach Schweregrad: Klick-Dummy") })
        #expect(pictures.allSatisfy { $0.hasSuffix("|true") && (Int($0.split(separator: "|")[1]) ?? 0) > 3 })
        // The attack is shown as the persona's name, as text; nothing of it ran.
        let body = try await browser.text("#steckbrief")
        #expect(body.contains(attack))
        #expect(try await browser.execute("return window.__angriff === undefined") as? Bool == true)
        #expect(
            try await browser.execute("return document.querySelectorAll('main img, main script').length") as? Int == 0)
        try await browser.screenshot(to: artifacts.appendingPathComponent("labor.png"))

        // A download with the session's cookie, as the link does it.
        let download =
            try await browser.executeAsync(
                """
                const done = arguments[0];
                fetch(document.querySelector('a[href$="projektsteckbrief.md"]').href)
                  .then(r => r.text().then(t => done(r.status + '|' + r.headers.get('content-disposition') + '|' + t)))
                """) as? String ?? ""
        #expect(download.hasPrefix("200|attachment; filename=\"wohngeld-projektsteckbrief.md\"|# Projektsteckbrief"))

        try await browser.open(base + "/labore/fremd")
        #expect(try await browser.text("h1") == "Seite nicht gefunden")
        #expect(!(try await browser.text("main")).contains("Geheim"))

        try await browser.open(base + "/")
        try await browser.click("form.abmelden button")
        #expect(try await browser.text("h1") == "Anmelden")
        try await browser.open(base + "/labore/wohngeld")
        #expect(try await browser.text("main").contains("Bitte zuerst anmelden"))
    }
}
