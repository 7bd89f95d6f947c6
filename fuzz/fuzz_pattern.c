/*
 * fuzz_pattern.c — the STIX 2.1 pattern parser (pattern_parse,
 * intel/pattern.h).
 *
 * The input is one pattern (libFuzzer's buffer, exactly that long and not
 * NUL-terminated).  One struct pattern is reused from input to input, as
 * the importer reuses it.  Properties:
 *   - the verdict is DT_OK or DT_EPARSE; an error has a reason, a column
 *     inside the text (or just past it) and no atoms;
 *   - a supported pattern has 1..PATTERN_MAX_ATOMS atoms, an unsupported
 *     one none and a reason;
 *   - every atom has an evaluated type, its value inside the input or the
 *     parser's pool, its path inside the input (and starting with the
 *     object type's letter); observations are numbered 0.. without gaps,
 *     in order, and conjunctions 0.. without gaps within each;
 *   - a value that does not come from the pool is the input's bytes
 *     between quotes; the same input parsed again gives the same atoms.
 */
#include "fuzz.h"
#include "intel/pattern.h"

static struct pattern pat;

static void check(const uint8_t *data, size_t size, enum dt_err err, const struct dt_diag *d)
{
	const char *s = (const char *)data;
	int obs = -1, conj = -1;

	FUZZ_CHECK(err == DT_OK || err == DT_EPARSE);
	if (err) {
		FUZZ_CHECK(pat.natoms == 0);
		FUZZ_CHECK(d->msg[0] != '\0');
		FUZZ_CHECK(d->col >= 1 && d->col <= size + 1);
		return;
	}
	FUZZ_CHECK(pat.natoms <= PATTERN_MAX_ATOMS);
	FUZZ_CHECK((pat.unsupported == NULL) == (pat.natoms > 0));
	FUZZ_CHECK(pat.unsupported == NULL || pat.unsupported[0] != '\0');
	FUZZ_CHECK(pat.mode == IM_ANY || pat.mode == IM_ALL || pat.mode == IM_SEQ);
	for (size_t i = 0; i < pat.natoms; i++) {
		const struct intel_atom *a = &pat.atoms[i];
		bool in_text = a->value.p >= s && a->value.p + a->value.len <= s + size;
		bool in_pool = pat.pool && a->value.p >= pat.pool &&
		               a->value.p + a->value.len <= pat.pool + pat.pool_len;

		FUZZ_CHECK(a->type == IT_IP || a->type == IT_IPV4 || a->type == IT_IPV6 ||
		           a->type == IT_DOMAIN || a->type == IT_URL || a->type == IT_MD5 ||
		           a->type == IT_SHA1 || a->type == IT_SHA256 || a->type == IT_SHA512 ||
		           a->type == IT_CERT_SHA1 || a->type == IT_CERT_SHA256 ||
		           a->type == IT_EMAIL);
		FUZZ_CHECK(in_text || in_pool);
		if (in_text && !in_pool)
			FUZZ_CHECK(a->value.p > s && a->value.p[-1] == '\'' &&
			           a->value.p + a->value.len < s + size &&
			           a->value.p[a->value.len] == '\'');
		fuzz_touch(a->value);
		FUZZ_CHECK(a->path.len > 0 && a->path.p >= s &&
		           a->path.p + a->path.len <= s + size);
		FUZZ_CHECK(a->path.p[0] == 'i' || a->path.p[0] == 'd' || a->path.p[0] == 'u' ||
		           a->path.p[0] == 'f' || a->path.p[0] == 'x' || a->path.p[0] == 'n' ||
		           a->path.p[0] == 'e');
		if (a->obs != obs) {
			FUZZ_CHECK(a->obs == obs + 1 && a->conj == 0);
			obs = a->obs;
			conj = 0;
		} else {
			FUZZ_CHECK(a->conj == conj || a->conj == conj + 1);
			conj = a->conj;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt_diag d;
	enum dt_err err = pattern_parse(&pat, (const char *)data, size, &d);
	size_t n = pat.natoms;
	uint64_t h = 0;

	check(data, size, err, &d);
	for (size_t i = 0; i < n; i++)
		h = h * 31 + pat.atoms[i].value.len * 7 + pat.atoms[i].obs * 3 + pat.atoms[i].conj;
	/* again, on the reused structure: the same answer */
	FUZZ_CHECK(pattern_parse(&pat, (const char *)data, size, &d) == err);
	FUZZ_CHECK(pat.natoms == n);
	{
		uint64_t h2 = 0;

		for (size_t i = 0; i < n; i++)
			h2 = h2 * 31 + pat.atoms[i].value.len * 7 + pat.atoms[i].obs * 3 +
			     pat.atoms[i].conj;
		FUZZ_CHECK(h2 == h);
	}
	return 0;
}
