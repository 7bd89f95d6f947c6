/*
 * render_util.c — the reading, escaping and number formatting that the
 * Markdown and HTML renderers share.
 *
 * Reading: typed accessors that name the JSON path of anything missing or
 * mistyped, first fault kept (see render_util.h).  Escaping: every string of
 * the report may be attacker text; besides the markup characters of each
 * language, control characters and the Unicode bidirectional overrides
 * (which could make "moc.live" read as "evil.com") become U+FFFD.  Numbers:
 * integers are printed with %lld, which no locale changes; reals by integer
 * arithmetic, so a program that called setlocale() still gets "0.3340".
 */
#include "report/render_util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ingest/logtime.h"
#include "report/render.h"

const char *const report_units[5] = {"events", "remote_ips", "prefixes", "asns", "victims"};
const char *const report_unit_names[5] = {"events", "distinct remote IPs",
                                          "distinct /24 (IPv4) and /48 (IPv6) prefixes",
                                          "distinct ASNs", "victims"};

static const char *const top_objects[] = {"node",          "checkpoint", "totals", "origins",
                                          "weak_evidence", "activity",   "method"};
static const char *const top_arrays[] = {"peers", "refdata", "entries", "campaigns"};

void rc_fault(struct rctx *c, const char *path, const char *what)
{
	if (c->err)
		return;
	c->err = DT_EFORMAT;
	dt_diag_set(c->diag, NULL, 0, "report \"%s\" %s: not a complete %s", path, what,
	            REPORT_SCHEMA);
}

enum dt_err rctx_open(struct rctx *c, const char *json, size_t len, struct strbuf *out,
                      struct dt_diag *diag)
{
	json_error_t jerr;
	json_t *v;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->out = out;
	c->diag = diag;
	dt_diag_clear(diag);
	c->root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (c->root == NULL) {
		dt_diag_set(diag, NULL, 0, "report is not JSON: %s (line %d, column %d)", jerr.text,
		            jerr.line, jerr.column);
		return DT_EFORMAT;
	}
	c->empty_arr = json_array();
	c->empty_obj = json_object();
	if (c->empty_arr == NULL || c->empty_obj == NULL) {
		rctx_close(c, out->len);
		return DT_ENOMEM;
	}
	if (!json_is_object(c->root)) {
		rc_fault(c, "", "is not an object");
		goto out;
	}
	v = json_object_get(c->root, "report");
	if (!json_is_string(v)) {
		rc_fault(c, "report", "is missing");
		goto out;
	}
	if (strcmp(json_string_value(v), REPORT_SCHEMA) != 0) {
		c->err = DT_EFORMAT;
		dt_diag_set(diag, NULL, 0, "report \"report\" is \"%.64s\", not \"%s\"",
		            json_string_value(v), REPORT_SCHEMA);
		goto out;
	}
	for (i = 0; i < sizeof(top_objects) / sizeof(top_objects[0]); i++)
		rc_obj(c, c->root, "", top_objects[i]);
	for (i = 0; i < sizeof(top_arrays) / sizeof(top_arrays[0]); i++)
		rc_arr(c, c->root, "", top_arrays[i]);
out:
	if (c->err) {
		enum dt_err err = c->err;

		c->err = DT_OK;
		rctx_close(c, out->len);
		return err;
	}
	return DT_OK;
}

enum dt_err rctx_close(struct rctx *c, size_t orig_len)
{
	json_decref(c->root);
	json_decref(c->empty_arr);
	json_decref(c->empty_obj);
	c->root = c->empty_arr = c->empty_obj = NULL;
	if (c->err && c->out->len > orig_len) {
		c->out->len = orig_len;
		c->out->p[orig_len] = '\0';
	}
	return c->err;
}

void path_key(char *dst, const char *base, const char *key)
{
	if (base == NULL || *base == '\0')
		snprintf(dst, RENDER_MAX_PATH, "%s", key);
	else
		snprintf(dst, RENDER_MAX_PATH, "%s.%s", base, key);
}

void path_idx(char *dst, const char *base, size_t i)
{
	snprintf(dst, RENDER_MAX_PATH, "%s[%zu]", base, i);
}

static json_t *member(struct rctx *c, json_t *obj, const char *path, const char *key, char *full)
{
	json_t *v;

	path_key(full, path, key);
	if (!json_is_object(obj))
		return NULL; /* the fault about obj is already recorded */
	v = json_object_get(obj, key);
	if (v == NULL)
		rc_fault(c, full, "is missing");
	return v;
}

json_t *rc_obj(struct rctx *c, json_t *obj, const char *path, const char *key)
{
	char full[RENDER_MAX_PATH];
	json_t *v = member(c, obj, path, key, full);

	if (v != NULL && !json_is_object(v)) {
		rc_fault(c, full, "is not an object");
		v = NULL;
	}
	return v ? v : c->empty_obj;
}

json_t *rc_arr(struct rctx *c, json_t *obj, const char *path, const char *key)
{
	char full[RENDER_MAX_PATH];
	json_t *v = member(c, obj, path, key, full);

	if (v != NULL && !json_is_array(v)) {
		rc_fault(c, full, "is not an array");
		v = NULL;
	}
	return v ? v : c->empty_arr;
}

const char *rc_str(struct rctx *c, json_t *obj, const char *path, const char *key)
{
	char full[RENDER_MAX_PATH];
	json_t *v = member(c, obj, path, key, full);

	if (v != NULL && !json_is_string(v)) {
		rc_fault(c, full, "is not a string");
		v = NULL;
	}
	return v ? json_string_value(v) : "";
}

const char *rc_nstr(struct rctx *c, json_t *obj, const char *path, const char *key)
{
	char full[RENDER_MAX_PATH];
	json_t *v = member(c, obj, path, key, full);

	if (v != NULL && !json_is_string(v) && !json_is_null(v)) {
		rc_fault(c, full, "is not a string or null");
		v = NULL;
	}
	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *rc_int(struct rctx *c, json_t *obj, const char *path, const char *key)
{
	char full[RENDER_MAX_PATH];
	json_t *v = member(c, obj, path, key, full);

	if (v != NULL && !json_is_integer(v)) {
		rc_fault(c, full, "is not an integer");
		v = NULL;
	}
	return v; /* NULL on a fault: shown as 0, and the output is discarded */
}

json_t *rc_num(struct rctx *c, json_t *obj, const char *path, const char *key)
{
	char full[RENDER_MAX_PATH];
	json_t *v = member(c, obj, path, key, full);

	if (v != NULL && !json_is_number(v)) {
		rc_fault(c, full, "is not a number");
		v = NULL;
	}
	return v; /* NULL on a fault: shown as 0, and the output is discarded */
}

int rc_bool(struct rctx *c, json_t *obj, const char *path, const char *key)
{
	char full[RENDER_MAX_PATH];
	json_t *v = member(c, obj, path, key, full);

	if (v != NULL && !json_is_boolean(v)) {
		rc_fault(c, full, "is not true or false");
		v = NULL;
	}
	return json_is_true(v);
}

json_t *rc_item(struct rctx *c, json_t *arr, const char *path, size_t i, json_type type)
{
	char buf[RENDER_MAX_PATH];
	json_t *v = json_array_get(arr, i);

	if (v == NULL || json_typeof(v) == type || (type == JSON_REAL && json_is_number(v)))
		return v;
	path_idx(buf, path, i);
	rc_fault(c, buf,
	         type == JSON_OBJECT    ? "is not an object"
	         : type == JSON_STRING  ? "is not a string"
	         : type == JSON_INTEGER ? "is not an integer"
	                                : "has the wrong type");
	return type == JSON_OBJECT ? c->empty_obj : NULL;
}

json_t *rc_entry(struct rctx *c, const char *ref, const char *path)
{
	json_t *entries = json_object_get(c->root, "entries");
	json_t *e;
	size_t i;

	json_array_foreach(entries, i, e)
	{
		json_t *r = json_object_get(e, "ref");

		if (json_is_string(r) && strcmp(json_string_value(r), ref) == 0)
			return e;
	}
	rc_fault(c, path, "names no entry of \"entries\"");
	return NULL;
}

double num_value(const json_t *num)
{
	if (json_is_integer(num))
		return (double)json_integer_value(num);
	if (json_is_real(num))
		return json_real_value(num);
	return 0;
}

void fmt_num(char *dst, const json_t *num)
{
	double v, a;
	long long n;

	if (json_is_integer(num)) {
		snprintf(dst, RENDER_MAX_NUMBER, "%lld", (long long)json_integer_value(num));
		return;
	}
	if (!json_is_real(num)) {
		snprintf(dst, RENDER_MAX_NUMBER, "0");
		return;
	}
	v = json_real_value(num);
	a = fabs(v);
	if (a < 1e12) {
		n = llround(a * 10000.0);
		if ((double)n / 10000.0 == a) {
			snprintf(dst, RENDER_MAX_NUMBER, "%s%lld.%04lld", v < 0 ? "-" : "",
			         n / 10000, n % 10000);
			return;
		}
	}
	snprintf(dst, RENDER_MAX_NUMBER, "%.17g", v);
	for (; *dst; dst++)
		if (*dst == ',')
			*dst = '.';
}

void fmt_pct(char *dst, const json_t *share)
{
	double v = num_value(share);
	long long n;

	if (!(fabs(v) < 1e12)) {
		snprintf(dst, RENDER_MAX_NUMBER, "? %%");
		return;
	}
	n = llround(fabs(v) * 10000.0);
	snprintf(dst, RENDER_MAX_NUMBER, "%s%lld.%02lld %%", v < 0 ? "-" : "", n / 100, n % 100);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

long long parse_time(const char *s)
{
	int y, mo, d, h, mi, se;

	/* YYYY-MM-DDTHH:MM:SSZ */
	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se) || mo < 1 ||
	    mo > 12 || d < 1 || d > 31)
		return 0;
	return (long long)logtime_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

void rc_puts(struct rctx *c, const char *s)
{
	if (c->err == DT_OK)
		c->err = strbuf_adds(c->out, s);
}

void rc_printf(struct rctx *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if (c->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		c->err = DT_ELIMIT; /* callers format only short, fixed pieces */
		return;
	}
	c->err = strbuf_add(c->out, buf, (size_t)n);
}

static void add(struct rctx *c, const char *p, size_t n)
{
	if (c->err == DT_OK && n > 0)
		c->err = strbuf_add(c->out, p, n);
}

/* Bytes of a character to replace at s (a control or a bidi override), or 0. */
static size_t hazard(const unsigned char *s, int keep_newline)
{
	if (*s < 0x20 && !(keep_newline && (*s == '\n' || *s == '\t')))
		return 1;
	if (*s == 0x7f)
		return 1;
	if (s[0] == 0xe2 && s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae)
		return 3; /* U+202A..U+202E */
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
		return 3; /* U+2066..U+2069 */
	return 0;
}

#define REPLACEMENT "\xef\xbf\xbd"

void rc_html(struct rctx *c, const char *s)
{
	const char *run;
	size_t h;

	if (s == NULL) {
		rc_puts(c, "<span class=\"unknown\">unknown</span>");
		return;
	}
	for (run = s; *s;) {
		const char *rep = NULL;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: break;
		}
		h = rep ? 1 : hazard((const unsigned char *)s, 1);
		if (h == 0) {
			s++;
			continue;
		}
		add(c, run, (size_t)(s - run));
		rc_puts(c, rep ? rep : REPLACEMENT);
		s += h;
		run = s;
	}
	add(c, run, (size_t)(s - run));
}

void rc_md(struct rctx *c, const char *s)
{
	const char *run, *start = s;
	size_t h;

	if (s == NULL) {
		rc_puts(c, "*unknown*");
		return;
	}
	for (run = s; *s;) {
		const char *rep = NULL;
		int esc = 0;

		switch (*s) {
		case '\\':
		case '`':
		case '*':
		case '_':
		case '[':
		case ']':
		case '|':
		case '~':
		case '#':
		case '!':
		case '{':
		case '}':
		case '$': esc = 1; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '&': rep = "&amp;"; break;
		case '\n':
		case '\r':
		case '\t': rep = " "; break;
		case '+':
		case '-':
		case '=': esc = s == start; break;
		case '.':
		case ')':
			/* "1." or "1)" at the start would begin an ordered list */
			esc = s > start && strspn(start, "0123456789") == (size_t)(s - start);
			break;
		default: break;
		}
		h = (rep || esc) ? 1 : hazard((const unsigned char *)s, 0);
		if (h == 0) {
			s++;
			continue;
		}
		add(c, run, (size_t)(s - run));
		if (esc) {
			add(c, "\\", 1);
			add(c, s, 1);
		} else {
			rc_puts(c, rep ? rep : REPLACEMENT);
		}
		s += h;
		run = s;
	}
	add(c, run, (size_t)(s - run));
}

const struct report_total report_totals[] = {
    {"events", "Events considered", "stored events of all parties"},
    {"attack_events", "Events in attacks", "events in a group with hostile evidence"},
    {"campaign_events", "Events in campaigns", "events"},
    {"hostile_events", "Hostile events", "attack events with an IDS alert or intel sighting"},
    {"campaigns", "Campaigns", "campaigns"},
    {"remote_ips", "Remote addresses", "distinct remote IP addresses in attacks"},
    {"prefixes", "Remote prefixes", "distinct /24 (IPv4) and /48 (IPv6) in attacks"},
    {"asns", "Autonomous systems", "distinct ASNs in attacks"},
    {"countries", "Countries", "distinct countries in attacks"},
    {"victims", "Victims", "distinct victim organisations"},
    {"parties", "Parties", "CERTs whose evidence is included"},
    {"sightings", "Intel sightings", "hostile indicator sightings on attack events"},
};
const size_t report_ntotals = sizeof(report_totals) / sizeof(report_totals[0]);
