/*
 * sim.c — sim_generate(): the order of work and the files.  Everything is
 * written under "<dir>.tmp.<pid>" and renamed to dir when complete (dir
 * may exist only as an empty directory); on failure the temporary tree is
 * removed.  Victims are generated one at a time: their records sorted by
 * (file, time, generation order) — a total order, so the output is the
 * same on every run — then written file by file, each record's line
 * number going to truth.tsv as it is written.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/sim_int.h"

#define FLUSH_AT (1u << 20)

static int by_file_time(const void *a, const void *b)
{
	const struct sim_rec *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A writer that flushes its buffer into a FILE now and then. */
struct out {
	FILE *f;
	struct strbuf b;
	uint64_t *bytes;
	int err;
};

static int out_open(struct out *o, const char *path, uint64_t *bytes)
{
	o->f = fopen(path, "w");
	o->bytes = bytes;
	o->err = o->f == NULL;
	strbuf_init(&o->b, SIZE_MAX / 2);
	return o->err;
}

static void out_flush(struct out *o)
{
	if (o->b.len && o->f && fwrite(o->b.p, 1, o->b.len, o->f) != o->b.len)
		o->err = 1;
	*o->bytes += o->b.len;
	strbuf_reset(&o->b);
}

static int out_close(struct out *o)
{
	out_flush(o);
	if (o->f && fclose(o->f) != 0)
		o->err = 1;
	o->f = NULL;
	strbuf_release(&o->b);
	return o->err;
}

static int dir_state(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n ? -1 : 1; /* 1: exists, empty */
}

struct run {
	const char *tmp;
	const struct sim_world *w;
	struct sim_result *r;
	struct out truth;
	sim_progress_fn *progress;
	void *pctx;
};

static enum dt_err write_victim(struct run *u, unsigned v, struct sim_recs *rs, struct dt_diag *d)
{
	const struct sim_victim *vi = &sim_victims[v];
	char path[4200], rel[300];
	size_t i = 0;
	enum dt_err err;

	rs->n = 0;
	if ((err = sim_gen_victim(u->w, v, rs)) != DT_OK)
		return err;
	qsort(rs->v, rs->n, sizeof(*rs->v), by_file_time);
	snprintf(path, sizeof(path), "%s/%s", u->tmp, vi->party);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/%s/%s", u->tmp, vi->party, vi->dir);
	if (mkdir(path, 0777) != 0) {
		dt_diag_set(d, path, 0, "cannot create: %s", strerror(errno));
		return DT_EIO;
	}
	for (int f = 0; f < SF_N; f++) {
		struct out o;
		unsigned line = 0;
		size_t first = i;

		snprintf(rel, sizeof(rel), "%s/%s/%s", vi->party, vi->dir, sim_file_names[f]);
		snprintf(path, sizeof(path), "%s/%s", u->tmp, rel);
		if (out_open(&o, path, &u->r->bytes)) {
			dt_diag_set(d, path, 0, "cannot create: %s", strerror(errno));
			return DT_EIO;
		}
		if (f != SF_EVE)
			sim_zeek_header(&o.b, (enum sim_file)f,
			                i < rs->n && rs->v[i].file == f ? rs->v[i].ts
			                                                : SIM_EPOCH * 1000000,
			                &line);
		for (; i < rs->n && rs->v[i].file == f; i++) {
			const struct sim_rec *x = &rs->v[i];

			if (f == SF_EVE)
				sim_eve_rec(&o.b, x, u->w->seed);
			else
				sim_zeek_rec(&o.b, x, u->w->seed);
			strbuf_addf(&u->truth.b, "%s\t%u\t%s\n", rel, ++line,
			            sim_label_names[x->label]);
			u->r->by_label[x->label]++;
			u->r->events++;
			if (o.b.len >= FLUSH_AT)
				out_flush(&o);
			if (u->truth.b.len >= FLUSH_AT)
				out_flush(&u->truth);
			if (u->progress && (u->r->events & 0xffff) == 0)
				u->progress(u->pctx, u->r->events);
		}
		if (f != SF_EVE)
			sim_zeek_close(&o.b,
			               i > first ? rs->v[i - 1].ts + 1000000 : SIM_EPOCH * 1000000);
		if (out_close(&o)) {
			dt_diag_set(d, path, 0, "write failed: %s", strerror(errno));
			return DT_EIO;
		}
		u->r->files++;
	}
	u->r->victims++;
	return DT_OK;
}

static enum dt_err write_text(const char *path, const struct strbuf *b, uint64_t *bytes,
                              struct dt_diag *d)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(b->p, 1, b->len, f) != b->len || fclose(f) != 0) {
		dt_diag_set(d, path, 0, "cannot write: %s", strerror(errno));
		return DT_EIO;
	}
	*bytes += b->len;
	return DT_OK;
}

static void readme(struct strbuf *b, const struct sim_opts *o, const struct sim_result *r,
                   const char *asn_sha256)
{
	strbuf_addf(
	    b,
	    "detente simulate: a two-party exercise with ground truth\n"
	    "\n"
	    "seed %llu, scale %u; activity from 2013-02-01T00:00:00Z over 28 days\n"
	    "ASN data: asn-ipv4-num.csv sha256:%s\n"
	    "(the same seed, scale and ASN data give byte-identical files)\n"
	    "\n"
	    "%llu events in %u telemetry files of %u victims; truth.tsv holds one line per\n"
	    "event: file (relative to this directory), line (1-based, Zeek header lines\n"
	    "counted), label.\n"
	    "\n"
	    "label               events  what\n",
	    (unsigned long long)o->seed, o->scale, asn_sha256, (unsigned long long)r->events,
	    r->files, r->victims);
	for (int l = 0; l < SIM_NLABELS; l++)
		strbuf_addf(b, "%-18s %8llu  %s\n", sim_label_names[l],
		            (unsigned long long)r->by_label[l], sim_campaigns[l].what);
	strbuf_adds(b,
	            "\nvictims (victims.tsv: party, directory, victim, sector, home network):\n");
	for (int v = 0; v < SIM_NVICTIMS; v++)
		strbuf_addf(b, "  %s/%-20s %-20s %-11s 10.%u.0.0/16\n", sim_victims[v].party,
		            sim_victims[v].dir, sim_victims[v].name, sim_victims[v].sector,
		            sim_victims[v].net);
	strbuf_adds(b,
	            "\nEach victim directory: conn.log, dns.log, ssl.log (Zeek TSV) and eve.json\n"
	            "(Suricata EVE alerts).  Ingest each with\n"
	            "  detente ingest --victim NAME --sector S --home-net 10.N.0.0/16 FILE...\n"
	            "\n"
	            "intel/apt1-campaign.json (STIX 2.1) describes part of the infrastructure of\n"
	            "c01-apt1-shanghai (58.246.0.0/15, 223.166.0.0/15, hugesoft.org,\n"
	            "arrowservice.net; not 112.64.0.0/15, 139.226.0.0/15 nor msnhome.org) and of\n"
	            "c03-uscloud (its certificate and one host; not its domain); nothing about\n"
	            "c02-hosting-easteu.  Signatures other than ET SCAN (sid 2001219) are made-up\n"
	            "local rules; JA3 and certificate hashes are synthetic.\n");
}

enum dt_err sim_generate(const char *dir, const struct sim_opts *o, struct sim_result *r,
                         sim_progress_fn *progress, void *pctx, struct dt_diag *d)
{
	struct sim_asndata a;
	struct sim_world w;
	struct sim_recs rs = {0};
	struct strbuf b;
	char tmp[4096], path[4200];
	struct run u = {.tmp = tmp, .w = &w, .r = r, .progress = progress, .pctx = pctx};
	enum dt_err err;
	int st;

	memset(r, 0, sizeof(*r));
	if (o->scale < 1 || o->scale > SIM_MAX_SCALE) {
		dt_diag_set(d, "", 0, "scale %u is not in 1..%u", o->scale, SIM_MAX_SCALE);
		return DT_EINVAL;
	}
	if ((st = dir_state(dir)) < 0) {
		dt_diag_set(d, dir, 0, "exists and is not an empty directory; choose another");
		return DT_EEXIST;
	}
	if ((err = sim_asn_load(o->asn_csv, &a, d)) != DT_OK)
		return err;
	if ((err = sim_world_init(&w, &a, o->seed, o->scale, d)) != DT_OK) {
		if (d->file[0] == '\0')
			snprintf(d->file, sizeof(d->file), "%s", o->asn_csv);
		sim_world_free(&w);
		sim_asn_free(&a);
		return err;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", dir, (long)getpid());
	rm_tree(tmp);
	if (mkdir(tmp, 0777) != 0) {
		dt_diag_set(d, tmp, 0, "cannot create: %s", strerror(errno));
		err = DT_EIO;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/truth.tsv", tmp);
	if (out_open(&u.truth, path, &r->bytes)) {
		dt_diag_set(d, path, 0, "cannot create: %s", strerror(errno));
		err = DT_EIO;
		goto fail;
	}
	for (unsigned v = 0; v < SIM_NVICTIMS && !err; v++)
		err = write_victim(&u, v, &rs, d);
	if (out_close(&u.truth) && !err) {
		dt_diag_set(d, path, 0, "write failed: %s", strerror(errno));
		err = DT_EIO;
	}
	if (err)
		goto fail;

	strbuf_init(&b, SIZE_MAX / 2);
	snprintf(path, sizeof(path), "%s/intel", tmp);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/intel/apt1-campaign.json", tmp);
	err = sim_stix(&b, &w);
	if (!err)
		err = write_text(path, &b, &r->bytes, d);
	strbuf_reset(&b);
	strbuf_adds(&b, "party\tdirectory\tvictim\tsector\thome_net\n");
	for (int v = 0; v < SIM_NVICTIMS; v++)
		strbuf_addf(&b, "%s\t%s/%s\t%s\t%s\t10.%u.0.0/16\n", sim_victims[v].party,
		            sim_victims[v].party, sim_victims[v].dir, sim_victims[v].name,
		            sim_victims[v].sector, sim_victims[v].net);
	snprintf(path, sizeof(path), "%s/victims.tsv", tmp);
	if (!err)
		err = write_text(path, &b, &r->bytes, d);
	strbuf_reset(&b);
	readme(&b, o, r, a.sha256);
	snprintf(path, sizeof(path), "%s/README", tmp);
	if (!err)
		err = write_text(path, &b, &r->bytes, d);
	strbuf_release(&b);
	if (err)
		goto fail;
	if ((st == 1 && rmdir(dir) != 0) || rename(tmp, dir) != 0) {
		dt_diag_set(d, dir, 0, "cannot rename '%s' into place: %s", tmp, strerror(errno));
		err = DT_EIO;
		goto fail;
	}
	goto out;
fail:
	rm_tree(tmp);
out:
	free(rs.v);
	sim_world_free(&w);
	sim_asn_free(&a);
	return err;
}
