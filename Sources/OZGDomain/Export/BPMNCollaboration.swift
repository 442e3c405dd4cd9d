import OZGReplication

/// A process as FIM modellers draw it: the lead authority's pool with a lane per Akteur, a pool of
/// its own for each party outside it, message flows where the work passes between pools, and in each
/// pool a process of its own that still runs from a start to an end (docs/EXPORTS.md „BPMN“).
///
/// The lab models one flow through all Akteure. Where that flow leaves a pool and comes back, the
/// pool's own process gets a sequence flow from where it left to where it resumes; where it can
/// resume at several places, an exclusive gateway decides; where it ends in another pool, the pool
/// gets an end event. Gateways, start and end events cannot send or receive messages, so an event
/// is added next to them that does.
struct BPMNCollaboration {
    enum Definition: Equatable {
        case message
        /// An ISO 8601 duration (`P14D`) for a timer, from the element's Frist.
        case timer(String)
    }

    /// A flow node: one of the lab's elements, or an event or gateway the projection added.
    struct Node {
        let id: String
        let name: String
        /// The BPMN element name without prefix (`userTask`, `startEvent`, …).
        var element: String
        /// The Akteur (lane) the node is drawn in.
        let laneID: String?
        let pool: Int
        var definition: Definition?
        /// The lab element, nil for added nodes.
        let record: Record?
    }

    struct SequenceFlow {
        let id: String
        let from: String
        let to: String
        let name: String?
        let isDefault: Bool
    }

    struct MessageFlow {
        let id: String
        var from: String
        var to: String
        let name: String?
    }

    /// A participant: with nodes it references a process of its own, without it is drawn collapsed.
    struct Pool {
        let key: String
        let name: String
        /// The Akteure whose elements the pool holds.
        let akteure: [Record]
        /// Drawn as lanes (the lead authority's pool); a pool of one party has none.
        let hasLanes: Bool
        var nodes: [Node] = []
        var flows: [SequenceFlow] = []
        var participantID: String { XMLText.id("Participant", key) }
        var processID: String { XMLText.id("Process", key) }
    }

    let model: ProcessModel
    private(set) var pools: [Pool] = []
    private(set) var messageFlows: [MessageFlow] = []
    /// The pool of each node, by node id.
    private(set) var poolOf: [String: Int] = [:]

    /// Whether an Akteur is outside the lead authority: Nutzer:innen and Dritte, and whoever takes part
    /// as Mitwirkender or Ergebnisempfänger (FIM-Prozessrollen).
    static func isOutside(_ akteur: Record) -> Bool {
        ["nutzer", "dritte"].contains(akteur.text("akteurtyp") ?? "")
            || ["mitwirkender", "ergebnisempfaenger"].contains(akteur.text("prozessrolle") ?? "")
    }

    static let elementNames: [String: String] = [
        "aufgabe": "task", "user_aufgabe": "userTask", "service_aufgabe": "serviceTask",
        "manuelle_aufgabe": "manualTask", "senden": "sendTask", "empfangen": "receiveTask",
        "teilprozess": "subProcess", "start": "startEvent", "ende": "endEvent",
        "zwischenereignis": "intermediateThrowEvent", "xor": "exclusiveGateway", "and": "parallelGateway",
    ]

    static func nodeID(_ id: String) -> String { XMLText.id("Element", id) }
    static func flowID(_ id: String) -> String { XMLText.id("Flow", id) }

    init(model: ProcessModel) {
        self.model = model
        assignPools()
        for (index, node) in model.nodes.enumerated() { addElement(node, order: index) }
        let crossing = splitFlows()
        project(crossing)
    }

    // MARK: Pools

    private mutating func assignPools() {
        var laneIndex: [String: Int] = [:]
        var main: Int?
        let inside = model.lanes.filter { !Self.isOutside($0) }
        for akteur in model.lanes {
            if Self.isOutside(akteur) {
                laneIndex[akteur.id] = pools.count
                pools.append(Pool(key: akteur.id, name: akteur.title, akteure: [akteur], hasLanes: false))
            } else {
                if main == nil {
                    main = pools.count
                    pools.append(
                        Pool(
                            key: model.process.id, name: model.process.text("name") ?? model.process.id,
                            akteure: inside, hasLanes: true))
                }
                laneIndex[akteur.id] = main
            }
        }
        // An element of no Akteur of this process (only in a forced export) goes to the lead pool.
        for node in model.nodes where laneIndex[node.text("akteur_id") ?? ""] == nil {
            if main == nil {
                main = pools.count
                pools.append(
                    Pool(
                        key: model.process.id, name: model.process.text("name") ?? model.process.id,
                        akteure: inside, hasLanes: !inside.isEmpty))
            }
            laneIndex[node.text("akteur_id") ?? ""] = main
        }
        for node in model.nodes { poolOf[Self.nodeID(node.id)] = laneIndex[node.text("akteur_id") ?? ""] ?? 0 }
    }

    /// The pool whose process carries the process's own facts (Vertrauensniveau, Auslöser, …).
    var leadPool: Int {
        pools.firstIndex { $0.key == model.process.id } ?? pools.firstIndex { !$0.nodes.isEmpty } ?? 0
    }

    private mutating func addElement(_ record: Record, order: Int) {
        let type = model.type(record)
        var element = Self.elementNames[type] ?? "task"
        var definition: Definition?
        if type == "zwischenereignis", let duration = FristDauer.iso(record.text("frist") ?? "") {
            element = "intermediateCatchEvent"
            definition = .timer(duration)
        }
        let id = Self.nodeID(record.id)
        add(
            Node(
                id: id, name: record.text("bezeichnung") ?? "", element: element, laneID: record.text("akteur_id"),
                pool: poolOf[id] ?? 0, definition: definition, record: record))
    }

    private mutating func add(_ node: Node) {
        poolOf[node.id] = node.pool
        pools[node.pool].nodes.append(node)
    }

    /// A sequence flow the projection adds (`Folge_<from>__<to>`), unless the two are connected already.
    private mutating func connect(_ from: String, _ to: String, name: String? = nil, isDefault: Bool = false) {
        let pool = poolOf[from] ?? 0
        guard !pools[pool].flows.contains(where: { $0.from == from && $0.to == to }) else { return }
        pools[pool].flows.append(
            SequenceFlow(id: "Folge_\(from)__\(to)", from: from, to: to, name: name, isDefault: isDefault))
    }

    func node(_ id: String) -> Node? {
        guard let pool = poolOf[id] else { return nil }
        return pools[pool].nodes.first { $0.id == id }
    }

    private mutating func update(_ id: String, _ change: (inout Node) -> Void) {
        guard let pool = poolOf[id], let index = pools[pool].nodes.firstIndex(where: { $0.id == id }) else { return }
        change(&pools[pool].nodes[index])
    }

    // MARK: Flows

    /// A lab flow that crosses pools: where it leaves (`exit`, the node that sends) and where it
    /// arrives (`entry`, the node that receives) after any events added for it.
    struct Crossing {
        let flow: ProcessModel.Flow
        let source: String
        let target: String
        var exit: String
        var entry: String
    }

    /// Keeps flows inside a pool as sequence flows and turns flows between pools into message flows.
    private mutating func splitFlows() -> [Crossing] {
        var crossing: [Crossing] = []
        for flow in model.flows {
            let source = Self.nodeID(flow.from)
            let target = Self.nodeID(flow.to)
            guard let from = poolOf[source], let to = poolOf[target] else { continue }
            if from == to {
                pools[from].flows.append(
                    SequenceFlow(
                        id: Self.flowID(flow.id), from: source, to: target,
                        name: flow.condition ?? (flow.isDefault ? "sonst" : nil), isDefault: flow.isDefault))
                continue
            }
            var exit = source
            if !isActivity(source) {
                exit = XMLText.id("Sende", flow.id)
                let sender = node(source)
                add(
                    Node(
                        id: exit, name: "Nachricht an \(party(of: target))", element: "intermediateThrowEvent",
                        laneID: sender?.laneID, pool: from, definition: .message, record: nil))
                connect(
                    source, exit, name: flow.condition ?? (flow.isDefault ? "sonst" : nil), isDefault: flow.isDefault)
            }
            var entry = target
            if !isActivity(target) {
                entry = XMLText.id("Empfang", flow.id)
                add(
                    Node(
                        id: entry, name: "Nachricht von \(party(of: exit))", element: "intermediateCatchEvent",
                        laneID: node(target)?.laneID, pool: to, definition: .message, record: nil))
                connect(entry, target)
            }
            messageFlows.append(
                MessageFlow(id: XMLText.id("MessageFlow", flow.id), from: exit, to: entry, name: flow.condition))
            crossing.append(Crossing(flow: flow, source: source, target: target, exit: exit, entry: entry))
        }
        return crossing
    }

    /// Who a node belongs to, for the names of added events: its Akteur, or else its pool.
    func party(of id: String) -> String {
        let laneID = node(id)?.laneID
        return model.lanes.first { $0.id == laneID }?.title ?? poolOf[id].map { pools[$0].name } ?? ""
    }

    private func isActivity(_ id: String) -> Bool {
        guard let record = node(id)?.record else { return false }
        return ProcessRules.activities.contains(model.type(record))
    }

    // MARK: Projection

    /// Where a pool resumes after the flow left it: the entries of the crossings back into the pool
    /// reached first, and nil when the flow can end without coming back.
    private func resumptions(from start: String, into pool: Int, crossing: [Crossing]) -> [String?] {
        var found: [String?] = []
        var seen: Set<String> = []
        var queue = [start]
        while let current = queue.popLast() {
            guard seen.insert(current).inserted else { continue }
            let outgoing = model.flows.filter { Self.nodeID($0.from) == current }
            if outgoing.isEmpty, !found.contains(where: { $0 == nil }) { found.append(nil) }
            for flow in outgoing {
                let target = Self.nodeID(flow.to)
                if poolOf[target] == pool {
                    let entry = crossing.first { $0.flow.id == flow.id }?.entry ?? target
                    if !found.contains(where: { $0 == entry }) { found.append(entry) }
                } else if poolOf[target] != nil {
                    queue.append(target)
                }
            }
        }
        return found
    }

    /// Gives every pool's process its own path from a start to an end (see the type's comment).
    private mutating func project(_ crossings: [Crossing]) {
        let exits = crossings.reduce(into: [String: [Crossing]]()) { $0[$1.exit, default: []].append($1) }
        for (exit, leaving) in exits.sorted(by: { $0.key < $1.key }) {
            let pool = poolOf[exit] ?? 0
            var targets: [String?] = []
            for crossing in leaving {
                for target in resumptions(from: crossing.target, into: pool, crossing: crossings) {
                    if !targets.contains(where: { $0 == target }) { targets.append(target) }
                }
            }
            let continues = pools[pool].flows.contains { $0.from == exit }
            if continues { targets.removeAll { $0 == nil } }
            guard !targets.isEmpty else { continue }
            resume(after: exit, at: targets, pool: pool)
        }
        for index in pools.indices where !pools[index].nodes.isEmpty {
            guard !pools[index].nodes.contains(where: { $0.element == "startEvent" }) else { continue }
            addStart(pool: index, crossing: crossings)
        }
    }

    /// After `exit` the pool waits for one of `targets` (nil: the flow ended elsewhere).
    private mutating func resume(after exit: String, at targets: [String?], pool: Int) {
        func endEvent() -> String {
            let id = "Ende_\(exit)"
            if node(id) == nil {
                add(
                    Node(
                        id: id, name: "Ende", element: "endEvent", laneID: node(exit)?.laneID, pool: pool,
                        definition: nil, record: nil))
            }
            return id
        }
        if targets.count == 1, let only = targets[0], only != exit {
            connect(exit, only)
            return
        }
        if targets.count == 1, targets[0] == nil {
            connect(exit, endEvent())
            return
        }
        let gateway = "Weiter_\(exit)"
        add(
            Node(
                id: gateway, name: "Wie geht es weiter?", element: "exclusiveGateway", laneID: node(exit)?.laneID,
                pool: pool, definition: nil, record: nil))
        connect(exit, gateway)
        for target in targets {
            if let target {
                let sender = messageFlows.first { $0.to == target }.flatMap { node($0.from)?.name }
                connect(gateway, target, name: sender.map { "nach „\($0)“" } ?? "weiter")
            } else {
                connect(gateway, endEvent(), name: "ohne weitere Nachricht")
            }
        }
    }

    /// A pool without a start event starts where the flow first reaches it: a message start event
    /// when a single message starts it, otherwise a start event and, for several entries, a gateway.
    private mutating func addStart(pool: Int, crossing: [Crossing]) {
        let starts = model.nodes.filter { model.type($0) == "start" }.map { Self.nodeID($0.id) }
        var entries: [String?] = []
        for start in starts {
            for entry in resumptions(from: start, into: pool, crossing: crossing)
            where !entries.contains(where: { $0 == entry }) {
                entries.append(entry)
            }
        }
        // The pool's process starts when the flow reaches it; a flow that ends without doing so
        // starts no instance of it.
        entries.removeAll { $0 == nil }
        let reached = entries.compactMap { $0 }
        guard !reached.isEmpty else { return }
        let id = XMLText.id("Start", pools[pool].key)
        let first = node(reached[0])
        let incoming = messageFlows.indices.filter { messageFlows[$0].to == reached[0] }
        let alone =
            reached.count == 1 && incoming.count == 1 && !pools[pool].flows.contains { $0.to == reached[0] }
        if alone, let message = incoming.first {
            let sender = party(of: messageFlows[message].from)
            add(
                Node(
                    id: id, name: "Nachricht von \(sender)", element: "startEvent", laneID: first?.laneID,
                    pool: pool, definition: .message, record: nil))
            messageFlows[message].to = id
            connect(id, reached[0])
            return
        }
        add(
            Node(
                id: id, name: "Start", element: "startEvent", laneID: first?.laneID, pool: pool, definition: nil,
                record: nil))
        resume(after: id, at: entries, pool: pool)
    }
}

/// A Frist as an ISO 8601 duration: „14 Tage“ → `P14D`, „2 Wochen“ → `P2W`, „3 Monate“ → `P3M`,
/// „1 Jahr“ → `P1Y`, „48 Stunden“ → `PT48H`, „30 Minuten“ → `PT30M`; a duration already in ISO
/// form is kept. Anything else (prose such as „bis Monatsende“) has no duration.
enum FristDauer {
    static func iso(_ text: String) -> String? {
        let words = text.split(separator: " ").map { $0.lowercased() }
        if words.count == 1, let iso = words.first?.uppercased(),
            iso.wholeMatch(of: /P(\d+[YMWD])+(T(\d+[HMS])+)?|PT(\d+[HMS])+/) != nil
        {
            return iso
        }
        guard words.count == 2, let number = Int(words[0]), number > 0, number < 100_000 else { return nil }
        switch words[1] {
        case "tag", "tage", "tagen": return "P\(number)D"
        case "woche", "wochen": return "P\(number)W"
        case "monat", "monate", "monaten": return "P\(number)M"
        case "jahr", "jahre", "jahren": return "P\(number)Y"
        case "stunde", "stunden": return "PT\(number)H"
        case "minute", "minuten": return "PT\(number)M"
        default: return nil
        }
    }
}
