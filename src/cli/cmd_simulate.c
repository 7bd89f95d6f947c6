/*
 * cmd_simulate.c — `detente simulate [--seed N] [--scale S] DIR`: write a
 * reproducible two-party exercise with ground truth (src/sim/sim.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "sim/sim.h"

static const char simulate_usage[] =
    "usage: detente simulate [--seed N] [--scale S] [--asn FILE] DIR\n"
    "\n"
    "Write a reproducible two-party exercise with ground truth into DIR (which\n"
    "must not exist, or be empty): for three victims of each party (party-a:\n"
    "media, finance, technology; party-b: government, energy, education) Zeek\n"
    "conn.log, dns.log, ssl.log (TSV) and Suricata eve.json alerts holding\n"
    "  c01-apt1-shanghai   APT1-style C2 in the four China Unicom Shanghai /15s\n"
    "                      (hugesoft.org, arrowservice.net, msnhome.org), at\n"
    "                      victims of both parties, Mon-Fri office hours UTC+8\n"
    "  c02-hosting-easteu  exploitation from Eastern-European hosting ASNs\n"
    "  c03-uscloud         C2 on US cloud hosts: one JA3, one certificate\n"
    "  noise-scan          SSH scanning from many sources, one signature\n"
    "  noise-anon          Tor exits and VPN hosting\n"
    "  benign              public resolvers, popular CDN and cloud sites\n"
    "plus intel/apt1-campaign.json (STIX 2.1 indicators for part of c01 and\n"
    "c03), truth.tsv (file, line, label for every record), victims.tsv (what\n"
    "to pass to `detente ingest`) and README.  Hosting, cloud, Tor and VPN\n"
    "addresses are real ranges of those ASNs in the installed ASN data.  The\n"
    "same seed, scale and ASN data give byte-identical files.\n"
    "\n"
    "  --seed N    the exercise's seed (default 1)\n"
    "  --scale S   multiply event counts (default 1: about 20,000 events;\n"
    "              100: about 2 million)\n"
    "  --asn FILE  ASN ranges (start,end,asn,org; numeric addresses); default:\n"
    "              ip-location-db-asn/asn-ipv4-num.csv in the data directory\n"
    "              ($DETENTE_DATA_DIR, installed by scripts/bootstrap)\n"
    "\n"
    "exit status: 0 success, 2 usage or setup error (DIR not empty, no ASN data)\n";

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static void show(void *ctx, uint64_t events)
{
	progress_update(ctx, 0, events);
}

int cmd_simulate(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"seed", required_argument, NULL, 's'},
	    {"scale", required_argument, NULL, 'x'},
	    {"asn", required_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	struct sim_opts o = {.seed = 1, .scale = 1};
	struct sim_result r;
	struct progress p;
	struct dt_diag d;
	char datadir[1024], asn[1200];
	uint64_t v;
	struct timespec t0, t1;
	double secs;
	int ch;
	enum dt_err err;

	(void)c;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (parse_u64(optarg, UINT64_MAX, &o.seed)) {
				cli_error("simulate: --seed '%s' is not a non-negative integer",
				          optarg);
				return EXIT_USAGE;
			}
			break;
		case 'x':
			if (parse_u64(optarg, SIM_MAX_SCALE, &v) || v == 0) {
				cli_error("simulate: --scale '%s' is not an integer in 1..%u",
				          optarg, SIM_MAX_SCALE);
				return EXIT_USAGE;
			}
			o.scale = (unsigned)v;
			break;
		case 'a': o.asn_csv = optarg; break;
		case 'h': fputs(simulate_usage, stdout); return 0;
		default: fputs(simulate_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fputs(simulate_usage, stderr);
		return EXIT_USAGE;
	}
	if (o.asn_csv == NULL) {
		cli_datadir(datadir, sizeof(datadir));
		snprintf(asn, sizeof(asn), "%s/ip-location-db-asn/asn-ipv4-num.csv", datadir);
		o.asn_csv = asn;
	}
	dt_diag_clear(&d);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	progress_init(&p, "simulate", 0);
	err = sim_generate(argv[optind], &o, &r, show, &p, &d);
	progress_done(&p);
	if (err) {
		cli_diag(&d);
		if (err == DT_ENOTFOUND)
			cli_error("simulate: run scripts/bootstrap (or set $DETENTE_DATA_DIR, or "
			          "pass --asn FILE) to install the ASN data");
		return EXIT_USAGE;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%s: %llu events in %u files of %u victims (seed %llu, scale %u), %.1f MB in "
	       "%.2f s\n",
	       argv[optind], (unsigned long long)r.events, r.files, r.victims,
	       (unsigned long long)o.seed, o.scale, (double)r.bytes / 1e6, secs);
	for (int l = 0; l < SIM_NLABELS; l++)
		printf("  %-18s %llu\n", sim_label_names[l], (unsigned long long)r.by_label[l]);
	printf("ground truth: %s/truth.tsv; intel: %s/intel/apt1-campaign.json\n", argv[optind],
	       argv[optind]);
	return 0;
}
