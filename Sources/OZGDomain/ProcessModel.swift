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
        /// The flow taken when no condition of its source holds (`standard=ja`).
        public var isDefault: Bool = false
    }

    public let process: Record
    public let lanes: [Record]
    public let nodes: [Record]
    public private(set) var flows: [Flow]
    /// The Vertrauensniveau assessments of the process (data dictionary §8.3; usually one).
    public let assessments: [Record]
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
            explicitFlows: try children("fluss"), assessments: try children("vertrauensniveau"))
    }

    /// The model of `process` from a lab snapshot that holds it.
    public init(process: Record, in lab: LabSnapshot) {
        self.init(
            process: process, lanes: lab.children("akteur", of: process.id),
            nodes: lab.children("element", of: process.id),
            explicitFlows: lab.children("fluss", of: process.id),
            assessments: lab.children("vertrauensniveau", of: process.id))
    }

    private init(
        process: Record, lanes: [Record], nodes: [Record], explicitFlows explicit: [Record], assessments: [Record]
    ) {
        self.process = process
        self.lanes = lanes
        self.nodes = nodes
        self.assessments = assessments
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
                    condition: $0.text("bedingung"), isDefault: $0["standard"] == .integer(1))
            }
        }
    }

    func type(_ node: Record) -> String { node.text("element_typ") ?? "aufgabe" }

    /// The same process without the given flows (a forced export leaves out the flows at fault).
    func withoutFlows(_ ids: Set<String>) -> ProcessModel {
        var copy = self
        copy.flows.removeAll { ids.contains($0.id) }
        return copy
    }

    /// What keeps this process from being a sound BPMN model (data dictionary §10.3), in German.
    public func problems() -> [String] { issues().map(\.message) }

    /// The errors among `issues()`: states the BPMN export would write as dangling references or as a
    /// process an engine never finishes. Input refuses them; replication can still combine into them.
    public func errors() -> [ProcessIssue] { issues().filter { $0.severity == .error } }

    /// Everything `check` reports about this process: errors first, then what is still incomplete.
    public func issues() -> [ProcessIssue] {
        guard !nodes.isEmpty else { return [ProcessIssue(.incomplete, "hat keine Prozesselemente.")] }
        return structuralErrors() + incompleteness()
    }

    private func structuralErrors() -> [ProcessIssue] {
        var errors: [ProcessIssue] = []
        let laneIDs = Set(lanes.map(\.id))
        for node in nodes where !laneIDs.contains(node.text("akteur_id") ?? "") {
            errors.append(ProcessIssue(.error, ProcessRules.foreignLane(node: node.title, allowed: lanes.map(\.title))))
        }
        let byID = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let origin = flowsDerived ? " (aus der Reihenfolge der Elemente, da der Prozess keine Sequenzflüsse hat)" : ""
        for flow in flows {
            guard let from = byID[flow.from], let to = byID[flow.to] else {
                errors.append(
                    ProcessIssue(.error, ProcessRules.foreignFlow(flow.id) + origin, flowID: flow.id))
                continue
            }
            if let rule = ProcessRules.violation(from: from, to: to) {
                errors.append(ProcessIssue(.error, "Sequenzfluss \(flow.id): " + rule + origin, flowID: flow.id))
            }
        }
        return errors
    }

    private func incompleteness() -> [ProcessIssue] {
        var problems: [String] = []
        let starts = nodes.filter { type($0) == "start" }
        if starts.count != 1 { problems.append("braucht genau ein Startereignis (hat \(starts.count)).") }
        if !nodes.contains(where: { type($0) == "ende" }) { problems.append("braucht mindestens ein Endereignis.") }
        for gateway in nodes where type(gateway) == "xor" {
            let outgoing = flows.filter { $0.from == gateway.id }
            if outgoing.count > 1, outgoing.contains(where: { !$0.isDefault && ($0.condition ?? "").isEmpty }) {
                problems.append(
                    "Exklusives Gateway „\(gateway.title)“: jeder ausgehende Fluss braucht eine Bedingung "
                        + "(außer dem einen Standardfluss, standard=ja).")
            }
        }
        for node in nodes {
            let defaults = flows.filter { $0.from == node.id && $0.isDefault }
            guard !defaults.isEmpty else { continue }
            if !ProcessRules.mayHaveDefaultFlow(type(node)) {
                problems.append(
                    "„\(node.title)“ hat einen Standardfluss; den gibt es nur an exklusiven Gateways und Aufgaben, "
                        + "an anderen Elementen wird er als gewöhnlicher Fluss exportiert.")
            } else if defaults.count > 1 {
                problems.append(
                    "„\(node.title)“ hat \(defaults.count) Standardflüsse; erlaubt ist einer (standard=ja).")
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
        return problems.map { ProcessIssue(.incomplete, $0) }
    }
}

/// One finding about a process: an error (refused at input, blocks the BPMN export) or something
/// still missing while the process is being modelled.
public struct ProcessIssue: Sendable, Equatable {
    public enum Severity: Sendable, Equatable {
        /// The export would write dangling references or a process that never finishes.
        case error
        /// Not finished yet (no end event, unreachable element, condition missing); exportable.
        case incomplete
    }

    public let severity: Severity
    /// German, names the element or flow and what is allowed.
    public let message: String
    /// The sequence flow at fault, which a forced export leaves out.
    public let flowID: String?

    init(_ severity: Severity, _ message: String, flowID: String? = nil) {
        self.severity = severity
        self.message = message
        self.flowID = flowID
    }
}

/// The structural rules of a process, shared by input validation (`LaborStore`) and `check`.
enum ProcessRules {
    static func type(_ node: Record) -> String { node.text("element_typ") ?? "aufgabe" }

    /// Element types that are BPMN activities (tasks and subprocesses).
    static let activities: Set<String> = [
        "aufgabe", "user_aufgabe", "service_aufgabe", "manuelle_aufgabe", "senden", "empfangen", "teilprozess",
    ]

    /// BPMN knows a default flow on exclusive gateways and activities only.
    static func mayHaveDefaultFlow(_ type: String) -> Bool { type == "xor" || activities.contains(type) }

    /// What is wrong with a flow between two elements of the same process, or nil.
    static func violation(from: Record, to: Record) -> String? {
        if from.id == to.id {
            return "führt von „\(from.title)“ zu sich selbst; von und nach müssen verschiedene Elemente sein "
                + "(eine Wiederholung läuft über ein Gateway)."
        }
        if type(from) == "ende" {
            return "beginnt am Endereignis „\(from.title)“; ein Endereignis hat keine ausgehenden Flüsse. "
                + "Erlaubt sind Flüsse von Startereignissen, Aufgaben, Zwischenereignissen und Gateways."
        }
        if type(to) == "start" {
            return "endet am Startereignis „\(to.title)“; ein Startereignis hat keine eingehenden Flüsse. "
                + "Erlaubt sind Flüsse zu Aufgaben, Zwischen- und Endereignissen und Gateways."
        }
        return nil
    }

    static func foreignFlow(_ id: String) -> String {
        "Sequenzfluss \(id) verbindet Elemente, die nicht (mehr) zu diesem Prozess gehören; "
            + "von und nach müssen Elemente desselben Prozesses sein."
    }

    static func foreignLane(node: String, allowed: [String]) -> String {
        "Element „\(node)“ gehört zu keinem Akteur dieses Prozesses; erlaubt sind "
            + (allowed.isEmpty
                ? "nur Akteure dieses Prozesses (er hat noch keine)."
                : allowed.map { "„\($0)“" }.joined(separator: ", ") + ".")
    }
}
