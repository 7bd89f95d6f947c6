/*
 * hmap.c — see hmap.h.  The hash reads eight bytes at a time and mixes
 * with multiply-xorshift rounds (the finaliser of splitmix64); it is not
 * for adversarial keys, and the tables do not need it to be: an attacker
 * who chose colliding domain names would slow an analysis down, not
 * change its result, since every lookup compares keys in full or maps a
 * 64-bit hash the caller treats as the value's identity.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/hmap.h"

static inline uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t hm_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = mix(seed + 0x9e3779b97f4a7c15ULL + n);

	while (n >= 8) {
		uint64_t w;

		memcpy(&w, s, 8);
		h = mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
		s += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;

		memcpy(&w, s, n);
		h = mix(h ^ w ^ (uint64_t)n << 56);
	}
	return h ? h : 1;
}

void hmap_release(struct hmap *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

uint32_t *hmap_get(const struct hmap *m, uint64_t key)
{
	if (m->mask == 0)
		return NULL;
	for (size_t i = mix(key) & m->mask;; i = (i + 1) & m->mask) {
		if (m->k[i] == key)
			return &m->v[i];
		if (m->k[i] == 0)
			return NULL;
	}
}

static enum dt_err grow(struct hmap *m)
{
	size_t cap = m->mask ? 2 * (m->mask + 1) : 1024;
	uint64_t *k = calloc(cap, sizeof(*k));
	uint32_t *v = malloc(cap * sizeof(*v));

	if (k == NULL || v == NULL) {
		free(k);
		free(v);
		return DT_ENOMEM;
	}
	for (size_t j = 0; m->mask && j <= m->mask; j++) {
		size_t i;

		if (m->k[j] == 0)
			continue;
		for (i = mix(m->k[j]) & (cap - 1); k[i]; i = (i + 1) & (cap - 1))
			;
		k[i] = m->k[j];
		v[i] = m->v[j];
	}
	free(m->k);
	free(m->v);
	m->k = k;
	m->v = v;
	m->mask = cap - 1;
	return DT_OK;
}

enum dt_err hmap_put(struct hmap *m, uint64_t key, uint32_t v, uint32_t **slot, bool *added)
{
	size_t i;

	if (2 * (m->n + 1) > m->mask + 1) {
		enum dt_err err = grow(m);

		if (err)
			return err;
	}
	for (i = mix(key) & m->mask; m->k[i]; i = (i + 1) & m->mask) {
		if (m->k[i] == key) {
			*slot = &m->v[i];
			if (added)
				*added = false;
			return DT_OK;
		}
	}
	m->k[i] = key;
	m->v[i] = v;
	m->n++;
	*slot = &m->v[i];
	if (added)
		*added = true;
	return DT_OK;
}

enum dt_err strtab_init(struct strtab *t)
{
	uint32_t id;

	memset(t, 0, sizeof(*t));
	return strtab_intern(t, "", 0, &id);
}

void strtab_release(struct strtab *t)
{
	hmap_release(&t->ix);
	free(t->buf);
	free(t->off);
	memset(t, 0, sizeof(*t));
}

enum dt_err strtab_intern(struct strtab *t, const char *s, size_t len, uint32_t *id)
{
	uint64_t h = hm_hash(s, len, 0x5354);

	for (;;) {
		uint32_t *slot;
		bool added;
		enum dt_err err = hmap_put(&t->ix, h, (uint32_t)t->n, &slot, &added);

		if (err)
			return err;
		if (!added) {
			const char *o = t->buf + t->off[*slot];

			if (strlen(o) == len && memcmp(o, s, len) == 0) {
				*id = *slot;
				return DT_OK;
			}
			h = h * 0x9e3779b97f4a7c15ULL + 1; /* a collision: probe on */
			if (h == 0)
				h = 1;
			continue;
		}
		if (t->len + len + 1 > t->cap) {
			size_t c = t->cap ? t->cap : 4096;
			char *nb;

			while (c < t->len + len + 1)
				c *= 2;
			if ((nb = realloc(t->buf, c)) == NULL)
				return DT_ENOMEM;
			t->buf = nb;
			t->cap = c;
		}
		if (t->n == t->offcap) {
			size_t c = t->offcap ? 2 * t->offcap : 1024;
			uint32_t *no = realloc(t->off, c * sizeof(*no));

			if (no == NULL)
				return DT_ENOMEM;
			t->off = no;
			t->offcap = c;
		}
		memcpy(t->buf + t->len, s, len);
		t->buf[t->len + len] = '\0';
		t->off[t->n] = (uint32_t)t->len;
		t->len += len + 1;
		*id = (uint32_t)t->n++;
		return DT_OK;
	}
}
