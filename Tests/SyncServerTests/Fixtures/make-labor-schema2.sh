#!/usr/bin/env bash
# Writes labor-schema2.ozg with the shell of commit c4e2705 (schema 2), the last program before
# schema 3. Usage: make-labor-schema2.sh <path to that ozg-shell> <output file>
set -euo pipefail
shell="$1"
out="$2"
rm -f "$out"
r() { "$shell" "$out" -c "$1"; }
r 'labor add id=wohngeld titel="Wohngeld digital (Vorlage Schema 2)" themenfeld=bauen_wohnen bundesland=DE-BE' >/dev/null
persona=$(r 'persona add name="Erika (fiktiv)" kurzbeschreibung="Rentnerin" nutzergruppe=001 ziele="Schnell fertig;Wenig Papier"')
r "persona set $persona zitat=\"Ich will das nur einmal ausfüllen.\""
process=$(r 'prozess add name="Wohngeld beantragen (SOLL)"')
citizen=$(r "akteur add prozess_id=$process name=\"Antragsteller/in\" akteurtyp=nutzer")
office=$(r "akteur add prozess_id=$process name=Wohngeldstelle akteurtyp=behoerde")
start=$(r "element add prozess_id=$process element_typ=start bezeichnung=\"Bedarf erkannt\" akteur_id=$citizen")
apply=$(r "element add prozess_id=$process element_typ=user_aufgabe bezeichnung=\"Antrag stellen\" akteur_id=$citizen")
r "element set $apply bezeichnung=\"Antrag online stellen\" frist=\"14 Tage\""
check=$(r "element add prozess_id=$process element_typ=aufgabe bezeichnung=\"Antrag prüfen\" akteur_id=$office")
end=$(r "element add prozess_id=$process element_typ=ende bezeichnung=\"Bescheid erhalten\" akteur_id=$citizen")
r "fluss add prozess_id=$process von_id=$start nach_id=$apply" >/dev/null
r "fluss add prozess_id=$process von_id=$apply nach_id=$check" >/dev/null
r "fluss add prozess_id=$process von_id=$check nach_id=$end bedingung=vollständig" >/dev/null
r "element set $check eingehende_dokumente=Antrag ausgehende_dokumente=Bescheid"
journey=$(r "nutzerreise add titel=\"Wohngeld beantragen\" persona_id=$persona")
r "schritt add nutzerreise_id=$journey phase=anlass aktivitaet=\"Hört von Wohngeld\" emotion=-1" >/dev/null
sqlite3 "$out" "PRAGMA wal_checkpoint(TRUNCATE); VACUUM;" >/dev/null
