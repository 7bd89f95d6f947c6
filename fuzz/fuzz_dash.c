/*
 * fuzz_dash.c — the dashboard's request input (server/dash_*.c): the query
 * of GET /api/trace, and routing by method and path.
 *
 * The first byte picks the mode; the rest is the input:
 *   even: the rest is a query for dash_trace_parse (at most 8 addresses);
 *   odd:  the rest is "METHOD\nPATH" for dash_handle without a credential
 *         and with a worker that has no handles (so a route that touched
 *         the node would crash).
 * Properties of the parser: it answers 0 or 400; 0 exactly when the query
 * has between 1 and the maximum parameters named "ip" (counted here
 * independently) and each of their values decodes to an address; then n is
 * that count, and every address formats to text that parses back to it;
 * a refusal's message is printable ASCII.  Properties of routing: "/" and
 * "/dashboard" answer the page to GET and HEAD (405 otherwise), "/api/..."
 * answers 401 with WWW-Authenticate, anything else 404.
 */
#include "fuzz.h"
#include "server/dash_int.h"

#define FUZZ_DASH_MAX 8

static size_t ip_params(const char *q, size_t len)
{
	size_t i = 0, count = 0;

	while (i < len) {
		const char *p = q + i, *amp = memchr(p, '&', len - i), *eq;
		size_t plen = amp ? (size_t)(amp - p) : len - i;

		eq = memchr(p, '=', plen);
		if ((eq ? (size_t)(eq - p) : plen) == 2 && p[0] == 'i' && p[1] == 'p')
			count++;
		i += plen + 1;
	}
	return count;
}

static void parse(const char *q, size_t len)
{
	struct dt_ip ips[FUZZ_DASH_MAX];
	char msg[200];
	size_t n = 1234, want = ip_params(q, len);
	int rc;

	memset(msg, 0x55, sizeof(msg));
	rc = dash_trace_parse(len ? q : NULL, len, ips, FUZZ_DASH_MAX, &n, msg, sizeof(msg));
	FUZZ_CHECK(rc == 0 || rc == 400);
	if (want == 0 || want > FUZZ_DASH_MAX)
		FUZZ_CHECK(rc == 400);
	if (rc == 0) {
		FUZZ_CHECK(n == want);
		for (size_t i = 0; i < n; i++) {
			char t[DT_IP_STRLEN];
			struct dt_ip back;
			size_t tn = dt_ip_format(&ips[i], t);

			FUZZ_CHECK(dt_ip_parse(t, tn, &back) == DT_OK);
			FUZZ_CHECK(back.family == ips[i].family && back.addr == ips[i].addr &&
			           back.mapped == ips[i].mapped);
		}
		return;
	}
	FUZZ_CHECK(memchr(msg, '\0', sizeof(msg)) != NULL);
	for (const char *m = msg; *m; m++)
		FUZZ_CHECK(*m >= 0x20 && *m < 0x7f);
}

static void route(const char *s, size_t len)
{
	static struct http_resp r;
	struct srv_worker w;
	struct http_req q;
	const char *nl = memchr(s, '\n', len);
	bool api, page, get;

	memset(&w, 0, sizeof(w));
	memset(&q, 0, sizeof(q));
	q.method = s;
	q.method_len = nl ? (size_t)(nl - s) : len;
	q.path = nl ? nl + 1 : s + len;
	q.path_len = nl ? len - (size_t)(nl + 1 - s) : 0;
	strbuf_release(&r.body);
	memset(&r, 0, sizeof(r));
	r.status = 200;
	strbuf_init(&r.body, 1u << 20);
	dash_handle(&w, &q, &r);
	api = q.path_len >= 5 && memcmp(q.path, "/api/", 5) == 0;
	page = http_is(q.path, q.path_len, "/") || http_is(q.path, q.path_len, "/dashboard");
	get = http_is(q.method, q.method_len, "GET") || http_is(q.method, q.method_len, "HEAD");
	if (api) {
		FUZZ_CHECK(r.status == 401 && r.nextra >= 1);
		FUZZ_CHECK(strncmp(r.extra_value[0], "Bearer", 6) == 0);
	} else if (page) {
		FUZZ_CHECK(r.status == (get ? 200 : 405));
		if (get)
			FUZZ_CHECK(r.body.len > 1000 &&
			           memcmp(r.body.p, "<!DOCTYPE html>", 15) == 0);
	} else {
		FUZZ_CHECK(r.status == 404);
	}
	FUZZ_CHECK(w.dash == NULL && w.ledger == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] % 2 == 0)
		parse((const char *)data + 1, size - 1);
	else
		route((const char *)data + 1, size - 1);
	return 0;
}
