/*
 * client.c — see client.h.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/auth.h"
#include "server/client.h"

struct http_client {
	CURL *h;
	struct curl_slist *hdrs;
	char base[1024];
	char tmp[1100]; /* the payload download file, "" until made */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

enum dt_err http_client_open(const char *base, const char *token, struct http_client **out,
                             struct dt_diag *diag)
{
	struct http_client *c;
	size_t n = strlen(base);

	*out = NULL;
	if ((strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) ||
	    n >= sizeof(c->base)) {
		dt_diag_set(diag, NULL, 0, "'%s' is not an http:// or https:// URL", base);
		return DT_EINVAL;
	}
	pthread_once(&curl_once, curl_init_once);
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->h = curl_easy_init()) == NULL) {
		free(c);
		return DT_ENOMEM;
	}
	memcpy(c->base, base, n + 1);
	while (n > 0 && c->base[n - 1] == '/')
		c->base[--n] = '\0';
	if (token) {
		char hdr[64 + AUTH_TOKEN_LEN + 1];

		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", token);
		c->hdrs = curl_slist_append(c->hdrs, hdr);
	}
	curl_easy_setopt(c->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c->h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(c->h, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_USERAGENT, "detente");
	*out = c;
	return DT_OK;
}

void http_client_close(struct http_client *c)
{
	if (c == NULL)
		return;
	if (c->tmp[0])
		unlink(c->tmp);
	curl_slist_free_all(c->hdrs);
	curl_easy_cleanup(c->h);
	free(c);
}

struct sink {
	struct strbuf *buf;
	FILE *f;
	bool over;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;

	if (s->f)
		return fwrite(p, size, n, s->f);
	if (strbuf_add(s->buf, p, size * n)) {
		s->over = true;
		return 0;
	}
	return size * n;
}

static enum dt_err perform(struct http_client *c, const char *path, struct sink *sk, long *status,
                           struct dt_diag *diag)
{
	char url[2200];
	CURLcode rc;

	snprintf(url, sizeof(url), "%s/%s", c->base, path[0] == '/' ? path + 1 : path);
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdrs);
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, sk);
	*status = 0;
	rc = curl_easy_perform(c->h);
	if (sk->over) {
		dt_diag_set(diag, url, 0, "response larger than %zu bytes", sk->buf->max);
		return DT_ELIMIT;
	}
	if (rc != CURLE_OK) {
		dt_diag_set(diag, url, 0, "%s", curl_easy_strerror(rc));
		return DT_EIO;
	}
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, status);
	return DT_OK;
}

enum dt_err http_client_get(struct http_client *c, const char *path, struct strbuf *out,
                            long *status, struct dt_diag *diag)
{
	struct sink sk = {out, NULL, false};

	curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
	return perform(c, path, &sk, status, diag);
}

enum dt_err http_client_post(struct http_client *c, const char *path, const char *ctype,
                             const void *body, size_t len, struct strbuf *out, long *status,
                             struct dt_diag *diag)
{
	struct sink sk = {out, NULL, false};
	struct curl_slist *h = NULL, *saved = c->hdrs;
	char ct[200];
	enum dt_err err;

	for (struct curl_slist *i = c->hdrs; i; i = i->next)
		h = curl_slist_append(h, i->data);
	snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
	h = curl_slist_append(h, ct);
	c->hdrs = h;
	curl_easy_setopt(c->h, CURLOPT_POST, 1L);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	err = perform(c, path, &sk, status, diag);
	c->hdrs = saved;
	curl_slist_free_all(h);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
	return err;
}

/* ---- as a ledger_source ------------------------------------------------------ */

static enum dt_err status_err(long status, const char *path, struct dt_diag *diag)
{
	if (status == 200)
		return DT_OK;
	dt_diag_set(diag, path, 0, "the peer answered HTTP %ld%s", status,
	            status == 401   ? " (no valid credential: 'peer add ... --token')"
	            : status == 403 ? " (withheld)"
	                            : "");
	return status == 404 || status == 403 ? DT_ENOTFOUND : DT_EIO;
}

static enum dt_err src_get(void *ctx, const char *path, struct strbuf *out, struct dt_diag *diag)
{
	long status;
	enum dt_err err = http_client_get(ctx, path, out, &status, diag);

	return err ? err : status_err(status, path, diag);
}

static enum dt_err src_get_file(void *ctx, const char *path, char *local, size_t size,
                                struct dt_diag *diag)
{
	struct http_client *c = ctx;
	struct sink sk = {NULL, NULL, false};
	long status;
	enum dt_err err;

	if (c->tmp[0] == '\0') {
		const char *t = getenv("TMPDIR");
		int fd;

		snprintf(c->tmp, sizeof(c->tmp), "%s/detente-sync-XXXXXX", t && *t ? t : "/tmp");
		if ((fd = mkstemp(c->tmp)) < 0) {
			dt_diag_set(diag, c->tmp, 0, "cannot create: %s", strerror(errno));
			c->tmp[0] = '\0';
			return DT_EIO;
		}
		close(fd);
	}
	if ((sk.f = fopen(c->tmp, "wb")) == NULL) {
		dt_diag_set(diag, c->tmp, 0, "cannot write: %s", strerror(errno));
		return DT_EIO;
	}
	curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
	err = perform(c, path, &sk, &status, diag);
	if (fclose(sk.f) != 0 && !err) {
		dt_diag_set(diag, c->tmp, 0, "write failed");
		err = DT_EIO;
	}
	if (err || (err = status_err(status, path, diag)))
		return err;
	snprintf(local, size, "%s", c->tmp);
	return DT_OK;
}

void http_client_source(struct http_client *c, struct ledger_source *src)
{
	src->get = src_get;
	src->get_file = src_get_file;
	src->ctx = c;
}

/* ---- witness ----------------------------------------------------------------- */

static enum dt_err submit(struct http_client *c, struct ledger *l, const struct strbuf *cp,
                          uint64_t old, uint64_t size, struct strbuf *resp, long *status,
                          struct dt_diag *diag)
{
	struct strbuf body;
	enum dt_err err;

	strbuf_init(&body, 1u << 20);
	strbuf_reset(resp);
	if ((err = strbuf_addf(&body, "old %llu\n", (unsigned long long)old)) ||
	    (old > 0 && old < size && (err = ledger_consistency(l, old, size, &body, diag))) ||
	    (err = strbuf_addc(&body, '\n')) || (err = strbuf_add(&body, cp->p, cp->len))) {
		strbuf_release(&body);
		return err;
	}
	err = http_client_post(c, "add-checkpoint", "text/plain", body.p, body.len, resp, status,
	                       diag);
	strbuf_release(&body);
	return err;
}

enum dt_err http_client_push_checkpoint(struct http_client *c, struct ledger *l,
                                        struct witness_push *res, struct dt_diag *diag)
{
	struct strbuf cp, resp;
	struct note n;
	struct checkpoint body;
	enum dt_err err;

	memset(res, 0, sizeof(*res));
	strbuf_init(&cp, 1u << 20);
	strbuf_init(&resp, 1u << 16);
	if ((err = ledger_checkpoint(l, 0, &cp, diag)) ||
	    (err = note_parse(cp.p, cp.len, &n, diag)) ||
	    (err = checkpoint_parse(n.text, n.text_len, &body, diag)))
		goto out;
	res->size = body.size;
	if ((err = submit(c, l, &cp, 0, body.size, &resp, &res->status, diag)))
		goto out;
	if (res->status == 409) {
		char *end;
		unsigned long long known = strtoull(resp.p ? resp.p : "", &end, 10);

		if (resp.len == 0 || *end != '\n' || known > body.size) {
			dt_diag_set(diag, NULL, 0,
			            "the peer's witness knows %.*s entries of this log, more than "
			            "its %llu: it holds another history",
			            (int)(resp.len > 40 ? 40 : resp.len), resp.p ? resp.p : "",
			            (unsigned long long)body.size);
			err = DT_EFORMAT;
			goto out;
		}
		res->old = known;
		if ((err = submit(c, l, &cp, known, body.size, &resp, &res->status, diag)))
			goto out;
	}
	if (res->status != 200) {
		dt_diag_set(diag, NULL, 0,
		            "the peer's witness refused this node's checkpoint: HTTP %ld: %.*s",
		            res->status, (int)(resp.len > 300 ? 300 : resp.len),
		            resp.p ? resp.p : "");
		err = DT_EFORMAT;
		goto out;
	}
	/* the cosignature lines go under the checkpoint they sign */
	if ((err = strbuf_add(&cp, resp.p, resp.len)))
		goto out;
	err = ledger_cosignature_add(l, cp.p, cp.len, &res->recorded, diag);
	if (err == DT_ENOTFOUND) {
		res->cosigner_unknown = true;
		err = DT_OK;
	}
out:
	strbuf_release(&cp);
	strbuf_release(&resp);
	return err;
}
