/*
 * fuzz_scrub.c — the generic text scrubber (privacy_scrub,
 * privacy/privacy.h) on arbitrary bytes.
 *
 * Two fixed contexts (key bytes 0..63): one with home networks 10/8,
 * 192.168/16, fd00::/8 and home domains bank.example and corp.test, one
 * with none.  Properties:
 *   - no crash, no read outside the input, no undefined behaviour;
 *   - with no home networks or domains the output is the input, byte for
 *     byte;
 *   - otherwise the bytes outside name/address runs ([A-Za-z0-9._:@+-])
 *     are kept in order, each run of the input is one run of the output
 *     (pseudonyms are made of run characters), and a run that is exactly
 *     a home address becomes its pseudonym (privacy_addr, formatted), a
 *     run that is exactly a name under a home domain its privacy_name;
 *   - scrubbing is local: the input cut at a byte outside any run gives
 *     the same output in two pieces as in one.
 */
#include "fuzz.h"
#include "core/strbuf.h"
#include "privacy/privacy.h"

static struct privacy *home, *none;
static struct strbuf o1, o2, o3;

static bool run_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == ':' || c == '@' || c == '+';
}

static void setup(void)
{
	static const char *const nets[] = {"10.0.0.0/8", "192.168.0.0/16", "fd00::/8"};
	uint8_t key[PRIVACY_KEY_BYTES];

	for (int i = 0; i < PRIVACY_KEY_BYTES; i++)
		key[i] = (uint8_t)i;
	FUZZ_CHECK(privacy_new(key, &home) == DT_OK && privacy_new(key, &none) == DT_OK);
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		struct dt_prefix n;

		FUZZ_CHECK(dt_prefix_parse(nets[i], strlen(nets[i]), &n, NULL) == DT_OK);
		FUZZ_CHECK(privacy_add_net(home, &n) == DT_OK);
	}
	FUZZ_CHECK(privacy_add_domain(home, "bank.example", 12) == DT_OK);
	FUZZ_CHECK(privacy_add_domain(home, "corp.test", 9) == DT_OK);
	strbuf_init(&o1, (size_t)64 << 20);
	strbuf_init(&o2, (size_t)64 << 20);
	strbuf_init(&o3, (size_t)64 << 20);
}

/* The output run o[0..on) of the input run s[0..n). */
static void check_run(const char *s, size_t n, const char *o, size_t on)
{
	struct dt_ip a, q;
	char f[DT_IP_STRLEN + PRIVACY_PSEUDO_MAX];
	size_t k;

	if (dt_ip_parse(s, n, &a) == DT_OK && privacy_addr(home, &a, &q)) {
		k = dt_ip_format(&q, f);
		FUZZ_CHECK(k == on && memcmp(f, o, on) == 0);
		return;
	}
	if (!memchr(s, ':', n) && !memchr(s, '@', n) && (k = privacy_name(home, s, n, f))) {
		size_t m = n;

		while (m && s[m - 1] == '.')
			m--;
		FUZZ_CHECK(k + (n - m) == on && memcmp(f, o, k) == 0 &&
		           memcmp(s + m, o + k, n - m) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t ri = 0, ro = 0, cut;

	if (!home)
		setup();
	if (size > 65536)
		return 0;
	strbuf_reset(&o1);
	FUZZ_CHECK(privacy_scrub(none, s, size, &o1, NULL) == DT_OK);
	FUZZ_CHECK(o1.len == size && (size == 0 || memcmp(o1.p, s, size) == 0));

	strbuf_reset(&o1);
	FUZZ_CHECK(privacy_scrub(home, s, size, &o1, NULL) == DT_OK);
	while (ri < size || ro < o1.len) {
		size_t i0 = ri, o0 = ro;

		if (ri < size && !run_char((unsigned char)s[ri])) {
			FUZZ_CHECK(ro < o1.len && o1.p[ro] == s[ri]);
			ri++;
			ro++;
			continue;
		}
		while (ri < size && run_char((unsigned char)s[ri]))
			ri++;
		while (ro < o1.len && run_char((unsigned char)o1.p[ro]))
			ro++;
		FUZZ_CHECK(ri > i0 && ro > o0);
		check_run(s + i0, ri - i0, o1.p + o0, ro - o0);
	}

	/* cut after the first byte outside a run past the middle */
	for (cut = size / 2; cut < size && run_char((unsigned char)s[cut]);)
		cut++;
	if (cut < size) {
		cut++;
		strbuf_reset(&o2);
		strbuf_reset(&o3);
		FUZZ_CHECK(privacy_scrub(home, s, cut, &o2, NULL) == DT_OK);
		FUZZ_CHECK(privacy_scrub(home, s + cut, size - cut, &o3, NULL) == DT_OK);
		FUZZ_CHECK(o2.len + o3.len == o1.len);
		FUZZ_CHECK(o2.len == 0 || memcmp(o1.p, o2.p, o2.len) == 0);
		FUZZ_CHECK(o3.len == 0 || memcmp(o1.p + o2.len, o3.p, o3.len) == 0);
	}
	return 0;
}
