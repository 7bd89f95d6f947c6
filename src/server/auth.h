/*
 * auth.h — who may ask the node server for what: credentials of peers and
 * users, kept in the node database (table `credentials`) as the SHA-256 of
 * a random bearer token, never the token itself.
 *
 * A token is "dt1_" and 43 base64url characters (32 random bytes); it is
 * shown once, when made.  A request presents it as
 * "Authorization: Bearer <token>".  Each credential has a role (peer or
 * user) and the most restricted TLP it may see (never RED: a TLP:RED
 * payload never leaves the node).  Revoking keeps the row, marked.
 */
#ifndef DT_SERVER_AUTH_H
#define DT_SERVER_AUTH_H

#include <stdbool.h>

#include "core/err.h"
#include "server/server.h"

#define AUTH_TOKEN_LEN 47 /* "dt1_" + 43 */

/* Creates the table if needed. */
enum dt_err auth_init(const char *db, struct dt_diag *diag);

/* A new credential: token (AUTH_TOKEN_LEN + 1 bytes) is filled.  role
 * SRV_PEER or SRV_USER; tlp one of CLEAR, GREEN, AMBER, AMBER+STRICT.
 * DT_EEXIST when a live credential has that name. */
enum dt_err auth_token_add(const char *db, const char *name, enum srv_role role, const char *tlp,
                           char *token, struct dt_diag *diag);

/* Marks the credential revoked; DT_ENOTFOUND when there is no live one. */
enum dt_err auth_token_revoke(const char *db, const char *name, struct dt_diag *diag);

typedef void auth_list_fn(void *ctx, const char *name, const char *role, const char *tlp,
                          const char *created, const char *revoked);
enum dt_err auth_token_list(const char *db, auth_list_fn *fn, void *ctx, struct dt_diag *diag);

/*
 * The other direction: the token a peer issued to this node, kept for
 * `sync` in DB.d/tokens/<hex of the peer name>, mode 0600, written to a
 * temporary name and renamed.  get: DT_ENOTFOUND when none is kept.
 */
enum dt_err auth_peer_token_set(const char *db, const char *peer, const char *token,
                                struct dt_diag *diag);
enum dt_err auth_peer_token_get(const char *db, const char *peer, char *token, size_t size,
                                struct dt_diag *diag);

#endif
