#!/bin/sh
# tests/run.sh — run every test binary and CLI test script, add up their
# "# N passed, N failed, N skipped" lines, and end with the one line
#   N passed, N failed[, N skipped]
# Environment: DETENTE (the binary under test), TESTBIN (unit test dir).
set -u
: "${DETENTE:=./detente}"
: "${TESTBIN:=build/rel/tests}"
export DETENTE
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ ! -d ../shared/corpus ] && [ -z "${DETENTE_CORPUS:-}" ]; then
	echo "note: ../shared/corpus is absent: corpus-based tests will say so and skip"
fi

tally() {
	# $1: name, then reads the test's output in $log
	line=$(grep '^# [0-9]* passed, [0-9]* failed, [0-9]* skipped' "$log" | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL $1: no result line (crashed?)"
		fail=$((fail + 1))
		return
	fi
	set -- $line
	pass=$((pass + $2))
	fail=$((fail + $4))
	skip=$((skip + $6))
}

for t in "$TESTBIN"/*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	echo "== $name"
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	tally "$name"
	if [ $rc -ne 0 ] && ! grep -q '^# .* [1-9][0-9]* failed' "$log"; then
		echo "FAIL $name: exit status $rc"
		fail=$((fail + 1))
	fi
done

for t in tests/cli/*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	echo "== cli/$name"
	sh "$t" >"$log" 2>&1
	cat "$log"
	tally "cli/$name"
done

if [ -f fuzz/replay.sh ]; then
	echo "== fuzz replay"
	sh fuzz/replay.sh >"$log" 2>&1
	cat "$log"
	tally "fuzz-replay"
fi

if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
