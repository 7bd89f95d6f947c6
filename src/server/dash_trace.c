/*
 * dash_trace.c — GET /api/trace?ip=A[&ip=B...]: the attribution of up to
 * DASH_TRACE_MAX addresses, as a JSON array whose elements are exactly the
 * lines `detente trace --json` prints for the same addresses (one
 * geo_answer_json object each, same order, duplicates kept), from the
 * node's active refdata snapshot.
 *
 * The snapshot is opened once per worker (geo_index_open maps it; lookups
 * are allocation-free).  When the server's snapshot generation changes, the
 * ACTIVE name is read again and a new snapshot, if `refdata build` made
 * one, replaces the old; a node without refdata answers 503 until it has.
 *
 * The query is the only input: "&"-separated name=value pairs (RFC 3986
 * query, application/x-www-form-urlencoded escapes), ip values decoded into
 * a bounded buffer, trimmed of blanks as the CLI trims its arguments, and
 * parsed by dt_ip_parse; the first bad value is named in a 400 answer.
 */
#include <stdio.h>
#include <string.h>

#include "geo/answer.h"
#include "geo/refdata.h"
#include "server/dash_int.h"

/* An escaped NUL ("%00") would cut the decoded text short. */
static bool has_nul(const char *v, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++)
		if (v[i] == '%' && v[i + 1] == '0' && v[i + 2] == '0')
			return true;
	return false;
}

/* At most 64 bytes of s into out, each byte outside printable ASCII as
 * '?': what a client sent reaches messages and logs only as plain text. */
static void printable(char out[65], const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < n && k < 64; k++)
		out[k] = s[k] >= 0x20 && s[k] < 0x7f ? s[k] : '?';
	out[k] = '\0';
}

int dash_trace_parse(const char *query, size_t len, struct dt_ip *ips, size_t max, size_t *n,
                     char *msg, size_t msize)
{
	size_t i = 0;

	*n = 0;
	while (query && i < len) {
		const char *p = query + i, *amp = memchr(p, '&', len - i), *eq, *v;
		size_t plen = amp ? (size_t)(amp - p) : len - i, vn;
		char text[DASH_TRACE_MAX_TEXT], shown[65];
		size_t tn;
		const char *t = text;

		i += plen + 1;
		eq = memchr(p, '=', plen);
		if (!http_is(p, eq ? (size_t)(eq - p) : plen, "ip"))
			continue;
		v = eq ? eq + 1 : p + plen;
		vn = eq ? plen - (size_t)(eq + 1 - p) : 0;
		if (*n == max) {
			snprintf(msg, msize, "ip: at most %zu addresses in one request", max);
			return 400;
		}
		if (!http_unescape(v, vn, true, text, sizeof(text)) || has_nul(v, vn)) {
			printable(shown, v, vn);
			snprintf(msg, msize,
			         "ip: '%s' is not an IP address (bad escape or too long)", shown);
			return 400;
		}
		tn = strlen(text);
		while (tn && (*t == ' ' || *t == '\t')) {
			t++;
			tn--;
		}
		while (tn && (t[tn - 1] == ' ' || t[tn - 1] == '\t'))
			tn--;
		if (tn == 0 || dt_ip_parse(t, tn, &ips[*n]) != DT_OK) {
			printable(shown, t, tn);
			snprintf(msg, msize, "ip: '%s' is not an IP address", shown);
			return 400;
		}
		(*n)++;
	}
	if (*n == 0) {
		snprintf(msg, msize, "ip: give at least one address (?ip=A&ip=B, at most %zu)",
		         max);
		return 400;
	}
	return 0;
}

/* Opens the active snapshot when none is open or the generation moved and
 * ACTIVE names another file.  Returns the index or NULL (diag says why). */
static struct geo_index *active_index(struct srv_worker *w, struct dash_state *st,
                                      struct dt_diag *diag)
{
	struct srv_snapshot *sn = srv_snapshot_get(w->srv);
	uint64_t gen = sn ? sn->generation : 0;
	char dir[1100], path[sizeof(st->ix_path)];
	struct geo_index *ix = NULL;

	srv_snapshot_put(sn);
	if (st->ix && st->ix_checked && gen == st->ix_gen)
		return st->ix;
	if (refdata_dir(w->cfg->db, dir, sizeof(dir)) != DT_OK) {
		dt_diag_set(diag, NULL, 0, "refdata: database path too long");
		return st->ix;
	}
	if (refdata_active_path(dir, path, sizeof(path), diag) != DT_OK)
		return st->ix; /* keep what is open, if anything */
	st->ix_checked = true;
	st->ix_gen = gen;
	if (st->ix && strcmp(path, st->ix_path) == 0)
		return st->ix;
	if (geo_index_open(path, &ix, diag) != DT_OK)
		return st->ix;
	geo_index_free(st->ix);
	st->ix = ix;
	snprintf(st->ix_path, sizeof(st->ix_path), "%s", path);
	return ix;
}

void dash_api_trace(struct srv_worker *w, const struct http_req *q, struct http_resp *r)
{
	struct dt_ip list[DASH_TRACE_MAX];
	struct dash_state *st = dash_state(w);
	struct geo_answer a;
	struct geo_index *ix;
	struct dt_diag diag;
	char msg[200];
	size_t n = 0;
	int status;

	if (st == NULL) {
		http_error(r, 503, "out of memory");
		return;
	}
	status =
	    dash_trace_parse(q->query, q->query_len, list, DASH_TRACE_MAX, &n, msg, sizeof(msg));
	if (status) {
		http_error(r, status, "%s", msg);
		return;
	}
	dt_diag_clear(&diag);
	if ((ix = active_index(w, st, &diag)) == NULL) {
		http_error(r, 503, "no reference data to trace with: %s (detente refdata build)",
		           diag.msg[0] ? diag.msg : "none is active");
		return;
	}
	strbuf_reset(&r->body);
	if (strbuf_addc(&r->body, '['))
		goto too_large;
	for (size_t i = 0; i < n; i++) {
		geo_lookup(ix, &list[i], &a);
		if ((i && strbuf_addc(&r->body, ',')) ||
		    geo_answer_json(&r->body, ix, &list[i], &a))
			goto too_large;
	}
	if (strbuf_add(&r->body, "]\n", 2))
		goto too_large;
	r->status = 200;
	r->ctype = "application/json";
	r->cache = "no-store";
	return;
too_large:
	http_error(r, 500, "trace: the answer does not fit the response buffer");
}
