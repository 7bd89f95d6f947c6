/*
 * textlog.h — the line loop shared by the parsers of line-oriented text
 * logs (syslog, web server access logs).
 *
 * textlog_run reads the input line by line through the reader, numbers the
 * lines from 1 (blank ones included, so a line number finds the line
 * again), drops a UTF-8 byte order mark before the first line and the "\r"
 * of CRLF line ends, skips blank lines, and hands every other line to the
 * format's classifier.  The classifier either fills an event (which the
 * loop numbers and passes to the sink), or says the line is of no
 * interest, or rejects it with a reason, which the loop reports to warn as
 * name:line and counts.  The input is refused as a whole (DT_EFORMAT, with
 * the first line's reason) when it has non-blank lines and the classifier
 * rejected every one of them.
 */
#ifndef DT_INGEST_TEXTLOG_H
#define DT_INGEST_TEXTLOG_H

#include "ingest/parsers.h"

/* What the classifier made of a line. */
enum textlog_verdict {
	TEXTLOG_EVENT,    /* *ev is filled: pass it to the sink */
	TEXTLOG_IGNORED,  /* valid in the format, of no interest */
	TEXTLOG_REJECTED, /* malformed: *why says why */
};

/* The reason buffer a classifier writes into. */
#define TEXTLOG_WHY 200

/*
 * Classifies line[0..len) (no "\n" or trailing "\r"; not blank).  For
 * TEXTLOG_EVENT it has called event_init(ev) and filled ev; its strings may
 * point into the line or into ctx, and need live only until the next call.
 * For TEXTLOG_REJECTED it writes a reason (lower case, no full stop) to
 * why, a buffer of TEXTLOG_WHY bytes.
 */
typedef enum textlog_verdict textlog_fn(void *ctx, const char *line, size_t len, struct event *ev,
                                        char *why);

/*
 * Runs the loop over r with the sink, warn, name and counts of x.  `what`
 * names the format in the whole-input refusal ("syslog").  Returns DT_OK,
 * DT_EFORMAT with diag, or the sink's error with diag at its line.
 */
enum dt_err textlog_run(struct reader *r, const struct ingest_ctx *x, struct dt_diag *diag,
                        const char *what, textlog_fn *fn, void *ctx);

#endif
