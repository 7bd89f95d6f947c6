/*
 * privacy.c — the pseudonyms of privacy.h and the text scrubber.
 */
#include "privacy/privacy.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/cryptopan.h"

struct privacy {
	struct cryptopan *cp;
	uint8_t hkey[32];
	struct dt_prefix nets[PRIVACY_MAX_NETS];
	size_t nnets;
	char *domains[PRIVACY_MAX_DOMAINS]; /* lower case, no trailing dot */
	size_t dlen[PRIVACY_MAX_DOMAINS];
	size_t ndomains;
};

enum dt_err privacy_new(const uint8_t key[PRIVACY_KEY_BYTES], struct privacy **out)
{
	struct privacy *p = calloc(1, sizeof(*p));
	enum dt_err err;

	*out = NULL;
	if (!p)
		return DT_ENOMEM;
	if ((err = cryptopan_new(key, &p->cp))) {
		free(p);
		return err;
	}
	memcpy(p->hkey, key + CRYPTOPAN_KEY_BYTES, sizeof(p->hkey));
	*out = p;
	return DT_OK;
}

void privacy_free(struct privacy *p)
{
	if (!p)
		return;
	cryptopan_free(p->cp);
	for (size_t i = 0; i < p->ndomains; i++)
		free(p->domains[i]);
	sodium_memzero(p->hkey, sizeof(p->hkey));
	free(p);
}

enum dt_err privacy_add_net(struct privacy *p, const struct dt_prefix *net)
{
	struct dt_prefix h = *net;

	if (p->nnets == PRIVACY_MAX_NETS)
		return DT_ELIMIT;
	h.ip.addr &= dt_ip_mask(h.ip.family, h.len); /* host bits would never match */
	p->nets[p->nnets++] = h;
	return DT_OK;
}

void privacy_clear_nets(struct privacy *p)
{
	p->nnets = 0;
}

static inline char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static inline bool name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

enum dt_err privacy_add_domain(struct privacy *p, const char *d, size_t n)
{
	char *c;

	while (n && d[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || d[0] == '.')
		return DT_EPARSE;
	for (size_t i = 0; i < n; i++)
		if (!name_char((unsigned char)d[i]) ||
		    (d[i] == '.' && i + 1 < n && d[i + 1] == '.'))
			return DT_EPARSE;
	for (size_t i = 0; i < p->ndomains; i++)
		if (p->dlen[i] == n && strncasecmp(p->domains[i], d, n) == 0)
			return DT_OK;
	if (p->ndomains == PRIVACY_MAX_DOMAINS)
		return DT_ELIMIT;
	if (!(c = malloc(n + 1)))
		return DT_ENOMEM;
	for (size_t i = 0; i < n; i++)
		c[i] = lower(d[i]);
	c[n] = '\0';
	p->domains[p->ndomains] = c;
	p->dlen[p->ndomains++] = n;
	return DT_OK;
}

bool privacy_home_addr(const struct privacy *p, const struct dt_ip *ip)
{
	for (size_t i = 0; i < p->nnets; i++) {
		const struct dt_prefix *h = &p->nets[i];

		if (h->ip.family == ip->family &&
		    (ip->addr & dt_ip_mask(ip->family, h->len)) == h->ip.addr)
			return true;
	}
	return false;
}

bool privacy_addr(struct privacy *p, const struct dt_ip *ip, struct dt_ip *out)
{
	if (!privacy_home_addr(p, ip)) {
		*out = *ip;
		return false;
	}
	cryptopan_ip(p->cp, ip, out);
	return true;
}

void privacy_addr_always(struct privacy *p, const struct dt_ip *ip, struct dt_ip *out)
{
	cryptopan_ip(p->cp, ip, out);
}

void privacy_prefix(struct privacy *p, const struct dt_prefix *in, struct dt_prefix *out)
{
	cryptopan_prefix(p->cp, in, out);
}

size_t privacy_home_name(const struct privacy *p, const char *s, size_t n)
{
	while (n && s[n - 1] == '.')
		n--;
	for (size_t i = 0; i < p->ndomains; i++) {
		size_t dl = p->dlen[i];

		if (n < dl || strncasecmp(s + n - dl, p->domains[i], dl) != 0)
			continue;
		if (n == dl || s[n - dl - 1] == '.')
			return dl;
	}
	return 0;
}

/* n characters of base32 of the keyed hash of tag and s (lower-cased when
 * fold is set). */
static void pseudo(const struct privacy *p, char tag, const char *s, size_t n, bool fold, char *out,
                   size_t chars)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	crypto_generichash_state st;
	uint8_t h[16], buf[256];
	uint64_t acc = 0;
	unsigned bits = 0, k = 0;

	crypto_generichash_init(&st, p->hkey, sizeof(p->hkey), sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)&tag, 1);
	while (n) {
		size_t m = n < sizeof(buf) ? n : sizeof(buf);

		for (size_t i = 0; i < m; i++)
			buf[i] = (uint8_t)(fold ? lower(s[i]) : s[i]);
		crypto_generichash_update(&st, buf, m);
		s += m;
		n -= m;
	}
	crypto_generichash_final(&st, h, sizeof(h));
	for (size_t i = 0; i < chars; i++) {
		if (bits < 5) {
			acc = acc << 8 | h[k++];
			bits += 8;
		}
		out[i] = b32[(acc >> (bits - 5)) & 31];
		bits -= 5;
	}
}

size_t privacy_name(const struct privacy *p, const char *s, size_t n, char *out)
{
	size_t dl, o = 0;

	while (n && s[n - 1] == '.')
		n--;
	if (!(dl = privacy_home_name(p, s, n)))
		return 0;
	if (n > dl) {
		memcpy(out, "h-", 2);
		pseudo(p, 'n', s, n, true, out + 2, 10);
		out[12] = '.';
		o = 13;
	}
	memcpy(out + o, "d-", 2);
	pseudo(p, 'd', s + n - dl, dl, true, out + o + 2, 8);
	memcpy(out + o + 10, ".invalid", 9);
	return o + 18;
}

size_t privacy_user(const struct privacy *p, const char *s, size_t n, char *out)
{
	const char *at = memchr(s, '@', n);
	size_t o;

	if (n == 0)
		return 0;
	memcpy(out, "u-", 2);
	pseudo(p, 'u', s, at ? (size_t)(at - s) : n, false, out + 2, 12);
	o = 14;
	if (at) {
		size_t dn = n - (size_t)(at - s) - 1, k;

		out[o++] = '@';
		k = privacy_name(p, at + 1, dn, out + o);
		if (!k) {
			/* a foreign domain: the user is still the victim's; the
			 * domain is kept when it is a host name that fits, else
			 * it too becomes a value pseudonym (never a cut copy) */
			bool plain = dn > 0 && dn <= PRIVACY_PSEUDO_MAX - o;

			for (size_t i = 0; plain && i < dn; i++)
				plain = name_char((unsigned char)at[1 + i]);
			if (plain) {
				memcpy(out + o, at + 1, dn);
				k = dn;
			} else {
				memcpy(out + o, "v-", 2);
				pseudo(p, 'v', at + 1, dn, false, out + o + 2, 12);
				k = 14;
			}
		}
		o += k;
	}
	out[o] = '\0';
	return o;
}

size_t privacy_value(const struct privacy *p, const char *s, size_t n, char *out)
{
	if (n == 0)
		return 0;
	memcpy(out, "v-", 2);
	pseudo(p, 'v', s, n, false, out + 2, 12);
	out[14] = '\0';
	return 14;
}

/* ---- the text scrubber --------------------------------------------------- */

static inline bool hexc(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A home address in s[0..n)? Tries the whole token, then the forms with a
 * port (v4:port, v4.port, v6.port).  On success *alen is the address's
 * length and *a the address. */
static bool addr_token(const struct privacy *p, const char *s, size_t n, struct dt_ip *a,
                       size_t *alen)
{
	size_t dots = 0, colons = 0, cut = 0;

	if (n < 2 || n > 45)
		return false;
	if (dt_ip_parse(s, n, a) == DT_OK) {
		*alen = n;
		return privacy_home_addr(p, a);
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' && ++dots == 4 && !colons)
			cut = i; /* a.b.c.d.port */
		if (s[i] == ':')
			colons++;
	}
	if (!cut && colons == 1 && dots == 3) /* a.b.c.d:port */
		cut = (size_t)((const char *)memchr(s, ':', n) - s);
	if (!cut && colons >= 2) { /* v6.port */
		const char *d = memrchr(s, '.', n);

		if (d)
			cut = (size_t)(d - s);
	}
	if (cut && dt_ip_parse(s, cut, a) == DT_OK) {
		*alen = cut;
		return privacy_home_addr(p, a);
	}
	return false;
}

static enum dt_err put_addr(struct privacy *p, const struct dt_ip *a, struct strbuf *out)
{
	struct dt_ip q;
	char t[DT_IP_STRLEN];

	cryptopan_ip(p->cp, a, &q);
	return strbuf_add(out, t, dt_ip_format(&q, t));
}

static inline bool alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static inline bool span_char(unsigned char c)
{
	return hexc(c) || c == ':' || c == '.';
}

/*
 * Appends s[0..n) with the home addresses inside it replaced: maximal
 * spans of hex digits, ':' and '.' that neither start nor end next to a
 * letter or digit ("host-10.1.2.3", "10.1.2.3-10.1.2.9", "[fd00::1]"
 * pieces) and read as a home address, alone or with a port (addr_token).
 */
static enum dt_err scrub_addrs(struct privacy *p, const char *s, size_t n, struct strbuf *out,
                               struct privacy_counts *c)
{
	size_t i = 0, done = 0;
	enum dt_err err = DT_OK;

	while (!err && i < n) {
		struct dt_ip a;
		size_t j = i, alen;

		if (!span_char((unsigned char)s[i]) || (i > 0 && alnum((unsigned char)s[i - 1]))) {
			i++;
			continue;
		}
		while (j < n && span_char((unsigned char)s[j]))
			j++;
		if ((j == n || !alnum((unsigned char)s[j])) &&
		    addr_token(p, s + i, j - i, &a, &alen)) {
			err = strbuf_add(out, s + done, i - done);
			if (!err)
				err = put_addr(p, &a, out);
			if (c)
				c->addrs++;
			done = i + alen;
		}
		i = j;
	}
	return err ? err : strbuf_add(out, s + done, n - done);
}

/* A piece without '@': the ':'-separated parts that are host names under
 * a home domain become their pseudonyms (a trailing dot kept); what is
 * between them goes through scrub_addrs whole, so that IPv6 addresses and
 * addr:port stay in one piece. */
static enum dt_err scrub_piece(struct privacy *p, const char *s, size_t n, struct strbuf *out,
                               struct privacy_counts *c)
{
	char t[PRIVACY_PSEUDO_MAX + 1];
	size_t i = 0, plain = 0;
	enum dt_err err = DT_OK;

	while (!err && i <= n) {
		size_t j = i, k, m;

		while (j < n && s[j] != ':')
			j++;
		if (j > i && (k = privacy_name(p, s + i, j - i, t))) {
			err = scrub_addrs(p, s + plain, i - plain, out, c);
			for (m = j; m > i && s[m - 1] == '.';)
				m--;
			if (!err)
				err = strbuf_add(out, t, k);
			if (!err)
				err = strbuf_add(out, s + m, j - m);
			if (c)
				c->names++;
			plain = j;
		}
		i = j + 1;
	}
	return err ? err : scrub_addrs(p, s + plain, n - plain, out, c);
}

/* One run of name/address characters. */
static enum dt_err scrub_run(struct privacy *p, const char *s, size_t n, struct strbuf *out,
                             struct privacy_counts *c)
{
	char t[PRIVACY_PSEUDO_MAX + 1];
	const char *at = memchr(s, '@', n);
	enum dt_err err = DT_OK;
	size_t i;

	if (!at)
		return scrub_piece(p, s, n, out, c);
	/* user@home.domain: the local part starts after the last ':' ("mailto:") */
	{
		const char *dom = at + 1, *ls = at;
		size_t dn = n - (size_t)(dom - s), m = dn;

		while (ls > s && ls[-1] != ':')
			ls--;
		while (m && dom[m - 1] == '.')
			m--;
		if (ls < at && m && !memchr(dom, '@', dn) && !memchr(dom, ':', dn) &&
		    privacy_home_name(p, dom, m)) {
			err = scrub_piece(p, s, (size_t)(ls - s), out, c);
			if (!err)
				err = strbuf_add(out, t,
				                 privacy_user(p, ls, (size_t)(dom - ls) + m, t));
			if (c)
				c->users++;
			return err ? err : strbuf_add(out, dom + m, dn - m);
		}
	}
	/* otherwise each piece between '@'s on its own (user@10.1.2.3) */
	for (i = 0; !err && i <= n;) {
		const char *e = memchr(s + i, '@', n - i);
		size_t j = e ? (size_t)(e - s) : n;

		err = scrub_piece(p, s + i, j - i, out, c);
		if (!err && j < n)
			err = strbuf_addc(out, '@');
		i = j + 1;
	}
	return err;
}

static inline bool run_char(unsigned char c)
{
	return name_char(c) || c == ':' || c == '@' || c == '+';
}

enum dt_err privacy_scrub(struct privacy *p, const char *s, size_t n, struct strbuf *out,
                          struct privacy_counts *c)
{
	enum dt_err err = DT_OK;
	size_t i = 0;

	while (!err && i < n) {
		size_t j = i;

		while (j < n && !run_char((unsigned char)s[j]))
			j++;
		if (j > i)
			err = strbuf_add(out, s + i, j - i);
		i = j;
		while (j < n && run_char((unsigned char)s[j]))
			j++;
		if (!err && j > i)
			err = scrub_run(p, s + i, j - i, out, c);
		i = j;
	}
	return err;
}
