#!/bin/sh
# tests/cli/serve.sh — nodes talking over HTTP (`detente serve`, `sync`):
#   - the tlog-tiles resources over HTTP are byte for byte the files `log
#     export` writes; /checkpoint is public, tiles and payloads need a
#     credential (401 without or with a bad one, revocation takes effect);
#   - TLP: a payload is served only within the credential's TLP, RED never;
#   - the C2SP tlog-witness add-checkpoint call, status for status (200 with
#     a cosignature that verifies, 400, 403, 404, 409 with text/x.tlog.size,
#     422);
#   - two nodes sync each other over HTTP (pull, verify, mirror, ingest; push
#     the checkpoint to the other's witness and record its cosignature), a
#     third node syncs both; re-sync is a no-op; a forked copy of a node is
#     refused with evidence kept; a sync killed midway and a server killed
#     midway leave nothing half-done and the next sync succeeds.
set -u
. "$(dirname "$0")/../lib.sh"
if ! command -v curl >/dev/null 2>&1; then
	sk "serve" "curl is not installed (scripts/bootstrap installs it)"; done_tests; exit 0
fi
expect() { # NAME RC PATTERN CMD...: CMD exits RC and its stderr contains PATTERN
	n=$1 want=$2 pat=$3; shift 3
	"$@" >"$T/out" 2>"$T/err"; got=$?
	if [ "$got" -eq "$want" ] && grep -qF -- "$pat" "$T/err"; then ok "$n"; else
		no "$n" "exit $got (want $want), stderr: $(head -c 400 "$T/err")"; fi
}
# status URL [CURL ARGS]: the HTTP status code, body in $T/body, headers in $T/hdr
status() { u=$1; shift; curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@" "$u"; }
hdr_is() { tr -d '\r' <"$T/hdr" | grep -qi "^$1: $2\$"; }
cpnode() {
	sqlite3 "$1" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
	cp "$1" "$2"; cp -Rp "$1.d" "$2.d"
}
mkzeek() { # FILE REMOTE LOCAL TS: a two-record Zeek conn log
	{
		printf '#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n'
		printf '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n'
		printf '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n'
		printf '%s.000000\tC1\t%s\t4444\t%s\t443\ttcp\tssl\t1.0\t100\t200\tSF\t-\t-\t0\tShADadFf\t5\t300\t5\t400\t-\n' "$4" "$2" "$3"
		printf '%s.500000\tC2\t%s\t5555\t%s\t80\ttcp\thttp\t1.0\t100\t200\tSF\t-\t-\t0\tShADadFf\t5\t300\t5\t400\t-\n' "$4" "$3" "$2"
	} >"$1"
}
ncount() { $D --db "$1" events --tsv 2>/dev/null | tail -n +2 | wc -l | tr -d ' '; }

check "help: serve, token" sh -c "$D serve --help | grep -q add-checkpoint && $D token --help | grep -q 'token add'"
expect "serve: a bad --listen is refused" 2 "is not ADDR:PORT" $D --db "$T/none.db" serve --listen nowhere

A=$T/a.db B=$T/b.db C=$T/c.db
for p in A B C; do eval "$D --db \$$p init --party CERT-$p" >/dev/null 2>&1; done
printf '188.40.238.0,188.40.238.255,DE\n61.128.0.0,61.191.255.255,CN\n' >"$T/country"
printf '188.40.0.0,188.40.255.255,24940,Hetzner Online GmbH\n' >"$T/asn.csv"
for n in "$A" "$B" "$C"; do $D --db "$n" refdata build --country "$T/country" --asn "$T/asn.csv" -q; done
mkzeek "$T/a-conn.log" 188.40.238.5 10.11.0.5 1700000000
mkzeek "$T/b-conn.log" 61.129.1.2 172.20.0.9 1700000100
$D --db "$A" ingest --victim "Daily Herald" --home-net 10.11.0.0/16 --tlp GREEN "$T/a-conn.log" >/dev/null 2>&1
$D --db "$B" ingest --victim "First Bank" --home-net 172.20.0.0/16 --tlp GREEN "$T/b-conn.log" >/dev/null 2>&1
echo "red secret" >"$T/red.txt"; echo "amber" >"$T/amber.txt"
$D --db "$A" log append --kind intel --tlp RED "$T/red.txt" >/dev/null
$D --db "$A" log append --kind intel --tlp AMBER "$T/amber.txt" >/dev/null
# enough entries for a full tile and partial ones at two levels
i=0; while [ $i -lt 300 ]; do echo "note $i" >"$T/n$i"; i=$((i + 1)); done
$D --db "$A" log append --kind intel --tlp GREEN $(i=0; while [ $i -lt 300 ]; do echo "$T/n$i"; i=$((i + 1)); done) >/dev/null

# ============================================================ credentials
TB=$($D --db "$A" token add CERT-B --role peer --tlp AMBER)
TG=$($D --db "$A" token add green-reader --role user --tlp GREEN)
TS=$($D --db "$A" token add analyst --role user --tlp AMBER+STRICT)
TA=$($D --db "$B" token add CERT-A --role peer)
TC=$($D --db "$A" token add CERT-C --role peer)
TCB=$($D --db "$B" token add CERT-C --role peer)
case "$TB" in dt1_???????????????????????????????????????????) ok "token add: prints a dt1_ token" ;; *) no "token format" "$TB" ;; esac
expect "token add: a second live credential of the same name is refused" 2 "exists" $D --db "$A" token add CERT-B
expect "token add: TLP RED is refused" 2 "never leaves" $D --db "$A" token add red-user --tlp RED
[ "$(sqlite3 "$A" "SELECT count(*) FROM credentials WHERE lower(hex(hash)) = '$(printf %s "$TB" | sha256sum | cut -c1-64)'" 2>/dev/null)" = 1 ] &&
	! sqlite3 "$A" .dump | grep -q "$TB" &&
	ok "token: only the token's SHA-256 is stored" || no "token stored hashed"

serve_start "$A" || { no "serve A starts"; done_tests; exit 1; }
UA=$SERVE_URL PA=$SERVE_PID
serve_start "$B" || { no "serve B starts"; done_tests; exit 1; }
UB=$SERVE_URL PB=$SERVE_PID
ok "serve: two nodes listen on loopback"
expect "serve: a second daemon on a taken port is refused" 2 "cannot listen" $D --db "$A" serve --listen "127.0.0.1:${UA##*:}"

# ============================================================ tlog-tiles over HTTP
[ "$(status "$UA/checkpoint")" = 200 ] && hdr_is cache-control no-cache &&
	$D --db "$A" log checkpoint >"$T/cp" && head -c "$(wc -c <"$T/cp")" "$T/body" | cmp -s - "$T/cp" &&
	ok "GET /checkpoint: public, the signed checkpoint" || no "GET /checkpoint" "$(head -3 "$T/body")"
[ "$(status "$UA/tile/0/000")" = 401 ] && hdr_is www-authenticate 'Bearer realm="detente"' &&
	ok "GET /tile without a credential: 401 with WWW-Authenticate" || no "tile 401" "$(cat "$T/hdr")"
[ "$(status "$UA/tile/0/000" -H "Authorization: Bearer dt1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")" = 401 ] &&
	ok "GET /tile with an unknown token: 401" || no "bad token"
[ "$(status "$UA/tile/0/000" -H "Authorization: Bearer $TB")" = 200 ] && hdr_is cache-control 'public, max-age=31536000, immutable' &&
	ok "GET /tile with the peer's token: 200, immutable" || no "tile with token" "$(cat "$T/hdr")"
$D --db "$A" log export "$T/exA" >/dev/null 2>&1
bad=0 n=0
for f in $(cd "$T/exA" && find tile -type f | sort); do
	n=$((n + 1))
	curl -sf -H "Authorization: Bearer $TB" "$UA/$f" -o "$T/t" && cmp -s "$T/t" "$T/exA/$f" || { bad=$((bad + 1)); echo "     differs: $f"; }
done
[ $n -ge 5 ] && [ $bad -eq 0 ] && ok "every tile and bundle over HTTP equals log export's file ($n)" || no "tiles equal export" "$bad of $n"
S=$(sed -n 2p "$T/cp")
[ "$(status "$UA/tile/0/001.p/$((S - 256 + 1))" -H "Authorization: Bearer $TB")" = 404 ] &&
	[ "$(status "$UA/tile/0/001.p/$((S - 256 - 1))" -H "Authorization: Bearer $TB")" = 200 ] &&
	[ "$(wc -c <"$T/body")" -eq $(((S - 256 - 1) * 32)) ] &&
	ok "partial tiles: narrower than the tree served, wider than it 404" || no "partial widths" "size $S"
[ "$(status "$UA/tile/0/1" -H "Authorization: Bearer $TB")" = 404 ] &&
	[ "$(status "$UA/tile/0/000.p/0" -H "Authorization: Bearer $TB")" = 404 ] &&
	[ "$(status "$UA/nowhere" -H "Authorization: Bearer $TB")" = 404 ] &&
	ok "malformed tile paths and unknown resources: 404" || no "bad paths"
[ "$(status "$UA/checkpoint" -X POST)" = 405 ] && ok "POST /checkpoint: 405" || no "405"

# ============================================================ payloads and TLP
pay() { printf '%s/payload/sha256/%s' "$UA" "$(sha256sum "$1" | cut -c1-64)"; }
$D --db "$A" share preview --entry 1 -o "$T/a-copy"
[ "$(status "$(pay "$T/a-copy")" -H "Authorization: Bearer $TG")" = 200 ] && cmp -s "$T/body" "$T/a-copy" &&
	ok "payload: a GREEN submission's sanitized copy to a GREEN credential, bytes equal" || no "green payload" "$(head -c 300 "$T/body"; ls -la "$T/a-copy")"
[ "$(status "$(pay "$T/a-conn.log")" -H "Authorization: Bearer $TS")" = 403 ] && grep -q sanitized "$T/body" &&
	ok "payload: a submission's original is 403 to everyone, the copy named instead" || no "original withheld" "$(cat "$T/body")"
[ "$(status "$(pay "$T/amber.txt")" -H "Authorization: Bearer $TG")" = 403 ] &&
	[ "$(status "$(pay "$T/amber.txt")" -H "Authorization: Bearer $TB")" = 200 ] &&
	ok "payload: AMBER withheld from GREEN (403), served to AMBER" || no "amber payload"
[ "$(status "$(pay "$T/red.txt")" -H "Authorization: Bearer $TS")" = 403 ] &&
	ok "payload: TLP:RED never served, even to AMBER+STRICT" || no "red payload"
[ "$(status "$(pay "$T/red.txt")")" = 401 ] && [ "$(status "$UA/payload/sha256/$(printf %064d 0)" -H "Authorization: Bearer $TB")" = 404 ] &&
	ok "payload: 401 without credential, 404 for a digest no entry commits to" || no "payload 401/404"
$D --db "$A" token revoke green-reader
sleep 0.5
[ "$(status "$(pay "$T/a-conn.log")" -H "Authorization: Bearer $TG")" = 401 ] &&
	ok "token revoke: the running server refuses it" || no "revocation"

# ============================================================ witness (add-checkpoint)
VB=$($D --db "$B" key show) VA=$($D --db "$A" key show)
$D --db "$A" peer add CERT-B "$VB" "$UB" --token "$TA" --cosigner "$($D --db "$B" key show --cosigner)"
$D --db "$B" peer add CERT-A "$VA" "$UA" --token "$TB" --cosigner "$($D --db "$A" key show --cosigner)"
$D --db "$B" log checkpoint >"$T/cpB"
SB=$(sed -n 2p "$T/cpB")
wit() { { printf 'old %s\n' "$1"; cat "$2"; printf '\n'; cat "$3"; } >"$T/req"; status "$UA/add-checkpoint" --data-binary @"$T/req" -H 'Content-Type: text/plain'; }
: >"$T/noproof"
[ "$(wit 0 "$T/noproof" "$T/cpB")" = 200 ] && grep -q "^— detente/CERT-A " "$T/body" && [ "$(wc -l <"$T/body")" -eq 1 ] &&
	ok "add-checkpoint: 200, one cosignature line by this node" || no "witness 200" "$(cat "$T/body")"
cat "$T/cpB" "$T/body" >"$T/cpB-cosigned"
$D --db "$B" log cosignature add "$T/cpB-cosigned" >/dev/null 2>&1 &&
	ok "the cosignature verifies against A's cosigner key (log cosignature add)" || no "cosig verifies"
[ "$(wit 0 "$T/noproof" "$T/cpB")" = 409 ] && hdr_is content-type text/x.tlog.size && [ "$(cat "$T/body")" = "$SB" ] &&
	ok "add-checkpoint: stale old size: 409, text/x.tlog.size, the known size" || no "witness 409" "$(cat "$T/hdr" "$T/body")"
[ "$(wit "$SB" "$T/noproof" "$T/cpB")" = 200 ] && ok "add-checkpoint: the same checkpoint again: 200" || no "same again"
[ "$(wit $((SB + 5)) "$T/noproof" "$T/cpB")" = 400 ] && ok "add-checkpoint: old size above the checkpoint's: 400" || no "400 old>size"
printf 'garbage\n' >"$T/req"
[ "$(status "$UA/add-checkpoint" --data-binary @"$T/req")" = 400 ] && ok "add-checkpoint: malformed body: 400" || no "400 garbage"
$D --db "$C" log checkpoint >"$T/cpC"
[ "$(wit 0 "$T/noproof" "$T/cpC")" = 404 ] && ok "add-checkpoint: unknown origin: 404" || no "404 origin"
sed '3s/^./X/' "$T/cpB" | sed '3s/^X/A/' >"$T/cpB-bad"
cmp -s "$T/cpB" "$T/cpB-bad" && sed -i '3s/^./B/' "$T/cpB-bad"
[ "$(wit "$SB" "$T/noproof" "$T/cpB-bad")" = 403 ] && ok "add-checkpoint: signature does not verify: 403" || no "403" "$(cat "$T/body")"
echo "more" >"$T/b-more.txt"
$D --db "$B" log append --kind intel --tlp GREEN "$T/b-more.txt" >/dev/null
$D --db "$B" log checkpoint >"$T/cpB2"
printf '%s\n' "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" >"$T/badproof"
[ "$(wit "$SB" "$T/badproof" "$T/cpB2")" = 422 ] && ok "add-checkpoint: a proof that does not verify: 422" || no "422 proof" "$(cat "$T/body")"
[ "$(wit 0 "$T/badproof" "$T/cpB2")" = 422 ] || [ "$(cat "$T/body")" = "$SB" ] &&
	ok "add-checkpoint: old 0 with a proof: 409 (stale) or 422" || no "old0 proof"
$D --db "$B" log consistency "$SB" "$(sed -n 2p "$T/cpB2")" >"$T/goodproof"
[ "$(wit "$SB" "$T/goodproof" "$T/cpB2")" = 200 ] && ok "add-checkpoint: a valid consistency proof: 200" || no "200 proof" "$(cat "$T/body")"

# ============================================================ sync over HTTP
expect "sync A <- B over HTTP: mirrored, pushed, cosigned" 0 "cosignature recorded" $D --db "$A" sync
grep -q "peer CERT-B: " "$T/err" && ok "sync: reports the peer's entries" || no "sync report" "$(cat "$T/err")"
expect "sync B <- A over HTTP" 0 "cosignature recorded" $D --db "$B" sync
grep -q "withheld by the peer" "$T/err" && [ ! -e "$B.d/payloads/$(sha256sum "$T/red.txt" | cut -c1-64)" ] &&
	ok "sync: A's TLP:RED payload never reached B" || no "red stayed home"
[ -e "$B.d/payloads/$(sha256sum "$T/amber.txt" | cut -c1-64)" ] && ok "sync: AMBER payload reached the AMBER peer" || no "amber reached B"
[ "$(ncount "$B")" -eq 4 ] && [ "$(ncount "$A")" -eq 4 ] && ok "sync: each node ingested the other's telemetry (4 events each)" || no "ingest" "A $(ncount "$A") B $(ncount "$B")"
# B's log grew by its record of A's checkpoint only: A mirrors that entry
# but records nothing in its own log, so the next rounds change nothing
$D --db "$A" sync >"$T/out" 2>"$T/err" || no "round 2" "$(cat "$T/err")"
sa=$($D --db "$A" log checkpoint | sed -n 2p) sb=$($D --db "$B" log checkpoint | sed -n 2p)
$D --db "$B" sync >"$T/out" 2>"$T/err"; grep -q "(0 new)" "$T/err" || no "round 3 B" "$(cat "$T/err")"
$D --db "$A" sync >"$T/out" 2>"$T/err"; grep -q "(0 new)" "$T/err" || no "round 3 A" "$(cat "$T/err")"
[ "$($D --db "$A" log checkpoint | sed -n 2p)" = "$sa" ] && [ "$($D --db "$B" log checkpoint | sed -n 2p)" = "$sb" ] &&
	ok "re-sync converges: nothing new, neither log grows" || no "re-sync converges" "$sa $sb"
sleep 0.5
curl -s "$UA/checkpoint" >"$T/cpA-served"
[ "$(sed -n 2p "$T/cpA-served")" = "$sa" ] && grep -q "^— detente/CERT-B " "$T/cpA-served" &&
	ok "A's served latest checkpoint carries B's cosignature" || no "cosig on A" "$(cat "$T/cpA-served")"
curl -s "$UB/checkpoint" | grep -q "^— detente/CERT-A " && ok "B's served latest checkpoint carries A's cosignature" || no "cosig on B"
for n in "$A" "$B"; do $D --db "$n" log verify >/dev/null 2>&1 || no "log verify $n"; done && ok "log verify on both after syncs"

# ============================================================ a third node
$D --db "$C" peer add CERT-A "$VA" "$UA" --token "$TC"
$D --db "$C" peer add CERT-B "$VB" "$UB" --token "$TCB"
expect "three nodes: C syncs A and B" 0 "peer CERT-B" $D --db "$C" sync --no-push
grep -q "peer CERT-A" "$T/err" && [ "$(ncount "$C")" -eq 4 ] && ok "C mirrored both and ingested their telemetry" || no "C" "$(cat "$T/err")"

# ============================================================ a forked node
cpnode "$B" "$T/fork.db"
echo "history B" >"$T/hb"; echo "another history" >"$T/hf"
$D --db "$B" log append --kind intel --tlp GREEN "$T/hb" >/dev/null
$D --db "$T/fork.db" log append --kind intel --tlp GREEN "$T/hf" >/dev/null
sleep 0.5 # the server's snapshot follows the database within 0.2 s
$D --db "$A" sync --peer CERT-B >/dev/null 2>&1
serve_start "$T/fork.db" || no "serve fork"
expect "sync from a fork of B (same key, other history): refused, exit 1" 1 "REFUSED" $D --db "$A" sync --from "$SERVE_URL" --peer CERT-B --token "$TA"
grep -q "evidence kept" "$T/err" && [ "$(sqlite3 "$A" 'SELECT count(*) FROM peer_evidence')" -ge 1 ] &&
	ok "fork: both signed checkpoints kept as evidence" || no "fork evidence" "$(cat "$T/err")"
kill "$SERVE_PID"

# ============================================================ interruptions
i=0; while [ $i -lt 600 ]; do echo "bulk $i" >"$T/b$i"; i=$((i + 1)); done
$D --db "$B" log append --kind intel --tlp GREEN $(i=0; while [ $i -lt 600 ]; do echo "$T/b$i"; i=$((i + 1)); done) >/dev/null
sleep 0.4
before=$(sqlite3 "$A" "SELECT count(*) FROM peer_entries WHERE peer = 'CERT-B'")
$D --db "$A" sync --peer CERT-B --no-ingest >/dev/null 2>&1 &
sp=$!
sleep 0.05; kill -9 $sp 2>/dev/null; wait $sp 2>/dev/null
mid=$(sqlite3 "$A" "SELECT count(*) FROM peer_entries WHERE peer = 'CERT-B'")
total=$(curl -s "$UB/checkpoint" | sed -n 2p)
{ [ "$mid" -eq "$before" ] || [ "$mid" -eq "$total" ]; } && ok "sync killed with -9: all or nothing ($before -> $mid of $total)" || no "half sync" "$mid"
kill "$PB"; wait "$PB" 2>/dev/null
expect "sync while the peer's server is down: a clear error, exit 2" 2 "Couldn't connect" $D --db "$A" sync --peer CERT-B
[ "$(sqlite3 "$A" "SELECT count(*) FROM peer_entries WHERE peer = 'CERT-B'")" -eq "$mid" ] && ok "nothing changed by the failed sync" || no "failed sync changed state"
sleep 0.3
$D --db "$B" serve --listen "127.0.0.1:${UB##*:}" 2>>"$T/serve-b2.log" &
echo $! >>"$T/pids"
for w in $(seq 1 100); do curl -sf -o /dev/null "$UB/checkpoint" && break; sleep 0.05; done
expect "after the restart, sync completes" 0 "peer CERT-B" $D --db "$A" sync --peer CERT-B
[ "$(sqlite3 "$A" "SELECT count(*) FROM peer_entries WHERE peer = 'CERT-B'")" -eq "$(curl -s "$UB/checkpoint" | sed -n 2p)" ] &&
	$D --db "$A" log verify >/dev/null 2>&1 && ok "all of B mirrored, A's log verifies" || no "recovery"
done_tests
