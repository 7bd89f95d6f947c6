/*
 * nfdecode.c — one NetFlow v5, v9 or IPFIX export packet, delimited by
 * netflow.c, into flow events.
 *
 *   - v5 (Cisco "NetFlow Export Datagram Format"): 24-byte header, then
 *     48-byte records of srcaddr, dstaddr, nexthop, input, output, dPkts,
 *     dOctets, First, Last (sysUptime ms), srcport, dstport, pad,
 *     tcp_flags, prot, tos, src_as, dst_as, masks, pad.
 *   - v9 (RFC 3954): 20-byte header, flowsets 0 templates, 1 options
 *     templates, 256+ data.  The header count is meant to be the number of
 *     records, but real exporters put the number of flowsets there
 *     (FortiGate, Streamcore, Cisco WLC) or something else; a packet with
 *     more flowsets than its count is malformed under either reading and
 *     is rejected whole (tshark decodes only its first `count` flowsets).
 *   - IPFIX (RFC 7011): 16-byte header; sets 2 templates, 3 options
 *     templates, 256+ data, which must tile the message; information
 *     elements with the enterprise bit carry a 4-byte enterprise number;
 *     fields of length 65535 have a 1-byte length prefix, or 255 and a
 *     2-byte length (section 7); template withdrawal (section 8.1).
 *
 * Templates live in nftemplate.c, kept across packets per (exporter,
 * source id / observation domain, template id).  A data set whose
 * template has not been seen (an exporter sends templates only every so
 * often) or was withdrawn is counted as one record, ignored, and reported
 * once per template, not per set.  Options data records describe the
 * exporter, not flows: each is a record counted as ignored; IPFIX
 * systemInitTimeMilliseconds is taken from them, as flowStartSysUpTime in
 * the flows of that observation domain counts from it.  A broken template
 * or data set is rejected (one record) and loses only itself.
 *
 * An event per data record that has a source or destination address
 * (records with neither are counted as ignored): addresses from IEs 8/12
 * (IPv4) or 27/28 (IPv6; an IPv4 address of 0.0.0.0 gives way to an IPv6
 * one in the same record; IPv4-mapped IPv6 becomes IPv4, as core/ip.h
 * does for text), ports 7/11, protocol 4 (a value too large for the
 * element gives -1); orig_bytes octetDeltaCount 1, else initiatorOctets
 * 231, else octetTotalCount 85; orig_pkts likewise from 2, 298, 86;
 * resp_bytes/resp_pkts from the RFC 5103 reverse elements (enterprise
 * 29305) of 1/2, else responderOctets/Packets 232/299, else reverse
 * 85/86 — -1 when the record has none.  The flow start (ts_us) is, in
 * this order: an absolute time (IEs 150-157, 154-157 in NTP format, RFC
 * 7011 section 6.1.9-10); sysUptime-relative 22 (v5/v9: export time +
 * (first - sysUptime) ms, computed modulo 2^32 so a counter that wrapped,
 * or a flow that started a millisecond before the exporter booted, comes
 * out right; IPFIX: systemInitTimeMilliseconds from the record or its
 * domain's options + 22); flowStartDeltaMicroseconds 158 before the export
 * time; and else the export time of the packet (v5: unix_secs and
 * unix_nsecs; v9: unix_secs; IPFIX: export time).  duration_us is end -
 * start when both are known (-1 if negative); else, in an IPFIX domain
 * whose boot time is unknown, flowEndSysUpTime - flowStartSysUpTime; else
 * flowDurationMicro/Milliseconds 162/161; else -1.  record is the export
 * packet's number.
 *
 * No allocation per record: one event lives in the state, fill() sets
 * every field NetFlow offers, and the sink gets it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/nfdecode.h"

#define NF_NTP_EPOCH 2208988800ll /* seconds from 1900 to 1970 (RFC 5905) */

/* The packet being decoded. */
struct nf_pkt {
	uint8_t version;
	uint32_t domain;    /* v9 source id, IPFIX observation domain id */
	uint32_t uptime_ms; /* v9: sysUptime at export */
	int64_t export_us;
};

/* The fields of interest of one data record, as slices of the record. */
struct nf_vals {
	uint64_t have; /* bit per enum nf_role */
	const uint8_t *p[NF_ROLES];
	uint16_t len[NF_ROLES];
};
_Static_assert(NF_ROLES <= 64, "roles must fit the mask of struct nf_vals");

/* ---- small helpers ------------------------------------------------------ */

/* An unsigned big-endian number of 1..8 bytes. */
static uint64_t ben(const uint8_t *p, size_t len)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++)
		v = v << 8 | p[i];
	return v;
}

static void vsay(struct nf_st *st, const char *fmt, va_list ap)
{
	struct dt_diag d;
	char msg[sizeof(d.msg)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!st->first_why[0])
		snprintf(st->first_why, sizeof(st->first_why), "%.199s", msg);
	if (st->warn == NULL)
		return;
	if (st->frame)
		dt_diag_set(&d, st->name, st->packet, "frame %llu: %s",
		            (unsigned long long)st->frame, msg);
	else
		dt_diag_set(&d, st->name, st->packet, "%s", msg);
	st->warn(st->wctx, &d);
}

/* Warns about the current packet without counting. */
static void say(struct nf_st *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct nf_st *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(st, fmt, ap);
	va_end(ap);
}

void nf_reject(struct nf_st *st, const char *fmt, ...)
{
	va_list ap;

	st->c->records++;
	st->c->rejected++;
	va_start(ap, fmt);
	vsay(st, fmt, ap);
	va_end(ap);
}

void nf_ignore(struct nf_st *st)
{
	st->c->records++;
	st->c->ignored++;
}

static void fail(struct nf_st *st, enum dt_err err)
{
	st->err = err;
	dt_diag_set(st->diag, st->name, st->packet, "%s", dt_strerror(err));
}

static void emit(struct nf_st *st, const struct event *ev)
{
	enum dt_err err;

	st->c->records++;
	if ((err = st->sink(st->sctx, ev)) != DT_OK) {
		fail(st, err);
		return;
	}
	st->c->events++;
}

static struct nf_key key_of(const struct nf_st *st, const struct nf_pkt *k, uint16_t id)
{
	struct nf_key key;

	memset(&key, 0, sizeof(key));
	key.exporter = st->exporter;
	key.family = st->efamily;
	key.domain = k->domain;
	key.id = id;
	key.version = k->version;
	return key;
}

/* ---- addresses and times ------------------------------------------------ */

static void set4(struct dt_ip *ip, const uint8_t *p)
{
	ip->family = DT_IP_V4;
	ip->mapped = false;
	ip->addr = nf_be32(p);
}

static void set6(struct dt_ip *ip, const uint8_t *p)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (memcmp(p, mapped, 12) == 0) {
		set4(ip, p + 12);
		ip->mapped = true;
		return;
	}
	ip->family = DT_IP_V6;
	ip->mapped = false;
	ip->addr = 0;
	for (int i = 0; i < 16; i++)
		ip->addr = ip->addr << 8 | p[i];
}

#define HAS(v, r) (((v)->have >> (r)) & 1u)

static uint64_t val(const struct nf_vals *v, int r)
{
	return ben(v->p[r], v->len[r]);
}

/* An NTP-format timestamp (seconds since 1900, 32-bit fraction) in µs
 * since 1970. */
static int64_t ntp_us(uint64_t x)
{
	int64_t s = (int64_t)(x >> 32) - NF_NTP_EPOCH;

	return s * 1000000 + (int64_t)(((x & 0xffffffffu) * 1000000) >> 32);
}

/* An absolute time from the fields s, ms, us, ns (the finest present). */
static bool abs_time(const struct nf_vals *v, int s, int ms, int us, int ns, int64_t *out)
{
	uint64_t x;

	if (HAS(v, ns)) {
		*out = ntp_us(val(v, ns));
		return true;
	}
	if (HAS(v, us)) {
		*out = ntp_us(val(v, us));
		return true;
	}
	if (HAS(v, ms) && (x = val(v, ms)) <= (uint64_t)INT64_MAX / 1000) {
		*out = (int64_t)x * 1000;
		return true;
	}
	if (HAS(v, s) && (x = val(v, s)) <= (uint64_t)INT64_MAX / 1000000) {
		*out = (int64_t)x * 1000000;
		return true;
	}
	return false;
}

/* A time relative to the exporter's boot (flowStart/EndSysUpTime). */
static bool uptime_time(const struct nf_pkt *k, const struct nf_vals *v, int r, int64_t sysinit,
                        int64_t *out)
{
	uint64_t x;

	if (!HAS(v, r))
		return false;
	x = val(v, r);
	if (k->version != 10) {
		/* modulo 2^32: sysUptime wraps after 49.7 days */
		*out = k->export_us + (int64_t)(int32_t)((uint32_t)x - k->uptime_ms) * 1000;
		return true;
	}
	if (sysinit < 0 || sysinit > INT64_MAX / 1000 - (1ll << 42) || x >= (1ull << 41))
		return false;
	*out = (sysinit + (int64_t)x) * 1000;
	return true;
}

/* Role r as a number up to max, or -1. */
static int32_t small(const struct nf_vals *v, int r, uint64_t max)
{
	uint64_t x;

	return HAS(v, r) && (x = val(v, r)) <= max ? (int32_t)x : -1;
}

/* last - first of two sysUpTime values in ms, as µs; -1 if negative. */
static int64_t uptime_span(uint64_t first, uint64_t last)
{
	return last >= first && last - first < (1ull << 40) ? (int64_t)(last - first) * 1000 : -1;
}

/* The first of roles a, b, c present, as a count (-1: none). */
static int64_t count_of(const struct nf_vals *v, int a, int b, int c)
{
	int r = HAS(v, a) ? a : HAS(v, b) ? b : HAS(v, c) ? c : -1;
	uint64_t x;

	if (r < 0)
		return -1;
	x = val(v, r);
	return x <= (uint64_t)INT64_MAX ? (int64_t)x : -1;
}

/* Fills ev from the fields of one flow record.  sysinit: the domain's
 * systemInitTimeMilliseconds, or -1. */
static void fill(const struct nf_pkt *k, const struct nf_vals *v, int64_t sysinit, struct event *ev)
{
	int64_t start = 0, end = 0;
	bool hs, he;

	ev->has_src = ev->has_dst = false;
	memset(&ev->src, 0, sizeof(ev->src));
	memset(&ev->dst, 0, sizeof(ev->dst));
	if (HAS(v, NF_SRC4) && (!HAS(v, NF_SRC6) || nf_be32(v->p[NF_SRC4]) != 0)) {
		set4(&ev->src, v->p[NF_SRC4]);
		ev->has_src = true;
	} else if (HAS(v, NF_SRC6)) {
		set6(&ev->src, v->p[NF_SRC6]);
		ev->has_src = true;
	}
	if (HAS(v, NF_DST4) && (!HAS(v, NF_DST6) || nf_be32(v->p[NF_DST4]) != 0)) {
		set4(&ev->dst, v->p[NF_DST4]);
		ev->has_dst = true;
	} else if (HAS(v, NF_DST6)) {
		set6(&ev->dst, v->p[NF_DST6]);
		ev->has_dst = true;
	}
	ev->sport = small(v, NF_SPORT, 65535);
	ev->dport = small(v, NF_DPORT, 65535);
	ev->proto = small(v, NF_PROTO, 255);
	ev->orig_bytes = count_of(v, NF_OCTETS, NF_INIT_OCTETS, NF_OCTETS_TOTAL);
	ev->orig_pkts = count_of(v, NF_PKTS, NF_INIT_PKTS, NF_PKTS_TOTAL);
	ev->resp_bytes = count_of(v, NF_REV_OCTETS, NF_RESP_OCTETS, NF_REV_OCTETS_TOTAL);
	ev->resp_pkts = count_of(v, NF_REV_PKTS, NF_RESP_PKTS, NF_REV_PKTS_TOTAL);

	if (HAS(v, NF_SYSINIT_MS) && val(v, NF_SYSINIT_MS) <= (uint64_t)INT64_MAX)
		sysinit = (int64_t)val(v, NF_SYSINIT_MS);
	hs = abs_time(v, NF_START_S, NF_START_MS, NF_START_US, NF_START_NS, &start) ||
	     uptime_time(k, v, NF_FIRST_UPTIME, sysinit, &start);
	he = abs_time(v, NF_END_S, NF_END_MS, NF_END_US, NF_END_NS, &end) ||
	     uptime_time(k, v, NF_LAST_UPTIME, sysinit, &end);
	if (!hs && HAS(v, NF_START_DELTA_US) && val(v, NF_START_DELTA_US) < (1ull << 40)) {
		start = k->export_us - (int64_t)val(v, NF_START_DELTA_US);
		hs = true;
	}
	if (!he && HAS(v, NF_END_DELTA_US) && val(v, NF_END_DELTA_US) < (1ull << 40)) {
		end = k->export_us - (int64_t)val(v, NF_END_DELTA_US);
		he = true;
	}
	ev->ts_us = hs ? start : k->export_us;
	ev->duration_us = -1;
	if (hs && he)
		ev->duration_us = end >= start ? end - start : -1;
	else if (HAS(v, NF_FIRST_UPTIME) && HAS(v, NF_LAST_UPTIME))
		/* an IPFIX domain whose boot time is unknown: the difference
		 * holds all the same */
		ev->duration_us = uptime_span(val(v, NF_FIRST_UPTIME), val(v, NF_LAST_UPTIME));
	else if (HAS(v, NF_DURATION_US) && val(v, NF_DURATION_US) <= (uint64_t)INT64_MAX)
		ev->duration_us = (int64_t)val(v, NF_DURATION_US);
	else if (HAS(v, NF_DURATION_MS) && val(v, NF_DURATION_MS) <= (uint64_t)INT64_MAX / 1000)
		ev->duration_us = (int64_t)val(v, NF_DURATION_MS) * 1000;
}

/* ---- NetFlow v5 --------------------------------------------------------- */

static void decode_v5(struct nf_st *st, const uint8_t *p)
{
	unsigned count = nf_be16(p + 2);
	uint32_t uptime = nf_be32(p + 4), nsecs = nf_be32(p + 12);
	int64_t export_us =
	    (int64_t)nf_be32(p + 8) * 1000000 + (nsecs < 1000000000u ? (int64_t)nsecs / 1000 : 0);

	for (unsigned i = 0; i < count && !st->err; i++) {
		const uint8_t *r = p + NF_V5_HEADER + (size_t)NF_V5_RECORD * i;
		int32_t d = (int32_t)(nf_be32(r + 28) - nf_be32(r + 24));
		struct event *ev = &st->ev;

		ev->record = st->packet;
		ev->has_src = ev->has_dst = true;
		set4(&ev->src, r);
		set4(&ev->dst, r + 4);
		ev->orig_pkts = nf_be32(r + 16);
		ev->orig_bytes = nf_be32(r + 20);
		ev->resp_pkts = ev->resp_bytes = -1;
		ev->ts_us = export_us + (int64_t)(int32_t)(nf_be32(r + 24) - uptime) * 1000;
		ev->duration_us = d >= 0 ? (int64_t)d * 1000 : -1;
		ev->sport = nf_be16(r + 32);
		ev->dport = nf_be16(r + 34);
		ev->proto = r[38];
		emit(st, ev);
	}
}

/* ---- templates ---------------------------------------------------------- */

/* Reads the template records of a set (v9 flowset 0/1, IPFIX set 2/3). */
static void templates(struct nf_st *st, const struct nf_pkt *k, uint16_t setid, const uint8_t *b,
                      size_t n, bool options)
{
	bool ipfix = k->version == 10;
	const char *kind = options ? "options template" : "template";
	size_t i = 0;

	while (i < n && !st->err) {
		size_t rest = n - i, start;
		unsigned tid, fc;
		struct nf_key key;
		const char *why;
		enum dt_err err;

		if (rest < 4 || nf_all_zero(b + i, rest))
			return; /* padding */
		tid = nf_be16(b + i);
		fc = nf_be16(b + i + 2);
		key = key_of(st, k, (uint16_t)tid);
		if (ipfix && fc == 0) {
			/* withdrawal (RFC 7011 section 8.1): of one id, or of all
			 * when the id is the set id */
			if (tid != setid && tid < 256) {
				nf_reject(st, "set %u: withdrawal of template id %u (below 256)",
				          setid, tid);
				return;
			}
			nf_cache_withdraw(&st->cache, &key, tid == setid);
			i += 4;
			continue;
		}
		if (options) {
			if (rest < 6) {
				nf_reject(st, "set %u: %s %u is truncated", setid, kind, tid);
				return;
			}
			if (!ipfix) {
				unsigned sl = fc, ol = nf_be16(b + i + 4);

				if (sl % 4 || ol % 4) {
					nf_reject(st,
					          "set %u: options template %u: scope length %u or "
					          "option length %u is not a multiple of 4",
					          setid, tid, sl, ol);
					return;
				}
				fc = (sl + ol) / 4;
			}
			i += 6;
		} else {
			i += 4;
		}
		if (tid < 256) {
			nf_reject(st, "set %u: %s id %u is below 256", setid, kind, tid);
			return;
		}
		if (fc == 0 || fc > NF_MAX_FIELDS) {
			nf_reject(st, "set %u: %s %u has %u fields (1 to %u supported)", setid,
			          kind, tid, fc, NF_MAX_FIELDS);
			return;
		}
		/* the record's extent first: a template sent again is
		 * recognised by its bytes */
		start = i;
		for (unsigned f = 0; f < fc; f++) {
			size_t need = ipfix && n - i >= 4 && (b[i] & 0x80) ? 8 : 4;

			if (n - i < need) {
				nf_reject(st, "set %u: %s %u is truncated at field %u of %u", setid,
				          kind, tid, f + 1, fc);
				return;
			}
			i += need;
		}
		if (nf_cache_same(&st->cache, &key, b + start, i - start, options))
			continue;
		for (size_t j = start, f = 0; f < fc; f++) {
			uint16_t ie = nf_be16(b + j), len = nf_be16(b + j + 2);
			uint32_t pen = 0;

			j += 4;
			if (ipfix && (ie & 0x8000)) {
				pen = nf_be32(b + j);
				j += 4;
				ie &= 0x7fff;
			}
			st->fields[f].len = len;
			st->fields[f].role = nf_role_of(k->version, pen, ie, len);
			st->fields[f].off = 0;
		}
		err = nf_cache_define(&st->cache, &key, st->fields, fc, options, b + start,
		                      i - start, &why);
		if (err == DT_EPARSE) {
			nf_reject(st, "set %u: %s %u refused: %s", setid, kind, tid, why);
		} else if (err == DT_ELIMIT) {
			if (!st->full_warned)
				nf_reject(st,
				          "template cache full (%u entries): %s %u and later new "
				          "templates are ignored",
				          NF_MAX_TEMPLATES, kind, tid);
			st->full_warned = true;
		} else if (err) {
			fail(st, err);
		}
	}
}

/* ---- data records ------------------------------------------------------- */

static void take(struct nf_vals *v, uint8_t role, const uint8_t *p, uint16_t len)
{
	v->have |= 1ull << role;
	v->p[role] = p;
	v->len[role] = len;
}

/* Remembers an IPFIX domain's systemInitTimeMilliseconds. */
static void set_sysinit(struct nf_st *st, const struct nf_pkt *k, uint64_t ms)
{
	struct nf_key key = key_of(st, k, 0);
	struct nf_entry *e;
	enum dt_err err;

	if (ms > (uint64_t)INT64_MAX)
		return;
	if ((e = nf_cache_entry(&st->cache, &key, &err)) == NULL) {
		if (err == DT_ENOMEM)
			fail(st, err);
		return;
	}
	e->state = NF_DOMAIN;
	e->sysinit_ms = (int64_t)ms;
}

/* One decoded record. */
static void record(struct nf_st *st, const struct nf_pkt *k, bool options, const struct nf_vals *v,
                   int64_t sysinit)
{
	struct event *ev = &st->ev;

	if (options) {
		nf_ignore(st);
		if (k->version == 10 && HAS(v, NF_SYSINIT_MS))
			set_sysinit(st, k, val(v, NF_SYSINIT_MS));
		return;
	}
	ev->record = st->packet;
	fill(k, v, sysinit, ev);
	if (!ev->has_src && !ev->has_dst) {
		nf_ignore(st);
		return;
	}
	emit(st, ev);
}

static void data(struct nf_st *st, const struct nf_pkt *k, uint16_t tid, const uint8_t *b, size_t n)
{
	struct nf_key key = key_of(st, k, tid);
	struct nf_entry *e = nf_cache_find(&st->cache, &key);
	struct nf_template t;
	struct nf_vals v;
	int64_t sysinit = -1;
	unsigned no = 0;
	size_t i = 0;

	if (e == NULL || e->state != NF_TEMPLATE) {
		enum dt_err err;

		nf_ignore(st);
		if (e == NULL && (e = nf_cache_entry(&st->cache, &key, &err)) == NULL &&
		    err == DT_ENOMEM) {
			fail(st, err);
			return;
		}
		if (e && !e->warned)
			say(st,
			    "data set of template %u (domain %u) before its template: ignored "
			    "(reported once per template)",
			    tid, k->domain);
		else if (e == NULL && !st->full_warned)
			say(st,
			    "template cache full (%u entries): data sets of unknown templates "
			    "are ignored without report",
			    NF_MAX_TEMPLATES);
		if (e)
			e->warned = true;
		else
			st->full_warned = true;
		return;
	}
	/* a copy: set_sysinit may grow the table under e */
	t = e->t;
	if (k->version == 10 && !t.options) {
		struct nf_key dk = key_of(st, k, 0);
		const struct nf_entry *d = nf_cache_find(&st->cache, &dk);

		if (d && d->state == NF_DOMAIN)
			sysinit = d->sysinit_ms;
	}
	if (!t.varlen) {
		size_t count = n / t.min_len;
		const struct nf_field *pick = t.fields + t.nfields;

		for (size_t r = 0; r < count && !st->err; r++) {
			const uint8_t *rec = b + r * t.min_len;

			v.have = 0;
			for (uint32_t j = 0; j < t.npicks; j++)
				take(&v, pick[j].role, rec + pick[j].off, pick[j].len);
			record(st, k, t.options, &v, sysinit);
		}
		return; /* what is left is padding */
	}
	while (n - i >= t.min_len && !st->err) {
		size_t start = i;

		no++;
		v.have = 0;
		for (uint32_t f = 0; f < t.nfields; f++) {
			size_t len = t.fields[f].len;

			if (len == NF_VARLEN) {
				if (i >= n)
					goto overrun;
				len = b[i++];
				if (len == 255) {
					if (n - i < 2)
						goto overrun;
					len = nf_be16(b + i);
					i += 2;
				}
			}
			if (n - i < len)
				goto overrun;
			if (t.fields[f].role)
				take(&v, t.fields[f].role, b + i, (uint16_t)len);
			i += len;
		}
		record(st, k, t.options, &v, sysinit);
		continue;
	overrun:
		if (!nf_all_zero(b + start, n - start))
			nf_reject(st, "data set %u: record %u runs past the end of the set", tid,
			          no);
		return;
	}
}

/* ---- v9 and IPFIX packets ----------------------------------------------- */

static void decode_v9(struct nf_st *st, const uint8_t *p, size_t n)
{
	struct nf_pkt k = {.version = 9,
	                   .domain = nf_be32(p + 16),
	                   .uptime_ms = nf_be32(p + 4),
	                   .export_us = (int64_t)nf_be32(p + 8) * 1000000};
	unsigned count = nf_be16(p + 2), sets = 0;
	size_t i;

	for (i = NF_V9_HEADER; i < n; i += nf_be16(p + i + 2))
		sets++;
	if (sets > count) {
		nf_reject(st,
		          "v9 header count %u is less than the %u flowsets that follow (each holds "
		          "at least one record): packet dropped",
		          count, sets);
		return;
	}
	if (sets == 0 && count > 0) {
		nf_reject(st, "v9 header announces %u records but no flowset follows", count);
		return;
	}
	for (i = NF_V9_HEADER; i < n && !st->err;) {
		uint16_t id = nf_be16(p + i), len = nf_be16(p + i + 2);

		if (id == 0 || id == 1)
			templates(st, &k, id, p + i + 4, len - 4u, id == 1);
		else
			data(st, &k, id, p + i + 4, len - 4u);
		i += len;
	}
}

static void decode_ipfix(struct nf_st *st, const uint8_t *p, size_t n)
{
	struct nf_pkt k = {.version = 10,
	                   .domain = nf_be32(p + 12),
	                   .export_us = (int64_t)nf_be32(p + 4) * 1000000};
	size_t i;

	/* the sets must tile the message before any is believed */
	for (i = NF_IPFIX_HEADER; i < n;) {
		uint16_t len;

		if (n - i < 4) {
			if (nf_all_zero(p + i, n - i))
				break;
			nf_reject(st, "IPFIX message: %zu stray bytes after the last set", n - i);
			return;
		}
		len = nf_be16(p + i + 2);
		if (len < 4 && nf_all_zero(p + i, n - i))
			break; /* zero padding to the end: tolerated */
		if (len < 4) {
			nf_reject(st, "IPFIX message: set at offset %zu has length %u (at least 4)",
			          i, len);
			return;
		}
		if (len > n - i) {
			nf_reject(st,
			          "IPFIX message: set %u at offset %zu (length %u) runs past the "
			          "message end (%zu bytes)",
			          nf_be16(p + i), i, len, n);
			return;
		}
		i += len;
	}
	for (i = NF_IPFIX_HEADER; n - i >= 4 && !st->err;) {
		uint16_t id = nf_be16(p + i), len = nf_be16(p + i + 2);

		if (len < 4)
			break; /* zero padding, checked above */
		if (id == 2 || id == 3)
			templates(st, &k, id, p + i + 4, len - 4u, id == 3);
		else if (id >= 256)
			data(st, &k, id, p + i + 4, len - 4u);
		else
			nf_reject(
			    st, "IPFIX message: set id %u is reserved (RFC 7011): set skipped", id);
		i += len;
	}
}

void nf_decode(struct nf_st *st, const uint8_t *p, size_t n)
{
	switch (p[1]) {
	case 5: decode_v5(st, p); break;
	case 9: decode_v9(st, p, n); break;
	default: decode_ipfix(st, p, n); break;
	}
}
