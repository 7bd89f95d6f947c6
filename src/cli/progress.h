/*
 * progress.h — a progress line on stderr for long runs, only when stderr is
 * a terminal: bytes done of total, records/s, ETA.  Redrawn at most every
 * 250 ms; progress_done() erases it.
 */
#ifndef DT_CLI_PROGRESS_H
#define DT_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool on;
	const char *what;
	uint64_t total; /* bytes, 0 when unknown */
	double start, last;
};

void progress_init(struct progress *p, const char *what, uint64_t total);
void progress_update(struct progress *p, uint64_t bytes, uint64_t records);
void progress_done(struct progress *p);

#endif
