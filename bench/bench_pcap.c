/*
 * bench_pcap.c — the pcap parser alone: ingest_pcap over a capture file
 * with a sink that only counts, best of R runs (default 3).
 *
 *   bench_pcap FILE [R]
 *
 * Prints one line:
 *   bench_pcap: FILE: P packets, C connections (T TCP, U UDP), S s, X Mpkt/s, Y MB/s
 * where S is the best run's wall time and MB/s counts the file's bytes.
 * Exit status 2 when the file cannot be parsed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "ingest/parsers.h"

struct tally {
	uint64_t conns, tcp, udp;
};

static enum dt_err count(void *ctx, const struct event *ev)
{
	struct tally *t = ctx;

	t->conns++;
	t->tcp += ev->proto == 6;
	t->udp += ev->proto == 17;
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
		fprintf(stderr, "usage: bench_pcap FILE [RUNS]\n");
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
			fprintf(stderr, "bench_pcap: %s: %s\n", argv[1], d.msg);
			return 2;
		}
		err = ingest_pcap(r, &x, &d);
		reader_close(r);
		dt = now() - t0;
		if (err) {
			char msg[1024];

			dt_diag_format(&d, msg, sizeof(msg));
			fprintf(stderr, "bench_pcap: %s\n", msg);
			return 2;
		}
		if (dt < best) {
			best = dt;
			best_tally = t;
			best_c = c;
		}
	}
	printf("bench_pcap: %s: %llu packets, %llu connections (%llu TCP, %llu UDP), %.3f s, "
	       "%.2f Mpkt/s, %.0f MB/s\n",
	       argv[1], (unsigned long long)best_c.records, (unsigned long long)best_tally.conns,
	       (unsigned long long)best_tally.tcp, (unsigned long long)best_tally.udp, best,
	       (double)best_c.records / best / 1e6, (double)sb.st_size / best / 1e6);
	if (best_c.rejected)
		fprintf(stderr, "bench_pcap: %llu packets rejected\n",
		        (unsigned long long)best_c.rejected);
	return 0;
}
