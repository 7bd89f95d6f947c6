/*
 * taxii.h — the TAXII 2.1 server's data outside of HTTP: loading a
 * medallion-format data file (the OASIS reference server's
 * default_data.json shape) into the node database, and listing what is
 * served.  The HTTP side is taxii_handle() (server.h); both share the
 * tables taxii_roots, taxii_collections, taxii_objects, taxii_statuses and
 * taxii_meta of the node database (server/taxii_store.c).
 *
 * The API root "detente" is the node's own: a read-only collection
 * "indicators" (the node's STIX export at the reader's TLP) and a
 * write-only collection "inbox" (peers' submissions, imported into the
 * node's intelligence).  It is created by the server and by these
 * functions; a data file may not name it.
 */
#ifndef DT_SERVER_TAXII_H
#define DT_SERVER_TAXII_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define TAXII_OWN_ROOT "detente"

struct taxii_load_report {
	uint64_t roots, collections, objects, statuses;
	uint64_t rejected; /* objects, collections or statuses reported to warn and skipped */
};

/*
 * Loads the data file at path into db in one transaction, replacing the
 * collections, objects and statuses of every API root the file names (other
 * roots are kept).  Each key of the top-level object is an API root name
 * (URL-safe: letters, digits, '.', '_', '~', '-') holding "information",
 * "collections" (each with "objects" and "manifest") and "status"; the key
 * "/discovery" is the discovery document.  An object's date_added comes
 * from the manifest entry of the same id and version, else it is now.
 * Records that cannot be loaded are reported to warn (may be NULL) with
 * the file's name and counted in rep->rejected; the rest is loaded.
 * DT_EPARSE when the file is not such a document at all.
 */
enum dt_err taxii_load_file(const char *db, const char *path,
                            void (*warn)(void *, const struct dt_diag *), void *wctx,
                            struct taxii_load_report *rep, struct dt_diag *diag);

/* Calls fn once per API root (coll NULL) and then once per collection of
 * it, in the order served. */
typedef void taxii_list_fn(void *ctx, const char *root, const char *title, const char *coll,
                           const char *alias, bool can_read, bool can_write, uint64_t objects);
enum dt_err taxii_list(const char *db, taxii_list_fn *fn, void *ctx, struct dt_diag *diag);

#endif
