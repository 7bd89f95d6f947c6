/*
 * taxii.c — TAXII 2.1 under /taxii2/ (not served yet).
 */
#include "server/server.h"

void taxii_handle(struct srv_worker *w, const struct http_req *q, struct http_resp *r)
{
	(void)w;
	(void)q;
	http_error(r, 404, "TAXII is not served yet");
}

void taxii_worker_free(struct srv_worker *w)
{
	(void)w;
}
