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
	/* A peer's submission (submit_peer): NULL for this node's own.  The
	 * file is then the payload already in the store under its digest, no
	 * ledger entry is made, and the submission is recorded as party's
	 * entry party_entry of its log. */
	const char *party;
	uint64_t party_entry;
	/* A peer's sanitized derivative: the digest of the original it
	 * derives from, recorded as the submission's (so that events cite
	 * the original's entry and digest on both nodes); else NULL. */
	const uint8_t *orig_sha256;
	/* This node's own submission: make no sanitized derivative now
	 * (ingest/derive.h; `share sanitize` makes it later). */
	bool no_share;
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
	/* the sanitized derivative peers receive (own submissions not
	 * TLP:RED): derived set when made (or found) */
	bool derived;
	uint64_t derived_entry;
	char derived_digest[80];
	char derive_error[320]; /* why none was made, when one should have been */
};

/*
 * The ingest parameters travel in the submission entry's about line, so
 * that a peer re-ingests a mirrored file exactly as its author did:
 *     <description> | format=<fmt> victim=<v> sector=<s> home-net=<cidr>,...
 * Values are percent-encoded (every byte outside A-Z a-z 0-9 - . _ ~ : / ,
 * + as %XX); the parameters follow the last " | "; unknown keys are
 * ignored; victim and sector are left out when not given.  An own
 * submission's entry carries the home networks pseudonymized and the file
 * name scrubbed (ingest/derive.h); the clear line stays on the node.
 */
enum dt_err submit_about_format(const char *fmt, const char *file, const struct submit_opts *o,
                                char *out, size_t size);

/* The parameters of an about line into o (format, victim, sector, home
 * networks; strings point into store, which must hold size bytes and
 * outlive o).  DT_ENOTFOUND when the line carries none, DT_EPARSE when
 * they are malformed. */
enum dt_err submit_about_parse(const char *about, struct submit_opts *o, char *store, size_t size);

enum dt_err submit_file(struct ledger *l, struct store *s, const struct geo_index *ix,
                        const char *path, const struct submit_opts *o, event_warn_fn *warn,
                        void *wctx, struct submit_result *r, struct dt_diag *diag);

/* What submit_peer did with one mirrored submission entry. */
struct submit_peer_item {
	const char *peer, *author, *about;
	uint64_t idx;      /* the submission entry the events cite */
	bool sanitized;    /* ingested from its sanitized copy ... */
	uint64_t copy_idx; /* ... recorded in this entry */
	enum dt_err err;   /* DT_OK: ingested (see r); else why not (diag) */
	const struct submit_result *r;
	const struct dt_diag *diag;
};

/*
 * Ingests the mirrored submission entries of peer (NULL: every peer) whose
 * payload this node holds and has not ingested yet, each with the
 * parameters its signed about line carries, as the peer party's
 * submission (no entry in this node's log).  A peer's sanitized entry
 * (ingest/derive.h) stands in for the original it names: its payload is
 * ingested with its own parameters as that original submission (entry
 * index and digest).  Entries without parameters or without a payload are
 * left alone.  done (may be NULL) hears of each entry tried.  Re-running
 * is a no-op.
 */
enum dt_err submit_peer(struct ledger *l, struct store *s, const struct geo_index *ix,
                        const char *peer, event_warn_fn *warn, void *wctx,
                        void (*done)(void *ctx, const struct submit_peer_item *it), void *dctx,
                        struct dt_diag *diag);

#endif
