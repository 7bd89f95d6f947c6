#!/bin/sh
# bench/run.sh — run every benchmark side by side with its peer and print
# one table; `make bench` calls it after scripts/bootstrap --bench and the
# build.  See bench/README.md for what each row measures.
#
# Everything generated lives in bench/out/ (git-ignored): the bench node
# (bench.db.d), the MaxMind DB with the same data and the 10M-line input,
# both keyed by the refdata digest so they are reused while the reference
# data does not change.
#
#   BENCH_SKIP_WRITER=1   do not re-time the Perl MMDB writer when the .mmdb
#                         is cached; report the time recorded when it was made
#   BENCH_LINES=N         lines of the end-to-end input (default 10000000)
#   BENCH_NO_HYPERFINE=1  time with date +%s.%N even when hyperfine is there
#   BENCH_ONLY=ingest     only the telemetry ingest benchmarks (bench/ingest.sh)
#   BENCH_SKIP_INGEST=1   everything but those
#   BENCH_ONLY=campaigns  only campaigns and the report at 10M events (bench/campaigns.sh)
#   BENCH_ONLY=serve      only the node server under wrk, beside nginx (bench/serve.sh)
#   BENCH_ONLY=intel      only the threat-intel benchmarks (bench/intel.sh:
#                         the matching index; bench/match.sh: the binary)
#   BENCH_SKIP_INTEL=1    everything but those
#   BENCH_ONLY=privacy    only Crypto-PAn and the sanitizers (bench/privacy.sh:
#                         against traceanon; bench/sanitize_pcap.sh)
#
# $PIN is a word list (empty or "taskset -c 1") and index_rss prints
# fields to split, on purpose:
# shellcheck disable=SC2086,SC2046
set -eu

cd "$(dirname "$0")/.."
[ "${BENCH_ONLY:-}" = ingest ] && exec sh bench/ingest.sh
[ "${BENCH_ONLY:-}" = intel ] && { sh bench/intel.sh && exec sh bench/match.sh; }
[ "${BENCH_ONLY:-}" = campaigns ] && exec sh bench/campaigns.sh
[ "${BENCH_ONLY:-}" = serve ] && exec sh bench/serve.sh
[ "${BENCH_ONLY:-}" = privacy ] && { sh bench/privacy.sh && exec sh bench/sanitize_pcap.sh; }
OUT=bench/out
DB=$OUT/bench.db
BIN=build/rel/bench
RESULTS=$OUT/results.tsv
LINES=${BENCH_LINES:-10000000}
T_START=$(date +%s)

die() { echo "bench: $*" >&2; exit 2; }
say() { echo "== $*" >&2; }

for f in ./detente $BIN/lookup $BIN/mmdb_trace $BIN/gen_ips $BIN/index_rss; do
	[ -x "$f" ] || die "$f missing: run 'make bench' (or 'make all bench-bin')"
done
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
	die "Perl MaxMind::DB::Writer::Tree missing: sh scripts/bootstrap --bench"
mkdir -p "$OUT"
: >"$RESULTS"

# Timing-sensitive runs go to one core when there is more than one, away
# from whatever else the machine is doing on core 0.
PIN=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc 2>/dev/null || echo 1)" -gt 1 ]; then
	PIN="taskset -c 1"
fi
HYPERFINE=""
if [ "${BENCH_NO_HYPERFINE:-0}" != 1 ] && command -v hyperfine >/dev/null 2>&1 &&
	command -v jq >/dev/null 2>&1; then
	HYPERFINE=hyperfine
fi
GNUTIME=""
[ -x /usr/bin/time ] && GNUTIME=/usr/bin/time

# row WHAT DETENTE PEER RATIO [NOTE]
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$RESULTS"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
met() { awk "BEGIN { if ($1) print \"met\"; else print \"MISSED\" }"; }
now() { date +%s.%N; }

# wall CMD: seconds one run of CMD (run by sh) takes, pinned.
wall() {
	t0=$(now)
	$PIN sh -c "$1"
	t1=$(now)
	calc '%.6f' "$t1 - $t0"
}

# min_of A B: the smaller number; A may be empty.
min_of() {
	if [ -z "$1" ] || [ "$(met "$2 < $1")" = met ]; then echo "$2"; else echo "$1"; fi
}

# time_cmd RUNS WARMUP PREPARE CMD: wall seconds of the fastest run of CMD
# (run by sh), with hyperfine when installed, else date +%s.%N around each
# run.  The fastest, not the mean: the machine may be shared, and noise only
# ever adds time (hyperfine's output above the table shows mean and spread).
time_cmd() {
	runs=$1 warm=$2 prep=$3 cmd=$4
	if [ -n "$HYPERFINE" ]; then
		json=$OUT/hyperfine.json
		if [ -n "$prep" ]; then
			$PIN hyperfine --style basic --runs "$runs" --warmup "$warm" \
				--prepare "$prep" --export-json "$json" "$cmd" >&2
		else
			$PIN hyperfine --style basic --runs "$runs" --warmup "$warm" \
				--export-json "$json" "$cmd" >&2
		fi
		jq -r '.results[0].min' "$json"
		rm -f "$json"
		return
	fi
	i=0 best=""
	while [ "$i" -lt "$((runs + warm))" ]; do
		[ -n "$prep" ] && sh -c "$prep"
		t=$(wall "$cmd")
		if [ "$i" -ge "$warm" ]; then
			echo "  run $((i - warm + 1)): $t s" >&2
			best=$(min_of "$best" "$t")
		fi
		i=$((i + 1))
	done
	echo "$best"
}

# time_pair ROUNDS CMD_D CMD_P: the two commands take turns, a warm-up round
# and then ROUNDS timed rounds (hyperfine --runs 1 for both, or date), so
# that a busy spell of a shared machine hits both alike; sets PAIR_D and
# PAIR_P to the fastest run of each.
time_pair() {
	rounds=$1 cmd_d=$2 cmd_p=$3
	PAIR_D="" PAIR_P="" r=0
	while [ "$r" -le "$rounds" ]; do
		if [ -n "$HYPERFINE" ]; then
			json=$OUT/hyperfine.json
			$PIN hyperfine --style none --runs 1 --export-json "$json" \
				"$cmd_d" "$cmd_p" >&2
			td=$(jq -r '.results[0].mean' "$json")
			tp=$(jq -r '.results[1].mean' "$json")
			rm -f "$json"
		else
			td=$(wall "$cmd_d")
			tp=$(wall "$cmd_p")
		fi
		if [ "$r" = 0 ]; then
			echo "  warm-up: detente $(calc '%.2f' "$td") s, peer $(calc '%.2f' "$tp") s" >&2
		else
			echo "  round $r: detente $(calc '%.2f' "$td") s, peer $(calc '%.2f' "$tp") s" >&2
			PAIR_D=$(min_of "$PAIR_D" "$td")
			PAIR_P=$(min_of "$PAIR_P" "$tp")
		fi
		r=$((r + 1))
	done
}

# max_rss_kib CMD: maximum resident set of CMD (run by sh) in KiB.
max_rss_kib() {
	$GNUTIME -f '%M' -o "$OUT/time.out" sh -c "$1" >&2
	tail -n 1 "$OUT/time.out"
	rm -f "$OUT/time.out"
}

mib() { calc '%.1f MiB' "$1 / 1024"; }

echo "bench: $(nproc 2>/dev/null || echo '?') cores, pinned with '${PIN:-nothing}'," \
	"timer: ${HYPERFINE:-date}, max RSS: ${GNUTIME:-not available}" >&2
if [ -r /proc/loadavg ]; then
	echo "bench: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" \
		"(other work on this machine adds noise)" >&2
fi

# --- index build from the installed defaults (README: 3) ----------------
say "index build from defaults: ./detente --db $OUT/x.db refdata build"
BUILD_S=$(time_cmd 3 1 "rm -rf $OUT/x.db.d" "./detente --db $OUT/x.db refdata build --quiet")
BUILD_RSS=""
[ -n "$GNUTIME" ] &&
	BUILD_RSS=$(max_rss_kib "rm -rf $OUT/x.db.d && ./detente --db $OUT/x.db refdata build --quiet")
rm -rf "$OUT/x.db.d"

say "bench node: ./detente --db $DB refdata build"
./detente --db "$DB" refdata build >&2
DIGEST=$(./detente --db "$DB" refdata show --json |
	sed -n 's/.*"digest": *"sha256:\([0-9a-f]*\)".*/\1/p' | head -n 1)
[ -n "$DIGEST" ] || die "cannot read the refdata digest"
KEY=$(echo "$DIGEST" | cut -c1-16)
MMDB=$OUT/detente-$KEY.mmdb
IPS=$OUT/ips-$LINES-$KEY.txt

# --- the MaxMind DB with the same data, the peer of the build (README) --
# SOURCE_DATE_EPOCH (fixed; libmaxminddb refuses 0): the same dump gives
# the same bytes, so a rewrite can be compared with the cached file
WRITER_CMD="./detente --db $DB refdata dump | SOURCE_DATE_EPOCH=1700000000 perl bench/mkmmdb.pl $OUT/mmdb.tmp"
WRITER_NOTE=""
if [ -f "$MMDB" ] && [ "${BENCH_SKIP_WRITER:-0}" = 1 ] && [ -f "$MMDB.seconds" ]; then
	WRITER_S=$(cat "$MMDB.seconds")
	WRITER_RSS=$(cat "$MMDB.maxrss" 2>/dev/null || true)
	WRITER_NOTE="writer time from cache"
else
	say "MMDB with the same data: detente refdata dump | perl bench/mkmmdb.pl"
	rm -f "$OUT/mmdb.tmp"
	t0=$(now)
	if [ -n "$GNUTIME" ]; then
		# the writer is the process that matters; dump is 0.5 s and small
		WRITER_RSS=$($GNUTIME -f '%M' -o "$OUT/time.out" $PIN sh -c "$WRITER_CMD" >&2 &&
			tail -n 1 "$OUT/time.out")
		rm -f "$OUT/time.out"
	else
		$PIN sh -c "$WRITER_CMD"
		WRITER_RSS=""
	fi
	t1=$(now)
	WRITER_S=$(calc '%.3f' "$t1 - $t0")
	if [ ! -f "$MMDB" ]; then
		mv "$OUT/mmdb.tmp" "$MMDB"
	elif cmp -s "$OUT/mmdb.tmp" "$MMDB"; then
		rm -f "$OUT/mmdb.tmp"
		echo "bench: rewritten MMDB identical to the cached $MMDB" >&2
	else
		mv "$OUT/mmdb.tmp" "$MMDB"
		echo "bench: rewritten MMDB differs from the cached one; replaced" >&2
	fi
	echo "$WRITER_S" >"$MMDB.seconds"
	[ -n "$WRITER_RSS" ] && echo "$WRITER_RSS" >"$MMDB.maxrss"
fi
echo "bench: $MMDB ($(wc -c <"$MMDB") bytes)" >&2

row "index build from defaults (peer: Perl MMDB writer)" \
	"$(calc '%.2f s' "$BUILD_S")" "$(calc '%.2f s' "$WRITER_S")" \
	"$(calc '%.1fx' "$WRITER_S / $BUILD_S")" \
	"target <=5 s: $(met "$BUILD_S <= 5")${WRITER_NOTE:+; $WRITER_NOTE}"
if [ -n "$BUILD_RSS" ] && [ -n "${WRITER_RSS:-}" ]; then
	row "index build max RSS" "$(mib "$BUILD_RSS")" "$(mib "$WRITER_RSS")" \
		"$(calc '%.1fx' "$WRITER_RSS / $BUILD_RSS")"
fi

# --- bulk lookups (README: 1) ----------------------------------------------
say "bulk attribution, one core: $BIN/lookup"
$PIN $BIN/lookup "$DB" "$MMDB" >"$OUT/lookup.rows" || die "$BIN/lookup failed"
grep '^row	' "$OUT/lookup.rows" | cut -f2- >>"$RESULTS"
rm -f "$OUT/lookup.rows"

# --- end to end (README: 2) ------------------------------------------------
if [ ! -f "$IPS" ]; then
	say "generating $IPS ($LINES lines)"
	rm -f "$OUT"/ips-"$LINES"-*.txt
	$BIN/gen_ips "$DB" "$IPS" "$LINES"
fi
CHECK_LINES=200000
say "end to end: agreement on the first $CHECK_LINES lines"
head -n "$CHECK_LINES" "$IPS" >"$OUT/check.txt"
./detente --db "$DB" trace --tsv <"$OUT/check.txt" | cut -f1-5 >"$OUT/check.detente"
$BIN/mmdb_trace "$MMDB" <"$OUT/check.txt" | cut -f1-5 >"$OUT/check.mmdb"
E2E_BAD=$(paste "$OUT/check.detente" "$OUT/check.mmdb" |
	awk -F'\t' '$1 != $6 || $2 != $7 || $3 != $8 || $4 != $9 { n++ } END { print n + 0 }')
E2E_NET=$(paste "$OUT/check.detente" "$OUT/check.mmdb" |
	awk -F'\t' '$5 != $10 { n++ } END { print n + 0 }')
rm -f "$OUT/check.txt" "$OUT/check.detente" "$OUT/check.mmdb"
row "trace: mismatches (ip,country,asn,as_org)" "$E2E_BAD of $CHECK_LINES" "" "" \
	"network column differs on $E2E_NET"

say "end to end, one core, taking turns: detente trace --tsv --threads 1 < $IPS > /dev/null" \
	"and $BIN/mmdb_trace $MMDB < $IPS > /dev/null"
time_pair 3 "./detente --db $DB trace --tsv --threads 1 < $IPS > /dev/null" \
	"$BIN/mmdb_trace $MMDB < $IPS > /dev/null"
E2E_D=$PAIR_D E2E_P=$PAIR_P
row "trace --tsv --threads 1, $LINES lines (70% v4, 30% v6)" \
	"$(calc '%.2f s' "$E2E_D")" "$(calc '%.2f s' "$E2E_P")" \
	"$(calc '%.1fx' "$E2E_P / $E2E_D")" \
	"$(calc '%.2f' "$LINES / $E2E_D / 1e6") vs $(calc '%.2f' "$LINES / $E2E_P / 1e6") M lines/s, one core each; target >=5x: $(met "$E2E_P / $E2E_D >= 5")"
# as a user runs it: detente's default threads (all cores) against the peer,
# which is one-at-a-time by nature; nothing pinned
SAVE_PIN=$PIN PIN=""
say "end to end, all cores: detente trace --tsv < $IPS > /dev/null"
time_pair 2 "./detente --db $DB trace --tsv < $IPS > /dev/null" \
	"$BIN/mmdb_trace $MMDB < $IPS > /dev/null"
PIN=$SAVE_PIN
row "trace --tsv (default: $(nproc) threads), $LINES lines" \
	"$(calc '%.2f s' "$PAIR_D")" "$(calc '%.2f s' "$PAIR_P")" \
	"$(calc '%.1fx' "$PAIR_P / $PAIR_D")" \
	"$(calc '%.2f' "$LINES / $PAIR_D / 1e6") vs $(calc '%.2f' "$LINES / $PAIR_P / 1e6") M lines/s; peer single-threaded; target >=5x: $(met "$PAIR_P / $PAIR_D >= 5")"

# --- memory (README: 3) ----------------------------------------------------
say "resident memory"
if [ -n "$GNUTIME" ]; then
	RSS_D=$(max_rss_kib "./detente --db $DB trace --tsv < $IPS > /dev/null")
	RSS_P=$(max_rss_kib "$BIN/mmdb_trace $MMDB < $IPS > /dev/null")
	row "trace --tsv, $LINES lines: max RSS (/usr/bin/time)" "$(mib "$RSS_D")" \
		"$(mib "$RSS_P")" "$(calc '%.2fx' "$RSS_P / $RSS_D")"
else
	row "trace max RSS" "n/a" "n/a" "" "/usr/bin/time not installed"
fi
set -- $($BIN/index_rss detente "$DB")
IX_KIB=$(($4 - $3)) IX_BYTES=$5
set -- $($BIN/index_rss mmdb "$MMDB")
MM_KIB=$(($4 - $3)) MM_BYTES=$5
row "index fully resident (VmHWM growth)" "$(mib "$IX_KIB")" "$(mib "$MM_KIB")" \
	"$(calc '%.2fx' "$MM_KIB / $IX_KIB")" \
	"files $(calc '%.1f' "$IX_BYTES / 1048576") vs $(calc '%.1f' "$MM_BYTES / 1048576") MiB; target <=64 MiB: $(met "$IX_KIB <= 65536")"

# --- the ledger (issue: evidence ledger) -----------------------------------
# No other C transparency log runs here; bench/ledger prints each figure
# beside the libsodium bound that limits it, measured in the same run.
say "ledger: ${LEDGER_ENTRIES:-1000000} signed appends, receipts, verify"
$BIN/ledger "$OUT" "${LEDGER_ENTRIES:-1000000}" | tee "$OUT/ledger.txt" >&2

# --- the table ------------------------------------------------------------
T_END=$(date +%s)
echo
echo "detente benchmarks ($(git rev-parse --short HEAD 2>/dev/null || echo '?'), refdata sha256:$(echo "$DIGEST" | cut -c1-12)…," \
	"$(nproc 2>/dev/null || echo '?') cores, ${PIN:-unpinned})"
echo "ratio: how many times faster / smaller detente is than the peer"
echo "peer: libmaxminddb $(pkg-config --modversion libmaxminddb 2>/dev/null || echo '?') on $MMDB"
echo
awk -F'\t' '
BEGIN { fmt = "%-58s | %-16s | %-16s | %-7s | %s\n"
	printf fmt, "what", "detente", "peer", "ratio", "note"
	printf fmt, "----", "-------", "----", "-----", "----" }
{ printf fmt, $1, $2, $3, $4, $5 }' "$RESULTS"
echo
cat "$OUT/ledger.txt"
echo
echo "bench/run.sh took $((T_END - T_START)) s"
if [ "${BENCH_SKIP_INGEST:-0}" != 1 ]; then
	echo
	sh bench/ingest.sh
fi
if [ "${BENCH_SKIP_INTEL:-0}" != 1 ]; then
	echo
	sh bench/intel.sh
	echo
	sh bench/match.sh
fi
