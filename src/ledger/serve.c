/*
 * serve.c — the log's C2SP tlog-tiles resources built from the database,
 * for `log export` (written as files) and `serve` (answered over HTTP):
 * the checkpoint with the cosignatures peers made on it, hash tiles, entry
 * bundles, and the TLP a payload may be shared at.
 */
#include <sqlite3.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "ledger/tiles.h"

enum dt_err ledger_checkpoint_cosigned(struct ledger *l, struct strbuf *out, uint64_t *size,
                                       struct dt_diag *diag)
{
	struct note n;
	struct checkpoint body;
	sqlite3_stmt *st = NULL;
	size_t start = out->len;
	enum dt_err err;

	if ((err = ledger_checkpoint(l, 0, out, diag)))
		return err;
	if ((err = note_parse(out->p + start, out->len - start, &n, diag)) ||
	    (err = checkpoint_parse(n.text, n.text_len, &body, diag)))
		return err;
	if (size)
		*size = body.size;
	if (sqlite3_prepare_v2(l->db, "SELECT line FROM cosignatures WHERE size = ?1 ORDER BY peer",
	                       -1, &st, NULL) != SQLITE_OK)
		return DT_OK; /* a node that never recorded a cosignature */
	sqlite3_bind_int64(st, 1, (sqlite3_int64)body.size);
	while (!err && sqlite3_step(st) == SQLITE_ROW)
		if (!(err = strbuf_adds(out, (const char *)sqlite3_column_text(st, 0))))
			err = strbuf_addc(out, '\n');
	sqlite3_finalize(st);
	if (err)
		dt_diag_set(diag, NULL, 0, "checkpoint with cosignatures: too large");
	return err;
}

enum dt_err ledger_tile(struct ledger *l, int level, uint64_t n, unsigned width, uint64_t size,
                        struct strbuf *out, struct dt_diag *diag)
{
	unsigned have = tile_width(level, n, size);
	enum dt_err err = DT_OK;

	/* a partial tile narrower than what the tree now holds is still the
	 * same hashes: tiles only grow */
	if (width == 0 || width > TILE_WIDTH || have == 0 || width > have) {
		dt_diag_set(diag, NULL, 0, "no such tile in a tree of %llu entries",
		            (unsigned long long)size);
		return DT_ENOTFOUND;
	}
	if (level >= 0) {
		if ((err = tile_build(ledger_read_hash, l, level, n, width, out)))
			dt_diag_set(diag, l->path, 0, "tree hashes missing for a tile at level %d",
			            level);
		return err;
	}
	for (unsigned i = 0; i < width && !err; i++) {
		sqlite3_stmt *st = l->get_entry;

		sqlite3_bind_int64(st, 1, (sqlite3_int64)(n * TILE_WIDTH + i));
		if (sqlite3_step(st) != SQLITE_ROW) {
			dt_diag_set(diag, l->path, 0, "entry %llu missing",
			            (unsigned long long)(n * TILE_WIDTH + i));
			err = DT_EIO;
		} else if ((err = tile_bundle_add(out, sqlite3_column_blob(st, 0),
		                                  (size_t)sqlite3_column_bytes(st, 0)))) {
			dt_diag_set(diag, NULL, 0, "entry %llu: longer than %d bytes or too large",
			            (unsigned long long)(n * TILE_WIDTH + i), TILE_MAX_ENTRY);
		}
		sqlite3_reset(st);
	}
	return err;
}

enum dt_err ledger_payload_tlp(struct ledger *l, const uint8_t sha256[32], uint64_t size, int *rank,
                               struct dt_diag *diag)
{
	sqlite3_stmt *st = NULL;
	enum dt_err err = DT_ENOTFOUND;

	if (sqlite3_prepare_v2(
	        l->db,
	        "SELECT MAX(CASE WHEN kind = 'submission' THEN 5 ELSE CASE tlp WHEN 'CLEAR' THEN 0"
	        " WHEN 'GREEN' THEN 1 WHEN 'AMBER' THEN 2 WHEN 'AMBER+STRICT' THEN 3 ELSE 4 END"
	        " END),"
	        " count(*) FROM entries WHERE pkey = ?3 AND payload = ?1 AND idx < ?2",
	        -1, &st, NULL) != SQLITE_OK) {
		dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
		return DT_EIO;
	}
	sqlite3_bind_blob(st, 1, sha256, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
	sqlite3_bind_int64(st, 3, ledger_payload_key(sha256));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 1) > 0) {
		*rank = sqlite3_column_int(st, 0);
		err = DT_OK;
	} else {
		dt_diag_set(diag, NULL, 0, "no entry of the log commits to this payload");
	}
	sqlite3_finalize(st);
	return err;
}
