/*
 * iprep.c — Suricata IP-reputation lists and their categories files
 * (intel/intel.h).
 *
 * The format (Suricata User Guide, "IP Reputation Format"):
 *
 *   categories file (reputation-categories-file), one category a line:
 *     <id>,<short name>,<description>     e.g. 1,BadHosts,Known bad hosts
 *   id 1..60, short name up to 32 bytes (Suricata's SREP_SHORTNAME_LEN);
 *   the description is the rest of the line and may hold commas.
 *
 *   reputation list (reputation-files), one row a line:
 *     <ip>,<category>,<reputation score>  e.g. 1.2.3.4,1,101
 *   ip an IPv4 or IPv6 address or a CIDR, category an id of the
 *   categories file, score 0..127 (how confident the producer is that the
 *   address belongs to the category).
 *
 * In both, '#' starts a comment line and blank lines are skipped; we also
 * allow spaces around fields and a CRLF line end.  Each row becomes one
 * IT_IP indicator of one atom (path "iprep"), labels = the category's short
 * name (its number when no categories file is given), name = "iprep
 * <label>", score = the score.  Rows with a bad address, a category out of
 * 1..60 or not in the categories file, or a bad score are rejected with
 * their line; so are bad or repeated lines of the categories file.
 *
 * The input is refused (DT_EFORMAT) when its first data line does not have
 * the shape "x,<digits>,<digits>" (a list) or "<digits>,x,y" (a categories
 * file).  Lines are found with memchr; nothing is allocated.  Strings
 * handed to the sink point into the inputs or into this call's stack.
 */
#include <stdio.h>
#include <string.h>

#include "core/ip.h"
#include "intel/intel.h"

#define IPREP_MAX_CATS 60
#define IPREP_MAX_NAME 32

struct cat {
	const char *name; /* NULL: undefined */
	size_t len;
};

struct ctx {
	const char *name;
	unsigned long line;
	const struct intel_sink *k;
	struct intel_counts *c;
};

static void reject(struct ctx *x, const char *fmt, const char *v, size_t n)
{
	struct dt_diag d;
	char what[100];

	if (x->c)
		x->c->rejected++;
	if (x->k->warn == NULL)
		return;
	snprintf(what, sizeof(what), "%.*s", (int)(n > 60 ? 60 : n), v ? v : "");
	dt_diag_clear(&d);
	dt_diag_set(&d, x->name, x->line, fmt, what);
	x->k->warn(x->k->ctx, &d);
}

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* Splits s[0..n) at its first k-1 commas into k trimmed fields (the last
 * one takes the rest).  False when there are fewer commas. */
static bool split(const char *s, size_t n, int k, const char **f, size_t *fn)
{
	const char *end = s + n;

	for (int i = 0; i < k; i++) {
		const char *comma = i + 1 < k ? memchr(s, ',', (size_t)(end - s)) : NULL;

		if (i + 1 < k && comma == NULL)
			return false;
		f[i] = s;
		fn[i] = (size_t)((comma ? comma : end) - s);
		trim(&f[i], &fn[i]);
		if (comma)
			s = comma + 1;
	}
	return true;
}

/* A decimal number of 1..4 digits, or -1. */
static int num(const char *s, size_t n)
{
	int v = 0;

	if (n == 0 || n > 4)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The next line of data[*i..len): its text (without \r\n) and length; false at the end. */
static bool next_line(const char *data, size_t len, size_t *i, const char **s, size_t *n)
{
	const char *nl;

	if (*i >= len)
		return false;
	*s = data + *i;
	nl = memchr(*s, '\n', len - *i);
	*n = nl ? (size_t)(nl - *s) : len - *i;
	*i += *n + (nl != NULL);
	if (*n > 0 && (*s)[*n - 1] == '\r')
		(*n)--;
	return true;
}

static bool blank_or_comment(const char *s, size_t n)
{
	trim(&s, &n);
	return n == 0 || s[0] == '#';
}

bool intel_is_iprep_categories(const char *data, size_t len)
{
	size_t i = 0, n;
	const char *s, *f[3];
	size_t fn[3];
	int seen = 0, good = 0;

	/* the first data line and most of the first few: a file with a
	 * few bad lines is still a categories file */
	while (seen < 8 && next_line(data, len, &i, &s, &n)) {
		bool ok;

		if (blank_or_comment(s, n))
			continue;
		if (i >= len && seen > 0 && data[len - 1] != '\n')
			break; /* a cut last line of a sample: not evidence */
		ok = split(s, n, 3, f, fn) && all_digits(f[0], fn[0]) && fn[1] > 0 && fn[2] > 0 &&
		     !(all_digits(f[1], fn[1]) && all_digits(f[2], fn[2]));
		if (seen++ == 0 && !ok)
			return false;
		good += ok;
	}
	return seen > 0 && 2 * good > seen;
}

static enum dt_err parse_cats(const char *name, const char *data, size_t len,
                              const struct intel_sink *k, struct intel_counts *c, struct cat *cats,
                              struct dt_diag *diag)
{
	struct ctx x = {.name = name, .k = k, .c = c};
	size_t i = 0, n;
	const char *s, *f[3];
	size_t fn[3];
	bool first = true;

	while (next_line(data, len, &i, &s, &n)) {
		int id;

		x.line++;
		if (blank_or_comment(s, n)) {
			if (c && n > 0)
				c->ignored++;
			continue;
		}
		if (!split(s, n, 3, f, fn) || (id = num(f[0], fn[0])) < 0) {
			if (first) {
				dt_diag_set(diag, name, x.line,
				            "not a Suricata iprep categories file: expected "
				            "'id,short name,description'");
				return DT_EFORMAT;
			}
			reject(&x, "category line is not 'id,short name,description': '%s'", s, n);
			continue;
		}
		first = false;
		if (id < 1 || id > IPREP_MAX_CATS) {
			reject(&x, "category id '%s' is not 1..60", f[0], fn[0]);
			continue;
		}
		if (fn[1] == 0 || fn[1] > IPREP_MAX_NAME) {
			reject(&x, "category short name '%s' is empty or longer than 32 bytes",
			       f[1], fn[1]);
			continue;
		}
		if (fn[2] == 0) {
			reject(&x, "category '%s' has no description", f[1], fn[1]);
			continue;
		}
		if (cats[id].name) {
			reject(&x, "category id '%s' is defined twice", f[0], fn[0]);
			continue;
		}
		cats[id].name = f[1];
		cats[id].len = fn[1];
	}
	return DT_OK;
}

enum dt_err intel_parse_iprep_cats(const char *name, const char *data, size_t len,
                                   const char *cats_name, const char *cats_data, size_t cats_len,
                                   const struct intel_sink *k, struct intel_counts *c,
                                   struct dt_diag *diag)
{
	struct cat cats[IPREP_MAX_CATS + 1];
	struct ctx x = {.name = name, .k = k, .c = c};
	size_t i = 0, n;
	const char *s, *f[3];
	size_t fn[3];
	bool first = true;
	char iname[8 + IPREP_MAX_NAME];
	struct intel_atom a;
	struct intel_indicator in;
	enum dt_err err;

	memset(cats, 0, sizeof(cats));
	if (cats_data) {
		err = parse_cats(cats_name ? cats_name : "categories", cats_data, cats_len, k, c,
		                 cats, diag);
		if (err)
			return err;
	}
	memset(&a, 0, sizeof(a));
	a.type = IT_IP;
	a.path = (struct dt_str){"iprep", 5};
	memset(&in, 0, sizeof(in));
	in.id = in.description = in.pattern = in.valid_from = in.valid_until = in.tlp =
	    (struct dt_str){"", 0};
	in.mode = IM_ANY;
	in.atoms = &a;
	in.natoms = 1;
	while (next_line(data, len, &i, &s, &n)) {
		struct dt_prefix p;
		int cat, score;

		x.line++;
		if (blank_or_comment(s, n)) {
			if (c && n > 0)
				c->ignored++;
			continue;
		}
		if (first && (!split(s, n, 3, f, fn) || !all_digits(f[1], fn[1]) ||
		              !all_digits(f[2], fn[2]))) {
			dt_diag_set(diag, name, x.line,
			            "not a Suricata iprep list: expected 'ip,category,score'");
			return DT_EFORMAT;
		}
		first = false;
		if (c)
			c->records++;
		if (!split(s, n, 3, f, fn)) {
			reject(&x, "row is not 'ip,category,score': '%s'", s, n);
			continue;
		}
		cat = num(f[1], fn[1]);
		if (cat < 1 || cat > IPREP_MAX_CATS) {
			reject(&x, "category '%s' is not 1..60", f[1], fn[1]);
			continue;
		}
		if (cats_data && cats[cat].name == NULL) {
			reject(&x, "category '%s' is not in the categories file", f[1], fn[1]);
			continue;
		}
		score = num(f[2], fn[2]);
		if (score < 0 || score > 127) {
			reject(&x, "score '%s' is not 0..127", f[2], fn[2]);
			continue;
		}
		if (dt_prefix_parse(f[0], fn[0], &p, NULL)) {
			reject(&x, "'%s' is not an IP address or CIDR", f[0], fn[0]);
			continue;
		}
		a.value = (struct dt_str){f[0], fn[0]};
		in.record = x.line;
		in.labels = cats_data ? (struct dt_str){cats[cat].name, cats[cat].len}
		                      : (struct dt_str){f[1], fn[1]};
		in.name.p = iname;
		in.name.len = (size_t)snprintf(iname, sizeof(iname), "iprep %.*s",
		                               (int)in.labels.len, in.labels.p);
		if (in.name.len >= sizeof(iname))
			in.name.len = sizeof(iname) - 1;
		in.score = score;
		if (k->indicator && (err = k->indicator(k->ctx, &in))) {
			dt_diag_set(diag, name, x.line, "%s", dt_strerror(err));
			return err;
		}
	}
	return DT_OK;
}

enum dt_err intel_parse_iprep(const char *name, const char *data, size_t len,
                              const struct intel_sink *k, struct intel_counts *c,
                              struct dt_diag *diag)
{
	return intel_parse_iprep_cats(name, data, len, NULL, NULL, 0, k, c, diag);
}
