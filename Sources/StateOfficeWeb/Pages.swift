import Mustache
import OZGDomain

/// The web view's pages, rendered with swift-mustache: every `{{value}}` is HTML-escaped (`& < > " '`),
/// so a value from a lab can never become markup; `{{{…}}}` appears only where a page embeds HTML
/// rendered before: another template, or the Steckbrief from `Report.html`, which escapes every text.
struct Pages: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        // The templates are literals of this file, checked by the tests; a parse error is a programming error.
        for (name, text) in Self.templates {
            do {
                try library.register(text, named: name)
            } catch {
                preconditionFailure("Vorlage \(name): \(error)")
            }
        }
        self.library = library
    }

    func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? ""
    }

    /// A whole page: the layout around `content` (HTML another template rendered).
    func page(title: String, content: String, viewer: String?) -> String {
        render(
            "layout",
            ["title": title, "inhalt": content, "angemeldet": viewer.map { ["name": $0] } as Any])
    }

    static let templates: [String: String] = [
        "layout": """
        <!DOCTYPE html>
        <html lang="de">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} – OZG-Digitalisierungslabore</title>
        <link rel="stylesheet" href="/static/web.css">
        </head>
        <body>
        <a class="sprung" href="#inhalt">Zum Inhalt springen</a>
        <header class="kopf">
        <p class="marke"><a href="/">OZG-Digitalisierungslabore</a></p>
        {{#angemeldet}}<form method="post" action="/abmelden" class="abmelden"><span>Angemeldet: {{name}}</span> <button type="submit">Abmelden</button></form>{{/angemeldet}}
        </header>
        <main id="inhalt">
        {{{inhalt}}}
        </main>
        </body>
        </html>

        """,
        "anmelden": """
        <h1>Anmelden</h1>
        {{#fehler}}<p class="fehler" role="alert">{{.}}</p>{{/fehler}}
        <form method="post" action="/anmelden" class="anmeldung">
        <label for="token">Zugangstoken</label>
        <input id="token" name="token" type="password" autocomplete="off" required>
        <button type="submit">Anmelden</button>
        </form>
        <p>Das Token (Rolle „lesen“ oder höher) erhalten Sie von der Stelle, die den Sync-Server betreibt. Es erscheint nie in einer Adresse oder auf einer Seite; nach der Anmeldung genügt ein Sitzungscookie, das beim Abmelden ungültig wird.</p>

        """,
        "meldung": """
        <h1>{{titel}}</h1>
        <p>{{text}}</p>
        <p><a href="/">Zur Übersicht</a></p>

        """,
        "uebersicht": """
        <h1>Übersicht der Labore</h1>
        <form method="get" action="/" class="filter">
        <div><label for="themenfeld">Themenfeld</label>
        <select id="themenfeld" name="themenfeld"><option value="">alle</option>{{#themen}}<option value="{{key}}"{{#gewaehlt}} selected{{/gewaehlt}}>{{label}}</option>{{/themen}}</select></div>
        <div><label for="phase">Phase</label>
        <select id="phase" name="phase"><option value="">alle</option>{{#phasen}}<option value="{{key}}"{{#gewaehlt}} selected{{/gewaehlt}}>{{label}}</option>{{/phasen}}</select></div>
        <div><label for="sortierung">Sortierung</label>
        <select id="sortierung" name="sortierung">{{#sortierungen}}<option value="{{key}}"{{#gewaehlt}} selected{{/gewaehlt}}>{{label}}</option>{{/sortierungen}}</select></div>
        <button type="submit">Anzeigen</button>
        </form>
        <p>{{anzahl}} von {{gesamt}} Labor(en).</p>
        <table class="labore">
        <caption>Labore, die Ihr Zugang lesen darf</caption>
        <thead><tr><th scope="col">Labor</th><th scope="col">Themenfeld</th><th scope="col">Phase</th><th scope="col">Leistungen (Priorisierung)</th><th scope="col">Letzte Synchronisation je Gerät</th><th scope="col">Einträge</th><th scope="col">Vollständigkeit (Pflichtinhalte vorhanden)</th><th scope="col">Offene Konflikte</th><th scope="col">Prüfung</th></tr></thead>
        <tbody>
        {{#labore}}
        <tr>
        <th scope="row"><a href="/labore/{{id}}">{{titel}}</a></th>
        <td>{{themenfeld}}</td>
        <td>{{phase}}</td>
        <td>{{#hat_leistungen}}<ul>{{#leistungen}}<li>{{.}}</li>{{/leistungen}}</ul>{{/hat_leistungen}}{{^hat_leistungen}}–{{/hat_leistungen}}</td>
        <td>{{#hat_geraete}}<ul>{{#geraete}}<li>{{.}}</li>{{/geraete}}</ul>{{/hat_geraete}}{{^hat_geraete}}noch nie{{/hat_geraete}}</td>
        <td>{{#hat_eintraege}}<details><summary>{{eintraege_gesamt}} Einträge</summary><ul>{{#eintraege}}<li>{{.}}</li>{{/eintraege}}</ul></details>{{/hat_eintraege}}{{^hat_eintraege}}keine{{/hat_eintraege}}</td>
        <td>{{#hat_vollstaendigkeit}}<ul>{{#vollstaendigkeit}}<li>{{.}}</li>{{/vollstaendigkeit}}</ul>{{/hat_vollstaendigkeit}}{{^hat_vollstaendigkeit}}–{{/hat_vollstaendigkeit}}</td>
        <td>{{konflikte}}</td>
        <td>{{pruefung}}</td>
        </tr>
        {{/labore}}
        </tbody>
        </table>
        {{^labore}}<p>Keine Labore für diese Auswahl.</p>{{/labore}}

        """,
        "labor": """
        <p class="zurueck"><a href="/">Zur Übersicht</a></p>
        <nav aria-label="Auf dieser Seite" class="inhalt">
        <ul><li><a href="#steckbrief">Projektsteckbrief</a></li><li><a href="#pruefung">Prüfung</a></li><li><a href="#konflikte">Konflikte</a></li><li><a href="#protokoll">Protokoll</a></li><li><a href="#downloads">Downloads</a></li></ul>
        </nav>
        <article id="steckbrief">
        {{{steckbrief}}}
        </article>
        <section id="pruefung" aria-labelledby="pruefung-titel">
        <h2 id="pruefung-titel">Prüfung</h2>
        {{#hat_befunde}}<div class="tabelle"><table><thead><tr><th scope="col">Stufe</th><th scope="col">Befund</th></tr></thead><tbody>{{#befunde}}<tr><td>{{stufe}}</td><td>{{text}}</td></tr>{{/befunde}}</tbody></table></div>{{/hat_befunde}}
        {{^hat_befunde}}<p>Keine Befunde: keine Waisen, Verweise stimmen, Vertrauensniveau stimmig, nichts fehlt.</p>{{/hat_befunde}}
        </section>
        <section id="konflikte" aria-labelledby="konflikte-titel">
        <h2 id="konflikte-titel">Offene Konflikte</h2>
        {{#hat_konflikte}}<div class="tabelle"><table><thead><tr><th scope="col">Eintrag</th><th scope="col">Feld</th><th scope="col">Wert A</th><th scope="col">von</th><th scope="col">Wert B</th><th scope="col">von</th></tr></thead><tbody>{{#konflikte}}<tr><td>{{eintrag}} ({{entitaet}})</td><td>{{feld}}</td><td>{{wertA}}</td><td>{{autorA}}</td><td>{{wertB}}</td><td>{{autorB}}</td></tr>{{/konflikte}}</tbody></table></div>{{/hat_konflikte}}
        {{^hat_konflikte}}<p>Keine offenen Konflikte.</p>{{/hat_konflikte}}
        </section>
        <section id="protokoll" aria-labelledby="protokoll-titel">
        <h2 id="protokoll-titel">Protokoll der Synchronisationen</h2>
        {{#hat_protokoll}}<div class="tabelle"><table><thead><tr><th scope="col">Zeit (UTC)</th><th scope="col">Token</th><th scope="col">Gerät</th><th scope="col">Änderungen</th></tr></thead><tbody>{{#protokoll}}<tr><td>{{zeit}}</td><td>{{token}}</td><td>{{geraet}}</td><td>{{aenderungen}}</td></tr>{{/protokoll}}</tbody></table></div>{{/hat_protokoll}}
        {{^hat_protokoll}}<p>Noch keine Synchronisation.</p>{{/hat_protokoll}}
        </section>
        <section id="downloads" aria-labelledby="downloads-titel">
        <h2 id="downloads-titel">Downloads</h2>
        <ul>
        <li><a href="/labore/{{id}}/projektsteckbrief.md">Projektsteckbrief (Markdown)</a></li>
        <li><a href="/labore/{{id}}/anforderungen.md">Anforderungsdokument (Markdown)</a></li>
        <li><a href="/labore/{{id}}/labor.json">Ganzes Labor (JSON)</a></li>
        {{#entitaeten}}<li><a href="/labore/{{labor}}/csv/{{key}}">{{label}} (CSV)</a></li>{{/entitaeten}}
        {{#prozesse}}<li><a href="/labore/{{labor}}/bpmn/{{id}}">Referenzprozess „{{name}}“ (BPMN 2.0)</a></li>{{/prozesse}}
        </ul>
        </section>

        """,
    ]

    /// The style sheet: readable, high contrast (WCAG 2.1 AA), visible focus, clean when printed.
    static let css = """
        :root { color: #1a1a1a; background: #ffffff; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; line-height: 1.5; }
        body { margin: 0; }
        a { color: #0b4f9c; }
        a:visited { color: #5a2d82; }
        :focus-visible { outline: 3px solid #b35c00; outline-offset: 2px; }
        .sprung { position: absolute; left: -10000px; }
        .sprung:focus { position: static; display: inline-block; padding: 0.5rem; background: #ffffff; }
        .kopf { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; padding: 0.5rem 1.5rem; background: #003064; color: #ffffff; }
        .kopf a, .kopf a:visited { color: #ffffff; }
        .marke { margin: 0; font-weight: bold; }
        .abmelden { margin: 0; }
        button { font: inherit; padding: 0.35rem 0.9rem; border: 2px solid #003064; background: #ffffff; color: #003064; border-radius: 3px; cursor: pointer; }
        .kopf button { border-color: #ffffff; }
        main { padding: 1rem 1.5rem 3rem; max-width: 90rem; }
        .fehler { border-left: 6px solid #a00000; padding: 0.5rem 1rem; background: #fbeaea; color: #5c0000; }
        .anmeldung, .filter { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; margin-bottom: 1rem; }
        .filter div, .anmeldung { display: flex; flex-direction: column; }
        label { font-weight: bold; }
        input, select { font: inherit; padding: 0.3rem; border: 1px solid #555555; }
        .tabelle { overflow-x: auto; }
        table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
        caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
        th, td { border: 1px solid #8a8a8a; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
        thead th { background: #e8eef5; }
        td ul, th ul { margin: 0; padding-left: 1.1rem; }
        .inhalt ul { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; }
        .bild { margin: 1rem 0 1.5rem; }
        .zeichnung { display: inline-block; max-width: 100%; overflow-x: auto; border: 1px solid #d0d0d0; }
        .zeichnung svg { display: block; }
        figcaption { margin-top: 0.4rem; }
        details summary { cursor: pointer; color: #0b4f9c; }
        @media print {
          .kopf, .sprung, .filter, nav, #downloads, .zurueck { display: none; }
          main { padding: 0; max-width: none; }
          a { color: #000000; text-decoration: none; }
          h2 { break-before: page; }
          h1 + table, h2 + table { break-before: avoid; }
          tr, li { break-inside: avoid; }
          thead th { background: none; }
          .zeichnung { overflow: visible; border: none; }
          .zeichnung svg { max-width: 100%; height: auto; }
          .bild { break-inside: avoid; }
          details { display: none; }
          .tabelle { overflow: visible; }
          table { width: 100%; font-size: 9pt; }
          th, td { overflow-wrap: anywhere; }
        }

        """
}
