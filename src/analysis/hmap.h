/*
 * hmap.h — the hash tables the analysis builds over millions of events:
 * a 64-bit hash, a map from nonzero 64-bit keys to 32-bit values, and a
 * string table that gives each distinct string a dense id.
 *
 * Open addressing with linear probing at a load factor of at most 1/2;
 * keys are mixed once more before probing, so clustered inputs (block *
 * 8192 + index) spread.  A key and its value share one 16-byte slot, so a
 * probe that misses the cache costs one line, not two; growth doubles the
 * table.  No deletion: the analysis only ever adds.  Lookups and
 * insertions are inline (they are most of an analysis's time); a table
 * starts small (HMAP_MIN slots), since the assessment builds a dozen per
 * campaign and most campaigns are small.
 */
#ifndef DT_ANALYSIS_HMAP_H
#define DT_ANALYSIS_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Slots of a table's first allocation. */
#define HMAP_MIN 16

/* A 64-bit hash of n bytes (8 bytes a step), never 0. */
uint64_t hm_hash(const void *p, size_t n, uint64_t seed);

/* The finaliser of splitmix64: where a key's probe starts. */
static inline uint64_t hm_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

struct hm_slot {
	uint64_t k; /* 0: empty */
	uint32_t v;
	uint32_t pad;
};

/* Map from nonzero uint64 keys to uint32 values. */
struct hmap {
	struct hm_slot *s;
	size_t n, mask; /* entries; capacity - 1 (0: empty table) */
};

void hmap_release(struct hmap *m);
/* Grows the table (hmap_put's slow path). */
enum dt_err hmap_grow(struct hmap *m);

/* The value of key, or NULL. */
static inline uint32_t *hmap_get(const struct hmap *m, uint64_t key)
{
	if (m->mask == 0)
		return NULL;
	for (size_t i = hm_mix(key) & m->mask;; i = (i + 1) & m->mask) {
		if (m->s[i].k == key)
			return &m->s[i].v;
		if (m->s[i].k == 0)
			return NULL;
	}
}

/* Asks the cache for the first slot key would probe (before a batch of
 * other work, so that the line arrives in time). */
static inline void hmap_prefetch(const struct hmap *m, uint64_t key)
{
	if (m->mask)
		__builtin_prefetch(&m->s[hm_mix(key) & m->mask]);
}

/* The slot of key, added with value v when absent (*added says which; it
 * may be NULL). */
static inline enum dt_err hmap_put(struct hmap *m, uint64_t key, uint32_t v, uint32_t **slot,
                                   bool *added)
{
	size_t i;

	if (2 * (m->n + 1) > m->mask + 1) {
		enum dt_err err = hmap_grow(m);

		if (err)
			return err;
	}
	for (i = hm_mix(key) & m->mask; m->s[i].k; i = (i + 1) & m->mask) {
		if (m->s[i].k == key) {
			*slot = &m->s[i].v;
			if (added)
				*added = false;
			return DT_OK;
		}
	}
	m->s[i].k = key;
	m->s[i].v = v;
	m->n++;
	*slot = &m->s[i].v;
	if (added)
		*added = true;
	return DT_OK;
}

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
