import Foundation
import OZGDomain
import Testing

@Suite("ozg-shell als Skript")
struct ScriptedShellTests {
    @Test(
        "Ein ganzer Workshop per Skript: Labor, Personas, Reise mit fünf umsortierten Schritten, Prototyp, Prozess, Exporte"
    )
    func scriptedWorkshop() throws {
        let directory = ShellDirectory()
        func shell(_ commands: String) throws -> ShellProcess.Outcome {
            let outcome = try ShellProcess.run(
                ["labor.ozg", "--autor", "Moderation A"], input: commands, in: directory.url)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return outcome
        }
        let lab = try shell(
            """
            # Ein Digitalisierungslabor anlegen; add gibt nur die ID aus
            labor add id=wohngeld-mv titel="DigiLab Wohngeld M-V" themenfeld="Bauen & Wohnen" bundesland=DE-MV
            """
        ).lines
        #expect(lab == ["wohngeld-mv"])
        let personas = try shell(
            """
            persona add name="Erika Muster" kurzbeschreibung="Alleinerziehende Pflegekraft" nutzergruppe=001 ziele="Schnell fertig;Wenig Papier" ist_primaer=ja
            persona add name="Herr Yilmaz" kurzbeschreibung="Rentner" nutzergruppe=Bürger ziele="Antrag verstehen" zitat="Er sagte: \\"Zu kompliziert\\""
            """
        ).lines
        #expect(personas.count == 2 && personas.allSatisfy { $0.count == 36 })
        let journey = try shell("nutzerreise add titel=\"Wohngeld beantragen\" persona_id=\(personas[0].prefix(6))")
            .lines[0]
        var steps: [String] = []
        for (phase, activity) in [
            ("anlass", "Hört von Wohngeld"), ("informieren", "Liest im Portal"),
            ("vorbereiten", "Sammelt Nachweise"), ("beantragen", "Stellt den Antrag"),
            ("bescheid", "Erhält den Bescheid"),
        ] {
            steps += try shell(
                "schritt add nutzerreise_id=\(journey) phase=\(phase) aktivitaet=\"\(activity)\" emotion=0"
            ).lines
        }
        #expect(steps.count == 5)
        _ = try shell(
            """
            schritt move \(steps[2].prefix(8)) after=\(steps[3].prefix(8))
            schritt move \(steps[4].prefix(8)) first
            schritt set \(steps[1].prefix(8)) emotion=-2 medienbruch=ja
            """)
        let order = try shell("schritt list").stdout
        let positions = [
            "Erhält den Bescheid", "Hört von Wohngeld", "Liest im Portal", "Stellt den Antrag", "Sammelt Nachweise",
        ]
        .map { order.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil } && positions == positions.sorted { $0! < $1! })

        let prototype = try shell("prototyp add titel=\"Klick-Dummy\" art=klick_dummy").lines[0]
        let session = try shell("testsitzung add prototyp_id=\(prototype) datum=2026-11-20").lines[0]
        _ = try shell(
            """
            befund add testsitzung_id=\(session) testperson=TP-01 beobachtung="Findet Upload nicht" schweregrad=3
            befund add testsitzung_id=\(session) testperson=TP-02 beobachtung="Findet Upload nicht" schweregrad=3
            """)
        let process = try shell("prozess add name=\"Wohngeld beantragen (SOLL)\"").lines[0]
        let lanes = try shell(
            """
            akteur add prozess_id=\(process) name="Antragsteller/in" akteurtyp=nutzer
            akteur add prozess_id=\(process) name=Wohngeldbehörde akteurtyp=behoerde
            """
        ).lines
        _ = try shell(
            """
            element add prozess_id=\(process) element_typ=start bezeichnung="Bedarf erkannt" akteur_id=\(lanes[0])
            element add prozess_id=\(process) element_typ=user_aufgabe bezeichnung="Antrag stellen" akteur_id=\(lanes[0]) handlungsgrundlagen="§ 22 WoGG"
            element add prozess_id=\(process) element_typ=aufgabe bezeichnung="Antrag prüfen" akteur_id=\(lanes[1])
            element add prozess_id=\(process) element_typ=ende bezeichnung="Bescheid erteilt" akteur_id=\(lanes[1])
            vertrauensniveau add prozess_id=\(process) adressat=001 schriftformerfordernis=nein schadensbeschreibung="Falsche Auszahlung" erforderliches_niveau=substantiell begruendung="Finanzielle Leistung" identifizierungsmittel="elster;online_ausweis" bewertet_von="Fachamt" bewertet_am=2026-11-25
            export markdown out=steckbrief.md
            export bpmn prozess=\(process.prefix(8)) out=prozess.bpmn
            export json out=labor.json
            export csv entitaet=schritt out=schritte.csv
            """)
        let markdown = try String(contentsOfFile: directory.path("steckbrief.md"), encoding: .utf8)
        #expect(markdown.hasPrefix("# Projektsteckbrief: DigiLab Wohngeld M-V"))
        #expect(markdown.contains("Findet Upload nicht | 2 von 2"))
        #expect(markdown.contains("Prüfung: stimmig"))
        let bpmn = try String(contentsOfFile: directory.path("prozess.bpmn"), encoding: .utf8)
        #expect(bpmn.contains("<bpmn:userTask") && bpmn.contains("§ 22 WoGG"))
        #expect(
            try String(contentsOfFile: directory.path("schritte.csv"), encoding: .utf8).components(separatedBy: "\r\n")
                .count == 7)
        let json = try String(contentsOfFile: directory.path("labor.json"), encoding: .utf8)
        #expect(json.contains("\"zitat\": \"Er sagte: \\\"Zu kompliziert\\\"\""))
        // The export on stdout is byte-identical to the file.
        #expect(try shell("export json").stdout == json)
        // history names the author given with --autor.
        let history = try shell("history \(steps[1].prefix(8))").stdout
        #expect(history.contains("Moderation A") && history.contains("geändert") && history.contains("Emotion"))
        #expect(
            try shell("check").stdout.contains(
                "fehlt für „keine Leistung erfasst“ (Labor-Leistungen): Umsetzungsvarianten"))
    }

    @Test("Eine Datei, die sich nicht öffnen lässt oder kein Replikat ist, wird auf Deutsch gemeldet")
    func unopenableFilesInGerman() throws {
        let directory = ShellDirectory()
        try "kein Replikat\n".write(toFile: directory.path("notiz.ozg"), atomically: true, encoding: .utf8)
        let cases = [
            (directory.path("fehlt/labor.ozg"), "das Verzeichnis „\(directory.path("fehlt"))“ gibt es nicht"),
            (directory.path("notiz.ozg"), "keine SQLite-Datenbank, also kein Replikat"),
        ]
        for (file, message) in cases {
            let outcome = try ShellProcess.run([file, "-c", "status"], in: directory.url)
            #expect(outcome.status == 1)
            #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
            #expect(
                !outcome.stderr.contains("unable") && !outcome.stderr.contains("not a database"), "\(outcome.stderr)")
        }
    }

    @Test(
        "Fehler nennen Ursache und Erlaubtes und beenden das Skript mit 1, Aufruffehler mit 2",
        arguments: [
            ("personen list", 2, "Unbekannter Befehl „personen“. Meinten Sie „persona“?"),
            (
                "persona add name=E kurzbeschreibung=k nutzergruppe=004 ziele=a", 1,
                "erlaubt: 001 (Bürgerinnen und Bürger)"
            ),
            ("persona add name=E nutzergruppe=001", 1, "Pflichtfeld fehlt für persona: kurzbeschreibung, ziele"),
            ("persona show aaaa", 1, "nicht eindeutig"),
            ("query DELETE FROM persona", 1, "„query“ liest nur"),
            ("persona add name=\"offen", 2, "Anführungszeichen nicht geschlossen"),
            ("persona lsit", 2, "Meinten Sie „list“?"),
            (
                "remote set http://127.0.0.1:9 token=olt_x labor=../etc", 2,
                "Ungültige Labor-ID „../etc“: erlaubt sind 1 bis 64 Buchstaben, Ziffern, - oder _"
            ),
        ])
    func errorPaths(command: String, status: Int32, message: String) throws {
        let directory = ShellDirectory()
        // A lab with two personas whose ids share the prefix "aaaa", loaded through the shell's import.
        let json = """
            {"entitaeten":{"persona":[
            {"id":"aaaa1111-0000-4000-8000-000000000001","kurzbeschreibung":"k","name":"A","nutzergruppe":"001","ziele":"a"},
            {"id":"aaaa2222-0000-4000-8000-000000000002","kurzbeschreibung":"k","name":"B","nutzergruppe":"001","ziele":"b"}]},
            "format":"ozg-labor-sync","labor":{"bundesland":"DE-BE","id":"lab2","phase":"vorbereitung","themenfeld":"umwelt","titel":"Lab 2"},"version":1}
            """
        try json.write(toFile: directory.path("lab2.json"), atomically: true, encoding: .utf8)
        #expect(try ShellProcess.run(["labor.ozg", "-c", "import json lab2.json"], in: directory.url).status == 0)
        let before = try ShellProcess.run(["labor.ozg", "-c", "persona list", "--format", "json"], in: directory.url)
            .stdout
        let outcome = try ShellProcess.run(
            ["labor.ozg"], input: command + "\npersona add name=Danach kurzbeschreibung=k nutzergruppe=001 ziele=a\n",
            in: directory.url)
        #expect(outcome.status == status, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stderr.hasPrefix("Fehler: "))
        // The script stopped at the error: the line after it did not run, nothing changed.
        #expect(
            try ShellProcess.run(["labor.ozg", "-c", "persona list", "--format", "json"], in: directory.url).stdout
                == before)
    }

    @Test("-c verkettet Befehle; das gewählte Labor gilt auch für spätere Aufrufe")
    func chainedCommands() throws {
        let directory = ShellDirectory()
        let first = try ShellProcess.run(
            [
                "labor.ozg", "-c", "labor add titel=Eins themenfeld=umwelt bundesland=DE-BE",
                "-c", "labor add id=zwei titel=Zwei themenfeld=bildung bundesland=DE-HH",
                "-c", "persona add name=P kurzbeschreibung=k nutzergruppe=002 ziele=z",
            ],
            in: directory.url)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lines.count == 3 && first.lines[1] == "zwei")
        let listed = try ShellProcess.run(["labor.ozg", "-c", "persona list", "--format", "csv"], in: directory.url)
        #expect(listed.stdout.contains(",P,k,002,"))
        let switched = try ShellProcess.run(
            ["labor.ozg", "-c", "labor use \(first.lines[0].prefix(8))", "-c", "persona list"],
            in: directory.url)
        #expect(switched.stdout.contains("(keine Einträge)"))
        let usage = try ShellProcess.run(["labor.ozg", "--format", "xml"], in: directory.url)
        #expect(usage.status == 2 && usage.stderr.contains("erlaubt sind für --format: tabelle, json, csv"))
    }

    @Test("Deutsche Aktionen, Feldnamen mit Umlauten und Bezeichnungen als Auswahlwerte, wie Moderatorinnen tippen")
    func germanInput() throws {
        let directory = ShellDirectory()
        func shell(_ commands: String..., status: Int32 = 0) throws -> ShellProcess.Outcome {
            let outcome = try ShellProcess.run(
                ["labor.ozg", "--autor", "Moderation"] + commands.flatMap { ["-c", $0] }, in: directory.url)
            #expect(outcome.status == status, "\(commands): \(outcome.stderr)")
            return outcome
        }
        _ = try shell(
            #"labor neu id=wohngeld titel="DigiLab Wohngeld" themenfeld="Bauen und Wohnen" bundesland=Mecklenburg-Vorpommern"#
        )
        let stored = try shell("query SELECT themenfeld, bundesland FROM labor").stdout
        #expect(stored.contains("bauen_wohnen") && stored.contains("DE-MV"), "\(stored)")
        let process = try shell(#"prozess neu name="Wohngeld bewilligen" auslöser="Antrag geht ein""#).lines[0]
        #expect(try shell("prozess zeige \(process.prefix(8))").stdout.contains("Antrag geht ein"))
        let persona = try shell(
            #"persona neu name=Erika kurzbeschreibung=Pflegekraft nutzergruppe="bürger" ziele=z"#
        ).lines[0]
        let id = String(persona.prefix(8))
        _ = try shell(#"persona ändere \#(id) name="Erika Muster""#)
        #expect(try shell("persona liste").stdout.contains("Erika Muster"))
        _ = try shell("persona lösche \(id)")
        #expect(try shell("persona liste").stdout.contains("(keine Einträge)"))
        _ = try shell("persona wiederherstellen \(id)")
        #expect(try shell("persona zeige \(id)").stdout.contains("Bürgerinnen und Bürger"))
        let check = try ShellProcess.run(["labor.ozg", "-c", "prüfe"], in: directory.url)
        #expect(check.status != 2 && !check.stderr.contains("Unbekannt"), "\(check.stderr)")
        let unknown = try shell("persona tanze", status: 2)
        #expect(unknown.stderr.contains("add (neu)") && unknown.stderr.contains("set (ändere)"), "\(unknown.stderr)")
        #expect(try shell("hilfe persona").stdout.contains("001 Bürgerinnen und Bürger"))
    }

    @Test("--version nennt die Version des Pakets, ohne eine Datei anzulegen")
    func version() throws {
        let directory = ShellDirectory()
        let outcome = try ShellProcess.run(["--version"], in: directory.url)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "ozg-shell \(ProductVersion.current)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }
}
