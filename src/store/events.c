/*
 * events.c — the embedded event store: one SQLite table, written through
 * prepared statements inside the caller's transaction, read back as JSON
 * lines or TSV in time order.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

struct store {
	sqlite3 *db;
	sqlite3_stmt *ins, *ins_sub, *get_sub;
	char path[1024];
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS submissions(sha256 BLOB PRIMARY KEY, entry INTEGER NOT NULL,"
    " format TEXT NOT NULL, victim TEXT, name TEXT, records INTEGER, events INTEGER,"
    " rejected INTEGER, ingested TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
    " src TEXT, sport INTEGER, dst TEXT, dport INTEGER, proto INTEGER, kind TEXT NOT NULL,"
    " remote TEXT, victim TEXT, sector TEXT, country TEXT, asn INTEGER, as_org TEXT,"
    " network TEXT, flags TEXT, signature TEXT, signature_id INTEGER, severity INTEGER,"
    " domain TEXT, url TEXT, user_agent TEXT, ja3 TEXT, ja3s TEXT, cert_sha1 TEXT,"
    " cert_sha256 TEXT, md5 TEXT, sha1 TEXT, sha256 TEXT, uid TEXT, service TEXT, state TEXT,"
    " duration INTEGER, orig_bytes INTEGER, resp_bytes INTEGER, orig_pkts INTEGER,"
    " resp_pkts INTEGER, submission TEXT NOT NULL, record INTEGER NOT NULL,"
    " entry INTEGER NOT NULL, refdata TEXT);"
    "CREATE INDEX IF NOT EXISTS events_ts ON events(ts);"
    "CREATE INDEX IF NOT EXISTS events_victim ON events(victim, ts);";

/* Column order of the insert and of the select. */
static const char *const cols[] = {
    "ts",          "src",      "sport",      "dst",        "dport",        "proto",
    "kind",        "remote",   "victim",     "sector",     "country",      "asn",
    "as_org",      "network",  "flags",      "signature",  "signature_id", "severity",
    "domain",      "url",      "user_agent", "ja3",        "ja3s",         "cert_sha1",
    "cert_sha256", "md5",      "sha1",       "sha256",     "uid",          "service",
    "state",       "duration", "orig_bytes", "resp_bytes", "orig_pkts",    "resp_pkts",
    "submission",  "record",   "entry",      "refdata",
};
#define NCOLS (sizeof(cols) / sizeof(*cols))

static enum dt_err dberr(struct store *s, struct dt_diag *diag)
{
	dt_diag_set(diag, s->path, 0, "database: %s", sqlite3_errmsg(s->db));
	return DT_EIO;
}

enum dt_err store_open(const char *db, struct store **out, struct dt_diag *diag)
{
	struct store *s = calloc(1, sizeof(*s));
	char sql[2048], *msg = NULL;
	size_t n;

	*out = NULL;
	if (s == NULL)
		return DT_ENOMEM;
	snprintf(s->path, sizeof(s->path), "%s", db);
	if (sqlite3_open_v2(db, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		dt_diag_set(diag, db, 0, "cannot open database");
		store_close(s);
		return DT_EIO;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		dt_diag_set(diag, db, 0, "database: %s", msg ? msg : "schema");
		sqlite3_free(msg);
		store_close(s);
		return DT_EIO;
	}
	n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO events(");
	for (size_t i = 0; i < NCOLS; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s%s", i ? "," : "", cols[i]);
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, ") VALUES(");
	for (size_t i = 0; i < NCOLS; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s?%zu", i ? "," : "", i + 1);
	snprintf(sql + n, sizeof(sql) - n, ")");
	if (sqlite3_prepare_v2(s->db, sql, -1, &s->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
	        s->db,
	        "INSERT INTO submissions(sha256, entry, format, victim, name, records,"
	        " events, rejected, ingested) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
	        -1, &s->ins_sub, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT entry FROM submissions WHERE sha256 = ?1", -1,
	                       &s->get_sub, NULL) != SQLITE_OK) {
		enum dt_err err = dberr(s, diag);

		store_close(s);
		return err;
	}
	*out = s;
	return DT_OK;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->ins);
	sqlite3_finalize(s->ins_sub);
	sqlite3_finalize(s->get_sub);
	sqlite3_close(s->db);
	free(s);
}

bool store_submission(struct store *s, const uint8_t sha256[32], uint64_t *entry)
{
	bool found = false;

	sqlite3_bind_blob(s->get_sub, 1, sha256, 32, SQLITE_STATIC);
	if (sqlite3_step(s->get_sub) == SQLITE_ROW) {
		*entry = (uint64_t)sqlite3_column_int64(s->get_sub, 0);
		found = true;
	}
	sqlite3_reset(s->get_sub);
	return found;
}

enum dt_err store_begin(struct store *s, struct dt_diag *diag)
{
	return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK
	           ? DT_OK
	           : dberr(s, diag);
}

enum dt_err store_commit(struct store *s, struct dt_diag *diag)
{
	return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? DT_OK
	                                                                    : dberr(s, diag);
}

void store_rollback(struct store *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static void bind_str(sqlite3_stmt *st, int i, const struct dt_str *v)
{
	if (v->len)
		sqlite3_bind_text(st, i, v->p, (int)v->len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_num(sqlite3_stmt *st, int i, int64_t v)
{
	if (v >= 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static void bind_cstr(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

enum dt_err store_add_event(struct store *s, const struct store_event *e, struct dt_diag *diag)
{
	const struct event *ev = e->ev;
	sqlite3_stmt *st = s->ins;
	char src[DT_IP_STRLEN] = "", dst[DT_IP_STRLEN] = "", net[DT_IP_STRLEN] = "";
	int i = 1;

	if (ev->has_src)
		dt_ip_format(&ev->src, src);
	if (ev->has_dst)
		dt_ip_format(&ev->dst, dst);
	if (e->geo)
		dt_prefix_format(&e->geo->network, net);
	sqlite3_bind_int64(st, i++, ev->ts_us);
	bind_cstr(st, i++, src);
	bind_num(st, i++, ev->sport);
	bind_cstr(st, i++, dst);
	bind_num(st, i++, ev->dport);
	bind_num(st, i++, ev->proto);
	bind_cstr(st, i++, ev->kind);
	bind_cstr(st, i++, e->remote == 1 ? src : e->remote == 2 ? dst : NULL);
	bind_cstr(st, i++, e->victim);
	bind_cstr(st, i++, e->sector);
	bind_cstr(st, i++, e->geo ? e->geo->country : NULL);
	bind_num(st, i++, e->geo && e->geo->asn ? (int64_t)e->geo->asn : -1);
	bind_cstr(st, i++, e->geo ? e->geo->as_org : NULL);
	bind_cstr(st, i++, e->geo ? net : NULL);
	bind_cstr(st, i++, e->geo ? e->flags : NULL);
	bind_str(st, i++, &ev->signature);
	bind_num(st, i++, ev->signature_id);
	bind_num(st, i++, ev->severity);
	bind_str(st, i++, &ev->domain);
	bind_str(st, i++, &ev->url);
	bind_str(st, i++, &ev->user_agent);
	bind_str(st, i++, &ev->ja3);
	bind_str(st, i++, &ev->ja3s);
	bind_str(st, i++, &ev->cert_sha1);
	bind_str(st, i++, &ev->cert_sha256);
	bind_str(st, i++, &ev->md5);
	bind_str(st, i++, &ev->sha1);
	bind_str(st, i++, &ev->sha256);
	bind_str(st, i++, &ev->uid);
	bind_str(st, i++, &ev->service);
	bind_str(st, i++, &ev->state);
	bind_num(st, i++, ev->duration_us);
	bind_num(st, i++, ev->orig_bytes);
	bind_num(st, i++, ev->resp_bytes);
	bind_num(st, i++, ev->orig_pkts);
	bind_num(st, i++, ev->resp_pkts);
	bind_cstr(st, i++, e->submission);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)ev->record);
	sqlite3_bind_int64(st, i++, (sqlite3_int64)e->entry);
	bind_cstr(st, i++, e->refdata);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return dberr(s, diag);
	}
	sqlite3_reset(st);
	return DT_OK;
}

enum dt_err store_add_submission(struct store *s, const struct store_submission_row *r,
                                 struct dt_diag *diag)
{
	sqlite3_stmt *st = s->ins_sub;
	char now[40];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sqlite3_bind_blob(st, 1, r->sha256, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)r->entry);
	bind_cstr(st, 3, r->format);
	bind_cstr(st, 4, r->victim);
	bind_cstr(st, 5, r->name);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)r->records);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)r->events);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)r->rejected);
	sqlite3_bind_text(st, 9, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return dberr(s, diag);
	}
	sqlite3_reset(st);
	return DT_OK;
}

const char store_tsv_header[] =
    "ts\tsrc\tsport\tdst\tdport\tproto\tkind\tremote\tvictim\tcountry\tasn\tas_org\tflags\t"
    "signature\tdomain\tsubmission\trecord\n";

/* Columns of the contract, in output order, as indexes into cols[]. */
static const int out_cols[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 14, 15, 18, 36, 37};
/* Extra JSON fields after the contract's. */
static const int extra_cols[] = {9,  13, 16, 17, 19, 20, 21, 22, 23, 24, 25, 26,
                                 27, 28, 29, 30, 31, 32, 33, 34, 35, 38, 39};

static void ts_format(int64_t us, char *buf, size_t size)
{
	time_t sec = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
	long frac = (long)(us - (int64_t)sec * 1000000);
	struct tm tm;
	char base[32];

	gmtime_r(&sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06ldZ", base, frac);
}

static enum dt_err json_field(struct strbuf *b, sqlite3_stmt *st, int c, bool first)
{
	const char *name = cols[c];
	enum dt_err err = strbuf_addf(b, "%s\"%s\":", first ? "" : ",", name);
	int type = sqlite3_column_type(st, c);

	if (err)
		return err;
	if (type == SQLITE_NULL) {
		if (c == 14)
			return strbuf_adds(b, "[]"); /* flags: always an array */
		return strbuf_adds(b, "null");
	}
	if (c == 0) {
		char t[48];

		ts_format(sqlite3_column_int64(st, c), t, sizeof(t));
		return strbuf_addf(b, "\"%s\"", t);
	}
	if (c == 14) {
		const char *f = (const char *)sqlite3_column_text(st, c);

		if ((err = strbuf_addc(b, '[')))
			return err;
		while (*f) {
			size_t n = strcspn(f, ",");

			err = strbuf_addc(b, '"');
			err = err ? err : strbuf_add_json(b, f, n);
			err = err ? err : strbuf_addc(b, '"');
			f += n;
			if (*f == ',') {
				f++;
				err = err ? err : strbuf_addc(b, ',');
			}
			if (err)
				return err;
		}
		return strbuf_addc(b, ']');
	}
	if (type == SQLITE_INTEGER)
		return strbuf_addf(b, "%lld", (long long)sqlite3_column_int64(st, c));
	err = strbuf_addc(b, '"');
	err = err ? err
	          : strbuf_add_json(b, (const char *)sqlite3_column_text(st, c),
	                            (size_t)sqlite3_column_bytes(st, c));
	return err ? err : strbuf_addc(b, '"');
}

static enum dt_err tsv_field(struct strbuf *b, sqlite3_stmt *st, int c)
{
	if (sqlite3_column_type(st, c) == SQLITE_NULL)
		return strbuf_addc(b, '-');
	if (c == 0) {
		char t[48];

		ts_format(sqlite3_column_int64(st, c), t, sizeof(t));
		return strbuf_adds(b, t);
	}
	const char *v = (const char *)sqlite3_column_text(st, c);
	for (; *v; v++) {
		enum dt_err err =
		    strbuf_addc(b, (*v == '\t' || *v == '\n' || *v == '\r') ? ' ' : *v);

		if (err)
			return err;
	}
	return DT_OK;
}

enum dt_err store_events(struct store *s, const struct store_query *q, store_row_fn *row, void *ctx,
                         struct dt_diag *diag)
{
	char sql[2048];
	size_t n = (size_t)snprintf(sql, sizeof(sql), "SELECT ");
	sqlite3_stmt *st;
	struct strbuf b;
	enum dt_err err = DT_OK;
	int rc;

	for (size_t i = 0; i < NCOLS; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s%s", i ? "," : "", cols[i]);
	snprintf(sql + n, sizeof(sql) - n,
	         " FROM events WHERE ts >= ?1 AND ts <= ?2 AND (?3 IS NULL OR victim = ?3)"
	         " ORDER BY ts, id");
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return dberr(s, diag);
	sqlite3_bind_int64(st, 1, q->since_us);
	sqlite3_bind_int64(st, 2, q->until_us);
	if (q->victim)
		sqlite3_bind_text(st, 3, q->victim, -1, SQLITE_STATIC);
	strbuf_init(&b, 1u << 20);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_reset(&b);
		if (q->tsv) {
			for (size_t i = 0; i < sizeof(out_cols) / sizeof(*out_cols) && !err; i++) {
				if (i)
					err = strbuf_addc(&b, '\t');
				err = err ? err : tsv_field(&b, st, out_cols[i]);
			}
		} else {
			err = strbuf_addc(&b, '{');
			for (size_t i = 0; i < sizeof(out_cols) / sizeof(*out_cols) && !err; i++)
				err = json_field(&b, st, out_cols[i], i == 0);
			for (size_t i = 0; i < sizeof(extra_cols) / sizeof(*extra_cols) && !err;
			     i++)
				err = json_field(&b, st, extra_cols[i], false);
			err = err ? err : strbuf_addc(&b, '}');
		}
		err = err ? err : strbuf_addc(&b, '\n');
		if (err || (err = row(ctx, b.p, b.len)))
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = dberr(s, diag);
	sqlite3_finalize(st);
	strbuf_release(&b);
	return err;
}
