/*
 * verify.c — `log verify`: rebuild everything from the entries alone and
 * compare with what is stored.
 *
 * Entries are read in chunks; each chunk's leaf hashes and signature checks
 * (the expensive part: Ed25519 verification) are split across threads, then
 * the tree is rebuilt sequentially with a frontier stack, each completed
 * subtree compared with its stored hash, and each stored checkpoint's root
 * compared when the rebuild reaches its size.  The first mismatch stops the
 * run and is named: entry index, tree level and index, or checkpoint size.
 */
#include "ledger/ledger_int.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 4096

struct job {
	const struct note_verifier *v;
	size_t nv;
	char **leaf;
	size_t *len;
	uint8_t (*hash)[MERKLE_HASH_LEN];
	size_t lo, hi;
	uint64_t base;
	/* result: first bad entry in [lo, hi) */
	size_t bad;
	struct dt_diag diag;
};

static void *verify_part(void *arg)
{
	struct job *j = arg;

	j->bad = SIZE_MAX;
	for (size_t i = j->lo; i < j->hi; i++) {
		struct note n;
		struct dt_diag d;
		static const char magic[] = "detente.entry/v1\n";

		merkle_leaf_hash(j->leaf[i], j->len[i], j->hash[i]);
		dt_diag_clear(&d);
		if (j->len[i] < sizeof(magic) - 1 ||
		    memcmp(j->leaf[i], magic, sizeof(magic) - 1) != 0) {
			dt_diag_set(&j->diag, NULL, 0, "entry %llu: not a detente.entry/v1 note",
			            (unsigned long long)(j->base + i));
			j->bad = i;
			return NULL;
		}
		if (note_parse(j->leaf[i], j->len[i], &n, &d) ||
		    note_verify(&n, j->v, j->nv, NULL, &d)) {
			dt_diag_set(&j->diag, NULL, 0, "entry %llu: %s",
			            (unsigned long long)(j->base + i), d.msg);
			j->bad = i;
			return NULL;
		}
	}
	return NULL;
}

struct frontier {
	uint8_t hash[64][MERKLE_HASH_LEN];
	unsigned level[64];
	int top;
};

static void frontier_root(const struct frontier *f, uint64_t size, uint8_t out[MERKLE_HASH_LEN])
{
	if (size == 0) {
		merkle_empty_root(out);
		return;
	}
	memcpy(out, f->hash[f->top - 1], MERKLE_HASH_LEN);
	for (int i = f->top - 2; i >= 0; i--)
		merkle_node_hash(f->hash[i], out, out);
}

struct cp {
	uint64_t size;
	char *note;
};

static enum dt_err load_checkpoints(struct ledger *l, struct cp **out, size_t *n)
{
	sqlite3_stmt *st;
	struct cp *c = NULL;
	size_t k = 0;

	if (sqlite3_prepare_v2(l->db, "SELECT size, note FROM checkpoints ORDER BY size", -1, &st,
	                       NULL) != SQLITE_OK)
		return DT_EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct cp *p = realloc(c, (k + 1) * sizeof(*c));

		if (p == NULL)
			break;
		c = p;
		c[k].size = (uint64_t)sqlite3_column_int64(st, 0);
		c[k].note = strdup((const char *)sqlite3_column_text(st, 1));
		k++;
	}
	sqlite3_finalize(st);
	*out = c;
	*n = k;
	return DT_OK;
}

static enum dt_err check_checkpoint(struct ledger *l, const struct cp *c,
                                    const uint8_t root[MERKLE_HASH_LEN], struct dt_diag *diag)
{
	struct note_verifier self;
	struct checkpoint body;
	struct note n;
	struct dt_diag d;

	note_verifier_init(&self, l->origin, NOTE_TYPE_ED25519, l->pub);
	if (note_parse(c->note, strlen(c->note), &n, &d) || note_verify(&n, &self, 1, NULL, &d) ||
	    checkpoint_parse(n.text, n.text_len, &body, &d)) {
		dt_diag_set(diag, NULL, 0, "checkpoint at size %llu: %s",
		            (unsigned long long)c->size, d.msg);
		return DT_EFORMAT;
	}
	if (body.size != c->size || strcmp(body.origin, l->origin) != 0) {
		dt_diag_set(diag, NULL, 0, "checkpoint at size %llu: signed body says %s size %llu",
		            (unsigned long long)c->size, body.origin,
		            (unsigned long long)body.size);
		return DT_EFORMAT;
	}
	if (sodium_memcmp(body.root, root, MERKLE_HASH_LEN) != 0) {
		dt_diag_set(diag, NULL, 0,
		            "checkpoint at size %llu: root hash differs from the one "
		            "recomputed from the entries",
		            (unsigned long long)c->size);
		return DT_EFORMAT;
	}
	return DT_OK;
}

/*
 * The peer checkpoints this node accepted (which decide what it will cosign
 * next) against its own signed peer-checkpoint entries: a row deleted or
 * altered to roll a peer back is caught here.
 */
static enum dt_err check_peer_checkpoints(struct ledger *l, struct dt_diag *diag)
{
	sqlite3_stmt *e = NULL, *r = NULL;
	enum dt_err err = DT_OK;

	sqlite3_prepare_v2(l->db,
	                   "SELECT idx, payload FROM entries WHERE kind = 'peer-checkpoint'"
	                   " ORDER BY idx",
	                   -1, &e, NULL);
	sqlite3_prepare_v2(l->db, "SELECT note FROM peer_checkpoints WHERE anchored", -1, &r, NULL);
	/* every anchored row is recorded by an entry */
	while (sqlite3_step(r) == SQLITE_ROW) {
		uint8_t d[32];
		sqlite3_stmt *q;
		bool found;

		crypto_hash_sha256(d, sqlite3_column_text(r, 0),
		                   (size_t)sqlite3_column_bytes(r, 0));
		sqlite3_int64 pkey = 0;

		for (int i = 0; i < 8; i++)
			pkey = (sqlite3_int64)((uint64_t)pkey << 8 | d[i]);
		sqlite3_prepare_v2(l->db,
		                   "SELECT 1 FROM entries WHERE pkey = ?2 AND"
		                   " kind = 'peer-checkpoint' AND payload = ?1",
		                   -1, &q, NULL);
		sqlite3_bind_blob(q, 1, d, 32, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, pkey);
		found = sqlite3_step(q) == SQLITE_ROW;
		sqlite3_finalize(q);
		if (!found) {
			dt_diag_set(diag, NULL, 0,
			            "accepted peer checkpoint (sha256 %02x%02x%02x%02x...) has no "
			            "peer-checkpoint entry in the log",
			            d[0], d[1], d[2], d[3]);
			err = DT_EFORMAT;
			goto out;
		}
	}
	/* every entry's checkpoint is still a row */
	while (sqlite3_step(e) == SQLITE_ROW) {
		bool found = false;

		sqlite3_reset(r);
		while (!found && sqlite3_step(r) == SQLITE_ROW) {
			uint8_t d[32];

			crypto_hash_sha256(d, sqlite3_column_text(r, 0),
			                   (size_t)sqlite3_column_bytes(r, 0));
			found = sqlite3_column_bytes(e, 1) == 32 &&
			        memcmp(d, sqlite3_column_blob(e, 1), 32) == 0;
		}
		if (!found) {
			dt_diag_set(diag, NULL, 0,
			            "entry %lld records a peer checkpoint that is missing from "
			            "the accepted peer checkpoints",
			            (long long)sqlite3_column_int64(e, 0));
			err = DT_EFORMAT;
			goto out;
		}
	}
out:
	sqlite3_finalize(e);
	sqlite3_finalize(r);
	return err;
}

enum dt_err ledger_verify(struct ledger *l, unsigned threads, struct ledger_verify_report *rep,
                          struct dt_diag *diag)
{
	struct note_verifier *v = NULL;
	struct cp *cps = NULL;
	struct frontier *f = calloc(1, sizeof(*f));
	char **leaf = calloc(CHUNK, sizeof(*leaf));
	size_t *len = calloc(CHUNK, sizeof(*len));
	uint8_t(*hash)[MERKLE_HASH_LEN] = calloc(CHUNK, MERKLE_HASH_LEN);
	size_t nv = 0, ncp = 0, next_cp = 0;
	sqlite3_stmt *st = NULL;
	uint64_t idx = 0;
	enum dt_err err = DT_OK;
	bool more = true;

	memset(rep, 0, sizeof(*rep));
	if (!f || !leaf || !len || !hash) {
		err = DT_ENOMEM;
		goto out;
	}
	if (threads == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		threads = c > 0 ? (unsigned)c : 1;
	}
	if (threads > 16)
		threads = 16;
	if ((err = ledger_verifiers(l, &v, &nv, diag)) || (err = load_checkpoints(l, &cps, &ncp)))
		goto out;
	/* the empty tree's checkpoint */
	while (next_cp < ncp && cps[next_cp].size == 0) {
		uint8_t root[MERKLE_HASH_LEN];

		merkle_empty_root(root);
		if ((err = check_checkpoint(l, &cps[next_cp++], root, diag)))
			goto out;
		rep->checkpoints++;
	}
	if (sqlite3_prepare_v2(l->db, "SELECT idx, leaf FROM entries ORDER BY idx", -1, &st,
	                       NULL) != SQLITE_OK) {
		err = DT_EIO;
		goto out;
	}
	while (more) {
		size_t n = 0;
		pthread_t tid[16];
		struct job jobs[16];

		while (n < CHUNK) {
			int rc = sqlite3_step(st);

			if (rc != SQLITE_ROW) {
				more = false;
				if (rc != SQLITE_DONE) {
					dt_diag_set(diag, l->path, 0, "database: %s",
					            sqlite3_errmsg(l->db));
					err = DT_EIO;
					goto out;
				}
				break;
			}
			if ((uint64_t)sqlite3_column_int64(st, 0) != idx + n) {
				dt_diag_set(diag, NULL, 0,
				            "entry %llu is missing (next stored entry is %lld)",
				            (unsigned long long)(idx + n),
				            (long long)sqlite3_column_int64(st, 0));
				err = DT_EFORMAT;
				goto out;
			}
			len[n] = (size_t)sqlite3_column_bytes(st, 1);
			free(leaf[n]);
			leaf[n] = malloc(len[n] + 1);
			memcpy(leaf[n], sqlite3_column_blob(st, 1), len[n]);
			n++;
		}
		if (n == 0)
			break;
		unsigned t = threads;
		if (t > n)
			t = (unsigned)n;
		for (unsigned k = 0; k < t; k++) {
			jobs[k] = (struct job){.v = v,
			                       .nv = nv,
			                       .leaf = leaf,
			                       .len = len,
			                       .hash = hash,
			                       .lo = n * k / t,
			                       .hi = n * (k + 1) / t,
			                       .base = idx};
			if (k > 0)
				pthread_create(&tid[k], NULL, verify_part, &jobs[k]);
		}
		verify_part(&jobs[0]);
		for (unsigned k = 1; k < t; k++)
			pthread_join(tid[k], NULL);
		for (unsigned k = 0; k < t; k++) {
			if (jobs[k].bad != SIZE_MAX) {
				*diag = jobs[k].diag;
				err = DT_EFORMAT;
				goto out;
			}
		}
		rep->signatures += n;
		for (size_t i = 0; i < n; i++, idx++) {
			uint8_t h[MERKLE_HASH_LEN], stored[MERKLE_HASH_LEN];
			unsigned level = 0;
			uint64_t at = idx;

			memcpy(h, hash[i], MERKLE_HASH_LEN);
			for (;;) {
				if (ledger_read_hash_uncached(l, level, at, stored) ||
				    sodium_memcmp(stored, h, MERKLE_HASH_LEN) != 0) {
					if (level == 0)
						dt_diag_set(diag, NULL, 0,
						            "entry %llu: stored leaf hash does not "
						            "match the entry's bytes",
						            (unsigned long long)idx);
					else
						dt_diag_set(diag, NULL, 0,
						            "tree level %u index %llu: stored hash "
						            "missing or differs from the one "
						            "recomputed from the "
						            "entries",
						            level, (unsigned long long)at);
					err = DT_EFORMAT;
					goto out;
				}
				rep->tree_hashes++;
				if (!(at & 1))
					break;
				/* merge with the left sibling on the frontier */
				f->top--;
				merkle_node_hash(f->hash[f->top], h, h);
				level++;
				at >>= 1;
			}
			memcpy(f->hash[f->top], h, MERKLE_HASH_LEN);
			f->level[f->top++] = level;
			while (next_cp < ncp && cps[next_cp].size == idx + 1) {
				uint8_t root[MERKLE_HASH_LEN];

				frontier_root(f, idx + 1, root);
				if ((err = check_checkpoint(l, &cps[next_cp++], root, diag)))
					goto out;
				rep->checkpoints++;
			}
		}
	}
	rep->entries = idx;
	if (next_cp < ncp) {
		dt_diag_set(diag, NULL, 0,
		            "checkpoint at size %llu but the log has only %llu entries",
		            (unsigned long long)cps[next_cp].size, (unsigned long long)idx);
		err = DT_EFORMAT;
		goto out;
	}
	{
		/* no stored hash beyond what the entries produce: level L holds
		 * exactly the indexes below size >> L */
		sqlite3_stmt *c;

		sqlite3_prepare_v2(l->db,
		                   "SELECT level, idx FROM tree WHERE level < 0 OR level > 63"
		                   " OR idx < 0 OR idx >= (?1 >> level) LIMIT 1",
		                   -1, &c, NULL);
		sqlite3_bind_int64(c, 1, (sqlite3_int64)idx);
		if (sqlite3_step(c) == SQLITE_ROW) {
			dt_diag_set(diag, NULL, 0,
			            "tree level %lld index %lld: stored hash that no entry makes",
			            (long long)sqlite3_column_int64(c, 0),
			            (long long)sqlite3_column_int64(c, 1));
			err = DT_EFORMAT;
		}
		sqlite3_finalize(c);
		if (err)
			goto out;
	}
	err = check_peer_checkpoints(l, diag);
out:
	sqlite3_finalize(st);
	for (size_t i = 0; leaf && i < CHUNK; i++)
		free(leaf[i]);
	for (size_t i = 0; i < ncp; i++)
		free(cps[i].note);
	free(cps);
	free(leaf);
	free(len);
	free(hash);
	free(f);
	free(v);
	return err;
}
