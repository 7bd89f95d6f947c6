/*
 * export.c — see export.h.  Objects are collected as (id, JSON text)
 * pairs, sorted by id, and joined into the bundle, whose own id is the
 * UUIDv5 of its objects' text.
 */
#include "intel/export.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/uuid.h"
#include "intel/pattern.h"
#include "privacy/node.h"

#define DETENTE_NS "1b6a2d7e-5c3f-4e8a-9d1b-7f2e6c4a8b30"
#define TLP2_EXT   "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* The TLP 2.0 marking definitions (OASIS TLP 2.0 STIX extension). */
static const char *const tlp_id[5] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
};
static const char *const tlp_word[5] = {"clear", "green", "amber", "amber+strict", "red"};

struct obj {
	char *id, *json;
	int rank; /* its TLP */
};

struct ex {
	struct intel_db *x;
	struct store *s;
	struct ledger *l;
	sqlite3 *db;
	int max;
	struct obj *v;
	size_t n, cap;
	bool used[5];
	size_t nind; /* the indicators: v[0..nind), sorted by id */
	char identity[64];
	struct strbuf b, tmp;
	/* victim-side values (home addresses, names under home domains) in
	 * any object are pseudonymized as in everything a peer receives */
	struct privacy *pv;
	struct strbuf scrub;
	/* ledger entries seen: time and TLP */
	struct entry_info {
		uint64_t idx;
		int tlp;
		char time[40];
	} * ent;
	size_t nent;
	/* sightings being summed for one indicator */
	char cur[200];
	uint64_t count;
	int64_t first, last;
	int tlp;
	struct intel_export_counts *c;
	struct dt_diag *diag;
};

static enum dt_err add_obj(struct ex *e, const char *id, int rank)
{
	if (e->n == e->cap) {
		size_t c = e->cap ? 2 * e->cap : 1024;
		struct obj *w = realloc(e->v, c * sizeof(*w));

		if (w == NULL)
			return DT_ENOMEM;
		e->v = w;
		e->cap = c;
	}
	e->v[e->n].rank = rank;
	e->v[e->n].id = strdup(id);
	strbuf_reset(&e->scrub);
	if (privacy_scrub(e->pv, e->b.p, e->b.len, &e->scrub, NULL) || strbuf_addc(&e->scrub, 0))
		return DT_ENOMEM;
	e->v[e->n].json = strdup(e->scrub.p);
	if (e->v[e->n].id == NULL || e->v[e->n].json == NULL) {
		free(e->v[e->n].id);
		free(e->v[e->n].json);
		return DT_ENOMEM;
	}
	e->n++;
	return DT_OK;
}

static void kv(struct strbuf *b, const char *k, const char *v)
{
	if (b->len > 1)
		strbuf_addc(b, ',');
	strbuf_addc(b, '"');
	strbuf_adds(b, k);
	strbuf_add(b, "\":\"", 3);
	strbuf_add_json(b, v, strlen(v));
	strbuf_addc(b, '"');
}

static void kraw(struct strbuf *b, const char *k, const char *raw)
{
	if (b->len > 1)
		strbuf_addc(b, ',');
	strbuf_addc(b, '"');
	strbuf_adds(b, k);
	strbuf_add(b, "\":", 2);
	strbuf_adds(b, raw);
}

static void marking(struct ex *e, int rank)
{
	char refs[100];

	e->used[rank] = true;
	snprintf(refs, sizeof(refs), "[\"%s\"]", tlp_id[rank]);
	kraw(&e->b, "object_marking_refs", refs);
}

/* Time and TLP of a ledger entry, cached. */
static const struct entry_info *entry(struct ex *e, uint64_t idx)
{
	struct entry_info *w, *x;
	const char *p;

	for (size_t i = 0; i < e->nent; i++)
		if (e->ent[i].idx == idx)
			return &e->ent[i];
	if ((w = realloc(e->ent, (e->nent + 1) * sizeof(*w))) == NULL)
		return NULL;
	e->ent = w;
	x = &w[e->nent];
	x->idx = idx;
	x->tlp = 4; /* unknown: the most restrictive */
	snprintf(x->time, sizeof(x->time), "1970-01-01T00:00:00.000Z");
	strbuf_reset(&e->tmp);
	if (ledger_entry(e->l, idx, &e->tmp, e->diag) == DT_OK) {
		if ((p = strstr(e->tmp.p, "\ntime ")) != NULL)
			sscanf(p + 6, "%39s", x->time);
		if ((p = strstr(e->tmp.p, "\ntlp ")) != NULL) {
			size_t n = strcspn(p + 5, "\n");

			x->tlp = intel_tlp_rank(p + 5, n);
			if (x->tlp < 0)
				x->tlp = 4;
		}
	}
	e->nent++;
	return x;
}

static void ts_text(int64_t us, char *buf, size_t size)
{
	time_t sec = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
	long frac = (long)(us - (int64_t)sec * 1000000);
	struct tm tm;
	char base[32];

	gmtime_r(&sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06ldZ", base, frac);
}

/* A timestamp with at least millisecond precision, as STIX 2.1 requires
 * of created and modified (§3.2): "...:SSZ" -> "...:SS.000Z". */
static const char *ms_time(const char *t, char *buf, size_t size)
{
	const char *z = strchr(t, 'Z'), *dot = strchr(t, '.');
	size_t frac = dot && z && dot < z ? (size_t)(z - dot - 1) : 0;

	if (z == NULL || z[1] != '\0' || frac >= 3)
		return t;
	if (dot == NULL || dot > z)
		snprintf(buf, size, "%.*s.000Z", (int)(z - t), t);
	else
		snprintf(buf, size, "%.*s%.*sZ", (int)(z - t), t, (int)(3 - frac), "000");
	return buf;
}

/* A comma-separated list as a JSON array of its non-empty members. */
static void list(struct strbuf *b, const char *k, const char *csv)
{
	bool any = false;

	for (const char *p = csv; *p;) {
		size_t n = strcspn(p, ",");
		const char *s = p;
		size_t m = n;

		while (m && (*s == ' ')) {
			s++;
			m--;
		}
		if (m) {
			if (!any) {
				if (b->len > 1)
					strbuf_addc(b, ',');
				strbuf_addc(b, '"');
				strbuf_adds(b, k);
				strbuf_add(b, "\":[", 3);
			} else {
				strbuf_addc(b, ',');
			}
			strbuf_addc(b, '"');
			strbuf_add_json(b, s, m);
			strbuf_addc(b, '"');
			any = true;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (any)
		strbuf_addc(b, ']');
}

static enum dt_err indicators(struct ex *e)
{
	sqlite3_stmt *st;
	struct pattern pat;
	enum dt_err err = DT_OK;

	/* one row per STIX id: the first import of it (ids and patterns of
	 * indicators stored without them are derived: db.h) */
	if (sqlite3_prepare_v2(
	        e->db,
	        "WITH x AS (SELECT i.id, coalesce(i.stix_id, detente_id(i.type, i.value,"
	        " i.labels)) AS sid FROM indicators i WHERE i.benign = 0),"
	        " first AS (SELECT min(id) AS id, sid FROM x GROUP BY sid)"
	        " SELECT first.sid, i.name, i.description,"
	        " coalesce(i.pattern, detente_pattern(i.type, i.value, i.atoms)),"
	        " i.valid_from, i.valid_until, i.tlp, i.labels, s.entry"
	        " FROM first JOIN indicators i ON i.id = first.id"
	        " JOIN intel_sources s ON s.id = i.source ORDER BY first.sid",
	        -1, &st, NULL) != SQLITE_OK) {
		dt_diag_set(e->diag, NULL, 0, "database: %s", sqlite3_errmsg(e->db));
		return DT_EIO;
	}
	pattern_init(&pat);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *desc = (const char *)sqlite3_column_text(st, 2);
		const char *pattern = (const char *)sqlite3_column_text(st, 3);
		const char *vf = (const char *)sqlite3_column_text(st, 4);
		const char *vu = (const char *)sqlite3_column_text(st, 5);
		const char *tlp = (const char *)sqlite3_column_text(st, 6);
		const char *labels = (const char *)sqlite3_column_text(st, 7);
		int rank = intel_tlp_rank(tlp, strlen(tlp));
		const struct entry_info *en = entry(e, (uint64_t)sqlite3_column_int64(st, 8));
		struct dt_diag pd;
		const char *t;
		char tbuf[64];

		if (rank < 0 || rank > e->max) {
			e->c->withheld++;
			continue;
		}
		if (id == NULL || pattern == NULL || strncmp(id, "indicator--", 11) != 0 ||
		    pattern_parse(&pat, pattern, strlen(pattern), &pd) != DT_OK) {
			e->c->invalid++;
			continue;
		}
		if (en == NULL) {
			err = DT_ENOMEM;
			break;
		}
		t = vf ? vf : en->time;
		strbuf_reset(&e->b);
		strbuf_addc(&e->b, '{');
		kv(&e->b, "type", "indicator");
		kv(&e->b, "spec_version", "2.1");
		kv(&e->b, "id", id);
		kv(&e->b, "created", ms_time(t, tbuf, sizeof(tbuf)));
		kv(&e->b, "modified", ms_time(t, tbuf, sizeof(tbuf)));
		if (name)
			kv(&e->b, "name", name);
		if (desc)
			kv(&e->b, "description", desc);
		kv(&e->b, "pattern", pattern);
		kv(&e->b, "pattern_type", "stix");
		kv(&e->b, "valid_from", t);
		if (vu && strcmp(vu, t) > 0)
			kv(&e->b, "valid_until", vu);
		if (labels)
			list(&e->b, "labels", labels);
		marking(e, rank);
		strbuf_addc(&e->b, '}');
		if ((err = add_obj(e, id, rank)))
			break;
		e->c->indicators++;
	}
	pattern_release(&pat);
	sqlite3_finalize(st);
	return err;
}

/* The exported indicator of this id, or NULL.  The indicators are the
 * first nind objects, added in id order: a binary search. */
static const struct obj *exported(const struct ex *e, const char *id)
{
	size_t lo = 0, hi = e->nind;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(e->v[mid].id, id);

		if (c == 0)
			return &e->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static enum dt_err flush_sighting(struct ex *e)
{
	char id[80], u[37], first[48], last[48], cnt[24];

	if (e->cur[0] == '\0' || e->count == 0)
		return DT_OK;
	strbuf_reset(&e->tmp);
	strbuf_addf(&e->tmp, "%s|%s", e->identity, e->cur);
	if (!uuid_v5(DETENTE_NS, e->tmp.p, e->tmp.len, u))
		return DT_EINVAL;
	snprintf(id, sizeof(id), "sighting--%s", u);
	ts_text(e->first, first, sizeof(first));
	ts_text(e->last, last, sizeof(last));
	snprintf(cnt, sizeof(cnt), "%llu",
	         (unsigned long long)(e->count > 999999999 ? 999999999 : e->count));
	strbuf_reset(&e->b);
	strbuf_addc(&e->b, '{');
	kv(&e->b, "type", "sighting");
	kv(&e->b, "spec_version", "2.1");
	kv(&e->b, "id", id);
	kv(&e->b, "created_by_ref", e->identity);
	kv(&e->b, "created", first);
	kv(&e->b, "modified", last);
	kv(&e->b, "sighting_of_ref", e->cur);
	kraw(&e->b, "count", cnt);
	kv(&e->b, "first_seen", first);
	kv(&e->b, "last_seen", last);
	strbuf_addf(&e->b, ",\"where_sighted_refs\":[\"%s\"]", e->identity);
	marking(e, e->tlp);
	strbuf_addc(&e->b, '}');
	e->c->sightings++;
	return add_obj(e, id, e->tlp);
}

static enum dt_err on_sum(void *ctx, const char *indicator, uint64_t entry_idx, uint64_t count,
                          int64_t first, int64_t last)
{
	struct ex *e = ctx;
	const struct entry_info *en;
	enum dt_err err = DT_OK;

	if (strcmp(indicator, e->cur) != 0) {
		if ((err = flush_sighting(e)))
			return err;
		const struct obj *o = exported(e, indicator);

		snprintf(e->cur, sizeof(e->cur), "%s", o ? indicator : "");
		e->count = 0;
		/* the indicator's own TLP: <= max, or it would not be exported */
		e->tlp = o ? o->rank : 0;
	}
	if (e->cur[0] == '\0')
		return DT_OK;
	if ((en = entry(e, entry_idx)) == NULL)
		return DT_ENOMEM;
	if (en->tlp > e->max)
		return DT_OK; /* events the peer may not see are not counted */
	if (en->tlp > e->tlp)
		e->tlp = en->tlp;
	if (e->count == 0 || first < e->first)
		e->first = first;
	if (e->count == 0 || last > e->last)
		e->last = last;
	e->count += count;
	return DT_OK;
}

/* Campaigns, intrusion sets and threat actors that exported indicators
 * indicate, with the relationships. */
static enum dt_err actors(struct ex *e)
{
	sqlite3_stmt *st;
	enum dt_err err = DT_OK;
	size_t first = e->n; /* the actors this adds */

	if (sqlite3_prepare_v2(
	        e->db,
	        "SELECT DISTINCT r.src, r.dst, o.type, o.name, o.tlp, s.entry"
	        " FROM intel_relations r JOIN intel_objects o ON o.stix_id = r.dst"
	        " JOIN intel_sources s ON s.id = o.source"
	        " WHERE r.type = 'indicates' AND o.type IN"
	        " ('campaign', 'intrusion-set', 'threat-actor') AND o.name IS NOT NULL"
	        " ORDER BY r.src, r.dst",
	        -1, &st, NULL) != SQLITE_OK) {
		dt_diag_set(e->diag, NULL, 0, "database: %s", sqlite3_errmsg(e->db));
		return DT_EIO;
	}
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		const char *src = (const char *)sqlite3_column_text(st, 0);
		const char *dst = (const char *)sqlite3_column_text(st, 1);
		const char *type = (const char *)sqlite3_column_text(st, 2);
		const char *name = (const char *)sqlite3_column_text(st, 3);
		const char *tlp = (const char *)sqlite3_column_text(st, 4);
		int rank = tlp ? intel_tlp_rank(tlp, strlen(tlp)) : 4;
		const struct entry_info *en = entry(e, (uint64_t)sqlite3_column_int64(st, 5));
		bool have = false;
		char id[80], u[37];

		if (en == NULL)
			return DT_ENOMEM;
		if (rank < 0 || rank > e->max || strncmp(dst, type, strlen(type)) != 0)
			continue;
		if (!exported(e, src))
			continue;
		for (size_t i = first; i < e->n && !have; i++)
			have = strcmp(e->v[i].id, dst) == 0;
		if (!have) {
			strbuf_reset(&e->b);
			strbuf_addc(&e->b, '{');
			kv(&e->b, "type", type);
			kv(&e->b, "spec_version", "2.1");
			kv(&e->b, "id", dst);
			kv(&e->b, "created", en->time);
			kv(&e->b, "modified", en->time);
			kv(&e->b, "name", name);
			marking(e, rank);
			strbuf_addc(&e->b, '}');
			if ((err = add_obj(e, dst, rank)))
				break;
			e->c->objects++;
		}
		strbuf_reset(&e->tmp);
		strbuf_addf(&e->tmp, "indicates|%s|%s", src, dst);
		if (!uuid_v5(DETENTE_NS, e->tmp.p, e->tmp.len, u))
			return DT_EINVAL;
		snprintf(id, sizeof(id), "relationship--%s", u);
		strbuf_reset(&e->b);
		strbuf_addc(&e->b, '{');
		kv(&e->b, "type", "relationship");
		kv(&e->b, "spec_version", "2.1");
		kv(&e->b, "id", id);
		kv(&e->b, "created", en->time);
		kv(&e->b, "modified", en->time);
		kv(&e->b, "relationship_type", "indicates");
		kv(&e->b, "source_ref", src);
		kv(&e->b, "target_ref", dst);
		marking(e, rank);
		strbuf_addc(&e->b, '}');
		if ((err = add_obj(e, id, rank)))
			break;
		e->c->relationships++;
	}
	sqlite3_finalize(st);
	return err;
}

static int obj_cmp(const void *pa, const void *pb)
{
	return strcmp(((const struct obj *)pa)->id, ((const struct obj *)pb)->id);
}

enum dt_err intel_export(struct intel_db *x, struct store *s, struct ledger *l, int max_tlp,
                         struct strbuf *out, struct intel_export_counts *c, struct dt_diag *diag)
{
	struct ex e = {
	    .x = x, .s = s, .l = l, .db = intel_db_handle(x), .max = max_tlp, .c = c, .diag = diag};
	const char *party = ledger_party(l);
	char u[37], bid[64];
	enum dt_err err;

	memset(c, 0, sizeof(*c));
	strbuf_init(&e.b, 64u << 20);
	strbuf_init(&e.tmp, SIZE_MAX / 2);
	strbuf_init(&e.scrub, 64u << 20);
	if ((err = privacy_node_all(l, &e.pv, diag)))
		goto out;
	if (!uuid_v5(DETENTE_NS, party, strlen(party), u)) {
		err = DT_EINVAL;
		goto out;
	}
	snprintf(e.identity, sizeof(e.identity), "identity--%s", u);
	if ((err = indicators(&e)))
		goto out;
	e.nind = e.n;
	if ((err = store_sighting_sums(s, on_sum, &e, diag)) || (err = flush_sighting(&e)) ||
	    (err = actors(&e)))
		goto out;
	{
		const struct entry_info *g = entry(&e, 0);

		strbuf_reset(&e.b);
		strbuf_addc(&e.b, '{');
		kv(&e.b, "type", "identity");
		kv(&e.b, "spec_version", "2.1");
		kv(&e.b, "id", e.identity);
		kv(&e.b, "created", g ? g->time : "1970-01-01T00:00:00.000Z");
		kv(&e.b, "modified", g ? g->time : "1970-01-01T00:00:00.000Z");
		kv(&e.b, "name", party);
		kv(&e.b, "identity_class", "organization");
		strbuf_addc(&e.b, '}');
		if ((err = add_obj(&e, e.identity, 0)))
			goto out;
	}
	for (int r = 0; r < 5; r++) {
		if (!e.used[r])
			continue;
		strbuf_reset(&e.b);
		strbuf_addc(&e.b, '{');
		kv(&e.b, "type", "marking-definition");
		kv(&e.b, "spec_version", "2.1");
		kv(&e.b, "id", tlp_id[r]);
		kv(&e.b, "created", "2022-10-01T00:00:00.000Z");
		strbuf_addf(&e.b, ",\"name\":\"TLP:%s\"", intel_tlp_names[r]);
		strbuf_addf(&e.b,
		            ",\"extensions\":{\"%s\":{\"extension_type\":\"property-extension\","
		            "\"tlp_2_0\":\"%s\"}}",
		            TLP2_EXT, tlp_word[r]);
		strbuf_addc(&e.b, '}');
		if ((err = add_obj(&e, tlp_id[r], r)))
			goto out;
	}
	qsort(e.v, e.n, sizeof(*e.v), obj_cmp);
	strbuf_reset(&e.tmp);
	for (size_t i = 0; i < e.n && !err; i++) {
		err = strbuf_adds(&e.tmp, i ? ",\n" : "\n");
		err = err ? err : strbuf_adds(&e.tmp, e.v[i].json);
	}
	if (err || !uuid_v5(DETENTE_NS, e.tmp.p, e.tmp.len, u)) {
		err = err ? err : DT_EINVAL;
		goto out;
	}
	snprintf(bid, sizeof(bid), "bundle--%s", u);
	err = strbuf_addf(out, "{\"type\":\"bundle\",\"id\":\"%s\",\"objects\":[", bid);
	err = err ? err : strbuf_add(out, e.tmp.p, e.tmp.len);
	err = err ? err : strbuf_adds(out, "\n]}\n");
out:
	if (err && !diag->msg[0])
		dt_diag_set(diag, NULL, 0, "export: %s", dt_strerror(err));
	for (size_t i = 0; i < e.n; i++) {
		free(e.v[i].id);
		free(e.v[i].json);
	}
	free(e.v);
	free(e.ent);
	strbuf_release(&e.b);
	strbuf_release(&e.tmp);
	strbuf_release(&e.scrub);
	privacy_free(e.pv);
	return err;
}
