/*
 * geo.h — attribution index: address -> country, ASN, organisation, flags.
 *
 * An index is one immutable file, built by geo_builder (build.h) and named
 * by the SHA-256 of its bytes.  geo_index_open() maps it read-only and
 * validates every offset and count once, so that a lookup never has to
 * check anything: after a successful open, lookups cannot read outside the
 * mapping whatever the file contained.
 *
 * The answer for an address is the value of one interval of a partition of
 * the whole address space (IPv4 and IPv6 separately) into maximal runs over
 * which every field is the same; `network` is the widest CIDR prefix around
 * the address inside that run.  See docs/refdata.md for the file layout.
 *
 * Lookups are thread-safe and allocation-free.  Strings returned point into
 * the mapping and live until geo_index_free().
 */
#ifndef DT_GEO_H
#define DT_GEO_H

#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"

struct geo_index;

struct geo_answer {
	char country[3];    /* ISO 3166-1 alpha-2, "" when unknown */
	uint32_t asn;       /* 0 when unknown */
	const char *as_org; /* NULL when unknown */
	uint32_t flags;     /* bit i set: geo_index_flag_name(ix, i) applies */
	struct dt_prefix network;
};

/* Maps and validates path.  On failure *out is NULL and diag says why. */
enum dt_err geo_index_open(const char *path, struct geo_index **out, struct dt_diag *diag);

/* Unmaps.  Accepts NULL. */
void geo_index_free(struct geo_index *ix);

/* One lookup.  ip->mapped addresses are IPv4 addresses. */
void geo_lookup(const struct geo_index *ix, const struct dt_ip *ip, struct geo_answer *out);

/*
 * n lookups, interleaved so that the memory accesses of different addresses
 * overlap; same answers as n calls of geo_lookup().
 */
void geo_lookup_batch(const struct geo_index *ix, const struct dt_ip *ips, struct geo_answer *out,
                      size_t n);

/*
 * The IPv4 fast path used by geo_lookup_batch: info identifiers only
 * (geo_info_get() turns one into fields).  Exposed for benchmarks and for
 * callers that aggregate by identical attribution.
 */
void geo_lookup4_ids(const struct geo_index *ix, const uint32_t *addrs, uint32_t *ids, size_t n);
void geo_info_get(const struct geo_index *ix, uint32_t id, struct geo_answer *out);

/*
 * Interval i of the partition of one family (0 <= i < intervals4/6 of
 * geo_index_stats): its first and last address and its answer (network is
 * the widest prefix at its start).  DT_ENOTFOUND past the end.
 */
enum dt_err geo_index_interval(const struct geo_index *ix, uint8_t family, uint32_t i,
                               dt_u128 *first, dt_u128 *last, struct geo_answer *out);

/* Name of flag bit i, or NULL when the index defines no such flag. */
const char *geo_index_flag_name(const struct geo_index *ix, unsigned bit);
unsigned geo_index_flag_count(const struct geo_index *ix);

/* "sha256:<64 hex>" of the file, computed at open from its name or bytes. */
const char *geo_index_digest(const struct geo_index *ix);

struct geo_stats {
	uint64_t file_bytes;
	uint32_t intervals4, intervals6; /* runs of identical answers */
	uint32_t infos;                  /* distinct answers */
	uint32_t orgs;                   /* distinct organisation names */
	uint32_t inputs;
};
void geo_index_stats(const struct geo_index *ix, struct geo_stats *out);

/* Input i as recorded in the index (kind name, size, SHA-256 bytes). */
enum dt_err geo_index_input(const struct geo_index *ix, unsigned i, const char **kind,
                            uint64_t *size, const uint8_t **sha256);

/* Recomputes the SHA-256 of the mapped bytes and compares with the name. */
enum dt_err geo_index_verify(const struct geo_index *ix, struct dt_diag *diag);

#endif
