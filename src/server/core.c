/*
 * core.c — the server state shared by the transport and the handlers: the
 * snapshot of the ledger the workers read (taken again whenever another
 * connection commits to the node database: SQLite's data_version), the
 * workers' own handles, and the small HTTP helpers of server.h.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "intel/db.h"
#include "ledger/ledger.h"
#include "server/server_int.h"
#include "store/store.h"

void srv_config_init(struct srv_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen = "127.0.0.1:8480";
	c->max_body = 10u << 20;
	c->max_conns = 1024;
	c->timeout_ms = 10000;
}

/* ---- HTTP helpers ---------------------------------------------------------- */

int http_error(struct http_resp *r, int status, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	r->ctype = "text/plain; charset=utf-8";
	r->file[0] = '\0';
	strbuf_reset(&r->body);
	va_start(ap, fmt);
	{
		char msg[1024];

		vsnprintf(msg, sizeof(msg), fmt, ap);
		strbuf_adds(&r->body, msg);
	}
	va_end(ap);
	strbuf_addc(&r->body, '\n');
	return 0;
}

void http_header(struct http_resp *r, const char *name, const char *value)
{
	if (r->nextra >= HTTP_MAX_EXTRA)
		return;
	snprintf(r->extra_name[r->nextra], sizeof(r->extra_name[0]), "%s", name);
	snprintf(r->extra_value[r->nextra], sizeof(r->extra_value[0]), "%s", value);
	r->nextra++;
}

bool http_is(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return s && n == l && memcmp(s, lit, l) == 0;
}

bool http_query(const struct http_req *q, const char *name, const char **v, size_t *vn)
{
	size_t nl = strlen(name), i = 0;

	while (q->query && i < q->query_len) {
		const char *p = q->query + i, *amp = memchr(p, '&', q->query_len - i);
		size_t len = amp ? (size_t)(amp - p) : q->query_len - i;

		if (len > nl && memcmp(p, name, nl) == 0 && p[nl] == '=') {
			*v = p + nl + 1;
			*vn = len - nl - 1;
			return true;
		}
		if (len == nl && memcmp(p, name, nl) == 0) {
			*v = p + nl;
			*vn = 0;
			return true;
		}
		i += len + 1;
	}
	return false;
}

bool http_unescape(const char *src, size_t n, bool plus, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)src[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n || (h = dt_hex_digit(src[i + 1])) < 0 ||
			    (l = dt_hex_digit(src[i + 2])) < 0)
				return false;
			c = h << 4 | l;
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if (o + 1 >= size)
			return false;
		out[o++] = (char)c;
	}
	if (size == 0)
		return false;
	out[o] = '\0';
	return true;
}

/* ---- the snapshot ----------------------------------------------------------- */

struct srv_snapshot *srv_snapshot_get(struct srv *s)
{
	struct srv_snapshot *sn;

	/* under mu: the refresher cannot drop s->snap's reference between
	 * reading the pointer and taking ours */
	pthread_mutex_lock(&s->mu);
	sn = s->snap;
	__atomic_add_fetch(&sn->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&s->mu);
	return sn;
}

void srv_snapshot_put(struct srv_snapshot *sn)
{
	if (sn == NULL)
		return;
	if (__atomic_sub_fetch(&sn->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		free(sn->checkpoint);
		free(sn);
	}
}

static int64_t data_version(struct srv *s)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(s->watch, "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

enum dt_err srv_refresh(struct srv *s, struct dt_diag *diag)
{
	struct srv_snapshot *sn, *old;
	struct strbuf cp;
	int64_t v = data_version(s);
	enum dt_err err;

	if (s->snap && v == s->version && v >= 0)
		return DT_OK;
	strbuf_init(&cp, 1u << 20);
	if ((err = ledger_checkpoint_cosigned(s->ledger, &cp, NULL, diag))) {
		strbuf_release(&cp);
		return err;
	}
	if ((sn = calloc(1, sizeof(*sn))) == NULL) {
		strbuf_release(&cp);
		return DT_ENOMEM;
	}
	ledger_size(s->ledger, &sn->size);
	sn->checkpoint = cp.p; /* the strbuf's bytes, now owned by the snapshot */
	sn->checkpoint_len = cp.len;
	sn->refs = 1;
	/* signing a checkpoint is a commit of ours: the version to compare with
	 * is the one after it */
	s->version = data_version(s);
	pthread_mutex_lock(&s->mu);
	sn->generation = ++s->generation;
	old = s->snap;
	s->snap = sn;
	pthread_mutex_unlock(&s->mu);
	srv_snapshot_put(old);
	return DT_OK;
}

enum dt_err srv_open(const struct srv_config *cfg, struct srv **out, struct dt_diag *diag)
{
	struct srv *s = calloc(1, sizeof(*s));
	enum dt_err err;

	*out = NULL;
	if (s == NULL)
		return DT_ENOMEM;
	s->cfg = *cfg;
	pthread_mutex_init(&s->mu, NULL);
	if ((err = ledger_open(cfg->db, &s->ledger, diag)))
		goto fail;
	if (sqlite3_open_v2(cfg->db, &s->watch, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		dt_diag_set(diag, cfg->db, 0, "cannot open: %s", sqlite3_errmsg(s->watch));
		err = DT_EIO;
		goto fail;
	}
	sqlite3_busy_timeout(s->watch, 5000);
	if ((err = auth_init(cfg->db, diag)) || (err = srv_refresh(s, diag)))
		goto fail;
	*out = s;
	return DT_OK;
fail:
	srv_close(s);
	return err;
}

void srv_close(struct srv *s)
{
	if (s == NULL)
		return;
	srv_snapshot_put(s->snap);
	sqlite3_close(s->watch);
	ledger_close(s->ledger);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* ---- workers ---------------------------------------------------------------- */

enum dt_err srv_worker_open(struct srv_worker *w, struct srv *s, const struct srv_config *cfg,
                            unsigned id, struct dt_diag *diag)
{
	enum dt_err err;

	memset(w, 0, sizeof(*w));
	w->srv = s;
	w->cfg = cfg;
	w->id = id;
	if ((err = ledger_open(cfg->db, &w->ledger, diag)) ||
	    (err = store_open(cfg->db, &w->store, diag)) ||
	    (err = intel_db_open(cfg->db, &w->intel, diag)) || (err = auth_worker_open(w, diag))) {
		srv_worker_close(w);
		return err;
	}
	return DT_OK;
}

void srv_worker_close(struct srv_worker *w)
{
	taxii_worker_free(w);
	dash_worker_free(w);
	ledger_routes_free(w);
	auth_worker_close(w);
	intel_db_close(w->intel);
	store_close(w->store);
	ledger_close(w->ledger);
	memset(w, 0, sizeof(*w));
}
