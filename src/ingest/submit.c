/*
 * submit.c — see submit.h.  The order of operations is what makes a crash
 * harmless: the ledger entry is appended first (a submission the node has
 * signed for), then the events and the submissions row are written in one
 * transaction.  A crash in between leaves an entry whose events are
 * missing; ingesting the file again finds the entry (the ledger dedups by
 * digest), no submissions row, and stores the events then.
 */
#include "ingest/submit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "ingest/formats.h"
#include "ingest/reader.h"

void submit_default_home(struct submit_opts *o)
{
	static const char *const nets[] = {
	    "10.0.0.0/8",     "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
	    "169.254.0.0/16", "fc00::/7",      "fe80::/10",      "::1/128",
	};

	o->nhome = 0;
	for (size_t i = 0; i < sizeof(nets) / sizeof(*nets); i++)
		if (dt_prefix_parse(nets[i], strlen(nets[i]), &o->home[o->nhome], NULL) == DT_OK)
			o->nhome++;
}

static bool in_home(const struct submit_opts *o, const struct dt_ip *ip)
{
	for (size_t i = 0; i < o->nhome; i++) {
		const struct dt_prefix *p = &o->home[i];

		if (p->ip.family == ip->family &&
		    (ip->addr & dt_ip_mask(ip->family, p->len)) == p->ip.addr)
			return true;
	}
	return false;
}

struct sink_ctx {
	struct store *s;
	const struct submit_opts *o;
	struct reader *rd;
	uint64_t events;
	struct dt_diag *diag;
};

/* How often (in events) the progress callback hears from the sink. */
#define PROGRESS_EVERY 65536

/* Decides the remote side of each event and hands it to the store; the
 * attribution follows on the store's writer thread (attribute below). */
static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct sink_ctx *c = ctx;
	struct block_row r;
	bool src_home = ev->has_src && in_home(c->o, &ev->src);
	bool dst_home = ev->has_dst && in_home(c->o, &ev->dst);

	r.ev = *ev;
	r.remote = 0;
	/* the remote endpoint: the side outside the home networks; inbound
	 * scans and outbound C2 alike.  Both outside: the originator. */
	if (ev->has_src && !src_home)
		r.remote = 1;
	else if (ev->has_dst && !dst_home)
		r.remote = 2;
	if (c->o->progress && ++c->events % PROGRESS_EVERY == 0)
		c->o->progress(c->o->pctx, reader_raw_offset(c->rd), reader_raw_size(c->rd),
		               c->events);
	return store_add_event(c->s, &r, c->diag);
}

/* Attribution of a block's remote addresses, one batch lookup per block. */
struct attr_ctx {
	const struct geo_index *ix;
	struct dt_ip ips[BLOCK_MAX];
	struct geo_answer ans[BLOCK_MAX];
	uint32_t idx[BLOCK_MAX];
	uint32_t flag_mask; /* flags the names below are for */
	char flag_names[512];
	size_t flag_len;
};

static void flag_string(struct attr_ctx *a, uint32_t flags)
{
	size_t fl = 0;

	if (flags == a->flag_mask)
		return;
	for (unsigned i = 0; flags && i < 32; i++) {
		const char *f;
		size_t n;

		if (!(flags & (1u << i)) || !(f = geo_index_flag_name(a->ix, i)))
			continue;
		n = strlen(f);
		if (fl + n + 1 >= sizeof(a->flag_names))
			break;
		if (fl)
			a->flag_names[fl++] = ',';
		memcpy(a->flag_names + fl, f, n);
		fl += n;
	}
	a->flag_mask = flags;
	a->flag_len = fl;
}

static enum dt_err attribute(void *ctx, struct block_builder *b)
{
	struct attr_ctx *a = ctx;
	size_t n = 0;
	enum dt_err err = DT_OK;

	for (size_t i = 0; i < b->n; i++)
		if (block_remote(b, i, &a->ips[n]))
			a->idx[n++] = (uint32_t)i;
	geo_lookup_batch(a->ix, a->ips, a->ans, n);
	for (size_t i = 0, k = 0; i < b->n && !err; i++) {
		struct block_row r = {.has_net = false};

		if (k < n && a->idx[k] == i) {
			const struct geo_answer *g = &a->ans[k++];

			flag_string(a, g->flags);
			r.country.p = g->country;
			r.country.len = strlen(g->country);
			r.as_org.p = g->as_org;
			r.as_org.len = g->as_org ? strlen(g->as_org) : 0;
			r.flags.p = a->flag_names;
			r.flags.len = a->flag_len;
			r.asn = g->asn;
			r.has_net = true;
			r.network = g->network;
		}
		err = block_add_geo(b, &r);
	}
	return err;
}

enum dt_err submit_file(struct ledger *l, struct store *s, const struct geo_index *ix,
                        const char *path, const struct submit_opts *o, event_warn_fn *warn,
                        void *wctx, struct submit_result *r, struct dt_diag *diag)
{
	struct reader *rd = NULL;
	struct attr_ctx *actx = NULL;
	uint8_t sha256[32];
	char stored[1400];
	uint64_t size;
	const char *fmt, *head;
	ingest_fn *parse;
	size_t avail;
	char hex[65];
	enum dt_err err;

	memset(r, 0, sizeof(*r));
	/* one pass: the payload copy, hashed as it is written; the events are
	 * then parsed from that copy, the bytes the ledger commits to */
	if ((err = ledger_import_file(l, path, sha256, &size, stored, sizeof(stored), diag)))
		return err;
	dt_hex_encode(sha256, 32, hex);
	snprintf(r->digest, sizeof(r->digest), "sha256:%s", hex);
	if (store_submission(s, sha256, &r->entry)) {
		r->already = true;
		return DT_OK;
	}
	if ((err = reader_open_file(stored, &rd, diag)))
		return err;
	head = reader_peek(rd, 64 << 10, &avail);
	fmt = o->format && strcmp(o->format, "auto") != 0 ? o->format : ingest_detect(head, avail);
	if (fmt == NULL) {
		dt_diag_set(diag, path, 0, "cannot tell the format (%s); use --format",
		            ingest_format_names);
		err = DT_EFORMAT;
		goto out;
	}
	if ((parse = ingest_format(fmt)) == NULL) {
		dt_diag_set(diag, NULL, 0, "unknown format '%s' (auto, %s)", fmt,
		            ingest_format_names);
		err = DT_EINVAL;
		goto out;
	}
	snprintf(r->format, sizeof(r->format), "%s", fmt);
	{
		struct ledger_entry_in e = {.kind = "submission", .tlp = o->tlp, .path = NULL};
		char about[1200];
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

		memcpy(e.sha256, sha256, 32);
		e.size = size;
		snprintf(about, sizeof(about), "%s telemetry %s%s%s", fmt, base,
		         o->victim ? " of " : "", o->victim ? o->victim : "");
		for (char *p = about; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		e.about = about;
		if ((err = ledger_append(l, &e, 1, true, &r->entry, NULL, diag)))
			goto out;
	}
	{
		struct store_submission_row row = {
		    .sha256 = sha256,
		    .entry = r->entry,
		    .format = fmt,
		    .victim = o->victim,
		    .sector = o->sector,
		    .name = path,
		    .refdata = ix ? geo_index_digest(ix) : NULL,
		};

		if (ix && (actx = calloc(1, sizeof(*actx))) == NULL) {
			err = DT_ENOMEM;
			dt_diag_set(diag, path, 0, "%s", dt_strerror(err));
			goto out;
		}
		if (actx)
			actx->ix = ix;
		if ((err = store_begin(s, &row, actx ? attribute : NULL, actx, diag)))
			goto out;
	}
	{
		struct sink_ctx c = {.s = s, .o = o, .rd = rd, .diag = diag};
		struct ingest_ctx x = {
		    .name = path,
		    .sink = sink,
		    .sctx = &c,
		    .warn = warn,
		    .wctx = wctx,
		    .c = &r->counts,
		    .now_us = o->now_us,
		};

		err = parse(rd, &x, diag);
	}
	if (reader_damage(rd)) {
		r->damaged = true;
		snprintf(r->damage, sizeof(r->damage), "%s", reader_damage(rd));
	}
	if (err)
		store_rollback(s);
	else
		err = store_commit(s, &r->counts, diag);
out:
	free(actx);
	reader_close(rd);
	return err;
}
