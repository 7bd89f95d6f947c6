/*
 * fuzz_taxii.c — the TAXII 2.1 server's handling of what a client sends
 * (server/taxii_query.c, server/taxii.c).  The first byte picks:
 *   0  the query string (taxii_query_parse): accepted queries have a limit
 *      of 1..TAXII_MAX_PAGE and lists that are JSON arrays of at most
 *      TAXII_MAX_MATCH strings (timestamps: integers); refused ones say why;
 *   1  a POSTed envelope (taxii_envelope_parse): DT_OK, or DT_EPARSE /
 *      DT_ELIMIT with a reason; every item is either valid — compact JSON
 *      that parses, an id "<its type>--<UUID>", a version that parses to
 *      its version_us — or rejected with a reason;
 *   2  timestamps and media types: a timestamp that parses formats back
 *      to text that parses to the same microseconds; Accept and
 *      Content-Type never read past their slice;
 *   3  a whole request through taxii_handle on a node loaded once (in a
 *      temporary directory) with a small collection: method, path and
 *      query on the first lines, the rest the body; the answer is one of
 *      the statuses TAXII prescribes, in application/taxii+json;version=2.1,
 *      and its body is JSON.
 */
#include <ftw.h>
#include <jansson.h>

#include "fuzz.h"
#include "ledger/ledger.h"
#include "server/server.h"
#include "server/taxii_int.h"

/* A heap copy of exactly n bytes, so that ASan sees a read past the end. */
static char *copy(const uint8_t *p, size_t n)
{
	char *c = malloc(n ? n : 1);

	FUZZ_CHECK(c != NULL);
	if (n)
		memcpy(c, p, n);
	return c;
}

static void check_list(const char *l, bool ints)
{
	json_t *a;
	size_t i;
	json_t *v;

	if (l == NULL)
		return;
	a = json_loads(l, 0, NULL);
	FUZZ_CHECK(json_is_array(a));
	FUZZ_CHECK(json_array_size(a) <= TAXII_MAX_MATCH);
	json_array_foreach(a, i, v) FUZZ_CHECK(ints ? json_is_integer(v) : json_is_string(v));
	json_decref(a);
}

static void fuzz_query(const uint8_t *p, size_t n)
{
	char *s = copy(p, n), why[200] = "";
	struct taxii_query q;

	if (taxii_query_parse(s, n, &q, why, sizeof(why))) {
		FUZZ_CHECK(q.limit >= 1 && q.limit <= TAXII_MAX_PAGE);
		check_list(q.ids, false);
		check_list(q.types, false);
		check_list(q.specs, false);
		check_list(q.versions, true);
		FUZZ_CHECK(q.vgiven || (q.vflags == 0 && q.versions == NULL));
		taxii_query_release(&q);
	} else {
		FUZZ_CHECK(why[0] != '\0');
		FUZZ_CHECK(q.ids == NULL && q.types == NULL && q.specs == NULL &&
		           q.versions == NULL);
	}
	free(s);
}

static void fuzz_envelope(const uint8_t *p, size_t n)
{
	char *s = copy(p, n), why[300] = "";
	struct taxii_envelope env;
	enum dt_err err = taxii_envelope_parse(s, n, &env, why, sizeof(why));

	FUZZ_CHECK(err == DT_OK || err == DT_EPARSE || err == DT_ELIMIT);
	if (err) {
		FUZZ_CHECK(why[0] != '\0' && env.n == 0);
	}
	for (size_t i = 0; i < env.n; i++) {
		struct taxii_item *it = &env.items[i];
		size_t tl;
		int64_t us;
		json_t *o;

		if (it->json == NULL) {
			FUZZ_CHECK(it->why[0] != '\0');
			continue;
		}
		o = json_loads(it->json, 0, NULL);
		FUZZ_CHECK(json_is_object(o));
		json_decref(o);
		FUZZ_CHECK(taxii_stix_id(it->id, strlen(it->id), &tl));
		FUZZ_CHECK(tl == strlen(it->type) && memcmp(it->id, it->type, tl) == 0);
		FUZZ_CHECK(it->spec[0] != '\0');
		if (it->version[0]) {
			FUZZ_CHECK(taxii_ts_parse(it->version, strlen(it->version), &us));
			FUZZ_CHECK(us == it->version_us);
		}
		FUZZ_CHECK(it->tlp >= -1 && it->tlp <= 4);
	}
	taxii_envelope_release(&env);
	free(s);
}

static void fuzz_text(const uint8_t *p, size_t n)
{
	char *s = copy(p, n), ts[TAXII_TS_LEN];
	int64_t us, back;

	if (taxii_ts_parse(s, n, &us)) {
		taxii_ts_format(us, ts);
		FUZZ_CHECK(strlen(ts) == TAXII_TS_LEN - 1);
		FUZZ_CHECK(taxii_ts_parse(ts, strlen(ts), &back) && back == us);
	}
	(void)taxii_accept_ok(s, n, true);
	(void)taxii_accept_ok(s, n, false);
	(void)taxii_ctype_ok(s, n);
	free(s);
}

/* ---- whole requests ---------------------------------------------------- */

static struct srv_config cfg;
static struct srv *srv;
static struct srv_worker w;
static char dir[512], db[600];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void cleanup(void)
{
	srv_worker_close(&w);
	srv_close(srv);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static bool node_up(void)
{
	static int state; /* 0 not tried, 1 up, -1 failed */
	const char *tmp = getenv("TMPDIR");
	struct taxii_load_report rep;
	struct dt_diag d;
	char data[700];
	FILE *f;

	if (state)
		return state > 0;
	state = -1;
	snprintf(dir, sizeof(dir), "%s/fuzz_taxii.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return false;
	snprintf(db, sizeof(db), "%s/n.db", dir);
	snprintf(data, sizeof(data), "%s/data.json", dir);
	if ((f = fopen(data, "w")) == NULL)
		return false;
	fputs("{\"r\": {\"information\": {\"title\": \"R\", \"max_content_length\": 65536},"
	      " \"collections\": [{\"id\": \"c\", \"title\": \"C\", \"can_read\": true,"
	      " \"can_write\": true, \"objects\": [{\"type\": \"indicator\", \"id\":"
	      " \"indicator--6770298f-0fd8-471a-ab8c-1c658a46574e\", \"spec_version\":"
	      " \"2.1\", \"created\": \"2016-11-03T12:30:59.000Z\", \"modified\":"
	      " \"2016-11-03T12:30:59.000Z\"}]}], \"status\": []}}",
	      f);
	fclose(f);
	dt_diag_clear(&d);
	srv_config_init(&cfg);
	cfg.db = db;
	if (ledger_init(db, "F", "detente/F", &d) ||
	    taxii_load_file(db, data, NULL, NULL, &rep, &d) || srv_open(&cfg, &srv, &d) ||
	    srv_worker_open(&w, srv, &cfg, 0, &d)) {
		fprintf(stderr, "fuzz_taxii: no node: %s\n", d.msg);
		return false;
	}
	atexit(cleanup);
	state = 1;
	return true;
}

static size_t line(const char *s, size_t n, size_t *at)
{
	size_t start = *at;

	while (*at < n && s[*at] != '\n')
		(*at)++;
	return *at - start;
}

static void fuzz_request(const uint8_t *p, size_t n)
{
	static const char *const methods[] = {"GET", "POST", "DELETE", "HEAD", "PUT"};
	static const struct srv_principal who = {"fuzz", SRV_PEER, 2};
	char *s;
	struct http_req q;
	struct http_resp r;
	size_t at = 0, len;

	if (n < 1 || !node_up())
		return;
	s = copy(p + 1, n - 1);
	n--;
	memset(&q, 0, sizeof(q));
	q.method = methods[p[0] % 5];
	q.method_len = strlen(q.method);
	len = line(s, n, &at);
	q.path = s;
	q.path_len = len;
	if (at < n)
		at++;
	q.query = s + at;
	q.query_len = line(s, n, &at);
	if (at < n)
		at++;
	q.body = s + at;
	q.body_len = n - at;
	q.host = "fuzz.example";
	q.host_len = 12;
	q.ctype = TAXII_MEDIA;
	q.ctype_len = strlen(TAXII_MEDIA);
	q.who = (p[0] & 0x80) ? NULL : &who;
	if (q.path_len < 7 || memcmp(q.path, "/taxii2", 7) != 0) {
		free(s);
		return; /* the router sends only /taxii2... here */
	}
	memset(&r, 0, sizeof(r));
	r.status = 200;
	strbuf_init(&r.body, 64u << 20);
	taxii_handle(&w, &q, &r);
	FUZZ_CHECK(r.status == 200 || r.status == 202 || r.status == 400 || r.status == 401 ||
	           r.status == 403 || r.status == 404 || r.status == 405 || r.status == 406 ||
	           r.status == 413 || r.status == 415);
	FUZZ_CHECK(r.ctype != NULL && strcmp(r.ctype, TAXII_MEDIA) == 0);
	if (r.body.len) {
		json_t *j = json_loadb(r.body.p, r.body.len, 0, NULL);

		FUZZ_CHECK(j != NULL);
		json_decref(j);
	}
	strbuf_release(&r.body);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0: fuzz_query(data + 1, size - 1); break;
	case 1: fuzz_envelope(data + 1, size - 1); break;
	case 2: fuzz_text(data + 1, size - 1); break;
	default: fuzz_request(data + 1, size - 1); break;
	}
	return 0;
}
