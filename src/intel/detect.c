/*
 * detect.c — which intel format a file is (intel/intel.h), from its first
 * bytes, and the importer of each format name.
 *
 * JSON formats are told apart by the members of the top-level value,
 * found by a shallow scan that tolerates a cut (the caller may pass only
 * the head of a file) and looks at most at DETECT_JSON_MAX bytes:
 *   misp         {"Event": ...}, {"response": ...}, or [{"Event": ...}, ...]
 *                (MISP core format, REST and feed exports);
 *   stix         "type": "bundle", or a STIX object ("type" with
 *                "spec_version"), or "objects" whose first element is one
 *                (STIX 2.1 §8 bundles; members may come in any order);
 *   misp-galaxy  a "values" array beside "type", "uuid", "name" or
 *                "authors" (misp-galaxy clusters/<name>.json);
 *   warninglist  a "list" array beside "type", "matching_attributes",
 *                "version", "name" or "description" (misp-warninglists;
 *                its keys are sorted, so a long "list" hides "type");
 *   misp-feed    an object whose first member name is a UUID holding an
 *                object (a feed's manifest.json).
 * Text formats, from the first lines (at most DETECT_TEXT_MAX bytes; a
 * cut last line is not counted):
 *   zeek         a "#fields" line naming indicator and indicator_type
 *                (Zeek Intel framework); a "#separator" line alone, with
 *                no "#fields" in sight, too;
 *   iprep-categories  "id,short name,description" lines;
 *   iprep        "address-or-CIDR,number,number" lines (Suricata).
 */
#include <string.h>

#include "core/hex.h"
#include "core/ip.h"
#include "intel/intel.h"

#define DETECT_JSON_MAX (1u << 20)
#define DETECT_TEXT_MAX (64u << 10)
#define DETECT_LINES    8

/* What the members of one JSON object say. */
struct members {
	bool event, response, type, bundle, spec_version, id_stix, uuid, values, list, matching,
	    version, named, objects_stix;
	bool first_uuid_obj; /* the first member: a UUID name holding an object */
	int n;
};

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* s[i] is '"': the index after the closing quote (n when cut). */
static size_t skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

static size_t skip_value(const char *s, size_t n, size_t i)
{
	int depth = 0;

	if (i >= n)
		return n;
	if (s[i] == '"')
		return skip_string(s, n, i);
	if (s[i] != '{' && s[i] != '[') {
		while (i < n && !strchr(",}] \t\r\n", s[i]))
			i++;
		return i;
	}
	for (; i < n; i++) {
		if (s[i] == '"') {
			i = skip_string(s, n, i) - 1;
		} else if (s[i] == '{' || s[i] == '[') {
			depth++;
		} else if (s[i] == '}' || s[i] == ']') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return n;
}

static bool is_uuid(const char *s, size_t n)
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (dt_hex_digit(s[i]) < 0) {
			return false;
		}
	}
	return true;
}

#define KEY(lit) (kn == sizeof(lit) - 1 && memcmp(k, lit, kn) == 0)

/* s[i] is '{': reads its members into m (nested objects: only the first
 * element of "objects", for STIX). */
static void scan_object(const char *s, size_t n, size_t i, struct members *m, int level)
{
	memset(m, 0, sizeof(*m));
	i = skip_ws(s, n, i + 1);
	while (i < n && s[i] == '"') {
		const char *k = s + i + 1;
		size_t end = skip_string(s, n, i), kn, v;

		if (end >= n)
			return;
		kn = end - i - 2;
		v = skip_ws(s, n, end);
		if (v >= n || s[v] != ':')
			return;
		v = skip_ws(s, n, v + 1);
		if (v >= n)
			return;
		if (m->n++ == 0)
			m->first_uuid_obj = is_uuid(k, kn) && s[v] == '{';
		if (KEY("Event"))
			m->event = true;
		else if (KEY("response"))
			m->response = true;
		else if (KEY("type")) {
			m->type = true;
			m->bundle = n - v >= 8 && memcmp(s + v, "\"bundle\"", 8) == 0;
		} else if (KEY("spec_version"))
			m->spec_version = true;
		else if (KEY("id"))
			m->id_stix = s[v] == '"' && memmem(s + v, skip_value(s, n, v) - v, "--", 2);
		else if (KEY("uuid"))
			m->uuid = true;
		else if (KEY("values"))
			m->values = s[v] == '[';
		else if (KEY("list"))
			m->list = s[v] == '[';
		else if (KEY("matching_attributes"))
			m->matching = true;
		else if (KEY("version"))
			m->version = true;
		else if (KEY("name") || KEY("description") || KEY("authors"))
			m->named = true;
		else if (KEY("objects") && s[v] == '[' && level == 0) {
			size_t e = skip_ws(s, n, v + 1);
			struct members o;

			if (e < n && s[e] == '{') {
				scan_object(s, n, e, &o, level + 1);
				m->objects_stix = o.spec_version || (o.type && o.id_stix);
			}
		}
		i = skip_ws(s, n, skip_value(s, n, v));
		if (i < n && s[i] == ',')
			i = skip_ws(s, n, i + 1);
		else
			return;
	}
}

static const char *detect_json(const char *s, size_t n, size_t i)
{
	struct members m;

	if (s[i] == '[') {
		i = skip_ws(s, n, i + 1);
		if (i < n && s[i] == '{') {
			scan_object(s, n, i, &m, 1);
			if (m.event)
				return "misp";
		}
		return NULL;
	}
	scan_object(s, n, i, &m, 0);
	if (m.event || m.response)
		return "misp";
	if (m.bundle || (m.type && m.spec_version) || m.objects_stix)
		return "stix";
	if (m.values && (m.type || m.uuid || m.named))
		return "misp-galaxy";
	if (m.list && (m.type || m.matching || m.version || m.named))
		return "warninglist";
	if (m.first_uuid_obj)
		return "misp-feed";
	return NULL;
}

/* Whether line s[0..n) is "address-or-CIDR,digits,digits". */
static bool iprep_row(const char *s, size_t n)
{
	const char *c1 = memchr(s, ',', n), *c2;
	struct dt_prefix p;

	if (c1 == NULL || (c2 = memchr(c1 + 1, ',', (size_t)(s + n - c1 - 1))) == NULL)
		return false;
	if (dt_prefix_parse(s, (size_t)(c1 - s), &p, NULL))
		return false;
	for (const char *q = c1 + 1; q < s + n; q++)
		if (q != c2 && (*q < '0' || *q > '9'))
			return false;
	return c2 > c1 + 1 && c2 + 1 < s + n;
}

static const char *detect_text(const char *s, size_t n)
{
	size_t i = 0;
	int seen = 0, rows = 0;
	bool separator = false;

	if (n > DETECT_TEXT_MAX)
		n = DETECT_TEXT_MAX;
	while (i < n && seen < DETECT_LINES) {
		const char *l = s + i, *nl = memchr(l, '\n', n - i);
		size_t ln = nl ? (size_t)(nl - l) : n - i;

		if (nl == NULL && i > 0)
			break; /* a cut line */
		i += ln + 1;
		if (ln > 0 && l[ln - 1] == '\r')
			ln--;
		if (ln == 0)
			continue;
		if (l[0] == '#') {
			if (ln >= 10 && memcmp(l, "#separator", 10) == 0)
				separator = true;
			if (ln > 8 && memcmp(l, "#fields", 7) == 0 &&
			    (l[7] == '\t' || l[7] == ' ')) {
				bool ind = false, type = false;

				for (size_t a = 8; a < ln;) {
					const char *t = memchr(l + a, l[7], ln - a);
					size_t fn = (size_t)((t ? t : l + ln) - (l + a));

					ind |= fn == 9 && memcmp(l + a, "indicator", 9) == 0;
					type |=
					    fn == 14 && memcmp(l + a, "indicator_type", 14) == 0;
					a += fn + 1;
				}
				return ind && type ? "zeek" : NULL;
			}
			continue;
		}
		if (separator)
			return NULL; /* a Zeek log of another kind */
		/* the first row and most of the first few (a list with a few
		 * bad rows is still a list) */
		if (iprep_row(l, ln))
			rows++;
		else if (seen == 0)
			break;
		seen++;
	}
	if (separator)
		return "zeek";
	if (rows > 0 && 2 * rows > seen)
		return "iprep";
	if (intel_is_iprep_categories(s, n))
		return "iprep-categories";
	return NULL;
}

const char *intel_detect(const char *data, size_t len)
{
	size_t i = 0;

	if (data == NULL || len == 0)
		return NULL;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	i = skip_ws(data, len, 0);
	if (i < len && (data[i] == '{' || data[i] == '['))
		return detect_json(data, len < DETECT_JSON_MAX ? len : DETECT_JSON_MAX, i);
	return detect_text(data, len);
}

intel_parse_fn *intel_format(const char *name)
{
	static const struct {
		const char *name;
		intel_parse_fn *fn;
	} fmts[] = {
	    {"stix", intel_parse_stix},
	    {"misp", intel_parse_misp},
	    {"misp-galaxy", intel_parse_misp_galaxy},
	    {"zeek", intel_parse_zeek},
	    {"iprep", intel_parse_iprep},
	    {"warninglist", intel_parse_warninglist},
	};

	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(fmts) / sizeof(*fmts); i++)
		if (strcmp(name, fmts[i].name) == 0)
			return fmts[i].fn;
	return NULL;
}
