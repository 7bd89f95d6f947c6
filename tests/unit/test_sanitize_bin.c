/*
 * test_sanitize_bin.c — the sanitizers of the binary formats (pcap/pcapng
 * and NetFlow v5/v9/IPFIX, privacy/sanitize.h) against the acid test of
 * the privacy design:
 *
 *   ingest(original) -> E; sanitize -> ingest -> E': the same number of
 *   events with the same record numbers, the same ingest counts (records,
 *   rejected, ignored), and E'[i] equal to E[i] with src/dst through
 *   privacy_addr (uids aside: they hash the 5-tuple); a byte scan of the
 *   derivative finds no home address of E (4 or 16 raw bytes in network
 *   order, or as text) and every remote one (raw);
 *
 * over ../shared/corpus/pcap/ *.pcap and ../shared/corpus/netflow/ *.dat
 * (see SOURCES.md; skipped with a message when absent), with the default
 * home networks and with 0.0.0.0/0 + ::/0 (everything pseudonymized), and
 * over synthetic captures built here: IPv4 and IPv6; TCP, UDP, ICMP
 * (echo, an error quoting the victim, a redirect), ICMPv6; 802.1Q; IPv4
 * and IPv6 fragments; an IPv4 record-route option; an IPv6 routing header;
 * ARP; a segmentation-offload length of 0; a capture cut by its snap
 * length and one cut inside a TCP header; a wrong TCP checksum; the same
 * as pcapng and under Linux cooked capture.  For those the checksums are
 * checked with an RFC 1071 sum written here over the sanitized headers and
 * the original payload: each verifies in the derivative exactly when it
 * verified in the original (the wrong one is off by the same amount), and
 * no payload byte is left.  NetFlow: a v5 packet, v9 and IPFIX templates
 * with every address element, a user name and a MAC, a junk region
 * between packets, and the same export packets inside a pcap of their UDP
 * export traffic (exporter and collector home addresses).
 */
#include "testhelp.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>

#include "ingest/formats.h"
#include "privacy/sanitize.h"

/* ---- events ------------------------------------------------------------- */

struct ev {
	struct event e;
	char state[8];
};

struct evs {
	struct ev *v;
	size_t n, cap;
	struct ingest_counts c;
	enum dt_err err;
};

static enum dt_err sink(void *ctx, const struct event *e)
{
	struct evs *r = ctx;
	struct ev *g;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		if (!(r->v = realloc(r->v, r->cap * sizeof(*r->v))))
			abort();
	}
	g = &r->v[r->n++];
	g->e = *e;
	memset(g->state, 0, sizeof(g->state));
	if (e->state.len)
		memcpy(g->state, e->state.p, e->state.len < 7 ? e->state.len : 7);
	return DT_OK;
}

static void parse(const char *fmt, const void *data, size_t len, struct evs *r)
{
	memset(r, 0, sizeof(*r));
	r->err = ingest_mem(ingest_format(fmt), "t", data, len, sink, r, NULL, NULL, &r->c, NULL);
}

static int by_record(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	return x->e.record < y->e.record ? -1 : x->e.record > y->e.record;
}

static const uint8_t key[PRIVACY_KEY_BYTES] = "0123456789abcdef0123456789abcdef"
                                              "fedcba9876543210fedcba9876543210";

static struct privacy *mkpriv(bool all)
{
	static const char *const def[] = {
	    "10.0.0.0/8",     "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
	    "169.254.0.0/16", "fc00::/7",      "fe80::/10",      "::1/128",       NULL};
	static const char *const every[] = {"0.0.0.0/0", "::/0", NULL};
	struct privacy *p;

	if (privacy_new(key, &p))
		abort();
	for (const char *const *n = all ? every : def; *n; n++) {
		struct dt_prefix pf;

		if (dt_prefix_parse(*n, strlen(*n), &pf, NULL) || privacy_add_net(p, &pf))
			abort();
	}
	return p;
}

static enum dt_err sanitize(struct privacy *p, const char *fmt, const void *in, size_t len,
                            char **out, size_t *olen, struct privacy_counts *c)
{
	FILE *f = open_memstream(out, olen);
	struct dt_diag d;
	enum dt_err err;

	memset(c, 0, sizeof(*c));
	dt_diag_clear(&d);
	err = sanitize_mem(p, fmt, in, len, f, c, &d);
	fclose(f);
	if (err)
		fprintf(stderr, "  sanitize: %s: %s\n", dt_strerror(err), d.msg);
	return err;
}

static bool has(const char *hay, size_t n, const void *needle, size_t k)
{
	return k <= n && memmem(hay, n, needle, k) != NULL;
}

static void raw(const struct dt_ip *ip, uint8_t *b, size_t *k)
{
	*k = ip->family == DT_IP_V4 ? 4 : 16;
	for (size_t i = 0; i < *k; i++)
		b[i] = (uint8_t)(ip->addr >> (8 * (*k - 1 - i)));
}

/* Scans the derivative for one address of the original. */
static int scan(struct privacy *p, const char *what, const char *out, size_t olen,
                const struct dt_ip *ip)
{
	uint8_t b[16];
	char t[64];
	size_t k, tl;
	bool home = privacy_home_addr(p, ip), found;

	raw(ip, b, &k);
	tl = dt_ip_format(ip, t);
	found = has(out, olen, b, k);
	if (ip->addr == 0)
		return 0; /* zero bytes are everywhere: nothing to scan for */
	if (home && (found || (tl >= 7 && has(out, olen, t, tl)))) {
		CHECKF(0, "%s: home address %s left in the derivative", what, t);
		return 1;
	}
	if (!home && !found) {
		CHECKF(0, "%s: remote address %s missing from the derivative", what, t);
		return 1;
	}
	return 0;
}

/*
 * The acid test of one input; returns the number of events (so callers
 * can insist that an input had some).
 */
static size_t acid(struct privacy *p, const char *fmt, const char *what, const void *in, size_t len,
                   char **outp, size_t *olenp)
{
	struct evs a, b;
	struct privacy_counts c;
	char *out = NULL;
	size_t olen = 0, n, bad = 0;

	parse(fmt, in, len, &a);
	if (sanitize(p, fmt, in, len, &out, &olen, &c) != DT_OK) {
		CHECKF(a.err != DT_OK, "%s: sanitizer refused what the parser took", what);
		free(a.v);
		free(out);
		return 0;
	}
	parse(fmt, out, olen, &b);
	CHECKF(a.err == b.err, "%s: verdicts %d and %d", what, a.err, b.err);
	CHECKF(a.n == b.n, "%s: %zu events, %zu after sanitizing", what, a.n, b.n);
	CHECKF(a.c.records == b.c.records && a.c.rejected == b.c.rejected &&
	           a.c.ignored == b.c.ignored,
	       "%s: counts records %llu/%llu rejected %llu/%llu ignored %llu/%llu", what,
	       (unsigned long long)a.c.records, (unsigned long long)b.c.records,
	       (unsigned long long)a.c.rejected, (unsigned long long)b.c.rejected,
	       (unsigned long long)a.c.ignored, (unsigned long long)b.c.ignored);
	if (strcmp(fmt, "pcap") == 0) {
		/* connections end in an order that depends on the addresses */
		qsort(a.v, a.n, sizeof(*a.v), by_record);
		qsort(b.v, b.n, sizeof(*b.v), by_record);
	}
	n = a.n < b.n ? a.n : b.n;
	for (size_t i = 0; i < n && bad < 5; i++) {
		struct event x = a.v[i].e, *y = &b.v[i].e;
		bool eq;

		if (x.has_src)
			privacy_addr(p, &x.src, &x.src);
		if (x.has_dst)
			privacy_addr(p, &x.dst, &x.dst);
		eq = x.record == y->record && x.ts_us == y->ts_us && x.has_src == y->has_src &&
		     x.has_dst == y->has_dst &&
		     (!x.has_src || (x.src.family == y->src.family && x.src.addr == y->src.addr)) &&
		     (!x.has_dst || (x.dst.family == y->dst.family && x.dst.addr == y->dst.addr)) &&
		     x.sport == y->sport && x.dport == y->dport && x.proto == y->proto &&
		     x.duration_us == y->duration_us && x.orig_bytes == y->orig_bytes &&
		     x.resp_bytes == y->resp_bytes && x.orig_pkts == y->orig_pkts &&
		     x.resp_pkts == y->resp_pkts && strcmp(a.v[i].state, b.v[i].state) == 0;
		if (!eq) {
			CHECKF(0, "%s: event %zu (record %llu) differs after mapping", what, i,
			       (unsigned long long)x.record);
			bad++;
		}
	}
	for (size_t i = 0; i < a.n && bad < 5; i++) {
		if (a.v[i].e.has_src)
			bad += (size_t)scan(p, what, out, olen, &a.v[i].e.src);
		if (a.v[i].e.has_dst)
			bad += (size_t)scan(p, what, out, olen, &a.v[i].e.dst);
	}
	free(a.v);
	free(b.v);
	if (outp) {
		*outp = out;
		*olenp = olen;
	} else {
		free(out);
	}
	return n;
}

/* ---- byte builders -------------------------------------------------------- */

struct buf {
	uint8_t p[1 << 16];
	size_t n;
};

static void put(struct buf *b, const void *d, size_t n)
{
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void put8(struct buf *b, unsigned v)
{
	b->p[b->n++] = (uint8_t)v;
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

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void addr(const char *s, uint8_t *out, size_t *k)
{
	struct dt_ip ip;

	if (dt_ip_parse(s, strlen(s), &ip))
		abort();
	raw(&ip, out, k);
}

/* RFC 1071, written independently of the code under test. */
static uint32_t sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(p[i] << 8) + (i + 1 < n ? p[i + 1] : 0);
	return s;
}

static uint16_t fin(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The transport checksum of a packet: IPv4/IPv6 header at ip, transport
 * at t of tlen bytes (payload included); 0 in the result means valid when
 * computed over a packet with its checksum in place. */
static uint16_t l4sum(int fam, const uint8_t *ip, int proto, const uint8_t *t, size_t tlen)
{
	uint32_t s = 0;

	if (fam == 4 && proto != 1) {
		s = sum(ip + 12, 8, 0) + (uint32_t)proto + (uint32_t)tlen;
	} else if (fam == 6) {
		s = sum(ip + 8, 32, 0) + (uint32_t)proto + (uint32_t)tlen;
	}
	return fin(sum(t, tlen, s));
}

/* An IP packet: header (+ opt for IPv4 options or IPv6 extension
 * headers, ext_nh the first extension header) and transport t[0..tlen)
 * whose checksum (at csum_off, -1: none) is computed, then spoilt by bad. */
static size_t ip_pkt(uint8_t *o, int fam, const char *src, const char *dst, int proto,
                     const uint8_t *opt, size_t optlen, int ext_nh, uint8_t *t, size_t tlen,
                     int csum_off, unsigned bad, unsigned frag)
{
	uint8_t a[16], b[16];
	size_t k, n;

	addr(src, a, &k);
	addr(dst, b, &k);
	if (fam == 4) {
		size_t ihl = 20 + optlen;
		uint16_t c;

		memset(o, 0, ihl);
		o[0] = (uint8_t)(0x40 | ihl / 4);
		o[2] = (uint8_t)((ihl + tlen) >> 8);
		o[3] = (uint8_t)(ihl + tlen);
		o[4] = 0x12;
		o[5] = 0x34;
		o[6] = (uint8_t)(frag >> 8);
		o[7] = (uint8_t)frag;
		o[8] = 64;
		o[9] = (uint8_t)proto;
		memcpy(o + 12, a, 4);
		memcpy(o + 16, b, 4);
		if (optlen)
			memcpy(o + 20, opt, optlen);
		c = fin(sum(o, ihl, 0));
		o[10] = (uint8_t)(c >> 8);
		o[11] = (uint8_t)c;
		n = ihl;
	} else {
		memset(o, 0, 40);
		o[0] = 0x60;
		o[4] = (uint8_t)((optlen + tlen) >> 8);
		o[5] = (uint8_t)(optlen + tlen);
		o[6] = (uint8_t)(optlen ? ext_nh : proto);
		o[7] = 64;
		memcpy(o + 8, a, 16);
		memcpy(o + 24, b, 16);
		if (optlen)
			memcpy(o + 40, opt, optlen);
		n = 40 + optlen;
	}
	if (csum_off >= 0) {
		uint16_t c;

		t[csum_off] = t[csum_off + 1] = 0;
		c = l4sum(fam, o, proto, t, tlen);
		if (fam == 6 && optlen && opt[2] == 0 && opt[3] > 0) {
			/* routing header: the final destination (the last address) */
			uint8_t tmp[40];

			memcpy(tmp, o, 40);
			memcpy(tmp + 24, opt + optlen - 16, 16);
			c = l4sum(fam, tmp, proto, t, tlen);
		}
		c = (uint16_t)(c + bad);
		t[csum_off] = (uint8_t)(c >> 8);
		t[csum_off + 1] = (uint8_t)c;
	}
	memcpy(o + n, t, tlen);
	return n + tlen;
}

/* A capture: pcap (LE, µs) or pcapng, of link type dlt. */
struct cap {
	struct buf b;
	bool ng;
	int dlt;
};

static void cap_init(struct cap *c, bool ng, int dlt)
{
	uint8_t h[32];

	c->b.n = 0;
	c->ng = ng;
	c->dlt = dlt;
	if (!ng) {
		le32(h, 0xa1b2c3d4);
		h[4] = 2, h[5] = 0, h[6] = 4, h[7] = 0;
		le32(h + 8, 0);
		le32(h + 12, 0);
		le32(h + 16, 65535);
		le32(h + 20, (uint32_t)dlt);
		put(&c->b, h, 24);
		return;
	}
	le32(h, 0x0a0d0d0a);
	le32(h + 4, 28);
	le32(h + 8, 0x1a2b3c4d);
	h[12] = 1, h[13] = 0, h[14] = 0, h[15] = 0;
	memset(h + 16, 0xff, 8);
	le32(h + 24, 28);
	put(&c->b, h, 28);
	le32(h, 1);
	le32(h + 4, 20);
	h[8] = (uint8_t)dlt, h[9] = (uint8_t)(dlt >> 8), h[10] = h[11] = 0;
	le32(h + 12, 65535);
	le32(h + 16, 20);
	put(&c->b, h, 20);
}

/* A frame: the link header for the capture's type, then p[0..n) of which
 * cap bytes are captured (SIZE_MAX: all). */
static void frame(struct cap *c, uint32_t t, uint16_t etype, const uint8_t *p, size_t n, size_t cap)
{
	static const uint8_t eth[12] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01,
	                                0x00, 0x1b, 0x21, 0x3a, 0x4b, 0x5c};
	uint8_t f[4096], h[28];
	size_t k = 0, len;

	if (c->dlt == 1) {
		memcpy(f, eth, 12);
		f[12] = (uint8_t)(etype >> 8);
		f[13] = (uint8_t)etype;
		k = 14;
	} else if (c->dlt == 113) {
		memset(f, 0, 16);
		f[3] = 1; /* ARPHRD_ETHER */
		f[5] = 6; /* address length */
		memcpy(f + 6, eth + 6, 6);
		f[14] = (uint8_t)(etype >> 8);
		f[15] = (uint8_t)etype;
		k = 16;
	}
	memcpy(f + k, p, n);
	len = k + n;
	cap = cap == SIZE_MAX ? len : k + cap;
	if (!c->ng) {
		le32(h, 1700000000 + t / 1000);
		le32(h + 4, (t % 1000) * 1000);
		le32(h + 8, (uint32_t)cap);
		le32(h + 12, (uint32_t)len);
		put(&c->b, h, 16);
		put(&c->b, f, cap);
		return;
	}
	{
		uint64_t us = (1700000000ull + t / 1000) * 1000000 + (t % 1000) * 1000;
		size_t pad = (4 - cap % 4) % 4;
		uint8_t z[4] = {0};

		le32(h, 6);
		le32(h + 4, (uint32_t)(32 + cap + pad));
		le32(h + 8, 0);
		le32(h + 12, (uint32_t)(us >> 32));
		le32(h + 16, (uint32_t)us);
		le32(h + 20, (uint32_t)cap);
		le32(h + 24, (uint32_t)len);
		put(&c->b, h, 28);
		put(&c->b, f, cap);
		put(&c->b, z, pad);
		le32(h, (uint32_t)(32 + cap + pad));
		put(&c->b, h, 4);
	}
}

/* ---- synthetic captures --------------------------------------------------- */

#define HOME4  "10.1.2.3"
#define HOME4B "10.1.2.200"
#define REM4   "203.0.113.9"
#define GW4    "10.9.9.9"
#define RR4    "192.168.7.7"
#define HOME6  "fd00::5"
#define REM6   "2001:db8::77"
#define RH6    "fd00::99"
#define SECRET "password=hunter2 for 10.1.2.3"

static const char *const synth_home[] = {HOME4, HOME4B, GW4, RR4, HOME6, RH6};
static const char *const synth_rem[] = {REM4, REM6};

/* Original packets, kept to check the derivative's checksums. */
struct orig {
	int fam, proto;
	size_t l3, len; /* offset of the IP header in the frame, frame length */
	uint8_t f[2048];
	int bad; /* checksum spoilt */
};

static struct orig origs[64];
static size_t norig;

static void add(struct cap *c, uint32_t t, int fam, int proto, const uint8_t *p, size_t n,
                size_t cap, int bad)
{
	struct orig *o = &origs[norig++];
	size_t l2 = c->dlt == 1 ? 14 : c->dlt == 113 ? 16 : 0;

	o->fam = fam;
	o->proto = proto;
	o->l3 = l2;
	o->len = l2 + n;
	o->bad = bad;
	memset(o->f, 0, l2);
	memcpy(o->f + l2, p, n);
	frame(c, t, fam == 4 ? 0x0800 : 0x86dd, p, n, cap);
}

static void tcp(struct cap *c, uint32_t t, int fam, const char *s, unsigned sp, const char *d,
                unsigned dp, uint32_t seq, uint32_t ack, unsigned flags, const char *data, int bad)
{
	uint8_t tp[512], pk[600];
	size_t dl = data ? strlen(data) : 0, n;

	memset(tp, 0, 20);
	tp[0] = (uint8_t)(sp >> 8), tp[1] = (uint8_t)sp, tp[2] = (uint8_t)(dp >> 8);
	tp[3] = (uint8_t)dp;
	for (int i = 0; i < 4; i++) {
		tp[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		tp[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	tp[12] = 0x50;
	tp[13] = (uint8_t)flags;
	tp[14] = 0xff;
	if (dl)
		memcpy(tp + 20, data, dl);
	n = ip_pkt(pk, fam, s, d, 6, NULL, 0, 0, tp, 20 + dl, 16, (unsigned)bad, 0);
	add(c, t, fam, 6, pk, n, SIZE_MAX, bad);
}

static void udp(struct cap *c, uint32_t t, int fam, const char *s, const char *d,
                const uint8_t *opt, size_t optlen, int nh, const void *data, size_t dl)
{
	uint8_t tp[2048], pk[2200];
	size_t n;

	memset(tp, 0, 8);
	tp[0] = 0x13, tp[1] = 0x88, tp[2] = 0x00, tp[3] = 53;
	tp[4] = (uint8_t)((8 + dl) >> 8), tp[5] = (uint8_t)(8 + dl);
	memcpy(tp + 8, data, dl);
	n = ip_pkt(pk, fam, s, d, 17, opt, optlen, nh, tp, 8 + dl, 6, 0, 0);
	add(c, t, fam, 17, pk, n, SIZE_MAX, 0);
}

static void build_synth(struct cap *c)
{
	uint8_t pk[2048], tp[600], opt[64], a[16], b[16];
	size_t n, k;
	uint32_t t = 0;

	norig = 0;
	/* a TCP connection with a payload naming the victim, one segment's
	 * checksum wrong */
	tcp(c, t += 10, 4, HOME4, 40000, REM4, 80, 1000, 0, 0x02, NULL, 0);
	tcp(c, t += 10, 4, REM4, 80, HOME4, 40000, 5000, 1001, 0x12, NULL, 0);
	tcp(c, t += 10, 4, HOME4, 40000, REM4, 80, 1001, 5001, 0x18, SECRET, 0);
	tcp(c, t += 10, 4, REM4, 80, HOME4, 40000, 5001, 1030, 0x18, "hello 10.1.2.3", 77);
	tcp(c, t += 10, 4, HOME4, 40000, REM4, 80, 1030, 5015, 0x11, NULL, 0);
	tcp(c, t += 10, 4, REM4, 80, HOME4, 40000, 5015, 1031, 0x11, NULL, 0);
	/* UDP whose payload holds the raw home address */
	addr(HOME4B, a, &k);
	udp(c, t += 10, 4, HOME4B, REM4, NULL, 0, 0, a, 4);
	/* ICMP echo, an unreachable quoting the victim's datagram, a redirect */
	memset(tp, 0, 64);
	tp[0] = 8;
	memcpy(tp + 8, SECRET, strlen(SECRET));
	n = ip_pkt(pk, 4, HOME4, REM4, 1, NULL, 0, 0, tp, 8 + strlen(SECRET), 2, 0, 0);
	add(c, t += 10, 4, 1, pk, n, SIZE_MAX, 0);
	memset(tp, 0, 64);
	tp[0] = 3, tp[1] = 3;
	ip_pkt(tp + 8, 4, HOME4, REM4, 17, NULL, 0, 0, (uint8_t[8]){0x13, 0x88, 0, 53, 0, 8}, 8, -1,
	       0, 0);
	n = ip_pkt(pk, 4, REM4, HOME4, 1, NULL, 0, 0, tp, 36, 2, 0, 0);
	add(c, t += 10, 4, 1, pk, n, SIZE_MAX, 0);
	memset(tp, 0, 64);
	tp[0] = 5, tp[1] = 1;
	addr(GW4, tp + 4, &k);
	n = ip_pkt(pk, 4, HOME4B, HOME4, 1, NULL, 0, 0, tp, 8, 2, 0, 0);
	add(c, t += 10, 4, 1, pk, n, SIZE_MAX, 0);
	/* record route with a home router */
	memset(opt, 0, 12);
	opt[0] = 7, opt[1] = 11, opt[2] = 8;
	addr(RR4, opt + 3, &k);
	addr(REM4, opt + 7, &k);
	memset(tp, 0, 8);
	tp[0] = 0x13, tp[1] = 0x88, tp[3] = 53, tp[5] = 8;
	n = ip_pkt(pk, 4, HOME4, REM4, 17, opt, 12, 0, tp, 8, 6, 0, 0);
	add(c, t += 10, 4, 17, pk, n, SIZE_MAX, 0);
	/* IPv4 fragments of one UDP datagram (the first with the header) */
	memset(tp, 'x', 64);
	memset(tp, 0, 8);
	tp[0] = 0x13, tp[1] = 0x89, tp[3] = 53, tp[5] = 8 + 56;
	memcpy(tp + 8, SECRET, strlen(SECRET));
	n = ip_pkt(pk, 4, HOME4, REM4, 17, NULL, 0, 0, tp, 32, 6, 0, 0x2000);
	add(c, t += 10, 4, 17, pk, n, SIZE_MAX, 0);
	n = ip_pkt(pk, 4, HOME4, REM4, 17, NULL, 0, 0, tp + 32, 32, -1, 0, 4);
	add(c, t += 10, 4, 17, pk, n, SIZE_MAX, 0);
	/* offload: total length 0 (the IPv4 checksum then covers it as 0) */
	tcp(c, t += 10, 4, HOME4, 40001, REM4, 443, 7, 0, 0x02, "zz", 0);
	{
		struct orig *o = &origs[norig - 1];
		uint8_t *f = c->b.p + c->b.n - o->len;

		f[o->l3 + 2] = f[o->l3 + 3] = 0;
		o->f[o->l3 + 2] = o->f[o->l3 + 3] = 0;
		o->bad = -1; /* not checked */
	}
	/* cut by the snap length inside the payload, and inside the TCP header */
	tcp(c, t += 10, 4, HOME4, 40002, REM4, 22, 1, 0, 0x18, SECRET, 0);
	{
		struct orig *o = &origs[norig - 1];
		size_t full = o->len;

		/* the last record again, captured up to 5 payload bytes */
		c->b.n -= c->ng ? 32 + full + (4 - full % 4) % 4 : 16 + full;
		frame(c, t, 0x0800, o->f + o->l3, full - o->l3, 20 + 20 + 5);
		o->bad = -1;
	}
	tcp(c, t += 10, 4, HOME4, 40003, REM4, 22, 1, 0, 0x02, NULL, 0);
	{
		struct orig *o = &origs[norig - 1];
		size_t full = o->len;

		c->b.n -= c->ng ? 32 + full + (4 - full % 4) % 4 : 16 + full;
		frame(c, t, 0x0800, o->f + o->l3, full - o->l3, 20 + 10);
		o->bad = -1;
	}
	/* IPv6: TCP, UDP with a routing header naming a home router, ICMPv6 */
	tcp(c, t += 10, 6, HOME6, 50000, REM6, 443, 9, 0, 0x02, NULL, 0);
	tcp(c, t += 10, 6, REM6, 443, HOME6, 50000, 99, 10, 0x12, NULL, 0);
	tcp(c, t += 10, 6, HOME6, 50000, REM6, 443, 10, 100, 0x18, SECRET, 0);
	memset(opt, 0, 40);
	opt[0] = 17, opt[1] = 4, opt[2] = 0, opt[3] = 1; /* type 0, one segment left */
	addr(RH6, opt + 8, &k);
	addr(REM6, opt + 24, &k);
	udp(c, t += 10, 6, HOME6, RH6, opt, 40, 43, SECRET, strlen(SECRET));
	memset(tp, 0, 64);
	tp[0] = 128;
	memcpy(tp + 8, SECRET, 10);
	n = ip_pkt(pk, 6, HOME6, REM6, 58, NULL, 0, 0, tp, 18, 2, 0, 0);
	add(c, t += 10, 6, 58, pk, n, SIZE_MAX, 0);
	/* IPv6 fragments */
	memset(opt, 0, 8);
	opt[0] = 17, opt[3] = 1, opt[7] = 42; /* offset 0, more */
	memset(tp, 'y', 40);
	memset(tp, 0, 8);
	tp[0] = 0x13, tp[1] = 0x8a, tp[3] = 53, tp[5] = 8 + 32;
	n = ip_pkt(pk, 6, HOME6, REM6, 17, opt, 8, 44, tp, 24, -1, 0, 0);
	add(c, t += 10, 6, 17, pk, n, SIZE_MAX, -1);
	opt[2] = 0, opt[3] = 24; /* offset 24, last */
	n = ip_pkt(pk, 6, HOME6, REM6, 17, opt, 8, 44, tp + 24, 16, -1, 0, 0);
	add(c, t += 10, 6, 17, pk, n, SIZE_MAX, -1);
	/* ARP who-has between two home hosts */
	{
		uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01};

		addr(HOME4, arp + 14, &k);
		addr(HOME4B, arp + 24, &k);
		frame(c, t += 10, 0x0806, arp, 28, SIZE_MAX);
		origs[norig++].bad = -2; /* not IP */
	}
	/* 802.1Q-tagged TCP */
	if (c->dlt == 1) {
		uint8_t tg[600];

		memset(tp, 0, 20);
		tp[0] = 0x9c, tp[1] = 0x41, tp[3] = 25, tp[12] = 0x50, tp[13] = 0x02;
		n = ip_pkt(pk, 4, HOME4B, REM4, 6, NULL, 0, 0, tp, 20, 16, 0, 0);
		tg[0] = 0, tg[1] = 42, tg[2] = 0x08, tg[3] = 0;
		memcpy(tg + 4, pk, n);
		frame(c, t += 10, 0x8100, tg, n + 4, SIZE_MAX);
		origs[norig++].bad = -2;
	}
	(void)b;
}

/* Every IP packet's checksums in the derivative, against the original. */
static void check_sums(const char *what, const char *out, size_t olen, bool ng, int dlt)
{
	size_t pos = ng ? 28 + 32 : 24, i = 0; /* our SHB and IDB */
	size_t l2 = dlt == 1 ? 14 : 16;
	uint8_t pk[2048];

	for (; pos < olen && i < norig; i++) {
		const struct orig *o = &origs[i];
		uint32_t cap, len;
		const uint8_t *f;
		size_t ihl, tl;

		if (ng) {
			memcpy(&cap, out + pos + 20, 4);
			memcpy(&len, out + pos + 24, 4);
			f = (const uint8_t *)out + pos + 28;
			pos += 32 + cap + (4 - cap % 4) % 4;
		} else {
			memcpy(&cap, out + pos + 8, 4);
			memcpy(&len, out + pos + 12, 4);
			f = (const uint8_t *)out + pos + 16;
			pos += 16 + cap;
		}
		if (o->bad < -1)
			continue;
		CHECKF(len == o->len, "%s: packet %zu: original length %u, was %zu", what, i + 1,
		       len, o->len);
		if (o->bad == -1)
			continue;
		/* the sanitized headers, the original payload */
		memcpy(pk, o->f, o->len);
		memcpy(pk, f, cap);
		ihl = o->fam == 4 ? (size_t)(pk[l2] & 15) * 4 : 40;
		tl = o->len - l2 - ihl;
		if (o->fam == 4) {
			CHECKF(fin(sum(pk + l2, ihl, 0)) == 0, "%s: packet %zu: IPv4 checksum",
			       what, i + 1);
			if (pk[l2 + 6] & 0x3f || pk[l2 + 7])
				continue; /* a fragment */
		} else if (pk[l2 + 6] != o->proto) {
			/* an extension header: the routing header's final one */
			uint8_t tmp[40];
			size_t el = ((size_t)pk[l2 + 41] + 1) * 8;

			memcpy(tmp, pk + l2, 40);
			memcpy(tmp + 24, pk + l2 + 40 + el - 16, 16);
			CHECKF(l4sum(6, tmp, o->proto, pk + l2 + 40 + el, tl - el) == 0,
			       "%s: packet %zu: checksum after a routing header", what, i + 1);
			continue;
		}
		{
			uint16_t s = l4sum(o->fam, pk + l2, o->proto, pk + l2 + ihl, tl);
			uint16_t s0 = l4sum(o->fam, o->f + l2, o->proto, o->f + l2 + ihl, tl);

			/* valid stays valid; wrong stays wrong by as much */
			CHECKF(s == s0 && (o->bad != 0) == (s0 != 0),
			       "%s: packet %zu: transport checksum %04x, the original's %04x", what,
			       i + 1, s, s0);
		}
		/* nothing past the transport header */
		CHECKF(!has((const char *)f, cap, "hunter2", 7) &&
		           !has((const char *)f, cap, "hello", 5),
		       "%s: packet %zu: payload left", what, i + 1);
	}
	CHECKF(i == norig, "%s: %zu packets checked of %zu", what, i, norig);
}

static void scan_synth(struct privacy *p, const char *what, const char *out, size_t olen)
{
	static const uint8_t macs[][6] = {{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01},
	                                  {0x00, 0x1b, 0x21, 0x3a, 0x4b, 0x5c}};

	for (size_t i = 0; i < sizeof(synth_home) / sizeof(*synth_home); i++) {
		struct dt_ip ip;

		dt_ip_parse(synth_home[i], strlen(synth_home[i]), &ip);
		scan(p, what, out, olen, &ip);
	}
	for (size_t i = 0; i < sizeof(synth_rem) / sizeof(*synth_rem); i++) {
		struct dt_ip ip;

		dt_ip_parse(synth_rem[i], strlen(synth_rem[i]), &ip);
		scan(p, what, out, olen, &ip);
	}
	for (size_t i = 0; i < 2; i++)
		CHECKF(!has(out, olen, macs[i], 6), "%s: MAC %zu left", what, i);
	CHECKF(!has(out, olen, "hunter2", 7), "%s: payload left", what);
}

static void test_synthetic_captures(void)
{
	static struct cap c;
	static const struct {
		bool ng;
		int dlt;
		const char *name;
	} kinds[] = {
	    {false, 1, "pcap ethernet"}, {true, 1, "pcapng ethernet"}, {false, 113, "pcap sll"}};
	struct privacy *p = mkpriv(false);

	for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
		char *out = NULL;
		size_t olen = 0, nev;

		cap_init(&c, kinds[k].ng, kinds[k].dlt);
		build_synth(&c);
		nev = acid(p, "pcap", kinds[k].name, c.b.p, c.b.n, &out, &olen);
		CHECKF(nev >= 8, "%s: only %zu connections", kinds[k].name, nev);
		if (!out)
			continue;
		CHECKF(olen >= 4 && memcmp(out, c.b.p, 4) == 0, "%s: container changed",
		       kinds[k].name);
		check_sums(kinds[k].name, out, olen, kinds[k].ng, kinds[k].dlt);
		scan_synth(p, kinds[k].name, out, olen);
		free(out);
	}
	privacy_free(p);
}

/* ---- NetFlow ---------------------------------------------------------------- */

static void v5(struct buf *b, const char *const *pairs, size_t n)
{
	uint8_t a[16];
	size_t k;

	put16(b, 5);
	put16(b, (unsigned)n);
	put32(b, 100000);
	put32(b, 1700000000);
	put32(b, 0);
	put32(b, 1);
	put32(b, 0);
	for (size_t i = 0; i < n; i++) {
		addr(pairs[2 * i], a, &k);
		put(b, a, 4);
		addr(pairs[2 * i + 1], a, &k);
		put(b, a, 4);
		addr(GW4, a, &k);
		put(b, a, 4);
		put32(b, 0);
		put32(b, 3);
		put32(b, 300);
		put32(b, 90000);
		put32(b, 95000);
		put16(b, 1234);
		put16(b, 80);
		put8(b, 0);
		put8(b, 0x1b);
		put8(b, 6);
		put8(b, 0);
		put32(b, 0);
		put32(b, 0);
	}
}

/* A v9 packet: a template with every address element, then a record. */
static void v9(struct buf *b)
{
	static const unsigned tpl[][2] = {{8, 4},   {12, 4},  {15, 4},  {7, 2},   {11, 2},
	                                  {4, 1},   {1, 4},   {2, 4},   {225, 4}, {226, 4},
	                                  {27, 16}, {28, 16}, {62, 16}, {56, 6},  {40000, 20}};
	size_t nt = sizeof(tpl) / sizeof(*tpl), k, start, rl = 0;
	uint8_t a[16];

	put16(b, 9);
	put16(b, 2);
	put32(b, 100000);
	put32(b, 1700000000);
	put32(b, 7);
	put32(b, 1);
	put16(b, 0);
	put16(b, (unsigned)(8 + 4 * nt));
	put16(b, 300);
	put16(b, (unsigned)nt);
	for (size_t i = 0; i < nt; i++) {
		put16(b, tpl[i][0]);
		put16(b, tpl[i][1]);
		rl += tpl[i][1];
	}
	start = b->n;
	put16(b, 300);
	put16(b, (unsigned)(4 + rl + (4 - rl % 4) % 4));
	addr(HOME4, a, &k);
	put(b, a, 4);
	addr(REM4, a, &k);
	put(b, a, 4);
	addr(GW4, a, &k);
	put(b, a, 4);
	put16(b, 5555);
	put16(b, 443);
	put8(b, 6);
	put32(b, 4000);
	put32(b, 12);
	addr(HOME4B, a, &k);
	put(b, a, 4);
	addr(RR4, a, &k);
	put(b, a, 4);
	addr(HOME6, a, &k);
	put(b, a, 16);
	addr(REM6, a, &k);
	put(b, a, 16);
	addr(RH6, a, &k);
	put(b, a, 16);
	put(b, (uint8_t[6]){0x00, 0x1b, 0x21, 0x3a, 0x4b, 0x5c}, 6);
	put(b, "alice.victim\0\0\0\0\0\0\0\0", 20);
	while ((b->n - start) % 4)
		put8(b, 0);
}

/* An IPFIX message: template with a variable-length user name, a record. */
static void ipfix(struct buf *b)
{
	size_t start = b->n, k, set;
	uint8_t a[16];

	put16(b, 10);
	put16(b, 0);
	put32(b, 1700000001);
	put32(b, 2);
	put32(b, 9);
	put16(b, 2);
	put16(b, 4 + 4 + 6 * 4);
	put16(b, 400);
	put16(b, 6);
	put16(b, 27), put16(b, 16);
	put16(b, 28), put16(b, 16);
	put16(b, 7), put16(b, 2);
	put16(b, 11), put16(b, 2);
	put16(b, 371), put16(b, 0xffff);
	put16(b, 1), put16(b, 8);
	set = b->n;
	put16(b, 400);
	put16(b, 0);
	addr(REM6, a, &k);
	put(b, a, 16);
	addr(HOME6, a, &k);
	put(b, a, 16);
	put16(b, 443);
	put16(b, 50000);
	put8(b, 5);
	put(b, "bobby", 5);
	put32(b, 0);
	put32(b, 777);
	b->p[set + 2] = (uint8_t)((b->n - set) >> 8);
	b->p[set + 3] = (uint8_t)(b->n - set);
	b->p[start + 2] = (uint8_t)((b->n - start) >> 8);
	b->p[start + 3] = (uint8_t)(b->n - start);
}

static void build_netflow(struct buf *b)
{
	static const char *const pairs[] = {HOME4, REM4, REM4, HOME4B};

	b->n = 0;
	v5(b, pairs, 2);
	v9(b);
	/* junk the parser skips: a bad header, bytes naming the victim */
	put16(b, 9);
	put16(b, 1);
	for (int i = 0; i < 16; i++)
		put8(b, 0x5a);
	put16(b, 300);
	put16(b, 2); /* flowset length 2: undelimitable */
	put(b, SECRET, strlen(SECRET));
	ipfix(b);
	v5(b, pairs, 1);
}

static void test_synthetic_netflow(void)
{
	static struct buf b;
	static struct cap c;
	struct privacy *p = mkpriv(false);
	char *out = NULL;
	size_t olen = 0, nev;

	build_netflow(&b);
	nev = acid(p, "netflow", "netflow file", b.p, b.n, &out, &olen);
	CHECKF(nev == 5, "netflow file: %zu events (5 built)", nev);
	if (out) {
		scan_synth(p, "netflow file", out, olen);
		CHECKF(!has(out, olen, "alice", 5) && !has(out, olen, "bobby", 5),
		       "netflow file: user name left");
		CHECKF(olen == b.n, "netflow file: %zu bytes, was %zu", olen, b.n);
	}
	free(out);
	/* the same export packets as UDP from a home exporter to a home
	 * collector, in a capture */
	cap_init(&c, false, 1);
	norig = 0;
	{
		static const char *const pairs[] = {HOME4, REM4, REM4, HOME4B};
		static struct buf one;

		one.n = 0;
		v5(&one, pairs, 2);
		udp(&c, 10, 4, "10.0.0.1", "10.0.0.2", NULL, 0, 0, one.p, one.n);
		one.n = 0;
		v9(&one);
		udp(&c, 20, 4, "10.0.0.1", "10.0.0.2", NULL, 0, 0, one.p, one.n);
		one.n = 0;
		ipfix(&one);
		udp(&c, 30, 6, "fd00::1", "fd00::2", NULL, 0, 0, one.p, one.n);
	}
	nev = acid(p, "netflow", "netflow capture", c.b.p, c.b.n, &out, &olen);
	CHECKF(nev == 4, "netflow capture: %zu events (4 built)", nev);
	if (out) {
		scan_synth(p, "netflow capture", out, olen);
		for (size_t i = 0; i < 2; i++) {
			const char *e = i ? "10.0.0.1" : "fd00::1";
			struct dt_ip ip;

			dt_ip_parse(e, strlen(e), &ip);
			scan(p, "netflow capture exporter", out, olen, &ip);
		}
		check_sums("netflow capture", out, olen, false, 1);
	}
	free(out);
	privacy_free(p);
}

/* ---- the corpus ------------------------------------------------------------- */

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *d = NULL;
	long sz;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	if (sz >= 0 && (d = malloc((size_t)sz + 1)) && fread(d, 1, (size_t)sz, f) != (size_t)sz) {
		free(d);
		d = NULL;
	}
	*n = (size_t)sz;
	fclose(f);
	return d;
}

static void corpus(const char *dir, const char *suffix, const char *fmt, size_t *files,
                   size_t *events)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	*files = *events = 0;
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[1024], what[1100];
		size_t n, sl = strlen(suffix), nl = strlen(de->d_name);
		char *data;

		if (nl <= sl || strcmp(de->d_name + nl - sl, suffix) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!(data = slurp(path, &n)))
			continue;
		for (int all = 0; all < 2; all++) {
			struct privacy *p = mkpriv(all);

			snprintf(what, sizeof(what), "%s (%s)", de->d_name,
			         all ? "all home" : "default home");
			*events += acid(p, fmt, what, data, n, NULL, NULL);
			privacy_free(p);
		}
		(*files)++;
		free(data);
	}
	closedir(d);
}

static void test_corpus_pcap(void)
{
	size_t files, events;

	corpus("../shared/corpus/pcap", ".pcap", "pcap", &files, &events);
	if (files == 0)
		SKIP("../shared/corpus/pcap absent (see ../shared/corpus/SOURCES.md)");
	CHECKF(events > 100, "only %zu connections in %zu captures", events, files);
	printf("     %zu captures, %zu connections (x2 home-net settings)\n", files, events / 2);
}

static void test_corpus_netflow(void)
{
	static const char *const groups[][4] = {
	    {"netflow9_test_cisco_asa_1_tpl", "netflow9_test_cisco_asa_1_data"},
	    {"netflow9_test_nprobe_tpl", "netflow9_test_softflowd_tpl_data",
	     "netflow9_test_nprobe_data"},
	    {"netflow9_test_h3c_netstream_varstring_tpl3281",
	     "netflow9_test_h3c_netstream_varstring_data3281"},
	    {"netflow9_test_cisco_nbar_opttpl260", "netflow9_test_cisco_nbar_tpl262",
	     "netflow9_test_cisco_nbar_data262"},
	    {"ipfix_test_mikrotik_tpl", "ipfix_test_mikrotik_data258",
	     "ipfix_test_mikrotik_data259"},
	    {"ipfix_test_netscaler_tpl", "ipfix_test_netscaler_data"},
	    {"ipfix_test_openbsd_pflow_tpl", "ipfix_test_openbsd_pflow_data"},
	    {"ipfix_test_vmware_vds_tpl", "ipfix_test_vmware_vds_data264",
	     "ipfix_test_vmware_vds_data266"},
	    {"netflow9_test_paloalto_panos_tpl", "netflow9_test_paloalto_panos_data"},
	    {"netflow9_test_ubnt_edgerouter_tpl", "netflow9_test_ubnt_edgerouter_data1024"},
	    {"netflow9_test_macaddr_tpl", "netflow9_test_macaddr_data"},
	};
	size_t files, events, gev = 0;

	corpus("../shared/corpus/netflow", ".dat", "netflow", &files, &events);
	if (files == 0)
		SKIP("../shared/corpus/netflow absent (see ../shared/corpus/SOURCES.md)");
	for (size_t g = 0; g < sizeof(groups) / sizeof(*groups); g++) {
		static char cat[1 << 20];
		size_t n = 0;

		for (int i = 0; i < 4 && groups[g][i]; i++) {
			char path[512];
			size_t m;
			char *d;

			snprintf(path, sizeof(path), "../shared/corpus/netflow/%s.dat",
			         groups[g][i]);
			if ((d = slurp(path, &m)) && n + m < sizeof(cat)) {
				memcpy(cat + n, d, m);
				n += m;
			}
			free(d);
		}
		for (int all = 0; all < 2; all++) {
			struct privacy *p = mkpriv(all);

			gev += acid(p, "netflow", groups[g][0], cat, n, NULL, NULL);
			privacy_free(p);
		}
	}
	CHECKF(events + gev > 100, "only %zu flow events", events + gev);
	printf("     %zu export files, %zu flows; %zu template groups, %zu flows (x2)\n", files,
	       events / 2, sizeof(groups) / sizeof(*groups), gev / 2);
}

/* Not a capture, not export packets: refused as a whole. */
static void test_refused(void)
{
	struct privacy *p = mkpriv(false);
	struct privacy_counts c;
	char *out = NULL;
	size_t olen = 0;

	CHECK(sanitize(p, "pcap", "hello world\n", 12, &out, &olen, &c) == DT_EFORMAT);
	free(out);
	out = NULL;
	CHECK(sanitize(p, "netflow", "hello world\n", 12, &out, &olen, &c) == DT_EFORMAT);
	free(out);
	privacy_free(p);
}

int main(void)
{
	RUN(test_synthetic_captures);
	RUN(test_synthetic_netflow);
	RUN(test_corpus_pcap);
	RUN(test_corpus_netflow);
	RUN(test_refused);
	DONE();
}
