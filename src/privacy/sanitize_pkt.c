/*
 * sanitize_pkt.c — see sanitize_pkt.h.
 *
 * The header walk follows ingest/pcap.c step for step (the same link
 * layers, tag and label limits, IPv6 extension headers and their lengths,
 * fragment rules), because what this file keeps must be exactly what the
 * parser reads: a header the parser decodes is kept whole, and a packet it
 * rejects keeps the bytes that make it reject.  Each step returns the
 * offset up to which the frame is kept.
 *
 * Checksums: each header's one's complement sum over what may change is
 * taken before and after the rewrite, and the checksum field moved by the
 * difference (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')).  For TCP, UDP and
 * ICMPv6 what changes is the pseudo-header's addresses (RFC 793, 768, RFC
 * 8200 section 8.1: with a routing header the final destination, with a
 * home address option that address); for ICMP the gateway of a redirect;
 * for the IPv4 header anything in it.  Nothing is recomputed from the
 * payload, which may not have been captured.
 */
#include "privacy/sanitize_pkt.h"

#include <errno.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

/* Link-layer types (as in ingest/pcap.c). */
#define LT_NULL   0
#define LT_EN10MB 1
#define LT_RAW12  12
#define LT_RAW14  14
#define LT_RAW    101
#define LT_LOOP   108
#define LT_SLL    113
#define LT_IPV4   228
#define LT_IPV6   229
#define LT_SLL2   276

#define MAX_VLAN_TAGS   8
#define MAX_MPLS_LABELS 8
#define MAX_IP6_EXT     16
#define STDIO_BUF       (256u << 10)

struct spkt_mac_slot {
	bool used;
	uint8_t in[6], out[6];
};

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

enum dt_err spkt_init(struct spkt *s, struct privacy *p, struct privacy_counts *c)
{
	memset(s, 0, sizeof(*s));
	s->p = p;
	s->c = c ? c : &s->own;
	s->macs = calloc(SPKT_MAC_SLOTS, sizeof(*s->macs));
	s->buf = malloc(SPKT_BUF_INIT);
	s->bufsize = SPKT_BUF_INIT;
	if (!s->macs || !s->buf) {
		spkt_release(s);
		return DT_ENOMEM;
	}
	return DT_OK;
}

void spkt_release(struct spkt *s)
{
	if (!s)
		return;
	free(s->macs);
	free(s->buf);
	s->macs = NULL;
	s->buf = NULL;
	s->bufsize = 0;
}

/* ---- addresses ------------------------------------------------------------ */

bool spkt_addr4(struct spkt *s, uint8_t a[4])
{
	struct dt_ip ip = {.family = DT_IP_V4, .addr = be32(a)};
	uint32_t v;

	if (!privacy_addr(s->p, &ip, &ip))
		return false;
	v = (uint32_t)ip.addr;
	a[0] = (uint8_t)(v >> 24);
	a[1] = (uint8_t)(v >> 16);
	a[2] = (uint8_t)(v >> 8);
	a[3] = (uint8_t)v;
	s->c->addrs++;
	return true;
}

bool spkt_addr6(struct spkt *s, uint8_t a[16], bool mapped4)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	struct dt_ip ip = {.family = DT_IP_V6};

	if (mapped4 && memcmp(a, mapped, 12) == 0)
		return spkt_addr4(s, a + 12);
	for (int i = 0; i < 16; i++)
		ip.addr = ip.addr << 8 | a[i];
	if (!privacy_addr(s->p, &ip, &ip))
		return false;
	for (int i = 15; i >= 0; i--) {
		a[i] = (uint8_t)ip.addr;
		ip.addr >>= 8;
	}
	s->c->addrs++;
	return true;
}

void spkt_mac(struct spkt *s, uint8_t m[6])
{
	struct spkt_mac_slot *e;
	struct dt_ip ip = {.family = DT_IP_V6}, out;
	unsigned h;

	if (m[0] & 1)
		return; /* group: broadcast, multicast */
	h = (unsigned)(m[3] * 31u + m[4] * 7u + m[5] + m[2] * 131u) % SPKT_MAC_SLOTS;
	e = &s->macs[h];
	if (!e->used || memcmp(e->in, m, 6) != 0) {
		for (int i = 0; i < 6; i++)
			ip.addr = ip.addr << 8 | m[i];
		ip.addr <<= 80;
		privacy_addr_always(s->p, &ip, &out);
		memcpy(e->in, m, 6);
		for (int i = 0; i < 6; i++)
			e->out[i] = (uint8_t)(out.addr >> (120 - 8 * i));
		e->out[0] = (uint8_t)((e->out[0] & ~1u) | 2u);
		e->used = true;
	}
	memcpy(m, e->out, 6);
	s->c->addrs++;
}

/* A MAC at p of which have bytes are captured: pseudonymized, or zeroed
 * when cut short. */
static void mac_at(struct spkt *s, uint8_t *p, size_t have)
{
	if (have >= 6)
		spkt_mac(s, p);
	else
		memset(p, 0, have);
}

static void addr4_at(struct spkt *s, uint8_t *p, size_t have)
{
	if (have >= 4)
		spkt_addr4(s, p);
	else
		memset(p, 0, have);
}

static void addr6_at(struct spkt *s, uint8_t *p, size_t have)
{
	if (have >= 16)
		spkt_addr6(s, p, false);
	else
		memset(p, 0, have);
}

/* ---- checksums ------------------------------------------------------------ */

static uint32_t fold(uint32_t x)
{
	while (x >> 16)
		x = (x & 0xffff) + (x >> 16);
	return x;
}

uint16_t spkt_sum(const uint8_t *p, size_t n)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		x += be16(p + i);
	if (i < n)
		x += (uint32_t)p[i] << 8;
	while (x >> 16)
		x = (x & 0xffff) + (x >> 16);
	return (uint16_t)x;
}

/* Moves the checksum at f by the change of the covered sum from old to
 * new.  udp: 0 means "no checksum" and stays; a result of 0 is sent as
 * 0xffff (RFC 768). */
static void fix(uint8_t *f, uint32_t old, uint32_t new, bool udp)
{
	uint16_t hc = be16(f);
	uint32_t x;

	old = fold(old);
	new = fold(new);
	if (old == new || (udp && hc == 0))
		return;
	x = fold((uint32_t)(uint16_t)~hc + (uint16_t)~old + new);
	hc = (uint16_t)~x;
	if (udp && hc == 0)
		hc = 0xffff;
	put16(f, hc);
}

/* ---- transport ------------------------------------------------------------ */

/* The transport header at t (cap bytes captured), whose pseudo-header sum
 * went from ps_old to ps_new; returns the bytes of it to keep. */
static size_t transport(struct spkt *s, uint8_t proto, uint8_t *t, size_t cap, uint32_t ps_old,
                        uint32_t ps_new, const struct spkt_extra *x)
{
	switch (proto) {
	case 6: {
		size_t doff;

		if (cap < 20)
			return cap;
		fix(t + 16, ps_old, ps_new, false);
		doff = (size_t)(t[12] >> 4) * 4;
		return min_sz(doff < 20 ? 20 : doff, cap);
	}
	case 17:
		if (cap < 8)
			return cap;
		fix(t + 6, ps_old + (x ? x->udp_old : 0), ps_new + (x ? x->udp_new : 0), true);
		return 8;
	case 1:
		if (cap >= 8 && t[0] == 5) { /* redirect: the gateway */
			uint32_t old = spkt_sum(t + 4, 4);

			spkt_addr4(s, t + 4);
			fix(t + 2, old, spkt_sum(t + 4, 4), false);
		} else if (cap > 4 && t[0] == 5) {
			memset(t + 4, 0, cap - 4);
		}
		return min_sz(cap, 8);
	case 58:
		if (cap >= 4)
			fix(t + 2, ps_old, ps_new, false);
		return min_sz(cap, 8);
	default: return 0;
	}
}

/* ---- IP ------------------------------------------------------------------- */

/* IPv4 options: addresses of record route, loose/strict source route and
 * timestamp (flags 1 and 3); a malformed rest is zeroed (end of list). */
static void ip4_options(struct spkt *s, uint8_t *o, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t t = o[i];
		size_t len;

		if (t == 0) {
			memset(o + i, 0, n - i);
			return;
		}
		if (t == 1) {
			i++;
			continue;
		}
		if (n - i < 2 || (len = o[i + 1]) < 2 || len > n - i) {
			memset(o + i, 0, n - i);
			return;
		}
		if (t == 7 || t == 131 || t == 137) {
			for (size_t j = 3; j + 4 <= len; j += 4)
				spkt_addr4(s, o + i + j);
		} else if (t == 68 && len >= 4 && ((o[i + 3] & 15) == 1 || (o[i + 3] & 15) == 3)) {
			for (size_t j = 4; j + 8 <= len; j += 8)
				spkt_addr4(s, o + i + j);
		}
		i += len;
	}
}

static size_t ipv4(struct spkt *s, uint8_t *b, size_t n, const struct spkt_extra *x)
{
	uint32_t ihl, tot, fo, h_old, ps_old, ps_new;
	size_t cap;

	if (n < 20) {
		if (n > 12)
			addr4_at(s, b + 12, n - 12);
		if (n > 16)
			addr4_at(s, b + 16, n - 16);
		return n;
	}
	ihl = (uint32_t)(b[0] & 15) * 4;
	if (ihl < 20 || ihl > n || b[0] >> 4 != 4) {
		/* rejected: the fixed header is enough to say so */
		spkt_addr4(s, b + 12);
		spkt_addr4(s, b + 16);
		return 20;
	}
	h_old = spkt_sum(b, 10) + spkt_sum(b + 12, ihl - 12);
	ps_old = spkt_sum(b + 12, 8);
	tot = be16(b + 2);
	if (tot == 0) {
		tot = n > 65535 ? 65535 : (uint32_t)n; /* as ingest reads it */
		put16(b + 2, (uint16_t)tot);
	}
	spkt_addr4(s, b + 12);
	spkt_addr4(s, b + 16);
	ip4_options(s, b + 20, ihl - 20);
	fix(b + 10, h_old, spkt_sum(b, 10) + spkt_sum(b + 12, ihl - 12), false);
	ps_new = spkt_sum(b + 12, 8);
	if (tot < ihl)
		return ihl;
	cap = min_sz(n, tot) - ihl;
	fo = be16(b + 6);
	if (fo & 0x1fff)
		return ihl; /* a later fragment: payload only */
	return ihl + transport(s, b[9], b + ihl, cap, ps_old, ps_new, x);
}

/* Where a routing header's or home-address option's addresses are. */
struct a6 {
	size_t off, count;
};

static size_t ipv6(struct spkt *s, uint8_t *b, size_t n, const struct spkt_extra *x)
{
	struct a6 list[MAX_IP6_EXT * 4];
	size_t nlist = 0, cap_end, psrc = 8, pdst = 24, keep = 0;
	uint32_t end, off = 40, nh, ps_old, ps_new;
	bool frag = false, first = true, done = false;

	if (n < 40) {
		if (n > 8)
			addr6_at(s, b + 8, n - 8);
		if (n > 24)
			addr6_at(s, b + 24, n - 24);
		return n;
	}
	end = 40 + (uint32_t)be16(b + 4);
	if (end == 40 && n > 40) {
		end = n > 65575 ? 65575 : (uint32_t)n;
		put16(b + 4, (uint16_t)(end - 40));
	}
	cap_end = min_sz(n, end);
	nh = b[6];
	for (int k = 0;; k++) {
		uint32_t hlen;

		if (nh != 0 && nh != 43 && nh != 44 && nh != 51 && nh != 60 && nh != 135 &&
		    nh != 139 && nh != 140)
			break;
		if (k == MAX_IP6_EXT || off + 8 > end) {
			keep = off;
			done = true;
			break;
		}
		if (off + 8 > cap_end) {
			keep = min_sz(off, n);
			done = true;
			break;
		}
		if (nh == 44) {
			uint16_t fo = be16(b + off + 2);

			if (frag) {
				keep = off;
				done = true;
				break;
			}
			frag = (fo & 0xfff8) != 0 || (fo & 1);
			first = (fo & 0xfff8) == 0;
			hlen = 8;
		} else if (nh == 51) {
			hlen = ((uint32_t)b[off + 1] + 2) * 4;
		} else {
			hlen = ((uint32_t)b[off + 1] + 1) * 8;
		}
		if (nh == 43 && nlist < sizeof(list) / sizeof(*list) &&
		    (b[off + 2] == 0 || b[off + 2] == 2 || b[off + 2] == 4)) {
			size_t na = (hlen - 8) / 16, fin;

			if (b[off + 2] == 4 && (size_t)b[off + 4] + 1 < na)
				na = (size_t)b[off + 4] + 1;
			fin = off + 8 + (b[off + 2] == 4 ? 0 : 16 * (na - 1));
			if (na && b[off + 3] > 0 && fin + 16 <= cap_end)
				pdst = fin; /* segments left: the final destination */
			list[nlist++] = (struct a6){off + 8, na};
		} else if (nh == 60) {
			size_t q = off + 2, e = min_sz(off + hlen, cap_end);

			/* options: Pad1 is one byte, the others type, length */
			while (q + 1 < e && nlist < sizeof(list) / sizeof(*list)) {
				if (b[q] == 0) {
					q++;
					continue;
				}
				if (b[q] == 0xc9 && b[q + 1] == 16 && q + 18 <= off + hlen) {
					list[nlist++] = (struct a6){q + 2, 1};
					if (q + 18 <= cap_end)
						psrc = q + 2;
				}
				q += 2 + (size_t)b[q + 1];
			}
		}
		if (off + hlen > end) {
			/* rejected after reading 8 bytes of it: keep those, no
			 * option data */
			if (nh == 0 || nh == 60)
				memset(b + off + 2, 0, 6);
			keep = off + 8;
			done = true;
			nlist = 0;
			break;
		}
		nh = b[off];
		off += hlen;
		if (frag)
			break;
	}
	ps_old = spkt_sum(b + psrc, 16) + spkt_sum(b + pdst, 16);
	spkt_addr6(s, b + 8, false);
	spkt_addr6(s, b + 24, false);
	for (size_t i = 0; i < nlist; i++)
		for (size_t j = 0; j < list[i].count; j++) {
			size_t a = list[i].off + 16 * j;

			if (a < cap_end)
				addr6_at(s, b + a, cap_end - a);
		}
	ps_new = spkt_sum(b + psrc, 16) + spkt_sum(b + pdst, 16);
	if (done)
		return min_sz(keep, n);
	if (frag && !first)
		return min_sz(off, n);
	return off + transport(s, (uint8_t)nh, b + off, cap_end > off ? cap_end - off : 0, ps_old,
	                       ps_new, x);
}

static size_t ip_any(struct spkt *s, uint8_t *b, size_t n, const struct spkt_extra *x)
{
	if (n < 1)
		return 0;
	switch (b[0] >> 4) {
	case 4: return ipv4(s, b, n, x);
	case 6: return ipv6(s, b, n, x);
	default: return 1;
	}
}

/* ---- link layers ---------------------------------------------------------- */

static size_t arp(struct spkt *s, uint8_t *b, size_t n)
{
	size_t hl, pl, pos = 8;
	uint16_t ptype;

	if (n < 8)
		return n;
	ptype = be16(b + 2);
	hl = b[4];
	pl = b[5];
	for (int k = 0; k < 2; k++) {
		if (pos < n) {
			if (hl == 6)
				mac_at(s, b + pos, n - pos);
			else
				memset(b + pos, 0, min_sz(hl, n - pos));
		}
		pos += hl;
		if (pos < n) {
			if (pl == 4 && ptype == 0x0800)
				addr4_at(s, b + pos, n - pos);
			else if (pl == 16 && ptype == 0x86dd)
				addr6_at(s, b + pos, n - pos);
			else
				memset(b + pos, 0, min_sz(pl, n - pos));
		}
		pos += pl;
	}
	return min_sz(pos, n);
}

/* The frame from the EtherType at b[pos] on. */
static size_t ethertype(struct spkt *s, uint8_t *b, size_t n, size_t pos,
                        const struct spkt_extra *x)
{
	uint16_t type = be16(b + pos);

	pos += 2;
	for (int k = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100; k++) {
		if (k == MAX_VLAN_TAGS)
			return pos;
		if (n - pos < 4)
			return n;
		type = be16(b + pos + 2);
		pos += 4;
	}
	switch (type) {
	case 0x0800: return pos + ipv4(s, b + pos, n - pos, x);
	case 0x86dd: return pos + ipv6(s, b + pos, n - pos, x);
	case 0x0806: return pos + arp(s, b + pos, n - pos);
	case 0x8864:
		if (n - pos < 8)
			return n;
		if (be16(b + pos + 6) == 0x0021)
			return pos + 8 + ipv4(s, b + pos + 8, n - pos - 8, x);
		if (be16(b + pos + 6) == 0x0057)
			return pos + 8 + ipv6(s, b + pos + 8, n - pos - 8, x);
		return pos + 8;
	case 0x8847:
	case 0x8848:
		for (int k = 0;; k++) {
			bool bottom;

			if (k == MAX_MPLS_LABELS)
				return pos;
			if (n - pos < 4)
				return n;
			bottom = b[pos + 2] & 1;
			pos += 4;
			if (bottom)
				break;
		}
		if (n > pos && (b[pos] >> 4 == 4 || b[pos] >> 4 == 6))
			return pos + ip_any(s, b + pos, n - pos, x);
		return pos;
	default: return pos;
	}
}

/* A Linux cooked link-layer address of alen bytes at p (8 captured). */
static void sll_addr(struct spkt *s, uint8_t *p, unsigned alen)
{
	if (alen == 6)
		spkt_mac(s, p);
	else
		memset(p, 0, 8);
}

bool spkt_dlt_supported(int dlt)
{
	return dlt == LT_EN10MB || dlt == LT_SLL || dlt == LT_SLL2 || dlt == LT_RAW12 ||
	       dlt == LT_RAW14 || dlt == LT_RAW || dlt == LT_IPV4 || dlt == LT_IPV6 ||
	       dlt == LT_NULL || dlt == LT_LOOP;
}

static size_t link(struct spkt *s, int dlt, uint8_t *b, size_t n, const struct spkt_extra *x)
{
	switch (dlt) {
	case LT_EN10MB:
		if (n < 14) {
			mac_at(s, b, n);
			if (n > 6)
				mac_at(s, b + 6, n - 6);
			return n;
		}
		spkt_mac(s, b);
		spkt_mac(s, b + 6);
		return ethertype(s, b, n, 12, x);
	case LT_SLL:
		if (n < 16) {
			memset(b + min_sz(n, 6), 0, n - min_sz(n, 6));
			return n;
		}
		sll_addr(s, b + 6, be16(b + 4));
		return ethertype(s, b, n, 14, x);
	case LT_SLL2:
		if (n < 20) {
			memset(b + min_sz(n, 12), 0, n - min_sz(n, 12));
			return n;
		}
		sll_addr(s, b + 12, b[11]);
		{
			/* the protocol is at 0, the payload at 20: rewrite as if
			 * the type were just before it */
			uint16_t type = be16(b);
			uint8_t save[2] = {b[18], b[19]};
			size_t k;

			b[18] = (uint8_t)(type >> 8);
			b[19] = (uint8_t)type;
			k = ethertype(s, b, n, 18, x);
			b[18] = save[0];
			b[19] = save[1];
			return k < 20 ? 20 : k;
		}
	case LT_RAW12:
	case LT_RAW14:
	case LT_RAW: return ip_any(s, b, n, x);
	case LT_IPV4: return ipv4(s, b, n, x);
	case LT_IPV6: return ipv6(s, b, n, x);
	case LT_NULL:
	case LT_LOOP: {
		uint32_t le, be;

		if (n < 4)
			return n;
		be = be32(b);
		le = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
		if (be == 2 || le == 2)
			return 4 + ipv4(s, b + 4, n - 4, x);
		if (be == 10 || be == 24 || be == 28 || be == 30 || le == 10 || le == 24 ||
		    le == 28 || le == 30)
			return 4 + ipv6(s, b + 4, n - 4, x);
		return 4;
	}
	default: return 0;
	}
}

size_t spkt_frame(struct spkt *s, int dlt, uint8_t *f, size_t caplen, const struct spkt_extra *x)
{
	size_t keep = link(s, dlt, f, caplen, x);

	if (x && x->keep_min > keep)
		keep = x->keep_min;
	return keep < caplen ? keep : caplen;
}

/* ---- the capture ---------------------------------------------------------- */

struct wr {
	FILE *out;
	bool le; /* little-endian fields */
	bool err;
};

static void w(struct wr *o, const void *p, size_t n)
{
	if (!o->err && n && fwrite(p, 1, n, o->out) != n)
		o->err = true;
}

static void w16(struct wr *o, uint16_t v)
{
	uint8_t b[2];

	if (o->le) {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
	} else {
		put16(b, v);
	}
	w(o, b, 2);
}

static void w32(struct wr *o, uint32_t v)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++)
		b[o->le ? i : 3 - i] = (uint8_t)(v >> (8 * i));
	w(o, b, 4);
}

/* The pcapng link type of a libpcap DLT (only DLT_RAW differs among the
 * types read here). */
static uint16_t linktype_of(int dlt)
{
	return dlt == LT_RAW12 || dlt == LT_RAW14 ? LT_RAW : (uint16_t)dlt;
}

enum dt_err spkt_capture(struct spkt *s, struct reader *r, FILE *out, const char *name,
                         bool (*dlt_ok)(int), spkt_hook_fn *hook, void *hctx, struct dt_diag *diag)
{
	static const uint8_t zeros[4];
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct wr o = {.out = out};
	struct pcap_pkthdr *h;
	const u_char *data;
	uint8_t hdr[24];
	const uint8_t *p;
	size_t avail;
	pcap_t *pc;
	char *iobuf;
	FILE *f;
	bool ng = false, old = false;
	int dlt, rc, prec = PCAP_TSTAMP_PRECISION_MICRO;
	enum dt_err err = DT_OK;

	p = (const uint8_t *)reader_peek(r, 24, &avail);
	if (avail < 4) {
		dt_diag_set(diag, name, 0, "not a pcap or pcapng capture: %zu bytes", avail);
		return DT_EFORMAT;
	}
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, p, min_sz(avail, 24));
	switch (be32(hdr)) {
	case 0x0a0d0d0a:
		ng = true;
		prec = PCAP_TSTAMP_PRECISION_NANO;
		o.le = true;
		break;
	case 0xa1b23c4d:
	case 0x4d3cb2a1: prec = PCAP_TSTAMP_PRECISION_NANO; break;
	case 0xa1b2c3d4:
	case 0xd4c3b2a1: break;
	default: /* a variant libpcap may read: written as a standard pcap */
		if (hdr[0] == 0xa1) {
			hdr[1] = 0xb2, hdr[2] = 0xc3, hdr[3] = 0xd4;
		} else {
			hdr[0] = 0xd4, hdr[1] = 0xc3, hdr[2] = 0xb2, hdr[3] = 0xa1;
		}
	}
	if (!ng) {
		o.le = hdr[0] == 0xd4 || hdr[0] == 0x4d;
		/* versions before 2.3 store the two lengths the other way
		 * round, and libpcap reads them so */
		old = (o.le ? hdr[4] | hdr[5] << 8 : hdr[4] << 8 | hdr[5]) == 2 &&
		      (o.le ? hdr[6] | hdr[7] << 8 : hdr[6] << 8 | hdr[7]) < 3;
	}
	if ((f = reader_stream(r)) == NULL) {
		dt_diag_set(diag, name, 0, "cannot read the input as a stream");
		return DT_ENOMEM;
	}
	if ((iobuf = malloc(STDIO_BUF)) != NULL)
		setvbuf(f, iobuf, _IOFBF, STDIO_BUF);
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	pc = pcap_fopen_offline_with_tstamp_precision(f, (u_int)prec, errbuf);
	if (pc == NULL) {
		fclose(f);
		free(iobuf);
		dt_diag_set(diag, name, 0, "not a pcap or pcapng capture: %s", errbuf);
		return DT_EFORMAT;
	}
	dlt = pcap_datalink(pc);
	if (!(dlt_ok ? dlt_ok(dlt) : spkt_dlt_supported(dlt))) {
		const char *nm = pcap_datalink_val_to_name(dlt);

		dt_diag_set(diag, name, 0, "unsupported link-layer type %d (%s)", dlt,
		            nm ? nm : "unknown");
		err = DT_EFORMAT;
		goto out;
	}
	if (ng) {
		/* section header, then one interface: nanosecond times */
		w32(&o, 0x0a0d0d0a);
		w32(&o, 28);
		w32(&o, 0x1a2b3c4d);
		w16(&o, 1);
		w16(&o, 0);
		w32(&o, 0xffffffffu);
		w32(&o, 0xffffffffu);
		w32(&o, 28);
		w32(&o, 1);
		w32(&o, 32);
		w16(&o, linktype_of(dlt));
		w16(&o, 0);
		w32(&o, (uint32_t)pcap_snapshot(pc));
		w16(&o, 9); /* if_tsresol */
		w16(&o, 1);
		w(&o, (const uint8_t[4]){9, 0, 0, 0}, 4);
		w32(&o, 0); /* opt_endofopt */
		w32(&o, 32);
	} else {
		w(&o, hdr, 24);
	}
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1 && !o.err) {
		struct spkt_extra x = {0};
		size_t cap = h->caplen, keep;

		if (cap > s->bufsize) {
			size_t ns = s->bufsize;
			uint8_t *nb;

			while (ns < cap)
				ns *= 2;
			if ((nb = realloc(s->buf, ns)) == NULL) {
				err = DT_ENOMEM;
				dt_diag_set(diag, name, s->c->records + 1, "%s", dt_strerror(err));
				goto out;
			}
			s->buf = nb;
			s->bufsize = ns;
		}
		memcpy(s->buf, data, cap);
		if (hook)
			hook(hctx, dlt, s->buf, cap, &x);
		keep = spkt_frame(s, dlt, s->buf, cap, &x);
		s->c->records++;
		s->c->dropped += cap - keep;
		if (ng) {
			uint64_t ts =
			    (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
			size_t pad = (4 - keep % 4) % 4;

			w32(&o, 6);
			w32(&o, (uint32_t)(32 + keep + pad));
			w32(&o, 0);
			w32(&o, (uint32_t)(ts >> 32));
			w32(&o, (uint32_t)ts);
			w32(&o, (uint32_t)keep);
			w32(&o, h->len);
			w(&o, s->buf, keep);
			w(&o, zeros, pad);
			w32(&o, (uint32_t)(32 + keep + pad));
		} else {
			w32(&o, (uint32_t)h->ts.tv_sec);
			w32(&o, (uint32_t)h->ts.tv_usec);
			w32(&o, old ? h->len : (uint32_t)keep);
			w32(&o, old ? (uint32_t)keep : h->len);
			w(&o, s->buf, keep);
		}
	}
	if (!o.err && rc == PCAP_ERROR)
		s->c->unparsed++; /* damaged: the derivative ends before it */
	if (o.err) {
		dt_diag_set(diag, name, 0, "cannot write the sanitized copy: %s", strerror(errno));
		err = DT_EIO;
	}
out:
	pcap_close(pc); /* closes f */
	free(iobuf);
	return err;
}
