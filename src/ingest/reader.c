/*
 * reader.c — see reader.h.
 *
 * The window is one heap buffer holding bytes [pos, end) of the
 * decompressed input.  A peek that needs more than the window holds first
 * moves the unread bytes to the front, grows the buffer if the request is
 * larger than it, and then refills from the source: read(2) on a file, a
 * pointer walk on memory, or zlib's inflate over either.  Raw input for
 * inflate goes through a second, fixed-size buffer.
 */
#include "ingest/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define READER_CHUNK (1u << 20) /* refill granularity and raw buffer size */

struct reader {
	int fd;             /* -1 for memory */
	const uint8_t *mem; /* memory source */
	size_t mem_len, mem_pos;
	uint64_t raw_off, raw_size;
	bool eof_raw; /* the source has no more raw bytes */

	bool gzip;
	z_stream z;
	uint8_t *zin; /* raw bytes awaiting inflate */
	size_t zcap;
	bool z_end; /* inflate finished (or damage) */

	char *buf;
	size_t cap, pos, end;
	uint64_t off; /* decompressed offset of buf[pos] */
	bool eof;     /* no more decompressed bytes */
	bool skip_nl; /* the rest of an overlong line is still to be dropped */
	char damage[256];
	FILE *stream;
};

static void drop_rest(struct reader *r);

/* Up to n raw bytes into dst; 0 at the end of the source (or an error,
 * which is recorded as damage). */
static size_t raw_read(struct reader *r, uint8_t *dst, size_t n)
{
	if (r->eof_raw)
		return 0;
	if (r->fd < 0) {
		size_t k = r->mem_len - r->mem_pos;

		if (k > n)
			k = n;
		memcpy(dst, r->mem + r->mem_pos, k);
		r->mem_pos += k;
		r->raw_off += k;
		if (k == 0)
			r->eof_raw = true;
		return k;
	}
	for (;;) {
		ssize_t k = read(r->fd, dst, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(r->damage, sizeof(r->damage), "read error after %llu bytes: %s",
			         (unsigned long long)r->raw_off, strerror(errno));
			r->eof_raw = true;
			return 0;
		}
		if (k == 0)
			r->eof_raw = true;
		r->raw_off += (uint64_t)k;
		return (size_t)k;
	}
}

/* Appends decompressed bytes to buf[end..cap); false when nothing more
 * will come. */
static bool fill(struct reader *r)
{
	size_t room = r->cap - r->end;

	if (r->eof || room == 0)
		return !r->eof;
	if (!r->gzip) {
		size_t k = raw_read(r, (uint8_t *)r->buf + r->end, room);
		r->end += k;
		if (k == 0)
			r->eof = true;
		return k > 0;
	}
	while (!r->z_end) {
		int rc;
		size_t before;

		if (r->z.avail_in == 0) {
			size_t k = raw_read(r, r->zin, r->zcap);

			r->z.next_in = r->zin;
			r->z.avail_in = (uInt)k;
			if (k == 0) {
				if (!r->damage[0])
					snprintf(
					    r->damage, sizeof(r->damage),
					    "gzip stream truncated after %llu decompressed bytes",
					    (unsigned long long)(r->off + r->end - r->pos));
				r->z_end = true;
				break;
			}
		}
		r->z.next_out = (Bytef *)r->buf + r->end;
		r->z.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
		before = r->end;
		rc = inflate(&r->z, Z_NO_FLUSH);
		r->end = (size_t)((char *)r->z.next_out - r->buf);
		if (rc == Z_STREAM_END) {
			/* another member may follow (gzip allows concatenation) */
			if (r->z.avail_in == 0) {
				size_t k = raw_read(r, r->zin, r->zcap);

				r->z.next_in = r->zin;
				r->z.avail_in = (uInt)k;
				if (k == 0) {
					r->z_end = true;
					break;
				}
			}
			inflateReset(&r->z);
		} else if (rc != Z_OK && !(rc == Z_BUF_ERROR && r->z.avail_in == 0)) {
			snprintf(r->damage, sizeof(r->damage),
			         "gzip stream corrupt after %llu decompressed bytes: %s",
			         (unsigned long long)(r->off + r->end - r->pos),
			         r->z.msg ? r->z.msg : "inflate error");
			r->z_end = true;
			break;
		}
		if (r->end > before)
			return true;
	}
	r->eof = true;
	return false;
}

static enum dt_err start(struct reader *r)
{
	uint8_t magic[2];
	size_t k;

	r->cap = READER_CHUNK;
	/* a small buffer in memory needs no larger window than itself */
	if (r->fd < 0 && r->mem_len + 16 < READER_CHUNK)
		r->cap = r->mem_len + 16;
	if ((r->buf = malloc(r->cap)) == NULL)
		return DT_ENOMEM;
	/* sniff gzip from the first two raw bytes, which then go to the
	 * window (plain) or to inflate (gzip) */
	k = raw_read(r, magic, 2);
	if (k == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		r->gzip = true;
		r->zcap = r->fd < 0 && r->mem_len < READER_CHUNK ? r->mem_len + 2 : READER_CHUNK;
		if ((r->zin = malloc(r->zcap)) == NULL)
			return DT_ENOMEM;
		memcpy(r->zin, magic, 2);
		if (inflateInit2(&r->z, 16 + MAX_WBITS) != Z_OK)
			return DT_ENOMEM;
		r->z.next_in = r->zin;
		r->z.avail_in = 2;
	} else {
		memcpy(r->buf, magic, k);
		r->end = k;
	}
	return DT_OK;
}

enum dt_err reader_open_file(const char *path, struct reader **out, struct dt_diag *diag)
{
	struct reader *r = calloc(1, sizeof(*r));
	struct stat st;
	enum dt_err err;

	*out = NULL;
	if (r == NULL)
		return DT_ENOMEM;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &st) != 0) {
		dt_diag_set(diag, path, 0, "cannot open: %s", strerror(errno));
		reader_close(r);
		return DT_EIO;
	}
	if (S_ISDIR(st.st_mode)) {
		dt_diag_set(diag, path, 0, "is a directory");
		reader_close(r);
		return DT_EIO;
	}
	if (S_ISREG(st.st_mode)) {
		r->raw_size = (uint64_t)st.st_size;
		(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	if ((err = start(r))) {
		dt_diag_set(diag, path, 0, "%s", dt_strerror(err));
		reader_close(r);
		return err;
	}
	*out = r;
	return DT_OK;
}

enum dt_err reader_open_mem(const void *data, size_t len, struct reader **out)
{
	struct reader *r = calloc(1, sizeof(*r));
	enum dt_err err;

	*out = NULL;
	if (r == NULL)
		return DT_ENOMEM;
	r->fd = -1;
	r->mem = data;
	r->mem_len = data ? len : 0;
	r->raw_size = r->mem_len;
	if ((err = start(r))) {
		reader_close(r);
		return err;
	}
	*out = r;
	return DT_OK;
}

void reader_close(struct reader *r)
{
	if (r == NULL)
		return;
	if (r->stream)
		fclose(r->stream);
	if (r->fd >= 0)
		close(r->fd);
	if (r->gzip)
		inflateEnd(&r->z);
	free(r->zin);
	free(r->buf);
	free(r);
}

const char *reader_peek(struct reader *r, size_t want, size_t *avail)
{
	if (r->skip_nl)
		drop_rest(r);
	if (want > READER_MAX_WINDOW)
		want = READER_MAX_WINDOW;
	if (r->fd < 0 && !r->gzip) {
		/* never more than what is left of a memory buffer */
		size_t left = r->end - r->pos + (r->mem_len - r->mem_pos) + 1;

		if (want > left)
			want = left;
	}
	if (r->end - r->pos < want && !r->eof) {
		/* compact, grow if needed, refill */
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->end - r->pos);
			r->end -= r->pos;
			r->pos = 0;
		}
		if (want > r->cap) {
			size_t cap = r->cap;
			char *p;

			while (cap < want)
				cap *= 2;
			if ((p = realloc(r->buf, cap)) != NULL) {
				r->buf = p;
				r->cap = cap;
			} else {
				want = r->cap; /* make do with the window we have */
			}
		}
		while (r->end < want && fill(r))
			;
	}
	*avail = r->end - r->pos;
	return r->buf + r->pos;
}

void reader_skip(struct reader *r, size_t n)
{
	if (n > r->end - r->pos)
		n = r->end - r->pos;
	r->pos += n;
	r->off += n;
}

bool reader_line(struct reader *r, const char **line, size_t *len, bool *overlong)
{
	size_t avail, scanned = 0, want = READER_CHUNK;
	const char *p, *nl;

	if (overlong)
		*overlong = false;
	if (r->skip_nl)
		drop_rest(r);
	for (;;) {
		if (r->end - r->pos > scanned) {
			p = r->buf + r->pos;
			nl = memchr(p + scanned, '\n', r->end - r->pos - scanned);
			if (nl) {
				*line = p;
				*len = (size_t)(nl - p);
				reader_skip(r, *len + 1);
				return true;
			}
		}
		scanned = r->end - r->pos;
		if (r->eof) {
			if (scanned == 0)
				return false;
			*line = r->buf + r->pos;
			*len = scanned;
			reader_skip(r, scanned);
			return true;
		}
		if (scanned >= READER_MAX_WINDOW)
			break;
		while (want <= scanned)
			want *= 2;
		reader_peek(r, want, &avail);
		if (avail <= scanned && !r->eof)
			break; /* could not grow */
	}
	/* a line longer than the largest window: return its head now; its
	 * rest is dropped up to the next newline at the next call */
	*line = r->buf + r->pos;
	*len = r->end - r->pos;
	if (overlong)
		*overlong = true;
	reader_skip(r, *len);
	r->skip_nl = true;
	return true;
}

/* Drops bytes up to and including the next newline (the rest of an
 * overlong line). */
static void drop_rest(struct reader *r)
{
	r->skip_nl = false;
	for (;;) {
		const char *nl;
		size_t k;

		if (r->pos == r->end) {
			r->pos = r->end = 0;
			if (!fill(r))
				return;
		}
		nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
		k = nl ? (size_t)(nl - (r->buf + r->pos)) + 1 : r->end - r->pos;
		reader_skip(r, k);
		if (nl)
			return;
	}
}

uint64_t reader_offset(const struct reader *r)
{
	return r->off;
}

uint64_t reader_raw_offset(const struct reader *r)
{
	return r->raw_off;
}

uint64_t reader_raw_size(const struct reader *r)
{
	return r->raw_size;
}

bool reader_gzip(const struct reader *r)
{
	return r->gzip;
}

const char *reader_damage(const struct reader *r)
{
	return r->damage[0] ? r->damage : NULL;
}

static ssize_t stream_read(void *cookie, char *buf, size_t size)
{
	struct reader *r = cookie;
	size_t avail;
	const char *p = reader_peek(r, size < READER_CHUNK ? size : READER_CHUNK, &avail);

	if (avail > size)
		avail = size;
	memcpy(buf, p, avail);
	reader_skip(r, avail);
	return (ssize_t)avail;
}

static int stream_close(void *cookie)
{
	struct reader *r = cookie;

	r->stream = NULL;
	return 0;
}

FILE *reader_stream(struct reader *r)
{
	cookie_io_functions_t io = {.read = stream_read, .close = stream_close};

	if (r->stream == NULL)
		r->stream = fopencookie(r, "r", io);
	return r->stream;
}
