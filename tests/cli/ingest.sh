#!/bin/sh
# tests/cli/ingest.sh — `detente ingest` and `detente events` through the
# real binary: Suricata EVE and Zeek logs from ../shared/corpus ingest with
# zero rejects, events carry attribution and provenance (submission digest,
# record, ledger entry), re-ingesting adds nothing, bad records are named
# by file:line, a truncated gzip keeps what came before the damage;
# syslog and access logs; the progress line; kill -9 mid-ingest.
set -u
. "$(dirname "$0")/../lib.sh"
CORPUS=${DETENTE_CORPUS:-../shared/corpus}
DB=$T/n.db

$D --db "$T/none.db" ingest /dev/null >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "detente init" "$T/err" && ok "ingest without a node: exit 2, says what to do" ||
	no "ingest without a node" "rc=$rc $(cat "$T/err")"
check "ingest --help" $D ingest --help
check "events --help" $D events --help

$D --db "$DB" init --party CERT-T >/dev/null 2>&1
printf '188.40.238.0,188.40.238.255,DE\n' >"$T/country"
printf '188.40.0.0,188.40.255.255,24940,Hetzner Online GmbH\n' >"$T/asn.csv"
$D --db "$DB" refdata build --country "$T/country" --asn "$T/asn.csv" -q
DIG=$($D --db "$DB" refdata show --json | jq -r .digest)

if [ -f "$CORPUS/suricata/eve-fileinfo.json" ]; then
	EVE=$CORPUS/suricata/eve-fileinfo.json
	$D --db "$DB" ingest --victim "Example Bank" --sector finance --tlp GREEN "$EVE" >"$T/out" 2>"$T/err"; rc=$?
	[ $rc -eq 0 ] && grep -q "eve, 1 records, 1 events stored, 0 rejected" "$T/out" &&
		ok "EVE fileinfo record ingested, zero rejects" || no "EVE ingest" "rc=$rc $(cat "$T/out" "$T/err")"
	$D --db "$DB" events --json >"$T/ev"
	SUB="sha256:$(sha256sum "$EVE" | cut -d' ' -f1)"
	jq -e --arg sub "$SUB" --arg rd "$DIG" '.ts == "2016-06-08T20:01:52.875791Z" and .src == "188.40.238.250" and
		.sport == 80 and .dst == "10.16.1.11" and .dport == 59908 and .proto == 6 and .kind == "file" and
		.remote == "188.40.238.250" and .victim == "Example Bank" and .country == "DE" and .asn == 24940 and
		.as_org == "Hetzner Online GmbH" and .flags == [] and .domain == "www.eicar.org" and
		.submission == $sub and .record == 1 and .refdata == $rd and .sector == "finance"' "$T/ev" >/dev/null &&
		ok "events --json: the contract's fields, attribution and provenance" || no "events --json" "$(cat "$T/ev")"
	ENTRY=$(jq -r .entry "$T/ev")
	$D --db "$DB" log entry "$ENTRY" >"$T/entry"
	grep -qx "kind submission" "$T/entry" && grep -qx "tlp GREEN" "$T/entry" &&
		grep -q "^payload $SUB " "$T/entry" && ok "the submission is a signed ledger entry committing to the file" ||
		no "ledger entry" "$(cat "$T/entry")"
	$D --db "$DB" ingest --victim "Example Bank" "$EVE" >"$T/out" 2>&1
	grep -q "already ingested as ledger entry $ENTRY; nothing added" "$T/out" &&
		[ "$($D --db "$DB" events --json | wc -l)" -eq 1 ] && ok "re-ingesting the same file adds nothing" ||
		no "re-ingest" "$(cat "$T/out")"
else
	sk "Suricata EVE corpus" "$CORPUS absent"
fi

# handmade EVE with bad lines
cat >"$T/eve.json" <<'X'
{"timestamp":"2024-01-02T03:04:05.000001+0000","event_type":"alert","src_ip":"188.40.238.9","src_port":4444,"dest_ip":"192.168.1.5","dest_port":22,"proto":"TCP","alert":{"signature":"ET SCAN ssh","signature_id":2001219,"severity":2}}
not json
{"timestamp":"bad time","event_type":"alert","src_ip":"1.2.3.4","dest_ip":"5.6.7.8"}
{"timestamp":"2024-01-02T03:04:06.000000+0000","event_type":"dns","src_ip":"192.168.1.5","src_port":5353,"dest_ip":"188.40.238.10","dest_port":53,"proto":"UDP","dns":{"rrname":"evil.example"}}
X
$D --db "$DB" ingest --victim "Example Bank" "$T/eve.json" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "eve.json:2:" "$T/err" && grep -q "eve.json:3:" "$T/err" &&
	grep -q "2 events stored, 2 rejected" "$T/out" && ok "bad EVE lines named by file:line, the rest stored" ||
	no "bad EVE lines" "rc=$rc $(cat "$T/out" "$T/err")"
$D --db "$DB" events --json --since 2024-01-01 >"$T/ev"
jq -se '.[0].remote == "188.40.238.9" and .[0].signature == "ET SCAN ssh" and .[0].kind == "alert" and
	.[1].remote == "188.40.238.10" and .[1].domain == "evil.example" and .[1].kind == "dns" and length == 2' "$T/ev" >/dev/null &&
	ok "remote side: inbound scan source and outbound DNS server alike" || no "remote side" "$(cat "$T/ev")"
[ "$($D --db "$DB" events --json --until 2020-01-01 | wc -l)" -le 1 ] &&
	[ "$($D --db "$DB" events --json --victim Nobody | wc -l)" -eq 0 ] && ok "events filters by time and victim" ||
	no "events filters"
$D --db "$DB" events --tsv | head -1 | grep -q "^ts	src	sport	dst" && ok "events --tsv header" || no "events --tsv header"

printf 'hello\nworld\n' >"$T/junk.txt"
$D --db "$DB" ingest "$T/junk.txt" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "cannot tell the format" "$T/err" && ok "unknown format refused" || no "unknown format" "$(cat "$T/err")"

if ls "$CORPUS"/zeek/*.log.gz >/dev/null 2>&1; then
	total=0
	for f in "$CORPUS"/zeek/*.log.gz; do
		n=$(zcat "$f" | grep -vc '^#')
		total=$((total + n))
		$D --db "$T/z.db" init --party Z >/dev/null 2>&1
		[ -f "$T/z.db.d/refdata/ACTIVE" ] || $D --db "$T/z.db" refdata build --country "$T/country" -q
		$D --db "$T/z.db" ingest --victim Z "$f" >"$T/out" 2>"$T/err"; rc=$?
		[ $rc -eq 0 ] && grep -q "zeek, $n records, $n events stored, 0 rejected" "$T/out" &&
			ok "zeek $(basename "$f"): $n records, zero rejects" || no "zeek $(basename "$f")" "rc=$rc $(cat "$T/out"; head -3 "$T/err")"
	done
	[ "$($D --db "$T/z.db" events --json | wc -l)" -eq "$total" ] && ok "zeek: all $total events stored" || no "zeek total"
	# a truncated gzip keeps what came before the damage
	head -c 30000 "$CORPUS/zeek/dns.log.gz" >"$T/cut.log.gz"
	$D --db "$T/z.db" ingest "$T/cut.log.gz" >"$T/out" 2>"$T/err"; rc=$?
	[ $rc -eq 1 ] && grep -q "truncated" "$T/err" && grep -Eq "[1-9][0-9]* events stored" "$T/out" &&
		ok "truncated gzip: damage reported, records before it kept" || no "truncated gzip" "rc=$rc $(cat "$T/out" "$T/err")"
else
	sk "Zeek corpus logs" "$CORPUS absent"
fi
# syslog and access logs, told apart by their first bytes
cat >"$T/auth.log" <<'LOG'
Nov 27 10:00:01 gw sshd[811]: Failed password for invalid user admin from 188.40.238.7 port 51234 ssh2
Nov 27 10:00:02 gw kernel: [ 1234.567890] [UFW BLOCK] IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=188.40.238.9 DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=1 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0
Nov 27 10:00:03 gw cron[12]: (root) CMD (run-parts /etc/cron.hourly)
this line is not syslog
LOG
$D --db "$DB" ingest --victim "Example Bank" "$T/auth.log" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "syslog, 4 records, 2 events stored, 1 rejected, 1 ignored" "$T/out" &&
	grep -q "auth.log:4: " "$T/err" && ok "syslog: sshd and ufw lines become events, the bad line is named" ||
	no "syslog ingest" "rc=$rc $(cat "$T/out" "$T/err")"
$D --db "$DB" events --json --victim "Example Bank" >"$T/ev"
jq -se 'map(select(.kind == "auth" and .remote == "188.40.238.7" and .country == "DE")) | length == 1' "$T/ev" >/dev/null &&
	jq -se 'map(select(.signature == "[UFW BLOCK]" and .dport == 22 and .remote == "188.40.238.9")) | length == 1' "$T/ev" >/dev/null &&
	! grep -q admin "$T/ev" && ok "syslog events attributed; no user name stored" || no "syslog events" "$(cat "$T/ev")"
printf '%s\n' '188.40.238.20 - - [27/Nov/2026:10:00:01 +0100] "GET /wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0 (zgrab)"' \
	'2001:db8::9 - - [27/Nov/2026:10:00:02 +0100] "\x16\x03\x01" 400 157 "-" "-"' >"$T/access.log"
$D --db "$DB" ingest --victim Web "$T/access.log" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q "weblog, 2 records, 2 events stored, 0 rejected" "$T/out" &&
	$D --db "$DB" events --json --victim Web | jq -se '.[0].ts == "2026-11-27T09:00:01.000000Z" and
		.[0].remote == "188.40.238.20" and .[0].kind == "http" and .[0].url == "/wp-login.php"' >/dev/null &&
	ok "access log: events with UTC times, url and remote client" || no "weblog" "rc=$rc $(cat "$T/out" "$T/err")"

# captures and export packets, auto-detected
if [ -f "$CORPUS/pcap/ssh-ssh.pcap" ] && [ -f "$CORPUS/netflow/netflow5.dat" ]; then
	$D --db "$DB" ingest --victim Cap "$CORPUS/pcap/ssh-ssh.pcap" >"$T/out" 2>"$T/err"; rc=$?
	rows=$(grep -vc '^#' "$CORPUS/pcap/ssh-ssh.pcap.zeek-conn.log")
	[ $rc -eq 0 ] && grep -q "pcap, [0-9]* records, $rows events stored, 0 rejected" "$T/out" &&
		ok "pcap: as many connections as Zeek's conn.log has rows ($rows)" || no "pcap ingest" "rc=$rc $(cat "$T/out" "$T/err")"
	$D --db "$DB" ingest --victim Flow "$CORPUS/netflow/netflow5.dat" >"$T/out" 2>"$T/err"; rc=$?
	[ $rc -eq 0 ] && grep -q "netflow, " "$T/out" && grep -Eq "[1-9][0-9]* events stored, 0 rejected" "$T/out" &&
		[ "$($D --db "$DB" events --json --victim Flow | jq -s 'map(select(.kind == "flow")) | length')" -gt 0 ] &&
		ok "netflow v5 file auto-detected and stored" || no "netflow ingest" "rc=$rc $(cat "$T/out" "$T/err")"
else
	sk "pcap and netflow CLI ingest" "$CORPUS absent"
fi

# a progress line on a terminal only
if command -v script >/dev/null 2>&1; then
	mawk -v N=1500000 -f bench/gen_conn.awk >"$T/big.log"
	script -qec "$D --db $DB ingest --victim P $T/big.log" /dev/null >"$T/tty" 2>&1
	$D --db "$DB" ingest --victim P2 "$T/auth.log" 2>"$T/err" >/dev/null
	grep -q "records, .*/s" "$T/tty" && ! grep -q "/s" "$T/err" &&
		ok "progress line on a terminal, none when stderr is not one" || no "progress" "$(tr '\r' '\n' <"$T/tty" | head -3)"
else
	sk "progress line" "script(1) not installed"
fi

# kill -9 in the middle of an ingest: the store is as before, and the
# same file ingests completely afterwards
[ -f "$T/big.log" ] || mawk -v N=1500000 -f bench/gen_conn.awk >"$T/big.log"
$D --db "$T/k.db" init --party K >/dev/null 2>&1
$D --db "$T/k.db" refdata build --country "$T/country" -q
before=$($D --db "$T/k.db" events --tsv | wc -l)
killed=0
for delay in 0.3 0.8 1.5; do
	$D --db "$T/k.db" ingest "$T/big.log" >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null && killed=$((killed + 1))
	wait $pid 2>/dev/null
	n=$($D --db "$T/k.db" events --tsv | wc -l)
	[ "$n" -eq "$before" ] || [ "$n" -eq $((before + 1500000)) ] || break
done
[ "$n" -eq "$before" ] || [ "$n" -eq $((before + 1500000)) ] &&
	ok "kill -9 mid-ingest ($killed times): no partial submission stored" || no "kill -9" "$n events"
$D --db "$T/k.db" ingest "$T/big.log" >"$T/out" 2>&1
[ "$($D --db "$T/k.db" events --tsv | wc -l)" -eq $((before + 1500000)) ] &&
	ok "after the kills the file ingests completely, once" || no "re-ingest after kill" "$(cat "$T/out")"
$D --db "$T/k.db" log verify >/dev/null 2>&1 && ok "the ledger verifies after the kills" || no "ledger after kills"

done_tests
