import Foundation
import Testing

/// The exported processes in a real BPMN engine (SpiffWorkflow, scripts/bpmn-engine-check.py): parsed
/// with all references resolved, and run through every flow of every exclusive gateway to an end event.
@Suite("BPMN in einer echten Prozess-Engine")
struct BPMNEngineTests {
    static let golden = BPMNSchema.packageRoot.appendingPathComponent("Tests/OZGSyncTests/Golden")

    /// Runs the engine check on `files`: (exit status, output).
    static func check(_ files: [String]) throws -> (Int32, String) {
        let spiff =
            ProcessInfo.processInfo.environment["OZG_SPIFF_DIR"]
            ?? BPMNSchema.packageRoot.appendingPathComponent(".build/spiffworkflow").path
        try fetchUnlessPresent(spiff + "/SpiffWorkflow", script: "fetch-spiffworkflow.sh")
        let script = BPMNSchema.packageRoot.appendingPathComponent("scripts/bpmn-engine-check.py").path
        let (status, output) = try runTool("/usr/bin/python3", [script, spiff] + files, includingErrors: true)
        return (status, output)
    }

    @Test("Jede Referenzdatei wird geparst und erreicht auf jedem Weg durch die Gateways ein Endereignis")
    func goldenProcessesRunToTheEnd() throws {
        let files = ["prozess-linear.bpmn", "prozess-parallel.bpmn", "prozess-xor.bpmn"].map {
            Self.golden.appendingPathComponent($0).path
        }
        let (status, output) = try Self.check(files)
        #expect(status == 0, "\(output)")
        // Per pool's process one default run plus one run per outgoing flow of each XOR gateway: linear 1 + 1,
        // parallel 1, xor 1 + 2 (authority) and 1 + 2 (Antragsteller/in, the gateway the projection added).
        #expect(output.components(separatedBy: "\n").filter { $0.hasPrefix("ok ") }.count == 9, "\(output)")
        #expect(output.contains("Process_00000000-0000-4000-8000-000002000102"), "Pool der Antragstellerin fehlt")
    }

    @Test("Die Prüfung kann scheitern: eine Schleife ohne Ausgang und ein Fluss ins Leere")
    func brokenProcessesAreCaught() throws {
        let directory = TemporaryDirectory()
        let xor = try String(contentsOf: Self.golden.appendingPathComponent("prozess-xor.bpmn"), encoding: .utf8)
        // Both branches of the gateway lead back: the end can no longer be reached.
        let gateway = "sourceRef=\"Element_00000000-0000-4000-8000-000002000203\""
        let loop = xor.replacingOccurrences(
            of: "\(gateway) targetRef=\"Element_00000000-0000-4000-8000-000002000206\"",
            with: "\(gateway) targetRef=\"Element_00000000-0000-4000-8000-000002000202\"")
        #expect(loop != xor)
        let dangling = xor.replacingOccurrences(
            of: "targetRef=\"Element_00000000-0000-4000-8000-000002000207\"", with: "targetRef=\"Element_fehlt\"")
        #expect(dangling != xor)
        for (name, text, expected) in [("schleife", loop, "NOT FINISHED"), ("verweis", dangling, "UNGUELTIG")] {
            let file = directory.path("\(name).bpmn")
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let (status, output) = try Self.check([file])
            #expect(status == 1, "\(name): \(output)")
            #expect(output.contains(expected), "\(name): \(output)")
        }
    }
}
