/*
 * ipfrag.h — IPv4 and IPv6 fragments gathered into whole datagrams, for
 * connection accounting only (RFC 791 section 3.2, RFC 8200 section 4.5).
 *
 * Payload bytes are not kept: a datagram is complete when the byte ranges
 * of its fragments cover 0 up to the end given by the last fragment (the
 * one without More Fragments), and what it yields is the transport header
 * (the first FRAG_HDR_KEEP bytes of the fragment at offset 0) and the
 * datagram's payload length.  Overlapping or repeated fragments are merged
 * as byte ranges; a datagram whose fragments disagree on its end, run past
 * 65535 bytes or leave more than FRAG_MAX_RANGES separate ranges is
 * dropped.  At most FRAG_MAX_PENDING datagrams wait at once (the oldest is
 * dropped for a new one), each at most FRAG_TIMEOUT_US after its first
 * fragment.  Fragments of dropped datagrams are counted for the caller.
 */
#ifndef DT_INGEST_IPFRAG_H
#define DT_INGEST_IPFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define FRAG_MAX_PENDING 256
#define FRAG_MAX_RANGES  16
#define FRAG_TIMEOUT_US  (60 * 1000000LL)
#define FRAG_HDR_KEEP    64

/* Which datagram a fragment belongs to. */
struct frag_key {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;  /* the protocol of the fragmented payload */
	uint32_t id;    /* IPv4: 16 bits; IPv6: 32 */
	uint8_t src[16], dst[16];
};

/* A completed datagram. */
struct frag_done {
	uint8_t hdr[FRAG_HDR_KEEP]; /* start of the payload, from offset 0 */
	size_t hdr_len;             /* bytes of hdr captured */
	uint32_t len;               /* payload length of the whole datagram */
	uint32_t nfrags;            /* fragments it was made of */
};

enum frag_verdict {
	FRAG_HELD,     /* kept, the datagram is incomplete */
	FRAG_COMPLETE, /* *done filled */
	FRAG_DROPPED,  /* the fragment (and its datagram) was dropped */
};

struct frag_table;

enum dt_err frag_new(struct frag_table **out);

/*
 * One fragment: its payload starts at byte off of the datagram's payload,
 * len bytes long per the IP header, of which cap are captured at data.
 * *dropped is increased by the number of fragments dropped on the way
 * (timed out, evicted, or this datagram's own on FRAG_DROPPED).
 */
enum frag_verdict frag_add(struct frag_table *f, const struct frag_key *k, int64_t ts_us,
                           uint32_t off, bool more, const uint8_t *data, size_t cap, uint32_t len,
                           struct frag_done *done, uint64_t *dropped);

/* Fragments still held. */
uint64_t frag_held(const struct frag_table *f);

void frag_free(struct frag_table *f);

#endif
