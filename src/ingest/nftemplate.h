/*
 * nftemplate.h — the template cache of the NetFlow v9 / IPFIX decoder
 * (ingest/netflow.c), and what each template field means to a flow event.
 *
 * NetFlow v9 (RFC 3954 section 5) and IPFIX (RFC 7011 section 3.4) data
 * records carry no field names: their layout is a template sent earlier,
 * in the same or another packet, and identified by (exporter, source id /
 * observation domain id, template id).  The cache keeps those templates
 * across packets, keyed by that triple plus the protocol version (v9 and
 * IPFIX ids are separate namespaces).  A template is compiled once, when
 * it arrives: each field gets a role (source address, octet count, flow
 * start, ... or none) from its information element and length, and, when
 * no field has variable length, its offset in the record, so decoding a
 * record touches only the fields of interest.
 *
 * The same table holds two other kinds of entry under the same key: a
 * data set whose template is unknown (so it is reported once, not once
 * per set), and, under template id 0 (never a template: data ids start at
 * 256), the observation domain's systemInitTimeMilliseconds learned from
 * an options record, which IPFIX flowStartSysUpTime is relative to.
 *
 * Memory: at most NF_MAX_TEMPLATES entries, each template at most
 * NF_MAX_FIELDS fields; the field arrays are allocated when a template is
 * defined (or changed), never per record.  The cache owns them.
 */
#ifndef DT_INGEST_NFTEMPLATE_H
#define DT_INGEST_NFTEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"

#define NF_MAX_FIELDS    1024    /* fields in one template */
#define NF_MAX_TEMPLATES 65536   /* cache entries (templates, unknown ids, domains) */
#define NF_VARLEN        0xffffu /* field length: variable (RFC 7011 section 7) */
#define NF_PEN_REVERSE   29305u  /* RFC 5103 reverse information elements */

/* What a field is to a flow event.  Roles fit in a 64-bit mask. */
enum nf_role {
	NF_NONE = 0,
	NF_SRC4,             /* 8 sourceIPv4Address (4 bytes) */
	NF_DST4,             /* 12 destinationIPv4Address */
	NF_SRC6,             /* 27 sourceIPv6Address (16 bytes) */
	NF_DST6,             /* 28 destinationIPv6Address */
	NF_SPORT,            /* 7 sourceTransportPort */
	NF_DPORT,            /* 11 destinationTransportPort */
	NF_PROTO,            /* 4 protocolIdentifier */
	NF_OCTETS,           /* 1 octetDeltaCount */
	NF_PKTS,             /* 2 packetDeltaCount */
	NF_OCTETS_TOTAL,     /* 85 octetTotalCount */
	NF_PKTS_TOTAL,       /* 86 packetTotalCount */
	NF_INIT_OCTETS,      /* 231 initiatorOctets (Cisco ASA fwd_flow_delta_bytes) */
	NF_RESP_OCTETS,      /* 232 responderOctets */
	NF_INIT_PKTS,        /* 298 initiatorPackets */
	NF_RESP_PKTS,        /* 299 responderPackets */
	NF_REV_OCTETS,       /* 29305/1 reverseOctetDeltaCount (RFC 5103) */
	NF_REV_PKTS,         /* 29305/2 reversePacketDeltaCount */
	NF_REV_OCTETS_TOTAL, /* 29305/85 */
	NF_REV_PKTS_TOTAL,   /* 29305/86 */
	NF_LAST_UPTIME,      /* 21 flowEndSysUpTime (ms) */
	NF_FIRST_UPTIME,     /* 22 flowStartSysUpTime (ms) */
	NF_START_S,          /* 150 flowStartSeconds */
	NF_END_S,            /* 151 flowEndSeconds */
	NF_START_MS,         /* 152 flowStartMilliseconds */
	NF_END_MS,           /* 153 flowEndMilliseconds */
	NF_START_US,         /* 154 flowStartMicroseconds (NTP format, 8 bytes) */
	NF_END_US,           /* 155 flowEndMicroseconds */
	NF_START_NS,         /* 156 flowStartNanoseconds (NTP format, 8 bytes) */
	NF_END_NS,           /* 157 flowEndNanoseconds */
	NF_START_DELTA_US,   /* 158 flowStartDeltaMicroseconds (before export) */
	NF_END_DELTA_US,     /* 159 flowEndDeltaMicroseconds */
	NF_SYSINIT_MS,       /* 160 systemInitTimeMilliseconds */
	NF_DURATION_MS,      /* 161 flowDurationMilliseconds */
	NF_DURATION_US,      /* 162 flowDurationMicroseconds */
	NF_ROLES
};

/* One field of a template. */
struct nf_field {
	uint16_t len; /* bytes, or NF_VARLEN */
	uint8_t role; /* enum nf_role */
	uint32_t off; /* offset in the record (templates without NF_VARLEN fields) */
};

/* A compiled template.  fields[0..nfields) are all its fields in order;
 * fields[nfields..nfields+npicks) repeat those with a role, for the
 * fixed-length fast path. */
struct nf_template {
	uint32_t nfields, npicks;
	uint32_t min_len; /* record length, or the shortest record when varlen */
	bool varlen;      /* some field has variable length */
	bool options;     /* an options template: its records describe the exporter */
	struct nf_field *fields;
	const uint8_t *raw; /* the template record as received (after fields) */
	uint32_t raw_len;
};

/* Who a template belongs to. */
struct nf_key {
	dt_u128 exporter; /* the exporter's address (0 when unknown: a raw file) */
	uint32_t domain;  /* v9 source id, IPFIX observation domain id */
	uint16_t id;      /* template id; 0 for the domain's own entry */
	uint8_t family;   /* of exporter: 0, DT_IP_V4 or DT_IP_V6 */
	uint8_t version;  /* 9 or 10 */
};

/* NF_WITHDRAWN: the slot is taken but holds no template (withdrawn, or
 * only marked as reported). */
enum nf_state { NF_EMPTY = 0, NF_TEMPLATE, NF_WITHDRAWN, NF_DOMAIN };

struct nf_entry {
	struct nf_key key;
	uint8_t state;      /* enum nf_state */
	bool warned;        /* a data set without this template was reported */
	int64_t sysinit_ms; /* NF_DOMAIN: systemInitTimeMilliseconds, or -1 */
	struct nf_template t;
};

struct nf_cache {
	struct nf_entry *slots; /* open addressing, linear probing */
	size_t cap, used;
};

/* The role of information element id of enterprise pen (0: IANA) at the
 * given field length in a template of version 9 or 10.  NetFlow v9 has no
 * enterprise bit: its ids above 32767 are vendor fields without a role.
 * A length that does not fit the element gives no role. */
uint8_t nf_role_of(uint8_t version, uint32_t pen, uint16_t id, uint16_t len);

void nf_cache_init(struct nf_cache *c);
void nf_cache_release(struct nf_cache *c);

/* The entry of k, or NULL when there is none. */
struct nf_entry *nf_cache_find(const struct nf_cache *c, const struct nf_key *k);

/* The entry of k, created (NF_EMPTY) when absent.  NULL when the cache is
 * full (NF_MAX_TEMPLATES entries: *err DT_ELIMIT) or memory runs out
 * (*err DT_ENOMEM). */
struct nf_entry *nf_cache_entry(struct nf_cache *c, const struct nf_key *k, enum dt_err *err);

/* Whether template k was defined from exactly the record raw[0..len) of
 * the same kind: an exporter resending its templates, the common case,
 * then costs one lookup and a memcmp. */
bool nf_cache_same(const struct nf_cache *c, const struct nf_key *k, const uint8_t *raw, size_t len,
                   bool options);

/* Defines (or redefines) template k from fields[0..n) (len and role set;
 * off is computed here), read from the template record raw[0..raw_len),
 * which is kept for nf_cache_same.  A template whose records would be
 * empty or longer than a set can hold is refused: DT_EPARSE with *why. */
enum dt_err nf_cache_define(struct nf_cache *c, const struct nf_key *k,
                            const struct nf_field *fields, uint32_t n, bool options,
                            const uint8_t *raw, size_t raw_len, const char **why);

/* Withdraws template k (RFC 7011 section 8.1); with all set, every
 * template (options or not, as k->id says: 2 data, 3 options) of k's
 * exporter, domain and version. */
void nf_cache_withdraw(struct nf_cache *c, const struct nf_key *k, bool all);

#endif
