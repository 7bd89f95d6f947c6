#!/bin/sh
# tests/cli/campaigns.sh — `detente campaigns` and `detente report` on
# simulated exercises with ground truth.
#
# For three seeds, a node ingests every victim's files of `detente simulate`
# (victim, sector and home network from victims.tsv), imports the
# exercise's STIX bundle and MISP's public-dns-v4 warning list, matches, and
# groups: the adjusted Rand index against truth.tsv (tests/tools/ari.awk)
# must be at least 0.9, every true campaign mostly inside one detente
# campaign, and no detente campaign may hold records of two true campaigns.
# The guard is shown to matter: a node without the warning list (and whose
# refdata flags no resolver) merges campaigns through 8.8.8.8.  Then the
# JSON contract of `campaigns --json`, the report's arithmetic and
# determinism, its ledger citations (each leaf hash recomputed from `log
# entry N`), and its Markdown and HTML renderings (the HTML in headless
# Chromium: tests/browser/report.test.js).
set -u
. "$(dirname "$0")/../lib.sh"
CORPUS=${DETENTE_CORPUS:-../shared/corpus}
WL=$CORPUS/misp/warninglists/public-dns-v4.json
CHROMIUM=${DETENTE_CHROMIUM:-/usr/bin/chromium}
NODE_PATH=${NODE_PATH:-$(pwd)/data/node/node_modules}
export NODE_PATH
[ -n "${KEEP:-}" ] && trap - EXIT && echo "keeping $T"

check "campaigns --help" $D campaigns --help
check "report --help" $D report --help
$D --db "$T/none.db" campaigns >/dev/null 2>&1; [ $? -eq 2 ] && ok "campaigns without a node: exit 2" ||
	no "campaigns without a node"
$D campaigns --window 0 >/dev/null 2>&1; [ $? -eq 2 ] && ok "--window 0: exit 2" || no "--window 0"
$D report --format pdf >/dev/null 2>"$T/err"; [ $? -eq 2 ] && grep -q "unknown report format" "$T/err" &&
	ok "report --format pdf: exit 2, says why" || no "--format pdf" "$(cat "$T/err")"

# mknode DB SIMDIR [WARNINGLIST]: a node holding both parties' evidence
mknode() {
	db=$1 dir=$2 wl=${3:-}
	$D --db "$db" init --party CERT-T >/dev/null 2>&1 || return 1
	$D --db "$db" refdata build --defaults -q >/dev/null 2>&1 ||
		$D --db "$db" refdata build --asn data/ip-location-db-asn/asn-ipv4.csv -q >/dev/null 2>&1 || return 1
	tail -n +2 "$dir/victims.tsv" | while IFS="$(printf '\t')" read -r party sub victim sector net; do
		$D --db "$db" ingest --victim "$victim" --sector "$sector" --home-net "$net" \
			"$dir/$sub"/* >/dev/null 2>&1 || echo "ingest $sub failed" >&2
	done
	$D --db "$db" intel import "$dir/intel/apt1-campaign.json" $wl >/dev/null 2>&1 || return 1
	$D --db "$db" match >/dev/null 2>&1 || return 1
	(cd "$dir" && for f in party-*/*/*; do
		printf 'sha256:%s\t%s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$f"
	done) >"$db.digests"
}

if [ ! -f "$WL" ]; then
	sk "campaigns on simulated exercises" "$WL absent (../shared/corpus)"
	done_tests
	exit $?
fi
if ! $D simulate --seed 1 "$T/s1" >/dev/null 2>"$T/err"; then
	sk "campaigns on simulated exercises" "simulate: $(head -1 "$T/err") (scripts/bootstrap)"
	done_tests
	exit $?
fi

for seed in 1 2 3; do
	[ -d "$T/s$seed" ] || $D simulate --seed $seed "$T/s$seed" >/dev/null 2>&1
	if ! mknode "$T/n$seed.db" "$T/s$seed" "$WL" 2>"$T/err"; then
		no "seed $seed: a node with the exercise" "$(cat "$T/err")"
		continue
	fi
	$D --db "$T/n$seed.db" campaigns --members >"$T/m$seed" 2>"$T/err" ||
		no "seed $seed: campaigns --members" "$(cat "$T/err")"
	awk -f tests/tools/ari.awk "$T/n$seed.db.digests" "$T/s$seed/truth.tsv" "$T/m$seed" >"$T/ari$seed" 2>&1
	ari=$(awk '$1 == "ari" { print $2 }' "$T/ari$seed")
	awk -v a="$ari" 'BEGIN { exit !(a >= 0.9) }' &&
		ok "seed $seed: adjusted Rand index $ari >= 0.9" || no "seed $seed: ARI" "$(cat "$T/ari$seed")"
	awk '$1 == "truth" { n++; if ($7 + 0 < 0.9 && $7 != "(recall") bad++; split($0, f, "recall "); if (f[2] + 0 < 0.9) bad++ }
		END { exit !(n == 3 && bad == 0) }' "$T/ari$seed" &&
		ok "seed $seed: each true campaign has 90% or more of its records in one detente campaign" ||
		no "seed $seed: recall" "$(cat "$T/ari$seed")"
	grep -q '^merged 0$' "$T/ari$seed" && ok "seed $seed: no detente campaign holds two true campaigns" ||
		no "seed $seed: merged" "$(grep merged "$T/ari$seed")"
done

# ---- the guard matters: without it, resolvers join campaigns ------------
if mknode "$T/g.db" "$T/s1" 2>"$T/err"; then
	if $D --db "$T/g.db" trace --json 8.8.8.8 | grep -q '"public-dns"'; then
		sk "the guard matters" "the default refdata already flags resolvers"
	else
		$D --db "$T/g.db" campaigns --members >"$T/mg" 2>/dev/null
		awk -f tests/tools/ari.awk "$T/g.db.digests" "$T/s1/truth.tsv" "$T/mg" >"$T/arig" 2>&1
		grep -q '^merged [1-9]' "$T/arig" && grep -q '^merged C-.*c01.*c03\|^merged C-.*c03.*c01' "$T/arig" &&
			ok "without the warning list, 8.8.8.8 merges c01 and c03 (the test can fail)" ||
			no "guard control" "$(cat "$T/arig")"
		$D --db "$T/g.db" intel import "$WL" >/dev/null 2>&1
		$D --db "$T/g.db" campaigns --members >"$T/mg2" 2>/dev/null
		awk -f tests/tools/ari.awk "$T/g.db.digests" "$T/s1/truth.tsv" "$T/mg2" >"$T/arig2" 2>&1
		grep -q '^merged 0$' "$T/arig2" && ok "importing the warning list afterwards separates them again" ||
			no "guard after import" "$(cat "$T/arig2")"
	fi
else
	no "a node without the warning list" "$(cat "$T/err")"
fi

# ---- campaigns --json: the contract --------------------------------------
I="$D --db $T/n1.db"
$I campaigns --json >"$T/cj" 2>"$T/err" || no "campaigns --json" "$(cat "$T/err")"
[ -s "$T/cj" ] && jq -e -s 'length > 0 and all(.[]; has("id") and (.events | type == "number") and
	(.remote_ips | type == "array") and (.victims | type == "array") and (.countries | type == "array") and
	(.asns | type == "array") and (.links | length > 0))' "$T/cj" >/dev/null &&
	ok "campaigns --json: one object a line with id, events, remote_ips, victims, countries, asns, links" ||
	no "campaigns --json contract" "$(head -c 300 "$T/cj")"
# (its DNS lookups went to the exercise's public resolvers: those are the
# victims' own queries, joined through the C2 names they asked for)
jq -e -s 'map(select(.actors | any(.name | test("Shanghai")))) | length == 1 and
	(.[0].remote_ips | map(select(test("^(1\\.0\\.0\\.1|1\\.1\\.1\\.1|8\\.8\\.4\\.4|8\\.8\\.8\\.8)$") | not)) |
	length > 8 and all(test("^(58\\.24[67]|112\\.6[45]|139\\.22[67]|223\\.16[67])\\.")))' "$T/cj" >/dev/null 2>&1 &&
	ok "the APT1-style campaign: one, its remote addresses (but the resolvers) all in the four Shanghai /15s" ||
	no "APT1 campaign addresses" "$(jq -c -s '.[0] | {title, remote_ips}' "$T/cj" | head -c 400)"
jq -e -s '.[0].timezone.best == "+08:00" and (.[0].confidence | test("^(moderate|high)$"))' "$T/cj" >/dev/null &&
	ok "its working hours fit UTC+8 best; confidence moderate or high" ||
	no "APT1 time zone" "$(jq -c -s '.[0] | {timezone: .timezone.best, confidence}' "$T/cj")"

# ---- the report -----------------------------------------------------------
$I report -o "$T/r.json" 2>"$T/err" && $I report >"$T/r2.json" 2>/dev/null && cmp -s "$T/r.json" "$T/r2.json" &&
	ok "report --format json: written, and the same bytes twice" || no "report json" "$(cat "$T/err")"
jq -e --slurpfile c "$T/cj" '.report == "detente.report/v1" and .totals.campaigns == ($c | length) and
	.totals.campaign_events == ([$c[].events] | add) and
	([.origins.events[].count] | add) == .totals.attack_events and
	([.origins.remote_ips[].count] | add) == .totals.remote_ips and
	([.campaigns[].id] == [$c[].id])' "$T/r.json" >/dev/null &&
	ok "report: campaigns and totals agree with campaigns --json; origins add up per unit" ||
	no "report arithmetic" "$(jq -c .totals "$T/r.json")"
jq -r '.entries[] | "\(.index) \(.leaf_hash)"' "$T/r.json" >"$T/refs"
bad=0 n=0
while read -r idx hash; do
	n=$((n + 1))
	got=$({ printf '\000'; $I log entry "$idx"; } | sha256sum | cut -d' ' -f1)
	[ "$got" = "$hash" ] || bad=$((bad + 1))
done <"$T/refs"
[ "$n" -eq 24 ] && [ "$bad" -eq 0 ] &&
	ok "the report cites the 24 submissions; every leaf hash = SHA-256(0x00 || log entry N)" ||
	no "ledger citations" "$n entries, $bad wrong"
jq -e --arg cp "$($I log checkpoint)" '.checkpoint.note == ($cp + "\n") or .checkpoint.note == $cp' "$T/r.json" >/dev/null &&
	ok "the report carries the ledger checkpoint it was computed at" || no "checkpoint" "$(jq .checkpoint "$T/r.json")"
$I report --format md -o "$T/r.md" 2>/dev/null && grep -q '^# ' "$T/r.md" &&
	grep -q "$(jq -r '.campaigns[0].id' "$T/r.json")" "$T/r.md" &&
	ok "report --format md" || no "report md"
$I report --format html -o "$T/r.html" 2>/dev/null && grep -q '<html' "$T/r.html" &&
	ok "report --format html" || no "report html"

why=""
command -v node >/dev/null 2>&1 || why="node is not installed"
[ -z "$why" ] && [ ! -x "$CHROMIUM" ] && why="$CHROMIUM absent (Debian chromium; sh scripts/bootstrap)"
[ -z "$why" ] && ! node -e 'require("playwright-core")' >/dev/null 2>&1 &&
	why="npm playwright-core absent from $NODE_PATH (sh scripts/bootstrap)"
if [ -n "$why" ]; then
	sk "the real report in headless chromium" "$why"
else
	DETENTE_CHROMIUM=$CHROMIUM timeout 300 node tests/browser/report.test.js "$T/r.html" "$T/r.json" \
		>"$T/browser" 2>&1
	rc=$?
	[ $rc -eq 0 ] && ok "the report of seed 1 in headless chromium: $(grep -c '^ok' "$T/browser") checks" ||
		no "the real report in chromium" "$(grep -v '^ok' "$T/browser" | head -5)"
fi
done_tests
