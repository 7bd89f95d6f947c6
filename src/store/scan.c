/*
 * scan.c — reading events back in a deterministic order.
 *
 * Blocks come from SQLite ordered by the earliest time they hold.  Each
 * block's matching rows are sorted (they usually already are), and a heap
 * of the open blocks merges them: before a block whose earliest time is T
 * is opened, every pending row earlier than T is emitted, so rows leave in
 * order (time, submission digest, record, block, position) without ever
 * holding more than the blocks whose time spans overlap.  A reader that
 * needs a few columns (store_scan_cols) has only those decoded and copied
 * out of each block.  Blocks are read and decoded by a second thread, a
 * few ahead of the merge (struct scan_feed), so that the two cores share
 * the scan and the callback's work.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"

struct rowkey {
	int64_t ts;
	uint64_t record;
	uint32_t idx;
};

struct open_block {
	struct block k;
	struct rowkey *rows;
	size_t nrows, pos;
	int64_t id;
	uint8_t sha[32];
	char sub[72];
	uint64_t entry;
	char *victim, *sector, *refdata, *party;
};

static void ob_free(struct open_block *o)
{
	if (o == NULL)
		return;
	block_release(&o->k);
	free(o->rows);
	free(o->victim);
	free(o->sector);
	free(o->party);
	free(o->refdata);
	free(o);
}

/* Orders two open blocks by their current rows. */
static int ob_cmp(const struct open_block *a, const struct open_block *b)
{
	const struct rowkey *x = &a->rows[a->pos], *y = &b->rows[b->pos];
	int c;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if ((c = memcmp(a->sha, b->sha, 32)) != 0)
		return c;
	if (x->record != y->record)
		return x->record < y->record ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct rowkey *a = pa, *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->record != b->record)
		return a->record < b->record ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

struct heap {
	struct open_block **v;
	size_t n, cap;
};

static void sift_down(struct heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->n && ob_cmp(h->v[l], h->v[m]) < 0)
			m = l;
		if (r < h->n && ob_cmp(h->v[r], h->v[m]) < 0)
			m = r;
		if (m == i)
			return;
		struct open_block *t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
}

static enum dt_err heap_push(struct heap *h, struct open_block *o)
{
	size_t i;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		struct open_block **v = realloc(h->v, cap * sizeof(*v));

		if (v == NULL)
			return DT_ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	i = h->n++;
	h->v[i] = o;
	while (i > 0 && ob_cmp(h->v[i], h->v[(i - 1) / 2]) < 0) {
		struct open_block *t = h->v[i];

		h->v[i] = h->v[(i - 1) / 2];
		h->v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
	return DT_OK;
}

static char *dup_col(sqlite3_stmt *st, int c)
{
	const char *v = (const char *)sqlite3_column_text(st, c);

	return strdup(v ? v : "");
}

/* Decodes the block of the current statement row into a new open block
 * with its rows in [since, until] sorted; *out NULL when none match. */
static enum dt_err open_block(sqlite3_stmt *st, const struct store_query *q, uint64_t cols,
                              struct open_block **out, struct dt_diag *diag)
{
	struct open_block *o = calloc(1, sizeof(*o));
	const void *sha = sqlite3_column_blob(st, 3);
	enum dt_err err;
	bool sorted = true;
	char hex[65];

	*out = NULL;
	if (o == NULL)
		return DT_ENOMEM;
	block_init(&o->k);
	o->id = sqlite3_column_int64(st, 0);
	if ((err = block_decode_cols(&o->k, sqlite3_column_blob(st, 2),
	                             (size_t)sqlite3_column_bytes(st, 2), cols, diag))) {
		dt_diag_set(diag, NULL, 0, "event block %lld is damaged", (long long)o->id);
		ob_free(o);
		return err;
	}
	if (sha == NULL || sqlite3_column_bytes(st, 3) != 32) {
		dt_diag_set(diag, NULL, 0, "event block %lld: bad submission", (long long)o->id);
		ob_free(o);
		return DT_EFORMAT;
	}
	memcpy(o->sha, sha, 32);
	dt_hex_encode(o->sha, 32, hex);
	snprintf(o->sub, sizeof(o->sub), "sha256:%s", hex);
	o->entry = (uint64_t)sqlite3_column_int64(st, 4);
	o->victim = dup_col(st, 5);
	o->sector = dup_col(st, 6);
	o->refdata = dup_col(st, 7);
	o->party = dup_col(st, 8);
	o->rows = malloc((o->k.n ? o->k.n : 1) * sizeof(*o->rows));
	if (!o->victim || !o->sector || !o->refdata || !o->party || !o->rows) {
		ob_free(o);
		return DT_ENOMEM;
	}
	for (size_t i = 0; i < o->k.n; i++) {
		struct rowkey r = {block_ts(&o->k, i), 0, (uint32_t)i};

		if (r.ts < q->since_us || r.ts > q->until_us)
			continue;
		r.record = block_record(&o->k, i);
		if (o->nrows && key_cmp(&o->rows[o->nrows - 1], &r) > 0)
			sorted = false;
		o->rows[o->nrows++] = r;
	}
	if (o->nrows == 0) {
		ob_free(o);
		return DT_OK;
	}
	if (!sorted)
		qsort(o->rows, o->nrows, sizeof(*o->rows), key_cmp);
	*out = o;
	return DT_OK;
}

/* Emits the heap's least row and moves that block on. */
static enum dt_err emit_top(struct heap *h, uint64_t cols, store_scan_fn *fn, void *ctx)
{
	struct open_block *o = h->v[0];
	struct block_row row;
	struct store_hit hit = {
	    .row = &row,
	    .submission = o->sub,
	    .entry = o->entry,
	    .victim = o->victim,
	    .sector = o->sector,
	    .refdata = o->refdata,
	    .party = o->party,
	    .block = (uint64_t)o->id,
	};
	enum dt_err err;

	hit.index = o->rows[o->pos].idx;
	block_get_cols(&o->k, hit.index, cols, &row);
	err = fn(ctx, &hit);
	if (++o->pos == o->nrows) {
		ob_free(o);
		h->v[0] = h->v[--h->n];
	}
	if (h->n)
		sift_down(h, 0);
	return err;
}

enum dt_err store_scan(struct store *s, const struct store_query *q, store_scan_fn *fn, void *ctx,
                       struct dt_diag *diag)
{
	return store_scan_cols(s, q, BLOCK_ALL, fn, ctx, diag);
}

/* Blocks decoded ahead of the merge (scan_feed). */
#define SCAN_AHEAD 16

/* The blocks of a scan's statement, each with the earliest time its row
 * names, decoded by a second thread and handed over in statement order:
 * decompressing and decoding a block is most of a scan's own work, and it
 * does not depend on the merge.  SQLite serialises the connection, so the
 * caller's callback may still use it. */
struct scan_feed {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct {
		int64_t next;
		struct open_block *o; /* NULL: none of its rows match */
	} item[SCAN_AHEAD];
	size_t head, n;
	bool done, stop;
	enum dt_err err; /* the decoder's */
	struct dt_diag diag;
	struct store *s;
	sqlite3_stmt *st;
	const struct store_query *q;
	uint64_t cols;
};

static void *feed_run(void *arg)
{
	struct scan_feed *f = arg;
	enum dt_err err = DT_OK;
	int rc;

	for (;;) {
		struct open_block *o;
		int64_t next;

		rc = sqlite3_step(f->st);
		if (rc != SQLITE_ROW)
			break;
		next = sqlite3_column_int64(f->st, 1);
		if ((err = open_block(f->st, f->q, f->cols, &o, &f->diag)))
			break;
		pthread_mutex_lock(&f->mu);
		while (f->n == SCAN_AHEAD && !f->stop)
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->stop) {
			pthread_mutex_unlock(&f->mu);
			ob_free(o);
			rc = SQLITE_DONE;
			break;
		}
		f->item[(f->head + f->n) % SCAN_AHEAD].next = next;
		f->item[(f->head + f->n) % SCAN_AHEAD].o = o;
		f->n++;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
	}
	if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_dberr(f->s, &f->diag);
	pthread_mutex_lock(&f->mu);
	f->err = err;
	f->done = true;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

enum dt_err store_scan_cols(struct store *s, const struct store_query *q, uint64_t cols,
                            store_scan_fn *fn, void *ctx, struct dt_diag *diag)
{
	sqlite3_stmt *st;
	struct heap h = {0};
	struct scan_feed f;
	pthread_t th;
	enum dt_err err = DT_OK;

	if (sqlite3_prepare_v2(s->db,
	                       "SELECT b.id, b.ts_min, b.data, s.sha256, s.entry, s.victim,"
	                       " s.sector, s.refdata, s.party FROM event_blocks b"
	                       " JOIN submissions s ON s.id = b.sub"
	                       " WHERE b.ts_max >= ?1 AND b.ts_min <= ?2"
	                       " AND (?3 IS NULL OR s.victim = ?3)"
	                       " ORDER BY b.ts_min, s.sha256, b.rec_min, b.id",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_dberr(s, diag);
	sqlite3_bind_int64(st, 1, q->since_us);
	sqlite3_bind_int64(st, 2, q->until_us);
	if (q->victim)
		sqlite3_bind_text(st, 3, q->victim, -1, SQLITE_STATIC);
	memset(&f, 0, sizeof(f));
	dt_diag_clear(&f.diag);
	f.s = s;
	f.st = st;
	f.q = q;
	f.cols = cols;
	if (pthread_mutex_init(&f.mu, NULL) != 0) {
		sqlite3_finalize(st);
		return DT_ENOMEM;
	}
	if (pthread_cond_init(&f.cv, NULL) != 0) {
		pthread_mutex_destroy(&f.mu);
		sqlite3_finalize(st);
		return DT_ENOMEM;
	}
	if (pthread_create(&th, NULL, feed_run, &f) != 0) {
		pthread_cond_destroy(&f.cv);
		pthread_mutex_destroy(&f.mu);
		sqlite3_finalize(st);
		return DT_ENOMEM;
	}
	for (;;) {
		struct open_block *o;
		int64_t next;

		pthread_mutex_lock(&f.mu);
		while (f.n == 0 && !f.done)
			pthread_cond_wait(&f.cv, &f.mu);
		if (f.n == 0) {
			pthread_mutex_unlock(&f.mu);
			break;
		}
		next = f.item[f.head].next;
		o = f.item[f.head].o;
		f.head = (f.head + 1) % SCAN_AHEAD;
		f.n--;
		pthread_cond_broadcast(&f.cv);
		pthread_mutex_unlock(&f.mu);
		while (!err && h.n && h.v[0]->rows[h.v[0]->pos].ts < next)
			err = emit_top(&h, cols, fn, ctx);
		if (!err && o && (err = heap_push(&h, o)) == DT_OK)
			o = NULL;
		ob_free(o);
		if (err)
			break;
	}
	/* stop the decoder (when the callback stopped the scan), then take
	 * what it left */
	pthread_mutex_lock(&f.mu);
	f.stop = true;
	pthread_cond_broadcast(&f.cv);
	pthread_mutex_unlock(&f.mu);
	pthread_join(th, NULL);
	for (; f.n; f.n--, f.head = (f.head + 1) % SCAN_AHEAD)
		ob_free(f.item[f.head].o);
	if (!err && f.err) {
		err = f.err;
		if (diag)
			*diag = f.diag;
	}
	while (!err && h.n)
		err = emit_top(&h, cols, fn, ctx);
	while (h.n)
		ob_free(h.v[--h.n]);
	free(h.v);
	pthread_cond_destroy(&f.cv);
	pthread_mutex_destroy(&f.mu);
	sqlite3_finalize(st);
	return err;
}
