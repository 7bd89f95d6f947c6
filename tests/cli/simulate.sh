#!/bin/sh
# tests/cli/simulate.sh — `detente simulate` through the real binary: usage
# errors and absent ASN data (exit 2, nothing written); the same seed twice
# gives byte-identical directories, another seed differs; a non-empty DIR
# is refused; then a fresh node ingests every generated file with the
# victim, sector and home network of victims.tsv: no record rejected, one
# stored event per truth.tsv line, and (joining events to truth.tsv by
# submission digest and record number) each campaign's remote ends are
# attributed to the networks it was drawn from; the STIX bundle imports,
# validates against the OASIS STIX 2.1 schemas, and `match` sights part
# (not all) of c01-apt1-shanghai and c03-uscloud and nothing else.
set -u
. "$(dirname "$0")/../lib.sh"
CORPUS=${DETENTE_CORPUS:-../shared/corpus}
SCHEMAS=$CORPUS/stix-schemas/schemas
NODE_PATH=${NODE_PATH:-$(pwd)/data/node/node_modules}
export NODE_PATH
[ -n "${KEEP:-}" ] && trap - EXIT && echo "keeping $T"

check "simulate --help" $D simulate --help
$D simulate >/dev/null 2>&1; [ $? -eq 2 ] && ok "simulate without DIR: exit 2" || no "simulate without DIR"
$D simulate --scale 0 "$T/x" >/dev/null 2>&1; [ $? -eq 2 ] && [ ! -e "$T/x" ] &&
	ok "--scale 0: exit 2, nothing written" || no "--scale 0"
$D simulate --seed abc "$T/x" >/dev/null 2>&1; [ $? -eq 2 ] && ok "--seed abc: exit 2" || no "--seed abc"
DETENTE_DATA_DIR=$T/nodata $D simulate "$T/x" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "bootstrap" "$T/err" && [ ! -e "$T/x" ] && ! ls -d "$T"/x.tmp* >/dev/null 2>&1 &&
	ok "no ASN data: exit 2, says to run scripts/bootstrap, nothing written" || no "no ASN data" "rc=$rc $(cat "$T/err")"

if ! $D simulate --seed 5 "$T/a" >"$T/out" 2>"$T/err"; then
	if grep -q "ASN data" "$T/err"; then
		sk "simulate with the ASN data" "not installed (scripts/bootstrap): $(head -1 "$T/err")"
	else
		no "simulate --seed 5" "$(cat "$T/err")"
	fi
	done_tests
	exit $?
fi
$D simulate --seed 5 "$T/b" >/dev/null 2>&1
$D simulate --seed 6 "$T/c" >/dev/null 2>&1
diff -r "$T/a" "$T/b" >/dev/null && ok "the same seed twice: byte-identical directories" || no "same seed" "$(diff -r "$T/a" "$T/b" | head -5)"
diff -r "$T/a" "$T/c" >/dev/null && no "another seed gives the same files" || ok "another seed: different files"
N=$(wc -l <"$T/a/truth.tsv")
grep -q "^$T/a: $N events in 24 files of 6 victims (seed 5, scale 1)" "$T/out" && [ "$N" -gt 15000 ] &&
	ok "scale 1: $N events in 24 files, one truth line each" || no "event count" "$N $(head -1 "$T/out")"
[ "$(cut -f3 "$T/a/truth.tsv" | sort -u | tr '\n' ' ')" = \
	"benign c01-apt1-shanghai c02-hosting-easteu c03-uscloud noise-anon noise-scan " ] &&
	ok "truth.tsv: all six labels" || no "labels" "$(cut -f3 "$T/a/truth.tsv" | sort | uniq -c)"
$D simulate --seed 5 "$T/a" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "not an empty directory" "$T/err" && diff -r "$T/a" "$T/b" >/dev/null &&
	ok "an existing DIR: exit 2, left as it was" || no "existing DIR" "rc=$rc $(cat "$T/err")"
ls -d "$T"/*.tmp.* >/dev/null 2>&1 && no "temporary directories left behind" || ok "no temporary directory left behind"

# ---- a fresh node ingests the exercise ----------------------------------
I="$D --db $T/n.db"
$I init --party CERT-T >/dev/null 2>&1
if ! $I refdata build --defaults -q >/dev/null 2>"$T/err"; then
	# no tor-geoipdb: the ASN data alone still attributes networks
	$I refdata build --asn data/ip-location-db-asn/asn-ipv4.csv -q >/dev/null 2>&1 ||
		no "refdata build" "$(cat "$T/err")"
fi
rej=0 rc_all=0
tail -n +2 "$T/a/victims.tsv" >"$T/victims"
while IFS='	' read -r party dir name sector net; do
	$I ingest --victim "$name" --sector "$sector" --home-net "$net" \
		"$T/a/$dir/conn.log" "$T/a/$dir/dns.log" "$T/a/$dir/ssl.log" "$T/a/$dir/eve.json" \
		>>"$T/ingest" 2>&1 || rc_all=$?
done <"$T/victims"
[ "$rc_all" -eq 0 ] && [ "$(grep -c ', 0 rejected' "$T/ingest")" -eq 24 ] &&
	ok "ingest of the 24 files: exit 0, no record rejected" || no "ingest" "rc=$rc_all $(grep -v ', 0 rejected' "$T/ingest" | head -5)"
$I events --json >"$T/ev"
[ "$(wc -l <"$T/ev")" -eq "$N" ] && ok "stored events = truth.tsv lines ($N)" || no "stored events" "$(wc -l <"$T/ev") vs $N"

# join: submission digest -> file, (file, record) -> label
(cd "$T/a" && for f in party-*/*/*; do printf 'sha256:%s\t%s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$f"; done) >"$T/digests"
jq -r '[.submission, .record, .kind, (.dport // 0), (.asn // 0), (.country // "-"),
	([.sightings[]? | select(.suppressed == null) | .actor] | unique | join(","))] | @tsv' "$T/ev" >"$T/evt"
awk -F'\t' 'FILENAME == ARGV[1] { file[$1] = $2; next }
	FILENAME == ARGV[2] { label[$1 "\t" $2] = $3; next }
	{ k = file[$1] "\t" $2; print (k in label ? label[k] : "MISSING") "\t" $0 }' \
	"$T/digests" "$T/a/truth.tsv" "$T/evt" >"$T/joined"
[ "$(grep -c '^MISSING' "$T/joined")" -eq 0 ] && ok "every stored event is a truth.tsv record (by digest and record)" ||
	no "join" "$(grep -c '^MISSING' "$T/joined") events not in truth.tsv"
# columns: label submission record kind dport asn country actors
awk -F'\t' '$1 == "c01-apt1-shanghai" && $4 == "flow" && $5 != 53 { n++; if ($6 != 17621 || $7 != "CN") bad++ }
	END { exit !(n > 500 && bad == 0) }' "$T/joined" &&
	ok "c01 connections: all to AS17621 (China Unicom Shanghai), CN" || no "c01 attribution" "$(awk -F'\t' '$1 == "c01-apt1-shanghai" && $4 == "flow" && $5 != 53' "$T/joined" | cut -f6,7 | sort | uniq -c | head)"
awk -F'\t' '$1 == "c03-uscloud" && $4 == "flow" && $5 != 53 { n++; if ($6 != 16509 && $6 != 8075 && $6 != 14061 && $6 != 20473) bad++ }
	END { exit !(n > 200 && bad == 0) }' "$T/joined" &&
	ok "c03 connections: all to Amazon, Microsoft, DigitalOcean or Vultr" || no "c03 attribution"
awk -F'\t' '$1 == "c02-hosting-easteu" && $4 == "flow" { n++; if ($6 != 49505 && $6 != 9123 && $6 != 29182) bad++ }
	END { exit !(n > 200 && bad == 0) }' "$T/joined" &&
	ok "c02 connections: all from Selectel, Timeweb or JSC IOT" || no "c02 attribution"
awk -F'\t' '$1 == "noise-scan" && $4 == "flow" { n++; a[$6]++ } END { exit !(n > 1000 && length(a) > 100) }' "$T/joined" &&
	ok "noise-scan: sources in more than 100 ASNs" || no "scan diversity"

# ---- intel --------------------------------------------------------------
$I intel import "$T/a"/intel/*.json >"$T/out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "apt1-campaign.json: stix, 6 indicators (0 unsupported" "$T/out" &&
	ok "intel import of the exercise's STIX bundle: 6 indicators, all supported" || no "intel import" "rc=$rc $(cat "$T/out")"
$I match --json >"$T/m" 2>&1; rc=$?
[ $rc -eq 0 ] && jq -e '.hostile > 0' "$T/m" >/dev/null && ok "match: $(jq .hostile "$T/m") hostile sightings" ||
	no "match" "rc=$rc $(cat "$T/m")"
$I events --json | jq -r '[.submission, .record, ([.sightings[]? | select(.suppressed == null) | .actor] | unique | join(","))] | @tsv' >"$T/evs"
awk -F'\t' 'FILENAME == ARGV[1] { file[$1] = $2; next }
	FILENAME == ARGV[2] { label[$1 "\t" $2] = $3; next }
	$3 != "" { print label[file[$1] "\t" $2] "\t" $3 }' "$T/digests" "$T/a/truth.tsv" "$T/evs" | sort | uniq -c >"$T/sighted"
C01='Shanghai espionage against newsrooms and ministries (exercise)' C03='telemetry-update implants (exercise)'
grep -q " c01-apt1-shanghai	$C01\$" "$T/sighted" && grep -q " c03-uscloud	$C03\$" "$T/sighted" &&
	[ "$(grep -vc -e " c01-apt1-shanghai	$C01\$" -e " c03-uscloud	$C03\$" "$T/sighted")" -eq 0 ] &&
	ok "sightings fall on c01 and c03 events only, each under its own campaign" || no "sightings" "$(cat "$T/sighted")"
c01=$(grep -c '	c01-apt1-shanghai$' "$T/a/truth.tsv")
s01=$(awk '$2 == "c01-apt1-shanghai" { print $1 }' "$T/sighted")
[ "${s01:-0}" -gt 0 ] && [ "${s01:-0}" -lt "$c01" ] &&
	ok "the intel covers part of c01: $s01 of $c01 events sighted" || no "c01 coverage" "${s01:-0} of $c01"
if [ -d "$SCHEMAS" ] && [ -d "$NODE_PATH/ajv" ]; then
	node tests/tools/stix-validate.js "$SCHEMAS" "$T/a/intel/apt1-campaign.json" >"$T/val" 2>&1 &&
		ok "the STIX bundle validates against the OASIS STIX 2.1 schemas: $(tail -1 "$T/val")" ||
		no "STIX schema validation" "$(head -20 "$T/val")"
else
	sk "STIX schema validation" "ajv (data/node, from scripts/bootstrap) or $SCHEMAS missing"
fi
done_tests
