/*
 * fuzz_syslog.c — the syslog parser (ingest_syslog, ingest/parsers.h).
 *
 * The whole input is one file read through reader_open_mem (libFuzzer's
 * buffer is exactly that long, so a read past it is an AddressSanitizer
 * report; gzip input is inflated by the reader).  Properties:
 *   - the verdict is DT_OK, or DT_EFORMAT with a message and no event and
 *     nothing ignored;
 *   - every non-blank line is counted once: records = events + ignored +
 *     rejected, and each rejected line was reported to warn with the
 *     file's name and a line number inside the input, in order;
 *   - every event is well formed: kind alert (netfilter: both addresses)
 *     or auth (sshd: a client address, no destination, service "ssh", a
 *     fixed "sshd: " signature), ports -1..65535, protocol -1..255,
 *     severity 2..4, each string slice readable over its length, the
 *     alert's signature text found in its own line, or "netfilter";
 *   - the time, for RFC 3164 lines ("Mmm dd hh:mm:ss", optional <PRI>)
 *     and for ISO/RFC 5424 lines of the fixed form YYYY-MM-DDTHH:MM:SS
 *     [.ffffff](Z|+hh:mm|+hhmm): ts_us equals what glibc's timegm gives
 *     (for RFC 3164 with the year chosen here, independently, as the
 *     latest that puts the time at most a day after the reference time);
 *   - a sink that fails at event k stops the parser with its error after
 *     exactly k events, and a second run gives the same counts.
 */
#include <time.h>

#include "fuzz.h"
#include "ingest/parsers.h"

/* The reference time: 2026-11-28T00:00:00Z. */
#define FUZZ_NOW_US 1795824000000000LL

struct run {
	const char *data;
	size_t len;
	bool gzip;
	unsigned long lines;
	uint64_t events, fail_at;
	unsigned long last_record, last_warn;
	uint64_t warns;
};

/* timegm of a broken-down time, or -1 when it is not a real date. */
static int64_t real_time(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm(&tm);
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	return (int64_t)t;
}

static void check_ts(struct dt_str l, int64_t ts_us)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *t = l.p;
	size_t n = l.len, i = 0;

	if (n && t[0] == '<') {
		for (i = 1; i < n && t[i] != '>'; i++)
			;
		i++;
		if (i + 2 <= n && t[i] == '1' && t[i + 1] == ' ')
			i += 2;
	}
	if (i + 20 > n)
		return;
	t += i;
	n -= i;
	if (n >= 16 && t[3] == ' ' && t[6] == ' ' && t[9] == ':' && t[12] == ':' && t[15] == ' ') {
		int mo = 0, d = t[4] == ' ' ? fuzz_num(t + 5, 1) : fuzz_num(t + 4, 2);

		for (int m = 0; m < 12; m++)
			if (memcmp(t, months + 3 * m, 3) == 0)
				mo = m + 1;
		if (mo == 0 || d < 1 || fuzz_num(t + 7, 2) < 0 || fuzz_num(t + 10, 2) < 0 ||
		    fuzz_num(t + 13, 2) < 0 || fuzz_num(t + 7, 2) > 23 || fuzz_num(t + 10, 2) > 59 ||
		    fuzz_num(t + 13, 2) > 59)
			return;
		for (int y = 2027; y >= 2017; y--) {
			int64_t s =
			    real_time(y, mo, d, fuzz_num(t + 7, 2), fuzz_num(t + 10, 2), fuzz_num(t + 13, 2));

			if (s >= 0 && s * 1000000 <= FUZZ_NOW_US + 86400LL * 1000000) {
				FUZZ_CHECK(ts_us == s * 1000000);
				return;
			}
		}
		FUZZ_CHECK(!"no year fits a date the parser accepted");
	}
	if (t[4] == '-' && t[7] == '-' && t[10] == 'T' && t[13] == ':' && t[16] == ':') {
		int64_t s = real_time(fuzz_num(t, 4), fuzz_num(t + 5, 2), fuzz_num(t + 8, 2), fuzz_num(t + 11, 2),
		                      fuzz_num(t + 14, 2), fuzz_num(t + 17, 2));
		size_t k = 19;
		int frac = 0, sign = 0, oh = 0, om = 0;

		if (s < 0 || fuzz_num(t, 4) < 0 || fuzz_num(t + 11, 2) > 23 || fuzz_num(t + 14, 2) > 59 ||
		    fuzz_num(t + 17, 2) > 59)
			return;
		if (t[k] == '.') {
			if (k + 7 > n || fuzz_num(t + k + 1, 6) < 0)
				return;
			frac = fuzz_num(t + k + 1, 6);
			k += 7;
		}
		if (k < n && t[k] == 'Z') {
			k++;
		} else if (k + 6 <= n && (t[k] == '+' || t[k] == '-') && t[k + 3] == ':') {
			sign = t[k] == '+' ? 1 : -1;
			oh = fuzz_num(t + k + 1, 2);
			om = fuzz_num(t + k + 4, 2);
			k += 6;
		} else if (k + 5 <= n && (t[k] == '+' || t[k] == '-')) {
			sign = t[k] == '+' ? 1 : -1;
			oh = fuzz_num(t + k + 1, 2);
			om = fuzz_num(t + k + 3, 2);
			k += 5;
		} else {
			return;
		}
		if (oh < 0 || om < 0 || (k < n && t[k] != ' '))
			return;
		FUZZ_CHECK(ts_us == (s - sign * (oh * 3600 + om * 60)) * 1000000 + frac);
	}
}

static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct run *r = ctx;
	struct dt_str line = {NULL, 0};

	if (r->events == r->fail_at)
		return DT_EIO;
	r->events++;
	FUZZ_CHECK(ev->record > r->last_record);
	r->last_record = (unsigned long)ev->record;
	if (!r->gzip) {
		FUZZ_CHECK(ev->record >= 1 && ev->record <= r->lines);
		line = fuzz_line(r->data, r->len, (unsigned long)ev->record);
	}
	FUZZ_CHECK(ev->sport >= -1 && ev->sport <= 65535);
	FUZZ_CHECK(ev->dport >= -1 && ev->dport <= 65535);
	FUZZ_CHECK(ev->proto >= -1 && ev->proto <= 255);
	FUZZ_CHECK(ev->severity >= 2 && ev->severity <= 4);
	FUZZ_CHECK(ev->has_src && (ev->src.family == DT_IP_V4 || ev->src.family == DT_IP_V6));
	fuzz_touch(ev->uid);
	fuzz_touch(ev->signature);
	fuzz_touch(ev->domain);
	fuzz_touch(ev->url);
	fuzz_touch(ev->user_agent);
	fuzz_touch(ev->service);
	fuzz_touch(ev->state);
	FUZZ_CHECK(ev->signature.len > 0);
	if (strcmp(ev->kind, EVENT_AUTH) == 0) {
		FUZZ_CHECK(!ev->has_dst && ev->dport == -1 && ev->proto == 6);
		FUZZ_CHECK(ev->service.len == 3 && memcmp(ev->service.p, "ssh", 3) == 0);
		FUZZ_CHECK(ev->signature.len > 6 && memcmp(ev->signature.p, "sshd: ", 6) == 0);
	} else {
		FUZZ_CHECK(strcmp(ev->kind, EVENT_ALERT) == 0);
		FUZZ_CHECK(ev->has_dst &&
		           (ev->dst.family == DT_IP_V4 || ev->dst.family == DT_IP_V6));
		FUZZ_CHECK(ev->orig_pkts == 1);
		if (line.p)
			FUZZ_CHECK(memmem(line.p, line.len, ev->signature.p, ev->signature.len) ||
			           (ev->signature.len == 9 &&
			            memcmp(ev->signature.p, "netfilter", 9) == 0));
	}
	if (line.p)
		check_ts(line, ev->ts_us);
	return DT_OK;
}

static void warn(void *ctx, const struct dt_diag *d)
{
	struct run *r = ctx;

	FUZZ_CHECK(strcmp(d->file, "fuzz.log") == 0);
	if (!r->gzip)
		FUZZ_CHECK(d->line >= 1 && d->line <= r->lines);
	FUZZ_CHECK(d->line > r->last_warn);
	FUZZ_CHECK(d->msg[0] != '\0');
	r->last_warn = d->line;
	r->warns++;
}

static enum dt_err once(const uint8_t *data, size_t size, uint64_t fail_at, struct run *r,
                        struct ingest_counts *c, struct dt_diag *d)
{
	struct ingest_ctx x = {"fuzz.log", sink, r, warn, r, c, FUZZ_NOW_US};
	struct reader *rd;
	enum dt_err err;

	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	dt_diag_clear(d);
	r->data = (const char *)data;
	r->len = size;
	r->gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
	r->lines = 1;
	for (size_t i = 0; i < size; i++)
		if (data[i] == '\n' && i + 1 < size)
			r->lines++;
	r->fail_at = fail_at;
	FUZZ_CHECK(reader_open_mem(data, size, &rd) == DT_OK);
	err = ingest_syslog(rd, &x, d);
	reader_close(rd);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r, r2;
	struct ingest_counts c, c2;
	struct dt_diag d;
	enum dt_err err = once(data, size, UINT64_MAX, &r, &c, &d);

	FUZZ_CHECK(err == DT_OK || err == DT_EFORMAT);
	FUZZ_CHECK(c.records == c.events + c.ignored + c.rejected);
	FUZZ_CHECK(c.events == r.events);
	FUZZ_CHECK(c.rejected == r.warns);
	if (err == DT_EFORMAT) {
		FUZZ_CHECK(c.events == 0 && c.ignored == 0 && c.records > 0);
		FUZZ_CHECK(d.msg[0] != '\0' && strcmp(d.file, "fuzz.log") == 0);
	}

	/* the same again, the sink failing half way */
	err = once(data, size, c.events / 2, &r2, &c2, &d);
	if (c.events > 0) {
		FUZZ_CHECK(err == DT_EIO && c2.events == c.events / 2);
		FUZZ_CHECK(d.line >= 1 && (r2.gzip || d.line <= r2.lines));
	}
	err = once(data, size, UINT64_MAX, &r2, &c2, &d);
	FUZZ_CHECK(c2.records == c.records && c2.events == c.events && c2.ignored == c.ignored &&
	           c2.rejected == c.rejected);
	return 0;
}
