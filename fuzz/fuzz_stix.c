/*
 * fuzz_stix.c — the STIX 2.1 importer (intel_parse_stix, intel/intel.h).
 *
 * The input is one file.  Properties:
 *   - the verdict is DT_OK, or DT_EFORMAT with a message, the file's name
 *     and nothing handed over;
 *   - counts add up: records = indicators + objects + relations handed
 *     over + rejected; every rejected element was reported to warn, with
 *     the file's name and a line inside the input, lines never going back;
 *   - every record's number is a line of the input, in order; every
 *     string handed over is readable over its length; an indicator's
 *     atoms are at most PATTERN_MAX_ATOMS, and an unsupported one has a
 *     reason and no atoms; TLP names are the five of TLP 2.0 or empty;
 *   - a sink that fails at record k stops the import with its error after
 *     exactly k records; a second run gives the same counts.
 */
#include "fuzz.h"
#include "intel/intel.h"
#include "intel/pattern.h"

struct run {
	unsigned long lines, last, last_warn;
	uint64_t handed, warns, fail_at;
};

static void rec(struct run *r, uint64_t record)
{
	FUZZ_CHECK(record >= 1 && record <= r->lines);
	FUZZ_CHECK(record >= r->last);
	r->last = (unsigned long)record;
}

static void tlp(struct dt_str t)
{
	static const char *const ok[] = {"", "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
	bool found = false;

	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		found |= t.len == strlen(ok[i]) && memcmp(t.p, ok[i], t.len) == 0;
	FUZZ_CHECK(found);
}

static enum dt_err on_ind(void *ctx, const struct intel_indicator *in)
{
	struct run *r = ctx;

	if (r->handed == r->fail_at)
		return DT_EIO;
	r->handed++;
	rec(r, in->record);
	fuzz_touch(in->id);
	fuzz_touch(in->name);
	fuzz_touch(in->description);
	fuzz_touch(in->pattern);
	fuzz_touch(in->valid_from);
	fuzz_touch(in->valid_until);
	fuzz_touch(in->labels);
	tlp(in->tlp);
	FUZZ_CHECK(in->id.len > 0);
	FUZZ_CHECK(in->score >= -1 && in->score <= 100);
	FUZZ_CHECK(in->natoms <= PATTERN_MAX_ATOMS);
	FUZZ_CHECK((in->unsupported == NULL) == (in->natoms > 0));
	for (size_t i = 0; i < in->natoms; i++) {
		fuzz_touch(in->atoms[i].value);
		fuzz_touch(in->atoms[i].path);
	}
	return DT_OK;
}

static enum dt_err on_obj(void *ctx, const struct intel_object *o)
{
	struct run *r = ctx;

	if (r->handed == r->fail_at)
		return DT_EIO;
	r->handed++;
	rec(r, o->record);
	FUZZ_CHECK(o->id.len > 0 && o->type.len > 0);
	fuzz_touch(o->id);
	fuzz_touch(o->type);
	fuzz_touch(o->name);
	fuzz_touch(o->aliases);
	fuzz_touch(o->country);
	tlp(o->tlp);
	return DT_OK;
}

static enum dt_err on_rel(void *ctx, const struct intel_relation *rl)
{
	struct run *r = ctx;

	if (r->handed == r->fail_at)
		return DT_EIO;
	r->handed++;
	rec(r, rl->record);
	FUZZ_CHECK(rl->id.len > 0 && rl->type.len > 0 && rl->src.len > 0 && rl->dst.len > 0);
	fuzz_touch(rl->id);
	fuzz_touch(rl->type);
	fuzz_touch(rl->src);
	fuzz_touch(rl->dst);
	return DT_OK;
}

static void on_warn(void *ctx, const struct dt_diag *d)
{
	struct run *r = ctx;

	FUZZ_CHECK(strcmp(d->file, "fuzz.json") == 0);
	FUZZ_CHECK(d->line >= 1 && d->line <= r->lines);
	FUZZ_CHECK(d->line >= r->last_warn);
	FUZZ_CHECK(d->msg[0] != '\0');
	r->last_warn = d->line;
	r->warns++;
}

static enum dt_err once(const uint8_t *data, size_t size, uint64_t fail_at, struct run *r,
                        struct intel_counts *c, struct dt_diag *d)
{
	struct intel_sink k = {on_ind, on_obj, on_rel, on_warn, r};

	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	r->lines = 1;
	for (size_t i = 0; i < size; i++)
		r->lines += data[i] == '\n';
	r->fail_at = fail_at;
	return intel_parse_stix("fuzz.json", (const char *)data, size, &k, c, d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r, r2;
	struct intel_counts c, c2;
	struct dt_diag d;
	enum dt_err err = once(data, size, UINT64_MAX, &r, &c, &d);

	FUZZ_CHECK(err == DT_OK || err == DT_EFORMAT);
	if (err == DT_EFORMAT) {
		FUZZ_CHECK(r.handed == 0 && c.records == 0 && r.warns == 0);
		FUZZ_CHECK(d.msg[0] != '\0' && strcmp(d.file, "fuzz.json") == 0);
		return 0;
	}
	FUZZ_CHECK(c.records == r.handed + c.rejected);
	/* a pattern error is reported and handed over: warns >= rejected */
	FUZZ_CHECK(r.warns >= c.rejected);

	err = once(data, size, r.handed / 2, &r2, &c2, &d);
	if (r.handed > 0) {
		FUZZ_CHECK(err == DT_EIO && r2.handed == r.handed / 2);
		FUZZ_CHECK(d.line >= 1 && d.line <= r2.lines);
	}
	err = once(data, size, UINT64_MAX, &r2, &c2, &d);
	FUZZ_CHECK(err == DT_OK && c2.records == c.records && c2.rejected == c.rejected &&
	           c2.ignored == c.ignored && r2.handed == r.handed && r2.warns == r.warns);
	return 0;
}
