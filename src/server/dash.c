/*
 * dash.c — the node's web dashboard: "/", "/dashboard" and "/api/...".
 *
 * The page (src/server/web/dashboard.html) is one self-contained file, HTML
 * with its CSS and JavaScript inline, embedded in the binary at build time
 * (.incbin below; make runs from the repository root).  It holds no data
 * and is served to anyone; everything it shows it fetches from /api/...
 * with the bearer token the user types in once (kept in sessionStorage).
 *
 * The page's Content-Security-Policy allows exactly its one inline <script>
 * and one inline <style> element, by their SHA-256 (CSP Level 2 hash
 * sources: the hash of the element's text as written), and network access
 * to this server only (connect-src 'self'): an injected script or style
 * does not run, and nothing on the page can reach another origin.
 *
 * /api/... (dash_api.c, dash_trace.c) need a credential: without one the
 * answer is 401 with "WWW-Authenticate: Bearer" (RFC 6750 §3).  The report
 * is built from every piece of evidence whatever its TLP (the descriptions
 * of TLP:RED entries included), so /api/report is for this node's users
 * only: a peer's credential gets 403 (peers receive what their TLP allows
 * through the ledger routes and TAXII).
 * Only GET (and HEAD, which the transport answers without a body) is
 * allowed; anything else is 405 with Allow.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo.h"
#include "server/dash_int.h"

__asm__(".section .rodata\n"
        ".global dt_dashboard_html\n"
        "dt_dashboard_html:\n"
        ".incbin \"src/server/web/dashboard.html\"\n"
        ".byte 0\n"
        ".global dt_dashboard_html_end\n"
        "dt_dashboard_html_end:\n"
        ".previous\n");
extern const char dt_dashboard_html[], dt_dashboard_html_end[];

/* The page's bytes (without the NUL the assembler appends). */
static size_t page_len(void)
{
	return (size_t)((uintptr_t)dt_dashboard_html_end - (uintptr_t)dt_dashboard_html) - 1;
}

static pthread_once_t csp_once = PTHREAD_ONCE_INIT;
static char csp[200];

/* 'sha256-<base64>' of the text of the first element <tag> of the page,
 * or "'none'" when there is none. */
static void hash_source(const char *tag, char *out, size_t size)
{
	const char *page = dt_dashboard_html, *end = dt_dashboard_html + page_len();
	char open[16], close[16];
	const char *a, *b;
	uint8_t h[crypto_hash_sha256_BYTES];
	char t[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	a = memmem(page, (size_t)(end - page), open, strlen(open));
	b = a ? memmem(a, (size_t)(end - a), close, strlen(close)) : NULL;
	if (b == NULL) {
		snprintf(out, size, "'none'");
		return;
	}
	a += strlen(open);
	crypto_hash_sha256(h, (const unsigned char *)a, (unsigned long long)(b - a));
	sodium_bin2base64(t, sizeof(t), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, size, "'sha256-%s'", t);
}

static void make_csp(void)
{
	char script[56], style[56]; /* 'sha256-<44 base64>' */

	hash_source("script", script, sizeof(script));
	hash_source("style", style, sizeof(style));
	snprintf(csp, sizeof(csp),
	         "default-src 'none'; script-src %s; style-src %s; connect-src 'self'; "
	         "img-src data:",
	         script, style);
}

const char *dash_csp(void)
{
	pthread_once(&csp_once, make_csp);
	return csp;
}

struct dash_state *dash_state(struct srv_worker *w)
{
	struct dash_state *st = w->dash;

	if (st == NULL && (st = calloc(1, sizeof(*st))) != NULL) {
		strbuf_init(&st->report, DASH_REPORT_MAX);
		w->dash = st;
	}
	return st;
}

void dash_worker_free(struct srv_worker *w)
{
	struct dash_state *st = w ? w->dash : NULL;

	if (st == NULL)
		return;
	strbuf_release(&st->report);
	geo_index_free(st->ix);
	free(st);
	w->dash = NULL;
}

static void page(struct http_resp *r)
{
	strbuf_reset(&r->body);
	if (strbuf_add(&r->body, dt_dashboard_html, page_len())) {
		http_error(r, 500, "dashboard: the page does not fit the response buffer");
		return;
	}
	r->status = 200;
	r->ctype = "text/html; charset=utf-8";
	r->cache = "no-cache";
	http_header(r, "Content-Security-Policy", dash_csp());
	http_header(r, "X-Frame-Options", "DENY");
	http_header(r, "X-Content-Type-Options", "nosniff");
	http_header(r, "Referrer-Policy", "no-referrer");
}

void dash_handle(struct srv_worker *w, const struct http_req *q, struct http_resp *r)
{
	bool get =
	    http_is(q->method, q->method_len, "GET") || http_is(q->method, q->method_len, "HEAD");
	bool api = q->path_len >= 5 && memcmp(q->path, "/api/", 5) == 0;

	if (!api && !http_is(q->path, q->path_len, "/") &&
	    !http_is(q->path, q->path_len, "/dashboard")) {
		http_error(r, 404, "not found");
		return;
	}
	if (api && q->who == NULL) {
		http_error(r, 401,
		           "a bearer token is required (detente token add NAME --role user)");
		http_header(r, "WWW-Authenticate", "Bearer realm=\"detente\"");
		return;
	}
	if (!get) {
		http_error(r, 405, "only GET is allowed here");
		http_header(r, "Allow", "GET, HEAD");
		return;
	}
	if (!api)
		page(r);
	else if (http_is(q->path, q->path_len, "/api/ledger"))
		dash_api_ledger(w, q, r);
	else if (http_is(q->path, q->path_len, "/api/report") && q->who->role != SRV_USER)
		http_error(r, 403, "the report holds evidence of every TLP: users only");
	else if (http_is(q->path, q->path_len, "/api/report"))
		dash_api_report(w, q, r);
	else if (http_is(q->path, q->path_len, "/api/trace"))
		dash_api_trace(w, q, r);
	else
		http_error(r, 404, "no such API: /api/ledger, /api/report, /api/trace");
	if (api)
		http_header(r, "X-Content-Type-Options", "nosniff");
}
