import OZGReplication

/// One process rendered as BPMN XML, part by part in document order: definitions, collaboration
/// (pools and message flows), one process per pool with nodes (lanes, flow nodes, documents,
/// sequence flows), diagram interchange (pools, lanes, shapes, edges).
struct BPMNDocument {
    let model: ProcessModel
    let collaboration: BPMNCollaboration
    let layout: BPMNLayout
    /// The document references below each node, in order, and the names of the documents.
    let documentRefs: [String: [String]]
    let documentNames: [String: String]
    /// The data object of each reference, and the data objects of each pool in order.
    let dataObjectOf: [String: String]
    let dataObjects: [[(id: String, name: String)]]
    let associations: [BPMNLayout.Association]

    init(model: ProcessModel) {
        self.model = model
        let collaboration = BPMNCollaboration(model: model)
        self.collaboration = collaboration
        var refs: [String: [String]] = [:]
        var names: [String: String] = [:]
        var objectOf: [String: String] = [:]
        var objects: [[(id: String, name: String)]] = []
        var associations: [BPMNLayout.Association] = []
        for pool in collaboration.pools {
            var poolObjects: [(id: String, name: String)] = []
            for node in pool.nodes {
                guard let record = node.record, ProcessRules.activities.contains(model.type(record)) else { continue }
                let inputs = Field.items(record["eingehende_dokumente"])
                let outputs = Field.items(record["ausgehende_dokumente"])
                var mine: [String] = []
                for name in inputs + outputs where !mine.contains(name) { mine.append(name) }
                for (index, name) in mine.enumerated() {
                    let object: String
                    if let existing = poolObjects.first(where: { $0.name == name }) {
                        object = existing.id
                    } else {
                        object = XMLText.id("DataObject", pool.key) + "_\(poolObjects.count + 1)"
                        poolObjects.append((object, name))
                    }
                    let reference = XMLText.id("Dokument", record.id) + "_\(index + 1)"
                    refs[node.id, default: []].append(reference)
                    names[reference] = name
                    objectOf[reference] = object
                    if inputs.contains(name) {
                        associations.append(
                            .init(
                                id: XMLText.id("DataInput", record.id) + "_\(index + 1)", node: node.id,
                                reference: reference, input: true))
                    }
                    if outputs.contains(name) {
                        associations.append(
                            .init(
                                id: XMLText.id("DataOutput", record.id) + "_\(index + 1)", node: node.id,
                                reference: reference, input: false))
                    }
                }
            }
            objects.append(poolObjects)
        }
        documentRefs = refs
        documentNames = names
        dataObjectOf = objectOf
        dataObjects = objects
        self.associations = associations
        layout = BPMNLayout(collaboration, documentRefs: refs, associations: associations)
    }

    func render(errors: [ProcessIssue]) -> String {
        definitionsHeader() + BPMNExport.errorComment(errors) + collaborationXML()
            + collaboration.pools.indices.map(processXML).joined() + diagram() + "</bpmn:definitions>\n"
    }

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
            exporter="OZG Labor-Sync" exporterVersion="2">

            """
    }

    var collaborationID: String { XMLText.id("Collaboration", model.process.id) }

    func collaborationXML() -> String {
        var xml = "  <bpmn:collaboration id=\"\(collaborationID)\">\n"
        for pool in collaboration.pools {
            let reference = pool.nodes.isEmpty ? "" : " processRef=\"\(pool.processID)\""
            let head = "    <bpmn:participant id=\"\(pool.participantID)\" name=\"\(XMLText.escape(pool.name))\""
            let body = pool.hasLanes ? "" : pool.akteure.map { akteurFacts($0, indent: "      ") }.joined()
            xml +=
                body.isEmpty ? head + reference + "/>\n" : head + reference + ">\n" + body + "    </bpmn:participant>\n"
        }
        for message in collaboration.messageFlows {
            let name = message.name.map { " name=\"\(XMLText.escape($0))\"" } ?? ""
            xml +=
                "    <bpmn:messageFlow id=\"\(message.id)\"\(name) sourceRef=\"\(message.from)\" "
                + "targetRef=\"\(message.to)\"/>\n"
        }
        return xml + "  </bpmn:collaboration>\n"
    }

    /// Akteurtyp and FIM-Prozessrolle of a pool's or lane's Akteur, readable and in our namespace.
    func akteurFacts(_ akteur: Record, indent: String) -> String {
        var xml = documentation(
            [("Akteurtyp", akteur.display("akteurtyp")), ("FIM-Prozessrolle", akteur.display("prozessrolle"))],
            indent: indent)
        var attributes = ""
        for key in ["akteurtyp", "prozessrolle"] {
            if let value = akteur.text(key) { attributes += " \(key)=\"\(XMLText.escape(value))\"" }
        }
        if !attributes.isEmpty {
            xml += "\(indent)<bpmn:extensionElements>\n\(indent)  <ols:akteur\(attributes)/>\n"
            xml += "\(indent)</bpmn:extensionElements>\n"
        }
        return xml
    }

    /// `Label: value` lines of the non-empty fields, as one escaped documentation element.
    func documentation(_ pairs: [(String, String)], indent: String) -> String {
        let lines = pairs.filter { !$0.1.isEmpty }.map { "\($0.0): \($0.1)" }
        guard !lines.isEmpty else { return "" }
        return "\(indent)<bpmn:documentation>\(XMLText.escape(lines.joined(separator: "\n")))</bpmn:documentation>\n"
    }

    func processXML(_ index: Int) -> String {
        let pool = collaboration.pools[index]
        guard !pool.nodes.isEmpty else { return "" }
        var xml =
            "  <bpmn:process id=\"\(pool.processID)\" name=\"\(XMLText.escape(pool.name))\" isExecutable=\"false\">\n"
        if index == collaboration.leadPool { xml += processFacts() }
        if pool.hasLanes, !pool.akteure.isEmpty {
            xml += "    <bpmn:laneSet id=\(BPMNExport.quote(XMLText.id("LaneSet", pool.key)))>\n"
            for lane in pool.akteure {
                xml +=
                    "      <bpmn:lane id=\"\(XMLText.id("Lane", lane.id))\" name=\"\(XMLText.escape(lane.title))\">\n"
                xml += akteurFacts(lane, indent: "        ")
                for node in pool.nodes where node.laneID == lane.id {
                    xml += "        <bpmn:flowNodeRef>\(node.id)</bpmn:flowNodeRef>\n"
                }
                xml += "      </bpmn:lane>\n"
            }
            xml += "    </bpmn:laneSet>\n"
        }
        for object in dataObjects[index] {
            xml += "    <bpmn:dataObject id=\"\(object.id)\" name=\"\(XMLText.escape(object.name))\"/>\n"
        }
        for node in pool.nodes { xml += flowNode(node, flows: pool.flows) }
        for node in pool.nodes {
            for reference in documentRefs[node.id] ?? [] {
                xml +=
                    "    <bpmn:dataObjectReference id=\"\(reference)\" "
                    + "name=\"\(XMLText.escape(documentNames[reference] ?? ""))\" "
                    + "dataObjectRef=\"\(dataObjectOf[reference] ?? "")\"/>\n"
            }
        }
        for flow in pool.flows {
            let name = flow.name.map { " name=\"\(XMLText.escape($0))\"" } ?? ""
            xml +=
                "    <bpmn:sequenceFlow id=\"\(flow.id)\"\(name) sourceRef=\"\(flow.from)\" targetRef=\"\(flow.to)\"/>\n"
        }
        return xml + "  </bpmn:process>\n"
    }

    /// The process's own facts on the lead pool's process: Steckbrief fields, Vertrauensniveau and
    /// Schriftform in words and in our namespace.
    func processFacts() -> String {
        let process = model.process
        var pairs = [
            ("Zustand", process.display("zustand")), ("Leistung", process.display("ozg_leistung")),
            ("Definition", process.display("definition")), ("Beschreibung", process.display("beschreibung")),
            ("Auslöser", process.display("ausloeser")), ("Ergebnis", process.display("ergebnis")),
        ]
        var extensions: [String] = []
        for assessment in model.assessments {
            pairs += [
                ("Vertrauensniveau", assessment.display("erforderliches_niveau")),
                ("Schriftformerfordernis", assessment.display("schriftformerfordernis")),
                ("Schriftformersatz über", assessment.display("schriftformersatz")),
                ("Nutzergruppe", assessment.display("adressat")),
            ]
            var attributes = ""
            for (key, attribute) in [
                ("erforderliches_niveau", "niveau"), ("schriftformerfordernis", "schriftformerfordernis"),
                ("schriftformersatz", "schriftformersatz"), ("adressat", "nutzergruppe"),
            ] {
                if let value = assessment.text(key) { attributes += " \(attribute)=\"\(XMLText.escape(value))\"" }
            }
            extensions.append("<ols:vertrauensniveau\(attributes)/>")
        }
        var xml = documentation(pairs, indent: "    ")
        if !extensions.isEmpty {
            xml += "    <bpmn:extensionElements>\n"
            for line in extensions { xml += "      \(line)\n" }
            xml += "    </bpmn:extensionElements>\n"
        }
        return xml
    }

    /// A task, event or gateway with its documentation, extension elements, flow references, data
    /// associations and event definition.
    func flowNode(_ node: BPMNCollaboration.Node, flows: [BPMNCollaboration.SequenceFlow]) -> String {
        let defaultFlow = flows.first { $0.from == node.id && $0.isDefault }
        // Added gateways have no default flow; a lab element keeps the rule `check` applies.
        let mayHaveDefault = node.record.map { ProcessRules.mayHaveDefaultFlow(model.type($0)) } ?? false
        let defaultAttribute = mayHaveDefault ? defaultFlow.map { " default=\"\($0.id)\"" } ?? "" : ""
        var xml =
            "    <bpmn:\(node.element) id=\"\(node.id)\" name=\"\(XMLText.escape(node.name))\"\(defaultAttribute)>\n"
        if let record = node.record {
            xml += documentation(
                [
                    ("Handlungsgrundlage", record.display("handlungsgrundlagen")),
                    ("IT-System", record.display("it_system")), ("FIM", record.display("fim_referenzen")),
                    ("Frist", record.display("frist")), ("Dokumente (ein)", record.display("eingehende_dokumente")),
                    ("Dokumente (aus)", record.display("ausgehende_dokumente")),
                    ("Anmerkung", record.display("anmerkung")),
                ], indent: "      ")
            let extensions = extensionElements(record)
            if !extensions.isEmpty {
                xml += "      <bpmn:extensionElements>\n"
                for line in extensions { xml += "        \(line)\n" }
                xml += "      </bpmn:extensionElements>\n"
            }
        }
        for flow in flows where flow.to == node.id { xml += "      <bpmn:incoming>\(flow.id)</bpmn:incoming>\n" }
        for flow in flows where flow.from == node.id { xml += "      <bpmn:outgoing>\(flow.id)</bpmn:outgoing>\n" }
        let mine = associations.filter { $0.node == node.id }
        if let record = node.record, mine.contains(where: \.input) {
            let property = XMLText.id("Property", record.id)
            xml += "      <bpmn:property id=\"\(property)\" name=\"__targetRef_placeholder\"/>\n"
            for association in mine where association.input {
                xml += "      <bpmn:dataInputAssociation id=\"\(association.id)\">\n"
                xml += "        <bpmn:sourceRef>\(association.reference)</bpmn:sourceRef>\n"
                xml += "        <bpmn:targetRef>\(property)</bpmn:targetRef>\n"
                xml += "      </bpmn:dataInputAssociation>\n"
            }
        }
        for association in mine where !association.input {
            xml += "      <bpmn:dataOutputAssociation id=\"\(association.id)\">\n"
            xml += "        <bpmn:targetRef>\(association.reference)</bpmn:targetRef>\n"
            xml += "      </bpmn:dataOutputAssociation>\n"
        }
        switch node.definition {
        case .message?:
            xml += "      <bpmn:messageEventDefinition id=\"\(node.id)_nachricht\"/>\n"
        case .timer(let duration)?:
            xml += "      <bpmn:timerEventDefinition id=\"\(node.id)_frist\">\n"
            xml += "        <bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">\(duration)</bpmn:timeDuration>\n"
            xml += "      </bpmn:timerEventDefinition>\n"
        case nil:
            break
        }
        return xml + "    </bpmn:\(node.element)>\n"
    }

    /// Machine-readable facts in our namespace: Handlungsgrundlagen, IT-System, FIM references, Frist, flags.
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
        if let frist = node.text("frist") {
            let duration = FristDauer.iso(frist).map { " dauer=\"\($0)\"" } ?? ""
            extensions.append("<ols:frist\(duration)>\(XMLText.escape(frist))</ols:frist>")
        }
        for flag in ["medienbruch", "once_only", "identifizierung"] where node[flag] == .integer(1) {
            extensions.append("<ols:merkmal name=\"\(flag)\"/>")
        }
        return extensions
    }

    // MARK: Diagram interchange

    func diagram() -> String {
        let process = model.process
        var xml = "  <bpmndi:BPMNDiagram id=\(BPMNExport.quote(XMLText.id("Diagram", process.id)))>\n"
        xml +=
            "    <bpmndi:BPMNPlane id=\(BPMNExport.quote(XMLText.id("Plane", process.id))) "
            + "bpmnElement=\(BPMNExport.quote(collaborationID))>\n"
        for (index, pool) in collaboration.pools.enumerated() {
            let box = layout.pools[index]
            xml += BPMNExport.shape(
                pool.participantID, x: box.x, y: box.y, width: box.width, height: box.height, horizontal: true)
            guard pool.hasLanes, !pool.akteure.isEmpty else { continue }
            for band in layout.bands where band.pool == index {
                guard let lane = band.laneID else { continue }
                xml += BPMNExport.shape(
                    XMLText.id("Lane", lane), x: BPMNLayout.Geometry.laneX, y: band.top, width: layout.width,
                    height: band.height, horizontal: true)
            }
        }
        for pool in collaboration.pools {
            for node in pool.nodes {
                guard let box = layout.nodes[node.id] else { continue }
                xml += BPMNExport.shape(
                    node.id, x: box.x, y: box.y, width: box.width, height: box.height, horizontal: false,
                    markerVisible: node.element == "exclusiveGateway")
            }
            for node in pool.nodes {
                for reference in documentRefs[node.id] ?? [] {
                    guard let box = layout.documents[reference] else { continue }
                    xml += BPMNExport.shape(
                        reference, x: box.x, y: box.y, width: box.width, height: box.height, horizontal: false)
                }
            }
        }
        for pool in collaboration.pools {
            for flow in pool.flows { xml += edge(flow.id, layout.sequenceEdges[flow.id]) }
        }
        for message in collaboration.messageFlows { xml += edge(message.id, layout.messageEdges[message.id]) }
        for association in associations { xml += edge(association.id, layout.associationEdges[association.id]) }
        return xml + "    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n"
    }

    func edge(_ id: String, _ points: [BPMNLayout.Point]?) -> String {
        guard let points else { return "" }
        var xml =
            "      <bpmndi:BPMNEdge id=\(BPMNExport.quote(id + "_di")) bpmnElement=\(BPMNExport.quote(id))>\n"
        for point in points { xml += "        <di:waypoint x=\"\(point.x)\" y=\"\(point.y)\"/>\n" }
        return xml + "      </bpmndi:BPMNEdge>\n"
    }
}
