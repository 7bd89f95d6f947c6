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

uint64_t hm_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = hm_mix(seed + 0x9e3779b97f4a7c15ULL + n);

	while (n >= 8) {
		uint64_t w;

		memcpy(&w, s, 8);
		h = hm_mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
		s += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;

		memcpy(&w, s, n);
		h = hm_mix(h ^ w ^ (uint64_t)n << 56);
	}
	return h ? h : 1;
}

void hmap_release(struct hmap *m)
{
	free(m->s);
	memset(m, 0, sizeof(*m));
}

/* Rehashes m into cap slots (a power of two, more than 2 * m->n). */
static enum dt_err rehash(struct hmap *m, size_t cap)
{
	struct hm_slot *s = calloc(cap, sizeof(*s));

	if (s == NULL)
		return DT_ENOMEM;
	for (size_t j = 0; m->mask && j <= m->mask; j++) {
		size_t i;

		if (m->s[j].k == 0)
			continue;
		for (i = hm_mix(m->s[j].k) & (cap - 1); s[i].k; i = (i + 1) & (cap - 1))
			;
		s[i] = m->s[j];
	}
	free(m->s);
	m->s = s;
	m->mask = cap - 1;
	return DT_OK;
}

enum dt_err hmap_grow(struct hmap *m)
{
	return rehash(m, m->mask ? 2 * (m->mask + 1) : HMAP_MIN);
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
