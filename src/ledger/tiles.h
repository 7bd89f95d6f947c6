/*
 * tiles.h — the C2SP tlog-tiles encoding of a Merkle log (c2sp.org/tlog-tiles):
 * tile paths, hash tiles built from stored tree hashes, entry bundles, and
 * their parsing.  Pure functions of their arguments: no files, no SQLite,
 * so that `log export` (files), `sync` (reading a peer's files) and the
 * HTTP server (serving the same resources) share them.
 *
 * Tiles are TILE_WIDTH = 256 hashes wide (tile height 8).  The level-L tile
 * N holds the hashes of the complete subtrees at Merkle level 8 * L with
 * indexes N * 256 .. N * 256 + 255; the entry bundle N holds entries
 * N * 256 .. N * 256 + 255, each as a big-endian uint16 length and the
 * entry's bytes.  For a tree of `size` entries the rightmost tile of a
 * level is partial, W = floor(size / 256^L) mod 256 hashes wide, and named
 * with ".p/W".  Level -1 (TILE_ENTRIES) stands for the entry bundles.
 */
#ifndef DT_LEDGER_TILES_H
#define DT_LEDGER_TILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "merkle/merkle.h"

#define TILE_HEIGHT    8
#define TILE_WIDTH     256
#define TILE_ENTRIES   (-1)  /* level of the entry bundles */
#define TILE_MAX_LEVEL 63    /* the spec's bound on <L> */
#define TILE_MAX_PATH  96    /* "tile/entries/x...x/NNN.p/WWW" and NUL */
#define TILE_MAX_ENTRY 65535 /* a bundle's length prefix is 16 bits */
#define TILE_BYTES     (TILE_WIDTH * MERKLE_HASH_LEN)

/*
 * The width of tile n at level (TILE_ENTRIES or 0..63) in a tree of size
 * entries: TILE_WIDTH for a full tile, 1..255 for the partial one, 0 when
 * the tree has no such tile.
 */
unsigned tile_width(int level, uint64_t n, uint64_t size);

/* The number of tiles (full and partial) at level for size: tiles n with
 * tile_width(level, n, size) > 0 are exactly 0 .. count - 1. */
uint64_t tile_count(int level, uint64_t size);

/*
 * "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]" into out (size
 * bytes, TILE_MAX_PATH is enough): N in 3-digit elements, all but the last
 * prefixed with 'x'; ".p/W" when width < TILE_WIDTH.  DT_EINVAL for a
 * level or width out of range.
 */
enum dt_err tile_path(int level, uint64_t n, unsigned width, char *out, size_t size);

/* The inverse, strictly (no leading zeroes in L or W, 3-digit elements,
 * width 1..255 after ".p/"; full tiles have width TILE_WIDTH).  DT_EPARSE
 * names what is wrong in diag (may be NULL). */
enum dt_err tile_path_parse(const char *path, size_t len, int *level, uint64_t *n, unsigned *width,
                            struct dt_diag *diag);

/*
 * Appends the bytes of hash tile (level >= 0, n, width) to out: width
 * hashes read through rd at Merkle level 8 * level, indexes n * 256 + i.
 */
enum dt_err tile_build(merkle_read_fn *rd, void *ctx, int level, uint64_t n, unsigned width,
                       struct strbuf *out);

/* Appends one entry to a bundle being built; DT_ELIMIT past TILE_MAX_ENTRY. */
enum dt_err tile_bundle_add(struct strbuf *out, const void *entry, size_t len);

/* One entry of a parsed bundle: a slice of the caller's buffer. */
struct tile_entry {
	const uint8_t *p;
	size_t len;
};

/*
 * Splits an entry bundle into its entries (pointing into data).  It must
 * hold exactly `width` entries and nothing after them; DT_EPARSE otherwise,
 * naming the entry and offset in diag (may be NULL).  out holds width
 * slots (at most TILE_WIDTH).
 */
enum dt_err tile_bundle_parse(const uint8_t *data, size_t len, unsigned width,
                              struct tile_entry *out, struct dt_diag *diag);

/* Checks a hash tile's length for width hashes; DT_EPARSE otherwise. */
enum dt_err tile_hashes_check(size_t len, unsigned width, struct dt_diag *diag);

#endif
