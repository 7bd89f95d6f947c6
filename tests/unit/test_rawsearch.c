/*
 * test_rawsearch.c — the default reference data (Tor geoip/geoip6 and the
 * ip-location-db ASN CSVs) answered by the index exactly as a plain binary
 * search over the raw range files answers: a million random IPv4 and
 * IPv6 addresses plus the first and last address of every range.
 *
 * Surrounding blanks of an organisation name are dropped on both sides
 * (the ASN CSV has a few names with a trailing space).
 *
 * The reference side is deliberately naive and independent of the
 * library's parsers: stdio, strtoul and inet_pton.
 */
#include "testhelp.h"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geo/build.h"
#include "geo/geo.h"

struct rr {
	dt_u128 lo, hi;
	uint32_t asn;
	char cc[3];
	char *org;
};

struct table {
	struct rr *r;
	size_t n, cap;
};

static char tor4[] = "/usr/share/tor/geoip", tor6[] = "/usr/share/tor/geoip6";
static char asn4[1024], asn6[1024];

static dt_u128 parse_addr(const char *s, bool *v6)
{
	unsigned char b[16];
	dt_u128 a = 0;

	if (strchr(s, ':')) {
		*v6 = true;
		if (inet_pton(AF_INET6, s, b) != 1)
			return 0;
		for (int i = 0; i < 16; i++)
			a = (a << 8) | b[i];
		return a;
	}
	*v6 = false;
	if (strchr(s, '.')) {
		if (inet_pton(AF_INET, s, b) != 1)
			return 0;
		return ((dt_u128)b[0] << 24) | ((dt_u128)b[1] << 16) | ((dt_u128)b[2] << 8) | b[3];
	}
	return strtoul(s, NULL, 10);
}

static void push(struct table *t, const struct rr *r)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 65536;
		t->r = realloc(t->r, t->cap * sizeof(*t->r));
	}
	t->r[t->n++] = *r;
}

/* start,end,CC  or  start,end,asn,org (org possibly "quoted, with ""s""") */
static void load(const char *path, bool with_asn, struct table *t)
{
	FILE *f = fopen(path, "r");
	char line[4096];

	while (f && fgets(line, sizeof(line), f)) {
		char *a = line, *b, *c, *nl;
		struct rr r = {0};
		bool v6;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		b = strchr(a, ',');
		*b++ = '\0';
		c = strchr(b, ',');
		*c++ = '\0';
		r.lo = parse_addr(a, &v6);
		r.hi = parse_addr(b, &v6);
		if (!with_asn) {
			if (strcmp(c, "??") != 0)
				snprintf(r.cc, sizeof(r.cc), "%s", c);
		} else {
			char *o = strchr(c, ',');

			*o++ = '\0';
			r.asn = (uint32_t)strtoul(c, NULL, 10);
			if (*o == '"') {
				char *w = o, *p = o + 1;

				while (*p) {
					if (*p == '"' && p[1] == '"') {
						*w++ = '"';
						p += 2;
					} else if (*p == '"') {
						break;
					} else {
						*w++ = *p++;
					}
				}
				*w = '\0';
			}
			/* surrounding blanks are not part of a name (the library trims) */
			while (*o == ' ' || *o == '\t')
				o++;
			for (size_t k = strlen(o); k > 0 && (o[k - 1] == ' ' || o[k - 1] == '\t'); k--)
				o[k - 1] = '\0';
			r.org = *o ? strdup(o) : NULL;
		}
		push(t, &r);
	}
	if (f)
		fclose(f);
}

/* The last range starting at or before a, if it reaches a. */
static const struct rr *search(const struct table *t, dt_u128 a)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->r[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || t->r[lo - 1].hi < a)
		return NULL;
	return &t->r[lo - 1];
}

static struct table c4, c6, a4, a6;
static struct geo_index *ix;
static long long mismatches_shown;

static void compare(uint8_t family, dt_u128 a)
{
	const struct rr *c = search(family == DT_IP_V4 ? &c4 : &c6, a);
	const struct rr *n = search(family == DT_IP_V4 ? &a4 : &a6, a);
	struct dt_ip ip = {.family = family, .addr = a};
	struct geo_answer g;
	const char *want_org = n && n->org ? n->org : "";

	geo_lookup(ix, &ip, &g);
	if (strcmp(g.country, c ? c->cc : "") != 0 || g.asn != (n ? n->asn : 0) ||
	    strcmp(g.as_org ? g.as_org : "", want_org) != 0) {
		char t[DT_IP_STRLEN];

		dt_ip_format(&ip, t);
		CHECKF(0, "%s: index %s/%u/%s, raw files %s/%u/%s", t, g.country, g.asn,
		       g.as_org ? g.as_org : "", c ? c->cc : "", n ? n->asn : 0, want_org);
		mismatches_shown++;
	}
}

static bool setup(void)
{
	const char *dd = getenv("DETENTE_DATA_DIR");
	struct geo_builder *b;
	struct dt_diag d;
	uint8_t *img = NULL;
	size_t len;
	char tmp[] = "/tmp/detente-raw-XXXXXX";
	struct stat st;
	int fd;

	snprintf(asn4, sizeof(asn4), "%s/ip-location-db-asn/asn-ipv4.csv", dd ? dd : "data");
	snprintf(asn6, sizeof(asn6), "%s/ip-location-db-asn/asn-ipv6.csv", dd ? dd : "data");
	if (stat(tor4, &st) || stat(tor6, &st) || stat(asn4, &st) || stat(asn6, &st))
		return false;
	load(tor4, false, &c4);
	load(tor6, false, &c6);
	load(asn4, true, &a4);
	load(asn6, true, &a6);
	geo_builder_new(&b);
	geo_builder_set_warn(b, NULL, NULL);
	if (geo_builder_add_file(b, GEO_IN_COUNTRY, tor4, NULL, &d) ||
	    geo_builder_add_file(b, GEO_IN_COUNTRY, tor6, NULL, &d) ||
	    geo_builder_add_file(b, GEO_IN_ASN, asn4, NULL, &d) ||
	    geo_builder_add_file(b, GEO_IN_ASN, asn6, NULL, &d) ||
	    geo_builder_serialize(b, &img, &len, &d)) {
		geo_builder_free(b);
		return false;
	}
	geo_builder_free(b);
	fd = mkstemp(tmp);
	if (fd >= 0 && write(fd, img, len) == (ssize_t)len)
		geo_index_open(tmp, &ix, &d);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(img);
	return ix != NULL;
}

static bool ready;

static void test_loaded(void)
{
	if (!ready)
		SKIP("default reference data absent (run scripts/bootstrap)");
	CHECK(c4.n > 100000 && c6.n > 50000 && a4.n > 100000 && a6.n > 50000);
	printf("     raw ranges: %zu + %zu country, %zu + %zu ASN\n", c4.n, c6.n, a4.n, a6.n);
}

static void test_every_range_edge(void)
{
	struct table *ts[] = {&c4, &c6, &a4, &a6};
	long long probes = 0;

	if (!ready)
		SKIP("default reference data absent (run scripts/bootstrap)");
	for (int k = 0; k < 4; k++) {
		uint8_t fam = (k & 1) ? DT_IP_V6 : DT_IP_V4;

		for (size_t i = 0; i < ts[k]->n; i++) {
			compare(fam, ts[k]->r[i].lo);
			compare(fam, ts[k]->r[i].hi);
			if (ts[k]->r[i].lo > 0)
				compare(fam, ts[k]->r[i].lo - 1);
			probes += 3;
		}
	}
	printf("     %lld range-edge probes\n", probes);
}

static void test_random_v4(void)
{
	unsigned long long seed = 2026;

	if (!ready)
		SKIP("default reference data absent (run scripts/bootstrap)");
	for (int i = 0; i < 1000000; i++)
		compare(DT_IP_V4, (uint32_t)th_rand(&seed));
}

static void test_random_v6(void)
{
	unsigned long long seed = 6;

	if (!ready)
		SKIP("default reference data absent (run scripts/bootstrap)");
	for (int i = 0; i < 1000000; i++) {
		uint64_t r = th_rand(&seed);
		dt_u128 a = ((dt_u128)th_rand(&seed) << 64) | th_rand(&seed);

		if (r & 1) {
			/* inside a random ASN or country range */
			const struct table *t = (r & 2) ? &a6 : &c6;
			const struct rr *x = &t->r[(r >> 8) % t->n];
			dt_u128 span = x->hi - x->lo;

			a = x->lo + (span == ~(dt_u128)0 ? a : a % (span + 1));
		} else {
			a = (a >> 3) | ((dt_u128)1 << 125); /* 2000::/3 */
		}
		compare(DT_IP_V6, a);
	}
}

int main(void)
{
	ready = setup();
	if (!ready)
		printf("note: default reference data absent: raw-search tests skip\n");
	RUN(test_loaded);
	RUN(test_every_range_edge);
	RUN(test_random_v4);
	RUN(test_random_v6);
	geo_index_free(ix);
	DONE();
}
