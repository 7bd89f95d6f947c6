/*
 * tiles.c — see tiles.h.  The encoding is the whole point of tiles: a log
 * becomes a finite set of immutable files (plus one mutable checkpoint and
 * the current partial tiles) that any static file server, or a directory
 * handed over on a USB stick, can serve, and that a client verifies with
 * nothing but RFC 6962 hashing.  Parsing is strict: a path or bundle has
 * one encoding, so two parties that compare files byte for byte agree.
 */
#include "ledger/tiles.h"

#include <stdio.h>
#include <string.h>

/* Hashes at Merkle level 8 * level (entries: leaves) in a tree of size. */
static uint64_t level_hashes(int level, uint64_t size)
{
	unsigned shift = level < 0 ? 0 : (unsigned)level * TILE_HEIGHT;

	return shift >= 64 ? 0 : size >> shift;
}

unsigned tile_width(int level, uint64_t n, uint64_t size)
{
	uint64_t c;

	if (level < TILE_ENTRIES || level > TILE_MAX_LEVEL)
		return 0;
	c = level_hashes(level, size);
	if (n < c / TILE_WIDTH)
		return TILE_WIDTH;
	if (n == c / TILE_WIDTH)
		return (unsigned)(c % TILE_WIDTH);
	return 0;
}

uint64_t tile_count(int level, uint64_t size)
{
	uint64_t c;

	if (level < TILE_ENTRIES || level > TILE_MAX_LEVEL)
		return 0;
	c = level_hashes(level, size);
	return c / TILE_WIDTH + (c % TILE_WIDTH != 0);
}

enum dt_err tile_path(int level, uint64_t n, unsigned width, char *out, size_t size)
{
	char digits[24];
	size_t nd, used;
	int k;

	if (level < TILE_ENTRIES || level > TILE_MAX_LEVEL || width == 0 || width > TILE_WIDTH)
		return DT_EINVAL;
	if (level == TILE_ENTRIES)
		k = snprintf(out, size, "tile/entries/");
	else
		k = snprintf(out, size, "tile/%d/", level);
	if (k < 0 || (size_t)k >= size)
		return DT_EINVAL;
	used = (size_t)k;
	/* n as a multiple of 3 digits, then split into elements */
	nd = (size_t)snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	{
		size_t pad = (3 - nd % 3) % 3;
		char tmp[32];

		memset(tmp, '0', pad);
		memcpy(tmp + pad, digits, nd + 1);
		memcpy(digits, tmp, nd + pad + 1);
		nd += pad;
	}
	for (size_t i = 0; i < nd; i += 3) {
		bool last = i + 3 == nd;

		k = snprintf(out + used, size - used, "%s%.3s%s", last ? "" : "x", digits + i,
		             last ? "" : "/");
		if (k < 0 || (size_t)k >= size - used)
			return DT_EINVAL;
		used += (size_t)k;
	}
	if (width < TILE_WIDTH) {
		k = snprintf(out + used, size - used, ".p/%u", width);
		if (k < 0 || (size_t)k >= size - used)
			return DT_EINVAL;
	}
	return DT_OK;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A decimal without leading zeroes at s[*i..], up to max; advances *i. */
static bool parse_small(const char *s, size_t len, size_t *i, unsigned max, unsigned *out)
{
	size_t start = *i;
	unsigned v = 0;

	while (*i < len && is_digit(s[*i])) {
		v = v * 10 + (unsigned)(s[*i] - '0');
		if (v > max)
			return false;
		(*i)++;
	}
	if (*i == start || (s[start] == '0' && *i - start > 1))
		return false;
	*out = v;
	return true;
}

enum dt_err tile_path_parse(const char *s, size_t len, int *level, uint64_t *n, unsigned *width,
                            struct dt_diag *diag)
{
	static const char entries[] = "tile/entries/";
	size_t i = 5, elems = 0;
	uint64_t v = 0;
	unsigned l;

	*level = 0;
	*n = 0;
	*width = TILE_WIDTH;
	if (len < 5 || memcmp(s, "tile/", 5) != 0) {
		dt_diag_set(diag, NULL, 0, "tile path does not start with 'tile/'");
		return DT_EPARSE;
	}
	if (len >= sizeof(entries) - 1 && memcmp(s, entries, sizeof(entries) - 1) == 0) {
		*level = TILE_ENTRIES;
		i = sizeof(entries) - 1;
	} else if (parse_small(s, len, &i, TILE_MAX_LEVEL, &l) && i < len && s[i] == '/') {
		*level = (int)l;
		i++;
	} else {
		dt_diag_set(diag, NULL, 0, "tile path: level is not 'entries' or 0..63");
		return DT_EPARSE;
	}
	for (;;) {
		bool x = i < len && s[i] == 'x';

		if (x)
			i++;
		if (i + 3 > len || !is_digit(s[i]) || !is_digit(s[i + 1]) || !is_digit(s[i + 2])) {
			dt_diag_set(diag, NULL, 0,
			            "tile path: index element %zu is not 3 decimal digits",
			            elems + 1);
			return DT_EPARSE;
		}
		if (elems == 0 && x && s[i] == '0' && s[i + 1] == '0' && s[i + 2] == '0') {
			dt_diag_set(diag, NULL, 0, "tile path: index has a leading 'x000' element");
			return DT_EPARSE;
		}
		{
			unsigned d = (unsigned)((s[i] - '0') * 100 + (s[i + 1] - '0') * 10 +
			                        (s[i + 2] - '0'));

			if (v > (UINT64_MAX - d) / 1000) {
				dt_diag_set(diag, NULL, 0, "tile path: index beyond 64 bits");
				return DT_EPARSE;
			}
			v = v * 1000 + d;
		}
		i += 3;
		elems++;
		if (!x)
			break;
		if (i >= len || s[i] != '/') {
			dt_diag_set(diag, NULL, 0, "tile path: 'x' element not followed by '/'");
			return DT_EPARSE;
		}
		i++;
	}
	if (i < len) {
		unsigned w;

		if (len - i < 4 || memcmp(s + i, ".p/", 3) != 0) {
			dt_diag_set(diag, NULL, 0, "tile path: trailing bytes after the index");
			return DT_EPARSE;
		}
		i += 3;
		if (!parse_small(s, len, &i, TILE_WIDTH - 1, &w) || w == 0 || i != len) {
			dt_diag_set(diag, NULL, 0, "tile path: partial width is not 1..255");
			return DT_EPARSE;
		}
		*width = w;
	}
	*n = v;
	return DT_OK;
}

enum dt_err tile_build(merkle_read_fn *rd, void *ctx, int level, uint64_t n, unsigned width,
                       struct strbuf *out)
{
	uint8_t h[MERKLE_HASH_LEN];
	enum dt_err err;

	if (level < 0 || level > TILE_MAX_LEVEL || width == 0 || width > TILE_WIDTH ||
	    n > (UINT64_MAX - TILE_WIDTH) / TILE_WIDTH)
		return DT_EINVAL;
	for (unsigned i = 0; i < width; i++) {
		if ((err = rd(ctx, (unsigned)level * TILE_HEIGHT, n * TILE_WIDTH + i, h)) ||
		    (err = strbuf_add(out, h, sizeof(h))))
			return err;
	}
	return DT_OK;
}

enum dt_err tile_bundle_add(struct strbuf *out, const void *entry, size_t len)
{
	uint8_t pre[2];
	enum dt_err err;

	if (len > TILE_MAX_ENTRY)
		return DT_ELIMIT;
	pre[0] = (uint8_t)(len >> 8);
	pre[1] = (uint8_t)len;
	if ((err = strbuf_add(out, pre, 2)))
		return err;
	return strbuf_add(out, entry, len);
}

enum dt_err tile_bundle_parse(const uint8_t *data, size_t len, unsigned width,
                              struct tile_entry *out, struct dt_diag *diag)
{
	size_t off = 0;

	if (width == 0 || width > TILE_WIDTH) {
		dt_diag_set(diag, NULL, 0, "entry bundle: width %u is not 1..256", width);
		return DT_EPARSE;
	}
	for (unsigned k = 0; k < width; k++) {
		size_t el;

		if (len - off < 2) {
			dt_diag_set(diag, NULL, 0,
			            "entry bundle: ends at byte %zu, before entry %u of %u", off,
			            k + 1, width);
			return DT_EPARSE;
		}
		el = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len - off < el) {
			dt_diag_set(diag, NULL, 0,
			            "entry bundle: entry %u at byte %zu says %zu bytes, %zu remain",
			            k + 1, off - 2, el, len - off);
			return DT_EPARSE;
		}
		out[k].p = data + off;
		out[k].len = el;
		off += el;
	}
	if (off != len) {
		dt_diag_set(diag, NULL, 0, "entry bundle: %zu bytes after its %u entries",
		            len - off, width);
		return DT_EPARSE;
	}
	return DT_OK;
}

enum dt_err tile_hashes_check(size_t len, unsigned width, struct dt_diag *diag)
{
	if (width == 0 || width > TILE_WIDTH || len != (size_t)width * MERKLE_HASH_LEN) {
		dt_diag_set(diag, NULL, 0, "hash tile: %zu bytes, not %u hashes of 32", len, width);
		return DT_EPARSE;
	}
	return DT_OK;
}
