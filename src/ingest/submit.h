/*
 * submit.h — ingesting one file as a submission: hash it, detect the
 * format, record it in the ledger (a signed entry committing to the file's
 * SHA-256; the file kept as payload), parse it, decide which endpoint of
 * each event is remote, attribute that endpoint from the active reference
 * data, and store the events — all of a file's events in one transaction.
 * The file is streamed (ingest/reader.h), never held whole in memory.
 *
 * This is the one place where parsers, ledger, store and attribution meet,
 * so it sits above all of them.
 */
#ifndef DT_INGEST_SUBMIT_H
#define DT_INGEST_SUBMIT_H

#include "core/ip.h"
#include "geo/geo.h"
#include "ingest/event.h"
#include "ledger/ledger.h"
#include "store/store.h"

#define SUBMIT_MAX_HOME 64

struct submit_opts {
	const char *format; /* "auto" or a name of ingest/formats.h */
	const char *victim, *sector, *tlp;
	struct dt_prefix home[SUBMIT_MAX_HOME];
	size_t nhome;
	int64_t now_us; /* reference time for year-less timestamps (0: now) */
	/* progress of the parse: bytes of the file read of its size, events
	 * so far; called every few thousand events; may be NULL */
	void (*progress)(void *pctx, uint64_t done, uint64_t total, uint64_t events);
	void *pctx;
};

/* The default home networks: RFC 1918, RFC 6598, loopback, link-local,
 * IPv6 unique-local. */
void submit_default_home(struct submit_opts *o);

struct submit_result {
	char format[16];
	char digest[80]; /* "sha256:<hex>" of the file */
	struct ingest_counts counts;
	uint64_t entry;
	bool already; /* the same file was ingested before: nothing added */
	bool damaged; /* a truncated/corrupt gzip: what came before was kept */
	char damage[256];
};

enum dt_err submit_file(struct ledger *l, struct store *s, const struct geo_index *ix,
                        const char *path, const struct submit_opts *o, event_warn_fn *warn,
                        void *wctx, struct submit_result *r, struct dt_diag *diag);

#endif
