/*
 * test_merkle.c — RFC 6962 trees: the 196 inclusion and consistency vectors
 * of transparency-dev/merkle (../shared/corpus/tlog/merkle-testdata: valid
 * ones accepted, every mutated one rejected), and proofs generated from
 * stored subtrees for every (index, size) and (size1, size2) up to 80
 * leaves, checked against a naive recursive MTH and the verifiers.
 */
#include "testhelp.h"

#include <dirent.h>
#include <jansson.h>
#include <sodium.h>

#include "merkle/merkle.h"

static bool b64(const char *s, uint8_t *out, size_t max, size_t *len)
{
	return s && sodium_base642bin(out, max, s, strlen(s), NULL, len, NULL,
				      sodium_base64_VARIANT_ORIGINAL) == 0;
}

static int ran, accepted, rejected;

static uint64_t u64(json_t *o, const char *key)
{
	double d = json_number_value(json_object_get(o, key));

	return d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
}

static void run_vector(const char *path, bool inclusion)
{
	/* leafIdx 2^64-1 does not fit json_int_t: integers come back as reals */
	json_t *v = json_load_file(path, JSON_DECODE_INT_AS_REAL, NULL), *p;
	uint8_t proof[MERKLE_MAX_PROOF][32], root1[64] = {0}, root2[64] = {0}, leaf[64] = {0};
	size_t n = 0, l1 = 0, l2 = 0, ll = 0, i;


	(void)l2;
	bool want_err, ok = true, got;

	if (!v) {
		CHECKF(0, "%s: not JSON", path);
		return;
	}
	want_err = json_is_true(json_object_get(v, "wantErr"));
	json_array_foreach(json_object_get(v, "proof"), i, p) {
		size_t len;

		if (n == MERKLE_MAX_PROOF || !b64(json_string_value(p), proof[n], 32, &len) || len != 32)
			ok = false;
		else
			n++;
	}
	if (inclusion) {
		ok = ok && b64(json_string_value(json_object_get(v, "root")), root1, 64, &l1) &&
		     b64(json_string_value(json_object_get(v, "leafHash")), leaf, 64, &ll);
		/* roots of other lengths are compared zero-padded: never equal to a hash */
		/* a leaf or root that is not a SHA-256 hash cannot verify */
		got = ok && ll == 32 && l1 == 32 && merkle_verify_inclusion(leaf, u64(v, "leafIdx"), u64(v, "treeSize"),
						    proof, n, root1);
	} else {
		ok = ok && b64(json_string_value(json_object_get(v, "root1")), root1, 64, &l1) &&
		     b64(json_string_value(json_object_get(v, "root2")), root2, 64, &l2);
		got = ok && merkle_verify_consistency(u64(v, "size1"), u64(v, "size2"), root1, root2,
						      proof, n);
	}
	CHECKF(got == !want_err, "%s: %s", path, got ? "accepted a bad proof" : "rejected a good proof");
	ran++;
	if (got)
		accepted++;
	else
		rejected++;
	json_decref(v);
}

static void walk(const char *dir, bool inclusion)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char p[2048];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (strstr(e->d_name, ".json"))
			run_vector(p, inclusion);
		else
			walk(p, inclusion);
	}
	if (d)
		closedir(d);
}

static void test_vectors(void)
{
	char dir[512];
	DIR *probe;

	snprintf(dir, sizeof(dir), "%s/tlog/merkle-testdata", th_corpus());
	if ((probe = opendir(dir)) == NULL)
		SKIP("%s absent", dir);
	closedir(probe);
	snprintf(dir, sizeof(dir), "%s/tlog/merkle-testdata/inclusion", th_corpus());
	walk(dir, true);
	snprintf(dir, sizeof(dir), "%s/tlog/merkle-testdata/consistency", th_corpus());
	walk(dir, false);
	CHECKF(ran == 196, "%d vectors", ran);
	printf("     %d vectors: %d valid accepted, %d invalid rejected\n", ran, accepted, rejected);
}

/* An in-memory store of complete subtrees. */
#define N 80
static uint8_t store[8][N][32];
static bool have[8][N];

static enum dt_err rd(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
	(void)ctx;
	if (level >= 8 || index >= N || !have[level][index])
		return DT_ENOTFOUND;
	memcpy(out, store[level][index], 32);
	return DT_OK;
}

static uint8_t leaves[N][32];

static void mth(uint64_t lo, uint64_t hi, uint8_t out[32])
{
	uint8_t l[32], r[32];
	uint64_t k = 1;

	if (hi - lo == 1) {
		memcpy(out, leaves[lo], 32);
		return;
	}
	while (k << 1 < hi - lo)
		k <<= 1;
	mth(lo, lo + k, l);
	mth(lo + k, hi, r);
	merkle_node_hash(l, r, out);
}

static void test_generated(void)
{
	uint8_t root[N + 1][32], proof[MERKLE_MAX_PROOF][32];
	struct merkle_stored st[64];
	size_t ns, np;

	memset(have, 0, sizeof(have));
	merkle_empty_root(root[0]);
	CHECK(merkle_root(rd, NULL, 0, proof[0]) == DT_OK && memcmp(proof[0], root[0], 32) == 0);
	for (uint64_t i = 0; i < N; i++) {
		char data[16];
		int len = snprintf(data, sizeof(data), "leaf %d", (int)i);

		merkle_leaf_hash(data, (size_t)len, leaves[i]);
		CHECK(merkle_append(rd, NULL, i, leaves[i], st, &ns) == DT_OK);
		for (size_t k = 0; k < ns; k++) {
			memcpy(store[st[k].level][st[k].index], st[k].hash, 32);
			have[st[k].level][st[k].index] = true;
		}
		mth(0, i + 1, root[i + 1]);
		CHECK(merkle_root(rd, NULL, i + 1, proof[0]) == DT_OK &&
		      memcmp(proof[0], root[i + 1], 32) == 0);
	}
	for (uint64_t size = 1; size <= N; size++) {
		for (uint64_t i = 0; i < size; i++) {
			CHECK(merkle_prove_inclusion(rd, NULL, i, size, proof, &np) == DT_OK);
			CHECKF(merkle_verify_inclusion(leaves[i], i, size, proof, np, root[size]),
			       "inclusion %d in %d", (int)i, (int)size);
			/* the same proof must not verify for another index or a wrong root */
			if (size > 1)
				CHECK(!merkle_verify_inclusion(leaves[i], (i + 1) % size, size, proof, np, root[size]));
			CHECK(!merkle_verify_inclusion(leaves[i], i, size, proof, np, root[size - 1]));
		}
		for (uint64_t s1 = 1; s1 <= size; s1++) {
			CHECK(merkle_prove_consistency(rd, NULL, s1, size, proof, &np) == DT_OK);
			CHECKF(merkle_verify_consistency(s1, size, root[s1], root[size], proof, np),
			       "consistency %d -> %d", (int)s1, (int)size);
			if (s1 < size)
				CHECK(!merkle_verify_consistency(s1, size, root[s1 - 1], root[size], proof, np));
		}
	}
	CHECK(merkle_prove_inclusion(rd, NULL, 5, 5, proof, &np) == DT_EINVAL);
	CHECK(merkle_prove_consistency(rd, NULL, 6, 5, proof, &np) == DT_EINVAL);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(test_vectors);
	RUN(test_generated);
	DONE();
}
