/*
 * parsers.h — the telemetry formats.  Each parser reads data[0..len) (a
 * whole, already decompressed file), calls sink for every event and warn
 * for every malformed record (name:line and reason), and keeps going: a
 * bad record never stops the rest of the input.  It fails as a whole
 * (returns an error, diag says why) only when the input is not of its
 * format at all or the sink fails.
 */
#ifndef DT_INGEST_PARSERS_H
#define DT_INGEST_PARSERS_H

#include "ingest/event.h"

/* Zeek logs: TSV driven by the #separator/#fields/#types header (any log
 * type), or Zeek JSON (one object a line). */
enum dt_err ingest_zeek(const char *name, const char *data, size_t len, event_sink_fn *sink,
                        void *sctx, event_warn_fn *warn, void *wctx, struct ingest_counts *c,
                        struct dt_diag *diag);

/* Suricata EVE JSON, one object a line: alert, flow, netflow, dns, http,
 * tls, fileinfo, anomaly, ssh (others are counted as ignored). */
enum dt_err ingest_eve(const char *name, const char *data, size_t len, event_sink_fn *sink,
                       void *sctx, event_warn_fn *warn, void *wctx, struct ingest_counts *c,
                       struct dt_diag *diag);

#endif
