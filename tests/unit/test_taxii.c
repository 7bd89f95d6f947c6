/*
 * test_taxii.c — the TAXII 2.1 server (server/taxii*.c) through
 * taxii_handle on a throw-away node loaded with the OASIS reference
 * server medallion's fixture (../shared/corpus/taxii/
 * medallion-default_data.json), checked against what that fixture holds:
 * trustgroup1's collection 91a7b528-... has 8 object versions — a
 * relationship, two indicators (indicator--6770... in three versions), a
 * TLP marking definition and malware--c0931cc6... in a STIX 2.1 and a
 * STIX 2.0 version; its manifest gives their date_added.  Also the node's
 * own API root: "indicators" follows the node's STIX export at the
 * reader's TLP, and objects POSTed to "inbox" reach the node's intel.
 */
#include "testhelp.h"

#include <ftw.h>
#include <jansson.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intel/db.h"
#include "ledger/ledger.h"
#include "server/server.h"
#include "server/taxii.h"
#include "server/taxii_int.h"

#define TG    "/taxii2/trustgroup1/"
#define HV    TG "collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/"
#define ADD   TG "collections/365fed99-08fa-fdcd-a1b3-fb247eb41d01/"
#define I6770 "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e"
#define MALW  "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec"

static char dir[512], db[600], fixture[1024];
static bool have_fixture;

static struct srv_config cfg;
static struct srv *srv;
static struct srv_worker w;
static bool up, node_up; /* up: node and fixture */

static const struct srv_principal peer = {"peer-b", SRV_PEER, 2};
static const struct srv_principal green = {"user-g", SRV_USER, 1};

static struct http_resp resp;
static json_t *doc; /* the last answer, parsed */

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static const char *header(const char *name)
{
	for (size_t i = 0; i < resp.nextra; i++)
		if (strcasecmp(resp.extra_name[i], name) == 0)
			return resp.extra_value[i];
	return NULL;
}

/* One request; the answer in resp and (when JSON) doc. */
static int call(const char *method, const char *path, const char *query, const char *accept,
                const char *ctype, const char *body, size_t body_len,
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
	q.host = "example.org:8480";
	q.host_len = strlen(q.host);
	q.accept = accept;
	q.accept_len = accept ? strlen(accept) : 0;
	q.ctype = ctype;
	q.ctype_len = ctype ? strlen(ctype) : 0;
	q.body = body;
	q.body_len = body ? body_len : 0;
	q.who = who;
	strbuf_release(&resp.body);
	memset(&resp, 0, sizeof(resp));
	resp.status = 200;
	strbuf_init(&resp.body, 64u << 20);
	taxii_handle(&w, &q, &resp);
	json_decref(doc);
	doc = json_loadb(resp.body.p, resp.body.len, 0, NULL);
	return resp.status;
}

static int get(const char *path, const char *query)
{
	return call("GET", path, query, TAXII_MEDIA, NULL, NULL, 0, &peer);
}

static int post(const char *path, const char *body)
{
	return call("POST", path, NULL, TAXII_MEDIA, TAXII_MEDIA, body, strlen(body), &peer);
}

static json_t *field(const char *k)
{
	return json_object_get(doc, k);
}

static size_t count(const char *k)
{
	return json_array_size(field(k));
}

static const char *str_at(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* Whether the answer's "objects" hold an object with this id (and
 * version, when not NULL: modified, else created). */
static bool holds(const char *id, const char *version)
{
	size_t i;
	json_t *o;

	json_array_foreach(field("objects"), i, o)
	{
		const char *v =
		    json_object_get(o, "modified") ? str_at(o, "modified") : str_at(o, "created");

		if (strcmp(str_at(o, "id"), id) == 0 &&
		    (version == NULL || strcmp(v, version) == 0))
			return true;
	}
	return false;
}

static bool is_error(int status)
{
	char code[8];

	snprintf(code, sizeof(code), "%d", status);
	return resp.ctype && strcmp(resp.ctype, TAXII_MEDIA) == 0 && json_is_object(doc) &&
	       json_is_string(field("title")) && strcmp(str_at(doc, "http_status"), code) == 0;
}

/* ---- discovery, roots, collections ------------------------------------------------ */

static void test_discovery(void)
{
	json_t *roots;

	if (!up)
		SKIP("no fixture or node: %s", fixture);
	CHECK(call("GET", "/taxii2/", NULL, NULL, NULL, NULL, 0, NULL) == 401);
	CHECK(is_error(401));
	CHECK(header("WWW-Authenticate") != NULL);
	CHECK(get("/taxii2/", NULL) == 200);
	CHECK(resp.ctype && strcmp(resp.ctype, "application/taxii+json;version=2.1") == 0);
	CHECK(strcmp(str_at(doc, "title"), "Some TAXII Server") == 0);
	roots = field("api_roots");
	CHECKF(json_array_size(roots) == 4, "%zu api roots", json_array_size(roots));
	CHECK(strcmp(json_string_value(json_array_get(roots, 0)),
	             "http://example.org:8480/taxii2/detente/") == 0);
	CHECK(strcmp(str_at(doc, "default"), "http://example.org:8480/taxii2/trustgroup1/") == 0);
	/* the router also sends the bare /taxii2 */
	CHECK(get("/taxii2", NULL) == 200 && count("api_roots") == 4);
	cfg.public_url = "https://node-a.example/";
	CHECK(get("/taxii2/", NULL) == 200);
	CHECK(strcmp(json_string_value(json_array_get(field("api_roots"), 1)),
	             "https://node-a.example/taxii2/api1/") == 0);
	cfg.public_url = NULL;
}

static void test_roots_collections(void)
{
	json_t *c;
	size_t i, readable = 0;

	if (!up)
		SKIP("no fixture or node");
	CHECK(get(TG, NULL) == 200);
	CHECK(strcmp(str_at(doc, "title"), "Malware Research Group") == 0);
	CHECK(json_integer_value(field("max_content_length")) == 9765625);
	CHECK(strcmp(json_string_value(json_array_get(field("versions"), 0)), TAXII_MEDIA) == 0);
	CHECK(get("/taxii2/nosuchroot/", NULL) == 404 && is_error(404));
	CHECK(get(TG "collections/", NULL) == 200);
	CHECKF(count("collections") == 5, "%zu collections", count("collections"));
	json_array_foreach(field("collections"), i, c) readable +=
	    json_is_true(json_object_get(c, "can_read"));
	CHECK(readable == 3);
	/* §5.1: a root without collections answers an empty object */
	CHECK(get("/taxii2/api1/collections/", NULL) == 200 && json_object_size(doc) == 0);
	CHECK(get(HV, NULL) == 200);
	CHECK(strcmp(str_at(doc, "title"), "High Value Indicator Collection") == 0);
	CHECK(json_array_size(field("media_types")) == 2);
	CHECK(json_is_true(field("can_write")));
	CHECK(get(TG "collections/00000000-0000-4000-8000-000000000000/", NULL) == 404 &&
	      is_error(404));
	CHECK(get(TG "collections/", NULL) == 200);
	CHECK(get(TG "whatever/", NULL) == 404);
	CHECK(get(HV "objects/" I6770 "/versions/extra/", NULL) == 404);
	CHECK(get("/taxii2/api1//collections/", NULL) == 404);
}

/* ---- objects and filters ------------------------------------------------------------ */

static void test_objects(void)
{
	if (!up)
		SKIP("no fixture or node");
	/* default: the latest spec version of each object, its last version */
	CHECK(get(HV "objects/", NULL) == 200);
	CHECKF(count("objects") == 5, "%zu objects", count("objects"));
	CHECK(json_is_false(field("more")) && field("next") == NULL);
	CHECK(holds(I6770, "2017-01-27T13:49:53.935Z") &&
	      !holds(I6770, "2016-11-03T12:30:59.000Z"));
	CHECK(holds(MALW, "2017-01-27T13:49:53.997Z") && !holds(MALW, "2018-02-23T18:30:00.000Z"));
	CHECK(header("X-TAXII-Date-Added-First") &&
	      strcmp(header("X-TAXII-Date-Added-First"), "2014-05-08T09:00:00.000000Z") == 0);
	CHECK(header("X-TAXII-Date-Added-Last") &&
	      strcmp(header("X-TAXII-Date-Added-Last"), "2017-12-31T13:49:53.935000Z") == 0);
	CHECK(get(HV "objects/", "match[version]=all") == 200 && count("objects") == 7);
	CHECK(get(HV "objects/", "match[version]=all&match[spec_version]=2.0,2.1") == 200 &&
	      count("objects") == 8);
	CHECK(get(HV "objects/", "match%5Bversion%5D=all&match%5Bspec_version%5D=2.0%2C2.1") ==
	          200 &&
	      count("objects") == 8);
	CHECK(get(HV "objects/", "match[spec_version]=2.0") == 200 && count("objects") == 1 &&
	      holds(MALW, "2018-02-23T18:30:00.000Z"));
	CHECK(get(HV "objects/", "match[version]=first") == 200 && count("objects") == 5 &&
	      holds(I6770, "2016-11-03T12:30:59.000Z"));
	CHECK(get(HV "objects/", "match[id]=" I6770 "&match[version]=all") == 200 &&
	      count("objects") == 3);
	CHECK(get(HV "objects/", "match[id]=" I6770 "&match[version]=first,last") == 200 &&
	      count("objects") == 2 && !holds(I6770, "2016-12-25T12:30:59.444Z"));
	CHECK(get(HV "objects/", "match[version]=2016-12-25T12:30:59.444Z") == 200 &&
	      count("objects") == 1 && holds(I6770, "2016-12-25T12:30:59.444Z"));
	CHECK(get(HV "objects/", "match[type]=indicator") == 200 && count("objects") == 2);
	CHECK(get(HV "objects/", "match[type]=indicator,malware&match[version]=all") == 200 &&
	      count("objects") == 5);
	CHECK(get(HV "objects/", "match[type]=relationship&match[id]=" MALW) == 200 &&
	      count("objects") == 0 && json_is_false(field("more")));
	/* added_after is exclusive: 6770's first version was added at .001 */
	CHECK(get(HV "objects/", "added_after=2016-11-03T12:30:59.001Z") == 200 &&
	      count("objects") == 3 && holds(I6770, "2017-01-27T13:49:53.935Z"));
	CHECK(get(HV "objects/", "added_after=2016-11-03T12:30:59.000Z&match[version]=all") ==
	          200 &&
	      count("objects") == 5);
	CHECK(get(HV "objects/", "limit=0") == 400 && is_error(400));
	CHECK(get(HV "objects/", "limit=two") == 400);
	CHECK(get(HV "objects/", "added_after=yesterday") == 400);
	CHECK(get(HV "objects/", "match[version]=newest") == 400);
	CHECK(get(HV "objects/", "match[id]=not-an-id") == 400);
	CHECK(get(HV "objects/", "next=xyz") == 400);
	/* STIX media type is acceptable for objects */
	CHECK(call("GET", HV "objects/", NULL, "application/stix+json;version=2.1", NULL, NULL, 0,
	           &peer) == 200);
}

static void test_pagination(void)
{
	char q[300], seen[16][120];
	int pages = 0, n = 0;
	bool dup = false, more = true, hdr_ok = true;

	if (!up)
		SKIP("no fixture or node");
	snprintf(q, sizeof(q), "limit=3&match[version]=all&match[spec_version]=2.0,2.1");
	while (more && pages < 10) {
		size_t i;
		json_t *o;

		if (get(HV "objects/", q) != 200)
			break;
		pages++;
		more = json_is_true(field("more"));
		if (more != (field("next") != NULL))
			hdr_ok = false;
		if (header("X-TAXII-Date-Added-First") == NULL)
			hdr_ok = false;
		json_array_foreach(field("objects"), i, o)
		{
			char key[120];

			snprintf(key, sizeof(key), "%s %s", str_at(o, "id"),
			         json_object_get(o, "modified") ? str_at(o, "modified")
			                                        : str_at(o, "created"));
			for (int k = 0; k < n; k++)
				dup |= strcmp(seen[k], key) == 0;
			if (n < 16)
				snprintf(seen[n++], sizeof(seen[0]), "%s", key);
		}
		if (more)
			snprintf(q, sizeof(q),
			         "limit=3&match[version]=all&match[spec_version]=2.0,2.1&next=%s",
			         str_at(doc, "next"));
	}
	CHECKF(pages == 3, "%d pages", pages);
	CHECKF(n == 8, "%d objects walked", n);
	CHECK(!dup);
	CHECK(hdr_ok);
	CHECK(!more);
	/* limit above the server's maximum is capped, not refused */
	CHECK(get(HV "objects/", "limit=100000") == 200 && count("objects") == 5);
}

static void test_object_versions_manifest(void)
{
	json_t *e;
	size_t i;
	bool media20 = false, cd98 = false;

	if (!up)
		SKIP("no fixture or node");
	CHECK(get(HV "objects/" I6770 "/", NULL) == 200);
	CHECK(count("objects") == 1 && holds(I6770, "2017-01-27T13:49:53.935Z"));
	CHECK(get(HV "objects/" I6770 "/", "match[version]=all") == 200 && count("objects") == 3);
	CHECK(get(HV "objects/" I6770 "/", "match[version]=2016-11-03T12:30:59.000Z") == 200 &&
	      count("objects") == 1 && holds(I6770, "2016-11-03T12:30:59.000Z"));
	CHECK(get(HV "objects/indicator--00000000-0000-4000-8000-000000000000/", NULL) == 404 &&
	      is_error(404));
	CHECK(get(HV "objects/" I6770 "/versions/", NULL) == 200);
	CHECKF(count("versions") == 3, "%zu versions", count("versions"));
	CHECK(strcmp(json_string_value(json_array_get(field("versions"), 0)),
	             "2016-11-03T12:30:59.000Z") == 0);
	CHECK(strcmp(json_string_value(json_array_get(field("versions"), 2)),
	             "2017-01-27T13:49:53.935Z") == 0);
	CHECK(get(HV "objects/" MALW "/versions/", "match[spec_version]=2.0,2.1") == 200 &&
	      count("versions") == 2);
	CHECK(get(HV "manifest/", NULL) == 200 && count("objects") == 5);
	CHECK(get(HV "manifest/", "match[version]=all&match[spec_version]=2.0,2.1") == 200);
	CHECK(count("objects") == 8);
	json_array_foreach(field("objects"), i, e)
	{
		if (strcmp(str_at(e, "version"), "2018-02-23T18:30:00.000Z") == 0)
			media20 = strcmp(str_at(e, "media_type"),
			                 "application/stix+json;version=2.0") == 0;
		if (strcmp(str_at(e, "id"), "indicator--cd981c25-8042-4166-8945-51178443bdac") == 0)
			cd98 = strcmp(str_at(e, "date_added"), "2016-11-01T03:04:05.000000Z") == 0;
	}
	CHECK(media20);
	CHECK(cd98);
	/* manifests are TAXII only */
	CHECK(call("GET", HV "manifest/", NULL, "application/stix+json;version=2.1", NULL, NULL, 0,
	           &peer) == 406);
}

/* ---- errors: 403, 405, 406, 413, 415 ------------------------------------------------- */

static void test_errors(void)
{
	char *big;

	if (!up)
		SKIP("no fixture or node");
	CHECK(get(TG "collections/472c94ae-3113-4e3e-a4dd-a9f4ac7471d4/objects/", NULL) == 403 &&
	      is_error(403));
	CHECK(get(TG "collections/64993447-4d7e-4f70-b94d-d7f33742ee63/manifest/", NULL) == 403);
	CHECK(post(TG "collections/52892447-4d7e-4f70-b94d-d7f22742ff63/objects/",
	           "{\"objects\":[]}") == 403);
	CHECK(call("PUT", HV "objects/", NULL, NULL, NULL, NULL, 0, &peer) == 405);
	CHECK(header("Allow") != NULL && strstr(header("Allow"), "POST") != NULL);
	CHECK(call("POST", TG, NULL, NULL, TAXII_MEDIA, "{}", 2, &peer) == 405);
	CHECK(call("GET", TG, NULL, "application/xml", NULL, NULL, 0, &peer) == 406 &&
	      is_error(406));
	CHECK(call("GET", TG, NULL, "application/taxii+json;version=2.0", NULL, NULL, 0, &peer) ==
	      406);
	CHECK(call("GET", TG, NULL, "application/stix+json;version=2.1", NULL, NULL, 0, &peer) ==
	      406);
	CHECK(call("GET", TG, NULL, "application/taxii+json", NULL, NULL, 0, &peer) == 200);
	CHECK(call("GET", TG, NULL, "*/*", NULL, NULL, 0, &peer) == 200);
	CHECK(call("GET", TG, NULL, "text/html, application/taxii+json; version=2.1; q=0.9", NULL,
	           NULL, 0, &peer) == 200);
	CHECK(call("POST", ADD "objects/", NULL, TAXII_MEDIA, "application/json", "{}", 2, &peer) ==
	          415 &&
	      is_error(415));
	CHECK(call("POST", ADD "objects/", NULL, TAXII_MEDIA, NULL, "{}", 2, &peer) == 415);
	big = malloc(9765626);
	if (big) {
		memset(big, ' ', 9765626);
		CHECK(call("POST", ADD "objects/", NULL, TAXII_MEDIA, TAXII_MEDIA, big, 9765626,
		           &peer) == 413 &&
		      is_error(413));
		free(big);
	}
	CHECK(post(ADD "objects/", "{\"objects\": 3}") == 400 && is_error(400));
	CHECK(post(ADD "objects/", "not json") == 400);
	CHECK(get(TG "status/00000000-0000-4000-8000-000000000000/", NULL) == 404);
}

/* ---- POST, status, DELETE --------------------------------------------------------------- */

static const char envelope[] =
    "{\"objects\":["
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
    "\"id\":\"indicator--11111111-2222-4333-8444-555555555555\","
    "\"created\":\"2024-01-02T03:04:05.000Z\",\"modified\":\"2024-01-02T03:04:05.000Z\","
    "\"name\":\"bad host\",\"pattern\":\"[ipv4-addr:value = '203.0.113.77']\","
    "\"pattern_type\":\"stix\",\"valid_from\":\"2024-01-02T03:04:05Z\"},"
    "{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\","
    "\"id\":\"ipv4-addr--aaaaaaaa-bbbb-5ccc-8ddd-eeeeeeeeeeee\",\"value\":\"203.0.113.77\"},"
    "{\"type\":\"indicator\",\"id\":\"malware--11111111-2222-4333-8444-555555555555\"}"
    "]}";

static void test_post_status_delete(void)
{
	char path[200], sid[64];
	json_t *s;
	const char *first;

	if (!up)
		SKIP("no fixture or node");
	CHECK(post(ADD "objects/", envelope) == 202);
	CHECK(resp.ctype && strcmp(resp.ctype, TAXII_MEDIA) == 0);
	CHECK(strcmp(str_at(doc, "status"), "complete") == 0);
	CHECK(json_integer_value(field("total_count")) == 3);
	CHECK(json_integer_value(field("success_count")) == 2);
	CHECK(json_integer_value(field("failure_count")) == 1);
	CHECK(json_integer_value(field("pending_count")) == 0);
	CHECK(strcmp(str_at(json_array_get(field("failures"), 0), "id"),
	             "malware--11111111-2222-4333-8444-555555555555") == 0);
	snprintf(sid, sizeof(sid), "%s", str_at(doc, "id"));
	snprintf(path, sizeof(path), TG "status/%s/", sid);
	CHECK(get(path, NULL) == 200 && strcmp(str_at(doc, "id"), sid) == 0 &&
	      json_integer_value(field("success_count")) == 2);
	CHECK(get(ADD "objects/", NULL) == 200 && count("objects") == 2);
	/* added now: after everything of the fixture, strictly increasing */
	first = header("X-TAXII-Date-Added-First");
	CHECK(first && strcmp(first, "2020") > 0);
	CHECK(first && header("X-TAXII-Date-Added-Last") &&
	      strcmp(first, header("X-TAXII-Date-Added-Last")) < 0);
	/* the same again: nothing new */
	CHECK(post(ADD "objects/", envelope) == 202 &&
	      json_integer_value(field("success_count")) == 2);
	s = json_array_get(field("successes"), 0);
	CHECK(strstr(str_at(s, "message"), "already") != NULL);
	CHECK(get(ADD "objects/", "match[version]=all") == 200 && count("objects") == 2);
	/* fixture statuses */
	CHECK(get(TG "status/2d086da7-4bdc-4f91-900e-d77486753710/", NULL) == 200 &&
	      json_integer_value(field("total_count")) == 4 &&
	      json_integer_value(field("pending_count")) == 2);
	CHECK(get(TG "status/2d086da7-4bdc-4f91-900e-f4566be4b780/", NULL) == 200 &&
	      json_integer_value(field("total_count")) == 0);
	/* DELETE */
	CHECK(call("DELETE", ADD "objects/indicator--11111111-2222-4333-8444-555555555555/", NULL,
	           NULL, NULL, NULL, 0, &peer) == 200);
	CHECK(get(ADD "objects/indicator--11111111-2222-4333-8444-555555555555/", NULL) == 404);
	CHECK(get(ADD "objects/", NULL) == 200 && count("objects") == 1);
	CHECK(call("DELETE", ADD "objects/indicator--11111111-2222-4333-8444-555555555555/", NULL,
	           NULL, NULL, NULL, 0, &peer) == 404);
	CHECK(call("DELETE",
	           TG "collections/52892447-4d7e-4f70-b94d-d7f22742ff63/objects/" I6770 "/", NULL,
	           NULL, NULL, NULL, 0, &peer) == 403);
	/* one version only */
	CHECK(call("DELETE", HV "objects/" I6770 "/", "match[version]=2016-12-25T12:30:59.444Z",
	           NULL, NULL, NULL, 0, &peer) == 200);
	CHECK(get(HV "objects/" I6770 "/versions/", NULL) == 200 && count("versions") == 2);
}

/* ---- the node's own root --------------------------------------------------------------- */

static const char bundle[] =
    "{\"type\":\"bundle\",\"id\":\"bundle--0a0a0a0a-0000-4000-8000-000000000001\","
    "\"objects\":["
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
    "\"id\":\"indicator--00000000-0000-4000-8000-0000000000a1\","
    "\"created\":\"2024-02-01T00:00:00.000Z\",\"modified\":\"2024-02-01T00:00:00.000Z\","
    "\"pattern\":\"[ipv4-addr:value = '198.51.100.10']\",\"pattern_type\":\"stix\","
    "\"valid_from\":\"2024-02-01T00:00:00Z\",\"indicator_types\":[\"malicious-activity\"],"
    "\"object_marking_refs\":[\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\"]},"
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
    "\"id\":\"indicator--00000000-0000-4000-8000-0000000000a2\","
    "\"created\":\"2024-02-01T00:00:00.000Z\",\"modified\":\"2024-02-01T00:00:00.000Z\","
    "\"pattern\":\"[ipv4-addr:value = '198.51.100.20']\",\"pattern_type\":\"stix\","
    "\"valid_from\":\"2024-02-01T00:00:00Z\",\"indicator_types\":[\"malicious-activity\"],"
    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]}"
    "]}";

static void test_own_root(void)
{
	char path[200], f[700], id[64];
	struct intel_import_opts o = {.format = "stix"};
	struct intel_import_result res;
	struct dt_diag d;
	json_t *c;
	FILE *fp;

	if (!node_up)
		SKIP("no node");
	CHECK(get("/taxii2/detente/", NULL) == 200 && strstr(str_at(doc, "title"), "CERT-A"));
	CHECK(get("/taxii2/detente/collections/", NULL) == 200 && count("collections") == 2);
	c = json_array_get(field("collections"), 0);
	snprintf(id, sizeof(id), "%s", str_at(c, "id"));
	CHECK(strcmp(str_at(c, "alias"), "indicators") == 0);
	CHECK(strlen(id) == 36 && id[14] == '5');
	CHECK(json_is_true(json_object_get(c, "can_read")) &&
	      json_is_false(json_object_get(c, "can_write")));
	/* some intel at GREEN and at AMBER */
	snprintf(f, sizeof(f), "%s/bundle.json", dir);
	fp = fopen(f, "w");
	if (fp) {
		fputs(bundle, fp);
		fclose(fp);
	}
	dt_diag_clear(&d);
	CHECKF(intel_import_file(w.intel, w.ledger, f, &o, NULL, NULL, &res, &d) == DT_OK, "%s",
	       d.msg);
	srv_refresh(srv, &d);
	snprintf(path, sizeof(path), "/taxii2/detente/collections/%s/objects/", id);
	CHECK(call("GET", path, "match[type]=indicator", NULL, NULL, NULL, 0, &green) == 200);
	CHECK(holds("indicator--00000000-0000-4000-8000-0000000000a1", NULL));
	CHECK(!holds("indicator--00000000-0000-4000-8000-0000000000a2", NULL));
	CHECK(get(path, "match[type]=indicator") == 200);
	CHECK(holds("indicator--00000000-0000-4000-8000-0000000000a1", NULL) &&
	      holds("indicator--00000000-0000-4000-8000-0000000000a2", NULL));
	/* the alias names it too; it is not writable */
	CHECK(get("/taxii2/detente/collections/indicators/manifest/", NULL) == 200 &&
	      count("objects") >= 2);
	CHECK(post("/taxii2/detente/collections/indicators/objects/", envelope) == 403);
	/* the inbox: write-only, and what arrives reaches the node's intel */
	CHECK(get("/taxii2/detente/collections/inbox/objects/", NULL) == 403);
	CHECK(post("/taxii2/detente/collections/inbox/objects/", envelope) == 202 &&
	      json_integer_value(field("success_count")) == 2);
	srv_refresh(srv, &d);
	CHECK(get(path, "match[type]=indicator") == 200);
	CHECK(holds("indicator--11111111-2222-4333-8444-555555555555", NULL));
	/* unmarked: AMBER, so not for a GREEN reader */
	CHECK(call("GET", path, "match[type]=indicator", NULL, NULL, NULL, 0, &green) == 200 &&
	      !holds("indicator--11111111-2222-4333-8444-555555555555", NULL));
	/* date_added stays while the content does not change */
	{
		char before[TAXII_TS_LEN] = "";

		CHECK(get(path, "match[id]=indicator--00000000-0000-4000-8000-0000000000a1") ==
		      200);
		if (header("X-TAXII-Date-Added-First"))
			snprintf(before, sizeof(before), "%s", header("X-TAXII-Date-Added-First"));
		srv_refresh(srv, &d);
		CHECK(get(path, "match[id]=indicator--00000000-0000-4000-8000-0000000000a1") ==
		      200);
		CHECK(header("X-TAXII-Date-Added-First") &&
		      strcmp(before, header("X-TAXII-Date-Added-First")) == 0);
	}
}

/* ---- the parsers and the loader ---------------------------------------------------------- */

static void test_parsers(void)
{
	int64_t us;
	char ts[TAXII_TS_LEN];
	struct taxii_query q;
	char why[200];
	const char *qs = "match[version]=first,2016-11-03T12:30:59.000Z&limit=5";

	CHECK(taxii_ts_parse("2016-11-03T12:30:59.001Z", 24, &us) && us == 1478176259001000);
	taxii_ts_format(us, ts);
	CHECK(strcmp(ts, "2016-11-03T12:30:59.001000Z") == 0);
	CHECK(taxii_ts_parse("1970-01-01T00:00:00Z", 20, &us) && us == 0);
	CHECK(!taxii_ts_parse("2016-02-30T00:00:00Z", 20, &us));
	CHECK(!taxii_ts_parse("2016-11-03T12:30:59+01:00", 25, &us));
	CHECK(taxii_accept_ok(NULL, 0, false));
	CHECK(!taxii_ctype_ok("application/taxii+json", 22));
	CHECK(taxii_ctype_ok("application/taxii+json; version=2.1; charset=utf-8", 50));
	CHECK(taxii_query_parse(qs, strlen(qs), &q, why, sizeof(why)) &&
	      q.vflags == TAXII_V_FIRST && q.limit == 5 && q.versions &&
	      strcmp(q.versions, "[1478176259000000]") == 0);
	taxii_query_release(&q);
	CHECK(!taxii_query_parse("match[type]=a,,b", 16, &q, why, sizeof(why)));
}

static void test_load(void)
{
	struct taxii_load_report rep;
	struct dt_diag d;
	char bad[700];
	FILE *f;

	if (!up)
		SKIP("no fixture or node");
	/* loading again replaces: same counts, nothing doubled */
	dt_diag_clear(&d);
	CHECK(taxii_load_file(db, fixture, NULL, NULL, &rep, &d) == DT_OK);
	CHECK(rep.roots == 3 && rep.collections == 5 && rep.objects == 8 && rep.statuses == 2 &&
	      rep.rejected == 0);
	CHECK(get(HV "objects/", "match[version]=all&match[spec_version]=2.0,2.1") == 200 &&
	      count("objects") == 8);
	snprintf(bad, sizeof(bad), "%s/bad.json", dir);
	if ((f = fopen(bad, "w")) != NULL) {
		fputs(
		    "{\"detente\": {\"information\": {\"title\": \"x\"}}, \"ok\": {\"collections\":"
		    " [{\"id\": \"c1\", \"objects\": [{\"type\": \"x\"}]}]}}",
		    f);
		fclose(f);
	}
	CHECK(taxii_load_file(db, bad, NULL, NULL, &rep, &d) == DT_OK && rep.rejected == 2 &&
	      rep.roots == 1 && rep.collections == 1);
	if ((f = fopen(bad, "w")) != NULL) {
		fputs("[1, 2]", f);
		fclose(f);
	}
	CHECK(taxii_load_file(db, bad, NULL, NULL, &rep, &d) == DT_EPARSE);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct taxii_load_report rep;
	struct dt_diag d;

	snprintf(dir, sizeof(dir), "%s/test_taxii.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(db, sizeof(db), "%s/a.db", dir);
	snprintf(fixture, sizeof(fixture), "%s/taxii/medallion-default_data.json", th_corpus());
	have_fixture = access(fixture, R_OK) == 0;
	dt_diag_clear(&d);
	srv_config_init(&cfg);
	cfg.db = db;
	if (ledger_init(db, "CERT-A", "detente/CERT-A", &d) == DT_OK &&
	    (!have_fixture || taxii_load_file(db, fixture, NULL, NULL, &rep, &d) == DT_OK) &&
	    srv_open(&cfg, &srv, &d) == DT_OK && srv_worker_open(&w, srv, &cfg, 0, &d) == DT_OK)
		node_up = true;
	else
		fprintf(stderr, "node: %s\n", d.msg);
	up = node_up && have_fixture;
	if (up && (rep.roots != 3 || rep.objects != 8))
		fprintf(stderr, "fixture: %llu roots, %llu objects\n",
		        (unsigned long long)rep.roots, (unsigned long long)rep.objects);
	RUN(test_parsers);
	if (!have_fixture)
		printf("skip: %s is absent\n", fixture);
	RUN(test_discovery);
	RUN(test_roots_collections);
	RUN(test_objects);
	RUN(test_pagination);
	RUN(test_object_versions_manifest);
	RUN(test_errors);
	RUN(test_post_status_delete);
	RUN(test_own_root);
	RUN(test_load);
	if (node_up)
		srv_worker_close(&w);
	srv_close(srv);
	json_decref(doc);
	strbuf_release(&resp.body);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	DONE();
}
