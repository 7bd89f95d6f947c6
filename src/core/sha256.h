/*
 * sha256.h — SHA-256 over bulk data (files, payloads, index images).
 *
 * OpenSSL's libcrypto, which uses the CPU's SHA extensions where there are
 * any: about 1.5 GB/s against libsodium's portable 0.34 GB/s on this
 * project's machines.  Small, fixed-shape hashes (Merkle leaves and nodes,
 * key ids) stay with libsodium, where a call costs less.
 */
#ifndef DT_SHA256_H
#define DT_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct dt_sha256 {
	void *md; /* EVP_MD_CTX */
};

/* 0 on success; -1 only when out of memory. */
int dt_sha256_init(struct dt_sha256 *h);
void dt_sha256_update(struct dt_sha256 *h, const void *data, size_t len);
/* Writes the digest and releases h. */
void dt_sha256_final(struct dt_sha256 *h, uint8_t out[32]);

/* One shot; 0 on success, -1 when out of memory. */
int dt_sha256(uint8_t out[32], const void *data, size_t len);

#endif
