/*
 * hmap.h — the hash tables the analysis builds over millions of events:
 * a 64-bit hash, a map from nonzero 64-bit keys to 32-bit values, and a
 * string table that gives each distinct string a dense id.
 *
 * Open addressing with linear probing at a load factor of at most 1/2;
 * keys are mixed once more before probing, so clustered inputs (block *
 * 8192 + index) spread.  Growth doubles the table.  No deletion: the
 * analysis only ever adds.
 */
#ifndef DT_ANALYSIS_HMAP_H
#define DT_ANALYSIS_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* A 64-bit hash of n bytes (8 bytes a step), never 0. */
uint64_t hm_hash(const void *p, size_t n, uint64_t seed);

/* Map from nonzero uint64 keys to uint32 values. */
struct hmap {
	uint64_t *k;
	uint32_t *v;
	size_t n, mask; /* entries; capacity - 1 (0: empty table) */
};

void hmap_release(struct hmap *m);
/* The value of key, or NULL. */
uint32_t *hmap_get(const struct hmap *m, uint64_t key);
/* The slot of key, added with value v when absent (*added says which). */
enum dt_err hmap_put(struct hmap *m, uint64_t key, uint32_t v, uint32_t **slot, bool *added);

/* Strings with dense ids; id 0 is "" and exists from init. */
struct strtab {
	struct hmap ix; /* hash -> id (collisions resolved by probing on) */
	char *buf;
	size_t len, cap;
	uint32_t *off; /* start of each string, NUL-terminated */
	size_t n, offcap;
};

enum dt_err strtab_init(struct strtab *t);
void strtab_release(struct strtab *t);
enum dt_err strtab_intern(struct strtab *t, const char *s, size_t len, uint32_t *id);
static inline const char *strtab_get(const struct strtab *t, uint32_t id)
{
	return t->buf + t->off[id];
}

#endif
