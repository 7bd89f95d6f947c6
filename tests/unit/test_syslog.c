/*
 * test_syslog.c — the syslog parser (ingest_syslog, ingest/parsers.h):
 * netfilter packet logs (ufw, iptables LOG with and without printk times,
 * nftables without a prefix, ICMP errors quoting a packet, ip6tables'
 * uncompressed IPv6), sshd's authentication messages class by class with
 * hostile user names, the RFC 3164, RFC 5424, rsyslog ISO and journalctl
 * short-iso headers, RFC 3164 year inference against glibc's timegm,
 * malformed lines reported with their numbers while the rest is kept,
 * refusal of input that is not syslog, CRLF and gzip input.
 */
#include <time.h>
#include <zlib.h>

#include "testhelp.h"

#include "ingest/parsers.h"

#define MAX_EV   64
#define MAX_WARN 16

struct got {
	struct event ev;
	char kind[16], signature[128], domain[128], url[256], user_agent[128];
	char service[32], state[64];
};

static struct got got[MAX_EV];
static size_t ngot;
static struct dt_diag warns[MAX_WARN];
static size_t nwarn;
static enum dt_err sink_err;
static uint64_t sink_fail_at = UINT64_MAX, sink_calls;

static void copy(char *dst, size_t size, struct dt_str s)
{
	snprintf(dst, size, "%.*s", (int)s.len, s.p ? s.p : "");
}

static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct got *g;

	(void)ctx;
	if (sink_calls++ == sink_fail_at)
		return sink_err;
	if (ngot == MAX_EV)
		return DT_OK;
	g = &got[ngot++];
	g->ev = *ev;
	snprintf(g->kind, sizeof(g->kind), "%s", ev->kind);
	copy(g->signature, sizeof(g->signature), ev->signature);
	copy(g->domain, sizeof(g->domain), ev->domain);
	copy(g->url, sizeof(g->url), ev->url);
	copy(g->user_agent, sizeof(g->user_agent), ev->user_agent);
	copy(g->service, sizeof(g->service), ev->service);
	copy(g->state, sizeof(g->state), ev->state);
	return DT_OK;
}

static void warn(void *ctx, const struct dt_diag *d)
{
	(void)ctx;
	if (nwarn < MAX_WARN)
		warns[nwarn] = *d;
	nwarn++;
}

/* 2026-11-28T00:00:00Z: the reference time of most tests. */
#define NOW_2026 1795824000000000LL

/* Parses len bytes as "test.log" with reference time now_us. */
static enum dt_err run_mem(const void *data, size_t len, int64_t now_us, struct ingest_counts *c,
                           struct dt_diag *d)
{
	struct ingest_ctx x = {"test.log", sink, NULL, warn, NULL, c, now_us};
	struct reader *r;
	struct dt_diag local;
	enum dt_err err;

	ngot = nwarn = 0;
	sink_calls = 0;
	memset(got, 0, sizeof(got));
	memset(c, 0, sizeof(*c));
	dt_diag_clear(d ? d : &local);
	if (reader_open_mem(data, len, &r) != DT_OK)
		return DT_ENOMEM;
	err = ingest_syslog(r, &x, d ? d : &local);
	reader_close(r);
	return err;
}

static enum dt_err run(const char *text, int64_t now_us, struct ingest_counts *c, struct dt_diag *d)
{
	return run_mem(text, strlen(text), now_us, c, d);
}

static const char *ip(const struct dt_ip *a)
{
	static char buf[4][DT_IP_STRLEN];
	static int k;

	k = (k + 1) % 4;
	dt_ip_format(a, buf[k]);
	return buf[k];
}

/* y-m-d h:m:s.us UTC by glibc's timegm (an independent calendar). */
static int64_t utc(int y, int mo, int d, int h, int mi, int s, int us)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * 1000000 + us;
}

/* ---- netfilter -------------------------------------------------------- */

static void test_ufw_block(void)
{
	/* as in ufw's /var/log/ufw.log, with the printk time rsyslog keeps */
	const char *t =
	    "Nov 27 10:00:01 web1 kernel: [71910.873115] [UFW BLOCK] IN=eth0 OUT= "
	    "MAC=a6:8d:e2:51:62:4c:f0:4b:3a:4f:80:30:08:00 SRC=77.72.85.26 DST=157.230.26.180 "
	    "LEN=40 TOS=0x00 PREC=0x00 TTL=251 ID=62215 PROTO=TCP SPT=42772 DPT=3194 "
	    "WINDOW=1024 RES=0x00 SYN URGP=0\n";
	struct ingest_counts c;
	struct event *e = &got[0].ev;

	CHECK(run(t, NOW_2026, &c, NULL) == DT_OK);
	CHECKF(c.records == 1 && c.events == 1 && c.rejected == 0 && c.ignored == 0,
	       "records %llu events %llu", (unsigned long long)c.records,
	       (unsigned long long)c.events);
	CHECK(ngot == 1);
	CHECK(strcmp(got[0].kind, EVENT_ALERT) == 0);
	CHECKF(strcmp(got[0].signature, "[UFW BLOCK]") == 0, "signature '%s'", got[0].signature);
	CHECK(e->ts_us == utc(2026, 11, 27, 10, 0, 1, 0));
	CHECK(e->has_src && strcmp(ip(&e->src), "77.72.85.26") == 0);
	CHECK(e->has_dst && strcmp(ip(&e->dst), "157.230.26.180") == 0);
	CHECK(e->sport == 42772 && e->dport == 3194 && e->proto == 6);
	CHECKF(strcmp(got[0].state, "SYN") == 0, "state '%s'", got[0].state);
	CHECK(e->orig_pkts == 1 && e->orig_bytes == -1 && e->resp_bytes == -1);
	CHECK(e->severity == 3);
	CHECK(e->record == 1);
}

static void test_iptables_variants(void)
{
	const char *t =
	    /* 1: iptables -j LOG --log-prefix "DROP-IN: ", UDP */
	    "Nov 27 10:00:02 fw kernel: DROP-IN: IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:"
	    "ff:08:00 SRC=198.51.100.9 DST=10.0.0.5 LEN=76 TOS=0x00 PREC=0x00 TTL=57 ID=0 DF "
	    "PROTO=UDP SPT=123 DPT=123 LEN=56\n"
	    /* 2: nftables log without a prefix: ICMP port unreachable quoting a
	     * UDP packet whose ports must not be taken */
	    "Nov 27 10:00:03 fw kernel: IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:ff:08:00 "
	    "SRC=192.0.2.1 DST=10.0.0.5 LEN=88 TOS=0x00 PREC=0xC0 TTL=64 ID=1 PROTO=ICMP TYPE=3 "
	    "CODE=3 [SRC=10.0.0.5 DST=192.0.2.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=2 PROTO=UDP "
	    "SPT=53 DPT=4444 LEN=40 ] \n"
	    /* 3: ip6tables: the kernel's uncompressed IPv6, ACK RST */
	    "Nov 27 10:00:04 fw kernel: [ 1234.567890] IPV6-DROP IN=eth0 OUT= "
	    "MAC=33:33:00:00:00:01:00:16:3e:dd:ee:ff:86:dd "
	    "SRC=2001:0db8:0000:0000:0000:0000:0000:0001 "
	    "DST=2001:0db8:0000:0000:0000:0000:0000:0002 LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=0 "
	    "PROTO=TCP SPT=4444 DPT=22 WINDOW=65535 RES=0x00 ACK RST URGP=0\n"
	    /* 4: compressed IPv6, ICMPv6, ufw ALLOW */
	    "Nov 27 10:00:05 fw kernel: [UFW ALLOW] IN=eth0 OUT= SRC=2001:db8::1 DST=2001:db8::2 "
	    "LEN=104 TC=0 HOPLIMIT=64 FLOWLBL=12345 PROTO=ICMPv6 TYPE=128 CODE=0 ID=1 SEQ=1\n"
	    /* 5: ARP logged by a bridge rule: no addresses, ignored */
	    "Nov 27 10:00:06 fw kernel: ARPLOG IN=br0 OUT= ARP HTYPE=1 PTYPE=0x0800 OPCODE=1\n"
	    /* 6: protocol by number (GRE), with UID/GID and MARK */
	    "Nov 27 10:00:07 fw kernel: OUT-GRE IN= OUT=eth0 SRC=10.0.0.5 DST=203.0.113.1 LEN=64 "
	    "TOS=0x00 PREC=0x00 TTL=64 ID=3 PROTO=47 UID=0 GID=0 MARK=0x1\n";
	struct ingest_counts c;

	CHECK(run(t, NOW_2026, &c, NULL) == DT_OK);
	CHECKF(c.records == 6 && c.events == 5 && c.ignored == 1 && c.rejected == 0,
	       "records %llu events %llu ignored %llu rejected %llu", (unsigned long long)c.records,
	       (unsigned long long)c.events, (unsigned long long)c.ignored,
	       (unsigned long long)c.rejected);
	if (ngot != 5)
		return;
	CHECKF(strcmp(got[0].signature, "DROP-IN:") == 0, "'%s'", got[0].signature);
	CHECK(got[0].ev.proto == 17 && got[0].ev.sport == 123 && got[0].ev.dport == 123);
	CHECK(strcmp(got[0].state, "") == 0);

	CHECK(strcmp(got[1].signature, "netfilter") == 0);
	CHECK(got[1].ev.proto == 1 && got[1].ev.sport == -1 && got[1].ev.dport == -1);
	CHECK(strcmp(ip(&got[1].ev.src), "192.0.2.1") == 0);

	CHECKF(strcmp(got[2].signature, "IPV6-DROP") == 0, "'%s'", got[2].signature);
	CHECK(strcmp(ip(&got[2].ev.src), "2001:db8::1") == 0);
	CHECK(strcmp(ip(&got[2].ev.dst), "2001:db8::2") == 0);
	CHECK(got[2].ev.proto == 6 && got[2].ev.sport == 4444 && got[2].ev.dport == 22);
	CHECKF(strcmp(got[2].state, "ACK RST") == 0, "'%s'", got[2].state);

	CHECK(strcmp(got[3].signature, "[UFW ALLOW]") == 0 && got[3].ev.severity == 4);
	CHECK(got[3].ev.proto == 58 && got[3].ev.src.family == DT_IP_V6);

	CHECK(strcmp(got[4].signature, "OUT-GRE") == 0 && got[4].ev.proto == 47);
	CHECK(got[4].ev.record == 6);
}

static void test_netfilter_bad_fields(void)
{
	const char *t =
	    "Nov 27 10:00:01 fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=1.2.3.999 DST=10.0.0.5 "
	    "LEN=40 PROTO=TCP SPT=1 DPT=2\n"
	    "Nov 27 10:00:01 fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=1.2.3.4 DST=10.0.0.5 "
	    "LEN=40 PROTO=TCP SPT=70000 DPT=2\n"
	    "Nov 27 10:00:01 fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=1.2.3.4 DST=10.0.0.5 "
	    "LEN=40 PROTO=TCP SPT=1 DPT=2\n";
	struct ingest_counts c;

	CHECK(run(t, NOW_2026, &c, NULL) == DT_OK);
	CHECK(c.records == 3 && c.events == 1 && c.rejected == 2);
	CHECK(nwarn == 2 && warns[0].line == 1 && warns[1].line == 2);
	CHECKF(strstr(warns[0].msg, "SRC '1.2.3.999'") != NULL, "%s", warns[0].msg);
	CHECK(strcmp(warns[0].file, "test.log") == 0);
}

/* ---- sshd ------------------------------------------------------------- */

/* The user names of the sshd lines below: none may reach an event. */
static const char *const users[] = {"root", "admin", "deploy", "alice", "oracle", "x from"};

static void test_sshd(void)
{
	static const struct {
		const char *msg;
		const char *sig; /* NULL: ignored */
		const char *src;
		int sport, severity;
	} cases[] = {
	    {"sshd[1]: Failed password for root from 203.0.113.5 port 51234 ssh2",
	     "sshd: failed password", "203.0.113.5", 51234, 2},
	    {"sshd[1]: Failed password for invalid user admin from 203.0.113.5 port 51235 ssh2",
	     "sshd: failed password (invalid user)", "203.0.113.5", 51235, 2},
	    {"sshd[1]: Invalid user admin from 203.0.113.5 port 5555", "sshd: invalid user",
	     "203.0.113.5", 5555, 2},
	    {"sshd[1]: Invalid user oracle from 203.0.113.6", "sshd: invalid user", "203.0.113.6",
	     -1, 2},
	    {"sshd[1]: Failed publickey for root from 2001:db8::5 port 5556 ssh2: RSA "
	     "SHA256:4EAFZGUWr3fpYZ7xY1L6z5vKjA5dvHtVpsX6aXYxWzQ",
	     "sshd: failed publickey", "2001:db8::5", 5556, 2},
	    {"sshd[1]: Failed keyboard-interactive/pam for invalid user admin from 203.0.113.5 "
	     "port 1 ssh2",
	     "sshd: failed keyboard-interactive (invalid user)", "203.0.113.5", 1, 2},
	    {"sshd[1]: Failed xyzzy for root from 203.0.113.5 port 2 ssh2",
	     "sshd: failed other method", "203.0.113.5", 2, 2},
	    {"sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
	     "ruser= rhost=203.0.113.7  user=root",
	     "sshd: pam authentication failure", "203.0.113.7", -1, 2},
	    {"sshd[1]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
	     "rhost=203.0.113.7  user=root",
	     "sshd: pam more authentication failures", "203.0.113.7", -1, 2},
	    {"sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
	     "ruser= rhost=scanner.example.net  user=root",
	     NULL, NULL, 0, 0},
	    {"sshd[1]: error: PAM: Authentication failure for illegal user admin from 203.0.113.8",
	     "sshd: pam authentication failure", "203.0.113.8", -1, 2},
	    {"sshd[1]: Connection closed by authenticating user root 203.0.113.5 port 5557 "
	     "[preauth]",
	     "sshd: connection closed by authenticating user (preauth)", "203.0.113.5", 5557, 3},
	    {"sshd[1]: Connection closed by 203.0.113.5 port 5558 [preauth]",
	     "sshd: connection closed (preauth)", "203.0.113.5", 5558, 3},
	    /* older OpenSSH: no port (as in the LabSZ auth.log data set) */
	    {"sshd[24200]: Connection closed by 173.234.31.186 [preauth]",
	     "sshd: connection closed (preauth)", "173.234.31.186", -1, 3},
	    {"sshd[1]: Connection reset by invalid user admin 203.0.113.5 port 5559 [preauth]",
	     "sshd: connection reset by invalid user (preauth)", "203.0.113.5", 5559, 3},
	    {"sshd[1]: Disconnected from invalid user x from 203.0.113.9 port 4444 [preauth]",
	     "sshd: disconnected from invalid user (preauth)", "203.0.113.9", 4444, 3},
	    {"sshd[1]: Did not receive identification string from 203.0.113.10 port 4000",
	     "sshd: no identification string", "203.0.113.10", 4000, 3},
	    {"sshd[1]: Did not receive identification string from 203.0.113.10",
	     "sshd: no identification string", "203.0.113.10", -1, 3},
	    {"sshd[1]: Accepted publickey for deploy from 10.0.0.5 port 44321 ssh2: ED25519 "
	     "SHA256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefa",
	     "sshd: accepted publickey", "10.0.0.5", 44321, 4},
	    {"sshd[1]: Accepted password for alice from 192.0.2.44 port 55123 ssh2",
	     "sshd: accepted password", "192.0.2.44", 55123, 4},
	    {"sshd[1]: error: maximum authentication attempts exceeded for root from 203.0.113.5 "
	     "port 6000 ssh2 [preauth]",
	     "sshd: maximum authentication attempts exceeded", "203.0.113.5", 6000, 2},
	    {"sshd[1]: Received disconnect from 203.0.113.5 port 5555:11: Bye Bye [preauth]",
	     "sshd: received disconnect (preauth)", "203.0.113.5", 5555, 3},
	    {"sshd[1]: Disconnecting invalid user admin 203.0.113.5 port 6001: Too many "
	     "authentication failures [preauth]",
	     "sshd: disconnecting invalid user (preauth)", "203.0.113.5", 6001, 3},
	    {"sshd[1]: User root from 203.0.113.11 not allowed because not listed in AllowUsers",
	     "sshd: user not allowed", "203.0.113.11", -1, 2},
	    {"sshd[1]: fatal: Timeout before authentication for 203.0.113.12 port 6002",
	     "sshd: timeout before authentication", "203.0.113.12", 6002, 3},
	    {"sshd[1]: banner exchange: Connection from 203.0.113.13 port 6003: invalid format",
	     "sshd: banner exchange failed", "203.0.113.13", 6003, 3},
	    {"sshd[1]: Unable to negotiate with 203.0.113.14 port 6004: no matching key exchange "
	     "method found. Their offer: diffie-hellman-group1-sha1 [preauth]",
	     "sshd: unable to negotiate", "203.0.113.14", 6004, 3},
	    {"sshd[1]: ROOT LOGIN REFUSED FROM 203.0.113.15 port 6005", "sshd: root login refused",
	     "203.0.113.15", 6005, 2},
	    /* a user name crafted to look like an address clause: the real
	     * one is the last, the crafted one must not win */
	    {"sshd[1]: Failed password for invalid user x from 9.9.9.9 port 1 ssh2 from "
	     "203.0.113.16 port 2222 ssh2",
	     "sshd: failed password (invalid user)", "203.0.113.16", 2222, 2},
	    {"sshd[1]: Invalid user x from 9.9.9.9 port 1 from 203.0.113.17 port 2223",
	     "sshd: invalid user", "203.0.113.17", 2223, 2},
	    /* a certificate ID with " from " in it after the real clause */
	    {"sshd[1]: Accepted publickey for deploy from 10.0.0.6 port 44322 ssh2: "
	     "ED25519-CERT SHA256:abc ID ci from build farm (serial 7) CA ED25519 SHA256:def",
	     "sshd: accepted publickey", "10.0.0.6", 44322, 4},
	    /* OpenSSH 9.8 runs the session in sshd-session */
	    {"sshd-session[77]: Failed password for root from 203.0.113.18 port 2224 ssh2",
	     "sshd: failed password", "203.0.113.18", 2224, 2},
	    /* not authentication events */
	    {"sshd[1]: Disconnected from user alice 203.0.113.42 port 55123", NULL, NULL, 0, 0},
	    {"sshd[1]: Connection closed by 203.0.113.5 port 5558", NULL, NULL, 0, 0},
	    {"sshd[1]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
	     NULL, NULL, 0, 0},
	    {"sshd[1]: Server listening on 0.0.0.0 port 22.", NULL, NULL, 0, 0},
	    {"sshd[1]: Postponed keyboard-interactive for root from 203.0.113.5 port 1 ssh2", NULL,
	     NULL, 0, 0},
	    {"sshd[1]: Connection closed by UNKNOWN port 65535 [preauth]", NULL, NULL, 0, 0},
	    /* not sshd: a "Failed password" from another program is not ours */
	    {"su[1]: Failed password for root from 203.0.113.5 port 1 ssh2", NULL, NULL, 0, 0},
	};
	char line[1024];

	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		struct ingest_counts c;

		snprintf(line, sizeof(line), "Nov 27 10:00:01 bastion %s\n", cases[k].msg);
		CHECK(run(line, NOW_2026, &c, NULL) == DT_OK);
		CHECK(c.records == 1 && c.rejected == 0);
		if (cases[k].sig == NULL) {
			CHECKF(c.ignored == 1 && ngot == 0, "case %zu: not ignored: %s", k,
			       cases[k].msg);
			continue;
		}
		CHECKF(ngot == 1, "case %zu: no event: %s", k, cases[k].msg);
		if (ngot != 1)
			continue;
		CHECKF(strcmp(got[0].signature, cases[k].sig) == 0, "case %zu: signature '%s'", k,
		       got[0].signature);
		CHECKF(got[0].ev.has_src && strcmp(ip(&got[0].ev.src), cases[k].src) == 0,
		       "case %zu: src %s", k, ip(&got[0].ev.src));
		CHECKF(got[0].ev.sport == cases[k].sport, "case %zu: sport %d", k,
		       (int)got[0].ev.sport);
		CHECKF(got[0].ev.severity == cases[k].severity, "case %zu: severity %d", k,
		       (int)got[0].ev.severity);
		CHECK(strcmp(got[0].kind, EVENT_AUTH) == 0 && strcmp(got[0].service, "ssh") == 0);
		CHECK(!got[0].ev.has_dst && got[0].ev.dport == -1 && got[0].ev.proto == 6);
		for (size_t u = 0; u < sizeof(users) / sizeof(*users); u++) {
			/* (the signature is one of the fixed strings above) */
			CHECKF(strstr(got[0].state, users[u]) == NULL &&
			           strstr(got[0].url, users[u]) == NULL &&
			           strstr(got[0].user_agent, users[u]) == NULL &&
			           strstr(got[0].domain, users[u]) == NULL,
			       "case %zu: user name '%s' in an event field", k, users[u]);
		}
	}
}

/* ---- headers ---------------------------------------------------------- */

static void test_headers(void)
{
	const char *t =
	    /* 1: RFC 5424, no structured data */
	    "<38>1 2026-11-27T10:00:01.123+01:00 bastion sshd 1234 - - Failed password for root "
	    "from 203.0.113.5 port 1 ssh2\n"
	    /* 2: RFC 5424 with structured data holding an escaped ']' and '"',
	     * and a BOM before MSG */
	    "<38>1 2026-11-27T10:00:01.123456Z bastion sshd 99 AUTH [origin ip=\"10.0.0.1\" "
	    "note=\"a\\]b\\\"c\"][meta x=\"1\"] \xef\xbb\xbfInvalid user admin from 203.0.113.5 "
	    "port 2\n"
	    /* 3: rsyslog RSYSLOG_FileFormat */
	    "2026-11-27T10:00:01.654321+00:00 bastion sshd[1]: Invalid user admin from 203.0.113.5 "
	    "port 3\n"
	    /* 4: journalctl -o short-iso (older systemd: +hhmm) */
	    "2026-11-27T11:00:01+0100 bastion sshd[1]: Invalid user admin from 203.0.113.5 port 4\n"
	    /* 5: journalctl's markers */
	    "-- Boot 8b3ff8f2a5e04d2b9ffd0c6d2a1b4c3e --\n"
	    /* 6: RFC 3164 with a priority and a zero-padded day */
	    "<13>Nov 07 10:00:01 bastion sshd[1]: Invalid user admin from 203.0.113.5 port 6\n"
	    /* 7: RFC 3164, space-padded day, no host (the tag right after the time) */
	    "Nov  7 10:00:01 sshd[1]: Invalid user admin from 203.0.113.5 port 7\n"
	    /* 8: journalctl -o short-iso-precise, newer systemd */
	    "2026-11-27T11:00:01.000002+01:00 bastion sshd[1]: Invalid user admin from "
	    "203.0.113.5 port 8\n"
	    /* 9: an ordinary line: ignored */
	    "Nov 27 10:00:01 bastion CRON[4321]: (root) CMD (run-parts /etc/cron.hourly)\n"
	    /* 10: RFC 5424 with every nil value and no MSG */
	    "<14>1 2026-11-27T10:00:01Z - - - - -\n"
	    /* 11: rsyslog's "last message repeated" (no tag) */
	    "Nov 27 10:00:01 bastion last message repeated 5 times\n";
	struct ingest_counts c;

	CHECK(run(t, NOW_2026, &c, NULL) == DT_OK);
	CHECKF(c.records == 11 && c.events == 7 && c.ignored == 4 && c.rejected == 0,
	       "records %llu events %llu ignored %llu rejected %llu (%s)",
	       (unsigned long long)c.records, (unsigned long long)c.events,
	       (unsigned long long)c.ignored, (unsigned long long)c.rejected,
	       nwarn ? warns[0].msg : "");
	if (ngot != 7)
		return;
	CHECK(got[0].ev.ts_us == utc(2026, 11, 27, 9, 0, 1, 123000));
	CHECK(got[1].ev.ts_us == utc(2026, 11, 27, 10, 0, 1, 123456));
	CHECK(got[1].ev.sport == 2 && strcmp(got[1].signature, "sshd: invalid user") == 0);
	CHECK(got[2].ev.ts_us == utc(2026, 11, 27, 10, 0, 1, 654321));
	CHECK(got[3].ev.ts_us == utc(2026, 11, 27, 10, 0, 1, 0));
	CHECK(got[4].ev.ts_us == utc(2026, 11, 7, 10, 0, 1, 0) && got[4].ev.sport == 6);
	CHECK(got[5].ev.ts_us == utc(2026, 11, 7, 10, 0, 1, 0) && got[5].ev.sport == 7);
	CHECK(got[6].ev.ts_us == utc(2026, 11, 27, 10, 0, 1, 2) && got[6].ev.sport == 8);
	CHECK(got[0].ev.record == 1 && got[6].ev.record == 8);
}

/* ---- year inference ---------------------------------------------------- */

static int64_t bsd_time(const char *stamp, int64_t now_us)
{
	char line[200];
	struct ingest_counts c;

	snprintf(line, sizeof(line), "%s h sshd[1]: Invalid user a from 192.0.2.1 port 1\n", stamp);
	if (run(line, now_us, &c, NULL) != DT_OK || ngot != 1)
		return -1;
	return got[0].ev.ts_us;
}

static void test_year_inference(void)
{
	int64_t now;
	time_t wall;

	/* just after new year: last December is last year */
	now = utc(2027, 1, 1, 0, 30, 0, 0);
	CHECK(bsd_time("Dec 31 23:59:59", now) == utc(2026, 12, 31, 23, 59, 59, 0));
	/* up to a day ahead of now stays in now's year (clock skew) */
	now = utc(2026, 12, 31, 23, 0, 0, 0);
	CHECK(bsd_time("Jan  1 00:30:00", now) == utc(2027, 1, 1, 0, 30, 0, 0));
	now = utc(2026, 6, 1, 12, 0, 0, 0);
	CHECK(bsd_time("Jun  2 11:59:59", now) == utc(2026, 6, 2, 11, 59, 59, 0));
	CHECK(bsd_time("Jun  2 12:00:01", now) == utc(2025, 6, 2, 12, 0, 1, 0));
	CHECK(bsd_time("Dec 25 08:00:00", now) == utc(2025, 12, 25, 8, 0, 0, 0));
	CHECK(bsd_time("Jan  5 08:00:00", now) == utc(2026, 1, 5, 8, 0, 0, 0));
	/* Feb 29 goes to the latest leap year */
	now = utc(2027, 3, 1, 0, 0, 0, 0);
	CHECK(bsd_time("Feb 29 12:00:00", now) == utc(2024, 2, 29, 12, 0, 0, 0));
	now = utc(2028, 3, 1, 0, 0, 0, 0);
	CHECK(bsd_time("Feb 29 12:00:00", now) == utc(2028, 2, 29, 12, 0, 0, 0));
	/* now_us 0: the current time */
	wall = time(NULL);
	{
		struct tm tm;
		char stamp[32];
		int64_t t;

		gmtime_r(&wall, &tm);
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		t = bsd_time(stamp, 0);
		CHECKF(t / 1000000 >= (int64_t)wall - 5 && t / 1000000 <= (int64_t)wall + 5,
		       "'%s' read as %lld, wall %lld", stamp, (long long)(t / 1000000),
		       (long long)wall);
	}
}

/* ---- bad input -------------------------------------------------------- */

static void test_malformed_lines(void)
{
	const char *t =
	    "Nov 27 10:00:01 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1\n" /* 1 */
	    "this is not syslog\n"                                                    /* 2 */
	    "\n"                                                                      /* 3 */
	    "Nov 31 10:00:01 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1\n" /* 4 */
	    "<999>Nov 27 10:00:01 bastion x: y\n"                                     /* 5 */
	    "Nov 27 25:00:01 bastion x: y\n"                                          /* 6 */
	    "<34>1 - host app - - - msg\n"                                            /* 7 */
	    "<34>1 2026-11-27T10:00:01Z host app - - [unterminated x=\"]\n"           /* 8 */
	    "2026-02-30T10:00:01Z host app: y\n"                                      /* 9 */
	    "Nov 27 10:00:01\n"                                                       /* 10 */
	    "Nov 27 10:00:01 bastion sshd[1]: Invalid user a from 192.0.2.1 port 2";  /* 11 */
	struct ingest_counts c;

	CHECK(run(t, NOW_2026, &c, NULL) == DT_OK);
	CHECKF(c.records == 10 && c.events == 2 && c.rejected == 8 && c.ignored == 0,
	       "records %llu events %llu rejected %llu", (unsigned long long)c.records,
	       (unsigned long long)c.events, (unsigned long long)c.rejected);
	CHECK(nwarn == 8);
	{
		static const unsigned long want[] = {2, 4, 5, 6, 7, 8, 9, 10};

		for (size_t k = 0; k < 8 && k < nwarn; k++) {
			CHECKF(warns[k].line == want[k], "warning %zu at line %lu", k,
			       warns[k].line);
			CHECK(strcmp(warns[k].file, "test.log") == 0 && warns[k].msg[0]);
		}
	}
	CHECK(ngot == 2 && got[1].ev.record == 11 && got[1].ev.sport == 2);
}

static void test_not_syslog(void)
{
	struct ingest_counts c;
	struct dt_diag d;

	CHECK(run("\n\nhello world\n{\"a\":1}\n", NOW_2026, &c, &d) == DT_EFORMAT);
	CHECKF(d.line == 3 && strstr(d.msg, "not syslog") != NULL, "%lu: %s", d.line, d.msg);
	CHECK(c.records == 2 && c.rejected == 2 && c.events == 0);
	/* an access log is not syslog either */
	CHECK(run("203.0.113.7 - - [27/Nov/2026:10:00:01 +0100] \"GET / HTTP/1.1\" 200 1\n",
	          NOW_2026, &c, &d) == DT_EFORMAT);
	/* empty and blank input is no error */
	CHECK(run("", NOW_2026, &c, &d) == DT_OK && c.records == 0);
	CHECK(run("\r\n\n  \n", NOW_2026, &c, &d) == DT_OK && c.records == 0);
	/* only journalctl markers: syslog, nothing in it */
	CHECK(run("-- No entries --\n", NOW_2026, &c, &d) == DT_OK && c.ignored == 1);
}

static void test_sink_error(void)
{
	struct ingest_counts c;
	struct dt_diag d;
	const char *t = "Nov 27 10:00:01 h sshd[1]: Invalid user a from 192.0.2.1 port 1\n"
	                "Nov 27 10:00:01 h sshd[1]: Invalid user a from 192.0.2.1 port 2\n"
	                "Nov 27 10:00:01 h sshd[1]: Invalid user a from 192.0.2.1 port 3\n";

	sink_fail_at = 1;
	sink_err = DT_EIO;
	CHECK(run(t, NOW_2026, &c, &d) == DT_EIO);
	CHECK(d.line == 2 && c.events == 1);
	sink_fail_at = UINT64_MAX;
	sink_err = DT_OK;
}

/* No counts and no warn function: the same events, no crash. */
static void test_null_ctx(void)
{
	const char *t = "junk\n"
	                "2026-11-27T10:00:01 h sshd[1]: Invalid user a from 192.0.2.1 port 1\n";
	struct ingest_ctx x = {NULL, sink, NULL, NULL, NULL, NULL, NOW_2026};
	struct reader *r;
	struct dt_diag d;

	ngot = 0;
	sink_calls = 0;
	CHECK(reader_open_mem(t, strlen(t), &r) == DT_OK);
	CHECK(ingest_syslog(r, &x, &d) == DT_OK);
	reader_close(r);
	/* an ISO time without a zone is taken as UTC */
	CHECK(ngot == 1 && got[0].ev.ts_us == utc(2026, 11, 27, 10, 0, 1, 0));
	CHECK(reader_open_mem("junk\n", 5, &r) == DT_OK);
	CHECK(ingest_syslog(r, &x, &d) == DT_EFORMAT && strcmp(d.file, "") == 0);
	reader_close(r);
}

/* ---- line ends and gzip ----------------------------------------------- */

static const char sample[] =
    "Nov 27 10:00:01 fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.1 DST=10.0.0.5 LEN=60 "
    "TOS=0x00 PREC=0x00 TTL=52 ID=1 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN "
    "URGP=0\n"
    "Nov 27 10:00:02 bastion sshd[9]: Failed password for root from 203.0.113.1 port 40001 "
    "ssh2\n"
    "garbage\n"
    "Nov 27 10:00:03 bastion systemd[1]: Started Session 5 of user alice.\n";

static void test_crlf(void)
{
	char crlf[sizeof(sample) * 2];
	size_t o = 0;
	struct ingest_counts c1, c2;
	struct got first[2];

	CHECK(run(sample, NOW_2026, &c1, NULL) == DT_OK && ngot == 2);
	memcpy(first, got, sizeof(first));
	for (size_t i = 0; sample[i]; i++) {
		if (sample[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = sample[i];
	}
	crlf[o] = '\0';
	CHECK(run(crlf, NOW_2026, &c2, NULL) == DT_OK && ngot == 2);
	CHECK(c1.records == c2.records && c1.events == c2.events && c1.ignored == c2.ignored &&
	      c1.rejected == c2.rejected && c2.rejected == 1 && c2.ignored == 1);
	CHECK(strcmp(got[0].signature, first[0].signature) == 0 &&
	      strcmp(got[0].state, "SYN") == 0 && got[0].ev.dport == 22);
	CHECK(strcmp(got[1].signature, first[1].signature) == 0 && got[1].ev.sport == 40001);
	CHECK(nwarn == 1 && warns[0].line == 3 && strchr(warns[0].msg, '\r') == NULL);
}

/* gzip (RFC 1952) of data with zlib, as a second member too when twice. */
static size_t gzip_of(const void *data, size_t len, unsigned char *out, size_t cap)
{
	z_stream z;
	size_t n;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		return 0;
	}
	n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

static void test_gzip(void)
{
	unsigned char gz[4096];
	size_t n = gzip_of(sample, sizeof(sample) - 1, gz, sizeof(gz));
	struct ingest_counts c;

	CHECK(n > 18 && gz[0] == 0x1f && gz[1] == 0x8b);
	CHECK(run_mem(gz, n, NOW_2026, &c, NULL) == DT_OK);
	CHECK(c.records == 4 && c.events == 2 && c.rejected == 1 && c.ignored == 1);
	CHECK(ngot == 2 && got[1].ev.record == 2 && strcmp(ip(&got[1].ev.src), "203.0.113.1") == 0);
	CHECK(nwarn == 1 && warns[0].line == 3);
}

int main(void)
{
	RUN(test_ufw_block);
	RUN(test_iptables_variants);
	RUN(test_netfilter_bad_fields);
	RUN(test_sshd);
	RUN(test_headers);
	RUN(test_year_inference);
	RUN(test_malformed_lines);
	RUN(test_not_syslog);
	RUN(test_sink_error);
	RUN(test_null_ctx);
	RUN(test_crlf);
	RUN(test_gzip);
	DONE();
}
