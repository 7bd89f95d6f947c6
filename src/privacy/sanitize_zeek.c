/*
 * sanitize_zeek.c — the derivative of a Zeek log (TSV or JSON), for
 * privacy/sanitize.h.
 *
 * The log is read as ingest/zeek.c reads it (same detection from the first
 * non-blank line, same header directives, same field splitting), and
 * written line for line:
 *
 *   - header lines (#separator, #set_separator, #empty_field,
 *     #unset_field, #path, #open, #fields, #types, #close) byte for byte;
 *     any other '#' line is a comment and is scrubbed;
 *   - a data line field by field, each by its column: a column whose
 *     #types entry is addr (or set/vector of addr) gets privacy_addr, one of
 *     subnet privacy_prefix when the prefix is in a home net; the columns
 *     of the table below by name (host names san_name, users san_user,
 *     secrets privacy_value, URLs san_url: sanitize_util.h); numeric and
 *     bool columns are copied when they look like numbers (T/F), and
 *     scrubbed when not; every other column goes through privacy_scrub, so
 *     that an address or home name in a free-text column is still caught.
 *     Sets and vectors are treated element by element (#set_separator).
 *     The unset ("-") and empty ("(empty)") markers stay.  A line that
 *     the parser rejects for its shape (data before #fields, a wrong
 *     number of fields, cut because overlong) is scrubbed whole and
 *     counted as unparsed;
 *   - a JSON line (Zeek's JSON writer) is re-emitted with the values of
 *     the same field names (flat "id.orig_h" or nested) substituted, keys
 *     and formatting kept (sanitize_util.h, san_json); a line that is not a
 *     JSON object is scrubbed and counted as unparsed.
 *
 * The same values that ingest/zeek.c puts into events get the same
 * treatment as in every other sanitizer: addresses privacy_addr, domain
 * (dns query, http host, ssl server_name) san_name, url (http uri)
 * san_url, everything else it reads (uid, user_agent, ja3, hashes, notice
 * msg, ...) privacy_scrub, which leaves them as they are unless they hold
 * home names or addresses.
 *
 * Memory: per header block, the column plan and the field slices (grown
 * to the widest #fields); per line nothing is allocated (the output buffer
 * and the JSON document grow to the longest line and stay).
 */
#include <stdlib.h>
#include <string.h>

#include "privacy/sanitize.h"
#include "privacy/sanitize_util.h"

#define ZS_MAX_FIELDS 4096 /* as ingest/zeek.c */
#define ZS_MAX_TOKEN  64

/* Column treatments beyond enum san_kind. */
enum {
	C_NUM = SAN_DROP + 1, /* count, int, port, double, time, interval */
	C_BOOL,
	C_INTEL, /* seen.indicator: by seen.indicator_type */
	C_NONE = 255,
};

/* The Zeek field names with a treatment of their own.  log: "" for any
 * log, else only in that #path / _path. */
static const struct {
	const char *name;
	unsigned char kind;
	bool set;
	const char *log;
} by_name[] = {
    /* host names */
    {"query", SAN_NAME, false, ""},
    {"answers", SAN_NAME, true, ""},
    {"host", SAN_NAME, false, ""},
    {"server_name", SAN_NAME, false, ""},
    {"san.dns", SAN_NAME, true, ""},
    {"helo", SAN_NAME, false, ""},
    {"host_name", SAN_NAME, false, ""},
    {"client_fqdn", SAN_NAME, false, ""},
    {"domain", SAN_NAME, false, "dhcp"},
    {"server_dns_computer_name", SAN_NAME, false, ""},
    {"server_tree_name", SAN_NAME, false, ""},
    /* users and mailboxes */
    {"user", SAN_USER, false, ""},
    {"username", SAN_USER, false, ""},
    {"domainname", SAN_USER, false, ""},
    {"hostname", SAN_USER, false, "ntlm"},
    {"client", SAN_USER, false, "kerberos"},
    {"mailfrom", SAN_USER, false, ""},
    {"rcptto", SAN_USER, true, ""},
    {"from", SAN_USER, false, ""},
    {"to", SAN_USER, true, ""},
    {"cc", SAN_USER, true, ""},
    {"reply_to", SAN_USER, false, ""},
    {"email_dest", SAN_USER, true, ""},
    /* secrets and identifiers of the victim's people and machines */
    {"password", SAN_VALUE, false, ""},
    {"cookie", SAN_VALUE, false, ""},
    {"client_name", SAN_VALUE, false, ""},
    {"community", SAN_VALUE, false, ""},
    {"mac", SAN_VALUE, false, ""},
    {"orig_l2_addr", SAN_VALUE, false, ""},
    {"resp_l2_addr", SAN_VALUE, false, ""},
    {"server_nb_computer_name", SAN_VALUE, false, ""},
    /* URLs */
    {"uri", SAN_URL, false, ""},
    {"referrer", SAN_URL, false, ""},
    {"origin", SAN_URL, false, ""},
    {"arg", SAN_URL, false, "ftp"},
    /* intel: the indicator as its type says */
    {"seen.indicator", C_INTEL, false, ""},
};

/* A column's treatment. */
struct col {
	unsigned char kind; /* enum san_kind or C_* */
	bool set;           /* element by element */
};

struct zs {
	struct san s;
	struct strbuf out;
	struct js_doc js;
	const char *name;
	struct dt_diag *diag;
	/* the header block */
	char sep[ZS_MAX_TOKEN], empty[ZS_MAX_TOKEN], unset[ZS_MAX_TOKEN];
	size_t sep_len, empty_len, unset_len;
	char set_sep;
	char log[32];
	bool have_fields;
	size_t nfields, cap;
	unsigned char *nkind; /* [cap] by name (C_NONE: none) */
	bool *nset;           /* [cap] a set by name */
	unsigned char *tkind; /* [cap] by #types (C_NONE: none) */
	bool *tset;           /* [cap] a set or vector by #types */
	struct col *cols;     /* [cap] the plan */
	const char **fp;      /* [cap + 1] field starts of the current line */
	size_t *fl;           /* [cap + 1] field lengths */
	long itype;           /* column of seen.indicator_type, or -1 */
};

static void hdr_defaults(struct zs *z)
{
	z->sep[0] = '\t';
	z->sep_len = 1;
	z->set_sep = ',';
	memcpy(z->empty, "(empty)", 7);
	z->empty_len = 7;
	z->unset[0] = '-';
	z->unset_len = 1;
	z->log[0] = '\0';
	z->have_fields = false;
	z->nfields = 0;
	z->itype = -1;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A header value with \xNN decoded (as ingest/zeek.c); false if too long. */
static bool unescape(const char *s, size_t n, char *out, size_t *out_len)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '\\' && i + 3 < n && s[i + 1] == 'x' && is_hex(s[i + 2]) &&
		    is_hex(s[i + 3])) {
			char hex[3] = {s[i + 2], s[i + 3], '\0'};

			ch = (char)strtoul(hex, NULL, 16);
			i += 3;
		}
		if (o == ZS_MAX_TOKEN)
			return false;
		out[o++] = ch;
	}
	*out_len = o;
	return true;
}

static bool has_word(const char *l, size_t n, const char *word)
{
	size_t k = strlen(word);

	return n >= k && memcmp(l, word, k) == 0 && (n == k || l[k] == ' ' || l[k] == '\t');
}

static bool is_header_start(const char *l, size_t n)
{
	static const char *const words[] = {"#separator",   "#set_separator", "#empty_field",
	                                    "#unset_field", "#path",          "#open",
	                                    "#fields",      "#types"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (has_word(l, n, words[i]))
			return true;
	return false;
}

static const char *find_sep(const struct zs *z, const char *p, const char *end)
{
	if (z->sep_len == 1)
		return memchr(p, z->sep[0], (size_t)(end - p));
	return memmem(p, (size_t)(end - p), z->sep, z->sep_len);
}

/* The treatment of a field name in log (C_NONE: none of its own). */
static unsigned char name_kind(const char *log, const char *f, size_t n, bool *set)
{
	for (size_t i = 0; i < sizeof(by_name) / sizeof(*by_name); i++) {
		if (strlen(by_name[i].name) != n || memcmp(by_name[i].name, f, n) != 0)
			continue;
		if (by_name[i].log[0] && strcmp(by_name[i].log, log) != 0)
			continue;
		*set = by_name[i].set;
		return by_name[i].kind;
	}
	*set = false;
	return C_NONE;
}

/* A #types entry: its treatment (C_NONE: none of its own). */
static unsigned char type_kind(const char *t, size_t n, bool *set)
{
	static const struct {
		const char *type;
		unsigned char kind;
	} types[] = {
	    {"addr", SAN_ADDR}, {"subnet", SAN_SUBNET}, {"count", C_NUM},
	    {"int", C_NUM},     {"port", C_NUM},        {"double", C_NUM},
	    {"time", C_NUM},    {"interval", C_NUM},    {"bool", C_BOOL},
	};

	*set = false;
	if (n > 5 && memcmp(t, "set[", 4) == 0 && t[n - 1] == ']') {
		*set = true;
		t += 4;
		n -= 5;
	} else if (n > 8 && memcmp(t, "vector[", 7) == 0 && t[n - 1] == ']') {
		*set = true;
		t += 7;
		n -= 8;
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
		if (strlen(types[i].type) == n && memcmp(types[i].type, t, n) == 0)
			return types[i].kind;
	return C_NONE;
}

/* The plan of every column from the names and types seen so far. */
static void plan(struct zs *z)
{
	for (size_t i = 0; i < z->nfields; i++) {
		struct col *c = &z->cols[i];
		unsigned char t = z->tkind[i];

		c->set = z->tset[i] || z->nset[i];
		if (t == SAN_ADDR || t == SAN_SUBNET)
			c->kind = t;
		else if (z->nkind[i] != C_NONE)
			c->kind = z->nkind[i];
		else if (t != C_NONE)
			c->kind = t;
		else
			c->kind = SAN_SCRUB;
		/* numbers are never split, users of a plain string are whole */
		if (c->kind == C_NUM || c->kind == C_BOOL || c->kind == SAN_URL ||
		    c->kind == SAN_VALUE)
			c->set = c->set && z->tset[i];
	}
}

static enum dt_err grow_cols(struct zs *z, size_t need)
{
	size_t cap = z->cap ? z->cap : 64;

	if (need <= z->cap)
		return DT_OK;
	while (cap < need)
		cap *= 2;
#define GROW(f)                                                                                    \
	do {                                                                                       \
		void *q = realloc(z->f, (cap + 1) * sizeof(*z->f));                                \
		if (!q)                                                                            \
			return DT_ENOMEM;                                                          \
		z->f = q;                                                                          \
	} while (0)
	GROW(nkind);
	GROW(nset);
	GROW(tkind);
	GROW(tset);
	GROW(cols);
	GROW(fp);
	GROW(fl);
#undef GROW
	z->cap = cap;
	return DT_OK;
}

/* "#fields" or "#types": the names or types of the columns. */
static enum dt_err set_columns(struct zs *z, const char *p, const char *end, bool types)
{
	size_t nf = 0;
	enum dt_err err;

	if (!types)
		z->itype = -1;
	for (;;) {
		const char *q = find_sep(z, p, end);
		size_t n = (size_t)((q ? q : end) - p);
		bool set;

		if (nf == ZS_MAX_FIELDS)
			break;
		if ((err = grow_cols(z, nf + 1)))
			return err;
		if (types) {
			if (nf < z->nfields) {
				z->tkind[nf] = type_kind(p, n, &set);
				z->tset[nf] = set;
			}
		} else {
			z->nkind[nf] = name_kind(z->log, p, n, &set);
			z->nset[nf] = set;
			z->tkind[nf] = C_NONE;
			z->tset[nf] = false;
			if (n == 19 && memcmp(p, "seen.indicator_type", 19) == 0)
				z->itype = (long)nf;
		}
		nf++;
		if (q == NULL)
			break;
		p = q + z->sep_len;
	}
	if (!types) {
		z->nfields = nf;
		z->have_fields = true;
	}
	plan(z);
	return DT_OK;
}

/* One '#' line: a directive (kept and read) or a comment (scrubbed). */
static enum dt_err header_line(struct zs *z, const char *l, size_t n)
{
	const char *end = l + n, *val;
	char tok[ZS_MAX_TOKEN];
	size_t tn, k;

	if (has_word(l, n, "#separator")) {
		hdr_defaults(z);
		if (n >= 12 && unescape(l + 11, n - 11, tok, &tn) && tn > 0) {
			memcpy(z->sep, tok, tn);
			z->sep_len = tn;
		}
		return strbuf_add(&z->out, l, n);
	}
	val = find_sep(z, l, end);
	if (val == NULL || !is_header_start(l, n))
		return san_scrub(&z->s, l, n, &z->out); /* a comment */
	k = (size_t)(val - l);
	val += z->sep_len;
	if (k == 7 && memcmp(l, "#fields", 7) == 0) {
		enum dt_err err = set_columns(z, val, end, false);

		if (err)
			return err;
	} else if (k == 6 && memcmp(l, "#types", 6) == 0) {
		enum dt_err err = set_columns(z, val, end, true);

		if (err)
			return err;
	} else if (k == 5 && memcmp(l, "#path", 5) == 0) {
		size_t pn = (size_t)(end - val);

		if (pn < sizeof(z->log)) {
			memcpy(z->log, val, pn);
			z->log[pn] = '\0';
		}
		/* (names that depend on the log are planned at #fields, which
		 * Zeek writes after #path) */
	} else if (unescape(val, (size_t)(end - val), tok, &tn)) {
		if (k == 14 && memcmp(l, "#set_separator", 14) == 0 && tn == 1) {
			z->set_sep = tok[0];
		} else if (k == 12 && memcmp(l, "#empty_field", 12) == 0) {
			memcpy(z->empty, tok, tn);
			z->empty_len = tn;
		} else if (k == 12 && memcmp(l, "#unset_field", 12) == 0) {
			memcpy(z->unset, tok, tn);
			z->unset_len = tn;
		}
	}
	return strbuf_add(&z->out, l, n);
}

static bool is_marker(const struct zs *z, const char *v, size_t n)
{
	return (n == z->unset_len && memcmp(v, z->unset, n) == 0) ||
	       (n == z->empty_len && memcmp(v, z->empty, n) == 0);
}

/* Digits with at most one '.', a sign and an exponent: cannot hold an
 * address or a name. */
static bool numeric(const char *v, size_t n)
{
	int dots = 0;

	for (size_t i = 0; i < n; i++) {
		char c = v[i];

		if (c == '.')
			dots++;
		else if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e' || c == 'E'))
			return false;
	}
	return dots <= 1;
}

static enum dt_err one_value(struct zs *z, unsigned kind, const char *v, size_t n)
{
	switch (kind) {
	case C_NUM:
		if (numeric(v, n))
			return strbuf_add(&z->out, v, n);
		break;
	case C_BOOL:
		if (n == 1 && (v[0] == 'T' || v[0] == 'F'))
			return strbuf_add(&z->out, v, n);
		break;
	default: return san_kind_value(&z->s, (enum san_kind)kind, v, n, &z->out);
	}
	return san_scrub(&z->s, v, n, &z->out);
}

static enum dt_err field(struct zs *z, const struct col *c, unsigned kind, const char *v, size_t n)
{
	enum dt_err err = DT_OK;
	size_t i = 0;

	if (is_marker(z, v, n))
		return strbuf_add(&z->out, v, n);
	if (!c->set)
		return one_value(z, kind, v, n);
	while (!err) {
		const char *q = memchr(v + i, z->set_sep, n - i);
		size_t j = q ? (size_t)(q - v) : n;

		if (is_marker(z, v + i, j - i))
			err = strbuf_add(&z->out, v + i, j - i);
		else
			err = one_value(z, kind, v + i, j - i);
		if (err || j == n)
			break;
		err = strbuf_addc(&z->out, z->set_sep);
		i = j + 1;
	}
	return err;
}

static enum dt_err data_line(struct zs *z, const char *l, size_t n)
{
	const char *p = l, *end = l + n;
	size_t f = 0;
	enum dt_err err = DT_OK;

	if (!z->have_fields)
		goto unparsed;
	for (;;) {
		const char *q = find_sep(z, p, end);

		if (f == z->nfields)
			goto unparsed;
		z->fp[f] = p;
		z->fl[f++] = (size_t)((q ? q : end) - p);
		if (q == NULL)
			break;
		p = q + z->sep_len;
	}
	if (f != z->nfields)
		goto unparsed;
	for (f = 0; !err && f < z->nfields; f++) {
		const struct col *c = &z->cols[f];
		unsigned kind = c->kind;

		if (f && (err = strbuf_add(&z->out, z->sep, z->sep_len)))
			break;
		if (kind == C_INTEL) {
			bool url = z->itype >= 0 && z->fl[z->itype] == 10 &&
			           memcmp(z->fp[z->itype], "Intel::URL", 10) == 0;

			kind = url ? SAN_URL : SAN_NAME;
		}
		err = field(z, c, kind, z->fp[f], z->fl[f]);
	}
	return err;
unparsed:
	z->s.c->unparsed++;
	return san_scrub(&z->s, l, n, &z->out);
}

/* ---- JSON -------------------------------------------------------------- */

static enum san_kind json_kind(void *ctx, struct js_doc *d, int obj, const char *path, size_t plen)
{
	const char *log = ctx;
	bool set;
	unsigned char k = name_kind(log, path, plen, &set);

	if (k == C_INTEL) {
		const char *t;
		size_t tn;
		int ty = js_get(d, obj, "indicator_type");

		if (ty < 0)
			ty = js_get(d, obj, "seen.indicator_type");
		return js_str(d, ty, &t, &tn) && tn == 10 && memcmp(t, "Intel::URL", 10) == 0
		           ? SAN_URL
		           : SAN_NAME;
	}
	return k == C_NONE ? SAN_SCRUB : (enum san_kind)k;
}

static enum dt_err json_line(struct zs *z, const char *l, size_t n)
{
	char log[32] = "";
	const char *p;
	size_t pn;

	if (!js_parse(&z->js, l, n) || js_type(&z->js, 0) != JS_OBJECT) {
		z->s.c->unparsed++;
		return san_scrub(&z->s, l, n, &z->out);
	}
	if (js_str(&z->js, js_get(&z->js, 0, "_path"), &p, &pn) && pn < sizeof(log)) {
		memcpy(log, p, pn);
		log[pn] = '\0';
	} else if (js_get(&z->js, 0, "request_type") >= 0 && js_get(&z->js, 0, "client") >= 0) {
		strcpy(log, "kerberos");
	} else if (js_get(&z->js, 0, "domainname") >= 0) {
		strcpy(log, "ntlm");
	}
	return san_json(&z->s, &z->js, l, n, json_kind, log, &z->out);
}

/* ---- the driver -------------------------------------------------------- */

enum dt_err sanitize_zeek(struct reader *r, struct privacy *p, FILE *out, const char *name,
                          struct privacy_counts *c, struct dt_diag *diag)
{
	struct zs z;
	const char *l;
	size_t n;
	bool overlong;
	int json = -1;
	unsigned long lineno = 0;
	enum dt_err err;

	memset(&z, 0, sizeof(z));
	z.name = name;
	z.diag = diag;
	hdr_defaults(&z);
	strbuf_init(&z.out, SAN_MAX_OUT + SAN_FLUSH_AT);
	if ((err = san_init(&z.s, p, c)))
		goto out;
	while (!err && reader_line(r, &l, &n, &overlong)) {
		bool cr = n && l[n - 1] == '\r';

		lineno++;
		if (cr)
			n--;
		if (json < 0) {
			size_t k = 0;

			while (k < n && (l[k] == ' ' || l[k] == '\t' || l[k] == '\r'))
				k++;
			if (k < n) {
				json = l[k] == '{';
				if (!json && !is_header_start(l + k, n - k)) {
					dt_diag_set(
					    diag, name, lineno,
					    "not a Zeek log: the first line is neither a Zeek "
					    "header (#separator, #fields) nor a JSON object");
					err = DT_EFORMAT;
					break;
				}
			}
		}
		z.s.c->records++;
		if (n == 0 || json < 0)
			err = strbuf_add(&z.out, l, n);
		else if (overlong) {
			z.s.c->unparsed++;
			err = san_scrub(&z.s, l, n, &z.out);
		} else if (l[0] == '#')
			err = json ? san_scrub(&z.s, l, n, &z.out) : header_line(&z, l, n);
		else
			err = json ? json_line(&z, l, n) : data_line(&z, l, n);
		if (!err && cr)
			err = strbuf_addc(&z.out, '\r');
		if (!err)
			err = strbuf_addc(&z.out, '\n');
		if (!err)
			err = san_flush(&z.out, out, false, name, diag);
		else if (err != DT_EIO)
			dt_diag_set(diag, name, lineno, "cannot sanitize: %s", dt_strerror(err));
	}
	if (!err && json < 0) {
		dt_diag_set(diag, name, 0, "not a Zeek log: empty input");
		err = DT_EFORMAT;
	}
	if (!err)
		err = san_flush(&z.out, out, true, name, diag);
out:
	san_release(&z.s);
	strbuf_release(&z.out);
	js_release(&z.js);
	free(z.nkind);
	free(z.nset);
	free(z.tkind);
	free(z.tset);
	free(z.cols);
	free(z.fp);
	free(z.fl);
	return err;
}
