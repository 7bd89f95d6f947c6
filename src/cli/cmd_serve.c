/*
 * cmd_serve.c — `detente serve` (the node's HTTP daemon, server/server.h)
 * and `detente token` (the credentials peers and users present to it,
 * server/auth.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "server/auth.h"
#include "server/server.h"

static const char serve_usage[] =
    "usage: detente serve [--listen ADDR:PORT] [--threads N] [--public-url URL]\n"
    "                     [--max-body BYTES] [--max-conns N] [--timeout MS] [--access-log]\n"
    "\n"
    "Serve this node over HTTP until SIGINT or SIGTERM:\n"
    "  GET  /checkpoint                 the signed checkpoint and peers' cosignatures\n"
    "                                   (public)\n"
    "  GET  /tile/<L>/<N>[.p/<W>], /tile/entries/<N>[.p/<W>]\n"
    "                                   the log as C2SP tlog-tiles (credential)\n"
    "  GET  /payload/sha256/<hex>       a payload the credential's TLP allows\n"
    "  POST /add-checkpoint             C2SP tlog-witness: a peer's checkpoint in,\n"
    "                                   this node's cosignature out\n"
    "  /taxii2/                         TAXII 2.1 (credential)\n"
    "  GET  /                           the dashboard; its /api/ needs a credential\n"
    "Credentials are bearer tokens made with 'detente token add'.  The checkpoint\n"
    "served follows the node database: entries added by other commands appear\n"
    "within a fraction of a second.\n"
    "\n"
    "  --listen ADDR:PORT   where to listen (default 127.0.0.1:8480; [::1]:8480)\n"
    "  --threads N          event loops (default: one per core)\n"
    "  --public-url URL     how peers reach this node (TAXII discovery)\n"
    "  --max-body BYTES     largest request body (default 10485760): 413 beyond\n"
    "  --max-conns N        open connections per thread (default 1024)\n"
    "  --timeout MS         time to read a request (default 10000)\n"
    "  --access-log         one line per request on stderr\n";

static const char token_usage[] =
    "usage: detente token add NAME [--role peer|user] [--tlp LEVEL]\n"
    "       detente token list\n"
    "       detente token revoke NAME\n"
    "\n"
    "Credentials for 'detente serve'.  'add' prints a new bearer token once (only\n"
    "its SHA-256 is kept); give it to the peer or user, who sends it as\n"
    "'Authorization: Bearer <token>'.  --role peer (default) or user; --tlp the\n"
    "most restricted TLP the holder may receive: CLEAR, GREEN, AMBER (default)\n"
    "or AMBER+STRICT.  TLP:RED payloads never leave the node.\n";

static int number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	*out = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *out == 0 || *out > max) {
		cli_error("'%s' is not a number from 1 to %lu", s, max);
		return -1;
	}
	return 0;
}

int cmd_serve(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"threads", required_argument, NULL, 't'},
	    {"public-url", required_argument, NULL, 'u'},
	    {"max-body", required_argument, NULL, 'b'},
	    {"max-conns", required_argument, NULL, 'c'},
	    {"timeout", required_argument, NULL, 'T'},
	    {"access-log", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	struct srv_config cfg;
	struct dt_diag d;
	unsigned long v;
	int ch;

	srv_config_init(&cfg);
	cfg.db = c->db;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'l': cfg.listen = optarg; break;
		case 'u': cfg.public_url = optarg; break;
		case 'a': cfg.access_log = true; break;
		case 't':
			if (number(optarg, 64, &v))
				return EXIT_USAGE;
			cfg.threads = (unsigned)v;
			break;
		case 'b':
			if (number(optarg, 1ul << 32, &v))
				return EXIT_USAGE;
			cfg.max_body = v;
			break;
		case 'c':
			if (number(optarg, 1000000, &v))
				return EXIT_USAGE;
			cfg.max_conns = (unsigned)v;
			break;
		case 'T':
			if (number(optarg, 3600000, &v))
				return EXIT_USAGE;
			cfg.timeout_ms = (unsigned)v;
			break;
		case 'h': fputs(serve_usage, stdout); return 0;
		default: fputs(serve_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fputs(serve_usage, stderr);
		return EXIT_USAGE;
	}
	dt_diag_clear(&d);
	if (srv_run(&cfg, &d)) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	return 0;
}

static void list_one(void *ctx, const char *name, const char *role, const char *tlp,
                     const char *created, const char *revoked)
{
	(void)ctx;
	printf("%s\t%s\t%s\t%s\t%s\n", name, role, tlp, created, revoked ? revoked : "-");
}

int cmd_token(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"role", required_argument, NULL, 'r'},
	    {"tlp", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *role = "peer", *tlp = "AMBER", *sub;
	struct dt_diag d;
	enum dt_err err;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': role = optarg; break;
		case 't': tlp = optarg; break;
		case 'h': fputs(token_usage, stdout); return 0;
		default: fputs(token_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(token_usage, stderr);
		return EXIT_USAGE;
	}
	sub = argv[optind];
	dt_diag_clear(&d);
	if (strcmp(sub, "add") == 0 && optind + 2 == argc) {
		char token[AUTH_TOKEN_LEN + 1];
		enum srv_role r = strcmp(role, "peer") == 0   ? SRV_PEER
		                  : strcmp(role, "user") == 0 ? SRV_USER
		                                              : SRV_ANON;

		if (r == SRV_ANON) {
			cli_error("--role '%s': peer or user", role);
			return EXIT_USAGE;
		}
		if ((err = auth_token_add(c->db, argv[optind + 1], r, tlp, token, &d))) {
			cli_diag(&d);
			return EXIT_USAGE;
		}
		printf("%s\n", token);
		return 0;
	}
	if (strcmp(sub, "revoke") == 0 && optind + 2 == argc) {
		if ((err = auth_token_revoke(c->db, argv[optind + 1], &d))) {
			cli_diag(&d);
			return EXIT_USAGE;
		}
		return 0;
	}
	if (strcmp(sub, "list") == 0 && optind + 1 == argc) {
		if ((err = auth_token_list(c->db, list_one, NULL, &d))) {
			cli_diag(&d);
			return EXIT_USAGE;
		}
		return 0;
	}
	fputs(token_usage, stderr);
	return EXIT_USAGE;
}
