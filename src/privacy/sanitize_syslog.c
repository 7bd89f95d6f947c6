/*
 * sanitize_syslog.c — the derivative of a syslog text file, for
 * privacy/sanitize.h.
 *
 * The header of each line is taken apart as ingest/syslog.c does (RFC
 * 3164, ISO 8601 and RFC 5424 forms, an optional <PRI>); the time, the
 * priority and the tag are kept, structured data scrubbed, and:
 *
 *   - the HOSTNAME is the reporting host, always the victim's: an
 *     address gets privacy_addr (home nets only, as everywhere), a name
 *     under a home domain privacy_name, and any other name (a bare "web01",
 *     or a name under a domain not declared home) privacy_value, so that one
 *     host keeps one pseudonym across the file; "-" stays;
 *   - the message of sshd (and of PAM and session messages of any
 *     program) has its user names replaced by privacy_user where OpenSSH
 *     and Linux-PAM write them: "Failed|Accepted|Postponed|Partial METHOD
 *     for U from ...", "User U from ... not allowed", "maximum
 *     authentication attempts exceeded for U from", "PAM: Authentication
 *     failure for U from", "Connection closed|reset by authenticating user
 *     U ADDR", "Disconnected from [authenticating ]user U ADDR", "Access
 *     denied for user U by", "Starting session: ... for U from", "Close
 *     session: user U from", "session opened|closed for user U[(uid=N)][
 *     by U2(uid=N)]", "New session N of user U.", "user=U", "ruser=U",
 *     "logname=U".  EXCEPTION (privacy policy): the name after "invalid
 *     user " or "illegal user " is the attacker's guess of an account that
 *     does not exist, and stays (scrubbed like any text);
 *   - netfilter packet logs keep their SRC=/DST= addresses when remote and
 *     get privacy_addr when home (the scrubber does that for any address
 *     token); the MAC= value (the victim's hardware addresses) becomes
 *     privacy_value;
 *   - everything else in the message goes through privacy_scrub.
 *
 * A line whose header cannot be read is scrubbed whole and counted as
 * unparsed; blank lines and journalctl's "-- ... --" lines are copied or
 * scrubbed.  The events ingest_syslog reads from the derivative are the
 * original's with src/dst through privacy_addr and the netfilter prefix
 * (the signature) through privacy_scrub: the sshd signatures and the
 * packet fields do not change.
 */
#include <string.h>
#include <time.h>

#include "ingest/logtime.h"
#include "ingest/syslogmsg.h"
#include "privacy/sanitize.h"
#include "privacy/sanitize_util.h"

#define LIT(s) s, sizeof(s) - 1

struct ss {
	struct san s;
	struct strbuf out;
	struct logtime_ref ref;
};

/* ---- the reporting host ------------------------------------------------- */

static enum dt_err put_host(struct ss *st, const char *h, size_t n)
{
	char t[PRIVACY_PSEUDO_MAX + 1];
	struct dt_ip ip;
	size_t k;

	if (dt_ip_parse(h, n, &ip) == DT_OK)
		return san_addr(&st->s, h, n, &st->out);
	if ((k = privacy_name(st->s.p, h, n, t))) {
		st->s.c->names++;
		return strbuf_add(&st->out, t, k);
	}
	return san_value(&st->s, h, n, &st->out);
}

/* ---- messages ----------------------------------------------------------- */

/* A user name found in a message: [at, at + len). */
struct found {
	size_t at, len;
};

#define MAX_FOUND 8

static bool starts(const char *s, size_t n, const char *lit, size_t k)
{
	return n >= k && memcmp(s, lit, k) == 0;
}

/* "ADDR port N" at s[0..n) (N: digits); its length, or 0. */
static size_t addr_port(const char *s, size_t n)
{
	const char *sp = memchr(s, ' ', n);
	size_t a = sp ? (size_t)(sp - s) : n, k;
	struct dt_ip ip;

	if (a == 0 || a > 45 || dt_ip_parse(s, a, &ip) != DT_OK)
		return 0;
	if (n - a < 7 || memcmp(s + a, " port ", 6) != 0)
		return 0;
	for (k = a + 6; k < n && s[k] >= '0' && s[k] <= '9'; k++)
		;
	if (k == a + 6 || k > a + 11)
		return 0;
	{
		long v = 0;

		for (size_t j = a + 6; j < k; j++)
			v = v * 10 + (s[j] - '0');
		return v <= 65535 ? k : 0;
	}
}

/* The last " from " in s[0..n) followed by an address clause: with
 * result set, "ADDR port N[ ssh2]" and then the end or ':' (sshd.c's
 * auth_result), else an address.  The offset of " from ", or n. */
static size_t last_from(const char *s, size_t n, bool result)
{
	size_t lim = n;

	for (size_t i = n; i >= 6; i--) {
		const char *rest = s + i;
		size_t a;
		struct dt_ip ip;

		if (memcmp(s + i - 6, " from ", 6) != 0)
			continue;
		if (result) {
			/* sshd.c cuts the message at each " from " it rejects */
			a = addr_port(rest, lim - i);
			if (a && starts(rest + a, lim - i - a, LIT(" ssh2")))
				a += 5;
			if (a && (a == lim - i || rest[a] == ':'))
				return i - 6;
			lim = i - 6;
			continue;
		}
		{
			const char *sp = memchr(rest, ' ', n - i);

			a = sp ? (size_t)(sp - rest) : n - i;
			if (a && a <= 45 && dt_ip_parse(rest, a, &ip) == DT_OK)
				return i - 6;
		}
	}
	return n;
}

/* The user between at and the last " from " (after an optional "invalid
 * user " / "illegal user ", which keeps the name in clear).  The search
 * starts at the space before at, as sshd.c's does. */
static int user_before_from(const char *s, size_t n, size_t at, bool result, struct found *f)
{
	size_t e;

	if (starts(s + at, n - at, LIT("invalid user ")) ||
	    starts(s + at, n - at, LIT("illegal user ")))
		return 0;
	e = last_from(s + at - 1, n - at + 1, result);
	if (e <= 1 || e == n - at + 1)
		return 0; /* no " from ", or no name before it */
	f->at = at;
	f->len = e - 1;
	return 1;
}

/* "[authenticating ]user U ADDR port N" from at: U up to the first
 * " ADDR port N" at a word start. */
static int user_before_addr(const char *s, size_t n, size_t at, struct found *f)
{
	if (starts(s + at, n - at, LIT("authenticating user ")))
		at += 20;
	else if (starts(s + at, n - at, LIT("user ")))
		at += 5;
	else
		return 0;
	for (size_t i = at + 1; i < n; i++) {
		if (s[i - 1] == ' ' && addr_port(s + i, n - i)) {
			f->at = at;
			f->len = i - 1 - at;
			return f->len > 0;
		}
	}
	return 0;
}

/* The value of "key=" up to a space, anywhere at a word start. */
static int key_value(const char *s, size_t n, const char *key, size_t k, struct found *f, int max)
{
	int nf = 0;

	for (size_t i = 0; i + k <= n && nf < max; i++) {
		if ((i == 0 || s[i - 1] == ' ' || s[i - 1] == ';') && memcmp(s + i, key, k) == 0) {
			size_t j = i + k;

			while (j < n && s[j] != ' ' && s[j] != ';')
				j++;
			if (j > i + k) {
				f[nf].at = i + k;
				f[nf++].len = j - i - k;
			}
			i = j;
		}
	}
	return nf;
}

/* A name up to '(' or ' ' or '.' at the end, from at. */
static int word_at(const char *s, size_t n, size_t at, struct found *f)
{
	size_t j = at;

	while (j < n && s[j] != ' ' && s[j] != '(')
		j++;
	if (j == n && j > at && s[j - 1] == '.')
		j--;
	if (j == at)
		return 0;
	f->at = at;
	f->len = j - at;
	return 1;
}

static const char *find_lit(const char *s, size_t n, const char *lit, size_t k)
{
	return k <= n ? memmem(s, n, lit, k) : NULL;
}

/* The user names of message s[0..n), in order, not overlapping. */
static int users_of(const char *s, size_t n, bool sshd, struct found *f)
{
	static const char *const results[] = {"Failed ", "Accepted ", "Postponed ", "Partial "};
	static const char *const conn[] = {"Connection closed by ", "Connection reset by ",
	                                   "Disconnected from ", "Received disconnect from ",
	                                   "Disconnecting "};
	size_t off = 0;
	const char *p;
	int nf = 0;

	if (starts(s, n, LIT("error: ")) || starts(s, n, LIT("fatal: ")))
		off = 7;
	else if (starts(s, n, LIT("warning: ")))
		off = 9;
	if (sshd) {
		const char *m = s + off;
		size_t mn, n0 = n;

		if (n >= 10 && memcmp(s + n - 10, " [preauth]", 10) == 0)
			n -= 10;
		while (n > off && s[n - 1] == ' ')
			n--;
		mn = n - off;

		for (size_t i = 0; i < 4; i++) {
			size_t k = strlen(results[i]);
			const char *sp;

			if (!starts(m, mn, results[i], k))
				continue;
			sp = memchr(m + k, ' ', mn - k);
			if (sp && starts(sp, (size_t)(m + mn - sp), LIT(" for ")))
				return user_before_from(s, n, (size_t)(sp - s) + 5, true, f);
			return 0;
		}
		if (starts(m, mn, LIT("User ")))
			return user_before_from(s, n, off + 5, false, f);
		if (starts(m, mn, LIT("maximum authentication attempts exceeded for ")))
			return user_before_from(s, n, off + 46, false, f);
		if (starts(m, mn, LIT("PAM: Authentication failure for ")))
			return user_before_from(s, n, off + 32, false, f);
		if (starts(m, mn, LIT("Starting session: ")) &&
		    (p = find_lit(m, mn, LIT(" for "))) != NULL)
			return user_before_from(s, n, (size_t)(p - s) + 5, false, f);
		if (starts(m, mn, LIT("Close session: user ")))
			return user_before_from(s, n, off + 20, false, f);
		if (starts(m, mn, LIT("Access denied for user ")) &&
		    (p = find_lit(m + 23, mn - 23, LIT(" by "))) != NULL) {
			f->at = off + 23;
			f->len = (size_t)(p - s) - f->at;
			return f->len > 0;
		}
		for (size_t i = 0; i < sizeof(conn) / sizeof(*conn); i++) {
			size_t k = strlen(conn[i]);

			if (starts(m, mn, conn[i], k))
				return user_before_addr(s, n, off + k, f);
		}
		n = n0;
	}
	/* PAM and session messages, any program */
	if ((p = find_lit(s, n, LIT(" for user "))) != NULL &&
	    (find_lit(s, n, LIT("session opened")) || find_lit(s, n, LIT("session closed")))) {
		size_t at = (size_t)(p - s) + 10;
		const char *by;

		nf = word_at(s, n, at, f);
		if (nf && (by = find_lit(s + at, n - at, LIT(" by "))) != NULL)
			nf += word_at(s, n, (size_t)(by - s) + 4, f + nf);
		return nf;
	}
	if ((p = find_lit(s, n, LIT("New session "))) != NULL &&
	    (p = find_lit(p, (size_t)(s + n - p), LIT(" of user "))) != NULL)
		return word_at(s, n, (size_t)(p - s) + 9, f);
	nf = key_value(s, n, LIT("logname="), f, MAX_FOUND);
	nf += key_value(s, n, LIT("ruser="), f + nf, MAX_FOUND - nf);
	nf += key_value(s, n, LIT("user="), f + nf, MAX_FOUND - nf);
	/* in order of position */
	for (int i = 1; i < nf; i++)
		for (int j = i; j > 0 && f[j].at < f[j - 1].at; j--) {
			struct found t = f[j];

			f[j] = f[j - 1];
			f[j - 1] = t;
		}
	return nf;
}

/* Scrubs s[0..n), with "MAC=" values pseudonymized. */
static enum dt_err scrub_text(struct ss *st, const char *s, size_t n)
{
	size_t i = 0;
	enum dt_err err = DT_OK;

	while (!err && i < n) {
		const char *m = find_lit(s + i, n - i, LIT("MAC="));
		size_t at, e;

		if (!m || (m > s && m[-1] != ' '))
			break;
		at = (size_t)(m - s) + 4;
		for (e = at; e < n && s[e] != ' '; e++)
			;
		if ((err = san_scrub(&st->s, s + i, at - i, &st->out)))
			return err;
		err = san_value(&st->s, s + at, e - at, &st->out);
		i = e;
	}
	return err ? err : san_scrub(&st->s, s + i, n - i, &st->out);
}

static enum dt_err message(struct ss *st, const char *s, size_t n, bool sshd)
{
	struct found f[MAX_FOUND];
	int nf = users_of(s, n, sshd, f);
	size_t i = 0;
	enum dt_err err = DT_OK;

	for (int k = 0; !err && k < nf; k++) {
		if (f[k].at < i)
			continue;
		if (!(err = scrub_text(st, s + i, f[k].at - i)))
			err = san_user(&st->s, s + f[k].at, f[k].len, &st->out);
		i = f[k].at + f[k].len;
	}
	return err ? err : scrub_text(st, s + i, n - i);
}

/* One line by its syslog header; *ok false (nothing written) when it has
 * none. */
static enum dt_err line(void *ctx, const char *s, size_t n, bool *ok)
{
	struct ss *st = ctx;
	struct syslog_msg m;
	size_t i = 0, text;
	enum dt_err err;

	*ok = true;
	if (syslog_journal_marker(s, n))
		return san_scrub(&st->s, s, n, &st->out);
	if (syslog_split(&st->ref, s, n, &m)) {
		*ok = false;
		return DT_OK;
	}
	/* the header up to the host as it is; the host pseudonymized */
	if (m.host.len) {
		i = (size_t)(m.host.p - s);
		if ((err = strbuf_add(&st->out, s, i)) ||
		    (err = put_host(st, m.host.p, m.host.len)))
			return err;
		i += m.host.len;
	}
	/* the tag, procid, msgid and structured data; then the message */
	text = (size_t)(m.text.p - s);
	if ((err = san_scrub(&st->s, s + i, text - i, &st->out)))
		return err;
	return message(st, m.text.p, m.text.len, sshd_prog(m.prog));
}

enum dt_err sanitize_syslog(struct reader *r, struct privacy *p, FILE *out, const char *name,
                            struct privacy_counts *c, struct dt_diag *diag)
{
	struct ss st;
	struct timespec ts;
	enum dt_err err;

	memset(&st, 0, sizeof(st));
	clock_gettime(CLOCK_REALTIME, &ts);
	logtime_ref_init(&st.ref, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	strbuf_init(&st.out, SAN_MAX_OUT + SAN_FLUSH_AT);
	if (!(err = san_init(&st.s, p, c)))
		err = san_textlog(r, &st.s, &st.out, out, name,
		                  "not syslog: no line has a syslog header", line, &st, diag);
	san_release(&st.s);
	strbuf_release(&st.out);
	return err;
}
