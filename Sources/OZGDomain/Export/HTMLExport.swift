/// The Projektsteckbrief as one self-contained HTML file (data dictionary §9, docs/EXPORTS.md
/// „HTML“): the same `Report` as the Markdown export and the web view, with its pictures inline,
/// styles in the file, no script and no external reference, so it opens offline, travels by mail
/// and prints to a clean PDF (each main section on a new page, readable in black and white).
///
/// ```swift
/// let html = try HTMLExport.projektsteckbrief(store: store, laborID: lab)
/// ```
public enum HTMLExport {
    public static func projektsteckbrief(store: LaborStore, laborID: String) throws -> String {
        let lab = try store.snapshot(of: laborID)
        return document(
            title: "Projektsteckbrief: \(lab.lab.title)", body: MarkdownExport.projektsteckbrief(of: lab).html)
    }

    /// A whole page around an HTML fragment rendered before (every text in it already escaped).
    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="de">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="OZG Labor-Sync">
        <title>\(HTMLText.escape(title))</title>
        <style>
        \(css)</style>
        </head>
        <body>
        <main>
        \(body)</main>
        </body>
        </html>

        """
    }

    /// Readable on screen and on paper: high contrast, tables with borders, pictures scaled to the
    /// page, a page break before each main section, nothing that needs colour to be understood.
    static let css = """
        body { margin: 0; color: #1a1a1a; background: #ffffff; font-family: "DejaVu Sans", Verdana, sans-serif; line-height: 1.45; }
        main { padding: 1.5rem; max-width: 70rem; }
        h1 { font-size: 1.7rem; }
        h2 { font-size: 1.35rem; margin-top: 2rem; border-bottom: 2px solid #1a1a1a; }
        table { border-collapse: collapse; margin: 0.5rem 0 1.2rem; }
        th, td { border: 1px solid #6b6b6b; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
        thead th { background: #e8eef5; }
        .tabelle { overflow-x: auto; }
        .bild { margin: 1rem 0 1.5rem; }
        .zeichnung { overflow-x: auto; }
        .zeichnung svg { display: block; max-width: 100%; height: auto; }
        figcaption { margin-top: 0.4rem; }
        summary { cursor: pointer; }
        @page { size: A4; margin: 18mm 15mm; }
        @media print {
          main { padding: 0; max-width: none; }
          h2 { break-before: page; }
          h1 + table, h2 + table, h3 + table { break-before: avoid; }
          h2, h3, h4 { break-after: avoid; }
          tr, li, .bild { break-inside: avoid; }
          thead { display: table-header-group; }
          thead th { background: none; border-bottom: 2px solid #000000; }
          details { display: none; }
          .tabelle, .zeichnung { overflow: visible; }
          table { width: 100%; font-size: 9pt; }
          th, td { overflow-wrap: anywhere; }
        }

        """
}
