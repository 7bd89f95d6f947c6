/*
 * weblogfmt.c — the access-log field rules the parser and its sanitizer
 * share (see weblogfmt.h).
 */
#include "ingest/weblogfmt.h"

#include <string.h>

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* From s[i] == '"': the index of the closing quote (one not escaped by an
 * odd number of backslashes), or n. */
size_t weblog_quoted_end(const char *s, size_t n, size_t i)
{
	for (i++; i < n;) {
		const char *q = memchr(s + i, '"', n - i);
		size_t k, bs = 0;

		if (q == NULL)
			return n;
		k = (size_t)(q - s);
		while (k - bs > i && s[k - bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0)
			return k;
		i = k + 1;
	}
	return n;
}

/* s[i..] is " DDD" followed by the end or a space. */
bool weblog_status_at(const char *s, size_t n, size_t i)
{
	return i + 4 <= n && s[i] == ' ' && digit(s[i + 1]) && digit(s[i + 2]) && digit(s[i + 3]) &&
	       (i + 4 == n || s[i + 4] == ' ');
}

/* "vhost:port" with one ':' and 1..5 digits after it. */
bool weblog_vhost_port(struct dt_str t, struct dt_str *host, int32_t *port)
{
	const char *c = memchr(t.p, ':', t.len);
	size_t k;
	int32_t v = 0;

	if (c == NULL || c == t.p || memchr(c + 1, ':', t.len - (size_t)(c + 1 - t.p)))
		return false;
	k = (size_t)(c + 1 - t.p);
	if (t.len - k == 0 || t.len - k > 5)
		return false;
	for (; k < t.len; k++) {
		if (!digit(t.p[k]))
			return false;
		v = v * 10 + (t.p[k] - '0');
	}
	if (v > 65535)
		return false;
	*host = (struct dt_str){t.p, (size_t)(c - t.p)};
	*port = v;
	return true;
}
