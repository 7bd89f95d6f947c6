/*
 * test_intel_formats.c — the non-STIX intel importers (intel/intel.h):
 * Zeek Intel files, Suricata iprep lists and categories, MISP warning
 * lists, MISP events, galaxies and feed manifests, and format detection.
 *
 * The real files of ../shared/corpus (intel/, misp/) are parsed with
 * exact counts (counted independently with grep/python when these tests
 * were written, see the comments) and spot values; hand-written fixtures
 * in tests/data/intel/ cover every mapping and every bad record, whose
 * rejects must name file:line.  Detection is checked on every corpus
 * intel, MISP and STIX file, whole and cut to 4 KB.  The speed test
 * prints lines/s on corpus files repeated in memory.
 */
#include "testhelp.h"

#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "intel/intel.h"

#define FIX "tests/data/intel/"

struct gind {
	unsigned long record;
	enum ind_type type, type2;
	char *value, *value2, *path, *id, *name, *desc, *tlp, *labels, *unsupported;
	int score, natoms, conj2;
	bool benign;
};

struct gobj {
	unsigned long record;
	char *id, *type, *name, *aliases, *country, *tlp;
};

struct grel {
	char *id, *type, *src, *dst;
};

struct run {
	struct gind *ind;
	size_t nind, cap;
	struct gobj obj[2048];
	size_t nobj;
	struct grel rel[256];
	size_t nrel;
	struct dt_diag warn[32];
	size_t nwarn;
	struct intel_counts c;
	struct dt_diag diag;
	enum dt_err err;
	size_t fail_at; /* the sink fails at this indicator (0: never) */
};

static char *sdup(struct dt_str s)
{
	char *p = malloc(s.len + 1);

	if (p == NULL)
		abort();
	memcpy(p, s.p ? s.p : "", s.len);
	p[s.len] = '\0';
	return p;
}

static enum dt_err on_ind(void *ctx, const struct intel_indicator *in)
{
	struct run *r = ctx;
	struct gind *g;

	if (r->fail_at && r->nind + 1 == r->fail_at)
		return DT_EIO;
	if (r->nind == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->ind = realloc(r->ind, r->cap * sizeof(*r->ind));
		if (r->ind == NULL)
			abort();
	}
	g = &r->ind[r->nind++];
	memset(g, 0, sizeof(*g));
	g->record = (unsigned long)in->record;
	g->natoms = (int)in->natoms;
	g->type = in->natoms ? in->atoms[0].type : IT_NONE;
	g->value = sdup(in->natoms ? in->atoms[0].value : (struct dt_str){"", 0});
	g->path = sdup(in->natoms ? in->atoms[0].path : (struct dt_str){"", 0});
	if (in->natoms > 1) {
		g->type2 = in->atoms[1].type;
		g->value2 = sdup(in->atoms[1].value);
		g->conj2 = in->atoms[1].conj;
	}
	g->id = sdup(in->id);
	g->name = sdup(in->name);
	g->desc = sdup(in->description);
	g->tlp = sdup(in->tlp);
	g->labels = sdup(in->labels);
	g->unsupported = in->unsupported ? strdup(in->unsupported) : NULL;
	g->score = in->score;
	g->benign = in->benign;
	return DT_OK;
}

static enum dt_err on_obj(void *ctx, const struct intel_object *o)
{
	struct run *r = ctx;
	struct gobj *g;

	if (r->nobj == sizeof(r->obj) / sizeof(*r->obj))
		return DT_OK;
	g = &r->obj[r->nobj++];
	g->record = (unsigned long)o->record;
	g->id = sdup(o->id);
	g->type = sdup(o->type);
	g->name = sdup(o->name);
	g->aliases = sdup(o->aliases);
	g->country = sdup(o->country);
	g->tlp = sdup(o->tlp);
	return DT_OK;
}

static enum dt_err on_rel(void *ctx, const struct intel_relation *rl)
{
	struct run *r = ctx;
	struct grel *g;

	if (r->nrel == sizeof(r->rel) / sizeof(*r->rel))
		return DT_OK;
	g = &r->rel[r->nrel++];
	g->id = sdup(rl->id);
	g->type = sdup(rl->type);
	g->src = sdup(rl->src);
	g->dst = sdup(rl->dst);
	return DT_OK;
}

static void on_warn(void *ctx, const struct dt_diag *d)
{
	struct run *r = ctx;

	if (r->nwarn < sizeof(r->warn) / sizeof(*r->warn))
		r->warn[r->nwarn] = *d;
	r->nwarn++;
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->nind; i++) {
		struct gind *g = &r->ind[i];

		free(g->value), free(g->value2), free(g->path), free(g->id), free(g->name);
		free(g->desc), free(g->tlp), free(g->labels), free(g->unsupported);
	}
	free(r->ind);
	for (size_t i = 0; i < r->nobj; i++) {
		struct gobj *g = &r->obj[i];

		free(g->id), free(g->type), free(g->name), free(g->aliases), free(g->country);
		free(g->tlp);
	}
	for (size_t i = 0; i < r->nrel; i++)
		free(r->rel[i].id), free(r->rel[i].type), free(r->rel[i].src), free(r->rel[i].dst);
	free(r);
}

static struct run *run_new(void)
{
	struct run *r = calloc(1, sizeof(*r));

	if (r == NULL)
		abort();
	return r;
}

static struct intel_sink sink_of(struct run *r)
{
	return (struct intel_sink){on_ind, on_obj, on_rel, on_warn, r};
}

/* The whole file, NUL-terminated; NULL when absent. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n)
		abort();
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* Parses path with fn; NULL when the file is absent. */
static struct run *parse_file(intel_parse_fn *fn, const char *path, const char *name)
{
	size_t len;
	char *data = slurp(path, &len);
	struct run *r;
	struct intel_sink k;

	if (data == NULL)
		return NULL;
	r = run_new();
	k = sink_of(r);
	dt_diag_clear(&r->diag);
	r->err = fn(name, data, len, &k, &r->c, &r->diag);
	free(data);
	return r;
}

static struct run *parse_text(intel_parse_fn *fn, const char *text)
{
	struct run *r = run_new();
	struct intel_sink k = sink_of(r);

	dt_diag_clear(&r->diag);
	r->err = fn("t", text, strlen(text), &k, &r->c, &r->diag);
	return r;
}

static const struct gind *find(const struct run *r, const char *value)
{
	for (size_t i = 0; i < r->nind; i++)
		if (strcmp(r->ind[i].value, value) == 0)
			return &r->ind[i];
	return NULL;
}

static const struct gobj *find_obj(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->nobj; i++)
		if (strcmp(r->obj[i].name, name) == 0)
			return &r->obj[i];
	return NULL;
}

/* Whether warning i is "file:line: ..." containing what. */
static bool warned(const struct run *r, size_t i, const char *file, unsigned long line,
                   const char *what)
{
	return i < r->nwarn && i < 32 && strcmp(r->warn[i].file, file) == 0 &&
	       r->warn[i].line == line && strstr(r->warn[i].msg, what) != NULL;
}

static const char *corpus(const char *rel, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", th_corpus(), rel);
	return buf;
}

/* ---- Zeek Intel ------------------------------------------------------ */

static void test_zeek_corpus(void)
{
	char p[512];
	struct run *r = parse_file(intel_parse_zeek, corpus("intel/apt1-fqdn.dat", p, sizeof(p)),
	                           "apt1-fqdn.dat");
	const struct gind *g;
	size_t descs = 0;

	if (r == NULL)
		SKIP("%s is absent", p);
	/* grep -vc '^#' apt1-fqdn.dat = 2046 */
	CHECK(r->err == DT_OK);
	CHECKF(r->nind == 2046, "%zu", r->nind);
	CHECK(r->c.rejected == 0 && r->nwarn == 0);
	CHECK(r->c.records == 2046 && r->c.ignored == 3);
	CHECK(strcmp(r->ind[0].value, "advanbusiness.com") == 0 && r->ind[0].record == 4);
	CHECK(r->ind[0].type == IT_DOMAIN && strcmp(r->ind[0].path, "Intel::DOMAIN") == 0);
	CHECK(strcmp(r->ind[0].labels, "Mandiant APT1 Report") == 0);
	CHECK(r->ind[0].name[0] == '\0' && r->ind[0].desc[0] == '\0' && r->ind[0].score == -1);
	CHECK(r->ind[0].unsupported == NULL && !r->ind[0].benign && r->ind[0].natoms == 1);
	g = &r->ind[2045];
	CHECK(strcmp(g->value, "ztl.firefoxupdata.com") == 0 && g->record == 2049);
	for (size_t i = 0; i < r->nind; i++)
		CHECK(r->ind[i].type == IT_DOMAIN);
	run_free(r);

	r = parse_file(intel_parse_zeek, corpus("intel/apt1-md5.dat", p, sizeof(p)),
	               "apt1-md5.dat");
	CHECK(r && r->err == DT_OK && r->nind == 1007 && r->c.rejected == 0);
	if (r) {
		for (size_t i = 0; i < r->nind; i++)
			CHECK(r->ind[i].type == IT_MD5 && strlen(r->ind[i].value) == 32);
		CHECK((g = find(r, "ffcc7271e951055f12b61f520ce1e4c7")) && g->record == 1012);
		CHECK(g && strcmp(g->labels, "Mandiant Apt1 Report") == 0);
		CHECK(find(r, "4285358dd748ef74cb8161108e11cb73") == NULL); /* commented out */
		run_free(r);
	}

	/* 25 certificate hashes (13 distinct certificate names in meta.desc) */
	r = parse_file(intel_parse_zeek, corpus("intel/apt1-certs.dat", p, sizeof(p)),
	               "apt1-certs.dat");
	CHECK(r && r->err == DT_OK && r->nind == 25 && r->c.rejected == 0);
	if (r) {
		for (size_t i = 0; i < r->nind; i++) {
			CHECK(r->ind[i].type == IT_CERT_SHA1);
			descs += i == 0 || strcmp(r->ind[i].desc, r->ind[i - 1].desc) != 0;
		}
		CHECK(descs == 13);
		g = find(r, "b054e26ef827fbbf5829f84a9bdbb697a5b042fc");
		CHECK(g && g->record == 2 && strcmp(g->desc, "ALPHA") == 0);
		CHECK(g && strcmp(g->path, "Intel::CERT_HASH") == 0);
		g = find(r, "b3db37a0edde97b3c3c15da5f2d81d27af82f583");
		CHECK(g && strcmp(g->desc, "SERVER (PEM)") == 0);
		run_free(r);
	}
}

static void test_zeek_fixture(void)
{
	struct run *r = parse_file(intel_parse_zeek, FIX "zeek-mixed.dat", "zeek-mixed.dat");
	const struct gind *g;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK(r->err == DT_OK);
	CHECKF(r->nind == 11, "%zu", r->nind);
	CHECKF(r->c.rejected == 4 && r->nwarn == 4, "%zu", r->nwarn);
	CHECK(warned(r, 0, "zeek-mixed.dat", 10, "FILE_HASH"));
	CHECK(warned(r, 1, "zeek-mixed.dat", 14, "unset"));
	CHECK(warned(r, 2, "zeek-mixed.dat", 15, "too few fields"));
	CHECK(warned(r, 3, "zeek-mixed.dat", 16, "Bogus::ADDR"));
	CHECK((g = find(r, "192.0.2.10")) && g->type == IT_IP && g->record == 3);
	CHECK(g && strcmp(g->desc, "a documentation address") == 0);
	CHECK(g && strcmp(g->labels, "test feed") == 0);
	CHECK((g = find(r, "2001:db8::/32")) && g->type == IT_IP && g->desc[0] == '\0');
	CHECK((g = find(r, "Evil.Example.COM")) && g->type == IT_DOMAIN); /* raw */
	CHECK((g = find(r, "example.net/download/a.exe")) && g->type == IT_URL);
	CHECK((g = find(r, "d41d8cd98f00b204e9800998ecf8427e")) && g->type == IT_MD5);
	CHECK(g && strcmp(g->desc, "empty file MD5") == 0);
	CHECK((g = find(r, "da39a3ee5e6b4b0d3255bfef95601890afd80709")) && g->type == IT_SHA1);
	CHECK((g = find(r, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")) &&
	      g->type == IT_SHA256);
	CHECK((g = find(r, "0123456789abcdef0123456789abcdef01234567")) && g->type == IT_CERT_SHA1);
	CHECK((g = find(r, "mallory@example.org")) && g->type == IT_EMAIL);
	CHECK((g = find(r, "mallory")) && g->type == IT_OTHER && g->unsupported &&
	      strcmp(g->unsupported, "Intel::USER_NAME is not matched against events") == 0);
	CHECK((g = find(r, "tab\tinside")) && g->type == IT_OTHER && g->record == 17);
	CHECK(g && strcmp(g->labels, "feed, two") == 0 && g->unsupported != NULL);
	run_free(r);
}

static void test_zeek_shapes(void)
{
	struct run *r;

	/* another separator, #unset_field, and columns in another order */
	r = parse_text(intel_parse_zeek, "#separator |\n#unset_field|NONE\n"
	                                 "#fields|meta.source|indicator_type|indicator\n"
	                                 "NONE|Intel::ADDR|192.0.2.1\r\n"
	                                 "src|Intel::JA3|e7d705a3286e19ea42f587b344ee6865\n"
	                                 "src|Intel::HASSH|abc\n");
	CHECK(r->err == DT_OK && r->nind == 3 && r->nwarn == 0);
	if (r->nind == 3) {
		CHECK(strcmp(r->ind[0].value, "192.0.2.1") == 0 && r->ind[0].labels[0] == '\0');
		CHECK(r->ind[1].type == IT_JA3 && strcmp(r->ind[1].labels, "src") == 0);
		CHECK(r->ind[2].type == IT_OTHER && r->ind[2].unsupported != NULL);
	}
	run_free(r);

	/* not Zeek Intel: refused whole, nothing sent */
	r = parse_text(intel_parse_zeek, "192.0.2.1,1,100\n");
	CHECK(r->err == DT_EFORMAT && r->nind == 0 && r->diag.line == 1);
	CHECK(strstr(r->diag.msg, "#fields") != NULL);
	run_free(r);
	r = parse_text(intel_parse_zeek,
	               "#separator \\x09\n#fields\tts\tuid\tid.orig_h\n1\t2\t3\n");
	CHECK(r->err == DT_EFORMAT && r->nind == 0 && r->diag.line == 2);
	run_free(r);
	r = parse_text(intel_parse_zeek, "");
	CHECK(r->err == DT_OK && r->nind == 0);
	run_free(r);

	/* a bad #fields after data: it and its lines are rejected, then a
	 * good one again */
	r = parse_text(intel_parse_zeek, "#fields\tindicator\tindicator_type\n"
	                                 "192.0.2.1\tIntel::ADDR\n"
	                                 "#fields\tfoo\tbar\n"
	                                 "x\ty\n"
	                                 "#fields\tindicator_type\tindicator\n"
	                                 "Intel::DOMAIN\texample.com\n");
	CHECK(r->err == DT_OK && r->nind == 2 && r->nwarn == 2);
	CHECK(warned(r, 0, "t", 3, "#fields") && warned(r, 1, "t", 4, "#fields"));
	CHECK(r->nind == 2 && strcmp(r->ind[1].value, "example.com") == 0);
	run_free(r);
}

/* ---- iprep ------------------------------------------------------------ */

static struct run *parse_iprep(const char *list, const char *lname, const char *cats,
                               const char *cname)
{
	size_t ll = 0, cl = 0;
	char *l = slurp(list, &ll), *c = cats ? slurp(cats, &cl) : NULL;
	struct run *r;
	struct intel_sink k;

	if (l == NULL || (cats && c == NULL)) {
		free(l);
		free(c);
		return NULL;
	}
	r = run_new();
	k = sink_of(r);
	dt_diag_clear(&r->diag);
	r->err = intel_parse_iprep_cats(lname, l, ll, cname, c, cl, &k, &r->c, &r->diag);
	free(l);
	free(c);
	return r;
}

static void test_iprep_corpus(void)
{
	char p[512], q[512];
	struct run *r =
	    parse_iprep(corpus("intel/scirius-iprep.list", p, sizeof(p)), "iprep.list",
	                corpus("intel/scirius-categories.txt", q, sizeof(q)), "categories.txt");
	const struct gind *g;
	size_t cat6 = 0, v6 = 0, cidr = 0;

	if (r == NULL)
		SKIP("%s or %s is absent", p, q);
	/* wc -l = 27534 lines, the first a comment */
	CHECK(r->err == DT_OK);
	CHECKF(r->nind == 27533, "%zu", r->nind);
	CHECK(r->c.rejected == 0 && r->nwarn == 0 && r->c.ignored == 1);
	g = &r->ind[0];
	CHECK(strcmp(g->value, "4.4.4.4") == 0 && g->record == 2 && g->score == 100);
	CHECK(strcmp(g->labels, "2402000") == 0 && strcmp(g->name, "iprep 2402000") == 0);
	CHECK(g->type == IT_IP && strcmp(g->path, "iprep") == 0);
	g = &r->ind[1];
	CHECK(strcmp(g->value, "104.244.72.152") == 0 && strcmp(g->labels, "2520000") == 0);
	g = &r->ind[27532];
	CHECK(strcmp(g->value, "192.168.2.0/16") == 0 && g->record == 27534);
	for (size_t i = 0; i < r->nind; i++) {
		cat6 += strcmp(r->ind[i].labels, "2500000") == 0; /* category 6 */
		v6 += strchr(r->ind[i].value, ':') != NULL;
		cidr += strchr(r->ind[i].value, '/') != NULL;
	}
	/* awk -F, '{print $2}' | sort | uniq -c: 10440 rows of category 6;
	 * grep -c / = 798 CIDRs */
	CHECKF(cat6 == 10440, "%zu", cat6);
	CHECKF(cidr == 798, "%zu", cidr);
	CHECK(v6 > 0);
	CHECK(find(r, "2a01:04f8:0120:4023:0000:0000:0000:0110") != NULL);
	run_free(r);

	/* without the categories file: the number is the label */
	r = parse_iprep(p, "iprep.list", NULL, NULL);
	CHECK(r && r->err == DT_OK && r->nind == 27533 && r->c.rejected == 0);
	if (r) {
		CHECK(strcmp(r->ind[1].labels, "1") == 0 && strcmp(r->ind[1].name, "iprep 1") == 0);
		run_free(r);
	}
}

static void test_iprep_fixture(void)
{
	struct run *r = parse_iprep(FIX "iprep-bad.list", "iprep-bad.list", FIX "iprep-cats.txt",
	                            "iprep-cats.txt");
	const struct gind *g;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK(r->err == DT_OK);
	CHECKF(r->nind == 4, "%zu", r->nind);
	CHECKF(r->nwarn == 10 && r->c.rejected == 10, "%zu", r->nwarn);
	/* the categories file first */
	CHECK(warned(r, 0, "iprep-cats.txt", 5, "not 1..60"));
	CHECK(warned(r, 1, "iprep-cats.txt", 6, "defined twice"));
	CHECK(warned(r, 2, "iprep-cats.txt", 7, "short name"));
	CHECK(warned(r, 3, "iprep-bad.list", 6, "not in the categories file"));
	CHECK(warned(r, 4, "iprep-bad.list", 7, "score '128'"));
	CHECK(warned(r, 5, "iprep-bad.list", 8, "category '0'"));
	CHECK(warned(r, 6, "iprep-bad.list", 9, "192.0.2.300"));
	CHECK(warned(r, 7, "iprep-bad.list", 10, "not 'ip,category,score'"));
	CHECK(warned(r, 8, "iprep-bad.list", 11, "not-an-address"));
	CHECK(warned(r, 9, "iprep-bad.list", 12, "score 'x'"));
	CHECK((g = find(r, "192.0.2.1")) && strcmp(g->labels, "BadHosts") == 0 && g->score == 100);
	CHECK((g = find(r, "198.51.100.0/24")) && strcmp(g->labels, "Google") == 0);
	CHECK(g && strcmp(g->name, "iprep Google") == 0 && g->score == 50);
	CHECK((g = find(r, "2001:db8::1")) && strcmp(g->labels, "CnC") == 0 && g->score == 127);
	CHECK((g = find(r, "2001:db8:1::/48")) && g->score == 0 && g->record == 5);
	run_free(r);

	/* without categories, category 9 is fine */
	r = parse_iprep(FIX "iprep-bad.list", "iprep-bad.list", NULL, NULL);
	CHECK(r && r->nind == 5 && r->nwarn == 6);
	if (r) {
		CHECK((g = find(r, "192.0.2.2")) && strcmp(g->labels, "9") == 0);
		run_free(r);
	}

	/* not iprep: refused whole */
	r = parse_text(intel_parse_iprep, "#fields\tindicator\tindicator_type\nx\tIntel::ADDR\n");
	CHECK(r->err == DT_EFORMAT && r->nind == 0 && r->diag.line == 2);
	run_free(r);
	r = parse_iprep(FIX "iprep-bad.list", "l", FIX "zeek-mixed.dat", "c");
	CHECK(r && r->err == DT_EFORMAT && r->nind == 0 && strcmp(r->diag.file, "c") == 0);
	if (r)
		run_free(r);
}

static void test_iprep_categories(void)
{
	char p[512];
	size_t n;
	char *d = slurp(corpus("intel/scirius-categories.txt", p, sizeof(p)), &n);

	if (d == NULL)
		SKIP("%s is absent", p);
	CHECK(intel_is_iprep_categories(d, n));
	free(d);
	d = slurp(FIX "iprep-cats.txt", &n);
	CHECK(d && intel_is_iprep_categories(d, n));
	free(d);
	d = slurp(FIX "iprep-bad.list", &n);
	CHECK(d && !intel_is_iprep_categories(d, n));
	free(d);
	CHECK(!intel_is_iprep_categories("", 0));
	CHECK(!intel_is_iprep_categories("#only a comment\n", 16));
}

/* ---- warning lists ---------------------------------------------------- */

static void test_warninglists_corpus(void)
{
	static const struct {
		const char *file;
		size_t n; /* python3: len(json.load(f)["list"]) */
		enum ind_type type;
		const char *value;
	} known[] = {
	    {"rfc1918.json", 3, IT_IP, "172.16.0.0/12"},
	    {"ipv6-linklocal.json", 1, IT_IP, "FE80::/10"},
	    {"rfc6761.json", 21, IT_DOMAIN, "168.192.in-addr.arpa"},
	    {"dynamic-dns.json", 35467, IT_DOMAIN, "0000004.xyz"},
	    {"tranco10k.json", 10000, IT_DOMAIN, "10jqka.com.cn"},
	    {"public-dns-v4.json", 62745, IT_IP, NULL},
	    {"amazon-aws.json", 3847, IT_IP, NULL},
	    {"multicast.json", 16, IT_IP, "224.0.0.0/8"},
	};
	char dir[512], path[1024];
	DIR *dh = opendir(corpus("misp/warninglists", dir, sizeof(dir)));
	struct dirent *e;
	size_t files = 0, checked = 0;

	if (dh == NULL)
		SKIP("%s is absent", dir);
	while ((e = readdir(dh)) != NULL) {
		size_t nl = strlen(e->d_name);
		struct run *r;

		if (nl < 6 || strcmp(e->d_name + nl - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		r = parse_file(intel_parse_warninglist, path, e->d_name);
		files++;
		CHECKF(r && r->err == DT_OK && r->c.rejected == 0 && r->nwarn == 0, "%s: %s",
		       e->d_name, r ? r->diag.msg : "");
		if (r == NULL)
			continue;
		CHECKF(r->nind > 0 && r->c.records == r->nind, "%s", e->d_name);
		for (size_t i = 0; i < r->nind; i++) {
			CHECK(r->ind[i].benign && r->ind[i].unsupported == NULL);
			CHECK(strcmp(r->ind[i].labels, r->ind[i].name) == 0 && r->ind[i].name[0]);
			CHECK(r->ind[i].type == IT_IP || r->ind[i].type == IT_DOMAIN);
			CHECK(r->ind[i].value[0] != '.' && r->ind[i].value[0] != '\0');
		}
		for (size_t k = 0; k < sizeof(known) / sizeof(*known); k++) {
			if (strcmp(known[k].file, e->d_name) != 0)
				continue;
			checked++;
			CHECKF(r->nind == known[k].n, "%s: %zu", e->d_name, r->nind);
			CHECKF(r->ind[0].type == known[k].type, "%s", e->d_name);
			CHECKF(known[k].value == NULL || find(r, known[k].value), "%s: %s",
			       e->d_name, known[k].value);
		}
		if (strcmp(e->d_name, "rfc1918.json") == 0) {
			CHECK(strcmp(r->ind[0].name, "List of RFC 1918 CIDR blocks") == 0);
			CHECK(strcmp(r->ind[0].path, "cidr") == 0);
			CHECK(r->ind[0].record > 1);
		}
		run_free(r);
	}
	closedir(dh);
	CHECKF(files == 18 && checked == sizeof(known) / sizeof(*known), "%zu files", files);
}

static void test_warninglist_fixtures(void)
{
	struct run *r = parse_file(intel_parse_warninglist, FIX "warninglist-bad.json", "wl.json");
	const struct gind *g;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK(r->err == DT_OK && r->nind == 3 && r->nwarn == 2 && r->c.rejected == 2);
	CHECK(warned(r, 0, "wl.json", 6, "192.0.2.999"));
	CHECK(warned(r, 1, "wl.json", 7, "not a non-empty string"));
	CHECK((g = find(r, "2001:DB8::/32")) && g->record == 5 && g->benign && g->type == IT_IP);
	CHECK(g && strcmp(g->name, "Test documentation ranges") == 0);
	run_free(r);

	r = parse_file(intel_parse_warninglist, FIX "warninglist-string.json", "s.json");
	CHECK(r && r->err == DT_OK && r->nind == 4 && r->nwarn == 1);
	if (r) {
		CHECK(warned(r, 0, "s.json", 8, "not a non-empty string"));
		CHECK((g = find(r, "example.com")) && g->type == IT_DOMAIN && !g->unsupported);
		CHECK((g = find(r, "localhost")) && g->type == IT_DOMAIN);
		CHECK((g = find(r, "203.0.113.0/24")) && g->type == IT_IP);
		CHECK((g = find(r, "not a domain!")) && g->type == IT_OTHER && g->unsupported);
		run_free(r);
	}
	r = parse_file(intel_parse_warninglist, FIX "warninglist-regex.json", "x.json");
	CHECK(r && r->err == DT_OK && r->nind == 2);
	if (r) {
		CHECK(r->ind[0].type == IT_OTHER && r->ind[0].unsupported &&
		      strcmp(r->ind[0].unsupported,
		             "warning list of type 'regex' is not evaluated") == 0);
		CHECK(strcmp(r->ind[0].value, "^.*\\.example\\.$") == 0); /* escapes decoded */
		run_free(r);
	}
	r = parse_file(intel_parse_warninglist, FIX "warninglist-hostname.json", "h.json");
	CHECK(r && r->err == DT_OK && r->nind == 2);
	if (r) {
		CHECK(strcmp(r->ind[0].value, "dyn.example") == 0 && r->ind[0].type == IT_DOMAIN);
		CHECK(strcmp(r->ind[1].value, "host.example") == 0);
		run_free(r);
	}
	r = parse_text(intel_parse_warninglist, "{\"list\": [], \"type\": \"glob\"}");
	CHECK(r->err == DT_EFORMAT && strstr(r->diag.msg, "glob"));
	run_free(r);
	r = parse_text(intel_parse_warninglist, "{\"Event\": {}}");
	CHECK(r->err == DT_EFORMAT && r->nind == 0);
	run_free(r);
	r = parse_text(intel_parse_warninglist, "192.0.2.1,1,1\n");
	CHECK(r->err == DT_EFORMAT && r->nind == 0);
	run_free(r);
}

/* ---- MISP ------------------------------------------------------------- */

#define APT1_ID "x-misp-galaxy-cluster--1cb7e1cc-d695-42b1-92f4-fd0112a3c9be"

static bool has_rel(const struct run *r, const char *src, const char *dst)
{
	for (size_t i = 0; i < r->nrel; i++)
		if (strcmp(r->rel[i].src, src) == 0 && strcmp(r->rel[i].dst, dst) == 0 &&
		    strcmp(r->rel[i].type, "indicates") == 0 &&
		    strncmp(r->rel[i].id, "relationship--", 14) == 0)
			return true;
	return false;
}

static void test_misp_event(void)
{
	struct run *r = parse_file(intel_parse_misp, FIX "misp-event.json", "misp-event.json");
	const struct gind *g;
	const struct gobj *o;
	const char *ev_labels = "tlp:amber,misp-galaxy:threat-actor=\"APT1\"";

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECKF(r->err == DT_OK, "%s", r->diag.msg);
	/* 14 attributes: one deleted, one without value; 2 in the object */
	CHECKF(r->nind == 14, "%zu", r->nind);
	CHECK(r->nwarn == 1 && r->c.rejected == 1);
	CHECK(warned(r, 0, "misp-event.json", 48, "no value"));
	CHECK(find(r, "192.0.2.99") == NULL); /* deleted */

	CHECK((g = find(r, "192.0.2.10")) && g->type == IT_IP && g->record == 14);
	CHECK(g && strcmp(g->id, "a0000001-0000-4000-8000-000000000001") == 0);
	CHECK(g && strcmp(g->name, "Test campaign against example.org") == 0);
	CHECK(g && strcmp(g->desc, "C2 server") == 0 && strcmp(g->tlp, "AMBER") == 0);
	CHECK(g && strcmp(g->labels, ev_labels) == 0 && strcmp(g->path, "ip-dst") == 0);
	CHECK((g = find(r, "2001:db8::5")) && g->type == IT_IP);
	CHECK(g && strcmp(g->path, "ip-src|port") == 0);
	CHECK((g = find(r, "c2.example.com")) && g->type == IT_DOMAIN);
	CHECK((g = find(r, "www.example.net")) && g->type == IT_DOMAIN && g->natoms == 2);
	CHECK(g && g->type2 == IT_IP && g->value2 && strcmp(g->value2, "198.51.100.7") == 0);
	CHECK(g && g->conj2 == 1);
	CHECK((g = find(r, "http://c2.example.com/gate.php?id=1")) && g->type == IT_URL);
	CHECK((g = find(r, "D41D8CD98F00B204E9800998ECF8427E")) && g->type == IT_MD5);
	CHECK(g && strcmp(g->desc, "seen in a sandbox only") == 0);
	CHECKF(g && strstr(g->labels, ",to_ids:false") != NULL, "%s", g ? g->labels : "");
	CHECK((g = find(r, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")) &&
	      g->type == IT_SHA256 && g->natoms == 1);
	CHECK((g = find(r, "0123456789abcdef0123456789abcdef01234567")) && g->type == IT_CERT_SHA1);
	CHECK((g = find(r, "e7d705a3286e19ea42f587b344ee6865")) && g->type == IT_JA3);
	CHECK(g && strcmp(g->tlp, "RED") == 0); /* the attribute's tag wins */
	CHECKF(g && strcmp(g->labels, "tlp:red,source:honeypot,tlp:amber,misp-galaxy:threat-actor="
	                              "\"APT1\"") == 0,
	       "%s", g ? g->labels : "");
	CHECK((g = find(r, "mallory@example.org")) && g->type == IT_EMAIL);
	CHECK((g = find(r, "Global\\TestMutex")) && g->type == IT_OTHER && g->unsupported &&
	      strcmp(g->unsupported, "MISP type 'mutex' is not matched against events") == 0);
	CHECK((g = find(r, "/gate.php")) && g->type == IT_OTHER && g->unsupported);
	CHECK((g = find(r, "da39a3ee5e6b4b0d3255bfef95601890afd80709")) && g->type == IT_SHA1);
	CHECK(g && g->record == 54);
	CHECK((g = find(r, "dropper.exe")) && g->type == IT_OTHER && strstr(g->labels, "to_ids"));

	/* galaxies: APT1 (event) and TestRAT (the JA3 attribute) */
	CHECK(r->nobj == 2);
	CHECK((o = find_obj(r, "APT1")) && strcmp(o->type, "threat-actor") == 0);
	CHECK(o && strcmp(o->id, APT1_ID) == 0 &&
	      strcmp(o->aliases, "Comment Crew,PLA Unit 61398") == 0);
	CHECK(o && strcmp(o->country, "CN") == 0 && strcmp(o->tlp, "AMBER") == 0 &&
	      o->record == 64);
	CHECK((o = find_obj(r, "TestRAT")) && strcmp(o->type, "tool") == 0);
	CHECK(o && strcmp(o->aliases, "TRAT") == 0 && o->country[0] == '\0');
	/* every indicator indicates APT1; the JA3 one TestRAT too */
	CHECKF(r->nrel == 15, "%zu", r->nrel);
	for (size_t i = 0; i < r->nind; i++)
		CHECK(has_rel(r, r->ind[i].id, APT1_ID));
	CHECK(has_rel(r, "a0000001-0000-4000-8000-000000000009",
	              "x-misp-galaxy-cluster--b0000001-0000-4000-8000-000000000001"));
	CHECK(r->c.rejected == 1 && r->c.records == 16 + 2 + 15);
	run_free(r);
}

static void each_uuid(void *ctx, const char *uuid)
{
	struct run *r = ctx;
	char path[256];
	struct run *e;

	snprintf(path, sizeof(path), FIX "misp-feed/%s.json", uuid);
	e = parse_file(intel_parse_misp, path, uuid);
	CHECKF(e != NULL, "%s", path);
	if (e == NULL)
		return;
	CHECK(e->err == DT_OK && e->nwarn == 0);
	/* gather into r */
	for (size_t i = 0; i < e->nind; i++) {
		struct dt_str v = {e->ind[i].value, strlen(e->ind[i].value)};
		struct intel_atom a = {.type = e->ind[i].type, .value = v};
		struct intel_indicator in = {.atoms = &a, .natoms = 1};

		in.tlp = (struct dt_str){e->ind[i].tlp, strlen(e->ind[i].tlp)};
		in.labels = (struct dt_str){e->ind[i].labels, strlen(e->ind[i].labels)};
		in.name = (struct dt_str){e->ind[i].name, strlen(e->ind[i].name)};
		on_ind(r, &in);
	}
	run_free(e);
}

static void test_misp_feed(void)
{
	size_t n;
	char *m = slurp(FIX "misp-feed/manifest.json", &n);
	struct run *r = run_new();
	struct dt_diag d;
	const struct gind *g;
	static const char bad[] = "{\"6a1b2c3d-0001-4a5b-9c8d-7e6f5a4b3c2d\": {},\n"
	                          " \"../../etc/passwd\": {}}";

	CHECK(m != NULL);
	if (m == NULL) {
		run_free(r);
		return;
	}
	dt_diag_clear(&d);
	CHECK(intel_misp_manifest("manifest.json", m, n, each_uuid, r, &d) == DT_OK);
	CHECKF(r->nind == 5, "%zu", r->nind);
	if (r->nind == 5) {
		CHECK(strcmp(r->ind[0].value, "login-example.com") == 0); /* manifest order */
		CHECK(strcmp(r->ind[0].tlp, "GREEN") == 0);
		CHECK(strcmp(r->ind[0].labels, "tlp:green,type:phishing") == 0);
		CHECK(strcmp(r->ind[0].name, "Feed event one: phishing domains") == 0);
		CHECK(strcmp(r->ind[3].value, "203.0.113.5") == 0 && r->ind[3].type == IT_IP);
		CHECK(strcmp(r->ind[3].tlp, "CLEAR") == 0); /* TLP:WHITE */
		CHECK(strcmp(r->ind[3].labels, "TLP:WHITE") == 0);
		CHECK(strcmp(r->ind[4].labels, "TLP:WHITE,to_ids:false") == 0);
	}
	CHECK((g = find(r, "secure.login-example.com.")) && g->type == IT_DOMAIN);
	free(m);
	run_free(r);

	/* a key that is not a UUID: refused whole, nothing listed */
	r = run_new();
	CHECK(intel_misp_manifest("manifest.json", bad, strlen(bad), each_uuid, r, &d) ==
	      DT_EFORMAT);
	CHECK(r->nind == 0 && d.line == 2 && strstr(d.msg, "passwd"));
	CHECK(intel_misp_manifest("manifest.json", "[]", 2, each_uuid, r, &d) == DT_EFORMAT);
	CHECK(intel_misp_manifest("manifest.json", "{", 1, each_uuid, r, &d) == DT_EFORMAT);
	CHECK(intel_misp_manifest("manifest.json", "{}", 2, each_uuid, r, &d) == DT_OK);
	run_free(r);
}

static void test_misp_shapes(void)
{
	static const char list[] =
	    "[{\"Event\": {\"info\": \"a\", \"Attribute\": [{\"type\": \"ip-dst\", \"value\": "
	    "\"192.0.2.1\", \"uuid\": \"u1\"}]}},\n"
	    " {\"Event\": {\"info\": \"b\", \"Tag\": [{\"name\": \"tlp:AMBER+STRICT\"}], "
	    "\"Attribute\": "
	    "[{\"type\": \"hostname|port\", \"value\": \"h.example|8080\", \"uuid\": \"u2\"},\n"
	    "  {\"type\": \"ip-dst|port\", \"value\": \"192.0.2.3\"}]}},\n"
	    " 42]";
	static const char resp[] = "{\"response\": [{\"Event\": {\"uuid\": \"e\", \"Attribute\": "
	                           "[{\"type\": \"sha512\", \"value\": \"ab\"}]}}]}";
	struct run *r = parse_text(intel_parse_misp, list);

	CHECK(r->err == DT_OK && r->nind == 2 && r->nwarn == 2);
	if (r->nind == 2) {
		CHECK(strcmp(r->ind[0].name, "a") == 0 && r->ind[0].tlp[0] == '\0');
		CHECK(strcmp(r->ind[1].value, "h.example") == 0 && r->ind[1].type == IT_DOMAIN);
		CHECK(strcmp(r->ind[1].tlp, "AMBER+STRICT") == 0);
	}
	CHECK(warned(r, 0, "t", 3, "no '|'"));
	CHECK(warned(r, 1, "t", 4, "not {\"Event\""));
	run_free(r);

	r = parse_text(intel_parse_misp, resp);
	CHECK(r->err == DT_OK && r->nind == 1);
	if (r->nind == 1) {
		/* no uuid: a derived, stable one */
		CHECK(r->ind[0].type == IT_SHA512 && strlen(r->ind[0].id) == 36);
	}
	run_free(r);

	r = parse_text(intel_parse_misp, "{\"type\": \"bundle\", \"objects\": []}");
	CHECK(r->err == DT_EFORMAT && r->nind == 0 && r->diag.msg[0]);
	run_free(r);
	r = parse_text(intel_parse_misp, "{\"Event\": ");
	CHECK(r->err == DT_EFORMAT && r->nind == 0);
	run_free(r);
	r = parse_text(intel_parse_misp_galaxy, "{\"Event\": {}}");
	CHECK(r->err == DT_EFORMAT);
	run_free(r);
}

static void test_misp_galaxy_corpus(void)
{
	char p[512];
	struct run *r = parse_file(intel_parse_misp_galaxy,
	                           corpus("misp/galaxy-threat-actor.json", p, sizeof(p)),
	                           "galaxy-threat-actor.json");
	const struct gobj *o;
	size_t with_country = 0;

	if (r == NULL)
		SKIP("%s is absent", p);
	CHECK(r->err == DT_OK && r->nind == 0 && r->nrel == 0 && r->nwarn == 0);
	/* python3: len(values) = 1041, 477 with a country string, one of them empty */
	CHECKF(r->nobj == 1041, "%zu", r->nobj);
	for (size_t i = 0; i < r->nobj; i++) {
		CHECK(strcmp(r->obj[i].type, "threat-actor") == 0);
		CHECK(strncmp(r->obj[i].id, "x-misp-galaxy-cluster--", 23) == 0);
		with_country += r->obj[i].country[0] != '\0';
	}
	CHECKF(with_country == 476, "%zu", with_country);
	CHECK((o = find_obj(r, "APT1")) && strcmp(o->id, APT1_ID) == 0);
	CHECK(o && strcmp(o->country, "CN") == 0);
	CHECK(o && strstr(o->aliases, "Comment Crew") && strstr(o->aliases, "PLA Unit 61398"));
	CHECK(o && strncmp(o->aliases, "COMMENT PANDA,PLA Unit 61398,", 29) == 0);
	run_free(r);
}

/* ---- detection ---------------------------------------------------------- */

static void detect_file(const char *path, const char *want)
{
	size_t n;
	char *d = slurp(path, &n);
	const char *got, *cut;

	CHECKF(d != NULL, "%s", path);
	if (d == NULL)
		return;
	got = intel_detect(d, n);
	cut = intel_detect(d, n < 4096 ? n : 4096);
	CHECKF(got && strcmp(got, want) == 0, "%s: %s, not %s", path, got ? got : "NULL", want);
	CHECKF(cut && strcmp(cut, want) == 0, "%s (4 KB): %s, not %s", path, cut ? cut : "NULL",
	       want);
	free(d);
}

static void detect_dir(const char *rel, const char *want, size_t *count)
{
	char dir[512], path[1024];
	DIR *dh = opendir(corpus(rel, dir, sizeof(dir)));
	struct dirent *e;

	if (dh == NULL)
		return;
	while ((e = readdir(dh)) != NULL) {
		size_t nl = strlen(e->d_name);

		if (nl < 6 || strcmp(e->d_name + nl - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		detect_file(path, want);
		(*count)++;
	}
	closedir(dh);
}

static void test_detect_corpus(void)
{
	char p[512];
	size_t nwl = 0, nstix = 0;

	if (access(corpus("intel", p, sizeof(p)), F_OK) != 0)
		SKIP("%s is absent", p);
	detect_file(corpus("intel/apt1-fqdn.dat", p, sizeof(p)), "zeek");
	detect_file(corpus("intel/apt1-md5.dat", p, sizeof(p)), "zeek");
	detect_file(corpus("intel/apt1-certs.dat", p, sizeof(p)), "zeek");
	detect_file(corpus("intel/scirius-iprep.list", p, sizeof(p)), "iprep");
	detect_file(corpus("intel/scirius-categories.txt", p, sizeof(p)), "iprep-categories");
	detect_file(corpus("misp/galaxy-threat-actor.json", p, sizeof(p)), "misp-galaxy");
	detect_dir("misp/warninglists", "warninglist", &nwl);
	detect_dir("stix", "stix", &nstix);
	CHECKF(nwl == 18 && nstix == 10, "%zu lists, %zu stix", nwl, nstix);
}

static void test_detect_fixtures(void)
{
	detect_file(FIX "misp-event.json", "misp");
	detect_file(FIX "misp-feed/manifest.json", "misp-feed");
	detect_file(FIX "misp-feed/6a1b2c3d-0001-4a5b-9c8d-7e6f5a4b3c2d.json", "misp");
	detect_file(FIX "zeek-mixed.dat", "zeek");
	detect_file(FIX "iprep-bad.list", "iprep");
	detect_file(FIX "iprep-cats.txt", "iprep-categories");
	detect_file(FIX "warninglist-bad.json", "warninglist");
	detect_file(FIX "warninglist-regex.json", "warninglist");
#define D(text) intel_detect(text, strlen(text))
	CHECK(D("[{\"Event\": {}}]") && strcmp(D("[{\"Event\": {}}]"), "misp") == 0);
	CHECK(D("{\"response\": []}") && strcmp(D("{\"response\": []}"), "misp") == 0);
	CHECK(D("{\"id\": \"indicator--1\", \"spec_version\": \"2.1\", \"type\": \"indicator\"}"));
	CHECK(D("{\"objects\": [{\"type\": \"indicator\", \"id\": \"indicator--x\"}]}"));
	CHECK(D("#separator \\x09\n#path\tconn\n#fields\tts\tuid\n") == NULL); /* conn.log */
	CHECK(D("#separator \\x09\n") && strcmp(D("#separator \\x09\n"), "zeek") == 0);
	CHECK(D("{\"a\": 1}") == NULL && D("[1, 2]") == NULL && D("hello\nworld\n") == NULL);
	CHECK(D("") == NULL && D("{") == NULL && D("\"") == NULL);
	CHECK(D("192.0.2.1,1,100\n192.0.2.2,1,") &&
	      strcmp(D("192.0.2.1,1,100\n192.0.2.2,1,"), "iprep") == 0);
#undef D
	CHECK(intel_format("misp") == intel_parse_misp);
	CHECK(intel_format("misp-galaxy") == intel_parse_misp_galaxy);
	CHECK(intel_format("zeek") == intel_parse_zeek);
	CHECK(intel_format("iprep") == intel_parse_iprep);
	CHECK(intel_format("warninglist") == intel_parse_warninglist);
	CHECK(intel_format("stix") == intel_parse_stix);
	CHECK(intel_format("misp-feed") == NULL && intel_format("iprep-categories") == NULL);
	CHECK(intel_format("csv") == NULL && intel_format(NULL) == NULL);
}

/* ---- a failing sink ------------------------------------------------------ */

static void test_sink_error(void)
{
	static const struct {
		intel_parse_fn *fn;
		const char *file;
	} cases[] = {
	    {intel_parse_zeek, FIX "zeek-mixed.dat"},
	    {intel_parse_iprep, FIX "iprep-bad.list"},
	    {intel_parse_warninglist, FIX "warninglist-bad.json"},
	    {intel_parse_misp, FIX "misp-event.json"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		size_t n;
		char *d = slurp(cases[i].file, &n);
		struct run *r = run_new();
		struct intel_sink k = sink_of(r);

		CHECK(d != NULL);
		r->fail_at = 3;
		dt_diag_clear(&r->diag);
		if (d)
			r->err = cases[i].fn("f", d, n, &k, &r->c, &r->diag);
		CHECKF(r->err == DT_EIO && r->nind == 2 && r->diag.line > 0, "%s", cases[i].file);
		free(d);
		run_free(r);
	}
}

/* ---- speed ---------------------------------------------------------------- */

static enum dt_err count_ind(void *ctx, const struct intel_indicator *in)
{
	(*(size_t *)ctx) += in->natoms;
	return DT_OK;
}

static enum dt_err count_obj(void *ctx, const struct intel_object *o)
{
	(void)o;
	(*(size_t *)ctx)++;
	return DT_OK;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Lines/s of fn over rel repeated to about 2.5 M lines (the headers too). */
static void speed(intel_parse_fn *fn, const char *rel)
{
	char p[512];
	size_t n, lines = 0, got = 0, reps, total;
	char *d = slurp(corpus(rel, p, sizeof(p)), &n), *big;
	struct intel_sink k = {count_ind, NULL, NULL, NULL, &got};
	struct intel_counts c = {0};
	struct dt_diag diag;
	double t0, t;

	if (d == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		lines += d[i] == '\n';
	reps = 2500000 / lines + 1;
	total = n * reps;
	big = malloc(total);
	CHECK(big != NULL);
	if (big == NULL) {
		free(d);
		return;
	}
	for (size_t i = 0; i < reps; i++)
		memcpy(big + i * n, d, n);
	t0 = now();
	CHECK(fn(rel, big, total, &k, &c, &diag) == DT_OK);
	t = now() - t0;
	printf("# speed %s: %zu lines, %zu indicators in %.3f s: %.2f M lines/s\n", rel,
	       lines * reps, got, t, (double)(lines * reps) / t / 1e6);
	free(big);
	free(d);
}

static void speed_json(intel_parse_fn *fn, const char *rel, int reps)
{
	char p[512];
	size_t n, got = 0, lines = 0;
	char *d = slurp(corpus(rel, p, sizeof(p)), &n);
	struct intel_sink k = {count_ind, count_obj, NULL, NULL, &got};
	struct intel_counts c = {0};
	struct dt_diag diag;
	double t0, t;

	if (d == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		lines += d[i] == '\n';
	t0 = now();
	for (int i = 0; i < reps; i++)
		CHECK(fn(rel, d, n, &k, &c, &diag) == DT_OK);
	t = now() - t0;
	printf("# speed %s x%d: %zu entries in %.3f s: %.2f M entries/s, %.0f MB/s\n", rel, reps,
	       got, t, (double)got / t / 1e6, (double)n * reps / t / 1e6);
	free(d);
}

/* A MISP event of n attributes, made here. */
static void speed_misp(size_t n)
{
	size_t cap = 200 * n + 200, len = 0, got = 0;
	char *d = malloc(cap);
	struct intel_sink k = {count_ind, NULL, NULL, NULL, &got};
	struct intel_counts c = {0};
	struct dt_diag diag;
	double t0, t;

	CHECK(d != NULL);
	if (d == NULL)
		return;
	len += (size_t)snprintf(d + len, cap - len,
	                        "{\"Event\": {\"info\": \"speed\", \"Tag\": [{\"name\": "
	                        "\"tlp:green\"}], \"Attribute\": [\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(d + len, cap - len,
		                        "%s{\"type\": \"ip-dst\", \"to_ids\": true, \"value\": "
		                        "\"10.%zu.%zu.%zu\", \"uuid\": "
		                        "\"a0000001-0000-4000-8000-%012zu\"}\n",
		                        i ? "," : "", (i >> 16) & 255, (i >> 8) & 255, i & 255, i);
	len += (size_t)snprintf(d + len, cap - len, "]}}\n");
	t0 = now();
	CHECK(intel_parse_misp("speed.json", d, len, &k, &c, &diag) == DT_OK);
	t = now() - t0;
	CHECK(got == n);
	printf("# speed MISP event of %zu attributes (%zu MB): %.3f s: %.2f M attributes/s\n", n,
	       len >> 20, t, (double)n / t / 1e6);
	free(d);
}

static void test_speed(void)
{
	char p[512];

	if (access(corpus("intel", p, sizeof(p)), F_OK) != 0)
		SKIP("%s is absent", p);
	speed(intel_parse_zeek, "intel/apt1-fqdn.dat");
	speed(intel_parse_zeek, "intel/apt1-md5.dat");
	speed(intel_parse_iprep, "intel/scirius-iprep.list");
	speed_json(intel_parse_warninglist, "misp/warninglists/public-dns-v4.json", 20);
	speed_json(intel_parse_warninglist, "misp/warninglists/dynamic-dns.json", 20);
	speed_json(intel_parse_misp_galaxy, "misp/galaxy-threat-actor.json", 20);
	speed_misp(300000);
}

int main(void)
{
	RUN(test_zeek_corpus);
	RUN(test_zeek_fixture);
	RUN(test_zeek_shapes);
	RUN(test_iprep_corpus);
	RUN(test_iprep_fixture);
	RUN(test_iprep_categories);
	RUN(test_warninglists_corpus);
	RUN(test_warninglist_fixtures);
	RUN(test_misp_event);
	RUN(test_misp_feed);
	RUN(test_misp_shapes);
	RUN(test_misp_galaxy_corpus);
	RUN(test_detect_corpus);
	RUN(test_detect_fixtures);
	RUN(test_sink_error);
	RUN(test_speed);
	DONE();
}
