/*
 * nfpcap.h — the UDP datagram inside one captured frame, for reading
 * NetFlow/IPFIX export traffic from a pcap or pcapng capture
 * (ingest/netflow.c).  Link layers: Ethernet (with 802.1Q/802.1ad VLAN
 * tags), Linux cooked (SLL, SLL2), raw IP, BSD loopback (NULL/LOOP); then
 * IPv4 or IPv6 (extension headers skipped) and UDP.  IP fragments are not
 * reassembled.
 *
 * Kept small and private to the NetFlow parser for now; a shared link-layer
 * decoder may replace it later.
 */
#ifndef DT_INGEST_NFPCAP_H
#define DT_INGEST_NFPCAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/ip.h"

enum netflow_frame {
	NETFLOW_UDP,       /* a whole UDP datagram: payload[0..len) */
	NETFLOW_OTHER,     /* not UDP over IP, or a link type we do not read */
	NETFLOW_TRUNCATED, /* UDP, but the capture holds only part of it */
	NETFLOW_FRAGMENT,  /* the first fragment of a fragmented UDP datagram */
};

struct netflow_udp {
	const uint8_t *payload; /* into the frame */
	size_t len;             /* bytes at payload (captured) */
	size_t udp_len;         /* payload length the UDP header claims */
	struct dt_ip src;       /* the sender: the exporter */
	uint16_t sport, dport;
};

/* Whether libpcap link type dlt is one netflow_frame_udp reads. */
int netflow_dlt_supported(int dlt);

/* Finds the UDP datagram in frame[0..caplen) of link type dlt.  For
 * NETFLOW_TRUNCATED and NETFLOW_FRAGMENT, *out holds what was captured. */
enum netflow_frame netflow_frame_udp(int dlt, const uint8_t *frame, size_t caplen,
                                     struct netflow_udp *out);

#endif
