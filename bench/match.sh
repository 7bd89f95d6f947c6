#!/bin/sh
# bench/match.sh — threat intel end to end through the detente binary:
#
#   load    `detente intel import` of 1M mixed indicators (a Zeek Intel
#           file: 60% addresses and CIDRs, 25% domains, 10% MD5s, 5% URLs)
#           into a node: parse, normalize, ledger entry, SQLite rows
#           (target: <= 3 s)
#   match   `detente match` of 10M stored events (Zeek conn records whose
#           remote addresses are bench/gen_intel.awk's event addresses)
#           against those indicators: read and decode the event blocks,
#           look up both endpoints, write the sightings — against
#           `grepcidr -c -f` on the same address list and CIDR set
#           (target: >= 20x grepcidr)
#   retro   `detente match` again after a new 1,000-indicator import: every
#           stored event meets only the new indicators
#
# The sightings detente stores are checked against grepcidr's count (events
# whose remote address is in an indicator).  Inputs come from
# bench/gen_intel.awk and are cached in ${TMPDIR:-/tmp}/detente-match-bench/.
#
#   MATCH_INDICATORS=N  MATCH_EVENTS=N
# shellcheck disable=SC2086
set -eu

cd "$(dirname "$0")/.."
NI=${MATCH_INDICATORS:-1000000}
NE=${MATCH_EVENTS:-10000000}
DIR=${TMPDIR:-/tmp}/detente-match-bench
D=$(pwd)/detente
mkdir -p "$DIR"

say() { echo "== $*" >&2; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
met() { awk "BEGIN { if ($1) print \"met\"; else print \"MISSED\" }"; }
pin() { if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then echo "taskset -c $1"; fi; }
command -v grepcidr >/dev/null || { echo "bench/match.sh: grepcidr missing (scripts/bootstrap --bench)" >&2; exit 2; }

NIP=$((NI * 60 / 100)) NDOM=$((NI * 25 / 100)) NMD5=$((NI * 10 / 100))
NURL=$((NI - NIP - NDOM - NMD5))
CIDRS=$DIR/cidrs-$NIP.txt
ADDRS=$DIR/addrs-$NIP-$NE.txt
DOMS=$DIR/domains-$NDOM.txt
INTEL=$DIR/intel-$NI.dat
CONN=$DIR/conn-$NIP-$NE.log
[ -s "$CIDRS" ] || { say "generating $NIP indicator addresses and CIDRs"; awk -v MODE=cidrs -v N=$NIP -v SEED=42 -f bench/gen_intel.awk >"$CIDRS"; }
[ -s "$ADDRS" ] || { say "generating $NE event addresses"; awk -v MODE=addrs -v N=$NE -v SEED=43 -f bench/gen_intel.awk "$CIDRS" >"$ADDRS"; }
[ -s "$DOMS" ] || { say "generating $NDOM domains"; awk -v MODE=domains -v N=$NDOM -v SEED=44 -f bench/gen_intel.awk >"$DOMS"; }
if [ ! -s "$INTEL" ]; then
	say "writing the $NI-indicator Zeek Intel file"
	{
		printf '#fields\tindicator\tindicator_type\tmeta.source\n'
		awk '{ print $0 "\t" (index($0, "/") ? "Intel::SUBNET" : "Intel::ADDR") "\tbench" }' "$CIDRS"
		awk '{ print $0 "\tIntel::DOMAIN\tbench" }' "$DOMS"
		awk -v N=$NMD5 'BEGIN { srand(46); for (i = 0; i < N; i++) { s = ""; for (k = 0; k < 32; k++) s = s substr("0123456789abcdef", 1 + int(rand() * 16), 1); print s "\tIntel::FILE_HASH\tbench" } }'
		awk -v N=$NURL 'NR <= N { print $0 "/gate" NR ".php?id=" NR "\tIntel::URL\tbench" }' "$DOMS"
	} >"$INTEL"
fi
if [ ! -s "$CONN" ]; then
	say "writing $NE Zeek conn records"
	awk 'BEGIN { OFS = "\t"; t = 1764201600
		print "#separator \\x09"; print "#path\tconn"
		print "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state"
		print "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring" }
		{ t += 0.0005; printf "%.6f\tC%x\t%s\t%d\t10.%d.%d.%d\t%d\ttcp\tS0\n", t, NR, $0, 1024 + NR % 60000,
			int(NR / 65536) % 256, int(NR / 256) % 256, NR % 256, (NR % 5 == 0) ? 22 : 445 }' "$ADDRS" >"$CONN"
fi

NODE=$DIR/node
rm -rf "$NODE" && mkdir -p "$NODE"
DB=$NODE/n.db
$D --db "$DB" init --party BENCH >/dev/null 2>&1
printf '1.0.0.0,223.255.255.255,ZZ\n' >"$NODE/country"
$D --db "$DB" refdata build --country "$NODE/country" -q
say "ingesting $NE events (not timed here: bench/ingest.sh measures ingest)"
$D --db "$DB" ingest "$CONN" >/dev/null

say "detente intel import ($NI indicators)"
t0=$(now)
$(pin 0) $D --db "$DB" intel import "$INTEL" >"$NODE/import.out"
t1=$(now)
load=$(calc "%.2f" "$t1 - $t0")
grep -q " 0 rejected" "$NODE/import.out" || { echo "bench/match.sh: import: $(cat "$NODE/import.out")" >&2; exit 1; }

say "detente match ($NE events)"
t0=$(now)
$(pin 0) $D --db "$DB" match --json >"$NODE/match.json"
t1=$(now)
dm=$(calc "%.2f" "$t1 - $t0")
say "grepcidr -c -f ($NIP CIDRs, $NE addresses)"
t0=$(now)
gc=$($(pin 1) grepcidr -c -f "$CIDRS" "$ADDRS")
t1=$(now)
gt=$(calc "%.2f" "$t1 - $t0")
# events with a hostile IP sighting, from the store
sighted=$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT DISTINCT block, idx FROM sightings WHERE type = 'ipv4-addr')")
agree=$([ "$sighted" = "$gc" ] && echo ok || echo "DIFFER ($sighted vs $gc)")

head -1 "$INTEL" >"$NODE/new.dat"
awk 'BEGIN { srand(47); for (i = 0; i < 1000; i++) printf "%d.%d.%d.%d\tIntel::ADDR\tlate\n", 1 + int(rand() * 222), int(rand() * 256), int(rand() * 256), int(rand() * 256) }' >>"$NODE/new.dat"
$D --db "$DB" intel import "$NODE/new.dat" >/dev/null
t0=$(now)
$(pin 0) $D --db "$DB" match --json >"$NODE/retro.json"
t1=$(now)
rt=$(calc "%.2f" "$t1 - $t0")

echo
echo "Threat intel through the binary ($NI indicators, $NE events; one core each)"
printf '%-44s %10s %12s %10s %s\n' "what" "detente" "peer" "ratio" "target"
printf '%-44s %9ss %12s %10s %s\n' "load $NI mixed indicators (intel import)" "$load" "-" "-" \
	"<= 3 s: $(met "$load <= 3")"
printf '%-44s %9ss %11ss %9sx %s\n' "match $NE events (detente match | grepcidr)" "$dm" "$gt" \
	"$(calc "%.1f" "$gt / $dm")" ">= 20x: $(met "$gt / $dm >= 20")"
printf '%-44s %9s %12s\n' "  events/s" "$(calc "%.2fM" "$NE / $dm / 1e6")" "$(calc "%.2fM" "$NE / $gt / 1e6")"
printf '%-44s %9s %12s %10s\n' "  events sighted by an address or CIDR" "$sighted" "$gc" "$agree"
printf '%-44s %9ss\n' "retro-hunt: $NE events x 1000 new indicators" "$rt"
