/*
 * sightings.c — which stored events touched which indicators, and how far
 * each block of events has been matched.
 *
 * match_state(block, upto) records the newest indicator (by id: ids only
 * grow) a block was matched against; a block without a row was never
 * matched.  A match run therefore visits exactly the blocks behind the
 * newest indicator, and only against the indicators they have not met:
 * new events against all indicators, old events against new indicators
 * (the retro-hunt), in one mechanism.  Sightings and match_state change in
 * one transaction, so an interrupted run leaves the previous state.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pending {
	uint64_t id, upto, entry;
	uint8_t sha[32];
};

enum dt_err store_unmatched_blocks(struct store *s, uint64_t gen, store_block_fn *fn, void *ctx,
                                   struct dt_diag *diag)
{
	sqlite3_stmt *st = NULL;
	sqlite3_blob *blob = NULL;
	struct pending *v = NULL;
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, bcap = 0;
	struct block k;
	enum dt_err err = DT_OK;

	/* the list first: the caller writes sightings and match_state while
	 * it goes through the blocks, which must not move the listing */
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT b.id, coalesce(m.upto, 0) AS u, sub.sha256, sub.entry"
	                       " FROM event_blocks b JOIN submissions sub ON sub.id = b.sub"
	                       " LEFT JOIN match_state m ON m.block = b.id"
	                       " WHERE coalesce(m.upto, 0) < ?1 ORDER BY u, b.id",
	                       -1, &st, NULL) != SQLITE_OK) {
		err = store_dberr(s, diag);
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)gen);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			size_t c = cap ? 2 * cap : 256;
			struct pending *w = realloc(v, c * sizeof(*w));

			if (w == NULL) {
				err = DT_ENOMEM;
				goto out;
			}
			v = w;
			cap = c;
		}
		if (sqlite3_column_bytes(st, 2) != 32) {
			dt_diag_set(diag, s->path, 0, "damaged submission row (digest)");
			err = DT_EFORMAT;
			goto out;
		}
		v[n].id = (uint64_t)sqlite3_column_int64(st, 0);
		v[n].upto = (uint64_t)sqlite3_column_int64(st, 1);
		memcpy(v[n].sha, sqlite3_column_blob(st, 2), 32);
		v[n].entry = (uint64_t)sqlite3_column_int64(st, 3);
		n++;
	}
	block_init(&k);
	/* blobs read straight into one buffer (sqlite3_blob_read): a column
	 * read would copy each block's overflow pages into a new allocation */
	for (size_t i = 0; i < n && !err; i++) {
		int len;

		if ((blob == NULL
		         ? sqlite3_blob_open(s->db, "main", "event_blocks", "data",
		                             (sqlite3_int64)v[i].id, 0, &blob)
		         : sqlite3_blob_reopen(blob, (sqlite3_int64)v[i].id)) != SQLITE_OK) {
			err = store_dberr(s, diag);
			break;
		}
		len = sqlite3_blob_bytes(blob);
		if ((size_t)len > bcap) {
			uint8_t *w = realloc(buf, (size_t)len);

			if (w == NULL) {
				err = DT_ENOMEM;
				break;
			}
			buf = w;
			bcap = (size_t)len;
		}
		if (sqlite3_blob_read(blob, buf, len, 0) != SQLITE_OK) {
			err = store_dberr(s, diag);
			break;
		}
		err = block_decode(&k, buf, (size_t)len, diag);
		if (!err)
			err = fn(ctx, v[i].id, v[i].upto, &k, v[i].sha, v[i].entry);
	}
	block_release(&k);
out:
	free(v);
	free(buf);
	sqlite3_blob_close(blob);
	sqlite3_finalize(st);
	return err;
}

enum dt_err store_matched_generation(struct store *s, uint64_t *gen, struct dt_diag *diag)
{
	sqlite3_stmt *st;

	*gen = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(upto), 0) FROM match_state", -1, &st,
	                       NULL) != SQLITE_OK)
		return store_dberr(s, diag);
	if (sqlite3_step(st) == SQLITE_ROW)
		*gen = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return DT_OK;
}

enum dt_err store_match_begin(struct store *s, struct dt_diag *diag)
{
	if ((s->ins_sight == NULL &&
	     sqlite3_prepare_v2(s->db,
	                        "INSERT INTO sightings(block, idx, ts, indicator, value,"
	                        " type, field, actor, chain, source, suppressed)"
	                        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
	                        -1, &s->ins_sight, NULL) != SQLITE_OK) ||
	    (s->upd_match == NULL &&
	     sqlite3_prepare_v2(s->db,
	                        "INSERT OR REPLACE INTO match_state(block, upto) VALUES(?1,?2)", -1,
	                        &s->upd_match, NULL) != SQLITE_OK) ||
	    sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_dberr(s, diag);
	return DT_OK;
}

static void text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

enum dt_err store_sighting_add(struct store *s, const struct store_sighting *g,
                               struct dt_diag *diag)
{
	sqlite3_stmt *st = s->ins_sight;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)g->block);
	sqlite3_bind_int64(st, 2, g->idx);
	sqlite3_bind_int64(st, 3, g->ts);
	text(st, 4, g->indicator);
	text(st, 5, g->value);
	text(st, 6, g->type);
	text(st, 7, g->field);
	text(st, 8, g->actor ? g->actor : "");
	text(st, 9, g->chain);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)g->source);
	text(st, 11, g->suppressed);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_dberr(s, diag);
	return DT_OK;
}

enum dt_err store_block_matched(struct store *s, uint64_t block, uint64_t gen, struct dt_diag *diag)
{
	sqlite3_reset(s->upd_match);
	sqlite3_bind_int64(s->upd_match, 1, (sqlite3_int64)block);
	sqlite3_bind_int64(s->upd_match, 2, (sqlite3_int64)gen);
	if (sqlite3_step(s->upd_match) != SQLITE_DONE)
		return store_dberr(s, diag);
	return DT_OK;
}

enum dt_err store_match_commit(struct store *s, struct dt_diag *diag)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		enum dt_err err = store_dberr(s, diag);

		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return err;
	}
	return DT_OK;
}

void store_match_rollback(struct store *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

enum dt_err store_sighting_sums(struct store *s, store_sighting_sum_fn *fn, void *ctx,
                                struct dt_diag *diag)
{
	sqlite3_stmt *st;
	enum dt_err err = DT_OK;

	/* one event counts once per indicator, whatever fields matched */
	if (sqlite3_prepare_v2(
	        s->db,
	        "SELECT g.indicator, sub.entry, count(DISTINCT g.block * 65536 + g.idx),"
	        " min(g.ts), max(g.ts) FROM sightings g"
	        " JOIN event_blocks b ON b.id = g.block"
	        " JOIN submissions sub ON sub.id = b.sub"
	        " WHERE g.suppressed IS NULL"
	        " GROUP BY g.indicator, sub.entry ORDER BY g.indicator, sub.entry",
	        -1, &st, NULL) != SQLITE_OK)
		return store_dberr(s, diag);
	while (!err && sqlite3_step(st) == SQLITE_ROW)
		err =
		    fn(ctx, (const char *)sqlite3_column_text(st, 0),
		       (uint64_t)sqlite3_column_int64(st, 1), (uint64_t)sqlite3_column_int64(st, 2),
		       sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4));
	sqlite3_finalize(st);
	return err;
}

enum dt_err store_sighting_actors(struct store *s, store_actor_fn *fn, void *ctx,
                                  struct dt_diag *diag)
{
	sqlite3_stmt *st;
	enum dt_err err = DT_OK;

	if (sqlite3_prepare_v2(s->db,
	                       "SELECT DISTINCT block, idx, actor FROM sightings"
	                       " WHERE suppressed IS NULL"
	                       " ORDER BY block, idx, actor",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_dberr(s, diag);
	while (!err && sqlite3_step(st) == SQLITE_ROW)
		err = fn(ctx, (uint64_t)sqlite3_column_int64(st, 0),
		         (uint32_t)sqlite3_column_int64(st, 1),
		         (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	return err;
}

enum dt_err store_sighting_counts(struct store *s, uint64_t *all, uint64_t *hostile,
                                  uint64_t *events, struct dt_diag *diag)
{
	sqlite3_stmt *st;

	/* the distinct events only when asked: it sorts every sighting */
	if (sqlite3_prepare_v2(s->db,
	                       events
	                           ? "SELECT count(*), count(*) FILTER (WHERE suppressed IS NULL),"
	                             " (SELECT count(*) FROM (SELECT DISTINCT block, idx"
	                             " FROM sightings)) FROM sightings"
	                           : "SELECT count(*), count(*) FILTER (WHERE suppressed IS NULL),"
	                             " 0 FROM sightings",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_dberr(s, diag);
	*all = *hostile = 0;
	if (events)
		*events = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*all = (uint64_t)sqlite3_column_int64(st, 0);
		*hostile = (uint64_t)sqlite3_column_int64(st, 1);
		if (events)
			*events = (uint64_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return DT_OK;
}

enum dt_err store_sightings_recheck(struct store *s, store_recheck_fn *fn, void *ctx,
                                    struct dt_diag *diag)
{
	sqlite3_stmt *st = NULL, *ins = NULL;
	enum dt_err err = DT_OK;
	char **vals = NULL;
	size_t n = 0, cap = 0, flagged = 0;

	/* the values first (the verdicts are written to a temporary table,
	 * then applied in one pass over the sightings: an UPDATE per value
	 * would scan them once per value) */
	if (sqlite3_prepare_v2(
	        s->db, "SELECT DISTINCT value, type FROM sightings WHERE suppressed IS NULL", -1,
	        &st, NULL) != SQLITE_OK)
		return store_dberr(s, diag);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		const char *t = (const char *)sqlite3_column_text(st, 1);
		size_t lv = strlen(v), lt = strlen(t);
		char *p;

		if (n == cap) {
			size_t c = cap ? 2 * cap : 64;
			char **w = realloc(vals, c * sizeof(*w));

			if (w == NULL) {
				err = DT_ENOMEM;
				goto out;
			}
			vals = w;
			cap = c;
		}
		if ((p = malloc(lv + lt + 2)) == NULL) {
			err = DT_ENOMEM;
			goto out;
		}
		memcpy(p, v, lv + 1);
		memcpy(p + lv + 1, t, lt + 1);
		vals[n++] = p;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_exec(s->db,
	                 "CREATE TEMP TABLE IF NOT EXISTS recheck(value TEXT, type TEXT, why TEXT,"
	                 " PRIMARY KEY(value, type)); DELETE FROM temp.recheck",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO temp.recheck VALUES(?1,?2,?3)", -1,
	                       &ins, NULL) != SQLITE_OK) {
		err = store_dberr(s, diag);
		goto out;
	}
	for (size_t i = 0; i < n && !err; i++) {
		const char *v = vals[i], *t = v + strlen(v) + 1;
		const char *why = fn(ctx, v, t);

		if (why == NULL)
			continue;
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, v, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, t, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, why, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(ins) != SQLITE_DONE)
			err = store_dberr(s, diag);
		flagged++;
	}
	if (!err && flagged &&
	    sqlite3_exec(s->db,
	                 "UPDATE sightings SET suppressed = (SELECT why FROM temp.recheck r"
	                 " WHERE r.value = sightings.value AND r.type = sightings.type)"
	                 " WHERE suppressed IS NULL AND EXISTS(SELECT 1 FROM temp.recheck r"
	                 " WHERE r.value = sightings.value AND r.type = sightings.type)",
	                 NULL, NULL, NULL) != SQLITE_OK)
		err = store_dberr(s, diag);
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	for (size_t i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
	return err;
}
