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

#endif
