#!/bin/sh
# tests/cli/exchange.sh — two parties exchange ledgers as files:
#   - `log export DIR`: the C2SP tlog-tiles layout (checkpoint, tile/<L>/<N>,
#     tile/entries/<N>, .p/<W> partial tiles, vkey, payload/sha256/<hex>),
#     TLP respected (a TLP:RED payload never leaves; its entry does);
#   - `sync --from DIR`: A and B mirror each other, cosign each other's
#     checkpoints (`log cosignature add`), and ingest each other's telemetry
#     as the other party's submissions (events of both, right victims);
#     re-sync is a no-op;
#   - refusals, exit 1, state untouched: a flipped byte in an entry bundle,
#     in a hash tile, a fork signed by the same key (split view, both
#     checkpoints kept as evidence), a rollback to an older checkpoint;
#   - an independent check of the export: Go's golang.org/x/mod/sumdb/tlog
#     (tests/interop/tiles/tiles.go) proves every entry from the tiles alone,
#     for a log of 600 entries (full and partial tiles at levels 0 and 1).
set -u
. "$(dirname "$0")/../lib.sh"
HERE=$(cd "$(dirname "$0")/.." && pwd)
# expect NAME RC PATTERN CMD...: CMD exits RC and its stderr contains PATTERN
expect() {
	n=$1 want=$2 pat=$3; shift 3
	"$@" >"$T/out" 2>"$T/err"; got=$?
	if [ "$got" -eq "$want" ] && grep -qF -- "$pat" "$T/err"; then ok "$n"; else
		no "$n" "exit $got (want $want), stderr: $(head -c 400 "$T/err")"; fi
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
# copy a node: database (after folding the WAL in), key and payloads
cpnode() {
	! command -v sqlite3 >/dev/null 2>&1 || sqlite3 "$1" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
	cp "$1" "$2"
	for s in -wal -shm; do [ -f "$1$s" ] && cp "$1$s" "$2$s"; done
	cp -Rp "$1.d" "$2.d"
}
# flip the lowest bit of the byte at OFFSET of FILE
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
SQL=
command -v sqlite3 >/dev/null 2>&1 && SQL=sqlite3
q() { sqlite3 "$@"; }
mkzeek() { # FILE REMOTE LOCAL: a two-record Zeek conn log
	{
		printf '#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n'
		printf '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n'
		printf '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n'
		printf '1700000000.000000\tC1\t%s\t4444\t%s\t443\ttcp\tssl\t1.0\t100\t200\tSF\t-\t-\t0\tShADadFf\t5\t300\t5\t400\t-\n' "$2" "$3"
		printf '1700000100.000000\tC2\t%s\t5555\t%s\t80\ttcp\thttp\t1.0\t100\t200\tSF\t-\t-\t0\tShADadFf\t5\t300\t5\t400\t-\n' "$3" "$2"
	} >"$1"
}

A=$T/a.db B=$T/b.db
$D --db "$A" init --party CERT-A >/dev/null 2>&1
$D --db "$B" init --party CERT-B >/dev/null 2>&1
printf '188.40.238.0,188.40.238.255,DE\n61.128.0.0,61.191.255.255,CN\n' >"$T/country"
printf '188.40.0.0,188.40.255.255,24940,Hetzner Online GmbH\n' >"$T/asn.csv"
for n in "$A" "$B"; do $D --db "$n" refdata build --country "$T/country" --asn "$T/asn.csv" -q; done
mkzeek "$T/a-conn.log" 188.40.238.5 10.11.0.5
mkzeek "$T/b-conn.log" 61.129.1.2 172.20.0.9
$D --db "$A" ingest --victim "Daily Herald" --sector media --home-net 10.11.0.0/16 "$T/a-conn.log" >/dev/null 2>&1
$D --db "$B" ingest --victim "First Bank" --sector finance --home-net 172.20.0.0/16 --tlp GREEN "$T/b-conn.log" >/dev/null 2>&1
check "help: log export, sync" sh -c "$D log --help | grep -q 'log export' && $D sync --help | grep -q -- '--from DIR'"

# ============================================================ about line
$D --db "$A" log entry 1 >"$T/e1"
PNET=$($D --db "$A" share pseudonym --home-net 10.11.0.0/16 10.11.0.0/16 | cut -d' ' -f2)
case "$PNET" in */16) ;; *) PNET=bad ;; esac
grep -qx "about zeek telemetry a-conn.log of Daily Herald | format=zeek victim=Daily%20Herald sector=media home-net=$PNET" "$T/e1" &&
	! grep -q "10.11.0.0" "$T/e1" &&
	ok "ingest: the entry's about line carries format, victim, sector and the home network pseudonymized" || no "about line" "$PNET $(grep '^about' "$T/e1")"

# ============================================================ export
echo "red secret" >"$T/red.txt"
$D --db "$A" log append --kind intel --tlp RED "$T/red.txt" >/dev/null
echo "strict" >"$T/strict.txt"
$D --db "$A" log append --kind intel --tlp AMBER+STRICT "$T/strict.txt" >/dev/null
expect "export --tlp RED refused: exit 2, says why" 2 "TLP:RED payloads never leave" $D --db "$A" log export --tlp RED "$T/exA"
expect "export --tlp PURPLE refused" 2 "is not one of" $D --db "$A" log export --tlp PURPLE "$T/exA"
$D --db "$A" log export "$T/exA" >"$T/out" 2>&1; rc=$?
SA=$($D --db "$A" log checkpoint | sed -n 2p)
[ $rc -eq 0 ] && [ -f "$T/exA/checkpoint" ] && [ -f "$T/exA/tile/0/000.p/$SA" ] &&
	[ -f "$T/exA/tile/entries/000.p/$SA" ] && [ "$(cat "$T/exA/vkey")" = "$($D --db "$A" key show)" ] &&
	[ "$(cat "$T/exA/cosigner-vkey")" = "$($D --db "$A" key show --cosigner)" ] &&
	ok "export: checkpoint, tile/0/000.p/$SA, tile/entries/000.p/$SA, vkey, cosigner-vkey" ||
	no "export layout" "rc=$rc $(cat "$T/out"; find "$T/exA" -type f)"
$D --db "$A" log checkpoint | cmp -s - "$T/exA/checkpoint" && ok "export: checkpoint = log checkpoint" || no "export checkpoint"
[ "$(stat -c %s "$T/exA/tile/0/000.p/$SA")" -eq $((SA * 32)) ] && ok "export: level-0 tile is $SA hashes of 32 bytes" ||
	no "tile size" "$(stat -c %s "$T/exA/tile/0/000.p/$SA")"
# the first hash of tile 0 is the leaf hash of entry 0: SHA-256(0x00 || entry)
H0=$({ printf '\000'; $D --db "$A" log entry 0; } | sha256sum | cut -c1-64)
[ "$(head -c 32 "$T/exA/tile/0/000.p/$SA" | od -An -tx1 | tr -d ' \n')" = "$H0" ] &&
	ok "export: tile 0 hash 0 = RFC 6962 leaf hash of entry 0" || no "tile hash 0"
# the bundle: uint16 big-endian length, then the exact bytes of entry 0
$D --db "$A" log entry 0 >"$T/e0"
L0=$(wc -c <"$T/e0")
[ "$(head -c 2 "$T/exA/tile/entries/000.p/$SA" | od -An -tu1 | awk '{ print $1 * 256 + $2 }')" -eq "$L0" ] &&
	tail -c +3 "$T/exA/tile/entries/000.p/$SA" | head -c "$L0" | cmp -s - "$T/e0" &&
	ok "export: entry bundle = 16-bit big-endian length + entry bytes" || no "entry bundle encoding"
$D --db "$A" share preview --entry 1 -o "$T/a-copy"
[ ! -e "$T/exA/payload/sha256/$(sha "$T/a-conn.log")" ] && [ -f "$T/exA/payload/sha256/$(sha "$T/a-copy")" ] &&
	ok "export: the AMBER telemetry's sanitized copy shared (default --tlp AMBER), never the original" ||
	no "AMBER payload shared"
[ ! -e "$T/exA/payload/sha256/$(sha "$T/red.txt")" ] && grep -qa "payload sha256:$(sha "$T/red.txt")" "$T/exA/tile/entries/000.p/$SA" &&
	ok "export: TLP:RED payload not in the export, its entry (with the digest) is" || no "RED payload withheld"
[ ! -e "$T/exA/payload/sha256/$(sha "$T/strict.txt")" ] && ok "export: AMBER+STRICT payload withheld at --tlp AMBER" ||
	no "AMBER+STRICT withheld"
$D --db "$A" log export --tlp AMBER+STRICT "$T/exA" >/dev/null
[ -e "$T/exA/payload/sha256/$(sha "$T/strict.txt")" ] && [ ! -e "$T/exA/payload/sha256/$(sha "$T/red.txt")" ] &&
	ok "export --tlp AMBER+STRICT: shares it, still not RED" || no "--tlp AMBER+STRICT"
$D --db "$A" log export --tlp GREEN "$T/exA" >/dev/null
[ ! -e "$T/exA/payload/sha256/$(sha "$T/strict.txt")" ] && [ ! -e "$T/exA/payload/sha256/$(sha "$T/a-conn.log")" ] &&
	ok "re-export --tlp GREEN removes payloads above GREEN" || no "re-export lower TLP"
$D --db "$A" log export "$T/exA" >/dev/null
find "$T/exA" -name '*.tmp.*' | grep -q . && no "export leaves no temporary files" || ok "export leaves no temporary files"
expect "export into another log's directory refused" 2 "holds an export of log 'detente/CERT-A'" \
	$D --db "$B" log export "$T/exA"
$D --db "$B" log export "$T/exB" >/dev/null

# ============================================================ sync, both ways
VKA=$(cat "$T/exA/vkey") VKB=$(cat "$T/exB/vkey")
expect "sync from an unknown peer: exit 2, says add it" 2 "detente peer add" $D --db "$B" sync --from "$T/exA"
check "peer add with --cosigner" $D --db "$B" peer add CERT-A "$VKA" --cosigner "$(cat "$T/exA/cosigner-vkey")"
check "peer add, cosigner recorded later" $D --db "$A" peer add CERT-B "$VKB"
check "peer add NAME --cosigner CVKEY" $D --db "$A" peer add CERT-B --cosigner "$(cat "$T/exB/cosigner-vkey")"
# A mirrors B first, so that the checkpoint A exports next (which records
# B's) is the one B cosigns and A's export can carry B's cosignature
$D --db "$A" sync --from "$T/exB" >"$T/csB" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && [ "$(tail -1 "$T/csB" | cut -d' ' -f2)" = detente/CERT-A ] &&
	ok "A syncs B: cosigned checkpoint on stdout" || no "A syncs B" "rc=$rc $(cat "$T/err")"
grep -q "peer CERT-B entry 1 (zeek, sanitized copy in entry 2): 2 events stored" "$T/err" && ok "A ingests B's telemetry, from its sanitized copy, as CERT-B's entry 1" ||
	no "A ingests B's file" "$(cat "$T/err")"
$D --db "$A" log export "$T/exA" >/dev/null
SA=$($D --db "$A" log checkpoint | sed -n 2p)
$D --db "$B" sync --from "$T/exA" --cosigned "$T/csA" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q "peer CERT-A: $SA entries ($SA new)" "$T/err" &&
	ok "B syncs A: $SA entries mirrored" || no "B syncs A" "rc=$rc $(cat "$T/out" "$T/err")"
head -n 5 "$T/csA" | cmp -s - "$T/exA/checkpoint" && [ "$(tail -1 "$T/csA" | cut -d' ' -f2)" = detente/CERT-B ] &&
	ok "sync --cosigned: A's checkpoint with B's cosignature line" || no "cosigned file" "$(cat "$T/csA")"
$D --db "$B" events --json >"$T/evB"
$D --db "$A" events --json >"$T/evA"
for f in evA evB; do
	if jq -e -s '([.[] | select(.victim == "Daily Herald" and .country == "DE")] | length) == 2 and
		([.[] | select(.victim == "First Bank" and .country == "CN")] | length) == 2' "$T/$f" >/dev/null; then
		ok "$f: events of both parties, each with its victim and attribution"
	else
		no "$f: events of both parties" "$(cat "$T/$f")"
	fi
done
jq -e -s '[.[] | select(.victim == "Daily Herald")] | all(.party == "CERT-A" and .entry == 1 and .sector == "media")' "$T/evB" >/dev/null &&
	jq -e -s '[.[] | select(.victim == "First Bank")] | all(.party == null)' "$T/evB" >/dev/null &&
	ok "B: A's events are CERT-A's submission (entry 1 of A's log), B's own have no party" || no "party of events" "$(cat "$T/evB")"
jq -e -s '[.[] | select(.victim == "Daily Herald")] | all(.remote == "188.40.238.5" or .remote == "188.40.238.9")' "$T/evB" >/dev/null &&
	ok "B ingests A's file with A's home networks (remote side right)" || no "remote side" "$(cat "$T/evB")"
NB=$($D --db "$B" log checkpoint | sed -n 2p)
$D --db "$B" log entry $((NB - 1)) | grep -qx "about checkpoint of peer CERT-A at size $SA" &&
	ok "B's own log records A's accepted checkpoint" || no "peer-checkpoint entry"
check "B: log verify after sync" $D --db "$B" log verify

# cosignatures back to their logs
$D --db "$A" log cosignature add "$T/csA" >"$T/out" 2>"$T/err" && grep -q "1 cosignature recorded" "$T/out" &&
	ok "A records B's cosignature on its checkpoint" || no "cosignature add" "$(cat "$T/out" "$T/err")"
$D --db "$A" log export "$T/exA" >/dev/null
grep -q "^— detente/CERT-B " "$T/exA/checkpoint" && ok "A's export now carries B's cosignature" || no "export carries cosignature"
expect "cosignature add: a checkpoint of another log refused" 1 "not this node's" $D --db "$A" log cosignature add "$T/csB"
$D --db "$B" log cosignature add "$T/csB" >/dev/null 2>&1 && ok "B records A's cosignature" || no "B records A's cosignature"
sed 's/^\(— detente\/CERT-B .\{10\}\)./\1A/' "$T/csA" >"$T/csbad"
cmp -s "$T/csbad" "$T/csA" && sed 's/^\(— detente\/CERT-B .\{10\}\)./\1B/' "$T/csA" >"$T/csbad"
expect "cosignature add: a forged cosignature refused" 1 "" $D --db "$A" log cosignature add "$T/csbad"

# re-sync: nothing changes
$D --db "$B" sync --from "$T/exA" --cosigned "$T/csA2" >/dev/null 2>"$T/err"; rc=$?
NB2=$($D --db "$B" log checkpoint | sed -n 2p)
[ $rc -eq 0 ] && grep -q "(0 new)" "$T/err" && [ "$NB2" = "$NB" ] &&
	[ "$($D --db "$B" events --json | wc -l)" -eq "$(wc -l <"$T/evB")" ] &&
	ok "re-sync: 0 new entries, B's log and events unchanged" || no "re-sync no-op" "rc=$rc $NB2 vs $NB $(cat "$T/err")"

# ============================================================ refusals
cpnode "$A" "$T/a2.db"     # A2: A's key and log so far; forks below
SAF=$($D --db "$A" log checkpoint | sed -n 2p)
cp -R "$T/exA" "$T/exA.old"
mkdir -p "$T/more"
for i in 1 2 3; do echo "more evidence $i" >"$T/more/$i"; done
$D --db "$A" log append --kind intel "$T/more/1" "$T/more/2" >/dev/null
$D --db "$A" log export "$T/exA" >/dev/null
SA2=$($D --db "$A" log checkpoint | sed -n 2p)
state() { [ -n "$SQL" ] && q "$B" "SELECT COUNT(*) FROM peer_entries; SELECT COUNT(*) FROM peer_checkpoints;" | tr '\n' ' '; $D --db "$B" log checkpoint | sed -n 2,3p | tr '\n' ' '; }
S0=$(state)
# a flipped byte in the last (new) entry of the bundle
cp -R "$T/exA" "$T/exT1"
BUN=$T/exT1/tile/entries/000.p/$SA2
flip "$BUN" $(($(stat -c %s "$BUN") - 40))
expect "tampered entry bundle (one byte): refused, exit 1" 1 "REFUSED" $D --db "$B" sync --from "$T/exT1"
grep -q "entry $((SA2 - 1))" "$T/err" && ok "  the message names the entry" || no "  names the entry" "$(cat "$T/err")"
[ "$(state)" = "$S0" ] && ok "  nothing stored" || no "  nothing stored" "$(state) vs $S0"
cp -R "$T/exA" "$T/exT3"
BUN=$T/exT3/tile/entries/000.p/$SA2
flip "$BUN" 1
expect "bundle with a corrupt length prefix: refused" 1 "entry bundle" $D --db "$B" sync --from "$T/exT3"
# a flipped byte in the hash tile
cp -R "$T/exA" "$T/exT2"
flip "$T/exT2/tile/0/000.p/$SA2" $((SA2 * 32 - 5))
expect "tampered hash tile (one byte): refused, exit 1" 1 "hash tile tile/0/000.p/$SA2" $D --db "$B" sync --from "$T/exT2"
[ "$(state)" = "$S0" ] && ok "  nothing stored" || no "  nothing stored"
rm "$T/exT2/tile/0/000.p/$SA2"
expect "missing hash tile: refused" 1 "hash tile" $D --db "$B" sync --from "$T/exT2"
# a checkpoint signed by someone else
cp -R "$T/exA" "$T/exT4"
$D --db "$B" log checkpoint >"$T/exT4/checkpoint"
expect "a checkpoint of another log: refused" 2 "no peer signs as 'detente/CERT-B'" $D --db "$B" sync --from "$T/exT4"
$D --db "$B" sync --peer CERT-A --from "$T/exT4" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "not signed by peer 'CERT-A'" "$T/err" && ok "--peer CERT-A with B's checkpoint: refused, not signed" ||
	no "--peer with a foreign checkpoint" "rc=$rc $(cat "$T/err")"
# the honest export still syncs after all that
$D --db "$B" sync --from "$T/exA" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q "peer CERT-A: $SA2 entries (2 new)" "$T/err" && ok "honest export syncs after the refusals: 2 new entries" ||
	no "honest sync after refusals" "rc=$rc $(cat "$T/err")"
# rollback: A's older export
expect "rollback to an older checkpoint: refused, exit 1" 1 "smaller than size $SA2" $D --db "$B" sync --from "$T/exA.old"
grep -q "evidence kept (rollback)" "$T/err" && ok "  evidence kept (rollback)" || no "  rollback evidence" "$(cat "$T/err")"
# fork: A2 (A's key) appends other entries; same size as A, then larger
echo "fork 1" >"$T/f1"; echo "fork 2" >"$T/f2"; echo "fork 3" >"$T/f3"
$D --db "$T/a2.db" log append --kind intel "$T/f1" "$T/f2" >/dev/null
$D --db "$T/a2.db" log export "$T/exA2" >/dev/null
[ "$($D --db "$T/a2.db" log checkpoint | sed -n 2p)" = "$SA2" ] || no "fork set-up: same size"
S1=$(state)
expect "fork at the same size (same key, other root): refused" 1 "another history" $D --db "$B" sync --from "$T/exA2"
grep -q "evidence kept (fork)" "$T/err" && ok "  evidence kept (fork)" || no "  fork evidence" "$(cat "$T/err")"
$D --db "$T/a2.db" log append --kind intel "$T/f3" >/dev/null
$D --db "$T/a2.db" log export "$T/exA2" >/dev/null
expect "fork, larger tree (split view): refused" 1 "entry $SAF differs from the one mirrored before" $D --db "$B" sync --from "$T/exA2"
[ "$(state)" = "$S1" ] && ok "  refusals store no entries or checkpoints" || no "  refusals store nothing" "$(state) vs $S1"
if [ -n "$SQL" ]; then
	ROW=$(q "$B" "SELECT id FROM peer_evidence WHERE kind = 'fork' ORDER BY id DESC LIMIT 1")
	q "$B" "SELECT accepted FROM peer_evidence WHERE id = $ROW" >"$T/ev-acc"
	q "$B" "SELECT offered FROM peer_evidence WHERE id = $ROW" >"$T/ev-off"
	sed -n 2p "$T/ev-acc" | grep -qx "$SA2" && sed -n 3p "$T/ev-acc" | grep -qx "$(sed -n 3p "$T/exA/checkpoint")" &&
		sed -n 3p "$T/ev-off" | grep -qx "$(sed -n 3p "$T/exA2/checkpoint")" &&
		ok "evidence row: the accepted and the offered signed checkpoints" || no "evidence row" "$(cat "$T/ev-acc" "$T/ev-off")"
	[ "$(q "$B" "SELECT group_concat(kind) FROM (SELECT kind FROM peer_evidence ORDER BY id)")" = "bad-data,bad-data,bad-data,bad-data,rollback,fork,fork" ] &&
		ok "evidence table: every refusal recorded, by kind" || no "evidence kinds" "$(q "$B" 'SELECT kind FROM peer_evidence')"
else
	sk "evidence rows" "sqlite3 (the CLI) not installed"
fi
check "B: log verify after the refusals" $D --db "$B" log verify

# ============================================================ Go: tiles, independently
GOSUMDB_SRC=/usr/share/gocode/src/golang.org/x/mod/sumdb
if command -v go >/dev/null 2>&1 && [ -d "$GOSUMDB_SRC/tlog" ]; then
	if (cd "$HERE/interop/tiles" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off \
		GOCACHE="$T/gocache" go build -o "$T/tiles" tiles.go) >"$T/gobuild" 2>&1; then
		"$T/tiles" "$VKA" "$T/exA" >"$T/vout" 2>&1 && grep -q "ok   $SA2 entries" "$T/vout" &&
			ok "Go tlog: A's export, every entry proved from the tiles" || no "Go tlog A" "$(cat "$T/vout")"
		G=$T/g.db
		$D --db "$G" init --party big >/dev/null 2>&1
		mkdir -p "$T/g"
		awk -v d="$T/g" 'BEGIN { for (i = 1; i <= 600; i++) { f = d "/" i; print "entry " i > f; close(f) } }'
		$D --db "$G" log append --kind intel $(seq 1 300 | sed "s|^|$T/g/|") >/dev/null
		$D --db "$G" log export "$T/exG" >/dev/null
		$D --db "$G" log append --kind intel $(seq 301 600 | sed "s|^|$T/g/|") >/dev/null
		$D --db "$G" log export "$T/exG" >"$T/out"
		[ -f "$T/exG/tile/0/000" ] && [ -f "$T/exG/tile/0/001" ] && [ -f "$T/exG/tile/0/002.p/88" ] &&
			[ -f "$T/exG/tile/1/000.p/2" ] && [ -f "$T/exG/tile/entries/001" ] && [ -f "$T/exG/tile/entries/002.p/88" ] &&
			[ "$(stat -c %s "$T/exG/tile/0/000")" -eq 8192 ] &&
			ok "600 entries: full tiles 000, 001, partial 002.p/88, level 1 000.p/2" || no "600-entry layout" "$(find "$T/exG/tile" -type f)"
		"$T/tiles" "$($D --db "$G" key show)" "$T/exG" >"$T/vout" 2>&1 && grep -q "ok   600 entries" "$T/vout" &&
			ok "Go tlog: 600 entries proved from the tiles (levels 0 and 1, re-exported)" || no "Go tlog 600" "$(cat "$T/vout")"
		flip "$T/exG/tile/1/000.p/2" 7
		"$T/tiles" "$($D --db "$G" key show)" "$T/exG" >"$T/vout" 2>&1
		[ $? -eq 1 ] && grep -q FAIL "$T/vout" && ok "Go tlog rejects a flipped byte in a level-1 tile" || no "Go rejects bad tile" "$(cat "$T/vout")"
		$D --db "$B" peer add big "$($D --db "$G" key show)"
		expect "detente sync rejects the same level-1 tile" 1 "hash tile tile/1/000.p/2" $D --db "$B" sync --no-ingest --from "$T/exG"
		flip "$T/exG/tile/1/000.p/2" 7
		$D --db "$B" sync --no-ingest --from "$T/exG" >/dev/null 2>"$T/err" && grep -q "600 entries (600 new)" "$T/err" &&
			ok "detente sync of 600 entries" || no "sync 600" "$(cat "$T/err")"
	else
		no "Go tiles verifier builds" "$(head -c 600 "$T/gobuild")"
	fi
else
	sk "Go tlog check of the export" "go or golang-golang-x-mod-dev not installed"
fi

done_tests
