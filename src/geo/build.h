/*
 * build.h — compile reference data into an attribution index.
 *
 * A builder collects ranges from any number of inputs, then writes one
 * index file (geo.h) into a directory under the name <sha256-hex>.idx.
 *
 * Layering: inputs are applied in the order they were added, after the
 * built-in special-purpose ranges (RFC 6890 and successors).  For country,
 * ASN and organisation the later input wins where two inputs answer the
 * same address; inside one input a narrower range wins over a wider one
 * that contains it (and, for equal ranges, the later line).  Flags are the
 * union of every flag any input gives an address.  A country of "??" or
 * "--" and an empty organisation are "no answer", not values.
 *
 * Determinism: the file depends only on the bytes of the inputs, their
 * kinds and order (never on paths, times or the machine), so two nodes with
 * the same inputs write byte-identical indexes with the same name.
 *
 * Bad records are reported through the warning callback (file, line,
 * reason), counted and skipped; the rest of the input is still used.  An
 * input that cannot be read or is not of its kind at all fails the add.
 */
#ifndef DT_GEO_BUILD_H
#define DT_GEO_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum geo_kind {
	GEO_IN_COUNTRY,     /* start,end,CC (Tor geoip/geoip6 and alike) */
	GEO_IN_ASN,         /* start,end,asn,organisation CSV */
	GEO_IN_MMDB,        /* MaxMind DB (GeoIP2/GeoLite2 schemas) */
	GEO_IN_WARNINGLIST, /* MISP warning list of type cidr -> one flag */
};

const char *geo_kind_name(enum geo_kind kind);

/* What the builder learnt about one input.  Owned by the builder. */
struct geo_input_info {
	enum geo_kind kind;
	char path[1024];
	uint64_t size;
	uint8_t sha256[32];
	char licence[512]; /* attribution text found in or beside the input */
	char flag[32];     /* warning lists: the flag they set */
	uint64_t records;  /* ranges used */
	uint64_t rejected; /* records reported and skipped */
	uint64_t ignored;  /* comments, blank lines, entries of no use */
};

struct geo_build_result {
	char hex[65];    /* SHA-256 of the written file, lower-case hex */
	char path[1200]; /* dir/<hex>.idx */
	uint64_t bytes;
	uint32_t intervals4, intervals6, infos, orgs;
};

typedef void geo_warn_fn(void *ctx, const struct dt_diag *d);

struct geo_builder;

/* A builder holding the built-in special-purpose ranges. */
enum dt_err geo_builder_new(struct geo_builder **out);
void geo_builder_free(struct geo_builder *b);

/* fn is called for every rejected record; NULL silences. */
void geo_builder_set_warn(struct geo_builder *b, geo_warn_fn *fn, void *ctx);

/*
 * Reads path as kind.  flag names the flag a warning list sets (NULL:
 * derived from the list's name, e.g. "cloud", "vpn", "public-dns",
 * "sinkhole").  Returns DT_OK even when some records were rejected; see
 * geo_builder_inputs() for the counts.
 */
enum dt_err geo_builder_add_file(struct geo_builder *b, enum geo_kind kind, const char *path,
                                 const char *flag, struct dt_diag *diag);

/* The same from memory (name is used in diagnostics only).  Not for MMDB. */
enum dt_err geo_builder_add_buffer(struct geo_builder *b, enum geo_kind kind, const char *name,
                                   const char *data, size_t len, const char *flag,
                                   struct dt_diag *diag);

/* Inputs added so far, in order. */
size_t geo_builder_inputs(const struct geo_builder *b, const struct geo_input_info **out);

/*
 * Computes the index and writes it to dir/<hex>.idx (through a temporary
 * file and rename, so a crash leaves either nothing or the whole file).
 * An existing file of the same name is the same index and is kept.
 */
enum dt_err geo_builder_write(struct geo_builder *b, const char *dir, struct geo_build_result *res,
                              struct dt_diag *diag);

/* The same computation into memory (for tests and fuzzing); *out is malloc'd. */
enum dt_err geo_builder_serialize(struct geo_builder *b, uint8_t **out, size_t *len,
                                  struct dt_diag *diag);

#endif
