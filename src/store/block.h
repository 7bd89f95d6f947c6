/*
 * block.h — events in compressed columnar blocks, the unit the embedded
 * store writes and scans.
 *
 * A block holds up to BLOCK_MAX events of one submission, column by
 * column (times, addresses, ports, counts, each indicator string, the
 * attribution of the remote endpoint), compressed as one zstd frame.
 * Writing a row per event into SQLite tops out at 0.1–0.7 M events/s; a
 * block is one row, so the database does a few hundred inserts a second
 * and the work is in filling arrays and compressing them.  Scans
 * decompress a block (GB/s) and read the columns in place; a reader of a
 * few columns has only those prepared (block_decode_cols, block_get_cols).
 *
 * Serialized layout (before compression), all integers little-endian:
 *   "DTB1", u32 n, u32 ncols, then per column: u8 encoding, u32 length,
 *   bytes.
 * Fixed-width columns are n values; string columns are n lengths followed
 * by the concatenated bytes.  Addresses are 16 bytes (IPv4 in the low 32
 * bits of the 128-bit value) with a family byte in a separate column (0:
 * none).  An unknown number is -1, an absent string empty.  Encodings
 * keep the raw bytes small (zstd's time grows with them): a column whose
 * values are all equal is written once; addresses of a block with no IPv6
 * one are 4 bytes; string lengths below 256 are one byte.
 */
#ifndef DT_STORE_BLOCK_H
#define DT_STORE_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "geo/geo.h"
#include "ingest/event.h"

#define BLOCK_MAX 8192

/* The columns, in serialized order. */
enum block_col {
	/* 8-byte integers */
	BC_TS,
	BC_RECORD,
	BC_SIGID,
	BC_DURATION,
	BC_OBYTES,
	BC_RBYTES,
	BC_OPKTS,
	BC_RPKTS,
	/* 4-byte integers */
	BC_SPORT,
	BC_DPORT,
	BC_PROTO,
	BC_SEVERITY,
	BC_ASN,
	/* bytes */
	BC_REMOTE,
	BC_SRCFAM,
	BC_DSTFAM,
	BC_NETFAM,
	BC_NETLEN,
	/* 16-byte addresses */
	BC_SRC,
	BC_DST,
	BC_NET,
	/* strings */
	BC_KIND,
	BC_UID,
	BC_SIGNATURE,
	BC_DOMAIN,
	BC_URL,
	BC_UA,
	BC_JA3,
	BC_JA3S,
	BC_CERT_SHA1,
	BC_CERT_SHA256,
	BC_MD5,
	BC_SHA1,
	BC_SHA256,
	BC_SERVICE,
	BC_STATE,
	BC_COUNTRY,
	BC_ASORG,
	BC_FLAGS,
	BC_NCOLS
};
#define BC_FIRST_STR BC_KIND

/* An event with the attribution of its remote endpoint, as stored. */
struct block_row {
	struct event ev;
	int remote; /* 0 none, 1 src, 2 dst */
	struct dt_str country, as_org, flags;
	uint32_t asn; /* 0: unknown */
	bool has_net;
	struct dt_prefix network;
};

/* Collects rows column by column. */
struct block_builder {
	size_t n, ngeo; /* rows, and rows whose attribution is in */
	int64_t ts_min, ts_max;
	uint64_t rec_min, rec_max;
	struct strbuf col[BC_NCOLS];
	struct strbuf str[BC_NCOLS]; /* bytes of string columns */
	struct strbuf raw;           /* serialized */
	uint8_t *zbuf;               /* compressed */
	size_t zcap;
	void *zctx; /* ZSTD_CCtx */
};

enum dt_err block_builder_init(struct block_builder *b);
void block_builder_release(struct block_builder *b);
/* Empties the builder for the next block. */
void block_builder_reset(struct block_builder *b);

/* Appends one row's event and remote side (strings are copied); the
 * caller flushes at BLOCK_MAX. */
enum dt_err block_add(struct block_builder *b, const struct block_row *r);

/* The remote address of row i (1: src, 2: dst), or 0 when it has none. */
int block_remote(const struct block_builder *b, size_t i, struct dt_ip *ip);

/* Appends the attribution (country, asn, as_org, flags, network of r) of
 * the next row still without one; rows never given one get none. */
enum dt_err block_add_geo(struct block_builder *b, const struct block_row *r);

/* The compressed block; valid until the next reset. */
enum dt_err block_finish(struct block_builder *b, const void **data, size_t *len);

/* A decoded block: columns point into its own decompressed buffer. */
struct block {
	size_t n;
	const uint8_t *col[BC_NCOLS];
	uint32_t *off[BC_NCOLS]; /* string columns: start of each value, n + 1 */
	const char *sdata[BC_NCOLS];
	uint8_t *buf; /* decompressed */
	size_t cap;
	uint8_t *x; /* expanded columns and string offsets */
	size_t xcap;
	void *dctx; /* ZSTD_DCtx */
};

void block_init(struct block *k);
void block_release(struct block *k);

/* Decompresses and validates one block (every length checked: a damaged
 * block is refused with DT_EFORMAT, never read past). */
enum dt_err block_decode(struct block *k, const void *data, size_t len, struct dt_diag *diag);

/* A set of columns (a uint64_t): bit c for column c. */
#define BLOCK_COL(c) ((uint64_t)1 << (c))
#define BLOCK_ALL    (BLOCK_COL(BC_NCOLS) - 1)

/* block_decode that prepares only the columns in cols for reading (the
 * others are still bounds-checked, never expanded; reading one of them
 * is the caller's error): a reader of a few columns skips the work of the
 * rest.  BC_TS and BC_RECORD are always prepared (scans order rows by
 * them). */
enum dt_err block_decode_cols(struct block *k, const void *data, size_t len, uint64_t cols,
                              struct dt_diag *diag);

/* Row i of a decoded block; strings point into the block. */
void block_get(const struct block *k, size_t i, struct block_row *r);

/* Row i with only the fields of the columns in cols (and their decoded
 * block, which must hold them); the other fields are zero, empty, or
 * EVENT_OTHER for the kind.  block_get is block_get_cols(.., BLOCK_ALL). */
void block_get_cols(const struct block *k, size_t i, uint64_t cols, struct block_row *r);

/* Only the source (side 1) or destination (2) address of row i, false
 * when it has none; only string column c of row i (BC_FIRST_STR..). */
bool block_addr(const struct block *k, int side, size_t i, struct dt_ip *ip);
struct dt_str block_str(const struct block *k, enum block_col c, size_t i);

/* Only the time, or the record number, of row i (for filters and merges). */
int64_t block_ts(const struct block *k, size_t i);
uint64_t block_record(const struct block *k, size_t i);

#endif
