/*
 * http.c — the transport: libh2o (Debian libh2o-evloop, 2.2) event loops,
 * one per worker thread, all watching one listening socket (whichever loop
 * accepts a connection serves it: busy loops accept less, which kept the
 * tail latency lower than SO_REUSEPORT's hashing in bench/serve.sh), each
 * with its own srv_worker.
 * A refresher thread retakes the snapshot when the node database changes.
 *
 * libh2o buffers a request's body before calling the handler, refusing
 * bodies above cfg->max_body with 413 itself; it bounds request heads
 * (HTTP/1) and enforces cfg->timeout_ms on reading a request.  The number
 * of open connections per worker is bounded here: beyond cfg->max_conns a
 * new connection is closed at once.  SIGINT or SIGTERM stops the loops.
 */
#define H2O_USE_LIBUV 0
#include <h2o.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ledger/ledger.h"
#include "server/server_int.h"

#define MAX_THREADS 64
#define MAX_RESP    (256u << 20)

struct thread {
	h2o_context_t ctx;
	h2o_accept_ctx_t accept;
	struct srv_worker w;
	unsigned conns;
	int fd;
	pthread_t tid;
};

/* set by the signal handler, read by every thread: a lock-free atomic */
static atomic_int stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

static void header_slice(h2o_req_t *req, const h2o_token_t *tok, const char **p, size_t *n)
{
	ssize_t i = h2o_find_header(&req->headers, tok, -1);

	*p = NULL;
	*n = 0;
	if (i >= 0) {
		*p = req->headers.entries[i].value.base;
		*n = req->headers.entries[i].value.len;
	}
}

static void access_log(const h2o_req_t *req, int status, size_t bytes)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %.*s %.*s %d %zu\n", ts, (int)req->method.len, req->method.base,
	        (int)(req->path.len > 300 ? 300 : req->path.len), req->path.base, status, bytes);
}

/* The response body's buffer is handed to the request's pool, which frees
 * it when the response is done: no copy. */
static void free_body(void *p)
{
	free(*(char **)p);
}

static void send_body(h2o_req_t *req, struct strbuf *b)
{
	static h2o_generator_t generator = {NULL, NULL};
	h2o_iovec_t iov = h2o_iovec_init(b->len ? b->p : "", b->len);

	if (b->p) {
		char **holder = h2o_mem_alloc_shared(&req->pool, sizeof(*holder), free_body);

		*holder = b->p;
		b->p = NULL; /* the pool owns it now */
		b->len = b->cap = 0;
	}
	req->res.content_length = iov.len;
	h2o_start_response(req, &generator);
	h2o_send(req, &iov, 1, H2O_SEND_STATE_FINAL);
}

struct borrowed {
	void (*release)(void *);
	void *ctx;
};

static void release_borrowed(void *p)
{
	struct borrowed *b = p;

	b->release(b->ctx);
}

static void send_borrowed(h2o_req_t *req, struct http_resp *r)
{
	static h2o_generator_t generator = {NULL, NULL};
	h2o_iovec_t iov = h2o_iovec_init(r->ref, r->ref_len);
	struct borrowed *b = h2o_mem_alloc_shared(&req->pool, sizeof(*b), release_borrowed);

	b->release = r->release;
	b->ctx = r->release_ctx;
	req->res.content_length = iov.len;
	h2o_start_response(req, &generator);
	h2o_send(req, &iov, 1, H2O_SEND_STATE_FINAL);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
	struct thread *t = (struct thread *)((char *)req->conn->ctx - offsetof(struct thread, ctx));
	struct srv_principal who;
	struct http_req q;
	struct http_resp *r;
	const char *auth;
	size_t auth_len;

	(void)self;
	memset(&q, 0, sizeof(q));
	q.method = req->method.base;
	q.method_len = req->method.len;
	q.path = req->path_normalized.base;
	q.path_len = req->path_normalized.len;
	if (req->query_at != SIZE_MAX) {
		q.query = req->path.base + req->query_at + 1;
		q.query_len = req->path.len - req->query_at - 1;
	}
	q.host = req->authority.base;
	q.host_len = req->authority.len;
	header_slice(req, H2O_TOKEN_ACCEPT, &q.accept, &q.accept_len);
	header_slice(req, H2O_TOKEN_CONTENT_TYPE, &q.ctype, &q.ctype_len);
	q.body = req->entity.base;
	q.body_len = req->entity.base ? req->entity.len : 0;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	strbuf_init(&r->body, MAX_RESP);
	header_slice(req, H2O_TOKEN_AUTHORIZATION, &auth, &auth_len);
	if (auth && !auth_check(&t->w, auth, auth_len, &who)) {
		http_error(r, 401, "the credential presented is not valid");
		http_header(r, "WWW-Authenticate",
		            "Bearer realm=\"detente\", error=\"invalid_token\"");
	} else {
		q.who = auth ? &who : NULL;
		srv_route(&t->w, &q, r);
	}

	req->res.status = r->status;
	req->res.reason = reason(r->status);
	if (r->ctype)
		h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
		               r->ctype, strlen(r->ctype));
	if (r->cache)
		h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
		               r->cache, strlen(r->cache));
	for (size_t i = 0; i < r->nextra; i++) {
		char *name = h2o_mem_alloc_pool(&req->pool, strlen(r->extra_name[i]) + 1);
		size_t vl = strlen(r->extra_value[i]);
		char *value = h2o_mem_alloc_pool(&req->pool, vl + 1);

		/* h2o wants header names in lower case */
		for (size_t k = 0; k <= strlen(r->extra_name[i]); k++)
			name[k] = (char)(r->extra_name[i][k] >= 'A' && r->extra_name[i][k] <= 'Z'
			                     ? r->extra_name[i][k] + 32
			                     : r->extra_name[i][k]);
		memcpy(value, r->extra_value[i], vl + 1);
		h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 1,
		                      r->extra_name[i], value, vl);
	}
	if (t->w.cfg->access_log)
		access_log(req, r->status, r->file[0] ? 0 : r->body.len);
	if (r->file[0] && r->body.len == 0) {
		h2o_iovec_t mime =
		    h2o_iovec_init(r->ctype ? r->ctype : "application/octet-stream",
		                   strlen(r->ctype ? r->ctype : "application/octet-stream"));

		/* the content type is already a header: h2o_file_send adds its own */
		req->res.headers = (h2o_headers_t){NULL, 0, 0};
		if (r->cache)
			h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
			               r->cache, strlen(r->cache));
		if (h2o_file_send(req, r->status, req->res.reason, r->file, mime, 0) != 0)
			h2o_send_error_generic(req, 404, "Not Found", "payload file vanished\n", 0);
	} else if (r->ref && r->body.len == 0) {
		send_borrowed(req, r);
	} else {
		if (r->ref && r->release)
			r->release(r->release_ctx);
		send_body(req, &r->body);
	}
	strbuf_release(&r->body);
	free(r);
	return 0;
}

static void on_close(void *data)
{
	struct thread *t = data;

	t->conns--;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
	struct thread *t = listener->data;
	h2o_socket_t *sock;

	if (err != NULL || (sock = h2o_evloop_socket_accept(listener)) == NULL)
		return;
	if (t->conns >= t->w.cfg->max_conns) {
		h2o_socket_close(sock);
		return;
	}
	t->conns++;
	sock->on_close.cb = on_close;
	sock->on_close.data = t;
	h2o_accept(&t->accept, sock);
}

/* "ADDR:PORT" or "[ADDR6]:PORT" */
static enum dt_err parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
                                struct dt_diag *diag)
{
	char host[128];
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		goto bad;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end || colon[1] == '\0' || port > 65535)
		goto bad;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		host[strlen(host) - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			goto bad;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
	}
	return DT_OK;
bad:
	dt_diag_set(diag, NULL, 0,
	            "--listen '%s' is not ADDR:PORT (e.g. 127.0.0.1:8480, [::1]:8480)", s);
	return DT_EINVAL;
}

static enum dt_err make_socket(const struct sockaddr_storage *ss, socklen_t len, int *out,
                               struct dt_diag *diag)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), on = 1;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, SOMAXCONN) != 0) {
		dt_diag_set(diag, NULL, 0, "cannot listen: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return DT_EIO;
	}
	*out = fd;
	return DT_OK;
}

static void *run_loop(void *arg)
{
	struct thread *t = arg;
	h2o_socket_t *sock =
	    h2o_evloop_socket_create(t->ctx.loop, t->fd, H2O_SOCKET_FLAG_DONT_READ);

	sock->data = t;
	h2o_socket_read_start(sock, on_accept);
	while (!stopping)
		h2o_evloop_run(t->ctx.loop, 200);
	h2o_socket_read_stop(sock);
	h2o_socket_close(sock);
	return NULL;
}

struct refresher {
	struct srv *srv;
	pthread_t tid;
};

static void *run_refresh(void *arg)
{
	struct refresher *rf = arg;
	const struct timespec tick = {0, 200 * 1000 * 1000};

	while (!stopping) {
		struct dt_diag d;

		nanosleep(&tick, NULL);
		dt_diag_clear(&d);
		if (srv_refresh(rf->srv, &d))
			fprintf(stderr, "detente: serve: cannot refresh the checkpoint: %s\n",
			        d.msg);
	}
	return NULL;
}

enum dt_err srv_run(const struct srv_config *cfg, struct dt_diag *diag)
{
	static h2o_globalconf_t config;
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct thread *th = NULL;
	struct refresher rf;
	struct srv *s = NULL;
	unsigned n = cfg->threads, started = 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	enum dt_err err;

	if (n == 0)
		n = cores > 0 ? (unsigned)cores : 1;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if ((err = parse_listen(cfg->listen, &ss, &sslen, diag)) || (err = srv_open(cfg, &s, diag)))
		return err;
	if ((th = calloc(n, sizeof(*th))) == NULL) {
		srv_close(s);
		return DT_ENOMEM;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	h2o_config_init(&config);
	config.server_name = h2o_iovec_init(H2O_STRLIT("detente"));
	config.max_request_entity_size = cfg->max_body;
	config.http1.req_timeout = cfg->timeout_ms;
	config.http2.idle_timeout = cfg->timeout_ms;
	{
		h2o_hostconf_t *host =
		    h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
		h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
		h2o_handler_t *h = h2o_create_handler(path, sizeof(*h));

		h->on_req = on_req;
	}
	for (unsigned i = 0; i < n; i++) {
		th[i].fd = -1;
		if ((err = srv_worker_open(&th[i].w, s, cfg, i, diag)) ||
		    (i == 0 && (err = make_socket(&ss, sslen, &th[i].fd, diag))))
			goto out;
		if (i > 0 && (th[i].fd = dup(th[0].fd)) < 0) {
			dt_diag_set(diag, NULL, 0, "dup: %s", strerror(errno));
			err = DT_EIO;
			goto out;
		}
		h2o_context_init(&th[i].ctx, h2o_evloop_create(), &config);
		th[i].accept.ctx = &th[i].ctx;
		th[i].accept.hosts = config.hosts;
	}
	{
		struct srv_snapshot *sn = srv_snapshot_get(s);

		fprintf(stderr, "detente: serving %s (%llu entries) on http://%s with %u threads\n",
		        ledger_origin(s->ledger), (unsigned long long)sn->size, cfg->listen, n);
		srv_snapshot_put(sn);
	}
	rf.srv = s;
	pthread_create(&rf.tid, NULL, run_refresh, &rf);
	for (; started < n; started++)
		if (pthread_create(&th[started].tid, NULL, run_loop, &th[started]) != 0) {
			stopping = 1;
			break;
		}
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i].tid, NULL);
	pthread_join(rf.tid, NULL);
	fprintf(stderr, "detente: serve: stopped\n");
out:
	for (unsigned i = 0; i < n; i++) {
		if (th[i].ctx.loop) {
			h2o_context_dispose(&th[i].ctx);
			h2o_evloop_destroy(th[i].ctx.loop);
		}
		if (th[i].fd >= 0 && !started)
			close(th[i].fd);
		srv_worker_close(&th[i].w);
	}
	free(th);
	srv_close(s);
	return err;
}
