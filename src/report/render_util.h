/*
 * render_util.h — what the Markdown and HTML renderers share (private to
 * src/report/): a rendering context that reads the JSON report with typed,
 * path-naming accessors, escaping for both target languages, and number
 * formatting that depends on no locale.
 *
 * Validation and rendering are one walk.  An accessor that finds a member
 * missing or of the wrong type records the first such fault in the context
 * (DT_EFORMAT, with the JSON path in the message) and returns a harmless
 * value (0, "", an empty array), so the renderer carries on without checks
 * at every step and the caller discards the output at the end.  The same
 * holds for output: the first append that fails is kept and later appends
 * are skipped.
 */
#ifndef DT_REPORT_RENDER_UTIL_H
#define DT_REPORT_RENDER_UTIL_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"

#define RENDER_MAX_PATH   160 /* bytes of one JSON path, e.g. campaigns[2].origins.asns[9].share */
#define RENDER_MAX_NUMBER 48  /* bytes of one formatted number */
#define RENDER_CHART_BARS 12  /* bars in one origin chart; the country table lists all */

struct rctx {
	json_t *root;
	struct strbuf *out;
	struct dt_diag *diag;
	enum dt_err err;
	json_t *empty_arr; /* returned by failed array accessors */
	json_t *empty_obj;
};

/* The seven weak-evidence categories and the five origin units, in the
 * documented order. */
extern const char *const report_units[5];
extern const char *const report_unit_names[5];

/* Parses json, checks the "report" member and the top-level shape.  On
 * success c is ready (call rctx_release at the end); on failure diag is set
 * and nothing needs releasing. */
enum dt_err rctx_open(struct rctx *c, const char *json, size_t len, struct strbuf *out,
                      struct dt_diag *diag);
/* Ends a rendering: returns the first fault; on a fault restores out to
 * orig_len. */
enum dt_err rctx_close(struct rctx *c, size_t orig_len);

/* Records a format fault at path (first one wins). */
void rc_fault(struct rctx *c, const char *path, const char *what);

/* Member key of obj at path (the path of obj; "" for the root). */
json_t *rc_obj(struct rctx *c, json_t *obj, const char *path, const char *key);
json_t *rc_arr(struct rctx *c, json_t *obj, const char *path, const char *key);
/* A string; "" when missing. */
const char *rc_str(struct rctx *c, json_t *obj, const char *path, const char *key);
/* A string or null; NULL for null (the renderers show "unknown"). */
const char *rc_nstr(struct rctx *c, json_t *obj, const char *path, const char *key);
/* An integer member; the json_t is returned so that it can be shown as is. */
json_t *rc_int(struct rctx *c, json_t *obj, const char *path, const char *key);
/* Any number (integer or real). */
json_t *rc_num(struct rctx *c, json_t *obj, const char *path, const char *key);
int rc_bool(struct rctx *c, json_t *obj, const char *path, const char *key);
/* Element i of an array that must be of the given json type. */
json_t *rc_item(struct rctx *c, json_t *arr, const char *path, size_t i, json_type type);

/* The entry of the top-level "entries" whose "ref" is ref, or NULL (and a
 * fault at path). */
json_t *rc_entry(struct rctx *c, const char *ref, const char *path);

/* Joins base and key ("a.b") or base and an index ("a[3]") into dst. */
void path_key(char *dst, const char *base, const char *key);
void path_idx(char *dst, const char *base, size_t i);

/* A JSON number as the JSON means it: integers plain, reals with four
 * decimal places when that is exact, else the shortest round-trip form. */
void fmt_num(char *dst, const json_t *num);
double num_value(const json_t *num);
/* A share (0..1) as a percentage with two places: "33.40 %". */
void fmt_pct(char *dst, const json_t *share);
/* Seconds since the epoch of an RFC 3339 UTC time; 0 when malformed. */
long long parse_time(const char *s);

/* Output; a failed append is kept in c->err. */
/* The members of "totals" in the order both renderings show them, with
 * their label and unit: one table, so the two documents cannot drift. */
struct report_total {
	const char *key, *label, *unit;
};
extern const struct report_total report_totals[];
extern const size_t report_ntotals;

void rc_puts(struct rctx *c, const char *s);
void rc_printf(struct rctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s escaped for HTML text and attribute values; NULL shows as "unknown". */
void rc_html(struct rctx *c, const char *s);
/* s escaped for one Markdown table cell or inline text. */
void rc_md(struct rctx *c, const char *s);

#endif
