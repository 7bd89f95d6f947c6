/*
 * test_stix.c — the STIX 2.1 importer (intel_parse_stix, intel/intel.h).
 *
 * A recording sink copies everything handed over.  The shared corpus's
 * bundles: APT1 (its four Shanghai netblocks, the intrusion set, the
 * indicates and attributed-to chains), the Poison Ivy report (1,019
 * indicators, 7 campaigns, 14 campaign attributed-to threat-actor
 * relationships, relationships to objects missing from the bundle passed
 * through), Mandiant's APT1 report (no indicators), poisonivy.json and the
 * small examples, with every count.  Hand-made bundles: TLP markings (1.0,
 * 2.0, the bundle's own definitions, the most restrictive winning),
 * fields, escapes, pattern types, syntax errors (reported with line and
 * column, the indicator still handed over), rejected objects with their
 * lines, input that is not STIX, a failing sink.  Then MB/s on the
 * Poison Ivy report (printed).
 */
#include <time.h>

#include "testhelp.h"

#include "core/file.h"
#include "intel/intel.h"

#define MAXREC 8000

struct rec {
	char kind; /* 'i', 'o', 'r' */
	unsigned long record;
	char *id, *type, *name, *desc, *pattern, *from, *until, *tlp, *labels, *aliases, *country;
	char *src, *dst, *unsupported, *atoms;
	int score;
	enum intel_mode mode;
	size_t natoms;
};

static struct rec recs[MAXREC];
static size_t nrec;
static struct dt_diag warns[64];
static size_t nwarn;
static size_t fail_at = (size_t)-1;

static char *dup(struct dt_str s)
{
	char *p = malloc(s.len + 1);

	memcpy(p, s.p ? s.p : "", s.len);
	p[s.len] = '\0';
	return p;
}

static void clear(void)
{
	for (size_t i = 0; i < nrec; i++) {
		struct rec *r = &recs[i];
		char **f[] = {&r->id,      &r->type,  &r->name, &r->desc,        &r->pattern,
		              &r->from,    &r->until, &r->tlp,  &r->labels,      &r->aliases,
		              &r->country, &r->src,   &r->dst,  &r->unsupported, &r->atoms};

		for (size_t k = 0; k < sizeof(f) / sizeof(*f); k++)
			free(*f[k]);
		memset(r, 0, sizeof(*r));
	}
	nrec = nwarn = 0;
	fail_at = (size_t)-1;
}

static struct rec *next(char kind)
{
	struct rec *r = &recs[nrec++];

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	return r;
}

static enum dt_err on_ind(void *ctx, const struct intel_indicator *in)
{
	struct rec *r;
	char buf[8192];
	size_t o = 0;

	(void)ctx;
	if (nrec == fail_at)
		return DT_EIO;
	if (nrec == MAXREC)
		return DT_OK;
	r = next('i');
	r->record = in->record;
	r->id = dup(in->id);
	r->name = dup(in->name);
	r->desc = dup(in->description);
	r->pattern = dup(in->pattern);
	r->from = dup(in->valid_from);
	r->until = dup(in->valid_until);
	r->tlp = dup(in->tlp);
	r->labels = dup(in->labels);
	r->score = in->score;
	r->mode = in->mode;
	r->natoms = in->natoms;
	r->unsupported = in->unsupported ? strdup(in->unsupported) : NULL;
	buf[0] = '\0';
	for (size_t i = 0; i < in->natoms && o < sizeof(buf) - 300; i++) {
		const struct intel_atom *a = &in->atoms[i];

		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%u.%u %d %.*s=%.*s",
		                      i ? "; " : "", a->obs, a->conj, a->type, (int)a->path.len,
		                      a->path.p, (int)a->value.len, a->value.p);
	}
	r->atoms = strdup(buf);
	return DT_OK;
}

static enum dt_err on_obj(void *ctx, const struct intel_object *ob)
{
	struct rec *r;

	(void)ctx;
	if (nrec == fail_at)
		return DT_EIO;
	if (nrec == MAXREC)
		return DT_OK;
	r = next('o');
	r->record = ob->record;
	r->id = dup(ob->id);
	r->type = dup(ob->type);
	r->name = dup(ob->name);
	r->aliases = dup(ob->aliases);
	r->country = dup(ob->country);
	r->tlp = dup(ob->tlp);
	return DT_OK;
}

static enum dt_err on_rel(void *ctx, const struct intel_relation *rel)
{
	struct rec *r;

	(void)ctx;
	if (nrec == fail_at)
		return DT_EIO;
	if (nrec == MAXREC)
		return DT_OK;
	r = next('r');
	r->record = rel->record;
	r->id = dup(rel->id);
	r->type = dup(rel->type);
	r->src = dup(rel->src);
	r->dst = dup(rel->dst);
	return DT_OK;
}

static void on_warn(void *ctx, const struct dt_diag *d)
{
	(void)ctx;
	if (nwarn < sizeof(warns) / sizeof(*warns))
		warns[nwarn] = *d;
	nwarn++;
}

static const struct intel_sink sink = {on_ind, on_obj, on_rel, on_warn, NULL};
static struct intel_counts counts;
static struct dt_diag diag;

static enum dt_err run(const char *text)
{
	clear();
	memset(&counts, 0, sizeof(counts));
	return intel_parse_stix("t.json", text, strlen(text), &sink, &counts, &diag);
}

/* Reads a corpus file (NULL when absent). */
static char *slurp(const char *file, size_t *len)
{
	char path[1024];
	FILE *f;
	char *p;
	long n;

	snprintf(path, sizeof(path), "%s/stix/%s", th_corpus(), file);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	if (fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return NULL;
	}
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

static enum dt_err run_file(const char *file, char **text)
{
	size_t len;
	char *p = slurp(file, &len);

	clear();
	memset(&counts, 0, sizeof(counts));
	*text = p;
	if (p == NULL)
		return DT_ENOTFOUND;
	return intel_parse_stix(file, p, len, &sink, &counts, &diag);
}

static size_t count(char kind, const char *type)
{
	size_t n = 0;

	for (size_t i = 0; i < nrec; i++)
		n += recs[i].kind == kind && (type == NULL || strcmp(recs[i].type, type) == 0);
	return n;
}

static const struct rec *find(char kind, const char *field, const char *v)
{
	for (size_t i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];
		const char *f = strcmp(field, "name") == 0      ? r->name
		                : strcmp(field, "id") == 0      ? r->id
		                : strcmp(field, "pattern") == 0 ? r->pattern
		                                                : NULL;

		if (r->kind == kind && f && strcmp(f, v) == 0)
			return r;
	}
	return NULL;
}

/* The line where the object holding `needle` starts, in a pretty-printed
 * bundle: the last line before it that is only "{" at the indentation of
 * the bundle's first such line (nested objects are indented deeper). */
static unsigned long obj_line(const char *text, const char *needle)
{
	const char *at = strstr(text, needle), *first = strstr(text, "\n    {\n"), *start = NULL;
	size_t ind = 4;
	unsigned long l = 1;

	if (first == NULL) {
		first = strstr(text, "\n        {\n");
		ind = 8;
	}
	if (at == NULL || first == NULL)
		return 0;
	for (const char *p = text; p < at; p++)
		if (p[0] == '\n' && strspn(p + 1, " ") == ind && p[1 + ind] == '{' &&
		    p[2 + ind] == '\n')
			start = p + 1;
	for (const char *p = text; p < start; p++)
		l += *p == '\n';
	return l;
}

static void test_apt1(void)
{
	static const char *const nets[] = {"58.246.0.0/15", "223.166.0.0/15", "139.226.0.0/15",
	                                   "112.64.0.0/15"};
	char *text;
	enum dt_err err = run_file("apt1.json", &text);
	const struct rec *r, *ta;
	int found = 0;

	if (err == DT_ENOTFOUND)
		SKIP("no %s/stix/apt1.json", th_corpus());
	CHECKF(err == DT_OK, "%s", diag.msg);
	CHECKF(count('i', NULL) == 12, "%zu indicators", count('i', NULL));
	CHECKF(count('o', NULL) == 34, "%zu objects", count('o', NULL));
	CHECKF(count('r', NULL) == 30, "%zu relations", count('r', NULL));
	CHECK(counts.records == 76 && counts.rejected == 0 && counts.ignored == 0 && nwarn == 0);
	/* the four Shanghai netblocks, each one supported IPv4 atom */
	for (size_t k = 0; k < 4; k++) {
		char pat[80], want[80];

		snprintf(pat, sizeof(pat), "[ipv4-addr:value = '%s']", nets[k]);
		snprintf(want, sizeof(want), "0.0 %d ipv4-addr:value=%s", IT_IPV4, nets[k]);
		r = find('i', "pattern", pat);
		CHECKF(r && r->natoms == 1 && !r->unsupported && strcmp(r->atoms, want) == 0, "%s",
		       pat);
		if (r) {
			found++;
			CHECK(strcmp(r->labels, "malicious-activity") == 0);
			CHECK(r->score == -1 && r->tlp[0] == '\0' && r->mode == IM_ANY);
			CHECK(r->record == obj_line(text, pat));
		}
	}
	CHECK(found == 4);
	/* the certificate indicators compare issuer and serial: unsupported */
	CHECK(count('i', NULL) == 12);
	{
		int uns = 0;

		for (size_t i = 0; i < nrec; i++) {
			if (recs[i].kind != 'i' || !recs[i].unsupported)
				continue;
			uns++;
			CHECK(strstr(recs[i].unsupported, "x509-certificate:issuer") != NULL);
		}
		CHECKF(uns == 2, "%d unsupported", uns);
	}
	r = find('o', "name", "APT1");
	CHECK(r && strcmp(r->type, "intrusion-set") == 0 &&
	      strcmp(r->aliases, "Comment Crew,Comment Group,Shady Rat") == 0);
	/* APT1 attributed-to Unit 61398, indicators indicate threat actors */
	ta = find('o', "name", "Unit 61398");
	CHECK(ta && strcmp(ta->type, "threat-actor") == 0);
	if (r && ta) {
		int chain = 0;

		for (size_t i = 0; i < nrec; i++)
			chain +=
			    recs[i].kind == 'r' && strcmp(recs[i].type, "attributed-to") == 0 &&
			    strcmp(recs[i].src, r->id) == 0 && strcmp(recs[i].dst, ta->id) == 0;
		CHECK(chain == 1);
	}
	{
		int ind_ta = 0, ta_id = 0;

		for (size_t i = 0; i < nrec; i++) {
			const struct rec *x = &recs[i];

			if (x->kind != 'r')
				continue;
			ind_ta += strcmp(x->type, "indicates") == 0 &&
			          strncmp(x->src, "indicator--", 11) == 0 &&
			          strncmp(x->dst, "threat-actor--", 14) == 0;
			ta_id += strcmp(x->type, "attributed-to") == 0 &&
			         strncmp(x->src, "threat-actor--", 14) == 0 &&
			         strncmp(x->dst, "identity--", 10) == 0;
		}
		CHECK(ind_ta == 3 && ta_id == 4);
	}
	free(text);
}

static void test_pivy(void)
{
	char *text;
	enum dt_err err = run_file("fireeye-pivy-report-with-indicators.json", &text);
	size_t dangling = 0, dangling_ind = 0, ta_attr = 0, sup = 0;

	if (err == DT_ENOTFOUND)
		SKIP("no %s/stix/fireeye-pivy-report-with-indicators.json", th_corpus());
	CHECKF(err == DT_OK, "%s", diag.msg);
	CHECKF(count('i', NULL) == 1019, "%zu indicators", count('i', NULL));
	CHECKF(count('o', "campaign") == 7, "%zu campaigns", count('o', "campaign"));
	CHECKF(count('o', NULL) == 220, "%zu objects", count('o', NULL));
	CHECKF(count('r', NULL) == 3560, "%zu relations", count('r', NULL));
	CHECK(counts.records == 1019 + 220 + 3560 && counts.ignored == 1 && counts.rejected == 0);
	CHECK(nwarn == 0);
	for (size_t i = 0; i < nrec; i++) {
		const struct rec *r = &recs[i];

		if (r->kind == 'i')
			sup += r->unsupported == NULL;
		if (r->kind != 'r')
			continue;
		ta_attr += strcmp(r->type, "attributed-to") == 0 &&
		           strncmp(r->src, "campaign--", 10) == 0 &&
		           strncmp(r->dst, "threat-actor--", 14) == 0;
		if ((!find('o', "id", r->src) && !find('i', "id", r->src)) ||
		    (!find('o', "id", r->dst) && !find('i', "id", r->dst))) {
			dangling++;
			dangling_ind += strcmp(r->type, "indicates") == 0;
		}
	}
	CHECKF(ta_attr == 14, "%zu campaign attributed-to threat-actor", ta_attr);
	/* relationships to objects missing from the bundle are passed through */
	printf("# pivy: %zu relationships with a dangling end, %zu indicators supported\n",
	       dangling, sup);
	CHECKF(dangling == 94, "%zu dangling", dangling);
	CHECKF(dangling_ind == 84, "%zu dangling indicates", dangling_ind);
	CHECKF(sup == 700, "%zu supported", sup);
	{
		const struct rec *r = find('o', "name", "menupass");

		CHECK(r && strcmp(r->type, "campaign") == 0);
		/* record numbers are the line where the object starts */
		r = find('i', "id", "indicator--4272b570-476e-4e3b-9dd9-f36ebd0a6295");
		CHECK(r && r->record ==
		               obj_line(text, "indicator--4272b570-476e-4e3b-9dd9-f36ebd0a6295"));
		CHECK(r && strcmp(r->from, "2015-05-15T09:00:00.000000Z") == 0 &&
		      strcmp(r->labels, "malware-artifacts") == 0 &&
		      strcmp(r->name, "Sample: 026871ea3d6cbbeb90fea6bf2906cc12") == 0);
	}
	free(text);
}

static void test_mandiant(void)
{
	char *text;
	enum dt_err err = run_file("Mandiant_APT1_Report.json", &text);

	if (err == DT_ENOTFOUND)
		SKIP("no %s/stix/Mandiant_APT1_Report.json", th_corpus());
	CHECKF(err == DT_OK, "%s", diag.msg);
	CHECK(count('i', NULL) == 0);
	CHECKF(count('o', "threat-actor") == 12, "%zu", count('o', "threat-actor"));
	CHECKF(count('o', "identity") == 16, "%zu", count('o', "identity"));
	CHECKF(count('o', NULL) == 52, "%zu", count('o', NULL));
	/* five related-to relationships have no target_ref (invalid STIX):
	 * reported with their lines and rejected */
	CHECKF(count('r', NULL) == 40, "%zu", count('r', NULL));
	CHECK(counts.records == 97 && counts.ignored == 1 && counts.rejected == 5 && nwarn == 5);
	CHECK(nwarn > 0 &&
	      strstr(warns[0].msg, "relationship--ced55a7c-5aaa-4b0b-a69b-70e1637f70cb "
	                           "has no \"target_ref\"") &&
	      warns[0].line ==
	          obj_line(text, "relationship--ced55a7c-5aaa-4b0b-a69b-70e1637f70cb"));
	free(text);
}

static void test_poisonivy(void)
{
	char *text;
	enum dt_err err = run_file("poisonivy.json", &text);
	const struct rec *r;

	if (err == DT_ENOTFOUND)
		SKIP("no %s/stix/poisonivy.json", th_corpus());
	CHECKF(err == DT_OK, "%s", diag.msg);
	CHECK(count('i', NULL) == 25 && count('o', NULL) == 40 && count('r', NULL) == 90);
	CHECK(count('o', "vulnerability") == 6 && count('o', "campaign") == 3);
	CHECK(counts.records == 155 && counts.ignored == 0 && nwarn == 0);
	r = find('i', "pattern", "[ipv4-addr:value = '219.76.208.163']");
	CHECK(r && r->natoms == 1 && !r->unsupported);
	r = find('i', "pattern", "[file:name = 'CBricksDoc']");
	CHECK(r && r->natoms == 0 && r->unsupported &&
	      strcmp(r->unsupported, "comparison on file:name is not evaluated") == 0);
	free(text);
}

static void test_examples(void)
{
	static const struct {
		const char *file;
		size_t ind, obj, rel, ignored;
	} ex[] = {
	    {"indicator-for-c2-ip-address.json", 1, 0, 0, 0},
	    {"indicator-to-campaign-relationship.json", 1, 1, 1, 0},
	    {"indicators-for-C2-with-COA.json", 2, 3, 3, 0},
	    {"infrastructure.json", 0, 4, 4, 2},
	    {"malicious-email-indicator-with-attachment.json", 2, 2, 2, 0},
	    {"interop-objectmarking-test.json", 0, 1, 0, 0},
	};
	char *text;
	const struct rec *r;

	for (size_t k = 0; k < sizeof(ex) / sizeof(*ex); k++) {
		enum dt_err err = run_file(ex[k].file, &text);

		if (err == DT_ENOTFOUND)
			SKIP("no %s/stix/%s", th_corpus(), ex[k].file);
		CHECKF(err == DT_OK, "%s: %s", ex[k].file, diag.msg);
		CHECKF(count('i', NULL) == ex[k].ind && count('o', NULL) == ex[k].obj &&
		           count('r', NULL) == ex[k].rel && counts.ignored == ex[k].ignored &&
		           counts.rejected == 0 && nwarn == 0,
		       "%s: %zu %zu %zu %lu", ex[k].file, count('i', NULL), count('o', NULL),
		       count('r', NULL), (unsigned long)counts.ignored);
		if (k == 0) {
			r = &recs[0];
			CHECK(strcmp(r->name, "IP Address for known C2 channel") == 0 &&
			      strcmp(r->desc, "Test description C2 channel.") == 0 &&
			      strcmp(r->labels, "malicious-activity") == 0 && r->natoms == 1 &&
			      strcmp(r->id, "indicator--33fe3b22-0201-47cf-85d0-97c02164528d") ==
			          0);
		}
		if (k == 4) {
			int m = 0;

			for (size_t i = 0; i < nrec; i++)
				m += recs[i].kind == 'i' && recs[i].unsupported &&
				     strstr(recs[i].unsupported, "MATCHES") != NULL;
			CHECK(m == 2);
		}
		if (k == 5) {
			/* a lone campaign marked TLP 1.0 red (and an unknown marking) */
			r = &recs[0];
			CHECK(strcmp(r->type, "campaign") == 0 && strcmp(r->tlp, "RED") == 0 &&
			      strcmp(r->name, "Spear Phishing") == 0 && r->record == 1);
		}
		free(text);
	}
}

static void test_tlp(void)
{
	const char *b =
	    "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[\n"
	    "{\"type\":\"campaign\",\"id\":\"campaign--1\",\"name\":\"w\",\"object_marking_refs\":"
	    "[\"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9\"]},\n"
	    "{\"type\":\"campaign\",\"id\":\"campaign--2\",\"name\":\"g\",\"object_marking_refs\":"
	    "[\"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5a41da\"]},\n"
	    "{\"type\":\"campaign\",\"id\":\"campaign--3\",\"name\":\"a\",\"object_marking_refs\":"
	    "[\"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82\"]},\n"
	    "{\"type\":\"campaign\",\"id\":\"campaign--4\",\"name\":\"r\",\"object_marking_refs\":"
	    "[\"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed\"]},\n"
	    "{\"type\":\"campaign\",\"id\":\"campaign--5\",\"name\":\"C\",\"object_marking_refs\":"
	    "[\"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487\"]},\n"
	    "{\"type\":\"campaign\",\"id\":\"campaign--6\",\"name\":\"G\",\"object_marking_refs\":"
	    "[\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\"]},\n"
	    "{\"type\":\"campaign\",\"id\":\"campaign--7\",\"name\":\"A\",\"object_marking_refs\":"
	    "[\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]},\n"
	    "{\"type\":\"campaign\",\"id\":\"campaign--8\",\"name\":\"S\",\"object_marking_refs\":"
	    "[\"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003\"]},\n"
	    "{\"type\":\"campaign\",\"id\":\"campaign--9\",\"name\":\"R\",\"object_marking_refs\":"
	    "[\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\"]},\n"
	    /* the most restrictive of several; unknown and non-TLP ones ignored */
	    "{\"type\":\"campaign\",\"id\":\"campaign--10\",\"name\":\"max\",\"object_marking_"
	    "refs\":"
	    "[\"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5a41da\","
	    "\"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003\","
	    "\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\", 5, "
	    "\"marking-definition--nope\", \"marking-definition--stmt\"]},\n"
	    /* the bundle's own definitions, defined after their use */
	    "{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern\":\"[url:value = 'x']\","
	    "\"pattern_type\":\"stix\",\"object_marking_refs\":[\"marking-definition--own1\"]},\n"
	    "{\"type\":\"campaign\",\"id\":\"campaign--11\",\"name\":\"own2\",\"object_marking_"
	    "refs\":"
	    "[\"marking-definition--own2\"]},\n"
	    "{\"type\":\"marking-definition\",\"id\":\"marking-definition--own1\","
	    "\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"amber\"}},\n"
	    "{\"type\":\"marking-definition\",\"id\":\"marking-definition--own2\",\"name\":"
	    "\"TLP:AMBER+STRICT\",\"extensions\":{\"extension-definition--60a3c5c5-0d10-413e-aab3-"
	    "9e08dde9e88d\":{\"extension_type\":\"property-extension\",\"tlp_2_0\":"
	    "\"amber+strict\"}}},\n"
	    "{\"type\":\"marking-definition\",\"id\":\"marking-definition--stmt\","
	    "\"definition_type\":\"statement\",\"definition\":{\"statement\":\"(c)\"}}\n"
	    "]}\n";
	static const char *const want[] = {"CLEAR", "GREEN",        "AMBER", "RED",
	                                   "CLEAR", "GREEN",        "AMBER", "AMBER+STRICT",
	                                   "RED",   "AMBER+STRICT", "AMBER", "AMBER+STRICT"};

	CHECKF(run(b) == DT_OK, "%s", diag.msg);
	CHECK(nrec == 12 && counts.ignored == 3 && counts.records == 12);
	for (size_t i = 0; i < nrec && i < 12; i++) {
		CHECKF(strcmp(recs[i].tlp, want[i]) == 0, "%zu: %s, want %s", i, recs[i].tlp,
		       want[i]);
		CHECKF(recs[i].record == i + 2, "%zu: record %lu", i, recs[i].record);
	}
	CHECK(run("{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[{\"type\":\"campaign\","
	          "\"id\":\"campaign--1\"}]}") == DT_OK &&
	      nrec == 1 && recs[0].tlp[0] == '\0' && recs[0].name[0] == '\0');
}

static void test_fields(void)
{
	const char *b =
	    "{\n \"type\": \"bundle\",\n \"id\": \"bundle--1\",\n \"objects\": [\n"
	    "  {\"type\": \"indicator\", \"id\": \"indicator--a\", \"name\": \"caf\\u00e9\",\n"
	    "   \"description\": \"line\\none\", \"pattern\": \"[file:name = 'it\\\\'s'] OR "
	    "[url:value = 'it\\\\'s']\",\n"
	    "   \"pattern_type\": \"stix\", \"valid_from\": \"2020-01-01T00:00:00Z\", "
	    "\"valid_until\": \"2021-01-01T00:00:00Z\",\n"
	    "   \"indicator_types\": [\"malicious-activity\", \"anomalous-activity\"], \"labels\": "
	    "[\"apt\", 7], \"confidence\": 85},\n"
	    "  {\"type\": \"indicator\", \"id\": \"indicator--b\", \"pattern\": "
	    "\"alert tcp any any -> any any\", \"pattern_type\": \"snort\", \"confidence\": 101},\n"
	    "  {\"type\": \"indicator\", \"id\": \"indicator--c\", \"pattern\": "
	    "\"[url:value = 'x'\", \"confidence\": \"50\"},\n"
	    "  {\"type\": \"indicator\", \"id\": \"indicator--d\"},\n"
	    "  {\"type\": \"location\", \"id\": \"location--1\", \"country\": \"CN\", \"region\": "
	    "\"eastern-asia\"},\n"
	    "  {\"type\": \"threat-actor\", \"id\": \"threat-actor--1\", \"name\": \"X\", "
	    "\"aliases\": [\"a\", \"\", \"b\"]},\n"
	    "  {\"type\": \"relationship\", \"id\": \"relationship--1\", \"relationship_type\": "
	    "\"indicates\", \"source_ref\": \"indicator--a\", \"target_ref\": "
	    "\"threat-actor--9\"},\n"
	    "  {\"type\": \"relationship\", \"id\": \"relationship--2\", \"relationship_type\": "
	    "\"uses\", \"source_ref\": \"threat-actor--1\"},\n"
	    "  {\"type\": \"x-custom\", \"id\": \"x-custom--1\"},\n"
	    "  {\"type\": \"sighting\", \"id\": \"sighting--1\"},\n"
	    "  {\"type\": \"ipv4-addr\", \"id\": \"ipv4-addr--1\", \"value\": \"1.2.3.4\"},\n"
	    "  {\"id\": \"campaign--1\"},\n"
	    "  {\"type\": \"campaign\"},\n"
	    "  {\"type\": \"campaign\", \"id\": \"campaign1\"},\n"
	    "  [1, 2],\n"
	    "  {\"type\": \"campaign\", \"id\": \"campaign--2\", \"name\": 5}\n"
	    " ]\n}\n";
	const struct rec *r;

	CHECKF(run(b) == DT_OK, "%s", diag.msg);
	CHECKF(counts.records == 13 && counts.rejected == 5 && counts.ignored == 3, "%lu %lu %lu",
	       (unsigned long)counts.records, (unsigned long)counts.rejected,
	       (unsigned long)counts.ignored);
	r = find('i', "id", "indicator--a");
	CHECK(r && strcmp(r->name, "caf\xc3\xa9") == 0 && strcmp(r->desc, "line\none") == 0);
	CHECK(r && strcmp(r->from, "2020-01-01T00:00:00Z") == 0 &&
	      strcmp(r->until, "2021-01-01T00:00:00Z") == 0);
	CHECK(r && strcmp(r->labels, "malicious-activity,anomalous-activity,apt") == 0);
	CHECK(r && r->score == 85 && r->record == 5 && !r->unsupported && r->mode == IM_ANY);
	CHECKF(r && strcmp(r->atoms, "0.0 5 url:value=it's") == 0, "%s", r ? r->atoms : "");
	CHECK(r && strcmp(r->pattern, "[file:name = 'it\\'s'] OR [url:value = 'it\\'s']") == 0);
	r = find('i', "id", "indicator--b");
	CHECK(r && r->unsupported &&
	      strcmp(r->unsupported, "pattern_type 'snort' is not evaluated") == 0);
	CHECK(r && r->score == -1 && r->natoms == 0);
	/* a syntax error: reported with the object's line and the column, still handed over */
	r = find('i', "id", "indicator--c");
	CHECK(r && r->unsupported && strstr(r->unsupported, "column 17") &&
	      strstr(r->unsupported, "expected ']'") && r->score == -1 && r->record == 10);
	r = find('i', "id", "indicator--d");
	CHECK(r && r->unsupported && strstr(r->unsupported, "no pattern"));
	r = find('o', "id", "location--1");
	CHECK(r && strcmp(r->country, "CN") == 0 && strcmp(r->type, "location") == 0);
	r = find('o', "id", "threat-actor--1");
	CHECK(r && strcmp(r->aliases, "a,b") == 0 && strcmp(r->name, "X") == 0);
	r = find('r', "id", "relationship--1");
	CHECK(r && strcmp(r->type, "indicates") == 0 && strcmp(r->src, "indicator--a") == 0 &&
	      strcmp(r->dst, "threat-actor--9") == 0);
	r = find('o', "id", "campaign--2");
	CHECK(r && r->name[0] == '\0');
	/* the warnings, in order, with their lines */
	{
		static const struct {
			unsigned long line;
			const char *msg;
		} w[] = {
		    {10, "indicator--c: pattern column 17: expected ']'"},
		    {11, "indicator--d has no pattern"},
		    {15, "relationship relationship--2 has no \"target_ref\""},
		    {19, "object has no \"type\""},
		    {20, "campaign object has no valid \"id\""},
		    {21, "campaign object has no valid \"id\""},
		    {22, "not a JSON object"},
		};

		CHECKF(nwarn == 7, "%zu warnings", nwarn);
		for (size_t i = 0; i < nwarn && i < 7; i++)
			CHECKF(warns[i].line == w[i].line && strstr(warns[i].msg, w[i].msg) &&
			           strcmp(warns[i].file, "t.json") == 0,
			       "%zu: %s:%lu: %s", i, warns[i].file, warns[i].line, warns[i].msg);
	}
}

static void test_not_stix(void)
{
	CHECK(run("") == DT_EFORMAT && diag.msg[0]);
	CHECK(run("{\"type\": \"bundle\",\n \"objects\": [1,]}") == DT_EFORMAT && diag.line == 2 &&
	      strstr(diag.msg, "not JSON") && strcmp(diag.file, "t.json") == 0);
	CHECK(run("[{\"type\":\"campaign\",\"id\":\"campaign--1\"}]") == DT_EFORMAT);
	CHECK(run("{\"Event\": {\"info\": \"misp\"}}") == DT_EFORMAT &&
	      strstr(diag.msg, "not STIX"));
	CHECK(run("{\"type\": \"campaign\"}") == DT_EFORMAT);
	CHECK(run("{\"type\": \"bundle\", \"objects\": {}}") == DT_EFORMAT);
	CHECK(run("\"bundle\"") == DT_EFORMAT);
	CHECK(counts.records == 0 && nrec == 0);
	/* an empty bundle is a bundle */
	CHECK(run("{\"type\": \"bundle\", \"id\": \"bundle--1\"}") == DT_OK && nrec == 0);
	CHECK(run("{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": []}") == DT_OK);
	/* a lone indicator */
	CHECK(run("\n\n{\"type\": \"indicator\", \"id\": \"indicator--1\", \"pattern\": "
	          "\"[domain-name:value = 'evil.com']\"}") == DT_OK &&
	      nrec == 1 && recs[0].natoms == 1 && recs[0].record == 3 && counts.records == 1);
	/* a lone object of no interest */
	CHECK(run("{\"type\": \"ipv4-addr\", \"id\": \"ipv4-addr--1\"}") == DT_OK && nrec == 0 &&
	      counts.ignored == 1);
}

static void test_sink_fails(void)
{
	const char *b = "{\"type\":\"bundle\",\"objects\":[\n"
	                "{\"type\":\"campaign\",\"id\":\"campaign--1\"},\n"
	                "{\"type\":\"campaign\",\"id\":\"campaign--2\"},\n"
	                "{\"type\":\"campaign\",\"id\":\"campaign--3\"}]}";

	clear();
	fail_at = 1;
	memset(&counts, 0, sizeof(counts));
	CHECK(intel_parse_stix("t.json", b, strlen(b), &sink, &counts, &diag) == DT_EIO);
	CHECK(nrec == 1 && diag.line == 3);
	/* counts may be NULL */
	clear();
	CHECK(intel_parse_stix("t.json", b, strlen(b), &sink, NULL, &diag) == DT_OK && nrec == 3);
}

static void test_speed(void)
{
	size_t len, runs = 0;
	char *text = slurp("fireeye-pivy-report-with-indicators.json", &len);
	struct intel_sink quiet = {NULL, NULL, NULL, NULL, NULL};
	struct timespec a, b;
	double s;

	if (text == NULL)
		SKIP("no %s/stix/fireeye-pivy-report-with-indicators.json", th_corpus());
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		CHECK(intel_parse_stix("p", text, len, &quiet, NULL, &diag) == DT_OK);
		runs++;
		clock_gettime(CLOCK_MONOTONIC, &b);
		s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	} while (s < 1.0);
	printf("# stix speed: %zu x %.1f MB in %.2f s: %.0f MB/s\n", runs, (double)len / 1e6, s,
	       (double)(runs * len) / s / 1e6);
	free(text);
}

int main(void)
{
	RUN(test_apt1);
	RUN(test_pivy);
	RUN(test_mandiant);
	RUN(test_poisonivy);
	RUN(test_examples);
	RUN(test_tlp);
	RUN(test_fields);
	RUN(test_not_stix);
	RUN(test_sink_fails);
	RUN(test_speed);
	clear();
	DONE();
}
