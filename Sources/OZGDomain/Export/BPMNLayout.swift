/// Where the BPMN diagram puts each shape and edge: pools stacked top to bottom, in each pool its
/// lanes (or one band for a pool of one party), nodes left to right in columns by the longest path
/// over sequence and message flows, documents below their task, loops back along the pool's bottom
/// and message flows through the gap next to the pool they reach.
struct BPMNLayout {
    typealias Box = (x: Int, y: Int, width: Int, height: Int)
    typealias Point = (x: Int, y: Int)

    enum Geometry {
        static let poolX = 100
        static let poolY = 60
        static let laneX = 130
        static let rowHeight = 140
        /// Added to each row of a band with documents: the documents sit below their task.
        static let documentRow = 70
        static let collapsedHeight = 60
        static let columnWidth = 160
        static let firstColumnCenter = 220
        /// Distance between parallel tracks (flows back to the left, message flows in a gap).
        static let trackSpacing = 10
        /// Below the rows of a band with documents: their shapes and a margin for the tracks.
        static let documentSize = (width: 36, height: 50)
        static let documentOffset = 50
        static let documentSpacing = 46
    }

    /// A lane of a pool with lanes, or the single band of a pool without.
    struct Band {
        let pool: Int
        let laneID: String?
        var top = 0
        var height = 0
        var rowHeight = Geometry.rowHeight
    }

    let collaboration: BPMNCollaboration
    private(set) var columns: [String: Int] = [:]
    private(set) var pools: [Box] = []
    private(set) var bands: [Band] = []
    private(set) var nodes: [String: Box] = [:]
    private(set) var sequenceEdges: [String: [Point]] = [:]
    private(set) var messageEdges: [String: [Point]] = [:]
    private(set) var documents: [String: Box] = [:]
    private(set) var associationEdges: [String: [Point]] = [:]
    private var bandOf: [String: Int] = [:]
    private var rows: [String: Int] = [:]
    /// The flows of each pool that lead back to the left, with their track (0 = lowest).
    private var backTracks: [String: Int] = [:]
    let width: Int

    /// `documentRefs` lists, per node id, the references drawn below it, in order.
    init(_ collaboration: BPMNCollaboration, documentRefs: [String: [String]], associations: [Association]) {
        self.collaboration = collaboration
        let allNodes = collaboration.pools.flatMap(\.nodes)
        columns = Self.columns(
            nodes: allNodes.map(\.id),
            edges: collaboration.pools.flatMap(\.flows).map { ($0.from, $0.to) }
                + collaboration.messageFlows.map { ($0.from, $0.to) })
        width = Geometry.firstColumnCenter - Geometry.laneX + ((columns.values.max() ?? 0) + 1) * Geometry.columnWidth
        assignBands()
        assignRows(allNodes)
        computeBackTracks()
        stack(documentRefs: documentRefs)
        placeNodes(documentRefs: documentRefs)
        routeSequenceFlows()
        routeMessageFlows()
        routeAssociations(associations)
    }

    /// An association between a task and a document reference; `input` runs from the document.
    struct Association {
        let id: String
        let node: String
        let reference: String
        let input: Bool
    }

    // MARK: Columns

    /// The longest path from a node without incoming edges, ignoring edges that lead back (loops).
    static func columns(nodes: [String], edges: [(String, String)]) -> [String: Int] {
        let incoming = Set(edges.map(\.1))
        var roots = nodes.filter { !incoming.contains($0) }
        if roots.isEmpty, let first = nodes.first { roots = [first] }
        var state: [String: Int] = [:]  // 1 = on stack, 2 = done
        var back = Set<Int>()
        func visit(_ node: String) {
            state[node] = 1
            for (index, edge) in edges.enumerated() where edge.0 == node {
                switch state[edge.1] {
                case 1: back.insert(index)
                case nil: visit(edge.1)
                default: break
                }
            }
            state[node] = 2
        }
        for root in roots where state[root] == nil { visit(root) }
        for node in nodes where state[node] == nil { visit(node) }
        var depth: [String: Int] = [:]
        for root in roots { depth[root] = 0 }
        for _ in 0..<nodes.count {
            var changed = false
            for (index, edge) in edges.enumerated() where !back.contains(index) {
                guard let from = depth[edge.0] else { continue }
                if (depth[edge.1] ?? -1) < from + 1 {
                    depth[edge.1] = from + 1
                    changed = true
                }
            }
            if !changed { break }
        }
        var result: [String: Int] = [:]
        var fallback = 0
        for node in nodes {
            let column = depth[node] ?? fallback
            result[node] = column
            fallback = column + 1
        }
        // A start the projection added sits right before the node it leads to, not at the far left.
        for root in roots {
            let next = edges.filter { $0.0 == root }.compactMap { result[$0.1] }.min()
            if let next, next > 1 { result[root] = next - 1 }
        }
        return result
    }

    /// Nodes that share a band and a column are stacked in rows. A node with message flows to pools
    /// above goes up the stack, one with message flows to pools below goes down, so the message
    /// flow does not run through its neighbours.
    private mutating func assignRows(_ allNodes: [BPMNCollaboration.Node]) {
        func direction(_ node: BPMNCollaboration.Node) -> Int {
            var result = 0
            for message in collaboration.messageFlows where message.from == node.id || message.to == node.id {
                let other = collaboration.poolOf[message.from == node.id ? message.to : message.from] ?? node.pool
                result += other < node.pool ? -1 : 1
            }
            return result.signum()
        }
        var groups: [String: [BPMNCollaboration.Node]] = [:]
        var order: [String] = []
        for node in allNodes {
            let key = "\(bandOf[node.id] ?? 0)#\(columns[node.id] ?? 0)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(node)
        }
        for key in order {
            let stack = (groups[key] ?? []).enumerated().sorted { a, b in
                let (da, db) = (direction(a.element), direction(b.element))
                return da != db ? da < db : a.offset < b.offset
            }
            for (row, entry) in stack.enumerated() { rows[entry.element.id] = row }
        }
    }

    // MARK: Pools and bands

    private mutating func assignBands() {
        for (index, pool) in collaboration.pools.enumerated() {
            if pool.hasLanes {
                for akteur in pool.akteure { bands.append(Band(pool: index, laneID: akteur.id)) }
                if pool.akteure.isEmpty { bands.append(Band(pool: index, laneID: nil)) }
            } else {
                bands.append(Band(pool: index, laneID: nil))
            }
            let first = bands.firstIndex { $0.pool == index } ?? 0
            for node in pool.nodes {
                bandOf[node.id] =
                    pool.hasLanes ? (bands.firstIndex { $0.pool == index && $0.laneID == node.laneID } ?? first) : first
            }
        }
    }

    private mutating func computeBackTracks() {
        for pool in collaboration.pools {
            let back = pool.flows.enumerated().filter { _, flow in
                guard let from = columns[flow.from], let to = columns[flow.to] else { return false }
                return to <= from
            }
            let ordered = back.sorted { a, b in
                let spanA = (columns[a.element.from] ?? 0) - (columns[a.element.to] ?? 0)
                let spanB = (columns[b.element.from] ?? 0) - (columns[b.element.to] ?? 0)
                return spanA != spanB ? spanA > spanB : a.offset < b.offset
            }
            for (track, flow) in ordered.enumerated() { backTracks[flow.element.id] = track }
        }
    }

    /// Message flows through each gap above pool `index` (gap `index`) or below it (`index + 1`).
    private func gapOf(_ message: BPMNCollaboration.MessageFlow) -> Int {
        let from = collaboration.poolOf[message.from] ?? 0
        let to = collaboration.poolOf[message.to] ?? 0
        return from < to ? to : to + 1
    }

    private mutating func stack(documentRefs: [String: [String]]) {
        var gaps: [Int: Int] = [:]
        for message in collaboration.messageFlows { gaps[gapOf(message), default: 0] += 1 }
        var top = Geometry.poolY
        for (index, pool) in collaboration.pools.enumerated() {
            if index > 0 { top += 20 + Geometry.trackSpacing * max(gaps[index] ?? 0, 1) }
            let poolTop = top
            if pool.nodes.isEmpty {
                pools.append(
                    (Geometry.poolX, poolTop, width + Geometry.laneX - Geometry.poolX, Geometry.collapsedHeight))
                for band in bands.indices where bands[band].pool == index {
                    bands[band].top = poolTop
                    bands[band].height = Geometry.collapsedHeight
                }
                top += Geometry.collapsedHeight
                continue
            }
            let tracks = pool.flows.filter { backTracks[$0.id] != nil }.count
            let mine = bands.indices.filter { bands[$0].pool == index }
            for band in mine {
                let members = pool.nodes.filter { bandOf[$0.id] == band }
                let stacked = members.map { (rows[$0.id] ?? 0) + 1 }.max() ?? 1
                let hasDocuments = members.contains { !(documentRefs[$0.id] ?? []).isEmpty }
                bands[band].top = top
                bands[band].rowHeight = Geometry.rowHeight + (hasDocuments ? Geometry.documentRow : 0)
                bands[band].height = stacked * bands[band].rowHeight
                // Each flow back to the left gets its own track along the pool's bottom; the last band
                // grows by the extra tracks (one loop keeps the usual height).
                if band == mine.last { bands[band].height += Geometry.trackSpacing * max(0, tracks - 1) }
                top += bands[band].height
            }
            pools.append((Geometry.poolX, poolTop, width + Geometry.laneX - Geometry.poolX, top - poolTop))
        }
    }

    private mutating func placeNodes(documentRefs: [String: [String]]) {
        for pool in collaboration.pools {
            for node in pool.nodes {
                let (width, height) = Self.size(node.element)
                let band = bands[bandOf[node.id] ?? 0]
                let centerX = Geometry.firstColumnCenter + (columns[node.id] ?? 0) * Geometry.columnWidth
                let rowTop = band.top + (rows[node.id] ?? 0) * band.rowHeight
                let centerY = rowTop + Geometry.rowHeight / 2
                let box = (x: centerX - width / 2, y: centerY - height / 2, width: width, height: height)
                nodes[node.id] = box
                for (index, reference) in (documentRefs[node.id] ?? []).enumerated() {
                    documents[reference] = (
                        box.x + Geometry.documentOffset + index * Geometry.documentSpacing, box.y + box.height + 10,
                        Geometry.documentSize.width, Geometry.documentSize.height
                    )
                }
            }
        }
    }

    static func size(_ element: String) -> (Int, Int) {
        switch element {
        case "startEvent", "endEvent", "intermediateThrowEvent", "intermediateCatchEvent": return (36, 36)
        case "exclusiveGateway", "parallelGateway": return (50, 50)
        default: return (100, 80)
        }
    }

    // MARK: Edges

    private mutating func routeSequenceFlows() {
        for (index, pool) in collaboration.pools.enumerated() {
            let lowest = pools[index].y + pools[index].height - 10
            for flow in pool.flows {
                guard let from = nodes[flow.from], let to = nodes[flow.to] else { continue }
                let bottom = lowest - Geometry.trackSpacing * (backTracks[flow.id] ?? 0)
                let laneTop = bands[bandOf[flow.from] ?? 0].top
                sequenceEdges[flow.id] = waypoints(from: from, to: to, laneTop: laneTop, bottom: bottom)
            }
        }
    }

    /// A flow to the right goes straight, or around a node in its way along the top of the lane, or
    /// with one bend between lanes; a flow back to the left runs along the bottom of the pool.
    private func waypoints(from: Box, to: Box, laneTop: Int, bottom: Int) -> [Point] {
        let start = (from.x + from.width, from.y + from.height / 2)
        let end = (to.x, to.y + to.height / 2)
        guard end.0 > start.0 else {
            return [
                start, (start.0 + 20, start.1), (start.0 + 20, bottom), (end.0 - 20, bottom), (end.0 - 20, end.1), end,
            ]
        }
        let blocked = nodes.values.contains { box in
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

    /// Out of the sender's bottom or top, along a track of the gap next to the receiving pool, into
    /// the receiver. Activities send left of their documents and receive beside where they send. Where
    /// the straight line would run through another shape (a node stacked below the sender, or above
    /// the receiver), the flow turns into the free corridor 30 px left of the node.
    private mutating func routeMessageFlows() {
        var used: [Int: Int] = [:]
        for message in collaboration.messageFlows {
            guard let from = nodes[message.from], let to = nodes[message.to] else { continue }
            let gap = gapOf(message)
            let track = used[gap, default: 0]
            used[gap, default: 0] += 1
            let down = (collaboration.poolOf[message.from] ?? 0) < (collaboration.poolOf[message.to] ?? 0)
            let gapTop = pools[gap - 1].y + pools[gap - 1].height
            let y = gapTop + 15 + Geometry.trackSpacing * track
            let sx = from.width == 100 ? from.x + 20 : from.x + from.width / 2
            let tx = to.width == 100 ? to.x + 35 : to.x + to.width / 2
            let start = (sx, down ? from.y + from.height : from.y)
            let end = (tx, down ? to.y : to.y + to.height)
            let step = down ? 5 : -5
            var points: [Point] = [start]
            if isClear(x: sx, start.1, y, except: [message.from, message.to]) {
                points.append((sx, y))
            } else {
                points += [(sx, start.1 + step), (from.x - 30, start.1 + step), (from.x - 30, y)]
            }
            if isClear(x: tx, y, end.1, except: [message.from, message.to]) {
                points.append((tx, y))
            } else {
                points += [(to.x - 30, y), (to.x - 30, end.1 - step), (tx, end.1 - step)]
            }
            points.append(end)
            // Points on one straight line collapse (a message straight down needs only its two ends).
            var simplified: [Point] = []
            for point in points {
                if simplified.count >= 2 {
                    let (a, b) = (simplified[simplified.count - 2], simplified[simplified.count - 1])
                    if (a.x == b.x && b.x == point.x) || (a.y == b.y && b.y == point.y) { simplified.removeLast() }
                }
                if simplified.last.map({ $0.x == point.x && $0.y == point.y }) != true { simplified.append(point) }
            }
            messageEdges[message.id] = simplified
        }
    }

    /// Whether a vertical line at `x` between two heights touches no node or document but `except`.
    private func isClear(x: Int, _ y1: Int, _ y2: Int, except: Set<String>) -> Bool {
        let (top, bottom) = (min(y1, y2), max(y1, y2))
        let boxes = nodes.filter { !except.contains($0.key) }.map(\.value) + Array(documents.values)
        return !boxes.contains { box in
            x > box.x && x < box.x + box.width && top < box.y + box.height && bottom > box.y
        }
    }

    private mutating func routeAssociations(_ associations: [Association]) {
        for association in associations {
            guard let node = nodes[association.node], let document = documents[association.reference] else {
                continue
            }
            // Input and output of one document run on two lines 12 px apart.
            let x = document.x + document.width / 2 + (association.input ? -6 : 6)
            let nodePoint = (min(max(x, node.x + 10), node.x + node.width - 10), node.y + node.height)
            let documentPoint = (x, document.y)
            associationEdges[association.id] =
                association.input ? [documentPoint, nodePoint] : [nodePoint, documentPoint]
        }
    }
}
