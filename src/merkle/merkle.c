/*
 * merkle.c — RFC 6962 / RFC 9162 Merkle trees over stored complete
 * subtrees.
 *
 * Every hash the proofs need is the hash of a range [lo, hi) met in the
 * RFC's recursive split (left part: the largest power of two smaller than
 * the range).  Such a range is either a complete, aligned subtree — one
 * read — or splits into one that is and a smaller remainder, so a range
 * hash costs at most one read per level.
 */
#include "merkle/merkle.h"

#include <sodium.h>
#include <string.h>

void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_LEN])
{
	crypto_hash_sha256_state st;
	const uint8_t zero = 0;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &zero, 1);
	crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, out);
}

void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN], const uint8_t right[MERKLE_HASH_LEN],
                      uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t buf[1 + 2 * MERKLE_HASH_LEN];

	buf[0] = 1;
	memcpy(buf + 1, left, MERKLE_HASH_LEN);
	memcpy(buf + 1 + MERKLE_HASH_LEN, right, MERKLE_HASH_LEN);
	crypto_hash_sha256(out, buf, sizeof(buf));
}

void merkle_empty_root(uint8_t out[MERKLE_HASH_LEN])
{
	crypto_hash_sha256(out, NULL, 0);
}

/* Largest power of two strictly smaller than n (n >= 2). */
static uint64_t split(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

static bool is_pow2(uint64_t n)
{
	return n && !(n & (n - 1));
}

static unsigned log2u(uint64_t n)
{
	return 63u - (unsigned)__builtin_clzll(n);
}

/* Hash of leaves [lo, hi), hi > lo. */
static enum dt_err range_hash(merkle_read_fn *rd, void *ctx, uint64_t lo, uint64_t hi,
                              uint8_t out[MERKLE_HASH_LEN])
{
	uint64_t n = hi - lo;
	uint8_t l[MERKLE_HASH_LEN], r[MERKLE_HASH_LEN];
	enum dt_err err;

	if (n == 0)
		return DT_EINVAL;
	if (is_pow2(n) && lo % n == 0)
		return rd(ctx, log2u(n), lo >> log2u(n), out);
	uint64_t k = split(n);
	if ((err = range_hash(rd, ctx, lo, lo + k, l)) ||
	    (err = range_hash(rd, ctx, lo + k, hi, r)))
		return err;
	merkle_node_hash(l, r, out);
	return DT_OK;
}

enum dt_err merkle_append(merkle_read_fn *rd, void *ctx, uint64_t n,
                          const uint8_t leaf_hash[MERKLE_HASH_LEN], struct merkle_stored *out,
                          size_t *nout)
{
	uint8_t h[MERKLE_HASH_LEN], left[MERKLE_HASH_LEN];
	uint64_t idx = n;
	unsigned level = 0;
	size_t k = 0;
	enum dt_err err;

	memcpy(h, leaf_hash, MERKLE_HASH_LEN);
	out[k].level = 0;
	out[k].index = n;
	memcpy(out[k++].hash, h, MERKLE_HASH_LEN);
	while (idx & 1) {
		if ((err = rd(ctx, level, idx - 1, left)))
			return err;
		merkle_node_hash(left, h, h);
		idx >>= 1;
		level++;
		out[k].level = level;
		out[k].index = idx;
		memcpy(out[k++].hash, h, MERKLE_HASH_LEN);
	}
	*nout = k;
	return DT_OK;
}

enum dt_err merkle_root(merkle_read_fn *rd, void *ctx, uint64_t size, uint8_t out[MERKLE_HASH_LEN])
{
	if (size == 0) {
		merkle_empty_root(out);
		return DT_OK;
	}
	return range_hash(rd, ctx, 0, size, out);
}

static enum dt_err path(merkle_read_fn *rd, void *ctx, uint64_t m, uint64_t lo, uint64_t hi,
                        uint8_t proof[][MERKLE_HASH_LEN], size_t *n)
{
	enum dt_err err;
	uint64_t k;

	if (hi - lo == 1)
		return DT_OK;
	k = split(hi - lo);
	if (m < lo + k) {
		if ((err = path(rd, ctx, m, lo, lo + k, proof, n)))
			return err;
		return range_hash(rd, ctx, lo + k, hi, proof[(*n)++]);
	}
	if ((err = path(rd, ctx, m, lo + k, hi, proof, n)))
		return err;
	return range_hash(rd, ctx, lo, lo + k, proof[(*n)++]);
}

enum dt_err merkle_prove_inclusion(merkle_read_fn *rd, void *ctx, uint64_t index, uint64_t size,
                                   uint8_t proof[][MERKLE_HASH_LEN], size_t *n)
{
	*n = 0;
	if (index >= size)
		return DT_EINVAL;
	return path(rd, ctx, index, 0, size, proof, n);
}

static enum dt_err subproof(merkle_read_fn *rd, void *ctx, uint64_t m, uint64_t lo, uint64_t hi,
                            bool whole, uint8_t proof[][MERKLE_HASH_LEN], size_t *n)
{
	uint64_t len = hi - lo, k;
	enum dt_err err;

	if (m == len) {
		if (whole)
			return DT_OK;
		return range_hash(rd, ctx, lo, hi, proof[(*n)++]);
	}
	k = split(len);
	if (m <= k) {
		if ((err = subproof(rd, ctx, m, lo, lo + k, whole, proof, n)))
			return err;
		return range_hash(rd, ctx, lo + k, hi, proof[(*n)++]);
	}
	if ((err = subproof(rd, ctx, m - k, lo + k, hi, false, proof, n)))
		return err;
	return range_hash(rd, ctx, lo, lo + k, proof[(*n)++]);
}

enum dt_err merkle_prove_consistency(merkle_read_fn *rd, void *ctx, uint64_t size1, uint64_t size2,
                                     uint8_t proof[][MERKLE_HASH_LEN], size_t *n)
{
	*n = 0;
	if (size1 == 0 || size1 > size2)
		return DT_EINVAL;
	return subproof(rd, ctx, size1, 0, size2, true, proof, n);
}

bool merkle_verify_inclusion(const uint8_t leaf_hash[MERKLE_HASH_LEN], uint64_t index,
                             uint64_t size, const uint8_t proof[][MERKLE_HASH_LEN], size_t n,
                             const uint8_t root[MERKLE_HASH_LEN])
{
	uint8_t r[MERKLE_HASH_LEN];
	uint64_t fn = index, sn;

	if (index >= size || n > MERKLE_MAX_PROOF)
		return false;
	sn = size - 1;
	memcpy(r, leaf_hash, MERKLE_HASH_LEN);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(r, root, MERKLE_HASH_LEN) == 0;
}

bool merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t root1[MERKLE_HASH_LEN],
                               const uint8_t root2[MERKLE_HASH_LEN],
                               const uint8_t proof[][MERKLE_HASH_LEN], size_t n)
{
	uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
	uint64_t fn, sn;
	size_t i = 0;

	/* a proof from the empty tree proves nothing (RFC 9162 requires
	 * 0 < size1); equal sizes need equal roots and no proof */
	if (size1 == 0 || size1 > size2 || n > MERKLE_MAX_PROOF)
		return false;
	if (size1 == size2)
		return n == 0 && sodium_memcmp(root1, root2, MERKLE_HASH_LEN) == 0;
	if (n == 0)
		return false;
	if (is_pow2(size1)) {
		memcpy(fr, root1, MERKLE_HASH_LEN);
	} else {
		memcpy(fr, proof[0], MERKLE_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, MERKLE_HASH_LEN);
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], fr, fr);
			merkle_node_hash(proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(fr, root1, MERKLE_HASH_LEN) == 0 &&
	       sodium_memcmp(sr, root2, MERKLE_HASH_LEN) == 0;
}
