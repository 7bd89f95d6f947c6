/*
 * status.h — the ledger's state as a status page shows it: every peer with
 * the last checkpoint this node accepted from it (and so cosigned: peer.c
 * cosigns every checkpoint it accepts, and only those), and the
 * cosignatures peers made on one of this node's own checkpoints with the
 * time each cosigner put in its signature (c2sp.org/tlog-cosignature: the
 * signature is timestamp[8, big-endian POSIX seconds] || Ed25519[64]).
 *
 * Read-only: nothing here writes to the database or signs anything.
 */
#ifndef DT_LEDGER_STATUS_H
#define DT_LEDGER_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "ledger/ledger.h"

#define LEDGER_STATUS_MAX_URL 1024

/* One peer; strings are NUL-terminated copies, valid during the callback. */
struct ledger_peer_status {
	char name[NOTE_MAX_NAME];
	char url[LEDGER_STATUS_MAX_URL]; /* "" when none was given (or it did not fit) */
	char added[40];                  /* when the peer was added, RFC 3339 */
	bool cosigner_known;             /* its cosigner key is recorded */
	bool accepted;                   /* a checkpoint of it was accepted (and cosigned) */
	uint64_t size;                   /* that checkpoint (the largest), when accepted */
	uint8_t root[32];
	char accepted_at[40]; /* when it was accepted, RFC 3339 UTC: the last sync */
};

typedef enum dt_err ledger_peer_status_fn(void *ctx, const struct ledger_peer_status *p);

/* Every peer, in name order, with or without an accepted checkpoint; stops
 * at (and returns) the first error fn returns. */
enum dt_err ledger_peer_status(struct ledger *l, ledger_peer_status_fn *fn, void *ctx,
                               struct dt_diag *diag);

/* One cosignature on this node's checkpoint of `size` entries. */
struct ledger_cosig_status {
	char peer[NOTE_MAX_NAME];
	char added[40]; /* when this node recorded it, RFC 3339 */
	bool has_time;  /* the line decoded as a cosignature/v1 */
	uint64_t time;  /* the cosigner's timestamp, POSIX seconds */
};

typedef enum dt_err ledger_cosig_status_fn(void *ctx, const struct ledger_cosig_status *c);

/* The recorded cosignatures on this node's checkpoint of `size` entries,
 * in peer-name order. */
enum dt_err ledger_cosignatures_at(struct ledger *l, uint64_t size, ledger_cosig_status_fn *fn,
                                   void *ctx, struct dt_diag *diag);

/* The cosigner timestamp of one signature line "— <name> <base64>" of a
 * cosignature/v1 (4-byte key ID, 8-byte time, 64-byte signature); false for
 * anything else. */
bool ledger_cosig_line_time(const char *line, size_t len, uint64_t *time);

#endif
