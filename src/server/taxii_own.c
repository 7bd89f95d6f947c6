/*
 * taxii_own.c — the node's own TAXII API root "detente": its two
 * collections, created when absent, and the views of "indicators".
 *
 * "indicators" (id: the UUIDv5 of "detente-taxii:<origin>:indicators" in
 * the RFC 9562 URL namespace, so the same node always has the same id)
 * holds four views, one per TLP rank 0..3, each the node's STIX export
 * (intel_export) at that rank: a reader sees the view of its credential's
 * rank, so nothing above it leaves.  A refresh exports the four ranks and
 * compares them with the stored rows first, read-only: only a difference
 * opens a write transaction (a write would start a new server snapshot,
 * hence another refresh).  Rows keep their date_added while their content
 * is unchanged; new or changed content gets a new one, so that
 * added_after polling sees it; objects gone from the export go.
 * "inbox" (UUIDv5 of "...:inbox") is write-only: peers' submissions.
 */
#include <stdio.h>
#include <string.h>

#include "core/uuid.h"
#include "server/taxii_int.h"

#define UUID_NS_URL "6ba7b811-9dad-11d1-80b4-00c04fd430c8"

static bool one_row(struct taxii_store *st, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *s = taxii_prep(st, sql);
	bool r;

	if (s == NULL)
		return false;
	sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
	r = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return r;
}

/* The node's own API root and its two collections, written only when absent
 * or different (a write would start a new server snapshot). */
enum dt_err taxii_own_root(struct taxii_store *st, const char *origin, const char *party,
                           uint64_t max_body, struct dt_diag *diag)
{
	char name[600], title[200];
	sqlite3_stmt *s;
	bool have;

	snprintf(name, sizeof(name), "detente-taxii:%s:indicators", origin);
	uuid_v5(UUID_NS_URL, name, strlen(name), st->own_indicators);
	snprintf(name, sizeof(name), "detente-taxii:%s:inbox", origin);
	uuid_v5(UUID_NS_URL, name, strlen(name), st->own_inbox);
	snprintf(title, sizeof(title), "detente node %s", party);

	s = taxii_prep(st, "SELECT 1 FROM taxii_roots WHERE name = 'detente' AND title = ?1 AND"
	                   " max_content_length = ?2");
	if (s == NULL)
		return taxii_dberr(st, diag);
	sqlite3_bind_text(s, 1, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (int64_t)max_body);
	have = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	have = have &&
	       one_row(st, "SELECT 1 FROM taxii_collections WHERE root = 'detente' AND id = ?1",
	               st->own_indicators, NULL) &&
	       one_row(st, "SELECT 1 FROM taxii_collections WHERE root = 'detente' AND id = ?1",
	               st->own_inbox, NULL);
	if (have)
		return DT_OK;
	if (!taxii_exec(st, "BEGIN IMMEDIATE"))
		return taxii_dberr(st, diag);
	s = taxii_prep(st,
	               "INSERT OR REPLACE INTO taxii_roots VALUES('detente', ?1, ?2, ?3, ?4, -1)");
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2,
	                  "This node's own intelligence: its indicators at the reader's TLP, "
	                  "and an inbox for peers' STIX objects",
	                  -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, "[\"" TAXII_MEDIA "\"]", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (int64_t)max_body);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		goto fail;
	}
	sqlite3_finalize(s);
	s = taxii_prep(st,
	               "INSERT OR IGNORE INTO taxii_collections VALUES('detente', ?1, ?2, ?3, ?4,"
	               " ?5, ?6, '[\"" TAXII_STIX_MEDIA "\"]', ?7)");
	if (s == NULL)
		goto fail;
	for (int i = 0; i < 2; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, i ? st->own_inbox : st->own_indicators, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, i ? "Inbox" : "Indicators", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3,
		                  i ? "STIX objects from peers, imported into this node's "
		                      "intelligence"
		                    : "This node's indicators, sightings and the objects they "
		                      "indicate (its STIX export), at the reader's TLP",
		                  -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, i ? "inbox" : "indicators", -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 5, !i);
		sqlite3_bind_int(s, 6, i);
		sqlite3_bind_int(s, 7, i);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			goto fail;
		}
	}
	sqlite3_finalize(s);
	if (!taxii_exec(st, "COMMIT"))
		goto fail;
	return DT_OK;
fail:
	taxii_dberr(st, diag);
	taxii_exec(st, "ROLLBACK");
	return DT_EIO;
}

/* ---- the own "indicators" collection ------------------------------------------- */

/*
 * One pass over the views: counts the rows that would change (write
 * false), or changes them (write true, inside a write transaction).
 */
static enum dt_err sync_views(struct taxii_store *st, struct taxii_envelope *views, bool write,
                              uint64_t *changes)
{
	const char *coll = st->own_indicators;
	sqlite3_stmt *find =
	    taxii_prep(st, "SELECT seq, json FROM taxii_objects WHERE root = 'detente'"
	                   " AND coll = ?1 AND view = ?2 AND id = ?3 AND spec = ?4"
	                   " AND (?5 IS NULL OR version_us = ?5) LIMIT 1");
	sqlite3_stmt *ins = taxii_prep(st, INSERT_OBJECT);
	sqlite3_stmt *upd = taxii_prep(st, "UPDATE taxii_objects SET json = ?2, date_added = ?3"
	                                   " WHERE seq = ?1");
	sqlite3_stmt *cnt =
	    taxii_prep(st, "SELECT count(*) FROM taxii_objects WHERE root = 'detente'"
	                   " AND coll = ?1 AND view = ?2");
	sqlite3_stmt *del = taxii_prep(st, "DELETE FROM taxii_objects WHERE root = 'detente' AND"
	                                   " coll = ?1 AND view = ?2 AND seq NOT IN"
	                                   " (SELECT value FROM json_each(?3))");
	int64_t date = write ? taxii_next_date(st) : 0;
	struct strbuf kept;
	enum dt_err err = DT_EIO;

	strbuf_init(&kept, SIZE_MAX / 2);
	*changes = 0;
	if (!find || !ins || !upd || !cnt || !del)
		goto out;
	for (int v = 0; v < 4; v++) {
		uint64_t matched = 0, have = 0;

		strbuf_reset(&kept);
		strbuf_addc(&kept, '[');
		for (size_t i = 0; i < views[v].n; i++) {
			struct taxii_item *it = &views[v].items[i];
			int64_t seq = -1;
			bool same = false;

			if (it->json == NULL)
				continue;
			sqlite3_reset(find);
			sqlite3_bind_text(find, 1, coll, -1, SQLITE_STATIC);
			sqlite3_bind_int(find, 2, v);
			sqlite3_bind_text(find, 3, it->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(find, 4, it->spec, -1, SQLITE_STATIC);
			if (it->version[0])
				sqlite3_bind_int64(find, 5, it->version_us);
			else
				sqlite3_bind_null(find, 5);
			if (sqlite3_step(find) == SQLITE_ROW) {
				seq = sqlite3_column_int64(find, 0);
				same = strcmp((const char *)sqlite3_column_text(find, 1),
				              it->json) == 0;
				matched++;
			}
			if (seq >= 0 && same) {
				strbuf_addf(&kept, "%s%lld", kept.len > 1 ? "," : "",
				            (long long)seq);
				continue;
			}
			(*changes)++;
			if (!write)
				continue;
			if (seq >= 0) {
				sqlite3_reset(upd);
				sqlite3_bind_int64(upd, 1, seq);
				sqlite3_bind_text(upd, 2, it->json, -1, SQLITE_STATIC);
				sqlite3_bind_int64(upd, 3, date++);
				if (sqlite3_step(upd) != SQLITE_DONE)
					goto out;
			} else {
				int r = taxii_insert_stmt(st, ins, "detente", coll, v, it, &date);

				if (r < 0)
					goto out;
				if (r == 0)
					continue;
				seq = sqlite3_last_insert_rowid(st->db);
			}
			strbuf_addf(&kept, "%s%lld", kept.len > 1 ? "," : "", (long long)seq);
		}
		strbuf_addc(&kept, ']');
		sqlite3_reset(cnt);
		sqlite3_bind_text(cnt, 1, coll, -1, SQLITE_STATIC);
		sqlite3_bind_int(cnt, 2, v);
		if (sqlite3_step(cnt) == SQLITE_ROW)
			have = (uint64_t)sqlite3_column_int64(cnt, 0);
		if (have > matched)
			(*changes)++;
		if (write && have > matched) {
			sqlite3_reset(del);
			sqlite3_bind_text(del, 1, coll, -1, SQLITE_STATIC);
			sqlite3_bind_int(del, 2, v);
			sqlite3_bind_text(del, 3, kept.p, -1, SQLITE_STATIC);
			if (sqlite3_step(del) != SQLITE_DONE)
				goto out;
		}
	}
	err = DT_OK;
out:
	strbuf_release(&kept);
	sqlite3_finalize(find);
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	sqlite3_finalize(cnt);
	sqlite3_finalize(del);
	return err;
}

enum dt_err taxii_refresh_indicators(struct taxii_store *st, taxii_export_fn *fn, void *ctx,
                                     struct dt_diag *diag)
{
	struct taxii_envelope views[4];
	struct strbuf b;
	uint64_t changes = 0;
	enum dt_err err = DT_OK;
	char why[200];

	memset(views, 0, sizeof(views));
	strbuf_init(&b, TAXII_MAX_EXPORT);
	for (int v = 0; v < 4 && !err; v++) {
		strbuf_reset(&b);
		if ((err = fn(ctx, v, &b, diag)))
			break;
		if ((err = taxii_envelope_parse(b.p, b.len, &views[v], why, sizeof(why))))
			dt_diag_set(diag, NULL, 0, "the node's STIX export: %s", why);
	}
	strbuf_release(&b);
	if (err)
		goto out;
	if ((err = sync_views(st, views, false, &changes)) || changes == 0) {
		if (err)
			taxii_dberr(st, diag);
		goto out;
	}
	if (!taxii_exec(st, "BEGIN IMMEDIATE")) {
		err = taxii_dberr(st, diag);
		goto out;
	}
	if ((err = sync_views(st, views, true, &changes)) || !taxii_exec(st, "COMMIT")) {
		err = taxii_dberr(st, diag);
		taxii_exec(st, "ROLLBACK");
	}
out:
	for (int v = 0; v < 4; v++)
		taxii_envelope_release(&views[v]);
	return err;
}
