/*
 * reader.h — streaming input for the telemetry parsers, with bounded memory.
 *
 * A reader delivers the bytes of one input (a file or a memory buffer)
 * front to back through a sliding window; gzip input (magic 1f 8b, any
 * number of members) is decompressed on the fly with zlib.  Memory stays
 * bounded by the largest window asked for, whatever the size of the input.
 *
 * A truncated or corrupt gzip stream, or a read error, ends the input at
 * the damage: everything before it is delivered, then the reader reports
 * end of input and reader_damage() says what happened, so the caller can
 * keep what was read and report the rest.
 *
 * Pointers returned by reader_peek and reader_line stay valid until the
 * next call on the same reader.
 */
#ifndef DT_INGEST_READER_H
#define DT_INGEST_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

/* The largest window reader_peek gives and the longest line reader_line
 * returns whole. */
#define READER_MAX_WINDOW (64u << 20)

struct reader;

/* Opens path for streaming; DT_EIO with diag when it cannot be opened. */
enum dt_err reader_open_file(const char *path, struct reader **out, struct dt_diag *diag);

/* A reader over data[0..len), which must outlive it (gzip detected too). */
enum dt_err reader_open_mem(const void *data, size_t len, struct reader **out);

void reader_close(struct reader *r);

/* At least min(want, READER_MAX_WINDOW) bytes from the current position,
 * or everything left when the input ends sooner; *avail is the number of
 * bytes at the returned pointer (0 at the end of input).  Does not advance. */
const char *reader_peek(struct reader *r, size_t want, size_t *avail);

/* Advances past n bytes (n ≤ the last *avail). */
void reader_skip(struct reader *r, size_t n);

/* The next line, without its "\n" (a "\r" before it is kept), advancing
 * past it; the last line need not end in "\n".  False at the end of input.
 * A line longer than READER_MAX_WINDOW is returned cut to that length with
 * *overlong set, and its rest is skipped; otherwise *overlong is false.
 * overlong may be NULL. */
bool reader_line(struct reader *r, const char **line, size_t *len, bool *overlong);

/* Bytes delivered so far (decompressed offset of the current position). */
uint64_t reader_offset(const struct reader *r);

/* Bytes of the underlying file or buffer consumed so far, and its size
 * (0 when unknown): for progress reports. */
uint64_t reader_raw_offset(const struct reader *r);
uint64_t reader_raw_size(const struct reader *r);

/* Whether the input was gzip. */
bool reader_gzip(const struct reader *r);

/* NULL, or why the input ended early (truncated/corrupt gzip, read error). */
const char *reader_damage(const struct reader *r);

/* A stdio stream of the bytes from the current position on, for libraries
 * that read a FILE * (libpcap's pcap_fopen_offline).  The stream reads
 * through the reader (so gzip and damage reporting still apply); closing it
 * does not close the reader.  Do not call reader_peek/skip/line while the
 * stream is in use.  NULL on failure. */
FILE *reader_stream(struct reader *r);

#endif
