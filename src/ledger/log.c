/*
 * log.c — appending signed entries, and reading the log back as entries,
 * checkpoints, inclusion receipts and consistency proofs.
 *
 * The tree table holds every complete subtree hash (level, index), written
 * in the same transaction as the entry that completes it, so a proof is a
 * handful of primary-key lookups and the table can be re-derived from the
 * entries alone (log verify does exactly that).
 */
#include "ledger/ledger_int.h"

#include "core/hex.h"
#include "core/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HASH_CHUNK (1u << 20) /* read size when hashing and copying payloads */

static const char *const kinds[] = {
    "submission", "intel", "refdata", "assessment", "peer-checkpoint", "sanitized",
};
static const char *const tlps[] = {
    "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

void ledger_cache_clear(struct ledger *l)
{
	if (l->cache)
		memset(l->cache, 0, LEDGER_CACHE_SLOTS * sizeof(*l->cache));
}

static struct ledger_cached *cache_slot(struct ledger *l, unsigned level, uint64_t index,
                                        uint64_t *key)
{
	*key = ((uint64_t)level << 58 | index) + 1;
	return &l->cache[(*key * 0x9E3779B97F4A7C15ull) >> 48];
}

void ledger_cache_put(struct ledger *l, unsigned level, uint64_t index,
                      const uint8_t hash[MERKLE_HASH_LEN])
{
	uint64_t key;
	struct ledger_cached *c = cache_slot(l, level, index, &key);

	c->key = key;
	memcpy(c->hash, hash, MERKLE_HASH_LEN);
}

enum dt_err ledger_read_hash(void *ctx, unsigned level, uint64_t index,
                             uint8_t out[MERKLE_HASH_LEN])
{
	struct ledger *l = ctx;
	uint64_t key;
	struct ledger_cached *c = cache_slot(l, level, index, &key);
	enum dt_err err;

	if (c->key == key) {
		memcpy(out, c->hash, MERKLE_HASH_LEN);
		return DT_OK;
	}
	if ((err = ledger_read_hash_uncached(ctx, level, index, out)) == DT_OK) {
		c->key = key;
		memcpy(c->hash, out, MERKLE_HASH_LEN);
	}
	return err;
}

enum dt_err ledger_read_hash_uncached(void *ctx, unsigned level, uint64_t index,
                                      uint8_t out[MERKLE_HASH_LEN])
{
	struct ledger *l = ctx;
	enum dt_err err = DT_ENOTFOUND;

	sqlite3_bind_int(l->get_hash, 1, (int)level);
	sqlite3_bind_int64(l->get_hash, 2, (sqlite3_int64)index);
	if (sqlite3_step(l->get_hash) == SQLITE_ROW &&
	    sqlite3_column_bytes(l->get_hash, 0) == MERKLE_HASH_LEN) {
		memcpy(out, sqlite3_column_blob(l->get_hash, 0), MERKLE_HASH_LEN);
		err = DT_OK;
	}
	sqlite3_reset(l->get_hash);
	return err;
}

enum dt_err ledger_size(struct ledger *l, uint64_t *size)
{
	int rc = sqlite3_step(l->get_size);

	*size = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(l->get_size, 0) : 0;
	sqlite3_reset(l->get_size);
	return rc == SQLITE_ROW ? DT_OK : DT_EIO;
}

enum dt_err ledger_hash_file(const char *path, uint8_t sha256[32], uint64_t *size,
                             struct dt_diag *diag)
{
	struct dt_sha256 st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	*size = 0;
	if (fd < 0) {
		dt_diag_set(diag, path, 0, "cannot open: %s", strerror(errno));
		return DT_EIO;
	}
	if ((buf = malloc(HASH_CHUNK)) == NULL || dt_sha256_init(&st) != 0) {
		free(buf);
		close(fd);
		dt_diag_set(diag, path, 0, "%s", dt_strerror(DT_ENOMEM));
		return DT_ENOMEM;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while ((n = read(fd, buf, HASH_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			dt_diag_set(diag, path, 0, "read failed: %s", strerror(errno));
			dt_sha256_final(&st, sha256);
			free(buf);
			close(fd);
			return DT_EIO;
		}
		dt_sha256_update(&st, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	close(fd);
	free(buf);
	dt_sha256_final(&st, sha256);
	return DT_OK;
}

static enum dt_err payload_dir(struct ledger *l, char *out, size_t size, struct dt_diag *diag)
{
	snprintf(out, size, "%s/payloads", l->dir);
	if (mkdir(l->dir, 0700) < 0 && errno != EEXIST) {
		dt_diag_set(diag, l->dir, 0, "cannot create directory: %s", strerror(errno));
		return DT_EIO;
	}
	if (mkdir(out, 0700) < 0 && errno != EEXIST) {
		dt_diag_set(diag, out, 0, "cannot create directory: %s", strerror(errno));
		return DT_EIO;
	}
	return DT_OK;
}

/* Copies src to a new file tmp (0600), hashing what it copies; fsyncs. */
static enum dt_err copy_hashing(const char *src, const char *tmp, uint8_t sha[32], uint64_t *size,
                                struct dt_diag *diag)
{
	struct dt_sha256 st = {0};
	uint8_t *buf = NULL;
	int in = -1, out = -1;
	ssize_t n = 0;
	enum dt_err err = DT_EIO;

	*size = 0;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		dt_diag_set(diag, in < 0 ? src : tmp, 0, "cannot open: %s", strerror(errno));
		goto out;
	}
	if ((buf = malloc(HASH_CHUNK)) == NULL || dt_sha256_init(&st) != 0) {
		dt_diag_set(diag, src, 0, "%s", dt_strerror(DT_ENOMEM));
		err = DT_ENOMEM;
		goto out;
	}
	(void)posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (;;) {
		n = read(in, buf, HASH_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		dt_sha256_update(&st, buf, (size_t)n);
		*size += (uint64_t)n;
		if (write(out, buf, (size_t)n) != n) {
			dt_diag_set(diag, tmp, 0, "write failed: %s", strerror(errno));
			goto out;
		}
	}
	if (n < 0) {
		dt_diag_set(diag, src, 0, "read failed: %s", strerror(errno));
		goto out;
	}
	if (fsync(out) < 0 || close(out) < 0) {
		out = -1;
		dt_diag_set(diag, tmp, 0, "write failed: %s", strerror(errno));
		goto out;
	}
	out = -1;
	err = DT_OK;
out:
	dt_sha256_final(&st, sha);
	free(buf);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (err)
		unlink(tmp);
	return err;
}

enum dt_err ledger_store_file(struct ledger *l, const uint8_t sha[32], const char *src,
                              struct dt_diag *diag)
{
	char dir[1200], dst[1300], tmp[1400], hex[65];
	uint8_t got[32];
	uint64_t size;
	struct stat sb;
	enum dt_err err;

	if ((err = payload_dir(l, dir, sizeof(dir), diag)))
		return err;
	dt_hex_encode(sha, 32, hex);
	snprintf(dst, sizeof(dst), "%s/%s", dir, hex);
	if (stat(dst, &sb) == 0)
		return DT_OK;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", dst, (long)getpid());
	if ((err = copy_hashing(src, tmp, got, &size, diag)))
		return err;
	if (memcmp(got, sha, 32) != 0) {
		dt_diag_set(diag, src, 0, "file changed while being recorded");
		unlink(tmp);
		return DT_EFORMAT;
	}
	if (rename(tmp, dst) < 0) {
		dt_diag_set(diag, dst, 0, "rename failed: %s", strerror(errno));
		unlink(tmp);
		return DT_EIO;
	}
	return DT_OK;
}

enum dt_err ledger_import_file(struct ledger *l, const char *src, uint8_t sha256[32],
                               uint64_t *size, char *stored, size_t stored_size,
                               struct dt_diag *diag)
{
	char dir[1200], tmp[1400], hex[65];
	struct stat sb;
	enum dt_err err;

	if ((err = payload_dir(l, dir, sizeof(dir), diag)))
		return err;
	snprintf(tmp, sizeof(tmp), "%s/import.tmp.%ld", dir, (long)getpid());
	if ((err = copy_hashing(src, tmp, sha256, size, diag)))
		return err;
	dt_hex_encode(sha256, 32, hex);
	snprintf(stored, stored_size, "%s/%s", dir, hex);
	if (stat(stored, &sb) == 0) {
		unlink(tmp); /* already there: same bytes by their digest */
		return DT_OK;
	}
	if (rename(tmp, stored) < 0) {
		dt_diag_set(diag, stored, 0, "rename failed: %s", strerror(errno));
		unlink(tmp);
		return DT_EIO;
	}
	return DT_OK;
}

enum dt_err ledger_adopt_file(struct ledger *l, const char *tmp, uint8_t sha256[32], uint64_t *size,
                              struct dt_diag *diag)
{
	char dir[1200], stored[1300], hex[65];
	struct stat sb;
	enum dt_err err;

	if ((err = payload_dir(l, dir, sizeof(dir), diag)) ||
	    (err = ledger_hash_file(tmp, sha256, size, diag))) {
		unlink(tmp);
		return err;
	}
	dt_hex_encode(sha256, 32, hex);
	snprintf(stored, sizeof(stored), "%s/%s", dir, hex);
	if (stat(stored, &sb) == 0) {
		unlink(tmp); /* already there: same bytes by their digest */
		return DT_OK;
	}
	if (rename(tmp, stored) < 0) {
		dt_diag_set(diag, stored, 0, "rename failed: %s", strerror(errno));
		unlink(tmp);
		return DT_EIO;
	}
	return DT_OK;
}

enum dt_err ledger_store_bytes(struct ledger *l, const uint8_t sha256[32], const void *data,
                               size_t len, struct dt_diag *diag)
{
	char dir[1200], dst[1300], tmp[1400], hex[65];
	struct stat sb;
	int fd;
	enum dt_err err;

	if ((err = payload_dir(l, dir, sizeof(dir), diag)))
		return err;
	dt_hex_encode(sha256, 32, hex);
	snprintf(dst, sizeof(dst), "%s/%s", dir, hex);
	if (stat(dst, &sb) == 0)
		return DT_OK;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", dst, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 ||
	    write(fd, data, len) != (ssize_t)len || fsync(fd) < 0 || close(fd) < 0 ||
	    rename(tmp, dst) < 0) {
		dt_diag_set(diag, dst, 0, "cannot store payload: %s", strerror(errno));
		unlink(tmp);
		return DT_EIO;
	}
	return DT_OK;
}

/* The entry text (without signature) into b. */
static enum dt_err entry_text(struct ledger *l, const struct ledger_entry_in *in, const char *now,
                              struct strbuf *b, struct dt_diag *diag)
{
	char hex[65];
	const char *about = in->about ? in->about : "";

	if (!in_list(in->kind, kinds, sizeof(kinds) / sizeof(*kinds))) {
		dt_diag_set(diag, NULL, 0,
		            "entry kind '%s' is not one of submission, intel, refdata, "
		            "assessment, peer-checkpoint",
		            in->kind);
		return DT_EINVAL;
	}
	if (!in_list(in->tlp ? in->tlp : "AMBER", tlps, sizeof(tlps) / sizeof(*tlps))) {
		dt_diag_set(diag, NULL, 0,
		            "TLP '%s' is not one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED",
		            in->tlp);
		return DT_EINVAL;
	}
	if (strlen(about) > LEDGER_MAX_ABOUT) {
		dt_diag_set(diag, NULL, 0, "entry description longer than %d bytes",
		            LEDGER_MAX_ABOUT);
		return DT_EINVAL;
	}
	for (const char *p = about; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			dt_diag_set(diag, NULL, 0,
			            "entry description contains a control character "
			            "(byte 0x%02x at offset %zu); it must be one line of text",
			            (unsigned char)*p, (size_t)(p - about));
			return DT_EINVAL;
		}
	}
	dt_hex_encode(in->sha256, 32, hex);
	strbuf_reset(b);
	return strbuf_addf(b,
	                   "detente.entry/v1\nauthor %s\nkind %s\ntime %s\ntlp %s\n"
	                   "payload sha256:%s %llu\nabout %s\n",
	                   l->party, in->kind, now, in->tlp ? in->tlp : "AMBER", hex,
	                   (unsigned long long)in->size, about);
}

sqlite3_int64 ledger_payload_key(const uint8_t sha256[32])
{
	uint64_t k = 0;

	for (int i = 0; i < 8; i++)
		k = k << 8 | sha256[i];
	return (sqlite3_int64)k;
}

static enum dt_err find_existing(struct ledger *l, const struct ledger_entry_in *in, uint64_t *idx,
                                 bool *found)
{
	sqlite3_stmt *st;
	int rc;

	*found = false;
	if (sqlite3_prepare_v2(l->db,
	                       "SELECT idx FROM entries WHERE pkey = ?3 AND payload = ?1"
	                       " AND kind = ?2 LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return DT_EIO;
	sqlite3_bind_blob(st, 1, in->sha256, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ledger_payload_key(in->sha256));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*idx = (uint64_t)sqlite3_column_int64(st, 0);
		*found = true;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? DT_OK : DT_EIO;
}

enum dt_err ledger_append_locked(struct ledger *l, const struct ledger_entry_in *in, size_t n,
                                 bool dedup, uint64_t *first, bool *existed, struct dt_diag *diag)
{
	sqlite3_stmt *ins_e = NULL, *ins_t = NULL;
	struct strbuf text;
	struct merkle_stored stored[64];
	uint64_t size;
	char now[40];
	enum dt_err err;

	strbuf_init(&text, LEDGER_MAX_ENTRY);
	if (existed)
		*existed = false;
	if ((err = ledger_size(l, &size))) {
		dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
		goto out;
	}
	*first = size;
	if (sqlite3_prepare_v2(
	        l->db,
	        "INSERT INTO entries(idx, leaf, kind, payload, size, tlp, time, pkey)"
	        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	        -1, &ins_e, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db, "INSERT INTO tree(level, idx, hash) VALUES(?1, ?2, ?3)", -1,
	                       &ins_t, NULL) != SQLITE_OK) {
		dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
		err = DT_EIO;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t leaf[MERKLE_HASH_LEN];
		size_t ns, body;

		ledger_now(now, sizeof(now));
		/* validate before the duplicate check: bad options are errors even
		 * for a payload recorded before */
		if ((err = entry_text(l, &in[i], now, &text, diag)))
			goto out;
		if (dedup) {
			uint64_t idx;
			bool found;

			if ((err = find_existing(l, &in[i], &idx, &found)))
				goto out;
			if (found) {
				if (n == 1) {
					*first = idx;
					if (existed)
						*existed = true;
				}
				continue;
			}
		}
		body = text.len;
		if ((err = strbuf_addc(&text, '\n')) ||
		    (err = note_sign_line(text.p, body, l->origin, l->pub, l->sk, &text))) {
			dt_diag_set(diag, NULL, 0,
			            "cannot sign entry: %s (is the description valid UTF-8?)",
			            dt_strerror(err));
			goto out;
		}
		merkle_leaf_hash(text.p, text.len, leaf);
		if ((err = merkle_append(ledger_read_hash, l, size, leaf, stored, &ns)))
			goto out;
		sqlite3_bind_int64(ins_e, 1, (sqlite3_int64)size);
		sqlite3_bind_blob(ins_e, 2, text.p, (int)text.len, SQLITE_STATIC);
		sqlite3_bind_text(ins_e, 3, in[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_blob(ins_e, 4, in[i].sha256, 32, SQLITE_STATIC);
		sqlite3_bind_int64(ins_e, 5, (sqlite3_int64)in[i].size);
		sqlite3_bind_text(ins_e, 6, in[i].tlp ? in[i].tlp : "AMBER", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_e, 7, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins_e, 8, ledger_payload_key(in[i].sha256));
		if (sqlite3_step(ins_e) != SQLITE_DONE)
			goto dberr;
		sqlite3_reset(ins_e);
		for (size_t k = 0; k < ns; k++) {
			sqlite3_bind_int(ins_t, 1, (int)stored[k].level);
			sqlite3_bind_int64(ins_t, 2, (sqlite3_int64)stored[k].index);
			sqlite3_bind_blob(ins_t, 3, stored[k].hash, MERKLE_HASH_LEN, SQLITE_STATIC);
			if (sqlite3_step(ins_t) != SQLITE_DONE)
				goto dberr;
			sqlite3_reset(ins_t);
			/* write-through: the next append reads it as a left sibling
			 * (a rollback clears the cache) */
			ledger_cache_put(l, stored[k].level, stored[k].index, stored[k].hash);
		}
		size++;
	}
	goto out;
dberr:
	dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
	err = DT_EIO;
out:
	sqlite3_finalize(ins_e);
	sqlite3_finalize(ins_t);
	strbuf_release(&text);
	return err;
}

enum dt_err ledger_append(struct ledger *l, const struct ledger_entry_in *in, size_t n, bool dedup,
                          uint64_t *first, bool *existed, struct dt_diag *diag)
{
	enum dt_err err;

	if (existed)
		*existed = false;
	for (size_t i = 0; i < n; i++)
		if (in[i].path && (err = ledger_store_file(l, in[i].sha256, in[i].path, diag)))
			return err;
	if ((err = ledger_exec(l, "BEGIN IMMEDIATE", diag)))
		return err;
	if ((err = ledger_append_locked(l, in, n, dedup, first, existed, diag)) ||
	    (err = ledger_exec(l, "COMMIT", diag))) {
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		ledger_cache_clear(l);
	}
	return err;
}

enum dt_err ledger_entry(struct ledger *l, uint64_t idx, struct strbuf *out, struct dt_diag *diag)
{
	sqlite3_stmt *st = l->get_entry;
	enum dt_err err = DT_ENOTFOUND;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
	if (sqlite3_step(st) == SQLITE_ROW)
		err = strbuf_add(out, sqlite3_column_blob(st, 0),
		                 (size_t)sqlite3_column_bytes(st, 0));
	else
		dt_diag_set(diag, NULL, 0, "no entry %llu", (unsigned long long)idx);
	sqlite3_reset(st);
	return err;
}

/* A checkpoint this node already signed at size, read-only. */
static bool stored_checkpoint(struct ledger *l, uint64_t size, struct strbuf *out)
{
	bool found = false;

	sqlite3_bind_int64(l->get_cp, 1, (sqlite3_int64)size);
	if (sqlite3_step(l->get_cp) == SQLITE_ROW) {
		found = strbuf_adds(out, (const char *)sqlite3_column_text(l->get_cp, 0)) == DT_OK;
	}
	sqlite3_reset(l->get_cp);
	return found;
}

enum dt_err ledger_checkpoint(struct ledger *l, uint64_t size, struct strbuf *out,
                              struct dt_diag *diag)
{
	sqlite3_stmt *st = NULL;
	uint8_t root[MERKLE_HASH_LEN];
	struct strbuf note;
	uint64_t cur;
	size_t body;
	enum dt_err err;

	if (size != 0 && stored_checkpoint(l, size, out))
		return DT_OK;
	strbuf_init(&note, NOTE_MAX_BYTES);
	if ((err = ledger_exec(l, "BEGIN IMMEDIATE", diag)))
		return err;
	if ((err = ledger_size(l, &cur)))
		goto out;
	if (size == 0)
		size = cur;
	if (size > cur) {
		dt_diag_set(diag, NULL, 0, "the log has %llu entries, not %llu",
		            (unsigned long long)cur, (unsigned long long)size);
		err = DT_EINVAL;
		goto out;
	}
	sqlite3_prepare_v2(l->db, "SELECT note FROM checkpoints WHERE size = ?1", -1, &st, NULL);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
	if (sqlite3_step(st) == SQLITE_ROW) {
		err = strbuf_adds(out, (const char *)sqlite3_column_text(st, 0));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((err = merkle_root(ledger_read_hash, l, size, root))) {
		dt_diag_set(diag, l->path, 0, "tree hashes missing for size %llu",
		            (unsigned long long)size);
		goto out;
	}
	if ((err = checkpoint_format(l->origin, size, root, &note)))
		goto out;
	body = note.len;
	if ((err = strbuf_addc(&note, '\n')) ||
	    (err = note_sign_line(note.p, body, l->origin, l->pub, l->sk, &note)))
		goto out;
	sqlite3_prepare_v2(l->db, "INSERT INTO checkpoints(size, root, note) VALUES(?1, ?2, ?3)",
	                   -1, &st, NULL);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
	sqlite3_bind_blob(st, 2, root, MERKLE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, note.p, (int)note.len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
		err = DT_EIO;
		goto out;
	}
	err = strbuf_add(out, note.p, note.len);
out:
	sqlite3_finalize(st);
	if (err) {
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		ledger_cache_clear(l);
	} else {
		err = ledger_exec(l, "COMMIT", diag);
	}
	strbuf_release(&note);
	return err;
}

static enum dt_err add_hash_line(struct strbuf *b, const uint8_t h[MERKLE_HASH_LEN])
{
	char t[64];
	enum dt_err err;

	sodium_bin2base64(t, sizeof(t), h, MERKLE_HASH_LEN, sodium_base64_VARIANT_ORIGINAL);
	if ((err = strbuf_adds(b, t)))
		return err;
	return strbuf_addc(b, '\n');
}

enum dt_err ledger_prove(struct ledger *l, uint64_t idx, uint64_t size, struct strbuf *out,
                         struct dt_diag *diag)
{
	uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_LEN];
	struct strbuf cp, leaf;
	size_t n;
	uint64_t cur;
	bool in_tx = false;
	enum dt_err err;

	if ((err = ledger_size(l, &cur)))
		return err;
	if (size == 0)
		size = cur;
	if (idx >= size || size > cur) {
		dt_diag_set(
		    diag, NULL, 0, "entry %llu is not in a tree of %llu entries (the log has %llu)",
		    (unsigned long long)idx, (unsigned long long)size, (unsigned long long)cur);
		return DT_EINVAL;
	}
	strbuf_init(&cp, NOTE_MAX_BYTES);
	strbuf_init(&leaf, LEDGER_MAX_ENTRY);
	if ((err = ledger_checkpoint(l, size, &cp, diag)))
		goto out;
	/* one read transaction: one lock, one consistent snapshot */
	if ((err = ledger_exec(l, "BEGIN", diag)))
		goto out;
	in_tx = true;
	if ((err = ledger_entry(l, idx, &leaf, diag)))
		goto out;
	if ((err = merkle_prove_inclusion(ledger_read_hash, l, idx, size, proof, &n))) {
		dt_diag_set(diag, l->path, 0, "tree hashes missing for entry %llu",
		            (unsigned long long)idx);
		goto out;
	}
	{
		/* the entry itself rides along as the proof's extra data, so the
		 * receipt is self-contained */
		size_t cap = sodium_base64_ENCODED_LEN(leaf.len, sodium_base64_VARIANT_ORIGINAL);
		char *b64 = malloc(cap);

		if (b64 == NULL) {
			err = DT_ENOMEM;
			goto out;
		}
		sodium_bin2base64(b64, cap, (const uint8_t *)leaf.p, leaf.len,
		                  sodium_base64_VARIANT_ORIGINAL);
		err = strbuf_addf(out, "c2sp.org/tlog-proof@v1\nextra %s\nindex %llu\n", b64,
		                  (unsigned long long)idx);
		free(b64);
		if (err)
			goto out;
	}
	for (size_t i = 0; i < n && !err; i++)
		err = add_hash_line(out, proof[i]);
	if (!err)
		err = strbuf_addc(out, '\n');
	if (!err)
		err = strbuf_add(out, cp.p, cp.len);
out:
	if (in_tx)
		sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
	strbuf_release(&cp);
	strbuf_release(&leaf);
	return err;
}

enum dt_err ledger_consistency(struct ledger *l, uint64_t old_size, uint64_t new_size,
                               struct strbuf *out, struct dt_diag *diag)
{
	uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_LEN];
	size_t n;
	uint64_t cur;
	enum dt_err err;

	if ((err = ledger_size(l, &cur)))
		return err;
	if (old_size == 0 || old_size > new_size || new_size > cur) {
		dt_diag_set(diag, NULL, 0, "need 0 < OLD <= NEW <= %llu (the log's size)",
		            (unsigned long long)cur);
		return DT_EINVAL;
	}
	if ((err = merkle_prove_consistency(ledger_read_hash, l, old_size, new_size, proof, &n))) {
		dt_diag_set(diag, l->path, 0, "tree hashes missing");
		return err;
	}
	for (size_t i = 0; i < n && !err; i++)
		err = add_hash_line(out, proof[i]);
	return err;
}

enum dt_err ledger_verifiers(struct ledger *l, struct note_verifier **out, size_t *n,
                             struct dt_diag *diag)
{
	sqlite3_stmt *st;
	struct note_verifier *v = malloc(sizeof(*v));
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (v == NULL)
		return DT_ENOMEM;
	note_verifier_init(&v[k++], l->origin, NOTE_TYPE_ED25519, l->pub);
	if (sqlite3_prepare_v2(l->db, "SELECT name, vkey FROM peers ORDER BY name", -1, &st,
	                       NULL) != SQLITE_OK) {
		free(v);
		return DT_EIO;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *vk = (const char *)sqlite3_column_text(st, 1);
		struct note_verifier *p = realloc(v, (k + 1) * sizeof(*v));

		if (p == NULL) {
			sqlite3_finalize(st);
			free(v);
			return DT_ENOMEM;
		}
		v = p;
		if (note_vkey_parse(vk, strlen(vk), &v[k], diag) == DT_OK)
			k++;
	}
	sqlite3_finalize(st);
	*out = v;
	*n = k;
	return DT_OK;
}
