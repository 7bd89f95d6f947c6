/*
 * router.c — which handler answers a request (server.h lists the routes).
 * Authentication has already happened: q->who is the principal or NULL.
 */
#include <string.h>

#include "server/server_int.h"

static bool prefix(const struct http_req *q, const char *p)
{
	size_t n = strlen(p);

	return q->path_len >= n && memcmp(q->path, p, n) == 0;
}

void srv_route(struct srv_worker *w, const struct http_req *q, struct http_resp *r)
{
	if (r->status == 0)
		r->status = 200;
	if (http_is(q->path, q->path_len, "/taxii2") || prefix(q, "/taxii2/")) {
		taxii_handle(w, q, r);
		return;
	}
	if (http_is(q->path, q->path_len, "/") || http_is(q->path, q->path_len, "/dashboard") ||
	    prefix(q, "/api/")) {
		dash_handle(w, q, r);
		return;
	}
	if (ledger_routes(w, q, r))
		return;
	http_error(r, 404, "no such resource");
}
