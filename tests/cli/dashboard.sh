#!/bin/sh
# tests/cli/dashboard.sh — the web dashboard of a real `detente serve`.
#
# A node CERT-T holds a simulated exercise (`detente simulate --seed 1`:
# every victim's files ingested, the exercise's STIX bundle and, when the
# corpus has it, MISP's public-dns-v4 warning list imported, matched), has a
# peer CERT-P whose checkpoint it accepted (sync from P's export) and who
# cosigned its own (sync from T's export, `log cosignature add`).  Then on
# a free loopback port:
#   - GET / is public HTML with its Content-Security-Policy; /api/* answer
#     401 with WWW-Authenticate without a token or with a wrong one;
#   - /api/ledger is JSON whose checkpoint is GET /checkpoint's, with P's
#     cosignature and P's last sync;
#   - /api/report is byte for byte what `detente report` prints;
#   - /api/trace answers, as one array, exactly the lines of `detente trace
#     --json` for the same addresses, and refuses bad queries with 400;
#   - tests/browser/dashboard.test.js drives headless Chromium over it (see
#     that file); without node, chromium or playwright-core it says so and
#     skips.  Screenshot in build/dashboard.png.
set -u
. "$(dirname "$0")/../lib.sh"
CORPUS=${DETENTE_CORPUS:-../shared/corpus}
WL=$CORPUS/misp/warninglists/public-dns-v4.json
CHROMIUM=${DETENTE_CHROMIUM:-/usr/bin/chromium}
NODE_PATH=${NODE_PATH:-$(pwd)/data/node/node_modules}
export NODE_PATH
SHOT=${DASHBOARD_SCREENSHOT:-build/dashboard.png}
[ -n "${KEEP:-}" ] && trap - EXIT && echo "keeping $T"

for tool in curl jq; do
	if ! command -v $tool >/dev/null 2>&1; then
		sk "dashboard" "$tool is not installed (scripts/bootstrap installs it)"; done_tests; exit $?
	fi
done
# status URL [CURL ARGS]: the HTTP status, body in $T/body, headers in $T/hdr
status() { u=$1; shift; curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@" "$u"; }
hdr() { tr -d '\r' <"$T/hdr" | grep -i "^$1: " | head -1 | cut -d' ' -f2-; }

# ---- the node --------------------------------------------------------------
N=$T/t.db P=$T/p.db
if ! $D simulate --seed 1 "$T/sim" >/dev/null 2>"$T/err"; then
	sk "dashboard" "simulate: $(head -1 "$T/err") (scripts/bootstrap)"; done_tests; exit $?
fi
$D --db "$N" init --party CERT-T >/dev/null 2>&1 && $D --db "$P" init --party CERT-P >/dev/null 2>&1 ||
	{ no "init two nodes"; done_tests; exit 1; }
$D --db "$N" refdata build --defaults -q >/dev/null 2>&1 ||
	$D --db "$N" refdata build --asn data/ip-location-db-asn/asn-ipv4.csv -q >/dev/null 2>&1 ||
	{ sk "dashboard" "no reference data to build (sh scripts/bootstrap)"; done_tests; exit $?; }
tail -n +2 "$T/sim/victims.tsv" | while IFS="$(printf '\t')" read -r party sub victim sector net; do
	$D --db "$N" ingest --victim "$victim" --sector "$sector" --home-net "$net" \
		"$T/sim/$sub"/* >/dev/null 2>&1 || echo "ingest $sub failed" >&2
done 2>"$T/err"
[ -s "$T/err" ] && no "ingest the exercise" "$(cat "$T/err")"
wl=""
[ -f "$WL" ] && wl=$WL
$D --db "$N" intel import "$T/sim/intel/apt1-campaign.json" $wl >/dev/null 2>&1 &&
	$D --db "$N" match >/dev/null 2>&1 || no "intel import and match"
# P's checkpoint (one entry) accepted by T; T's checkpoint cosigned by P
echo "P's note" >"$T/pnote"
$D --db "$P" log append --kind intel --tlp GREEN "$T/pnote" >/dev/null 2>&1 &&
	$D --db "$P" log export "$T/xp" >/dev/null 2>&1 &&
	$D --db "$N" peer add CERT-P "$($D --db "$P" key show)" https://cert-p.example/detente \
		--cosigner "$($D --db "$P" key show --cosigner)" >/dev/null 2>&1 &&
	$D --db "$N" sync --from "$T/xp" --peer CERT-P --no-ingest >/dev/null 2>&1 &&
	$D --db "$N" log export "$T/xt" >/dev/null 2>&1 &&
	$D --db "$P" peer add CERT-T "$($D --db "$N" key show)" >/dev/null 2>&1 &&
	$D --db "$P" sync --from "$T/xt" --peer CERT-T --no-ingest --cosigned "$T/cos" >/dev/null 2>&1 &&
	$D --db "$N" log cosignature add "$T/cos" >/dev/null 2>&1 &&
	ok "a node with the exercise and a peer that cosigned its checkpoint" ||
	no "peer setup" "$($D --db "$N" log cosignature add "$T/cos" 2>&1 | head -3)"

TOKEN=$($D --db "$N" token add analyst --role user 2>"$T/err") || no "token add" "$(cat "$T/err")"
serve_start "$N" || { no "serve starts" "$(cat "$T"/serve-*.log 2>/dev/null | tail -3)"; done_tests; exit 1; }
U=$SERVE_URL
AUTH="Authorization: Bearer $TOKEN"

# ---- the page and credentials -------------------------------------------------
s=$(status "$U/")
csp=$(hdr Content-Security-Policy)
[ "$s" = 200 ] && hdr Content-Type | grep -q '^text/html' && grep -q '<title>detente' "$T/body" &&
	cmp -s "$T/body" src/server/web/dashboard.html &&
	ok "GET / without a credential: the embedded page, as in the source tree" || no "GET /" "$s"
case "$csp" in
*"default-src 'none'"*"script-src 'sha256-"*"connect-src 'self'"*) ok "its CSP: the inline script by hash, this server only" ;;
*) no "CSP" "$csp" ;;
esac
[ "$(status "$U/dashboard")" = 200 ] && ok "GET /dashboard" || no "GET /dashboard"
for p in ledger report "trace?ip=8.8.8.8"; do
	s=$(status "$U/api/$p")
	[ "$s" = 401 ] && hdr WWW-Authenticate | grep -q '^Bearer' && ok "/api/$p without a token: 401 Bearer" ||
		no "/api/$p without a token" "$s $(cat "$T/body")"
done
s=$(status "$U/api/ledger" -H "Authorization: Bearer dt1_wrong")
[ "$s" = 401 ] && ok "/api/ledger with a wrong token: 401" || no "wrong token" "$s"
PEERTOKEN=$($D --db "$N" token add some-peer --role peer)
s=$(status "$U/api/report" -H "Authorization: Bearer $PEERTOKEN")
[ "$s" = 403 ] && ok "/api/report with a peer's token: 403 (evidence of every TLP: users only)" || no "peer report" "$s"
s=$(status "$U/api/ledger" -X POST -H "$AUTH")
[ "$s" = 405 ] && ok "POST /api/ledger: 405" || no "POST /api/ledger" "$s"

# ---- /api/ledger ----------------------------------------------------------------
s=$(status "$U/api/ledger" -H "$AUTH")
cp "$T/body" "$T/ledger.json"
curl -s "$U/checkpoint" >"$T/checkpoint"
[ "$s" = 200 ] && jq -e --rawfile cp "$T/checkpoint" '.party == "CERT-T" and .checkpoint.note == $cp and
	(.checkpoint.size | tostring) == ($cp | split("\n")[1]) and .checkpoint.root == ($cp | split("\n")[2])' \
	"$T/ledger.json" >/dev/null &&
	ok "/api/ledger: the checkpoint GET /checkpoint serves, its size and root" ||
	no "/api/ledger checkpoint" "$s $(head -c 300 "$T/ledger.json")"
jq -e '(.cosignatures | length == 1 and .[0].peer == "CERT-P" and (.[0].time | test("^20[0-9-]+T[0-9:]+Z$"))) and
	(.peers | length == 1 and .[0].name == "CERT-P" and .[0].url == "https://cert-p.example/detente" and
	 .[0].size == 1 and (.[0].last_sync | test("^20")) and .[0].cosigned and .[0].cosigned_ours)' \
	"$T/ledger.json" >/dev/null &&
	ok "/api/ledger: P's cosignature with its time; P's last sync, size, cosigned both ways" ||
	no "/api/ledger peers" "$(jq -c '{cosignatures, peers}' "$T/ledger.json" | head -c 500)"

# ---- /api/report -------------------------------------------------------------------
s=$(status "$U/api/report" -H "$AUTH")
cp "$T/body" "$T/report.json"
$D --db "$N" report >"$T/cli-report.json" 2>"$T/err"
[ "$s" = 200 ] && cmp -s "$T/report.json" "$T/cli-report.json" &&
	ok "/api/report is byte for byte \`detente report\`" ||
	no "/api/report" "$s $(cmp "$T/report.json" "$T/cli-report.json" 2>&1)"
jq -e '.report == "detente.report/v1" and (.origins.events | length) > 3 and (.campaigns | length) > 0' \
	"$T/report.json" >/dev/null && ok "the report has countries and campaigns" || no "report content"

# ---- /api/trace -------------------------------------------------------------------
IPS="8.8.8.8 $(jq -r '[.campaigns[].remote_ips[]] | .[0:4][]' "$T/report.json" | tr '\n' ' ')2001:db8::1 ::ffff:58.246.1.2"
$D --db "$N" trace --json $IPS >"$T/trace.jsonl" 2>"$T/err" || no "trace --json" "$(cat "$T/err")"
q=$(for ip in $IPS; do printf 'ip=%s&' "$(printf %s "$ip" | jq -sRr @uri)"; done)
s=$(status "$U/api/trace?${q%&}" -H "$AUTH")
[ "$s" = 200 ] && [ "$(jq -c '.[]' "$T/body")" = "$(jq -c . "$T/trace.jsonl")" ] &&
	[ "$(jq length "$T/body")" -eq "$(echo $IPS | wc -w)" ] &&
	ok "/api/trace: the objects \`trace --json\` prints, in order ($(echo $IPS | wc -w) addresses)" ||
	no "/api/trace" "$s $(head -c 300 "$T/body")"
s=$(status "$U/api/trace?ip=999.1.1.1" -H "$AUTH")
[ "$s" = 400 ] && grep -q "is not an IP address" "$T/body" && ok "/api/trace: a bad address is 400, named" ||
	no "trace bad address" "$s"
q=$(i=0; while [ $i -lt 257 ]; do printf 'ip=10.0.%d.%d&' $((i / 256)) $((i % 256)); i=$((i + 1)); done)
s=$(status "$U/api/trace?${q%&}" -H "$AUTH")
[ "$s" = 400 ] && grep -q "at most 256" "$T/body" && ok "/api/trace: 257 addresses are refused" ||
	no "trace 257" "$s $(head -c 200 "$T/body")"

# ---- the browser --------------------------------------------------------------------
why=""
command -v node >/dev/null 2>&1 || why="node is not installed"
[ -z "$why" ] && [ ! -x "$CHROMIUM" ] && why="$CHROMIUM absent (Debian chromium; sh scripts/bootstrap)"
[ -z "$why" ] && ! node -e 'require("playwright-core")' >/dev/null 2>&1 &&
	why="npm playwright-core absent from $NODE_PATH (sh scripts/bootstrap)"
if [ -n "$why" ]; then
	sk "dashboard in headless chromium" "$why"
	done_tests
	exit $?
fi
DETENTE_CHROMIUM=$CHROMIUM timeout 300 node tests/browser/dashboard.test.js "$U" "$TOKEN" "$T/trace.jsonl" "$SHOT" \
	>"$T/browser" 2>&1
rc=$?
cat "$T/browser"
n_ok=$(grep -c '^ok ' "$T/browser")
n_fail=$(grep -c '^FAIL ' "$T/browser")
pass=$((pass + n_ok))
fail=$((fail + n_fail))
if [ $rc -ne 0 ] && [ "$n_fail" -eq 0 ]; then
	no "browser test exit status $rc" "$(tail -5 "$T/browser")"
fi
[ "$n_ok" -gt 0 ] || no "browser test ran no check"
done_tests
