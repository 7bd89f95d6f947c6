/*
 * derive.h — what a peer receives of this node's own submissions.
 *
 * A submission's original (the file the ledger entry commits to) holds the
 * victims' addresses, host names and users in clear, so it never leaves
 * the node.  Peers receive instead its sanitized derivative
 * (privacy/sanitize.h): the same format with every victim-side value
 * pseudonymized under this node's key (ledger_privacy_key), recorded in a
 * second entry signed by this node,
 *
 *     kind sanitized
 *     tlp <the original's>
 *     payload sha256:<the derivative's digest> <bytes>
 *     about sanitized copy of submission <N> | format=<fmt> victim=<v>
 *           sector=<s> home-net=<pseudonymized CIDRs> orig=sha256:<hex>
 *
 * which links it to the original's commitment: the peer checks the
 * derivative against the digest it received, ingests it as the original
 * submission's events (submit_peer), and the owner can still reveal the
 * original later, which its own entry commits to.  TLP:RED submissions get
 * no derivative: nothing of them leaves the node.
 *
 * The submission entry's own about line carries the same pseudonymized
 * home networks and a scrubbed file name; the clear parameters stay in the
 * node's private table (ledger_private_about_*).
 */
#ifndef DT_INGEST_DERIVE_H
#define DT_INGEST_DERIVE_H

#include "ingest/submit.h"
#include "ledger/ledger.h"
#include "privacy/privacy.h"

/* A privacy context for this node (its key and home domains) with the
 * home networks of o (none when o is NULL). */
enum dt_err derive_privacy(struct ledger *l, const struct submit_opts *o, struct privacy **out,
                           struct dt_diag *diag);

/* The about line of a submission as its entry carries it: the file name
 * scrubbed, the home networks pseudonymized (submit_about_format's
 * layout).  p must hold o's home networks. */
enum dt_err derive_about_public(struct privacy *p, const char *fmt, const char *file,
                                const struct submit_opts *o, char *out, size_t size);

struct derive_result {
	uint64_t entry;  /* the sanitized entry */
	bool existed;    /* the derivative was recorded before */
	char digest[80]; /* "sha256:<hex>" of the derivative */
	uint64_t size;   /* its bytes */
	struct privacy_counts counts;
};

/*
 * Writes the derivative of own submission entry idx (payload sha256,
 * format fmt, clear parameters o: victim, sector, home networks) into the
 * payload store and appends its sanitized entry at the original's tlp.
 */
enum dt_err derive_submission(struct ledger *l, uint64_t idx, const uint8_t sha256[32],
                              const char *tlp, const char *fmt, const struct submit_opts *o,
                              struct derive_result *r, struct dt_diag *diag);

/* Each own submission that a peer may see (not TLP:RED) and that has no
 * derivative yet, derived: done (may be NULL) hears of each; *made counts
 * those made. */
typedef void derive_done_fn(void *ctx, uint64_t idx, enum dt_err err, const struct derive_result *r,
                            const struct dt_diag *diag);
enum dt_err derive_backfill(struct ledger *l, derive_done_fn *done, void *ctx, uint64_t *made,
                            struct dt_diag *diag);

/* The original digest a sanitized entry's about line names (orig=...). */
enum dt_err derive_orig(const char *about, uint8_t sha256[32]);

#endif
