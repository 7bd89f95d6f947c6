/*
 * answer.c — formatting of answers; kept out of index.c so that the lookup
 * code stays free of output concerns.  Hand-rolled rather than jansson:
 * bulk trace formats millions of these a second.
 */
#include "geo/answer.h"

#include <string.h>

const char geo_answer_tsv_header[] = "ip\tcountry\tasn\tas_org\tnetwork\tflags\n";

static enum dt_err add_flags(struct strbuf *b, const struct geo_index *ix, uint32_t flags,
                             const char *sep, bool quote)
{
	bool first = true;
	enum dt_err err = DT_OK;

	for (unsigned i = 0; flags && i < 32; i++) {
		const char *name;

		if (!(flags & (1u << i)) || (name = geo_index_flag_name(ix, i)) == NULL)
			continue;
		if (!first)
			err = strbuf_adds(b, sep);
		if (quote)
			err = err ? err : strbuf_addc(b, '"');
		err = err ? err : strbuf_adds(b, name);
		if (quote)
			err = err ? err : strbuf_addc(b, '"');
		if (err)
			return err;
		first = false;
	}
	return DT_OK;
}

enum dt_err geo_answer_json(struct strbuf *b, const struct geo_index *ix, const struct dt_ip *ip,
                            const struct geo_answer *a)
{
	char t[DT_IP_STRLEN];
	enum dt_err err;
	size_t n = dt_ip_format(ip, t);

	if ((err = strbuf_add(b, "{\"ip\":\"", 7)) || (err = strbuf_add(b, t, n)) ||
	    (err = strbuf_add(b, "\",\"country\":", 12)))
		return err;
	if (a->country[0])
		err = strbuf_addf(b, "\"%s\"", a->country);
	else
		err = strbuf_add(b, "null", 4);
	if (err || (err = strbuf_add(b, ",\"asn\":", 7)))
		return err;
	err = a->asn ? strbuf_addu(b, a->asn) : strbuf_add(b, "null", 4);
	if (err || (err = strbuf_add(b, ",\"as_org\":", 10)))
		return err;
	if (a->as_org) {
		if ((err = strbuf_addc(b, '"')) ||
		    (err = strbuf_add_json(b, a->as_org, strlen(a->as_org))) ||
		    (err = strbuf_addc(b, '"')))
			return err;
	} else if ((err = strbuf_add(b, "null", 4))) {
		return err;
	}
	n = dt_prefix_format(&a->network, t);
	if ((err = strbuf_add(b, ",\"network\":\"", 12)) || (err = strbuf_add(b, t, n)) ||
	    (err = strbuf_add(b, "\",\"flags\":[", 11)) ||
	    (err = add_flags(b, ix, a->flags, ",", true)) ||
	    (err = strbuf_add(b, "],\"refdata\":\"", 13)) ||
	    (err = strbuf_adds(b, geo_index_digest(ix))) || (err = strbuf_add(b, "\"}", 2)))
		return err;
	return DT_OK;
}

static enum dt_err add_clean(struct strbuf *b, const char *s)
{
	enum dt_err err;

	for (; *s; s++)
		if ((err = strbuf_addc(b, (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s)))
			return err;
	return DT_OK;
}

/* TSV columns country, asn, as_org ("-" when unknown). */
static enum dt_err tsv_attribution(struct strbuf *b, const struct geo_answer *a)
{
	enum dt_err err;

	if ((err = strbuf_adds(b, a->country[0] ? a->country : "-")) ||
	    (err = strbuf_addc(b, '\t')))
		return err;
	err = a->asn ? strbuf_addu(b, a->asn) : strbuf_addc(b, '-');
	if (err || (err = strbuf_addc(b, '\t')))
		return err;
	return a->as_org ? add_clean(b, a->as_org) : strbuf_addc(b, '-');
}

static enum dt_err tsv_flags(struct strbuf *b, const struct geo_index *ix, uint32_t flags)
{
	return flags ? add_flags(b, ix, flags, ",", false) : strbuf_addc(b, '-');
}

enum dt_err geo_answer_tsv(struct strbuf *b, const struct geo_index *ix, const struct dt_ip *ip,
                           const struct geo_answer *a)
{
	return geo_answer_tsv_text(b, ix, ip, NULL, 0, a);
}

enum dt_err geo_answer_tsv_text(struct strbuf *b, const struct geo_index *ix,
                                const struct dt_ip *ip, const char *text, size_t len,
                                const struct geo_answer *a)
{
	char t[DT_IP_STRLEN];
	enum dt_err err;
	size_t n;

	if (text && ip->family == DT_IP_V4 && !ip->mapped)
		err = strbuf_add(b, text, len);
	else {
		n = dt_ip_format(ip, t);
		err = strbuf_add(b, t, n);
	}
	if (err || (err = strbuf_addc(b, '\t')) || (err = tsv_attribution(b, a)) ||
	    (err = strbuf_addc(b, '\t')))
		return err;
	n = dt_prefix_format(&a->network, t);
	if ((err = strbuf_add(b, t, n)) || (err = strbuf_addc(b, '\t')))
		return err;
	return tsv_flags(b, ix, a->flags);
}

enum dt_err geo_answer_dump_row(struct strbuf *b, const struct geo_index *ix, uint8_t family,
                                dt_u128 first, dt_u128 last, const struct geo_answer *a)
{
	struct dt_ip ip = {.family = family};
	char t[DT_IP_STRLEN];
	enum dt_err err;

	ip.addr = first;
	if ((err = strbuf_add(b, t, dt_ip_format(&ip, t))) || (err = strbuf_addc(b, '\t')))
		return err;
	ip.addr = last;
	if ((err = strbuf_add(b, t, dt_ip_format(&ip, t))) || (err = strbuf_addc(b, '\t')) ||
	    (err = tsv_attribution(b, a)) || (err = strbuf_addc(b, '\t')) ||
	    (err = tsv_flags(b, ix, a->flags)))
		return err;
	return strbuf_addc(b, '\n');
}

enum dt_err geo_answer_text(struct strbuf *b, const struct geo_index *ix, const struct dt_ip *ip,
                            const struct geo_answer *a)
{
	char t[DT_IP_STRLEN], net[DT_IP_STRLEN];
	enum dt_err err;

	dt_ip_format(ip, t);
	dt_prefix_format(&a->network, net);
	err = strbuf_addf(b, "%-15s  %-2s  ", t, a->country[0] ? a->country : "--");
	if (!err)
		err = a->asn ? strbuf_addf(b, "AS%-7u  ", a->asn) : strbuf_adds(b, "-          ");
	if (!err)
		err = strbuf_addf(b, "%-30s  %s", a->as_org ? a->as_org : "-", net);
	if (!err && a->flags) {
		err = strbuf_adds(b, "  [");
		err = err ? err : add_flags(b, ix, a->flags, ",", false);
		err = err ? err : strbuf_addc(b, ']');
	}
	return err;
}
