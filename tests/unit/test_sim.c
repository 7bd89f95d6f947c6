/*
 * test_sim.c — the exercise generator (src/sim): the PRNG against the
 * published xoshiro256** and splitmix64 outputs and its bounds; a whole
 * exercise generated twice from the same seed is byte-identical, from
 * another seed it differs; every line of truth.tsv points at a record (not
 * a header) of the file it names, every record has exactly one truth
 * line, each label's records look like that label (APT1 conn lines go to
 * the four Shanghai /15s or a resolver, noise-scan alerts carry sid
 * 2001219, ...); every label is present; the APT1 campaign works Beijing
 * office hours (UTC 00-10); the STIX bundle names the certificate and
 * host the c03 telemetry shows; scale multiplies; refusals (non-empty
 * DIR, absent ASN data, bad scale).  The ASN data is a small CSV written
 * here with ranges for every ASN the scenario names, so the test needs
 * no installed data; the CLI test (tests/cli/simulate.sh) uses the real one.
 */
#include <ftw.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testhelp.h"

#include "core/file.h"
#include "sim/sim.h"
#include "sim/sim_int.h" /* the web shell's hashes */

static char base[256];
static char asn_csv[300];

static int rm_one(const char *p, const struct stat *sb, int f, struct FTW *w)
{
	(void)sb, (void)f, (void)w;
	return remove(p);
}

static void write_asn_csv(void)
{
	static const unsigned asns[] = {49505, 9123,   29182,  16509, 8075,  14061, 20473,
	                                60729, 205100, 198093, 9009,  60068, 15169, 13335,
	                                20940, 36459,  14907,  54113, 64500, 64501, 64502};
	FILE *f;

	snprintf(asn_csv, sizeof(asn_csv), "%s/asn.csv", base);
	f = fopen(asn_csv, "w");
	if (f == NULL)
		return;
	/* two ranges per ASN: a /20 and a /24, in 45.0.0.0/8 onwards */
	for (size_t i = 0; i < sizeof(asns) / sizeof(*asns); i++) {
		uint32_t lo = (45u << 24) + (uint32_t)i * (1u << 16);

		fprintf(f, "%u,%u,%u,\"Org %u, Inc.\"\n", lo, lo + 4095, asns[i], asns[i]);
		fprintf(f, "%u,%u,%u,Org %u\n", lo + 8192, lo + 8192 + 255, asns[i], asns[i]);
	}
	fclose(f);
}

static char *slurp(const char *dir, const char *rel, size_t *len)
{
	char path[1024];
	char *data = NULL;
	struct dt_diag d;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (dt_read_file(path, 1ull << 30, &data, len, &d) != DT_OK)
		return NULL;
	return data;
}

static enum dt_err gen(const char *name, uint64_t seed, unsigned scale, struct sim_result *r,
                       char *dir, size_t size)
{
	struct sim_opts o = {.seed = seed, .scale = scale, .asn_csv = asn_csv};
	struct dt_diag d;

	snprintf(dir, size, "%s/%s", base, name);
	dt_diag_clear(&d);
	return sim_generate(dir, &o, r, NULL, NULL, &d);
}

/* ---- PRNG ----------------------------------------------------------------- */

static void test_rng_reference(void)
{
	/* xoshiro256** from state {1, 2, 3, 4}: the reference C code's outputs */
	struct sim_rng r = {{1, 2, 3, 4}};

	CHECK(sim_rng_next(&r) == 11520);
	CHECK(sim_rng_next(&r) == 0);
	CHECK(sim_rng_next(&r) == 1509978240);
	CHECK(sim_rng_next(&r) == 1215971899390074240ULL);
	/* splitmix64 seeded with 0: first output */
	CHECK(sim_mix(0) == 0xe220a8397b1dcdafULL);
}

static void test_rng_streams(void)
{
	struct sim_rng a, b, c;
	uint64_t counts[10] = {0};
	int same = 1, differ = 0;

	sim_rng_seed(&a, 42, 7);
	sim_rng_seed(&b, 42, 7);
	sim_rng_seed(&c, 42, 8);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = sim_rng_next(&a), y = sim_rng_next(&b), z = sim_rng_next(&c);

		same &= x == y;
		differ += x != z;
	}
	CHECK(same);
	CHECK(differ == 1000);
	for (int i = 0; i < 100000; i++) {
		uint64_t v = sim_rng_below(&a, 10);
		double u = sim_rng_unit(&a);

		CHECK(v < 10);
		CHECK(u >= 0 && u < 1);
		if (v < 10)
			counts[v]++;
	}
	for (int i = 0; i < 10; i++)
		CHECKF(counts[i] > 9500 && counts[i] < 10500, "bucket %d: %llu", i,
		       (unsigned long long)counts[i]);
	CHECK(sim_rng_below(&a, 1) == 0);
}

/* ---- generation --------------------------------------------------------------- */

static const char *const files[] = {
    "truth.tsv",
    "README",
    "victims.tsv",
    "intel/apt1-campaign.json",
    "party-a/daily-herald/conn.log",
    "party-a/daily-herald/dns.log",
    "party-a/harbour-bank/ssl.log",
    "party-b/ministry-of-trade/eve.json",
    "party-b/state-university/conn.log",
    NULL,
};

static void test_deterministic(void)
{
	char d1[512], d2[512], d3[512];
	struct sim_result r1, r2, r3;
	int differ = 0;

	CHECK(gen("one", 7, 1, &r1, d1, sizeof(d1)) == DT_OK);
	CHECK(gen("two", 7, 1, &r2, d2, sizeof(d2)) == DT_OK);
	CHECK(gen("three", 8, 1, &r3, d3, sizeof(d3)) == DT_OK);
	CHECK(r1.events == r2.events && r1.bytes == r2.bytes);
	CHECK(r1.events > 15000 && r1.events < 30000);
	CHECK(r1.files == 24 && r1.victims == 6);
	for (int i = 0; files[i]; i++) {
		size_t n1 = 0, n2 = 0, n3 = 0;
		char *a = slurp(d1, files[i], &n1), *b = slurp(d2, files[i], &n2);
		char *c = slurp(d3, files[i], &n3);

		CHECKF(a && b && n1 == n2 && memcmp(a, b, n1) == 0, "%s differs with the same seed",
		       files[i]);
		if (a && c && (n1 != n3 || memcmp(a, c, n1) != 0))
			differ++;
		free(a);
		free(b);
		free(c);
	}
	/* everything but victims.tsv depends on the seed */
	CHECKF(differ == 8, "%d of 9 files differ with another seed", differ);
	/* no temporary directory left behind */
	char tmp[600];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", d1, (long)getpid());
	CHECK(access(tmp, F_OK) != 0);
}

struct file_lines {
	char name[200];
	char *data;
	size_t len;
	char **line; /* line[i]: start of line i+1 */
	size_t n;
	unsigned char *seen;
};

static struct file_lines *get_file(struct file_lines *fs, size_t *nfs, const char *dir,
                                   const char *name)
{
	struct file_lines *f;

	for (size_t i = 0; i < *nfs; i++)
		if (strcmp(fs[i].name, name) == 0)
			return &fs[i];
	if (*nfs == 32)
		return NULL;
	f = &fs[(*nfs)++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	if ((f->data = slurp(dir, name, &f->len)) == NULL)
		return f;
	for (size_t i = 0; i < f->len; i++)
		f->n += f->data[i] == '\n';
	f->line = calloc(f->n + 1, sizeof(*f->line));
	f->seen = calloc(f->n + 1, 1);
	f->n = 0;
	for (char *p = f->data; p < f->data + f->len;) {
		char *nl = memchr(p, '\n', (size_t)(f->data + f->len - p));

		f->line[f->n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return f;
}

/* The n-th (0-based) tab-separated field of a Zeek line, into out. */
static void field(const char *line, int n, char *out, size_t size)
{
	const char *p = line, *e;

	while (n-- > 0 && p)
		if ((p = strchr(p, '\t')) != NULL)
			p++;
	if (p == NULL) {
		out[0] = '\0';
		return;
	}
	e = strchr(p, '\t');
	snprintf(out, size, "%.*s", (int)(e ? (size_t)(e - p) : strlen(p)), p);
}

static int in_apt1(const char *ip)
{
	unsigned a, b;

	if (sscanf(ip, "%u.%u.", &a, &b) != 2)
		return 0;
	return (a == 58 && (b & ~1u) == 246) || (a == 112 && (b & ~1u) == 64) ||
	       (a == 139 && (b & ~1u) == 226) || (a == 223 && (b & ~1u) == 166);
}

static int resolver(const char *ip)
{
	return !strcmp(ip, "8.8.8.8") || !strcmp(ip, "8.8.4.4") || !strcmp(ip, "1.1.1.1") ||
	       !strcmp(ip, "1.0.0.1");
}

static void test_truth(void)
{
	char dir[512], *truth, *save = NULL, a[64], b[64], c[64], srv[128];
	struct file_lines fs[32];
	size_t nfs = 0, len = 0, nlab[SIM_NLABELS] = {0};
	size_t bad_ref = 0, headers = 0, dup = 0, wrong = 0, fileinfo = 0, apt1 = 0, apt1_hours = 0;
	size_t c03_ssl = 0, c03_cert = 0;
	struct sim_result r;
	char *bundle;
	size_t blen;

	if (gen("truth", 11, 1, &r, dir, sizeof(dir)) != DT_OK) {
		CHECK(0);
		return;
	}
	truth = slurp(dir, "truth.tsv", &len);
	bundle = slurp(dir, "intel/apt1-campaign.json", &blen);
	CHECK(truth != NULL && bundle != NULL);
	if (truth == NULL || bundle == NULL)
		return;
	for (char *l = strtok_r(truth, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[200], label[64];
		unsigned long line;
		struct file_lines *f;
		const char *rec;
		int lab = -1;

		if (sscanf(l, "%199[^\t]\t%lu\t%63s", name, &line, label) != 3) {
			bad_ref++;
			continue;
		}
		for (int k = 0; k < SIM_NLABELS; k++)
			if (strcmp(label, sim_label_names[k]) == 0)
				lab = k;
		f = get_file(fs, &nfs, dir, name);
		if (lab < 0 || f == NULL || f->data == NULL || line < 1 || line > f->n) {
			bad_ref++;
			continue;
		}
		nlab[lab]++;
		rec = f->line[line - 1];
		if (rec[0] == '#' || rec[0] == '\0')
			headers++;
		if (f->seen[line - 1]++)
			dup++;
		if (strstr(name, "eve.json")) {
			if (strstr(rec, "\"event_type\":\"fileinfo\"")) {
				/* only c02's web shell, by its hashes */
				if (lab != SIM_C02_EASTEU || !strstr(rec, sim_webshell_sha256))
					wrong++;
				fileinfo++;
				continue;
			}
			if (rec[0] != '{' || !strstr(rec, "\"event_type\":\"alert\""))
				wrong++;
			if (lab == SIM_NOISE_SCAN && !strstr(rec, "\"signature_id\":2001219,"))
				wrong++;
			if (lab != SIM_NOISE_SCAN && strstr(rec, "\"signature_id\":2001219,"))
				wrong++;
			continue;
		}
		field(rec, 4, a, sizeof(a)); /* id.resp_h */
		field(rec, 2, b, sizeof(b)); /* id.orig_h */
		if (lab == SIM_C01_APT1) {
			double ts = atof(rec);
			long hour = ((long)ts % 86400) / 3600;

			apt1++;
			apt1_hours += hour < 10;
			if (!(in_apt1(a) || resolver(a)) || strncmp(b, "10.", 3) != 0)
				wrong++;
		}
		if (lab == SIM_NOISE_SCAN && (strncmp(a, "10.", 3) != 0 || in_apt1(b)))
			wrong++;
		if (strstr(name, "ssl.log")) {
			field(rec, 9, srv, sizeof(srv)); /* server_name */
			field(rec, 15, c, sizeof(c));    /* cert_chain_fps (63 of its 64 digits) */
			if (lab == SIM_C01_APT1 && strcmp(srv, "-") &&
			    !strstr(srv, "hugesoft.org") && !strstr(srv, "arrowservice.net") &&
			    !strstr(srv, "msnhome.org"))
				wrong++;
			if (lab == SIM_C03_USCLOUD) {
				c03_ssl++;
				c03_cert += strstr(bundle, c) != NULL; /* the bundle names it */
			}
		}
	}
	CHECKF(bad_ref == 0, "%zu truth lines name no record", bad_ref);
	CHECKF(headers == 0, "%zu truth lines point at header lines", headers);
	CHECKF(dup == 0, "%zu records have two truth lines", dup);
	CHECKF(wrong == 0, "%zu records do not look like their label", wrong);
	CHECKF(fileinfo > 0, "no web shell upload (EVE fileinfo) in c02");
	for (int k = 0; k < SIM_NLABELS; k++) {
		CHECKF(nlab[k] > 0, "no %s", sim_label_names[k]);
		CHECK(nlab[k] == r.by_label[k]);
	}
	/* every non-header line of every file has its truth line */
	for (size_t i = 0; i < nfs; i++) {
		size_t missing = 0;

		for (size_t k = 0; k < fs[i].n; k++)
			missing += fs[i].line[k][0] != '#' && !fs[i].seen[k];
		CHECKF(missing == 0, "%s: %zu records without truth", fs[i].name, missing);
		free(fs[i].data);
		free(fs[i].line);
		free(fs[i].seen);
	}
	CHECK(nfs == 24);
	/* Mon-Fri 08-18 in UTC+8 is 00-10 UTC; a few percent off hours */
	CHECKF(apt1 > 1000 && apt1_hours > apt1 * 85 / 100, "%zu of %zu APT1 records in 00-10 UTC",
	       apt1_hours, apt1);
	CHECKF(c03_ssl > 100 && c03_cert == c03_ssl,
	       "%zu of %zu c03 TLS records carry the "
	       "certificate the STIX bundle names",
	       c03_cert, c03_ssl);
	CHECK(strstr(bundle, "[ipv4-addr:value = '58.246.0.0/15']") != NULL);
	CHECK(strstr(bundle, "112.64.0.0/15") == NULL); /* part of the infrastructure only */
	free(truth);
	free(bundle);
}

static void test_scale(void)
{
	char d1[512], d3[512];
	struct sim_result r1, r3;

	CHECK(gen("s1", 3, 1, &r1, d1, sizeof(d1)) == DT_OK);
	CHECK(gen("s3", 3, 3, &r3, d3, sizeof(d3)) == DT_OK);
	CHECKF(r3.events > r1.events * 29 / 10 && r3.events < r1.events * 31 / 10,
	       "scale 3: %llu events, scale 1: %llu", (unsigned long long)r3.events,
	       (unsigned long long)r1.events);
}

static void test_refusals(void)
{
	char dir[512], path[600];
	struct sim_result r;
	struct sim_opts o = {.seed = 1, .scale = 1, .asn_csv = "/nonexistent/asn.csv"};
	struct dt_diag d;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/full", base);
	mkdir(dir, 0777);
	snprintf(path, sizeof(path), "%s/keep", dir);
	if ((f = fopen(path, "w")) != NULL)
		fclose(f);
	CHECK(gen("full", 1, 1, &r, dir, sizeof(dir)) == DT_EEXIST);
	CHECK(access(path, F_OK) == 0); /* left alone */
	/* an empty directory is fine */
	snprintf(dir, sizeof(dir), "%s/empty", base);
	mkdir(dir, 0777);
	CHECK(gen("empty", 1, 1, &r, dir, sizeof(dir)) == DT_OK);
	snprintf(dir, sizeof(dir), "%s/nodata", base);
	dt_diag_clear(&d);
	CHECK(sim_generate(dir, &o, &r, NULL, NULL, &d) == DT_ENOTFOUND);
	CHECK(strstr(d.msg, "bootstrap") != NULL);
	CHECK(access(dir, F_OK) != 0);
	o.asn_csv = asn_csv;
	o.scale = 0;
	CHECK(sim_generate(dir, &o, &r, NULL, NULL, &d) == DT_EINVAL);
	/* ASN data without a campaign's networks */
	snprintf(path, sizeof(path), "%s/other.csv", base);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("16777216,16777471,13335,\"Cloudflare, Inc.\"\n", f);
		fclose(f);
	}
	o.asn_csv = path;
	o.scale = 1;
	dt_diag_clear(&d);
	CHECK(sim_generate(dir, &o, &r, NULL, NULL, &d) == DT_ENOTFOUND);
	CHECKF(strstr(d.msg, "no range of AS") != NULL, "%s", d.msg);
	CHECK(access(dir, F_OK) != 0);
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(base, sizeof(base), "%s/detente-test-sim-XXXXXX", t && *t ? t : "/tmp");
	if (mkdtemp(base) == NULL) {
		printf("FAIL mkdtemp %s\n# 0 passed, 1 failed, 0 skipped\n", base);
		return 1;
	}
	write_asn_csv();
	RUN(test_rng_reference);
	RUN(test_rng_streams);
	RUN(test_deterministic);
	RUN(test_truth);
	RUN(test_scale);
	RUN(test_refusals);
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	DONE();
}
