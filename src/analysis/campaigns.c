/*
 * campaigns.c — events to campaigns (campaigns.h has the rules).
 *
 * Two passes over memory, one over the store:
 *   1. the scan: every event becomes a small cs_event, its remote address
 *      an entry of the address table, and its link keys entries of the key
 *      table, listed per event (CSR arrays).  A key counts its events and
 *      lists its (key, address) pairs, which are sorted after the scan to
 *      count its distinct addresses; a signature counts its distinct ASNs
 *      through a small set of (signature, ASN) pairs.  The scan reads only
 *      the columns it uses (store_scan_cols).
 *   2. the guard decides which keys may join; union-find (path halving,
 *      union by index so the root is the earliest event) merges the events
 *      of every kept key.
 * Components are then classified (background, attack, campaign), and each
 * campaign lists the keys that joined it.  The lines of one connection are
 * joined directly (priv.conn), not through a key: they are most of the
 * keys there would be.  Addresses and host names cache their keys,
 * signatures and actors their ids, and sightings are found per block, so
 * most events cost a few array appends and one or two hash-table probes.
 * Measured (10 M simulated events, 2 shared cores under load): 37 s and
 * 2.1 GB for campaigns --json, against 51 s and 2.5 GB before.
 */
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/campaigns.h"
#include "analysis/hmap.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "intel/db.h"
#include "intel/matchset.h"
#include "intel/normalize.h"
#include "store/store.h"

#include <sqlite3.h>

#define DEFAULT_PSL "/usr/share/publicsuffix/public_suffix_list.dat"
#define CONN_SLOTS  (1u << 22)
#define SIG_CACHE   256  /* a power of two */
#define IP_RECENT   4096 /* a power of two */
/* The columns on_event reads. */
#define SCAN_COLS                                                                                  \
	(BLOCK_COL(BC_TS) | BLOCK_COL(BC_RECORD) | BLOCK_COL(BC_DPORT) | BLOCK_COL(BC_PROTO) |     \
	 BLOCK_COL(BC_ASN) | BLOCK_COL(BC_REMOTE) | BLOCK_COL(BC_SRCFAM) | BLOCK_COL(BC_DSTFAM) |  \
	 BLOCK_COL(BC_SRC) | BLOCK_COL(BC_DST) | BLOCK_COL(BC_KIND) | BLOCK_COL(BC_UID) |          \
	 BLOCK_COL(BC_SIGNATURE) | BLOCK_COL(BC_DOMAIN) | BLOCK_COL(BC_JA3) |                      \
	 BLOCK_COL(BC_CERT_SHA1) | BLOCK_COL(BC_CERT_SHA256) | BLOCK_COL(BC_MD5) |                 \
	 BLOCK_COL(BC_SHA1) | BLOCK_COL(BC_SHA256) | BLOCK_COL(BC_COUNTRY) | BLOCK_COL(BC_ASORG) | \
	 BLOCK_COL(BC_FLAGS))

static const struct {
	const char *name;
	double weight;
	const char *rule;
} kinds[LK_NKINDS] = {
    [LK_ACTOR] = {"actor", 1.0, "hostile intel sightings of the same actor or campaign"},
    [LK_DOMAIN] = {"domain", 1.0, "the same host name"},
    [LK_ZONE] = {"zone", 1.0, "the same registrable domain (Public Suffix List)"},
    [LK_CERT] = {"cert", 1.0, "the same certificate hash"},
    [LK_FILE] = {"file", 1.0, "the same file hash"},
    [LK_JA3] = {"ja3", 1.0, "the same client TLS fingerprint (JA3)"},
    [LK_REMOTE_IP] = {"remote_ip", 1.0, "the same remote address"},
    [LK_CONNECTION] = {"connection", 1.0,
                       "the same connection as its producer named it (Zeek uid, EVE flow_id), "
                       "within one victim"},
    [LK_PREFIX_SIG] = {"prefix+signature", 1.0,
                       "same /24 (/48) in the same time window (0.5) and same signature (0.5)"},
    [LK_PREFIX_SVC] = {"prefix+service", 1.0,
                       "same /24 (/48) in the same time window (0.5) and same target service "
                       "(0.5)"},
    [LK_ASN_SIG_SVC] = {"asn+signature+service", 1.0,
                        "same ASN with the same signature (0.5) and with the same target service "
                        "(0.5)"},
};

const char *link_kind_name(enum link_kind k)
{
	return k < LK_NKINDS ? kinds[k].name : "?";
}

double link_kind_weight(enum link_kind k)
{
	return k < LK_NKINDS ? kinds[k].weight : 0;
}

const char *link_kind_rule(enum link_kind k)
{
	return k < LK_NKINDS ? kinds[k].rule : "";
}

static const char *const weak_names[WC_N] = {"cloud",      "vpn",   "tor",    "sinkhole",
                                             "public-dns", "bogon", "private"};

const char *weak_cat_name(enum weak_cat c)
{
	return c < WC_N ? weak_names[c] : "?";
}

void campaign_opts_init(struct campaign_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->window_us = 7LL * 86400 * 1000000;
	o->guard_ips = 256;
	o->guard_asns = 16;
	o->min_victims = 2;
	o->psl = DEFAULT_PSL;
}

struct domkeys;

/* A link key. */
struct key {
	uint32_t value; /* string id (0 for connections) */
	uint32_t sig;   /* string id of the signature it involves, 0: none */
	uint32_t nev, nip;
	uint32_t rep;     /* first event joined through it, UINT32_MAX: none */
	uint32_t last_ip; /* the address of its last event (pairs skip repeats) */
	uint8_t kind;
	uint8_t guarded;
};

/* Per remote address: its own key; each weak key of its events, with
 * what the key depends on besides the address (most of its next events
 * share it: same window and signature, same window and service, same
 * signature and service); and the signature whose (signature, ASN) pair
 * it counted last. */
struct ipcache {
	uint32_t weak, asn, prefix; /* copies of its cs_ip's: one line read */
	uint32_t ipkey;             /* UINT32_MAX: none yet */
	uint32_t sasig;             /* 0: none */
	int64_t w0, w1;             /* windows of k[0], k[1] */
	uint32_t sig0, svc1, sig2, svc2;
	uint32_t k[3]; /* prefix+signature, prefix+service, asn+signature+service;
	                  UINT32_MAX: none cached */
};

/* The sightings of one event block: sk[lo .. hi); cur, where the last
 * look-up ended (a block's rows are scanned in position order, almost
 * always, so look-ups walk forward). */
struct sblock {
	uint64_t id;
	size_t lo, hi, cur;
};

/* A line of a connection: the hash of its victim and id, its event. */
struct conn_slot {
	uint64_t h;
	uint32_t e, pad;
};

struct priv {
	struct strtab st;
	struct hmap ipix, subix, keyix, sigasn, actk;
	struct key *key;
	size_t nkey, keycap;
	uint32_t *kv; /* keys of event i: kv[ko[i] .. ko[i+1]) */
	size_t nkv, kvcap;
	uint32_t *ko;
	size_t kocap;
	uint32_t *sig_nasn; /* per string id */
	size_t sig_cap;
	/* (key, address) pairs of add_key_idx, counted after the scan */
	uint64_t *pv;
	size_t npv, pvcap;
	/* signatures interned lately: a direct-mapped cache by hash */
	struct {
		uint64_t h;
		uint32_t id, len;
	} sigc[SIG_CACHE];
	/* hostile sightings, in (event, actor) order: sk[i] the event's key
	 * (block * 8192 + idx + 1), sa[i] the actor; sblkix maps a block id
	 * + 1 to its sblk[] */
	uint64_t *sk;
	uint32_t *sa;
	size_t nsa, sacap, skcap;
	struct hmap sblkix;
	struct sblock *sblk;
	size_t nsblk, sblkcap, last_sblk;
	size_t evcap, ipcap, subcap;
	struct ipcache *ipc;       /* per cs->ip */
	uint32_t svc_id[3][65536]; /* (tcp, udp, other) x port: string id + 1 */
	uint32_t last_sub;         /* the submission of the last event */
	/* connections: the lines of one connection (Zeek uid, EVE flow_id)
	 * are joined directly, each to the previous line with the same id,
	 * through a direct-mapped table of (hash of victim and id, event);
	 * lines of one connection come close together in time order, so an
	 * entry is almost never overwritten between them (CONN_SLOTS) */
	struct hmap domix; /* host names seen: hash -> dom[] */
	struct domkeys *dom;
	size_t ndom, domcap;
	struct conn_slot *conn;
	/* addresses seen lately: a direct-mapped cache in front of ipix */
	struct {
		uint64_t k;
		uint32_t ip, pad;
	} ipr[IP_RECENT];
	uint32_t (*edge)[2];
	size_t nedge, edgecap;
	psl_ctx_t *psl;
	struct matchset *benign;
	struct ms_hits hits;
	struct dt_diag *diag;
};

const char *cs_str(const struct campaign_set *cs, uint32_t id)
{
	const struct priv *p = cs->priv;

	return strtab_get(&p->st, id);
}

static enum dt_err grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t c;
	void *n;

	if (need <= *cap)
		return DT_OK;
	c = *cap ? *cap : 1024;
	while (c < need)
		c *= 2;
	if ((n = realloc(*v, c * size)) == NULL)
		return DT_ENOMEM;
	*v = n;
	*cap = c;
	return DT_OK;
}

/* ---- sightings --------------------------------------------------------- */

static enum dt_err on_sighting(void *ctx, uint64_t block, uint32_t idx, const char *actor)
{
	struct priv *p = ctx;
	uint64_t ek = block * 8192 + idx + 1;
	uint32_t id, *slot;
	enum dt_err err;

	if ((err = strtab_intern(&p->st, actor, strlen(actor), &id)) ||
	    (err = grow((void **)&p->sa, &p->sacap, p->nsa + 1, sizeof(*p->sa))) ||
	    (err = grow((void **)&p->sk, &p->skcap, p->nsa + 1, sizeof(*p->sk))))
		return err;
	p->sa[p->nsa] = id;
	p->sk[p->nsa] = ek;
	/* rows come in (block, idx) order: an event's actors are adjacent,
	 * and a block's sightings too */
	if (p->nsblk == 0 || p->sblk[p->nsblk - 1].id != block) {
		bool added;

		if ((err = hmap_put(&p->sblkix, block + 1, (uint32_t)p->nsblk, &slot, &added)) ||
		    (err = grow((void **)&p->sblk, &p->sblkcap, p->nsblk + 1, sizeof(*p->sblk))))
			return err;
		if (!added) {
			dt_diag_set(p->diag, NULL, 0, "sightings out of order");
			return DT_EFORMAT;
		}
		p->sblk[p->nsblk++] = (struct sblock){block, p->nsa, p->nsa, p->nsa};
	}
	p->sblk[p->nsblk - 1].hi = ++p->nsa;
	return DT_OK;
}

/* ---- the scan --------------------------------------------------------- */

struct scan {
	struct campaign_set *cs;
	struct priv *p;
	int64_t window;
};

static uint32_t weak_bits(struct dt_str flags)
{
	uint32_t w = 0;
	const char *s = flags.p, *e = flags.p + flags.len;

	while (s && s < e) {
		const char *c = memchr(s, ',', (size_t)(e - s));
		size_t n = c ? (size_t)(c - s) : (size_t)(e - s);

#define IS(lit) (n == sizeof(lit) - 1 && memcmp(s, lit, n) == 0)
		if (IS("cloud") || IS("hosting"))
			w |= 1u << WC_CLOUD;
		else if (IS("vpn") || IS("proxy"))
			w |= 1u << WC_VPN;
		else if (IS("tor"))
			w |= 1u << WC_TOR;
		else if (IS("sinkhole"))
			w |= 1u << WC_SINKHOLE;
		else if (IS("public-dns"))
			w |= 1u << WC_PUBLIC_DNS;
		else if (IS("private") || IS("loopback") || IS("link-local") || IS("cgnat"))
			w |= 1u << WC_PRIVATE;
		else if (n > 0)
			w |= 1u << WC_BOGON; /* bogon, documentation, multicast, reserved ... */
#undef IS
		s += n + 1;
	}
	return w;
}

/* Adds key (kind, bytes) to event ev (remote address ip), creating it with
 * its display value the first time. */
/* How a composite key's value reads: "<s1> + <s2>[ + <s3>]" or with
 * "AS<asn>" first; formatted only when the key is new. */
struct disp {
	uint32_t asn;     /* 0: none */
	uint32_t s[3], n; /* string ids */
};

static enum dt_err add_key_idx(struct scan *x, uint32_t ev, uint32_t ip, uint32_t k);

static enum dt_err add_key(struct scan *x, uint32_t ev, uint32_t ip, enum link_kind kind,
                           const void *bytes, size_t len, const char *value, size_t vlen,
                           uint32_t sig, const struct disp *d, uint32_t *kout)
{
	struct priv *p = x->p;
	uint64_t h = hm_hash(bytes, len, 0x4b45590000ULL + (uint64_t)kind);
	uint32_t *slot, k;
	bool added;
	enum dt_err err;

	if ((err = hmap_put(&p->keyix, h, (uint32_t)p->nkey, &slot, &added)))
		return err;
	if (added) {
		struct key *y;

		if ((err = grow((void **)&p->key, &p->keycap, p->nkey + 1, sizeof(*p->key))))
			return err;
		y = &p->key[p->nkey++];
		memset(y, 0, sizeof(*y));
		y->kind = (uint8_t)kind;
		y->sig = sig;
		y->rep = UINT32_MAX;
		if (d) {
			char buf[512];
			size_t n = 0;

			if (d->asn)
				n = (size_t)snprintf(buf, sizeof(buf), "AS%u", d->asn);
			for (uint32_t i = 0; i < d->n && n < sizeof(buf); i++)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				                      n ? " + " : "", cs_str(x->cs, d->s[i]));
			if (n >= sizeof(buf))
				n = sizeof(buf) - 1;
			/* buf is a copy: interning may move the table's strings */
			if ((err = strtab_intern(&p->st, buf, n, &p->key[p->nkey - 1].value)))
				return err;
		} else if (value && (err = strtab_intern(&p->st, value, vlen, &y->value))) {
			return err;
		}
	}
	k = *slot;
	if (kout)
		*kout = k;
	return add_key_idx(x, ev, ip, k);
}

/* Adds the existing key k to event ev. */
static enum dt_err add_key_idx(struct scan *x, uint32_t ev, uint32_t ip, uint32_t k)
{
	struct priv *p = x->p;
	struct key *y = &p->key[k];
	enum dt_err err;

	for (size_t i = p->ko[ev]; i < p->nkv; i++)
		if (p->kv[i] == k)
			return DT_OK; /* the same key twice on one event */
	if ((err = grow((void **)&p->kv, &p->kvcap, p->nkv + 1, sizeof(*p->kv))))
		return err;
	p->kv[p->nkv++] = k;
	y->nev++;
	if (y->kind == LK_REMOTE_IP) {
		y->nip = 1;
	} else if (ip != UINT32_MAX && y->kind != LK_CONNECTION &&
	           (y->nev == 1 || y->last_ip != ip)) {
		/* counted after the scan (count_pairs): appending is cheaper
		 * than probing a table of millions of pairs */
		y->last_ip = ip;
		if ((err = grow((void **)&p->pv, &p->pvcap, p->npv + 1, sizeof(*p->pv))))
			return err;
		p->pv[p->npv++] = (uint64_t)k << 32 | ip;
	}
	return DT_OK;
}

static bool benign_ip(struct priv *p, const struct dt_ip *ip)
{
	if (p->benign == NULL)
		return false;
	p->hits.n = 0;
	return matchset_ip(p->benign, ip, &p->hits) > 0;
}

static bool benign_domain(struct priv *p, const char *d, size_t n)
{
	if (p->benign == NULL)
		return false;
	p->hits.n = 0;
	return matchset_domain(p->benign, d, n, &p->hits) > 0;
}

/* Lower case, no trailing dot, in buf (NUL-terminated); 0 when empty, "-"
 * (Zeek's unset) or too long. */
static size_t canon(struct dt_str d, char *buf, size_t size)
{
	size_t n = d.len;

	while (n && d.p[n - 1] == '.')
		n--;
	if (n == 0 || n >= size || (n == 1 && d.p[0] == '-'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = d.p[i];

		buf[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	buf[n] = '\0';
	return n;
}

static enum dt_err value_key(struct scan *x, uint32_t e, uint32_t ip, enum link_kind kind,
                             struct dt_str v)
{
	char buf[256];
	size_t n = canon(v, buf, sizeof(buf));

	return n ? add_key(x, e, ip, kind, buf, n, buf, n, 0, NULL, NULL) : DT_OK;
}

/* A host name's keys, worked out once per distinct name (domcache maps
 * the hash of the raw name to an entry of dom[]): a name is canonicalised,
 * checked against the warning lists and cut to its registrable domain
 * only the first time it is seen. */
struct domkeys {
	uint32_t zone, domain; /* key indexes, UINT32_MAX: none */
	uint8_t benign;
};

static enum dt_err domain_keys(struct scan *x, uint32_t e, uint32_t ip, struct dt_str v,
                               uint64_t *guarded)
{
	struct priv *p = x->p;
	char buf[256];
	size_t n;
	const char *zone;
	enum dt_err err;
	uint32_t *slot;
	bool added;
	struct domkeys *d;

	if (v.len == 0 || v.len >= sizeof(buf) || (v.len == 1 && v.p[0] == '-'))
		return DT_OK;
	if ((err = hmap_put(&p->domix, hm_hash(v.p, v.len, 0x444f4d), (uint32_t)p->ndom, &slot,
	                    &added)))
		return err;
	if (!added) {
		d = &p->dom[*slot];
		if (d->benign) {
			guarded[LK_DOMAIN]++;
			return DT_OK;
		}
		if (d->zone != UINT32_MAX && (err = add_key_idx(x, e, ip, d->zone)))
			return err;
		return d->domain != UINT32_MAX ? add_key_idx(x, e, ip, d->domain) : DT_OK;
	}
	if ((err = grow((void **)&p->dom, &p->domcap, p->ndom + 1, sizeof(*p->dom))))
		return err;
	d = &p->dom[p->ndom++];
	d->zone = d->domain = UINT32_MAX;
	d->benign = 0;
	if ((n = canon(v, buf, sizeof(buf))) == 0)
		return DT_OK;
	if (benign_domain(p, buf, n)) {
		d->benign = 1;
		guarded[LK_DOMAIN]++;
		return DT_OK;
	}
	zone = p->psl ? psl_registrable_domain(p->psl, buf) : NULL;
	if (zone && (err = add_key(x, e, ip, LK_ZONE, zone, strlen(zone), zone, strlen(zone), 0,
	                           NULL, &d->zone)))
		return err;
	if (zone == NULL || zone != buf)
		return add_key(x, e, ip, LK_DOMAIN, buf, n, buf, n, 0, NULL, &d->domain);
	return DT_OK;
}

/* The sightings of block id, or NULL. */
static struct sblock *sightings_of(struct priv *p, uint64_t id)
{
	uint32_t *j;

	if (p->last_sblk < p->nsblk && p->sblk[p->last_sblk].id == id)
		return &p->sblk[p->last_sblk];
	if ((j = hmap_get(&p->sblkix, id + 1)) == NULL)
		return NULL;
	p->last_sblk = *j;
	return &p->sblk[*j];
}

/* The first of b's sightings whose event key is ek or more: a few steps
 * on from the last look-up, else a binary search. */
static size_t first_sighting(struct priv *p, struct sblock *b, uint64_t ek)
{
	size_t lo = b->lo, hi = b->hi, i = b->cur;

	if (i > lo && p->sk[i - 1] >= ek)
		hi = i; /* behind the last look-up */
	else
		for (lo = i; lo < hi && lo < i + 8 && p->sk[lo] < ek; lo++)
			;
	if (lo < hi && p->sk[lo] < ek) {
		while (lo < hi) {
			size_t m = lo + (hi - lo) / 2;

			if (p->sk[m] < ek)
				lo = m + 1;
			else
				hi = m;
		}
	}
	b->cur = lo;
	return lo;
}

/* The interned id of a signature, through a small cache: an exercise has
 * a few hundred signatures and millions of alerts. */
static enum dt_err intern_sig(struct priv *p, struct dt_str sig, uint32_t *id)
{
	uint64_t h = hm_hash(sig.p, sig.len, 0x534947);
	size_t i = h & (SIG_CACHE - 1);
	enum dt_err err;

	if (p->sigc[i].h == h && p->sigc[i].len == sig.len &&
	    memcmp(strtab_get(&p->st, p->sigc[i].id), sig.p, sig.len) == 0) {
		*id = p->sigc[i].id;
		return DT_OK;
	}
	if ((err = strtab_intern(&p->st, sig.p, sig.len, id)))
		return err;
	p->sigc[i].h = h;
	p->sigc[i].id = *id;
	p->sigc[i].len = (uint32_t)sig.len;
	return DT_OK;
}

/* Adds the key of actor (a string id) to event e: a key per actor. */
static enum dt_err actor_key(struct scan *x, uint32_t e, uint32_t ip, uint32_t actor)
{
	struct priv *p = x->p;
	uint32_t *slot, k;
	const char *a;
	size_t n;
	bool added;
	enum dt_err err;

	if ((err = hmap_put(&p->actk, (uint64_t)actor + 1, 0, &slot, &added)))
		return err;
	if (!added)
		return add_key_idx(x, e, ip, *slot);
	a = cs_str(x->cs, actor); /* interned: add_key finds it, moves nothing */
	n = strlen(a);
	if ((err = add_key(x, e, ip, LK_ACTOR, a, n, a, n, 0, NULL, &k)))
		return err;
	*slot = k;
	return DT_OK;
}

static enum dt_err on_event(void *ctx, const struct store_hit *h)
{
	struct scan *x = ctx;
	struct campaign_set *cs = x->cs;
	struct priv *p = x->p;
	const struct block_row *r = h->row;
	const struct event *ev = &r->ev;
	struct cs_event *ce;
	uint32_t e = (uint32_t)cs->nev, ip = UINT32_MAX, *slot, victim;
	struct ipcache *ci = NULL;
	uint64_t hk = 0;
	bool added, has_uid = ev->uid.len && (ev->uid.len > 1 || ev->uid.p[0] != '-');
	enum dt_err err;
	char buf[512];
	size_t n;

	if (cs->nev >= UINT32_MAX - 1) {
		dt_diag_set(p->diag, NULL, 0, "more than 4294967294 events: not supported");
		return DT_ELIMIT;
	}
	if ((err = grow((void **)&cs->ev, &p->evcap, cs->nev + 1, sizeof(*cs->ev))) ||
	    (err = grow((void **)&p->ko, &p->kocap, cs->nev + 2, sizeof(*p->ko))))
		return err;
	p->ko[e] = (uint32_t)p->nkv;
	ce = &cs->ev[e];
	memset(ce, 0, sizeof(*ce));
	ce->ts = ev->ts_us;
	ce->record = ev->record > UINT32_MAX ? UINT32_MAX : (uint32_t)ev->record;
	ce->ip = UINT32_MAX;

	/* the submission */
	if (cs->nsub && strcmp(cs->sub[p->last_sub].digest, h->submission) == 0) {
		ce->sub = p->last_sub;
		victim = cs->sub[p->last_sub].victim;
	} else {
		uint64_t sk = hm_hash(h->submission, strlen(h->submission), 0x535542);

		if ((err = hmap_put(&p->subix, sk, (uint32_t)cs->nsub, &slot, &added)))
			return err;
		if (added) {
			struct cs_sub *s;

			if ((err = grow((void **)&cs->sub, &p->subcap, cs->nsub + 1,
			                sizeof(*cs->sub))))
				return err;
			s = &cs->sub[cs->nsub++];
			memset(s, 0, sizeof(*s));
			snprintf(s->digest, sizeof(s->digest), "%s", h->submission);
			s->entry = h->entry;
			if ((err =
			         strtab_intern(&p->st, h->victim, strlen(h->victim), &s->victim)) ||
			    (err =
			         strtab_intern(&p->st, h->sector, strlen(h->sector), &s->sector)) ||
			    (err = strtab_intern(&p->st, h->refdata, strlen(h->refdata),
			                         &s->refdata)) ||
			    (err = strtab_intern(&p->st, h->party ? h->party : "",
			                         h->party ? strlen(h->party) : 0, &s->party)))
				return err;
		}
		ce->sub = *slot;
		p->last_sub = *slot;
		victim = cs->sub[*slot].victim;
	}

	/* the connection's slot is fetched while the address is looked up */
	if (has_uid) {
		hk = hm_hash(ev->uid.p, ev->uid.len, 0x434f4e4e00000000ULL | victim);
		__builtin_prefetch(&p->conn[hk & (CONN_SLOTS - 1)]);
	}

	/* the remote address */
	if (r->remote == 1 || r->remote == 2) {
		const struct dt_ip *a = r->remote == 1 ? &ev->src : &ev->dst;
		uint64_t ik;
		size_t j;

		/* an IPv4 address is its own key; others are hashed (bit 63) */
		if (a->family == DT_IP_V4 && a->addr >> 32 == 0) {
			ik = (uint64_t)a->addr | (uint64_t)1 << 32;
		} else {
			uint8_t kb[17];

			memcpy(kb, &a->addr, 16);
			kb[16] = a->family;
			ik = hm_hash(kb, sizeof(kb), 0x4950) | (uint64_t)1 << 63;
		}
		j = (size_t)(ik * 0x9e3779b97f4a7c15ULL >> 52) & (IP_RECENT - 1);
		if (p->ipr[j].k == ik) {
			ip = p->ipr[j].ip;
			goto have_ip;
		}
		if ((err = hmap_put(&p->ipix, ik, (uint32_t)cs->nip, &slot, &added)))
			return err;
		if (added) {
			struct cs_ip *c;
			struct dt_prefix pf;
			unsigned len = a->family == DT_IP_V4 ? 24 : 48;

			size_t cap = p->ipcap;

			if ((err = grow((void **)&cs->ip, &p->ipcap, cs->nip + 1, sizeof(*cs->ip))))
				return err;
			if (p->ipcap != cap) {
				struct ipcache *nc = realloc(p->ipc, p->ipcap * sizeof(*nc));

				if (nc == NULL)
					return DT_ENOMEM;
				p->ipc = nc;
			}
			memset(&p->ipc[cs->nip], 0, sizeof(*p->ipc));
			p->ipc[cs->nip].ipkey = UINT32_MAX;
			p->ipc[cs->nip].k[0] = p->ipc[cs->nip].k[1] = p->ipc[cs->nip].k[2] =
			    UINT32_MAX;
			c = &cs->ip[cs->nip++];
			memset(c, 0, sizeof(*c));
			c->ip = *a;
			if (r->country.len == 2)
				memcpy(c->cc, r->country.p, 2);
			c->asn = r->asn;
			if ((err = strtab_intern(&p->st, r->as_org.len ? r->as_org.p : "",
			                         r->as_org.len, &c->org)))
				return err;
			c->weak = weak_bits(r->flags);
			if (benign_ip(p, a))
				c->weak |= 1u << WC_N; /* on a warning list: joins nothing */
			pf.ip = *a;
			pf.ip.mapped = false;
			pf.ip.addr &= dt_ip_mask(a->family, len);
			pf.len = (uint8_t)len;
			n = dt_prefix_format(&pf, buf);
			if ((err = strtab_intern(&p->st, buf, n, &c->prefix)))
				return err;
			p->ipc[cs->nip - 1].weak = c->weak;
			p->ipc[cs->nip - 1].asn = c->asn;
			p->ipc[cs->nip - 1].prefix = c->prefix;
		}
		ip = *slot;
		p->ipr[j].k = ik;
		p->ipr[j].ip = ip;
	have_ip:
		ce->ip = ip;
		ci = &p->ipc[ip];
	}

	/* hostile evidence: an alert, a sighting */
	ce->alert = ev->kind && strcmp(ev->kind, EVENT_ALERT) == 0;
	if (ev->signature.len && (err = intern_sig(p, ev->signature, &ce->sig)))
		return err;
	if (ce->sig && ci && ci->asn && p->ipc[ip].sasig != ce->sig) {
		size_t was = p->sig_cap;

		p->ipc[ip].sasig = ce->sig; /* this address's pair is counted */
		if ((err = grow((void **)&p->sig_nasn, &p->sig_cap, p->st.n, sizeof(*p->sig_nasn))))
			return err;
		if (p->sig_cap > was)
			memset(p->sig_nasn + was, 0, (p->sig_cap - was) * sizeof(*p->sig_nasn));
		if ((err = hmap_put(&p->sigasn, ((uint64_t)ce->sig << 32 | ci->asn) | 1ULL << 63, 0,
		                    &slot, &added)))
			return err;
		if (added) {
			if (p->sig_cap < p->st.n)
				return DT_ENOMEM;
			p->sig_nasn[ce->sig]++;
		}
	}
	if (p->nsa) {
		uint64_t ek = h->block * 8192 + h->index + 1;
		struct sblock *b = sightings_of(p, h->block);
		size_t i = b ? first_sighting(p, b, ek) : 0, end = b ? b->hi : 0;

		for (; i < end && p->sk[i] == ek; i++) {
			const char *a = cs_str(cs, p->sa[i]);

			if (ce->nsight < UINT16_MAX)
				ce->nsight++;
			if (*a == '\0')
				continue;
			if (ce->actor == 0)
				ce->actor = p->sa[i];
			if ((err = actor_key(x, e, ip, p->sa[i])))
				return err;
		}
	}

	/* keys of the remote address: none for Tor exits, resolvers,
	 * sinkholes, special-purpose and warning-listed addresses; only the
	 * address itself for cloud and VPN-listed ones (MISP's vpn-ipv4 list
	 * names whole hosting ranges of VPN providers, most of whose addresses
	 * are ordinary servers: it even lists 8.8.8.8) */
	if (ci) {
		if (ci->weak & ~(1u << WC_CLOUD | 1u << WC_VPN)) {
			cs->guarded[LK_REMOTE_IP]++;
		} else {
			struct ipcache *c = &p->ipc[ip];

			if (c->ipkey != UINT32_MAX) {
				err = add_key_idx(x, e, ip, c->ipkey);
			} else {
				n = dt_ip_format(&cs->ip[ip].ip, buf);
				err = add_key(x, e, ip, LK_REMOTE_IP, buf, n, buf, n, 0, NULL,
				              &c->ipkey);
			}
			if (err)
				return err;
		}
	}
	if (has_uid) {
		struct conn_slot *cn = &p->conn[hk & (CONN_SLOTS - 1)];

		if (cn->h == hk) {
			if ((err = grow((void **)&p->edge, &p->edgecap, p->nedge + 1,
			                sizeof(*p->edge))))
				return err;
			p->edge[p->nedge][0] = cn->e;
			p->edge[p->nedge++][1] = e;
		}
		cn->h = hk;
		cn->e = e;
	}
	if ((err = domain_keys(x, e, ip, ev->domain, cs->guarded)) ||
	    (err = value_key(x, e, ip, LK_CERT, ev->cert_sha256)) ||
	    (err = value_key(x, e, ip, LK_CERT, ev->cert_sha1)) ||
	    (err = value_key(x, e, ip, LK_JA3, ev->ja3)) ||
	    (err = value_key(x, e, ip, LK_FILE, ev->md5)) ||
	    (err = value_key(x, e, ip, LK_FILE, ev->sha1)) ||
	    (err = value_key(x, e, ip, LK_FILE, ev->sha256)))
		return err;

	/* weak pairs: ordinary addresses only (not cloud, not special) */
	if (ci && ci->weak == 0) {
		struct {
			uint32_t a, b, c;
			int64_t w;
		} kb;
		struct ipcache *c = &p->ipc[ip];
		uint32_t sv = 0;
		int64_t w = ce->ts >= 0 ? ce->ts / x->window : (ce->ts - x->window + 1) / x->window;

		if (ev->dport >= 0 && ev->dport < 65536) {
			int pi = ev->proto == 6 ? 0 : ev->proto == 17 ? 1 : 2;
			uint32_t *id = &p->svc_id[pi][ev->dport];

			if (*id == 0) {
				char svc[32];

				snprintf(svc, sizeof(svc), "%s/%d",
				         pi == 0   ? "tcp"
				         : pi == 1 ? "udp"
				                   : "ip",
				         (int)ev->dport);
				if ((err = strtab_intern(&p->st, svc, strlen(svc), id)))
					return err;
				(*id)++;
			}
			sv = *id - 1;
		}
		memset(&kb, 0, sizeof(kb));
		kb.a = ci->prefix;
		kb.w = w;
		if (ce->sig) {
			if (c->k[0] != UINT32_MAX && c->w0 == w && c->sig0 == ce->sig) {
				err = add_key_idx(x, e, ip, c->k[0]);
			} else {
				struct disp d = {0, {ci->prefix, ce->sig, 0}, 2};

				kb.b = ce->sig;
				c->w0 = w;
				c->sig0 = ce->sig;
				err = add_key(x, e, ip, LK_PREFIX_SIG, &kb, sizeof(kb), NULL, 0,
				              ce->sig, &d, &c->k[0]);
			}
			if (err)
				return err;
		}
		if (sv) {
			if (c->k[1] != UINT32_MAX && c->w1 == w && c->svc1 == sv) {
				err = add_key_idx(x, e, ip, c->k[1]);
			} else {
				struct disp d = {0, {ci->prefix, sv, 0}, 2};

				kb.b = 0;
				kb.c = sv;
				c->w1 = w;
				c->svc1 = sv;
				err = add_key(x, e, ip, LK_PREFIX_SVC, &kb, sizeof(kb), NULL, 0, 0,
				              &d, &c->k[1]);
			}
			if (err)
				return err;
		}
		if (sv && ce->sig && ci->asn) {
			if (c->k[2] != UINT32_MAX && c->sig2 == ce->sig && c->svc2 == sv) {
				err = add_key_idx(x, e, ip, c->k[2]);
			} else {
				struct disp d2 = {ci->asn, {ce->sig, sv, 0}, 2};

				memset(&kb, 0, sizeof(kb));
				kb.a = ci->asn;
				kb.b = ce->sig;
				kb.c = sv;
				c->sig2 = ce->sig;
				c->svc2 = sv;
				err = add_key(x, e, ip, LK_ASN_SIG_SVC, &kb, sizeof(kb), NULL, 0,
				              ce->sig, &d2, &c->k[2]);
			}
			if (err)
				return err;
		}
	}
	cs->nev++;
	return DT_OK;
}

/* ---- warning lists ------------------------------------------------------ */

/* The imported warning lists' addresses and domains, or NULL (none). */
static enum dt_err load_benign(struct priv *p, struct intel_db *x, struct dt_diag *diag)
{
	sqlite3 *db = intel_db_handle(x);
	sqlite3_stmt *st;
	enum dt_err err = DT_OK;
	size_t n = 0;

	if (sqlite3_prepare_v2(db,
	                       "SELECT type, value FROM indicators WHERE benign <> 0"
	                       " AND value IS NOT NULL AND type IN"
	                       " ('ipv4-addr', 'ipv6-addr', 'domain-name') ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK) {
		dt_diag_set(diag, NULL, 0, "database: %s", sqlite3_errmsg(db));
		return DT_EIO;
	}
	if ((err = matchset_new(&p->benign)))
		goto out;
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		struct dt_prefix pf;
		bool host;

		if (strcmp(type, "domain-name") == 0) {
			err = matchset_add_domain(p->benign, v, len, 0);
			n++;
		} else if (dt_prefix_parse(v, len, &pf, &host) == DT_OK) {
			err = matchset_add_prefix(p->benign, &pf, 0);
			n++;
		} else if (dt_ip_parse(v, len, &pf.ip) == DT_OK) {
			pf.len = (uint8_t)dt_ip_bits(pf.ip.family);
			err = matchset_add_prefix(p->benign, &pf, 0);
			n++;
		}
	}
	if (!err && n)
		err = matchset_build(p->benign);
out:
	sqlite3_finalize(st);
	if (err || n == 0) {
		matchset_free(p->benign);
		p->benign = NULL;
	}
	return err;
}

static enum dt_err load_psl(struct campaign_set *cs, struct priv *p, const char *path)
{
	FILE *f;
	uint8_t d[32];
	char hex[65];
	struct dt_sha256 h;
	char buf[65536];
	size_t n;

	if (path == NULL || *path == '\0' || (f = fopen(path, "rb")) == NULL)
		return DT_OK; /* no zones: documented, and the digest says so */
	if (dt_sha256_init(&h) != 0) {
		fclose(f);
		return DT_ENOMEM;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		dt_sha256_update(&h, buf, n);
	fclose(f);
	dt_sha256_final(&h, d);
	if ((p->psl = psl_load_file(path)) == NULL)
		return DT_OK;
	dt_hex_encode(d, 32, hex);
	snprintf(cs->psl_digest, sizeof(cs->psl_digest), "sha256:%s", hex);
	return DT_OK;
}

/* ---- distinct addresses per key ------------------------------------------ */

/* Sorts v[0..n) (values below 2^bits) by LSD radix, 11 bits a pass, with
 * tmp[] of n as the other buffer; the sorted values end in *out. */
static void radix_sort(uint64_t *v, uint64_t *tmp, size_t n, unsigned bits, uint64_t **out)
{
	enum { B = 11, NB = 1 << B };
	size_t cnt[NB];

	for (unsigned sh = 0; sh < bits; sh += B) {
		size_t sum = 0;

		memset(cnt, 0, sizeof(cnt));
		for (size_t i = 0; i < n; i++)
			cnt[v[i] >> sh & (NB - 1)]++;
		for (size_t d = 0; d < NB; d++) {
			size_t c = cnt[d];

			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[cnt[v[i] >> sh & (NB - 1)]++] = v[i];
		{
			uint64_t *t = v;

			v = tmp;
			tmp = t;
		}
	}
	*out = v;
}

/* Each key's distinct remote addresses (nip) from the (key, address)
 * pairs the scan listed: sorted, then counted once each. */
static enum dt_err count_pairs(struct campaign_set *cs, struct priv *p)
{
	unsigned kb = 1, ib = 1;
	uint64_t *tmp, *v;

	if (p->npv == 0)
		return DT_OK;
	while (kb < 32 && (uint64_t)p->nkey >> kb)
		kb++;
	while (ib < 32 && (uint64_t)cs->nip >> ib)
		ib++;
	if ((tmp = malloc(p->npv * sizeof(*tmp))) == NULL)
		return DT_ENOMEM;
	/* (key << 32 | ip) as (key << ib | ip): fewer bits, fewer passes */
	for (size_t i = 0; i < p->npv; i++)
		p->pv[i] = (p->pv[i] >> 32) << ib | (p->pv[i] & 0xffffffffu);
	radix_sort(p->pv, tmp, p->npv, kb + ib, &v);
	for (size_t i = 0; i < p->npv; i++)
		if (i == 0 || v[i] != v[i - 1])
			p->key[v[i] >> ib].nip++;
	free(tmp);
	free(p->pv);
	p->pv = NULL;
	p->npv = p->pvcap = 0;
	return DT_OK;
}

/* ---- union-find and components ------------------------------------------ */

static uint32_t find(uint32_t *up, uint32_t i)
{
	while (up[i] != i) {
		up[i] = up[up[i]];
		i = up[i];
	}
	return i;
}

/* The root is the smaller index: the earliest event of the component. */
static void unite(uint32_t *up, uint32_t a, uint32_t b)
{
	a = find(up, a);
	b = find(up, b);
	if (a < b)
		up[b] = a;
	else if (b < a)
		up[a] = b;
}

static const struct campaign_set *sort_cs;

static int cmp_campaign(const void *a, const void *b)
{
	const struct campaign *x = a, *y = b;

	if (x->nev != y->nev)
		return x->nev > y->nev ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int cmp_link(const void *a, const void *b)
{
	const struct cs_link *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->events != y->events)
		return x->events > y->events ? -1 : 1;
	return strcmp(cs_str(sort_cs, x->value), cs_str(sort_cs, y->value));
}

#define MAX_LINKS 32

static enum dt_err group(struct campaign_set *cs, struct priv *p)
{
	const struct campaign_opts *o = &cs->opts;
	uint32_t *up = NULL, *comp = NULL;
	struct comp {
		uint32_t root, nev, nvictims, camp;
		uint32_t victim; /* of its last event */
		bool hostile, actor;
	} *cv = NULL;
	size_t ncv = 0, cvcap = 0;
	struct hmap vset = {0};
	enum dt_err err = DT_OK;
	size_t nc = 0;

	if (cs->nev == 0)
		return DT_OK;
	if ((up = malloc(cs->nev * sizeof(*up))) == NULL ||
	    (comp = malloc(cs->nev * sizeof(*comp))) == NULL ||
	    (cs->camp = malloc(cs->nev * sizeof(*cs->camp))) == NULL ||
	    (cs->attack = calloc(cs->nev, sizeof(*cs->attack))) == NULL) {
		err = DT_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cs->nev; i++)
		up[i] = (uint32_t)i;

	/* the guard, then the joins */
	for (size_t k = 0; k < p->nkey; k++) {
		struct key *y = &p->key[k];

		if (y->nip > o->guard_ips ||
		    (y->sig && y->sig < p->sig_cap && p->sig_nasn[y->sig] > o->guard_asns)) {
			y->guarded = 1;
			cs->guarded[y->kind] += y->nev;
		}
	}
	for (size_t i = 0; i < p->nedge; i++)
		unite(up, p->edge[i][0], p->edge[i][1]);
	for (uint32_t e = 0; e < cs->nev; e++) {
		for (uint32_t i = p->ko[e]; i < p->ko[e + 1]; i++) {
			struct key *y = &p->key[p->kv[i]];

			if (y->guarded)
				continue;
			if (y->rep == UINT32_MAX)
				y->rep = e;
			else
				unite(up, y->rep, e);
		}
	}

	/* components: hostile evidence, victims, actors; a component's root
	 * is its earliest event, so it is numbered when its root comes, and
	 * comp[root] says where every later event goes */
	for (uint32_t e = 0; e < cs->nev; e++) {
		uint32_t r = find(up, e), *slot, victim;
		bool added;
		struct comp *c;
		const struct cs_event *ev = &cs->ev[e];

		if (r == e) {
			if ((err = grow((void **)&cv, &cvcap, ncv + 1, sizeof(*cv))))
				goto out;
			memset(&cv[ncv], 0, sizeof(*cv));
			cv[ncv].root = r;
			cv[ncv].camp = UINT32_MAX;
			cv[ncv].victim = UINT32_MAX;
			comp[e] = (uint32_t)ncv++;
		} else {
			comp[e] = comp[r];
		}
		c = &cv[comp[e]];
		c->nev++;
		c->hostile |= ev->alert || ev->nsight;
		c->actor |= ev->actor != 0;
		victim = cs->sub[ev->sub].victim;
		if (victim == c->victim)
			continue;
		c->victim = victim;
		if ((err =
		         hmap_put(&vset, ((uint64_t)comp[e] << 32 | victim) + 1, 0, &slot, &added)))
			goto out;
		if (added)
			c->nvictims++;
	}
	for (size_t i = 0; i < ncv; i++)
		if (cv[i].hostile && (cv[i].nvictims >= o->min_victims || cv[i].actor))
			cv[i].camp = (uint32_t)nc++;
	if ((cs->c = calloc(nc ? nc : 1, sizeof(*cs->c))) == NULL) {
		err = DT_ENOMEM;
		goto out;
	}
	cs->nc = nc;
	for (size_t i = 0; i < ncv; i++) {
		struct campaign *c;
		const struct cs_event *ev;
		char name[128], hex[65];
		uint8_t d[32];

		if (cv[i].camp == UINT32_MAX)
			continue;
		c = &cs->c[cv[i].camp];
		ev = &cs->ev[cv[i].root];
		snprintf(name, sizeof(name), "%s:%u", cs->sub[ev->sub].digest, ev->record);
		dt_sha256(d, name, strlen(name));
		dt_hex_encode(d, 6, hex);
		snprintf(c->id, sizeof(c->id), "C-%.12s", hex);
		if ((c->ev = malloc(cv[i].nev * sizeof(*c->ev))) == NULL) {
			err = DT_ENOMEM;
			goto out;
		}
	}
	for (uint32_t e = 0; e < cs->nev; e++) {
		const struct comp *c = &cv[comp[e]];

		cs->attack[e] = c->hostile;
		cs->attack_events += c->hostile;
		cs->camp[e] = c->camp == UINT32_MAX ? -1 : (int32_t)c->camp;
		if (c->camp != UINT32_MAX)
			cs->c[c->camp].ev[cs->c[c->camp].nev++] = e;
	}

	/* the keys that joined each campaign */
	for (size_t i = 0; i < p->nedge; i++) {
		uint32_t cc = cv[comp[p->edge[i][0]]].camp;

		if (cc != UINT32_MAX)
			cs->c[cc].link_kinds[LK_CONNECTION]++;
	}
	for (size_t k = 0; k < p->nkey; k++) {
		const struct key *y = &p->key[k];
		uint32_t cc;
		struct campaign *c;

		if (y->guarded || y->rep == UINT32_MAX || y->nev < 2)
			continue;
		cc = cv[comp[y->rep]].camp;
		if (cc == UINT32_MAX)
			continue;
		c = &cs->c[cc];
		c->link_kinds[y->kind]++;
		if (y->kind == LK_CONNECTION)
			continue;
		if (c->nlinks % 64 == 0) {
			struct cs_link *nl = realloc(c->links, (c->nlinks + 64) * sizeof(*nl));

			if (nl == NULL) {
				err = DT_ENOMEM;
				goto out;
			}
			c->links = nl;
		}
		c->links[c->nlinks++] =
		    (struct cs_link){(enum link_kind)y->kind, y->value, y->nev, y->nip};
	}
	sort_cs = cs;
	for (size_t i = 0; i < cs->nc; i++) {
		struct campaign *c = &cs->c[i];

		if (c->nlinks)
			qsort(c->links, c->nlinks, sizeof(*c->links), cmp_link);
		if (c->nlinks > MAX_LINKS)
			c->nlinks = MAX_LINKS;
	}

	/* campaigns by size, then id; events renumbered */
	{
		uint32_t *map = NULL;

		qsort(cs->c, cs->nc, sizeof(*cs->c), cmp_campaign);
		if ((map = malloc((cs->nc ? cs->nc : 1) * sizeof(*map))) == NULL) {
			err = DT_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < cs->nc; i++)
			map[cs->camp[cs->c[i].ev[0]]] = (uint32_t)i;
		for (size_t e = 0; e < cs->nev; e++)
			if (cs->camp[e] >= 0)
				cs->camp[e] = (int32_t)map[cs->camp[e]];
		free(map);
	}
out:
	free(up);
	free(comp);
	free(cv);
	hmap_release(&vset);
	return err;
}

/* ---- the whole ------------------------------------------------------------ */

enum dt_err campaigns_build(struct store *s, struct intel_db *x, const struct campaign_opts *o,
                            struct campaign_set **out, struct dt_diag *diag)
{
	struct campaign_set *cs = calloc(1, sizeof(*cs));
	struct priv *p = calloc(1, sizeof(*p));
	struct store_query q = {.victim = NULL, .since_us = INT64_MIN, .until_us = INT64_MAX};
	struct scan sc;
	enum dt_err err;

	*out = NULL;
	if (cs == NULL || p == NULL) {
		free(cs);
		free(p);
		return DT_ENOMEM;
	}
	cs->priv = p;
	p->diag = diag;
	if (o)
		cs->opts = *o;
	else
		campaign_opts_init(&cs->opts);
	if (cs->opts.window_us <= 0)
		cs->opts.window_us = 7LL * 86400 * 1000000;
	if ((err = strtab_init(&p->st)) || (err = load_psl(cs, p, cs->opts.psl)))
		goto fail;
	p->conn = calloc(CONN_SLOTS, sizeof(*p->conn));
	if (p->conn == NULL) {
		err = DT_ENOMEM;
		goto fail;
	}
	if (x && (err = load_benign(p, x, diag)))
		goto fail;
	if ((err = store_sighting_actors(s, on_sighting, p, diag)))
		goto fail;
	sc = (struct scan){cs, p, cs->opts.window_us};
	if ((err = grow((void **)&p->ko, &p->kocap, 2, sizeof(*p->ko))))
		goto fail;
	if ((err = store_scan_cols(s, &q, SCAN_COLS, on_event, &sc, diag)))
		goto fail;
	p->ko[cs->nev] = (uint32_t)p->nkv;
	if ((err = count_pairs(cs, p)))
		goto fail;
	if ((err = group(cs, p)))
		goto fail;
	*out = cs;
	return DT_OK;
fail:
	campaigns_free(cs);
	return err;
}

void campaigns_free(struct campaign_set *cs)
{
	struct priv *p;

	if (cs == NULL)
		return;
	p = cs->priv;
	for (size_t i = 0; i < cs->nc; i++) {
		free(cs->c[i].ev);
		free(cs->c[i].links);
	}
	free(cs->c);
	free(cs->ev);
	free(cs->ip);
	free(cs->sub);
	free(cs->camp);
	free(cs->attack);
	if (p) {
		strtab_release(&p->st);
		hmap_release(&p->ipix);
		hmap_release(&p->subix);
		hmap_release(&p->keyix);
		hmap_release(&p->sigasn);
		hmap_release(&p->actk);
		hmap_release(&p->sblkix);
		free(p->sblk);
		free(p->pv);
		free(p->key);
		free(p->kv);
		free(p->ko);
		free(p->sig_nasn);
		free(p->sk);
		free(p->sa);
		free(p->ipc);
		free(p->conn);
		free(p->dom);
		hmap_release(&p->domix);
		free(p->edge);
		if (p->psl)
			psl_free(p->psl);
		matchset_free(p->benign);
		ms_hits_release(&p->hits);
		free(p);
	}
	free(cs);
}
