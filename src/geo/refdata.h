/*
 * refdata.h — the node's reference-data snapshots.
 *
 * A snapshot is an attribution index (geo.h) in the node's refdata
 * directory, <hex>.idx, with a manifest <hex>.json beside it that records
 * where each input came from (paths, sizes, SHA-256, licences, counts) and
 * when it was built.  The index names only what determines its content; the
 * manifest holds everything local.  ACTIVE names the snapshot that trace,
 * ingest and reports use; it is replaced atomically.
 *
 * The directory of a node whose database is DB is DB.d/refdata.
 */
#ifndef DT_REFDATA_H
#define DT_REFDATA_H

#include <stddef.h>

#include <jansson.h>

#include "core/err.h"
#include "geo/build.h"
#include "geo/geo.h"

#define REFDATA_MAX_INPUTS 256

struct refdata_input {
	enum geo_kind kind;
	const char *path;
	const char *flag; /* warning lists: NULL derives it */
};

/* "DB.d/refdata" into out.  DT_ELIMIT when it does not fit. */
enum dt_err refdata_dir(const char *db, char *out, size_t size);

/*
 * The installed defaults: Tor's geoip and geoip6 (/usr/share/tor) and the
 * ip-location-db ASN CSVs found under datadir.  Missing files are skipped
 * and named in diag; DT_ENOTFOUND when none exists.
 */
enum dt_err refdata_defaults(const char *datadir, struct refdata_input *out, size_t max, size_t *n,
                             struct dt_diag *diag);

struct refdata_built {
	struct geo_build_result index;
	size_t ninputs;
	unsigned long long records, rejected;
};

/*
 * Builds a snapshot from inputs into dir (created if needed), writes its
 * manifest and makes it ACTIVE.  warn receives every rejected record.
 */
enum dt_err refdata_build(const char *dir, const struct refdata_input *in, size_t n,
                          geo_warn_fn *warn, void *warn_ctx, struct refdata_built *out,
                          struct dt_diag *diag);

/* The active snapshot's path (dir/<hex>.idx).  DT_ENOTFOUND when none. */
enum dt_err refdata_active_path(const char *dir, char *path, size_t size, struct dt_diag *diag);

/* Opens the active snapshot. */
enum dt_err refdata_open_active(const char *dir, struct geo_index **out, struct dt_diag *diag);

/*
 * The active snapshot's manifest, with "active" and live counts added.
 * The caller owns *out (json_decref).
 */
enum dt_err refdata_show(const char *dir, json_t **out, struct dt_diag *diag);

#endif
