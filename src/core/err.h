/*
 * err.h — error codes and caller-provided diagnostics.
 *
 * Every library function that can fail returns an enum dt_err; DT_OK is
 * zero so `if (err)` reads naturally.  Where a failure has a location (a
 * file, a line, a column) the function also fills a struct dt_diag that the
 * caller owns, in the manner of jansson's json_error_t.  The library never
 * prints: the CLI decides what reaches the user.
 *
 * Messages follow git's rule: lowercase, no full stop, the failing thing
 * first, the subject quoted.
 */
#ifndef DT_ERR_H
#define DT_ERR_H

#include <stddef.h>

enum dt_err {
	DT_OK = 0,
	DT_ENOMEM,    /* allocation failed */
	DT_EIO,       /* read, write, mmap or rename failed (errno in diag) */
	DT_EPARSE,    /* malformed input text */
	DT_EFORMAT,   /* a binary file is not what it claims to be */
	DT_ELIMIT,    /* input exceeds a named limit (see limits.h) */
	DT_ENOTFOUND, /* a named thing does not exist */
	DT_EEXIST,    /* refusing to overwrite */
	DT_EINVAL,    /* bad argument from the caller */
};

/* A static English description of err; never NULL. */
const char *dt_strerror(enum dt_err err);

/*
 * Where and why something failed.  All fields are optional: line 0 means
 * "no line", file "" means "no file".  dt_diag_set() formats msg and keeps
 * file/line/col as given.
 */
struct dt_diag {
	char file[256];
	unsigned long line;
	unsigned long col;
	char msg[512];
};

void dt_diag_clear(struct dt_diag *d);
void dt_diag_set(struct dt_diag *d, const char *file, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "file:line: msg" (or "file: msg" or "msg") into buf, NUL-terminated. */
void dt_diag_format(const struct dt_diag *d, char *buf, size_t size);

#endif
