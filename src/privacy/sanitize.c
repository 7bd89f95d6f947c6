/*
 * sanitize.c — choosing a format's sanitizer, and writing a derivative
 * whole or not at all.
 */
#include "privacy/sanitize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

sanitize_fn *sanitize_format(const char *format)
{
	static const struct {
		const char *name;
		sanitize_fn *fn;
	} tab[] = {
	    {"zeek", sanitize_zeek},     {"eve", sanitize_eve},   {"syslog", sanitize_syslog},
	    {"weblog", sanitize_weblog}, {"pcap", sanitize_pcap}, {"netflow", sanitize_netflow},
	    {"text", sanitize_text},
	};

	for (size_t i = 0; format && i < sizeof(tab) / sizeof(*tab); i++)
		if (strcmp(tab[i].name, format) == 0)
			return tab[i].fn;
	return NULL;
}

/* Scrubs each line as text: the fallback for a line format. */
enum dt_err sanitize_text(struct reader *r, struct privacy *p, FILE *out, const char *name,
                          struct privacy_counts *c, struct dt_diag *diag)
{
	struct strbuf b;
	const char *line;
	size_t len;
	bool overlong;
	enum dt_err err = DT_OK;

	strbuf_init(&b, 1 << 16);
	while (!err && reader_line(r, &line, &len, &overlong)) {
		b.len = 0;
		err = privacy_scrub(p, line, len, &b, c);
		if (!err)
			err = strbuf_addc(&b, '\n');
		if (!err && fwrite(b.p, 1, b.len, out) != b.len) {
			dt_diag_set(diag, name, 0, "cannot write the sanitized copy: %s",
			            strerror(errno));
			err = DT_EIO;
		}
		if (c)
			c->records++;
	}
	strbuf_release(&b);
	return err;
}

enum dt_err sanitize_mem(struct privacy *p, const char *format, const void *data, size_t len,
                         FILE *out, struct privacy_counts *c, struct dt_diag *diag)
{
	sanitize_fn *fn = sanitize_format(format);
	struct reader *r;
	enum dt_err err;

	if (!fn) {
		dt_diag_set(diag, format, 0, "no sanitizer for this format");
		return DT_EINVAL;
	}
	if ((err = reader_open_mem(data, len, &r)))
		return err;
	err = fn(r, p, out, "input", c, diag);
	reader_close(r);
	return err;
}

enum dt_err sanitize_file(struct privacy *p, const char *format, const char *in,
                          const char *out_path, struct privacy_counts *c, struct dt_diag *diag)
{
	sanitize_fn *fn = sanitize_format(format);
	char tmp[4200];
	struct reader *r = NULL;
	FILE *f = NULL;
	enum dt_err err;
	int fd;

	if (!fn) {
		dt_diag_set(diag, in, 0, "no sanitizer for format '%s'", format ? format : "?");
		return DT_EINVAL;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", out_path) >= (int)sizeof(tmp)) {
		dt_diag_set(diag, out_path, 0, "path too long");
		return DT_ELIMIT;
	}
	if ((err = reader_open_file(in, &r, diag)))
		return err;
	if ((fd = mkstemp(tmp)) < 0 || !(f = fdopen(fd, "w"))) {
		dt_diag_set(diag, tmp, 0, "cannot create: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		reader_close(r);
		return DT_EIO;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	err = fn(r, p, f, in, c, diag);
	reader_close(r);
	if (!err && (fflush(f) != 0 || fsync(fileno(f)) != 0)) {
		dt_diag_set(diag, tmp, 0, "cannot write: %s", strerror(errno));
		err = DT_EIO;
	}
	if (fclose(f) != 0 && !err) {
		dt_diag_set(diag, tmp, 0, "cannot write: %s", strerror(errno));
		err = DT_EIO;
	}
	if (!err && rename(tmp, out_path) != 0) {
		dt_diag_set(diag, out_path, 0, "cannot rename into place: %s", strerror(errno));
		err = DT_EIO;
	}
	if (err)
		unlink(tmp);
	return err;
}
