/*
 * zeekout.c — records as Zeek writes them in its default ASCII (TSV)
 * format: eight header lines (#separator as \x09 escaped, #set_separator,
 * #empty_field "(empty)", #unset_field "-", #path, #open, #fields, #types),
 * one tab-separated line a record, `-` for an unset value, and #close at
 * the end.  Columns are those of Zeek 6's conn.log, dns.log and ssl.log
 * (base scripts; ssl.log with cert_chain_fps and the common JA3 package's
 * ja3/ja3s columns appended), types as Zeek prints them.  Times are epoch
 * seconds with six decimals; #open and #close use Zeek's
 * "%Y-%m-%d-%H-%M-%S".  The uid is "C" and 17 base-62 digits.
 * Reference: docs.zeek.org, "Zeek Logs" (conn.log, dns.log, ssl.log).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/hex.h"
#include "core/sha256.h"
#include "sim/sim_int.h"

static const char *const fields[SF_N] = {
    [SF_CONN] = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
                "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\t"
                "history\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents",
    [SF_DNS] = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\t"
               "qclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\t"
               "answers\tTTLs\trejected",
    [SF_SSL] = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tcurve\t"
               "server_name\tresumed\tlast_alert\tnext_protocol\testablished\tssl_history\t"
               "cert_chain_fps\tclient_cert_chain_fps\tsni_matches_cert\tja3\tja3s",
};

static const char *const types[SF_N] = {
    [SF_CONN] = "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
                "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]",
    [SF_DNS] = "time\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\t"
               "string\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\t"
               "vector[string]\tvector[interval]\tbool",
    [SF_SSL] = "time\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tbool\t"
               "string\tstring\tbool\tstring\tvector[string]\tvector[string]\tbool\tstring\t"
               "string",
};

static const char *const paths[SF_N] = {"conn", "dns", "ssl", NULL};

void sim_ip4(uint32_t a, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

void sim_uid(uint64_t uid, uint64_t seed, char out[19])
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint64_t a = sim_mix(uid ^ seed), b = sim_mix(a);

	out[0] = 'C';
	for (int i = 1; i < 18; i++) {
		uint64_t *w = i < 10 ? &a : &b;

		out[i] = b62[*w % 62];
		*w /= 62;
	}
	out[18] = '\0';
}

static void zeek_time(struct strbuf *b, int64_t us)
{
	strbuf_addf(b, "%lld.%06lld", (long long)(us / 1000000), (long long)(us % 1000000));
}

static void stamp(struct strbuf *b, const char *what, int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d-%H-%M-%S", &tm);
	strbuf_addf(b, "#%s\t%s\n", what, buf);
}

void sim_zeek_header(struct strbuf *b, enum sim_file f, int64_t open_ts, unsigned *lines)
{
	strbuf_addf(b,
	            "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
	            "#unset_field\t-\n#path\t%s\n",
	            paths[f]);
	stamp(b, "open", open_ts);
	strbuf_addf(b, "#fields\t%s\n#types\t%s\n", fields[f], types[f]);
	*lines = 8;
}

void sim_zeek_close(struct strbuf *b, int64_t close_ts)
{
	stamp(b, "close", close_ts);
}

static int is_local(uint32_t a)
{
	return a >> 24 == 10;
}

static const char *service(const struct sim_rec *x)
{
	uint16_t p = x->inbound ? x->lport : x->rport;

	if (x->proto == 17)
		return p == 53 ? "dns" : "-";
	if (x->state != ST_SF && x->state != ST_RSTO)
		return "-";
	switch (p) {
	case 443:
	case 8443: return "ssl";
	case 80: return "http";
	case 22: return "ssh";
	case 3389: return "rdp";
	}
	return "-";
}

static void conn(struct strbuf *b, const struct sim_rec *x)
{
	static const char *const st[ST_N] = {"SF", "S0", "REJ", "RSTO"};
	static const char *const hist[ST_N] = {"ShADadFf", "S", "Sr", "ShADadR"};
	uint32_t o = x->inbound ? x->remote : x->local, r = x->inbound ? x->local : x->remote;
	unsigned hdr = x->proto == 6 ? 52 : 28;
	unsigned op = 1, rp = 0, oip, rip;

	strbuf_addf(b, "\t%s\t%s\t", x->proto == 6 ? "tcp" : "udp", service(x));
	if (x->state == ST_S0) {
		strbuf_adds(b, "-\t-\t-\t");
		oip = 44, rip = 0;
	} else {
		if (x->state == ST_REJ || x->proto == 17)
			rp = 1;
		else
			op = 4 + x->obytes / 1400, rp = 3 + x->rbytes / 1400;
		strbuf_addf(b, "%u.%06u\t%u\t%u\t", x->dur_us / 1000000, x->dur_us % 1000000,
		            x->obytes, x->rbytes);
		oip = x->obytes + op * hdr, rip = x->rbytes + rp * (x->state == ST_REJ ? 40 : hdr);
	}
	strbuf_addf(b, "%s\t%s\t%s\t0\t%s\t%u\t%u\t%u\t%u\t-\n", st[x->state],
	            is_local(o) ? "T" : "F", is_local(r) ? "T" : "F",
	            x->proto == 17 ? "Dd" : hist[x->state], op, oip, rp, rip);
}

static void dns(struct strbuf *b, const struct sim_rec *x)
{
	char a[16];

	strbuf_addf(b, "\tudp\t%u\t%u.%06u\t%s\t1\tC_INTERNET\t1\tA\t", x->obytes & 0xffff,
	            x->dur_us / 1000000, x->dur_us % 1000000, x->domain);
	if (x->answer) {
		sim_ip4(x->answer, a);
		strbuf_addf(b, "0\tNOERROR\tF\tF\tT\tT\t0\t%s\t300.000000\tF\n", a);
	} else {
		strbuf_adds(b, "3\tNXDOMAIN\tF\tF\tT\tT\t0\t-\t-\tF\n");
	}
}

static void ssl(struct strbuf *b, const struct sim_rec *x)
{
	const struct sim_tls *t = &sim_tls[x->tls];
	char fp[65];

	if (t->cert) {
		memcpy(fp, t->cert, 65);
	} else { /* a site's certificate: the same for every visit */
		uint8_t d[32];
		char name[300];

		snprintf(name, sizeof(name), "detente-sim cert %s", x->domain ? x->domain : "");
		dt_sha256(d, name, strlen(name));
		dt_hex_encode(d, 32, fp);
	}
	strbuf_addf(b, "\t%s\t%s\t%s\t%s\tF\t-\t-\tT\tCsxknGIi\t%s\t(empty)\t%s\t%s\t%s\n",
	            t->version, t->cipher, strstr(t->cipher, "ECDHE") ? "secp256r1" : "-",
	            x->domain ? x->domain : "-", fp, x->domain ? "T" : "-", t->ja3, t->ja3s);
}

void sim_zeek_rec(struct strbuf *b, const struct sim_rec *x, uint64_t seed)
{
	char uid[19], o[16], r[16];

	sim_uid(x->uid, seed, uid);
	sim_ip4(x->inbound ? x->remote : x->local, o);
	sim_ip4(x->inbound ? x->local : x->remote, r);
	zeek_time(b, x->ts);
	strbuf_addf(b, "\t%s\t%s\t%u\t%s\t%u", uid, o, x->inbound ? x->rport : x->lport, r,
	            x->inbound ? x->lport : x->rport);
	switch (x->file) {
	case SF_CONN: conn(b, x); break;
	case SF_DNS: dns(b, x); break;
	case SF_SSL: ssl(b, x); break;
	}
}
