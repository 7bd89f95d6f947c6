/*
 * uuid.h — name-based UUIDs (RFC 9562 §5.5, version 5: SHA-1), the ids
 * detente gives the STIX objects it writes, so that the same content gets
 * the same id on every node and every run (STIX 2.1 §2.9 recommends v5
 * for deterministic identifiers).
 */
#ifndef DT_UUID_H
#define DT_UUID_H

#include <stdbool.h>
#include <stddef.h>

/* The namespace STIX 2.1 §2.9 defines for SCO ids. */
#define UUID_NS_STIX "00abedb4-aa42-466c-9c01-fed23315a9b7"

/* Writes the 36-character lower-case text of the v5 UUID of name (n bytes)
 * in namespace ns (UUID text) and a NUL to out[37].  False when ns is not a
 * UUID. */
bool uuid_v5(const char *ns, const void *name, size_t n, char out[37]);

#endif
