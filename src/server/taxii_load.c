/*
 * taxii_load.c — `detente taxii load` and `list`: a medallion data file
 * (the OASIS reference TAXII server's default_data.json shape) into the
 * taxii_ tables, and what the tables hold.
 *
 * The file's shape: {"/discovery": {title, description, contact, default,
 * api_roots}, "<root>": {"information": {title, description, versions,
 * max_content_length}, "status": [...], "collections": [{id, title,
 * description, alias, can_read, can_write, media_types, "objects": [...],
 * "manifest": [{id, date_added, version, media_type}]}]}}.  An object's
 * date_added is that of its manifest entry (same id and version); objects
 * without one are added now.  medallion writes "total_objects" for
 * "total_count" in one status: the count is set from the parts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ledger/ledger.h"
#include "server/taxii_int.h"

#define TAXII_MAX_FILE (256u << 20)

struct load {
	struct taxii_store st;
	const char *path;
	void (*warn)(void *, const struct dt_diag *);
	void *wctx;
	struct taxii_load_report *rep;
};

static void reject(struct load *l, const char *fmt, const char *a, const char *b)
{
	struct dt_diag d;
	char msg[400];

	snprintf(msg, sizeof(msg), fmt, a, b);
	dt_diag_clear(&d);
	dt_diag_set(&d, l->path, 0, "%s", msg);
	l->rep->rejected++;
	if (l->warn)
		l->warn(l->wctx, &d);
}

static bool root_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= TAXII_MAX_SEGMENT)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("._~-", s[i])))
			return false;
	return strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static bool run(struct load *l, const char *sql, const char *a, const char *b, const char *c,
                int64_t i1, int64_t i2, int64_t i3, const char *d, const char *e)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(l->st.db, sql, -1, &s, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, i1);
	sqlite3_bind_int64(s, 5, i2);
	sqlite3_bind_int64(s, 6, i3);
	sqlite3_bind_text(s, 7, d, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, e, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE;
}

/* The JSON text of v (NULL when absent) — freed by the caller. */
static char *dump(json_t *v)
{
	return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

static bool load_collection(struct load *l, const char *root, json_t *c, int ord, int64_t *date)
{
	const char *id = json_string_value(json_object_get(c, "id"));
	const char *title = json_string_value(json_object_get(c, "title"));
	json_t *media = json_object_get(c, "media_types"), *o, *m, *added = json_object();
	char *mt;
	size_t i;
	bool ok;

	if (id == NULL || !root_name_ok(id)) {
		reject(l, "api root '%s': a collection without a valid 'id'%s", root, "");
		json_decref(added);
		return true;
	}
	ok = run(l,
	         "INSERT OR IGNORE INTO taxii_collections VALUES(?1, ?2, ?3, ?7, ?8, ?4, ?5,"
	         " NULL, ?6)",
	         root, id, title ? title : id, json_is_true(json_object_get(c, "can_read")),
	         json_is_true(json_object_get(c, "can_write")), ord,
	         json_string_value(json_object_get(c, "description")),
	         json_string_value(json_object_get(c, "alias")));
	if (ok && sqlite3_changes(l->st.db) == 0) {
		reject(l, "api root '%s': collection '%s' is there twice", root, id);
		json_decref(added);
		return true;
	}
	mt = ok && json_is_array(media) ? dump(media) : NULL;
	if (mt) {
		sqlite3_stmt *s;

		ok = sqlite3_prepare_v2(l->st.db,
		                        "UPDATE taxii_collections SET media_types = ?3 WHERE"
		                        " root = ?1 AND id = ?2",
		                        -1, &s, NULL) == SQLITE_OK;
		if (ok) {
			sqlite3_bind_text(s, 1, root, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, mt, -1, SQLITE_STATIC);
			ok = sqlite3_step(s) == SQLITE_DONE;
			sqlite3_finalize(s);
		}
		free(mt);
	}
	if (!ok) {
		json_decref(added);
		return false;
	}
	l->rep->collections++;
	/* manifest: "<id> <version µs>" -> date_added µs */
	json_array_foreach(json_object_get(c, "manifest"), i, m)
	{
		const char *mid = json_string_value(json_object_get(m, "id"));
		const char *mv = json_string_value(json_object_get(m, "version"));
		const char *md = json_string_value(json_object_get(m, "date_added"));
		int64_t vus, dus;
		char key[TAXII_MAX_ID + 32];

		if (mid && mv && md && taxii_ts_parse(mv, strlen(mv), &vus) &&
		    taxii_ts_parse(md, strlen(md), &dus) && strlen(mid) <= TAXII_MAX_ID) {
			snprintf(key, sizeof(key), "%s %lld", mid, (long long)vus);
			json_object_set_new(added, key, json_integer(dus));
		}
	}
	json_array_foreach(json_object_get(c, "objects"), i, o)
	{
		struct taxii_item it;
		char key[TAXII_MAX_ID + 32];
		json_t *d;
		int r;

		memset(&it, 0, sizeof(it));
		if (!taxii_item_fill(&it, o, NULL)) {
			free(it.json);
			reject(l, "collection '%s': an object is not valid STIX: %s", id, it.why);
			continue;
		}
		snprintf(key, sizeof(key), "%s %lld", it.id, (long long)it.version_us);
		d = it.version[0] ? json_object_get(added, key) : NULL;
		if (d) {
			int64_t when = (int64_t)json_integer_value(d);

			r = taxii_insert(&l->st, root, id, 0, &it, &when);
		} else {
			r = taxii_insert(&l->st, root, id, 0, &it, date);
		}
		free(it.json);
		if (r < 0) {
			json_decref(added);
			return false;
		}
		if (r == 0)
			reject(l, "collection '%s': object '%s' is there twice", id, it.id);
		else
			l->rep->objects++;
	}
	json_decref(added);
	return true;
}

static bool load_status(struct load *l, const char *root, json_t *s)
{
	const char *id = json_string_value(json_object_get(s, "id"));
	char *text;
	bool ok;

	if (id == NULL || !root_name_ok(id)) {
		reject(l, "api root '%s': a status without a valid 'id'%s", root, "");
		return true;
	}
	if (!json_is_integer(json_object_get(s, "total_count"))) {
		json_int_t n = json_integer_value(json_object_get(s, "success_count")) +
		               json_integer_value(json_object_get(s, "failure_count")) +
		               json_integer_value(json_object_get(s, "pending_count"));

		json_object_set_new(s, "total_count", json_integer(n));
		json_object_del(s, "total_objects");
	}
	text = dump(s);
	ok = text && run(l, "INSERT OR REPLACE INTO taxii_statuses VALUES(?1, ?2, ?3)", root, id,
	                 text, 0, 0, 0, NULL, NULL);
	free(text);
	if (ok)
		l->rep->statuses++;
	return ok;
}

static bool load_root(struct load *l, const char *name, json_t *r, int64_t *date)
{
	json_t *info = json_object_get(r, "information"), *v, *c, *s;
	const char *title = json_string_value(json_object_get(info, "title"));
	char *versions;
	json_int_t mcl = json_integer_value(json_object_get(info, "max_content_length"));
	size_t i;
	bool ok;

	if (!root_name_ok(name) || strcmp(name, TAXII_OWN_ROOT) == 0 || !json_is_object(r)) {
		reject(l, "api root '%s': %s", name,
		       strcmp(name, TAXII_OWN_ROOT) == 0 ? "the name is this node's own"
		                                         : "not a valid name or not an object");
		return true;
	}
	v = json_object_get(info, "versions");
	versions = json_is_array(v) ? dump(v) : strdup("[\"" TAXII_MEDIA "\"]");
	ok = versions &&
	     run(l, "DELETE FROM taxii_objects WHERE root = ?1", name, NULL, NULL, 0, 0, 0, NULL,
	         NULL) &&
	     run(l, "DELETE FROM taxii_collections WHERE root = ?1", name, NULL, NULL, 0, 0, 0,
	         NULL, NULL) &&
	     run(l, "DELETE FROM taxii_statuses WHERE root = ?1", name, NULL, NULL, 0, 0, 0, NULL,
	         NULL) &&
	     run(l,
	         "INSERT OR REPLACE INTO taxii_roots VALUES(?1, ?2, ?7, ?3, ?4, coalesce((SELECT"
	         " ord FROM taxii_roots WHERE name = ?1), (SELECT coalesce(max(ord), 0) + 1 FROM"
	         " taxii_roots)))",
	         name, title ? title : name, versions, mcl > 0 ? mcl : TAXII_MAX_FILE, 0, 0,
	         json_string_value(json_object_get(info, "description")), NULL);
	free(versions);
	if (!ok)
		return false;
	l->rep->roots++;
	json_array_foreach(json_object_get(r, "collections"), i, c)
	{
		if (!load_collection(l, name, c, (int)i, date))
			return false;
	}
	json_array_foreach(json_object_get(r, "status"), i, s)
	{
		if (!load_status(l, name, s))
			return false;
	}
	return true;
}

/* The node's identity, for its own API root: origin and party. */
static enum dt_err open_node(const char *db, struct taxii_store *st, struct dt_diag *diag)
{
	struct ledger *lg = NULL;
	enum dt_err err;

	if ((err = ledger_open(db, &lg, diag)))
		return err;
	err = taxii_store_open(db, ledger_origin(lg), ledger_party(lg), 10u << 20, st, diag);
	ledger_close(lg);
	return err;
}

enum dt_err taxii_load_file(const char *db, const char *path,
                            void (*warn)(void *, const struct dt_diag *), void *wctx,
                            struct taxii_load_report *rep, struct dt_diag *diag)
{
	struct load l = {.path = path, .warn = warn, .wctx = wctx, .rep = rep};
	json_error_t jerr;
	json_t *doc, *v;
	struct stat sb;
	const char *k;
	enum dt_err err;
	int64_t date;

	memset(rep, 0, sizeof(*rep));
	if (stat(path, &sb) != 0) {
		dt_diag_set(diag, path, 0, "cannot read");
		return DT_EIO;
	}
	if ((uint64_t)sb.st_size > TAXII_MAX_FILE) {
		dt_diag_set(diag, path, 0, "larger than %u bytes", TAXII_MAX_FILE);
		return DT_ELIMIT;
	}
	if ((doc = json_load_file(path, 0, &jerr)) == NULL) {
		dt_diag_set(diag, path, (unsigned long)jerr.line, "not JSON: %s", jerr.text);
		return DT_EPARSE;
	}
	if (!json_is_object(doc)) {
		dt_diag_set(diag, path, 0, "not a TAXII data file (a JSON object of API roots)");
		json_decref(doc);
		return DT_EPARSE;
	}
	if ((err = open_node(db, &l.st, diag))) {
		json_decref(doc);
		return err;
	}
	if (sqlite3_exec(l.st.db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto dberr;
	date = taxii_next_date(&l.st);
	json_object_foreach(doc, k, v)
	{
		if (strcmp(k, "/discovery") == 0) {
			char *text;
			bool ok;

			if (!json_is_object(v)) {
				reject(&l, "'%s' is not an object%s", k, "");
				continue;
			}
			text = dump(v);
			ok = text &&
			     run(&l, "INSERT OR REPLACE INTO taxii_meta VALUES('discovery', ?1)",
			         text, NULL, NULL, 0, 0, 0, NULL, NULL);
			free(text);
			if (!ok)
				goto dberr;
			continue;
		}
		if (!load_root(&l, k, v, &date))
			goto dberr;
	}
	if (sqlite3_exec(l.st.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto dberr;
	taxii_store_close(&l.st);
	json_decref(doc);
	return DT_OK;
dberr:
	dt_diag_set(diag, db, 0, "cannot load: %s", sqlite3_errmsg(l.st.db));
	sqlite3_exec(l.st.db, "ROLLBACK", NULL, NULL, NULL);
	taxii_store_close(&l.st);
	json_decref(doc);
	return DT_EIO;
}

enum dt_err taxii_list(const char *db, taxii_list_fn *fn, void *ctx, struct dt_diag *diag)
{
	struct taxii_store st;
	sqlite3_stmt *r = NULL, *c = NULL;
	enum dt_err err;

	if ((err = open_node(db, &st, diag)))
		return err;
	if (sqlite3_prepare_v2(st.db, "SELECT name, title FROM taxii_roots ORDER BY ord, name", -1,
	                       &r, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st.db,
	                       "SELECT c.id, c.alias, c.title, c.can_read, c.can_write,"
	                       " (SELECT count(*) FROM taxii_objects o WHERE o.root = c.root AND"
	                       " o.coll = c.id AND o.view = (SELECT coalesce(max(view), 0) FROM"
	                       " taxii_objects p WHERE p.root = c.root AND p.coll = c.id))"
	                       " FROM taxii_collections c WHERE c.root = ?1 ORDER BY c.ord,"
	                       " c.rowid",
	                       -1, &c, NULL) != SQLITE_OK) {
		dt_diag_set(diag, db, 0, "taxii tables: %s", sqlite3_errmsg(st.db));
		err = DT_EIO;
		goto out;
	}
	while (sqlite3_step(r) == SQLITE_ROW) {
		const char *root = (const char *)sqlite3_column_text(r, 0);

		fn(ctx, root, (const char *)sqlite3_column_text(r, 1), NULL, NULL, false, false, 0);
		sqlite3_reset(c);
		sqlite3_bind_text(c, 1, root, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(c) == SQLITE_ROW)
			fn(ctx, root, (const char *)sqlite3_column_text(c, 2),
			   (const char *)sqlite3_column_text(c, 0),
			   (const char *)sqlite3_column_text(c, 1), sqlite3_column_int(c, 3),
			   sqlite3_column_int(c, 4), (uint64_t)sqlite3_column_int64(c, 5));
	}
out:
	sqlite3_finalize(r);
	sqlite3_finalize(c);
	taxii_store_close(&st);
	return err;
}
