/*
 * stix.c — STIX 2.1 bundles (or one bare STIX object) as intel records.
 *
 * STIX 2.1 (OASIS CS02) facts relied on:
 *   - a bundle is {"type": "bundle", "id": ..., "objects": [...]} (§8),
 *     "objects" optional; every object has "type" and "id", the id being
 *     "<type>--<UUID>" (§2.9);
 *   - indicators (§4.7) carry "pattern" in "pattern_type" ("stix" when
 *     absent, as in STIX 2.0 content), "valid_from", "valid_until",
 *     "indicator_types" (2.0: "labels"), "confidence" (0-100, §3.2);
 *   - SROs of type "relationship" (§5.1) have "relationship_type",
 *     "source_ref" and "target_ref";
 *   - data markings (§7.2): "object_marking_refs" lists marking-definition
 *     ids.  TLP 1.0 has four fixed ids (§7.2.1.4) and TLP 2.0 five (the
 *     FIRST TLP 2.0 extension, extension-definition--60a3c5c5-0d10-413e-
 *     aab3-9e08dde9e88d); a bundle may also define its own, with
 *     "definition_type": "tlp" and "definition": {"tlp": "green"} (1.0) or
 *     the extension's "tlp_2_0": "amber+strict" (2.0).  TLP 1.0 WHITE is
 *     TLP 2.0 CLEAR.  Of several TLP markings the most restrictive wins.
 *
 * The whole text is validated and tokenized once by core/jscan.h (no tree
 * of allocated nodes, so a bundle of a few hundred megabytes costs its
 * token array).  Pass one collects the bundle's TLP marking definitions;
 * pass two hands each object over in file order: indicators (the pattern
 * reduced by intel/pattern.h), the SDOs detente names matches after
 * (intrusion-set, campaign, threat-actor, identity, location, malware,
 * tool, infrastructure, attack-pattern, vulnerability, course-of-action,
 * report), and relationships — references to objects missing from the
 * bundle are passed through, the driver reports them.  Every other object
 * (SCOs, observed-data, sightings, markings, extension definitions,
 * custom x- types) is counted as ignored.
 *
 * The record number (and a warning's line) is the line where the object
 * starts, counted incrementally.  An element that is not an object with
 * a "type" and an "id" is reported and rejected; an indicator whose
 * pattern does not parse is reported *and* still handed over, with the
 * reason as its `unsupported`, so that nothing disappears silently.
 *
 * Ownership: every string handed to the sink points into the input, the
 * scanner's decoded strings or this call's buffers, and dies with the call.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jscan.h"
#include "core/strbuf.h"
#include "intel/intel.h"
#include "intel/pattern.h"

enum tlp { TLP_NONE, TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED };

static const char *const tlp_names[] = {"", "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};

/* The marking definitions every STIX producer refers to without defining. */
static const struct {
	const char *id;
	enum tlp tlp;
} known_tlp[] = {
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", TLP_CLEAR}, /* 1.0 white */
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5a41da", TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TLP_RED},
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", TLP_CLEAR}, /* 2.0 */
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", TLP_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", TLP_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", TLP_AMBER_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", TLP_RED},
};

/* The SDO types handed over as objects. */
static const char *const sdo_types[] = {
    "intrusion-set",    "campaign", "threat-actor",   "identity",       "location",
    "malware",          "tool",     "infrastructure", "attack-pattern", "vulnerability",
    "course-of-action", "report",
};

/* The members read, in one pass over each object (js_pick). */
enum {
	F_TYPE,
	F_ID,
	F_NAME,
	F_DESCRIPTION,
	F_PATTERN,
	F_PATTERN_TYPE,
	F_VALID_FROM,
	F_VALID_UNTIL,
	F_INDICATOR_TYPES,
	F_LABELS,
	F_CONFIDENCE,
	F_MARKINGS,
	F_ALIASES,
	F_COUNTRY,
	F_REL_TYPE,
	F_SOURCE,
	F_TARGET,
	F_DEF_TYPE,
	F_DEFINITION,
	F_EXTENSIONS,
	F_N
};
static const char *const fields[F_N] = {
    "type",        "id",          "name",
    "description", "pattern",     "pattern_type",
    "valid_from",  "valid_until", "indicator_types",
    "labels",      "confidence",  "object_marking_refs",
    "aliases",     "country",     "relationship_type",
    "source_ref",  "target_ref",  "definition_type",
    "definition",  "extensions",
};

/* A bundle's own TLP marking definition. */
struct mark {
	const char *id;
	size_t len;
	enum tlp tlp;
};

struct st {
	const char *name, *data;
	size_t len;
	const struct intel_sink *k;
	struct intel_counts *c;
	struct js_doc js;
	struct pattern pat;
	struct strbuf labels, aliases;
	struct mark *marks;
	size_t nmarks, cap;
	size_t pos;         /* newlines counted up to here */
	unsigned long line; /* ... the line at pos */
	int f[F_N];
	char why[320];
};

static struct dt_str str(struct st *s, int t)
{
	struct dt_str v = {"", 0};

	if (!js_str(&s->js, t, &v.p, &v.len)) {
		v.p = "";
		v.len = 0;
	}
	return v;
}

static bool is(struct dt_str v, const char *lit)
{
	return v.len == strlen(lit) && memcmp(v.p, lit, v.len) == 0;
}

static void warn(struct st *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct st *s, const char *fmt, ...)
{
	struct dt_diag d;
	va_list ap;
	char msg[sizeof(d.msg)];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dt_diag_set(&d, s->name, s->line, "%s", msg);
	if (s->k->warn)
		s->k->warn(s->k->ctx, &d);
}

/* The line of byte offset `at` (offsets only grow from call to call). */
static unsigned long line_of(struct st *s, size_t at)
{
	while (s->pos < at) {
		const char *nl = memchr(s->data + s->pos, '\n', at - s->pos);

		if (nl == NULL) {
			s->pos = at;
			break;
		}
		s->line++;
		s->pos = (size_t)(nl - s->data) + 1;
	}
	return s->line;
}

/* ---- TLP -------------------------------------------------------------- */

static enum tlp tlp_word(struct dt_str v)
{
	char w[16];

	if (v.len == 0 || v.len >= sizeof(w))
		return TLP_NONE;
	for (size_t i = 0; i < v.len; i++)
		w[i] = (char)(v.p[i] >= 'A' && v.p[i] <= 'Z' ? v.p[i] + 32 : v.p[i]);
	w[v.len] = '\0';
	if (strcmp(w, "white") == 0 || strcmp(w, "clear") == 0)
		return TLP_CLEAR;
	if (strcmp(w, "green") == 0)
		return TLP_GREEN;
	if (strcmp(w, "amber") == 0)
		return TLP_AMBER;
	if (strcmp(w, "amber+strict") == 0)
		return TLP_AMBER_STRICT;
	if (strcmp(w, "red") == 0)
		return TLP_RED;
	return TLP_NONE;
}

/* The TLP level a marking-definition object defines, or TLP_NONE. */
static enum tlp marking_tlp(struct st *s)
{
	struct js_doc *d = &s->js;
	int ext = s->f[F_EXTENSIONS];

	if (is(str(s, s->f[F_DEF_TYPE]), "tlp")) {
		enum tlp t = tlp_word(str(s, js_get(d, s->f[F_DEFINITION], "tlp")));

		if (t != TLP_NONE)
			return t;
	}
	if (js_type(d, ext) == JS_OBJECT) {
		for (int i = ext + 1; i < d->t[ext].next; i = d->t[i + 1].next) {
			enum tlp t = tlp_word(str(s, js_get(d, i + 1, "tlp_2_0")));

			if (t != TLP_NONE)
				return t;
		}
	}
	return TLP_NONE;
}

static int mark_cmp(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->id, y->id, n);

	return r ? r : (x->len > y->len) - (x->len < y->len);
}

static enum tlp lookup_tlp(struct st *s, struct dt_str id)
{
	struct mark key = {id.p, id.len, TLP_NONE};
	const struct mark *m;

	for (size_t i = 0; i < sizeof(known_tlp) / sizeof(*known_tlp); i++)
		if (is(id, known_tlp[i].id))
			return known_tlp[i].tlp;
	if (s->nmarks == 0)
		return TLP_NONE;
	m = bsearch(&key, s->marks, s->nmarks, sizeof(*s->marks), mark_cmp);
	return m ? m->tlp : TLP_NONE;
}

/* The most restrictive TLP among the object's markings. */
static struct dt_str object_tlp(struct st *s)
{
	struct js_doc *d = &s->js;
	int arr = s->f[F_MARKINGS];
	enum tlp best = TLP_NONE;
	struct dt_str v;

	if (js_type(d, arr) == JS_ARRAY)
		for (int i = arr + 1; i < d->t[arr].next; i = d->t[i].next) {
			enum tlp t = lookup_tlp(s, str(s, i));

			if (t > best)
				best = t;
		}
	v.p = tlp_names[best];
	v.len = strlen(v.p);
	return v;
}

/* Pass one: the bundle's own TLP definitions, sorted by id. */
static enum dt_err collect_marks(struct st *s, int arr)
{
	struct js_doc *d = &s->js;

	for (int i = arr + 1; i < d->t[arr].next; i = d->t[i].next) {
		struct dt_str id;
		enum tlp t;

		if (d->t[i].type != JS_OBJECT)
			continue;
		js_pick(d, i, fields, F_N, s->f);
		if (!is(str(s, s->f[F_TYPE]), "marking-definition"))
			continue;
		id = str(s, s->f[F_ID]);
		t = marking_tlp(s);
		if (id.len == 0 || t == TLP_NONE)
			continue;
		if (s->nmarks == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 16;
			struct mark *m = realloc(s->marks, cap * sizeof(*m));

			if (m == NULL)
				return DT_ENOMEM;
			s->marks = m;
			s->cap = cap;
		}
		s->marks[s->nmarks++] = (struct mark){id.p, id.len, t};
	}
	if (s->nmarks > 1)
		qsort(s->marks, s->nmarks, sizeof(*s->marks), mark_cmp);
	return DT_OK;
}

/* ---- records ---------------------------------------------------------- */

/* The strings of arrays a (and b) joined with commas into out. */
static struct dt_str join(struct st *s, struct strbuf *out, int a, int b)
{
	struct js_doc *d = &s->js;
	int arrs[2] = {a, b};
	struct dt_str v;

	strbuf_reset(out);
	for (int k = 0; k < 2; k++) {
		if (js_type(d, arrs[k]) != JS_ARRAY)
			continue;
		for (int i = arrs[k] + 1; i < d->t[arrs[k]].next; i = d->t[i].next) {
			struct dt_str e = str(s, i);

			if (e.len == 0)
				continue;
			if ((out->len && strbuf_addc(out, ',')) || strbuf_add(out, e.p, e.len))
				break; /* at the buffer's maximum: keep what fits */
		}
	}
	v.p = out->p ? out->p : "";
	v.len = out->len;
	return v;
}

static enum dt_err indicator(struct st *s, struct dt_str id)
{
	struct intel_indicator in;
	struct dt_str ptype = str(s, s->f[F_PATTERN_TYPE]);
	int64_t conf;

	memset(&in, 0, sizeof(in));
	in.record = s->line;
	in.id = id;
	in.name = str(s, s->f[F_NAME]);
	in.description = str(s, s->f[F_DESCRIPTION]);
	in.pattern = str(s, s->f[F_PATTERN]);
	in.valid_from = str(s, s->f[F_VALID_FROM]);
	in.valid_until = str(s, s->f[F_VALID_UNTIL]);
	in.tlp = object_tlp(s);
	in.labels = join(s, &s->labels, s->f[F_INDICATOR_TYPES], s->f[F_LABELS]);
	in.score = js_int(&s->js, s->f[F_CONFIDENCE], &conf) && conf >= 0 && conf <= 100
	               ? (int32_t)conf
	               : -1;
	in.mode = IM_ANY;
	if (s->f[F_PATTERN_TYPE] != JS_NONE && !is(ptype, "stix")) {
		snprintf(s->why, sizeof(s->why), "pattern_type '%.*s' is not evaluated",
		         (int)(ptype.len > 40 ? 40 : ptype.len), ptype.p);
		in.unsupported = s->why;
	} else if (js_type(&s->js, s->f[F_PATTERN]) != JS_STRING) {
		warn(s, "indicator %.*s has no pattern", (int)id.len, id.p);
		in.unsupported = "indicator has no pattern";
	} else {
		struct dt_diag pd;
		enum dt_err err = pattern_parse(&s->pat, in.pattern.p, in.pattern.len, &pd);

		if (err == DT_ENOMEM)
			return err;
		if (err) {
			warn(s, "indicator %.*s: pattern column %lu: %s", (int)id.len, id.p, pd.col,
			     pd.msg);
			snprintf(s->why, sizeof(s->why),
			         "pattern syntax error at column %lu: %.200s", pd.col, pd.msg);
			in.unsupported = s->why;
		} else {
			in.unsupported = s->pat.unsupported;
			in.mode = s->pat.mode;
			in.atoms = s->pat.atoms;
			in.natoms = s->pat.natoms;
		}
	}
	return s->k->indicator ? s->k->indicator(s->k->ctx, &in) : DT_OK;
}

static enum dt_err object(struct st *s, struct dt_str type, struct dt_str id)
{
	struct intel_object o;

	memset(&o, 0, sizeof(o));
	o.record = s->line;
	o.id = id;
	o.type = type;
	o.name = str(s, s->f[F_NAME]);
	o.aliases = join(s, &s->aliases, s->f[F_ALIASES], JS_NONE);
	o.country = str(s, s->f[F_COUNTRY]);
	o.tlp = object_tlp(s);
	return s->k->object ? s->k->object(s->k->ctx, &o) : DT_OK;
}

/* A relationship; false (reported) when a required member is missing. */
static enum dt_err relation(struct st *s, struct dt_str id, bool *ok)
{
	struct intel_relation r;
	static const char *const need[] = {"relationship_type", "source_ref", "target_ref"};
	const int f[] = {F_REL_TYPE, F_SOURCE, F_TARGET};
	struct dt_str v[3];

	for (int k = 0; k < 3; k++) {
		v[k] = str(s, s->f[f[k]]);
		if (v[k].len == 0) {
			warn(s, "relationship %.*s has no \"%s\"", (int)id.len, id.p, need[k]);
			*ok = false;
			return DT_OK;
		}
	}
	memset(&r, 0, sizeof(r));
	r.record = s->line;
	r.id = id;
	r.type = v[0];
	r.src = v[1];
	r.dst = v[2];
	*ok = true;
	return s->k->relation ? s->k->relation(s->k->ctx, &r) : DT_OK;
}

/* One element of the bundle (or the lone object). */
static enum dt_err element(struct st *s, int t)
{
	struct js_doc *d = &s->js;
	struct dt_str type, id;
	enum dt_err err = DT_OK;
	bool ok = true;

	line_of(s, d->t[t].start);
	if (d->t[t].type != JS_OBJECT) {
		warn(s, "bundle element is not a JSON object");
		goto rejected;
	}
	js_pick(d, t, fields, F_N, s->f);
	type = str(s, s->f[F_TYPE]);
	id = str(s, s->f[F_ID]);
	if (type.len == 0) {
		warn(s, "object has no \"type\" string");
		goto rejected;
	}
	if (id.len == 0 || memmem(id.p, id.len, "--", 2) == NULL) {
		warn(s, "%.*s object has no valid \"id\" (type--UUID)",
		     (int)(type.len > 64 ? 64 : type.len), type.p);
		goto rejected;
	}
	if (is(type, "indicator")) {
		err = indicator(s, id);
	} else if (is(type, "relationship")) {
		err = relation(s, id, &ok);
		if (!ok)
			goto rejected;
	} else {
		size_t k;

		for (k = 0; k < sizeof(sdo_types) / sizeof(*sdo_types); k++)
			if (is(type, sdo_types[k]))
				break;
		if (k == sizeof(sdo_types) / sizeof(*sdo_types)) {
			if (s->c)
				s->c->ignored++;
			return DT_OK;
		}
		err = object(s, type, id);
	}
	if (s->c)
		s->c->records++;
	return err;
rejected:
	if (s->c) {
		s->c->records++;
		s->c->rejected++;
	}
	return DT_OK;
}

enum dt_err intel_parse_stix(const char *name, const char *data, size_t len,
                             const struct intel_sink *k, struct intel_counts *c,
                             struct dt_diag *diag)
{
	struct st s;
	struct js_doc *d;
	struct dt_str type;
	enum dt_err err = DT_OK;
	int root, arr = JS_NONE;

	memset(&s, 0, sizeof(s));
	s.name = name ? name : "";
	s.data = data;
	s.len = len;
	s.k = k;
	s.c = c;
	s.line = 1;
	js_init(&s.js);
	pattern_init(&s.pat);
	strbuf_init(&s.labels, 1u << 16);
	strbuf_init(&s.aliases, 1u << 16);
	d = &s.js;
	dt_diag_clear(diag);

	if (!js_parse(d, data, len)) {
		size_t at = d->err_col ? d->err_col - 1 : 0;
		unsigned long line;
		size_t bol = 0;

		if (strcmp(d->err, "out of memory") == 0) {
			dt_diag_set(diag, s.name, 0, "%s", dt_strerror(DT_ENOMEM));
			err = DT_ENOMEM;
			goto out;
		}
		if (at > len)
			at = len;
		line = line_of(&s, at);
		for (size_t i = at; i > 0; i--)
			if (data[i - 1] == '\n') {
				bol = i;
				break;
			}
		dt_diag_set(diag, s.name, line, "not STIX: not JSON (column %zu: %s)", at - bol + 1,
		            d->err);
		diag->col = at - bol + 1;
		err = DT_EFORMAT;
		goto out;
	}
	root = 0;
	if (d->t[root].type != JS_OBJECT) {
		dt_diag_set(diag, s.name, 1, "not STIX: not a JSON object");
		err = DT_EFORMAT;
		goto out;
	}
	type = str(&s, js_get(d, root, "type"));
	if (is(type, "bundle")) {
		arr = js_get(d, root, "objects");
		if (arr != JS_NONE && d->t[arr].type != JS_ARRAY) {
			dt_diag_set(diag, s.name, line_of(&s, d->t[arr].start),
			            "not STIX: the bundle's \"objects\" is not an array");
			err = DT_EFORMAT;
			goto out;
		}
	} else if (type.len == 0 || js_type(d, js_get(d, root, "id")) != JS_STRING) {
		dt_diag_set(diag, s.name, 1,
		            "not STIX: neither a bundle nor an object with \"type\" and \"id\"");
		err = DT_EFORMAT;
		goto out;
	}

	if (arr == JS_NONE) {
		/* a lone object: no bundle to define markings in */
		err = element(&s, root);
	} else {
		err = collect_marks(&s, arr);
		for (int i = arr + 1; !err && i < d->t[arr].next; i = d->t[i].next)
			err = element(&s, i);
	}
	if (err)
		dt_diag_set(diag, s.name, s.line, "%s", dt_strerror(err));
out:
	js_release(&s.js);
	pattern_release(&s.pat);
	strbuf_release(&s.labels);
	strbuf_release(&s.aliases);
	free(s.marks);
	return err;
}
