/*
 * test_sanitize_text.c — the sanitizers of the text formats (Zeek TSV and
 * JSON, Suricata EVE, syslog, access logs: privacy/sanitize.h) against the
 * acid test of the privacy design:
 *
 *   ingest(original) -> E; sanitize -> ingest -> E': the same number of
 *   events with the same record numbers, and E'[i] equal to E[i] with
 *   src/dst through privacy_addr, domain through san_name, url through
 *   san_url and the other strings through privacy_scrub (the functions
 *   privacy.h and sanitize_util.h define); the derivative has as many
 *   lines as the original; and a byte scan: no home address, home name or
 *   user of the input appears in the derivative (as a token), every
 *   remote address does.
 *
 * Over ../shared/corpus/zeek/ *.log.gz and suricata/eve-fileinfo.json
 * (brimdata/zed-sample-data, OISF/suricata-verify: see SOURCES.md; skipped
 * with a message when absent) and over synthetic inputs written here that
 * cover every kind of field (addresses, subnets, names, users, secrets,
 * URLs with user paths and identifying query values, the sshd invalid-user
 * exception, JSON escapes, malformed lines).  The expected pseudonyms of
 * the synthetic inputs are computed with privacy.h directly.
 */
#include "testhelp.h"

#include <dirent.h>
#include <stdbool.h>
#include <zlib.h>

#include "ingest/formats.h"
#include "privacy/sanitize.h"
#include "privacy/sanitize_util.h"

#define S 400 /* string field copies */

struct ev {
	struct event e;
	char uid[S], signature[S], domain[S], url[S], user_agent[S], ja3[S], ja3s[S];
	char cert_sha1[S], cert_sha256[S], md5[S], sha1[S], sha256[S], service[S], state[S];
};

struct evs {
	struct ev *v;
	size_t n, cap;
	struct ingest_counts c;
	enum dt_err err;
};

static void cp(char *d, struct dt_str s)
{
	size_t n = s.len < S - 1 ? s.len : S - 1;

	if (n)
		memcpy(d, s.p, n);
	d[n] = '\0';
}

static enum dt_err sink(void *ctx, const struct event *e)
{
	struct evs *r = ctx;
	struct ev *g;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		if (!r->v)
			abort();
	}
	g = &r->v[r->n++];
	g->e = *e;
	cp(g->uid, e->uid);
	cp(g->signature, e->signature);
	cp(g->domain, e->domain);
	cp(g->url, e->url);
	cp(g->user_agent, e->user_agent);
	cp(g->ja3, e->ja3);
	cp(g->ja3s, e->ja3s);
	cp(g->cert_sha1, e->cert_sha1);
	cp(g->cert_sha256, e->cert_sha256);
	cp(g->md5, e->md5);
	cp(g->sha1, e->sha1);
	cp(g->sha256, e->sha256);
	cp(g->service, e->service);
	cp(g->state, e->state);
	return DT_OK;
}

static void parse(const char *fmt, const void *data, size_t len, struct evs *r)
{
	memset(r, 0, sizeof(*r));
	r->err = ingest_mem(ingest_format(fmt), "t", data, len, sink, r, NULL, NULL, &r->c, NULL);
}

static const uint8_t key[PRIVACY_KEY_BYTES] = "0123456789abcdef0123456789abcdef"
                                              "fedcba9876543210fedcba9876543210";

static struct privacy *mkpriv(const char *const *domains)
{
	static const char *const nets[] = {"10.0.0.0/8",    "172.16.0.0/12", "192.168.0.0/16",
	                                   "100.64.0.0/10", "127.0.0.0/8",   "169.254.0.0/16",
	                                   "fc00::/7",      "fe80::/10",     "::1/128"};
	struct privacy *p;

	if (privacy_new(key, &p))
		abort();
	for (size_t i = 0; i < sizeof(nets) / sizeof(*nets); i++) {
		struct dt_prefix pf;

		if (dt_prefix_parse(nets[i], strlen(nets[i]), &pf, NULL) || privacy_add_net(p, &pf))
			abort();
	}
	for (; domains && *domains; domains++)
		if (privacy_add_domain(p, *domains, strlen(*domains)))
			abort();
	return p;
}

/* The derivative of text in fmt: out (malloc'd, NUL-terminated). */
static enum dt_err sanitize(struct privacy *p, const char *fmt, const char *text, size_t len,
                            char **out, size_t *olen, struct privacy_counts *c)
{
	FILE *f = open_memstream(out, olen);
	enum dt_err err;

	memset(c, 0, sizeof(*c));
	err = sanitize_mem(p, fmt, text, len, f, c, NULL);
	fclose(f);
	return err;
}

/* ---- the expected derivative of an event --------------------------------- */

typedef enum dt_err (*mapfn)(struct san *, const char *, size_t, struct strbuf *);

static void map(struct san *s, mapfn fn, char *field)
{
	struct strbuf b;

	strbuf_init(&b, 1 << 20);
	if (fn(s, field, strlen(field), &b) == DT_OK) {
		size_t n = b.len < S - 1 ? b.len : S - 1;

		if (n)
			memcpy(field, b.p, n);
		field[n] = '\0';
	}
	strbuf_release(&b);
}

static void pseudo(struct san *s, const char *fmt, struct ev *g)
{
	char *scrubbed[] = {g->uid,       g->user_agent,  g->ja3,  g->ja3s,
	                    g->cert_sha1, g->cert_sha256, g->md5,  g->sha1,
	                    g->sha256,    g->service,     g->state};

	if (g->e.has_src)
		privacy_addr(s->p, &g->e.src, &g->e.src);
	if (g->e.has_dst)
		privacy_addr(s->p, &g->e.dst, &g->e.dst);
	/* Zeek intel: the indicator is the signature and the domain or url */
	if (strcmp(fmt, "zeek") == 0 && strcmp(g->e.kind, EVENT_ALERT) == 0)
		map(s, g->url[0] ? san_url : san_name, g->signature);
	else
		map(s, san_scrub, g->signature);
	map(s, san_name, g->domain);
	map(s, san_url, g->url);
	for (size_t i = 0; i < sizeof(scrubbed) / sizeof(*scrubbed); i++)
		map(s, san_scrub, scrubbed[i]);
}

static bool ip_eq(const struct dt_ip *a, const struct dt_ip *b)
{
	return a->family == b->family && a->addr == b->addr;
}

static int compare(const char *what, size_t i, const struct ev *a, const struct ev *b)
{
	int bad = 0;
#define EQ(c, ...)                                                                                 \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			CHECKF(0, "%s: event %zu (record %llu): " __VA_ARGS__);                    \
			bad++;                                                                     \
		}                                                                                  \
	} while (0)
#define EQS(f)                                                                                     \
	EQ(strcmp(a->f, b->f) == 0, #f " '%s' != '%s'", what, i, (unsigned long long)a->e.record,  \
	   a->f, b->f)
#define EQN(f)                                                                                     \
	EQ(a->e.f == b->e.f, #f " %lld != %lld", what, i, (unsigned long long)a->e.record,         \
	   (long long)a->e.f, (long long)b->e.f)
	EQN(record);
	EQN(ts_us);
	EQN(has_src);
	EQN(has_dst);
	EQ(!a->e.has_src || ip_eq(&a->e.src, &b->e.src), "src", what, i,
	   (unsigned long long)a->e.record);
	EQ(!a->e.has_dst || ip_eq(&a->e.dst, &b->e.dst), "dst", what, i,
	   (unsigned long long)a->e.record);
	EQN(sport);
	EQN(dport);
	EQN(proto);
	EQ(strcmp(a->e.kind, b->e.kind) == 0, "kind", what, i, (unsigned long long)a->e.record);
	EQN(signature_id);
	EQN(severity);
	EQN(duration_us);
	EQN(orig_bytes);
	EQN(resp_bytes);
	EQN(orig_pkts);
	EQN(resp_pkts);
	EQS(uid);
	EQS(signature);
	EQS(domain);
	EQS(url);
	EQS(user_agent);
	EQS(ja3);
	EQS(ja3s);
	EQS(cert_sha1);
	EQS(cert_sha256);
	EQS(md5);
	EQS(sha1);
	EQS(sha256);
	EQS(service);
	EQS(state);
	return bad;
}

static size_t lines(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k + (n && s[n - 1] != '\n');
}

static bool tokc(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '.' || c == ':' || c == '-' || c == '_';
}

/* needle as a whole token (case-insensitively) in hay. */
static bool has_token(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; k && i + k <= n; i++) {
		if (strncasecmp(hay + i, needle, k) != 0)
			continue;
		if ((i == 0 || !tokc(hay[i - 1])) && (i + k == n || !tokc(hay[i + k])))
			return true;
	}
	return false;
}

/* The runs of address characters of a text (and of "a.b.c.d:port" the
 * address alone), sorted: for one-pass address scans. */
struct runs {
	struct dt_str *v;
	size_t n;
};

static int strcmp_slice(const void *a, const void *b)
{
	const struct dt_str *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static bool addrc(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
	       c == '.' || c == ':';
}

static void runs_of(const char *s, size_t n, struct runs *r)
{
	size_t cap = 1024;

	r->n = 0;
	r->v = malloc(cap * sizeof(*r->v));
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && addrc(s[j]))
			j++;
		if (j > i + 1) {
			const char *colon = memchr(s + i, ':', j - i);

			if (r->n + 2 > cap && !(r->v = realloc(r->v, (cap *= 2) * sizeof(*r->v))))
				abort();
			r->v[r->n++] = (struct dt_str){s + i, j - i};
			if (colon && !memchr(colon + 1, ':', (size_t)(s + j - colon - 1)))
				r->v[r->n++] = (struct dt_str){s + i, (size_t)(colon - s - i)};
		}
		i = j > i ? j : i + 1;
	}
	qsort(r->v, r->n, sizeof(*r->v), strcmp_slice);
}

static bool runs_has(const struct runs *r, const char *t)
{
	struct dt_str k = {t, strlen(t)};

	return bsearch(&k, r->v, r->n, sizeof(*r->v), strcmp_slice) != NULL;
}

/*
 * The acid test of one input: returns the derivative (caller frees).
 * Checks events, line counts and the address byte scan.
 */
static char *acid(const char *what, struct privacy *p, const char *fmt, const char *text,
                  size_t len, struct privacy_counts *pc)
{
	struct evs a, b;
	struct runs rs;
	char *out = NULL, t[DT_IP_STRLEN];
	size_t olen = 0, bad = 0, home = 0, remote = 0, leaks = 0, missing = 0;
	struct san s;
	enum dt_err err;

	parse(fmt, text, len, &a);
	err = sanitize(p, fmt, text, len, &out, &olen, pc);
	CHECKF(err == a.err, "%s: sanitize %s, ingest %s", what, dt_strerror(err),
	       dt_strerror(a.err));
	CHECKF(lines(out, olen) == lines(text, len), "%s: %zu lines in, %zu out", what,
	       lines(text, len), lines(out, olen));
	CHECKF(pc->records == lines(text, len), "%s: %llu records counted", what,
	       (unsigned long long)pc->records);
	parse(fmt, out, olen, &b);
	CHECKF(a.n == b.n, "%s: %zu events, %zu from the derivative", what, a.n, b.n);
	CHECKF(a.c.rejected == b.c.rejected, "%s: %llu rejected, %llu from the derivative", what,
	       (unsigned long long)a.c.rejected, (unsigned long long)b.c.rejected);
	runs_of(out, olen, &rs);
	san_init(&s, p, NULL);
	for (size_t i = 0; i < a.n && i < b.n; i++) {
		struct ev x = a.v[i];

		/* the byte scan of this event's addresses */
		for (int k = 0; k < 2; k++) {
			const struct dt_ip *ip = k ? &x.e.dst : &x.e.src;

			if (!(k ? x.e.has_dst : x.e.has_src))
				continue;
			dt_ip_format(ip, t);
			if (privacy_home_addr(p, ip)) {
				home++;
				if (runs_has(&rs, t) && leaks++ < 3)
					CHECKF(0, "%s: home address %s in the derivative", what, t);
			} else {
				remote++;
				if (!runs_has(&rs, t) && missing++ < 3)
					CHECKF(0, "%s: remote address %s missing", what, t);
			}
		}
		if (bad < 5) {
			pseudo(&s, fmt, &x);
			bad += (size_t)compare(what, i, &b.v[i], &x);
		}
	}
	CHECKF(leaks == 0 && missing == 0, "%s: %zu home addresses leaked, %zu remote missing",
	       what, leaks, missing);
	san_release(&s);
	free(rs.v);
	if (getenv("TEST_VERBOSE"))
		printf("  %s: %zu events, %zu home and %zu remote addresses\n", what, a.n, home,
		       remote);
	free(a.v);
	free(b.v);
	return out;
}

/* ---- the corpus --------------------------------------------------------- */

static char *gunzip(const char *path, size_t *len)
{
	gzFile g = gzopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	int k;

	if (!g || !buf)
		abort();
	while ((k = gzread(g, buf + n, (unsigned)(cap - n - 1))) > 0) {
		n += (size_t)k;
		if (cap - n < 2 && !(buf = realloc(buf, cap *= 2)))
			abort();
	}
	gzclose(g);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void test_corpus_zeek(void)
{
	static const char *const dom[] = {"wrccdc.org", NULL};
	char dir[1100];
	struct privacy *p = mkpriv(dom);
	DIR *d;
	struct dirent *de;
	int files = 0;

	snprintf(dir, sizeof(dir), "%s/zeek", th_corpus());
	if (!(d = opendir(dir))) {
		privacy_free(p);
		SKIP("no %s (../shared/corpus, see SOURCES.md)", dir);
	}
	while ((de = readdir(d))) {
		char path[1400];
		size_t len;
		char *text, *out;
		struct privacy_counts pc;

		if (!strstr(de->d_name, ".log.gz"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		text = gunzip(path, &len);
		out = acid(de->d_name, p, "zeek", text, len, &pc);
		/* no name under the home domain survives as a token */
		CHECKF(!strstr(out, ".wrccdc.org") && !has_token(out, strlen(out), "wrccdc.org"),
		       "%s: a wrccdc.org name in the derivative", de->d_name);
		CHECKF(pc.unparsed == 0, "%s: %llu lines unparsed", de->d_name,
		       (unsigned long long)pc.unparsed);
		/* the header block is byte for byte */
		CHECK(strncmp(out, text, (size_t)(strstr(text, "\n1") - text)) == 0);
		free(out);
		free(text);
		files++;
	}
	closedir(d);
	privacy_free(p);
	CHECKF(files >= 8, "%d corpus Zeek logs", files);
}

static void test_corpus_eve(void)
{
	char path[1100];
	FILE *f;
	char buf[65536], *out;
	size_t n;
	struct privacy *p = mkpriv(NULL);
	struct privacy_counts pc;

	snprintf(path, sizeof(path), "%s/suricata/eve-fileinfo.json", th_corpus());
	if (!(f = fopen(path, "rb"))) {
		privacy_free(p);
		SKIP("no %s (../shared/corpus, see SOURCES.md)", path);
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	out = acid("eve-fileinfo.json", p, "eve", buf, n, &pc);
	CHECK(pc.unparsed == 0);
	free(out);
	privacy_free(p);
}

/* ---- synthetic inputs ------------------------------------------------------ */

static const char *const home_domains[] = {"bank.example", "corp.example", NULL};

/* Checks that none of bad[] and all of good[] occur in out (as tokens when
 * tok, else as substrings). */
static void scan(const char *what, const char *out, const char *const *bad, const char *const *good)
{
	size_t n = strlen(out);

	for (; bad && *bad; bad++)
		CHECKF(!has_token(out, n, *bad) && !strstr(out, *bad), "%s: '%s' in the derivative",
		       what, *bad);
	for (; good && *good; good++)
		CHECKF(strstr(out, *good) != NULL, "%s: '%s' missing from the derivative", what,
		       *good);
}

static char *pv(struct privacy *p, int kind, const char *v, char *buf)
{
	size_t k = kind == 'n'   ? privacy_name(p, v, strlen(v), buf)
	           : kind == 'u' ? privacy_user(p, v, strlen(v), buf)
	                         : privacy_value(p, v, strlen(v), buf);

	buf[k] = '\0';
	return buf;
}

static char *pa(struct privacy *p, const char *a, char *buf)
{
	struct dt_ip ip;

	if (dt_ip_parse(a, strlen(a), &ip))
		abort();
	privacy_addr(p, &ip, &ip);
	dt_ip_format(&ip, buf);
	return buf;
}

static const char zeek_tsv[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
    "#path\thttp\n#open\t2026-01-01-00-00-00\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\thost\turi\treferrer\t"
    "user_agent\tusername\tpassword\tproxied\tnet\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tstring\t"
    "string\tset[string]\tsubnet\n"
    "1700000000.000001\tCa1\t10.1.2.3\t51000\t203.0.113.9\t80\tintranet.bank.example\t"
    "/users/alice/inbox?user=alice&q=1%27%20OR%201=1--&sessionid=S3CR3T\t"
    "http://www.bank.example/~bob/index.html\tcurl/8.0 (from 10.1.2.3)\tcarol\thunter2\t"
    "10.9.9.9,198.51.100.7\t192.168.7.0/24\n"
    "1700000000.000002\tCa2\t198.51.100.7\t443\t10.1.2.4\t8080\t10.1.2.4:8080\t"
    "/mail/dave@bank.example/x\t-\t-\t-\t-\t(empty)\t8.8.8.0/24\n"
    "garbage line with 10.1.2.3 and www.bank.example\n"
    "#close\t2026-01-01-00-00-01\n"
    "#separator \\x09\n#path\tdns\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\tanswers\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tvector[string]\n"
    "1700000001.5\tCd1\tfd00::17\t5353\t2001:db8::53\t53\tudp\tmail.corp.example\t"
    "mx.corp.example,10.7.7.7,evil.example\n"
    "1700000001.6\tCd2\t10.1.2.3\t5353\t9.9.9.9\t53\tudp\t3.2.1.10.in-addr.arpa\t"
    "host.bank.example\n"
    "1700000001.7\tCd3\t10.1.2.3\t5353\t9.9.9.9\t53\tudp\n"
    "#separator \\x09\n#path\tsmtp\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\thelo\tmailfrom\trcptto\t"
    "from\tsubject\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\tset[string]\tstring\t"
    "string\n"
    "1700000002\tCs1\t203.0.113.50\t25000\t10.0.0.25\t25\tmail.evil.example\t"
    "<eve@evil.example>\terin@bank.example,frank@corp.example\t"
    "\"Erin Smith\" <erin@bank.example>\tinvoice for 10.0.0.25\n"
    "#separator \\x09\n#path\tintel\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tseen.indicator\t"
    "seen.indicator_type\n"
    "1700000003\tCi1\t10.1.2.3\t40000\t203.0.113.9\t80\tevil.example/p?token=abc\tIntel::URL\n"
    "1700000003\tCi2\t10.1.2.3\t40000\t203.0.113.9\t80\tvpn.bank.example\tIntel::DOMAIN\n"
    "#separator \\x09\n#path\tkerberos\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tclient\tservice\n"
    "1700000004\tCk1\t10.1.2.3\t40000\t10.0.0.2\t88\tgrace/BANK.EXAMPLE\t"
    "krbtgt/BANK.EXAMPLE\n";

static void test_zeek_tsv(void)
{
	struct privacy *p = mkpriv(home_domains);
	struct privacy_counts pc;
	char *out, b1[80], b2[80], b3[80], want[400];
	static const char *const bad[] = {
	    "10.1.2.3",  "10.1.2.4",     "fd00::17",     "10.9.9.9",   "10.7.7.7",
	    "10.0.0.25", "bank.example", "corp.example", "alice",      "bob",
	    "carol",     "hunter2",      "dave",         "erin",       "frank",
	    "grace",     "S3CR3T",       "192.168.7.0",  "Erin Smith", "3.2.1.10.in-addr",
	    NULL};
	static const char *const good[] = {"203.0.113.9",
	                                   "198.51.100.7",
	                                   "2001:db8::53",
	                                   "1%27%20OR%201=1--",
	                                   "evil.example",
	                                   "@evil.example>",
	                                   "8.8.8.0/24",
	                                   "curl/8.0",
	                                   "/mail/u-",
	                                   "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\t",
	                                   "#types\ttime\tstring\taddr\tport\taddr\tport\tstring",
	                                   NULL};

	out = acid("zeek tsv", p, "zeek", zeek_tsv, strlen(zeek_tsv), &pc);
	scan("zeek tsv", out, bad, good);
	/* the URL policy, each piece by privacy.h directly */
	snprintf(want, sizeof(want), "/users/%s/inbox?user=%s&q=1%%27%%20OR%%201=1--&sessionid=%s",
	         pv(p, 'v', "alice", b1), pv(p, 'v', "alice", b2), pv(p, 'v', "S3CR3T", b3));
	CHECKF(strstr(out, want) != NULL, "uri: want %s", want);
	snprintf(want, sizeof(want), "http://%s/~%s/index.html", pv(p, 'n', "www.bank.example", b1),
	         pv(p, 'v', "bob", b2));
	CHECKF(strstr(out, want) != NULL, "referrer: want %s", want);
	snprintf(want, sizeof(want), "\t%s\t%s\t", pv(p, 'u', "carol", b1),
	         pv(p, 'v', "hunter2", b2));
	CHECKF(strstr(out, want) != NULL, "username/password: want %s", want);
	snprintf(want, sizeof(want), "\t%s:8080\t", pa(p, "10.1.2.4", b1));
	CHECKF(strstr(out, want) != NULL, "host addr:port: want %s", want);
	snprintf(want, sizeof(want), "%s,%s,evil.example", pv(p, 'n', "mx.corp.example", b1),
	         pa(p, "10.7.7.7", b2));
	CHECKF(strstr(out, want) != NULL, "answers element-wise: want %s", want);
	snprintf(want, sizeof(want), "\t%s,%s\t", pv(p, 'u', "erin@bank.example", b1),
	         pv(p, 'u', "frank@corp.example", b2));
	CHECKF(strstr(out, want) != NULL, "rcptto: want %s", want);
	snprintf(want, sizeof(want), "\"%s\" <%s>", pv(p, 'v', "Erin Smith", b1),
	         pv(p, 'u', "erin@bank.example", b2));
	(void)want; /* the display name is one value, quotes included */
	snprintf(want, sizeof(want), "%s <%s>", pv(p, 'v', "\"Erin Smith\"", b1),
	         pv(p, 'u', "erin@bank.example", b2));
	CHECKF(strstr(out, want) != NULL, "from: want %s", want);
	snprintf(want, sizeof(want), "\t%s\t", pv(p, 'u', "grace/BANK.EXAMPLE", b1));
	CHECKF(strstr(out, want) != NULL, "kerberos client: want %s", want);
	CHECKF(strstr(out, "evil.example/p?token=v-") != NULL, "intel url token");
	/* the reverse name of a home address */
	{
		struct dt_ip ip;
		char t[64], rev[80];
		unsigned a, b, c, d;

		dt_ip_parse("10.1.2.3", 8, &ip);
		privacy_addr(p, &ip, &ip);
		dt_ip_format(&ip, t);
		sscanf(t, "%u.%u.%u.%u", &a, &b, &c, &d);
		snprintf(rev, sizeof(rev), "\t%u.%u.%u.%u.in-addr.arpa\t", d, c, b, a);
		CHECKF(strstr(out, rev) != NULL, "reverse name: want %s", rev);
	}
	/* the subnet column: the pseudonym of the prefix */
	{
		struct dt_prefix pf, q;
		char t[64];

		dt_prefix_parse("192.168.7.0/24", 14, &pf, NULL);
		privacy_prefix(p, &pf, &q);
		dt_prefix_format(&q, t);
		CHECKF(strstr(out, t) != NULL, "subnet: want %s", t);
	}
	/* the garbage line: scrubbed, counted, still a line */
	CHECK(pc.unparsed == 2);
	CHECK(strstr(out, "garbage line with ") != NULL);
	CHECK(pc.users >= 5 && pc.names >= 5 && pc.values >= 5 && pc.addrs >= 10);
	free(out);
	privacy_free(p);
}

static const char zeek_json[] =
    "{\"_path\":\"http\",\"ts\":1700000000.25,\"uid\":\"Cj1\",\"id.orig_h\":\"10.1.2.3\","
    "\"id.orig_p\":51000,\"id.resp_h\":\"203.0.113.9\",\"id.resp_p\":80,"
    "\"host\":\"www\\u002ebank.example\",\"uri\":\"/u/alice?email=alice%40bank.example\","
    "\"user_agent\":\"say \\\"hi\\\" to 10.1.2.3\\n\",\"username\":\"alice\","
    "\"tags\":[\"a\",\"10.1.2.9\"]}\n"
    "{\"ts\":\"2023-11-14T22:13:21.5Z\",\"uid\":\"Cj2\",\"id\":{\"orig_h\":\"fd00::9\","
    "\"orig_p\":5353,\"resp_h\":\"9.9.9.9\",\"resp_p\":53},\"query\":\"db.corp.example\","
    "\"answers\":[\"10.2.2.2\",\"cdn.evil.example\"],\"proto\":\"udp\"}\n"
    "not json at all 10.1.2.3\n"
    "\n"
    "{\"_path\":\"conn\",\"ts\":1700000002,\"id.orig_h\":\"10.1.2.3\",\"id.resp_h\":"
    "\"203.0.113.10\",\"conn_state\":\"SF\",\"orig_bytes\":12}\n";

static void test_zeek_json(void)
{
	struct privacy *p = mkpriv(home_domains);
	struct privacy_counts pc;
	char *out;
	static const char *const bad[] = {"10.1.2.3",     "fd00::9", "10.2.2.2",     "10.1.2.9",
	                                  "bank.example", "alice",   "corp.example", NULL};
	static const char *const good[] = {"203.0.113.9",        "9.9.9.9",
	                                   "cdn.evil.example",   "\"id.orig_p\":51000",
	                                   "say \\\"hi\\\" to ", NULL};

	out = acid("zeek json", p, "zeek", zeek_json, strlen(zeek_json), &pc);
	scan("zeek json", out, bad, good);
	CHECK(pc.unparsed == 1);
	CHECK(strstr(out, "\\n\"") != NULL); /* the newline escape kept */
	free(out);
	privacy_free(p);
}

static const char eve[] =
    "{\"timestamp\":\"2026-01-02T03:04:05.123456+0000\",\"flow_id\":123,"
    "\"event_type\":\"alert\",\"src_ip\":\"203.0.113.66\",\"src_port\":4444,"
    "\"dest_ip\":\"10.3.3.3\",\"dest_port\":80,\"proto\":\"TCP\","
    "\"alert\":{\"signature\":\"ET EXPLOIT probe of host.bank.example\","
    "\"signature_id\":2000001,\"severity\":1},"
    "\"http\":{\"hostname\":\"portal.bank.example\",\"url\":\"/account/henry/settings?"
    "pwd=pa55&id=7\",\"http_refer\":\"http://portal.bank.example/home/ivan\","
    "\"http_user_agent\":\"Mozilla/5.0\",\"request_headers\":[{\"name\":\"Cookie\","
    "\"value\":\"sid=SESSIONCOOKIE\"},{\"name\":\"Accept\",\"value\":\"*/*\"}]},"
    "\"payload\":\"R0VUIC8gSFRUUC8xLjENCkhvc3Q6IHBvcnRhbC5iYW5rLmV4YW1wbGU=\","
    "\"payload_printable\":\"GET / HTTP/1.1\\r\\nHost: portal.bank.example\","
    "\"packet\":\"AAAA\",\"stream\":0}\n"
    "{\"timestamp\":\"2026-01-02T03:04:06Z\",\"event_type\":\"dns\",\"src_ip\":\"10.3.3.4\","
    "\"src_port\":5353,\"dest_ip\":\"8.8.8.8\",\"dest_port\":53,\"proto\":\"UDP\","
    "\"dns\":{\"type\":\"answer\",\"rrname\":\"files.corp.example\",\"answers\":[{\"rrname\":"
    "\"files.corp.example\",\"rrtype\":\"A\",\"rdata\":\"10.4.4.4\"}]}}\n"
    "{\"timestamp\":\"2026-01-02T03:04:07Z\",\"event_type\":\"tls\",\"src_ip\":\"fd00::5\","
    "\"src_port\":50000,\"dest_ip\":\"2001:db8::443\",\"dest_port\":443,\"proto\":\"TCP\","
    "\"tls\":{\"sni\":\"vpn.bank.example\",\"fingerprint\":"
    "\"aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd\",\"ja3\":{\"hash\":"
    "\"e7d705a3286e19ea42f587b344ee6865\"}}}\n"
    "{\"timestamp\":\"2026-01-02T03:04:08Z\",\"event_type\":\"smtp\",\"src_ip\":\"10.3.3.5\","
    "\"dest_ip\":\"203.0.113.25\",\"smtp\":{\"helo\":\"ws1.bank.example\",\"mail_from\":"
    "\"<judy@bank.example>\",\"rcpt_to\":[\"<mallory@evil.example>\"]},\"email\":{\"from\":"
    "\"Judy <judy@bank.example>\",\"to\":[\"mallory@evil.example\"]}}\n"
    "{\"timestamp\": \"2026-01-02T03:04:09Z\", \"event_type\": \"flow\", \"src_ip\": "
    "\"10.3.3.6\", \"dest_ip\": \"198.51.100.1\", \"flow\": {\"bytes_toserver\": 10, "
    "\"state\": \"closed\"}}\r\n"
    "{\"broken\": \n"
    "[\"not an object\", \"10.3.3.3\"]\n";

static void test_eve(void)
{
	struct privacy *p = mkpriv(home_domains);
	struct privacy_counts pc;
	char *out, b[80], want[200];
	static const char *const bad[] = {
	    "10.3.3.3",      "10.3.3.4",     "10.4.4.4", "fd00::5", "10.3.3.5", "10.3.3.6",
	    "bank.example",  "corp.example", "henry",    "ivan",    "pa55",     "judy",
	    "SESSIONCOOKIE", "R0VUIC8g",     "AAAA",     NULL};
	static const char *const good[] = {"203.0.113.66",
	                                   "8.8.8.8",
	                                   "2001:db8::443",
	                                   "@evil.example>\"]",
	                                   "ET EXPLOIT probe of h-",
	                                   "\"payload\":\"\"",
	                                   "\"packet\":\"\"",
	                                   "&id=7",
	                                   "\"stream\":0}",
	                                   "\"state\": \"closed\"}}\r\n",
	                                   NULL};

	out = acid("eve", p, "eve", eve, strlen(eve), &pc);
	scan("eve", out, bad, good);
	CHECK(pc.dropped == 3);
	CHECK(pc.unparsed == 2);
	snprintf(want, sizeof(want), "/account/%s/settings?pwd=", pv(p, 'v', "henry", b));
	CHECKF(strstr(out, want) != NULL, "url: want %s", want);
	snprintf(want, sizeof(want), "\"%s <%s>\"", pv(p, 'v', "Judy", b),
	         pv(p, 'u', "judy@bank.example", b + 40));
	CHECKF(strstr(out, want) != NULL, "email.from: want %s", want);
	free(out);
	privacy_free(p);
}

static const char syslog_text[] =
    "Jan  5 10:00:01 web01 sshd[100]: Failed password for alice from 203.0.113.7 port 40000 "
    "ssh2\n"
    "Jan  5 10:00:02 web01 sshd[100]: Failed password for invalid user oracle from "
    "203.0.113.7 port 40001 ssh2\n"
    "Jan  5 10:00:03 web01.bank.example sshd[100]: Accepted publickey for bob from 10.5.5.5 "
    "port 50000 ssh2: RSA SHA256:abcdef\n"
    "Jan  5 10:00:04 web01 sshd[101]: Invalid user test from 198.51.100.9 port 2222\n"
    "Jan  5 10:00:05 web01 sshd[102]: Connection closed by authenticating user carol "
    "203.0.113.8 port 41000 [preauth]\n"
    "Jan  5 10:00:06 web01 sshd[103]: pam_unix(sshd:auth): authentication failure; logname= "
    "uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=dave\n"
    "Jan  5 10:00:07 web01 sshd[104]: pam_unix(sshd:session): session opened for user "
    "erin(uid=1000) by (uid=0)\n"
    "Jan  5 10:00:08 fw1 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:"
    "43:21:08:00 SRC=203.0.113.44 DST=10.6.6.6 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=1 DF "
    "PROTO=TCP SPT=51234 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0\n"
    "<34>1 2026-01-05T10:00:09.5+01:00 db7.corp.example sshd 99 - - Failed password for "
    "frank from 2001:db8::7 port 2 ssh2\n"
    "2026-01-05T10:00:10+00:00 10.8.8.8 sudo: pam_unix(sudo:session): session opened for "
    "user root(uid=0) by grace(uid=1000)\n"
    "this is not syslog 10.6.6.6 host.bank.example\n"
    "\n";

static void test_syslog(void)
{
	struct privacy *p = mkpriv(home_domains);
	struct privacy_counts pc;
	char *out, b[80], want[200];
	static const char *const bad[] = {
	    "web01",    "bank.example", "corp.example", "alice", "bob",
	    "carol",    "dave",         "erin",         "frank", "grace",
	    "10.5.5.5", "10.6.6.6",     "10.8.8.8",     "db7",   "52:54:00:12:34:56",
	    NULL};
	static const char *const good[] = {"for invalid user oracle from 203.0.113.7",
	                                   "Invalid user test from 198.51.100.9",
	                                   "SRC=203.0.113.44",
	                                   "2001:db8::7",
	                                   "[UFW BLOCK] IN=eth0",
	                                   "this is not syslog ",
	                                   NULL};

	out = acid("syslog", p, "syslog", syslog_text, strlen(syslog_text), &pc);
	scan("syslog", out, bad, good);
	CHECK(pc.unparsed == 1);
	snprintf(want, sizeof(want), "Jan  5 10:00:01 %s sshd[100]: Failed password for %s from",
	         pv(p, 'v', "web01", b), pv(p, 'u', "alice", b + 40));
	CHECKF(strstr(out, want) != NULL, "want %s", want);
	snprintf(want, sizeof(want), " %s sshd[100]: Accepted",
	         pv(p, 'n', "web01.bank.example", b));
	CHECKF(strstr(out, want) != NULL, "want %s", want);
	snprintf(want, sizeof(want), "authenticating user %s 203.0.113.8", pv(p, 'u', "carol", b));
	CHECKF(strstr(out, want) != NULL, "want %s", want);
	snprintf(want, sizeof(want), "for user %s(uid=0) by %s(uid=1000)", pv(p, 'u', "root", b),
	         pv(p, 'u', "grace", b + 40));
	CHECKF(strstr(out, want) != NULL, "want %s", want);
	free(out);
	privacy_free(p);
}

static const char weblog_text[] =
    "10.9.1.1 - alice [05/Jan/2026:10:00:00 +0000] \"GET /~bob/cv.pdf?token=T0KEN&x=1 "
    "HTTP/1.1\" 200 512 \"http://www.bank.example/users/carol\" \"Mozilla/5.0\"\n"
    "203.0.113.80 - - [05/Jan/2026:10:00:01 +0000] \"GET /index.php?id=1'%20UNION%20SELECT "
    "HTTP/1.1\" 404 153 \"-\" \"sqlmap/1.7 (\\\"x\\\")\"\n"
    "www.bank.example:443 203.0.113.81 - dave smith [05/Jan/2026:10:00:02 +0100] \"POST "
    "/login?user=dave&next=/a\\\"b HTTP/1.1\" 302 - \"-\" \"curl/8\"\n"
    "203.0.113.82 - - [05/Jan/2026:10:00:03 +0000] \"\\x16\\x03\\x01\" 400 150 \"-\" \"-\"\n"
    "203.0.113.83 - - [05/Jan/2026:10:00:04 +0000] \"CONNECT intranet.bank.example:443 "
    "HTTP/1.1\" 200 0\n"
    "fd00::77 - - [05/Jan/2026:10:00:05 +0000] \"GET http://erin@wiki.corp.example/mail/"
    "erin%40corp.example HTTP/1.0\" 200 1 \"-\" \"-\" 10.9.9.10\n"
    "not an access log line 10.9.1.1\n";

static void test_weblog(void)
{
	struct privacy *p = mkpriv(home_domains);
	struct privacy_counts pc;
	char *out, b[80], want[300];
	static const char *const bad[] = {
	    "10.9.1.1", "fd00::77", "10.9.9.10",    "alice",        "bob",  "carol", "dave",
	    "smith",    "T0KEN",    "bank.example", "corp.example", "erin", NULL};
	static const char *const good[] = {"203.0.113.80",
	                                   "/index.php?id=1'%20UNION%20SELECT",
	                                   "sqlmap/1.7 (\\\"x\\\")",
	                                   "\"\\x16\\x03\\x01\" 400",
	                                   "&x=1 HTTP/1.1\" 200 512",
	                                   "&next=/a\\\"b HTTP/1.1",
	                                   NULL};

	out = acid("weblog", p, "weblog", weblog_text, strlen(weblog_text), &pc);
	scan("weblog", out, bad, good);
	CHECK(pc.unparsed == 1);
	snprintf(want, sizeof(want), " - %s [05/Jan/2026", pv(p, 'u', "alice", b));
	CHECKF(strstr(out, want) != NULL, "want %s", want);
	snprintf(want, sizeof(want), "\"GET /~%s/cv.pdf?token=%s&x=1", pv(p, 'v', "bob", b),
	         pv(p, 'v', "T0KEN", b + 40));
	CHECKF(strstr(out, want) != NULL, "want %s", want);
	snprintf(want, sizeof(want), "%s:443 203.0.113.81 - %s [",
	         pv(p, 'n', "www.bank.example", b), pv(p, 'u', "dave smith", b + 40));
	CHECKF(strstr(out, want) != NULL, "want %s", want);
	free(out);
	privacy_free(p);
}

/* Not the format at all: refused as the parser refuses it. */
static void test_refusals(void)
{
	struct privacy *p = mkpriv(NULL);
	struct privacy_counts pc;
	const char *fmts[] = {"zeek", "eve", "syslog", "weblog"};
	const char text[] = "a,b,c\n1,2,3\n";

	for (size_t i = 0; i < 4; i++) {
		char *out = NULL;
		size_t olen;
		struct evs a;

		parse(fmts[i], text, sizeof(text) - 1, &a);
		CHECKF(sanitize(p, fmts[i], text, sizeof(text) - 1, &out, &olen, &pc) ==
		               DT_EFORMAT &&
		           a.err == DT_EFORMAT,
		       "%s", fmts[i]);
		free(out);
		free(a.v);
	}
	privacy_free(p);
}

int main(void)
{
	RUN(test_zeek_tsv);
	RUN(test_zeek_json);
	RUN(test_eve);
	RUN(test_syslog);
	RUN(test_weblog);
	RUN(test_refusals);
	RUN(test_corpus_zeek);
	RUN(test_corpus_eve);
	DONE();
}
