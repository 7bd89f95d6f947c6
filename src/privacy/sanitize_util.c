/*
 * sanitize_util.c — see sanitize_util.h.
 *
 * The address cache maps the text of an address (as written) to the text
 * written for it, so that a log that names the same hosts line after line
 * pays for parsing, Crypto-PAn and formatting once per host.  It is
 * direct-mapped: a collision only costs a recomputation.
 */
#include "privacy/sanitize_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_TEXT    46 /* longest address text cached (45) + 1 */
#define PATH_MAX_JSON 256

struct san_cache_slot {
	uint8_t in_len, out_len; /* in_len 0: empty slot */
	bool home;
	char in[CACHE_TEXT];
	char out[CACHE_TEXT];
};

const char SAN_SECRET_PARAMS[] =
    "user,username,login,email,mail,uid,account,name,session,sessionid,sid,token,auth,key,"
    "password,pass,pwd,passwd,phone,id_token,access_token";

enum dt_err san_init(struct san *s, struct privacy *p, struct privacy_counts *c)
{
	memset(s, 0, sizeof(*s));
	s->p = p;
	s->c = c ? c : &s->own;
	strbuf_init(&s->tmp, SAN_MAX_OUT);
	s->cache = calloc(SAN_CACHE_SLOTS, sizeof(*s->cache));
	return s->cache ? DT_OK : DT_ENOMEM;
}

void san_release(struct san *s)
{
	if (!s)
		return;
	free(s->cache);
	s->cache = NULL;
	strbuf_release(&s->tmp);
}

static inline char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

bool san_eq_nocase(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' || lower(s[i]) != lower(lit[i]))
			return false;
	return lit[i] == '\0';
}

static inline bool name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

static inline bool hexc(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ---- single values ----------------------------------------------------- */

enum dt_err san_scrub(struct san *s, const char *v, size_t n, struct strbuf *out)
{
	return privacy_scrub(s->p, v, n, out, s->c);
}

enum dt_err san_value(struct san *s, const char *v, size_t n, struct strbuf *out)
{
	char t[PRIVACY_PSEUDO_MAX + 1];
	size_t k = privacy_value(s->p, v, n, t);

	if (k)
		s->c->values++;
	return strbuf_add(out, t, k);
}

static uint32_t text_hash(const char *v, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)v[i]) * 16777619u;
	return h ^ (h >> 15);
}

enum dt_err san_addr(struct san *s, const char *v, size_t n, struct strbuf *out)
{
	struct san_cache_slot *e = NULL;
	struct dt_ip ip, q;
	char t[DT_IP_STRLEN];
	size_t k;
	bool home;

	if (n == 0)
		return DT_OK;
	if (n < CACHE_TEXT) {
		e = &s->cache[text_hash(v, n) % SAN_CACHE_SLOTS];
		if (e->in_len == n && memcmp(e->in, v, n) == 0) {
			if (e->home)
				s->c->addrs++;
			return strbuf_add(out, e->out, e->out_len);
		}
	}
	if (dt_ip_parse(v, n, &ip) != DT_OK)
		return san_scrub(s, v, n, out);
	home = privacy_addr(s->p, &ip, &q);
	if (home) {
		k = dt_ip_format(&q, t);
		s->c->addrs++;
	} else {
		k = n;
		memcpy(t, v, n);
	}
	if (e && k < CACHE_TEXT) {
		e->in_len = (uint8_t)n;
		memcpy(e->in, v, n);
		e->out_len = (uint8_t)k;
		memcpy(e->out, t, k);
		e->home = home;
	}
	return strbuf_add(out, t, k);
}

enum dt_err san_subnet(struct san *s, const char *v, size_t n, struct strbuf *out)
{
	struct dt_prefix pf, q;
	char t[DT_IP_STRLEN];

	if (dt_prefix_parse(v, n, &pf, NULL) != DT_OK)
		return san_scrub(s, v, n, out);
	if (!privacy_home_addr(s->p, &pf.ip))
		return strbuf_add(out, v, n);
	privacy_prefix(s->p, &pf, &q);
	s->c->addrs++;
	return strbuf_add(out, t, dt_prefix_format(&q, t));
}

/* "d.c.b.a.in-addr.arpa" or the 32 nibbles of an ip6.arpa name in
 * v[0..n) (no trailing dot): the address; false if neither. */
static bool reverse_addr(const char *v, size_t n, struct dt_ip *ip, size_t *suffix)
{
	if (n > 13 && san_eq_nocase(v + n - 13, 13, ".in-addr.arpa")) {
		char t[16];
		size_t lab[4], len[4], k = 0, i = 0, m = n - 13, o = 0;

		while (i <= m && k < 4) {
			size_t j = i;

			while (j < m && v[j] != '.')
				j++;
			lab[k] = i;
			len[k++] = j - i;
			i = j + 1;
		}
		if (k != 4 || i != m + 1 || m > 15)
			return false;
		for (int x = 3; x >= 0; x--) {
			memcpy(t + o, v + lab[x], len[x]);
			o += len[x];
			if (x)
				t[o++] = '.';
		}
		*suffix = 13;
		return dt_ip_parse(t, o, ip) == DT_OK && ip->family == DT_IP_V4;
	}
	if (n == 64 + 9 && san_eq_nocase(v + 64, 9, ".ip6.arpa")) {
		dt_u128 a = 0;

		for (size_t i = 0; i < 32; i++) {
			char c = lower(v[2 * i]);

			if (!hexc((unsigned char)c) || v[2 * i + 1] != '.')
				return false;
			a |= (dt_u128)(c <= '9' ? c - '0' : c - 'a' + 10) << (4 * i);
		}
		ip->family = DT_IP_V6;
		ip->mapped = false;
		ip->addr = a;
		*suffix = 9;
		return true;
	}
	return false;
}

static enum dt_err put_reverse(struct san *s, const struct dt_ip *q, struct strbuf *out)
{
	static const char hex[] = "0123456789abcdef";
	char t[80];
	size_t o = 0;

	s->c->addrs++;
	if (q->family == DT_IP_V4) {
		uint32_t a = (uint32_t)q->addr;

		for (int i = 0; i < 4; i++) {
			unsigned b = (a >> (8 * i)) & 255;

			o += (size_t)snprintf(t + o, sizeof(t) - o, i ? ".%u" : "%u", b);
		}
		return strbuf_add(out, t, o);
	}
	for (int i = 0; i < 32; i++) {
		t[o++] = hex[(unsigned)(q->addr >> (4 * i)) & 15];
		if (i < 31)
			t[o++] = '.';
	}
	return strbuf_add(out, t, o);
}

enum dt_err san_name(struct san *s, const char *v, size_t n, struct strbuf *out)
{
	char t[PRIVACY_PSEUDO_MAX + 1];
	struct dt_ip ip, q;
	size_t m = n, k, suffix;
	enum dt_err err;

	while (m && v[m - 1] == '.')
		m--;
	if (m && (k = privacy_name(s->p, v, m, t))) {
		s->c->names++;
		if ((err = strbuf_add(out, t, k)))
			return err;
		return strbuf_add(out, v + m, n - m);
	}
	if (m > 13 && reverse_addr(v, m, &ip, &suffix) && privacy_addr(s->p, &ip, &q)) {
		if ((err = put_reverse(s, &q, out)))
			return err;
		return strbuf_add(out, v + m - suffix, n - (m - suffix));
	}
	return san_scrub(s, v, n, out);
}

/* A user name or an e-mail address alone. */
static enum dt_err user_plain(struct san *s, const char *v, size_t n, struct strbuf *out)
{
	char t[PRIVACY_PSEUDO_MAX + 1];
	const char *at = memchr(v, '@', n);
	bool plain = true;

	if (n == 0)
		return DT_OK;
	if (at) {
		size_t dn = n - (size_t)(at + 1 - v);

		plain = dn > 0;
		for (size_t i = 0; plain && i < dn; i++)
			plain = name_char((unsigned char)at[1 + i]);
	}
	if (!plain)
		return san_value(s, v, n, out);
	s->c->users++;
	return strbuf_add(out, t, privacy_user(s->p, v, n, t));
}

enum dt_err san_user(struct san *s, const char *v, size_t n, struct strbuf *out)
{
	const char *lt = memchr(v, '<', n), *gt = n ? memrchr(v, '>', n) : NULL;
	size_t ps = 0, pe, l, g;
	enum dt_err err;

	if (!lt || !gt || gt < lt)
		return user_plain(s, v, n, out);
	l = (size_t)(lt - v);
	g = (size_t)(gt - v);
	pe = l;
	while (ps < pe && v[ps] == ' ')
		ps++;
	while (pe > ps && v[pe - 1] == ' ')
		pe--;
	if ((err = strbuf_add(out, v, ps)))
		return err;
	if (pe > ps && (err = san_value(s, v + ps, pe - ps, out)))
		return err;
	if ((err = strbuf_add(out, v + pe, l + 1 - pe)) ||
	    (err = user_plain(s, v + l + 1, g - l - 1, out)) || (err = strbuf_addc(out, '>')))
		return err;
	return san_scrub(s, v + g + 1, n - g - 1, out);
}

/* ---- URLs -------------------------------------------------------------- */

/* An '@' or "%40" with something before it and a '.' after it. */
static bool email_like(const char *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		size_t after;

		if (v[i] == '@')
			after = i + 1;
		else if (v[i] == '%' && i + 2 < n && v[i + 1] == '4' && v[i + 2] == '0')
			after = i + 3;
		else
			continue;
		return after < n && memchr(v + after, '.', n - after) != NULL;
	}
	return false;
}

static bool user_marker(const char *v, size_t n)
{
	static const char *const m[] = {"user", "users", "u", "profile", "account", "home"};

	for (size_t i = 0; i < sizeof(m) / sizeof(*m); i++)
		if (san_eq_nocase(v, n, m[i]))
			return true;
	return false;
}

static bool secret_param(const char *v, size_t n)
{
	const char *p = SAN_SECRET_PARAMS;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t k = e ? (size_t)(e - p) : strlen(p);

		if (k == n) {
			size_t i = 0;

			while (i < n && lower(v[i]) == p[i])
				i++;
			if (i == n)
				return true;
		}
		p += k + (e != NULL);
	}
	return false;
}

enum dt_err san_url(struct san *s, const char *v, size_t n, struct strbuf *out)
{
	const char *hash = memchr(v, '#', n);
	size_t qe = hash ? (size_t)(hash - v) : n, pe, i = 0;
	const char *qm = memchr(v, '?', qe);
	bool marker = false;
	enum dt_err err = DT_OK;

	pe = qm ? (size_t)(qm - v) : qe;
	/* the path, segment by segment */
	while (!err) {
		size_t j = i;
		const char *seg = v + i;

		while (j < pe && v[j] != '/')
			j++;
		if (j > i) {
			size_t len = j - i;

			if (marker)
				err = san_value(s, seg, len, out);
			else if (seg[0] == '~' && len > 1) {
				if (!(err = strbuf_addc(out, '~')))
					err = san_value(s, seg + 1, len - 1, out);
			} else if (email_like(seg, len))
				err = user_plain(s, seg, len, out);
			else
				err = san_name(s, seg, len, out);
			marker = user_marker(seg, len);
		} else {
			marker = false;
		}
		if (err || j >= pe)
			break;
		err = strbuf_addc(out, '/');
		i = j + 1;
	}
	/* the query, parameter by parameter */
	for (i = pe; !err && i < qe;) {
		size_t j = i + 1, eq;

		if ((err = strbuf_addc(out, v[i]))) /* '?', '&' or ';' */
			break;
		while (j < qe && v[j] != '&' && v[j] != ';')
			j++;
		for (eq = i + 1; eq < j && v[eq] != '='; eq++)
			;
		if (eq < j && eq + 1 < j &&
		    (secret_param(v + i + 1, eq - i - 1) || email_like(v + eq + 1, j - eq - 1))) {
			err = strbuf_add(out, v + i + 1, eq - i);
			if (!err && secret_param(v + i + 1, eq - i - 1))
				err = san_value(s, v + eq + 1, j - eq - 1, out);
			else if (!err)
				err = user_plain(s, v + eq + 1, j - eq - 1, out);
		} else {
			err = san_scrub(s, v + i + 1, j - i - 1, out);
		}
		i = j;
	}
	if (!err && qe < n)
		err = san_scrub(s, v + qe, n - qe, out);
	return err;
}

enum dt_err san_kind_value(struct san *s, enum san_kind k, const char *v, size_t n,
                           struct strbuf *out)
{
	switch (k) {
	case SAN_ADDR: return san_addr(s, v, n, out);
	case SAN_SUBNET: return san_subnet(s, v, n, out);
	case SAN_NAME: return san_name(s, v, n, out);
	case SAN_USER: return san_user(s, v, n, out);
	case SAN_VALUE: return san_value(s, v, n, out);
	case SAN_URL: return san_url(s, v, n, out);
	case SAN_DROP:
		if (n)
			s->c->dropped++;
		return DT_OK;
	case SAN_SCRUB: break;
	}
	return san_scrub(s, v, n, out);
}

/* ---- JSON -------------------------------------------------------------- */

struct jw {
	struct san *s;
	struct js_doc *d;
	const char *line;
	size_t pos;
	struct strbuf *out;
	struct strbuf *tmp;
	san_json_kind_fn *kind;
	void *ctx;
	char path[PATH_MAX_JSON];
};

/* Copies the line up to at, then skips to resume. */
static enum dt_err splice(struct jw *w, size_t at, size_t resume)
{
	enum dt_err err = strbuf_add(w->out, w->line + w->pos, at - w->pos);

	w->pos = resume;
	return err;
}

/* A string value's own kind overrides: addresses and prefixes. */
static enum san_kind auto_kind(enum san_kind k, const char *v, size_t n)
{
	struct dt_ip ip;
	struct dt_prefix pf;

	if (k != SAN_SCRUB && k != SAN_NAME && k != SAN_ADDR)
		return k;
	if (n >= 2 && n <= 45 && (hexc((unsigned char)v[0]) || v[0] == ':') &&
	    dt_ip_parse(v, n, &ip) == DT_OK)
		return SAN_ADDR;
	if (n >= 4 && n <= 49 && memchr(v, '/', n) && dt_prefix_parse(v, n, &pf, NULL) == DT_OK)
		return SAN_SUBNET;
	return k;
}

static enum dt_err put_string(struct jw *w, int t, enum san_kind k)
{
	const struct js_tok *tk = &w->d->t[t];
	const char *v;
	size_t n;
	enum dt_err err;

	if (!js_str(w->d, t, &v, &n))
		return DT_OK;
	strbuf_reset(w->tmp);
	if ((err = san_kind_value(w->s, auto_kind(k, v, n), v, n, w->tmp)))
		return err;
	if (w->tmp->len == n && memcmp(w->tmp->p, v, n) == 0)
		return DT_OK;
	if ((err = splice(w, tk->start, tk->start + tk->len)))
		return err;
	return strbuf_add_json(w->out, w->tmp->p, w->tmp->len);
}

static enum dt_err walk(struct jw *w, int t, int obj, size_t plen);

/* Every member of object t. */
static enum dt_err members(struct jw *w, int t, size_t plen)
{
	enum dt_err err = DT_OK;

	for (int i = t + 1; !err && i < w->d->t[t].next;) {
		const struct js_tok *key = &w->d->t[i];
		int v = i + 1;
		size_t kl = key->len, np = plen;
		enum san_kind k;

		if (np + (np > 0) + kl < sizeof(w->path)) {
			if (np)
				w->path[np++] = '.';
			memcpy(w->path + np, w->line + key->start, kl);
			np += kl;
		}
		w->path[np] = '\0';
		if ((err = put_string(w, i, SAN_SCRUB)))
			break;
		k = w->kind(w->ctx, w->d, t, w->path, np);
		if (k == SAN_DROP) {
			const struct js_tok *vt = &w->d->t[v];
			size_t a = vt->start, b = vt->start + vt->len;

			if (vt->type == JS_STRING) {
				a--;
				b++;
			}
			if (!(vt->type == JS_STRING && vt->len == 0)) {
				w->s->c->dropped++;
				if (!(err = splice(w, a, b)))
					err = strbuf_add(w->out, "\"\"", 2);
			}
		} else {
			err = walk(w, v, t, np);
		}
		w->path[plen] = '\0';
		i = w->d->t[v].next;
	}
	return err;
}

static enum dt_err walk(struct jw *w, int t, int obj, size_t plen)
{
	enum dt_err err = DT_OK;

	switch (w->d->t[t].type) {
	case JS_OBJECT: return members(w, t, plen);
	case JS_ARRAY:
		for (int k = t + 1; !err && k < w->d->t[t].next; k = w->d->t[k].next)
			err = walk(w, k, obj, plen);
		return err;
	case JS_STRING:
		return put_string(w, t,
		                  obj >= 0 ? w->kind(w->ctx, w->d, obj, w->path, plen) : SAN_SCRUB);
	default: return DT_OK;
	}
}

enum dt_err san_json(struct san *s, struct js_doc *d, const char *line, size_t n,
                     san_json_kind_fn *kind, void *ctx, struct strbuf *out)
{
	struct jw w = {
	    .s = s, .d = d, .line = line, .out = out, .tmp = &s->tmp, .kind = kind, .ctx = ctx};
	enum dt_err err;

	w.path[0] = '\0';
	err = walk(&w, 0, -1, 0);
	if (!err)
		err = strbuf_add(out, line + w.pos, n - w.pos);
	return err;
}

enum dt_err san_flush(struct strbuf *b, FILE *out, bool force, const char *name,
                      struct dt_diag *diag)
{
	if (b->len == 0 || (!force && b->len < SAN_FLUSH_AT))
		return DT_OK;
	if (fwrite(b->p, 1, b->len, out) != b->len) {
		dt_diag_set(diag, name, 0, "cannot write the sanitized copy: %s", strerror(errno));
		return DT_EIO;
	}
	b->len = 0;
	return DT_OK;
}

enum dt_err san_textlog(struct reader *r, struct san *s, struct strbuf *out, FILE *f,
                        const char *name, const char *notfmt, san_line_fn *fn, void *ctx,
                        struct dt_diag *diag)
{
	unsigned long lineno = 0, first = 0;
	uint64_t good = 0;
	const char *l;
	size_t n;
	bool overlong;
	enum dt_err err = DT_OK;

	while (!err && reader_line(r, &l, &n, &overlong)) {
		size_t bom = 0, m = n, k;

		lineno++;
		s->c->records++;
		if (lineno == 1 && n >= 3 && memcmp(l, "\xef\xbb\xbf", 3) == 0)
			bom = 3;
		if (m > bom && l[m - 1] == '\r')
			m--;
		for (k = bom; k < m && (l[k] == ' ' || l[k] == '\t' || l[k] == '\r'); k++)
			;
		err = strbuf_add(out, l, bom);
		if (err) {
		} else if (k == m && !overlong) {
			err = strbuf_add(out, l + bom, m - bom);
		} else {
			size_t mark = out->len;
			bool ok = false;

			if (!first)
				first = lineno;
			if (!overlong)
				err = fn(ctx, l + bom, m - bom, &ok);
			if (!err && !ok) {
				out->len = mark;
				s->c->unparsed++;
				err = san_scrub(s, l + bom, m - bom, out);
			}
			good += ok;
		}
		if (!err)
			err = strbuf_add(out, l + m, n - m);
		if (!err)
			err = strbuf_addc(out, '\n');
		if (!err)
			err = san_flush(out, f, false, name, diag);
		else if (err != DT_EIO)
			dt_diag_set(diag, name, lineno, "cannot sanitize: %s", dt_strerror(err));
	}
	if (!err && first && !good) {
		dt_diag_set(diag, name, first, "%s", notfmt);
		err = DT_EFORMAT;
	}
	if (!err)
		err = san_flush(out, f, true, name, diag);
	return err;
}
