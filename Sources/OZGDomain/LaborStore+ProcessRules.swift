import OZGReplication
import OZGStorage

extension LaborStore {
    /// Refuses an element, flow or Akteur whose values after the change would break its process
    /// (`ProcessRules`): a flow out of an end event or into a start event, a flow to itself or to an
    /// element of another process, an element in a lane of another process.
    ///
    /// Two replicas can still each make a valid edit that together break a rule; `check` finds those
    /// (`ProcessModel.errors()`).
    func validateProcessRules(_ entity: Entity, id: String?, values: [String: DatabaseValue]) throws {
        switch entity.key {
        case "fluss": try validateFlow(values)
        case "element": try validateElement(id: id, values: values)
        case "akteur": try validateLaneMove(id: id, values: values)
        default: return
        }
    }

    private func validateFlow(_ values: [String: DatabaseValue]) throws {
        guard let processID = values["prozess_id"]?.textValue, let fromID = values["von_id"]?.textValue,
            let toID = values["nach_id"]?.textValue
        else { return }
        let processName = try record("prozess", id: processID)?.title ?? processID
        var ends: [Record] = []
        for (label, elementID) in [("von", fromID), ("nach", toID)] {
            guard let element = try record("element", id: elementID) else {
                throw DomainError.notFound(entity: "element", id: elementID)
            }
            if let other = element.text("prozess_id"), other != processID {
                let otherName = try record("prozess", id: other)?.title ?? other
                throw DomainError.processRule(
                    "Sequenzfluss in „\(processName)“: \(label) „\(element.title)“ gehört zum Prozess „\(otherName)“. "
                        + "von und nach müssen Elemente desselben Prozesses sein.")
            }
            ends.append(element)
        }
        if let rule = ProcessRules.violation(from: ends[0], to: ends[1]) {
            throw DomainError.processRule("Sequenzfluss „\(ends[0].title)“ → „\(ends[1].title)“ " + rule)
        }
    }

    private func validateElement(id: String?, values: [String: DatabaseValue]) throws {
        guard let processID = values["prozess_id"]?.textValue else { return }
        let title = values["bezeichnung"]?.textValue ?? id ?? ""
        if let laneID = values["akteur_id"]?.textValue, let lane = try record("akteur", id: laneID),
            let laneProcess = lane.text("prozess_id"), laneProcess != processID
        {
            let allowed = try records(of: try entity("akteur"), in: nil, where: ["prozess_id": .text(processID)])
            let processName = try record("prozess", id: processID)?.title ?? processID
            let otherName = try record("prozess", id: laneProcess)?.title ?? laneProcess
            throw DomainError.processRule(
                "Element „\(title)“: Akteur „\(lane.title)“ gehört zum Prozess „\(otherName)“. Erlaubt sind die "
                    + "Akteure von „\(processName)“: "
                    + (allowed.isEmpty
                        ? "noch keine; zuerst einen Akteur für diesen Prozess anlegen."
                        : allowed.map { "„\($0.title)“" }
                            .joined(separator: ", ") + "."))
        }
        // An existing element's flows must stay valid when it changes type or process.
        guard let id else { return }
        let flows =
            try records(of: try entity("fluss"), in: nil, where: ["von_id": .text(id)])
            + records(of: try entity("fluss"), in: nil, where: ["nach_id": .text(id)])
        if let flow = flows.first(where: { $0.text("prozess_id") != processID }) {
            throw DomainError.processRule(
                "Element „\(title)“ hat Sequenzflüsse im bisherigen Prozess (\(flow.id)); es kann erst in einen "
                    + "anderen Prozess wechseln, wenn sie gelöscht sind.")
        }
        let type = values["element_typ"]?.textValue
        if type == "ende", let flow = flows.first(where: { $0.text("von_id") == id }) {
            throw DomainError.processRule(
                "Element „\(title)“ kann kein Endereignis sein: Sequenzfluss \(flow.id) geht von ihm aus, und ein "
                    + "Endereignis hat keine ausgehenden Flüsse. Erst den Fluss löschen oder einen anderen Typ wählen.")
        }
        if type == "start", let flow = flows.first(where: { $0.text("nach_id") == id }) {
            throw DomainError.processRule(
                "Element „\(title)“ kann kein Startereignis sein: Sequenzfluss \(flow.id) führt zu ihm, und ein "
                    + "Startereignis hat keine eingehenden Flüsse. Erst den Fluss löschen oder einen anderen Typ wählen."
            )
        }
    }

    /// An Akteur changing process would leave its elements in a lane of another process.
    private func validateLaneMove(id: String?, values: [String: DatabaseValue]) throws {
        guard let id, let processID = values["prozess_id"]?.textValue else { return }
        let elements = try records(of: try entity("element"), in: nil, where: ["akteur_id": .text(id)])
        if let element = elements.first(where: { $0.text("prozess_id") != processID }) {
            throw DomainError.processRule(
                "Akteur „\(values["name"]?.textValue ?? id)“ kann nicht in einen anderen Prozess wechseln: "
                    + "Element „\(element.title)“ liegt in seiner Lane. Erst die Elemente einem anderen Akteur zuordnen."
            )
        }
    }
}
