/*
 * cryptopan.h — prefix-preserving address pseudonymization (Crypto-PAn).
 *
 * J. Xu, J. Fan, M. Ammar, S. Moon, "Prefix-Preserving IP Address
 * Anonymization: Measurement-based Security Evaluation and a New
 * Cryptography-based Scheme", ICNP 2002.  A 32-byte key: the first 16 bytes
 * are an AES-128 key K, the second 16 bytes are encrypted under K to give
 * the pad P.  Bit i of the output is bit i of the input XOR the first bit of
 * AES_K(first i bits of the input || the remaining bits of P).  Two
 * addresses that share their first k bits therefore share exactly their
 * first k pseudonymized bits, and the map is a bijection per family.
 *
 * IPv4 is exactly Fan's reference implementation (Crypto-PAn 1.0,
 * panonymizer.cpp: the address's bits replace the first 32 bits of the pad
 * block); tests/unit/test_cryptopan.c checks the sample of its
 * distribution, and tests/cli/cryptopan_traceanon.sh libtrace's traceanon
 * (a C port of it).  IPv6 applies the same rule over all 128 bits with the
 * whole pad, as the Go (Yawning/cryptopan) and Rust (cryptoPAn-rs) ports
 * do; their published IPv6 pairs are checked too.  (pktanon's
 * AnonCryptoPan is IPv4 only, and Debian builds pktanon without it.)
 *
 * The AES inputs of one address are independent, so they are encrypted in
 * batches (AES-NI pipelines them).  Caches, which never change an answer:
 * IPv4 one-time-pad bits 0..15 per /16 (a table) and 16..23 per /24
 * (direct-mapped); IPv6 bits 0..63 per /64 and whole pseudonyms per
 * address (direct-mapped), because the addresses of one network share
 * their first bits and one host is seen many times.  The caches make a
 * context single-threaded: one per thread.
 */
#ifndef DT_PRIVACY_CRYPTOPAN_H
#define DT_PRIVACY_CRYPTOPAN_H

#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"

#define CRYPTOPAN_KEY_BYTES 32

struct cryptopan;

/* A context for key (32 bytes); DT_ENOMEM or DT_EIO (OpenSSL) on failure. */
enum dt_err cryptopan_new(const uint8_t key[CRYPTOPAN_KEY_BYTES], struct cryptopan **out);
void cryptopan_free(struct cryptopan *cp);

/* The pseudonym of an IPv4 address (host byte order).  Not thread-safe
 * (the caches): one context per thread. */
uint32_t cryptopan_v4(struct cryptopan *cp, uint32_t addr);

/* The pseudonym of an IPv6 address (host byte order, 128-bit). */
dt_u128 cryptopan_v6(struct cryptopan *cp, dt_u128 addr);

/* Either family; `mapped` is kept.  out may be in. */
void cryptopan_ip(struct cryptopan *cp, const struct dt_ip *in, struct dt_ip *out);

/* The pseudonym of a prefix: the pseudonym of its network address cut to
 * the same length (prefix preservation makes this the image of every
 * address in it). */
void cryptopan_prefix(struct cryptopan *cp, const struct dt_prefix *in, struct dt_prefix *out);

#endif
