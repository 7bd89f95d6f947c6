/*
 * model.h — the joint attribution report as data, and its JSON form
 * ("detente.report/v1", docs/report.md).
 *
 * The model joins three things: the campaigns (analysis/campaigns.h), the
 * assessment of every campaign and of all attacks together
 * (analysis/assess.h), and the ledger state they rest on: the checkpoint,
 * and every entry whose payload an event came from, named by party, index
 * and leaf hash (RFC 6962: SHA-256 of 0x00 || entry bytes), so the other
 * party can fetch each entry, check its inclusion and re-derive the
 * figures.
 *
 * The JSON is deterministic: the same ledgers and refdata give the same
 * bytes.  Arrays are sorted as docs/report.md says, shares have four
 * decimals, times are RFC 3339 UTC seconds; nothing depends on the clock,
 * the locale or hash-table order.
 */
#ifndef DT_REPORT_MODEL_H
#define DT_REPORT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/assess.h"
#include "analysis/campaigns.h"
#include "core/err.h"
#include "core/strbuf.h"

struct ledger;

/* A ledger entry a figure rests on. */
struct report_entry {
	char ref[24];       /* "E1", "E2", ... in (party, index) order */
	char party[128];    /* the author */
	uint64_t index;     /* in the author's log */
	char leaf_hash[65]; /* hex */
	char kind[32], tlp[16];
	char payload[80]; /* "sha256:<hex>" */
	char about[1100];
};

/* A peer whose evidence is in the report. */
struct report_peer {
	char name[128], origin[256], root[64];
	uint64_t size;
	bool cosigned;
};

struct report_model {
	const struct campaign_set *cs;
	struct assessment overall;    /* every event in an attack */
	struct assessment *camp;      /* per campaign, in cs->c order */
	char party[128], origin[256]; /* this node */
	char root[64];                /* checkpoint root, base64 */
	uint64_t size;                /* checkpoint size */
	char *note;                   /* the signed checkpoint, exact text */
	struct report_entry *entries; /* sorted by (party, index) */
	size_t nentries;
	uint32_t *sub_entry; /* per cs->sub: its entries[] index */
	struct report_peer *peers;
	size_t npeers;
	uint32_t *refdata; /* distinct snapshot digests (string ids), sorted */
	size_t nrefdata;
};

/* Builds the model of cs with the ledger l (checkpoint, entries, peers). */
enum dt_err report_model_build(struct report_model *m, const struct campaign_set *cs,
                               struct ledger *l, struct dt_diag *diag);
void report_model_release(struct report_model *m);

/* The whole report, or one campaign object (as `campaigns --json` prints),
 * appended to b. */
enum dt_err report_json(struct strbuf *b, const struct report_model *m);
enum dt_err report_campaign_json(struct strbuf *b, const struct report_model *m, size_t i);

#endif
