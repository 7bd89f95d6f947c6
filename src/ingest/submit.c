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
#include <time.h>

#include "core/hex.h"
#include "ingest/derive.h"
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
	if (o->party) {
		/* a peer's payload, verified against its digest when it was
		 * mirrored: parse it where it is */
		if ((err = ledger_hash_file(path, sha256, &size, diag)))
			return err;
		snprintf(stored, sizeof(stored), "%s", path);
	} else if ((err =
	                ledger_import_file(l, path, sha256, &size, stored, sizeof(stored), diag))) {
		/* one pass: the payload copy, hashed as it is written; the
		 * events are then parsed from that copy, the bytes the ledger
		 * commits to */
		return err;
	}
	/* a peer's derivative is recorded as the original it stands for */
	if (o->party && o->orig_sha256)
		memcpy(sha256, o->orig_sha256, 32);
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
	if (o->party) {
		r->entry = o->party_entry;
	} else {
		struct ledger_entry_in e = {.kind = "submission", .tlp = o->tlp, .path = NULL};
		char about[LEDGER_MAX_ABOUT + 1], clear[LEDGER_MAX_ABOUT + 1];
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		struct privacy *p = NULL;

		memcpy(e.sha256, sha256, 32);
		e.size = size;
		if ((err = derive_privacy(l, o, &p, diag)))
			goto out;
		/* the entry travels to peers: home networks pseudonymized, the
		 * file name scrubbed; the clear line stays here */
		err = submit_about_format(fmt, base, o, clear, sizeof(clear));
		if (!err)
			err = derive_about_public(p, fmt, base, o, about, sizeof(about));
		privacy_free(p);
		if (err) {
			dt_diag_set(diag, path, 0,
			            "victim, sector and home networks do not fit in an entry's "
			            "%d-byte description",
			            LEDGER_MAX_ABOUT);
			goto out;
		}
		e.about = about;
		/* the clear line first: an entry whose clear line is missing
		 * is taken for one from before pseudonymized lines existed */
		if ((err = ledger_private_about_set(l, sha256, clear, diag)) ||
		    (err = ledger_append(l, &e, 1, true, &r->entry, NULL, diag)))
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
		    .party = o->party,
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
	if (!err && !o->party && !o->no_share && ledger_tlp_rank(o->tlp ? o->tlp : "AMBER") < 4) {
		struct derive_result dr;
		struct dt_diag dd;

		/* what peers receive; a failure leaves the submission whole
		 * and is said (`share sanitize` retries) */
		dt_diag_clear(&dd);
		if (derive_submission(l, r->entry, sha256, o->tlp ? o->tlp : "AMBER", fmt, o, &dr,
		                      &dd) == DT_OK) {
			r->derived = true;
			r->derived_entry = dr.entry;
			snprintf(r->derived_digest, sizeof(r->derived_digest), "%s", dr.digest);
		} else {
			dt_diag_format(&dd, r->derive_error, sizeof(r->derive_error));
		}
	}
out:
	free(actx);
	reader_close(rd);
	return err;
}

/* ---- the about line's parameters, and peers' submissions ------------------ */

static bool plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       strchr("-._~:/,+", c) != NULL;
}

/* Appends "key=value" (percent-encoded) and a leading space to b. */
static enum dt_err add_param(struct strbuf *b, const char *key, const char *v)
{
	enum dt_err err = strbuf_addf(b, " %s=", key);

	for (const unsigned char *p = (const unsigned char *)v; !err && *p; p++)
		err = plain(*p) ? strbuf_addc(b, (char)*p) : strbuf_addf(b, "%%%02X", *p);
	return err;
}

enum dt_err submit_about_format(const char *fmt, const char *file, const struct submit_opts *o,
                                char *out, size_t size)
{
	struct strbuf params, home;
	char desc[LEDGER_MAX_ABOUT + 1];
	enum dt_err err;
	size_t room;

	strbuf_init(&params, LEDGER_MAX_ABOUT);
	strbuf_init(&home, LEDGER_MAX_ABOUT);
	err = add_param(&params, "format", fmt);
	if (!err && o->victim && *o->victim)
		err = add_param(&params, "victim", o->victim);
	if (!err && o->sector && *o->sector)
		err = add_param(&params, "sector", o->sector);
	for (size_t i = 0; !err && i < o->nhome; i++) {
		char net[DT_IP_STRLEN + 8];

		dt_prefix_format(&o->home[i], net);
		err = (i ? strbuf_addc(&home, ',') : DT_OK);
		err = err ? err : strbuf_adds(&home, net);
	}
	if (!err && o->nhome)
		err = add_param(&params, "home-net", home.p);
	/* " | " + params, and at least a few bytes of description */
	if (!err && (params.len + 3 + 16 > LEDGER_MAX_ABOUT || size < LEDGER_MAX_ABOUT + 1))
		err = DT_ELIMIT;
	if (!err) {
		snprintf(desc, sizeof(desc), "%s telemetry %s%s%s", fmt, file,
		         o->victim ? " of " : "", o->victim ? o->victim : "");
		/* file names and victims are not trusted text */
		for (char *p = desc; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		room = LEDGER_MAX_ABOUT - params.len - 2; /* " |" then params' space */
		if (strlen(desc) > room) {
			size_t cut = room;

			/* do not split a UTF-8 sequence */
			while (cut > 0 && ((unsigned char)desc[cut] & 0xC0) == 0x80)
				cut--;
			desc[cut] = '\0';
		}
		snprintf(out, size, "%s |%s", desc, params.p);
	}
	strbuf_release(&params);
	strbuf_release(&home);
	return err;
}

static int unhex(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	                              : -1;
}

enum dt_err submit_about_parse(const char *about, struct submit_opts *o, char *store, size_t size)
{
	const char *p = NULL, *q;
	size_t used = 0;
	bool any = false;

	for (q = strstr(about, " | "); q; q = strstr(q + 1, " | "))
		p = q;
	if (p == NULL)
		return DT_ENOTFOUND;
	p += 3;
	while (*p) {
		const char *end = strchr(p, ' '), *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *val = store + used;

		eq = memchr(p, '=', len);
		if (eq == NULL || eq == p)
			return DT_EPARSE;
		/* decode the value into store */
		for (const char *v = eq + 1; v < p + len; v++) {
			char c = *v;

			if (c == '%') {
				int a, b;

				if (v + 2 >= p + len + 0 + 1 || (a = unhex(v[1])) < 0 ||
				    (b = unhex(v[2])) < 0)
					return DT_EPARSE;
				c = (char)(a << 4 | b);
				v += 2;
			}
			if (c == '\0' || used + 2 > size)
				return DT_EPARSE;
			store[used++] = c;
		}
		store[used++] = '\0';
#define KEY(k) ((size_t)(eq - p) == sizeof(k) - 1 && memcmp(p, k, sizeof(k) - 1) == 0)
		if (KEY("format")) {
			o->format = val;
			any = true;
		} else if (KEY("victim")) {
			o->victim = val;
		} else if (KEY("sector")) {
			o->sector = val;
		} else if (KEY("home-net")) {
			o->nhome = 0;
			for (const char *h = val; *h;) {
				size_t n = strcspn(h, ",");

				if (n == 0 || o->nhome == SUBMIT_MAX_HOME ||
				    dt_prefix_parse(h, n, &o->home[o->nhome++], NULL) != DT_OK)
					return DT_EPARSE;
				h += n + (h[n] == ',');
			}
		}
#undef KEY
		p += len + (end != NULL);
	}
	return any ? DT_OK : DT_ENOTFOUND;
}

/* The time of an entry (RFC 3339 UTC, µs) as µs since the epoch, or 0. */
static int64_t entry_time_us(const char *t)
{
	struct tm tm;
	const char *end;
	long us = 0;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return 0;
	if (*end == '.')
		us = strtol(end + 1, NULL, 10);
	return (int64_t)timegm(&tm) * 1000000 + us;
}

/* One mirrored entry ingested as the peer's submission: e is the entry
 * whose payload and parameters are used, orig the submission it stands for
 * (e itself, or the original a sanitized entry names). */
static void peer_one(struct ledger *l, struct store *s, const struct geo_index *ix,
                     const struct ledger_peer_entry *e, const struct ledger_peer_entry *orig,
                     event_warn_fn *warn, void *wctx,
                     void (*done)(void *ctx, const struct submit_peer_item *it), void *dctx)
{
	struct submit_opts o = {.format = "auto"};
	struct submit_result r;
	struct submit_peer_item it = {.peer = e->peer,
	                              .author = e->e.author,
	                              .about = e->e.about,
	                              .idx = orig->idx,
	                              .sanitized = orig != e,
	                              .copy_idx = e->idx,
	                              .r = &r};
	struct dt_diag d;
	char path[1400], store[LEDGER_MAX_ABOUT + 8];
	uint64_t entry;

	if (ledger_payload_path(l, e->e.sha256, path, sizeof(path)) != DT_OK ||
	    store_submission(s, orig->e.sha256, &entry))
		return;
	submit_default_home(&o);
	dt_diag_clear(&d);
	it.diag = &d;
	it.err = submit_about_parse(e->e.about, &o, store, sizeof(store));
	if (it.err == DT_ENOTFOUND)
		return; /* not made by ingest: no parameters to ingest it with */
	if (it.err) {
		dt_diag_set(&d, NULL, 0,
		            "peer '%s' entry %llu: malformed ingest parameters in its description",
		            e->peer, (unsigned long long)e->idx);
	} else {
		o.party = orig->e.author;
		o.party_entry = orig->idx;
		o.orig_sha256 = orig == e ? NULL : orig->e.sha256;
		o.now_us = entry_time_us(orig->e.time);
		memset(&r, 0, sizeof(r));
		it.err = submit_file(l, s, ix, path, &o, warn, wctx, &r, &d);
	}
	if (done)
		done(dctx, &it);
}

enum dt_err submit_peer(struct ledger *l, struct store *s, const struct geo_index *ix,
                        const char *peer, event_warn_fn *warn, void *wctx,
                        void (*done)(void *ctx, const struct submit_peer_item *it), void *dctx,
                        struct dt_diag *diag)
{
	struct ledger_peer_entry *v = NULL, *san = NULL;
	size_t n = 0, nsan = 0;
	enum dt_err err;

	if ((err = ledger_peer_entries(l, peer, "submission", &v, &n, diag)) ||
	    (err = ledger_peer_entries(l, peer, "sanitized", &san, &nsan, diag))) {
		free(v);
		return err;
	}
	/* derivatives first: a peer shares those, not its originals */
	for (size_t k = 0; k < nsan; k++) {
		uint8_t want[32];

		if (derive_orig(san[k].e.about, want) != DT_OK)
			continue;
		for (size_t i = 0; i < n; i++)
			if (strcmp(v[i].peer, san[k].peer) == 0 &&
			    strcmp(v[i].e.author, san[k].e.author) == 0 &&
			    memcmp(v[i].e.sha256, want, 32) == 0) {
				peer_one(l, s, ix, &san[k], &v[i], warn, wctx, done, dctx);
				break;
			}
	}
	/* an original a peer did share (an older node): as it is */
	for (size_t i = 0; i < n; i++)
		peer_one(l, s, ix, &v[i], &v[i], warn, wctx, done, dctx);
	free(v);
	free(san);
	return DT_OK;
}
