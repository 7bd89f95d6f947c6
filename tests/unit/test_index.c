/*
 * test_index.c — the builder's layering contract (build.h) and the index's
 * answers on hand-made inputs: overlapping and adjacent ranges, unknown
 * countries, /0, /32 and /128 edges, RFC 6890 flags, warning-list flags,
 * determinism, and refusal of corrupt index files.
 */
#include "testhelp.h"

#include <unistd.h>

#include "geo/build.h"
#include "geo/geo.h"

struct src {
	enum geo_kind kind;
	const char *text;
	const char *flag;
};

static int nwarn;
static void count_warn(void *ctx, const struct dt_diag *d)
{
	(void)ctx;
	(void)d;
	nwarn++;
}

/* Builds an index from sources into a temp file and opens it. */
static struct geo_index *build(const struct src *s, size_t n, uint8_t **img, size_t *len)
{
	struct geo_builder *b;
	struct geo_index *ix = NULL;
	struct dt_diag d;
	uint8_t *p = NULL;
	size_t l = 0;
	char path[] = "/tmp/detente-test-XXXXXX";
	int fd;

	nwarn = 0;
	if (geo_builder_new(&b))
		return NULL;
	geo_builder_set_warn(b, count_warn, NULL);
	for (size_t i = 0; i < n; i++)
		if (geo_builder_add_buffer(b, s[i].kind, "test", s[i].text, strlen(s[i].text),
					   s[i].flag, &d))
			goto out;
	if (geo_builder_serialize(b, &p, &l, &d))
		goto out;
	fd = mkstemp(path);
	if (fd < 0 || write(fd, p, l) != (ssize_t)l)
		goto out;
	close(fd);
	geo_index_open(path, &ix, &d);
	unlink(path);
out:
	geo_builder_free(b);
	if (img) {
		*img = p;
		*len = l;
	} else {
		free(p);
	}
	return ix;
}

static struct geo_answer look(const struct geo_index *ix, const char *addr)
{
	struct geo_answer a;
	struct dt_ip ip;

	memset(&a, 0, sizeof(a));
	if (dt_ip_parse(addr, strlen(addr), &ip) == DT_OK)
		geo_lookup(ix, &ip, &a);
	return a;
}

static const char *net(const struct geo_answer *a)
{
	static char buf[DT_IP_STRLEN];

	dt_prefix_format(&a->network, buf);
	return buf;
}

static bool has_flag(const struct geo_index *ix, const struct geo_answer *a, const char *name)
{
	for (unsigned i = 0; i < geo_index_flag_count(ix); i++)
		if ((a->flags & (1u << i)) && strcmp(geo_index_flag_name(ix, i), name) == 0)
			return true;
	return false;
}

static void test_empty(void)
{
	struct geo_index *ix = build(NULL, 0, NULL, NULL);
	struct geo_answer a;

	CHECK(ix != NULL);
	if (!ix)
		return;
	a = look(ix, "8.8.8.8");
	CHECK(a.country[0] == '\0' && a.asn == 0 && a.as_org == NULL && a.flags == 0);
	CHECK(strcmp(net(&a), "0.0.0.0/5") == 0 || a.network.len <= 8);
	a = look(ix, "2600::1");
	CHECK(a.country[0] == '\0' && a.flags == 0);
	geo_index_free(ix);
}

static void test_country_ranges(void)
{
	static const struct src s[] = {{GEO_IN_COUNTRY,
		"# comment\n"
		"16777216,16777471,AU\n"            /* 1.0.0.0-1.0.0.255 */
		"16777472,16778239,CN\n"            /* 1.0.1.0-1.0.3.255, adjacent */
		"16778240,16778240,us\n"            /* 1.0.4.0/32, lower case */
		"16778241,16778241,??\n"            /* unknown */
		"2001:db8::,2001:db8::ffff,NL\r\n"  /* CRLF */
		"2a00::,2a00::,DE\n"                /* a /128 */
		, NULL}};
	struct geo_index *ix = build(s, 1, NULL, NULL);
	struct geo_answer a;

	CHECK(ix != NULL && nwarn == 0);
	if (!ix)
		return;
	a = look(ix, "1.0.0.0");
	CHECK(strcmp(a.country, "AU") == 0 && strcmp(net(&a), "1.0.0.0/24") == 0);
	a = look(ix, "1.0.0.255");
	CHECK(strcmp(a.country, "AU") == 0);
	a = look(ix, "1.0.1.0");
	CHECK(strcmp(a.country, "CN") == 0 && strcmp(net(&a), "1.0.1.0/24") == 0);
	a = look(ix, "1.0.2.9");
	CHECK(strcmp(a.country, "CN") == 0 && strcmp(net(&a), "1.0.2.0/23") == 0);
	a = look(ix, "1.0.4.0");
	CHECK(strcmp(a.country, "US") == 0 && strcmp(net(&a), "1.0.4.0/32") == 0);
	a = look(ix, "1.0.4.1");
	CHECK(a.country[0] == '\0');
	a = look(ix, "0.255.255.255");
	CHECK(a.country[0] == '\0' && has_flag(ix, &a, "reserved"));
	a = look(ix, "2001:db8::ff");
	CHECK(strcmp(a.country, "NL") == 0 && has_flag(ix, &a, "documentation") &&
	      strcmp(net(&a), "2001:db8::/112") == 0);
	a = look(ix, "2a00::");
	CHECK(strcmp(a.country, "DE") == 0 && strcmp(net(&a), "2a00::/128") == 0);
	a = look(ix, "2a00::1");
	CHECK(a.country[0] == '\0');
	geo_index_free(ix);
}

static void test_overlap_and_layers(void)
{
	static const struct src s[] = {
		{GEO_IN_ASN,
		 "10.0.0.0,10.255.255.255,100,\"Wide, Inc.\"\n"
		 "10.1.0.0,10.1.255.255,200,\"Narrow \"\"Quoted\"\" Ltd\"\n"  /* narrower wins */
		 "11.0.0.0,11.0.0.255,300,First\n"
		 "11.0.0.0,11.0.0.255,301,Second\n"                      /* equal: later wins */
		 "0.0.0.0,255.255.255.255,1,Everything\n"                /* a /0 under it all */
		 "::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,2,All6\n",
		 NULL},
		{GEO_IN_ASN, "11.0.0.128,11.0.0.255,400,Later input\n", NULL}, /* later input wins */
		{GEO_IN_COUNTRY, "10.0.0.0,10.0.0.255,JP\n", NULL},           /* other field kept */
	};
	struct geo_index *ix = build(s, 3, NULL, NULL);
	struct geo_answer a;

	CHECK(ix != NULL && nwarn == 0);
	if (!ix)
		return;
	a = look(ix, "10.0.0.1");
	CHECK(a.asn == 100 && a.as_org && strcmp(a.as_org, "Wide, Inc.") == 0 &&
	      strcmp(a.country, "JP") == 0 && has_flag(ix, &a, "private"));
	a = look(ix, "10.1.2.3");
	CHECK(a.asn == 200 && a.as_org && strcmp(a.as_org, "Narrow \"Quoted\" Ltd") == 0 &&
	      a.country[0] == '\0' && strcmp(net(&a), "10.1.0.0/16") == 0);
	a = look(ix, "10.2.0.0");
	CHECK(a.asn == 100 && strcmp(net(&a), "10.2.0.0/15") == 0);
	a = look(ix, "11.0.0.1");
	CHECK(a.asn == 301 && strcmp(a.as_org, "Second") == 0);
	a = look(ix, "11.0.0.200");
	CHECK(a.asn == 400 && strcmp(net(&a), "11.0.0.128/25") == 0);
	a = look(ix, "200.1.1.1");
	CHECK(a.asn == 1 && strcmp(a.as_org, "Everything") == 0);
	a = look(ix, "255.255.255.255");
	/* 240/4 and 255.255.255.255/32 carry the same flags: one answer */
	CHECK(a.asn == 1 && has_flag(ix, &a, "reserved") && strcmp(net(&a), "240.0.0.0/4") == 0);
	a = look(ix, "2600::1");
	CHECK(a.asn == 2);
	a = look(ix, "::ffff:10.1.0.1"); /* mapped goes to the IPv4 table */
	CHECK(a.asn == 200 && a.network.ip.family == DT_IP_V4);
	geo_index_free(ix);
}

static void test_bad_lines(void)
{
	static const struct src s[] = {{GEO_IN_ASN,
		"1.0.0.0,1.0.0.255,13335,Cloudflare\n"
		"1.0.1.0,1.0.0.0,5,Backwards\n"          /* start after end */
		"1.0.2.0,::1,5,Mixed\n"                  /* families differ */
		"1.0.3.0,1.0.3.255,notanumber,X\n"
		"1.0.4.0,1.0.4.255,4294967296,X\n"       /* ASN too large */
		"garbage\n"
		"1.0.5.0,1.0.5.255,\"unterminated\n"
		"1.0.6.0,1.0.6.255,AS64500,With AS prefix\n",
		NULL}};
	struct geo_index *ix = build(s, 1, NULL, NULL);
	struct geo_answer a;

	CHECK(ix != NULL);
	CHECKF(nwarn == 6, "%d warnings", nwarn);
	if (!ix)
		return;
	CHECK(look(ix, "1.0.0.9").asn == 13335);
	CHECK(look(ix, "1.0.3.9").asn == 0);
	a = look(ix, "1.0.6.1");
	CHECK(a.asn == 64500);
	geo_index_free(ix);
}

static void test_all_bad_is_an_error(void)
{
	struct geo_builder *b;
	struct dt_diag d;
	const char junk[] = "this is not\na range file\n";

	CHECK(geo_builder_new(&b) == DT_OK);
	geo_builder_set_warn(b, NULL, NULL);
	CHECK(geo_builder_add_buffer(b, GEO_IN_COUNTRY, "junk", junk, sizeof(junk) - 1, NULL, &d) ==
	      DT_EFORMAT);
	CHECK(strstr(d.msg, "no valid") != NULL);
	/* binary input */
	CHECK(geo_builder_add_buffer(b, GEO_IN_ASN, "bin", "\x1f\x8b\0\0", 4, NULL, &d) == DT_EFORMAT);
	geo_builder_free(b);
}

static void test_builtin_flags(void)
{
	static const struct {
		const char *ip, *flag;
	} cases[] = {
		{"10.9.9.9", "private"},       {"172.31.255.255", "private"},
		{"192.168.1.1", "private"},    {"100.64.0.1", "cgnat"},
		{"127.0.0.1", "loopback"},     {"169.254.1.1", "link-local"},
		{"192.0.2.7", "documentation"}, {"198.51.100.7", "documentation"},
		{"203.0.113.7", "documentation"}, {"224.0.0.251", "multicast"},
		{"240.0.0.1", "reserved"},     {"198.18.0.1", "benchmarking"},
		{"::1", "loopback"},           {"fe80::1", "link-local"},
		{"fd00::1", "private"},        {"ff02::1", "multicast"},
		{"2001:db8::1", "documentation"}, {"::", "reserved"},
	};
	struct geo_index *ix = build(NULL, 0, NULL, NULL);

	CHECK(ix != NULL);
	if (!ix)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct geo_answer a = look(ix, cases[i].ip);

		CHECKF(has_flag(ix, &a, cases[i].flag) && has_flag(ix, &a, "bogon"),
		       "%s lacks %s", cases[i].ip, cases[i].flag);
	}
	CHECK(look(ix, "8.8.8.8").flags == 0);
	CHECK(look(ix, "172.32.0.0").flags == 0);
	CHECK(look(ix, "2600::").flags == 0);
	geo_index_free(ix);
}

static void test_warninglist(void)
{
	static const struct src s[] = {
		{GEO_IN_WARNINGLIST,
		 "{\"name\":\"List of known sinkholes\",\"type\":\"cidr\",\"version\":3,"
		 "\"list\":[\"198.51.100.0/24\",\"2.2.2.2\",\"2a01::/16\",\"bogus\",7]}",
		 NULL},
		{GEO_IN_WARNINGLIST,
		 "{\"name\":\"x\",\"description\":\"Amazon AWS ranges\",\"type\":\"cidr\","
		 "\"list\":[\"2.2.0.0/16\"]}",
		 NULL},
		{GEO_IN_WARNINGLIST, "{\"name\":\"y\",\"type\":\"cidr\",\"list\":[\"3.0.0.0/8\"]}", "tor"},
	};
	struct geo_index *ix = build(s, 3, NULL, NULL);
	struct geo_answer a;

	CHECK(ix != NULL && nwarn == 2);
	if (!ix)
		return;
	a = look(ix, "2.2.2.2");
	CHECK(has_flag(ix, &a, "sinkhole") && has_flag(ix, &a, "cloud") &&
	      strcmp(net(&a), "2.2.2.2/32") == 0);
	a = look(ix, "2.2.2.3");
	CHECK(!has_flag(ix, &a, "sinkhole") && has_flag(ix, &a, "cloud"));
	a = look(ix, "198.51.100.1");
	CHECK(has_flag(ix, &a, "sinkhole") && has_flag(ix, &a, "documentation"));
	CHECK(has_flag(ix, &(struct geo_answer){.flags = look(ix, "3.1.1.1").flags}, "tor"));
	a = look(ix, "2a01:1::1");
	CHECK(has_flag(ix, &a, "sinkhole") && strcmp(net(&a), "2a01::/16") == 0);
	geo_index_free(ix);

	/* a non-CIDR list is refused, not half-used */
	struct geo_builder *b;
	struct dt_diag d;
	const char *hl = "{\"name\":\"h\",\"type\":\"hostname\",\"list\":[\"a.com\"]}";
	geo_builder_new(&b);
	CHECK(geo_builder_add_buffer(b, GEO_IN_WARNINGLIST, "h", hl, strlen(hl), NULL, &d) ==
	      DT_EFORMAT);
	CHECK(geo_builder_add_buffer(b, GEO_IN_WARNINGLIST, "j", "{", 1, NULL, &d) == DT_EPARSE);
	geo_builder_free(b);
}

static void test_deterministic(void)
{
	static const struct src s[] = {
		{GEO_IN_ASN, "1.0.0.0,1.0.0.255,13335,Cloudflare\n2001::,2001::ff,6939,HE\n", NULL},
		{GEO_IN_COUNTRY, "1.0.0.0,1.0.0.127,AU\n", NULL},
	};
	uint8_t *a, *b;
	size_t la, lb;
	struct geo_index *x = build(s, 2, &a, &la), *y = build(s, 2, &b, &lb);

	CHECK(x && y && la == lb && memcmp(a, b, la) == 0);
	geo_index_free(x);
	geo_index_free(y);
	free(a);
	free(b);
	/* different input order is a different layering, hence a different file */
	struct src r[] = {s[1], s[0]};
	x = build(r, 2, &a, &la);
	y = build(s, 2, &b, &lb);
	CHECK(x && y && (la != lb || memcmp(a, b, la) != 0));
	geo_index_free(x);
	geo_index_free(y);
	free(a);
	free(b);
}

/* Every single-byte corruption of a small index either is refused at
 * open or yields an index whose lookups stay inside the mapping. */
static void test_corrupt_files(void)
{
	static const struct src s[] = {
		{GEO_IN_ASN, "1.0.0.0,1.0.0.255,13335,Cloudflare\n2001::,2001::ff,6939,HE\n", NULL},
	};
	uint8_t *img;
	size_t len;
	struct geo_index *ix = build(s, 1, &img, &len);
	char path[] = "/tmp/detente-corrupt-XXXXXX";
	int fd = mkstemp(path), refused = 0, opened = 0;
	unsigned long long seed = 3;

	CHECK(ix != NULL && fd >= 0);
	geo_index_free(ix);
	for (int i = 0; i < 3000 && fd >= 0; i++) {
		size_t off = (size_t)(th_rand(&seed) % len);
		uint8_t save = img[off];
		struct geo_index *c = NULL;
		struct dt_diag d;
		size_t cut = (i % 10 == 0) ? (size_t)(th_rand(&seed) % len) : len;

		img[off] ^= (uint8_t)(1u << (th_rand(&seed) % 8));
		if (ftruncate(fd, 0) || pwrite(fd, img, cut, 0) != (ssize_t)cut)
			break;
		if (geo_index_open(path, &c, &d) == DT_OK) {
			opened++;
			for (int k = 0; k < 50; k++) {
				struct dt_ip ip = {.family = (k & 1) ? DT_IP_V6 : DT_IP_V4};
				struct geo_answer a;

				ip.addr = ((dt_u128)th_rand(&seed) << 64) | th_rand(&seed);
				if (ip.family == DT_IP_V4)
					ip.addr &= 0xffffffffu;
				geo_lookup(c, &ip, &a);
			}
			geo_index_free(c);
		} else {
			refused++;
		}
		img[off] = save;
	}
	CHECK(refused > 0);
	printf("     corrupt copies: %d refused, %d opened and probed safely\n", refused, opened);
	if (fd >= 0)
		close(fd);
	unlink(path);
	free(img);
}

static void test_batch_equals_single(void)
{
	static const struct src s[] = {
		{GEO_IN_ASN, "1.0.0.0,1.0.0.255,13335,Cloudflare\n8.0.0.0,8.255.255.255,3356,Level3\n"
			     "2001::,2001::ff,6939,HE\n", NULL},
		{GEO_IN_COUNTRY, "1.0.0.0,1.0.0.127,AU\n2001::,2001::f,US\n", NULL},
	};
	struct geo_index *ix = build(s, 2, NULL, NULL);
	struct dt_ip ips[1000];
	struct geo_answer batch[1000];
	uint32_t addrs[1000], ids[1000];
	unsigned long long seed = 11;

	CHECK(ix != NULL);
	if (!ix)
		return;
	for (int i = 0; i < 1000; i++) {
		uint64_t r = th_rand(&seed);

		ips[i].mapped = false;
		if (i % 3 == 0) {
			ips[i].family = DT_IP_V6;
			ips[i].addr = ((dt_u128)0x2001 << 112) | (r & 0x1ff);
		} else {
			ips[i].family = DT_IP_V4;
			ips[i].addr = (i % 3 == 1) ? (0x01000000u | (r & 0x1ff)) : (uint32_t)r;
		}
		addrs[i] = (uint32_t)ips[i].addr;
	}
	geo_lookup_batch(ix, ips, batch, 1000);
	geo_lookup4_ids(ix, addrs, ids, 1000);
	for (int i = 0; i < 1000; i++) {
		struct geo_answer one, viaid;

		geo_lookup(ix, &ips[i], &one);
		CHECKF(one.asn == batch[i].asn && one.as_org == batch[i].as_org &&
			       strcmp(one.country, batch[i].country) == 0 && one.flags == batch[i].flags &&
			       one.network.len == batch[i].network.len &&
			       one.network.ip.addr == batch[i].network.ip.addr &&
			       one.network.ip.family == batch[i].network.ip.family,
		       "batch differs at %d", i);
		if (ips[i].family == DT_IP_V4) {
			geo_info_get(ix, ids[i], &viaid);
			CHECK(viaid.asn == one.asn && viaid.as_org == one.as_org &&
			      strcmp(viaid.country, one.country) == 0 && viaid.flags == one.flags);
		}
	}
	geo_index_free(ix);
}

int main(void)
{
	RUN(test_empty);
	RUN(test_country_ranges);
	RUN(test_overlap_and_layers);
	RUN(test_bad_lines);
	RUN(test_all_bad_is_an_error);
	RUN(test_builtin_flags);
	RUN(test_warninglist);
	RUN(test_deterministic);
	RUN(test_corrupt_files);
	RUN(test_batch_equals_single);
	DONE();
}
