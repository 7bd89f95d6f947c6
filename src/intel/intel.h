/*
 * intel.h — threat intelligence as the importers hand it over.
 *
 * Every intel format (STIX 2.1 bundles, MISP events and feeds, Zeek Intel
 * files, Suricata IP-reputation lists, MISP warning lists) is parsed from
 * memory into three kinds of record, passed to a sink:
 *
 *   - indicators: what to look for in events.  An indicator is a set of
 *     atoms — (type, value) conditions — in disjunctive normal form: the
 *     atoms sharing (obs, conj) must all hold on one event; any conj of an
 *     observation satisfies it; `mode` says whether one observation (ANY)
 *     or every one (ALL; SEQ: in order of time) must be seen.  A Zeek Intel
 *     line or an iprep row is one indicator of one atom.
 *   - objects: who and what indicators point at (STIX intrusion-set,
 *     campaign, threat-actor, identity, location, malware, tool, ...; MISP
 *     galaxy clusters become threat-actor objects).
 *   - relationships between them (`indicates`, `attributed-to`, `uses`,
 *     `targets`, ...), by id.
 *
 * Values are handed over raw (as the producer wrote them, string escapes
 * decoded); normalization (intel/normalize.h) happens once, in the import
 * driver, so that every format gets the same rules.  All strings are
 * slices valid only during the sink call.
 *
 * Bad records are reported through the sink's warn callback (file, line or
 * record number, reason) and skipped; the rest is processed.  Input that is
 * not the format at all fails with DT_EFORMAT and a diagnostic.
 */
#ifndef DT_INTEL_H
#define DT_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "ingest/event.h"

/* What an atom compares.  IT_IP is an address or CIDR of either family
 * (normalization tells which); IT_OTHER is anything detente keeps but
 * cannot look for in events (e-mail addresses, file names, mutexes ...). */
enum ind_type {
	IT_NONE = 0,
	IT_IP,
	IT_IPV4,
	IT_IPV6,
	IT_DOMAIN,
	IT_URL,
	IT_MD5,
	IT_SHA1,
	IT_SHA256,
	IT_SHA512,
	IT_CERT_SHA1,
	IT_CERT_SHA256,
	IT_JA3,
	IT_EMAIL,
	IT_OTHER,
	IT_NTYPES
};

struct intel_atom {
	enum ind_type type;
	struct dt_str value; /* raw */
	struct dt_str path;  /* where the value came from: a STIX object path
	                        ("file:hashes.'SHA-256'"), a Zeek Intel type
	                        ("Intel::ADDR"), a MISP attribute type ("ip-dst") */
	uint16_t obs, conj;  /* DNF position (see above); 0,0 for single atoms */
};

enum intel_mode {
	IM_ANY = 0, /* any observation: the usual case */
	IM_ALL,     /* every observation ([A] AND [B]) */
	IM_SEQ,     /* every observation, in order of time ([A] FOLLOWEDBY [B]) */
};

struct intel_indicator {
	uint64_t record;  /* line or object number in the input, 1-based */
	struct dt_str id; /* STIX id, MISP attribute uuid, or empty */
	struct dt_str name, description;
	struct dt_str pattern;                 /* the STIX pattern; empty for other formats */
	struct dt_str valid_from, valid_until; /* RFC 3339, or empty */
	struct dt_str tlp;                     /* "CLEAR", "GREEN", "AMBER", "AMBER+STRICT",
	                                          "RED", or empty: the import's default */
	struct dt_str labels;                  /* comma-separated: MISP tags, STIX
	                                          indicator_types/labels, Zeek meta.source,
	                                          iprep category name */
	int32_t score;                         /* iprep score, MISP/STIX confidence; -1: none */
	bool benign;                           /* a warning-list entry: known benign */
	const char *unsupported;               /* non-NULL: why detente cannot evaluate it
	                                          (the indicator is still kept and reported) */
	enum intel_mode mode;
	const struct intel_atom *atoms;
	size_t natoms;
};

struct intel_object {
	uint64_t record;
	struct dt_str id;   /* STIX id, or a derived one */
	struct dt_str type; /* STIX type: "intrusion-set", "campaign", ... */
	struct dt_str name;
	struct dt_str aliases; /* comma-separated (STIX aliases, MISP synonyms) */
	struct dt_str country; /* location country / MISP cluster country, or empty */
	struct dt_str tlp;
};

struct intel_relation {
	uint64_t record;
	struct dt_str id;
	struct dt_str type; /* relationship_type */
	struct dt_str src, dst;
};

struct intel_sink {
	enum dt_err (*indicator)(void *ctx, const struct intel_indicator *ind);
	enum dt_err (*object)(void *ctx, const struct intel_object *obj);
	enum dt_err (*relation)(void *ctx, const struct intel_relation *rel);
	void (*warn)(void *ctx, const struct dt_diag *d);
	void *ctx;
};

/* Counts an importer keeps (the sink's results are counted by the driver). */
struct intel_counts {
	uint64_t records;  /* indicators, objects and relationships seen */
	uint64_t rejected; /* reported and skipped */
	uint64_t ignored;  /* comments, headers, objects of no interest */
};

/* One importer: parses data[0..len) (name is for diagnostics). */
typedef enum dt_err intel_parse_fn(const char *name, const char *data, size_t len,
                                   const struct intel_sink *k, struct intel_counts *c,
                                   struct dt_diag *diag);

intel_parse_fn intel_parse_stix;        /* STIX 2.1 bundle (or a single object) */
intel_parse_fn intel_parse_misp;        /* MISP event JSON ({"Event":...}, or a list) */
intel_parse_fn intel_parse_misp_galaxy; /* MISP galaxy cluster file (objects only) */
intel_parse_fn intel_parse_zeek;        /* Zeek Intel framework file */
intel_parse_fn intel_parse_iprep;       /* Suricata iprep list, without categories */
intel_parse_fn intel_parse_warninglist; /* MISP warning list */

/*
 * A Suricata IP-reputation list ("ip,category,score" lines; ip may be a
 * CIDR) with its categories file ("id,short name,description" lines, as
 * named by the reputation-categories-file setting).  cats may be NULL:
 * then an iprep row's label is its category number.
 */
enum dt_err intel_parse_iprep_cats(const char *name, const char *data, size_t len,
                                   const char *cats_name, const char *cats, size_t cats_len,
                                   const struct intel_sink *k, struct intel_counts *c,
                                   struct dt_diag *diag);

/*
 * A MISP feed's manifest.json: calls each(ctx, uuid) for every event it
 * lists (in the manifest's order); the events are <uuid>.json beside it.
 */
enum dt_err intel_misp_manifest(const char *name, const char *data, size_t len,
                                void (*each)(void *ctx, const char *uuid), void *ctx,
                                struct dt_diag *diag);

/* True when data looks like a Suricata iprep categories file. */
bool intel_is_iprep_categories(const char *data, size_t len);

/* Importer names ("stix", "misp", "misp-galaxy", "zeek", "iprep",
 * "warninglist", "misp-feed" for a feed's manifest.json) and detection
 * from a file's first bytes (NULL: not intel detente reads). */
intel_parse_fn *intel_format(const char *name);
const char *intel_detect(const char *data, size_t len);

#endif
