/*
 * ledger_routes.c — the log over HTTP, as c2sp.org/tlog-tiles lays it out,
 * and this node as a c2sp.org/tlog-witness:
 *
 *   GET  /checkpoint                  public; the current signed checkpoint
 *                                     with the cosignatures peers made on it
 *   GET  /vkey, /cosigner-vkey        public; this node's verifier keys
 *   GET  /tile/<L>/<N>[.p/<W>]        hash tiles        } a peer's or a
 *   GET  /tile/entries/<N>[.p/<W>]    entry bundles     } user's credential
 *   GET  /payload/sha256/<hex>        a payload, when the strictest TLP of
 *                                     the entries committing to it is within
 *                                     the credential's (RED: never)
 *   POST /add-checkpoint              tlog-witness (ledger_witness_add)
 *
 * Tiles and bundles are immutable once they exist at a width (tiles only
 * grow, by new names), so they are served with a year's max-age and kept
 * in a per-worker cache: direct-mapped by (level, index, width), at most
 * TILE_CACHE_BYTES in all, a tile larger than 1 MiB never cached.  A tile
 * is served for the tree of the snapshot's checkpoint: never ahead of the
 * checkpoint clients can verify it against.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "ledger/ledger.h"
#include "ledger/tiles.h"
#include "server/server_int.h"

#define IMMUTABLE "public, max-age=31536000, immutable"

#define TILE_CACHE_SLOTS 4096
#define TILE_CACHE_BYTES (64u << 20)
#define TILE_CACHE_MAX   (1u << 20)

/* A cached tile, reference-counted: the cache holds one reference and
 * each response sending it another (one worker's thread only). */
struct tile_buf {
	unsigned refs;
	size_t len;
	uint8_t data[];
};

struct tile_cache {
	struct tile_slot {
		int level; /* TILE_ENTRIES .. 63; slot empty when buf is NULL */
		unsigned width;
		uint64_t n;
		struct tile_buf *buf;
	} slot[TILE_CACHE_SLOTS];
	size_t bytes;
};

static void buf_put(void *p)
{
	struct tile_buf *b = p;

	if (--b->refs == 0)
		free(b);
}

static struct tile_slot *cache_slot(struct srv_worker *w, int level, uint64_t n, unsigned width)
{
	struct tile_cache *c = w->tiles;
	uint64_t h;

	if (c == NULL && (c = w->tiles = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	/* splitmix64's finalizer: every key bit reaches the slot bits (a
	 * bundle and the hash tile of the same index must not collide) */
	h = n ^ ((uint64_t)(level + 1) << 56) ^ ((uint64_t)width << 40);
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return &c->slot[h % TILE_CACHE_SLOTS];
}

static void cache_put(struct srv_worker *w, struct tile_slot *s, int level, uint64_t n,
                      unsigned width, const void *data, size_t len)
{
	struct tile_cache *c = w->tiles;
	struct tile_buf *b;

	if (s == NULL || len > TILE_CACHE_MAX)
		return;
	if (s->buf) {
		c->bytes -= s->buf->len;
		buf_put(s->buf);
		s->buf = NULL;
	}
	if (c->bytes + len > TILE_CACHE_BYTES || (b = malloc(sizeof(*b) + len)) == NULL)
		return;
	b->refs = 1;
	b->len = len;
	memcpy(b->data, data, len);
	s->level = level;
	s->width = width;
	s->n = n;
	s->buf = b;
	c->bytes += len;
}

void ledger_routes_free(struct srv_worker *w)
{
	struct tile_cache *c = w->tiles;

	if (c == NULL)
		return;
	/* responses still being sent hold their own references */
	for (size_t i = 0; i < TILE_CACHE_SLOTS; i++)
		if (c->slot[i].buf)
			buf_put(c->slot[i].buf);
	free(c);
	w->tiles = NULL;
}

static bool need_credential(const struct http_req *q, struct http_resp *r)
{
	if (q->who)
		return true;
	http_error(r, 401, "a peer's or user's credential is needed (Authorization: Bearer)");
	http_header(r, "WWW-Authenticate", "Bearer realm=\"detente\"");
	return false;
}

static bool method_get(const struct http_req *q, struct http_resp *r)
{
	if (http_is(q->method, q->method_len, "GET") || http_is(q->method, q->method_len, "HEAD"))
		return true;
	http_error(r, 405, "only GET and HEAD");
	http_header(r, "Allow", "GET, HEAD");
	return false;
}

static void checkpoint(struct srv_worker *w, struct http_resp *r)
{
	struct srv_snapshot *sn = srv_snapshot_get(w->srv);

	r->ctype = "text/plain; charset=utf-8";
	r->cache = "no-cache";
	if (strbuf_add(&r->body, sn->checkpoint, sn->checkpoint_len))
		http_error(r, 500, "checkpoint too large");
	srv_snapshot_put(sn);
}

static void vkey(struct srv_worker *w, bool cosigner, struct http_resp *r)
{
	r->ctype = "text/plain; charset=utf-8";
	if (ledger_vkey(w->ledger, cosigner, &r->body) || strbuf_addc(&r->body, '\n'))
		http_error(r, 500, "cannot read the key");
}

static void tile(struct srv_worker *w, const struct http_req *q, struct http_resp *r)
{
	struct srv_snapshot *sn;
	struct tile_slot *slot;
	struct dt_diag d;
	uint64_t n;
	unsigned width;
	int level;
	enum dt_err err;

	dt_diag_clear(&d);
	/* tile_path_parse wants the path without the leading '/' */
	if (tile_path_parse(q->path + 1, q->path_len - 1, &level, &n, &width, &d)) {
		http_error(r, 404, "not a tile path: %s", d.msg);
		return;
	}
	if (!need_credential(q, r))
		return;
	sn = srv_snapshot_get(w->srv);
	slot = cache_slot(w, level, n, width);
	if (slot && slot->buf && slot->level == level && slot->n == n && slot->width == width &&
	    width <= tile_width(level, n, sn->size)) {
		srv_snapshot_put(sn);
		r->ctype = "application/octet-stream";
		r->cache = IMMUTABLE;
		/* sent from the cache without a copy */
		slot->buf->refs++;
		r->ref = slot->buf->data;
		r->ref_len = slot->buf->len;
		r->release = buf_put;
		r->release_ctx = slot->buf;
		return;
	}
	err = ledger_tile(w->ledger, level, n, width, sn->size, &r->body, &d);
	srv_snapshot_put(sn);
	if (!err)
		cache_put(w, slot, level, n, width, r->body.p, r->body.len);
	if (err == DT_ENOTFOUND) {
		http_error(r, 404, "%s", d.msg);
		return;
	}
	if (err) {
		http_error(r, 500, "%s", d.msg);
		return;
	}
	r->ctype = "application/octet-stream";
	r->cache = IMMUTABLE;
}

static void payload(struct srv_worker *w, const struct http_req *q, struct http_resp *r)
{
	static const char pfx[] = "/payload/sha256/";
	struct srv_snapshot *sn;
	struct dt_diag d;
	uint8_t sha[32];
	int rank = 0;
	enum dt_err err;

	bool ok = q->path_len == sizeof(pfx) - 1 + 64 && memcmp(q->path, pfx, sizeof(pfx) - 1) == 0;

	for (size_t i = 0; ok && i < 32; i++) {
		int h = dt_hex_digit(q->path[sizeof(pfx) - 1 + 2 * i]);
		int l = dt_hex_digit(q->path[sizeof(pfx) - 1 + 2 * i + 1]);

		if (!(ok = h >= 0 && l >= 0))
			break;
		sha[i] = (uint8_t)(h << 4 | l);
	}
	if (!ok) {
		http_error(r, 404, "payloads are named /payload/sha256/<64 hex digits>");
		return;
	}
	if (!need_credential(q, r))
		return;
	dt_diag_clear(&d);
	sn = srv_snapshot_get(w->srv);
	err = ledger_payload_tlp(w->ledger, sha, sn->size, &rank, &d);
	srv_snapshot_put(sn);
	if (err == DT_ENOTFOUND) {
		http_error(r, 404, "no entry of this log commits to that payload");
		return;
	}
	if (err) {
		http_error(r, 500, "%s", d.msg);
		return;
	}
	if (rank == LEDGER_RANK_ORIGINAL) {
		http_error(r, 403,
		           "withheld: a submission's original carries the victims' data; peers "
		           "receive its sanitized derivative (a 'sanitized' entry)");
		return;
	}
	if (rank >= 4 || rank > q->who->max_tlp) {
		http_error(r, 403, "withheld: the payload's TLP is above what '%s' may see",
		           q->who->name);
		return;
	}
	if (ledger_payload_path(w->ledger, sha, r->file, sizeof(r->file)) != DT_OK) {
		r->file[0] = '\0';
		http_error(r, 404, "this node does not hold that payload");
		return;
	}
	r->ctype = "application/octet-stream";
	r->cache = IMMUTABLE;
}

static void add_checkpoint(struct srv_worker *w, const struct http_req *q, struct http_resp *r)
{
	struct dt_diag d;
	int status = 500;

	if (!http_is(q->method, q->method_len, "POST")) {
		http_error(r, 405, "add-checkpoint is a POST");
		http_header(r, "Allow", "POST");
		return;
	}
	dt_diag_clear(&d);
	ledger_witness_add(w->ledger, q->body, q->body_len, &r->body, &status, &d);
	if (status == 200) {
		r->ctype = "text/plain; charset=utf-8";
	} else if (status == 409) {
		r->status = 409;
		r->ctype = "text/x.tlog.size";
	} else {
		http_error(r, status, "%s", d.msg);
		return;
	}
	r->status = status;
}

bool ledger_routes(struct srv_worker *w, const struct http_req *q, struct http_resp *r)
{
	if (http_is(q->path, q->path_len, "/add-checkpoint")) {
		add_checkpoint(w, q, r);
		return true;
	}
	if (http_is(q->path, q->path_len, "/checkpoint")) {
		if (method_get(q, r))
			checkpoint(w, r);
		return true;
	}
	if (http_is(q->path, q->path_len, "/vkey") ||
	    http_is(q->path, q->path_len, "/cosigner-vkey")) {
		if (method_get(q, r))
			vkey(w, q->path[1] == 'c', r);
		return true;
	}
	if (q->path_len > 6 && memcmp(q->path, "/tile/", 6) == 0) {
		if (method_get(q, r))
			tile(w, q, r);
		return true;
	}
	if (q->path_len > 9 && memcmp(q->path, "/payload/", 9) == 0) {
		if (method_get(q, r))
			payload(w, q, r);
		return true;
	}
	return false;
}
