/*
 * auth.c — see auth.h.  At request time a worker hashes the presented
 * token and looks the hash up in its own read connection, remembering the
 * last few answers until the node database changes (a revocation is seen
 * on the next snapshot).
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/ledger.h"
#include "server/server_int.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS credentials(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " role TEXT NOT NULL, tlp TEXT NOT NULL, hash BLOB NOT NULL UNIQUE, created TEXT NOT NULL,"
    " revoked TEXT);"
    "CREATE UNIQUE INDEX IF NOT EXISTS credentials_live ON credentials(name)"
    " WHERE revoked IS NULL;";

static enum dt_err open_db(const char *db, sqlite3 **h, bool write, struct dt_diag *diag)
{
	if (sqlite3_open_v2(db, h, write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		dt_diag_set(diag, db, 0, "cannot open: %s", sqlite3_errmsg(*h));
		sqlite3_close(*h);
		*h = NULL;
		return DT_EIO;
	}
	sqlite3_busy_timeout(*h, 5000);
	return DT_OK;
}

enum dt_err auth_init(const char *db, struct dt_diag *diag)
{
	sqlite3 *h;
	enum dt_err err;

	if ((err = open_db(db, &h, true, diag)))
		return err;
	if (sqlite3_exec(h, schema, NULL, NULL, NULL) != SQLITE_OK) {
		dt_diag_set(diag, db, 0, "credentials table: %s", sqlite3_errmsg(h));
		err = DT_EIO;
	}
	sqlite3_close(h);
	return err;
}

static void now_utc(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

enum dt_err auth_token_add(const char *db, const char *name, enum srv_role role, const char *tlp,
                           char *token, struct dt_diag *diag)
{
	uint8_t raw[32], hash[32];
	char now[32];
	sqlite3 *h;
	sqlite3_stmt *st = NULL;
	int rank = ledger_tlp_rank(tlp), rc;
	enum dt_err err;

	if (name == NULL || *name == '\0' ||
	    strlen(name) >= sizeof(((struct srv_principal *)0)->name)) {
		dt_diag_set(diag, NULL, 0, "a credential needs a name of 1 to 63 bytes");
		return DT_EINVAL;
	}
	if (rank < 0 || rank > 3) {
		dt_diag_set(diag, NULL, 0,
		            "TLP '%s' is not one of CLEAR, GREEN, AMBER, AMBER+STRICT (TLP:RED "
		            "never leaves the node)",
		            tlp ? tlp : "");
		return DT_EINVAL;
	}
	if (role != SRV_PEER && role != SRV_USER) {
		dt_diag_set(diag, NULL, 0, "role must be peer or user");
		return DT_EINVAL;
	}
	if ((err = auth_init(db, diag)) || (err = open_db(db, &h, true, diag)))
		return err;
	randombytes_buf(raw, sizeof(raw));
	memcpy(token, "dt1_", 4);
	sodium_bin2base64(token + 4, AUTH_TOKEN_LEN - 4 + 1, raw, sizeof(raw),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	crypto_hash_sha256(hash, (const uint8_t *)token, AUTH_TOKEN_LEN);
	now_utc(now, sizeof(now));
	sqlite3_prepare_v2(h,
	                   "INSERT INTO credentials(name, role, tlp, hash, created)"
	                   " VALUES(?1, ?2, ?3, ?4, ?5)",
	                   -1, &st, NULL);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role == SRV_PEER ? "peer" : "user", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, tlp, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT) {
		dt_diag_set(diag, NULL, 0, "a credential named '%s' exists; revoke it first", name);
		err = DT_EEXIST;
	} else if (rc != SQLITE_DONE) {
		dt_diag_set(diag, db, 0, "cannot store the credential: %s", sqlite3_errmsg(h));
		err = DT_EIO;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	if (err)
		sodium_memzero(token, AUTH_TOKEN_LEN + 1);
	return err;
}

enum dt_err auth_token_revoke(const char *db, const char *name, struct dt_diag *diag)
{
	char now[32];
	sqlite3 *h;
	sqlite3_stmt *st = NULL;
	enum dt_err err;

	if ((err = auth_init(db, diag)) || (err = open_db(db, &h, true, diag)))
		return err;
	now_utc(now, sizeof(now));
	sqlite3_prepare_v2(
	    h, "UPDATE credentials SET revoked = ?2 WHERE name = ?1 AND revoked IS NULL", -1, &st,
	    NULL);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		dt_diag_set(diag, db, 0, "cannot revoke: %s", sqlite3_errmsg(h));
		err = DT_EIO;
	} else if (sqlite3_changes(h) == 0) {
		dt_diag_set(diag, NULL, 0, "no live credential named '%s'", name);
		err = DT_ENOTFOUND;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return err;
}

enum dt_err auth_token_list(const char *db, auth_list_fn *fn, void *ctx, struct dt_diag *diag)
{
	sqlite3 *h;
	sqlite3_stmt *st = NULL;
	enum dt_err err;

	if ((err = auth_init(db, diag)) || (err = open_db(db, &h, false, diag)))
		return err;
	sqlite3_prepare_v2(h,
	                   "SELECT name, role, tlp, created, revoked FROM credentials ORDER BY id",
	                   -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0),
		   (const char *)sqlite3_column_text(st, 1),
		   (const char *)sqlite3_column_text(st, 2),
		   (const char *)sqlite3_column_text(st, 3),
		   (const char *)sqlite3_column_text(st, 4));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return DT_OK;
}

/* ---- at request time --------------------------------------------------------- */

#define AUTH_CACHE 16

struct auth_worker {
	sqlite3 *db;
	sqlite3_stmt *find;
	uint64_t generation;
	struct {
		uint8_t hash[32];
		bool ok;
		struct srv_principal p;
	} cache[AUTH_CACHE];
	unsigned n, next;
};

enum dt_err auth_worker_open(struct srv_worker *w, struct dt_diag *diag)
{
	struct auth_worker *a = calloc(1, sizeof(*a));
	enum dt_err err;

	if (a == NULL)
		return DT_ENOMEM;
	if ((err = open_db(w->cfg->db, &a->db, false, diag))) {
		free(a);
		return err;
	}
	if (sqlite3_prepare_v2(a->db,
	                       "SELECT name, role, tlp FROM credentials WHERE hash = ?1"
	                       " AND revoked IS NULL",
	                       -1, &a->find, NULL) != SQLITE_OK) {
		dt_diag_set(diag, w->cfg->db, 0, "credentials: %s", sqlite3_errmsg(a->db));
		sqlite3_close(a->db);
		free(a);
		return DT_EIO;
	}
	w->auth = a;
	return DT_OK;
}

void auth_worker_close(struct srv_worker *w)
{
	struct auth_worker *a = w->auth;

	if (a == NULL)
		return;
	sqlite3_finalize(a->find);
	sqlite3_close(a->db);
	free(a);
	w->auth = NULL;
}

bool auth_check(struct srv_worker *w, const char *hdr, size_t len, struct srv_principal *out)
{
	struct auth_worker *a = w->auth;
	struct srv_snapshot *sn;
	uint8_t hash[32];
	bool ok = false;
	unsigned slot;

	if (a == NULL || len != 7 + AUTH_TOKEN_LEN || strncasecmp(hdr, "Bearer ", 7) != 0)
		return false;
	crypto_hash_sha256(hash, (const uint8_t *)hdr + 7, AUTH_TOKEN_LEN);
	sn = srv_snapshot_get(w->srv);
	if (sn->generation != a->generation) {
		a->generation = sn->generation;
		a->n = 0;
	}
	srv_snapshot_put(sn);
	for (unsigned i = 0; i < a->n; i++)
		if (memcmp(a->cache[i].hash, hash, 32) == 0) {
			*out = a->cache[i].p;
			return a->cache[i].ok;
		}
	memset(out, 0, sizeof(*out));
	sqlite3_bind_blob(a->find, 1, hash, 32, SQLITE_STATIC);
	if (sqlite3_step(a->find) == SQLITE_ROW) {
		const char *role = (const char *)sqlite3_column_text(a->find, 1);

		snprintf(out->name, sizeof(out->name), "%s",
		         (const char *)sqlite3_column_text(a->find, 0));
		out->role = strcmp(role, "peer") == 0 ? SRV_PEER : SRV_USER;
		out->max_tlp = ledger_tlp_rank((const char *)sqlite3_column_text(a->find, 2));
		ok = out->max_tlp >= 0 && out->max_tlp < 4;
	}
	sqlite3_reset(a->find);
	slot = a->n < AUTH_CACHE ? a->n++ : (a->next++ % AUTH_CACHE);
	memcpy(a->cache[slot].hash, hash, 32);
	a->cache[slot].ok = ok;
	a->cache[slot].p = *out;
	return ok;
}

/* ---- tokens peers issued to this node ------------------------------------------ */

static enum dt_err token_path(const char *db, const char *peer, char *out, size_t size, bool mkdirs,
                              struct dt_diag *diag)
{
	size_t n = strlen(peer), o;

	if (n == 0 || n > 128) {
		dt_diag_set(diag, NULL, 0, "peer name '%s' is not valid", peer);
		return DT_EINVAL;
	}
	o = (size_t)snprintf(out, size, "%s.d/tokens", db);
	if (mkdirs && mkdir(out, 0700) < 0 && errno != EEXIST) {
		dt_diag_set(diag, out, 0, "cannot create: %s", strerror(errno));
		return DT_EIO;
	}
	if (o + 1 + 2 * n + 1 > size)
		return DT_ELIMIT;
	out[o++] = '/';
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, size - o, "%02x", (unsigned char)peer[i]);
	return DT_OK;
}

enum dt_err auth_peer_token_set(const char *db, const char *peer, const char *token,
                                struct dt_diag *diag)
{
	char path[2048], tmp[2100];
	size_t n = strlen(token);
	int fd;
	enum dt_err err;

	if (n == 0 || n > 512 || strpbrk(token, "\r\n ") != NULL) {
		dt_diag_set(diag, NULL, 0, "a token is one word of at most 512 bytes");
		return DT_EINVAL;
	}
	if ((err = token_path(db, peer, path, sizeof(path), true, diag)))
		return err;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, token, n) != (ssize_t)n || fsync(fd) != 0 || close(fd) != 0 ||
	    rename(tmp, path) != 0) {
		dt_diag_set(diag, path, 0, "cannot write the token: %s", strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		return DT_EIO;
	}
	return DT_OK;
}

enum dt_err auth_peer_token_get(const char *db, const char *peer, char *token, size_t size,
                                struct dt_diag *diag)
{
	char path[2048];
	ssize_t n;
	int fd;
	enum dt_err err;

	if ((err = token_path(db, peer, path, sizeof(path), false, diag)))
		return err;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		dt_diag_set(diag, path, 0, "no token kept for peer '%s'", peer);
		return errno == ENOENT ? DT_ENOTFOUND : DT_EIO;
	}
	n = read(fd, token, size - 1);
	close(fd);
	if (n <= 0) {
		dt_diag_set(diag, path, 0, "cannot read the token");
		return DT_EIO;
	}
	token[n] = '\0';
	return DT_OK;
}
