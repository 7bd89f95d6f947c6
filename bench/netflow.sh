#!/bin/sh
# bench/netflow.sh — speed of the NetFlow v5/v9/IPFIX parser against
# tshark decoding the same capture, side by side.
#
#   sh bench/netflow.sh         (after make bench-bin, or the cc lines below)
#
# Generates (once, cached in bench/out/) with build/rel/bench/gen_netflow
# rounds of the corpus export packets (../shared/corpus/netflow or
# $DETENTE_CORPUS: v5, v9 and IPFIX from a dozen real exporters, templates
# resent every round) until NETFLOW_FLOWS flow records (default 1000000):
#   bench/out/netflow-N.pcap    their UDP traffic (Ethernet/IPv4)
#   bench/out/netflow-N.dat     the same export packets end to end
# Then times, pinned to one core when there are two or more:
#   detente  build/rel/bench/bench_netflow FILE NETFLOW_RUNS (default 5): the
#            parser with a counting sink, the file read through the reader;
#            its best run's own clock (a run takes well under a second, too
#            short for the 10 ms CPU clock of GNU time; it is one thread,
#            busy all along on a cached file), on the capture and on the
#            raw file;
#   tshark   tshark -n -r CAPTURE -T fields -e cflow.srcaddr -e cflow.dstaddr
#            -e cflow.srcaddrv6 -e cflow.dstaddrv6 -e cflow.srcport
#            -e cflow.dstport -e cflow.protocol -e cflow.octets -e cflow.packets
#            (Debian's Wireshark dissector, the peer a user would reach for):
#            CPU time (user + system), best of NETFLOW_TSHARK_RUNS (default 1:
#            it is slow).
# The flow counts of both are shown (tshark's: the source addresses it
# prints); the ratio is tshark's seconds / detente's seconds.
#
# Build the programs alone:
#   cc -O2 -D_GNU_SOURCE -Isrc bench/bench_netflow.c build/rel/libdetente.a \
#     $(pkg-config --cflags --libs libsodium jansson libmaxminddb sqlite3 zlib libpcap) \
#     -lpthread -lm -o build/rel/bench/bench_netflow
#   cc -O2 bench/gen_netflow.c -o build/rel/bench/gen_netflow
# shellcheck disable=SC2086
set -eu

cd "$(dirname "$0")/.."
OUT=bench/out
BIN=${BENCH_NETFLOW_BIN:-build/rel/bench/bench_netflow}
GEN=${BENCH_NETFLOW_GEN:-build/rel/bench/gen_netflow}
CORPUS=${DETENTE_CORPUS:-../shared/corpus}
FLOWS=${NETFLOW_FLOWS:-1000000}
RUNS=${NETFLOW_RUNS:-5}
TRUNS=${NETFLOW_TSHARK_RUNS:-1}
BASE=$OUT/netflow-$FLOWS

die() { echo "bench/netflow.sh: $*" >&2; exit 2; }
[ -x "$BIN" ] || die "$BIN missing: make bench-bin (or the cc lines in this file)"
[ -x "$GEN" ] || die "$GEN missing: make bench-bin (or the cc lines in this file)"
[ -d "$CORPUS/netflow" ] || die "$CORPUS/netflow missing (set DETENTE_CORPUS)"
command -v tshark >/dev/null 2>&1 || die "tshark missing: apt-get install tshark"
mkdir -p "$OUT"
PIN=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc 2>/dev/null || echo 1)" -gt 1 ]; then
	PIN="taskset -c 1"
fi

if [ ! -s "$BASE.pcap" ] || [ ! -s "$BASE.dat" ]; then
	echo "== generating $BASE.pcap and .dat" >&2
	"$GEN" "$CORPUS/netflow" "$BASE" "$FLOWS" >&2
fi

# best N CMD: "WALL CPU" seconds of the run of N with the least CPU time
# (user + system, by GNU time when there, else wall for both); CMD's
# stdout goes to $OUT/netflow.last.
best() {
	n=$1 b="" i=0
	while [ "$i" -lt "$n" ]; do
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f "%e %U %S" -o "$OUT/netflow.time" sh -c "exec $PIN $2" \
				>"$OUT/netflow.last"
			t=$(awk '{ printf "%s %.3f", $1, $2 + $3 }' "$OUT/netflow.time")
		else
			t0=$(date +%s.%N)
			sh -c "exec $PIN $2" >"$OUT/netflow.last"
			t=$(awk -v a="$t0" -v z="$(date +%s.%N)" 'BEGIN { printf "%.3f %.3f", z - a, z - a }')
		fi
		echo "  run $((i + 1)) of $2: $t (wall, CPU s)" >&2
		b=$(echo "$t $b" | awk '{ if (NF < 4 || $2 < $4) print $1, $2; else print $3, $4 }')
		i=$((i + 1))
	done
	echo "$b"
}

flows_of() { sed -n 's/.* \([0-9][0-9]*\) flows .*/\1/p' "$OUT/netflow.last"; }
# bench_netflow's best run: "WALL WALL" (its own clock, for both columns)
own() { sed -n 's/.* flows (.*), \([0-9.]*\) s, .*/\1 \1/p' "$OUT/netflow.last"; }

best 1 "$BIN $BASE.pcap $RUNS" >/dev/null
dp=$(own)
fp=$(flows_of)
best 1 "$BIN $BASE.dat $RUNS" >/dev/null
dr=$(own)
fr=$(flows_of)
tt=$(best "$TRUNS" "tshark -n -r $BASE.pcap -T fields -e cflow.srcaddr -e cflow.dstaddr \
-e cflow.srcaddrv6 -e cflow.dstaddrv6 -e cflow.srcport -e cflow.dstport -e cflow.protocol \
-e cflow.octets -e cflow.packets 2>/dev/null")
# flows tshark printed: the comma-separated source addresses, IPv4 and IPv6
ft=$(awk -F'\t' '{ if ($1 != "") n += split($1, a, ","); if ($3 != "") n += split($3, b, ",") }
	END { printf "%d\n", n }' "$OUT/netflow.last")

size=$(wc -c <"$BASE.pcap")
echo "NetFlow/IPFIX: flows/s; detente: best run's wall time (one busy thread), tshark: CPU time"
echo "(user+system); ratio = tshark seconds / detente seconds"
echo "input: $BASE.pcap ($(awk -v s="$size" 'BEGIN { printf "%.1f MB", s / 1e6 }')), same packets in $BASE.dat"
printf '%-26s %10s %12s %9s %9s %8s\n' what flows "flows/s" "wall s" "CPU s" ratio
echo "$dp $dr $tt" | awk -v fp="$fp" -v fr="$fr" -v ft="$ft" '{
	printf "%-26s %10d %12.0f %9.3f %9s %8.1f\n", "detente, capture", fp, fp / $2, $1, "-", $6 / $2
	printf "%-26s %10d %12.0f %9.3f %9s %8.1f\n", "detente, raw packets", fr, fr / $4, $3, "-", $6 / $4
	printf "%-26s %10d %12.0f %9.3f %9.3f %8s\n", "tshark -T fields, capture", ft, ft / $6, $5, $6, "1.0"
}'
if [ "$fp" != "$ft" ]; then
	echo "note: flow counts differ (tshark counts every record with a source address, options"
	echo "records included, and stops at packets its dissector cannot finish; detente keeps"
	echo "flow records with an address)"
fi
