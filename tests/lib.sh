# tests/lib.sh — what the CLI test scripts share (sourced, not run):
# a temporary directory $T removed on exit, the binary under test $D, the
# counters and the ok/no/sk/check reporters, and done_tests, which prints
# the "# N passed, N failed, N skipped" line tests/run.sh adds up.
D=${DETENTE:-./detente}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; [ $# -gt 1 ] && echo "     $2"; }
sk() { skip=$((skip + 1)); echo "skip $1: $2"; }
check() { # name, then a command that must succeed
	n=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$n"; else no "$n" "$*"; fi
}
done_tests() {
	echo "# $pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
}
