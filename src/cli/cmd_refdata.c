/*
 * cmd_refdata.c — `detente refdata build|show`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/limits.h"
#include <unistd.h>

#include "core/strbuf.h"
#include "ledger/ledger.h"
#include "geo/answer.h"
#include "geo/refdata.h"

static const char build_usage[] =
    "usage: detente refdata build [--defaults] [--country FILE]... [--asn FILE]...\n"
    "                             [--mmdb FILE]... [--warninglist [FLAG=]FILE]...\n"
    "                             [--json] [--quiet]\n"
    "\n"
    "Compile reference data into one immutable attribution index named by the\n"
    "SHA-256 of its content, record its inputs, and make it the active snapshot.\n"
    "Without input options the installed defaults are used: Debian tor-geoipdb\n"
    "(/usr/share/tor/geoip, geoip6) and npm @ip-location-db/asn (asn-ipv4.csv,\n"
    "asn-ipv6.csv).  Inputs are layered in the order given: where two answer the\n"
    "same address, the later one wins; flags accumulate.\n"
    "\n"
    "  --defaults           the default inputs, at this position\n"
    "  --country FILE       start,end,CC ranges (Tor geoip/geoip6 format)\n"
    "  --asn FILE           start,end,asn,organisation CSV (ip-location-db)\n"
    "  --mmdb FILE          MaxMind DB: country, ASN and organisation fields\n"
    "  --warninglist [FLAG=]FILE\n"
    "                       MISP warning list of CIDRs; sets FLAG (default: from\n"
    "                       the list's name: cloud, vpn, public-dns, sinkhole...)\n"
    "  --json               print the snapshot manifest as JSON\n"
    "  -q, --quiet          no summary; rejected records are still reported\n";

static const char dump_usage[] =
    "usage: detente refdata dump [--family 4|6]\n"
    "\n"
    "Print the active snapshot as the partition it encodes, one interval a line,\n"
    "tab-separated: first, last, country, asn, as_org, flags (unknown: -).  Two\n"
    "parties can diff their dumps to see exactly where their references differ.\n";

static const char show_usage[] =
    "usage: detente refdata show [--json]\n"
    "\n"
    "Show the active snapshot: digest, inputs (paths, sizes, SHA-256, licences\n"
    "and required attribution), and counts.\n";

static int do_build(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"defaults", no_argument, NULL, 'D'},
	    {"country", required_argument, NULL, 'c'},
	    {"asn", required_argument, NULL, 'a'},
	    {"mmdb", required_argument, NULL, 'm'},
	    {"warninglist", required_argument, NULL, 'w'},
	    {"json", no_argument, NULL, 'j'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	struct refdata_input in[REFDATA_MAX_INPUTS];
	char flags[REFDATA_MAX_INPUTS][GEO_MAX_FLAG_NAME];
	char dir[1100], datadir[1024];
	struct cli_warn ws = {0};
	struct refdata_built res;
	struct dt_diag diag;
	size_t n = 0;
	bool json = false, quiet = false;
	int ch;
	enum dt_err err;

	dt_diag_clear(&diag);
	while ((ch = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		if (n >= REFDATA_MAX_INPUTS - 4) {
			cli_error("refdata build: more than %d inputs", REFDATA_MAX_INPUTS - 4);
			return EXIT_USAGE;
		}
		switch (ch) {
		case 'D': {
			size_t k = 0;

			cli_datadir(datadir, sizeof(datadir));
			if (refdata_defaults(datadir, in + n, REFDATA_MAX_INPUTS - n, &k, &diag)) {
				cli_diag(&diag);
				cli_error("run 'scripts/bootstrap' or 'make demo' to install them");
				return EXIT_USAGE;
			}
			if (diag.msg[0])
				cli_diag(&diag);
			n += k;
			break;
		}
		case 'c': in[n++] = (struct refdata_input){GEO_IN_COUNTRY, optarg, NULL}; break;
		case 'a': in[n++] = (struct refdata_input){GEO_IN_ASN, optarg, NULL}; break;
		case 'm': in[n++] = (struct refdata_input){GEO_IN_MMDB, optarg, NULL}; break;
		case 'w': {
			const char *eq = strchr(optarg, '=');
			const char *flag = NULL, *path = optarg;

			if (eq && eq != optarg && (size_t)(eq - optarg) < GEO_MAX_FLAG_NAME &&
			    strcspn(optarg, "/") > (size_t)(eq - optarg)) {
				snprintf(flags[n], sizeof(flags[n]), "%.*s", (int)(eq - optarg),
				         optarg);
				flag = flags[n];
				path = eq + 1;
			}
			in[n++] = (struct refdata_input){GEO_IN_WARNINGLIST, path, flag};
			break;
		}
		case 'j': json = true; break;
		case 'q': quiet = true; break;
		case 'h': fputs(build_usage, stdout); return 0;
		default: fputs(build_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("refdata build: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (n == 0) {
		cli_datadir(datadir, sizeof(datadir));
		if (refdata_defaults(datadir, in, REFDATA_MAX_INPUTS, &n, &diag)) {
			cli_diag(&diag);
			cli_error("run 'scripts/bootstrap' or 'make demo' to install them");
			return EXIT_USAGE;
		}
		if (diag.msg[0])
			cli_diag(&diag);
	}
	if (refdata_dir(c->db, dir, sizeof(dir))) {
		cli_error("database path too long");
		return EXIT_USAGE;
	}
	dt_diag_clear(&diag);
	err = refdata_build(dir, in, n, cli_warn, &ws, &res, &diag);
	cli_warn_flush(&ws);
	if (err) {
		cli_diag(&diag);
		return EXIT_USAGE;
	}
	if (json) {
		json_t *m = NULL;

		if (refdata_show(dir, &m, &diag) == DT_OK) {
			json_dumpf(m, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
			json_decref(m);
		}
	} else if (!quiet) {
		printf("refdata sha256:%s active\n", res.index.hex);
		printf("  %s (%llu bytes)\n", res.index.path, (unsigned long long)res.index.bytes);
		printf("  %zu inputs, %llu ranges, %llu rejected\n", res.ninputs, res.records,
		       res.rejected);
		printf("  %u IPv4 and %u IPv6 intervals, %u distinct answers, %u organisations\n",
		       res.index.intervals4, res.index.intervals6, res.index.infos, res.index.orgs);
	}
	{
		/* an initialised node records the snapshot in its ledger */
		struct ledger *l = NULL;
		struct dt_diag ld;

		dt_diag_clear(&ld);
		if (access(c->db, F_OK) == 0 && ledger_open(c->db, &l, &ld) == DT_OK) {
			struct ledger_entry_in e = {.kind = "refdata", .tlp = "CLEAR"};
			char about[200];
			uint64_t idx;
			bool existed;

			for (int i = 0; i < 32; i++)
				sscanf(res.index.hex + 2 * i, "%2hhx", &e.sha256[i]);
			e.size = res.index.bytes;
			snprintf(about, sizeof(about),
			         "reference data snapshot sha256:%.64s from %zu inputs",
			         res.index.hex, res.ninputs);
			e.about = about;
			if (ledger_append(l, &e, 1, true, &idx, &existed, &ld))
				cli_diag(&ld);
			else if (!quiet && !json)
				printf("  ledger entry %llu%s\n", (unsigned long long)idx,
				       existed ? " (already recorded)" : "");
			ledger_close(l);
		}
	}
	return res.rejected ? EXIT_REJECTED : 0;
}

static void print_text(json_t *m)
{
	json_t *in, *counts = json_object_get(m, "counts"), *v;
	size_t i;

	printf("snapshot   %s\n", json_string_value(json_object_get(m, "digest")));
	printf("file       %s\n", json_string_value(json_object_get(m, "path")));
	if ((v = json_object_get(m, "built_at")))
		printf("built      %s by %s\n", json_string_value(v),
		       json_string_value(json_object_get(m, "built_by")));
	printf("verified   %s\n", json_is_true(json_object_get(m, "verified"))
	                              ? "yes (content matches its name)"
	                              : "NO: content does not match its name");
	if (counts) {
		printf(
		    "counts     %lld IPv4 intervals, %lld IPv6 intervals, %lld distinct answers, "
		    "%lld organisations\n",
		    json_integer_value(json_object_get(counts, "intervals_v4")),
		    json_integer_value(json_object_get(counts, "intervals_v6")),
		    json_integer_value(json_object_get(counts, "answers")),
		    json_integer_value(json_object_get(counts, "organisations")));
		printf("flags     ");
		json_array_foreach(json_object_get(counts, "flags"), i, v)
		    printf(" %s", json_string_value(v));
		printf("\n");
	}
	printf("inputs\n");
	json_array_foreach(json_object_get(m, "inputs"), i, in)
	{
		const char *lic = json_string_value(json_object_get(in, "licence"));
		const char *flag = json_string_value(json_object_get(in, "flag"));

		printf("  %-11s %s\n", json_string_value(json_object_get(in, "kind")),
		       json_string_value(json_object_get(in, "path")));
		printf("              %lld bytes, sha256:%s\n",
		       json_integer_value(json_object_get(in, "bytes")),
		       json_string_value(json_object_get(in, "sha256")));
		printf("              %lld ranges used, %lld rejected%s%s\n",
		       json_integer_value(json_object_get(in, "records")),
		       json_integer_value(json_object_get(in, "rejected")), flag ? ", flag " : "",
		       flag ? flag : "");
		printf("              licence: %s\n",
		       lic ? lic : "unknown (not stated by the input)");
	}
}

static int do_show(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	char dir[1100];
	struct dt_diag diag;
	json_t *m;
	bool json = false;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = true; break;
		case 'h': fputs(show_usage, stdout); return 0;
		default: fputs(show_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("refdata show: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	dt_diag_clear(&diag);
	if (refdata_dir(c->db, dir, sizeof(dir)) || refdata_show(dir, &m, &diag)) {
		cli_diag(&diag);
		return EXIT_USAGE;
	}
	if (json) {
		json_dumpf(m, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	} else {
		print_text(m);
	}
	json_decref(m);
	return 0;
}

static int do_dump(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"family", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	struct geo_index *ix = NULL;
	struct geo_stats st;
	struct dt_diag diag;
	struct strbuf out;
	char dir[1100];
	bool v4 = true, v6 = true;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			v4 = strcmp(optarg, "4") == 0;
			v6 = strcmp(optarg, "6") == 0;
			if (!v4 && !v6) {
				cli_error("refdata dump: --family is 4 or 6, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': fputs(dump_usage, stdout); return 0;
		default: fputs(dump_usage, stderr); return EXIT_USAGE;
		}
	}
	dt_diag_clear(&diag);
	if (refdata_dir(c->db, dir, sizeof(dir)) || refdata_open_active(dir, &ix, &diag)) {
		cli_diag(&diag);
		return EXIT_USAGE;
	}
	geo_index_stats(ix, &st);
	strbuf_init(&out, 1u << 24);
	for (int fam = 0; fam < 2; fam++) {
		uint8_t family = fam == 0 ? DT_IP_V4 : DT_IP_V6;
		uint32_t n = fam == 0 ? st.intervals4 : st.intervals6;

		if ((fam == 0 && !v4) || (fam == 1 && !v6))
			continue;
		for (uint32_t i = 0; i < n; i++) {
			struct geo_answer a;
			dt_u128 first, last;

			geo_index_interval(ix, family, i, &first, &last, &a);
			geo_answer_dump_row(&out, ix, family, first, last, &a);
			if (out.len > (1u << 16)) {
				if (fwrite(out.p, 1, out.len, stdout) != out.len)
					rc = EXIT_USAGE;
				strbuf_reset(&out);
			}
		}
	}
	if (fwrite(out.p ? out.p : "", 1, out.len, stdout) != out.len || fflush(stdout))
		rc = EXIT_USAGE;
	strbuf_release(&out);
	geo_index_free(ix);
	return rc;
}

int cmd_refdata(struct cli *c, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(build_usage, argc < 2 ? stderr : stdout);
		fputs("\n", argc < 2 ? stderr : stdout);
		fputs(show_usage, argc < 2 ? stderr : stdout);
		fputs("\n", argc < 2 ? stderr : stdout);
		fputs(dump_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "build") == 0)
		return do_build(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return do_show(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "dump") == 0)
		return do_dump(c, argc - 1, argv + 1);
	cli_error("refdata: unknown subcommand '%s' (build, show, dump)", argv[1]);
	return EXIT_USAGE;
}
