/*
 * pool.c — where the simulator's remote addresses come from: ranges of
 * named ASNs read from ip-location-db's asn-ipv4-num.csv (npm
 * @ip-location-db/asn; one "start,end,asn,organisation" line a range,
 * addresses as decimal integers, organisation possibly quoted), or fixed
 * CIDRs.  Using the ranges of the installed, pinned file means every
 * "hosting" or "cloud" address is a real address announced by that AS, and
 * `detente trace` attributes it as the README says.  The file's SHA-256 is
 * kept so the README can name the exact data the exercise depends on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "core/ip.h"
#include "core/sha256.h"
#include "sim/sim_int.h"

static int parse_u32(const char **p, uint32_t *out)
{
	uint64_t v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (uint64_t)(*s++ - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	if (*s != ',')
		return -1;
	*p = s + 1;
	*out = (uint32_t)v;
	return 0;
}

enum dt_err sim_asn_load(const char *path, struct sim_asndata *a, struct dt_diag *d)
{
	FILE *f = fopen(path, "r");
	struct dt_sha256 h;
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	unsigned long lineno = 0;
	ssize_t len;
	uint8_t dig[32];

	memset(a, 0, sizeof(*a));
	if (f == NULL) {
		dt_diag_set(d, path, 0,
		            "cannot open the ASN data: %s (scripts/bootstrap installs it)",
		            strerror(errno));
		return DT_ENOTFOUND;
	}
	if (dt_sha256_init(&h)) {
		fclose(f);
		return DT_ENOMEM;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		const char *p = line;
		struct sim_range r;

		lineno++;
		dt_sha256_update(&h, line, (size_t)len);
		if (parse_u32(&p, &r.lo) || parse_u32(&p, &r.hi) || parse_u32(&p, &r.asn) ||
		    r.hi < r.lo)
			continue; /* a header or a line of another shape: not a range */
		if (a->n == alloc) {
			size_t na = alloc ? alloc * 2 : 1 << 16;
			struct sim_range *nv = realloc(a->v, na * sizeof(*nv));

			if (nv == NULL) {
				free(line);
				fclose(f);
				dt_sha256_final(&h, dig);
				sim_asn_free(a);
				return DT_ENOMEM;
			}
			a->v = nv;
			alloc = na;
		}
		a->v[a->n++] = r;
	}
	free(line);
	dt_sha256_final(&h, dig);
	dt_hex_encode(dig, 32, a->sha256);
	if (ferror(f) || a->n == 0) {
		dt_diag_set(d, path, lineno, "%s",
		            ferror(f) ? "read error"
		                      : "no start,end,asn,org ranges in the ASN data");
		fclose(f);
		sim_asn_free(a);
		return a->n ? DT_EIO : DT_ENOTFOUND;
	}
	fclose(f);
	return DT_OK;
}

void sim_asn_free(struct sim_asndata *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* Larger range first, then lower start: a total order, so the choice is
 * the same on every machine. */
static int by_size(const void *x, const void *y)
{
	const struct sim_range *a = x, *b = y;
	uint32_t sa = a->hi - a->lo, sb = b->hi - b->lo;

	if (sa != sb)
		return sa > sb ? -1 : 1;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

enum dt_err sim_pool_asns(const struct sim_asndata *a, const uint32_t *asns, size_t n, unsigned per,
                          struct sim_pool *p, struct dt_diag *d)
{
	memset(p, 0, sizeof(*p));
	if ((p->v = malloc(n * per * sizeof(*p->v) + 1)) == NULL)
		return DT_ENOMEM;
	for (size_t k = 0; k < n; k++) {
		struct sim_range *mine = NULL;
		size_t m = 0, cap = 0;

		for (size_t i = 0; i < a->n; i++) {
			if (a->v[i].asn != asns[k])
				continue;
			if (m == cap) {
				struct sim_range *nv;

				cap = cap ? cap * 2 : 64;
				if ((nv = realloc(mine, cap * sizeof(*nv))) == NULL) {
					free(mine);
					sim_pool_free(p);
					return DT_ENOMEM;
				}
				mine = nv;
			}
			mine[m++] = a->v[i];
		}
		if (m)
			qsort(mine, m, sizeof(*mine), by_size);
		for (size_t i = 0; i < m && i < per; i++)
			p->v[p->n++] = mine[i];
		free(mine);
	}
	if (p->n == 0) {
		dt_diag_set(d, "", 0, "the ASN data has no range of AS%u%s", (unsigned)asns[0],
		            n > 1 ? " nor of the other ASNs of its campaign" : "");
		sim_pool_free(p);
		return DT_ENOTFOUND;
	}
	return DT_OK;
}

enum dt_err sim_pool_cidrs(const char *const *cidrs, struct sim_pool *p)
{
	size_t n = 0;

	while (cidrs[n])
		n++;
	memset(p, 0, sizeof(*p));
	if ((p->v = malloc((n + 1) * sizeof(*p->v))) == NULL)
		return DT_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct dt_prefix x;
		uint32_t lo, size;

		if (dt_prefix_parse(cidrs[i], strlen(cidrs[i]), &x, NULL) != DT_OK ||
		    x.ip.family != DT_IP_V4) {
			sim_pool_free(p);
			return DT_EINVAL;
		}
		lo = (uint32_t)x.ip.addr;
		size = x.len ? (uint32_t)((1ULL << (32 - x.len)) - 1) : UINT32_MAX;
		p->v[p->n++] = (struct sim_range){lo, lo + size, 0};
	}
	return DT_OK;
}

static int overlaps(const struct sim_range *r, const struct sim_pool *avoid, size_t navoid)
{
	for (size_t k = 0; k < navoid; k++)
		for (size_t i = 0; i < avoid[k].n; i++)
			if (r->lo <= avoid[k].v[i].hi && avoid[k].v[i].lo <= r->hi)
				return 1;
	return 0;
}

enum dt_err sim_pool_rest(const struct sim_asndata *a, const uint32_t *skip, size_t n,
                          const struct sim_pool *avoid, size_t navoid, struct sim_pool *p)
{
	memset(p, 0, sizeof(*p));
	if ((p->v = malloc(a->n * sizeof(*p->v) + 1)) == NULL)
		return DT_ENOMEM;
	for (size_t i = 0; i < a->n; i++) {
		size_t k = 0;

		while (k < n && skip[k] != a->v[i].asn)
			k++;
		if (k < n || a->v[i].hi - a->v[i].lo < 255 || overlaps(&a->v[i], avoid, navoid))
			continue;
		p->v[p->n++] = a->v[i];
	}
	return p->n ? DT_OK : DT_ENOTFOUND;
}

void sim_pool_free(struct sim_pool *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

uint32_t sim_pool_draw(const struct sim_pool *p, struct sim_rng *r)
{
	const struct sim_range *x = &p->v[sim_rng_below(r, p->n)];

	for (;;) {
		uint32_t a = x->lo + (uint32_t)sim_rng_below(r, (uint64_t)(x->hi - x->lo) + 1);

		if ((a & 0xff) != 0 && (a & 0xff) != 0xff)
			return a;
		if (x->hi - x->lo < 2) /* a range of only .0/.255: take the next address */
			return x->lo | 1;
	}
}
