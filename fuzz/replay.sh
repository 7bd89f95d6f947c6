#!/bin/sh
# fuzz/replay.sh — replay saved inputs through every fuzz target, without
# libFuzzer (fuzz/replay.c), as part of `make check`.
#
# For each target (every fuzz/fuzz_*.c), the replay binary
# $FUZZ_REPLAY_DIR/<target> (built by `make tests` through fuzz/fuzz.mk:
# $(BUILD)/fuzz-replay/) runs over
#   fuzz/regress/<target>/       committed inputs (*.gz gunzipped first)
# and, when ${DETENTE_CORPUS:-../shared/corpus} exists, over
#   fuzz_ranges        intel/*                 (not range files: near misses)
#   fuzz_warninglist   misp/warninglists/*.json
#   fuzz_index         geo/*.mmdb (not indexes), and the indexes $DETENTE
#                      builds from geo/GeoIP2-Country-Test.mmdb and
#                      geo/GeoLite2-ASN-Test.mmdb
#   fuzz_mmdb          geo/*.mmdb (broken ones included)
#   fuzz_netflow       netflow/*.dat
#   fuzz_pcap          pcap/*.pcap
#   fuzz_eve           suricata/*.json
# Output: one line per target,
#   fuzz-replay <target>: N inputs ok
# (or "FAIL fuzz-replay <target>: ..." after the failing input's report, or
# "skip fuzz-replay <target>: ..." when its binary is missing or it has no
# inputs), then
#   # P passed, F failed, S skipped
# counting targets, which tests/run.sh adds up.  Exit status 1 on a failure.
#
# Environment: FUZZ_REPLAY_DIR (default: $TESTBIN/../fuzz-replay, else
# build/rel/fuzz-replay), DETENTE (default ./detente), DETENTE_CORPUS.
set -u

if [ -z "${FUZZ_REPLAY_DIR:-}" ]; then
	if [ -n "${TESTBIN:-}" ]; then
		FUZZ_REPLAY_DIR=$(dirname "$TESTBIN")/fuzz-replay
	else
		FUZZ_REPLAY_DIR=build/rel/fuzz-replay
	fi
fi
CORPUS=${DETENTE_CORPUS:-../shared/corpus}
DETENTE=${DETENTE:-./detente}
REGRESS=$(dirname "$0")/regress
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

have_corpus=0
if [ -d "$CORPUS" ]; then
	have_corpus=1
else
	echo "note: $CORPUS is absent: replaying fuzz/regress only"
fi

# The committed inputs of a target, plain files as they are and *.gz
# decompressed into $tmp; prints the paths, one a line.
regress() {
	mkdir -p "$tmp/$1"
	for f in "$REGRESS/$1"/*; do
		[ -f "$f" ] || continue
		case "$f" in
		*.gz)
			b=$(basename "$f" .gz)
			gzip -dc "$f" >"$tmp/$1/$b" && echo "$tmp/$1/$b"
			;;
		*) echo "$f" ;;
		esac
	done
}

# run TARGET PATH... (the paths of the inputs, files or directories)
run() {
	t=$1
	shift
	bin=$FUZZ_REPLAY_DIR/$t
	if [ ! -x "$bin" ]; then
		echo "skip fuzz-replay $t: $bin is not built (make tests builds it)"
		skip=$((skip + 1))
		return
	fi
	if [ $# -eq 0 ]; then
		echo "skip fuzz-replay $t: no inputs"
		skip=$((skip + 1))
		return
	fi
	"$bin" "$@" >"$tmp/out" 2>&1
	rc=$?
	cat "$tmp/out"
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
	else
		echo "FAIL fuzz-replay $t: exit status $rc"
		fail=$((fail + 1))
	fi
}

# Inputs from the reference corpus for a target, one path a line.
corpus_inputs() {
	[ $have_corpus = 1 ] || return 0
	case $1 in
	fuzz_ranges) glob="$CORPUS/intel/*" ;;
	fuzz_warninglist) glob="$CORPUS/misp/warninglists/*.json" ;;
	fuzz_index | fuzz_mmdb) glob="$CORPUS/geo/*.mmdb" ;;
	fuzz_netflow) glob="$CORPUS/netflow/*.dat" ;;
	fuzz_pcap) glob="$CORPUS/pcap/*.pcap" ;;
	fuzz_eve) glob="$CORPUS/suricata/*.json" ;;
	*) return 0 ;;
	esac
	for f in $glob; do
		[ -f "$f" ] && echo "$f"
	done
	[ "$1" = fuzz_index ] && [ -x "$DETENTE" ] || return 0
	for m in GeoIP2-Country-Test GeoLite2-ASN-Test; do
		[ -f "$CORPUS/geo/$m.mmdb" ] || continue
		db=$tmp/db-$m
		if "$DETENTE" --db "$db" refdata build --quiet \
			--mmdb "$CORPUS/geo/$m.mmdb" >/dev/null 2>&1; then
			for i in "$db".d/refdata/*.idx; do
				[ -f "$i" ] && echo "$i"
			done
		else
			echo "note: $DETENTE refdata build --mmdb $m.mmdb failed: index not replayed" >&2
		fi
	done
}

# Every fuzz/fuzz_*.c is a target.
for src in "$(dirname "$0")"/fuzz_*.c; do
	[ -f "$src" ] || continue
	t=$(basename "$src" .c)
	set --
	for f in $(regress "$t") $(corpus_inputs "$t"); do
		set -- "$@" "$f"
	done
	run "$t" "$@"
done

echo "# $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
