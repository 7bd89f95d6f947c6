/*
 * index.c — map an attribution index and answer lookups (layout: format.h).
 *
 * geo_index_open() checks every invariant a lookup relies on — section
 * bounds, monotone block table, sorted starts consistent with their block,
 * info and string references in range — in one linear pass, so the lookup
 * code can be branch-light and check nothing.  A corrupt or hostile file is
 * refused at open, never read out of bounds later.
 */
#include "geo/geo.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hex.h"
#include "core/limits.h"
#include "geo/format.h"

struct geo_index {
	const uint8_t *map;
	size_t size;
	const struct geo_hdr *h;
	const uint32_t *first4, *start4, *info4, *first6, *info6, *mid6, *fine6, *flagoff;
	const uint16_t *low4;
	const struct geo_v6key *start6;
	const struct geo_info_rec *info;
	const char *strings;
	const struct geo_input_rec *inputs;
	uint32_t n4, n6;
	char digest[7 + 65];
};

static bool section_ok(const struct geo_hdr *h, uint64_t off, uint64_t count, uint64_t elem)
{
	if (off % GEO_ALIGN != 0 || off < sizeof(*h) || off > h->file_size)
		return false;
	if (elem != 0 && count > (h->file_size - off) / elem)
		return false;
	return true;
}

static const char *validate(struct geo_index *x)
{
	const struct geo_hdr *h = x->h;

	if (x->size < sizeof(*h) || memcmp(h->magic, GEO_MAGIC, 8) != 0)
		return "not a detente attribution index (bad magic)";
	if (h->version != GEO_VERSION)
		return "unsupported index version";
	if (h->hdr_size != sizeof(*h) || h->file_size != x->size)
		return "truncated or extended index (size mismatch)";
	if (!section_ok(h, h->off_first4, 65537, 4) || !section_ok(h, h->off_low4, h->n4, 2) ||
	    !section_ok(h, h->off_start4, h->n4, 4) || !section_ok(h, h->off_info4, h->n4, 4) ||
	    !section_ok(h, h->off_first6, 65537, 4) || !section_ok(h, h->off_start6, h->n6, 16) ||
	    !section_ok(h, h->off_info6, h->n6, 4) || !section_ok(h, h->off_mid6, h->n6, 4) ||
	    !section_ok(h, h->off_fine6, GEO_FINE6_BLOCKS + 1, 4) ||
	    !section_ok(h, h->off_info, h->ninfo, sizeof(struct geo_info_rec)) ||
	    !section_ok(h, h->off_strings, h->len_strings, 1) ||
	    !section_ok(h, h->off_flags, h->nflags, 4) ||
	    !section_ok(h, h->off_inputs, h->ninputs, sizeof(struct geo_input_rec)))
		return "section outside the file";
	if (h->n4 == 0 || h->n6 == 0 || h->ninfo == 0 || h->nflags > GEO_MAX_FLAGS)
		return "empty partition or too many flags";
	x->first4 = (const uint32_t *)(x->map + h->off_first4);
	x->low4 = (const uint16_t *)(x->map + h->off_low4);
	x->start4 = (const uint32_t *)(x->map + h->off_start4);
	x->info4 = (const uint32_t *)(x->map + h->off_info4);
	x->first6 = (const uint32_t *)(x->map + h->off_first6);
	x->start6 = (const struct geo_v6key *)(x->map + h->off_start6);
	x->info6 = (const uint32_t *)(x->map + h->off_info6);
	x->mid6 = (const uint32_t *)(x->map + h->off_mid6);
	x->fine6 = (const uint32_t *)(x->map + h->off_fine6);
	x->info = (const struct geo_info_rec *)(x->map + h->off_info);
	x->strings = (const char *)(x->map + h->off_strings);
	x->flagoff = (const uint32_t *)(x->map + h->off_flags);
	x->inputs = (const struct geo_input_rec *)(x->map + h->off_inputs);
	x->n4 = h->n4;
	x->n6 = h->n6;

	if (h->len_strings > 0 && x->strings[h->len_strings - 1] != '\0')
		return "string table not terminated";
	if (x->first4[0] != 0 || x->first4[65536] != h->n4 || x->first6[0] != 0 ||
	    x->first6[65536] != h->n6)
		return "bad block table";
	for (uint32_t b = 0; b < 65536; b++)
		if (x->first4[b] > x->first4[b + 1] || x->first6[b] > x->first6[b + 1])
			return "block table not monotone";
	if (x->start4[0] != 0 || x->start6[0].hi != 0 || x->start6[0].lo != 0)
		return "partition does not start at address 0";
	for (uint32_t i = 0; i < h->n4; i++) {
		uint32_t s = x->start4[i], b = s >> 16;

		if ((i > 0 && s <= x->start4[i - 1]) || x->low4[i] != (uint16_t)s ||
		    i < x->first4[b] || i >= x->first4[b + 1] || x->info4[i] >= h->ninfo)
			return "IPv4 interval table inconsistent";
	}
	for (uint32_t i = 0; i < h->n6; i++) {
		const struct geo_v6key *k = &x->start6[i];
		uint32_t b = (uint32_t)(k->hi >> 48);

		if (i > 0 && (k->hi < x->start6[i - 1].hi ||
		              (k->hi == x->start6[i - 1].hi && k->lo <= x->start6[i - 1].lo)))
			return "IPv6 interval starts not increasing";
		if (i < x->first6[b] || i >= x->first6[b + 1] || x->info6[i] >= h->ninfo ||
		    x->mid6[i] != (uint32_t)(k->hi >> 16))
			return "IPv6 interval table inconsistent";
	}
	/* the fine table agrees with the starts: block k of 2000::/3 begins
	 * at fine6[k], ends before fine6[k + 1], all within 2000::/3 */
	for (uint32_t k = 0; k < GEO_FINE6_BLOCKS; k++)
		if (x->fine6[k] > x->fine6[k + 1] || x->fine6[k + 1] > h->n6)
			return "IPv6 fine block table not monotone";
	if (x->fine6[0] != x->first6[0x2000] || x->fine6[GEO_FINE6_BLOCKS] != x->first6[0x4000])
		return "IPv6 fine block table inconsistent with the block table";
	for (uint32_t i = x->fine6[0]; i < x->fine6[GEO_FINE6_BLOCKS]; i++) {
		uint32_t k = (uint32_t)(x->start6[i].hi >> (64 - 3 - GEO_FINE6_BITS)) &
		             (GEO_FINE6_BLOCKS - 1);

		if (i < x->fine6[k] || i >= x->fine6[k + 1])
			return "IPv6 fine block table inconsistent";
	}
	for (uint32_t i = 0; i < h->ninfo; i++) {
		const struct geo_info_rec *r = &x->info[i];

		if (r->org != GEO_NO_ORG && r->org >= h->len_strings)
			return "organisation reference outside the string table";
		if (h->nflags < 32 && (r->flags >> h->nflags) != 0)
			return "undefined flag bit";
		if ((r->cc[0] || r->cc[1]) &&
		    (r->cc[0] < 'A' || r->cc[0] > 'Z' || r->cc[1] < 'A' || r->cc[1] > 'Z'))
			return "bad country code";
	}
	for (uint32_t i = 0; i < h->nflags; i++)
		if (x->flagoff[i] >= h->len_strings)
			return "flag name outside the string table";
	for (uint32_t i = 0; i < h->ninputs; i++)
		if (memchr(x->inputs[i].kind, '\0', sizeof(x->inputs[i].kind)) == NULL)
			return "bad input record";
	return NULL;
}

static bool name_is_digest(const char *path, char *hex)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n != 68 || strcmp(base + 64, ".idx") != 0)
		return false;
	for (int i = 0; i < 64; i++)
		if (!((base[i] >= '0' && base[i] <= '9') || (base[i] >= 'a' && base[i] <= 'f')))
			return false;
	memcpy(hex, base, 64);
	hex[64] = '\0';
	return true;
}

enum dt_err geo_index_open(const char *path, struct geo_index **out, struct dt_diag *diag)
{
	struct geo_index *x;
	struct stat st;
	const char *why;
	char hex[65];
	void *map;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		dt_diag_set(diag, path, 0, "cannot open index: %s", strerror(errno));
		return errno == ENOENT ? DT_ENOTFOUND : DT_EIO;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < sizeof(struct geo_hdr) ||
	    (uint64_t)st.st_size > GEO_MAX_INDEX_BYTES) {
		dt_diag_set(diag, path, 0, "not a detente attribution index (size)");
		close(fd);
		return DT_EFORMAT;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		dt_diag_set(diag, path, 0, "cannot map index: %s", strerror(errno));
		return DT_EIO;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		munmap(map, (size_t)st.st_size);
		return DT_ENOMEM;
	}
	x->map = map;
	x->size = (size_t)st.st_size;
	x->h = map;
	if ((why = validate(x)) != NULL) {
		dt_diag_set(diag, path, 0, "%s", why);
		geo_index_free(x);
		return DT_EFORMAT;
	}
	if (!name_is_digest(path, hex)) {
		uint8_t d[32];

		crypto_hash_sha256(d, x->map, x->size);
		dt_hex_encode(d, 32, hex);
	}
	memcpy(x->digest, "sha256:", 7);
	memcpy(x->digest + 7, hex, 65);
	*out = x;
	return DT_OK;
}

void geo_index_free(struct geo_index *x)
{
	if (x == NULL)
		return;
	munmap((void *)x->map, x->size);
	free(x);
}

static inline uint32_t find4(const struct geo_index *x, uint32_t a)
{
	uint32_t b = a >> 16, lo = x->first4[b], n = x->first4[b + 1] - lo;
	uint16_t key = (uint16_t)a;
	const uint16_t *p = x->low4 + lo;

	if (n == 0)
		return lo - 1;
	while (n > 1) {
		uint32_t half = n / 2;

		p = p[half] <= key ? p + half : p;
		n -= half;
	}
	return (uint32_t)(p - x->low4) - (*p > key);
}

static inline bool le6(const struct geo_v6key *k, uint64_t hi, uint64_t lo)
{
	return k->hi < hi || (k->hi == hi && k->lo <= lo);
}

/*
 * The last interval starting at or before a: a branch-free search on the
 * 32-bit keys mid6 (bits 16..47) inside the /16 block, then, only if that
 * key equals a's, a search on full keys among the intervals sharing it.
 */
static inline uint32_t find6(const struct geo_index *x, dt_u128 a)
{
	uint64_t hi = (uint64_t)(a >> 64), lo = (uint64_t)a;
	uint32_t base, n, key = (uint32_t)(hi >> 16);

	if ((hi >> 61) == 1) {
		/* 2000::/3: the /23 block table */
		uint32_t k = (uint32_t)(hi >> (64 - 3 - GEO_FINE6_BITS)) & (GEO_FINE6_BLOCKS - 1);

		base = x->fine6[k];
		n = x->fine6[k + 1] - base;
	} else {
		uint32_t b = (uint32_t)(hi >> 48);

		base = x->first6[b];
		n = x->first6[b + 1] - base;
	}
	const uint32_t *p = x->mid6 + base;
	uint32_t i, run;

	if (n == 0)
		return base - 1;
	while (n > 1) {
		uint32_t half = n / 2;

		p = p[half] <= key ? p + half : p;
		n -= half;
	}
	i = (uint32_t)(p - x->mid6);
	if (*p > key)
		return i - 1;
	if (*p < key)
		return i;
	/* intervals base..i with mid6 == key: the first of them */
	{
		uint32_t l = base, h = i;

		while (l < h) {
			uint32_t m = l + (h - l) / 2;

			if (x->mid6[m] < key)
				l = m + 1;
			else
				h = m;
		}
		run = l;
	}
	/* last of run..i whose full start <= a */
	{
		const struct geo_v6key *q = x->start6 + run;
		uint32_t m = i - run + 1;

		while (m > 1) {
			uint32_t half = m / 2;

			q = le6(&q[half], hi, lo) ? q + half : q;
			m -= half;
		}
		return (uint32_t)(q - x->start6) - !le6(q, hi, lo);
	}
}

void geo_info_get(const struct geo_index *x, uint32_t id, struct geo_answer *out)
{
	const struct geo_info_rec *r = &x->info[id];

	out->country[0] = r->cc[0];
	out->country[1] = r->cc[1];
	out->country[2] = '\0';
	out->asn = r->asn;
	out->as_org = r->org == GEO_NO_ORG ? NULL : x->strings + r->org;
	out->flags = r->flags;
}

static void answer4(const struct geo_index *x, uint32_t a, uint32_t i, struct geo_answer *out)
{
	uint32_t lo = x->start4[i];
	uint32_t hi = i + 1 < x->n4 ? x->start4[i + 1] - 1 : UINT32_MAX;
	/* dt_ip_widest_prefix in 32-bit arithmetic: this runs per answer */
	unsigned l1 = lo ? (unsigned)__builtin_clz(a ^ (lo - 1)) + 1 : 0;
	unsigned l2 = hi != UINT32_MAX ? (unsigned)__builtin_clz(a ^ (hi + 1)) + 1 : 0;
	unsigned len = l1 > l2 ? l1 : l2;

	geo_info_get(x, x->info4[i], out);
	out->network.ip.family = DT_IP_V4;
	out->network.ip.mapped = false;
	out->network.len = (uint8_t)len;
	out->network.ip.addr = len ? a & (0xffffffffu << (32 - len)) : 0;
}

static void answer6(const struct geo_index *x, dt_u128 a, uint32_t i, struct geo_answer *out)
{
	dt_u128 lo = ((dt_u128)x->start6[i].hi << 64) | x->start6[i].lo;
	dt_u128 hi = ~(dt_u128)0;

	if (i + 1 < x->n6)
		hi = (((dt_u128)x->start6[i + 1].hi << 64) | x->start6[i + 1].lo) - 1;
	geo_info_get(x, x->info6[i], out);
	out->network.ip.family = DT_IP_V6;
	out->network.ip.mapped = false;
	out->network.len = dt_ip_widest_prefix(DT_IP_V6, a, lo, hi);
	out->network.ip.addr = a & dt_ip_mask(DT_IP_V6, out->network.len);
}

void geo_lookup(const struct geo_index *x, const struct dt_ip *ip, struct geo_answer *out)
{
	if (ip->family == DT_IP_V4) {
		uint32_t a = (uint32_t)ip->addr;

		answer4(x, a, find4(x, a), out);
	} else {
		answer6(x, ip->addr, find6(x, ip->addr), out);
	}
}

#define BATCH 16

void geo_lookup4_ids(const struct geo_index *x, const uint32_t *addrs, uint32_t *ids, size_t n)
{
	size_t i = 0;

	for (; i + BATCH <= n; i += BATCH) {
		uint32_t idx[BATCH];

		for (int j = 0; j < BATCH; j++)
			__builtin_prefetch(&x->first4[addrs[i + j] >> 16]);
		for (int j = 0; j < BATCH; j++) {
			uint32_t b = addrs[i + j] >> 16;
			uint32_t lo = x->first4[b], hi = x->first4[b + 1];

			__builtin_prefetch(&x->low4[lo + (hi - lo) / 2]);
		}
		for (int j = 0; j < BATCH; j++) {
			idx[j] = find4(x, addrs[i + j]);
			__builtin_prefetch(&x->info4[idx[j]]);
		}
		for (int j = 0; j < BATCH; j++)
			ids[i + j] = x->info4[idx[j]];
	}
	for (; i < n; i++)
		ids[i] = x->info4[find4(x, addrs[i])];
}

void geo_lookup_batch(const struct geo_index *x, const struct dt_ip *ips, struct geo_answer *out,
                      size_t n)
{
	size_t i = 0;

	for (; i + BATCH <= n; i += BATCH) {
		uint32_t idx[BATCH];

		for (int j = 0; j < BATCH; j++) {
			if (ips[i + j].family == DT_IP_V4)
				__builtin_prefetch(&x->first4[(uint32_t)ips[i + j].addr >> 16]);
			else
				__builtin_prefetch(&x->first6[(uint32_t)(ips[i + j].addr >> 112)]);
		}
		for (int j = 0; j < BATCH; j++) {
			const struct dt_ip *ip = &ips[i + j];

			idx[j] = ip->family == DT_IP_V4 ? find4(x, (uint32_t)ip->addr)
			                                : find6(x, ip->addr);
			if (ip->family == DT_IP_V4)
				__builtin_prefetch(&x->info[x->info4[idx[j]]]);
		}
		for (int j = 0; j < BATCH; j++) {
			const struct dt_ip *ip = &ips[i + j];

			if (ip->family == DT_IP_V4)
				answer4(x, (uint32_t)ip->addr, idx[j], &out[i + j]);
			else
				answer6(x, ip->addr, idx[j], &out[i + j]);
		}
	}
	for (; i < n; i++)
		geo_lookup(x, &ips[i], &out[i]);
}

enum dt_err geo_index_interval(const struct geo_index *x, uint8_t family, uint32_t i,
                               dt_u128 *first, dt_u128 *last, struct geo_answer *out)
{
	if (family == DT_IP_V4) {
		if (i >= x->n4)
			return DT_ENOTFOUND;
		*first = x->start4[i];
		*last = i + 1 < x->n4 ? (dt_u128)x->start4[i + 1] - 1 : 0xffffffffu;
		answer4(x, x->start4[i], i, out);
		return DT_OK;
	}
	if (i >= x->n6)
		return DT_ENOTFOUND;
	*first = ((dt_u128)x->start6[i].hi << 64) | x->start6[i].lo;
	*last = ~(dt_u128)0;
	if (i + 1 < x->n6)
		*last = (((dt_u128)x->start6[i + 1].hi << 64) | x->start6[i + 1].lo) - 1;
	answer6(x, *first, i, out);
	return DT_OK;
}

const char *geo_index_flag_name(const struct geo_index *x, unsigned bit)
{
	if (bit >= x->h->nflags)
		return NULL;
	return x->strings + x->flagoff[bit];
}

unsigned geo_index_flag_count(const struct geo_index *x)
{
	return x->h->nflags;
}

const char *geo_index_digest(const struct geo_index *x)
{
	return x->digest;
}

void geo_index_stats(const struct geo_index *x, struct geo_stats *out)
{
	out->file_bytes = x->size;
	out->intervals4 = x->h->n4;
	out->intervals6 = x->h->n6;
	out->infos = x->h->ninfo;
	out->orgs = x->h->norgs;
	out->inputs = x->h->ninputs;
}

enum dt_err geo_index_input(const struct geo_index *x, unsigned i, const char **kind,
                            uint64_t *size, const uint8_t **sha256)
{
	if (i >= x->h->ninputs)
		return DT_ENOTFOUND;
	*kind = x->inputs[i].kind;
	*size = x->inputs[i].size;
	*sha256 = x->inputs[i].sha256;
	return DT_OK;
}

enum dt_err geo_index_verify(const struct geo_index *x, struct dt_diag *diag)
{
	uint8_t d[32];
	char hex[65];

	crypto_hash_sha256(d, x->map, x->size);
	dt_hex_encode(d, 32, hex);
	if (strcmp(hex, x->digest + 7) != 0) {
		dt_diag_set(diag, NULL, 0, "index content hashes to sha256:%s, not %s", hex,
		            x->digest);
		return DT_EFORMAT;
	}
	return DT_OK;
}
