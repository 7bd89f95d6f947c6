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
	const struct geo_index *ix;
	const struct submit_opts *o;
	const char *submission, *refdata;
	uint64_t entry;
	struct dt_diag *diag;
};

static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct sink_ctx *c = ctx;
	struct store_event se = {
	    .ev = ev,
	    .victim = c->o->victim,
	    .sector = c->o->sector,
	    .submission = c->submission,
	    .entry = c->entry,
	    .refdata = c->refdata,
	    .flags = "",
	};
	struct geo_answer a;
	char flags[512] = "";
	bool src_home = ev->has_src && in_home(c->o, &ev->src);
	bool dst_home = ev->has_dst && in_home(c->o, &ev->dst);

	/* the remote endpoint: the side outside the home networks; inbound
	 * scans and outbound C2 alike.  Both outside: the originator. */
	if (ev->has_src && !src_home)
		se.remote = 1;
	else if (ev->has_dst && !dst_home)
		se.remote = 2;
	if (se.remote && c->ix) {
		geo_lookup(c->ix, se.remote == 1 ? &ev->src : &ev->dst, &a);
		for (unsigned i = 0; i < 32; i++) {
			const char *f;

			if ((a.flags & (1u << i)) && (f = geo_index_flag_name(c->ix, i)))
				snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags),
				         "%s%s", flags[0] ? "," : "", f);
		}
		se.geo = &a;
		se.flags = flags;
	}
	return store_add_event(c->s, &se, c->diag);
}

enum dt_err submit_file(struct ledger *l, struct store *s, const struct geo_index *ix,
                        const char *path, const struct submit_opts *o, event_warn_fn *warn,
                        void *wctx, struct submit_result *r, struct dt_diag *diag)
{
	struct reader *rd = NULL;
	uint8_t sha256[32];
	uint64_t size;
	const char *fmt, *head;
	ingest_fn *parse;
	size_t avail;
	char hex[65];
	enum dt_err err;

	memset(r, 0, sizeof(*r));
	if ((err = ledger_hash_file(path, sha256, &size, diag)))
		return err;
	dt_hex_encode(sha256, 32, hex);
	snprintf(r->digest, sizeof(r->digest), "sha256:%s", hex);
	if (store_submission(s, sha256, &r->entry)) {
		r->already = true;
		return DT_OK;
	}
	if ((err = reader_open_file(path, &rd, diag)))
		return err;
	if (o->progress)
		o->progress(o->pctx, rd);
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
		struct ledger_entry_in e = {.kind = "submission", .tlp = o->tlp, .path = path};
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
	if ((err = store_begin(s, diag)))
		goto out;
	{
		struct sink_ctx c = {
		    .s = s,
		    .ix = ix,
		    .o = o,
		    .submission = r->digest,
		    .refdata = ix ? geo_index_digest(ix) : NULL,
		    .entry = r->entry,
		    .diag = diag,
		};
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
	if (!err) {
		struct store_submission_row row = {
		    .sha256 = sha256,
		    .entry = r->entry,
		    .format = fmt,
		    .victim = o->victim,
		    .name = path,
		    .records = r->counts.records,
		    .events = r->counts.events,
		    .rejected = r->counts.rejected,
		};

		err = store_add_submission(s, &row, diag);
	}
	if (err)
		store_rollback(s);
	else
		err = store_commit(s, diag);
out:
	reader_close(rd);
	return err;
}
