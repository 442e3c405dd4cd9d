import Foundation
import Testing

/// Issue 12: `schritt show 3` takes the Nr. that `schritt list` shows (docs/SHELL.md, „Nr. statt ID“).
@Suite("Nr. aus der Liste statt ID bei schritt, akteur und element")
struct ListNumberTests {
    struct Lab {
        let directory = ShellDirectory()

        func shell(_ commands: String...) throws -> ShellProcess.Outcome {
            try ShellProcess.run(["labor.ozg"] + commands.flatMap { ["-c", $0] }, in: directory.url)
        }

        /// Runs commands that must succeed and returns their output lines.
        func lines(_ commands: String...) throws -> [String] {
            let outcome = try ShellProcess.run(["labor.ozg"] + commands.flatMap { ["-c", $0] }, in: directory.url)
            #expect(outcome.status == 0, "\(commands): \(outcome.stderr)")
            return outcome.lines
        }

        /// `schritt list` (optionally filtered) as „Nr. Aktivität“, top to bottom.
        func steps(_ filter: String = "") throws -> [String] {
            try lines("schritt list \(filter)").dropFirst(2).map { line in
                let activity = ListNumberTests.activities.first { line.contains($0) } ?? line
                return "\(line.prefix { $0 != " " }) \(activity)"
            }
        }
    }

    static let activities = ["Hört von Wohngeld", "Liest im Portal", "Sammelt Nachweise", "Stellt den Antrag"]

    /// A lab with one journey of four steps; returns the lab and the journey's id.
    func oneJourney() throws -> (Lab, String) {
        let lab = Lab()
        let persona = try lab.lines(
            "labor add id=lab titel=Lab themenfeld=bauen_wohnen bundesland=DE-MV",
            "persona add name=Erika kurzbeschreibung=Pflegekraft nutzergruppe=001 ziele=Schnell")[1]
        let journey = try lab.lines("nutzerreise add titel=\"Wohngeld beantragen\" persona_id=\(persona)")[0]
        for activity in Self.activities {
            _ = try lab.lines("schritt add nutzerreise_id=\(journey) phase=anlass aktivitaet=\"\(activity)\"")
        }
        return (lab, journey)
    }

    @Test("show, set, delete und move nehmen die Nr. aus „schritt list“, auch in before= und after=")
    func numbersOfOneJourney() throws {
        let (lab, _) = try oneJourney()
        let shown = try lab.lines("schritt show 3").joined(separator: "\n")
        #expect(shown.contains("Sammelt Nachweise") && !shown.contains("Liest im Portal"), "\(shown)")

        _ = try lab.lines("schritt set 2 gedanken=\"Zu viele Seiten\"")
        #expect(try lab.lines("schritt show 2").joined().contains("Zu viele Seiten"))

        _ = try lab.lines("schritt move 4 first")
        _ = try lab.lines("schritt move 4 before=2")
        #expect(
            try lab.steps() == [
                "1 Stellt den Antrag", "2 Sammelt Nachweise", "3 Hört von Wohngeld", "4 Liest im Portal",
            ])

        // A filtered list keeps each entry's Nr. in its journey, so the number typed next means the same.
        _ = try lab.lines("schritt set 3 phase=x")
        #expect(try lab.steps("phase=x") == ["3 Hört von Wohngeld"])
        _ = try lab.lines("schritt delete 3")
        #expect(try lab.steps() == ["1 Stellt den Antrag", "2 Sammelt Nachweise", "3 Liest im Portal"])
    }

    @Test("Bei zwei Nutzerreisen ist eine Zahl allein mehrdeutig; nutzerreise=<id> wählt die Reise")
    func twoJourneysNeedTheJourney() throws {
        let (lab, first) = try oneJourney()
        let persona = try lab.lines("nutzerreise show \(first)").first { $0.hasPrefix("Persona") }!
            .split(separator: " ").dropFirst().first { !$0.isEmpty }!
        let second = try lab.lines("nutzerreise add titel=\"Umzug melden\" persona_id=\(persona)")[0]
        _ = try lab.lines(
            "schritt add nutzerreise_id=\(second) phase=anlass aktivitaet=\"Zieht um\"",
            "schritt add nutzerreise_id=\(second) phase=anlass aktivitaet=\"Meldet sich an\"")
        let before = try lab.steps()

        let ambiguous = try lab.shell("schritt delete 2")
        #expect(ambiguous.status == 1)
        for part in [
            "Nr. 2 ist nicht eindeutig", "schritt delete 2 nutzerreise=", "nutzerreise=\(first.prefix(8))",
            "Wohngeld beantragen: Nr. 1–4", "nutzerreise=\(second.prefix(8))", "Umzug melden: Nr. 1–2",
        ] {
            #expect(ambiguous.stderr.contains(part), "\(part): \(ambiguous.stderr)")
        }
        #expect(try lab.steps() == before)

        let chosen = try lab.lines("schritt show 2 nutzerreise=\(second.prefix(6))").joined(separator: "\n")
        #expect(chosen.contains("Meldet sich an"), "\(chosen)")
        _ = try lab.lines("schritt set 1 nutzerreise=\(second.prefix(6)) gedanken=Kisten")
        #expect(try lab.lines("schritt show 1 nutzerreise=\(second)").joined().contains("Kisten"))

        let outOfRange = try lab.shell("schritt show 3 nutzerreise=\(second.prefix(6))")
        #expect(outOfRange.status == 1)
        #expect(
            outOfRange.stderr.contains("Keine Nr. 3 in nutzerreise „Umzug melden“")
                && outOfRange.stderr.contains("Nr. 1–2"), "\(outOfRange.stderr)")

        // A Nr. beyond every list is refused with the lists, never taken as an id prefix.
        let missing = try lab.shell("schritt show 7")
        #expect(missing.status == 1)
        for part in ["Keine Nr. 7 in schritt", "Wohngeld beantragen: Nr. 1–4", "Umzug melden: Nr. 1–2"] {
            #expect(missing.stderr.contains(part), "\(part): \(missing.stderr)")
        }
    }

    @Test("akteur und element zählen je Prozess; prozess=<id> nennt ihn")
    func processEntriesCountPerProcess() throws {
        let lab = Lab()
        let process = try lab.lines(
            "labor add id=lab titel=Lab themenfeld=umwelt bundesland=DE-BE", "prozess add name=Antrag")[1]
        let lanes = try lab.lines(
            "akteur add prozess_id=\(process) name=Antragsteller akteurtyp=nutzer",
            "akteur add prozess_id=\(process) name=Behörde akteurtyp=behoerde")
        _ = try lab.lines(
            "element add prozess_id=\(process) element_typ=start bezeichnung=Eingang akteur_id=\(lanes[0])",
            "element add prozess_id=\(process) element_typ=aufgabe bezeichnung=Prüfen akteur_id=\(lanes[1])",
            "element add prozess_id=\(process) element_typ=ende bezeichnung=Erledigt akteur_id=\(lanes[1])")
        #expect(try lab.lines("akteur show 2").joined().contains("Behörde"))
        #expect(try lab.lines("akteur show 1 prozess=\(process.prefix(6))").joined().contains("Antragsteller"))
        _ = try lab.lines("element move 3 after=1")
        let elements = try lab.lines("element list").dropFirst(2).map { line in
            "\(line.prefix { $0 != " " }) " + (["Eingang", "Prüfen", "Erledigt"].first { line.contains($0) } ?? line)
        }
        #expect(elements == ["1 Eingang", "2 Erledigt", "3 Prüfen"])
        let wrongParent = try lab.shell("element show 1 nutzerreise=\(process)")
        #expect(wrongParent.status == 2 && wrongParent.stderr.contains("prozess=<id>"), "\(wrongParent.stderr)")
    }

    @Test("Eine Zahl bis 999 ist die Nr., eine längere Ziffernfolge ein ID-Anfang; eine ganze ID gilt immer")
    func digitIDsStayIDs() throws {
        let lab = Lab()
        // Imported ids are kept: one all digits (to the eighth character), one starting with „2“.
        let json = """
            {"entitaeten":{
            "persona":[{"id":"p1","kurzbeschreibung":"k","name":"Erika","nutzergruppe":"001","ziele":"a"}],
            "nutzerreise":[{"id":"r1","persona_id":"p1","titel":"Reise","zustand":"ist"}],
            "schritt":[
            {"id":"31504412-aaaa-4aaa-8aaa-aaaaaaaaaaaa","nutzerreise_id":"r1","phase":"p","aktivitaet":"Erster Schritt"},
            {"id":"cccccccc-cccc-4ccc-8ccc-cccccccccccc","nutzerreise_id":"r1","phase":"p","aktivitaet":"Zweiter Schritt"},
            {"id":"2ddddddd-dddd-4ddd-8ddd-dddddddddddd","nutzerreise_id":"r1","phase":"p","aktivitaet":"Dritter Schritt"}]},
            "format":"ozg-labor-sync","labor":{"bundesland":"DE-BE","id":"lab","phase":"vorbereitung","themenfeld":"umwelt","titel":"Lab"},"version":1}
            """
        try json.write(toFile: lab.directory.path("lab.json"), atomically: true, encoding: .utf8)
        _ = try lab.lines("import json lab.json")
        for (input, activity) in [
            ("31504412", "Erster Schritt"), ("3150", "Erster Schritt"), ("2", "Zweiter Schritt"),
            ("2ddd", "Dritter Schritt"), ("3", "Dritter Schritt"), ("2ddddddd-dddd-4ddd-8ddd-dddddddddddd", "Dritter"),
        ] {
            let shown = try lab.lines("schritt show \(input)").joined(separator: "\n")
            #expect(shown.contains(activity), "\(input): \(shown)")
        }
        // „4“ is a Nr. even though no list has it (and an id might start with 4): refused, not guessed.
        let four = try lab.shell("schritt delete 4")
        #expect(four.status == 1)
        #expect(four.stderr.contains("Keine Nr. 4 in nutzerreise „Reise“ (r1): erlaubt ist Nr. 1–3."), "\(four.stderr)")
        for input in ["0", "02", "1000"] {
            let outcome = try lab.shell("schritt show \(input)")
            #expect(outcome.status == 1)
            #expect(
                outcome.stderr.contains("Kein Eintrag „\(input)“ in schritt gefunden: weder eine Nr.")
                    && outcome.stderr.contains("Reise: Nr. 1–3"), "\(input): \(outcome.stderr)")
        }
    }
}
