/*
 * nfframe.c — delimiting NetFlow v5/v9/IPFIX export packets in a stream
 * (see nfframe.h): the one set of rules the parser (ingest/netflow.c) and
 * its sanitizer (privacy/sanitize_netflow.c) both follow.
 */
#include "ingest/nfframe.h"

#include <stdarg.h>
#include <stdio.h>

#include "ingest/nfdecode.h"

/* Says why into why[0..wsize) when the caller asked (why not NULL). */
static void say(char *why, size_t wsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t wsize, const char *fmt, ...)
{
	va_list ap;

	if (!why || !wsize)
		return;
	va_start(ap, fmt);
	vsnprintf(why, wsize, fmt, ap);
	va_end(ap);
}

/* The first two bytes are a version we read. */
bool nf_is_version(const uint8_t *p)
{
	return p[0] == 0 && (p[1] == 5 || p[1] == 9 || p[1] == 10);
}

/*
 * The length of the export packet at p[0..avail), where avail is all that
 * is left of the input when eof.  0 when it cannot be delimited: *why
 * says why, *trunc whether it is because the input ends.
 */
size_t nf_extent(const uint8_t *p, size_t avail, bool eof, char *why, size_t wsize, bool *trunc)
{
	size_t i, lim;
	unsigned v, count;

	*trunc = false;
	if (avail < 4) {
		*trunc = true;
		say(why, wsize, "truncated: %zu bytes where an export packet header should be",
		    avail);
		return 0;
	}
	v = nf_be16(p);
	switch (v) {
	case 5:
		count = nf_be16(p + 2);
		if (count > NF_V5_MAX_COUNT) {
			say(why, wsize, "v5 header count %u exceeds the maximum of %u records",
			    count, NF_V5_MAX_COUNT);
			return 0;
		}
		if (avail < NF_V5_HEADER + (size_t)NF_V5_RECORD * count) {
			*trunc = true;
			say(why, wsize,
			    "truncated: v5 packet of %u records needs %u bytes, %zu left", count,
			    NF_V5_HEADER + NF_V5_RECORD * count, avail);
			return 0;
		}
		return NF_V5_HEADER + (size_t)NF_V5_RECORD * count;
	case 9:
		if (avail < NF_V9_HEADER) {
			*trunc = true;
			say(why, wsize, "truncated: v9 header needs 20 bytes, %zu left", avail);
			return 0;
		}
		lim = avail < NF_MAX_PACKET ? avail : NF_MAX_PACKET;
		count = nf_be16(p + 2);
		for (i = NF_V9_HEADER; lim - i >= 4;) {
			unsigned id = nf_be16(p + i), len = nf_be16(p + i + 2);

			if ((id >= 2 && id <= 255) || (id == 0 && len == 0))
				break; /* the next packet, zero padding or junk */
			if (len < 4) {
				say(why, wsize,
				    "v9 flowset %u at offset %zu has length %u (at least 4)", id, i,
				    len);
				return 0;
			}
			if (len > lim - i) {
				if (lim == avail && eof) {
					*trunc = true;
					say(why, wsize,
					    "truncated: v9 flowset %u at offset %zu needs %u "
					    "bytes, %zu left",
					    id, i, len, avail - i);
				} else {
					say(why, wsize,
					    "v9 flowset %u at offset %zu runs past %u bytes, "
					    "the largest packet",
					    id, i, NF_MAX_PACKET);
				}
				return 0;
			}
			i += len;
		}
		if (eof && lim == avail && i < avail && avail - i < 4 &&
		    !nf_all_zero(p + i, avail - i)) {
			*trunc = true;
			say(why, wsize, "truncated: v9 flowset header at offset %zu cut short", i);
			return 0;
		}
		if (eof && lim == avail && i == NF_V9_HEADER && avail - i < 4 && count > 0) {
			*trunc = true;
			say(why, wsize,
			    "truncated: v9 header announces %u records, the input ends after it",
			    count);
			return 0;
		}
		return i;
	case 10:
		if (avail < NF_IPFIX_HEADER) {
			*trunc = true;
			say(why, wsize, "truncated: IPFIX header needs 16 bytes, %zu left", avail);
			return 0;
		}
		count = nf_be16(p + 2);
		if (count < NF_IPFIX_HEADER) {
			say(why, wsize, "IPFIX message length %u is shorter than its header",
			    count);
			return 0;
		}
		if (count > avail) {
			*trunc = true;
			say(why, wsize, "truncated: IPFIX message of %u bytes, %zu left", count,
			    avail);
			return 0;
		}
		return count;
	}
	say(why, wsize,
	    "not an export packet: version %u (5, 9 or 10 expected; bytes %02x %02x %02x "
	    "%02x)",
	    v, p[0], p[1], p[2], p[3]);
	return 0;
}

/* Whether p[0..avail) starts with another packet, padding or nothing. */
bool nf_follows(const uint8_t *p, size_t avail, bool eof)
{
	if (avail == 0)
		return eof;
	if (avail == 1)
		return eof && p[0] == 0;
	return p[0] == 0 && (p[1] == 0 || p[1] == 5 || p[1] == 9 || p[1] == 10);
}

/* What little a v5 packet of n bytes offers to check: unix_nsecs below a
 * second, and the pad at the end of each record zero. */
bool nf_v5_sane(const uint8_t *p, size_t n)
{
	if (nf_be32(p + 12) >= 1000000000u)
		return false;
	for (size_t i = NF_V5_HEADER; i < n; i += NF_V5_RECORD)
		if (nf_be16(p + i + 46) != 0)
			return false;
	return true;
}

/* A strict check of a candidate packet header when resynchronising: its
 * own structure holds and it ends where the input or another packet
 * begins. */
bool nf_plausible(const uint8_t *p, size_t avail, bool eof)
{
	char why[8];
	bool trunc;
	size_t n = nf_extent(p, avail, eof, why, sizeof(why), &trunc), i, sets = 0;

	if (n == 0)
		return false;
	/* what follows: the end, or zero padding up to the end or to
	 * another version word (zeros alone prove nothing: records are
	 * full of them) */
	for (i = n; i + 1 < avail && p[i] == 0 && p[i + 1] == 0; i++)
		;
	if (!(i + 1 >= avail ? eof && nf_all_zero(p + i, avail - i) : nf_is_version(p + i)))
		return false;
	switch (p[1]) {
	case 5: return nf_be16(p + 2) >= 1 && nf_v5_sane(p, n);
	case 9:
		for (i = NF_V9_HEADER; i < n; i += nf_be16(p + i + 2))
			sets++;
		return sets >= 1 && sets <= nf_be16(p + 2);
	default:
		if (n < NF_IPFIX_HEADER + 4)
			return false;
		for (i = NF_IPFIX_HEADER; i < n;) {
			unsigned id, len;

			if (n - i < 4)
				return false;
			id = nf_be16(p + i);
			len = nf_be16(p + i + 2);
			if (len < 4 || len > n - i || (id != 2 && id != 3 && id < 256))
				return false;
			i += len;
		}
		return true;
	}
}

/* Decodes a delimited packet. */
bool nf_capture_magic(const uint8_t *p)
{
	uint32_t m = nf_be32(p);

	return m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1 ||
	       m == 0x0a0d0d0a;
}
