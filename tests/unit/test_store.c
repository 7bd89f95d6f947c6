/*
 * test_store.c — the columnar event store (store/block.h, store/store.h):
 * blocks round-trip every field under each column encoding, damaged
 * blocks are refused without reading out of bounds, scans come back in
 * the same order whatever order submissions were stored in, a rolled-back
 * submission leaves nothing, an attribution error aborts the submission.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/block.h"
#include "store/store.h"
#include "testhelp.h"

static unsigned long long seed = 1;

/* A pseudo-random event i; strings live in the caller's buffers. */
static void make_row(struct block_row *r, size_t i, bool v6, char bufs[6][300])
{
	struct event *e = &r->ev;

	memset(r, 0, sizeof(*r));
	event_init(e);
	e->ts_us = 1700000000000000LL + (int64_t)(th_rand(&seed) % 1000000000);
	e->record = i + 1;
	e->has_src = true;
	e->src.family = DT_IP_V4;
	e->src.addr = (dt_u128)(th_rand(&seed) & 0xffffffff);
	if (i % 3) {
		e->has_dst = true;
		e->dst.family = v6 && i % 2 ? DT_IP_V6 : DT_IP_V4;
		e->dst.addr = e->dst.family == DT_IP_V6
		                  ? ((dt_u128)th_rand(&seed) << 64 | th_rand(&seed))
		                  : (dt_u128)(th_rand(&seed) & 0xffffffff);
	}
	e->sport = (int32_t)(th_rand(&seed) % 65536);
	e->dport = i % 4 ? 443 : -1;
	e->proto = 6;
	e->kind = i % 5 ? EVENT_FLOW : EVENT_DNS;
	e->orig_bytes = (int64_t)(th_rand(&seed) % 100000);
	snprintf(bufs[0], 300, "C%zx", i);
	e->uid.p = bufs[0];
	e->uid.len = strlen(bufs[0]);
	if (i % 7 == 0) {
		/* a long value: lengths above one byte */
		memset(bufs[1], 'u', 299);
		bufs[1][299] = '\0';
		e->url.p = bufs[1];
		e->url.len = 299;
	}
	if (i % 5 == 0) {
		snprintf(bufs[2], 300, "host%zu.example.org", i);
		e->domain.p = bufs[2];
		e->domain.len = strlen(bufs[2]);
	}
	r->remote = 1 + (int)(i % 2);
}

static void make_geo(struct block_row *g, size_t i)
{
	memset(g, 0, sizeof(*g));
	if (i % 4 == 0)
		return; /* unattributed */
	g->country.p = i % 8 == 1 ? "CN" : "US";
	g->country.len = 2;
	g->as_org.p = "Example Networks";
	g->as_org.len = 16;
	g->flags.p = i % 3 ? "" : "cloud,vpn";
	g->flags.len = strlen(g->flags.p);
	g->asn = 64500 + (uint32_t)(i % 10);
	g->has_net = true;
	g->network.ip.family = DT_IP_V4;
	g->network.ip.addr = (dt_u128)(0xc6336400u + (i % 3) * 256);
	g->network.len = 24;
}

static bool same_str(struct dt_str a, struct dt_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static bool same_ip(bool ha, const struct dt_ip *a, bool hb, const struct dt_ip *b)
{
	return ha == hb && (!ha || (a->family == b->family && a->addr == b->addr));
}

static void roundtrip(size_t n, bool v6)
{
	struct block_builder b;
	struct block k;
	struct dt_diag d;
	const void *data;
	size_t len;
	char bufs[6][300];
	int bad = 0;

	CHECK(block_builder_init(&b) == DT_OK);
	block_init(&k);
	seed = n * 31 + v6;
	for (size_t i = 0; i < n; i++) {
		struct block_row r, g;

		make_row(&r, i, v6, bufs);
		CHECK(block_add(&b, &r) == DT_OK);
		make_geo(&g, i);
		CHECK(block_add_geo(&b, &g) == DT_OK);
	}
	CHECK(block_finish(&b, &data, &len) == DT_OK);
	CHECK(block_decode(&k, data, len, &d) == DT_OK);
	CHECK(k.n == n);
	seed = n * 31 + v6;
	for (size_t i = 0; i < n && i < k.n; i++) {
		struct block_row want, g, got;

		make_row(&want, i, v6, bufs);
		make_geo(&g, i);
		block_get(&k, i, &got);
		if (got.ev.ts_us != want.ev.ts_us || got.ev.record != want.ev.record ||
		    got.ev.sport != want.ev.sport || got.ev.dport != want.ev.dport ||
		    got.ev.proto != want.ev.proto || strcmp(got.ev.kind, want.ev.kind) != 0 ||
		    got.ev.orig_bytes != want.ev.orig_bytes || got.ev.resp_bytes != -1 ||
		    got.ev.severity != -1 || got.remote != want.remote ||
		    !same_ip(got.ev.has_src, &got.ev.src, want.ev.has_src, &want.ev.src) ||
		    !same_ip(got.ev.has_dst, &got.ev.dst, want.ev.has_dst, &want.ev.dst) ||
		    !same_str(got.ev.uid, want.ev.uid) || !same_str(got.ev.url, want.ev.url) ||
		    !same_str(got.ev.domain, want.ev.domain) || got.ev.signature.len != 0 ||
		    !same_str(got.country, g.country) || !same_str(got.as_org, g.as_org) ||
		    !same_str(got.flags, g.flags) || got.asn != g.asn || got.has_net != g.has_net ||
		    (g.has_net && (got.network.len != 24 ||
		                   got.network.ip.addr != g.network.ip.addr)))
			bad++;
	}
	CHECKF(bad == 0, "%d of %zu rows differ (v6 %d)", bad, n, v6);
	block_release(&k);
	block_builder_release(&b);
}

static void test_roundtrip(void)
{
	roundtrip(1, false);
	roundtrip(2, true);
	roundtrip(1000, false);
	roundtrip(BLOCK_MAX, true);
}

/* Every single-byte change and every truncation of a compressed block is
 * refused or decodes within bounds (ASan watches the latter). */
static void test_damaged(void)
{
	struct block_builder b;
	struct block k;
	struct dt_diag d;
	const void *data;
	uint8_t *copy;
	size_t len, refused = 0;
	char bufs[6][300];

	CHECK(block_builder_init(&b) == DT_OK);
	block_init(&k);
	for (size_t i = 0; i < 50; i++) {
		struct block_row r;

		make_row(&r, i, true, bufs);
		CHECK(block_add(&b, &r) == DT_OK);
	}
	CHECK(block_finish(&b, &data, &len) == DT_OK);
	copy = malloc(len);
	for (size_t t = 0; t < len; t++) {
		CHECK(block_decode(&k, data, t, &d) == DT_EFORMAT);
		memcpy(copy, data, len);
		copy[t] ^= 0x5a;
		if (block_decode(&k, copy, len, &d) != DT_OK)
			refused++;
		else
			for (size_t i = 0; i < k.n; i++) {
				struct block_row r;

				block_get(&k, i, &r);
			}
	}
	CHECK(refused > 0);
	free(copy);
	block_release(&k);
	block_builder_release(&b);
}

/* ---- the store ------------------------------------------------------------ */

static int attr_calls;
static enum dt_err attr_fail;

static enum dt_err attribute(void *ctx, struct block_builder *b)
{
	(void)ctx;
	attr_calls++;
	if (attr_fail)
		return attr_fail;
	for (size_t i = 0; i < b->n; i++) {
		struct block_row g;
		struct dt_ip ip;

		make_geo(&g, block_remote(b, i, &ip) ? 1 : 0);
		if (block_add_geo(b, &g))
			return DT_ENOMEM;
	}
	return DT_OK;
}

/* Stores n events of submission `tag` (ts interleaved with others). */
static enum dt_err put_submission(struct store *s, uint8_t tag, size_t n, int64_t t0,
                                  struct dt_diag *d)
{
	uint8_t sha[32];
	struct store_submission_row sub = {
	    .sha256 = sha, .entry = tag, .format = "zeek", .victim = tag % 2 ? "bank" : "paper"};
	struct ingest_counts c = {.records = n, .events = n};
	enum dt_err err;

	memset(sha, tag, 32);
	if ((err = store_begin(s, &sub, attribute, NULL, d)))
		return err;
	for (size_t i = 0; i < n; i++) {
		struct block_row r;

		memset(&r, 0, sizeof(r));
		event_init(&r.ev);
		r.ev.kind = EVENT_FLOW;
		r.ev.ts_us = t0 + (int64_t)i * 3; /* equal times across submissions */
		r.ev.record = i + 1;
		r.ev.has_src = true;
		r.ev.src.family = DT_IP_V4;
		r.ev.src.addr = 0x01020304u + tag;
		r.remote = 1;
		if ((err = store_add_event(s, &r, d))) {
			store_rollback(s);
			return err;
		}
	}
	return store_commit(s, &c, d);
}

struct collect {
	struct strbuf b;
	size_t n;
	int64_t last_ts;
	bool ordered;
};

static enum dt_err collect(void *ctx, const struct store_hit *h)
{
	struct collect *c = ctx;

	if (h->row->ev.ts_us < c->last_ts)
		c->ordered = false;
	c->last_ts = h->row->ev.ts_us;
	c->n++;
	return store_format_tsv(&c->b, h);
}

static void scan_all(struct store *s, const struct store_query *q, struct collect *c)
{
	struct dt_diag d;

	strbuf_init(&c->b, (size_t)1 << 30);
	c->n = 0;
	c->last_ts = INT64_MIN;
	c->ordered = true;
	CHECK(store_scan(s, q, collect, c, &d) == DT_OK);
}

static void test_store_order(void)
{
	char p1[] = "/tmp/test_store1.XXXXXX", p2[] = "/tmp/test_store2.XXXXXX";
	int f1 = mkstemp(p1), f2 = mkstemp(p2);
	struct store *a, *b;
	struct dt_diag d;
	struct store_query q = {.since_us = INT64_MIN, .until_us = INT64_MAX};
	struct collect ca, cb;
	uint64_t entry;
	uint8_t sha[32];

	close(f1);
	close(f2);
	unlink(p1);
	unlink(p2);
	CHECK(store_open(p1, &a, &d) == DT_OK && store_open(p2, &b, &d) == DT_OK);
	/* same three submissions, stored in opposite orders; 20000 events
	 * span several blocks each */
	CHECK(put_submission(a, 1, 20000, 0, &d) == DT_OK);
	CHECK(put_submission(a, 2, 20000, 3, &d) == DT_OK);
	CHECK(put_submission(a, 3, 5, 30000, &d) == DT_OK);
	CHECK(put_submission(b, 3, 5, 30000, &d) == DT_OK);
	CHECK(put_submission(b, 2, 20000, 3, &d) == DT_OK);
	CHECK(put_submission(b, 1, 20000, 0, &d) == DT_OK);
	scan_all(a, &q, &ca);
	scan_all(b, &q, &cb);
	CHECK(ca.n == 40005 && cb.n == 40005);
	CHECK(ca.ordered && cb.ordered);
	CHECK(ca.b.len == cb.b.len && memcmp(ca.b.p, cb.b.p, ca.b.len) == 0);
	strbuf_release(&ca.b);
	strbuf_release(&cb.b);
	/* filters */
	q.victim = "bank";
	scan_all(a, &q, &ca);
	CHECK(ca.n == 20005);
	strbuf_release(&ca.b);
	q.victim = NULL;
	q.since_us = 30000;
	q.until_us = 30006;
	scan_all(a, &q, &ca);
	CHECK(ca.n == 9); /* 30000, 30003 and 30006 of each submission */
	strbuf_release(&ca.b);
	memset(sha, 2, 32);
	CHECK(store_submission(a, sha, &entry) && entry == 2);
	store_close(a);
	store_close(b);
	unlink(p1);
	unlink(p2);
}

static void test_store_failures(void)
{
	char p[] = "/tmp/test_store3.XXXXXX";
	int f = mkstemp(p);
	struct store *s;
	struct dt_diag d;
	struct store_query q = {.since_us = INT64_MIN, .until_us = INT64_MAX};
	struct collect c;
	uint8_t sha[32];
	uint64_t entry;

	close(f);
	unlink(p);
	CHECK(store_open(p, &s, &d) == DT_OK);
	/* the attribution fails on the writer thread: the submission is not
	 * stored and the error comes back */
	attr_fail = DT_EIO;
	CHECK(put_submission(s, 7, 30000, 0, &d) == DT_EIO);
	attr_fail = DT_OK;
	memset(sha, 7, 32);
	CHECK(!store_submission(s, sha, &entry));
	scan_all(s, &q, &c);
	CHECK(c.n == 0);
	strbuf_release(&c.b);
	/* and the store still works afterwards */
	CHECK(put_submission(s, 7, 10, 0, &d) == DT_OK);
	scan_all(s, &q, &c);
	CHECK(c.n == 10);
	strbuf_release(&c.b);
	/* the same digest twice is refused by the database */
	CHECK(put_submission(s, 7, 10, 0, &d) == DT_EIO);
	scan_all(s, &q, &c);
	CHECK(c.n == 10);
	strbuf_release(&c.b);
	store_close(s);
	unlink(p);
}

int main(void)
{
	RUN(test_roundtrip);
	RUN(test_damaged);
	RUN(test_store_order);
	RUN(test_store_failures);
	DONE();
}
