/*
 * formats.c — see formats.h.  Detection looks only at the first bytes:
 * capture and export-packet magic numbers, then the first non-blank line
 * (Zeek header or JSON object, an access-log line, a syslog timestamp).
 */
#include "ingest/formats.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const struct {
	const char *name;
	ingest_fn *fn;
} formats[] = {
    {"zeek", ingest_zeek},       {"eve", ingest_eve},       {"pcap", ingest_pcap},
    {"netflow", ingest_netflow}, {"syslog", ingest_syslog}, {"weblog", ingest_weblog},
};

const char ingest_format_names[] = "zeek, eve, pcap, netflow, syslog, weblog";

ingest_fn *ingest_format(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++)
		if (strcmp(formats[i].name, name) == 0)
			return formats[i].fn;
	return NULL;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "Nov 27 10:00:01" or " 7" day: RFC 3164's timestamp. */
static bool bsd_time(const char *s, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	if (n < 15 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':')
		return false;
	for (int m = 0; m < 12; m++)
		if (memcmp(s, months + 3 * m, 3) == 0)
			return (s[4] == ' ' || is_digit(s[4])) && is_digit(s[5]) &&
			       is_digit(s[7]) && is_digit(s[8]);
	return false;
}

/* "2026-11-27T10:00:01": RFC 3339 as rsyslog and RFC 5424 write it. */
static bool iso_time(const char *s, size_t n)
{
	return n >= 19 && is_digit(s[0]) && is_digit(s[3]) && s[4] == '-' && s[7] == '-' &&
	       (s[10] == 'T' || s[10] == ' ') && s[13] == ':' && s[16] == ':';
}

/* `addr ident user [dd/Mon/yyyy:` of the common and combined log formats,
 * optionally after an apache "vhost:port " field. */
static bool access_line(const char *s, size_t n)
{
	const char *b = memchr(s, '[', n);

	return b && (size_t)(s + n - b) >= 13 && is_digit(b[1]) && is_digit(b[2]) && b[3] == '/' &&
	       b[7] == '/' && is_digit(b[8]) && b[12] == ':' &&
	       memchr(s, ' ', (size_t)(b - s)) != NULL;
}

const char *ingest_detect(const char *head, size_t len)
{
	const unsigned char *u = (const unsigned char *)head;
	size_t i = 0, n;
	const char *l, *eol;

	if (len >= 4) {
		uint32_t m = be32(u);

		if (m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1 ||
		    m == 0x0a0d0d0a)
			return "pcap";
	}
	/* export packets: version 5, 9 or 10 (IPFIX) in the first two bytes,
	 * with a plausible header */
	if (len >= 16 && u[0] == 0) {
		unsigned count = (unsigned)u[2] << 8 | u[3];

		if (u[1] == 5 && count >= 1 && count <= 30)
			return "netflow";
		if (u[1] == 9 && count >= 1 && len >= 20)
			return "netflow";
		if (u[1] == 10 && count >= 16) /* IPFIX: message length */
			return "netflow";
	}
	while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (len - i >= 3 && memcmp(head + i, "\xef\xbb\xbf", 3) == 0)
		i += 3;
	l = head + i;
	eol = memchr(l, '\n', len - i);
	n = eol ? (size_t)(eol - l) : len - i;
	/* journalctl opens with "-- Logs begin at ... --" (or "-- Journal
	 * begins ..."): the line after it says what the rest is */
	if (n >= 3 && memcmp(l, "-- ", 3) == 0 && eol != NULL) {
		i = (size_t)(eol - head) + 1;
		l = head + i;
		eol = memchr(l, '\n', len - i);
		n = eol ? (size_t)(eol - l) : len - i;
	}
	if (n >= 7 &&
	    (strncmp(l, "#separator", n < 10 ? n : 10) == 0 || strncmp(l, "#fields", 7) == 0))
		return "zeek";
	if (n && l[0] == '{')
		return memmem(l, n, "\"event_type\"", 12) ? "eve" : "zeek";
	if (n > 3 && l[0] == '<') {
		size_t k = 1;

		while (k < n && k < 5 && is_digit(l[k]))
			k++;
		if (k > 1 && k < n && l[k] == '>')
			return "syslog";
	}
	if (bsd_time(l, n) || iso_time(l, n))
		return "syslog";
	if (access_line(l, n))
		return "weblog";
	return NULL;
}

enum dt_err ingest_mem(ingest_fn *fn, const char *name, const void *data, size_t len,
                       event_sink_fn *sink, void *sctx, event_warn_fn *warn, void *wctx,
                       struct ingest_counts *c, struct dt_diag *diag)
{
	struct ingest_ctx x = {
	    .name = name, .sink = sink, .sctx = sctx, .warn = warn, .wctx = wctx, .c = c};
	struct reader *r;
	enum dt_err err;

	if ((err = reader_open_mem(data, len, &r))) {
		dt_diag_set(diag, name, 0, "%s", dt_strerror(err));
		return err;
	}
	err = fn(r, &x, diag);
	if (reader_damage(r) && warn) {
		struct dt_diag d;

		dt_diag_set(&d, name, 0, "%s", reader_damage(r));
		warn(wctx, &d);
	}
	reader_close(r);
	return err;
}
