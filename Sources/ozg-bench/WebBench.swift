import Foundation
import OZGDomain
import OZGReplication
import OZGSyncClient
import StateOfficeWeb
import SyncServerCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The state office's web view against a real server on a loopback port in this process: the
/// overview over 200 labs and the page of a large lab (10,000 entries, a 60-element process).
/// Times are request to last byte over loopback, so they include HTTP and the client.
enum WebBench {
    static func run(directory: URL) async throws {
        var configuration = ServerConfiguration(dataDirectory: directory.appendingPathComponent("web").path)
        configuration.reservedTables = Domain.schema.tables
        // `--max-open-labs`: the default 64 makes an overview of 200 labs reopen most files each time.
        configuration.maxOpenLabs = Int(ProcessInfo.processInfo.environment["OZG_BENCH_WEB_OPEN_LABS"] ?? "") ?? 64
        let registry = try SQLiteRegistry(dataDirectory: configuration.dataDirectory)
        let labCount = Int(ProcessInfo.processInfo.environment["OZG_BENCH_WEB_LABS"] ?? "") ?? 200
        let labs = (0..<labCount).map { "labor-\($0)" } + ["gross"]
        for lab in labs { try await registry.createLab(lab, title: nil) }
        // Each lab has a facilitator token of its own (a token binds at most 8 devices).
        var writers: [String: String] = [:]
        for lab in labs { writers[lab] = try await registry.createToken(labs: [lab], role: .schreiben, name: lab) }
        let reader = try await registry.createToken(labs: labs, role: .lesen, name: "Redaktion")
        let server = try await BenchServer.start(configuration, modules: [WebModule(secureCookies: false)])
        defer { server.task.cancel() }
        let url = server.url

        for (index, lab) in labs.dropLast().enumerated() {
            let store = try LaborStore(path: directory.appendingPathComponent("\(lab).ozg").path)
            try fill(store, lab: lab, index: index, entries: 20, processElements: 6)
            try await SyncClient(replica: store.replica, server: url, token: writers[lab] ?? "", lab: LabID(lab)!)
                .sync()
            store.replica.close()
        }
        let big = try LaborStore(path: directory.appendingPathComponent("gross.ozg").path)
        try fill(big, lab: "gross", index: 0, entries: 10_000, processElements: 60)
        try await SyncClient(replica: big.replica, server: url, token: writers["gross"] ?? "", lab: LabID("gross")!)
            .sync()

        let session = URLSession(configuration: .ephemeral)
        var login = URLRequest(url: url.appendingPathComponent("anmelden"))
        login.httpMethod = "POST"
        login.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        login.httpBody = Data("token=\(reader)".utf8)
        let (_, answer) = try await session.data(for: login)
        let cookies = HTTPCookie.cookies(
            withResponseHeaderFields: (answer as? HTTPURLResponse)?.allHeaderFields as? [String: String] ?? [:],
            for: url)
        let cookie = cookies.first { $0.name == "ozg_sitzung" }.map { "ozg_sitzung=\($0.value)" } ?? ""
        func time(_ path: String, _ runs: Int, expect: String) async throws -> [Double] {
            var request = URLRequest(url: URL(string: url.absoluteString + path)!)
            request.setValue(cookie, forHTTPHeaderField: "Cookie")
            var times: [Double] = []
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                let (data, _) = try await session.data(for: request)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                precondition(String(decoding: data, as: UTF8.self).contains(expect), "\(path) zeigt nicht \(expect)")
            }
            return times
        }
        let runs = Int(ProcessInfo.processInfo.environment["OZG_BENCH_WEB_RUNS"] ?? "") ?? 50
        let overview = try await time("/", runs, expect: "\(labs.count) von \(labs.count) Labor(en)")
        print("web_overview_labs: \(labs.count)")
        line("web_overview_p50_ms", SyncBench.percentile(overview, 0.5), digits: 1)
        line("web_overview_p99_ms", SyncBench.percentile(overview, 0.99), digits: 1)
        let page = try await time("/labore/gross", runs, expect: "als BPMN-Diagramm")
        let (data, _) = try await session.data(
            for: {
                var request = URLRequest(url: URL(string: url.absoluteString + "/labore/gross")!)
                request.setValue(cookie, forHTTPHeaderField: "Cookie")
                return request
            }())
        print("web_lab_page_entries: 10000")
        print("web_lab_page_bytes: \(data.count)")
        line("web_lab_page_p50_ms", SyncBench.percentile(page, 0.5), digits: 1)
        line("web_lab_page_p99_ms", SyncBench.percentile(page, 0.99), digits: 1)
    }

    /// A lab with about `entries` entries spread evenly over personas, journey steps (20 per
    /// journey), requirements and test findings, and one process of `processElements` elements in
    /// three lanes.
    static func fill(_ store: LaborStore, lab: String, index: Int, entries: Int, processElements: Int) throws {
        let themes = ["bauen_wohnen", "familie_kind", "gesundheit", "umwelt"]
        try store.replica.transaction {
            try store.add(
                "labor", id: lab,
                fields: [
                    "titel": "Labor \(index) – \(lab)", "themenfeld": themes[index % themes.count],
                    "bundesland": "DE-MV",
                ])
            let persona = try store.add(
                "persona", laborID: lab,
                fields: ["name": "Persona 0", "kurzbeschreibung": "Bench", "nutzergruppe": "001", "ziele": "schnell"])
            var journey = ""
            let process = try store.add("prozess", laborID: lab, fields: ["name": "Antrag bearbeiten"])
            let lanes = try [("nutzer", "Antragsteller:in"), ("behoerde", "Fachamt"), ("it_system", "Fachverfahren")]
                .map { type, name in
                    try store.add(
                        "akteur", laborID: lab, fields: ["prozess_id": process, "name": name, "akteurtyp": type])
                }
            for number in 0..<processElements {
                let type = number == 0 ? "start" : number == processElements - 1 ? "ende" : "aufgabe"
                try store.add(
                    "element", laborID: lab,
                    fields: [
                        "prozess_id": process, "akteur_id": lanes[number % lanes.count], "element_typ": type,
                        "bezeichnung": "Schritt \(number) bearbeiten",
                    ])
            }
            let prototype = try store.add(
                "prototyp", laborID: lab, fields: ["titel": "Klick-Dummy", "art": "wireframe"])
            let session = try store.add(
                "testsitzung", laborID: lab, fields: ["prototyp_id": prototype, "datum": "2026-11-20"])
            let remaining = max(0, entries - 7 - processElements)
            for number in 0..<remaining {
                switch number % 4 {
                case 0:
                    try store.add(
                        "persona", laborID: lab,
                        fields: [
                            "name": "Persona \(number)", "kurzbeschreibung": "Bench \(number)", "nutzergruppe": "002",
                            "ziele": "Ziel \(number)",
                        ])
                case 1:
                    // Journeys as labs have them: a new one every 20 steps.
                    if number % 80 == 1 {
                        journey = try store.add(
                            "nutzerreise", laborID: lab,
                            fields: ["titel": "Nutzerreise \(number / 80)", "persona_id": persona])
                    }
                    try store.add(
                        "schritt", laborID: lab,
                        fields: [
                            "nutzerreise_id": journey, "phase": "beantragen", "aktivitaet": "Aktivität \(number)",
                            "emotion": String(number % 5 - 2),
                        ])
                case 2:
                    try store.add("anforderung", laborID: lab, fields: ["titel": "Anforderung \(number)"])
                default:
                    try store.add(
                        "befund", laborID: lab,
                        fields: [
                            "testsitzung_id": session, "testperson": "TP-\(number % 12)",
                            "beobachtung": "Beobachtung \(number % 40)", "schweregrad": String(number % 5),
                        ])
                }
            }
        }
    }
}
