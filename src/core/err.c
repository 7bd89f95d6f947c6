/*
 * err.c — the one table of error descriptions and the diagnostic helpers.
 * Kept tiny on purpose: every module depends on it.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *dt_strerror(enum dt_err err)
{
	switch (err) {
	case DT_OK: return "success";
	case DT_ENOMEM: return "out of memory";
	case DT_EIO: return "input/output error";
	case DT_EPARSE: return "parse error";
	case DT_EFORMAT: return "invalid file format";
	case DT_ELIMIT: return "limit exceeded";
	case DT_ENOTFOUND: return "not found";
	case DT_EEXIST: return "already exists";
	case DT_EINVAL: return "invalid argument";
	}
	return "unknown error";
}

void dt_diag_clear(struct dt_diag *d)
{
	if (d == NULL)
		return;
	memset(d, 0, sizeof(*d));
}

void dt_diag_set(struct dt_diag *d, const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return;
	if (file != NULL)
		snprintf(d->file, sizeof(d->file), "%s", file);
	else
		d->file[0] = '\0';
	d->line = line;
	d->col = 0;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

void dt_diag_format(const struct dt_diag *d, char *buf, size_t size)
{
	if (size == 0)
		return;
	if (d->file[0] != '\0' && d->line != 0)
		snprintf(buf, size, "%s:%lu: %s", d->file, d->line, d->msg);
	else if (d->file[0] != '\0')
		snprintf(buf, size, "%s: %s", d->file, d->msg);
	else
		snprintf(buf, size, "%s", d->msg);
}
