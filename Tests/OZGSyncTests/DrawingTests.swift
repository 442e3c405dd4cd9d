import Foundation
import Testing

@testable import OZGDomain
@testable import OZGReplication

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads an SVG drawing: element names in order, attributes per element, the text of each element.
final class SVGReading: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var texts: [String] = []
    private var text = ""

    static func read(_ svg: String) -> SVGReading? {
        let reading = SVGReading()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = reading
        return parser.parse() ? reading : nil
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elements.append((name, attributes))
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if !text.isEmpty { texts.append(text) }
        text = ""
    }

    func all(_ name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }
}

@Suite("Bilder: Nutzerreise, Befunde und Referenzprozess als SVG")
struct DrawingTests {
    static func drawings(of workshop: Workshop) throws -> [Drawing] {
        let lab = try workshop.store.snapshot(of: workshop.labor)
        return lab.records("nutzerreise").map { Drawings.journey($0, in: lab) }
            + lab.records("prozess").map { Drawings.process(ProcessModel(process: $0, in: lab)) }
            + lab.records("prototyp").compactMap { Drawings.findings(of: $0, in: lab) }
    }

    @Test(
        "Jede Zeichnung ist wohlgeformtes SVG mit Titel und Beschreibung zuerst, role=img, eindeutigen Ids, ohne style-Attribut und Skript, mit Tabellenalternative"
    )
    func everyDrawingIsAccessibleSVG() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let drawings = try Self.drawings(of: workshop)
        #expect(Set(drawings.map(\.kind)) == [.nutzerreise, .prozess, .befunde])
        var allIDs: [String] = []
        for drawing in drawings {
            let reading = try #require(SVGReading.read(drawing.standalone), "\(drawing.title) ist kein XML")
            #expect(reading.elements.prefix(3).map(\.name) == ["svg", "title", "desc"])
            #expect(reading.elements[0].attributes["role"] == "img")
            #expect(reading.texts.prefix(2) == [drawing.title, drawing.description])
            #expect(!drawing.svg.contains("style=") && !drawing.svg.contains("<script"))
            let ids = reading.elements.compactMap { $0.attributes["id"] }
            #expect(Set(ids).count == ids.count)
            allIDs += ids
            #expect(
                !drawing.tableRows.isEmpty && drawing.tableRows.allSatisfy { $0.count == drawing.tableHeader.count })
        }
        // Several drawings inline in one page must not share an id (markers would cross over).
        #expect(Set(allIDs).count == allIDs.count)
    }

    @Test("Das Prozessbild zeichnet jede Form an der Stelle, die der BPMN-Export für sie angibt")
    func processDrawingFollowsTheBPMNLayout() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let lab = try workshop.store.snapshot(of: workshop.labor)
        for process in lab.records("prozess") {
            let model = ProcessModel(process: process, in: lab)
            let xml = try BPMNExport.bpmn(model)
            let drawing = Drawings.process(model)
            let svg = try #require(SVGReading.read(drawing.svg))
            let bounds = try #require(SVGReading.read(xml)).all("dc:Bounds")
            let tasks = bounds.filter { $0["width"] == "100" && $0["height"] == "80" }
            let events = bounds.filter { $0["width"] == "36" && $0["height"] == "36" }
            #expect(!tasks.isEmpty && !events.isEmpty)
            let rects = Set(svg.all("rect").map { "\($0["x"] ?? ""),\($0["y"] ?? ""),\($0["width"] ?? "")" })
            for task in tasks {
                #expect(rects.contains("\(task["x"] ?? ""),\(task["y"] ?? ""),100"), "Aufgabe bei \(task)")
            }
            let circles = Set(svg.all("circle").map { "\($0["cx"] ?? ""),\($0["cy"] ?? ""),\($0["r"] ?? "")" })
            for event in events {
                let (x, y) = (Int(event["x"] ?? "") ?? 0, Int(event["y"] ?? "") ?? 0)
                #expect(circles.contains("\(x + 18),\(y + 18),18"), "Ereignis bei \(event)")
            }
            // Every sequence and message flow of the file is a line in the picture and a row of the table.
            let flows = xml.components(separatedBy: "<bpmn:sequenceFlow ").count - 1
            let messages = xml.components(separatedBy: "<bpmn:messageFlow ").count - 1
            #expect(drawing.tableRows.count == flows + messages)
            #expect(svg.all("polyline").filter { $0["marker-end"] != nil }.count >= flows + messages)
        }
    }

    @Test("Nutzerreise: ein Punkt je Schritt, jeder auf der Höhe seiner Emotion, Schmerzpunkte über ihrem Schritt")
    func journeyShowsEmotionAndPain() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let lab = try workshop.store.snapshot(of: workshop.labor)
        let journey = try #require(lab.records("nutzerreise").first)
        let steps = lab.children("schritt", of: journey.id)
        let drawing = Drawings.journey(journey, in: lab)
        let svg = try #require(SVGReading.read(drawing.svg))
        let layout = JourneyDrawing(journey: journey, lab: lab)
        #expect(svg.all("circle").filter { $0["r"] == "13" }.count == steps.count)
        let points = svg.all("circle").filter { $0["r"] == "7" }
        let rated = steps.enumerated().filter { $0.element["emotion"].integerValue != nil }
        #expect(points.count == rated.count)
        for ((index, step), point) in zip(rated, points) {
            #expect(point["cx"] == String(layout.x(index)))
            #expect(point["cy"] == String(layout.y(step["emotion"].integerValue ?? 0)))
        }
        // The Schmerzpunkt recorded for the third step shows above that step, and in the table.
        let recorded = try #require(lab.records("schmerzpunkt").first { $0.text("schritt_id") != nil })
        let pain = recorded.title
        let row = try #require(steps.firstIndex { $0.id == recorded.text("schritt_id") })
        #expect(drawing.tableRows[row][4].contains(pain))
        #expect(svg.texts.contains { pain.hasPrefix($0.replacingOccurrences(of: "…", with: "")) })
        #expect(drawing.description.contains("\(steps.count) Schritt(e)"))
    }

    @Test("Befunde: ein Balken je Schweregrad, so lang wie die Anzahl, offene dunkel; die Tabelle zählt alle")
    func findingsChartCountsBySeverity() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let lab = try workshop.store.snapshot(of: workshop.labor)
        let prototype = try #require(lab.records("prototyp").first)
        let findings = lab.children("testsitzung", of: prototype.id).flatMap { lab.children("befund", of: $0.id) }
        let drawing = try #require(Drawings.findings(of: prototype, in: lab))
        #expect(drawing.tableRows.map { Int($0[1]) ?? 0 }.reduce(0, +) == findings.count)
        let open = findings.filter { ($0.text("status") ?? "offen") == "offen" }.count
        #expect(drawing.tableRows.map { Int($0[2]) ?? 0 }.reduce(0, +) == open)
        let svg = try #require(SVGReading.read(drawing.svg))
        let bars = svg.all("rect").filter { $0["height"] == "20" }.map { Int($0["width"] ?? "") ?? 0 }
        let counts = drawing.tableRows.map { Int($0[1]) ?? 0 }.filter { $0 > 0 }
        let most = try #require(counts.max())
        // The longest group fills the 360 px scale; open and closed parts of one bar add up.
        #expect(bars.reduce(0, +) == counts.map { $0 * 360 / most }.reduce(0, +) || bars.max() == 360)
        // A prototype without Befunde has no chart.
        try workshop.store.add("prototyp", laborID: workshop.labor, fields: ["titel": "Leer", "art": "wireframe"])
        let empty = try workshop.store.snapshot(of: workshop.labor).records("prototyp").first { $0.title == "Leer" }
        #expect(try Drawings.findings(of: #require(empty), in: workshop.store.snapshot(of: workshop.labor)) == nil)
    }

    @Test("Feindliche Namen in Nutzerreise, Schritt, Prozess und Element bleiben Text im Bild")
    func hostileNamesStayText() throws {
        let directory = TemporaryDirectory()
        let store = try LaborStore(path: directory.path("feind.ozg"))
        let lab = "feind"
        let hostile = "<script>alert(1)</script>"
        let attribute = "\"><img src=x onerror=alert(1)>"
        try store.add(
            "labor", id: lab, fields: ["titel": hostile, "themenfeld": "bauen_wohnen", "bundesland": "DE-MV"])
        let persona = try store.add(
            "persona", laborID: lab,
            fields: ["name": attribute, "kurzbeschreibung": "x", "nutzergruppe": "001", "ziele": "x"])
        let journey = try store.add("nutzerreise", laborID: lab, fields: ["titel": hostile, "persona_id": persona])
        try store.add(
            "schritt", laborID: lab,
            fields: [
                "nutzerreise_id": journey, "phase": attribute, "aktivitaet": "javascript:alert(1)", "emotion": "-2",
                "schmerzpunkte": hostile,
            ])
        let process = try store.add("prozess", laborID: lab, fields: ["name": attribute])
        let akteur = try store.add(
            "akteur", laborID: lab, fields: ["prozess_id": process, "name": hostile, "akteurtyp": "behoerde"])
        for (type, name) in [("start", hostile), ("aufgabe", attribute), ("ende", "&amp; ]]>")] {
            try store.add(
                "element", laborID: lab,
                fields: ["prozess_id": process, "akteur_id": akteur, "element_typ": type, "bezeichnung": name])
        }
        let snapshot = try store.snapshot(of: lab)
        let drawings = [
            Drawings.journey(try #require(snapshot.records("nutzerreise").first), in: snapshot),
            Drawings.process(ProcessModel(process: try #require(snapshot.records("prozess").first), in: snapshot)),
        ]
        for drawing in drawings {
            let reading = try #require(SVGReading.read(drawing.standalone))
            #expect(!drawing.svg.contains("<script") && !drawing.svg.contains("<img"))
            #expect(Set(reading.elements.map(\.name)).isSubset(of: SVGCanvasTests.allowed))
            #expect(reading.texts.contains { $0.contains("<script>") || $0.contains("\"><img") })
        }
    }
}

enum SVGCanvasTests {
    /// The elements a drawing may contain: shapes, text and the markers' definitions, nothing active.
    static let allowed: Set<String> = [
        "svg", "title", "desc", "defs", "marker", "path", "rect", "circle", "polyline", "polygon", "text",
    ]
}
