/*
 * test_zeek.c — the Zeek parser (ingest/parsers.h, ingest_zeek): every log
 * of ../shared/corpus/zeek parsed with no reject and exact counts (data
 * lines counted here independently), known values of the first lines,
 * hand-made TSV with bad lines (rejected with their line numbers, the rest
 * kept), several header blocks, another separator, Zeek JSON, exact
 * microsecond times, and refusal of what is not a Zeek log.
 */
#include "testhelp.h"

#include <dirent.h>
#include <stdbool.h>
#include <zlib.h>

#include "ingest/formats.h"

#define KEEP   16
#define STRMAX 512

/* A copy of one event, its strings NUL-terminated. */
struct got {
	struct event ev;
	char uid[STRMAX], signature[STRMAX], domain[STRMAX], url[STRMAX], user_agent[STRMAX];
	char ja3[STRMAX], ja3s[STRMAX], cert_sha1[STRMAX], cert_sha256[STRMAX];
	char md5[STRMAX], sha1[STRMAX], sha256[STRMAX], service[STRMAX], state[STRMAX];
};

struct run {
	struct got got[KEEP];
	size_t n;
	struct dt_diag warns[KEEP];
	size_t nwarn;
	struct ingest_counts c;
	struct dt_diag diag;
	enum dt_err err;
};

static void cp(char *dst, struct dt_str s)
{
	size_t n = s.len < STRMAX - 1 ? s.len : STRMAX - 1;

	if (n)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static enum dt_err keep_sink(void *ctx, const struct event *ev)
{
	struct run *r = ctx;
	struct got *g;

	if (r->n == KEEP)
		return DT_OK;
	g = &r->got[r->n++];
	g->ev = *ev;
	cp(g->uid, ev->uid);
	cp(g->signature, ev->signature);
	cp(g->domain, ev->domain);
	cp(g->url, ev->url);
	cp(g->user_agent, ev->user_agent);
	cp(g->ja3, ev->ja3);
	cp(g->ja3s, ev->ja3s);
	cp(g->cert_sha1, ev->cert_sha1);
	cp(g->cert_sha256, ev->cert_sha256);
	cp(g->md5, ev->md5);
	cp(g->sha1, ev->sha1);
	cp(g->sha256, ev->sha256);
	cp(g->service, ev->service);
	cp(g->state, ev->state);
	return DT_OK;
}

static void keep_warn(void *ctx, const struct dt_diag *d)
{
	struct run *r = ctx;

	if (r->nwarn < KEEP)
		r->warns[r->nwarn++] = *d;
}

static struct run *parse(const char *name, const char *text, size_t len)
{
	struct run *r = calloc(1, sizeof(*r));

	if (r == NULL)
		abort();
	r->err =
	    ingest_mem(ingest_zeek, name, text, len, keep_sink, r, keep_warn, r, &r->c, &r->diag);
	return r;
}

static struct run *parse_str(const char *text)
{
	return parse("t.log", text, strlen(text));
}

static char *ip_str(const struct dt_ip *ip, char *buf)
{
	dt_ip_format(ip, buf);
	return buf;
}

/* ---- corpus ------------------------------------------------------------ */

static char *gunzip(const char *path, size_t *len)
{
	gzFile f = gzopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	int k;

	if (f == NULL || buf == NULL) {
		free(buf);
		if (f)
			gzclose(f);
		return NULL;
	}
	while ((k = gzread(f, buf + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)k;
		if (n == cap) {
			char *p = realloc(buf, cap *= 2);

			if (p == NULL)
				abort();
			buf = p;
		}
	}
	gzclose(f);
	if (k < 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static void test_corpus_all(void)
{
	char dir[1024], path[1400];
	DIR *d;
	struct dirent *de;
	int files = 0;

	snprintf(dir, sizeof(dir), "%s/zeek", th_corpus());
	d = opendir(dir);
	if (d == NULL)
		SKIP("no Zeek corpus at %s", dir);
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name), len = 0;
		uint64_t data = 0, hash = 0;
		struct run *r;
		char *buf;

		if (nl < 8 || strcmp(de->d_name + nl - 7, ".log.gz") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		buf = gunzip(path, &len);
		CHECKF(buf != NULL, "cannot read %s", path);
		if (buf == NULL)
			continue;
		/* count the lines independently: '#' lines and the others */
		for (size_t i = 0; i < len;) {
			const char *eol = memchr(buf + i, '\n', len - i);
			size_t n = eol ? (size_t)(eol - (buf + i)) : len - i;

			if (n > 0 && buf[i] == '#')
				hash++;
			else if (n > 0)
				data++;
			i += n + 1;
		}
		r = parse(de->d_name, buf, len);
		CHECKF(r->err == DT_OK, "%s: %s", de->d_name, r->diag.msg);
		CHECKF(r->c.rejected == 0, "%s: %llu rejected, first: line %lu: %s", de->d_name,
		       (unsigned long long)r->c.rejected, r->nwarn ? r->warns[0].line : 0,
		       r->nwarn ? r->warns[0].msg : "");
		CHECKF(r->c.records == data, "%s: %llu records, %llu data lines", de->d_name,
		       (unsigned long long)r->c.records, (unsigned long long)data);
		CHECKF(r->c.events == data, "%s: %llu events", de->d_name,
		       (unsigned long long)r->c.events);
		CHECKF(r->c.ignored == hash, "%s: %llu ignored, %llu header lines", de->d_name,
		       (unsigned long long)r->c.ignored, (unsigned long long)hash);
		free(r);
		free(buf);
		files++;
	}
	closedir(d);
	CHECKF(files >= 8, "only %d Zeek logs in the corpus", files);
}

/* The first event of a corpus log (NULL, and the test skips, without it). */
static struct run *corpus_log(const char *file)
{
	char path[1400];
	size_t len = 0;
	char *buf;
	struct run *r;

	snprintf(path, sizeof(path), "%s/zeek/%s", th_corpus(), file);
	buf = gunzip(path, &len);
	if (buf == NULL)
		return NULL;
	r = parse(file, buf, len);
	free(buf);
	return r;
}

static void test_corpus_ssl(void)
{
	char b1[DT_IP_STRLEN], b2[DT_IP_STRLEN];
	struct run *r = corpus_log("ssl.log.gz");
	struct got *g;

	if (r == NULL)
		SKIP("no %s/zeek/ssl.log.gz", th_corpus());
	g = &r->got[0];
	CHECK(r->n == KEEP);
	CHECK(g->ev.record == 9);
	CHECK(g->ev.ts_us == 1521911720615923LL);
	CHECK(g->ev.has_src && g->ev.has_dst);
	CHECKF(strcmp(ip_str(&g->ev.src, b1), "10.164.94.120") == 0, "src %s", b1);
	CHECKF(strcmp(ip_str(&g->ev.dst, b2), "10.47.3.200") == 0, "dst %s", b2);
	CHECK(g->ev.sport == 39611 && g->ev.dport == 443);
	CHECK(strcmp(g->ev.kind, EVENT_TLS) == 0);
	CHECK(strcmp(g->uid, "CmC9kY1X0u9nP78KZc") == 0);
	CHECK(strcmp(g->cert_sha256,
	             "b2dafbcdbc75210672f137f27ce882ccb799887631655d4f11191d5a678e44fe") == 0);
	CHECK(g->cert_sha1[0] == '\0');
	CHECK(g->domain[0] == '\0'); /* server_name unset */
	CHECK(g->ev.proto == -1 && g->ev.duration_us == -1 && g->ev.orig_bytes == -1);
	free(r);
}

static void test_corpus_others(void)
{
	struct run *r;

	if ((r = corpus_log("dns.log.gz")) == NULL)
		SKIP("no %s/zeek/dns.log.gz", th_corpus());
	CHECK(strcmp(r->got[0].ev.kind, EVENT_DNS) == 0);
	CHECK(strcmp(r->got[0].domain, "ise.wrccdc.org") == 0);
	CHECK(r->got[0].ev.proto == 17 && r->got[0].ev.dport == 53);
	CHECK(r->got[0].ev.ts_us == 1521911720865716LL);
	free(r);

	if ((r = corpus_log("notice.log.gz")) == NULL)
		SKIP("no notice.log.gz");
	CHECK(strcmp(r->got[0].ev.kind, EVENT_NOTICE) == 0);
	CHECKF(strncmp(r->got[0].signature,
	               "SSL::Invalid_Server_Cert: SSL certificate validation failed", 59) == 0,
	       "signature '%s'", r->got[0].signature);
	CHECK(r->got[0].ev.has_src && r->got[0].ev.dport == 443 && r->got[0].ev.proto == 6);
	free(r);

	if ((r = corpus_log("x509.log.gz")) == NULL)
		SKIP("no x509.log.gz");
	CHECK(strcmp(r->got[0].ev.kind, EVENT_X509) == 0);
	CHECK(strcmp(r->got[0].cert_sha256,
	             "b2dafbcdbc75210672f137f27ce882ccb799887631655d4f11191d5a678e44fe") == 0);
	CHECK(!r->got[0].ev.has_src && !r->got[0].ev.has_dst);
	free(r);

	if ((r = corpus_log("weird.log.gz")) == NULL)
		SKIP("no weird.log.gz");
	CHECK(strcmp(r->got[0].ev.kind, EVENT_OTHER) == 0);
	CHECK(strcmp(r->got[0].signature, "TCP_ack_underflow_or_misorder") == 0);
	free(r);

	if ((r = corpus_log("ssh.log.gz")) == NULL)
		SKIP("no ssh.log.gz");
	CHECK(strcmp(r->got[0].ev.kind, EVENT_SSH) == 0 && r->got[0].ev.dport == 22);
	free(r);

	if ((r = corpus_log("smtp.log.gz")) == NULL)
		SKIP("no smtp.log.gz");
	CHECK(strcmp(r->got[0].ev.kind, EVENT_SMTP) == 0 && r->got[0].ev.dport == 25);
	free(r);

	if ((r = corpus_log("rdp.log.gz")) == NULL)
		SKIP("no rdp.log.gz");
	CHECK(strcmp(r->got[0].ev.kind, EVENT_OTHER) == 0 && r->got[0].ev.dport == 3389);
	free(r);
}

/* ---- hand-made TSV ----------------------------------------------------- */

#define HDR(path, fields, types)                                                                   \
	"#separator "                                                                              \
	"\\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t" path           \
	"\n#open\t2024-01-01-00-00-00\n#fields\t" fields "\n#types\t" types "\n"

#define CONN_HDR                                                                                   \
	HDR("conn",                                                                                \
	    "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"      \
	    "orig_bytes\tresp_bytes\tconn_state\torig_pkts\tresp_pkts",                            \
	    "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\t" \
	    "count\tcount")

static void test_tsv_conn(void)
{
	char b[DT_IP_STRLEN];
	struct run *r = parse_str(
	    CONN_HDR
	    "1700000000.000001\tC1\t192.0.2.1\t5000\t2001:db8::1\t443\ttcp\tssl\t1."
	    "5\t10\t20\tSF\t3\t4\n"
	    "1700000001.5\tC2\t192.0.2.1\t5001\t198.51.100.7\t53\tudp\tdns\t-\t-\t-\tS0\t-\t-\n"
	    "#close\t2024-01-01-00-00-01\n");
	struct got *g = &r->got[0];

	CHECK(r->err == DT_OK);
	CHECK(r->c.records == 2 && r->c.events == 2 && r->c.rejected == 0 && r->c.ignored == 9);
	CHECK(g->ev.record == 9 && r->got[1].ev.record == 10);
	CHECK(strcmp(g->ev.kind, EVENT_FLOW) == 0);
	CHECK(g->ev.ts_us == 1700000000000001LL);
	CHECK(strcmp(ip_str(&g->ev.dst, b), "2001:db8::1") == 0 && g->ev.dst.family == DT_IP_V6);
	CHECK(g->ev.proto == 6 && g->ev.sport == 5000 && g->ev.dport == 443);
	CHECK(strcmp(g->service, "ssl") == 0 && strcmp(g->state, "SF") == 0);
	CHECK(g->ev.duration_us == 1500000);
	CHECK(g->ev.orig_bytes == 10 && g->ev.resp_bytes == 20);
	CHECK(g->ev.orig_pkts == 3 && g->ev.resp_pkts == 4);
	g = &r->got[1];
	CHECK(g->ev.ts_us == 1700000001500000LL && g->ev.proto == 17);
	CHECK(g->ev.duration_us == -1 && g->ev.orig_bytes == -1 && g->ev.resp_pkts == -1);
	free(r);
}

static void test_tsv_bad_lines(void)
{
	struct run *r = parse_str(
	    CONN_HDR
	    "1700000000.1\tC1\t192.0.2.1\t5000\t192.0.2.2\t80\ttcp\t-\t-\t-\t-\tSF\t-\t-\n"
	    "1700000000.2\tC2\t192.0.2.300\t5000\t192.0.2.2\t80\ttcp\t-\t-\t-\t-\tSF\t-\t-\n"
	    "1700000000.3\tC3\t192.0.2.1\t5000\n"
	    "17000x0000.4\tC4\t192.0.2.1\t5000\t192.0.2.2\t80\ttcp\t-\t-\t-\t-\tSF\t-\t-\n"
	    "1700000000.5\tC5\t192.0.2.1\t65536\t192.0.2.2\t80\ttcp\t-\t-\t-\t-\tSF\t-\t-\n"
	    "1700000000.6\tC6\t192.0.2.1\t5000\t192.0.2.2\t80\ttcp\t-\tx\t-\t-\tSF\t-\t-\n"
	    "1700000000.7\tC7\t192.0.2.1\t5000\t192.0.2.2\t80\ttcp\t-\t-\t-\t-\tSF\t-\t-\t-\n"
	    "-\tC8\t192.0.2.1\t5000\t192.0.2.2\t80\ttcp\t-\t-\t-\t-\tSF\t-\t-\n"
	    "1700000000.9\tC9\t192.0.2.1\t5000\t192.0.2.2\t80\ttcp\t-\t-\t-\t-\tSF\t-\t-");

	CHECK(r->err == DT_OK);
	CHECKF(r->c.records == 9 && r->c.events == 2 && r->c.rejected == 7,
	       "records %llu events %llu rejected %llu", (unsigned long long)r->c.records,
	       (unsigned long long)r->c.events, (unsigned long long)r->c.rejected);
	CHECK(r->n == 2 && strcmp(r->got[0].uid, "C1") == 0 && strcmp(r->got[1].uid, "C9") == 0);
	CHECK(r->got[1].ev.record == 17);
	CHECK(r->nwarn == 7);
	for (size_t i = 0; i < r->nwarn; i++) {
		CHECKF(r->warns[i].line == 10 + i, "warning %zu on line %lu", i, r->warns[i].line);
		CHECK(strcmp(r->warns[i].file, "t.log") == 0);
	}
	CHECKF(strstr(r->warns[0].msg, "id.orig_h '192.0.2.300'") != NULL, "%s", r->warns[0].msg);
	CHECKF(strstr(r->warns[1].msg, "expected 14 fields, found 4") != NULL, "%s",
	       r->warns[1].msg);
	CHECKF(strstr(r->warns[2].msg, "bad ts") != NULL, "%s", r->warns[2].msg);
	CHECKF(strstr(r->warns[3].msg, "id.orig_p '65536'") != NULL, "%s", r->warns[3].msg);
	CHECKF(strstr(r->warns[4].msg, "duration") != NULL, "%s", r->warns[4].msg);
	CHECKF(strstr(r->warns[5].msg, "found 15") != NULL, "%s", r->warns[5].msg);
	CHECKF(strstr(r->warns[6].msg, "no ts") != NULL, "%s", r->warns[6].msg);
	free(r);
}

/* Two blocks in one file, the second with other columns in another order. */
static void test_tsv_blocks(void)
{
	struct run *r = parse_str(HDR(
	    "dns", "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery",
	    "time\tstring\taddr\tport\taddr\tport\tenum\tstring") "1.000001\tD1\t10.0.0."
	                                                          "1\t1000\t10.0.0."
	                                                          "53\t53\tudp\texample.org\n"
	                                                          "#close\tx\n" HDR(
	                                                              "http",
	                                                              "uri\tuser_agent\thost\tid."
	                                                              "resp_p\tid.resp_h\tts\tid."
	                                                              "orig_h\tid.orig_p\tuid",
	                                                              "string\tstring\tstring\tport"
	                                                              "\taddr\ttime\taddr\tport\tst"
	                                                              "ring") "/a?b=1\tcurl/"
	                                                                      "8\twww.example."
	                                                                      "com\t80\t10.0.0."
	                                                                      "80\t2.5\t10.0.0."
	                                                                      "1\t1001\tH1\n"
	                                                                      "http://"
	                                                                      "proxy.example/"
	                                                                      "x\t-\t-\t8080\t10.0."
	                                                                      "0.80\t3\t10.0.0."
	                                                                      "1\t1002\tH2\n"
	                                                                      "x\t(empty)\th."
	                                                                      "example\t80\t10.0.0."
	                                                                      "80\t0.1\t10.0.0."
	                                                                      "1\t1003\tH3\n");

	CHECK(r->err == DT_OK && r->c.rejected == 0 && r->c.events == 4);
	CHECK(strcmp(r->got[0].ev.kind, EVENT_DNS) == 0 && r->got[0].ev.ts_us == 1000001);
	CHECK(strcmp(r->got[0].domain, "example.org") == 0);
	CHECK(strcmp(r->got[1].ev.kind, EVENT_HTTP) == 0);
	CHECK(r->got[1].ev.ts_us == 2500000 && r->got[1].ev.dport == 80);
	CHECK(strcmp(r->got[1].url, "http://www.example.com/a?b=1") == 0);
	CHECK(strcmp(r->got[1].domain, "www.example.com") == 0);
	CHECK(strcmp(r->got[1].user_agent, "curl/8") == 0);
	CHECK(strcmp(r->got[1].uid, "H1") == 0);
	CHECK(strcmp(r->got[2].url, "http://proxy.example/x") == 0 && r->got[2].domain[0] == 0);
	CHECK(r->got[2].ev.ts_us == 3000000);
	CHECK(strcmp(r->got[3].url, "http://h.example/x") == 0);
	CHECK(r->got[3].user_agent[0] == '\0' && r->got[3].ev.ts_us == 100000);
	free(r);
}

/* Another separator and unset marker; files, intel, notice by src/dst. */
static void test_tsv_other_separator(void)
{
	struct run *r = parse_str(
	    "#separator \\x7c\n#set_separator|;\n#empty_field|EMPTY\n#unset_field|NONE\n"
	    "#path|files\n#fields|ts|fuid|tx_hosts|rx_hosts|md5|sha1|sha256\n"
	    "#types|time|string|set[addr]|set[addr]|string|string|string\n"
	    "10|F1|192.0.2.9;192.0.2.10|192.0.2.20|d41d8cd98f00b204e9800998ecf8427e|NONE|EMPTY\n"
	    "#separator \\x09\n#path\tintel\n#fields\tts\tseen.indicator\tseen.indicator_type\n"
	    "11\tevil.example\tIntel::DOMAIN\n"
	    "12\thttp://evil.example/x\tIntel::URL\n"
	    "#path\tnotice\n#fields\tts\tnote\tmsg\tsrc\tdst\tp\n"
	    "13\tScan::Port_Scan\t-\t192.0.2.1\t192.0.2.2\t22\n");
	char b[DT_IP_STRLEN];

	CHECKF(r->err == DT_OK && r->c.rejected == 0 && r->c.events == 4, "%s / %s", r->diag.msg,
	       r->nwarn ? r->warns[0].msg : "");
	CHECK(strcmp(r->got[0].ev.kind, EVENT_FILE) == 0 && strcmp(r->got[0].uid, "F1") == 0);
	CHECK(r->got[0].ev.has_src && strcmp(ip_str(&r->got[0].ev.src, b), "192.0.2.9") == 0);
	CHECK(r->got[0].ev.has_dst && strcmp(ip_str(&r->got[0].ev.dst, b), "192.0.2.20") == 0);
	CHECK(strcmp(r->got[0].md5, "d41d8cd98f00b204e9800998ecf8427e") == 0);
	CHECK(r->got[0].sha1[0] == '\0' && r->got[0].sha256[0] == '\0');
	CHECK(strcmp(r->got[1].ev.kind, EVENT_ALERT) == 0);
	CHECK(strcmp(r->got[1].domain, "evil.example") == 0 && r->got[1].url[0] == '\0');
	CHECK(strcmp(r->got[2].url, "http://evil.example/x") == 0 && r->got[2].domain[0] == 0);
	CHECK(strcmp(r->got[3].ev.kind, EVENT_NOTICE) == 0);
	CHECK(strcmp(r->got[3].signature, "Scan::Port_Scan") == 0);
	CHECK(r->got[3].ev.has_src && r->got[3].ev.has_dst && r->got[3].ev.dport == 22);
	free(r);
}

static void test_times(void)
{
	static const struct {
		const char *ts;
		long long us; /* -1: rejected */
	} t[] = {
	    {"1521911720.615923", 1521911720615923LL},
	    {"0.1", 100000},
	    {"1", 1000000},
	    {"1.0000019", 1000001},
	    {"999999999999.999999", 999999999999999999LL},
	    {"2018-03-24T17:15:20.615923Z", 1521911720615923LL},
	    {"2018-03-24T19:15:20.615923+02:00", 1521911720615923LL},
	    {"1970-01-01T00:00:00Z", 0},
	    {"1.", -1},
	    {".5", -1},
	    {"1e9", -1},
	    {"-1.0", -1},
	    {"1000000000000", -1},
	    {"17000123456789021340.5", -1},
	    {"2018-13-24T17:15:20Z", -1},
	};
	char buf[512];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct run *r;

		snprintf(buf, sizeof(buf), "#fields\tts\n%s\n", t[i].ts);
		r = parse_str(buf);
		CHECK(r->err == DT_OK);
		if (t[i].us < 0)
			CHECKF(r->c.rejected == 1, "%s accepted", t[i].ts);
		else
			CHECKF(r->n == 1 && r->got[0].ev.ts_us == t[i].us, "%s -> %lld", t[i].ts,
			       r->n ? (long long)r->got[0].ev.ts_us : -1);
		free(r);
	}
}

/* ---- JSON -------------------------------------------------------------- */

static void test_json(void)
{
	char b[DT_IP_STRLEN];
	struct run *r = parse_str(
	    "{\"_path\":\"conn\",\"ts\":1521911720.615923,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0."
	    "1\","
	    "\"id.orig_p\":5000,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":443,\"proto\":\"tcp\","
	    "\"duration\":0.25,\"orig_bytes\":100,\"conn_state\":\"SF\"}\n"
	    "\n"
	    "{\"ts\":\"2018-03-24T17:15:20.000001Z\",\"uid\":\"D1\",\"id\":{\"orig_h\":\"::1\","
	    "\"orig_p\":53000,\"resp_h\":\"10.0.0.53\",\"resp_p\":53},\"proto\":\"udp\","
	    "\"query\":\"example.org\"}\n"
	    "{\"ts\":1521911720,\"server_name\":\"tls.example\",\"ja3\":\"abc\","
	    "\"cert_chain_fps\":[\"0123456789012345678901234567890123456789\",\"ff\"]}\n"
	    "{\"ts\":1, \"id.orig_h\":\"not-an-address\"}\n"
	    "{\"ts\":1,\n"
	    "[1,2]\n"
	    "{\"_path\":\"weird\",\"ts\":2,\"name\":\"bad_checksum\"}\n");

	CHECKF(r->err == DT_OK, "%s", r->diag.msg);
	CHECKF(r->c.records == 7 && r->c.events == 4 && r->c.rejected == 3 && r->c.ignored == 1,
	       "records %llu events %llu rejected %llu", (unsigned long long)r->c.records,
	       (unsigned long long)r->c.events, (unsigned long long)r->c.rejected);
	CHECK(strcmp(r->got[0].ev.kind, EVENT_FLOW) == 0);
	CHECK(r->got[0].ev.ts_us == 1521911720615923LL);
	CHECK(r->got[0].ev.sport == 5000 && r->got[0].ev.dport == 443 && r->got[0].ev.proto == 6);
	CHECK(r->got[0].ev.duration_us == 250000 && r->got[0].ev.orig_bytes == 100);
	CHECK(r->got[0].ev.resp_bytes == -1 && strcmp(r->got[0].state, "SF") == 0);
	CHECK(strcmp(r->got[1].ev.kind, EVENT_DNS) == 0 && r->got[1].ev.record == 3);
	CHECK(r->got[1].ev.ts_us == 1521911720000001LL);
	CHECK(r->got[1].ev.has_src && strcmp(ip_str(&r->got[1].ev.src, b), "::1") == 0);
	CHECK(r->got[1].ev.dport == 53 && strcmp(r->got[1].domain, "example.org") == 0);
	CHECK(strcmp(r->got[2].ev.kind, EVENT_TLS) == 0);
	CHECK(strcmp(r->got[2].domain, "tls.example") == 0 && strcmp(r->got[2].ja3, "abc") == 0);
	CHECK(strcmp(r->got[2].cert_sha1, "0123456789012345678901234567890123456789") == 0);
	CHECK(strcmp(r->got[3].ev.kind, EVENT_OTHER) == 0);
	CHECK(strcmp(r->got[3].signature, "bad_checksum") == 0);
	CHECK(r->nwarn == 3 && r->warns[0].line == 5 && r->warns[1].line == 6 &&
	      r->warns[2].line == 7);
	CHECKF(strstr(r->warns[0].msg, "id.orig_h 'not-an-address'") != NULL, "%s",
	       r->warns[0].msg);
	free(r);
}

/* ---- refusals ---------------------------------------------------------- */

static void test_not_zeek(void)
{
	static const char *const bad[] = {
	    "",
	    "\n\n",
	    "hello world\n",
	    "1521911720.1\tC1\t10.0.0.1\n",
	    "# a comment\n",
	    "start,end,country\n1.0.0.0,1.0.0.255,AU\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run *r = parse_str(bad[i]);

		CHECKF(r->err == DT_EFORMAT, "input %zu: err %d", i, r->err);
		CHECKF(strncmp(r->diag.msg, "not a Zeek log: ", 16) == 0, "'%s'", r->diag.msg);
		CHECK(strcmp(r->diag.file, "t.log") == 0);
		CHECK(r->c.events == 0);
		free(r);
	}
}

static enum dt_err failing_sink(void *ctx, const struct event *ev)
{
	(void)ctx;
	return ev->record == 3 ? DT_EIO : DT_OK;
}

static void test_sink_error(void)
{
	const char *text = "#fields\tts\n1\n2\n3\n";
	struct ingest_counts c = {0};
	struct dt_diag d;
	enum dt_err err = ingest_mem(ingest_zeek, "t.log", text, strlen(text), failing_sink, NULL,
	                             NULL, NULL, &c, &d);

	CHECK(err == DT_EIO);
	CHECK(c.events == 1 && d.line == 3);
}

int main(void)
{
	RUN(test_corpus_all);
	RUN(test_corpus_ssl);
	RUN(test_corpus_others);
	RUN(test_tsv_conn);
	RUN(test_tsv_bad_lines);
	RUN(test_tsv_blocks);
	RUN(test_tsv_other_separator);
	RUN(test_times);
	RUN(test_json);
	RUN(test_not_zeek);
	RUN(test_sink_error);
	DONE();
}
