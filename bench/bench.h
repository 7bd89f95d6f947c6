/*
 * bench.h — what the benchmark programs share: a fixed-seed PRNG so that
 * every input is reproducible, a monotonic clock, opening the bench node's
 * active index, the address generators (uniform public IPv4, addresses
 * inside real ranges of the index) and reading the three MMDB fields the
 * way a libmaxminddb user would.
 *
 * Header-only (static inline) because each bench program is linked on its own
 * against libdetente.a; none of this belongs in the library.
 */
#ifndef DT_BENCH_H
#define DT_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <maxminddb.h>

#include "geo/geo.h"
#include "geo/refdata.h"

/* splitmix64 (Steele, Lea, Flood 2014): tiny, fast, good enough here. */
static inline uint64_t bench_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (Lemire's multiply-shift; bias is negligible). */
static inline uint64_t bench_below(uint64_t *state, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)bench_rand(state) * n) >> 64);
}

static inline double bench_unit(uint64_t *state)
{
	return (double)(bench_rand(state) >> 11) * 0x1.0p-53;
}

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void *bench_alloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL) {
		fprintf(stderr, "bench: out of memory\n");
		exit(2);
	}
	return p;
}

/* The active index of the node whose database is db. */
static inline struct geo_index *bench_open_index(const char *db)
{
	struct geo_index *ix = NULL;
	struct dt_diag diag;
	char dir[1100], msg[800];

	dt_diag_clear(&diag);
	if (refdata_dir(db, dir, sizeof(dir)) || refdata_open_active(dir, &ix, &diag)) {
		dt_diag_format(&diag, msg, sizeof(msg));
		fprintf(stderr, "bench: %s: %s\n", db, msg);
		exit(2);
	}
	return ix;
}

static inline void bench_open_mmdb(const char *path, MMDB_s *mmdb)
{
	int st = MMDB_open(path, MMDB_MODE_MMAP, mmdb);

	if (st != MMDB_SUCCESS) {
		fprintf(stderr, "bench: %s: %s\n", path, MMDB_strerror(st));
		exit(2);
	}
}

/*
 * Public IPv4: not in any IANA special-purpose block (RFC 6890 and
 * successors), multicast or the reserved 240/4.
 */
static inline bool bench_public4(uint32_t a)
{
	static const struct {
		uint32_t net;
		unsigned len;
	} special[] = {
		{0x00000000u, 8},  {0x0a000000u, 8},  {0x64400000u, 10},
		{0x7f000000u, 8},  {0xa9fe0000u, 16}, {0xac100000u, 12},
		{0xc0000000u, 24}, {0xc0000200u, 24}, {0xc0586300u, 24},
		{0xc0a80000u, 16}, {0xc6120000u, 15}, {0xc6336400u, 24},
		{0xcb007100u, 24}, {0xe0000000u, 4},  {0xf0000000u, 4},
	};

	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if ((a & (0xffffffffu << (32 - special[i].len))) == special[i].net)
			return false;
	return true;
}

static inline uint32_t bench_random_public4(uint64_t *state)
{
	uint32_t a;

	do
		a = (uint32_t)bench_rand(state);
	while (!bench_public4(a));
	return a;
}

/*
 * IPv6 space that an MMDB with IPv4 aliases (as MaxMind builds them, and
 * bench/mkmmdb.pl) answers from the IPv4 tree: ::/96, ::ffff:0:0/96,
 * 2001::/32 (Teredo) and 2002::/16 (6to4).  The IPv6 benchmarks stay out:
 * true when [first, last] overlaps any of them.
 */
static inline bool bench_aliased6(dt_u128 first, dt_u128 last)
{
	static const struct {
		uint64_t hi, lo;
		unsigned len;
	} alias[] = {
		{0, 0, 96},
		{0, 0xffff00000000ull, 96},
		{0x2001000000000000ull, 0, 32},
		{0x2002000000000000ull, 0, 16},
	};

	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++) {
		dt_u128 lo = ((dt_u128)alias[i].hi << 64) | alias[i].lo;
		dt_u128 hi = lo | ~dt_ip_mask(DT_IP_V6, alias[i].len);

		if (first <= hi && last >= lo)
			return true;
	}
	return false;
}

/* One interval of the index that has a country, ASN or organisation. */
struct bench_range {
	dt_u128 first, last;
};

struct bench_ranges {
	struct bench_range *r;
	size_t n;
};

/*
 * The intervals of one family that carry data (what `detente refdata dump`
 * prints with at least one of country, asn, as_org known), IPv6 ones
 * inside aliased space left out.
 */
static inline void bench_data_ranges(const struct geo_index *ix, uint8_t family,
				     struct bench_ranges *out)
{
	struct geo_stats st;
	struct geo_answer a;
	dt_u128 first, last;
	uint32_t n;

	geo_index_stats(ix, &st);
	n = family == DT_IP_V4 ? st.intervals4 : st.intervals6;
	out->r = bench_alloc(n, sizeof(*out->r));
	out->n = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (geo_index_interval(ix, family, i, &first, &last, &a))
			break;
		if (!a.country[0] && !a.asn && !a.as_org)
			continue;
		if (family == DT_IP_V6 && bench_aliased6(first, last))
			continue;
		out->r[out->n].first = first;
		out->r[out->n].last = last;
		out->n++;
	}
}

/* An address inside a range chosen uniformly among the ranges. */
static inline dt_u128 bench_in_ranges(const struct bench_ranges *rs, uint64_t *state)
{
	const struct bench_range *r = &rs->r[bench_below(state, rs->n)];
	dt_u128 span = r->last - r->first, off;

	off = ((dt_u128)bench_rand(state) << 64) | bench_rand(state);
	if (span != ~(dt_u128)0)
		off %= span + 1;
	return r->first + off;
}

/* The three fields, as a libmaxminddb user reads them. */
struct bench_mmdb_fields {
	const char *cc;  /* not NUL-terminated; NULL unknown */
	uint32_t cc_len;
	uint32_t asn;    /* 0 unknown */
	const char *org; /* not NUL-terminated; NULL unknown */
	uint32_t org_len;
};

static inline void bench_mmdb_get(MMDB_entry_s *e, struct bench_mmdb_fields *f)
{
	MMDB_entry_data_s d;

	f->cc = f->org = NULL;
	f->cc_len = f->org_len = 0;
	f->asn = 0;
	if (MMDB_get_value(e, &d, "country", "iso_code", NULL) == MMDB_SUCCESS &&
	    d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING) {
		f->cc = d.utf8_string;
		f->cc_len = d.data_size;
	}
	if (MMDB_get_value(e, &d, "autonomous_system_number", NULL) == MMDB_SUCCESS &&
	    d.has_data && d.type == MMDB_DATA_TYPE_UINT32)
		f->asn = d.uint32;
	if (MMDB_get_value(e, &d, "autonomous_system_organization", NULL) == MMDB_SUCCESS &&
	    d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING) {
		f->org = d.utf8_string;
		f->org_len = d.data_size;
	}
}

#endif
