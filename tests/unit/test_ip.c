/*
 * test_ip.c — address parsing and printing against RFC 4291 / RFC 5952
 * examples, and the prefix arithmetic the index relies on.
 */
#include "testhelp.h"

#include <arpa/inet.h>

#include "core/ip.h"

static int parse(const char *s, struct dt_ip *ip)
{
	return dt_ip_parse(s, strlen(s), ip) == DT_OK;
}

static const char *fmt(const char *s)
{
	static char buf[DT_IP_STRLEN];
	struct dt_ip ip;

	if (!parse(s, &ip))
		return "(invalid)";
	dt_ip_format(&ip, buf);
	return buf;
}

static void test_ipv4_valid(void)
{
	struct dt_ip ip;

	CHECK(parse("0.0.0.0", &ip) && ip.family == DT_IP_V4 && ip.addr == 0);
	CHECK(parse("255.255.255.255", &ip) && ip.addr == 0xffffffffu);
	CHECK(parse("8.8.4.4", &ip) && ip.addr == 0x08080404u && !ip.mapped);
	CHECK(strcmp(fmt("192.0.2.1"), "192.0.2.1") == 0);
}

static void test_ipv4_invalid(void)
{
	static const char *bad[] = {
		"", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04", "01.2.3.4",
		"1..2.3", "1.2.3.", ".1.2.3", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d",
		"1.2.3.-4", "1.2.3.4/", "4294967296", "1.2.3.4\n",
	};
	struct dt_ip ip;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECKF(!parse(bad[i], &ip), "accepted '%s'", bad[i]);
}

static void test_ipv6_canonical(void)
{
	/* RFC 5952 section 4 examples and edge cases */
	static const char *cases[][2] = {
		{"2001:db8:0:0:0:0:2:1", "2001:db8::2:1"},
		{"2001:0db8::0001", "2001:db8::1"},
		{"2001:db8::0:1", "2001:db8::1"},
		{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
		{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
		{"2001:DB8::A", "2001:db8::a"},
		{"::", "::"},
		{"::1", "::1"},
		{"1::", "1::"},
		{"0:0:0:0:0:0:0:0", "::"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
		{"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
		{"::1.2.3.4", "::102:304"},
		{"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
		{"::FFFF:0102:0304", "::ffff:1.2.3.4"},
		{"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		CHECKF(strcmp(fmt(cases[i][0]), cases[i][1]) == 0, "'%s' printed '%s', want '%s'",
		       cases[i][0], fmt(cases[i][0]), cases[i][1]);
}

static void test_ipv6_invalid(void)
{
	static const char *bad[] = {
		":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "g::",
		"fe80::1%eth0", "::1.2.3", "::1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4",
		"::256.1.1.1", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
	};
	struct dt_ip ip;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECKF(!parse(bad[i], &ip), "accepted '%s'", bad[i]);
}

static void test_mapped(void)
{
	struct dt_ip ip;

	CHECK(parse("::ffff:8.8.8.8", &ip) && ip.family == DT_IP_V4 && ip.mapped &&
	      ip.addr == 0x08080808u);
	CHECK(parse("::ffff:808:808", &ip) && ip.family == DT_IP_V4 && ip.mapped);
	/* IPv4-compatible (deprecated) stays IPv6 */
	CHECK(parse("::8.8.8.8", &ip) && ip.family == DT_IP_V6);
}

/* Against glibc's inet_pton/inet_ntop on random addresses. */
static void test_against_libc(void)
{
	unsigned long long seed = 1;

	for (int i = 0; i < 200000; i++) {
		unsigned char raw[16], back[16];
		char text[INET6_ADDRSTRLEN], mine[DT_IP_STRLEN];
		struct dt_ip ip;

		for (int k = 0; k < 16; k++) {
			unsigned long long r = th_rand(&seed);
			/* many zero groups to exercise "::" placement */
			raw[k] = (r & 3) ? 0 : (unsigned char)(r >> 8);
		}
		if (raw[10] == 0xff && raw[11] == 0xff)
			raw[10] = 0;
		inet_ntop(AF_INET6, raw, text, sizeof(text));
		CHECKF(parse(text, &ip), "rejected '%s'", text);
		dt_ip_format(&ip, mine);
		/* glibc prints ::a.b.c.d for some IPv4-compatible forms; compare values */
		CHECKF(inet_pton(AF_INET6, mine, back) == 1 && memcmp(raw, back, 16) == 0,
		       "'%s' printed as '%s'", text, mine);
		if (raw[0] | raw[1] | raw[2] | raw[3] | raw[4] | raw[5] | raw[6] | raw[7] |
		    raw[8] | raw[9] | raw[10] | raw[11])
			CHECKF(strcmp(text, mine) == 0, "'%s' printed as '%s'", text, mine);
	}
}

static void test_prefix(void)
{
	struct dt_prefix p;
	bool host;
	char buf[DT_IP_STRLEN];

	CHECK(dt_prefix_parse("10.1.2.3/8", 10, &p, &host) == DT_OK && host &&
	      p.ip.addr == 0x0a000000u && p.len == 8);
	dt_prefix_format(&p, buf);
	CHECK(strcmp(buf, "10.0.0.0/8") == 0);
	CHECK(dt_prefix_parse("0.0.0.0/0", 9, &p, &host) == DT_OK && !host && p.len == 0);
	CHECK(dt_prefix_parse("1.2.3.4", 7, &p, NULL) == DT_OK && p.len == 32);
	CHECK(dt_prefix_parse("::/0", 4, &p, NULL) == DT_OK && p.len == 0 && p.ip.family == DT_IP_V6);
	CHECK(dt_prefix_parse("2001:db8::1/128", 15, &p, NULL) == DT_OK && p.len == 128);
	CHECK(dt_prefix_parse("::ffff:10.0.0.0/104", 19, &p, NULL) == DT_OK &&
	      p.ip.family == DT_IP_V4 && p.len == 8);
	CHECK(dt_prefix_parse("1.2.3.4/33", 10, &p, NULL) != DT_OK);
	CHECK(dt_prefix_parse("::/129", 6, &p, NULL) != DT_OK);
	CHECK(dt_prefix_parse("1.2.3.4/", 8, &p, NULL) != DT_OK);
	CHECK(dt_prefix_parse("1.2.3.4/08", 10, &p, NULL) != DT_OK);
	CHECK(dt_prefix_parse("::ffff:1.2.3.4/95", 17, &p, NULL) != DT_OK);
}

static void test_widest_prefix(void)
{
	/* the whole space */
	CHECK(dt_ip_widest_prefix(DT_IP_V4, 0x01020304u, 0, 0xffffffffu) == 0);
	CHECK(dt_ip_widest_prefix(DT_IP_V6, 5, 0, ~(dt_u128)0) == 0);
	/* a single address */
	CHECK(dt_ip_widest_prefix(DT_IP_V4, 0x01020304u, 0x01020304u, 0x01020304u) == 32);
	CHECK(dt_ip_widest_prefix(DT_IP_V6, 77, 77, 77) == 128);
	/* an unaligned range: 10.0.0.1 - 10.0.0.6 */
	CHECK(dt_ip_widest_prefix(DT_IP_V4, 0x0a000001u, 0x0a000001u, 0x0a000006u) == 32);
	CHECK(dt_ip_widest_prefix(DT_IP_V4, 0x0a000002u, 0x0a000001u, 0x0a000006u) == 31);
	CHECK(dt_ip_widest_prefix(DT_IP_V4, 0x0a000005u, 0x0a000001u, 0x0a000006u) == 31);
	CHECK(dt_ip_widest_prefix(DT_IP_V4, 0x0a000004u, 0x0a000001u, 0x0a000006u) == 31);
	/* 1.0.0.0 - 1.0.3.255 contains 1.0.0.0/22 */
	CHECK(dt_ip_widest_prefix(DT_IP_V4, 0x01000203u, 0x01000000u, 0x010003ffu) == 22);
	/* brute force against the definition */
	unsigned long long seed = 7;
	for (int i = 0; i < 20000; i++) {
		uint32_t a = (uint32_t)th_rand(&seed), b = (uint32_t)th_rand(&seed);
		uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
		uint32_t x = lo + (uint32_t)(th_rand(&seed) % ((uint64_t)hi - lo + 1));
		unsigned want = 32;

		for (unsigned len = 0; len <= 32; len++) {
			uint32_t m = len ? 0xffffffffu << (32 - len) : 0;

			if ((x & m) >= lo && ((x & m) | ~m) <= hi) {
				want = len;
				break;
			}
		}
		CHECKF(dt_ip_widest_prefix(DT_IP_V4, x, lo, hi) == want, "%08x in [%08x,%08x]", x, lo, hi);
	}
}

static void test_u128(void)
{
	dt_u128 v;

	CHECK(dt_u128_parse("0", 1, &v) == DT_OK && v == 0);
	CHECK(dt_u128_parse("340282366920938463463374607431768211455", 39, &v) == DT_OK &&
	      v == ~(dt_u128)0);
	CHECK(dt_u128_parse("340282366920938463463374607431768211456", 39, &v) != DT_OK);
	CHECK(dt_u128_parse("12a", 3, &v) != DT_OK);
	CHECK(dt_u128_parse("", 0, &v) != DT_OK);
}

int main(void)
{
	RUN(test_ipv4_valid);
	RUN(test_ipv4_invalid);
	RUN(test_ipv6_canonical);
	RUN(test_ipv6_invalid);
	RUN(test_mapped);
	RUN(test_against_libc);
	RUN(test_prefix);
	RUN(test_widest_prefix);
	RUN(test_u128);
	DONE();
}
