/*
 * model.c — the report model and its JSON (model.h, docs/report.md).
 *
 * JSON is written by hand into a strbuf: every string through
 * strbuf_add_json, every number with a fixed format, every array in the
 * order docs/report.md gives, so that two parties get the same bytes.
 * The overall assessment runs on a second thread beside the campaigns'
 * (assess() shares nothing but the campaign set it reads).
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "ledger/ledger.h"
#include "merkle/merkle.h"
#include "report/model.h"

/* ---- building ------------------------------------------------------------ */

static int cmp_entry(const void *a, const void *b)
{
	const struct report_entry *x = a, *y = b;
	int c = strcmp(x->party, y->party);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void fill_entry(struct report_entry *r, const char *party, uint64_t index, const char *leaf,
                       size_t len, const struct ledger_entry_info *info)
{
	uint8_t h[MERKLE_HASH_LEN];
	char hex[65];

	snprintf(r->party, sizeof(r->party), "%s", party);
	r->index = index;
	merkle_leaf_hash(leaf, len, h);
	dt_hex_encode(h, sizeof(h), r->leaf_hash);
	snprintf(r->kind, sizeof(r->kind), "%s", info->kind);
	snprintf(r->tlp, sizeof(r->tlp), "%s", info->tlp);
	dt_hex_encode(info->sha256, 32, hex);
	snprintf(r->payload, sizeof(r->payload), "sha256:%s", hex);
	snprintf(r->about, sizeof(r->about), "%s", info->about);
}

/* The checkpoint note's second and third lines: size and root. */
static void parse_checkpoint(struct report_model *m)
{
	const char *p = strchr(m->note, '\n');

	if (p == NULL)
		return;
	m->size = strtoull(p + 1, NULL, 10);
	if ((p = strchr(p + 1, '\n')) != NULL) {
		const char *e = strchr(p + 1, '\n');
		size_t n = e ? (size_t)(e - p - 1) : strlen(p + 1);

		if (n < sizeof(m->root)) {
			memcpy(m->root, p + 1, n);
			m->root[n] = '\0';
		}
	}
}

static enum dt_err add_peer(void *ctx, const char *peer, uint64_t size, const uint8_t root[32],
                            const char *note)
{
	struct report_model *m = ctx;
	struct report_peer *p = realloc(m->peers, (m->npeers + 1) * sizeof(*p));
	const char *nl = strchr(note, '\n');
	size_t n = nl ? (size_t)(nl - note) : strlen(note);

	if (p == NULL)
		return DT_ENOMEM;
	m->peers = p;
	p = &m->peers[m->npeers++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", peer);
	snprintf(p->origin, sizeof(p->origin), "%.*s", (int)(n < 255 ? n : 255), note);
	p->size = size;
	sodium_bin2base64(p->root, sizeof(p->root), root, 32, sodium_base64_VARIANT_ORIGINAL);
	p->cosigned = true; /* this node cosigns every checkpoint it accepts */
	return DT_OK;
}

static int cmp_strid(const void *a, const void *b, void *cs)
{
	return strcmp(cs_str(cs, *(const uint32_t *)a), cs_str(cs, *(const uint32_t *)b));
}

/* The overall assessment, as a thread. */
struct overall {
	const struct campaign_set *cs;
	struct assessment *a;
	enum dt_err err;
};

static void *assess_overall(void *arg)
{
	struct overall *o = arg;

	o->err = assess(o->cs, NULL, 0, o->a);
	return NULL;
}

enum dt_err report_model_build(struct report_model *m, const struct campaign_set *cs,
                               struct ledger *l, struct dt_diag *diag)
{
	struct strbuf b;
	enum dt_err err;

	memset(m, 0, sizeof(*m));
	m->cs = cs;
	strbuf_init(&b, LEDGER_MAX_ENTRY * 2);
	snprintf(m->party, sizeof(m->party), "%s", ledger_party(l));
	snprintf(m->origin, sizeof(m->origin), "%s", ledger_origin(l));
	if ((err = ledger_checkpoint(l, 0, &b, diag)))
		goto out;
	if ((m->note = strndup(b.p ? b.p : "", b.len)) == NULL) {
		err = DT_ENOMEM;
		goto out;
	}
	parse_checkpoint(m);

	/* the entries of the submissions, each once */
	m->entries = calloc(cs->nsub ? cs->nsub : 1, sizeof(*m->entries));
	m->sub_entry = calloc(cs->nsub ? cs->nsub : 1, sizeof(*m->sub_entry));
	m->refdata = calloc(cs->nsub ? cs->nsub : 1, sizeof(*m->refdata));
	if (m->entries == NULL || m->sub_entry == NULL || m->refdata == NULL) {
		err = DT_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cs->nsub; i++) {
		const struct cs_sub *s = &cs->sub[i];
		struct ledger_entry_info info;
		bool seen = false;

		for (size_t j = 0; j < m->nrefdata && !seen; j++)
			seen = m->refdata[j] == s->refdata;
		if (!seen && *cs_str(cs, s->refdata))
			m->refdata[m->nrefdata++] = s->refdata;
		if (*cs_str(cs, s->party) != '\0')
			continue; /* a peer's: below */
		strbuf_reset(&b);
		if ((err = ledger_entry(l, s->entry, &b, diag)) ||
		    (err = ledger_entry_parse(b.p, b.len, &info, diag)))
			goto out;
		fill_entry(&m->entries[m->nentries++], m->party, s->entry, b.p, b.len, &info);
	}
	/* the peers' entries, from their mirrored logs */
	{
		struct ledger_peer_entry *pe = NULL;
		size_t npe = 0;

		if ((err = ledger_peer_entries(l, NULL, "submission", &pe, &npe, diag)))
			goto out;
		for (size_t i = 0; i < cs->nsub; i++) {
			const struct cs_sub *s = &cs->sub[i];
			const char *party = cs_str(cs, s->party);

			if (*party == '\0')
				continue;
			for (size_t j = 0; j < npe; j++) {
				struct report_entry *r;

				if (pe[j].idx != s->entry ||
				    (strcmp(pe[j].peer, party) && strcmp(pe[j].e.author, party)))
					continue;
				r = &m->entries[m->nentries++];
				memset(r, 0, sizeof(*r));
				snprintf(r->party, sizeof(r->party), "%s", party);
				r->index = pe[j].idx;
				dt_hex_encode(pe[j].leaf_hash, 32, r->leaf_hash);
				snprintf(r->kind, sizeof(r->kind), "%s", pe[j].e.kind);
				snprintf(r->tlp, sizeof(r->tlp), "%s", pe[j].e.tlp);
				{
					char hex[65];

					dt_hex_encode(pe[j].e.sha256, 32, hex);
					snprintf(r->payload, sizeof(r->payload), "sha256:%s", hex);
				}
				snprintf(r->about, sizeof(r->about), "%s", pe[j].e.about);
				break;
			}
		}
		free(pe);
	}
	if ((err = ledger_peer_checkpoints(l, add_peer, m, diag)))
		goto out;
	qsort_r(m->refdata, m->nrefdata, sizeof(*m->refdata), cmp_strid, (void *)cs);
	qsort(m->entries, m->nentries, sizeof(*m->entries), cmp_entry);
	for (size_t i = 0; i < m->nentries; i++)
		snprintf(m->entries[i].ref, sizeof(m->entries[i].ref), "E%zu", i + 1);
	for (size_t i = 0; i < cs->nsub; i++) {
		const struct cs_sub *s = &cs->sub[i];
		const char *party = *cs_str(cs, s->party) ? cs_str(cs, s->party) : m->party;

		for (size_t j = 0; j < m->nentries; j++)
			if (m->entries[j].index == s->entry &&
			    strcmp(m->entries[j].party, party) == 0)
				m->sub_entry[i] = (uint32_t)j;
	}

	/* the assessments: the overall one on a second thread (as long as
	 * the campaigns' together, at 10 M events a few seconds each) */
	if ((m->camp = calloc(cs->nc ? cs->nc : 1, sizeof(*m->camp))) == NULL) {
		err = DT_ENOMEM;
		goto out;
	}
	{
		struct overall ov = {cs, &m->overall, DT_OK};
		pthread_t th;
		bool threaded = pthread_create(&th, NULL, assess_overall, &ov) == 0;

		if (!threaded)
			assess_overall(&ov);
		for (size_t i = 0; i < cs->nc && !err; i++)
			err = assess(cs, cs->c[i].ev, cs->c[i].nev, &m->camp[i]);
		if (threaded)
			pthread_join(th, NULL);
		if (!err)
			err = ov.err;
	}
out:
	strbuf_release(&b);
	if (err)
		report_model_release(m);
	return err;
}

void report_model_release(struct report_model *m)
{
	if (m->camp)
		for (size_t i = 0; m->cs && i < m->cs->nc; i++)
			assessment_release(&m->camp[i]);
	assessment_release(&m->overall);
	free(m->camp);
	free(m->note);
	free(m->entries);
	free(m->sub_entry);
	free(m->peers);
	free(m->refdata);
	memset(m, 0, sizeof(*m));
}

/* ---- JSON ------------------------------------------------------------------ */

struct out {
	struct strbuf *b;
	enum dt_err err;
};

static void raw(struct out *o, const char *s)
{
	if (!o->err)
		o->err = strbuf_adds(o->b, s);
}

static void str(struct out *o, const char *s)
{
	if (!o->err)
		o->err = strbuf_addc(o->b, '"');
	if (!o->err)
		o->err = strbuf_add_json(o->b, s, strlen(s));
	if (!o->err)
		o->err = strbuf_addc(o->b, '"');
}

static void key(struct out *o, const char *k)
{
	str(o, k);
	raw(o, ":");
}

static void u64(struct out *o, uint64_t v)
{
	if (!o->err)
		o->err = strbuf_addu(o->b, v);
}

static void share(struct out *o, uint64_t n, uint64_t of)
{
	if (!o->err)
		o->err = strbuf_addf(o->b, "%.4f", of ? (double)n / (double)of : 0.0);
}

static void real(struct out *o, double v)
{
	if (!o->err)
		o->err = strbuf_addf(o->b, "%.4f", v);
}

static void cc_str(struct out *o, uint32_t code)
{
	char cc[3] = {(char)(code >> 8), (char)code, 0};

	str(o, cc);
}

static void origins(struct out *o, const struct assessment *a)
{
	raw(o, "{");
	for (int u = 0; u < U_N; u++) {
		const struct count_list *l = &a->origin[u];

		if (u)
			raw(o, ",");
		key(o, unit_name((enum unit)u));
		raw(o, "[");
		for (size_t i = 0; i < l->n; i++) {
			raw(o, i ? ",{\"key\":" : "{\"key\":");
			cc_str(o, l->v[i].key);
			raw(o, ",\"count\":");
			u64(o, l->v[i].count);
			raw(o, ",\"share\":");
			share(o, l->v[i].count, a->units[u]);
			raw(o, "}");
		}
		raw(o, "]");
	}
	raw(o, "}");
}

static void weak(struct out *o, const struct assessment *a)
{
	raw(o, "{\"unit\":\"remote_ips\",\"total\":");
	u64(o, a->nips);
	raw(o, ",\"categories\":[");
	for (int w = 0; w < WC_N; w++) {
		raw(o, w ? ",{\"key\":" : "{\"key\":");
		str(o, weak_cat_name((enum weak_cat)w));
		raw(o, ",\"count\":");
		u64(o, a->weak[w]);
		raw(o, ",\"share\":");
		share(o, a->weak[w], a->nips);
		raw(o, "}");
	}
	raw(o, "],\"any\":{\"count\":");
	u64(o, a->weak_any);
	raw(o, ",\"share\":");
	share(o, a->weak_any, a->nips);
	raw(o, "}}");
}

static void activity(struct out *o, const struct assessment *a)
{
	raw(o, "{\"hours\":[");
	for (int h = 0; h < 24; h++) {
		if (h)
			raw(o, ",");
		u64(o, a->hours[h]);
	}
	raw(o, "],\"weekdays\":[");
	for (int d = 0; d < 7; d++) {
		if (d)
			raw(o, ",");
		u64(o, a->weekdays[d]);
	}
	raw(o, "]}");
}

static void ip_list(struct out *o, const struct campaign_set *cs, const struct assessment *a)
{
	char buf[DT_IP_STRLEN];

	raw(o, "[");
	for (size_t i = 0; i < a->nips; i++) {
		if (i)
			raw(o, ",");
		dt_ip_format(&cs->ip[a->ips[i]].ip, buf);
		str(o, buf);
	}
	raw(o, "]");
}

static void campaign(struct out *o, const struct report_model *m, size_t ci)
{
	const struct campaign_set *cs = m->cs;
	const struct campaign *c = &cs->c[ci];
	const struct assessment *a = &m->camp[ci];
	bool *used;

	raw(o, "{\"id\":");
	str(o, c->id);
	raw(o, ",\"title\":");
	str(o, a->title);
	raw(o, ",\"events\":");
	u64(o, a->events);
	raw(o, ",\"hostile_events\":");
	u64(o, a->hostile);
	raw(o, ",\"sightings\":");
	u64(o, a->sightings);
	raw(o, ",\"first\":");
	str(o, a->first);
	raw(o, ",\"last\":");
	str(o, a->last);
	raw(o, ",\"parties\":[");
	for (size_t i = 0; i < a->nparty_ids; i++) {
		const char *p = cs_str(cs, a->parties[i]);

		if (i)
			raw(o, ",");
		str(o, *p ? p : m->party);
	}
	raw(o, "],\"victims\":[");
	for (size_t i = 0; i < a->victims.n; i++) {
		const struct count_row *r = &a->victims.v[i];
		const char *p = cs_str(cs, r->aux2);

		raw(o, i ? ",{\"name\":" : "{\"name\":");
		str(o, cs_str(cs, r->key));
		raw(o, ",\"sector\":");
		str(o, cs_str(cs, r->aux));
		raw(o, ",\"party\":");
		str(o, *p ? p : m->party);
		raw(o, ",\"events\":");
		u64(o, r->count);
		raw(o, "}");
	}
	raw(o, "],\"remote_ips\":");
	ip_list(o, cs, a);
	raw(o, ",\"prefixes\":[");
	for (size_t i = 0; i < a->nprefixes; i++) {
		if (i)
			raw(o, ",");
		str(o, cs_str(cs, a->prefixes[i]));
	}
	raw(o, "],\"asns\":[");
	for (size_t i = 0; i < a->asns.n; i++) {
		const struct count_row *r = &a->asns.v[i];

		raw(o, i ? ",{\"asn\":" : "{\"asn\":");
		u64(o, r->key);
		raw(o, ",\"org\":");
		str(o, cs_str(cs, r->aux));
		raw(o, ",\"events\":");
		u64(o, r->count);
		raw(o, ",\"remote_ips\":");
		u64(o, r->extra);
		raw(o, "}");
	}
	raw(o, "],\"countries\":[");
	for (size_t i = 0; i < a->countries.n; i++) {
		const struct count_row *r = &a->countries.v[i];

		raw(o, i ? ",{\"cc\":" : "{\"cc\":");
		cc_str(o, r->key);
		raw(o, ",\"events\":");
		u64(o, r->count);
		raw(o, ",\"remote_ips\":");
		u64(o, r->extra);
		raw(o, "}");
	}
	raw(o, "],\"actors\":[");
	for (size_t i = 0; i < a->actors.n; i++) {
		raw(o, i ? ",{\"name\":" : "{\"name\":");
		str(o, cs_str(cs, a->actors.v[i].key));
		raw(o, ",\"sightings\":");
		u64(o, a->actors.v[i].count);
		raw(o, ",\"chain\":null}");
	}
	raw(o, "],\"signatures\":[");
	for (size_t i = 0; i < a->signatures.n && i < 20; i++) {
		raw(o, i ? ",{\"name\":" : "{\"name\":");
		str(o, cs_str(cs, a->signatures.v[i].key));
		raw(o, ",\"events\":");
		u64(o, a->signatures.v[i].count);
		raw(o, "}");
	}
	raw(o, "],\"links\":[");
	for (size_t i = 0; i < c->nlinks; i++) {
		const struct cs_link *k = &c->links[i];

		raw(o, i ? ",{\"kind\":" : "{\"kind\":");
		str(o, link_kind_name(k->kind));
		raw(o, ",\"value\":");
		str(o, cs_str(cs, k->value));
		raw(o, ",\"weight\":");
		real(o, link_kind_weight(k->kind));
		raw(o, ",\"members\":");
		u64(o, k->members);
		raw(o, ",\"events\":");
		u64(o, k->events);
		raw(o, "}");
	}
	raw(o, "],\"link_counts\":{");
	for (int k = 0, n = 0; k < LK_NKINDS; k++) {
		if (c->link_kinds[k] == 0)
			continue;
		if (n++)
			raw(o, ",");
		key(o, link_kind_name((enum link_kind)k));
		u64(o, c->link_kinds[k]);
	}
	raw(o, "},\"origins\":");
	origins(o, a);
	raw(o, ",\"weak_evidence\":");
	weak(o, a);
	raw(o, ",\"activity\":");
	activity(o, a);
	raw(o, ",\"timezone\":{\"best\":");
	str(o, a->tz_best);
	raw(o, ",\"office_share\":");
	real(o, a->tz_share);
	raw(o, ",\"offsets\":[");
	for (int t = TZ_MIN; t <= TZ_MAX; t++) {
		char off[16];

		snprintf(off, sizeof(off), "%c%02d:00", t < 0 ? '-' : '+', t < 0 ? -t : t);
		raw(o, t > TZ_MIN ? ",{\"offset\":" : "{\"offset\":");
		str(o, off);
		raw(o, ",\"office_share\":");
		real(o, a->tz_office[t - TZ_MIN]);
		raw(o, "}");
	}
	raw(o, "]},\"confidence\":");
	str(o, a->confidence);
	raw(o, ",\"confidence_basis\":[");
	for (int i = 0; i < NCORROB; i++) {
		raw(o, i ? ",{\"holds\":" : "{\"holds\":");
		raw(o, a->corroborated[i] ? "true" : "false");
		raw(o, ",\"finding\":");
		str(o, a->basis[i]);
		raw(o, "}");
	}
	raw(o, "],\"hypotheses\":[");
	for (int i = 0; i < 3; i++) {
		raw(o, i ? ",{\"name\":" : "{\"name\":");
		str(o, a->hypotheses[i][0]);
		raw(o, ",\"assessment\":");
		str(o, a->hypotheses[i][1]);
		raw(o, ",\"basis\":");
		str(o, a->hypotheses[i][2]);
		raw(o, "}");
	}
	raw(o, "],\"entries\":[");
	if ((used = calloc(m->nentries ? m->nentries : 1, sizeof(*used))) == NULL) {
		o->err = DT_ENOMEM;
		return;
	}
	for (size_t i = 0; i < c->nev; i++)
		used[m->sub_entry[cs->ev[c->ev[i]].sub]] = true;
	for (size_t j = 0, n = 0; j < m->nentries; j++) {
		if (!used[j])
			continue;
		if (n++)
			raw(o, ",");
		str(o, m->entries[j].ref);
	}
	free(used);
	raw(o, "]}");
}

enum dt_err report_campaign_json(struct strbuf *b, const struct report_model *m, size_t i)
{
	struct out o = {b, DT_OK};

	campaign(&o, m, i);
	return o.err;
}

enum dt_err report_json(struct strbuf *b, const struct report_model *m)
{
	const struct campaign_set *cs = m->cs;
	const struct assessment *a = &m->overall;
	struct out o = {b, DT_OK};
	uint64_t parties = 0;

	raw(&o, "{\"report\":\"detente.report/v1\",\"node\":{\"party\":");
	str(&o, m->party);
	raw(&o, ",\"origin\":");
	str(&o, m->origin);
	raw(&o, "},\"checkpoint\":{\"origin\":");
	str(&o, m->origin);
	raw(&o, ",\"size\":");
	u64(&o, m->size);
	raw(&o, ",\"root\":");
	str(&o, m->root);
	raw(&o, ",\"note\":");
	str(&o, m->note);
	raw(&o, "},\"peers\":[");
	for (size_t i = 0; i < m->npeers; i++) {
		const struct report_peer *p = &m->peers[i];

		raw(&o, i ? ",{\"name\":" : "{\"name\":");
		str(&o, p->name);
		raw(&o, ",\"origin\":");
		str(&o, p->origin);
		raw(&o, ",\"size\":");
		u64(&o, p->size);
		raw(&o, ",\"root\":");
		str(&o, p->root);
		raw(&o, p->cosigned ? ",\"cosigned\":true}" : ",\"cosigned\":false}");
	}
	raw(&o, "],\"refdata\":[");
	for (size_t i = 0; i < m->nrefdata; i++) {
		if (i)
			raw(&o, ",");
		str(&o, cs_str(cs, m->refdata[i]));
	}
	raw(&o, "],\"psl\":");
	str(&o, cs->psl_digest);
	raw(&o, ",\"entries\":[");
	for (size_t i = 0; i < m->nentries; i++) {
		const struct report_entry *e = &m->entries[i];

		raw(&o, i ? ",{\"ref\":" : "{\"ref\":");
		str(&o, e->ref);
		raw(&o, ",\"party\":");
		str(&o, e->party);
		raw(&o, ",\"index\":");
		u64(&o, e->index);
		raw(&o, ",\"leaf_hash\":");
		str(&o, e->leaf_hash);
		raw(&o, ",\"kind\":");
		str(&o, e->kind);
		raw(&o, ",\"tlp\":");
		str(&o, e->tlp);
		raw(&o, ",\"about\":");
		str(&o, e->about);
		raw(&o, ",\"payload\":");
		str(&o, e->payload);
		raw(&o, "}");
	}
	for (size_t i = 0; i < m->nentries; i++)
		parties += i == 0 || strcmp(m->entries[i].party, m->entries[i - 1].party) != 0;
	raw(&o, "],\"totals\":{\"events\":");
	u64(&o, cs->nev);
	raw(&o, ",\"attack_events\":");
	u64(&o, cs->attack_events);
	raw(&o, ",\"campaign_events\":");
	{
		uint64_t n = 0;

		for (size_t i = 0; i < cs->nc; i++)
			n += cs->c[i].nev;
		u64(&o, n);
	}
	raw(&o, ",\"hostile_events\":");
	u64(&o, a->hostile);
	raw(&o, ",\"campaigns\":");
	u64(&o, cs->nc);
	raw(&o, ",\"remote_ips\":");
	u64(&o, a->nips);
	raw(&o, ",\"prefixes\":");
	u64(&o, a->nprefixes);
	raw(&o, ",\"asns\":");
	u64(&o, a->nasns);
	raw(&o, ",\"countries\":");
	u64(&o, a->countries.n);
	raw(&o, ",\"victims\":");
	u64(&o, a->nvictims);
	raw(&o, ",\"parties\":");
	u64(&o, parties);
	raw(&o, ",\"sightings\":");
	u64(&o, a->sightings);
	raw(&o, ",\"entries\":[");
	for (size_t i = 0; i < m->nentries; i++) {
		if (i)
			raw(&o, ",");
		str(&o, m->entries[i].ref);
	}
	raw(&o, "]},\"origins\":");
	origins(&o, a);
	raw(&o, ",\"weak_evidence\":");
	weak(&o, a);
	raw(&o, ",\"activity\":");
	activity(&o, a);
	raw(&o, ",\"campaigns\":[");
	for (size_t i = 0; i < cs->nc && !o.err; i++) {
		if (i)
			raw(&o, ",");
		campaign(&o, m, i);
	}
	raw(&o, "],\"method\":{\"links\":[");
	for (int k = 0; k < LK_NKINDS; k++) {
		raw(&o, k ? ",{\"kind\":" : "{\"kind\":");
		str(&o, link_kind_name((enum link_kind)k));
		raw(&o, ",\"weight\":");
		real(&o, link_kind_weight((enum link_kind)k));
		raw(&o, ",\"rule\":");
		str(&o, link_kind_rule((enum link_kind)k));
		raw(&o, ",\"kept_from_joining\":");
		u64(&o, cs->guarded[k]);
		raw(&o, "}");
	}
	raw(&o, "],\"join_threshold\":1.0,\"window_days\":");
	u64(&o, (uint64_t)(cs->opts.window_us / 86400000000LL));
	raw(&o, ",\"guard\":");
	{
		char g[512];

		snprintf(
		    g, sizeof(g),
		    "no link through addresses flagged tor, sinkhole, public-dns, bogon or "
		    "private, nor warning-listed values; no prefix or ASN link through cloud or "
		    "vpn "
		    "addresses; a key of more than %u remote addresses or a signature seen from "
		    "more than %u ASNs joins nothing",
		    cs->opts.guard_ips, cs->opts.guard_asns);
		str(&o, g);
	}
	raw(&o, ",\"campaign_rule\":");
	{
		char g[256];

		snprintf(g, sizeof(g),
		         "a connected group with hostile evidence (an IDS alert or a hostile intel "
		         "sighting) at %u or more victims, or named by intel",
		         cs->opts.min_victims);
		str(&o, g);
	}
	raw(&o, ",\"confidence_rule\":");
	str(&o,
	    "leading country by distinct remote addresses (share s) and six corroborations "
	    "(two or more parties; two or more victims; two or more ASNs or three or more /24s "
	    "in that country; an intel actor sighted; office hours fit the country's time zone "
	    "(share >= 0.6 and >= 0.8 of the best offset's); weak evidence below 0.2): high when "
	    "s >= 0.8 with 5 or more including two parties, moderate when s >= 0.6 with 3 or "
	    "more, low otherwise");
	raw(&o, ",\"office_hours\":\"Mon-Fri 08:00-18:00 local\"}}\n");
	return o.err;
}
