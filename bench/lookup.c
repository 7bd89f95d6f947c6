/*
 * lookup.c — bulk attribution throughput on one core: detente's index
 * against libmaxminddb on an .mmdb holding the same data (bench/mkmmdb.pl).
 *
 *   lookup DB MMDB [N]
 *
 * Three address streams of N addresses (default 1Mi), generated with a
 * fixed seed so every run sees the same input:
 *   v4-uniform  uniformly random public IPv4 addresses
 *   v4-skewed   Zipf(1.0) picks from 100k addresses inside real IPv4 ranges
 *               of the index, a quarter of them repeats of one of the last
 *               8 addresses (bursts from one source, as in real logs)
 *   v6-ranges   random addresses inside real IPv6 ranges (chosen uniformly
 *               among the ranges that carry data, aliased space left out)
 * Each detente method and the peer answer country, ASN and organisation for
 * every address and fold them into a checksum, so nothing is optimised
 * away; equal checksums across methods mean equal answers.  The methods
 * take turns (see take_turn) and each is credited with its fastest pass.  The peer is
 * what a libmaxminddb user writes: MMDB_lookup_sockaddr() and three
 * MMDB_get_value() calls.  Addresses are prepared (binary, sockaddr) before
 * timing on both sides.
 *
 * Before timing, the first CHECK_N addresses of each stream are answered
 * both ways and compared field by field; the mismatch count is printed and
 * must be 0.
 *
 * Progress and details go to stderr; stdout gets one "row" line per result
 * for bench/run.sh's table.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bench.h"

#define POOL_N 100000
#define CHECK_N 250000
#define IDS_CHUNK 4096
#define BATCH_CHUNK 1024

struct stream {
	const char *name;
	uint8_t family;
	size_t n;
	uint32_t *a4;              /* IPv4 streams */
	struct dt_ip *ips;
	struct sockaddr_in *sa4;   /* IPv4 streams */
	struct sockaddr_in6 *sa6;  /* IPv6 streams */
};

struct ctx {
	const struct geo_index *ix;
	const MMDB_s *mmdb;
	uint32_t *ids;
	struct geo_answer *ans;
	uint64_t lookup_errors;
};

/* The fields every method consumes, folded the same way on both sides. */
static inline uint64_t fold(unsigned c0, unsigned c1, uint32_t asn, unsigned org0)
{
	return ((uint64_t)c0 << 8 | c1) ^ (uint64_t)asn << 16 ^ (uint64_t)org0 << 48;
}

static inline uint64_t fold_answer(const struct geo_answer *a)
{
	return fold((unsigned char)a->country[0], (unsigned char)a->country[1], a->asn,
		    a->as_org ? (unsigned char)a->as_org[0] : 0);
}

static inline uint64_t fold_mmdb(const struct bench_mmdb_fields *f)
{
	unsigned c0 = 0, c1 = 0;

	if (f->cc_len == 2) {
		c0 = (unsigned char)f->cc[0];
		c1 = (unsigned char)f->cc[1];
	}
	return fold(c0, c1, f->asn, f->org_len ? (unsigned char)f->org[0] : 0);
}

/* detente: IPv4 info identifiers in chunks, then the fields of each. */
static uint64_t run_ids(struct ctx *c, const struct stream *s)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < s->n; i += IDS_CHUNK) {
		size_t m = s->n - i < IDS_CHUNK ? s->n - i : IDS_CHUNK;

		geo_lookup4_ids(c->ix, s->a4 + i, c->ids, m);
		for (size_t j = 0; j < m; j++) {
			struct geo_answer a;

			geo_info_get(c->ix, c->ids[j], &a);
			sum += fold_answer(&a);
		}
	}
	return sum;
}

/* detente: full answers (with network) for batches of addresses. */
static uint64_t run_batch(struct ctx *c, const struct stream *s)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < s->n; i += BATCH_CHUNK) {
		size_t m = s->n - i < BATCH_CHUNK ? s->n - i : BATCH_CHUNK;

		geo_lookup_batch(c->ix, s->ips + i, c->ans, m);
		for (size_t j = 0; j < m; j++)
			sum += fold_answer(&c->ans[j]);
	}
	return sum;
}

/* detente: one geo_lookup() at a time. */
static uint64_t run_single(struct ctx *c, const struct stream *s)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct geo_answer a;

		geo_lookup(c->ix, &s->ips[i], &a);
		sum += fold_answer(&a);
	}
	return sum;
}

static void mmdb_fields(struct ctx *c, const struct stream *s, size_t i,
			struct bench_mmdb_fields *f)
{
	const struct sockaddr *sa = s->family == DT_IP_V4
					    ? (const struct sockaddr *)&s->sa4[i]
					    : (const struct sockaddr *)&s->sa6[i];
	int err;
	MMDB_lookup_result_s r = MMDB_lookup_sockaddr(c->mmdb, sa, &err);

	if (err != MMDB_SUCCESS)
		c->lookup_errors++;
	if (err == MMDB_SUCCESS && r.found_entry) {
		bench_mmdb_get(&r.entry, f);
	} else {
		memset(f, 0, sizeof(*f));
	}
}

/* The peer: MMDB_lookup_sockaddr + MMDB_get_value for the three fields. */
static uint64_t run_mmdb(struct ctx *c, const struct stream *s)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct bench_mmdb_fields f;

		mmdb_fields(c, s, i, &f);
		sum += fold_mmdb(&f);
	}
	return sum;
}

/*
 * Timing: the methods of a stream take turns, ROUNDS times, each running
 * whole passes over the stream for at least ROUND_SECONDS; a method's rate
 * is that of its fastest pass.  Taking turns spreads the noise of a shared
 * machine over every method alike, and noise only ever adds time.
 */
#define ROUNDS 5
#define ROUND_SECONDS 0.2

struct method {
	const char *name, *label;  /* label: in the table */
	uint64_t (*fn)(struct ctx *, const struct stream *);
	uint64_t sum;        /* checksum of the untimed first pass */
	double best, total;  /* seconds: fastest pass, all timed passes */
	unsigned passes;
	bool sum_changed;
};

static void warm_up(struct method *m, struct ctx *c, const struct stream *s)
{
	m->sum = m->fn(c, s);
	m->best = 1e300;
	m->total = 0;
	m->passes = 0;
	m->sum_changed = false;
}

static void take_turn(struct method *m, struct ctx *c, const struct stream *s)
{
	double start = bench_now(), t0 = start, t1;

	do {
		uint64_t sum = m->fn(c, s);

		t1 = bench_now();
		m->sum_changed |= sum != m->sum;
		if (t1 - t0 < m->best)
			m->best = t1 - t0;
		m->total += t1 - t0;
		m->passes++;
		t0 = t1;
	} while (t1 - start < ROUND_SECONDS);
}

static bool same_str(const char *a, const char *b, uint32_t b_len)
{
	if (a == NULL)
		return b == NULL || b_len == 0;
	return b != NULL && strlen(a) == b_len && memcmp(a, b, b_len) == 0;
}

/* Answers of both sides on the first CHECK_N addresses; mismatches. */
static size_t check(struct ctx *c, const struct stream *s, size_t *checked)
{
	size_t bad = 0, n = s->n < CHECK_N ? s->n : CHECK_N;

	for (size_t i = 0; i < n; i++) {
		struct bench_mmdb_fields f;
		struct geo_answer a;
		char t[DT_IP_STRLEN];
		bool cc_ok;

		geo_lookup(c->ix, &s->ips[i], &a);
		mmdb_fields(c, s, i, &f);
		cc_ok = a.country[0] ? f.cc_len == 2 && memcmp(a.country, f.cc, 2) == 0
				     : f.cc_len == 0;
		if (cc_ok && a.asn == f.asn && same_str(a.as_org, f.org, f.org_len))
			continue;
		if (bad++ < 5) {
			dt_ip_format(&s->ips[i], t);
			fprintf(stderr,
				"  mismatch %s: detente %s|%u|%s, mmdb %.*s|%u|%.*s\n", t,
				a.country[0] ? a.country : "-", a.asn,
				a.as_org ? a.as_org : "-", f.cc ? (int)f.cc_len : 1,
				f.cc ? f.cc : "-", f.asn, f.org ? (int)f.org_len : 1,
				f.org ? f.org : "-");
		}
	}
	*checked = n;
	return bad;
}

static void stream_alloc(struct stream *s, const char *name, uint8_t family, size_t n)
{
	s->name = name;
	s->family = family;
	s->n = n;
	s->ips = bench_alloc(n, sizeof(*s->ips));
	if (family == DT_IP_V4) {
		s->a4 = bench_alloc(n, sizeof(*s->a4));
		s->sa4 = bench_alloc(n, sizeof(*s->sa4));
	} else {
		s->sa6 = bench_alloc(n, sizeof(*s->sa6));
	}
}

static void stream_set4(struct stream *s, size_t i, uint32_t a)
{
	s->a4[i] = a;
	s->ips[i].family = DT_IP_V4;
	s->ips[i].addr = a;
	s->sa4[i].sin_family = AF_INET;
	s->sa4[i].sin_addr.s_addr = htonl(a);
}

static void stream_set6(struct stream *s, size_t i, dt_u128 a)
{
	s->ips[i].family = DT_IP_V6;
	s->ips[i].addr = a;
	s->sa6[i].sin6_family = AF_INET6;
	for (int b = 0; b < 16; b++)
		s->sa6[i].sin6_addr.s6_addr[b] = (uint8_t)(a >> (120 - 8 * b));
}

static void make_uniform4(struct stream *s, size_t n)
{
	uint64_t seed = 0x6465746e74653401ull;

	stream_alloc(s, "v4-uniform", DT_IP_V4, n);
	for (size_t i = 0; i < n; i++)
		stream_set4(s, i, bench_random_public4(&seed));
}

static void make_skewed4(struct stream *s, size_t n, const struct bench_ranges *rs)
{
	uint64_t seed = 0x6465746e74653402ull;
	uint32_t *pool = bench_alloc(POOL_N, sizeof(*pool));
	double *cdf = bench_alloc(POOL_N, sizeof(*cdf)), total = 0;
	uint32_t recent[8] = {0};

	for (size_t k = 0; k < POOL_N; k++) {
		pool[k] = (uint32_t)bench_in_ranges(rs, &seed);
		total += 1.0 / (double)(k + 1);
		cdf[k] = total;
	}
	stream_alloc(s, "v4-skewed", DT_IP_V4, n);
	for (size_t i = 0; i < n; i++) {
		uint32_t a;

		if (i >= 8 && bench_below(&seed, 4) == 0) {
			a = recent[bench_below(&seed, 8)];
		} else {
			double u = bench_unit(&seed) * total;
			size_t lo = 0, hi = POOL_N - 1;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (cdf[mid] < u)
					lo = mid + 1;
				else
					hi = mid;
			}
			a = pool[lo];
		}
		recent[i % 8] = a;
		stream_set4(s, i, a);
	}
	free(pool);
	free(cdf);
}

static void make_ranges6(struct stream *s, size_t n, const struct bench_ranges *rs)
{
	uint64_t seed = 0x6465746e74653406ull;

	stream_alloc(s, "v6-ranges", DT_IP_V6, n);
	for (size_t i = 0; i < n; i++)
		stream_set6(s, i, bench_in_ranges(rs, &seed));
}

/* One line of bench/run.sh's table; target 0: none. */
static void row(const char *what, double det, double peer, double target)
{
	printf("row\t%s\t%.2f M/s\t%.2f M/s\t%.1fx\t", what, det / 1e6, peer / 1e6,
	       det / peer);
	if (target > 0)
		printf("target >=%gx: %s", target, det / peer >= target ? "met" : "MISSED");
	printf("\n");
	fflush(stdout);
}

static void bench_stream(struct ctx *c, const struct stream *s)
{
	struct method m[4] = {
		{"mmdb lookup_sockaddr+3 get_value", "peer", run_mmdb, 0, 0, 0, 0, false},
		{"detente lookup (one at a time)", "lookup (one at a time)", run_single,
		 0, 0, 0, 0, false},
		{"detente lookup_batch", "lookup_batch", run_batch, 0, 0, 0, 0, false},
		{"detente lookup4_ids+info_get", "lookup4_ids+info_get", run_ids,
		 0, 0, 0, 0, false},
	};
	/* the issue sets >= 10x for IPv4 bulk attribution, nothing for IPv6 */
	double target = s->family == DT_IP_V4 ? 10 : 0;
	size_t nm = s->family == DT_IP_V4 ? 4 : 3, bad, checked;
	char what[128];

	fprintf(stderr, "lookup: %s, %zu addresses\n", s->name, s->n);
	bad = check(c, s, &checked);
	fprintf(stderr, "  agreement detente vs mmdb: %zu of %zu differ\n", bad, checked);
	printf("row\t%s: mismatches detente vs mmdb\t%zu of %zu\t\t\t%s\n", s->name, bad,
	       checked, bad ? "ANSWERS DIFFER" : "");

	for (size_t i = 0; i < nm; i++)
		warm_up(&m[i], c, s);
	for (int r = 0; r < ROUNDS; r++)
		for (size_t i = 0; i < nm; i++)
			take_turn(&m[i], c, s);
	for (size_t i = 0; i < nm; i++) {
		fprintf(stderr,
			"  %-33s %7.2f M/s best pass, %7.2f M/s mean (%u passes), sum %016llx\n",
			m[i].name, (double)s->n / m[i].best / 1e6,
			(double)s->n * m[i].passes / m[i].total / 1e6, m[i].passes,
			(unsigned long long)m[i].sum);
		if (m[i].sum_changed)
			fprintf(stderr, "  %s: checksum changed between passes!\n", m[i].name);
		if (m[i].sum != m[0].sum)
			fprintf(stderr, "  %s: checksum differs from mmdb's: different answers\n",
				m[i].name);
	}
	for (size_t i = nm; i-- > 1;) { /* table order: fastest API first */
		snprintf(what, sizeof(what), "%s: %s", s->name, m[i].label);
		row(what, (double)s->n / m[i].best, (double)s->n / m[0].best, target);
	}
}

int main(int argc, char **argv)
{
	struct bench_ranges r4, r6;
	struct stream uni, skew, v6;
	struct ctx c = {0};
	MMDB_s mmdb;
	size_t n = 1u << 20;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: lookup DB MMDB [N]\n");
		return 2;
	}
	if (argc == 4 && (n = strtoull(argv[3], NULL, 10)) == 0) {
		fprintf(stderr, "lookup: bad N '%s'\n", argv[3]);
		return 2;
	}
	c.ix = bench_open_index(argv[1]);
	bench_open_mmdb(argv[2], &mmdb);
	c.mmdb = &mmdb;
	c.ids = bench_alloc(IDS_CHUNK, sizeof(*c.ids));
	c.ans = bench_alloc(BATCH_CHUNK, sizeof(*c.ans));

	bench_data_ranges(c.ix, DT_IP_V4, &r4);
	bench_data_ranges(c.ix, DT_IP_V6, &r6);
	fprintf(stderr, "lookup: index %s: %zu IPv4 and %zu IPv6 ranges with data\n",
		geo_index_digest(c.ix), r4.n, r6.n);
	make_uniform4(&uni, n);
	make_skewed4(&skew, n, &r4);
	make_ranges6(&v6, n, &r6);

	bench_stream(&c, &uni);
	bench_stream(&c, &skew);
	bench_stream(&c, &v6);
	if (c.lookup_errors)
		fprintf(stderr, "lookup: %llu libmaxminddb lookup errors\n",
			(unsigned long long)c.lookup_errors);
	MMDB_close(&mmdb);
	geo_index_free((struct geo_index *)c.ix);
	return 0;
}
