/*
 * db.c — the intel tables and the import driver (see db.h).
 *
 * Order of operations, as for telemetry (ingest/submit.c): the file is
 * copied into the payload store while it is hashed; a source already in
 * the database ends the import; otherwise the ledger entry is appended,
 * then every row of the file is written in one transaction.  A crash in
 * between leaves an entry without rows; importing the file again finds the
 * entry (the ledger dedups by digest) and writes the rows then.
 *
 * An indicator is one row.  Its first atom is in (type, value) — most
 * indicators have one — and, when it has more, all of them are in `atoms`
 * as lines "obs conj type value" (normalized values hold no control
 * characters, so the encoding needs no escapes).  A type ending in "~" is
 * a member of a list the object holds any of (`domain-name:resolves_to_refs
 * [*].value = 'a' AND ... = 'b'`: the domain resolves to a and b; an event
 * shows one of them).
 */
#include "intel/db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/file.h"
#include "core/hex.h"
#include "core/uuid.h"
#include "intel/normalize.h"

/* The namespace of the ids detente derives for indicators that come
 * without one (uuid_v5 of "type|value"). */
#define DETENTE_NS "1b6a2d7e-5c3f-4e8a-9d1b-7f2e6c4a8b30"

#define INTEL_MAX_FILE (4ull << 30)

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    /* an import of a million indicators touches a few hundred MB of table
     * and index pages: with SQLite's default 2 MB cache they are written
     * and read back again and again */
    "PRAGMA cache_size=-262144;"
    "CREATE TABLE IF NOT EXISTS intel_sources(id INTEGER PRIMARY KEY,"
    " sha256 BLOB NOT NULL UNIQUE, entry INTEGER NOT NULL, format TEXT NOT NULL, name TEXT,"
    " tlp TEXT NOT NULL, indicators INTEGER, objects INTEGER, relations INTEGER,"
    " unsupported INTEGER, rejected INTEGER, imported TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS indicators(id INTEGER PRIMARY KEY,"
    " source INTEGER NOT NULL REFERENCES intel_sources(id), stix_id TEXT,"
    " name TEXT, description TEXT, pattern TEXT, valid_from TEXT, valid_until TEXT,"
    " tlp TEXT NOT NULL, labels TEXT, score INTEGER, benign INTEGER NOT NULL,"
    " mode INTEGER NOT NULL, unsupported TEXT, flags TEXT, record INTEGER,"
    " type TEXT, value TEXT, atoms TEXT);"
    "CREATE TABLE IF NOT EXISTS intel_objects(source INTEGER NOT NULL, stix_id TEXT NOT NULL,"
    " type TEXT NOT NULL, name TEXT, aliases TEXT, country TEXT, tlp TEXT,"
    " PRIMARY KEY(stix_id, source));"
    "CREATE TABLE IF NOT EXISTS intel_relations(source INTEGER NOT NULL, stix_id TEXT,"
    " type TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS intel_relations_src ON intel_relations(src);"
    "CREATE INDEX IF NOT EXISTS intel_relations_dst ON intel_relations(dst);"
    "CREATE INDEX IF NOT EXISTS intel_objects_id ON intel_objects(stix_id);";

struct intel_db {
	sqlite3 *db;
	sqlite3_stmt *ins_src, *upd_src, *get_src, *ins_ind, *ins_obj, *ins_rel;
	char path[1024];
};

const char *const intel_tlp_names[5] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};

int intel_tlp_rank(const char *s, size_t n)
{
	if (s == NULL)
		return -1;
	if (n > 4 && strncasecmp(s, "TLP:", 4) == 0)
		s += 4, n -= 4;
	for (int i = 0; i < 5; i++)
		if (strlen(intel_tlp_names[i]) == n && strncasecmp(s, intel_tlp_names[i], n) == 0)
			return i;
	if (n == 5 && strncasecmp(s, "WHITE", 5) == 0)
		return 0;
	return -1;
}

static void sql_id(sqlite3_context *c, int argc, sqlite3_value **v);
static void sql_pattern(sqlite3_context *c, int argc, sqlite3_value **v);

static enum dt_err dberr(struct intel_db *x, struct dt_diag *diag)
{
	dt_diag_set(diag, x->path, 0, "database: %s", sqlite3_errmsg(x->db));
	return DT_EIO;
}

enum dt_err intel_db_open(const char *db, struct intel_db **out, struct dt_diag *diag)
{
	struct intel_db *x = calloc(1, sizeof(*x));
	char *msg = NULL;

	*out = NULL;
	if (x == NULL)
		return DT_ENOMEM;
	snprintf(x->path, sizeof(x->path), "%s", db);
	if (sqlite3_open_v2(db, &x->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		dt_diag_set(diag, db, 0, "cannot open database");
		intel_db_close(x);
		return DT_EIO;
	}
	sqlite3_busy_timeout(x->db, 10000);
	sqlite3_create_function(x->db, "detente_id", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                        sql_id, NULL, NULL);
	sqlite3_create_function(x->db, "detente_pattern", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
	                        NULL, sql_pattern, NULL, NULL);
	if (sqlite3_exec(x->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		dt_diag_set(diag, db, 0, "database: %s", msg ? msg : "schema");
		sqlite3_free(msg);
		intel_db_close(x);
		return DT_EIO;
	}
	if (sqlite3_prepare_v2(x->db,
	                       "INSERT INTO intel_sources(sha256, entry, format, name, tlp,"
	                       " imported) VALUES(?1,?2,?3,?4,?5,?6)",
	                       -1, &x->ins_src, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(x->db,
	                       "UPDATE intel_sources SET indicators=?2, objects=?3, relations=?4,"
	                       " unsupported=?5, rejected=?6 WHERE id=?1",
	                       -1, &x->upd_src, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(x->db, "SELECT entry FROM intel_sources WHERE sha256=?1", -1,
	                       &x->get_src, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
	        x->db,
	        "INSERT INTO indicators(source, stix_id, name, description,"
	        " pattern, valid_from, valid_until, tlp, labels, score, benign, mode,"
	        " unsupported, flags, record, type, value, atoms)"
	        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,"
	        "?17,?18)",
	        -1, &x->ins_ind, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(x->db,
	                       "INSERT OR REPLACE INTO intel_objects(source, stix_id, type, name,"
	                       " aliases, country, tlp) VALUES(?1,?2,?3,?4,?5,?6,?7)",
	                       -1, &x->ins_obj, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(x->db,
	                       "INSERT INTO intel_relations(source, stix_id, type, src, dst)"
	                       " VALUES(?1,?2,?3,?4,?5)",
	                       -1, &x->ins_rel, NULL) != SQLITE_OK) {
		enum dt_err err = dberr(x, diag);

		intel_db_close(x);
		return err;
	}
	*out = x;
	return DT_OK;
}

void intel_db_close(struct intel_db *x)
{
	if (x == NULL)
		return;
	sqlite3_finalize(x->ins_src);
	sqlite3_finalize(x->upd_src);
	sqlite3_finalize(x->get_src);
	sqlite3_finalize(x->ins_ind);
	sqlite3_finalize(x->ins_obj);
	sqlite3_finalize(x->ins_rel);
	sqlite3_close(x->db);
	free(x);
}

struct sqlite3 *intel_db_handle(struct intel_db *x)
{
	return x->db;
}

/* ---- the sink: normalize and insert ----------------------------------- */

/* Keys seen in one import (ids, or "type|value|labels" for indicators
 * without one): repeated records are stored once.  Open addressing over
 * 64-bit hashes, keys in an arena for the comparison. */
struct keyset {
	uint64_t *h;
	uint32_t *off;
	size_t n, cap;
	struct strbuf arena;
};

static uint64_t hash64(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

/* True when key was there already; adds it otherwise (false on ENOMEM
 * too: a repeat then gets stored twice, never lost). */
static bool keyset_seen(struct keyset *k, const char *key, size_t n)
{
	uint64_t h = hash64(key, n) | 1;
	size_t i;

	if (2 * (k->n + 1) > k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 4096;
		uint64_t *nh = calloc(cap, sizeof(*nh));
		uint32_t *no = malloc(cap * sizeof(*no));

		if (nh == NULL || no == NULL) {
			free(nh);
			free(no);
			return false;
		}
		for (size_t j = 0; j < k->cap; j++) {
			if (!k->h[j])
				continue;
			for (i = k->h[j] & (cap - 1); nh[i]; i = (i + 1) & (cap - 1))
				;
			nh[i] = k->h[j];
			no[i] = k->off[j];
		}
		free(k->h);
		free(k->off);
		k->h = nh;
		k->off = no;
		k->cap = cap;
	}
	for (i = h & (k->cap - 1); k->h[i]; i = (i + 1) & (k->cap - 1)) {
		const char *p = k->arena.p + k->off[i];

		if (k->h[i] == h && strlen(p) == n && memcmp(p, key, n) == 0)
			return true;
	}
	if (k->arena.len + n + 1 > UINT32_MAX)
		return false;
	k->h[i] = h;
	k->off[i] = (uint32_t)k->arena.len;
	if (strbuf_add(&k->arena, key, n) || strbuf_addc(&k->arena, '\0')) {
		k->h[i] = 0;
		return false;
	}
	k->n++;
	return false;
}

static void keyset_release(struct keyset *k)
{
	free(k->h);
	free(k->off);
	strbuf_release(&k->arena);
}

struct imp {
	struct intel_db *x;
	struct intel_import_result *r;
	const char *name;
	const char *tlp; /* the import's default */
	sqlite3_int64 src;
	void (*warn)(void *, const struct dt_diag *);
	void *wctx;
	struct strbuf norm, atoms, pattern, id, tmp;
	struct keyset seen;
	enum dt_err err;
	struct dt_diag *diag;
};

static void bind_str(sqlite3_stmt *st, int i, struct dt_str s)
{
	if (s.len)
		sqlite3_bind_text(st, i, s.p, (int)s.len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void warnf(struct imp *m, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warnf(struct imp *m, uint64_t line, const char *fmt, ...)
{
	struct dt_diag d;
	va_list ap;

	dt_diag_clear(&d);
	snprintf(d.file, sizeof(d.file), "%s", m->name);
	d.line = (unsigned long)line;
	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof(d.msg), fmt, ap);
	va_end(ap);
	m->r->warnings++;
	if (m->warn)
		m->warn(m->wctx, &d);
}

/* Private, shared, loopback, link-local, documentation, multicast and
 * reserved space (RFC 6890 and successors): an indicator there names a
 * victim's own host or a mistake, never an attacker on the Internet. */
static const char *const special_nets[] = {
    "0.0.0.0/8",       "10.0.0.0/8",     "100.64.0.0/10", "127.0.0.0/8",    "169.254.0.0/16",
    "172.16.0.0/12",   "192.0.0.0/24",   "192.0.2.0/24",  "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3",   "::/128",         "::1/128",
    "fc00::/7",        "fe80::/10",      "2001:db8::/32", "ff00::/8",
};
#define NSPECIAL (sizeof(special_nets) / sizeof(*special_nets))
static struct dt_prefix special_pfx[NSPECIAL];
static pthread_once_t special_once = PTHREAD_ONCE_INIT;

static void special_init(void)
{
	for (size_t i = 0; i < NSPECIAL; i++)
		dt_prefix_parse(special_nets[i], strlen(special_nets[i]), &special_pfx[i], NULL);
}

bool intel_special_prefix(const struct dt_prefix *p)
{
	pthread_once(&special_once, special_init);
	for (size_t i = 0; i < NSPECIAL; i++) {
		const struct dt_prefix *q = &special_pfx[i];

		if (q->ip.family == p->ip.family && p->len >= q->len &&
		    (p->ip.addr & dt_ip_mask(q->ip.family, q->len)) == q->ip.addr)
			return true;
	}
	return false;
}

bool intel_special(enum ind_type t, const char *v)
{
	struct dt_prefix p;

	(void)t;
	return dt_prefix_parse(v, strlen(v), &p, NULL) == DT_OK && intel_special_prefix(&p);
}

/* A STIX pattern for an indicator that came without one. */
static void make_pattern(struct strbuf *b, enum ind_type t, const char *v, struct dt_str raw)
{
	static const char *const path[IT_NTYPES] = {
	    [IT_IPV4] = "ipv4-addr:value",
	    [IT_IPV6] = "ipv6-addr:value",
	    [IT_DOMAIN] = "domain-name:value",
	    [IT_URL] = "url:value",
	    [IT_MD5] = "file:hashes.MD5",
	    [IT_SHA1] = "file:hashes.'SHA-1'",
	    [IT_SHA256] = "file:hashes.'SHA-256'",
	    [IT_SHA512] = "file:hashes.'SHA-512'",
	    [IT_CERT_SHA1] = "x509-certificate:hashes.'SHA-1'",
	    [IT_CERT_SHA256] = "x509-certificate:hashes.'SHA-256'",
	    [IT_JA3] = "network-traffic:extensions.'x-ja3'.hash",
	    [IT_EMAIL] = "email-addr:value",
	    [IT_OTHER] = "x-detente-other:value",
	};
	const char *p = path[t] ? path[t] : path[IT_OTHER];

	strbuf_reset(b);
	strbuf_addc(b, '[');
	strbuf_adds(b, p);
	strbuf_adds(b, t == IT_IPV4 || t == IT_IPV6 ? (strchr(v, '/') ? " ISSUBSET '" : " = '")
	                                            : " = '");
	/* a URL keeps a scheme in STIX (url:value is an RFC 3986 URL) */
	if (t == IT_URL) {
		if (memmem(raw.p, raw.len, "://", 3) == NULL)
			strbuf_adds(b, "http://");
		v = NULL;
	}
	for (const char *s = v ? v : raw.p, *e = v ? v + strlen(v) : raw.p + raw.len; s < e; s++) {
		if (*s == '\'' || *s == '\\')
			strbuf_addc(b, '\\');
		strbuf_addc(b, *s);
	}
	strbuf_adds(b, "']");
}

bool intel_derived_id(const char *type, const char *value, const char *labels, char out[48])
{
	char buf[INTEL_MAX_VALUE + 1200], u[37];
	int n = snprintf(buf, sizeof(buf), "%s|%s|%s", type ? type : "", value ? value : "",
	                 labels ? labels : "");

	if (n < 0 || (size_t)n >= sizeof(buf) || !uuid_v5(DETENTE_NS, buf, (size_t)n, u))
		return false;
	snprintf(out, 48, "indicator--%s", u);
	return true;
}

/* SQL detente_id(type, value, labels): the id of an indicator that came
 * without one. */
static void sql_id(sqlite3_context *c, int argc, sqlite3_value **v)
{
	char id[48];

	(void)argc;
	if (!intel_derived_id((const char *)sqlite3_value_text(v[0]),
	                      (const char *)sqlite3_value_text(v[1]),
	                      (const char *)sqlite3_value_text(v[2]), id))
		sqlite3_result_null(c);
	else
		sqlite3_result_text(c, id, -1, SQLITE_TRANSIENT);
}

/* SQL detente_pattern(type, value, atoms): a STIX pattern for an indicator
 * that came without one — each conjunction an observation, OR-ed. */
static void sql_pattern(sqlite3_context *c, int argc, sqlite3_value **v)
{
	const char *type = (const char *)sqlite3_value_text(v[0]);
	const char *value = (const char *)sqlite3_value_text(v[1]);
	const char *atoms = (const char *)sqlite3_value_text(v[2]);
	struct strbuf b, one;
	struct dt_str raw;
	char vbuf[INTEL_MAX_VALUE + 64];

	(void)argc;
	strbuf_init(&b, 1 << 26);
	strbuf_init(&one, 1 << 16);
	if (atoms == NULL && type && value) {
		raw.p = value;
		raw.len = strlen(value);
		make_pattern(&b, intel_type_from_name(type), value, raw);
	}
	for (const char *p = atoms, *nl; p && *p; p = nl + 1) {
		unsigned obs, conj;
		char t[32];
		int off = 0;

		if ((nl = strchr(p, '\n')) == NULL)
			break;
		if (sscanf(p, "%u %u %31s %n", &obs, &conj, t, &off) != 3 || off == 0)
			continue;
		if (t[0] && t[strlen(t) - 1] == '~')
			t[strlen(t) - 1] = '\0';
		raw.p = p + off;
		raw.len = (size_t)(nl - p - off);
		if (raw.len >= sizeof(vbuf))
			continue;
		memcpy(vbuf, raw.p, raw.len);
		vbuf[raw.len] = '\0';
		make_pattern(&one, intel_type_from_name(t), vbuf, raw);
		if (b.len)
			strbuf_adds(&b, " OR ");
		strbuf_add(&b, one.p, one.len);
	}
	if (b.len)
		sqlite3_result_text(c, b.p, (int)b.len, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(c);
	strbuf_release(&b);
	strbuf_release(&one);
}

static void reason(struct intel_import_result *r, const char *why)
{
	size_t i;

	for (i = 0; i < INTEL_MAX_REASONS && r->reason_n[i]; i++)
		if (strcmp(r->reason[i], why) == 0) {
			r->reason_n[i]++;
			return;
		}
	if (i < INTEL_MAX_REASONS) {
		snprintf(r->reason[i], sizeof(r->reason[i]), "%s", why);
		r->reason_n[i] = 1;
	}
}

#define MAX_BAD 64

static bool bad_conj(const uint32_t *bad, size_t n, const struct intel_atom *a)
{
	for (size_t i = 0; i < n; i++)
		if (bad[i] == ((uint32_t)a->obs << 16 | a->conj))
			return true;
	return false;
}

static void bad_value(struct imp *m, const struct intel_indicator *in, const struct intel_atom *a,
                      const char *why)
{
	warnf(m, in->record, "%.*s '%.*s': %s", (int)(a->path.len ? a->path.len : 5),
	      a->path.len ? a->path.p : "value", (int)(a->value.len > 80 ? 80 : a->value.len),
	      a->value.p, why ? why : "invalid value");
}

static enum dt_err on_indicator(void *ctx, const struct intel_indicator *in)
{
	struct imp *m = ctx;
	struct intel_db *x = m->x;
	sqlite3_stmt *st = x->ins_ind;
	enum ind_type t0 = IT_NONE;
	const char *unsupported = in->unsupported;
	bool priv = false;
	int rank;
	char v0[INTEL_MAX_VALUE + 64];
	uint32_t bad[MAX_BAD];
	size_t nbad, kept = 0;

	strbuf_reset(&m->atoms);
	v0[0] = '\0';
	/* a value that is not valid for its type: its conjunction goes (the
	 * others may still hold); a record of one value is rejected unless it
	 * is a STIX pattern, which is kept as unsupported */
	nbad = 0;
	for (size_t i = 0; in->natoms > 1 && i < in->natoms; i++) {
		const struct intel_atom *a = &in->atoms[i];
		enum ind_type t = a->type;
		const char *why = NULL;

		if (intel_normalize(&t, a->value.p, a->value.len, &m->norm, &why) ||
		    bad_conj(bad, nbad, a))
			continue;
		bad_value(m, in, a, why);
		if (nbad < MAX_BAD)
			bad[nbad++] = (uint32_t)a->obs << 16 | a->conj;
		else
			unsupported = "too many invalid values";
	}
	for (size_t i = 0; i < in->natoms; i++) {
		const struct intel_atom *a = &in->atoms[i];
		enum ind_type t = a->type;
		const char *why = NULL;

		if (bad_conj(bad, nbad, a))
			continue;
		if (!intel_normalize(&t, a->value.p, a->value.len, &m->norm, &why)) {
			bad_value(m, in, a, why);
			if (in->pattern.len == 0) {
				m->r->counts.rejected++;
				return DT_OK;
			}
			continue;
		}
		if ((t == IT_IPV4 || t == IT_IPV6) && intel_special(t, m->norm.p))
			priv = true;
		if (kept++ == 0) {
			t0 = t;
			snprintf(v0, sizeof(v0), "%s", m->norm.p);
		}
		/* "~": one of a set the observed object holds any of (a domain's
		 * resolves_to_refs[*]): the conjunction needs one of them, not all */
		if (in->natoms > 1)
			strbuf_addf(&m->atoms, "%u %u %s%s %s\n", a->obs, a->conj,
			            intel_type_name(t),
			            memmem(a->path.p, a->path.len, "[*]", 3) ? "~" : "", m->norm.p);
	}
	if (kept == 0 && in->natoms && unsupported == NULL)
		unsupported = "no valid value to look for";
	if (in->natoms == 0 && unsupported == NULL)
		unsupported = "no condition detente can evaluate";

	/* the id: as given (a bare UUID becomes indicator--UUID); without
	 * one, none is stored: detente_id(type, value, labels) derives it
	 * when it is needed (it costs a row a sixth of its size) */
	strbuf_reset(&m->id);
	if (in->id.len && memmem(in->id.p, in->id.len, "--", 2))
		strbuf_add(&m->id, in->id.p, in->id.len);
	else if (in->id.len)
		strbuf_adds(&m->id, "indicator--"), strbuf_add(&m->id, in->id.p, in->id.len);
	strbuf_reset(&m->tmp);
	if (m->id.len)
		strbuf_add(&m->tmp, m->id.p, m->id.len);
	else
		strbuf_addf(&m->tmp, "%s|%s|%.*s", kept ? intel_type_name(t0) : "", v0,
		            (int)in->labels.len, in->labels.p ? in->labels.p : "");
	if (keyset_seen(&m->seen, m->tmp.p, m->tmp.len)) {
		m->r->duplicates++;
		return DT_OK;
	}
	/* a pattern is stored when the producer wrote one; detente_pattern()
	 * writes the others' when an export needs them (URLs keep the scheme
	 * they were given, which the matching key drops) */
	strbuf_reset(&m->pattern);
	if (in->pattern.len)
		strbuf_add(&m->pattern, in->pattern.p, in->pattern.len);
	else if (in->natoms == 1 && kept && t0 == IT_URL)
		make_pattern(&m->pattern, t0, v0, in->atoms[0].value);
	rank = intel_tlp_rank(in->tlp.p, in->tlp.len);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, m->src);
	if (m->id.len)
		sqlite3_bind_text(st, 2, m->id.p, (int)m->id.len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	bind_str(st, 3, in->name);
	bind_str(st, 4, in->description);
	if (m->pattern.len)
		sqlite3_bind_text(st, 5, m->pattern.p, (int)m->pattern.len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	bind_str(st, 6, in->valid_from);
	bind_str(st, 7, in->valid_until);
	sqlite3_bind_text(st, 8, rank >= 0 ? intel_tlp_names[rank] : m->tlp, -1, SQLITE_STATIC);
	bind_str(st, 9, in->labels);
	if (in->score >= 0)
		sqlite3_bind_int(st, 10, in->score);
	else
		sqlite3_bind_null(st, 10);
	sqlite3_bind_int(st, 11, in->benign);
	sqlite3_bind_int(st, 12, (int)in->mode);
	if (unsupported)
		sqlite3_bind_text(st, 13, unsupported, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 13);
	if (priv && !in->benign)
		sqlite3_bind_text(st, 14, "private", -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 14);
	sqlite3_bind_int64(st, 15, (sqlite3_int64)in->record);
	if (kept) {
		sqlite3_bind_text(st, 16, intel_type_name(t0), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 17, v0, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, 16);
		sqlite3_bind_null(st, 17);
	}
	if (m->atoms.len)
		sqlite3_bind_text(st, 18, m->atoms.p, (int)m->atoms.len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 18);
	if (sqlite3_step(st) != SQLITE_DONE)
		return dberr(x, m->diag);
	m->r->indicators++;
	if (in->benign)
		m->r->benign++;
	if (unsupported) {
		m->r->unsupported++;
		reason(m->r, unsupported);
	}
	if (priv && !in->benign)
		m->r->private_++;
	return DT_OK;
}

static enum dt_err on_object(void *ctx, const struct intel_object *o)
{
	struct imp *m = ctx;
	sqlite3_stmt *st = m->x->ins_obj;
	int rank = intel_tlp_rank(o->tlp.p, o->tlp.len);

	if (o->id.len == 0 || o->type.len == 0) {
		warnf(m, o->record, "object without an id or a type");
		m->r->counts.rejected++;
		return DT_OK;
	}
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, m->src);
	bind_str(st, 2, o->id);
	bind_str(st, 3, o->type);
	bind_str(st, 4, o->name);
	bind_str(st, 5, o->aliases);
	bind_str(st, 6, o->country);
	sqlite3_bind_text(st, 7, rank >= 0 ? intel_tlp_names[rank] : m->tlp, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return dberr(m->x, m->diag);
	m->r->objects++;
	return DT_OK;
}

/* Ids as intel_import stores them: a bare UUID (MISP) is an indicator. */
static void ref_id(struct strbuf *b, struct dt_str s)
{
	strbuf_reset(b);
	if (s.len && memmem(s.p, s.len, "--", 2) == NULL)
		strbuf_adds(b, "indicator--");
	strbuf_add(b, s.p, s.len);
}

static enum dt_err on_relation(void *ctx, const struct intel_relation *rel)
{
	struct imp *m = ctx;
	sqlite3_stmt *st = m->x->ins_rel;

	if (rel->type.len == 0 || rel->src.len == 0 || rel->dst.len == 0) {
		warnf(m, rel->record, "relationship without a type, source_ref or target_ref");
		m->r->counts.rejected++;
		return DT_OK;
	}
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, m->src);
	bind_str(st, 2, rel->id);
	bind_str(st, 3, rel->type);
	ref_id(&m->tmp, rel->src);
	sqlite3_bind_text(st, 4, m->tmp.p, (int)m->tmp.len, SQLITE_TRANSIENT);
	ref_id(&m->tmp, rel->dst);
	sqlite3_bind_text(st, 5, m->tmp.p, (int)m->tmp.len, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		return dberr(m->x, m->diag);
	m->r->relations++;
	return DT_OK;
}

static void on_warn(void *ctx, const struct dt_diag *d)
{
	struct imp *m = ctx;

	m->r->warnings++;
	if (m->warn)
		m->warn(m->wctx, d);
}

/* Relationships of this source whose ends no import holds. */
static enum dt_err dangling(struct imp *m)
{
	sqlite3_stmt *st;
	const char *q =
	    /* one pass over the ids (SQLite builds the IN set once) */
	    "WITH known(id) AS (SELECT stix_id FROM intel_objects UNION"
	    " SELECT stix_id FROM indicators WHERE stix_id IS NOT NULL)"
	    " SELECT r.stix_id, r.src, r.dst FROM intel_relations r WHERE r.source = ?1 AND"
	    " (r.src NOT IN known OR r.dst NOT IN known)";

	if (sqlite3_prepare_v2(m->x->db, q, -1, &st, NULL) != SQLITE_OK)
		return dberr(m->x, m->diag);
	sqlite3_bind_int64(st, 1, m->src);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (m->r->dangling++ == 0)
			snprintf(
			    m->r->dangling_example, sizeof(m->r->dangling_example), "%s: %s -> %s",
			    sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0)
			                               : "(no id)",
			    (const char *)sqlite3_column_text(st, 1),
			    (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	return DT_OK;
}

static bool source_entry(struct intel_db *x, const uint8_t sha[32], uint64_t *entry)
{
	bool found;

	sqlite3_reset(x->get_src);
	sqlite3_bind_blob(x->get_src, 1, sha, 32, SQLITE_STATIC);
	found = sqlite3_step(x->get_src) == SQLITE_ROW;
	if (found)
		*entry = (uint64_t)sqlite3_column_int64(x->get_src, 0);
	sqlite3_reset(x->get_src);
	return found;
}

static enum dt_err parse(struct imp *m, const char *fmt, const char *data, size_t len,
                         const struct intel_import_opts *o, struct dt_diag *diag)
{
	struct intel_sink k = {on_indicator, on_object, on_relation, on_warn, m};
	enum dt_err err;

	if (strcmp(fmt, "iprep") == 0 && o->categories) {
		char *cats = NULL;
		size_t clen = 0;

		if ((err = dt_read_file(o->categories, 64 << 20, &cats, &clen, diag)))
			return err;
		err = intel_parse_iprep_cats(m->name, data, len, o->categories, cats, clen, &k,
		                             &m->r->counts, diag);
		free(cats);
		return err;
	}
	return intel_format(fmt)(m->name, data, len, &k, &m->r->counts, diag);
}

enum dt_err intel_import_file(struct intel_db *x, struct ledger *l, const char *path,
                              const struct intel_import_opts *o,
                              void (*warn)(void *, const struct dt_diag *), void *wctx,
                              struct intel_import_result *r, struct dt_diag *diag)
{
	struct imp m = {.x = x, .r = r, .name = path, .warn = warn, .wctx = wctx, .diag = diag};
	uint8_t sha[32];
	char stored[1400], hex[65], now[32];
	uint64_t size;
	char *data = NULL;
	size_t len = 0;
	const char *fmt;
	enum dt_err err;
	int rank = o->tlp ? intel_tlp_rank(o->tlp, strlen(o->tlp)) : 2;
	time_t t = time(NULL);
	struct tm tm;

	memset(r, 0, sizeof(*r));
	if (rank < 0) {
		dt_diag_set(diag, NULL, 0,
		            "unknown TLP '%s' (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)", o->tlp);
		return DT_EINVAL;
	}
	m.tlp = intel_tlp_names[rank];
	if ((err = ledger_import_file(l, path, sha, &size, stored, sizeof(stored), diag)))
		return err;
	dt_hex_encode(sha, 32, hex);
	snprintf(r->digest, sizeof(r->digest), "sha256:%s", hex);
	if (source_entry(x, sha, &r->entry)) {
		r->already = true;
		return DT_OK;
	}
	if ((err = dt_read_file(stored, INTEL_MAX_FILE, &data, &len, diag)))
		return err;
	fmt = o->format && strcmp(o->format, "auto") != 0 ? o->format : intel_detect(data, len);
	if (fmt == NULL || intel_format(fmt) == NULL) {
		if (fmt && strcmp(fmt, "misp-feed") == 0)
			dt_diag_set(diag, path, 0,
			            "a MISP feed manifest: import the feed's directory instead");
		else if (fmt && strcmp(fmt, "iprep-categories") == 0)
			dt_diag_set(diag, path, 0,
			            "a Suricata iprep categories file: give it with --categories "
			            "when importing the list");
		else if (fmt)
			dt_diag_set(diag, NULL, 0, "unknown intel format '%s'", fmt);
		else
			dt_diag_set(
			    diag, path, 0,
			    "cannot tell the format (STIX 2.1, MISP event, MISP galaxy, Zeek "
			    "Intel, Suricata iprep, MISP warning list); use --format");
		free(data);
		return DT_EFORMAT;
	}
	snprintf(r->format, sizeof(r->format), "%s", fmt);
	{
		struct ledger_entry_in e = {.kind = "intel", .tlp = m.tlp};
		char about[1200];
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

		memcpy(e.sha256, sha, 32);
		e.size = size;
		snprintf(about, sizeof(about), "%s intel %s", fmt, base);
		for (char *p = about; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		e.about = about;
		if ((err = ledger_append(l, &e, 1, true, &r->entry, NULL, diag)))
			goto out;
	}
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strbuf_init(&m.norm, INTEL_MAX_VALUE + 64);
	strbuf_init(&m.atoms, 1 << 26);
	strbuf_init(&m.pattern, 1 << 20);
	strbuf_init(&m.id, 4096);
	strbuf_init(&m.tmp, 1 << 16);
	strbuf_init(&m.seen.arena, UINT32_MAX);
	if (sqlite3_exec(x->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		err = dberr(x, diag);
		goto out;
	}
	sqlite3_reset(x->ins_src);
	sqlite3_bind_blob(x->ins_src, 1, sha, 32, SQLITE_STATIC);
	sqlite3_bind_int64(x->ins_src, 2, (sqlite3_int64)r->entry);
	sqlite3_bind_text(x->ins_src, 3, fmt, -1, SQLITE_STATIC);
	sqlite3_bind_text(x->ins_src, 4, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(x->ins_src, 5, m.tlp, -1, SQLITE_STATIC);
	sqlite3_bind_text(x->ins_src, 6, now, -1, SQLITE_STATIC);
	if (sqlite3_step(x->ins_src) != SQLITE_DONE) {
		err = dberr(x, diag);
		goto rollback;
	}
	m.src = sqlite3_last_insert_rowid(x->db);
	if ((err = parse(&m, fmt, data, len, o, diag)) || (r->relations && (err = dangling(&m))))
		goto rollback;
	sqlite3_reset(x->upd_src);
	sqlite3_bind_int64(x->upd_src, 1, m.src);
	sqlite3_bind_int64(x->upd_src, 2, (sqlite3_int64)r->indicators);
	sqlite3_bind_int64(x->upd_src, 3, (sqlite3_int64)r->objects);
	sqlite3_bind_int64(x->upd_src, 4, (sqlite3_int64)r->relations);
	sqlite3_bind_int64(x->upd_src, 5, (sqlite3_int64)r->unsupported);
	sqlite3_bind_int64(x->upd_src, 6, (sqlite3_int64)r->counts.rejected);
	if (sqlite3_step(x->upd_src) != SQLITE_DONE ||
	    sqlite3_exec(x->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		err = dberr(x, diag);
		goto rollback;
	}
	goto out;
rollback:
	sqlite3_exec(x->db, "ROLLBACK", NULL, NULL, NULL);
out:
	strbuf_release(&m.norm);
	strbuf_release(&m.atoms);
	strbuf_release(&m.pattern);
	strbuf_release(&m.id);
	strbuf_release(&m.tmp);
	keyset_release(&m.seen);
	free(data);
	return err;
}

struct feed {
	const char *dir;
	char **v;
	size_t n, cap;
	bool nomem;
};

static void feed_each(void *ctx, const char *uuid)
{
	struct feed *f = ctx;
	size_t len = strlen(f->dir) + strlen(uuid) + 7;
	char *p;

	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		char **v = realloc(f->v, cap * sizeof(*v));

		if (v == NULL) {
			f->nomem = true;
			return;
		}
		f->v = v;
		f->cap = cap;
	}
	if ((p = malloc(len)) == NULL) {
		f->nomem = true;
		return;
	}
	snprintf(p, len, "%s/%s.json", f->dir, uuid);
	f->v[f->n++] = p;
}

enum dt_err intel_feed_files(const char *dir, char ***paths, size_t *n, struct dt_diag *diag)
{
	struct feed f = {.dir = dir};
	char man[1200], *data = NULL;
	size_t len;
	enum dt_err err;

	*paths = NULL;
	*n = 0;
	snprintf(man, sizeof(man), "%s/manifest.json", dir);
	if ((err = dt_read_file(man, 1u << 30, &data, &len, diag)))
		return err;
	err = intel_misp_manifest(man, data, len, feed_each, &f, diag);
	free(data);
	if (!err && f.nomem)
		err = DT_ENOMEM;
	if (err) {
		for (size_t i = 0; i < f.n; i++)
			free(f.v[i]);
		free(f.v);
		return err;
	}
	*paths = f.v;
	*n = f.n;
	return DT_OK;
}
