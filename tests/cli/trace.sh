#!/bin/sh
# tests/cli/trace.sh — golden tests of `detente refdata` and `detente trace`
# through the real binary: the JSON contract field by field, TSV, exit
# codes, error messages with file:line, determinism across paths, and real
# attributions from the installed default data.
set -u
. "$(dirname "$0")/../lib.sh"

# --- usage and exit codes
check "help exits 0" $D --help
$D >/dev/null 2>&1; [ $? -eq 2 ] && ok "no command exits 2" || no "no command exits 2"
$D frobnicate >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "unknown command 'frobnicate'" "$T/err" && ok "unknown command" || no "unknown command"
for c in "refdata build" "refdata show" "refdata dump" trace; do
	check "$c --help" $D $c --help
done
$D --db "$T/none.db" trace 1.2.3.4 >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "refdata build" "$T/err" && ok "trace without refdata: exit 2, says what to do" ||
	no "trace without refdata" "rc=$rc $(cat "$T/err")"

# --- a small hand-made reference
cat >"$T/country" <<'X'
# test ranges
16777216,16777471,AU
16777472,16778239,CN
2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,NL
X
cat >"$T/asn.csv" <<'X'
1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."
1.0.1.0,1.0.x.255,1,Broken line
1.0.2.0,1.0.3.255,4134,"Chinanet ""Backbone"""
2001:db8::,2001:db8::ffff,64500,Tab	Org
X
DB="$T/a.db"
$D --db "$DB" refdata build --country "$T/country" --asn "$T/asn.csv" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && ok "build with a bad line exits 1" || no "build with a bad line exits 1" "rc=$rc"
grep -q "asn.csv:2: range end is not an IP address" "$T/err" && ok "bad line named by file:line and reason" ||
	no "bad line message" "$(cat "$T/err")"
DIG=$($D --db "$DB" refdata show --json | jq -r .digest)
case "$DIG" in sha256:????????????????????????????????????????????????????????????????) ok "show --json digest" ;;
*) no "show --json digest" "$DIG" ;; esac
[ -f "$DB.d/refdata/${DIG#sha256:}.idx" ] && ok "index file named by its digest" || no "index file named by its digest"
GOT=$(sha256sum "$DB.d/refdata/${DIG#sha256:}.idx" | cut -d' ' -f1)
[ "sha256:$GOT" = "$DIG" ] && ok "name is the SHA-256 of the content" || no "name is the SHA-256 of the content"
WANT=$(sha256sum "$T/asn.csv" | cut -d' ' -f1)
$D --db "$DB" refdata show --json | jq -e --arg w "$WANT" '.inputs[1].sha256 == $w and .inputs[1].rejected == 1 and .inputs[1].kind == "asn"' >/dev/null &&
	ok "show lists input digests and rejects" || no "show lists inputs"
$D --db "$DB" refdata show | grep -q "verified   yes" && ok "show verifies the snapshot" || no "show verifies"

# --- the JSON contract, exactly
OUT=$($D --db "$DB" trace --json 1.0.0.7)
EXP="{\"ip\":\"1.0.0.7\",\"country\":\"AU\",\"asn\":13335,\"as_org\":\"Cloudflare, Inc.\",\"network\":\"1.0.0.0/24\",\"flags\":[],\"refdata\":\"$DIG\"}"
[ "$OUT" = "$EXP" ] && ok "trace --json golden line" || no "trace --json golden line" "$OUT"
OUT=$($D --db "$DB" trace --json 1.0.3.1 | jq -c '[.country,.asn,.as_org,.network]')
[ "$OUT" = '["CN",4134,"Chinanet \"Backbone\"","1.0.2.0/23"]' ] && ok "quoted CSV organisation" || no "quoted CSV organisation" "$OUT"
OUT=$($D --db "$DB" trace --json 9.9.9.9 | jq -c '[.country,.asn,.as_org,.flags]')
[ "$OUT" = '[null,null,null,[]]' ] && ok "unknown values are null" || no "unknown values are null" "$OUT"
OUT=$($D --db "$DB" trace --json 10.1.2.3 | jq -c '[.network,.flags]')
[ "$OUT" = '["10.0.0.0/8",["bogon","private"]]' ] && ok "RFC 1918 flagged" || no "RFC 1918 flagged" "$OUT"
OUT=$($D --db "$DB" trace --json 2001:db8::1 | jq -c '[.country,.asn,.as_org,.network,.flags]')
[ "$OUT" = '["NL",64500,"Tab\tOrg","2001:db8::/112",["bogon","documentation"]]' ] && ok "IPv6 answer" ||
	no "IPv6 answer" "$OUT"
OUT=$($D --db "$DB" trace --json ::ffff:1.0.0.1 | jq -c '[.ip,.asn,.network]')
[ "$OUT" = '["::ffff:1.0.0.1",13335,"1.0.0.0/24"]' ] && ok "IPv4-mapped IPv6" || no "IPv4-mapped IPv6" "$OUT"
OUT=$($D trace --db "$DB" --json 1.0.0.1 | jq -r .asn)
[ "$OUT" = 13335 ] && ok "global option after the command" || no "global option after the command"

# --- TSV and stdin
printf '1.0.0.1\n\n# comment\nnope\n  2001:db8::2  \r\n1.0.2.300\n' >"$T/in"
$D --db "$DB" trace --tsv <"$T/in" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && ok "bad stdin lines: exit 1" || no "bad stdin lines: exit 1" "rc=$rc"
grep -q "stdin:4: invalid IP address 'nope'" "$T/err" && grep -q "stdin:6: invalid IP address '1.0.2.300'" "$T/err" &&
	ok "bad stdin lines named by line number" || no "stdin line numbers" "$(cat "$T/err")"
[ "$(sed -n 1p "$T/out")" = "$(printf 'ip\tcountry\tasn\tas_org\tnetwork\tflags')" ] && ok "TSV header" || no "TSV header"
[ "$(sed -n 2p "$T/out")" = "$(printf '1.0.0.1\tAU\t13335\tCloudflare, Inc.\t1.0.0.0/24\t-')" ] && ok "TSV row" ||
	no "TSV row" "$(sed -n 2p "$T/out")"
[ "$(sed -n 3p "$T/out")" = "$(printf '2001:db8::2\tNL\t64500\tTab Org\t2001:db8::/112\tbogon,documentation')" ] &&
	ok "TSV row, tab in organisation replaced" || no "TSV IPv6 row" "$(sed -n 3p "$T/out")"
[ "$(wc -l <"$T/out")" -eq 3 ] && ok "valid lines still traced" || no "valid lines still traced"

# --- bulk: every line valid JSON, one answer per input line
awk 'BEGIN { srand(7); for (i = 0; i < 20000; i++) printf "%d.%d.%d.%d\n", int(rand()*256), int(rand()*256), int(rand()*256), int(rand()*256) }' >"$T/bulk"
$D --db "$DB" trace --json <"$T/bulk" >"$T/out" 2>"$T/err"
[ "$(wc -l <"$T/out")" -eq 20000 ] && jq -e . "$T/out" >/dev/null && ok "bulk: 20000 JSON answers" || no "bulk JSON"
cut -f1 "$T/bulk" >"$T/a"; jq -r .ip "$T/out" >"$T/b"
cmp -s "$T/a" "$T/b" && ok "bulk: answers in input order" || no "bulk order"

# --- threads: same output, same error line numbers, across block boundaries
awk 'BEGIN { srand(9); for (i = 1; i <= 300000; i++) {
	if (i % 99991 == 0) print "bad" i; else if (i % 5 == 0) printf "2001:db8::%x\n", i % 65536;
	else printf "%d.%d.%d.%d\n", int(rand()*256), int(rand()*256), int(rand()*256), int(rand()*256) } }' >"$T/big"
$D --db "$DB" trace --tsv --threads 1 <"$T/big" >"$T/o1" 2>"$T/e1"
$D --db "$DB" trace --tsv --threads 4 <"$T/big" >"$T/o4" 2>"$T/e4"
cmp -s "$T/o1" "$T/o4" && [ "$(wc -l <"$T/o1")" -eq 299998 ] && ok "threads: identical output in input order" ||
	no "threads: identical output"
grep -q "stdin:99991: invalid IP address 'bad99991'" "$T/e4" && grep -q "stdin:299973: invalid IP address 'bad299973'" "$T/e4" &&
	cmp -s "$T/e1" "$T/e4" && ok "threads: error line numbers exact" || no "threads: error line numbers" "$(cat "$T/e4")"
printf '1.0.0.1\n1.0.0.2' | $D --db "$DB" trace --tsv --no-header >"$T/o" && [ "$(wc -l <"$T/o")" -eq 2 ] &&
	ok "last line without newline" || no "last line without newline"

# --- determinism: same inputs at other paths, other node -> same file
mkdir -p "$T/elsewhere"; cp "$T/country" "$T/elsewhere/c"; cp "$T/asn.csv" "$T/elsewhere/a"
$D --db "$T/b.db" refdata build --country "$T/elsewhere/c" --asn "$T/elsewhere/a" >/dev/null 2>&1
DIG2=$($D --db "$T/b.db" refdata show --json | jq -r .digest)
[ "$DIG" = "$DIG2" ] && ok "byte-identical index from the same inputs" || no "determinism" "$DIG vs $DIG2"
$D --db "$T/b.db" refdata build --asn "$T/elsewhere/a" --country "$T/elsewhere/c" >/dev/null 2>&1
DIG3=$($D --db "$T/b.db" refdata show --json | jq -r .digest)
[ "$DIG" != "$DIG3" ] && ok "other layering order, other index" || no "layer order matters"

# --- dump
$D --db "$DB" refdata dump --family 4 | grep -q "$(printf '^1.0.2.0\t1.0.3.255\tCN\t4134\t')" && ok "dump shows intervals" ||
	no "dump"

# --- errors on inputs
$D --db "$T/c.db" refdata build --asn "$T/missing.csv" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "missing.csv: cannot open" "$T/err" && ok "missing input: exit 2, named" || no "missing input" "$(cat "$T/err")"
[ ! -e "$T/c.db.d/refdata/ACTIVE" ] && ok "failed build activates nothing" || no "failed build activates nothing"

CORPUS=${DETENTE_CORPUS:-../shared/corpus}
if [ -d "$CORPUS/geo" ]; then
	$D --db "$T/m.db" refdata build --mmdb "$CORPUS/geo/MaxMind-DB-test-broken-search-tree-24.mmdb" >/dev/null 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "corrupt search tree" "$T/err" && ok "broken mmdb refused" || no "broken mmdb refused" "$(cat "$T/err")"
	$D --db "$T/m.db" refdata build --mmdb "$CORPUS/geo/GeoIP2-City-Test.mmdb" \
		--warninglist "$CORPUS/misp/warninglists/sinkholes.json" \
		--warninglist "$CORPUS/misp/warninglists/amazon-aws.json" >/dev/null 2>&1
	OUT=$($D --db "$T/m.db" trace --json 81.2.69.160 | jq -c '[.country,.network]')
	[ "$OUT" = '["GB","81.2.69.160/27"]' ] && ok "mmdb input traced" || no "mmdb input traced" "$OUT"
	SINK=$(jq -r '.list[] | select(test("/") | not)' "$CORPUS/misp/warninglists/sinkholes.json" | grep -v : | head -1)
	$D --db "$T/m.db" trace --json "$SINK" | jq -e '.flags | index("sinkhole")' >/dev/null && ok "warning list flag: sinkhole" ||
		no "sinkhole flag for $SINK"
	$D --db "$T/m.db" refdata show --json | jq -e '[.inputs[].flag] == [null,"sinkhole","cloud"]' >/dev/null &&
		ok "warning list flags derived from names" || no "warning list flags"
else
	sk "corpus inputs through the CLI" "$CORPUS absent"
fi

# --- the installed defaults give real attributions
if [ -f /usr/share/tor/geoip ] && [ -f data/ip-location-db-asn/asn-ipv4.csv ]; then
	$D --db "$T/d.db" refdata build >"$T/out" 2>&1 && ok "build from defaults" || no "build from defaults" "$(cat "$T/out")"
	OUT=$($D --db "$T/d.db" trace --json 8.8.8.8 | jq -c '[.country,.asn,.as_org]')
	[ "$OUT" = '["US",15169,"Google LLC"]' ] && ok "8.8.8.8 is Google, US" || no "8.8.8.8" "$OUT"
	OUT=$($D --db "$T/d.db" trace --json 2001:4860:4860::8888 | jq -c '[.country,.asn]')
	[ "$OUT" = '["US",15169]' ] && ok "2001:4860:4860::8888 is Google, US" || no "Google v6" "$OUT"
	$D --db "$T/d.db" refdata show | grep -q "CC BY 4.0" && ok "show carries the CC BY attribution" || no "attribution"
else
	sk "default reference data" "not installed (run scripts/bootstrap)"
fi

done_tests
