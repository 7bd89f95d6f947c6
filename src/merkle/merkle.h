/*
 * merkle.h — RFC 6962 Merkle tree hashing, proofs and their verification.
 *
 * Hashes are SHA-256: a leaf hashes as SHA-256(0x00 || data), an interior
 * node as SHA-256(0x01 || left || right), the empty tree as SHA-256("").
 *
 * Storage-agnostic: the tree is read through a callback that returns the
 * hash of a *complete* subtree, identified by level and index — level L,
 * index i covers leaves [i * 2^L, (i + 1) * 2^L).  Appending leaf n makes
 * the leaf hash (level 0) and every parent it completes storable;
 * merkle_append() says which.  With those stored, a root, an inclusion
 * proof or a consistency proof costs O(log^2 n) reads at most (O(log n)
 * for roots of complete prefixes).  This module knows nothing of SQLite.
 *
 * The verifiers are pure functions of their arguments and accept exactly
 * RFC 9162 section 2.1.3.2 / 2.1.4.2 proofs.
 */
#ifndef DT_MERKLE_H
#define DT_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define MERKLE_HASH_LEN  32
#define MERKLE_MAX_PROOF 128 /* hashes; 2 * 64 bounds any proof */

typedef enum dt_err merkle_read_fn(void *ctx, unsigned level, uint64_t index,
                                   uint8_t out[MERKLE_HASH_LEN]);

struct merkle_stored {
	unsigned level;
	uint64_t index;
	uint8_t hash[MERKLE_HASH_LEN];
};

void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_LEN]);
void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN], const uint8_t right[MERKLE_HASH_LEN],
                      uint8_t out[MERKLE_HASH_LEN]);
void merkle_empty_root(uint8_t out[MERKLE_HASH_LEN]);

/*
 * Appending leaf number n (tree size n before): out[0] is the leaf itself
 * at level 0, followed by every complete subtree the leaf closes (at most
 * 64 entries in all).  rd supplies the left siblings.
 */
enum dt_err merkle_append(merkle_read_fn *rd, void *ctx, uint64_t n,
                          const uint8_t leaf_hash[MERKLE_HASH_LEN], struct merkle_stored *out,
                          size_t *nout);

/* The root of the first `size` leaves. */
enum dt_err merkle_root(merkle_read_fn *rd, void *ctx, uint64_t size, uint8_t out[MERKLE_HASH_LEN]);

/* Inclusion proof of leaf index in the tree of `size` leaves. */
enum dt_err merkle_prove_inclusion(merkle_read_fn *rd, void *ctx, uint64_t index, uint64_t size,
                                   uint8_t proof[][MERKLE_HASH_LEN], size_t *n);

/* Consistency proof from size1 to size2 (0 < size1 <= size2). */
enum dt_err merkle_prove_consistency(merkle_read_fn *rd, void *ctx, uint64_t size1, uint64_t size2,
                                     uint8_t proof[][MERKLE_HASH_LEN], size_t *n);

bool merkle_verify_inclusion(const uint8_t leaf_hash[MERKLE_HASH_LEN], uint64_t index,
                             uint64_t size, const uint8_t proof[][MERKLE_HASH_LEN], size_t n,
                             const uint8_t root[MERKLE_HASH_LEN]);

bool merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t root1[MERKLE_HASH_LEN],
                               const uint8_t root2[MERKLE_HASH_LEN],
                               const uint8_t proof[][MERKLE_HASH_LEN], size_t n);

#endif
