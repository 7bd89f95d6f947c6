/*
 * fuzz_mmdb.c — MaxMind DB input (geo/mmdb.c geo_parse_mmdb) through the
 * builder and back out of the index, against libmaxminddb itself.
 *
 * The input is written to a file and added with geo_builder_add_file as
 * GEO_IN_MMDB (MMDB has no from-memory form).  Whether or not it is
 * accepted, the image must serialize and open.  When it is accepted,
 * mmdb.c promises (its header comment) that a lookup answers exactly what
 * libmaxminddb answers for the same address; so for addresses taken from
 * the input, from the ends of the index's intervals and from fixed points,
 * the index's country, ASN and organisation must equal what MMDB_lookup_
 * sockaddr finds, decoded by the same rules (country.iso_code else
 * registered_country.iso_code; autonomous_system_number; the first
 * non-empty of autonomous_system_organization, organization, isp, cut at
 * GEO_MAX_ORG bytes).  Every answer must also satisfy fuzz_lookup's
 * invariants.
 *
 * Seeds: the .mmdb files of ../shared/corpus/geo (fuzz/seeds.sh).  Run it
 * with -rss_limit_mb and -timeout: the walk of a tree whose pointers form a
 * DAG is bounded only by GEO_MAX_MMDB_NODES.
 */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/limits.h"
#include "fuzz.h"

/*
 * libmaxminddb before 1.12 (Debian bookworm has 1.7.1) leaks its metadata
 * entry list when MMDB_open fails on some invalid metadata (upstream
 * maxmind/libmaxminddb#356): not detente's, so LeakSanitizer is told to
 * ignore allocations made inside libmaxminddb.  mmdb.c's own MMDB_close
 * calls are on every path after a successful open.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libmaxminddb.so\n";
}

struct want {
	char cc[3];
	uint32_t asn;
	const char *org;
	uint32_t org_len;
};

static bool str_at(MMDB_entry_s *e, const char **p, uint32_t *len,
		   const char *k1, const char *k2)
{
	MMDB_entry_data_s d;
	int st = k2 ? MMDB_get_value(e, &d, k1, k2, NULL) : MMDB_get_value(e, &d, k1, NULL);

	*p = NULL;
	*len = 0;
	if (st != MMDB_SUCCESS || !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return false;
	*p = d.utf8_string;
	*len = d.data_size;
	return true;
}

/* What libmaxminddb says of an address; false when it has no answer. */
static bool mmdb_answer(MMDB_s *db, const struct dt_ip *ip, struct want *w)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	const struct sockaddr *sa;
	MMDB_lookup_result_s r;
	MMDB_entry_data_s d;
	const char *s;
	uint32_t n;
	int err = 0;

	memset(w, 0, sizeof(*w));
	if (ip->family == DT_IP_V4) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		s4.sin_addr.s_addr = htonl((uint32_t)ip->addr);
		sa = (const struct sockaddr *)&s4;
	} else {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		for (int i = 0; i < 16; i++)
			s6.sin6_addr.s6_addr[i] = (uint8_t)(ip->addr >> (8 * (15 - i)));
		sa = (const struct sockaddr *)&s6;
	}
	r = MMDB_lookup_sockaddr(db, sa, &err);
	if (err != MMDB_SUCCESS || !r.found_entry)
		return false;
	if (!str_at(&r.entry, &s, &n, "country", "iso_code"))
		str_at(&r.entry, &s, &n, "registered_country", "iso_code");
	if (s && n == 2 && !((s[0] == '?' && s[1] == '?') || (s[0] == '-' && s[1] == '-'))) {
		w->cc[0] = (char)(s[0] >= 'a' && s[0] <= 'z' ? s[0] - 32 : s[0]);
		w->cc[1] = (char)(s[1] >= 'a' && s[1] <= 'z' ? s[1] - 32 : s[1]);
	}
	if (MMDB_get_value(&r.entry, &d, "autonomous_system_number", NULL) == MMDB_SUCCESS &&
	    d.has_data) {
		if (d.type == MMDB_DATA_TYPE_UINT32)
			w->asn = d.uint32;
		else if (d.type == MMDB_DATA_TYPE_UINT16)
			w->asn = d.uint16;
		else if (d.type == MMDB_DATA_TYPE_INT32 && d.int32 >= 0)
			w->asn = (uint32_t)d.int32;
		else if (d.type == MMDB_DATA_TYPE_UINT64 && d.uint64 <= UINT32_MAX)
			w->asn = (uint32_t)d.uint64;
	}
	static const char *const keys[] = {
		"autonomous_system_organization", "organization", "isp",
	};
	for (size_t i = 0; i < 3; i++) {
		if (str_at(&r.entry, &s, &n, keys[i], NULL) && n > 0) {
			w->org = s;
			w->org_len = n > GEO_MAX_ORG ? GEO_MAX_ORG : n;
			break;
		}
	}
	return true;
}

struct ctx {
	const struct geo_index *ix;
	MMDB_s *db; /* NULL: the input was refused, nothing to compare */
	unsigned checks;
};

static void check(struct ctx *c, const struct dt_ip *ip)
{
	struct geo_answer a = fuzz_lookup(c->ix, ip);
	struct want w;

	c->checks++;
	if (c->db == NULL) {
		FUZZ_CHECK(a.country[0] == '\0' && a.asn == 0 && a.as_org == NULL);
		return;
	}
	if (c->db->metadata.ip_version == 4 && ip->family == DT_IP_V6)
		return; /* an IPv4 database answers no IPv6 address */
	if (!mmdb_answer(c->db, ip, &w)) {
		FUZZ_CHECK(a.country[0] == '\0' && a.asn == 0 && a.as_org == NULL);
		return;
	}
	FUZZ_CHECK(memcmp(a.country, w.cc, 3) == 0);
	FUZZ_CHECK(a.asn == w.asn);
	if (w.org == NULL) {
		FUZZ_CHECK(a.as_org == NULL);
	} else {
		/* the index keeps NUL-terminated names: compare up to a NUL */
		size_t n = strnlen(w.org, w.org_len);

		if (n == 0)
			FUZZ_CHECK(a.as_org == NULL || a.as_org[0] == '\0');
		else
			FUZZ_CHECK(a.as_org != NULL && strlen(a.as_org) == n &&
				   memcmp(a.as_org, w.org, n) == 0);
	}
}

static const char *const fixed[] = {
	"0.0.0.0", "1.0.0.0", "2.125.160.216", "81.2.69.160", "89.160.20.112",
	"175.16.199.0", "216.160.83.56", "255.255.255.255", "::", "::1.2.3.4",
	"::ffff:81.2.69.160", "2001:218::", "2001:480::", "2002:5102:45a0::",
	"2a02:cf40::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[512];
	const char *tmp = getenv("TMPDIR");
	struct geo_builder *b;
	struct geo_index *ix;
	struct dt_diag d;
	struct ctx c = {0};
	MMDB_s db;
	enum dt_err err;
	int fd;

	snprintf(path, sizeof(path), "%s/detente-fuzz-mmdb-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	FUZZ_CHECK((fd = mkstemp(path)) >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	close(fd);

	FUZZ_CHECK(geo_builder_new(&b) == DT_OK);
	geo_builder_set_warn(b, NULL, NULL);
	err = geo_builder_add_file(b, GEO_IN_MMDB, path, NULL, &d);
	FUZZ_CHECK(err == DT_OK || err == DT_EFORMAT || err == DT_ELIMIT);
	if (err == DT_OK) {
		FUZZ_CHECK(MMDB_open(path, MMDB_MODE_MMAP, &db) == MMDB_SUCCESS);
		c.db = &db;
	}
	unlink(path);
	ix = fuzz_build_open(b);
	c.ix = ix;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++) {
		struct dt_ip ip;

		FUZZ_CHECK(dt_ip_parse(fixed[i], strlen(fixed[i]), &ip) == DT_OK);
		check(&c, &ip);
	}
	{
		struct geo_stats st;
		dt_u128 first, last;
		struct geo_answer a;

		geo_index_stats(ix, &st);
		for (int f = 0; f < 2; f++) {
			uint8_t family = f ? DT_IP_V6 : DT_IP_V4;
			uint32_t n = f ? st.intervals6 : st.intervals4;

			for (uint32_t i = 0; i < n; i++) {
				struct dt_ip ip = {.family = family};

				if (i == 48 && n > 96)
					i = n - 48;
				FUZZ_CHECK(geo_index_interval(ix, family, i, &first, &last,
							      &a) == DT_OK);
				ip.addr = first;
				check(&c, &ip);
				ip.addr = last;
				check(&c, &ip);
			}
		}
	}
	for (size_t off = 0; off + 16 <= size && off < 64 * 13; off += 13) {
		struct dt_ip ip4 = fuzz_ip4((uint32_t)fuzz_u128(data + off, 4));
		struct dt_ip ip6 = fuzz_ip6(fuzz_u128(data + off, 16));

		check(&c, &ip4);
		check(&c, &ip6);
	}
	fuzz_walk(ix, DT_IP_V4, 32, true);
	fuzz_walk(ix, DT_IP_V6, 32, true);
	if (c.db)
		MMDB_close(&db);
	geo_index_free(ix);
	return 0;
}
