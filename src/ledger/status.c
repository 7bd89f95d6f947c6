/*
 * status.c — the ledger's peers and cosignatures as a status page shows
 * them (see status.h).
 *
 * The peers come from `peers` left-joined with the largest checkpoint
 * accepted from each (`peer_checkpoints`, whose `accepted` column is when
 * sync or `log cosign` accepted it: the last sync).  A checkpoint in that
 * table was cosigned by this node when it was accepted (peer.c), so
 * "accepted" and "cosigned" are the same fact.  The cosignatures on this
 * node's own checkpoints come from `cosignatures` (sync.c records them);
 * the cosigner's time is read from the signature itself, which is
 * base64(keyid[4] || timestamp[8] || sig[64]) for a cosignature/v1.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "ledger/status.h"

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	size_t n = s ? (size_t)sqlite3_column_bytes(st, col) : 0;

	if (n >= size)
		n = 0; /* does not fit: shown as absent rather than cut */
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

static enum dt_err prepare(struct ledger *l, const char *sql, sqlite3_stmt **st,
                           struct dt_diag *diag)
{
	if (sqlite3_prepare_v2(l->db, sql, -1, st, NULL) != SQLITE_OK) {
		dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
		return DT_EIO;
	}
	return DT_OK;
}

enum dt_err ledger_peer_status(struct ledger *l, ledger_peer_status_fn *fn, void *ctx,
                               struct dt_diag *diag)
{
	struct ledger_peer_status p;
	sqlite3_stmt *st;
	enum dt_err err;
	int rc;

	if ((err = prepare(l,
	                   "SELECT p.name, p.url, p.added, p.cvkey IS NOT NULL,"
	                   " c.size, c.root, c.accepted FROM peers p"
	                   " LEFT JOIN peer_checkpoints c ON c.peer = p.name AND c.size ="
	                   " (SELECT max(size) FROM peer_checkpoints WHERE peer = p.name)"
	                   " ORDER BY p.name",
	                   &st, diag)))
		return err;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&p, 0, sizeof(p));
		copy_text(p.name, sizeof(p.name), st, 0);
		copy_text(p.url, sizeof(p.url), st, 1);
		copy_text(p.added, sizeof(p.added), st, 2);
		p.cosigner_known = sqlite3_column_int(st, 3) != 0;
		if (sqlite3_column_type(st, 4) != SQLITE_NULL &&
		    sqlite3_column_bytes(st, 5) == (int)sizeof(p.root)) {
			p.accepted = true;
			p.size = (uint64_t)sqlite3_column_int64(st, 4);
			memcpy(p.root, sqlite3_column_blob(st, 5), sizeof(p.root));
			copy_text(p.accepted_at, sizeof(p.accepted_at), st, 6);
		}
		err = fn(ctx, &p);
	}
	if (!err && rc != SQLITE_DONE) {
		dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
		err = DT_EIO;
	}
	sqlite3_finalize(st);
	return err;
}

bool ledger_cosig_line_time(const char *line, size_t len, uint64_t *time)
{
	static const char dash[] = "\xe2\x80\x94 "; /* "— " */
	uint8_t sig[4 + 8 + 64 + 1];
	const char *sp;
	size_t got = 0;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len < sizeof(dash) - 1 || memcmp(line, dash, sizeof(dash) - 1) != 0)
		return false;
	line += sizeof(dash) - 1;
	len -= sizeof(dash) - 1;
	if ((sp = memchr(line, ' ', len)) == NULL || sp == line)
		return false;
	len -= (size_t)(sp + 1 - line);
	line = sp + 1;
	if (sodium_base642bin(sig, sizeof(sig), line, len, NULL, &got, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != 4 + 8 + 64)
		return false;
	*time = 0;
	for (int i = 0; i < 8; i++)
		*time = (*time << 8) | sig[4 + i];
	return true;
}

enum dt_err ledger_cosignatures_at(struct ledger *l, uint64_t size, ledger_cosig_status_fn *fn,
                                   void *ctx, struct dt_diag *diag)
{
	struct ledger_cosig_status c;
	sqlite3_stmt *st;
	enum dt_err err;
	int rc;

	if ((err = prepare(l,
	                   "SELECT peer, line, added FROM cosignatures WHERE size = ?1"
	                   " ORDER BY peer",
	                   &st, diag)))
		return err;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 1);

		memset(&c, 0, sizeof(c));
		copy_text(c.peer, sizeof(c.peer), st, 0);
		copy_text(c.added, sizeof(c.added), st, 2);
		c.has_time = line && ledger_cosig_line_time(
		                         line, (size_t)sqlite3_column_bytes(st, 1), &c.time);
		err = fn(ctx, &c);
	}
	if (!err && rc != SQLITE_DONE) {
		dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
		err = DT_EIO;
	}
	sqlite3_finalize(st);
	return err;
}
