/*
 * test_eve.c — the Suricata EVE parser (ingest/parsers.h): the reference
 * fileinfo record of the shared corpus field by field, hand-made lines of
 * every mapped event type, time zone offsets, malformed lines reported with
 * their numbers while the rest is kept, and refusal of input that is not
 * EVE at all.
 */
#include "testhelp.h"

#include "ingest/formats.h"

#define MAX_EV   16
#define MAX_WARN 16

/* An event as the sink copied it (its strings die when the sink returns). */
struct got {
	struct event ev;
	char kind[16], uid[32], signature[128], domain[128], url[256], user_agent[128];
	char ja3[64], ja3s[64], cert_sha1[64], md5[64], sha1[64], sha256[80];
	char service[32], state[32];
};

static struct got got[MAX_EV];
static size_t ngot;
static struct dt_diag warns[MAX_WARN];
static size_t nwarn;
static enum dt_err sink_err;

static void copy(char *dst, size_t size, struct dt_str s)
{
	snprintf(dst, size, "%.*s", (int)s.len, s.p ? s.p : "");
}

static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct got *g;

	(void)ctx;
	if (sink_err)
		return sink_err;
	if (ngot == MAX_EV)
		return DT_OK;
	g = &got[ngot++];
	g->ev = *ev;
	snprintf(g->kind, sizeof(g->kind), "%s", ev->kind);
	copy(g->uid, sizeof(g->uid), ev->uid);
	copy(g->signature, sizeof(g->signature), ev->signature);
	copy(g->domain, sizeof(g->domain), ev->domain);
	copy(g->url, sizeof(g->url), ev->url);
	copy(g->user_agent, sizeof(g->user_agent), ev->user_agent);
	copy(g->ja3, sizeof(g->ja3), ev->ja3);
	copy(g->ja3s, sizeof(g->ja3s), ev->ja3s);
	copy(g->cert_sha1, sizeof(g->cert_sha1), ev->cert_sha1);
	copy(g->md5, sizeof(g->md5), ev->md5);
	copy(g->sha1, sizeof(g->sha1), ev->sha1);
	copy(g->sha256, sizeof(g->sha256), ev->sha256);
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

/* Parses text as "test.json"; counts in *c, the result returned. */
static enum dt_err run(const char *text, struct ingest_counts *c, struct dt_diag *d)
{
	struct dt_diag local;

	ngot = nwarn = 0;
	memset(got, 0, sizeof(got));
	memset(c, 0, sizeof(*c));
	dt_diag_clear(d ? d : &local);
	return ingest_mem(ingest_eve, "test.json", text, strlen(text), sink, NULL, warn, NULL, c,
	                  d ? d : &local);
}

static const char *ip(const struct dt_ip *a)
{
	static char buf[4][DT_IP_STRLEN];
	static int k;

	k = (k + 1) % 4;
	dt_ip_format(a, buf[k]);
	return buf[k];
}

/* One line of the given type with the common fields, and extra members. */
#define LINE(type, extra)                                                                          \
	"{\"timestamp\":\"2020-01-02T03:04:05.123456+0000\",\"flow_id\":1234567890123,"            \
	"\"event_type\":\"" type "\",\"src_ip\":\"10.0.0.1\",\"src_port\":51000,"                  \
	"\"dest_ip\":\"2001:db8::1\",\"dest_port\":443,\"proto\":\"TCP\"" extra "}\n"

/* 2020-01-02T03:04:05.123456Z */
#define TS_2020 1577934245123456LL

static void test_corpus_fileinfo(void)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;
	struct ingest_counts c;
	struct dt_diag d;
	enum dt_err err;

	snprintf(path, sizeof(path), "%s/suricata/eve-fileinfo.json", th_corpus());
	if ((f = fopen(path, "rb")) == NULL)
		SKIP("%s is absent", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	CHECK(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	if (!buf)
		return;
	ngot = nwarn = 0;
	memset(&c, 0, sizeof(c));
	err = ingest_mem(ingest_eve, "eve-fileinfo.json", buf, (size_t)n, sink, NULL, warn, NULL,
	                 &c, &d);
	free(buf);
	CHECK(err == DT_OK);
	CHECK(c.records == 1 && c.events == 1 && c.rejected == 0 && c.ignored == 0);
	CHECK(nwarn == 0);
	CHECK(ngot == 1);
	if (ngot != 1)
		return;
	CHECK(got[0].ev.ts_us == 1465416112875791LL);
	CHECK(got[0].ev.has_src && strcmp(ip(&got[0].ev.src), "188.40.238.250") == 0);
	CHECK(got[0].ev.sport == 80);
	CHECK(got[0].ev.has_dst && strcmp(ip(&got[0].ev.dst), "10.16.1.11") == 0);
	CHECK(got[0].ev.dport == 59908);
	CHECK(got[0].ev.proto == 6);
	CHECK(strcmp(got[0].kind, "file") == 0);
	CHECK(strcmp(got[0].uid, "841252990914572") == 0);
	CHECK(strcmp(got[0].domain, "www.eicar.org") == 0);
	CHECKF(strcmp(got[0].url, "http://www.eicar.org/download/eicar.com") == 0, "url %s",
	       got[0].url);
	CHECK(strcmp(got[0].user_agent, "curl/7.43.0") == 0);
	CHECK(strcmp(got[0].service, "http") == 0);
	CHECK(got[0].ev.record == 1);
}

static void test_alert(void)
{
	struct ingest_counts c;
	enum dt_err err = run(
	    LINE("alert", ",\"app_proto\":\"tls\",\"alert\":{\"action\":\"allowed\",\"gid\":1,"
	                  "\"signature_id\":2013028,\"rev\":7,\"signature\":\"ET POLICY curl "
	                  "User-Agent Outbound\",\"category\":\"Attempted Information Leak\","
	                  "\"severity\":2},\"flow\":{\"pkts_toserver\":4,\"bytes_toserver\":300}"),
	    &c, NULL);

	CHECK(err == DT_OK);
	CHECK(c.records == 1 && c.events == 1 && c.rejected == 0);
	CHECK(ngot == 1);
	CHECK(strcmp(got[0].kind, "alert") == 0);
	CHECK(got[0].ev.ts_us == TS_2020);
	CHECK(strcmp(got[0].uid, "1234567890123") == 0);
	CHECK(strcmp(got[0].signature, "ET POLICY curl User-Agent Outbound") == 0);
	CHECK(got[0].ev.signature_id == 2013028);
	CHECK(got[0].ev.severity == 2);
	CHECK(strcmp(ip(&got[0].ev.src), "10.0.0.1") == 0 && got[0].ev.sport == 51000);
	CHECK(strcmp(ip(&got[0].ev.dst), "2001:db8::1") == 0 && got[0].ev.dport == 443);
	CHECK(got[0].ev.proto == 6);
	CHECK(strcmp(got[0].service, "tls") == 0);
	CHECK(got[0].ev.orig_bytes == 300 && got[0].ev.orig_pkts == 4);
	CHECK(got[0].ev.resp_bytes == -1);
}

static void test_flow(void)
{
	struct ingest_counts c;
	enum dt_err err =
	    run(LINE("flow", ",\"app_proto\":\"failed\",\"flow\":{\"pkts_toserver\":10,"
	                     "\"pkts_toclient\":8,\"bytes_toserver\":1200,\"bytes_toclient\":5400,"
	                     "\"start\":\"2020-01-02T03:04:05.123456+0000\","
	                     "\"end\":\"2020-01-02T03:04:07.623456+0000\",\"age\":2,"
	                     "\"state\":\"closed\",\"reason\":\"timeout\"}"),
	        &c, NULL);

	CHECK(err == DT_OK && c.events == 1 && ngot == 1);
	CHECK(strcmp(got[0].kind, "flow") == 0);
	CHECK(got[0].ev.orig_bytes == 1200 && got[0].ev.resp_bytes == 5400);
	CHECK(got[0].ev.orig_pkts == 10 && got[0].ev.resp_pkts == 8);
	CHECK(got[0].ev.duration_us == 2500000);
	CHECK(strcmp(got[0].state, "closed") == 0);
	CHECK(got[0].service[0] == '\0'); /* "failed" is no service */
	CHECK(got[0].ev.signature_id == -1 && got[0].ev.severity == -1);
}

static void test_netflow(void)
{
	struct ingest_counts c;
	enum dt_err err =
	    run(LINE("netflow", ",\"netflow\":{\"pkts\":3,\"bytes\":180,"
	                        "\"start\":\"2020-01-02T03:04:05.000000+0000\","
	                        "\"end\":\"2020-01-02T03:04:06.000000+0000\",\"age\":1}"),
	        &c, NULL);

	CHECK(err == DT_OK && c.events == 1 && ngot == 1);
	CHECK(strcmp(got[0].kind, "flow") == 0);
	CHECK(got[0].ev.orig_bytes == 180 && got[0].ev.orig_pkts == 3);
	CHECK(got[0].ev.resp_bytes == -1 && got[0].ev.resp_pkts == -1);
	CHECK(got[0].ev.duration_us == 1000000);
}

static void test_dns(void)
{
	struct ingest_counts c;
	enum dt_err err = run(
	    LINE("dns", ",\"proto\":\"UDP\",\"dns\":{\"type\":\"query\",\"id\":1,"
	                "\"rrname\":\"example.com\",\"rrtype\":\"A\"}")
	        LINE("dns", ",\"dns\":{\"version\":3,\"queries\":[{\"rrname\":\"v3.example\"}]}")
	            LINE("alert", ",\"alert\":{\"signature\":\"x\"},\"dns\":{\"query\":[{"
	                          "\"rrname\":\"evil.example\",\"rrtype\":\"A\"}]}"),
	    &c, NULL);

	CHECK(err == DT_OK && c.events == 3 && ngot == 3);
	CHECK(strcmp(got[0].kind, "dns") == 0 && strcmp(got[0].domain, "example.com") == 0);
	/* the extra members follow LINE's "proto": a repeated key, the later wins */
	CHECK(got[0].ev.proto == 17);
	CHECK(strcmp(got[1].domain, "v3.example") == 0);
	CHECK(strcmp(got[2].kind, "alert") == 0 && strcmp(got[2].domain, "evil.example") == 0);
	CHECK(got[0].ev.record == 1 && got[1].ev.record == 2 && got[2].ev.record == 3);
}

static void test_http(void)
{
	struct ingest_counts c;
	enum dt_err err =
	    run(LINE("http", ",\"http\":{\"hostname\":\"www.example.org\",\"url\":\"/a?b=c\","
	                     "\"http_user_agent\":\"Mozilla/5.0\",\"status\":200}")
	            LINE("http", ",\"http\":{\"hostname\":\"proxy.example\","
	                         "\"url\":\"http://other.example/x\"}")
	                LINE("http", ",\"http\":{\"url\":\"/nohost\"}"),
	        &c, NULL);

	CHECK(err == DT_OK && c.events == 3 && ngot == 3);
	CHECK(strcmp(got[0].kind, "http") == 0);
	CHECK(strcmp(got[0].domain, "www.example.org") == 0);
	CHECK(strcmp(got[0].url, "http://www.example.org/a?b=c") == 0);
	CHECK(strcmp(got[0].user_agent, "Mozilla/5.0") == 0);
	CHECK(strcmp(got[1].url, "http://other.example/x") == 0);
	CHECK(strcmp(got[2].url, "/nohost") == 0 && got[2].domain[0] == '\0');
}

static void test_tls(void)
{
	struct ingest_counts c;
	enum dt_err err = run(
	    LINE("tls", ",\"tls\":{\"subject\":\"CN=x\",\"sni\":\"secure.example\","
	                "\"fingerprint\":\"AB:cd:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:"
	                "ef:01\",\"version\":\"TLS 1.2\",\"ja3\":{\"hash\":"
	                "\"e7d705a3286e19ea42f587b344ee6865\",\"string\":\"771,...\"},"
	                "\"ja3s\":{\"hash\":\"f4febc55ea12b31ae17cfb7e614afda8\"}}")
	        LINE("tls", ",\"tls\":{\"sni\":\"b.example\",\"fingerprint\":\"ab:cd\"}"),
	    &c, NULL);

	CHECK(err == DT_OK && c.events == 2 && ngot == 2);
	CHECK(strcmp(got[0].kind, "tls") == 0);
	CHECK(strcmp(got[0].domain, "secure.example") == 0);
	CHECK(strcmp(got[0].ja3, "e7d705a3286e19ea42f587b344ee6865") == 0);
	CHECK(strcmp(got[0].ja3s, "f4febc55ea12b31ae17cfb7e614afda8") == 0);
	CHECKF(strcmp(got[0].cert_sha1, "abcdef0123456789abcdef0123456789abcdef01") == 0, "%s",
	       got[0].cert_sha1);
	/* a fingerprint that is not a SHA-1 is left out, the event kept */
	CHECK(strcmp(got[1].domain, "b.example") == 0 && got[1].cert_sha1[0] == '\0');
}

static void test_fileinfo_hashes(void)
{
	struct ingest_counts c;
	enum dt_err err = run(
	    LINE("fileinfo", ",\"fileinfo\":{\"filename\":\"a.exe\",\"md5\":"
	                     "\"44d88612fea8a8f36de82e1278abb02f\",\"sha1\":"
	                     "\"3395856ce81f2b7382dee72602f798b642f14140\",\"sha256\":"
	                     "\"275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
	                     "\",\"size\":68}"),
	    &c, NULL);

	CHECK(err == DT_OK && c.events == 1 && ngot == 1);
	CHECK(strcmp(got[0].kind, "file") == 0);
	CHECK(strcmp(got[0].md5, "44d88612fea8a8f36de82e1278abb02f") == 0);
	CHECK(strcmp(got[0].sha1, "3395856ce81f2b7382dee72602f798b642f14140") == 0);
	CHECK(strcmp(got[0].sha256,
	             "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f") == 0);
	CHECK(got[0].url[0] == '\0' && got[0].domain[0] == '\0');
}

static void test_anomaly_ssh(void)
{
	struct ingest_counts c;
	enum dt_err err = run(
	    LINE("anomaly",
	         ",\"anomaly\":{\"type\":\"decode\",\"event\":\"ipv4.opt_pad_required\"}")
	        LINE("anomaly", ",\"anomaly\":{\"type\":\"stream\"}")
	            LINE("ssh", ",\"app_proto\":\"ssh\",\"ssh\":{\"client\":{\"proto_version\":"
	                        "\"2.0\",\"software_version\":\"OpenSSH_8.9p1\"},\"server\":{"
	                        "\"proto_version\":\"2.0\",\"software_version\":\"OpenSSH_7.4\"}}"),
	    &c, NULL);

	CHECK(err == DT_OK && c.events == 3 && ngot == 3);
	CHECK(strcmp(got[0].kind, "other") == 0);
	CHECK(strcmp(got[0].signature, "ipv4.opt_pad_required") == 0);
	CHECK(strcmp(got[1].signature, "stream") == 0);
	CHECK(strcmp(got[2].kind, "ssh") == 0);
	CHECK(strcmp(got[2].service, "ssh") == 0);
	CHECK(strcmp(got[2].user_agent, "OpenSSH_8.9p1") == 0);
}

static void test_proto_and_ignored(void)
{
	struct ingest_counts c;
	const char *text =
	    "{\"timestamp\":\"2020-01-02T03:04:05.000000+0000\",\"event_type\":\"stats\","
	    "\"stats\":{\"uptime\":10}}\n"
	    "\n"
	    "   \r\n"
	    "{\"timestamp\":\"2020-01-02T03:04:05+0000\",\"event_type\":\"flow\","
	    "\"src_ip\":\"fe80:0000:0000:0000:0000:0000:0000:0001\",\"dest_ip\":\"ff02::1\","
	    "\"proto\":\"IPv6-ICMP\",\"flow\":{}}\r\n"
	    "{\"timestamp\":\"2020-01-02T03:04:05+0000\",\"event_type\":\"flow\","
	    "\"proto\":\"47\"}\n"
	    "{\"timestamp\":\"2020-01-02T03:04:05+0000\",\"event_type\":\"flow\","
	    "\"proto\":\"ICMP\"}\n"
	    "{\"timestamp\":\"2020-01-02T03:04:05+0000\",\"event_type\":\"flow\","
	    "\"proto\":\"udp\"}\n"
	    "{\"timestamp\":\"2020-01-02T03:04:05+0000\",\"event_type\":\"flow\","
	    "\"proto\":\"nonsense\"}\n"
	    "{\"timestamp\":\"2020-01-02T03:04:05+0000\",\"event_type\":\"smtp\"}";
	enum dt_err err = run(text, &c, NULL);

	CHECK(err == DT_OK);
	CHECKF(c.records == 7 && c.events == 5 && c.ignored == 2 && c.rejected == 0,
	       "records %llu events %llu ignored %llu rejected %llu", (unsigned long long)c.records,
	       (unsigned long long)c.events, (unsigned long long)c.ignored,
	       (unsigned long long)c.rejected);
	CHECK(ngot == 5);
	CHECK(got[0].ev.proto == 58 && got[0].ev.record == 4);
	CHECK(strcmp(ip(&got[0].ev.src), "fe80::1") == 0);
	CHECK(got[0].ev.sport == -1 && got[0].ev.dport == -1);
	CHECK(got[0].uid[0] == '\0');
	CHECK(got[1].ev.proto == 47 && !got[1].ev.has_src && !got[1].ev.has_dst);
	CHECK(got[2].ev.proto == 1);
	CHECK(got[3].ev.proto == 17);
	CHECK(got[4].ev.proto == -1);
}

/* One timestamp through a minimal flow line: its ts_us, or INT64_MIN. */
static int64_t ts_of(const char *ts)
{
	char line[512];
	struct ingest_counts c;

	snprintf(line, sizeof(line), "{\"timestamp\":\"%s\",\"event_type\":\"flow\"}\n", ts);
	if (run(line, &c, NULL) != DT_OK || ngot != 1)
		return INT64_MIN;
	return got[0].ev.ts_us;
}

static void test_timezones(void)
{
	/* 2016-06-08T20:01:52.875791Z */
	const int64_t base = 1465416112875791LL;

	CHECK(ts_of("2016-06-08T20:01:52.875791+0000") == base);
	CHECK(ts_of("2016-06-08T22:01:52.875791+0200") == base);
	CHECK(ts_of("2016-06-08T14:31:52.875791-0530") == base);
	CHECK(ts_of("2016-06-09T01:31:52.875791+05:30") == base);
	CHECK(ts_of("2016-06-08T20:01:52.875791Z") == base);
	/* across a day, a month and a year boundary */
	CHECK(ts_of("2016-06-09T01:01:52.875791+0500") == base);
	CHECK(ts_of("2015-12-31T23:00:00.000000-0100") == 1451606400000000LL);
	CHECK(ts_of("2016-01-01T00:30:00.000000+0030") == 1451606400000000LL);
	/* fractions: shorter, none, nanoseconds truncated */
	CHECK(ts_of("2016-06-08T20:01:52.8+0000") == base - 75791);
	CHECK(ts_of("2016-06-08T20:01:52+0000") == base - 875791);
	CHECK(ts_of("2016-06-08T20:01:52.875791999+0000") == base);
	/* leap day; the epoch; before it */
	CHECK(ts_of("2016-02-29T00:00:00.000000+0000") == 1456704000000000LL);
	CHECK(ts_of("1970-01-01T00:00:00.000000+0000") == 0);
	CHECK(ts_of("1969-12-31T23:59:59.500000+0000") == -500000);
	CHECK(ts_of("2000-02-29T12:00:00+0000") == 951825600000000LL);
	/* refused */
	CHECK(ts_of("2015-02-29T00:00:00.000000+0000") == INT64_MIN);
	CHECK(ts_of("1900-02-29T00:00:00+0000") == INT64_MIN);
	CHECK(ts_of("2016-06-31T00:00:00.000000+0000") == INT64_MIN);
	CHECK(ts_of("2016-06-08T24:00:00.000000+0000") == INT64_MIN);
	CHECK(ts_of("2016-06-08T20:60:00.000000+0000") == INT64_MIN);
	CHECK(ts_of("2016-06-08T20:01:52.875791") == INT64_MIN);
	CHECK(ts_of("2016-06-08T20:01:52.+0000") == INT64_MIN);
	CHECK(ts_of("2016-06-08T20:01:52.875791+000") == INT64_MIN);
	CHECK(ts_of("2016-06-08T20:01:52.875791+2400") == INT64_MIN);
	CHECK(ts_of("2016-06-08T20:01:52.875791+0000 ") == INT64_MIN);
	CHECK(ts_of("2016-06-08 20:01:52.875791+0000") == INT64_MIN);
	CHECK(ts_of("16-06-08T20:01:52.875791+0000") == INT64_MIN);
	CHECK(ts_of("2016-6-08T20:01:52+0000") == INT64_MIN);
	CHECK(ts_of("1465416112.875791") == INT64_MIN);
	CHECK(ts_of("") == INT64_MIN);
}

static void test_malformed(void)
{
	struct ingest_counts c;
	struct dt_diag d;
	const char *text = LINE("dns", ",\"dns\":{\"rrname\":\"ok1.example\"}")    /* 1 */
	    "{\"timestamp\":\"2020-01-02T03:04:05+0000\",\"event_type\":\"dns\"\n" /* 2 */
	    "\n"                                                                   /* 3 */
	    "{\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\"}\n"                   /* 4 */
	    "{\"timestamp\":\"yesterday\",\"event_type\":\"dns\"}\n"               /* 5 */
	    "{\"timestamp\":\"2020-01-02T03:04:05+0000\",\"event_type\":\"dns\","
	    "\"src_ip\":\"10.0.0.300\"}\n" /* 6 */
	    "{\"timestamp\":\"2020-01-02T03:04:05+0000\",\"event_type\":\"dns\","
	    "\"dest_ip\":\"fe80::1%eth0\"}\n" /* 7 */
	    "{\"timestamp\":\"2020-01-02T03:04:05+0000\",\"event_type\":\"dns\","
	    "\"dest_port\":70000}\n"                              /* 8 */
	    "[1,2,3]\n"                                           /* 9 */
	    "{\"timestamp\":\"2020-01-02T03:04:05+0000\"}\n"      /* 10 */
	    "{\"timestamp\":12345,\"event_type\":\"alert\"}\n"    /* 11 */
	    LINE("dns", ",\"dns\":{\"rrname\":\"ok2.example\"}"); /* 12 */
	static const struct {
		unsigned long line;
		const char *word;
	} want[] = {
	    {2, "invalid JSON"}, {4, "timestamp"}, {5, "yesterday"},         {6, "src_ip"},
	    {7, "dest_ip"},      {8, "dest_port"}, {9, "not a JSON object"}, {10, "event_type"},
	    {11, "timestamp"},
	};
	enum dt_err err = run(text, &c, &d);

	CHECK(err == DT_OK);
	CHECKF(c.records == 11 && c.events == 2 && c.rejected == 9 && c.ignored == 0,
	       "records %llu events %llu rejected %llu", (unsigned long long)c.records,
	       (unsigned long long)c.events, (unsigned long long)c.rejected);
	CHECK(ngot == 2);
	CHECK(strcmp(got[0].domain, "ok1.example") == 0 && got[0].ev.record == 1);
	CHECK(strcmp(got[1].domain, "ok2.example") == 0 && got[1].ev.record == 12);
	CHECK(nwarn == sizeof(want) / sizeof(*want));
	for (size_t i = 0; i < nwarn && i < sizeof(want) / sizeof(*want); i++) {
		CHECKF(warns[i].line == want[i].line, "warning %zu at line %lu, not %lu", i,
		       warns[i].line, want[i].line);
		CHECKF(strstr(warns[i].msg, want[i].word) != NULL, "line %lu: '%s' lacks '%s'",
		       want[i].line, warns[i].msg, want[i].word);
		CHECK(strcmp(warns[i].file, "test.json") == 0);
	}
}

static void test_not_eve(void)
{
	struct ingest_counts c;
	struct dt_diag d;
	enum dt_err err;

	/* a Zeek TSV log */
	err = run("#separator \\x09\n#fields\tts\tuid\n1.0\tCabc\n", &c, &d);
	CHECK(err == DT_EFORMAT);
	CHECK(ngot == 0 && c.events == 0 && c.records == 3);
	CHECKF(strstr(d.msg, "not Suricata EVE") != NULL, "diag '%s'", d.msg);
	CHECK(strcmp(d.file, "test.json") == 0 && d.line == 1);

	/* Zeek JSON: objects, but no event_type */
	err = run("\n{\"ts\":1.0,\"uid\":\"C1\"}\n{\"ts\":2.0,\"uid\":\"C2\"}\n", &c, &d);
	CHECK(err == DT_EFORMAT);
	CHECKF(strstr(d.msg, "event_type") != NULL, "diag '%s'", d.msg);
	CHECK(d.line == 2);

	/* a broken gzip stream: the reader reports the damage, no events */
	{
		static const char bin[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\n";

		ngot = nwarn = 0;
		memset(&c, 0, sizeof(c));
		err = ingest_mem(ingest_eve, "x.gz", bin, sizeof(bin) - 1, sink, NULL, warn, NULL,
		                 &c, &d);
		CHECK(err == DT_OK && ngot == 0 && c.records == 0);
		CHECK(nwarn == 1);
	}
	/* binary garbage that is not gzip */
	{
		static const char bin[] = "\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x03\xff\n";

		memset(&c, 0, sizeof(c));
		err = ingest_mem(ingest_eve, "x.bin", bin, sizeof(bin) - 1, sink, NULL, warn, NULL,
		                 &c, &d);
		CHECK(err == DT_EFORMAT);
	}

	/* empty and blank input: nothing, and no complaint */
	CHECK(run("", &c, &d) == DT_OK && c.records == 0);
	CHECK(run("\n\n  \n", &c, &d) == DT_OK && c.records == 0);

	/* one valid line among bad ones: rejects, not a refusal */
	err = run("garbage\n" LINE("flow", ""), &c, &d);
	CHECK(err == DT_OK && c.rejected == 1 && c.events == 1);

	/* only ignored types is still EVE */
	err =
	    run("{\"timestamp\":\"2020-01-02T03:04:05+0000\",\"event_type\":\"stats\"}\n", &c, &d);
	CHECK(err == DT_OK && c.ignored == 1);
}

static void test_sink_error(void)
{
	struct ingest_counts c;
	struct dt_diag d;
	enum dt_err err;

	sink_err = DT_EIO;
	err = run(LINE("flow", "") LINE("flow", ""), &c, &d);
	sink_err = DT_OK;
	CHECK(err == DT_EIO);
	CHECK(c.events == 0 && c.records == 1);
	CHECK(d.line == 1);
}

static void test_no_warn_callback(void)
{
	struct ingest_counts c;
	struct dt_diag d;
	const char *text = "bad\n" LINE("flow", "");

	memset(&c, 0, sizeof(c));
	ngot = 0;
	CHECK(ingest_mem(ingest_eve, NULL, text, strlen(text), sink, NULL, NULL, NULL, &c, &d) ==
	      DT_OK);
	CHECK(c.rejected == 1 && c.events == 1 && ngot == 1);
	/* the input need not end in NUL: the parser stays inside len */
	{
		char *copy = malloc(strlen(text));

		memcpy(copy, text, strlen(text));
		memset(&c, 0, sizeof(c));
		CHECK(ingest_mem(ingest_eve, "t", copy, strlen(text) - 1, sink, NULL, NULL, NULL,
		                 &c, &d) == DT_OK);
		CHECK(c.rejected == 1 && c.events == 1);
		free(copy);
	}
}

int main(void)
{
	RUN(test_corpus_fileinfo);
	RUN(test_alert);
	RUN(test_flow);
	RUN(test_netflow);
	RUN(test_dns);
	RUN(test_http);
	RUN(test_tls);
	RUN(test_fileinfo_hashes);
	RUN(test_anomaly_ssh);
	RUN(test_proto_and_ignored);
	RUN(test_timezones);
	RUN(test_malformed);
	RUN(test_not_eve);
	RUN(test_sink_error);
	RUN(test_no_warn_callback);
	DONE();
}
