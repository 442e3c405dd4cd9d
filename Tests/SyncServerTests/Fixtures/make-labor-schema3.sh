#!/usr/bin/env bash
# Writes labor-schema3.ozg with the shell of commit 1083a86 (schema 3), the last program before
# schema 4 moved the Leistung fields from the lab into OZG-Leistung, Verwaltungsleistung and
# Labor-Leistung. Usage: make-labor-schema3.sh <path to that ozg-shell> <output file>
set -euo pipefail
shell="$1"
out="$2"
rm -f "$out"
r() { "$shell" "$out" -c "$1"; }
r 'labor add id=wohngeld titel="Wohngeld digital (Vorlage Schema 3)" themenfeld=bauen_wohnen bundesland=DE-BE' >/dev/null
r 'labor set wohngeld ozg_leistung="Wohngeld (fiktive Vorlage)" ozg_id=99901 leika_schluessel=99999999999001'
r 'labor set wohngeld kategorie=labor_kandidat begruendung="Hohe Fallzahlen" reifegrad_ist=1 reifegrad_ziel=3'
r 'labor set wohngeld kategorie=labor_leistung freigabestatus=entwurf stand=2026-12-01 version=0.2'
persona=$(r 'persona add name="Erika (fiktiv)" kurzbeschreibung="Rentnerin" nutzergruppe=001 ziele="Schnell fertig;Wenig Papier"')
process=$(r 'prozess add name="Wohngeld beantragen (SOLL)"')
citizen=$(r "akteur add prozess_id=$process name=\"Antragsteller/in\" akteurtyp=nutzer")
start=$(r "element add prozess_id=$process element_typ=start bezeichnung=\"Bedarf erkannt\" akteur_id=$citizen")
end=$(r "element add prozess_id=$process element_typ=ende bezeichnung=\"Antrag gestellt\" akteur_id=$citizen")
r "fluss add prozess_id=$process von_id=$start nach_id=$end" >/dev/null
journey=$(r "nutzerreise add titel=\"Wohngeld beantragen\" persona_id=$persona")
r "schritt add nutzerreise_id=$journey phase=anlass aktivitaet=\"Hört von Wohngeld\" emotion=-1" >/dev/null
sqlite3 "$out" "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;" >/dev/null
