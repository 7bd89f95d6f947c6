/*
 * client.h — this node talking to a peer's `detente serve` over HTTP
 * (libcurl): reading its log as a ledger_source for ledger_sync, and
 * submitting this node's checkpoint to its witness endpoint
 * (c2sp.org/tlog-witness add-checkpoint) to get its cosignature.
 *
 * Only http and https URLs, no redirects followed, bounded times: a
 * connection must open within 10 s and a transfer must not stall below
 * 1 kB/s for 30 s.  Responses are size-bounded by the caller's strbuf.
 */
#ifndef DT_SERVER_CLIENT_H
#define DT_SERVER_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "ledger/ledger.h"

struct http_client;

/* base: the peer's URL ("http://host:port" or with a path prefix); token:
 * the bearer token the peer issued to this node, or NULL. */
enum dt_err http_client_open(const char *base, const char *token, struct http_client **out,
                             struct dt_diag *diag);
void http_client_close(struct http_client *c);

/* A ledger_source reading the peer's tlog-tiles resources through c (which
 * must outlive it).  Payloads are downloaded to one temporary file, reused
 * for each and removed by http_client_close. */
void http_client_source(struct http_client *c, struct ledger_source *src);

/* GET/POST path (relative to the base); *status is the HTTP status (0 when
 * no answer came: DT_EIO with the reason in diag). */
enum dt_err http_client_get(struct http_client *c, const char *path, struct strbuf *out,
                            long *status, struct dt_diag *diag);
enum dt_err http_client_post(struct http_client *c, const char *path, const char *ctype,
                             const void *body, size_t len, struct strbuf *out, long *status,
                             struct dt_diag *diag);

struct witness_push {
	uint64_t size;         /* this node's checkpoint size submitted */
	uint64_t old;          /* the size the peer had cosigned before */
	long status;           /* the final HTTP status */
	size_t recorded;       /* cosignatures recorded (ledger_cosignature_add) */
	bool cosigner_unknown; /* cosigned, but the peer's cosigner key is not known */
};

/*
 * Submits this node's current checkpoint to the peer's /add-checkpoint: first
 * with the old size this node believes the peer has (0), and on 409 once more
 * with a consistency proof from the size the peer names.  The cosignature
 * returned is recorded on the checkpoint (exports and /checkpoint carry it)
 * when the peer's cosigner key is known.  DT_EFORMAT when the peer refuses
 * (the status says why).
 */
enum dt_err http_client_push_checkpoint(struct http_client *c, struct ledger *l,
                                        struct witness_push *res, struct dt_diag *diag);

#endif
