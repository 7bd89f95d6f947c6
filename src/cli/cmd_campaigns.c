/*
 * cmd_campaigns.c — `detente campaigns`: the stored events grouped into
 * campaigns (analysis/campaigns.h), as text, JSON lines (report/model.h)
 * or the membership of every event.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/campaigns.h"
#include "cli/cli.h"
#include "cli/cli_analysis.h"
#include "core/strbuf.h"
#include "report/model.h"

static const char usage[] =
    "usage: detente campaigns [--json | --members] [--window DAYS] [--guard-ips N]\n"
    "                         [--guard-asns N] [--min-victims N]\n"
    "\n"
    "Group the stored events of every victim into campaigns by shared\n"
    "infrastructure and indicators, and say why each member was joined.\n"
    "Links (weight; a join needs 1.0): the same remote address, connection\n"
    "(Zeek uid / EVE flow_id), host name, registrable domain, certificate,\n"
    "JA3, file hash or intel actor (1.0 each); the same /24 (/48) in one time\n"
    "window, the same ASN, signature and target service (0.5 each, joined in\n"
    "pairs).  Values shared by very many unrelated events join nothing:\n"
    "resolvers, anonymisers, sinkholes, warning-listed values, keys of more\n"
    "than N remote addresses, signatures seen from more than N ASNs.  A group\n"
    "with hostile evidence (an alert or intel sighting) at two or more\n"
    "victims, or named by intel, is a campaign.  Run `detente match` first so\n"
    "that sightings count.  See docs/report.md.\n"
    "\n"
    "  --json           one JSON object per campaign (id, events, remote_ips,\n"
    "                   victims, countries, asns, links, assessment ...)\n"
    "  --members        TSV: submission, record, campaign of every event in one\n"
    "  --window DAYS    time window of the /24 links (default 7)\n"
    "  --guard-ips N    a value of more remote addresses joins nothing (256)\n"
    "  --guard-asns N   a signature from more ASNs joins nothing (16)\n"
    "  --min-victims N  victims an attack needs to be a campaign (2)\n"
    "\n"
    "exit status: 0 success, 2 usage or setup error\n";

static void print_text(const struct campaign_set *cs, const struct report_model *m)
{
	printf("%zu events: %llu in attacks, %zu campaigns\n", cs->nev,
	       (unsigned long long)cs->attack_events, cs->nc);
	for (size_t i = 0; i < cs->nc; i++) {
		const struct campaign *c = &cs->c[i];
		const struct assessment *a = &m->camp[i];

		printf("\n%s  %s\n", c->id, a->title);
		printf(
		    "  %zu events (%llu hostile), %zu remote IPs, %zu /24s, %zu ASNs, %zu victims, "
		    "%s to %s\n",
		    c->nev, (unsigned long long)a->hostile, a->nips, a->nprefixes, a->nasns,
		    a->nvictims, a->first, a->last);
		printf("  confidence %s; office hours fit best at UTC%s (%.0f%% of events)\n",
		       a->confidence, a->tz_best, 100 * a->tz_share);
		for (size_t j = 0; j < c->nlinks && j < 6; j++)
			printf("  link %-22s %s (%u events, %u addresses)\n",
			       link_kind_name(c->links[j].kind), cs_str(cs, c->links[j].value),
			       c->links[j].events, c->links[j].members);
	}
}

int cmd_campaigns(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"members", no_argument, NULL, 'm'},
	    {"window", required_argument, NULL, 'W'},
	    {"guard-ips", required_argument, NULL, 'G'},
	    {"guard-asns", required_argument, NULL, 'A'},
	    {"min-victims", required_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	struct campaign_opts o;
	struct analysis an;
	bool json = false, members = false;
	int ch, rc = 0;

	campaign_opts_init(&o);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = true; break;
		case 'm': members = true; break;
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
	if (optind != argc || (json && members)) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (cli_analysis_run(c, &o, &an))
		return EXIT_USAGE;
	if (members) {
		printf("submission\trecord\tcampaign\n");
		for (size_t e = 0; e < an.cs->nev; e++) {
			const struct cs_event *ev = &an.cs->ev[e];

			printf("%s\t%u\t%s\n", an.cs->sub[ev->sub].digest, ev->record,
			       an.cs->camp[e] >= 0 ? an.cs->c[an.cs->camp[e]].id : "-");
		}
	} else if (json) {
		struct strbuf b;

		strbuf_init(&b, SIZE_MAX);
		for (size_t i = 0; i < an.cs->nc && !rc; i++) {
			strbuf_reset(&b);
			if (report_campaign_json(&b, &an.model, i) || strbuf_addc(&b, '\n')) {
				cli_error("out of memory");
				rc = EXIT_USAGE;
				break;
			}
			fwrite(b.p, 1, b.len, stdout);
		}
		strbuf_release(&b);
	} else {
		print_text(an.cs, &an.model);
	}
	cli_analysis_release(&an);
	if (fflush(stdout) != 0) {
		cli_error("writing the output failed");
		return EXIT_USAGE;
	}
	return rc;
}
