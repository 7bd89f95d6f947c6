/*
 * dash.c — the dashboard (not served yet).
 */
#include "server/server.h"

void dash_handle(struct srv_worker *w, const struct http_req *q, struct http_resp *r)
{
	(void)w;
	(void)q;
	http_error(r, 404, "no dashboard yet");
}

void dash_worker_free(struct srv_worker *w)
{
	(void)w;
}
