/*
 * test_maxmind.c — MaxMind DB inputs, checked two independent ways on the
 * MaxMind test databases in ../shared/corpus/geo (maxmind/MaxMind-DB):
 *   1. every network in the source JSON the .mmdb was built from: its first
 *      and last address answer what the JSON says (the most specific
 *      network containing the address wins, as in the writer);
 *   2. a million random addresses (IPv4 and IPv6, half of them inside the
 *      databases' networks) answer exactly what libmaxminddb answers
 *      reading the same .mmdb.
 * The deliberately broken databases must be refused with a clear error.
 */
#include "testhelp.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geo/build.h"
#include "geo/geo.h"

struct expect {
	char cc[3];
	uint32_t asn;
	char org[256];
};

struct jnet {
	struct dt_prefix p;
	dt_u128 lo, hi;
	struct expect e;
};

static char path_buf[1024];
static const char *corpus_file(const char *name)
{
	snprintf(path_buf, sizeof(path_buf), "%s/geo/%s", th_corpus(), name);
	return path_buf;
}

static bool have_corpus(void)
{
	struct stat st;

	return stat(corpus_file("GeoIP2-City-Test.mmdb"), &st) == 0;
}

static struct geo_index *build_mmdb(const char *name, enum dt_err *err, struct dt_diag *d)
{
	struct geo_builder *b;
	struct geo_index *ix = NULL;
	uint8_t *img = NULL;
	size_t len;
	char tmp[] = "/tmp/detente-mm-XXXXXX";
	int fd;

	geo_builder_new(&b);
	*err = geo_builder_add_file(b, GEO_IN_MMDB, corpus_file(name), NULL, d);
	if (*err == DT_OK && (*err = geo_builder_serialize(b, &img, &len, d)) == DT_OK) {
		fd = mkstemp(tmp);
		if (fd >= 0 && write(fd, img, len) == (ssize_t)len) {
			close(fd);
			*err = geo_index_open(tmp, &ix, d);
		}
		unlink(tmp);
	}
	free(img);
	geo_builder_free(b);
	return ix;
}

static void expect_from_json(json_t *v, struct expect *e)
{
	const char *s;

	memset(e, 0, sizeof(*e));
	s = json_string_value(json_object_get(json_object_get(v, "country"), "iso_code"));
	if (!s)
		s = json_string_value(json_object_get(json_object_get(v, "registered_country"), "iso_code"));
	if (s)
		snprintf(e->cc, sizeof(e->cc), "%s", s);
	e->asn = (uint32_t)json_integer_value(json_object_get(v, "autonomous_system_number"));
	static const char *const keys[] = {"autonomous_system_organization", "organization", "isp"};
	for (int i = 0; i < 3; i++) {
		s = json_string_value(json_object_get(v, keys[i]));
		if (s && *s) {
			snprintf(e->org, sizeof(e->org), "%s", s);
			break;
		}
	}
}

static size_t load_json(const char *name, struct jnet **out)
{
	json_t *root = json_load_file(corpus_file(name), 0, NULL), *item;
	struct jnet *n = NULL;
	size_t count = 0, i;

	json_array_foreach(root, i, item) {
		const char *key;
		json_t *v;

		json_object_foreach(item, key, v) {
			struct jnet j;

			if (dt_prefix_parse(key, strlen(key), &j.p, NULL))
				continue;
			j.lo = j.p.ip.addr;
			j.hi = j.lo | (~dt_ip_mask(j.p.ip.family, j.p.len) & dt_ip_max(j.p.ip.family));
			expect_from_json(v, &j.e);
			n = realloc(n, (count + 1) * sizeof(*n));
			n[count++] = j;
		}
	}
	json_decref(root);
	*out = n;
	return count;
}

/* The most specific JSON network containing (family, a); NULL if none. */
static const struct jnet *json_answer(const struct jnet *n, size_t count, uint8_t family,
				      dt_u128 a)
{
	const struct jnet *best = NULL;

	for (size_t i = 0; i < count; i++) {
		uint8_t fam = n[i].p.ip.family;
		dt_u128 lo = n[i].lo, hi = n[i].hi;

		if (fam == DT_IP_V6 && family == DT_IP_V4 && hi <= 0xffffffffu)
			fam = DT_IP_V4; /* ::a.b.c.d/N is the IPv4 network a.b.c.d/(N-96) */
		if (fam != family || a < lo || a > hi)
			continue;
		if (best == NULL || n[i].p.len >= best->p.len)
			best = &n[i];
	}
	return best;
}

static bool same(const struct geo_answer *a, const struct expect *e)
{
	return strcmp(a->country, e->cc) == 0 && a->asn == e->asn &&
	       strcmp(a->as_org ? a->as_org : "", e->org) == 0;
}

static void check_json_db(const char *mmdb, const char *json)
{
	struct dt_diag d;
	enum dt_err err;
	struct geo_index *ix;
	struct jnet *n;
	size_t count, probes = 0;

	if (!have_corpus())
		SKIP("%s absent", th_corpus());
	ix = build_mmdb(mmdb, &err, &d);
	CHECKF(ix != NULL, "%s: %s", mmdb, d.msg);
	if (!ix)
		return;
	count = load_json(json, &n);
	CHECKF(count > 0, "%s has no networks", json);
	for (size_t i = 0; i < count; i++) {
		dt_u128 probe[2] = {n[i].lo, n[i].hi};

		for (int k = 0; k < 2; k++) {
			struct dt_ip ip = {.family = n[i].p.ip.family, .addr = probe[k]};
			const struct jnet *want = json_answer(n, count, ip.family, ip.addr);
			struct geo_answer a;
			char t[DT_IP_STRLEN];

			geo_lookup(ix, &ip, &a);
			dt_ip_format(&ip, t);
			CHECKF(want && same(&a, &want->e), "%s %s: got %s/%u/%s want %s/%u/%s", mmdb, t,
			       a.country, a.asn, a.as_org ? a.as_org : "", want ? want->e.cc : "?",
			       want ? want->e.asn : 0, want ? want->e.org : "?");
			probes++;
			if (ip.family == DT_IP_V6 && ip.addr <= 0xffffffffu) {
				/* the same network as an IPv4 address */
				struct dt_ip v4 = {.family = DT_IP_V4, .addr = ip.addr};

				want = json_answer(n, count, DT_IP_V4, v4.addr);
				geo_lookup(ix, &v4, &a);
				CHECKF(want && same(&a, &want->e), "%s %s as IPv4", mmdb, t);
				probes++;
			}
		}
	}
	printf("     %s: %zu networks, %zu probes\n", json, count, probes);
	free(n);
	geo_index_free(ix);
}

static void test_city_json(void) { check_json_db("GeoIP2-City-Test.mmdb", "GeoIP2-City-Test.json"); }
static void test_country_json(void) { check_json_db("GeoIP2-Country-Test.mmdb", "GeoIP2-Country-Test.json"); }
static void test_asn_json(void) { check_json_db("GeoLite2-ASN-Test.mmdb", "GeoLite2-ASN-Test.json"); }
static void test_isp_json(void) { check_json_db("GeoIP2-ISP-Test.mmdb", "GeoIP2-ISP-Test.json"); }

/* libmaxminddb's answer through the same schema rules, as an expect. */
static bool mmdb_answer(MMDB_s *db, const struct dt_ip *ip, struct expect *e)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	MMDB_lookup_result_s r;
	MMDB_entry_data_s v;
	int err;

	memset(e, 0, sizeof(*e));
	if (ip->family == DT_IP_V4) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		s4.sin_addr.s_addr = htonl((uint32_t)ip->addr);
		r = MMDB_lookup_sockaddr(db, (struct sockaddr *)&s4, &err);
	} else {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		for (int k = 0; k < 16; k++)
			s6.sin6_addr.s6_addr[k] = (uint8_t)(ip->addr >> (120 - 8 * k));
		r = MMDB_lookup_sockaddr(db, (struct sockaddr *)&s6, &err);
	}
	if (err != MMDB_SUCCESS)
		return false;
	if (!r.found_entry)
		return true;
	if (MMDB_get_value(&r.entry, &v, "country", "iso_code", NULL) == MMDB_SUCCESS && v.has_data)
		snprintf(e->cc, sizeof(e->cc), "%.*s", (int)v.data_size, v.utf8_string);
	else if (MMDB_get_value(&r.entry, &v, "registered_country", "iso_code", NULL) == MMDB_SUCCESS &&
		 v.has_data)
		snprintf(e->cc, sizeof(e->cc), "%.*s", (int)v.data_size, v.utf8_string);
	if (MMDB_get_value(&r.entry, &v, "autonomous_system_number", NULL) == MMDB_SUCCESS && v.has_data)
		e->asn = v.uint32;
	static const char *const keys[] = {"autonomous_system_organization", "organization", "isp"};
	for (int i = 0; i < 3; i++) {
		if (MMDB_get_value(&r.entry, &v, keys[i], NULL) == MMDB_SUCCESS && v.has_data &&
		    v.data_size > 0) {
			snprintf(e->org, sizeof(e->org), "%.*s", (int)v.data_size, v.utf8_string);
			break;
		}
	}
	return true;
}

static void check_random(const char *mmdb, const char *json, int count)
{
	struct dt_diag d;
	enum dt_err err;
	struct geo_index *ix;
	struct jnet *n = NULL;
	size_t nn = 0;
	MMDB_s db;
	unsigned long long seed = 42;
	int found = 0;

	if (!have_corpus())
		SKIP("%s absent", th_corpus());
	ix = build_mmdb(mmdb, &err, &d);
	CHECKF(ix != NULL, "%s: %s", mmdb, d.msg);
	if (!ix || MMDB_open(corpus_file(mmdb), MMDB_MODE_MMAP, &db) != MMDB_SUCCESS) {
		geo_index_free(ix);
		CHECK(0);
		return;
	}
	if (json)
		nn = load_json(json, &n);
	for (int i = 0; i < count; i++) {
		struct dt_ip ip = {.mapped = false};
		uint64_t r = th_rand(&seed), r2 = th_rand(&seed);
		struct geo_answer a;
		struct expect e;

		if (nn && (r & 1)) {
			/* inside a network of the database, at a random offset */
			const struct jnet *j = &n[(r >> 8) % nn];
			dt_u128 span = j->hi - j->lo;
			dt_u128 off = (((dt_u128)r2 << 64) | th_rand(&seed));

			ip.family = j->p.ip.family;
			ip.addr = j->lo + (span == ~(dt_u128)0 ? off : off % (span + 1));
			if (ip.family == DT_IP_V6 && ip.addr <= 0xffffffffu && (r & 2))
				ip.family = DT_IP_V4;
		} else if (r & 2) {
			ip.family = DT_IP_V4;
			ip.addr = (uint32_t)r2;
		} else {
			ip.family = DT_IP_V6;
			ip.addr = ((dt_u128)r2 << 64) | th_rand(&seed);
			if (r & 4) /* bias towards 2000::/3 and low space */
				ip.addr = (ip.addr >> 3) | ((dt_u128)1 << 125);
		}
		geo_lookup(ix, &ip, &a);
		if (!mmdb_answer(&db, &ip, &e)) {
			CHECK(0);
			continue;
		}
		found += e.cc[0] || e.asn || e.org[0];
		char t[DT_IP_STRLEN];
		dt_ip_format(&ip, t);
		CHECKF(same(&a, &e), "%s %s: detente %s/%u/%s, libmaxminddb %s/%u/%s", mmdb, t,
		       a.country, a.asn, a.as_org ? a.as_org : "", e.cc, e.asn, e.org);
	}
	printf("     %s: %d random addresses, %d with data, identical to libmaxminddb\n", mmdb,
	       count, found);
	MMDB_close(&db);
	free(n);
	geo_index_free(ix);
}

static void test_random_city(void) { check_random("GeoIP2-City-Test.mmdb", "GeoIP2-City-Test.json", 400000); }
static void test_random_asn(void) { check_random("GeoLite2-ASN-Test.mmdb", "GeoLite2-ASN-Test.json", 200000); }
static void test_random_isp(void) { check_random("GeoIP2-ISP-Test.mmdb", "GeoIP2-ISP-Test.json", 200000); }
static void test_random_country(void) { check_random("GeoLite2-Country-Test.mmdb", "GeoIP2-Country-Test.json", 200000); }

static void test_broken_rejected(void)
{
	static const char *const broken[] = {
		"MaxMind-DB-test-broken-pointers-24.mmdb",
		"MaxMind-DB-test-broken-search-tree-24.mmdb",
		"GeoIP2-City-Test-Invalid-Node-Count.mmdb",
	};

	if (!have_corpus())
		SKIP("%s absent", th_corpus());
	for (size_t i = 0; i < sizeof(broken) / sizeof(*broken); i++) {
		struct dt_diag d;
		enum dt_err err;
		struct geo_index *ix;

		dt_diag_clear(&d);
		ix = build_mmdb(broken[i], &err, &d);
		CHECKF(ix == NULL && err == DT_EFORMAT, "%s accepted", broken[i]);
		CHECKF(strstr(d.msg, "corrupt") || strstr(d.msg, "not a valid"), "%s: message '%s'",
		       broken[i], d.msg);
		printf("     %s: %s\n", broken[i], d.msg);
		geo_index_free(ix);
	}
	/* not a MaxMind DB at all */
	struct dt_diag d;
	enum dt_err err;
	snprintf(path_buf, sizeof(path_buf), "%s/SOURCES.md", th_corpus());
	struct geo_builder *b;
	geo_builder_new(&b);
	err = geo_builder_add_file(b, GEO_IN_MMDB, path_buf, NULL, &d);
	CHECK(err == DT_EFORMAT);
	geo_builder_free(b);
}

int main(void)
{
	if (!have_corpus())
		printf("note: %s absent: MaxMind corpus tests skip\n", th_corpus());
	RUN(test_city_json);
	RUN(test_country_json);
	RUN(test_asn_json);
	RUN(test_isp_json);
	RUN(test_random_city);
	RUN(test_random_asn);
	RUN(test_random_isp);
	RUN(test_random_country);
	RUN(test_broken_rejected);
	DONE();
}
