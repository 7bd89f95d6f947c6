#!/bin/sh
# tests/cli/report_browser.sh — the HTML report in headless Chromium.
#
# Renders tests/data/report/sample.json (a hand-written detente.report/v1
# with hostile strings) to HTML and Markdown, then has
# tests/browser/report.test.js load the HTML from file:// in Debian's
# chromium driven by npm playwright-core (both installed by
# scripts/bootstrap): no network request, no console or page error, one card
# per campaign, every data-figure element equal to the JSON and every JSON
# number on the page, and the world map (drawn when the build had the npm
# map data, build/gen/worldmap.h: filled with the legend's colours, every
# country's title equal to the JSON).  Screenshot in build/report.png.  The
# same for a variant of the sample with small countries (markers), keys no
# map has and a hostile key; and the HTML holds no external URL.
#
# The renderer is reached through the unit test binary's developer mode
# (test_report_render --write-html OUT IN) until `detente report` renders a
# JSON file itself.  Without chromium, node or playwright-core the browser
# checks say so and skip.
set -u
. "$(dirname "$0")/../lib.sh"
TESTBIN=${TESTBIN:-build/rel/tests}
TOOL=$TESTBIN/test_report_render
SAMPLE=tests/data/report/sample.json
CHROMIUM=${DETENTE_CHROMIUM:-/usr/bin/chromium}
NODE_PATH=${NODE_PATH:-$(pwd)/data/node/node_modules}
export NODE_PATH
SHOT=${REPORT_SCREENSHOT:-build/report.png}
[ -n "${KEEP:-}" ] && trap - EXIT && echo "keeping $T"

if [ ! -x "$TOOL" ]; then
	sk "report rendering" "$TOOL not built (make $TOOL)"
	done_tests
	exit $?
fi

"$TOOL" --write-html "$T/report.html" "$SAMPLE" 2>"$T/err" && [ -s "$T/report.html" ] &&
	ok "sample.json renders to HTML" || no "render HTML" "$(cat "$T/err")"
"$TOOL" --write-md "$T/report.md" "$SAMPLE" 2>"$T/err" && [ -s "$T/report.md" ] &&
	ok "sample.json renders to Markdown" || no "render Markdown" "$(cat "$T/err")"
"$TOOL" --write-html "$T/again.html" "$SAMPLE" 2>/dev/null && cmp -s "$T/report.html" "$T/again.html" &&
	ok "the same JSON renders to the same bytes" || no "deterministic HTML"
# ---- the world map: no external URL, the variant ---------------------------
# every attribute value and the style sheet: no URL but the SVG namespace
# (a name, never loaded) and the CSP's own "data:"; text may mention URLs
# (attacker strings), markup may not
{
	grep -oE '[a-zA-Z:-]+="[^"]*"' "$T/report.html" |
		grep -iE '(https?|ftp|wss?|file|data|javascript|blob):|//' |
		grep -v '^xmlns="http://www\.w3\.org/2000/svg"$' |
		grep -v "^content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"$"
	sed -n '/<style>/,/<\/style>/p' "$T/report.html" | grep -iE 'url\(|@import|https?:|//'
	grep -oiE '<[a-z]+ [^>]*(src|srcset|action|xlink:href|poster|background)=' "$T/report.html"
	grep -o 'href="[^#][^"]*"' "$T/report.html"
} >"$T/urls"
[ -s "$T/report.html" ] && [ ! -s "$T/urls" ] &&
	ok "the HTML holds no external URL: none in markup or style, no src=, no href off the page" ||
	no "external URLs in the HTML" "$(head -5 "$T/urls")"
MAP=0
grep -q '^#define WORLDMAP_WIDTH' build/gen/worldmap.h 2>/dev/null && MAP=1
if [ $MAP = 1 ]; then
	[ "$(grep -o '<path class="mq[0-9]" data-cc=' "$T/report.html" | wc -l)" -gt 150 ] &&
		grep -q 'Unit: events' "$T/report.html" &&
		ok "the HTML draws the world map (map data built in)" || no "world map in the HTML"
else
	grep -q 'no map data was built into this detente' "$T/report.html" &&
		ok "no map data built in: the HTML says so (build/gen/worldmap.h is the stub)" ||
		no "no-map notice"
fi
size=$(wc -c <"$T/report.html")
map=$(sed -n '/<figure class="worldmap">/,/<\/figure>/p' "$T/report.html" | wc -c)
echo "     HTML $size bytes, of which the map $map"
[ "$map" -lt 153600 ] && ok "the map is under 150 KiB of the HTML ($map bytes)" || no "map size" "$map"
if command -v jq >/dev/null 2>&1; then
	# SG, HK, MT: small (markers); XK: Kosovo; EU, AP and a hostile key: on no map
	jq '.origins.events += [{"key":"SG","count":40000,"share":1.2},{"key":"HK","count":7,"share":0.002},
		{"key":"MT","count":1,"share":0.0003},{"key":"XK","count":120,"share":0.0364},
		{"key":"EU","count":3,"share":0.0009},{"key":"AP","count":2,"share":0.0006},
		{"key":"<b>x</b>","count":1,"share":0.0003}]
		| .origins.remote_ips += [{"key":"SG","count":2,"share":0.03}]' "$SAMPLE" >"$T/variant.json" &&
		"$TOOL" --write-html "$T/variant.html" "$T/variant.json" 2>"$T/err" &&
		ok "a variant with small countries and unplaceable keys renders" ||
		no "render the variant" "$(cat "$T/err")"
else
	sk "the map variant" "jq absent (sh scripts/bootstrap)"
fi

printf '{"type":"bundle","objects":[]}\n' >"$T/stix.json"
"$TOOL" --write-html "$T/no.html" "$T/stix.json" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q '"report" is missing' "$T/err" && [ ! -e "$T/no.html" ] &&
	ok "a JSON that is not a report is refused, naming what is missing" ||
	no "refuse a non-report" "rc=$rc $(cat "$T/err")"

# ---- the browser ---------------------------------------------------------
why=""
command -v node >/dev/null 2>&1 || why="node is not installed"
[ -z "$why" ] && [ ! -x "$CHROMIUM" ] && why="$CHROMIUM absent (Debian chromium; sh scripts/bootstrap)"
[ -z "$why" ] && ! node -e 'require("playwright-core")' >/dev/null 2>&1 &&
	why="npm playwright-core absent from $NODE_PATH (sh scripts/bootstrap)"
if [ -n "$why" ]; then
	sk "report in headless chromium" "$why"
	done_tests
	exit $?
fi
[ -s "$T/report.html" ] || { no "report in headless chromium" "no HTML to load"; done_tests; exit $?; }
browse() { # HTML JSON [SCREENSHOT]
	DETENTE_CHROMIUM=$CHROMIUM REPORT_EXPECT_MAP=$MAP timeout 180 node tests/browser/report.test.js "$@" \
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
}
browse "$T/report.html" "$SAMPLE" "$SHOT"
if [ -s "$T/variant.html" ]; then
	echo "-- the variant (markers, keys on no map, a hostile key)"
	browse "$T/variant.html" "$T/variant.json"
	if [ $MAP = 1 ]; then
		grep -q '<circle class="mq5" data-cc="SG"' "$T/variant.html" &&
			grep -q '<circle class="mq[0-9]" data-cc="MT"' "$T/variant.html" &&
			grep -q 'data-cc="XK"' "$T/variant.html" &&
			grep -q 'Not on the map: <strong>??</strong> (location unknown)' "$T/variant.html" &&
			grep -q '<strong>&lt;b&gt;x&lt;/b&gt;</strong>' "$T/variant.html" &&
			ok "the variant: markers for SG and MT, Kosovo as XK, unplaceable keys listed and escaped" ||
			no "the variant's map"
	fi
fi
done_tests
