import OZGReplication
import OZGStorage

/// BPMN 2.0 XML for one process as FIM modellers draw it: the lead authority's pool with a lane per
/// Akteur, a pool for each party outside it linked by message flows (`BPMNCollaboration`), the
/// elements as BPMN flow nodes, prose conditions as flow names, default flows, Fristen as timer
/// events, Dokumente as data objects, documentation plus machine-readable extension elements, and
/// BPMNDI shapes and edges laid out left to right (`BPMNLayout`; data dictionary §10, docs/EXPORTS.md).
///
/// The same visible state gives byte-identical output.
public enum BPMNExport {
    /// The namespace of our extension elements (Handlungsgrundlage, IT-System, FIM references).
    public static let extensionNamespace = "urn:ozg-labor-sync:bpmn:1"

    /// The BPMN XML of process `processID`.
    ///
    /// A process with errors (`ProcessModel.errors()`: flows out of end events, to itself or to other
    /// processes, elements in lanes of other processes) is refused with `BPMNExportError`, unless
    /// `includingErrors`: then the flows at fault are left out, so no reference dangles, and a
    /// comment at the top of the file names them.
    ///
    /// ```swift
    /// let xml = try BPMNExport.bpmn(store: store, processID: process)
    /// ```
    public static func bpmn(store: LaborStore, processID: String, includingErrors: Bool = false) throws -> String {
        try bpmn(try ProcessModel(store: store, processID: processID), includingErrors: includingErrors)
    }

    /// The BPMN of a process model read before (from a lab snapshot, as the web view does).
    public static func bpmn(_ model: ProcessModel, includingErrors: Bool = false) throws -> String {
        let errors = model.errors()
        guard errors.isEmpty else {
            guard includingErrors else {
                throw BPMNExportError.processHasErrors(process: model.process.title, errors: errors.map(\.message))
            }
            return render(model.withoutFlows(Set(errors.compactMap(\.flowID))), errors: errors)
        }
        return render(model)
    }

    static func render(_ model: ProcessModel, errors: [ProcessIssue] = []) -> String {
        BPMNDocument(model: model).render(errors: errors)
    }

    /// Says in the file itself that it was exported despite errors and what was left out.
    static func errorComment(_ errors: [ProcessIssue]) -> String {
        guard !errors.isEmpty else { return "" }
        var text = "Trotz Prozessfehlern exportiert. Sequenzflüsse mit Fehlern sind weggelassen.\n"
        for error in errors { text += "  - \(error.message)\n" }
        // "--" must not occur inside an XML comment, nor may it end in "-".
        var safe = text.replacingOccurrences(of: "--", with: "- -")
        while safe.contains("--") { safe = safe.replacingOccurrences(of: "--", with: "- -") }
        return "  <!--\n  " + safe.replacingOccurrences(of: "\n", with: "\n  ") + "-->\n"
    }

    static func quote(_ text: String) -> String { "\"\(text)\"" }

    static func shape(
        _ element: String, x: Int, y: Int, width: Int, height: Int, horizontal: Bool, markerVisible: Bool = false
    ) -> String {
        // Without isMarkerVisible, bpmn.io draws an exclusive gateway as an empty diamond.
        let flag = (horizontal ? " isHorizontal=\"true\"" : "") + (markerVisible ? " isMarkerVisible=\"true\"" : "")
        return "      <bpmndi:BPMNShape id=\"\(element)_di\" bpmnElement=\"\(element)\"\(flag)>\n"
            + "        <dc:Bounds x=\"\(x)\" y=\"\(y)\" width=\"\(width)\" height=\"\(height)\"/>\n"
            + "      </bpmndi:BPMNShape>\n"
    }
}

/// Why a process is not exported as BPMN; German, names the process and each error.
public enum BPMNExportError: Error, Sendable, Equatable, CustomStringConvertible {
    case processHasErrors(process: String, errors: [String])

    public var description: String {
        switch self {
        case .processHasErrors(let process, let errors):
            return "Prozess „\(process)“ wird nicht als BPMN exportiert, er hat \(errors.count) Fehler:\n  - "
                + errors.joined(separator: "\n  - ")
        }
    }
}
