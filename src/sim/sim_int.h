/*
 * sim_int.h — what the files of src/sim share: the generated record, the
 * address pools, the scenario tables and the writers.  Not a contract:
 * sim.h is.
 */
#ifndef DT_SIM_INT_H
#define DT_SIM_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "sim/sim.h"

/* 2013-02-01T00:00:00Z, a Friday: day 0 of every exercise. */
#define SIM_EPOCH 1359676800LL

/* ---- records ---------------------------------------------------------------- */

enum sim_file { SF_CONN, SF_DNS, SF_SSL, SF_EVE, SF_N };
extern const char *const sim_file_names[SF_N];

enum sim_state { ST_SF, ST_S0, ST_REJ, ST_RSTO, ST_N };

/* One line of one output file. */
struct sim_rec {
	int64_t ts;         /* µs since the epoch, UTC */
	uint64_t uid;       /* Zeek uid / EVE flow_id; shared by one connection's lines */
	const char *domain; /* dns query, ssl server_name; NULL: none */
	uint32_t seq;       /* generation order: breaks ties of ts */
	uint32_t local;     /* the victim's host (IPv4, host order) */
	uint32_t remote;    /* the other end */
	uint32_t answer;    /* dns: the A record answered, 0 none */
	uint32_t obytes, rbytes;
	uint32_t dur_us;
	uint16_t lport, rport;
	uint8_t file;     /* enum sim_file */
	uint8_t label;    /* enum sim_label */
	uint8_t inbound;  /* the remote end opened the connection */
	uint8_t proto;    /* 6, 17 */
	uint8_t state;    /* enum sim_state */
	uint8_t sig;      /* EVE: index into sim_sigs */
	uint8_t tls;      /* SSL: index into sim_tls */
	uint8_t fileinfo; /* EVE: a fileinfo record (the uploaded web shell), not an alert */
};

struct sim_recs {
	struct sim_rec *v;
	size_t n, cap;
};

/* A new zeroed record at the end (its seq set); NULL when out of memory. */
struct sim_rec *sim_recs_push(struct sim_recs *rs);

/* ---- address pools (pool.c) --------------------------------------------------- */

struct sim_range {
	uint32_t lo, hi, asn;
};

struct sim_asndata {
	struct sim_range *v; /* every range of the CSV, in file order */
	size_t n;
	char sha256[65]; /* of the CSV file */
};

struct sim_pool {
	struct sim_range *v;
	size_t n;
};

enum dt_err sim_asn_load(const char *path, struct sim_asndata *a, struct dt_diag *d);
void sim_asn_free(struct sim_asndata *a);
/* The largest `per` ranges of each ASN of asns[0..n) (ties: lowest start).
 * DT_ENOTFOUND when none of them has a range. */
enum dt_err sim_pool_asns(const struct sim_asndata *a, const uint32_t *asns, size_t n, unsigned per,
                          struct sim_pool *p, struct dt_diag *d);
/* CIDR texts ("58.246.0.0/15"), NULL-terminated. */
enum dt_err sim_pool_cidrs(const char *const *cidrs, struct sim_pool *p);
/* Every range except those of the ASNs in skip[0..n) and those overlapping
 * the pools in avoid[0..navoid): the Internet at large, for scanners. */
enum dt_err sim_pool_rest(const struct sim_asndata *a, const uint32_t *skip, size_t n,
                          const struct sim_pool *avoid, size_t navoid, struct sim_pool *p);
void sim_pool_free(struct sim_pool *p);
/* A host address in one of the ranges (never .0 or .255). */
uint32_t sim_pool_draw(const struct sim_pool *p, struct sim_rng *r);

/* ---- the scenario (scenario.c) ---------------------------------------------- */

struct sim_victim {
	const char *party; /* "party-a" */
	const char *dir;   /* directory name */
	const char *name;  /* for --victim */
	const char *sector;
	uint8_t net; /* home network 10.<net>.0.0/16 */
	int tz;      /* local time: hours east of UTC */
};

#define SIM_NVICTIMS 6
extern const struct sim_victim sim_victims[SIM_NVICTIMS];

struct sim_sig {
	unsigned sid, rev, severity;
	const char *msg, *category;
};
extern const struct sim_sig sim_sigs[];
#define SIM_SIG_WEBSHELL 3 /* "LOCAL WEB_SERVER Possible webshell upload" */

/* The c02 web shell's hashes (synthetic: SHA-256 of a label), set by
 * sim_tls_init. */
extern char sim_webshell_md5[33], sim_webshell_sha256[65];

struct sim_tls {
	const char *version, *cipher, *ja3, *ja3s, *cert; /* hashes: hex */
};
extern struct sim_tls sim_tls[];
extern const size_t sim_ntls;

enum sim_kind {
	K_C2,      /* victims' hosts beacon out: dns, conn, ssl, some alerts */
	K_EXPLOIT, /* the remote end attacks victims' servers: conn, alerts */
	K_SCAN,    /* many sources, one signature: conn (S0/REJ), alerts */
	K_ANON,    /* Tor exits and VPN endpoints probing: conn, alerts */
	K_BENIGN,  /* resolvers and popular HTTPS sites */
};

struct sim_campaign {
	enum sim_label label;
	enum sim_kind kind;
	const char *what;          /* one line for the README */
	unsigned events;           /* about this many records at scale 1 */
	unsigned victims;          /* bit i: sim_victims[i] */
	int tz;                    /* working hours are local to UTC+tz; */
	int victim_tz;             /* ... or to each victim's zone when set */
	unsigned hour_lo, hour_hi; /* [lo, hi) local */
	int weekdays;              /* Monday to Friday only */
	double off_hours;          /* share outside the working hours */
	unsigned start_day, days;
	const char *const *cidrs;   /* networks, NULL-terminated; or */
	const uint32_t *asns;       /* ASNs (0-terminated) whose ranges are used */
	unsigned hosts;             /* distinct remote hosts; 0: a fresh one each time */
	const char *const *domains; /* NULL-terminated, or NULL */
	const uint8_t *sigs;        /* indices into sim_sigs, 0xff-terminated */
	uint8_t tls;                /* index into sim_tls */
	const uint16_t *ports;      /* remote (C2) or local (attacked) ports, 0-terminated */
};

extern const struct sim_campaign sim_campaigns[SIM_NLABELS];

/* Benign sites: a name and the ASN that serves it. */
struct sim_site {
	const char *name;
	uint32_t asn;
};
extern const struct sim_site sim_sites[];
extern const uint32_t sim_resolvers[4];

/* Fills sim_tls's derived hashes (idempotent). */
void sim_tls_init(void);

/* ---- time (clock.c) --------------------------------------------------------- */

/* A time (µs, UTC) for one action of campaign c at a victim in UTC+vtz. */
int64_t sim_when(const struct sim_campaign *c, int vtz, struct sim_rng *r);

/* ---- generation (gen.c) ----------------------------------------------------- */

/* What a campaign holds for the whole run: its hosts, their names. */
struct sim_infra {
	struct sim_pool pool;
	uint32_t *hosts; /* hosts[] drawn once; NULL for K_SCAN */
	size_t nhosts;
	const char **names; /* C2 names, one per host (cycled), or NULL */
};

struct sim_world {
	uint64_t seed;
	unsigned scale;
	struct sim_infra infra[SIM_NLABELS];
	uint32_t *site_ip; /* two addresses per sim_sites entry */
	size_t nsites;
};

enum dt_err sim_world_init(struct sim_world *w, const struct sim_asndata *a, uint64_t seed,
                           unsigned scale, struct dt_diag *d);
void sim_world_free(struct sim_world *w);
/* Appends victim v's records of every campaign to rs. */
enum dt_err sim_gen_victim(const struct sim_world *w, unsigned v, struct sim_recs *rs);

/* ---- writers (zeekout.c, eveout.c, stixout.c) --------------------------------- */

/* Zeek TSV: the header lines (how many in *lines), a record, #close. */
void sim_zeek_header(struct strbuf *b, enum sim_file f, int64_t open_ts, unsigned *lines);
void sim_zeek_rec(struct strbuf *b, const struct sim_rec *x, uint64_t seed);
void sim_zeek_close(struct strbuf *b, int64_t close_ts);
void sim_eve_rec(struct strbuf *b, const struct sim_rec *x, uint64_t seed);
/* Zeek's uid text ("C" and 17 base-62 digits) of a record's uid. */
void sim_uid(uint64_t uid, uint64_t seed, char out[19]);
void sim_ip4(uint32_t a, char out[16]);
/* The STIX 2.1 bundle of intel/apt1-campaign.json. */
enum dt_err sim_stix(struct strbuf *b, const struct sim_world *w);

#endif
