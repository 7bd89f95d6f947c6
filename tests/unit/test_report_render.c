/*
 * test_report_render.c — the Markdown and HTML renderings of the JSON
 * report (report/render.h) from the hand-written tests/data/report/
 * sample.json: every campaign and every total appears, attacker strings
 * (<script>, a|b, bidi overrides, markdown links) come out escaped, the
 * HTML loads nothing from anywhere, the same JSON gives the same bytes, and
 * a JSON that is not a complete detente.report/v1 is refused with the path
 * at fault while the caller's buffer is left as it was.
 *
 * Also a developer tool for tests/cli/report_browser.sh:
 *   test_report_render --write-html OUT IN.json
 *   test_report_render --write-md OUT IN.json
 * renders IN to OUT and exits (0, or 1 with the diagnostic on stderr).
 */
#include "testhelp.h"

#include <jansson.h>

#include "core/file.h"
#include "report/render.h"
#include "report/worldmap.h"

#define SAMPLE  "tests/data/report/sample.json"
#define MAX_OUT (64u << 20)

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

typedef enum dt_err (*render_fn)(const char *, size_t, struct strbuf *, struct dt_diag *);

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
		n++;
	return n;
}

/* Renders text; the output in out (caller releases). */
static enum dt_err render(render_fn fn, const char *text, size_t len, struct strbuf *out,
                          struct dt_diag *d)
{
	strbuf_init(out, MAX_OUT);
	return fn(text, len, out, d);
}

static void test_html_renders_every_campaign(void)
{
	struct strbuf out;
	struct dt_diag d;
	json_t *root, *camps, *c;
	json_error_t jerr;
	size_t i;
	enum dt_err err;

	if (sample == NULL)
		SKIP("%s unreadable", SAMPLE);
	err = render(report_render_html, sample, sample_len, &out, &d);
	CHECKF(err == DT_OK, "render: %s: %s", dt_strerror(err), d.msg);
	root = json_loads(sample, 0, &jerr);
	CHECK(root != NULL);
	camps = json_object_get(root, "campaigns");
	CHECK(json_array_size(camps) == 3);
	CHECK(count(out.p, "<article class=\"campaign\"") == (int)json_array_size(camps));
	json_array_foreach(camps, i, c)
	{
		char want[128];

		snprintf(want, sizeof(want), "data-campaign=\"%s\"",
		         json_string_value(json_object_get(c, "id")));
		CHECKF(strstr(out.p, want) != NULL, "%s", want);
	}
	CHECK(strncmp(out.p, "<!DOCTYPE html>", 15) == 0);
	CHECK(strstr(out.p, "<title>Joint attribution report \xe2\x80\x94 CERT-A</title>") != NULL);
	/* figures carry their paths and the JSON's values */
	CHECK(strstr(out.p, "<span data-figure=\"totals.events\">21234</span>") != NULL);
	CHECK(strstr(out.p, "data-figure=\"campaigns[0].events\">2849<") != NULL);
	CHECK(strstr(out.p, "data-figure=\"origins.remote_ips[0].share\">") != NULL);
	CHECK(strstr(out.p, "data-figure=\"weak_evidence.categories[3].share\">0.0000<") != NULL);
	CHECK(strstr(out.p, "data-figure=\"method.links[4].weight\">0.2500<") != NULL);
	CHECK(strstr(out.p, "data-figure=\"campaigns[2].timezone.offsets[26].office_share\">") !=
	      NULL);
	CHECK(strstr(out.p, "data-figure=\"activity.hours[23]\">") != NULL);
	/* every referenced ledger entry with its index and leaf hash */
	CHECK(strstr(out.p, "deadbeef00112233445566778899aabbccddeeff00112233445566778899aabb") !=
	      NULL);
	/* origins, activity, timeline, the campaigns' activity; the world map and its legend */
	CHECK(count(out.p, "<svg") == 5 + 2 + 1 + 3 * 2 + (worldmap_builtin.n ? 2 : 0));
	CHECK(strstr(out.p, "<pre class=\"note\">cert-a.example/detente\n42\n") != NULL);
	json_decref(root);
	strbuf_release(&out);
}

/* Every tag of the page is one the renderer writes: an unescaped string
 * would show up as an unknown one (<script>, <img>, <b>). */
static int tags_known(const char *p)
{
	static const char *const known[] = {
	    "!DOCTYPE", "html",       "head",   "meta", "title", "style", "body",
	    "header",   "h1",         "h2",     "h3",   "h4",    "p",     "strong",
	    "code",     "nav",        "ol",     "ul",   "li",    "a",     "section",
	    "table",    "thead",      "tbody",  "tr",   "th",    "td",    "span",
	    "figure",   "figcaption", "svg",    "text", "tspan", "rect",  "line",
	    "article",  "pre",        "footer", "div",  "g",     "path",  "circle"};
	char name[16];
	size_t i, n;
	int ok = 1;

	for (; (p = strchr(p, '<')) != NULL; p++) {
		p += p[1] == '/';
		n = strcspn(p + 1, " >/\n");
		snprintf(name, sizeof(name), "%.*s", (int)n, p + 1);
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(name, known[i]) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0])) {
			CHECKF(0, "unknown tag <%s>", name);
			ok = 0;
		}
	}
	return ok;
}

static void test_html_escapes_hostile_strings(void)
{
	struct strbuf out;
	struct dt_diag d;
	const char *p;

	if (sample == NULL)
		SKIP("%s unreadable", SAMPLE);
	CHECK(render(report_render_html, sample, sample_len, &out, &d) == DT_OK);
	CHECK(strstr(out.p, "<script") == NULL);
	CHECK(strstr(out.p, "<img") == NULL);
	CHECK(strstr(out.p, "<b>") == NULL);
	CHECK(strstr(out.p, "ET TROJAN &lt;script&gt;alert(1)&lt;/script&gt; beacon") != NULL);
	CHECK(strstr(out.p, "FIN-&quot;Quote&quot;&amp;Co &lt;img src=x onerror=alert(2)&gt;") !=
	      NULL);
	CHECK(strstr(out.p, "a|b.evil-hosting.example") != NULL);
	/* no bidi override survives; U+FFFD stands in */
	CHECK(strstr(out.p, "\xe2\x80\xae") == NULL);
	CHECK(strstr(out.p, "moc.\xef\xbf\xbd"
	                    "elpmaxe") != NULL);
	/* nothing that loads: only known tags, no href= leaving the page, no url() */
	CHECK(tags_known(out.p));
	CHECK(strstr(out.p, "url(") == NULL);
	CHECK(strstr(out.p, "@import") == NULL);
	for (p = out.p; (p = strstr(p, "href=\"")) != NULL; p += 6)
		CHECKF(p[6] == '#', "non-local link at offset %ld", (long)(p - out.p));
	CHECK(strstr(out.p, "Content-Security-Policy\" content=\"default-src 'none'") != NULL);
	strbuf_release(&out);
}

static void test_md_renders_and_escapes(void)
{
	struct strbuf out;
	struct dt_diag d;
	enum dt_err err;
	const char *line;

	if (sample == NULL)
		SKIP("%s unreadable", SAMPLE);
	err = render(report_render_md, sample, sample_len, &out, &d);
	CHECKF(err == DT_OK, "render: %s: %s", dt_strerror(err), d.msg);
	CHECK(strncmp(out.p, "# Joint attribution report\n", 27) == 0);
	CHECK(strstr(out.p, "C\\-1a2b3c4d5e6f") == NULL); /* a '-' inside is not escaped */
	CHECK(count(out.p, "\n### ") == 5 + 3);
	CHECK(strstr(out.p, "Id **C-1a2b3c4d5e6f**") != NULL);
	CHECK(strstr(out.p, "Id **C-7f00aa11bb22**") != NULL);
	CHECK(strstr(out.p, "Id **C-90ffee001122**") != NULL);
	CHECK(strstr(out.p, "| Events considered | 21234 |") != NULL);
	CHECK(strstr(out.p, "<script") == NULL);
	CHECK(strstr(out.p, "<img") == NULL);
	CHECK(strstr(out.p, "ET TROJAN &lt;script&gt;alert(1)&lt;/script&gt; beacon") != NULL);
	CHECK(strstr(out.p, "| domain | a\\|b.evil\\-hosting.example |") == NULL);
	CHECK(strstr(out.p, "| domain | a\\|b.evil-hosting.example | 1.0000 | 6 | 200 |") != NULL);
	CHECK(strstr(out.p, "a\\|b \\`code\\` \\*emph\\* \\_u\\_ \\# heading") != NULL);
	CHECK(strstr(out.p, "\\[hosting\\](javascript:alert(1))") != NULL);
	CHECK(strstr(out.p, "\xe2\x80\xae") == NULL);
	/* every table row has as many unescaped pipes as its header */
	for (line = out.p; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		const char *q;
		int pipes = 0;

		if (*line != '|')
			continue;
		for (q = line; *q && *q != '\n'; q++)
			if (*q == '|' && (q == line || q[-1] != '\\'))
				pipes++;
		if (strncmp(line, "| domain | a", 12) == 0)
			CHECKF(pipes == 6, "%d pipes in %.60s", pipes, line);
	}
	CHECK(strstr(out.p, "```\ncert-a.example/detente\n42\n") != NULL);
	strbuf_release(&out);
}

static void test_deterministic(void)
{
	render_fn fns[2] = {report_render_html, report_render_md};
	struct strbuf a, b;
	struct dt_diag d;
	int i;

	if (sample == NULL)
		SKIP("%s unreadable", SAMPLE);
	for (i = 0; i < 2; i++) {
		CHECK(render(fns[i], sample, sample_len, &a, &d) == DT_OK);
		CHECK(render(fns[i], sample, sample_len, &b, &d) == DT_OK);
		CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
		CHECK(a.len > 10000);
		strbuf_release(&a);
		strbuf_release(&b);
	}
}

/* Appends to what the buffer holds; on failure leaves it as it was. */
static void test_appends_and_restores(void)
{
	struct strbuf out;
	struct dt_diag d;

	if (sample == NULL)
		SKIP("%s unreadable", SAMPLE);
	strbuf_init(&out, MAX_OUT);
	CHECK(strbuf_adds(&out, "prefix\n") == DT_OK);
	CHECK(report_render_md(sample, sample_len, &out, &d) == DT_OK);
	CHECK(strncmp(out.p, "prefix\n# Joint", 14) == 0);
	strbuf_reset(&out);
	CHECK(strbuf_adds(&out, "prefix\n") == DT_OK);
	CHECK(report_render_html("{\"report\":1}", 12, &out, &d) == DT_EFORMAT);
	CHECK(out.len == 7 && strcmp(out.p, "prefix\n") == 0);
	strbuf_release(&out);
	/* a maximum too small for the document */
	strbuf_init(&out, 4096);
	CHECK(report_render_html(sample, sample_len, &out, &d) == DT_ELIMIT);
	CHECK(out.len == 0);
	strbuf_release(&out);
}

/* The sample with one member replaced (value NULL: deleted), as text. */
static char *mutate(const char *path_obj, const char *key, json_t *value)
{
	json_error_t jerr;
	json_t *root = json_loads(sample, 0, &jerr), *obj = root;
	char *text, buf[64], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path_obj);
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		obj = *tok >= '0' && *tok <= '9' ? json_array_get(obj, (size_t)atoi(tok))
		                                 : json_object_get(obj, tok);
	if (value)
		json_object_set_new(obj, key, value);
	else
		json_object_del(obj, key);
	text = json_dumps(root, 0);
	json_decref(root);
	return text;
}

static void refused(const char *text, const char *want_msg)
{
	render_fn fns[2] = {report_render_html, report_render_md};
	struct strbuf out;
	struct dt_diag d;
	int i;

	for (i = 0; i < 2; i++) {
		enum dt_err err = render(fns[i], text, strlen(text), &out, &d);

		CHECKF(err == DT_EFORMAT, "%s: got %s", want_msg, dt_strerror(err));
		CHECKF(strstr(d.msg, want_msg) != NULL, "diag \"%s\", want \"%s\"", d.msg,
		       want_msg);
		CHECK(out.len == 0);
		strbuf_release(&out);
	}
}

static void test_refuses_what_is_not_a_report(void)
{
	char *t;

	if (sample == NULL)
		SKIP("%s unreadable", SAMPLE);
	refused("", "report is not JSON");
	refused("{\"report\": \"detente.report/v1\",", "report is not JSON");
	refused("[1, 2]", "is not an object");
	refused("{\"type\": \"bundle\", \"objects\": []}", "report \"report\" is missing");
	refused("{\"report\": \"detente.report/v2\"}", "not \"detente.report/v1\"");
	refused("{\"report\": \"detente.report/v1\"}", "report \"node\" is missing");
	t = mutate("", "totals", NULL);
	refused(t, "report \"totals\" is missing");
	free(t);
	t = mutate("totals", "victims", NULL);
	refused(t, "report \"totals.victims\" is missing");
	free(t);
	t = mutate("campaigns.1", "events", json_string("480"));
	refused(t, "report \"campaigns[1].events\" is not an integer");
	free(t);
	t = mutate("campaigns.2.timezone", "offsets", json_integer(3));
	refused(t, "report \"campaigns[2].timezone.offsets\" is not an array");
	free(t);
	t = mutate("campaigns.0", "entries", json_pack("[s]", "E9"));
	refused(t, "report \"campaigns[0].entries[0]\" names no entry");
	free(t);
	t = mutate("activity", "hours", json_pack("[i]", 1));
	refused(t, "report \"activity.hours\" does not hold 24 counts");
	free(t);
	t = mutate("origins.events.0", "share", json_string("0.5"));
	refused(t, "report \"origins.events[0].share\" is not a number");
	free(t);
	/* a null where a string may be unknown is fine */
	t = mutate("campaigns.0.asns.0", "org", json_null());
	{
		struct strbuf out;
		struct dt_diag d;

		CHECK(render(report_render_html, t, strlen(t), &out, &d) == DT_OK);
		CHECK(strstr(out.p, "<span class=\"unknown\">unknown</span>") != NULL);
		strbuf_release(&out);
	}
	free(t);
}

/* Every hostile byte sequence at every string position of the sample: no
 * crash, and nothing of it outside the escapes. */
static void test_every_string_hostile(void)
{
	static const char *const evil[] = {"</pre><script>x()</script>", "\"><svg onload=x()>",
	                                   "a|b\n| --- |", "```\n# x", "\xe2\x80\xae\x01\x7f"};
	json_error_t jerr;
	json_t *root;
	size_t k;

	if (sample == NULL)
		SKIP("%s unreadable", SAMPLE);
	for (k = 0; k < sizeof(evil) / sizeof(evil[0]); k++) {
		struct strbuf h, m;
		struct dt_diag d;
		json_t *c;
		char *text;
		size_t i;

		root = json_loads(sample, 0, &jerr);
		/* campaign titles, ids, links, signatures, victims, entry texts */
		json_array_foreach(json_object_get(root, "campaigns"), i, c)
		{
			json_object_set_new(c, "title", json_string(evil[k]));
			json_object_set_new(c, "id", json_string(evil[k]));
			json_object_set_new(json_array_get(json_object_get(c, "victims"), 0),
			                    "name", json_string(evil[k]));
			json_object_set_new(json_array_get(json_object_get(c, "links"), 0), "value",
			                    json_string(evil[k]));
		}
		json_object_set_new(json_array_get(json_object_get(root, "entries"), 0), "about",
		                    json_string(evil[k]));
		json_object_set_new(json_object_get(root, "node"), "party", json_string(evil[k]));
		text = json_dumps(root, 0);
		json_decref(root);
		CHECK(render(report_render_html, text, strlen(text), &h, &d) == DT_OK);
		CHECK(render(report_render_md, text, strlen(text), &m, &d) == DT_OK);
		CHECK(tags_known(h.p));
		CHECKF(strstr(h.p, "<script") == NULL && strstr(h.p, "<svg onload") == NULL &&
		           strstr(h.p, "</pre><") == NULL,
		       "evil %zu in html", k);
		CHECKF(strstr(m.p, "<script") == NULL && strstr(m.p, "<svg") == NULL &&
		           strstr(m.p, "a|b\n") == NULL && strstr(m.p, "\n# x") == NULL,
		       "evil %zu in md", k);
		CHECK(strstr(h.p, "\x01") == NULL && strstr(h.p, "\x7f") == NULL);
		CHECK(strstr(m.p, "\x01") == NULL && strstr(h.p, "\xe2\x80\xae") == NULL);
		strbuf_release(&h);
		strbuf_release(&m);
		free(text);
	}
}

static int write_tool(const char *fmt, const char *outpath, const char *inpath)
{
	struct strbuf out;
	struct dt_diag d;
	char *text, msg[800];
	size_t len = 0;
	enum dt_err err;
	FILE *f;

	if ((text = slurp(inpath, &len)) == NULL) {
		fprintf(stderr, "%s: cannot read\n", inpath);
		return 2;
	}
	strbuf_init(&out, MAX_OUT);
	err = strcmp(fmt, "--write-html") == 0 ? report_render_html(text, len, &out, &d)
	                                       : report_render_md(text, len, &out, &d);
	free(text);
	if (err) {
		dt_diag_format(&d, msg, sizeof(msg));
		fprintf(stderr, "%s: %s: %s\n", inpath, dt_strerror(err), msg);
		strbuf_release(&out);
		return 1;
	}
	if ((f = fopen(outpath, "wb")) == NULL || fwrite(out.p, 1, out.len, f) != out.len ||
	    fclose(f) != 0) {
		fprintf(stderr, "%s: cannot write\n", outpath);
		strbuf_release(&out);
		return 2;
	}
	strbuf_release(&out);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 &&
	    (strcmp(argv[1], "--write-html") == 0 || strcmp(argv[1], "--write-md") == 0))
		return write_tool(argv[1], argv[2], argv[3]);
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--write-html|--write-md OUT IN.json]\n", argv[0]);
		return 2;
	}
	sample = slurp(SAMPLE, &sample_len);
	RUN(test_html_renders_every_campaign);
	RUN(test_html_escapes_hostile_strings);
	RUN(test_md_renders_and_escapes);
	RUN(test_deterministic);
	RUN(test_appends_and_restores);
	RUN(test_refuses_what_is_not_a_report);
	RUN(test_every_string_hostile);
	free(sample);
	DONE();
}
