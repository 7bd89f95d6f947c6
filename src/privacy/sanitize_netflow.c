/*
 * sanitize_netflow.c — the derivative of NetFlow v5, v9 and IPFIX export
 * packets (privacy/sanitize.h): every byte where it was, address fields
 * rewritten in place.
 *
 * What is rewritten:
 *   - v5: srcaddr, dstaddr and nexthop of each record (privacy_addr);
 *   - v9 and IPFIX data records, by their template (tracked per exporter,
 *     domain and id in an nf_cache as ingest/nfdecode.c tracks them, with
 *     its rules for withdrawals, refused templates and whole packets that
 *     are refused): IPv4 address elements 8, 12, 15, 18, 44, 45, 47, 130,
 *     211, 225, 226, 403 (and Cisco ASA's v9 40001, 40002), IPv6 address
 *     elements 27, 28, 62, 63, 131, 140, 169, 170, 212, 281, 282, 404
 *     (IPv4-mapped ones as the IPv4 address, as the parser reads them),
 *     MAC elements 56, 57, 80, 81, 365, 414, 415 (sanitize_pkt.h's MAC
 *     pseudonym), and the user name 371 (ASA's v9 40000), zeroed;
 *     everything else (ports, counters, times, templates) is kept;
 *   - in a capture of export traffic (pcap/pcapng), each frame as
 *     sanitize_pkt.h rewrites it (the outer addresses: exporter and
 *     collector, when home), an export datagram kept whole with its
 *     export packet rewritten as above and its UDP checksum moved by the
 *     difference (a correct one stays correct).  An export datagram the
 *     parser cannot read whole (a fragment, cut by the snap length) keeps
 *     its first two payload bytes (the version), the rest withheld.
 *
 * Bytes the parser cannot delimit as a packet (ingest/netflow.c: damage
 * it reports and skips, resynchronising at the next plausible header) are
 * withheld: replaced, at the same length, by a form the parser rejects
 * once and resynchronises after at the same offset (make_junk says how);
 * a stretch shorter than 4 bytes stays as it is.  The delimiting code
 * below is netflow.c's, repeated (it is private to that file); keep the
 * two in step.
 *
 * Record numbers and events: the derivative has the same packets at the
 * same offsets with the same structure, so ingest_netflow numbers and
 * decodes them alike; template keys use the exporter's address, which
 * maps one to one.  Not reproduced: the template cache filling up
 * (NF_MAX_TEMPLATES entries); the parser's messages about junk differ.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest/nfdecode.h"
#include "ingest/nfframe.h"
#include "ingest/nfpcap.h"
#include "privacy/sanitize.h"
#include "privacy/sanitize_pkt.h"

#define FILLER 0xff

/* What a template field is to the sanitizer (kept in nf_field.role). */
enum { R_NONE, R_V4, R_V6, R_MAC, R_DROP };

struct snf {
	struct spkt pk;
	struct nf_cache cache;
	dt_u128 exporter;
	uint8_t efamily;
	uint64_t packets, frames, bad; /* bad: undelimitable stretches */
	uint8_t orig4[4];
	uint8_t junk[NF_MAX_PACKET]; /* the withheld form of a bad packet */
	struct nf_field fields[NF_MAX_FIELDS];
};

static uint8_t role_of(unsigned version, uint32_t pen, uint16_t id, uint16_t len)
{
	if (pen != 0)
		return R_NONE;
	switch (id) {
	case 8:
	case 12:
	case 15:
	case 18:
	case 44:
	case 45:
	case 47:
	case 130:
	case 211:
	case 225:
	case 226:
	case 403: return len == 4 ? R_V4 : R_NONE;
	case 27:
	case 28:
	case 62:
	case 63:
	case 131:
	case 140:
	case 169:
	case 170:
	case 212:
	case 281:
	case 282:
	case 404: return len == 16 ? R_V6 : R_NONE;
	case 56:
	case 57:
	case 80:
	case 81:
	case 365:
	case 414:
	case 415: return len == 6 ? R_MAC : R_NONE;
	case 371: return R_DROP;
	}
	if (version == 9 && (id == 40001 || id == 40002))
		return len == 4 ? R_V4 : R_NONE;
	if (version == 9 && id == 40000)
		return R_DROP;
	return R_NONE;
}

static void field(struct snf *n, uint8_t role, uint8_t *p, size_t len)
{
	switch (role) {
	case R_V4: spkt_addr4(&n->pk, p); break;
	case R_V6: spkt_addr6(&n->pk, p, true); break;
	case R_MAC: spkt_mac(&n->pk, p); break;
	case R_DROP:
		if (!nf_all_zero(p, len)) {
			memset(p, 0, len);
			n->pk.c->users++;
		}
		break;
	}
}

static struct nf_key key_of(const struct snf *n, unsigned version, uint32_t domain, uint16_t id)
{
	struct nf_key k;

	memset(&k, 0, sizeof(k));
	k.exporter = n->exporter;
	k.family = n->efamily;
	k.domain = domain;
	k.id = id;
	k.version = (uint8_t)version;
	return k;
}

/* ---- one delimited packet (nfdecode.c's walk) ------------------------------ */

/* Template records of a set, learnt as nfdecode.c learns them. */
static void templates(struct snf *n, unsigned version, uint32_t domain, uint16_t setid,
                      const uint8_t *b, size_t len, bool options)
{
	bool ipfix = version == 10;
	size_t i = 0;

	while (i < len) {
		size_t rest = len - i, start;
		unsigned tid, fc;
		struct nf_key key;
		const char *why;

		if (rest < 4 || nf_all_zero(b + i, rest))
			return;
		tid = nf_be16(b + i);
		fc = nf_be16(b + i + 2);
		key = key_of(n, version, domain, (uint16_t)tid);
		if (ipfix && fc == 0) {
			if (tid != setid && tid < 256)
				return;
			nf_cache_withdraw(&n->cache, &key, tid == setid);
			i += 4;
			continue;
		}
		if (options) {
			if (rest < 6)
				return;
			if (!ipfix) {
				unsigned sl = fc, ol = nf_be16(b + i + 4);

				if (sl % 4 || ol % 4)
					return;
				fc = (sl + ol) / 4;
			}
			i += 6;
		} else {
			i += 4;
		}
		if (tid < 256 || fc == 0 || fc > NF_MAX_FIELDS)
			return;
		start = i;
		for (unsigned f = 0; f < fc; f++) {
			size_t need = ipfix && len - i >= 4 && (b[i] & 0x80) ? 8 : 4;

			if (len - i < need)
				return;
			i += need;
		}
		if (nf_cache_same(&n->cache, &key, b + start, i - start, options))
			continue;
		for (size_t j = start, f = 0; f < fc; f++) {
			uint16_t ie = nf_be16(b + j), flen = nf_be16(b + j + 2);
			uint32_t pen = 0;

			j += 4;
			if (ipfix && (ie & 0x8000)) {
				pen = nf_be32(b + j);
				j += 4;
				ie &= 0x7fff;
			}
			n->fields[f].len = flen;
			n->fields[f].role = role_of(version, pen, ie, flen);
			n->fields[f].off = 0;
		}
		if (nf_cache_define(&n->cache, &key, n->fields, fc, options, b + start, i - start,
		                    &why) == DT_ENOMEM)
			return;
	}
}

/* The records of a data set, rewritten by their template. */
static void data(struct snf *n, unsigned version, uint32_t domain, uint16_t tid, uint8_t *b,
                 size_t len)
{
	struct nf_key key = key_of(n, version, domain, tid);
	const struct nf_entry *e = nf_cache_find(&n->cache, &key);
	const struct nf_template *t;
	size_t i = 0;

	if (e == NULL || e->state != NF_TEMPLATE)
		return; /* unknown: the parser ignores it; nothing to go by */
	t = &e->t;
	if (!t->varlen) {
		const struct nf_field *pick = t->fields + t->nfields;

		for (size_t r = 0; r < len / t->min_len; r++)
			for (uint32_t j = 0; j < t->npicks; j++)
				field(n, pick[j].role, b + r * t->min_len + pick[j].off,
				      pick[j].len);
		return;
	}
	while (len - i >= t->min_len) {
		for (uint32_t f = 0; f < t->nfields; f++) {
			size_t flen = t->fields[f].len;

			if (flen == NF_VARLEN) {
				if (i >= len)
					return;
				flen = b[i++];
				if (flen == 255) {
					if (len - i < 2)
						return;
					flen = nf_be16(b + i);
					i += 2;
				}
			}
			if (len - i < flen)
				return;
			if (t->fields[f].role)
				field(n, t->fields[f].role, b + i, flen);
			i += flen;
		}
	}
}

static void packet_v9(struct snf *n, uint8_t *p, size_t len)
{
	uint32_t domain = nf_be32(p + 16);
	unsigned count = nf_be16(p + 2), sets = 0;
	bool learn;
	size_t i;

	for (i = NF_V9_HEADER; i < len; i += nf_be16(p + i + 2))
		sets++;
	/* the parser drops such a packet whole: learn nothing from it */
	learn = !(sets > count || (sets == 0 && count > 0));
	for (i = NF_V9_HEADER; i < len;) {
		uint16_t id = nf_be16(p + i), slen = nf_be16(p + i + 2);

		if (id == 0 || id == 1) {
			if (learn)
				templates(n, 9, domain, id, p + i + 4, slen - 4u, id == 1);
		} else {
			data(n, 9, domain, id, p + i + 4, slen - 4u);
		}
		i += slen;
	}
}

static void packet_ipfix(struct snf *n, uint8_t *p, size_t len)
{
	uint32_t domain = nf_be32(p + 12);
	bool learn = true;
	size_t i;

	for (i = NF_IPFIX_HEADER; i < len;) {
		uint16_t slen;

		if (len - i < 4) {
			learn = nf_all_zero(p + i, len - i);
			break;
		}
		slen = nf_be16(p + i + 2);
		if (slen < 4) {
			learn = nf_all_zero(p + i, len - i);
			break;
		}
		if (slen > len - i) {
			learn = false;
			break;
		}
		i += slen;
	}
	for (i = NF_IPFIX_HEADER; len - i >= 4;) {
		uint16_t id = nf_be16(p + i), slen = nf_be16(p + i + 2);

		if (slen < 4 || slen > len - i)
			break;
		if (id == 2 || id == 3) {
			if (learn)
				templates(n, 10, domain, id, p + i + 4, slen - 4u, id == 3);
		} else if (id >= 256) {
			data(n, 10, domain, id, p + i + 4, slen - 4u);
		}
		i += slen;
	}
}

static void packet(struct snf *n, uint8_t *p, size_t len)
{
	switch (p[1]) {
	case 5:
		for (size_t i = 0; i < nf_be16(p + 2); i++) {
			uint8_t *r = p + NF_V5_HEADER + (size_t)NF_V5_RECORD * i;

			spkt_addr4(&n->pk, r);
			spkt_addr4(&n->pk, r + 4);
			spkt_addr4(&n->pk, r + 8);
		}
		break;
	case 9: packet_v9(n, p, len); break;
	default: packet_ipfix(n, p, len); break;
	}
}

/*
 * n->junk[0..len) := the withheld form of the bad bytes at p[0..avail),
 * which the parser could not delimit (trunc: because the input ends;
 * datagram: the payload of one export datagram).  It must make the parser
 * do again what it did, whatever follows: reject once, then resynchronise
 * (or, trunc, consume the rest), and it must keep answering the parser's
 * question about the packet before it (is it followed by another packet?),
 * which looks at the first two bytes (as does the walk of a v9 packet
 * before them: a flowset id of 2 to 255 ends it).  So: when those read as
 * a version (00 05/09/0a), "00 05 ff ff" (a v5 count above 30: rejected,
 * resynchronised) or, trunc, "00 09 ff ff" (a v9 flowset running past
 * the end: truncated); else those two bytes as they are (no version: the
 * parser rejects and resynchronises); then 0xff throughout,
 * which is neither padding nor the start of a packet.  n->orig4 keeps the
 * first bytes, for a stretch shorter than 4 (see run_file).
 */
static size_t make_junk(struct snf *n, const uint8_t *p, size_t avail, bool trunc, bool datagram)
{
	size_t len = avail < sizeof(n->junk) ? avail : sizeof(n->junk);

	memset(n->junk, FILLER, len);
	memcpy(n->orig4, p, len < 4 ? len : 4);
	if (len >= 2 && (datagram || nf_is_version(p))) {
		n->junk[0] = 0;
		n->junk[1] = trunc || datagram ? 9 : 5;
	} else {
		memcpy(n->junk, p, len < 2 ? len : 2);
	}
	n->pk.c->unparsed++;
	n->bad++;
	return len;
}

/* Writes skipped bytes of withheld junk: junk[0..jlen) then filler. */
static bool write_junk(const struct snf *n, FILE *out, size_t jlen, uint64_t skipped)
{
	uint8_t fill[4096];
	size_t k = jlen < skipped ? jlen : (size_t)skipped;

	if (fwrite(n->junk, 1, k, out) != k)
		return false;
	memset(fill, FILLER, sizeof(fill));
	for (skipped -= k; skipped > 0;) {
		size_t m = skipped < sizeof(fill) ? (size_t)skipped : sizeof(fill);

		if (fwrite(fill, 1, m, out) != m)
			return false;
		skipped -= m;
	}
	return true;
}

/* netflow.c's resync: the bytes from the bad header to the next plausible
 * one (or to the end), consumed. */
static uint64_t resync(struct reader *r)
{
	uint64_t skipped = 0;
	size_t q = 1;

	for (;;) {
		size_t avail, limit;
		const uint8_t *p = (const uint8_t *)reader_peek(r, NF_WINDOW, &avail);
		bool eof = avail < NF_WINDOW;

		limit = eof ? avail : avail - NF_MAX_PACKET - 8;
		for (; q + 1 < limit; q++) {
			if (p[q] == 0 && (p[q + 1] == 5 || p[q + 1] == 9 || p[q + 1] == 10) &&
			    nf_plausible(p + q, avail - q, eof)) {
				reader_skip(r, q);
				return skipped + q;
			}
		}
		if (eof) {
			reader_skip(r, avail);
			return skipped + avail;
		}
		reader_skip(r, limit);
		skipped += limit;
		q = 0;
	}
}

static enum dt_err run_file(struct snf *n, struct reader *r, FILE *out, const char *name,
                            struct dt_diag *diag)
{
	static const uint8_t zeros[4096];
	uint8_t *buf = n->pk.buf; /* SPKT_BUF_INIT > NF_MAX_PACKET */
	bool ok = true;

	while (ok) {
		size_t avail, len = 0, jlen;
		const uint8_t *p = (const uint8_t *)reader_peek(r, NF_WINDOW, &avail);
		bool eof = avail < NF_WINDOW, trunc;

		if (avail == 0)
			break;
		while (len + 1 < avail && p[len] == 0 && p[len + 1] == 0)
			len++;
		if (len + 1 == avail && eof && p[len] == 0)
			len = avail;
		if (len) {
			for (size_t k = 0; k < len && ok; k += sizeof(zeros)) {
				size_t m = len - k < sizeof(zeros) ? len - k : sizeof(zeros);

				ok = fwrite(zeros, 1, m, out) == m;
			}
			reader_skip(r, len);
			continue;
		}
		len = nf_extent(p, avail, eof, NULL, 0, &trunc);
		if (len && p[1] == 5 && !nf_follows(p + len, avail - len, eof) &&
		    !nf_v5_sane(p, len))
			len = 0, trunc = false;
		if (len) {
			memcpy(buf, p, len);
			packet(n, buf, len);
			n->packets++;
			n->pk.c->records++;
			ok = fwrite(buf, 1, len, out) == len;
			reader_skip(r, len);
		} else if (trunc) {
			jlen = make_junk(n, p, avail, true, false);
			ok = write_junk(n, out, jlen, avail);
			reader_skip(r, avail);
		} else {
			uint64_t skipped;

			jlen = make_junk(n, p, avail, false, false);
			if ((skipped = resync(r)) < 4) {
				/* the next packet starts inside the bad header:
				 * no room for a withheld form, the bytes stay */
				memcpy(n->junk, n->orig4, (size_t)skipped);
			}
			ok = write_junk(n, out, jlen, skipped);
		}
	}
	if (!ok) {
		dt_diag_set(diag, name, 0, "cannot write the sanitized copy");
		return DT_EIO;
	}
	if (n->packets == 0 && n->bad > 0) {
		dt_diag_set(diag, name, 1, "no NetFlow v5/v9 or IPFIX export packet in the input");
		return DT_EFORMAT;
	}
	return DT_OK;
}

/* ---- captures --------------------------------------------------------------- */

static bool dlt_ok(int dlt)
{
	return netflow_dlt_supported(dlt) != 0;
}

/* One export datagram p[0..len), rewritten in place. */
static void datagram(struct snf *n, uint8_t *p, size_t len)
{
	bool trunc;
	size_t m = nf_extent(p, len, true, NULL, 0, &trunc);

	if (m == 0) {
		size_t j = make_junk(n, p, len, true, true);

		memcpy(p, n->junk, j);
		return;
	}
	packet(n, p, m);
	if (m < len && !nf_all_zero(p + m, len - m))
		memset(p + m, FILLER, len - m);
}

static void hook(void *ctx, int dlt, uint8_t *f, size_t caplen, struct spkt_extra *x)
{
	struct snf *n = ctx;
	struct netflow_udp u;
	enum netflow_frame kind = netflow_frame_udp(dlt, f, caplen, &u);
	size_t at;

	n->frames++;
	if (kind == NETFLOW_OTHER || u.len < 2 || !nf_is_version(u.payload))
		return; /* not an export packet: a frame like any other */
	at = (size_t)(u.payload - f);
	n->packets++;
	n->exporter = u.src.addr;
	n->efamily = u.src.family;
	if (kind != NETFLOW_UDP) {
		/* unreadable to the parser: the version word says so again */
		n->pk.c->unparsed++;
		x->keep_min = at + 2;
		return;
	}
	x->udp_old = spkt_sum(u.payload, u.len);
	datagram(n, f + at, u.len);
	x->udp_new = spkt_sum(u.payload, u.len);
	x->keep_min = at + u.len;
}

enum dt_err sanitize_netflow(struct reader *r, struct privacy *p, FILE *out, const char *name,
                             struct privacy_counts *c, struct dt_diag *diag)
{
	struct snf *n = calloc(1, sizeof(*n));
	const uint8_t *head;
	size_t avail;
	enum dt_err err;

	if (n == NULL || spkt_init(&n->pk, p, c)) {
		free(n);
		dt_diag_set(diag, name, 0, "%s", dt_strerror(DT_ENOMEM));
		return DT_ENOMEM;
	}
	nf_cache_init(&n->cache);
	head = (const uint8_t *)reader_peek(r, 4, &avail);
	if (avail >= 4 && nf_capture_magic(head)) {
		err = spkt_capture(&n->pk, r, out, name, dlt_ok, hook, n, diag);
		if (!err && n->packets == 0 && n->frames > 0) {
			dt_diag_set(
			    diag, name, 0,
			    "no NetFlow/IPFIX export packet in the %llu frames of the capture",
			    (unsigned long long)n->frames);
			err = DT_EFORMAT;
		}
	} else {
		err = run_file(n, r, out, name, diag);
	}
	nf_cache_release(&n->cache);
	spkt_release(&n->pk);
	free(n);
	return err;
}
