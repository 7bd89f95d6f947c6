/*
 * cryptopan.c — Crypto-PAn over OpenSSL's AES-128 (see cryptopan.h).
 */
#include "privacy/cryptopan.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TOP_BITS  16         /* fully tabulated IPv4 prefix */
#define MID_BITS  24         /* cached IPv4 prefix */
#define MID_SLOTS (1u << 13) /* direct-mapped /24 cache */

struct mid_slot {
	uint32_t key; /* prefix24 + 1 (0: empty) */
	uint32_t otp; /* otp bits 16..23, in place */
};

#define V6_SLOTS    (1u << 12) /* direct-mapped IPv6 /64 cache */
#define HOST6_SLOTS (1u << 11) /* direct-mapped IPv6 address cache */

struct v6_slot {
	uint64_t key; /* the top 64 bits of the address */
	uint64_t otp; /* otp bits 0..63 */
	bool ok;
};

struct cryptopan {
	EVP_CIPHER_CTX *ctx;
	uint8_t pad[16];
	uint32_t pad4;                /* first 32 bits of the pad */
	uint16_t top[1u << TOP_BITS]; /* otp bits 0..15 by the address's top 16 bits */
	uint8_t top_ok[(1u << TOP_BITS) / 8];
	struct mid_slot mid[MID_SLOTS];
	struct v6_slot v6[V6_SLOTS];
	struct host6_slot {
		dt_u128 addr, image;
		bool ok;
	} host6[HOST6_SLOTS];
};

static int ecb(struct cryptopan *cp, const uint8_t *in, uint8_t *out, size_t blocks)
{
	int n = 0;

	return EVP_EncryptUpdate(cp->ctx, out, &n, in, (int)(blocks * 16)) == 1 &&
	       n == (int)(blocks * 16);
}

enum dt_err cryptopan_new(const uint8_t key[CRYPTOPAN_KEY_BYTES], struct cryptopan **out)
{
	struct cryptopan *cp = calloc(1, sizeof(*cp));

	*out = NULL;
	if (!cp)
		return DT_ENOMEM;
	cp->ctx = EVP_CIPHER_CTX_new();
	if (!cp->ctx || EVP_EncryptInit_ex(cp->ctx, EVP_aes_128_ecb(), NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(cp->ctx, 0) != 1 || !ecb(cp, key + 16, cp->pad, 1)) {
		cryptopan_free(cp);
		return DT_EIO;
	}
	cp->pad4 = (uint32_t)cp->pad[0] << 24 | (uint32_t)cp->pad[1] << 16 |
	           (uint32_t)cp->pad[2] << 8 | cp->pad[3];
	*out = cp;
	return DT_OK;
}

void cryptopan_free(struct cryptopan *cp)
{
	if (!cp)
		return;
	EVP_CIPHER_CTX_free(cp->ctx);
	free(cp);
}

/* The one-time-pad bits from..to-1 of an IPv4 address, in place (bit 0 is
 * the most significant). */
static uint32_t otp_v4(struct cryptopan *cp, uint32_t a, unsigned from, unsigned to)
{
	uint8_t in[32 * 16], res[32 * 16];
	uint32_t otp = 0;
	unsigned n = to - from;

	for (unsigned i = 0; i < n; i++) {
		unsigned pos = from + i;
		uint32_t keep = pos ? ~0u << (32 - pos) : 0;
		uint32_t v = (a & keep) | (cp->pad4 & ~keep);
		uint8_t *b = in + 16 * i;

		b[0] = (uint8_t)(v >> 24);
		b[1] = (uint8_t)(v >> 16);
		b[2] = (uint8_t)(v >> 8);
		b[3] = (uint8_t)v;
		memcpy(b + 4, cp->pad + 4, 12);
	}
	if (!ecb(cp, in, res, n))
		abort(); /* AES-128-ECB on a set-up context does not fail */
	for (unsigned i = 0; i < n; i++)
		otp |= (uint32_t)(res[16 * i] >> 7) << (31 - (from + i));
	return otp;
}

uint32_t cryptopan_v4(struct cryptopan *cp, uint32_t a)
{
	uint32_t t = a >> (32 - TOP_BITS), p24 = a >> (32 - MID_BITS), otp;
	struct mid_slot *m = &cp->mid[(p24 * 2654435761u) >> (32 - 13)];

	if (!(cp->top_ok[t >> 3] & (1u << (t & 7)))) {
		cp->top[t] = (uint16_t)(otp_v4(cp, a, 0, TOP_BITS) >> 16);
		cp->top_ok[t >> 3] |= (uint8_t)(1u << (t & 7));
	}
	otp = (uint32_t)cp->top[t] << 16;
	if (m->key != p24 + 1) {
		m->otp = otp_v4(cp, a, TOP_BITS, MID_BITS);
		m->key = p24 + 1;
	}
	otp |= m->otp | otp_v4(cp, a, MID_BITS, 32);
	return a ^ otp;
}

/*
 * The one-time-pad bits from..from+n-1 (n <= 64) of an IPv6 address a
 * (16 bytes, network order), as the low n bits of the result (bit from is
 * the most significant of them).  The AES input of bit i is the input of
 * bit i-1 with its bit i-1 taken from the address instead of the pad, so
 * the inputs are built one from the other; all n go to AES in one call.
 */
static uint64_t otp_v6(struct cryptopan *cp, const uint8_t a[16], unsigned from, unsigned n)
{
	uint8_t in[64 * 16], res[64 * 16], cur[16];
	uint64_t otp = 0;

	memcpy(cur, a, from / 8);
	memcpy(cur + from / 8, cp->pad + from / 8, 16 - from / 8);
	if (from % 8) {
		uint8_t keep = (uint8_t)(0xff00u >> (from % 8)); /* address bits of the byte */

		cur[from / 8] = (uint8_t)((a[from / 8] & keep) | (cp->pad[from / 8] & ~keep));
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned pos = from + i;
		uint8_t m = (uint8_t)(0x80u >> (pos % 8));

		memcpy(in + 16 * i, cur, 16);
		cur[pos / 8] = (uint8_t)((cur[pos / 8] & ~m) | (a[pos / 8] & m));
	}
	if (!ecb(cp, in, res, n))
		abort(); /* AES-128-ECB on a set-up context does not fail */
	for (unsigned i = 0; i < n; i++)
		otp = otp << 1 | (uint64_t)(res[16 * i] >> 7);
	return otp;
}

dt_u128 cryptopan_v6(struct cryptopan *cp, dt_u128 a)
{
	uint64_t hi = (uint64_t)(a >> 64), lo = (uint64_t)a;
	struct v6_slot *s = &cp->v6[(hi * 0x9e3779b97f4a7c15ull) >> (64 - 12)];
	struct host6_slot *h = &cp->host6[((hi ^ lo) * 0x9e3779b97f4a7c15ull) >> (64 - 11)];
	uint8_t b[16];

	/* one host is seen many times (64 AES blocks per address otherwise) */
	if (h->ok && h->addr == a)
		return h->image;

	for (int i = 0; i < 8; i++) {
		b[i] = (uint8_t)(hi >> (56 - 8 * i));
		b[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
	/* the first 64 bits of the pad are shared by one /64: cached */
	if (!s->ok || s->key != hi) {
		s->otp = otp_v6(cp, b, 0, 64);
		s->key = hi;
		s->ok = true;
	}
	h->addr = a;
	h->image = a ^ ((dt_u128)s->otp << 64 | otp_v6(cp, b, 64, 64));
	h->ok = true;
	return h->image;
}

void cryptopan_ip(struct cryptopan *cp, const struct dt_ip *in, struct dt_ip *out)
{
	struct dt_ip r = *in;

	if (in->family == DT_IP_V4)
		r.addr = cryptopan_v4(cp, (uint32_t)in->addr);
	else
		r.addr = cryptopan_v6(cp, in->addr);
	*out = r;
}

void cryptopan_prefix(struct cryptopan *cp, const struct dt_prefix *in, struct dt_prefix *out)
{
	struct dt_prefix r = *in;

	cryptopan_ip(cp, &in->ip, &r.ip);
	r.ip.addr &= dt_ip_mask(in->ip.family, in->len);
	*out = r;
}
