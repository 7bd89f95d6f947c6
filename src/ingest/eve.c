/*
 * eve.c — Suricata's EVE JSON: one JSON object a line, each with an
 * "event_type" that says which sub-object ("alert", "flow", "dns", ...)
 * carries the details.
 *
 * Each non-blank line is parsed on its own (core/jscan.h: validated in
 * one pass, no tree allocated), so a broken line costs only itself: it is reported as
 * name:line with the reason and counted as rejected.  Lines of an event
 * type we do not map (stats, smtp, drop, ...) are valid EVE and counted as
 * ignored.  The input is refused as a whole (DT_EFORMAT) only when it has
 * non-blank lines and not one of them is an EVE object, so a Zeek log or a
 * CSV handed to the wrong parser says so once instead of being "all
 * rejected".
 *
 * Timestamps ("2016-06-08T20:01:52.875791+0000") are read by
 * ingest/logtime.h, not by strptime: fixed digit counts, ranges checked
 * (day of month included), fraction truncated to microseconds, the zone
 * offset (+hhmm, +hh:mm or Z, required here) subtracted to give UTC.
 *
 * Ownership: the strings of the event handed to the sink point into the
 * current line (or the scanner's buffer of decoded strings) or into small buffers of this call
 * (flow_id as decimal text, the normalised certificate hash, the built
 * URL); all of them die when the sink returns.  The record number of an
 * event is its line number in the input (blank lines included), so a
 * reader can find the line again.  Counts are added to *c, not reset.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jscan.h"
#include "core/strbuf.h"
#include "ingest/logtime.h"
#include "ingest/parsers.h"

/* One line of EVE (alerts with payloads run to tens of kilobytes). */
#define EVE_MAX_LINE (16u << 20)

/* A line's verdict: made an event, of no interest, or rejected. */
enum verdict { V_EVENT, V_IGNORED, V_REJECTED };

/* What one call keeps between lines. */
struct eve_state {
	const char *name;
	unsigned long line;
	event_warn_fn *warn;
	void *wctx;
	char uid[24];       /* flow_id as decimal text */
	char cert_sha1[41]; /* tls.fingerprint, lower-case hex */
	struct strbuf url;  /* "http://" host url */
	char why[200];      /* the first reason a line was not EVE */
	struct js_doc js;   /* the current line */
};

static void reject(struct eve_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void reject(struct eve_state *st, const char *fmt, ...)
{
	struct dt_diag d;
	va_list ap;
	char msg[sizeof(d.msg)];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dt_diag_set(&d, st->name, st->line, "%s", msg);
	if (st->warn)
		st->warn(st->wctx, &d);
}

/* ---- timestamps ------------------------------------------------------- */

/*
 * "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+hhmm|+hh:mm|-hhmm|-hh:mm)", the whole
 * value, to microseconds since the epoch, UTC: logtime_iso, held to what
 * Suricata writes (a "T", a zone, nothing after).  Returns NULL or why not.
 */
static const char *parse_ts(const char *s, size_t len, int64_t *out)
{
	const char *why;
	size_t used;

	if (len < 20 || (s[10] != 'T' && s[10] != 't'))
		return "not of the form YYYY-MM-DDTHH:MM:SS";
	if ((why = logtime_iso(s, len, &used, out)))
		return why;
	if (used != len)
		return "trailing characters";
	if (s[len - 1] != 'Z' && s[len - 1] != 'z' && !memchr(s + 19, '+', len - 19) &&
	    !memchr(s + 19, '-', len - 19))
		return "no zone offset (+hhmm or Z)";
	return NULL;
}

/* ---- reading values --------------------------------------------------- */

/* A string member as a slice; false when absent or not a string. */
static bool get_str(struct js_doc *d, int o, const char *key, struct dt_str *out)
{
	return js_str(d, js_get(d, o, key), &out->p, &out->len);
}

/* A non-negative integer member, or -1. */
static int64_t get_count(struct js_doc *d, int o, const char *key)
{
	int64_t v;

	if (!js_int(d, js_get(d, o, key), &v) || v < 0)
		return -1;
	return v;
}

static bool str_eq(struct dt_str s, const char *lit)
{
	size_t n = strlen(lit);

	if (s.len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = s.p[i], b = lit[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a + 32);
		if (b >= 'A' && b <= 'Z')
			b = (char)(b + 32);
		if (a != b)
			return false;
	}
	return true;
}

static bool has_prefix(struct dt_str s, const char *lit)
{
	struct dt_str head = {s.p, strlen(lit)};

	return s.len >= head.len && str_eq(head, lit);
}

/* "TCP", "udp", "IPv6-ICMP", "6": the protocol number, or -1. */
static int32_t parse_proto(struct js_doc *d, int v)
{
	static const struct {
		const char *name;
		int32_t num;
	} names[] = {
	    {"tcp", 6},     {"udp", 17},   {"icmp", 1},  {"ipv6-icmp", 58},
	    {"icmpv6", 58}, {"sctp", 132}, {"gre", 47},  {"esp", 50},
	    {"ah", 51},     {"igmp", 2},   {"ipv6", 41}, {"udplite", 136},
	};
	struct dt_str s;
	int32_t n = 0;
	int64_t num;

	if (js_int(d, v, &num))
		return num >= 0 && num <= 255 ? (int32_t)num : -1;
	if (!js_str(d, v, &s.p, &s.len))
		return -1;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (str_eq(s, names[i].name))
			return names[i].num;
	if (s.len == 0 || s.len > 3)
		return -1;
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		n = n * 10 + (s.p[i] - '0');
	}
	return n <= 255 ? n : -1;
}

/* An address member: absent is fine (*has false), malformed is not. */
static const char *get_ip(struct js_doc *d, int v, bool *has, struct dt_ip *ip)
{
	struct dt_str t;

	*has = false;
	if (v < 0 || js_type(d, v) == JS_NULL)
		return NULL;
	if (!js_str(d, v, &t.p, &t.len) || dt_ip_parse(t.p, t.len, ip))
		return "is not an IP address";
	*has = true;
	return NULL;
}

static const char *get_port(struct js_doc *d, int v, int32_t *port)
{
	int64_t n;

	*port = -1;
	if (v < 0 || js_type(d, v) == JS_NULL)
		return NULL;
	if (!js_int(d, v, &n) || n < 0 || n > 65535)
		return "is not a port number";
	*port = (int32_t)n;
	return NULL;
}

/* flow.start/flow.end (or netflow's) as a duration; age as a fallback. */
static int64_t get_duration(struct js_doc *d, int o)
{
	struct dt_str a, b;
	int64_t t0, t1, age;

	if (get_str(d, o, "start", &a) && get_str(d, o, "end", &b) && !parse_ts(a.p, a.len, &t0) &&
	    !parse_ts(b.p, b.len, &t1) && t1 >= t0)
		return t1 - t0;
	age = get_count(d, o, "age");
	return age >= 0 && age < INT64_MAX / 1000000 ? age * 1000000 : -1;
}

/* v in decimal into out (at least 21 bytes); its length. */
static size_t u64_text(uint64_t v, char *out)
{
	char t[20];
	size_t n = 0, k = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		out[k++] = t[--n];
	out[k] = '\0';
	return k;
}

/* "aa:BB:..." (20 bytes) into lower-case hex without colons; false if not. */
static bool norm_sha1(struct dt_str f, char out[41])
{
	size_t o = 0;

	for (size_t i = 0; i < f.len; i++) {
		char ch = f.p[i];

		if (ch == ':') {
			if (i % 3 != 2)
				return false;
			continue;
		}
		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch + 32);
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) || o == 40)
			return false;
		out[o++] = ch;
	}
	out[o] = '\0';
	return o == 40;
}

/* ---- the sub-objects -------------------------------------------------- */

static enum dt_err take_http(struct eve_state *st, int h, struct event *ev)
{
	struct dt_str host = {0}, path = {0};
	enum dt_err err = DT_OK;

	if (js_type(&st->js, h) != JS_OBJECT)
		return DT_OK;
	if (get_str(&st->js, h, "hostname", &host))
		ev->domain = host;
	get_str(&st->js, h, "http_user_agent", &ev->user_agent);
	if (!get_str(&st->js, h, "url", &path))
		return DT_OK;
	if (host.len == 0 || has_prefix(path, "http://") || has_prefix(path, "https://")) {
		ev->url = path; /* already absolute (proxy requests), or no host */
		return DT_OK;
	}
	strbuf_reset(&st->url);
	if ((err = strbuf_add(&st->url, "http://", 7)) ||
	    (err = strbuf_add(&st->url, host.p, host.len)))
		return err;
	if (path.len && path.p[0] != '/' && (err = strbuf_addc(&st->url, '/')))
		return err;
	if ((err = strbuf_add(&st->url, path.p, path.len)))
		return err;
	ev->url.p = st->url.p;
	ev->url.len = st->url.len;
	return DT_OK;
}

static void take_tls(struct eve_state *st, int t, struct event *ev)
{
	struct js_doc *d = &st->js;
	struct dt_str fp;

	if (js_type(d, t) != JS_OBJECT)
		return;
	get_str(d, t, "sni", &ev->domain);
	get_str(d, js_get(d, t, "ja3"), "hash", &ev->ja3);
	get_str(d, js_get(d, t, "ja3s"), "hash", &ev->ja3s);
	if (get_str(d, t, "fingerprint", &fp) && norm_sha1(fp, st->cert_sha1)) {
		ev->cert_sha1.p = st->cert_sha1;
		ev->cert_sha1.len = 40;
	}
}

static void take_dns(struct js_doc *d, int o, struct event *ev)
{
	int q;

	if (js_type(d, o) != JS_OBJECT)
		return;
	if (get_str(d, o, "rrname", &ev->domain))
		return;
	/* Suricata 7 alerts: "query": [...]; EVE DNS v3: "queries": [...] */
	q = js_get(d, o, "query");
	if (js_type(d, q) != JS_ARRAY)
		q = js_get(d, o, "queries");
	get_str(d, js_index(d, q, 0), "rrname", &ev->domain);
}

static void take_flow(struct js_doc *d, int f, struct event *ev)
{
	if (js_type(d, f) != JS_OBJECT)
		return;
	ev->orig_bytes = get_count(d, f, "bytes_toserver");
	ev->resp_bytes = get_count(d, f, "bytes_toclient");
	ev->orig_pkts = get_count(d, f, "pkts_toserver");
	ev->resp_pkts = get_count(d, f, "pkts_toclient");
	ev->duration_us = get_duration(d, f);
	get_str(d, f, "state", &ev->state);
}

static void take_ssh(struct js_doc *d, int s, struct event *ev)
{
	if (js_type(d, s) != JS_OBJECT)
		return;
	/* the client's software is what it says it is: its user agent */
	get_str(d, js_get(d, s, "client"), "software_version", &ev->user_agent);
}

/* ---- one line --------------------------------------------------------- */

/* The members of a record's top level, read in one pass (js_pick). */
enum root {
	R_EVENT_TYPE,
	R_TIMESTAMP,
	R_SRC_IP,
	R_DEST_IP,
	R_SRC_PORT,
	R_DEST_PORT,
	R_PROTO,
	R_FLOW_ID,
	R_APP_PROTO,
	R_ALERT,
	R_FLOW,
	R_DNS,
	R_TLS,
	R_HTTP,
	R_FILEINFO,
	R_NETFLOW,
	R_ANOMALY,
	R_SSH,
	R_N
};
static const char *const root_names[R_N] = {
    "event_type", "timestamp", "src_ip",    "dest_ip", "src_port", "dest_port",
    "proto",      "flow_id",   "app_proto", "alert",   "flow",     "dns",
    "tls",        "http",      "fileinfo",  "netflow", "anomaly",  "ssh",
};

/* The event types we map, their kinds. */
static const struct {
	const char *type;
	const char *kind;
} types[] = {
    {"alert", EVENT_ALERT},   {"flow", EVENT_FLOW},     {"netflow", EVENT_FLOW},
    {"dns", EVENT_DNS},       {"http", EVENT_HTTP},     {"tls", EVENT_TLS},
    {"fileinfo", EVENT_FILE}, {"anomaly", EVENT_OTHER}, {"ssh", EVENT_SSH},
};

/*
 * Fills ev from the object o of a known type.  Returns V_EVENT, or
 * V_REJECTED after warning; *err is set only for a failure of ours.
 */
static enum verdict fill(struct eve_state *st, const int *m, const char *type, struct event *ev,
                         enum dt_err *err)
{
	struct js_doc *d = &st->js;
	struct dt_str ts, raw;
	const char *why;
	int64_t n;
	int sub;

	if (!js_str(d, m[R_TIMESTAMP], &ts.p, &ts.len)) {
		reject(st,
		       m[R_TIMESTAMP] >= 0 ? "\"timestamp\" is not a string" : "no \"timestamp\"");
		return V_REJECTED;
	}
	if ((why = parse_ts(ts.p, ts.len, &ev->ts_us))) {
		reject(st, "timestamp '%.*s': %s", (int)(ts.len < 40 ? ts.len : 40), ts.p, why);
		return V_REJECTED;
	}
	if ((why = get_ip(d, m[R_SRC_IP], &ev->has_src, &ev->src))) {
		if (!js_raw(d, m[R_SRC_IP], &raw.p, &raw.len))
			raw.len = 0;
		reject(st, "\"src_ip\" '%.*s' %s", (int)(raw.len < 60 ? raw.len : 60), raw.p, why);
		return V_REJECTED;
	}
	if ((why = get_ip(d, m[R_DEST_IP], &ev->has_dst, &ev->dst))) {
		if (!js_raw(d, m[R_DEST_IP], &raw.p, &raw.len))
			raw.len = 0;
		reject(st, "\"dest_ip\" '%.*s' %s", (int)(raw.len < 60 ? raw.len : 60), raw.p, why);
		return V_REJECTED;
	}
	if ((why = get_port(d, m[R_SRC_PORT], &ev->sport))) {
		reject(st, "\"src_port\" %s", why);
		return V_REJECTED;
	}
	if ((why = get_port(d, m[R_DEST_PORT], &ev->dport))) {
		reject(st, "\"dest_port\" %s", why);
		return V_REJECTED;
	}
	ev->proto = parse_proto(d, m[R_PROTO]);
	if (js_int(d, m[R_FLOW_ID], &n) && n >= 0) {
		ev->uid.len = u64_text((uint64_t)n, st->uid);
		ev->uid.p = st->uid;
	} else {
		js_str(d, m[R_FLOW_ID], &ev->uid.p, &ev->uid.len);
	}
	if (js_str(d, m[R_APP_PROTO], &ev->service.p, &ev->service.len) &&
	    (str_eq(ev->service, "failed") || str_eq(ev->service, "unknown")))
		ev->service.len = 0;

	if (strcmp(type, "alert") == 0) {
		sub = m[R_ALERT];
		get_str(d, sub, "signature", &ev->signature);
		ev->signature_id = get_count(d, sub, "signature_id");
		if (js_int(d, js_get(d, sub, "severity"), &n) && n >= 0 && n <= 255)
			ev->severity = (int32_t)n;
		/* alerts may carry the metadata of their flow and transaction */
		take_flow(d, m[R_FLOW], ev);
		take_dns(d, m[R_DNS], ev);
		take_tls(st, m[R_TLS], ev);
		*err = take_http(st, m[R_HTTP], ev);
	} else if (strcmp(type, "flow") == 0) {
		take_flow(d, m[R_FLOW], ev);
	} else if (strcmp(type, "netflow") == 0) {
		/* one direction a record: it is the originator's */
		sub = m[R_NETFLOW];
		ev->orig_bytes = get_count(d, sub, "bytes");
		ev->orig_pkts = get_count(d, sub, "pkts");
		if (js_type(d, sub) == JS_OBJECT)
			ev->duration_us = get_duration(d, sub);
	} else if (strcmp(type, "dns") == 0) {
		take_dns(d, m[R_DNS], ev);
	} else if (strcmp(type, "http") == 0) {
		*err = take_http(st, m[R_HTTP], ev);
	} else if (strcmp(type, "tls") == 0) {
		take_tls(st, m[R_TLS], ev);
	} else if (strcmp(type, "fileinfo") == 0) {
		sub = m[R_FILEINFO];
		get_str(d, sub, "md5", &ev->md5);
		get_str(d, sub, "sha1", &ev->sha1);
		get_str(d, sub, "sha256", &ev->sha256);
		take_tls(st, m[R_TLS], ev);
		*err = take_http(st, m[R_HTTP], ev);
	} else if (strcmp(type, "anomaly") == 0) {
		sub = m[R_ANOMALY];
		if (!get_str(d, sub, "event", &ev->signature))
			get_str(d, sub, "type", &ev->signature);
	} else if (strcmp(type, "ssh") == 0) {
		take_ssh(d, m[R_SSH], ev);
	}
	if (*err) {
		reject(st, "%s", dt_strerror(*err));
		return V_REJECTED;
	}
	return V_EVENT;
}

enum dt_err ingest_eve(struct reader *r, const struct ingest_ctx *x, struct dt_diag *diag)
{
	struct eve_state st;
	struct ingest_counts local = {0};
	struct ingest_counts *c = x->c ? x->c : &local;
	const char *name = x->name ? x->name : "";
	event_sink_fn *sink = x->sink;
	void *sctx = x->sctx;
	unsigned long first_line = 0;
	uint64_t good = 0;
	enum dt_err err = DT_OK;
	const char *l;
	size_t n;
	bool overlong;

	memset(&st, 0, sizeof(st));
	st.name = name;
	st.warn = x->warn;
	st.wctx = x->wctx;
	strbuf_init(&st.url, EVE_MAX_LINE + 16); /* host and path come from one line */
	while (reader_line(r, &l, &n, &overlong)) {
		const char *type = NULL;
		struct dt_str ty;
		char typebuf[32];
		int m[R_N];
		struct event ev;
		enum verdict vd = V_REJECTED;
		size_t k;

		st.line++;
		/* a UTF-8 byte order mark is not part of the first line */
		if (st.line == 1 && n >= 3 && memcmp(l, "\xef\xbb\xbf", 3) == 0) {
			l += 3;
			n -= 3;
		}
		while (n && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
			n--;
		for (k = 0; k < n && (l[k] == ' ' || l[k] == '\t'); k++)
			;
		if (k == n)
			continue; /* blank */
		c->records++;
		if (first_line == 0)
			first_line = st.line;
		if (n > EVE_MAX_LINE || overlong) {
			if (!st.why[0])
				snprintf(st.why, sizeof(st.why), "line longer than %u bytes",
				         EVE_MAX_LINE);
			reject(&st, "line longer than %u bytes", EVE_MAX_LINE);
			c->rejected++;
			continue;
		}
		if (!js_parse(&st.js, l, n)) {
			if (!st.why[0])
				snprintf(st.why, sizeof(st.why), "invalid JSON: %s", st.js.err);
			reject(&st, "invalid JSON at column %zu: %s", st.js.err_col, st.js.err);
		} else if (js_type(&st.js, 0) != JS_OBJECT) {
			if (!st.why[0])
				snprintf(st.why, sizeof(st.why), "not a JSON object");
			reject(&st, "not a JSON object");
		} else if ((js_pick(&st.js, 0, root_names, R_N, m),
		            !js_str(&st.js, m[R_EVENT_TYPE], &ty.p, &ty.len))) {
			if (!st.why[0])
				snprintf(st.why, sizeof(st.why), "no \"event_type\"");
			reject(&st, "no \"event_type\" string: not an EVE record");
		} else {
			const char *kind = NULL;

			/* a type longer than any we know is one we ignore */
			snprintf(typebuf, sizeof(typebuf), "%.*s",
			         (int)(ty.len < sizeof(typebuf) ? ty.len : 0), ty.p);
			type = typebuf;
			for (k = 0; k < sizeof(types) / sizeof(*types); k++)
				if (strcmp(type, types[k].type) == 0)
					kind = types[k].kind;
			good++;
			if (kind == NULL) {
				vd = V_IGNORED;
			} else {
				event_init(&ev);
				ev.kind = kind;
				ev.record = st.line;
				vd = fill(&st, m, type, &ev, &err);
				if (err == DT_ENOMEM) {
					dt_diag_set(diag, name, st.line, "%s", dt_strerror(err));
					goto out;
				}
				err = DT_OK;
				if (vd == V_EVENT) {
					err = sink(sctx, &ev);
					if (err) {
						dt_diag_set(diag, name, st.line, "%s",
						            dt_strerror(err));
						goto out;
					}
				}
			}
		}
		switch (vd) {
		case V_EVENT: c->events++; break;
		case V_IGNORED: c->ignored++; break;
		case V_REJECTED: c->rejected++; break;
		}
	}
	if (good == 0 && first_line != 0) {
		dt_diag_set(
		    diag, name, first_line,
		    "not Suricata EVE JSON: no line is a JSON object with an \"event_type\" "
		    "(line %lu: %s)",
		    first_line, st.why);
		err = DT_EFORMAT;
	}
out:
	js_release(&st.js);
	strbuf_release(&st.url);
	return err;
}
