/*
 * matchset.h — the indexes that match event fields against indicator
 * values, each value carrying a 32-bit payload (the caller's atom id).
 *
 * Addresses: every prefix (IPv4 and IPv6) is flattened into disjoint
 * intervals, each knowing the sorted, de-duplicated payloads of all
 * prefixes that cover it (nested CIDRs: a /15 and a /32 inside it both
 * answer).  IPv4 lookups go through a table of 65,536 /16 blocks and a
 * branch-free search on the low 16 bits, as the attribution index does
 * (geo/index.c); IPv6 through a sorted array of 128-bit starts.
 * Domains: a hash table of canonical domains; a lookup tries the name and
 * each parent at a label boundary ("a.b.evil.com", "b.evil.com",
 * "evil.com", "com"), so "evil.com" matches "a.b.evil.com" and not
 * "notevil.com".
 * Exact values (URL keys, hashes, JA3, certificates, e-mail, other): one
 * hash table keyed by (type, value).
 *
 * Build once (add..., then build), then look up from any number of
 * threads.  Values must already be canonical (intel/normalize.h).
 */
#ifndef DT_INTEL_MATCHSET_H
#define DT_INTEL_MATCHSET_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"
#include "intel/intel.h"

struct matchset;

/* Payloads found by lookups, appended (the caller resets n). */
struct ms_hits {
	uint32_t *v;
	size_t n, cap;
};
void ms_hits_release(struct ms_hits *h);

enum dt_err matchset_new(struct matchset **out);
void matchset_free(struct matchset *m);

enum dt_err matchset_add_prefix(struct matchset *m, const struct dt_prefix *p, uint32_t val);
enum dt_err matchset_add_domain(struct matchset *m, const char *d, size_t len, uint32_t val);
/* type: any ind_type other than addresses and domains */
enum dt_err matchset_add_exact(struct matchset *m, enum ind_type type, const char *s, size_t len,
                               uint32_t val);

/* Freezes the set: builds the interval tables and hash tables. */
enum dt_err matchset_build(struct matchset *m);

/* Lookups append every payload whose value matches (sorted and without
 * repeats within one call) and return how many they appended (0: no
 * match; on allocation failure, the ones that fit). */
size_t matchset_ip(const struct matchset *m, const struct dt_ip *ip, struct ms_hits *h);
size_t matchset_domain(const struct matchset *m, const char *d, size_t len, struct ms_hits *h);
size_t matchset_exact(const struct matchset *m, enum ind_type type, const char *s, size_t len,
                      struct ms_hits *h);

/* Batch form for IPv4: ids[i] = the interval set of addrs[i] (0: none);
 * matchset_set() lists a set's payloads. */
void matchset_ip4_sets(const struct matchset *m, const uint32_t *addrs, uint32_t *ids, size_t n);
size_t matchset_set(const struct matchset *m, uint32_t id, const uint32_t **vals);

struct matchset_stats {
	size_t prefixes, intervals4, intervals6, sets, domains, exact, bytes;
};
void matchset_stats(const struct matchset *m, struct matchset_stats *out);

#endif
