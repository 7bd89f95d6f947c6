/*
 * witness.c — this node as a C2SP tlog-witness for its peers' logs
 * (c2sp.org/tlog-witness, add-checkpoint): the request body is parsed and
 * checked in the order and with the status codes the spec gives, the old
 * size is compared with the latest checkpoint accepted from that log and
 * the new one recorded in the same transaction (so two racing requests
 * cannot roll the record back), and the answer is this node's cosignature
 * line (c2sp.org/tlog-cosignature).
 *
 * Request body: "old <size>\n", zero to 63 base64 consistency proof lines,
 * an empty line, then the signed checkpoint note.
 *   400  malformed body, or old size above the checkpoint's size
 *   404  the checkpoint's origin is not a known peer's log
 *   403  no valid signature by the peer's key (or a bad one by it)
 *   409  old size is not the latest accepted size; body "<size>\n",
 *        Content-Type text/x.tlog.size
 *   422  a size-0 checkpoint without the empty root, a non-empty proof
 *        from size 0, a proof that does not verify, or another root at
 *        the same size (kept as evidence in peer_evidence)
 *   200  the cosignature line(s)
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ledger/ledger_int.h"

#define WITNESS_MAX_PROOF 63

static enum dt_err fail(int *status, int code, enum dt_err err, struct dt_diag *diag,
                        const char *msg)
{
	*status = code;
	dt_diag_set(diag, NULL, 0, "%s", msg);
	return err;
}

/* "old N\n" strictly: N decimal, no leading zeroes but "0". */
static bool parse_old(const char *p, size_t len, uint64_t *old, size_t *used)
{
	size_t i = 4;
	uint64_t v = 0;

	if (len < 6 || memcmp(p, "old ", 4) != 0)
		return false;
	if (p[i] == '0' && i + 1 < len && p[i + 1] != '\n')
		return false;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (i == 4 || i >= len || p[i] != '\n')
		return false;
	*old = v;
	*used = i + 1;
	return true;
}

enum dt_err ledger_witness_add(struct ledger *l, const char *body, size_t len, struct strbuf *out,
                               int *status, struct dt_diag *diag)
{
	uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_LEN], empty[MERKLE_HASH_LEN];
	struct note_verifier pv;
	struct checkpoint cp;
	struct note n;
	char pname[NOTE_MAX_NAME];
	const char *note;
	size_t off, plen, np = 0, note_len;
	uint64_t old, latest = 0;
	bool same;
	const char *kind = NULL;
	struct strbuf prev;
	sqlite3_stmt *st = NULL;
	enum dt_err err;

	*status = 500;
	if (!parse_old(body, len, &old, &off))
		return fail(status, 400, DT_EPARSE, diag,
		            "the body must start with an 'old <size>' line");
	/* proof lines up to the empty line */
	plen = 0;
	for (size_t i = off;;) {
		const char *eol = i < len ? memchr(body + i, '\n', len - i) : NULL;

		if (eol == NULL)
			return fail(status, 400, DT_EPARSE, diag,
			            "no empty line before the checkpoint");
		if (eol == body + i) {
			note = eol + 1;
			break;
		}
		if (++np > WITNESS_MAX_PROOF)
			return fail(status, 400, DT_EPARSE, diag,
			            "more than 63 consistency proof lines");
		i = (size_t)(eol - body) + 1;
		plen = i - off;
	}
	note_len = len - (size_t)(note - body);
	if (ledger_parse_proof(body + off, plen, proof, &np, diag) != DT_OK)
		return fail(status, 400, DT_EPARSE, diag,
		            "a consistency proof line is not a base64 hash");
	if (note_parse(note, note_len, &n, diag) != DT_OK ||
	    checkpoint_parse(n.text, n.text_len, &cp, diag) != DT_OK) {
		char why[sizeof(diag->msg) + 32];

		snprintf(why, sizeof(why), "not a signed checkpoint: %s", diag->msg);
		return fail(status, 400, DT_EPARSE, diag, why);
	}
	if (ledger_find_peer(l, NULL, cp.origin, pname, sizeof(pname), &pv, diag) != DT_OK)
		return fail(status, 404, DT_ENOTFOUND, diag, "no peer's log has this origin");
	if (note_verify(&n, &pv, 1, NULL, diag) != DT_OK)
		return fail(status, 403, DT_EFORMAT, diag, "no valid signature by the log's key");
	if (old > cp.size)
		return fail(status, 400, DT_EPARSE, diag,
		            "old size is larger than the checkpoint's");
	merkle_empty_root(empty);
	if (cp.size == 0 && sodium_memcmp(cp.root, empty, MERKLE_HASH_LEN) != 0)
		return fail(status, 422, DT_EFORMAT, diag,
		            "a size-0 checkpoint must have the empty tree's root");
	if (old == 0 && np > 0)
		return fail(status, 422, DT_EFORMAT, diag, "a proof from size 0 must be empty");

	/* the checkpoint is the payload of the peer-checkpoint entry recorded
	 * below: stored first (content-addressed, harmless if the rest fails) */
	{
		uint8_t digest[32];

		crypto_hash_sha256(digest, (const uint8_t *)note, note_len);
		if ((err = ledger_store_bytes(l, digest, note, note_len, diag)))
			return err;
	}
	/* check and record atomically */
	if ((err = ledger_exec(l, "BEGIN IMMEDIATE", diag))) {
		*status = 503;
		return err;
	}
	sqlite3_prepare_v2(l->db, "SELECT max(size) FROM peer_checkpoints WHERE peer = ?1", -1, &st,
	                   NULL);
	sqlite3_bind_text(st, 1, pname, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		latest = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (old != latest) {
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		*status = 409;
		strbuf_addf(out, "%llu\n", (unsigned long long)latest);
		dt_diag_set(diag, NULL, 0, "old size %llu is not the latest cosigned size %llu",
		            (unsigned long long)old, (unsigned long long)latest);
		return DT_EEXIST;
	}
	strbuf_init(&prev, NOTE_MAX_BYTES);
	if ((err = ledger_peer_accept_locked(l, pname, &cp, note, note_len,
	                                     (const uint8_t(*)[MERKLE_HASH_LEN])proof, np, false,
	                                     &same, &kind, &prev, diag)) ||
	    (err = ledger_exec(l, "COMMIT", diag))) {
		int64_t id;

		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		ledger_cache_clear(l);
		if (err == DT_EFORMAT) {
			*status = 422;
			if (kind) /* a fork or a bad proof: both signed notes kept */
				ledger_record_evidence(l, pname, kind, prev.p, note, note_len,
				                       diag->msg, &id);
		} else {
			*status = 503;
		}
		strbuf_release(&prev);
		return err;
	}
	strbuf_release(&prev);
	*status = 200;
	return note_cosign_line(n.text, n.text_len, l->origin, l->cpub, l->csk,
	                        (uint64_t)time(NULL), out);
}
