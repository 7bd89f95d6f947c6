#!/bin/sh
# bench/campaigns.sh — campaigns and the report at scale, through the binary:
#
#   `detente simulate --scale S` (default 470: about 10M events), one node
#   ingests every victim's files, imports the exercise's STIX and the
#   public-DNS warning list, matches; then `detente campaigns --members`
#   (read every stored event, link, group) and `detente report` are timed
#   with their peak memory (target: 10M events clustered and assessed in
#   <= 30 s), and the grouping is scored against the ground truth
#   (adjusted Rand index: bench/ari.c, the same figures as
#   tests/tools/ari.awk in seconds at 10M).
#
# No other tool groups events into campaigns from the same inputs, so
# there is no peer to run side by side: the figures are absolute.  Inputs
# are cached in ${TMPDIR:-/tmp}/detente-campaigns-bench/.
#
#   CAMPAIGN_SCALE=S   DETENTE_CORPUS=DIR
set -eu
cd "$(dirname "$0")/.."
S=${CAMPAIGN_SCALE:-470}
CORPUS=${DETENTE_CORPUS:-../shared/corpus}
WL=$CORPUS/misp/warninglists/public-dns-v4.json
DIR=${TMPDIR:-/tmp}/detente-campaigns-bench
D=$(pwd)/detente
DB=$DIR/n$S.db
mkdir -p "$DIR"
if [ ! -f "$DB.ready" ]; then
	rm -rf "$DIR/sim$S" "$DB" "$DB.d"
	$D simulate --scale "$S" "$DIR/sim$S" | head -n 1
	$D --db "$DB" init --party BENCH >/dev/null 2>&1
	$D --db "$DB" refdata build --defaults -q
	start=$(date +%s.%N)
	tail -n +2 "$DIR/sim$S/victims.tsv" | while IFS="$(printf '\t')" read -r party sub victim sector net; do
		$D --db "$DB" ingest --victim "$victim" --sector "$sector" --home-net "$net" "$DIR/sim$S/$sub"/* >/dev/null
	done
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "ingest: %.1f s\n", e - s }'
	$D --db "$DB" intel import "$DIR/sim$S/intel/apt1-campaign.json" ${WL:+$( [ -f "$WL" ] && echo "$WL")} >/dev/null
	$D --db "$DB" match >/dev/null
	(cd "$DIR/sim$S" && for f in party-*/*/*; do
		printf 'sha256:%s\t%s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$f"
	done) >"$DB.digests"
	touch "$DB.ready"
fi
n=$(wc -l <"$DIR/sim$S/truth.tsv")
/usr/bin/time -f "%e %M" -o "$DIR/t1" $D --db "$DB" campaigns --members >"$DIR/members"
/usr/bin/time -f "%e %M" -o "$DIR/t2" $D --db "$DB" report -o "$DIR/report.json" 2>/dev/null
read -r s1 m1 <"$DIR/t1"
read -r s2 m2 <"$DIR/t2"
awk -v n="$n" -v s="$s1" -v m="$m1" 'BEGIN { printf "campaigns --members: %d events in %.1f s (%.2f M events/s), peak %.0f MB\n", n, s, n / s / 1e6, m / 1024 }'
awk -v n="$n" -v s="$s2" -v m="$m2" 'BEGIN { printf "report (json):       %d events in %.1f s, peak %.0f MB (target: <= 30 s at 10M)\n", n, s, m / 1024 }'
if [ -x build/rel/bench/ari ]; then
	build/rel/bench/ari "$DB.digests" "$DIR/sim$S/truth.tsv" "$DIR/members"
else
	awk -f tests/tools/ari.awk "$DB.digests" "$DIR/sim$S/truth.tsv" "$DIR/members"
fi | sed 's/^/grouping: /'
