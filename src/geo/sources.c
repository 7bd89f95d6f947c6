/*
 * sources.c — parsers for text reference data: range files and MISP
 * warning lists.
 *
 * Range files are the common "start,end,value..." CSV of Tor's geoip and
 * geoip6, of ip-location-db and of many RIR-derived exports: one inclusive
 * range a line, addresses as text (IPv4, IPv6) or as decimal integers (the
 * "-num" variants; a decimal above 2^32-1 on either end makes the line
 * IPv6), `#` comments, RFC 4180 quoting.  Country files carry a code;
 * ASN files carry an AS number and an organisation.
 *
 * Each line is parsed from a slice of the file in place; a bad line is
 * reported with its number and reason and skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/limits.h"
#include "geo/build_int.h"

#define MAX_FIELDS 4

struct field {
	const char *p;
	size_t len;
	char *unq; /* unquoted copy when the field had doubled quotes */
};

/*
 * Splits one line into fields; quoted fields may contain commas and doubled
 * quotes.  Returns the number of fields, or -1 on a quoting error.
 */
static int split_csv(const char *l, size_t n, struct field *f, char *scratch)
{
	int nf = 0;
	size_t i = 0;

	for (;;) {
		if (nf == MAX_FIELDS) {
			/* extra trailing fields are tolerated and ignored */
			return nf;
		}
		f[nf].unq = NULL;
		if (i < n && l[i] == '"') {
			size_t o = 0;
			bool escaped = false;

			i++;
			for (;;) {
				if (i >= n)
					return -1;
				if (l[i] == '"') {
					if (i + 1 < n && l[i + 1] == '"') {
						scratch[o++] = '"';
						escaped = true;
						i += 2;
						continue;
					}
					i++;
					break;
				}
				scratch[o++] = l[i++];
			}
			if (escaped) {
				f[nf].unq = scratch;
				f[nf].p = scratch;
				scratch += o;
			} else {
				f[nf].p = l + (i - 1 - o); /* in place */
			}
			f[nf].len = o;
			nf++;
			if (i == n)
				return nf;
			if (l[i] != ',')
				return -1;
			i++;
			continue;
		}
		size_t start = i;
		while (i < n && l[i] != ',')
			i++;
		f[nf].p = l + start;
		f[nf].len = i - start;
		nf++;
		if (i == n)
			return nf;
		i++;
	}
}

static void trim(struct field *f)
{
	while (f->len && (f->p[0] == ' ' || f->p[0] == '\t')) {
		f->p++;
		f->len--;
	}
	while (f->len && (f->p[f->len - 1] == ' ' || f->p[f->len - 1] == '\t'))
		f->len--;
}

static bool is_decimal(const struct field *f)
{
	if (f->len == 0)
		return false;
	for (size_t i = 0; i < f->len; i++)
		if (f->p[i] < '0' || f->p[i] > '9')
			return false;
	return true;
}

/* Both ends of a range; family decided by the text or the magnitude. */
static const char *parse_bounds(struct field *a, struct field *b, uint8_t *family, dt_u128 *lo,
                                dt_u128 *hi)
{
	if (is_decimal(a) && is_decimal(b)) {
		if (dt_u128_parse(a->p, a->len, lo) || dt_u128_parse(b->p, b->len, hi))
			return "range bound is not a number below 2^128";
		*family = (*lo > 0xffffffffu || *hi > 0xffffffffu) ? DT_IP_V6 : DT_IP_V4;
	} else {
		struct dt_ip x, y;

		if (dt_ip_parse(a->p, a->len, &x))
			return "range start is not an IP address";
		if (dt_ip_parse(b->p, b->len, &y))
			return "range end is not an IP address";
		if (x.family != y.family)
			return "range start and end are of different address families";
		*family = x.family;
		*lo = x.addr;
		*hi = y.addr;
	}
	if (*lo > *hi)
		return "range start is after its end";
	return NULL;
}

static bool parse_asn(const struct field *f, uint32_t *asn)
{
	const char *p = f->p;
	size_t n = f->len;
	uint64_t v = 0;

	if (n >= 2 && (p[0] == 'A' || p[0] == 'a') && (p[1] == 'S' || p[1] == 's')) {
		p += 2;
		n -= 2;
	}
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*asn = (uint32_t)v;
	return true;
}

enum dt_err geo_parse_ranges(struct geo_src *s, const char *data, size_t len, bool with_asn,
                             struct dt_diag *diag)
{
	char *scratch = malloc(GEO_MAX_LINE + 1);
	unsigned long lineno = 0;
	size_t i = 0;
	enum dt_err err = DT_OK;
	uint64_t good = 0;

	if (scratch == NULL)
		return DT_ENOMEM;
	if (memchr(data, '\0', len < 4096 ? len : 4096) != NULL) {
		dt_diag_set(diag, s->name, 0, "binary data, not a range file");
		free(scratch);
		return DT_EFORMAT;
	}
	while (i < len) {
		const char *l = data + i;
		const char *eol = memchr(l, '\n', len - i);
		size_t n = eol ? (size_t)(eol - l) : len - i;
		struct field f[MAX_FIELDS];
		uint8_t family;
		dt_u128 lo, hi;
		const char *why;
		int nf;

		i += n + 1;
		lineno++;
		if (n && l[n - 1] == '\r')
			n--;
		if (n == 0 || l[0] == '#') {
			s->info->ignored++;
			continue;
		}
		if (n > GEO_MAX_LINE) {
			geo_src_reject(s, lineno, "line longer than %d bytes", GEO_MAX_LINE);
			continue;
		}
		nf = split_csv(l, n, f, scratch);
		if (nf < 0) {
			geo_src_reject(s, lineno, "unterminated quoted field");
			continue;
		}
		if (nf < 3) {
			geo_src_reject(s, lineno, "expected %s, found %d field%s",
			               with_asn ? "'start,end,asn,organisation'"
			                        : "'start,end,country'",
			               nf, nf == 1 ? "" : "s");
			continue;
		}
		for (int k = 0; k < nf; k++)
			trim(&f[k]);
		if ((why = parse_bounds(&f[0], &f[1], &family, &lo, &hi))) {
			geo_src_reject(s, lineno, "%s", why);
			continue;
		}
		if (with_asn) {
			uint32_t asn = 0;

			if (f[2].len > 0 && !parse_asn(&f[2], &asn)) {
				geo_src_reject(s, lineno,
				               "AS number '%.*s' is not a number below 2^32",
				               (int)(f[2].len > 40 ? 40 : f[2].len), f[2].p);
				continue;
			}
			err = geo_src_add(s, family, lo, hi, RF_ASN | RF_ORG, 0, asn,
			                  nf > 3 ? f[3].p : NULL, nf > 3 ? f[3].len : 0, 0);
		} else {
			bool valid;
			uint16_t cc = geo_cc_parse(f[2].p, f[2].len, &valid);

			if (!valid) {
				geo_src_reject(s, lineno, "country '%.*s' is not a two-letter code",
				               (int)(f[2].len > 40 ? 40 : f[2].len), f[2].p);
				continue;
			}
			/* "??" answers nothing but the line is still well-formed */
			err = cc ? geo_src_add(s, family, lo, hi, RF_CC, cc, 0, NULL, 0, 0) : DT_OK;
			if (!cc)
				s->info->ignored++;
		}
		if (err) {
			dt_diag_set(diag, s->name, lineno, "%s", dt_strerror(err));
			break;
		}
		good++;
	}
	free(scratch);
	if (!err && good == 0 && s->info->rejected > 0) {
		dt_diag_set(diag, s->name, 0, "no valid %s range in the file",
		            with_asn ? "ASN" : "country");
		return DT_EFORMAT;
	}
	return err;
}

/*
 * The flag a warning list sets, from its name and description: cloud and
 * hosting providers, VPNs, public DNS resolvers, sinkholes, and the
 * special-purpose lists that duplicate the built-in flags.
 */
static const struct {
	const char *word;
	const char *flag;
} flag_words[] = {
    {"sinkhole", "sinkhole"},
    {"vpn", "vpn"},
    {"tor exit", "tor"},
    {"dns resolver", "public-dns"},
    {"public dns", "public-dns"},
    {"amazon", "cloud"},
    {"aws", "cloud"},
    {"google cloud", "cloud"},
    {"gcp", "cloud"},
    {"azure", "cloud"},
    {"microsoft", "cloud"},
    {"ovh", "cloud"},
    {"akamai", "cloud"},
    {"cloudflare", "cloud"},
    {"digitalocean", "cloud"},
    {"linode", "cloud"},
    {"hetzner", "cloud"},
    {"oracle", "cloud"},
    {"fastly", "cloud"},
    {"cloud", "cloud"},
    {"hosting", "cloud"},
    {"crl", "crl-ocsp"},
    {"ocsp", "crl-ocsp"},
    {"rfc 1918", "private"},
    {"rfc1918", "private"},
    {"rfc 6598", "cgnat"},
    {"rfc6598", "cgnat"},
    {"rfc 5735", "reserved"},
    {"rfc5735", "reserved"},
    {"multicast", "multicast"},
    {"link local", "link-local"},
    {"bogon", "bogon"},
};

static void lower_copy(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; src && src[i] && i + 1 < size; i++)
		dst[i] = (char)((src[i] >= 'A' && src[i] <= 'Z') ? src[i] + 32 : src[i]);
	dst[i] = '\0';
}

static void derive_flag(const char *name, const char *desc, char *out, size_t size)
{
	char text[1040], a[512], b[512];

	lower_copy(a, sizeof(a), name);
	lower_copy(b, sizeof(b), desc);
	snprintf(text, sizeof(text), "%s %s ", a, b);
	for (size_t i = 0; i < sizeof(flag_words) / sizeof(*flag_words); i++) {
		if (strstr(text, flag_words[i].word)) {
			snprintf(out, size, "%s", flag_words[i].flag);
			return;
		}
	}
	snprintf(out, size, "warninglist");
}

enum dt_err geo_parse_warninglist(struct geo_src *s, const char *data, size_t len, const char *flag,
                                  struct dt_diag *diag)
{
	json_error_t je;
	json_t *root, *list, *v;
	const char *type, *name;
	char fl[GEO_MAX_FLAG_NAME];
	size_t idx;
	int bit;
	enum dt_err err = DT_OK;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		dt_diag_set(diag, s->name, (unsigned long)(je.line > 0 ? je.line : 0),
		            "not a MISP warning list: %s", je.text);
		return DT_EPARSE;
	}
	list = json_object_get(root, "list");
	type = json_string_value(json_object_get(root, "type"));
	name = json_string_value(json_object_get(root, "name"));
	if (!json_is_array(list) || type == NULL) {
		dt_diag_set(
		    diag, s->name, 0,
		    "not a MISP warning list: expected an object with \"type\" and \"list\"");
		err = DT_EFORMAT;
		goto out;
	}
	if (strcmp(type, "cidr") != 0) {
		dt_diag_set(
		    diag, s->name, 0,
		    "warning list of type '%s' holds no address ranges (type 'cidr' expected)",
		    type);
		err = DT_EFORMAT;
		goto out;
	}
	if (flag && *flag)
		snprintf(fl, sizeof(fl), "%s", flag);
	else
		derive_flag(name, json_string_value(json_object_get(root, "description")), fl,
		            sizeof(fl));
	snprintf(s->info->flag, sizeof(s->info->flag), "%s", fl);
	{
		json_t *ver = json_object_get(root, "version");

		snprintf(s->info->licence, sizeof(s->info->licence),
		         "MISP warning list \"%s\" version %lld (MISP/misp-warninglists, CC0-1.0)",
		         name ? name : "?",
		         json_is_integer(ver) ? (long long)json_integer_value(ver) : 0);
	}
	if ((bit = geo_builder_flag(s->b, fl)) < 0) {
		dt_diag_set(diag, s->name, 0, "flag '%s': more than %d distinct flags", fl,
		            GEO_MAX_FLAGS);
		err = DT_ELIMIT;
		goto out;
	}
	json_array_foreach(list, idx, v)
	{
		const char *t = json_string_value(v);
		struct dt_prefix p;
		dt_u128 last;

		if (t == NULL) {
			geo_src_reject(s, 0, "list[%zu]: not a string", idx);
			continue;
		}
		if (dt_prefix_parse(t, strlen(t), &p, NULL)) {
			geo_src_reject(s, 0, "list[%zu]: '%.60s' is not an address or CIDR prefix",
			               idx, t);
			continue;
		}
		last = p.ip.addr | (~dt_ip_mask(p.ip.family, p.len) & dt_ip_max(p.ip.family));
		if ((err = geo_src_add(s, p.ip.family, p.ip.addr, last, RF_FLAGS, 0, 0, NULL, 0,
		                       1u << bit))) {
			dt_diag_set(diag, s->name, 0, "%s", dt_strerror(err));
			goto out;
		}
	}
out:
	json_decref(root);
	return err;
}
