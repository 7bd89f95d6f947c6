/*
 * cmd_taxii.c — `detente taxii`: load a medallion-format TAXII data file
 * into the node database for `detente serve`, and list what is served
 * (server/taxii.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "server/taxii.h"

static const char usage[] =
    "usage: detente taxii load FILE\n"
    "       detente taxii list\n"
    "\n"
    "The TAXII 2.1 server of 'detente serve' (under /taxii2/).\n"
    "  load FILE   load a data file in the shape of the OASIS reference server\n"
    "              medallion's (API roots with their information, collections,\n"
    "              objects, manifests and statuses, and \"/discovery\"); the API\n"
    "              roots it names are replaced, others are kept\n"
    "  list        API roots and collections: id, alias, rights, objects\n"
    "The API root 'detente' is this node's own: 'indicators' (its STIX export at\n"
    "the reader's TLP, read-only) and 'inbox' (peers' STIX objects, write-only,\n"
    "imported into the node's intelligence).\n"
    "\n"
    "exit status: 0 success, 1 some records rejected, 2 usage or setup error\n";

/* Declared here until cli.h declares it beside the other commands. */
int cmd_taxii(struct cli *c, int argc, char **argv);

static void print(void *ctx, const char *root, const char *title, const char *coll,
                  const char *alias, bool can_read, bool can_write, uint64_t objects)
{
	(void)ctx;
	if (coll == NULL) {
		printf("%s\t%s\n", root, title ? title : "");
		return;
	}
	printf("  %s\t%s\t%s%s\t%llu objects\t%s\n", coll, alias && *alias ? alias : "-",
	       can_read ? "r" : "-", can_write ? "w" : "-", (unsigned long long)objects,
	       title ? title : "");
}

int cmd_taxii(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	struct dt_diag d;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	dt_diag_clear(&d);
	if (optind + 2 == argc && strcmp(argv[optind], "load") == 0) {
		struct taxii_load_report rep;
		struct cli_warn w;
		enum dt_err err;

		memset(&w, 0, sizeof(w));
		err = taxii_load_file(c->db, argv[optind + 1], cli_warn, &w, &rep, &d);
		cli_warn_flush(&w);
		if (err) {
			cli_diag(&d);
			return EXIT_USAGE;
		}
		printf("%s: %llu API roots, %llu collections, %llu objects, %llu statuses loaded",
		       argv[optind + 1], (unsigned long long)rep.roots,
		       (unsigned long long)rep.collections, (unsigned long long)rep.objects,
		       (unsigned long long)rep.statuses);
		if (rep.rejected)
			printf(", %llu rejected", (unsigned long long)rep.rejected);
		putchar('\n');
		return rep.rejected ? EXIT_REJECTED : 0;
	}
	if (optind + 1 == argc && strcmp(argv[optind], "list") == 0) {
		if (taxii_list(c->db, print, NULL, &d)) {
			cli_diag(&d);
			return EXIT_USAGE;
		}
		return 0;
	}
	fputs(usage, stderr);
	return EXIT_USAGE;
}
