/*
 * assess.c — see assess.h for the units, the working-hours analysis and
 * the confidence rule; this file counts.
 *
 * Distinct units are counted with hash sets of (unit, country) pairs, so
 * one pass over the events gives every distribution.  Time arithmetic is
 * done on integers (day numbers, 1970-01-01 a Thursday), not gmtime, and
 * the working-hours test for 27 offsets reads one 7x24 histogram.
 * Events come in runs (one address, victim, country after another), so
 * an address's later events skip the sets its first one filled, and each
 * counter remembers the row of its last key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/assess.h"
#include "analysis/hmap.h"

static const char *const unit_names[U_N] = {"events", "remote_ips", "prefixes", "asns", "victims"};

const char *unit_name(enum unit u)
{
	return u < U_N ? unit_names[u] : "?";
}

/* Whole-hour offsets of standard and summer time; a country spanning zones
 * lists its full range.  Sources: the IANA tz database (zone1970.tab),
 * rounded outward to whole hours. */
static const struct {
	char cc[3];
	int8_t lo, hi;
} tz[] = {
    {"AE", 4, 4},    {"AR", -3, -3}, {"AT", 1, 2},   {"AU", 8, 11}, {"BE", 1, 2}, {"BG", 2, 3},
    {"BR", -5, -2},  {"BY", 3, 3},   {"CA", -8, -3}, {"CH", 1, 2},  {"CN", 8, 8}, {"CZ", 1, 2},
    {"DE", 1, 2},    {"DK", 1, 2},   {"EE", 2, 3},   {"EG", 2, 3},  {"ES", 0, 2}, {"FI", 2, 3},
    {"FR", 1, 2},    {"GB", 0, 1},   {"GR", 2, 3},   {"HK", 8, 8},  {"HU", 1, 2}, {"ID", 7, 9},
    {"IE", 0, 1},    {"IL", 2, 3},   {"IN", 5, 6},   {"IR", 3, 5},  {"IT", 1, 2}, {"JP", 9, 9},
    {"KP", 9, 9},    {"KR", 9, 9},   {"KZ", 5, 6},   {"LT", 2, 3},  {"LV", 2, 3}, {"MD", 2, 3},
    {"MX", -8, -5},  {"MY", 8, 8},   {"NG", 1, 1},   {"NL", 1, 2},  {"NO", 1, 2}, {"PK", 5, 5},
    {"PL", 1, 2},    {"PT", -1, 1},  {"RO", 2, 3},   {"RU", 2, 12}, {"SA", 3, 3}, {"SE", 1, 2},
    {"SG", 8, 8},    {"SY", 2, 3},   {"TH", 7, 7},   {"TR", 3, 3},  {"TW", 8, 8}, {"UA", 2, 3},
    {"US", -10, -4}, {"VN", 7, 7},   {"ZA", 2, 2},
};

bool country_offsets(const char *cc, int *lo, int *hi)
{
	for (size_t i = 0; i < sizeof(tz) / sizeof(*tz); i++) {
		if (cc[0] == tz[i].cc[0] && cc[1] == tz[i].cc[1]) {
			*lo = tz[i].lo;
			*hi = tz[i].hi;
			return true;
		}
	}
	return false;
}

/* A country as a small integer: 'C' << 8 | 'N'; "??" when unknown. */
static uint32_t cc_code(const struct cs_ip *ip)
{
	if (ip == NULL || ip->cc[0] == '\0')
		return '?' << 8 | '?';
	return (uint32_t)(unsigned char)ip->cc[0] << 8 | (unsigned char)ip->cc[1];
}

/* A counter keyed by uint32 with rows in insertion order; the row of
 * the last key bumped is remembered (events come in runs of one victim,
 * country, signature). */
struct counter {
	struct hmap ix;
	struct count_row *v;
	size_t n, cap;
	uint32_t last, last_row; /* last_row < n: valid */
};

static struct count_row *bump(struct counter *c, uint32_t key, uint64_t by, enum dt_err *err)
{
	uint32_t *slot;
	bool added;

	if (c->last_row < c->n && c->last == key) {
		*err = DT_OK;
		c->v[c->last_row].count += by;
		return &c->v[c->last_row];
	}
	if ((*err = hmap_put(&c->ix, (uint64_t)key + 1, (uint32_t)c->n, &slot, &added)))
		return NULL;
	if (added) {
		if (c->n == c->cap) {
			size_t nc = c->cap ? 2 * c->cap : 4;
			struct count_row *nv = realloc(c->v, nc * sizeof(*nv));

			if (nv == NULL) {
				*err = DT_ENOMEM;
				return NULL;
			}
			c->v = nv;
			c->cap = nc;
		}
		memset(&c->v[c->n], 0, sizeof(*c->v));
		c->v[c->n].key = key;
		c->n++;
	}
	c->last = key;
	c->last_row = *slot;
	c->v[*slot].count += by;
	return &c->v[*slot];
}

/* How rows sort: by count, then by key as a string id (strings) or a
 * number.  Sorts take their context as an argument (qsort_r), so that
 * assessments can run on several threads. */
struct sort_ctx {
	const struct campaign_set *cs;
	bool strings;
};

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct count_row *x = a, *y = b;
	const struct sort_ctx *sc = arg;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (sc->strings)
		return strcmp(cs_str(sc->cs, x->key), cs_str(sc->cs, y->key));
	return x->key < y->key ? -1 : x->key > y->key;
}

/* Moves the counter's rows, sorted by count desc then key, into l. */
static void finish(struct counter *c, struct count_list *l, const struct campaign_set *cs,
                   bool strings)
{
	struct sort_ctx sc = {cs, strings};

	if (c->n) /* qsort's array may not be NULL, even when empty */
		qsort_r(c->v, c->n, sizeof(*c->v), cmp_rows, &sc);
	if (c->n && c->n < c->cap) {
		/* kept with the assessment: no room to spare (a report holds
		 * one per campaign, and there may be a hundred thousand) */
		struct count_row *v = realloc(c->v, c->n * sizeof(*v));

		if (v)
			c->v = v;
	}
	l->v = c->v;
	l->n = c->n;
	hmap_release(&c->ix);
	memset(c, 0, sizeof(*c));
}

/* A set of uint64 values; true when v is new. */
static bool add_once(struct hmap *s, uint64_t v, enum dt_err *err)
{
	uint32_t *slot;
	bool added = false;

	*err = hmap_put(s, v + 1, 0, &slot, &added);
	return !*err && added;
}

static int cmp_ip(const void *a, const void *b, void *arg)
{
	const struct campaign_set *cs = arg;
	const struct cs_ip *x = &cs->ip[*(const uint32_t *)a];
	const struct cs_ip *y = &cs->ip[*(const uint32_t *)b];

	if (x->ip.family != y->ip.family)
		return x->ip.family < y->ip.family ? -1 : 1;
	return x->ip.addr < y->ip.addr ? -1 : x->ip.addr > y->ip.addr;
}

static int cmp_str(const void *a, const void *b, void *arg)
{
	const struct campaign_set *cs = arg;

	return strcmp(cs_str(cs, *(const uint32_t *)a), cs_str(cs, *(const uint32_t *)b));
}

static void rfc3339(int64_t us, char out[24])
{
	time_t t = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 24, "?");
}

static int64_t floordiv(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static void working_hours(struct assessment *a, const uint64_t hist[7][24])
{
	uint64_t total = 0;
	int best = 0;

	for (int d = 0; d < 7; d++)
		for (int h = 0; h < 24; h++)
			total += hist[d][h];
	for (int o = TZ_MIN; o <= TZ_MAX; o++) {
		uint64_t in = 0;

		for (int d = 0; d < 7; d++) {
			for (int h = 0; h < 24; h++) {
				int lh = h + o, ld = d;

				if (lh < 0)
					lh += 24, ld = (d + 6) % 7;
				else if (lh >= 24)
					lh -= 24, ld = (d + 1) % 7;
				if (ld < 5 && lh >= 8 && lh < 18)
					in += hist[d][h];
			}
		}
		a->tz_office[o - TZ_MIN] = total ? (double)in / (double)total : 0;
	}
	/* the first maximum in ascending offsets */
	best = TZ_MIN;
	for (int o = TZ_MIN + 1; o <= TZ_MAX; o++)
		if (a->tz_office[o - TZ_MIN] > a->tz_office[best - TZ_MIN] + 1e-12)
			best = o;
	a->tz_share = a->tz_office[best - TZ_MIN];
	snprintf(a->tz_best, sizeof(a->tz_best), "%c%02d:00", best < 0 ? '-' : '+',
	         best < 0 ? -best : best);
}

static void judge(const struct campaign_set *cs, struct assessment *a, uint64_t lead_asns,
                  uint64_t lead_prefixes)
{
	char cc[3] = "??";
	int lo = 0, hi = 0, n = 0;
	bool known;
	double at_home = 0, weak = a->nips ? (double)a->weak_any / (double)a->nips : 0;

	if (a->lead) {
		cc[0] = (char)(a->lead >> 8);
		cc[1] = (char)a->lead;
	}
	known = a->lead && country_offsets(cc, &lo, &hi);
	for (int o = lo; known && o <= hi; o++)
		if (a->tz_office[o - TZ_MIN] > at_home)
			at_home = a->tz_office[o - TZ_MIN];

	a->corroborated[0] = a->nparties >= 2;
	snprintf(a->basis[0], sizeof(a->basis[0]), "observed by %zu part%s", a->nparties,
	         a->nparties == 1 ? "y" : "ies");
	a->corroborated[1] = a->nvictims >= 2;
	snprintf(a->basis[1], sizeof(a->basis[1]), "%zu victim%s", a->nvictims,
	         a->nvictims == 1 ? "" : "s");
	a->corroborated[2] = lead_asns >= 2 || lead_prefixes >= 3;
	snprintf(a->basis[2], sizeof(a->basis[2]), "%llu ASN%s and %llu /24s in %s",
	         (unsigned long long)lead_asns, lead_asns == 1 ? "" : "s",
	         (unsigned long long)lead_prefixes, cc);
	a->corroborated[3] = a->actors.n > 0;
	if (a->actors.n)
		snprintf(a->basis[3], sizeof(a->basis[3]), "intel names %s (%llu events sighted)",
		         cs_str(cs, a->actors.v[0].key), (unsigned long long)a->actors.v[0].count);
	else
		snprintf(a->basis[3], sizeof(a->basis[3]), "no intel actor sighted");
	a->corroborated[4] = known && at_home >= 0.6 && at_home >= 0.8 * a->tz_share;
	if (known)
		snprintf(
		    a->basis[4], sizeof(a->basis[4]),
		    "%.0f%% of events in office hours in %s's time zone (best %.0f%% at UTC%s)",
		    100 * at_home, cc, 100 * a->tz_share, a->tz_best);
	else
		snprintf(a->basis[4], sizeof(a->basis[4]),
		         "no time-zone table for %s (best office-hours fit %.0f%% at UTC%s)", cc,
		         100 * a->tz_share, a->tz_best);
	a->corroborated[5] = a->nips > 0 && weak < 0.2;
	snprintf(a->basis[5], sizeof(a->basis[5]),
	         "%.0f%% of remote addresses are weak evidence of location (cloud, VPN, Tor, "
	         "sinkhole, resolver, bogon, private)",
	         100 * weak);
	for (int i = 0; i < NCORROB; i++)
		n += a->corroborated[i];
	if (a->lead_share >= 0.8 && n >= 5 && a->corroborated[0])
		a->confidence = "high";
	else if (a->lead_share >= 0.6 && n >= 3)
		a->confidence = "moderate";
	else
		a->confidence = "low";

	snprintf(a->hypotheses[0][0], sizeof(a->hypotheses[0][0]), "operators in %s", cc);
	snprintf(a->hypotheses[0][1], sizeof(a->hypotheses[0][1]), "%s",
	         a->confidence[0] == 'l' ? "possible" : "favoured");
	snprintf(a->hypotheses[0][2], sizeof(a->hypotheses[0][2]),
	         "%.0f%% of distinct remote addresses are in %s; %d of %d corroborations hold "
	         "(%s confidence)",
	         100 * a->lead_share, cc, n, NCORROB, a->confidence);
	snprintf(a->hypotheses[1][0], sizeof(a->hypotheses[1][0]),
	         "hop points: operators elsewhere used infrastructure in %s", cc);
	snprintf(a->hypotheses[1][1], sizeof(a->hypotheses[1][1]), "%s",
	         weak >= 0.2 || (known && !a->corroborated[4]) ? "plausible" : "not excluded");
	snprintf(a->hypotheses[1][2], sizeof(a->hypotheses[1][2]),
	         "%.0f%% of remote addresses are cloud, VPN, Tor or similar; working hours %s "
	         "%s's time zone; network evidence alone cannot exclude relays",
	         100 * weak,
	         !known               ? "cannot be compared with"
	         : a->corroborated[4] ? "fit"
	                              : "do not fit",
	         cc);
	snprintf(a->hypotheses[2][0], sizeof(a->hypotheses[2][0]),
	         "false flag: evidence planted to point at %s", cc);
	snprintf(a->hypotheses[2][1], sizeof(a->hypotheses[2][1]), "%s",
	         a->corroborated[0] && a->corroborated[1] && n >= 4 ? "unlikely" : "not excluded");
	snprintf(a->hypotheses[2][2], sizeof(a->hypotheses[2][2]),
	         "planting would have to be consistent across %zu victim%s, %zu part%s and "
	         "%zu remote addresses",
	         a->nvictims, a->nvictims == 1 ? "" : "s", a->nparties,
	         a->nparties == 1 ? "y" : "ies", a->nips);
}

enum dt_err assess(const struct campaign_set *cs, const uint32_t *ev, size_t n,
                   struct assessment *a)
{
	struct counter origin[U_N] = {0}, countries = {0}, asns = {0}, victims = {0}, actors = {0},
	               sigs = {0}, parties = {0};
	struct hmap ips = {0}, pfx = {0}, pfxcc = {0}, asncc = {0}, viccc = {0}, asnset = {0},
	            vicset = {0}, asnip = {0};
	uint64_t hist[7][24] = {{0}};
	uint32_t *ipv = NULL, *pv = NULL;
	size_t nipv = 0, npv = 0, cap = 0, pcap = 0;
	int64_t tmin = INT64_MAX, tmax = INT64_MIN;
	enum dt_err err = DT_OK;
	size_t total = ev ? n : cs->nev;
	uint32_t last_victim = UINT32_MAX, last_vcc = 0, last_ip = UINT32_MAX;
	bool fresh;

	memset(a, 0, sizeof(*a));
	for (size_t j = 0; j < total && !err; j++) {
		uint32_t e = ev ? ev[j] : (uint32_t)j;
		const struct cs_event *x = &cs->ev[e];
		const struct cs_sub *sub = &cs->sub[x->sub];
		const struct cs_ip *ip = x->ip == UINT32_MAX ? NULL : &cs->ip[x->ip];
		uint32_t cc = cc_code(ip);
		struct count_row *r;
		int64_t s, days;

		if (ev == NULL && !cs->attack[e])
			continue;
		a->events++;
		a->hostile += x->alert || x->nsight;
		a->sightings += x->nsight;
		tmin = x->ts < tmin ? x->ts : tmin;
		tmax = x->ts > tmax ? x->ts : tmax;
		s = floordiv(x->ts, 1000000);
		days = floordiv(s, 86400);
		hist[(days + 3) % 7 < 0 ? (days + 3) % 7 + 7 : (days + 3) % 7]
		    [(s - days * 86400) / 3600]++;
		bump(&origin[U_EVENTS], cc, 1, &err);
		if (sub->victim != last_victim || cc != last_vcc) {
			/* (the same pair as the last event's adds nothing) */
			last_victim = sub->victim;
			last_vcc = cc;
			if (!err && add_once(&vicset, sub->victim, &err))
				a->units[U_VICTIMS]++;
			if (!err && add_once(&viccc, (uint64_t)sub->victim << 16 | cc, &err))
				bump(&origin[U_VICTIMS], cc, 1, &err);
		}
		if (!err && (r = bump(&victims, sub->victim, 1, &err))) {
			r->aux = sub->sector;
			r->aux2 = sub->party;
		}
		if (!err)
			bump(&parties, sub->party, 1, &err);
		if (!err && x->actor)
			bump(&actors, x->actor, 1, &err);
		if (!err && x->sig)
			bump(&sigs, x->sig, 1, &err);
		if (err || ip == NULL)
			continue;
		if ((r = bump(&countries, cc, 1, &err)) == NULL)
			break;
		/* the sets of an address's prefix, ASN and country learn
		 * nothing from its second event */
		fresh = x->ip != last_ip && add_once(&ips, x->ip, &err);
		last_ip = x->ip;
		if (fresh) {
			r->extra++;
			bump(&origin[U_REMOTE_IPS], cc, 1, &err);
			if (cap == nipv) {
				uint32_t *nv =
				    realloc(ipv, (cap = cap ? 2 * cap : 8) * sizeof(*nv));

				if (nv == NULL) {
					err = DT_ENOMEM;
					break;
				}
				ipv = nv;
			}
			ipv[nipv++] = x->ip;
			for (int w = 0; w < WC_N; w++)
				a->weak[w] += ip->weak >> w & 1;
			a->weak_any += (ip->weak & ((1u << WC_N) - 1)) != 0;
		}
		if (!err && fresh && add_once(&pfx, ip->prefix, &err)) {
			if (pcap == npv) {
				uint32_t *nv =
				    realloc(pv, (pcap = pcap ? 2 * pcap : 8) * sizeof(*nv));

				if (nv == NULL) {
					err = DT_ENOMEM;
					break;
				}
				pv = nv;
			}
			pv[npv++] = ip->prefix;
		}
		if (!err && fresh && add_once(&pfxcc, (uint64_t)ip->prefix << 16 | cc, &err))
			bump(&origin[U_PREFIXES], cc, 1, &err);
		if (!err && ip->asn) {
			if (fresh && add_once(&asnset, ip->asn, &err))
				a->units[U_ASNS]++;
			if (!err && fresh && add_once(&asncc, (uint64_t)ip->asn << 16 | cc, &err))
				bump(&origin[U_ASNS], cc, 1, &err);
			if (!err && (r = bump(&asns, ip->asn, 1, &err))) {
				r->aux = ip->org;
				if (fresh &&
				    add_once(&asnip, (uint64_t)ip->asn << 32 | x->ip, &err))
					r->extra++;
			}
		}
	}
	if (err)
		goto out;
	a->units[U_EVENTS] = a->events;
	a->units[U_REMOTE_IPS] = nipv;
	a->units[U_PREFIXES] = npv;
	a->nips = nipv;
	a->nprefixes = npv;
	a->nasns = a->units[U_ASNS];
	a->nvictims = a->units[U_VICTIMS];
	if (nipv)
		qsort_r(ipv, nipv, sizeof(*ipv), cmp_ip, (void *)cs);
	if (npv)
		qsort_r(pv, npv, sizeof(*pv), cmp_str, (void *)cs);
	a->ips = ipv;
	a->prefixes = pv;
	ipv = pv = NULL;
	for (int u = 0; u < U_N; u++)
		finish(&origin[u], &a->origin[u], cs, false);
	finish(&countries, &a->countries, cs, false);
	finish(&asns, &a->asns, cs, false);
	finish(&victims, &a->victims, cs, true);
	finish(&actors, &a->actors, cs, true);
	finish(&sigs, &a->signatures, cs, true);
	{
		struct count_list pl;

		finish(&parties, &pl, cs, true);
		a->nparties = pl.n;
		a->nparty_ids = pl.n;
		if ((a->parties = malloc((pl.n ? pl.n : 1) * sizeof(*a->parties))) == NULL) {
			free(pl.v);
			err = DT_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < pl.n; i++)
			a->parties[i] = pl.v[i].key;
		if (pl.n)
			qsort_r(a->parties, pl.n, sizeof(*a->parties), cmp_str, (void *)cs);
		free(pl.v);
	}
	if (a->events) {
		rfc3339(tmin, a->first);
		rfc3339(tmax, a->last);
	}
	for (int d = 0; d < 7; d++)
		for (int h = 0; h < 24; h++) {
			a->weekdays[d] += hist[d][h];
			a->hours[h] += hist[d][h];
		}
	working_hours(a, hist);
	{
		uint64_t lead_asns = 0, lead_pfx = 0;
		const struct count_list *o = &a->origin[U_REMOTE_IPS];

		for (size_t i = 0; i < o->n; i++) {
			if (o->v[i].key != ('?' << 8 | '?')) {
				a->lead = o->v[i].key;
				a->lead_share = nipv ? (double)o->v[i].count / (double)a->nips : 0;
				break;
			}
		}
		for (size_t i = 0; i < a->origin[U_ASNS].n; i++)
			if (a->origin[U_ASNS].v[i].key == a->lead)
				lead_asns = a->origin[U_ASNS].v[i].count;
		for (size_t i = 0; i < a->origin[U_PREFIXES].n; i++)
			if (a->origin[U_PREFIXES].v[i].key == a->lead)
				lead_pfx = a->origin[U_PREFIXES].v[i].count;
		judge(cs, a, lead_asns, lead_pfx);
	}
	{
		char cc[3] = {(char)(a->lead >> 8), (char)a->lead, 0};
		const char *who = a->actors.n ? cs_str(cs, a->actors.v[0].key) : NULL;

		if (a->lead == 0)
			snprintf(cc, sizeof(cc), "??");
		if (a->asns.n)
			snprintf(a->title, sizeof(a->title), "%s%s%s, AS%u %s, %zu victim%s",
			         who ? who : "", who ? " from " : "", cc, a->asns.v[0].key,
			         cs_str(cs, a->asns.v[0].aux), a->nvictims,
			         a->nvictims == 1 ? "" : "s");
		else
			snprintf(a->title, sizeof(a->title), "%s%s%s, %zu victim%s", who ? who : "",
			         who ? " from " : "", cc, a->nvictims, a->nvictims == 1 ? "" : "s");
	}
out:
	for (int u = 0; u < U_N; u++) {
		hmap_release(&origin[u].ix);
		if (err)
			free(origin[u].v);
	}
	hmap_release(&ips);
	hmap_release(&pfx);
	hmap_release(&pfxcc);
	hmap_release(&asncc);
	hmap_release(&viccc);
	hmap_release(&asnset);
	hmap_release(&vicset);
	hmap_release(&asnip);
	if (err) {
		struct counter *cv[] = {&countries, &asns, &victims, &actors, &sigs, &parties};

		for (size_t i = 0; i < sizeof(cv) / sizeof(*cv); i++) {
			hmap_release(&cv[i]->ix);
			free(cv[i]->v);
		}
		assessment_release(a);
	}
	free(ipv);
	free(pv);
	return err;
}

void assessment_release(struct assessment *a)
{
	for (int u = 0; u < U_N; u++)
		free(a->origin[u].v);
	free(a->countries.v);
	free(a->asns.v);
	free(a->victims.v);
	free(a->actors.v);
	free(a->signatures.v);
	free(a->ips);
	free(a->prefixes);
	free(a->parties);
	memset(a, 0, sizeof(*a));
}
