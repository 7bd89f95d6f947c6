/*
 * sanitize.h — the derivative of a telemetry payload that a peer may
 * receive: the same format, with every victim-side field pseudonymized
 * (privacy/privacy.h) and everything attacker-side kept as it is.
 *
 * The contract every format's sanitizer keeps, and the tests check:
 *   - the derivative has the same records in the same order (a text
 *     format keeps its line count, a capture its packet count), so that
 *     ingesting it gives the same events with the same record numbers;
 *   - those events equal the original's events with their victim-side
 *     values (home addresses, names under home domains, users) replaced by
 *     the same pseudonyms privacy.h gives; the remote side is untouched;
 *   - bytes the format carries that no event uses and that may hold
 *     victim data (packet payloads, base64 packet dumps) are withheld;
 *   - a record the sanitizer does not understand is scrubbed as text
 *     (privacy_scrub) rather than passed on or dropped, and counted.
 * Output is uncompressed whatever the input was.
 */
#ifndef DT_PRIVACY_SANITIZE_H
#define DT_PRIVACY_SANITIZE_H

#include <stdio.h>

#include "core/err.h"
#include "ingest/reader.h"
#include "privacy/privacy.h"

/* One format's sanitizer: reads r to the end, writes the derivative to
 * out.  name is the input's name in messages.  DT_EFORMAT when the input
 * is not that format at all; DT_EIO when out fails. */
typedef enum dt_err sanitize_fn(struct reader *r, struct privacy *p, FILE *out, const char *name,
                                struct privacy_counts *c, struct dt_diag *diag);

/* The sanitizer of an ingest format name ("zeek", "eve", ...), or NULL. */
sanitize_fn *sanitize_format(const char *format);

/* Sanitizes the file in into out_path, written through a temporary file
 * and renamed into place: out_path is either whole or absent. */
enum dt_err sanitize_file(struct privacy *p, const char *format, const char *in,
                          const char *out_path, struct privacy_counts *c, struct dt_diag *diag);

/* Sanitizes data[0..len) (gzip or not) to out: for tests and fuzzing. */
enum dt_err sanitize_mem(struct privacy *p, const char *format, const void *data, size_t len,
                         FILE *out, struct privacy_counts *c, struct dt_diag *diag);

/* The per-format sanitizers (privacy/sanitize_*.c). */
sanitize_fn sanitize_text;    /* any line format: privacy_scrub per line */
sanitize_fn sanitize_zeek;    /* Zeek TSV and JSON logs */
sanitize_fn sanitize_eve;     /* Suricata EVE JSON */
sanitize_fn sanitize_syslog;  /* syslog: packet logs, sshd */
sanitize_fn sanitize_weblog;  /* nginx/apache access logs */
sanitize_fn sanitize_pcap;    /* pcap/pcapng captures */
sanitize_fn sanitize_netflow; /* NetFlow v5/v9/IPFIX export packets */

#endif
