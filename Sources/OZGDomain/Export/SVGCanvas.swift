/// Builds the elements of one SVG drawing: shapes, lines and wrapped text, every text escaped.
struct SVGCanvas {
    /// Colours with at least 4.5:1 contrast against white (text) or 3:1 (shapes), readable in grey.
    enum Ink {
        static let text = "#1a1a1a"
        static let line = "#333333"
        static let muted = "#595959"
        static let grid = "#b0b0b0"
        static let band = "#eef2f7"
        static let good = "#1b6e36"
        static let bad = "#a8200d"
        static let accent = "#0b4f9c"
    }

    static let font = "DejaVu Sans, Verdana, sans-serif"

    /// Prefix of every id in the drawing, so several drawings inline in one page do not collide.
    let idPrefix: String
    private(set) var body = ""

    init(idPrefix: String) { self.idPrefix = XMLText.id("svg", idPrefix) }

    func id(_ name: String) -> String { idPrefix + "-" + name }

    mutating func raw(_ element: String) { body += element + "\n" }

    mutating func rect(
        _ x: Int, _ y: Int, _ width: Int, _ height: Int, radius: Int = 0, fill: String = "#ffffff",
        stroke: String = Ink.line, strokeWidth: Double = 1.5, dash: String? = nil
    ) {
        var element = "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(max(0, width))\" height=\"\(max(0, height))\""
        if radius > 0 { element += " rx=\"\(radius)\"" }
        element += " fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(strokeWidth)\""
        if let dash { element += " stroke-dasharray=\"\(dash)\"" }
        raw(element + "/>")
    }

    mutating func circle(
        _ cx: Int, _ cy: Int, _ r: Int, fill: String = "#ffffff", stroke: String = Ink.line, strokeWidth: Double = 1.5
    ) {
        raw(
            "<circle cx=\"\(cx)\" cy=\"\(cy)\" r=\"\(r)\" fill=\"\(fill)\" stroke=\"\(stroke)\" "
                + "stroke-width=\"\(strokeWidth)\"/>")
    }

    /// An open or closed line through `points`; markers are ids made with `id(_:)`.
    mutating func polyline(
        _ points: [(x: Int, y: Int)], stroke: String = Ink.line, strokeWidth: Double = 1.5, dash: String? = nil,
        fill: String = "none", closed: Bool = false, markerStart: String? = nil, markerEnd: String? = nil
    ) {
        guard !points.isEmpty else { return }
        let list = points.map { "\($0.x),\($0.y)" }.joined(separator: " ")
        var element =
            "<\(closed ? "polygon" : "polyline") points=\"\(list)\" fill=\"\(fill)\" stroke=\"\(stroke)\" "
            + "stroke-width=\"\(strokeWidth)\" stroke-linejoin=\"round\""
        if let dash { element += " stroke-dasharray=\"\(dash)\"" }
        if let markerStart { element += " marker-start=\"url(#\(id(markerStart)))\"" }
        if let markerEnd { element += " marker-end=\"url(#\(id(markerEnd)))\"" }
        raw(element + "/>")
    }

    enum Anchor: String { case start, middle, end }

    /// One line of text; `rotated` turns it by -90° around its position (names in a pool's band).
    mutating func text(
        _ x: Int, _ y: Int, _ string: String, size: Int = 12, anchor: Anchor = .middle, bold: Bool = false,
        fill: String = Ink.text, rotated: Bool = false
    ) {
        var element =
            "<text x=\"\(x)\" y=\"\(y)\" font-family=\"\(Self.font)\" font-size=\"\(size)\" "
            + "text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\""
        if bold { element += " font-weight=\"bold\"" }
        if rotated { element += " transform=\"rotate(-90 \(x) \(y))\"" }
        raw(element + ">\(XMLText.escape(string))</text>")
    }

    /// Text wrapped to `width` pixels, centred around `x`, the first line's baseline at `y`, at most
    /// `maxLines` lines (the last cut with „…“). Returns the number of lines drawn.
    @discardableResult
    mutating func wrapped(
        _ x: Int, _ y: Int, _ string: String, width: Int, size: Int = 12, maxLines: Int = 3,
        anchor: Anchor = .middle, bold: Bool = false, fill: String = Ink.text
    ) -> Int {
        let lines = Self.wrap(string, width: width, size: size, maxLines: maxLines)
        for (index, line) in lines.enumerated() {
            text(x, y + index * (size + 3), line, size: size, anchor: anchor, bold: bold, fill: fill)
        }
        return lines.count
    }

    static func charactersPerLine(width: Int, size: Int) -> Int { max(4, Int(Double(width) / (Double(size) * 0.55))) }

    /// Lines of at most `width` pixels, estimating a character at 0.55 em (DejaVu Sans averages
    /// about that for German text); words longer than a line are cut.
    static func wrap(_ string: String, width: Int, size: Int, maxLines: Int) -> [String] {
        let perLine = charactersPerLine(width: width, size: size)
        var lines: [String] = []
        var current = ""
        for word in string.split(whereSeparator: \.isWhitespace).map(String.init) {
            var word = word
            while word.count > perLine {
                if !current.isEmpty {
                    lines.append(current)
                    current = ""
                }
                lines.append(String(word.prefix(perLine - 1)) + "-")
                word = String(word.dropFirst(perLine - 1))
            }
            if current.isEmpty {
                current = word
            } else if current.count + 1 + word.count <= perLine {
                current += " " + word
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty { lines.append(current) }
        guard lines.count > maxLines, maxLines > 0 else { return lines }
        var kept = Array(lines.prefix(maxLines))
        kept[maxLines - 1] = String(kept[maxLines - 1].prefix(perLine - 1)) + "…"
        return kept
    }

    /// An arrowhead (`filled`: sequence flows; open: message flows and associations) and the
    /// open circle a message flow starts with.
    mutating func defineMarkers() {
        raw("<defs>")
        raw(
            "<marker id=\"\(id("pfeil"))\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
                + "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"\(Ink.line)\"/></marker>")
        raw(
            "<marker id=\"\(id("pfeil-offen"))\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
                + "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#ffffff\" "
                + "stroke=\"\(Ink.line)\" stroke-width=\"1\"/></marker>")
        raw(
            "<marker id=\"\(id("kreis"))\" viewBox=\"0 0 10 10\" refX=\"5\" refY=\"5\" markerWidth=\"7\" "
                + "markerHeight=\"7\"><circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"#ffffff\" stroke=\"\(Ink.line)\" "
                + "stroke-width=\"1\"/></marker>")
        raw("</defs>")
    }

    /// The finished `<svg>` element: title and description first (read by screen readers), a
    /// white background so the picture reads the same on any page.
    func svg(width: Int, height: Int, originX: Int = 0, originY: Int = 0, title: String, description: String)
        -> String
    {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"\(originX) \(originY) \(width) \(height)\" role=\"img\" "
            + "aria-labelledby=\"\(id("titel")) \(id("beschreibung"))\">\n"
            + "<title id=\"\(id("titel"))\">\(XMLText.escape(title))</title>\n"
            + "<desc id=\"\(id("beschreibung"))\">\(XMLText.escape(description))</desc>\n"
            + "<rect x=\"\(originX)\" y=\"\(originY)\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
            + body + "</svg>\n"
    }
}
