/*
 * bench_privacy.c — speed of the privacy core: Crypto-PAn
 * (privacy/cryptopan.h), the text scrubber (privacy_scrub) and a format
 * sanitizer (privacy/sanitize.h), one core.
 *
 *   bench_privacy cryptopan [N]      three fixed-seed streams of N (default
 *                                    4 Mi) addresses, prepared before timing:
 *       v4-home    what a sanitizer meets: home addresses of a network of
 *                  4 /16s with 1,000 active /24s (Zipf over the /24s, hosts
 *                  uniform), a quarter repeating one of the last 8;
 *       v4-random  uniform over the whole IPv4 space (every /24 new);
 *       v6-home    5,000 hosts (SLAAC-like random interface identifiers)
 *                  in 200 /64s of one /48, Zipf, a quarter repeating one
 *                  of the last 8;
 *       v6-random  every address new, in the same 200 /64s (N/8 of them).
 *     Each on a fresh context (its caches cold), best of 5 passes of the
 *     whole stream; prints "cryptopan <stream> N addrs/s R".
 *   bench_privacy map FILE           the IPv4 addresses of FILE (one a line,
 *                                    parsed before timing) through
 *                                    cryptopan_v4 on a fresh context, once
 *                                    (what traceanon does to the same
 *                                    capture): "map N addrs/s R seconds S sum X"
 *   bench_privacy scrub FILE         privacy_scrub on each line of FILE (read
 *                                    whole first), home nets RFC 1918 /
 *                                    6598 / ULA / link-local / loopback and
 *                                    home domain example.com, best of 3:
 *                                    "scrub bytes N MB/s R"
 *   bench_privacy sanitize FORMAT FILE   sanitize_format(FORMAT) over FILE
 *                                    through the reader, output to /dev/null,
 *                                    same context, best of 3: "sanitize
 *                                    FORMAT bytes N MB/s R records N"
 * The key is fixed (bytes 0..63) so that runs are comparable.
 */
#include "bench.h"

#include <math.h>

#include "ingest/reader.h"
#include "privacy/cryptopan.h"
#include "privacy/privacy.h"
#include "privacy/sanitize.h"

static uint8_t key[PRIVACY_KEY_BYTES];

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Zipf(1) over [0, n) by inversion of the harmonic CDF (approximate). */
static uint64_t zipf(uint64_t *s, uint64_t n)
{
	double u = bench_unit(s), hn = log((double)n) + 0.5772156649;
	uint64_t k = (uint64_t)exp(u * hn);

	return k >= 1 ? (k - 1) % n : 0;
}

static void stream_v4_home(uint32_t *a, size_t n)
{
	uint64_t s = 1;
	uint32_t nets[1000];

	for (int i = 0; i < 1000; i++) {
		static const uint32_t b16[4] = {0x0a000000u, 0x0a010000u, 0xac100000u, 0xc0a80000u};

		nets[i] = b16[bench_below(&s, 4)] | (uint32_t)bench_below(&s, 256) << 8;
	}
	for (size_t i = 0; i < n; i++) {
		if (i >= 8 && bench_below(&s, 4) == 0)
			a[i] = a[i - 1 - bench_below(&s, 8)];
		else
			a[i] = nets[zipf(&s, 1000)] | (uint32_t)(1 + bench_below(&s, 254));
	}
}

static void stream_v4_random(uint32_t *a, size_t n)
{
	uint64_t s = 2;

	for (size_t i = 0; i < n; i++)
		a[i] = (uint32_t)bench_rand(&s);
}

/* SLAAC-like hosts (random interface identifiers) in 200 /64s of one /48;
 * home: 5,000 such hosts, Zipf, a quarter repeating one of the last 8;
 * random: every address new. */
static void stream_v6(dt_u128 *a, size_t n, bool home)
{
	uint64_t s = 3;
	dt_u128 pool[5000];

	for (int i = 0; i < 5000; i++)
		pool[i] =
		    (dt_u128)(0x20010db812340000ull | bench_below(&s, 200)) << 64 | bench_rand(&s);
	for (size_t i = 0; i < n; i++) {
		if (!home)
			a[i] = (dt_u128)(0x20010db812340000ull | bench_below(&s, 200)) << 64 |
			       bench_rand(&s);
		else if (i >= 8 && bench_below(&s, 4) == 0)
			a[i] = a[i - 1 - bench_below(&s, 8)];
		else
			a[i] = pool[zipf(&s, 5000)];
	}
}

static void run_cryptopan(size_t n)
{
	uint32_t *a4 = bench_alloc(n, sizeof(*a4));
	dt_u128 *a6 = bench_alloc(n, sizeof(*a6));
	const char *names[] = {"v4-home", "v4-random", "v6-home", "v6-random"};

	for (int k = 0; k < 4; k++) {
		double best = 1e30;
		uint64_t sum = 0;
		size_t m = k == 3 ? n / 8 : n; /* new IPv6 addresses are slow: fewer */

		if (k == 0)
			stream_v4_home(a4, m);
		else if (k == 1)
			stream_v4_random(a4, m);
		else
			stream_v6(a6, m, k == 2);
		for (int pass = 0; pass < 5; pass++) {
			struct cryptopan *cp;
			double t0;

			if (cryptopan_new(key, &cp)) {
				fprintf(stderr, "bench_privacy: cryptopan_new failed\n");
				exit(1);
			}
			t0 = bench_now();
			if (k < 2) {
				for (size_t i = 0; i < m; i++)
					sum += cryptopan_v4(cp, a4[i]);
			} else {
				for (size_t i = 0; i < m; i++)
					sum += (uint64_t)cryptopan_v6(cp, a6[i]);
			}
			t0 = bench_now() - t0;
			if (t0 < best)
				best = t0;
			cryptopan_free(cp);
		}
		printf("cryptopan %s %zu addrs/s %.0f sum %llu\n", names[k], m, (double)m / best,
		       (unsigned long long)sum);
	}
	free(a4);
	free(a6);
}

/* The whole file in memory (NUL-terminated). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "bench_privacy: cannot read %s\n", path);
		exit(2);
	}
	p = bench_alloc((size_t)n + 1, 1);
	if (fread(p, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "bench_privacy: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void run_map(const char *path)
{
	size_t len, n = 0, cap = 1024;
	char *text = slurp(path, &len), *p = text, *end = text + len;
	uint32_t *a = bench_alloc(cap, sizeof(*a));
	struct cryptopan *cp;
	uint64_t sum = 0;
	double t0;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct dt_ip ip;

		if (dt_ip_parse(p, l, &ip) == DT_OK && ip.family == DT_IP_V4) {
			if (n == cap) {
				cap *= 2;
				a = realloc(a, cap * sizeof(*a));
				if (!a)
					exit(1);
			}
			a[n++] = (uint32_t)ip.addr;
		}
		p += l + 1;
	}
	if (cryptopan_new(key, &cp))
		exit(1);
	t0 = bench_now();
	for (size_t i = 0; i < n; i++)
		sum += cryptopan_v4(cp, a[i]);
	t0 = bench_now() - t0;
	printf("map %zu addrs/s %.0f seconds %.6f sum %llu\n", n, (double)n / t0, t0,
	       (unsigned long long)sum);
	cryptopan_free(cp);
	free(a);
	free(text);
}

static struct privacy *home_context(void)
{
	static const char *const nets[] = {"10.0.0.0/8",    "172.16.0.0/12", "192.168.0.0/16",
	                                   "100.64.0.0/10", "127.0.0.0/8",   "169.254.0.0/16",
	                                   "fc00::/7",      "fe80::/10",     "::1/128"};
	struct privacy *p;

	if (privacy_new(key, &p))
		exit(1);
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		struct dt_prefix net;

		if (dt_prefix_parse(nets[i], strlen(nets[i]), &net, NULL) ||
		    privacy_add_net(p, &net))
			exit(1);
	}
	if (privacy_add_domain(p, "example.com", 11))
		exit(1);
	return p;
}

static void run_scrub(const char *path)
{
	size_t len;
	char *text = slurp(path, &len);
	struct privacy *p = home_context();
	struct strbuf out;
	double best = 1e30;
	uint64_t outlen = 0;

	strbuf_init(&out, (size_t)1 << 20);
	for (int k = 0; k < 3; k++) {
		const char *s = text, *end = text + len;
		double t0 = cpu_now();

		outlen = 0;
		while (s < end) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			size_t l = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);

			strbuf_reset(&out);
			if (privacy_scrub(p, s, l, &out, NULL)) {
				fprintf(stderr, "bench_privacy: privacy_scrub failed\n");
				exit(1);
			}
			outlen += out.len;
			s += l;
		}
		t0 = cpu_now() - t0;
		if (t0 < best)
			best = t0;
	}
	printf("scrub bytes %zu MB/s %.1f out %llu\n", len, (double)len / best / 1e6,
	       (unsigned long long)outlen);
	strbuf_release(&out);
	privacy_free(p);
	free(text);
}

static void run_sanitize(const char *format, const char *path)
{
	sanitize_fn *fn = sanitize_format(format);
	struct privacy *p = home_context();
	struct privacy_counts c;
	double best = 1e30;
	FILE *f;
	long size;

	if (!fn) {
		fprintf(stderr, "bench_privacy: no sanitizer for '%s'\n", format);
		exit(2);
	}
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0) {
		fprintf(stderr, "bench_privacy: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	for (int k = 0; k < 3; k++) {
		FILE *out = fopen("/dev/null", "w");
		struct reader *r;
		struct dt_diag d;
		double t0 = cpu_now();
		enum dt_err err;

		memset(&c, 0, sizeof(c));
		dt_diag_clear(&d);
		if (!out || reader_open_file(path, &r, &d)) {
			fprintf(stderr, "bench_privacy: %s: %s\n", path, d.msg);
			exit(2);
		}
		err = fn(r, p, out, path, &c, &d);
		reader_close(r);
		fclose(out);
		if (err) {
			fprintf(stderr, "bench_privacy: sanitize %s: %s\n", format, d.msg);
			exit(1);
		}
		t0 = cpu_now() - t0;
		if (t0 < best)
			best = t0;
	}
	printf("sanitize %s bytes %ld MB/s %.1f records %llu addrs %llu\n", format, size,
	       (double)size / best / 1e6, (unsigned long long)c.records,
	       (unsigned long long)c.addrs);
	privacy_free(p);
}

int main(int argc, char **argv)
{
	for (int i = 0; i < PRIVACY_KEY_BYTES; i++)
		key[i] = (uint8_t)i;
	if (argc >= 2 && strcmp(argv[1], "cryptopan") == 0) {
		run_cryptopan(argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : (size_t)4 << 20);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "map") == 0) {
		run_map(argv[2]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "scrub") == 0) {
		run_scrub(argv[2]);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "sanitize") == 0) {
		run_sanitize(argv[2], argv[3]);
		return 0;
	}
	fprintf(stderr, "usage: bench_privacy cryptopan [N] | map FILE | scrub FILE | "
	                "sanitize FORMAT FILE\n");
	return 2;
}
