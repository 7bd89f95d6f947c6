/*
 * dash_api.c — the dashboard's data: GET /api/ledger and GET /api/report.
 *
 * /api/ledger is this node's ledger status, read at request time:
 *
 *   {"party": "CERT-A", "origin": "cert-a.example/detente",
 *    "checkpoint": {"origin": "...", "size": 42, "root": "<base64>",
 *                   "note": "<the signed checkpoint with the peers'
 *                            cosignature lines, as GET /checkpoint serves it>"},
 *    "cosignatures": [{"peer": "CERT-B", "time": "<RFC 3339, the cosigner's
 *                      timestamp>", "added": "<when this node recorded it>"}],
 *    "peers": [{"name": "CERT-B", "url": "https://..." | null,
 *               "size": 17 | null, "root": "<base64>" | null,
 *               "last_sync": "<RFC 3339>" | null,     when its checkpoint was accepted
 *               "cosigned": true,                      this node cosigned that checkpoint
 *               "cosigned_ours": false}]}             it cosigned this node's checkpoint
 *
 * The checkpoint is the server's snapshot (srv_snapshot_get), so the page
 * shows what /checkpoint serves; its cosignatures are those recorded at its
 * size (ledger/status.h).  "checkpoint" is null while the server has none.
 *
 * /api/report is the detente.report/v1 JSON (docs/report.md) that `detente
 * report` prints for the same node, built with the worker's own handles and
 * the default grouping options, and cached per worker until the snapshot
 * generation changes: the analysis reads every event, so it runs once per
 * ledger state, not per request.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/campaigns.h"
#include "ledger/ledger.h"
#include "ledger/status.h"
#include "note/note.h"
#include "report/model.h"
#include "server/dash_int.h"

/* ---- a tiny JSON writer: the first failed append is kept ---------------- */

struct jw {
	struct strbuf *b;
	enum dt_err err;
};

static void raw(struct jw *j, const char *s)
{
	if (!j->err)
		j->err = strbuf_adds(j->b, s);
}

static void str(struct jw *j, const char *s)
{
	if (s == NULL) {
		raw(j, "null");
		return;
	}
	raw(j, "\"");
	if (!j->err)
		j->err = strbuf_add_json(j->b, s, strlen(s));
	raw(j, "\"");
}

static void key(struct jw *j, const char *k)
{
	str(j, k);
	raw(j, ":");
}

static void num(struct jw *j, uint64_t v)
{
	if (!j->err)
		j->err = strbuf_addu(j->b, v);
}

static void b64(struct jw *j, const uint8_t *p, size_t n)
{
	char t[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];

	if (n > 64) {
		j->err = DT_EINVAL;
		return;
	}
	sodium_bin2base64(t, sizeof(t), p, n, sodium_base64_VARIANT_ORIGINAL);
	str(j, t);
}

/* ---- /api/ledger ------------------------------------------------------------ */

#define LEDGER_MAX_COSIGS 256

struct cosigs {
	struct jw *j;
	size_t n;
	char peers[LEDGER_MAX_COSIGS][NOTE_MAX_NAME]; /* for cosigned_ours */
};

static enum dt_err put_cosig(void *ctx, const struct ledger_cosig_status *c)
{
	struct cosigs *cs = ctx;
	struct jw *j = cs->j;

	raw(j, cs->n ? ",{" : "{");
	key(j, "peer");
	str(j, c->peer);
	raw(j, ",");
	key(j, "time");
	if (c->has_time && c->time <= (uint64_t)INT64_MAX / 2) {
		time_t t = (time_t)c->time;
		struct tm tm;
		char buf[40];

		if (gmtime_r(&t, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
			str(j, buf);
		else
			raw(j, "null");
	} else {
		raw(j, "null");
	}
	raw(j, ",");
	key(j, "added");
	str(j, c->added);
	raw(j, "}");
	if (cs->n < LEDGER_MAX_COSIGS)
		snprintf(cs->peers[cs->n], sizeof(cs->peers[0]), "%s", c->peer);
	cs->n++;
	return j->err;
}

struct peers {
	struct jw *j;
	const struct cosigs *cs;
	size_t n;
};

static enum dt_err put_peer(void *ctx, const struct ledger_peer_status *p)
{
	struct peers *ps = ctx;
	struct jw *j = ps->j;
	bool ours = false;

	for (size_t i = 0; i < ps->cs->n && i < LEDGER_MAX_COSIGS; i++)
		ours = ours || strcmp(ps->cs->peers[i], p->name) == 0;
	raw(j, ps->n++ ? ",{" : "{");
	key(j, "name");
	str(j, p->name);
	raw(j, ",");
	key(j, "url");
	str(j, p->url[0] ? p->url : NULL);
	raw(j, ",");
	key(j, "size");
	if (p->accepted)
		num(j, p->size);
	else
		raw(j, "null");
	raw(j, ",");
	key(j, "root");
	if (p->accepted)
		b64(j, p->root, sizeof(p->root));
	else
		raw(j, "null");
	raw(j, ",");
	key(j, "last_sync");
	str(j, p->accepted && p->accepted_at[0] ? p->accepted_at : NULL);
	raw(j, p->accepted ? ",\"cosigned\":true" : ",\"cosigned\":false");
	raw(j, ours ? ",\"cosigned_ours\":true}" : ",\"cosigned_ours\":false}");
	return j->err;
}

void dash_api_ledger(struct srv_worker *w, const struct http_req *q, struct http_resp *r)
{
	struct srv_snapshot *sn = srv_snapshot_get(w->srv);
	struct jw j = {.b = &r->body};
	struct cosigs *cs = calloc(1, sizeof(*cs));
	struct peers ps = {.j = &j};
	struct checkpoint cp;
	bool have_cp = false;
	struct dt_diag diag;
	enum dt_err err = DT_OK;
	struct note n;

	(void)q;
	dt_diag_clear(&diag);
	if (cs == NULL) {
		srv_snapshot_put(sn);
		http_error(r, 503, "out of memory");
		return;
	}
	cs->j = &j;
	ps.cs = cs;
	if (sn && sn->checkpoint &&
	    note_parse(sn->checkpoint, sn->checkpoint_len, &n, &diag) == DT_OK &&
	    checkpoint_parse(n.text, n.text_len, &cp, &diag) == DT_OK)
		have_cp = true;
	strbuf_reset(&r->body);
	raw(&j, "{");
	key(&j, "party");
	str(&j, ledger_party(w->ledger));
	raw(&j, ",");
	key(&j, "origin");
	str(&j, ledger_origin(w->ledger));
	raw(&j, ",");
	key(&j, "checkpoint");
	if (have_cp) {
		raw(&j, "{");
		key(&j, "origin");
		str(&j, cp.origin);
		raw(&j, ",");
		key(&j, "size");
		num(&j, cp.size);
		raw(&j, ",");
		key(&j, "root");
		b64(&j, cp.root, sizeof(cp.root));
		raw(&j, ",");
		key(&j, "note");
		raw(&j, "\"");
		if (!j.err)
			j.err = strbuf_add_json(j.b, sn->checkpoint, sn->checkpoint_len);
		raw(&j, "\"}");
	} else {
		raw(&j, "null");
	}
	raw(&j, ",");
	key(&j, "cosignatures");
	raw(&j, "[");
	if (have_cp && !j.err)
		err = ledger_cosignatures_at(w->ledger, cp.size, put_cosig, cs, &diag);
	raw(&j, "],");
	key(&j, "peers");
	raw(&j, "[");
	if (!err && !j.err)
		err = ledger_peer_status(w->ledger, put_peer, &ps, &diag);
	raw(&j, "]}\n");
	srv_snapshot_put(sn);
	free(cs);
	if (err && !j.err) {
		http_error(r, 500, "ledger: %s", diag.msg[0] ? diag.msg : dt_strerror(err));
		return;
	}
	if (j.err) {
		http_error(r, 500, "ledger: the answer does not fit the response buffer");
		return;
	}
	r->status = 200;
	r->ctype = "application/json";
	r->cache = "no-store";
}

/* ---- /api/report ------------------------------------------------------------ */

static enum dt_err build_report(struct srv_worker *w, struct strbuf *out, struct dt_diag *diag)
{
	struct campaign_opts o;
	struct campaign_set *cs = NULL;
	struct report_model m;
	enum dt_err err;

	campaign_opts_init(&o);
	memset(&m, 0, sizeof(m));
	if ((err = campaigns_build(w->store, w->intel, &o, &cs, diag)))
		return err;
	if ((err = report_model_build(&m, cs, w->ledger, diag))) {
		campaigns_free(cs);
		return err;
	}
	if ((err = report_json(out, &m)))
		dt_diag_set(diag, NULL, 0, "report: %s", dt_strerror(err));
	report_model_release(&m);
	campaigns_free(cs);
	return err;
}

void dash_api_report(struct srv_worker *w, const struct http_req *q, struct http_resp *r)
{
	struct dash_state *st = dash_state(w);
	struct srv_snapshot *sn = srv_snapshot_get(w->srv);
	uint64_t gen = sn ? sn->generation : 0;
	bool cacheable = sn != NULL;
	struct dt_diag diag;

	(void)q;
	srv_snapshot_put(sn);
	if (st == NULL) {
		http_error(r, 503, "out of memory");
		return;
	}
	if (!st->have_report || !cacheable || st->report_gen != gen) {
		enum dt_err err;

		st->have_report = false;
		strbuf_reset(&st->report);
		dt_diag_clear(&diag);
		st->report_builds++;
		if ((err = build_report(w, &st->report, &diag))) {
			strbuf_reset(&st->report);
			http_error(r, 500, "report: %s", diag.msg[0] ? diag.msg : dt_strerror(err));
			return;
		}
		st->have_report = true;
		st->report_gen = gen;
	}
	strbuf_reset(&r->body);
	if (strbuf_add(&r->body, st->report.p, st->report.len)) {
		http_error(r, 500, "report: %zu bytes do not fit the response buffer",
		           st->report.len);
		return;
	}
	r->status = 200;
	r->ctype = "application/json";
	r->cache = "no-store";
}
