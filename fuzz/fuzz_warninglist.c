/*
 * fuzz_warninglist.c — MISP warning lists (geo/sources.c
 * geo_parse_warninglist) through the builder and back out of the index.
 *
 * The input is added twice to one builder: with the flag derived from the
 * list's name and description, and with an explicit flag "fuzz".  The
 * image must serialize and open.  Then, with the list's entries read here
 * with jansson and dt_prefix_parse exactly as the parser reads them, the
 * "fuzz" flag is an exact oracle: it is set on an address if and only if
 * an accepted entry covers it.  That is checked at both ends of (up to)
 * the first 64 accepted entries and just outside them, on the intervals at
 * both ends of each family, and on addresses made of the input bytes;
 * every answer must also satisfy fuzz_lookup's invariants.
 */
#include <jansson.h>

#include "fuzz.h"

#define MAX_CHECKED 64

struct entry {
	uint8_t family;
	dt_u128 first, last;
};

struct ctx {
	const struct geo_index *ix;
	struct entry *e;
	size_t n;
	int bit; /* of "fuzz"; -1 when the list was refused */
};

static void check(const struct ctx *c, uint8_t family, dt_u128 addr)
{
	struct dt_ip ip = {.family = family, .addr = addr};
	struct geo_answer a = fuzz_lookup(c->ix, &ip);
	bool covered = false;

	for (size_t i = 0; i < c->n && !covered; i++)
		covered = c->e[i].family == family && c->e[i].first <= addr &&
			  addr <= c->e[i].last;
	if (c->bit < 0)
		return;
	FUZZ_CHECK(covered == ((a.flags >> c->bit) & 1));
}

/* Accepted entries of the list, as geo_parse_warninglist accepts them. */
static struct entry *entries(const uint8_t *data, size_t size, size_t *n)
{
	json_error_t je;
	json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	json_t *list, *v;
	struct entry *e = NULL;
	size_t idx;

	*n = 0;
	if (root == NULL)
		return NULL;
	list = json_object_get(root, "list");
	if (json_is_array(list) && json_array_size(list) > 0) {
		e = malloc(json_array_size(list) * sizeof(*e));
		FUZZ_CHECK(e != NULL);
		json_array_foreach(list, idx, v) {
			const char *t = json_string_value(v);
			struct dt_prefix p;

			if (t == NULL || dt_prefix_parse(t, strlen(t), &p, NULL) != DT_OK)
				continue;
			e[*n].family = p.ip.family;
			e[*n].first = p.ip.addr;
			e[*n].last = p.ip.addr |
				     (~dt_ip_mask(p.ip.family, p.len) & dt_ip_max(p.ip.family));
			(*n)++;
		}
	}
	json_decref(root);
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct geo_builder *b;
	struct geo_index *ix;
	struct dt_diag d;
	struct ctx c = {.bit = -1};
	enum dt_err e1, e2;

	FUZZ_CHECK(geo_builder_new(&b) == DT_OK);
	geo_builder_set_warn(b, NULL, NULL);
	e1 = geo_builder_add_buffer(b, GEO_IN_WARNINGLIST, "fuzz-list", s, size, NULL, &d);
	FUZZ_CHECK(e1 == DT_OK || e1 == DT_EPARSE || e1 == DT_EFORMAT);
	e2 = geo_builder_add_buffer(b, GEO_IN_WARNINGLIST, "fuzz-list", s, size, "fuzz", &d);
	/* same text, same verdict (the flag cannot run out: builtins + 2 < 32) */
	FUZZ_CHECK(e2 == e1);
	ix = fuzz_build_open(b);

	c.ix = ix;
	c.e = entries(data, size, &c.n);
	if (e2 == DT_OK) {
		for (unsigned i = 0; i < geo_index_flag_count(ix); i++) {
			const char *name = geo_index_flag_name(ix, i);

			if (name && strcmp(name, "fuzz") == 0)
				c.bit = (int)i;
		}
		FUZZ_CHECK(c.bit >= 0);
	} else {
		/* a refused list leaves no flag behind */
		for (unsigned i = 0; i < geo_index_flag_count(ix); i++) {
			const char *name = geo_index_flag_name(ix, i);

			FUZZ_CHECK(name && strcmp(name, "fuzz") != 0);
		}
	}

	fuzz_walk(ix, DT_IP_V4, 32, true);
	fuzz_walk(ix, DT_IP_V6, 32, true);
	for (size_t i = 0; i < c.n && i < MAX_CHECKED; i++) {
		const struct entry *x = &c.e[i];

		check(&c, x->family, x->first);
		check(&c, x->family, x->last);
		if (x->first > 0)
			check(&c, x->family, x->first - 1);
		if (x->last < dt_ip_max(x->family))
			check(&c, x->family, x->last + 1);
	}
	{
		struct geo_stats st;
		dt_u128 first, last;
		struct geo_answer a;

		/* interval starts and ends near both ends of each family */
		geo_index_stats(ix, &st);
		for (int f = 0; f < 2; f++) {
			uint8_t family = f ? DT_IP_V6 : DT_IP_V4;
			uint32_t n = f ? st.intervals6 : st.intervals4;

			for (uint32_t i = 0; i < n; i++) {
				if (i == 16 && n > 32)
					i = n - 16;
				FUZZ_CHECK(geo_index_interval(ix, family, i, &first, &last,
							      &a) == DT_OK);
				check(&c, family, first);
				check(&c, family, last);
			}
		}
	}
	for (size_t off = 0; off + 4 <= size && off < 16 * 7; off += 7) {
		check(&c, DT_IP_V4, fuzz_u128(data + off, 4));
		if (off + 16 <= size)
			check(&c, DT_IP_V6, fuzz_u128(data + off, 16));
	}
	free(c.e);
	geo_index_free(ix);
	return 0;
}
