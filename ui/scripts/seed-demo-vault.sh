#!/usr/bin/env bash
# Fills a NEW vault with fictional cases, for screenshots and manual testing.
# Every person, organisation and event here is invented.
# Usage: AMANA=path/to/amana AMANA_VAULT=/tmp/x/v AMANA_PASSPHRASE='…' scripts/seed-demo-vault.sh
set -euo pipefail
AMANA=${AMANA:-amana}
: "${AMANA_VAULT:?set AMANA_VAULT}" "${AMANA_PASSPHRASE:?set AMANA_PASSPHRASE}"
export AMANA_VAULT AMANA_PASSPHRASE

"$AMANA" init --json >/dev/null

add() { # kind [case-id] <<json ; prints the new id
  local kind=$1; shift
  "$AMANA" "$kind" add ${1:+--case "$1"} --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("id") or d["record"]["id"])'
}
days() { date -u -d "$1 days" +%F; }

c1=$(add case <<JSON
{"title":"Extradition of Y. N. from Serbia","status":"open","risk":"critical","tags":["red notice","Rule 39"],
 "summary":"Human rights defender arrested at Belgrade airport on an INTERPOL red notice. Extradition hearing pending.",
 "private_notes":"Lawyer in Belgrade confirmed the hearing date by phone.",
 "subject":{"kind":"person","names":[{"name":"Youssef Nasser","kind":"primary"},{"name":"يوسف ناصر","kind":"native_script"},{"name":"Yusuf Nassir","kind":"transliteration"}],
 "nationalities":["EG","CA"],"profiles":["human_rights_defender","dissident"],"born":"~1984","current_location":{"country":"RS","locality":"Belgrade District Prison"}}}
JSON
)
add situation "$c1" >/dev/null <<JSON
{"date":"2019-05","situation":"in_exile","place":{"country":"CA","locality":"Montréal"},"notes":"Left the country after his organisation was closed."}
JSON
add situation "$c1" >/dev/null <<JSON
{"date":"$(days -81)","situation":"arrested","place":{"country":"RS","locality":"Belgrade airport"},"notes":"Stopped at passport control on arrival for a conference."}
JSON
add situation "$c1" >/dev/null <<JSON
{"date":"$(days -79)","situation":"detained_pending_extradition","place":{"country":"RS","locality":"Belgrade District Prison"}}
JSON
add incident "$c1" >/dev/null <<JSON
{"tactic":"extradition_proceedings","requesting_state":"EG","requested_state":"RS","date":"$(days -81)","description":"Extradition requested on charges of \"spreading false news\" linked to his human rights reporting.","sources":["Court file no. Kpi 112/26","Statement of his lawyer"]}
JSON
add instrument "$c1" >/dev/null <<JSON
{"kind":"interpol_red_notice","issuing_state":"EG","issued_on":"2023-11","learnt_on":"$(days -81)","status":"active","reference":"A-10482/11-2023","notes":"He only learnt of the notice when arrested."}
JSON
add proceeding "$c1" >/dev/null <<JSON
{"kind":"ccf_deletion","forum":"CCF, Lyon","reference":"CCF/2026/0417","filed_on":"$(days -75)","deadline":"$(days 6)","notes":"Deadline for our reply to the NCB's comments."}
JSON
add proceeding "$c1" >/dev/null <<JSON
{"kind":"echr_rule39","reference":"Appl. no. 51234/26","filed_on":"$(days -70)","interim_measures":{"requested_on":"$(days -70)","granted_on":"$(days -68)"},"deadline":"$(days -3)","notes":"Government observations were due."}
JSON
s1=$(add source "$c1" <<JSON
{"pseudonym":"Sister A.","relation":"relative","consent":{"share_with_lawyers":true,"share_with_un":true,"publish":false},
 "identity":{"full_name":"(fictional) Mariam Nasser","contact":"Signal, via the Montréal office","notes":"Lives in Montréal; family still in Alexandria."}}
JSON
)
add testimony "$c1" >/dev/null <<JSON
{"language":"ar","date":"$(days -60)","interviewer":"R. K.","place":{"country":"CA","locality":"Montréal"},"source_id":"$s1",
 "text":"اتصل بي أخي يوسف من مطار بلغراد وقال إن الشرطة أوقفته بسبب نشرة حمراء من الإنتربول. لم يكن يعلم بوجود هذه النشرة.\nبعد يومين نُقل إلى سجن المنطقة في بلغراد، ولم يُسمح له بالاتصال بمحامٍ إلا بعد أسبوع.\nHe told me: \"they asked me about my reports for the UN\" — ثم انقطع الاتصال."}
JSON

c2=$(add case <<JSON
{"title":"AIMC warrant against L. M.","status":"monitoring","risk":"high","tags":["AIMC"],
 "summary":"Journalist targeted by an Arab Interior Ministers' Council warrant; released after 40 days.",
 "subject":{"kind":"person","names":[{"name":"Leila Mansour","kind":"primary"},{"name":"ليلى منصور","kind":"native_script"},{"name":"Layla Mansur","kind":"transliteration"}],
 "nationalities":["BH"],"profiles":["journalist"]}}
JSON
)
add situation "$c2" >/dev/null <<JSON
{"date":"2025-02-11","situation":"arrested","place":{"country":"MA","locality":"Casablanca"}}
JSON
add situation "$c2" >/dev/null <<JSON
{"date":"2025-03-23","situation":"released","place":{"country":"MA","locality":"Casablanca"},"notes":"Released after the Court of Cassation refused extradition."}
JSON
add incident "$c2" >/dev/null <<JSON
{"tactic":"extradition_proceedings","requesting_state":"BH","requested_state":"MA","date":"2025-02-11","description":"Arrest on an AIMC warrant while travelling for work."}
JSON
add instrument "$c2" >/dev/null <<JSON
{"kind":"aimc_warrant","issuing_state":"BH","issued_on":"~2024-10","status":"unknown"}
JSON
add proceeding "$c2" >/dev/null <<JSON
{"kind":"wgad","filed_on":"2025-02-20","decided_on":"2025-11-14","outcome":"granted","notes":"Opinion: detention arbitrary."}
JSON
add testimony "$c2" >/dev/null <<JSON
{"language":"fr","date":"2025-04","interviewer":"S. B.","text":"J'ai été arrêtée à l'aéroport de Casablanca. Les policiers m'ont montré un document du Conseil des ministres arabes de l'Intérieur."}
JSON

c3=$(add case <<JSON
{"title":"Diffusion and CCF access request for O. K.","status":"open","risk":"medium","tags":["CCF"],
 "summary":"Asylum seeker in France; a diffusion blocks his travel.",
 "subject":{"kind":"person","names":[{"name":"Omar Khaled","kind":"primary"},{"name":"عمر خالد","kind":"native_script"}],
 "nationalities":["TN"],"profiles":["asylum_seeker","protester"],"current_location":{"country":"FR","locality":"Lyon"}}}
JSON
)
add situation "$c3" >/dev/null <<JSON
{"date":"2024","situation":"in_exile","place":{"country":"FR"}}
JSON
add incident "$c3" >/dev/null <<JSON
{"tactic":"administrative_sanctions","requesting_state":"TN","date":"2024-06","description":"Passport renewal refused at the consulate."}
JSON
add instrument "$c3" >/dev/null <<JSON
{"kind":"interpol_diffusion","issuing_state":"TN","issued_on":"2024-09","status":"active"}
JSON
add proceeding "$c3" >/dev/null <<JSON
{"kind":"ccf_access","filed_on":"2025-06-02","deadline":"$(days 30)"}
JSON
add proceeding "$c3" >/dev/null <<JSON
{"kind":"national_asylum","forum":"OFPRA","filed_on":"2024-03-12","decided_on":"2025-01-20","outcome":"granted"}
JSON

c4=$(add case <<JSON
{"title":"Family of a blogger harassed","status":"closed","risk":"low",
 "subject":{"kind":"person","names":[{"name":"Rania Haddad","kind":"primary"},{"name":"رانيا حداد","kind":"native_script"}],"nationalities":["SY","DE"],"profiles":["family_member"]}}
JSON
)
add incident "$c4" >/dev/null <<JSON
{"tactic":"family_harassment","requesting_state":"SY","date":"~2023","description":"Relatives summoned for questioning about her brother's blog."}
JSON
echo "cases: $c1 $c2 $c3 $c4"
