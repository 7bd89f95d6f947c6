/*
 * block.c — see block.h.
 */
#include "store/block.h"

#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#define BLOCK_MAGIC  "DTB1"
#define BLOCK_ZLEVEL 1 /* zstd's fastest standard level: ~3× on event columns */
/* The largest decompressed block accepted: BLOCK_MAX rows of long strings. */
#define BLOCK_MAX_BYTES (512u << 20)

static size_t col_width(int c)
{
	if (c < BC_SPORT)
		return 8;
	if (c < BC_REMOTE)
		return 4;
	if (c < BC_SRC)
		return 1;
	if (c < BC_FIRST_STR)
		return 16;
	return 4; /* string: its length */
}

enum dt_err block_builder_init(struct block_builder *b)
{
	memset(b, 0, sizeof(*b));
	for (int c = 0; c < BC_NCOLS; c++) {
		strbuf_init(&b->col[c], BLOCK_MAX_BYTES);
		strbuf_init(&b->str[c], BLOCK_MAX_BYTES);
	}
	strbuf_init(&b->raw, (size_t)BC_NCOLS * 2 * BLOCK_MAX_BYTES);
	if ((b->zctx = ZSTD_createCCtx()) == NULL)
		return DT_ENOMEM;
	ZSTD_CCtx_setParameter(b->zctx, ZSTD_c_compressionLevel, BLOCK_ZLEVEL);
	block_builder_reset(b);
	return DT_OK;
}

void block_builder_release(struct block_builder *b)
{
	for (int c = 0; c < BC_NCOLS; c++) {
		strbuf_release(&b->col[c]);
		strbuf_release(&b->str[c]);
	}
	strbuf_release(&b->raw);
	free(b->zbuf);
	b->zbuf = NULL;
	ZSTD_freeCCtx(b->zctx);
	b->zctx = NULL;
}

void block_builder_reset(struct block_builder *b)
{
	for (int c = 0; c < BC_NCOLS; c++) {
		strbuf_reset(&b->col[c]);
		strbuf_reset(&b->str[c]);
	}
	b->n = 0;
	b->ngeo = 0;
	b->ts_min = INT64_MAX;
	b->ts_max = INT64_MIN;
	b->rec_min = UINT64_MAX;
	b->rec_max = 0;
}

static inline enum dt_err put(struct block_builder *b, int c, const void *v, size_t w)
{
	return strbuf_add(&b->col[c], v, w);
}

static inline enum dt_err put64(struct block_builder *b, int c, int64_t v)
{
	return put(b, c, &v, 8);
}

static inline enum dt_err put32(struct block_builder *b, int c, int32_t v)
{
	return put(b, c, &v, 4);
}

static inline enum dt_err put8(struct block_builder *b, int c, uint8_t v)
{
	return put(b, c, &v, 1);
}

static enum dt_err putip(struct block_builder *b, int fc, int ac, bool has, const struct dt_ip *ip)
{
	uint8_t raw[16] = {0};
	enum dt_err err = put8(b, fc, has ? ip->family : 0);

	if (has)
		memcpy(raw, &ip->addr, 16);
	return err ? err : put(b, ac, raw, 16);
}

static inline enum dt_err putstr(struct block_builder *b, int c, const char *p, size_t n)
{
	uint32_t len = (uint32_t)n;
	enum dt_err err = put(b, c, &len, 4);

	return err || n == 0 ? err : strbuf_add(&b->str[c], p, n);
}

static inline enum dt_err putds(struct block_builder *b, int c, const struct dt_str *s)
{
	return putstr(b, c, s->p, s->len);
}

enum dt_err block_add(struct block_builder *b, const struct block_row *r)
{
	const struct event *e = &r->ev;
	enum dt_err err = DT_OK;
	const char *kind = e->kind ? e->kind : "";

	err |= put64(b, BC_TS, e->ts_us);
	err |= put64(b, BC_RECORD, (int64_t)e->record);
	err |= put64(b, BC_SIGID, e->signature_id);
	err |= put64(b, BC_DURATION, e->duration_us);
	err |= put64(b, BC_OBYTES, e->orig_bytes);
	err |= put64(b, BC_RBYTES, e->resp_bytes);
	err |= put64(b, BC_OPKTS, e->orig_pkts);
	err |= put64(b, BC_RPKTS, e->resp_pkts);
	err |= put32(b, BC_SPORT, e->sport);
	err |= put32(b, BC_DPORT, e->dport);
	err |= put32(b, BC_PROTO, e->proto);
	err |= put32(b, BC_SEVERITY, e->severity);
	err |= put8(b, BC_REMOTE, (uint8_t)r->remote);
	err |= putip(b, BC_SRCFAM, BC_SRC, e->has_src, &e->src);
	err |= putip(b, BC_DSTFAM, BC_DST, e->has_dst, &e->dst);
	err |= putstr(b, BC_KIND, kind, strlen(kind));
	err |= putds(b, BC_UID, &e->uid);
	err |= putds(b, BC_SIGNATURE, &e->signature);
	err |= putds(b, BC_DOMAIN, &e->domain);
	err |= putds(b, BC_URL, &e->url);
	err |= putds(b, BC_UA, &e->user_agent);
	err |= putds(b, BC_JA3, &e->ja3);
	err |= putds(b, BC_JA3S, &e->ja3s);
	err |= putds(b, BC_CERT_SHA1, &e->cert_sha1);
	err |= putds(b, BC_CERT_SHA256, &e->cert_sha256);
	err |= putds(b, BC_MD5, &e->md5);
	err |= putds(b, BC_SHA1, &e->sha1);
	err |= putds(b, BC_SHA256, &e->sha256);
	err |= putds(b, BC_SERVICE, &e->service);
	err |= putds(b, BC_STATE, &e->state);
	if (err)
		return DT_ENOMEM; /* the only way an append fails */
	b->n++;
	if (e->ts_us < b->ts_min)
		b->ts_min = e->ts_us;
	if (e->ts_us > b->ts_max)
		b->ts_max = e->ts_us;
	if (e->record < b->rec_min)
		b->rec_min = e->record;
	if (e->record > b->rec_max)
		b->rec_max = e->record;
	return DT_OK;
}

/* Column encodings: how a column's n values are written. */
enum { ENC_RAW, ENC_CONST, ENC_V4, ENC_LEN8 };

/* Appends column c as: u8 encoding, u32 byte length, bytes. */
static enum dt_err encode_col(struct block_builder *b, int c)
{
	const struct strbuf *col, *str;
	size_t w = col_width(c), n = b->n;
	uint8_t enc = ENC_RAW;
	enum dt_err err;
	uint32_t len;

	if (c < 0 || c >= BC_NCOLS)
		return DT_EINVAL;
	col = &b->col[c];
	str = &b->str[c]; /* the bytes of a string column */

	if (n > 1 && c < BC_SRC) {
		bool same = true;

		for (size_t i = 1; i < n && same; i++)
			same = memcmp(col->p, col->p + i * w, w) == 0;
		if (same)
			enc = ENC_CONST;
	} else if (c >= BC_SRC && c < BC_FIRST_STR) {
		const struct strbuf *fam = &b->col[c == BC_SRC   ? BC_SRCFAM
		                                   : c == BC_DST ? BC_DSTFAM
		                                                 : BC_NETFAM];

		enc = ENC_V4;
		for (size_t i = 0; i < n && enc == ENC_V4; i++)
			if (fam->p[i] == DT_IP_V6)
				enc = ENC_RAW;
	} else if (c >= BC_FIRST_STR) {
		uint32_t max = 0, l;

		for (size_t i = 0; i < n; i++) {
			memcpy(&l, col->p + 4 * i, 4);
			if (l > max)
				max = l;
		}
		enc = max == 0 ? ENC_CONST : max < 256 ? ENC_LEN8 : ENC_RAW;
	}
	switch (enc) {
	case ENC_CONST: len = n ? (uint32_t)w : 0; break;
	case ENC_V4: len = (uint32_t)(4 * n); break;
	case ENC_LEN8: len = (uint32_t)(n + str->len); break;
	default: len = (uint32_t)(col->len + (c >= BC_FIRST_STR ? str->len : 0)); break;
	}
	err = strbuf_addc(&b->raw, (char)enc);
	err = err ? err : strbuf_add(&b->raw, &len, 4);
	if (err)
		return err;
	switch (enc) {
	case ENC_CONST: return n ? strbuf_add(&b->raw, col->p, w) : DT_OK;
	case ENC_V4:
		for (size_t i = 0; i < n && !err; i++)
			err = strbuf_add(&b->raw, col->p + 16 * i, 4); /* low 32 bits */
		return err;
	case ENC_LEN8:
		for (size_t i = 0; i < n && !err; i++)
			err = strbuf_addc(&b->raw, col->p[4 * i]);
		return err ? err : strbuf_add(&b->raw, str->p, str->len);
	default:
		err = strbuf_add(&b->raw, col->p, col->len);
		if (!err && c >= BC_FIRST_STR)
			err = strbuf_add(&b->raw, str->p, str->len);
		return err;
	}
}

enum dt_err block_add_geo(struct block_builder *b, const struct block_row *r)
{
	enum dt_err err = DT_OK;

	err |= put32(b, BC_ASN, (int32_t)r->asn);
	err |= putip(b, BC_NETFAM, BC_NET, r->has_net, &r->network.ip);
	err |= put8(b, BC_NETLEN, r->has_net ? r->network.len : 0);
	err |= putds(b, BC_COUNTRY, &r->country);
	err |= putds(b, BC_ASORG, &r->as_org);
	err |= putds(b, BC_FLAGS, &r->flags);
	if (err)
		return DT_ENOMEM;
	b->ngeo++;
	return DT_OK;
}

int block_remote(const struct block_builder *b, size_t i, struct dt_ip *ip)
{
	uint8_t remote = (uint8_t)b->col[BC_REMOTE].p[i];
	int fc = remote == 1 ? BC_SRCFAM : BC_DSTFAM, ac = remote == 1 ? BC_SRC : BC_DST;

	if (remote != 1 && remote != 2)
		return 0;
	memset(ip, 0, sizeof(*ip));
	ip->family = (uint8_t)b->col[fc].p[i];
	memcpy(&ip->addr, b->col[ac].p + 16 * i, 16);
	return remote;
}

enum dt_err block_finish(struct block_builder *b, const void **data, size_t *len)
{
	uint8_t hdr[12];
	size_t bound, z;
	uint32_t v;
	enum dt_err err = DT_OK;
	static const struct block_row none = {.ev = {.kind = ""}};

	/* rows without attribution get empty geo columns */
	while (!err && b->ngeo < b->n)
		err = block_add_geo(b, &none);
	if (err)
		return err;
	memcpy(hdr, BLOCK_MAGIC, 4);
	v = (uint32_t)b->n;
	memcpy(hdr + 4, &v, 4);
	v = BC_NCOLS;
	memcpy(hdr + 8, &v, 4);
	strbuf_reset(&b->raw);
	err = strbuf_add(&b->raw, hdr, sizeof(hdr));
	for (int c = 0; c < BC_NCOLS && !err; c++)
		err = encode_col(b, c);
	if (err)
		return DT_ENOMEM;
	bound = ZSTD_compressBound(b->raw.len);
	if (b->zcap < bound) {
		uint8_t *p = realloc(b->zbuf, bound);

		if (p == NULL)
			return DT_ENOMEM;
		b->zbuf = p;
		b->zcap = bound;
	}
	z = ZSTD_compress2(b->zctx, b->zbuf, b->zcap, b->raw.p, b->raw.len);
	if (ZSTD_isError(z))
		return DT_ENOMEM;
	*data = b->zbuf;
	*len = z;
	return DT_OK;
}

void block_init(struct block *k)
{
	memset(k, 0, sizeof(*k));
}

void block_release(struct block *k)
{
	free(k->buf);
	free(k->x);
	ZSTD_freeDCtx(k->dctx);
	memset(k, 0, sizeof(*k));
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Room for n values of width w in the expansion buffer, at *at. */
static uint8_t *xspace(struct block *k, size_t *at, size_t bytes)
{
	uint8_t *p = k->x + *at;

	*at += (bytes + 7) & ~(size_t)7; /* keeps every column 8-byte aligned */
	return p;
}

enum dt_err block_decode(struct block *k, const void *data, size_t len, struct dt_diag *diag)
{
	return block_decode_cols(k, data, len, BLOCK_ALL, diag);
}

enum dt_err block_decode_cols(struct block *k, const void *data, size_t len, uint64_t cols,
                              struct dt_diag *diag)
{
	unsigned long long size = ZSTD_getFrameContentSize(data, len);
	size_t got, at, n, xneed = 0, xat = 0;
	uint32_t ncols;

	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
	    size > BLOCK_MAX_BYTES || size < 12)
		goto bad;
	if (k->cap < size) {
		uint8_t *p = realloc(k->buf, (size_t)size);

		if (p == NULL)
			return DT_ENOMEM;
		k->buf = p;
		k->cap = (size_t)size;
	}
	if (k->dctx == NULL && (k->dctx = ZSTD_createDCtx()) == NULL)
		return DT_ENOMEM;
	got = ZSTD_decompressDCtx(k->dctx, k->buf, k->cap, data, len);
	if (ZSTD_isError(got) || got != size)
		goto bad;
	if (memcmp(k->buf, BLOCK_MAGIC, 4) != 0)
		goto bad;
	n = rd32(k->buf + 4);
	ncols = rd32(k->buf + 8);
	if (n > BLOCK_MAX || ncols != BC_NCOLS)
		goto bad;
	k->n = n;
	cols |= BLOCK_COL(BC_TS) | BLOCK_COL(BC_RECORD);
	/* expanded fixed-width columns and string offsets */
	for (int c = 0; c < BC_NCOLS; c++)
		if (cols & BLOCK_COL(c))
			xneed +=
			    ((c >= BC_FIRST_STR ? 4 * (n + 1) : col_width(c) * n) + 7) & ~(size_t)7;
	if (k->xcap < xneed) {
		uint8_t *p = realloc(k->x, xneed ? xneed : 1);

		if (p == NULL)
			return DT_ENOMEM;
		k->x = p;
		k->xcap = xneed;
	}
	at = 12;
	for (int c = 0; c < BC_NCOLS; c++) {
		size_t w = col_width(c), clen;
		const uint8_t *src;
		uint8_t enc;

		if (got - at < 5)
			goto bad;
		enc = k->buf[at];
		clen = rd32(k->buf + at + 1);
		at += 5;
		if (clen > got - at)
			goto bad;
		src = k->buf + at;
		at += clen;
		if (!(cols & BLOCK_COL(c))) {
			/* not to be read: bounds-checked above, nothing more */
			k->col[c] = NULL;
			k->off[c] = NULL;
			k->sdata[c] = NULL;
			continue;
		}
		if (c >= BC_FIRST_STR) {
			uint32_t *o = (uint32_t *)(void *)xspace(k, &xat, 4 * (n + 1));
			size_t lw = enc == ENC_LEN8 ? 1 : 4, lens = enc == ENC_CONST ? 0 : lw * n;
			uint64_t sum = 0;

			if ((enc != ENC_RAW && enc != ENC_LEN8 && enc != ENC_CONST) ||
			    (enc == ENC_CONST && clen != (n ? 4 : 0)) || clen < lens)
				goto bad;
			for (size_t i = 0; i < n; i++) {
				o[i] = (uint32_t)sum;
				sum += enc == ENC_CONST ? rd32(src)
				       : lw == 1        ? src[i]
				                        : rd32(src + 4 * i);
			}
			o[n] = (uint32_t)sum;
			if (sum != clen - lens && !(enc == ENC_CONST && sum == 0))
				goto bad;
			k->off[c] = o;
			k->sdata[c] = (const char *)src + lens;
			continue;
		}
		switch (enc) {
		case ENC_RAW:
			if (clen != w * n)
				goto bad;
			k->col[c] = src;
			break;
		case ENC_CONST: {
			uint8_t *d = xspace(k, &xat, w * n);

			if (clen != (n ? w : 0))
				goto bad;
			for (size_t i = 0; i < n; i++)
				memcpy(d + i * w, src, w);
			k->col[c] = d;
			break;
		}
		case ENC_V4: {
			uint8_t *d = xspace(k, &xat, w * n);

			if (w != 16 || clen != 4 * n)
				goto bad;
			memset(d, 0, w * n);
			for (size_t i = 0; i < n; i++)
				memcpy(d + 16 * i, src + 4 * i, 4);
			k->col[c] = d;
			break;
		}
		default: goto bad;
		}
	}
	if (at != got)
		goto bad;
	return DT_OK;
bad:
	k->n = 0;
	dt_diag_set(diag, NULL, 0, "damaged event block");
	return DT_EFORMAT;
}

static int64_t get64(const struct block *k, int c, size_t i)
{
	int64_t v;

	memcpy(&v, k->col[c] + 8 * i, 8);
	return v;
}

static int32_t get32(const struct block *k, int c, size_t i)
{
	int32_t v;

	memcpy(&v, k->col[c] + 4 * i, 4);
	return v;
}

static struct dt_str getstr(const struct block *k, int c, size_t i)
{
	struct dt_str s = {k->sdata[c] + k->off[c][i], k->off[c][i + 1] - k->off[c][i]};

	return s;
}

static bool getip(const struct block *k, int fc, int ac, size_t i, struct dt_ip *ip)
{
	uint8_t fam = k->col[fc][i];

	memset(ip, 0, sizeof(*ip));
	if (fam != DT_IP_V4 && fam != DT_IP_V6)
		return false;
	ip->family = fam;
	memcpy(&ip->addr, k->col[ac] + 16 * i, 16);
	return true;
}

int64_t block_ts(const struct block *k, size_t i)
{
	return get64(k, BC_TS, i);
}

uint64_t block_record(const struct block *k, size_t i)
{
	return (uint64_t)get64(k, BC_RECORD, i);
}

bool block_addr(const struct block *k, int side, size_t i, struct dt_ip *ip)
{
	return side == 1 ? getip(k, BC_SRCFAM, BC_SRC, i, ip) : getip(k, BC_DSTFAM, BC_DST, i, ip);
}

struct dt_str block_str(const struct block *k, enum block_col c, size_t i)
{
	return getstr(k, (int)c, i);
}

void block_get(const struct block *k, size_t i, struct block_row *r)
{
	block_get_cols(k, i, BLOCK_ALL, r);
}

/* The kind's constant (ingest/event.h) of a stored kind string. */
static const char *kind_of(struct dt_str kind)
{
	static const char *const kinds[] = {EVENT_FLOW,   EVENT_ALERT, EVENT_DNS,  EVENT_HTTP,
	                                    EVENT_TLS,    EVENT_SSH,   EVENT_AUTH, EVENT_FILE,
	                                    EVENT_NOTICE, EVENT_SMTP,  EVENT_X509};
	const char *e = EVENT_OTHER;

	/* the last match wins, as it always has (the kinds are distinct) */
	for (size_t j = 0; j < sizeof(kinds) / sizeof(*kinds); j++)
		if (strlen(kinds[j]) == kind.len && memcmp(kinds[j], kind.p, kind.len) == 0)
			e = kinds[j];
	return e;
}

void block_get_cols(const struct block *k, size_t i, uint64_t cols, struct block_row *r)
{
	struct event *e = &r->ev;

#define HAS(c) (cols & BLOCK_COL(c))
	memset(r, 0, sizeof(*r));
	if (HAS(BC_TS))
		e->ts_us = get64(k, BC_TS, i);
	if (HAS(BC_RECORD))
		e->record = (uint64_t)get64(k, BC_RECORD, i);
	if (HAS(BC_SIGID))
		e->signature_id = get64(k, BC_SIGID, i);
	if (HAS(BC_DURATION))
		e->duration_us = get64(k, BC_DURATION, i);
	if (HAS(BC_OBYTES))
		e->orig_bytes = get64(k, BC_OBYTES, i);
	if (HAS(BC_RBYTES))
		e->resp_bytes = get64(k, BC_RBYTES, i);
	if (HAS(BC_OPKTS))
		e->orig_pkts = get64(k, BC_OPKTS, i);
	if (HAS(BC_RPKTS))
		e->resp_pkts = get64(k, BC_RPKTS, i);
	if (HAS(BC_SPORT))
		e->sport = get32(k, BC_SPORT, i);
	if (HAS(BC_DPORT))
		e->dport = get32(k, BC_DPORT, i);
	if (HAS(BC_PROTO))
		e->proto = get32(k, BC_PROTO, i);
	if (HAS(BC_SEVERITY))
		e->severity = get32(k, BC_SEVERITY, i);
	if (HAS(BC_ASN))
		r->asn = (uint32_t)get32(k, BC_ASN, i);
	if (HAS(BC_REMOTE))
		r->remote = k->col[BC_REMOTE][i];
	if (HAS(BC_SRCFAM) && HAS(BC_SRC))
		e->has_src = getip(k, BC_SRCFAM, BC_SRC, i, &e->src);
	if (HAS(BC_DSTFAM) && HAS(BC_DST))
		e->has_dst = getip(k, BC_DSTFAM, BC_DST, i, &e->dst);
	if (HAS(BC_NETFAM) && HAS(BC_NET))
		r->has_net = getip(k, BC_NETFAM, BC_NET, i, &r->network.ip);
	if (HAS(BC_NETLEN))
		r->network.len = k->col[BC_NETLEN][i];
	e->kind = HAS(BC_KIND) ? kind_of(getstr(k, BC_KIND, i)) : EVENT_OTHER;
	if (HAS(BC_UID))
		e->uid = getstr(k, BC_UID, i);
	if (HAS(BC_SIGNATURE))
		e->signature = getstr(k, BC_SIGNATURE, i);
	if (HAS(BC_DOMAIN))
		e->domain = getstr(k, BC_DOMAIN, i);
	if (HAS(BC_URL))
		e->url = getstr(k, BC_URL, i);
	if (HAS(BC_UA))
		e->user_agent = getstr(k, BC_UA, i);
	if (HAS(BC_JA3))
		e->ja3 = getstr(k, BC_JA3, i);
	if (HAS(BC_JA3S))
		e->ja3s = getstr(k, BC_JA3S, i);
	if (HAS(BC_CERT_SHA1))
		e->cert_sha1 = getstr(k, BC_CERT_SHA1, i);
	if (HAS(BC_CERT_SHA256))
		e->cert_sha256 = getstr(k, BC_CERT_SHA256, i);
	if (HAS(BC_MD5))
		e->md5 = getstr(k, BC_MD5, i);
	if (HAS(BC_SHA1))
		e->sha1 = getstr(k, BC_SHA1, i);
	if (HAS(BC_SHA256))
		e->sha256 = getstr(k, BC_SHA256, i);
	if (HAS(BC_SERVICE))
		e->service = getstr(k, BC_SERVICE, i);
	if (HAS(BC_STATE))
		e->state = getstr(k, BC_STATE, i);
	if (HAS(BC_COUNTRY))
		r->country = getstr(k, BC_COUNTRY, i);
	if (HAS(BC_ASORG))
		r->as_org = getstr(k, BC_ASORG, i);
	if (HAS(BC_FLAGS))
		r->flags = getstr(k, BC_FLAGS, i);
#undef HAS
}
