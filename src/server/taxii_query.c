/*
 * taxii_query.c — the pure parsers of the TAXII 2.1 server: what a client
 * controls, checked before anything touches the database.  No I/O here,
 * so fuzz/fuzz_taxii.c drives all of it.
 *
 * Spec facts relied on (TAXII 2.1, OASIS Standard 2021):
 *   - §1.6.8 timestamps are RFC 3339 UTC ("Z"); date_added has microsecond
 *     precision, so every time here is an int64 of microseconds;
 *   - §1.6.8.1/§1.6.8.2 media types application/taxii+json;version=2.1 and
 *     application/stix+json;version=2.1 ("application/taxii+json" alone
 *     means the latest version);
 *   - §3.4 filtering: added_after (exclusive), limit, next, match[id],
 *     match[type], match[version] ("first", "last", "all" or timestamps)
 *     and match[spec_version]; a match[] value may be a comma-separated
 *     list (logical OR); several match[] parameters combine with AND;
 *   - §3.7 envelope {"more", "next", "objects"}; a STIX object's version
 *     is its modified, else its created, else its date_added (§3.6.1);
 *   - STIX 2.1 §2.9 identifiers "<type>--<UUID>", §7.2.1.4 the TLP
 *     marking-definition ids (1.0) and the TLP 2.0 extension ids.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hex.h"
#include "ingest/logtime.h"
#include "server/taxii_int.h"

/* ---- timestamps ------------------------------------------------------------ */

static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static unsigned mdays(int y, int m)
{
	static const unsigned char dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

bool taxii_ts_parse(const char *s, size_t n, int64_t *us)
{
	int y, mo, d, h, mi, se;
	int64_t frac = 0;
	size_t i = 19;

	if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return false;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
	    se > 59 || (unsigned)d > mdays(y, mo))
		return false;
	if (s[i] == '.') {
		int k = 0;

		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
			if (k < 6)
				frac = frac * 10 + (s[i] - '0');
		if (k == 0)
			return false;
		for (; k < 6; k++)
			frac *= 10;
	}
	if (i + 1 != n || (s[i] != 'Z' && s[i] != 'z'))
		return false;
	*us = ((logtime_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000000) + frac;
	return true;
}

void taxii_ts_format(int64_t us, char out[TAXII_TS_LEN])
{
	/* years 0000 .. 9999 only: the format has four digits */
	static const int64_t lo = -62167219200LL * 1000000, hi = 253402300800LL * 1000000 - 1;
	int64_t clamped = us < lo ? lo : us > hi ? hi : us;
	int64_t s = clamped >= 0 ? clamped / 1000000 : (clamped - 999999) / 1000000;
	time_t t = (time_t)s;
	struct tm tm;

	char buf[80]; /* every field is in range; the compiler cannot know it */

	gmtime_r(&t, &tm);
	/* not strftime: glibc's %Y does not pad years below 1000 */
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	         (int)(clamped - s * 1000000));
	memcpy(out, buf, TAXII_TS_LEN - 1);
	out[TAXII_TS_LEN - 1] = '\0';
}

/* ---- media types ------------------------------------------------------------ */

static bool ieq(const char *a, size_t n, const char *lit)
{
	return n == strlen(lit) && strncasecmp(a, lit, n) == 0;
}

static void trim(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

/*
 * One media range "type/subtype; name=value; ...": the type into t/tn, the
 * version parameter into v/vn (NULL when absent), and whether q=0 ruled it
 * out.
 */
static void media_range(const char *s, size_t n, const char **t, size_t *tn, const char **v,
                        size_t *vn, bool *refused)
{
	const char *semi = memchr(s, ';', n);
	size_t i;

	*t = s;
	*tn = semi ? (size_t)(semi - s) : n;
	trim(t, tn);
	*v = NULL;
	*vn = 0;
	*refused = false;
	i = semi ? (size_t)(semi - s) : n;
	while (i < n) {
		const char *p = s + i + 1, *next = memchr(p, ';', n - i - 1), *eq;
		size_t len = next ? (size_t)(next - p) : n - i - 1, nn, pv;

		i += len + 1;
		eq = memchr(p, '=', len);
		if (eq == NULL)
			continue;
		nn = (size_t)(eq - p);
		pv = len - nn - 1;
		{
			const char *name = p, *val = eq + 1;

			trim(&name, &nn);
			trim(&val, &pv);
			if (pv >= 2 && val[0] == '"' && val[pv - 1] == '"') {
				val++;
				pv -= 2;
			}
			if (ieq(name, nn, "version")) {
				*v = val;
				*vn = pv;
			} else if (ieq(name, nn, "q")) {
				bool zero = pv > 0;

				for (size_t k = 0; k < pv; k++)
					if (val[k] != '0' && val[k] != '.')
						zero = false;
				if (zero)
					*refused = true;
			}
		}
	}
}

bool taxii_accept_ok(const char *h, size_t n, bool stix)
{
	size_t i = 0;

	if (h == NULL || n == 0)
		return true;
	while (i <= n) {
		const char *p = h + i, *comma = memchr(p, ',', n - i), *t, *v;
		size_t len = comma ? (size_t)(comma - p) : n - i, tn, vn;
		bool refused;

		i += len + 1;
		media_range(p, len, &t, &tn, &v, &vn, &refused);
		if (refused || tn == 0)
			continue;
		if (ieq(t, tn, "*/*") || ieq(t, tn, "application/*"))
			return true;
		if ((ieq(t, tn, "application/taxii+json") ||
		     (stix && ieq(t, tn, "application/stix+json"))) &&
		    (v == NULL || ieq(v, vn, "2.1")))
			return true;
	}
	return false;
}

bool taxii_ctype_ok(const char *h, size_t n)
{
	const char *t, *v;
	size_t tn, vn;
	bool refused;

	if (h == NULL || n == 0)
		return false;
	media_range(h, n, &t, &tn, &v, &vn, &refused);
	return ieq(t, tn, "application/taxii+json") && v != NULL && ieq(v, vn, "2.1");
}

/* ---- identifiers ------------------------------------------------------------ */

static bool type_ok(const char *s, size_t n)
{
	if (n < 3 || n > 250)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

bool taxii_stix_id(const char *s, size_t n, size_t *type_len)
{
	const char *u;

	if (n < 36 + 2 + 3 || n > TAXII_MAX_ID)
		return false;
	u = s + n - 36;
	if (u[-1] != '-' || u[-2] != '-' || !type_ok(s, (size_t)(u - 2 - s)))
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u[i] != '-')
				return false;
		} else if (dt_hex_digit(u[i]) < 0) {
			return false;
		}
	}
	*type_len = (size_t)(u - 2 - s);
	return true;
}

/* ---- the query string --------------------------------------------------------- */

static bool fail(char *why, size_t size, const char *fmt, const char *arg)
{
	snprintf(why, size, fmt, arg);
	return false;
}

/* Appends the comma-separated items of v to the JSON array *list. */
static bool add_list(char **list, const char *name, const char *v, bool (*ok)(const char *, size_t),
                     char *why, size_t size)
{
	struct strbuf b;
	size_t count = 0;
	const char *p = v;

	strbuf_init(&b, TAXII_MAX_MATCH * (TAXII_MAX_ID + 8) + 16);
	if (*list) {
		strbuf_adds(&b, *list);
		b.len--; /* the closing bracket */
		for (const char *c = *list; *c; c++)
			count += *c == '"';
		count /= 2;
	} else {
		strbuf_addc(&b, '[');
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		trim(&p, &len);
		if (len == 0 || !ok(p, len) || ++count > TAXII_MAX_MATCH) {
			strbuf_release(&b);
			return fail(why, size,
			            count > TAXII_MAX_MATCH ? "too many values in '%s'"
			                                    : "a value of '%s' is not valid",
			            name);
		}
		if (b.len > 1)
			strbuf_addc(&b, ',');
		strbuf_addc(&b, '"');
		strbuf_add_json(&b, p, len);
		if (strbuf_addc(&b, '"')) {
			strbuf_release(&b);
			return fail(why, size, "'%s' is too long", name);
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	strbuf_addc(&b, ']');
	free(*list);
	*list = b.p; /* the strbuf's bytes */
	return true;
}

static bool id_ok(const char *s, size_t n)
{
	size_t tl;

	return taxii_stix_id(s, n, &tl);
}

static bool spec_ok(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);

	if (dot == NULL || dot == s || dot == s + n - 1 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s + i != dot && (s[i] < '0' || s[i] > '9'))
			return false;
	return true;
}

static bool add_versions(struct taxii_query *q, const char *v, char *why, size_t size)
{
	struct strbuf b;
	const char *p = v;
	size_t count = 0;

	strbuf_init(&b, TAXII_MAX_MATCH * 24 + 16);
	if (q->versions) {
		strbuf_adds(&b, q->versions);
		b.len--;
		for (const char *c = q->versions; *c; c++)
			count += *c == ',';
		count += b.len > 1;
	} else {
		strbuf_addc(&b, '[');
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int64_t us;

		trim(&p, &len);
		if (ieq(p, len, "first")) {
			q->vflags |= TAXII_V_FIRST;
		} else if (ieq(p, len, "last")) {
			q->vflags |= TAXII_V_LAST;
		} else if (ieq(p, len, "all")) {
			q->vflags |= TAXII_V_ALL;
		} else if (taxii_ts_parse(p, len, &us) && ++count <= TAXII_MAX_MATCH) {
			if (b.len > 1)
				strbuf_addc(&b, ',');
			strbuf_addf(&b, "%lld", (long long)us);
		} else {
			strbuf_release(&b);
			return fail(
			    why, size, "%s",
			    count > TAXII_MAX_MATCH
			        ? "too many values in 'match[version]'"
			        : "a value of 'match[version]' is not first, last, all or a "
			          "timestamp");
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	strbuf_addc(&b, ']');
	free(q->versions);
	q->versions = b.p;
	q->vgiven = true;
	return true;
}

static bool parse_int(const char *s, int64_t *v, bool neg_ok)
{
	int64_t x = 0;
	bool neg = false;

	if (neg_ok && *s == '-') {
		neg = true;
		s++;
	}
	if (*s == '\0')
		return false;
	for (int i = 0; *s; s++, i++) {
		if (*s < '0' || *s > '9' || i >= 18)
			return false;
		x = x * 10 + (*s - '0');
	}
	*v = neg ? -x : x;
	return true;
}

static bool next_parse(const char *v, struct taxii_query *q)
{
	char buf[64];
	char *dot;

	if (strlen(v) >= sizeof(buf))
		return false;
	strcpy(buf, v);
	if ((dot = strchr(buf, '.')) == NULL)
		return false;
	*dot = '\0';
	return parse_int(buf, &q->next_date, true) && parse_int(dot + 1, &q->next_seq, false);
}

bool taxii_query_parse(const char *s, size_t n, struct taxii_query *q, char *why, size_t size)
{
	static _Thread_local char val[TAXII_MAX_PARAM + 1];
	size_t i = 0;

	memset(q, 0, sizeof(*q));
	q->limit = TAXII_MAX_PAGE;
	while (s && i < n) {
		const char *p = s + i, *amp = memchr(p, '&', n - i), *eq;
		size_t len = amp ? (size_t)(amp - p) : n - i;
		char name[40];
		bool ok = true;

		i += len + 1;
		if (len == 0)
			continue;
		eq = memchr(p, '=', len);
		if (!http_unescape(p, eq ? (size_t)(eq - p) : len, true, name, sizeof(name)))
			continue; /* not a parameter of ours */
		if (strcmp(name, "added_after") != 0 && strcmp(name, "limit") != 0 &&
		    strcmp(name, "next") != 0 && strcmp(name, "match[id]") != 0 &&
		    strcmp(name, "match[type]") != 0 && strcmp(name, "match[version]") != 0 &&
		    strcmp(name, "match[spec_version]") != 0)
			continue;
		if (eq == NULL ||
		    !http_unescape(eq + 1, len - (size_t)(eq + 1 - p), true, val, sizeof(val))) {
			taxii_query_release(q);
			return fail(why, size, "'%s' needs a valid value", name);
		}
		if (strlen(val) == 0) {
			taxii_query_release(q);
			return fail(why, size, "'%s' is empty", name);
		}
		if (strcmp(name, "added_after") == 0) {
			ok = taxii_ts_parse(val, strlen(val), &q->added_after);
			q->has_added_after = true;
			if (!ok)
				fail(why, size, "'added_after' is not a timestamp: %s",
				     "YYYY-MM-DDTHH:MM:SS[.s]Z expected");
		} else if (strcmp(name, "limit") == 0) {
			int64_t l;

			ok = parse_int(val, &l, false) && l > 0;
			q->limit = !ok || l > TAXII_MAX_PAGE ? TAXII_MAX_PAGE : (unsigned)l;
			if (!ok)
				fail(why, size, "'%s' is not a positive integer", "limit");
		} else if (strcmp(name, "next") == 0) {
			ok = q->has_next = next_parse(val, q);
			if (!ok)
				fail(why, size, "'%s' is not a value this server gave", "next");
		} else if (strcmp(name, "match[id]") == 0) {
			ok = add_list(&q->ids, name, val, id_ok, why, size);
		} else if (strcmp(name, "match[type]") == 0) {
			ok = add_list(&q->types, name, val, type_ok, why, size);
		} else if (strcmp(name, "match[spec_version]") == 0) {
			ok = add_list(&q->specs, name, val, spec_ok, why, size);
			q->sgiven = true;
		} else {
			ok = add_versions(q, val, why, size);
		}
		if (!ok) {
			taxii_query_release(q);
			return false;
		}
	}
	return true;
}

void taxii_query_release(struct taxii_query *q)
{
	free(q->ids);
	free(q->types);
	free(q->specs);
	free(q->versions);
	q->ids = q->types = q->specs = q->versions = NULL;
}

/* ---- envelopes ------------------------------------------------------------------ */

static const struct {
	const char *id;
	int rank;
} tlp_ids[] = {
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", 0}, /* TLP 1.0 white */
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5a41da", 1},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", 2},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", 4},
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", 0}, /* TLP 2.0 */
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", 1},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", 2},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", 3},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", 4},
};

int taxii_tlp_marking(const char *id)
{
	for (size_t i = 0; i < sizeof(tlp_ids) / sizeof(*tlp_ids); i++)
		if (strcmp(id, tlp_ids[i].id) == 0)
			return tlp_ids[i].rank;
	return -1;
}

static int tlp_word(const char *w)
{
	static const char *const names[] = {"clear", "green", "amber", "amber+strict", "red"};

	if (w == NULL)
		return -1;
	if (strncasecmp(w, "TLP:", 4) == 0)
		w += 4;
	if (strcasecmp(w, "white") == 0)
		return 0;
	for (int i = 0; i < 5; i++)
		if (strcasecmp(w, names[i]) == 0)
			return i;
	return -1;
}

/* The TLP a marking-definition object in the envelope defines, or -1. */
static int defined_tlp(json_t *o)
{
	const char *dt = json_string_value(json_object_get(o, "definition_type"));
	json_t *ext = json_object_get(o, "extensions");
	const char *k;
	json_t *v;

	if (dt && strcmp(dt, "tlp") == 0)
		return tlp_word(
		    json_string_value(json_object_get(json_object_get(o, "definition"), "tlp")));
	json_object_foreach(ext, k, v)
	{
		int r = tlp_word(json_string_value(json_object_get(v, "tlp_2_0")));

		if (r >= 0)
			return r;
	}
	return -1;
}

bool taxii_item_fill(struct taxii_item *it, json_t *o, json_t *defs)
{
	const char *type = json_string_value(json_object_get(o, "type"));
	const char *id = json_string_value(json_object_get(o, "id"));
	json_t *spec = json_object_get(o, "spec_version"), *refs, *ver;
	size_t tl, k;
	json_t *ref;

	it->tlp = -1;
	if (!json_is_object(o))
		return snprintf(it->why, sizeof(it->why), "not a JSON object"), false;
	if (id && strlen(id) <= TAXII_MAX_ID)
		snprintf(it->id, sizeof(it->id), "%s", id);
	if (type == NULL || !type_ok(type, strlen(type)))
		return snprintf(it->why, sizeof(it->why), "no valid 'type'"), false;
	if (id == NULL || !taxii_stix_id(id, strlen(id), &tl) || tl != strlen(type) ||
	    memcmp(id, type, tl) != 0)
		return snprintf(it->why, sizeof(it->why), "no valid 'id' of its type"), false;
	snprintf(it->type, sizeof(it->type), "%s", type);
	if (spec != NULL) {
		const char *s = json_string_value(spec);

		if (s == NULL || !spec_ok(s, strlen(s)))
			return snprintf(it->why, sizeof(it->why), "'spec_version' is not valid"),
			       false;
		snprintf(it->spec, sizeof(it->spec), "%s", s);
	} else {
		/* STIX 2.0 objects have no spec_version; 2.1 SCOs may omit it */
		snprintf(it->spec, sizeof(it->spec), "%s",
		         json_object_get(o, "created") ? "2.0" : "2.1");
	}
	ver = json_object_get(o, "modified");
	if (ver == NULL)
		ver = json_object_get(o, "created");
	if (ver != NULL) {
		const char *s = json_string_value(ver);

		if (s == NULL || strlen(s) >= sizeof(it->version) ||
		    !taxii_ts_parse(s, strlen(s), &it->version_us))
			return snprintf(it->why, sizeof(it->why),
			                "'modified' or 'created' is not a timestamp"),
			       false;
		snprintf(it->version, sizeof(it->version), "%s", s);
	}
	it->marking = strcmp(type, "marking-definition") == 0;
	refs = json_object_get(o, "object_marking_refs");
	json_array_foreach(refs, k, ref)
	{
		const char *r = json_string_value(ref);
		int rank = r ? taxii_tlp_marking(r) : -1;

		if (r && rank < 0 && json_is_integer(json_object_get(defs, r)))
			rank = (int)json_integer_value(json_object_get(defs, r));
		if (rank > it->tlp)
			it->tlp = rank;
	}
	if ((it->json = json_dumps(o, JSON_COMPACT)) == NULL)
		return snprintf(it->why, sizeof(it->why), "cannot be written"), false;
	return true;
}

enum dt_err taxii_envelope_parse(const char *body, size_t len, struct taxii_envelope *env,
                                 char *why, size_t size)
{
	json_error_t jerr;
	json_t *root, *objs, *o, *defs;
	size_t i;

	memset(env, 0, sizeof(*env));
	root = json_loadb(body, len, 0, &jerr);
	if (root == NULL) {
		snprintf(why, size, "the body is not JSON: line %d: %s", jerr.line, jerr.text);
		return DT_EPARSE;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		snprintf(why, size, "the body is not a TAXII envelope (a JSON object)");
		return DT_EPARSE;
	}
	objs = json_object_get(root, "objects");
	if (objs != NULL && !json_is_array(objs)) {
		json_decref(root);
		snprintf(why, size, "the envelope's 'objects' is not an array");
		return DT_EPARSE;
	}
	if (json_array_size(objs) > TAXII_MAX_POST_OBJS) {
		json_decref(root);
		snprintf(why, size, "more than %d objects in one envelope", TAXII_MAX_POST_OBJS);
		return DT_ELIMIT;
	}
	if (json_array_size(objs) &&
	    (env->items = calloc(json_array_size(objs), sizeof(*env->items))) == NULL) {
		json_decref(root);
		return DT_ENOMEM;
	}
	/* TLP marking definitions the envelope carries itself */
	defs = json_object();
	json_array_foreach(objs, i, o)
	{
		const char *t = json_string_value(json_object_get(o, "type"));
		const char *id = json_string_value(json_object_get(o, "id"));
		int r;

		if (t && id && strcmp(t, "marking-definition") == 0 && (r = defined_tlp(o)) >= 0)
			json_object_set_new(defs, id, json_integer(r));
	}
	json_array_foreach(objs, i, o)
	{
		if (!taxii_item_fill(&env->items[i], o, defs)) {
			free(env->items[i].json);
			env->items[i].json = NULL;
		}
		env->n++;
	}
	json_decref(defs);
	json_decref(root);
	return DT_OK;
}

void taxii_envelope_release(struct taxii_envelope *env)
{
	for (size_t i = 0; i < env->n; i++)
		free(env->items[i].json);
	free(env->items);
	env->items = NULL;
	env->n = 0;
}
