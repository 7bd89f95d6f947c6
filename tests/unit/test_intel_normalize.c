/*
 * test_intel_normalize.c — intel/normalize.h: every rule of the header,
 * each with values that must be accepted (and their canonical text) and
 * values that must be refused; the URL key of events; type names; and a
 * timing loop over a million mixed values (printed, not asserted).
 */
#include <time.h>

#include "testhelp.h"

#include "intel/normalize.h"

static struct strbuf out;

/* Normalizes v as type t; checks the verdict, the text and the final type. */
static void ok_as(int line, enum ind_type t, const char *v, const char *want, enum ind_type tw)
{
	const char *why = NULL;
	bool ok = intel_normalize(&t, v, strlen(v), &out, &why);

	CHECKF(ok, "line %d: '%s' refused: %s", line, v, why ? why : "?");
	if (ok) {
		CHECKF(strcmp(out.p, want) == 0, "line %d: '%s' -> '%s', want '%s'", line, v, out.p,
		       want);
		CHECKF(t == tw, "line %d: '%s' type %s, want %s", line, v, intel_type_name(t),
		       intel_type_name(tw));
	}
}
#define OK(t, v, want)      ok_as(__LINE__, t, v, want, t)
#define OKT(t, v, want, tw) ok_as(__LINE__, t, v, want, tw)

static void bad_as(int line, enum ind_type t, const char *v, size_t n)
{
	const char *why = NULL;
	bool ok = intel_normalize(&t, v, n, &out, &why);

	CHECKF(!ok, "line %d: '%.*s' accepted as '%s'", line, (int)n, v, out.p);
	CHECKF(ok || (why && why[0]), "line %d: no reason", line);
}
#define BAD(t, v) bad_as(__LINE__, t, v, strlen(v))

static void test_ip(void)
{
	OKT(IT_IP, "1.2.3.4", "1.2.3.4", IT_IPV4);
	OKT(IT_IP, " 1.2.3.4\t", "1.2.3.4", IT_IPV4);
	OKT(IT_IP, "10.1.2.3/8", "10.0.0.0/8", IT_IPV4);
	OKT(IT_IP, "1.2.3.4/32", "1.2.3.4", IT_IPV4);
	OKT(IT_IP, "0.0.0.0/0", "0.0.0.0/0", IT_IPV4);
	OK(IT_IPV4, "58.246.0.0/15", "58.246.0.0/15");
	OK(IT_IPV4, "58.247.1.1/15", "58.246.0.0/15");
	/* RFC 5952 §4: lower case, longest zero run, first of equals, no
	 * "::" for one group, leading zeros dropped */
	OKT(IT_IP, "2001:DB8:0:0:0:0:0:1", "2001:db8::1", IT_IPV6);
	OK(IT_IPV6, "2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1");
	OK(IT_IPV6, "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	OK(IT_IPV6, "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	OK(IT_IPV6, "0:0:0:0:0:0:0:0", "::");
	OK(IT_IPV6, "::1/128", "::1");
	OK(IT_IPV6, "2001:db8::1/32", "2001:db8::/32");
	OK(IT_IPV6, "2001:DB8::/48", "2001:db8::/48");
	/* §5: IPv4-mapped addresses keep the mapped text */
	OKT(IT_IP, "::FFFF:1.2.3.4", "::ffff:1.2.3.4", IT_IPV6);
	OKT(IT_IP, "::ffff:0102:0304", "::ffff:1.2.3.4", IT_IPV6);
	OKT(IT_IP, "::ffff:1.2.3.4/120", "::ffff:1.2.3.0/120", IT_IPV6);
	OKT(IT_IP, "::ffff:1.2.3.4/128", "::ffff:1.2.3.4", IT_IPV6);
	BAD(IT_IP, "::ffff:1.2.3.4/64");
	BAD(IT_IP, "1.2.3");
	BAD(IT_IP, "1.2.3.04");
	BAD(IT_IP, "1.2.3.256");
	BAD(IT_IP, "1.2.3.4/33");
	BAD(IT_IP, "1.2.3.4/");
	BAD(IT_IP, "1.2.3.4/08");
	BAD(IT_IP, "1.2.3.4/x");
	BAD(IT_IP, "fe80::1%eth0");
	BAD(IT_IP, "2001:db8::/129");
	BAD(IT_IP, "evil.com");
	/* the asked family must be the written one */
	BAD(IT_IPV4, "2001:db8::1");
	BAD(IT_IPV6, "1.2.3.4");
}

static void test_domain(void)
{
	char big[300];

	OK(IT_DOMAIN, "Evil.COM", "evil.com");
	OK(IT_DOMAIN, "evil.com.", "evil.com");
	OK(IT_DOMAIN, "  www.Example.org.  ", "www.example.org");
	OK(IT_DOMAIN, "_dmarc.example.com", "_dmarc.example.com");
	OK(IT_DOMAIN, "xn--bcher-kva.example", "xn--bcher-kva.example");
	OK(IT_DOMAIN, "localhost", "localhost");
	BAD(IT_DOMAIN, "*.evil.com");
	BAD(IT_DOMAIN, "evil..com");
	BAD(IT_DOMAIN, ".evil.com");
	BAD(IT_DOMAIN, "evil.com..");
	BAD(IT_DOMAIN, ".");
	BAD(IT_DOMAIN, "bücher.example");
	BAD(IT_DOMAIN, "evil com");
	BAD(IT_DOMAIN, "evil.com/x");
	/* a 63-byte label passes, 64 does not */
	memset(big, 'a', 64);
	memcpy(big + 64, ".com", 5);
	BAD(IT_DOMAIN, big);
	memmove(big + 63, big + 64, 5);
	{
		enum ind_type t = IT_DOMAIN;
		const char *why;

		CHECK(intel_normalize(&t, big, strlen(big), &out, &why));
	}
	/* 253 bytes (without the root dot) pass, 254 do not */
	for (int i = 0; i < 255; i++)
		big[i] = i % 2 ? '.' : 'a';
	{
		enum ind_type t = IT_DOMAIN;
		const char *why;

		CHECK(intel_normalize(&t, big, 253, &out, &why) && out.len == 253);
		CHECK(intel_normalize(&t, big, 254, &out, &why) && out.len == 253); /* "a.a...a." */
		bad_as(__LINE__, IT_DOMAIN, big, 255); /* 254 without the dot */
	}
}

static void test_url(void)
{
	OK(IT_URL, "HTTP://Evil.COM:80/a?b#c", "evil.com/a?b");
	OK(IT_URL, "evil.com/a?b", "evil.com/a?b");
	OK(IT_URL, "https://evil.com:443", "evil.com/");
	OK(IT_URL, "https://evil.com:8443/x", "evil.com:8443/x");
	OK(IT_URL, "http://evil.com.:80/A/B", "evil.com/A/B");
	OK(IT_URL, "ftp://user:pw@Files.Example.com/pub", "files.example.com/pub");
	OK(IT_URL, "http://evil.com?q=1", "evil.com/?q=1");
	OK(IT_URL, "http://evil.com#frag", "evil.com/");
	OK(IT_URL, "http://[2001:DB8::1]:8080/x", "[2001:db8::1]:8080/x");
	OK(IT_URL, "http://[2001:db8::1]/x", "[2001:db8::1]/x");
	OK(IT_URL, "hxxp-ish.example/%2e%2E/", "hxxp-ish.example/%2e%2E/");
	BAD(IT_URL, "http:///path");
	BAD(IT_URL, "http://evil.com:8o/");
	BAD(IT_URL, "http://evil .com/");
	BAD(IT_URL, "/just/a/path");
}

static void key(int line, const char *url, const char *host, const char *want)
{
	bool ok = intel_url_key(url, strlen(url), host, host ? strlen(host) : 0, &out);

	if (want == NULL) {
		CHECKF(!ok, "line %d: key of '%s' on '%s' given: '%s'", line, url, host ? host : "",
		       out.p);
		return;
	}
	CHECKF(ok && strcmp(out.p, want) == 0, "line %d: key of '%s' on '%s': '%s', want '%s'",
	       line, url, host ? host : "", ok ? out.p : "(none)", want);
}

static void test_url_key(void)
{
	key(__LINE__, "/a?b#c", "Evil.COM", "evil.com/a?b");
	key(__LINE__, "/a", "evil.com:80", "evil.com/a");
	key(__LINE__, "/a", "evil.com:8080", "evil.com:8080/a");
	key(__LINE__, "/a", "evil.com.", "evil.com/a");
	key(__LINE__, "http://Evil.com/a", "other.org", "evil.com/a");
	key(__LINE__, "evil.com:443", NULL, "evil.com/"); /* CONNECT's authority form */
	key(__LINE__, "", "evil.com", "evil.com/");
	key(__LINE__, "/a", NULL, NULL);
	key(__LINE__, "", NULL, NULL);
	key(__LINE__, "/a", "", NULL);
}

static void test_hashes(void)
{
	OK(IT_MD5, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e");
	OK(IT_JA3, " e7d705a3286e19ea42f587b344ee6865 ", "e7d705a3286e19ea42f587b344ee6865");
	OK(IT_SHA1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
	   "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	OK(IT_SHA256, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
	   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	OK(IT_SHA512,
	   "CF83E1357EEFB8BDF1542850D66D8007D620E4050B5715DC83F4A921D36CE9CE47D0D13C5D85F2B0FF8318D"
	   "2"
	   "877EEC2F63B931BD47417A81A538327AF927DA3E",
	   "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d"
	   "2"
	   "877eec2f63b931bd47417a81a538327af927da3e");
	OK(IT_CERT_SHA1, "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01",
	   "abcdef0123456789abcdef0123456789abcdef01");
	OK(IT_CERT_SHA1, "abcdef0123456789abcdef0123456789abcdef01",
	   "abcdef0123456789abcdef0123456789abcdef01");
	OK(IT_CERT_SHA256,
	   "E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:"
	   "52:"
	   "B8:55",
	   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	BAD(IT_MD5, "d41d8cd98f00b204e9800998ecf8427");   /* 31 */
	BAD(IT_MD5, "d41d8cd98f00b204e9800998ecf8427e0"); /* 33 */
	BAD(IT_MD5, "g41d8cd98f00b204e9800998ecf8427e");
	BAD(IT_MD5,
	    "d4:1d:8c:d9:8f:00:b2:04:e9:80:09:98:ec:f8:42:7e"); /* colons: certificates only */
	BAD(IT_SHA1, "d41d8cd98f00b204e9800998ecf8427e");
	BAD(IT_CERT_SHA1, "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF0:1");
	BAD(IT_CERT_SHA1, "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:0G");
}

static void test_other_types(void)
{
	char big[INTEL_MAX_VALUE + 2];

	OK(IT_EMAIL, " Alice@Example.COM ", "alice@example.com");
	BAD(IT_EMAIL, "alice");
	BAD(IT_EMAIL, "@example.com");
	BAD(IT_EMAIL, "alice@");
	OK(IT_OTHER, "  Global\\Mutex Name \n", "Global\\Mutex Name");
	/* every type: empty, control characters, over 2048 bytes */
	for (int t = IT_IP; t < IT_NTYPES; t++) {
		BAD((enum ind_type)t, "");
		BAD((enum ind_type)t, "   ");
		BAD((enum ind_type)t, "a\001b");
		BAD((enum ind_type)t, "a\x7f");
		bad_as(__LINE__, (enum ind_type)t, "ab\0cd", 5);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	BAD(IT_OTHER, big);
	big[INTEL_MAX_VALUE] = '\0';
	{
		enum ind_type t = IT_OTHER;
		const char *why;

		CHECK(intel_normalize(&t, big, INTEL_MAX_VALUE, &out, &why) &&
		      out.len == INTEL_MAX_VALUE);
	}
	BAD(IT_NONE, "x");
	BAD(IT_NTYPES, "x");
}

static void test_names(void)
{
	static const char *const want[] = {
	    "ipv4-addr", "ipv6-addr", "ip",        "domain-name", "url", "md5",   "sha1",
	    "sha256",    "sha512",    "x509-sha1", "x509-sha256", "ja3", "email", "other"};
	static const enum ind_type types[] = {
	    IT_IPV4,   IT_IPV6,   IT_IP,        IT_DOMAIN,      IT_URL, IT_MD5,   IT_SHA1,
	    IT_SHA256, IT_SHA512, IT_CERT_SHA1, IT_CERT_SHA256, IT_JA3, IT_EMAIL, IT_OTHER};

	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++) {
		CHECKF(strcmp(intel_type_name(types[i]), want[i]) == 0, "%d: %s", types[i],
		       intel_type_name(types[i]));
		CHECKF(intel_type_from_name(want[i]) == types[i], "%s", want[i]);
	}
	CHECK(intel_type_from_name("MD5") == IT_NONE);
	CHECK(intel_type_from_name("") == IT_NONE);
	CHECK(intel_type_from_name("none") == IT_NONE);
	CHECK(intel_type_name(IT_NTYPES) != NULL);
	CHECK(intel_type_name((enum ind_type) - 1) != NULL);
}

/* A million mixed values, timed (the contract: well under a second). */
static void test_speed(void)
{
	static const struct {
		enum ind_type t;
		const char *v;
	} mix[] = {
	    {IT_IP, "203.0.113.77"},
	    {IT_IP, "2001:DB8:0:0:1::1"},
	    {IT_IP, "198.51.100.0/24"},
	    {IT_DOMAIN, "Www.Some-Evil.Example.COM."},
	    {IT_URL, "http://Evil.example.com:80/path/x.php?id=1#f"},
	    {IT_MD5, "D41D8CD98F00B204E9800998ECF8427E"},
	    {IT_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	    {IT_EMAIL, "Someone@Example.org"},
	};
	size_t lens[8], n = 1000000, good = 0;
	struct timespec a, b;
	double s;

	for (int i = 0; i < 8; i++)
		lens[i] = strlen(mix[i].v);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (size_t i = 0; i < n; i++) {
		enum ind_type t = mix[i % 8].t;
		const char *why;

		good += intel_normalize(&t, mix[i % 8].v, lens[i % 8], &out, &why);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	CHECK(good == n);
	printf("# normalize: %zu values in %.3f s (%.1f M/s)\n", n, s, (double)n / s / 1e6);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (size_t i = 0; i < n; i++)
		good += intel_url_key("/path/x.php?id=1", 16, "Evil.example.com", 16, &out);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("# url key: %zu events in %.3f s (%.1f M/s)\n", n, s, (double)n / s / 1e6);
}

int main(void)
{
	strbuf_init(&out, 1u << 16);
	RUN(test_ip);
	RUN(test_domain);
	RUN(test_url);
	RUN(test_url_key);
	RUN(test_hashes);
	RUN(test_other_types);
	RUN(test_names);
	RUN(test_speed);
	strbuf_release(&out);
	DONE();
}
