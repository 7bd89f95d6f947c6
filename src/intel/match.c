/*
 * match.c — see match.h.
 *
 * The evaluable indicators' atoms are loaded once; a matchset (intel/
 * matchset.h) whose payload is the atom's index is built for each group
 * of blocks: blocks never matched get every indicator, blocks matched
 * before up to indicator `upto` only the newer ones (a retro-hunt of a few
 * new indicators builds a small index).  Warning-list entries are in every
 * index, marked benign.  Atoms of one indicator are contiguous and sorted
 * by (observation, conjunction), so a conjunction is a range to check.
 */
#include "intel/match.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/matchset.h"
#include "intel/normalize.h"

struct actor {
	char *name, *chain;
};

struct ind {
	int64_t id;
	char *stix_id, *labels; /* fetched when first needed (fetch()) */
	uint64_t entry;
	uint8_t mode;
	bool benign, resolved, fetched;
	uint16_t nobs;
	struct actor *act;
	size_t nact;
};

struct atom {
	uint32_t ind;
	uint16_t obs, conj;
	enum ind_type type;
	uint32_t first, n; /* the atoms of its conjunction */
	struct dt_prefix pfx;
	size_t voff;        /* value: its offset in the arena while loading */
	const char *value;  /* then a pointer into it */
	const char *benign; /* the value is on a warning list: which */
	bool anyof;         /* one of a list: the conjunction needs one (db.c) */
	bool priv;          /* a private or reserved address */
};

/* A sighting of an ALL/SEQ indicator's observation, decided at the end. */
struct deferred {
	uint32_t atom;
	uint64_t block;
	uint32_t idx;
	int64_t ts;
	const char *field;
};

/* Per-block scratch of candidates(). */
struct batch {
	uint32_t a4[2 * BLOCK_MAX], ids4[2 * BLOCK_MAX], row4[2 * BLOCK_MAX];
	uint8_t cand[BLOCK_MAX];
};

struct matcher {
	struct intel_db *x;
	struct batch *b;
	struct store *s;
	sqlite3 *db;
	struct ind *ind;
	size_t nind;
	struct atom *atom;
	size_t natom;
	struct matchset *ms;
	uint64_t ms_upto; /* ms holds the indicators newer than this */
	struct ms_hits hits;
	sqlite3_stmt *get;              /* fetch() */
	sqlite3_stmt *q_obj, *q_rel[2]; /* object(), related() */
	struct strbuf arena;            /* the atoms' values */
	struct deferred *def;
	size_t ndef, capdef;
	struct strbuf ukey, tmp;
	struct intel_match_result *r;
	void (*progress)(void *, uint64_t);
	void *pctx;
	struct dt_diag *diag;
};

/* ---- loading ------------------------------------------------------------ */

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static char *dupt(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? dupn(s, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

static enum dt_err add_atom(struct matcher *m, size_t *cap, uint32_t ind, unsigned obs,
                            unsigned conj, const char *type, const char *v, size_t vlen)
{
	struct atom *a;

	if (m->natom == *cap) {
		size_t c = *cap ? 2 * *cap : 4096;
		struct atom *w = realloc(m->atom, c * sizeof(*w));

		if (w == NULL)
			return DT_ENOMEM;
		m->atom = w;
		*cap = c;
	}
	a = &m->atom[m->natom];
	memset(a, 0, sizeof(*a));
	a->ind = ind;
	a->obs = (uint16_t)obs;
	a->conj = (uint16_t)conj;
	if (*type && type[strlen(type) - 1] == '~') {
		char t[32];

		snprintf(t, sizeof(t), "%.*s", (int)strlen(type) - 1, type);
		a->anyof = true;
		a->type = intel_type_from_name(t);
	} else {
		a->type = intel_type_from_name(type);
	}
	if ((a->type == IT_IPV4 || a->type == IT_IPV6) &&
	    dt_prefix_parse(v, vlen, &a->pfx, NULL) != DT_OK)
		return DT_OK; /* not stored by intel_import: cannot happen */
	a->voff = m->arena.len;
	if (strbuf_add(&m->arena, v, vlen) || strbuf_addc(&m->arena, '\0'))
		return DT_ENOMEM;
	a->priv = (a->type == IT_IPV4 || a->type == IT_IPV6) && intel_special_prefix(&a->pfx);
	m->natom++;
	return DT_OK;
}

static int atom_cmp(const void *pa, const void *pb)
{
	const struct atom *a = pa, *b = pb;

	if (a->ind != b->ind)
		return a->ind < b->ind ? -1 : 1;
	if (a->obs != b->obs)
		return a->obs < b->obs ? -1 : 1;
	return a->conj < b->conj ? -1 : a->conj > b->conj;
}

static enum dt_err load(struct matcher *m, uint64_t gen, uint64_t expect)
{
	sqlite3_stmt *st;
	size_t cap = 0, icap = 0;
	enum dt_err err = DT_OK;

	/* room for what the database holds, so that a million indicators are
	 * not copied a dozen times over while the arrays grow */
	if (expect && expect < (1u << 28)) {
		m->ind = malloc(expect * sizeof(*m->ind));
		m->atom = malloc(expect * sizeof(*m->atom));
		if (m->ind == NULL || m->atom == NULL)
			return DT_ENOMEM;
		icap = cap = expect;
	}

	if (sqlite3_prepare_v2(m->db,
	                       "SELECT i.id, NULL, s.entry, i.mode, i.benign, NULL, NULL,"
	                       " i.type, i.value, i.atoms FROM indicators i"
	                       " JOIN intel_sources s ON s.id = i.source"
	                       " WHERE i.unsupported IS NULL AND i.value IS NOT NULL AND i.id <= ?1"
	                       " ORDER BY i.id",
	                       -1, &st, NULL) != SQLITE_OK) {
		dt_diag_set(m->diag, NULL, 0, "database: %s", sqlite3_errmsg(m->db));
		return DT_EIO;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)gen);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		struct ind *d;
		const char *atoms = (const char *)sqlite3_column_text(st, 9);
		uint32_t k = (uint32_t)m->nind;
		unsigned maxobs = 0;

		if (m->nind == icap) {
			size_t c = icap ? 2 * icap : 4096;
			struct ind *w = realloc(m->ind, c * sizeof(*w));

			if (w == NULL) {
				err = DT_ENOMEM;
				break;
			}
			m->ind = w;
			icap = c;
		}
		d = &m->ind[m->nind++];
		memset(d, 0, sizeof(*d));
		d->id = sqlite3_column_int64(st, 0);
		d->entry = (uint64_t)sqlite3_column_int64(st, 2);
		d->mode = (uint8_t)sqlite3_column_int(st, 3);
		d->benign = sqlite3_column_int(st, 4) != 0;
		if (atoms == NULL) {
			err = add_atom(m, &cap, k, 0, 0, (const char *)sqlite3_column_text(st, 7),
			               (const char *)sqlite3_column_text(st, 8),
			               (size_t)sqlite3_column_bytes(st, 8));
		} else {
			/* lines "obs conj type value" */
			for (const char *p = atoms, *nl; !err && *p; p = nl + 1) {
				unsigned obs, conj;
				char type[32];
				int off = 0;

				if ((nl = strchr(p, '\n')) == NULL)
					break;
				if (sscanf(p, "%u %u %31s %n", &obs, &conj, type, &off) != 3 ||
				    off == 0)
					continue;
				if (obs > maxobs)
					maxobs = obs;
				err = add_atom(m, &cap, k, obs, conj, type, p + off,
				               (size_t)(nl - p - off));
			}
		}
		d->nobs = (uint16_t)(maxobs + 1);
	}
	sqlite3_finalize(st);
	if (err)
		return err;
	for (size_t i = 0; i < m->natom; i++)
		m->atom[i].value = m->arena.p + m->atom[i].voff;
	/* rows come in id order, each indicator's atoms as stored (by
	 * observation and conjunction): usually sorted already */
	for (size_t i = 1; i < m->natom; i++)
		if (atom_cmp(&m->atom[i - 1], &m->atom[i]) > 0) {
			qsort(m->atom, m->natom, sizeof(*m->atom), atom_cmp);
			break;
		}
	for (size_t i = 0; i < m->natom;) {
		size_t j = i;

		while (j < m->natom && m->atom[j].ind == m->atom[i].ind &&
		       m->atom[j].obs == m->atom[i].obs && m->atom[j].conj == m->atom[i].conj)
			j++;
		for (size_t k = i; k < j; k++) {
			m->atom[k].first = (uint32_t)i;
			m->atom[k].n = (uint32_t)(j - i);
		}
		i = j;
	}
	return DT_OK;
}

/* The index of the warning-list entries and of the indicators newer than
 * upto: blocks matched before up to some indicator meet only the newer
 * ones (a retro-hunt of a few new indicators builds a small index). */
static enum dt_err build(struct matcher *m, uint64_t upto)
{
	enum dt_err err;

	matchset_free(m->ms);
	m->ms = NULL;
	m->ms_upto = upto;
	if ((err = matchset_new(&m->ms)))
		return err;
	for (size_t i = 0; i < m->natom && !err; i++) {
		struct atom *a = &m->atom[i];

		if (!m->ind[a->ind].benign && (uint64_t)m->ind[a->ind].id <= upto)
			continue;

		switch (a->type) {
		case IT_IPV4:
		case IT_IPV6: err = matchset_add_prefix(m->ms, &a->pfx, (uint32_t)i); break;
		case IT_DOMAIN:
			err = matchset_add_domain(m->ms, a->value, strlen(a->value), (uint32_t)i);
			break;
		case IT_URL:
		case IT_MD5:
		case IT_SHA1:
		case IT_SHA256:
		case IT_SHA512:
		case IT_CERT_SHA1:
		case IT_CERT_SHA256:
		case IT_JA3:
			err = matchset_add_exact(m->ms, a->type, a->value, strlen(a->value),
			                         (uint32_t)i);
			break;
		default: break; /* e-mail and others: no event field carries them */
		}
	}
	return err ? err : matchset_build(m->ms);
}

/* An indicator's id and labels, read when a sighting or a suppression
 * needs them: most indicators never match, and reading a million ids
 * would cost more than the matching. */
static const struct ind *fetch(struct matcher *m, struct ind *d)
{
	if (d->fetched)
		return d;
	d->fetched = true;
	if (m->get == NULL &&
	    sqlite3_prepare_v2(m->db,
	                       "SELECT coalesce(stix_id, detente_id(type, value, labels)), labels"
	                       " FROM indicators WHERE id = ?1",
	                       -1, &m->get, NULL) != SQLITE_OK)
		return d;
	sqlite3_reset(m->get);
	sqlite3_bind_int64(m->get, 1, d->id);
	if (sqlite3_step(m->get) == SQLITE_ROW) {
		d->stix_id = dupt(m->get, 0);
		d->labels = dupt(m->get, 1);
	}
	sqlite3_reset(m->get);
	return d;
}

/* The warning lists the value v (of type t) is on, or NULL.  Uses tmp. */
static const char *benign_of(struct matcher *m, enum ind_type t, const char *v, size_t len)
{
	size_t n0 = m->hits.n;
	const char *why = NULL;

	if (t == IT_IPV4 || t == IT_IPV6) {
		struct dt_prefix p;

		if (dt_prefix_parse(v, len, &p, NULL) == DT_OK)
			matchset_ip(m->ms, &p.ip, &m->hits);
	} else if (t == IT_DOMAIN) {
		matchset_domain(m->ms, v, len, &m->hits);
	} else if (t != IT_NONE) {
		matchset_exact(m->ms, t, v, len, &m->hits);
	}
	for (size_t i = n0; i < m->hits.n; i++) {
		const struct atom *a = &m->atom[m->hits.v[i]];
		struct ind *d = &m->ind[a->ind];

		if (d->benign) {
			why = fetch(m, d)->labels ? d->labels : "warning list";
			break;
		}
	}
	m->hits.n = n0;
	return why;
}

/* ---- actors ------------------------------------------------------------- */

static bool actor_type(const char *t)
{
	return t && (strcmp(t, "campaign") == 0 || strcmp(t, "intrusion-set") == 0 ||
	             strcmp(t, "threat-actor") == 0);
}

/* The name and type of an object, from any import (the first by source). */
static bool object(struct matcher *m, const char *id, char *name, size_t nsize, char *type,
                   size_t tsize)
{
	sqlite3_stmt *st = m->q_obj;
	bool ok = false;

	if (st == NULL &&
	    sqlite3_prepare_v2(m->db,
	                       "SELECT type, coalesce(name, stix_id) FROM intel_objects"
	                       " WHERE stix_id = ?1 ORDER BY source LIMIT 1",
	                       -1, &m->q_obj, NULL) != SQLITE_OK)
		return false;
	st = m->q_obj;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(type, tsize, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(name, nsize, "%s", (const char *)sqlite3_column_text(st, 1));
		ok = true;
	}
	sqlite3_reset(st);
	return ok;
}

/* Ends of relationships of one type from (or to) id, in a stable order. */
static size_t related(struct matcher *m, const char *id, const char *type, bool reverse,
                      char out[][160], size_t max)
{
	sqlite3_stmt **q = &m->q_rel[reverse], *st;
	size_t n = 0;

	if (*q == NULL && sqlite3_prepare_v2(m->db,
	                                     reverse ? "SELECT DISTINCT src FROM intel_relations"
	                                               " WHERE dst = ?1 AND type = ?2 ORDER BY src"
	                                             : "SELECT DISTINCT dst FROM intel_relations"
	                                               " WHERE src = ?1 AND type = ?2 ORDER BY dst",
	                                     -1, q, NULL) != SQLITE_OK)
		return 0;
	st = *q;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	while (n < max && sqlite3_step(st) == SQLITE_ROW)
		snprintf(out[n++], 160, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return n;
}

#define MAX_LINKS 32

/* "attributed to X (attributed to Z), Y" following attributed-to from id,
 * depth-bounded; a name already in b (a cycle) is not repeated. */
static void chain(struct matcher *m, const char *id, struct strbuf *b, int depth)
{
	char next[MAX_LINKS][160], name[256], type[64];
	size_t n = depth < 4 ? related(m, id, "attributed-to", false, next, MAX_LINKS) : 0;
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		size_t mark, inner;

		if (!object(m, next[i], name, sizeof(name), type, sizeof(type)) ||
		    (b->len && strstr(b->p, name)))
			continue;
		strbuf_adds(b, first ? "attributed to " : ", ");
		strbuf_adds(b, name);
		first = false;
		mark = b->len;
		strbuf_adds(b, " (");
		inner = b->len;
		chain(m, next[i], b, depth + 1);
		if (b->len == inner) {
			b->len = mark;
			b->p[mark] = '\0';
		} else {
			strbuf_addc(b, ')');
		}
	}
}

static enum dt_err add_actor(struct ind *d, const char *name, const char *ch)
{
	struct actor *w;

	for (size_t i = 0; i < d->nact; i++)
		if (strcmp(d->act[i].name, name) == 0)
			return DT_OK;
	if ((w = realloc(d->act, (d->nact + 1) * sizeof(*w))) == NULL)
		return DT_ENOMEM;
	d->act = w;
	w[d->nact].name = strdup(name);
	w[d->nact].chain = ch && *ch ? strdup(ch) : NULL;
	if (w[d->nact].name == NULL)
		return DT_ENOMEM;
	d->nact++;
	return DT_OK;
}

/* An actor, and the intrusion sets and campaigns attributed to it (APT1
 * is attributed to the threat actor Ugly Gorilla: a sighting of Ugly
 * Gorilla's indicator is one of APT1's too). */
static enum dt_err add_actor_and_groups(struct matcher *m, struct ind *d, const char *id,
                                        const char *name)
{
	char grp[MAX_LINKS][160], gname[256], gtype[64];
	size_t ng;
	enum dt_err err;

	strbuf_reset(&m->tmp);
	chain(m, id, &m->tmp, 0);
	if ((err = add_actor(d, name, m->tmp.p)))
		return err;
	ng = related(m, id, "attributed-to", true, grp, MAX_LINKS);
	for (size_t i = 0; i < ng && !err; i++) {
		if (!object(m, grp[i], gname, sizeof(gname), gtype, sizeof(gtype)) ||
		    !actor_type(gtype))
			continue;
		strbuf_reset(&m->tmp);
		chain(m, grp[i], &m->tmp, 0);
		err = add_actor(d, gname, m->tmp.p);
	}
	return err;
}

static enum dt_err resolve(struct matcher *m, struct ind *d)
{
	char tgt[MAX_LINKS][160], users[MAX_LINKS][160], name[256], type[64];
	size_t nt;
	enum dt_err err = DT_OK;

	if (d->resolved)
		return DT_OK;
	d->resolved = true;
	nt = related(m, d->stix_id, "indicates", false, tgt, MAX_LINKS);
	for (size_t i = 0; i < nt && !err; i++) {
		size_t nu;
		bool any = false;

		if (!object(m, tgt[i], name, sizeof(name), type, sizeof(type)))
			continue;
		if (actor_type(type)) {
			err = add_actor_and_groups(m, d, tgt[i], name);
			continue;
		}
		/* malware, a tool, infrastructure: whoever uses it */
		nu = related(m, tgt[i], "uses", true, users, MAX_LINKS);
		for (size_t j = 0; j < nu && !err; j++) {
			char uname[256], utype[64];

			if (!object(m, users[j], uname, sizeof(uname), utype, sizeof(utype)) ||
			    !actor_type(utype))
				continue;
			err = add_actor_and_groups(m, d, users[j], uname);
			any = true;
		}
		if (!any && !err && d->nact == 0) {
			/* no actor: say at least what it indicates */
			strbuf_reset(&m->tmp);
			strbuf_addf(&m->tmp, "indicates %s %s", type, name);
			err = add_actor(d, "", m->tmp.p);
		}
	}
	return err;
}

/* ---- matching ----------------------------------------------------------- */

static bool ends_with_label(const char *d, size_t dl, const char *v, size_t vl)
{
	if (dl > 0 && d[dl - 1] == '.')
		dl--; /* a fully qualified name */
	if (dl == vl)
		return strncasecmp(d, v, vl) == 0;
	return dl > vl && d[dl - vl - 1] == '.' && strncasecmp(d + dl - vl, v, vl) == 0;
}

static bool eq(struct dt_str s, const char *v)
{
	size_t n = strlen(v);

	return s.len == n && strncasecmp(s.p, v, n) == 0;
}

static bool in_prefix(const struct dt_prefix *p, bool has, const struct dt_ip *ip)
{
	return has && ip->family == p->ip.family &&
	       (ip->addr & dt_ip_mask(ip->family, p->len)) == p->ip.addr;
}

/* Whether one atom holds on an event (for conjunctions of several). */
static bool holds(const struct matcher *m, const struct atom *a, const struct event *e)
{
	switch (a->type) {
	case IT_IPV4:
	case IT_IPV6:
		return in_prefix(&a->pfx, e->has_src, &e->src) ||
		       in_prefix(&a->pfx, e->has_dst, &e->dst);
	case IT_DOMAIN:
		return e->domain.len &&
		       ends_with_label(e->domain.p, e->domain.len, a->value, strlen(a->value));

	case IT_URL: return m->ukey.len && strcmp(m->ukey.p, a->value) == 0;
	case IT_MD5: return eq(e->md5, a->value);
	case IT_SHA1: return eq(e->sha1, a->value);
	case IT_SHA256: return eq(e->sha256, a->value);
	case IT_CERT_SHA1: return eq(e->cert_sha1, a->value);
	case IT_CERT_SHA256: return eq(e->cert_sha256, a->value);
	case IT_JA3: return eq(e->ja3, a->value) || eq(e->ja3s, a->value);
	default: return false;
	}
}

/* Whether the conjunction of atom ai (which matched) holds on the event:
 * every plain atom, and one of the any-of atoms if it has some. */
static bool conj_holds(const struct matcher *m, const struct atom *a, uint32_t ai,
                       const struct event *e)
{
	/* the matched atom holds; if it is an any-of atom, so does the set */
	bool has_anyof = false, one_held = false;

	if (a->anyof)
		has_anyof = one_held = true;
	for (uint32_t c = a->first; c < a->first + a->n; c++) {
		const struct atom *b = &m->atom[c];

		if (c == ai)
			continue;
		if (b->anyof) {
			has_anyof = true;
			if (!one_held)
				one_held = holds(m, b, e);
		} else if (!holds(m, b, e)) {
			return false;
		}
	}
	return !has_anyof || one_held;
}

/* A lowercase copy of a hash field, for the exact lookups. */
static size_t lower(struct dt_str s, char *out, size_t max)
{
	if (s.len == 0 || s.len >= max)
		return 0;
	for (size_t i = 0; i < s.len; i++)
		out[i] = (char)(s.p[i] >= 'A' && s.p[i] <= 'Z' ? s.p[i] + 32 : s.p[i]);
	return s.len;
}

struct probe {
	const char *field;
	size_t from, to; /* its hits in m->hits */
};

static enum dt_err emit(struct matcher *m, const struct atom *a, uint64_t block, uint32_t idx,
                        int64_t ts, const char *field, const char *ev_benign)
{
	struct ind *d = (struct ind *)fetch(m, &m->ind[a->ind]);
	struct store_sighting g = {
	    .block = block,
	    .idx = idx,
	    .ts = ts,
	    .indicator = d->stix_id,
	    .value = a->value,
	    .type = intel_type_name(a->type),
	    .field = field,
	    .source = d->entry,
	};
	char why[300];
	enum dt_err err;

	if (a->priv)
		g.suppressed = "private";
	else if (a->benign || ev_benign) {
		snprintf(why, sizeof(why), "warninglist:%s", a->benign ? a->benign : ev_benign);
		g.suppressed = why;
	}
	if ((err = resolve(m, d)))
		return err;
	/* one sighting per actor: the counts are of stored sightings */
	for (size_t i = 0; i < (d->nact ? d->nact : 1) && !err; i++) {
		g.actor = d->nact ? d->act[i].name : "";
		g.chain = d->nact ? d->act[i].chain : NULL;
		err = store_sighting_add(m->s, &g, m->diag);
		m->r->sightings++;
		if (g.suppressed)
			m->r->suppressed++;
		else
			m->r->hostile++;
	}
	return err;
}

static enum dt_err defer(struct matcher *m, uint32_t atom, uint64_t block, uint32_t idx, int64_t ts,
                         const char *field)
{
	if (m->ndef == m->capdef) {
		size_t c = m->capdef ? 2 * m->capdef : 256;
		struct deferred *w = realloc(m->def, c * sizeof(*w));

		if (w == NULL)
			return DT_ENOMEM;
		m->def = w;
		m->capdef = c;
	}
	m->def[m->ndef++] = (struct deferred){atom, block, idx, ts, field};
	return DT_OK;
}

/* Marks the rows of a block that can match at all: an IPv4 endpoint in
 * some interval set (one batched lookup for the whole block), an IPv6
 * endpoint, or a field the string indexes look at.  Most events are none
 * of these and cost no more than this. */
static void candidates(struct matcher *m, const struct block *k)
{
	static const enum block_col strs[] = {BC_DOMAIN, BC_URL,       BC_JA3,
	                                      BC_JA3S,   BC_CERT_SHA1, BC_CERT_SHA256,
	                                      BC_MD5,    BC_SHA1,      BC_SHA256};
	struct batch *b = m->b;
	size_t n4 = 0;

	for (size_t i = 0; i < k->n; i++) {
		struct dt_ip ip;

		b->cand[i] = 0;
		for (int side = 1; side <= 2; side++) {
			if (!block_addr(k, side, i, &ip))
				continue;
			if (ip.family == 4) {
				b->a4[n4] = (uint32_t)ip.addr;
				b->row4[n4++] = (uint32_t)i;
			} else {
				b->cand[i] = 1;
			}
		}
		for (size_t c = 0; !b->cand[i] && c < sizeof(strs) / sizeof(*strs); c++)
			b->cand[i] = block_str(k, strs[c], i).len != 0;
	}
	matchset_ip4_sets(m->ms, b->a4, b->ids4, n4);
	for (size_t j = 0; j < n4; j++)
		if (b->ids4[j])
			b->cand[b->row4[j]] = 1;
}

static enum dt_err match_block(void *ctx, uint64_t block, uint64_t upto, const struct block *k,
                               const uint8_t sha[32], uint64_t entry)
{
	struct matcher *m = ctx;
	enum dt_err err = DT_OK;

	(void)sha;
	(void)entry;
	if (upto != m->ms_upto && (err = build(m, upto)))
		return err;
	candidates(m, k);
	for (size_t i = 0; i < k->n && !err; i++) {
		struct block_row row;
		const struct event *e = &row.ev;

		if (!m->b->cand[i])
			continue;
		block_get(k, i, &row);

		struct probe pr[12];
		size_t np = 0;
		char hb[7][160], dom[256];
		uint32_t done[32];
		const char *donef[32];
		size_t ndone = 0;
		const struct {
			const char *field;
			struct dt_str s;
			enum ind_type t;
		} hashes[7] = {
		    {"md5", e->md5, IT_MD5},
		    {"sha1", e->sha1, IT_SHA1},
		    {"sha256", e->sha256, IT_SHA256},
		    {"cert_sha1", e->cert_sha1, IT_CERT_SHA1},
		    {"cert_sha256", e->cert_sha256, IT_CERT_SHA256},
		    {"ja3", e->ja3, IT_JA3},
		    {"ja3s", e->ja3s, IT_JA3},
		};

		m->hits.n = 0;
#define PROBE(f, call)                                                                             \
	do {                                                                                       \
		size_t from_ = m->hits.n;                                                          \
		if ((call) > 0)                                                                    \
			pr[np++] = (struct probe){f, from_, m->hits.n};                            \
	} while (0)
		if (e->has_src)
			PROBE("src", matchset_ip(m->ms, &e->src, &m->hits));
		if (e->has_dst)
			PROBE("dst", matchset_ip(m->ms, &e->dst, &m->hits));
		size_t dl = lower(e->domain, dom, sizeof(dom));

		if (dl && dom[dl - 1] == '.')
			dl--; /* fully qualified */
		if (dl)
			PROBE("domain", matchset_domain(m->ms, dom, dl, &m->hits));
		strbuf_reset(&m->ukey);
		if (e->url.len &&
		    intel_url_key(e->url.p, e->url.len, e->domain.p, e->domain.len, &m->ukey))
			PROBE("url",
			      matchset_exact(m->ms, IT_URL, m->ukey.p, m->ukey.len, &m->hits));
		for (int h = 0; h < 7; h++) {
			size_t n = lower(hashes[h].s, hb[h], sizeof(hb[h]));

			if (n)
				PROBE(hashes[h].field,
				      matchset_exact(m->ms, hashes[h].t, hb[h], n, &m->hits));
		}
#undef PROBE
		if (np == 0)
			continue;
		for (size_t p = 0; p < np && !err; p++) {
			const char *evb = NULL;

			/* a benign entry on this field's value: the event's value is
			 * on a warning list */
			for (size_t h = pr[p].from; h < pr[p].to; h++) {
				const struct atom *a = &m->atom[m->hits.v[h]];

				if (m->ind[a->ind].benign) {
					evb = fetch(m, &m->ind[a->ind])->labels
					          ? m->ind[a->ind].labels
					          : "warning list";
					break;
				}
			}
			for (size_t h = pr[p].from; h < pr[p].to && !err; h++) {
				uint32_t ai = m->hits.v[h];
				const struct atom *a = &m->atom[ai];
				const struct ind *d = &m->ind[a->ind];
				bool ok;

				if (d->benign || (uint64_t)d->id <= upto)
					continue;
				ok = conj_holds(m, a, ai, e);
				if (!ok)
					continue;
				/* once per indicator and field, whichever atoms matched */
				for (size_t q = 0; q < ndone && ok; q++)
					ok = !(done[q] == a->ind && donef[q] == pr[p].field);
				if (!ok)
					continue;
				if (ndone < 32) {
					done[ndone] = a->ind;
					donef[ndone++] = pr[p].field;
				}
				if (d->mode != IM_ANY)
					err =
					    defer(m, ai, block, (uint32_t)i, e->ts_us, pr[p].field);
				else
					err = emit(m, a, block, (uint32_t)i, e->ts_us, pr[p].field,
					           evb);
			}
		}
	}
	m->r->blocks++;
	m->r->events += k->n;
	if (upto)
		m->r->retro_events += k->n;
	if (!err)
		err = store_block_matched(m->s, block, m->r->generation, m->diag);
	if (m->progress && m->r->blocks % 16 == 0)
		m->progress(m->pctx, m->r->events);
	return err;
}

/* ALL/SEQ indicators: sighted when every observation was seen (SEQ: the
 * first sighting of each observation after the previous one's first). */
static enum dt_err settle(struct matcher *m)
{
	enum dt_err err = DT_OK;

	for (size_t i = 0; i < m->ndef && !err;) {
		uint32_t ind = m->atom[m->def[i].atom].ind;
		const struct ind *d = &m->ind[ind];
		size_t j = i;
		int64_t first[64];
		bool ok = true;

		for (unsigned o = 0; o < 64; o++)
			first[o] = INT64_MAX;
		while (j < m->ndef && m->atom[m->def[j].atom].ind == ind) {
			unsigned o = m->atom[m->def[j].atom].obs;

			if (o < 64 && m->def[j].ts < first[o])
				first[o] = m->def[j].ts;
			j++;
		}
		for (unsigned o = 0; o < d->nobs && o < 64 && ok; o++) {
			ok = first[o] != INT64_MAX;
			if (ok && d->mode == IM_SEQ && o > 0)
				ok = first[o] >= first[o - 1];
		}
		for (size_t k = i; ok && k < j && !err; k++)
			err = emit(m, &m->atom[m->def[k].atom], m->def[k].block, m->def[k].idx,
			           m->def[k].ts, m->def[k].field, NULL);
		i = j;
	}
	return err;
}

static int def_ind_cmp(const void *pa, const void *pb)
{
	const struct deferred *a = pa, *b = pb;

	if (a->atom != b->atom)
		return a->atom < b->atom ? -1 : 1; /* atoms are sorted by indicator */
	if (a->block != b->block)
		return a->block < b->block ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Were warning-list entries imported after indicator `prev`? */
static bool newer_benign(const struct matcher *m, uint64_t prev)
{
	for (size_t i = m->nind; i-- > 0 && (uint64_t)m->ind[i].id > prev;)
		if (m->ind[i].benign)
			return true;
	return false;
}

static const char *recheck(void *ctx, const char *value, const char *type)
{
	struct matcher *m = ctx;
	const char *why = benign_of(m, intel_type_from_name(type), value, strlen(value));

	if (why == NULL)
		return NULL;
	m->r->resuppressed++;
	strbuf_reset(&m->tmp);
	strbuf_addf(&m->tmp, "warninglist:%s", why);
	return m->tmp.p;
}

enum dt_err intel_match(struct intel_db *x, struct store *s, struct intel_match_result *r,
                        void (*progress)(void *ctx, uint64_t events), void *pctx,
                        struct dt_diag *diag)
{
	struct matcher m = {.x = x,
	                    .s = s,
	                    .db = intel_db_handle(x),
	                    .r = r,
	                    .progress = progress,
	                    .pctx = pctx,
	                    .diag = diag};
	uint64_t gen = 0, prev = 0;
	sqlite3_stmt *st;
	enum dt_err err = DT_OK;

	memset(r, 0, sizeof(*r));
	strbuf_init(&m.ukey, 1 << 16);
	strbuf_init(&m.tmp, 1 << 16);
	strbuf_init(&m.arena, SIZE_MAX / 2);
	/* the newest indicator (ids only grow): what this run matches up to */
	if (sqlite3_prepare_v2(m.db, "SELECT coalesce(max(id), 0) FROM indicators", -1, &st,
	                       NULL) != SQLITE_OK) {
		dt_diag_set(diag, NULL, 0, "database: %s", sqlite3_errmsg(m.db));
		err = DT_EIO;
		goto out;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		gen = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	r->generation = gen;
	/* first an index of the warning lists alone (all of it that the
	 * checks of indicator values need); match_block builds the others */
	if ((err = load(&m, gen, gen)) || (err = build(&m, gen))) {
		if (!diag->msg[0])
			dt_diag_set(diag, NULL, 0, "indicator index: %s", dt_strerror(err));
		goto out;
	}
	for (size_t i = 0; i < m.nind; i++) {
		if (m.ind[i].benign)
			r->benign++;
		else
			r->indicators++;
	}
	/* an indicator value on a warning list: known before any event */
	for (size_t i = 0; r->benign && i < m.natom; i++)
		if (!m.ind[m.atom[i].ind].benign)
			m.atom[i].benign =
			    benign_of(&m, m.atom[i].type, m.atom[i].value, strlen(m.atom[i].value));
	if (gen == 0)
		goto out;
	if ((m.b = malloc(sizeof(*m.b))) == NULL) {
		err = DT_ENOMEM;
		goto out;
	}
	if ((err = store_matched_generation(s, &prev, diag)) || (err = store_match_begin(s, diag)))
		goto out;
	err = store_unmatched_blocks(s, gen, match_block, &m, diag);
	if (!err && m.ndef) {
		qsort(m.def, m.ndef, sizeof(*m.def), def_ind_cmp);
		err = settle(&m);
	}
	/* earlier sightings against warning lists imported since the last
	 * run (there are none to check when no list came since) */
	if (!err && newer_benign(&m, prev))
		err = store_sightings_recheck(s, recheck, &m, diag);
	if (err) {
		store_match_rollback(s);
		if (!diag->msg[0])
			dt_diag_set(diag, NULL, 0, "match: %s", dt_strerror(err));
	} else {
		err = store_match_commit(s, diag);
	}
out:
	for (size_t i = 0; i < m.nind; i++) {
		free(m.ind[i].stix_id);
		free(m.ind[i].labels);
		for (size_t j = 0; j < m.ind[i].nact; j++) {
			free(m.ind[i].act[j].name);
			free(m.ind[i].act[j].chain);
		}
		free(m.ind[i].act);
	}
	strbuf_release(&m.arena);
	sqlite3_finalize(m.get);
	sqlite3_finalize(m.q_obj);
	sqlite3_finalize(m.q_rel[0]);
	sqlite3_finalize(m.q_rel[1]);
	free(m.b);
	free(m.ind);
	free(m.atom);
	free(m.def);
	matchset_free(m.ms);
	ms_hits_release(&m.hits);
	strbuf_release(&m.ukey);
	strbuf_release(&m.tmp);
	return err;
}
