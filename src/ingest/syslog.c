/*
 * syslog.c — syslog text files: the header of each line, then the two
 * kinds of message we turn into events (syslogmsg.h).
 *
 * Headers accepted, one a line, each optionally after a "<PRI>" (0..191):
 *
 *   RFC 3164   "Nov 27 10:00:01 host prog[pid]: msg"   (rsyslog's
 *              traditional file format, syslog-ng, journalctl -o short)
 *   ISO 8601   "2026-11-27T10:00:01.123456+00:00 host prog[pid]: msg"
 *              (rsyslog's RSYSLOG_FileFormat, journalctl -o short-iso and
 *              short-iso-precise, which write "+0100" or "+01:00")
 *   RFC 5424   "<34>1 2026-11-27T10:00:01.123+01:00 host app procid msgid
 *              [sd-id k="v"] msg" (the nil value "-" in any field but the
 *              time; structured data skipped, with its \" \] escapes)
 *
 * The tag of RFC 3164 and ISO lines is the text up to ':' or '[' (which
 * allows "postfix/smtpd" and "sshd-session"); a line without one (no ':'
 * before the first space) is still syslog with an empty program.  When the
 * token after the time ends with ':' it is taken as the tag of a line
 * without a host (what some devices send).
 *
 * Time: RFC 3164 carries neither year nor zone.  The year is inferred from
 * x->now_us (parsers.h, logtime_bsd), and the time — the sender's local
 * time by the RFC — is taken as UTC: a log from a host whose clock is not
 * UTC is shifted by its offset.  Use the ISO or RFC 5424 formats
 * (rsyslog's RSYSLOG_FileFormat, journalctl -o short-iso) where it matters.
 * ISO and RFC 5424 times carry their offset and are exact.
 *
 * What becomes an event: netfilter packet logs from any program (the
 * kernel's, usually) and the authentication messages of sshd; every other
 * syslog line is counted as ignored, and so are journalctl's "-- Boot ..."
 * and "-- No entries --" lines.  A line whose header cannot be read is
 * rejected with the reason; the input is refused as a whole only if every
 * non-blank line is.
 */
#include <string.h>
#include <time.h>

#include "ingest/logtime.h"
#include "ingest/syslogmsg.h"

struct syslog_state {
	struct logtime_ref ref;
	char flags[NETFILTER_FLAGS_MAX];
};

/* A token up to the next space (or the end) from s[*i]; *i at the space. */
static struct dt_str token(const char *s, size_t n, size_t *i)
{
	struct dt_str t = {s + *i, 0};
	const char *sp = *i < n ? memchr(s + *i, ' ', n - *i) : NULL;

	t.len = (sp ? (size_t)(sp - s) : n) - *i;
	*i += t.len;
	return t;
}

static bool nil(struct dt_str t)
{
	return t.len == 1 && t.p[0] == '-';
}

/* Structured data of RFC 5424 (section 6.3) from s[*i]: "-" or elements. */
static const char *skip_sd(const char *s, size_t n, size_t *i)
{
	if (*i < n && s[*i] == '-') {
		(*i)++;
		return NULL;
	}
	if (*i >= n || s[*i] != '[')
		return "structured data is neither '-' nor '[...]'";
	while (*i < n && s[*i] == '[') {
		bool quoted = false;

		for ((*i)++; *i < n; (*i)++) {
			if (s[*i] == '\\' && quoted)
				(*i)++;
			else if (s[*i] == '"')
				quoted = !quoted;
			else if (s[*i] == ']' && !quoted)
				break;
		}
		if (*i >= n)
			return "unterminated structured data";
		(*i)++;
	}
	return NULL;
}

/* RFC 5424 after "<PRI>1 ": TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]. */
static const char *parse_5424(const char *s, size_t n, size_t i, struct syslog_msg *m)
{
	struct dt_str f[4];
	const char *why;
	size_t used;

	if (i < n && s[i] == '-')
		return "RFC 5424 line without a time ('-')";
	if ((why = logtime_iso(s + i, n - i, &used, &m->ts_us)))
		return why;
	i += used;
	for (int k = 0; k < 4; k++) {
		if (i >= n || s[i] != ' ')
			return "RFC 5424 header cut short (HOSTNAME APP-NAME PROCID MSGID)";
		i++;
		f[k] = token(s, n, &i);
		if (f[k].len == 0)
			return "RFC 5424 header field is empty";
	}
	m->host = nil(f[0]) ? (struct dt_str){s, 0} : f[0];
	m->prog = nil(f[1]) ? (struct dt_str){s, 0} : f[1];
	if (i >= n || s[i] != ' ')
		return "RFC 5424 header without structured data";
	i++;
	if ((why = skip_sd(s, n, &i)))
		return why;
	if (i < n && s[i] != ' ')
		return "no space after the structured data";
	if (i < n)
		i++;
	if (n - i >= 3 && memcmp(s + i, "\xef\xbb\xbf", 3) == 0)
		i += 3;
	m->text = (struct dt_str){s + i, n - i};
	return NULL;
}

/* RFC 3164 or ISO time at s[i], then host and tag. */
static const char *parse_bsd(const struct logtime_ref *ref, const char *s, size_t n, size_t i,
                             struct syslog_msg *m)
{
	const char *why;
	struct dt_str t;
	size_t used, k;

	if (i < n && s[i] >= '0' && s[i] <= '9')
		why = logtime_iso(s + i, n - i, &used, &m->ts_us);
	else
		why = logtime_bsd(s + i, n - i, ref, &used, &m->ts_us);
	if (why)
		return why;
	i += used;
	if (i < n && s[i] != ' ')
		return "no space after the time";
	while (i < n && s[i] == ' ')
		i++;
	k = i;
	t = token(s, n, &k);
	if (t.len == 0)
		return "no host after the time";
	if (t.p[t.len - 1] != ':') {
		m->host = t; /* else it is the tag of a line without a host */
		i = k;
		while (i < n && s[i] == ' ')
			i++;
	}
	/* the tag: "prog[pid]:", "prog:", or none */
	for (k = i; k < n && s[k] != ' ' && s[k] != ':' && s[k] != '['; k++)
		;
	m->prog = (struct dt_str){s + i, k - i};
	if (k < n && s[k] == '[') {
		const char *end = memchr(s + k, ']', n - k);

		if (end == NULL || memchr(s + k, ' ', (size_t)(end - (s + k))) != NULL) {
			m->prog.len = 0; /* not a tag: the message starts at i */
			k = i;
		} else {
			k = (size_t)(end - s) + 1;
			if (k < n && s[k] == ':')
				k++;
		}
	} else if (k < n && s[k] == ':') {
		k++;
	} else {
		m->prog.len = 0;
		k = i;
	}
	while (k < n && s[k] == ' ')
		k++;
	m->text = (struct dt_str){s + k, n - k};
	return NULL;
}

bool syslog_journal_marker(const char *s, size_t n)
{
	return n >= 6 && memcmp(s, "-- ", 3) == 0 && memcmp(s + n - 3, " --", 3) == 0;
}

const char *syslog_split(const struct logtime_ref *ref, const char *s, size_t n,
                         struct syslog_msg *m)
{
	size_t i = 0;

	memset(m, 0, sizeof(*m));
	m->host.p = m->prog.p = m->text.p = s;
	if (n && s[0] == '<') {
		int pri = 0;

		for (i = 1; i < n && i < 5 && s[i] >= '0' && s[i] <= '9'; i++)
			pri = pri * 10 + (s[i] - '0');
		if (i == 1 || i >= n || s[i] != '>' || pri > 191)
			return "priority is not <0> to <191>";
		i++;
		if (n - i >= 2 && s[i] >= '1' && s[i] <= '9' && s[i + 1] == ' ')
			return parse_5424(s, n, i + 2, m);
	}
	return parse_bsd(ref, s, n, i, m);
}

static enum textlog_verdict classify(void *ctx, const char *s, size_t n, struct event *ev,
                                     char *why)
{
	struct syslog_state *st = ctx;
	struct syslog_msg m;
	enum textlog_verdict vd;
	const char *err, *in;

	if (syslog_journal_marker(s, n))
		return TEXTLOG_IGNORED; /* journalctl: "-- Boot 1a2b... --" */
	if ((err = syslog_split(&st->ref, s, n, &m))) {
		snprintf(why, TEXTLOG_WHY, "not a syslog line: %s", err);
		return TEXTLOG_REJECTED;
	}
	if (sshd_prog(m.prog))
		vd = sshd_read(&m, ev, why);
	else if ((in = netfilter_find(m.text.p, m.text.len)) != NULL)
		vd = netfilter_read(&m, in, ev, st->flags, why);
	else
		return TEXTLOG_IGNORED;
	if (vd == TEXTLOG_EVENT)
		ev->ts_us = m.ts_us;
	return vd;
}

enum dt_err ingest_syslog(struct reader *r, const struct ingest_ctx *x, struct dt_diag *diag)
{
	struct syslog_state st;
	int64_t now_us = x->now_us;

	memset(&st, 0, sizeof(st));
	if (now_us == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	}
	logtime_ref_init(&st.ref, now_us);
	return textlog_run(r, x, diag, "syslog", classify, &st);
}
