#!/bin/sh
# bench/privacy.sh — speed of the privacy core: Crypto-PAn against libtrace's
# traceanon on the same addresses, the text scrubber and the Zeek sanitizer.
#
#   sh bench/privacy.sh [PACKETS]        (default 1000000)
#
# Needs build/rel/bench/bench_privacy (`make bench-bin`), ./detente,
# traceanon (Debian libtrace-tools) and text2pcap (wireshark-common, with
# tshark): scripts/bootstrap installs them.  Debian's pktanon is no peer:
# it is built without its Crypto-PAn primitive (see
# tests/cli/cryptopan_traceanon.sh).
#
# 1. Crypto-PAn, one core (bench_privacy cryptopan): addresses/s of
#    cryptopan_v4/v6 on prepared streams (v4-home: 4 /16s, 1,000 active
#    /24s, Zipf; v4-random: uniform; v6-home: 5,000 hosts in 200 /64s;
#    v6-random: every address new).  Target: >= 5 M IPv4 addresses/s.
# 2. Against traceanon: a capture of PACKETS raw IPv4/UDP packets (cached
#    in bench/out/privacy-PACKETS.pcap, fixed seed; sources from home-like
#    /24s, destinations uniform) and the list of its 2 x PACKETS addresses
#    in packet order.  traceanon -s -d with the Crypto-PAn key file, then
#    with prefix substitution (-p: no crypto, the same pcap reading and
#    writing), best of 3 each; detente: bench_privacy map over the same
#    address list, on a fresh context (cold caches, as traceanon starts).
#    Rows: traceanon whole (I/O included) and traceanon's Crypto-PAn share
#    (whole - prefix run) against detente's mapping; ratio = detente
#    addresses/s / traceanon addresses/s.  The first 5,000 packets of
#    traceanon's output are read back with tshark and compared with
#    detente's pseudonyms (the note says whether all agree).
# 3. Text: privacy_scrub per line and sanitize_zeek (bench_privacy scrub /
#    sanitize zeek, one core, CPU time) over a Zeek conn log of
#    PRIV_CONN_LINES (default 500000) lines made by bench/gen_conn.awk
#    (responders in 10/8: every line has a home address); and
#    `detente share preview --format zeek` on the same file (wall time,
#    the whole command).  Target: sanitizing Zeek logs >= 100 MB/s.
#
# Prints one table (what | detente | peer | ratio | note); with
# BENCH_RESULTS it appends the rows to that file (bench/run.sh's format).
# shellcheck disable=SC2086
set -eu

cd "$(dirname "$0")/.."
OUT=bench/out
BIN=build/rel/bench/bench_privacy
N=${1:-1000000}
LINES=${PRIV_CONN_LINES:-500000}
CAP=$OUT/privacy-$N.pcap
ADDRS=$OUT/privacy-$N.addrs
CONN=$OUT/privacy-conn-$LINES.log
KEYHEX=1522178d33a4cf80130a5b1649907d10d8988f837979652762574c2d2a842202
ROWS=$(mktemp)
TMP=$(mktemp -d)
trap 'rm -rf "$ROWS" "$TMP"' EXIT

die() { echo "bench/privacy: $*" >&2; exit 2; }
say() { echo "== $*" >&2; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
met() { awk "BEGIN { if ($1) print \"met\"; else print \"MISSED\" }"; }
now() { date +%s.%N; }
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$ROWS"; }
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'; }

[ -x "$BIN" ] || die "$BIN missing: make bench-bin"
[ -x ./detente ] || die "./detente missing: make"
command -v traceanon >/dev/null 2>&1 || die "traceanon missing: apt-get install libtrace-tools"
command -v text2pcap >/dev/null 2>&1 || die "text2pcap missing: apt-get install tshark"
mkdir -p "$OUT"
PIN=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc 2>/dev/null || echo 1)" -gt 1 ]; then
	PIN="taskset -c 1"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')" >&2

# ---- 1. Crypto-PAn alone ----------------------------------------------------
say "Crypto-PAn streams (bench_privacy cryptopan)"
$PIN $BIN cryptopan >"$TMP/cp"
cat "$TMP/cp" >&2
for s in v4-home v4-random v6-home v6-random; do
	r=$(grep "^cryptopan $s " "$TMP/cp" | field 'addrs/s')
	note=""
	[ "$s" = v4-home ] && note="target >= 5 M/s: $(met "$r >= 5000000")"
	row "Crypto-PAn $s (addresses/s, 1 core)" "$(calc '%.2f M' "$r / 1e6")" "-" "-" "$note"
done

# ---- 2. against traceanon -----------------------------------------------------
if [ ! -s "$CAP" ] || [ ! -s "$ADDRS" ]; then
	say "generating $CAP ($N packets)"
	awk -v n="$N" -v addrs="$ADDRS.tmp" 'BEGIN {
		srand(20261128)
		for (i = 0; i < 1000; i++) net[i] = sprintf("%d %d %d", (i % 4 < 2) ? 10 : (i % 4 == 2 ? 172 : 192), (i % 4 < 2) ? i % 4 : (i % 4 == 2 ? 16 : 168), int(rand() * 256))
		for (i = 0; i < n; i++) {
			split(net[int(1000 ^ rand()) - 1], b, " ")
			s1 = b[1]; s2 = b[2]; s3 = b[3]; s4 = 1 + int(rand() * 254)
			d1 = 1 + int(rand() * 222); d2 = int(rand() * 256); d3 = int(rand() * 256); d4 = int(rand() * 256)
			printf "0000 45 00 00 1c 00 00 00 00 40 11 00 00 %02x %02x %02x %02x %02x %02x %02x %02x 04 d2 00 35 00 08 00 00\n", s1, s2, s3, s4, d1, d2, d3, d4
			printf "%d.%d.%d.%d\n%d.%d.%d.%d\n", s1, s2, s3, s4, d1, d2, d3, d4 > addrs
		}
	}' | text2pcap -q -F pcap -l 101 - "$CAP.tmp" >/dev/null 2>&1 || die "text2pcap failed"
	mv "$ADDRS.tmp" "$ADDRS"
	mv "$CAP.tmp" "$CAP"
fi
naddr=$(wc -l <"$ADDRS")
for b in $(echo "$KEYHEX" | sed 's/../& /g'); do printf "\\$(printf '%03o' "0x$b")"; done >"$TMP/key"
cat "$CAP" "$ADDRS" >/dev/null # into the page cache

# best3 CMD: the least wall seconds of 3 runs
best3() {
	b=""
	for _i in 1 2 3; do
		t0=$(now)
		$PIN sh -c "$1" >/dev/null 2>&1 || die "failed: $1"
		t=$(awk -v a="$t0" -v z="$(now)" 'BEGIN { printf "%.4f", z - a }')
		b=$(echo "$t ${b:-$t}" | awk '{ print ($1 < $2) ? $1 : $2 }')
	done
	echo "$b"
}
say "traceanon over $N packets ($naddr addresses)"
t_cp=$(best3 "traceanon -f $TMP/key -s -d pcapfile:$CAP pcapfile:$TMP/anon.pcap")
t_io=$(best3 "traceanon -p 10.0.0.0/8 -s -d pcapfile:$CAP pcapfile:$TMP/pfx.pcap")
say "detente over the same addresses"
best_map=""
for _i in 1 2 3; do
	r=$($PIN $BIN map "$ADDRS" | field 'addrs/s')
	best_map=$(echo "$r ${best_map:-0}" | awk '{ print ($1 > $2) ? $1 : $2 }')
done
# the same pseudonyms?
head -10000 "$ADDRS" >"$TMP/a10k"
build/rel/tests/test_cryptopan --map "$KEYHEX" <"$TMP/a10k" >"$TMP/ours" 2>/dev/null ||
	sh -c "make -s build/rel/tests/test_cryptopan >/dev/null 2>&1 && build/rel/tests/test_cryptopan --map $KEYHEX <$TMP/a10k >$TMP/ours" || true
tshark -r "$TMP/anon.pcap" -c 5000 -T fields -e ip.src -e ip.dst 2>/dev/null | tr '\t' '\n' >"$TMP/theirs"
if [ -s "$TMP/ours" ] && cmp -s "$TMP/ours" "$TMP/theirs"; then
	same="same pseudonyms as traceanon (first 10,000 addresses)"
else
	same="PSEUDONYMS DIFFER from traceanon's (first 10,000 addresses)"
fi
r_whole=$(calc '%.0f' "$naddr / $t_cp")
t_crypto=$(calc '%.4f' "$t_cp - $t_io")
r_crypto=$(awk -v n="$naddr" -v t="$t_crypto" 'BEGIN { if (t > 0) printf "%.0f", n / t; else print 0 }')
row "Crypto-PAn vs traceanon, whole run ($naddr addr)" "$(calc '%.2f M/s' "$best_map / 1e6")" \
	"$(calc '%.2f M/s' "$r_whole / 1e6")" "$(calc '%.1fx' "$best_map / $r_whole")" \
	"traceanon ${t_cp}s incl. pcap I/O; $same"
if [ "$r_crypto" -gt 0 ]; then
	row "Crypto-PAn vs traceanon, crypto only" "$(calc '%.2f M/s' "$best_map / 1e6")" \
		"$(calc '%.2f M/s' "$r_crypto / 1e6")" "$(calc '%.1fx' "$best_map / $r_crypto")" \
		"traceanon ${t_cp}s - ${t_io}s (same run with -p prefix substitution)"
fi

# ---- 3. text -------------------------------------------------------------------
if [ ! -s "$CONN" ]; then
	say "generating $CONN"
	awk -v N="$LINES" -f bench/gen_conn.awk >"$CONN.tmp" && mv "$CONN.tmp" "$CONN"
fi
mb=$(calc '%.0f' "$(wc -c <"$CONN") / 1e6")
say "privacy_scrub and sanitize_zeek over $CONN ($mb MB)"
sc=$($PIN $BIN scrub "$CONN")
sz=$($PIN $BIN sanitize zeek "$CONN")
echo "$sc" >&2
echo "$sz" >&2
r=$(echo "$sc" | field 'MB/s')
row "privacy_scrub, Zeek conn ($mb MB, 1 core)" "$r MB/s" "-" "-" "every line through the generic scrubber"
r=$(echo "$sz" | field 'MB/s')
row "sanitize_zeek ($mb MB, 1 core)" "$r MB/s" "-" "-" "target >= 100 MB/s: $(met "$r >= 100")"
rm -rf "$TMP/db" "$TMP/db.d"
if ./detente --db "$TMP/db" share preview --help >/dev/null 2>&1 &&
	./detente --db "$TMP/db" init --party bench >/dev/null 2>&1; then
	t0=$(now)
	if $PIN ./detente --db "$TMP/db" share preview --format zeek --home-net 10.0.0.0/8 \
		-o "$TMP/preview.log" "$CONN" >/dev/null 2>"$TMP/preview.err"; then
		t=$(awk -v a="$t0" -v z="$(now)" 'BEGIN { printf "%.3f", z - a }')
		row "detente share preview --format zeek" "$(calc '%.1f MB/s' "$mb / $t")" "-" "-" \
			"whole command, wall ${t}s (output written to a file)"
	else
		row "detente share preview --format zeek" "failed" "-" "-" "$(tail -1 "$TMP/preview.err")"
	fi
fi

echo
printf '%-50s | %-12s | %-12s | %-6s | %s\n' what detente peer ratio note
awk -F'\t' '{ printf "%-50s | %-12s | %-12s | %-6s | %s\n", $1, $2, $3, $4, $5 }' "$ROWS"
[ -n "${BENCH_RESULTS:-}" ] && cat "$ROWS" >>"$BENCH_RESULTS"
exit 0
