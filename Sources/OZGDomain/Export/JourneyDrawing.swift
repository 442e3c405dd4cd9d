import OZGReplication

/// Steps in columns from left to right: on top the pain points of each step (its own list and the
/// Schmerzpunkte that name it), in the middle the emotion curve on the scale −2…+2, at the bottom
/// the line of steps with number, phase, activity and touchpoint.
struct JourneyDrawing {
    typealias Ink = SVGCanvas.Ink
    let journey: Record
    let steps: [Record]
    let pains: [[String]]

    enum Geometry {
        static let left = 130
        static let column = 170
        static let painTop = 50
        static let painHeight = 70
        static let curveTop = 150
        static let level = 32
        static var curveBottom: Int { curveTop + 4 * level }
        static var lineY: Int { curveBottom + 50 }
        static var height: Int { lineY + 135 }
    }

    init(journey: Record, lab: LabSnapshot) {
        self.journey = journey
        steps = lab.children("schritt", of: journey.id)
        let recorded = Dictionary(grouping: lab.records("schmerzpunkt")) { $0.text("schritt_id") ?? "" }
        pains = steps.map { step in Field.items(step["schmerzpunkte"]) + (recorded[step.id] ?? []).map(\.title) }
    }

    func x(_ index: Int) -> Int { Geometry.left + Geometry.column / 2 + index * Geometry.column }

    /// The height of an emotion on the scale: +2 at the top, −2 at the bottom.
    func y(_ emotion: Int64) -> Int { Geometry.curveTop + Int(2 - max(-2, min(2, emotion))) * Geometry.level }

    func drawing() -> Drawing {
        var canvas = SVGCanvas(idPrefix: "reise-" + journey.id)
        let width = Geometry.left + max(1, steps.count) * Geometry.column + 20
        canvas.text(10, 28, journey.titleWithState(), size: 15, anchor: .start, bold: true)
        drawPainRow(&canvas)
        drawCurve(&canvas)
        drawSteps(&canvas)
        let emotions = steps.compactMap { $0["emotion"].integerValue }
        let low = steps.enumerated().filter { $0.element["emotion"].integerValue == emotions.min() }.map {
            $0.offset + 1
        }
        let title = "Nutzerreise „\(journey.titleWithState())“"
        var description = "\(steps.count) Schritt(e) von links nach rechts mit der Emotion der Persona (−2 bis +2)"
        description += " und \(pains.reduce(0) { $0 + $1.count }) Schmerzpunkt(en) darüber."
        if let lowest = emotions.min(), !low.isEmpty, lowest < 0 {
            description += " Tiefpunkt bei Schritt \(low.map(String.init).joined(separator: ", "))."
        }
        let rows = steps.enumerated().map { index, step -> [String] in
            let emotion = step["emotion"].integerValue
            return [
                String(index + 1), step.display("phase"), step.display("aktivitaet"),
                emotion.map { "\($0 > 0 ? "+" : "")\($0) (\(Catalog.emotion[$0] ?? ""))" } ?? "–",
                pains[index].joined(separator: "; "),
            ]
        }
        return Drawing(
            kind: .nutzerreise, title: title, description: description,
            svg: canvas.svg(width: width, height: Geometry.height, title: title, description: description),
            tableHeader: ["Nr.", "Phase", "Aktivität", "Emotion", "Schmerzpunkte"], tableRows: rows)
    }

    func drawPainRow(_ canvas: inout SVGCanvas) {
        canvas.text(10, Geometry.painTop + 20, "Schmerzpunkte", size: 11, anchor: .start, bold: true)
        for (index, list) in pains.enumerated() where !list.isEmpty {
            let cx = x(index)
            let top = Geometry.painTop
            // A warning triangle with the number of pain points, then the first one in words.
            canvas.polyline(
                [(cx - 60, top + 18), (cx - 50, top), (cx - 40, top + 18)], stroke: Ink.bad, strokeWidth: 1.5,
                fill: "#fbeaea", closed: true)
            canvas.text(cx - 50, top + 15, "!", size: 11, bold: true, fill: Ink.bad)
            canvas.text(cx - 34, top + 14, "\(list.count)", size: 12, anchor: .start, bold: true, fill: Ink.bad)
            canvas.wrapped(cx, top + 34, list[0], width: Geometry.column - 16, size: 10, maxLines: 2, fill: Ink.bad)
            if list.count > 1 {
                canvas.text(cx, top + 62, "und \(list.count - 1) weitere", size: 9, fill: Ink.muted)
            }
        }
    }

    func drawCurve(_ canvas: inout SVGCanvas) {
        let right = Geometry.left + max(1, steps.count) * Geometry.column
        for level in Int64(-2)...2 {
            let label = (level > 0 ? "+" : "") + "\(level) " + (Catalog.emotion[level] ?? "")
            canvas.text(Geometry.left - 8, y(level) + 4, label, size: 10, anchor: .end, fill: Ink.muted)
            canvas.polyline(
                [(Geometry.left, y(level)), (right, y(level))], stroke: level == 0 ? Ink.muted : Ink.grid,
                strokeWidth: level == 0 ? 1 : 0.7, dash: level == 0 ? nil : "3 4")
        }
        // The curve runs through consecutive steps with an emotion; a step without one breaks it.
        var run: [(x: Int, y: Int)] = []
        for (index, step) in steps.enumerated() {
            if let emotion = step["emotion"].integerValue {
                run.append((x(index), y(emotion)))
            } else {
                if run.count > 1 { canvas.polyline(run, stroke: Ink.accent, strokeWidth: 2.5) }
                run = []
            }
        }
        if run.count > 1 { canvas.polyline(run, stroke: Ink.accent, strokeWidth: 2.5) }
        for (index, step) in steps.enumerated() {
            guard let emotion = step["emotion"].integerValue else { continue }
            let color = emotion > 0 ? Ink.good : emotion < 0 ? Ink.bad : Ink.muted
            canvas.circle(x(index), y(emotion), 7, fill: color, stroke: "#ffffff", strokeWidth: 2)
            // The number goes where the curve is not: below a low point, above everything else.
            let neighbours = [index - 1, index + 1].filter { steps.indices.contains($0) }
                .compactMap { steps[$0]["emotion"].integerValue }
            let low = !neighbours.isEmpty && neighbours.allSatisfy { $0 >= emotion }
            canvas.text(
                x(index) + 11, y(emotion) + (low ? 20 : -8), (emotion > 0 ? "+" : "") + "\(emotion)", size: 11,
                anchor: .start, bold: true, fill: color)
        }
    }

    func drawSteps(_ canvas: inout SVGCanvas) {
        let lineY = Geometry.lineY
        guard !steps.isEmpty else {
            canvas.text(Geometry.left + 10, lineY, "Noch keine Schritte.", size: 12, anchor: .start, fill: Ink.muted)
            return
        }
        canvas.polyline([(x(0), lineY), (x(steps.count - 1), lineY)], strokeWidth: 3)
        for (index, step) in steps.enumerated() {
            let cx = x(index)
            canvas.circle(cx, lineY, 13, fill: Ink.accent, stroke: "#ffffff", strokeWidth: 2)
            canvas.text(cx, lineY + 4, String(index + 1), size: 11, bold: true, fill: "#ffffff")
            let phaseLines = canvas.wrapped(
                cx, lineY + 32, step.display("phase"), width: Geometry.column - 16, size: 11, maxLines: 2, bold: true)
            let top = lineY + 34 + phaseLines * 14
            let lines = canvas.wrapped(
                cx, top, step.display("aktivitaet"), width: Geometry.column - 16, size: 11, maxLines: 3)
            var below = top + lines * 14
            if let touchpoint = step.text("touchpoint").map({ _ in step.display("touchpoint") }) {
                canvas.wrapped(
                    cx, below, touchpoint, width: Geometry.column - 16, size: 10, maxLines: 1, fill: Ink.muted)
                below += 13
            }
            if step["medienbruch"] == .integer(1) {
                canvas.text(cx, below, "Medienbruch", size: 10, bold: true, fill: Ink.bad)
            }
        }
    }
}
