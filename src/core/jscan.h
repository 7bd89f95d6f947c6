/*
 * jscan.h — a validating JSON reader for one-object-a-line logs.
 *
 * jansson builds a tree of allocated nodes for every line; at millions of
 * lines that is most of the cost.  jscan checks a text against RFC 8259
 * (grammar, string escapes, UTF-8, nesting depth) in one pass and records
 * a flat array of tokens — slices of the text, nothing copied — that the
 * caller walks: members of an object, elements of an array.  Strings with
 * escapes are decoded on demand into the document's scratch buffer.
 *
 * A document is reused line after line; its memory grows to the largest
 * line and stays.  Token indexes are ints; JS_NONE (-1) means absent.
 */
#ifndef DT_JSCAN_H
#define DT_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JS_NONE      (-1)
#define JS_MAX_DEPTH 64

enum js_type { JS_OBJECT, JS_ARRAY, JS_STRING, JS_NUMBER, JS_TRUE, JS_FALSE, JS_NULL };

struct js_tok {
	uint8_t type;    /* enum js_type */
	uint8_t escaped; /* string: has backslash escapes */
	uint8_t integer; /* number: no fraction or exponent */
	uint32_t start;  /* string: after the opening quote; others: first byte */
	uint32_t len;    /* string: bytes before the closing quote */
	int32_t next;    /* the token after this one's subtree */
	uint32_t dec;    /* string: 1 + offset of its decoded text in scratch */
};

struct js_doc {
	const char *src;
	struct js_tok *t;
	int n, cap;
	char *scratch; /* decoded strings */
	size_t slen, scap;
	char err[120];  /* why the last parse failed */
	size_t err_col; /* 1-based column of the failure */
};

void js_init(struct js_doc *d);
void js_release(struct js_doc *d);

/* Parses s[0..n) as one JSON value (whitespace around allowed); false with
 * d->err and d->err_col when it is not JSON.  Token 0 is the root. */
bool js_parse(struct js_doc *d, const char *s, size_t n);

static inline int js_type(const struct js_doc *d, int t)
{
	return t >= 0 ? d->t[t].type : -1;
}

/* Member key of an object, the last one when the name repeats (names
 * written with escapes never match). */
int js_get(const struct js_doc *d, int obj, const char *key);

/* Several members in one pass: out[k] = obj[names[k]] (JS_NONE when
 * absent), for n ≤ 64 names. */
void js_pick(const struct js_doc *d, int obj, const char *const *names, int n, int *out);

/* obj[key], and when absent, the dotted path "a.b" through nested objects. */
int js_path(const struct js_doc *d, int obj, const char *path);

/* Element i of an array. */
int js_index(const struct js_doc *d, int arr, size_t i);

/* A string's value (decoded when escaped; the slice lives until the next
 * js_parse); false when t is not a string. */
bool js_str(struct js_doc *d, int t, const char **p, size_t *len);

/* An integer number that fits int64; false otherwise. */
bool js_int(const struct js_doc *d, int t, int64_t *v);

/* The raw text of any scalar token (numbers as written, true/false/null). */
bool js_raw(const struct js_doc *d, int t, const char **p, size_t *len);

#endif
