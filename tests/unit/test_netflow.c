/*
 * test_netflow.c — the NetFlow v5/v9/IPFIX parser (ingest_netflow,
 * ingest/parsers.h).
 *
 * The reference is tshark: every group of corpus export packets
 * (../shared/corpus/netflow, real exporters; templates first, then data)
 * is wrapped into one capture (Ethernet/IPv4/UDP to port 2055, IPFIX to
 * 4739, each group from its own exporter address), tshark dissects it to
 * PDML, and every flow it shows — options data and flows without any
 * address left out — must match our event in order: addresses, ports,
 * protocol, byte and packet counts both ways, flow start and duration
 * (computed here from tshark's own time fields and packet headers).
 * Without tshark that test is skipped, saying so.
 *
 * tshark's dissector gives up on a few corpus packets (an exception,
 * "Malformed Packet"); our flows of those it did not show are counted and
 * printed, not compared.  tshark 4.0 also shows a flowStartSysUpTime of 0
 * as the absolute time 1970-01-01, which is read back as the relative 0
 * it is.
 *
 * Then: the raw concatenated packets give the same events and counts as
 * the capture of them, also over VLAN + IPv6, Linux cooked, raw IP and
 * pcapng framings, and gzipped; the invalid corpus packets are rejected
 * with their reason (alone, in a capture, and between good packets);
 * truncated inputs (files and captures, cut everywhere) give a prefix of
 * the events and say "truncated" or "damaged"; garbage is skipped by
 * resynchronising, even past the parser's window; hand-made packets cover
 * variable-length and enterprise fields, RFC 5103 reverse counts, template
 * withdrawal, options records giving systemInitTimeMilliseconds,
 * IPv4-mapped IPv6, zero-length fields, sysUpTime wrap-around, NTP-format
 * times, numbers wider than their element, a full template cache, IP
 * fragments and the once-per-template report of data without a template;
 * a failing sink stops the parser.
 */
#include "testhelp.h"

#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/formats.h"
#include "ingest/parsers.h"

/* ---- collecting events ----------------------------------------------- */

struct evs {
	struct event *v;
	size_t n, cap;
	size_t nwarn;
	char warns[8][512];
	uint64_t fail_at; /* sink fails at this event (0: never) */
};

static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct evs *e = ctx;

	if (e->fail_at && e->n + 1 == e->fail_at)
		return DT_EIO;
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 64;
		e->v = realloc(e->v, e->cap * sizeof(*e->v));
		if (e->v == NULL)
			abort();
	}
	e->v[e->n++] = *ev;
	return DT_OK;
}

static void warn(void *ctx, const struct dt_diag *d)
{
	struct evs *e = ctx;

	if (e->nwarn < 8)
		dt_diag_format(d, e->warns[e->nwarn], sizeof(e->warns[0]));
	e->nwarn++;
}

static bool warned(const struct evs *e, const char *needle)
{
	for (size_t i = 0; i < e->nwarn && i < 8; i++)
		if (strstr(e->warns[i], needle))
			return true;
	return false;
}

static void evs_free(struct evs *e)
{
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static enum dt_err run(const void *data, size_t len, struct evs *e, struct ingest_counts *c,
                       struct dt_diag *d)
{
	struct dt_diag local;
	uint64_t fail_at = e->fail_at;

	evs_free(e);
	e->fail_at = fail_at;
	memset(c, 0, sizeof(*c));
	dt_diag_clear(d ? d : &local);
	return ingest_mem(ingest_netflow, "nf", data, len, sink, e, warn, e, c, d ? d : &local);
}

static const char *ip(const struct dt_ip *a)
{
	static char buf[4][DT_IP_STRLEN];
	static int k;

	k = (k + 1) % 4;
	dt_ip_format(a, buf[k]);
	return buf[k];
}

/* The same events: every field but the record number, which is shifted
 * by off in b. */
static bool same_event(const struct event *a, const struct event *b, uint64_t off)
{
	return a->ts_us == b->ts_us && a->has_src == b->has_src && a->has_dst == b->has_dst &&
	       (!a->has_src || (a->src.family == b->src.family && a->src.addr == b->src.addr &&
	                        a->src.mapped == b->src.mapped)) &&
	       (!a->has_dst || (a->dst.family == b->dst.family && a->dst.addr == b->dst.addr &&
	                        a->dst.mapped == b->dst.mapped)) &&
	       a->sport == b->sport && a->dport == b->dport && a->proto == b->proto &&
	       strcmp(a->kind, b->kind) == 0 && a->duration_us == b->duration_us &&
	       a->orig_bytes == b->orig_bytes && a->resp_bytes == b->resp_bytes &&
	       a->orig_pkts == b->orig_pkts && a->resp_pkts == b->resp_pkts &&
	       a->record + off == b->record;
}

/* ---- buffers and files ------------------------------------------------ */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		while (b->n + n > b->cap)
			b->cap = b->cap ? b->cap * 2 : 4096;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void put8(struct buf *b, unsigned v)
{
	uint8_t x = (uint8_t)v;

	put(b, &x, 1);
}

static void put16(struct buf *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b, v & 0xffff);
}

static void le32(struct buf *b, uint32_t v)
{
	put(b, &v, 4); /* the tests run little- or big-endian: pcap says which */
}

static void le16(struct buf *b, uint16_t v)
{
	put(b, &v, 2);
}

static void set16(struct buf *b, size_t at, unsigned v)
{
	b->p[at] = (uint8_t)(v >> 8);
	b->p[at + 1] = (uint8_t)v;
}

static bool slurp(const char *name, struct buf *b)
{
	char path[1024];
	FILE *f;
	uint8_t tmp[65536];
	size_t k;

	snprintf(path, sizeof(path), "%s/netflow/%s", th_corpus(), name);
	if ((f = fopen(path, "rb")) == NULL)
		return false;
	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
		put(b, tmp, k);
	fclose(f);
	return true;
}

static bool have_corpus(void)
{
	struct buf b = {0};
	bool ok = slurp("netflow5.dat", &b);

	free(b.p);
	return ok;
}

/* ---- writing captures ------------------------------------------------- */

enum link { L_ETH, L_VLAN6, L_SLL, L_RAW, L_NG };

struct cap {
	struct buf b;
	enum link link;
	uint32_t frames;
	size_t ends[256]; /* where each of the first frames ends */
};

static uint16_t ipsum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void cap_begin(struct cap *c, enum link link)
{
	memset(c, 0, sizeof(*c));
	c->link = link;
	if (link == L_NG) {
		/* section header block, then one Ethernet interface */
		le32(&c->b, 0x0a0d0d0a);
		le32(&c->b, 28);
		le32(&c->b, 0x1a2b3c4d);
		le16(&c->b, 1);
		le16(&c->b, 0);
		le32(&c->b, 0xffffffff);
		le32(&c->b, 0xffffffff);
		le32(&c->b, 28);
		le32(&c->b, 1);
		le32(&c->b, 20);
		le16(&c->b, 1);
		le16(&c->b, 0);
		le32(&c->b, 65535);
		le32(&c->b, 20);
		return;
	}
	le32(&c->b, 0xa1b2c3d4);
	le16(&c->b, 2);
	le16(&c->b, 4);
	le32(&c->b, 0);
	le32(&c->b, 0);
	le32(&c->b, 65535);
	le32(&c->b, link == L_SLL ? 113 : link == L_RAW ? 101 : 1);
}

/* One UDP datagram from 10.1.<exporter>.1 (or 2001:db8::<exporter>). */
static void cap_udp(struct cap *c, unsigned exporter, unsigned dport, const uint8_t *p, size_t n)
{
	struct buf f = {0};
	size_t ipat;
	bool v6 = c->link == L_VLAN6;

	if (c->link == L_ETH || c->link == L_NG || v6) {
		put(&f, "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb", 12);
		if (v6) {
			put16(&f, 0x8100);
			put16(&f, 42);
		}
		put16(&f, v6 ? 0x86dd : 0x0800);
	} else if (c->link == L_SLL) {
		put16(&f, 0);
		put16(&f, 1);
		put16(&f, 6);
		put(&f, "\x00\x11\x22\x33\x44\x55\x00\x00", 8);
		put16(&f, 0x0800);
	}
	ipat = f.n;
	if (v6) {
		put32(&f, 0x60000000);
		put16(&f, (unsigned)(8 + n));
		put8(&f, 17);
		put8(&f, 64);
		put32(&f, 0x20010db8);
		put32(&f, 0);
		put32(&f, 0);
		put32(&f, exporter);
		put32(&f, 0x20010db8);
		put32(&f, 0);
		put32(&f, 0);
		put32(&f, 2);
	} else {
		put8(&f, 0x45);
		put8(&f, 0);
		put16(&f, (unsigned)(28 + n));
		put16(&f, c->frames & 0xffff);
		put16(&f, 0);
		put8(&f, 64);
		put8(&f, 17);
		put16(&f, 0);
		put32(&f, 0x0a010001 | (exporter & 0xff) << 8);
		put32(&f, 0x0a000002);
		set16(&f, ipat + 10, ipsum(f.p + ipat, 20));
	}
	put16(&f, 40000);
	put16(&f, dport);
	put16(&f, (unsigned)(8 + n));
	put16(&f, 0);
	put(&f, p, n);
	if (c->link == L_NG) {
		size_t pad = (4 - f.n % 4) % 4;

		le32(&c->b, 6);
		le32(&c->b, (uint32_t)(32 + f.n + pad));
		le32(&c->b, 0);
		le32(&c->b, 0);
		le32(&c->b, 1000 + c->frames);
		le32(&c->b, (uint32_t)f.n);
		le32(&c->b, (uint32_t)f.n);
		put(&c->b, f.p, f.n);
		put(&c->b, "\0\0\0", pad);
		le32(&c->b, (uint32_t)(32 + f.n + pad));
	} else {
		le32(&c->b, 1000000000u + c->frames);
		le32(&c->b, 0);
		le32(&c->b, (uint32_t)f.n);
		le32(&c->b, (uint32_t)f.n);
		put(&c->b, f.p, f.n);
	}
	if (c->frames < 256)
		c->ends[c->frames] = c->b.n;
	c->frames++;
	free(f.p);
}

/* The export packets of a corpus file, told apart here without the
 * parser: v5 by its count, IPFIX by its length, v9 one a file. */
static void cap_file(struct cap *c, unsigned exporter, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i + 4 <= n) {
		unsigned v = (unsigned)(p[i] << 8 | p[i + 1]);
		size_t len = n - i;

		if (v == 5)
			len = 24 + 48 * (size_t)(p[i + 2] << 8 | p[i + 3]);
		else if (v == 10)
			len = (size_t)(p[i + 2] << 8 | p[i + 3]);
		if (len < 4 || len > n - i)
			len = n - i;
		cap_udp(c, exporter, v == 10 ? 4739 : 2055, p + i, len);
		i += len;
	}
}

/* ---- the corpus groups ------------------------------------------------ */

#define MAXG 8
static const char *const groups[][MAXG] = {
    {"netflow5.dat"},
    {"netflow5_test_juniper_mx80.dat"},
    {"netflow5_test_microtik.dat"},
    {"netflow9_cisco_asr1001x_tpl259.dat"},
    {"netflow9_test_0length_fields_tpl_data.dat"},
    {"netflow9_test_cisco_1941K9.dat"},
    {"netflow9_test_cisco_aci_tpl256-258.dat", "netflow9_test_cisco_aci_data256.dat"},
    {"netflow9_test_cisco_asa_1_tpl.dat", "netflow9_test_cisco_asa_1_data.dat"},
    {"netflow9_test_cisco_asa_2_tpl_26x.dat", "netflow9_test_cisco_asa_2_tpl_27x.dat",
     "netflow9_test_cisco_asa_2_data.dat"},
    {"netflow9_test_cisco_asr9k_opttpl256.dat", "netflow9_test_cisco_asr9k_opttpl257.dat",
     "netflow9_test_cisco_asr9k_opttpl334.dat", "netflow9_test_cisco_asr9k_tpl260.dat",
     "netflow9_test_cisco_asr9k_tpl266.dat", "netflow9_test_cisco_asr9k_data256.dat",
     "netflow9_test_cisco_asr9k_data260.dat"},
    {"netflow9_test_cisco_nbar_opttpl260.dat", "netflow9_test_cisco_nbar_tpl262.dat",
     "netflow9_test_cisco_nbar_data262.dat"},
    {"netflow9_test_cisco_wlc_tpl.dat", "netflow9_test_cisco_wlc_8510_tpl_262.dat",
     "netflow9_test_cisco_wlc_data261.dat"},
    {"netflow9_test_field_layer2segmentid_tpl.dat", "netflow9_test_field_layer2segmentid_data.dat"},
    {"netflow9_test_fortigate_fortios_521_tpl.dat",
     "netflow9_test_fortigate_fortios_521_data256.dat",
     "netflow9_test_fortigate_fortios_521_data257.dat"},
    {"netflow9_test_fortigate_fortios_542_appid_tpl258-269.dat",
     "netflow9_test_fortigate_fortios_542_appid_data258_262.dat"},
    {"netflow9_test_h3c_tpl3281.dat", "netflow9_test_h3c_data3281.dat"},
    {"netflow9_test_h3c_netstream_varstring_tpl3281.dat",
     "netflow9_test_h3c_netstream_varstring_data3281.dat"},
    {"netflow9_test_huawei_netstream_tpl.dat", "netflow9_test_huawei_netstream_data.dat"},
    {"netflow9_test_invalid01.dat"},
    {"netflow9_test_iptnetflow_reduced_size_encoding_tpldata260.dat"},
    {"netflow9_test_juniper_srx_tplopt.dat"},
    {"netflow9_test_macaddr_tpl.dat", "netflow9_test_macaddr_data.dat"},
    {"netflow9_test_nprobe_tpl.dat", "netflow9_test_nprobe_data.dat"},
    {"netflow9_test_nprobe_dpi.dat"},
    {"netflow9_test_paloalto_81_tpl256-263.dat",
     "netflow9_test_paloalto_81_data257_1flowset_in_large_zerofilled_packet.dat"},
    {"netflow9_test_paloalto_panos_tpl.dat", "netflow9_test_paloalto_panos_data.dat"},
    {"netflow9_test_softflowd_tpl_data.dat"},
    {"netflow9_test_streamcore_tpl_data256.dat", "netflow9_test_streamcore_tpl_data260.dat"},
    {"netflow9_test_ubnt_edgerouter_tpl.dat", "netflow9_test_ubnt_edgerouter_data1024.dat",
     "netflow9_test_ubnt_edgerouter_data1025.dat"},
    {"netflow9_test_unknown_tpl266_292_data.dat"},
    {"netflow9_test_valid01.dat"},
    {"ipfix.dat"},
    {"ipfix_test_barracuda_tpl.dat", "ipfix_test_barracuda_data256.dat"},
    {"ipfix_test_barracuda_extended_uniflow_tpl256.dat",
     "ipfix_test_barracuda_extended_uniflow_data256.dat"},
    {"ipfix_test_ixia_tpldata256.dat", "ipfix_test_ixia_tpldata271.dat"},
    {"ipfix_test_juniper_mx240_junos151r6s3_opttpl512.dat",
     "ipfix_test_juniper_mx240_junos151r6s3_data512.dat"},
    {"ipfix_test_mikrotik_tpl.dat", "ipfix_test_mikrotik_data258.dat",
     "ipfix_test_mikrotik_data259.dat"},
    {"ipfix_test_netscaler_tpl.dat", "ipfix_test_netscaler_data.dat"},
    {"ipfix_test_nokia_bras_tpl.dat", "ipfix_test_nokia_bras_data256.dat"},
    {"ipfix_test_openbsd_pflow_tpl.dat", "ipfix_test_openbsd_pflow_data.dat"},
    {"ipfix_test_procera_tpl52935.dat", "ipfix_test_procera_data52935.dat"},
    {"ipfix_test_viptela_tpl257.dat", "ipfix_test_viptela_data257.dat"},
    {"ipfix_test_vmware_vds_tpl.dat", "ipfix_test_vmware_vds_data264.dat",
     "ipfix_test_vmware_vds_data266.dat", "ipfix_test_vmware_vds_data266_267.dat"},
    {"ipfix_test_yaf_tpl45841.dat", "ipfix_test_yaf_data45841.dat",
     "ipfix_test_yaf_tpls_option_tpl.dat", "ipfix_test_yaf_data45873.dat",
     "ipfix_test_yaf_data53248.dat"},
};
#define NGROUPS (sizeof(groups) / sizeof(*groups))

/* The files of group g end to end. */
static void group_raw(size_t g, struct buf *b)
{
	for (size_t k = 0; k < MAXG && groups[g][k]; k++)
		CHECKF(slurp(groups[g][k], b), "cannot read %s", groups[g][k]);
}

/* The files of group g as a capture, exporter g + 1. */
static void group_cap(size_t g, struct cap *c)
{
	for (size_t k = 0; k < MAXG && groups[g][k]; k++) {
		struct buf b = {0};

		CHECKF(slurp(groups[g][k], &b), "cannot read %s", groups[g][k]);
		cap_file(c, (unsigned)g + 1, b.p, b.n);
		free(b.p);
	}
}

/* ---- raw file = capture ----------------------------------------------- */

static void test_raw_equals_capture(void)
{
	size_t total = 0;

	if (!have_corpus())
		SKIP("%s/netflow is absent", th_corpus());
	for (size_t g = 0; g < NGROUPS; g++) {
		struct buf raw = {0};
		struct evs a = {0}, b = {0};
		struct ingest_counts ca, cb;
		struct cap cap;
		enum dt_err ea, eb;

		group_raw(g, &raw);
		cap_begin(&cap, L_ETH);
		group_cap(g, &cap);
		ea = run(raw.p, raw.n, &a, &ca, NULL);
		eb = run(cap.b.p, cap.b.n, &b, &cb, NULL);
		CHECKF(ea == DT_OK && eb == DT_OK, "%s: %d %d", groups[g][0], ea, eb);
		CHECKF(ca.records == cb.records && ca.events == cb.events &&
		           ca.rejected == cb.rejected && ca.ignored == cb.ignored,
		       "%s: counts differ: raw %llu/%llu/%llu/%llu capture %llu/%llu/%llu/%llu",
		       groups[g][0], (unsigned long long)ca.records, (unsigned long long)ca.events,
		       (unsigned long long)ca.rejected, (unsigned long long)ca.ignored,
		       (unsigned long long)cb.records, (unsigned long long)cb.events,
		       (unsigned long long)cb.rejected, (unsigned long long)cb.ignored);
		CHECK(ca.records == ca.events + ca.ignored + ca.rejected);
		CHECK(ca.events == a.n && cb.events == b.n);
		CHECKF(a.n == b.n, "%s: %zu events raw, %zu captured", groups[g][0], a.n, b.n);
		for (size_t i = 0; i < a.n && i < b.n; i++)
			CHECKF(same_event(&a.v[i], &b.v[i], 0), "%s: event %zu differs",
			       groups[g][0], i);
		total += a.n;
		evs_free(&a);
		evs_free(&b);
		free(raw.p);
		free(cap.b.p);
	}
	CHECKF(total > 300, "only %zu events from the corpus", total);
}

/* The same through other framings: VLAN + IPv6, Linux cooked, raw IP, pcapng. */
static void test_link_layers(void)
{
	static const size_t pick[] = {0, 8, 31, 37, 42};
	static const enum link links[] = {L_VLAN6, L_SLL, L_RAW, L_NG};

	if (!have_corpus())
		SKIP("%s/netflow is absent", th_corpus());
	for (size_t i = 0; i < sizeof(pick) / sizeof(*pick); i++) {
		struct cap ref;
		struct evs a = {0};
		struct ingest_counts ca;

		cap_begin(&ref, L_ETH);
		group_cap(pick[i], &ref);
		CHECK(run(ref.b.p, ref.b.n, &a, &ca, NULL) == DT_OK && a.n > 0);
		for (size_t l = 0; l < sizeof(links) / sizeof(*links); l++) {
			struct cap c;
			struct evs b = {0};
			struct ingest_counts cb;
			enum dt_err err;

			cap_begin(&c, links[l]);
			group_cap(pick[i], &c);
			err = run(c.b.p, c.b.n, &b, &cb, NULL);
			CHECKF(err == DT_OK && b.n == a.n && cb.rejected == ca.rejected,
			       "%s link %d: err %d, %zu events (want %zu)", groups[pick[i]][0],
			       (int)links[l], err, b.n, a.n);
			for (size_t k = 0; k < a.n && k < b.n; k++)
				CHECKF(same_event(&a.v[k], &b.v[k], 0), "%s link %d: event %zu",
				       groups[pick[i]][0], (int)links[l], k);
			evs_free(&b);
			free(c.b.p);
		}
		evs_free(&a);
		free(ref.b.p);
	}
}

/* in[0..n) gzipped into out. */
static void gz(const uint8_t *in, size_t n, struct buf *out)
{
	z_stream z;
	uint8_t chunk[65536];
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, Z_FINISH);
		put(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc == Z_OK);
	deflateEnd(&z);
}

/* gzip input (the reader inflates it): a file of packets, and a capture. */
static void test_gzip(void)
{
	struct buf raw = {0}, zr = {0}, zc = {0};
	struct evs a = {0}, b = {0};
	struct ingest_counts c;
	struct cap cap;

	if (!have_corpus())
		SKIP("%s/netflow is absent", th_corpus());
	CHECK(slurp("netflow5.dat", &raw) && slurp("ipfix_test_netscaler_tpl.dat", &raw) &&
	      slurp("ipfix_test_netscaler_data.dat", &raw));
	cap_begin(&cap, L_NG);
	cap_file(&cap, 1, raw.p, raw.n);
	gz(raw.p, raw.n, &zr);
	gz(cap.b.p, cap.b.n, &zc);
	CHECK(run(raw.p, raw.n, &a, &c, NULL) == DT_OK && a.n == 33);
	CHECK(run(zr.p, zr.n, &b, &c, NULL) == DT_OK && b.n == a.n);
	for (size_t i = 0; i < a.n && i < b.n; i++)
		CHECK(same_event(&a.v[i], &b.v[i], 0));
	CHECK(run(zc.p, zc.n, &b, &c, NULL) == DT_OK && b.n == a.n);
	for (size_t i = 0; i < a.n && i < b.n; i++)
		CHECK(same_event(&a.v[i], &b.v[i], 0));
	evs_free(&a);
	evs_free(&b);
	free(raw.p);
	free(zr.p);
	free(zc.p);
	free(cap.b.p);
}

/* ---- tshark ----------------------------------------------------------- */

/* One flow as tshark shows it. */
struct tflow {
	unsigned exporter; /* group + 1 */
	unsigned frame;    /* in the capture, 1-based */
	unsigned version;
	int64_t export_us;  /* header time (v5 with nanoseconds) */
	int64_t uptime_ms;  /* v5/v9 header */
	int64_t sysinit_ms; /* IPFIX: last systemInitTime seen from this exporter */
	char src[64], dst[64], src6[64], dst6[64];
	int64_t sport, dport, proto;
	int64_t octets, pkts, tot_octets, tot_pkts, init_octets, init_pkts, resp_octets, resp_pkts,
	    rev_octets, rev_pkts, rev_tot_octets, rev_tot_pkts;
	int64_t abs_start, abs_end, rel_start, rel_end; /* µs; relative ones in ms */
	int64_t dur_us; /* a duration field of the record (161/162) */
};

/* The value of attribute a in line l (XML-unescaped enough for numbers,
 * addresses and times), or false. */
static bool attr(const char *l, const char *a, char *out, size_t size)
{
	char key[32];
	const char *s, *e;
	size_t n;

	snprintf(key, sizeof(key), " %s=\"", a);
	if ((s = strstr(l, key)) == NULL)
		return false;
	s += strlen(key);
	if ((e = strchr(s, '"')) == NULL)
		return false;
	n = (size_t)(e - s) < size - 1 ? (size_t)(e - s) : size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* "Dec 25, 2016 12:58:35.818000000 UTC" in µs since the epoch. */
static int64_t abs_time(const char *s)
{
	struct tm tm;
	const char *r;
	int64_t us = 0;
	int digits = 0;

	memset(&tm, 0, sizeof(tm));
	if ((r = strptime(s, "%b %d, %Y %H:%M:%S", &tm)) == NULL)
		return INT64_MIN;
	if (*r == '.')
		for (r++; *r >= '0' && *r <= '9'; r++)
			if (digits++ < 6)
				us = us * 10 + (*r - '0');
	while (digits++ < 6)
		us *= 10;
	return (int64_t)timegm(&tm) * 1000000 + us;
}

/* "2063.044000000" (seconds) in milliseconds. */
static int64_t rel_ms(const char *s)
{
	int64_t ms = 0;
	int frac = -1;

	for (; *s; s++) {
		if (*s == '.') {
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9')
			break;
		if (frac < 0) {
			ms = ms * 10 + (*s - '0');
		} else if (frac < 3) {
			ms = ms * 10 + (*s - '0');
			frac++;
		}
	}
	if (frac < 0)
		frac = 0;
	while (frac++ < 3)
		ms *= 10;
	return ms;
}

static void tflow_init(struct tflow *t)
{
	int64_t *nums[] = {&t->sport,     &t->dport,          &t->proto,        &t->octets,
	                   &t->pkts,      &t->tot_octets,     &t->tot_pkts,     &t->init_octets,
	                   &t->init_pkts, &t->resp_octets,    &t->resp_pkts,    &t->rev_octets,
	                   &t->rev_pkts,  &t->rev_tot_octets, &t->rev_tot_pkts, &t->abs_start,
	                   &t->abs_end,   &t->rel_start,      &t->rel_end,      &t->dur_us};

	t->src[0] = t->dst[0] = t->src6[0] = t->dst6[0] = '\0';
	for (size_t i = 0; i < sizeof(nums) / sizeof(*nums); i++)
		*nums[i] = -1;
	t->abs_start = t->abs_end = INT64_MIN;
}

static void first_num(int64_t *dst, const char *show)
{
	if (*dst < 0)
		*dst = strtoll(show, NULL, 10);
}

static void first_str(char *dst, const char *show)
{
	if (!dst[0])
		snprintf(dst, 64, "%.63s", show);
}

/* Takes one cflow field of a flow (line: its PDML line). */
static void tflow_field(struct tflow *t, const char *name, const char *show, bool rev,
                        const char *line)
{
	char size[16] = "", value[32] = "";

	attr(line, "size", size, sizeof(size));
	attr(line, "value", value, sizeof(value));
	/* tshark 4.0 shows a flowStart/EndSysUpTime of 0 as the absolute time
	 * 1970-01-01 (a 4-byte "abstime"): it is a relative 0 */
	if ((strcmp(name, "cflow.abstimestart") == 0 || strcmp(name, "cflow.abstimeend") == 0) &&
	    strcmp(size, "4") == 0 && strcmp(value, "00000000") == 0)
		name =
		    strcmp(name, "cflow.abstimestart") == 0 ? "cflow.timestart" : "cflow.timeend";
	/* a duration field proper (not the one tshark computes, of size 0) */
	if (strcmp(name, "cflow.timedelta") == 0 && strcmp(size, "0") != 0 && !rev &&
	    t->dur_us < 0) {
		t->dur_us = rel_ms(show) * 1000;
		return;
	}
	if (strcmp(name, "cflow.srcaddr") == 0 && !rev)
		first_str(t->src, show);
	else if (strcmp(name, "cflow.dstaddr") == 0 && !rev)
		first_str(t->dst, show);
	else if (strcmp(name, "cflow.srcaddrv6") == 0 && !rev)
		first_str(t->src6, show);
	else if (strcmp(name, "cflow.dstaddrv6") == 0 && !rev)
		first_str(t->dst6, show);
	else if (strcmp(name, "cflow.srcport") == 0 && !rev)
		first_num(&t->sport, show);
	else if (strcmp(name, "cflow.dstport") == 0 && !rev)
		first_num(&t->dport, show);
	else if (strcmp(name, "cflow.protocol") == 0 && !rev)
		first_num(&t->proto, show);
	else if (strcmp(name, "cflow.octets") == 0)
		first_num(rev ? &t->rev_octets : &t->octets, show);
	else if (strcmp(name, "cflow.packets") == 0)
		first_num(rev ? &t->rev_pkts : &t->pkts, show);
	else if (strcmp(name, "cflow.permanent_octets") == 0)
		first_num(rev ? &t->rev_tot_octets : &t->tot_octets, show);
	else if (strcmp(name, "cflow.permanent_packets") == 0)
		first_num(rev ? &t->rev_tot_pkts : &t->tot_pkts, show);
	else if (strcmp(name, "cflow.initiator_octets") == 0 && !rev)
		first_num(&t->init_octets, show);
	else if (strcmp(name, "cflow.responder_octets") == 0 && !rev)
		first_num(&t->resp_octets, show);
	else if (strcmp(name, "cflow.initiator_packets") == 0 && !rev)
		first_num(&t->init_pkts, show);
	else if (strcmp(name, "cflow.responder_packets") == 0 && !rev)
		first_num(&t->resp_pkts, show);
	else if (strcmp(name, "cflow.abstimestart") == 0 && !rev && t->abs_start == INT64_MIN)
		t->abs_start = abs_time(show);
	else if (strcmp(name, "cflow.abstimeend") == 0 && !rev && t->abs_end == INT64_MIN)
		t->abs_end = abs_time(show);
	else if (strcmp(name, "cflow.timestart") == 0 && !rev && t->rel_start < 0)
		t->rel_start = rel_ms(show);
	else if (strcmp(name, "cflow.timeend") == 0 && !rev && t->rel_end < 0)
		t->rel_end = rel_ms(show);
}

static int64_t pick3(int64_t a, int64_t b, int64_t c)
{
	return a >= 0 ? a : b >= 0 ? b : c;
}

/* What our event for t should be, by the rules of netflow.c, computed
 * from tshark's fields.  False when t should give no event. */
static bool expect(const struct tflow *t, struct event *e)
{
	const char *src =
	    t->src[0] && (strcmp(t->src, "0.0.0.0") || !t->src6[0]) ? t->src : t->src6;
	const char *dst =
	    t->dst[0] && (strcmp(t->dst, "0.0.0.0") || !t->dst6[0]) ? t->dst : t->dst6;
	int64_t start = INT64_MIN, end = INT64_MIN;

	event_init(e);
	e->kind = EVENT_FLOW;
	if (src[0]) {
		e->has_src = dt_ip_parse(src, strlen(src), &e->src) == DT_OK;
		CHECKF(e->has_src, "tshark address %s", src);
	}
	if (dst[0]) {
		e->has_dst = dt_ip_parse(dst, strlen(dst), &e->dst) == DT_OK;
		CHECKF(e->has_dst, "tshark address %s", dst);
	}
	if (!e->has_src && !e->has_dst)
		return false;
	e->sport = (int32_t)t->sport;
	e->dport = (int32_t)t->dport;
	e->proto = (int32_t)t->proto;
	e->orig_bytes = pick3(t->octets, t->init_octets, t->tot_octets);
	e->orig_pkts = pick3(t->pkts, t->init_pkts, t->tot_pkts);
	e->resp_bytes = pick3(t->rev_octets, t->resp_octets, t->rev_tot_octets);
	e->resp_pkts = pick3(t->rev_pkts, t->resp_pkts, t->rev_tot_pkts);
	if (t->abs_start != INT64_MIN)
		start = t->abs_start;
	else if (t->rel_start >= 0 && t->version != 10)
		start =
		    t->export_us + (int64_t)(int32_t)(uint32_t)(t->rel_start - t->uptime_ms) * 1000;
	else if (t->rel_start >= 0 && t->sysinit_ms >= 0)
		start = (t->sysinit_ms + t->rel_start) * 1000;
	if (t->abs_end != INT64_MIN)
		end = t->abs_end;
	else if (t->rel_end >= 0 && t->version != 10)
		end = t->export_us + (int64_t)(int32_t)(uint32_t)(t->rel_end - t->uptime_ms) * 1000;
	else if (t->rel_end >= 0 && t->sysinit_ms >= 0)
		end = (t->sysinit_ms + t->rel_end) * 1000;
	e->ts_us = start != INT64_MIN ? start : t->export_us;
	if (start != INT64_MIN && end != INT64_MIN)
		e->duration_us = end >= start ? end - start : -1;
	else if (t->rel_start >= 0 && t->rel_end >= 0)
		e->duration_us =
		    t->rel_end >= t->rel_start ? (t->rel_end - t->rel_start) * 1000 : -1;
	else
		e->duration_us = t->dur_us;
	return true;
}

/* Runs tshark over the capture at path; the flows it shows that should
 * become events, in order, into *out.  False when tshark fails. */
static bool tshark_flows(const char *path, struct tflow **out, size_t *n, bool *malformed,
                         size_t frames)
{
	char cmd[1200], line[8192], name[128], show[512], showname[512];
	/* options template ids, per exporter (a small set each) */
	static unsigned opt[NGROUPS + 2][64];
	static size_t nopt[NGROUPS + 2];
	static int64_t sysinit[NGROUPS + 2];
	struct tflow hdr, cur;
	size_t cap = 0, flow_indent = 0;
	bool in_flow = false, options_set = false;
	FILE *p;
	int rc;

	memset(nopt, 0, sizeof(nopt));
	for (size_t i = 0; i < NGROUPS + 2; i++)
		sysinit[i] = -1;
	tflow_init(&hdr);
	tflow_init(&cur);
	hdr.exporter = 0;
	*out = NULL;
	*n = 0;
	snprintf(cmd, sizeof(cmd),
	         "tshark -n -o cflow.max_template_fields:0 -d udp.port==2055,cflow "
	         "-d udp.port==4739,cflow -r '%s' -T pdml 2>/dev/null",
	         path);
	if ((p = popen(cmd, "r")) == NULL)
		return false;
#define END_FLOW()                                                                                 \
	do {                                                                                       \
		if (in_flow && !options_set) {                                                     \
			if (*n == cap) {                                                           \
				cap = cap ? cap * 2 : 256;                                         \
				*out = realloc(*out, cap * sizeof(**out));                         \
			}                                                                          \
			cur.sysinit_ms = sysinit[cur.exporter];                                    \
			(*out)[(*n)++] = cur;                                                      \
		}                                                                                  \
		in_flow = false;                                                                   \
	} while (0)
	while (fgets(line, sizeof(line), p)) {
		size_t indent = strspn(line, " ");
		bool has_name = attr(line, "name", name, sizeof(name));
		bool has_show = attr(line, "show", show, sizeof(show));
		unsigned setid;
		char kind[64];

		if (in_flow && indent <= flow_indent)
			END_FLOW();
		if (strstr(line, "<packet>")) {
			tflow_init(&hdr);
			continue;
		}
		if (!has_name)
			continue;
		if (strcmp(name, "frame.number") == 0 && has_show) {
			hdr.frame = (unsigned)atoi(show);
			continue;
		}
		if (strcmp(name, "_ws.malformed") == 0) {
			if (hdr.frame < frames + 1)
				malformed[hdr.frame] = true;
			continue;
		}
		if (strcmp(name, "ip.src") == 0 && has_show) {
			unsigned a, b, c, d;

			if (sscanf(show, "%u.%u.%u.%u", &a, &b, &c, &d) == 4 && c <= NGROUPS)
				hdr.exporter = c;
			continue;
		}
		if (strcmp(name, "cflow.version") == 0)
			hdr.version = (unsigned)atoi(show);
		else if (strcmp(name, "cflow.sysuptime") == 0)
			hdr.uptime_ms = rel_ms(show);
		else if (strcmp(name, "cflow.unix_secs") == 0 ||
		         strcmp(name, "cflow.exporttime") == 0)
			hdr.export_us = strtoll(show, NULL, 10) * 1000000;
		else if (strcmp(name, "cflow.unix_nsecs") == 0)
			hdr.export_us += strtoll(show, NULL, 10) / 1000;
		else if (strcmp(name, "cflow.sys_init_time") == 0)
			sysinit[hdr.exporter] = abs_time(show) / 1000;
		if (name[0] != '\0' || !has_show) {
			if (in_flow && strncmp(name, "cflow.", 6) == 0) {
				bool rev = attr(line, "showname", showname, sizeof(showname)) &&
				           strstr(showname, "(Reverse Type") != NULL;

				tflow_field(&cur, name, show, rev, line);
			}
			continue;
		}
		/* text nodes: sets, templates and flows */
		if ((sscanf(show, "FlowSet %*u [id=%u] %63[^\n]", &setid, kind) == 2 ||
		     sscanf(show, "Set %*u [id=%u] %63[^\n]", &setid, kind) == 2)) {
			END_FLOW();
			if (strstr(kind, "(Options Template)") || strstr(kind, "(Data Template)")) {
				/* "...: 256,257": note or forget options template ids */
				const char *ids = strstr(show, "): ");
				bool is_opt = strstr(kind, "(Options Template)") != NULL;

				for (ids = ids ? ids + 3 : NULL; ids && *ids;) {
					unsigned id = (unsigned)strtoul(ids, (char **)&ids, 10);
					size_t k, m = nopt[hdr.exporter];

					for (k = 0; k < m && opt[hdr.exporter][k] != id; k++)
						;
					if (is_opt && k == m && m < 64)
						opt[hdr.exporter][nopt[hdr.exporter]++] = id;
					if (!is_opt && k < m)
						opt[hdr.exporter][k] = 0;
					if (*ids != ',')
						break;
					ids++;
				}
			}
			options_set = false;
			for (size_t k = 0; k < nopt[hdr.exporter]; k++)
				options_set |= opt[hdr.exporter][k] == setid;
			continue;
		}
		if (strncmp(show, "Flow ", 5) == 0 || strncmp(show, "pdu ", 4) == 0) {
			END_FLOW();
			cur = hdr;
			tflow_init(&cur);
			cur.exporter = hdr.exporter;
			cur.version = hdr.version;
			cur.export_us = hdr.export_us;
			cur.uptime_ms = hdr.uptime_ms;
			cur.frame = hdr.frame;
			in_flow = true;
			flow_indent = indent;
		}
	}
	END_FLOW();
#undef END_FLOW
	rc = pclose(p);
	return rc == 0;
}

static void test_tshark(void)
{
	char path[] = "/tmp/detente-netflow-XXXXXX";
	struct tflow *tf = NULL;
	size_t ntf = 0, k = 0, compared = 0, uncompared = 0, badframes = 0;
	size_t first[NGROUPS + 1];
	bool *malformed;
	struct cap all;
	int fd;

	if (!have_corpus())
		SKIP("%s/netflow is absent", th_corpus());
	if (system("tshark -v >/dev/null 2>&1") != 0)
		SKIP("tshark is not installed: the corpus flows are not compared to it");
	cap_begin(&all, L_ETH);
	for (size_t g = 0; g < NGROUPS; g++) {
		first[g] = all.frames + 1;
		group_cap(g, &all);
	}
	first[NGROUPS] = all.frames + 1;
	malformed = calloc(all.frames + 2, sizeof(*malformed));
	if (malformed == NULL || (fd = mkstemp(path)) < 0) {
		CHECK(!"cannot write the capture for tshark");
		free(malformed);
		return;
	}
	CHECK(write(fd, all.b.p, all.b.n) == (ssize_t)all.b.n);
	close(fd);
	CHECK(tshark_flows(path, &tf, &ntf, malformed, all.frames));
	unlink(path);
	for (size_t g = 0; g < NGROUPS; g++) {
		struct cap c;
		struct evs e = {0};
		struct ingest_counts cnt;
		size_t i = 0;

		cap_begin(&c, L_ETH);
		group_cap(g, &c);
		CHECK(run(c.b.p, c.b.n, &e, &cnt, NULL) == DT_OK);
		/* packet by packet: frame first[g] + p - 1 is export packet p */
		for (uint64_t pk = 1; pk <= first[g + 1] - first[g]; pk++) {
			size_t frame = first[g] + pk - 1, mine = 0, theirs = 0;

			while (k < ntf && tf[k].frame == frame) {
				struct event want;

				if (!expect(&tf[k++], &want))
					continue;
				theirs++;
				if (i + mine >= e.n || e.v[i + mine].record != pk)
					continue;
				want.record = pk;
				CHECKF(
				    same_event(&want, &e.v[i + mine], 0),
				    "%s: packet %llu flow %zu: tshark %s:%d -> %s:%d p%d ts %lld "
				    "dur %lld %lld/%lld bytes %lld/%lld pkts; we %s:%d -> %s:%d "
				    "p%d "
				    "ts %lld dur %lld %lld/%lld bytes %lld/%lld pkts",
				    groups[g][0], (unsigned long long)pk, mine, ip(&want.src),
				    want.sport, ip(&want.dst), want.dport, want.proto,
				    (long long)want.ts_us, (long long)want.duration_us,
				    (long long)want.orig_bytes, (long long)want.resp_bytes,
				    (long long)want.orig_pkts, (long long)want.resp_pkts,
				    ip(&e.v[i + mine].src), e.v[i + mine].sport,
				    ip(&e.v[i + mine].dst), e.v[i + mine].dport,
				    e.v[i + mine].proto, (long long)e.v[i + mine].ts_us,
				    (long long)e.v[i + mine].duration_us,
				    (long long)e.v[i + mine].orig_bytes,
				    (long long)e.v[i + mine].resp_bytes,
				    (long long)e.v[i + mine].orig_pkts,
				    (long long)e.v[i + mine].resp_pkts);
				mine++;
				compared++;
			}
			CHECKF(mine == theirs,
			       "%s: packet %llu: tshark shows %zu flows, we have %zu", groups[g][0],
			       (unsigned long long)pk, theirs, mine);
			/* ours beyond what tshark shows: only where its dissector
			 * gave up on the packet (an exception: "Malformed Packet") */
			while (i + mine < e.n && e.v[i + mine].record == pk) {
				CHECKF(malformed[frame],
				       "%s: packet %llu: we have more flows than tshark shows",
				       groups[g][0], (unsigned long long)pk);
				mine++;
				uncompared++;
			}
			if (malformed[frame]) {
				badframes++;
				printf("     tshark gave up on %s packet %llu (Malformed Packet)\n",
				       groups[g][0], (unsigned long long)pk);
			}
			i += mine;
		}
		CHECKF(i == e.n, "%s: %zu events, %zu matched by packet", groups[g][0], e.n, i);
		evs_free(&e);
		free(c.b.p);
	}
	CHECKF(k == ntf, "tshark flows left over: %zu of %zu", ntf - k, ntf);
	CHECKF(compared > 300, "only %zu flows compared with tshark", compared);
	printf("     %zu flows of %zu groups agree with tshark; %zu more flows in %zu packets "
	       "tshark gave up on (Malformed Packet) are not compared\n",
	       compared, NGROUPS, uncompared, badframes);
	free(tf);
	free(malformed);
	free(all.b.p);
}

/* ---- invalid corpus packets ------------------------------------------- */

static void test_invalid_corpus(void)
{
	static const struct {
		const char *file, *why;
		enum dt_err raw;
	} cases[] = {
	    {"netflow5_test_invalid01.dat", "count 55582 exceeds", DT_EFORMAT},
	    {"netflow5_test_invalid02.dat", "count 163 exceeds", DT_EFORMAT},
	    {"netflow9_test_invalid01.dat", "count 2 is less than the 6 flowsets", DT_OK},
	};

	if (!have_corpus())
		SKIP("%s/netflow is absent", th_corpus());
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct buf b = {0};
		struct evs e = {0};
		struct ingest_counts c;
		struct dt_diag d;
		struct cap cap;
		enum dt_err err;

		CHECK(slurp(cases[i].file, &b));
		err = run(b.p, b.n, &e, &c, &d);
		CHECKF(err == cases[i].raw, "%s: %d", cases[i].file, err);
		CHECKF(e.n == 0 && c.rejected == 1 && c.records == 1,
		       "%s: %zu events %llu rejected", cases[i].file, e.n,
		       (unsigned long long)c.rejected);
		CHECKF(e.nwarn == 1 && warned(&e, cases[i].why) && strstr(e.warns[0], "nf:1: "),
		       "%s: warning '%s'", cases[i].file, e.warns[0]);
		if (err == DT_EFORMAT)
			CHECKF(strstr(d.msg, cases[i].why) != NULL, "%s: %s", cases[i].file, d.msg);
		/* the same as a capture: one bad datagram, no verdict on the whole */
		cap_begin(&cap, L_ETH);
		cap_udp(&cap, 1, 2055, b.p, b.n);
		err = run(cap.b.p, cap.b.n, &e, &c, &d);
		CHECKF(err == DT_OK && e.n == 0 && c.rejected == 1 && warned(&e, cases[i].why) &&
		           warned(&e, "frame 1: "),
		       "%s captured: err %d, %zu events, '%s'", cases[i].file, err, e.n,
		       e.warns[0]);
		/* between good packets: rejected, the rest kept */
		b.n = 0;
		CHECK(slurp("netflow5.dat", &b) && slurp(cases[i].file, &b) &&
		      slurp("ipfix.dat", &b));
		err = run(b.p, b.n, &e, &c, NULL);
		CHECKF(err == DT_OK && e.n == 42 && c.rejected == 1 && c.events == 42,
		       "%s between: err %d, %zu events, %llu rejected", cases[i].file, err, e.n,
		       (unsigned long long)c.rejected);
		CHECK(e.n == 42 && e.v[29].record == 12 && e.v[30].record == 14);
		evs_free(&e);
		free(b.p);
		free(cap.b.p);
	}
}

/* ---- garbage, truncation, not NetFlow ---------------------------------- */

static void test_resync(void)
{
	struct buf b = {0};
	struct evs e = {0};
	struct ingest_counts c;
	uint8_t junk[100];

	if (!have_corpus())
		SKIP("%s/netflow is absent", th_corpus());
	memset(junk, 'A', sizeof(junk));
	put(&b, junk, 100);
	CHECK(slurp("netflow5.dat", &b));
	CHECK(run(b.p, b.n, &e, &c, NULL) == DT_OK);
	CHECKF(e.n == 30 && c.rejected == 1 && warned(&e, "skipped 100 bytes"), "%zu '%s'", e.n,
	       e.warns[0]);
	CHECK(warned(&e, "version 16705"));
	b.n = 0;
	CHECK(slurp("netflow5.dat", &b));
	put(&b, junk, 50);
	CHECK(slurp("ipfix.dat", &b));
	put(&b, junk, 7);
	CHECK(run(b.p, b.n, &e, &c, NULL) == DT_OK);
	CHECKF(e.n == 42 && c.rejected == 2 && warned(&e, "skipped 50 bytes") &&
	           warned(&e, "no export packet header in the remaining 7 bytes"),
	       "%zu events, %llu rejected, '%s' '%s'", e.n, (unsigned long long)c.rejected,
	       e.warns[0], e.warns[1]);
	/* garbage longer than the parser's window (64 KiB and more) */
	b.n = 0;
	for (int k = 0; k < 3000; k++)
		put(&b, junk, 100);
	CHECK(slurp("netflow5.dat", &b));
	CHECK(run(b.p, b.n, &e, &c, NULL) == DT_OK);
	CHECKF(e.n == 30 && c.rejected == 1 && warned(&e, "skipped 300000 bytes"), "%zu '%s'", e.n,
	       e.warns[0]);
	/* zero padding between packets is no problem */
	b.n = 0;
	CHECK(slurp("netflow5.dat", &b));
	put(&b, "\0\0\0\0\0", 5);
	CHECK(slurp("ipfix.dat", &b));
	put(&b, "\0\0\0", 3);
	CHECK(run(b.p, b.n, &e, &c, NULL) == DT_OK && e.n == 42 && c.rejected == 0);
	evs_free(&e);
	free(b.p);
}

/* Every cut in the first CUT_DENSE bytes, then every CUT_STRIDE-th: under
 * AddressSanitizer each run maps and unmaps the reader's and libpcap's
 * buffers, which costs seconds over thousands of runs. */
#if defined(__SANITIZE_ADDRESS__)
#define CUT_SLOW 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CUT_SLOW 1
#endif
#endif
#ifdef CUT_SLOW
#define CUT_DENSE  160
#define CUT_STRIDE 29
#else
#define CUT_DENSE  800
#define CUT_STRIDE 1
#endif

static void test_truncated(void)
{
	struct buf b = {0};
	struct evs full = {0}, e = {0};
	struct ingest_counts c;
	struct cap cap;

	if (!have_corpus())
		SKIP("%s/netflow is absent", th_corpus());
	CHECK(slurp("netflow5.dat", &b) && slurp("ipfix.dat", &b) &&
	      slurp("netflow9_test_cisco_asa_1_tpl.dat", &b) &&
	      slurp("netflow9_test_cisco_asa_1_data.dat", &b) &&
	      slurp("ipfix_test_netscaler_tpl.dat", &b) &&
	      slurp("ipfix_test_netscaler_data.dat", &b));
	CHECK(run(b.p, b.n, &full, &c, NULL) == DT_OK && c.rejected == 0);
	for (size_t cut = 0; cut < b.n; cut += cut < CUT_DENSE ? 1 : CUT_STRIDE) {
		enum dt_err err = run(b.p, cut, &e, &c, NULL);
		bool prefix = e.n <= full.n;

		for (size_t i = 0; prefix && i < e.n; i++)
			prefix = same_event(&e.v[i], &full.v[i], 0);
		CHECKF((err == DT_OK || (err == DT_EFORMAT && e.n == 0)) && prefix,
		       "cut at %zu: err %d, %zu events", cut, err, e.n);
		CHECKF(c.records == c.events + c.ignored + c.rejected, "cut at %zu", cut);
		for (size_t i = 0; i < e.nwarn && i < 8; i++)
			CHECKF(strstr(e.warns[i], "truncated") || strstr(e.warns[i], "before its "
			                                                             "template"),
			       "cut at %zu: %s", cut, e.warns[i]);
	}
	/* a capture cut anywhere */
	cap_begin(&cap, L_ETH);
	cap_file(&cap, 1, b.p, b.n);
	for (size_t cut = 0; cut < cap.b.n; cut += cut < CUT_DENSE / 4 ? 1 : CUT_STRIDE) {
		enum dt_err err = run(cap.b.p, cut, &e, &c, NULL);
		bool prefix = e.n <= full.n;

		for (size_t i = 0; prefix && i < e.n; i++)
			prefix = same_event(&e.v[i], &full.v[i], 0);
		CHECKF((err == DT_OK || err == DT_EFORMAT) && prefix, "capture cut at %zu: err %d",
		       cut, err);
		bool boundary = cut == 24;

		for (size_t k = 0; k < cap.frames && k < 256; k++)
			boundary |= cap.ends[k] == cut;
		if (cut > 24)
			CHECKF(boundary ? c.rejected == 0
			                : c.rejected == 1 && warned(&e, "damaged"),
			       "capture cut at %zu: %llu rejected", cut,
			       (unsigned long long)c.rejected);
	}
	evs_free(&full);
	evs_free(&e);
	free(b.p);
	free(cap.b.p);
}

static void test_not_netflow(void)
{
	static const char text[] = "#separator \\x09\n#fields\tts\tuid\n1.0\tCabc\n";
	struct evs e = {0};
	struct ingest_counts c;
	struct dt_diag d;
	struct cap cap;

	CHECK(run(text, strlen(text), &e, &c, &d) == DT_EFORMAT);
	CHECKF(strstr(d.msg, "no NetFlow v5/v9 or IPFIX export packet") &&
	           strstr(d.msg, "version 9075"),
	       "%s", d.msg);
	CHECK(run("", 0, &e, &c, &d) == DT_OK && c.records == 0);
	CHECK(run("\0\0\0\0\0\0", 6, &e, &c, &d) == DT_OK && c.records == 0);
	/* a capture of other UDP traffic (a DNS query) */
	cap_begin(&cap, L_ETH);
	cap_udp(&cap, 1, 53, (const uint8_t *)"\x12\x34\x01\x00\x00\x01\x00\x00", 8);
	CHECK(run(cap.b.p, cap.b.n, &e, &c, &d) == DT_EFORMAT);
	CHECKF(strstr(d.msg, "no NetFlow/IPFIX export packet in the 1 frames") != NULL, "%s",
	       d.msg);
	CHECK(c.ignored == 1 && c.records == 1);
	/* a capture of an unsupported link type */
	cap.b.p[20] = 147; /* LINKTYPE_USER0 */
	CHECK(run(cap.b.p, cap.b.n, &e, &c, &d) == DT_EFORMAT && strstr(d.msg, "link type"));
	free(cap.b.p);
	evs_free(&e);
}

/* ---- hand-made packets -------------------------------------------------- */

#define T0 1600000000u /* export time of the hand-made packets */

static size_t set_begin(struct buf *b, unsigned id)
{
	size_t at = b->n;

	put16(b, id);
	put16(b, 0);
	return at;
}

static void set_end(struct buf *b, size_t at)
{
	set16(b, at + 2, (unsigned)(b->n - at));
}

static void ie(struct buf *b, unsigned id, unsigned len)
{
	put16(b, id);
	put16(b, len);
}

static void iee(struct buf *b, unsigned id, unsigned len, uint32_t pen)
{
	put16(b, id | 0x8000);
	put16(b, len);
	put32(b, pen);
}

static size_t ipfix_begin(struct buf *b, uint32_t domain)
{
	size_t at = b->n;

	put16(b, 10);
	put16(b, 0);
	put32(b, T0);
	put32(b, 1);
	put32(b, domain);
	return at;
}

static void ipfix_end(struct buf *b, size_t at)
{
	set16(b, at + 2, (unsigned)(b->n - at));
}

static void test_ipfix_handmade(void)
{
	static const uint64_t sysinit = 1599999000000ull;
	struct buf b = {0};
	struct evs e = {0};
	struct ingest_counts c;
	size_t m, s;
	uint8_t big[300];

	memset(big, 'x', sizeof(big));
	m = ipfix_begin(&b, 7);
	s = set_begin(&b, 2);
	put16(&b, 300);
	put16(&b, 13);
	ie(&b, 8, 4);
	ie(&b, 12, 4);
	ie(&b, 7, 2);
	ie(&b, 11, 2);
	ie(&b, 4, 1);
	ie(&b, 1, 8);
	ie(&b, 2, 4); /* reduced-size encoding */
	iee(&b, 1, 8, 29305);
	iee(&b, 2, 4, 29305);
	iee(&b, 100, 65535, 9999); /* enterprise, variable length */
	ie(&b, 96, 65535);         /* applicationName, variable length */
	ie(&b, 152, 8);
	ie(&b, 153, 8);
	put16(&b, 301);
	put16(&b, 7);
	ie(&b, 27, 16);
	ie(&b, 28, 16);
	ie(&b, 7, 2);
	ie(&b, 11, 2);
	ie(&b, 4, 1);
	ie(&b, 22, 4);
	ie(&b, 21, 4);
	set_end(&b, s);
	s = set_begin(&b, 3);
	put16(&b, 302);
	put16(&b, 2);
	put16(&b, 1);
	ie(&b, 149, 4);
	ie(&b, 160, 8);
	set_end(&b, s);
	s = set_begin(&b, 302);
	put32(&b, 7);
	put32(&b, (uint32_t)(sysinit >> 32));
	put32(&b, (uint32_t)sysinit);
	set_end(&b, s);
	s = set_begin(&b, 300);
	/* record 1: 1-byte and 3-byte length prefixes */
	put32(&b, 0x0a000001);
	put32(&b, 0xc6336401);
	put16(&b, 51000);
	put16(&b, 443);
	put8(&b, 6);
	put32(&b, 0);
	put32(&b, 1234);
	put32(&b, 10);
	put32(&b, 0);
	put32(&b, 5678);
	put32(&b, 12);
	put8(&b, 5);
	put(&b, "hello", 5);
	put8(&b, 255);
	put16(&b, 300);
	put(&b, big, 300);
	put32(&b, (uint32_t)(((uint64_t)T0 * 1000 - 2500) >> 32));
	put32(&b, (uint32_t)((uint64_t)T0 * 1000 - 2500));
	put32(&b, (uint32_t)(((uint64_t)T0 * 1000 - 500) >> 32));
	put32(&b, (uint32_t)((uint64_t)T0 * 1000 - 500));
	/* record 2: empty variable-length fields, start only */
	put32(&b, 0x0a000002);
	put32(&b, 0xc6336402);
	put16(&b, 1);
	put16(&b, 2);
	put8(&b, 17);
	put32(&b, 0);
	put32(&b, 1);
	put32(&b, 1);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 0);
	put8(&b, 0);
	put8(&b, 0);
	put32(&b, (uint32_t)(((uint64_t)T0 * 1000) >> 32));
	put32(&b, (uint32_t)((uint64_t)T0 * 1000));
	put32(&b, 0);
	put32(&b, 0);
	put(&b, "\0\0\0", 3); /* padding */
	set_end(&b, s);
	s = set_begin(&b, 301);
	put32(&b, 0x20010db8);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 1);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 0xffff);
	put32(&b, 0xc0000207); /* ::ffff:192.0.2.7 */
	put16(&b, 5353);
	put16(&b, 5353);
	put8(&b, 17);
	put32(&b, 5000);
	put32(&b, 7000);
	set_end(&b, s);
	ipfix_end(&b, m);
	/* message 2: template 300 withdrawn, its data and an unknown one */
	m = ipfix_begin(&b, 7);
	s = set_begin(&b, 2);
	put16(&b, 300);
	put16(&b, 0);
	set_end(&b, s);
	for (int k = 0; k < 2; k++) {
		s = set_begin(&b, 300);
		put32(&b, 1);
		set_end(&b, s);
	}
	s = set_begin(&b, 999);
	put32(&b, 1);
	set_end(&b, s);
	ipfix_end(&b, m);
	/* message 3: another domain's template 301 is not domain 7's */
	m = ipfix_begin(&b, 8);
	s = set_begin(&b, 301);
	put32(&b, 1);
	set_end(&b, s);
	ipfix_end(&b, m);

	CHECK(run(b.p, b.n, &e, &c, NULL) == DT_OK);
	CHECKF(e.n == 3 && c.events == 3 && c.rejected == 0, "%zu events, %llu rejected: %s", e.n,
	       (unsigned long long)c.rejected, e.warns[0]);
	/* 1 options record, 3 + 1 data sets without a template */
	CHECKF(c.ignored == 5 && c.records == 8, "%llu ignored, %llu records",
	       (unsigned long long)c.ignored, (unsigned long long)c.records);
	CHECKF(e.nwarn == 3 && warned(&e, "template 300 (domain 7)") &&
	           warned(&e, "template 999 (domain 7)") && warned(&e, "template 301 (domain 8)"),
	       "%zu warnings: %s", e.nwarn, e.warns[0]);
	if (e.n != 3)
		goto out;
	CHECK(strcmp(ip(&e.v[0].src), "10.0.0.1") == 0 && e.v[0].sport == 51000);
	CHECK(strcmp(ip(&e.v[0].dst), "198.51.100.1") == 0 && e.v[0].dport == 443);
	CHECK(e.v[0].proto == 6 && e.v[0].record == 1);
	CHECK(e.v[0].orig_bytes == 1234 && e.v[0].orig_pkts == 10);
	CHECK(e.v[0].resp_bytes == 5678 && e.v[0].resp_pkts == 12);
	CHECK(e.v[0].ts_us == (int64_t)T0 * 1000000 - 2500000 && e.v[0].duration_us == 2000000);
	CHECK(e.v[1].sport == 1 && e.v[1].proto == 17 && e.v[1].orig_bytes == 1);
	CHECK(e.v[1].ts_us == (int64_t)T0 * 1000000 && e.v[1].duration_us == -1);
	CHECK(e.v[1].resp_bytes == 0);
	CHECK(strcmp(ip(&e.v[2].src), "2001:db8::1") == 0);
	/* IPv4-mapped: an IPv4 address, printed as it came (core/ip.h) */
	CHECKF(e.v[2].dst.family == DT_IP_V4 && e.v[2].dst.addr == 0xc0000207 &&
	           e.v[2].dst.mapped && strcmp(ip(&e.v[2].dst), "::ffff:192.0.2.7") == 0,
	       "%s", ip(&e.v[2].dst));
	CHECK(e.v[2].ts_us == (int64_t)(sysinit + 5000) * 1000 && e.v[2].duration_us == 2000000);
	CHECK(e.v[2].orig_bytes == -1 && e.v[2].resp_bytes == -1);
out:
	evs_free(&e);
	free(b.p);
}

static size_t v9_begin(struct buf *b, unsigned count, uint32_t uptime, uint32_t source)
{
	size_t at = b->n;

	put16(b, 9);
	put16(b, count);
	put32(b, uptime);
	put32(b, T0);
	put32(b, 1);
	put32(b, source);
	return at;
}

static void test_v9_handmade(void)
{
	struct buf b = {0};
	struct evs e = {0};
	struct ingest_counts c;
	size_t s;

	v9_begin(&b, 4, 1000, 3);
	s = set_begin(&b, 0);
	put16(&b, 400);
	put16(&b, 9);
	ie(&b, 8, 4);
	ie(&b, 12, 4);
	ie(&b, 99, 0); /* zero length */
	ie(&b, 22, 4);
	ie(&b, 21, 4);
	ie(&b, 231, 4); /* initiatorOctets, responderOctets (Cisco ASA) */
	ie(&b, 232, 4);
	ie(&b, 156, 8);    /* flowStartNanoseconds (NTP) outranks 22 */
	ie(&b, 0x8123, 2); /* a vendor field: no enterprise bit in v9 */
	put16(&b, 401);
	put16(&b, 4);
	ie(&b, 8, 4);
	ie(&b, 12, 4);
	ie(&b, 22, 4);
	ie(&b, 21, 4);
	set_end(&b, s);
	s = set_begin(&b, 401);
	/* the flow began 256 ms before sysUptime wrapped to 0, 1.256 s ago */
	put32(&b, 0x0a000001);
	put32(&b, 0x0a000002);
	put32(&b, 0xffffff00);
	put32(&b, 500);
	set_end(&b, s);
	s = set_begin(&b, 400);
	put32(&b, 0x0a000003);
	put32(&b, 0x0a000004);
	put32(&b, 100);
	put32(&b, 900);
	put32(&b, 4000);
	put32(&b, 9000);
	put32(&b, T0 + 2208988800u - 10);
	put32(&b, 0x80000000); /* half a second */
	put16(&b, 7);
	put16(&b, 0); /* padding */
	set_end(&b, s);

	CHECK(run(b.p, b.n, &e, &c, NULL) == DT_OK);
	CHECKF(e.n == 2 && c.events == 2 && c.rejected == 0 && c.ignored == 0, "%zu: %s", e.n,
	       e.warns[0]);
	if (e.n == 2) {
		CHECK(e.v[0].ts_us == (int64_t)T0 * 1000000 - 1256000);
		CHECK(e.v[0].duration_us == 756000);
		CHECK(e.v[0].sport == -1 && e.v[0].proto == -1 && e.v[0].orig_bytes == -1);
		CHECK(e.v[1].ts_us == (int64_t)T0 * 1000000 - 9500000);
		CHECK(e.v[1].duration_us == 9400000); /* 156 to 21 (export - 0.1 s) */
		CHECK(e.v[1].orig_bytes == 4000 && e.v[1].resp_bytes == 9000);
	}
	/* more flowsets than the count: rejected whole */
	b.p[3] = 1;
	CHECK(run(b.p, b.n, &e, &c, NULL) == DT_OK && e.n == 0 && c.rejected == 1);
	CHECK(warned(&e, "count 1 is less than the 3 flowsets"));
	/* a flowset shorter than its header */
	b.p[3] = 4;
	set16(&b, 22, 2);
	CHECK(run(b.p, b.n, &e, &c, NULL) == DT_EFORMAT && e.n == 0 && c.rejected == 1);
	CHECK(warned(&e, "has length 2"));
	evs_free(&e);
	free(b.p);
}

/* Numbers wider than their element allows are left out, not wrapped: an
 * 8-byte port or protocol, counts and times past int64 (a fuzzer find). */
static void test_wide_values(void)
{
	struct buf b = {0};
	struct evs e = {0};
	struct ingest_counts c;
	size_t m = ipfix_begin(&b, 1), s;

	s = set_begin(&b, 2);
	put16(&b, 256);
	put16(&b, 9);
	ie(&b, 8, 4);
	ie(&b, 7, 8);
	ie(&b, 11, 8);
	ie(&b, 4, 8);
	ie(&b, 1, 8);
	ie(&b, 2, 8);
	ie(&b, 152, 8);
	ie(&b, 153, 8);
	ie(&b, 161, 8);
	set_end(&b, s);
	s = set_begin(&b, 256);
	put32(&b, 0x0a000001);
	put32(&b, 0xffffffff);
	put32(&b, 0xffff0050);
	put32(&b, 0x80000000);
	put32(&b, 0x50);
	put32(&b, 0);
	put32(&b, 6);
	for (int k = 0; k < 8; k++)
		put32(&b, 0xffffffff);
	put32(&b, 0x7fffffff);
	put32(&b, 0xffffffff);
	put32(&b, 0xffffffff);
	put32(&b, 0xffffffff);
	set_end(&b, s);
	ipfix_end(&b, m);
	CHECK(run(b.p, b.n, &e, &c, NULL) == DT_OK && e.n == 1);
	if (e.n == 1) {
		CHECKF(e.v[0].sport == -1 && e.v[0].dport == -1 && e.v[0].proto == 6, "%d %d %d",
		       e.v[0].sport, e.v[0].dport, e.v[0].proto);
		CHECK(e.v[0].orig_bytes == -1 && e.v[0].orig_pkts == -1);
		CHECK(e.v[0].ts_us == (int64_t)T0 * 1000000 && e.v[0].duration_us == -1);
	}
	evs_free(&e);
	free(b.p);
}

/* More templates than the cache holds: reported once, the rest decoded. */
static void test_cache_full(void)
{
	struct buf b = {0};
	struct evs e = {0};
	struct ingest_counts c;
	size_t m, s;

	/* 2 domains x 40000 templates of one field, in messages of 8000 */
	for (uint32_t dom = 0; dom < 2; dom++)
		for (unsigned base = 256; base < 40256; base += 8000) {
			m = ipfix_begin(&b, dom);
			s = set_begin(&b, 2);
			for (unsigned id = base; id < base + 8000; id++) {
				put16(&b, id);
				put16(&b, 1);
				ie(&b, 8, 4);
			}
			set_end(&b, s);
			ipfix_end(&b, m);
		}
	/* data of an early template (known) and of a late one (refused) */
	m = ipfix_begin(&b, 0);
	s = set_begin(&b, 300);
	put32(&b, 0x0a000001);
	set_end(&b, s);
	s = set_begin(&b, 40000);
	put32(&b, 0x0a000002);
	set_end(&b, s);
	ipfix_end(&b, m);
	m = ipfix_begin(&b, 1);
	s = set_begin(&b, 40000);
	put32(&b, 0x0a000003);
	set_end(&b, s);
	s = set_begin(&b, 40001);
	put32(&b, 0x0a000004);
	set_end(&b, s);
	ipfix_end(&b, m);
	CHECK(run(b.p, b.n, &e, &c, NULL) == DT_OK);
	CHECKF(e.n == 2 && c.rejected == 1 && warned(&e, "template cache full"),
	       "%zu events, %llu rejected, %zu warnings: %s", e.n, (unsigned long long)c.rejected,
	       e.nwarn, e.warns[0]);
	CHECK(e.n == 2 && strcmp(ip(&e.v[0].src), "10.0.0.1") == 0 &&
	      strcmp(ip(&e.v[1].src), "10.0.0.2") == 0);
	/* the data of templates that found no room: ignored, the cache-full
	 * warning said so once */
	CHECKF(e.nwarn == 1 && c.ignored == 2, "%zu warnings, %llu ignored", e.nwarn,
	       (unsigned long long)c.ignored);
	evs_free(&e);
	free(b.p);
}

/* IP fragments are not reassembled: the first is reported, later ones are
 * not export packets. */
static void test_fragment(void)
{
	static const uint8_t v5[24] = {0, 5, 0, 0};
	struct evs e = {0};
	struct ingest_counts c;
	struct cap cap;

	cap_begin(&cap, L_ETH);
	cap_udp(&cap, 1, 2055, v5, sizeof(v5));
	cap_udp(&cap, 1, 2055, v5, sizeof(v5));
	cap.b.p[cap.ends[0] + 16 + 14 + 6] = 0x20; /* more fragments */
	cap.b.p[cap.ends[0] + 16 + 14 + 7] = 0x10; /* offset: a later fragment */
	cap.b.p[24 + 16 + 14 + 6] = 0x20;          /* the first frame: a first fragment */
	CHECK(run(cap.b.p, cap.b.n, &e, &c, NULL) == DT_OK);
	CHECKF(c.rejected == 1 && c.ignored == 1 && warned(&e, "fragmented"), "%llu %llu %s",
	       (unsigned long long)c.rejected, (unsigned long long)c.ignored, e.warns[0]);
	evs_free(&e);
	free(cap.b.p);
}

/* A failing sink stops the parser with its error. */
static void test_sink_fails(void)
{
	struct buf b = {0};
	struct evs e = {0};
	struct ingest_counts c;
	struct dt_diag d;
	struct cap cap;

	if (!have_corpus())
		SKIP("%s/netflow is absent", th_corpus());
	CHECK(slurp("netflow5.dat", &b));
	e.fail_at = 5;
	CHECK(run(b.p, b.n, &e, &c, &d) == DT_EIO);
	CHECK(e.n == 4 && c.events == 4 && d.msg[0] != '\0' && d.line == 2);
	cap_begin(&cap, L_ETH);
	cap_file(&cap, 1, b.p, b.n);
	CHECK(run(cap.b.p, cap.b.n, &e, &c, &d) == DT_EIO && e.n == 4 && c.events == 4);
	evs_free(&e);
	free(b.p);
	free(cap.b.p);
}

int main(void)
{
	RUN(test_raw_equals_capture);
	RUN(test_link_layers);
	RUN(test_gzip);
	RUN(test_tshark);
	RUN(test_invalid_corpus);
	RUN(test_resync);
	RUN(test_truncated);
	RUN(test_not_netflow);
	RUN(test_ipfix_handmade);
	RUN(test_v9_handmade);
	RUN(test_wide_values);
	RUN(test_cache_full);
	RUN(test_fragment);
	RUN(test_sink_fails);
	DONE();
}
