/*
 * fuzz_sanitize_bin.c — the sanitizers of the binary formats
 * (privacy/sanitize.h: sanitize_pcap, sanitize_netflow, and
 * privacy/sanitize_pkt.h under them).
 *
 * The first byte picks the format (bit 0: 0 pcap/pcapng, 1 NetFlow export
 * packets or a capture of them) and the home networks (bit 1: the RFC 1918
 * set, or 0.0.0.0/0 and ::/0); the rest is the input, through sanitize_mem
 * and, for comparison, through the format's parser.  Properties:
 *   - the sanitizer returns DT_OK or DT_EFORMAT with a message, and
 *     DT_EFORMAT exactly when the parser refuses the input as a whole;
 *   - the derivative parses (no crash), with the same verdict;
 *   - the same number of events: always for a capture; for NetFlow when
 *     the parser rejected nothing (the withheld form of damage is not
 *     promised to resynchronise alike in every case: sanitize_netflow.c);
 *   - a capture's derivative is no longer than its input plus the pcapng
 *     header it may gain, and an uncompressed NetFlow file's exactly as
 *     long;
 *   - sanitizing the derivative again gives a derivative of the same
 *     length (the rewrite is structure-preserving).
 */
#include "fuzz.h"
#include "ingest/formats.h"
#include "privacy/sanitize.h"

static struct privacy *priv[2];

static enum dt_err sink(void *ctx, const struct event *ev)
{
	(void)ev;
	(*(uint64_t *)ctx)++;
	return DT_OK;
}

static enum dt_err run(const char *fmt, const uint8_t *d, size_t n, uint64_t *events,
                       struct ingest_counts *c)
{
	*events = 0;
	memset(c, 0, sizeof(*c));
	return ingest_mem(ingest_format(fmt), "fuzz", d, n, sink, events, NULL, NULL, c, NULL);
}

static void setup(void)
{
	static const uint8_t key[PRIVACY_KEY_BYTES] = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"
	                                              "0123456789abcdef0123456789abcdef";
	static const char *const nets[2][4] = {{"10.0.0.0/8", "192.168.0.0/16", "fc00::/7", NULL},
	                                       {"0.0.0.0/0", "::/0", NULL, NULL}};

	for (int i = 0; i < 2; i++) {
		FUZZ_CHECK(privacy_new(key, &priv[i]) == DT_OK);
		for (int k = 0; nets[i][k]; k++) {
			struct dt_prefix pf;

			FUZZ_CHECK(dt_prefix_parse(nets[i][k], strlen(nets[i][k]), &pf, NULL) ==
			           DT_OK);
			FUZZ_CHECK(privacy_add_net(priv[i], &pf) == DT_OK);
		}
	}
}

static enum dt_err sanitize(struct privacy *p, const char *fmt, const uint8_t *d, size_t n,
                            char **out, size_t *olen)
{
	struct privacy_counts c = {0};
	struct dt_diag diag;
	FILE *f = open_memstream(out, olen);
	enum dt_err err;

	FUZZ_CHECK(f != NULL);
	dt_diag_clear(&diag);
	err = sanitize_mem(p, fmt, d, n, f, &c, &diag);
	fclose(f);
	FUZZ_CHECK(err == DT_OK || err == DT_EFORMAT);
	if (err)
		FUZZ_CHECK(diag.msg[0] != '\0');
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_counts c1, c2;
	uint64_t e1, e2;
	char *out = NULL, *out2 = NULL;
	size_t olen = 0, olen2 = 0;
	const char *fmt;
	struct privacy *p;
	enum dt_err es, e_orig, e_der;

	if (size < 1)
		return 0;
	if (!priv[0])
		setup();
	fmt = data[0] & 1 ? "netflow" : "pcap";
	p = priv[(data[0] >> 1) & 1];
	data++;
	size--;
	e_orig = run(fmt, data, size, &e1, &c1);
	es = sanitize(p, fmt, data, size, &out, &olen);
	FUZZ_CHECK((es == DT_EFORMAT) == (e_orig == DT_EFORMAT));
	if (es == DT_OK) {
		e_der = run(fmt, (const uint8_t *)out, olen, &e2, &c2);
		FUZZ_CHECK(e_der == e_orig);
		if (data[-1] & 1) {
			if (c1.rejected == 0)
				FUZZ_CHECK(e1 == e2);
		} else {
			FUZZ_CHECK(e1 == e2);
			FUZZ_CHECK(olen <= size + 60);
		}
		FUZZ_CHECK(sanitize(p, fmt, (const uint8_t *)out, olen, &out2, &olen2) == DT_OK);
		if (data[-1] & 1 && !(size >= 2 && data[0] == 0x1f && data[1] == 0x8b) &&
		    !(olen >= 4 && (out[0] == '\xd4' || out[0] == '\xa1' || out[0] == '\x0a' ||
		                    out[0] == '\x4d')))
			FUZZ_CHECK(olen == size && olen2 == olen);
	}
	free(out);
	free(out2);
	return 0;
}
