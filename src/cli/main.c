/*
 * main.c — global options and dispatch.  Global options (--db, --store) go
 * before the command and are accepted after it too, so they are lifted out
 * of argv wherever they appear (before a "--").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/limits.h"
#include "core/version.h"

static const struct {
	const char *name;
	int (*fn)(struct cli *, int, char **);
	const char *summary;
} commands[] = {
    {"init", cmd_init, "create this node: database and Ed25519 identity"},
    {"key", cmd_key, "show this node's verifier key"},
    {"refdata", cmd_refdata, "build or show the attribution reference data"},
    {"trace", cmd_trace, "attribute IP addresses to country, ASN, organisation"},
    {"ingest", cmd_ingest, "turn telemetry (Zeek, EVE, pcap, NetFlow, logs) into events"},
    {"events", cmd_events, "print stored events as TSV or JSON lines"},
    {"intel", cmd_intel, "import, list and export threat intelligence (STIX, MISP, ...)"},
    {"match", cmd_match, "match events against indicators: sightings (incremental)"},
    {"campaigns", cmd_campaigns, "group attacks on many victims into campaigns, links explained"},
    {"report", cmd_report, "the joint attribution report: JSON, Markdown or HTML"},
    {"log", cmd_log, "the signed evidence ledger: checkpoints, proofs, verify, cosign"},
    {"peer", cmd_peer, "record a peer node and its verifier key"},
    {"sync", cmd_sync, "mirror a peer's exported ledger, verify it, cosign, ingest"},
    {"serve", cmd_serve, "the node's HTTP daemon: tlog-tiles, witness, TAXII 2.1, dashboard"},
    {"token", cmd_token, "credentials of peers and users for 'serve'"},
    {"taxii", cmd_taxii, "load and list what the TAXII 2.1 server serves"},
    {"share", cmd_share, "what peers receive: sanitized copies, home domains, preview"},
    {"simulate", cmd_simulate, "write a reproducible two-party exercise with ground truth"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: detente [--db PATH] [--store URL] COMMAND [ARGS...]\n"
	           "\n"
	           "detente attributes attack evidence to networks, organisations and\n"
	           "countries from versioned, verifiable reference data.\n"
	           "\n"
	           "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n"
	           "global options:\n"
	           "  --db PATH     node database (default $DETENTE_DB or ./detente.db);\n"
	           "                reference data lives in PATH.d/refdata\n"
	           "  --store URL   where events are stored (accepted; no command stores\n"
	           "                events yet)\n"
	           "  -h, --help    this help; 'detente COMMAND --help' for a command\n"
	           "  --version     print the version\n"
	           "\n"
	           "exit status: 0 success, 1 some input rejected, 2 usage or setup error\n"
	           "See detente(1).\n");
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("detente: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_diag(const struct dt_diag *d)
{
	char buf[1024];

	dt_diag_format(d, buf, sizeof(buf));
	cli_error("%s", buf);
}

void cli_warn_flush(struct cli_warn *w)
{
	if (w->more)
		cli_error("%s: ... and %lu more rejected records", w->file, w->more);
	w->more = w->shown = 0;
	w->file[0] = '\0';
}

void cli_warn(void *ctx, const struct dt_diag *d)
{
	struct cli_warn *w = ctx;

	if (strcmp(w->file, d->file) != 0) {
		cli_warn_flush(w);
		snprintf(w->file, sizeof(w->file), "%s", d->file);
	}
	if (w->shown++ < DT_MAX_WARNINGS_SHOWN)
		cli_diag(d);
	else
		w->more++;
}

void cli_datadir(char *out, size_t size)
{
	const char *env = getenv("DETENTE_DATA_DIR");
	char exe[1024], probe[1200];
	ssize_t n;

	if (env && *env) {
		snprintf(out, size, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		snprintf(probe, sizeof(probe), "%s/data/ip-location-db-asn", exe);
		if (access(probe, R_OK) == 0) {
			snprintf(out, size, "%s/data", exe);
			return;
		}
		/* build/rel/detente inside the source tree */
		snprintf(probe, sizeof(probe), "%s/../../data/ip-location-db-asn", exe);
		if (access(probe, R_OK) == 0) {
			snprintf(out, size, "%s/../../data", exe);
			return;
		}
		snprintf(out, size, "%s/../share/detente", exe);
		return;
	}
	snprintf(out, size, "/usr/local/share/detente");
}

/* Removes global options from argv; returns the new argc or -1. */
static int lift_globals(struct cli *c, int argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		const char *val = NULL;

		if (strcmp(a, "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "--db") == 0 || strcmp(a, "--store") == 0) {
			slot = a[2] == 'd' ? &c->db : &c->store;
			if (i + 1 >= argc) {
				cli_error("option '%s' needs a value", a);
				return -1;
			}
			val = argv[++i];
		} else if (strncmp(a, "--db=", 5) == 0) {
			slot = &c->db;
			val = a + 5;
		} else if (strncmp(a, "--store=", 8) == 0) {
			slot = &c->store;
			val = a + 8;
		}
		if (slot) {
			*slot = val;
			continue;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	struct cli c = {.db = getenv("DETENTE_DB"), .store = NULL};

	if (c.db == NULL || *c.db == '\0')
		c.db = "detente.db";
	if ((argc = lift_globals(&c, argc, argv)) < 0)
		return EXIT_USAGE;
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("detente %s\n", DT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(&c, argc - 1, argv + 1);
	cli_error("unknown command '%s'; see 'detente --help'", argv[1]);
	return EXIT_USAGE;
}
