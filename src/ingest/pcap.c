/*
 * pcap.c — pcap and pcapng captures (read by libpcap) assembled into one
 * flow event per connection, with Zeek's conn.log semantics
 * (ingest/conntrack.h says which, and where this differs from Zeek).
 *
 * Each packet is decoded by hand down to its transport header:
 *   - link layers (pcap_datalink): Ethernet (IEEE 802.3) with any number
 *     of 802.1Q/802.1ad/QinQ tags, PPPoE sessions (RFC 2516) and MPLS label
 *     stacks (RFC 3032); Linux cooked capture v1 (16-byte header) and v2
 *     (20 bytes); raw IP (DLT_RAW, LINKTYPE_IPV4/IPV6); BSD null/loopback
 *     (a 4-byte address family, host or network byte order);
 *   - IPv4 (RFC 791; a total length of 0, as TCP segmentation offload
 *     leaves it, means "what was captured"), IPv6 (RFC 8200) past its
 *     hop-by-hop, routing, destination options, mobility, HIP, shim6 and AH
 *     (RFC 4302) extension headers; fragments of either are gathered by
 *     ingest/ipfrag.c and the datagram counted once complete;
 *   - TCP, UDP, ICMP, ICMPv6; any other protocol is a connection without
 *     ports.
 * Lengths come from the IP header, not from what was captured, so a
 * capture cut by its snap length is counted in full as long as the
 * transport header was captured.  Checksums are not verified.
 *
 * Packets are numbered from 1 in file order.  A packet that cannot be
 * decoded (an IP header length below 20, lengths that contradict each
 * other, a transport header cut short) is reported through warn as
 * name:N with the reason and counted as rejected; packets that are not IP
 * (ARP, LLDP, ...) and fragments that never completed are counted as
 * ignored.  records counts every packet; events counts connections.  A
 * file that ends inside a packet keeps everything before it: the damage is
 * reported as the next packet's number and counted as rejected, and the
 * connections are emitted as usual.  Input that libpcap does not recognise
 * as pcap or pcapng, or a link layer not listed above, is refused with
 * DT_EFORMAT.
 *
 * Speed: the tracker works AHEAD packets behind the decoder, which
 * prefetches what each lookup will touch (ct_prefetch); libpcap reads
 * through a large unlocked stdio buffer over the reader.  No allocation
 * per packet.
 *
 * Ownership: the flow events handed to the sink point into a small uid
 * buffer of this call, which dies when the sink returns.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "ingest/conntrack.h"
#include "ingest/ipfrag.h"
#include "ingest/parsers.h"

/* Link-layer types (pcap/dlt.h numbers, spelled out where systems differ). */
#define LT_NULL   0
#define LT_EN10MB 1
#define LT_RAW12  12 /* DLT_RAW on most systems */
#define LT_RAW14  14 /* DLT_RAW on OpenBSD */
#define LT_RAW    101
#define LT_LOOP   108
#define LT_SLL    113
#define LT_IPV4   228
#define LT_IPV6   229
#define LT_SLL2   276

#define STDIO_BUF       (256u << 10) /* between the reader and libpcap */
#define MAX_VLAN_TAGS   8
#define MAX_MPLS_LABELS 8
#define MAX_IP6_EXT     16
#define AHEAD           8 /* packets decoded ahead of the tracker */

/* Latest timestamp accepted: 9999-12-31T23:59:59Z, so that times plus
 * timeouts never overflow. */
#define MAX_TS_SEC 253402300799LL

/* What became of a packet. */
enum verdict { V_USED, V_IGNORED, V_REJECTED, V_HELD };

/* A decoded packet waiting for the tracker, with its own copy of the
 * addresses (libpcap reuses its buffer for the next packet). */
struct ahead {
	struct ct_pkt p;
	uint8_t src[16], dst[16];
};

struct pstate {
	const struct ingest_ctx *x;
	const char *name;
	struct ingest_counts *c;
	uint64_t pkt; /* number of the packet being decoded */
	int64_t ts_us;
	struct ct_table *ct;
	struct frag_table *frag;
	enum dt_err err;     /* a failure of ours or of the sink, stops the parser */
	uint64_t err_record; /* the packet being tracked when it happened */
	struct ahead ring[AHEAD];
	unsigned head, n; /* oldest entry, entries */
	char uid[24];
};

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static enum verdict reject(struct pstate *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum verdict reject(struct pstate *st, const char *fmt, ...)
{
	struct dt_diag d;
	va_list ap;
	char msg[sizeof(d.msg)];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (st->x->warn) {
		dt_diag_set(&d, st->name, (unsigned long)st->pkt, "%s", msg);
		st->x->warn(st->x->wctx, &d);
	}
	return V_REJECTED;
}

/* ---- connections out ---------------------------------------------------- */

static void set_ip(struct dt_ip *ip, uint8_t family, const uint8_t *a)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = family == 4 ? DT_IP_V4 : DT_IP_V6;
	for (int i = 0; i < (family == 4 ? 4 : 16); i++)
		ip->addr = ip->addr << 8 | a[i];
}

static enum dt_err emit(void *ctx, const struct ct_conn *k)
{
	struct pstate *st = ctx;
	struct event ev;
	enum dt_err err;

	event_init(&ev);
	ev.kind = EVENT_FLOW;
	ev.ts_us = k->start_us;
	ev.has_src = ev.has_dst = true;
	set_ip(&ev.src, k->family, k->orig);
	set_ip(&ev.dst, k->family, k->resp);
	ev.sport = k->orig_port;
	ev.dport = k->resp_port;
	ev.proto = k->proto;
	ev.state.p = k->state;
	ev.state.len = strlen(k->state);
	ev.duration_us = k->duration_us;
	ev.orig_bytes = k->orig_bytes;
	ev.resp_bytes = k->resp_bytes;
	ev.orig_pkts = k->orig_pkts;
	ev.resp_pkts = k->resp_pkts;
	ev.record = k->first_record;
	ev.uid.len =
	    (size_t)snprintf(st->uid, sizeof(st->uid), "C%016llx", (unsigned long long)k->id);
	ev.uid.p = st->uid;
	err = st->x->sink(st->x->sctx, &ev);
	if (err == DT_OK)
		st->c->events++;
	return err;
}

/* Hands the oldest waiting packet to the tracker. */
static void track_oldest(struct pstate *st)
{
	const struct ct_pkt *p = &st->ring[st->head].p;

	st->err = ct_packet(st->ct, p);
	if (st->err)
		st->err_record = p->record;
	st->head = (st->head + 1) % AHEAD;
	st->n--;
}

/*
 * Queues the packet for the tracker, AHEAD packets behind the decoder, so
 * that the memory its lookup needs can be prefetched meanwhile (the
 * connection table is far larger than the caches on big captures).
 */
static enum verdict track(struct pstate *st, const struct ct_pkt *p)
{
	struct ahead *a;
	size_t alen = p->family == 4 ? 4 : 16;

	if (st->n == AHEAD) {
		track_oldest(st);
		if (st->err)
			return V_USED;
	}
	a = &st->ring[(st->head + st->n++) % AHEAD];
	a->p = *p;
	memcpy(a->src, p->src, alen);
	memcpy(a->dst, p->dst, alen);
	a->p.src = a->src;
	a->p.dst = a->dst;
	a->p.ts_us = st->ts_us;
	a->p.record = st->pkt;
	a->p.hashed = false;
	ct_prefetch(st->ct, &a->p, 0);
	if (st->n > AHEAD / 2)
		ct_prefetch(st->ct, &st->ring[(st->head + st->n - 1 - AHEAD / 2) % AHEAD].p, 1);
	return V_USED;
}

/* ---- transport ---------------------------------------------------------- */

/*
 * The transport header at t (cap bytes captured) of a payload of len
 * bytes per the IP header.  p has the addresses, family and protocol.
 */
static enum verdict transport(struct pstate *st, struct ct_pkt *p, const uint8_t *t, size_t cap,
                              uint32_t len)
{
	switch (p->proto) {
	case 6: {
		uint32_t doff;

		if (len < 20)
			return reject(st, "TCP header needs 20 bytes, the IP payload has %u", len);
		if (cap < 20)
			return reject(st, "TCP header not captured (%zu of 20 bytes)", cap);
		doff = (uint32_t)(t[12] >> 4) * 4;
		if (doff < 20)
			return reject(st, "TCP data offset %u is below 20", doff);
		if (doff > len)
			return reject(st, "TCP header length %u exceeds the IP payload of %u bytes",
			              doff, len);
		p->sport = be16(t);
		p->dport = be16(t + 2);
		p->seq = be32(t + 4);
		p->ack = be32(t + 8);
		p->tcp_flags = t[13];
		p->len = len - doff;
		return track(st, p);
	}
	case 17: {
		uint32_t ulen;

		if (len < 8)
			return reject(st, "UDP header needs 8 bytes, the IP payload has %u", len);
		if (cap < 8)
			return reject(st, "UDP header not captured (%zu of 8 bytes)", cap);
		ulen = be16(t + 4);
		if (ulen == 0)
			ulen = len; /* IPv6 jumbogram (RFC 2675) */
		if (ulen < 8)
			return reject(st, "UDP length %u is below 8", ulen);
		p->sport = be16(t);
		p->dport = be16(t + 2);
		p->len = ulen - 8; /* Zeek counts the UDP length field */
		return track(st, p);
	}
	case 1:
	case 58:
		if (len < 8)
			return reject(
			    st, "ICMP message of %u bytes is shorter than its 8-byte header", len);
		if (cap < 2)
			return reject(st, "ICMP header not captured");
		p->sport = t[0]; /* type */
		p->dport = t[1]; /* code */
		p->len = len - 8;
		return track(st, p);
	default: p->len = len; return track(st, p);
	}
}

static enum verdict fragment(struct pstate *st, struct ct_pkt *p, uint32_t id, uint32_t off,
                             bool more, const uint8_t *data, size_t cap, uint32_t len)
{
	struct frag_key k;
	struct frag_done done;
	uint64_t dropped = 0;
	enum frag_verdict v;

	if (st->frag == NULL && (st->err = frag_new(&st->frag)))
		return V_HELD;
	memset(&k, 0, sizeof(k));
	k.family = p->family;
	k.proto = p->proto;
	k.id = id;
	memcpy(k.src, p->src, p->family == 4 ? 4 : 16);
	memcpy(k.dst, p->dst, p->family == 4 ? 4 : 16);
	v = frag_add(st->frag, &k, st->ts_us, off, more, data, cap, len, &done, &dropped);
	st->c->ignored += dropped;
	if (v == FRAG_DROPPED)
		return V_HELD; /* counted in dropped */
	if (v == FRAG_HELD)
		return V_HELD;
	/* the datagram is complete: the fragments other than this one were
	 * held, this one stands for the datagram */
	return transport(st, p, done.hdr, done.hdr_len, done.len);
}

/* ---- IP ------------------------------------------------------------------ */

static enum verdict ipv4(struct pstate *st, const uint8_t *b, size_t n)
{
	struct ct_pkt p;
	uint32_t ihl, tot, fo;
	size_t cap;

	if (n < 20)
		return reject(st, "IPv4 header cut short: %zu bytes captured", n);
	if (b[0] >> 4 != 4)
		return reject(st, "IP version %u where IPv4 was announced", b[0] >> 4);
	ihl = (uint32_t)(b[0] & 15) * 4;
	if (ihl < 20)
		return reject(st, "IPv4 header length %u is below 20", ihl);
	if (ihl > n)
		return reject(st, "IPv4 header of %u bytes cut short: %zu bytes captured", ihl, n);
	tot = be16(b + 2);
	if (tot == 0)
		tot = n > 65535 ? 65535 : (uint32_t)n; /* segmentation offload */
	if (tot < ihl)
		return reject(st, "IPv4 total length %u is below its header length %u", tot, ihl);
	cap = (n < tot ? n : tot) - ihl;
	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.proto = b[9];
	p.src = b + 12;
	p.dst = b + 16;
	fo = be16(b + 6);
	if (fo & 0x3fff)
		return fragment(st, &p, be16(b + 4), (fo & 0x1fff) * 8, fo & 0x2000, b + ihl, cap,
		                tot - ihl);
	return transport(st, &p, b + ihl, cap, tot - ihl);
}

static enum verdict ipv6(struct pstate *st, const uint8_t *b, size_t n)
{
	struct ct_pkt p;
	uint32_t end, off = 40, nh;
	size_t cap_end;
	bool frag = false, more = false;
	uint32_t frag_off = 0, frag_id = 0;

	if (n < 40)
		return reject(st, "IPv6 header cut short: %zu bytes captured", n);
	if (b[0] >> 4 != 6)
		return reject(st, "IP version %u where IPv6 was announced", b[0] >> 4);
	end = 40 + (uint32_t)be16(b + 4);
	if (end == 40 && n > 40)
		end = n > 65575 ? 65575 : (uint32_t)n; /* jumbogram or offload */
	cap_end = n < end ? n : end;
	nh = b[6];
	for (int k = 0;; k++) {
		uint32_t hlen;

		if (nh != 0 && nh != 43 && nh != 44 && nh != 51 && nh != 60 && nh != 135 &&
		    nh != 139 && nh != 140)
			break;
		if (k == MAX_IP6_EXT)
			return reject(st, "more than %d IPv6 extension headers", MAX_IP6_EXT);
		if (off + 8 > end)
			return reject(st, "IPv6 extension header %u runs past the payload", nh);
		if (off + 8 > cap_end)
			return reject(st, "IPv6 extension header %u not captured", nh);
		if (nh == 44) {
			uint16_t fo = be16(b + off + 2);

			if (frag)
				return reject(st, "two IPv6 fragment headers");
			frag_off = fo & 0xfff8;
			more = fo & 1;
			frag_id = be32(b + off + 4);
			frag = frag_off != 0 || more; /* else an atomic fragment */
			hlen = 8;
		} else if (nh == 51) {
			hlen = ((uint32_t)b[off + 1] + 2) * 4;
		} else {
			hlen = ((uint32_t)b[off + 1] + 1) * 8;
		}
		if (off + hlen > end)
			return reject(st, "IPv6 extension header %u runs past the payload", nh);
		nh = b[off];
		off += hlen;
		if (frag)
			break; /* what follows is the fragment's payload */
	}
	memset(&p, 0, sizeof(p));
	p.family = 6;
	p.proto = (uint8_t)nh;
	p.src = b + 8;
	p.dst = b + 24;
	if (frag)
		return fragment(st, &p, frag_id, frag_off, more, b + off,
		                cap_end > off ? cap_end - off : 0, end - off);
	return transport(st, &p, b + off, cap_end > off ? cap_end - off : 0, end - off);
}

/* The packet at b (n bytes) by its version nibble. */
static enum verdict ip_any(struct pstate *st, const uint8_t *b, size_t n)
{
	if (n < 1)
		return reject(st, "no IP header captured");
	switch (b[0] >> 4) {
	case 4: return ipv4(st, b, n);
	case 6: return ipv6(st, b, n);
	default: return reject(st, "IP version %u is neither 4 nor 6", b[0] >> 4);
	}
}

/* ---- link layers --------------------------------------------------------- */

/* The payload of an EtherType (after any tags) at b, n bytes. */
static enum verdict ethertype(struct pstate *st, uint16_t type, const uint8_t *b, size_t n)
{
	for (int k = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100; k++) {
		if (k == MAX_VLAN_TAGS)
			return reject(st, "more than %d VLAN tags", MAX_VLAN_TAGS);
		if (n < 4)
			return reject(st, "VLAN tag cut short");
		type = be16(b + 2);
		b += 4;
		n -= 4;
	}
	switch (type) {
	case 0x0800: return ipv4(st, b, n);
	case 0x86dd: return ipv6(st, b, n);
	case 0x8864: /* PPPoE session stage */
		if (n < 8)
			return reject(st, "PPPoE header cut short");
		if (be16(b + 6) == 0x0021)
			return ipv4(st, b + 8, n - 8);
		if (be16(b + 6) == 0x0057)
			return ipv6(st, b + 8, n - 8);
		return V_IGNORED;
	case 0x8847:
	case 0x8848: /* MPLS: labels down to the bottom of the stack */
		for (int k = 0;; k++) {
			bool bottom;

			if (k == MAX_MPLS_LABELS)
				return reject(st, "more than %d MPLS labels", MAX_MPLS_LABELS);
			if (n < 4)
				return reject(st, "MPLS label cut short");
			bottom = b[2] & 1;
			b += 4;
			n -= 4;
			if (bottom)
				break;
		}
		return n && (b[0] >> 4 == 4 || b[0] >> 4 == 6) ? ip_any(st, b, n) : V_IGNORED;
	default: return V_IGNORED; /* ARP, LLDP, 802.3 lengths, ... */
	}
}

static enum verdict link(struct pstate *st, int dlt, const uint8_t *b, size_t n)
{
	switch (dlt) {
	case LT_EN10MB:
		if (n < 14)
			return reject(st, "Ethernet frame of %zu bytes is shorter than its header",
			              n);
		return ethertype(st, be16(b + 12), b + 14, n - 14);
	case LT_SLL:
		if (n < 16)
			return reject(st, "Linux cooked header cut short: %zu bytes", n);
		return ethertype(st, be16(b + 14), b + 16, n - 16);
	case LT_SLL2:
		if (n < 20)
			return reject(st, "Linux cooked v2 header cut short: %zu bytes", n);
		return ethertype(st, be16(b), b + 20, n - 20);
	case LT_RAW12:
	case LT_RAW14:
	case LT_RAW: return ip_any(st, b, n);
	case LT_IPV4: return ipv4(st, b, n);
	case LT_IPV6: return ipv6(st, b, n);
	case LT_NULL:
	case LT_LOOP: {
		uint32_t le, be;

		if (n < 4)
			return reject(st, "loopback header cut short: %zu bytes", n);
		be = be32(b);
		le = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
		/* AF_INET is 2 everywhere; AF_INET6 is 10, 24, 28 or 30 */
		if (be == 2 || le == 2)
			return ipv4(st, b + 4, n - 4);
		if (be == 10 || be == 24 || be == 28 || be == 30 || le == 10 || le == 24 ||
		    le == 28 || le == 30)
			return ipv6(st, b + 4, n - 4);
		return V_IGNORED;
	}
	default: return V_IGNORED;
	}
}

static bool link_supported(int dlt)
{
	return dlt == LT_EN10MB || dlt == LT_SLL || dlt == LT_SLL2 || dlt == LT_RAW12 ||
	       dlt == LT_RAW14 || dlt == LT_RAW || dlt == LT_IPV4 || dlt == LT_IPV6 ||
	       dlt == LT_NULL || dlt == LT_LOOP;
}

/* ---- the file ------------------------------------------------------------ */

static void count(struct pstate *st, enum verdict v)
{
	if (v == V_IGNORED)
		st->c->ignored++;
	else if (v == V_REJECTED)
		st->c->rejected++;
}

enum dt_err ingest_pcap(struct reader *r, const struct ingest_ctx *x, struct dt_diag *diag)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct ingest_counts local = {0};
	struct pstate st;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc = NULL;
	char *iobuf;
	FILE *f;
	int dlt, rc;

	memset(&st, 0, sizeof(st));
	st.x = x;
	st.name = x->name ? x->name : "";
	st.c = x->c ? x->c : &local;
	f = reader_stream(r);
	if (f == NULL) {
		dt_diag_set(diag, st.name, 0, "cannot read the input as a stream");
		return DT_ENOMEM;
	}
	/* fewer, larger reads through the reader than stdio's default, and
	 * no locking: only this thread uses the stream */
	if ((iobuf = malloc(STDIO_BUF)) != NULL)
		setvbuf(f, iobuf, _IOFBF, STDIO_BUF);
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	errbuf[0] = '\0';
	pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (pc == NULL) {
		fclose(f);
		free(iobuf);
		dt_diag_set(diag, st.name, 0, "not a pcap or pcapng capture: %s", errbuf);
		return DT_EFORMAT;
	}
	dlt = pcap_datalink(pc);
	if (!link_supported(dlt)) {
		const char *nm = pcap_datalink_val_to_name(dlt);

		dt_diag_set(diag, st.name, 0, "unsupported link-layer type %d (%s)", dlt,
		            nm ? nm : "unknown");
		pcap_close(pc);
		free(iobuf);
		return DT_EFORMAT;
	}
	if ((st.err = ct_new(0, emit, &st, &st.ct)))
		goto out;
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		st.pkt++;
		st.c->records++;
		if (h->ts.tv_sec < 0 || h->ts.tv_sec > MAX_TS_SEC || h->ts.tv_usec < 0 ||
		    h->ts.tv_usec > 999999) {
			count(&st, reject(&st, "timestamp %lld.%06ld out of range",
			                  (long long)h->ts.tv_sec, (long)h->ts.tv_usec));
			continue;
		}
		st.ts_us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
		count(&st, link(&st, dlt, data, h->caplen));
		if (st.err)
			break;
	}
	while (st.n && !st.err)
		track_oldest(&st);
	if (!st.err && rc == PCAP_ERROR) {
		/* the file ends inside a packet, or a record is corrupt */
		st.pkt++;
		st.c->records++;
		count(&st, reject(&st, "capture damaged, the rest is lost: %s", pcap_geterr(pc)));
	}
	if (!st.err) {
		st.c->ignored += st.frag ? frag_held(st.frag) : 0;
		st.err = ct_flush(st.ct);
	}
out:
	if (st.err)
		dt_diag_set(diag, st.name, (unsigned long)(st.err_record ? st.err_record : st.pkt),
		            "%s", dt_strerror(st.err));
	ct_free(st.ct);
	frag_free(st.frag);
	pcap_close(pc); /* closes f */
	free(iobuf);
	return st.err;
}
