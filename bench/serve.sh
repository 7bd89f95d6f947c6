#!/bin/sh
# bench/serve.sh — the node server under load, side by side with nginx:
#
#   A node with N entries (default 20000) exports its log (`log export`) and
#   nginx (Debian nginx-light, 2 workers) serves that directory as static
#   files, while `detente serve` (2 threads) answers the same resources from
#   the database.  wrk -t2 -c32 hammers /checkpoint and then random tiles
#   and entry bundles (every request authenticated for detente, as a peer
#   would), for each server in turn, in the same run; requests/s, p99
#   latency and the ratio detente/nginx are printed.  Then 1M checkpoint and
#   tile requests against detente with its resident memory before and after
#   (target: >= 20k requests/s, p99 <= 10 ms, memory flat).
#
# wrk and the servers share this machine's cores: the figures are for the
# whole box, client included.  Inputs in ${TMPDIR:-/tmp}/detente-serve-bench.
#
#   SERVE_ENTRIES=N  SERVE_SECONDS=S (per run, default 10)
set -eu
cd "$(dirname "$0")/.."
N=${SERVE_ENTRIES:-20000}
SECS=${SERVE_SECONDS:-10}
DIR=${TMPDIR:-/tmp}/detente-serve-bench
D=$(pwd)/detente
DB=$DIR/n$N.db
for t in wrk nginx curl; do
	command -v $t >/dev/null 2>&1 || [ -x /usr/sbin/$t ] ||
		{ echo "bench: $t missing: sh scripts/bootstrap --bench" >&2; exit 2; }
done
mkdir -p "$DIR"
if [ ! -f "$DB.ready" ]; then
	rm -rf "$DB" "$DB.d" "$DIR/files" "$DIR/export"
	$D --db "$DB" init --party BENCH >/dev/null 2>&1
	mkdir -p "$DIR/files"
	i=0
	while [ $i -lt "$N" ]; do echo "evidence $i" >"$DIR/files/$i"; i=$((i + 1)); done
	(cd "$DIR/files" && ls | xargs -n 5000 "$D" --db "$DB" log append --kind intel --tlp GREEN >/dev/null)
	touch "$DB.ready"
fi
rm -rf "$DIR/export"
$D --db "$DB" log export "$DIR/export" >/dev/null 2>&1
TOKEN=$($D --db "$DB" token add "bench-$$" --role peer)
SIZE=$(sed -n 2p "$DIR/export/checkpoint")
(cd "$DIR/export" && find tile -type f | sort) >"$DIR/tiles.txt"
echo "log: $SIZE entries, $(wc -l <"$DIR/tiles.txt") tiles and bundles"

# wrk: random tile paths, the peer's credential on every request
{
	echo 'local paths = {}'
	echo 'for l in io.lines("'"$DIR/tiles.txt"'") do paths[#paths + 1] = "/" .. l end'
	echo 'math.randomseed(1)'
	echo 'request = function()'
	echo '  return wrk.format("GET", paths[math.random(#paths)], {["Authorization"] = "Bearer '"$TOKEN"'"})'
	echo 'end'
} >"$DIR/tiles.lua"

PD=$((20000 + $$ % 20000)) PN=$((PD + 1))
cat >"$DIR/nginx.conf" <<CONF
worker_processes 2;
pid $DIR/nginx.pid;
error_log $DIR/nginx.err;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	server { listen 127.0.0.1:$PN; root $DIR/export; }
}
CONF
nginx -c "$DIR/nginx.conf" -p "$DIR" -g 'daemon on;'
$D --db "$DB" serve --listen "127.0.0.1:$PD" --threads 2 2>"$DIR/serve.log" &
SP=$!
trap 'kill $SP 2>/dev/null; kill "$(cat "$DIR/nginx.pid" 2>/dev/null)" 2>/dev/null; $D --db "$DB" token revoke "bench-$$" 2>/dev/null' EXIT
for w in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$PD/checkpoint" && break; sleep 0.05; done
curl -sf -o /dev/null "http://127.0.0.1:$PN/checkpoint" || { echo "bench: nginx did not start" >&2; exit 2; }

# run NAME URL [wrk args]: prints "rps p99ms"
run() {
	out=$(wrk -t2 -c32 -d"${SECS}s" --latency "$@" 2>&1)
	rps=$(echo "$out" | awk '/^Requests\/sec/ { print $2 }')
	p99=$(echo "$out" | awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub("us", "", v); v /= 1000 } else if (v ~ /ms$/) sub("ms", "", v); else if (v ~ /s$/) { sub("s", "", v); v *= 1000 } print v }')
	non2xx=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
	[ -z "$non2xx" ] || echo "bench: $non2xx non-2xx answers: $*" >&2
	echo "$rps $p99"
}
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$SP/status"; }

set -- $(run "http://127.0.0.1:$PD/checkpoint"); dc=$1 dcp=$2
set -- $(run "http://127.0.0.1:$PN/checkpoint"); nc=$1 ncp=$2
set -- $(run -s "$DIR/tiles.lua" "http://127.0.0.1:$PD"); dt=$1 dtp=$2
set -- $(run -s "$DIR/tiles.lua" "http://127.0.0.1:$PN"); nt=$1 ntp=$2
printf '%-28s %12s %9s %12s %9s %8s\n' resource "detente r/s" "p99 ms" "nginx r/s" "p99 ms" ratio
printf '%-28s %12.0f %9.2f %12.0f %9.2f %7.2fx\n' /checkpoint "$dc" "$dcp" "$nc" "$ncp" "$(echo "$dc $nc" | awk '{ print $1 / $2 }')"
printf '%-28s %12.0f %9.2f %12.0f %9.2f %7.2fx\n' "tiles and bundles (random)" "$dt" "$dtp" "$nt" "$ntp" "$(echo "$dt $nt" | awk '{ print $1 / $2 }')"

# memory over 1M requests: half checkpoints, half tiles
r0=$(rss)
wrk -t2 -c32 -d"$((500000 / ${dc%.*} + 1))s" "http://127.0.0.1:$PD/checkpoint" >/dev/null 2>&1
r1=$(rss)
wrk -t2 -c32 -d"$((500000 / ${dt%.*} + 1))s" -s "$DIR/tiles.lua" "http://127.0.0.1:$PD" >/dev/null 2>&1
r2=$(rss)
echo "detente serve RSS: ${r0} kB at start, ${r1} kB after ~500k checkpoints, ${r2} kB after ~500k more tiles"
