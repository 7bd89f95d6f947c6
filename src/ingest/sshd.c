/*
 * sshd.c — the authentication messages of OpenSSH's sshd (program "sshd",
 * or "sshd-session"/"sshd-auth" since OpenSSH 9.8/10.0), read into auth
 * events: who tried from where, never as whom.
 *
 * Messages and the OpenSSH source that writes them (the user name, up to
 * 100 bytes chosen by the client, may hold spaces and any text, so every
 * address is read from a position the name cannot reach: anchored at the
 * end of the message, or the last " from " that is followed by a complete
 * address clause):
 *
 *   auth.c auth_log        "Failed|Accepted METHOD[/SUB] for [invalid user ]U
 *                           from ADDR port N ssh2[: INFO]"
 *   auth.c getpwnamallow   "Invalid user U from ADDR port N"
 *   auth.c allowed_user    "User U from ADDR not allowed because REASON"
 *   auth.c auth_maxtries_exceeded
 *                          "maximum authentication attempts exceeded for
 *                           [invalid user ]U from ADDR port N ssh2" (error:)
 *   auth.c auth_root_allowed  "ROOT LOGIN REFUSED FROM ADDR port N"
 *   packet.c (connection id "[authenticating user U |invalid user U ]ADDR
 *   port N"; "ADDR" alone in older releases), with " [preauth]" from the
 *   privilege-separated child:
 *                          "Connection closed by ID", "Connection reset by
 *                           ID", "Disconnected from ID", "Received disconnect
 *                           from ID:CODE: TEXT", "Disconnecting ID: TEXT"
 *   sshd.c                 "Did not receive identification string from ADDR
 *                           [port N]", "banner exchange: Connection from
 *                           ADDR port N: ...", "Bad protocol version
 *                           identification '...' from ADDR [port N]",
 *                           "Timeout before authentication for ADDR port N"
 *   dispatch/kex           "Unable to negotiate with ADDR port N: ..."
 *   pam_unix (Linux-PAM)   "pam_unix(sshd:auth): authentication failure;
 *                           logname= uid=0 euid=0 tty=ssh ruser= rhost=ADDR
 *                           [user=U]", "PAM N more authentication failures;
 *                           ... rhost=ADDR ..."
 *   auth-pam.c             "error: PAM: Authentication failure for
 *                           [illegal user ]U from ADDR"
 *
 * "error: ", "fatal: " and "warning: " before a message are skipped.  The
 * session-end forms of the packet.c messages (without [preauth]: a user
 * who had logged in leaving) are not authentication events and are
 * ignored, as are Postponed/Partial results, every other sshd message, and
 * any of the above whose address is not an IP address (a PAM rhost that
 * is a host name, sshd's "UNKNOWN").
 *
 * The event: kind auth, service "ssh", protocol TCP, src and sport the
 * client's address and port (-1 when the message has none), no dst and no
 * dport (the message does not say which of the server's addresses and
 * ports), and as signature a fixed class such as "sshd: failed password
 * (invalid user)".  No user name goes into any field: it is the victim
 * side's personal data.  Severity: 2 for a failed attempt at credentials
 * (failed/invalid user/not allowed/maximum attempts/PAM failure/root
 * refused), 3 for connections dropped before authentication (scanners,
 * key exchange failures), 4 for a successful login.
 */
#include <stdio.h>
#include <string.h>

#include "ingest/syslogmsg.h"

#define SEV_FAILED   2
#define SEV_PREAUTH  3
#define SEV_ACCEPTED 4

#define LIT(s) s, sizeof(s) - 1

static bool starts(struct dt_str s, const char *lit, size_t n)
{
	return s.len >= n && memcmp(s.p, lit, n) == 0;
}

static bool ends(struct dt_str s, const char *lit, size_t n)
{
	return s.len >= n && memcmp(s.p + s.len - n, lit, n) == 0;
}

static struct dt_str drop_head(struct dt_str s, size_t n)
{
	return (struct dt_str){s.p + n, s.len - n};
}

bool sshd_prog(struct dt_str prog)
{
	return starts(prog, LIT("sshd")) &&
	       (prog.len == 4 || (prog.len == 12 && memcmp(prog.p + 4, "-session", 8) == 0) ||
	        (prog.len == 9 && memcmp(prog.p + 4, "-auth", 5) == 0));
}

/* A port number of 1..5 digits at s[0..n). */
static bool port_number(const char *s, size_t n, int32_t *port)
{
	int32_t v = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 65535)
		return false;
	*port = v;
	return true;
}

/*
 * "ADDR port N" at the start of s (N: the digits that follow); *used is its
 * length.  With port_optional, a bare "ADDR" (up to the end or a space,
 * and not followed by " port ") is accepted with *port -1.
 */
static bool ip_port_at(struct dt_str s, bool port_optional, struct dt_ip *ip, int32_t *port,
                       size_t *used)
{
	const char *sp = memchr(s.p, ' ', s.len);
	size_t alen = sp ? (size_t)(sp - s.p) : s.len, k;

	if (alen == 0 || dt_ip_parse(s.p, alen, ip))
		return false;
	*port = -1;
	*used = alen;
	if (s.len - alen >= 7 && memcmp(s.p + alen, " port ", 6) == 0) {
		for (k = alen + 6; k < s.len && s.p[k] >= '0' && s.p[k] <= '9'; k++)
			;
		if (port_number(s.p + alen + 6, k - alen - 6, port)) {
			*used = k;
			return true;
		}
		return false;
	}
	return port_optional;
}

/*
 * s ends in "ADDR port N" (or, with port_optional, in "ADDR"): *head is
 * the text before ADDR.
 */
static bool ip_port_tail(struct dt_str s, bool port_optional, struct dt_ip *ip, int32_t *port,
                         struct dt_str *head)
{
	size_t e = s.len, a;

	/* the last token */
	for (a = e; a > 0 && s.p[a - 1] != ' '; a--)
		;
	*port = -1;
	if (a >= 6 && memcmp(s.p + a - 6, " port ", 6) == 0 && port_number(s.p + a, e - a, port)) {
		e = a - 6;
		for (a = e; a > 0 && s.p[a - 1] != ' '; a--)
			;
	} else if (!port_optional) {
		return false;
	}
	if (a == e || dt_ip_parse(s.p + a, e - a, ip))
		return false;
	*head = (struct dt_str){s.p, a};
	return true;
}

/* The last " from " in s: the offset just past it. */
static bool last_from(struct dt_str s, size_t *at)
{
	for (size_t i = s.len; i >= 6; i--) {
		if (memcmp(s.p + i - 6, " from ", 6) == 0) {
			*at = i;
			return true;
		}
	}
	return false;
}

/* Failed/Accepted: method names that sshd itself defines (the name in the
 * message is the client's when it asked for an unknown one). */
static const struct {
	const char *method;
	const char *failed, *failed_invalid, *accepted;
} methods[] = {
    {"password", "sshd: failed password", "sshd: failed password (invalid user)",
     "sshd: accepted password"},
    {"publickey", "sshd: failed publickey", "sshd: failed publickey (invalid user)",
     "sshd: accepted publickey"},
    {"keyboard-interactive", "sshd: failed keyboard-interactive",
     "sshd: failed keyboard-interactive (invalid user)", "sshd: accepted keyboard-interactive"},
    {"none", "sshd: failed none", "sshd: failed none (invalid user)", "sshd: accepted none"},
    {"hostbased", "sshd: failed hostbased", "sshd: failed hostbased (invalid user)",
     "sshd: accepted hostbased"},
    {"gssapi-with-mic", "sshd: failed gssapi-with-mic",
     "sshd: failed gssapi-with-mic (invalid user)", "sshd: accepted gssapi-with-mic"},
    {"gssapi-keyex", "sshd: failed gssapi-keyex", "sshd: failed gssapi-keyex (invalid user)",
     "sshd: accepted gssapi-keyex"},
    {NULL, "sshd: failed other method", "sshd: failed other method (invalid user)",
     "sshd: accepted other method"},
};

/* The result of reading one message. */
struct found {
	const char *sig;
	int32_t severity;
	struct dt_ip ip;
	int32_t port;
};

/* "Failed|Accepted METHOD[/SUB] for [invalid user ]U from ADDR port N ssh2[: INFO]" */
static bool auth_result(struct dt_str s, bool accepted, struct found *f)
{
	const char *sp = memchr(s.p, ' ', s.len), *slash;
	struct dt_str method, rest;
	size_t mlen, k = 0, at, used;
	bool invalid;

	if (sp == NULL)
		return false;
	method = (struct dt_str){s.p, (size_t)(sp - s.p)};
	slash = memchr(method.p, '/', method.len);
	mlen = slash ? (size_t)(slash - method.p) : method.len;
	rest = drop_head(s, method.len + 1);
	if (!starts(rest, LIT("for ")))
		return false;
	invalid = starts(drop_head(rest, 4), LIT("invalid user "));
	while (methods[k].method &&
	       !(strlen(methods[k].method) == mlen && memcmp(methods[k].method, s.p, mlen) == 0))
		k++;
	/* the last " from " followed by a whole address clause */
	for (;;) {
		struct dt_str tail;

		if (!last_from(rest, &at))
			return false;
		tail = drop_head(rest, at);
		if (ip_port_at(tail, false, &f->ip, &f->port, &used)) {
			struct dt_str after = drop_head(tail, used);

			if (starts(after, LIT(" ssh2")))
				after = drop_head(after, 5);
			if (after.len == 0 || after.p[0] == ':')
				break;
		}
		rest.len = at - 6; /* look further left */
	}
	f->sig = accepted  ? methods[k].accepted
	         : invalid ? methods[k].failed_invalid
	                   : methods[k].failed;
	f->severity = accepted ? SEV_ACCEPTED : SEV_FAILED;
	return true;
}

/* The packet.c messages with a connection id: the id's user kind. */
static const char *conn_class(struct dt_str head, const char *plain, const char *auth,
                              const char *inval)
{
	if (starts(head, LIT("authenticating user ")))
		return auth;
	if (starts(head, LIT("invalid user ")))
		return inval;
	return plain;
}

/* Reads the value of "key=" (up to a space) in s. */
static struct dt_str field(struct dt_str s, const char *key, size_t n)
{
	for (size_t i = 0; i + n <= s.len; i++) {
		if ((i == 0 || s.p[i - 1] == ' ') && memcmp(s.p + i, key, n) == 0) {
			const char *v = s.p + i + n, *sp = memchr(v, ' ', s.len - i - n);

			return (struct dt_str){v, sp ? (size_t)(sp - v) : s.len - i - n};
		}
	}
	return (struct dt_str){s.p, 0};
}

/* Advances *s past lit if it starts with it. */
static bool take(struct dt_str *s, const char *lit, size_t n)
{
	if (!starts(*s, lit, n))
		return false;
	*s = drop_head(*s, n);
	return true;
}

/* "ADDR port N" at the start of s, followed by ':' (what the peer or the
 * key exchange said comes after it). */
static bool ip_port_colon(struct dt_str s, struct found *f)
{
	size_t used;

	return ip_port_at(s, false, &f->ip, &f->port, &used) && used < s.len && s.p[used] == ':';
}

/* "Received disconnect from ID:CODE: TEXT", "Disconnecting ID: TEXT": the
 * first "ADDR port N:" at a word start (the peer's text comes after it). */
static bool conn_id_colon(struct dt_str id, struct dt_str *head, struct found *f)
{
	for (size_t i = 0; i < id.len; i++) {
		if ((i == 0 || id.p[i - 1] == ' ') && ip_port_colon(drop_head(id, i), f)) {
			*head = (struct dt_str){id.p, i};
			return true;
		}
	}
	return false;
}

/* A message with an address clause somewhere the user name cannot reach. */
static bool classify(struct dt_str s, bool preauth, struct found *f)
{
	struct dt_str head, v, rest = s;
	size_t used, at;

	f->severity = SEV_PREAUTH;
	if (take(&rest, LIT("Failed ")))
		return auth_result(rest, false, f);
	if (take(&rest, LIT("Accepted ")))
		return auth_result(rest, true, f);
	if (take(&rest, LIT("Invalid user "))) {
		f->sig = "sshd: invalid user";
		f->severity = SEV_FAILED;
		return ip_port_tail(rest, true, &f->ip, &f->port, &head) &&
		       ends(head, LIT(" from "));
	}
	if (take(&rest, LIT("User "))) {
		if (!last_from(rest, &at))
			return false;
		rest = drop_head(rest, at);
		f->sig = "sshd: user not allowed";
		f->severity = SEV_FAILED;
		return ip_port_at(rest, true, &f->ip, &f->port, &used) &&
		       starts(drop_head(rest, used), LIT(" not allowed because "));
	}
	if (take(&rest, LIT("maximum authentication attempts exceeded for "))) {
		f->sig = starts(rest, LIT("invalid user "))
		             ? "sshd: maximum authentication attempts exceeded (invalid user)"
		             : "sshd: maximum authentication attempts exceeded";
		f->severity = SEV_FAILED;
		if (ends(rest, LIT(" ssh2")))
			rest.len -= 5;
		return ip_port_tail(rest, false, &f->ip, &f->port, &head) &&
		       ends(head, LIT(" from "));
	}
	if (take(&rest, LIT("ROOT LOGIN REFUSED FROM "))) {
		f->sig = "sshd: root login refused";
		f->severity = SEV_FAILED;
		return ip_port_tail(rest, true, &f->ip, &f->port, &head) && head.len == 0;
	}
	if (take(&rest, LIT("Did not receive identification string from "))) {
		f->sig = "sshd: no identification string";
		return ip_port_tail(rest, true, &f->ip, &f->port, &head) && head.len == 0;
	}
	if (take(&rest, LIT("Timeout before authentication for "))) {
		f->sig = "sshd: timeout before authentication";
		return ip_port_tail(rest, true, &f->ip, &f->port, &head) && head.len == 0;
	}
	if (take(&rest, LIT("banner exchange: Connection from "))) {
		f->sig = "sshd: banner exchange failed";
		return ip_port_colon(rest, f);
	}
	if (take(&rest, LIT("Unable to negotiate with "))) {
		f->sig = "sshd: unable to negotiate";
		return ip_port_colon(rest, f);
	}
	if (take(&rest, LIT("Bad protocol version identification "))) {
		f->sig = "sshd: bad protocol version";
		return ip_port_tail(rest, true, &f->ip, &f->port, &head) &&
		       ends(head, LIT(" from "));
	}
	if (take(&rest, LIT("PAM: Authentication failure for "))) {
		f->sig = "sshd: pam authentication failure";
		f->severity = SEV_FAILED;
		return ip_port_tail(rest, true, &f->ip, &f->port, &head) &&
		       ends(head, LIT(" from "));
	}
	if (starts(s, LIT("pam_unix(sshd:auth): authentication failure; ")) ||
	    (starts(s, LIT("PAM ")) && memmem(s.p, s.len, LIT(" more authentication failure")))) {
		f->sig = s.p[0] == 'p' ? "sshd: pam authentication failure"
		                       : "sshd: pam more authentication failures";
		f->severity = SEV_FAILED;
		f->port = -1;
		v = field(s, LIT("rhost="));
		return v.len && !dt_ip_parse(v.p, v.len, &f->ip);
	}
	if (!preauth)
		return false; /* the rest are [preauth] only: else a session ends */
	if (take(&rest, LIT("Connection closed by "))) {
		if (!ip_port_tail(rest, true, &f->ip, &f->port, &head))
			return false;
		f->sig = conn_class(head, "sshd: connection closed (preauth)",
		                    "sshd: connection closed by authenticating user (preauth)",
		                    "sshd: connection closed by invalid user (preauth)");
		return true;
	}
	if (take(&rest, LIT("Connection reset by "))) {
		if (!ip_port_tail(rest, true, &f->ip, &f->port, &head))
			return false;
		f->sig = conn_class(head, "sshd: connection reset (preauth)",
		                    "sshd: connection reset by authenticating user (preauth)",
		                    "sshd: connection reset by invalid user (preauth)");
		return true;
	}
	if (take(&rest, LIT("Disconnected from "))) {
		if (!ip_port_tail(rest, true, &f->ip, &f->port, &head))
			return false;
		f->sig = conn_class(head, "sshd: disconnected (preauth)",
		                    "sshd: disconnected from authenticating user (preauth)",
		                    "sshd: disconnected from invalid user (preauth)");
		return true;
	}
	if (take(&rest, LIT("Received disconnect from "))) {
		if (!conn_id_colon(rest, &head, f))
			return false;
		f->sig = conn_class(head, "sshd: received disconnect (preauth)",
		                    "sshd: received disconnect from authenticating user (preauth)",
		                    "sshd: received disconnect from invalid user (preauth)");
		return true;
	}
	if (take(&rest, LIT("Disconnecting "))) {
		if (!conn_id_colon(rest, &head, f))
			return false;
		f->sig = conn_class(head, "sshd: disconnecting (preauth)",
		                    "sshd: disconnecting authenticating user (preauth)",
		                    "sshd: disconnecting invalid user (preauth)");
		return true;
	}
	return false;
}

enum textlog_verdict sshd_read(const struct syslog_msg *m, struct event *ev, char *why)
{
	struct dt_str s = m->text;
	struct found f;
	bool preauth = false;

	(void)why;
	if (starts(s, LIT("error: ")) || starts(s, LIT("fatal: ")))
		s = drop_head(s, 7);
	else if (starts(s, LIT("warning: ")))
		s = drop_head(s, 9);
	if (ends(s, LIT(" [preauth]"))) {
		preauth = true;
		s.len -= 10;
	}
	while (s.len && s.p[s.len - 1] == ' ')
		s.len--;
	memset(&f, 0, sizeof(f));
	if (!classify(s, preauth, &f))
		return TEXTLOG_IGNORED;
	event_init(ev);
	ev->kind = EVENT_AUTH;
	ev->has_src = true;
	ev->src = f.ip;
	ev->sport = f.port;
	ev->proto = 6;
	ev->service = (struct dt_str){"ssh", 3};
	ev->signature = (struct dt_str){f.sig, strlen(f.sig)};
	ev->severity = f.severity;
	return TEXTLOG_EVENT;
}
