/*
 * match.h — events against indicators: every stored event that touches an
 * indicator becomes a sighting (store.h), linked to the event, the
 * indicator, the ledger entry of the import it came from, and the actors
 * or campaigns the indicator points at.
 *
 * Fields compared: both endpoint addresses (against addresses and CIDRs;
 * nested prefixes all match), the domain (parent-domain matching: an
 * indicator evil.com matches a.b.evil.com, not notevil.com), the URL (its
 * key, normalize.h: an event's path joined to its Host), file hashes,
 * certificate hashes, JA3/JA3S.  An indicator of several conditions
 * matches an event that satisfies every condition of one conjunction;
 * ALL/SEQ indicators ([A] AND [B], [A] FOLLOWEDBY [B]) when every
 * observation is seen among the events of the run (SEQ: in time order).
 *
 * Incremental both ways (store/sightings.c): each run matches the events
 * never matched against all indicators, and the older events against the
 * indicators imported since.
 *
 * Not hostile: a sighting of an indicator on a private or reserved
 * address, or whose value or whose event's value is on an imported
 * warning list, is kept with `suppressed` saying why; it never counts as
 * hostile.  A warning list imported later suppresses earlier sightings.
 *
 * Actors: an indicator `indicates` a campaign, intrusion set or threat
 * actor directly, or a malware/tool/infrastructure that campaigns, sets
 * and actors `use`; from each, `attributed-to` relationships are followed
 * (e.g. "attributed to PLA Unit 61398").  An indicator that points at
 * several campaigns gives one sighting per campaign.
 */
#ifndef DT_INTEL_MATCH_H
#define DT_INTEL_MATCH_H

#include <stdint.h>

#include "core/err.h"
#include "intel/db.h"
#include "store/store.h"

struct intel_match_result {
	uint64_t indicators; /* evaluable indicators in the index */
	uint64_t benign;     /* warning-list entries in the index */
	uint64_t blocks, events;
	uint64_t retro_events;                   /* events matched again against newer indicators */
	uint64_t sightings, hostile, suppressed; /* stored by this run (one per actor) */
	uint64_t resuppressed;                   /* earlier sightings now on a warning list */
	uint64_t generation;                     /* the newest indicator id matched */
};

/* progress(ctx, events so far) every few blocks; may be NULL */
enum dt_err intel_match(struct intel_db *x, struct store *s, struct intel_match_result *r,
                        void (*progress)(void *ctx, uint64_t events), void *pctx,
                        struct dt_diag *diag);

#endif
