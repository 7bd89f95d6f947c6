/*
 * zeek.c — Zeek logs, TSV or JSON, of any log type, into struct event.
 *
 * TSV.  A Zeek TSV log describes itself: `#separator \x09` (its value
 * \x-escaped, separated by a space since the separator is not known yet),
 * then `#set_separator`, `#empty_field`, `#unset_field`, `#path`, `#open`,
 * `#fields` and `#types`, each "name<sep>value", and `#close` at the end.
 * A file may hold several header blocks (rotated logs concatenated): a
 * `#separator` line starts a new block with the defaults, a `#fields` line
 * replaces the column mapping.  Nothing is positional: when a #fields line
 * arrives, each column name is looked up once in col_name[] and the result
 * kept in `want` (column index -> COL_*, or -1), so the hot path splits a
 * line with memchr and keeps only the slices of the wanted columns.  The
 * unset (`-`) and empty (`(empty)`) markers make a value absent.  Values
 * are slices of the caller's buffer; \xNN escapes inside values are left
 * as they are.  No allocation happens per line: the only buffers are
 * `want` (per header) and `scratch` (grown when a composed url or
 * signature needs more room than any before).
 *
 * JSON.  One object a line, detected by a first non-blank `{`; the same
 * field names as flat dotted keys ("id.orig_h"), or nested objects
 * ("id": {"orig_h": ...}).  Every wanted value is turned into the text a
 * TSV log would hold (numbers printed, booleans T/F, the first element of
 * an array), so both formats share fill_event().  ts is a number of epoch
 * seconds or an ISO 8601 string.  The log type comes from "_path" when the
 * writer added it, otherwise from a telltale field (guess_json_log()).
 * Each line is checked and read by core/jscan.h, which keeps numbers as
 * their decimal text.
 *
 * Times are read as decimal text, never through a double: seconds and up
 * to six fraction digits (more are truncated) give ts_us exactly.  (Only a
 * number written with an exponent goes through a double, printed back with
 * six decimals: exact for epoch times, whose double spacing is ~0.24 us.)
 *
 * What each log type contributes (all by field name, whatever the log):
 *   every log  ts, uid (else fuid), id.orig_h/p -> src, id.resp_h/p -> dst,
 *              proto (tcp 6, udp 17, icmp 1), user_agent, ja3, ja3s,
 *              md5/sha1/sha256
 *   conn       service, duration, orig/resp_bytes, orig/resp_pkts,
 *              conn_state -> state                                  (flow)
 *   dns        query -> domain                                      (dns)
 *   http       host -> domain, "http://" host uri -> url (an absolute uri
 *              is kept as it is)                                   (http)
 *   ssl        server_name -> domain; the first cert_chain_fps -> cert_sha256
 *              (64 hex digits) or cert_sha1 (40)                    (tls)
 *   x509       fingerprint -> cert_sha256 or cert_sha1 by length    (x509)
 *   files      tx_hosts/rx_hosts (first element) -> src/dst when there is
 *              no id.*                                              (file)
 *   notice     "note: msg" -> signature; src, dst, p when there is no id.*
 *                                                                 (notice)
 *   intel      seen.indicator -> signature, and -> domain or url by
 *              seen.indicator_type (Intel::DOMAIN, Intel::URL)     (alert)
 *   weird      name -> signature                                   (other)
 *   ssh, smtp  the common fields                             (ssh, smtp)
 *   others     the common fields                                   (other)
 *
 * A line is rejected (warn, counted, skipped) for a wrong number of
 * fields, a missing or bad ts, a bad address, port, duration or count.
 * Blank lines, header and comment lines are counted as ignored.  The
 * record number is the 1-based line number.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/jscan.h"
#include "ingest/logtime.h"
#include "ingest/parsers.h"

#define ZEEK_MAX_FIELDS 4096 /* columns of one #fields line */
#define ZEEK_MAX_TOKEN  64   /* an unescaped #separator/#empty_field/... value */
#define ZEEK_MAX_QUOTE  64   /* bytes of a bad value quoted in a warning */

enum col {
	COL_TS,
	COL_UID,
	COL_FUID,
	COL_ORIG_H,
	COL_ORIG_P,
	COL_RESP_H,
	COL_RESP_P,
	COL_PROTO,
	COL_SERVICE,
	COL_DURATION,
	COL_ORIG_BYTES,
	COL_RESP_BYTES,
	COL_ORIG_PKTS,
	COL_RESP_PKTS,
	COL_CONN_STATE,
	COL_QUERY,
	COL_HOST,
	COL_URI,
	COL_USER_AGENT,
	COL_SERVER_NAME,
	COL_JA3,
	COL_JA3S,
	COL_CERT_FPS,
	COL_FINGERPRINT,
	COL_MD5,
	COL_SHA1,
	COL_SHA256,
	COL_TX_HOSTS,
	COL_RX_HOSTS,
	COL_NOTE,
	COL_MSG,
	COL_SRC,
	COL_DST,
	COL_P,
	COL_NAME,
	COL_INDICATOR,
	COL_INDICATOR_TYPE,
	COL_N
};

static const char *const col_name[COL_N] = {
    [COL_TS] = "ts",
    [COL_UID] = "uid",
    [COL_FUID] = "fuid",
    [COL_ORIG_H] = "id.orig_h",
    [COL_ORIG_P] = "id.orig_p",
    [COL_RESP_H] = "id.resp_h",
    [COL_RESP_P] = "id.resp_p",
    [COL_PROTO] = "proto",
    [COL_SERVICE] = "service",
    [COL_DURATION] = "duration",
    [COL_ORIG_BYTES] = "orig_bytes",
    [COL_RESP_BYTES] = "resp_bytes",
    [COL_ORIG_PKTS] = "orig_pkts",
    [COL_RESP_PKTS] = "resp_pkts",
    [COL_CONN_STATE] = "conn_state",
    [COL_QUERY] = "query",
    [COL_HOST] = "host",
    [COL_URI] = "uri",
    [COL_USER_AGENT] = "user_agent",
    [COL_SERVER_NAME] = "server_name",
    [COL_JA3] = "ja3",
    [COL_JA3S] = "ja3s",
    [COL_CERT_FPS] = "cert_chain_fps",
    [COL_FINGERPRINT] = "fingerprint",
    [COL_MD5] = "md5",
    [COL_SHA1] = "sha1",
    [COL_SHA256] = "sha256",
    [COL_TX_HOSTS] = "tx_hosts",
    [COL_RX_HOSTS] = "rx_hosts",
    [COL_NOTE] = "note",
    [COL_MSG] = "msg",
    [COL_SRC] = "src",
    [COL_DST] = "dst",
    [COL_P] = "p",
    [COL_NAME] = "name",
    [COL_INDICATOR] = "seen.indicator",
    [COL_INDICATOR_TYPE] = "seen.indicator_type",
};

/* Log types that change how fields are read (see the table above). */
enum zlog {
	ZL_OTHER,
	ZL_CONN,
	ZL_DNS,
	ZL_HTTP,
	ZL_SSL,
	ZL_SSH,
	ZL_X509,
	ZL_FILES,
	ZL_NOTICE,
	ZL_SMTP,
	ZL_INTEL,
	ZL_WEIRD
};

static const struct {
	const char *path;
	enum zlog log;
	const char *kind;
} log_types[] = {
    {"conn", ZL_CONN, EVENT_FLOW},    {"dns", ZL_DNS, EVENT_DNS},
    {"http", ZL_HTTP, EVENT_HTTP},    {"ssl", ZL_SSL, EVENT_TLS},
    {"ssh", ZL_SSH, EVENT_SSH},       {"x509", ZL_X509, EVENT_X509},
    {"files", ZL_FILES, EVENT_FILE},  {"notice", ZL_NOTICE, EVENT_NOTICE},
    {"smtp", ZL_SMTP, EVENT_SMTP},    {"intel", ZL_INTEL, EVENT_ALERT},
    {"weird", ZL_WEIRD, EVENT_OTHER},
};

static const char *log_kind(enum zlog log)
{
	for (size_t i = 0; i < sizeof(log_types) / sizeof(log_types[0]); i++)
		if (log_types[i].log == log)
			return log_types[i].kind;
	return EVENT_OTHER;
}

static enum zlog path_log(const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof(log_types) / sizeof(log_types[0]); i++)
		if (strlen(log_types[i].path) == n && memcmp(log_types[i].path, p, n) == 0)
			return log_types[i].log;
	return ZL_OTHER;
}

/* The current header block of a TSV log. */
struct zeek_hdr {
	char sep[ZEEK_MAX_TOKEN];
	size_t sep_len;
	char set_sep;
	char empty[ZEEK_MAX_TOKEN], unset[ZEEK_MAX_TOKEN];
	size_t empty_len, unset_len;
	enum zlog log;
	bool have_fields;
	size_t nfields;
	signed char *want; /* [nfields]: COL_* or -1; owned, grown as needed */
	size_t want_cap;
};

struct zeek {
	const char *name;
	event_sink_fn *sink;
	void *sctx;
	event_warn_fn *warn;
	void *wctx;
	struct ingest_counts *c;
	struct js_doc js; /* the current JSON line */
	char *scratch;    /* composed url and signature; owned */
	size_t scratch_cap;
	struct zeek_hdr h;
};

static void hdr_defaults(struct zeek_hdr *h)
{
	h->sep[0] = '\t';
	h->sep_len = 1;
	h->set_sep = ',';
	memcpy(h->empty, "(empty)", 7);
	h->empty_len = 7;
	h->unset[0] = '-';
	h->unset_len = 1;
	h->log = ZL_OTHER;
	h->have_fields = false;
	h->nfields = 0;
}

static void reject(struct zeek *z, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void reject(struct zeek *z, unsigned long line, const char *fmt, ...)
{
	struct dt_diag d;
	va_list ap;

	z->c->rejected++;
	if (z->warn == NULL)
		return;
	dt_diag_set(&d, z->name, line, "%s", "");
	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof(d.msg), fmt, ap);
	va_end(ap);
	z->warn(z->wctx, &d);
}

/* ---- values ------------------------------------------------------------ */

static int quote_len(size_t n)
{
	return (int)(n > ZEEK_MAX_QUOTE ? ZEEK_MAX_QUOTE : n);
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Decimal digits s[0..n) into *v; false when empty, not digits or > max. */
static bool parse_uint(const char *s, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || x > (max - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

/* Up to six fraction digits after s[*i] == '.', as microseconds. */
static bool parse_fraction(const char *s, size_t n, size_t *i, int64_t *us)
{
	int64_t f = 0;
	int k = 0;

	if (*i >= n || s[*i] != '.')
		return true;
	(*i)++;
	if (*i >= n || !is_digit(s[*i]))
		return false;
	for (; *i < n && is_digit(s[*i]); (*i)++)
		if (k < 6) {
			f = f * 10 + (s[*i] - '0');
			k++;
		}
	for (; k < 6; k++)
		f *= 10;
	*us = f;
	return true;
}

/* "YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+HH:MM|+HHMM]" (a space for T too), the
 * whole value: ingest/logtime.h. */
static bool parse_iso8601(const char *s, size_t n, int64_t *us)
{
	size_t used;

	return logtime_iso(s, n, &used, us) == NULL && used == n;
}

/*
 * Zeek time or interval text: [-]seconds[.fraction] (up to 12 digits of
 * seconds, the fraction truncated to microseconds), or ISO 8601 when
 * iso_ok.
 */
static bool parse_time(const char *s, size_t n, bool neg_ok, bool iso_ok, int64_t *us)
{
	size_t i = 0, start;
	int64_t sec = 0, frac = 0;
	bool neg = false;

	/* the common form, digits, a dot and up to six digits, in one loop */
	if (n > 0 && n <= 19 && is_digit(s[0])) {
		uint64_t whole = 0, part = 0;
		size_t k = 0, dot;
		int fd = 0;

		while (k < n && k < 12 && is_digit(s[k]))
			whole = whole * 10 + (uint64_t)(s[k++] - '0');
		if (k == n) {
			*us = (int64_t)(whole * 1000000);
			return true;
		}
		if (s[k] == '.' && k + 1 < n && k + 7 >= n) {
			dot = k++;
			while (k < n && is_digit(s[k])) {
				part = part * 10 + (uint64_t)(s[k++] - '0');
				fd++;
			}
			if (k == n && dot < 12) {
				while (fd++ < 6)
					part *= 10;
				*us = (int64_t)(whole * 1000000 + part);
				return true;
			}
		}
	}
	if (iso_ok && n >= 19 && s[4] == '-')
		return parse_iso8601(s, n, us);
	if (neg_ok && n > 0 && s[0] == '-') {
		neg = true;
		i++;
	}
	start = i;
	for (; i < n && is_digit(s[i]); i++) {
		if (i - start == 12)
			return false; /* beyond year 33000: not a time */
		sec = sec * 10 + (s[i] - '0');
	}
	if (i == start)
		return false;
	if (!parse_fraction(s, n, &i, &frac) || i != n)
		return false;
	*us = sec * 1000000 + frac;
	if (neg)
		*us = -*us;
	return true;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!is_digit(ch) && !(ch >= 'a' && ch <= 'f') && !(ch >= 'A' && ch <= 'F'))
			return false;
	}
	return true;
}

/* The first element of a set or vector value. */
static struct dt_str first_elem(struct dt_str v, char set_sep)
{
	const char *q = v.len ? memchr(v.p, set_sep, v.len) : NULL;

	if (q)
		v.len = (size_t)(q - v.p);
	return v;
}

/* A certificate fingerprint, by length: SHA-256 or SHA-1 hex. */
static void set_cert(struct event *ev, struct dt_str v)
{
	if (v.len == 64 && is_hex(v.p, v.len))
		ev->cert_sha256 = v;
	else if (v.len == 40 && is_hex(v.p, v.len))
		ev->cert_sha1 = v;
}

static int32_t proto_number(struct dt_str v)
{
	if (v.len == 3 && memcmp(v.p, "tcp", 3) == 0)
		return 6;
	if (v.len == 3 && memcmp(v.p, "udp", 3) == 0)
		return 17;
	if (v.len == 4 && memcmp(v.p, "icmp", 4) == 0)
		return 1;
	return -1;
}

static bool str_eq(struct dt_str v, const char *lit)
{
	size_t n = strlen(lit);

	return v.len == n && memcmp(v.p, lit, n) == 0;
}

static enum dt_err grow_scratch(struct zeek *z, size_t need)
{
	char *p;
	size_t cap = z->scratch_cap ? z->scratch_cap : 256;

	if (need <= z->scratch_cap)
		return DT_OK;
	while (cap < need)
		cap *= 2;
	p = realloc(z->scratch, cap);
	if (p == NULL)
		return DT_ENOMEM;
	z->scratch = p;
	z->scratch_cap = cap;
	return DT_OK;
}

/* ---- one record -------------------------------------------------------- */

static bool parse_addr(struct dt_str v, struct dt_ip *ip)
{
	return dt_ip_parse(v.p, v.len, ip) == DT_OK;
}

static bool parse_port(struct dt_str v, int32_t *port)
{
	uint64_t x;

	if (!parse_uint(v.p, v.len, 65535, &x))
		return false;
	*port = (int32_t)x;
	return true;
}

/*
 * Fills ev from the values v[COL_*] (absent: len 0) of one record of a log
 * of type log.  Returns DT_OK, DT_EPARSE with why set, or DT_ENOMEM.
 */
static enum dt_err fill_event(struct zeek *z, enum zlog log, char set_sep, const struct dt_str *v,
                              struct event *ev, char *why, size_t whysz)
{
	static const enum col counts[4] = {COL_ORIG_BYTES, COL_RESP_BYTES, COL_ORIG_PKTS,
	                                   COL_RESP_PKTS};
	int64_t *count_out[4] = {&ev->orig_bytes, &ev->resp_bytes, &ev->orig_pkts, &ev->resp_pkts};
	struct dt_str src = v[COL_ORIG_H], dst = v[COL_RESP_H];
	struct dt_str sport = v[COL_ORIG_P], dport = v[COL_RESP_P];
	const char *src_name = col_name[COL_ORIG_H], *dst_name = col_name[COL_RESP_H];
	const char *dport_name = col_name[COL_RESP_P];
	size_t url_len = 0, sig_len = 0;
	enum dt_err err;

	ev->kind = log_kind(log);
	if (v[COL_TS].len == 0) {
		snprintf(why, whysz, "no ts");
		return DT_EPARSE;
	}
	if (!parse_time(v[COL_TS].p, v[COL_TS].len, false, true, &ev->ts_us)) {
		snprintf(why, whysz, "bad ts '%.*s'", quote_len(v[COL_TS].len), v[COL_TS].p);
		return DT_EPARSE;
	}
	ev->uid = v[COL_UID].len ? v[COL_UID] : v[COL_FUID];

	/* endpoints: id.*, else notice's src/dst/p, else files' tx/rx_hosts */
	if (src.len == 0 && v[COL_SRC].len) {
		src = v[COL_SRC];
		src_name = col_name[COL_SRC];
	}
	if (src.len == 0 && v[COL_TX_HOSTS].len) {
		src = first_elem(v[COL_TX_HOSTS], set_sep);
		src_name = col_name[COL_TX_HOSTS];
	}
	if (dst.len == 0 && v[COL_DST].len) {
		dst = v[COL_DST];
		dst_name = col_name[COL_DST];
	}
	if (dst.len == 0 && v[COL_RX_HOSTS].len) {
		dst = first_elem(v[COL_RX_HOSTS], set_sep);
		dst_name = col_name[COL_RX_HOSTS];
	}
	if (dport.len == 0 && v[COL_P].len) {
		dport = v[COL_P];
		dport_name = col_name[COL_P];
	}
	if (src.len) {
		if (!parse_addr(src, &ev->src)) {
			snprintf(why, whysz, "bad %s '%.*s'", src_name, quote_len(src.len), src.p);
			return DT_EPARSE;
		}
		ev->has_src = true;
	}
	if (dst.len) {
		if (!parse_addr(dst, &ev->dst)) {
			snprintf(why, whysz, "bad %s '%.*s'", dst_name, quote_len(dst.len), dst.p);
			return DT_EPARSE;
		}
		ev->has_dst = true;
	}
	if (sport.len && !parse_port(sport, &ev->sport)) {
		snprintf(why, whysz, "bad id.orig_p '%.*s'", quote_len(sport.len), sport.p);
		return DT_EPARSE;
	}
	if (dport.len && !parse_port(dport, &ev->dport)) {
		snprintf(why, whysz, "bad %s '%.*s'", dport_name, quote_len(dport.len), dport.p);
		return DT_EPARSE;
	}
	if (v[COL_PROTO].len)
		ev->proto = proto_number(v[COL_PROTO]);

	/* conn */
	ev->service = v[COL_SERVICE];
	ev->state = v[COL_CONN_STATE];
	if (v[COL_DURATION].len &&
	    !parse_time(v[COL_DURATION].p, v[COL_DURATION].len, true, false, &ev->duration_us)) {
		snprintf(why, whysz, "bad duration '%.*s'", quote_len(v[COL_DURATION].len),
		         v[COL_DURATION].p);
		return DT_EPARSE;
	}
	for (int k = 0; k < 4; k++) {
		struct dt_str s = v[counts[k]];
		uint64_t x;

		if (s.len == 0)
			continue;
		if (!parse_uint(s.p, s.len, INT64_MAX, &x)) {
			snprintf(why, whysz, "bad %s '%.*s'", col_name[counts[k]], quote_len(s.len),
			         s.p);
			return DT_EPARSE;
		}
		*count_out[k] = (int64_t)x;
	}

	/* application fields */
	ev->user_agent = v[COL_USER_AGENT];
	ev->ja3 = v[COL_JA3];
	ev->ja3s = v[COL_JA3S];
	ev->md5 = v[COL_MD5];
	ev->sha1 = v[COL_SHA1];
	ev->sha256 = v[COL_SHA256];
	if (v[COL_QUERY].len)
		ev->domain = v[COL_QUERY];
	else if (v[COL_SERVER_NAME].len)
		ev->domain = v[COL_SERVER_NAME];
	if (v[COL_CERT_FPS].len)
		set_cert(ev, first_elem(v[COL_CERT_FPS], set_sep));
	if (v[COL_FINGERPRINT].len)
		set_cert(ev, v[COL_FINGERPRINT]);

	/* http: host + uri; notice: note + msg; both composed in scratch */
	if (log == ZL_HTTP && v[COL_HOST].len)
		ev->domain = v[COL_HOST];
	if (log == ZL_HTTP && v[COL_URI].len && v[COL_HOST].len &&
	    !(v[COL_URI].len >= 7 && memcmp(v[COL_URI].p, "http://", 7) == 0) &&
	    !(v[COL_URI].len >= 8 && memcmp(v[COL_URI].p, "https://", 8) == 0))
		url_len = 7 + v[COL_HOST].len + 1 + v[COL_URI].len;
	else if (log == ZL_HTTP)
		ev->url = v[COL_URI]; /* absolute, or the best there is */
	if (v[COL_NOTE].len && v[COL_MSG].len)
		sig_len = v[COL_NOTE].len + 2 + v[COL_MSG].len;
	else
		ev->signature = v[COL_NOTE].len ? v[COL_NOTE] : v[COL_MSG];
	if (url_len + sig_len) {
		char *o;

		if ((err = grow_scratch(z, url_len + sig_len)))
			return err;
		o = z->scratch;
		if (url_len) {
			ev->url.p = o;
			memcpy(o, "http://", 7); /* NOLINT(bugprone-not-null-terminated-result) */
			o += 7;
			memcpy(o, v[COL_HOST].p, v[COL_HOST].len);
			o += v[COL_HOST].len;
			if (v[COL_URI].p[0] != '/')
				*o++ = '/';
			memcpy(o, v[COL_URI].p, v[COL_URI].len);
			o += v[COL_URI].len;
			ev->url.len = (size_t)(o - ev->url.p);
		}
		if (sig_len) {
			ev->signature.p = o;
			memcpy(o, v[COL_NOTE].p, v[COL_NOTE].len);
			o += v[COL_NOTE].len;
			memcpy(o, ": ", 2); /* NOLINT(bugprone-not-null-terminated-result) */
			o += 2;
			memcpy(o, v[COL_MSG].p, v[COL_MSG].len);
			o += v[COL_MSG].len;
			ev->signature.len = (size_t)(o - ev->signature.p);
		}
	}
	if (log == ZL_WEIRD && v[COL_NAME].len)
		ev->signature = v[COL_NAME];
	if (v[COL_INDICATOR].len) {
		ev->signature = v[COL_INDICATOR];
		if (str_eq(v[COL_INDICATOR_TYPE], "Intel::DOMAIN"))
			ev->domain = v[COL_INDICATOR];
		else if (str_eq(v[COL_INDICATOR_TYPE], "Intel::URL"))
			ev->url = v[COL_INDICATOR];
	}
	return DT_OK;
}

/* Rejects the line or hands the event to the sink. */
static enum dt_err emit(struct zeek *z, enum zlog log, char set_sep, const struct dt_str *v,
                        unsigned long lineno, struct dt_diag *diag)
{
	struct event ev;
	char why[256];
	enum dt_err err;

	event_init(&ev);
	ev.record = lineno;
	err = fill_event(z, log, set_sep, v, &ev, why, sizeof(why));
	if (err == DT_EPARSE) {
		reject(z, lineno, "%s", why);
		return DT_OK;
	}
	if (err) {
		dt_diag_set(diag, z->name, lineno, "%s", dt_strerror(err));
		return err;
	}
	err = z->sink(z->sctx, &ev);
	if (err) {
		dt_diag_set(diag, z->name, lineno, "event not stored: %s", dt_strerror(err));
		return err;
	}
	z->c->events++;
	return DT_OK;
}

/* ---- TSV --------------------------------------------------------------- */

static const char *find_sep(const struct zeek_hdr *h, const char *p, const char *end)
{
	if (h->sep_len == 1)
		return memchr(p, h->sep[0], (size_t)(end - p));
	return memmem(p, (size_t)(end - p), h->sep, h->sep_len);
}

/* A header value with its \xNN escapes decoded; false when too long. */
static bool unescape(const char *s, size_t n, char *out, size_t *out_len)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '\\' && i + 3 < n && s[i + 1] == 'x' && is_hex(s + i + 2, 2)) {
			char hex[3] = {s[i + 2], s[i + 3], '\0'};

			ch = (char)strtoul(hex, NULL, 16);
			i += 3;
		}
		if (o == ZEEK_MAX_TOKEN)
			return false;
		out[o++] = ch;
	}
	*out_len = o;
	return true;
}

static bool has_word(const char *l, size_t n, const char *word)
{
	size_t k = strlen(word);

	return n >= k && memcmp(l, word, k) == 0 && (n == k || l[k] == ' ' || l[k] == '\t');
}

/* The #fields line: the column mapping of the block. */
static enum dt_err set_fields(struct zeek *z, const char *p, const char *end, unsigned long lineno,
                              struct dt_diag *diag)
{
	struct zeek_hdr *h = &z->h;
	size_t nf = 0;

	h->have_fields = false;
	for (;;) {
		const char *q = find_sep(h, p, end);
		const char *fe = q ? q : end;
		size_t n = (size_t)(fe - p);
		signed char want = -1;

		if (nf == ZEEK_MAX_FIELDS) {
			dt_diag_set(diag, z->name, lineno, "#fields: more than %d fields",
			            ZEEK_MAX_FIELDS);
			return DT_ELIMIT;
		}
		if (nf == h->want_cap) {
			size_t cap = h->want_cap ? h->want_cap * 2 : 64;
			signed char *w = realloc(h->want, cap);

			if (w == NULL)
				return DT_ENOMEM;
			h->want = w;
			h->want_cap = cap;
		}
		for (int c = 0; c < COL_N; c++)
			if (strlen(col_name[c]) == n && memcmp(col_name[c], p, n) == 0)
				want = (signed char)c;
		h->want[nf++] = want;
		if (q == NULL)
			break;
		p = q + h->sep_len;
	}
	h->nfields = nf;
	h->have_fields = true;
	return DT_OK;
}

/* One '#' line: a header directive or a comment. */
static enum dt_err header_line(struct zeek *z, const char *l, size_t n, unsigned long lineno,
                               struct dt_diag *diag)
{
	struct zeek_hdr *h = &z->h;
	const char *end = l + n, *val;
	char tok[ZEEK_MAX_TOKEN];
	size_t tn;

	if (has_word(l, n, "#separator")) {
		/* "#separator \x09": the value follows one space */
		hdr_defaults(h);
		if (n < 12 || !unescape(l + 11, n - 11, tok, &tn) || tn == 0) {
			dt_diag_set(diag, z->name, lineno, "bad #separator line");
			return DT_EFORMAT;
		}
		memcpy(h->sep, tok, tn);
		h->sep_len = tn;
		return DT_OK;
	}
	/* other directives: "#name<sep>value" */
	val = find_sep(h, l, end);
	if (val == NULL)
		return DT_OK; /* a comment */
	n = (size_t)(val - l);
	val += h->sep_len;
	if (n == 7 && memcmp(l, "#fields", 7) == 0)
		return set_fields(z, val, end, lineno, diag);
	if (n == 5 && memcmp(l, "#path", 5) == 0) {
		h->log = path_log(val, (size_t)(end - val));
		return DT_OK;
	}
	if (!unescape(val, (size_t)(end - val), tok, &tn))
		return DT_OK;
	if (n == 14 && memcmp(l, "#set_separator", 14) == 0 && tn == 1)
		h->set_sep = tok[0];
	else if (n == 12 && memcmp(l, "#empty_field", 12) == 0) {
		memcpy(h->empty, tok, tn);
		h->empty_len = tn;
	} else if (n == 12 && memcmp(l, "#unset_field", 12) == 0) {
		memcpy(h->unset, tok, tn);
		h->unset_len = tn;
	}
	return DT_OK;
}

/* Sets v[want[f]] for field f of l[start..end) unless it is unset/empty. */
static inline void take_field(const struct zeek_hdr *h, struct dt_str *v, size_t f, const char *p,
                              size_t len)
{
	if (f < h->nfields && h->want[f] >= 0 &&
	    !(len == h->unset_len && p[0] == h->unset[0] && memcmp(p, h->unset, len) == 0) &&
	    !(len == h->empty_len && p[0] == h->empty[0] && memcmp(p, h->empty, len) == 0)) {
		v[h->want[f]].p = p;
		v[h->want[f]].len = len;
	}
}

static enum dt_err data_line(struct zeek *z, const char *l, size_t n, unsigned long lineno,
                             struct dt_diag *diag)
{
	struct zeek_hdr *h = &z->h;
	struct dt_str v[COL_N];
	const char *p = l, *end = l + n;
	size_t f = 0;

	if (!h->have_fields) {
		reject(z, lineno, "data before any #fields line");
		return DT_OK;
	}
	memset(v, 0, sizeof(v));
	if (h->sep_len == 1) {
		/* one pass over the line: the separators 16 bytes at a time */
		const char sep = h->sep[0];
		size_t i = 0, start = 0;

#ifdef __SSE2__
		const __m128i vs = _mm_set1_epi8(sep);

		for (; i + 16 <= n; i += 16) {
			unsigned bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
			    _mm_loadu_si128((const __m128i *)(const void *)(l + i)), vs));

			while (bits) {
				size_t at = i + (size_t)__builtin_ctz(bits);

				take_field(h, v, f++, l + start, at - start);
				start = at + 1;
				bits &= bits - 1;
			}
		}
#endif
		for (; i < n; i++)
			if (l[i] == sep) {
				take_field(h, v, f++, l + start, i - start);
				start = i + 1;
			}
		take_field(h, v, f++, l + start, n - start);
	} else {
		for (;;) {
			const char *q = find_sep(h, p, end);
			const char *fe = q ? q : end;

			take_field(h, v, f++, p, (size_t)(fe - p));
			if (q == NULL)
				break;
			p = q + h->sep_len;
		}
	}
	if (f != h->nfields) {
		reject(z, lineno, "expected %zu fields, found %zu", h->nfields, f);
		return DT_OK;
	}
	return emit(z, h->log, h->set_sep, v, lineno, diag);
}

/* ---- JSON -------------------------------------------------------------- */

/* The text a TSV log would hold for token t; buf holds converted numbers.
 * Numbers keep their decimal text (exact, never through a double) unless
 * written with an exponent. */
static struct dt_str json_text(struct js_doc *d, int t, char *buf, size_t size)
{
	struct dt_str s = {NULL, 0};

	if (js_type(d, t) == JS_ARRAY)
		t = js_index(d, t, 0);
	switch (js_type(d, t)) {
	case JS_STRING:
		if (!js_str(d, t, &s.p, &s.len))
			s.len = 0;
		break;
	case JS_NUMBER:
		if (js_raw(d, t, &s.p, &s.len) &&
		    (memchr(s.p, 'e', s.len) || memchr(s.p, 'E', s.len))) {
			char tmp[64];
			int k;

			snprintf(tmp, sizeof(tmp), "%.*s", (int)s.len, s.p);
			k = snprintf(buf, size, "%.6f", strtod(tmp, NULL));
			s.p = buf;
			s.len = k > 0 && (size_t)k < size ? (size_t)k : 0;
		}
		break;
	case JS_TRUE: s.p = "T", s.len = 1; break;
	case JS_FALSE: s.p = "F", s.len = 1; break;
	default: break;
	}
	return s;
}

/*
 * The log type of an object without "_path", from a field only that log
 * has (checked in this order).
 */
static enum zlog guess_json_log(const struct js_doc *d)
{
	static const struct {
		const char *field;
		enum zlog log;
	} tell[] = {
	    {"conn_state", ZL_CONN},    {"query", ZL_DNS},
	    {"cert_chain_fps", ZL_SSL}, {"server_name", ZL_SSL},
	    {"fingerprint", ZL_X509},   {"certificate.subject", ZL_X509},
	    {"note", ZL_NOTICE},        {"seen.indicator", ZL_INTEL},
	    {"uri", ZL_HTTP},           {"auth_attempts", ZL_SSH},
	    {"mailfrom", ZL_SMTP},      {"helo", ZL_SMTP},
	    {"tx_hosts", ZL_FILES},     {"mime_type", ZL_FILES},
	    {"addl", ZL_WEIRD},
	};

	for (size_t i = 0; i < sizeof(tell) / sizeof(tell[0]); i++)
		if (js_path(d, 0, tell[i].field) != JS_NONE)
			return tell[i].log;
	return ZL_OTHER;
}

static enum dt_err json_line(struct zeek *z, const char *l, size_t n, unsigned long lineno,
                             struct dt_diag *diag)
{
	struct js_doc *d = &z->js;
	struct dt_str v[COL_N], path;
	char num[COL_N][48];
	enum zlog log;

	if (!js_parse(d, l, n)) {
		reject(z, lineno, "bad JSON at column %zu: %s", d->err_col, d->err);
		return DT_OK;
	}
	if (js_type(d, 0) != JS_OBJECT) {
		reject(z, lineno, "not a JSON object");
		return DT_OK;
	}
	if (js_str(d, js_get(d, 0, "_path"), &path.p, &path.len))
		log = path_log(path.p, path.len);
	else
		log = guess_json_log(d);
	for (int c = 0; c < COL_N; c++)
		v[c] = json_text(d, js_path(d, 0, col_name[c]), num[c], sizeof(num[c]));
	return emit(z, log, ',', v, lineno, diag);
}

/* ---- the driver -------------------------------------------------------- */

/* Whether the line l[0..n) opens a Zeek TSV header. */
static bool is_header_start(const char *l, size_t n)
{
	static const char *const words[] = {"#separator",   "#set_separator", "#empty_field",
	                                    "#unset_field", "#path",          "#open",
	                                    "#fields",      "#types"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (has_word(l, n, words[i]))
			return true;
	return false;
}

enum dt_err ingest_zeek(struct reader *r, const struct ingest_ctx *x, struct dt_diag *diag)
{
	struct ingest_counts dummy = {0};
	struct zeek z = {.name = x->name ? x->name : "",
	                 .sink = x->sink,
	                 .sctx = x->sctx,
	                 .warn = x->warn,
	                 .wctx = x->wctx,
	                 .c = x->c ? x->c : &dummy};
	unsigned long lineno = 0;
	const char *l;
	size_t n;
	bool overlong;
	int json = -1; /* unknown until the first non-blank line */
	enum dt_err err = DT_OK;

	hdr_defaults(&z.h);
	if (x->sink == NULL || r == NULL) {
		dt_diag_set(diag, z.name, 0, "ingest_zeek: no sink or no input");
		return DT_EINVAL;
	}
	while (reader_line(r, &l, &n, &overlong)) {
		lineno++;
		if (n && l[n - 1] == '\r')
			n--;
		if (json < 0) {
			/* the format, from the first non-blank line */
			size_t k = 0;

			while (k < n && (l[k] == ' ' || l[k] == '\t' || l[k] == '\r'))
				k++;
			if (k == n) {
				z.c->ignored++;
				continue;
			}
			json = l[k] == '{';
			if (!json && !is_header_start(l + k, n - k)) {
				dt_diag_set(
				    diag, z.name, lineno,
				    "not a Zeek log: the first line is neither a Zeek header "
				    "(#separator, #fields) nor a JSON object");
				err = DT_EFORMAT;
				break;
			}
		}
		if (n == 0 || l[0] == '#') {
			z.c->ignored++;
			if (n && !json && (err = header_line(&z, l, n, lineno, diag)))
				break;
			continue;
		}
		z.c->records++;
		if (overlong) {
			reject(&z, lineno, "line longer than %u bytes", READER_MAX_WINDOW);
			continue;
		}
		err = json ? json_line(&z, l, n, lineno, diag) : data_line(&z, l, n, lineno, diag);
		if (err)
			break;
	}
	if (!err && json < 0) {
		dt_diag_set(diag, z.name, 0, "not a Zeek log: empty input");
		err = DT_EFORMAT;
	}
	js_release(&z.js);
	free(z.scratch);
	free(z.h.want);
	return err;
}
