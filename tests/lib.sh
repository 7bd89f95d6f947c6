# tests/lib.sh — what the CLI test scripts share (sourced, not run):
# a temporary directory $T removed on exit, the binary under test $D, the
# counters and the ok/no/sk/check reporters, and done_tests, which prints
# the "# N passed, N failed, N skipped" line tests/run.sh adds up; and
# serve_start, which runs a real `detente serve` on a free loopback port
# (stopped on exit).
D=${DETENTE:-./detente}
T=$(mktemp -d)
serve_stop_all() {
	[ -f "$T/pids" ] || return 0
	while read -r p; do kill "$p" 2>/dev/null; done <"$T/pids"
	while read -r p; do
		for _i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done <"$T/pids"
	rm -f "$T/pids"
}
trap 'serve_stop_all; rm -rf "$T"' EXIT
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

# serve_start DB [SERVE ARGS...]: `detente --db DB serve` on a free loopback
# port; sets SERVE_PORT, SERVE_URL and SERVE_PID (stopped on exit; its
# stderr in $T/serve-PORT.log); returns 1 when no server came up.
serve_start() {
	_db=$1; shift
	for _try in 1 2 3 4 5 6 7 8; do
		SERVE_PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
		SERVE_URL=http://127.0.0.1:$SERVE_PORT
		"$D" --db "$_db" serve --listen "127.0.0.1:$SERVE_PORT" "$@" \
			2>>"$T/serve-$SERVE_PORT.log" &
		SERVE_PID=$!
		echo "$SERVE_PID" >>"$T/pids"
		for _w in $(seq 1 100); do
			curl -sf -o /dev/null "$SERVE_URL/checkpoint" && return 0
			kill -0 "$SERVE_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill "$SERVE_PID" 2>/dev/null
	done
	return 1
}
