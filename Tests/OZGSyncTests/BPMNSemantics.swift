import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads an exported BPMN file and runs the checks the XSD misses (data dictionary §10.3).
final class BPMNSemantics: NSObject, XMLParserDelegate {
    struct Node {
        var kind: String
        var process: String
        var name: String
        var defaultFlow: String?
        var incoming: [String] = []
        var outgoing: [String] = []
    }

    var ids: [String] = []
    var nodes: [String: Node] = [:]
    var flows: [String: (source: String, target: String, hasCondition: Bool, name: String)] = [:]
    var messageFlows: [String: (source: String, target: String)] = [:]
    var dataReferences: [String: String] = [:]
    var dataObjects: Set<String> = []
    var associationRefs: [String] = []
    var processesWithLanes: Set<String> = []
    var processes: [String] = []
    private var currentProcess = ""
    var laneRefs: [String] = []
    var diElements: [String] = []
    var processRefs: [String] = []
    private var path: [String] = []
    private var text = ""
    private var currentNode: String?
    private var currentFlow: String?

    static let flowNodes: Set<String> = [
        "task", "userTask", "serviceTask", "manualTask", "sendTask", "receiveTask", "subProcess", "startEvent",
        "endEvent", "intermediateThrowEvent", "intermediateCatchEvent", "exclusiveGateway", "parallelGateway",
    ]

    /// Every problem found, in words; empty when the model is sound.
    static func problems(_ xml: String) -> [String] {
        let checker = BPMNSemantics()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = true
        parser.delegate = checker
        guard parser.parse() else { return ["XML nicht lesbar: \(parser.parserError.map { "\($0)" } ?? "?")"] }
        return checker.check()
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        path.append(name)
        text = ""
        if let id = attributes["id"] { ids.append(id) }
        if name == "process", let id = attributes["id"] {
            currentProcess = id
            processes.append(id)
        }
        if name == "laneSet" { processesWithLanes.insert(currentProcess) }
        if Self.flowNodes.contains(name), let id = attributes["id"] {
            nodes[id] = Node(
                kind: name, process: currentProcess, name: attributes["name"] ?? "", defaultFlow: attributes["default"])
            currentNode = id
        }
        if name == "sequenceFlow", let id = attributes["id"] {
            flows[id] = (attributes["sourceRef"] ?? "", attributes["targetRef"] ?? "", false, attributes["name"] ?? "")
            currentFlow = id
        }
        if name == "messageFlow", let id = attributes["id"] {
            messageFlows[id] = (attributes["sourceRef"] ?? "", attributes["targetRef"] ?? "")
        }
        if name == "dataObject", let id = attributes["id"] { dataObjects.insert(id) }
        if name == "dataObjectReference", let id = attributes["id"] {
            dataReferences[id] = attributes["dataObjectRef"] ?? ""
        }
        if name == "conditionExpression", let flow = currentFlow { flows[flow]?.hasCondition = true }
        if name == "participant", let ref = attributes["processRef"] { processRefs.append(ref) }
        if name == "BPMNShape" || name == "BPMNEdge" || name == "BPMNPlane", let ref = attributes["bpmnElement"] {
            diElements.append(ref)
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch name {
        case "incoming": if let node = currentNode { nodes[node]?.incoming.append(value) }
        case "outgoing": if let node = currentNode { nodes[node]?.outgoing.append(value) }
        case "flowNodeRef": laneRefs.append(value)
        case "sourceRef", "targetRef": associationRefs.append(value)
        case "sequenceFlow": currentFlow = nil
        default: if Self.flowNodes.contains(name) { currentNode = nil }
        }
        path.removeLast()
        text = ""
    }

    func check() -> [String] {
        var problems: [String] = []
        let idSet = Set(ids)
        if idSet.count != ids.count { problems.append("doppelte ids") }
        for id in ids where !(id.first.map { $0.isLetter || $0 == "_" } ?? false) {
            problems.append("id \(id) ist kein NCName")
        }
        for ref in processRefs + laneRefs + diElements where !idSet.contains(ref) {
            problems.append("Verweis \(ref) zeigt ins Leere")
        }
        for (id, flow) in flows {
            if nodes[flow.source] == nil || nodes[flow.target] == nil {
                problems.append("Fluss \(id) verbindet Unbekanntes")
            } else if nodes[flow.source]?.process != nodes[flow.target]?.process {
                problems.append("Sequenzfluss \(id) verbindet zwei Pools")
            }
            if nodes[flow.source]?.outgoing.contains(id) != true { problems.append("Fluss \(id) fehlt in outgoing") }
            if nodes[flow.target]?.incoming.contains(id) != true { problems.append("Fluss \(id) fehlt in incoming") }
            if !diElements.contains(id) { problems.append("Fluss \(id) hat keine Kante") }
        }
        for (id, node) in nodes {
            for flow in node.incoming where flows[flow]?.target != id {
                problems.append("incoming \(flow) von \(id) falsch")
            }
            for flow in node.outgoing where flows[flow]?.source != id {
                problems.append("outgoing \(flow) von \(id) falsch")
            }
            let lanes = processesWithLanes.contains(node.process) ? 1 : 0
            if laneRefs.filter({ $0 == id }).count != lanes {
                problems.append("\(id) liegt nicht in genau \(lanes == 1 ? "einer" : "keiner") Lane")
            }
            if diElements.filter({ $0 == id }).count != 1 { problems.append("\(id) hat nicht genau eine Form") }
            // Prose conditions are the flows' names (FIM); only the default flow needs none.
            if node.kind == "exclusiveGateway", node.outgoing.count > 1,
                node.outgoing.contains(where: { $0 != node.defaultFlow && (flows[$0]?.name ?? "").isEmpty })
            {
                problems.append("XOR \(id) mit Fluss ohne Bedingung")
            }
            if let defaultFlow = node.defaultFlow, !node.outgoing.contains(defaultFlow) {
                problems.append("Standardfluss von \(id) geht nicht von ihm aus")
            }
        }
        for (id, flow) in flows where flow.hasCondition {
            problems.append("Fluss \(id) hat eine formale Bedingung statt eines Namens")
        }
        for (id, message) in messageFlows {
            guard let source = nodes[message.source], let target = nodes[message.target] else {
                problems.append("Nachrichtenfluss \(id) verbindet Unbekanntes")
                continue
            }
            if source.process == target.process { problems.append("Nachrichtenfluss \(id) bleibt in einem Pool") }
            for end in [source, target] where end.kind.hasSuffix("Gateway") {
                problems.append("Nachrichtenfluss \(id) an einem Gateway")
            }
            if !diElements.contains(id) { problems.append("Nachrichtenfluss \(id) hat keine Kante") }
        }
        for (id, object) in dataReferences {
            if !dataObjects.contains(object) { problems.append("Dokument \(id) zeigt auf kein Datenobjekt") }
            if !diElements.contains(id) { problems.append("Dokument \(id) hat keine Form") }
        }
        for ref in associationRefs where !idSet.contains(ref) { problems.append("Assoziation zeigt auf \(ref)") }
        for process in processes {
            let mine = nodes.filter { $0.value.process == process }
            let starts = mine.filter { $0.value.kind == "startEvent" }.map(\.key)
            if starts.count != 1 { problems.append("\(process): \(starts.count) Startereignisse") }
            if !mine.values.contains(where: { $0.kind == "endEvent" }) {
                problems.append("\(process): kein Endereignis")
            }
            guard let start = starts.first else { continue }
            var reached: Set<String> = [start]
            var queue = [start]
            while let current = queue.popLast() {
                for flow in flows.values where flow.source == current && !reached.contains(flow.target) {
                    reached.insert(flow.target)
                    queue.append(flow.target)
                }
            }
            for id in mine.keys where !reached.contains(id) { problems.append("\(id) unerreichbar") }
        }
        return problems.sorted()
    }
}
