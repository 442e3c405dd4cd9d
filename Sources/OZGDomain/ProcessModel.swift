import OZGReplication
import OZGStorage

/// A process as the BPMN export and the checks see it: lanes, nodes in order, and sequence flows.
///
/// When a process has no explicit `fluss` rows, the element order is the flow (data dictionary §7.6).
public struct ProcessModel {
    public struct Flow: Equatable {
        public let id: String
        public let from: String
        public let to: String
        public let condition: String?
    }

    public let process: Record
    public let lanes: [Record]
    public let nodes: [Record]
    public let flows: [Flow]
    /// Whether `flows` came from the element order rather than from `fluss` rows.
    public let flowsDerived: Bool

    /// Reads one process and its lanes, elements and flows from the store.
    public init(store: LaborStore, processID: String) throws {
        guard let process = try store.record("prozess", id: processID) else {
            throw DomainError.notFound(entity: "prozess", id: processID)
        }
        func children(_ key: String) throws -> [Record] {
            try store.records(of: try store.entity(key), in: process.laborID, where: ["prozess_id": .text(processID)])
        }
        self.init(
            process: process, lanes: try children("akteur"), nodes: try children("element"),
            explicitFlows: try children("fluss"))
    }

    /// The model of `process` from a lab snapshot that holds it.
    public init(process: Record, in lab: LabSnapshot) {
        self.init(
            process: process, lanes: lab.children("akteur", of: process.id),
            nodes: lab.children("element", of: process.id),
            explicitFlows: lab.children("fluss", of: process.id))
    }

    private init(process: Record, lanes: [Record], nodes: [Record], explicitFlows explicit: [Record]) {
        self.process = process
        self.lanes = lanes
        self.nodes = nodes
        if explicit.isEmpty {
            flowsDerived = true
            flows = zip(nodes, nodes.dropFirst()).map { from, to in
                Flow(id: RowID.derived(from: ["fluss", from.id, to.id]), from: from.id, to: to.id, condition: nil)
            }
        } else {
            flowsDerived = false
            flows = explicit.map {
                Flow(
                    id: $0.id, from: $0.text("von_id") ?? "", to: $0.text("nach_id") ?? "",
                    condition: $0.text("bedingung"))
            }
        }
    }

    func type(_ node: Record) -> String { node.text("element_typ") ?? "aufgabe" }

    /// What keeps this process from being a sound BPMN model (data dictionary §10.3), in German.
    public func problems() -> [String] {
        var problems: [String] = []
        if nodes.isEmpty { return ["hat keine Prozesselemente."] }
        let starts = nodes.filter { type($0) == "start" }
        if starts.count != 1 { problems.append("braucht genau ein Startereignis (hat \(starts.count)).") }
        if !nodes.contains(where: { type($0) == "ende" }) { problems.append("braucht mindestens ein Endereignis.") }
        let laneIDs = Set(lanes.map(\.id))
        for node in nodes where !laneIDs.contains(node.text("akteur_id") ?? "") {
            problems.append("Element „\(node.title)“ gehört zu keinem Akteur dieses Prozesses.")
        }
        let nodeIDs = Set(nodes.map(\.id))
        for flow in flows {
            if !nodeIDs.contains(flow.from) || !nodeIDs.contains(flow.to) {
                problems.append("Sequenzfluss \(flow.id) verbindet Elemente, die nicht zu diesem Prozess gehören.")
            } else if flow.from == flow.to {
                problems.append("Sequenzfluss \(flow.id) führt von einem Element zu sich selbst.")
            }
        }
        for gateway in nodes where type(gateway) == "xor" {
            let outgoing = flows.filter { $0.from == gateway.id }
            if outgoing.count > 1, outgoing.contains(where: { ($0.condition ?? "").isEmpty }) {
                problems.append("Exklusives Gateway „\(gateway.title)“: jeder ausgehende Fluss braucht eine Bedingung.")
            }
        }
        if let start = starts.first {
            var reached: Set<String> = [start.id]
            var queue = [start.id]
            while let current = queue.popLast() {
                for flow in flows where flow.from == current && !reached.contains(flow.to) {
                    reached.insert(flow.to)
                    queue.append(flow.to)
                }
            }
            for node in nodes where !reached.contains(node.id) {
                problems.append("Element „\(node.title)“ ist vom Startereignis aus nicht erreichbar.")
            }
        }
        return problems
    }
}
