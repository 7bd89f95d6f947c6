/*
 * test_dash.c — the dashboard's routes through dash_handle, on two small
 * nodes built in a throw-away directory with the library: CERT-A with
 * reference data (a country and an ASN file written here), a Suricata EVE
 * file of alerts ingested, and a peer CERT-B that cosigned A's checkpoint
 * (and whose checkpoint A accepted and cosigned); CERT-B alone has no
 * refdata.
 *
 * Checked: the page (public, the embedded file byte for byte, its CSP
 * naming the SHA-256 of its one script and one style element), 401 with
 * WWW-Authenticate without a credential, 404 and 405, /api/ledger
 * (jansson: checkpoint equal to the server snapshot's, the cosignature by
 * CERT-B with its timestamp, the peer's accepted size, last sync and both
 * cosigned flags), /api/report (the same bytes as the library builds over
 * the same node; built once per snapshot generation), /api/trace (each
 * answer byte-equal to geo_answer_json of a direct lookup; the limits and
 * refusals of the query; 503 without refdata) and dash_trace_parse itself.
 */
#include "testhelp.h"

#include <ftw.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/campaigns.h"
#include "geo/answer.h"
#include "geo/refdata.h"
#include "ingest/submit.h"
#include "intel/db.h"
#include "ledger/ledger.h"
#include "ledger/status.h"
#include "note/note.h"
#include "report/model.h"
#include "server/dash_int.h"
#include "server/server.h"
#include "store/store.h"

static char dir[512], dba[600], dbb[600];
static bool ready;
static const struct srv_principal user = {.name = "analyst", .role = SRV_USER, .max_tlp = 2};

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return false;
	fputs(text, f);
	return fclose(f) == 0;
}

/* ---- the nodes ------------------------------------------------------------- */

static const char countries[] = "# from,to,cc\n"
                                "989200384,989265919,CN\n"    /* 58.246.0.0/16 */
                                "1073741824,1073807359,US\n"  /* 64.0.0.0/16 */
                                "3221225984,3221226239,DE\n"; /* 192.0.2.0/24 */
static const char asns[] = "58.246.0.0,58.246.255.255,4837,CHINA UNICOM China169 Backbone\n"
                           "64.0.0.0,64.0.255.255,64501,\"Example, Hosting\"\n";

static void alert(FILE *f, int i, const char *src)
{
	fprintf(f,
	        "{\"timestamp\":\"2013-02-0%dT0%d:00:00.000000+0000\",\"event_type\":\"alert\","
	        "\"src_ip\":\"%s\",\"src_port\":443,\"dest_ip\":\"10.1.0.%d\",\"dest_port\":5%d000,"
	        "\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":%d,"
	        "\"rev\":1,\"signature\":\"ET TEST beacon %d\",\"category\":\"A Network Trojan was "
	        "Detected\",\"severity\":1}}\n",
	        1 + i % 5, i % 10, src, 2 + i % 3, i % 9, 2000 + i % 3, i % 3);
}

static bool make_nodes(void)
{
	char path[700], rdir[1100], eve[700];
	struct ledger *a = NULL, *b = NULL, *c = NULL;
	struct store *s = NULL;
	struct geo_index *ix = NULL;
	struct strbuf vk, cp, out;
	struct dt_diag d;
	bool ok = false;
	size_t added = 0;
	FILE *f;

	dt_diag_clear(&d);
	snprintf(dba, sizeof(dba), "%s/a.db", dir);
	snprintf(dbb, sizeof(dbb), "%s/b.db", dir);
	snprintf(path, sizeof(path), "%s/c.db", dir);
	strbuf_init(&vk, 4096);
	strbuf_init(&cp, 1 << 16);
	strbuf_init(&out, 1 << 16);
	if (ledger_init(dba, "CERT-A", "detente/CERT-A", &d) ||
	    ledger_init(dbb, "CERT-B", "detente/CERT-B", &d) ||
	    ledger_init(path, "CERT-C", "detente/CERT-C", &d) || ledger_open(dba, &a, &d) ||
	    ledger_open(dbb, &b, &d) || ledger_open(path, &c, &d))
		goto out;
	/* refdata of A */
	{
		char cpath[700], apath[700];
		struct refdata_input in[2];
		struct refdata_built built;

		snprintf(cpath, sizeof(cpath), "%s/geoip", dir);
		snprintf(apath, sizeof(apath), "%s/asn.csv", dir);
		if (!write_file(cpath, countries) || !write_file(apath, asns))
			goto out;
		in[0] = (struct refdata_input){.kind = GEO_IN_COUNTRY, .path = cpath};
		in[1] = (struct refdata_input){.kind = GEO_IN_ASN, .path = apath};
		if (refdata_dir(dba, rdir, sizeof(rdir)) ||
		    refdata_build(rdir, in, 2, NULL, NULL, &built, &d) ||
		    refdata_open_active(rdir, &ix, &d))
			goto out;
	}
	/* a file of alerts from CN, US and DE addresses to A's victim */
	snprintf(eve, sizeof(eve), "%s/eve.json", dir);
	if ((f = fopen(eve, "w")) == NULL)
		goto out;
	for (int i = 0; i < 30; i++) {
		char src[32];

		snprintf(src, sizeof(src),
		         i % 3 == 0   ? "58.246.1.%d"
		         : i % 3 == 1 ? "64.0.9.%d"
		                      : "192.0.2.%d",
		         1 + i % 7);
		alert(f, i, src);
	}
	if (fclose(f) != 0 || store_open(dba, &s, &d))
		goto out;
	{
		struct submit_opts o = {
		    .format = "auto", .victim = "Daily Herald", .sector = "media"};
		struct submit_result r;

		submit_default_home(&o);
		if (submit_file(a, s, ix, eve, &o, NULL, NULL, &r, &d) || r.counts.events == 0)
			goto out;
	}
	/* peers: A knows B (and C, of which it never saw a checkpoint), B knows A */
	if (ledger_vkey(a, false, &vk) || ledger_peer_add(b, "CERT-A", vk.p, NULL, &d))
		goto out;
	strbuf_reset(&vk);
	if (ledger_vkey(b, false, &vk) ||
	    ledger_peer_add(a, "CERT-B", vk.p, "https://cert-b.example/detente", &d))
		goto out;
	strbuf_reset(&vk);
	if (ledger_vkey(b, true, &vk) || ledger_peer_cosigner(a, "CERT-B", vk.p, &d))
		goto out;
	strbuf_reset(&vk);
	if (ledger_vkey(c, false, &vk) || ledger_peer_add(a, "CERT-C", vk.p, NULL, &d))
		goto out;
	/* A accepts (and cosigns) B's checkpoint of one entry: an entry of A's log */
	{
		struct ledger_entry_in e = {.kind = "intel", .about = "b's entry"};
		uint64_t first;
		bool existed;

		memset(e.sha256, 7, sizeof(e.sha256));
		e.size = 1;
		if (ledger_append(b, &e, 1, false, &first, &existed, &d) ||
		    ledger_checkpoint(b, 0, &cp, &d) ||
		    ledger_cosign(a, NULL, cp.p, cp.len, NULL, 0, &out, &d))
			goto out;
	}
	/* then B cosigns A's latest checkpoint, and A records the cosignature */
	strbuf_reset(&cp);
	strbuf_reset(&out);
	if (ledger_checkpoint(a, 0, &cp, &d) ||
	    ledger_cosign(b, NULL, cp.p, cp.len, NULL, 0, &out, &d) ||
	    ledger_cosignature_add(a, out.p, out.len, &added, &d) || added != 1)
		goto out;
	ok = true;
out:
	if (!ok)
		fprintf(stderr, "make_nodes: %s\n", d.msg);
	strbuf_release(&vk);
	strbuf_release(&cp);
	strbuf_release(&out);
	geo_index_free(ix);
	store_close(s);
	ledger_close(a);
	ledger_close(b);
	ledger_close(c);
	return ok;
}

/* ---- requests ------------------------------------------------------------- */

struct node {
	struct srv_config cfg;
	struct srv *srv;
	struct srv_worker w;
	bool open;
};

static bool node_open(struct node *n, const char *db)
{
	struct dt_diag d;

	memset(n, 0, sizeof(*n));
	srv_config_init(&n->cfg);
	n->cfg.db = db;
	dt_diag_clear(&d);
	if (srv_open(&n->cfg, &n->srv, &d) || srv_worker_open(&n->w, n->srv, &n->cfg, 0, &d)) {
		fprintf(stderr, "node %s: %s\n", db, d.msg);
		srv_close(n->srv);
		return false;
	}
	n->open = true;
	return true;
}

static void node_close(struct node *n)
{
	if (!n->open)
		return;
	srv_worker_close(&n->w);
	srv_close(n->srv);
	n->open = false;
}

static struct http_resp resp;

static void resp_reset(void)
{
	strbuf_release(&resp.body);
	memset(&resp, 0, sizeof(resp));
	resp.status = 200;
	strbuf_init(&resp.body, 64u << 20);
}

/* One request; the answer is in resp. */
static int req(struct node *n, const char *method, const char *path, const char *query,
               const struct srv_principal *who)
{
	struct http_req q;

	memset(&q, 0, sizeof(q));
	q.method = method;
	q.method_len = strlen(method);
	q.path = path;
	q.path_len = strlen(path);
	q.query = query;
	q.query_len = query ? strlen(query) : 0;
	q.who = who;
	resp_reset();
	dash_handle(&n->w, &q, &resp);
	return resp.status;
}

static const char *header(const char *name)
{
	for (size_t i = 0; i < resp.nextra; i++)
		if (strcasecmp(resp.extra_name[i], name) == 0)
			return resp.extra_value[i];
	return NULL;
}

static json_t *body_json(void)
{
	json_error_t e;
	json_t *j = json_loadb(resp.body.p, resp.body.len, 0, &e);

	if (j == NULL)
		fprintf(stderr, "not JSON: %s: %.200s\n", e.text, resp.body.p);
	return j;
}

/* ---- tests ---------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1)) != NULL) {
		*len = fread(p, 1, (size_t)n, f);
		p[*len] = '\0';
	}
	fclose(f);
	return p;
}

/* "'sha256-<b64>'" of the text between the first <tag> and </tag> of page,
 * and how many <tag> the page holds. */
static int element_hash(const char *page, const char *tag, char *out, size_t size)
{
	char open[16], close[16];
	const char *a, *b, *p = page;
	uint8_t h[32];
	char t[64];
	int count = 0;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	while ((p = strstr(p, open)) != NULL) {
		count++;
		p++;
	}
	if ((a = strstr(page, open)) == NULL || (b = strstr(a, close)) == NULL)
		return count;
	a += strlen(open);
	crypto_hash_sha256(h, (const unsigned char *)a, (unsigned long long)(b - a));
	sodium_bin2base64(t, sizeof(t), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, size, "'sha256-%s'", t);
	return count;
}

static void test_page(void)
{
	struct node n;
	size_t len = 0;
	char *file;
	char hs[80], hy[80];

	if (!ready)
		SKIP("no test nodes");
	if ((file = slurp("src/server/web/dashboard.html", &len)) == NULL)
		SKIP("src/server/web/dashboard.html not found (run from the repository root)");
	if (!node_open(&n, dba)) {
		free(file);
		CHECK(0);
		return;
	}
	CHECK(element_hash(file, "script", hs, sizeof(hs)) == 1);
	CHECK(element_hash(file, "style", hy, sizeof(hy)) == 1);
	for (int i = 0; i < 2; i++) {
		const char *csp;

		CHECK(req(&n, i ? "HEAD" : "GET", i ? "/dashboard" : "/", NULL, NULL) == 200);
		CHECK(resp.body.len == len && memcmp(resp.body.p, file, len) == 0);
		CHECK(resp.ctype && strcmp(resp.ctype, "text/html; charset=utf-8") == 0);
		CHECK(resp.cache && strcmp(resp.cache, "no-cache") == 0);
		csp = header("Content-Security-Policy");
		CHECKF(csp && strstr(csp, "default-src 'none'") &&
		           strstr(csp, "connect-src 'self'"),
		       "csp %s", csp ? csp : "(none)");
		CHECK(csp && strlen(csp) < sizeof(resp.extra_value[0]) - 1); /* not truncated */
		CHECK(csp && strstr(csp, hs) && strstr(csp, hy) && !strstr(csp, "unsafe"));
		CHECK(header("X-Frame-Options") && header("X-Content-Type-Options"));
	}
	CHECK(req(&n, "POST", "/", NULL, NULL) == 405 && header("Allow"));
	CHECK(req(&n, "GET", "/dashboard/x", NULL, NULL) == 404);
	free(file);
	node_close(&n);
}

static void test_auth(void)
{
	static const char *const paths[] = {"/api/ledger", "/api/report", "/api/trace", "/api/x"};
	struct node n;
	const char *h;

	if (!ready || !node_open(&n, dba))
		SKIP("no test nodes");
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		CHECKF(req(&n, "GET", paths[i], "ip=1.2.3.4", NULL) == 401, "%s", paths[i]);
		h = header("WWW-Authenticate");
		CHECK(h && strncmp(h, "Bearer", 6) == 0);
		CHECK(strstr(resp.body.p, "token") != NULL);
	}
	CHECK(req(&n, "GET", "/api/x", NULL, &user) == 404);
	CHECK(req(&n, "POST", "/api/ledger", NULL, &user) == 405);
	CHECK(req(&n, "DELETE", "/api/report", NULL, &user) == 405);
	node_close(&n);
}

static void test_ledger(void)
{
	struct node n;
	struct srv_snapshot *sn;
	json_t *j, *cp, *cs, *peers, *p;
	char root[64] = "";

	if (!ready || !node_open(&n, dba))
		SKIP("no test nodes");
	CHECK(req(&n, "GET", "/api/ledger", NULL, &user) == 200);
	CHECK(resp.ctype && strcmp(resp.ctype, "application/json") == 0);
	j = body_json();
	CHECK(j != NULL);
	sn = srv_snapshot_get(n.srv);
	cp = json_object_get(j, "checkpoint");
	CHECK(strcmp(json_string_value(json_object_get(j, "party")) ?: "", "CERT-A") == 0);
	CHECK(strcmp(json_string_value(json_object_get(j, "origin")) ?: "", "detente/CERT-A") == 0);
	CHECK(json_is_integer(json_object_get(cp, "size")) &&
	      (uint64_t)json_integer_value(json_object_get(cp, "size")) == sn->size);
	CHECK(json_string_length(json_object_get(cp, "note")) == sn->checkpoint_len &&
	      memcmp(json_string_value(json_object_get(cp, "note")), sn->checkpoint,
	             sn->checkpoint_len) == 0);
	{
		/* the root is the note's third line */
		const char *l2 = strchr(sn->checkpoint, '\n'),
		           *l3 = l2 ? strchr(l2 + 1, '\n') : NULL;
		const char *e = l3 ? strchr(l3 + 1, '\n') : NULL;

		if (e && (size_t)(e - l3 - 1) < sizeof(root))
			snprintf(root, sizeof(root), "%.*s", (int)(e - l3 - 1), l3 + 1);
		CHECK(root[0] &&
		      strcmp(json_string_value(json_object_get(cp, "root")) ?: "", root) == 0);
	}
	/* the cosignature by CERT-B, made just now */
	cs = json_object_get(j, "cosignatures");
	CHECK(json_array_size(cs) == 1);
	p = json_array_get(cs, 0);
	CHECK(strcmp(json_string_value(json_object_get(p, "peer")) ?: "", "CERT-B") == 0);
	{
		const char *t = json_string_value(json_object_get(p, "time"));
		struct tm tm;
		char now[8];
		time_t tt = time(NULL);

		gmtime_r(&tt, &tm);
		strftime(now, sizeof(now), "%Y-", &tm);
		CHECKF(t && strlen(t) == 20 && strncmp(t, now, 5) == 0 && t[19] == 'Z', "time %s",
		       t ?: "null");
		CHECK(json_is_string(json_object_get(p, "added")));
	}
	/* the cosigned line of the snapshot is the one recorded */
	CHECK(strstr(sn->checkpoint, "\xe2\x80\x94 detente/CERT-B ") != NULL);
	peers = json_object_get(j, "peers");
	CHECK(json_array_size(peers) == 2);
	p = json_array_get(peers, 0);
	CHECK(strcmp(json_string_value(json_object_get(p, "name")) ?: "", "CERT-B") == 0);
	CHECK(strcmp(json_string_value(json_object_get(p, "url")) ?: "",
	             "https://cert-b.example/detente") == 0);
	CHECK(json_integer_value(json_object_get(p, "size")) == 1);
	CHECK(json_string_length(json_object_get(p, "root")) == 44);
	CHECK(json_string_length(json_object_get(p, "last_sync")) >= 20);
	CHECK(json_is_true(json_object_get(p, "cosigned")) &&
	      json_is_true(json_object_get(p, "cosigned_ours")));
	/* C: known, never synced */
	p = json_array_get(peers, 1);
	CHECK(strcmp(json_string_value(json_object_get(p, "name")) ?: "", "CERT-C") == 0);
	CHECK(json_is_null(json_object_get(p, "size")) &&
	      json_is_null(json_object_get(p, "root")) &&
	      json_is_null(json_object_get(p, "last_sync")) &&
	      json_is_null(json_object_get(p, "url")) &&
	      json_is_false(json_object_get(p, "cosigned")) &&
	      json_is_false(json_object_get(p, "cosigned_ours")));
	srv_snapshot_put(sn);
	json_decref(j);
	node_close(&n);

	/* B: it accepted A's checkpoint, A made no cosignature on B's */
	if (!node_open(&n, dbb)) {
		CHECK(0);
		return;
	}
	CHECK(req(&n, "GET", "/api/ledger", NULL, &user) == 200);
	j = body_json();
	p = json_array_get(json_object_get(j, "peers"), 0);
	CHECK(json_array_size(json_object_get(j, "cosignatures")) == 0);
	CHECK(json_integer_value(json_object_get(p, "size")) >= 2 &&
	      json_is_null(json_object_get(p, "url")) &&
	      json_is_true(json_object_get(p, "cosigned")) &&
	      json_is_false(json_object_get(p, "cosigned_ours")));
	json_decref(j);
	node_close(&n);
}

/* The report as the library builds it over db. */
static bool direct_report(const char *db, struct strbuf *out)
{
	struct ledger *l = NULL;
	struct store *s = NULL;
	struct intel_db *x = NULL;
	struct campaign_set *cs = NULL;
	struct campaign_opts o;
	struct report_model m;
	struct dt_diag d;
	bool ok = false;

	campaign_opts_init(&o);
	if (ledger_open(db, &l, &d) || store_open(db, &s, &d) || intel_db_open(db, &x, &d) ||
	    campaigns_build(s, x, &o, &cs, &d))
		goto out;
	if (report_model_build(&m, cs, l, &d) == DT_OK) {
		ok = report_json(out, &m) == DT_OK;
		report_model_release(&m);
	}
out:
	campaigns_free(cs);
	intel_db_close(x);
	store_close(s);
	ledger_close(l);
	return ok;
}

static void test_report(void)
{
	struct node n;
	struct strbuf want;
	struct dash_state *st;
	struct dt_diag d;
	json_t *j;

	if (!ready || !node_open(&n, dba))
		SKIP("no test nodes");
	strbuf_init(&want, 64u << 20);
	CHECK(direct_report(dba, &want));
	CHECK(req(&n, "GET", "/api/report", NULL, &user) == 200);
	CHECK(resp.body.len == want.len && memcmp(resp.body.p, want.p, want.len) == 0);
	j = body_json();
	CHECK(strcmp(json_string_value(json_object_get(j, "report")) ?: "", "detente.report/v1") ==
	      0);
	CHECK(json_integer_value(json_object_get(json_object_get(j, "totals"), "attack_events")) ==
	      30);
	CHECK(json_array_size(json_object_get(json_object_get(j, "origins"), "events")) == 3);
	json_decref(j);
	st = n.w.dash;
	CHECK(st && st->report_builds == 1);
	CHECK(req(&n, "GET", "/api/report", NULL, &user) == 200 && resp.body.len == want.len);
	CHECK(st && st->report_builds == 1); /* cached */
	{
		/* the ledger grows: a new generation, a new report */
		struct ledger *l = NULL;
		struct ledger_entry_in e = {.kind = "intel", .about = "later"};
		uint64_t first;
		bool existed;

		memset(e.sha256, 9, sizeof(e.sha256));
		e.size = 1;
		CHECK(ledger_open(dba, &l, &d) == DT_OK &&
		      ledger_append(l, &e, 1, false, &first, &existed, &d) == DT_OK);
		ledger_close(l);
		CHECK(srv_refresh(n.srv, &d) == DT_OK);
	}
	CHECK(req(&n, "GET", "/api/report", NULL, &user) == 200);
	CHECK(st && st->report_builds == 2);
	strbuf_reset(&want);
	CHECK(direct_report(dba, &want) && resp.body.len == want.len &&
	      memcmp(resp.body.p, want.p, want.len) == 0);
	strbuf_release(&want);
	node_close(&n);
}

static void test_trace(void)
{
	static const char *const ips[] = {"58.246.1.2", "64.0.9.1",    "192.0.2.7",
	                                  "8.8.8.8",    "2001:db8::1", "::ffff:58.246.3.4",
	                                  "58.246.1.2"};
	struct node n;
	struct geo_index *ix = NULL;
	struct dt_diag d;
	char rdir[1100], q[8192];
	size_t k = 0;
	json_t *j;

	if (!ready || !node_open(&n, dba))
		SKIP("no test nodes");
	CHECK(refdata_dir(dba, rdir, sizeof(rdir)) == DT_OK &&
	      refdata_open_active(rdir, &ix, &d) == DT_OK);
	/* IPv6 colons percent-encoded, '+' as blanks around one */
	k += (size_t)snprintf(q + k, sizeof(q) - k, "x=1&ip=%s", ips[0]);
	k += (size_t)snprintf(q + k, sizeof(q) - k, "&ip=+%s+", ips[1]);
	k += (size_t)snprintf(q + k, sizeof(q) - k, "&ip=%s&ip=%s", ips[2], ips[3]);
	k += (size_t)snprintf(q + k, sizeof(q) - k,
	                      "&ip=2001%%3Adb8%%3A%%3A1&ip=%%3A%%3Affff%%3A58.246.3.4");
	snprintf(q + k, sizeof(q) - k, "&ip=%s&other", ips[6]);
	CHECK(req(&n, "GET", "/api/trace", q, &user) == 200);
	CHECK(resp.ctype && strcmp(resp.ctype, "application/json") == 0);
	j = body_json();
	CHECK(json_array_size(j) == sizeof(ips) / sizeof(*ips));
	for (size_t i = 0; ix && i < json_array_size(j); i++) {
		struct dt_ip ip;
		struct geo_answer a;
		struct strbuf one;
		char *got = json_dumps(json_array_get(j, i), JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_t *wantj;
		char *want;

		strbuf_init(&one, 1 << 16);
		CHECK(dt_ip_parse(ips[i], strlen(ips[i]), &ip) == DT_OK);
		geo_lookup(ix, &ip, &a);
		CHECK(geo_answer_json(&one, ix, &ip, &a) == DT_OK);
		/* the body holds geo_answer_json's bytes: compare through one printer */
		wantj = json_loadb(one.p, one.len, 0, NULL);
		want = json_dumps(wantj, JSON_COMPACT | JSON_PRESERVE_ORDER);
		CHECKF(got && want && strcmp(got, want) == 0, "%s != %s", got, want);
		CHECK(strstr(resp.body.p, one.p) != NULL);
		free(got);
		free(want);
		json_decref(wantj);
		strbuf_release(&one);
	}
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(j, 0), "country")) ?: "",
	             "CN") == 0);
	CHECK(json_integer_value(json_object_get(json_array_get(j, 0), "asn")) == 4837);
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(j, 1), "as_org")) ?: "",
	             "Example, Hosting") == 0);
	json_decref(j);

	/* refusals */
	CHECK(req(&n, "GET", "/api/trace", NULL, &user) == 400 &&
	      strstr(resp.body.p, "at least one"));
	CHECK(req(&n, "GET", "/api/trace", "ip=", &user) == 400);
	CHECK(req(&n, "GET", "/api/trace", "ip=1.2.3.4&ip=nope", &user) == 400 &&
	      strstr(resp.body.p, "'nope' is not an IP address"));
	CHECK(req(&n, "GET", "/api/trace", "ip=%zz", &user) == 400);
	CHECK(req(&n, "GET", "/api/trace", "ip=1.2.3.4%00", &user) == 400);
	{
		char big[300];

		memset(big, '1', sizeof(big) - 1);
		big[0] = 'i', big[1] = 'p', big[2] = '=';
		big[sizeof(big) - 1] = '\0';
		CHECK(req(&n, "GET", "/api/trace", big, &user) == 400);
	}
	{
		/* 256 addresses are answered; 257 are refused */
		struct strbuf many;

		strbuf_init(&many, 1 << 20);
		for (int i = 0; i < DASH_TRACE_MAX; i++)
			strbuf_addf(&many, "%sip=64.0.%d.%d", i ? "&" : "", i / 200, i % 200);
		CHECK(req(&n, "GET", "/api/trace", many.p, &user) == 200);
		j = body_json();
		CHECK(json_array_size(j) == DASH_TRACE_MAX);
		json_decref(j);
		strbuf_adds(&many, "&ip=1.1.1.1");
		CHECK(req(&n, "GET", "/api/trace", many.p, &user) == 400 &&
		      strstr(resp.body.p, "at most 256"));
		strbuf_release(&many);
	}
	geo_index_free(ix);
	node_close(&n);

	/* a node without refdata */
	if (!node_open(&n, dbb)) {
		CHECK(0);
		return;
	}
	CHECK(req(&n, "GET", "/api/trace", "ip=8.8.8.8", &user) == 503 &&
	      strstr(resp.body.p, "refdata"));
	node_close(&n);
}

static void test_parse(void)
{
	struct dt_ip ips[4];
	char msg[200];
	size_t n = 99;

	CHECK(dash_trace_parse("ip=1.2.3.4&ip=%3A%3A1", 21, ips, 4, &n, msg, sizeof(msg)) == 0 &&
	      n == 2);
	CHECK(ips[0].family == DT_IP_V4 && ips[1].family == DT_IP_V6);
	CHECK(dash_trace_parse("ipx=1.2.3.4&xip=1&ip", 21, ips, 4, &n, msg, sizeof(msg)) == 400);
	CHECK(dash_trace_parse("ip=1.1.1.1&ip=1.1.1.1&ip=1.1.1.1", 32, ips, 2, &n, msg,
	                       sizeof(msg)) == 400 &&
	      strstr(msg, "at most 2"));
	/* only the given length is read */
	CHECK(dash_trace_parse("ip=1.2.3.4XYZ", 10, ips, 4, &n, msg, sizeof(msg)) == 0 && n == 1);
	CHECK(dash_trace_parse("ip=%0a1.2.3.4", 13, ips, 4, &n, msg, sizeof(msg)) == 400 &&
	      strchr(msg, '\n') == NULL);
	CHECK(dash_trace_parse(NULL, 0, ips, 4, &n, msg, sizeof(msg)) == 400 && n == 0);
	CHECK(dash_trace_parse("&&&", 3, ips, 4, &n, msg, sizeof(msg)) == 400);
}

static void test_cosig_line(void)
{
	uint64_t t = 0;
	uint8_t sig[76];
	char b64[128], line[200];

	memset(sig, 0, sizeof(sig));
	sig[4 + 7] = 0x2a, sig[4 + 6] = 1; /* 298 */
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	snprintf(line, sizeof(line), "\xe2\x80\x94 detente/x %s\n", b64);
	CHECK(ledger_cosig_line_time(line, strlen(line), &t) && t == 298);
	sodium_bin2base64(b64, sizeof(b64), sig, 68, sodium_base64_VARIANT_ORIGINAL);
	snprintf(line, sizeof(line), "\xe2\x80\x94 detente/x %s", b64);
	CHECK(!ledger_cosig_line_time(line, strlen(line), &t)); /* an Ed25519 note signature */
	CHECK(!ledger_cosig_line_time("- x AAAA", 8, &t));
	CHECK(!ledger_cosig_line_time("\xe2\x80\x94 ", 4, &t));
}

int main(void)
{
	snprintf(dir, sizeof(dir), "%s/detente-dash-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (sodium_init() < 0 || mkdtemp(dir) == NULL) {
		perror("test_dash: setup");
		return 2;
	}
	ready = make_nodes();
	RUN(test_parse);
	RUN(test_cosig_line);
	RUN(test_page);
	RUN(test_auth);
	RUN(test_ledger);
	RUN(test_report);
	RUN(test_trace);
	if (!ready)
		th_fail++; /* the nodes must build */
	resp_reset();
	strbuf_release(&resp.body);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	DONE();
}
