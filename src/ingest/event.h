/*
 * event.h — one normalized record of an observed connection, alert or
 * transaction, as every telemetry parser produces it (DESIGN.md, "Events").
 *
 * Parsers fill a struct event whose string fields are slices into the
 * parser's own buffers, valid only during the sink callback; the sink
 * copies what it keeps.  A field the format does not offer is empty (len
 * 0) or, for numbers, -1.  Which endpoint is remote is decided later, by
 * the ingest driver (home networks), not by the parsers.
 */
#ifndef DT_INGEST_EVENT_H
#define DT_INGEST_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"

struct dt_str {
	const char *p;
	size_t len;
};

/* Event kinds: a short lower-case word. */
#define EVENT_FLOW   "flow"
#define EVENT_ALERT  "alert"
#define EVENT_DNS    "dns"
#define EVENT_HTTP   "http"
#define EVENT_TLS    "tls"
#define EVENT_SSH    "ssh"
#define EVENT_AUTH   "auth"
#define EVENT_FILE   "file"
#define EVENT_NOTICE "notice"
#define EVENT_SMTP   "smtp"
#define EVENT_X509   "x509"
#define EVENT_OTHER  "other"

struct event {
	int64_t ts_us; /* microseconds since the epoch (UTC) */
	bool has_src, has_dst;
	struct dt_ip src, dst;   /* originator / responder */
	int32_t sport, dport;    /* -1: none */
	int32_t proto;           /* IP protocol number; -1: unknown */
	const char *kind;        /* EVENT_* */
	struct dt_str uid;       /* the producer's id (Zeek uid, EVE flow_id) */
	struct dt_str signature; /* alert/notice message */
	int64_t signature_id;    /* -1: none */
	int32_t severity;        /* -1: none */
	struct dt_str domain, url, user_agent, ja3, ja3s;
	struct dt_str cert_sha1, cert_sha256;
	struct dt_str md5, sha1, sha256;
	struct dt_str service, state;                         /* e.g. "ssh", Zeek conn_state */
	int64_t duration_us;                                  /* -1: none */
	int64_t orig_bytes, resp_bytes, orig_pkts, resp_pkts; /* -1: none */
	uint64_t record; /* 1-based record number in the input */
};

/* Resets every field to "not offered". */
void event_init(struct event *e);

/* Receives each event; a non-DT_OK return stops the parser with it. */
typedef enum dt_err event_sink_fn(void *ctx, const struct event *ev);

/* Receives each rejected record: file, line (or record) and reason. */
typedef void event_warn_fn(void *ctx, const struct dt_diag *d);

struct ingest_counts {
	uint64_t records;  /* data records seen */
	uint64_t events;   /* passed to the sink */
	uint64_t rejected; /* reported and skipped */
	uint64_t ignored;  /* headers, comments, records of no interest */
};

#endif
