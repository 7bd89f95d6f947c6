/*
 * taxii_int.h — what the files of the TAXII 2.1 server share:
 *   taxii.c        HTTP: paths, content negotiation, errors, resources
 *   taxii_query.c  pure parsers: timestamps, media types, the filter and
 *                  pagination parameters (§3.4), POSTed envelopes (§3.7)
 *   taxii_store.c  SQLite: schema, the node's own API root, selection,
 *                  additions, statuses, the "indicators" refresh, loading
 * Spec: TAXII 2.1 (OASIS Standard, 10 June 2021).
 */
#ifndef DT_SERVER_TAXII_INT_H
#define DT_SERVER_TAXII_INT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "server/server.h"
#include "server/taxii.h"

/* ---- limits ----------------------------------------------------------- */

#define TAXII_MAX_PAGE      1000         /* objects per response (limit is capped to it) */
#define TAXII_MAX_RESP      (16u << 20)  /* bytes of objects per response, then `more` */
#define TAXII_MAX_MATCH     100          /* values of one match[...] parameter */
#define TAXII_MAX_PARAM     8192         /* decoded bytes of one query parameter */
#define TAXII_MAX_SEGMENT   256          /* decoded bytes of one path segment */
#define TAXII_MAX_POST_OBJS 10000        /* objects of one POSTed envelope */
#define TAXII_MAX_ID        300          /* bytes of a STIX id */
#define TAXII_MAX_EXPORT    (256u << 20) /* the node's STIX export */
#define TAXII_MEDIA         "application/taxii+json;version=2.1"
#define TAXII_STIX_MEDIA    "application/stix+json;version=2.1"
#define TAXII_TS_LEN        28 /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" + NUL */

/* ---- taxii_query.c ------------------------------------------------------ */

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (UTC only) to microseconds
 * since 1970 (digits past the sixth are dropped); false when malformed. */
bool taxii_ts_parse(const char *s, size_t n, int64_t *us);
/* Microseconds to "YYYY-MM-DDTHH:MM:SS.ffffffZ" (years 0000-9999). */
void taxii_ts_format(int64_t us, char out[TAXII_TS_LEN]);

/* Is the Accept header (may be NULL) satisfied by TAXII 2.1 (and, when
 * stix, by STIX 2.1)?  Absent, "*" + "/" + "*" and "application/" + "*" are. */
bool taxii_accept_ok(const char *h, size_t n, bool stix);
/* Is the Content-Type application/taxii+json;version=2.1? */
bool taxii_ctype_ok(const char *h, size_t n);

/* A STIX identifier "<type>--<UUID>"; *type_len set to the type's length. */
bool taxii_stix_id(const char *s, size_t n, size_t *type_len);

enum { TAXII_V_FIRST = 1, TAXII_V_LAST = 2, TAXII_V_ALL = 4 };

/* The filter and pagination parameters of a request.  Lists are JSON
 * arrays (for SQLite's json_each), NULL when the parameter is absent. */
struct taxii_query {
	bool has_added_after;
	int64_t added_after;
	unsigned limit; /* 1..TAXII_MAX_PAGE */
	bool has_next;
	int64_t next_date, next_seq;
	char *ids, *types, *specs, *versions; /* JSON arrays or NULL */
	unsigned vflags;                      /* TAXII_V_*; 0 with versions: timestamps only */
	bool vgiven, sgiven;
};

/* Parses a query string (not decoded; may be NULL); unknown parameters
 * are ignored.  false with a message in why when a value is malformed. */
bool taxii_query_parse(const char *s, size_t n, struct taxii_query *q, char *why, size_t size);
void taxii_query_release(struct taxii_query *q);

/* One object of a POSTed envelope. */
struct taxii_item {
	char *json; /* compact JSON text (malloc), NULL when rejected */
	char id[TAXII_MAX_ID + 1];
	char type[TAXII_MAX_ID + 1];
	char spec[16];
	char version[64]; /* "" when the object has neither modified nor created */
	int64_t version_us;
	int tlp;       /* TLP rank of its markings, -1 when unmarked */
	bool marking;  /* a marking-definition */
	char why[160]; /* when rejected */
};

struct taxii_envelope {
	struct taxii_item *items;
	size_t n;
};

/* Fills it from the STIX object o (a JSON object, or not); defs maps the
 * ids of TLP marking definitions defined alongside to their ranks (may be
 * NULL).  false with it->why when o is not a valid STIX object. */
bool taxii_item_fill(struct taxii_item *it, json_t *o, json_t *defs);

/* Parses an envelope {"objects": [...]}: DT_EPARSE with why when the body
 * is not a JSON object or "objects" not an array, DT_ELIMIT beyond
 * TAXII_MAX_POST_OBJS.  Objects that are not valid STIX (id, type,
 * timestamps) are items with json NULL and why. */
enum dt_err taxii_envelope_parse(const char *body, size_t len, struct taxii_envelope *env,
                                 char *why, size_t size);
void taxii_envelope_release(struct taxii_envelope *env);

/* The TLP rank a marking-definition id stands for (TLP 1.0 and 2.0), or -1. */
int taxii_tlp_marking(const char *id);

/* ---- taxii_store.c ------------------------------------------------------ */

struct taxii_store {
	sqlite3 *db;
	char own_indicators[37], own_inbox[37];
	uint64_t generation; /* of the snapshot the "indicators" views were built from */
	bool fresh;
};

/* Opens (creating tables) and makes sure the node's own API root exists. */
enum dt_err taxii_store_open(const char *path, const char *origin, const char *party,
                             uint64_t max_body, struct taxii_store *st, struct dt_diag *diag);
void taxii_store_close(struct taxii_store *st);

struct taxii_root {
	char name[TAXII_MAX_SEGMENT];
	char *title, *description, *versions; /* versions: JSON array */
	int64_t max_content_length;
};
struct taxii_coll {
	char root[TAXII_MAX_SEGMENT], id[TAXII_MAX_SEGMENT];
	char *title, *description, *alias, *media_types;
	bool can_read, can_write;
};
void taxii_root_release(struct taxii_root *r);
void taxii_coll_release(struct taxii_coll *c);

/* DT_ENOTFOUND when there is no such root / collection (id or alias). */
enum dt_err taxii_root_get(struct taxii_store *st, const char *name, struct taxii_root *out);
enum dt_err taxii_coll_get(struct taxii_store *st, const char *root, const char *id,
                           struct taxii_coll *out);
/* All root names, in order, as a JSON array of names into out. */
enum dt_err taxii_root_names(struct taxii_store *st, struct strbuf *out);
/* The collections of root, each with fn. */
enum dt_err taxii_colls(struct taxii_store *st, const char *root,
                        void (*fn)(void *, const struct taxii_coll *), void *ctx);
/* The discovery document's stored fields ("title", ...) as a JSON object
 * text, or DT_ENOTFOUND. */
enum dt_err taxii_meta_get(struct taxii_store *st, const char *key, struct strbuf *out);

/* One selected row. */
struct taxii_row {
	int64_t seq, date_added;
	const char *id, *spec, *version, *json; /* json NULL unless asked */
};

enum taxii_spec_mode { TAXII_SPEC_LATEST, TAXII_SPEC_LIST, TAXII_SPEC_ALL };

/*
 * Selects the objects of (root, coll, view) that pass q's filters, in
 * order of (date_added, seq), after q's `next` cursor, at most q->limit:
 * fn is called for each; *more says whether more rows follow.  only_id
 * (may be NULL) restricts to one object; vflags_default applies when
 * q gives no match[version]; fn returning false stops (more is set).
 */
enum dt_err taxii_select(struct taxii_store *st, const char *root, const char *coll, int view,
                         const char *only_id, const struct taxii_query *q, unsigned vflags_default,
                         bool spec_all_default, bool with_json,
                         bool (*fn)(void *, const struct taxii_row *), void *ctx, bool *more);
/* Whether any version of the object is in the collection. */
bool taxii_object_exists(struct taxii_store *st, const char *root, const char *coll, int view,
                         const char *id);
/* Deletes the versions selected as taxii_select would (all by default);
 * *deleted counts them. */
enum dt_err taxii_delete(struct taxii_store *st, const char *root, const char *coll, const char *id,
                         const struct taxii_query *q, uint64_t *deleted);

/*
 * Adds the envelope's valid objects to (root, coll) in one transaction,
 * each with a date_added later than any before; fills the status
 * resource's JSON (id a new UUIDv4, "complete") into status and stores it.
 * added[i] says whether item i was new.
 */
enum dt_err taxii_add(struct taxii_store *st, const char *root, const char *coll,
                      struct taxii_envelope *env, bool *added, struct strbuf *status,
                      struct dt_diag *diag);
/* Helpers of the taxii_*.c files on st->db: a message into diag (DT_EIO),
 * one statement, a prepared statement (NULL on error). */
enum dt_err taxii_dberr(struct taxii_store *st, struct dt_diag *diag);
bool taxii_exec(struct taxii_store *st, const char *sql);
sqlite3_stmt *taxii_prep(struct taxii_store *st, const char *sql);

/* The node's own API root and its two collections (taxii_own.c), written
 * only when absent or different. */
enum dt_err taxii_own_root(struct taxii_store *st, const char *origin, const char *party,
                           uint64_t max_body, struct dt_diag *diag);

#define INSERT_OBJECT                                                                              \
	"INSERT OR IGNORE INTO taxii_objects(root, coll, view, id, type, spec, version,"           \
	" version_us, date_added, json) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
/* One item through the prepared INSERT_OBJECT statement ins, as
 * taxii_insert. */
int taxii_insert_stmt(struct taxii_store *st, sqlite3_stmt *ins, const char *root, const char *coll,
                      int view, struct taxii_item *it, int64_t *date);

/* Inside a write transaction: the first date_added after every row's;
 * and one item added at view with *date as its date_added (advanced when
 * used): 1 added, 0 already there, -1 on a database error. */
int64_t taxii_next_date(struct taxii_store *st);
int taxii_insert(struct taxii_store *st, const char *root, const char *coll, int view,
                 struct taxii_item *it, int64_t *date);

/* The stored status resource of that id into out, or DT_ENOTFOUND. */
enum dt_err taxii_status_get(struct taxii_store *st, const char *root, const char *id,
                             struct strbuf *out);

/* Rebuilds the views 0..3 (TLP ranks) of the own "indicators" collection
 * from export(rank) when they differ; rows keep their date_added while
 * their content is unchanged. */
typedef enum dt_err taxii_export_fn(void *ctx, int rank, struct strbuf *out, struct dt_diag *diag);
enum dt_err taxii_refresh_indicators(struct taxii_store *st, taxii_export_fn *fn, void *ctx,
                                     struct dt_diag *diag);

#endif
