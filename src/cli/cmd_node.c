/*
 * cmd_node.c — `detente init`, `detente key show`, `detente peer add`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "ledger/ledger.h"
#include "server/auth.h"

static const char init_usage[] =
    "usage: detente [--db PATH] init --party NAME [--origin ORIGIN]\n"
    "\n"
    "Create this node: the database and an Ed25519 key pair (PATH.d/ed25519.key,\n"
    "mode 0600).  Prints the node's verifier key, which peers need to check its\n"
    "ledger.  Refuses to overwrite an existing identity.\n"
    "\n"
    "  --party NAME     the party this node speaks for (no spaces or '+')\n"
    "  --origin ORIGIN  the log's name in checkpoints (default detente/NAME)\n";

static const char key_usage[] =
    "usage: detente key show [--cosigner]\n"
    "\n"
    "Print this node's verifier key in C2SP signed-note format\n"
    "(name+hexid+base64key): the log signing key, or with --cosigner the key\n"
    "that signs cosignatures (type 0x04).\n";

static const char peer_usage[] =
    "usage: detente peer add NAME VKEY [URL] [--cosigner CVKEY] [--token TOKEN]\n"
    "\n"
    "Record a peer node: its name, its verifier key as its 'detente key show'\n"
    "prints it, and optionally its URL.  With --cosigner, also the key it signs\n"
    "cosignatures with ('detente key show --cosigner'; an export's cosigner-vkey),\n"
    "so that 'log cosignature add' can check the cosignatures it makes on this\n"
    "node's checkpoints (given alone for a peer added before, it is recorded).\n"
    "With --token, the credential the peer's 'detente token add' made for this\n"
    "node, which 'detente sync' presents to the peer's server (kept in\n"
    "PATH.d/tokens/, mode 0600; given alone for a peer added before, it replaces\n"
    "the one kept).\n";

int cmd_init(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"party", required_argument, NULL, 'p'},
	    {"origin", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *party = NULL, *origin = NULL;
	char def[300];
	struct dt_diag d;
	struct ledger *l;
	struct strbuf vk;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': party = optarg; break;
		case 'o': origin = optarg; break;
		case 'h': fputs(init_usage, stdout); return 0;
		default: fputs(init_usage, stderr); return EXIT_USAGE;
		}
	}
	if (party == NULL || optind < argc) {
		fputs(init_usage, stderr);
		return EXIT_USAGE;
	}
	if (origin == NULL) {
		snprintf(def, sizeof(def), "detente/%s", party);
		origin = def;
	}
	dt_diag_clear(&d);
	if (ledger_init(c->db, party, origin, &d) || ledger_open(c->db, &l, &d)) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	strbuf_init(&vk, 4096);
	ledger_vkey(l, false, &vk);
	printf("%s\n", vk.p);
	fprintf(stderr, "detente: node '%s' created in %s (log %s)\n", party, c->db, origin);
	strbuf_release(&vk);
	ledger_close(l);
	return 0;
}

int cmd_key(struct cli *c, int argc, char **argv)
{
	struct dt_diag d;
	struct ledger *l;
	struct strbuf vk;
	bool cosigner = false;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(key_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "show") != 0) {
		cli_error("key: unknown subcommand '%s' (show)", argv[1]);
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--cosigner") == 0) {
			cosigner = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(key_usage, stdout);
			return 0;
		} else {
			cli_error("key show: unexpected argument '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	dt_diag_clear(&d);
	if (ledger_open(c->db, &l, &d)) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	strbuf_init(&vk, 4096);
	ledger_vkey(l, cosigner, &vk);
	printf("%s\n", vk.p);
	strbuf_release(&vk);
	ledger_close(l);
	return 0;
}

int cmd_peer(struct cli *c, int argc, char **argv)
{
	struct dt_diag d;
	struct ledger *l;
	enum dt_err err;
	const char *cvkey = NULL, *token = NULL;
	int k = 1;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(peer_usage, stdout);
		return 0;
	}
	/* --cosigner CVKEY, wherever it is */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--cosigner") == 0 && i + 1 < argc) {
			cvkey = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "--token") == 0 && i + 1 < argc) {
			token = argv[++i];
			continue;
		}
		argv[k++] = argv[i];
	}
	argc = k;
	if ((cvkey || token) && argc == 3 && strcmp(argv[1], "add") == 0) {
		/* a cosigner key or a token for a peer added before */
		dt_diag_clear(&d);
		if (ledger_open(c->db, &l, &d)) {
			cli_diag(&d);
			return EXIT_USAGE;
		}
		err = cvkey ? ledger_peer_cosigner(l, argv[2], cvkey, &d) : DT_OK;
		if (!err && token)
			err = ledger_peer_known(l, argv[2], &d);
		ledger_close(l);
		if (!err && token)
			err = auth_peer_token_set(c->db, argv[2], token, &d);
		if (err) {
			cli_diag(&d);
			return EXIT_USAGE;
		}
		return 0;
	}
	if (cvkey) {
		struct note_verifier v;

		dt_diag_clear(&d);
		if (note_vkey_parse(cvkey, strlen(cvkey), &v, &d) || v.type != NOTE_TYPE_COSIG) {
			cli_error("peer add: --cosigner '%s' is not a cosigner key (type 0x04, as "
			          "'detente key show --cosigner' prints it)",
			          cvkey);
			return EXIT_USAGE;
		}
	}
	if (argc < 4 || argc > 5 || strcmp(argv[1], "add") != 0) {
		fputs(peer_usage, stderr);
		return EXIT_USAGE;
	}
	dt_diag_clear(&d);
	if (ledger_open(c->db, &l, &d)) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	err = ledger_peer_add(l, argv[2], argv[3], argc == 5 ? argv[4] : NULL, &d);
	if (!err && cvkey)
		err = ledger_peer_cosigner(l, argv[2], cvkey, &d);
	ledger_close(l);
	if (!err && token)
		err = auth_peer_token_set(c->db, argv[2], token, &d);
	if (err) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	return 0;
}
