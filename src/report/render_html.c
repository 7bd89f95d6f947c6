/*
 * render_html.c — the JSON report as one self-contained HTML file.
 *
 * The page must be readable on a machine with no network and no trust in
 * the tool: no script, no external font, style or image; charts are inline
 * SVG, the style is inline CSS, and a Content-Security-Policy of
 * default-src 'none' makes the browser refuse any load a bug (or an escaped
 * string that was not) might try.  Every string of the report is escaped
 * (render_util.c), since domains, signatures and organisation names come
 * from the attackers' side.
 *
 * Every number on the page is the JSON's own, written inside an element
 * whose data-figure attribute holds its JSON path (data-figure=
 * "campaigns[0].origins.events[2].count"), so a test (tests/browser/) and a
 * sceptical reader can check each against the model.  Only bar lengths and
 * the percentage notation of shares are derived, and percentages sit in
 * their own elements with no data-figure.  Geometry uses integer arithmetic:
 * the same JSON gives the same bytes.
 */
#include "report/render.h"

#include <stdlib.h>
#include <string.h>

#include "report/render_map.h"
#include "report/render_util.h"

static const char *const weekday_names[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const unit_heads[5] = {"Events", "Remote IPs", "Prefixes", "ASNs", "Victims"};

static const char css[] =
    ":root{--ink:#1b1f24;--muted:#57606a;--rule:#c8ccd0;--bar:#34557a;--bar2:#8aa4c0;"
    "--band:#f4f5f7;--accent:#7a2e2e}\n"
    "body{font-family:\"Liberation Sans\",\"Helvetica Neue\",Arial,sans-serif;color:var(--ink);"
    "max-width:980px;margin:0 auto;padding:24px 28px 64px;line-height:1.45;font-size:15px}\n"
    "h1{font-size:1.7em;margin:0 0 .2em;border-bottom:3px solid var(--ink);padding-bottom:.2em}\n"
    "h2{font-size:1.3em;margin:2em 0 .6em;border-bottom:1px solid var(--rule);"
    "padding-bottom:.15em}\n"
    "h3{font-size:1.12em;margin:0 0 .3em}h4{font-size:1em;margin:1.1em 0 .35em;"
    "color:var(--muted)}\n"
    "p.lead{color:var(--muted);margin:.2em 0 1em}\n"
    "nav ol{columns:3;font-size:.92em;padding-left:1.4em}\n"
    "table{border-collapse:collapse;margin:.4em 0 1em;font-size:.93em}\n"
    "th,td{border-bottom:1px solid var(--rule);padding:.25em .7em .25em 0;text-align:left;"
    "vertical-align:top}\n"
    "th{font-weight:600}thead th{border-bottom:2px solid var(--ink)}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;padding-left:.7em;"
    "white-space:nowrap}\n"
    ".charts{display:flex;flex-wrap:wrap;gap:0 2em;align-items:flex-end}\n"
    ".pct{color:var(--muted);font-size:.9em}\n"
    "code,pre,.mono{font-family:\"Liberation Mono\",\"DejaVu Sans Mono\",monospace;"
    "font-size:.9em}\n"
    ".hash{word-break:break-all;font-size:.82em}\n"
    "pre{background:var(--band);border:1px solid var(--rule);padding:.8em;overflow-x:auto;"
    "white-space:pre-wrap;word-break:break-all}\n"
    "figure{margin:.6em 0 1.4em}figcaption{font-size:.9em;color:var(--muted);"
    "margin-bottom:.2em}\n"
    "svg{max-width:100%;height:auto;font-family:inherit}\n"
    "svg text{fill:var(--ink);font-size:12px}svg .bar{fill:var(--bar)}svg .bar2{fill:var(--bar2)}"
    "svg .axis{stroke:var(--rule)}svg .small{font-size:10px}svg .pct{fill:var(--muted)}\n"
    "article.campaign{border:1px solid var(--rule);border-left:5px solid var(--bar);"
    "padding:1em 1.2em;margin:1.2em 0;break-inside:auto}\n"
    ".meta{color:var(--muted);margin:.1em 0 .6em}\n"
    ".conf{font-weight:700;text-transform:uppercase;letter-spacing:.04em;padding:0 .35em;"
    "border:1px solid currentColor}\n"
    ".conf-high{color:#1f5f2f}.conf-moderate{color:#7a5a00}.conf-low{color:var(--accent)}\n"
    ".addrs{font-family:\"Liberation Mono\",monospace;font-size:.82em;color:var(--ink);"
    "word-spacing:.4em}\n"
    "ul.offsets{list-style:none;padding:0;display:grid;grid-template-columns:repeat(9,1fr);"
    "gap:2px 6px;font-size:.82em}\n"
    "ul.offsets li{border-bottom:1px solid var(--band)}ul.offsets li.best{font-weight:700;"
    "border-bottom:2px solid var(--bar)}\n"
    ".unknown{color:var(--muted);font-style:italic}\n"
    "footer{margin-top:3em;border-top:1px solid var(--rule);color:var(--muted);"
    "font-size:.85em}\n"
    "@media print{body{max-width:none;padding:0;font-size:10.5pt}nav{display:none}"
    "h2{break-after:avoid}table,figure,tr{break-inside:avoid}"
    "article.campaign{border-left-width:3px}a{color:inherit;text-decoration:none}}\n"
    "@page{margin:16mm 14mm}\n";

/* ---- small pieces -------------------------------------------------------- */

/* <tag data-figure="path">number</tag> */
static void fig_tag(struct rctx *c, const char *tag, const char *path, const json_t *num)
{
	char n[RENDER_MAX_NUMBER];

	fmt_num(n, num);
	rc_printf(c, "<%s data-figure=\"", tag);
	rc_html(c, path);
	rc_puts(c, "\">");
	rc_puts(c, n);
	rc_printf(c, "</%s>", tag);
}

static void fig(struct rctx *c, const char *path, const json_t *num)
{
	fig_tag(c, "span", path, num);
}

/* Integer member key of obj (at base) as a figure. */
static void figi(struct rctx *c, json_t *obj, const char *base, const char *key)
{
	char p[RENDER_MAX_PATH];
	json_t *v = rc_int(c, obj, base, key);

	path_key(p, base, key);
	fig(c, p, v);
}

/* A share: the JSON value as a figure, then the percentage beside it. */
static void figshare(struct rctx *c, json_t *obj, const char *base, const char *key)
{
	char p[RENDER_MAX_PATH], pct[RENDER_MAX_NUMBER];
	json_t *v = rc_num(c, obj, base, key);

	path_key(p, base, key);
	fig(c, p, v);
	fmt_pct(pct, v);
	rc_puts(c, " <span class=\"pct\">(");
	rc_puts(c, pct);
	rc_puts(c, ")</span>");
}

static void td_figi(struct rctx *c, json_t *obj, const char *base, const char *key)
{
	rc_puts(c, "<td class=\"num\">");
	figi(c, obj, base, key);
	rc_puts(c, "</td>");
}

static void td_str(struct rctx *c, const char *s, const char *cls)
{
	if (cls)
		rc_printf(c, "<td class=\"%s\">", cls);
	else
		rc_puts(c, "<td>");
	rc_html(c, s);
	rc_puts(c, "</td>");
}

/* <thead> with the given headings; a heading starting with '#' is numeric. */
static void thead(struct rctx *c, const char *const *heads, size_t n)
{
	size_t i;

	rc_puts(c, "<table><thead><tr>");
	for (i = 0; i < n; i++) {
		if (heads[i][0] == '#')
			rc_printf(c, "<th class=\"num\">%s</th>", heads[i] + 1);
		else
			rc_printf(c, "<th>%s</th>", heads[i]);
	}
	rc_puts(c, "</tr></thead><tbody>\n");
}

#define THEAD(c, ...)                                                                              \
	do {                                                                                       \
		static const char *const h_[] = {__VA_ARGS__};                                     \
		thead(c, h_, sizeof(h_) / sizeof(h_[0]));                                          \
	} while (0)

static void tend(struct rctx *c)
{
	rc_puts(c, "</tbody></table>\n");
}

/* The strings of an array member, escaped, separated by sep. */
static void str_list(struct rctx *c, json_t *obj, const char *base, const char *key,
                     const char *sep, const char *wrap)
{
	char p[RENDER_MAX_PATH];
	json_t *arr = rc_arr(c, obj, base, key), *v;
	size_t i;

	path_key(p, base, key);
	if (json_array_size(arr) == 0)
		rc_puts(c, "<span class=\"unknown\">none</span>");
	json_array_foreach(arr, i, v)
	{
		v = rc_item(c, arr, p, i, JSON_STRING);
		if (i > 0)
			rc_puts(c, sep);
		if (wrap)
			rc_printf(c, "<%s>", wrap);
		rc_html(c, json_string_value(v));
		if (wrap)
			rc_printf(c, "</%s>", wrap);
	}
}

/* ---- charts -------------------------------------------------------------- */

/* Horizontal bars of an origins list (key, count, share), the first
 * RENDER_CHART_BARS entries. */
static void origin_chart(struct rctx *c, json_t *list, const char *path, const char *label)
{
	enum { LABEL = 56, BARW = 420, ROW = 22, TOP = 6 };
	long long max = 0, n;
	size_t i, shown = json_array_size(list);
	char p[RENDER_MAX_PATH], pct[RENDER_MAX_NUMBER];
	json_t *e;

	if (shown > RENDER_CHART_BARS)
		shown = RENDER_CHART_BARS;
	for (i = 0; i < shown; i++) {
		e = rc_item(c, list, path, i, JSON_OBJECT);
		n = json_integer_value(json_object_get(e, "count"));
		if (n > max)
			max = n;
	}
	rc_printf(c,
	          "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 640 %zu\" "
	          "width=\"640\" height=\"%zu\"><title>",
	          TOP * 2 + (shown ? shown : 1) * ROW, TOP * 2 + (shown ? shown : 1) * ROW);
	rc_html(c, label);
	rc_puts(c, "</title>\n");
	if (shown == 0)
		rc_printf(c, "<text x=\"%d\" y=\"%d\">no data</text>\n", LABEL, TOP + 15);
	for (i = 0; i < shown; i++) {
		json_t *cnt, *sh;
		long long w;
		size_t y = TOP + i * ROW;

		path_idx(p, path, i);
		e = rc_item(c, list, path, i, JSON_OBJECT);
		cnt = rc_int(c, e, p, "count");
		sh = rc_num(c, e, p, "share");
		n = json_integer_value(cnt);
		w = max > 0 && n > 0 ? n * BARW / max : 0;
		if (n > 0 && w < 1)
			w = 1;
		rc_printf(c, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">", LABEL - 6, y + 15);
		rc_html(c, rc_str(c, e, p, "key"));
		rc_printf(c,
		          "</text><rect class=\"bar\" x=\"%d\" y=\"%zu\" width=\"%lld\" "
		          "height=\"%d\"/><text x=\"%lld\" y=\"%zu\">",
		          LABEL, y + 3, w, ROW - 6, LABEL + w + 6, y + 15);
		path_key(pct, p, "count");
		fig_tag(c, "tspan", pct, cnt);
		fmt_pct(pct, sh);
		rc_printf(c, " <tspan class=\"pct\">(%s)</tspan></text>\n", pct);
	}
	rc_puts(c, "</svg>\n");
}

/* Vertical bars of an array of integers (hours or weekdays). */
static void column_chart(struct rctx *c, json_t *arr, const char *path, size_t want,
                         const char *title, int weekdays)
{
	enum { H = 120, TOPM = 18, BOTM = 20, LEFT = 8 };
	size_t i, colw = weekdays ? 64 : 26, width = LEFT * 2 + want * colw;
	long long max = 0, n, h;
	json_t *v;

	if (json_array_size(arr) != want) {
		rc_fault(c, path, weekdays ? "does not hold 7 counts" : "does not hold 24 counts");
		return;
	}
	for (i = 0; i < want; i++) {
		v = rc_item(c, arr, path, i, JSON_INTEGER);
		if (json_integer_value(v) > max)
			max = json_integer_value(v);
	}
	rc_printf(c,
	          "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 %zu %d\" "
	          "width=\"%zu\" height=\"%d\"><title>",
	          width, TOPM + H + BOTM, width, TOPM + H + BOTM);
	rc_html(c, title);
	rc_printf(c, "</title>\n<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%zu\" y2=\"%d\"/>\n",
	          LEFT, TOPM + H, width - LEFT, TOPM + H);
	for (i = 0; i < want; i++) {
		char p[RENDER_MAX_PATH];
		size_t x = LEFT + i * colw;

		v = json_array_get(arr, i);
		n = json_integer_value(v);
		h = max > 0 && n > 0 ? n * H / max : 0;
		if (n > 0 && h < 1)
			h = 1;
		rc_printf(
		    c, "<rect class=\"bar\" x=\"%zu\" y=\"%lld\" width=\"%zu\" height=\"%lld\"/>",
		    x + 2, TOPM + H - h, colw - 4, h);
		rc_printf(c, "<text class=\"small\" x=\"%zu\" y=\"%lld\" text-anchor=\"middle\">",
		          x + colw / 2, TOPM + H - h - 4);
		path_idx(p, path, i);
		fig_tag(c, "tspan", p, v);
		rc_printf(c,
		          "</text><text class=\"small\" x=\"%zu\" y=\"%d\" "
		          "text-anchor=\"middle\">",
		          x + colw / 2, TOPM + H + 14);
		if (weekdays)
			rc_puts(c, weekday_names[i]);
		else
			rc_printf(c, "%02zu", i);
		rc_puts(c, "</text>\n");
	}
	rc_puts(c, "</svg>\n");
}

static void activity(struct rctx *c, json_t *obj, const char *base, const char *what)
{
	char p[RENDER_MAX_PATH], t[200];
	json_t *act = rc_obj(c, obj, base, "activity");
	char ap[RENDER_MAX_PATH];

	path_key(ap, base, "activity");
	rc_puts(c, "<div class=\"charts\">\n");
	path_key(p, ap, "hours");
	snprintf(t, sizeof(t), "%s: events by hour of day (UTC)", what);
	rc_printf(c, "<figure><figcaption>%s</figcaption>\n", "Events by hour of day (UTC)");
	column_chart(c, rc_arr(c, act, ap, "hours"), p, 24, t, 0);
	rc_puts(c, "</figure>\n");
	path_key(p, ap, "weekdays");
	snprintf(t, sizeof(t), "%s: events by weekday (UTC)", what);
	rc_printf(c, "<figure><figcaption>%s</figcaption>\n", "Events by weekday (UTC)");
	column_chart(c, rc_arr(c, act, ap, "weekdays"), p, 7, t, 1);
	rc_puts(c, "</figure>\n</div>\n");
}

/* ---- sections ------------------------------------------------------------ */

static void head(struct rctx *c, json_t *node)
{
	rc_puts(c, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	           "style-src 'unsafe-inline'; img-src data:\">\n"
	           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	           "<meta name=\"generator\" content=\"detente (" REPORT_SCHEMA ")\">\n"
	           "<title>Joint attribution report \xe2\x80\x94 ");
	rc_html(c, rc_str(c, node, "node", "party"));
	rc_puts(c, "</title>\n<style>\n");
	rc_puts(c, css);
	rc_puts(c, map_css);
	rc_puts(c, "</style>\n</head>\n<body>\n");
}

static void intro(struct rctx *c, json_t *node, json_t *cp)
{
	rc_puts(c, "<header>\n<h1>Joint attribution report</h1>\n<p class=\"lead\">Prepared by "
	           "<strong>");
	rc_html(c, rc_str(c, node, "node", "party"));
	rc_puts(c, "</strong> (<code>");
	rc_html(c, rc_str(c, node, "node", "origin"));
	rc_puts(c, "</code>) at ledger checkpoint <code>");
	rc_html(c, rc_str(c, cp, "checkpoint", "origin"));
	rc_puts(c, "</code> size ");
	figi(c, cp, "checkpoint", "size");
	rc_puts(c, ". Every figure below is copied from the JSON report (" REPORT_SCHEMA
	           "), which the other party can recompute from the ledgered evidence and the "
	           "named reference data; each carries its JSON path in a <code>data-figure</code> "
	           "attribute.</p>\n</header>\n"
	           "<nav><h2>Contents</h2><ol><li><a href=\"#summary\">Summary</a></li>"
	           "<li><a href=\"#origins\">Origins by unit</a></li>"
	           "<li><a href=\"#countries\">Countries</a></li>"
	           "<li><a href=\"#weak\">Weak evidence</a></li>"
	           "<li><a href=\"#activity\">Activity profile</a></li>"
	           "<li><a href=\"#timeline\">Timeline</a></li>"
	           "<li><a href=\"#campaigns\">Campaigns</a></li>"
	           "<li><a href=\"#evidence\">Evidence</a></li>"
	           "<li><a href=\"#checkpoint\">Ledger checkpoint</a></li>"
	           "<li><a href=\"#peers\">Peers</a></li>"
	           "<li><a href=\"#refdata\">Reference data</a></li>"
	           "<li><a href=\"#method\">Method</a></li></ol></nav>\n");
}

static void summary(struct rctx *c, json_t *totals)
{
	size_t i;

	rc_puts(c, "<section id=\"summary\">\n<h2>Summary</h2>\n");
	THEAD(c, "Figure", "#Count", "Unit");
	for (i = 0; i < report_ntotals; i++) {
		rc_printf(c, "<tr><th>%s</th>", report_totals[i].label);
		td_figi(c, totals, "totals", report_totals[i].key);
		rc_printf(c, "<td>%s</td></tr>\n", report_totals[i].unit);
	}
	tend(c);
	rc_puts(c, "<p>The totals rest on ledger entries ");
	str_list(c, totals, "totals", "entries", ", ", "code");
	rc_puts(c, " (see <a href=\"#evidence\">Evidence</a>).</p>\n</section>\n");
}

static void origins(struct rctx *c, json_t *org)
{
	char p[RENDER_MAX_PATH], t[160];
	size_t u;

	rc_puts(c, "<section id=\"origins\">\n<h2>Origins by unit</h2>\n<p>Where the campaigns "
	           "come from depends on what is counted. The same campaign events are counted "
	           "below in five units; a country that sends many events from few addresses ranks "
	           "differently by events than by addresses or victims. Bars show up to the first "
	           "twelve countries of each unit (\"??\": location unknown); the <a "
	           "href=\"#countries\">country table</a> lists all.</p>\n");
	for (u = 0; u < 5; u++) {
		path_key(p, "origins", report_units[u]);
		snprintf(t, sizeof(t), "Origins counted in %s", report_unit_names[u]);
		rc_printf(c,
		          "<figure class=\"origin\" data-unit=\"%s\"><figcaption>By <strong>%s"
		          "</strong></figcaption>\n",
		          report_units[u], report_unit_names[u]);
		origin_chart(c, rc_arr(c, org, "origins", report_units[u]), p, t);
		rc_puts(c, "</figure>\n");
	}
	rc_puts(c, "</section>\n");
}

/* Index of the entry with key in an origins list, or -1. */
static long find_key(json_t *list, const char *key)
{
	json_t *e;
	size_t i;

	json_array_foreach(list, i, e)
	{
		json_t *k = json_object_get(e, "key");

		if (json_is_string(k) && strcmp(json_string_value(k), key) == 0)
			return (long)i;
	}
	return -1;
}

static void countries(struct rctx *c, json_t *org, const struct worldmap *map)
{
	const char **keys = NULL;
	size_t nkeys = 0, cap = 0, u, i, j;
	char p[RENDER_MAX_PATH];

	for (u = 0; u < 5; u++)
		cap += json_array_size(json_object_get(org, report_units[u]));
	if (cap && (keys = calloc(cap, sizeof(*keys))) == NULL) {
		if (!c->err)
			c->err = DT_ENOMEM;
		return;
	}
	/* Rows: keys in the order of the events list, then any key only the
	 * other units hold, in the order they hold it. */
	for (u = 0; u < 5; u++) {
		json_t *list = json_object_get(org, report_units[u]), *e;

		path_key(p, "origins", report_units[u]);
		json_array_foreach(list, i, e)
		{
			char ep[RENDER_MAX_PATH];
			const char *k;

			path_idx(ep, p, i);
			e = rc_item(c, list, p, i, JSON_OBJECT);
			k = rc_str(c, e, ep, "key");
			for (j = 0; j < nkeys && strcmp(keys[j], k) != 0; j++)
				;
			if (j == nkeys && nkeys < cap)
				keys[nkeys++] = k;
		}
	}
	rc_puts(c, "<section id=\"countries\">\n<h2>Countries</h2>\n");
	html_world_map(c, org, map);
	rc_puts(c, "<p>Every country of the campaigns in every unit: count and share of the "
	           "unit's total.</p>\n");
	rc_puts(c, "<table class=\"countries\"><thead><tr><th>Country</th>");
	for (u = 0; u < 5; u++)
		rc_printf(c, "<th class=\"num\" colspan=\"2\">%s</th>", unit_heads[u]);
	rc_puts(c, "</tr></thead><tbody>\n");
	for (j = 0; j < nkeys; j++) {
		rc_puts(c, "<tr><th>");
		rc_html(c, keys[j]);
		rc_puts(c, "</th>");
		for (u = 0; u < 5; u++) {
			json_t *list = json_object_get(org, report_units[u]);
			long k = find_key(list, keys[j]);
			char ep[RENDER_MAX_PATH];

			if (k < 0) {
				rc_puts(c, "<td class=\"num\">\xe2\x80\x94</td><td></td>");
				continue;
			}
			path_key(p, "origins", report_units[u]);
			path_idx(ep, p, (size_t)k);
			rc_puts(c, "<td class=\"num\">");
			figi(c, json_array_get(list, (size_t)k), ep, "count");
			rc_puts(c, "</td><td class=\"num\">");
			figshare(c, json_array_get(list, (size_t)k), ep, "share");
			rc_puts(c, "</td>");
		}
		rc_puts(c, "</tr>\n");
	}
	tend(c);
	rc_puts(c, "</section>\n");
	free(keys);
}

static void weak(struct rctx *c, json_t *obj, const char *base, int full)
{
	char wp[RENDER_MAX_PATH], cp[RENDER_MAX_PATH], ep[RENDER_MAX_PATH];
	json_t *w = rc_obj(c, obj, base, "weak_evidence"), *cats, *e, *any;
	size_t i;

	path_key(wp, base, "weak_evidence");
	path_key(cp, wp, "categories");
	cats = rc_arr(c, w, wp, "categories");
	any = rc_obj(c, w, wp, "any");
	if (full)
		rc_puts(c,
		        "<section id=\"weak\">\n<h2>Weak evidence</h2>\n<p>Remote addresses whose "
		        "location says little about who operates them (cloud and hosting, VPN, "
		        "Tor, sinkholes, public DNS, bogons, private space).</p>\n");
	rc_puts(c, "<p>Unit: <code>");
	rc_html(c, rc_str(c, w, wp, "unit"));
	rc_puts(c, "</code>; total ");
	figi(c, w, wp, "total");
	rc_puts(c, "; any weak category: ");
	path_key(ep, wp, "any");
	figi(c, any, ep, "count");
	rc_puts(c, ", share ");
	figshare(c, any, ep, "share");
	rc_puts(c, ".</p>\n");
	THEAD(c, "Category", "#Count", "#Share");
	json_array_foreach(cats, i, e)
	{
		path_idx(ep, cp, i);
		e = rc_item(c, cats, cp, i, JSON_OBJECT);
		rc_puts(c, "<tr>");
		td_str(c, rc_str(c, e, ep, "key"), NULL);
		td_figi(c, e, ep, "count");
		rc_puts(c, "<td class=\"num\">");
		figshare(c, e, ep, "share");
		rc_puts(c, "</td></tr>\n");
	}
	tend(c);
	if (full)
		rc_puts(c, "</section>\n");
}

static void timeline(struct rctx *c, json_t *camps)
{
	enum { LABEL = 150, W = 560, ROW = 24, TOP = 8 };
	long long tmin = 0, tmax = 0, t0, t1, span;
	size_t i, n = json_array_size(camps), height = TOP * 2 + (n ? n : 1) * ROW + 16;
	const char *smin = NULL, *smax = NULL;
	json_t *e;

	json_array_foreach(camps, i, e)
	{
		const char *f = json_string_value(json_object_get(e, "first"));
		const char *l = json_string_value(json_object_get(e, "last"));

		if (!f || !l)
			continue; /* reported by the campaign cards */
		t0 = parse_time(f);
		t1 = parse_time(l);
		if (smin == NULL || t0 < tmin) {
			tmin = t0;
			smin = f;
		}
		if (smax == NULL || t1 > tmax) {
			tmax = t1;
			smax = l;
		}
	}
	span = tmax > tmin ? tmax - tmin : 1;
	rc_puts(c, "<section id=\"timeline\">\n<h2>Timeline</h2>\n<p>First and last event of each "
	           "campaign (UTC).</p>\n<figure>");
	rc_printf(c,
	          "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 %d %zu\" "
	          "width=\"%d\" height=\"%zu\"><title>Campaign timeline</title>\n",
	          LABEL + W + 20, height, LABEL + W + 20, height);
	json_array_foreach(camps, i, e)
	{
		const char *f = json_string_value(json_object_get(e, "first"));
		const char *l = json_string_value(json_object_get(e, "last"));
		long long x0, x1;
		size_t y = TOP + i * ROW;

		if (!f || !l)
			continue;
		x0 = (parse_time(f) - tmin) * W / span;
		x1 = (parse_time(l) - tmin) * W / span;
		if (x1 < x0 + 2)
			x1 = x0 + 2;
		rc_printf(c, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\" class=\"mono\">",
		          LABEL - 8, y + 15);
		rc_html(c, json_string_value(json_object_get(e, "id")));
		rc_printf(c,
		          "</text><rect class=\"bar\" x=\"%lld\" y=\"%zu\" width=\"%lld\" "
		          "height=\"%d\"><title>",
		          LABEL + x0, y + 4, x1 - x0, ROW - 8);
		rc_html(c, f);
		rc_puts(c, " \xe2\x80\x93 ");
		rc_html(c, l);
		rc_puts(c, "</title></rect>\n");
	}
	if (smin && smax) {
		rc_printf(c, "<text class=\"small\" x=\"%d\" y=\"%zu\">", LABEL, height - 4);
		rc_html(c, smin);
		rc_printf(c, "</text><text class=\"small\" x=\"%d\" y=\"%zu\" text-anchor=\"end\">",
		          LABEL + W, height - 4);
		rc_html(c, smax);
		rc_puts(c, "</text>\n");
	}
	rc_puts(c, "</svg></figure>\n");
	THEAD(c, "Campaign", "First", "Last");
	json_array_foreach(camps, i, e)
	{
		rc_puts(c, "<tr>");
		td_str(c, json_string_value(json_object_get(e, "id")), "mono");
		td_str(c, json_string_value(json_object_get(e, "first")), "mono");
		td_str(c, json_string_value(json_object_get(e, "last")), "mono");
		rc_puts(c, "</tr>\n");
	}
	tend(c);
	rc_puts(c, "</section>\n");
}

/* The origins of one campaign: per unit, its countries with count and share. */
static void card_origins(struct rctx *c, json_t *camp, const char *base)
{
	char op[RENDER_MAX_PATH], lp[RENDER_MAX_PATH], ep[RENDER_MAX_PATH];
	json_t *org = rc_obj(c, camp, base, "origins"), *list, *e;
	size_t u, i;

	path_key(op, base, "origins");
	THEAD(c, "Unit", "Countries: count (share)");
	for (u = 0; u < 5; u++) {
		path_key(lp, op, report_units[u]);
		list = rc_arr(c, org, op, report_units[u]);
		rc_printf(c, "<tr><th>%s</th><td>", report_unit_names[u]);
		json_array_foreach(list, i, e)
		{
			path_idx(ep, lp, i);
			e = rc_item(c, list, lp, i, JSON_OBJECT);
			if (i > 0)
				rc_puts(c, "; ");
			rc_puts(c, "<strong>");
			rc_html(c, rc_str(c, e, ep, "key"));
			rc_puts(c, "</strong> ");
			figi(c, e, ep, "count");
			rc_puts(c, " (");
			{
				char p[RENDER_MAX_PATH];

				path_key(p, ep, "share");
				fig(c, p, rc_num(c, e, ep, "share"));
			}
			rc_puts(c, ")");
		}
		rc_puts(c, "</td></tr>\n");
	}
	tend(c);
}

static void card_timezone(struct rctx *c, json_t *camp, const char *base)
{
	char tp[RENDER_MAX_PATH], op[RENDER_MAX_PATH], ep[RENDER_MAX_PATH];
	json_t *tz = rc_obj(c, camp, base, "timezone"), *offs, *e;
	const char *best;
	size_t i;

	path_key(tp, base, "timezone");
	path_key(op, tp, "offsets");
	best = rc_nstr(c, tz, tp, "best");
	offs = rc_arr(c, tz, tp, "offsets");
	rc_puts(c, "<p>Best-fitting UTC offset <strong class=\"mono\">");
	rc_html(c, best);
	rc_puts(c, "</strong>: share of events in office hours there ");
	figshare(c, tz, tp, "office_share");
	rc_puts(c, ". Share in office hours at every offset:</p>\n<ul class=\"offsets\">");
	json_array_foreach(offs, i, e)
	{
		const char *o;

		path_idx(ep, op, i);
		e = rc_item(c, offs, op, i, JSON_OBJECT);
		o = rc_str(c, e, ep, "offset");
		rc_printf(c, "<li%s><span class=\"mono\">",
		          best && strcmp(o, best) == 0 ? " class=\"best\"" : "");
		rc_html(c, o);
		rc_puts(c, "</span> ");
		{
			char p[RENDER_MAX_PATH];

			path_key(p, ep, "office_share");
			fig(c, p, rc_num(c, e, ep, "office_share"));
		}
		rc_puts(c, "</li>");
	}
	rc_puts(c, "</ul>\n");
}

static void card_entries(struct rctx *c, json_t *camp, const char *base)
{
	char ap[RENDER_MAX_PATH], ip[RENDER_MAX_PATH];
	json_t *refs = rc_arr(c, camp, base, "entries"), *r;
	size_t i;

	path_key(ap, base, "entries");
	rc_puts(c, "<h4>Evidence it rests on</h4>\n");
	THEAD(c, "Ref", "Party", "#Ledger index", "Leaf hash", "Kind", "TLP", "About");
	json_array_foreach(refs, i, r)
	{
		json_t *e;
		char ep[RENDER_MAX_PATH];
		size_t k;

		path_idx(ip, ap, i);
		r = rc_item(c, refs, ap, i, JSON_STRING);
		if (r == NULL || (e = rc_entry(c, json_string_value(r), ip)) == NULL)
			continue;
		k = 0;
		while (json_array_get(json_object_get(c->root, "entries"), k) != e)
			k++;
		path_idx(ep, "entries", k);
		rc_puts(c, "<tr>");
		td_str(c, json_string_value(r), "mono");
		td_str(c, rc_str(c, e, ep, "party"), NULL);
		td_figi(c, e, ep, "index");
		td_str(c, rc_str(c, e, ep, "leaf_hash"), "mono hash");
		td_str(c, rc_str(c, e, ep, "kind"), NULL);
		td_str(c, rc_str(c, e, ep, "tlp"), NULL);
		td_str(c, rc_str(c, e, ep, "about"), NULL);
		rc_puts(c, "</tr>\n");
	}
	tend(c);
}

static void card(struct rctx *c, json_t *camp, size_t idx)
{
	char b[RENDER_MAX_PATH], p[RENDER_MAX_PATH], ep[RENDER_MAX_PATH];
	const char *conf;
	json_t *arr, *e;
	size_t i;

	path_idx(b, "campaigns", idx);
	conf = rc_str(c, camp, b, "confidence");
	rc_printf(c, "<article class=\"campaign\" id=\"campaign-%zu\" data-campaign=\"", idx);
	rc_html(c, rc_str(c, camp, b, "id"));
	rc_puts(c, "\">\n<h3>");
	rc_html(c, rc_str(c, camp, b, "title"));
	rc_puts(c, "</h3>\n<p class=\"meta\"><code class=\"cid\">");
	rc_html(c, rc_str(c, camp, b, "id"));
	rc_puts(c, "</code> \xc2\xb7 confidence <span class=\"conf conf-");
	rc_html(c, conf);
	rc_puts(c, "\">");
	rc_html(c, conf);
	rc_puts(c, "</span> (ICD 203) \xc2\xb7 parties ");
	str_list(c, camp, b, "parties", ", ", NULL);
	rc_puts(c, "</p>\n");

	THEAD(c, "Figure", "#Count");
	rc_puts(c, "<tr><th>Events</th>");
	td_figi(c, camp, b, "events");
	rc_puts(c, "</tr>\n<tr><th>Hostile events</th>");
	td_figi(c, camp, b, "hostile_events");
	rc_puts(c, "</tr>\n<tr><th>Intel sightings</th>");
	td_figi(c, camp, b, "sightings");
	rc_puts(c, "</tr>\n");
	tend(c);
	rc_puts(c, "<p>Active from <strong class=\"mono\">");
	rc_html(c, rc_str(c, camp, b, "first"));
	rc_puts(c, "</strong> to <strong class=\"mono\">");
	rc_html(c, rc_str(c, camp, b, "last"));
	rc_puts(c, "</strong> (UTC).</p>\n");

	rc_puts(c, "<h4>Confidence basis</h4>\n<ul>");
	arr = rc_arr(c, camp, b, "confidence_basis");
	path_key(p, b, "confidence_basis");
	json_array_foreach(arr, i, e)
	{
		path_idx(ep, p, i);
		e = rc_item(c, arr, p, i, JSON_OBJECT);
		rc_puts(c, rc_bool(c, e, ep, "holds") ? "<li class=\"holds\">holds: "
		                                      : "<li class=\"fails\">does not hold: ");
		rc_html(c, rc_str(c, e, ep, "finding"));
		rc_puts(c, "</li>");
	}
	rc_puts(c, "</ul>\n<h4>Hypotheses</h4>\n");
	THEAD(c, "Hypothesis", "Assessment", "Basis");
	arr = rc_arr(c, camp, b, "hypotheses");
	path_key(p, b, "hypotheses");
	json_array_foreach(arr, i, e)
	{
		path_idx(ep, p, i);
		e = rc_item(c, arr, p, i, JSON_OBJECT);
		rc_puts(c, "<tr>");
		td_str(c, rc_str(c, e, ep, "name"), NULL);
		td_str(c, rc_str(c, e, ep, "assessment"), NULL);
		td_str(c, rc_nstr(c, e, ep, "basis"), NULL);
		rc_puts(c, "</tr>\n");
	}
	tend(c);

	rc_puts(c, "<h4>Victims</h4>\n");
	THEAD(c, "Victim", "Sector", "Party", "#Events");
	arr = rc_arr(c, camp, b, "victims");
	path_key(p, b, "victims");
	json_array_foreach(arr, i, e)
	{
		path_idx(ep, p, i);
		e = rc_item(c, arr, p, i, JSON_OBJECT);
		rc_puts(c, "<tr>");
		td_str(c, rc_str(c, e, ep, "name"), NULL);
		td_str(c, rc_nstr(c, e, ep, "sector"), NULL);
		td_str(c, rc_str(c, e, ep, "party"), NULL);
		td_figi(c, e, ep, "events");
		rc_puts(c, "</tr>\n");
	}
	tend(c);

	rc_puts(c, "<h4>Countries</h4>\n");
	THEAD(c, "Country", "#Events", "#Remote IPs");
	arr = rc_arr(c, camp, b, "countries");
	path_key(p, b, "countries");
	json_array_foreach(arr, i, e)
	{
		path_idx(ep, p, i);
		e = rc_item(c, arr, p, i, JSON_OBJECT);
		rc_puts(c, "<tr>");
		td_str(c, rc_str(c, e, ep, "cc"), NULL);
		td_figi(c, e, ep, "events");
		td_figi(c, e, ep, "remote_ips");
		rc_puts(c, "</tr>\n");
	}
	tend(c);

	rc_puts(c, "<h4>Autonomous systems</h4>\n");
	THEAD(c, "#ASN", "Organisation", "#Events", "#Remote IPs");
	arr = rc_arr(c, camp, b, "asns");
	path_key(p, b, "asns");
	json_array_foreach(arr, i, e)
	{
		path_idx(ep, p, i);
		e = rc_item(c, arr, p, i, JSON_OBJECT);
		rc_puts(c, "<tr><td class=\"num\">AS");
		figi(c, e, ep, "asn");
		rc_puts(c, "</td>");
		td_str(c, rc_nstr(c, e, ep, "org"), NULL);
		td_figi(c, e, ep, "events");
		td_figi(c, e, ep, "remote_ips");
		rc_puts(c, "</tr>\n");
	}
	tend(c);

	rc_puts(c, "<h4>Actors named by intelligence</h4>\n");
	arr = rc_arr(c, camp, b, "actors");
	path_key(p, b, "actors");
	if (json_array_size(arr) == 0) {
		rc_puts(c, "<p class=\"unknown\">No intelligence sighting names an actor.</p>\n");
	} else {
		THEAD(c, "Actor", "#Sightings", "Chain");
		json_array_foreach(arr, i, e)
		{
			path_idx(ep, p, i);
			e = rc_item(c, arr, p, i, JSON_OBJECT);
			rc_puts(c, "<tr>");
			td_str(c, rc_str(c, e, ep, "name"), NULL);
			td_figi(c, e, ep, "sightings");
			td_str(c, rc_nstr(c, e, ep, "chain"), NULL);
			rc_puts(c, "</tr>\n");
		}
		tend(c);
	}

	rc_puts(c, "<h4>Links that joined it</h4>\n");
	THEAD(c, "Kind", "Value", "#Weight", "#Members", "#Events");
	arr = rc_arr(c, camp, b, "links");
	path_key(p, b, "links");
	json_array_foreach(arr, i, e)
	{
		char wp[RENDER_MAX_PATH];

		path_idx(ep, p, i);
		e = rc_item(c, arr, p, i, JSON_OBJECT);
		rc_puts(c, "<tr>");
		td_str(c, rc_str(c, e, ep, "kind"), NULL);
		td_str(c, rc_str(c, e, ep, "value"), "mono");
		rc_puts(c, "<td class=\"num\">");
		path_key(wp, ep, "weight");
		fig(c, wp, rc_num(c, e, ep, "weight"));
		rc_puts(c, "</td>");
		td_figi(c, e, ep, "members");
		td_figi(c, e, ep, "events");
		rc_puts(c, "</tr>\n");
	}
	tend(c);
	{
		json_t *lc = rc_obj(c, camp, b, "link_counts"), *v;
		const char *k;
		char lp[RENDER_MAX_PATH];
		int first = 1;

		path_key(lp, b, "link_counts");
		rc_puts(c, "<p>Keys that joined it, by kind:");
		json_object_foreach(lc, k, v)
		{
			rc_puts(c, first ? " " : ", ");
			first = 0;
			rc_html(c, k);
			rc_puts(c, " ");
			figi(c, lc, lp, k);
		}
		rc_puts(c, "</p>\n");
	}

	rc_puts(c, "<h4>Signatures</h4>\n");
	THEAD(c, "Signature", "#Events");
	arr = rc_arr(c, camp, b, "signatures");
	path_key(p, b, "signatures");
	json_array_foreach(arr, i, e)
	{
		path_idx(ep, p, i);
		e = rc_item(c, arr, p, i, JSON_OBJECT);
		rc_puts(c, "<tr>");
		td_str(c, rc_str(c, e, ep, "name"), "mono");
		td_figi(c, e, ep, "events");
		rc_puts(c, "</tr>\n");
	}
	tend(c);

	rc_puts(c, "<h4>Origins by unit</h4>\n");
	card_origins(c, camp, b);
	rc_puts(c, "<h4>Weak evidence</h4>\n");
	weak(c, camp, b, 0);
	rc_puts(c, "<h4>Activity</h4>\n");
	activity(c, camp, b, rc_str(c, camp, b, "id"));
	rc_puts(c, "<h4>Time zone</h4>\n");
	card_timezone(c, camp, b);
	card_entries(c, camp, b);

	rc_puts(c, "<h4>Remote addresses</h4>\n<p class=\"addrs\">");
	str_list(c, camp, b, "remote_ips", " ", NULL);
	rc_puts(c, "</p>\n<h4>Remote prefixes</h4>\n<p class=\"addrs\">");
	str_list(c, camp, b, "prefixes", " ", NULL);
	rc_puts(c, "</p>\n</article>\n");
}

static void evidence(struct rctx *c, json_t *entries)
{
	char ep[RENDER_MAX_PATH];
	json_t *e;
	size_t i;

	rc_puts(c, "<section id=\"evidence\">\n<h2>Evidence</h2>\n<p>Every ledger entry a figure "
	           "rests on. Each is signed by its author; its leaf hash proves inclusion in the "
	           "author's ledger (<code>detente log prove INDEX</code>).</p>\n");
	THEAD(c, "Ref", "Party", "#Index", "Leaf hash", "Kind", "TLP", "About", "Payload");
	json_array_foreach(entries, i, e)
	{
		path_idx(ep, "entries", i);
		e = rc_item(c, entries, "entries", i, JSON_OBJECT);
		rc_puts(c, "<tr>");
		td_str(c, rc_str(c, e, ep, "ref"), "mono");
		td_str(c, rc_str(c, e, ep, "party"), NULL);
		td_figi(c, e, ep, "index");
		td_str(c, rc_str(c, e, ep, "leaf_hash"), "mono hash");
		td_str(c, rc_str(c, e, ep, "kind"), NULL);
		td_str(c, rc_str(c, e, ep, "tlp"), NULL);
		td_str(c, rc_str(c, e, ep, "about"), NULL);
		td_str(c, rc_str(c, e, ep, "payload"), "mono hash");
		rc_puts(c, "</tr>\n");
	}
	tend(c);
	rc_puts(c, "</section>\n");
}

static void ledger(struct rctx *c, json_t *cp, json_t *peers, json_t *refdata)
{
	char ep[RENDER_MAX_PATH];
	json_t *e;
	size_t i;

	rc_puts(c, "<section id=\"checkpoint\">\n<h2>Ledger checkpoint</h2>\n<p>The report was "
	           "computed at this state of the ledger: origin <code>");
	rc_html(c, rc_str(c, cp, "checkpoint", "origin"));
	rc_puts(c, "</code>, size ");
	figi(c, cp, "checkpoint", "size");
	rc_puts(c, ", root <code class=\"hash\">");
	rc_html(c, rc_str(c, cp, "checkpoint", "root"));
	rc_puts(c, "</code>. The signed checkpoint note, exactly:</p>\n<pre class=\"note\">");
	rc_html(c, rc_str(c, cp, "checkpoint", "note"));
	rc_puts(c, "</pre>\n</section>\n");

	rc_puts(c, "<section id=\"peers\">\n<h2>Peers</h2>\n<p>Peers whose mirrored evidence is "
	           "included, at the ledger state verified.</p>\n");
	THEAD(c, "Peer", "Origin", "#Size", "Root", "Cosigned");
	json_array_foreach(peers, i, e)
	{
		path_idx(ep, "peers", i);
		e = rc_item(c, peers, "peers", i, JSON_OBJECT);
		rc_puts(c, "<tr>");
		td_str(c, rc_str(c, e, ep, "name"), NULL);
		td_str(c, rc_str(c, e, ep, "origin"), "mono");
		td_figi(c, e, ep, "size");
		td_str(c, rc_str(c, e, ep, "root"), "mono hash");
		td_str(c, rc_bool(c, e, ep, "cosigned") ? "yes" : "no", NULL);
		rc_puts(c, "</tr>\n");
	}
	tend(c);
	rc_puts(c, "</section>\n<section id=\"refdata\">\n<h2>Reference data</h2>\n<p>Every "
	           "reference-data snapshot the events were attributed with "
	           "(<code>detente refdata show</code>):</p>\n<ul>");
	json_array_foreach(refdata, i, e)
	{
		e = rc_item(c, refdata, "refdata", i, JSON_STRING);
		rc_puts(c, "<li><code class=\"hash\">");
		rc_html(c, json_string_value(e));
		rc_puts(c, "</code></li>");
	}
	rc_puts(c, "</ul>\n</section>\n");
}

static void method(struct rctx *c, json_t *m)
{
	char lp[RENDER_MAX_PATH], wp[RENDER_MAX_PATH];
	json_t *links = rc_arr(c, m, "method", "links"), *e;
	size_t i;

	rc_puts(c, "<section id=\"method\">\n<h2>Method</h2>\n<p>The rules, so that the other "
	           "party can re-derive every campaign.</p>\n");
	THEAD(c, "Link kind", "#Weight", "Rule", "#Kept from joining");
	json_array_foreach(links, i, e)
	{
		path_idx(lp, "method.links", i);
		e = rc_item(c, links, "method.links", i, JSON_OBJECT);
		rc_puts(c, "<tr>");
		td_str(c, rc_str(c, e, lp, "kind"), NULL);
		rc_puts(c, "<td class=\"num\">");
		path_key(wp, lp, "weight");
		fig(c, wp, rc_num(c, e, lp, "weight"));
		rc_puts(c, "</td>");
		td_str(c, rc_str(c, e, lp, "rule"), NULL);
		td_figi(c, e, lp, "kept_from_joining");
		rc_puts(c, "</tr>\n");
	}
	tend(c);
	rc_puts(c, "<table><tbody><tr><th>Join threshold</th><td>");
	fig(c, "method.join_threshold", rc_num(c, m, "method", "join_threshold"));
	rc_puts(c, "</td></tr>\n<tr><th>Time window of /24 links (days)</th><td>");
	fig(c, "method.window_days", rc_int(c, m, "method", "window_days"));
	rc_puts(c, "</td></tr>\n<tr><th>Guard</th><td>");
	rc_html(c, rc_str(c, m, "method", "guard"));
	rc_puts(c, "</td></tr>\n<tr><th>Campaign</th><td>");
	rc_html(c, rc_str(c, m, "method", "campaign_rule"));
	rc_puts(c, "</td></tr>\n<tr><th>Confidence rule</th><td>");
	rc_html(c, rc_str(c, m, "method", "confidence_rule"));
	rc_puts(c, "</td></tr>\n<tr><th>Office hours</th><td>");
	rc_html(c, rc_str(c, m, "method", "office_hours"));
	rc_puts(c, "</td></tr>\n</tbody></table>\n</section>\n");
}

enum dt_err report_render_html(const char *json, size_t len, struct strbuf *out,
                               struct dt_diag *diag)
{
	return report_render_html_map(json, len, &worldmap_builtin, out, diag);
}

enum dt_err report_render_html_map(const char *json, size_t len, const struct worldmap *map,
                                   struct strbuf *out, struct dt_diag *diag)
{
	size_t orig = out->len, i;
	struct rctx c;
	json_t *r, *camps, *e;
	enum dt_err err;

	if ((err = rctx_open(&c, json, len, out, diag)) != DT_OK)
		return err;
	r = c.root;
	camps = rc_arr(&c, r, "", "campaigns");
	head(&c, rc_obj(&c, r, "", "node"));
	intro(&c, rc_obj(&c, r, "", "node"), rc_obj(&c, r, "", "checkpoint"));
	summary(&c, rc_obj(&c, r, "", "totals"));
	origins(&c, rc_obj(&c, r, "", "origins"));
	countries(&c, rc_obj(&c, r, "", "origins"), map);
	weak(&c, r, "", 1);
	rc_puts(&c, "<section id=\"activity\">\n<h2>Activity profile</h2>\n<p>All campaign "
	            "events by hour of day and by weekday, in UTC. Working hours in the operators' "
	            "time zone show as a block; each campaign's best-fitting offset is on its "
	            "card.</p>\n");
	activity(&c, r, "", "All campaigns");
	rc_puts(&c, "</section>\n");
	timeline(&c, camps);
	rc_puts(&c, "<section id=\"campaigns\">\n<h2>Campaigns</h2>\n");
	json_array_foreach(camps, i, e)
	{
		e = rc_item(&c, camps, "campaigns", i, JSON_OBJECT);
		card(&c, e, i);
	}
	if (json_array_size(camps) == 0)
		rc_puts(&c, "<p class=\"unknown\">No campaigns.</p>\n");
	rc_puts(&c, "</section>\n");
	evidence(&c, rc_arr(&c, r, "", "entries"));
	ledger(&c, rc_obj(&c, r, "", "checkpoint"), rc_arr(&c, r, "", "peers"),
	       rc_arr(&c, r, "", "refdata"));
	method(&c, rc_obj(&c, r, "", "method"));
	rc_puts(&c, "<footer><p>Rendered from a " REPORT_SCHEMA " JSON report by detente. The JSON "
	            "is the record; this page shows no figure it does not hold.</p></footer>\n"
	            "</body>\n</html>\n");
	return rctx_close(&c, orig);
}
