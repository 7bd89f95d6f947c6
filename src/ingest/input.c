/*
 * input.c — read a file whole and gunzip it if it is gzip.  The digest is
 * of the bytes on disk: that is what the ledger commits to and what the
 * other party can hash themselves.
 */
#include "ingest/input.h"

#include "core/file.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static enum dt_err gunzip(const uint8_t *src, size_t len, struct input *out)
{
	z_stream z;
	size_t cap = len * 4 + 65536, have = 0;
	char *dst = malloc(cap + 1);
	int rc = Z_OK;

	if (dst == NULL)
		return DT_ENOMEM;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(dst);
		return DT_ENOMEM;
	}
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
	for (;;) {
		if (have == cap) {
			char *p;

			if (cap * 2 > INPUT_MAX_BYTES) {
				snprintf(out->damage, sizeof(out->damage),
				         "decompressed size above %llu bytes",
				         (unsigned long long)INPUT_MAX_BYTES);
				out->damaged = true;
				break;
			}
			if ((p = realloc(dst, cap * 2 + 1)) == NULL) {
				inflateEnd(&z);
				free(dst);
				return DT_ENOMEM;
			}
			dst = p;
			cap *= 2;
		}
		z.next_out = (Bytef *)dst + have;
		z.avail_out = (uInt)(cap - have > UINT32_MAX ? UINT32_MAX : cap - have);
		rc = inflate(&z, Z_NO_FLUSH);
		have = (size_t)((char *)z.next_out - dst);
		if (rc == Z_STREAM_END) {
			/* concatenated members */
			if (z.avail_in == 0)
				break;
			inflateReset(&z);
			continue;
		}
		if (rc == Z_BUF_ERROR && z.avail_in == 0) {
			snprintf(out->damage, sizeof(out->damage),
			         "gzip stream truncated after %zu decompressed bytes", have);
			out->damaged = true;
			break;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			snprintf(out->damage, sizeof(out->damage),
			         "gzip stream corrupt after %zu decompressed bytes: %s", have,
			         z.msg ? z.msg : "inflate error");
			out->damaged = true;
			break;
		}
	}
	inflateEnd(&z);
	dst[have] = '\0';
	out->data = dst;
	out->len = have;
	return DT_OK;
}

enum dt_err input_read(const char *path, struct input *out, struct dt_diag *diag)
{
	char *text;
	uint8_t *raw;
	size_t len;
	enum dt_err err;

	memset(out, 0, sizeof(*out));
	if ((err = dt_read_file(path, INPUT_MAX_BYTES, &text, &len, diag)))
		return err;
	raw = (uint8_t *)text;
	out->raw_size = len;
	crypto_hash_sha256(out->sha256, raw, len);
	if (len >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
		out->gzip = true;
		err = gunzip(raw, len, out);
		free(raw);
		return err;
	}
	raw[len] = '\0';
	out->data = (char *)raw;
	out->len = len;
	return DT_OK;
}

void input_release(struct input *in)
{
	free(in->data);
	memset(in, 0, sizeof(*in));
}
