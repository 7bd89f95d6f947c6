/*
 * weblog.c — web server access logs in the NCSA common and combined
 * formats, as nginx (log_format combined, the default) and apache
 * (LogFormat "%h %l %u %t \"%r\" %>s %b" common, "... \"%{Referer}i\"
 * \"%{User-agent}i\"" combined, "%v:%p %h ..." vhost_combined) write them:
 *
 *   203.0.113.7 - - [27/Nov/2026:10:00:01 +0100] "GET /a?b=1 HTTP/1.1"
 *   404 153 "-" "Mozilla/5.0 (...)"
 *
 * Fields, left to right: an optional "vhost:port" (taken as such when the
 * first field has exactly one ':' followed by digits and the next field is
 * an IP address: a client address never has exactly one ':'), the client
 * address, ident and user (skipped, whatever they hold — a user name can
 * hold spaces), the time in brackets (the first '[' after a space that
 * opens a valid dd/Mon/yyyy:hh:mm:ss +hhmm), the quoted request line, the
 * status (three digits), the body bytes (digits or "-"), then optionally
 * the quoted referer and user agent; fields after those (custom formats
 * that append $http_x_forwarded_for, $request_time, ...) are ignored.
 *
 * Quoting: apache writes '"' and '\' inside a field as \" and \\ (and
 * control bytes as \n or \xhh); nginx writes '"', '\' and bytes outside
 * printable ASCII as \xHH.  A quoted field ends at the first '"' not
 * escaped by a backslash; if what follows the request is not a status
 * code, the next '"' that is followed by one is taken instead (old apache
 * versions did not escape quotes).  The url and user agent of the event
 * have \" and \\ undone and every other escape kept as written (\xHH,
 * which is also how Zeek writes such bytes); a field longer than
 * WEBLOG_FIELD_MAX with backslashes in it is kept as logged.
 *
 * A request line that is not "METHOD target [HTTP/x.y]" — the TLS
 * handshake bytes that a client sends to a plain-HTTP port, which nginx
 * logs as "\x16\x03\x01..." with status 400, or the "-" logged for a
 * connection closed before its request — is still a valid log record: it
 * becomes an event without a url.
 *
 * The event: kind http, service "http", protocol TCP; src the client
 * address (left unset when the server logged a host name or "unix:"); no
 * dst; dport the vhost_combined port; domain the virtual host, or the host
 * of an absolute request target (proxy requests, CONNECT host:port); url
 * the request target as logged (path and query; absolute for proxy
 * requests); user_agent ("-" is none); resp_bytes the body bytes ("-" is
 * -1: unknown — apache's %b writes "-" for zero bytes, nginx writes 0);
 * signature "http METHOD STATUS" ("http GET 404"), where METHOD is one of
 * the methods of RFC 9110 and WebDAV, "other" for any other token, or
 * "invalid" when the request line has none; severity from the status
 * class: 2 for 5xx, 3 for 4xx, 4 otherwise.
 *
 * The time is exact: the format carries the zone offset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/logtime.h"
#include "ingest/textlog.h"
#include "ingest/weblogfmt.h"

#define SEV_5XX   2
#define SEV_4XX   3
#define SEV_OTHER 4

struct weblog_state {
	char sig[48];
	char url[WEBLOG_FIELD_MAX];
	char ua[WEBLOG_FIELD_MAX];
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The methods a signature names; any other token is "other". */
static const struct {
	const char *name;
	size_t len;
} methods[] = {
#define M(s)                                                                                       \
	{                                                                                          \
		s, sizeof(s) - 1                                                                   \
	}
    M("GET"),     M("HEAD"),  M("POST"),  M("PUT"),      M("DELETE"),    M("CONNECT"),
    M("OPTIONS"), M("TRACE"), M("PATCH"), M("PROPFIND"), M("PROPPATCH"), M("MKCOL"),
    M("COPY"),    M("MOVE"),  M("LOCK"),  M("UNLOCK"),   M("SEARCH"),
#undef M
};

/* A field with \" and \\ undone into buf (WEBLOG_FIELD_MAX bytes), or as
 * it is when it has no backslash or is too long. */
static struct dt_str unescape(struct dt_str f, char *buf)
{
	size_t o = 0;

	if (f.len > WEBLOG_FIELD_MAX || memchr(f.p, '\\', f.len) == NULL)
		return f;
	for (size_t i = 0; i < f.len; i++) {
		if (f.p[i] == '\\' && i + 1 < f.len && (f.p[i + 1] == '"' || f.p[i + 1] == '\\'))
			i++;
		buf[o++] = f.p[i];
	}
	return (struct dt_str){buf, o};
}

/* The host of an absolute target ("http://h[:p]/...") or of CONNECT's
 * "h:p" authority form; empty if none. */
static struct dt_str target_host(struct dt_str t, bool connect)
{
	struct dt_str h = {t.p, 0};
	size_t i = 0;

	if (!connect) {
		if (t.len > 7 && memcmp(t.p, "http://", 7) == 0)
			i = 7;
		else if (t.len > 8 && memcmp(t.p, "https://", 8) == 0)
			i = 8;
		else
			return h;
	}
	h.p = t.p + i;
	if (i < t.len && t.p[i] == '[') { /* [v6 literal] */
		const char *rb = memchr(t.p + i, ']', t.len - i);

		h.p++;
		h.len = rb ? (size_t)(rb - h.p) : 0;
		return h;
	}
	while (i + h.len < t.len && t.p[i + h.len] != '/' && t.p[i + h.len] != ':' &&
	       t.p[i + h.len] != '?' && t.p[i + h.len] != '#' && t.p[i + h.len] != '@')
		h.len++;
	if (i + h.len < t.len && t.p[i + h.len] == '@')
		h.len = 0; /* userinfo: do not take it as the host */
	return h;
}

/* Splits the request line: method (a token of upper-case letters) and
 * target; false when it has no such method. */
static bool request_parts(struct dt_str r, struct dt_str *method, struct dt_str *target)
{
	const char *sp = memchr(r.p, ' ', r.len);
	size_t m = sp ? (size_t)(sp - r.p) : r.len, end = r.len;

	if (m == 0 || m > 20)
		return false;
	for (size_t i = 0; i < m; i++)
		if (r.p[i] < 'A' || r.p[i] > 'Z')
			return false;
	*method = (struct dt_str){r.p, m};
	*target = (struct dt_str){r.p + m, 0};
	if (sp == NULL)
		return true;
	/* drop a trailing " HTTP/x.y" */
	for (size_t i = end; i > m; i--) {
		if (r.p[i - 1] == ' ') {
			if (end - i >= 5 && memcmp(r.p + i, "HTTP/", 5) == 0)
				end = i - 1;
			break;
		}
	}
	if (end > m)
		*target = (struct dt_str){r.p + m + 1, end - m - 1};
	return true;
}

static int64_t body_bytes(struct dt_str b, bool *ok)
{
	int64_t v = 0;

	*ok = true;
	if (b.len == 1 && b.p[0] == '-')
		return -1;
	if (b.len == 0 || b.len > 18) {
		*ok = false;
		return -1;
	}
	for (size_t i = 0; i < b.len; i++) {
		if (!is_digit(b.p[i])) {
			*ok = false;
			return -1;
		}
		v = v * 10 + (b.p[i] - '0');
	}
	return v;
}

/* "http METHOD DDD" into buf (sizeof weblog_state.sig; a slice, not
 * NUL-terminated). */
static struct dt_str signature(char *buf, const char *method, int32_t status)
{
	size_t m = strlen(method);

	memcpy(buf, "http ", 5);    /* NOLINT(bugprone-not-null-terminated-result) */
	memcpy(buf + 5, method, m); /* NOLINT(bugprone-not-null-terminated-result) */
	buf[5 + m] = ' ';
	buf[6 + m] = (char)('0' + status / 100);
	buf[7 + m] = (char)('0' + status / 10 % 10);
	buf[8 + m] = (char)('0' + status % 10);
	return (struct dt_str){buf, 9 + m};
}

static enum textlog_verdict reject(char *why, const char *msg)
{
	snprintf(why, TEXTLOG_WHY, "%s", msg);
	return TEXTLOG_REJECTED;
}

static enum textlog_verdict classify(void *ctx, const char *s, size_t n, struct event *ev,
                                     char *why)
{
	struct weblog_state *st = ctx;
	const char *sp = memchr(s, ' ', n), *lb;
	struct dt_str client, vhost = {s, 0}, req, method = {s, 0}, target = {s, 0}, bytes;
	struct dt_str ua = {s, 0};
	size_t i, used = 0, q;
	int64_t ts = 0;
	int32_t port = -1, status;
	bool ok, has_method;
	const char *msig;

	if (sp == NULL || sp == s)
		return reject(why, "not an access log line: no client address field");
	client = (struct dt_str){s, (size_t)(sp - s)};
	/* the time: the first " [" that opens a valid one */
	for (lb = sp; (lb = memchr(lb, '[', (size_t)(s + n - lb))) != NULL; lb++) {
		if (lb[-1] == ' ' && !logtime_clf(lb + 1, (size_t)(s + n - lb - 1), &used, &ts) &&
		    lb + 1 + used < s + n && lb[1 + used] == ']')
			break;
	}
	if (lb == NULL)
		return reject(why, "not an access log line: no [dd/Mon/yyyy:hh:mm:ss +hhmm] time");
	/* vhost_combined: "vhost:port client ..." */
	{
		struct dt_str host, next = {sp + 1, 0};
		struct dt_ip ip;

		if (weblog_vhost_port(client, &host, &port)) {
			while (next.p + next.len < lb && next.p[next.len] != ' ')
				next.len++;
			if (next.len && !dt_ip_parse(next.p, next.len, &ip)) {
				vhost = host;
				client = next;
			}
		}
		if (vhost.len == 0)
			port = -1;
	}
	i = (size_t)(lb - s) + 1 + used + 1; /* past ']' */
	if (i + 1 >= n || s[i] != ' ' || s[i + 1] != '"')
		return reject(why, "no quoted request after the time");
	i++;
	q = weblog_quoted_end(s, n, i);
	while (q < n && !weblog_status_at(s, n, q + 1)) {
		const char *nq = memchr(s + q + 1, '"', n - q - 1);

		q = nq ? (size_t)(nq - s) : n;
	}
	if (q >= n)
		return reject(why, "request not closed by '\"' and a status code");
	req = (struct dt_str){s + i + 1, q - i - 1};
	status = (s[q + 2] - '0') * 100 + (s[q + 3] - '0') * 10 + (s[q + 4] - '0');
	i = q + 5;
	if (i >= n || s[i] != ' ')
		return reject(why, "no body bytes after the status");
	bytes.p = s + ++i;
	for (bytes.len = 0; i < n && s[i] != ' '; i++)
		bytes.len++;
	event_init(ev);
	ev->resp_bytes = body_bytes(bytes, &ok);
	if (!ok)
		return reject(why, "body bytes are neither a number nor '-'");
	/* referer and user agent, if present */
	if (i + 1 < n && s[i + 1] == '"') {
		q = weblog_quoted_end(s, n, i + 1);
		i = q + 1;
		if (q < n && i + 1 < n && s[i] == ' ' && s[i + 1] == '"') {
			q = weblog_quoted_end(s, n, i + 1);
			if (q < n)
				ua = (struct dt_str){s + i + 2, q - i - 2};
		}
	}
	if (ua.len == 1 && ua.p[0] == '-')
		ua.len = 0;

	ev->kind = EVENT_HTTP;
	ev->ts_us = ts;
	ev->has_src = dt_ip_parse(client.p, client.len, &ev->src) == DT_OK;
	ev->dport = port;
	ev->proto = 6;
	ev->service = (struct dt_str){"http", 4};
	has_method = request_parts(req, &method, &target);
	msig = has_method ? "other" : "invalid";
	for (size_t k = 0; has_method && k < sizeof(methods) / sizeof(*methods); k++) {
		if (methods[k].len == method.len &&
		    memcmp(methods[k].name, method.p, method.len) == 0) {
			msig = methods[k].name;
			break;
		}
	}
	ev->signature = signature(st->sig, msig, status);
	ev->severity = status >= 500 && status <= 599   ? SEV_5XX
	               : status >= 400 && status <= 499 ? SEV_4XX
	                                                : SEV_OTHER;
	ev->url = unescape(target, st->url);
	ev->user_agent = unescape(ua, st->ua);
	if (vhost.len)
		ev->domain = vhost;
	else if (has_method)
		ev->domain =
		    target_host(target, method.len == 7 && !memcmp(method.p, "CONNECT", 7));
	return TEXTLOG_EVENT;
}

enum dt_err ingest_weblog(struct reader *r, const struct ingest_ctx *x, struct dt_diag *diag)
{
	struct weblog_state *st = malloc(sizeof(*st));
	enum dt_err err;

	if (st == NULL) {
		dt_diag_set(diag, x->name ? x->name : "", 0, "%s", dt_strerror(DT_ENOMEM));
		return DT_ENOMEM;
	}
	err = textlog_run(r, x, diag, "an nginx/apache access log", classify, st);
	free(st);
	return err;
}
