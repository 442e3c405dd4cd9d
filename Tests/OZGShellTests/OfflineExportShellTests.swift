import Foundation
import Testing

/// Where the shell tests leave screenshots: `$OZG_ARTIFACTS`, else `.build/test-artifacts/shell`.
func shellArtifactDirectory() -> URL {
    if let path = ProcessInfo.processInfo.environment["OZG_ARTIFACTS"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    return ShellProcess.packageRoot.appendingPathComponent(".build/test-artifacts/shell")
}

@Suite("export html und export svg: Steckbrief und Bilder ohne Netz")
struct OfflineExportShellTests {
    @Test(
        "Das Beispiellabor als HTML-Datei und jedes Bild als SVG-Datei; chromium zeigt das HTML ohne Netz, librsvg zeichnet die SVGs"
    )
    func exportsOfTheExampleLab() throws {
        let directory = ShellDirectory()
        try RealisticLabTests.buildExample(in: directory)
        func shell(_ command: String) throws -> ShellProcess.Outcome {
            try ShellProcess.run(["labor.ozg", "-c", command], in: directory.url)
        }
        let html = try shell("export html out=steckbrief.html")
        #expect(html.status == 0 && html.stdout.contains("Geschrieben: steckbrief.html"), "\(html.stderr)")
        let page = try String(contentsOfFile: directory.path("steckbrief.html"), encoding: .utf8)
        #expect(page.contains("<title>Projektsteckbrief: DigiLab Wohngeld (Beispiel)</title>"))
        #expect(page.components(separatedBy: "<figure class=\"bild").count - 1 == 3)
        #expect(!page.contains("<script") && !page.contains(" src="))

        let journey = try #require(try shell("nutzerreise list").lines.dropFirst(2).first?.split(separator: " ").first)
        let process = try #require(try shell("prozess list").lines.dropFirst(2).first?.split(separator: " ").first)
        for (command, file) in [
            ("export svg nutzerreise=\(journey) out=reise.svg", "reise.svg"),
            ("export svg prozess=\(process) out=prozess.svg", "prozess.svg"),
            ("export svg befunde out=befunde.svg", "befunde.svg"),
        ] {
            let outcome = try shell(command)
            #expect(outcome.status == 0, "\(command): \(outcome.stderr)")
            let svg = try String(contentsOfFile: directory.path(file), encoding: .utf8)
            #expect(
                svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""))
            let render = Process()
            render.executableURL = URL(fileURLWithPath: "/usr/bin/rsvg-convert")
            render.arguments = ["--format=png", "--output=\(directory.path(file + ".png"))", directory.path(file)]
            try render.run()
            render.waitUntilExit()
            #expect(render.terminationStatus == 0, "rsvg-convert \(file)")
        }

        // The file in a real browser without network: a screenshot to look at.
        let artifacts = shellArtifactDirectory()
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("steckbrief-html.png")
        try? FileManager.default.removeItem(at: screenshot)
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
        browser.arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,2400",
            "--user-data-dir=" + directory.path("chromium"), "--screenshot=" + screenshot.path,
            "file://" + directory.path("steckbrief.html"),
        ]
        browser.standardOutput = FileHandle.nullDevice
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        browser.waitUntilExit()
        let png = try Data(contentsOf: screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000)
    }

    @Test(
        "export svg: falsche Angaben werden mit Grund und erlaubten Angaben abgelehnt, nichts wird geschrieben",
        arguments: [
            ("export svg", "export svg braucht genau eines"),
            ("export svg prozess=1 nutzerreise=1", "export svg braucht genau eines"),
            ("export svg nutzerreise=zzzz out=x.svg", "nutzerreise"),
            ("export svg befunde", "Kein Prototyp dieses Labors hat Befunde"),
            ("export markdown nutzerreise=1", "nutzerreise= gilt nur für export svg"),
            ("export pdf", "erlaubt: markdown, anforderungen, html, svg, csv, json, bpmn"),
        ])
    func refusedSVGExports(command: String, message: String) throws {
        let directory = ShellDirectory()
        let setup = try ShellProcess.run(
            ["labor.ozg"],
            input: """
                labor add id=lab titel="DigiLab" themenfeld=bauen_wohnen bundesland=DE-MV
                prototyp add titel=Entwurf art=wireframe
                """, in: directory.url)
        #expect(setup.status == 0, "\(setup.stderr)")
        let outcome = try ShellProcess.run(["labor.ozg", "-c", command], in: directory.url)
        #expect(outcome.status != 0 && outcome.stderr.contains(message), "\(command): \(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("x.svg")))
    }
}
