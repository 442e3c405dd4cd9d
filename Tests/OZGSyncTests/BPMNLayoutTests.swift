import Foundation
import Testing

@testable import OZGDomain

/// The drawing of the golden BPMN files: edges (sequence and message flows, document associations)
/// neither run beside each other nor cross shapes.
///
/// Issue 12 found a loop-back edge 3 px beside another edge for 280 px; a reader cannot tell them apart.
@Suite("BPMN-Layout")
struct BPMNLayoutTests {
    struct Box {
        let x: Int, y: Int, width: Int, height: Int
    }

    struct Segment {
        let a: (x: Int, y: Int)
        let b: (x: Int, y: Int)
        var horizontal: Bool { a.y == b.y }
        var vertical: Bool { a.x == b.x }
    }

    struct Edge {
        let flow: String
        let source: String
        let target: String
        let segments: [Segment]
    }

    /// Shapes by element id and edges with their flow's ends, read from the file with patterns (the
    /// exporter writes one element per line).
    static func read(_ xml: String) -> (shapes: [String: Box], edges: [Edge]) {
        func attributes(_ line: Substring) -> [String: String] {
            var result: [String: String] = [:]
            let regex = /([A-Za-z:]+)="([^"]*)"/
            for match in line.matches(of: regex) { result[String(match.1)] = String(match.2) }
            return result
        }
        var shapes: [String: Box] = [:]
        var ends: [String: (String, String)] = [:]
        var edges: [Edge] = []
        var currentShape: String?
        var currentEdge: String?
        var points: [(x: Int, y: Int)] = []
        for line in xml.split(separator: "\n") {
            let values = attributes(line)
            if line.contains("<bpmn:sequenceFlow") || line.contains("<bpmn:messageFlow"), let id = values["id"],
                let source = values["sourceRef"], let target = values["targetRef"]
            {
                ends[id] = (source, target)
            } else if line.contains("<bpmn:dataInputAssociation") || line.contains("<bpmn:dataOutputAssociation"),
                let id = values["id"], let record = id.firstMatch(of: /^Data(?:In|Out)put_(.*)_(\d+)$/)
            {
                // A document's association joins its task and the reference drawn below it.
                ends[id] = ("Element_\(record.1)", "Dokument_\(record.1)_\(record.2)")
            } else if line.contains("<bpmndi:BPMNShape") {
                currentShape = values["bpmnElement"]
            } else if line.contains("<dc:Bounds"), let shape = currentShape, !shape.hasPrefix("Lane_"),
                !shape.hasPrefix("Participant_")
            {
                shapes[shape] = Box(
                    x: Int(values["x"] ?? "") ?? 0, y: Int(values["y"] ?? "") ?? 0,
                    width: Int(values["width"] ?? "") ?? 0, height: Int(values["height"] ?? "") ?? 0)
            } else if line.contains("<bpmndi:BPMNEdge") {
                currentEdge = values["bpmnElement"]
                points = []
            } else if line.contains("<di:waypoint") {
                points.append((Int(values["x"] ?? "") ?? 0, Int(values["y"] ?? "") ?? 0))
            } else if line.contains("</bpmndi:BPMNEdge>"), let flow = currentEdge, let (source, target) = ends[flow] {
                let segments = zip(points, points.dropFirst()).map { Segment(a: $0, b: $1) }
                edges.append(Edge(flow: flow, source: source, target: target, segments: segments))
            }
        }
        return (shapes, edges)
    }

    /// Pairs of segments of different edges that run in parallel closer than `gap` over more than
    /// `length`. Two flows out of the same node may share their first two segments, two into the same
    /// node their last two (a fan-out or fan-in stem and trunk).
    static func closeParallels(_ edges: [Edge], gap: Int = 10, length: Int = 20) -> [String] {
        var found: [String] = []
        for (i, first) in edges.enumerated() {
            for second in edges.dropFirst(i + 1) {
                for (k, s) in first.segments.enumerated() {
                    for (l, t) in second.segments.enumerated() {
                        let distance: Int
                        let overlap: Int
                        if s.horizontal && t.horizontal && !s.vertical && !t.vertical {
                            distance = abs(s.a.y - t.a.y)
                            overlap =
                                min(max(s.a.x, s.b.x), max(t.a.x, t.b.x)) - max(min(s.a.x, s.b.x), min(t.a.x, t.b.x))
                        } else if s.vertical && t.vertical && !s.horizontal && !t.horizontal {
                            distance = abs(s.a.x - t.a.x)
                            overlap =
                                min(max(s.a.y, s.b.y), max(t.a.y, t.b.y)) - max(min(s.a.y, s.b.y), min(t.a.y, t.b.y))
                        } else {
                            continue
                        }
                        // A fan-out leaves a node on one stem and trunk (its first two segments), a
                        // fan-in arrives on one (its last two).
                        let sharedStem =
                            (k <= 1 && l <= 1 && first.source == second.source)
                            || (k >= first.segments.count - 2 && l >= second.segments.count - 2
                                && first.target == second.target)
                        if distance < gap && overlap > length && !(distance == 0 && sharedStem) {
                            found.append("\(first.flow) und \(second.flow): \(distance) px Abstand über \(overlap) px")
                        }
                    }
                }
            }
        }
        return found
    }

    /// Segments that pass through a shape other than their own source and target.
    static func crossings(_ shapes: [String: Box], _ edges: [Edge]) -> [String] {
        var found: [String] = []
        for edge in edges {
            for segment in edge.segments {
                for (id, box) in shapes.sorted(by: { $0.key < $1.key }) where id != edge.source && id != edge.target {
                    let (left, right) = (min(segment.a.x, segment.b.x), max(segment.a.x, segment.b.x))
                    let (top, bottom) = (min(segment.a.y, segment.b.y), max(segment.a.y, segment.b.y))
                    if left < box.x + box.width && right > box.x && top < box.y + box.height && bottom > box.y {
                        found.append("\(edge.flow) kreuzt \(id)")
                    }
                }
            }
        }
        return found
    }

    @Test(
        "Golden-BPMN: keine Kanten dichter als 10 px nebeneinander, keine Kante durch eine fremde Form",
        arguments: ["prozess-linear.bpmn", "prozess-xor.bpmn", "prozess-parallel.bpmn"])
    func goldenLayout(file: String) throws {
        let url = BPMNSchema.packageRoot.appendingPathComponent("Tests/OZGSyncTests/Golden/\(file)")
        let (shapes, edges) = Self.read(try String(contentsOf: url, encoding: .utf8))
        #expect(!shapes.isEmpty && !edges.isEmpty)
        #expect(Self.closeParallels(edges) == [])
        #expect(Self.crossings(shapes, edges) == [])
    }

    @Test("Die Layoutprüfung erkennt eine Kante 3 px neben einer anderen und eine Kante durch eine Form")
    func checkerFindsMistakes() {
        let a = Edge(flow: "A", source: "n1", target: "n2", segments: [Segment(a: (0, 100), b: (300, 100))])
        let b = Edge(flow: "B", source: "n3", target: "n4", segments: [Segment(a: (20, 103), b: (300, 103))])
        #expect(Self.closeParallels([a, b]).count == 1)
        #expect(Self.crossings(["n5": Box(x: 100, y: 80, width: 50, height: 50)], [a]) == ["A kreuzt n5"])
    }

    @Test("Zwei Rücksprünge in einem Prozess laufen nicht übereinander am Poolrand entlang")
    func twoLoopsKeepApart() throws {
        let directory = TemporaryDirectory()
        let store = try LaborStore(path: directory.path("labor.ozg"))
        let lab = try store.add(
            "labor", id: "lab", fields: ["titel": "L", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        let process = try store.add("prozess", laborID: lab, fields: ["name": "Schleifen"])
        let lane = try store.add(
            "akteur", laborID: lab, fields: ["prozess_id": process, "name": "Amt", "akteurtyp": "behoerde"])
        func element(_ type: String, _ name: String) throws -> String {
            try store.add(
                "element", laborID: lab,
                fields: ["prozess_id": process, "element_typ": type, "bezeichnung": name, "akteur_id": lane])
        }
        func flow(_ from: String, _ to: String, _ condition: String? = nil) throws {
            var fields = ["prozess_id": process, "von_id": from, "nach_id": to]
            if let condition { fields["bedingung"] = condition }
            try store.add("fluss", laborID: lab, fields: fields)
        }
        let start = try element("start", "Start")
        let check = try element("aufgabe", "Prüfen")
        let first = try element("xor", "Vollständig?")
        let decide = try element("aufgabe", "Entscheiden")
        let second = try element("xor", "Freigegeben?")
        let end = try element("ende", "Ende")
        try flow(start, check)
        try flow(check, first)
        try flow(first, decide, "ja")
        try flow(first, check, "nein")
        try flow(decide, second)
        try flow(second, end, "ja")
        try flow(second, check, "nein")
        let xml = try BPMNExport.bpmn(store: store, processID: process)
        let (shapes, edges) = Self.read(xml)
        #expect(Self.closeParallels(edges) == [])
        #expect(Self.crossings(shapes, edges) == [])
    }
}
