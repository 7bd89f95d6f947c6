/*
 * output.c — stored events as JSON lines (the CLI contract's fields first,
 * then every other field the event has) or TSV.  An unknown number or an
 * absent string is null in JSON and "-" in TSV; flags are always an array.
 */
#include "store/store_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char store_tsv_header[] =
    "ts\tsrc\tsport\tdst\tdport\tproto\tkind\tremote\tvictim\tcountry\tasn\tas_org\tflags\t"
    "signature\tdomain\tsubmission\trecord\n";

/* RFC 3339 UTC with microseconds. */
static void ts_format(int64_t us, char *buf, size_t size)
{
	time_t sec = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
	long frac = (long)(us - (int64_t)sec * 1000000);
	struct tm tm;
	char base[32];

	gmtime_r(&sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%06ldZ", base, frac);
}

/* ---- JSON ---------------------------------------------------------------- */

static enum dt_err jkey(struct strbuf *b, const char *k)
{
	/* a comma before every field but the object's first */
	enum dt_err err = b->p[b->len - 1] == '{' ? DT_OK : strbuf_addc(b, ',');

	err = err ? err : strbuf_addc(b, '"');
	err = err ? err : strbuf_adds(b, k);
	return err ? err : strbuf_add(b, "\":", 2);
}

static enum dt_err jstr(struct strbuf *b, const char *k, const char *v, size_t n)
{
	enum dt_err err = jkey(b, k);

	if (err)
		return err;
	if (v == NULL || n == 0)
		return strbuf_add(b, "null", 4);
	err = strbuf_addc(b, '"');
	err = err ? err : strbuf_add_json(b, v, n);
	return err ? err : strbuf_addc(b, '"');
}

static enum dt_err jds(struct strbuf *b, const char *k, struct dt_str s)
{
	return jstr(b, k, s.p, s.len);
}

static enum dt_err jcs(struct strbuf *b, const char *k, const char *v)
{
	return jstr(b, k, v, v ? strlen(v) : 0);
}

/* A number; negative (unknown) is null. */
static enum dt_err jnum(struct strbuf *b, const char *k, int64_t v)
{
	enum dt_err err = jkey(b, k);

	if (err)
		return err;
	return v < 0 ? strbuf_add(b, "null", 4) : strbuf_addu(b, (unsigned long long)v);
}

static enum dt_err jip(struct strbuf *b, const char *k, bool has, const struct dt_ip *ip)
{
	char t[DT_IP_STRLEN];

	if (!has)
		return jstr(b, k, NULL, 0);
	dt_ip_format(ip, t);
	return jcs(b, k, t);
}

static enum dt_err jflags(struct strbuf *b, struct dt_str f)
{
	enum dt_err err = jkey(b, "flags");
	size_t i = 0;

	err = err ? err : strbuf_addc(b, '[');
	while (!err && i < f.len) {
		const char *c = memchr(f.p + i, ',', f.len - i);
		size_t n = c ? (size_t)(c - (f.p + i)) : f.len - i;

		if (b->p[b->len - 1] != '[')
			err = strbuf_addc(b, ',');
		err = err ? err : strbuf_addc(b, '"');
		err = err ? err : strbuf_add_json(b, f.p + i, n);
		err = err ? err : strbuf_addc(b, '"');
		i += n + 1;
	}
	return err ? err : strbuf_addc(b, ']');
}

enum dt_err store_format_json(struct strbuf *b, const struct store_hit *h)
{
	const struct block_row *r = h->row;
	const struct event *e = &r->ev;
	char ts[48], net[DT_IP_STRLEN + 8];
	enum dt_err err;

	ts_format(e->ts_us, ts, sizeof(ts));
	err = strbuf_addc(b, '{');
	err = err ? err : jcs(b, "ts", ts);
	err = err ? err : jip(b, "src", e->has_src, &e->src);
	err = err ? err : jnum(b, "sport", e->sport);
	err = err ? err : jip(b, "dst", e->has_dst, &e->dst);
	err = err ? err : jnum(b, "dport", e->dport);
	err = err ? err : jnum(b, "proto", e->proto);
	err = err ? err : jcs(b, "kind", e->kind);
	if (r->remote == 1)
		err = err ? err : jip(b, "remote", e->has_src, &e->src);
	else if (r->remote == 2)
		err = err ? err : jip(b, "remote", e->has_dst, &e->dst);
	else
		err = err ? err : jstr(b, "remote", NULL, 0);
	err = err ? err : jcs(b, "victim", h->victim);
	err = err ? err : jds(b, "country", r->country);
	err = err ? err : jnum(b, "asn", r->asn ? (int64_t)r->asn : -1);
	err = err ? err : jds(b, "as_org", r->as_org);
	err = err ? err : jflags(b, r->flags);
	err = err ? err : jds(b, "signature", e->signature);
	err = err ? err : jds(b, "domain", e->domain);
	err = err ? err : jcs(b, "submission", h->submission);
	err = err ? err : jnum(b, "record", (int64_t)e->record);
	err = err ? err : jkey(b, "sightings");
	err = err ? err : strbuf_addc(b, '[');
	if (h->sightings_len)
		err = err ? err : strbuf_add(b, h->sightings, h->sightings_len);
	err = err ? err : strbuf_addc(b, ']');
	/* beyond the contract */
	err = err ? err : jcs(b, "sector", h->sector);
	err = err ? err : jcs(b, "party", h->party);
	if (r->has_net)
		dt_prefix_format(&r->network, net);
	err = err ? err : jcs(b, "network", r->has_net ? net : NULL);
	err = err ? err : jnum(b, "signature_id", e->signature_id);
	err = err ? err : jnum(b, "severity", e->severity);
	err = err ? err : jds(b, "url", e->url);
	err = err ? err : jds(b, "user_agent", e->user_agent);
	err = err ? err : jds(b, "ja3", e->ja3);
	err = err ? err : jds(b, "ja3s", e->ja3s);
	err = err ? err : jds(b, "cert_sha1", e->cert_sha1);
	err = err ? err : jds(b, "cert_sha256", e->cert_sha256);
	err = err ? err : jds(b, "md5", e->md5);
	err = err ? err : jds(b, "sha1", e->sha1);
	err = err ? err : jds(b, "sha256", e->sha256);
	err = err ? err : jds(b, "uid", e->uid);
	err = err ? err : jds(b, "service", e->service);
	err = err ? err : jds(b, "state", e->state);
	err = err ? err : jnum(b, "duration", e->duration_us);
	err = err ? err : jnum(b, "orig_bytes", e->orig_bytes);
	err = err ? err : jnum(b, "resp_bytes", e->resp_bytes);
	err = err ? err : jnum(b, "orig_pkts", e->orig_pkts);
	err = err ? err : jnum(b, "resp_pkts", e->resp_pkts);
	err = err ? err : jnum(b, "entry", (int64_t)h->entry);
	err = err ? err : jcs(b, "refdata", h->refdata);
	return err ? err : strbuf_add(b, "}\n", 2);
}

/* ---- TSV ----------------------------------------------------------------- */

/* A field with tabs and line breaks turned to spaces; "-" when empty. */
static enum dt_err tfield(struct strbuf *b, const char *v, size_t n, bool last)
{
	enum dt_err err = DT_OK;

	if (v == NULL || n == 0)
		err = strbuf_addc(b, '-');
	for (size_t i = 0; i < n && !err && v; i++)
		err = strbuf_addc(b, (v[i] == '\t' || v[i] == '\n' || v[i] == '\r') ? ' ' : v[i]);
	return err ? err : strbuf_addc(b, last ? '\n' : '\t');
}

static enum dt_err tcs(struct strbuf *b, const char *v)
{
	return tfield(b, v, v ? strlen(v) : 0, false);
}

static enum dt_err tnum(struct strbuf *b, int64_t v)
{
	enum dt_err err = v < 0 ? strbuf_addc(b, '-') : strbuf_addu(b, (unsigned long long)v);

	return err ? err : strbuf_addc(b, '\t');
}

static enum dt_err tip(struct strbuf *b, bool has, const struct dt_ip *ip)
{
	char t[DT_IP_STRLEN];

	if (!has)
		return tcs(b, NULL);
	dt_ip_format(ip, t);
	return tcs(b, t);
}

enum dt_err store_format_tsv(struct strbuf *b, const struct store_hit *h)
{
	const struct block_row *r = h->row;
	const struct event *e = &r->ev;
	char ts[48];
	enum dt_err err;

	ts_format(e->ts_us, ts, sizeof(ts));
	err = tcs(b, ts);
	err = err ? err : tip(b, e->has_src, &e->src);
	err = err ? err : tnum(b, e->sport);
	err = err ? err : tip(b, e->has_dst, &e->dst);
	err = err ? err : tnum(b, e->dport);
	err = err ? err : tnum(b, e->proto);
	err = err ? err : tcs(b, e->kind);
	err = err ? err
	          : (r->remote == 1   ? tip(b, e->has_src, &e->src)
	             : r->remote == 2 ? tip(b, e->has_dst, &e->dst)
	                              : tcs(b, NULL));
	err = err ? err : tcs(b, h->victim);
	err = err ? err : tfield(b, r->country.p, r->country.len, false);
	err = err ? err : tnum(b, r->asn ? (int64_t)r->asn : -1);
	err = err ? err : tfield(b, r->as_org.p, r->as_org.len, false);
	err = err ? err : tfield(b, r->flags.p, r->flags.len, false);
	err = err ? err : tfield(b, e->signature.p, e->signature.len, false);
	err = err ? err : tfield(b, e->domain.p, e->domain.len, false);
	err = err ? err : tcs(b, h->submission);
	err = err ? err : strbuf_addu(b, (unsigned long long)e->record);
	return err ? err : strbuf_addc(b, '\n');
}

/* ---- store_events -------------------------------------------------------- */

/* The sightings of all events, as JSON members, found by (block, index):
 * sightings are few next to events, so they are read once, in key order,
 * and a scan's events (in time order) find theirs by binary search. */
struct sight_ix {
	struct sight_key {
		uint64_t key; /* block << 16 | index */
		size_t off, len;
	} * v;
	size_t n, cap;
	struct strbuf text;
};

static enum dt_err sight_load(struct store *s, struct sight_ix *x, struct dt_diag *diag)
{
	sqlite3_stmt *st;
	enum dt_err err = DT_OK;

	if (sqlite3_prepare_v2(s->db,
	                       "SELECT block, idx, value, type, actor, source, indicator, field,"
	                       " chain, suppressed FROM sightings"
	                       " ORDER BY block, idx, indicator, actor, field",
	                       -1, &st, NULL) != SQLITE_OK)
		return store_dberr(s, diag);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		uint64_t key = (uint64_t)sqlite3_column_int64(st, 0) << 16 |
		               (uint64_t)sqlite3_column_int64(st, 1);
		struct strbuf *b = &x->text;
		size_t start = b->len;
		char src[24];
		const char *actor = (const char *)sqlite3_column_text(st, 4);

		if (x->n == 0 || x->v[x->n - 1].key != key) {
			if (x->n == x->cap) {
				size_t cap = x->cap ? 2 * x->cap : 1024;
				struct sight_key *v = realloc(x->v, cap * sizeof(*v));

				if (v == NULL) {
					err = DT_ENOMEM;
					break;
				}
				x->v = v;
				x->cap = cap;
			}
			x->v[x->n++] = (struct sight_key){key, start, 0};
		} else {
			err = strbuf_addc(b, ',');
		}
		snprintf(src, sizeof(src), "%lld", (long long)sqlite3_column_int64(st, 5));
		err = err ? err : strbuf_addc(b, '{');
		err = err ? err : jcs(b, "indicator", (const char *)sqlite3_column_text(st, 2));
		err = err ? err : jcs(b, "type", (const char *)sqlite3_column_text(st, 3));
		err = err ? err : jcs(b, "actor", actor && *actor ? actor : NULL);
		err = err ? err : jcs(b, "source", src);
		err = err ? err : jcs(b, "id", (const char *)sqlite3_column_text(st, 6));
		err = err ? err : jcs(b, "field", (const char *)sqlite3_column_text(st, 7));
		err = err ? err : jcs(b, "attribution", (const char *)sqlite3_column_text(st, 8));
		err = err ? err : jcs(b, "suppressed", (const char *)sqlite3_column_text(st, 9));
		err = err ? err : strbuf_addc(b, '}');
		x->v[x->n - 1].len = b->len - x->v[x->n - 1].off;
	}
	sqlite3_finalize(st);
	if (err)
		dt_diag_set(diag, s->path, 0, "sightings: %s", dt_strerror(err));
	return err;
}

static const struct sight_key *sight_find(const struct sight_ix *x, uint64_t key)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->n && x->v[lo].key == key ? &x->v[lo] : NULL;
}

struct out_ctx {
	struct strbuf b;
	bool tsv;
	store_row_fn *row;
	void *ctx;
	struct sight_ix sx;
};

/* Output goes out in chunks of about this size. */
#define OUT_CHUNK (256u << 10)

static enum dt_err out_hit(void *ctx, const struct store_hit *h)
{
	struct out_ctx *o = ctx;
	enum dt_err err;

	if (!o->tsv && o->sx.n) {
		const struct sight_key *k = sight_find(&o->sx, h->block << 16 | h->index);
		struct store_hit g = *h;

		if (k) {
			g.sightings = o->sx.text.p + k->off;
			g.sightings_len = k->len;
		}
		err = store_format_json(&o->b, &g);
	} else {
		err = o->tsv ? store_format_tsv(&o->b, h) : store_format_json(&o->b, h);
	}
	if (!err && o->b.len >= OUT_CHUNK) {
		err = o->row(o->ctx, o->b.p, o->b.len);
		strbuf_reset(&o->b);
	}
	return err;
}

enum dt_err store_events(struct store *s, const struct store_query *q, store_row_fn *row, void *ctx,
                         struct dt_diag *diag)
{
	struct out_ctx o = {.tsv = q->tsv, .row = row, .ctx = ctx};
	enum dt_err err;

	strbuf_init(&o.b, 64u << 20);
	strbuf_init(&o.sx.text, SIZE_MAX / 2);
	err = q->tsv ? DT_OK : sight_load(s, &o.sx, diag);
	err = err ? err : store_scan(s, q, out_hit, &o, diag);
	if (!err && o.b.len)
		err = row(ctx, o.b.p, o.b.len);
	strbuf_release(&o.b);
	strbuf_release(&o.sx.text);
	free(o.sx.v);
	return err;
}
