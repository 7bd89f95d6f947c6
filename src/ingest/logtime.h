/*
 * logtime.h — the timestamps of text logs, read by hand into microseconds
 * since the epoch (UTC), without strptime, time zones or locales.
 *
 * Each reader takes a slice (s, len), never reads past it, reads only a
 * prefix of it, and returns NULL with *used set to the bytes it read, or a
 * static English reason (lower case, no full stop) and leaves *us alone.
 * Ranges are checked (day of month included); a leap second (:60) is
 * accepted and counted as the next second, as timegm does.
 */
#ifndef DT_INGEST_LOGTIME_H
#define DT_INGEST_LOGTIME_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of an RFC 3164 timestamp ("Nov  7 10:00:01") and of a CLF one
 * ("27/Nov/2026:10:00:01 +0100"). */
#define LOGTIME_BSD_LEN 15
#define LOGTIME_CLF_LEN 26

/* The year given to RFC 3164 times may be at most this far after the
 * reference time (parsers.h: "more than a day after now_us"). */
#define LOGTIME_BSD_SLACK_US (86400LL * 1000000)

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (Hinnant's
 * days_from_civil); m 1..12, d 1..31. */
int64_t logtime_days(int64_t y, int m, int d);

/* The year (proleptic Gregorian) of a time in µs since the epoch, UTC. */
int64_t logtime_year(int64_t us);

/* 1..12 for "Jan".."Dec" (exactly that case), 0 otherwise; s holds 3 bytes. */
int logtime_month(const char *s);

/*
 * RFC 3339 / ISO 8601 as rsyslog, RFC 5424 and journalctl -o short-iso
 * write it: "YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z|+hh:mm|+hhmm|+hh]"; a space is
 * accepted for the "T", and "t" and "z" as RFC 3339 section 5.6 allows.  The fraction is truncated
 * to µs.  Without a zone the time is taken as UTC.  The zone, when present, must be followed by the
 * end of the slice or by a character that cannot continue it.
 */
const char *logtime_iso(const char *s, size_t len, size_t *used, int64_t *us);

/* The reference time of RFC 3164 year inference, with its year worked out
 * once (logtime_ref_init) rather than for every line. */
struct logtime_ref {
	int64_t now_us;
	int64_t year; /* logtime_year(now_us) */
};

void logtime_ref_init(struct logtime_ref *ref, int64_t now_us);

/*
 * RFC 3164 "Mmm dd hh:mm:ss", 15 bytes: the day is space-padded
 * ("Nov  7", as the RFC says) or zero-padded ("Nov 07", as some senders do),
 * and may be followed by a fraction of a second (syslog-ng's frac-digits).
 * The format has no year and no zone: the time is taken as UTC and placed
 * in the latest year that does not put it more than LOGTIME_BSD_SLACK_US
 * after ref->now_us (a Feb 29 goes to the latest such leap year).
 */
const char *logtime_bsd(const char *s, size_t len, const struct logtime_ref *ref, size_t *used,
                        int64_t *us);

/* The common log format's "dd/Mon/yyyy:hh:mm:ss[.f] +hhmm" (without the
 * brackets), as nginx $time_local and apache %t write it. */
const char *logtime_clf(const char *s, size_t len, size_t *used, int64_t *us);

#endif
