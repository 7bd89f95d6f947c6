#!/bin/sh
# tests/cli/report_browser.sh — the HTML report in headless Chromium.
#
# Renders tests/data/report/sample.json (a hand-written detente.report/v1
# with hostile strings) to HTML and Markdown, then has
# tests/browser/report.test.js load the HTML from file:// in Debian's
# chromium driven by npm playwright-core (both installed by
# scripts/bootstrap): no network request, no console or page error, one card
# per campaign, every data-figure element equal to the JSON and every JSON
# number on the page.  Screenshot in build/report.png.
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
DETENTE_CHROMIUM=$CHROMIUM timeout 180 node tests/browser/report.test.js "$T/report.html" "$SAMPLE" "$SHOT" \
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
