/*
 * fuzz_serve.c — the node server's own request input (server/router.c,
 * server/ledger_routes.c, ledger/witness.c, server/core.c's helpers) on a
 * temporary node that knows one peer, "P".
 *
 * The first byte picks the mode; the rest is the input:
 *   0: a whole add-checkpoint body, POSTed;
 *   1: an add-checkpoint head ("old N" and proof lines, as given) followed by
 *      an empty line and P's real checkpoint — so the old-size, proof and
 *      consistency paths are reached, not only the parsers;
 *   2: "METHOD\nPATH[?QUERY]" routed with a peer's credential (TAXII and
 *      the dashboard have their own targets: those paths are skipped);
 *   3: a query for http_query and http_unescape.
 * Properties: every answer has a status the route may give (the witness:
 * exactly the codes c2sp.org/tlog-witness names); a 200 from the witness is
 * one cosignature line by this node that verifies on the checkpoint; a 409
 * body is a decimal size and a newline; a hash tile is a multiple of 32
 * bytes; http_unescape succeeds exactly when every '%' starts a two-hex
 * escape, and never writes more than it read.
 */
#include <ctype.h>
#include <sodium.h>
#include <unistd.h>

#include "fuzz.h"
#include "ledger/ledger.h"
#include "note/note.h"
#include "server/server.h"

static char dir[512], db[600], pdb[600];
static struct srv *srv;
static struct srv_worker w;
static struct srv_config cfg;
static struct strbuf pcp; /* P's checkpoint */
static struct note_verifier cosigner;

static void cleanup(void)
{
	char cmd[700];

	srv_worker_close(&w);
	srv_close(srv);
	strbuf_release(&pcp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_serve: could not remove %s\n", dir);
}

static bool setup(void)
{
	static int state;
	const char *tmp = getenv("TMPDIR");
	struct ledger *p = NULL, *l = NULL;
	struct strbuf vk;
	struct dt_diag d;
	char file[700];
	bool ok;

	if (state)
		return state > 0;
	state = -1;
	snprintf(dir, sizeof(dir), "%s/fuzz_serve.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return false;
	snprintf(db, sizeof(db), "%s/n.db", dir);
	snprintf(pdb, sizeof(pdb), "%s/p.db", dir);
	snprintf(file, sizeof(file), "%s/x", dir);
	dt_diag_clear(&d);
	strbuf_init(&pcp, 1 << 16);
	strbuf_init(&vk, 4096);
	ok = ledger_init(db, "N", "detente/N", &d) == DT_OK &&
	     ledger_init(pdb, "P", "detente/P", &d) == DT_OK && ledger_open(pdb, &p, &d) == DT_OK;
	if (ok) {
		struct ledger_entry_in e = {.kind = "intel", .tlp = "GREEN", .about = "x"};
		FILE *f = fopen(file, "w");
		uint64_t first;

		ok = f && fputs("evidence\n", f) >= 0 && fclose(f) == 0;
		for (int i = 0; ok && i < 5; i++) {
			ok = ledger_hash_file(file, e.sha256, &e.size, &d) == DT_OK;
			e.sha256[0] ^= (uint8_t)i; /* five distinct digests */
			ok = ok && ledger_append(p, &e, 1, false, &first, NULL, &d) == DT_OK;
		}
		ok = ok && ledger_checkpoint(p, 0, &pcp, &d) == DT_OK &&
		     ledger_vkey(p, false, &vk) == DT_OK;
	}
	ledger_close(p);
	ok = ok && ledger_open(db, &l, &d) == DT_OK &&
	     ledger_peer_add(l, "P", vk.p, NULL, &d) == DT_OK;
	strbuf_reset(&vk);
	ok = ok && ledger_vkey(l, true, &vk) == DT_OK &&
	     note_vkey_parse(vk.p, vk.len, &cosigner, &d) == DT_OK;
	ledger_close(l);
	strbuf_release(&vk);
	srv_config_init(&cfg);
	cfg.db = db;
	if (!ok || srv_open(&cfg, &srv, &d) || srv_worker_open(&w, srv, &cfg, 0, &d)) {
		fprintf(stderr, "fuzz_serve: no node: %s\n", d.msg);
		return false;
	}
	atexit(cleanup);
	state = 1;
	return true;
}

static void witness(const char *body, size_t len)
{
	struct http_resp r;
	struct http_req q = {.method = "POST",
	                     .method_len = 4,
	                     .path = "/add-checkpoint",
	                     .path_len = 15,
	                     .body = body,
	                     .body_len = len};

	memset(&r, 0, sizeof(r));
	strbuf_init(&r.body, 1 << 20);
	srv_route(&w, &q, &r);
	FUZZ_CHECK(r.status == 200 || r.status == 400 || r.status == 403 || r.status == 404 ||
	           r.status == 409 || r.status == 422);
	if (r.status == 409) {
		size_t i = 0;

		while (i < r.body.len && r.body.p[i] >= '0' && r.body.p[i] <= '9')
			i++;
		FUZZ_CHECK(i > 0 && i + 1 == r.body.len && r.body.p[i] == '\n');
	}
	if (r.status == 200) {
		/* one line by this node's cosigner key, over the checkpoint sent */
		const char *cp = memmem(body, len, "\n\n", 2);
		struct strbuf all;
		struct note n;

		FUZZ_CHECK(cp != NULL);
		FUZZ_CHECK(r.body.len > 4 &&
		           memchr(r.body.p, '\n', r.body.len) == r.body.p + r.body.len - 1);
		strbuf_init(&all, 1 << 20);
		strbuf_add(&all, cp + 2, len - (size_t)(cp + 2 - body));
		strbuf_add(&all, r.body.p, r.body.len);
		FUZZ_CHECK(note_parse(all.p, all.len, &n, NULL) == DT_OK);
		FUZZ_CHECK(note_verify(&n, &cosigner, 1, NULL, NULL) == DT_OK);
		strbuf_release(&all);
	}
	strbuf_release(&r.body);
}

static void route(const char *s, size_t len)
{
	static const struct srv_principal peer = {"fuzz", SRV_PEER, 2};
	struct http_resp r;
	struct http_req q;
	const char *nl = memchr(s, '\n', len), *qm;

	memset(&q, 0, sizeof(q));
	q.method = s;
	q.method_len = nl ? (size_t)(nl - s) : len;
	q.path = nl ? nl + 1 : "";
	q.path_len = nl ? len - q.method_len - 1 : 0;
	if ((qm = memchr(q.path, '?', q.path_len)) != NULL) {
		q.query = qm + 1;
		q.query_len = q.path_len - (size_t)(qm + 1 - q.path);
		q.path_len = (size_t)(qm - q.path);
	}
	if ((q.path_len >= 6 && memcmp(q.path, "/taxii", 6) == 0) ||
	    (q.path_len >= 4 && memcmp(q.path, "/api", 4) == 0) ||
	    http_is(q.path, q.path_len, "/") || http_is(q.path, q.path_len, "/dashboard"))
		return;
	q.who = &peer;
	memset(&r, 0, sizeof(r));
	strbuf_init(&r.body, 1 << 26);
	srv_route(&w, &q, &r);
	FUZZ_CHECK(r.status == 200 || r.status == 400 || r.status == 403 || r.status == 404 ||
	           r.status == 405 || r.status == 409 || r.status == 422);
	if (r.status == 200 && q.path_len > 8 && memcmp(q.path, "/tile/", 6) == 0 &&
	    q.path[6] >= '0' && q.path[6] <= '9') {
		size_t got = r.ref ? r.ref_len : r.body.len;

		FUZZ_CHECK(got % 32 == 0 && got > 0);
	}
	if (r.ref) /* a cached tile, lent: given back as the transport does */
		r.release(r.release_ctx);
	if (r.status == 200 && r.file[0])
		FUZZ_CHECK(access(r.file, R_OK) == 0);
	strbuf_release(&r.body);
}

static void query(const char *s, size_t len)
{
	struct http_req q = {.query = s, .query_len = len};
	char out[256];
	const char *v;
	size_t vn;
	bool good = true;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '%')
			good = good && i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
			       isxdigit((unsigned char)s[i + 2]);
	if (len < sizeof(out))
		FUZZ_CHECK(http_unescape(s, len, true, out, sizeof(out)) == good);
	if (http_query(&q, "ip", &v, &vn)) {
		FUZZ_CHECK(v >= s && v + vn <= s + len);
		FUZZ_CHECK(v == s + 2 || v[-1] == '=' || vn == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;

	if (size == 0 || !setup())
		return 0;
	switch (data[0] % 4) {
	case 0: witness(s, n); break;
	case 1: {
		char *body = malloc(n + 1 + pcp.len);

		memcpy(body, s, n);
		body[n] = '\n';
		memcpy(body + n + 1, pcp.p, pcp.len);
		witness(body, n + 1 + pcp.len);
		free(body);
		break;
	}
	case 2: route(s, n); break;
	default: query(s, n); break;
	}
	return 0;
}
