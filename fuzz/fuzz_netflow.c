/*
 * fuzz_netflow.c — the NetFlow v5/v9/IPFIX parser (ingest_netflow,
 * ingest/parsers.h): export packets end to end, or a pcap/pcapng capture
 * of them read with libpcap; the template cache (ingest/nftemplate.h) and
 * the link-layer decoding (ingest/nfpcap.h) under it.
 *
 * The whole input is one file read through reader_open_mem (libFuzzer's
 * buffer is exactly that long; gzip input is inflated by the reader).
 * Dictionary: fuzz/netflow.dict.  Properties:
 *   - the verdict is DT_OK, or DT_EFORMAT with a message and no event;
 *   - records = events + ignored + rejected; every rejected record was
 *     reported to warn (warnings also report data without a template, so
 *     warns >= rejected), each with the file's name, a packet number that
 *     never decreases and a message;
 *   - every event is a well-formed flow: a source or destination address
 *     of family 4 or 6, a record number that never decreases and no larger
 *     than the packets the input can hold, ports -1..65535, protocol
 *     -1..255, counts and duration -1 or more;
 *   - v5 oracle: when the input is exactly one v5 packet (count <= 30,
 *     24 + 48 * count bytes), the events are its records, field by field
 *     as read here from the bytes, flow start and duration included;
 *   - a sink that fails at event k stops the parser with its error after
 *     exactly k events, and a second run gives the same counts.
 */
#include "fuzz.h"
#include "ingest/formats.h"
#include "ingest/parsers.h"

struct run {
	const uint8_t *data;
	size_t size;
	uint64_t events, fail_at, warns, last_warn, last_record;
	bool v5; /* the input is one v5 packet: check each event against it */
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Event i against record i of the v5 packet (the NetFlow v5 layout). */
static void check_v5(const struct run *r, uint64_t i, const struct event *ev)
{
	const uint8_t *h = r->data, *rec = r->data + 24 + 48 * i;
	uint32_t nsecs = rd32(h + 12);
	int64_t export_us =
	    (int64_t)rd32(h + 8) * 1000000 + (nsecs < 1000000000u ? nsecs / 1000 : 0);
	int64_t first = (int64_t)rd32(rec + 24), last = (int64_t)rd32(rec + 28);
	int64_t up = (int64_t)rd32(h + 4), d, s;

	FUZZ_CHECK(i < rd16(h + 2));
	FUZZ_CHECK(ev->record == 1);
	FUZZ_CHECK(ev->has_src && ev->src.family == DT_IP_V4 && ev->src.addr == rd32(rec));
	FUZZ_CHECK(ev->has_dst && ev->dst.family == DT_IP_V4 && ev->dst.addr == rd32(rec + 4));
	FUZZ_CHECK(ev->orig_pkts == rd32(rec + 16) && ev->orig_bytes == rd32(rec + 20));
	FUZZ_CHECK(ev->sport == rd16(rec + 32) && ev->dport == rd16(rec + 34));
	FUZZ_CHECK(ev->proto == rec[38]);
	FUZZ_CHECK(ev->resp_bytes == -1 && ev->resp_pkts == -1);
	/* times modulo 2^32 ms, as signed differences */
	s = first - up;
	if (s >= 2147483648ll)
		s -= 4294967296ll;
	if (s < -2147483648ll)
		s += 4294967296ll;
	FUZZ_CHECK(ev->ts_us == export_us + s * 1000);
	d = last - first;
	if (d >= 2147483648ll)
		d -= 4294967296ll;
	if (d < -2147483648ll)
		d += 4294967296ll;
	FUZZ_CHECK(ev->duration_us == (d >= 0 ? d * 1000 : -1));
}

static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct run *r = ctx;

	if (r->events == r->fail_at)
		return DT_EIO;
	FUZZ_CHECK(strcmp(ev->kind, EVENT_FLOW) == 0);
	FUZZ_CHECK(ev->has_src || ev->has_dst);
	FUZZ_CHECK(!ev->has_src || ev->src.family == DT_IP_V4 || ev->src.family == DT_IP_V6);
	FUZZ_CHECK(!ev->has_dst || ev->dst.family == DT_IP_V4 || ev->dst.family == DT_IP_V6);
	FUZZ_CHECK(ev->record >= 1 && ev->record >= r->last_record);
	FUZZ_CHECK(ev->record <= r->size / 4 + 1); /* a packet takes 4 bytes at least */
	r->last_record = ev->record;
	FUZZ_CHECK(ev->sport >= -1 && ev->sport <= 65535);
	FUZZ_CHECK(ev->dport >= -1 && ev->dport <= 65535);
	FUZZ_CHECK(ev->proto >= -1 && ev->proto <= 255);
	FUZZ_CHECK(ev->duration_us >= -1);
	FUZZ_CHECK(ev->orig_bytes >= -1 && ev->resp_bytes >= -1);
	FUZZ_CHECK(ev->orig_pkts >= -1 && ev->resp_pkts >= -1);
	if (r->v5)
		check_v5(r, r->events, ev);
	r->events++;
	return DT_OK;
}

static void warn(void *ctx, const struct dt_diag *d)
{
	struct run *r = ctx;

	FUZZ_CHECK(strcmp(d->file, "fuzz.nf") == 0);
	FUZZ_CHECK(d->msg[0] != '\0');
	FUZZ_CHECK(d->line >= r->last_warn);
	r->last_warn = d->line;
	r->warns++;
}

static enum dt_err once(const uint8_t *data, size_t size, uint64_t fail_at, struct run *r,
                        struct ingest_counts *c, struct dt_diag *d)
{
	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	dt_diag_clear(d);
	r->data = data;
	r->size = size;
	r->fail_at = fail_at;
	r->v5 = size >= 24 && rd16(data) == 5 && rd16(data + 2) <= 30 &&
	        size == 24 + 48 * (size_t)rd16(data + 2);
	return ingest_mem(ingest_netflow, "fuzz.nf", data, size, sink, r, warn, r, c, d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r, r2;
	struct ingest_counts c, c2;
	struct dt_diag d;
	enum dt_err err = once(data, size, UINT64_MAX, &r, &c, &d);

	FUZZ_CHECK(err == DT_OK || err == DT_EFORMAT);
	FUZZ_CHECK(c.records == c.events + c.ignored + c.rejected);
	FUZZ_CHECK(c.events == r.events);
	FUZZ_CHECK(r.warns >= c.rejected);
	if (err == DT_EFORMAT)
		FUZZ_CHECK(c.events == 0 && d.msg[0] != '\0' && strcmp(d.file, "fuzz.nf") == 0);
	if (r.v5)
		FUZZ_CHECK(err == DT_OK && c.events == rd16(data + 2) && c.rejected == 0);

	/* the same again, the sink failing half way */
	err = once(data, size, c.events / 2, &r2, &c2, &d);
	if (c.events > 0) {
		FUZZ_CHECK(err == DT_EIO && c2.events == c.events / 2);
		FUZZ_CHECK(d.msg[0] != '\0');
	}
	err = once(data, size, UINT64_MAX, &r2, &c2, &d);
	FUZZ_CHECK(c2.records == c.records && c2.events == c.events && c2.ignored == c.ignored &&
	           c2.rejected == c.rejected && r2.warns == r.warns);
	return 0;
}
