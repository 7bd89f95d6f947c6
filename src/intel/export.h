/*
 * export.h — the node's indicators and sightings as a STIX 2.1 bundle, for
 * the other tools of an analyst (and the other party).
 *
 * What goes out: every indicator at or below the requested TLP (warning-
 * list entries excluded: they are not indicators of compromise), with its
 * pattern (the producer's, or one detente wrote for formats without
 * patterns); one sighting per indicator with the count, first and last
 * time of the hostile events that touched it in submissions at or below
 * the TLP; the campaigns, intrusion sets and threat actors the indicators
 * indicate, with the `indicates` relationships; an identity for this node;
 * and the TLP 2.0 marking definitions used.  Nothing above the TLP leaves:
 * a sighting takes the most restrictive TLP of its indicator and of the
 * submissions it counts.  Victim-side values in any object (addresses in
 * the home networks of the node's submissions, names under its home
 * domains, their e-mail addresses) are pseudonymized as in everything a
 * peer receives (privacy/privacy.h).
 *
 * Deterministic: ids are the producers' where they exist, else UUIDv5 of
 * the content; objects are written sorted by id; times come from the
 * indicators, the events and the ledger, never the clock.  The same
 * database gives the same bytes.
 */
#ifndef DT_INTEL_EXPORT_H
#define DT_INTEL_EXPORT_H

#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "intel/db.h"
#include "ledger/ledger.h"
#include "store/store.h"

struct intel_export_counts {
	uint64_t indicators, sightings, objects, relationships;
	uint64_t withheld; /* indicators above the TLP */
	uint64_t invalid;  /* kept patterns that are not STIX patterns: not exported */
};

/* Writes the bundle (one JSON document and a newline) to out.  max_tlp is
 * a rank of intel_tlp_rank. */
enum dt_err intel_export(struct intel_db *x, struct store *s, struct ledger *l, int max_tlp,
                         struct strbuf *out, struct intel_export_counts *c, struct dt_diag *diag);

#endif
