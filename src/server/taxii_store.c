/*
 * taxii_store.c — the TAXII 2.1 server's state in the node's SQLite
 * database: API roots, collections, objects (every version), statuses and
 * the discovery document, in tables prefixed taxii_.
 *
 * Objects.  One row per (API root, collection, view, id, version, spec
 * version).  The version is the object's modified, else its created, else
 * its date_added (TAXII 2.1 §3.6.1).  date_added is in microseconds and
 * every object this server adds gets one later than any row before it
 * (max(now, last + 1) under the write lock), so that added_after walks are
 * exact; pagination is by (date_added, seq) — a keyset cursor — so even
 * the equal dates of a loaded file are walked once each.
 *
 * Views (taxii_own.c).  Ordinary collections have view 0.  The node's own "indicators"
 * collection holds four views, one per TLP rank 0..3 (CLEAR..AMBER+STRICT),
 * each the node's STIX export at that rank: a reader sees the view of its
 * credential's rank, so nothing above it leaves, and RED never.
 *
 * Filtering (§3.4) is one SQL statement: type and id lists through
 * json_each, then match[spec_version] (default: the latest spec version of
 * each object), added_after, then match[version] (default "last") by window
 * functions over what passed before — the order medallion applies them in.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/uuid.h"
#include "ledger/ledger.h"
#include "server/taxii_int.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS taxii_roots(name TEXT PRIMARY KEY, title TEXT NOT NULL,"
    " description TEXT, versions TEXT NOT NULL, max_content_length INTEGER NOT NULL,"
    " ord INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS taxii_collections(root TEXT NOT NULL, id TEXT NOT NULL,"
    " title TEXT NOT NULL, description TEXT, alias TEXT, can_read INTEGER NOT NULL,"
    " can_write INTEGER NOT NULL, media_types TEXT, ord INTEGER NOT NULL,"
    " PRIMARY KEY(root, id));"
    "CREATE TABLE IF NOT EXISTS taxii_objects(seq INTEGER PRIMARY KEY, root TEXT NOT NULL,"
    " coll TEXT NOT NULL, view INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,"
    " spec TEXT NOT NULL, version TEXT NOT NULL, version_us INTEGER NOT NULL,"
    " date_added INTEGER NOT NULL, json TEXT NOT NULL,"
    " UNIQUE(root, coll, view, id, version_us, spec));"
    "CREATE INDEX IF NOT EXISTS taxii_objects_added ON taxii_objects(root, coll, view,"
    " date_added, seq);"
    "CREATE TABLE IF NOT EXISTS taxii_statuses(root TEXT NOT NULL, id TEXT NOT NULL,"
    " json TEXT NOT NULL, PRIMARY KEY(root, id));"
    "CREATE TABLE IF NOT EXISTS taxii_meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);";

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

enum dt_err taxii_dberr(struct taxii_store *st, struct dt_diag *diag)
{
	if (diag)
		dt_diag_set(diag, NULL, 0, "taxii tables: %s", sqlite3_errmsg(st->db));
	return DT_EIO;
}

bool taxii_exec(struct taxii_store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

sqlite3_stmt *taxii_prep(struct taxii_store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	return s;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

/* The first date_added after every row's (under the write lock). */
static int64_t next_date(struct taxii_store *st)
{
	sqlite3_stmt *s = taxii_prep(st, "SELECT max(date_added) FROM taxii_objects");
	int64_t t = now_us(), last = INT64_MIN;

	if (s && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		last = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return last != INT64_MIN && last >= t ? last + 1 : t;
}

enum dt_err taxii_store_open(const char *path, const char *origin, const char *party,
                             uint64_t max_body, struct taxii_store *st, struct dt_diag *diag)
{
	enum dt_err err;

	memset(st, 0, sizeof(*st));
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		err = taxii_dberr(st, diag);
		taxii_store_close(st);
		return err;
	}
	sqlite3_busy_timeout(st->db, 5000);
	if (!taxii_exec(st, "PRAGMA journal_mode=WAL") || !taxii_exec(st, schema)) {
		err = taxii_dberr(st, diag);
		taxii_store_close(st);
		return err;
	}
	if (origin && (err = taxii_own_root(st, origin, party, max_body, diag))) {
		taxii_store_close(st);
		return err;
	}
	return DT_OK;
}

void taxii_store_close(struct taxii_store *st)
{
	if (st->db)
		sqlite3_close(st->db);
	st->db = NULL;
}

/* ---- roots and collections -------------------------------------------------- */

void taxii_root_release(struct taxii_root *r)
{
	free(r->title);
	free(r->description);
	free(r->versions);
	r->title = r->description = r->versions = NULL;
}

void taxii_coll_release(struct taxii_coll *c)
{
	free(c->title);
	free(c->description);
	free(c->alias);
	free(c->media_types);
	c->title = c->description = c->alias = c->media_types = NULL;
}

enum dt_err taxii_root_get(struct taxii_store *st, const char *name, struct taxii_root *out)
{
	sqlite3_stmt *s = taxii_prep(st, "SELECT title, description, versions, max_content_length"
	                                 " FROM taxii_roots WHERE name = ?1");
	enum dt_err err = DT_ENOTFOUND;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return DT_EIO;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(out->name, sizeof(out->name), "%s", name);
		out->title = col_dup(s, 0);
		out->description = col_dup(s, 1);
		out->versions = col_dup(s, 2);
		out->max_content_length = sqlite3_column_int64(s, 3);
		err = DT_OK;
	}
	sqlite3_finalize(s);
	return err;
}

static void coll_row(sqlite3_stmt *s, struct taxii_coll *c)
{
	snprintf(c->root, sizeof(c->root), "%s", (const char *)sqlite3_column_text(s, 0));
	snprintf(c->id, sizeof(c->id), "%s", (const char *)sqlite3_column_text(s, 1));
	c->title = col_dup(s, 2);
	c->description = col_dup(s, 3);
	c->alias = col_dup(s, 4);
	c->can_read = sqlite3_column_int(s, 5);
	c->can_write = sqlite3_column_int(s, 6);
	c->media_types = col_dup(s, 7);
}

#define COLL_COLS "root, id, title, description, alias, can_read, can_write, media_types"

enum dt_err taxii_coll_get(struct taxii_store *st, const char *root, const char *id,
                           struct taxii_coll *out)
{
	sqlite3_stmt *s =
	    taxii_prep(st, "SELECT " COLL_COLS " FROM taxii_collections WHERE root = ?1"
	                   " AND (id = ?2 OR alias = ?2) ORDER BY id = ?2 DESC LIMIT 1");
	enum dt_err err = DT_ENOTFOUND;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return DT_EIO;
	sqlite3_bind_text(s, 1, root, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		coll_row(s, out);
		err = DT_OK;
	}
	sqlite3_finalize(s);
	return err;
}

enum dt_err taxii_colls(struct taxii_store *st, const char *root,
                        void (*fn)(void *, const struct taxii_coll *), void *ctx)
{
	sqlite3_stmt *s =
	    taxii_prep(st, "SELECT " COLL_COLS " FROM taxii_collections WHERE root = ?1"
	                   " ORDER BY ord, rowid");
	int rc;

	if (s == NULL)
		return DT_EIO;
	sqlite3_bind_text(s, 1, root, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct taxii_coll c;

		memset(&c, 0, sizeof(c));
		coll_row(s, &c);
		fn(ctx, &c);
		taxii_coll_release(&c);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? DT_OK : DT_EIO;
}

enum dt_err taxii_root_names(struct taxii_store *st, struct strbuf *out)
{
	sqlite3_stmt *s = taxii_prep(st, "SELECT json_group_array(name) FROM (SELECT name FROM"
	                                 " taxii_roots ORDER BY ord, name)");
	enum dt_err err = DT_EIO;

	if (s == NULL)
		return DT_EIO;
	if (sqlite3_step(s) == SQLITE_ROW)
		err = strbuf_adds(out, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return err;
}

enum dt_err taxii_meta_get(struct taxii_store *st, const char *key, struct strbuf *out)
{
	sqlite3_stmt *s = taxii_prep(st, "SELECT v FROM taxii_meta WHERE k = ?1");
	enum dt_err err = DT_ENOTFOUND;

	if (s == NULL)
		return DT_EIO;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		err = strbuf_adds(out, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return err;
}

/* ---- selection --------------------------------------------------------------- */

/* ?1 root ?2 coll ?3 view ?4 only id ?5 types ?6 ids ?7 spec mode ?8 specs
 * ?9 added_after ?10 version flags ?11 version timestamps */
#define SELECTION                                                                                  \
	"WITH base AS (SELECT seq, id, spec, version, version_us, date_added,"                     \
	" max(spec) OVER (PARTITION BY id) AS maxspec FROM taxii_objects"                          \
	" WHERE root = ?1 AND coll = ?2 AND view = ?3 AND (?4 IS NULL OR id = ?4)"                 \
	" AND (?5 IS NULL OR type IN (SELECT value FROM json_each(?5)))"                           \
	" AND (?6 IS NULL OR id IN (SELECT value FROM json_each(?6)))),"                           \
	" a AS (SELECT *, min(version_us) OVER (PARTITION BY id) AS vmin,"                         \
	" max(version_us) OVER (PARTITION BY id) AS vmax FROM base"                                \
	" WHERE (CASE ?7 WHEN 0 THEN spec = maxspec"                                               \
	" WHEN 1 THEN spec IN (SELECT value FROM json_each(?8)) ELSE 1 END)"                       \
	" AND (?9 IS NULL OR date_added > ?9)),"                                                   \
	" v AS (SELECT * FROM a WHERE (?10 & 4) != 0 OR ((?10 & 1) != 0 AND version_us = vmin)"    \
	" OR ((?10 & 2) != 0 AND version_us = vmax)"                                               \
	" OR (?11 IS NOT NULL AND version_us IN (SELECT value FROM json_each(?11))))"

static void bind_selection(sqlite3_stmt *s, const char *root, const char *coll, int view,
                           const char *only_id, const struct taxii_query *q,
                           unsigned vflags_default, bool spec_all_default)
{
	sqlite3_bind_text(s, 1, root, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, coll, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, view);
	if (only_id)
		sqlite3_bind_text(s, 4, only_id, -1, SQLITE_STATIC);
	if (q->types)
		sqlite3_bind_text(s, 5, q->types, -1, SQLITE_STATIC);
	if (q->ids)
		sqlite3_bind_text(s, 6, q->ids, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, q->specs ? 1 : spec_all_default ? 2 : 0);
	if (q->specs)
		sqlite3_bind_text(s, 8, q->specs, -1, SQLITE_STATIC);
	if (q->has_added_after)
		sqlite3_bind_int64(s, 9, q->added_after);
	sqlite3_bind_int(s, 10, (int)(q->vgiven ? q->vflags : vflags_default));
	if (q->vgiven && q->versions && strcmp(q->versions, "[]") != 0)
		sqlite3_bind_text(s, 11, q->versions, -1, SQLITE_STATIC);
}

enum dt_err taxii_select(struct taxii_store *st, const char *root, const char *coll, int view,
                         const char *only_id, const struct taxii_query *q, unsigned vflags_default,
                         bool spec_all_default, bool with_json,
                         bool (*fn)(void *, const struct taxii_row *), void *ctx, bool *more)
{
	sqlite3_stmt *s =
	    taxii_prep(st, SELECTION " SELECT v.seq, v.id, v.spec, v.version, v.date_added,"
	                             " CASE WHEN ?12 THEN o.json END FROM v"
	                             " JOIN taxii_objects o ON o.seq = v.seq"
	                             " WHERE v.date_added > ?13 OR (v.date_added = ?13"
	                             " AND v.seq > ?14) ORDER BY v.date_added, v.seq"
	                             " LIMIT ?15");
	unsigned n = 0;
	int rc;

	*more = false;
	if (s == NULL)
		return DT_EIO;
	bind_selection(s, root, coll, view, only_id, q, vflags_default, spec_all_default);
	sqlite3_bind_int(s, 12, with_json);
	sqlite3_bind_int64(s, 13, q->has_next ? q->next_date : INT64_MIN);
	sqlite3_bind_int64(s, 14, q->has_next ? q->next_seq : INT64_MIN);
	sqlite3_bind_int64(s, 15, (int64_t)q->limit + 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct taxii_row r = {
		    .seq = sqlite3_column_int64(s, 0),
		    .id = (const char *)sqlite3_column_text(s, 1),
		    .spec = (const char *)sqlite3_column_text(s, 2),
		    .version = (const char *)sqlite3_column_text(s, 3),
		    .date_added = sqlite3_column_int64(s, 4),
		    .json = (const char *)sqlite3_column_text(s, 5),
		};

		if (n == q->limit || !fn(ctx, &r)) {
			*more = true;
			rc = SQLITE_DONE;
			break;
		}
		n++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? DT_OK : DT_EIO;
}

bool taxii_object_exists(struct taxii_store *st, const char *root, const char *coll, int view,
                         const char *id)
{
	sqlite3_stmt *s =
	    taxii_prep(st, "SELECT 1 FROM taxii_objects WHERE root = ?1 AND coll = ?2 AND"
	                   " view = ?3 AND id = ?4 LIMIT 1");
	bool r;

	if (s == NULL)
		return false;
	sqlite3_bind_text(s, 1, root, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, coll, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, view);
	sqlite3_bind_text(s, 4, id, -1, SQLITE_STATIC);
	r = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return r;
}

enum dt_err taxii_delete(struct taxii_store *st, const char *root, const char *coll, const char *id,
                         const struct taxii_query *q, uint64_t *deleted)
{
	sqlite3_stmt *s = taxii_prep(st, "DELETE FROM taxii_objects WHERE seq IN (" SELECTION
	                                 " SELECT seq FROM v)");
	int rc;

	*deleted = 0;
	if (s == NULL)
		return DT_EIO;
	bind_selection(s, root, coll, 0, id, q, TAXII_V_ALL, true);
	sqlite3_bind_null(s, 9); /* added_after does not apply */
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return DT_EIO;
	*deleted = (uint64_t)sqlite3_changes(st->db);
	return DT_OK;
}

/* ---- additions and statuses -------------------------------------------------- */

static void uuid4(char out[37])
{
	unsigned char b[16];
	static const char hx[] = "0123456789abcdef";
	size_t o = 0;

	randombytes_buf(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hx[b[i] >> 4];
		out[o++] = hx[b[i] & 15];
	}
	out[o] = '\0';
}

/*
 * Inserts one valid item at view; a versionless object (an SCO) takes
 * date_added as its version and is "already there" when the same JSON is.
 * *date is the date_added to use, advanced when used.
 */
int taxii_insert_stmt(struct taxii_store *st, sqlite3_stmt *ins, const char *root, const char *coll,
                      int view, struct taxii_item *it, int64_t *date)
{
	char vbuf[TAXII_TS_LEN];
	int64_t vus = it->version_us;
	const char *version = it->version;

	if (version[0] == '\0') {
		sqlite3_stmt *s =
		    taxii_prep(st, "SELECT 1 FROM taxii_objects WHERE root = ?1 AND"
		                   " coll = ?2 AND view = ?3 AND id = ?4 AND json = ?5");
		bool have;

		if (s == NULL)
			return -1;
		sqlite3_bind_text(s, 1, root, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, coll, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, view);
		sqlite3_bind_text(s, 4, it->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, it->json, -1, SQLITE_STATIC);
		have = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_finalize(s);
		if (have)
			return 0;
		taxii_ts_format(*date, vbuf);
		version = vbuf;
		vus = *date;
	}
	sqlite3_reset(ins);
	sqlite3_bind_text(ins, 1, root, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, coll, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 3, view);
	sqlite3_bind_text(ins, 4, it->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 5, it->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 6, it->spec, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 7, version, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(ins, 8, vus);
	sqlite3_bind_int64(ins, 9, *date);
	sqlite3_bind_text(ins, 10, it->json, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return 0;
	(*date)++;
	return 1;
}

static json_t *detail(const struct taxii_item *it, const char *version, const char *msg)
{
	json_t *d = json_object();

	json_object_set_new(d, "id", json_string(it->id));
	if (version && *version)
		json_object_set_new(d, "version", json_string(version));
	if (msg)
		json_object_set_new(d, "message", json_string(msg));
	return d;
}

enum dt_err taxii_add(struct taxii_store *st, const char *root, const char *coll,
                      struct taxii_envelope *env, bool *added, struct strbuf *status,
                      struct dt_diag *diag)
{
	char sid[37], ts[TAXII_TS_LEN];
	json_t *res = json_object(), *ok = json_array(), *bad = json_array();
	sqlite3_stmt *ins = NULL, *put = NULL;
	int64_t date;
	char *text = NULL;
	enum dt_err err = DT_EIO;

	uuid4(sid);
	if (!taxii_exec(st, "BEGIN IMMEDIATE")) {
		err = taxii_dberr(st, diag);
		goto out;
	}
	date = next_date(st);
	taxii_ts_format(date, ts);
	if ((ins = taxii_prep(st, INSERT_OBJECT)) == NULL)
		goto fail;
	for (size_t i = 0; i < env->n; i++) {
		struct taxii_item *it = &env->items[i];
		int64_t before = date;
		char vbuf[TAXII_TS_LEN];
		int r;

		added[i] = false;
		if (it->json == NULL) {
			json_array_append_new(bad, detail(it, it->version, it->why));
			continue;
		}
		if ((r = taxii_insert_stmt(st, ins, root, coll, 0, it, &date)) < 0)
			goto fail;
		added[i] = r == 1;
		taxii_ts_format(before, vbuf);
		json_array_append_new(
		    ok, detail(it, it->version[0] ? it->version : vbuf,
		               r ? "added to the collection" : "already in the collection"));
	}
	json_object_set_new(res, "id", json_string(sid));
	json_object_set_new(res, "status", json_string("complete"));
	json_object_set_new(res, "request_timestamp", json_string(ts));
	json_object_set_new(res, "total_count", json_integer((json_int_t)env->n));
	json_object_set_new(res, "success_count", json_integer((json_int_t)json_array_size(ok)));
	json_object_set(res, "successes", ok);
	json_object_set_new(res, "failure_count", json_integer((json_int_t)json_array_size(bad)));
	json_object_set(res, "failures", bad);
	json_object_set_new(res, "pending_count", json_integer(0));
	json_object_set_new(res, "pendings", json_array());
	if ((text = json_dumps(res, JSON_COMPACT)) == NULL) {
		err = DT_ENOMEM;
		goto fail;
	}
	if ((put = taxii_prep(st, "INSERT INTO taxii_statuses VALUES(?1, ?2, ?3)")) == NULL)
		goto fail;
	sqlite3_bind_text(put, 1, root, -1, SQLITE_STATIC);
	sqlite3_bind_text(put, 2, sid, -1, SQLITE_STATIC);
	sqlite3_bind_text(put, 3, text, -1, SQLITE_STATIC);
	if (sqlite3_step(put) != SQLITE_DONE || !taxii_exec(st, "COMMIT"))
		goto fail;
	err = strbuf_adds(status, text);
	goto out;
fail:
	if (err == DT_EIO)
		taxii_dberr(st, diag);
	taxii_exec(st, "ROLLBACK");
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(put);
	free(text);
	json_decref(ok);
	json_decref(bad);
	json_decref(res);
	return err;
}

enum dt_err taxii_status_get(struct taxii_store *st, const char *root, const char *id,
                             struct strbuf *out)
{
	sqlite3_stmt *s =
	    taxii_prep(st, "SELECT json FROM taxii_statuses WHERE root = ?1 AND id = ?2");
	enum dt_err err = DT_ENOTFOUND;

	if (s == NULL)
		return DT_EIO;
	sqlite3_bind_text(s, 1, root, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		err = strbuf_adds(out, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return err;
}

int64_t taxii_next_date(struct taxii_store *st)
{
	return next_date(st);
}

int taxii_insert(struct taxii_store *st, const char *root, const char *coll, int view,
                 struct taxii_item *it, int64_t *date)
{
	sqlite3_stmt *ins = taxii_prep(st, INSERT_OBJECT);
	int r;

	if (ins == NULL)
		return -1;
	r = taxii_insert_stmt(st, ins, root, coll, view, it, date);
	sqlite3_finalize(ins);
	return r;
}
