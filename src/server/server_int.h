/*
 * server_int.h — the server's private parts, shared by its .c files only:
 * the srv state, credentials (auth.c), the ledger routes (ledger_routes.c).
 */
#ifndef DT_SERVER_INT_H
#define DT_SERVER_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "server/auth.h"
#include "server/server.h"

struct srv {
	struct srv_config cfg;
	pthread_mutex_t mu;
	struct srv_snapshot *snap; /* under mu */
	uint64_t generation;       /* under mu */
	struct ledger *ledger;     /* the refresher's: signs new checkpoints */
	sqlite3 *watch;            /* PRAGMA data_version */
	int64_t version;
};

/* Credentials at request time (auth.c; the rest is auth.h). */
enum dt_err auth_worker_open(struct srv_worker *w, struct dt_diag *diag);
void auth_worker_close(struct srv_worker *w);
/* The principal of an "Authorization" header value ("Bearer <token>"):
 * true and *out filled when the token is known and not revoked. */
bool auth_check(struct srv_worker *w, const char *hdr, size_t len, struct srv_principal *out);

/* The tlog-tiles, payload and witness routes (ledger_routes.c); false when
 * the path is not theirs. */
bool ledger_routes(struct srv_worker *w, const struct http_req *q, struct http_resp *r);
void ledger_routes_free(struct srv_worker *w);

#endif
