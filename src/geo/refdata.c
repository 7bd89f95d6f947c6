/*
 * refdata.c — snapshot directory management: build, manifest, ACTIVE.
 *
 * Every file is written to a temporary name, fsync'ed and renamed, so a
 * crash leaves the previous snapshot active and whole.
 */
#include "geo/refdata.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/hex.h"
#include "core/version.h"

enum dt_err refdata_dir(const char *db, char *out, size_t size)
{
	int n = snprintf(out, size, "%s.d/refdata", db);

	return n < 0 || (size_t)n >= size ? DT_ELIMIT : DT_OK;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

enum dt_err refdata_defaults(const char *datadir, struct refdata_input *out, size_t max, size_t *n,
                             struct dt_diag *diag)
{
	static char paths[4][1100];
	static const char *const tor[] = {"/usr/share/tor/geoip", "/usr/share/tor/geoip6"};
	static const char *const asn[] = {"asn-ipv4.csv", "asn-ipv6.csv"};
	char missing[4600] = "";

	*n = 0;
	for (int i = 0; i < 2 && *n < max; i++) {
		if (exists(tor[i]))
			out[(*n)++] = (struct refdata_input){GEO_IN_COUNTRY, tor[i], NULL};
		else
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
			         "%s%s", missing[0] ? ", " : "", tor[i]);
	}
	for (int i = 0; i < 2 && *n < max; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/ip-location-db-asn/%s",
		         datadir ? datadir : ".", asn[i]);
		if (exists(paths[i]))
			out[(*n)++] = (struct refdata_input){GEO_IN_ASN, paths[i], NULL};
		else
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
			         "%s%s", missing[0] ? ", " : "", paths[i]);
	}
	if (missing[0])
		dt_diag_set(diag, NULL, 0, "default inputs missing: %s", missing);
	return *n ? DT_OK : DT_ENOTFOUND;
}

static enum dt_err mkdirs(const char *path, struct dt_diag *diag)
{
	char tmp[1024];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return DT_ELIMIT;
	memcpy(tmp, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (tmp[i] == '/' || tmp[i] == '\0') {
			char c = tmp[i];

			tmp[i] = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST) {
				dt_diag_set(diag, tmp, 0, "cannot create directory: %s",
				            strerror(errno));
				return DT_EIO;
			}
			tmp[i] = c;
		}
	}
	return DT_OK;
}

static enum dt_err write_atomic(const char *path, const char *data, size_t len,
                                struct dt_diag *diag)
{
	char tmp[1200];
	int fd;
	size_t off = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0) {
		dt_diag_set(diag, tmp, 0, "cannot create: %s", strerror(errno));
		return DT_EIO;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fsync(fd) < 0 || close(fd) < 0) {
		dt_diag_set(diag, tmp, 0, "write failed: %s", strerror(errno));
		unlink(tmp);
		return DT_EIO;
	}
	if (rename(tmp, path) < 0) {
		dt_diag_set(diag, path, 0, "rename failed: %s", strerror(errno));
		unlink(tmp);
		return DT_EIO;
	}
	return DT_OK;
}

static json_t *manifest(const struct geo_builder *b, const struct geo_build_result *r)
{
	const struct geo_input_info *in;
	size_t n = geo_builder_inputs(b, &in);
	json_t *m = json_object(), *inputs = json_array();
	char digest[80], when[40], sha[65];
	time_t now = time(NULL);
	struct tm tm;

	snprintf(digest, sizeof(digest), "sha256:%s", r->hex);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(m, "digest", json_string(digest));
	json_object_set_new(m, "file", json_string(strrchr(r->path, '/') + 1));
	json_object_set_new(m, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new(m, "built_at", json_string(when));
	json_object_set_new(m, "built_by", json_string("detente " DT_VERSION));
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		dt_hex_encode(in[i].sha256, 32, sha);
		json_object_set_new(o, "kind", json_string(geo_kind_name(in[i].kind)));
		json_object_set_new(o, "path", json_string(in[i].path));
		json_object_set_new(o, "bytes", json_integer((json_int_t)in[i].size));
		json_object_set_new(o, "sha256", json_string(sha));
		json_object_set_new(o, "licence",
		                    in[i].licence[0] ? json_string(in[i].licence) : json_null());
		if (in[i].flag[0])
			json_object_set_new(o, "flag", json_string(in[i].flag));
		json_object_set_new(o, "records", json_integer((json_int_t)in[i].records));
		json_object_set_new(o, "rejected", json_integer((json_int_t)in[i].rejected));
		json_array_append_new(inputs, o);
	}
	json_object_set_new(m, "inputs", inputs);
	return m;
}

enum dt_err refdata_build(const char *dir, const struct refdata_input *in, size_t n,
                          geo_warn_fn *warn, void *warn_ctx, struct refdata_built *out,
                          struct dt_diag *diag)
{
	struct geo_builder *b = NULL;
	const struct geo_input_info *infos;
	char path[1200], *text = NULL;
	json_t *m = NULL;
	enum dt_err err;

	memset(out, 0, sizeof(*out));
	if ((err = mkdirs(dir, diag)))
		return err;
	if ((err = geo_builder_new(&b)))
		return err;
	geo_builder_set_warn(b, warn, warn_ctx);
	for (size_t i = 0; i < n; i++)
		if ((err = geo_builder_add_file(b, in[i].kind, in[i].path, in[i].flag, diag)))
			goto out;
	if ((err = geo_builder_write(b, dir, &out->index, diag)))
		goto out;
	out->ninputs = geo_builder_inputs(b, &infos);
	for (size_t i = 0; i < out->ninputs; i++) {
		out->records += infos[i].records;
		out->rejected += infos[i].rejected;
	}
	m = manifest(b, &out->index);
	if ((text = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL) {
		err = DT_ENOMEM;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s.json", dir, out->index.hex);
	if ((err = write_atomic(path, text, strlen(text), diag)))
		goto out;
	snprintf(path, sizeof(path), "%s/ACTIVE", dir);
	{
		char line[80];
		int len = snprintf(line, sizeof(line), "%s\n", out->index.hex);

		err = write_atomic(path, line, (size_t)len, diag);
	}
out:
	free(text);
	json_decref(m);
	geo_builder_free(b);
	return err;
}

enum dt_err refdata_active_path(const char *dir, char *path, size_t size, struct dt_diag *diag)
{
	char p[1100], hex[80] = "";
	FILE *f;
	size_t len;

	snprintf(p, sizeof(p), "%s/ACTIVE", dir);
	if ((f = fopen(p, "re")) == NULL) {
		dt_diag_set(diag, NULL, 0,
		            "no reference data in %s; run 'detente refdata build' first", dir);
		return DT_ENOTFOUND;
	}
	if (fgets(hex, sizeof(hex), f) == NULL)
		hex[0] = '\0';
	fclose(f);
	len = strcspn(hex, "\r\n");
	hex[len] = '\0';
	if (len != 64 || strspn(hex, "0123456789abcdef") != 64) {
		dt_diag_set(diag, p, 1, "not a snapshot digest");
		return DT_EFORMAT;
	}
	if ((size_t)snprintf(path, size, "%s/%s.idx", dir, hex) >= size)
		return DT_ELIMIT;
	return DT_OK;
}

enum dt_err refdata_open_active(const char *dir, struct geo_index **out, struct dt_diag *diag)
{
	char path[1200];
	enum dt_err err;

	*out = NULL;
	if ((err = refdata_active_path(dir, path, sizeof(path), diag)))
		return err;
	return geo_index_open(path, out, diag);
}

enum dt_err refdata_show(const char *dir, json_t **out, struct dt_diag *diag)
{
	char path[1200], mpath[1200];
	struct geo_index *ix = NULL;
	struct geo_stats st;
	json_error_t je;
	json_t *m, *counts, *flags;
	enum dt_err err;

	*out = NULL;
	if ((err = refdata_active_path(dir, path, sizeof(path), diag)))
		return err;
	if ((err = geo_index_open(path, &ix, diag)))
		return err;
	snprintf(mpath, sizeof(mpath), "%.*s.json", (int)(strlen(path) - 4), path);
	m = json_load_file(mpath, 0, &je);
	if (m == NULL || !json_is_object(m)) {
		/* an index without its manifest is still a valid snapshot */
		json_decref(m);
		m = json_object();
		json_object_set_new(m, "digest", json_string(geo_index_digest(ix)));
		json_object_set_new(m, "manifest", json_null());
	}
	json_object_set_new(m, "path", json_string(path));
	json_object_set_new(m, "verified", json_boolean(geo_index_verify(ix, NULL) == DT_OK));
	geo_index_stats(ix, &st);
	counts = json_object();
	json_object_set_new(counts, "intervals_v4", json_integer(st.intervals4));
	json_object_set_new(counts, "intervals_v6", json_integer(st.intervals6));
	json_object_set_new(counts, "answers", json_integer(st.infos));
	json_object_set_new(counts, "organisations", json_integer(st.orgs));
	flags = json_array();
	for (unsigned i = 0; i < geo_index_flag_count(ix); i++)
		json_array_append_new(flags, json_string(geo_index_flag_name(ix, i)));
	json_object_set_new(counts, "flags", flags);
	json_object_set_new(m, "counts", counts);
	geo_index_free(ix);
	*out = m;
	return DT_OK;
}
