/*
 * test_privacy.c — the privacy context (privacy/privacy.h): which
 * addresses are home and what they become, prefix preservation, home
 * prefixes, names under home domains, users and e-mails, values, and the
 * text scrubber on tricky text.
 *
 * Expected pseudonyms are never literals computed by the code under test:
 * addresses are checked against a separate Crypto-PAn context made from
 * the first 32 key bytes (cryptopan.h, itself checked against published
 * vectors in test_cryptopan.c), names/users/values against their format
 * and their equalities/inequalities, and scrubbed text against templates
 * whose pieces are the single-value functions ("{A:10.1.2.3}" is the
 * formatted pseudonym of 10.1.2.3, "{N:...}" privacy_name, "{U:...}"
 * privacy_user).
 */
#include "testhelp.h"

#include <stdbool.h>

#include "core/strbuf.h"
#include "privacy/cryptopan.h"
#include "privacy/privacy.h"

static uint8_t key[PRIVACY_KEY_BYTES];

static struct dt_ip ip_of(const char *s)
{
	struct dt_ip ip;

	memset(&ip, 0, sizeof(ip));
	if (dt_ip_parse(s, strlen(s), &ip) != DT_OK) {
		fprintf(stderr, "bad address in the test: %s\n", s);
		abort();
	}
	return ip;
}

static void add_net(struct privacy *p, const char *s)
{
	struct dt_prefix n;

	if (dt_prefix_parse(s, strlen(s), &n, NULL) != DT_OK || privacy_add_net(p, &n) != DT_OK) {
		fprintf(stderr, "cannot add %s\n", s);
		abort();
	}
}

/* 10/8, 192.168/16, 172.16/12, fd00::/8, 2001:db8:1::/48; bank.example,
 * corp.test */
static struct privacy *ctx(void)
{
	struct privacy *p;

	for (int i = 0; i < PRIVACY_KEY_BYTES; i++)
		key[i] = (uint8_t)(i * 7 + 3);
	if (privacy_new(key, &p) != DT_OK)
		abort();
	add_net(p, "10.0.0.0/8");
	add_net(p, "192.168.0.0/16");
	add_net(p, "172.16.0.0/12");
	add_net(p, "fd00::/8");
	add_net(p, "2001:db8:1::/48");
	if (privacy_add_domain(p, "Bank.Example.", 13) != DT_OK ||
	    privacy_add_domain(p, "corp.test", 9) != DT_OK)
		abort();
	return p;
}

static struct cryptopan *ref_cp(void)
{
	struct cryptopan *cp;

	if (cryptopan_new(key, &cp) != DT_OK)
		abort();
	return cp;
}

/* ---- addresses ----------------------------------------------------------- */

static void test_addr_home(void)
{
	struct privacy *p = ctx();
	struct cryptopan *cp = ref_cp();
	static const char *const home[] = {
	    "10.0.0.0",      "10.255.255.255",     "10.1.2.3",       "192.168.0.1",
	    "172.16.0.1",    "172.31.255.255",     "fd00::1",        "fdff:ffff::",
	    "2001:db8:1::5", "2001:db8:1:ffff::1", "::ffff:10.1.2.3"};
	static const char *const away[] = {"9.255.255.255", "11.0.0.0",       "8.8.8.8",
	                                   "172.32.0.0",    "172.15.255.255", "192.169.0.0",
	                                   "fc00::1",       "fe00::",         "2001:db8:2::1",
	                                   "2001:db8::1",   "::a01:203",      "::ffff:8.8.8.8"};

	for (size_t i = 0; i < sizeof(home) / sizeof(home[0]); i++) {
		struct dt_ip a = ip_of(home[i]), q, want;

		CHECKF(privacy_home_addr(p, &a), "%s is home", home[i]);
		CHECKF(privacy_addr(p, &a, &q), "%s pseudonymized", home[i]);
		cryptopan_ip(cp, &a, &want);
		CHECKF(q.family == want.family && q.mapped == want.mapped && q.addr == want.addr,
		       "%s: not its Crypto-PAn pseudonym", home[i]);
		CHECKF(q.addr != a.addr, "%s unchanged", home[i]);
		privacy_addr_always(p, &a, &q);
		CHECK(q.addr == want.addr);
		/* in place */
		privacy_addr(p, &a, &a);
		CHECK(a.addr == want.addr);
	}
	for (size_t i = 0; i < sizeof(away) / sizeof(away[0]); i++) {
		struct dt_ip a = ip_of(away[i]), q;

		CHECKF(!privacy_home_addr(p, &a), "%s is not home", away[i]);
		CHECKF(!privacy_addr(p, &a, &q), "%s", away[i]);
		CHECKF(q.family == a.family && q.mapped == a.mapped && q.addr == a.addr,
		       "%s must stay as it is", away[i]);
	}
	/* clear: nothing is home any more */
	privacy_clear_nets(p);
	{
		struct dt_ip a = ip_of("10.1.2.3"), q;

		CHECK(!privacy_addr(p, &a, &q) && q.addr == a.addr);
	}
	/* a net given with host bits set still covers its addresses */
	{
		struct dt_prefix n;
		struct dt_ip a = ip_of("100.64.1.2");

		CHECK(dt_prefix_parse("100.64.0.0/10", 13, &n, NULL) == DT_OK);
		n.ip.addr |= 0x1234;
		CHECK(privacy_add_net(p, &n) == DT_OK);
		CHECK(privacy_home_addr(p, &a));
	}
	/* the maximum */
	privacy_clear_nets(p);
	for (int i = 0; i < PRIVACY_MAX_NETS; i++)
		add_net(p, "10.0.0.0/8");
	{
		struct dt_prefix n;

		CHECK(dt_prefix_parse("11.0.0.0/8", 10, &n, NULL) == DT_OK);
		CHECK(privacy_add_net(p, &n) == DT_ELIMIT);
	}
	cryptopan_free(cp);
	privacy_free(p);
}

static unsigned common_bits(dt_u128 a, dt_u128 b, unsigned bits)
{
	dt_u128 x = a ^ b;
	unsigned k = 0;

	while (k < bits && !((x >> (bits - 1 - k)) & 1))
		k++;
	return k;
}

/* Home addresses sharing exactly k leading bits have pseudonyms sharing
 * exactly k, for every k from the net's length on; so a shared /24 stays a
 * shared /24 and a different /24 a different one. */
static void test_prefix_preserving(void)
{
	struct privacy *p = ctx();
	unsigned long long s = 1;

	for (unsigned k = 8; k <= 32; k++) {
		for (int t = 0; t < 300; t++) {
			uint32_t a = 0x0a000000u | ((uint32_t)th_rand(&s) & 0xffffff), b = a;
			struct dt_ip x = {.family = DT_IP_V4}, y = {.family = DT_IP_V4}, px, py;

			if (k < 32)
				b = (a & ~0u << (32 - k)) | (~a & (0x80000000u >> k)) |
				    ((uint32_t)th_rand(&s) & (0x7fffffffu >> k));
			x.addr = a;
			y.addr = b;
			privacy_addr(p, &x, &px);
			privacy_addr(p, &y, &py);
			CHECKF(common_bits(px.addr, py.addr, 32) == common_bits(a, b, 32),
			       "k=%u: %08x %08x", k, a, b);
			/* /24 in, /24 out */
			CHECK(((a ^ b) >> 8 == 0) == ((uint32_t)(px.addr ^ py.addr) >> 8 == 0));
		}
	}
	for (unsigned k = 8; k <= 128; k++) {
		for (int t = 0; t < 20; t++) {
			dt_u128 r = (dt_u128)th_rand(&s) << 64 | th_rand(&s);
			dt_u128 a = (dt_u128)0xfd << 120 | (r & (~(dt_u128)0 >> 8)), b = a;
			struct dt_ip x = {.family = DT_IP_V6}, y = {.family = DT_IP_V6}, px, py;

			if (k < 128) {
				dt_u128 flip = (dt_u128)1 << (127 - k);
				dt_u128 low =
				    ((dt_u128)th_rand(&s) << 64 | th_rand(&s)) & (flip - 1);

				b = (a & ~(flip | (flip - 1))) | (~a & flip) | low;
			}
			x.addr = a;
			y.addr = b;
			privacy_addr(p, &x, &px);
			privacy_addr(p, &y, &py);
			CHECKF(common_bits(px.addr, py.addr, 128) == common_bits(a, b, 128),
			       "v6 k=%u", k);
		}
	}
	privacy_free(p);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* One to one on a sample: 200,000 distinct home addresses, 200,000
 * distinct pseudonyms. */
static void test_bijection(void)
{
	struct privacy *p = ctx();
	size_t n = 200000, dup = 0;
	uint32_t *in = malloc(n * sizeof(*in)), *out = malloc(n * sizeof(*out));
	unsigned long long s = 3;

	for (size_t i = 0; i < n; i++)
		in[i] = 0x0a000000u | ((uint32_t)th_rand(&s) & 0xffffff);
	qsort(in, n, sizeof(*in), cmp_u32);
	{
		size_t j = 0; /* distinct inputs */

		for (size_t i = 0; i < n; i++)
			if (j == 0 || in[i] != in[j - 1])
				in[j++] = in[i];
		n = j;
	}
	for (size_t i = 0; i < n; i++) {
		struct dt_ip a = {.family = DT_IP_V4, .addr = in[i]}, q;

		privacy_addr(p, &a, &q);
		out[i] = (uint32_t)q.addr;
	}
	qsort(out, n, sizeof(*out), cmp_u32);
	for (size_t i = 1; i < n; i++)
		dup += out[i] == out[i - 1];
	CHECKF(dup == 0, "%zu collisions among %zu pseudonyms", dup, n);
	free(in);
	free(out);
	privacy_free(p);
}

/* The pseudonym of a home net contains the pseudonyms of its members. */
static void test_home_prefixes(void)
{
	struct privacy *p = ctx();
	static const char *const nets[] = {"10.0.0.0/8",    "192.168.0.0/16",  "172.16.0.0/12",
	                                   "fd00::/8",      "2001:db8:1::/48", "10.20.30.0/24",
	                                   "192.168.7.7/32"};
	unsigned long long s = 4;

	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		struct dt_prefix n, pn;
		dt_u128 mask;

		CHECK(dt_prefix_parse(nets[i], strlen(nets[i]), &n, NULL) == DT_OK);
		privacy_prefix(p, &n, &pn);
		mask = dt_ip_mask(n.ip.family, n.len);
		CHECK(pn.len == n.len && pn.ip.family == n.ip.family && (pn.ip.addr & ~mask) == 0);
		for (int t = 0; t < 500; t++) {
			struct dt_ip m = n.ip, q;
			dt_u128 r = (dt_u128)th_rand(&s) << 64 | th_rand(&s);

			m.addr = n.ip.addr | (r & ~mask & dt_ip_max(n.ip.family));
			CHECK(privacy_addr(p, &m, &q));
			CHECKF((q.addr & mask) == pn.ip.addr,
			       "%s: member outside the pseudonym net", nets[i]);
		}
	}
	privacy_free(p);
}

/* ---- names, users, values ------------------------------------------------ */

static bool b32s(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '2' && s[i] <= '7')))
			return false;
	return true;
}

/* "h-<10>.d-<8>.invalid" (sub = true) or "d-<8>.invalid" */
static bool name_form(const char *t, size_t k, bool sub)
{
	if (sub)
		return k == 31 && strlen(t) == k && !memcmp(t, "h-", 2) && b32s(t + 2, 10) &&
		       !memcmp(t + 12, ".d-", 3) && b32s(t + 15, 8) && !strcmp(t + 23, ".invalid");
	return k == 18 && strlen(t) == k && !memcmp(t, "d-", 2) && b32s(t + 2, 8) &&
	       !strcmp(t + 10, ".invalid");
}

static size_t pname(struct privacy *p, const char *s, char *t)
{
	memset(t, 'x', PRIVACY_PSEUDO_MAX + 1);
	return privacy_name(p, s, strlen(s), t);
}

static void test_names(void)
{
	struct privacy *p = ctx();
	char a[PRIVACY_PSEUDO_MAX + 1], b[PRIVACY_PSEUDO_MAX + 1];
	static const char *const same[] = {"WWW.Bank.Example", "www.bank.example.",
	                                   "www.BANK.example..", "www.bank.example"};
	static const char *const away[] = {"notbank.example", "bank.example.com", "xbank.example",
	                                   "example",         "bank-example",     "bank.examples",
	                                   "corp.testing",    "evil.com",         ""};
	size_t k;

	k = pname(p, "www.bank.example", a);
	CHECKF(name_form(a, k, true), "form: %s", a);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		CHECKF(pname(p, same[i], b) == k && !strcmp(a, b),
		       "%s: case and trailing dots must not matter", same[i]);
		CHECK(privacy_home_name(p, same[i], strlen(same[i])) == 12);
	}
	for (size_t i = 0; i < sizeof(away) / sizeof(away[0]); i++) {
		CHECKF(pname(p, away[i], b) == 0, "%s is not under a home domain", away[i]);
		CHECKF(privacy_home_name(p, away[i], strlen(away[i])) == 0, "%s", away[i]);
	}
	/* the domain itself: no h- part */
	k = pname(p, "bank.example", b);
	CHECKF(name_form(b, k, false), "domain form: %s", b);
	CHECK(!strcmp(b, a + 13)); /* and the same d- part as its members */
	CHECK(pname(p, "Bank.Example.", b) == k);
	/* members of one domain share the suffix, other names differ */
	k = pname(p, "mail.bank.example", b);
	CHECK(name_form(b, k, true) && !strcmp(a + 12, b + 12) && memcmp(a, b, 12));
	k = pname(p, "a.b.c.bank.example", b);
	CHECK(name_form(b, k, true) && !strcmp(a + 12, b + 12));
	k = pname(p, "www.corp.test", b);
	CHECK(name_form(b, k, true) && strcmp(a + 12, b + 12) && memcmp(a, b, 12));
	/* labels: a boundary, not a suffix of a label */
	CHECK(privacy_home_name(p, "x.notbank.example", 17) == 0);
	CHECK(privacy_home_name(p, "x.corp.test", 11) == 9);
	/* bad domains */
	CHECK(privacy_add_domain(p, "", 0) == DT_EPARSE);
	CHECK(privacy_add_domain(p, ".", 1) == DT_EPARSE);
	CHECK(privacy_add_domain(p, ".a.b", 4) == DT_EPARSE);
	CHECK(privacy_add_domain(p, "a..b", 4) == DT_EPARSE);
	CHECK(privacy_add_domain(p, "a b", 3) == DT_EPARSE);
	CHECK(privacy_add_domain(p, "a/b", 3) == DT_EPARSE);
	/* the length is the length: "x.org" of "x.orgZZZ" */
	CHECK(privacy_add_domain(p, "x.orgZZZ", 5) == DT_OK);
	CHECK(privacy_home_name(p, "www.x.org", 9) == 5);
	CHECK(privacy_home_name(p, "www.x.orgzzz", 12) == 0);
	/* a duplicate is not added twice; the maximum holds */
	for (int i = 0; i < 1000; i++)
		CHECK(privacy_add_domain(p, "corp.test", 9) == DT_OK);
	{
		int i, err = DT_OK;
		char d[32];

		for (i = 0; i < PRIVACY_MAX_DOMAINS + 5 && err == DT_OK; i++) {
			snprintf(d, sizeof(d), "d%d.example", i);
			err = privacy_add_domain(p, d, strlen(d));
		}
		CHECK(err == DT_ELIMIT && i == PRIVACY_MAX_DOMAINS - 2);
	}
	privacy_free(p);
}

static void test_users_values(void)
{
	struct privacy *p = ctx(), *q;
	char a[PRIVACY_PSEUDO_MAX + 1], b[PRIVACY_PSEUDO_MAX + 1], n[PRIVACY_PSEUDO_MAX + 1];
	size_t k;
	uint8_t key2[PRIVACY_KEY_BYTES];

	k = privacy_user(p, "alice", 5, a);
	CHECK(k == 14 && strlen(a) == 14 && !memcmp(a, "u-", 2) && b32s(a + 2, 12));
	CHECK(privacy_user(p, "alice", 5, b) == 14 && !strcmp(a, b));
	CHECK(privacy_user(p, "bob", 3, b) == 14 && strcmp(a, b));
	CHECK(privacy_user(p, "", 0, b) == 0);
	/* e-mail of a home domain: the same user pseudonym, '@', the name's */
	k = privacy_user(p, "alice@bank.example", 18, b);
	privacy_name(p, "bank.example", 12, n);
	CHECKF(k == 14 + 1 + strlen(n) && !memcmp(a, b, 14) && b[14] == '@' && !strcmp(b + 15, n),
	       "%s", b);
	k = privacy_user(p, "alice@mail.Bank.Example", 23, b);
	privacy_name(p, "mail.bank.example", 17, n);
	CHECK(k == 15 + strlen(n) && !memcmp(a, b, 14) && !strcmp(b + 15, n));
	/* foreign domain: kept (the user is still pseudonymized) */
	k = privacy_user(p, "alice@gmail.com", 15, b);
	CHECK(k == 24 && !memcmp(a, b, 14) && !strcmp(b + 14, "@gmail.com"));
	/* a very long foreign domain is cut to fit */
	{
		char e[300];

		memset(e, 'x', sizeof(e));
		memcpy(e, "alice@", 6);
		k = privacy_user(p, e, sizeof(e), b);
		CHECK(k <= PRIVACY_PSEUDO_MAX && strlen(b) == k);
	}
	/* values */
	k = privacy_value(p, "s3cr3t", 6, a);
	CHECK(k == 14 && strlen(a) == 14 && !memcmp(a, "v-", 2) && b32s(a + 2, 12));
	CHECK(privacy_value(p, "s3cr3t", 6, b) == 14 && !strcmp(a, b));
	CHECK(privacy_value(p, "S3cr3t", 6, b) == 14 && strcmp(a, b));
	CHECK(privacy_value(p, "", 0, b) == 0);
	/* types are separated: the value "alice" is not the user "alice" */
	privacy_user(p, "alice", 5, b);
	privacy_value(p, "alice", 5, a);
	CHECK(strcmp(a + 2, b + 2));
	/* another key, other pseudonyms */
	memcpy(key2, key, sizeof(key2));
	key2[40] ^= 1;
	CHECK(privacy_new(key2, &q) == DT_OK);
	privacy_value(q, "s3cr3t", 6, b);
	privacy_value(p, "s3cr3t", 6, a);
	CHECK(strcmp(a, b));
	privacy_free(q);
	privacy_free(p);
}

/* ---- the scrubber ---------------------------------------------------------- */

/* Expands a template: "{A:addr}", "{N:name}", "{U:user}" become pseudonyms
 * from the single-value functions; the rest is copied. */
static void expand(struct privacy *p, const char *tpl, struct strbuf *out)
{
	while (*tpl) {
		const char *e;
		char t[PRIVACY_PSEUDO_MAX + 1 + DT_IP_STRLEN], v[256];
		size_t n, k = 0;

		if (tpl[0] != '{' || !tpl[1] || tpl[2] != ':' || !(e = strchr(tpl, '}'))) {
			strbuf_addc(out, *tpl++);
			continue;
		}
		n = (size_t)(e - tpl - 3);
		memcpy(v, tpl + 3, n);
		v[n] = 0;
		if (tpl[1] == 'A') {
			struct dt_ip a = ip_of(v), q;

			if (!privacy_addr(p, &a, &q))
				fprintf(stderr, "template: %s is not home\n", v);
			k = dt_ip_format(&q, t);
		} else if (tpl[1] == 'N') {
			k = privacy_name(p, v, n, t);
		} else if (tpl[1] == 'U') {
			k = privacy_user(p, v, n, t);
		}
		strbuf_add(out, t, k);
		tpl = e + 1;
	}
}

/* memcmp that allows n == 0 with NULL (an empty strbuf has no bytes) */
static bool same(const void *a, const void *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

static void scrub_is(struct privacy *p, const char *in, size_t n, const char *tpl, int line)
{
	struct strbuf got, want;

	strbuf_init(&got, 1 << 20);
	strbuf_init(&want, 1 << 20);
	CHECK(privacy_scrub(p, in, n, &got, NULL) == DT_OK);
	expand(p, tpl, &want);
	CHECKF(got.len == want.len && same(got.p, want.p, got.len),
	       "line %d: scrub(\"%s\")\n  got  \"%s\"\n  want \"%s\"", line, in, got.p, want.p);
	strbuf_release(&got);
	strbuf_release(&want);
}

#define SCRUB(in, tpl) scrub_is(p, in, strlen(in), tpl, __LINE__)
#define SAME(in)       scrub_is(p, in, strlen(in), in, __LINE__)

static void test_scrub(void)
{
	struct privacy *p = ctx();

	/* addresses alone and with ports */
	SCRUB("conn from 10.1.2.3 to 8.8.8.8", "conn from {A:10.1.2.3} to 8.8.8.8");
	SCRUB("10.1.2.3:443", "{A:10.1.2.3}:443");
	SCRUB("[fd00::1]:443", "[{A:fd00::1}]:443");
	SCRUB("IP 10.1.2.3.51234 > 8.8.8.8.53: UDP", "IP {A:10.1.2.3}.51234 > 8.8.8.8.53: UDP");
	SCRUB("IP6 fd00::1.443 > 2001:db8::9.5353:", "IP6 {A:fd00::1}.443 > 2001:db8::9.5353:");
	SCRUB("2001:db8:1::77", "{A:2001:db8:1::77}");
	SCRUB("::ffff:10.1.2.3", "{A:::ffff:10.1.2.3}");
	SCRUB("fe80::1%eth0 fd12:3456::1%2", "fe80::1%eth0 {A:fd12:3456::1}%2");
	/* next to punctuation */
	SCRUB("(10.1.2.3), '192.168.1.1'; <172.16.0.9> 10.9.9.9.",
	      "({A:10.1.2.3}), '{A:192.168.1.1}'; <{A:172.16.0.9}> {A:10.9.9.9}.");
	SCRUB("a=10.1.2.3&b=10.1.2.4#10.1.2.5", "a={A:10.1.2.3}&b={A:10.1.2.4}#{A:10.1.2.5}");
	SCRUB("10.1.2.3-10.1.2.9", "{A:10.1.2.3}-{A:10.1.2.9}");
	SCRUB("host-10.1.2.3 x_10.1.2.4", "host-{A:10.1.2.3} x_{A:10.1.2.4}");
	SCRUB("root@10.1.2.3", "root@{A:10.1.2.3}");
	SCRUB("10.1.2.3:80->8.8.8.8:53", "{A:10.1.2.3}:80->8.8.8.8:53");
	SCRUB("SRC=10.1.2.3 DST=fd00::2 ", "SRC={A:10.1.2.3} DST={A:fd00::2} ");
	/* JSON */
	SCRUB("{\"src\":\"10.1.2.3\",\"host\":\"www.bank.example\",\"dst\":\"1.2.3.4\"}",
	      "{\"src\":\"{A:10.1.2.3}\",\"host\":\"{N:www.bank.example}\",\"dst\":\"1.2.3.4\"}");
	/* URLs and names */
	SCRUB("http://www.bank.example:8080/login?u=1",
	      "http://{N:www.bank.example}:8080/login?u=1");
	SCRUB("https://intranet.corp.test/a/b.php?x=evil.com",
	      "https://{N:intranet.corp.test}/a/b.php?x=evil.com");
	SCRUB("http://10.1.2.3:8080/x", "http://{A:10.1.2.3}:8080/x");
	SCRUB("http://[fd00::5]/", "http://[{A:fd00::5}]/");
	SCRUB("Host: WWW.Bank.Example\r\n", "Host: {N:www.bank.example}\r\n");
	SCRUB("query www.bank.example. A", "query {N:www.bank.example}. A");
	SCRUB("bank.example", "{N:bank.example}");
	SAME("notbank.example bank.example.evil.com evil.com xbank.example");
	/* e-mails */
	SCRUB("mail from <alice@bank.example>", "mail from <{U:alice@bank.example}>");
	SCRUB("mailto:alice@bank.example", "mailto:{U:alice@bank.example}");
	SCRUB("contact alice@bank.example.", "contact {U:alice@bank.example}.");
	SCRUB("bob.smith+tag@mail.corp.test", "{U:bob.smith+tag@mail.corp.test}");
	SAME("bob@gmail.com, eve@notbank.example");
	SCRUB("@bank.example", "@{N:bank.example}");
	/* untouched, byte for byte */
	SAME("8.8.8.8 1.2.3.4:80 2001:db8::1 [2001:db8::1]:53 9.255.255.255");
	SAME("mac 52:54:00:12:34:56 at 12:34:56.789 ver 1.2.3.4.5.6 id deadbeef cafe::");
	SAME("a10.1.2.3 10.1.2.3a 10.1.2.300 010.001.002.003x");
	SAME("");
	SAME("plain text, nothing to see: here!");
	{
		const char bin[] = "\x00\x01\xff\xfe 10.0.0.1\x00z\x80\x90";
		struct strbuf got, want;

		strbuf_init(&got, 1 << 20);
		strbuf_init(&want, 1 << 20);
		CHECK(privacy_scrub(p, bin, sizeof(bin) - 1, &got, NULL) == DT_OK);
		strbuf_add(&want, bin, 5);
		expand(p, "{A:10.0.0.1}", &want);
		strbuf_add(&want, bin + 13, sizeof(bin) - 1 - 13);
		CHECK(got.len == want.len && same(got.p, want.p, got.len));
		strbuf_release(&got);
		strbuf_release(&want);
	}
	privacy_free(p);
}

static void test_scrub_counts(void)
{
	struct privacy *p = ctx();
	struct privacy_counts c;
	struct strbuf out;
	const char *s = "10.1.2.3 8.8.8.8 fd00::1 www.bank.example evil.com alice@bank.example "
	                "bob@gmail.com 10.1.2.3:80";

	memset(&c, 0, sizeof(c));
	strbuf_init(&out, 1 << 20);
	CHECK(privacy_scrub(p, s, strlen(s), &out, &c) == DT_OK);
	CHECK(c.addrs == 3 && c.names == 1 && c.users == 1);
	/* a full buffer is an error, not a silent cut */
	strbuf_release(&out);
	strbuf_init(&out, 10);
	CHECK(privacy_scrub(p, s, strlen(s), &out, NULL) == DT_ELIMIT);
	strbuf_release(&out);
	privacy_free(p);
}

static bool run_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == ':' || c == '@' || c == '+';
}

/*
 * Properties over random text made of address, name and punctuation
 * pieces: (1) with no home nets or domains the output is the input; (2)
 * otherwise the characters outside name/address runs are kept in order,
 * each run stays one run, and a run that is exactly a home address becomes
 * its pseudonym; (3) scrubbing two halves cut at a separator equals
 * scrubbing the whole.
 */
static void test_scrub_properties(void)
{
	static const char *const pieces[] = {"10.1.2.3",
	                                     "8.8.8.8",
	                                     "fd00::1",
	                                     "2001:db8::1",
	                                     ":",
	                                     ".",
	                                     "@",
	                                     "-",
	                                     " ",
	                                     "\t",
	                                     "\"",
	                                     "[",
	                                     "]",
	                                     "/",
	                                     ",",
	                                     "=",
	                                     "www.bank.example",
	                                     "bank.example",
	                                     "x.corp.test",
	                                     "evil.com",
	                                     "alice",
	                                     "443",
	                                     "\xc3\xa9",
	                                     "\x00",
	                                     "192.168.7.1",
	                                     "ffff",
	                                     "::",
	                                     "a"};
	struct privacy *p = ctx(), *empty;
	unsigned long long s = 77;
	struct strbuf o1, o2, o3;
	char in[512];

	CHECK(privacy_new(key, &empty) == DT_OK);
	strbuf_init(&o1, 1 << 20);
	strbuf_init(&o2, 1 << 20);
	strbuf_init(&o3, 1 << 20);
	for (int t = 0; t < 4000; t++) {
		size_t n = 0, np = 1 + th_rand(&s) % 24, ri = 0, ro = 0, cut;
		bool ok = true;

		for (size_t i = 0; i < np; i++) {
			const char *q = pieces[th_rand(&s) % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t l = *q ? strlen(q) : 1; /* "\x00" is one NUL byte */

			memcpy(in + n, q, l);
			n += l;
		}
		strbuf_reset(&o1);
		CHECK(privacy_scrub(empty, in, n, &o1, NULL) == DT_OK);
		CHECK(o1.len == n && same(o1.p, in, n));
		strbuf_reset(&o1);
		CHECK(privacy_scrub(p, in, n, &o1, NULL) == DT_OK);
		/* walk the runs of input and output together */
		while (ok && (ri < n || ro < o1.len)) {
			size_t i0 = ri, o0 = ro;

			if (ri < n && !run_char((unsigned char)in[ri])) {
				ok = ro < o1.len && o1.p[ro] == in[ri];
				ri++;
				ro++;
				continue;
			}
			while (ri < n && run_char((unsigned char)in[ri]))
				ri++;
			while (ro < o1.len && run_char((unsigned char)o1.p[ro]))
				ro++;
			ok = ri > i0 && ro > o0;
			if (ok) {
				struct dt_ip a, q;
				char f[DT_IP_STRLEN];

				if (dt_ip_parse(in + i0, ri - i0, &a) == DT_OK &&
				    privacy_addr(p, &a, &q))
					ok = dt_ip_format(&q, f) == ro - o0 &&
					     same(f, o1.p + o0, ro - o0);
			}
		}
		CHECKF(ok, "runs do not line up for input #%d", t);
		/* cut at a separator */
		for (cut = th_rand(&s) % (n + 1); cut < n && run_char((unsigned char)in[cut]);)
			cut++;
		if (cut > 0 && run_char((unsigned char)in[cut - 1]) && cut < n)
			continue; /* no separator after the cut point */
		strbuf_reset(&o2);
		strbuf_reset(&o3);
		CHECK(privacy_scrub(p, in, cut, &o2, NULL) == DT_OK);
		CHECK(privacy_scrub(p, in + cut, n - cut, &o3, NULL) == DT_OK);
		CHECK(o2.len + o3.len == o1.len && same(o1.p, o2.p, o2.len) &&
		      same(o1.p + o2.len, o3.p, o3.len));
	}
	strbuf_release(&o1);
	strbuf_release(&o2);
	strbuf_release(&o3);
	privacy_free(empty);
	privacy_free(p);
}

int main(void)
{
	RUN(test_addr_home);
	RUN(test_prefix_preserving);
	RUN(test_bijection);
	RUN(test_home_prefixes);
	RUN(test_names);
	RUN(test_users_values);
	RUN(test_scrub);
	RUN(test_scrub_counts);
	RUN(test_scrub_properties);
	DONE();
}
