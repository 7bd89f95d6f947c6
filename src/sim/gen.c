/*
 * gen.c — the records of one victim, campaign by campaign.
 *
 * A campaign's infrastructure (its remote hosts, and which C2 name points
 * at which host) is drawn once per run from stream 1000+label; a victim's
 * share of a campaign from stream (label+1)*100+victim, so victims can be
 * generated one at a time (memory: one victim's records) and in any order
 * with the same result.  What one action writes, all with the same label:
 *   K_C2      a DNS lookup at a public resolver (conn + dns lines, one uid)
 *             some of the time, then the beacon's conn line, its ssl line
 *             on 443 (server_name, JA3/JA3S, certificate) and, sometimes, an
 *             EVE alert
 *   K_EXPLOIT inbound conn to the victim's web server, often an alert
 *   K_SCAN    a fresh source hits 1-6 addresses of the victim's /16 on one
 *             port: conn lines (S0/REJ) and about half of them alerted
 *   K_ANON    inbound conn from a Tor exit or VPN host, half alerted
 *   K_BENIGN  a lookup (conn + dns) and, usually, HTTPS to the site
 * Zeek logs a DNS query's UDP connection in conn.log too; so does this.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

struct sim_rec *sim_recs_push(struct sim_recs *rs)
{
	struct sim_rec *x;

	if (rs->n == rs->cap) {
		size_t nc = rs->cap ? rs->cap * 2 : 4096;
		struct sim_rec *nv = realloc(rs->v, nc * sizeof(*nv));

		if (nv == NULL)
			return NULL;
		rs->v = nv;
		rs->cap = nc;
	}
	x = &rs->v[rs->n];
	memset(x, 0, sizeof(*x));
	x->seq = (uint32_t)rs->n++;
	return x;
}

static size_t count_str(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static size_t count_u32(const uint32_t *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static const uint32_t site_asn_list[] = {15169, 13335, 20940, 8075, 16509, 36459, 14907, 54113};

enum dt_err sim_world_init(struct sim_world *w, const struct sim_asndata *a, uint64_t seed,
                           unsigned scale, struct dt_diag *d)
{
	enum dt_err err = DT_OK;
	uint32_t skip[64];
	size_t nskip = 0, n = 0;
	struct sim_rng r;

	memset(w, 0, sizeof(*w));
	w->seed = seed;
	w->scale = scale;
	sim_tls_init();
	for (int l = 0; l < SIM_NLABELS; l++) {
		const struct sim_campaign *c = &sim_campaigns[l];

		for (size_t i = 0; c->asns && c->asns[i]; i++)
			skip[nskip++] = c->asns[i];
	}
	for (size_t i = 0; i < sizeof(site_asn_list) / sizeof(*site_asn_list); i++)
		skip[nskip++] = site_asn_list[i];
	for (int l = 0; l < SIM_NLABELS && !err; l++) {
		const struct sim_campaign *c = &sim_campaigns[l];
		struct sim_infra *f = &w->infra[l];

		if (c->cidrs)
			err = sim_pool_cidrs(c->cidrs, &f->pool);
		else if (c->asns)
			err = sim_pool_asns(a, c->asns, count_u32(c->asns), 4, &f->pool, d);
		else if (c->kind == K_SCAN)
			err = sim_pool_rest(a, skip, nskip, &w->infra[SIM_C01_APT1].pool, 1,
			                    &f->pool);
		if (err || c->hosts == 0)
			continue;
		if ((f->hosts = calloc(c->hosts, sizeof(*f->hosts))) == NULL)
			return DT_ENOMEM;
		sim_rng_seed(&r, seed, 1000 + (uint64_t)l);
		for (size_t i = 0; i < c->hosts; i++)
			f->hosts[i] = sim_pool_draw(&f->pool, &r);
		f->nhosts = c->hosts;
	}
	if (err) {
		if (err == DT_ENOTFOUND && d->msg[0] == '\0')
			dt_diag_set(d, "", 0, "the ASN data holds no ranges to draw scanners from");
		return err;
	}
	/* two addresses per benign site, from its operator's ranges */
	while (sim_sites[w->nsites].name)
		w->nsites++;
	if ((w->site_ip = calloc(2 * w->nsites, sizeof(*w->site_ip))) == NULL)
		return DT_ENOMEM;
	sim_rng_seed(&r, seed, 2000);
	for (size_t i = 0; i < w->nsites; i++) {
		struct sim_pool p;
		struct dt_diag ignore;

		if (sim_pool_asns(a, &sim_sites[i].asn, 1, 2, &p, &ignore))
			continue; /* not in this ASN data: the site is left out */
		w->site_ip[2 * i] = sim_pool_draw(&p, &r);
		w->site_ip[2 * i + 1] = sim_pool_draw(&p, &r);
		sim_pool_free(&p);
		n++;
	}
	if (n == 0) {
		dt_diag_set(d, "", 0, "the ASN data has no range of the benign sites' networks");
		return DT_ENOTFOUND;
	}
	return DT_OK;
}

void sim_world_free(struct sim_world *w)
{
	for (int l = 0; l < SIM_NLABELS; l++) {
		sim_pool_free(&w->infra[l].pool);
		free(w->infra[l].hosts);
	}
	free(w->site_ip);
	memset(w, 0, sizeof(*w));
}

/* ---- one victim ------------------------------------------------------------- */

struct ctx {
	const struct sim_world *w;
	const struct sim_campaign *c;
	const struct sim_victim *v;
	unsigned vi;
	struct sim_rng r;
	struct sim_recs *rs;
	uint32_t net;     /* 10.<net>.0.0 */
	uint32_t imp[3];  /* the victim's compromised hosts */
	uint64_t written; /* records of this campaign at this victim */
};

#define RNG(n) sim_rng_below(&x->r, (n))

static struct sim_rec *rec(struct ctx *x, enum sim_file f, int64_t ts, uint64_t uid)
{
	struct sim_rec *e = sim_recs_push(x->rs);

	if (e == NULL)
		return NULL;
	e->file = (uint8_t)f;
	e->label = (uint8_t)x->c->label;
	e->ts = ts;
	e->uid = uid;
	e->proto = 6;
	x->written++;
	return e;
}

static uint32_t local_host(struct ctx *x)
{
	return x->net | (uint32_t)(1 + RNG(60)) << 8 | (uint32_t)(2 + RNG(250));
}

static uint16_t eph(struct ctx *x)
{
	return (uint16_t)(49152 + RNG(16384));
}

/* A lookup of name at the victim's resolver answering ip: conn + dns. */
static int lookup(struct ctx *x, int64_t ts, uint32_t lh, const char *name, uint32_t ip)
{
	uint64_t uid = sim_rng_next(&x->r);
	uint32_t res = sim_resolvers[(x->vi < 3 ? 0 : 2) + RNG(2)];
	uint16_t p = eph(x);
	uint32_t rtt = (uint32_t)(3000 + RNG(40000));
	struct sim_rec *e;

	if ((e = rec(x, SF_CONN, ts, uid)) == NULL)
		return -1;
	e->local = lh, e->remote = res, e->lport = p, e->rport = 53, e->proto = 17;
	e->state = ST_SF, e->obytes = (uint32_t)(17 + strlen(name) + 12);
	e->rbytes = e->obytes + 16, e->dur_us = rtt, e->domain = name;
	if ((e = rec(x, SF_DNS, ts, uid)) == NULL)
		return -1;
	e->local = lh, e->remote = res, e->lport = p, e->rport = 53, e->proto = 17;
	e->domain = name, e->answer = ip, e->dur_us = rtt, e->obytes = (uint32_t)RNG(65536);
	return 0;
}

static int alert(struct ctx *x, int64_t ts, const struct sim_rec *c, uint8_t sig)
{
	struct sim_rec *e = rec(x, SF_EVE, ts, c->uid);

	if (e == NULL)
		return -1;
	e->local = c->local, e->remote = c->remote, e->lport = c->lport, e->rport = c->rport;
	e->inbound = c->inbound, e->proto = c->proto, e->sig = sig;
	if (sig == SIM_SIG_WEBSHELL) {
		/* Suricata logs the uploaded file on the same flow: one web shell,
		 * whichever hosting server uploads it */
		struct sim_rec *f = rec(x, SF_EVE, ts + 2000, c->uid);

		if (f == NULL)
			return -1;
		f->local = c->local, f->remote = c->remote, f->lport = c->lport;
		f->rport = c->rport, f->inbound = c->inbound, f->proto = c->proto, f->sig = sig;
		f->fileinfo = 1;
	}
	return 0;
}

static uint8_t pick_sig(struct ctx *x)
{
	size_t n = 0;

	while (x->c->sigs[n] != 0xff)
		n++;
	return x->c->sigs[RNG(n)];
}

static uint16_t pick_port(struct ctx *x)
{
	size_t n = 0;

	while (x->c->ports[n])
		n++;
	return x->c->ports[RNG(n)];
}

static int act_c2(struct ctx *x)
{
	const struct sim_infra *f = &x->w->infra[x->c->label];
	size_t nd = count_str(x->c->domains), h, di;
	uint32_t lh = x->imp[RNG(3)];
	int64_t ts = sim_when(x->c, x->v->tz, &x->r);
	uint16_t port = pick_port(x);
	struct sim_rec *e, c;

	if (f->nhosts == 0 || nd == 0)
		return -1; /* every K_C2 campaign has hosts and names */
	/* each name points at one host; with more hosts than names, a name
	 * has several (round robin) */
	if (nd >= f->nhosts) {
		di = RNG(nd);
		h = di % f->nhosts;
	} else {
		h = RNG(f->nhosts);
		di = h % nd;
	}
	if (sim_rng_unit(&x->r) < 0.35) {
		if (lookup(x, ts, lh, x->c->domains[di], f->hosts[h]))
			return -1;
		ts += 20000 + (int64_t)RNG(200000);
	}
	if ((e = rec(x, SF_CONN, ts, sim_rng_next(&x->r))) == NULL)
		return -1;
	e->local = lh, e->remote = f->hosts[h], e->lport = eph(x), e->rport = port;
	e->state = ST_SF, e->obytes = (uint32_t)(200 + RNG(1800));
	e->rbytes = (uint32_t)(300 + RNG(60000)), e->dur_us = (uint32_t)(100000 + RNG(30000000));
	c = *e;
	if (port == 443) {
		if ((e = rec(x, SF_SSL, ts + 30000 + (int64_t)RNG(90000), c.uid)) == NULL)
			return -1;
		e->local = c.local, e->remote = c.remote, e->lport = c.lport, e->rport = c.rport;
		e->tls = x->c->tls, e->domain = x->c->domains[di];
		if (x->c->label == SIM_C01_APT1 && sim_rng_unit(&x->r) < 0.3)
			e->domain = NULL; /* some implants send no SNI */
	}
	if (sim_rng_unit(&x->r) < 0.12)
		return alert(x, c.ts + 50000 + (int64_t)RNG(500000), &c, pick_sig(x));
	return 0;
}

static int inbound(struct ctx *x, uint32_t ip, uint32_t lh, uint16_t port, enum sim_state st,
                   double p_alert, uint8_t sig)
{
	int64_t ts = sim_when(x->c, x->v->tz, &x->r);
	struct sim_rec *e = rec(x, SF_CONN, ts, sim_rng_next(&x->r)), c;

	if (e == NULL)
		return -1;
	e->local = lh, e->remote = ip, e->lport = port, e->rport = eph(x), e->inbound = 1;
	e->state = (uint8_t)st;
	if (st == ST_SF || st == ST_RSTO) {
		e->obytes = (uint32_t)(300 + RNG(8000)), e->rbytes = (uint32_t)(200 + RNG(40000));
		e->dur_us = (uint32_t)(50000 + RNG(5000000));
	} else if (st == ST_REJ) {
		e->dur_us = (uint32_t)(100 + RNG(3000));
	}
	c = *e;
	if (sim_rng_unit(&x->r) < p_alert)
		return alert(x, ts + 1000 + (int64_t)RNG(200000), &c, sig);
	return 0;
}

static int act_exploit(struct ctx *x)
{
	const struct sim_infra *f = &x->w->infra[x->c->label];

	return inbound(x, f->hosts[RNG(f->nhosts)], x->net | 0x010a, pick_port(x),
	               RNG(4) ? ST_SF : ST_RSTO, 0.45, pick_sig(x));
}

static int act_scan(struct ctx *x)
{
	uint32_t ip = sim_pool_draw(&x->w->infra[SIM_NOISE_SCAN].pool, &x->r);
	unsigned n = 1 + (unsigned)RNG(6);

	for (unsigned i = 0; i < n; i++)
		if (inbound(x, ip, local_host(x), pick_port(x), RNG(3) ? ST_S0 : ST_REJ, 0.5,
		            pick_sig(x)))
			return -1;
	return 0;
}

static int is_tor(uint32_t asn)
{
	return asn == 60729 || asn == 205100 || asn == 198093;
}

static int act_anon(struct ctx *x)
{
	const struct sim_infra *f = &x->w->infra[x->c->label];
	uint32_t ip = f->hosts[RNG(f->nhosts)], asn = 0;
	uint16_t port = pick_port(x);
	uint32_t lh = x->net | (port == 443 ? 0x010a : port == 22 ? 0x0116 : 0x0121);

	for (size_t i = 0; i < f->pool.n; i++)
		if (ip >= f->pool.v[i].lo && ip <= f->pool.v[i].hi)
			asn = f->pool.v[i].asn;
	return inbound(x, ip, lh, port, RNG(3) ? ST_SF : ST_REJ, 0.5,
	               RNG(4) == 0   ? 9
	               : is_tor(asn) ? 7
	                             : 8);
}

static int act_benign(struct ctx *x)
{
	size_t s = RNG(x->w->nsites);
	uint32_t ip = x->w->site_ip[2 * s + RNG(2)], lh = local_host(x);
	int64_t ts = sim_when(x->c, x->v->tz, &x->r);
	struct sim_rec *e, c;

	if (ip == 0)
		return 0; /* a site the ASN data does not know */
	if (sim_rng_unit(&x->r) < 0.6) {
		if (lookup(x, ts, lh, sim_sites[s].name, ip))
			return -1;
		ts += 10000 + (int64_t)RNG(100000);
		if (sim_rng_unit(&x->r) < 0.3)
			return 0;
	}
	if ((e = rec(x, SF_CONN, ts, sim_rng_next(&x->r))) == NULL)
		return -1;
	e->local = lh, e->remote = ip, e->lport = eph(x), e->rport = 443, e->state = ST_SF;
	e->obytes = (uint32_t)(500 + RNG(5000)), e->rbytes = (uint32_t)(2000 + RNG(900000));
	e->dur_us = (uint32_t)(200000 + RNG(60000000));
	c = *e;
	if ((e = rec(x, SF_SSL, ts + 20000 + (int64_t)RNG(60000), c.uid)) == NULL)
		return -1;
	e->local = c.local, e->lport = c.lport, e->remote = ip, e->rport = 443;
	e->domain = sim_sites[s].name;
	e->tls = (uint8_t)(2 + RNG(sim_ntls - 2));
	return 0;
}

enum dt_err sim_gen_victim(const struct sim_world *w, unsigned v, struct sim_recs *rs)
{
	for (int l = 0; l < SIM_NLABELS; l++) {
		const struct sim_campaign *c = &sim_campaigns[l];
		struct ctx x = {.w = w, .c = c, .v = &sim_victims[v], .vi = v, .rs = rs};
		double wsum = 0, mine = 0;
		uint64_t target;
		struct sim_rng wr;

		if (!(c->victims & (1u << v)))
			continue;
		/* the victims' shares of the campaign: the same in every call */
		sim_rng_seed(&wr, w->seed, 3000 + (uint64_t)l);
		for (unsigned i = 0; i < SIM_NVICTIMS; i++) {
			double s = 0.5 + sim_rng_unit(&wr);

			if (!(c->victims & (1u << i)))
				continue;
			wsum += s;
			if (i == v)
				mine = s;
		}
		target = (uint64_t)((double)c->events * w->scale * mine / wsum + 0.5);
		sim_rng_seed(&x.r, w->seed, (uint64_t)(l + 1) * 100 + v);
		x.net = 10u << 24 | (uint32_t)sim_victims[v].net << 16;
		for (int i = 0; i < 3; i++)
			x.imp[i] = local_host(&x);
		while (x.written < target) {
			int rc = 0;

			switch (c->kind) {
			case K_C2: rc = act_c2(&x); break;
			case K_EXPLOIT: rc = act_exploit(&x); break;
			case K_SCAN: rc = act_scan(&x); break;
			case K_ANON: rc = act_anon(&x); break;
			case K_BENIGN: rc = act_benign(&x); break;
			}
			if (rc)
				return DT_ENOMEM;
		}
	}
	return DT_OK;
}
