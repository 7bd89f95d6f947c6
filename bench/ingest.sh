#!/bin/sh
# bench/ingest.sh — telemetry ingest against the tools a user would
# otherwise reach for, side by side on the same generated input:
#
#   Zeek conn TSV    detente's parser (+ attribution)   vs  mawk printing the
#                                                            same columns
#   Suricata EVE     detente's parser (+ attribution)   vs  jq -c selecting
#                                                            the same fields
#   end to end       detente ingest into SQLite: events/s, and max RSS at
#                    two input sizes (memory must not grow with the input)
#   pcap, NetFlow,   bench/pcap.sh, bench/netflow.sh, bench/logs.sh (each
#   syslog, weblog   against tshark or mawk), run when present
#
# Parser rows run bench/ingest_parse (the parser and, with an index, the
# same batched attribution the store's writer does; no database), pinned
# to one core when there are two.  Inputs are generated once with fixed
# seeds (bench/gen_conn.awk, bench/gen_eve.awk) and cached in bench/out/.
#
#   INGEST_LINES=N      conn lines for the parser rows (default 5000000)
#   INGEST_EVE=N        EVE lines (default 1000000)
#   INGEST_E2E=N        conn lines of the large end-to-end run (default
#                       20000000; the small one is N/4)
#   INGEST_RUNS=N       timed runs, fastest kept (default 3)
#
# Prints one table on stdout; progress and peers' noise on stderr.
# shellcheck disable=SC2086
set -eu

cd "$(dirname "$0")/.."
OUT=bench/out
BIN=build/rel/bench
LINES=${INGEST_LINES:-5000000}
EVE_LINES=${INGEST_EVE:-1000000}
E2E=${INGEST_E2E:-20000000}
RUNS=${INGEST_RUNS:-3}
RESULTS=$OUT/ingest-results.tsv

die() { echo "bench/ingest.sh: $*" >&2; exit 2; }
say() { echo "== $*" >&2; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
met() { awk "BEGIN { if ($1) print \"met\"; else print \"MISSED\" }"; }
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$RESULTS"; }
now() { date +%s.%N; }

for f in ./detente $BIN/ingest_parse; do
	[ -x "$f" ] || die "$f missing: make all bench-bin"
done
for t in mawk jq; do
	command -v $t >/dev/null 2>&1 || die "$t missing: sh scripts/bootstrap --bench"
done
mkdir -p "$OUT"
: >"$RESULTS"
PIN=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc 2>/dev/null || echo 1)" -gt 1 ]; then
	PIN="taskset -c 1"
fi
[ -r /proc/loadavg ] && echo "bench: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# best CMD: the fastest of RUNS runs of CMD (sh), wall seconds, pinned.
best() {
	b="" i=0
	while [ "$i" -lt "$RUNS" ]; do
		t0=$(now)
		$PIN sh -c "$1"
		t=$(calc '%.4f' "$(now) - $t0")
		echo "  run $((i + 1)): $t s" >&2
		if [ -z "$b" ] || [ "$(met "$t < $b")" = met ]; then b=$t; fi
		i=$((i + 1))
	done
	echo "$b"
}

# the node whose reference data attributes the events
NODE=$OUT/ingest.db
if [ ! -f "$NODE" ]; then
	say "bench node: ./detente --db $NODE init && refdata build"
	./detente --db "$NODE" init --party bench >&2
	./detente --db "$NODE" refdata build --quiet >&2
fi
IDX=$(ls "$NODE.d"/refdata/*.idx | head -n 1)
[ -f "$IDX" ] || die "no index under $NODE.d/refdata"

CONN=$OUT/conn-$LINES.log
[ -s "$CONN" ] || { say "generating $CONN"; mawk -v N="$LINES" -f bench/gen_conn.awk >"$CONN"; }
EVE=$OUT/eve-$EVE_LINES.json
[ -s "$EVE" ] || { say "generating $EVE"; mawk -v N="$EVE_LINES" -f bench/gen_eve.awk >"$EVE"; }
cat "$CONN" >/dev/null
cat "$EVE" >/dev/null # both in the page cache before timing

# --- Zeek conn TSV ---------------------------------------------------------
say "zeek conn: detente parser, parser + attribution, mawk columns"
Z_P=$(best "$BIN/ingest_parse zeek $CONN >/dev/null 2>&1")
Z_A=$(best "$BIN/ingest_parse zeek $CONN $IDX >/dev/null 2>&1")
Z_M=$(best "mawk -F'\t' '!/^#/ { print \$1, \$3, \$4, \$5, \$6, \$7, \$10, \$11, \$12 }' $CONN >/dev/null")
row "Zeek conn TSV parse, $LINES lines" "$(calc '%.2f M/s' "$LINES / $Z_P / 1e6")" \
	"$(calc '%.2f M/s' "$LINES / $Z_M / 1e6")" "$(calc '%.1fx' "$Z_M / $Z_P")" "mawk printing 9 columns; one core each"
row "Zeek conn TSV parse + attribute" "$(calc '%.2f M/s' "$LINES / $Z_A / 1e6")" \
	"$(calc '%.2f M/s' "$LINES / $Z_M / 1e6")" "$(calc '%.1fx' "$Z_M / $Z_A")" \
	"targets >=10 M lines/s: $(met "$LINES / $Z_A >= 10e6"), >=5x mawk: $(met "$Z_M / $Z_A >= 5")"

# --- Suricata EVE ------------------------------------------------------------
say "eve: detente parser + attribution, jq -c selecting the same fields"
E_A=$(best "$BIN/ingest_parse eve $EVE $IDX >/dev/null 2>&1")
JQ='[.timestamp,.event_type,.src_ip,.src_port,.dest_ip,.dest_port,.proto,.flow_id,.alert.signature,.alert.signature_id,.flow.bytes_toserver,.flow.bytes_toclient,.dns.rrname,.http.hostname,.http.url,.http.http_user_agent,.tls.sni,.tls.ja3.hash,.fileinfo.sha256]'
E_J=$(RUNS=1 best "jq -c '$JQ' $EVE >/dev/null")
row "EVE JSON parse + attribute, $EVE_LINES records" "$(calc '%.2f M/s' "$EVE_LINES / $E_A / 1e6")" \
	"$(calc '%.3f M/s' "$EVE_LINES / $E_J / 1e6")" "$(calc '%.1fx' "$E_J / $E_A")" \
	"jq -c, 19 fields; targets >=3 M/s: $(met "$EVE_LINES / $E_A >= 3e6"), >=20x jq: $(met "$E_J / $E_A >= 20")"

# --- end to end into SQLite --------------------------------------------------
# ingest SIZE: wall seconds and max RSS (KiB) of ingesting SIZE conn lines
# into a fresh node that shares the bench node's reference data.
ingest_run() {
	n=$1 f=$OUT/conn-$1.log db=$OUT/e2e.db
	[ -s "$f" ] || { say "generating $f"; mawk -v N="$n" -f bench/gen_conn.awk >"$f"; }
	rm -rf "$db" "$db-wal" "$db-shm" "$db.d"
	./detente --db "$db" init --party e2e >/dev/null 2>&1
	mkdir -p "$db.d" && cp -r "$NODE.d/refdata" "$db.d/"
	cat "$f" >/dev/null
	t0=$(now)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$OUT/time.out" ./detente --db "$db" ingest "$f" >&2
		rss=$(tail -n 1 "$OUT/time.out")
	else
		./detente --db "$db" ingest "$f" >&2
		rss=0
	fi
	t=$(calc '%.3f' "$(now) - $t0")
	echo "$t $rss"
	rm -rf "$db" "$db-wal" "$db-shm" "$db.d"
}
SMALL=$((E2E / 4))
say "end to end: detente ingest of $SMALL and $E2E conn lines into SQLite (both cores)"
set -- $(ingest_run "$SMALL")
S_T=$1 S_RSS=$2
set -- $(ingest_run "$E2E")
L_T=$1 L_RSS=$2
row "ingest into SQLite, $E2E events" "$(calc '%.2f M/s' "$E2E / $L_T / 1e6")" "-" "-" \
	"$(calc '%.1f s' "$L_T"), file hashed+copied+parsed+attributed+stored; target >=1 M/s: $(met "$E2E / $L_T >= 1e6")"
row "ingest max RSS, $SMALL vs $E2E events" "$(calc '%.1f MiB' "$L_RSS / 1024")" \
	"$(calc '%.1f MiB' "$S_RSS / 1024")" "$(calc '%.2fx' "$L_RSS / ($S_RSS + 1)")" \
	"4x the input: memory flat (<=1.2x): $(met "$L_RSS <= 1.2 * $S_RSS")"

# --- the other formats' own scripts -----------------------------------------
for s in pcap netflow logs; do
	if [ -f bench/$s.sh ]; then
		say "bench/$s.sh"
		sh bench/$s.sh >"$OUT/ingest-$s.txt" || echo "bench/$s.sh failed" >>"$OUT/ingest-$s.txt"
	fi
done

echo
echo "detente ingest benchmarks ($(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc 2>/dev/null || echo '?') cores, parsers ${PIN:-unpinned})"
echo "ratio: peer time / detente time"
echo
awk -F'\t' '
BEGIN { fmt = "%-46s | %-12s | %-12s | %-7s | %s\n"
	printf fmt, "what", "detente", "peer", "ratio", "note"
	printf fmt, "----", "-------", "----", "-----", "----" }
{ printf fmt, $1, $2, $3, $4, $5 }' "$RESULTS"
for s in pcap netflow logs; do
	[ -f "$OUT/ingest-$s.txt" ] && { echo; cat "$OUT/ingest-$s.txt"; }
done
exit 0
