import OZGDomain
import OZGReplication
import OZGStorage

/// German help texts with examples; entity help is generated from the domain declaration.
enum Help {
    static let overview = """
        OZG Labor-Sync – Befehle (Entitäten auf Deutsch, Aktionen auf Englisch oder Deutsch):

          labor add feld=wert …            neues Labor anlegen und auswählen
          labor use <id>                   Labor auswählen (bleibt in der Datei gespeichert)
          <entität> add feld=wert …        Eintrag anlegen; gibt die neue ID aus
          <entität> list [feld=wert …]     Einträge des Labors auflisten, optional gefiltert
          <entität> show <id>              einen Eintrag mit allen Feldern zeigen
          <entität> set <id> feld=wert …   Felder ändern (leerer Wert leert ein Feld)
          <entität> delete <id>            löschen (mit allem, was dazugehört)
          <entität> restore <id>           Gelöschtes wiederherstellen
          <entität> move <id> before=<id>|after=<id>|first|last
                                           Reihenfolge ändern (schritt, akteur, element)
          query <SQL>                      eine nur lesende SQL-Anweisung auf den Tabellen
          export markdown|html|csv|json|bpmn [prozess=<id> [trotzdem=ja]] [entitaet=<name>] [out=DATEI [ueberschreiben=ja]]
          export svg prozess=<id>|nutzerreise=<id>|befunde[=<id>] [out=DATEI]
                                           ein Bild als SVG-Datei
          import json DATEI [neue_ids=ja]  Labor aus einer JSON-Datei laden
          history <id>                     wer hat wann was geändert (alt → neu)
          conflicts [alle]                 offene Konflikte zeigen
          resolve <konflikt-id> wert=…|behalte=a|b|wiederherstellen|loeschen
          check                            Fehler und Hinweise: Verweise, Prozessfehler, Waisen, Vollständigkeit …
          remote set <url> token=<token> [labor=<id>]
          sync [live an|aus]               mit dem Server abgleichen; live: Änderungen sofort (interaktiv)
          status                           ausstehende Änderungen, letzte Synchronisation, Konflikte
          compact verlauf=<Tage>           älteren, schon gesendeten Verlauf aus dieser Datei entfernen
          help [befehl|entität]            diese Hilfe oder Hilfe zu einem Befehl

        Entitäten: \(Domain.entities.map(\.key).joined(separator: ", "))
        IDs dürfen auf jeden eindeutigen Anfang abgekürzt werden. Bei schritt, akteur, element und
        umsetzungsstufe geht statt der ID auch die Nr. aus „list“ (1 bis 999, je Nutzerreise, Prozess bzw.
        Umsetzungsplan gezählt): schritt show 3. Gibt es mehrere Reisen bzw. Prozesse mit Einträgen, gehört
        die Angabe dazu: schritt show 3 nutzerreise=<id>,
        element show 2 prozess=<id>. Längere Ziffernfolgen sind IDs. Werte mit Leerzeichen in "…"; darin steht
        \\\" für " und \\\\ für \\, jeder andere Backslash bleibt (werkzeug_link="C:\\Labor\\v1.fig"); außerhalb
        von "…" gilt der Backslash wörtlich. Listen mit ; getrennt: ziele="Schnell fertig;Wenig Papier".
        Tab ergänzt Befehle, Felder und Werte.
        Aktionen auch auf Deutsch: neu (add), liste (list), zeige (show), ändere (set), lösche (delete),
        wiederherstellen (restore), verschiebe (move); prüfe (check), hilfe (help). Feldnamen auch mit
        Umlauten (auslöser= wie ausloeser=), Auswahlwerte auch als Bezeichnung, „und“ wie „&“:
        themenfeld="Bauen und Wohnen" wie themenfeld=bauen_wohnen.

        Beispiel:
          labor add titel="DigiLab Wohngeld" themenfeld=bauen_wohnen bundesland=DE-MV
          persona add name="Erika Muster" kurzbeschreibung="Pflegekraft" nutzergruppe=001 ziele="Schnell fertig"
          persona list
        """

    static let commands: [String: String] = [
        "query": """
        query <SQL> – genau eine nur lesende SQL-Anweisung auf den Tabellen des Replikats (eigene, nur lesende
        Verbindung); ein abschließendes ; und Kommentare sind erlaubt, weitere Anweisungen nicht.
        Schreibende Befehle werden abgelehnt: Änderungen gehen über add/set/delete, damit sie synchronisiert werden.
        Beispiele:
          query SELECT name, nutzergruppe FROM persona ORDER BY name
          query SELECT phase, count(*) FROM schritt GROUP BY phase
        """,
        "export": """
        export markdown|html|csv|json|bpmn [prozess=<id> [trotzdem=ja]] [entitaet=<name>] [out=DATEI [ueberschreiben=ja]]
               [schluessel=ja]
        export svg prozess=<id>|nutzerreise=<id>|befunde[=<prototyp-id>] [out=DATEI [ueberschreiben=ja]]
          markdown  Projektsteckbrief des aktuellen Labors
          html      derselbe Steckbrief als eine HTML-Datei mit den Bildern (Nutzerreise, Befunde, Prozesse),
                    ohne Skript und ohne Netz; im Browser „Drucken → Als PDF speichern“ ergibt ein sauberes PDF
          svg       ein Bild als SVG-Datei: ein Prozess als BPMN-Diagramm, eine Nutzerreise mit Emotionskurve
                    und Schmerzpunkten, die Befunde eines Prototyps nach Schweregrad (befunde allein, wenn nur
                    ein Prototyp Befunde hat); öffnet in Browsern, LibreOffice Draw und Inkscape
          csv       eine Entität als CSV (entitaet=persona); schluessel=ja schreibt Feldschlüssel statt Bezeichnungen
          json      das ganze Labor (wieder einlesbar mit import json)
          bpmn      ein Prozess als BPMN 2.0 (prozess=<id>); einen Prozess mit Fehlern (Fluss aus einem
                    Endereignis, in ein Startereignis, zu sich selbst oder in einen anderen Prozess; Element in der
                    Lane eines anderen Prozesses) lehnt er ab und nennt die Fehler. trotzdem=ja exportiert ihn
                    dennoch, ohne die fehlerhaften Flüsse; die Datei nennt sie in einem Kommentar, die Shell auf
                    der Fehlerausgabe.
        Ohne out= erscheint der Export auf der Standardausgabe; Steuerzeichen werden dort sichtbar gemacht
        (z. B. ␛), in der Datei bleiben die Daten unverändert.
        out= schreibt nur in eine neue oder eine gewöhnliche Datei, nie in das Replikat, seine SQLite-Dateien
        oder seine Token-Datei, nie durch einen symbolischen Verweis und nie in ein Gerät oder Verzeichnis.
        Eine vorhandene Datei wird nur mit ueberschreiben=ja ersetzt (interaktiv fragt die Shell nach).
        Die Datei entsteht ganz oder gar nicht.
        Beispiel: export bpmn prozess=3f2a out=wohngeld.bpmn
        Beispiel: export svg nutzerreise=5e99 out=reise.svg
        """,
        "import": """
        import json DATEI [neue_ids=ja] – lädt ein mit „export json“ geschriebenes Labor und wählt es aus.
        neue_ids=ja vergibt neue IDs (für eine Kopie neben dem Original).
        """,
        "compact": """
        compact verlauf=<Tage> – entfernt aus dieser Datei, was älter als so viele Tage ist und schon an jeden
        Server gesendet wurde: den Verlauf (alte Werte; „history“ beginnt danach mit „Stand bei Verdichtung“) und
        die Werte gelöschter Einträge (sie lassen sich hier danach nicht mehr wiederherstellen, nur die Löschung
        bleibt). Sichtbare Daten ändern sich nicht; die Datei wird danach verkleinert. Auch: verdichte.
        Beispiel: compact verlauf=365
        """,
        "history": """
        history <id> – Verlauf eines Eintrags: Zeit, wer (Autor des Geräts), Art, Feld, alt → neu.
        Beispiel: history 3f2a
        """,
        "conflicts": """
        conflicts [alle] – Konflikte: gleichzeitige Änderungen eines Felds (A und B, B gilt) oder Änderungen,
        die gegen ein gleichzeitiges Löschen verloren haben. „alle“ zeigt auch gelöste.
        """,
        "resolve": """
        resolve <konflikt-id> wert=<neuer Wert>    neuen Wert setzen
        resolve <konflikt-id> behalte=a|b          einen der beiden Werte behalten
        resolve <konflikt-id> wiederherstellen     gelöschten Eintrag mit der Änderung zurückholen
        resolve <konflikt-id> loeschen             Löschen bestätigen
        Die Auflösung wird wie jede Änderung synchronisiert.
        """,
        "check": """
        check – meldet Fehler und Hinweise (Spalte „Stufe“).
          Fehler:  ins Leere zeigende Verweise; Prozessfehler (Fluss aus einem Endereignis, in ein Startereignis,
                   zu sich selbst oder zu einem Element eines anderen Prozesses; Element in der Lane eines
                   anderen Prozesses) – entstehen, wenn zwei Replikate je eine gültige Änderung machen.
          Hinweise: Waisen (Elternteil gelöscht), Vertrauensniveau-Bewertungen, unfertige Prozesse (kein Start-
                   oder Endereignis, Unerreichbares, Bedingung fehlt), fehlende Inhalte des Steckbriefs, Konflikte.
        Im Skript (-c oder umgeleitete Eingabe) endet check mit Exit-Code 1, wenn es Fehler findet.
        """,
        "remote": """
        remote set <url> token=<token> [labor=<id>] – verbindet das aktuelle Labor (oder mit labor= ein Labor,
        das dieses Replikat noch nicht hat) mit dem Sync-Server. Beispiel:
          remote set https://sync.land-mv.de token=olt_abc123
        Das Token steht nicht im Replikat, sondern in einer eigenen Datei daneben (labor.ozg.token), die nur
        der Eigentümer lesen darf (Rechte 600); ist sie für andere lesbar, verweigert „sync“ sie.
        """,
        "sync": """
        sync – sendet lokale Änderungen an den Server und holt neue; zeigt den Fortschritt.
        sync live an|aus – in der interaktiven Shell: Änderungen anderer erscheinen sofort als Zeile über der
        Eingabe, eigene werden nach jedem Befehl gesendet (Vorgabe: an, sobald ein Server eingerichtet ist).
        sync live – zeigt den Zustand der Live-Verbindung (auch in „status“).
        """,
        "status": "status – Datei, Gerät, Labor, Server, wo das Token liegt, ausstehende Änderungen, "
            + "letzte Synchronisation, Live-Verbindung, Konflikte.",
        "labor": """
        labor add feld=wert … [id=<kurz-id>]  legt ein Labor an und wählt es aus (id: 1–64 Zeichen a–z, 0–9, -, _)
        labor use <id>                          wählt ein Labor aus
        """,
    ]

    static func text(for topic: String?) -> String {
        guard let topic else { return overview }
        var parts: [String] = []
        if let text = commands[topic] { parts.append(text) }
        if let entity = Domain.entity(topic) { parts.append(entityHelp(entity)) }
        if parts.isEmpty {
            let suggestion = Interpreter.nearest(topic, in: Array(commands.keys) + Domain.entities.map(\.key))
            return "Keine Hilfe zu „\(topic)“." + (suggestion.map { " Meinten Sie „\($0)“?" } ?? "") + "\n\n" + overview
        }
        return parts.joined(separator: "\n\n")
    }

    static func entityHelp(_ entity: Entity) -> String {
        var lines = ["\(entity.key) – \(entity.label)"]
        if let parent = entity.orderedWithin {
            lines.append("Geordnet innerhalb von \(parent); Reihenfolge mit „move“.")
            if let option = ListNumbers.parentEntity(of: entity) {
                lines.append(
                    "show, set, delete und move nehmen statt der ID auch die Nr. aus „\(entity.key) list“ "
                        + "(1 bis 999, je \(option) gezählt); gibt es Einträge in mehreren, kommt \(option)=<id> "
                        + "dazu, z. B. \(entity.key) show 3 \(option)=<id>.")
            }
        }
        lines.append("Felder (* = Pflicht):")
        for field in entity.fields {
            var line = "  \(field.key)\(field.required ? "*" : "")  \(field.label)"
            let choices = field.kind.choiceValues
            if !choices.isEmpty {
                line +=
                    ": "
                    + choices.map { $0.key == $0.label ? $0.key : "\($0.key) \($0.label)" }
                    .joined(separator: ", ")
            } else if case .integer(let range?) = field.kind {
                line += ": \(range.lowerBound) bis \(range.upperBound)"
            } else if case .date = field.kind {
                line += ": JJJJ-MM-TT"
            } else if case .boolean = field.kind {
                line += ": ja/nein"
            } else if case .reference(let target) = field.kind {
                line += ": ID eines Eintrags von \(target)"
            }
            lines.append(line)
        }
        let required = entity.fields.filter { $0.required && $0.defaultValue == nil }.map { "\($0.key)=…" }
        lines.append("Beispiel: \(entity.key) add " + required.joined(separator: " "))
        return lines.joined(separator: "\n")
    }
}
