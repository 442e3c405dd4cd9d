import Foundation
import Testing

@testable import OZGDomain
@testable import OZGReplication

/// Renders an SVG file to PNG with librsvg (`rsvg-convert`, Debian's librsvg2-bin), the library
/// GNOME, LibreOffice's import filters and many converters use; fails when it reports an error.
func renderWithLibrsvg(_ svg: String, in directory: TemporaryDirectory, name: String) throws -> (Int32, Data, String) {
    let input = directory.path(name + ".svg")
    let output = directory.path(name + ".png")
    try svg.write(toFile: input, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/rsvg-convert")
    process.arguments = ["--format=png", "--output=\(output)", input]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, (try? Data(contentsOf: URL(fileURLWithPath: output))) ?? Data(), message)
}

@Suite("Bilder und Steckbrief offline: HTML-Datei und SVG-Dateien")
struct OfflinePictureTests {
    @Test("Der HTML-Steckbrief ist eine Datei für sich: wie die Referenzdatei, ohne Skript und ohne externe Quelle")
    func htmlSteckbriefIsSelfContained() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let html = try HTMLExport.projektsteckbrief(store: workshop.store, laborID: workshop.labor)
        #expect(try matchesGolden(html, "projektsteckbrief.html"), "weicht von Golden/projektsteckbrief.html ab")
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"de\">"))
        #expect(!html.contains("<script") && !html.contains(" src=") && !html.contains("<link"))
        // The only URL is the SVG namespace, which no viewer loads.
        let urls = html.components(separatedBy: "http").count - 1
        #expect(urls == html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1)
        #expect(html.contains("<svg") && html.contains("@media print") && html.contains("break-before: page"))
    }

    @Test(
        "Jede Bildart als SVG-Datei wie die Referenzdatei, und librsvg zeichnet sie fehlerfrei",
        arguments: ["nutzerreise", "prozess-linear", "prozess-xor", "befunde"])
    func svgFilesRender(_ name: String) throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let lab = try workshop.store.snapshot(of: workshop.labor)
        let drawing: Drawing
        switch name {
        case "nutzerreise": drawing = Drawings.journey(try #require(lab.records("nutzerreise").first), in: lab)
        case "befunde":
            let prototype = try #require(lab.records("prototyp").first)
            drawing = try #require(Drawings.findings(of: prototype, in: lab))
        default:
            let id = name == "prozess-linear" ? Workshop.linear : Workshop.branching
            let process = try #require(lab.records("prozess").first { $0.id == id })
            drawing = Drawings.process(ProcessModel(process: process, in: lab))
        }
        #expect(try matchesGolden(drawing.standalone, "\(name).svg"), "weicht von Golden/\(name).svg ab")
        #expect(SVGReading.read(drawing.standalone) != nil, "kein wohlgeformtes XML")
        #expect(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert"),
            "rsvg-convert fehlt: scripts/install-system-packages.sh installiert librsvg2-bin")
        let (status, png, message) = try renderWithLibrsvg(drawing.standalone, in: directory, name: name)
        #expect(status == 0 && message.isEmpty, "rsvg-convert: \(message)")
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 2_000)
    }
}
