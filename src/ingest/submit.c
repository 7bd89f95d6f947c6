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
#include "ingest/input.h"
#include "ingest/parsers.h"

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

static const char *detect(const char *data, size_t len)
{
	size_t i = 0;

	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (len - i >= 10 &&
	    (strncmp(data + i, "#separator", 10) == 0 || strncmp(data + i, "#fields", 7) == 0))
		return "zeek";
	if (i < len && data[i] == '{') {
		const char *eol = memchr(data + i, '\n', len - i);
		size_t n = eol ? (size_t)(eol - (data + i)) : len - i;

		if (memmem(data + i, n, "\"event_type\"", 12))
			return "eve";
		return "zeek";
	}
	return NULL;
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
	struct input in;
	const char *fmt;
	char hex[65];
	enum dt_err err;

	memset(r, 0, sizeof(*r));
	if ((err = input_read(path, &in, diag)))
		return err;
	dt_hex_encode(in.sha256, 32, hex);
	snprintf(r->digest, sizeof(r->digest), "sha256:%s", hex);
	r->damaged = in.damaged;
	snprintf(r->damage, sizeof(r->damage), "%s", in.damage);
	if (store_submission(s, in.sha256, &r->entry)) {
		r->already = true;
		goto out;
	}
	fmt = o->format && strcmp(o->format, "auto") != 0 ? o->format : detect(in.data, in.len);
	if (fmt == NULL) {
		dt_diag_set(diag, path, 0,
		            "cannot tell the format (not a Zeek log or Suricata EVE JSON); "
		            "use --format");
		err = DT_EFORMAT;
		goto out;
	}
	snprintf(r->format, sizeof(r->format), "%s", fmt);
	{
		struct ledger_entry_in e = {.kind = "submission", .tlp = o->tlp, .path = path};
		char about[1200];
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

		memcpy(e.sha256, in.sha256, 32);
		e.size = in.raw_size;
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

		if (strcmp(fmt, "zeek") == 0)
			err = ingest_zeek(path, in.data, in.len, sink, &c, warn, wctx, &r->counts,
			                  diag);
		else if (strcmp(fmt, "eve") == 0)
			err = ingest_eve(path, in.data, in.len, sink, &c, warn, wctx, &r->counts,
			                 diag);
		else {
			dt_diag_set(diag, NULL, 0, "unknown format '%s' (auto, zeek, eve)", fmt);
			err = DT_EINVAL;
		}
	}
	if (!err) {
		struct store_submission_row row = {
		    .sha256 = in.sha256,
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
	input_release(&in);
	return err;
}
