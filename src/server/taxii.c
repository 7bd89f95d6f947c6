/*
 * taxii.c — TAXII 2.1 under /taxii2/: the HTTP side of the node's TAXII
 * server (the data is in taxii_store.c, the parsers in taxii_query.c).
 *
 * Resources (TAXII 2.1, OASIS Standard 2021, §4 and §5):
 *   GET  /taxii2/                                          discovery (§4.1)
 *   GET  /taxii2/{root}/                                   API root (§4.2)
 *   GET  /taxii2/{root}/status/{id}/                       status (§4.3)
 *   GET  /taxii2/{root}/collections/                       collections (§5.1)
 *   GET  /taxii2/{root}/collections/{id}/                  collection (§5.2)
 *   GET  /taxii2/{root}/collections/{id}/manifest/         manifest (§5.3)
 *   GET  /taxii2/{root}/collections/{id}/objects/          objects (§5.4)
 *   POST /taxii2/{root}/collections/{id}/objects/          add objects (§5.5)
 *   GET  /taxii2/{root}/collections/{id}/objects/{oid}/    one object (§5.6)
 *   DELETE   the same                                     delete (§5.7)
 *   GET  /taxii2/{root}/collections/{id}/objects/{oid}/versions/   (§5.8)
 * A collection may be named by its id or its alias.  Every answer is
 * application/taxii+json;version=2.1; errors are TAXII error messages
 * (§3.6.1: title, description, http_status as a string).  Checks, in
 * order: 401 without a credential, 404 for an unknown path, 405 for a
 * method the resource lacks, 406 when Accept admits no TAXII 2.1 (for
 * objects also STIX 2.1), 404 for an unknown root / collection / object /
 * status, 403 when the collection's can_read / can_write forbids, then for
 * POST 415 (Content-Type), 413 (the root's max_content_length), 400.
 * Paged answers carry X-TAXII-Date-Added-First and -Last (§3.3.1).
 *
 * The API root "detente" is the node's own: "indicators" is its STIX
 * export (intel_export) at the reader's TLP, rebuilt when the server's
 * snapshot generation moves; "inbox" takes peers' objects, which are also
 * imported into the node's intelligence as one STIX bundle file.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/uuid.h"
#include "intel/db.h"
#include "intel/export.h"
#include "ledger/ledger.h"
#include "server/taxii_int.h"

#define MAX_SEGS 7

struct tctx {
	struct srv_worker *w;
	const struct http_req *q;
	struct http_resp *r;
	struct taxii_store *st;
	char seg[MAX_SEGS][TAXII_MAX_SEGMENT];
	int nseg;
	bool get, post, del;
};

/* ---- answers ------------------------------------------------------------------- */

static void terr(struct http_resp *r, int status, const char *title, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void terr(struct http_resp *r, int status, const char *title, const char *fmt, ...)
{
	char desc[600], code[8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	/* descriptions echo what the client sent: keep them valid UTF-8 */
	for (char *p = desc; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	snprintf(code, sizeof(code), "%d", status);
	r->status = status;
	r->ctype = TAXII_MEDIA;
	r->file[0] = '\0';
	strbuf_reset(&r->body);
	strbuf_adds(&r->body, "{\"title\":\"");
	strbuf_add_json(&r->body, title, strlen(title));
	strbuf_adds(&r->body, "\",\"description\":\"");
	strbuf_add_json(&r->body, desc, strlen(desc));
	strbuf_addf(&r->body, "\",\"http_status\":\"%s\"}\n", code);
}

/* Sends the JSON document j (consumed). */
static void send_json(struct http_resp *r, int status, json_t *j)
{
	char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (t == NULL) {
		terr(r, 500, "Internal error", "cannot write the answer");
		return;
	}
	r->status = status;
	r->ctype = TAXII_MEDIA;
	strbuf_reset(&r->body);
	if (strbuf_adds(&r->body, t) || strbuf_addc(&r->body, '\n'))
		terr(r, 500, "Internal error", "the answer is too large");
	free(t);
}

static json_t *jtext(const char *json)
{
	return json ? json_loads(json, 0, NULL) : NULL;
}

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

/* ---- the node's own API root ------------------------------------------------------ */

static bool own_coll(const struct tctx *c, const struct taxii_coll *co, bool inbox)
{
	return strcmp(co->root, TAXII_OWN_ROOT) == 0 &&
	       strcmp(co->id, inbox ? c->st->own_inbox : c->st->own_indicators) == 0;
}

static enum dt_err export_rank(void *ctx, int rank, struct strbuf *out, struct dt_diag *diag)
{
	struct srv_worker *w = ctx;
	struct intel_export_counts n;

	return intel_export(w->intel, w->store, w->ledger, rank, out, &n, diag);
}

/* Brings the "indicators" views up to the server's current snapshot. */
static bool refresh(struct tctx *c)
{
	struct dt_diag d;
	uint64_t gen = 0;
	bool have = false;

	if (c->w->srv) {
		struct srv_snapshot *sn = srv_snapshot_get(c->w->srv);

		gen = sn->generation;
		srv_snapshot_put(sn);
		have = true;
	}
	if (have && c->st->fresh && c->st->generation == gen)
		return true;
	dt_diag_clear(&d);
	if (taxii_refresh_indicators(c->st, export_rank, c->w, &d)) {
		terr(c->r, 500, "Internal error", "the node's indicators: %s", d.msg);
		return false;
	}
	c->st->generation = gen;
	c->st->fresh = have;
	return true;
}

/* The view of a collection the requester reads. */
static int view_of(const struct tctx *c, const struct taxii_coll *co)
{
	int t = c->q->who->max_tlp;

	if (!own_coll(c, co, false))
		return 0;
	return t < 0 ? 0 : t > 3 ? 3 : t;
}

/*
 * The objects of an inbox envelope as one STIX bundle file, imported into
 * the node's intelligence at the most restrictive TLP of its objects'
 * markings (AMBER for objects without one), so that `match` sees them.
 */
static void inbox_import(struct tctx *c, const struct taxii_envelope *env)
{
	struct strbuf b;
	char dir[600], path[700], uuid[37];
	const char *tmp = getenv("TMPDIR");
	int rank = -1;
	FILE *f;

	strbuf_init(&b, TAXII_MAX_EXPORT);
	strbuf_adds(&b, "{\"type\":\"bundle\",\"id\":\"bundle--@@@@@@@@-@@@@-@@@@-@@@@-"
	                "@@@@@@@@@@@@\",\"objects\":[");
	for (size_t i = 0; i < env->n; i++) {
		const struct taxii_item *it = &env->items[i];

		if (it->json == NULL)
			continue;
		if (!it->marking) {
			int t = it->tlp >= 0 ? it->tlp : 2;

			rank = t > rank ? t : rank;
		}
		if (b.p[b.len - 1] != '[')
			strbuf_addc(&b, ',');
		strbuf_adds(&b, it->json);
	}
	if (rank < 0 || strbuf_adds(&b, "]}\n"))
		goto out;
	/* the same objects make the same file: a second import adds nothing */
	uuid_v5(UUID_NS_STIX, b.p, b.len, uuid);
	memcpy(strstr(b.p, "bundle--") + 8, uuid, 36);
	snprintf(dir, sizeof(dir), "%s/detente-taxii-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		goto out;
	snprintf(path, sizeof(path), "%s/taxii-inbox-%s.json", dir, uuid);
	if ((f = fopen(path, "wx")) != NULL) {
		bool ok = fwrite(b.p, 1, b.len, f) == b.len;

		if (fclose(f) == 0 && ok) {
			struct intel_import_opts o = {.format = "stix",
			                              .tlp = intel_tlp_names[rank]};
			struct intel_import_result res;
			struct dt_diag d;

			dt_diag_clear(&d);
			/* the objects are stored and the status answered already: a
			 * failed import is said in the daemon's log */
			if (intel_import_file(c->w->intel, c->w->ledger, path, &o, NULL, NULL, &res,
			                      &d) != DT_OK)
				fprintf(stderr,
				        "detente: serve: TAXII inbox: %zu objects stored but not "
				        "imported as intelligence: %s\n",
				        env->n, d.msg);
		}
		unlink(path);
	}
	rmdir(dir);
out:
	strbuf_release(&b);
}

/* ---- resources ------------------------------------------------------------------- */

static void base_url(const struct tctx *c, char *out, size_t size)
{
	const char *pub = c->w->cfg ? c->w->cfg->public_url : NULL;
	const struct http_req *q = c->q;
	bool host_ok = q->host && q->host_len > 0 && q->host_len < 256;

	if (pub && *pub) {
		size_t n = strlen(pub);

		while (n && pub[n - 1] == '/')
			n--;
		snprintf(out, size, "%.*s/taxii2/", (int)n, pub);
		return;
	}
	for (size_t i = 0; host_ok && i < q->host_len; i++) {
		char ch = q->host[i];

		host_ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || strchr(".-:[]_", ch);
	}
	if (host_ok)
		snprintf(out, size, "http://%.*s/taxii2/", (int)q->host_len, q->host);
	else
		snprintf(out, size, "http://localhost/taxii2/");
}

static void discovery(struct tctx *c)
{
	char base[600], url[900];
	struct strbuf b;
	json_t *doc = NULL, *names, *roots = json_array(), *v;
	size_t i;

	strbuf_init(&b, 1u << 24);
	if (taxii_meta_get(c->st, "discovery", &b) == DT_OK)
		doc = jtext(b.p);
	if (!json_is_object(doc)) {
		char title[200];

		json_decref(doc);
		doc = json_object();
		snprintf(title, sizeof(title), "detente node %s",
		         c->w->ledger ? ledger_party(c->w->ledger) : "");
		set_str(doc, "title", title);
		set_str(doc, "description", "TAXII 2.1 server of a detente node");
	}
	json_object_del(doc, "api_roots");
	/* the stored default names a root by the last segment of its URL */
	if ((v = json_object_get(doc, "default")) && json_is_string(v)) {
		const char *s = json_string_value(v), *e = s + strlen(s), *p;

		while (e > s && e[-1] == '/')
			e--;
		for (p = e; p > s && p[-1] != '/'; p--)
			;
		snprintf(url, sizeof(url), "%.*s", (int)(e - p), p);
	} else {
		snprintf(url, sizeof(url), "%s", TAXII_OWN_ROOT);
	}
	strbuf_reset(&b);
	base_url(c, base, sizeof(base));
	if (taxii_root_names(c->st, &b) || (names = jtext(b.p)) == NULL) {
		json_decref(doc);
		json_decref(roots);
		strbuf_release(&b);
		terr(c->r, 500, "Internal error", "cannot read the API roots");
		return;
	}
	json_object_del(doc, "default");
	json_array_foreach(names, i, v)
	{
		char u[1200];

		snprintf(u, sizeof(u), "%s%s/", base, json_string_value(v));
		json_array_append_new(roots, json_string(u));
		if (strcmp(json_string_value(v), url) == 0)
			json_object_set_new(doc, "default", json_string(u));
	}
	/* else the node's own root, which is always there */
	if (json_object_get(doc, "default") == NULL && json_array_size(roots)) {
		char u[1200];

		snprintf(u, sizeof(u), "%s%s/", base, TAXII_OWN_ROOT);
		json_object_set_new(doc, "default", json_string(u));
	}
	json_decref(names);
	if (json_array_size(roots))
		json_object_set_new(doc, "api_roots", roots);
	else
		json_decref(roots);
	strbuf_release(&b);
	send_json(c->r, 200, doc);
}

static void api_root(struct tctx *c, const struct taxii_root *rt)
{
	json_t *d = json_object();

	set_str(d, "title", rt->title);
	set_str(d, "description", rt->description);
	json_object_set_new(d, "versions", jtext(rt->versions));
	json_object_set_new(d, "max_content_length", json_integer(rt->max_content_length));
	send_json(c->r, 200, d);
}

static json_t *coll_json(const struct taxii_coll *co)
{
	json_t *d = json_object();
	json_t *mt = jtext(co->media_types);

	set_str(d, "id", co->id);
	set_str(d, "title", co->title);
	set_str(d, "description", co->description);
	set_str(d, "alias", co->alias);
	json_object_set_new(d, "can_read", json_boolean(co->can_read));
	json_object_set_new(d, "can_write", json_boolean(co->can_write));
	if (json_is_array(mt))
		json_object_set_new(d, "media_types", mt);
	else
		json_decref(mt);
	return d;
}

static void add_coll(void *ctx, const struct taxii_coll *co)
{
	json_array_append_new(ctx, coll_json(co));
}

static void collections(struct tctx *c, const struct taxii_root *rt)
{
	json_t *d = json_object(), *a = json_array();

	if (taxii_colls(c->st, rt->name, add_coll, a)) {
		json_decref(a);
		json_decref(d);
		terr(c->r, 500, "Internal error", "cannot read the collections");
		return;
	}
	/* §5.1: no collections, no key (an empty object) */
	if (json_array_size(a))
		json_object_set_new(d, "collections", a);
	else
		json_decref(a);
	send_json(c->r, 200, d);
}

/* ---- paged answers ---------------------------------------------------------------- */

enum page_kind { PAGE_OBJECTS, PAGE_MANIFEST, PAGE_VERSIONS };

struct page {
	enum page_kind kind;
	struct strbuf items;
	size_t n;
	int64_t first, last, last_seq;
};

static bool page_row(void *ctx, const struct taxii_row *row)
{
	struct page *p = ctx;
	size_t before = p->items.len;
	char ts[TAXII_TS_LEN];
	enum dt_err err = DT_OK;

	if (p->n)
		err = strbuf_addc(&p->items, ',');
	switch (p->kind) {
	case PAGE_OBJECTS: err = err ? err : strbuf_adds(&p->items, row->json); break;
	case PAGE_MANIFEST:
		taxii_ts_format(row->date_added, ts);
		err = err ? err : strbuf_adds(&p->items, "{\"id\":\"");
		err = err ? err : strbuf_add_json(&p->items, row->id, strlen(row->id));
		err = err ? err
		          : strbuf_addf(&p->items, "\",\"date_added\":\"%s\",\"version\":\"", ts);
		err = err ? err : strbuf_add_json(&p->items, row->version, strlen(row->version));
		err = err ? err
		          : strbuf_adds(&p->items,
		                        "\",\"media_type\":\"application/stix+json;version=");
		err = err ? err : strbuf_add_json(&p->items, row->spec, strlen(row->spec));
		err = err ? err : strbuf_adds(&p->items, "\"}");
		break;
	case PAGE_VERSIONS:
		err = err ? err : strbuf_addc(&p->items, '"');
		err = err ? err : strbuf_add_json(&p->items, row->version, strlen(row->version));
		err = err ? err : strbuf_addc(&p->items, '"');
		break;
	}
	if (err) {
		/* over the byte budget: this row starts the next page */
		p->items.len = before;
		p->items.p[before] = '\0';
		return false;
	}
	if (p->n++ == 0)
		p->first = row->date_added;
	p->last = row->date_added;
	p->last_seq = row->seq;
	return true;
}

static void send_page(struct tctx *c, struct page *p, bool more)
{
	struct strbuf *b = &c->r->body;
	char ts[TAXII_TS_LEN];

	c->r->status = 200;
	c->r->ctype = TAXII_MEDIA;
	strbuf_reset(b);
	strbuf_addf(b, "{\"more\":%s", more ? "true" : "false");
	if (more)
		strbuf_addf(b, ",\"next\":\"%lld.%lld\"", (long long)p->last,
		            (long long)p->last_seq);
	if (p->n) {
		strbuf_adds(b, p->kind == PAGE_VERSIONS ? ",\"versions\":[" : ",\"objects\":[");
		strbuf_add(b, p->items.p, p->items.len);
		strbuf_addc(b, ']');
		taxii_ts_format(p->first, ts);
		http_header(c->r, "X-TAXII-Date-Added-First", ts);
		taxii_ts_format(p->last, ts);
		http_header(c->r, "X-TAXII-Date-Added-Last", ts);
	}
	if (strbuf_adds(b, "}\n"))
		terr(c->r, 500, "Internal error", "the answer is too large");
}

static void paged(struct tctx *c, const struct taxii_coll *co, enum page_kind kind, const char *oid)
{
	struct taxii_query qy;
	struct page p = {.kind = kind};
	char why[300];
	bool more = false;
	int view = view_of(c, co);
	enum dt_err err;

	if (!taxii_query_parse(c->q->query, c->q->query_len, &qy, why, sizeof(why))) {
		terr(c->r, 400, "Bad request", "%s", why);
		return;
	}
	if (kind == PAGE_VERSIONS) {
		/* §5.8: match[version] does not apply: every version is listed */
		qy.vgiven = false;
	}
	if (own_coll(c, co, false) && !refresh(c)) {
		taxii_query_release(&qy);
		return;
	}
	strbuf_init(&p.items, TAXII_MAX_RESP);
	err = taxii_select(c->st, co->root, co->id, view, oid, &qy,
	                   kind == PAGE_VERSIONS ? TAXII_V_ALL : TAXII_V_LAST, false,
	                   kind == PAGE_OBJECTS, page_row, &p, &more);
	taxii_query_release(&qy);
	if (err)
		terr(c->r, 500, "Internal error", "cannot read the collection");
	else if (oid && p.n == 0 && !taxii_object_exists(c->st, co->root, co->id, view, oid))
		terr(c->r, 404, "Not found", "no object '%s' in collection '%s'", oid, co->id);
	else
		send_page(c, &p, more);
	strbuf_release(&p.items);
}

static void add_objects(struct tctx *c, const struct taxii_root *rt, const struct taxii_coll *co)
{
	const struct http_req *q = c->q;
	struct taxii_envelope env;
	struct dt_diag d;
	char why[300];
	bool *added;
	enum dt_err err;

	if (!taxii_ctype_ok(q->ctype, q->ctype_len)) {
		terr(c->r, 415, "Unsupported media type", "the body must be %s", TAXII_MEDIA);
		return;
	}
	if (rt->max_content_length >= 0 && q->body_len > (uint64_t)rt->max_content_length) {
		terr(c->r, 413, "Content too large",
		     "the body is larger than the API root's max_content_length (%lld bytes)",
		     (long long)rt->max_content_length);
		return;
	}
	if ((err = taxii_envelope_parse(q->body ? q->body : "", q->body_len, &env, why,
	                                sizeof(why)))) {
		terr(c->r,
		     err == DT_ELIMIT   ? 413
		     : err == DT_ENOMEM ? 500
		                        : 400,
		     err == DT_ELIMIT ? "Content too large" : "Bad request", "%s", why);
		return;
	}
	if ((added = calloc(env.n + 1, sizeof(*added))) == NULL) {
		taxii_envelope_release(&env);
		terr(c->r, 500, "Internal error", "out of memory");
		return;
	}
	dt_diag_clear(&d);
	strbuf_reset(&c->r->body);
	err = taxii_add(c->st, co->root, co->id, &env, added, &c->r->body, &d);
	if (err) {
		terr(c->r, 500, "Internal error", "cannot store the objects: %s", d.msg);
	} else {
		strbuf_addc(&c->r->body, '\n');
		c->r->status = 202;
		c->r->ctype = TAXII_MEDIA;
		if (own_coll(c, co, true))
			inbox_import(c, &env);
	}
	free(added);
	taxii_envelope_release(&env);
}

static void delete_object(struct tctx *c, const struct taxii_coll *co, const char *oid)
{
	struct taxii_query qy;
	char why[300];
	uint64_t n = 0;

	if (!taxii_query_parse(c->q->query, c->q->query_len, &qy, why, sizeof(why))) {
		terr(c->r, 400, "Bad request", "%s", why);
		return;
	}
	qy.has_added_after = qy.has_next = false;
	qy.ids = (free(qy.ids), NULL);
	qy.types = (free(qy.types), NULL);
	if (!taxii_object_exists(c->st, co->root, co->id, 0, oid))
		terr(c->r, 404, "Not found", "no object '%s' in collection '%s'", oid, co->id);
	else if (taxii_delete(c->st, co->root, co->id, oid, &qy, &n))
		terr(c->r, 500, "Internal error", "cannot delete: %s", sqlite3_errmsg(c->st->db));
	else {
		c->r->status = 200;
		c->r->ctype = TAXII_MEDIA;
		strbuf_reset(&c->r->body);
	}
	taxii_query_release(&qy);
}

/* ---- dispatch --------------------------------------------------------------------- */

static bool split_path(struct tctx *c)
{
	const char *p = c->q->path + 7, *end = c->q->path + c->q->path_len; /* after "/taxii2" */

	c->nseg = 0;
	if (c->q->path_len < 7)
		return false;
	while (p < end) {
		const char *s = p + 1, *slash;

		if (*p != '/')
			return false;
		if (s == end)
			break; /* the trailing slash */
		slash = memchr(s, '/', (size_t)(end - s));
		if (slash == NULL)
			slash = end;
		if (slash == s || c->nseg == MAX_SEGS ||
		    !http_unescape(s, (size_t)(slash - s), false, c->seg[c->nseg],
		                   TAXII_MAX_SEGMENT) ||
		    memchr(c->seg[c->nseg], '/', strlen(c->seg[c->nseg])))
			return false;
		c->nseg++;
		p = slash;
	}
	return true;
}

static bool method(struct tctx *c, bool get, bool post, bool del)
{
	char allow[40];

	if ((c->get && get) || (c->post && post) || (c->del && del))
		return true;
	snprintf(allow, sizeof(allow), "%s%s%s", get ? "GET, HEAD" : "",
	         post ? (get ? ", POST" : "POST") : "", del ? ", DELETE" : "");
	terr(c->r, 405, "Method not allowed", "this resource allows %s", allow);
	http_header(c->r, "Allow", allow);
	return false;
}

static bool accept(struct tctx *c, bool stix)
{
	if (taxii_accept_ok(c->q->accept, c->q->accept_len, stix))
		return true;
	terr(c->r, 406, "Not acceptable", "this resource is served as %s%s", TAXII_MEDIA,
	     stix ? " (or " TAXII_STIX_MEDIA ")" : "");
	return false;
}

static struct taxii_store *store(struct srv_worker *w, struct http_resp *r)
{
	struct taxii_store *st = w->taxii;
	struct dt_diag d;

	if (st)
		return st;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		terr(r, 500, "Internal error", "out of memory");
		return NULL;
	}
	dt_diag_clear(&d);
	if (taxii_store_open(w->cfg->db, ledger_origin(w->ledger), ledger_party(w->ledger),
	                     w->cfg->max_body, st, &d)) {
		free(st);
		terr(r, 500, "Internal error", "the TAXII tables: %s", d.msg);
		return NULL;
	}
	w->taxii = st;
	return st;
}

static void collection_routes(struct tctx *c, const struct taxii_root *rt)
{
	struct taxii_coll co;
	const char *sub = c->nseg > 3 ? c->seg[3] : NULL;
	bool objects = sub && strcmp(sub, "objects") == 0;
	bool manifest = sub && strcmp(sub, "manifest") == 0 && c->nseg == 4;
	bool versions = objects && c->nseg == 6 && strcmp(c->seg[5], "versions") == 0;

	if (c->nseg > 3 && !(objects && c->nseg <= 5) && !manifest && !versions) {
		terr(c->r, 404, "Not found", "no such TAXII resource");
		return;
	}
	if (!method(c, true, objects && c->nseg == 4, objects && c->nseg == 5) ||
	    !accept(c, objects && !c->post && c->nseg <= 5))
		return;
	if (taxii_coll_get(c->st, rt->name, c->seg[2], &co)) {
		terr(c->r, 404, "Not found", "no collection '%s' in API root '%s'", c->seg[2],
		     rt->name);
		return;
	}
	if (c->nseg == 3) {
		send_json(c->r, 200, coll_json(&co));
	} else if (c->post || c->del) {
		if (!co.can_write)
			terr(c->r, 403, "Forbidden", "collection '%s' is not writable", co.id);
		else if (c->post)
			add_objects(c, rt, &co);
		else
			delete_object(c, &co, c->seg[4]);
	} else if (!co.can_read) {
		terr(c->r, 403, "Forbidden", "collection '%s' is not readable", co.id);
	} else {
		paged(c, &co,
		      manifest   ? PAGE_MANIFEST
		      : versions ? PAGE_VERSIONS
		                 : PAGE_OBJECTS,
		      c->nseg >= 5 ? c->seg[4] : NULL);
	}
	taxii_coll_release(&co);
}

void taxii_handle(struct srv_worker *w, const struct http_req *q, struct http_resp *r)
{
	struct tctx c = {.w = w, .q = q, .r = r};
	struct taxii_root rt;
	struct strbuf sb;

	r->status = 200;
	if (q->who == NULL || (q->who->role != SRV_PEER && q->who->role != SRV_USER)) {
		terr(r, 401, "Unauthorized", "TAXII needs a credential (Authorization: Bearer)");
		http_header(r, "WWW-Authenticate", "Bearer realm=\"detente\"");
		return;
	}
	c.get =
	    http_is(q->method, q->method_len, "GET") || http_is(q->method, q->method_len, "HEAD");
	c.post = http_is(q->method, q->method_len, "POST");
	c.del = http_is(q->method, q->method_len, "DELETE");
	if (!split_path(&c)) {
		terr(r, 404, "Not found", "no such TAXII resource");
		return;
	}
	if (c.nseg == 0) {
		if (method(&c, true, false, false) && accept(&c, false) &&
		    (c.st = store(w, r)) != NULL)
			discovery(&c);
		return;
	}
	if (c.nseg >= 2 && strcmp(c.seg[1], "collections") != 0 &&
	    !(c.nseg == 3 && strcmp(c.seg[1], "status") == 0)) {
		terr(r, 404, "Not found", "no such TAXII resource");
		return;
	}
	if (c.nseg <= 3 && (!method(&c, true, false, false) || !accept(&c, false)))
		return;
	if ((c.st = store(w, r)) == NULL)
		return;
	if (taxii_root_get(c.st, c.seg[0], &rt)) {
		terr(r, 404, "Not found", "no API root '%s'", c.seg[0]);
		return;
	}
	if (c.nseg == 1) {
		api_root(&c, &rt);
	} else if (strcmp(c.seg[1], "status") == 0) {
		strbuf_init(&sb, 1u << 26);
		if (taxii_status_get(c.st, rt.name, c.seg[2], &sb) == DT_OK) {
			send_json(r, 200, jtext(sb.p));
		} else {
			terr(r, 404, "Not found", "no status '%s' in API root '%s'", c.seg[2],
			     rt.name);
		}
		strbuf_release(&sb);
	} else if (c.nseg == 2) {
		collections(&c, &rt);
	} else {
		collection_routes(&c, &rt);
	}
	taxii_root_release(&rt);
}

void taxii_worker_free(struct srv_worker *w)
{
	struct taxii_store *st = w ? w->taxii : NULL;

	if (st == NULL)
		return;
	taxii_store_close(st);
	free(st);
	w->taxii = NULL;
}
