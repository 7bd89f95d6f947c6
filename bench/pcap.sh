#!/bin/sh
# bench/pcap.sh — the pcap parser (ingest_pcap) against tshark on the same
# generated capture: connections from packets, the job of
# `tshark -q -z conv,tcp`.
#
#   sh bench/pcap.sh [PACKETS]        (default 2000000)
#
# Uses build/rel/bench/gen_pcap and bench_pcap (`make bench-bin`), or
# builds them with cc against build/rel/libdetente.a when they are missing.
# The capture (bench/gen_pcap.c: ~4096 interleaved TCP connections and some
# UDP, full payloads, about 680 bytes a packet) is cached as
# bench/out/pcap-PACKETS.pcap.  Both programs read it from the page cache
# (it is read once before timing), pinned to one core when there are two.
# detente's time is the best of 3 runs; tshark's the best of
# BENCH_PCAP_TSHARK_RUNS (default 1: it takes minutes).  The two must find
# the same number of TCP connections, or the row says so.
#
# Prints one table (what | detente | peer | ratio | note) and, when
# BENCH_RESULTS names a file, appends the same rows to it tab-separated
# (bench/run.sh's results.tsv format).
#
# shellcheck disable=SC2086
set -eu

cd "$(dirname "$0")/.."
OUT=bench/out
BIN=build/rel/bench
N=${1:-2000000}
CAP=$OUT/pcap-$N.pcap
TRUNS=${BENCH_PCAP_TSHARK_RUNS:-1}
PKGS="libsodium jansson libmaxminddb sqlite3 zlib libpcap"
ROWS=$(mktemp)
trap 'rm -f "$ROWS"' EXIT

die() { echo "bench/pcap: $*" >&2; exit 2; }
say() { echo "== $*" >&2; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
met() { awk "BEGIN { if ($1) print \"met\"; else print \"MISSED\" }"; }
now() { date +%s.%N; }
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$ROWS"; }

command -v tshark >/dev/null 2>&1 || die "tshark not found (Debian package tshark)"
mkdir -p "$OUT" "$BIN"
for p in gen_pcap bench_pcap; do
	[ -x "$BIN/$p" ] && continue
	[ -f build/rel/libdetente.a ] || die "build/rel/libdetente.a missing: run make"
	say "building $BIN/$p"
	cc -O2 -D_GNU_SOURCE -Isrc "bench/$p.c" build/rel/libdetente.a \
		$(pkg-config --cflags --libs $PKGS) -lpthread -lm -o "$BIN/$p"
done

PIN=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc 2>/dev/null || echo 1)" -gt 1 ]; then
	PIN="taskset -c 1"
fi

if [ ! -f "$CAP" ]; then
	say "generating $CAP ($N packets)"
	"$BIN/gen_pcap" "$CAP" "$N"
fi
cat "$CAP" >/dev/null

say "detente: $BIN/bench_pcap (best of 3)"
line=$($PIN "$BIN/bench_pcap" "$CAP" 3)
echo "$line" >&2
# bench_pcap: FILE: P packets, C connections (T TCP, U UDP), S s, X Mpkt/s, Y MB/s
d_s=$(echo "$line" | sed -n 's/.*UDP), \([0-9.]*\) s,.*/\1/p')
d_tcp=$(echo "$line" | sed -n 's/.*(\([0-9]*\) TCP,.*/\1/p')
d_conns=$(echo "$line" | sed -n 's/.* \([0-9]*\) connections.*/\1/p')
d_mpps=$(echo "$line" | sed -n 's/.*s, \([0-9.]*\) Mpkt\/s.*/\1/p')
[ -n "$d_s" ] && [ -n "$d_tcp" ] || die "cannot read bench_pcap's output"

say "tshark -q -z conv,tcp (best of $TRUNS)"
t_s=""
i=0
while [ "$i" -lt "$TRUNS" ]; do
	t0=$(now)
	$PIN tshark -n -q -z conv,tcp -r "$CAP" >"$OUT/pcap-$N.tshark-conv.txt" 2>/dev/null
	t1=$(now)
	s=$(calc '%.3f' "$t1 - $t0")
	echo "tshark: $s s" >&2
	if [ -z "$t_s" ] || [ "$(calc '%d' "$s < $t_s")" = 1 ]; then
		t_s=$s
	fi
	i=$((i + 1))
done
t_tcp=$(grep -c '<->' "$OUT/pcap-$N.tshark-conv.txt" || true)

ratio=$(calc '%.1f' "$t_s / $d_s")
same="same TCP connections ($d_tcp)"
[ "$t_tcp" = "$d_tcp" ] || same="TCP connections DIFFER: detente $d_tcp, tshark $t_tcp"
row "pcap $N packets -> connections" "$d_s s ($d_mpps Mpkt/s, $d_conns conns)" \
	"$t_s s (tshark conv,tcp)" "${ratio}x" "target >=20x: $(met "$ratio >= 20"); $same"

awk -F'\t' 'BEGIN { fmt = "%-34s | %-36s | %-26s | %-7s | %s\n"
	printf fmt, "what", "detente", "peer", "ratio", "note"
	printf fmt, "----", "-------", "----", "-----", "----" }
{ printf fmt, $1, $2, $3, $4, $5 }' "$ROWS"
if [ -n "${BENCH_RESULTS:-}" ]; then
	cat "$ROWS" >>"$BENCH_RESULTS"
fi
