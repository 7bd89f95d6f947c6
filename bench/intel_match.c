/*
 * intel_match.c — indicator matching (intel/matchset.h) on text files, for
 * bench/intel.sh, to run beside the tool a user would otherwise reach for.
 *
 *   intel_match cidr [-n] CIDRFILE ADDRFILE
 *       CIDRFILE: one pattern a line in grepcidr's syntax (a.b.c.d,
 *       a.b.c.d/nn, a.b.c.d-e.f.g.h, IPv6 address or CIDR; blank lines and
 *       '#' comments skipped).  ADDRFILE: one address a line.  Counts the
 *       lines whose address falls in any pattern — the number
 *       `grepcidr -c -f CIDRFILE ADDRFILE` prints — parsing each line with
 *       dt_ip_parse and looking IPv4 up in batches (matchset_ip4_sets),
 *       IPv6 one at a time.  Then times the lookups alone on the
 *       pre-parsed IPv4 addresses (best of 5 passes; not with -n, which
 *       only counts, for timing the whole process against grepcidr).
 *   intel_match domain DOMAINFILE QUERYFILE
 *       DOMAINFILE: one indicator domain a line; QUERYFILE: one name a
 *       line.  Counts the names equal to or under any indicator domain
 *       (label boundaries: evil.com matches a.evil.com, not notevil.com),
 *       one matchset_domain() call per line; then the lookups alone over
 *       pre-split names (best of 3 passes).
 *
 * Prints progress on stderr and one line on stdout:
 *   matched=N lines=N patterns=N load_s=S build_s=S match_s=S lookup_s=S
 *   bytes=N
 * load_s: reading and parsing the pattern file (adds included); build_s:
 * matchset_build; match_s: parsing and looking up every input line (file
 * already in memory); lookup_s: the lookups alone, per pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "core/ip.h"
#include "intel/matchset.h"

#define CHUNK 4096

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "intel_match: cannot read %s\n", path);
		exit(2);
	}
	p = bench_alloc((size_t)n + 1, 1);
	if (fread(p, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "intel_match: short read on %s\n", path);
		exit(2);
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* The next line of [*p, end) without its newline and trailing white space. */
static bool next_line(const char **p, const char *end, const char **s, size_t *n)
{
	const char *q, *e;

	if (*p >= end)
		return false;
	q = memchr(*p, '\n', (size_t)(end - *p));
	e = q ? q : end;
	*s = *p;
	*p = q ? q + 1 : end;
	while (e > *s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*n = (size_t)(e - *s);
	return true;
}

static void die_err(const char *what, enum dt_err err)
{
	fprintf(stderr, "intel_match: %s: %s\n", what, dt_strerror(err));
	exit(2);
}

/* One grepcidr pattern: CIDR, address, or "a-b" range (split into CIDRs). */
static size_t add_pattern(struct matchset *m, const char *s, size_t n, uint32_t val)
{
	const char *dash = memchr(s, '-', n);
	struct dt_prefix p;
	struct dt_ip lo, hi;
	size_t added = 0;
	enum dt_err err;

	if (dash == NULL) {
		if (dt_prefix_parse(s, n, &p, NULL) != DT_OK)
			return 0;
		if ((err = matchset_add_prefix(m, &p, val)))
			die_err("add", err);
		return 1;
	}
	if (dt_ip_parse(s, (size_t)(dash - s), &lo) ||
	    dt_ip_parse(dash + 1, n - 1 - (size_t)(dash - s), &hi) || lo.family != hi.family ||
	    lo.addr > hi.addr)
		return 0;
	for (dt_u128 a = lo.addr;;) {
		uint8_t len = dt_ip_widest_prefix(lo.family, a, a, hi.addr);
		dt_u128 last = a | (~dt_ip_mask(lo.family, len) & dt_ip_max(lo.family));

		p.ip = lo;
		p.ip.addr = a;
		p.len = len;
		if ((err = matchset_add_prefix(m, &p, val)))
			die_err("add", err);
		added++;
		if (last >= hi.addr)
			break;
		a = last + 1;
	}
	return added;
}

static int run_cidr(const char *pfile, const char *afile, bool extra)
{
	struct matchset *m;
	struct matchset_stats st;
	struct ms_hits h = {0};
	size_t plen, alen, npat = 0, lines = 0, matched = 0, n4 = 0, k = 0;
	const char *p, *end, *s;
	char *pdata, *adata;
	uint32_t *all4, batch[CHUNK], ids[CHUNK];
	double t0, t_load, t_build, t_match, best = 1e9;
	enum dt_err err;
	size_t n;

	t0 = bench_now();
	if ((err = matchset_new(&m)))
		die_err("new", err);
	pdata = slurp(pfile, &plen);
	for (p = pdata, end = pdata + plen; next_line(&p, end, &s, &n);) {
		if (n == 0 || s[0] == '#')
			continue;
		if (add_pattern(m, s, n, (uint32_t)npat) == 0)
			fprintf(stderr, "intel_match: %s: bad pattern \"%.*s\"\n", pfile, (int)n,
			        s);
		npat++;
	}
	free(pdata);
	t_load = bench_now() - t0;
	t0 = bench_now();
	if ((err = matchset_build(m)))
		die_err("build", err);
	t_build = bench_now() - t0;
	matchset_stats(m, &st);
	fprintf(stderr,
	        "intel_match: %zu patterns: %zu prefixes, %zu+%zu intervals, %zu sets, "
	        "%.1f MiB; load %.3f s, build %.3f s\n",
	        npat, st.prefixes, st.intervals4, st.intervals6, st.sets,
	        (double)st.bytes / 1048576, t_load, t_build);

	adata = slurp(afile, &alen);
	/* "1.2.3.4\n" is 8 bytes */
	all4 = extra ? bench_alloc(alen / 8 + 1, sizeof(*all4)) : NULL;
	t0 = bench_now();
	for (p = adata, end = adata + alen; next_line(&p, end, &s, &n);) {
		struct dt_ip ip;

		lines++;
		if (dt_ip_parse(s, n, &ip) != DT_OK)
			continue;
		if (ip.family == DT_IP_V4) {
			batch[k++] = (uint32_t)ip.addr;
			if (k == CHUNK) {
				matchset_ip4_sets(m, batch, ids, k);
				for (size_t i = 0; i < k; i++)
					matched += ids[i] != 0;
				if (extra)
					memcpy(all4 + n4, batch, k * sizeof(*batch));
				n4 += k;
				k = 0;
			}
		} else {
			h.n = 0;
			matched += matchset_ip(m, &ip, &h) != 0;
		}
	}
	matchset_ip4_sets(m, batch, ids, k);
	for (size_t i = 0; i < k; i++)
		matched += ids[i] != 0;
	if (extra)
		memcpy(all4 + n4, batch, k * sizeof(*batch));
	n4 += k;
	t_match = bench_now() - t0;

	if (!extra) {
		best = 0;
		fprintf(stderr,
		        "intel_match: %zu lines, %zu match; parse+match %.3f s (%.1f M lines/s)\n",
		        lines, matched, t_match, (double)lines / t_match / 1e6);
	} else {
		uint32_t *out = bench_alloc(n4, sizeof(*out));
		size_t check = 0;

		for (int pass = 0; pass < 5; pass++) {
			t0 = bench_now();
			matchset_ip4_sets(m, all4, out, n4);
			t0 = bench_now() - t0;
			if (t0 < best)
				best = t0;
		}
		for (size_t i = 0; i < n4; i++)
			check += out[i] != 0;
		fprintf(stderr,
		        "intel_match: %zu lines (%zu IPv4), %zu match; parse+match %.3f s "
		        "(%.1f M lines/s); lookups alone %.4f s (%.1f M/s, %zu IPv4 hits)\n",
		        lines, n4, matched, t_match, (double)lines / t_match / 1e6, best,
		        (double)n4 / best / 1e6, check);
		free(out);
	}
	printf("matched=%zu lines=%zu patterns=%zu load_s=%.4f build_s=%.4f match_s=%.4f "
	       "lookup_s=%.5f lookups=%zu bytes=%zu\n",
	       matched, lines, npat, t_load, t_build, t_match, best, n4, st.bytes);
	free(adata);
	free(all4);
	ms_hits_release(&h);
	matchset_free(m);
	return 0;
}

static int run_domain(const char *dfile, const char *qfile)
{
	struct matchset *m;
	struct matchset_stats st;
	struct ms_hits h = {0};
	size_t dlen, qlen, npat = 0, lines = 0, matched = 0, n;
	const char *p, *end, *s;
	char *ddata, *qdata;
	double t0, t_load, t_build, t_match, best = 1e9;
	enum dt_err err;
	struct name {
		const char *s;
		size_t n;
	} * names;

	t0 = bench_now();
	if ((err = matchset_new(&m)))
		die_err("new", err);
	ddata = slurp(dfile, &dlen);
	for (p = ddata, end = ddata + dlen; next_line(&p, end, &s, &n);) {
		if (n == 0 || s[0] == '#')
			continue;
		if ((err = matchset_add_domain(m, s, n, (uint32_t)npat++)))
			die_err("add", err);
	}
	free(ddata);
	t_load = bench_now() - t0;
	t0 = bench_now();
	if ((err = matchset_build(m)))
		die_err("build", err);
	t_build = bench_now() - t0;
	matchset_stats(m, &st);
	fprintf(stderr,
	        "intel_match: %zu domains (%zu distinct), %.1f MiB; load %.3f s, "
	        "build %.3f s\n",
	        npat, st.domains, (double)st.bytes / 1048576, t_load, t_build);

	qdata = slurp(qfile, &qlen);
	n = 1;
	for (p = qdata; (p = memchr(p, '\n', (size_t)(qdata + qlen - p))) != NULL; p++)
		n++;
	names = bench_alloc(n, sizeof(*names));
	memset(names, 0, n * sizeof(*names)); /* touched before timing */
	t0 = bench_now();
	for (p = qdata, end = qdata + qlen; next_line(&p, end, &s, &n);) {
		h.n = 0;
		matched += matchset_domain(m, s, n, &h) != 0;
		names[lines].s = s;
		names[lines++].n = n;
	}
	t_match = bench_now() - t0;
	for (int pass = 0; pass < 3; pass++) {
		size_t c = 0;

		t0 = bench_now();
		for (size_t i = 0; i < lines; i++) {
			h.n = 0;
			c += matchset_domain(m, names[i].s, names[i].n, &h) != 0;
		}
		t0 = bench_now() - t0;
		if (c != matched)
			fprintf(stderr, "intel_match: pass %d counted %zu, not %zu\n", pass, c,
			        matched);
		if (t0 < best)
			best = t0;
	}
	fprintf(stderr,
	        "intel_match: %zu names, %zu match; split+match %.3f s (%.2f M/s); "
	        "lookups alone %.3f s (%.2f M/s)\n",
	        lines, matched, t_match, (double)lines / t_match / 1e6, best,
	        (double)lines / best / 1e6);
	printf("matched=%zu lines=%zu patterns=%zu load_s=%.4f build_s=%.4f match_s=%.4f "
	       "lookup_s=%.5f lookups=%zu bytes=%zu\n",
	       matched, lines, npat, t_load, t_build, t_match, best, lines, st.bytes);
	free(qdata);
	free(names);
	ms_hits_release(&h);
	matchset_free(m);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "cidr") == 0)
		return run_cidr(argv[2], argv[3], true);
	if (argc == 5 && strcmp(argv[1], "cidr") == 0 && strcmp(argv[2], "-n") == 0)
		return run_cidr(argv[3], argv[4], false);
	if (argc == 4 && strcmp(argv[1], "domain") == 0)
		return run_domain(argv[2], argv[3]);
	fprintf(stderr, "usage: intel_match cidr [-n] CIDRFILE ADDRFILE\n"
	                "       intel_match domain DOMAINFILE QUERYFILE\n");
	return 2;
}
