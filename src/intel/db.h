/*
 * db.h — the node's threat intelligence: imported sources, indicators,
 * the objects they point at and the relationships between them, kept in
 * the node's SQLite database beside the ledger and the events.
 *
 * An import is one file: its bytes are kept as a ledger payload and
 * committed to by a signed entry of kind "intel"; its indicators, objects
 * and relationships go into the database in one transaction.  Importing a
 * file whose digest is already there adds nothing.  Values are normalized
 * (intel/normalize.h) before they are stored; an indicator whose value is
 * not valid for its type is reported and skipped.
 *
 * Indicators detente cannot evaluate (intel.h, pattern.h) are stored with
 * the reason and counted, never dropped.  Warning-list entries are stored
 * as benign indicators: they never make a sighting hostile.  Indicators on
 * addresses in private or reserved space are flagged "private".
 */
#ifndef DT_INTEL_DB_H
#define DT_INTEL_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"
#include "core/strbuf.h"
#include "intel/intel.h"
#include "ledger/ledger.h"

struct intel_db;

enum dt_err intel_db_open(const char *db, struct intel_db **out, struct dt_diag *diag);
void intel_db_close(struct intel_db *x);

struct intel_import_opts {
	const char *format;     /* "auto" or NULL: detected; or an intel.h name */
	const char *tlp;        /* for records without one; NULL: "AMBER" */
	const char *categories; /* Suricata iprep categories file, or NULL */
};

#define INTEL_MAX_REASONS 6

struct intel_import_result {
	char format[16];
	char digest[80]; /* "sha256:<hex>" of the file */
	uint64_t entry;  /* its ledger entry */
	bool already;    /* imported before: nothing added */
	struct intel_counts counts;
	uint64_t indicators, objects, relations; /* stored */
	uint64_t duplicates;                     /* repeated within the file, stored once */
	uint64_t warnings;    /* records reported (rejected, or kept as unsupported) */
	uint64_t unsupported; /* stored, not evaluated */
	uint64_t benign;      /* warning-list entries */
	uint64_t private_;    /* flagged: private or reserved addresses */
	uint64_t dangling;    /* relationships to objects no import holds */
	/* the most frequent reasons for unsupported indicators, with counts */
	char reason[INTEL_MAX_REASONS][160];
	uint64_t reason_n[INTEL_MAX_REASONS];
	char dangling_example[200];
};

/* Imports one file (or, for a MISP feed, call it once per event file). */
enum dt_err intel_import_file(struct intel_db *x, struct ledger *l, const char *path,
                              const struct intel_import_opts *o,
                              void (*warn)(void *, const struct dt_diag *), void *wctx,
                              struct intel_import_result *r, struct dt_diag *diag);

/* The event files a MISP feed directory's manifest.json lists, as paths
 * (dir/<uuid>.json), for intel_import_file. */
enum dt_err intel_feed_files(const char *dir, char ***paths, size_t *n, struct dt_diag *diag);

/* An address or prefix (canonical text of type IT_IPV4/IT_IPV6) in private,
 * shared, loopback, link-local, documentation, multicast or reserved space. */
bool intel_special(enum ind_type t, const char *v);
bool intel_special_prefix(const struct dt_prefix *p);

/*
 * Indicators that come without an id (Zeek Intel, iprep, warning lists)
 * are stored without one; their id is "indicator--" + the UUIDv5 of
 * "type|value|labels", derived when needed.  The database connection of
 * intel_db_open() also has it as the SQL function detente_id(type, value,
 * labels), and detente_pattern(type, value, atoms) writes a STIX pattern
 * for an indicator stored without one.
 */
bool intel_derived_id(const char *type, const char *value, const char *labels, char out[48]);

/* TLP 2.0 levels in order of restriction: 0 CLEAR, 1 GREEN, 2 AMBER,
 * 3 AMBER+STRICT, 4 RED; -1 for anything else ("WHITE" is CLEAR). */
int intel_tlp_rank(const char *s, size_t n);
extern const char *const intel_tlp_names[5];

/* The SQLite handle, for the matcher and the exporter (same file). */
struct sqlite3 *intel_db_handle(struct intel_db *x);

#endif
