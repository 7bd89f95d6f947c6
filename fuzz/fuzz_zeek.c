/*
 * fuzz_zeek.c — the Zeek log parser (ingest_zeek, ingest/parsers.h).
 *
 * The whole input is one log, TSV or JSON (libFuzzer's buffer is exactly
 * that long, so a read past it is an AddressSanitizer report).  Checked:
 *   - the parser fails only as a whole with DT_EFORMAT (not a Zeek log, bad
 *     #separator) or DT_ELIMIT (too many #fields), with a message;
 *   - otherwise every line is counted once: records + ignored = lines, and
 *     records = events + rejected, with one warning per reject;
 *   - each event is well formed: record numbers are line numbers, in
 *     increasing order; ports -1..65535; proto -1, 1, 6 or 17; addresses of
 *     a known family; every string slice readable (its bytes are summed);
 *   - each warning names the file and a line of the input;
 *   - a second parse of the same input gives the same counts.
 */
#include "fuzz.h"

#include "ingest/formats.h"

struct fz {
	size_t lines;
	uint64_t last_record, warns, sum;
};

static void touch(struct fz *f, struct dt_str s)
{
	FUZZ_CHECK(s.len == 0 || s.p != NULL);
	for (size_t i = 0; i < s.len; i++)
		f->sum += (unsigned char)s.p[i];
}

static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct fz *f = ctx;

	FUZZ_CHECK(ev->record >= 1 && ev->record <= f->lines);
	FUZZ_CHECK(ev->record > f->last_record);
	f->last_record = ev->record;
	FUZZ_CHECK(ev->sport >= -1 && ev->sport <= 65535);
	FUZZ_CHECK(ev->dport >= -1 && ev->dport <= 65535);
	FUZZ_CHECK(ev->proto == -1 || ev->proto == 1 || ev->proto == 6 || ev->proto == 17);
	FUZZ_CHECK(!ev->has_src || ev->src.family == DT_IP_V4 || ev->src.family == DT_IP_V6);
	FUZZ_CHECK(!ev->has_dst || ev->dst.family == DT_IP_V4 || ev->dst.family == DT_IP_V6);
	FUZZ_CHECK(ev->kind != NULL && ev->kind[0] != '\0');
	FUZZ_CHECK(ev->orig_bytes >= -1 && ev->resp_bytes >= -1);
	FUZZ_CHECK(ev->orig_pkts >= -1 && ev->resp_pkts >= -1);
	touch(f, ev->uid);
	touch(f, ev->signature);
	touch(f, ev->domain);
	touch(f, ev->url);
	touch(f, ev->user_agent);
	touch(f, ev->ja3);
	touch(f, ev->ja3s);
	touch(f, ev->cert_sha1);
	touch(f, ev->cert_sha256);
	touch(f, ev->md5);
	touch(f, ev->sha1);
	touch(f, ev->sha256);
	touch(f, ev->service);
	touch(f, ev->state);
	FUZZ_CHECK(ev->cert_sha256.len == 0 || ev->cert_sha256.len == 64);
	FUZZ_CHECK(ev->cert_sha1.len == 0 || ev->cert_sha1.len == 40);
	return DT_OK;
}

static void warn(void *ctx, const struct dt_diag *d)
{
	struct fz *f = ctx;

	f->warns++;
	FUZZ_CHECK(strcmp(d->file, "fuzz.log") == 0);
	FUZZ_CHECK(d->line >= 1 && d->line <= f->lines);
	FUZZ_CHECK(d->msg[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct ingest_counts c = {0}, c2 = {0};
	struct fz f = {0}, f2 = {0};
	struct dt_diag d, d2;
	enum dt_err err, err2;

	for (size_t i = 0; i < size; i++)
		if (s[i] == '\n')
			f.lines++;
	if (size > 0 && s[size - 1] != '\n')
		f.lines++;
	f2.lines = f.lines;

	dt_diag_clear(&d);
	err = ingest_mem(ingest_zeek, "fuzz.log", s, size, sink, &f, warn, &f, &c, &d);
	if (err != DT_OK) {
		FUZZ_CHECK(err == DT_EFORMAT || err == DT_ELIMIT);
		FUZZ_CHECK(d.msg[0] != '\0');
	} else {
		FUZZ_CHECK(c.records + c.ignored == f.lines);
		FUZZ_CHECK(c.records == c.events + c.rejected);
	}
	FUZZ_CHECK(f.warns == c.rejected);

	err2 = ingest_mem(ingest_zeek, "fuzz.log", s, size, sink, &f2, warn, &f2, &c2, &d2);
	FUZZ_CHECK(err2 == err);
	FUZZ_CHECK(c2.records == c.records && c2.events == c.events && c2.rejected == c.rejected &&
	           c2.ignored == c.ignored);
	FUZZ_CHECK(f2.sum == f.sum);
	return 0;
}
