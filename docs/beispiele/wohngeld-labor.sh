#!/usr/bin/env bash
# Ein vollständiges Digitalisierungslabor per Skript, so wie Moderierende es nach einem Workshop
# nachtragen: Leistung mit Priorisierung, Personas, Nutzerreise mit Schmerzpunkten, Anforderungen,
# Klick-Dummy mit Testsitzung, Testpersonen (mit Einverständnis) und Befunden, Referenzprozess mit
# Vertrauensniveau, Umsetzung (Varianten, Komponenten, Standards, FIM-Artefakte, Rechtsänderungen,
# Register, Machbarkeit, Umsetzungsplan) und Beteiligte. Danach meldet „check“ nichts mehr, und der
# Projektsteckbrief ist für die Labor-Leistung vollständig.
#
# Aufruf: docs/beispiele/wohngeld-labor.sh <ozg-shell> <datei.ozg>
# Alle Namen, IDs und Schlüssel sind erfunden: OZG-ID 99901 und LeiKa-Schlüssel 99999999999001
# sind wohlgeformt, gehören aber zu keiner echten Leistung.
set -euo pipefail
shell="$1"
file="$2"
r() { "$shell" "$file" --autor "Moderation (Beispiel)" -c "$1"; }

r 'labor add id=wohngeld-bsp titel="DigiLab Wohngeld (Beispiel)" themenfeld="Bauen und Wohnen" bundesland=DE-MV format=praesenz beginn=2026-11-02 ende=2026-11-27' >/dev/null
r 'labor set wohngeld-bsp freigabestatus=entwurf stand=2026-11-30 version=1.0 bearbeitung="Laborteam (Beispiel)" federfuehrung="Land M-V, Bauministerium (Beispiel)" ansprechperson="Referat Digitalisierung (Beispiel)" product_owner="PO Wohngeld (Beispiel)" ziel="Wohngeld in 15 Minuten online beantragen."'
r 'labor set wohngeld-bsp architektur="Antrag im Landesportal, Übergabe per FIT-Connect an das Fachverfahren." harmonisierung="Einkommensnachweise wie bei Kinderzuschlag und BAföG einheitlich abrufen." nachnutzung="Der Onlinedienst wird als EfA-Leistung anderen Ländern angeboten."'

# Beteiligte (nur Rollen und selbst gewählte Kürzel)
r 'teilnehmende add anzeigename=PO-1 rolle=product_owner ebene=land organisation="Ministerium (Beispiel)"' >/dev/null
r 'teilnehmende add anzeigename=UX-1 rolle=ux ebene=extern' >/dev/null
r 'teilnehmende add anzeigename=FB-1 rolle=fachexpertise ebene=kommune organisation="Wohngeldstelle (Beispiel)"' >/dev/null

# Leistung, Verwaltungsleistung, Priorisierung
leistung=$(r 'ozg_leistung add bezeichnung=Wohngeld ozg_id=99901 themenfeld=bauen_wohnen leistungsadressaten=001 nachnutzungsmodell=EfA federfuehrendes_land=DE-MV onlinedienst="Wohngeld online (Beispiel)"')
r "verwaltungsleistung add ozg_leistung_id=$leistung bezeichnung=\"Wohngeld Mietzuschuss\" leika_schluessel=99999999999001 leika_typ=lov typisierung=2/3 handlungsgrundlagen=\"§ 22 WoGG\" normenanalyse=ja leika_aktualisiert=ja" >/dev/null
r "labor_leistung add ozg_leistung_id=$leistung kategorie=labor_leistung begruendung=\"Hohe Fallzahlen, viele Medienbrüche\" reifegrad_ist=1 reifegrad_ziel=4" >/dev/null

# Personas und Nutzerreise
erika=$(r 'persona add name="Erika (Beispiel)" kurzbeschreibung="Alleinerziehende Pflegekraft" nutzergruppe=Bürger ziele="Schnell fertig;Wenig Papier" ist_primaer=ja')
r 'persona add name="Herr Y. (Beispiel)" kurzbeschreibung="Rentner" nutzergruppe=001 ziele="Antrag verstehen" digitale_affinitaet=niedrig' >/dev/null
reise=$(r "nutzerreise add titel=\"Wohngeld beantragen\" persona_id=$erika zustand=ist")
r "schritt add nutzerreise_id=$reise phase=Anlass aktivitaet=\"Hört von Wohngeld\" emotion=0" >/dev/null
sammeln=$(r "schritt add nutzerreise_id=$reise phase=vorbereiten aktivitaet=\"Sammelt Einkommensnachweise\" touchpoint=post emotion=-2 medienbruch=ja")
r "schritt add nutzerreise_id=$reise phase=beantragen aktivitaet=\"Stellt den Antrag\" touchpoint=onlinedienst emotion=-1" >/dev/null

# Anforderungen und Schmerzpunkte
hochladen=$(r "anforderung neu titel=\"Nachweise nur einmal hochladen\" prioritaet=muss kategorie=nutzerzentrierung status=priorisiert schritt_id=$sammeln rechtsaenderung_noetig=nein")
zustellen=$(r 'anforderung neu titel="Bescheid digital zustellen" prioritaet=soll status=priorisiert rechtsaenderung_noetig=ja')
r "schmerzpunkt add beschreibung=\"Nachweise liegen nur auf Papier vor\" schritt_id=$sammeln schwere=hoch quelle=interview anforderung_id=$hochladen" >/dev/null

# Prototyp, Testsitzung, Testpersonen mit Einverständnis, Befunde
dummy=$(r 'prototyp add titel="Klick-Dummy Antrag" art=klick_dummy iteration=2')
sitzung=$(r "testsitzung add prototyp_id=$dummy datum=2026-11-20 format=vor_ort hypothesen=\"Upload wird gefunden\"")
for code in TP-01 TP-02; do
  r "testperson add code=$code nutzergruppe=001 einverstaendnis=ja einverstaendnis_am=2026-11-20" >/dev/null
done
r "befund add testsitzung_id=$sitzung testperson=TP-01 beobachtung=\"Findet den Upload nicht\" schweregrad=3 aufgabenerfolg=mit_hilfe" >/dev/null
r "befund add testsitzung_id=$sitzung testperson=TP-02 beobachtung=\"Findet den Upload nicht\" schweregrad=3 aufgabenerfolg=erfolgreich" >/dev/null

# Referenzprozess mit Vertrauensniveau
prozess=$(r 'prozess add name="Wohngeld beantragen" zustand=soll ausloeser="Bedarf erkannt" ergebnis="Bescheid zugestellt"')
person=$(r "akteur add prozess_id=$prozess name=\"Antragsteller/in\" akteurtyp=nutzer")
amt=$(r "akteur add prozess_id=$prozess name=Wohngeldstelle akteurtyp=behoerde")
start=$(r "element add prozess_id=$prozess element_typ=start bezeichnung=\"Bedarf erkannt\" akteur_id=$person")
antrag=$(r "element add prozess_id=$prozess element_typ=user_aufgabe bezeichnung=\"Online-Antrag stellen\" akteur_id=$person handlungsgrundlagen=\"§ 22 WoGG\" fim_referenzen=S00000000367")
abruf=$(r "element add prozess_id=$prozess element_typ=service_aufgabe bezeichnung=\"Einkommen abrufen\" akteur_id=$amt once_only=ja")
ende=$(r "element add prozess_id=$prozess element_typ=ende bezeichnung=\"Bescheid zugestellt\" akteur_id=$person")
r "fluss add prozess_id=$prozess von_id=$start nach_id=$antrag" >/dev/null
r "fluss add prozess_id=$prozess von_id=$antrag nach_id=$abruf" >/dev/null
r "fluss add prozess_id=$prozess von_id=$abruf nach_id=$ende" >/dev/null
vn=$(r "vertrauensniveau add prozess_id=$prozess adressat=001 schriftformerfordernis=ja schriftformersatz=ozg_9a schadensbeschreibung=\"Leistung an falsche Person\" erforderliches_niveau=substanziell begruendung=\"Finanzielle Leistung\" identifizierungsmittel=\"elster;online_ausweis\" bewertet_von=\"Fachverantwortliche (Beispiel)\" bewertet_am=2026-11-25")

# Umsetzung
r "umsetzungsvariante add variante=fachverfahren_integriert ozg_leistung_id=$leistung gewaehlt=ja begruendung=\"Das Fachverfahren ist landesweit im Einsatz.\"" >/dev/null
r 'umsetzungsvariante add variante=zustellung gewaehlt=nein begruendung="Zustellung allein lässt den Medienbruch in der Behörde."' >/dev/null
r 'komponente add name="Servicekonto mit Postfach" status=vorhanden' >/dev/null
r 'komponente add name=FIT-Connect status=neu beschreibung="Übergabe an das Fachverfahren"' >/dev/null
r 'standard add name=XFall status=anzupassen anwendung="Antragsdaten an das Fachverfahren"' >/dev/null
r "fim_artefakt add bezeichnung=\"Stammdatenschema Wohngeld\" baustein=datenfelder zustand=entwurf fim_id=S00000000367 version=1.0.0 freigabestatus=3" >/dev/null
r "rechtsaenderung add norm=\"§ 24 WoGG\" aenderung=\"Elektronische Bekanntgabe des Bescheids zulassen\" ebene=bund zustaendigkeit=Bund anforderung_id=$zustellen" >/dev/null
r 'registeranbindung add register="Einkommensdaten (Beispiel)" nachweis="Einkommensnachweis (Once-Only)" schnittstelle=XFall status=geplant' >/dev/null
r 'machbarkeit add dimension=rechtlich bewertung=mit_auflagen begruendung="Bekanntgabe nach § 24 WoGG anpassen"' >/dev/null
r 'machbarkeit add dimension=technisch bewertung=machbar begruendung="Komponenten vorhanden oder geplant"' >/dev/null
r 'machbarkeit add dimension=organisatorisch bewertung=machbar begruendung="Wohngeldstellen beteiligt"' >/dev/null
r 'machbarkeit add dimension=finanziell bewertung=machbar begruendung="EfA-Kosten geteilt"' >/dev/null
plan=$(r 'umsetzungsplan add titel="Wohngeld online" mvp="Antrag mit Upload und Statusanzeige" umsetzungsverantwortung="Landesportal-Team (Beispiel)"')
r "umsetzungsstufe add umsetzungsplan_id=$plan titel=MVP inhalt=\"Antrag und Upload\" ziel_reifegrad=3 zeitraum=\"2027 Q1\"" >/dev/null
r "umsetzungsstufe add umsetzungsplan_id=$plan titel=\"Once-Only\" inhalt=\"Einkommen aus dem Register\" ziel_reifegrad=4 abhaengigkeiten=\"Rechtsänderung;Registeranbindung\" zeitraum=\"2027 Q4\"" >/dev/null
r 'labor set wohngeld-bsp phase=ergebnisvorstellung'
