/*
 * private.c — node state that never leaves the node: the pseudonymization
 * key, the home domains, and the clear ingest parameters of the node's own
 * submissions (see ledger.h).
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"
#include "ledger/ledger_int.h"

const char *ledger_dir(const struct ledger *l)
{
	return l->dir;
}

void ledger_privacy_key(const struct ledger *l, uint8_t key[64])
{
	static const char label[] = "detente privacy key v1";

	/* libsodium's Ed25519 secret key is seed || public key */
	crypto_generichash(key, 64, (const uint8_t *)label, sizeof(label) - 1, l->sk, 32);
}

static enum dt_err db_error(struct ledger *l, struct dt_diag *diag)
{
	dt_diag_set(diag, l->path, 0, "database: %s", sqlite3_errmsg(l->db));
	return DT_EIO;
}

static bool host_name(const char *d)
{
	size_t n = strlen(d);

	if (n == 0 || n > 253 || d[0] == '.' || d[n - 1] == '.' || strstr(d, ".."))
		return false;
	for (; *d; d++)
		if (!((*d >= 'a' && *d <= 'z') || (*d >= '0' && *d <= '9') || *d == '-' ||
		      *d == '.' || *d == '_'))
			return false;
	return true;
}

/* lower case, no trailing dot */
static void norm(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in && n + 1 < size; in++)
		out[n++] = (char)(*in >= 'A' && *in <= 'Z' ? *in + 32 : *in);
	while (n && out[n - 1] == '.')
		n--;
	out[n] = '\0';
}

enum dt_err ledger_home_domain_add(struct ledger *l, const char *domain, struct dt_diag *diag)
{
	sqlite3_stmt *st;
	char d[300], now[40];
	int rc;

	norm(domain, d, sizeof(d));
	if (!host_name(d)) {
		dt_diag_set(diag, NULL, 0, "'%s' is not a domain name", domain);
		return DT_EPARSE;
	}
	ledger_now(now, sizeof(now));
	if (sqlite3_prepare_v2(l->db,
	                       "INSERT OR IGNORE INTO home_domains(domain, added) VALUES(?1, ?2)",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_error(l, diag);
	sqlite3_bind_text(st, 1, d, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? DT_OK : db_error(l, diag);
}

enum dt_err ledger_home_domain_remove(struct ledger *l, const char *domain, struct dt_diag *diag)
{
	sqlite3_stmt *st;
	char d[300];
	int rc;

	norm(domain, d, sizeof(d));
	if (sqlite3_prepare_v2(l->db, "DELETE FROM home_domains WHERE domain = ?1", -1, &st,
	                       NULL) != SQLITE_OK)
		return db_error(l, diag);
	sqlite3_bind_text(st, 1, d, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(l, diag);
	if (sqlite3_changes(l->db) == 0) {
		dt_diag_set(diag, NULL, 0, "'%s' is not a home domain", domain);
		return DT_ENOTFOUND;
	}
	return DT_OK;
}

enum dt_err ledger_home_domains(struct ledger *l, struct strbuf *out, struct dt_diag *diag)
{
	sqlite3_stmt *st;
	enum dt_err err = DT_OK;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(l->db, "SELECT domain FROM home_domains ORDER BY domain", -1, &st,
	                       NULL) != SQLITE_OK)
		return db_error(l, diag);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW)
		err = strbuf_addf(out, "%s\n", (const char *)sqlite3_column_text(st, 0));
	if (!err && rc != SQLITE_DONE)
		err = db_error(l, diag);
	sqlite3_finalize(st);
	return err;
}

enum dt_err ledger_private_about_set(struct ledger *l, const uint8_t sha256[32], const char *about,
                                     struct dt_diag *diag)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(
	        l->db, "INSERT OR REPLACE INTO private_about(payload, about) VALUES(?1, ?2)", -1,
	        &st, NULL) != SQLITE_OK)
		return db_error(l, diag);
	sqlite3_bind_blob(st, 1, sha256, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, about, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? DT_OK : db_error(l, diag);
}

enum dt_err ledger_private_about_get(struct ledger *l, const uint8_t sha256[32], char *out,
                                     size_t size)
{
	sqlite3_stmt *st;
	enum dt_err err = DT_ENOTFOUND;

	if (sqlite3_prepare_v2(l->db, "SELECT about FROM private_about WHERE payload = ?1", -1, &st,
	                       NULL) != SQLITE_OK)
		return DT_EIO;
	sqlite3_bind_blob(st, 1, sha256, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
		err = DT_OK;
	}
	sqlite3_finalize(st);
	return err;
}

enum dt_err ledger_own_entries(struct ledger *l, const char *kind, struct ledger_own_entry **out,
                               size_t *n, struct dt_diag *diag)
{
	struct ledger_own_entry *v = NULL;
	size_t cap = 0, k = 0;
	sqlite3_stmt *st;
	enum dt_err err = DT_OK;
	int rc = SQLITE_DONE;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(l->db, "SELECT idx, leaf FROM entries WHERE kind = ?1 ORDER BY idx",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_error(l, diag);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k == cap) {
			struct ledger_own_entry *nv;

			cap = cap ? cap * 2 : 64;
			if (!(nv = realloc(v, cap * sizeof(*v)))) {
				err = DT_ENOMEM;
				break;
			}
			v = nv;
		}
		v[k].idx = (uint64_t)sqlite3_column_int64(st, 0);
		err = ledger_entry_parse(sqlite3_column_blob(st, 1),
		                         (size_t)sqlite3_column_bytes(st, 1), &v[k].e, diag);
		k++;
	}
	if (!err && rc != SQLITE_DONE)
		err = db_error(l, diag);
	sqlite3_finalize(st);
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	*n = k;
	return DT_OK;
}
