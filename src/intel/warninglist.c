/*
 * warninglist.c — MISP warning lists (intel/intel.h): lists of values
 * known to be benign or special (RFC 1918 space, public resolvers, cloud
 * ranges, top sites), which MISP uses to flag false positives.
 *
 * The format (MISP/misp-warninglists, lists/<name>/list.json and its JSON
 * schema): one object with "name", "version", "description", "type" —
 * one of cidr, hostname, string, substring, regex — "list", an array of
 * strings, and "matching_attributes", the MISP attribute types the list
 * applies to (absent or empty: all of them).
 *
 * Every entry becomes a benign indicator of one atom (path = the list's
 * type) with labels and name = the list's name:
 *   cidr      IT_IP; an entry that is not an address or CIDR is rejected;
 *   hostname  IT_DOMAIN; MISP matches a hostname list as a suffix, and its
 *             lists often write that as a leading dot (".dyndns.org"); one
 *             leading dot is dropped, since detente's domain matching is
 *             by parent domain anyway;
 *   string    IT_IP when the entry is an address or CIDR, IT_DOMAIN when it
 *             looks like a domain name and the list applies to
 *             domain/hostname/url attributes, else IT_OTHER (kept, with
 *             the reason that it is not evaluated);
 *   substring, regex  IT_OTHER with "warning list of type 'T' is not
 *             evaluated".
 * A non-string or empty entry is rejected with its line.  The record
 * number of an entry is the line it starts on.  JSON is read with
 * core/jscan.h (one pass, no tree); strings handed to the sink are slices
 * of the input or of the scanner's decoded-string buffer.
 *
 * Input that is not a JSON object with a "list" array and a string "type"
 * is refused with DT_EFORMAT, as is an unknown type.
 */
#include <stdio.h>
#include <string.h>

#include "core/ip.h"
#include "core/jscan.h"
#include "intel/intel.h"

/* The line of byte offset off, counting forward from the last answer. */
struct lines {
	const char *data;
	size_t off;
	unsigned long line;
};

static unsigned long line_at(struct lines *l, size_t off)
{
	if (off < l->off) {
		l->off = 0;
		l->line = 1;
	}
	while (l->off < off) {
		const char *nl = memchr(l->data + l->off, '\n', off - l->off);

		if (nl == NULL)
			break;
		l->line++;
		l->off = (size_t)(nl - l->data) + 1;
	}
	return l->line;
}

enum wl_type { WL_CIDR, WL_HOSTNAME, WL_STRING, WL_SUBSTRING, WL_REGEX };

static bool slice_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Letters, digits, hyphens, underscores and dots, at least one letter. */
static bool looks_like_domain(const char *s, size_t n)
{
	bool letter = false;

	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
			letter = true;
		else if (!((ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
			return false;
		if (ch == '.' && i + 1 < n && s[i + 1] == '.')
			return false;
	}
	return letter;
}

/* Whether the list applies to domain-like attributes. */
static bool for_domains(struct js_doc *js, int ma)
{
	const char *s;
	size_t n;
	bool any = false;

	if (js_type(js, ma) != JS_ARRAY)
		return true;
	for (int t = ma + 1; t < js->t[ma].next; t = js->t[t].next) {
		if (!js_str(js, t, &s, &n))
			continue;
		any = true;
		if (memmem(s, n, "domain", 6) || memmem(s, n, "hostname", 8) ||
		    slice_eq(s, n, "url") || slice_eq(s, n, "uri") || slice_eq(s, n, "link"))
			return true;
	}
	return !any;
}

enum dt_err intel_parse_warninglist(const char *name, const char *data, size_t len,
                                    const struct intel_sink *k, struct intel_counts *c,
                                    struct dt_diag *diag)
{
	static const char *const keys[] = {"name", "type", "list", "matching_attributes"};
	static const char *const types[] = {"cidr", "hostname", "string", "substring", "regex"};
	struct js_doc js;
	struct lines lines = {data, 0, 1};
	int v[4];
	const char *s, *tname = NULL;
	size_t n, tlen = 0;
	struct dt_str lname = {"", 0};
	enum wl_type wt = WL_CIDR;
	bool domains, known = false;
	struct intel_atom a;
	struct intel_indicator in;
	enum dt_err err = DT_OK;

	js_init(&js);
	if (!js_parse(&js, data, len)) {
		dt_diag_set(diag, name, 0, "not a MISP warning list: not JSON (%s at byte %zu)",
		            js.err, js.err_col);
		err = DT_EFORMAT;
		goto out;
	}
	js_pick(&js, 0, keys, 4, v);
	if (js_type(&js, 0) != JS_OBJECT || js_type(&js, v[2]) != JS_ARRAY ||
	    !js_str(&js, v[1], &tname, &tlen)) {
		dt_diag_set(
		    diag, name, 0,
		    "not a MISP warning list: expected an object with \"type\" and \"list\"");
		err = DT_EFORMAT;
		goto out;
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
		if (slice_eq(tname, tlen, types[i])) {
			wt = (enum wl_type)i;
			known = true;
		}
	if (!known) {
		dt_diag_set(diag, name, line_at(&lines, js.t[v[1]].start),
		            "warning list type '%.*s' is not one of cidr, hostname, string, "
		            "substring, regex",
		            (int)(tlen > 40 ? 40 : tlen), tname);
		err = DT_EFORMAT;
		goto out;
	}
	if (js_str(&js, v[0], &s, &n))
		lname = (struct dt_str){s, n};
	domains = for_domains(&js, v[3]);

	memset(&a, 0, sizeof(a));
	a.path = (struct dt_str){tname, tlen};
	memset(&in, 0, sizeof(in));
	in.id = in.description = in.pattern = in.valid_from = in.valid_until = in.tlp =
	    (struct dt_str){"", 0};
	in.name = in.labels = lname;
	in.score = -1;
	in.benign = true;
	in.mode = IM_ANY;
	in.atoms = &a;
	in.natoms = 1;
	for (int t = v[2] + 1; t < js.t[v[2]].next; t = js.t[t].next) {
		unsigned long line = line_at(&lines, js.t[t].start);
		struct dt_prefix p;
		struct dt_diag d;

		if (c)
			c->records++;
		if (!js_str(&js, t, &s, &n) || n == 0) {
			if (c)
				c->rejected++;
			if (k->warn) {
				dt_diag_set(&d, name, line,
				            "warning list entry is not a non-empty string");
				k->warn(k->ctx, &d);
			}
			continue;
		}
		in.unsupported = NULL;
		switch (wt) {
		case WL_CIDR:
			if (dt_prefix_parse(s, n, &p, NULL)) {
				if (c)
					c->rejected++;
				if (k->warn) {
					dt_diag_set(
					    &d, name, line,
					    "warning list entry '%.*s' is not an address or CIDR",
					    (int)(n > 60 ? 60 : n), s);
					k->warn(k->ctx, &d);
				}
				continue;
			}
			a.type = IT_IP;
			break;
		case WL_HOSTNAME:
			if (n > 1 && s[0] == '.') {
				s++;
				n--;
			}
			a.type = IT_DOMAIN;
			break;
		case WL_STRING:
			if (dt_prefix_parse(s, n, &p, NULL) == DT_OK) {
				a.type = IT_IP;
			} else if (domains && looks_like_domain(s, n)) {
				a.type = IT_DOMAIN;
			} else {
				a.type = IT_OTHER;
				in.unsupported =
				    "warning list string that is neither a domain nor an "
				    "address is not evaluated";
			}
			break;
		case WL_SUBSTRING:
			a.type = IT_OTHER;
			in.unsupported = "warning list of type 'substring' is not evaluated";
			break;
		case WL_REGEX:
			a.type = IT_OTHER;
			in.unsupported = "warning list of type 'regex' is not evaluated";
			break;
		}
		a.value = (struct dt_str){s, n};
		in.record = line;
		if (k->indicator && (err = k->indicator(k->ctx, &in))) {
			dt_diag_set(diag, name, line, "%s", dt_strerror(err));
			goto out;
		}
	}
out:
	js_release(&js);
	return err;
}
