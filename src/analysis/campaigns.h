/*
 * campaigns.h — attacks on many victims grouped into campaigns by shared
 * infrastructure and indicators, every link explained.
 *
 * Each stored event carries link keys: values that, shared by two events,
 * say they may be the work of one operator.  A key has a weight; two
 * events are joined when the keys they share weigh 1.0 or more.  Strong
 * keys weigh 1.0 and join alone:
 *   remote_ip   the same remote address
 *   connection  the same connection, as its producer named it (Zeek uid,
 *               EVE flow_id), within one victim: a conn line and its dns or
 *               ssl line
 *   domain      the same host name; zone: the same registrable domain
 *               (Public Suffix List)
 *   cert, ja3, file   the same certificate hash, client TLS fingerprint,
 *               file hash
 *   actor       hostile intel sightings of the same actor or campaign
 * Weak keys weigh 0.5 and join only in pairs; each pair is one composite
 * key:
 *   prefix+signature   same /24 (/48) in the same time window, same signature
 *   prefix+service     same /24 (/48) in the same time window, same service
 *   asn+signature+service   same ASN, same signature, same service
 * Joined events form connected components (union-find).  A component
 * holding hostile evidence (an IDS alert or a hostile intel sighting) is
 * an attack; one that spans at least two victims, or whose events an
 * intel actor names, is a campaign.  The rest is background traffic.
 *
 * Over-correlation guard: a value shared by very many unrelated events
 * joins nothing.  No key is made of
 *   - a remote address flagged public-dns, sinkhole, tor, bogon, private
 *     (or any special-purpose flag): many unrelated users share it;
 *   - prefix or ASN keys of addresses flagged cloud or vpn: such ranges
 *     host many tenants (the address itself still links: MISP's vpn-ipv4
 *     list names whole hosting ranges of VPN providers, most of whose
 *     addresses are ordinary servers);
 *   - a value on an imported warning list (intel/, benign entries);
 *   - a signature seen from more than guard_asns distinct ASNs (a
 *     commodity scanner's rule says nothing about who runs it);
 * and a key carried by events of more than guard_ips distinct remote
 * addresses is dropped.  The kept-away keys are counted per kind.
 *
 * Everything is deterministic: events are read in the store's scan order,
 * and ids, orders and figures depend only on the stored evidence.
 */
#ifndef DT_ANALYSIS_CAMPAIGNS_H
#define DT_ANALYSIS_CAMPAIGNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"

struct store;
struct intel_db;

/* Link kinds, strongest first (the order links are explained in). */
enum link_kind {
	LK_ACTOR,
	LK_DOMAIN,
	LK_ZONE,
	LK_CERT,
	LK_FILE,
	LK_JA3,
	LK_REMOTE_IP,
	LK_CONNECTION,
	LK_PREFIX_SIG,
	LK_PREFIX_SVC,
	LK_ASN_SIG_SVC,
	LK_NKINDS
};

const char *link_kind_name(enum link_kind k);
double link_kind_weight(enum link_kind k);
const char *link_kind_rule(enum link_kind k);

/* Weak-evidence categories of a remote address (bit i: category i). */
enum weak_cat { WC_CLOUD, WC_VPN, WC_TOR, WC_SINKHOLE, WC_PUBLIC_DNS, WC_BOGON, WC_PRIVATE, WC_N };
const char *weak_cat_name(enum weak_cat c);

struct campaign_opts {
	int64_t window_us;    /* prefix keys' time window (default 7 days) */
	uint32_t guard_ips;   /* a key of more remote addresses joins nothing (256) */
	uint32_t guard_asns;  /* a signature from more ASNs joins nothing (16) */
	uint32_t min_victims; /* an attack is a campaign from this many victims (2) */
	const char *psl;      /* Public Suffix List file (default: Debian's) */
};

void campaign_opts_init(struct campaign_opts *o);

/* A distinct remote address. */
struct cs_ip {
	struct dt_ip ip;
	char cc[3];      /* "" unknown */
	uint32_t asn;    /* 0 unknown */
	uint32_t org;    /* string id (cs_str), 0 = "" */
	uint32_t weak;   /* WC_* bits */
	uint32_t prefix; /* string id of its /24 (/48) */
};

/* A submission: where events came from. */
struct cs_sub {
	char digest[72];                  /* "sha256:<hex>" */
	uint64_t entry;                   /* its ledger entry */
	uint32_t party;                   /* string id ("" = this node) */
	uint32_t victim, sector, refdata; /* string ids */
};

/* One event, as the analysis keeps it. */
struct cs_event {
	int64_t ts;      /* µs */
	uint32_t ip;     /* cs_ip index, UINT32_MAX: no remote address */
	uint32_t sub;    /* cs_sub index */
	uint32_t sig;    /* string id of the signature, 0: none */
	uint32_t actor;  /* string id of one actor sighted (the first), 0: none */
	uint32_t record; /* record number in the submission */
	uint16_t nsight; /* hostile sightings */
	uint8_t alert;   /* an IDS alert */
	uint8_t pad;
};

/* A link key that joined events of a campaign. */
struct cs_link {
	enum link_kind kind;
	uint32_t value;           /* string id of its value */
	uint32_t events, members; /* events carrying it; distinct remote addresses */
};

struct campaign {
	char id[16];  /* "C-" + 12 hex digits */
	uint32_t *ev; /* its events (indexes), in scan order */
	size_t nev;
	struct cs_link *links; /* strongest kind first, then events desc, value */
	size_t nlinks;
	uint64_t link_kinds[LK_NKINDS]; /* keys per kind that joined it */
};

struct campaign_set {
	struct cs_event *ev;
	size_t nev;
	struct cs_ip *ip;
	size_t nip;
	struct cs_sub *sub;
	size_t nsub;
	int32_t *camp;      /* per event: campaign index, -1 none */
	bool *attack;       /* per event: in a component with hostile evidence */
	struct campaign *c; /* sorted by events desc, then id */
	size_t nc;
	uint64_t attack_events;      /* events in an attack component (campaign or not) */
	uint64_t guarded[LK_NKINDS]; /* keys kept from joining, per kind */
	char psl_digest[72];         /* "sha256:<hex>" of the PSL used, "" none */
	struct campaign_opts opts;
	void *priv; /* strings (cs_str) and working tables */
};

const char *cs_str(const struct campaign_set *cs, uint32_t id);

/* Reads every stored event and hostile sighting of s (and the warning
 * lists of x, which may be NULL) and groups them.  *out is the caller's,
 * released with campaigns_free. */
enum dt_err campaigns_build(struct store *s, struct intel_db *x, const struct campaign_opts *o,
                            struct campaign_set **out, struct dt_diag *diag);
void campaigns_free(struct campaign_set *cs);

#endif
