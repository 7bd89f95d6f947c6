#!/bin/sh
# tests/cli/cryptopan_traceanon.sh — detente's Crypto-PAn against an
# independent implementation on real captures.
#
# The peer is libtrace's traceanon (Debian libtrace-tools, installed by
# scripts/bootstrap), whose cryptopan mode is Fan's reference algorithm
# (libtrace lib/.../panon.c, a C port of panonymizer.cpp).  Debian's
# pktanon cannot serve: its Crypto-PAn primitive is removed from the
# Debian source ("Files-Excluded: libpktanon/anonprimitives/cryptopan" in
# /usr/share/doc/pktanon/copyright), so it offers only hashes.
#
# traceanon -f KEYFILE reads the 32 key bytes as they are (first 16: the
# AES key, last 16: encrypted to the pad), like detente; -c STRING would
# take a string padded with NULs to 32 bytes, so the file form is used.
# Key: the sample key of the Crypto-PAn 1.0 distribution.
#
# For each ../shared/corpus/pcap/*.pcap (Zeek's test traces, SOURCES.md):
# traceanon -s -d anonymizes source and destination; tshark prints
# ip.src/ip.dst (and ipv6.*) of every packet of the original and of the
# output; every original IPv4 address is mapped through detente's
# Crypto-PAn (test_cryptopan --map) and must equal traceanon's address at
# the same place.  libtrace 3.0.22 does not anonymize IPv6 (it copies IPv6
# headers as they are), so IPv6 has no peer here: the test checks that
# traceanon indeed left IPv6 alone (which makes the IPv4 comparison the
# whole of what it compares) and says so; the IPv6 rule is checked against
# published vectors in tests/unit/test_cryptopan.c.
. "$(dirname "$0")/../lib.sh"
CORPUS=${DETENTE_CORPUS:-../shared/corpus}
TB=${TESTBIN:-build/rel/tests}
MAP=$TB/test_cryptopan
KEYHEX=1522178d33a4cf80130a5b1649907d10d8988f837979652762574c2d2a842202

if ! command -v traceanon >/dev/null 2>&1; then
	sk cryptopan-traceanon "traceanon missing (Debian libtrace-tools: sh scripts/bootstrap)"
elif ! command -v tshark >/dev/null 2>&1; then
	sk cryptopan-traceanon "tshark missing (sh scripts/bootstrap)"
elif [ ! -x "$MAP" ]; then
	sk cryptopan-traceanon "$MAP is not built (make tests)"
elif ! ls "$CORPUS"/pcap/*.pcap >/dev/null 2>&1; then
	sk cryptopan-traceanon "$CORPUS/pcap is absent"
else
	# the key as 32 raw bytes, written with printf octal escapes
	esc=""
	for b in $(echo "$KEYHEX" | sed 's/../& /g'); do
		esc="$esc\\$(printf '%03o' "0x$b")"
	done
	# shellcheck disable=SC2059
	printf "$esc" >"$T/key"
	if [ "$(wc -c <"$T/key")" -ne 32 ]; then
		no cryptopan-traceanon-key "key file is not 32 bytes"
	fi
	total4=0 total6=0
	# and a generated capture of many addresses (raw IPv4/UDP, fixed
	# seed): uniform, a few /16s and /24s, the extremes
	if command -v text2pcap >/dev/null 2>&1; then
		awk 'BEGIN {
			srand(9)
			for (i = 0; i < 10000; i++) {
				for (k = 0; k < 2; k++) {
					r = rand()
					if (r < .4) a[k] = sprintf("%02x %02x %02x %02x", int(rand() * 256), int(rand() * 256), int(rand() * 256), int(rand() * 256))
					else if (r < .7) a[k] = sprintf("0a %02x %02x %02x", int(rand() * 4), int(rand() * 256), int(rand() * 256))
					else if (r < .95) a[k] = sprintf("c0 a8 %02x %02x", int(rand() * 8), int(rand() * 256))
					else a[k] = (rand() < .5) ? sprintf("00 00 00 %02x", int(rand() * 256)) : sprintf("ff ff ff %02x", int(rand() * 256))
				}
				printf "0000 45 00 00 1c 00 00 00 00 40 11 00 00 %s %s 04 d2 00 35 00 08 00 00\n", a[0], a[1]
			}
		}' >"$T/gen.txt"
		text2pcap -q -F pcap -l 101 "$T/gen.txt" "$T/generated-v4.pcap" >/dev/null 2>&1 ||
			no "text2pcap" "could not write the generated capture"
	fi
	for f in "$CORPUS"/pcap/*.pcap "$T"/generated-v4.pcap; do
		[ -f "$f" ] || continue
		b=$(basename "$f" .pcap)
		if ! traceanon -f "$T/key" -s -d "pcapfile:$f" "pcapfile:$T/$b.anon.pcap" \
			>"$T/$b.log" 2>&1; then
			no "traceanon $b" "$(tail -3 "$T/$b.log")"
			continue
		fi
		tshark -r "$f" -T fields -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
			>"$T/$b.orig" 2>/dev/null
		tshark -r "$T/$b.anon.pcap" -T fields -e ip.src -e ip.dst -e ipv6.src \
			-e ipv6.dst >"$T/$b.peer" 2>/dev/null
		if [ "$(wc -l <"$T/$b.orig")" -ne "$(wc -l <"$T/$b.peer")" ]; then
			no "cryptopan $b" "packet counts differ: $(wc -l <"$T/$b.orig") vs $(wc -l <"$T/$b.peer")"
			continue
		fi
		# one pair a line: "v4 ORIG PEER" or "v6 ORIG PEER" (ICMP errors
		# carry comma-separated lists: paired by position)
		paste "$T/$b.orig" "$T/$b.peer" | awk -F'\t' '{
			for (c = 1; c <= 4; c++) {
				n = split($c, o, ","); m = split($(c + 4), p, ",")
				if (n != m) { print "bad", NR, $c, $(c + 4); continue }
				for (i = 1; i <= n; i++)
					if (o[i] != "") print (c <= 2 ? "v4" : "v6"), o[i], p[i]
			}
		}' >"$T/$b.pairs"
		if grep -q '^bad' "$T/$b.pairs"; then
			no "cryptopan $b" "address lists of different lengths: $(grep '^bad' "$T/$b.pairs" | head -1)"
			continue
		fi
		awk '$1 == "v4" { print $2 }' "$T/$b.pairs" >"$T/$b.in4"
		n4=$(wc -l <"$T/$b.in4")
		"$MAP" --map "$KEYHEX" <"$T/$b.in4" >"$T/$b.ours4"
		awk '$1 == "v4" { print $3 }' "$T/$b.pairs" >"$T/$b.peer4"
		diffs=$(paste -d' ' "$T/$b.in4" "$T/$b.ours4" "$T/$b.peer4" | awk '$2 != $3' | wc -l)
		changed=$(paste -d' ' "$T/$b.in4" "$T/$b.peer4" | awk '$1 != $2' | wc -l)
		if [ "$n4" -eq 0 ]; then
			: # an IPv6-only capture: nothing to compare
		elif [ "$diffs" -ne 0 ]; then
			no "cryptopan $b: $diffs of $n4 IPv4 addresses differ from traceanon" \
				"$(paste -d' ' "$T/$b.in4" "$T/$b.ours4" "$T/$b.peer4" | awk '$2 != $3' | head -3)"
		elif [ "$changed" -eq 0 ]; then
			no "cryptopan $b" "traceanon changed no address: nothing was compared"
		else
			ok "cryptopan $b: $n4 IPv4 addresses ($(sort -u "$T/$b.in4" | wc -l) distinct) equal traceanon's"
		fi
		n6=$(awk '$1 == "v6"' "$T/$b.pairs" | wc -l)
		if [ "$n6" -gt 0 ]; then
			same6=$(awk '$1 == "v6" && $2 == $3' "$T/$b.pairs" | wc -l)
			echo "note: $b: $n6 IPv6 addresses, $same6 left as they were by traceanon (no IPv6 Crypto-PAn in libtrace 3): not compared"
		fi
		total4=$((total4 + n4))
		total6=$((total6 + n6))
	done
	echo "note: $total4 IPv4 addresses compared, $total6 IPv6 addresses without a peer"
fi
done_tests
