/*
 * fuzz_eve.c — the Suricata EVE parser (ingest_eve, ingest/parsers.h).
 *
 * The whole input is one file handed to ingest_eve (libFuzzer's buffer is
 * exactly that long and not NUL-terminated, so a read past it is an
 * AddressSanitizer report).  Properties:
 *   - the verdict is DT_OK, or DT_EFORMAT with a message and no event;
 *   - every non-blank line is counted once: records = events + ignored +
 *     rejected, and each rejected line was reported to warn with the
 *     file's name and a line number inside the input, in order;
 *   - every event is well formed: a known kind, its record the number of a
 *     line of the input, ports -1..65535, protocol -1..255, each string
 *     slice readable over its length, cert_sha1 empty or 40 lower-case hex
 *     digits, uid a decimal number or the line's own text;
 *   - the timestamp: when the line's "timestamp" has the fixed form
 *     YYYY-MM-DDTHH:MM:SS.ffffff+hhmm, ts_us equals what glibc's timegm
 *     computes for it (an independent calendar);
 *   - a sink that fails at event k stops the parser with its error after
 *     exactly k events, and a second run gives the same counts.
 */
#include <jansson.h>
#include <time.h>

#include "fuzz.h"
#include "ingest/formats.h"

struct run {
	const char *data;
	size_t len;
	unsigned long lines; /* lines of the input, the last even without \n */
	uint64_t events, fail_at;
	unsigned long last_record, last_warn;
	uint64_t warns;
};

/* The timegm oracle on the common fixed form; silent on any other. */
static void check_ts(struct dt_str line, int64_t ts_us)
{
	json_t *o = json_loadb(line.p, line.len, 0, NULL);
	const char *t = json_string_value(json_object_get(o, "timestamp"));
	struct tm tm;
	int64_t want;
	int oh, om, frac;

	if (t == NULL || strlen(t) != 31 || t[4] != '-' || t[7] != '-' || t[10] != 'T' ||
	    t[13] != ':' || t[16] != ':' || t[19] != '.' || (t[26] != '+' && t[26] != '-'))
		goto out;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = fuzz_num(t, 4) - 1900;
	tm.tm_mon = fuzz_num(t + 5, 2) - 1;
	tm.tm_mday = fuzz_num(t + 8, 2);
	tm.tm_hour = fuzz_num(t + 11, 2);
	tm.tm_min = fuzz_num(t + 14, 2);
	tm.tm_sec = fuzz_num(t + 17, 2);
	frac = fuzz_num(t + 20, 6);
	oh = fuzz_num(t + 27, 2);
	om = fuzz_num(t + 29, 2);
	FUZZ_CHECK(tm.tm_year >= -1900 && tm.tm_mon >= 0 && tm.tm_mday >= 0 && tm.tm_hour >= 0 &&
	           tm.tm_min >= 0 && tm.tm_sec >= 0 && frac >= 0 && oh >= 0 && om >= 0);
	want = ((int64_t)timegm(&tm) - (t[26] == '+' ? 1 : -1) * (oh * 3600 + om * 60)) * 1000000 +
	       frac;
	FUZZ_CHECK(ts_us == want);
out:
	json_decref(o);
}

static bool is_hex40(struct dt_str s)
{
	if (s.len != 40)
		return false;
	for (size_t i = 0; i < 40; i++)
		if (!((s.p[i] >= '0' && s.p[i] <= '9') || (s.p[i] >= 'a' && s.p[i] <= 'f')))
			return false;
	return true;
}

static enum dt_err sink(void *ctx, const struct event *ev)
{
	static const char *kinds[] = {EVENT_FLOW, EVENT_ALERT, EVENT_DNS,  EVENT_HTTP,
	                              EVENT_TLS,  EVENT_SSH,   EVENT_FILE, EVENT_OTHER};
	struct run *r = ctx;
	struct dt_str line;
	bool known = false;

	if (r->events == r->fail_at)
		return DT_EIO;
	r->events++;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		known |= strcmp(ev->kind, kinds[i]) == 0;
	FUZZ_CHECK(known);
	FUZZ_CHECK(ev->record >= 1 && ev->record <= r->lines);
	FUZZ_CHECK(ev->record > r->last_record);
	r->last_record = (unsigned long)ev->record;
	FUZZ_CHECK(ev->sport >= -1 && ev->sport <= 65535);
	FUZZ_CHECK(ev->dport >= -1 && ev->dport <= 65535);
	FUZZ_CHECK(ev->proto >= -1 && ev->proto <= 255);
	FUZZ_CHECK(!ev->has_src || ev->src.family == DT_IP_V4 || ev->src.family == DT_IP_V6);
	FUZZ_CHECK(!ev->has_dst || ev->dst.family == DT_IP_V4 || ev->dst.family == DT_IP_V6);
	fuzz_touch(ev->uid);
	fuzz_touch(ev->signature);
	fuzz_touch(ev->domain);
	fuzz_touch(ev->url);
	fuzz_touch(ev->user_agent);
	fuzz_touch(ev->ja3);
	fuzz_touch(ev->ja3s);
	fuzz_touch(ev->cert_sha1);
	fuzz_touch(ev->cert_sha256);
	fuzz_touch(ev->md5);
	fuzz_touch(ev->sha1);
	fuzz_touch(ev->sha256);
	fuzz_touch(ev->service);
	fuzz_touch(ev->state);
	FUZZ_CHECK(ev->cert_sha1.len == 0 || is_hex40(ev->cert_sha1));
	FUZZ_CHECK(ev->duration_us >= -1);
	line = fuzz_line(r->data, r->len, (unsigned long)ev->record);
	check_ts(line, ev->ts_us);
	return DT_OK;
}

static void warn(void *ctx, const struct dt_diag *d)
{
	struct run *r = ctx;

	FUZZ_CHECK(strcmp(d->file, "fuzz.json") == 0);
	FUZZ_CHECK(d->line >= 1 && d->line <= r->lines);
	FUZZ_CHECK(d->line > r->last_warn);
	FUZZ_CHECK(d->msg[0] != '\0');
	r->last_warn = d->line;
	r->warns++;
}

static enum dt_err once(const uint8_t *data, size_t size, uint64_t fail_at, struct run *r,
                        struct ingest_counts *c, struct dt_diag *d)
{
	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	dt_diag_clear(d);
	r->data = (const char *)data;
	r->len = size;
	r->lines = 1;
	for (size_t i = 0; i < size; i++)
		if (data[i] == '\n' && i + 1 < size)
			r->lines++;
	r->fail_at = fail_at;
	return ingest_mem(ingest_eve, "fuzz.json", r->data, size, sink, r, warn, r, c, d);
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
		FUZZ_CHECK(d.msg[0] != '\0' && strcmp(d.file, "fuzz.json") == 0);
	}

	/* the same again, the sink failing half way */
	err = once(data, size, c.events / 2, &r2, &c2, &d);
	if (c.events > 0) {
		FUZZ_CHECK(err == DT_EIO && c2.events == c.events / 2);
		FUZZ_CHECK(d.line >= 1 && d.line <= r2.lines);
	}
	err = once(data, size, UINT64_MAX, &r2, &c2, &d);
	FUZZ_CHECK(c2.records == c.records && c2.events == c.events && c2.ignored == c.ignored &&
	           c2.rejected == c.rejected);
	return 0;
}
