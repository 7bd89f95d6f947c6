/*
 * test_weblog.c — the access log parser (ingest_weblog, ingest/parsers.h):
 * the examples of apache's log documentation (common and combined), nginx
 * combined lines, apache vhost_combined with an IPv6 client, apache's \"
 * escapes and nginx's \xHH ones, the TLS handshake nginx logs as a 400,
 * proxy and CONNECT targets, user names with spaces, malformed lines
 * reported with their numbers while the rest is kept, refusal of input
 * that is not an access log, CRLF and gzip input.  Times are checked
 * against glibc's timegm.
 */
#include <time.h>
#include <zlib.h>

#include "testhelp.h"

#include "ingest/parsers.h"

#define MAX_EV   32
#define MAX_WARN 16

struct got {
	struct event ev;
	char kind[16], signature[128], domain[128], url[256], user_agent[256], service[32];
};

static struct got got[MAX_EV];
static size_t ngot;
static struct dt_diag warns[MAX_WARN];
static size_t nwarn;

static void copy(char *dst, size_t size, struct dt_str s)
{
	snprintf(dst, size, "%.*s", (int)s.len, s.p ? s.p : "");
}

static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct got *g;

	(void)ctx;
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
	return DT_OK;
}

static void warn(void *ctx, const struct dt_diag *d)
{
	(void)ctx;
	if (nwarn < MAX_WARN)
		warns[nwarn] = *d;
	nwarn++;
}

static enum dt_err run_mem(const void *data, size_t len, struct ingest_counts *c, struct dt_diag *d)
{
	struct ingest_ctx x = {"access.log", sink, NULL, warn, NULL, c, 0};
	struct reader *r;
	struct dt_diag local;
	enum dt_err err;

	ngot = nwarn = 0;
	memset(got, 0, sizeof(got));
	memset(c, 0, sizeof(*c));
	dt_diag_clear(d ? d : &local);
	if (reader_open_mem(data, len, &r) != DT_OK)
		return DT_ENOMEM;
	err = ingest_weblog(r, &x, d ? d : &local);
	reader_close(r);
	return err;
}

static enum dt_err run(const char *text, struct ingest_counts *c, struct dt_diag *d)
{
	return run_mem(text, strlen(text), c, d);
}

static const char *ip(const struct dt_ip *a)
{
	static char buf[4][DT_IP_STRLEN];
	static int k;

	k = (k + 1) % 4;
	dt_ip_format(a, buf[k]);
	return buf[k];
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * 1000000;
}

/* One event from one line, or a failed check. */
static struct got *one(const char *line)
{
	struct ingest_counts c;
	enum dt_err err = run(line, &c, NULL);

	CHECKF(err == DT_OK && ngot == 1 && c.events == 1 && c.rejected == 0,
	       "'%s': err %d, %zu events, %s", line, (int)err, ngot, nwarn ? warns[0].msg : "");
	return ngot == 1 ? &got[0] : NULL;
}

static void test_apache_doc_examples(void)
{
	/* httpd docs, "Log Files": Common Log Format and Combined Log Format */
	struct got *g = one("127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "
	                    "\"GET /apache_pb.gif HTTP/1.0\" 200 2326\n");

	if (g) {
		CHECK(strcmp(g->kind, EVENT_HTTP) == 0 && strcmp(g->service, "http") == 0);
		CHECK(g->ev.ts_us == utc(2000, 10, 10, 20, 55, 36));
		CHECK(g->ev.has_src && strcmp(ip(&g->ev.src), "127.0.0.1") == 0);
		CHECK(!g->ev.has_dst && g->ev.dport == -1 && g->ev.sport == -1 && g->ev.proto == 6);
		CHECK(strcmp(g->url, "/apache_pb.gif") == 0);
		CHECKF(strcmp(g->signature, "http GET 200") == 0, "'%s'", g->signature);
		CHECK(g->ev.severity == 4 && g->ev.resp_bytes == 2326);
		CHECK(g->user_agent[0] == '\0' && g->domain[0] == '\0');
		CHECK(strstr(g->signature, "frank") == NULL && strstr(g->url, "frank") == NULL);
	}
	g = one("127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" "
	        "200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I "
	        ";Nav)\"\n");
	if (g) {
		CHECK(strcmp(g->user_agent, "Mozilla/4.08 [en] (Win98; I ;Nav)") == 0);
		CHECK(g->ev.resp_bytes == 2326 && strcmp(g->url, "/apache_pb.gif") == 0);
	}
}

static void test_nginx_combined(void)
{
	struct got *g =
	    one("203.0.113.7 - - [27/Nov/2026:10:00:01 +0100] "
	        "\"GET /wp-login.php?redirect_to=%2Fwp-admin%2F HTTP/1.1\" 404 153 \"-\" "
	        "\"Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 "
	        "Firefox/115.0\"\n");

	if (g) {
		CHECK(g->ev.ts_us == utc(2026, 11, 27, 9, 0, 1));
		CHECK(strcmp(g->url, "/wp-login.php?redirect_to=%2Fwp-admin%2F") == 0);
		CHECK(strcmp(g->signature, "http GET 404") == 0 && g->ev.severity == 3);
		CHECK(strcmp(g->user_agent,
		             "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 "
		             "Firefox/115.0") == 0);
		CHECK(g->ev.resp_bytes == 153);
	}
	/* nginx: '"' and non-printable bytes as \xHH, kept as written */
	g = one("198.51.100.4 - - [27/Nov/2026:10:00:02 -0000] \"GET /?q=\\x22x\\x22 HTTP/1.1\" "
	        "500 0 \"-\" \"sqlmap/1.7\\x22\"\n");
	if (g) {
		CHECK(strcmp(g->url, "/?q=\\x22x\\x22") == 0);
		CHECK(strcmp(g->user_agent, "sqlmap/1.7\\x22") == 0);
		CHECK(strcmp(g->signature, "http GET 500") == 0 && g->ev.severity == 2);
		CHECK(g->ev.resp_bytes == 0);
	}
	/* the TLS handshake sent to a plain-HTTP port: a 400 record, kept */
	g = one(
	    "198.51.100.4 - - [27/Nov/2026:10:00:03 +0100] "
	    "\"\\x16\\x03\\x01\\x00\\xF1\\x01\\x00\\x00\\xED\\x03\\x03\" 400 157 \"-\" \"-\"\n");
	if (g) {
		CHECK(strcmp(g->signature, "http invalid 400") == 0);
		CHECK(g->url[0] == '\0' && g->user_agent[0] == '\0');
		CHECK(g->ev.has_src && g->ev.resp_bytes == 157);
	}
	/* a connection closed before its request */
	g = one("198.51.100.4 - - [27/Nov/2026:10:00:04 +0100] \"\" 400 0 \"-\" \"-\"\n");
	if (g)
		CHECK(strcmp(g->signature, "http invalid 400") == 0);
	g = one("198.51.100.4 - - [27/Nov/2026:10:00:05 +0100] \"-\" 408 - \"-\" \"-\"\n");
	if (g)
		CHECK(strcmp(g->signature, "http invalid 408") == 0 && g->ev.resp_bytes == -1);
	/* fields appended by a custom log_format are ignored */
	g = one("192.0.2.9 - - [27/Nov/2026:10:00:06 +0100] \"POST /api HTTP/2.0\" 201 12 "
	        "\"https://example.org/\" \"okhttp/4.9\" \"10.1.1.1\" 0.004\n");
	if (g)
		CHECK(strcmp(g->user_agent, "okhttp/4.9") == 0 &&
		      strcmp(g->signature, "http POST 201") == 0);
}

static void test_apache_escapes_vhost(void)
{
	/* apache vhost_combined, IPv6 client, \" inside request and agent */
	struct got *g = one("www.example.com:443 2001:db8::7 - - [27/Nov/2026:10:00:01 +0000] "
	                    "\"GET /a\\\"b?c=\\\\d HTTP/1.1\" 403 - \"-\" "
	                    "\"Mozilla \\\"quoted\\\" agent\"\n");

	if (g) {
		CHECKF(strcmp(g->domain, "www.example.com") == 0, "'%s'", g->domain);
		CHECK(g->ev.dport == 443);
		CHECK(g->ev.has_src && strcmp(ip(&g->ev.src), "2001:db8::7") == 0);
		CHECKF(strcmp(g->url, "/a\"b?c=\\d") == 0, "'%s'", g->url);
		CHECKF(strcmp(g->user_agent, "Mozilla \"quoted\" agent") == 0, "'%s'",
		       g->user_agent);
		CHECK(g->ev.resp_bytes == -1 && g->ev.severity == 3);
	}
	/* an IPv6 client without vhost is not taken for one */
	g = one("2001:db8::8 - - [27/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200 1\n");
	if (g)
		CHECK(g->domain[0] == '\0' && g->ev.dport == -1 &&
		      strcmp(ip(&g->ev.src), "2001:db8::8") == 0);
	/* old apache: an unescaped quote in the request */
	g = one("192.0.2.1 - - [27/Nov/2026:10:00:01 +0000] \"GET /a\"b HTTP/1.0\" 200 10\n");
	if (g)
		CHECKF(strcmp(g->url, "/a\"b") == 0, "'%s'", g->url);
	/* a user name with spaces (basic auth is the client's to choose) */
	g = one("192.0.2.2 - john [smith] x [27/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 401 "
	        "0 \"-\" \"-\"\n");
	if (g)
		CHECK(g->ev.ts_us == utc(2026, 11, 27, 10, 0, 1) &&
		      strcmp(g->signature, "http GET 401") == 0 && strstr(g->url, "john") == NULL);
	/* a client logged as a host name: no address */
	g = one("client.example.net - - [27/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200 1\n");
	if (g)
		CHECK(!g->ev.has_src);
}

static void test_targets(void)
{
	struct got *g = one("192.0.2.3 - - [27/Nov/2026:10:00:01 +0000] "
	                    "\"GET http://evil.example:8080/x?y HTTP/1.1\" 200 5\n");

	if (g) {
		CHECK(strcmp(g->domain, "evil.example") == 0);
		CHECK(strcmp(g->url, "http://evil.example:8080/x?y") == 0);
	}
	g = one("192.0.2.3 - - [27/Nov/2026:10:00:01 +0000] \"CONNECT example.org:443 HTTP/1.1\" "
	        "405 5\n");
	if (g)
		CHECK(strcmp(g->domain, "example.org") == 0 &&
		      strcmp(g->signature, "http CONNECT 405") == 0);
	g = one("192.0.2.3 - - [27/Nov/2026:10:00:01 +0000] \"FOO /x HTTP/1.1\" 501 5\n");
	if (g)
		CHECK(strcmp(g->signature, "http other 501") == 0 && strcmp(g->url, "/x") == 0);
	/* HTTP/0.9: no version */
	g = one("192.0.2.3 - - [27/Nov/2026:10:00:01 +0000] \"GET /old\" 200 5\n");
	if (g)
		CHECK(strcmp(g->url, "/old") == 0);
	/* a target with a space in it (logged raw by some servers) */
	g = one("192.0.2.3 - - [27/Nov/2026:10:00:01 +0000] \"GET /a b HTTP/1.1\" 400 5\n");
	if (g)
		CHECK(strcmp(g->url, "/a b") == 0);
}

static void test_malformed_lines(void)
{
	const char *t =
	    "192.0.2.1 - - [27/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200 1\n"    /* 1 */
	    "garbage\n"                                                                /* 2 */
	    "192.0.2.1 - - [32/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200 1\n"    /* 3 */
	    "192.0.2.1 - - [27/Nov/2026:10:00:01] \"GET / HTTP/1.1\" 200 1\n"          /* 4 */
	    "192.0.2.1 - - [27/Nov/2026:10:00:01 +0000] GET / HTTP/1.1 200 1\n"        /* 5 */
	    "\n"                                                                       /* 6 */
	    "192.0.2.1 - - [27/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" OK 1\n"     /* 7 */
	    "192.0.2.1 - - [27/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200 lots\n" /* 8 */
	    "192.0.2.1 - - [27/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200\n"      /* 9 */
	    "192.0.2.1 - - [27/Nov/2026:10:00:02 +0000] \"GET /x HTTP/1.1\" 200 2";    /* 10 */
	static const unsigned long want[] = {2, 3, 4, 5, 7, 8, 9};
	struct ingest_counts c;

	CHECK(run(t, &c, NULL) == DT_OK);
	CHECKF(c.records == 9 && c.events == 2 && c.rejected == 7 && c.ignored == 0,
	       "records %llu events %llu rejected %llu", (unsigned long long)c.records,
	       (unsigned long long)c.events, (unsigned long long)c.rejected);
	CHECK(nwarn == 7);
	for (size_t k = 0; k < 7 && k < nwarn; k++) {
		CHECKF(warns[k].line == want[k], "warning %zu at line %lu: %s", k, warns[k].line,
		       warns[k].msg);
		CHECK(strcmp(warns[k].file, "access.log") == 0);
	}
	CHECK(ngot == 2 && got[1].ev.record == 10 && strcmp(got[1].url, "/x") == 0);
}

static void test_not_access_log(void)
{
	struct ingest_counts c;
	struct dt_diag d;

	CHECK(run("Nov 27 10:00:01 host sshd[1]: hello\nsecond line\n", &c, &d) == DT_EFORMAT);
	CHECKF(d.line == 1 && strstr(d.msg, "access log") != NULL, "%s", d.msg);
	CHECK(c.records == 2 && c.rejected == 2 && c.events == 0);
	CHECK(run("", &c, &d) == DT_OK && c.records == 0);
}

static const char sample[] =
    "203.0.113.7 - - [27/Nov/2026:10:00:01 +0100] \"GET /a HTTP/1.1\" 404 153 \"-\" \"UA/1\"\n"
    "bad line\n"
    "203.0.113.8 - - [27/Nov/2026:10:00:02 +0100] \"POST /b HTTP/1.1\" 200 7 \"-\" \"UA/2\"\n";

static void test_crlf_gzip(void)
{
	char crlf[sizeof(sample) * 2];
	unsigned char gz[2048];
	size_t o = 0, n;
	struct ingest_counts c;
	z_stream z;

	for (size_t i = 0; sample[i]; i++) {
		if (sample[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = sample[i];
	}
	crlf[o] = '\0';
	CHECK(run(crlf, &c, NULL) == DT_OK);
	CHECK(c.records == 3 && c.events == 2 && c.rejected == 1 && ngot == 2);
	CHECK(strcmp(got[0].user_agent, "UA/1") == 0 && strcmp(got[1].user_agent, "UA/2") == 0);
	CHECK(got[1].ev.resp_bytes == 7 && nwarn == 1 && warns[0].line == 2);

	memset(&z, 0, sizeof(z));
	CHECK(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)crlf;
	z.avail_in = (uInt)o;
	z.next_out = gz;
	z.avail_out = sizeof(gz);
	CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
	n = sizeof(gz) - z.avail_out;
	deflateEnd(&z);
	CHECK(run_mem(gz, n, &c, NULL) == DT_OK);
	CHECK(c.records == 3 && c.events == 2 && c.rejected == 1 && ngot == 2);
	CHECK(strcmp(got[1].url, "/b") == 0 && got[1].ev.record == 3);
	CHECK(strcmp(ip(&got[0].ev.src), "203.0.113.7") == 0);
}

int main(void)
{
	RUN(test_apache_doc_examples);
	RUN(test_nginx_combined);
	RUN(test_apache_escapes_vhost);
	RUN(test_targets);
	RUN(test_malformed_lines);
	RUN(test_not_access_log);
	RUN(test_crlf_gzip);
	DONE();
}
