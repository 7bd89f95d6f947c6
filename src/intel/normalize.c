/*
 * normalize.c — the canonical text of an indicator value (intel/normalize.h
 * states the rules; this file is their one implementation).
 *
 * Every importer hands values over raw and the import driver calls
 * intel_normalize() once per value, so one million indicators must take
 * well under a second: each rule is a single pass over the bytes with no
 * allocation beyond the caller's reused strbuf.
 *
 * Format facts relied on:
 *   - addresses: core/ip.h parses the RFC 4291 §2.2 text forms and prints
 *     RFC 5952 §4 canonical text (lower-case hex, the longest run of two or
 *     more zero groups as "::", the first of equal runs) and §5's
 *     ::ffff:a.b.c.d for IPv4-mapped addresses.  An IPv4-mapped address
 *     or prefix is written in that mapped form and typed IT_IPV6 (it was
 *     written as IPv6); core/ip.h's dt_prefix_parse reads it back as the
 *     IPv4 prefix it names, so it matches the same events.
 *   - domains: RFC 1035 §2.3.4 lengths (labels ≤ 63, names ≤ 253 without
 *     the root dot); underscores are allowed because real names carry them
 *     (_dmarc, SRV owners); IDNs only as A-labels (RFC 5890 "xn--").
 *   - URLs: RFC 3986 §3 (scheme "://" authority path ? query # fragment);
 *     userinfo ("user:pass@") is not part of the host and is dropped.  The
 *     key has no scheme because Zeek Intel::URL values and HTTP logs have
 *     none.
 *   - certificate fingerprints are often printed as colon-separated
 *     upper-case byte pairs (openssl x509 -fingerprint).
 */
#include <string.h>

#include "core/ip.h"
#include "intel/normalize.h"

static const char *const type_names[IT_NTYPES] = {
    [IT_NONE] = "none",
    [IT_IP] = "ip",
    [IT_IPV4] = "ipv4-addr",
    [IT_IPV6] = "ipv6-addr",
    [IT_DOMAIN] = "domain-name",
    [IT_URL] = "url",
    [IT_MD5] = "md5",
    [IT_SHA1] = "sha1",
    [IT_SHA256] = "sha256",
    [IT_SHA512] = "sha512",
    [IT_CERT_SHA1] = "x509-sha1",
    [IT_CERT_SHA256] = "x509-sha256",
    [IT_JA3] = "ja3",
    [IT_EMAIL] = "email",
    [IT_OTHER] = "other",
};

const char *intel_type_name(enum ind_type t)
{
	if ((unsigned)t >= IT_NTYPES)
		return "none";
	return type_names[t];
}

enum ind_type intel_type_from_name(const char *name)
{
	if (name == NULL)
		return IT_NONE;
	for (int t = IT_NONE + 1; t < IT_NTYPES; t++)
		if (strcmp(name, type_names[t]) == 0)
			return (enum ind_type)t;
	return IT_NONE;
}

static inline char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static inline int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static inline bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Appends n bytes lower-cased. */
static bool add_lower(struct strbuf *out, const char *s, size_t n)
{
	size_t at = out->len;

	if (strbuf_add(out, s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		out->p[at + i] = lower(out->p[at + i]);
	return true;
}

/* ---- addresses -------------------------------------------------------- */

static bool norm_ip(enum ind_type *t, const char *s, size_t n, struct strbuf *out, const char **why)
{
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	char buf[DT_IP_STRLEN + 8];
	struct dt_ip ip;
	enum ind_type got;
	unsigned plen, bits;
	size_t k;

	*why = *t == IT_IPV4   ? "not an IPv4 address or CIDR"
	       : *t == IT_IPV6 ? "not an IPv6 address or CIDR"
	                       : "not an IP address or CIDR";
	if (dt_ip_parse(s, alen, &ip))
		return false;
	/* the width as written: a mapped address is written as IPv6 */
	bits = ip.family == DT_IP_V4 && !ip.mapped ? 32 : 128;
	plen = bits;
	if (slash) {
		size_t i = alen + 1;

		if (i == n || n - i > 3 || (n - i > 1 && s[i] == '0'))
			return false;
		plen = 0;
		for (; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			plen = plen * 10 + (unsigned)(s[i] - '0');
		}
		if (plen > bits)
			return false;
	}
	if (ip.mapped) {
		/* ::ffff:a.b.c.d/L: the low 32 bits are an IPv4 address */
		if (plen < 96)
			return false; /* reaches into the ::ffff: prefix itself */
		ip.addr &= dt_ip_mask(DT_IP_V4, plen - 96);
		got = IT_IPV6;
	} else {
		ip.addr &= dt_ip_mask(ip.family, plen);
		got = ip.family == DT_IP_V4 ? IT_IPV4 : IT_IPV6;
	}
	if ((*t == IT_IPV4 || *t == IT_IPV6) && *t != got)
		return false;
	k = dt_ip_format(&ip, buf);
	if (plen != bits) {
		struct dt_prefix p = {.ip = ip, .len = (uint8_t)plen};

		if (ip.mapped) {
			buf[k++] = '/';
			if (plen >= 100)
				buf[k++] = (char)('0' + plen / 100);
			buf[k++] = (char)('0' + plen / 10 % 10);
			buf[k++] = (char)('0' + plen % 10);
		} else {
			k = dt_prefix_format(&p, buf);
		}
	}
	if (strbuf_add(out, buf, k)) {
		*why = "value too long";
		return false;
	}
	*t = got;
	return true;
}

/* ---- domains ---------------------------------------------------------- */

static bool norm_domain(const char *s, size_t n, struct strbuf *out, const char **why)
{
	size_t label = 0;

	if (n >= 2 && s[0] == '*' && s[1] == '.') {
		*why = "wildcard domain names are not indicators";
		return false;
	}
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0) {
		*why = "empty domain name";
		return false;
	}
	if (n > 253) {
		*why = "domain name longer than 253 bytes";
		return false;
	}
	if (strbuf_add(out, s, n)) {
		*why = "value too long";
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = out->p[i];

		if (c == '.') {
			if (label == 0) {
				*why = "domain name has an empty label";
				return false;
			}
			label = 0;
			continue;
		}
		if (c >= 'A' && c <= 'Z') {
			out->p[i] = (char)(c + 32);
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		             c == '_')) {
			*why =
			    "domain name has a character other than letters, digits, '-' and '_'";
			return false;
		}
		if (++label > 63) {
			*why = "domain name label longer than 63 bytes";
			return false;
		}
	}
	if (label == 0) {
		*why = "domain name has an empty label";
		return false;
	}
	return true;
}

/* ---- URLs -------------------------------------------------------------- */

/* Length of a "scheme://" prefix of s, or 0 (RFC 3986 §3.1 scheme). */
static size_t scheme_len(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '-' || c == '.'))
			break;
	}
	if (n - i >= 3 && s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
		return i + 3;
	return 0;
}

/*
 * Appends the key of an authority (host[:port], userinfo dropped) s[0..n)
 * and of the rest r[0..rn) (path, query, fragment).  False when the host
 * is empty or the port is not a number.
 */
static bool url_key(const char *s, size_t n, const char *r, size_t rn, struct strbuf *out,
                    const char **why)
{
	const char *at = memchr(s, '@', n);
	const char *port = NULL;
	size_t hlen, plen = 0, at0 = out->len;
	const char *frag;

	if (at) {
		n -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	/* the port: after the last ':' outside an IPv6 literal's brackets */
	hlen = n;
	for (size_t i = n; i-- > 0;) {
		if (s[i] == ']')
			break;
		if (s[i] == ':') {
			port = s + i + 1;
			plen = n - i - 1;
			hlen = i;
			break;
		}
	}
	if (hlen > 0 && s[hlen - 1] == '.')
		hlen--;
	if (hlen == 0) {
		*why = "URL has no host";
		return false;
	}
	for (size_t i = 0; i < plen; i++)
		if (port[i] < '0' || port[i] > '9') {
			*why = "URL port is not a number";
			return false;
		}
	if (!add_lower(out, s, hlen))
		goto toolong;
	if (plen > 0 && !(plen == 2 && port[0] == '8' && port[1] == '0') &&
	    !(plen == 3 && port[0] == '4' && port[1] == '4' && port[2] == '3')) {
		if (strbuf_addc(out, ':') || strbuf_add(out, port, plen))
			goto toolong;
	}
	frag = memchr(r, '#', rn);
	if (frag)
		rn = (size_t)(frag - r);
	if (rn == 0 || r[0] != '/') {
		if (strbuf_addc(out, '/'))
			goto toolong;
	}
	if (strbuf_add(out, r, rn))
		goto toolong;
	return true;
toolong:
	out->len = at0;
	*why = "value too long";
	return false;
}

/* Splits "[scheme://]authority[/path][?query][#fragment]" and keys it. */
static bool norm_url(const char *s, size_t n, struct strbuf *out, const char **why)
{
	size_t sl = scheme_len(s, n), a;

	s += sl;
	n -= sl;
	for (a = 0; a < n; a++)
		if (s[a] == '/' || s[a] == '?' || s[a] == '#')
			break;
	return url_key(s, a, s + a, n - a, out, why);
}

bool intel_url_key(const char *url, size_t ulen, const char *host, size_t hlen, struct strbuf *out)
{
	const char *why;

	strbuf_reset(out);
	if (ulen > 0 && url[0] == '/') {
		if (hlen == 0)
			return false;
		return url_key(host, hlen, url, ulen, out, &why);
	}
	if (ulen == 0) {
		if (hlen == 0)
			return false;
		return url_key(host, hlen, "", 0, out, &why);
	}
	return norm_url(url, ulen, out, &why);
}

/* ---- hashes ----------------------------------------------------------- */

static bool norm_hash(enum ind_type t, const char *s, size_t n, struct strbuf *out,
                      const char **why)
{
	size_t want;
	bool colons = false;
	char *o;

	switch (t) {
	case IT_MD5: want = 32, *why = "MD5 must be 32 hex digits"; break;
	case IT_JA3: want = 32, *why = "JA3 must be 32 hex digits (an MD5)"; break;
	case IT_SHA1: want = 40, *why = "SHA-1 must be 40 hex digits"; break;
	case IT_SHA256: want = 64, *why = "SHA-256 must be 64 hex digits"; break;
	case IT_SHA512: want = 128, *why = "SHA-512 must be 128 hex digits"; break;
	case IT_CERT_SHA1:
		want = 40, *why = "certificate SHA-1 must be 40 hex digits";
		colons = true;
		break;
	default:
		want = 64, *why = "certificate SHA-256 must be 64 hex digits";
		colons = true;
		break;
	}
	if (colons && n == want / 2 * 3 - 1) {
		/* "AB:CD:..": a colon after every byte but the last */
		for (size_t i = 2; i < n; i += 3)
			if (s[i] != ':')
				return false;
	} else if (n != want) {
		return false;
	}
	if (strbuf_add(out, s, want)) /* make room; overwritten below */
		return false;
	o = out->p;
	for (size_t i = 0, k = 0; i < n; i++) {
		int v;

		if (n != want && i % 3 == 2)
			continue;
		v = hexval(s[i]);
		if (v < 0)
			return false;
		o[k++] = "0123456789abcdef"[v];
	}
	return true;
}

/* ---- the entry point -------------------------------------------------- */

bool intel_normalize(enum ind_type *t, const char *v, size_t len, struct strbuf *out,
                     const char **why)
{
	strbuf_reset(out);
	while (len > 0 && is_space(v[0]))
		v++, len--;
	while (len > 0 && is_space(v[len - 1]))
		len--;
	if (len == 0) {
		*why = "empty value";
		return false;
	}
	if (len > INTEL_MAX_VALUE) {
		*why = "value longer than 2048 bytes";
		return false;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
			*why = "value has a control character";
			return false;
		}
	switch (*t) {
	case IT_IP:
	case IT_IPV4:
	case IT_IPV6: return norm_ip(t, v, len, out, why);
	case IT_DOMAIN: return norm_domain(v, len, out, why);
	case IT_URL:
		for (size_t i = 0; i < len; i++)
			if (v[i] == ' ') {
				*why = "URL has a space";
				return false;
			}
		return norm_url(v, len, out, why);
	case IT_MD5:
	case IT_SHA1:
	case IT_SHA256:
	case IT_SHA512:
	case IT_CERT_SHA1:
	case IT_CERT_SHA256:
	case IT_JA3: return norm_hash(*t, v, len, out, why);
	case IT_EMAIL: {
		const char *at = memchr(v, '@', len);

		if (at == NULL || at == v || at == v + len - 1 || memchr(v, ' ', len)) {
			*why = "not an e-mail address";
			return false;
		}
		if (!add_lower(out, v, len)) {
			*why = "value too long";
			return false;
		}
		return true;
	}
	case IT_OTHER:
		if (strbuf_add(out, v, len)) {
			*why = "value too long";
			return false;
		}
		return true;
	default: *why = "unknown indicator type"; return false;
	}
}
