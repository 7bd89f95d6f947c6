/*
 * ingest_parse.c — parse (and attribute) one telemetry file, no store:
 * the per-core speed of a parser, for bench/ingest.sh.
 *
 *   ingest_parse FORMAT FILE [INDEX]
 *
 * FORMAT is a name of ingest/formats.h.  With INDEX (a refdata .idx) each
 * event's remote endpoint (outside RFC 1918 and the other default home
 * networks) is attributed, in batches of BLOCK_MAX as the store's writer
 * does.  Prints one line: records events rejected seconds events/s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geo/geo.h"
#include "ingest/formats.h"
#include "ingest/reader.h"
#include "store/block.h"

static const struct geo_index *ix;
static struct dt_ip ips[BLOCK_MAX];
static struct geo_answer ans[BLOCK_MAX];
static size_t nips;
static uint64_t countries; /* answers with a country, so the work is used */

static bool home(const struct dt_ip *ip)
{
	uint32_t a = (uint32_t)ip->addr;

	if (ip->family != DT_IP_V4)
		return (ip->addr >> 121) == (0xfc >> 1); /* fc00::/7 */
	return (a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168) ||
	       (a >> 24) == 127 || (a >> 22) == (100u << 2 | 1);
}

static void flush(void)
{
	geo_lookup_batch(ix, ips, ans, nips);
	for (size_t i = 0; i < nips; i++)
		countries += ans[i].country[0] != 0;
	nips = 0;
}

static enum dt_err sink(void *ctx, const struct event *ev)
{
	(void)ctx;
	if (ix == NULL)
		return DT_OK;
	if (ev->has_src && !home(&ev->src))
		ips[nips++] = ev->src;
	else if (ev->has_dst && !home(&ev->dst))
		ips[nips++] = ev->dst;
	if (nips == BLOCK_MAX)
		flush();
	return DT_OK;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct ingest_counts c = {0};
	struct ingest_ctx x = {.sink = sink, .c = &c};
	struct geo_index *g = NULL;
	struct reader *r;
	struct dt_diag d;
	ingest_fn *fn;
	double t0, t;

	if (argc < 3 || (fn = ingest_format(argv[1])) == NULL) {
		fprintf(stderr, "usage: ingest_parse FORMAT FILE [INDEX]\n");
		return 2;
	}
	if (argc > 3) {
		if (geo_index_open(argv[3], &g, &d)) {
			fprintf(stderr, "%s: %s\n", argv[3], d.msg);
			return 2;
		}
		ix = g;
	}
	x.name = argv[2];
	if (reader_open_file(argv[2], &r, &d)) {
		fprintf(stderr, "%s: %s\n", argv[2], d.msg);
		return 2;
	}
	t0 = now();
	if (fn(r, &x, &d)) {
		fprintf(stderr, "%s: %s\n", argv[2], d.msg);
		return 1;
	}
	if (ix && nips)
		flush();
	t = now() - t0;
	printf("%llu %llu %llu %.3f %.0f\n", (unsigned long long)c.records,
	       (unsigned long long)c.events, (unsigned long long)c.rejected, t,
	       (double)c.events / t);
	fprintf(stderr, "(%llu answers with a country)\n", (unsigned long long)countries);
	reader_close(r);
	geo_index_free(g);
	return 0;
}
