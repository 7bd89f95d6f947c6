/*
 * nfdecode.h — inside the NetFlow parser (ingest/netflow.c): the state one
 * call of ingest_netflow keeps, and the decoding of one export packet once
 * netflow.c has delimited it (ingest/nfdecode.c).  Not an interface for
 * anyone else.
 */
#ifndef DT_INGEST_NFDECODE_H
#define DT_INGEST_NFDECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest/nftemplate.h"
#include "ingest/parsers.h"

#define NF_V5_HEADER    24u
#define NF_V5_RECORD    48u
#define NF_V5_MAX_COUNT 30u
#define NF_V9_HEADER    20
#define NF_IPFIX_HEADER 16

/* What one call of ingest_netflow keeps. */
struct nf_st {
	const char *name;
	event_sink_fn *sink;
	void *sctx;
	event_warn_fn *warn;
	void *wctx;
	struct ingest_counts *c;
	struct dt_diag *diag;
	struct nf_cache cache;
	uint64_t packet; /* the current export packet's number */
	uint64_t good;   /* packets that could be delimited */
	uint64_t frame;  /* capture: the current frame's number; 0 in a file */
	dt_u128 exporter;
	uint8_t efamily;
	bool full_warned;    /* the template cache filled up */
	enum dt_err err;     /* ours or the sink's: stops the parser */
	char first_why[200]; /* the first problem, for DT_EFORMAT */
	struct event ev;     /* the event being filled: fill() and decode_v5 set every
	                      * field NetFlow offers, the rest stay "not offered" */
	struct nf_field fields[NF_MAX_FIELDS];
};

/* Decodes the export packet p[0..n), delimited by the caller: v5 (n is
 * 24 + 48 * count), v9 (a header and whole flowsets of id 0, 1 or 256+)
 * or IPFIX (n is the message length).  Events go to the sink, problems to
 * warn; st->err is set when the sink or memory fails. */
void nf_decode(struct nf_st *st, const uint8_t *p, size_t n);

/* Warns about the current packet (name:packet, "frame N: " in a capture)
 * and counts one rejected record. */
void nf_reject(struct nf_st *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Counts one record of no interest. */
void nf_ignore(struct nf_st *st);

static inline uint16_t nf_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t nf_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline bool nf_all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

#endif
