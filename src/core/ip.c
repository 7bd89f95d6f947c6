/*
 * ip.c — address parsing and canonical printing.
 *
 * Hand-written rather than inet_pton(3) because the hot path of bulk trace
 * and ingest parses one address per record from a slice that is not
 * NUL-terminated, and because the accepted grammar must be exactly the same
 * on every platform (glibc and musl differ on leading zeros).
 */
#include "core/ip.h"

#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Dotted quad from s[0..len), exactly; no leading zeros. */
static enum dt_err parse_v4(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0;
	size_t i = 0;

	if (len < 7 || len > 15)
		return DT_EPARSE;
	for (int part = 0; part < 4; part++) {
		unsigned n, d0;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return DT_EPARSE;
			i++;
		}
		/* one to three digits, no leading zero, at most 255 */
		if (i >= len || (d0 = (unsigned)(s[i] - '0')) > 9)
			return DT_EPARSE;
		n = d0;
		i++;
		if (i < len && (unsigned)(s[i] - '0') <= 9) {
			if (d0 == 0)
				return DT_EPARSE;
			n = n * 10 + (unsigned)(s[i++] - '0');
			if (i < len && (unsigned)(s[i] - '0') <= 9) {
				n = n * 10 + (unsigned)(s[i++] - '0');
				if (n > 255 || (i < len && (unsigned)(s[i] - '0') <= 9))
					return DT_EPARSE;
			}
		}
		v = (v << 8) | n;
	}
	if (i != len)
		return DT_EPARSE;
	*out = v;
	return DT_OK;
}

static enum dt_err parse_v6(const char *s, size_t len, dt_u128 *out)
{
	uint16_t g[8] = {0};
	int ng = 0, gap = -1;
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
		if (i == len)
			goto done;
	} else if (len >= 1 && s[0] == ':') {
		return DT_EPARSE;
	}
	for (;;) {
		size_t start = i;
		unsigned v = 0;

		while (i < len && i - start < 5 && hexval(s[i]) >= 0) {
			v = (v << 4) | (unsigned)hexval(s[i]);
			i++;
		}
		if (i < len && s[i] == '.') {
			/* embedded IPv4 in the last 32 bits */
			uint32_t v4;

			if (ng > 6 || parse_v4(s + start, len - start, &v4))
				return DT_EPARSE;
			g[ng++] = (uint16_t)(v4 >> 16);
			g[ng++] = (uint16_t)v4;
			break;
		}
		if (i == start || i - start > 4 || ng >= 8)
			return DT_EPARSE;
		g[ng++] = (uint16_t)v;
		if (i == len)
			break;
		if (s[i] != ':')
			return DT_EPARSE;
		i++;
		if (i < len && s[i] == ':') {
			if (gap >= 0)
				return DT_EPARSE;
			gap = ng;
			i++;
			if (i == len)
				break;
		} else if (i == len) {
			return DT_EPARSE; /* trailing single colon */
		}
	}
done:
	if (gap >= 0) {
		int tail = ng - gap;

		if (ng >= 8)
			return DT_EPARSE; /* "::" must stand for at least one group */
		memmove(g + 8 - tail, g + gap, (size_t)tail * sizeof(g[0]));
		memset(g + gap, 0, (size_t)(8 - ng) * sizeof(g[0]));
	} else if (ng != 8) {
		return DT_EPARSE;
	}
	dt_u128 a = 0;
	for (int k = 0; k < 8; k++)
		a = (a << 16) | g[k];
	*out = a;
	return DT_OK;
}

enum dt_err dt_ip_parse(const char *s, size_t len, struct dt_ip *out)
{
	uint32_t v4;
	dt_u128 v6;

	if (len == 0 || len > DT_IP_STRLEN)
		return DT_EPARSE;
	if (memchr(s, ':', len) == NULL) {
		if (parse_v4(s, len, &v4))
			return DT_EPARSE;
		out->family = DT_IP_V4;
		out->mapped = false;
		out->addr = v4;
		return DT_OK;
	}
	if (parse_v6(s, len, &v6))
		return DT_EPARSE;
	if ((v6 >> 32) == 0xffff) {
		out->family = DT_IP_V4;
		out->mapped = true;
		out->addr = (uint32_t)v6;
		return DT_OK;
	}
	out->family = DT_IP_V6;
	out->mapped = false;
	out->addr = v6;
	return DT_OK;
}

enum dt_err dt_prefix_parse(const char *s, size_t len, struct dt_prefix *out, bool *had_host_bits)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	unsigned plen;
	dt_u128 mask;

	if (dt_ip_parse(s, alen, &out->ip))
		return DT_EPARSE;
	if (slash == NULL) {
		plen = out->ip.mapped ? 128 : dt_ip_bits(out->ip.family);
	} else {
		size_t i = alen + 1;

		if (i == len || len - i > 3)
			return DT_EPARSE;
		plen = 0;
		for (; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return DT_EPARSE;
			plen = plen * 10 + (unsigned)(s[i] - '0');
		}
		if (len - alen - 1 > 1 && s[alen + 1] == '0')
			return DT_EPARSE;
	}
	if (out->ip.mapped) {
		/* ::ffff:a.b.c.d/L is the IPv4 prefix a.b.c.d/(L-96) */
		if (plen < 96 || plen > 128)
			return DT_EPARSE;
		plen -= 96;
		out->ip.mapped = false;
	}
	if (plen > dt_ip_bits(out->ip.family))
		return DT_EPARSE;
	mask = dt_ip_mask(out->ip.family, plen);
	if (had_host_bits)
		*had_host_bits = (out->ip.addr & ~mask & dt_ip_max(out->ip.family)) != 0;
	out->ip.addr &= mask;
	out->len = (uint8_t)plen;
	return DT_OK;
}

enum dt_err dt_u128_parse(const char *s, size_t len, dt_u128 *out)
{
	dt_u128 v = 0;
	const dt_u128 limit = ~(dt_u128)0 / 10;

	if (len == 0 || len > 39)
		return DT_EPARSE;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return DT_EPARSE;
		d = (unsigned)(s[i] - '0');
		if (v > limit || (v == limit && d > (unsigned)(~(dt_u128)0 % 10)))
			return DT_EPARSE;
		v = v * 10 + d;
	}
	*out = v;
	return DT_OK;
}

static size_t format_v4(uint32_t a, char *buf)
{
	char *p = buf;

	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned o = (a >> shift) & 0xff;

		if (o >= 100)
			*p++ = (char)('0' + o / 100);
		if (o >= 10)
			*p++ = (char)('0' + (o / 10) % 10);
		*p++ = (char)('0' + o % 10);
		if (shift)
			*p++ = '.';
	}
	*p = '\0';
	return (size_t)(p - buf);
}

static size_t format_v6(dt_u128 a, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	uint16_t g[8];
	int best = -1, bestlen = 0;
	char *p = buf;

	for (int k = 7; k >= 0; k--) {
		g[k] = (uint16_t)a;
		a >>= 16;
	}
	for (int k = 0; k < 8;) {
		int run = 0;

		while (k + run < 8 && g[k + run] == 0)
			run++;
		if (run > bestlen && run >= 2) {
			best = k;
			bestlen = run;
		}
		k += run ? run : 1;
	}
	for (int k = 0; k < 8; k++) {
		if (k == best) {
			*p++ = ':';
			if (k == 0)
				*p++ = ':';
			k += bestlen - 1;
			continue;
		}
		int started = 0;
		for (int shift = 12; shift >= 0; shift -= 4) {
			unsigned d = (g[k] >> shift) & 0xf;

			if (d || started || shift == 0) {
				*p++ = hex[d];
				started = 1;
			}
		}
		if (k < 7)
			*p++ = ':';
	}
	*p = '\0';
	return (size_t)(p - buf);
}

size_t dt_ip_format(const struct dt_ip *ip, char *buf)
{
	if (ip->family == DT_IP_V4) {
		if (ip->mapped) {
			memcpy(buf, "::ffff:", 7);
			return 7 + format_v4((uint32_t)ip->addr, buf + 7);
		}
		return format_v4((uint32_t)ip->addr, buf);
	}
	return format_v6(ip->addr, buf);
}

size_t dt_prefix_format(const struct dt_prefix *p, char *buf)
{
	size_t n = dt_ip_format(&p->ip, buf);
	unsigned len = p->len;
	char tmp[4];
	int k = 0;

	buf[n++] = '/';
	do {
		tmp[k++] = (char)('0' + len % 10);
		len /= 10;
	} while (len);
	while (k)
		buf[n++] = tmp[--k];
	buf[n] = '\0';
	return n;
}

static unsigned clz128(dt_u128 x)
{
	uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;

	if (hi)
		return (unsigned)__builtin_clzll(hi);
	if (lo)
		return 64 + (unsigned)__builtin_clzll(lo);
	return 128;
}

/*
 * The block of addr at length L lies above lo - 1 exactly when addr and
 * lo - 1 differ within the first L bits, i.e. L > clz(addr ^ (lo - 1));
 * likewise for hi + 1.  The answer is the larger of the two bounds.
 */
uint8_t dt_ip_widest_prefix(uint8_t family, dt_u128 addr, dt_u128 lo, dt_u128 hi)
{
	unsigned pad = family == DT_IP_V4 ? 96 : 0;
	unsigned l1 = 0, l2 = 0;

	if (lo > 0)
		l1 = clz128(addr ^ (lo - 1)) - pad + 1;
	if (hi < dt_ip_max(family))
		l2 = clz128(addr ^ (hi + 1)) - pad + 1;
	return (uint8_t)(l1 > l2 ? l1 : l2);
}
