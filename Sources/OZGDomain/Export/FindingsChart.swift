import OZGReplication

/// The Befunde of one prototype as horizontal bars by Schweregrad (4 on top), each bar split into
/// open Befunde (dark) and those umgesetzt or verworfen (outlined), the numbers written beside.
struct FindingsChart {
    typealias Ink = SVGCanvas.Ink
    let prototype: Record
    let findings: [Record]

    init(prototype: Record, lab: LabSnapshot) {
        self.prototype = prototype
        findings = lab.children("testsitzung", of: prototype.id).flatMap { lab.children("befund", of: $0.id) }
    }

    func drawing() -> Drawing? {
        guard !findings.isEmpty else { return nil }
        var groups: [(label: String, open: Int, closed: Int)] = []
        for choice in Catalog.schweregrad.reversed() {
            let group = findings.filter { $0.text("schweregrad") == choice.key }
            groups.append(("\(choice.key) – \(choice.label)", open(group), group.count - open(group)))
        }
        let unrated = findings.filter { finding in
            !Catalog.schweregrad.contains { $0.key == finding.text("schweregrad") }
        }
        if !unrated.isEmpty { groups.append(("ohne Schweregrad", open(unrated), unrated.count - open(unrated))) }
        let most = max(1, groups.map { $0.open + $0.closed }.max() ?? 1)
        let (left, barWidth, row, top) = (230, 360, 34, 50)
        var canvas = SVGCanvas(idPrefix: "befunde-" + prototype.id)
        canvas.text(10, 26, "Befunde nach Schweregrad: \(prototype.title)", size: 14, anchor: .start, bold: true)
        for (index, group) in groups.enumerated() {
            let y = top + index * row
            canvas.text(left - 10, y + 17, group.label, size: 11, anchor: .end)
            let openWidth = group.open * barWidth / most
            let closedWidth = group.closed * barWidth / most
            if group.open > 0 {
                canvas.rect(left, y + 4, openWidth, 20, fill: Ink.bad, stroke: Ink.bad, strokeWidth: 1)
            }
            if group.closed > 0 {
                canvas.rect(
                    left + openWidth, y + 4, closedWidth, 20, fill: "#ffffff", stroke: Ink.line, strokeWidth: 1.5)
            }
            let total = group.open + group.closed
            let text = total == 0 ? "0" : "\(total) (\(group.open) offen)"
            canvas.text(left + openWidth + closedWidth + 8, y + 18, text, size: 11, anchor: .start)
        }
        let legendY = top + groups.count * row + 16
        canvas.rect(left, legendY - 10, 14, 12, fill: Ink.bad, stroke: Ink.bad, strokeWidth: 1)
        canvas.text(left + 20, legendY, "offen", size: 10, anchor: .start)
        canvas.rect(left + 80, legendY - 10, 14, 12, fill: "#ffffff", stroke: Ink.line, strokeWidth: 1.5)
        canvas.text(left + 100, legendY, "umgesetzt oder verworfen", size: 10, anchor: .start)
        canvas.polyline([(left, top), (left, top + groups.count * row)], strokeWidth: 1)
        let title = "Befunde nach Schweregrad: \(prototype.title)"
        let description =
            "\(findings.count) Befund(e) aus den Tests des Prototyps, je Schweregrad ein Balken, "
            + "offene Befunde dunkel, umgesetzte oder verworfene hell."
        return Drawing(
            kind: .befunde, title: title, description: description,
            svg: canvas.svg(width: left + barWidth + 160, height: legendY + 14, title: title, description: description),
            tableHeader: ["Schweregrad", "Befunde", "davon offen"],
            tableRows: groups.map { [$0.label, String($0.open + $0.closed), String($0.open)] })
    }

    func open(_ group: [Record]) -> Int { group.filter { ($0.text("status") ?? "offen") == "offen" }.count }
}
