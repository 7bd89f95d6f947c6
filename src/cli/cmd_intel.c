/*
 * cmd_intel.c — `detente intel import|export|list` and `detente match`.
 */
#include <getopt.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "intel/db.h"
#include "intel/export.h"
#include "intel/match.h"
#include "ledger/ledger.h"
#include "store/store.h"

static const char intel_usage[] =
    "usage: detente intel import [--format F] [--tlp LEVEL] [--categories FILE] FILE|DIR...\n"
    "       detente intel export [--tlp LEVEL] [-o FILE]\n"
    "       detente intel list [--json] [--unsupported] [--benign]\n"
    "\n"
    "Threat intelligence.  `import` reads indicators and what they point at;\n"
    "each file becomes a signed ledger entry (kind intel), its indicators rows\n"
    "of the node's database; importing a file again adds nothing.  Formats\n"
    "(told from the first bytes, or --format):\n"
    "  stix         STIX 2.1 bundle: indicators (patterns over addresses, CIDRs,\n"
    "               domains, URLs, file and certificate hashes), intrusion sets,\n"
    "               campaigns, threat actors, identities, malware, relationships\n"
    "  misp         MISP event JSON (attributes, objects, tags, galaxy clusters)\n"
    "  misp-galaxy  MISP galaxy cluster file (threat actors and their synonyms)\n"
    "  zeek         Zeek Intel framework file\n"
    "  iprep        Suricata IP reputation list (--categories names its\n"
    "               categories file)\n"
    "  warninglist  MISP warning list: known-benign values; sightings of them\n"
    "               are suppressed, never counted as hostile\n"
    "A directory is a MISP feed: each event its manifest.json lists is imported.\n"
    "Patterns detente cannot evaluate are kept and counted as unsupported.\n"
    "\n"
    "`export` writes a STIX 2.1 bundle on stdout (or FILE): indicators at or\n"
    "below the TLP, sightings of them, the actors they indicate, TLP 2.0\n"
    "markings; deterministic ids.  `list` prints the stored indicators.\n"
    "\n"
    "  --format F        auto (default), stix, misp, misp-galaxy, zeek, iprep,\n"
    "                    warninglist\n"
    "  --tlp LEVEL       import: for records without a marking (default AMBER);\n"
    "                    export: the highest level that may leave (default GREEN)\n"
    "  --categories FILE Suricata iprep categories (id,short name,description)\n"
    "  -o FILE           export to FILE (written whole, then renamed into place)\n"
    "\n"
    "exit status: 0 success, 1 some records rejected, 2 usage or setup error\n";

static const char match_usage[] =
    "usage: detente match [--json]\n"
    "\n"
    "Match stored events against stored indicators and record sightings:\n"
    "addresses and CIDRs (both endpoints), domains with their parents (evil.com\n"
    "matches a.b.evil.com), URLs, file and certificate hashes, JA3.  Runs are\n"
    "incremental both ways: events not yet matched meet every indicator, and\n"
    "older events meet the indicators imported since (retro-hunt).  Sightings\n"
    "of private addresses or of values on a warning list are kept but marked\n"
    "suppressed.  `events --json` shows each event's sightings.\n"
    "\n"
    "  --json   print the summary as one JSON object\n";

static void show_progress(void *ctx, uint64_t events)
{
	progress_update(ctx, 0, events);
}

static void print_import(const char *path, const struct intel_import_result *r)
{
	if (r->already) {
		printf("%s: already imported as ledger entry %llu; nothing added\n", path,
		       (unsigned long long)r->entry);
		return;
	}
	printf("%s: %s, %llu indicators (%llu unsupported, %llu benign, %llu private), "
	       "%llu objects, %llu relationships, %llu rejected; ledger entry %llu\n",
	       path, r->format, (unsigned long long)r->indicators,
	       (unsigned long long)r->unsupported, (unsigned long long)r->benign,
	       (unsigned long long)r->private_, (unsigned long long)r->objects,
	       (unsigned long long)r->relations, (unsigned long long)r->counts.rejected,
	       (unsigned long long)r->entry);
	for (int i = 0; i < INTEL_MAX_REASONS && r->reason_n[i]; i++)
		printf("  unsupported: %llu %s\n", (unsigned long long)r->reason_n[i],
		       r->reason[i]);
	if (r->duplicates)
		printf("  %llu repeated indicators stored once\n",
		       (unsigned long long)r->duplicates);
	if (r->private_)
		printf("  %llu indicators name private or reserved addresses: flagged, their "
		       "sightings never hostile\n",
		       (unsigned long long)r->private_);
	if (r->dangling)
		printf("  %llu relationships refer to objects no import holds (first: %s)\n",
		       (unsigned long long)r->dangling, r->dangling_example);
}

static int import(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"tlp", required_argument, NULL, 't'},
	    {"categories", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	struct intel_import_opts o = {.format = "auto"};
	struct ledger *l = NULL;
	struct intel_db *x = NULL;
	struct cli_warn ws = {0};
	struct dt_diag d;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': o.format = optarg; break;
		case 't': o.tlp = optarg; break;
		case 'c': o.categories = optarg; break;
		case 'h': fputs(intel_usage, stdout); return 0;
		default: fputs(intel_usage, stderr); return EXIT_USAGE;
		}
	}
	if (strcmp(o.format, "auto") != 0 && intel_format(o.format) == NULL) {
		cli_error(
		    "intel import: --format '%s' is not one of auto, stix, misp, misp-galaxy, "
		    "zeek, iprep, warninglist",
		    o.format);
		return EXIT_USAGE;
	}
	if (o.tlp && intel_tlp_rank(o.tlp, strlen(o.tlp)) < 0) {
		cli_error(
		    "intel import: --tlp '%s' is not CLEAR, GREEN, AMBER, AMBER+STRICT or RED",
		    o.tlp);
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		fputs(intel_usage, stderr);
		return EXIT_USAGE;
	}
	dt_diag_clear(&d);
	if (ledger_open(c->db, &l, &d) || intel_db_open(c->db, &x, &d)) {
		cli_diag(&d);
		rc = EXIT_USAGE;
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		struct stat sb;
		char **files = NULL, *one[1] = {argv[i]};
		size_t n = 1;

		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			dt_diag_clear(&d);
			if (intel_feed_files(argv[i], &files, &n, &d)) {
				cli_diag(&d);
				rc = rc ? rc : EXIT_REJECTED;
				continue;
			}
		}
		for (size_t k = 0; k < n; k++) {
			const char *path = files ? files[k] : one[0];
			struct intel_import_result r;

			dt_diag_clear(&d);
			if (intel_import_file(x, l, path, &o, cli_warn, &ws, &r, &d)) {
				cli_diag(&d);
				rc = rc ? rc : EXIT_REJECTED;
				continue;
			}
			cli_warn_flush(&ws);
			print_import(path, &r);
			if (r.counts.rejected || r.warnings)
				rc = rc ? rc : EXIT_REJECTED;
		}
		if (files) {
			for (size_t k = 0; k < n; k++)
				free(files[k]);
			free(files);
		}
	}
out:
	intel_db_close(x);
	ledger_close(l);
	return rc;
}

static int export(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"tlp", required_argument, NULL, 't'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *tlp = "GREEN", *outp = NULL;
	struct ledger *l = NULL;
	struct intel_db *x = NULL;
	struct store *s = NULL;
	struct intel_export_counts n;
	struct strbuf b;
	struct dt_diag d;
	int ch, rc = 0, rank;

	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (ch) {
		case 't': tlp = optarg; break;
		case 'o': outp = optarg; break;
		case 'h': fputs(intel_usage, stdout); return 0;
		default: fputs(intel_usage, stderr); return EXIT_USAGE;
		}
	}
	if ((rank = intel_tlp_rank(tlp, strlen(tlp))) < 0) {
		cli_error(
		    "intel export: --tlp '%s' is not CLEAR, GREEN, AMBER, AMBER+STRICT or RED",
		    tlp);
		return EXIT_USAGE;
	}
	if (optind != argc) {
		fputs(intel_usage, stderr);
		return EXIT_USAGE;
	}
	strbuf_init(&b, SIZE_MAX / 2);
	dt_diag_clear(&d);
	if (ledger_open(c->db, &l, &d) || intel_db_open(c->db, &x, &d) ||
	    store_open(c->db, &s, &d)) {
		cli_diag(&d);
		rc = EXIT_USAGE;
		goto out;
	}
	if (intel_export(x, s, l, rank, &b, &n, &d)) {
		cli_diag(&d);
		rc = EXIT_USAGE;
		goto out;
	}
	if (outp) {
		char tmp[4200];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", outp, (long)getpid());
		if ((f = fopen(tmp, "w")) == NULL || fwrite(b.p, 1, b.len, f) != b.len ||
		    fclose(f) != 0 || rename(tmp, outp) != 0) {
			cli_error("intel export: cannot write '%s'", outp);
			unlink(tmp);
			rc = EXIT_USAGE;
			goto out;
		}
	} else if (fwrite(b.p, 1, b.len, stdout) != b.len) {
		rc = EXIT_USAGE;
		goto out;
	}
	fprintf(stderr,
	        "detente: exported %llu indicators, %llu sightings, %llu actors, %llu "
	        "relationships at TLP:%s or below; %llu indicators withheld (above the TLP)%s\n",
	        (unsigned long long)n.indicators, (unsigned long long)n.sightings,
	        (unsigned long long)n.objects, (unsigned long long)n.relationships,
	        intel_tlp_names[rank], (unsigned long long)n.withheld,
	        n.invalid ? ", some patterns not STIX: left out" : "");
out:
	strbuf_release(&b);
	store_close(s);
	intel_db_close(x);
	ledger_close(l);
	return rc;
}

static int list(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"unsupported", no_argument, NULL, 'u'},
	    {"benign", no_argument, NULL, 'b'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	bool json = false, unsup = false, benign = false;
	struct intel_db *x = NULL;
	struct dt_diag d;
	sqlite3_stmt *st;
	struct strbuf b;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = true; break;
		case 'u': unsup = true; break;
		case 'b': benign = true; break;
		case 'h': fputs(intel_usage, stdout); return 0;
		default: fputs(intel_usage, stderr); return EXIT_USAGE;
		}
	}
	dt_diag_clear(&d);
	if (intel_db_open(c->db, &x, &d)) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	if (sqlite3_prepare_v2(intel_db_handle(x),
	                       "SELECT coalesce(i.stix_id, detente_id(i.type, i.value, i.labels)),"
	                       " i.type, i.value, i.name, i.tlp, i.labels,"
	                       " i.unsupported, i.flags, s.entry, i.benign,"
	                       " coalesce(i.pattern, detente_pattern(i.type, i.value, i.atoms))"
	                       " FROM indicators i JOIN intel_sources s ON s.id = i.source"
	                       " WHERE (?1 = 0 OR i.unsupported IS NOT NULL) AND i.benign = ?2"
	                       " ORDER BY i.id",
	                       -1, &st, NULL) != SQLITE_OK) {
		cli_error("intel list: %s", sqlite3_errmsg(intel_db_handle(x)));
		intel_db_close(x);
		return EXIT_USAGE;
	}
	sqlite3_bind_int(st, 1, unsup);
	sqlite3_bind_int(st, 2, benign);
	strbuf_init(&b, 1 << 24);
	if (!json)
		fputs("id\ttype\tvalue\tname\ttlp\tlabels\tflags\tsource\tunsupported\n", stdout);
	while (sqlite3_step(st) == SQLITE_ROW) {
		static const char *const keys[] = {"id",  "type",   "value",       "name",
		                                   "tlp", "labels", "unsupported", "flags"};
		strbuf_reset(&b);
		if (json) {
			strbuf_addc(&b, '{');
			for (int k = 0; k < 8; k++) {
				const char *v = (const char *)sqlite3_column_text(st, k);

				strbuf_addf(&b, "%s\"%s\":", k ? "," : "", keys[k]);
				if (v) {
					strbuf_addc(&b, '"');
					strbuf_add_json(&b, v, strlen(v));
					strbuf_addc(&b, '"');
				} else {
					strbuf_adds(&b, "null");
				}
			}
			strbuf_addf(&b, ",\"source\":\"%lld\",\"pattern\":",
			            (long long)sqlite3_column_int64(st, 8));
			if (sqlite3_column_text(st, 10)) {
				const char *p = (const char *)sqlite3_column_text(st, 10);

				strbuf_addc(&b, '"');
				strbuf_add_json(&b, p, strlen(p));
				strbuf_addc(&b, '"');
			} else {
				strbuf_adds(&b, "null");
			}
			strbuf_adds(&b, "}\n");
		} else {
			for (int k = 0; k < 6; k++) {
				const char *v = (const char *)sqlite3_column_text(st, k);

				strbuf_adds(&b, v && *v ? v : "-");
				strbuf_addc(&b, '\t');
			}
			strbuf_adds(&b, sqlite3_column_text(st, 7)
			                    ? (const char *)sqlite3_column_text(st, 7)
			                    : "-");
			strbuf_addf(&b, "\t%lld\t%s\n", (long long)sqlite3_column_int64(st, 8),
			            sqlite3_column_text(st, 6)
			                ? (const char *)sqlite3_column_text(st, 6)
			                : "-");
			for (char *p = b.p; p < b.p + b.len - 1; p++)
				if (*p == '\n')
					*p = ' ';
		}
		fwrite(b.p, 1, b.len, stdout);
	}
	sqlite3_finalize(st);
	strbuf_release(&b);
	intel_db_close(x);
	return 0;
}

int cmd_intel(struct cli *c, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(intel_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "import") == 0)
		return import(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return export(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return list(c, argc - 1, argv + 1);
	cli_error("intel: unknown subcommand '%s' (import, export, list)", argv[1]);
	return EXIT_USAGE;
}

int cmd_match(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	struct intel_db *x = NULL;
	struct store *s = NULL;
	struct intel_match_result r;
	struct progress p;
	struct dt_diag d;
	bool json = false;
	uint64_t all = 0, hostile = 0;
	int ch, rc = 0;
	enum dt_err err;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = true; break;
		case 'h': fputs(match_usage, stdout); return 0;
		default: fputs(match_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(match_usage, stderr);
		return EXIT_USAGE;
	}
	dt_diag_clear(&d);
	if (intel_db_open(c->db, &x, &d) || store_open(c->db, &s, &d)) {
		cli_diag(&d);
		rc = EXIT_USAGE;
		goto out;
	}
	progress_init(&p, "match", 0);
	err = intel_match(x, s, &r, show_progress, &p, &d);
	progress_done(&p);
	if (err || store_sighting_counts(s, &all, &hostile, NULL, &d)) {
		cli_diag(&d);
		rc = EXIT_USAGE;
		goto out;
	}
	if (json)
		printf("{\"indicators\":%llu,\"benign\":%llu,\"events\":%llu,\"retro_events\":%llu,"
		       "\"sightings\":%llu,\"hostile\":%llu,\"suppressed\":%llu,"
		       "\"resuppressed\":%llu,\"generation\":%llu,\"total_sightings\":%llu,"
		       "\"total_hostile\":%llu}\n",
		       (unsigned long long)r.indicators, (unsigned long long)r.benign,
		       (unsigned long long)r.events, (unsigned long long)r.retro_events,
		       (unsigned long long)r.sightings, (unsigned long long)r.hostile,
		       (unsigned long long)r.suppressed, (unsigned long long)r.resuppressed,
		       (unsigned long long)r.generation, (unsigned long long)all,
		       (unsigned long long)hostile);
	else
		printf("matched %llu events (%llu of them again, against newer indicators) against "
		       "%llu indicators and %llu warning-list entries: %llu new sightings, %llu "
		       "hostile, %llu suppressed; %llu earlier sightings now suppressed.  Total: "
		       "%llu sightings (%llu hostile)\n",
		       (unsigned long long)r.events, (unsigned long long)r.retro_events,
		       (unsigned long long)r.indicators, (unsigned long long)r.benign,
		       (unsigned long long)r.sightings, (unsigned long long)r.hostile,
		       (unsigned long long)r.suppressed, (unsigned long long)r.resuppressed,
		       (unsigned long long)all, (unsigned long long)hostile);
out:
	store_close(s);
	intel_db_close(x);
	return rc;
}
