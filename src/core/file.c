/* file.c — see file.h; one implementation for every reader of whole files. */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum dt_err dt_read_file(const char *path, uint64_t max, char **data, size_t *len,
                         struct dt_diag *diag)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*data = NULL;
	*len = 0;
	if (fd < 0) {
		dt_diag_set(diag, path, 0, "cannot open: %s", strerror(errno));
		return DT_EIO;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		dt_diag_set(diag, path, 0, "not a regular file");
		close(fd);
		return DT_EIO;
	}
	if ((uint64_t)st.st_size > max) {
		dt_diag_set(diag, path, 0, "file larger than %llu bytes", (unsigned long long)max);
		close(fd);
		return DT_ELIMIT;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return DT_ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			dt_diag_set(diag, path, 0, "read failed: %s",
			            n < 0 ? strerror(errno) : "file shrank");
			free(buf);
			close(fd);
			return DT_EIO;
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return DT_OK;
}
