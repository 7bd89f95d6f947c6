/*
 * fuzz_weblog.c — the access log parser (ingest_weblog, ingest/parsers.h).
 *
 * The whole input is one file read through reader_open_mem (gzip input is
 * inflated by the reader).  Properties:
 *   - the verdict is DT_OK, or DT_EFORMAT with a message and no event;
 *   - every non-blank line is counted once: records = events + ignored +
 *     rejected (ignored is always 0: every line is an access log record or
 *     malformed), and each rejected line was reported to warn with the
 *     file's name and a line number inside the input, in order;
 *   - every event is well formed: kind http, service "http", protocol
 *     TCP, no destination address, no source port, dport -1..65535,
 *     resp_bytes >= -1, severity 2..4 and matching the status at the end
 *     of the signature "http METHOD DDD", each string slice readable, url
 *     and user agent no longer than their line, domain text found in it;
 *   - the time, for lines of the plain form "A B C [dd/Mon/yyyy:hh:mm:ss
 *     +hhmm] ..." (three fields without spaces before the bracket): ts_us
 *     equals what glibc's timegm gives minus the offset;
 *   - a sink that fails at event k stops the parser with its error after
 *     exactly k events, and a second run gives the same counts.
 */
#include <time.h>

#include "fuzz.h"
#include "ingest/parsers.h"

struct run {
	const char *data;
	size_t len;
	bool gzip;
	unsigned long lines;
	uint64_t events, fail_at;
	unsigned long last_record, last_warn;
	uint64_t warns;
};

static void check_ts(struct dt_str l, int64_t ts_us)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	size_t i = 0, sp = 0;
	const char *t;
	struct tm tm;
	int mo = 0, oh, om;

	if (l.len >= 3 && memcmp(l.p, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < l.len && l.p[i] != '['; i++) {
		if (l.p[i] == ' ')
			sp++;
		if (l.p[i] == '\t' || l.p[i] == '"')
			return;
	}
	if (sp != 3 || i + 29 > l.len || l.p[i - 1] != ' ' || l.p[i + 27] != ']')
		return;
	t = l.p + i + 1;
	if (t[2] != '/' || t[6] != '/' || t[11] != ':' || t[14] != ':' || t[17] != ':' ||
	    t[20] != ' ' || (t[21] != '+' && t[21] != '-'))
		return;
	for (int m = 0; m < 12; m++)
		if (memcmp(t + 3, months + 3 * m, 3) == 0)
			mo = m + 1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = fuzz_num(t, 2);
	tm.tm_year = fuzz_num(t + 7, 4) - 1900;
	tm.tm_hour = fuzz_num(t + 12, 2);
	tm.tm_min = fuzz_num(t + 15, 2);
	tm.tm_sec = fuzz_num(t + 18, 2);
	oh = fuzz_num(t + 22, 2);
	om = fuzz_num(t + 24, 2);
	tm.tm_mon = mo - 1;
	if (mo == 0 || tm.tm_mday < 1 || tm.tm_year < -1900 || tm.tm_hour < 0 || tm.tm_hour > 23 ||
	    tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 59 || oh < 0 ||
	    oh > 23 || om < 0 || om > 59)
		return;
	{
		int d = tm.tm_mday;
		int64_t s = (int64_t)timegm(&tm);

		if (tm.tm_mday != d)
			return; /* not a real date: the parser rejected it */
		FUZZ_CHECK(ts_us ==
		           (s - (t[21] == '+' ? 1 : -1) * (oh * 3600 + om * 60)) * 1000000);
	}
}

static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct run *r = ctx;
	struct dt_str line = {NULL, 0}, sig = ev->signature;
	int status;

	if (r->events == r->fail_at)
		return DT_EIO;
	r->events++;
	FUZZ_CHECK(ev->record > r->last_record);
	r->last_record = (unsigned long)ev->record;
	FUZZ_CHECK(strcmp(ev->kind, EVENT_HTTP) == 0);
	FUZZ_CHECK(ev->service.len == 4 && memcmp(ev->service.p, "http", 4) == 0);
	FUZZ_CHECK(ev->proto == 6 && ev->sport == -1 && !ev->has_dst);
	FUZZ_CHECK(ev->dport >= -1 && ev->dport <= 65535);
	FUZZ_CHECK(ev->resp_bytes >= -1);
	FUZZ_CHECK(!ev->has_src || ev->src.family == DT_IP_V4 || ev->src.family == DT_IP_V6);
	fuzz_touch(ev->signature);
	fuzz_touch(ev->domain);
	fuzz_touch(ev->url);
	fuzz_touch(ev->user_agent);
	FUZZ_CHECK(sig.len >= 10 && memcmp(sig.p, "http ", 5) == 0 && sig.p[sig.len - 4] == ' ');
	status = fuzz_num(sig.p + sig.len - 3, 3);
	FUZZ_CHECK(status >= 0);
	FUZZ_CHECK(ev->severity == (status >= 500 && status <= 599   ? 2
	                            : status >= 400 && status <= 499 ? 3
	                                                             : 4));
	if (!r->gzip) {
		FUZZ_CHECK(ev->record >= 1 && ev->record <= r->lines);
		line = fuzz_line(r->data, r->len, (unsigned long)ev->record);
		FUZZ_CHECK(ev->url.len <= line.len && ev->user_agent.len <= line.len);
		FUZZ_CHECK(ev->domain.len == 0 ||
		           memmem(line.p, line.len, ev->domain.p, ev->domain.len) != NULL);
		check_ts(line, ev->ts_us);
	}
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
	struct ingest_ctx x = {"fuzz.log", sink, r, warn, r, c, 0};
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
	err = ingest_weblog(rd, &x, d);
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
	FUZZ_CHECK(c.ignored == 0);
	FUZZ_CHECK(c.events == r.events);
	FUZZ_CHECK(c.rejected == r.warns);
	if (err == DT_EFORMAT) {
		FUZZ_CHECK(c.events == 0 && c.records > 0);
		FUZZ_CHECK(d.msg[0] != '\0' && strcmp(d.file, "fuzz.log") == 0);
	}
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
