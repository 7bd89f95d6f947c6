/*
 * file.h — reading a whole regular file into memory, bounded.
 */
#ifndef DT_FILE_H
#define DT_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/*
 * Reads path (a regular file of at most max bytes) into *data, malloc'd
 * and NUL-terminated (the NUL not counted in *len).  The caller frees
 * *data.  DT_EIO, DT_ELIMIT or DT_ENOMEM with diag on failure.
 */
enum dt_err dt_read_file(const char *path, uint64_t max, char **data, size_t *len,
                         struct dt_diag *diag);

#endif
