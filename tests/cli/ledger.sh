#!/bin/sh
# tests/cli/ledger.sh — the evidence ledger through the real binary:
#   - node basics: init, keys, append, entry, prove, consistency, exit codes;
#   - interop: every entry, receipt (tlog-proof), checkpoint, consistency
#     proof and cosignature checked by an independent implementation, Go's
#     golang.org/x/mod/sumdb/note and sumdb/tlog (tests/interop/verify.go,
#     built offline from Debian's golang-golang-x-mod-dev), tampered ones
#     rejected by it;
#   - tampering with the database (sqlite3): `log verify` fails and names the
#     entry, tree hash or checkpoint;
#   - forks and rewrites caught by a peer's cosigning;
#   - crash safety: appends killed with SIGKILL at random moments lose no
#     reported entry and leave a log that verifies.
set -u
. "$(dirname "$0")/../lib.sh"
HERE=$(cd "$(dirname "$0")/.." && pwd)
# expect NAME RC PATTERN CMD...: CMD exits RC and its stderr contains PATTERN
expect() {
	n=$1 want=$2 pat=$3; shift 3
	"$@" >"$T/out" 2>"$T/err"; got=$?
	if [ "$got" -eq "$want" ] && grep -qF -- "$pat" "$T/err"; then ok "$n"; else
		no "$n" "exit $got (want $want), stderr: $(head -c 300 "$T/err")"; fi
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
# copy a node: database (after folding the WAL in), key and payloads
cpnode() {
	! command -v sqlite3 >/dev/null 2>&1 || sqlite3 "$1" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
	cp "$1" "$2"
	for s in -wal -shm; do [ -f "$1$s" ] && cp "$1$s" "$2$s"; done
	cp -Rp "$1.d" "$2.d"
}
# the checkpoint note of a tlog-proof receipt: everything after its first blank line
receipt_cp() { sed '1,/^$/d' "$1"; }
# change the character at line L, column 1 of a file (A <-> B)
flipline() { awk -v L="$2" 'NR == L { c = substr($0, 1, 1); $0 = (c == "A" ? "B" : "A") substr($0, 2) } 1' "$1"; }
# change one byte (at offset OFF) of column COL of the row WHERE of TABLE
flipdb() { # DB TABLE COL WHERE OFF [text]
	h=$(sqlite3 "$1" "SELECT hex($3) FROM $2 WHERE $4")
	[ -n "$h" ] || return 1
	new=$(printf '%s\n' "$h" | awk -v o="$5" '{ b = substr($0, 2 * o + 1, 2)
		print substr($0, 1, 2 * o) (b == "41" ? "42" : "41") substr($0, 2 * o + 3) }')
	if [ "${6:-}" = text ]; then v="CAST(X'$new' AS TEXT)"; else v="X'$new'"; fi
	sqlite3 "$1" "UPDATE $2 SET $3 = $v WHERE $4"
}
mkfiles() { # DIR PREFIX N: N small distinct files DIR/1..N
	mkdir -p "$1"
	awk -v d="$1" -v p="$2" -v n="$3" 'BEGIN { for (i = 1; i <= n; i++) { f = d "/" i; print p " evidence " i > f; close(f) } }'
}

# ============================================================ basics
A=$T/a.db
$D --db "$A" init --party alice >"$T/vk" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && ok "init creates a node" || no "init creates a node" "rc=$rc $(cat "$T/err")"
VKA=$($D --db "$A" key show)
[ "$(cat "$T/vk")" = "$VKA" ] && ok "init prints the verifier key that key show prints" || no "init prints the vkey"
MODE=$(stat -c %a "$A.d/ed25519.key")
[ "$MODE" = 600 ] && ok "key file mode 0600" || no "key file mode 0600" "mode $MODE"
[ "$(stat -c %a "$A.d")" = 700 ] && ok "node directory mode 0700" || no "node directory mode 0700" "$(stat -c %a "$A.d")"
[ "$(stat -c %s "$A.d/ed25519.key")" = 32 ] && ok "key file holds a 32-byte seed" || no "key file size"
case "$VKA" in
detente/alice+[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]+*) ok "key show: name+8hex+base64" ;;
*) no "key show: name+8hex+base64" "$VKA" ;;
esac
# the key: base64(0x01 || 32-byte key); its ID: SHA-256(name "\n" 0x01 key)[:4]
KID=${VKA#detente/alice+}; KID=${KID%%+*}; K64=${VKA#detente/alice+"$KID"+}
KBIN=$(printf '%s' "$K64" | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n')
[ ${#K64} -eq 44 ] && [ ${#KBIN} -eq 66 ] && [ "${KBIN%"${KBIN#??}"}" = 01 ] &&
	ok "vkey is type 0x01 and a 32-byte key" || no "vkey key bytes" "$KBIN"
ID=$({ printf 'detente/alice\n'; printf '%s' "$K64" | base64 -d; } | sha256sum | cut -c1-8)
[ "$ID" = "$KID" ] && ok "vkey ID is SHA-256(name, 0x0a, key)[:4]" || no "vkey ID" "$ID vs $KID"
CVKA=$($D --db "$A" key show --cosigner)
CID=${CVKA#detente/alice+}; CID=${CID%%+*}; C64=${CVKA#detente/alice+"$CID"+}
CBIN=$(printf '%s' "$C64" | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n')
ID=$({ printf 'detente/alice\n'; printf '%s' "$C64" | base64 -d; } | sha256sum | cut -c1-8)
[ "${CBIN%"${CBIN#??}"}" = 04 ] && [ "$ID" = "$CID" ] && [ "${CBIN#04}" != "${KBIN#01}" ] &&
	ok "key show --cosigner: type 0x04, its own key and ID" || no "cosigner vkey" "$CVKA"
KEYSUM=$(sha "$A.d/ed25519.key")
expect "init again: exit 2, refuses to overwrite" 2 "refusing to overwrite" $D --db "$A" init --party alice
expect "init again as another party: refused too" 2 "refusing to overwrite" $D --db "$A" init --party mallory
[ "$(sha "$A.d/ed25519.key")" = "$KEYSUM" ] && [ "$($D --db "$A" key show)" = "$VKA" ] &&
	ok "refused init leaves key and identity alone" || no "refused init leaves key alone"
mkdir -p "$T/k.db.d" && printf '%032d' 0 >"$T/k.db.d/ed25519.key"
expect "init where a key file exists: exit 2" 2 "a key already exists" $D --db "$T/k.db" init --party kim
[ "$(cat "$T/k.db.d/ed25519.key")" = "$(printf '%032d' 0)" ] && ok "existing key file untouched" || no "existing key file untouched"
expect "init: party with a space refused" 2 "must be non-empty" $D --db "$T/sp.db" init --party "a b"
expect "log on a missing node: exit 2" 2 "no node here" $D --db "$T/none.db" log verify
[ ! -e "$T/none.db" ] && ok "missing node is not created by log verify" || no "missing node created"
cpnode "$A" "$T/perm.db"; chmod 644 "$T/perm.db.d/ed25519.key"
expect "key readable by others: refused" 2 "chmod 600" $D --db "$T/perm.db" key show

mkfiles "$T/p" alice 9
$D --db "$A" log append --kind submission "$T/p/1" "$T/p/2" "$T/p/3" >"$T/out" 2>"$T/err"; rc=$?
cpnode "$A" "$T/h.db"   # H: A's key and first 3 entries; rewritten later
[ $rc -eq 0 ] && [ "$(cut -f1,2 "$T/out" | tr '\t\n' ' ')" = "0 appended 1 appended 2 appended " ] &&
	ok "append: one line per file, index and 'appended'" || no "append output" "rc=$rc $(cat "$T/out" "$T/err")"
OUT=$($D --db "$A" log append --kind submission "$T/p/2")
[ "$OUT" = "$(printf '1\talready-recorded\t%s' "$T/p/2")" ] && ok "re-append of the same file: already-recorded" ||
	no "re-append: already-recorded" "$OUT"
cp "$T/p/2" "$T/same-bytes"
OUT=$($D --db "$A" log append --kind submission "$T/same-bytes" | cut -f1,2)
[ "$OUT" = "$(printf '1\talready-recorded')" ] && ok "same bytes under another name: already-recorded" || no "same bytes" "$OUT"
expect "append of a missing file: exit 1, named" 1 "missing: cannot open" $D --db "$A" log append --kind intel "$T/missing"
expect "append with an unknown kind: exit 1" 1 "entry kind 'bogus' is not one of" $D --db "$A" log append --kind bogus "$T/p/9"
expect "append with an unknown TLP: exit 1" 1 "TLP 'PURPLE' is not one of" $D --db "$A" log append --kind intel --tlp PURPLE "$T/p/9"
expect "append without --kind: exit 2" 2 "--kind" $D --db "$A" log append "$T/p/9"
[ "$($D --db "$A" log checkpoint | sed -n 2p)" = 3 ] && ok "refused appends append nothing" || no "refused appends append nothing"

$D --db "$A" log entry 1 >"$T/e1"
grep -qx "payload sha256:$(sha "$T/p/2") $(wc -c <"$T/p/2")" "$T/e1" && ok "entry: payload digest and size of the file" ||
	no "entry payload line" "$(cat "$T/e1")"
[ "$(head -1 "$T/e1")" = detente.entry/v1 ] && grep -qx 'author alice' "$T/e1" && grep -qx 'kind submission' "$T/e1" &&
	grep -qx 'tlp AMBER' "$T/e1" && grep -qx 'about file 2' "$T/e1" &&
	grep -qE '^time [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$' "$T/e1" &&
	ok "entry: detente.entry/v1 fields" || no "entry fields" "$(cat "$T/e1")"
[ "$(tail -1 "$T/e1" | cut -d' ' -f2)" = detente/alice ] && [ "$(tail -2 "$T/e1" | head -1)" = "" ] &&
	ok "entry: a note signed by the log key" || no "entry signature line"
cmp -s "$A.d/payloads/$(sha "$T/p/2")" "$T/p/2" && ok "payload stored content-addressed" || no "payload stored"
$D --db "$A" log append --kind intel --tlp RED --about "a hand-written description" "$T/p/4" >/dev/null
$D --db "$A" log entry 3 | grep -qx 'about a hand-written description' && $D --db "$A" log entry 3 | grep -qx 'tlp RED' &&
	ok "append --tlp and --about recorded" || no "append --tlp --about"
expect "append --about over 1024 bytes: exit 1" 1 "1024 bytes" \
	$D --db "$A" log append --kind intel --about "$(printf '%01025d' 0)" "$T/p/5"
OUT=$($D --db "$A" log append --kind assessment "$T/p/2" | cut -f1,2)
[ "$OUT" = "$(printf '4\tappended')" ] && ok "same file as another kind: a new entry" || no "same file, other kind" "$OUT"
expect "entry of a nonexistent index: exit 2" 2 "no entry 99" $D --db "$A" log entry 99
expect "prove of a nonexistent index: exit 2" 2 "entry 99 is not in a tree of 5 entries" $D --db "$A" log prove 99
expect "prove in a tree larger than the log: exit 2" 2 "is not in a tree of 6 entries" $D --db "$A" log prove 1 6
expect "consistency from size 0: exit 2" 2 "need 0 < OLD <= NEW <= 5" $D --db "$A" log consistency 0 3
expect "consistency backwards: exit 2" 2 "need 0 < OLD" $D --db "$A" log consistency 4 3
expect "consistency beyond the log: exit 2" 2 "need 0 < OLD" $D --db "$A" log consistency 3 6
$D --db "$A" log entry x >/dev/null 2>&1; [ $? -eq 2 ] && ok "entry of a non-number: usage, exit 2" || no "entry x"
$D --db "$A" log checkpoint >"$T/c1"; $D --db "$A" log checkpoint >"$T/c2"
cmp -s "$T/c1" "$T/c2" && ok "checkpoint: same log, same signed checkpoint" || no "checkpoint is stable"
[ "$(sed -n 1p "$T/c1")" = detente/alice ] && [ "$(sed -n 2p "$T/c1")" = 5 ] && [ "$(sed -n 4p "$T/c1")" = "" ] &&
	[ "$(sed -n 5p "$T/c1" | cut -d' ' -f2)" = detente/alice ] && [ "$(wc -l <"$T/c1")" -eq 5 ] &&
	ok "checkpoint: origin, size, root, blank line, signature" || no "checkpoint layout" "$(cat "$T/c1")"
$D --db "$A" log prove 2 >"$T/r2"
[ "$(sed -n 1p "$T/r2")" = c2sp.org/tlog-proof@v1 ] && [ "$(sed -n 3p "$T/r2")" = "index 2" ] &&
	ok "prove: c2sp.org/tlog-proof@v1 header and index" || no "prove header" "$(head -3 "$T/r2")"
sed -n 2p "$T/r2" | sed 's/^extra //' | base64 -d >"$T/x2" 2>/dev/null
$D --db "$A" log entry 2 | cmp -s - "$T/x2" && ok "prove: extra is base64 of the entry's exact bytes" || no "prove extra"
receipt_cp "$T/r2" | cmp -s - "$T/c1" && ok "prove: ends with the current signed checkpoint" || no "prove checkpoint"
[ "$(sed -n '4,/^$/p' "$T/r2" | grep -c '^[A-Za-z0-9+/]\{43\}=$')" -eq 3 ] &&
	ok "prove: 3 base64 hashes for entry 2 of 5" || no "prove hash lines" "$(cat "$T/r2")"
$D --db "$A" log verify >"$T/out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "^ok: 5 entries, 5 signatures, 8 tree hashes, [0-9]* checkpoints verified" "$T/out" &&
	ok "verify: ok line with counts" || no "verify" "rc=$rc $(cat "$T/out")"
# descriptions and file names that are not valid note text
N=$T/n.db
$D --db "$N" init --party nick >/dev/null 2>&1
expect "append --about with a control character: exit 1, says so" 1 "control character" \
	$D --db "$N" log append --kind intel --about "$(printf 'tab\there')" "$T/p/1"
TABF=$T/$(printf 'tab\tname')
printf 'tabbed\n' >"$TABF"
$D --db "$N" log append --kind intel "$TABF" >"$T/out" 2>"$T/err"; rc=$?
if [ $rc -eq 0 ]; then
	if $D --db "$N" log entry 0 | grep '^about ' | LC_ALL=C grep -q '[[:cntrl:]]'; then
		no "file name with a control character copied into the entry"
	else
		ok "file name with a control character: recorded, the description cleaned"
	fi
elif sed 's/^detente: *//' "$T/err" | grep -q .; then
	ok "file name with a control character: refused with a message"
else
	no "file name with a control character: refused without a message" "exit $rc"
fi
BADF=$T/$(printf 'bad\377name')
printf 'latin-1 name\n' >"$BADF"
$D --db "$N" log append --kind intel "$BADF" >"$T/out" 2>"$T/err"; rc=$?
if [ $rc -eq 0 ] || sed 's/^detente: *//' "$T/err" | grep -q .; then
	ok "file name that is not UTF-8: recorded or refused with a message (exit $rc)"
else
	no "file name that is not UTF-8: refused without a message" "exit $rc"
fi
$D --db "$N" log verify >"$T/out" 2>&1 && ok "those entries still verify" || no "those entries verify" "$(cat "$T/out")"

# ============================================================ interop (Go)
# A grows to 10 entries; F is a copy of A at size 5 (same key) that then
# rewrites history with other entries: a fork signed by the same key.
F=$T/f.db
cpnode "$A" "$F"
$D --db "$A" log append --kind intel "$T/p/5" "$T/p/6" "$T/p/7" "$T/p/8" "$T/p/9" >/dev/null
mkfiles "$T/x" fork 9
$D --db "$F" log append --kind intel "$T/x/6" "$T/x/7" "$T/x/8" "$T/x/9" >/dev/null
# checkpoints of A at every size (prove signs them), of F at 6 and 9
for s in 1 2 3 4 5 6 7 8 9 10; do
	$D --db "$A" log prove 0 $s >"$T/ra0.$s" && receipt_cp "$T/ra0.$s" >"$T/cpA$s"
done
for s in 6 9; do $D --db "$F" log prove 0 $s >"$T/rf" && receipt_cp "$T/rf" >"$T/cpF$s"; done
[ "$(sed -n 3p "$T/cpF6")" != "$(sed -n 3p "$T/cpA6")" ] && ok "fork F: same key, other root at size 6" || no "fork set-up"

$D --db "$T/other.db" init --party other >/dev/null 2>&1   # an unrelated node

GOSUMDB_SRC=/usr/share/gocode/src/golang.org/x/mod/sumdb
V=
if command -v go >/dev/null 2>&1 && [ -d "$GOSUMDB_SRC/note" ] && [ -d "$GOSUMDB_SRC/tlog" ]; then
	if (cd "$HERE/interop" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off \
		GOCACHE="$T/gocache" go build -o "$T/verify" verify.go) >"$T/gobuild" 2>&1; then
		V=$T/verify
		ok "interop: Go verifier (x/mod sumdb note, tlog) builds offline"
	else
		no "interop: Go verifier builds" "$(head -c 600 "$T/gobuild")"
	fi
else
	sk "interop with Go's x/mod sumdb/note and sumdb/tlog" "go or golang-golang-x-mod-dev not installed"
fi
# vfail NAME CMD...: the Go verifier rejects (exit 1, a FAIL line)
vfail() {
	n=$1; shift
	"$V" "$@" >"$T/vout" 2>"$T/verr"; got=$?
	if [ $got -eq 1 ] && grep -q '^FAIL ' "$T/verr"; then ok "$n"; else
		no "$n" "exit $got: $(cat "$T/vout" "$T/verr")"; fi
}
if [ -n "$V" ]; then
	# one Go process checks a batch: tab-separated commands, one a line
	: >"$T/batch"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		$D --db "$A" log entry $i >"$T/e$i.note"
		dig=$(sed -n 's/^payload sha256:\([0-9a-f]*\) .*/\1/p' "$T/e$i.note")
		printf 'entry\t%s\t%s\t%s\n' "$VKA" "$T/e$i.note" "$A.d/payloads/$dig" >>"$T/batch"
	done
	"$V" batch <"$T/batch" >"$T/vout" 2>&1 && [ "$(grep -c '^ok   entry' "$T/vout")" -eq 10 ] &&
		ok "Go note.Open: all 10 entries signed by the node, payload digests match" || no "Go entries" "$(cat "$T/vout")"
	"$V" entry "$VKA" "$T/e1" "$T/p/2" >/dev/null 2>&1 && ok "Go: entry 1 names file 2's digest and size" || no "Go entry 1"
	$D --db "$A" log checkpoint >"$T/cp"
	"$V" checkpoint "$VKA" "$T/cp" >"$T/vout" 2>&1 && grep -q "detente/alice size 10 root" "$T/vout" &&
		ok "Go note.Open: checkpoint signature, origin = key name" || no "Go checkpoint" "$(cat "$T/vout")"
	: >"$T/batch"
	n=0
	for s in 1 2 3 4 5 6 7 8 9 10; do
		i=0
		while [ $i -lt $s ]; do
			$D --db "$A" log prove $i $s >"$T/r$i.$s"
			printf 'proof\t%s\t%s\t%s\n' "$VKA" "$T/r$i.$s" $i >>"$T/batch"
			i=$((i + 1)) n=$((n + 1))
		done
	done
	"$V" batch <"$T/batch" >"$T/vout" 2>&1 && [ "$(grep -c '^ok   proof' "$T/vout")" -eq $n ] &&
		ok "Go tlog.CheckRecord: all $n receipts (every entry, every tree size 1..10)" ||
		no "Go receipts" "$(grep -v '^ok' "$T/vout")"
	$D --db "$A" log prove 4 >"$T/r4"
	"$V" proof "$VKA" "$T/r4" 4 >/dev/null 2>&1 && ok "Go: receipt of the current tree (no SIZE)" || no "Go receipt default size"
	: >"$T/batch"
	n=0
	for m in 1 2 3 4 5 6 7 8 9 10; do
		for s in 1 2 3 4 5 6 7 8 9 10; do
			[ $m -le $s ] || continue
			$D --db "$A" log consistency $m $s >"$T/cons$m.$s"
			printf 'consistency\t%s\t%s\t%s\t%s\n' "$VKA" "$T/cpA$m" "$T/cpA$s" "$T/cons$m.$s" >>"$T/batch"
			n=$((n + 1))
		done
	done
	"$V" batch <"$T/batch" >"$T/vout" 2>&1 && [ "$(grep -c '^ok   consistency' "$T/vout")" -eq $n ] &&
		ok "Go tlog.CheckTree: all $n consistency proofs between sizes 1..10" || no "Go consistency" "$(grep -v '^ok' "$T/vout")"
	# --- the Go side rejects tampered artefacts
	flipline "$T/cp" 3 >"$T/bad"
	vfail "Go rejects: checkpoint root changed (one character)" checkpoint "$VKA" "$T/bad"
	sed '2s/10/11/' "$T/cp" >"$T/bad"
	vfail "Go rejects: checkpoint size changed" checkpoint "$VKA" "$T/bad"
	vfail "Go rejects: checkpoint checked with another node's key" checkpoint "$($D --db "$T/other.db" key show)" "$T/cp"
	sed 's/^about file 2$/about file 3/' "$T/e1" >"$T/bad"
	vfail "Go rejects: entry text changed" entry "$VKA" "$T/bad"
	vfail "Go rejects: entry checked against another payload" entry "$VKA" "$T/e1" "$T/p/3"
	$D --db "$A" log prove 5 >"$T/r5"
	flipline "$T/r5" 5 >"$T/bad"
	vfail "Go rejects: receipt with one proof hash changed" proof "$VKA" "$T/bad"
	sed '3s/index 5/index 4/' "$T/r5" >"$T/bad"
	vfail "Go rejects: receipt with another index" proof "$VKA" "$T/bad"
	sed '5d' "$T/r5" >"$T/bad"
	vfail "Go rejects: receipt with a proof hash missing" proof "$VKA" "$T/bad"
	{ sed -n 1p "$T/r5"; sed -n 2p "$T/r4"; sed '1,2d' "$T/r5"; } >"$T/bad"
	vfail "Go rejects: receipt carrying another entry as extra" proof "$VKA" "$T/bad"
	{ sed '/^$/q' "$T/r5"; flipline "$T/cp" 3; } >"$T/bad"
	vfail "Go rejects: receipt whose checkpoint was changed" proof "$VKA" "$T/bad"
	{ sed '/^$/q' "$T/r5"; cat "$T/cpF9"; } >"$T/bad"
	vfail "Go rejects: receipt with the fork's checkpoint (same key)" proof "$VKA" "$T/bad"
	$D --db "$A" log consistency 3 9 >"$T/c39"
	"$V" consistency "$VKA" "$T/cpA3" "$T/cpA9" "$T/c39" >/dev/null 2>&1 && ok "Go: consistency 3 -> 9" || no "Go consistency 3-9"
	flipline "$T/c39" 2 >"$T/bad"
	vfail "Go rejects: consistency proof with one hash changed" consistency "$VKA" "$T/cpA3" "$T/cpA9" "$T/bad"
	vfail "Go rejects: consistency with the checkpoints swapped" consistency "$VKA" "$T/cpA9" "$T/cpA3" "$T/c39"
	vfail "Go rejects: consistency proof for other sizes" consistency "$VKA" "$T/cpA4" "$T/cpA9" "$T/c39"
	vfail "Go rejects: A's proof against the fork's checkpoint" consistency "$VKA" "$T/cpA3" "$T/cpF9" "$T/c39"
	$D --db "$F" log consistency 6 9 >"$T/cf69"
	vfail "Go rejects: fork's proof from A's checkpoint" consistency "$VKA" "$T/cpA6" "$T/cpF9" "$T/cf69"
	"$V" consistency "$VKA" "$T/cpF6" "$T/cpF9" "$T/cf69" >/dev/null 2>&1 && ok "Go: the fork is self-consistent" ||
		no "Go fork self-consistent"
fi

# ============================================================ tampering
if command -v sqlite3 >/dev/null 2>&1; then
	# G: 6 entries, checkpoints at 3 and 6; GF: G's key, other entries 4..6
	G=$T/g.db
	$D --db "$G" init --party gina >/dev/null 2>&1
	mkfiles "$T/g" gina 6
	$D --db "$G" log append --kind submission "$T/g/1" "$T/g/2" "$T/g/3" >/dev/null
	$D --db "$G" log checkpoint >"$T/gcp3"
	cpnode "$G" "$T/gf.db"
	$D --db "$G" log append --kind intel "$T/g/4" "$T/g/5" "$T/g/6" >/dev/null
	$D --db "$G" log checkpoint >"$T/gcp6"
	$D --db "$T/gf.db" log append --kind intel "$T/x/1" "$T/x/2" "$T/x/3" >/dev/null
	$D --db "$T/gf.db" log checkpoint >"$T/gfcp6"
	check "tamper base verifies" $D --db "$G" log verify
	k=0
	# tamper NAME PATTERN SQL...: on a fresh copy of G, verify exits 1 naming PATTERN
	case_db() { k=$((k + 1)); C=$T/t$k.db; cpnode "$G" "$C"; }
	tampered() {
		n=$1 pat=$2
		$D --db "$C" log verify >"$T/out" 2>"$T/err"; got=$?
		if [ $got -eq 1 ] && grep -qE -- "$pat" "$T/err"; then ok "$n"; else
			no "$n" "exit $got: $(cat "$T/out" "$T/err")"; fi
	}
	case_db; flipdb "$C" entries leaf "idx = 2" 24
	tampered "tamper: one byte of entry 2's leaf -> 'entry 2'" "FAILED: entry 2: "
	case_db; L=$(sqlite3 "$C" "SELECT length(leaf) FROM entries WHERE idx = 5")
	flipdb "$C" entries leaf "idx = 5" $((L - 10))
	tampered "tamper: one byte of entry 5's signature -> 'entry 5'" "FAILED: entry 5: "
	case_db; sqlite3 "$C" "UPDATE entries SET leaf = (SELECT leaf FROM entries WHERE idx = 2) WHERE idx = 1"
	tampered "tamper: entry 1 replaced by entry 2 (valid signature) -> 'entry 1'" "FAILED: entry 1: stored leaf hash does not match"
	case_db; sqlite3 "$C" "ATTACH '$T/gf.db' AS f; UPDATE entries SET leaf = (SELECT leaf FROM f.entries WHERE idx = 4) WHERE idx = 4"
	tampered "tamper: entry 4 replaced by the fork's entry 4 -> 'entry 4'" "FAILED: entry 4: stored leaf hash"
	case_db; flipdb "$C" tree hash "level = 1 AND idx = 1" 0
	tampered "tamper: tree hash level 1 index 1 -> named" "FAILED: tree level 1 index 1: "
	case_db; flipdb "$C" tree hash "level = 2 AND idx = 0" 31
	tampered "tamper: tree hash level 2 index 0 -> named" "FAILED: tree level 2 index 0: "
	case_db; flipdb "$C" tree hash "level = 0 AND idx = 4" 7
	tampered "tamper: leaf hash (level 0) of entry 4 -> 'entry 4'" "FAILED: entry 4: stored leaf hash"
	case_db; sqlite3 "$C" "DELETE FROM tree WHERE level = 1 AND idx = 2"
	tampered "tamper: tree hash level 1 index 2 deleted -> named" "FAILED: tree level 1 index 2: stored hash missing"
	case_db; flipdb "$C" checkpoints note "size = 3" 14 text
	tampered "tamper: one byte of checkpoint 3's root -> 'checkpoint at size 3'" "FAILED: checkpoint at size 3: "
	case_db; L=$(sqlite3 "$C" "SELECT length(note) FROM checkpoints WHERE size = 6")
	flipdb "$C" checkpoints note "size = 6" $((L - 8)) text
	tampered "tamper: one byte of checkpoint 6's signature -> 'checkpoint at size 6'" "FAILED: checkpoint at size 6: "
	case_db; sqlite3 "$C" "UPDATE checkpoints SET note = CAST(readfile('$T/gfcp6') AS TEXT) WHERE size = 6"
	tampered "tamper: checkpoint 6 replaced by the fork's (valid signature) -> root differs" \
		"FAILED: checkpoint at size 6: root hash differs"
	case_db; sqlite3 "$C" "UPDATE checkpoints SET note = CAST(readfile('$T/gcp6') AS TEXT) WHERE size = 3"
	tampered "tamper: checkpoint 3 replaced by checkpoint 6 -> 'checkpoint at size 3'" "FAILED: checkpoint at size 3: signed body says"
	case_db; sqlite3 "$C" "INSERT INTO checkpoints(size, root, note) SELECT 4, root, note FROM checkpoints WHERE size = 3"
	tampered "tamper: bogus checkpoint row at size 4 -> 'checkpoint at size 4'" "FAILED: checkpoint at size 4: "
	case_db; sqlite3 "$C" "DELETE FROM entries WHERE idx = 3"
	tampered "tamper: entry row 3 deleted -> 'entry 3 is missing'" "FAILED: entry 3 is missing"
	case_db; sqlite3 "$C" "DELETE FROM entries WHERE idx = 5"
	tampered "tamper: last entry row deleted -> 'checkpoint at size 6'" "FAILED: checkpoint at size 6 but the log has only 5"
	case_db; sqlite3 "$C" "DELETE FROM entries WHERE idx = 0"
	tampered "tamper: entry row 0 deleted -> 'entry 0 is missing'" "FAILED: entry 0 is missing"
	# a bogus tree row: named by position, or at least as a surplus in the tree table
	case_db; sqlite3 "$C" "INSERT INTO tree(level, idx, hash) VALUES(0, 100, randomblob(32))"
	tampered "tamper: bogus tree row (level 0 index 100) -> refused" "FAILED: (tree level 0 index 100|tree table holds 11 hashes, the entries make 10)"
	case_db; sqlite3 "$C" "INSERT INTO tree(level, idx, hash) SELECT 3, 0, hash FROM tree WHERE level = 2 AND idx = 0"
	tampered "tamper: bogus tree row for an incomplete subtree (level 3 index 0) -> refused" \
		"FAILED: (tree level 3 index 0|tree table holds 11 hashes, the entries make 10)"
	case_db; sqlite3 "$C" "UPDATE entries SET leaf = CAST('not a note' AS BLOB) WHERE idx = 2"
	tampered "tamper: entry 2 not a note -> 'entry 2'" "FAILED: entry 2: not a detente.entry/v1 note"
	$D --db "$G" log verify >/dev/null 2>&1 && ok "the original is untouched by the tamper cases" || no "original intact"
else
	sk "tamper tests" "sqlite3 (the CLI) not installed"
fi

# ============================================================ cosigning, forks
B=$T/b.db
$D --db "$B" init --party bob >/dev/null 2>&1
expect "peer add: own key refused" 2 "this node's own log" $D --db "$B" peer add me "$($D --db "$B" key show)"
expect "peer add: a cosigner key refused" 2 "type 0x01" $D --db "$B" peer add alice "$CVKA"
expect "peer add: a mangled key refused" 2 "" $D --db "$B" peer add alice "detente/alice+00000000+$K64"
check "peer add alice" $D --db "$B" peer add alice "$VKA"
expect "peer add: duplicate name refused" 2 "already exists" $D --db "$B" peer add alice "$VKA"
bsize() { $D --db "$B" log checkpoint | sed -n 2p; }
$D --db "$A" log consistency 3 5 >"$T/ca35"
$D --db "$A" log consistency 5 6 >"$T/ca56"
$D --db "$A" log consistency 5 9 >"$T/ca59"
$D --db "$A" log consistency 6 9 >"$T/ca69"
$D --db "$F" log consistency 3 6 >"$T/cf36"
$D --db "$F" log consistency 6 9 >"$T/cf69"
# H rewrites A's history from entry 3 on: sizes 5 and 7
mkfiles "$T/h" rewrite 7
$D --db "$T/h.db" log append --kind intel "$T/h/4" "$T/h/5" >/dev/null
$D --db "$T/h.db" log checkpoint >"$T/cpH5"
$D --db "$T/h.db" log append --kind intel "$T/h/6" "$T/h/7" >/dev/null
$D --db "$T/h.db" log checkpoint >"$T/cpH7"
$D --db "$T/h.db" log consistency 5 7 >"$T/ch57"
[ "$(sed -n 2p "$T/cpH5")" = 5 ] && [ "$(sed -n 3p "$T/cpH5")" != "$(sed -n 3p "$T/cpA5")" ] &&
	$D --db "$T/h.db" log verify >/dev/null 2>&1 && ok "rewrite H: A's key, other entries from 3 on" || no "rewrite H set-up"
$D --db "$B" log cosign "$T/cpA3" >"$T/cs3" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && [ "$(head -5 "$T/cs3")" = "$(cat "$T/cpA3")" ] && [ "$(wc -l <"$T/cs3")" -eq 6 ] &&
	[ "$(tail -1 "$T/cs3" | cut -d' ' -f2)" = detente/bob ] &&
	ok "cosign: first checkpoint accepted, output = checkpoint + bob's line" || no "cosign first" "rc=$rc $(cat "$T/cs3" "$T/err")"
[ "$(bsize)" = 1 ] && $D --db "$B" log entry 0 >"$T/be0" && grep -qx 'kind peer-checkpoint' "$T/be0" &&
	grep -qx 'about checkpoint of peer alice at size 3' "$T/be0" &&
	grep -qx "payload sha256:$(sha "$T/cpA3") $(wc -c <"$T/cpA3")" "$T/be0" &&
	cmp -s "$B.d/payloads/$(sha "$T/cpA3")" "$T/cpA3" &&
	ok "cosign: accepted checkpoint recorded in bob's own log, payload kept" || no "cosign records evidence" "$(cat "$T/be0")"
check "cosign: same checkpoint again accepted" $D --db "$B" log cosign "$T/cpA3"
[ "$(bsize)" = 1 ] && ok "cosign: same checkpoint again is not recorded twice" || no "same checkpoint twice" "$(bsize)"
expect "cosign: larger checkpoint without a proof refused" 1 "does not verify" $D --db "$B" log cosign "$T/cpA5"
expect "cosign: larger checkpoint with the fork's proof refused" 1 "does not verify" \
	$D --db "$B" log cosign "$T/cpA6" --proof "$T/cf36"
expect "cosign: proof between the wrong sizes refused" 1 "consistency proof from size 3 (accepted before) to 6 does not verify" \
	$D --db "$B" log cosign "$T/cpA6" --proof "$T/ca56"
$D --db "$B" log cosign "$T/cpA5" --proof "$T/ca35" >"$T/cs5" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && [ "$(bsize)" = 2 ] && ok "cosign: consistent progression 3 -> 5 accepted" || no "cosign 3 -> 5" "rc=$rc $(cat "$T/err")"
expect "cosign: rewritten history at the accepted size refused as a fork" 1 \
	"checkpoint at size 5 has a different root from the one accepted before (a fork)" $D --db "$B" log cosign "$T/cpH5"
expect "cosign: rewritten history at a larger size refused" 1 \
	"consistency proof from size 5 (accepted before) to 7 does not verify" $D --db "$B" log cosign "$T/cpH7" --proof "$T/ch57"
flipline "$T/cpA6" 3 >"$T/bad"
expect "cosign: checkpoint with a changed root refused" 1 "not signed by peer 'alice'" \
	$D --db "$B" log cosign "$T/bad" --proof "$T/ca56"
check "cosign: consistent progression 5 -> 6 accepted" $D --db "$B" log cosign "$T/cpA6" --proof "$T/ca56"
expect "cosign: fork F at the accepted size 6 refused as a fork" 1 "(a fork)" $D --db "$B" log cosign "$T/cpF6"
expect "cosign: fork F at size 9 with F's own proof refused" 1 \
	"consistency proof from size 6 (accepted before) to 9 does not verify" $D --db "$B" log cosign "$T/cpF9" --proof "$T/cf69"
expect "cosign: smaller checkpoint refused" 1 "size 3 is smaller than size 6 accepted before" \
	$D --db "$B" log cosign "$T/cpA3"
C=$T/c.db
$D --db "$C" init --party carol --origin detente/alice >/dev/null 2>&1
$D --db "$C" log append --kind intel "$T/p/1" "$T/p/2" "$T/p/3" "$T/p/4" "$T/p/5" "$T/p/6" "$T/p/7" >/dev/null
$D --db "$C" log checkpoint >"$T/cpC"
expect "cosign: checkpoint signed by another key under alice's name refused" 1 "not signed by peer 'alice'" \
	$D --db "$B" log cosign "$T/cpC"
$D --db "$T/other.db" log checkpoint >"$T/cpO"
expect "cosign: checkpoint of an unknown log refused" 2 "no peer signs as 'detente/other'" $D --db "$B" log cosign "$T/cpO"
expect "cosign --peer alice: checkpoint signed by another node refused" 1 "not signed by peer 'alice'" \
	$D --db "$B" log cosign "$T/cpO" --peer alice
expect "cosign: proof from a size other than the accepted one refused" 1 \
	"consistency proof from size 6 (accepted before) to 9 does not verify" $D --db "$B" log cosign "$T/cpA9" --proof "$T/ca59"
[ "$(bsize)" = 3 ] && ok "cosign: refused checkpoints are not recorded" || no "refusals recorded" "$(bsize)"
$D --db "$B" log cosign "$T/cpA9" --proof "$T/ca69" >"$T/cs9" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && [ "$(head -5 "$T/cs9")" = "$(cat "$T/cpA9")" ] && [ "$(bsize)" = 4 ] &&
	ok "cosign: consistent progression 6 -> 9 accepted" || no "cosign 6 -> 9" "rc=$rc $(cat "$T/err")"
# the cosignature line: key ID of bob's cosigner key, 4 + 8 + 64 bytes, a recent timestamp
CVKB=$($D --db "$B" key show --cosigner)
CIDB=${CVKB#detente/bob+}; CIDB=${CIDB%%+*}
SIGHEX=$(tail -1 "$T/cs9" | cut -d' ' -f3 | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n')
TS=$(printf '%d' "0x$(printf '%s' "$SIGHEX" | cut -c9-24)")
NOW=$(date +%s)
[ ${#SIGHEX} -eq 152 ] && [ "$(printf '%s' "$SIGHEX" | cut -c1-8)" = "$CIDB" ] &&
	[ "$TS" -ge $((NOW - 300)) ] && [ "$TS" -le $((NOW + 5)) ] &&
	ok "cosignature line: cosigner key ID, timestamp[8] || signature[64], time now" || no "cosignature line" "$SIGHEX"
if [ -n "$V" ]; then
	"$V" cosig "$CVKB" "$T/cs9" >"$T/vout" 2>&1 && ok "Go (crypto/ed25519): bob's cosignature/v1 verifies" ||
		no "Go cosignature" "$(cat "$T/vout")"
	"$V" checkpoint "$VKA" "$T/cs9" >/dev/null 2>&1 && ok "Go note.Open: cosigned checkpoint still verifies as alice's" ||
		no "Go cosigned checkpoint"
	"$V" cosig "$CVKB" "$T/cs5" >/dev/null 2>&1 && ok "Go: cosignature of the 3 -> 5 progression verifies" || no "Go cosig 5"
	vfail "Go rejects: cosignature checked with alice's cosigner key" cosig "$CVKA" "$T/cs9"
	flipline "$T/cs9" 3 >"$T/bad"
	vfail "Go rejects: cosigned checkpoint with a changed root" cosig "$CVKB" "$T/bad"
	{ head -5 "$T/cs9"; tail -1 "$T/cs5"; } >"$T/bad"
	vfail "Go rejects: cosignature moved to another checkpoint" cosig "$CVKB" "$T/bad"
fi
$D --db "$B" log verify >"$T/out" 2>&1 && grep -q "^ok: 4 entries" "$T/out" &&
	ok "bob's log of accepted checkpoints verifies" || no "bob verify" "$(cat "$T/out")"
# a peer's empty (size 0) checkpoint, then its first entries: every tree
# extends the empty one, so there is nothing to prove
E=$T/e.db
$D --db "$E" init --party erin >/dev/null 2>&1
$D --db "$B" peer add erin "$($D --db "$E" key show)"
$D --db "$E" log checkpoint >"$T/cpE0"
check "cosign: a peer's empty checkpoint" $D --db "$B" log cosign "$T/cpE0"
$D --db "$E" log append --kind intel "$T/p/1" "$T/p/2" >/dev/null
$D --db "$E" log checkpoint >"$T/cpE2"
check "cosign: then its first entries, without a proof" $D --db "$B" log cosign "$T/cpE2"
$D --db "$E" log append --kind intel "$T/p/3" >/dev/null
$D --db "$E" log checkpoint >"$T/cpE3"
expect "cosign: and after that, growth needs a proof again" 1 "from size 2 (accepted before) to 3 does not verify" \
	$D --db "$B" log cosign "$T/cpE3"
$D --db "$E" log consistency 2 3 >"$T/ce23"
check "cosign: with it, accepted" $D --db "$B" log cosign "$T/cpE3" --proof "$T/ce23"

# ============================================================ crash safety
# 50 times: `log append` of 60 new files (every third time with a concurrent
# `log checkpoint`) killed with SIGKILL a random 0..30 ms after it reported
# its first entry (every tenth time: 0..30 ms after it started); the log must
# verify, and every entry the killed process reported must be there with its
# payload.  stdbuf makes each reported line reach the file as it is printed,
# and the process prints a line only after its transaction committed.
if command -v stdbuf >/dev/null 2>&1 && command -v sqlite3 >/dev/null 2>&1; then
	K=$T/crash.db
	$D --db "$K" init --party kate >/dev/null 2>&1
	mkfiles "$T/crash" crash 3000
	# stdbuf preloads a library, which a sanitized binary must be told is fine
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	DELAYS=$(awk 'BEGIN { srand(1); for (i = 0; i < 50; i++) printf "%.3f ", rand() * 0.030 }')
	: >"$T/reported"
	vbad="" ebad="" it=0 killed=0
	for delay in $DELAYS; do
		lo=$((it * 60 + 1))
		set --
		j=$lo; while [ $j -lt $((lo + 60)) ]; do set -- "$@" "$T/crash/$j"; j=$((j + 1)); done
		stdbuf -oL $D --db "$K" log append --kind submission "$@" >"$T/cout" 2>/dev/null &
		apid=$!
		cpid=
		if [ $((it % 3)) -eq 0 ]; then $D --db "$K" log checkpoint >/dev/null 2>&1 & cpid=$!; fi
		if [ $((it % 10)) -ne 5 ]; then
			w=0
			while [ ! -s "$T/cout" ] && [ $w -lt 1000 ] && kill -0 $apid 2>/dev/null; do
				sleep 0.002; w=$((w + 1))
			done
		fi
		sleep "$delay"
		kill -9 $apid 2>/dev/null && killed=$((killed + 1))
		[ -n "$cpid" ] && kill -9 $cpid 2>/dev/null
		wait $apid 2>/dev/null
		[ -n "$cpid" ] && wait $cpid 2>/dev/null
		grep '	appended	' "$T/cout" >>"$T/reported"
		if ! $D --db "$K" log verify >"$T/vo" 2>&1; then vbad="$vbad [$it: $(cat "$T/vo")]"; fi
		last=$(grep '	appended	' "$T/cout" | tail -1)
		if [ $((it % 5)) -eq 0 ] && [ -n "$last" ]; then
			idx=${last%%	*}; f=${last##*	}
			$D --db "$K" log entry "$idx" | grep -qx "payload sha256:$(sha "$f") $(wc -c <"$f")" ||
				ebad="$ebad [$it: entry $idx]"
		fi
		it=$((it + 1))
	done
	[ -z "$vbad" ] && ok "crash: log verifies after each of 50 SIGKILLs ($killed hit a running append)" ||
		no "crash: verify after SIGKILL" "$vbad"
	[ -z "$ebad" ] && ok "crash: 'log entry' of the last reported entry names its payload (every 5th run)" ||
		no "crash: last reported entries" "$ebad"
	# every reported entry, by one query: index -> payload digest
	sqlite3 -separator ' ' "$K" "SELECT idx, lower(hex(payload)) FROM entries" | sort >"$T/have"
	NREP=$(wc -l <"$T/reported")
	cut -f3 "$T/reported" | tr '\n' '\0' | xargs -0 -r sha256sum | cut -d' ' -f1 >"$T/digests"
	cut -f1 "$T/reported" | paste -d' ' - "$T/digests" | sort >"$T/want"
	MISSING=$(comm -13 "$T/have" "$T/want" | head -5)
	[ "$NREP" -gt 0 ] && [ -z "$MISSING" ] && ok "crash: all $NREP reported entries present with their payload digests" ||
		no "crash: reported entries missing or different" "reported $NREP; missing: $MISSING"
	NHAVE=$(wc -l <"$T/have")
	[ "$NHAVE" -ge "$NREP" ] && [ "$NHAVE" -le $((NREP + 50)) ] &&
		ok "crash: $NHAVE entries for $NREP reported (at most one unreported per kill)" ||
		no "crash: entry count" "$NHAVE entries, $NREP reported"
	# payload files are named by their digest: rehash the reported ones
	sed "s|^|$K.d/payloads/|" "$T/digests" | tr '\n' '\0' | xargs -0 -r sha256sum 2>/dev/null |
		awk '{ n = split($2, p, "/"); if (p[n] != $1) bad++; c++ } END { print c + 0, bad + 0 }' >"$T/pc"
	[ "$(cat "$T/pc")" = "$NREP 0" ] && ok "crash: every reported entry's payload is stored intact" ||
		no "crash: payloads" "checked, bad: $(cat "$T/pc") of $NREP"
	# after the crashes the node works normally
	$D --db "$K" log append --kind intel "$T/p/1" >/dev/null && $D --db "$K" log checkpoint >/dev/null &&
		$D --db "$K" log verify >/dev/null 2>&1 && ok "crash: the node appends and verifies afterwards" ||
		no "crash: node usable afterwards"
else
	sk "crash tests" "stdbuf or sqlite3 not installed"
fi

# ============================================================ gaps closed after review
if command -v sqlite3 >/dev/null 2>&1; then
	cpnode "$B" "$T/bx.db"
	sqlite3 "$T/bx.db" "DELETE FROM peer_checkpoints WHERE size = (SELECT MAX(size) FROM peer_checkpoints)"
	expect "verify: a deleted accepted peer checkpoint is named" 1 "records a peer checkpoint that is missing" \
		$D --db "$T/bx.db" log verify
	cpnode "$B" "$T/by.db"
	sqlite3 "$T/by.db" "INSERT INTO tree(level, idx, hash) VALUES(7, 0, zeroblob(32))"
	expect "verify: a bogus tree row is named by level and index" 1 "tree level 7 index 0: stored hash that no entry makes" \
		$D --db "$T/by.db" log verify
else
	sk "peer checkpoint and tree-row tampering" "sqlite3 not installed"
fi
expect "append: peer-checkpoint kind is for cosign only" 2 "log cosign" \
	$D --db "$A" log append --kind peer-checkpoint "$T/p/1"
expect "append: a bad --tlp is an error even for a recorded file" 1 "TLP 'PURPLE'" \
	$D --db "$A" log append --kind submission --tlp PURPLE "$T/p/1"

done_tests
