/*
 * parsers.h — the telemetry formats.  Each parser reads its input through
 * a reader (ingest/reader.h: streaming, gzip handled, bounded memory),
 * calls sink for every event and warn for every malformed record
 * (name:line or name:packet N, and the reason), and keeps going: a bad
 * record never stops the rest of the input.  It fails as a whole (returns
 * an error, diag says why) only when the input is not of its format at all
 * or the sink fails.  Counts are added to *x->c, not reset.
 * Damage the reader reports (a truncated gzip stream) is the caller's to
 * report; damage inside the format (a truncated pcap record) is the
 * parser's, reported through warn and counted as rejected.
 */
#ifndef DT_INGEST_PARSERS_H
#define DT_INGEST_PARSERS_H

#include "ingest/event.h"
#include "ingest/reader.h"

/* What a parser is given besides its input. */
struct ingest_ctx {
	const char *name; /* the input's name in messages ("" if NULL) */
	event_sink_fn *sink;
	void *sctx;
	event_warn_fn *warn; /* may be NULL */
	void *wctx;
	struct ingest_counts *c; /* may be NULL */
	/* Reference time (µs since the epoch; 0: now) for formats whose
	 * timestamps lack a year (RFC 3164 syslog): such a time is placed in
	 * the latest year that does not put it more than a day after now_us. */
	int64_t now_us;
};

/* The signature every parser has. */
typedef enum dt_err ingest_fn(struct reader *r, const struct ingest_ctx *x, struct dt_diag *diag);

/* Zeek logs: TSV driven by the #separator/#fields/#types header (any log
 * type), or Zeek JSON (one object a line). */
ingest_fn ingest_zeek;

/* Suricata EVE JSON, one object a line: alert, flow, netflow, dns, http,
 * tls, fileinfo, anomaly, ssh (others are counted as ignored). */
ingest_fn ingest_eve;

/* pcap and pcapng (libpcap): packets assembled into connection records,
 * one flow event per connection, with Zeek-style conn_state. */
ingest_fn ingest_pcap;

/* NetFlow v5, v9 and IPFIX export packets: a file of concatenated export
 * packets, or a pcap/pcapng of the UDP export traffic.  Templates are kept
 * per exporter (and observation domain / source id) across packets. */
ingest_fn ingest_netflow;

/* syslog lines: iptables/nftables/ufw packet logs and sshd authentication
 * failures (other lines are counted as ignored). */
ingest_fn ingest_syslog;

/* nginx/apache access logs in the common or combined format. */
ingest_fn ingest_weblog;

#endif
