/*
 * ari.c — tests/tools/ari.awk in C, for exercises of millions of events:
 * how well `detente campaigns --members` recovers the ground truth of
 * `detente simulate`.
 *
 *   ari DIGESTS TRUTH MEMBERS
 *     DIGESTS  "sha256:<hex>\t<path>" of every exercise file
 *     TRUTH    the exercise's truth.tsv: path, line, label
 *     MEMBERS  campaigns --members: submission, record, campaign ("-": none)
 *
 * The same clusters, figures and lines as ari.awk (see there): "ari X",
 * then per true campaign the detente campaign holding most of it (recall,
 * purity), then "merged <campaign>: <labels>" and "merged N".  Where awk
 * prints in its hash order, this prints sorted (true campaigns by label,
 * merged campaigns by id); ties for "most of it" go to the lowest id.
 *
 * Memory is a few bytes per truth line: files are numbered (a path, a
 * digest -> its number), and each file keeps one 16-bit label per line
 * number (0: not in a campaign), so a member line costs one hash probe of
 * its digest (the last one cached) and an array read.
 * Sums are doubles, as awk's are; every count is an integer below 2^53, so
 * they are exact and the ARI is the same number awk computes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- strings to dense ids ----------------------------------------------- */

struct names {
	char **s;
	size_t n, cap;
	uint32_t *slot; /* id + 1, 0: empty */
	size_t mask;
};

static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h ^ h >> 29;
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL) {
		fputs("ari: out of memory\n", stderr);
		exit(2);
	}
	return q;
}

/* The id of s[0..n), added when absent (add) or -1. */
static long name_id(struct names *t, const char *s, size_t n, int add)
{
	size_t i;

	if (t->mask == 0 || 2 * (t->n + 1) > t->mask + 1) {
		size_t cap = t->mask ? 2 * (t->mask + 1) : 256;

		free(t->slot);
		t->slot = xrealloc(NULL, cap * sizeof(*t->slot));
		memset(t->slot, 0, cap * sizeof(*t->slot));
		t->mask = cap - 1;
		for (size_t j = 0; j < t->n; j++) {
			for (i = hash(t->s[j], strlen(t->s[j])) & t->mask; t->slot[i];
			     i = (i + 1) & t->mask)
				;
			t->slot[i] = (uint32_t)j + 1;
		}
	}
	for (i = hash(s, n) & t->mask; t->slot[i]; i = (i + 1) & t->mask) {
		const char *o = t->s[t->slot[i] - 1];

		if (strncmp(o, s, n) == 0 && o[n] == '\0')
			return (long)t->slot[i] - 1;
	}
	if (!add)
		return -1;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->s = xrealloc(t->s, t->cap * sizeof(*t->s));
	}
	t->s[t->n] = xrealloc(NULL, n + 1);
	memcpy(t->s[t->n], s, n);
	t->s[t->n][n] = '\0';
	t->slot[i] = (uint32_t)++t->n;
	return (long)t->n - 1;
}

/* ---- tab-separated lines ------------------------------------------------ */

/* Splits line (no newline) at tabs: up to max fields, their starts and
 * lengths; returns how many. */
static int fields(char *line, size_t len, const char **f, size_t *fl, int max)
{
	int k = 0;
	char *p = line, *e = line + len;

	while (k < max) {
		char *t = memchr(p, '\t', (size_t)(e - p));

		f[k] = p;
		fl[k] = t ? (size_t)(t - p) : (size_t)(e - p);
		k++;
		if (t == NULL)
			break;
		p = t + 1;
	}
	return k;
}

/* A decimal line or record number, or -1 when the field is not one. */
static long number(const char *s, size_t n)
{
	long v = 0;

	if (n == 0 || n > 12)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static FILE *open_or_die(const char *path)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	return f;
}

/* ---- the figures -------------------------------------------------------- */

struct file {
	uint16_t *label; /* per line number: truth label id + 1, 0: none */
	size_t cap;
};

struct cell {
	uint32_t t, d; /* truth label, detente campaign */
	uint64_t n;
};

static double c2(double x)
{
	return x * (x - 1) / 2;
}

static int cmp_name(const void *a, const void *b, void *ctx)
{
	char **s = ctx;

	return strcmp(s[*(const uint32_t *)a], s[*(const uint32_t *)b]);
}

int main(int argc, char **argv)
{
	struct names paths = {0}, digests = {0}, labels = {0}, camps = {0};
	struct file *files = NULL;
	size_t nfiles = 0, cellcap = 1024, ncell = 0, last_cell = 0, bcap = 0;
	long *dig_file = NULL; /* digest id -> file id */
	uint64_t *a = NULL, *b = NULL, n = 0, seen = 0;
	struct cell *cells;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	FILE *f;
	const char *fv[4];
	size_t fl[4];
	long last_dig = -1, last_file = -1;
	char last_digest[80] = "";
	double sij = 0, sa = 0, sb = 0, e, ari;

	if (argc != 4) {
		fputs("usage: ari DIGESTS TRUTH MEMBERS\n", stderr);
		return 2;
	}
	cells = xrealloc(NULL, cellcap * sizeof(*cells));

	/* digests: digest -> path -> file */
	f = open_or_die(argv[1]);
	while ((len = getline(&line, &lcap, f)) > 0) {
		long d, p;

		if (line[len - 1] == '\n')
			len--;
		if (fields(line, (size_t)len, fv, fl, 2) < 2)
			continue;
		d = name_id(&digests, fv[0], fl[0], 1);
		p = name_id(&paths, fv[1], fl[1], 1);
		dig_file = xrealloc(dig_file, digests.n * sizeof(*dig_file));
		dig_file[d] = p;
	}
	fclose(f);

	/* truth: a label per (file, line) for campaign records */
	f = open_or_die(argv[2]);
	while ((len = getline(&line, &lcap, f)) > 0) {
		long p, ln, t;
		struct file *fi;

		n++;
		if (line[len - 1] == '\n')
			len--;
		if (fields(line, (size_t)len, fv, fl, 3) < 3 || fl[2] < 2 || fv[2][0] != 'c' ||
		    fv[2][1] < '0' || fv[2][1] > '9')
			continue;
		if ((ln = number(fv[1], fl[1])) < 0)
			continue;
		if (last_file >= 0 && strncmp(paths.s[last_file], fv[0], fl[0]) == 0 &&
		    paths.s[last_file][fl[0]] == '\0')
			p = last_file;
		else
			p = last_file = name_id(&paths, fv[0], fl[0], 1);
		if ((size_t)p >= nfiles) {
			files = xrealloc(files, paths.n * sizeof(*files));
			memset(files + nfiles, 0, (paths.n - nfiles) * sizeof(*files));
			nfiles = paths.n;
		}
		t = name_id(&labels, fv[2], fl[2], 1);
		if (t >= UINT16_MAX) {
			fputs("ari: more than 65534 true campaigns\n", stderr);
			return 2;
		}
		fi = &files[p];
		if ((size_t)ln >= fi->cap) {
			size_t c = fi->cap ? fi->cap : 1024;

			while (c <= (size_t)ln)
				c *= 2;
			fi->label = xrealloc(fi->label, c * sizeof(*fi->label));
			memset(fi->label + fi->cap, 0, (c - fi->cap) * sizeof(*fi->label));
			fi->cap = c;
		}
		fi->label[ln] = (uint16_t)(t + 1);
	}
	fclose(f);
	a = xrealloc(NULL, (labels.n ? labels.n : 1) * sizeof(*a));
	memset(a, 0, (labels.n ? labels.n : 1) * sizeof(*a));

	/* members */
	f = open_or_die(argv[3]);
	for (uint64_t no = 1; (len = getline(&line, &lcap, f)) > 0; no++) {
		long d = -1, p = -1, rec, t = -1;
		int k;

		if (line[len - 1] == '\n')
			len--;
		k = fields(line, (size_t)len, fv, fl, 3);
		if (no == 1 && fl[0] == 10 && memcmp(fv[0], "submission", 10) == 0)
			continue;
		seen++;
		if (k < 3)
			continue;
		if (fl[0] < sizeof(last_digest) && strncmp(last_digest, fv[0], fl[0]) == 0 &&
		    last_digest[fl[0]] == '\0') {
			d = last_dig;
		} else {
			d = last_dig = name_id(&digests, fv[0], fl[0], 0);
			snprintf(last_digest, sizeof(last_digest), "%.*s", (int)fl[0], fv[0]);
		}
		p = d >= 0 ? dig_file[d] : -1;
		rec = number(fv[1], fl[1]);
		if (p >= 0 && (size_t)p < nfiles && rec >= 0 && (size_t)rec < files[p].cap)
			t = (long)files[p].label[rec] - 1;
		if (t >= 0)
			a[t]++;
		if (fl[2] == 1 && fv[2][0] == '-')
			continue;
		d = name_id(&camps, fv[2], fl[2], 1);
		if (camps.n > bcap) {
			size_t c = bcap ? 2 * bcap : 1024;

			b = xrealloc(b, c * sizeof(*b));
			memset(b + bcap, 0, (c - bcap) * sizeof(*b));
			bcap = c;
		}
		b[d]++;
		if (t < 0)
			continue;
		/* cells, in order of first appearance (the order awk lists a
		 * merged campaign's labels in): true campaigns x detente
		 * campaigns are few, and lines of one cell come in runs */
		if (last_cell >= ncell || cells[last_cell].t != (uint32_t)t ||
		    cells[last_cell].d != (uint32_t)d) {
			for (last_cell = 0; last_cell < ncell; last_cell++)
				if (cells[last_cell].t == (uint32_t)t &&
				    cells[last_cell].d == (uint32_t)d)
					break;
			if (last_cell == ncell) {
				if (ncell == cellcap)
					cells = xrealloc(cells, (cellcap *= 2) * sizeof(*cells));
				cells[ncell++] = (struct cell){(uint32_t)t, (uint32_t)d, 0};
			}
		}
		cells[last_cell].n++;
	}
	fclose(f);
	free(line);

	if (seen != n)
		fprintf(stderr,
		        "warning: %llu records in the truth, %llu events in the members list\n",
		        (unsigned long long)n, (unsigned long long)seen);
	for (size_t i = 0; i < ncell; i++)
		sij += c2((double)cells[i].n);
	for (size_t i = 0; i < labels.n; i++)
		sa += c2((double)a[i]);
	for (size_t i = 0; i < camps.n; i++)
		sb += c2((double)b[i]);
	e = sa * sb / c2((double)n);
	ari = (sa + sb) / 2 - e == 0 ? 1 : (sij - e) / ((sa + sb) / 2 - e);
	printf("ari %.4f\n", ari);
	{
		uint32_t *ord = xrealloc(NULL, (labels.n + camps.n + 1) * sizeof(*ord));
		size_t merged = 0;

		for (size_t i = 0; i < labels.n; i++)
			ord[i] = (uint32_t)i;
		qsort_r(ord, labels.n, sizeof(*ord), cmp_name, labels.s);
		for (size_t j = 0; j < labels.n; j++) {
			uint32_t t = ord[j];
			long best = -1;
			uint64_t bn = 0;

			if (a[t] == 0)
				continue; /* awk's a[] holds only labels seen in members */
			for (size_t i = 0; i < ncell; i++)
				if (cells[i].t == t &&
				    (cells[i].n > bn ||
				     (cells[i].n == bn && best >= 0 &&
				      strcmp(camps.s[cells[i].d], camps.s[best]) < 0))) {
					bn = cells[i].n;
					best = cells[i].d;
				}
			printf("truth %s %llu records: %s holds %llu (recall %.3f, purity %.3f)\n",
			       labels.s[t], (unsigned long long)a[t],
			       best < 0 ? "none" : camps.s[best], (unsigned long long)bn,
			       (double)bn / (double)a[t],
			       best < 0 ? 0 : (double)bn / (double)b[best]);
		}
		for (size_t i = 0; i < camps.n; i++)
			ord[i] = (uint32_t)i;
		qsort_r(ord, camps.n, sizeof(*ord), cmp_name, camps.s);
		for (size_t j = 0; j < camps.n; j++) {
			uint32_t d = ord[j];
			size_t k = 0;

			for (size_t i = 0; i < ncell; i++)
				k += cells[i].d == d;
			if (k < 2)
				continue;
			merged++;
			printf("merged %s:", camps.s[d]);
			for (size_t i = 0; i < ncell; i++)
				if (cells[i].d == d)
					printf(" %s", labels.s[cells[i].t]);
			printf("\n");
		}
		printf("merged %zu\n", merged);
		free(ord);
	}
	return fflush(stdout) != 0;
}
