/*
 * format.h — on-disk layout of an attribution index (private to geo/).
 *
 * All integers little-endian, every section 64-byte aligned so that it can
 * be used in place from an mmap.  The layout is DXR's D16R (Zec, Rizzo,
 * Mikuc 2012) for IPv4 and the same idea with 128-bit keys for IPv6:
 *
 *   first4[65537]  index of the first interval whose start lies in /16
 *                  block b (or after it); intervals starting inside block
 *                  b are first4[b] .. first4[b+1]-1
 *   low4[n4]       the low 16 bits of each interval start (the search key:
 *                  32 keys per cache line)
 *   start4[n4]     full interval starts (for the network of an answer)
 *   info4[n4]      index into info[] of each interval
 *   first6[65537], start6[n6] (hi,lo pairs), info6[n6]: the same for IPv6
 *                  keyed on the top 16 bits
 *   mid6[n6]       bits 16..47 of each IPv6 start: the search key (16 a
 *                  cache line); full 128-bit keys only break ties among
 *                  intervals that start inside the same /48
 *   fine6[2^20+1]  for 2000::/3, the same as first6 on /23 blocks: the
 *                  first interval starting in block k of 2000::/3 or later
 *   info[ninfo]    distinct answers: country, ASN, organisation, flags
 *   strings        NUL-terminated organisation names, then flag names
 *   flags[nflags]  string offsets of flag names, bit order
 *   inputs[ninputs] what the index was built from (kind, size, SHA-256)
 *
 * A lookup of address a in block b = a >> 16 finds the last interval in
 * [first4[b], first4[b+1]) whose low16 <= a & 0xffff; if none, the answer
 * is interval first4[b] - 1, the one that began before the block.  The
 * intervals partition the address space, so interval 0 starts at 0 and
 * every address has exactly one answer.
 */
#ifndef DT_GEO_FORMAT_H
#define DT_GEO_FORMAT_H

#include <stdint.h>

#define GEO_MAGIC   "DTGEOIX\0"
#define GEO_VERSION 3

/* The finer IPv6 block table covers 2000::/3 (global unicast, where all
 * routed space is) in 2^GEO_FINE6_BITS blocks of /(3 + GEO_FINE6_BITS). */
#define GEO_FINE6_BITS   20
#define GEO_FINE6_BLOCKS (1u << GEO_FINE6_BITS)
#define GEO_ALIGN        64
#define GEO_NO_ORG       UINT32_MAX

struct geo_hdr {
	char magic[8];
	uint32_t version;
	uint32_t hdr_size;
	uint32_t n4, n6, ninfo, nflags, ninputs, norgs;
	uint64_t off_first4, off_low4, off_start4, off_info4;
	uint64_t off_first6, off_start6, off_info6, off_mid6, off_fine6;
	uint64_t off_info, off_strings, len_strings, off_flags, off_inputs;
	uint64_t file_size;
};

struct geo_info_rec {
	char cc[2]; /* "\0\0" unknown */
	uint16_t reserved;
	uint32_t asn; /* 0 unknown */
	uint32_t org; /* offset into strings, GEO_NO_ORG unknown */
	uint32_t flags;
};

struct geo_v6key {
	uint64_t hi, lo;
};

struct geo_input_rec {
	char kind[16]; /* NUL-padded: "country", "asn", "mmdb", "warninglist" */
	uint64_t size;
	uint8_t sha256[32];
};

#endif
