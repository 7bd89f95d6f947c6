/*
 * sim.h — `detente simulate`: a reproducible two-party exercise with ground
 * truth.  sim_generate() writes, under one directory:
 *
 *   party-a/VICTIM/conn.log, dns.log,     Zeek TSV logs (self-describing
 *     ssl.log (and party-b/VICTIM/...)    headers, "-" unset, #close)
 *   party-a/VICTIM/eve.json               Suricata EVE alerts, one a line
 *   intel/apt1-campaign.json              a STIX 2.1 bundle: indicators for
 *                                         part of the campaigns' infrastructure
 *   truth.tsv                             file<TAB>line<TAB>label, one line per
 *                                         generated record (1-based line number
 *                                         in that file, Zeek header lines
 *                                         counted)
 *   victims.tsv                           party, directory, victim, sector,
 *                                         home network (for `detente ingest`)
 *   README                                what was generated, seed, scale,
 *                                         counts per label
 *
 * Same seed, scale and ASN data -> byte-identical files.  Randomness comes
 * only from sim_rng (xoshiro256** seeded through splitmix64), in separate
 * streams per campaign and victim.  Hosting, cloud, Tor/VPN, scanner and
 * CDN addresses are drawn from ranges of named ASNs in the ASN CSV
 * (start,end,asn,org with numeric addresses: ip-location-db's
 * asn-ipv4-num.csv), so they are real, routed addresses of those networks.
 *
 * Everything is written to "<dir>.tmp.<pid>" and renamed to dir at the end,
 * so an interrupted run never leaves a directory that looks complete.
 */
#ifndef DT_SIM_H
#define DT_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define SIM_MAX_SCALE 10000

/* ---- the PRNG ------------------------------------------------------------ */

struct sim_rng {
	uint64_t s[4];
};

/* splitmix64's output function: a bijective 64-bit mix. */
uint64_t sim_mix(uint64_t x);
/* Seeds a stream: the same (seed, stream) gives the same sequence. */
void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream);
/* xoshiro256** (Blackman & Vigna 2018). */
uint64_t sim_rng_next(struct sim_rng *r);
/* Uniform in [0, n) without modulo bias (Lemire 2019); n > 0. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t n);
/* Uniform in [0, 1) with 53 bits. */
double sim_rng_unit(struct sim_rng *r);

/* ---- ground-truth labels -------------------------------------------------- */

enum sim_label {
	SIM_C01_APT1,    /* "c01-apt1-shanghai" */
	SIM_C02_EASTEU,  /* "c02-hosting-easteu" */
	SIM_C03_USCLOUD, /* "c03-uscloud" */
	SIM_NOISE_SCAN,  /* "noise-scan" */
	SIM_NOISE_ANON,  /* "noise-anon" */
	SIM_BENIGN,      /* "benign" */
	SIM_NLABELS
};

extern const char *const sim_label_names[SIM_NLABELS];

/* ---- generation ------------------------------------------------------------ */

struct sim_opts {
	uint64_t seed;
	unsigned scale;      /* 1..SIM_MAX_SCALE: multiplies event counts */
	const char *asn_csv; /* asn-ipv4-num.csv */
};

struct sim_result {
	uint64_t events;                /* lines of truth.tsv */
	uint64_t by_label[SIM_NLABELS]; /* events per label */
	uint64_t bytes;                 /* bytes written */
	unsigned victims, files;        /* victims; telemetry files written */
};

/* Called now and then with the events written so far; may be NULL. */
typedef void sim_progress_fn(void *ctx, uint64_t events);

/*
 * Writes the exercise to dir, which must not exist (or be an empty
 * directory).  DT_EEXIST when it holds anything, DT_ENOTFOUND when the ASN
 * data is absent or lacks every range of a campaign's networks, DT_EIO on
 * a write failure (the temporary directory is removed), DT_EINVAL for a
 * bad scale.
 */
enum dt_err sim_generate(const char *dir, const struct sim_opts *o, struct sim_result *r,
                         sim_progress_fn *progress, void *pctx, struct dt_diag *d);

#endif
