/*
 * sha256.c — see sha256.h.
 */
#include "core/sha256.h"

#include <openssl/evp.h>

int dt_sha256_init(struct dt_sha256 *h)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	h->md = md;
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		h->md = NULL;
		return -1;
	}
	return 0;
}

void dt_sha256_update(struct dt_sha256 *h, const void *data, size_t len)
{
	if (h->md && len)
		EVP_DigestUpdate(h->md, data, len);
}

void dt_sha256_final(struct dt_sha256 *h, uint8_t out[32])
{
	if (h->md)
		EVP_DigestFinal_ex(h->md, out, NULL);
	EVP_MD_CTX_free(h->md);
	h->md = NULL;
}

int dt_sha256(uint8_t out[32], const void *data, size_t len)
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 ? 0 : -1;
}
