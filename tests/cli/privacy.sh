#!/bin/sh
# tests/cli/privacy.sh — victims' privacy in everything a peer receives
# (issue 9): node A ingests evidence naming its victims' internal hosts,
# host names and users; node B syncs from A over HTTP and from a `log
# export` directory.  Then:
#   - every byte B received (its database and mirror, the export, the HTTP
#     bodies of every resource B may fetch, TAXII objects) is scanned for
#     A's home-network addresses, host names under A's home domains, user
#     names: none may appear; every attacker address must;
#   - A's originals are refused to peers (403), their sanitized copies are
#     served, recorded in signed `sanitized` entries that name the original;
#   - B's events from A equal A's in number and record numbers, with the
#     victim side pseudonymized: one host one pseudonym across formats,
#     prefix relations kept (common prefix length exactly preserved), and
#     A can compute the pseudonyms B sees (`share pseudonym`);
#   - `share preview --entry N` is byte for byte what B received;
#   - a TLP:RED submission gets no copy; `--no-share` + `share sanitize`.
set -u
. "$(dirname "$0")/../lib.sh"
for t in curl jq; do
	command -v $t >/dev/null 2>&1 || { sk "privacy" "$t is not installed (scripts/bootstrap installs it)"; done_tests; exit 0; }
done
A=$T/a.db B=$T/b.db
$D --db "$A" init --party CERT-A >/dev/null 2>&1
$D --db "$B" init --party CERT-B >/dev/null 2>&1
printf '61.128.0.0,61.191.255.255,CN\n188.40.0.0,188.40.255.255,DE\n203.0.113.0,203.0.113.255,US\n' >"$T/country"
printf '188.40.0.0,188.40.255.255,24940,Hetzner Online GmbH\n' >"$T/asn.csv"
for n in "$A" "$B"; do $D --db "$n" refdata build --country "$T/country" --asn "$T/asn.csv" -q; done
HOME_NETS=10.20.0.0/16,198.51.100.0/24
check "share domain add" $D --db "$A" share domain add bank.example Corp.Bank-Int.Example.

# ---------------------------------------------------------------- A's evidence
ZH='#separator \x09
#set_separator	,
#empty_field	(empty)
#unset_field	-'
{
	printf '%s\n#path\tconn\n' "$ZH"
	printf '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n'
	printf '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n'
	printf '1700000000.000001\tC1\t61.135.1.2\t4444\t10.20.1.5\t445\ttcp\t-\t1.0\t100\t200\tSF\t-\t-\t0\tShADadFf\t5\t300\t5\t400\t-\n'
	printf '1700000001.000001\tC2\t10.20.1.77\t51000\t61.135.1.3\t443\ttcp\tssl\t1.0\t100\t200\tSF\t-\t-\t0\tShADadFf\t5\t300\t5\t400\t-\n'
	printf '1700000002.000001\tC3\t10.20.2.9\t51001\t188.40.238.5\t80\ttcp\thttp\t1.0\t100\t200\tSF\t-\t-\t0\tShADadFf\t5\t300\t5\t400\t-\n'
	printf '1700000003.000001\tC4\t203.0.113.9\t40000\t198.51.100.10\t25\ttcp\tsmtp\t1.0\t100\t200\tSF\t-\t-\t0\tShADadFf\t5\t300\t5\t400\t-\n'
} >"$T/conn.log"
{
	printf '%s\n#path\tdns\n' "$ZH"
	printf '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n'
	printf '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\n'
	printf '1700000010.000001\tD1\t10.20.1.5\t53001\t10.20.0.53\t53\tudp\t1\t0.001\tws042.corp.bank-int.example\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t10.20.1.5\t60.000000\tF\n'
	printf '1700000011.000001\tD2\t10.20.1.77\t53002\t61.135.1.53\t53\tudp\t2\t0.001\tevil-c2.example.net\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t61.135.1.3\t60.000000\tF\n'
} >"$T/dns.log"
cat >"$T/eve.json" <<'J'
{"timestamp":"2023-11-14T22:13:30.000001+0000","event_type":"alert","src_ip":"61.135.1.2","src_port":4444,"dest_ip":"10.20.1.5","dest_port":443,"proto":"TCP","alert":{"signature":"ET EXPLOIT OWA login brute force","signature_id":2030001,"severity":1},"http":{"hostname":"mail.bank.example","url":"/owa/auth.owa?username=bob.jones%40bank.example&next=%2F","http_user_agent":"python-requests/2.31"},"payload_printable":"POST /owa/auth.owa HTTP/1.1 Host: mail.bank.example user=alice.smith 10.20.1.5"}
J
cat >"$T/auth.log" <<'L'
Nov 14 22:13:31 ws042 sshd[811]: Accepted password for alice.smith from 61.135.1.2 port 5555 ssh2
Nov 14 22:13:32 ws042 sshd[812]: Failed password for invalid user oracle from 61.135.1.4 port 5556 ssh2
L
printf '%s\n' '61.135.1.2 - bob.jones [14/Nov/2023:22:13:33 +0000] "GET /users/alice.smith/profile?email=alice.smith%40bank.example&id=7 HTTP/1.1" 200 512 "https://mail.bank.example/owa/" "Mozilla/5.0"' >"$T/access.log"
printf '%s\n' '188.40.238.7 - carol.white [14/Nov/2023:22:13:34 +0000] "GET /admin HTTP/1.1" 403 0 "-" "curl/8.0"' >"$T/red.log"

n=0
for f in conn.log dns.log eve.json auth.log access.log; do
	$D --db "$A" ingest --victim "First Bank" --home-net "$HOME_NETS" --tlp GREEN "$T/$f" >"$T/out" 2>"$T/err" &&
		grep -q "sanitized copy for peers" "$T/out" && n=$((n + 1)) || no "ingest $f with a sanitized copy" "$(cat "$T/out" "$T/err")"
done
[ $n -eq 5 ] && ok "ingest: five formats, each with a sanitized copy for peers"
$D --db "$A" ingest --victim "First Bank" --home-net "$HOME_NETS" --tlp RED "$T/red.log" >"$T/out" 2>&1
grep -q "sanitized copy" "$T/out" && no "TLP:RED gets no sanitized copy" "$(cat "$T/out")" || ok "ingest: TLP:RED gets no sanitized copy"

# the entries peers will mirror carry no clear home network
sqlite3 "$A" "SELECT leaf FROM entries" >"$T/leaves"
! grep -q "10.20.0.0\|198.51.100.0" "$T/leaves" && grep -q "home-net=" "$T/leaves" &&
	ok "entries: home networks pseudonymized in the signed parameters" || no "entries leak home-net" "$(grep home-net "$T/leaves" | head -2)"
[ "$(grep -c '^kind sanitized' "$T/leaves")" -eq 5 ] && grep -q "orig=sha256:$(sha256sum "$T/conn.log" | cut -c1-64)" "$T/leaves" &&
	ok "entries: five sanitized entries, each naming its original's digest" || no "sanitized entries" "$(grep -c '^kind sanitized' "$T/leaves")"

# ---------------------------------------------------------------- B syncs A
TB=$($D --db "$A" token add CERT-B --role peer --tlp AMBER)
serve_start "$A" || { no "serve A starts"; done_tests; exit 1; }
UA=$SERVE_URL
$D --db "$B" peer add CERT-A "$($D --db "$A" key show)" "$UA" --token "$TB" >/dev/null
$D --db "$B" sync --no-push >"$T/out" 2>"$T/err" && ok "sync B <- A over HTTP" || no "sync" "$(cat "$T/err")"
RED=sha256:$(sha256sum "$T/red.log" | cut -c1-64)
na=$($D --db "$A" events --json | grep -c -v -F "$RED") nb=$($D --db "$B" events --json | wc -l)
[ "$na" -gt 8 ] && [ "$na" -eq "$nb" ] && ok "B ingested A's sanitized copies: $nb events, as many as A's outside TLP:RED" || no "event counts" "A $na B $nb $(cat "$T/err")"
$D --db "$A" events --json | grep -v -F "$RED" | jq -c '[.submission, .record, .remote, .kind, .ts, .sport, .dport]' | sort >"$T/ea"
$D --db "$B" events --json | jq -c '[.submission, .record, .remote, .kind, .ts, .sport, .dport]' | sort >"$T/eb"
cmp -s "$T/ea" "$T/eb" && ok "B's events: same submissions (original digests), records, remotes, times, ports" ||
	no "event provenance" "$(diff "$T/ea" "$T/eb" | head -5)"

# every byte B received
ORIG=$(sha256sum "$T/conn.log" | cut -c1-64)
st=$(curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $TB" "$UA/payload/sha256/$ORIG")
[ "$st" = 403 ] && grep -q "sanitized" "$T/body" && ok "serve: a submission's original is refused to a peer (403)" || no "original served" "$st $(cat "$T/body")"
mkdir -p "$T/got"
sqlite3 "$A" "SELECT lower(hex(payload)) FROM entries WHERE kind = 'sanitized'" | while read -r h; do
	curl -sf -H "Authorization: Bearer $TB" "$UA/payload/sha256/$h" -o "$T/got/$h" || echo "$h" >>"$T/missing"
done
[ ! -e "$T/missing" ] && [ "$(ls "$T/got" | wc -l)" -eq 5 ] && ok "serve: the five sanitized copies are served to the peer" || no "copies served"
for r in checkpoint taxii2/ ; do curl -s -H "Authorization: Bearer $TB" "$UA/$r" >"$T/got/r-$(echo "$r" | tr / _)"; done
$D --db "$A" log export --tlp AMBER "$T/export" >/dev/null 2>&1 || no "log export"
[ ! -e "$T/export/payload/sha256/$ORIG" ] && [ "$(ls "$T/export/payload/sha256" | wc -l)" -eq 5 ] &&
	ok "log export: originals withheld, sanitized copies exported" || no "export payloads" "$(ls "$T/export/payload/sha256")"
sqlite3 "$B" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
$D --db "$B" events --json >"$T/got/b-events.json"
$D --db "$B" report --format json -o "$T/got/b-report.json" >/dev/null 2>&1
$D --db "$B" campaigns --json >"$T/got/b-campaigns.json" 2>/dev/null
cat >"$T/victim" <<'V'
10.20.1.5
10.20.1.77
10.20.2.9
10.20.0.53
198.51.100.10
10.20.0.0
198.51.100.0
ws042
bank.example
bank-int.example
alice.smith
bob.jones
carol.white
V
# also as raw network-order bytes (captures, binary columns)
leak=""
for where in "$B" "$B.d" "$T/export" "$T/got"; do
	hits=$(grep -r -a -i -l -F -f "$T/victim" "$where" 2>/dev/null)
	[ -n "$hits" ] && leak="$leak $hits"
done
[ -z "$leak" ] && ok "scan: none of A's victim addresses, host names or users in anything B received" ||
	no "victim data reached B" "$leak: $(grep -r -a -i -o -h -F -f "$T/victim" $leak | sort | uniq -c | head)"
miss=""
for a in 61.135.1.2 61.135.1.3 61.135.1.4 188.40.238.5 203.0.113.9 evil-c2.example.net oracle; do
	grep -r -a -q -F "$a" "$B.d" "$T/got" || miss="$miss $a"
done
[ -z "$miss" ] && ok "scan: every attacker address, the attacker's domain and guessed user reached B in clear" || no "attacker data missing at B" "$miss"

# one host, one pseudonym, across formats; prefixes kept
P5=$($D --db "$A" share pseudonym --home-net "$HOME_NETS" 10.20.1.5 | cut -d' ' -f2)
P77=$($D --db "$A" share pseudonym --home-net "$HOME_NETS" 10.20.1.77 | cut -d' ' -f2)
P9=$($D --db "$A" share pseudonym --home-net "$HOME_NETS" 10.20.2.9 | cut -d' ' -f2)
P10=$($D --db "$A" share pseudonym --home-net "$HOME_NETS" 198.51.100.10 | cut -d' ' -f2)
jq -r 'select(.remote == "61.135.1.2" and .kind != "auth") | [.src, .dst] | map(select(. != null and . != "61.135.1.2")) | .[]' "$T/got/b-events.json" | sort -u >"$T/p5"
[ "$(cat "$T/p5")" = "$P5" ] && [ "$(jq -r 'select(.kind == "dns") | .src' "$T/got/b-events.json" | sort -u | grep -c -x -F "$P5")" -eq 1 ] &&
	ok "consistency: 10.20.1.5 is $P5 in conn, EVE and dns events alike" || no "one pseudonym" "want $P5 got $(tr '\n' ' ' <"$T/p5")"
ip2int() { IFS=. read -r a b c d <<E
$1
E
	echo $(((a << 24) | (b << 16) | (c << 8) | d)); }
cpl() { x=$(($(ip2int "$1") ^ $(ip2int "$2"))) n=0; while [ $n -lt 32 ] && [ $(((x >> (31 - n)) & 1)) -eq 0 ]; do n=$((n + 1)); done; echo $n; }
ok_pfx=1
for pair in "10.20.1.5 10.20.1.77 $P5 $P77" "10.20.1.5 10.20.2.9 $P5 $P9" "10.20.2.9 198.51.100.10 $P9 $P10"; do
	set -- $pair
	[ "$(cpl "$1" "$2")" -eq "$(cpl "$3" "$4")" ] || { ok_pfx=0; no "prefix kept $1 $2" "$(cpl "$1" "$2") vs $(cpl "$3" "$4") ($3 $4)"; }
done
[ $ok_pfx = 1 ] && ok "consistency: common prefix lengths exactly preserved (/24 /22 and across home nets)"
grep -q -F "$P77" "$T/got/b-events.json" && grep -q -F "$P9" "$T/got/b-events.json" && ok "B's events carry A's pseudonyms" || no "pseudonyms at B"

# what the analyst previews is what the peer got
E=$(sqlite3 "$A" "SELECT idx FROM entries WHERE kind = 'submission' AND lower(hex(payload)) = '$ORIG'")
H=$(sqlite3 "$A" "SELECT lower(hex(payload)) FROM entries WHERE kind = 'sanitized' AND CAST(leaf AS TEXT) LIKE '%orig=sha256:$ORIG%'")
$D --db "$A" share preview --entry "$E" -o "$T/prev" && cmp -s "$T/prev" "$T/got/$H" && [ "$(sha256sum <"$T/prev" | cut -c1-64)" = "$H" ] &&
	ok "share preview --entry: byte for byte what the peer received, matching the signed digest" || no "preview --entry"
$D --db "$A" share preview --home-net "$HOME_NETS" "$T/conn.log" >"$T/prev2" 2>"$T/err"
cmp -s "$T/prev2" "$T/got/$H" && grep -q "pseudonymized" "$T/err" && ok "share preview FILE: the same copy, with counts" || no "preview FILE" "$(cat "$T/err")"
expect_rc() { want=$1; shift; "$@" >/dev/null 2>&1; [ $? -eq "$want" ]; }
RE=$(sqlite3 "$A" "SELECT idx FROM entries WHERE tlp = 'RED' AND kind = 'submission'")
expect_rc 2 $D --db "$A" share preview --entry "$RE" && ok "share preview: a TLP:RED entry has nothing to show (exit 2)" || no "preview RED"

# --no-share, then share sanitize
printf '%s\n' '61.135.1.9 - dave.green [14/Nov/2023:22:14:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"' >"$T/late.log"
$D --db "$A" ingest --no-share --home-net "$HOME_NETS" "$T/late.log" >"$T/out" 2>&1
! grep -q "sanitized copy" "$T/out" && $D --db "$A" share sanitize --json >"$T/out" 2>&1 &&
	[ "$(jq -s 'map(select(.new)) | length' "$T/out")" -eq 1 ] && ok "ingest --no-share; share sanitize makes the one missing copy" || no "share sanitize" "$(cat "$T/out")"
$D --db "$A" share sanitize >"$T/out" 2>&1 && grep -q "^0 sanitized copies made" "$T/out" && ok "share sanitize: again, nothing to do" || no "sanitize twice" "$(cat "$T/out")"
sleep 0.5 # the daemon follows the database within 0.2 s
$D --db "$B" sync --no-push >"$T/out" 2>&1 || no "sync late" "$(cat "$T/out")"
sqlite3 "$B" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
$D --db "$B" events --json | grep -q "61.135.1.9" && ! grep -r -a -q "dave.green" "$B.d" "$B" && ok "the late copy reached B, its user pseudonymized" || no "late copy" "$(cat "$T/out"; grep -r -a -l dave.green "$B.d" "$B")"
$D --db "$A" log verify >/dev/null 2>&1 && $D --db "$B" log verify >/dev/null 2>&1 && ok "log verify on both" || no "log verify"
done_tests
