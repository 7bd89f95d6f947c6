/*
 * test_worldmap.c — the report's world map: the built-in map data
 * (report/worldmap.h), the legend's classes, and the map in the HTML on a
 * small hand-made map and on no map at all (what a build without the npm
 * data gives).
 *
 * The class bounds expected below are worked out by hand from the rule in
 * render_map.h (decades of the largest count, at most five classes).
 * tests/data/report/sample.json: events from CN 2849, RU 316, US 122, ?? 10.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"

#include "report/render.h"
#include "report/render_map.h"
#include "report/worldmap.h"

#define SAMPLE "tests/data/report/sample.json"

static char *sample;
static size_t sample_len;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1)) != NULL) {
		if (fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		} else {
			p[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return p;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
		n++;
	return n;
}

static void test_classes(void)
{
	long long lo[MAP_MAX_CLASSES], hi[MAP_MAX_CLASSES];

	CHECK(map_classes(0, lo, hi) == 0);
	CHECK(map_classes(-3, lo, hi) == 0);
	CHECK(map_classes(1, lo, hi) == 1 && lo[0] == 1 && hi[0] == 9);
	CHECK(map_classes(9, lo, hi) == 1 && lo[0] == 1 && hi[0] == 9);
	CHECK(map_classes(10, lo, hi) == 2 && lo[0] == 1 && hi[0] == 9 && lo[1] == 10 &&
	      hi[1] == 99);
	CHECK(map_classes(2849, lo, hi) == 4);
	CHECK(lo[0] == 1 && hi[0] == 9 && lo[1] == 10 && hi[1] == 99 && lo[2] == 100 &&
	      hi[2] == 999 && lo[3] == 1000 && hi[3] == 9999);
	CHECK(map_classes(99999, lo, hi) == 5 && lo[0] == 1 && hi[0] == 9 && lo[4] == 10000 &&
	      hi[4] == 99999);
	CHECK(map_classes(2000000, lo, hi) == 5);
	CHECK(lo[0] == 1 && hi[0] == 999 && lo[1] == 1000 && hi[1] == 9999 && lo[2] == 10000 &&
	      lo[3] == 100000 && lo[4] == 1000000 && hi[4] == 9999999);
	CHECK(map_classes(9223372036854775807LL, lo, hi) == 5 && hi[4] == 9223372036854775807LL &&
	      lo[4] == 1000000000000000000LL && lo[0] == 1);
}

/* Path data: absolute moveto, relative linetos, every ring closed, every
 * vertex inside the viewBox. */
static int path_ok(const char *d, int w, int h)
{
	long x = 0, y = 0, v[2];
	int n = 0;

	while (*d) {
		char cmd = *d++;

		if (cmd != 'M')
			return 0;
		if (sscanf(d, "%ld%n", &v[0], &n) != 1)
			return 0;
		d += n;
		if (sscanf(d, "%ld%n", &v[1], &n) != 1)
			return 0;
		d += n;
		x = v[0];
		y = v[1];
		if (*d++ != 'l')
			return 0;
		while (*d && *d != 'z') {
			if (sscanf(d, "%ld%n", &v[0], &n) != 1)
				return 0;
			d += n;
			if (sscanf(d, "%ld%n", &v[1], &n) != 1)
				return 0;
			d += n;
			x += v[0];
			y += v[1];
			if (x < 0 || y < 0 || x > w || y > h)
				return 0;
		}
		if (*d++ != 'z')
			return 0;
	}
	return 1;
}

static void test_builtin(void)
{
	const struct worldmap *m = &worldmap_builtin;
	size_t i, paths = 0;

	if (m->n == 0)
		SKIP("no map data was built in (npm world-atlas absent at build time: "
		     "sh scripts/bootstrap, then make)");
	CHECK(m->width > 1000 && m->height > 400 && m->height < m->width);
	CHECK(strstr(m->source, "world-atlas") != NULL);
	for (i = 0; i < m->n; i++) {
		const struct worldmap_country *c = &m->c[i];

		if (i > 0)
			CHECKF(strcmp(m->c[i - 1].cc, c->cc) < 0 ||
			           (c->cc[0] == '\0' && m->c[i - 1].cc[0] == '\0'),
			       "order at %s", c->cc);
		CHECKF(c->cc[0] == '\0' ||
		           (strlen(c->cc) == 2 && isupper((unsigned char)c->cc[0]) &&
		            isupper((unsigned char)c->cc[1])),
		       "code '%s'", c->cc);
		CHECK(c->name && c->name[0]);
		if (c->d) {
			paths++;
			CHECKF(path_ok(c->d, m->width, m->height), "%s path data", c->cc);
		}
		if (c->small)
			CHECKF(c->mx > 0 && c->my > 0 && c->mx < m->width && c->my < m->height,
			       "%s marker", c->cc);
		CHECKF(c->d || c->small, "%s: nothing to draw", c->cc);
		if (c->cc[0])
			CHECK(worldmap_find(m, c->cc) == c);
	}
	CHECKF(paths > 150, "%zu country paths", paths);
	/* countries the simulated campaigns come from, and small ones as markers */
	CHECK(worldmap_find(m, "CN") && worldmap_find(m, "CN")->d &&
	      !worldmap_find(m, "CN")->small);
	CHECK(worldmap_find(m, "RU") && worldmap_find(m, "US") && worldmap_find(m, "DE"));
	CHECK(worldmap_find(m, "SG") && worldmap_find(m, "SG")->small);
	CHECK(worldmap_find(m, "HK") && worldmap_find(m, "XK"));
	CHECK(worldmap_find(m, "AQ") == NULL); /* cropped */
	CHECK(worldmap_find(m, "??") == NULL && worldmap_find(m, "EU") == NULL);
	CHECK(worldmap_find(m, "") == NULL || worldmap_find(m, "")->cc[0] == '\0');
}

/* A three-country map: CN and RU drawn, SG a marker. */
static const struct worldmap_country tiny_c[] = {
    {"CN", "China", "M50 50l10 0 0 10-10 0z", 0, 0, 0},
    {"RU", "Russia", "M10 10l30 0 0 10-30 0z", 0, 0, 0},
    {"SG", "Singapore", NULL, 70, 70, 1},
    {"US", "United <States>", "M80 10l10 0 0 10z", 0, 0, 0},
};
static const struct worldmap tiny = {tiny_c, 4, 100, 80, "a test map"};
static const struct worldmap none = {NULL, 0, 0, 0, "none"};

static void test_tiny_map(void)
{
	struct strbuf out, again;
	struct dt_diag d;

	if (sample == NULL)
		SKIP("%s unreadable", SAMPLE);
	strbuf_init(&out, 64u << 20);
	strbuf_init(&again, 64u << 20);
	CHECK(report_render_html_map(sample, sample_len, &tiny, &out, &d) == DT_OK);
	CHECK(report_render_html_map(sample, sample_len, &tiny, &again, &d) == DT_OK);
	CHECK(out.len == again.len && memcmp(out.p, again.p, out.len) == 0);
	CHECK(strstr(out.p, "viewBox=\"0 0 100 80\"") != NULL);
	/* 2849 of 1000-9999 is the darkest of four classes; 316 and 122 the next */
	CHECK(strstr(out.p, "<path class=\"mq5\" data-cc=\"CN\" d=\"M50 50l10 0 0 10-10 0z\">"
	                    "<title>China (CN): 2849 events; 28 distinct remote IPs; 3 distinct "
	                    "prefixes; 2 distinct ASNs; 4 victims</title></path>") != NULL);
	CHECK(strstr(out.p, "<path class=\"mq4\" data-cc=\"RU\"") != NULL);
	CHECK(strstr(out.p, "<title>United &lt;States&gt; (US): 122 events;") != NULL);
	/* no events from SG: no marker */
	CHECK(strstr(out.p, "<circle") == NULL);
	/* the legend: four classes and "no events", with the unit */
	CHECK(strstr(out.p, "Unit: events") != NULL);
	CHECK(strstr(out.p, "<rect class=\"mq0\" data-min=\"0\" data-max=\"0\"") != NULL);
	CHECK(strstr(out.p, "<rect class=\"mq2\" data-min=\"1\" data-max=\"9\"") != NULL);
	CHECK(strstr(out.p, "<rect class=\"mq5\" data-min=\"1000\" data-max=\"9999\"") != NULL);
	CHECK(strstr(out.p, "data-min=\"100\" data-max=\"999\"") != NULL);
	CHECK(count(out.p, "data-min=") == 5);
	/* "??" is not on the map and is said so, with its count as a figure */
	CHECK(strstr(out.p, "Not on the map: <strong>?"
	                    "?</strong> (location unknown) <span "
	                    "data-figure=\"origins.events[3].count\">10</span> events.") != NULL);
	/* the country table is still there */
	CHECK(strstr(out.p, "<table class=\"countries\">") != NULL);
	strbuf_release(&out);
	strbuf_release(&again);
}

static void test_marker(void)
{
	static const char *const from = "\"key\": \"US\"";
	struct strbuf out;
	struct dt_diag d;
	char *text, *p;

	if (sample == NULL)
		SKIP("%s unreadable", SAMPLE);
	/* the sample with SG in place of US in every list */
	text = strdup(sample);
	CHECK(text != NULL);
	if (text == NULL)
		return;
	for (p = text; (p = strstr(p, from)) != NULL; p += strlen(from))
		memcpy(p + 8, "SG", 2);
	strbuf_init(&out, 64u << 20);
	CHECK(report_render_html_map(text, sample_len, &tiny, &out, &d) == DT_OK);
	CHECK(strstr(out.p, "<circle class=\"mq4\" data-cc=\"SG\" cx=\"70\" cy=\"70\" r=\"8\">"
	                    "<title>Singapore (SG): 122 events;") != NULL);
	CHECK(strstr(out.p, "<path class=\"mq0\" data-cc=\"US\"") != NULL);
	CHECK(strstr(out.p, "<title>United &lt;States&gt; (US): no events</title>") != NULL);
	strbuf_release(&out);
	free(text);
}

static void test_no_map_data(void)
{
	struct strbuf out;
	struct dt_diag d;

	if (sample == NULL)
		SKIP("%s unreadable", SAMPLE);
	strbuf_init(&out, 64u << 20);
	CHECK(report_render_html_map(sample, sample_len, &none, &out, &d) == DT_OK);
	CHECK(strstr(out.p, "no map data was built into this detente") != NULL);
	CHECK(strstr(out.p, "class=\"wm\"") == NULL && strstr(out.p, "data-cc=") == NULL);
	CHECK(strstr(out.p, "<table class=\"countries\">") != NULL);
	CHECK(strstr(out.p, "data-figure=\"origins.events[0].count\">2849<") != NULL);
	strbuf_release(&out);
}

int main(void)
{
	sample = slurp(SAMPLE, &sample_len);
	RUN(test_classes);
	RUN(test_builtin);
	RUN(test_tiny_map);
	RUN(test_marker);
	RUN(test_no_map_data);
	free(sample);
	DONE();
}
