#!/bin/sh
# bench/logs.sh — speed of the syslog and access log parsers against mawk
# extracting the same fields from the same file, side by side.
#
#   sh bench/logs.sh            (after building build/rel/bench/bench_logs:
#                                make bench-bin, or the cc line below)
#
# Generates (once, cached in bench/out/) LOGS_LINES lines (default
# 2000000) of each format with a fixed seed:
#   syslog: ufw blocks (with printk times), iptables UDP drops, ip6tables
#           drops (the kernel's uncompressed IPv6), sshd failed passwords
#           (valid and invalid users), invalid users, preauth closes,
#           pam_unix failures, and 15% other daemons' lines;
#   weblog: nginx combined lines (IPv4 and IPv6 clients, common methods,
#           statuses and user agents, some "-" body sizes).
# Then times, best of LOGS_RUNS (default 3) by CPU time (user + system:
# per core, and less disturbed than wall time on a busy machine), pinned to
# one core when there are two or more:
#   detente  build/rel/bench/bench_logs FORMAT FILE (the parser with a
#            counting sink, the file read through the reader);
#   mawk     a split/regexp program that pulls out the source address,
#            ports (syslog) or status, body bytes and user agent (weblog)
#            of the lines of interest and adds them up.
# Both print the same sums, which are compared (a mismatch is reported:
# one of the two misread the file); the ratio is mawk CPU time / detente
# CPU time.
#
# bench_logs can also be built alone:
#   cc -O2 -D_GNU_SOURCE -Isrc bench/bench_logs.c build/rel/libdetente.a \
#     $(pkg-config --cflags --libs libsodium jansson libmaxminddb sqlite3 zlib libpcap) \
#     -lpthread -lm -o build/rel/bench/bench_logs
# shellcheck disable=SC2086
set -eu

cd "$(dirname "$0")/.."
OUT=bench/out
BIN=${BENCH_LOGS_BIN:-build/rel/bench/bench_logs}
LINES=${LOGS_LINES:-2000000}
RUNS=${LOGS_RUNS:-3}
SYSLOG=$OUT/logs-syslog-$LINES.log
WEBLOG=$OUT/logs-weblog-$LINES.log

die() { echo "bench/logs.sh: $*" >&2; exit 2; }
[ -x "$BIN" ] || die "$BIN missing: make bench-bin (or the cc line in this file)"
command -v mawk >/dev/null 2>&1 || die "mawk missing: apt-get install mawk"
mkdir -p "$OUT"
PIN=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc 2>/dev/null || echo 1)" -gt 1 ]; then
	PIN="taskset -c 1"
fi

if [ ! -s "$SYSLOG" ]; then
	echo "== generating $SYSLOG" >&2
	mawk -v n="$LINES" 'BEGIN {
	srand(20261127)
	split("root admin test oracle ubuntu postgres user git ftp guest", users, " ")
	for (i = 0; i < n; i++) {
		s = i % 86400; ts = sprintf("Nov 27 %02d:%02d:%02d", int(s / 3600), int(s % 3600 / 60), s % 60)
		a = sprintf("%d.%d.%d.%d", 1 + int(rand() * 222), int(rand() * 256), int(rand() * 256), 1 + int(rand() * 254))
		p = 1024 + int(rand() * 64000); r = rand()
		if (r < .30)
			printf "%s fw kernel: [%d.%06d] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=%s DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=%d ID=%d DF PROTO=TCP SPT=%d DPT=%d WINDOW=64240 RES=0x00 SYN URGP=0\n", ts, 1000 + i, i % 1000000, a, 30 + int(rand() * 34), int(rand() * 65536), p, 1 + int(rand() * 1024)
		else if (r < .40)
			printf "%s fw kernel: DROP-IN: IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=%s DST=10.0.0.5 LEN=76 TOS=0x00 PREC=0x00 TTL=57 ID=0 DF PROTO=UDP SPT=%d DPT=%d LEN=56\n", ts, a, p, 1 + int(rand() * 1024)
		else if (r < .45)
			printf "%s fw kernel: IPV6-DROP IN=eth0 OUT= MAC=33:33:00:00:00:01:52:54:00:65:43:21:86:dd SRC=2001:0db8:%04x:0000:0000:0000:0000:%04x DST=2001:0db8:0000:0000:0000:0000:0000:0005 LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=TCP SPT=%d DPT=22 WINDOW=65535 RES=0x00 SYN URGP=0\n", ts, int(rand() * 65536), 1 + int(rand() * 65535), p
		else if (r < .55)
			printf "%s bastion sshd[%d]: Failed password for root from %s port %d ssh2\n", ts, 1000 + i % 30000, a, p
		else if (r < .60)
			printf "%s bastion sshd[%d]: Failed password for invalid user %s from %s port %d ssh2\n", ts, 1000 + i % 30000, users[1 + int(rand() * 10)], a, p
		else if (r < .70)
			printf "%s bastion sshd[%d]: Invalid user %s from %s port %d\n", ts, 1000 + i % 30000, users[1 + int(rand() * 10)], a, p
		else if (r < .78)
			printf "%s bastion sshd[%d]: Connection closed by authenticating user root %s port %d [preauth]\n", ts, 1000 + i % 30000, a, p
		else if (r < .85)
			printf "%s bastion sshd[%d]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root\n", ts, 1000 + i % 30000, a
		else if (r < .93)
			printf "%s bastion CRON[%d]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)\n", ts, 1000 + i % 30000
		else
			printf "%s bastion systemd[1]: Started session-%d.scope - Session %d of User deploy.\n", ts, i, i
	}
}' >"$SYSLOG.tmp" && mv "$SYSLOG.tmp" "$SYSLOG"
fi

if [ ! -s "$WEBLOG" ]; then
	echo "== generating $WEBLOG" >&2
	mawk -v n="$LINES" 'BEGIN {
	srand(20261128)
	split("GET GET GET GET GET POST POST HEAD PUT OPTIONS", meth, " ")
	split("200 200 200 200 301 304 404 404 403 500", st, " ")
	split("/ /index.html /wp-login.php /xmlrpc.php /.env /api/v1/items?id=42 /static/app.js /images/logo.png /admin/login?next=%2F /search?q=shoes&page=2", path, " ")
	ua[1] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	ua[2] = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"
	ua[3] = "curl/8.4.0"
	ua[4] = "python-requests/2.31.0"
	ua[5] = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	ua[6] = "Go-http-client/1.1"
	ua[7] = "-"
	ua[8] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
	for (i = 0; i < n; i++) {
		s = i % 86400; ts = sprintf("[27/Nov/2026:%02d:%02d:%02d +0100]", int(s / 3600), int(s % 3600 / 60), s % 60)
		if (rand() < .1)
			a = sprintf("2001:db8:%x::%x", int(rand() * 65536), 1 + int(rand() * 65535))
		else
			a = sprintf("%d.%d.%d.%d", 1 + int(rand() * 222), int(rand() * 256), int(rand() * 256), 1 + int(rand() * 254))
		k = 1 + int(rand() * 10); b = (rand() < .05) ? "-" : int(rand() * 50000)
		ref = (rand() < .6) ? "-" : "https://www.example.com/"
		printf "%s - - %s \"%s %s HTTP/1.1\" %s %s \"%s\" \"%s\"\n", a, ts, meth[1 + int(rand() * 10)], path[k], st[1 + int(rand() * 10)], b, ref, ua[1 + int(rand() * 8)]
	}
}' >"$WEBLOG.tmp" && mv "$WEBLOG.tmp" "$WEBLOG"
fi

# The peer: what a user would write with mawk to pull the same fields.
AWK_SYSLOG='
index($0, " IN=") && index($0, " SRC=") {
	src = ""; dst = ""; spt = 0; dpt = 0; proto = ""
	for (i = 1; i <= NF; i++) {
		f = $i
		if (substr(f, 1, 1) == "[" && src != "") break
		k = substr(f, 1, 4)
		if (k == "SRC=") { if (src == "") src = substr(f, 5) }
		else if (k == "DST=") { if (dst == "") dst = substr(f, 5) }
		else if (k == "SPT=") spt = substr(f, 5) + 0
		else if (k == "DPT=") dpt = substr(f, 5) + 0
		else if (substr(f, 1, 6) == "PROTO=") proto = substr(f, 7)
	}
	ev++; ps += spt + dpt; next
}
/ sshd\[[0-9]+\]: / {
	if (match($0, / from [0-9A-Fa-f.:]+ port [0-9]+/)) {
		split(substr($0, RSTART + 6, RLENGTH - 6), a, " "); src = a[1]; ev++; ps += a[3]; next
	}
	if (match($0, /[0-9A-Fa-f.:]+ port [0-9]+ \[preauth\]$/)) {
		split(substr($0, RSTART, RLENGTH), a, " "); src = a[1]; ev++; ps += a[3]; next
	}
	if (match($0, / rhost=[0-9A-Fa-f.:]+/)) { src = substr($0, RSTART + 7, RLENGTH - 7); ev++; next }
}
END { printf "%.0f %.0f\n", ev, ps }'
AWK_WEBLOG='
{
	n = split($0, q, "\"")
	split(q[1], h, " "); ip = h[1]
	split(q[3], s, " "); st = s[1]; b = s[2]
	ua = q[6]; if (ua == "-") ua = ""
	ev++; ss += st; if (b != "-") bs += b; ul += length(ua)
}
END { printf "%.0f %.0f %.0f %.0f\n", ev, ss, bs, ul }'

# best CMD: "WALL CPU" seconds of the run of $RUNS with the least CPU time
# (user + system, by GNU time when there, else wall for both); CMD's
# stdout goes to $OUT/logs.last.
best() {
	b=""
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f "%e %U %S" -o "$OUT/logs.time" sh -c "exec $PIN $1" >"$OUT/logs.last"
			t=$(awk '{ printf "%s %.3f", $1, $2 + $3 }' "$OUT/logs.time")
		else
			t0=$(date +%s.%N)
			sh -c "exec $PIN $1" >"$OUT/logs.last"
			t=$(awk -v a="$t0" -v z="$(date +%s.%N)" 'BEGIN { printf "%.3f %.3f", z - a, z - a }')
		fi
		b=$(echo "$t $b" | awk '{ if (NF < 4 || $2 < $4) print $1, $2; else print $3, $4 }')
		i=$((i + 1))
	done
	echo "$b"
}

echo "lines/s per CPU second (user+system), best of $RUNS; ratio = mawk CPU / detente CPU"
printf '%-8s %9s %12s %12s %9s %9s %7s  %s\n' format lines "detente l/s" "mawk l/s" \
	"detente s" "mawk s" ratio sums
for f in syslog weblog; do
	file=$OUT/logs-$f-$LINES.log
	lines=$(wc -l <"$file")
	td=$(best "$BIN $f $file")
	sd=$(sed -n 's/.* sum //p' "$OUT/logs.last")
	if [ "$f" = syslog ]; then prog=$AWK_SYSLOG; else prog=$AWK_WEBLOG; fi
	printf '%s\n' "$prog" >"$OUT/logs-$f.awk"
	tm=$(best "mawk -f $OUT/logs-$f.awk $file")
	sm=$(cat "$OUT/logs.last")
	check="same sums"
	[ "$sd" = "$sm" ] || check="MISMATCH detente [$sd] mawk [$sm]"
	echo "$td $tm" | awk -v f="$f" -v n="$lines" -v c="$check" '{
		printf "%-8s %9d %12.0f %12.0f %9.3f %9.3f %7.1f  %s\n", f, n, n / $2, n / $4, $2, $4, $4 / $2, c
	}'
done
