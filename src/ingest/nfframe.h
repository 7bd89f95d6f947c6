/*
 * nfframe.h — where one NetFlow v5/v9/IPFIX export packet ends in a file
 * of concatenated packets, and how a reader finds the next one after bad
 * bytes.  The parser (ingest/netflow.c) and its sanitizer
 * (privacy/sanitize_netflow.c) must delimit identically, so that a
 * sanitized copy has the same packets: both use these rules.
 */
#ifndef DT_INGEST_NFFRAME_H
#define DT_INGEST_NFFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NF_MAX_PACKET 65535u                     /* an export packet is one UDP datagram */
#define NF_WINDOW     (NF_MAX_PACKET + 8 + 4096) /* a packet and what follows */

/* The first two bytes are a version we read (5, 9, 10). */
bool nf_is_version(const uint8_t *p);

/* The length of the export packet at p[0..avail), where avail is all that
 * is left of the input when eof.  0 when it cannot be delimited: why (may
 * be NULL) says why, *trunc whether it is because the input ends. */
size_t nf_extent(const uint8_t *p, size_t avail, bool eof, char *why, size_t wsize, bool *trunc);

/* Whether p[0..avail) starts with another packet, padding or nothing. */
bool nf_follows(const uint8_t *p, size_t avail, bool eof);

/* What little a v5 packet of n bytes offers to check. */
bool nf_v5_sane(const uint8_t *p, size_t n);

/* A strict check of a candidate packet when resynchronising. */
bool nf_plausible(const uint8_t *p, size_t avail, bool eof);

/* The first four bytes are a pcap or pcapng magic. */
bool nf_capture_magic(const uint8_t *p);

#endif
