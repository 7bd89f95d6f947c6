/*
 * nftemplate.c — see nftemplate.h.
 *
 * Roles follow the IANA IPFIX information element registry (RFC 7012 and
 * its updates); NetFlow v9 field types 1..127 are the same numbers (RFC
 * 3954 section 8, and RFC 7012 kept them), and v9 exporters use the IPFIX
 * numbers above 127 too (Cisco ASA: 152 flowStartMilliseconds, 231/232
 * initiator/responder octets).  A role is given only when the length fits
 * the element's type: addresses exactly 4 or 16 bytes, the NTP-format
 * timestamps exactly 8, unsigned numbers 1..8 bytes (RFC 7011 section 6.2
 * "reduced-size encoding" sends an unsigned64 counter in 4 bytes, say).
 *
 * An exporter resends its templates every so often (every few packets or
 * seconds); nf_cache_same recognises a template received before from its
 * raw bytes, so that only a new or changed one is compiled.
 *
 * The table is a power-of-two array with linear probing, grown to keep it
 * at most half full.  Entries are never removed (a withdrawn template
 * keeps its slot as NF_WITHDRAWN), so probing needs no tombstones.
 */
#include "ingest/nftemplate.h"

#include <stdlib.h>
#include <string.h>

#define NF_CACHE_MIN 64 /* initial slots */

uint8_t nf_role_of(uint8_t version, uint32_t pen, uint16_t id, uint16_t len)
{
	bool num = len >= 1 && len <= 8;

	if (version == 10 && pen == NF_PEN_REVERSE && num) {
		switch (id) {
		case 1: return NF_REV_OCTETS;
		case 2: return NF_REV_PKTS;
		case 85: return NF_REV_OCTETS_TOTAL;
		case 86: return NF_REV_PKTS_TOTAL;
		}
		return NF_NONE;
	}
	if (pen != 0)
		return NF_NONE;
	switch (id) {
	case 8: return len == 4 ? NF_SRC4 : NF_NONE;
	case 12: return len == 4 ? NF_DST4 : NF_NONE;
	case 27: return len == 16 ? NF_SRC6 : NF_NONE;
	case 28: return len == 16 ? NF_DST6 : NF_NONE;
	case 154: return len == 8 ? NF_START_US : NF_NONE;
	case 155: return len == 8 ? NF_END_US : NF_NONE;
	case 156: return len == 8 ? NF_START_NS : NF_NONE;
	case 157: return len == 8 ? NF_END_NS : NF_NONE;
	}
	if (!num)
		return NF_NONE;
	switch (id) {
	case 1: return NF_OCTETS;
	case 2: return NF_PKTS;
	case 4: return NF_PROTO;
	case 7: return NF_SPORT;
	case 11: return NF_DPORT;
	case 21: return NF_LAST_UPTIME;
	case 22: return NF_FIRST_UPTIME;
	case 85: return NF_OCTETS_TOTAL;
	case 86: return NF_PKTS_TOTAL;
	case 150: return NF_START_S;
	case 151: return NF_END_S;
	case 152: return NF_START_MS;
	case 153: return NF_END_MS;
	case 158: return NF_START_DELTA_US;
	case 159: return NF_END_DELTA_US;
	case 160: return NF_SYSINIT_MS;
	case 161: return NF_DURATION_MS;
	case 162: return NF_DURATION_US;
	case 231: return NF_INIT_OCTETS;
	case 232: return NF_RESP_OCTETS;
	case 298: return NF_INIT_PKTS;
	case 299: return NF_RESP_PKTS;
	}
	return NF_NONE;
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static size_t slot_of(const struct nf_key *k, size_t cap)
{
	uint64_t h = mix((uint64_t)k->exporter ^ mix((uint64_t)(k->exporter >> 64)));

	h = mix(h ^ ((uint64_t)k->domain << 24 | (uint64_t)k->id << 8 | k->version) ^
	        (uint64_t)k->family << 56);
	return (size_t)h & (cap - 1);
}

static bool key_eq(const struct nf_key *a, const struct nf_key *b)
{
	return a->exporter == b->exporter && a->domain == b->domain && a->id == b->id &&
	       a->family == b->family && a->version == b->version;
}

void nf_cache_init(struct nf_cache *c)
{
	memset(c, 0, sizeof(*c));
}

void nf_cache_release(struct nf_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->cap; i++)
		free(c->slots[i].t.fields);
	free(c->slots);
	memset(c, 0, sizeof(*c));
}

struct nf_entry *nf_cache_find(const struct nf_cache *c, const struct nf_key *k)
{
	size_t i;

	if (c->cap == 0)
		return NULL;
	for (i = slot_of(k, c->cap);; i = (i + 1) & (c->cap - 1)) {
		struct nf_entry *e = &c->slots[i];

		if (e->state == NF_EMPTY)
			return NULL;
		if (key_eq(&e->key, k))
			return e;
	}
}

/* Doubles the table (or makes the first one). */
static enum dt_err grow(struct nf_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : NF_CACHE_MIN;
	struct nf_entry *s = calloc(cap, sizeof(*s));

	if (s == NULL)
		return DT_ENOMEM;
	for (size_t i = 0; i < c->cap; i++) {
		const struct nf_entry *e = &c->slots[i];
		size_t j;

		if (e->state == NF_EMPTY)
			continue;
		for (j = slot_of(&e->key, cap); s[j].state != NF_EMPTY; j = (j + 1) & (cap - 1))
			;
		s[j] = *e;
	}
	free(c->slots);
	c->slots = s;
	c->cap = cap;
	return DT_OK;
}

struct nf_entry *nf_cache_entry(struct nf_cache *c, const struct nf_key *k, enum dt_err *err)
{
	struct nf_entry *e = nf_cache_find(c, k);
	size_t i;

	*err = DT_OK;
	if (e)
		return e;
	if (c->used >= NF_MAX_TEMPLATES) {
		*err = DT_ELIMIT;
		return NULL;
	}
	if ((c->used + 1) * 2 > c->cap && (*err = grow(c)))
		return NULL;
	for (i = slot_of(k, c->cap); c->slots[i].state != NF_EMPTY; i = (i + 1) & (c->cap - 1))
		;
	e = &c->slots[i];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->state = NF_WITHDRAWN; /* occupied, no template yet */
	e->sysinit_ms = -1;
	c->used++;
	return e;
}

bool nf_cache_same(const struct nf_cache *c, const struct nf_key *k, const uint8_t *raw, size_t len,
                   bool options)
{
	const struct nf_entry *e = nf_cache_find(c, k);

	return e && e->state == NF_TEMPLATE && e->t.options == options && e->t.raw_len == len &&
	       memcmp(e->t.raw, raw, len) == 0;
}

enum dt_err nf_cache_define(struct nf_cache *c, const struct nf_key *k,
                            const struct nf_field *fields, uint32_t n, bool options,
                            const uint8_t *raw, size_t raw_len, const char **why)
{
	struct nf_template t = {.nfields = n, .options = options};
	struct nf_entry *e;
	uint64_t min = 0;
	uint32_t picks = 0, off = 0;
	size_t nf;
	enum dt_err err;

	*why = NULL;
	for (uint32_t i = 0; i < n; i++) {
		if (fields[i].len == NF_VARLEN) {
			t.varlen = true;
			min += 1; /* the shortest length prefix */
		} else {
			min += fields[i].len;
		}
		picks += fields[i].role != NF_NONE;
	}
	if (min == 0) {
		*why = "its records would be empty (every field has length 0)";
		return DT_EPARSE;
	}
	if (min > 65535 - 4) {
		*why = "its records are longer than a set can hold";
		return DT_EPARSE;
	}
	t.min_len = (uint32_t)min;
	if ((e = nf_cache_entry(c, k, &err)) == NULL)
		return err;
	/* fields, picks and the raw record in one block */
	t.npicks = picks;
	nf = ((size_t)n + picks) * sizeof(*t.fields);
	if ((t.fields = malloc(nf + raw_len)) == NULL)
		return DT_ENOMEM;
	picks = 0;
	for (uint32_t i = 0; i < n; i++) {
		t.fields[i] = fields[i];
		t.fields[i].off = t.varlen ? 0 : off;
		if (!t.varlen)
			off += fields[i].len;
		if (fields[i].role != NF_NONE)
			t.fields[n + picks++] = t.fields[i];
	}
	memcpy((uint8_t *)t.fields + nf, raw, raw_len);
	t.raw = (const uint8_t *)t.fields + nf;
	t.raw_len = (uint32_t)raw_len;
	free(e->t.fields);
	e->t = t;
	e->state = NF_TEMPLATE;
	return DT_OK;
}

static void clear(struct nf_entry *e)
{
	free(e->t.fields);
	memset(&e->t, 0, sizeof(e->t));
	e->state = NF_WITHDRAWN;
	e->warned = false;
}

void nf_cache_withdraw(struct nf_cache *c, const struct nf_key *k, bool all)
{
	struct nf_entry *e;

	if (!all) {
		if ((e = nf_cache_find(c, k)) != NULL && e->state != NF_DOMAIN)
			clear(e);
		return;
	}
	for (size_t i = 0; i < c->cap; i++) {
		e = &c->slots[i];
		if (e->state == NF_TEMPLATE && e->key.exporter == k->exporter &&
		    e->key.family == k->family && e->key.domain == k->domain &&
		    e->key.version == k->version && e->t.options == (k->id == 3))
			clear(e);
	}
}
