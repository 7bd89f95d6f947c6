/* progress.c — see progress.h. */
#include "cli/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p, const char *what, uint64_t total)
{
	p->on = isatty(2) == 1;
	p->what = what;
	p->total = total;
	p->start = p->last = now();
}

void progress_update(struct progress *p, uint64_t bytes, uint64_t records)
{
	double t, el, rate;

	if (!p->on)
		return;
	t = now();
	if (t - p->last < 0.25)
		return;
	p->last = t;
	el = t - p->start;
	rate = el > 0 ? (double)records / el : 0;
	if (p->total && bytes > 0) {
		double eta = el * ((double)p->total / (double)bytes - 1.0);

		fprintf(stderr, "\r%s: %.1f/%.1f MB, %llu records, %.0f/s, ETA %.0fs   ", p->what,
		        (double)bytes / 1e6, (double)p->total / 1e6, (unsigned long long)records,
		        rate, eta);
	} else {
		fprintf(stderr, "\r%s: %.1f MB, %llu records, %.0f/s   ", p->what,
		        (double)bytes / 1e6, (unsigned long long)records, rate);
	}
}

void progress_done(struct progress *p)
{
	if (p->on && p->last > p->start)
		fputs("\r\033[K", stderr);
}
