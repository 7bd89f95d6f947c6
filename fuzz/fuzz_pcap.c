/*
 * fuzz_pcap.c — the pcap parser (ingest_pcap, ingest/parsers.h), libpcap's
 * pcap and pcapng readers under it, IP fragment gathering and the
 * connection tracker (ingest/conntrack.h).
 *
 * The whole input is one capture file read through reader_open_mem
 * (libFuzzer's buffer is exactly that long; gzip input is inflated by the
 * reader).  Properties:
 *   - the verdict is DT_OK, or DT_EFORMAT with a message, no packet and no
 *     event;
 *   - every rejected packet was reported to warn with the file's name and
 *     a packet number inside the capture, in order;
 *   - every event is a well-formed flow: both addresses, its record the
 *     number of a packet of the capture, ports -1 for protocols without
 *     them and 0..255 for ICMP, a known conn_state, a 17-character uid,
 *     packet counts that add up to at least one and, over all events, to
 *     no more than the packets that were neither rejected nor ignored;
 *     duration and bytes both set or both -1;
 *   - the uids are distinct (connections differ in 5-tuple or start);
 *   - a sink that fails at event k stops the parser with its error after
 *     exactly k events, and a second run gives the same counts and uids.
 */
#include "fuzz.h"
#include "ingest/parsers.h"

#define MAX_UIDS 4096

struct run {
	uint64_t events, fail_at, pkts;
	unsigned long last_warn;
	uint64_t warns;
	uint64_t max_record;
	uint64_t uid_hash; /* order-dependent digest of the uids */
	size_t nuids;
	char uids[MAX_UIDS][18];
};

static struct run r1, r2;

static bool known_state(struct dt_str s)
{
	static const char *states[] = {"S0",   "S1",     "SF",    "REJ", "S2",  "S3", "RSTO",
	                               "RSTR", "RSTOS0", "RSTRH", "SH",  "SHR", "OTH"};

	for (size_t i = 0; i < sizeof(states) / sizeof(*states); i++)
		if (s.len == strlen(states[i]) && memcmp(s.p, states[i], s.len) == 0)
			return true;
	return false;
}

static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct run *r = ctx;

	if (r->events == r->fail_at)
		return DT_EIO;
	r->events++;
	FUZZ_CHECK(strcmp(ev->kind, EVENT_FLOW) == 0);
	FUZZ_CHECK(ev->has_src && ev->has_dst);
	FUZZ_CHECK(ev->src.family == ev->dst.family);
	FUZZ_CHECK(ev->src.family == DT_IP_V4 || ev->src.family == DT_IP_V6);
	FUZZ_CHECK(ev->record >= 1);
	if (ev->record > r->max_record)
		r->max_record = ev->record;
	FUZZ_CHECK(ev->proto >= 0 && ev->proto <= 255);
	if (ev->proto == 6 || ev->proto == 17) {
		FUZZ_CHECK(ev->sport >= 0 && ev->sport <= 65535);
		FUZZ_CHECK(ev->dport >= 0 && ev->dport <= 65535);
	} else if (ev->proto == 1 || ev->proto == 58) {
		FUZZ_CHECK(ev->sport >= 0 && ev->sport <= 255);
		FUZZ_CHECK(ev->dport >= 0 && ev->dport <= 255);
		FUZZ_CHECK(strncmp(ev->state.p, "OTH", ev->state.len) == 0);
	} else {
		FUZZ_CHECK(ev->sport == -1 && ev->dport == -1);
	}
	FUZZ_CHECK(ev->state.p != NULL && known_state(ev->state));
	FUZZ_CHECK(ev->uid.len == 17 && ev->uid.p[0] == 'C');
	FUZZ_CHECK(ev->ts_us >= 0);
	FUZZ_CHECK(ev->orig_pkts >= 0 && ev->resp_pkts >= 0 && ev->orig_pkts + ev->resp_pkts >= 1);
	r->pkts += (uint64_t)(ev->orig_pkts + ev->resp_pkts);
	FUZZ_CHECK(ev->duration_us == -1 || ev->duration_us > 0);
	FUZZ_CHECK((ev->duration_us == -1) == (ev->orig_bytes == -1));
	FUZZ_CHECK((ev->orig_bytes == -1) == (ev->resp_bytes == -1));
	FUZZ_CHECK(ev->orig_bytes >= -1 && ev->resp_bytes >= -1);
	for (size_t i = 0; i < ev->uid.len; i++)
		r->uid_hash = (r->uid_hash ^ (uint8_t)ev->uid.p[i]) * 0x100000001b3ULL;
	if (r->nuids < MAX_UIDS) {
		for (size_t i = 0; i < r->nuids; i++)
			FUZZ_CHECK(memcmp(r->uids[i], ev->uid.p, 17) != 0);
		memcpy(r->uids[r->nuids++], ev->uid.p, 17);
	}
	return DT_OK;
}

static void warn(void *ctx, const struct dt_diag *d)
{
	struct run *r = ctx;

	FUZZ_CHECK(strcmp(d->file, "fuzz.pcap") == 0);
	FUZZ_CHECK(d->line >= 1);
	FUZZ_CHECK(d->line > r->last_warn);
	FUZZ_CHECK(d->msg[0] != '\0');
	r->last_warn = d->line;
	r->warns++;
}

static enum dt_err once(const uint8_t *data, size_t size, uint64_t fail_at, struct run *r,
                        struct ingest_counts *c, struct dt_diag *d)
{
	struct reader *rd;
	struct ingest_ctx x = {
	    .name = "fuzz.pcap", .sink = sink, .sctx = r, .warn = warn, .wctx = r, .c = c};
	enum dt_err err;

	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	dt_diag_clear(d);
	r->fail_at = fail_at;
	FUZZ_CHECK(reader_open_mem(data, size, &rd) == DT_OK);
	err = ingest_pcap(rd, &x, d);
	reader_close(rd);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_counts c, c2;
	struct dt_diag d;
	enum dt_err err = once(data, size, UINT64_MAX, &r1, &c, &d);

	FUZZ_CHECK(err == DT_OK || err == DT_EFORMAT);
	FUZZ_CHECK(c.events == r1.events);
	FUZZ_CHECK(c.rejected == r1.warns);
	FUZZ_CHECK(r1.last_warn <= c.records);
	FUZZ_CHECK(r1.max_record <= c.records);
	FUZZ_CHECK(c.rejected + c.ignored <= c.records);
	FUZZ_CHECK(r1.pkts <= c.records - c.rejected - c.ignored);
	if (err == DT_EFORMAT) {
		FUZZ_CHECK(c.events == 0 && c.records == 0);
		FUZZ_CHECK(d.msg[0] != '\0' && strcmp(d.file, "fuzz.pcap") == 0);
		return 0;
	}

	/* the same again, the sink failing half way */
	err = once(data, size, c.events / 2, &r2, &c2, &d);
	if (c.events > 0) {
		FUZZ_CHECK(err == DT_EIO && c2.events == c.events / 2);
		FUZZ_CHECK(d.msg[0] != '\0');
	}
	err = once(data, size, UINT64_MAX, &r2, &c2, &d);
	FUZZ_CHECK(err == DT_OK);
	FUZZ_CHECK(c2.records == c.records && c2.events == c.events && c2.ignored == c.ignored &&
	           c2.rejected == c.rejected && r2.uid_hash == r1.uid_hash);
	return 0;
}
