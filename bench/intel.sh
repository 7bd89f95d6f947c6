#!/bin/sh
# bench/intel.sh — indicator matching (intel/matchset.h) against the tools a
# user would otherwise reach for, side by side on the same generated files:
#
#   IP/CIDR     bench/intel_match cidr   vs  grepcidr -c -f CIDRS ADDRS
#               (1M indicators: ~70% single addresses, the rest /8../31
#               prefixes, some nested; 10M event addresses, one a line)
#   domains     bench/intel_match domain vs  mawk: a hash of the indicator
#               domains, each name and its parents looked up (the usual
#               awk one-liner); 1M indicator domains, 2M names, mostly misses
#
# Counts must agree (printed "ok" or "DIFFER").  Each tool is pinned to one
# core when there are two; intel_match runs RUNS times (fastest kept), the
# peers once (they take tens of seconds).  Inputs come from
# bench/gen_intel.awk with fixed seeds and are cached in
# ${TMPDIR:-/tmp}/detente-intel-bench/.
#
#   INTEL_CIDRS=N  INTEL_ADDRS=N  INTEL_DOMAINS=N  INTEL_NAMES=N  INTEL_RUNS=N
#
# Prints one table on stdout; progress on stderr.
# shellcheck disable=SC2086
set -eu

cd "$(dirname "$0")/.."
BIN=build/rel/bench/intel_match
NC=${INTEL_CIDRS:-1000000}
NA=${INTEL_ADDRS:-10000000}
ND=${INTEL_DOMAINS:-1000000}
NN=${INTEL_NAMES:-2000000}
RUNS=${INTEL_RUNS:-3}
DIR=${TMPDIR:-/tmp}/detente-intel-bench
RESULTS=$DIR/results.tsv

die() { echo "bench/intel.sh: $*" >&2; exit 2; }
say() { echo "== $*" >&2; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
met() { awk "BEGIN { if ($1) print \"met\"; else print \"MISSED\" }"; }
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$RESULTS"; }
now() { date +%s.%N; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

[ -x "$BIN" ] || die "$BIN missing: make bench-bin"
for t in grepcidr mawk; do
	command -v $t >/dev/null 2>&1 || die "$t missing (Debian packages grepcidr, mawk)"
done
mkdir -p "$DIR"
: >"$RESULTS"
PIN=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc 2>/dev/null || echo 1)" -gt 1 ]; then
	PIN="taskset -c 1"
fi
[ -r /proc/loadavg ] && echo "bench: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

GEN="mawk -f bench/gen_intel.awk"
CIDRS=$DIR/cidrs-$NC.txt ADDRS=$DIR/addrs-$NC-$NA.txt
DOMS=$DIR/domains-$ND.txt NAMES=$DIR/names-$ND-$NN.txt
[ -s "$CIDRS" ] || { say "generating $CIDRS"; $GEN -v MODE=cidrs -v N="$NC" -v SEED=42 >"$CIDRS.tmp" && mv "$CIDRS.tmp" "$CIDRS"; }
[ -s "$ADDRS" ] || { say "generating $ADDRS"; $GEN -v MODE=addrs -v N="$NA" -v SEED=43 "$CIDRS" >"$ADDRS.tmp" && mv "$ADDRS.tmp" "$ADDRS"; }
[ -s "$DOMS" ] || { say "generating $DOMS"; $GEN -v MODE=domains -v N="$ND" -v SEED=44 >"$DOMS.tmp" && mv "$DOMS.tmp" "$DOMS"; }
[ -s "$NAMES" ] || { say "generating $NAMES"; $GEN -v MODE=names -v N="$NN" -v SEED=45 "$DOMS" >"$NAMES.tmp" && mv "$NAMES.tmp" "$NAMES"; }
cat "$CIDRS" "$ADDRS" "$DOMS" "$NAMES" >/dev/null # page cache

# wall CMD: seconds of one pinned run of CMD (sh); its stdout goes to $DIR/out
wall() {
	t0=$(now)
	$PIN sh -c "$1" >"$DIR/out" || : # grepcidr -c exits 1 on a count of 0
	calc '%.4f' "$(now) - $t0"
}

# --- IP/CIDR ---------------------------------------------------------------
say "grepcidr -c -f $CIDRS $ADDRS (and alone on 1 line: its load time)"
head -n 1 "$ADDRS" >"$DIR/one.txt"
G_LOAD=$(wall "grepcidr -c -f $CIDRS $DIR/one.txt")
G_ALL=$(wall "grepcidr -c -f $CIDRS $ADDRS")
G_COUNT=$(cat "$DIR/out")
echo "  grepcidr: $G_ALL s ($G_LOAD s loading), count $G_COUNT" >&2

say "intel_match cidr -n (whole process), best of $RUNS; then with lookup timings"
D_ALL="" i=0
while [ "$i" -lt "$RUNS" ]; do
	t=$(wall "$BIN cidr -n $CIDRS $ADDRS 2>/dev/null")
	echo "  run $((i + 1)): $t s" >&2
	if [ -z "$D_ALL" ] || [ "$(met "$t < $D_ALL")" = met ]; then D_ALL=$t; fi
	i=$((i + 1))
done
D_OUT=$($PIN $BIN cidr "$CIDRS" "$ADDRS")
D_COUNT=$(field "$D_OUT" matched)
D_LINES=$(field "$D_OUT" lines)
D_BUILD=$(calc '%.3f' "$(field "$D_OUT" load_s) + $(field "$D_OUT" build_s)")
D_MATCH=$(field "$D_OUT" match_s)
D_LOOK=$(field "$D_OUT" lookup_s)
D_N4=$(field "$D_OUT" lookups)
D_MIB=$(calc '%.1f' "$(field "$D_OUT" bytes) / 1048576")
AGREE=$([ "$D_COUNT" = "$G_COUNT" ] && echo ok || echo DIFFER)
G_RATE=$(calc '%.3f' "$D_LINES / ($G_ALL - $G_LOAD) / 1e6")

row "IP/CIDR end to end: $NC indicators, $NA lines" "$(calc '%.2f s' "$D_ALL")" \
	"$(calc '%.2f s' "$G_ALL")" "$(calc '%.1fx' "$G_ALL / $D_ALL")" \
	"whole process, one core each; counts $D_COUNT vs $G_COUNT: $AGREE"
row "IP/CIDR load + build of $NC indicators" "$D_BUILD s" "$(calc '%.2f s' "$G_LOAD")" \
	"$(calc '%.1fx' "$G_LOAD / $D_BUILD")" "detente: parse + matchset_build, $D_MIB MiB; grepcidr: run on 1 line"
row "IP/CIDR match: parse + lookup per line" "$(calc '%.1f M/s' "$D_LINES / $D_MATCH / 1e6")" \
	"$G_RATE M/s" "$(calc '%.1fx' "$D_LINES / $D_MATCH / 1e6 / $G_RATE")" \
	"grepcidr: (run - load) per line; detente: dt_ip_parse + batched lookup"
row "IP/CIDR lookups alone (parsed IPv4, batch)" "$(calc '%.1f M/s' "$D_N4 / $D_LOOK / 1e6")" \
	"$G_RATE M/s" "$(calc '%.1fx' "$D_N4 / $D_LOOK / 1e6 / $G_RATE")" \
	"matchset_ip4_sets vs grepcidr's per-line rate; target >=20x: $(met "$D_N4 / $D_LOOK / 1e6 / $G_RATE >= 20")"

# --- domains ---------------------------------------------------------------
say "domains: mawk suffix walk over $NAMES"
AWKPROG='NR == FNR { d[$0]; next } { s = $0; for (;;) { if (s in d) { c++; break }; i = index(s, "."); if (!i) break; s = substr(s, i + 1) } } END { print c + 0 }'
M_ALL=$(wall "mawk '$AWKPROG' $DOMS $NAMES")
M_COUNT=$(cat "$DIR/out")
head -n 1 "$NAMES" >"$DIR/one.txt"
M_LOAD=$(wall "mawk '$AWKPROG' $DOMS $DIR/one.txt")
echo "  mawk: $M_ALL s ($M_LOAD s loading), count $M_COUNT" >&2
say "intel_match domain, best of $RUNS"
B_LOOK="" i=0
while [ "$i" -lt "$RUNS" ]; do
	O=$($PIN $BIN domain "$DOMS" "$NAMES")
	t=$(field "$O" lookup_s)
	echo "  run $((i + 1)): lookups $t s, build $(field "$O" build_s) s" >&2
	if [ -z "$B_LOOK" ] || [ "$(met "$t < $B_LOOK")" = met ]; then B_LOOK=$t B_OUT=$O; fi
	i=$((i + 1))
done
B_COUNT=$(field "$B_OUT" matched)
B_N=$(field "$B_OUT" lines)
B_RATE=$(calc '%.2f' "$B_N / $B_LOOK / 1e6")
M_RATE=$(calc '%.3f' "$B_N / ($M_ALL - $M_LOAD) / 1e6")
AGREE=$([ "$B_COUNT" = "$M_COUNT" ] && echo ok || echo DIFFER)
row "domain suffix lookups: $ND domains, $B_N names" "$B_RATE M/s" "$M_RATE M/s" \
	"$(calc '%.1fx' "$B_RATE / $M_RATE")" \
	"one core; counts $B_COUNT vs $M_COUNT: $AGREE; target >=5 M/s: $(met "$B_RATE >= 5")"
row "domain load + build" "$(calc '%.3f s' "$(field "$B_OUT" load_s) + $(field "$B_OUT" build_s)")" \
	"$(calc '%.2f s' "$M_LOAD")" "" "$(calc '%.1f' "$(field "$B_OUT" bytes) / 1048576") MiB"
rm -f "$DIR/out" "$DIR/one.txt"

echo
echo "detente indicator matching ($(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc 2>/dev/null || echo '?') cores, ${PIN:-unpinned})"
echo "ratio: how many times faster detente is than the peer"
echo
awk -F'\t' '
BEGIN { fmt = "%-46s | %-10s | %-10s | %-6s | %s\n"
	printf fmt, "what", "detente", "peer", "ratio", "note"
	printf fmt, "----", "-------", "----", "-----", "----" }
{ printf fmt, $1, $2, $3, $4, $5 }' "$RESULTS"
exit 0
