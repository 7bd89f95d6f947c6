/*
 * build_int.h — what the input parsers (sources.c, mmdb.c) share with the
 * builder (build.c).  Not part of the library's interface.
 */
#ifndef DT_GEO_BUILD_INT_H
#define DT_GEO_BUILD_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ip.h"
#include "geo/build.h"

#define RF_CC    1u
#define RF_ASN   2u
#define RF_ORG   4u
#define RF_FLAGS 8u

/* One input range and the fields it answers. */
struct geo_range {
	dt_u128 lo, hi;
	uint32_t layer; /* 0: built-in; input i: i + 1 */
	uint32_t seq;   /* order within the layer */
	uint32_t asn;
	uint32_t org; /* builder string id */
	uint32_t flags;
	uint16_t cc;    /* ('A' << 8) | 'B' */
	uint8_t fields; /* RF_* */
	uint8_t family;
};

/* Context handed to a parser for one input. */
struct geo_src {
	struct geo_builder *b;
	struct geo_input_info *info;
	const char *name;
	uint32_t layer;
	uint32_t seq;
};

/* Reports a rejected record and counts it. */
void geo_src_reject(struct geo_src *s, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds one range; copies org.  Returns DT_ENOMEM or DT_ELIMIT on failure. */
enum dt_err geo_src_add(struct geo_src *s, uint8_t family, dt_u128 lo, dt_u128 hi, uint8_t fields,
                        uint16_t cc, uint32_t asn, const char *org, size_t org_len, uint32_t flags);

/* The bit of a flag name, registering it; -1 when all 32 are taken. */
int geo_builder_flag(struct geo_builder *b, const char *name);

/* Parsers.  data[0..len) is the whole file. */
enum dt_err geo_parse_ranges(struct geo_src *s, const char *data, size_t len, bool with_asn,
                             struct dt_diag *diag);
enum dt_err geo_parse_warninglist(struct geo_src *s, const char *data, size_t len, const char *flag,
                                  struct dt_diag *diag);
enum dt_err geo_parse_mmdb(struct geo_src *s, const char *path, struct dt_diag *diag);

/* A country code from text: "US" -> 0x5553; 0 for "??", "--", "" or bad. */
uint16_t geo_cc_parse(const char *s, size_t len, bool *valid);

#endif
