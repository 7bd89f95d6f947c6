/*
 * assess.h — the attribution assessment of a set of events (one campaign,
 * or all attacks): where they came from by every unit of counting, how
 * much of that is weak evidence of the operator's location, when the
 * operators worked, how sure the assessment is, and what else could
 * explain it.
 *
 * Units (each figure names its unit; the parties' numbers differ because
 * they count different things):
 *   events       events, by the country of their remote address
 *   remote_ips   distinct remote addresses
 *   prefixes     distinct /24 (IPv4) or /48 (IPv6) prefixes
 *   asns         distinct ASNs
 *   victims      distinct victims
 * A prefix, ASN or victim seen with two countries counts once for each, so
 * those shares can sum to more than 1; a share is count / distinct units.
 *
 * Working hours: for every whole-hour UTC offset from -12 to +14, the share
 * of events falling Monday-Friday 08:00-17:59 local time; the best offset
 * is the first with the highest share.
 *
 * Confidence (ICD 203 terms), from the leading country by distinct remote
 * addresses (share s) and six corroborations:
 *   1 observed by two or more parties (independent sensors)
 *   2 two or more victims
 *   3 infrastructure breadth in that country: two or more ASNs, or three
 *     or more /24s
 *   4 an intel actor named by hostile sightings
 *   5 working hours fit the country's time zone: the office-hours share at
 *     one of its offsets is at least 0.6 and at least 0.8 of the best
 *   6 weak evidence (cloud, VPN, Tor, sinkhole, resolver, bogon, private)
 *     below 0.2 of the remote addresses
 * high: s >= 0.8, at least 5 corroborations, 1 among them;
 * moderate: s >= 0.6 and at least 3; low otherwise.
 */
#ifndef DT_ANALYSIS_ASSESS_H
#define DT_ANALYSIS_ASSESS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/campaigns.h"
#include "core/err.h"

enum unit { U_EVENTS, U_REMOTE_IPS, U_PREFIXES, U_ASNS, U_VICTIMS, U_N };
const char *unit_name(enum unit u);

#define TZ_MIN  (-12)
#define TZ_MAX  14
#define TZ_N    (TZ_MAX - TZ_MIN + 1)
#define NCORROB 6

struct count_row {
	uint32_t key; /* a string id (country "CN", "??"; victim; signature; actor) or ASN */
	uint64_t count, extra; /* extra: a second figure (remote IPs of an ASN ...) */
	uint32_t aux;          /* ASN rows: the organisation; victim rows: the sector */
	uint32_t aux2;         /* victim rows: the party */
};

struct count_list {
	struct count_row *v;
	size_t n;
};

struct assessment {
	uint64_t events, hostile, sightings;
	size_t nips, nprefixes, nasns, nvictims, nparties;
	char first[24], last[24]; /* RFC 3339 UTC, seconds */
	char title[256];
	uint32_t *ips;      /* cs_ip indexes, sorted by address */
	uint32_t *prefixes; /* string ids, sorted */
	uint32_t *parties;  /* string ids, sorted */
	size_t nparty_ids;
	struct count_list origin[U_N]; /* country: count (share = count / units) */
	uint64_t units[U_N];           /* distinct units (the share's divisor) */
	struct count_list countries;   /* cc: events (count), remote IPs (extra) */
	struct count_list asns;        /* asn: events, remote IPs, org */
	struct count_list victims;     /* victim: events, sector, party */
	struct count_list actors;      /* actor: events sighted */
	struct count_list signatures;  /* signature: events */
	uint64_t weak[WC_N], weak_any; /* remote IPs per category; with any */
	uint64_t hours[24], weekdays[7];
	double tz_office[TZ_N];
	char tz_best[16]; /* "+08:00" */
	double tz_share;
	uint32_t lead; /* leading country by remote IPs (string id), 0: none */
	double lead_share;
	const char *confidence;     /* "low", "moderate", "high" */
	int corroborated[NCORROB];  /* 1: holds */
	char basis[NCORROB][160];   /* what each corroboration found */
	char hypotheses[3][3][320]; /* name, assessment, basis */
};

/* Assesses the n events ev[] (indexes into cs->ev); a NULL ev means every
 * event in an attack.  *a is the caller's, released with assessment_release. */
enum dt_err assess(const struct campaign_set *cs, const uint32_t *ev, size_t n,
                   struct assessment *a);
void assessment_release(struct assessment *a);

/* The whole-hour UTC offsets a country keeps (standard and summer time):
 * false when the table does not know the country. */
bool country_offsets(const char *cc, int *lo, int *hi);

#endif
