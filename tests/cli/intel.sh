#!/bin/sh
# tests/cli/intel.sh — `detente intel import|list|export` and `detente match`
# through the real binary: the APT1 and Poison Ivy STIX bundles, Zeek Intel,
# Suricata iprep and MISP warning lists from ../shared/corpus; events that
# touch them become sightings with the actor and the ledger entry; parent-
# domain matching; private and warning-listed values suppressed; both ways
# incremental (new events, retro-hunt); the STIX export validated against
# the OASIS STIX 2.1 JSON schemas with ajv (npm), TLP respected,
# deterministic.
set -u
. "$(dirname "$0")/../lib.sh"
CORPUS=${DETENTE_CORPUS:-../shared/corpus}
DB=$T/n.db
I="$D --db $DB"
SCHEMAS=$CORPUS/stix-schemas/schemas
NODE_PATH=${NODE_PATH:-$(pwd)/data/node/node_modules}
export NODE_PATH

[ -n "${KEEP:-}" ] && trap - EXIT && echo "keeping $T"
$D --db "$T/none.db" intel import /dev/null >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "detente init" "$T/err" && ok "intel import without a node: exit 2, says what to do" ||
	no "intel import without a node" "rc=$rc $(cat "$T/err")"
check "intel --help" $D intel --help
check "intel import --help" $D intel import --help
check "match --help" $D match --help
$D intel frobnicate >/dev/null 2>&1; [ $? -eq 2 ] && ok "intel: unknown subcommand, exit 2" || no "unknown subcommand"

$I init --party CERT-T >/dev/null 2>&1
printf '223.166.0.0,223.167.255.255,CN\n' >"$T/country"
printf '223.166.0.0,223.167.255.255,17621,China Unicom Shanghai network\n' >"$T/asn.csv"
$I refdata build --country "$T/country" --asn "$T/asn.csv" -q

if [ ! -f "$CORPUS/stix/apt1.json" ]; then
	sk "intel corpus tests" "$CORPUS absent"
	done_tests
	exit $?
fi

# ---- import --------------------------------------------------------------
APT1=$CORPUS/stix/apt1.json
PIVY=$CORPUS/stix/fireeye-pivy-report-with-indicators.json
$I intel import "$APT1" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q "apt1.json: stix, 12 indicators (2 unsupported" "$T/out" &&
	grep -q "unsupported: 2 comparison on x509-certificate:issuer" "$T/out" &&
	ok "apt1.json: 12 indicators, the 2 certificate-issuer patterns kept as unsupported" ||
	no "apt1 import" "rc=$rc $(cat "$T/out" "$T/err")"
ENTRY=$(sed -n 's/.*ledger entry \([0-9]*\)$/\1/p' "$T/out")
$I log entry "$ENTRY" >"$T/entry"
grep -qx "kind intel" "$T/entry" && grep -q "^payload sha256:$(sha256sum "$APT1" | cut -d' ' -f1) " "$T/entry" &&
	ok "the import is a signed ledger entry of kind intel committing to the file" || no "intel ledger entry" "$(cat "$T/entry")"
$I intel import "$APT1" >"$T/out" 2>&1
grep -q "already imported as ledger entry $ENTRY; nothing added" "$T/out" &&
	[ "$($I intel list | grep -c indicator--)" -eq 12 ] && ok "re-importing the same file adds nothing" ||
	no "re-import" "$(cat "$T/out")"
$I intel list --json >"$T/list"
[ "$(jq -r 'select(.type == "ipv4-addr") | .value' "$T/list" | sort | tr '\n' ' ')" = \
	"112.64.0.0/15 139.226.0.0/15 223.166.0.0/15 58.246.0.0/15 " ] &&
	ok "the four Shanghai /15 netblocks stored as canonical CIDRs" || no "APT1 netblocks" "$(cat "$T/list")"

$I intel import "$PIVY" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q "stix, 1019 indicators" "$T/out" &&
	grep -q "relationships refer to objects no import holds" "$T/out" &&
	grep -q "indicators name private or reserved addresses: flagged" "$T/out" &&
	ok "Poison Ivy report: 1,019 indicators; dangling references and private addresses reported" ||
	no "pivy import" "rc=$rc $(cat "$T/out" "$T/err")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM intel_objects WHERE type = 'campaign'")" -eq 7 ] &&
	ok "Poison Ivy report: 7 campaigns" || no "pivy campaigns"
jq -e -s 'map(select(.value == "10.87.1.7")) | length > 0 and all(.flags == "private")' >/dev/null <<EOF && ok "a private-address indicator is flagged" || no "private flag"
$($I intel list --json)
EOF

$I intel import "$CORPUS/stix/Mandiant_APT1_Report.json" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "stix, 0 indicators .* 52 objects, 40 relationships, 5 rejected" "$T/out" &&
	[ "$(grep -c 'Mandiant_APT1_Report.json:[0-9]*: relationship .* has no "target_ref"' "$T/err")" -eq 5 ] &&
	ok "Mandiant APT1 report (elevated STIX 1 -> 2.1): actors kept, its 5 relationships without a target named by file:line" ||
	no "Mandiant APT1 report" "rc=$rc $(cat "$T/out" "$T/err")"
$I intel import "$CORPUS/intel/apt1-fqdn.dat" "$CORPUS/intel/apt1-md5.dat" "$CORPUS/intel/apt1-certs.dat" >"$T/out" 2>&1
grep -q "apt1-fqdn.dat: zeek, 2046 indicators" "$T/out" && grep -q "apt1-md5.dat: zeek, 1007 indicators" "$T/out" &&
	grep -q "apt1-certs.dat: zeek, 25 indicators" "$T/out" && ok "Zeek Intel files: 2,046 FQDNs, 1,007 MD5s, 25 certificate hashes" ||
	no "zeek intel" "$(cat "$T/out")"
$I intel import --categories "$CORPUS/intel/scirius-categories.txt" "$CORPUS/intel/scirius-iprep.list" >"$T/out" 2>&1
grep -q "scirius-iprep.list: iprep, 27531 indicators" "$T/out" && grep -q "2 repeated indicators stored once" "$T/out" &&
	ok "Suricata iprep list with its categories: 27,533 rows, 2 exact repeats stored once" ||
	no "iprep" "$(cat "$T/out")"
$I intel import "$CORPUS/misp/warninglists/public-dns-v4.json" "$CORPUS/misp/warninglists/rfc1918.json" >"$T/out" 2>&1
grep -q "public-dns-v4.json: warninglist, .* benign" "$T/out" && grep -q "rfc1918.json: warninglist, 3 indicators (0 unsupported, 3 benign" "$T/out" &&
	ok "MISP warning lists imported as benign entries" || no "warning lists" "$(cat "$T/out")"

# a hand-made bundle: URL, certificate, an address on a warning list, a
# TLP:RED and a TLP:GREEN indicator, and one bad pattern
cat >"$T/own.json" <<'X'
{"type": "bundle", "id": "bundle--7b1e2c4d-8f3a-4b6c-9d2e-1f0a3b5c7d9e", "objects": [
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--11111111-1111-4111-8111-111111111111",
  "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "gate",
  "pattern": "[url:value = 'HTTP://Evil.Example:80/gate.php?id=7']", "pattern_type": "stix",
  "valid_from": "2024-01-01T00:00:00Z",
  "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--22222222-2222-4222-8222-222222222222",
  "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "resolver",
  "pattern": "[ipv4-addr:value = '8.8.8.8']", "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--33333333-3333-4333-8333-333333333333",
  "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "secret",
  "pattern": "[domain-name:value = 'secret.example']", "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z",
  "object_marking_refs": ["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--44444444-4444-4444-8444-444444444444",
  "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "broken",
  "pattern": "[ipv4-addr:value = '1.2.3.4'", "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"},
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--55555555-5555-4555-8555-555555555555",
  "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "both ends",
  "pattern": "[network-traffic:src_ref.value = '45.33.1.7' AND network-traffic:dst_ref.value = '45.33.2.9'] AND [domain-name:value = 'stage2.example']",
  "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z",
  "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}
]}
X
$I intel import "$T/own.json" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "own.json:" "$T/err" && grep -q "own.json: stix, 5 indicators" "$T/out" &&
	ok "a bad pattern is reported with file:line and kept as unsupported; exit 1" ||
	no "bad pattern" "rc=$rc $(cat "$T/out" "$T/err")"

# ---- events and match ----------------------------------------------------
cat >"$T/ev.json" <<'X'
{"_path":"conn","ts":1700000000.0,"uid":"C1","id.orig_h":"10.1.1.5","id.orig_p":50000,"id.resp_h":"223.167.4.9","id.resp_p":443,"proto":"tcp","conn_state":"SF"}
{"_path":"conn","ts":1700000000.5,"uid":"C1b","id.orig_h":"58.247.1.1","id.orig_p":50000,"id.resp_h":"10.1.1.5","id.resp_p":443,"proto":"tcp","conn_state":"SF"}
{"_path":"conn","ts":1700000000.6,"uid":"C1c","id.orig_h":"112.65.255.255","id.orig_p":50000,"id.resp_h":"10.1.1.5","id.resp_p":443,"proto":"tcp","conn_state":"SF"}
{"_path":"conn","ts":1700000000.7,"uid":"C1d","id.orig_h":"139.226.0.0","id.orig_p":50000,"id.resp_h":"10.1.1.5","id.resp_p":443,"proto":"tcp","conn_state":"SF"}
{"_path":"conn","ts":1700000000.8,"uid":"C1e","id.orig_h":"139.228.0.1","id.orig_p":50000,"id.resp_h":"10.1.1.5","id.resp_p":443,"proto":"tcp","conn_state":"SF"}
{"_path":"conn","ts":1700000001.0,"uid":"C2","id.orig_h":"218.240.54.126","id.orig_p":4444,"id.resp_h":"10.1.1.6","id.resp_p":22,"proto":"tcp","conn_state":"S0"}
{"_path":"http","ts":1700000002.0,"uid":"C3","id.orig_h":"10.1.1.7","id.orig_p":50001,"id.resp_h":"198.18.0.1","id.resp_p":80,"host":"a.b.HugeSoft.org","uri":"/x"}
{"_path":"http","ts":1700000003.0,"uid":"C4","id.orig_h":"10.1.1.7","id.orig_p":50002,"id.resp_h":"9.9.9.9","id.resp_p":80,"host":"nothugesoft.org","uri":"/x"}
{"_path":"conn","ts":1700000004.0,"uid":"C5","id.orig_h":"10.1.1.8","id.orig_p":50003,"id.resp_h":"10.87.1.7","id.resp_p":80,"proto":"tcp","conn_state":"SF"}
{"_path":"files","ts":1700000005.0,"fuid":"F1","tx_hosts":["192.0.2.4"],"rx_hosts":["10.1.1.9"],"md5":"001DD76872D80801692FF942308C64E6"}
{"_path":"http","ts":1700000006.0,"uid":"C6","id.orig_h":"10.1.1.7","id.orig_p":50004,"id.resp_h":"192.0.2.80","id.resp_p":80,"host":"evil.example","uri":"/gate.php?id=7"}
{"_path":"dns","ts":1700000007.0,"uid":"C7","id.orig_h":"10.1.1.7","id.orig_p":50005,"id.resp_h":"8.8.8.8","id.resp_p":53,"proto":"udp","query":"example.com"}
{"_path":"x509","ts":1700000008.0,"id":"FX1","fingerprint":"B054E26EF827FBBF5829F84A9BDBB697A5B042FC"}
{"_path":"conn","ts":1700000009.0,"uid":"C8","id.orig_h":"45.33.1.7","id.orig_p":1,"id.resp_h":"45.33.2.9","id.resp_p":2,"proto":"tcp"}
{"_path":"dns","ts":1700000010.0,"uid":"C9","id.orig_h":"10.1.1.7","id.orig_p":50006,"id.resp_h":"10.0.0.53","id.resp_p":53,"proto":"udp","query":"stage2.example"}
X
$I ingest --victim NewsCo --tlp GREEN "$T/ev.json" >/dev/null 2>"$T/err" || no "ingest events" "$(cat "$T/err")"
$I match --json >"$T/m" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && jq -e '.events == 15 and .retro_events == 0 and .hostile > 0' "$T/m" >/dev/null &&
	ok "match: every event against every indicator" || no "match" "rc=$rc $(cat "$T/m" "$T/err")"
$I events --json >"$T/ev"
sight() { # the event's time (seconds after 2023-11-14T22:13, as written), a jq filter over its sightings
	jq -e -s --arg ts "2023-11-14T22:13:$1Z" "map(select(.ts == \$ts)) | length == 1 and (.[0].sightings | $2)" "$T/ev" >/dev/null
}
sight 20.000000 'map(.indicator) == ["223.166.0.0/15"] and .[0].source == "'"$ENTRY"'" and .[0].field == "dst" and .[0].suppressed == null' &&
	sight 20.500000 'map(.indicator) == ["58.246.0.0/15"]' &&
	sight 20.600000 'map(.indicator) == ["112.64.0.0/15"]' &&
	sight 20.700000 'map(.indicator) == ["139.226.0.0/15"]' &&
	sight 20.800000 'length == 0' &&
	ok "an address inside each of the four Shanghai /15s is sighted; the one just outside is not" ||
	no "APT1 netblocks sighted" "$(grep 22:13:20 "$T/ev")"
sight 21.000000 '(map(.actor) | unique) == ["japanorus", "menupass"]' &&
	ok "218.240.54.126 links menupass and another campaign" || no "218.240.54.126" "$(grep 22:13:21 "$T/ev")"
sight 22.000000 'any(.indicator == "hugesoft.org" and .actor == "APT1" and (.attribution | test("Unit 61398")))' &&
	sight 23.000000 'length == 0' &&
	ok "hugesoft.org matches a.b.HugeSoft.org (APT1, attributed to Unit 61398), not nothugesoft.org" ||
	no "parent domain" "$(grep -E '22:13:2[23]' "$T/ev")"
sight 24.000000 'length > 0 and all(.suppressed == "private")' &&
	ok "a private-address indicator's sightings are suppressed" || no "private" "$(grep 22:13:24 "$T/ev")"
sight 25.000000 'any(.indicator == "001dd76872d80801692ff942308c64e6" and .field == "md5")' &&
	ok "an upper-case MD5 in a Zeek files log matches" || no "md5" "$(grep 22:13:25 "$T/ev")"
sight 26.000000 'map(.indicator) == ["evil.example/gate.php?id=7"] and .[0].type == "url"' &&
	ok "a URL indicator matches the Host + URI of an HTTP event" || no "url" "$(grep 22:13:26 "$T/ev")"
sight 27.000000 'length >= 1 and all(.suppressed | startswith("warninglist:"))' &&
	ok "an indicator on a warning list (8.8.8.8): sighting suppressed, never hostile" || no "warninglist" "$(grep 22:13:27 "$T/ev")"
sight 28.000000 'any(.type == "x509-sha1" and .field == "cert_sha1")' &&
	ok "a Zeek Intel CERT_HASH matches an x509 fingerprint" || no "cert" "$(grep 22:13:28 "$T/ev")"
sight 29.000000 'any(.id == "indicator--55555555-5555-4555-8555-555555555555")' &&
	sight 30.000000 'any(.id == "indicator--55555555-5555-4555-8555-555555555555")' &&
	ok "[A AND B] AND [C]: both observations seen, both sighted" || no "AND observations" "$(grep -E '22:13:(29|30)' "$T/ev")"

$I match --json >"$T/m"
jq -e '.events == 0 and .sightings == 0' "$T/m" >/dev/null && ok "match again: nothing to do" || no "idempotent match" "$(cat "$T/m")"

# retro-hunt: a new indicator meets the stored events
printf '#fields\tindicator\tindicator_type\tmeta.source\nnothugesoft.org\tIntel::DOMAIN\tlate tip\n' >"$T/late.intel"
$I intel import "$T/late.intel" >/dev/null 2>&1
$I match --json >"$T/m"
jq -e '.events == 15 and .retro_events == 15 and .sightings == 1' "$T/m" >/dev/null &&
	$I events --json | jq -e -s 'map(select(.domain == "nothugesoft.org")) | length == 1 and (.[0].sightings | map(select(.indicator == "nothugesoft.org")) | length == 1)' >/dev/null &&
	ok "retro-hunt: an indicator imported later is matched against stored events" || no "retro-hunt" "$(cat "$T/m")"

# new events meet every stored indicator, old events are not matched again
printf '{"_path":"conn","ts":1700000100.0,"uid":"N1","id.orig_h":"223.166.9.9","id.orig_p":1,"id.resp_h":"10.1.1.5","id.resp_p":22,"proto":"tcp"}\n' >"$T/ev2.json"
$I ingest --victim Bank "$T/ev2.json" >/dev/null 2>&1
$I match --json >"$T/m"
jq -e '.events == 1 and .retro_events == 0 and .hostile == 1' "$T/m" >/dev/null &&
	ok "new events are matched, old ones are not matched again" || no "incremental" "$(cat "$T/m")"

# a warning list imported later suppresses earlier sightings (jq -s: jq 1.6
# -e exits 4 when the last input yields nothing, even after a true)
printf '{"name":"test list","version":1,"description":"t","type":"hostname","list":["hugesoft.org"],"matching_attributes":["domain","hostname"]}\n' >"$T/wl.json"
$I intel import "$T/wl.json" >/dev/null 2>&1
$I match --json >"$T/m"
jq -e '.resuppressed >= 1' "$T/m" >/dev/null &&
	$I events --json | jq -e -s 'map(select(.domain == "a.b.HugeSoft.org")) | length == 1 and (.[0].sightings | map(select(.indicator == "hugesoft.org")) | length > 0 and all(.suppressed == "warninglist:test list"))' >/dev/null &&
	ok "a warning list imported later suppresses earlier sightings" || no "late warning list" "$(cat "$T/m")"

# ---- export --------------------------------------------------------------
$I intel export --tlp AMBER -o "$T/amber.json" 2>"$T/err"; rc=$?
$I intel export --tlp AMBER >"$T/amber2.json" 2>/dev/null
[ $rc -eq 0 ] && cmp -s "$T/amber.json" "$T/amber2.json" && ok "export is deterministic: the same bytes twice" ||
	no "deterministic export" "rc=$rc $(cat "$T/err")"
if [ -d "$SCHEMAS" ] && [ -d "$NODE_PATH/ajv" ]; then
	node tests/tools/stix-validate.js "$SCHEMAS" "$T/amber.json" >"$T/val" 2>&1 &&
		ok "the export validates against the OASIS STIX 2.1 schemas (ajv): $(tail -1 "$T/val")" ||
		no "STIX schema validation" "$(head -20 "$T/val")"
	jq 'del(.objects[] | select(.type == "indicator") | .pattern)' "$T/amber.json" >"$T/broken.json"
	node tests/tools/stix-validate.js "$SCHEMAS" "$T/broken.json" >/dev/null 2>&1 &&
		no "the validator accepts indicators without a pattern" || ok "the validator rejects a bundle with indicators lacking patterns"
else
	no "STIX schema validation" "ajv (data/node, from scripts/bootstrap) or $SCHEMAS missing"
fi
jq -e '[.objects[] | select(.type == "indicator") | .id] | index("indicator--33333333-3333-4333-8333-333333333333") == null' "$T/amber.json" >/dev/null &&
	ok "a TLP:RED indicator never leaves in an AMBER export" || no "TLP:RED withheld"
jq -e '[.objects[] | select(.type == "sighting" and .sighting_of_ref == "indicator--031778a4-057f-48e6-9db9-c8d72b81ccd5")][0].count == 2' "$T/amber.json" >/dev/null &&
	ok "sighting of 223.166.0.0/15: count 2 (two events)" || no "sighting count" "$(jq -c '.objects[] | select(.type == "sighting")' "$T/amber.json")"
$I intel export --tlp GREEN >"$T/green.json" 2>/dev/null
jq -e '[.objects[] | select(.type == "indicator") | .id] == ["indicator--11111111-1111-4111-8111-111111111111", "indicator--55555555-5555-4555-8555-555555555555"] and
	([.objects[] | select(.type == "marking-definition") | .name] == ["TLP:GREEN"])' "$T/green.json" >/dev/null &&
	ok "export --tlp GREEN: only the GREEN indicators and their marking" || no "GREEN export" "$(jq -c '[.objects[] | .id]' "$T/green.json")"
jq -e '[.objects[] | select(.type == "sighting")] | all(.sighting_of_ref != "indicator--031778a4-057f-48e6-9db9-c8d72b81ccd5")' "$T/green.json" >/dev/null &&
	ok "no sighting of an AMBER indicator in a GREEN export" || no "GREEN sightings"
$I intel export --tlp PURPLE >/dev/null 2>&1; [ $? -eq 2 ] && ok "export: unknown TLP, exit 2" || no "bad TLP"

# ---- MISP: an event with a galaxy cluster, and a feed directory ---------
M="$D --db $T/m.db"
$M init --party CERT-M >/dev/null 2>&1
$M refdata build --country "$T/country" -q
$M intel import tests/data/intel/misp-event.json >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "misp-event.json: misp, " "$T/out" && grep -q "misp-event.json:[0-9]*:" "$T/err" &&
	ok "MISP event imported; its bad attribute named by file:line" || no "MISP event" "rc=$rc $(cat "$T/out" "$T/err")"
$M intel import tests/data/intel/misp-feed >"$T/out" 2>&1
[ "$(grep -c ': misp, ' "$T/out")" -eq 2 ] && ok "a MISP feed directory: each event of its manifest imported" ||
	no "MISP feed" "$(cat "$T/out")"
printf '{"_path":"dns","ts":1700000000.0,"uid":"M1","id.orig_h":"10.0.0.9","id.orig_p":5353,"id.resp_h":"10.0.0.53","id.resp_p":53,"proto":"udp","query":"x.c2.example.com"}\n' >"$T/m.json"
$M ingest "$T/m.json" >/dev/null 2>&1
$M match >/dev/null 2>&1
$M events --json | jq -e -s 'length == 1 and (.[0].sightings | any(.indicator == "c2.example.com" and .actor == "APT1"))' >/dev/null &&
	ok "a MISP attribute's sighting names the event's galaxy threat actor" || no "MISP actor" "$($M events --json)"
$M intel export --tlp AMBER -o "$T/misp-export.json" 2>/dev/null
if [ -d "$SCHEMAS" ] && [ -d "$NODE_PATH/ajv" ]; then
	node tests/tools/stix-validate.js "$SCHEMAS" "$T/misp-export.json" >"$T/val" 2>&1 &&
		ok "MISP indicators exported as valid STIX 2.1 (patterns written by detente)" || no "MISP export" "$(head -20 "$T/val")"
fi

# the ledger still verifies after all this
$I log verify >/dev/null 2>&1 && ok "log verify after the imports" || no "log verify"
done_tests
