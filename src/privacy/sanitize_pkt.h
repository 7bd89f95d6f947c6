/*
 * sanitize_pkt.h — rewriting captured packets for a peer (the pcap and
 * NetFlow sanitizers of privacy/sanitize.h share it).
 *
 * One frame is rewritten in place and cut after its last header:
 *   - link layers as ingest/pcap.c reads them (Ethernet with 802.1Q/ad
 *     tags, PPPoE, MPLS; Linux cooked v1/v2; raw IP; BSD loopback); MAC
 *     addresses (Ethernet, Linux cooked, ARP) become keyed pseudonyms
 *     (below), broadcast and multicast ones stay;
 *   - IPv4 (with its record-route, source-route and timestamp options)
 *     and IPv6 (with routing-header type 0/2/4 address lists and the home
 *     address option) addresses go through privacy_addr: pseudonyms when
 *     inside a home network, unchanged otherwise; ARP protocol addresses
 *     too, and the gateway of an ICMP redirect;
 *   - checksums (IPv4 header; TCP, UDP, ICMP, ICMPv6) are updated
 *     incrementally (RFC 1624, eqn. 3) for what changed: a correct checksum
 *     stays correct for the rewritten packet with its original payload, a
 *     wrong one stays wrong by the same amount; a UDP checksum of 0 (none)
 *     stays 0.  The checksum still covers the withheld payload, so 16 bits
 *     of its sum remain in the derivative;
 *   - what follows the transport header (TCP with its options, UDP 8
 *     bytes, ICMP/ICMPv6 8 bytes) is cut: the caller writes only the first
 *     `keep` bytes and the original length, so byte counts (taken from the
 *     IP, TCP and UDP headers by the parser) stay the same.  Fragments
 *     after the first keep their IP header only; other IP protocols, IP
 *     tunnels and ESP too; non-IP frames keep their link header (ARP its
 *     ARP header).  ingest/pcap.c reads nothing beyond these headers;
 *   - an IPv4 total length of 0 (segmentation offload), or an IPv6
 *     payload length of 0 with bytes after the header (jumbogram or
 *     offload), which ingest reads as "what was captured", is filled in
 *     with that length before the capture is cut;
 *   - headers cut short in the capture keep their bytes, an address cut
 *     short is zeroed (it cannot be pseudonymized), so that a packet the
 *     parser rejects is rejected again for the same kind of reason.
 *
 * MAC pseudonym: the 48 bits are the first 48 bits of the Crypto-PAn
 * pseudonym (privacy_addr_always) of the IPv6 address mac::, with the
 * group bit cleared and the locally-administered bit set; so one MAC has
 * one pseudonym, and MACs of one vendor prefix keep a shared prefix.
 *
 * The capture driver reads pcap/pcapng through libpcap (through
 * reader_stream, as ingest/pcap.c does, so both see the same packets) and
 * writes the same container: a pcap keeps its 24-byte file header byte
 * for byte (magic, byte order, version, snap length, link type) and its
 * timestamps at their resolution; a pcapng becomes one section with one
 * interface (the capture's link type and snap length, nanosecond
 * timestamps) and an Enhanced Packet Block per packet, without options,
 * name-resolution, statistics, decryption-secret or custom blocks (all
 * withheld).  Packet order, timestamps and original lengths are kept; the
 * derivative holds as many packets as libpcap delivered (a capture damaged
 * part way ends there: counted as unparsed).
 *
 * Ownership: struct spkt holds a MAC cache and a frame buffer (its only
 * allocations, made by spkt_init and grown by the driver for a larger
 * frame); privacy context and counts are the caller's.
 */
#ifndef DT_PRIVACY_SANITIZE_PKT_H
#define DT_PRIVACY_SANITIZE_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ingest/reader.h"
#include "privacy/privacy.h"

#define SPKT_MAC_SLOTS 256
#define SPKT_BUF_INIT  (256u << 10) /* frame buffer; grows to the largest frame */

struct spkt_mac_slot;

struct spkt {
	struct privacy *p;
	struct privacy_counts *c; /* never NULL: the caller's or `own` */
	struct privacy_counts own;
	struct spkt_mac_slot *macs; /* [SPKT_MAC_SLOTS]; owned */
	uint8_t *buf;               /* frame being rewritten; owned */
	size_t bufsize;
};

/* c may be NULL.  DT_ENOMEM when the buffers cannot be allocated. */
enum dt_err spkt_init(struct spkt *s, struct privacy *p, struct privacy_counts *c);
void spkt_release(struct spkt *s);

/* Addresses in network byte order, rewritten in place; true when changed
 * (a home address).  spkt_addr6 treats ::ffff:a.b.c.d as the IPv4 address
 * when mapped4 (as the NetFlow parser reads it). */
bool spkt_addr4(struct spkt *s, uint8_t a[4]);
bool spkt_addr6(struct spkt *s, uint8_t a[16], bool mapped4);
/* A MAC address: its pseudonym unless group (multicast, broadcast). */
void spkt_mac(struct spkt *s, uint8_t m[6]);

/* What the caller of spkt_frame adds to a frame it treats itself (the
 * NetFlow sanitizer rewrites the payload of export datagrams). */
struct spkt_extra {
	size_t keep_min;           /* keep at least this many bytes */
	uint32_t udp_old, udp_new; /* one's complement sums of the UDP payload */
};

/* Link types spkt_frame reads (the same as ingest/pcap.c). */
bool spkt_dlt_supported(int dlt);

/* Rewrites frame f[0..caplen) of libpcap link type dlt in place; returns
 * the number of bytes to keep.  x may be NULL. */
size_t spkt_frame(struct spkt *s, int dlt, uint8_t *f, size_t caplen, const struct spkt_extra *x);

/* The 16-bit one's complement sum of p[0..n) (big-endian words, an odd
 * last byte padded with zero), not complemented. */
uint16_t spkt_sum(const uint8_t *p, size_t n);

/* Called by spkt_capture for each frame before spkt_frame (the frame is
 * the driver's copy, writable); fills *x. */
typedef void spkt_hook_fn(void *ctx, int dlt, uint8_t *f, size_t caplen, struct spkt_extra *x);

/*
 * Reads the capture in r, writes its derivative to out (see above).
 * dlt_ok says which link types are accepted (NULL: spkt_dlt_supported);
 * others, and input libpcap does not read, give DT_EFORMAT with diag.
 */
enum dt_err spkt_capture(struct spkt *s, struct reader *r, FILE *out, const char *name,
                         bool (*dlt_ok)(int), spkt_hook_fn *hook, void *hctx, struct dt_diag *diag);

#endif
