/*
 * render_map.c — the HTML report's world map (render_map.h).
 *
 * Every number in a country's title is the JSON's count at its path in
 * "origins" (the same list the country table reads); the fill class is
 * derived from the events count by map_classes(), and the legend states
 * the classes with their unit.  Countries are drawn in the map's order
 * (sorted by code), so the same JSON and the same build give the same
 * bytes.
 */
#include "report/render_map.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Shown width of the map in CSS pixels; the height follows the viewBox. */
#define MAP_PX 940

const char map_css[] = ".worldmap svg.wm{display:block;width:100%;height:auto;background:#f3f6f9;"
                       "border:1px solid var(--rule)}\n"
                       ".wm path{stroke:#fff;stroke-width:.8;stroke-linejoin:round}"
                       ".wm circle{stroke:var(--ink);stroke-width:1.5}"
                       ".wm path:hover,.wm circle:hover{stroke:var(--ink);stroke-width:2.5}\n"
                       ".mq0{fill:#dde1e6}.mq1{fill:#c6dbef}.mq2{fill:#9ecae1}.mq3{fill:#6baed6}"
                       ".mq4{fill:#3182bd}.mq5{fill:#08519c}\n"
                       ".wm-legend rect{stroke:var(--muted);stroke-width:.5}"
                       ".wm-source,.wm-unplaced{font-size:.88em;color:var(--muted)}\n";

static const char *const title_units[5] = {"events", "distinct remote IPs", "distinct prefixes",
                                           "distinct ASNs", "victims"};

static long long pow10ll(int e)
{
	long long p = 1;

	while (e-- > 0)
		p *= 10;
	return p;
}

int map_classes(long long max, long long lo[MAP_MAX_CLASSES], long long hi[MAP_MAX_CLASSES])
{
	int d = 0, n, k; /* d: decimal digits of max, less one */

	if (max <= 0)
		return 0;
	while (d < 18 && max >= pow10ll(d + 1))
		d++;
	n = d + 1 < MAP_MAX_CLASSES ? d + 1 : MAP_MAX_CLASSES;
	/* class k >= 1 starts at 10^(d - n + 1 + k); class 0 at 1 */
	for (k = 0; k < n; k++)
		lo[k] = k == 0 ? 1 : pow10ll(d - n + 1 + k);
	for (k = 0; k + 1 < n; k++)
		hi[k] = lo[k + 1] - 1;
	hi[n - 1] = d < 18 ? pow10ll(d + 1) - 1 : LLONG_MAX;
	return n;
}

/* The entry of an origins list with key cc, or NULL. */
static json_t *entry_of(json_t *list, const char *cc, size_t *idx)
{
	json_t *e;
	size_t i;

	json_array_foreach(list, i, e)
	{
		json_t *k = json_object_get(e, "key");

		if (json_is_string(k) && strcmp(json_string_value(k), cc) == 0) {
			*idx = i;
			return e;
		}
	}
	return NULL;
}

static long long count_of(json_t *e)
{
	return json_integer_value(json_object_get(e, "count"));
}

/* The palette class (1..MAP_MAX_CLASSES, darkest last) of count n. */
static int fill_class(long long n, int ncls, const long long *lo)
{
	int k;

	if (n <= 0 || ncls == 0)
		return 0;
	for (k = ncls - 1; k > 0 && n < lo[k]; k--)
		;
	return MAP_MAX_CLASSES - ncls + 1 + k;
}

/* "China (CN): 2849 events; 28 distinct remote IPs; ..." */
static void country_title(struct rctx *c, json_t *org, const struct worldmap_country *wc)
{
	char n[RENDER_MAX_NUMBER];
	size_t u, idx, shown = 0;

	rc_puts(c, "<title>");
	rc_html(c, wc->name);
	if (wc->cc[0] == '\0') {
		rc_puts(c, " (no ISO 3166 code: not counted)</title>");
		return;
	}
	rc_puts(c, " (");
	rc_html(c, wc->cc);
	rc_puts(c, "): ");
	for (u = 0; u < 5; u++) {
		json_t *e = entry_of(json_object_get(org, report_units[u]), wc->cc, &idx);

		if (e == NULL)
			continue;
		fmt_num(n, json_object_get(e, "count"));
		rc_printf(c, "%s%s %s", shown++ ? "; " : "", n, title_units[u]);
	}
	if (shown == 0)
		rc_puts(c, "no events");
	rc_puts(c, "</title>");
}

static void legend(struct rctx *c, int ncls, const long long *lo, const long long *hi)
{
	enum { SW = 16, GAP = 8, COL = 150, H = 24 };
	int k;

	rc_printf(c,
	          "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"wm-legend\" role=\"img\" "
	          "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\"><title>Legend: events per "
	          "country</title>\n",
	          (ncls + 2) * COL, H, (ncls + 2) * COL, H);
	rc_printf(c, "<text x=\"0\" y=\"16\">Unit: events</text>\n");
	for (k = 0; k <= ncls; k++) {
		int x = (k + 1) * COL, cls = k == 0 ? 0 : MAP_MAX_CLASSES - ncls + k;

		if (k == 0)
			rc_printf(c, "<rect class=\"mq0\" data-min=\"0\" data-max=\"0\"");
		else
			rc_printf(c, "<rect class=\"mq%d\" data-min=\"%lld\" data-max=\"%lld\"",
			          cls, lo[k - 1], hi[k - 1]);
		rc_printf(c,
		          " x=\"%d\" y=\"4\" width=\"%d\" height=\"%d\"/><text x=\"%d\" y=\"16\">",
		          x, SW, SW, x + SW + GAP);
		if (k == 0)
			rc_puts(c, "no events");
		else
			rc_printf(c, "%lld\xe2\x80\x93%lld", lo[k - 1], hi[k - 1]);
		rc_puts(c, "</text>\n");
	}
	rc_puts(c, "</svg>\n");
}

/* Keys of the events list the map cannot place, with their counts. */
static void unplaced(struct rctx *c, json_t *events, const struct worldmap *m)
{
	char p[RENDER_MAX_PATH], n[RENDER_MAX_NUMBER];
	json_t *e;
	size_t i, shown = 0;

	json_array_foreach(events, i, e)
	{
		const char *k = json_string_value(json_object_get(e, "key"));

		if (k == NULL || worldmap_find(m, k) != NULL)
			continue;
		rc_puts(c, shown++ ? "; " : "<p class=\"wm-unplaced\">Not on the map: ");
		rc_puts(c, "<strong>");
		rc_html(c, k);
		rc_puts(c, "</strong>");
		if (strcmp(k, "??") == 0)
			rc_puts(c, " (location unknown)");
		else if (strcmp(k, "EU") == 0)
			rc_puts(c, " (Europe, no one country)");
		else if (strcmp(k, "AP") == 0)
			rc_puts(c, " (Asia-Pacific, no one country)");
		snprintf(p, sizeof(p), "origins.events[%zu].count", i);
		fmt_num(n, json_object_get(e, "count"));
		rc_puts(c, " <span data-figure=\"");
		rc_html(c, p);
		rc_printf(c, "\">%s</span> events", n);
	}
	if (shown)
		rc_puts(c, ".</p>\n");
}

void html_world_map(struct rctx *c, json_t *org, const struct worldmap *m)
{
	long long lo[MAP_MAX_CLASSES], hi[MAP_MAX_CLASSES], max = 0;
	json_t *events = json_object_get(org, "events");
	size_t i, idx;
	int ncls;

	if (m->n == 0 || m->width <= 0) {
		rc_puts(c, "<p class=\"unknown wm-none\">No world map: no map data was built into "
		           "this detente (npm world-atlas was absent when it was built; "
		           "<code>sh scripts/bootstrap</code>, then <code>make</code>). The table "
		           "below lists every country.</p>\n");
		return;
	}
	for (i = 0; i < m->n; i++) {
		json_t *e = m->c[i].cc[0] ? entry_of(events, m->c[i].cc, &idx) : NULL;

		if (e && count_of(e) > max)
			max = count_of(e);
	}
	ncls = map_classes(max, lo, hi);

	rc_puts(c, "<figure class=\"worldmap\"><figcaption>Campaign events by country of origin "
	           "(unit: <strong>events</strong>; darker: more). A country's title (hover) "
	           "gives its count in every unit.</figcaption>\n");
	rc_printf(c,
	          "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"wm\" role=\"img\" "
	          "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\"><title>World map: events by "
	          "country of origin</title>\n",
	          m->width, m->height, MAP_PX, MAP_PX * m->height / m->width);
	rc_puts(c, "<g class=\"land\">\n");
	for (i = 0; i < m->n; i++) {
		const struct worldmap_country *wc = &m->c[i];
		json_t *e;
		int cls;

		if (wc->d == NULL)
			continue;
		e = wc->cc[0] ? entry_of(events, wc->cc, &idx) : NULL;
		cls = fill_class(e ? count_of(e) : 0, ncls, lo);
		rc_printf(c, "<path class=\"mq%d\"", cls);
		if (wc->cc[0]) {
			rc_puts(c, " data-cc=\"");
			rc_html(c, wc->cc);
			rc_puts(c, "\"");
		}
		rc_puts(c, " d=\"");
		rc_puts(c, wc->d);
		rc_puts(c, "\">");
		country_title(c, org, wc);
		rc_puts(c, "</path>\n");
	}
	rc_puts(c, "</g>\n<g class=\"markers\">\n");
	/* small countries with events also get a dot that can be seen and pointed at */
	for (i = 0; i < m->n; i++) {
		const struct worldmap_country *wc = &m->c[i];
		json_t *e;

		if (!wc->small || wc->cc[0] == '\0' ||
		    (e = entry_of(events, wc->cc, &idx)) == NULL || count_of(e) <= 0)
			continue;
		rc_printf(c, "<circle class=\"mq%d\" data-cc=\"",
		          fill_class(count_of(e), ncls, lo));
		rc_html(c, wc->cc);
		rc_printf(c, "\" cx=\"%d\" cy=\"%d\" r=\"8\">", wc->mx, wc->my);
		country_title(c, org, wc);
		rc_puts(c, "</circle>\n");
	}
	rc_puts(c, "</g>\n</svg>\n");
	legend(c, ncls, lo, hi);
	rc_puts(c, "<p class=\"wm-source\">Map: ");
	rc_html(c, m->source);
	rc_puts(c, ".</p>\n</figure>\n");
	unplaced(c, events, m);
}
