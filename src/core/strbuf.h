/*
 * strbuf.h — a growable byte buffer with a maximum (curl's dynbuf).
 *
 * The buffer owns its bytes; strbuf_release() frees them.  Appends that
 * would pass `max` fail with DT_ELIMIT and leave the buffer unchanged, so a
 * hostile input cannot grow one without bound.  The contents are always
 * NUL-terminated (the NUL is not counted in len).
 */
#ifndef DT_STRBUF_H
#define DT_STRBUF_H

#include <stddef.h>

#include "core/err.h"

struct strbuf {
	char *p;
	size_t len, cap, max;
};

#include <string.h>

void strbuf_init(struct strbuf *b, size_t max);
void strbuf_release(struct strbuf *b);
void strbuf_reset(struct strbuf *b);
/* The slow paths: grow, then append. */
enum dt_err strbuf_add_slow(struct strbuf *b, const void *data, size_t n);

/* Appends n bytes.  Inline fast path: bulk formatting appends many short
 * pieces and the capacity check is all most of them need. */
static inline enum dt_err strbuf_add(struct strbuf *b, const void *data, size_t n)
{
	if (b->len + n + 1 <= b->cap && n <= b->max - b->len) {
		memcpy(b->p + b->len, data, n);
		b->len += n;
		b->p[b->len] = '\0';
		return DT_OK;
	}
	return strbuf_add_slow(b, data, n);
}

static inline enum dt_err strbuf_addc(struct strbuf *b, char c)
{
	if (b->len + 2 <= b->cap && b->len < b->max) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
		return DT_OK;
	}
	return strbuf_add_slow(b, &c, 1);
}
enum dt_err strbuf_adds(struct strbuf *b, const char *s);
enum dt_err strbuf_addf(struct strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s as the body of a JSON string (RFC 8259 escapes; no quotes added). */
enum dt_err strbuf_add_json(struct strbuf *b, const char *s, size_t n);
/* Unsigned decimal, fast. */
enum dt_err strbuf_addu(struct strbuf *b, unsigned long long v);

#endif
