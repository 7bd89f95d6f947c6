/*
 * fuzz_intel.c — the non-STIX intel importers and format detection
 * (intel/intel.h: zeekintel.c, iprep.c, warninglist.c, misp.c, detect.c).
 *
 * The first input byte (mod 8) picks the importer; the rest is its input:
 *   0 intel_parse_zeek, 1 intel_parse_iprep, 2 intel_parse_iprep_cats (the
 *   rest split at its first NUL: list, then categories file),
 *   3 intel_parse_warninglist, 4 intel_parse_misp, 5
 *   intel_parse_misp_galaxy, 6 intel_misp_manifest, 7 intel_detect and
 *   intel_is_iprep_categories alone.
 * Each input is handed over in a buffer of exactly its size, so a read
 * past it is an AddressSanitizer report.  Properties:
 *   - the verdict is DT_OK, or DT_EFORMAT with a message, a file name and
 *     nothing sent to the sink;
 *   - every warning names the file it is about and a line inside it, and
 *     there is exactly one per rejected record (c.rejected);
 *   - every indicator has 1 or 2 atoms of a real type, readable strings,
 *     a record number that is a line of the input, a score in -1..127;
 *     warning-list entries are benign, nothing else is; every object and
 *     relationship is readable, and a relationship goes from the last
 *     indicator's id to a galaxy cluster id;
 *   - a manifest lists only 36-character UUIDs, and none when refused;
 *   - a sink that fails at call k stops the importer with its error after
 *     exactly k calls, and a second run gives the same counts;
 *   - intel_detect answers NULL or a known name, on every input.
 */
#include "fuzz.h"
#include "intel/intel.h"

struct run {
	const char *name, *cats_name;
	unsigned long lines, cats_lines;
	uint64_t calls, fail_at, warns, ind, obj, rel;
	char last_id[128];
	size_t last_id_len;
};

static unsigned long count_lines(const char *d, size_t n)
{
	unsigned long l = 1;

	for (size_t i = 0; i < n; i++)
		if (d[i] == '\n' && i + 1 < n)
			l++;
	return l;
}

static bool readable(struct dt_str s)
{
	fuzz_touch(s);
	return true;
}

static enum dt_err on_ind(void *ctx, const struct intel_indicator *in)
{
	struct run *r = ctx;

	if (r->calls == r->fail_at)
		return DT_EIO;
	r->calls++;
	r->ind++;
	FUZZ_CHECK(in->natoms == 1 || in->natoms == 2);
	for (size_t i = 0; i < in->natoms; i++) {
		FUZZ_CHECK(in->atoms[i].type > IT_NONE && in->atoms[i].type < IT_NTYPES);
		readable(in->atoms[i].value);
		readable(in->atoms[i].path);
	}
	FUZZ_CHECK(in->record >= 1 && in->record <= r->lines);
	FUZZ_CHECK(in->score >= -1 && in->score <= 127);
	readable(in->id);
	readable(in->name);
	readable(in->description);
	readable(in->pattern);
	readable(in->valid_from);
	readable(in->valid_until);
	readable(in->tlp);
	readable(in->labels);
	if (in->unsupported)
		FUZZ_CHECK(strlen(in->unsupported) > 0);
	r->last_id_len = in->id.len < sizeof(r->last_id) ? in->id.len : 0;
	memcpy(r->last_id, in->id.p, r->last_id_len);
	return DT_OK;
}

static enum dt_err on_obj(void *ctx, const struct intel_object *o)
{
	struct run *r = ctx;

	if (r->calls == r->fail_at)
		return DT_EIO;
	r->calls++;
	r->obj++;
	FUZZ_CHECK(o->record >= 1 && o->record <= r->lines);
	FUZZ_CHECK(o->id.len > 0 && o->type.len > 0 && o->name.len > 0);
	readable(o->id);
	readable(o->type);
	readable(o->name);
	readable(o->aliases);
	readable(o->country);
	readable(o->tlp);
	return DT_OK;
}

static enum dt_err on_rel(void *ctx, const struct intel_relation *rl)
{
	struct run *r = ctx;

	if (r->calls == r->fail_at)
		return DT_EIO;
	r->calls++;
	r->rel++;
	readable(rl->id);
	readable(rl->type);
	FUZZ_CHECK(rl->src.len == r->last_id_len || r->last_id_len == 0);
	if (r->last_id_len)
		FUZZ_CHECK(memcmp(rl->src.p, r->last_id, r->last_id_len) == 0);
	FUZZ_CHECK(rl->dst.len > 23 && memcmp(rl->dst.p, "x-misp-galaxy-cluster--", 23) == 0);
	return DT_OK;
}

static void on_warn(void *ctx, const struct dt_diag *d)
{
	struct run *r = ctx;

	FUZZ_CHECK(d->msg[0] != '\0');
	if (strcmp(d->file, r->name) == 0) {
		FUZZ_CHECK(d->line >= 1 && d->line <= r->lines);
	} else {
		FUZZ_CHECK(r->cats_name && strcmp(d->file, r->cats_name) == 0);
		FUZZ_CHECK(d->line >= 1 && d->line <= r->cats_lines);
	}
	r->warns++;
}

static void on_uuid(void *ctx, const char *uuid)
{
	struct run *r = ctx;

	FUZZ_CHECK(strlen(uuid) == 36 && uuid[8] == '-' && uuid[23] == '-');
	r->calls++;
}

static enum dt_err once(int which, const char *d, size_t n, const char *cats, size_t cn,
                        uint64_t fail_at, struct run *r, struct intel_counts *c,
                        struct dt_diag *diag)
{
	static intel_parse_fn *const fns[] = {
	    intel_parse_zeek,        intel_parse_iprep, NULL,
	    intel_parse_warninglist, intel_parse_misp,  intel_parse_misp_galaxy};
	struct intel_sink k = {on_ind, on_obj, on_rel, on_warn, r};

	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	dt_diag_clear(diag);
	r->name = "fuzz";
	r->lines = count_lines(d, n);
	r->fail_at = fail_at;
	if (which == 2) {
		r->cats_name = "fuzz-cats";
		r->cats_lines = count_lines(cats, cn);
		return intel_parse_iprep_cats("fuzz", d, n, "fuzz-cats", cats, cn, &k, c, diag);
	}
	if (which == 6)
		return intel_misp_manifest("fuzz", d, n, on_uuid, r, diag);
	return fns[which]("fuzz", d, n, &k, c, diag);
}

static void check_detect(const char *d, size_t n)
{
	static const char *const names[] = {"stix",      "misp", "misp-galaxy",      "warninglist",
	                                    "misp-feed", "zeek", "iprep-categories", "iprep"};
	const char *f = intel_detect(d, n);
	bool known = f == NULL;

	for (size_t i = 0; f && i < sizeof(names) / sizeof(*names); i++)
		known |= strcmp(f, names[i]) == 0;
	FUZZ_CHECK(known);
	(void)intel_is_iprep_categories(d, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r, r2;
	struct intel_counts c, c2;
	struct dt_diag diag;
	char *d = NULL, *cats = NULL;
	size_t n, cn = 0;
	int which;
	enum dt_err err;

	if (size == 0)
		return 0;
	which = data[0] % 8;
	n = size - 1;
	if (which == 2) {
		const uint8_t *nul = memchr(data + 1, '\0', n);

		if (nul) {
			cn = (size_t)(data + size - nul - 1);
			n = (size_t)(nul - data - 1);
			cats = malloc(cn ? cn : 1);
			FUZZ_CHECK(cats != NULL);
			memcpy(cats, nul + 1, cn);
		}
	}
	d = malloc(n ? n : 1);
	FUZZ_CHECK(d != NULL);
	memcpy(d, data + 1, n);
	check_detect(d, n);
	if (which == 7)
		goto out;

	err = once(which, d, n, cats, cn, UINT64_MAX, &r, &c, &diag);
	FUZZ_CHECK(err == DT_OK || err == DT_EFORMAT);
	FUZZ_CHECK(c.rejected == r.warns);
	FUZZ_CHECK(c.records >= r.ind + r.obj + r.rel);
	if (err == DT_EFORMAT) {
		FUZZ_CHECK(r.calls == 0);
		FUZZ_CHECK(diag.msg[0] != '\0');
		FUZZ_CHECK(strcmp(diag.file, "fuzz") == 0 ||
		           (which == 2 && strcmp(diag.file, "fuzz-cats") == 0));
	}
	if (which == 6)
		goto out;

	/* a sink that fails half way */
	if (r.calls > 0) {
		err = once(which, d, n, cats, cn, r.calls / 2, &r2, &c2, &diag);
		FUZZ_CHECK(err == DT_EIO && r2.calls == r.calls / 2);
		FUZZ_CHECK(strcmp(diag.file, "fuzz") == 0 && diag.line >= 1);
	}
	/* and the same again */
	err = once(which, d, n, cats, cn, UINT64_MAX, &r2, &c2, &diag);
	FUZZ_CHECK(c2.records == c.records && c2.rejected == c.rejected &&
	           c2.ignored == c.ignored && r2.calls == r.calls);
out:
	free(d);
	free(cats);
	return 0;
}
