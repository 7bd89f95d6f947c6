/*
 * textlog.c — see textlog.h.
 *
 * The loop keeps no copy of a line: the classifier reads the reader's
 * window in place, and the event it fills points into that window (or into
 * the classifier's own buffers) only until the sink returns.  A line the
 * reader had to cut (longer than READER_MAX_WINDOW) is rejected without
 * being classified.
 */
#include "ingest/textlog.h"

#include <stdio.h>
#include <string.h>

static void report(const struct ingest_ctx *x, const char *name, unsigned long line,
                   const char *why)
{
	struct dt_diag d;

	if (x->warn == NULL)
		return;
	dt_diag_set(&d, name, line, "%s", why);
	x->warn(x->wctx, &d);
}

enum dt_err textlog_run(struct reader *r, const struct ingest_ctx *x, struct dt_diag *diag,
                        const char *what, textlog_fn *fn, void *ctx)
{
	struct ingest_counts local = {0};
	struct ingest_counts *c = x->c ? x->c : &local;
	const char *name = x->name ? x->name : "";
	unsigned long line = 0, first_line = 0;
	uint64_t good = 0;
	char why[TEXTLOG_WHY], first_why[TEXTLOG_WHY] = "";
	const char *l;
	size_t n;
	bool overlong;
	struct event ev;

	while (reader_line(r, &l, &n, &overlong)) {
		enum textlog_verdict vd;
		size_t k;

		line++;
		if (line == 1 && n >= 3 && memcmp(l, "\xef\xbb\xbf", 3) == 0) {
			l += 3;
			n -= 3;
		}
		if (n && l[n - 1] == '\r')
			n--;
		for (k = 0; k < n && (l[k] == ' ' || l[k] == '\t' || l[k] == '\r'); k++)
			;
		if (k == n && !overlong)
			continue; /* blank */
		c->records++;
		if (first_line == 0)
			first_line = line;
		if (overlong) {
			snprintf(why, sizeof(why), "line longer than %u bytes", READER_MAX_WINDOW);
			vd = TEXTLOG_REJECTED;
		} else {
			why[0] = '\0';
			vd = fn(ctx, l, n, &ev, why);
		}
		switch (vd) {
		case TEXTLOG_EVENT: {
			enum dt_err err;

			good++;
			ev.record = line;
			if ((err = x->sink(x->sctx, &ev)) != DT_OK) {
				dt_diag_set(diag, name, line, "%s", dt_strerror(err));
				return err;
			}
			c->events++;
			break;
		}
		case TEXTLOG_IGNORED:
			good++;
			c->ignored++;
			break;
		case TEXTLOG_REJECTED:
			if (!why[0])
				snprintf(why, sizeof(why), "malformed line");
			if (!first_why[0])
				memcpy(first_why, why, sizeof(why));
			report(x, name, line, why);
			c->rejected++;
			break;
		}
	}
	if (good == 0 && first_line != 0) {
		dt_diag_set(diag, name, first_line,
		            "not %s: every line was rejected (line %lu: %s)", what, first_line,
		            first_why);
		return DT_EFORMAT;
	}
	return DT_OK;
}
