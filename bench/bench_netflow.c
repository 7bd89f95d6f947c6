/*
 * bench_netflow.c — the NetFlow/IPFIX parser alone: ingest_netflow over a
 * file (a capture of export traffic, or export packets end to end) with a
 * sink that only counts, best of R runs (default 3).
 *
 *   bench_netflow FILE [R]
 *
 * Prints one line:
 *   bench_netflow: FILE: P export records, F flows (4 IPv4, 6 IPv6), S s,
 *                  X Mflows/s, Y MB/s, sum Z
 * where S is the best run's wall time, MB/s counts the file's bytes and
 * Z adds up the flows' ports, protocols and byte counts (for comparing
 * with another tool's reading of the same file).  Exit status 2 when the
 * file cannot be parsed.
 *
 * Build alone:
 *   cc -O2 -D_GNU_SOURCE -Isrc bench/bench_netflow.c build/rel/libdetente.a \
 *     $(pkg-config --cflags --libs libsodium jansson libmaxminddb sqlite3 zlib libpcap) \
 *     -lpthread -lm -o build/rel/bench/bench_netflow
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "ingest/parsers.h"

struct tally {
	uint64_t flows, v4, v6, sum;
};

static enum dt_err count(void *ctx, const struct event *ev)
{
	struct tally *t = ctx;

	t->flows++;
	t->v4 += ev->has_src && ev->src.family == DT_IP_V4;
	t->v6 += ev->has_src && ev->src.family == DT_IP_V6;
	t->sum += (uint64_t)(ev->sport + ev->dport + ev->proto) + (uint64_t)ev->orig_bytes;
	return DT_OK;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	struct tally best_tally = {0};
	struct ingest_counts best_c = {0};
	double best = 1e300;
	struct stat sb;
	int runs = 3;

	if (argc < 2 || argc > 3 || (argc == 3 && (runs = atoi(argv[2])) < 1)) {
		fprintf(stderr, "usage: bench_netflow FILE [RUNS]\n");
		return 2;
	}
	if (stat(argv[1], &sb) != 0) {
		perror(argv[1]);
		return 2;
	}
	for (int i = 0; i < runs; i++) {
		struct tally t = {0};
		struct ingest_counts c = {0};
		struct ingest_ctx x = {.name = argv[1], .sink = count, .sctx = &t, .c = &c};
		struct reader *r;
		struct dt_diag d;
		enum dt_err err;
		double t0 = now(), dt;

		if (reader_open_file(argv[1], &r, &d) != DT_OK) {
			fprintf(stderr, "bench_netflow: %s: %s\n", argv[1], d.msg);
			return 2;
		}
		err = ingest_netflow(r, &x, &d);
		reader_close(r);
		dt = now() - t0;
		if (err) {
			char msg[1024];

			dt_diag_format(&d, msg, sizeof(msg));
			fprintf(stderr, "bench_netflow: %s\n", msg);
			return 2;
		}
		if (dt < best) {
			best = dt;
			best_tally = t;
			best_c = c;
		}
	}
	printf("bench_netflow: %s: %llu export records, %llu flows (%llu IPv4, %llu IPv6), %.3f s, "
	       "%.2f Mflows/s, %.0f MB/s, sum %llu\n",
	       argv[1], (unsigned long long)best_c.records, (unsigned long long)best_tally.flows,
	       (unsigned long long)best_tally.v4, (unsigned long long)best_tally.v6, best,
	       (double)best_tally.flows / best / 1e6, (double)sb.st_size / best / 1e6,
	       (unsigned long long)best_tally.sum);
	if (best_c.rejected)
		fprintf(stderr, "bench_netflow: %llu records rejected\n",
		        (unsigned long long)best_c.rejected);
	return 0;
}
