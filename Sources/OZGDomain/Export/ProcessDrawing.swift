import OZGReplication

/// A Referenzprozess drawn as the BPMN export lays it out (`BPMNDocument`, `BPMNLayout`): the same
/// pools, lanes, shapes and flows at the same coordinates, so the picture and the file a FIM
/// modelling tool opens look alike.
struct ProcessDrawing {
    typealias Ink = SVGCanvas.Ink
    let document: BPMNDocument
    var canvas: SVGCanvas

    /// Flows at fault (`ProcessModel.errors()`) are left out, as in a forced BPMN export.
    init(model: ProcessModel) {
        let errors = model.errors()
        let drawn = errors.isEmpty ? model : model.withoutFlows(Set(errors.compactMap(\.flowID)))
        document = BPMNDocument(model: drawn)
        canvas = SVGCanvas(idPrefix: "prozess-" + model.process.id)
    }

    var names: [String: String] {
        var names: [String: String] = [:]
        for pool in document.collaboration.pools {
            for node in pool.nodes { names[node.id] = node.name }
        }
        return names
    }

    mutating func drawing() -> Drawing {
        let layout = document.layout
        let collaboration = document.collaboration
        canvas.defineMarkers()
        drawPools()
        for pool in collaboration.pools {
            for flow in pool.flows {
                guard let points = layout.sequenceEdges[flow.id] else { continue }
                canvas.polyline(points, markerEnd: "pfeil")
                if flow.isDefault, points.count >= 2 { defaultSlash(points[0], points[1]) }
                if let name = flow.name { label(name, along: points) }
            }
        }
        for association in document.associations {
            guard let points = layout.associationEdges[association.id] else { continue }
            canvas.polyline(points, strokeWidth: 1, dash: "2 3", markerEnd: "pfeil-offen")
        }
        for pool in collaboration.pools {
            for node in pool.nodes {
                guard let box = layout.nodes[node.id] else { continue }
                drawNode(node, box)
                for reference in document.documentRefs[node.id] ?? [] {
                    guard let box = layout.documents[reference] else { continue }
                    drawDocument(box, name: document.documentNames[reference] ?? "")
                }
            }
        }
        for message in collaboration.messageFlows {
            guard let points = layout.messageEdges[message.id] else { continue }
            canvas.polyline(points, dash: "6 4", markerStart: "kreis", markerEnd: "pfeil-offen")
            if let name = message.name { label(name, along: points) }
        }
        let bottom = layout.pools.map { $0.y + $0.height }.max() ?? 200
        let process = document.model.process
        let elementCount = document.model.nodes.count
        let title = "Referenzprozess „\(process.title)“ als BPMN-Diagramm"
        let description =
            "\(collaboration.pools.count) Pool(s), \(elementCount) Element(e), "
            + "\(collaboration.pools.reduce(0) { $0 + $1.flows.count }) Sequenzfluss/-flüsse und "
            + "\(collaboration.messageFlows.count) Nachrichtenfluss/-flüsse, von links nach rechts gelesen. "
            + "Die Tabelle nennt jeden Fluss mit Quelle, Ziel und Bedingung."
        let names = self.names
        var rows: [[String]] = []
        for pool in collaboration.pools {
            for flow in pool.flows {
                rows.append([
                    names[flow.from] ?? flow.from, names[flow.to] ?? flow.to,
                    flow.isDefault ? "Sequenzfluss (Standard)" : "Sequenzfluss", flow.name ?? "",
                ])
            }
        }
        for message in collaboration.messageFlows {
            rows.append([names[message.from] ?? "", names[message.to] ?? "", "Nachrichtenfluss", message.name ?? ""])
        }
        let width = layout.width + BPMNLayout.Geometry.laneX + 20 - 80
        return Drawing(
            kind: .prozess, title: title, description: description,
            svg: canvas.svg(
                width: width, height: bottom + 20 - 40, originX: 80, originY: 40, title: title, description: description
            ),
            tableHeader: ["Von", "Nach", "Art", "Bedingung / Nachricht"], tableRows: rows)
    }

    // MARK: Pools and lanes

    mutating func drawPools() {
        let layout = document.layout
        for (index, pool) in document.collaboration.pools.enumerated() {
            let box = layout.pools[index]
            canvas.rect(box.x, box.y, box.width, box.height, fill: "#ffffff")
            canvas.rect(box.x, box.y, 30, box.height, fill: Ink.band)
            nameInBand(pool.name, x: box.x + 15, top: box.y, height: box.height)
            guard pool.hasLanes, !pool.akteure.isEmpty else { continue }
            let titles = Dictionary(uniqueKeysWithValues: pool.akteure.map { ($0.id, $0.title) })
            for band in layout.bands where band.pool == index {
                guard let lane = band.laneID else { continue }
                let x = BPMNLayout.Geometry.laneX
                canvas.rect(x, band.top, layout.width, band.height, fill: "none", strokeWidth: 1)
                canvas.rect(x, band.top, 30, band.height, fill: "#f7f9fb", strokeWidth: 1)
                nameInBand(titles[lane] ?? lane, x: x + 15, top: band.top, height: band.height)
            }
        }
    }

    /// A pool's or lane's name, turned to read upwards in its 30 px band, wrapped to the band's height.
    mutating func nameInBand(_ name: String, x: Int, top: Int, height: Int) {
        let lines = SVGCanvas.wrap(name, width: max(40, height - 30), size: 11, maxLines: 2)
        let y = top + height / 2
        for (index, line) in lines.enumerated() {
            let offset = lines.count == 1 ? 4 : (index == 0 ? -2 : 10)
            canvas.text(x + offset, y, line, size: 11, bold: true, rotated: true)
        }
    }

    // MARK: Shapes

    mutating func drawNode(_ node: BPMNCollaboration.Node, _ box: BPMNLayout.Box) {
        let (cx, cy) = (box.x + box.width / 2, box.y + box.height / 2)
        switch node.element {
        case "startEvent", "endEvent", "intermediateThrowEvent", "intermediateCatchEvent":
            let end = node.element == "endEvent"
            canvas.circle(cx, cy, box.width / 2, strokeWidth: end ? 4 : 1.5)
            if node.element.hasPrefix("intermediate") { canvas.circle(cx, cy, box.width / 2 - 3) }
            switch node.definition {
            case .message?: envelope(cx, cy, filled: end || node.element == "intermediateThrowEvent")
            case .timer?: clock(cx, cy)
            case nil: break
            }
            canvas.wrapped(cx, box.y + box.height + 14, node.name, width: 110, size: 11, maxLines: 3)
        case "exclusiveGateway", "parallelGateway":
            canvas.polyline(
                [(cx, box.y), (box.x + box.width, cy), (cx, box.y + box.height), (box.x, cy)], closed: true)
            if node.element == "exclusiveGateway" {
                canvas.polyline([(cx - 9, cy - 9), (cx + 9, cy + 9)], strokeWidth: 3)
                canvas.polyline([(cx - 9, cy + 9), (cx + 9, cy - 9)], strokeWidth: 3)
            } else {
                canvas.polyline([(cx, cy - 12), (cx, cy + 12)], strokeWidth: 3)
                canvas.polyline([(cx - 12, cy), (cx + 12, cy)], strokeWidth: 3)
            }
            // A gateway's question stands above it, clear of the flows leaving right and below.
            let lines = SVGCanvas.wrap(node.name, width: 120, size: 11, maxLines: 2)
            for (index, line) in lines.enumerated() {
                canvas.text(cx, box.y - 8 - (lines.count - 1 - index) * 14, line, size: 11)
            }
        default:
            canvas.rect(box.x, box.y, box.width, box.height, radius: 10)
            taskMarker(node.element, box)
            // A long word („Vollständigkeit“) gets a smaller size rather than a break inside it.
            let longest = node.name.split(whereSeparator: \.isWhitespace).map(\.count).max() ?? 0
            let size = longest > SVGCanvas.charactersPerLine(width: box.width - 12, size: 11) ? 10 : 11
            let lines = SVGCanvas.wrap(node.name, width: box.width - 12, size: size, maxLines: 4)
            let top = cy - (lines.count * (size + 3)) / 2 + size
            for (index, line) in lines.enumerated() { canvas.text(cx, top + index * (size + 3), line, size: size) }
        }
    }

    /// The small sign in a task's corner that tells its type, as BPMN tools draw it.
    mutating func taskMarker(_ element: String, _ box: BPMNLayout.Box) {
        let (x, y) = (box.x + 12, box.y + 12)
        switch element {
        case "userTask":
            canvas.circle(x, y - 2, 4, strokeWidth: 1)
            canvas.raw(
                "<path d=\"M\(x - 7),\(y + 9) Q\(x),\(y) \(x + 7),\(y + 9)\" fill=\"none\" stroke=\"\(Ink.line)\" "
                    + "stroke-width=\"1\"/>")
        case "serviceTask":
            canvas.circle(x, y, 6, strokeWidth: 2)
            canvas.circle(x, y, 2, fill: Ink.line, strokeWidth: 1)
        case "manualTask":
            canvas.text(x, y + 4, "✋", size: 11)
        case "sendTask": envelope(x + 2, y, filled: true)
        case "receiveTask": envelope(x + 2, y, filled: false)
        case "subProcess":
            let (cx, bottom) = (box.x + box.width / 2, box.y + box.height)
            canvas.rect(cx - 7, bottom - 16, 14, 14, strokeWidth: 1)
            canvas.polyline([(cx - 4, bottom - 9), (cx + 4, bottom - 9)], strokeWidth: 1)
            canvas.polyline([(cx, bottom - 13), (cx, bottom - 5)], strokeWidth: 1)
        default: break
        }
    }

    mutating func envelope(_ cx: Int, _ cy: Int, filled: Bool) {
        canvas.rect(cx - 9, cy - 6, 18, 12, fill: filled ? Ink.line : "#ffffff", strokeWidth: 1)
        canvas.polyline(
            [(cx - 9, cy - 6), (cx, cy + 1), (cx + 9, cy - 6)], stroke: filled ? "#ffffff" : Ink.line, strokeWidth: 1)
    }

    mutating func clock(_ cx: Int, _ cy: Int) {
        canvas.circle(cx, cy, 10, strokeWidth: 1)
        canvas.polyline([(cx, cy - 7), (cx, cy), (cx + 5, cy + 3)], strokeWidth: 1)
    }

    mutating func drawDocument(_ box: BPMNLayout.Box, name: String) {
        let (x, y, w, h) = (box.x, box.y, box.width, box.height)
        canvas.polyline(
            [(x, y), (x + w - 10, y), (x + w, y + 10), (x + w, y + h), (x, y + h)], strokeWidth: 1, fill: "#ffffff",
            closed: true)
        canvas.polyline([(x + w - 10, y), (x + w - 10, y + 10), (x + w, y + 10)], strokeWidth: 1)
        canvas.wrapped(x + w / 2, y + h + 12, name, width: 90, size: 10, maxLines: 2, fill: Ink.muted)
    }

    // MARK: Flow decorations

    /// The slash across a default flow near its start.
    mutating func defaultSlash(_ from: BPMNLayout.Point, _ to: BPMNLayout.Point) {
        let horizontal = from.y == to.y
        let (x, y) =
            horizontal ? (from.x + (to.x > from.x ? 10 : -10), from.y) : (from.x, from.y + (to.y > from.y ? 10 : -10))
        canvas.polyline([(x - 5, y + 5), (x + 5, y - 5)], strokeWidth: 1.5)
    }

    /// A flow's name beside its first long stretch.
    mutating func label(_ name: String, along points: [BPMNLayout.Point]) {
        guard let first = points.first else { return }
        var best = (first, first, 0)
        for (a, b) in zip(points, points.dropFirst()) {
            let length = abs(a.x - b.x) + abs(a.y - b.y)
            if length > best.2 { best = (a, b, length) }
            if length >= 60 { break }
        }
        let (a, b) = (best.0, best.1)
        let (mx, my) = ((a.x + b.x) / 2, (a.y + b.y) / 2)
        if a.y == b.y {
            let lines = SVGCanvas.wrap(name, width: max(80, abs(a.x - b.x) - 10), size: 10, maxLines: 2)
            for (index, line) in lines.enumerated() {
                canvas.text(mx, my - 5 - (lines.count - 1 - index) * 12, line, size: 10, fill: Ink.muted)
            }
        } else {
            canvas.wrapped(mx + 5, my, name, width: 90, size: 10, maxLines: 2, anchor: .start, fill: Ink.muted)
        }
    }
}
