/*
 * privacy.h — victims' privacy in what leaves the node.
 *
 * Attacker-side data (remote endpoints, their domains, URLs, hashes,
 * certificates, signatures) is shared in clear.  Victim-side data is
 * pseudonymized in everything a peer receives:
 *
 *   - addresses inside the victim's home networks: Crypto-PAn
 *     (privacy/cryptopan.h), prefix-preserving, so a shared /24 stays a
 *     shared /24 and one host always has one pseudonym;
 *   - host names under the node's home domains: "h-<10>.d-<8>.invalid",
 *     where <10> is keyed by the whole name and <8> by the home domain, so
 *     that names of one domain still share a suffix;
 *   - user names and e-mail addresses: "u-<12>" (e-mail: "u-<12>@" and the
 *     domain, pseudonymized when it is a home domain);
 *   - other identifying values (URL query values, paths naming users):
 *     "v-<12>".
 * <n> is n characters of base32 (RFC 4648 alphabet, lower case) of a keyed
 * BLAKE2b of a type tag and the value.  The same value always gets the same
 * pseudonym under one key, in payloads, events and reports alike.
 *
 * The key (64 bytes: 32 for Crypto-PAn, 32 for the keyed hash) is derived
 * from the node's signing seed (ledger_privacy_key) and never leaves the
 * node.  A privacy context is not thread-safe: one per thread.
 */
#ifndef DT_PRIVACY_H
#define DT_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"
#include "core/strbuf.h"

#define PRIVACY_KEY_BYTES   64
#define PRIVACY_MAX_DOMAINS 256
#define PRIVACY_MAX_NETS    64
/* Longest pseudonym: "h-" 10 "." "d-" 8 ".invalid", or an e-mail's. */
#define PRIVACY_PSEUDO_MAX 64

struct privacy;

/* What a sanitizer changed, for `share preview` and tests. */
struct privacy_counts {
	uint64_t records;  /* records (lines, packets) written */
	uint64_t addrs;    /* victim addresses pseudonymized */
	uint64_t names;    /* host names under home domains */
	uint64_t users;    /* user names and e-mail addresses */
	uint64_t values;   /* other identifying values (query values, paths) */
	uint64_t dropped;  /* payload bytes/fields withheld (e.g. packet payloads) */
	uint64_t unparsed; /* records not understood: scrubbed as text */
};

enum dt_err privacy_new(const uint8_t key[PRIVACY_KEY_BYTES], struct privacy **out);
void privacy_free(struct privacy *p);

/* The victim's networks and the node's home domains (a name is under a
 * domain when equal to it or ending in "." + it, case-insensitively; a
 * trailing dot is ignored).  DT_ELIMIT beyond the maxima, DT_EPARSE for a
 * domain that is not a host name. */
enum dt_err privacy_add_net(struct privacy *p, const struct dt_prefix *net);
void privacy_clear_nets(struct privacy *p);
enum dt_err privacy_add_domain(struct privacy *p, const char *d, size_t n);

bool privacy_home_addr(const struct privacy *p, const struct dt_ip *ip);

/* The pseudonym of ip when it is in a home network (returns true), else ip
 * unchanged (false).  out may be ip. */
bool privacy_addr(struct privacy *p, const struct dt_ip *ip, struct dt_ip *out);

/* Any address, home or not (for tests and prefix pseudonyms). */
void privacy_addr_always(struct privacy *p, const struct dt_ip *ip, struct dt_ip *out);
void privacy_prefix(struct privacy *p, const struct dt_prefix *in, struct dt_prefix *out);

/* The home domain s[0..n) is under (its length), or 0 when none. */
size_t privacy_home_name(const struct privacy *p, const char *s, size_t n);

/*
 * Pseudonyms as text into out (PRIVACY_PSEUDO_MAX bytes + NUL); each
 * returns the length written, or 0 when the value is not victim-side and
 * stays as it is (privacy_name: not under a home domain).
 */
size_t privacy_name(const struct privacy *p, const char *s, size_t n, char *out);
size_t privacy_user(const struct privacy *p, const char *s, size_t n, char *out);
size_t privacy_value(const struct privacy *p, const char *s, size_t n, char *out);

/*
 * Appends s[0..n) to out with every victim-side token replaced: IPv4/IPv6
 * addresses in home networks (also as addr:port, [v6]:port and tcpdump's
 * addr.port), host names under home domains, and e-mail addresses whose
 * domain is a home domain.  Everything else is copied byte for byte.  c
 * (may be NULL) counts the replacements.
 */
enum dt_err privacy_scrub(struct privacy *p, const char *s, size_t n, struct strbuf *out,
                          struct privacy_counts *c);

#endif
