/*
 * uuid.c — see uuid.h.  RFC 9562 §5.5: SHA-1 over the namespace's 16 bytes
 * then the name; the first 16 bytes of the digest, with the version (5) in
 * the high nibble of byte 6 and the variant (10xx) in byte 8.
 */
#include "core/uuid.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>

#include "core/hex.h"

static bool parse(const char *s, uint8_t out[16])
{
	size_t k = 0;

	for (size_t i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
			continue;
		}
		if ((hi = dt_hex_digit(s[i])) < 0 || (lo = dt_hex_digit(s[i + 1])) < 0)
			return false;
		out[k++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	return k == 16 && s[36] == '\0';
}

bool uuid_v5(const char *ns, const void *name, size_t n, char out[37])
{
	/* one context a thread, kept: creating one costs more than hashing
	 * a short name (a million indicators are a million ids) */
	static _Thread_local EVP_MD_CTX *c;
	static _Thread_local const EVP_MD *sha1;
	uint8_t nsb[16], d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;

	if (!parse(ns, nsb))
		return false;
	if (c == NULL && (c = EVP_MD_CTX_new()) == NULL)
		return false;
	if (sha1 == NULL && (sha1 = EVP_sha1()) == NULL)
		return false;
	if (!EVP_DigestInit_ex(c, sha1, NULL) || !EVP_DigestUpdate(c, nsb, 16) ||
	    !EVP_DigestUpdate(c, name, n) || !EVP_DigestFinal_ex(c, d, &dl) || dl < 16)
		return false;
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x50);
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12],
	         d[13], d[14], d[15]);
	return true;
}
