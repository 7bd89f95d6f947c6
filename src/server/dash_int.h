/*
 * dash_int.h — what the dashboard's files share (private to src/server/):
 * the per-worker state behind srv_worker.dash and the API handlers.
 *
 *   dash.c        routes, credentials, the embedded page and its headers
 *   dash_api.c    GET /api/ledger and GET /api/report
 *   dash_trace.c  GET /api/trace (the query parser is fuzzed: fuzz_dash.c)
 */
#ifndef DT_SERVER_DASH_INT_H
#define DT_SERVER_DASH_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ip.h"
#include "server/server.h"

#define DASH_TRACE_MAX      256        /* addresses in one /api/trace request */
#define DASH_TRACE_MAX_TEXT 128        /* bytes of one decoded ip= value */
#define DASH_REPORT_MAX     (1u << 30) /* bytes of the cached report */

struct geo_index;

/* One worker's dashboard state (srv_worker.dash); freed by dash_worker_free. */
struct dash_state {
	/* /api/report: the JSON of the snapshot generation report_gen */
	struct strbuf report;
	bool have_report;
	uint64_t report_gen;
	/* /api/trace: the active refdata snapshot, opened once, and looked
	 * at again only when the snapshot generation changes */
	struct geo_index *ix;
	char ix_path[1200];
	bool ix_checked;
	uint64_t ix_gen;
	unsigned report_builds; /* for tests: how many times the report was built */
};

/* The page's Content-Security-Policy value (computed once). */
const char *dash_csp(void);

/* The worker's state, created on first use; NULL when out of memory. */
struct dash_state *dash_state(struct srv_worker *w);

void dash_api_ledger(struct srv_worker *w, const struct http_req *q, struct http_resp *r);
void dash_api_report(struct srv_worker *w, const struct http_req *q, struct http_resp *r);
void dash_api_trace(struct srv_worker *w, const struct http_req *q, struct http_resp *r);

/*
 * Parses the query of /api/trace: every "ip" parameter (percent-decoded,
 * '+' as space, blanks around it trimmed) as an address, in order; other
 * parameters are ignored.  At most max addresses.  Returns 0, or the HTTP
 * status of the refusal (400) with the reason in msg.
 */
int dash_trace_parse(const char *query, size_t len, struct dt_ip *ips, size_t max, size_t *n,
                     char *msg, size_t msize);

#endif
