/*
 * store.h — events in the node's SQLite database (the embedded store).
 *
 * One row per event, with its attribution and provenance (submission
 * digest, record number, ledger entry, refdata snapshot).  A submission's
 * events are written in one transaction together with its `submissions`
 * row, which is what makes re-ingesting the same file a no-op and a crash
 * mid-ingest leave the store as it was.
 */
#ifndef DT_STORE_H
#define DT_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "geo/geo.h"
#include "ingest/event.h"

struct store;

enum dt_err store_open(const char *db, struct store **out, struct dt_diag *diag);
void store_close(struct store *s);

/* The ledger entry of an already stored submission, or false. */
bool store_submission(struct store *s, const uint8_t sha256[32], uint64_t *entry);

enum dt_err store_begin(struct store *s, struct dt_diag *diag);
enum dt_err store_commit(struct store *s, struct dt_diag *diag);
void store_rollback(struct store *s);

/* One event and everything known about it. */
struct store_event {
	const struct event *ev;
	int remote;                   /* 0 none (internal), 1 src, 2 dst */
	const char *victim, *sector;  /* may be NULL */
	const struct geo_answer *geo; /* attribution of the remote endpoint, or NULL */
	const char *flags;            /* comma-separated flag names, "" if none */
	const char *submission;       /* "sha256:<hex>" */
	uint64_t entry;               /* ledger entry of the submission */
	const char *refdata;          /* "sha256:<hex>" of the snapshot used */
};

enum dt_err store_add_event(struct store *s, const struct store_event *e, struct dt_diag *diag);

struct store_submission_row {
	const uint8_t *sha256;
	uint64_t entry;
	const char *format, *victim, *name;
	uint64_t records, events, rejected;
};
enum dt_err store_add_submission(struct store *s, const struct store_submission_row *r,
                                 struct dt_diag *diag);

struct store_query {
	const char *victim;         /* NULL: all */
	int64_t since_us, until_us; /* inclusive bounds; INT64_MIN/MAX for none */
	bool tsv;                   /* else JSON lines */
};

/* Calls row(ctx, line, len) for each matching event, oldest first; each
 * line ends in "\n".  JSON lines carry the fields of the CLI contract. */
typedef enum dt_err store_row_fn(void *ctx, const char *line, size_t len);
enum dt_err store_events(struct store *s, const struct store_query *q, store_row_fn *row, void *ctx,
                         struct dt_diag *diag);

/* The TSV header line of store_events (with newline). */
extern const char store_tsv_header[];

#endif
