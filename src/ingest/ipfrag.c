/*
 * ipfrag.c — see ipfrag.h.
 *
 * The pending datagrams are a small fixed array searched linearly (a
 * 32-bit hash of the key first): fragments are rare in real traffic, and
 * FRAG_MAX_PENDING bounds the cost of a capture made of nothing else.  The
 * same walk drops datagrams whose first fragment is older than the timeout.
 */
#include "ingest/ipfrag.h"

#include <stdlib.h>
#include <string.h>

struct pending {
	bool used;
	bool have_first, have_last;
	uint32_t hash;
	struct frag_key key;
	int64_t first_ts;
	uint32_t total; /* payload length, once the last fragment is seen */
	uint32_t nfrags;
	uint32_t nranges;
	uint32_t ranges[FRAG_MAX_RANGES][2]; /* sorted, disjoint [start, end) */
	uint8_t hdr[FRAG_HDR_KEEP];
	size_t hdr_len;
};

struct frag_table {
	struct pending p[FRAG_MAX_PENDING];
	uint64_t held;
};

enum dt_err frag_new(struct frag_table **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? DT_OK : DT_ENOMEM;
}

void frag_free(struct frag_table *f)
{
	free(f);
}

uint64_t frag_held(const struct frag_table *f)
{
	return f->held;
}

static uint32_t key_hash(const struct frag_key *k)
{
	uint32_t h = 2166136261u;
	const uint8_t *parts[2] = {k->src, k->dst};

	for (int j = 0; j < 2; j++)
		for (int i = 0; i < 16; i++)
			h = (h ^ parts[j][i]) * 16777619u;
	h = (h ^ k->id) * 16777619u;
	h = (h ^ (uint32_t)(k->proto << 8 | k->family)) * 16777619u;
	return h;
}

static bool key_eq(const struct frag_key *a, const struct frag_key *b)
{
	return a->family == b->family && a->proto == b->proto && a->id == b->id &&
	       memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0;
}

static void drop(struct frag_table *f, struct pending *e, uint64_t *dropped)
{
	*dropped += e->nfrags;
	f->held -= e->nfrags;
	e->used = false;
}

/* Adds [s, e) to the sorted disjoint ranges, merging; false when more
 * than FRAG_MAX_RANGES would remain. */
static bool add_range(struct pending *p, uint32_t s, uint32_t e)
{
	uint32_t tmp[FRAG_MAX_RANGES + 1][2], n = 0, m = 0;
	bool inserted = false;

	if (s == e)
		return true;
	for (uint32_t i = 0; i < p->nranges; i++) {
		if (!inserted && s < p->ranges[i][0]) {
			tmp[n][0] = s;
			tmp[n++][1] = e;
			inserted = true;
		}
		tmp[n][0] = p->ranges[i][0];
		tmp[n++][1] = p->ranges[i][1];
	}
	if (!inserted) {
		tmp[n][0] = s;
		tmp[n++][1] = e;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (m && tmp[i][0] <= tmp[m - 1][1]) {
			if (tmp[i][1] > tmp[m - 1][1])
				tmp[m - 1][1] = tmp[i][1];
		} else {
			tmp[m][0] = tmp[i][0];
			tmp[m++][1] = tmp[i][1];
		}
	}
	if (m > FRAG_MAX_RANGES)
		return false;
	memcpy(p->ranges, tmp, m * sizeof(tmp[0]));
	p->nranges = m;
	return true;
}

enum frag_verdict frag_add(struct frag_table *f, const struct frag_key *k, int64_t ts_us,
                           uint32_t off, bool more, const uint8_t *data, size_t cap, uint32_t len,
                           struct frag_done *done, uint64_t *dropped)
{
	uint32_t h = key_hash(k);
	struct pending *e = NULL, *free_slot = NULL, *oldest = NULL;
	uint32_t end = off + len;

	for (size_t i = 0; i < FRAG_MAX_PENDING; i++) {
		struct pending *p = &f->p[i];

		if (p->used && p->first_ts < ts_us - FRAG_TIMEOUT_US)
			drop(f, p, dropped);
		if (!p->used) {
			if (free_slot == NULL)
				free_slot = p;
			continue;
		}
		if (e == NULL && p->hash == h && key_eq(&p->key, k))
			e = p;
		if (oldest == NULL || p->first_ts < oldest->first_ts)
			oldest = p;
	}
	if (end > 65535 || end < off) {
		if (e)
			drop(f, e, dropped);
		*dropped += 1;
		return FRAG_DROPPED;
	}
	if (e == NULL) {
		if (free_slot == NULL) {
			drop(f, oldest, dropped);
			free_slot = oldest;
		}
		e = free_slot;
		memset(e, 0, sizeof(*e));
		e->used = true;
		e->hash = h;
		e->key = *k;
		e->first_ts = ts_us;
	}
	e->nfrags++;
	f->held++;
	if ((e->have_last && (end > e->total || (!more && end != e->total))) ||
	    !add_range(e, off, end)) {
		drop(f, e, dropped);
		return FRAG_DROPPED;
	}
	if (!more) {
		e->have_last = true;
		e->total = end;
		if (e->nranges && e->ranges[e->nranges - 1][1] > end) {
			drop(f, e, dropped);
			return FRAG_DROPPED;
		}
	}
	if (off == 0 && !e->have_first) {
		e->have_first = true;
		e->hdr_len = cap < FRAG_HDR_KEEP ? cap : FRAG_HDR_KEEP;
		memcpy(e->hdr, data, e->hdr_len);
	}
	if (!e->have_last || !e->have_first || e->nranges != 1 || e->ranges[0][0] != 0 ||
	    e->ranges[0][1] != e->total)
		return FRAG_HELD;
	memcpy(done->hdr, e->hdr, e->hdr_len);
	done->hdr_len = e->hdr_len;
	done->len = e->total;
	done->nfrags = e->nfrags;
	f->held -= e->nfrags;
	e->used = false;
	return FRAG_COMPLETE;
}
