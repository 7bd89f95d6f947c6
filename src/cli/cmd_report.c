/*
 * cmd_report.c — `detente report`: the joint attribution report as JSON
 * (the model, report/model.h), Markdown or one self-contained HTML file
 * (report/render.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_analysis.h"
#include "report/render.h"

static const char usage[] =
    "usage: detente report [--format json|md|html] [-o FILE] [--window DAYS]\n"
    "                      [--guard-ips N] [--guard-asns N] [--min-victims N]\n"
    "\n"
    "Write the joint attribution report over every stored event (this node's\n"
    "and the peers' mirrored ones): totals, origins by every unit of counting\n"
    "(events, distinct remote IPs, /24s, ASNs, victims), the share of weak\n"
    "evidence (cloud, VPN, Tor, sinkhole, resolvers, bogons), activity by hour\n"
    "and weekday, and each campaign with the links that joined it, its\n"
    "working-hours time zone, an ICD 203 confidence and competing hypotheses.\n"
    "Every figure cites the ledger entries it rests on (party, index, leaf\n"
    "hash), the checkpoint and the refdata snapshots.  The JSON is\n"
    "deterministic: the same ledgers and refdata give the same bytes.  The\n"
    "grouping options are those of `detente campaigns`.  See docs/report.md.\n"
    "\n"
    "  --format F   json (default), md, or html (one self-contained file)\n"
    "  -o FILE      write FILE (whole, then renamed into place); default stdout\n"
    "\n"
    "exit status: 0 success, 2 usage or setup error\n";

int cmd_report(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"window", required_argument, NULL, 'W'},
	    {"guard-ips", required_argument, NULL, 'G'},
	    {"guard-asns", required_argument, NULL, 'A'},
	    {"min-victims", required_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	struct campaign_opts o;
	struct analysis an;
	struct strbuf json, doc, *out = &json;
	struct dt_diag d;
	const char *format = "json", *outp = NULL;
	int ch, rc = 0;

	campaign_opts_init(&o);
	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': format = optarg; break;
		case 'o': outp = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'W':
		case 'G':
		case 'A':
		case 'V':
			if (cli_campaign_opts(ch, optarg, &o))
				return EXIT_USAGE;
			break;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(format, "json") && strcmp(format, "md") && strcmp(format, "html")) {
		cli_error("unknown report format '%s' (json, md, html)", format);
		return EXIT_USAGE;
	}
	if (cli_analysis_run(c, &o, &an))
		return EXIT_USAGE;
	strbuf_init(&json, SIZE_MAX / 2);
	strbuf_init(&doc, SIZE_MAX / 2);
	dt_diag_clear(&d);
	if (report_json(&json, &an.model)) {
		cli_error("report: out of memory");
		rc = EXIT_USAGE;
		goto out;
	}
	if (strcmp(format, "json") != 0) {
		enum dt_err err = format[0] == 'm' ? report_render_md(json.p, json.len, &doc, &d)
		                                   : report_render_html(json.p, json.len, &doc, &d);

		if (err) {
			cli_diag(&d);
			rc = EXIT_USAGE;
			goto out;
		}
		out = &doc;
	}
	if (outp) {
		char tmp[4200];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", outp, (long)getpid());
		if ((f = fopen(tmp, "w")) == NULL || fwrite(out->p, 1, out->len, f) != out->len ||
		    fclose(f) != 0 || rename(tmp, outp) != 0) {
			cli_error("report: cannot write '%s'", outp);
			unlink(tmp);
			rc = EXIT_USAGE;
			goto out;
		}
		fprintf(stderr, "detente: report (%s) of %zu campaigns over %zu events in %s\n",
		        format, an.cs->nc, an.cs->nev, outp);
	} else if (fwrite(out->p, 1, out->len, stdout) != out->len || fflush(stdout) != 0) {
		cli_error("report: writing the output failed");
		rc = EXIT_USAGE;
	}
out:
	strbuf_release(&json);
	strbuf_release(&doc);
	cli_analysis_release(&an);
	return rc;
}
