#!/bin/sh
# bench/sanitize_pcap.sh — sanitizing a capture for a peer (`detente share
# preview --format pcap`, privacy/sanitize_pcap.c) against pktanon on the
# same generated capture.
#
#   sh bench/sanitize_pcap.sh [PACKETS]        (default 1000000)
#
# The capture is bench/gen_pcap.c's (~4096 interleaved TCP connections and
# some UDP, full payloads, about 680 bytes a packet), cached as
# bench/out/pcap-PACKETS.pcap (bench/pcap.sh makes the same file).
# detente pseudonymizes every address (--home-net 0.0.0.0/0,::/0: the most
# work), rewrites checksums and cuts payloads; pktanon runs a profile that
# does the same kind of work with what Debian's build offers (it has no
# Crypto-PAn): addresses through HMAC-SHA1/SHA-256, MACs through
# HMAC-SHA1, payload cut to 0, the other fields as they are.  Both read
# the file from the page cache and write to bench/out; best of 3 each,
# pinned to one core when there are two.  Reports packets/s and MB/s of
# input for both, and the ratio.
#
# Prints one table (what | detente | peer | ratio | note) and, when
# BENCH_RESULTS names a file, appends the rows to it tab-separated.
#
# shellcheck disable=SC2086
set -eu

cd "$(dirname "$0")/.."
OUT=bench/out
BIN=build/rel/bench
N=${1:-1000000}
CAP=$OUT/pcap-$N.pcap
PKGS="libsodium jansson libmaxminddb sqlite3 zlib libpcap"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ROWS=$TMP/rows

die() { echo "bench/sanitize_pcap: $*" >&2; exit 2; }
say() { echo "== $*" >&2; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
now() { date +%s.%N; }

command -v pktanon >/dev/null 2>&1 || die "pktanon not found (Debian package pktanon)"
[ -x ./detente ] || die "./detente missing: run make"
mkdir -p "$OUT" "$BIN"
if [ ! -x "$BIN/gen_pcap" ]; then
	[ -f build/rel/libdetente.a ] || die "build/rel/libdetente.a missing: run make"
	cc -O2 -D_GNU_SOURCE -Isrc bench/gen_pcap.c build/rel/libdetente.a \
		$(pkg-config --cflags --libs $PKGS) -lpthread -lm -o "$BIN/gen_pcap"
fi
if [ ! -f "$CAP" ]; then
	say "generating $CAP ($N packets)"
	"$BIN/gen_pcap" "$CAP" "$N"
fi
cat "$CAP" >/dev/null
BYTES=$(wc -c <"$CAP")
PIN=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc 2>/dev/null || echo 1)" -gt 1 ]; then
	PIN="taskset -c 1"
fi

./detente --db "$TMP/n.db" init --party bench >/dev/null 2>&1 || die "detente init failed"
cat >"$TMP/profile.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<pktanon-config><anonymizations>
<packet protocol="ethernet"><field name="mac-source" anon="AnonHashHmacSha1" key="benchkey"/><field name="mac-dest" anon="AnonHashHmacSha1" key="benchkey"/><field name="ethertype" anon="AnonIdentity"/></packet>
<packet protocol="ip"><field name="tos" anon="AnonIdentity"/><field name="identification" anon="AnonIdentity"/><field name="flags" anon="AnonIdentity"/><field name="fragment" anon="AnonIdentity"/><field name="ttl" anon="AnonIdentity"/><field name="protocol" anon="AnonIdentity"/><field name="src-ip" anon="AnonHashSha1"/><field name="dest-ip" anon="AnonHashSha1"/><field name="options" anon="AnonIdentity"/></packet>
<packet protocol="ipv6"><field name="traffic-class" anon="AnonIdentity"/><field name="flow-label" anon="AnonIdentity"/><field name="hop-limit" anon="AnonIdentity"/><field name="src-ip" anon="AnonHashSha256"/><field name="dest-ip" anon="AnonHashSha256"/><field name="next-header" anon="AnonIdentity"/></packet>
<packet protocol="tcp"><field name="source-port" anon="AnonIdentity"/><field name="dest-port" anon="AnonIdentity"/><field name="seq" anon="AnonIdentity"/><field name="ack" anon="AnonIdentity"/><field name="flags" anon="AnonIdentity"/><field name="window-size" anon="AnonIdentity"/><field name="urgent-pointer" anon="AnonIdentity"/><field name="options" anon="AnonIdentity"/></packet>
<packet protocol="udp"><field name="source-port" anon="AnonIdentity"/><field name="dest-port" anon="AnonIdentity"/></packet>
<packet protocol="icmp"><field name="type" anon="AnonIdentity"/><field name="code" anon="AnonIdentity"/><field name="rest" anon="AnonIdentity"/></packet>
<packet protocol="payload"><field name="payload" anon="AnonShorten" newlen="0"/></packet>
</anonymizations></pktanon-config>
EOF

best() { # command... -> best wall time of 3, in seconds
	b=""
	for _i in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; die "failed: $*"; }
		t1=$(now)
		s=$(calc '%.3f' "$t1 - $t0")
		echo "  $s s" >&2
		if [ -z "$b" ] || [ "$(calc '%d' "$s < $b")" = 1 ]; then b=$s; fi
	done
	echo "$b"
}

say "detente share preview --format pcap --home-net 0.0.0.0/0,::/0 (best of 3)"
d_s=$(best $PIN ./detente --db "$TMP/n.db" share preview --format pcap \
	--home-net 0.0.0.0/0,::/0 -o "$OUT/sanitized-$N.pcap" "$CAP")
say "pktanon (best of 3)"
p_s=$(best $PIN pktanon -c "$TMP/profile.xml" "$CAP" "$OUT/pktanon-$N.pcap")

d_pk=$(tshark -r "$OUT/sanitized-$N.pcap" -T fields -e frame.number 2>/dev/null | wc -l || echo "?")
p_pk=$(tshark -r "$OUT/pktanon-$N.pcap" -T fields -e frame.number 2>/dev/null | wc -l || echo "?")
same="packets out: detente $d_pk, pktanon $p_pk (of $N)"
printf '%s\t%s\t%s\t%s\t%s\n' "sanitize pcap $N packets ($(calc '%.0f' "$BYTES / 1e6") MB)" \
	"$d_s s ($(calc '%.2f' "$N / $d_s / 1e6") Mpkt/s, $(calc '%.0f' "$BYTES / $d_s / 1e6") MB/s)" \
	"$p_s s ($(calc '%.2f' "$N / $p_s / 1e6") Mpkt/s, $(calc '%.0f' "$BYTES / $p_s / 1e6") MB/s)" \
	"$(calc '%.2f' "$p_s / $d_s")x" "detente: Crypto-PAn of every address; pktanon: SHA-1/SHA-256 hashes; $same" >>"$ROWS"

awk -F'\t' 'BEGIN { fmt = "%-36s | %-40s | %-40s | %-7s | %s\n"
	printf fmt, "what", "detente", "peer (pktanon)", "ratio", "note"
	printf fmt, "----", "-------", "----", "-----", "----" }
{ printf fmt, $1, $2, $3, $4, $5 }' "$ROWS"
if [ -n "${BENCH_RESULTS:-}" ]; then
	cat "$ROWS" >>"$BENCH_RESULTS"
fi
