import OZGReplication
import OZGStorage

/// BPMN 2.0 XML for one process: collaboration with one pool, a lane per Akteur, the elements as
/// BPMN flow nodes, sequence flows with conditions, documentation plus machine-readable extension
/// elements, and BPMNDI shapes and edges laid out left to right (data dictionary §10).
///
/// The same visible state gives byte-identical output.
public enum BPMNExport {
    /// The namespace of our extension elements (Handlungsgrundlage, IT-System, FIM references).
    public static let extensionNamespace = "urn:ozg-labor-sync:bpmn:1"

    static let elementNames: [String: String] = [
        "aufgabe": "task", "user_aufgabe": "userTask", "service_aufgabe": "serviceTask",
        "manuelle_aufgabe": "manualTask", "senden": "sendTask", "empfangen": "receiveTask",
        "teilprozess": "subProcess", "start": "startEvent", "ende": "endEvent",
        "zwischenereignis": "intermediateThrowEvent", "xor": "exclusiveGateway", "and": "parallelGateway",
    ]

    struct Geometry {
        static let poolX = 100
        static let poolY = 60
        static let laneX = 130
        static let laneHeight = 140
        static let columnWidth = 160
        static let firstColumnCenter = 220
        /// Distance between the bottom tracks of flows back to the left.
        static let trackSpacing = 10
    }

    /// The BPMN XML of process `processID`.
    ///
    /// A process with errors (`ProcessModel.errors()`: flows out of end events, to itself or to other
    /// processes, elements in lanes of other processes) is refused with `BPMNExportError`, unless
    /// `includingErrors`: then the flows at fault are left out, so no reference dangles, and a
    /// comment at the top of the file names them.
    ///
    /// ```swift
    /// let xml = try BPMNExport.bpmn(store: store, processID: process)
    /// ```
    public static func bpmn(store: LaborStore, processID: String, includingErrors: Bool = false) throws -> String {
        let model = try ProcessModel(store: store, processID: processID)
        let errors = model.errors()
        guard errors.isEmpty else {
            guard includingErrors else {
                throw BPMNExportError.processHasErrors(process: model.process.title, errors: errors.map(\.message))
            }
            return render(model.withoutFlows(Set(errors.compactMap(\.flowID))), errors: errors)
        }
        return render(model)
    }

    static func size(_ type: String) -> (Int, Int) {
        switch type {
        case "start", "ende", "zwischenereignis": return (36, 36)
        case "xor", "and": return (50, 50)
        default: return (100, 80)
        }
    }

    /// Column of each node: the longest path from a node without incoming flows, ignoring flows that
    /// lead back (loops), bumped right while its lane already holds a node in that column.
    static func columns(_ model: ProcessModel) -> [String: Int] {
        let incoming = Set(model.flows.map(\.to))
        var roots = model.nodes.filter { !incoming.contains($0.id) }.map(\.id)
        if roots.isEmpty, let first = model.nodes.first { roots = [first.id] }
        // Depth-first search marks the flows that return to a node still on the stack.
        var state: [String: Int] = [:]  // 1 = on stack, 2 = done
        var backFlows = Set<String>()
        func visit(_ node: String) {
            state[node] = 1
            for flow in model.flows where flow.from == node {
                switch state[flow.to] {
                case 1: backFlows.insert(flow.id)
                case nil: visit(flow.to)
                default: break
                }
            }
            state[node] = 2
        }
        for root in roots where state[root] == nil { visit(root) }
        for node in model.nodes where state[node.id] == nil { visit(node.id) }
        var depth: [String: Int] = [:]
        for root in roots { depth[root] = 0 }
        for _ in 0..<model.nodes.count {
            var changed = false
            for flow in model.flows where !backFlows.contains(flow.id) {
                guard let from = depth[flow.from] else { continue }
                if (depth[flow.to] ?? -1) < from + 1 {
                    depth[flow.to] = from + 1
                    changed = true
                }
            }
            if !changed { break }
        }
        var result: [String: Int] = [:]
        var fallback = 0
        for node in model.nodes {
            let column = depth[node.id] ?? fallback
            result[node.id] = column
            fallback = column + 1
        }
        return result
    }

    /// Nodes that share a lane and a column are stacked in rows inside the lane.
    static func rows(_ model: ProcessModel, columns: [String: Int]) -> [String: Int] {
        var used: [String: Int] = [:]
        var result: [String: Int] = [:]
        for node in model.nodes {
            let key = "\(node.text("akteur_id") ?? "")#\(columns[node.id] ?? 0)"
            result[node.id] = used[key, default: 0]
            used[key, default: 0] += 1
        }
        return result
    }

    static func render(_ model: ProcessModel, errors: [ProcessIssue] = []) -> String {
        let document = BPMNDocument(model: model)
        return document.definitionsHeader() + errorComment(errors) + document.collaboration() + document.process()
            + document.diagram() + "</bpmn:definitions>\n"
    }

    /// Says in the file itself that it was exported despite errors and what was left out.
    static func errorComment(_ errors: [ProcessIssue]) -> String {
        guard !errors.isEmpty else { return "" }
        var text = "Trotz Prozessfehlern exportiert. Sequenzflüsse mit Fehlern sind weggelassen.\n"
        for error in errors { text += "  - \(error.message)\n" }
        // "--" must not occur inside an XML comment, nor may it end in "-".
        var safe = text.replacingOccurrences(of: "--", with: "- -")
        while safe.contains("--") { safe = safe.replacingOccurrences(of: "--", with: "- -") }
        return "  <!--\n  " + safe.replacingOccurrences(of: "\n", with: "\n  ") + "-->\n"
    }

    static func quote(_ text: String) -> String { "\"\(text)\"" }

    static func shape(
        _ element: String, x: Int, y: Int, width: Int, height: Int, horizontal: Bool, markerVisible: Bool = false
    ) -> String {
        // Without isMarkerVisible, bpmn.io draws an exclusive gateway as an empty diamond.
        let flag = (horizontal ? " isHorizontal=\"true\"" : "") + (markerVisible ? " isMarkerVisible=\"true\"" : "")
        return "      <bpmndi:BPMNShape id=\"\(element)_di\" bpmnElement=\"\(element)\"\(flag)>\n"
            + "        <dc:Bounds x=\"\(x)\" y=\"\(y)\" width=\"\(width)\" height=\"\(height)\"/>\n"
            + "      </bpmndi:BPMNShape>\n"
    }
}

/// Why a process is not exported as BPMN; German, names the process and each error.
public enum BPMNExportError: Error, Sendable, Equatable, CustomStringConvertible {
    case processHasErrors(process: String, errors: [String])

    public var description: String {
        switch self {
        case .processHasErrors(let process, let errors):
            return "Prozess „\(process)“ wird nicht als BPMN exportiert, er hat \(errors.count) Fehler:\n  - "
                + errors.joined(separator: "\n  - ")
        }
    }
}

/// One process rendered as BPMN XML, part by part in document order: definitions, collaboration,
/// process (lanes, flow nodes, sequence flows), diagram interchange (lanes, shapes, edges).
private struct BPMNDocument {
    typealias Geometry = BPMNExport.Geometry
    let model: ProcessModel
    let columns: [String: Int]
    let rows: [String: Int]
    let processID: String
    let collaborationID: String
    let participantID: String
    let name: String

    init(model: ProcessModel) {
        self.model = model
        let process = model.process
        columns = BPMNExport.columns(model)
        rows = BPMNExport.rows(model, columns: columns)
        processID = XMLText.id("Process", process.id)
        collaborationID = XMLText.id("Collaboration", process.id)
        participantID = XMLText.id("Participant", process.id)
        name = XMLText.escape(process.text("name") ?? "")
    }

    func nodeID(_ id: String) -> String { XMLText.id("Element", id) }
    func flowID(_ id: String) -> String { XMLText.id("Flow", id) }

    func definitionsHeader() -> String {
        let process = model.process
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
            xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
            xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
            xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xmlns:ols="\(BPMNExport.extensionNamespace)" \
            id="\(XMLText.id("Definitions", process.id))" \
            targetNamespace="urn:ozg-labor-sync:prozess:\(XMLText.escape(process.id))" \
            exporter="OZG Labor-Sync" exporterVersion="1">

            """
    }

    func collaboration() -> String {
        "  <bpmn:collaboration id=\"\(collaborationID)\">\n"
            + "    <bpmn:participant id=\"\(participantID)\" name=\"\(name)\" processRef=\"\(processID)\"/>\n"
            + "  </bpmn:collaboration>\n"
    }

    /// `Label: value` lines of the non-empty fields, as one escaped documentation element.
    func documentation(_ pairs: [(String, String)], indent: String) -> String {
        let lines = pairs.filter { !$0.1.isEmpty }.map { "\($0.0): \($0.1)" }
        guard !lines.isEmpty else { return "" }
        return "\(indent)<bpmn:documentation>\(XMLText.escape(lines.joined(separator: "\n")))</bpmn:documentation>\n"
    }

    func process() -> String {
        let process = model.process
        var xml = "  <bpmn:process id=\"\(processID)\" name=\"\(name)\" isExecutable=\"false\">\n"
        xml += documentation(
            [
                ("Zustand", process.display("zustand")), ("Leistung", process.display("ozg_leistung")),
                ("Definition", process.display("definition")), ("Beschreibung", process.display("beschreibung")),
                ("Auslöser", process.display("ausloeser")), ("Ergebnis", process.display("ergebnis")),
            ], indent: "    ")
        xml += laneSet()
        for node in model.nodes { xml += flowNode(node) }
        for flow in model.flows { xml += sequenceFlow(flow) }
        return xml + "  </bpmn:process>\n"
    }

    func laneSet() -> String {
        guard !model.lanes.isEmpty else { return "" }
        var xml = "    <bpmn:laneSet id=\"\(XMLText.id("LaneSet", model.process.id))\">\n"
        for lane in model.lanes {
            xml += "      <bpmn:lane id=\"\(XMLText.id("Lane", lane.id))\" name=\"\(XMLText.escape(lane.title))\">\n"
            for node in model.nodes where node.text("akteur_id") == lane.id {
                xml += "        <bpmn:flowNodeRef>\(nodeID(node.id))</bpmn:flowNodeRef>\n"
            }
            xml += "      </bpmn:lane>\n"
        }
        return xml + "    </bpmn:laneSet>\n"
    }

    /// A task, event or gateway with its documentation, extension elements and flow references.
    func flowNode(_ node: Record) -> String {
        let element = BPMNExport.elementNames[model.type(node)] ?? "task"
        var xml =
            "    <bpmn:\(element) id=\"\(nodeID(node.id))\" name=\"\(XMLText.escape(node.text("bezeichnung") ?? ""))\">\n"
        xml += documentation(
            [
                ("Handlungsgrundlage", node.display("handlungsgrundlagen")),
                ("IT-System", node.display("it_system")), ("FIM", node.display("fim_referenzen")),
                ("Frist", node.display("frist")), ("Anmerkung", node.display("anmerkung")),
            ], indent: "      ")
        let extensions = extensionElements(node)
        if !extensions.isEmpty {
            xml += "      <bpmn:extensionElements>\n"
            for line in extensions { xml += "        \(line)\n" }
            xml += "      </bpmn:extensionElements>\n"
        }
        for flow in model.flows where flow.to == node.id {
            xml += "      <bpmn:incoming>\(flowID(flow.id))</bpmn:incoming>\n"
        }
        for flow in model.flows where flow.from == node.id {
            xml += "      <bpmn:outgoing>\(flowID(flow.id))</bpmn:outgoing>\n"
        }
        return xml + "    </bpmn:\(element)>\n"
    }

    /// Machine-readable facts in our namespace: Handlungsgrundlagen, IT-System, FIM references, flags.
    func extensionElements(_ node: Record) -> [String] {
        var extensions: [String] = []
        for law in Field.items(node["handlungsgrundlagen"]) {
            extensions.append("<ols:handlungsgrundlage name=\"\(XMLText.escape(law))\"/>")
        }
        if let system = node.text("it_system") {
            extensions.append("<ols:itSystem>\(XMLText.escape(system))</ols:itSystem>")
        }
        for reference in Field.items(node["fim_referenzen"]) {
            extensions.append("<ols:fimReferenz id=\"\(XMLText.escape(reference))\"/>")
        }
        for flag in ["medienbruch", "once_only", "identifizierung"] where node[flag] == .integer(1) {
            extensions.append("<ols:merkmal name=\"\(flag)\"/>")
        }
        return extensions
    }

    func sequenceFlow(_ flow: ProcessModel.Flow) -> String {
        let condition = flow.condition.map { " name=\"\(XMLText.escape($0))\"" } ?? ""
        var xml =
            "    <bpmn:sequenceFlow id=\"\(flowID(flow.id))\"\(condition) sourceRef=\"\(nodeID(flow.from))\" "
            + "targetRef=\"\(nodeID(flow.to))\""
        if let text = flow.condition {
            xml +=
                ">\n      <bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">"
                + "\(XMLText.escape(text))</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n"
        } else {
            xml += "/>\n"
        }
        return xml
    }

    typealias Box = (x: Int, y: Int, width: Int, height: Int)

    /// Diagram interchange: lanes stacked top to bottom, as tall as their most stacked column; nodes
    /// in their column and row; edges routed around what is in their way.
    func diagram() -> String {
        let process = model.process
        let maxColumn = columns.values.max() ?? 0
        let laneWidth = Geometry.firstColumnCenter - Geometry.laneX + (maxColumn + 1) * Geometry.columnWidth
        var laneTops: [String: Int] = [:]
        var laneHeights: [String: Int] = [:]
        var top = Geometry.poolY
        for lane in model.lanes {
            let stacked =
                model.nodes.filter { $0.text("akteur_id") == lane.id }.map { (rows[$0.id] ?? 0) + 1 }.max() ?? 1
            laneTops[lane.id] = top
            laneHeights[lane.id] = stacked * Geometry.laneHeight
            top += stacked * Geometry.laneHeight
        }
        // Each flow back to the left gets its own track along the bottom of the pool; the last lane
        // grows by the extra tracks (one loop keeps the usual height).
        let tracks = backTracks()
        let extra = Geometry.trackSpacing * max(0, tracks.count - 1)
        if let last = model.lanes.last { laneHeights[last.id, default: Geometry.laneHeight] += extra }
        top += extra
        let poolHeight = max(top - Geometry.poolY, Geometry.laneHeight)
        var xml = "  <bpmndi:BPMNDiagram id=\(BPMNExport.quote(XMLText.id("Diagram", process.id)))>\n"
        xml +=
            "    <bpmndi:BPMNPlane id=\(BPMNExport.quote(XMLText.id("Plane", process.id))) "
            + "bpmnElement=\(BPMNExport.quote(collaborationID))>\n"
        xml += BPMNExport.shape(
            participantID, x: Geometry.poolX, y: Geometry.poolY, width: laneWidth + Geometry.laneX - Geometry.poolX,
            height: poolHeight, horizontal: true)
        for lane in model.lanes {
            xml += BPMNExport.shape(
                XMLText.id("Lane", lane.id), x: Geometry.laneX, y: laneTops[lane.id] ?? Geometry.poolY,
                width: laneWidth, height: laneHeights[lane.id] ?? Geometry.laneHeight, horizontal: true)
        }
        var bounds: [String: Box] = [:]
        var nodeLaneTop: [String: Int] = [:]
        for node in model.nodes {
            let (width, height) = BPMNExport.size(model.type(node))
            let laneTop = laneTops[node.text("akteur_id") ?? ""] ?? Geometry.poolY
            let centerX = Geometry.firstColumnCenter + (columns[node.id] ?? 0) * Geometry.columnWidth
            let centerY = laneTop + (rows[node.id] ?? 0) * Geometry.laneHeight + Geometry.laneHeight / 2
            let box = (x: centerX - width / 2, y: centerY - height / 2, width: width, height: height)
            bounds[node.id] = box
            nodeLaneTop[node.id] = laneTop
            xml += BPMNExport.shape(
                nodeID(node.id), x: box.x, y: box.y, width: width, height: height, horizontal: false,
                markerVisible: model.type(node) == "xor")
        }
        let lowest = Geometry.poolY + poolHeight - 10
        for flow in model.flows {
            guard let from = bounds[flow.from], let to = bounds[flow.to] else { continue }
            let bottom = lowest - Geometry.trackSpacing * (tracks[flow.id] ?? 0)
            let points = waypoints(
                from: from, to: to, bounds: bounds, laneTop: nodeLaneTop[flow.from] ?? Geometry.poolY, bottom: bottom)
            xml +=
                "      <bpmndi:BPMNEdge id=\(BPMNExport.quote(flowID(flow.id) + "_di")) "
                + "bpmnElement=\(BPMNExport.quote(flowID(flow.id)))>\n"
            for point in points {
                xml += "        <di:waypoint x=\"\(point.0)\" y=\"\(point.1)\"/>\n"
            }
            xml += "      </bpmndi:BPMNEdge>\n"
        }
        return xml + "    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n"
    }

    /// The track of each flow back to the left (0 = lowest): the longest loop runs lowest, so shorter
    /// loops nest inside it instead of running on top of it (issue 12 found two on one line).
    func backTracks() -> [String: Int] {
        let back = model.flows.enumerated().filter { _, flow in
            guard let from = columns[flow.from], let to = columns[flow.to] else { return false }
            return to <= from
        }
        let ordered = back.sorted { a, b in
            let spanA = (columns[a.element.from] ?? 0) - (columns[a.element.to] ?? 0)
            let spanB = (columns[b.element.from] ?? 0) - (columns[b.element.to] ?? 0)
            return spanA != spanB ? spanA > spanB : a.offset < b.offset
        }
        return Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($0.element.element.id, $0.offset) })
    }

    /// A flow to the right goes straight, or around a node in its way along the top of the lane, or
    /// with one bend between lanes; a flow back to the left runs along the bottom of the pool.
    func waypoints(from: Box, to: Box, bounds: [String: Box], laneTop: Int, bottom: Int) -> [(Int, Int)] {
        let start = (from.x + from.width, from.y + from.height / 2)
        let end = (to.x, to.y + to.height / 2)
        guard end.0 > start.0 else {
            return [
                start, (start.0 + 20, start.1), (start.0 + 20, bottom), (end.0 - 20, bottom), (end.0 - 20, end.1), end,
            ]
        }
        let blocked = bounds.values.contains { box in
            box.x > start.0 && box.x + box.width < end.0 && box.y < start.1 && box.y + box.height > start.1
        }
        if start.1 == end.1 && blocked {
            let top = laneTop + 12
            return [start, (start.0 + 15, start.1), (start.0 + 15, top), (end.0 - 15, top), (end.0 - 15, end.1), end]
        } else if start.1 == end.1 {
            return [start, end]
        }
        let middle = (start.0 + end.0) / 2
        return [start, (middle, start.1), (middle, end.1), end]
    }
}
