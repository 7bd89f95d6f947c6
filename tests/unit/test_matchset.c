/*
 * test_matchset.c — the indicator match indexes (intel/matchset.h).
 *
 * Hand cases: nested IPv4 and IPv6 prefixes (every covering prefix answers,
 * payloads sorted and without repeats), /0, /32 and /128 at both ends of
 * the space, addresses just inside and just outside each prefix, IPv4-mapped
 * text against IPv4 prefixes and a real IPv6 value against them; domain
 * suffixes (evil.com matches a.b.evil.com, not notevil.com nor evil.com.au),
 * names shorter and longer than one 8-byte word in unterminated buffers;
 * exact values per type; the batch IPv4 form; misuse refused.
 *
 * Differential: random prefixes with heavy nesting and duplicates (both
 * families), random addresses biased to prefix edges, random domains and
 * exact values, each answer compared with a brute-force scan of the list of
 * everything added — same payloads, same order, no repeats.
 */
#include "testhelp.h"

#include <stdbool.h>
#include <stdint.h>

#include "core/ip.h"
#include "intel/matchset.h"

static struct matchset *fresh(void)
{
	struct matchset *m = NULL;

	if (matchset_new(&m) != DT_OK)
		abort();
	return m;
}

static enum dt_err add_cidr(struct matchset *m, const char *s, uint32_t val)
{
	struct dt_prefix p;

	if (dt_prefix_parse(s, strlen(s), &p, NULL) != DT_OK)
		return DT_EPARSE;
	return matchset_add_prefix(m, &p, val);
}

/* The payloads of address s as text "1,2,3" ("" for none). */
static const char *ip_hits(const struct matchset *m, const char *s)
{
	static char buf[512];
	struct ms_hits h = {0};
	struct dt_ip ip;
	size_t len = 0;

	buf[0] = '\0';
	if (dt_ip_parse(s, strlen(s), &ip) != DT_OK)
		return "parse error";
	matchset_ip(m, &ip, &h);
	for (size_t i = 0; i < h.n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%u", i ? "," : "", h.v[i]);
	ms_hits_release(&h);
	return buf;
}

static const char *fmt_hits(const struct ms_hits *h, size_t from)
{
	static char buf[512];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = from; i < h->n && len < sizeof(buf) - 16; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%u", i > from ? "," : "",
		                        h->v[i]);
	return buf;
}

/* Domain lookup from an exactly-sized heap copy (no terminator to lean on). */
static const char *dom_hits(const struct matchset *m, const char *s)
{
	struct ms_hits h = {0};
	size_t n = strlen(s);
	char *copy = malloc(n ? n : 1);
	const char *r;

	memcpy(copy, s, n);
	matchset_domain(m, copy, n, &h);
	r = fmt_hits(&h, 0);
	free(copy);
	ms_hits_release(&h);
	return r;
}

static const char *exact_hits(const struct matchset *m, enum ind_type t, const char *s)
{
	struct ms_hits h = {0};
	const char *r;

	matchset_exact(m, t, s, strlen(s), &h);
	r = fmt_hits(&h, 0);
	ms_hits_release(&h);
	return r;
}

#define EXPECT_IP(m, a, want)                                                                      \
	do {                                                                                       \
		const char *got_ = ip_hits(m, a);                                                  \
		CHECKF(strcmp(got_, want) == 0, "%s: got \"%s\", want \"%s\"", a, got_, want);     \
	} while (0)
#define EXPECT_DOM(m, d, want)                                                                     \
	do {                                                                                       \
		const char *got_ = dom_hits(m, d);                                                 \
		CHECKF(strcmp(got_, want) == 0, "%s: got \"%s\", want \"%s\"", d, got_, want);     \
	} while (0)

static void test_nested_v4(void)
{
	struct matchset *m = fresh();
	struct matchset_stats st;

	CHECK(add_cidr(m, "10.0.0.0/8", 1) == DT_OK);
	CHECK(add_cidr(m, "10.1.0.0/16", 2) == DT_OK);
	CHECK(add_cidr(m, "10.1.2.3", 3) == DT_OK);
	CHECK(add_cidr(m, "10.1.2.3/32", 3) == DT_OK); /* the same twice */
	CHECK(add_cidr(m, "10.1.2.3", 1) == DT_OK);    /* a payload the /8 has */
	CHECK(add_cidr(m, "10.1.2.0/24", 9) == DT_OK);
	CHECK(add_cidr(m, "10.1.2.0/24", 0) == DT_OK);
	CHECK(add_cidr(m, "10.200.0.0/15", 4) == DT_OK);
	CHECK(add_cidr(m, "10.201.255.255", 5) == DT_OK); /* last of the /15 */
	CHECK(add_cidr(m, "10.200.0.0/32", 6) == DT_OK);  /* first of the /15 */
	CHECK(add_cidr(m, "192.0.2.0/24", 7) == DT_OK);
	CHECK(add_cidr(m, "192.0.3.0/24", 7) == DT_OK); /* adjacent, same payload */
	CHECK(matchset_build(m) == DT_OK);

	EXPECT_IP(m, "10.1.2.3", "0,1,2,3,9");
	EXPECT_IP(m, "10.1.2.2", "0,1,2,9");
	EXPECT_IP(m, "10.1.2.4", "0,1,2,9");
	EXPECT_IP(m, "10.1.2.0", "0,1,2,9");
	EXPECT_IP(m, "10.1.2.255", "0,1,2,9");
	EXPECT_IP(m, "10.1.1.255", "1,2");
	EXPECT_IP(m, "10.1.3.0", "1,2");
	EXPECT_IP(m, "10.1.0.0", "1,2");
	EXPECT_IP(m, "10.1.255.255", "1,2");
	EXPECT_IP(m, "10.0.255.255", "1");
	EXPECT_IP(m, "10.2.0.0", "1");
	EXPECT_IP(m, "10.0.0.0", "1");
	EXPECT_IP(m, "10.255.255.255", "1");
	EXPECT_IP(m, "9.255.255.255", "");
	EXPECT_IP(m, "11.0.0.0", "");
	EXPECT_IP(m, "10.199.255.255", "1");
	EXPECT_IP(m, "10.200.0.0", "1,4,6");
	EXPECT_IP(m, "10.200.0.1", "1,4");
	EXPECT_IP(m, "10.201.255.254", "1,4");
	EXPECT_IP(m, "10.201.255.255", "1,4,5");
	EXPECT_IP(m, "10.202.0.0", "1");
	EXPECT_IP(m, "192.0.1.255", "");
	EXPECT_IP(m, "192.0.2.0", "7");
	EXPECT_IP(m, "192.0.3.255", "7");
	EXPECT_IP(m, "192.0.4.0", "");
	EXPECT_IP(m, "0.0.0.0", "");
	EXPECT_IP(m, "255.255.255.255", "");
	EXPECT_IP(m, "::1", "");
	EXPECT_IP(m, "::ffff:10.1.2.3", "0,1,2,3,9"); /* mapped text is IPv4 */

	matchset_stats(m, &st);
	CHECK(st.prefixes == 12);
	CHECK(st.intervals6 == 1);
	CHECK(st.bytes > 0);
	/* 192.0.2.0/24 and 192.0.3.0/24 merge into one interval */
	CHECKF(st.intervals4 == 15, "intervals4 %zu", st.intervals4);
	matchset_free(m);
}

static void test_edges(void)
{
	struct matchset *m = fresh();

	CHECK(add_cidr(m, "0.0.0.0/0", 100) == DT_OK);
	CHECK(add_cidr(m, "0.0.0.0/32", 101) == DT_OK);
	CHECK(add_cidr(m, "255.255.255.255/32", 102) == DT_OK);
	CHECK(add_cidr(m, "128.0.0.0/1", 103) == DT_OK);
	CHECK(add_cidr(m, "::/128", 200) == DT_OK);
	CHECK(add_cidr(m, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 201) == DT_OK);
	CHECK(add_cidr(m, "2001:db8::/32", 202) == DT_OK);
	CHECK(add_cidr(m, "2001:db8::1/128", 203) == DT_OK);
	CHECK(add_cidr(m, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128", 204) == DT_OK);
	CHECK(add_cidr(m, "8000::/1", 205) == DT_OK);
	CHECK(matchset_build(m) == DT_OK);

	EXPECT_IP(m, "0.0.0.0", "100,101");
	EXPECT_IP(m, "0.0.0.1", "100");
	EXPECT_IP(m, "127.255.255.255", "100");
	EXPECT_IP(m, "128.0.0.0", "100,103");
	EXPECT_IP(m, "255.255.255.254", "100,103");
	EXPECT_IP(m, "255.255.255.255", "100,102,103");
	EXPECT_IP(m, "::", "200");
	EXPECT_IP(m, "::1", "");
	EXPECT_IP(m, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "");
	EXPECT_IP(m, "2001:db8::", "202");
	EXPECT_IP(m, "2001:db8::1", "202,203");
	EXPECT_IP(m, "2001:db8::2", "202");
	EXPECT_IP(m, "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe", "202");
	EXPECT_IP(m, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "202,204");
	EXPECT_IP(m, "2001:db9::", "");
	EXPECT_IP(m, "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "");
	EXPECT_IP(m, "8000::", "205");
	EXPECT_IP(m, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "205");
	EXPECT_IP(m, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "201,205");
	matchset_free(m);

	/* ::/0 alone, and the v6 /0 does not answer IPv4 */
	m = fresh();
	CHECK(add_cidr(m, "::/0", 7) == DT_OK);
	CHECK(matchset_build(m) == DT_OK);
	EXPECT_IP(m, "::", "7");
	EXPECT_IP(m, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "7");
	EXPECT_IP(m, "1.2.3.4", "");
	matchset_free(m);
}

static void test_mapped(void)
{
	struct matchset *m = fresh();
	struct ms_hits h = {0};
	struct dt_prefix p;
	struct dt_ip ip6 = {.family = DT_IP_V6, .addr = ((dt_u128)0xffff << 32) | 0x01020304};

	/* ::ffff:1.2.3.0/120 is the IPv4 prefix 1.2.3.0/24 (core/ip.h) */
	CHECK(dt_prefix_parse("::ffff:1.2.3.0/120", 18, &p, NULL) == DT_OK);
	CHECK(p.ip.family == DT_IP_V4 && p.len == 24);
	CHECK(matchset_add_prefix(m, &p, 1) == DT_OK);
	CHECK(add_cidr(m, "::ffff:0:0/96", 2) == DT_OK); /* becomes 0.0.0.0/0 */
	CHECK(add_cidr(m, "64:ff9b::/96", 3) == DT_OK);  /* a real IPv6 prefix */
	CHECK(matchset_build(m) == DT_OK);
	EXPECT_IP(m, "1.2.3.4", "1,2");
	EXPECT_IP(m, "::ffff:1.2.3.4", "1,2");
	EXPECT_IP(m, "64:ff9b::1.2.3.4", "3");
	/* the same 128-bit value with family 6 is another address: no IPv4 hit */
	CHECK(matchset_ip(m, &ip6, &h) == 0 && h.n == 0);
	ip6.family = 5;
	CHECK(matchset_ip(m, &ip6, &h) == 0);
	ms_hits_release(&h);
	matchset_free(m);
}

static void test_domains(void)
{
	struct matchset *m = fresh();
	struct matchset_stats st;
	struct ms_hits h = {0};

	CHECK(matchset_add_domain(m, "evil.com", 8, 1) == DT_OK);
	CHECK(matchset_add_domain(m, "evil.com", 8, 1) == DT_OK);
	CHECK(matchset_add_domain(m, "evil.com", 8, 2) == DT_OK);
	CHECK(matchset_add_domain(m, "b.evil.com", 10, 0) == DT_OK);
	CHECK(matchset_add_domain(m, "x.io", 4, 5) == DT_OK);
	CHECK(matchset_add_domain(m, "abcdefgh.net", 12, 6) == DT_OK);          /* 8-byte label */
	CHECK(matchset_add_domain(m, "abcdefghijklmnopq.org", 21, 7) == DT_OK); /* 17 bytes */
	CHECK(matchset_add_domain(m, "ab", 2, 8) == DT_OK);                     /* one label */
	CHECK(matchset_add_domain(m, "", 0, 9) == DT_EINVAL);
	CHECK(matchset_build(m) == DT_OK);

	EXPECT_DOM(m, "evil.com", "1,2");
	EXPECT_DOM(m, "a.evil.com", "1,2");
	EXPECT_DOM(m, "b.evil.com", "0,1,2");
	EXPECT_DOM(m, "a.b.evil.com", "0,1,2");
	EXPECT_DOM(m, "notevil.com", "");
	EXPECT_DOM(m, "evil.com.au", "");
	EXPECT_DOM(m, "com", "");
	EXPECT_DOM(m, "vil.com", "");
	EXPECT_DOM(m, "xb.evil.com", "1,2");
	EXPECT_DOM(m, "ab.evil.com", "1,2");
	EXPECT_DOM(m, "x.io", "5");
	EXPECT_DOM(m, "y.x.io", "5");
	EXPECT_DOM(m, "xx.io", "");
	EXPECT_DOM(m, "io", "");
	EXPECT_DOM(m, "abcdefgh.net", "6");
	EXPECT_DOM(m, "q.abcdefgh.net", "6");
	EXPECT_DOM(m, "bcdefgh.net", "");
	EXPECT_DOM(m, "abcdefghijklmnopq.org", "7");
	EXPECT_DOM(m, "www.abcdefghijklmnopq.org", "7");
	EXPECT_DOM(m, "abcdefghijklmnopr.org", "");
	EXPECT_DOM(m, "ab", "8");
	EXPECT_DOM(m, "x.ab", "8");
	EXPECT_DOM(m, "evil.ab", "8");
	EXPECT_DOM(m, "a", "");
	EXPECT_DOM(m, "", "");

	/* appended after what is there; the count is what this call added */
	h.n = 0;
	CHECK(matchset_domain(m, "q.x.io", 6, &h) == 1);
	CHECK(matchset_domain(m, "a.b.evil.com", 12, &h) == 3);
	CHECK(strcmp(fmt_hits(&h, 0), "5,0,1,2") == 0);
	ms_hits_release(&h);

	matchset_stats(m, &st);
	CHECK(st.domains == 6);
	matchset_free(m);
}

static void test_exact(void)
{
	struct matchset *m = fresh();

	CHECK(matchset_add_exact(m, IT_MD5, "abc", 3, 1) == DT_OK);
	CHECK(matchset_add_exact(m, IT_SHA1, "abc", 3, 2) == DT_OK);
	CHECK(matchset_add_exact(m, IT_SHA1, "abc", 3, 2) == DT_OK);
	CHECK(matchset_add_exact(m, IT_SHA1, "abc", 3, 0) == DT_OK);
	CHECK(matchset_add_exact(m, IT_URL, "evil.com/a?b", 12, 3) == DT_OK);
	CHECK(matchset_add_exact(m, IT_DOMAIN, "evil.com", 8, 4) == DT_EINVAL);
	CHECK(matchset_add_exact(m, IT_IPV4, "1.2.3.4", 7, 4) == DT_EINVAL);
	CHECK(matchset_add_exact(m, IT_IP, "1.2.3.4", 7, 4) == DT_EINVAL);
	CHECK(matchset_add_exact(m, IT_NTYPES, "x", 1, 4) == DT_EINVAL);
	CHECK(matchset_add_exact(m, IT_OTHER, "", 0, 4) == DT_EINVAL);
	CHECK(matchset_build(m) == DT_OK);

	CHECK(strcmp(exact_hits(m, IT_MD5, "abc"), "1") == 0);
	CHECK(strcmp(exact_hits(m, IT_SHA1, "abc"), "0,2") == 0);
	CHECK(strcmp(exact_hits(m, IT_SHA256, "abc"), "") == 0);
	CHECK(strcmp(exact_hits(m, IT_MD5, "abcd"), "") == 0);
	CHECK(strcmp(exact_hits(m, IT_MD5, "ab"), "") == 0);
	CHECK(strcmp(exact_hits(m, IT_URL, "evil.com/a?b"), "3") == 0);
	CHECK(strcmp(exact_hits(m, IT_URL, "evil.com/a?c"), "") == 0);
	CHECK(strcmp(exact_hits(m, IT_NONE, "abc"), "") == 0);
	/* domains and exact values do not see each other */
	CHECK(strcmp(dom_hits(m, "evil.com/a?b"), "") == 0);
	matchset_free(m);
}

static void test_misuse(void)
{
	struct matchset *m = fresh();
	struct matchset_stats st;
	struct ms_hits h = {0};
	struct dt_ip ip = {.family = DT_IP_V4, .addr = 1};
	struct dt_prefix bad = {.ip = {.family = DT_IP_V4}, .len = 33};
	struct dt_prefix bad6 = {.ip = {.family = DT_IP_V6}, .len = 129};
	struct dt_prefix badf = {.ip = {.family = 0}, .len = 0};
	struct dt_prefix host = {.ip = {.family = DT_IP_V4, .addr = 0x0a0b0c0d}, .len = 8};
	uint32_t addrs[3] = {1, 2, 0x0a000001}, ids[3] = {9, 9, 9};
	const uint32_t *vals;

	/* before build: nothing answers */
	CHECK(matchset_ip(m, &ip, &h) == 0);
	CHECK(matchset_domain(m, "a", 1, &h) == 0);
	matchset_ip4_sets(m, addrs, ids, 3);
	CHECK(ids[0] == 0 && ids[1] == 0 && ids[2] == 0);
	CHECK(matchset_add_prefix(m, &bad, 1) == DT_EINVAL);
	CHECK(matchset_add_prefix(m, &bad6, 1) == DT_EINVAL);
	CHECK(matchset_add_prefix(m, &badf, 1) == DT_EINVAL);
	CHECK(matchset_add_prefix(m, &host, 1) == DT_OK); /* host bits cleared */
	CHECK(matchset_build(m) == DT_OK);
	CHECK(matchset_build(m) == DT_EINVAL);
	CHECK(add_cidr(m, "1.2.3.4", 1) == DT_EINVAL);
	CHECK(matchset_add_domain(m, "a.b", 3, 1) == DT_EINVAL);
	CHECK(matchset_add_exact(m, IT_MD5, "a", 1, 1) == DT_EINVAL);
	EXPECT_IP(m, "10.0.0.0", "1");
	EXPECT_IP(m, "10.255.255.255", "1");
	EXPECT_IP(m, "11.0.0.0", "");
	matchset_ip4_sets(m, addrs, ids, 3);
	CHECK(ids[0] == 0 && ids[1] == 0 && ids[2] != 0);
	CHECK(matchset_set(m, ids[2], &vals) == 1 && vals[0] == 1);
	CHECK(matchset_set(m, 0, &vals) == 0);
	CHECK(matchset_set(m, 12345, &vals) == 0 && vals == NULL);
	matchset_stats(m, &st);
	CHECK(st.sets == 2 && st.intervals4 == 3 && st.intervals6 == 1);
	ms_hits_release(&h);
	ms_hits_release(NULL);
	matchset_free(m);
	matchset_free(NULL);

	/* an empty set builds and answers nothing */
	m = fresh();
	CHECK(matchset_build(m) == DT_OK);
	EXPECT_IP(m, "1.2.3.4", "");
	EXPECT_IP(m, "::1", "");
	EXPECT_DOM(m, "a.com", "");
	CHECK(strcmp(exact_hits(m, IT_MD5, "abc"), "") == 0);
	matchset_stats(m, &st);
	CHECK(st.sets == 1 && st.intervals4 == 1 && st.intervals6 == 1 && st.domains == 0);
	matchset_free(m);
}

/* ---- differential ------------------------------------------------------ */

static unsigned long long seed = 0x5eed1234ull;

static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(th_rand(&seed) % n);
}

static size_t ref_unique(uint32_t *v, size_t n)
{
	size_t m = 0;

	/* insertion sort: the reference must not share code with the subject */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint32_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		if (m == 0 || v[i] != v[m - 1])
			v[m++] = v[i];
	return m;
}

struct rp {
	dt_u128 lo, mask;
	uint32_t val;
	uint8_t len;
};

/* Random prefixes of one family: a third fresh, the rest inside earlier
 * ones (nesting), some exact repeats with another payload. */
static void gen_prefixes(struct rp *p, size_t n, uint8_t fam)
{
	unsigned bits = dt_ip_bits(fam);
	dt_u128 max = dt_ip_max(fam);

	for (size_t i = 0; i < n; i++) {
		dt_u128 r = ((dt_u128)th_rand(&seed) << 64 | th_rand(&seed)) & max;
		unsigned len;

		if (i > 0 && rnd(100) < 8) {
			p[i] = p[rnd((uint32_t)i)];
		} else if (i > 0 && rnd(100) < 65) {
			const struct rp *o = &p[rnd((uint32_t)i)];

			len = o->len + rnd(bits - o->len + 1);
			p[i].lo = (o->lo | (r & ~o->mask)) & dt_ip_mask(fam, len);
			p[i].len = (uint8_t)len;
		} else {
			/* fresh, mostly long; a few short (no /0: the hand
			 * cases have it, here it would make every address hit) */
			len = rnd(1000) < 5 ? 4 + rnd(9) : bits / 2 + rnd(bits / 2 + 1);
			if (fam == DT_IP_V6 && rnd(2))
				r = (r & (((dt_u128)1 << 96) - 1)) | ((dt_u128)0x20010db8 << 96);
			p[i].lo = r & dt_ip_mask(fam, len);
			p[i].len = (uint8_t)len;
		}
		p[i].mask = dt_ip_mask(fam, p[i].len);
		p[i].val = rnd(3000);
	}
}

static dt_u128 pick_addr(const struct rp *p, size_t n, uint8_t fam)
{
	dt_u128 max = dt_ip_max(fam);
	dt_u128 r = ((dt_u128)th_rand(&seed) << 64 | th_rand(&seed)) & max;
	const struct rp *o = &p[rnd((uint32_t)n)];
	dt_u128 hi = o->lo | (~o->mask & max);

	switch (rnd(8)) {
	case 0: return o->lo;
	case 1: return hi;
	case 2: return (o->lo - 1) & max;
	case 3: return (hi + 1) & max;
	case 4:
	case 5: return o->lo | (r & ~o->mask);
	default: return r;
	}
}

static void diff_family(uint8_t fam, size_t np, size_t na)
{
	struct matchset *m = fresh();
	struct rp *p = calloc(np, sizeof(*p));
	uint32_t *ref = malloc((np + 1) * sizeof(*ref));
	dt_u128 *addr = malloc(na * sizeof(*addr));
	uint32_t *a4 = malloc(na * sizeof(*a4)), *ids = malloc(na * sizeof(*ids));
	struct ms_hits h = {0};
	size_t bad = 0, hits = 0, multi = 0;

	gen_prefixes(p, np, fam);
	for (size_t i = 0; i < np; i++) {
		struct dt_prefix x = {.ip = {.family = fam, .addr = p[i].lo}, .len = p[i].len};

		CHECK(matchset_add_prefix(m, &x, p[i].val) == DT_OK);
	}
	CHECK(matchset_build(m) == DT_OK);
	for (size_t i = 0; i < na; i++) {
		addr[i] = pick_addr(p, np, fam);
		a4[i] = (uint32_t)addr[i];
	}
	if (fam == DT_IP_V4)
		matchset_ip4_sets(m, a4, ids, na);
	for (size_t i = 0; i < na; i++) {
		struct dt_ip ip = {.family = fam, .addr = addr[i]};
		size_t nr = 0, got;

		for (size_t j = 0; j < np; j++)
			if ((addr[i] & p[j].mask) == p[j].lo)
				ref[nr++] = p[j].val;
		nr = ref_unique(ref, nr);
		h.n = 0;
		got = matchset_ip(m, &ip, &h);
		hits += nr > 0;
		multi += nr > 1;
		if (got != nr || h.n != nr || (nr && memcmp(h.v, ref, nr * sizeof(*ref)) != 0)) {
			if (bad++ < 5)
				CHECKF(0, "family %u address #%zu: %zu payloads, want %zu", fam, i,
				       got, nr);
			continue;
		}
		if (fam == DT_IP_V4) {
			const uint32_t *v;
			size_t n = matchset_set(m, ids[i], &v);

			if (n != nr || (nr && memcmp(v, ref, nr * sizeof(*ref)) != 0)) {
				if (bad++ < 5)
					CHECKF(0, "batch: address #%zu: set %u", i, ids[i]);
			}
		}
	}
	CHECKF(bad == 0, "family %u: %zu of %zu addresses disagree", fam, bad, na);
	/* the test means something: many hits, many with several payloads */
	CHECKF(hits > na / 3 && multi > na / 20, "hits %zu multi %zu", hits, multi);
	{
		struct matchset_stats st;

		matchset_stats(m, &st);
		printf("# family %u: %zu prefixes, %zu/%zu intervals, %zu sets, %zu of %zu "
		       "addresses hit, %zu with several payloads\n",
		       fam, st.prefixes, st.intervals4, st.intervals6, st.sets, hits, na, multi);
	}
	ms_hits_release(&h);
	free(p);
	free(ref);
	free(addr);
	free(a4);
	free(ids);
	matchset_free(m);
}

/* Sizes: the reference is a full scan, np * na steps per family. */
static size_t env_size(const char *name, size_t dflt)
{
	const char *s = getenv(name);

	return s && *s ? (size_t)strtoull(s, NULL, 10) : dflt;
}

static void test_diff_v4(void)
{
	diff_family(DT_IP_V4, env_size("MATCHSET_PREFIXES", 20000),
	            env_size("MATCHSET_ADDRS", 50000));
}

static void test_diff_v6(void)
{
	diff_family(DT_IP_V6, env_size("MATCHSET_PREFIXES", 20000) / 2,
	            env_size("MATCHSET_ADDRS", 50000) / 2);
}

static const char *const labels[] = {"a",    "b",        "evil",         "com", "x1",
                                     "io",   "example",  "longerlabel9", "co",  "uk",
                                     "c-om", "abcdefgh", "abcdefghi",    "w_w", "z"};
#define NLABELS (sizeof(labels) / sizeof(labels[0]))

static size_t gen_domain(char *buf, unsigned minlabels, unsigned maxlabels)
{
	unsigned n = minlabels + rnd(maxlabels - minlabels + 1);
	size_t len = 0;

	for (unsigned i = 0; i < n; i++) {
		const char *l = labels[rnd(NLABELS)];

		if (i)
			buf[len++] = '.';
		memcpy(buf + len, l, strlen(l));
		len += strlen(l);
	}
	buf[len] = '\0';
	return len;
}

static void test_diff_domains(void)
{
	enum { ND = 3000, NQ = 20000 };
	static char dom[ND][128];
	static uint32_t dval[ND];
	static uint32_t ref[ND];
	struct matchset *m = fresh();
	struct ms_hits h = {0};
	size_t bad = 0, hits = 0, multi = 0;

	for (size_t i = 0; i < ND; i++) {
		size_t len = gen_domain(dom[i], 2, 3);

		dval[i] = rnd(1000);
		CHECK(matchset_add_domain(m, dom[i], len, dval[i]) == DT_OK);
	}
	CHECK(matchset_build(m) == DT_OK);
	for (size_t q = 0; q < NQ; q++) {
		char buf[256];
		size_t len = gen_domain(buf, 1, 6), nr = 0, got;
		char *copy = malloc(len);

		for (size_t i = 0; i < ND; i++) {
			size_t dl = strlen(dom[i]);

			if ((dl == len && memcmp(dom[i], buf, len) == 0) ||
			    (dl < len && buf[len - dl - 1] == '.' &&
			     memcmp(dom[i], buf + len - dl, dl) == 0))
				ref[nr++] = dval[i];
		}
		nr = ref_unique(ref, nr);
		memcpy(copy, buf, len);
		h.n = 0;
		got = matchset_domain(m, copy, len, &h);
		free(copy);
		hits += nr > 0;
		multi += nr > 1;
		if (got != nr || h.n != nr || (nr && memcmp(h.v, ref, nr * sizeof(*ref)) != 0))
			if (bad++ < 5)
				CHECKF(0, "%s: %zu payloads, want %zu", buf, got, nr);
	}
	CHECKF(bad == 0, "%zu of %d names disagree", bad, NQ);
	CHECKF(hits > NQ / 4 && multi > NQ / 20, "hits %zu multi %zu", hits, multi);
	printf("# domains: %d names, %zu of %d queries hit, %zu with several payloads\n", ND, hits,
	       NQ, multi);
	ms_hits_release(&h);
	matchset_free(m);
}

static void test_diff_exact(void)
{
	enum { NE = 5000, NQ = 20000 };
	static const enum ind_type types[] = {IT_URL, IT_MD5, IT_SHA1, IT_JA3, IT_EMAIL, IT_OTHER};
	static char val[NE][40];
	static enum ind_type typ[NE];
	static uint32_t ev[NE], ref[NE];
	struct matchset *m = fresh();
	struct ms_hits h = {0};
	size_t bad = 0, hits = 0;

	for (size_t i = 0; i < NE; i++) {
		/* values from a small pool, so types and payloads collide */
		snprintf(val[i], sizeof(val[i]), "%u%.*s", rnd(700), (int)rnd(30),
		         "abcdefghijklmnopqrstuvwxyz0123456789");
		typ[i] = types[rnd(6)];
		ev[i] = rnd(500);
		CHECK(matchset_add_exact(m, typ[i], val[i], strlen(val[i]), ev[i]) == DT_OK);
	}
	CHECK(matchset_build(m) == DT_OK);
	for (size_t q = 0; q < NQ; q++) {
		char buf[40];
		enum ind_type t = types[rnd(6)];
		size_t nr = 0, got;

		snprintf(buf, sizeof(buf), "%u%.*s", rnd(700), (int)rnd(30),
		         "abcdefghijklmnopqrstuvwxyz0123456789");
		for (size_t i = 0; i < NE; i++)
			if (typ[i] == t && strcmp(val[i], buf) == 0)
				ref[nr++] = ev[i];
		nr = ref_unique(ref, nr);
		h.n = 0;
		got = matchset_exact(m, t, buf, strlen(buf), &h);
		hits += nr > 0;
		if (got != nr || (nr && memcmp(h.v, ref, nr * sizeof(*ref)) != 0))
			if (bad++ < 5)
				CHECKF(0, "%s: %zu payloads, want %zu", buf, got, nr);
	}
	CHECKF(bad == 0, "%zu of %d values disagree", bad, NQ);
	CHECKF(hits > 50, "hits %zu", hits);
	ms_hits_release(&h);
	matchset_free(m);
}

int main(void)
{
	RUN(test_nested_v4);
	RUN(test_edges);
	RUN(test_mapped);
	RUN(test_domains);
	RUN(test_exact);
	RUN(test_misuse);
	RUN(test_diff_v4);
	RUN(test_diff_v6);
	RUN(test_diff_domains);
	RUN(test_diff_exact);
	DONE();
}
