/*
 * render_md.c — the JSON report as Markdown (CommonMark with GFM tables).
 *
 * The same sections as the HTML rendering, as tables and lists, for mail,
 * tickets and diff review.  Markdown has no place for the JSON path of a
 * figure, so the rule is kept by construction: every number printed is a
 * JSON number printed as the JSON holds it (shares also as percentages).
 * Every string is escaped for an inline context (render_util.c: rc_md), so
 * a signature holding "|" cannot split a table cell and one holding "<" or
 * "[x](javascript:)" cannot become markup; the checkpoint note goes in a
 * fenced block whose fence is longer than any backtick run in it.
 */
#include "report/render.h"

#include <string.h>

#include "report/render_util.h"

static const char *const weekday_names[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/* A number member (integer or real) of obj, as the JSON holds it. */
static void num(struct rctx *c, json_t *obj, const char *base, const char *key, int real)
{
	char n[RENDER_MAX_NUMBER];

	fmt_num(n, real ? rc_num(c, obj, base, key) : rc_int(c, obj, base, key));
	rc_puts(c, n);
}

/* "0.3340 (33.40 %)" */
static void share(struct rctx *c, json_t *obj, const char *base, const char *key)
{
	char n[RENDER_MAX_NUMBER];
	json_t *v = rc_num(c, obj, base, key);

	fmt_num(n, v);
	rc_puts(c, n);
	fmt_pct(n, v);
	rc_printf(c, " (%s)", n);
}

static void cell(struct rctx *c, const char *s)
{
	rc_puts(c, " ");
	rc_md(c, s);
	rc_puts(c, " |");
}

static void cell_num(struct rctx *c, json_t *obj, const char *base, const char *key)
{
	rc_puts(c, " ");
	num(c, obj, base, key, 0);
	rc_puts(c, " |");
}

/* A table head: "| a | b |\n|---|--:|\n"; a heading starting with '#' is
 * right-aligned (numeric). */
static void thead(struct rctx *c, const char *const *heads, size_t n)
{
	size_t i;

	rc_puts(c, "\n|");
	for (i = 0; i < n; i++)
		rc_printf(c, " %s |", heads[i] + (heads[i][0] == '#'));
	rc_puts(c, "\n|");
	for (i = 0; i < n; i++)
		rc_puts(c, heads[i][0] == '#' ? " ---: |" : " --- |");
	rc_puts(c, "\n");
}

#define THEAD(c, ...)                                                                              \
	do {                                                                                       \
		static const char *const h_[] = {__VA_ARGS__};                                     \
		thead(c, h_, sizeof(h_) / sizeof(h_[0]));                                          \
	} while (0)

static void str_list(struct rctx *c, json_t *obj, const char *base, const char *key,
                     const char *sep, int code)
{
	char p[RENDER_MAX_PATH];
	json_t *arr = rc_arr(c, obj, base, key), *v;
	size_t i;

	path_key(p, base, key);
	if (json_array_size(arr) == 0)
		rc_puts(c, "*none*");
	json_array_foreach(arr, i, v)
	{
		v = rc_item(c, arr, p, i, JSON_STRING);
		if (i > 0)
			rc_puts(c, sep);
		/* escaped text, not a code span: a code span shows backslashes */
		if (code)
			rc_puts(c, "**");
		rc_md(c, json_string_value(v));
		if (code)
			rc_puts(c, "**");
	}
}

static void origin_list(struct rctx *c, json_t *list, const char *path)
{
	char ep[RENDER_MAX_PATH];
	json_t *e;
	size_t i;

	THEAD(c, "Country", "#Count", "#Share");
	json_array_foreach(list, i, e)
	{
		path_idx(ep, path, i);
		e = rc_item(c, list, path, i, JSON_OBJECT);
		rc_puts(c, "|");
		cell(c, rc_str(c, e, ep, "key"));
		cell_num(c, e, ep, "count");
		rc_puts(c, " ");
		share(c, e, ep, "share");
		rc_puts(c, " |\n");
	}
}

static void weak(struct rctx *c, json_t *obj, const char *base)
{
	char wp[RENDER_MAX_PATH], cp[RENDER_MAX_PATH], ep[RENDER_MAX_PATH];
	json_t *w = rc_obj(c, obj, base, "weak_evidence"), *cats, *e, *any;
	size_t i;

	path_key(wp, base, "weak_evidence");
	path_key(cp, wp, "categories");
	path_key(ep, wp, "any");
	cats = rc_arr(c, w, wp, "categories");
	any = rc_obj(c, w, wp, "any");
	rc_puts(c, "\nUnit: ");
	rc_md(c, rc_str(c, w, wp, "unit"));
	rc_puts(c, "; total ");
	num(c, w, wp, "total", 0);
	rc_puts(c, "; any weak category: ");
	num(c, any, ep, "count", 0);
	rc_puts(c, ", share ");
	share(c, any, ep, "share");
	rc_puts(c, ".\n");
	THEAD(c, "Category", "#Count", "#Share");
	json_array_foreach(cats, i, e)
	{
		path_idx(ep, cp, i);
		e = rc_item(c, cats, cp, i, JSON_OBJECT);
		rc_puts(c, "|");
		cell(c, rc_str(c, e, ep, "key"));
		cell_num(c, e, ep, "count");
		rc_puts(c, " ");
		share(c, e, ep, "share");
		rc_puts(c, " |\n");
	}
}

static void counts_row(struct rctx *c, json_t *arr, const char *path, size_t want, int weekdays)
{
	char n[RENDER_MAX_NUMBER];
	size_t i;

	if (json_array_size(arr) != want) {
		rc_fault(c, path, weekdays ? "does not hold 7 counts" : "does not hold 24 counts");
		return;
	}
	rc_puts(c, "\n|");
	for (i = 0; i < want; i++) {
		if (weekdays)
			rc_printf(c, " %s |", weekday_names[i]);
		else
			rc_printf(c, " %02zu |", i);
	}
	rc_puts(c, "\n|");
	for (i = 0; i < want; i++)
		rc_puts(c, " ---: |");
	rc_puts(c, "\n|");
	for (i = 0; i < want; i++) {
		fmt_num(n, rc_item(c, arr, path, i, JSON_INTEGER));
		rc_printf(c, " %s |", n);
	}
	rc_puts(c, "\n");
}

static void activity(struct rctx *c, json_t *obj, const char *base)
{
	char ap[RENDER_MAX_PATH], p[RENDER_MAX_PATH];
	json_t *act = rc_obj(c, obj, base, "activity");

	path_key(ap, base, "activity");
	rc_puts(c, "\nEvents by hour of day (UTC):\n");
	path_key(p, ap, "hours");
	counts_row(c, rc_arr(c, act, ap, "hours"), p, 24, 0);
	rc_puts(c, "\nEvents by weekday (UTC):\n");
	path_key(p, ap, "weekdays");
	counts_row(c, rc_arr(c, act, ap, "weekdays"), p, 7, 1);
}

static void summary(struct rctx *c, json_t *totals)
{
	size_t i;

	rc_puts(c, "\n## Summary\n");
	THEAD(c, "Figure", "#Count", "Unit");
	for (i = 0; i < report_ntotals; i++) {
		rc_printf(c, "| %s |", report_totals[i].label);
		cell_num(c, totals, "totals", report_totals[i].key);
		rc_printf(c, " %s |\n", report_totals[i].unit);
	}
	rc_puts(c, "\nThe totals rest on ledger entries ");
	str_list(c, totals, "totals", "entries", ", ", 1);
	rc_puts(c, ".\n");
}

static void country_table(struct rctx *c, json_t *org)
{
	char p[RENDER_MAX_PATH];
	size_t u;

	rc_puts(c, "\n## Origins by unit\n\nWhere the campaigns come from depends on what is "
	           "counted: the same campaign events in five units (\"??\": location unknown).\n");
	for (u = 0; u < 5; u++) {
		path_key(p, "origins", report_units[u]);
		rc_printf(c, "\n### By %s\n", report_unit_names[u]);
		origin_list(c, rc_arr(c, org, "origins", report_units[u]), p);
	}
}

static void timeline(struct rctx *c, json_t *camps)
{
	json_t *e;
	size_t i;

	rc_puts(c, "\n## Timeline\n");
	THEAD(c, "Campaign", "First (UTC)", "Last (UTC)");
	json_array_foreach(camps, i, e)
	{
		rc_puts(c, "|");
		cell(c, json_string_value(json_object_get(e, "id")));
		cell(c, json_string_value(json_object_get(e, "first")));
		cell(c, json_string_value(json_object_get(e, "last")));
		rc_puts(c, "\n");
	}
}

static void entry_row(struct rctx *c, json_t *e, const char *ep, int payload)
{
	rc_puts(c, "|");
	cell(c, rc_str(c, e, ep, "ref"));
	cell(c, rc_str(c, e, ep, "party"));
	cell_num(c, e, ep, "index");
	cell(c, rc_str(c, e, ep, "leaf_hash"));
	cell(c, rc_str(c, e, ep, "kind"));
	cell(c, rc_str(c, e, ep, "tlp"));
	cell(c, rc_str(c, e, ep, "about"));
	if (payload)
		cell(c, rc_str(c, e, ep, "payload"));
	rc_puts(c, "\n");
}

/* Rows of an array of objects: for each, the listed members; a key starting
 * with '#' is an integer, with '~' a number, with '?' a string or null. */
static void rows(struct rctx *c, json_t *obj, const char *base, const char *key,
                 const char *const *cols, size_t n)
{
	char p[RENDER_MAX_PATH], ep[RENDER_MAX_PATH];
	json_t *arr = rc_arr(c, obj, base, key), *e;
	size_t i, k;

	path_key(p, base, key);
	json_array_foreach(arr, i, e)
	{
		path_idx(ep, p, i);
		e = rc_item(c, arr, p, i, JSON_OBJECT);
		rc_puts(c, "|");
		for (k = 0; k < n; k++) {
			if (cols[k][0] == '#') {
				cell_num(c, e, ep, cols[k] + 1);
			} else if (cols[k][0] == '~') {
				rc_puts(c, " ");
				num(c, e, ep, cols[k] + 1, 1);
				rc_puts(c, " |");
			} else if (cols[k][0] == '?') {
				cell(c, rc_nstr(c, e, ep, cols[k] + 1));
			} else {
				cell(c, rc_str(c, e, ep, cols[k]));
			}
		}
		rc_puts(c, "\n");
	}
}

#define ROWS(c, obj, base, key, ...)                                                               \
	do {                                                                                       \
		static const char *const k_[] = {__VA_ARGS__};                                     \
		rows(c, obj, base, key, k_, sizeof(k_) / sizeof(k_[0]));                           \
	} while (0)

static void card(struct rctx *c, json_t *camp, size_t idx)
{
	char b[RENDER_MAX_PATH], p[RENDER_MAX_PATH], ep[RENDER_MAX_PATH], lp[RENDER_MAX_PATH];
	json_t *arr, *e, *org, *tz;
	const char *best;
	size_t i, u;

	path_idx(b, "campaigns", idx);
	rc_puts(c, "\n### ");
	rc_md(c, rc_str(c, camp, b, "title"));
	rc_puts(c, "\n\nId **");
	rc_md(c, rc_str(c, camp, b, "id"));
	rc_puts(c, "**; confidence **");
	rc_md(c, rc_str(c, camp, b, "confidence"));
	rc_puts(c, "** (ICD 203); parties ");
	str_list(c, camp, b, "parties", ", ", 0);
	rc_puts(c, "; active from ");
	rc_md(c, rc_str(c, camp, b, "first"));
	rc_puts(c, " to ");
	rc_md(c, rc_str(c, camp, b, "last"));
	rc_puts(c, " (UTC).\n");
	THEAD(c, "Figure", "#Count");
	rc_puts(c, "| Events |");
	cell_num(c, camp, b, "events");
	rc_puts(c, "\n| Hostile events |");
	cell_num(c, camp, b, "hostile_events");
	rc_puts(c, "\n| Intel sightings |");
	cell_num(c, camp, b, "sightings");
	rc_puts(c, "\n\nConfidence basis:\n\n");
	arr = rc_arr(c, camp, b, "confidence_basis");
	path_key(p, b, "confidence_basis");
	json_array_foreach(arr, i, e)
	{
		path_idx(ep, p, i);
		e = rc_item(c, arr, p, i, JSON_OBJECT);
		rc_puts(c, rc_bool(c, e, ep, "holds") ? "- holds: " : "- does not hold: ");
		rc_md(c, rc_str(c, e, ep, "finding"));
		rc_puts(c, "\n");
	}
	rc_puts(c, "\nHypotheses:\n");
	THEAD(c, "Hypothesis", "Assessment", "Basis");
	ROWS(c, camp, b, "hypotheses", "name", "assessment", "?basis");
	rc_puts(c, "\nVictims:\n");
	THEAD(c, "Victim", "Sector", "Party", "#Events");
	ROWS(c, camp, b, "victims", "name", "?sector", "party", "#events");
	rc_puts(c, "\nCountries:\n");
	THEAD(c, "Country", "#Events", "#Remote IPs");
	ROWS(c, camp, b, "countries", "cc", "#events", "#remote_ips");
	rc_puts(c, "\nAutonomous systems:\n");
	THEAD(c, "#ASN", "Organisation", "#Events", "#Remote IPs");
	ROWS(c, camp, b, "asns", "#asn", "?org", "#events", "#remote_ips");
	rc_puts(c, "\nActors named by intelligence:\n");
	if (json_array_size(rc_arr(c, camp, b, "actors")) == 0) {
		rc_puts(c, "\n*No intelligence sighting names an actor.*\n");
	} else {
		THEAD(c, "Actor", "#Sightings", "Chain");
		ROWS(c, camp, b, "actors", "name", "#sightings", "?chain");
	}
	rc_puts(c, "\nLinks that joined it:\n");
	THEAD(c, "Kind", "Value", "#Weight", "#Members", "#Events");
	ROWS(c, camp, b, "links", "kind", "value", "~weight", "#members", "#events");
	{
		json_t *lc = rc_obj(c, camp, b, "link_counts"), *v;
		const char *k;
		char kp[RENDER_MAX_PATH];
		int first = 1;

		path_key(kp, b, "link_counts");
		rc_puts(c, "\nKeys that joined it, by kind:");
		json_object_foreach(lc, k, v)
		{
			rc_puts(c, first ? " " : ", ");
			first = 0;
			rc_md(c, k);
			rc_puts(c, " ");
			num(c, lc, kp, k, 0);
		}
		rc_puts(c, "\n");
	}
	rc_puts(c, "\nSignatures:\n");
	THEAD(c, "Signature", "#Events");
	ROWS(c, camp, b, "signatures", "name", "#events");

	rc_puts(c, "\nOrigins by unit (country: count, share):\n");
	THEAD(c, "Unit", "Countries");
	org = rc_obj(c, camp, b, "origins");
	path_key(p, b, "origins");
	for (u = 0; u < 5; u++) {
		path_key(lp, p, report_units[u]);
		arr = rc_arr(c, org, p, report_units[u]);
		rc_printf(c, "| %s |", report_unit_names[u]);
		json_array_foreach(arr, i, e)
		{
			path_idx(ep, lp, i);
			e = rc_item(c, arr, lp, i, JSON_OBJECT);
			rc_puts(c, i ? "; " : " ");
			rc_md(c, rc_str(c, e, ep, "key"));
			rc_puts(c, " ");
			num(c, e, ep, "count", 0);
			rc_puts(c, " (");
			num(c, e, ep, "share", 1);
			rc_puts(c, ")");
		}
		rc_puts(c, " |\n");
	}
	rc_puts(c, "\nWeak evidence:\n");
	weak(c, camp, b);
	activity(c, camp, b);

	tz = rc_obj(c, camp, b, "timezone");
	path_key(p, b, "timezone");
	best = rc_nstr(c, tz, p, "best");
	rc_puts(c, "\nTime zone: best-fitting UTC offset **");
	rc_md(c, best);
	rc_puts(c, "**, share of events in office hours there ");
	share(c, tz, p, "office_share");
	rc_puts(c, ".\n");
	THEAD(c, "Offset", "#Office share");
	ROWS(c, tz, p, "offsets", "offset", "~office_share");

	rc_puts(c, "\nEvidence it rests on:\n");
	THEAD(c, "Ref", "Party", "#Ledger index", "Leaf hash", "Kind", "TLP", "About");
	arr = rc_arr(c, camp, b, "entries");
	path_key(p, b, "entries");
	json_array_foreach(arr, i, e)
	{
		json_t *ent, *all = json_object_get(c->root, "entries");
		size_t k = 0;

		path_idx(ep, p, i);
		e = rc_item(c, arr, p, i, JSON_STRING);
		if (e == NULL || (ent = rc_entry(c, json_string_value(e), ep)) == NULL)
			continue;
		while (json_array_get(all, k) != ent)
			k++;
		path_idx(lp, "entries", k);
		entry_row(c, ent, lp, 0);
	}
	rc_puts(c, "\nRemote addresses: ");
	str_list(c, camp, b, "remote_ips", ", ", 0);
	rc_puts(c, "\n\nRemote prefixes: ");
	str_list(c, camp, b, "prefixes", ", ", 0);
	rc_puts(c, "\n");
}

/* A fence of backticks longer than any run of backticks in s. */
static void fence(struct rctx *c, const char *s)
{
	size_t run = 0, longest = 0, i;

	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
		rc_puts(c, "`");
}

enum dt_err report_render_md(const char *json, size_t len, struct strbuf *out, struct dt_diag *diag)
{
	size_t orig = out->len, i;
	struct rctx c;
	json_t *r, *camps, *node, *cp, *e, *org;
	const char *note;
	enum dt_err err;

	if ((err = rctx_open(&c, json, len, out, diag)) != DT_OK)
		return err;
	r = c.root;
	node = rc_obj(&c, r, "", "node");
	cp = rc_obj(&c, r, "", "checkpoint");
	camps = rc_arr(&c, r, "", "campaigns");
	org = rc_obj(&c, r, "", "origins");

	rc_puts(&c, "# Joint attribution report\n\nPrepared by **");
	rc_md(&c, rc_str(&c, node, "node", "party"));
	rc_puts(&c, "** (");
	rc_md(&c, rc_str(&c, node, "node", "origin"));
	rc_puts(&c, ") at ledger checkpoint ");
	rc_md(&c, rc_str(&c, cp, "checkpoint", "origin"));
	rc_puts(&c, " size ");
	num(&c, cp, "checkpoint", "size", 0);
	rc_puts(&c, ". Every figure is copied from the JSON report (" REPORT_SCHEMA "), which the "
	            "other party can recompute from the ledgered evidence and the named reference "
	            "data.\n");
	summary(&c, rc_obj(&c, r, "", "totals"));
	country_table(&c, org);
	rc_puts(&c, "\n## Weak evidence\n\nRemote addresses whose location says little about who "
	            "operates them.\n");
	weak(&c, r, "");
	rc_puts(&c, "\n## Activity profile\n");
	activity(&c, r, "");
	timeline(&c, camps);
	rc_puts(&c, "\n## Campaigns\n");
	json_array_foreach(camps, i, e)
	{
		e = rc_item(&c, camps, "campaigns", i, JSON_OBJECT);
		card(&c, e, i);
	}
	if (json_array_size(camps) == 0)
		rc_puts(&c, "\n*No campaigns.*\n");

	rc_puts(&c, "\n## Evidence\n\nEvery ledger entry a figure rests on.\n");
	THEAD(&c, "Ref", "Party", "#Index", "Leaf hash", "Kind", "TLP", "About", "Payload");
	{
		json_t *entries = rc_arr(&c, r, "", "entries");
		char ep[RENDER_MAX_PATH];

		json_array_foreach(entries, i, e)
		{
			path_idx(ep, "entries", i);
			entry_row(&c, rc_item(&c, entries, "entries", i, JSON_OBJECT), ep, 1);
		}
	}

	rc_puts(&c, "\n## Ledger checkpoint\n\nOrigin ");
	rc_md(&c, rc_str(&c, cp, "checkpoint", "origin"));
	rc_puts(&c, ", size ");
	num(&c, cp, "checkpoint", "size", 0);
	rc_puts(&c, ", root ");
	rc_md(&c, rc_str(&c, cp, "checkpoint", "root"));
	rc_puts(&c, ". The signed checkpoint note, exactly:\n\n");
	note = rc_str(&c, cp, "checkpoint", "note");
	fence(&c, note);
	rc_puts(&c, "\n");
	rc_puts(&c, note);
	if (*note && note[strlen(note) - 1] != '\n')
		rc_puts(&c, "\n");
	fence(&c, note);
	rc_puts(&c, "\n");

	rc_puts(&c, "\n## Peers\n");
	THEAD(&c, "Peer", "Origin", "#Size", "Root", "Cosigned");
	{
		json_t *peers = rc_arr(&c, r, "", "peers");
		char ep[RENDER_MAX_PATH];

		json_array_foreach(peers, i, e)
		{
			path_idx(ep, "peers", i);
			e = rc_item(&c, peers, "peers", i, JSON_OBJECT);
			rc_puts(&c, "|");
			cell(&c, rc_str(&c, e, ep, "name"));
			cell(&c, rc_str(&c, e, ep, "origin"));
			cell_num(&c, e, ep, "size");
			cell(&c, rc_str(&c, e, ep, "root"));
			cell(&c, rc_bool(&c, e, ep, "cosigned") ? "yes" : "no");
			rc_puts(&c, "\n");
		}
	}
	rc_puts(&c, "\n## Reference data\n\n");
	{
		json_t *rd = rc_arr(&c, r, "", "refdata");

		json_array_foreach(rd, i, e)
		{
			rc_puts(&c, "- ");
			rc_md(&c, json_string_value(rc_item(&c, rd, "refdata", i, JSON_STRING)));
			rc_puts(&c, "\n");
		}
	}
	rc_puts(&c, "\n## Method\n");
	{
		json_t *m = rc_obj(&c, r, "", "method");

		THEAD(&c, "Link kind", "#Weight", "Rule");
		ROWS(&c, m, "method", "links", "kind", "~weight", "rule", "#kept_from_joining");
		rc_puts(&c, "\n- Join threshold: ");
		num(&c, m, "method", "join_threshold", 1);
		rc_puts(&c, "\n- Time window of /24 links (days): ");
		num(&c, m, "method", "window_days", 0);
		rc_puts(&c, "\n- Guard: ");
		rc_md(&c, rc_str(&c, m, "method", "guard"));
		rc_puts(&c, "\n- Campaign: ");
		rc_md(&c, rc_str(&c, m, "method", "campaign_rule"));
		rc_puts(&c, "\n- Confidence rule: ");
		rc_md(&c, rc_str(&c, m, "method", "confidence_rule"));
		rc_puts(&c, "\n- Office hours: ");
		rc_md(&c, rc_str(&c, m, "method", "office_hours"));
		rc_puts(&c, "\n");
	}
	return rctx_close(&c, orig);
}
