/*
 * input.h — reading a telemetry file whole, gzip or not.
 *
 * Files are read into one buffer (the parsers walk slices of it); gzip
 * input (magic 1f 8b, any number of members) is decompressed with zlib.  A
 * truncated or damaged gzip stream keeps everything decompressed before
 * the damage and says where it stopped, so the caller can ingest that and
 * report the rest.
 */
#ifndef DT_INGEST_INPUT_H
#define DT_INGEST_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define INPUT_MAX_BYTES (8ull << 30) /* decompressed */

struct input {
	char *data; /* malloc'd, NUL-terminated; caller frees */
	size_t len;
	uint64_t raw_size;  /* bytes of the file itself */
	uint8_t sha256[32]; /* of the file as stored, compressed or not */
	bool gzip;
	bool damaged;     /* gzip stream ended early or was corrupt */
	char damage[256]; /* why, when damaged */
};

/* Reads path; DT_EIO/DT_ELIMIT with diag on failure. */
enum dt_err input_read(const char *path, struct input *out, struct dt_diag *diag);
void input_release(struct input *in);

#endif
