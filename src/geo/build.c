/*
 * build.c — turn overlapping, layered ranges into a partition of the
 * address space and write it as an index (format.h).
 *
 * The computation, per address family:
 *   1. every range contributes its start and end+1 as boundaries; sorted and
 *      made unique they cut the space into elementary intervals, inside
 *      which no input changes its mind;
 *   2. ranges are "painted" onto the elementary intervals in priority order
 *      (layer ascending, then wider before narrower, then input order), so
 *      the last painter of a field is the winner the contract in build.h
 *      describes; flags are OR-ed;
 *   3. adjacent intervals with identical answers are merged, and identical
 *      answers share one info record.
 * Everything is ordered by address or by input order, never by hash or
 * pointer value, which is what makes the output byte-identical across runs
 * and machines.
 */
#include "geo/build.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/file.h"
#include "core/hex.h"
#include "core/limits.h"
#include "geo/build_int.h"
#include "geo/format.h"

struct strtab {
	char *pool;
	size_t len, cap;
	uint32_t *off; /* id -> offset in pool */
	uint32_t n, ncap;
	uint32_t *slots; /* open addressing: id + 1, 0 empty */
	uint32_t nslots;
};

struct geo_builder {
	struct geo_range *ranges;
	size_t nranges, cap;
	struct strtab orgs;
	char flags[GEO_MAX_FLAGS][GEO_MAX_FLAG_NAME];
	unsigned nflags;
	struct geo_input_info *inputs;
	size_t ninputs;
	geo_warn_fn *warn;
	void *warn_ctx;
};

const char *geo_kind_name(enum geo_kind kind)
{
	switch (kind) {
	case GEO_IN_COUNTRY: return "country";
	case GEO_IN_ASN: return "asn";
	case GEO_IN_MMDB: return "mmdb";
	case GEO_IN_WARNINGLIST: return "warninglist";
	}
	return "unknown";
}

/* ---- string interning ------------------------------------------------ */

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static enum dt_err strtab_grow_slots(struct strtab *t)
{
	uint32_t n = t->nslots ? t->nslots * 2 : 1024;
	uint32_t *slots = calloc(n, sizeof(*slots));

	if (slots == NULL)
		return DT_ENOMEM;
	for (uint32_t id = 0; id < t->n; id++) {
		const char *s = t->pool + t->off[id];
		uint32_t i = hash_bytes(s, strlen(s)) & (n - 1);

		while (slots[i])
			i = (i + 1) & (n - 1);
		slots[i] = id + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return DT_OK;
}

static enum dt_err strtab_intern(struct strtab *t, const char *s, size_t n, uint32_t *id)
{
	uint32_t i;

	if ((t->n + 1) * 2 > t->nslots && strtab_grow_slots(t))
		return DT_ENOMEM;
	i = hash_bytes(s, n) & (t->nslots - 1);
	while (t->slots[i]) {
		const char *c = t->pool + t->off[t->slots[i] - 1];

		if (strncmp(c, s, n) == 0 && c[n] == '\0') {
			*id = t->slots[i] - 1;
			return DT_OK;
		}
		i = (i + 1) & (t->nslots - 1);
	}
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 65536;
		char *p;

		while (cap < t->len + n + 1)
			cap *= 2;
		if ((p = realloc(t->pool, cap)) == NULL)
			return DT_ENOMEM;
		t->pool = p;
		t->cap = cap;
	}
	if (t->n == t->ncap) {
		uint32_t cap = t->ncap ? t->ncap * 2 : 1024;
		uint32_t *p = realloc(t->off, cap * sizeof(*p));

		if (p == NULL)
			return DT_ENOMEM;
		t->off = p;
		t->ncap = cap;
	}
	memcpy(t->pool + t->len, s, n);
	t->pool[t->len + n] = '\0';
	t->off[t->n] = (uint32_t)t->len;
	t->len += n + 1;
	t->slots[i] = t->n + 1;
	*id = t->n++;
	return DT_OK;
}

static void strtab_release(struct strtab *t)
{
	free(t->pool);
	free(t->off);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* ---- built-in special-purpose ranges --------------------------------- */

/*
 * RFC 6890 and the registries it created (IANA IPv4/IPv6 Special-Purpose
 * Address Registries), plus RFC 9637's IPv6 documentation prefix.  Each
 * also gets "bogon": not a place an attacker's packets can honestly come
 * from on the public Internet.
 */
static const struct {
	const char *prefix;
	const char *flag;
} builtin[] = {
    {"0.0.0.0/8", "reserved"},
    {"10.0.0.0/8", "private"},
    {"100.64.0.0/10", "cgnat"},
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"},
    {"172.16.0.0/12", "private"},
    {"192.0.0.0/24", "reserved"},
    {"192.0.2.0/24", "documentation"},
    {"192.88.99.0/24", "reserved"},
    {"192.168.0.0/16", "private"},
    {"198.18.0.0/15", "benchmarking"},
    {"198.51.100.0/24", "documentation"},
    {"203.0.113.0/24", "documentation"},
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved"},
    {"255.255.255.255/32", "reserved"},
    {"::/128", "reserved"},
    {"::1/128", "loopback"},
    {"100::/64", "reserved"},
    {"2001:2::/48", "benchmarking"},
    {"2001:db8::/32", "documentation"},
    {"3fff::/20", "documentation"},
    {"fc00::/7", "private"},
    {"fe80::/10", "link-local"},
    {"ff00::/8", "multicast"},
};

static const char *const builtin_flag_order[] = {
    "bogon", "private",   "loopback", "link-local",   "documentation",
    "cgnat", "multicast", "reserved", "benchmarking",
};

int geo_builder_flag(struct geo_builder *b, const char *name)
{
	for (unsigned i = 0; i < b->nflags; i++)
		if (strcmp(b->flags[i], name) == 0)
			return (int)i;
	if (b->nflags == GEO_MAX_FLAGS || strlen(name) >= GEO_MAX_FLAG_NAME)
		return -1;
	snprintf(b->flags[b->nflags], GEO_MAX_FLAG_NAME, "%s", name);
	return (int)b->nflags++;
}

static enum dt_err add_builtins(struct geo_builder *b)
{
	struct geo_input_info none = {0};
	struct geo_src s = {.b = b, .info = &none, .name = "built-in", .layer = 0};
	int bogon;

	for (size_t i = 0; i < sizeof(builtin_flag_order) / sizeof(*builtin_flag_order); i++)
		geo_builder_flag(b, builtin_flag_order[i]);
	bogon = geo_builder_flag(b, "bogon");
	for (size_t i = 0; i < sizeof(builtin) / sizeof(*builtin); i++) {
		struct dt_prefix p;
		dt_u128 last;
		enum dt_err err;
		int bit = geo_builder_flag(b, builtin[i].flag);

		if (dt_prefix_parse(builtin[i].prefix, strlen(builtin[i].prefix), &p, NULL))
			return DT_EINVAL;
		last = p.ip.addr | (~dt_ip_mask(p.ip.family, p.len) & dt_ip_max(p.ip.family));
		err = geo_src_add(&s, p.ip.family, p.ip.addr, last, RF_FLAGS, 0, 0, NULL, 0,
		                  (1u << bit) | (1u << bogon));
		if (err)
			return err;
	}
	return DT_OK;
}

/* ---- builder life cycle ---------------------------------------------- */

enum dt_err geo_builder_new(struct geo_builder **out)
{
	struct geo_builder *b;
	enum dt_err err;

	*out = NULL;
	if (sodium_init() < 0)
		return DT_EINVAL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return DT_ENOMEM;
	if ((err = add_builtins(b))) {
		geo_builder_free(b);
		return err;
	}
	*out = b;
	return DT_OK;
}

void geo_builder_free(struct geo_builder *b)
{
	if (b == NULL)
		return;
	free(b->ranges);
	strtab_release(&b->orgs);
	free(b->inputs);
	free(b);
}

void geo_builder_set_warn(struct geo_builder *b, geo_warn_fn *fn, void *ctx)
{
	b->warn = fn;
	b->warn_ctx = ctx;
}

size_t geo_builder_inputs(const struct geo_builder *b, const struct geo_input_info **out)
{
	*out = b->inputs;
	return b->ninputs;
}

void geo_src_reject(struct geo_src *s, unsigned long line, const char *fmt, ...)
{
	struct dt_diag d;
	va_list ap;

	s->info->rejected++;
	if (s->b->warn == NULL)
		return;
	dt_diag_clear(&d);
	snprintf(d.file, sizeof(d.file), "%s", s->name);
	d.line = line;
	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof(d.msg), fmt, ap);
	va_end(ap);
	s->b->warn(s->b->warn_ctx, &d);
}

enum dt_err geo_src_add(struct geo_src *s, uint8_t family, dt_u128 lo, dt_u128 hi, uint8_t fields,
                        uint16_t cc, uint32_t asn, const char *org, size_t org_len, uint32_t flags)
{
	struct geo_builder *b = s->b;
	struct geo_range *r;
	uint32_t org_id = GEO_NO_ORG;

	if (org != NULL)
		org_len = strnlen(org, org_len); /* names are C strings in the index */
	if (org != NULL && org_len > 0 && (fields & RF_ORG)) {
		if (org_len > GEO_MAX_ORG)
			org_len = GEO_MAX_ORG;
		if (strtab_intern(&b->orgs, org, org_len, &org_id))
			return DT_ENOMEM;
	} else {
		fields &= (uint8_t)~RF_ORG;
	}
	if (fields == 0)
		return DT_OK;
	if (b->nranges == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		struct geo_range *p;

		if (cap > GEO_MAX_RANGES)
			cap = GEO_MAX_RANGES;
		if (b->nranges == cap)
			return DT_ELIMIT;
		if ((p = realloc(b->ranges, cap * sizeof(*p))) == NULL)
			return DT_ENOMEM;
		b->ranges = p;
		b->cap = cap;
	}
	r = &b->ranges[b->nranges++];
	r->lo = lo;
	r->hi = hi;
	r->layer = s->layer;
	r->seq = s->seq++;
	r->asn = asn;
	r->org = org_id;
	r->flags = flags;
	r->cc = cc;
	r->fields = fields;
	r->family = family;
	s->info->records++;
	return DT_OK;
}

uint16_t geo_cc_parse(const char *s, size_t len, bool *valid)
{
	*valid = true;
	if (len == 0 ||
	    (len == 2 && ((s[0] == '?' && s[1] == '?') || (s[0] == '-' && s[1] == '-'))))
		return 0;
	if (len != 2) {
		*valid = false;
		return 0;
	}
	char a = s[0], c = s[1];
	if (a >= 'a' && a <= 'z')
		a = (char)(a - 32);
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 32);
	if (a < 'A' || a > 'Z' || c < 'A' || c > 'Z') {
		*valid = false;
		return 0;
	}
	return (uint16_t)(((unsigned)a << 8) | (unsigned)c);
}

/* ---- inputs ---------------------------------------------------------- */

/* "# License: X" and "# Vendor: Y" in a range file's comment header. */
static void licence_from_header(const char *data, size_t len, char *out, size_t size)
{
	char lic[200] = "", vendor[200] = "";
	size_t i = 0;

	while (i < len && i < 65536 && data[i] == '#') {
		const char *eol = memchr(data + i, '\n', len - i);
		size_t n = eol ? (size_t)(eol - (data + i)) : len - i;
		const char *l = data + i;

		for (size_t k = 0; k + 8 < n; k++) {
			if (strncmp(l + k, "License:", 8) == 0 && !lic[0])
				snprintf(lic, sizeof(lic), "%.*s", (int)(n - k - 8), l + k + 8);
			if (strncmp(l + k, "Vendor:", 7) == 0 && !vendor[0])
				snprintf(vendor, sizeof(vendor), "%.*s", (int)(n - k - 7),
				         l + k + 7);
		}
		i += n + 1;
	}
	char *a = lic, *v = vendor;
	while (*a == ' ' || *a == '\t')
		a++;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*a && *v)
		snprintf(out, size, "%s (%s)", a, v);
	else if (*a)
		snprintf(out, size, "%s", a);
}

/*
 * Attribution that a data package's licence requires, keyed by the npm
 * package name found in package.json beside the input.
 */
static const struct {
	const char *package;
	const char *attribution;
} known_attribution[] = {
    {"@ip-location-db/asn", "ASN data by RouteViews (routeviews.org), the five RIRs via NRO "
                            "(nro.net) and DB-IP (db-ip.com), licensed CC BY 4.0"},
};

static void licence_from_package(const char *path, char *out, size_t size)
{
	char dir[1024], pj[1100];
	json_t *root;
	const char *name, *version, *license;

	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(pj, sizeof(pj), "%s/package.json", dirname(dir));
	if ((root = json_load_file(pj, 0, NULL)) == NULL)
		return;
	name = json_string_value(json_object_get(root, "name"));
	version = json_string_value(json_object_get(root, "version"));
	license = json_string_value(json_object_get(root, "license"));
	if (name != NULL) {
		const char *attr = NULL;

		for (size_t i = 0; i < sizeof(known_attribution) / sizeof(*known_attribution); i++)
			if (strcmp(known_attribution[i].package, name) == 0)
				attr = known_attribution[i].attribution;
		snprintf(out, size, "%s%s%s (npm %s@%s)", license ? license : "", attr ? ": " : "",
		         attr ? attr : "", name, version ? version : "?");
	}
	json_decref(root);
}

static enum dt_err add_input(struct geo_builder *b, enum geo_kind kind, const char *path,
                             const char *data, size_t len, const char *flag,
                             struct geo_input_info **out)
{
	struct geo_input_info *in, *p;

	if (b->ninputs == GEO_MAX_INPUTS)
		return DT_ELIMIT;
	if ((p = realloc(b->inputs, (b->ninputs + 1) * sizeof(*p))) == NULL)
		return DT_ENOMEM;
	b->inputs = p;
	in = &b->inputs[b->ninputs++];
	memset(in, 0, sizeof(*in));
	in->kind = kind;
	snprintf(in->path, sizeof(in->path), "%s", path);
	in->size = len;
	if (data != NULL)
		crypto_hash_sha256(in->sha256, (const unsigned char *)data, len);
	if (flag)
		snprintf(in->flag, sizeof(in->flag), "%s", flag);
	*out = in;
	return DT_OK;
}

static enum dt_err parse_input(struct geo_builder *b, struct geo_input_info *in, const char *name,
                               const char *data, size_t len, const char *flag, struct dt_diag *diag)
{
	struct geo_src s = {
	    .b = b,
	    .info = in,
	    .name = name,
	    .layer = (uint32_t)b->ninputs,
	};

	switch (in->kind) {
	case GEO_IN_COUNTRY:
		if (!in->licence[0])
			licence_from_header(data, len, in->licence, sizeof(in->licence));
		return geo_parse_ranges(&s, data, len, false, diag);
	case GEO_IN_ASN: return geo_parse_ranges(&s, data, len, true, diag);
	case GEO_IN_WARNINGLIST: return geo_parse_warninglist(&s, data, len, flag, diag);
	case GEO_IN_MMDB: return geo_parse_mmdb(&s, name, diag);
	}
	return DT_EINVAL;
}

/* Removes the ranges of the last input (after it failed as a whole). */
static void drop_last_input(struct geo_builder *b)
{
	uint32_t layer = (uint32_t)b->ninputs;

	while (b->nranges > 0 && b->ranges[b->nranges - 1].layer == layer)
		b->nranges--;
	b->ninputs--;
}

enum dt_err geo_builder_add_buffer(struct geo_builder *b, enum geo_kind kind, const char *name,
                                   const char *data, size_t len, const char *flag,
                                   struct dt_diag *diag)
{
	struct geo_input_info *in;
	enum dt_err err;

	if (kind == GEO_IN_MMDB)
		return DT_EINVAL;
	if ((err = add_input(b, kind, name, data, len, flag, &in)))
		return err;
	if ((err = parse_input(b, in, name, data, len, flag, diag)))
		drop_last_input(b);
	return err;
}

enum dt_err geo_builder_add_file(struct geo_builder *b, enum geo_kind kind, const char *path,
                                 const char *flag, struct dt_diag *diag)
{
	struct geo_input_info *in;
	char *data = NULL;
	size_t len = 0;
	enum dt_err err;

	if ((err = dt_read_file(path, GEO_MAX_INDEX_BYTES, &data, &len, diag)))
		return err;
	if ((err = add_input(b, kind, path, data, len, flag, &in)))
		goto out;
	if (kind == GEO_IN_ASN || kind == GEO_IN_COUNTRY)
		licence_from_package(path, in->licence, sizeof(in->licence));
	if ((err = parse_input(b, in, path, data, len, flag, diag)))
		drop_last_input(b);
out:
	free(data);
	return err;
}

/* ---- the computation ------------------------------------------------- */

static int cmp_u128(const void *a, const void *b)
{
	dt_u128 x = *(const dt_u128 *)a, y = *(const dt_u128 *)b;

	return (x > y) - (x < y);
}

static int cmp_paint(const void *a, const void *b)
{
	const struct geo_range *x = *(struct geo_range *const *)a;
	const struct geo_range *y = *(struct geo_range *const *)b;
	dt_u128 wx = x->hi - x->lo, wy = y->hi - y->lo;

	if (x->layer != y->layer)
		return x->layer < y->layer ? -1 : 1;
	if (wx != wy)
		return wx > wy ? -1 : 1; /* wider first: narrower paints last */
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Index of the first element >= v. */
static size_t lower_bound(const dt_u128 *a, size_t n, dt_u128 v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct info_key {
	uint16_t cc;
	uint32_t asn, org, flags;
};

struct infotab {
	struct info_key *keys;
	uint32_t n, cap;
	uint32_t *slots;
	uint32_t nslots;
};

static uint32_t info_hash(const struct info_key *k)
{
	uint64_t h = k->cc;

	h = h * 0x9E3779B97F4A7C15ull ^ k->asn;
	h = h * 0x9E3779B97F4A7C15ull ^ k->org;
	h = h * 0x9E3779B97F4A7C15ull ^ k->flags;
	h *= 0x9E3779B97F4A7C15ull;
	return (uint32_t)(h >> 32);
}

/* Field by field: the struct has padding, which memcmp would compare. */
static bool info_eq(const struct info_key *a, const struct info_key *b)
{
	return a->cc == b->cc && a->asn == b->asn && a->org == b->org && a->flags == b->flags;
}

static enum dt_err infotab_get(struct infotab *t, const struct info_key *k, uint32_t *id)
{
	uint32_t i;

	if ((t->n + 1) * 2 > t->nslots) {
		uint32_t n = t->nslots ? t->nslots * 2 : 4096;
		uint32_t *slots = calloc(n, sizeof(*slots));

		if (slots == NULL)
			return DT_ENOMEM;
		for (uint32_t j = 0; j < t->n; j++) {
			uint32_t s = info_hash(&t->keys[j]) & (n - 1);

			while (slots[s])
				s = (s + 1) & (n - 1);
			slots[s] = j + 1;
		}
		free(t->slots);
		t->slots = slots;
		t->nslots = n;
	}
	i = info_hash(k) & (t->nslots - 1);
	while (t->slots[i]) {
		const struct info_key *c = &t->keys[t->slots[i] - 1];

		if (info_eq(c, k)) {
			*id = t->slots[i] - 1;
			return DT_OK;
		}
		i = (i + 1) & (t->nslots - 1);
	}
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 4096;
		struct info_key *p = realloc(t->keys, cap * sizeof(*p));

		if (p == NULL)
			return DT_ENOMEM;
		t->keys = p;
		t->cap = cap;
	}
	t->keys[t->n] = *k;
	t->slots[i] = t->n + 1;
	*id = t->n++;
	return DT_OK;
}

/* The partition of one family: run starts and their info ids. */
struct partition {
	dt_u128 *start;
	uint32_t *info;
	size_t n;
};

static enum dt_err partition_family(struct geo_builder *b, uint8_t family, struct infotab *it,
                                    struct partition *out)
{
	dt_u128 max = dt_ip_max(family), *bound = NULL;
	struct geo_range **order = NULL;
	struct info_key *paint = NULL;
	size_t nr = 0, nb = 0, m;
	enum dt_err err = DT_ENOMEM;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < b->nranges; i++)
		nr += b->ranges[i].family == family;
	if ((bound = malloc((2 * nr + 1) * sizeof(*bound))) == NULL ||
	    (order = malloc((nr + 1) * sizeof(*order))) == NULL)
		goto out;
	bound[nb++] = 0;
	nr = 0;
	for (size_t i = 0; i < b->nranges; i++) {
		struct geo_range *r = &b->ranges[i];

		if (r->family != family)
			continue;
		order[nr++] = r;
		bound[nb++] = r->lo;
		if (r->hi != max)
			bound[nb++] = r->hi + 1;
	}
	qsort(bound, nb, sizeof(*bound), cmp_u128);
	m = 0;
	for (size_t i = 0; i < nb; i++)
		if (m == 0 || bound[i] != bound[m - 1])
			bound[m++] = bound[i];
	qsort(order, nr, sizeof(*order), cmp_paint);

	if ((paint = calloc(m, sizeof(*paint))) == NULL)
		goto out;
	for (size_t i = 0; i < m; i++)
		paint[i].org = GEO_NO_ORG;
	for (size_t k = 0; k < nr; k++) {
		const struct geo_range *r = order[k];
		size_t i0 = lower_bound(bound, m, r->lo);
		size_t i1 = r->hi == max ? m : lower_bound(bound, m, r->hi + 1);

		for (size_t i = i0; i < i1; i++) {
			if (r->fields & RF_CC)
				paint[i].cc = r->cc;
			if (r->fields & RF_ASN)
				paint[i].asn = r->asn;
			if (r->fields & RF_ORG)
				paint[i].org = r->org;
			if (r->fields & RF_FLAGS)
				paint[i].flags |= r->flags;
		}
	}
	/* merge runs; reuse bound[] for the run starts */
	if ((out->info = malloc(m * sizeof(*out->info))) == NULL)
		goto out;
	out->n = 0;
	for (size_t i = 0; i < m; i++) {
		uint32_t id;

		if (i > 0 && info_eq(&paint[i], &paint[i - 1]))
			continue;
		if ((err = infotab_get(it, &paint[i], &id)))
			goto out;
		bound[out->n] = bound[i];
		out->info[out->n++] = id;
	}
	out->start = bound;
	bound = NULL;
	err = DT_OK;
out:
	free(bound);
	free(order);
	free(paint);
	if (err) {
		free(out->info);
		memset(out, 0, sizeof(*out));
	}
	return err;
}

/* A growable output image. */
struct image {
	uint8_t *p;
	size_t len, cap;
};

static enum dt_err image_reserve(struct image *im, size_t n)
{
	if (im->len + n <= im->cap)
		return DT_OK;
	size_t cap = im->cap ? im->cap : 1 << 20;
	while (cap < im->len + n)
		cap *= 2;
	uint8_t *p = realloc(im->p, cap);
	if (p == NULL)
		return DT_ENOMEM;
	im->p = p;
	im->cap = cap;
	return DT_OK;
}

/* Appends n bytes (NULL: zeros) at a GEO_ALIGN boundary; returns offset. */
static enum dt_err image_section(struct image *im, const void *data, size_t n, uint64_t *off)
{
	size_t pad = (GEO_ALIGN - im->len % GEO_ALIGN) % GEO_ALIGN;

	if (image_reserve(im, pad + n))
		return DT_ENOMEM;
	memset(im->p + im->len, 0, pad);
	im->len += pad;
	*off = im->len;
	if (data)
		memcpy(im->p + im->len, data, n);
	else
		memset(im->p + im->len, 0, n);
	im->len += n;
	return DT_OK;
}

static void fill_first(uint32_t *first, const dt_u128 *start, size_t n, unsigned shift)
{
	size_t i = 0;

	for (uint32_t blk = 0; blk <= 65536; blk++) {
		while (i < n && blk < 65536 && (uint32_t)(start[i] >> shift) < blk)
			i++;
		first[blk] = blk == 65536 ? (uint32_t)n : (uint32_t)i;
	}
}

/* fine[k]: the first start at or after block k of 2000::/3 (k = 0..2^20;
 * block 2^20 begins at 4000::). */
static void fill_fine6(uint32_t *fine, const dt_u128 *start, size_t n)
{
	const unsigned shift = 128 - 3 - GEO_FINE6_BITS;
	const dt_u128 base = (dt_u128)1 << 125; /* 2000:: */
	size_t i = 0;

	while (i < n && start[i] < base)
		i++;
	for (uint32_t k = 0; k <= GEO_FINE6_BLOCKS; k++) {
		dt_u128 blk = base + ((dt_u128)k << shift);

		while (i < n && start[i] < blk)
			i++;
		fine[k] = (uint32_t)i;
	}
}

enum dt_err geo_builder_serialize(struct geo_builder *b, uint8_t **outp, size_t *outlen,
                                  struct dt_diag *diag)
{
	struct partition p4 = {0}, p6 = {0};
	struct infotab it = {0};
	struct image im = {0};
	struct geo_hdr h;
	uint32_t *first = NULL, *orgmap = NULL, *tmp32 = NULL;
	uint16_t *low = NULL;
	struct geo_v6key *k6 = NULL;
	uint32_t *mid6 = NULL, *fine6 = NULL;
	struct geo_info_rec *recs = NULL;
	struct image strings = {0};
	uint32_t flagoff[GEO_MAX_FLAGS];
	enum dt_err err;

	*outp = NULL;
	if ((err = partition_family(b, DT_IP_V4, &it, &p4)) ||
	    (err = partition_family(b, DT_IP_V6, &it, &p6)))
		goto out;
	if (p4.n > UINT32_MAX / 2 || p6.n > UINT32_MAX / 2) {
		dt_diag_set(diag, NULL, 0, "too many intervals");
		err = DT_ELIMIT;
		goto out;
	}
	err = DT_ENOMEM;
	if ((first = malloc(65537 * sizeof(*first))) == NULL ||
	    (low = malloc((p4.n + 1) * sizeof(*low))) == NULL ||
	    (tmp32 = malloc((p4.n + 1) * sizeof(*tmp32))) == NULL ||
	    (k6 = malloc((p6.n + 1) * sizeof(*k6))) == NULL ||
	    (mid6 = malloc((p6.n + 1) * sizeof(*mid6))) == NULL ||
	    (fine6 = malloc((GEO_FINE6_BLOCKS + 1) * sizeof(*fine6))) == NULL ||
	    (recs = calloc(it.n + 1, sizeof(*recs))) == NULL ||
	    (orgmap = malloc((b->orgs.n + 1) * sizeof(*orgmap))) == NULL)
		goto out;

	/* strings: organisations in order of first use, then flag names */
	for (uint32_t i = 0; i < b->orgs.n; i++)
		orgmap[i] = GEO_NO_ORG;
	for (uint32_t i = 0; i < it.n; i++) {
		const struct info_key *k = &it.keys[i];
		struct geo_info_rec *r = &recs[i];

		r->cc[0] = (char)(k->cc >> 8);
		r->cc[1] = (char)(k->cc & 0xff);
		r->asn = k->asn;
		r->flags = k->flags;
		r->org = GEO_NO_ORG;
		if (k->org != GEO_NO_ORG) {
			if (orgmap[k->org] == GEO_NO_ORG) {
				const char *s = b->orgs.pool + b->orgs.off[k->org];
				size_t n = strlen(s) + 1;

				if (image_reserve(&strings, n))
					goto out;
				orgmap[k->org] = (uint32_t)strings.len;
				memcpy(strings.p + strings.len, s, n);
				strings.len += n;
			}
			r->org = orgmap[k->org];
		}
	}
	uint32_t norgs = 0;
	for (uint32_t i = 0; i < b->orgs.n; i++)
		norgs += orgmap[i] != GEO_NO_ORG;
	for (unsigned i = 0; i < b->nflags; i++) {
		size_t n = strlen(b->flags[i]) + 1;

		if (image_reserve(&strings, n))
			goto out;
		flagoff[i] = (uint32_t)strings.len;
		memcpy(strings.p + strings.len, b->flags[i], n);
		strings.len += n;
	}

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, GEO_MAGIC, 8);
	h.version = GEO_VERSION;
	h.hdr_size = sizeof(h);
	h.n4 = (uint32_t)p4.n;
	h.n6 = (uint32_t)p6.n;
	h.ninfo = it.n;
	h.nflags = b->nflags;
	h.ninputs = (uint32_t)b->ninputs;
	h.norgs = norgs;
	if (image_reserve(&im, sizeof(h)))
		goto out;
	im.len = sizeof(h);

	fill_first(first, p4.start, p4.n, 16);
	for (size_t i = 0; i < p4.n; i++) {
		low[i] = (uint16_t)p4.start[i];
		tmp32[i] = (uint32_t)p4.start[i];
	}
	if (image_section(&im, first, 65537 * sizeof(*first), &h.off_first4) ||
	    image_section(&im, low, p4.n * sizeof(*low), &h.off_low4) ||
	    image_section(&im, tmp32, p4.n * sizeof(*tmp32), &h.off_start4) ||
	    image_section(&im, p4.info, p4.n * sizeof(*p4.info), &h.off_info4))
		goto out;
	fill_first(first, p6.start, p6.n, 112);
	fill_fine6(fine6, p6.start, p6.n);
	for (size_t i = 0; i < p6.n; i++) {
		k6[i].hi = (uint64_t)(p6.start[i] >> 64);
		k6[i].lo = (uint64_t)p6.start[i];
		mid6[i] = (uint32_t)(k6[i].hi >> 16);
	}
	if (image_section(&im, first, 65537 * sizeof(*first), &h.off_first6) ||
	    image_section(&im, k6, p6.n * sizeof(*k6), &h.off_start6) ||
	    image_section(&im, p6.info, p6.n * sizeof(*p6.info), &h.off_info6) ||
	    image_section(&im, mid6, p6.n * sizeof(*mid6), &h.off_mid6) ||
	    image_section(&im, fine6, (GEO_FINE6_BLOCKS + 1) * sizeof(*fine6), &h.off_fine6) ||
	    image_section(&im, recs, it.n * sizeof(*recs), &h.off_info) ||
	    image_section(&im, strings.p, strings.len, &h.off_strings) ||
	    image_section(&im, flagoff, b->nflags * sizeof(uint32_t), &h.off_flags))
		goto out;
	h.len_strings = strings.len;
	{
		struct geo_input_rec *ir = calloc(b->ninputs + 1, sizeof(*ir));

		if (ir == NULL)
			goto out;
		for (size_t i = 0; i < b->ninputs; i++) {
			snprintf(ir[i].kind, sizeof(ir[i].kind), "%s",
			         geo_kind_name(b->inputs[i].kind));
			ir[i].size = b->inputs[i].size;
			memcpy(ir[i].sha256, b->inputs[i].sha256, 32);
		}
		err = image_section(&im, ir, b->ninputs * sizeof(*ir), &h.off_inputs);
		free(ir);
		if (err)
			goto out;
		err = DT_ENOMEM;
	}
	if (image_section(&im, NULL, 0, &h.file_size))
		goto out;
	memcpy(im.p, &h, sizeof(h));
	*outp = im.p;
	*outlen = im.len;
	im.p = NULL;
	err = DT_OK;
out:
	if (err == DT_ENOMEM)
		dt_diag_set(diag, NULL, 0, "out of memory building index");
	free(p4.start);
	free(p4.info);
	free(p6.start);
	free(p6.info);
	free(it.keys);
	free(it.slots);
	free(first);
	free(low);
	free(tmp32);
	free(k6);
	free(mid6);
	free(fine6);
	free(recs);
	free(orgmap);
	free(strings.p);
	free(im.p);
	return err;
}

static enum dt_err write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return DT_EIO;
		p += w;
		n -= (size_t)w;
	}
	return DT_OK;
}

enum dt_err geo_builder_write(struct geo_builder *b, const char *dir, struct geo_build_result *res,
                              struct dt_diag *diag)
{
	uint8_t *img = NULL, digest[32];
	size_t len = 0;
	char tmp[1200];
	struct stat st;
	int fd = -1;
	enum dt_err err;

	memset(res, 0, sizeof(*res));
	if ((err = geo_builder_serialize(b, &img, &len, diag)))
		return err;
	crypto_hash_sha256(digest, img, len);
	dt_hex_encode(digest, 32, res->hex);
	snprintf(res->path, sizeof(res->path), "%s/%s.idx", dir, res->hex);
	res->bytes = len;
	{
		const struct geo_hdr *h = (const struct geo_hdr *)img;

		res->intervals4 = h->n4;
		res->intervals6 = h->n6;
		res->infos = h->ninfo;
		res->orgs = h->norgs;
	}
	if (stat(res->path, &st) == 0 && (uint64_t)st.st_size == len)
		goto out; /* same name, same content: already there */
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.%ld", dir, res->hex, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		dt_diag_set(diag, tmp, 0, "cannot create: %s", strerror(errno));
		err = DT_EIO;
		goto out;
	}
	if (write_all(fd, img, len) || fsync(fd) < 0) {
		dt_diag_set(diag, tmp, 0, "write failed: %s", strerror(errno));
		err = DT_EIO;
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, res->path) < 0) {
		dt_diag_set(diag, res->path, 0, "rename failed: %s", strerror(errno));
		err = DT_EIO;
		unlink(tmp);
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	free(img);
	return err;
}
