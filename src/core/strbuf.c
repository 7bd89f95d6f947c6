/*
 * strbuf.c — growable buffer.  Growth doubles; every append checks max
 * before touching memory.
 */
#include "core/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void strbuf_release(struct strbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void strbuf_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static enum dt_err grow(struct strbuf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > b->max || b->len > b->max - n)
		return DT_ELIMIT;
	need = b->len + n + 1;
	if (need <= b->cap)
		return DT_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL)
		return DT_ENOMEM;
	b->p = p;
	b->cap = cap;
	return DT_OK;
}

enum dt_err strbuf_add_slow(struct strbuf *b, const void *data, size_t n)
{
	enum dt_err err = grow(b, n);

	if (err)
		return err;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return DT_OK;
}

enum dt_err strbuf_adds(struct strbuf *b, const char *s)
{
	return strbuf_add(b, s, strlen(s));
}

enum dt_err strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	enum dt_err err;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return DT_EINVAL;
	if ((err = grow(b, (size_t)n)))
		return err;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return DT_OK;
}

enum dt_err strbuf_add_json(struct strbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	enum dt_err err;
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t elen = 0;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if ((err = strbuf_add(b, s + run, i - run)))
			return err;
		esc[0] = '\\';
		switch (c) {
		case '"':
			esc[1] = '"';
			elen = 2;
			break;
		case '\\':
			esc[1] = '\\';
			elen = 2;
			break;
		case '\n':
			esc[1] = 'n';
			elen = 2;
			break;
		case '\r':
			esc[1] = 'r';
			elen = 2;
			break;
		case '\t':
			esc[1] = 't';
			elen = 2;
			break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		if ((err = strbuf_add(b, esc, elen)))
			return err;
		run = i + 1;
	}
	return strbuf_add(b, s + run, n - run);
}

enum dt_err strbuf_addu(struct strbuf *b, unsigned long long v)
{
	char tmp[24];
	int k = sizeof(tmp);

	do {
		tmp[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return strbuf_add(b, tmp + k, sizeof(tmp) - (size_t)k);
}
