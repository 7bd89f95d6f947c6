#!/bin/sh
# fuzz/seeds.sh — assemble seed directories for the fuzz targets.
#
#   sh fuzz/seeds.sh [OUT]          (default OUT: build/fuzz/seeds)
#
# Writes OUT/<target>/ for each target from, when present:
#   fuzz/regress/<target>/          the committed inputs (*.gz gunzipped)
#   ${DETENTE_CORPUS:-../shared/corpus}   the reference corpus, read in
#                                   place and cut into small seeds
#   /usr/share/tor/geoip, geoip6, data/ip-location-db-asn/
#                                   real range files (slices of them)
#   $DETENTE (default ./detente)    indexes built from corpus MaxMind DBs
# FUZZ_SEED_SKIP (a shell pattern, e.g. 'bug-*') leaves out the committed
# inputs it matches: a bug's input that still crashes would stop the fuzzer
# as it loads its seeds.
# Nothing is written outside OUT; nothing here is committed.  Run from the
# top of the source tree.  Then, for example:
#   build/fuzz/fuzz_ranges -max_total_time=200 build/fuzz/work/fuzz_ranges \
#       build/fuzz/seeds/fuzz_ranges
set -eu

OUT=${1:-build/fuzz/seeds}
CORPUS=${DETENTE_CORPUS:-../shared/corpus}
DETENTE=${DETENTE:-./detente}
TARGETS=""
for src in fuzz/fuzz_*.c; do
	[ -f "$src" ] && TARGETS="$TARGETS $(basename "$src" .c)"
done

for t in $TARGETS; do
	rm -rf "${OUT:?}/$t"
	mkdir -p "$OUT/$t"
	for f in fuzz/regress/"$t"/*; do
		[ -f "$f" ] || continue
		b=$(basename "$f")
		# shellcheck disable=SC2254
		case "$b" in
		${FUZZ_SEED_SKIP:-.}) continue ;;
		esac
		case "$f" in
		*.gz) gzip -dc "$f" >"$OUT/$t/regress-${b%.gz}" ;;
		*) cp "$f" "$OUT/$t/regress-$b" ;;
		esac
	done
done

# Lines start..start+n-1 of a file, as one seed.
slice() { # file start n out
	sed -n "$2,$(($2 + $3 - 1))p" "$1" >"$4"
}

# Range files: slices of real ones (head, middle, tail; IPv4 and IPv6,
# text and decimal forms), and the corpus intel files as near misses.
for f in /usr/share/tor/geoip /usr/share/tor/geoip6 \
	data/ip-location-db-asn/asn-ipv4.csv data/ip-location-db-asn/asn-ipv6.csv \
	data/ip-location-db-asn/asn-ipv4-num.csv data/ip-location-db-asn/asn-ipv6-num.csv; do
	[ -f "$f" ] || continue
	b=$(basename "$f")
	n=$(wc -l <"$f")
	slice "$f" 1 40 "$OUT/fuzz_ranges/head-$b"
	slice "$f" $((n / 2)) 40 "$OUT/fuzz_ranges/mid-$b"
	slice "$f" $((n > 40 ? n - 39 : 1)) 40 "$OUT/fuzz_ranges/tail-$b"
done
if [ -d "$CORPUS/intel" ]; then
	for f in "$CORPUS"/intel/*; do
		[ -f "$f" ] || continue
		slice "$f" 1 60 "$OUT/fuzz_ranges/corpus-$(basename "$f")"
	done
fi

# Warning lists: the corpus lists, each cut to its first 40 entries (the
# big ones would make every mutation slow), and their entries one by one
# for the address parsers.
if [ -d "$CORPUS/misp/warninglists" ] && command -v jq >/dev/null 2>&1; then
	for f in "$CORPUS"/misp/warninglists/*.json; do
		b=$(basename "$f" .json)
		jq -c '.list |= (if type == "array" then .[:40] else . end)' "$f" \
			>"$OUT/fuzz_warninglist/corpus-$b.json" 2>/dev/null ||
			rm -f "$OUT/fuzz_warninglist/corpus-$b.json"
		i=0
		jq -r '.list[]? | strings' "$f" 2>/dev/null | head -n 15 |
			while IFS= read -r a; do
				i=$((i + 1))
				printf '%s' "$a" >"$OUT/fuzz_ip/corpus-$b-$i"
			done
	done
fi

# Intel importers (fuzz_intel): the first byte picks the importer (0 zeek,
# 1 iprep, 2 iprep list NUL categories, 3 warning list, 4 MISP event,
# 5 MISP galaxy, 6 feed manifest, 7 detection only), the rest is the input:
# the hand-written fixtures of tests/data/intel and slices of the corpus.
if [ -d "$OUT/fuzz_intel" ]; then
	fi_out="$OUT/fuzz_intel"
	fi_seed() { # selector-byte(octal) out file...
		b=$1
		o=$2
		shift 2
		{
			printf "\\$b"
			cat "$@"
		} >"$fi_out/$o"
	}
	fx=tests/data/intel
	for f in "$fx"/*.dat; do
		[ -f "$f" ] && fi_seed 000 "zeek-$(basename "$f")" "$f"
	done
	for f in "$fx"/*.list; do
		[ -f "$f" ] || continue
		fi_seed 001 "iprep-$(basename "$f")" "$f"
		{
			printf '\002'
			cat "$f"
			printf '\000'
			cat "$fx/iprep-cats.txt"
		} >"$fi_out/iprepcats-$(basename "$f")"
	done
	for f in "$fx"/warninglist-*.json; do
		[ -f "$f" ] && fi_seed 003 "wl-$(basename "$f")" "$f"
	done
	for f in "$fx"/misp-event.json "$fx"/misp-feed/6*.json; do
		[ -f "$f" ] && fi_seed 004 "misp-$(basename "$f")" "$f"
	done
	[ -f "$fx/misp-feed/manifest.json" ] &&
		fi_seed 006 manifest.json "$fx/misp-feed/manifest.json"
	for f in "$fx"/*; do
		[ -f "$f" ] && fi_seed 007 "detect-$(basename "$f")" "$f"
	done
	if [ -d "$CORPUS/intel" ]; then
		tmp=$(mktemp)
		for f in "$CORPUS"/intel/apt1-*.dat; do
			slice "$f" 1 40 "$tmp"
			fi_seed 000 "corpus-$(basename "$f")" "$tmp"
		done
		slice "$CORPUS/intel/scirius-iprep.list" 1 40 "$tmp"
		fi_seed 001 corpus-iprep "$tmp"
		{
			printf '\002'
			cat "$tmp"
			printf '\000'
			cat "$CORPUS/intel/scirius-categories.txt"
		} >"$fi_out/corpus-iprepcats"
		rm -f "$tmp"
	fi
	if command -v jq >/dev/null 2>&1; then
		for f in "$CORPUS"/misp/warninglists/*.json; do
			[ -f "$f" ] || continue
			b=$(basename "$f" .json)
			{
				printf '\003'
				jq '.list |= (if type == "array" then .[:20] else . end)' "$f"
			} >"$fi_out/corpus-wl-$b.json" 2>/dev/null || rm -f "$fi_out/corpus-wl-$b.json"
		done
		f="$CORPUS/misp/galaxy-threat-actor.json"
		if [ -f "$f" ]; then
			{
				printf '\005'
				jq '.values |= .[:8]' "$f"
			} >"$fi_out/corpus-galaxy.json" 2>/dev/null || rm -f "$fi_out/corpus-galaxy.json"
		fi
	fi
	for f in "$CORPUS"/stix/*.json; do
		[ -f "$f" ] || continue
		{
			printf '\007'
			head -c 4096 "$f"
		} >"$fi_out/corpus-detect-$(basename "$f")"
	done
fi

# MaxMind DBs: the corpus test databases, broken ones included.
if [ -d "$CORPUS/geo" ]; then
	for f in "$CORPUS"/geo/*.mmdb; do
		[ -f "$f" ] && cp "$f" "$OUT/fuzz_mmdb/corpus-$(basename "$f")"
	done
fi

# Indexes: built by detente from the corpus MaxMind DBs (when both exist).
if [ -x "$DETENTE" ] && [ -d "$CORPUS/geo" ]; then
	tmp=$(mktemp -d)
	for m in GeoIP2-City-Test GeoIP2-ISP-Test GeoLite2-ASN-Test; do
		[ -f "$CORPUS/geo/$m.mmdb" ] || continue
		if "$DETENTE" --db "$tmp/db" refdata build --quiet \
			--mmdb "$CORPUS/geo/$m.mmdb" >/dev/null 2>&1; then
			for i in "$tmp"/db.d/refdata/*.idx; do
				[ -f "$i" ] && cp "$i" "$OUT/fuzz_index/built-$m.idx"
			done
		fi
		rm -rf "$tmp/db" "$tmp/db.d"
	done
	rm -rf "$tmp"
fi

# Text logs (no syslog or access log in the corpus): the committed inputs
# again gzipped, so that the reader's inflate path is fuzzed with them, and
# each committed input cut into single lines.
for t in fuzz_syslog fuzz_weblog; do
	[ -d "$OUT/$t" ] || continue
	for f in fuzz/regress/"$t"/*; do
		[ -f "$f" ] || continue
		b=$(basename "$f")
		gzip -nc "$f" >"$OUT/$t/gzip-$b.gz"
		i=0
		while IFS= read -r l; do
			i=$((i + 1))
			printf '%s\n' "$l" >"$OUT/$t/line-$b-$i"
		done <"$f"
	done
done

# fuzz_sanitize: the first byte picks the sanitizer (0 zeek, 1 eve,
# 2 syslog, 3 weblog).  The corpus Zeek logs cut to their header and 40
# records, the corpus EVE record, the committed inputs of fuzz_syslog and
# fuzz_weblog behind their selector, and the committed inputs gzipped
# after their selector byte.
if [ -d "$OUT/fuzz_sanitize" ]; then
	fs_out="$OUT/fuzz_sanitize"
	if [ -d "$CORPUS/zeek" ]; then
		for f in "$CORPUS"/zeek/*.log.gz; do
			[ -f "$f" ] || continue
			{ printf '\000'; gzip -dc "$f" | head -n 48; } >"$fs_out/corpus-$(basename "$f" .gz)"
		done
	fi
	[ -f "$CORPUS/suricata/eve-fileinfo.json" ] &&
		{ printf '\001'; cat "$CORPUS/suricata/eve-fileinfo.json"; } >"$fs_out/corpus-eve"
	for t in syslog:002 weblog:003; do
		for f in fuzz/regress/fuzz_${t%%:*}/*; do
			[ -f "$f" ] || continue
			case "$f" in *.gz) continue ;; esac
			{ printf "\\${t##*:}"; cat "$f"; } >"$fs_out/${t%%:*}-$(basename "$f")"
		done
	done
	for f in fuzz/regress/fuzz_sanitize/*; do
		[ -f "$f" ] || continue
		{ head -c 1 "$f"; tail -c +2 "$f" | gzip -nc; } >"$fs_out/gzip-$(basename "$f")"
	done
fi

# NetFlow/IPFIX: every corpus export packet file, template and data files
# of one exporter end to end (the parser keeps templates across packets),
# and a few of those wrapped into captures by text2pcap (Wireshark) when it
# is installed: UDP over IPv4 in pcap, over IPv6 in pcapng.
if [ -d "$OUT/fuzz_netflow" ] && [ -d "$CORPUS/netflow" ]; then
	nf="$CORPUS/netflow"
	for f in "$nf"/*.dat; do
		cp "$f" "$OUT/fuzz_netflow/corpus-$(basename "$f" .dat)"
	done
	for g in "netflow9_test_cisco_asa_1_tpl netflow9_test_cisco_asa_1_data" \
		"netflow9_test_nprobe_tpl netflow9_test_softflowd_tpl_data netflow9_test_nprobe_data" \
		"netflow9_test_h3c_netstream_varstring_tpl3281 netflow9_test_h3c_netstream_varstring_data3281" \
		"netflow9_test_cisco_nbar_opttpl260 netflow9_test_cisco_nbar_tpl262 netflow9_test_cisco_nbar_data262" \
		"ipfix_test_netscaler_tpl ipfix_test_netscaler_data" \
		"ipfix_test_yaf_tpls_option_tpl ipfix_test_yaf_data45873" \
		"ipfix_test_vmware_vds_tpl ipfix_test_vmware_vds_data266_267" \
		"ipfix_test_ixia_tpldata256 netflow5.dat ipfix.dat"; do
		out="$OUT/fuzz_netflow/group-${g%% *}"
		: >"$out"
		for f in $g; do
			cat "$nf/${f%.dat}.dat" >>"$out"
		done
	done
	if command -v text2pcap >/dev/null 2>&1; then
		for f in ipfix_test_netscaler_tpl ipfix.dat netflow9_test_valid01 netflow5_test_microtik; do
			f="$nf/${f%.dat}.dat"
			b=$(basename "$f" .dat)
			od -Ax -tx1 -v "$f" | text2pcap -q -u 2055,2055 - \
				"$OUT/fuzz_netflow/pcap-$b.pcap" >/dev/null 2>&1 || true
			od -Ax -tx1 -v "$f" | text2pcap -q -n -6 2001:db8::1,2001:db8::2 \
				-u 4739,4739 - "$OUT/fuzz_netflow/pcapng-$b.pcapng" >/dev/null 2>&1 || true
		done
	fi
fi

# Captures: the corpus captures cut to their first 16 KB (a cut that
# libpcap reports as damage: a seed for that path too), and the committed
# captures gzipped and, with editcap, converted to pcapng.
if [ -d "$OUT/fuzz_pcap" ]; then
	if [ -d "$CORPUS/pcap" ]; then
		for f in "$CORPUS"/pcap/*.pcap; do
			[ -f "$f" ] && head -c 16384 "$f" >"$OUT/fuzz_pcap/corpus-$(basename "$f")"
		done
	fi
	for f in fuzz/regress/fuzz_pcap/*.pcap; do
		[ -f "$f" ] || continue
		b=$(basename "$f" .pcap)
		gzip -nc "$f" >"$OUT/fuzz_pcap/gzip-$b.pcap.gz"
		if command -v editcap >/dev/null 2>&1; then
			editcap -F pcapng "$f" "$OUT/fuzz_pcap/ng-$b.pcapng" >/dev/null 2>&1 ||
				rm -f "$OUT/fuzz_pcap/ng-$b.pcapng"
		fi
	done
fi

# STIX: every distinct indicator pattern of the corpus bundles, one a file
# (the first 300), for fuzz_pattern; the small bundles whole and the big
# ones cut to their first 30 objects, for fuzz_stix.
if [ -d "$CORPUS/stix" ] && command -v jq >/dev/null 2>&1; then
	if [ -d "$OUT/fuzz_pattern" ]; then
		i=0
		for f in "$CORPUS"/stix/*.json; do
			jq -r '(if .type == "bundle" then .objects[]? else . end) | .pattern? // empty' \
				"$f" 2>/dev/null
		done | sort -u | head -n 300 | while IFS= read -r p; do
			i=$((i + 1))
			printf '%s' "$p" >"$OUT/fuzz_pattern/corpus-$i"
		done
	fi
	if [ -d "$OUT/fuzz_stix" ]; then
		for f in "$CORPUS"/stix/*.json; do
			b=$(basename "$f" .json)
			if [ "$(wc -c <"$f")" -lt 20000 ]; then
				cp "$f" "$OUT/fuzz_stix/corpus-$b.json"
			else
				jq '.objects |= (if type == "array" then .[:30] else . end)' "$f" \
					>"$OUT/fuzz_stix/corpus-$b.json" 2>/dev/null ||
					rm -f "$OUT/fuzz_stix/corpus-$b.json"
			fi
		done
	fi
fi

# Tiles (fuzz_tiles): a small log exported by detente (300 entries, so a
# full tile and partial ones): every tile path, the entry bundles behind a
# width byte (the number of entries - 1, as the target reads them), cut
# bundles, single entries, and the entries' descriptions.
if [ -x "$DETENTE" ] && [ -d "$OUT/fuzz_tiles" ]; then
	tmp=$(mktemp -d)
	mkdir -p "$tmp/p"
	awk -v d="$tmp/p" 'BEGIN { for (i = 1; i <= 300; i++) { f = d "/" i; print "seed " i > f; close(f) } }'
	if "$DETENTE" --db "$tmp/db" init --party seeds >/dev/null 2>&1 &&
		"$DETENTE" --db "$tmp/db" log append --kind intel --tlp GREEN \
			--about "zeek telemetry conn.log of X | format=zeek victim=A%20B home-net=10.0.0.0/8" \
			$(seq 1 300 | sed "s|^|$tmp/p/|") >/dev/null 2>&1 &&
		"$DETENTE" --db "$tmp/db" log export "$tmp/x" >/dev/null 2>&1; then
		i=0
		(cd "$tmp/x" && find tile -type f) | while IFS= read -r rel; do
			i=$((i + 1))
			printf '%s' "$rel" >"$OUT/fuzz_tiles/path-$i"
			case "$rel" in
			tile/entries/*)
				w=${rel##*.p/}
				case "$rel" in *.p/*) ;; *) w=256 ;; esac
				{ printf "\\$(printf '%03o' $((w - 1)))"; cat "$tmp/x/$rel"; } >"$OUT/fuzz_tiles/bundle-$i"
				head -c 700 "$tmp/x/$rel" >"$OUT/fuzz_tiles/bundle-cut-$i"
				;;
			esac
		done
		for n in 0 1 299; do
			"$DETENTE" --db "$tmp/db" log entry $n >"$OUT/fuzz_tiles/entry-$n" 2>/dev/null
		done
	fi
	rm -rf "$tmp"
fi

# fuzz_dash: /api/trace queries (first byte 0) of the addresses the
# corpus's range files start with, and routes (first byte 1).
if [ -d "$OUT/fuzz_dash" ]; then
	i=0
	for f in /usr/share/tor/geoip6 data/ip-location-db-asn/asn-ipv4.csv data/ip-location-db-asn/asn-ipv6.csv; do
		[ -f "$f" ] || continue
		i=$((i + 1))
		{ printf '\000'; grep -v '^#' "$f" | head -8 | cut -d, -f1 | sed 's/:/%3A/g; s/^/ip=/' |
			paste -sd '&'; } >"$OUT/fuzz_dash/query-$i"
	done
	printf '\000ip=+8.8.8.8+&x&ip=%%3A%%3Affff%%3A10.0.0.1&ip=%%2' >"$OUT/fuzz_dash/query-mixed"
	for r in 'GET\n/' 'HEAD\n/dashboard' 'GET\n/api/ledger' 'PUT\n/' 'GET\n/apix' 'GET\n/api/'; do
		i=$((i + 1))
		printf "\\001$r" >"$OUT/fuzz_dash/route-$i"
	done
fi

# fuzz_taxii: the first byte picks query (0), envelope (1), timestamp and
# media type (2) or whole request (3).  Envelopes: each collection of the
# corpus's medallion fixture with its objects, and its manifest entries
# as query values.
if [ -d "$OUT/fuzz_taxii" ] && [ -f "$CORPUS/taxii/medallion-default_data.json" ] &&
	command -v jq >/dev/null 2>&1; then
	fx="$CORPUS/taxii/medallion-default_data.json"
	i=0
	for c in $(jq -r '.trustgroup1.collections[] | select((.objects | length) > 0) | .id' "$fx"); do
		i=$((i + 1))
		{ printf '\001'; jq -c --arg c "$c" '{objects: (.trustgroup1.collections[] |
			select(.id == $c) | .objects)}' "$fx"; } >"$OUT/fuzz_taxii/envelope-$i"
		{ printf '\003\001/taxii2/r/collections/c/objects/\n\n'; jq -c --arg c "$c" \
			'{objects: (.trustgroup1.collections[] | select(.id == $c) | .objects)}' \
			"$fx"; } >"$OUT/fuzz_taxii/post-$i"
		{ printf '\000match[id]='; jq -r --arg c "$c" '[.trustgroup1.collections[] |
			select(.id == $c) | .manifest[].id] | join(",")' "$fx"; printf '&match[version]='
			jq -r --arg c "$c" '[.trustgroup1.collections[] | select(.id == $c) |
			.manifest[].version] | join(",")' "$fx"; } | tr -d '\n' >"$OUT/fuzz_taxii/query-$i"
	done
fi

# fuzz_scrub (any text): 40 records of each corpus Zeek log (uncompressed)
# and the corpus EVE record.
if [ -d "$OUT/fuzz_scrub" ]; then
	for f in "$CORPUS"/zeek/*.log.gz; do
		[ -f "$f" ] || continue
		gzip -dc "$f" 2>/dev/null | sed -n '1,48p' >"$OUT/fuzz_scrub/zeek-$(basename "$f" .gz)" || true
	done
	[ -f "$CORPUS/suricata/eve-fileinfo.json" ] &&
		cp "$CORPUS/suricata/eve-fileinfo.json" "$OUT/fuzz_scrub/eve-fileinfo.json"
fi

# fuzz_sanitize_bin: the first byte picks the format (bit 0: pcap 0,
# netflow 1) and the home networks (bit 1: RFC 1918 or everything).  The
# corpus captures (first 16 KiB) and export packet files behind each
# selector; the committed inputs already carry theirs.
if [ -d "$OUT/fuzz_sanitize_bin" ]; then
	for f in "$CORPUS"/pcap/*.pcap; do
		[ -f "$f" ] || continue
		{ printf '\000'; head -c 16384 "$f"; } >"$OUT/fuzz_sanitize_bin/pcap-$(basename "$f")"
		{ printf '\002'; head -c 16384 "$f"; } >"$OUT/fuzz_sanitize_bin/pcapall-$(basename "$f")"
	done
	for f in "$CORPUS"/netflow/*.dat; do
		[ -f "$f" ] || continue
		{ printf '\001'; cat "$f"; } >"$OUT/fuzz_sanitize_bin/nf-$(basename "$f")"
		{ printf '\003'; cat "$f"; } >"$OUT/fuzz_sanitize_bin/nfall-$(basename "$f")"
	done
fi

for t in $TARGETS; do
	echo "fuzz-seeds $t: $(find "$OUT/$t" -type f | wc -l) seeds in $OUT/$t"
done

# fuzz_serve: witness bodies (0), witness heads before a real checkpoint
# (1), ledger routes (2), queries (3).
if [ -d "$OUT/fuzz_serve" ]; then
	i=0
	for h in 'old 0\n' 'old 5\n' 'old 3\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n' 'old 9\n' 'old 00\n'; do
		i=$((i + 1)); printf "\\001$h" >"$OUT/fuzz_serve/head-$i"
	done
	printf '\000old 0\n\ndetente/P\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n' >"$OUT/fuzz_serve/body-1"
	for r in 'GET\n/checkpoint' 'GET\n/tile/0/000.p/5' 'GET\n/tile/entries/000.p/1' 'HEAD\n/tile/1/x001/234.p/7' \
		'GET\n/payload/sha256/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' 'GET\n/vkey' 'DELETE\n/checkpoint'; do
		i=$((i + 1)); printf "\\002$r" >"$OUT/fuzz_serve/route-$i"
	done
	printf '\003ip=1%%41&x=%%zz&ip' >"$OUT/fuzz_serve/query-1"
fi
