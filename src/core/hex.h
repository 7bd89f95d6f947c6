/*
 * hex.h — lower-case hexadecimal, the one spelling of digests in names,
 * manifests, ledger entries and events.
 */
#ifndef DT_HEX_H
#define DT_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes 2n hex digits and a NUL to out (2n + 1 bytes). */
void dt_hex_encode(const uint8_t *d, size_t n, char *out);

/* The value of one hex digit (either case), or -1. */
static inline int dt_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
