/*
 * identity.c — creating and opening a node: the SQLite schema and the
 * Ed25519 key.
 *
 * The seed is the only secret.  It is written once, to a file created with
 * O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600 (signify's discipline), read into
 * sodium_malloc'd memory (guarded and mlock'ed), expanded to the signing
 * key and the cosigning key, and wiped.  Nothing else ever holds it.
 */
#include "ledger/ledger_int.h"

#include "core/hex.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA cache_size=-65536;"
    "PRAGMA mmap_size=1073741824;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    /* pkey: the payload digest's first 8 bytes as an integer, so that the
     * duplicate-payload index stays small enough to live in the page
     * cache (a 32-byte random key index does not, at millions of rows) */
    "CREATE TABLE IF NOT EXISTS entries(idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL,"
    " kind TEXT NOT NULL, payload BLOB NOT NULL, pkey INTEGER NOT NULL, size INTEGER NOT NULL,"
    " tlp TEXT NOT NULL, time TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS entries_pkey ON entries(pkey);"
    "CREATE TABLE IF NOT EXISTS tree(level INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " hash BLOB NOT NULL, PRIMARY KEY(level, idx)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS checkpoints(size INTEGER PRIMARY KEY, root BLOB NOT NULL,"
    " note TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS peers(name TEXT PRIMARY KEY, vkey TEXT NOT NULL, url TEXT,"
    " added TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS peer_checkpoints(peer TEXT NOT NULL, size INTEGER NOT NULL,"
    " root BLOB NOT NULL, note TEXT NOT NULL, accepted TEXT NOT NULL,"
    " PRIMARY KEY(peer, size));"
    /* sync: every entry mirrored from a peer's log, verified against a
     * checkpoint of that peer before it is stored (ledger/sync.c) */
    "CREATE TABLE IF NOT EXISTS peer_entries(peer TEXT NOT NULL, idx INTEGER NOT NULL,"
    " leaf BLOB NOT NULL, leaf_hash BLOB NOT NULL, author TEXT NOT NULL, kind TEXT NOT NULL,"
    " tlp TEXT NOT NULL, payload BLOB NOT NULL, size INTEGER NOT NULL, time TEXT NOT NULL,"
    " about TEXT NOT NULL, PRIMARY KEY(peer, idx)) WITHOUT ROWID;"
    /* what a peer was caught doing: both signed checkpoints */
    "CREATE TABLE IF NOT EXISTS peer_evidence(id INTEGER PRIMARY KEY, peer TEXT NOT NULL,"
    " kind TEXT NOT NULL, detected TEXT NOT NULL, accepted TEXT, offered TEXT NOT NULL,"
    " detail TEXT NOT NULL);"
    /* cosignatures peers made on this node's own checkpoints */
    "CREATE TABLE IF NOT EXISTS cosignatures(size INTEGER NOT NULL, peer TEXT NOT NULL,"
    " line TEXT NOT NULL, added TEXT NOT NULL, PRIMARY KEY(size, peer));"
    /* never shared (ledger/private.c): the node's home domains, and the
     * clear ingest parameters of its own submissions, whose entries carry
     * them pseudonymized */
    "CREATE TABLE IF NOT EXISTS home_domains(domain TEXT PRIMARY KEY, added TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS private_about(payload BLOB PRIMARY KEY, about TEXT NOT NULL)"
    " WITHOUT ROWID;";

/* Columns added after a table was first created: added when missing. */
static const struct {
	const char *table, *column, *alter;
} migrations[] = {
    {"peers", "cvkey", "ALTER TABLE peers ADD COLUMN cvkey TEXT"},
    /* 1: a peer-checkpoint entry of this log records it (peer.c) */
    {"peer_checkpoints", "anchored",
     "ALTER TABLE peer_checkpoints ADD COLUMN anchored INTEGER NOT NULL DEFAULT 1"},
};

void ledger_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06ldZ", base, ts.tv_nsec / 1000);
}

enum dt_err ledger_exec(struct ledger *l, const char *sql, struct dt_diag *diag)
{
	char *msg = NULL;

	if (sqlite3_exec(l->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		dt_diag_set(diag, l->path, 0, "database: %s", msg ? msg : sqlite3_errmsg(l->db));
		sqlite3_free(msg);
		return DT_EIO;
	}
	return DT_OK;
}

static enum dt_err mkdir_p(const char *p, struct dt_diag *diag)
{
	if (mkdir(p, 0700) < 0 && errno != EEXIST) {
		dt_diag_set(diag, p, 0, "cannot create directory: %s", strerror(errno));
		return DT_EIO;
	}
	return DT_OK;
}

static void derive_keys(const uint8_t *seed, uint8_t pub[32], uint8_t *sk, uint8_t cpub[32],
                        uint8_t *csk)
{
	uint8_t *cseed = sodium_malloc(32);
	crypto_hash_sha256_state st;
	static const char label[] = "detente cosigner key v1";

	crypto_sign_seed_keypair(pub, sk, seed);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)label, sizeof(label) - 1);
	crypto_hash_sha256_update(&st, seed, 32);
	crypto_hash_sha256_final(&st, cseed);
	crypto_sign_seed_keypair(cpub, csk, cseed);
	sodium_free(cseed);
}

static enum dt_err meta_set(struct ledger *l, const char *k, const char *v, struct dt_diag *diag)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(l->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1,
	                       &st, NULL) != SQLITE_OK)
		return ledger_exec(l, "SELECT 1 FROM nonexistent", diag);
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
		return DT_EIO;
	}
	return DT_OK;
}

static bool meta_get(struct ledger *l, const char *k, char *out, size_t size)
{
	sqlite3_stmt *st;
	bool ok = false;

	if (sqlite3_prepare_v2(l->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
		ok = true;
	}
	sqlite3_finalize(st);
	return ok;
}

static enum dt_err open_db(struct ledger *l, const char *db, bool create, struct dt_diag *diag)
{
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);

	snprintf(l->path, sizeof(l->path), "%s", db);
	snprintf(l->dir, sizeof(l->dir), "%s.d", db);
	if (sqlite3_open_v2(db, &l->db, flags, NULL) != SQLITE_OK) {
		dt_diag_set(diag, db, 0, "cannot open database: %s",
		            l->db ? sqlite3_errmsg(l->db) : "out of memory");
		return create ? DT_EIO : DT_ENOTFOUND;
	}
	sqlite3_busy_timeout(l->db, 10000);
	if (ledger_exec(l, schema, diag))
		return DT_EIO;
	for (size_t i = 0; i < sizeof(migrations) / sizeof(*migrations); i++) {
		sqlite3_stmt *st;
		bool have;

		if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2",
		                       -1, &st, NULL) != SQLITE_OK)
			return ledger_exec(l, "SELECT 1 FROM pragma_table_info('x')", diag);
		sqlite3_bind_text(st, 1, migrations[i].table, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, migrations[i].column, -1, SQLITE_STATIC);
		have = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (!have && ledger_exec(l, migrations[i].alter, diag))
			return DT_EIO;
	}
	return DT_OK;
}

static void release(struct ledger *l)
{
	sqlite3_finalize(l->get_hash);
	sqlite3_finalize(l->get_entry);
	sqlite3_finalize(l->get_cp);
	sqlite3_finalize(l->get_size);
	free(l->cache);
	if (l->db)
		sqlite3_close(l->db);
	sodium_free(l->sk);
	sodium_free(l->csk);
	memset(l, 0, sizeof(*l));
}

enum dt_err ledger_init(const char *db, const char *party, const char *origin, struct dt_diag *diag)
{
	struct ledger l;
	char keypath[1200], existing[NOTE_MAX_NAME], pubhex[65];
	uint8_t *seed = NULL;
	int fd = -1;
	enum dt_err err;

	memset(&l, 0, sizeof(l));
	if (sodium_init() < 0)
		return DT_EINVAL;
	if (!note_name_valid(party) || !note_name_valid(origin)) {
		dt_diag_set(diag, NULL, 0,
		            "party '%s' and origin '%s' must be non-empty, without spaces or '+'",
		            party, origin);
		return DT_EINVAL;
	}
	if ((err = open_db(&l, db, true, diag)))
		goto out;
	if (meta_get(&l, "party", existing, sizeof(existing))) {
		dt_diag_set(
		    diag, db, 0,
		    "already initialised for party '%s'; refusing to overwrite its identity",
		    existing);
		err = DT_EEXIST;
		goto out;
	}
	if ((err = mkdir_p(l.dir, diag)))
		goto out;
	snprintf(keypath, sizeof(keypath), "%s/ed25519.key", l.dir);
	fd = open(keypath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		dt_diag_set(diag, keypath, 0,
		            errno == EEXIST ? "a key already exists; refusing to overwrite it"
		                            : "cannot create key file: %s",
		            strerror(errno));
		err = errno == EEXIST ? DT_EEXIST : DT_EIO;
		goto out;
	}
	if ((seed = sodium_malloc(32)) == NULL || (l.sk = sodium_malloc(64)) == NULL ||
	    (l.csk = sodium_malloc(64)) == NULL) {
		err = DT_ENOMEM;
		goto out;
	}
	randombytes_buf(seed, 32);
	if (write(fd, seed, 32) != 32 || fsync(fd) < 0) {
		dt_diag_set(diag, keypath, 0, "cannot write key: %s", strerror(errno));
		unlink(keypath);
		err = DT_EIO;
		goto out;
	}
	derive_keys(seed, l.pub, l.sk, l.cpub, l.csk);
	dt_hex_encode(l.pub, 32, pubhex);
	{
		char now[40];

		ledger_now(now, sizeof(now));
		if ((err = ledger_exec(&l, "BEGIN IMMEDIATE", diag)) ||
		    (err = meta_set(&l, "party", party, diag)) ||
		    (err = meta_set(&l, "origin", origin, diag)) ||
		    (err = meta_set(&l, "public_key", pubhex, diag)) ||
		    (err = meta_set(&l, "created", now, diag)) ||
		    (err = ledger_exec(&l, "COMMIT", diag))) {
			unlink(keypath);
			goto out;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	sodium_free(seed);
	release(&l);
	return err;
}

enum dt_err ledger_open(const char *db, struct ledger **out, struct dt_diag *diag)
{
	struct ledger *l;
	char keypath[1200], pubhex[80], want[65];
	uint8_t *seed = NULL;
	struct stat st;
	int fd = -1;
	enum dt_err err;

	*out = NULL;
	if (sodium_init() < 0)
		return DT_EINVAL;
	if (stat(db, &st) < 0) {
		dt_diag_set(diag, db, 0, "no node here; run 'detente init --party NAME' first");
		return DT_ENOTFOUND;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return DT_ENOMEM;
	if ((err = open_db(l, db, false, diag)))
		goto out;
	if (!meta_get(l, "party", l->party, sizeof(l->party)) ||
	    !meta_get(l, "origin", l->origin, sizeof(l->origin)) ||
	    !meta_get(l, "public_key", pubhex, sizeof(pubhex))) {
		dt_diag_set(diag, db, 0,
		            "node has no identity; run 'detente init --party NAME' first");
		err = DT_ENOTFOUND;
		goto out;
	}
	snprintf(keypath, sizeof(keypath), "%s/ed25519.key", l->dir);
	fd = open(keypath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size != 32) {
		dt_diag_set(diag, keypath, 0, "cannot read the node's key: %s",
		            fd < 0 ? strerror(errno) : "not 32 bytes");
		err = DT_EIO;
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		dt_diag_set(diag, keypath, 0,
		            "key file is accessible to others (mode %03o); chmod 600 it",
		            (unsigned)(st.st_mode & 0777));
		err = DT_EINVAL;
		goto out;
	}
	if ((seed = sodium_malloc(32)) == NULL || (l->sk = sodium_malloc(64)) == NULL ||
	    (l->csk = sodium_malloc(64)) == NULL) {
		err = DT_ENOMEM;
		goto out;
	}
	if (read(fd, seed, 32) != 32) {
		dt_diag_set(diag, keypath, 0, "cannot read the node's key");
		err = DT_EIO;
		goto out;
	}
	derive_keys(seed, l->pub, l->sk, l->cpub, l->csk);
	dt_hex_encode(l->pub, 32, want);
	if (strcmp(want, pubhex) != 0) {
		dt_diag_set(diag, keypath, 0, "key does not match the node's recorded public key");
		err = DT_EFORMAT;
		goto out;
	}
	if ((l->cache = calloc(LEDGER_CACHE_SLOTS, sizeof(*l->cache))) == NULL) {
		err = DT_ENOMEM;
		goto out;
	}
	if (sqlite3_prepare_v2(l->db, "SELECT hash FROM tree WHERE level = ?1 AND idx = ?2", -1,
	                       &l->get_hash, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db, "SELECT leaf FROM entries WHERE idx = ?1", -1, &l->get_entry,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db, "SELECT note FROM checkpoints WHERE size = ?1", -1,
	                       &l->get_cp, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db, "SELECT COALESCE(MAX(idx) + 1, 0) FROM entries", -1,
	                       &l->get_size, NULL) != SQLITE_OK) {
		err = ledger_exec(l, "SELECT 1 FROM tree LIMIT 0", diag);
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	sodium_free(seed);
	if (err) {
		release(l);
		free(l);
		return err;
	}
	*out = l;
	return DT_OK;
}

void ledger_close(struct ledger *l)
{
	if (l == NULL)
		return;
	release(l);
	free(l);
}

const char *ledger_party(const struct ledger *l)
{
	return l->party;
}

const char *ledger_origin(const struct ledger *l)
{
	return l->origin;
}

enum dt_err ledger_vkey(const struct ledger *l, bool cosigner, struct strbuf *out)
{
	struct note_verifier v;

	if (note_verifier_init(&v, l->origin, cosigner ? NOTE_TYPE_COSIG : NOTE_TYPE_ED25519,
	                       cosigner ? l->cpub : l->pub))
		return DT_EINVAL;
	return note_vkey_format(&v, out);
}
