/*
 * store.h — events in the node's SQLite database (the embedded store).
 *
 * A submission (one ingested file) is a row of `submissions`: its digest,
 * ledger entry, format, victim, sector, refdata snapshot and counts.  Its
 * events go into compressed columnar blocks (store/block.h), rows of
 * `event_blocks` with the time span each covers.  The submission row and
 * all its blocks are written in one transaction, which is what makes
 * re-ingesting the same file a no-op and a crash mid-ingest leave the store
 * as it was.
 *
 * Scans return events in a deterministic order that both parties of a
 * working group reproduce from the same files: time, then the
 * submission's digest, then record number, then position.
 */
#ifndef DT_STORE_H
#define DT_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "geo/geo.h"
#include "ingest/event.h"
#include "store/block.h"

struct store;

enum dt_err store_open(const char *db, struct store **out, struct dt_diag *diag);
void store_close(struct store *s);

/* The ledger entry of an already stored submission, or false. */
bool store_submission(struct store *s, const uint8_t sha256[32], uint64_t *entry);

/* A submission, as stored with its events. */
struct store_submission_row {
	const uint8_t *sha256;
	uint64_t entry;
	const char *format, *victim, *sector, *name;
	const char *refdata; /* "sha256:<hex>" of the snapshot used, or NULL */
	const char *party;   /* NULL: this node's own submission; else the peer
	                        party that signed the ledger entry (`entry` is
	                        then that entry's index in the peer's log) */
};

/* Attributes the rows of a full block: calls block_add_geo once per row,
 * in order (block_remote tells each row's remote address).  Runs on the
 * store's writer thread, so that parsing and attribution use both cores. */
typedef enum dt_err store_attribute_fn(void *ctx, struct block_builder *b);

/* Opens the submission's transaction, records the submission and starts
 * the writer thread; attribute may be NULL (no attribution). */
enum dt_err store_begin(struct store *s, const struct store_submission_row *sub,
                        store_attribute_fn *attribute, void *actx, struct dt_diag *diag);

/* One event with its remote side decided (r->ev's strings are copied;
 * r's attribution fields are ignored: see store_attribute_fn). */
enum dt_err store_add_event(struct store *s, const struct block_row *r, struct dt_diag *diag);

/* Writes the last block, the submission's counts, and commits. */
enum dt_err store_commit(struct store *s, const struct ingest_counts *c, struct dt_diag *diag);
void store_rollback(struct store *s);

/* ---- reading ------------------------------------------------------------ */

struct store_query {
	const char *victim;         /* NULL: all */
	int64_t since_us, until_us; /* inclusive bounds; INT64_MIN/MAX for none */
	bool tsv;                   /* store_events: TSV, else JSON lines */
};

/* What a scan hands over for each event: the row, and its submission. */
struct store_hit {
	const struct block_row *row;
	const char *submission;                /* "sha256:<hex>" */
	uint64_t entry;                        /* ledger entry of the submission */
	const char *victim, *sector, *refdata; /* "" when not given */
	const char *party;                     /* "": this node; else the peer's */
	uint64_t block;                        /* event_blocks id and index: */
	uint32_t index;                        /* this node's handle on the event */
	const char *sightings;                 /* store_events: the event's sightings as */
	size_t sightings_len;                  /* a JSON array's members; else NULL */
};

/* Calls fn for each matching event in the order above; a non-DT_OK return
 * stops the scan with it.  The hit is valid during the call only.  fn runs
 * on the calling thread while a second thread reads and decodes the next
 * blocks (on the same connection, which SQLite serialises). */
typedef enum dt_err store_scan_fn(void *ctx, const struct store_hit *h);
enum dt_err store_scan(struct store *s, const struct store_query *q, store_scan_fn *fn, void *ctx,
                       struct dt_diag *diag);

/* store_scan reading only the columns in cols (a set of BLOCK_COL(c),
 * store/block.h): the hit's row holds the fields of those columns, the
 * rest zero or empty (block_get_cols).  Same rows, same order. */
enum dt_err store_scan_cols(struct store *s, const struct store_query *q, uint64_t cols,
                            store_scan_fn *fn, void *ctx, struct dt_diag *diag);

/* Writes the matching events as lines (JSON or TSV, each ending in "\n"),
 * handing them to row(ctx, text, len) in chunks of whole lines.  JSON
 * lines carry the fields of the CLI contract. */
typedef enum dt_err store_row_fn(void *ctx, const char *line, size_t len);
enum dt_err store_events(struct store *s, const struct store_query *q, store_row_fn *row, void *ctx,
                         struct dt_diag *diag);

/* ---- sightings: events that touched an indicator (intel/match.h) ---- */

/* One sighting: an event (by its block and position), the indicator it
 * matched, and what the indicator points at. */
struct store_sighting {
	uint64_t block;
	uint32_t idx;
	int64_t ts;
	const char *indicator;  /* STIX id */
	const char *value;      /* the indicator value that matched */
	const char *type;       /* its type (intel_type_name) */
	const char *field;      /* the event field: "src", "dst", "domain", "url", ... */
	const char *actor;      /* the actor/campaign it indicates, or "" */
	const char *chain;      /* e.g. "attributed to PLA Unit 61398", or NULL */
	uint64_t source;        /* ledger entry of the intel import */
	const char *suppressed; /* NULL: hostile; else why not ("warninglist:...",
	                           "private") */
};

/* A block not yet matched against every indicator: its id, the newest
 * indicator it was matched against (0: none), its rows, and its
 * submission's digest and ledger entry. */
typedef enum dt_err store_block_fn(void *ctx, uint64_t block, uint64_t upto, const struct block *k,
                                   const uint8_t sha[32], uint64_t entry);

/* Calls fn for each block whose events have not been matched against the
 * indicators up to gen, grouped by how far they were matched (ascending),
 * then by id. */
enum dt_err store_unmatched_blocks(struct store *s, uint64_t gen, store_block_fn *fn, void *ctx,
                                   struct dt_diag *diag);

/* The newest indicator any block was matched against (0: none). */
enum dt_err store_matched_generation(struct store *s, uint64_t *gen, struct dt_diag *diag);

/* One transaction for a match run: sightings added and blocks marked
 * matched up to gen become visible together at commit. */
enum dt_err store_match_begin(struct store *s, struct dt_diag *diag);
enum dt_err store_sighting_add(struct store *s, const struct store_sighting *g,
                               struct dt_diag *diag);
enum dt_err store_block_matched(struct store *s, uint64_t block, uint64_t gen,
                                struct dt_diag *diag);
enum dt_err store_match_commit(struct store *s, struct dt_diag *diag);
void store_match_rollback(struct store *s);

/* Inside a match transaction: for each (value, type) of the hostile
 * sightings, fn says why it is not hostile after all (a warning list
 * imported since), or NULL; those sightings are marked suppressed. */
typedef const char *store_recheck_fn(void *ctx, const char *value, const char *type);
enum dt_err store_sightings_recheck(struct store *s, store_recheck_fn *fn, void *ctx,
                                    struct dt_diag *diag);

/* Hostile sightings per indicator and submission, for exports: fn gets
 * the indicator id, the submission's ledger entry, the number of events,
 * and the first and last time (µs). */
typedef enum dt_err store_sighting_sum_fn(void *ctx, const char *indicator, uint64_t entry,
                                          uint64_t count, int64_t first, int64_t last);
enum dt_err store_sighting_sums(struct store *s, store_sighting_sum_fn *fn, void *ctx,
                                struct dt_diag *diag);

/* The hostile sightings by event: fn gets the event's block and position
 * and the actor's name ("" when the indicator points at none), once per
 * distinct (block, idx, actor), in that order. */
typedef enum dt_err store_actor_fn(void *ctx, uint64_t block, uint32_t idx, const char *actor);
enum dt_err store_sighting_actors(struct store *s, store_actor_fn *fn, void *ctx,
                                  struct dt_diag *diag);

/* Counts: sightings, hostile ones, and (events not NULL) events with at
 * least one. */
enum dt_err store_sighting_counts(struct store *s, uint64_t *all, uint64_t *hostile,
                                  uint64_t *events, struct dt_diag *diag);

/* The TSV header line of store_events (with newline). */
extern const char store_tsv_header[];

/* Formats one hit as a JSON object or TSV row (with newline) into b. */
enum dt_err store_format_json(struct strbuf *b, const struct store_hit *h);
enum dt_err store_format_tsv(struct strbuf *b, const struct store_hit *h);

#endif
