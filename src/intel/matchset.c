/*
 * matchset.c — the match indexes of matchset.h: addresses flattened into
 * disjoint intervals, domains and exact values in open-addressing hash
 * tables.
 *
 * Addresses.  CIDR blocks never overlap partially: two prefixes are either
 * disjoint or one contains the other.  So after sorting a family's
 * prefixes by (start, length) — wider first — one pass with a stack of the
 * open prefixes cuts the address space into disjoint intervals: whenever
 * the stack changes (a prefix opens, or the innermost one closes) the
 * interval that ends there is emitted with the payloads of everything on
 * the stack, sorted and de-duplicated.  Each such list is interned in a
 * table of distinct lists (hashed, compared on equal hash), so the interval
 * only carries a 32-bit set id; set 0 is the empty list, answered by the
 * gaps between indicators.  Neighbouring intervals with the same set are
 * merged.  The partition always starts at address 0, which lets the
 * searches below fall back to "the interval before" without a check.
 *
 * IPv4 intervals are searched as geo/index.c does: a table of 65,537
 * indexes gives the intervals starting in each /16 block, and a branch-free
 * binary search over their low 16 bits (uint16 keys: a block's keys share
 * a cache line or two) finds the last start at or before the address; a
 * block with no start belongs to the interval before it.
 * matchset_ip4_sets() runs the stages of a batch of 16 addresses side by
 * side with prefetches, so that their cache misses overlap.  IPv6
 * intervals keep 128-bit starts behind the same /16 block table.
 *
 * Domains and exact values.  One table each: 64-bit slots holding a 32-bit
 * tag (the high half of the key's hash) and the key's index + 1 (0: empty
 * slot), linear probing, at most half full.  Keys live in one arena, their
 * payload lists in one array; keys are compared only when the tag matches.
 * The domain hash is built label by label from the right — hash("evil.com")
 * = H(H(seed, "com"), "evil") — so a lookup of "a.b.evil.com" computes the
 * hashes of all its suffixes in one right-to-left pass, prefetches all
 * their slots, then probes: one round of cache misses per name, not one per
 * label.  Labels are hashed 8 bytes at a time (wyhash-style 64x64->128
 * multiply-fold); names shorter than 8 bytes are read byte by byte, never
 * past the caller's buffer.  Exact values are keyed by (type, bytes): the
 * type seeds the hash and is compared with the bytes.
 *
 * A key added several times (the same address in two indicators) gets one
 * entry whose payloads are sorted and without repeats, as are the interval
 * sets.  The build frees everything only the build needed; lookups only
 * read, so any number of threads may share a built set.
 */
#include "intel/matchset.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Limits (the tables index with 32-bit offsets). */
#define MS_MAX_KEY      (1u << 16) /* bytes of one domain or exact value */
#define MS_MAX_ARENA    UINT32_MAX /* bytes of all keys of one table */
#define MS_MAX_ENTRIES  (1u << 30) /* prefixes, domains, exact values, sets */
#define MS_SUFFIX_BATCH 32         /* suffix hashes computed before probing */
#define MS_BATCH        32         /* addresses per interleaved batch */

#define K0 0xa0761d6478bd642full
#define K1 0xe7037ed1a0b428dbull
#define K2 0x8ebc6af09c88c6e3ull
#define K3 0x589965cc75374cc3ull

/* ---- build-time records ---------------------------------------------- */

struct p4 {
	uint64_t key; /* start << 8 | length */
	uint32_t val;
};

struct p6 {
	dt_u128 lo;
	uint32_t val;
	uint8_t len;
};

struct krec {
	uint32_t off, len, val;
	uint8_t type;
};

/* ---- built tables ------------------------------------------------------ */

struct kent {
	uint32_t off;  /* in the arena */
	uint32_t len;  /* bytes */
	uint32_t list; /* first payload in lists[] */
	uint32_t n;    /* payloads */
	uint8_t type;
};

/* A hash table of byte-string keys (domains, or exact values). */
struct ktab {
	/* while adding */
	struct krec *rec;
	size_t nrec, caprec;
	char *arena;
	size_t narena, caparena;
	/* built */
	uint64_t *slots; /* tag << 32 | (entry + 1); 0: empty */
	uint64_t mask;
	struct kent *ent;
	size_t nent;
	uint32_t *lists;
	size_t nlists;
	/* domains: a blocked Bloom filter of the keys, 16 bits a key, two
	 * bits in one 64-bit word, small enough to stay in cache: most
	 * suffixes of most names are not indicators and stop here */
	uint64_t *bloom;
	unsigned bloom_shift; /* word = mix(h) >> bloom_shift */
};

struct matchset {
	bool built;
	bool failed; /* a build failed: the set can only be freed */
	struct p4 *p4;
	size_t n4p, cap4p;
	struct p6 *p6;
	size_t n6p, cap6p;
	size_t prefixes;

	/* IPv4 */
	uint32_t *first4; /* 65537 */
	uint16_t *low4;
	uint32_t *set4;
	size_t n4;
	/* IPv6 */
	uint32_t *first6; /* 65537 */
	dt_u128 *start6;
	uint32_t *set6;
	size_t n6;
	/* interval sets: set i is vals[off[i] .. off[i + 1]) */
	uint32_t *setoff;
	uint32_t *setvals;
	size_t nsets, nsetvals;

	struct ktab dom, exact;
};

/* ---- hashing ----------------------------------------------------------- */

static inline uint64_t mum(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t load64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* The n < 8 bytes at p as a little-endian number, zero-padded, reading
 * only inside [base, end). */
static inline uint64_t load_part(const char *p, size_t n, const char *base, const char *end)
{
	uint64_t v = 0;

	if (n == 0)
		return 0;
	if (end - p >= 8)
		return load64(p) & ((1ull << (8 * n)) - 1);
	if (p + n - base >= 8)
		return load64(p + n - 8) >> (64 - 8 * n);
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)(uint8_t)p[i] << (8 * i);
	return v;
}

/* Extends h with the n bytes at p (inside [base, end)). */
static inline uint64_t hash_piece(uint64_t h, const char *p, size_t n, const char *base,
                                  const char *end)
{
	size_t i = 0;

	for (; i + 8 < n; i += 8)
		h = mum(h ^ load64(p + i) ^ K0, K1);
	if (n - i == 8)
		return mum(h ^ load64(p + i) ^ K2, K3 ^ n);
	return mum(h ^ load_part(p + i, n - i, base, end) ^ K2, K3 ^ n);
}

#define DOMAIN_SEED 0x2d358dccaa6c78a5ull

/* The hash of the domain d[0..len), label by label from the right. */
static uint64_t domain_hash(const char *d, size_t len)
{
	uint64_t h = DOMAIN_SEED;
	size_t end = len;

	for (;;) {
		size_t a = end;

		while (a > 0 && d[a - 1] != '.')
			a--;
		h = hash_piece(h, d + a, end - a, d, d + len);
		if (a == 0)
			return h;
		end = a - 1;
	}
}

static uint64_t exact_hash(uint8_t type, const char *s, size_t len)
{
	return hash_piece(mum(type ^ K0, K2), s, len, s, s + len);
}

static uint64_t hash_u32s(const uint32_t *v, size_t n)
{
	uint64_t h = n ^ K3;

	for (size_t i = 0; i < n; i++)
		h = mum(h ^ v[i] ^ K0, K1);
	return h;
}

/* ---- small helpers ----------------------------------------------------- */

static enum dt_err grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return DT_OK;
	while (c < need)
		c *= 2;
	if ((q = realloc(*p, c * elem)) == NULL)
		return DT_ENOMEM;
	*p = q;
	*cap = c;
	return DT_OK;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Sorts v[0..n) and removes repeats; returns the new length. */
static size_t sort_unique(uint32_t *v, size_t n)
{
	size_t m;

	if (n < 2)
		return n;
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			uint32_t x = v[i];
			size_t j = i;

			while (j > 0 && v[j - 1] > x) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
	} else {
		qsort(v, n, sizeof(*v), cmp_u32);
	}
	m = 1;
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[m - 1])
			v[m++] = v[i];
	return m;
}

static size_t pow2_slots(size_t n)
{
	size_t s = 16;

	while (s < 2 * n)
		s *= 2;
	return s;
}

static inline uint64_t bloom_bits(uint64_t h)
{
	return (1ull << ((h >> 52) & 63)) | (1ull << ((h >> 46) & 63));
}

static inline const uint64_t *bloom_word(const uint64_t *bloom, unsigned shift, uint64_t h)
{
	return &bloom[(h * 0x9fb21c651e98df25ull) >> shift];
}

/* ---- the matchset ------------------------------------------------------ */

void ms_hits_release(struct ms_hits *h)
{
	if (h == NULL)
		return;
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

enum dt_err matchset_new(struct matchset **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? DT_OK : DT_ENOMEM;
}

static void ktab_release(struct ktab *t)
{
	free(t->rec);
	free(t->arena);
	free(t->slots);
	free(t->ent);
	free(t->lists);
	free(t->bloom);
	memset(t, 0, sizeof(*t));
}

void matchset_free(struct matchset *m)
{
	if (m == NULL)
		return;
	free(m->p4);
	free(m->p6);
	free(m->first4);
	free(m->low4);
	free(m->set4);
	free(m->first6);
	free(m->start6);
	free(m->set6);
	free(m->setoff);
	free(m->setvals);
	ktab_release(&m->dom);
	ktab_release(&m->exact);
	free(m);
}

enum dt_err matchset_add_prefix(struct matchset *m, const struct dt_prefix *p, uint32_t val)
{
	uint8_t fam = p->ip.family;

	if (m->built || (fam != DT_IP_V4 && fam != DT_IP_V6) || p->len > dt_ip_bits(fam))
		return DT_EINVAL;
	if (m->prefixes >= MS_MAX_ENTRIES)
		return DT_ELIMIT;
	if (fam == DT_IP_V4) {
		uint32_t lo = (uint32_t)(p->ip.addr & dt_ip_mask(DT_IP_V4, p->len));

		if (grow((void **)&m->p4, &m->cap4p, m->n4p + 1, sizeof(*m->p4)))
			return DT_ENOMEM;
		m->p4[m->n4p].key = (uint64_t)lo << 8 | p->len;
		m->p4[m->n4p++].val = val;
	} else {
		if (grow((void **)&m->p6, &m->cap6p, m->n6p + 1, sizeof(*m->p6)))
			return DT_ENOMEM;
		m->p6[m->n6p].lo = p->ip.addr & dt_ip_mask(DT_IP_V6, p->len);
		m->p6[m->n6p].len = p->len;
		m->p6[m->n6p++].val = val;
	}
	m->prefixes++;
	return DT_OK;
}

static enum dt_err ktab_add(struct ktab *t, uint8_t type, const char *s, size_t len, uint32_t val)
{
	if (len == 0 || s == NULL)
		return DT_EINVAL;
	if (len > MS_MAX_KEY || t->nrec >= MS_MAX_ENTRIES || t->narena + len > MS_MAX_ARENA)
		return DT_ELIMIT;
	if (grow((void **)&t->arena, &t->caparena, t->narena + len, 1) ||
	    grow((void **)&t->rec, &t->caprec, t->nrec + 1, sizeof(*t->rec)))
		return DT_ENOMEM;
	memcpy(t->arena + t->narena, s, len);
	t->rec[t->nrec].off = (uint32_t)t->narena;
	t->rec[t->nrec].len = (uint32_t)len;
	t->rec[t->nrec].val = val;
	t->rec[t->nrec++].type = type;
	t->narena += len;
	return DT_OK;
}

enum dt_err matchset_add_domain(struct matchset *m, const char *d, size_t len, uint32_t val)
{
	if (m->built)
		return DT_EINVAL;
	return ktab_add(&m->dom, IT_DOMAIN, d, len, val);
}

enum dt_err matchset_add_exact(struct matchset *m, enum ind_type type, const char *s, size_t len,
                               uint32_t val)
{
	if (m->built || type <= IT_NONE || type >= IT_NTYPES || type == IT_IP || type == IT_IPV4 ||
	    type == IT_IPV6 || type == IT_DOMAIN)
		return DT_EINVAL;
	return ktab_add(&m->exact, (uint8_t)type, s, len, val);
}

/* ---- building the key tables ------------------------------------------- */

static inline uint64_t key_hash(bool domain, uint8_t type, const char *s, size_t len)
{
	return domain ? domain_hash(s, len) : exact_hash(type, s, len);
}

static void slot_put(uint64_t *slots, uint64_t mask, uint64_t h, uint32_t ent)
{
	uint64_t i = h & mask;

	while (slots[i])
		i = (i + 1) & mask;
	slots[i] = (h >> 32) << 32 | ((uint64_t)ent + 1);
}

static enum dt_err ktab_build(struct ktab *t, bool domain)
{
	uint32_t *key = NULL, *count = NULL;
	uint64_t *hash = NULL;
	char *arena = NULL;
	size_t nslots, narena = 0;
	enum dt_err err = DT_ENOMEM;

	if (t->nrec == 0) {
		free(t->rec);
		free(t->arena);
		t->rec = NULL;
		t->arena = NULL;
		t->nrec = t->caprec = t->narena = t->caparena = 0;
		return DT_OK;
	}
	nslots = pow2_slots(t->nrec);
	if ((key = malloc(t->nrec * sizeof(*key))) == NULL ||
	    (hash = malloc(t->nrec * sizeof(*hash))) == NULL ||
	    (t->slots = calloc(nslots, sizeof(*t->slots))) == NULL ||
	    (t->ent = malloc(t->nrec * sizeof(*t->ent))) == NULL)
		goto out;
	t->mask = nslots - 1;
	/* distinct keys: entry i points into the old arena for now */
	for (size_t i = 0; i < t->nrec; i++) {
		const struct krec *r = &t->rec[i];
		const char *s = t->arena + r->off;
		uint64_t h = key_hash(domain, r->type, s, r->len), j = h & t->mask;
		uint32_t tag = (uint32_t)(h >> 32);

		hash[i] = h;
		for (;; j = (j + 1) & t->mask) {
			uint64_t sl = t->slots[j];
			const struct kent *e;

			if (sl == 0) {
				key[i] = (uint32_t)t->nent;
				t->slots[j] = (uint64_t)tag << 32 | (t->nent + 1);
				t->ent[t->nent++] =
				    (struct kent){.off = r->off, .len = r->len, .type = r->type};
				narena += r->len;
				break;
			}
			if ((uint32_t)(sl >> 32) != tag)
				continue;
			e = &t->ent[(uint32_t)sl - 1];
			if (e->len == r->len && e->type == r->type &&
			    memcmp(t->arena + e->off, s, r->len) == 0) {
				key[i] = (uint32_t)sl - 1;
				break;
			}
		}
	}
	/* payload lists: count, place, sort each */
	if ((count = calloc(t->nent + 1, sizeof(*count))) == NULL ||
	    (t->lists = malloc(t->nrec * sizeof(*t->lists))) == NULL)
		goto out;
	for (size_t i = 0; i < t->nrec; i++)
		count[key[i] + 1]++;
	for (size_t k = 0; k < t->nent; k++)
		count[k + 1] += count[k];
	for (size_t k = 0; k < t->nent; k++)
		t->ent[k].list = count[k];
	for (size_t i = 0; i < t->nrec; i++)
		t->lists[count[key[i]]++] = t->rec[i].val;
	t->nlists = 0;
	for (size_t k = 0; k < t->nent; k++) {
		struct kent *e = &t->ent[k];
		size_t n = count[k] - e->list;

		if (n > 1)
			n = sort_unique(t->lists + e->list, n);
		memmove(t->lists + t->nlists, t->lists + e->list, n * sizeof(*t->lists));
		e->list = (uint32_t)t->nlists;
		e->n = (uint32_t)n;
		t->nlists += n;
	}
	/* the arena of distinct keys only */
	if (narena < t->narena) {
		if ((arena = malloc(narena)) == NULL)
			goto out;
		narena = 0;
		for (size_t k = 0; k < t->nent; k++) {
			memcpy(arena + narena, t->arena + t->ent[k].off, t->ent[k].len);
			t->ent[k].off = (uint32_t)narena;
			narena += t->ent[k].len;
		}
		free(t->arena);
		t->arena = arena;
		t->narena = t->caparena = narena;
	}
	/* a smaller table when many records shared keys */
	if (pow2_slots(t->nent) < nslots) {
		uint64_t *slots;

		nslots = pow2_slots(t->nent);
		if ((slots = calloc(nslots, sizeof(*slots))) == NULL)
			goto out;
		free(t->slots);
		t->slots = slots;
		t->mask = nslots - 1;
		for (size_t i = 0, k = 0; i < t->nrec && k < t->nent; i++)
			if (key[i] == k)
				slot_put(t->slots, t->mask, hash[i], (uint32_t)k++);
	}
	if (domain) {
		/* 16 bits a key, at least 64 words */
		unsigned wbits = 6;

		while (((size_t)1 << wbits) * 64 < 16 * t->nent)
			wbits++;
		if ((t->bloom = calloc((size_t)1 << wbits, sizeof(*t->bloom))) == NULL)
			goto out;
		t->bloom_shift = 64 - wbits;
		for (size_t i = 0, k = 0; i < t->nrec && k < t->nent; i++)
			if (key[i] == k) {
				uint64_t *w =
				    (uint64_t *)bloom_word(t->bloom, t->bloom_shift, hash[i]);

				*w |= bloom_bits(hash[i]);
				k++;
			}
	}
	{
		/* shrink to fit; failure to shrink is harmless */
		void *p = realloc(t->ent, (t->nent ? t->nent : 1) * sizeof(*t->ent));
		void *q = realloc(t->lists, (t->nlists ? t->nlists : 1) * sizeof(*t->lists));

		if (p)
			t->ent = p;
		if (q)
			t->lists = q;
	}
	free(t->rec);
	t->rec = NULL;
	t->nrec = t->caprec = 0;
	err = DT_OK;
out:
	free(key);
	free(hash);
	free(count);
	return err;
}

/* ---- building the address intervals ------------------------------------ */

struct setintern {
	uint64_t *slots; /* tag << 32 | set id (ids start at 1); 0: empty */
	size_t nslots;
	size_t capsets, capvals;
};

struct sweep {
	struct matchset *m;
	struct setintern *si;
	dt_u128 *start;
	uint32_t *set;
	size_t n, capstart, capset;
	struct stk {
		dt_u128 hi;
		uint32_t val;
	} * stk;
	size_t depth, capstk;
	uint32_t *scratch;
	size_t capscratch;
};

static enum dt_err set_intern(struct matchset *m, struct setintern *si, const uint32_t *v, size_t n,
                              uint32_t *id)
{
	uint64_t h, mask, i;
	uint32_t tag;

	if (n == 0) {
		*id = 0;
		return DT_OK;
	}
	if (2 * m->nsets >= si->nslots) {
		size_t ns = si->nslots ? si->nslots * 2 : 1024;
		uint64_t *s = calloc(ns, sizeof(*s));

		if (s == NULL)
			return DT_ENOMEM;
		for (size_t j = 0; j < si->nslots; j++) {
			uint64_t sl = si->slots[j], k;
			uint32_t sid = (uint32_t)sl;

			if (sl == 0)
				continue;
			k = hash_u32s(m->setvals + m->setoff[sid],
			              m->setoff[sid + 1] - m->setoff[sid]);
			for (k &= ns - 1; s[k]; k = (k + 1) & (ns - 1))
				;
			s[k] = sl;
		}
		free(si->slots);
		si->slots = s;
		si->nslots = ns;
	}
	h = hash_u32s(v, n);
	tag = (uint32_t)(h >> 32);
	mask = si->nslots - 1;
	for (i = h & mask; si->slots[i]; i = (i + 1) & mask) {
		uint64_t sl = si->slots[i];
		uint32_t sid = (uint32_t)sl;

		if ((uint32_t)(sl >> 32) == tag && m->setoff[sid + 1] - m->setoff[sid] == n &&
		    memcmp(m->setvals + m->setoff[sid], v, n * sizeof(*v)) == 0) {
			*id = sid;
			return DT_OK;
		}
	}
	if (m->nsets >= MS_MAX_ENTRIES || m->nsetvals + n > UINT32_MAX)
		return DT_ELIMIT;
	if (grow((void **)&m->setvals, &si->capvals, m->nsetvals + n, sizeof(*m->setvals)) ||
	    grow((void **)&m->setoff, &si->capsets, m->nsets + 2, sizeof(*m->setoff)))
		return DT_ENOMEM;
	memcpy(m->setvals + m->nsetvals, v, n * sizeof(*v));
	m->nsetvals += n;
	*id = (uint32_t)m->nsets++;
	m->setoff[m->nsets] = (uint32_t)m->nsetvals;
	si->slots[i] = (uint64_t)tag << 32 | *id;
	return DT_OK;
}

/* Ends the interval that began at pos: its set is the stack's payloads. */
static enum dt_err emit(struct sweep *w, dt_u128 pos)
{
	uint32_t id;
	size_t n = w->depth;
	enum dt_err err;

	if (n == 1) {
		uint32_t v = w->stk[0].val;

		if ((err = set_intern(w->m, w->si, &v, 1, &id)))
			return err;
	} else {
		if (grow((void **)&w->scratch, &w->capscratch, n, sizeof(*w->scratch)))
			return DT_ENOMEM;
		for (size_t i = 0; i < n; i++)
			w->scratch[i] = w->stk[i].val;
		n = sort_unique(w->scratch, n);
		if ((err = set_intern(w->m, w->si, w->scratch, n, &id)))
			return err;
	}
	if (w->n > 0 && w->set[w->n - 1] == id)
		return DT_OK;
	if (grow((void **)&w->start, &w->capstart, w->n + 1, sizeof(*w->start)) ||
	    grow((void **)&w->set, &w->capset, w->n + 1, sizeof(*w->set)))
		return DT_ENOMEM;
	w->start[w->n] = pos;
	w->set[w->n++] = id;
	return DT_OK;
}

/*
 * One step of the sweep: the prefix [lo, hi] with payload val, in order of
 * (lo, length).  Closes what ends before lo, emits the gap or the outer
 * interval up to lo, opens the prefix.
 */
static enum dt_err sweep_push(struct sweep *w, dt_u128 *pos, dt_u128 lo, dt_u128 hi, uint32_t val)
{
	enum dt_err err;

	while (w->depth > 0 && w->stk[w->depth - 1].hi < lo) {
		dt_u128 top = w->stk[w->depth - 1].hi;

		if (*pos <= top) {
			if ((err = emit(w, *pos)))
				return err;
			*pos = top + 1;
		}
		w->depth--;
	}
	if (lo > *pos) {
		if ((err = emit(w, *pos)))
			return err;
		*pos = lo;
	}
	if (w->depth == w->capstk) {
		size_t c = w->capstk ? w->capstk * 2 : 64;
		struct stk *s = realloc(w->stk, c * sizeof(*s));

		if (s == NULL)
			return DT_ENOMEM;
		w->stk = s;
		w->capstk = c;
	}
	w->stk[w->depth].hi = hi;
	w->stk[w->depth++].val = val;
	return DT_OK;
}

static enum dt_err sweep_end(struct sweep *w, dt_u128 pos, dt_u128 max)
{
	enum dt_err err;

	while (w->depth > 0) {
		dt_u128 top = w->stk[w->depth - 1].hi;

		if (pos <= top) {
			if ((err = emit(w, pos)))
				return err;
			if (top == max) {
				w->depth = 0;
				return DT_OK;
			}
			pos = top + 1;
		}
		w->depth--;
	}
	return emit(w, pos);
}

/* LSD radix sort of the IPv4 records by key (40 bits), 8 bits a pass. */
static enum dt_err sort_p4(struct p4 *a, size_t n)
{
	size_t cnt[5][256] = {{0}};
	struct p4 *b, *src = a, *dst;

	if (n < 2)
		return DT_OK;
	if ((b = malloc(n * sizeof(*b))) == NULL)
		return DT_ENOMEM;
	dst = b;
	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < 5; d++)
			cnt[d][(a[i].key >> (8 * d)) & 0xff]++;
	for (int d = 0; d < 5; d++) {
		size_t sum = 0;
		struct p4 *t;

		if (cnt[d][(a[0].key >> (8 * d)) & 0xff] == n)
			continue; /* one bucket: the pass would not move anything */
		for (int k = 0; k < 256; k++) {
			size_t c = cnt[d][k];

			cnt[d][k] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[d][(src[i].key >> (8 * d)) & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(b);
	return DT_OK;
}

static int cmp_p6(const void *x, const void *y)
{
	const struct p6 *a = x, *b = y;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return (a->len > b->len) - (a->len < b->len);
}

static void fill_first(uint32_t *first, const dt_u128 *start, size_t n, unsigned shift)
{
	size_t i = 0;

	for (uint32_t blk = 0; blk < 65536; blk++) {
		while (i < n && (uint32_t)(start[i] >> shift) < blk)
			i++;
		first[blk] = (uint32_t)i;
	}
	first[65536] = (uint32_t)n;
}

static enum dt_err build_family(struct matchset *m, struct setintern *si, uint8_t fam)
{
	struct sweep w = {.m = m, .si = si};
	dt_u128 pos = 0, max = dt_ip_max(fam);
	enum dt_err err;

	if (fam == DT_IP_V4) {
		if ((err = sort_p4(m->p4, m->n4p)))
			return err;
		for (size_t i = 0; i < m->n4p; i++) {
			unsigned len = m->p4[i].key & 0xff;
			dt_u128 lo = m->p4[i].key >> 8;
			dt_u128 hi = lo | (~dt_ip_mask(DT_IP_V4, len) & max);

			if ((err = sweep_push(&w, &pos, lo, hi, m->p4[i].val)))
				goto out;
		}
	} else {
		if (m->n6p > 1)
			qsort(m->p6, m->n6p, sizeof(*m->p6), cmp_p6);
		for (size_t i = 0; i < m->n6p; i++) {
			dt_u128 lo = m->p6[i].lo;
			dt_u128 hi = lo | ~dt_ip_mask(DT_IP_V6, m->p6[i].len);

			if ((err = sweep_push(&w, &pos, lo, hi, m->p6[i].val)))
				goto out;
		}
	}
	if ((err = sweep_end(&w, pos, max)))
		goto out;
	err = DT_ENOMEM;
	if (w.n > UINT32_MAX - 1) {
		err = DT_ELIMIT;
		goto out;
	}
	if (fam == DT_IP_V4) {
		if ((m->first4 = malloc(65537 * sizeof(*m->first4))) == NULL ||
		    (m->low4 = malloc(w.n * sizeof(*m->low4))) == NULL)
			goto out;
		fill_first(m->first4, w.start, w.n, 16);
		for (size_t i = 0; i < w.n; i++)
			m->low4[i] = (uint16_t)w.start[i];
		m->set4 = w.set;
		m->n4 = w.n;
	} else {
		if ((m->first6 = malloc(65537 * sizeof(*m->first6))) == NULL)
			goto out;
		fill_first(m->first6, w.start, w.n, 112);
		m->start6 = w.start;
		m->set6 = w.set;
		m->n6 = w.n;
		w.start = NULL;
	}
	w.set = NULL;
	err = DT_OK;
out:
	free(w.start);
	free(w.set);
	free(w.stk);
	free(w.scratch);
	return err;
}

enum dt_err matchset_build(struct matchset *m)
{
	struct setintern si = {0};
	enum dt_err err = DT_ENOMEM;

	if (m->built || m->failed)
		return DT_EINVAL;
	m->failed = true;
	/* set 0: the empty list */
	if (grow((void **)&m->setoff, &si.capsets, 2, sizeof(*m->setoff)))
		goto out;
	m->setoff[0] = m->setoff[1] = 0;
	m->nsets = 1;
	/* sized for one distinct set per prefix, so that it rarely grows */
	si.nslots = pow2_slots(m->prefixes + 1);
	if ((si.slots = calloc(si.nslots, sizeof(*si.slots))) == NULL)
		goto out;
	if ((err = build_family(m, &si, DT_IP_V4)) || (err = build_family(m, &si, DT_IP_V6)) ||
	    (err = ktab_build(&m->dom, true)) || (err = ktab_build(&m->exact, false)))
		goto out;
	free(m->p4);
	free(m->p6);
	m->p4 = NULL;
	m->p6 = NULL;
	m->cap4p = m->cap6p = 0;
	if (m->nsetvals == 0 && m->setvals == NULL) {
		/* keep a valid pointer for matchset_set() */
		if ((m->setvals = malloc(sizeof(*m->setvals))) == NULL) {
			err = DT_ENOMEM;
			goto out;
		}
	}
	m->built = true;
	m->failed = false;
	err = DT_OK;
out:
	free(si.slots);
	return err;
}

/* ---- lookups ----------------------------------------------------------- */

/* Appends v[0..n) to h; on allocation failure what fits. */
static size_t hits_add(struct ms_hits *h, const uint32_t *v, size_t n)
{
	if (h->cap - h->n < n) {
		size_t c = h->cap ? h->cap : 16;
		uint32_t *p;

		while (c - h->n < n)
			c *= 2;
		if ((p = realloc(h->v, c * sizeof(*p))) != NULL) {
			h->v = p;
			h->cap = c;
		} else {
			n = h->cap - h->n;
		}
	}
	if (n)
		memcpy(h->v + h->n, v, n * sizeof(*v));
	h->n += n;
	return n;
}

static inline uint32_t find4(const struct matchset *m, uint32_t a)
{
	uint32_t b = a >> 16, lo = m->first4[b], n = m->first4[b + 1] - lo;
	uint16_t key = (uint16_t)a;
	const uint16_t *p = m->low4 + lo;

	if (n == 0)
		return lo - 1;
	while (n > 1) {
		uint32_t half = n / 2;

		p = p[half] <= key ? p + half : p;
		n -= half;
	}
	return (uint32_t)(p - m->low4) - (*p > key);
}

static inline uint32_t find6(const struct matchset *m, dt_u128 a)
{
	uint32_t b = (uint32_t)(a >> 112), lo = m->first6[b], n = m->first6[b + 1] - lo;
	const dt_u128 *p = m->start6 + lo;

	if (n == 0)
		return lo - 1;
	while (n > 1) {
		uint32_t half = n / 2;

		p = p[half] <= a ? p + half : p;
		n -= half;
	}
	return (uint32_t)(p - m->start6) - (*p > a);
}

size_t matchset_ip(const struct matchset *m, const struct dt_ip *ip, struct ms_hits *h)
{
	uint32_t id;

	if (!m->built)
		return 0;
	if (ip->family == DT_IP_V4)
		id = m->set4[find4(m, (uint32_t)ip->addr)];
	else if (ip->family == DT_IP_V6)
		id = m->set6[find6(m, ip->addr)];
	else
		return 0;
	if (id == 0)
		return 0;
	return hits_add(h, m->setvals + m->setoff[id], m->setoff[id + 1] - m->setoff[id]);
}

void matchset_ip4_sets(const struct matchset *m, const uint32_t *addrs, uint32_t *ids, size_t n)
{
	size_t i = 0;

	if (!m->built) {
		if (n)
			memset(ids, 0, n * sizeof(*ids));
		return;
	}
	for (; i + MS_BATCH <= n; i += MS_BATCH) {
		uint32_t idx[MS_BATCH];

		for (int j = 0; j < MS_BATCH; j++)
			__builtin_prefetch(&m->first4[addrs[i + j] >> 16]);
		for (int j = 0; j < MS_BATCH; j++) {
			uint32_t b = addrs[i + j] >> 16;
			uint32_t lo = m->first4[b], hi = m->first4[b + 1];

			__builtin_prefetch(&m->low4[lo + (hi - lo) / 2]);
		}
		for (int j = 0; j < MS_BATCH; j++) {
			idx[j] = find4(m, addrs[i + j]);
			__builtin_prefetch(&m->set4[idx[j]]);
		}
		for (int j = 0; j < MS_BATCH; j++)
			ids[i + j] = m->set4[idx[j]];
	}
	for (; i < n; i++)
		ids[i] = m->set4[find4(m, addrs[i])];
}

size_t matchset_set(const struct matchset *m, uint32_t id, const uint32_t **vals)
{
	if (!m->built || id >= m->nsets) {
		*vals = NULL;
		return 0;
	}
	*vals = m->setvals + m->setoff[id];
	return m->setoff[id + 1] - m->setoff[id];
}

static inline const struct kent *ktab_find(const struct ktab *t, uint64_t h, uint8_t type,
                                           const char *s, size_t n)
{
	uint32_t tag = (uint32_t)(h >> 32);

	for (uint64_t i = h & t->mask;; i = (i + 1) & t->mask) {
		uint64_t sl = t->slots[i];
		const struct kent *e;

		if (sl == 0)
			return NULL;
		if ((uint32_t)(sl >> 32) != tag)
			continue;
		e = &t->ent[(uint32_t)sl - 1];
		if (e->len == n && e->type == type && memcmp(t->arena + e->off, s, n) == 0)
			return e;
	}
}

size_t matchset_domain(const struct matchset *m, const char *d, size_t len, struct ms_hits *h)
{
	const struct ktab *t = &m->dom;
	uint64_t hs[MS_SUFFIX_BATCH], hash = DOMAIN_SEED;
	size_t st[MS_SUFFIX_BATCH], end = len, before = h->n;
	unsigned lists = 0;
	bool more = true;

	if (!m->built || t->nent == 0 || len == 0)
		return 0;
	while (more) {
		int k = 0;

		/* the hashes of the next suffixes, right to left; their slots
		 * are fetched while the others are computed */
		while (k < MS_SUFFIX_BATCH) {
			size_t a = end;

			while (a > 0 && d[a - 1] != '.')
				a--;
			hash = hash_piece(hash, d + a, end - a, d, d + len);
			hs[k] = hash;
			st[k++] = a;
			__builtin_prefetch(bloom_word(t->bloom, t->bloom_shift, hash));
			if (a == 0) {
				more = false;
				break;
			}
			end = a - 1;
		}
		/* the filter drops most; the slots of the rest are fetched
		 * together */
		int np = 0;

		for (int j = 0; j < k; j++) {
			uint64_t b = bloom_bits(hs[j]);

			if ((*bloom_word(t->bloom, t->bloom_shift, hs[j]) & b) == b) {
				__builtin_prefetch(&t->slots[hs[j] & t->mask]);
				hs[np] = hs[j];
				st[np++] = st[j];
			}
		}
		for (int j = 0; j < np; j++) {
			const struct kent *e =
			    ktab_find(t, hs[j], IT_DOMAIN, d + st[j], len - st[j]);

			if (e) {
				hits_add(h, t->lists + e->list, e->n);
				lists++;
			}
		}
	}
	if (lists > 1)
		h->n = before + sort_unique(h->v + before, h->n - before);
	return h->n - before;
}

size_t matchset_exact(const struct matchset *m, enum ind_type type, const char *s, size_t len,
                      struct ms_hits *h)
{
	const struct kent *e;

	if (!m->built || m->exact.nent == 0 || len == 0 || type <= IT_NONE || type >= IT_NTYPES)
		return 0;
	e = ktab_find(&m->exact, exact_hash((uint8_t)type, s, len), (uint8_t)type, s, len);
	if (e == NULL)
		return 0;
	return hits_add(h, m->exact.lists + e->list, e->n);
}

/* ---- statistics -------------------------------------------------------- */

static size_t ktab_bytes(const struct ktab *t)
{
	return (t->slots ? (t->mask + 1) * sizeof(*t->slots) : 0) + t->nent * sizeof(*t->ent) +
	       (t->bloom ? ((size_t)1 << (64 - t->bloom_shift)) * sizeof(*t->bloom) : 0) +
	       t->nlists * sizeof(*t->lists) + t->caparena + t->caprec * sizeof(*t->rec);
}

void matchset_stats(const struct matchset *m, struct matchset_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->prefixes = m->prefixes;
	out->intervals4 = m->n4;
	out->intervals6 = m->n6;
	out->sets = m->nsets;
	out->domains = m->built ? m->dom.nent : m->dom.nrec;
	out->exact = m->built ? m->exact.nent : m->exact.nrec;
	out->bytes = sizeof(*m) + (m->first4 ? 65537 * sizeof(uint32_t) : 0) +
	             m->n4 * (sizeof(*m->low4) + sizeof(*m->set4)) +
	             (m->first6 ? 65537 * sizeof(uint32_t) : 0) +
	             m->n6 * (sizeof(*m->start6) + sizeof(*m->set6)) +
	             (m->nsets + 1) * sizeof(*m->setoff) + m->nsetvals * sizeof(*m->setvals) +
	             m->cap4p * sizeof(*m->p4) + m->cap6p * sizeof(*m->p6) + ktab_bytes(&m->dom) +
	             ktab_bytes(&m->exact);
}
