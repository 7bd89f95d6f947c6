/*
 * fuzz_ranges.c — range files (geo/sources.c geo_parse_ranges) through the
 * builder and back out of the index.
 *
 * The input is added twice to one builder, as a country file and then as
 * an ASN CSV (so one line can feed either parser, and the two layers
 * interleave); the builder serializes, and the image must open
 * (geo_index_open validates it: the builder must never write what the
 * reader refuses).  Then:
 *   - every interval near both ends of each family tiles the space and is
 *     maximal (fuzz_walk);
 *   - lookups of addresses taken from the input — each field that parses
 *     as an address or a decimal number, and one below and above it — and
 *     of addresses made of the raw input bytes: answers well formed, the
 *     network contains the address (fuzz_lookup);
 *   - range files never set flags: every answer's flags are those of an
 *     index built from no input (the built-in special-purpose ranges);
 *   - an input the builder refused as a whole answers nothing: no country
 *     when the country add failed, no ASN or organisation when the ASN add
 *     failed.
 */
#include "fuzz.h"

static struct geo_index *builtin_ix;

static void open_builtin(void)
{
	struct geo_builder *b;

	if (builtin_ix)
		return;
	FUZZ_CHECK(geo_builder_new(&b) == DT_OK);
	builtin_ix = fuzz_build_open(b);
}

struct ctx {
	const struct geo_index *ix;
	bool country_ok, asn_ok;
	unsigned lookups;
};

static void check(struct ctx *c, const struct dt_ip *ip)
{
	struct geo_answer a = fuzz_lookup(c->ix, ip), b;

	geo_lookup(builtin_ix, ip, &b);
	FUZZ_CHECK(a.flags == b.flags);
	if (!c->country_ok)
		FUZZ_CHECK(a.country[0] == '\0');
	if (!c->asn_ok)
		FUZZ_CHECK(a.asn == 0 && a.as_org == NULL);
	c->lookups++;
}

/* addr - 1, addr, addr + 1 within the family. */
static void check_around(struct ctx *c, uint8_t family, dt_u128 addr)
{
	struct dt_ip ip = {.family = family};
	dt_u128 max = dt_ip_max(family);

	if (addr > max)
		return;
	ip.addr = addr;
	check(c, &ip);
	if (addr > 0) {
		ip.addr = addr - 1;
		check(c, &ip);
	}
	if (addr < max) {
		ip.addr = addr + 1;
		check(c, &ip);
	}
}

/* Each field (split at , \n \r " and blanks) that reads as an address. */
static void check_fields(struct ctx *c, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && c->lookups < 600) {
		size_t j = i;
		struct dt_ip ip;
		dt_u128 v;

		while (j < n && !strchr(",\n\r\"\t ", s[j]))
			j++;
		if (j > i) {
			if (dt_ip_parse(s + i, j - i, &ip) == DT_OK) {
				check_around(c, ip.family, ip.addr);
			} else if (dt_u128_parse(s + i, j - i, &v) == DT_OK) {
				check_around(c, v > 0xffffffffu ? DT_IP_V6 : DT_IP_V4, v);
				if (v <= 0xffffffffu)
					check_around(c, DT_IP_V6, v);
			}
		}
		i = j + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct geo_builder *b;
	struct geo_index *ix;
	struct dt_diag d;
	struct ctx c = {0};
	struct dt_ip ips[40];
	size_t nips = 0;
	enum dt_err err;

	open_builtin();
	FUZZ_CHECK(geo_builder_new(&b) == DT_OK);
	geo_builder_set_warn(b, NULL, NULL);
	err = geo_builder_add_buffer(b, GEO_IN_COUNTRY, "fuzz-country", s, size, NULL, &d);
	FUZZ_CHECK(err == DT_OK || err == DT_EFORMAT);
	c.country_ok = err == DT_OK;
	err = geo_builder_add_buffer(b, GEO_IN_ASN, "fuzz-asn", s, size, NULL, &d);
	FUZZ_CHECK(err == DT_OK || err == DT_EFORMAT);
	c.asn_ok = err == DT_OK;
	{
		const struct geo_input_info *in;

		FUZZ_CHECK(geo_builder_inputs(b, &in) ==
			   (size_t)c.country_ok + (size_t)c.asn_ok);
	}
	ix = fuzz_build_open(b);
	c.ix = ix;

	fuzz_walk(ix, DT_IP_V4, 64, true);
	fuzz_walk(ix, DT_IP_V6, 64, true);
	check_fields(&c, s, size);
	/* addresses made of the input bytes */
	for (size_t off = 0; off < size && nips + 2 <= 40; off += 7) {
		size_t n4 = size - off < 4 ? size - off : 4;
		size_t n6 = size - off < 16 ? size - off : 16;

		ips[nips] = fuzz_ip4((uint32_t)fuzz_u128(data + off, n4) << (8 * (4 - n4)));
		check(&c, &ips[nips++]);
		ips[nips] = fuzz_ip6(fuzz_u128(data + off, n6) << (8 * (16 - n6)));
		check(&c, &ips[nips++]);
	}
	fuzz_batch(ix, ips, nips);
	geo_index_free(ix);
	return 0;
}
