/*
 * cmd_share.c — `detente share`: what peers receive of this node's
 * evidence (ingest/derive.h, privacy/sanitize.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/hex.h"
#include "ingest/derive.h"
#include "ingest/formats.h"
#include "ingest/reader.h"
#include "ingest/submit.h"
#include "ledger/ledger.h"
#include "privacy/sanitize.h"

static const char share_usage[] =
    "usage: detente share domain add|remove DOMAIN...\n"
    "       detente share domain list\n"
    "       detente share preview [--format F] [--home-net CIDR,...] [-o OUT] FILE\n"
    "       detente share preview --entry N [-o OUT]\n"
    "       detente share sanitize [--json]\n"
    "       detente share pseudonym [--home-net CIDR,...] [--user] VALUE...\n"
    "\n"
    "What a peer receives of this node's evidence.  A submission's file never\n"
    "leaves the node: peers get a sanitized copy in the same format, in which\n"
    "  - addresses inside the victim's home networks are pseudonymized with\n"
    "    Crypto-PAn (prefix-preserving: a shared /24 stays a shared /24),\n"
    "  - host names under the home domains become h-<hash>.d-<hash>.invalid,\n"
    "  - user names and e-mail addresses become u-<hash>, identifying URL\n"
    "    query values and user paths v-<hash>,\n"
    "  - packet payloads and payload dumps are withheld,\n"
    "under a key derived from the node's signing key that never leaves it.\n"
    "The attacker's side (remote addresses, their domains, URLs, signatures,\n"
    "hashes) stays in clear.  The copy is recorded in a signed entry of kind\n"
    "sanitized that names the original's digest.\n"
    "\n"
    "  domain add|remove|list   the node's home domains (its constituents')\n"
    "  preview FILE             write the copy of FILE a peer would receive (to\n"
    "                           stdout or OUT), as 'ingest' with the same\n"
    "                           --format and --home-net would make it; what was\n"
    "                           replaced is counted on stderr\n"
    "  preview --entry N        the copy recorded for this node's entry N (a\n"
    "                           submission or its sanitized entry)\n"
    "  sanitize                 make the copies still missing: submissions\n"
    "                           ingested with --no-share or before this existed\n"
    "  pseudonym VALUE...       the pseudonym a peer sees for an address, prefix\n"
    "                           or host name (or, with --user, a user name), so\n"
    "                           that an analyst can find a host a peer names;\n"
    "                           one 'VALUE PSEUDONYM' line each, '-' for a value\n"
    "                           that is shared in clear\n"
    "\n"
    "exit status: 0 done, 1 some copy could not be made, 2 usage or setup error\n";

static void counts(const struct privacy_counts *c)
{
	fprintf(stderr,
	        "share preview: %llu records; pseudonymized %llu addresses, %llu host names, "
	        "%llu users, %llu values; %llu payloads withheld; %llu records scrubbed as text\n",
	        (unsigned long long)c->records, (unsigned long long)c->addrs,
	        (unsigned long long)c->names, (unsigned long long)c->users,
	        (unsigned long long)c->values, (unsigned long long)c->dropped,
	        (unsigned long long)c->unparsed);
}

static int domain(struct ledger *l, int argc, char **argv)
{
	struct dt_diag d;
	int rc = 0;

	dt_diag_clear(&d);
	if (argc == 1 && strcmp(argv[0], "list") == 0) {
		struct strbuf b;

		strbuf_init(&b, 1 << 20);
		if (ledger_home_domains(l, &b, &d)) {
			cli_diag(&d);
			rc = EXIT_USAGE;
		} else if (b.len) {
			fwrite(b.p, 1, b.len, stdout);
		}
		strbuf_release(&b);
		return rc;
	}
	if (argc < 2 || (strcmp(argv[0], "add") != 0 && strcmp(argv[0], "remove") != 0)) {
		fputs(share_usage, stderr);
		return EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		enum dt_err err = strcmp(argv[0], "add") == 0
		                      ? ledger_home_domain_add(l, argv[i], &d)
		                      : ledger_home_domain_remove(l, argv[i], &d);

		if (err) {
			cli_diag(&d);
			rc = err == DT_EIO ? EXIT_USAGE : EXIT_REJECTED;
		}
	}
	return rc;
}

/* Copies a stored payload to out. */
static int cat_file(const char *path, FILE *out)
{
	FILE *f = fopen(path, "rb");
	char buf[1 << 16];
	size_t n;

	if (!f) {
		cli_error("%s: cannot open", path);
		return EXIT_USAGE;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	fclose(f);
	return 0;
}

static int preview_entry(struct ledger *l, const char *arg, FILE *out)
{
	struct ledger_own_entry *san = NULL;
	struct ledger_entry_info e;
	struct strbuf leaf;
	struct dt_diag d;
	char *end, path[1400];
	size_t n = 0;
	unsigned long long idx = strtoull(arg, &end, 10);
	int rc = EXIT_USAGE;

	dt_diag_clear(&d);
	strbuf_init(&leaf, LEDGER_MAX_ENTRY);
	if (*arg == '\0' || *end != '\0') {
		cli_error("share preview: --entry '%s' is not an entry number", arg);
		goto out;
	}
	if (ledger_entry(l, idx, &leaf, &d) || ledger_entry_parse(leaf.p, leaf.len, &e, &d)) {
		cli_diag(&d);
		goto out;
	}
	if (strcmp(e.kind, "submission") == 0) {
		bool found = false;

		if (ledger_tlp_rank(e.tlp) >= 4) {
			cli_error(
			    "share preview: entry %llu is TLP:%s: nothing of it leaves this node",
			    idx, e.tlp);
			goto out;
		}
		if (ledger_own_entries(l, "sanitized", &san, &n, &d)) {
			cli_diag(&d);
			goto out;
		}
		for (size_t i = 0; i < n && !found; i++) {
			uint8_t orig[32];

			if (derive_orig(san[i].e.about, orig) == DT_OK &&
			    memcmp(orig, e.sha256, 32) == 0) {
				e = san[i].e;
				found = true;
			}
		}
		if (!found) {
			cli_error("share preview: entry %llu has no sanitized copy yet; "
			          "'detente share sanitize' makes it",
			          idx);
			rc = EXIT_REJECTED;
			goto out;
		}
	} else if (strcmp(e.kind, "sanitized") != 0) {
		cli_error("share preview: entry %llu is of kind %s, not a submission", idx, e.kind);
		goto out;
	}
	if (ledger_payload_path(l, e.sha256, path, sizeof(path)) != DT_OK) {
		cli_error("share preview: this node does not hold the payload of entry %llu", idx);
		goto out;
	}
	rc = cat_file(path, out);
out:
	free(san);
	strbuf_release(&leaf);
	return rc;
}

static int preview_file(struct ledger *l, const char *file, struct submit_opts *o, FILE *out)
{
	struct privacy_counts pc = {0};
	struct privacy *p = NULL;
	struct reader *r = NULL;
	const char *fmt = o->format, *head;
	struct dt_diag d;
	size_t avail;
	int rc = 0;

	dt_diag_clear(&d);
	if (reader_open_file(file, &r, &d)) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	if (strcmp(fmt, "auto") == 0) {
		head = reader_peek(r, 64 << 10, &avail);
		if (!(fmt = ingest_detect(head, avail))) {
			cli_error("%s: cannot tell the format (%s); use --format", file,
			          ingest_format_names);
			reader_close(r);
			return EXIT_USAGE;
		}
	}
	if (derive_privacy(l, o, &p, &d)) {
		cli_diag(&d);
		reader_close(r);
		return EXIT_USAGE;
	}
	if (sanitize_format(fmt)(r, p, out, file, &pc, &d)) {
		cli_diag(&d);
		rc = EXIT_REJECTED;
	}
	if (fflush(out) != 0) {
		cli_error("share preview: cannot write the copy");
		rc = EXIT_USAGE;
	}
	counts(&pc);
	privacy_free(p);
	reader_close(r);
	return rc;
}

static int pseudonyms(struct ledger *l, const struct submit_opts *o, bool user, int argc,
                      char **argv)
{
	struct privacy *p = NULL;
	struct dt_diag d;

	dt_diag_clear(&d);
	if (derive_privacy(l, o, &p, &d)) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		const char *v = argv[i];
		char t[PRIVACY_PSEUDO_MAX + DT_IP_STRLEN + 1] = "-";
		struct dt_prefix pf;
		struct dt_ip ip;
		size_t n = strlen(v);

		if (user) {
			privacy_user(p, v, n, t);
		} else if (dt_ip_parse(v, n, &ip) == DT_OK) {
			if (privacy_addr(p, &ip, &ip))
				dt_ip_format(&ip, t);
		} else if (strchr(v, '/') && dt_prefix_parse(v, n, &pf, NULL) == DT_OK) {
			if (privacy_home_addr(p, &pf.ip)) {
				privacy_prefix(p, &pf, &pf);
				dt_prefix_format(&pf, t);
			}
		} else if (!privacy_name(p, v, n, t)) {
			snprintf(t, sizeof(t), "-");
		}
		printf("%s %s\n", v, t);
	}
	privacy_free(p);
	return 0;
}

struct backfill {
	bool json;
	int rc;
};

static void backfill_done(void *ctx, uint64_t idx, enum dt_err err, const struct derive_result *r,
                          const struct dt_diag *d)
{
	struct backfill *b = ctx;

	if (err) {
		cli_diag(d);
		b->rc = EXIT_REJECTED;
		return;
	}
	if (b->json)
		printf("{\"entry\":%llu,\"sanitized_entry\":%llu,\"digest\":\"%s\",\"size\":%llu,"
		       "\"new\":%s}\n",
		       (unsigned long long)idx, (unsigned long long)r->entry, r->digest,
		       (unsigned long long)r->size, r->existed ? "false" : "true");
	else
		printf("entry %llu: sanitized copy %s in entry %llu\n", (unsigned long long)idx,
		       r->digest, (unsigned long long)r->entry);
}

int cmd_share(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"home-net", required_argument, NULL, 'n'},
	    {"entry", required_argument, NULL, 'e'},
	    {"json", no_argument, NULL, 'j'},
	    {"user", no_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	struct submit_opts o = {.format = "auto"};
	const char *outpath = NULL, *entry = NULL, *sub;
	struct ledger *l = NULL;
	struct dt_diag d;
	bool json = false, user = false;
	FILE *out = stdout;
	int ch, rc = 0;

	submit_default_home(&o);
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': o.format = optarg; break;
		case 'n':
			if (!cli_parse_home(optarg, &o, "share preview"))
				return EXIT_USAGE;
			break;
		case 'e': entry = optarg; break;
		case 'o': outpath = optarg; break;
		case 'j': json = true; break;
		case 'u': user = true; break;
		case 'h': fputs(share_usage, stdout); return 0;
		default: fputs(share_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(share_usage, stderr);
		return EXIT_USAGE;
	}
	sub = argv[optind++];
	if (strcmp(o.format, "auto") != 0 && !ingest_format(o.format)) {
		cli_error("share preview: --format '%s' is not one of auto, %s", o.format,
		          ingest_format_names);
		return EXIT_USAGE;
	}
	dt_diag_clear(&d);
	if (ledger_open(c->db, &l, &d)) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	if (strcmp(sub, "domain") == 0) {
		rc = domain(l, argc - optind, argv + optind);
	} else if (strcmp(sub, "pseudonym") == 0 && optind < argc) {
		rc = pseudonyms(l, &o, user, argc - optind, argv + optind);
	} else if (strcmp(sub, "sanitize") == 0 && optind == argc) {
		struct backfill b = {.json = json};
		uint64_t made = 0;

		if (derive_backfill(l, backfill_done, &b, &made, &d)) {
			cli_diag(&d);
			rc = EXIT_USAGE;
		} else {
			rc = b.rc;
			if (!json)
				printf("%llu sanitized %s made\n", (unsigned long long)made,
				       made == 1 ? "copy" : "copies");
		}
	} else if (strcmp(sub, "preview") == 0 &&
	           ((entry && optind == argc) || (!entry && optind + 1 == argc))) {
		char tmp[4200] = "";

		/* -o OUT is written whole or not at all: a temporary file in
		 * the same directory, renamed when the copy is complete */
		if (outpath) {
			snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", outpath, (long)getpid());
			if (!(out = fopen(tmp, "wb"))) {
				cli_error("%s: cannot create", tmp);
				rc = EXIT_USAGE;
			}
		}
		if (!rc) {
			rc = entry ? preview_entry(l, entry, out)
			           : preview_file(l, argv[optind], &o, out);
			if (out != stdout && fclose(out) != 0 && !rc) {
				cli_error("%s: cannot write", tmp);
				rc = EXIT_USAGE;
			}
			if (outpath && !rc && rename(tmp, outpath) != 0) {
				cli_error("%s: cannot rename into place", outpath);
				rc = EXIT_USAGE;
			}
			if (outpath && rc)
				unlink(tmp);
		}
	} else {
		fputs(share_usage, stderr);
		rc = EXIT_USAGE;
	}
	ledger_close(l);
	return rc;
}
