/*
 * zeekintel.c — Zeek Intel framework files (intel/intel.h).
 *
 * The format (Zeek documentation, "Intelligence Framework", and the Input
 * framework's ASCII reader it uses): a text file of one indicator a line,
 * fields separated by a tab.  A "#fields" line names the columns, e.g.
 *
 *   #fields	indicator	indicator_type	meta.source	meta.desc
 *   evil.com	Intel::DOMAIN	my feed	-
 *
 * The column set and order come from that line; "indicator" and
 * "indicator_type" are required, "meta.source" becomes the labels and
 * "meta.desc" the description (other meta.* columns are not kept).  Other
 * lines that start with '#' are comments, except the log header
 * directives "#separator \x09", "#empty_field (empty)" and
 * "#unset_field -", which are honoured.  A field equal to the unset mark
 * ("-") is absent, one equal to the empty mark ("(empty)") is empty, and
 * \xHH escapes in a value are decoded (Zeek writes a separator inside a
 * value that way).
 *
 * indicator_type is a value of Zeek's Intel::Type enum: ADDR and SUBNET
 * become IT_IP, DOMAIN IT_DOMAIN, URL IT_URL (Zeek writes URLs without a
 * scheme; normalization accepts that form), EMAIL IT_EMAIL, CERT_HASH
 * (the SHA-1 of a certificate, as Zeek's x509 scripts compute it)
 * IT_CERT_SHA1, FILE_HASH IT_MD5/IT_SHA1/IT_SHA256/IT_SHA512 by its
 * number of hex digits, and JA3 (a common add-on package) IT_JA3.  The
 * other types (USER_NAME, SOFTWARE, FILE_NAME, PUBKEY_HASH, and any
 * Intel::X a package adds) are kept as IT_OTHER with the reason
 * "Intel::X is not matched against events".  A line whose indicator is
 * unset or whose indicator_type is not an Intel:: name is rejected.
 *
 * Records: each data line is one indicator of one atom whose path is the
 * indicator_type text; its record number is its line number.  Values are
 * handed over raw, as slices of the input (or of this call's buffers when
 * they held escapes).  Lines are found with memchr and split in place;
 * nothing is allocated per line.
 *
 * The input is refused as a whole (DT_EFORMAT) when a data line comes
 * before any "#fields" line, or when a "#fields" line before the first
 * data line lacks indicator or indicator_type: that is not a Zeek Intel
 * file.  (A bad "#fields" line after data is rejected, and so are the
 * data lines under it.)
 */
#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/strbuf.h"
#include "intel/intel.h"

#define ZI_MAX_FIELDS 64
#define ZI_MAX_VALUE  (1u << 20)

enum { F_IND, F_TYPE, F_SOURCE, F_DESC, F_N };

struct zi {
	const char *name;
	const struct intel_sink *k;
	struct intel_counts *c;
	struct dt_diag *diag;
	unsigned long line;
	char sep;
	char empty[32], unset[32];
	int col[F_N]; /* column index of each field we keep, or -1 */
	int ncols;    /* columns the #fields line names; 0: none yet, -1: unusable */
	unsigned long data_lines;
	struct strbuf dec[F_N];
};

struct zi_type {
	const char *name; /* after "Intel::" */
	enum ind_type type;
	const char *unsupported;
};

static const struct zi_type zi_types[] = {
    {"ADDR", IT_IP, NULL},
    {"SUBNET", IT_IP, NULL},
    {"DOMAIN", IT_DOMAIN, NULL},
    {"URL", IT_URL, NULL},
    {"EMAIL", IT_EMAIL, NULL},
    {"CERT_HASH", IT_CERT_SHA1, NULL},
    {"FILE_HASH", IT_NONE, NULL}, /* by length */
    {"JA3", IT_JA3, NULL},
    {"USER_NAME", IT_OTHER, "Intel::USER_NAME is not matched against events"},
    {"SOFTWARE", IT_OTHER, "Intel::SOFTWARE is not matched against events"},
    {"FILE_NAME", IT_OTHER, "Intel::FILE_NAME is not matched against events"},
    {"PUBKEY_HASH", IT_OTHER, "Intel::PUBKEY_HASH is not matched against events"},
};

static void reject(struct zi *z, const char *why, const char *v, size_t n)
{
	struct dt_diag d;

	if (z->c)
		z->c->rejected++;
	if (z->k->warn == NULL)
		return;
	dt_diag_clear(&d);
	if (v)
		dt_diag_set(&d, z->name, z->line, "%s '%.*s'", why, (int)(n > 80 ? 80 : n), v);
	else
		dt_diag_set(&d, z->name, z->line, "%s", why);
	z->k->warn(z->k->ctx, &d);
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (dt_hex_digit(s[i]) < 0)
			return false;
	return true;
}

static bool eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* "#separator \x09" or "#separator |": the separator byte, or -1. */
static int parse_sep(const char *s, size_t n)
{
	if (n == 1)
		return (unsigned char)s[0];
	if (n == 4 && s[0] == '\\' && s[1] == 'x' && dt_hex_digit(s[2]) >= 0 &&
	    dt_hex_digit(s[3]) >= 0)
		return dt_hex_digit(s[2]) * 16 + dt_hex_digit(s[3]);
	return -1;
}

/* A header line ("#..."): directives change the state, the rest is a comment. */
static enum dt_err header(struct zi *z, const char *s, size_t n)
{
	const char *v;
	size_t vn;

	if (n > 11 && memcmp(s, "#separator ", 11) == 0) {
		int sep = parse_sep(s + 11, n - 11);

		if (sep <= 0 || sep == '\n') {
			reject(z, "bad #separator", s + 11, n - 11);
			return DT_OK;
		}
		z->sep = (char)sep;
		return DT_OK;
	}
	if (n > 13 && memcmp(s, "#empty_field", 12) == 0 && s[12] == z->sep) {
		vn = n - 13 < sizeof(z->empty) - 1 ? n - 13 : sizeof(z->empty) - 1;
		memcpy(z->empty, s + 13, vn);
		z->empty[vn] = '\0';
		return DT_OK;
	}
	if (n > 13 && memcmp(s, "#unset_field", 12) == 0 && s[12] == z->sep) {
		vn = n - 13 < sizeof(z->unset) - 1 ? n - 13 : sizeof(z->unset) - 1;
		memcpy(z->unset, s + 13, vn);
		z->unset[vn] = '\0';
		return DT_OK;
	}
	if (n < 8 || memcmp(s, "#fields", 7) != 0 || s[7] != z->sep)
		return DT_OK; /* a comment, or a directive we do not need */
	for (int f = 0; f < F_N; f++)
		z->col[f] = -1;
	z->ncols = 0;
	v = s + 8;
	for (const char *end = s + n; v <= end; z->ncols++) {
		const char *t = memchr(v, z->sep, (size_t)(end - v));

		vn = (size_t)((t ? t : end) - v);
		if (eq(v, vn, "indicator"))
			z->col[F_IND] = z->ncols;
		else if (eq(v, vn, "indicator_type"))
			z->col[F_TYPE] = z->ncols;
		else if (eq(v, vn, "meta.source"))
			z->col[F_SOURCE] = z->ncols;
		else if (eq(v, vn, "meta.desc"))
			z->col[F_DESC] = z->ncols;
		if (t == NULL)
			break;
		v = t + 1;
	}
	z->ncols++;
	if (z->col[F_IND] < 0 || z->col[F_TYPE] < 0 || z->ncols > ZI_MAX_FIELDS) {
		const char *why = z->ncols > ZI_MAX_FIELDS
		                      ? "#fields names more than 64 columns"
		                      : "#fields names no indicator and indicator_type";

		if (z->data_lines == 0) {
			dt_diag_set(z->diag, z->name, z->line, "not a Zeek Intel file: %s", why);
			return DT_EFORMAT;
		}
		/* after data: this block's lines are rejected, the rest kept */
		reject(z, why, NULL, 0);
		z->ncols = -1;
	}
	return DT_OK;
}

/* A field's value: unset -> NULL, the empty mark -> "", \xHH decoded. */
static bool field(struct zi *z, int f, const char *s, size_t n, struct dt_str *out)
{
	struct strbuf *b = &z->dec[f];

	if (eq(s, n, z->unset)) {
		*out = (struct dt_str){"", 0};
		return false;
	}
	if (eq(s, n, z->empty)) {
		*out = (struct dt_str){"", 0};
		return true;
	}
	if (memchr(s, '\\', n) == NULL) {
		*out = (struct dt_str){s, n};
		return true;
	}
	strbuf_reset(b);
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '\\' && i + 3 < n && s[i + 1] == 'x' && dt_hex_digit(s[i + 2]) >= 0 &&
		    dt_hex_digit(s[i + 3]) >= 0) {
			ch = (char)(dt_hex_digit(s[i + 2]) * 16 + dt_hex_digit(s[i + 3]));
			i += 3;
		}
		if (strbuf_addc(b, ch)) {
			*out = (struct dt_str){s, n};
			return true;
		}
	}
	*out = (struct dt_str){b->p, b->len};
	return true;
}

static enum dt_err data_line(struct zi *z, const char *s, size_t n)
{
	const char *cell[F_N] = {0};
	size_t cn[F_N] = {0};
	const char *v = s, *end = s + n;
	int col = 0;
	struct dt_str ind, type, src = {"", 0}, desc = {"", 0};
	struct intel_atom a;
	struct intel_indicator in;
	const struct zi_type *zt = NULL;
	const char *unsupported = NULL;
	enum ind_type it;

	if (z->c)
		z->c->records++;
	for (;; col++) {
		const char *t = memchr(v, z->sep, (size_t)(end - v));
		size_t vn = (size_t)((t ? t : end) - v);

		for (int f = 0; f < F_N; f++)
			if (z->col[f] == col) {
				cell[f] = v;
				cn[f] = vn;
			}
		if (t == NULL)
			break;
		v = t + 1;
	}
	if (col + 1 != z->ncols) {
		reject(z,
		       col + 1 < z->ncols ? "too few fields for #fields"
		                          : "too many fields for #fields",
		       NULL, 0);
		return DT_OK;
	}
	if (!field(z, F_IND, cell[F_IND], cn[F_IND], &ind) || ind.len == 0) {
		reject(z, "indicator is unset", NULL, 0);
		return DT_OK;
	}
	type = (struct dt_str){cell[F_TYPE], cn[F_TYPE]};
	if (type.len <= 7 || memcmp(type.p, "Intel::", 7) != 0) {
		reject(z, "indicator_type is not an Intel::Type", type.p, type.len);
		return DT_OK;
	}
	for (size_t i = 0; i < sizeof(zi_types) / sizeof(*zi_types); i++)
		if (eq(type.p + 7, type.len - 7, zi_types[i].name)) {
			zt = &zi_types[i];
			break;
		}
	if (zt) {
		it = zt->type;
		unsupported = zt->unsupported;
	} else {
		for (size_t i = 7; i < type.len; i++) {
			char ch = type.p[i];

			if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			      (ch >= '0' && ch <= '9') || ch == '_')) {
				reject(z, "indicator_type is not an Intel::Type", type.p, type.len);
				return DT_OK;
			}
		}
		it = IT_OTHER;
		unsupported = "an Intel::Type detente does not know is not matched against events";
	}
	if (it == IT_NONE) { /* FILE_HASH */
		it = !is_hex(ind.p, ind.len) ? IT_NONE
		     : ind.len == 32         ? IT_MD5
		     : ind.len == 40         ? IT_SHA1
		     : ind.len == 64         ? IT_SHA256
		     : ind.len == 128        ? IT_SHA512
		                             : IT_NONE;
		if (it == IT_NONE) {
			reject(z, "Intel::FILE_HASH is not 32, 40, 64 or 128 hex digits", ind.p,
			       ind.len);
			return DT_OK;
		}
	} else if (it == IT_CERT_SHA1 && ind.len == 64) {
		it = IT_CERT_SHA256;
	}
	if (cell[F_SOURCE])
		field(z, F_SOURCE, cell[F_SOURCE], cn[F_SOURCE], &src);
	if (cell[F_DESC])
		field(z, F_DESC, cell[F_DESC], cn[F_DESC], &desc);

	memset(&a, 0, sizeof(a));
	a.type = it;
	a.value = ind;
	a.path = type;
	memset(&in, 0, sizeof(in));
	in.record = z->line;
	in.id = (struct dt_str){"", 0};
	in.name = (struct dt_str){"", 0};
	in.description = desc;
	in.labels = src;
	in.score = -1;
	in.unsupported = unsupported;
	in.mode = IM_ANY;
	in.atoms = &a;
	in.natoms = 1;
	if (z->k->indicator) {
		enum dt_err err = z->k->indicator(z->k->ctx, &in);

		if (err) {
			dt_diag_set(z->diag, z->name, z->line, "%s", dt_strerror(err));
			return err;
		}
	}
	return DT_OK;
}

enum dt_err intel_parse_zeek(const char *name, const char *data, size_t len,
                             const struct intel_sink *k, struct intel_counts *c,
                             struct dt_diag *diag)
{
	struct zi z;
	enum dt_err err = DT_OK;
	size_t i = 0;

	memset(&z, 0, sizeof(z));
	z.name = name;
	z.k = k;
	z.c = c;
	z.diag = diag;
	z.sep = '\t';
	strcpy(z.empty, "(empty)");
	strcpy(z.unset, "-");
	for (int f = 0; f < F_N; f++) {
		z.col[f] = -1;
		strbuf_init(&z.dec[f], ZI_MAX_VALUE);
	}
	while (i < len) {
		const char *s = data + i, *nl = memchr(s, '\n', len - i);
		size_t n = nl ? (size_t)(nl - s) : len - i;

		i += n + (nl != NULL);
		z.line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (s[0] == '#') {
			if (c)
				c->ignored++;
			if ((err = header(&z, s, n)))
				break;
			continue;
		}
		if (z.ncols == 0) {
			dt_diag_set(
			    diag, name, z.line,
			    "not a Zeek Intel file: no #fields line before the first data line");
			err = DT_EFORMAT;
			break;
		}
		z.data_lines++;
		if (z.ncols < 0) {
			if (c)
				c->records++;
			reject(&z, "no usable #fields line for this line", NULL, 0);
			continue;
		}
		if ((err = data_line(&z, s, n)))
			break;
	}
	for (int f = 0; f < F_N; f++)
		strbuf_release(&z.dec[f]);
	return err;
}
