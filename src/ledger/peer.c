/*
 * peer.c — peers and cosigning their checkpoints.
 *
 * A cosignature is a promise: "the largest consistent tree I have seen for
 * this log has this root".  So a checkpoint is cosigned only after it is
 * shown consistent with the last one accepted from the same peer, and every
 * accepted checkpoint is kept (peer_checkpoints) and recorded as an entry of
 * this node's own ledger, so that a log that forks or rewrites history is
 * caught by the first node that saw the old state, with evidence.
 */
#include "ledger/ledger_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum dt_err ledger_peer_add(struct ledger *l, const char *name, const char *vkey, const char *url,
                            struct dt_diag *diag)
{
	struct note_verifier v;
	sqlite3_stmt *st;
	char now[40];
	int rc;

	if (!note_name_valid(name)) {
		dt_diag_set(diag, NULL, 0,
		            "peer name '%s' must be non-empty, without spaces or '+'", name);
		return DT_EINVAL;
	}
	if (note_vkey_parse(vkey, strlen(vkey), &v, diag))
		return DT_EPARSE;
	if (v.type != NOTE_TYPE_ED25519) {
		dt_diag_set(diag, NULL, 0,
		            "peer key must be a log signing key (type 0x01), "
		            "as 'detente key show' prints it");
		return DT_EINVAL;
	}
	if (strcmp(v.name, l->origin) == 0) {
		dt_diag_set(diag, NULL, 0, "'%s' is this node's own log", v.name);
		return DT_EINVAL;
	}
	ledger_now(now, sizeof(now));
	if (sqlite3_prepare_v2(l->db,
	                       "INSERT INTO peers(name, vkey, url, added) VALUES(?1, ?2, ?3, ?4)",
	                       -1, &st, NULL) != SQLITE_OK)
		return DT_EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, vkey, -1, SQLITE_STATIC);
	if (url)
		sqlite3_bind_text(st, 3, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT) {
		dt_diag_set(diag, NULL, 0, "peer '%s' already exists", name);
		return DT_EEXIST;
	}
	if (rc != SQLITE_DONE) {
		dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
		return DT_EIO;
	}
	return DT_OK;
}

enum dt_err ledger_find_peer(struct ledger *l, const char *name, const char *origin, char *pname,
                             size_t psize, struct note_verifier *v, struct dt_diag *diag)
{
	sqlite3_stmt *st;
	enum dt_err err = DT_ENOTFOUND;

	if (sqlite3_prepare_v2(l->db, "SELECT name, vkey FROM peers ORDER BY name", -1, &st,
	                       NULL) != SQLITE_OK)
		return DT_EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		const char *k = (const char *)sqlite3_column_text(st, 1);
		struct note_verifier cand;

		if (note_vkey_parse(k, strlen(k), &cand, NULL))
			continue;
		if ((name && strcmp(n, name) == 0) || (!name && strcmp(cand.name, origin) == 0)) {
			snprintf(pname, psize, "%s", n);
			*v = cand;
			err = DT_OK;
			break;
		}
	}
	sqlite3_finalize(st);
	if (err)
		dt_diag_set(diag, NULL, 0,
		            name ? "no peer named '%s'; add it with 'detente peer add'"
		                 : "no peer signs as '%s'; add it with 'detente peer add'",
		            name ? name : origin);
	return err;
}

enum dt_err ledger_parse_proof(const char *p, size_t len, uint8_t proof[][MERKLE_HASH_LEN],
                               size_t *n, struct dt_diag *diag)
{
	size_t i = 0;

	*n = 0;
	while (i < len) {
		const char *eol = memchr(p + i, '\n', len - i);
		size_t ll = eol ? (size_t)(eol - (p + i)) : len - i, got;

		if (ll && p[i + ll - 1] == '\r')
			ll--;
		if (ll > 0) {
			if (*n == MERKLE_MAX_PROOF ||
			    sodium_base642bin(proof[*n], MERKLE_HASH_LEN, p + i, ll, NULL, &got,
			                      NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
			    got != MERKLE_HASH_LEN) {
				dt_diag_set(
				    diag, NULL, 0,
				    "consistency proof line %zu is not a base64 SHA-256 hash",
				    *n + 1);
				return DT_EPARSE;
			}
			(*n)++;
		}
		i += (eol ? ll + 1 + (p[i + ll] == '\r') : ll);
		if (!eol)
			break;
	}
	return DT_OK;
}

enum dt_err ledger_peer_accept_locked(struct ledger *l, const char *pname,
                                      const struct checkpoint *cp, const char *text,
                                      size_t text_len, const uint8_t proof[][MERKLE_HASH_LEN],
                                      size_t np, bool anchor, bool *same, const char **kind,
                                      struct strbuf *prev, struct dt_diag *diag)
{
	sqlite3_stmt *st = NULL;
	bool have_old = false;
	uint64_t old_size = 0;
	uint8_t old_root[MERKLE_HASH_LEN];
	char now[40];
	enum dt_err err = DT_OK;

	*same = false;
	if (kind)
		*kind = NULL;
	sqlite3_prepare_v2(l->db,
	                   "SELECT size, root, note FROM peer_checkpoints WHERE peer = ?1 "
	                   "ORDER BY size DESC LIMIT 1",
	                   -1, &st, NULL);
	sqlite3_bind_text(st, 1, pname, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == MERKLE_HASH_LEN) {
		have_old = true;
		old_size = (uint64_t)sqlite3_column_int64(st, 0);
		memcpy(old_root, sqlite3_column_blob(st, 1), MERKLE_HASH_LEN);
		if (prev)
			strbuf_adds(prev, (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	st = NULL;
	if (have_old) {
		if (cp->size < old_size) {
			dt_diag_set(diag, NULL, 0,
			            "refused: peer '%s' checkpoint size %llu is smaller than "
			            "size %llu accepted before (history rewritten or rolled back)",
			            pname, (unsigned long long)cp->size,
			            (unsigned long long)old_size);
			if (kind)
				*kind = "rollback";
			err = DT_EFORMAT;
		} else if (cp->size == old_size) {
			if (sodium_memcmp(cp->root, old_root, MERKLE_HASH_LEN) != 0) {
				dt_diag_set(diag, NULL, 0,
				            "refused: peer '%s' checkpoint at size %llu has a "
				            "different root from the one accepted before (a fork)",
				            pname, (unsigned long long)cp->size);
				if (kind)
					*kind = "fork";
				err = DT_EFORMAT;
			}
			*same = true;
		} else if (old_size == 0) {
			/* every tree extends the empty one: nothing to prove, but the
			 * accepted empty tree must have had the empty root */
			uint8_t empty[MERKLE_HASH_LEN];

			merkle_empty_root(empty);
			if (sodium_memcmp(old_root, empty, MERKLE_HASH_LEN) != 0) {
				dt_diag_set(diag, NULL, 0,
				            "refused: the size-0 checkpoint accepted before from "
				            "peer '%s' has a root that is not the empty tree's",
				            pname);
				if (kind)
					*kind = "inconsistent";
				err = DT_EFORMAT;
			}
		} else if (!merkle_verify_consistency(old_size, cp->size, old_root, cp->root, proof,
		                                      np)) {
			dt_diag_set(diag, NULL, 0,
			            "refused: consistency proof from size %llu (accepted before) "
			            "to %llu does not verify",
			            (unsigned long long)old_size, (unsigned long long)cp->size);
			if (kind)
				*kind = "inconsistent";
			err = DT_EFORMAT;
		}
		if (err)
			return err;
	}
	if (*same)
		return DT_OK;
	ledger_now(now, sizeof(now));
	sqlite3_prepare_v2(
	    l->db,
	    "INSERT INTO peer_checkpoints(peer, size, root, note, accepted, anchored)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	    -1, &st, NULL);
	sqlite3_bind_text(st, 1, pname, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)cp->size);
	sqlite3_bind_blob(st, 3, cp->root, MERKLE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, text, (int)text_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, anchor);
	if (sqlite3_step(st) != SQLITE_DONE) {
		dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
		sqlite3_finalize(st);
		return DT_EIO;
	}
	sqlite3_finalize(st);
	if (anchor) {
		/* the accepted checkpoint becomes evidence in this node's own log,
		 * in the same transaction */
		struct ledger_entry_in e = {.kind = "peer-checkpoint", .tlp = "CLEAR"};
		char about[NOTE_MAX_NAME + 64];
		uint64_t idx;

		crypto_hash_sha256(e.sha256, (const uint8_t *)text, text_len);
		e.size = text_len;
		snprintf(about, sizeof(about), "checkpoint of peer %s at size %llu", pname,
		         (unsigned long long)cp->size);
		e.about = about;
		err = ledger_append_locked(l, &e, 1, true, &idx, NULL, diag);
	}
	return err;
}

enum dt_err ledger_cosign(struct ledger *l, const char *peer, const char *text, size_t text_len,
                          const char *proof_text, size_t proof_len, struct strbuf *out,
                          struct dt_diag *diag)
{
	uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_LEN], digest[32];
	struct note_verifier pv;
	struct checkpoint cp;
	struct note n;
	char pname[NOTE_MAX_NAME];
	size_t np = 0;
	bool same = false;
	enum dt_err err;

	if ((err = note_parse(text, text_len, &n, diag)) ||
	    (err = checkpoint_parse(n.text, n.text_len, &cp, diag)))
		return err;
	if ((err = ledger_find_peer(l, peer, cp.origin, pname, sizeof(pname), &pv, diag)))
		return err;
	if ((err = note_verify(&n, &pv, 1, NULL, diag))) {
		char why[sizeof(diag->msg)];

		snprintf(why, sizeof(why), "%s", diag->msg);
		dt_diag_set(diag, NULL, 0, "checkpoint is not signed by peer '%s': %s", pname, why);
		return DT_EFORMAT;
	}
	if (strcmp(cp.origin, pv.name) != 0) {
		dt_diag_set(diag, NULL, 0, "checkpoint origin '%s' is not peer '%s''s log '%s'",
		            cp.origin, pname, pv.name);
		return DT_EFORMAT;
	}
	if ((err = ledger_parse_proof(proof_text ? proof_text : "", proof_text ? proof_len : 0,
	                              proof, &np, diag)))
		return err;
	/* the payload first: content-addressed, harmless if the rest fails */
	crypto_hash_sha256(digest, (const uint8_t *)text, text_len);
	if ((err = ledger_store_bytes(l, digest, text, text_len, diag)))
		return err;
	if ((err = ledger_exec(l, "BEGIN IMMEDIATE", diag)))
		return err;
	if ((err = ledger_peer_accept_locked(l, pname, &cp, text, text_len,
	                                     (const uint8_t(*)[MERKLE_HASH_LEN])proof, np, true,
	                                     &same, NULL, NULL, diag)) ||
	    (err = ledger_exec(l, "COMMIT", diag))) {
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		ledger_cache_clear(l);
		return err;
	}
	/* the note as received, plus this node's cosignature */
	if ((err = strbuf_add(out, text, text_len)))
		return err;
	return note_cosign_line(n.text, n.text_len, l->origin, l->cpub, l->csk,
	                        (uint64_t)time(NULL), out);
}

enum dt_err ledger_peer_checkpoints(struct ledger *l, ledger_peer_checkpoint_fn *fn, void *ctx,
                                    struct dt_diag *diag)
{
	sqlite3_stmt *st;
	enum dt_err err = DT_OK;

	if (sqlite3_prepare_v2(l->db,
	                       "SELECT c.peer, c.size, c.root, c.note FROM peer_checkpoints c"
	                       " WHERE c.size = (SELECT max(size) FROM peer_checkpoints"
	                       " WHERE peer = c.peer) ORDER BY c.peer",
	                       -1, &st, NULL) != SQLITE_OK) {
		dt_diag_set(diag, NULL, 0, "database: %s", sqlite3_errmsg(l->db));
		return DT_EIO;
	}
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 2) != MERKLE_HASH_LEN)
			continue;
		err = fn(ctx, (const char *)sqlite3_column_text(st, 0),
		         (uint64_t)sqlite3_column_int64(st, 1), sqlite3_column_blob(st, 2),
		         (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_finalize(st);
	return err;
}

enum dt_err ledger_peer_known(struct ledger *l, const char *name, struct dt_diag *diag)
{
	struct note_verifier v;
	char pname[NOTE_MAX_NAME];

	return ledger_find_peer(l, name, NULL, pname, sizeof(pname), &v, diag);
}
