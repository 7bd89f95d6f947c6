/*
 * cmd_log.c — `detente log ...`: the evidence ledger.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ledger/ledger.h"

static const char usage[] =
    "usage: detente log append --kind KIND [--tlp LEVEL] [--about TEXT] FILE...\n"
    "       detente log checkpoint\n"
    "       detente log entry N\n"
    "       detente log prove N [SIZE]\n"
    "       detente log consistency OLD NEW\n"
    "       detente log verify\n"
    "       detente log cosign CHECKPOINT_FILE [--proof FILE] [--peer NAME]\n"
    "       detente log export [--tlp LEVEL] DIR\n"
    "       detente log cosignature add FILE...\n"
    "\n"
    "The node's signed, append-only Merkle log (RFC 6962, C2SP checkpoints).\n"
    "\n"
    "  append       record files as entries signed by this node (KIND: submission,\n"
    "               intel, refdata, assessment; LEVEL: CLEAR, GREEN, AMBER (default),\n"
    "               AMBER+STRICT, RED); payloads are kept content-addressed; a file\n"
    "               already recorded as KIND is not recorded again\n"
    "  checkpoint   the latest signed checkpoint (signs a new one if the log grew)\n"
    "  entry N      the exact bytes of entry N (0-based): a signed note\n"
    "  prove N      a c2sp.org/tlog-proof@v1 receipt of entry N in the tree of SIZE\n"
    "               entries (default: all), with the entry as its extra data and the\n"
    "               signed checkpoint: verifiable offline with the public key alone\n"
    "  consistency  the consistency proof between two tree sizes, base64, one a line\n"
    "  verify       recompute every hash, entry signature and checkpoint from the\n"
    "               entries; names the first mismatch\n"
    "  cosign       check a peer's checkpoint against the last one accepted from it\n"
    "               (with the consistency proof in FILE), keep it, and print it with\n"
    "               this node's cosignature added\n"
    "  export       write the log into DIR as a static C2SP tlog-tiles tree for\n"
    "               peers ('detente sync --from DIR'): checkpoint, tile/<L>/<N>,\n"
    "               tile/entries/<N> (width 256, .p/<W> when partial), vkey,\n"
    "               cosigner-vkey, and payload/sha256/<hex> for each entry whose\n"
    "               TLP is at most LEVEL (default AMBER; TLP:RED payloads never\n"
    "               leave the node, so RED is refused: the highest is AMBER+STRICT).\n"
    "               Exporting again into DIR updates it; files are replaced\n"
    "               atomically, the checkpoint last\n"
    "  cosignature add\n"
    "               record the cosignatures peers added to this node's checkpoint\n"
    "               (what their 'sync --cosigned' wrote); exports then carry them.\n"
    "               A peer's cosigner key must be known: 'peer add ... --cosigner'\n";

static int open_or_fail(struct cli *c, struct ledger **l)
{
	struct dt_diag d;

	dt_diag_clear(&d);
	if (ledger_open(c->db, l, &d)) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	return 0;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return false;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static int emit(struct strbuf *b)
{
	if (fwrite(b->p ? b->p : "", 1, b->len, stdout) != b->len || fflush(stdout)) {
		cli_error("stdout: write failed");
		return EXIT_USAGE;
	}
	return 0;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		if (*len + 4096 > cap) {
			char *p;

			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 20) || (p = realloc(buf, cap)) == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
		}
		size_t n = fread(buf + *len, 1, cap - *len - 1, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (buf)
		buf[*len] = '\0';
	if (f != stdin)
		fclose(f);
	return buf;
}

static int do_append(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"kind", required_argument, NULL, 'k'},
	    {"tlp", required_argument, NULL, 't'},
	    {"about", required_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *kind = NULL, *tlp = NULL, *about = NULL;
	struct ledger *l;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': kind = optarg; break;
		case 't': tlp = optarg; break;
		case 'a': about = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (kind == NULL || optind >= argc) {
		cli_error("log append: --kind and at least one FILE are required");
		return EXIT_USAGE;
	}
	if (strcmp(kind, "peer-checkpoint") == 0) {
		cli_error("log append: peer-checkpoint entries are made by 'log cosign' only");
		return EXIT_USAGE;
	}
	if ((rc = open_or_fail(c, &l)))
		return rc;
	for (int i = optind; i < argc; i++) {
		struct ledger_entry_in e = {.kind = kind, .tlp = tlp, .path = argv[i]};
		struct dt_diag d;
		char def[1100];
		uint64_t idx;
		bool existed;

		dt_diag_clear(&d);
		snprintf(def, sizeof(def), "file %s",
		         strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i]);
		/* a file name is not trusted text: control bytes become '?' */
		for (char *p = def; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		e.about = about ? about : def;
		if (ledger_hash_file(argv[i], e.sha256, &e.size, &d) ||
		    ledger_append(l, &e, 1, true, &idx, &existed, &d)) {
			cli_diag(&d);
			rc = EXIT_REJECTED;
			continue;
		}
		printf("%llu\t%s\t%s\n", (unsigned long long)idx,
		       existed ? "already-recorded" : "appended", argv[i]);
	}
	ledger_close(l);
	return rc;
}

static int do_export(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"tlp", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *tlp = NULL;
	struct ledger_export_report rep;
	struct ledger *l;
	struct dt_diag d;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 't': tlp = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_error("log export: one DIR is required");
		return EXIT_USAGE;
	}
	if ((rc = open_or_fail(c, &l)))
		return rc;
	dt_diag_clear(&d);
	if (ledger_export(l, argv[optind], tlp, &rep, &d)) {
		cli_diag(&d);
		ledger_close(l);
		return EXIT_USAGE;
	}
	printf("exported %llu entries to %s: %llu tiles and %llu entry bundles written, "
	       "%llu payloads shared, %llu withheld by TLP, %llu not held\n",
	       (unsigned long long)rep.size, argv[optind], (unsigned long long)rep.tiles,
	       (unsigned long long)rep.bundles, (unsigned long long)rep.payloads,
	       (unsigned long long)rep.withheld, (unsigned long long)rep.absent);
	ledger_close(l);
	return 0;
}

static int do_cosignature(struct cli *c, int argc, char **argv)
{
	struct ledger *l;
	int rc;

	if (argc < 3 || strcmp(argv[1], "add") != 0) {
		cli_error("log cosignature: use 'log cosignature add FILE...'");
		return EXIT_USAGE;
	}
	if ((rc = open_or_fail(c, &l)))
		return rc;
	for (int i = 2; i < argc; i++) {
		struct dt_diag d;
		size_t len, added;
		char *note = read_all(argv[i], &len);
		enum dt_err err;

		dt_diag_clear(&d);
		if (note == NULL) {
			cli_error("%s: cannot read: %s", argv[i], strerror(errno));
			rc = EXIT_USAGE;
			continue;
		}
		err = ledger_cosignature_add(l, note, len, &added, &d);
		free(note);
		if (err) {
			cli_error("%s: %s", argv[i], d.msg);
			rc = rc ? rc : EXIT_REJECTED;
			continue;
		}
		printf("%s: %zu cosignature%s recorded\n", argv[i], added, added == 1 ? "" : "s");
	}
	ledger_close(l);
	return rc;
}

int cmd_log(struct cli *c, int argc, char **argv)
{
	struct ledger *l = NULL;
	struct strbuf out;
	struct dt_diag d;
	const char *sub;
	uint64_t a = 0, b = 0;
	enum dt_err err = DT_OK;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	sub = argv[1];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		}
	}
	if (strcmp(sub, "append") == 0)
		return do_append(c, argc - 1, argv + 1);
	if (strcmp(sub, "export") == 0)
		return do_export(c, argc - 1, argv + 1);
	if (strcmp(sub, "cosignature") == 0)
		return do_cosignature(c, argc - 1, argv + 1);
	dt_diag_clear(&d);
	strbuf_init(&out, 1u << 22);
	if (strcmp(sub, "checkpoint") == 0 && argc == 2) {
		if ((rc = open_or_fail(c, &l)))
			return rc;
		err = ledger_checkpoint(l, 0, &out, &d);
	} else if (strcmp(sub, "entry") == 0 && argc == 3 && parse_u64(argv[2], &a)) {
		if ((rc = open_or_fail(c, &l)))
			return rc;
		err = ledger_entry(l, a, &out, &d);
	} else if (strcmp(sub, "prove") == 0 && (argc == 3 || argc == 4) &&
	           parse_u64(argv[2], &a) && (argc == 3 || (parse_u64(argv[3], &b) && b > 0))) {
		if ((rc = open_or_fail(c, &l)))
			return rc;
		err = ledger_prove(l, a, b, &out, &d);
	} else if (strcmp(sub, "consistency") == 0 && argc == 4 && parse_u64(argv[2], &a) &&
	           parse_u64(argv[3], &b)) {
		if ((rc = open_or_fail(c, &l)))
			return rc;
		err = ledger_consistency(l, a, b, &out, &d);
	} else if (strcmp(sub, "verify") == 0 && argc == 2) {
		struct ledger_verify_report rep;

		if ((rc = open_or_fail(c, &l)))
			return rc;
		err = ledger_verify(l, 0, &rep, &d);
		if (!err)
			printf("ok: %llu entries, %llu signatures, %llu tree hashes, %llu "
			       "checkpoints verified\n",
			       (unsigned long long)rep.entries, (unsigned long long)rep.signatures,
			       (unsigned long long)rep.tree_hashes,
			       (unsigned long long)rep.checkpoints);
		else {
			cli_error("log verify: FAILED: %s", d.msg);
			ledger_close(l);
			strbuf_release(&out);
			return EXIT_REJECTED;
		}
	} else if (strcmp(sub, "cosign") == 0 && argc >= 3) {
		static const struct option opts[] = {
		    {"proof", required_argument, NULL, 'p'},
		    {"peer", required_argument, NULL, 'n'},
		    {0, 0, 0, 0},
		};
		const char *proof_path = NULL, *peer = NULL;
		char *note = NULL, *proof = NULL;
		size_t nlen = 0, plen = 0;
		int ch;

		optind = 1;
		while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
			if (ch == 'p')
				proof_path = optarg;
			else if (ch == 'n')
				peer = optarg;
			else {
				fputs(usage, stderr);
				return EXIT_USAGE;
			}
		}
		if (optind + 1 != argc - 1) {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
		if ((note = read_all(argv[optind + 1], &nlen)) == NULL ||
		    (proof_path && (proof = read_all(proof_path, &plen)) == NULL)) {
			cli_error("%s: cannot read: %s", note ? proof_path : argv[optind + 1],
			          strerror(errno));
			free(note);
			return EXIT_USAGE;
		}
		if ((rc = open_or_fail(c, &l))) {
			free(note);
			free(proof);
			return rc;
		}
		err = ledger_cosign(l, peer, note, nlen, proof, plen, &out, &d);
		free(note);
		free(proof);
		if (err == DT_EFORMAT) {
			cli_diag(&d);
			ledger_close(l);
			strbuf_release(&out);
			return EXIT_REJECTED;
		}
	} else {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (err) {
		cli_diag(&d);
		rc = EXIT_USAGE;
	} else {
		rc = emit(&out);
	}
	ledger_close(l);
	strbuf_release(&out);
	return rc;
}
