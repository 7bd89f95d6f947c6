/*
 * fuzz_sanitize.c — the sanitizers of the text formats (privacy/
 * sanitize.h: sanitize_zeek, sanitize_eve, sanitize_syslog,
 * sanitize_weblog).
 *
 * The first byte picks the format (0 zeek, 1 eve, 2 syslog, 3 weblog,
 * modulo 4); the rest is the input, run through sanitize_mem under a fixed
 * key, the default home networks and two home domains.  Properties:
 *   - the verdict is DT_OK, or DT_EFORMAT with a message;
 *   - the derivative has exactly as many lines as the reader gives for the
 *     input, and the counts say so (records);
 *   - the record count relation: when the format's parser accepts the
 *     input, it accepts the derivative too, with the same number of
 *     events, the same number of rejected records and the same record
 *     numbers in the same order;
 *   - sanitizing is deterministic: a second run writes the same bytes.
 */
#include "fuzz.h"
#include "ingest/formats.h"
#include "privacy/sanitize.h"

#define MAX_REC 4096

static const char *const formats[] = {"zeek", "eve", "syslog", "weblog"};

struct recs {
	uint64_t n;
	uint64_t rec[MAX_REC];
};

static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct recs *r = ctx;

	if (r->n < MAX_REC)
		r->rec[r->n] = ev->record;
	r->n++;
	return DT_OK;
}

static struct privacy *priv(void)
{
	static struct privacy *p;
	static const char *const nets[] = {"10.0.0.0/8",  "172.16.0.0/12", "192.168.0.0/16",
	                                   "127.0.0.0/8", "fc00::/7",      "fe80::/10"};
	uint8_t key[PRIVACY_KEY_BYTES];

	if (p)
		return p;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	if (privacy_new(key, &p))
		abort();
	for (size_t i = 0; i < sizeof(nets) / sizeof(*nets); i++) {
		struct dt_prefix pf;

		if (dt_prefix_parse(nets[i], strlen(nets[i]), &pf, NULL) || privacy_add_net(p, &pf))
			abort();
	}
	if (privacy_add_domain(p, "bank.example", 12) || privacy_add_domain(p, "corp", 4))
		abort();
	return p;
}

static size_t out_lines(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

static size_t in_lines(const uint8_t *data, size_t size)
{
	struct reader *r;
	const char *l;
	size_t n, k = 0;

	if (reader_open_mem(data, size, &r))
		abort();
	while (reader_line(r, &l, &n, NULL))
		k++;
	reader_close(r);
	return k;
}

static char *run(const char *fmt, const uint8_t *data, size_t size, size_t *len,
                 struct privacy_counts *c, enum dt_err *err)
{
	char *out = NULL;
	struct dt_diag d;
	FILE *f = open_memstream(&out, len);

	FUZZ_CHECK(f != NULL);
	memset(c, 0, sizeof(*c));
	dt_diag_clear(&d);
	*err = sanitize_mem(priv(), fmt, data, size, f, c, &d);
	fclose(f);
	FUZZ_CHECK(*err == DT_OK || (*err == DT_EFORMAT && d.msg[0]));
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct recs a, b;
	struct ingest_counts ca = {0}, cb = {0};
	struct privacy_counts c1, c2;
	const char *fmt;
	char *out, *again;
	size_t len, len2;
	enum dt_err err, err2, ea, eb;

	if (size < 1)
		return 0;
	fmt = formats[data[0] % 4];
	data++;
	size--;
	out = run(fmt, data, size, &len, &c1, &err);
	if (err == DT_OK) {
		size_t k = in_lines(data, size);

		FUZZ_CHECK(out_lines(out, len) == k);
		FUZZ_CHECK(c1.records == k);
		a.n = b.n = 0;
		ea = ingest_mem(ingest_format(fmt), "in", data, size, sink, &a, NULL, NULL, &ca,
		                NULL);
		if (ea == DT_OK) {
			eb = ingest_mem(ingest_format(fmt), "out", out, len, sink, &b, NULL, NULL,
			                &cb, NULL);
			FUZZ_CHECK(eb == DT_OK);
			FUZZ_CHECK(a.n == b.n);
			FUZZ_CHECK(ca.rejected == cb.rejected);
			for (uint64_t i = 0; i < a.n && i < MAX_REC; i++)
				FUZZ_CHECK(a.rec[i] == b.rec[i]);
		}
	}
	again = run(fmt, data, size, &len2, &c2, &err2);
	FUZZ_CHECK(err2 == err && len2 == len && memcmp(out, again, len) == 0);
	FUZZ_CHECK(memcmp(&c1, &c2, sizeof(c1)) == 0);
	free(out);
	free(again);
	return 0;
}
