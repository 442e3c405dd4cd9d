import OZGReplication

/// A picture of lab content as SVG: the Nutzerreise with its emotion curve and pain points, Befunde
/// by Schweregrad, a Referenzprozess as a BPMN diagram (docs/EXPORTS.md „Bilder“).
///
/// One renderer serves the web view (inline in the page) and the files the shell exports. Every
/// value from the lab is escaped; the SVG uses presentation attributes only (no `style`, no script),
/// so it passes a `Content-Security-Policy` without `unsafe-inline`. Each drawing carries a title,
/// a description and the same content as a table for readers who cannot see it.
///
/// ```swift
/// let drawing = Drawings.journey(journey, in: lab)
/// try drawing.standalone.write(to: url, atomically: true, encoding: .utf8)
/// ```
public struct Drawing: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case nutzerreise, prozess, befunde
    }

    public let kind: Kind
    public let title: String
    /// One or two sentences of what the picture shows, for screen readers and the caption.
    public let description: String
    /// The `<svg>` element, ready to be embedded in HTML.
    public let svg: String
    /// The table alternative: its header and rows hold what the picture shows.
    public let tableHeader: [String]
    public let tableRows: [[String]]

    /// The drawing as a file of its own (opens in browsers, LibreOffice Draw and Inkscape).
    public var standalone: String { "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg }
}

/// The pictures of lab content (docs/EXPORTS.md „Bilder“): one function per kind of drawing.
///
/// ```swift
/// for journey in lab.records("nutzerreise") { page.append(Drawings.journey(journey, in: lab).svg) }
/// ```
public enum Drawings {
    /// A Nutzerreise: its steps along a line, the emotion curve above them and the pain points on top.
    public static func journey(_ journey: Record, in lab: LabSnapshot) -> Drawing {
        JourneyDrawing(journey: journey, lab: lab).drawing()
    }

    /// A Referenzprozess as a BPMN diagram, laid out as the BPMN export lays it out.
    public static func process(_ model: ProcessModel) -> Drawing {
        var drawing = ProcessDrawing(model: model)
        return drawing.drawing()
    }

    /// The Befunde of one prototype's tests as bars by Schweregrad, open ones dark; nil without Befunde.
    public static func findings(of prototype: Record, in lab: LabSnapshot) -> Drawing? {
        FindingsChart(prototype: prototype, lab: lab).drawing()
    }
}
