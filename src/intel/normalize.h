/*
 * normalize.h — one canonical text per indicator value, so that the same
 * value from two producers (or written two ways by one) is stored and
 * matched once.
 *
 * Rules, by type:
 *   IT_IP/IT_IPV4/IT_IPV6: an address or a CIDR.  Addresses in the usual
 *     text form (IPv6 per RFC 5952: lower-case, longest zero run as "::",
 *     IPv4-mapped as ::ffff:a.b.c.d); a CIDR with host bits set is
 *     reduced to its network ("10.1.2.3/8" -> "10.0.0.0/8"), a full-length
 *     prefix written as the bare address ("1.2.3.4/32" -> "1.2.3.4").  The
 *     type becomes IT_IPV4 or IT_IPV6.
 *   IT_DOMAIN: ASCII lower-case, one trailing dot removed, labels 1..63
 *     bytes, total ≤ 253, letters/digits/hyphen/underscore (A-labels, i.e.
 *     punycode, as written); a leading "*." is refused.
 *   IT_URL: the matching key detente uses for URLs: no scheme ("http://",
 *     "https://" and other "scheme://" dropped), host lower-case with one
 *     trailing dot removed, default port (:80, :443) dropped, no fragment,
 *     path as written ("/" when empty), query kept.  So
 *     "HTTP://Evil.COM:80/a?b#c" and "evil.com/a?b" (Zeek Intel's form) are
 *     one value: "evil.com/a?b".
 *   hashes (IT_MD5, IT_SHA1, IT_SHA256, IT_SHA512, IT_CERT_*, IT_JA3):
 *     lower-case hex of exactly the type's length (JA3 is an MD5); a
 *     certificate fingerprint written with colons ("AB:CD:...") is
 *     accepted.
 *   IT_EMAIL: lower-case.
 *   IT_OTHER: as given, surrounding white space removed.
 * Every type: surrounding white space removed; empty values, control
 * characters and values over 2048 bytes refused.
 */
#ifndef DT_INTEL_NORMALIZE_H
#define DT_INTEL_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/strbuf.h"
#include "intel/intel.h"

#define INTEL_MAX_VALUE 2048

/*
 * Writes the canonical form of v[0..len) (of type *t) to out (reset
 * first).  For IT_IP, *t becomes IT_IPV4 or IT_IPV6.  False, with *why a
 * static reason ("not an IPv4 address or CIDR", "MD5 must be 32 hex
 * digits", ...), when the value is not valid for its type.
 */
bool intel_normalize(enum ind_type *t, const char *v, size_t len, struct strbuf *out,
                     const char **why);

/* The URL matching key of an event's URL: url may be absolute ("http://h/p")
 * or a path ("/p", then host — the HTTP Host or TLS SNI — supplies the
 * host).  False when there is nothing to match (no host for a path). */
bool intel_url_key(const char *url, size_t ulen, const char *host, size_t hlen, struct strbuf *out);

/* Stable names: "ipv4-addr", "ipv6-addr", "ip" (before normalization),
 * "domain-name", "url", "md5", "sha1", "sha256", "sha512", "x509-sha1",
 * "x509-sha256", "ja3", "email", "other". */
const char *intel_type_name(enum ind_type t);
enum ind_type intel_type_from_name(const char *name);

#endif
