/*
 * test_cryptopan.c — Crypto-PAn (privacy/cryptopan.h) against published
 * known answers, against an uncached one-block-at-a-time reference written
 * here from the paper, and for the properties the design relies on
 * (prefix preservation, bijection, prefixes).
 *
 * Known answers (facts, not computed by the code under test):
 *   IPv4: the 32-byte key and the address pairs of the sample shipped with
 *   the original Crypto-PAn 1.0 distribution (Jinliang Fan, Georgia Tech:
 *   sample_trace_raw.dat -> sample_trace_sanitized.dat), as transcribed in
 *   Yawning Angel's Go port (github.com/Yawning/cryptopan,
 *   cryptopan_test.go, TestCryptopanIPv4: 73 pairs) and identically in the
 *   Rust port cryptoPAn-rs (SkuldNorniern/cryptoPAn-rs, 72 of them).
 *   IPv6: the same key and five pairs published by both ports
 *   (TestCryptopanIPv6 / test_anonymize_ipv6_partial), which apply the rule
 *   over 128 bits with the whole 16-byte pad, as detente does.
 *
 * Also a tool mode for tests/cli/cryptopan_traceanon.sh:
 *   test_cryptopan --map KEYHEX    (64 hex digits)
 * reads one address a line on stdin and prints its pseudonym (or "?" for a
 * line that is not an address), one a line.
 */
#include "testhelp.h"

#include <openssl/evp.h>
#include <stdbool.h>

#include "privacy/cryptopan.h"

static const uint8_t fan_key[32] = {21,  34, 23,  141, 51, 164, 207, 128, 19,  10,  91,
                                    22,  73, 144, 125, 16, 216, 152, 143, 131, 121, 121,
                                    101, 39, 98,  87,  76, 45,  42,  132, 34,  2};

static const char *const fan_v4[][2] = {
    {"128.11.68.132", "135.242.180.132"},   {"129.118.74.4", "134.136.186.123"},
    {"130.132.252.244", "133.68.164.234"},  {"141.223.7.43", "141.167.8.160"},
    {"141.233.145.108", "141.129.237.235"}, {"152.163.225.39", "151.140.114.167"},
    {"156.29.3.236", "147.225.12.42"},      {"165.247.96.84", "162.9.99.234"},
    {"166.107.77.190", "160.132.178.185"},  {"192.102.249.13", "252.138.62.131"},
    {"192.215.32.125", "252.43.47.189"},    {"192.233.80.103", "252.25.108.8"},
    {"192.41.57.43", "252.222.221.184"},    {"193.150.244.223", "253.169.52.216"},
    {"195.205.63.100", "255.186.223.5"},    {"198.200.171.101", "249.199.68.213"},
    {"198.26.132.101", "249.36.123.202"},   {"198.36.213.5", "249.7.21.132"},
    {"198.51.77.238", "249.18.186.254"},    {"199.217.79.101", "248.38.184.213"},
    {"202.49.198.20", "245.206.7.234"},     {"203.12.160.252", "244.248.163.4"},
    {"204.184.162.189", "243.192.77.90"},   {"204.202.136.230", "243.178.4.198"},
    {"204.29.20.4", "243.33.20.123"},       {"205.178.38.67", "242.108.198.51"},
    {"205.188.147.153", "242.96.16.101"},   {"205.188.248.25", "242.96.88.27"},
    {"205.245.121.43", "242.21.121.163"},   {"207.105.49.5", "241.118.205.138"},
    {"207.135.65.238", "241.202.129.222"},  {"207.155.9.214", "241.220.250.22"},
    {"207.188.7.45", "241.255.249.220"},    {"207.25.71.27", "241.33.119.156"},
    {"207.33.151.131", "241.1.233.131"},    {"208.147.89.59", "227.237.98.191"},
    {"208.234.120.210", "227.154.67.17"},   {"208.28.185.184", "227.39.94.90"},
    {"208.52.56.122", "227.8.63.165"},      {"209.12.231.7", "226.243.167.8"},
    {"209.238.72.3", "226.6.119.243"},      {"209.246.74.109", "226.22.124.76"},
    {"209.68.60.238", "226.184.220.233"},   {"209.85.249.6", "226.170.70.6"},
    {"212.120.124.31", "228.135.163.231"},  {"212.146.8.236", "228.19.4.234"},
    {"212.186.227.154", "228.59.98.98"},    {"212.204.172.118", "228.71.195.169"},
    {"212.206.130.201", "228.69.242.193"},  {"216.148.237.145", "235.84.194.111"},
    {"216.157.30.252", "235.89.31.26"},     {"216.184.159.48", "235.96.225.78"},
    {"216.227.10.221", "235.28.253.36"},    {"216.254.18.172", "235.7.16.162"},
    {"216.32.132.250", "235.192.139.38"},   {"216.35.217.178", "235.195.157.81"},
    {"24.0.250.221", "100.15.198.226"},     {"24.13.62.231", "100.2.192.247"},
    {"24.14.213.138", "100.1.42.141"},      {"24.5.0.80", "100.9.15.210"},
    {"24.7.198.88", "100.10.6.25"},         {"24.94.26.44", "100.88.228.35"},
    {"38.15.67.68", "64.3.66.187"},         {"4.3.88.225", "124.60.155.63"},
    {"63.14.55.111", "95.9.215.7"},         {"63.195.241.44", "95.179.238.44"},
    {"63.97.7.140", "95.97.9.123"},         {"64.14.118.196", "0.255.183.58"},
    {"64.34.154.117", "0.221.154.117"},     {"64.39.15.238", "0.219.7.41"},
    {"10.185.25.118", "117.161.29.118"},
};

static const char *const fan_v6[][2] = {
    {"::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed"},
    {"::2", "78ff:f001:9fc0:20df:8380:b1f1:704:ef"},
    {"::ffff", "78ff:f001:9fc0:20df:8380:b1f1:704:f838"},
    {"2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e"},
    {"2001:db8::2", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c"},
};

#define NV4 (sizeof(fan_v4) / sizeof(fan_v4[0]))
#define NV6 (sizeof(fan_v6) / sizeof(fan_v6[0]))

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

/* ---- the reference: the paper's rule, one AES block per bit ----------- */

struct ref {
	EVP_CIPHER_CTX *ctx;
	uint8_t pad[16];
};

static void aes1(struct ref *r, const uint8_t in[16], uint8_t out[16])
{
	int n = 0;

	if (EVP_EncryptUpdate(r->ctx, out, &n, in, 16) != 1 || n != 16)
		abort();
}

static void ref_init(struct ref *r, const uint8_t key[32])
{
	r->ctx = EVP_CIPHER_CTX_new();
	if (!r->ctx || EVP_EncryptInit_ex(r->ctx, EVP_aes_128_ecb(), NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(r->ctx, 0) != 1)
		abort();
	aes1(r, key + 16, r->pad);
}

static void ref_free(struct ref *r)
{
	EVP_CIPHER_CTX_free(r->ctx);
}

/* Bit i (0 = most significant) of an nbytes-long big-endian string. */
static int bit_of(const uint8_t *s, unsigned i)
{
	return (s[i / 8] >> (7 - i % 8)) & 1;
}

/*
 * The rule over an n-byte address (4 or 16) in network byte order, bit by
 * bit: the AES input for bit i is the first i bits of the address followed
 * by bits i..127 of the pad; output bit i is input bit i XOR the first bit
 * of the AES output.  (For IPv4 this is exactly Fan's: the first 4 bytes
 * mixed, the last 12 from the pad.)
 */
static void ref_map(struct ref *r, const uint8_t *a, uint8_t *out, unsigned nbytes)
{
	uint8_t in[16], res[16];

	memset(out, 0, nbytes);
	for (unsigned i = 0; i < nbytes * 8; i++) {
		memcpy(in, r->pad, 16);
		for (unsigned j = 0; j < i; j++) {
			uint8_t m = (uint8_t)(0x80 >> (j % 8));

			in[j / 8] = (uint8_t)(bit_of(a, j) ? in[j / 8] | m : in[j / 8] & ~m);
		}
		aes1(r, in, res);
		if (bit_of(a, i) ^ (res[0] >> 7))
			out[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	}
}

static uint32_t ref_v4(struct ref *r, uint32_t a)
{
	uint8_t b[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a},
	        o[4];

	ref_map(r, b, o, 4);
	return (uint32_t)o[0] << 24 | (uint32_t)o[1] << 16 | (uint32_t)o[2] << 8 | o[3];
}

static dt_u128 ref_v6(struct ref *r, dt_u128 a)
{
	uint8_t b[16], o[16];
	dt_u128 v = 0;

	for (int i = 15; i >= 0; i--, a >>= 8)
		b[i] = (uint8_t)a;
	ref_map(r, b, o, 16);
	for (int i = 0; i < 16; i++)
		v = v << 8 | o[i];
	return v;
}

/* ---- known answers ------------------------------------------------------ */

static void test_known_v4(void)
{
	struct cryptopan *cp;
	struct ref r;

	CHECK(cryptopan_new(fan_key, &cp) == DT_OK);
	ref_init(&r, fan_key);
	/* twice: the second pass is served from the caches */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < NV4; i++) {
			struct dt_ip in = ip_of(fan_v4[i][0]), want = ip_of(fan_v4[i][1]), got;
			char t[DT_IP_STRLEN];

			cryptopan_ip(cp, &in, &got);
			dt_ip_format(&got, t);
			CHECKF(got.family == DT_IP_V4 && got.addr == want.addr,
			       "pass %d: %s -> %s, published %s", pass, fan_v4[i][0], t,
			       fan_v4[i][1]);
			CHECKF(cryptopan_v4(cp, (uint32_t)in.addr) == (uint32_t)want.addr, "%s",
			       fan_v4[i][0]);
			/* the reference agrees too (so it can be trusted below) */
			CHECKF(ref_v4(&r, (uint32_t)in.addr) == (uint32_t)want.addr, "ref %s",
			       fan_v4[i][0]);
		}
	}
	ref_free(&r);
	cryptopan_free(cp);
}

static void test_known_v6(void)
{
	struct cryptopan *cp;
	struct ref r;

	CHECK(cryptopan_new(fan_key, &cp) == DT_OK);
	ref_init(&r, fan_key);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < NV6; i++) {
			struct dt_ip in = ip_of(fan_v6[i][0]), want = ip_of(fan_v6[i][1]), got;
			char t[DT_IP_STRLEN];

			cryptopan_ip(cp, &in, &got);
			dt_ip_format(&got, t);
			CHECKF(got.family == DT_IP_V6 && got.addr == want.addr,
			       "%s -> %s, published %s", fan_v6[i][0], t, fan_v6[i][1]);
			CHECKF(ref_v6(&r, in.addr) == want.addr, "ref %s", fan_v6[i][0]);
		}
	}
	ref_free(&r);
	cryptopan_free(cp);
}

/* ---- the caches give what the uncached rule gives ----------------------- */

/* Address streams that exercise the top-16 table and the /24 cache: uniform,
 * a few /16s, a few /24s, /24s that collide in the direct-mapped cache
 * (same slot, different prefix), and the extremes. */
static uint32_t next_addr(unsigned long long *s, unsigned kind, unsigned i)
{
	uint32_t x = (uint32_t)th_rand(s);

	switch (kind) {
	case 0: return x;
	case 1: return (0x0a000000u | ((x >> 24) & 3) << 16) | (x & 0xffff); /* 10.0-3/16 */
	case 2: return 0xc0a80000u | ((x >> 20) & 7) << 8 | (x & 0xff);      /* 192.168.0-7/24 */
	case 3: return (uint32_t)(i * 0x2000u) << 8 | (x & 0xff);            /* /24s 2^13 apart */
	case 4: return i & 1 ? 0xffffffffu - (x & 0xff) : x & 0xff;
	default: return (x & 0xffffff00u) | (i & 0xff); /* sequential hosts */
	}
}

static void test_cache_v4(void)
{
	unsigned long long seed = 42;
	unsigned n = getenv("TEST_CRYPTOPAN_N") ? (unsigned)atoi(getenv("TEST_CRYPTOPAN_N")) : 6000;
	uint8_t key[32];

	for (int k = 0; k < 3; k++) {
		struct cryptopan *cp;
		struct ref r;

		for (int i = 0; i < 32; i++)
			key[i] = (uint8_t)th_rand(&seed);
		if (k == 0)
			memset(key, 0, sizeof(key)); /* an all-zero key too */
		CHECK(cryptopan_new(key, &cp) == DT_OK);
		ref_init(&r, key);
		for (unsigned kind = 0; kind < 6; kind++) {
			unsigned bad = 0;

			for (unsigned i = 0; i < n; i++) {
				uint32_t a = next_addr(&seed, kind, i);
				uint32_t got = cryptopan_v4(cp, a), want = ref_v4(&r, a);

				if (got != want && bad++ < 5)
					CHECKF(0, "key %d kind %u: %08x -> %08x, uncached %08x", k,
					       kind, a, got, want);
			}
			CHECKF(bad == 0, "key %d kind %u: %u of %u differ", k, kind, bad, n);
		}
		ref_free(&r);
		cryptopan_free(cp);
	}
}

static void test_cache_v6(void)
{
	unsigned long long seed = 7;
	struct cryptopan *cp;
	struct ref ref;
	uint8_t key[32];
	dt_u128 seen[64] = {0};
	unsigned bad = 0;

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)th_rand(&seed);
	CHECK(cryptopan_new(key, &cp) == DT_OK);
	ref_init(&ref, key);
	for (unsigned i = 0; i < 3000; i++) {
		dt_u128 a = (dt_u128)th_rand(&seed) << 64 | th_rand(&seed);

		if (i % 2) { /* repeats (the address cache), some after evictions */
			a = seen[th_rand(&seed) % 64];
		} else {
			if (i % 3 == 1) /* a few /64s */
				a = ((dt_u128)0x20010db800000000ull | (i % 4)) << 64 | (uint64_t)a;
			else if (i % 3 == 2) /* one /48 */
				a = (dt_u128)0x2001067c12340000ull << 64 |
				    (a & (((dt_u128)1 << 80) - 1));
			seen[i / 2 % 64] = a;
		}
		if (cryptopan_v6(cp, a) != ref_v6(&ref, a) && bad++ < 5)
			CHECKF(0, "v6 #%u differs from the uncached rule", i);
	}
	/* one interface identifier (::1) in 5,000 /64s, twice: more /64s than
	 * cache slots, so slots are shared by addresses equal in their low 64
	 * bits, and half the /64s differ only in their first 32 bits */
	for (unsigned i = 0; i < 10000; i++) {
		unsigned k = i % 5000;
		unsigned long long s2 = 1000 + k;
		uint64_t hi = k % 2 ? 0x2001067c00000000ull + k * 0x10001ull
		                    : (th_rand(&s2) & ~0xffffffffull) | 0xabcd0000ull;
		dt_u128 a = (dt_u128)hi << 64 | 1;

		if (cryptopan_v6(cp, a) != ref_v6(&ref, a) && bad++ < 5)
			CHECKF(0, "v6 ::1 in /64 #%u differs from the uncached rule", k);
	}
	CHECKF(bad == 0, "%u differ", bad);
	ref_free(&ref);
	cryptopan_free(cp);
}

/* ---- properties --------------------------------------------------------- */

static unsigned common_bits(dt_u128 a, dt_u128 b, unsigned bits)
{
	dt_u128 x = a ^ b;
	unsigned k = 0;

	while (k < bits && !((x >> (bits - 1 - k)) & 1))
		k++;
	return k;
}

/* Pairs sharing exactly k leading bits, for every k: the pseudonyms share
 * exactly k leading bits too. */
static void test_prefix_preserving(void)
{
	unsigned long long seed = 99;
	struct cryptopan *cp;

	CHECK(cryptopan_new(fan_key, &cp) == DT_OK);
	for (unsigned k = 0; k <= 32; k++) {
		for (int t = 0; t < 200; t++) {
			uint32_t a = (uint32_t)th_rand(&seed), b = a;

			if (k < 32) {
				uint32_t low =
				    k == 31 ? 0
				            : (uint32_t)th_rand(&seed) & (0xffffffffu >> (k + 1));

				b = (a & (k ? ~0u << (32 - k) : 0)) | (~a & (0x80000000u >> k)) |
				    low;
			}
			unsigned got = common_bits(cryptopan_v4(cp, a), cryptopan_v4(cp, b), 32);

			CHECKF(got == common_bits(a, b, 32), "v4 k=%u: %08x %08x share %u", k, a, b,
			       got);
		}
	}
	for (unsigned k = 0; k <= 128; k += 1) {
		for (int t = 0; t < 6; t++) {
			dt_u128 a = (dt_u128)th_rand(&seed) << 64 | th_rand(&seed), b = a;

			if (k < 128) {
				dt_u128 hi = k ? ~(dt_u128)0 << (128 - k) : 0;
				dt_u128 flip = (dt_u128)1 << (127 - k);
				dt_u128 low =
				    ((dt_u128)th_rand(&seed) << 64 | th_rand(&seed)) & (flip - 1);

				b = (a & hi) | (~a & flip) | low;
			}
			CHECKF(common_bits(cryptopan_v6(cp, a), cryptopan_v6(cp, b), 128) ==
			           common_bits(a, b, 128),
			       "v6 k=%u", k);
		}
	}
	cryptopan_free(cp);
}

/* A whole /16 maps one to one onto one /16; and a sample of the space
 * has no collisions. */
static void test_bijection(void)
{
	struct cryptopan *cp;
	uint8_t *seen = calloc(1u << 16, 1);
	uint32_t base = 0xac100000u; /* 172.16/16 */
	uint32_t img = 0;
	unsigned dup = 0, out = 0;

	CHECK(cryptopan_new(fan_key, &cp) == DT_OK);
	for (uint32_t i = 0; i < (1u << 16); i++) {
		uint32_t p = cryptopan_v4(cp, base | i);

		if (i == 0)
			img = p & 0xffff0000u;
		if ((p & 0xffff0000u) != img)
			out++;
		else if (seen[p & 0xffff]++)
			dup++;
	}
	CHECKF(dup == 0 && out == 0, "%u collisions, %u outside the image /16", dup, out);
	free(seen);
	cryptopan_free(cp);
}

static void test_prefix_and_ip(void)
{
	struct cryptopan *cp;
	const char *nets[] = {"10.0.0.0/8",     "192.168.1.0/24", "0.0.0.0/0",  "1.2.3.4/32",
	                      "fd00::/8",       "2001:db8::/32",  "::/0",       "2001:db8::1/128",
	                      "192.168.0.0/17", "fe80::/10",      "10.1.2.0/23"};
	unsigned long long seed = 5;

	CHECK(cryptopan_new(fan_key, &cp) == DT_OK);
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		struct dt_prefix in, out;

		CHECK(dt_prefix_parse(nets[i], strlen(nets[i]), &in, NULL) == DT_OK);
		cryptopan_prefix(cp, &in, &out);
		CHECK(out.len == in.len && out.ip.family == in.ip.family);
		CHECK((out.ip.addr & ~dt_ip_mask(in.ip.family, in.len)) == 0);
		for (int t = 0; t < 200; t++) {
			struct dt_ip m = in.ip, q;
			dt_u128 host = (dt_u128)th_rand(&seed) << 64 | th_rand(&seed);

			m.addr = in.ip.addr | (host & ~dt_ip_mask(in.ip.family, in.len) &
			                       dt_ip_max(in.ip.family));
			cryptopan_ip(cp, &m, &q);
			CHECKF((q.addr & dt_ip_mask(in.ip.family, in.len)) == out.ip.addr,
			       "%s: a member's pseudonym is outside the prefix's", nets[i]);
		}
	}
	/* the mapped flag is kept, the value is the IPv4 pseudonym; out may be in */
	{
		struct dt_ip m = ip_of("::ffff:128.11.68.132"), v = ip_of("135.242.180.132");

		CHECK(m.family == DT_IP_V4 && m.mapped);
		cryptopan_ip(cp, &m, &m);
		CHECK(m.family == DT_IP_V4 && m.mapped && m.addr == v.addr);
	}
	cryptopan_free(cp);
}

/* Two contexts with one key agree whatever order they see addresses in
 * (the caches hold no state that changes an answer). */
static void test_order_independent(void)
{
	struct cryptopan *a, *b;
	unsigned long long seed = 11;
	uint32_t addrs[4000];
	unsigned bad = 0;

	CHECK(cryptopan_new(fan_key, &a) == DT_OK && cryptopan_new(fan_key, &b) == DT_OK);
	for (unsigned i = 0; i < 4000; i++)
		addrs[i] = next_addr(&seed, i % 6, i);
	for (unsigned i = 0; i < 4000; i++)
		(void)cryptopan_v4(a, addrs[i]);
	for (unsigned i = 4000; i-- > 0;)
		bad += cryptopan_v4(a, addrs[i]) != cryptopan_v4(b, addrs[i]);
	CHECK(bad == 0);
	cryptopan_free(a);
	cryptopan_free(b);
}

/* ---- tool mode ------------------------------------------------------------ */

static int hexval(int c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

static int map_tool(const char *hex)
{
	uint8_t key[32];
	struct cryptopan *cp;
	char line[512];

	if (strlen(hex) != 64) {
		fprintf(stderr, "test_cryptopan --map: the key is 64 hex digits\n");
		return 2;
	}
	for (int i = 0; i < 32; i++) {
		int h = hexval(hex[2 * i]), l = hexval(hex[2 * i + 1]);

		if (h < 0 || l < 0) {
			fprintf(stderr, "test_cryptopan --map: the key is 64 hex digits\n");
			return 2;
		}
		key[i] = (uint8_t)(h << 4 | l);
	}
	if (cryptopan_new(key, &cp) != DT_OK)
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = strcspn(line, "\r\n");
		struct dt_ip ip, q;
		char t[DT_IP_STRLEN];

		if (dt_ip_parse(line, n, &ip) != DT_OK) {
			puts("?");
			continue;
		}
		cryptopan_ip(cp, &ip, &q);
		dt_ip_format(&q, t);
		puts(t);
	}
	cryptopan_free(cp);
	return ferror(stdout) || fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--map") == 0)
		return map_tool(argv[2]);
	RUN(test_known_v4);
	RUN(test_known_v6);
	RUN(test_cache_v4);
	RUN(test_cache_v6);
	RUN(test_prefix_preserving);
	RUN(test_bijection);
	RUN(test_prefix_and_ip);
	RUN(test_order_independent);
	DONE();
}
