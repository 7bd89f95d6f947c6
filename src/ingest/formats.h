/*
 * formats.h — the telemetry formats by name, and telling them apart from
 * the first bytes of an input.
 */
#ifndef DT_INGEST_FORMATS_H
#define DT_INGEST_FORMATS_H

#include <stddef.h>

#include "ingest/parsers.h"

/* The parser of a format name ("zeek", "eve", ...), or NULL. */
ingest_fn *ingest_format(const char *name);

/* The format names, comma-separated, for messages and --help. */
extern const char ingest_format_names[];

/* The format of an input from its first len bytes (decompressed), or NULL
 * when none fits.  A capture (pcap/pcapng) is "pcap": a capture of NetFlow
 * export traffic needs --format netflow. */
const char *ingest_detect(const char *head, size_t len);

/* Runs fn over data[0..len) (gzip or not) through a reader over memory:
 * for tests, fuzzing and callers that already hold the bytes.  Damage the
 * reader finds (a truncated gzip stream) is reported through warn as a
 * record-0 diagnostic of name. */
enum dt_err ingest_mem(ingest_fn *fn, const char *name, const void *data, size_t len,
                       event_sink_fn *sink, void *sctx, event_warn_fn *warn, void *wctx,
                       struct ingest_counts *c, struct dt_diag *diag);

#endif
