/*
 * node.h — a node's privacy context (privacy/privacy.h) from its ledger:
 * the key derived from its signing seed (ledger_privacy_key) and its home
 * domains, with either one submission's home networks or the union of the
 * home networks of all its own submissions (for what is not tied to one
 * submission: intelligence exports, TAXII objects).
 */
#ifndef DT_PRIVACY_NODE_H
#define DT_PRIVACY_NODE_H

#include "core/ip.h"
#include "ledger/ledger.h"
#include "privacy/privacy.h"

/* nets[0..n) as the home networks (n may be 0). */
enum dt_err privacy_node(struct ledger *l, const struct dt_prefix *nets, size_t n,
                         struct privacy **out, struct dt_diag *diag);

/* Every home network any own submission was ingested with (clear
 * parameters kept by the node, or older entries' own about lines). */
enum dt_err privacy_node_all(struct ledger *l, struct privacy **out, struct dt_diag *diag);

#endif
