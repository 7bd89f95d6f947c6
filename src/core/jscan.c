/*
 * jscan.c — see jscan.h.  A recursive-descent parser with an explicit
 * depth limit; strings are scanned with a fast loop over plain ASCII and
 * a careful one over escapes and multi-byte UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF).
 */
#include "core/jscan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct p {
	struct js_doc *d;
	const unsigned char *s;
	size_t n, i;
	int depth;
};

void js_init(struct js_doc *d)
{
	memset(d, 0, sizeof(*d));
}

void js_release(struct js_doc *d)
{
	free(d->t);
	free(d->scratch);
	memset(d, 0, sizeof(*d));
}

static bool fail(struct p *p, const char *why)
{
	snprintf(p->d->err, sizeof(p->d->err), "%s", why);
	p->d->err_col = p->i + 1;
	return false;
}

static void ws(struct p *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
	                       p->s[p->i] == '\r'))
		p->i++;
}

static int grow(struct js_doc *d)
{
	int cap = d->cap ? d->cap * 2 : 64;
	struct js_tok *t = realloc(d->t, (size_t)cap * sizeof(*t));

	if (t == NULL)
		return -1;
	d->t = t;
	d->cap = cap;
	return 0;
}

static inline int tok(struct p *p, enum js_type type)
{
	struct js_doc *d = p->d;
	struct js_tok *t;

	if (d->n == d->cap && grow(d) < 0)
		return JS_NONE;
	t = &d->t[d->n];
	t->type = (uint8_t)type;
	t->escaped = 0;
	t->integer = 0;
	t->start = (uint32_t)p->i;
	t->len = 0;
	t->dec = 0;
	return d->n++;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at s[i]; -1 if not. */
static long hex4(const unsigned char *s, size_t n, size_t i)
{
	long v = 0;

	if (i + 4 > n)
		return -1;
	for (int k = 0; k < 4; k++) {
		int h = hexval(s[i + k]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Length of the valid UTF-8 sequence at s[i], or 0. */
static size_t utf8_len(const unsigned char *s, size_t n, size_t i)
{
	unsigned char c = s[i];
	size_t len;
	unsigned long cp;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (i + len > n)
		return 0;
	cp = c & (0xff >> (len + 1));
	for (size_t k = 1; k < len; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i + k] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

static bool string(struct p *p)
{
	int t;
	size_t i;

	p->i++; /* the quote */
	if ((t = tok(p, JS_STRING)) < 0)
		return fail(p, "out of memory");
	i = p->i;
	for (;;) {
#ifdef __SSE2__
		/* 16 bytes at a time while none is '"', '\\', a control
		 * character or non-ASCII: as signed bytes, the last two are
		 * exactly those below 0x20 */
		while (i + 16 <= p->n) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p->s + i));
			__m128i m =
			    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
			                              _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
			                 _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)));
			int bits = _mm_movemask_epi8(m);

			if (bits) {
				i += (size_t)__builtin_ctz((unsigned)bits);
				break;
			}
			i += 16;
		}
#endif
		/* plain printable ASCII, byte by byte */
		while (i < p->n && p->s[i] >= 0x20 && p->s[i] < 0x80 && p->s[i] != '"' &&
		       p->s[i] != '\\')
			i++;
		if (i >= p->n) {
			p->i = i;
			return fail(p, "unterminated string");
		}
		if (p->s[i] == '"')
			break;
		if (p->s[i] == '\\') {
			unsigned char e = i + 1 < p->n ? p->s[i + 1] : 0;

			p->d->t[t].escaped = 1;
			if (e == 'u') {
				long u = hex4(p->s, p->n, i + 2);

				if (u < 0) {
					p->i = i;
					return fail(p, "bad \\u escape");
				}
				if (u >= 0xd800 && u <= 0xdbff) {
					long lo = i + 7 < p->n && p->s[i + 6] == '\\' &&
					                  p->s[i + 7] == 'u'
					              ? hex4(p->s, p->n, i + 8)
					              : -1;

					if (lo < 0xdc00 || lo > 0xdfff) {
						p->i = i;
						return fail(p, "unpaired surrogate in \\u escape");
					}
					i += 12;
				} else if (u >= 0xdc00 && u <= 0xdfff) {
					p->i = i;
					return fail(p, "unpaired surrogate in \\u escape");
				} else {
					i += 6;
				}
			} else if (e && strchr("\"\\/bfnrt", e)) {
				i += 2;
			} else {
				p->i = i;
				return fail(p, "bad escape");
			}
			continue;
		}
		if (p->s[i] < 0x20) {
			p->i = i;
			return fail(p, "control character in string");
		}
		{
			size_t k = utf8_len(p->s, p->n, i);

			if (k == 0) {
				p->i = i;
				return fail(p, "invalid UTF-8 in string");
			}
			i += k;
		}
	}
	p->d->t[t].len = (uint32_t)(i - p->i);
	p->i = i + 1;
	p->d->t[t].next = p->d->n;
	return true;
}

static bool number(struct p *p)
{
	size_t i = p->i, start;
	int t;
	bool integer = true;

	if ((t = tok(p, JS_NUMBER)) < 0)
		return fail(p, "out of memory");
	if (i < p->n && p->s[i] == '-')
		i++;
	start = i;
	if (i < p->n && p->s[i] == '0')
		i++;
	else
		while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
			i++;
	if (i == start)
		return fail(p, "bad number");
	if (i < p->n && p->s[i] == '.') {
		integer = false;
		start = ++i;
		while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
			i++;
		if (i == start) {
			p->i = i;
			return fail(p, "bad number");
		}
	}
	if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
		integer = false;
		i++;
		if (i < p->n && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		start = i;
		while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
			i++;
		if (i == start) {
			p->i = i;
			return fail(p, "bad number");
		}
	}
	p->d->t[t].integer = integer;
	p->d->t[t].len = (uint32_t)(i - p->i);
	p->d->t[t].next = p->d->n;
	p->i = i;
	return true;
}

static bool literal(struct p *p, const char *word, enum js_type type)
{
	size_t k = strlen(word);
	int t;

	if (p->n - p->i < k || memcmp(p->s + p->i, word, k) != 0)
		return fail(p, "invalid literal");
	if ((t = tok(p, type)) < 0)
		return fail(p, "out of memory");
	p->d->t[t].len = (uint32_t)k;
	p->d->t[t].next = p->d->n;
	p->i += k;
	return true;
}

static bool value(struct p *p);

static bool container(struct p *p, bool obj)
{
	int t = tok(p, obj ? JS_OBJECT : JS_ARRAY);
	unsigned char close = obj ? '}' : ']';

	if (t < 0)
		return fail(p, "out of memory");
	if (++p->depth > JS_MAX_DEPTH)
		return fail(p, "nested too deep");
	p->i++;
	ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		goto done;
	}
	for (;;) {
		if (obj) {
			if (p->i >= p->n || p->s[p->i] != '"')
				return fail(p, "expected a member name");
			if (!string(p))
				return false;
			ws(p);
			if (p->i >= p->n || p->s[p->i] != ':')
				return fail(p, "expected ':'");
			p->i++;
			ws(p);
		}
		if (!value(p))
			return false;
		ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			ws(p);
			continue;
		}
		if (p->i < p->n && p->s[p->i] == close) {
			p->i++;
			break;
		}
		return fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
done:
	p->depth--;
	p->d->t[t].len = (uint32_t)(p->i - p->d->t[t].start);
	p->d->t[t].next = p->d->n;
	return true;
}

static bool value(struct p *p)
{
	if (p->i >= p->n)
		return fail(p, "unexpected end of text");
	switch (p->s[p->i]) {
	case '{': return container(p, true);
	case '[': return container(p, false);
	case '"': return string(p);
	case 't': return literal(p, "true", JS_TRUE);
	case 'f': return literal(p, "false", JS_FALSE);
	case 'n': return literal(p, "null", JS_NULL);
	default:
		if (p->s[p->i] == '-' || (p->s[p->i] >= '0' && p->s[p->i] <= '9'))
			return number(p);
		return fail(p, "unexpected character");
	}
}

bool js_parse(struct js_doc *d, const char *s, size_t n)
{
	struct p p = {.d = d, .s = (const unsigned char *)s, .n = n};

	d->src = s;
	d->n = 0;
	d->slen = 0;
	d->err[0] = '\0';
	d->err_col = 0;
	if (n > UINT32_MAX)
		return fail(&p, "text too long");
	ws(&p);
	if (!value(&p))
		return false;
	ws(&p);
	if (p.i != n)
		return fail(&p, "end of text expected");
	/* room to decode every string once: slices handed out by js_str stay
	 * valid because the buffer never moves during a line */
	if (d->scap < 2 * n + 16) {
		char *np = realloc(d->scratch, 2 * n + 16);

		if (np == NULL)
			return fail(&p, "out of memory");
		d->scratch = np;
		d->scap = 2 * n + 16;
	}
	return true;
}

int js_get(const struct js_doc *d, int obj, const char *key)
{
	size_t k = strlen(key);
	int found = JS_NONE;

	if (obj < 0 || d->t[obj].type != JS_OBJECT)
		return JS_NONE;
	/* a repeated name: the last one counts, as in jansson and most
	 * readers (RFC 8259 leaves it open) */
	for (int i = obj + 1; i < d->t[obj].next;) {
		const struct js_tok *name = &d->t[i];
		int v = i + 1;

		if (name->len == k && d->src[name->start] == key[0] && !name->escaped &&
		    memcmp(d->src + name->start, key, k) == 0)
			found = v;
		i = d->t[v].next;
	}
	return found;
}

int js_path(const struct js_doc *d, int obj, const char *path)
{
	int v = js_get(d, obj, path);
	char head[128];
	const char *dot;

	if (v >= 0 || (dot = strchr(path, '.')) == NULL || (size_t)(dot - path) >= sizeof(head))
		return v;
	memcpy(head, path, (size_t)(dot - path));
	head[dot - path] = '\0';
	return js_path(d, js_get(d, obj, head), dot + 1);
}

int js_index(const struct js_doc *d, int arr, size_t i)
{
	if (arr < 0 || d->t[arr].type != JS_ARRAY)
		return JS_NONE;
	for (int k = arr + 1; k < d->t[arr].next; k = d->t[k].next)
		if (i-- == 0)
			return k;
	return JS_NONE;
}

/* Appends the UTF-8 of code point cp to the scratch buffer. */
static void put_utf8(char *o, size_t *k, unsigned long cp)
{
	if (cp < 0x80) {
		o[(*k)++] = (char)cp;
	} else if (cp < 0x800) {
		o[(*k)++] = (char)(0xc0 | cp >> 6);
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		o[(*k)++] = (char)(0xe0 | cp >> 12);
		o[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		o[(*k)++] = (char)(0xf0 | cp >> 18);
		o[(*k)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	}
}

void js_pick(const struct js_doc *d, int obj, const char *const *names, int n, int *out)
{
	size_t len[64];

	for (int k = 0; k < n && k < 64; k++) {
		out[k] = JS_NONE;
		len[k] = strlen(names[k]);
	}
	if (obj < 0 || d->t[obj].type != JS_OBJECT)
		return;
	for (int i = obj + 1; i < d->t[obj].next; i = d->t[i + 1].next) {
		const struct js_tok *name = &d->t[i];
		const char *s = d->src + name->start;

		if (name->escaped)
			continue;
		for (int k = 0; k < n && k < 64; k++)
			if (name->len == len[k] && s[0] == names[k][0] &&
			    memcmp(s, names[k], len[k]) == 0) {
				out[k] = i + 1; /* a repeated name: the last one */
				break;
			}
	}
}

bool js_str(struct js_doc *d, int t, const char **p, size_t *len)
{
	const struct js_tok *k;
	const unsigned char *s;
	size_t n, o = 0;
	char *out;

	if (t < 0 || d->t[t].type != JS_STRING)
		return false;
	k = &d->t[t];
	if (!k->escaped) {
		*p = d->src + k->start;
		*len = k->len;
		return true;
	}
	if (k->dec) {
		*p = d->scratch + k->dec - 1;
		*len = strlen(*p); /* no NUL inside: \u0000 is refused below */
		return true;
	}
	/* js_parse made room for every string decoded once (a decoded
	 * string is never longer than its escaped text) */
	if (d->scap - d->slen < k->len + 1)
		return false;
	out = d->scratch + d->slen;
	s = (const unsigned char *)d->src + k->start;
	n = k->len;
	for (size_t i = 0; i < n;) {
		if (s[i] != '\\') {
			out[o++] = (char)s[i++];
			continue;
		}
		switch (s[i + 1]) {
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u': {
			unsigned long cp = (unsigned long)hex4(s, n, i + 2);

			if (cp >= 0xd800 && cp <= 0xdbff) {
				unsigned long lo = (unsigned long)hex4(s, n, i + 8);

				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
			put_utf8(out, &o, cp);
			i += 6;
			continue;
		}
		default: out[o++] = (char)s[i + 1]; break;
		}
		i += 2;
	}
	out[o] = '\0';
	if (memchr(out, '\0', o) != NULL)
		return false; /* \u0000: not representable in the C strings we pass on */
	d->t[t].dec = (uint32_t)(out - d->scratch) + 1;
	d->slen += o + 1;
	*p = out;
	*len = o;
	return true;
}

bool js_int(const struct js_doc *d, int t, int64_t *v)
{
	const struct js_tok *k;
	const char *s;
	uint64_t acc = 0;
	bool neg;

	if (t < 0 || d->t[t].type != JS_NUMBER || !d->t[t].integer)
		return false;
	k = &d->t[t];
	s = d->src + k->start;
	neg = s[0] == '-';
	for (size_t i = neg; i < k->len; i++) {
		if (acc > (UINT64_MAX - 9) / 10)
			return false;
		acc = acc * 10 + (uint64_t)(s[i] - '0');
	}
	if (acc > (uint64_t)INT64_MAX + neg)
		return false;
	*v = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	return true;
}

bool js_raw(const struct js_doc *d, int t, const char **p, size_t *len)
{
	if (t < 0 || d->t[t].type == JS_OBJECT || d->t[t].type == JS_ARRAY)
		return false;
	*p = d->src + d->t[t].start;
	*len = d->t[t].len;
	return true;
}
