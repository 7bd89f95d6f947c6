/*
 * weblogfmt.h — how an nginx/apache access log line is cut into fields:
 * the rules the parser (ingest/weblog.c) and its sanitizer
 * (privacy/sanitize_weblog.c) must apply alike, so that a sanitized copy
 * yields the same events.
 */
#ifndef DT_INGEST_WEBLOGFMT_H
#define DT_INGEST_WEBLOGFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest/event.h"

/* Longest url or user agent whose escapes are undone (else kept as is). */
#define WEBLOG_FIELD_MAX (16u << 10)

/* From s[i] == '"': the index of the closing quote (one not escaped by an
 * odd number of backslashes), or n. */
size_t weblog_quoted_end(const char *s, size_t n, size_t i);

/* s[i..] is " DDD" followed by the end or a space. */
bool weblog_status_at(const char *s, size_t n, size_t i);

/* "vhost:port" with one ':' and 1..5 digits after it (port <= 65535). */
bool weblog_vhost_port(struct dt_str t, struct dt_str *host, int32_t *port);

#endif
