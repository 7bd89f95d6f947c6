/*
 * syslogmsg.h — inside the syslog parser (syslog.c): one syslog line
 * taken apart, and the readers of the messages it recognises (netfilter.c for
 * netfilter packet logs, sshd.c for OpenSSH's authentication messages).
 *
 * Every slice points into the line being read; nothing is copied.  A
 * message reader fills the event (time, record and counts are the
 * caller's) and returns a textlog verdict; it rejects only text that the
 * producer cannot have written, and says why in why (TEXTLOG_WHY bytes).
 */
#ifndef DT_INGEST_SYSLOGMSG_H
#define DT_INGEST_SYSLOGMSG_H

#include "ingest/logtime.h"
#include "ingest/textlog.h"

/* A syslog line's parts after the header. */
struct syslog_msg {
	int64_t ts_us;
	struct dt_str host; /* empty when the line has none ("-") */
	struct dt_str prog; /* the tag or APP-NAME without "[pid]"; may be empty */
	struct dt_str text; /* the message (MSG), without a leading BOM */
};

/* journalctl's "-- Boot ... --" and "-- No entries --" lines. */
bool syslog_journal_marker(const char *s, size_t n);

/*
 * A syslog line taken apart: "<PRI>" (optional), then RFC 5424 or an
 * RFC 3164 / ISO-time header (times without a year placed by ref).  NULL,
 * or why the line is not syslog.  Also what the sanitizer
 * (privacy/sanitize_syslog.c) cuts lines by, so that both see the same
 * host, tag and message.
 */
const char *syslog_split(const struct logtime_ref *ref, const char *s, size_t n,
                         struct syslog_msg *m);

/* Room for the TCP flags a netfilter line can carry, space-separated. */
#define NETFILTER_FLAGS_MAX 40

/* Where "IN=" of a packet log ("IN=... OUT=") starts in text, or NULL. */
const char *netfilter_find(const char *text, size_t len);

/*
 * A netfilter packet log (iptables/ip6tables LOG, nftables log, ufw) whose
 * "IN=" netfilter_find found at in.  flags is a buffer of
 * NETFILTER_FLAGS_MAX bytes that ev->state may point into.
 * TEXTLOG_IGNORED for a packet log without addresses (ARP, truncated).
 */
enum textlog_verdict netfilter_read(const struct syslog_msg *m, const char *in, struct event *ev,
                                    char *flags, char *why);

/* Whether prog is OpenSSH's server ("sshd", "sshd-session", "sshd-auth"). */
bool sshd_prog(struct dt_str prog);

/* An sshd message: the authentication classes of sshd.c, others ignored. */
enum textlog_verdict sshd_read(const struct syslog_msg *m, struct event *ev, char *why);

#endif
