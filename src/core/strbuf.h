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

void strbuf_init(struct strbuf *b, size_t max);
void strbuf_release(struct strbuf *b);
void strbuf_reset(struct strbuf *b);
enum dt_err strbuf_add(struct strbuf *b, const void *data, size_t n);
enum dt_err strbuf_addc(struct strbuf *b, char c);
enum dt_err strbuf_adds(struct strbuf *b, const char *s);
enum dt_err strbuf_addf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* s as the body of a JSON string (RFC 8259 escapes; no quotes added). */
enum dt_err strbuf_add_json(struct strbuf *b, const char *s, size_t n);
/* Unsigned decimal, fast. */
enum dt_err strbuf_addu(struct strbuf *b, unsigned long long v);

#endif
