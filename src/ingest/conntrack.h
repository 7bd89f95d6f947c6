/*
 * conntrack.h — packets assembled into connection records the way Zeek's
 * conn.log sees them (Zeek 6/7 source: packet_analysis/protocol/tcp/
 * TCPSessionAdapter.cc, analyzer/protocol/tcp/TCP_Endpoint.cc,
 * packet_analysis/protocol/{udp,icmp}, scripts/base/protocols/conn/
 * main.zeek).
 *
 * The caller decodes each packet down to its transport header and hands
 * the tracker a struct ct_pkt; the tracker finds or creates the
 * connection, runs Zeek's per-endpoint TCP state machine (or the UDP/ICMP
 * "active" flags), and emits a struct ct_conn through the callback when a
 * connection ends: when one of Zeek's timers removes it (close delay,
 * connection attempt, inactivity; see the CT_* times below), when a SYN
 * reuses its 5-tuple, when the table is full and it is the one idle the
 * longest (closed ones first) of CT_EVICT_SAMPLE looked at (it is evicted
 * early, with the state it has then), or at ct_flush, which
 * emits every connection still live ordered by start time, then 5-tuple.
 * Timers run on network time: the largest packet timestamp seen so far.
 *
 * What is Zeek's and what is not:
 *   - originator: the sender of the first packet, flipped as Zeek flips it
 *     (a first TCP packet that is not a bare SYN, or a first UDP packet,
 *     from a likely server port to a port that is not one; a SYN answering
 *     a SYN-ACK seen first);
 *   - TCP bytes come from sequence numbers (TCP_Endpoint::Size), UDP bytes
 *     from the UDP length field, ICMP bytes are the message beyond its
 *     8-byte header; duration and bytes are left unset (-1) when the
 *     duration is 0, as conn.log leaves them;
 *   - ICMP "ports" are the type and the counterpart type (echo request 8
 *     pairs with reply 0), or type and code for one-way messages, whose
 *     two directions are separate connections;
 *   - other IP protocols are connections too, with no ports and state OTH;
 *   - unlike Zeek without -C, checksums are not verified: captures taken on
 *     the sending host (checksum offload) keep their packets;
 *   - Zeek's likely_server_ports is approximated by the ports its base
 *     scripts register (a fixed list in conntrack.c).
 *
 * Memory is bounded by max_live connections (192 bytes each) plus
 * a hash table and a timer heap proportional to them.  No allocation per
 * packet: storage grows by doubling up to the bound.
 */
#ifndef DT_INGEST_CONNTRACK_H
#define DT_INGEST_CONNTRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

/* Limits and Zeek's default timers (init-bare.zeek), in microseconds. */
#define CT_MAX_LIVE             (1u << 18) /* connections tracked at once */
#define CT_EVICT_SAMPLE         16         /* candidates looked at to evict one */
#define CT_TCP_INACTIVITY_US    (300 * 1000000LL)
#define CT_UDP_INACTIVITY_US    (60 * 1000000LL) /* also TCP during the handshake */
#define CT_ICMP_INACTIVITY_US   (60 * 1000000LL)
#define CT_OTHER_INACTIVITY_US  (60 * 1000000LL)
#define CT_TCP_ATTEMPT_DELAY_US (5 * 1000000LL) /* unanswered SYN: S0 */
#define CT_TCP_SYN_TIMEOUT_US   (5 * 1000000LL) /* first expire check */
#define CT_TCP_SESSION_TIMER_US (6 * 1000000LL) /* later expire checks */
#define CT_TCP_LINGER_US        (5 * 1000000LL) /* idle before expiry */
#define CT_TCP_CLOSE_DELAY_US   (5 * 1000000LL) /* closed until removed */

/* TCP flags as in the header. */
#define CT_FIN 0x01
#define CT_SYN 0x02
#define CT_RST 0x04
#define CT_ACK 0x10

/* One decoded packet (or reassembled datagram). */
struct ct_pkt {
	int64_t ts_us;
	uint64_t record;    /* packet number, 1-based */
	const uint8_t *src; /* 4 or 16 bytes, network order */
	const uint8_t *dst;
	uint8_t family;        /* 4 or 6 */
	uint8_t proto;         /* IP protocol number */
	uint16_t sport, dport; /* TCP/UDP ports; ICMP type and code */
	uint8_t tcp_flags;
	uint32_t seq, ack; /* TCP, host order */
	uint32_t len;      /* transport payload bytes (UDP: from its length field) */
	bool hashed;       /* set by ct_prefetch, with hash */
	uint32_t hash;
};

/* A finished connection, as emitted. */
struct ct_conn {
	uint8_t family, proto;
	uint8_t orig[16], resp[16];   /* IPv4: the first 4 bytes */
	int32_t orig_port, resp_port; /* -1: protocol without ports */
	int64_t start_us;
	int64_t duration_us;            /* -1 when 0 (as in conn.log) */
	int64_t orig_bytes, resp_bytes; /* -1 when the duration is 0 */
	int64_t orig_pkts, resp_pkts;
	const char *state;     /* Zeek conn_state: S0 S1 SF REJ ... OTH */
	uint64_t first_record; /* number of its first packet */
	uint64_t id;           /* hash of 5-tuple, start and first record: for a uid */
};

/* Receives each finished connection; a non-DT_OK return is passed back
 * by the ct_* call that emitted it. */
typedef enum dt_err ct_emit_fn(void *ctx, const struct ct_conn *c);

struct ct_stats {
	uint64_t conns;   /* connections created */
	uint64_t evicted; /* emitted early because the table was full */
	uint32_t peak_live;
};

struct ct_table;

/* A table of at most max_live connections (0: CT_MAX_LIVE). */
enum dt_err ct_new(uint32_t max_live, ct_emit_fn *emit, void *ctx, struct ct_table **out);

/*
 * A hint that p will be passed to ct_packet soon: stage 0 starts loading
 * the hash table slot its lookup will read, stage 1 (a few packets later)
 * the connection that slot holds.  Memory only; p must stay the same.
 * Callers that decode a few packets ahead hide the cache misses of the
 * lookup that way.
 */
void ct_prefetch(const struct ct_table *t, struct ct_pkt *p, int stage);

/* Runs the timers up to the packet's time, then accounts the packet. */
enum dt_err ct_packet(struct ct_table *t, const struct ct_pkt *p);

/* Emits every live connection (start time, then 5-tuple) and empties the
 * table.  On an emit error the rest are dropped. */
enum dt_err ct_flush(struct ct_table *t);

void ct_get_stats(const struct ct_table *t, struct ct_stats *st);

/* Frees the table without emitting; NULL is fine. */
void ct_free(struct ct_table *t);

#endif
