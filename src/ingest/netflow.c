/*
 * netflow.c — NetFlow v5, NetFlow v9 and IPFIX export packets into flow
 * events (ingest_netflow, parsers.h): finding the packets; decoding one is
 * nfdecode.c's, templates are nftemplate.c's.
 *
 * Input.  Either a file of export packets laid end to end (what `nc -lu >
 * file` or a collector's raw dump gives), or a pcap/pcapng capture of the
 * UDP export traffic (told apart by the capture magic; read with libpcap
 * through reader_stream, each UDP datagram one export packet, the exporter
 * its source address — nfpcap.c reads the link layers).  gzip is the
 * reader's business.
 *
 * Where a packet ends in a file of them: v5, 24 + 48 * count bytes (count
 * at most 30); IPFIX, the message length of its header; v9 has no length
 * (and a count that exporters fill in different ways, see nfdecode.c), so
 * its packet is the run of flowsets (id, length) up to the next packet's
 * version word (5, 9 and 10 are reserved flowset ids, RFC 3954 section
 * 5.3), a run of zero padding (Palo Alto pads to a fixed size) or the end.
 * Zero bytes between packets are skipped as padding.  A v5 packet has no
 * inner structure: one that is not followed by another packet and whose
 * own fields look wrong (unix_nsecs of a second or more, non-zero record
 * padding) counts as undelimitable.  In a capture the datagram delimits
 * the packet; bytes after it other than zero padding (a second IPFIX
 * message, junk) are reported and counted as one rejected record.
 *
 * Malformed input: a packet that cannot be delimited is reported with its
 * number and reason and counted as one rejected record.  In a file the
 * parser then scans forward for the next plausible packet header (version
 * 5/9/10 whose own structure holds and which ends at the end of input or
 * at another header) and says how many bytes it skipped; if none is found
 * it stops there and says so.  A packet cut short by the end of the input
 * is reported as truncated.  The input is refused as a whole (DT_EFORMAT)
 * when not one export packet in it could be delimited, or when a capture
 * holds no export packet.
 *
 * record (and the line of a warning) is the export packet's number,
 * 1-based, in a file and in a capture alike; warnings from a capture also
 * name the frame.  Counts: records = events + ignored + rejected, where
 * records are data records plus everything counted as rejected or ignored
 * as a whole (bad packets, unknown-template sets, frames of a capture that
 * carry no export packet).
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/nfdecode.h"
#include "ingest/nfframe.h"
#include "ingest/nfpcap.h"

static void decode(struct nf_st *st, const uint8_t *p, size_t n)
{
	st->good++;
	nf_decode(st, p, n);
}

/* After a packet that cannot be delimited: on to the next plausible
 * header, or to the end. */
static void resync(struct nf_st *st, struct reader *r, const char *why)
{
	unsigned long long skipped = 0;
	size_t q = 1; /* not the bad header itself */

	for (;;) {
		size_t avail, limit;
		const uint8_t *p = (const uint8_t *)reader_peek(r, NF_WINDOW, &avail);
		bool eof = avail < NF_WINDOW;

		/* a candidate needs its whole packet and what follows in view */
		limit = eof ? avail : avail - NF_MAX_PACKET - 8;
		for (; q + 1 < limit; q++) {
			if (p[q] == 0 && (p[q + 1] == 5 || p[q + 1] == 9 || p[q + 1] == 10) &&
			    nf_plausible(p + q, avail - q, eof)) {
				reader_skip(r, q);
				skipped += q;
				nf_reject(st,
				          "%s; skipped %llu bytes to the next export packet header",
				          why, skipped);
				return;
			}
		}
		if (eof) {
			reader_skip(r, avail);
			skipped += avail;
			nf_reject(
			    st,
			    "%s; no export packet header in the remaining %llu bytes: stopped "
			    "there",
			    why, skipped);
			return;
		}
		reader_skip(r, limit);
		skipped += limit;
		q = 0;
	}
}

/* A file of export packets end to end. */
static void run_file(struct nf_st *st, struct reader *r)
{
	char why[256];

	while (!st->err) {
		size_t avail, n = 0;
		const uint8_t *p = (const uint8_t *)reader_peek(r, NF_WINDOW, &avail);
		bool eof = avail < NF_WINDOW, trunc;

		if (avail == 0)
			return;
		while (n + 1 < avail && p[n] == 0 && p[n + 1] == 0)
			n++;
		if (n + 1 == avail && eof && p[n] == 0)
			n = avail;
		if (n) {
			reader_skip(r, n); /* padding */
			continue;
		}
		st->packet++;
		n = nf_extent(p, avail, eof, why, sizeof(why), &trunc);
		if (n && p[1] == 5 && !nf_follows(p + n, avail - n, eof) && !nf_v5_sane(p, n)) {
			/* v5 has no inner structure to check its count against:
			 * neither what follows nor its own fields vouch for it */
			snprintf(why, sizeof(why),
			         "v5 packet of %u records is neither followed by another packet "
			         "(but by bytes %02x %02x) nor sane itself: count wrong or packet "
			         "damaged",
			         nf_be16(p + 2), p[n], avail - n > 1 ? p[n + 1] : 0);
			n = 0;
		}
		if (n) {
			decode(st, p, n);
			reader_skip(r, n);
		} else if (trunc) {
			nf_reject(st, "%s", why);
			reader_skip(r, avail);
		} else {
			resync(st, r, why);
		}
	}
}

/* ---- captures ----------------------------------------------------------- */

/* One UDP datagram holding one export packet. */
static void run_datagram(struct nf_st *st, const uint8_t *p, size_t len)
{
	char why[256];
	bool trunc;
	size_t n;

	st->packet++;
	n = nf_extent(p, len, true, why, sizeof(why), &trunc);
	if (n == 0) {
		nf_reject(st, "%s", why);
		return;
	}
	decode(st, p, n);
	if (!st->err && n < len && !nf_all_zero(p + n, len - n))
		nf_reject(st, "%zu bytes after the %zu-byte export packet in the datagram: ignored",
		          len - n, n);
}

static bool looks_exported(const struct netflow_udp *u)
{
	return u->len >= 2 && nf_is_version(u->payload);
}

static enum dt_err run_capture(struct nf_st *st, struct reader *r)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *h;
	const u_char *frame;
	FILE *f = reader_stream(r);
	pcap_t *pc;
	int dlt, rc;

	if (f == NULL) {
		dt_diag_set(st->diag, st->name, 0, "cannot read the capture: %s",
		            dt_strerror(DT_ENOMEM));
		return DT_ENOMEM;
	}
	if ((pc = pcap_fopen_offline(f, errbuf)) == NULL) {
		dt_diag_set(st->diag, st->name, 0, "not a capture libpcap can read: %s", errbuf);
		return DT_EFORMAT;
	}
	dlt = pcap_datalink(pc);
	if (!netflow_dlt_supported(dlt)) {
		const char *dn = pcap_datalink_val_to_name(dlt);

		dt_diag_set(st->diag, st->name, 0,
		            "capture link type %s (%d) is not supported (Ethernet, Linux cooked, "
		            "raw IP and loopback are)",
		            dn ? dn : "?", dlt);
		pcap_close(pc);
		return DT_EFORMAT;
	}
	while (!st->err && (rc = pcap_next_ex(pc, &h, &frame)) == 1) {
		struct netflow_udp u;
		enum netflow_frame kind = netflow_frame_udp(dlt, frame, h->caplen, &u);

		st->frame++;
		if (kind == NETFLOW_OTHER || !looks_exported(&u)) {
			nf_ignore(st);
			continue;
		}
		st->exporter = u.src.addr;
		st->efamily = u.src.family;
		if (kind == NETFLOW_UDP) {
			run_datagram(st, u.payload, u.len);
		} else {
			st->packet++;
			if (kind == NETFLOW_FRAGMENT)
				nf_reject(st,
				          "fragmented IP datagram of %zu bytes: not reassembled",
				          u.udp_len);
			else
				nf_reject(st,
				          "the capture holds %zu of the %zu bytes of the datagram "
				          "(snapshot length)",
				          u.len, u.udp_len);
		}
	}
	if (!st->err && rc == -1)
		nf_reject(st, "capture damaged after frame %llu: %s", (unsigned long long)st->frame,
		          pcap_geterr(pc));
	pcap_close(pc);
	if (!st->err && st->packet == 0 && st->frame > 0) {
		dt_diag_set(st->diag, st->name, 0,
		            "no NetFlow/IPFIX export packet in the %llu frames of the capture",
		            (unsigned long long)st->frame);
		return DT_EFORMAT;
	}
	return st->err;
}

enum dt_err ingest_netflow(struct reader *r, const struct ingest_ctx *x, struct dt_diag *diag)
{
	struct ingest_counts local = {0};
	struct dt_diag dlocal;
	struct nf_st *st;
	const uint8_t *p;
	size_t avail;
	enum dt_err err;

	if (diag == NULL)
		diag = &dlocal;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		dt_diag_set(diag, x->name ? x->name : "", 0, "%s", dt_strerror(DT_ENOMEM));
		return DT_ENOMEM;
	}
	st->name = x->name ? x->name : "";
	st->sink = x->sink;
	st->sctx = x->sctx;
	st->warn = x->warn;
	st->wctx = x->wctx;
	st->c = x->c ? x->c : &local;
	st->diag = diag;
	nf_cache_init(&st->cache);
	event_init(&st->ev);
	st->ev.kind = EVENT_FLOW;
	p = (const uint8_t *)reader_peek(r, 4, &avail);
	if (avail >= 4 && nf_capture_magic(p)) {
		err = run_capture(st, r);
	} else {
		run_file(st, r);
		err = st->err;
		if (!err && st->good == 0 && st->packet > 0) {
			dt_diag_set(diag, st->name, 1,
			            "no NetFlow v5/v9 or IPFIX export packet in the input: %s",
			            st->first_why);
			err = DT_EFORMAT;
		}
	}
	nf_cache_release(&st->cache);
	free(st);
	return err;
}
