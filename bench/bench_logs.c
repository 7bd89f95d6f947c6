/*
 * bench_logs.c — speed of the text log parsers: ingest_syslog or
 * ingest_weblog over a file (plain or gzip) with a sink that only counts.
 *
 *   bench_logs syslog|weblog FILE [RUNS]
 *
 * Prints one line:
 *   <format> lines N events N seconds S cpu C lines/s R sum <checksums>
 * (the best of RUNS runs, default 1, by CPU time: S is wall time, C the
 * process's CPU time, R lines per CPU second, which a busy machine
 * disturbs less than wall time; both include reading the file through the
 * reader).  The checksum fields are what bench/logs.sh's mawk
 * program computes from the same file, so the two can be compared:
 *   syslog: events, and the sum of the source and destination ports
 *           (0 for none) of those events;
 *   weblog: events, the sum of the status codes, of the body bytes (0 for
 *           "-") and of the user agent lengths.
 * Reference time for RFC 3164 years: 2026-11-28T00:00:00Z, fixed so that
 * runs are comparable.
 */
#include "bench.h"

#include "ingest/parsers.h"

struct sums {
	uint64_t events, ports, status, bytes, ua_len;
};

static enum dt_err count(void *ctx, const struct event *ev)
{
	struct sums *s = ctx;

	s->events++;
	s->ports +=
	    (uint64_t)(ev->sport > 0 ? ev->sport : 0) + (uint64_t)(ev->dport > 0 ? ev->dport : 0);
	if (ev->signature.len >= 3 && ev->kind[0] == 'h') {
		const char *d = ev->signature.p + ev->signature.len - 3;

		s->status += (uint64_t)((d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0'));
	}
	s->bytes += (uint64_t)(ev->resp_bytes > 0 ? ev->resp_bytes : 0);
	s->ua_len += ev->user_agent.len;
	return DT_OK;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	ingest_fn *fn;
	struct ingest_counts c;
	struct sums s;
	struct dt_diag d;
	double best = 1e30, best_wall = 0;
	int runs = argc > 3 ? atoi(argv[3]) : 1;
	char msg[800];

	if (argc < 3 || (strcmp(argv[1], "syslog") && strcmp(argv[1], "weblog"))) {
		fprintf(stderr, "usage: bench_logs syslog|weblog FILE [RUNS]\n");
		return 2;
	}
	fn = argv[1][0] == 's' ? ingest_syslog : ingest_weblog;
	for (int k = 0; k < (runs > 0 ? runs : 1); k++) {
		struct ingest_ctx x = {argv[2], count, &s, NULL, NULL, &c, 1795824000000000LL};
		struct reader *r;
		enum dt_err err;
		double t0, c0;

		memset(&c, 0, sizeof(c));
		memset(&s, 0, sizeof(s));
		dt_diag_clear(&d);
		t0 = bench_now();
		c0 = cpu_now();
		if (reader_open_file(argv[2], &r, &d) == DT_OK) {
			err = fn(r, &x, &d);
			reader_close(r);
		} else {
			err = DT_EIO;
		}
		if (err) {
			dt_diag_format(&d, msg, sizeof(msg));
			fprintf(stderr, "bench_logs: %s\n", msg);
			return 1;
		}
		c0 = cpu_now() - c0;
		if (c0 < best) {
			best = c0;
			best_wall = bench_now() - t0;
		}
	}
	printf("%s lines %llu events %llu seconds %.3f cpu %.3f lines/s %.0f sum", argv[1],
	       (unsigned long long)c.records, (unsigned long long)c.events, best_wall, best,
	       (double)c.records / best);
	if (fn == ingest_syslog)
		printf(" %llu %llu\n", (unsigned long long)s.events, (unsigned long long)s.ports);
	else
		printf(" %llu %llu %llu %llu\n", (unsigned long long)s.events,
		       (unsigned long long)s.status, (unsigned long long)s.bytes,
		       (unsigned long long)s.ua_len);
	return 0;
}
