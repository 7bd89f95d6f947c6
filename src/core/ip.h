/*
 * ip.h — IPv4 and IPv6 addresses as integers, parsed and printed by hand.
 *
 * Every other module compares, masks and orders addresses, so they are kept
 * as numbers: an IPv4 address is a 32-bit value, an IPv6 address a 128-bit
 * value (GCC/Clang unsigned __int128), both host byte order.  IPv4-mapped
 * IPv6 text (::ffff:a.b.c.d) parses to an IPv4 address with `mapped` set, so
 * a lookup treats it exactly as the IPv4 address it names.
 *
 * The parsers take a {pointer, length} slice (no NUL needed), never read
 * past it, and accept exactly the text forms of RFC 4291 section 2.2 and
 * dotted-quad IPv4 without leading zeros (which inet_aton would read as
 * octal).  Zone identifiers (fe80::1%eth0) are rejected.  The printers write
 * RFC 5952 canonical text.
 */
#ifndef DT_IP_H
#define DT_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef unsigned __int128 dt_u128;

#define DT_IP_V4 4
#define DT_IP_V6 6

/* Longest text form: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128". */
#define DT_IP_STRLEN 64

struct dt_ip {
	uint8_t family; /* DT_IP_V4 or DT_IP_V6 */
	bool mapped;    /* family 4, written as ::ffff:a.b.c.d */
	dt_u128 addr;   /* IPv4: the low 32 bits */
};

struct dt_prefix {
	struct dt_ip ip; /* host bits are zero */
	uint8_t len;     /* 0..32 or 0..128 */
};

/* Parses one address from s[0..len).  Returns DT_OK or DT_EPARSE. */
enum dt_err dt_ip_parse(const char *s, size_t len, struct dt_ip *out);

/*
 * Parses "addr" or "addr/len".  Host bits beyond len are cleared; *had_host_bits
 * (may be NULL) says whether any were set, for callers that want to warn.
 * An IPv4-mapped prefix (::ffff:0:0/96 and longer) becomes an IPv4 prefix.
 */
enum dt_err dt_prefix_parse(const char *s, size_t len, struct dt_prefix *out, bool *had_host_bits);

/* Parses a decimal unsigned number of up to 39 digits (128 bits). */
enum dt_err dt_u128_parse(const char *s, size_t len, dt_u128 *out);

/* Writes canonical text; buf must hold DT_IP_STRLEN bytes.  Returns length. */
size_t dt_ip_format(const struct dt_ip *ip, char *buf);
size_t dt_prefix_format(const struct dt_prefix *p, char *buf);

/* Width in bits of the family: 32 or 128. */
static inline unsigned dt_ip_bits(uint8_t family)
{
	return family == DT_IP_V4 ? 32 : 128;
}

/* The mask of the first len bits of a family-width value. */
static inline dt_u128 dt_ip_mask(uint8_t family, unsigned len)
{
	unsigned bits = dt_ip_bits(family);
	dt_u128 all = family == DT_IP_V4 ? (dt_u128)0xffffffffu : ~(dt_u128)0;

	if (len == 0)
		return 0;
	return (all << (bits - len)) & all;
}

/* Largest value of the family (255.255.255.255 or ffff:...:ffff). */
static inline dt_u128 dt_ip_max(uint8_t family)
{
	return family == DT_IP_V4 ? (dt_u128)0xffffffffu : ~(dt_u128)0;
}

/*
 * The widest prefix containing addr that lies inside [lo, hi]
 * (lo <= addr <= hi is required).
 */
uint8_t dt_ip_widest_prefix(uint8_t family, dt_u128 addr, dt_u128 lo, dt_u128 hi);

#endif
