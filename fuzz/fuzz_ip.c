/*
 * fuzz_ip.c — the address, prefix and 128-bit decimal parsers (core/ip.h).
 *
 * The whole input is one slice handed to dt_ip_parse, dt_prefix_parse and
 * dt_u128_parse (libFuzzer's buffer is exactly that long, so a read past
 * the slice is an AddressSanitizer report).  When a parse succeeds:
 *   - the value is well formed (family, width, mapped only for IPv4; a
 *     prefix has len <= width and zero host bits);
 *   - format -> parse gives the same value, and formatting that value again
 *     gives the same text (the printer is canonical, the parser accepts
 *     everything the printer writes);
 *   - had_host_bits says exactly whether masking changed the address;
 *   - dt_ip_parse agrees with glibc's inet_pton, which implements the same
 *     grammar (RFC 4291 2.2, dotted quads without leading zeros), on what
 *     it accepts and the value, and dt_ip_format agrees with inet_ntop
 *     wherever inet_ntop writes RFC 5952 text (not for ::a.b.c.d);
 *   - dt_u128_parse accepts exactly 1..39 decimal digits of a value below
 *     2^128 and returns that value.
 */
#include <arpa/inet.h>

#include "fuzz.h"

static const char U128_MAX[] = "340282366920938463463374607431768211455";

static size_t format_u128(dt_u128 v, char *buf)
{
	char tmp[48];
	size_t n = 0, k = 0;

	do {
		tmp[n++] = (char)('0' + (unsigned)(v % 10));
		v /= 10;
	} while (v);
	while (n)
		buf[k++] = tmp[--n];
	buf[k] = '\0';
	return k;
}

static void check_ip(const char *s, size_t len)
{
	struct dt_ip ip, again;
	char buf[DT_IP_STRLEN + 8], buf2[DT_IP_STRLEN + 8];
	size_t n, n2;
	enum dt_err err = dt_ip_parse(s, len, &ip);
	char z[DT_IP_STRLEN + 2];
	unsigned char bin[16];
	bool has_nul = memchr(s, '\0', len) != NULL;

	/* differential: glibc inet_pton on the same text */
	if (!has_nul && len <= DT_IP_STRLEN) {
		int ok4, ok6;

		memcpy(z, s, len);
		z[len] = '\0';
		ok4 = inet_pton(AF_INET, z, bin) == 1;
		if (ok4) {
			uint32_t v = ((uint32_t)bin[0] << 24) | ((uint32_t)bin[1] << 16) |
				     ((uint32_t)bin[2] << 8) | bin[3];

			FUZZ_CHECK(err == DT_OK && ip.family == DT_IP_V4 && !ip.mapped &&
				   ip.addr == v);
		}
		ok6 = !ok4 && inet_pton(AF_INET6, z, bin) == 1;
		if (ok6) {
			dt_u128 v = fuzz_u128(bin, 16);

			FUZZ_CHECK(err == DT_OK);
			if ((v >> 32) == 0xffff)
				FUZZ_CHECK(ip.family == DT_IP_V4 && ip.mapped &&
					   ip.addr == (v & 0xffffffffu));
			else
				FUZZ_CHECK(ip.family == DT_IP_V6 && !ip.mapped && ip.addr == v);
		}
		if (!ok4 && !ok6)
			FUZZ_CHECK(err != DT_OK);
	}
	if (err != DT_OK)
		return;
	FUZZ_CHECK(!has_nul);
	FUZZ_CHECK(ip.family == DT_IP_V4 || ip.family == DT_IP_V6);
	FUZZ_CHECK(!ip.mapped || ip.family == DT_IP_V4);
	FUZZ_CHECK(ip.addr <= dt_ip_max(ip.family));

	n = dt_ip_format(&ip, buf);
	FUZZ_CHECK(n > 0 && n < DT_IP_STRLEN && strlen(buf) == n);
	FUZZ_CHECK(dt_ip_parse(buf, n, &again) == DT_OK);
	FUZZ_CHECK(again.family == ip.family && again.mapped == ip.mapped &&
		   again.addr == ip.addr);
	n2 = dt_ip_format(&again, buf2);
	FUZZ_CHECK(n2 == n && memcmp(buf, buf2, n) == 0);

	/* inet_ntop writes RFC 5952 text except for ::a.b.c.d (IPv4-compatible) */
	{
		char nt[INET6_ADDRSTRLEN];

		if (ip.family == DT_IP_V6) {
			for (int i = 15; i >= 0; i--) {
				bin[i] = (unsigned char)(ip.addr >> (8 * (15 - i)));
			}
			if ((ip.addr >> 32) != 0 || ip.addr <= 0xffff) {
				FUZZ_CHECK(inet_ntop(AF_INET6, bin, nt, sizeof(nt)) != NULL);
				FUZZ_CHECK(strcmp(nt, buf) == 0);
			}
		} else if (!ip.mapped) {
			uint32_t v = (uint32_t)ip.addr;

			bin[0] = (unsigned char)(v >> 24);
			bin[1] = (unsigned char)(v >> 16);
			bin[2] = (unsigned char)(v >> 8);
			bin[3] = (unsigned char)v;
			FUZZ_CHECK(inet_ntop(AF_INET, bin, nt, sizeof(nt)) != NULL);
			FUZZ_CHECK(strcmp(nt, buf) == 0);
		} else {
			FUZZ_CHECK(strncmp(buf, "::ffff:", 7) == 0);
		}
	}
}

static void check_prefix(const char *s, size_t len)
{
	struct dt_prefix p, again;
	struct dt_ip ip0;
	bool hb = true, hb2 = true;
	char buf[DT_IP_STRLEN + 8], buf2[DT_IP_STRLEN + 8];
	size_t n, n2;
	const char *slash;
	size_t alen;

	if (dt_prefix_parse(s, len, &p, &hb) != DT_OK)
		return;
	FUZZ_CHECK(p.ip.family == DT_IP_V4 || p.ip.family == DT_IP_V6);
	FUZZ_CHECK(!p.ip.mapped);
	FUZZ_CHECK(p.len <= dt_ip_bits(p.ip.family));
	FUZZ_CHECK(p.ip.addr <= dt_ip_max(p.ip.family));
	FUZZ_CHECK((p.ip.addr & ~dt_ip_mask(p.ip.family, p.len)) == 0);

	/* the address part parses alone; had_host_bits is what masking cleared */
	slash = memchr(s, '/', len);
	alen = slash ? (size_t)(slash - s) : len;
	FUZZ_CHECK(dt_ip_parse(s, alen, &ip0) == DT_OK);
	FUZZ_CHECK(ip0.family == p.ip.family);
	FUZZ_CHECK((ip0.addr & dt_ip_mask(p.ip.family, p.len)) == p.ip.addr);
	FUZZ_CHECK(hb == (ip0.addr != p.ip.addr));
	if (!slash)
		FUZZ_CHECK(p.len == dt_ip_bits(p.ip.family) && !hb);

	n = dt_prefix_format(&p, buf);
	FUZZ_CHECK(n > 0 && n < DT_IP_STRLEN && strlen(buf) == n);
	FUZZ_CHECK(dt_prefix_parse(buf, n, &again, &hb2) == DT_OK);
	FUZZ_CHECK(!hb2);
	FUZZ_CHECK(again.ip.family == p.ip.family && again.len == p.len &&
		   again.ip.addr == p.ip.addr && !again.ip.mapped);
	n2 = dt_prefix_format(&again, buf2);
	FUZZ_CHECK(n2 == n && memcmp(buf, buf2, n) == 0);
	/* without NULL for had_host_bits: the same answer */
	FUZZ_CHECK(dt_prefix_parse(s, len, &again, NULL) == DT_OK);
	FUZZ_CHECK(again.ip.family == p.ip.family && again.len == p.len &&
		   again.ip.addr == p.ip.addr);
}

static void check_u128(const char *s, size_t len)
{
	dt_u128 v;
	enum dt_err err = dt_u128_parse(s, len, &v);
	bool digits = len > 0 && len <= 39;
	size_t z = 0, sig;
	char buf[48];
	size_t n;

	for (size_t i = 0; digits && i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			digits = false;
	if (!digits) {
		FUZZ_CHECK(err != DT_OK);
		return;
	}
	while (z + 1 < len && s[z] == '0')
		z++;
	sig = len - z;
	/* fits exactly when the significant digits are at most U128_MAX */
	bool fits = sig < 39 || (sig == 39 && memcmp(s + z, U128_MAX, 39) <= 0);

	FUZZ_CHECK((err == DT_OK) == fits);
	if (err != DT_OK)
		return;
	n = format_u128(v, buf);
	FUZZ_CHECK(n == sig && memcmp(buf, s + z, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	check_ip(s, size);
	check_prefix(s, size);
	check_u128(s, size);
	return 0;
}
