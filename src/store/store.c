/*
 * store.c — the embedded event store's schema and write path: one
 * transaction per submission, events buffered into a columnar block
 * (store/block.h) and written a block at a time.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA cache_size=-262144;"
    "CREATE TABLE IF NOT EXISTS submissions(id INTEGER PRIMARY KEY, sha256 BLOB NOT NULL UNIQUE,"
    " entry INTEGER NOT NULL, format TEXT NOT NULL, victim TEXT, sector TEXT, name TEXT,"
    " refdata TEXT, records INTEGER, events INTEGER, rejected INTEGER, ignored INTEGER,"
    " ingested TEXT NOT NULL, party TEXT);"
    "CREATE TABLE IF NOT EXISTS event_blocks(id INTEGER PRIMARY KEY,"
    " sub INTEGER NOT NULL REFERENCES submissions(id), n INTEGER NOT NULL,"
    " ts_min INTEGER NOT NULL, ts_max INTEGER NOT NULL, rec_min INTEGER NOT NULL,"
    " rec_max INTEGER NOT NULL, data BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS event_blocks_ts ON event_blocks(ts_min);"
    "CREATE INDEX IF NOT EXISTS event_blocks_sub ON event_blocks(sub);"
    /* appended in match order and read whole (events, exports): no
     * index to keep up; a run never adds a sighting twice (match_state) */
    "CREATE TABLE IF NOT EXISTS sightings(block INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " ts INTEGER NOT NULL, indicator TEXT NOT NULL, value TEXT NOT NULL, type TEXT NOT NULL,"
    " field TEXT NOT NULL, actor TEXT NOT NULL, chain TEXT, source INTEGER NOT NULL,"
    " suppressed TEXT);"
    "CREATE TABLE IF NOT EXISTS match_state(block INTEGER PRIMARY KEY,"
    " upto INTEGER NOT NULL);";

enum dt_err store_dberr(struct store *s, struct dt_diag *diag)
{
	dt_diag_set(diag, s->path, 0, "database: %s", sqlite3_errmsg(s->db));
	return DT_EIO;
}

/* A database from before the columnar layout has a row-per-event table. */
static bool old_layout(sqlite3 *db)
{
	sqlite3_stmt *st;
	bool old = false;

	if (sqlite3_prepare_v2(db,
	                       "SELECT 1 FROM sqlite_master WHERE type='table' AND name='events'"
	                       " UNION ALL SELECT 1 FROM pragma_table_info('submissions')"
	                       " WHERE name='sha256' AND pk=1",
	                       -1, &st, NULL) != SQLITE_OK)
		return false;
	old = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return old;
}

/* Adds submissions.party to a database made before peers' submissions
 * were mirrored (NULL there: this node's own).  false on failure. */
static bool has_column(sqlite3 *db, const char *table, const char *column, char **msg)
{
	sqlite3_stmt *st;
	bool have;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st,
	                       NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
	have = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return have || sqlite3_exec(db, "ALTER TABLE submissions ADD COLUMN party TEXT", NULL, NULL,
	                            msg) == SQLITE_OK;
}

enum dt_err store_open(const char *db, struct store **out, struct dt_diag *diag)
{
	struct store *s = calloc(1, sizeof(*s));
	char *msg = NULL;
	enum dt_err err;

	*out = NULL;
	if (s == NULL)
		return DT_ENOMEM;
	snprintf(s->path, sizeof(s->path), "%s", db);
	if (sqlite3_open_v2(db, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		dt_diag_set(diag, db, 0, "cannot open database");
		store_close(s);
		return DT_EIO;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if (old_layout(s->db)) {
		dt_diag_set(diag, db, 0,
		            "events are stored one row per event (detente before 0.2); "
		            "this version stores them in blocks: re-create the node and "
		            "ingest the files again");
		store_close(s);
		return DT_EFORMAT;
	}
	if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    !has_column(s->db, "submissions", "party", &msg)) {
		dt_diag_set(diag, db, 0, "database: %s", msg ? msg : "schema");
		sqlite3_free(msg);
		store_close(s);
		return DT_EIO;
	}
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO submissions(sha256, entry, format, victim, sector,"
	                       " name, refdata, ingested, party)"
	                       " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
	                       -1, &s->ins_sub, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
	                       "UPDATE submissions SET records=?2, events=?3, rejected=?4,"
	                       " ignored=?5 WHERE id=?1",
	                       -1, &s->upd_sub, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
	                       "INSERT INTO event_blocks(sub, n, ts_min, ts_max, rec_min, rec_max,"
	                       " data) VALUES(?1,?2,?3,?4,?5,?6,?7)",
	                       -1, &s->ins_block, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT entry FROM submissions WHERE sha256 = ?1", -1,
	                       &s->get_sub, NULL) != SQLITE_OK) {
		err = store_dberr(s, diag);
		store_close(s);
		return err;
	}
	for (int i = 0; i < STORE_NBUF; i++)
		if ((err = block_builder_init(&s->buf[i]))) {
			dt_diag_set(diag, db, 0, "%s", dt_strerror(err));
			store_close(s);
			return err;
		}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->sync = true;
	*out = s;
	return DT_OK;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->running)
		store_rollback(s);
	sqlite3_finalize(s->ins_sub);
	sqlite3_finalize(s->upd_sub);
	sqlite3_finalize(s->ins_block);
	sqlite3_finalize(s->ins_sight);
	sqlite3_finalize(s->upd_match);
	sqlite3_finalize(s->get_sub);
	sqlite3_close(s->db);
	for (int i = 0; i < STORE_NBUF; i++)
		block_builder_release(&s->buf[i]);
	if (s->sync) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
	}
	free(s);
}

bool store_submission(struct store *s, const uint8_t sha256[32], uint64_t *entry)
{
	bool found = false;

	sqlite3_bind_blob(s->get_sub, 1, sha256, 32, SQLITE_STATIC);
	if (sqlite3_step(s->get_sub) == SQLITE_ROW) {
		*entry = (uint64_t)sqlite3_column_int64(s->get_sub, 0);
		found = true;
	}
	sqlite3_reset(s->get_sub);
	return found;
}

static void bind_cstr(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Attributes, compresses and inserts one full builder (writer thread). */
static enum dt_err write_block(struct store *s, struct block_builder *b, struct dt_diag *diag)
{
	sqlite3_stmt *st = s->ins_block;
	const void *data;
	size_t len;
	enum dt_err err;

	if (s->attribute && (err = s->attribute(s->actx, b))) {
		dt_diag_set(diag, s->path, 0, "attribution: %s", dt_strerror(err));
		return err;
	}
	if ((err = block_finish(b, &data, &len))) {
		dt_diag_set(diag, s->path, 0, "event block: %s", dt_strerror(err));
		return err;
	}
	sqlite3_bind_int64(st, 1, s->sub);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)b->n);
	sqlite3_bind_int64(st, 3, b->ts_min);
	sqlite3_bind_int64(st, 4, b->ts_max);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)b->rec_min);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)b->rec_max);
	sqlite3_bind_blob(st, 7, data, (int)len, SQLITE_STATIC);
	err = sqlite3_step(st) == SQLITE_DONE ? DT_OK : store_dberr(s, diag);
	sqlite3_reset(st);
	return err;
}

static void *writer(void *arg)
{
	struct store *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct block_builder *b;
		struct dt_diag d;
		enum dt_err err = DT_OK;

		while (s->nfull == 0 && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->nfull == 0)
			break;
		b = s->full[0];
		memmove(s->full, s->full + 1, --s->nfull * sizeof(*s->full));
		if (s->werr == DT_OK) {
			pthread_mutex_unlock(&s->mu);
			dt_diag_clear(&d);
			err = write_block(s, b, &d);
			pthread_mutex_lock(&s->mu);
			if (err && s->werr == DT_OK) {
				s->werr = err;
				s->wdiag = d;
			}
		}
		block_builder_reset(b);
		s->idle[s->nidle++] = b;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Stops the writer after it has written what it was handed. */
static void stop_writer(struct store *s)
{
	if (!s->running)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->writer, NULL);
	s->running = false;
}

enum dt_err store_begin(struct store *s, const struct store_submission_row *r,
                        store_attribute_fn *attribute, void *actx, struct dt_diag *diag)
{
	sqlite3_stmt *st = s->ins_sub;
	char now[40];
	time_t t = time(NULL);
	struct tm tm;

	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_dberr(s, diag);
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sqlite3_bind_blob(st, 1, r->sha256, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)r->entry);
	bind_cstr(st, 3, r->format);
	bind_cstr(st, 4, r->victim);
	bind_cstr(st, 5, r->sector);
	bind_cstr(st, 6, r->name);
	bind_cstr(st, 7, r->refdata);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
	bind_cstr(st, 9, r->party);
	if (sqlite3_step(st) != SQLITE_DONE) {
		enum dt_err err = store_dberr(s, diag);

		sqlite3_reset(st);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return err;
	}
	sqlite3_reset(st);
	s->sub = sqlite3_last_insert_rowid(s->db);
	s->attribute = attribute;
	s->actx = actx;
	s->werr = DT_OK;
	s->stop = false;
	s->nfull = 0;
	s->nidle = 0;
	for (int i = 1; i < STORE_NBUF; i++) {
		block_builder_reset(&s->buf[i]);
		s->idle[s->nidle++] = &s->buf[i];
	}
	s->cur = &s->buf[0];
	block_builder_reset(s->cur);
	if (pthread_create(&s->writer, NULL, writer, s) != 0) {
		dt_diag_set(diag, s->path, 0, "cannot start the writer thread");
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return DT_ENOMEM;
	}
	s->running = true;
	return DT_OK;
}

/* Hands cur to the writer and takes an idle builder; the writer's error,
 * if it had one. */
static enum dt_err hand_over(struct store *s, struct dt_diag *diag)
{
	enum dt_err err;

	pthread_mutex_lock(&s->mu);
	s->full[s->nfull++] = s->cur;
	pthread_cond_broadcast(&s->cv);
	while (s->nidle == 0)
		pthread_cond_wait(&s->cv, &s->mu);
	s->cur = s->idle[--s->nidle];
	err = s->werr;
	if (err)
		*diag = s->wdiag;
	pthread_mutex_unlock(&s->mu);
	return err;
}

enum dt_err store_add_event(struct store *s, const struct block_row *r, struct dt_diag *diag)
{
	enum dt_err err = block_add(s->cur, r);

	if (err) {
		dt_diag_set(diag, s->path, 0, "event block: %s", dt_strerror(err));
		return err;
	}
	return s->cur->n >= BLOCK_MAX ? hand_over(s, diag) : DT_OK;
}

enum dt_err store_commit(struct store *s, const struct ingest_counts *c, struct dt_diag *diag)
{
	sqlite3_stmt *st = s->upd_sub;
	enum dt_err err = DT_OK;

	if (s->cur->n) {
		pthread_mutex_lock(&s->mu);
		s->full[s->nfull++] = s->cur;
		s->cur = NULL;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	stop_writer(s);
	if (s->cur == NULL)
		s->cur = &s->buf[0]; /* any: the writer is done with all of them */
	if (s->werr) {
		err = s->werr;
		*diag = s->wdiag;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, s->sub);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)c->records);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)c->events);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)c->rejected);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)c->ignored);
	err = sqlite3_step(st) == SQLITE_DONE ? DT_OK : store_dberr(s, diag);
	sqlite3_reset(st);
	if (err)
		goto fail;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		err = store_dberr(s, diag);
		goto fail;
	}
	return DT_OK;
fail:
	store_rollback(s);
	return err;
}

void store_rollback(struct store *s)
{
	if (s->running) {
		/* the writer still writes what it holds; ROLLBACK undoes it */
		pthread_mutex_lock(&s->mu);
		s->werr = s->werr ? s->werr : DT_EINVAL; /* skip further blocks */
		pthread_mutex_unlock(&s->mu);
		stop_writer(s);
	}
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}
