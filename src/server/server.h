/*
 * server.h — `detente serve`: the node's HTTP daemon, and the contract
 * between its transport (server/http.c, libh2o) and its handlers.
 *
 * Handlers never see libh2o.  A request reaches them as a struct http_req
 * (method, path, query, the few headers they need, the whole body, the
 * authenticated principal) and they answer by filling a struct http_resp
 * (status, media type, extra headers, body).  So every handler runs the
 * same under the daemon, in unit tests and in fuzz targets.
 *
 * Threads.  The daemon runs one event loop per worker thread, each with its
 * own listening socket (SO_REUSEPORT) and its own struct srv_worker: its
 * own SQLite connections (ledger, store, intel), its own caches.  A handler
 * only touches its worker's state and the shared, immutable snapshot
 * (srv_snapshot_get); nothing else is shared between threads.
 *
 * Routes (server/router.c):
 *   GET  /checkpoint                         public
 *   GET  /tile/<L>/<N>[.p/<W>]               peer or user
 *   GET  /tile/entries/<N>[.p/<W>]           peer or user
 *   GET  /payload/sha256/<hex>               peer or user, TLP-filtered
 *   GET  /vkey, /cosigner-vkey               public
 *   POST /add-checkpoint                     C2SP tlog-witness (the
 *                                            checkpoint's signature
 *                                            authenticates it)
 *   /taxii2/...                              TAXII 2.1 (server/taxii.c)
 *   GET  /, /api/...                         dashboard (server/dash.c)
 */
#ifndef DT_SERVER_H
#define DT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"

struct ledger;
struct store;
struct intel_db;

/* ---- who is asking ------------------------------------------------------- */

enum srv_role { SRV_ANON = 0, SRV_PEER = 1, SRV_USER = 2 };

struct srv_principal {
	char name[64];
	enum srv_role role;
	int max_tlp; /* ledger_tlp_rank of the most restricted TLP it may see; never RED */
};

/* ---- request and response ------------------------------------------------ */

/* Slices of the request; none is NUL-terminated (use the lengths).  Absent
 * headers and query are NULL with length 0. */
struct http_req {
	const char *method;
	size_t method_len;
	const char *path; /* as received, before '?', not percent-decoded */
	size_t path_len;
	const char *query; /* after '?', not decoded */
	size_t query_len;
	const char *host; /* Host header (or HTTP/2 :authority) */
	size_t host_len;
	const char *accept;
	size_t accept_len;
	const char *ctype; /* Content-Type */
	size_t ctype_len;
	const char *body;
	size_t body_len;
	const struct srv_principal *who; /* NULL: no credential was presented */
};

#define HTTP_MAX_EXTRA 4

struct http_resp {
	int status;         /* 200 unless a handler says otherwise */
	const char *ctype;  /* media type (static string), NULL: none */
	const char *cache;  /* Cache-Control value (static string), or NULL */
	struct strbuf body; /* initialised by the caller */
	char file[1200];    /* when set (and body empty), the body is this file */
	/* or (body empty) borrowed bytes: release(release_ctx) is called, on
	 * the worker's thread, once the transport no longer needs them */
	const void *ref;
	size_t ref_len;
	void (*release)(void *);
	void *release_ctx;
	size_t nextra; /* extra headers, e.g. X-TAXII-Date-Added-First */
	char extra_name[HTTP_MAX_EXTRA][40];
	char extra_value[HTTP_MAX_EXTRA][200];
};

/* Sets status, ctype "text/plain; charset=utf-8" and the body to the
 * formatted message and a newline; returns 0. */
int http_error(struct http_resp *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds an extra header (names and values truncated to fit). */
void http_header(struct http_resp *r, const char *name, const char *value);

/* True when the slice s equals the NUL-terminated lit. */
bool http_is(const char *s, size_t n, const char *lit);
/* The value of query parameter name (not decoded) into *v, *vn; false when
 * absent.  Parameters are "&"-separated name=value pairs. */
bool http_query(const struct http_req *q, const char *name, const char **v, size_t *vn);
/* Percent-decodes (and '+' as space when plus) src into out (NUL-terminated);
 * false on bad escapes or when it does not fit. */
bool http_unescape(const char *src, size_t n, bool plus, char *out, size_t size);

/* ---- the daemon ---------------------------------------------------------- */

struct srv_config {
	const char *db;         /* the node database */
	const char *listen;     /* "ADDR:PORT"; default 127.0.0.1:8480 */
	unsigned threads;       /* 0: number of cores */
	size_t max_body;        /* request bodies, bytes (413 beyond) */
	unsigned max_conns;     /* per worker */
	unsigned timeout_ms;    /* request (header and body) time */
	const char *public_url; /* how peers reach it, for TAXII discovery; NULL: from Host */
	bool access_log;        /* one line per request on stderr */
};

void srv_config_init(struct srv_config *c);

/*
 * What every worker may read without locks: built by one thread when the
 * ledger grows, swapped atomically, reference-counted (srv_snapshot_put).
 */
struct srv_snapshot {
	uint64_t size;    /* ledger size */
	char *checkpoint; /* signed checkpoint with peers' cosignatures */
	size_t checkpoint_len;
	uint64_t generation; /* bumps whenever anything the handlers cache may change */
	int refs;
};

struct srv;

/* A worker's state.  Handlers may use any field; the handles are its own. */
struct srv_worker {
	struct srv *srv;
	const struct srv_config *cfg;
	unsigned id;
	struct ledger *ledger;
	struct store *store;
	struct intel_db *intel;
	void *auth;  /* server/auth.c's per-worker state */
	void *tiles; /* server/ledger_routes.c's tile cache */
	void *taxii; /* server/taxii.c's per-worker state, or NULL */
	void *dash;  /* server/dash.c's per-worker state, or NULL */
};

struct srv_snapshot *srv_snapshot_get(struct srv *s);
void srv_snapshot_put(struct srv_snapshot *sn);

/* Opens a worker's handles on cfg->db (for the daemon and for tests). */
enum dt_err srv_worker_open(struct srv_worker *w, struct srv *s, const struct srv_config *cfg,
                            unsigned id, struct dt_diag *diag);
void srv_worker_close(struct srv_worker *w);

/* Routes one request; always fills r (404 for unknown paths). */
void srv_route(struct srv_worker *w, const struct http_req *q, struct http_resp *r);

/* Runs the daemon until SIGINT/SIGTERM. */
enum dt_err srv_run(const struct srv_config *cfg, struct dt_diag *diag);

/* A server state without threads or sockets, for tests: a snapshot of the
 * ledger is taken now and on srv_refresh(). */
enum dt_err srv_open(const struct srv_config *cfg, struct srv **out, struct dt_diag *diag);
enum dt_err srv_refresh(struct srv *s, struct dt_diag *diag);
void srv_close(struct srv *s);

/* ---- handlers of the other files ------------------------------------------ */

/* TAXII 2.1 under /taxii2/ (server/taxii.c). */
void taxii_handle(struct srv_worker *w, const struct http_req *q, struct http_resp *r);
void taxii_worker_free(struct srv_worker *w);

/* The dashboard: "/", "/dashboard" and "/api/..." (server/dash.c). */
void dash_handle(struct srv_worker *w, const struct http_req *q, struct http_resp *r);
void dash_worker_free(struct srv_worker *w);

#endif
