/*
 * nfpcap.c — see nfpcap.h.
 *
 * Header layouts: Ethernet II and IEEE 802.1Q/802.1ad tags (TPID 0x8100,
 * 0x88a8, 0x9100); Linux SLL (16 bytes, protocol at offset 14) and SLL2
 * (20 bytes, protocol at offset 0) per tcpdump.org/linktypes; DLT_NULL /
 * DLT_LOOP: a 4-byte address family (host order for NULL, network order
 * for LOOP; 2 is IPv4, 10/24/28/30 are IPv6 on Linux and the BSDs);
 * IPv4 (RFC 791), IPv6 (RFC 8200: hop-by-hop 0, routing 43, destination
 * options 60, fragment 44, AH 51 (RFC 4302, length in 4-byte units));
 * UDP (RFC 768).  Lengths come from the IP and UDP headers, not from the
 * frame, so Ethernet padding is never taken as payload.
 */
#include "ingest/nfpcap.h"

#include <pcap/pcap.h>
#include <string.h>

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int netflow_dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_IPV4:
	case DLT_IPV6: return 1;
	}
	return 0;
}

/* UDP at p[0..n) (n: the IP payload captured, claimed: what IP says). */
static enum netflow_frame udp(const uint8_t *p, size_t n, size_t claimed, bool first_fragment,
                              struct netflow_udp *out)
{
	size_t ulen;

	if (n < 8)
		return claimed >= 8 ? NETFLOW_TRUNCATED : NETFLOW_OTHER;
	ulen = be16(p + 4);
	out->sport = be16(p);
	out->dport = be16(p + 2);
	if (ulen < 8)
		return NETFLOW_OTHER;
	out->payload = p + 8;
	out->udp_len = ulen - 8;
	out->len = n - 8 < out->udp_len ? n - 8 : out->udp_len;
	if (first_fragment)
		return NETFLOW_FRAGMENT;
	return out->len < out->udp_len ? NETFLOW_TRUNCATED : NETFLOW_UDP;
}

static enum netflow_frame ipv4(const uint8_t *p, size_t n, struct netflow_udp *out)
{
	size_t hl, tot;
	uint16_t frag;

	if (n < 20 || p[0] >> 4 != 4)
		return NETFLOW_OTHER;
	hl = (size_t)(p[0] & 15) * 4;
	tot = be16(p + 2);
	if (hl < 20 || tot < hl || n < hl || p[9] != 17)
		return NETFLOW_OTHER;
	frag = be16(p + 6);
	if (frag & 0x1fff)
		return NETFLOW_OTHER; /* a later fragment: no UDP header */
	out->src.family = DT_IP_V4;
	out->src.mapped = false;
	out->src.addr =
	    (dt_u128)((uint32_t)p[12] << 24 | (uint32_t)p[13] << 16 | (uint32_t)p[14] << 8 | p[15]);
	if (n > tot)
		n = tot; /* link-layer padding */
	return udp(p + hl, n - hl, tot - hl, (frag & 0x2000) != 0, out);
}

static enum netflow_frame ipv6(const uint8_t *p, size_t n, struct netflow_udp *out)
{
	size_t off = 40, end;
	uint8_t next;
	bool first_fragment = false;

	if (n < 40 || p[0] >> 4 != 6)
		return NETFLOW_OTHER;
	end = 40 + (size_t)be16(p + 4);
	next = p[6];
	out->src.family = DT_IP_V6;
	out->src.mapped = false;
	out->src.addr = 0;
	for (int i = 0; i < 16; i++)
		out->src.addr = out->src.addr << 8 | p[8 + i];
	if (n > end)
		n = end;
	for (int hops = 0; hops < 8; hops++) {
		switch (next) {
		case 17: return udp(p + off, n > off ? n - off : 0, end - off, first_fragment, out);
		case 0:
		case 43:
		case 60:
			if (off + 8 > n)
				return NETFLOW_OTHER;
			next = p[off];
			off += ((size_t)p[off + 1] + 1) * 8;
			break;
		case 51:
			if (off + 8 > n)
				return NETFLOW_OTHER;
			next = p[off];
			off += ((size_t)p[off + 1] + 2) * 4;
			break;
		case 44:
			if (off + 8 > n || (be16(p + off + 2) & 0xfff8) != 0)
				return NETFLOW_OTHER; /* not the first fragment */
			first_fragment = true;
			next = p[off];
			off += 8;
			break;
		default: return NETFLOW_OTHER;
		}
		if (off > end)
			return NETFLOW_OTHER;
	}
	return NETFLOW_OTHER;
}

/* IP by ethertype (or by version when type is 0). */
static enum netflow_frame ip(uint16_t type, const uint8_t *p, size_t n, struct netflow_udp *out)
{
	if (type == 0 && n > 0)
		type = p[0] >> 4 == 4 ? 0x0800 : p[0] >> 4 == 6 ? 0x86dd : 0xffff;
	if (type == 0x0800)
		return ipv4(p, n, out);
	if (type == 0x86dd)
		return ipv6(p, n, out);
	return NETFLOW_OTHER;
}

/* BSD loopback address families meaning IPv4 or IPv6. */
static uint16_t af_type(uint32_t af)
{
	if (af == 2)
		return 0x0800;
	if (af == 10 || af == 24 || af == 28 || af == 30)
		return 0x86dd;
	return 0xffff;
}

enum netflow_frame netflow_frame_udp(int dlt, const uint8_t *frame, size_t caplen,
                                     struct netflow_udp *out)
{
	const uint8_t *p = frame;
	size_t n = caplen;
	uint16_t type;

	memset(out, 0, sizeof(*out));
	switch (dlt) {
	case DLT_EN10MB:
		if (n < 14)
			return NETFLOW_OTHER;
		type = be16(p + 12);
		p += 14;
		n -= 14;
		for (int tags = 0; tags < 4 && (type == 0x8100 || type == 0x88a8 || type == 0x9100);
		     tags++) {
			if (n < 4)
				return NETFLOW_OTHER;
			type = be16(p + 2);
			p += 4;
			n -= 4;
		}
		return ip(type, p, n, out);
	case DLT_LINUX_SLL:
		if (n < 16)
			return NETFLOW_OTHER;
		return ip(be16(p + 14), p + 16, n - 16, out);
	case DLT_LINUX_SLL2:
		if (n < 20)
			return NETFLOW_OTHER;
		return ip(be16(p), p + 20, n - 20, out);
	case DLT_NULL:
	case DLT_LOOP: {
		uint32_t be, le;

		if (n < 4)
			return NETFLOW_OTHER;
		be = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
		type = af_type(be);
		if (type == 0xffff && dlt == DLT_NULL)
			type = af_type(le);
		return ip(type, p + 4, n - 4, out);
	}
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6: return ip(0, p, n, out);
	}
	return NETFLOW_OTHER;
}
