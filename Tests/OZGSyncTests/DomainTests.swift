import Foundation
import Testing

@testable import OZGDomain
@testable import OZGReplication
@testable import OZGStorage

@Suite("Domänenmodell")
struct DomainTests {
    func lab(_ directory: TemporaryDirectory) throws -> (LaborStore, String) {
        let store = try LaborStore(path: directory.path("a.ozg"))
        let labor = try store.add("labor", fields: ["titel": "Lab", "themenfeld": "umwelt", "bundesland": "DE-BE"])
        return (store, labor)
    }

    @Test(
        "Für jeden Feldtyp wird ein falscher Wert mit Feld, Wert und erlaubten Werten abgelehnt",
        arguments: [
            ("labor", "themenfeld", "Wohnen", "erlaubt: arbeit_ruhestand (Arbeit & Ruhestand)"),
            ("labor", "bundesland", "MV", "DE-MV (Mecklenburg-Vorpommern)"),
            ("labor_leistung", "reifegrad_ist", "5", "ganze Zahl von 0 bis 4"),
            ("labor_leistung", "reifegrad_ziel", "drei", "ganze Zahl von 0 bis 4"),
            ("labor_leistung", "kategorie", "hoch", "labor_kandidat (Labor-Kandidaten)"),
            ("ozg_leistung", "nachnutzungsmodell", "EfX", "efa (Einer für Alle)"),
            ("verwaltungsleistung", "weitere_schluessel", "99001003000000;7700", "genau 14 Ziffern"),
            ("testperson", "einverstaendnis", "vielleicht", "ja oder nein"),
            ("fim_artefakt", "detaillierungsstufe", "106", "von 101 bis 105"),
            ("komponente", "status", "alt", "vorhanden, anzupassen, neu"),
            ("machbarkeit", "dimension", "politisch", "rechtlich"),
            ("labor", "beginn", "2026-02-30", "JJJJ-MM-TT"),
            ("verwaltungsleistung", "leika_schluessel", "9900100300000", "genau 14 Ziffern"),
            ("persona", "kurzbeschreibung", String(repeating: "x", count: 121), "höchstens 120 Zeichen"),
            ("persona", "ist_primaer", "vielleicht", "ja oder nein"),
            ("schritt", "emotion", "3", "von -2 bis 2"),
            ("vertrauensniveau", "identifizierungsmittel", "fax", "elster (ELSTER-Zertifikat)"),
            ("vertrauensniveau", "erforderliches_niveau", "mittel", "substanziell"),
            ("vertrauensniveau", "bewertet_am", "28.11.2026", "JJJJ-MM-TT"),
            ("nutzerreise", "zustand", "vielleicht", "ist (IST), soll (SOLL)"),
            ("schritt", "touchpoint", "Fax", "website (Website/Portal)"),
            ("anforderung", "prioritaet", "hoch", "muss (Muss), soll (Soll), kann (Kann)"),
            ("anforderung", "rechtsaenderung_noetig", "eventuell", "ja oder nein"),
            ("prototyp", "iteration", "0", "von 1 bis 99"),
            ("testsitzung", "datum", "2026-13-01", "JJJJ-MM-TT"),
            ("befund", "schweregrad", "5", "4 (Usability-Katastrophe)"),
            ("befund", "testperson", String(repeating: "T", count: 21), "höchstens 20 Zeichen"),
            ("prozess", "zustand", "plan", "ist (IST)"),
            ("akteur", "akteurtyp", "mensch", "behoerde (Behörde)"),
            ("element", "element_typ", "gateway", "xor (Exklusives Gateway)"),
            ("element", "once_only", "vielleicht", "ja oder nein"),
        ])
    func invalidValues(entity: String, field: String, value: String, allowed: String) throws {
        let directory = TemporaryDirectory()
        let (store, labor) = try lab(directory)
        let before = try store.replica.canonicalDump()
        do {
            if entity == "labor" {
                try store.set("labor", id: labor, fields: [field: value])
            } else {
                try store.add(entity, laborID: labor, fields: [field: value])
            }
            Issue.record("angenommen: \(entity).\(field) = \(value)")
        } catch let error as DomainError {
            #expect(error.description.contains("\(entity).\(field)"), "\(error)")
            #expect(error.description.contains(value), "\(error)")
            #expect(error.description.contains(allowed), "\(error)")
        }
        #expect(try store.replica.canonicalDump() == before)
    }

    @Test("Pflichtfelder, unbekannte Felder, Entitäten und Verweise werden klar abgelehnt")
    func structuralErrors() throws {
        let directory = TemporaryDirectory()
        let (store, labor) = try lab(directory)
        #expect(
            throws: DomainError.missingRequired(
                entity: "persona", fields: ["kurzbeschreibung", "nutzergruppe", "ziele"])
        ) {
            try store.add("persona", laborID: labor, fields: ["name": "Erika"])
        }
        #expect(throws: DomainError.self) { try store.add("personas", laborID: labor, fields: [:]) }
        do {
            try store.add("persona", laborID: labor, fields: ["nam": "Erika"])
        } catch let error as DomainError {
            #expect(error.description.contains("Unbekanntes Feld „nam“"))
            #expect(error.description.contains("name, kurzbeschreibung"))
        }
        #expect(throws: DomainError.notFound(entity: "persona", id: "fehlt")) {
            try store.add("nutzerreise", laborID: labor, fields: ["titel": "R", "persona_id": "fehlt"])
        }
        #expect(throws: DomainError.noCurrentLab) {
            try store.add("persona", laborID: nil, fields: ["name": "E"])
        }
        #expect(throws: DomainError.systemField(entity: "persona", field: "position")) {
            try store.add("persona", laborID: labor, fields: ["position": "V"])
        }
        #expect(throws: DomainError.self) { try store.add("labor", id: "mit leerzeichen", fields: ["titel": "x"]) }
        let persona = try store.add(
            "persona", laborID: labor,
            fields: [
                "name": "Erika", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "a",
            ])
        #expect(throws: DomainError.cannotClearRequired(entity: "persona", field: "name")) {
            try store.set("persona", id: persona, fields: ["name": ""])
        }
    }

    @Test("Bezeichnungen und Aliasse werden angenommen, gespeichert wird der Schlüssel")
    func aliasesStoreKeys() throws {
        let directory = TemporaryDirectory()
        let (store, labor) = try lab(directory)
        try store.set(
            "labor", id: labor, fields: ["themenfeld": "Bauen & Wohnen", "bundesland": "Mecklenburg-Vorpommern"])
        let record = try #require(try store.record("labor", id: labor))
        #expect(record.text("themenfeld") == "bauen_wohnen")
        #expect(record.display("themenfeld") == "Bauen & Wohnen")
        #expect(record.text("bundesland") == "DE-MV")
        let persona = try store.add(
            "persona", laborID: labor,
            fields: [
                "name": "E", "kurzbeschreibung": "k", "nutzergruppe": "Bürger", "ziele": " a ; b ;",
                "ist_primaer": "ja",
            ])
        let stored = try #require(try store.record("persona", id: persona))
        #expect(stored.text("nutzergruppe") == "001")
        #expect(stored.text("ziele") == "a;b")
        #expect(stored["ist_primaer"] == .integer(1))
        #expect(stored.display("ziele") == "a; b")
    }

    @Test(
        "Wie getippt: „und“ statt „&“, ae/oe/ue statt Umlaut, Feldnamen mit Umlaut; Phasen mit Vorschlägen und freiem Text"
    )
    func typedSpellings() throws {
        let directory = TemporaryDirectory()
        let (store, labor) = try lab(directory)
        try store.set(
            "labor", id: labor, fields: ["themenfeld": "FORSCHUNG UND FOERDERUNG", "bundesland": "thüringen"])
        let record = try #require(try store.record("labor", id: labor))
        #expect(record.text("themenfeld") == "forschung_foerderung")
        #expect(record.text("bundesland") == "DE-TH")
        #expect(throws: DomainError.self) { try store.set("labor", id: labor, fields: ["themenfeld": "Bauen"]) }
        let process = try store.add("prozess", laborID: labor, fields: ["name": "P", "auslöser": "Antrag geht ein"])
        #expect(try store.record("prozess", id: process)?.text("ausloeser") == "Antrag geht ein")

        let persona = try store.add(
            "persona", laborID: labor,
            fields: ["name": "E", "kurzbeschreibung": "k", "nutzergruppe": "001", "ziele": "z"])
        let journey = try store.add("nutzerreise", laborID: labor, fields: ["titel": "R", "persona_id": persona])
        var steps: [String: String] = [:]
        for phase in ["Bescheid erhalten", "Warten und Rückfragen", "anlass", "Termin vereinbaren"] {
            steps[phase] = try store.add(
                "schritt", laborID: labor, fields: ["nutzerreise_id": journey, "phase": phase, "aktivitaet": "a"])
        }
        func stored(_ phase: String) throws -> (String?, String) {
            let record = try #require(try store.record("schritt", id: steps[phase] ?? ""))
            return (record.text("phase"), record.display("phase"))
        }
        #expect(try stored("Bescheid erhalten") == ("bescheid", "Bescheid erhalten"))
        #expect(try stored("Warten und Rückfragen") == ("warten", "Warten & Rückfragen"))
        #expect(try stored("anlass") == ("anlass", "Anlass"))
        #expect(try stored("Termin vereinbaren") == ("Termin vereinbaren", "Termin vereinbaren"))
    }

    @Test("IDs lassen sich abkürzen; mehrdeutige Präfixe nennen die Kandidaten mit Titel")
    func idPrefixes() throws {
        let directory = TemporaryDirectory()
        let (store, labor) = try lab(directory)
        let first = try store.add(
            "prototyp", laborID: labor, id: "aaaa1111-0000-4000-8000-000000000001",
            fields: ["titel": "Papier", "art": "papierskizze"])
        try store.add(
            "prototyp", laborID: labor, id: "aaaa2222-0000-4000-8000-000000000002",
            fields: ["titel": "Klick", "art": "klick_dummy"])
        #expect(try store.resolveID("prototyp", "aaaa1", laborID: labor) == first)
        do {
            _ = try store.resolveID("prototyp", "aaaa", laborID: labor)
            Issue.record("eindeutig?")
        } catch let error as DomainError {
            #expect(error.description.contains("nicht eindeutig"))
            #expect(error.description.contains("Papier") && error.description.contains("Klick"))
        }
        #expect(throws: DomainError.notFound(entity: "prototyp", id: "zzz")) {
            try store.resolveID("prototyp", "zzz", laborID: labor)
        }
        let session = try store.add(
            "testsitzung", laborID: labor, fields: ["prototyp_id": "aaaa1", "datum": "2026-11-28"])
        #expect(try store.record("testsitzung", id: session)?.text("prototyp_id") == first)
    }

    @Test("Verschieben ordnet Schritte um; Reihenfolge ist (position, id)")
    func orderingWithMove() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let store = workshop.store
        func order() throws -> [String] {
            try store.records("schritt", laborID: workshop.labor, filter: ["nutzerreise_id": Workshop.journey]).map(
                \.id)
        }
        let s = workshop.steps
        #expect(try order() == [s[0], s[1], s[3], s[2], s[4]])
        try store.move("schritt", id: s[4], to: .first)
        try store.move("schritt", id: s[0], to: .last)
        try store.move("schritt", id: s[2], to: .before(s[1]))
        #expect(try order() == [s[4], s[2], s[1], s[3], s[0]])
        #expect(throws: DomainError.self) { try store.move("schritt", id: s[1], to: .after(s[1])) }
        #expect(throws: DomainError.notOrdered(entity: "persona")) {
            try store.move("persona", id: Workshop.persona, to: .first)
        }
    }

    @Test("Löschen nimmt Zugehöriges mit; Wiederherstellen bringt es zurück")
    func cascadeDeleteAndRestore() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let store = workshop.store
        try store.delete("schritt", id: workshop.steps[1])  // deleted on its own before
        try store.delete("nutzerreise", id: Workshop.journey)
        #expect(try store.records("schritt", laborID: workshop.labor).isEmpty)
        try store.restore("nutzerreise", id: Workshop.journey)
        // Restores the 4 steps deleted with the journey, not the one deleted earlier on its own.
        #expect(try store.records("schritt", laborID: workshop.labor).count == 4)

        try store.delete("prozess", id: Workshop.branching)
        #expect(
            try store.records("element", laborID: workshop.labor, filter: ["prozess_id": Workshop.branching]).isEmpty)
        #expect(try store.records("fluss", laborID: workshop.labor).count == 6)

        try store.delete("labor", id: workshop.labor)
        for entity in Domain.entities {
            #expect(try store.replica.database.firstRow("SELECT count(*) FROM \"\(entity.key)\"") { $0.int64(0) } == 0)
        }
    }

    @Test("Ein gleichzeitig gelöschter Elternteil macht Kinder zu Waisen: aus Listen ausgeblendet, von check gemeldet")
    func orphansFromConcurrentDelete() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory, name: "a.ozg")
        try workshop.build()
        let a = workshop.store
        let b = try LaborStore(path: directory.path("b.ozg"))
        try exchangeAll([a.replica, b.replica])
        try a.delete("nutzerreise", id: Workshop.journey)
        let late = try b.add(
            "schritt", laborID: workshop.labor,
            fields: [
                "nutzerreise_id": Workshop.journey, "phase": "danach", "aktivitaet": "Legt den Bescheid ab",
            ])
        try exchangeAll([a.replica, b.replica])
        for store in [a, b] {
            #expect(try store.records("schritt", laborID: workshop.labor).isEmpty)
            #expect(try store.records("schritt", laborID: workshop.labor, includeOrphans: true).map(\.id) == [late])
            let findings = try store.check(laborID: workshop.labor).filter { $0.kind == .orphan }
            #expect(findings.count == 1)
            #expect(findings.first?.message.contains(late) == true)
        }
    }

    @Test("check meldet Identifizierungsmittel unter dem erforderlichen Niveau")
    func vertrauensniveauConsistency() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let store = workshop.store
        #expect(
            try store.check(laborID: workshop.labor).filter {
                $0.kind == .vertrauensniveau && $0.message.contains("SOLL)")
            }
            .allSatisfy { !$0.message.contains("erreichen") })
        let assessment = Workshop.id("d0", 9001)
        #expect(try store.record("vertrauensniveau", id: assessment)?.text("erforderliches_niveau") == "substanziell")
        try store.set(
            "vertrauensniveau", id: assessment,
            fields: [
                "erforderliches_niveau": "hoch",
                "identifizierungsmittel": "elster;online_ausweis;benutzername_passwort",
            ])
        let findings = try store.check(laborID: workshop.labor).filter { $0.kind == .vertrauensniveau }
        let verdict = try #require(findings.first { $0.message.contains("Wohngeld beantragen (SOLL)") })
        #expect(verdict.message.contains("ELSTER-Zertifikat"))
        #expect(verdict.message.contains("Benutzername & Passwort"))
        #expect(!verdict.message.contains("Online-Ausweis"))
        // Processes without an assessment are named too.
        #expect(findings.contains { $0.message.contains("Antrag prüfen (SOLL)") && $0.message.contains("keine") })
    }

    @Test(
        "Vertrauensniveau: ohne Identifizierungsmittel „offen“, Schriftform braucht ihren Ersatz, eID-Ersatz braucht „hoch“"
    )
    func vertrauensniveauVerdicts() throws {
        let directory = TemporaryDirectory()
        var workshop = try Workshop(directory)
        try workshop.build()
        let store = workshop.store
        let assessment = Workshop.id("d0", 9001)
        func verdict(_ fields: [String: String]) throws -> TrustVerdict {
            try store.set("vertrauensniveau", id: assessment, fields: fields)
            return LaborStore.consistency(of: try #require(try store.record("vertrauensniveau", id: assessment)))
        }
        let base = [
            "erforderliches_niveau": "substanziell", "identifizierungsmittel": "elster",
            "schriftformerfordernis": "nein", "schriftformersatz": "",
        ]
        #expect(try verdict(base).state == .stimmig)
        let open = try verdict(base.merging(["identifizierungsmittel": ""]) { $1 })
        #expect(open.state == .offen && open.text.contains("noch nicht belegt"))
        let markdown = try MarkdownExport.projektsteckbrief(store: store, laborID: workshop.labor)
        #expect(markdown.contains("Prüfung: offen – keine Identifizierungsmittel gewählt"))
        #expect(try store.check(laborID: workshop.labor).contains { $0.message.contains("noch nicht belegt") })

        let missing = try verdict(base.merging(["schriftformerfordernis": "ja"]) { $1 })
        #expect(missing.state == .nichtStimmig && missing.text.contains("Schriftformersatz"))
        #expect(
            try verdict(base.merging(["schriftformerfordernis": "ja", "schriftformersatz": "ozg_9a"]) { $1 }).state
                == .stimmig)
        let eID = try verdict(
            base.merging(["schriftformerfordernis": "ja", "schriftformersatz": "vwvfg_3a_eid"]) { $1 })
        #expect(eID.state == .nichtStimmig && eID.text.contains("„hoch“"))
        #expect(
            try verdict([
                "schriftformerfordernis": "ja", "schriftformersatz": "vwvfg_3a_eid", "erforderliches_niveau": "hoch",
                "identifizierungsmittel": "online_ausweis",
            ]).state == .stimmig)
        #expect(
            try verdict(base.merging(["schriftformerfordernis": "ja", "schriftformersatz": "qes"]) { $1 }).state
                == .stimmig)
    }

    @Test(
        "check kennt die Phasen: Prioritäten und Klick-Dummy ab SOLL-Design, Vertrauensniveau zur Ergebnisvorstellung")
    func phaseFindings() throws {
        let directory = TemporaryDirectory()
        let (store, labor) = try lab(directory)
        func phaseMessages() throws -> [String] {
            try store.check(laborID: labor).filter { $0.kind == .phase }.map(\.message)
        }
        let requirement = try store.add("anforderung", laborID: labor, fields: ["titel": "Nachweise nur einmal"])
        #expect(try phaseMessages().isEmpty)  // Vorbereitung: nothing expected yet
        try store.set("labor", id: labor, fields: ["phase": "ist_betrachtung"])
        #expect(try phaseMessages().isEmpty)
        try store.set("labor", id: labor, fields: ["phase": "SOLL-Design"])
        var messages = try phaseMessages()
        #expect(messages.count == 2, "\(messages)")
        #expect(messages.contains { $0.contains("„Nachweise nur einmal“") && $0.contains("ohne Priorität") })
        #expect(messages.contains { $0.contains("Klick-Dummy") && $0.contains("Immer zu liefern") })
        try store.set("anforderung", id: requirement, fields: ["prioritaet": "muss"])
        try store.add("prototyp", laborID: labor, fields: ["titel": "Klickstrecke", "art": "klick_dummy"])
        #expect(try phaseMessages().isEmpty)
        // A Labor-Kandidat does not owe a Klick-Dummy; the Ergebnisvorstellung needs an assessment.
        let leistung = try store.add("ozg_leistung", laborID: labor, fields: ["bezeichnung": "Wohngeld"])
        try store.add(
            "labor_leistung", laborID: labor, fields: ["ozg_leistung_id": leistung, "kategorie": "labor_kandidat"])
        try store.set("labor", id: labor, fields: ["phase": "ergebnisvorstellung"])
        messages = try phaseMessages()
        #expect(messages.count == 1 && messages[0].contains("Vertrauensniveau-Bewertung"), "\(messages)")
    }

    @Test("docs/DOMAIN.md ist aus der Deklaration erzeugt und aktuell")
    func domainDocumentationIsCurrent() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/DOMAIN.md").standardizedFileURL
        let generated = DomainDocumentation.markdown()
        if ProcessInfo.processInfo.environment["OZG_WRITE_DOMAIN_DOC"] == "1" {
            try generated.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(
            try String(contentsOf: url, encoding: .utf8) == generated,
            "docs/DOMAIN.md veraltet: OZG_WRITE_DOMAIN_DOC=1 swift test --filter DomainTests")
    }
}
