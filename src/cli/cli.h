/*
 * cli.h — what the subcommands of the detente program share.  The CLI only
 * parses arguments, calls the library and prints; exit codes are those of
 * the CLI contract: 0 success, 1 some input rejected (reported), 2 usage or
 * setup error.
 */
#ifndef DT_CLI_H
#define DT_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define EXIT_REJECTED 1
#define EXIT_USAGE    2

struct cli {
	const char *db;    /* --db, $DETENTE_DB or ./detente.db */
	const char *store; /* --store URL or NULL */
};

int cmd_refdata(struct cli *c, int argc, char **argv);
int cmd_trace(struct cli *c, int argc, char **argv);
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_key(struct cli *c, int argc, char **argv);
int cmd_peer(struct cli *c, int argc, char **argv);
int cmd_log(struct cli *c, int argc, char **argv);
int cmd_ingest(struct cli *c, int argc, char **argv);
int cmd_events(struct cli *c, int argc, char **argv);
int cmd_intel(struct cli *c, int argc, char **argv);
int cmd_match(struct cli *c, int argc, char **argv);
int cmd_simulate(struct cli *c, int argc, char **argv);
int cmd_sync(struct cli *c, int argc, char **argv);
int cmd_campaigns(struct cli *c, int argc, char **argv);
int cmd_report(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);
int cmd_token(struct cli *c, int argc, char **argv);
int cmd_taxii(struct cli *c, int argc, char **argv);
int cmd_share(struct cli *c, int argc, char **argv);

/* --home-net LIST (comma-separated CIDRs) into o; says what is wrong,
 * naming cmd, and returns false on a bad prefix. */
struct submit_opts;
bool cli_parse_home(const char *list, struct submit_opts *o, const char *cmd);

/* "detente: " + message on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A diagnostic as "detente: file:line: msg". */
void cli_diag(const struct dt_diag *d);

/*
 * Reporting rejected records: the first DT_MAX_WARNINGS_SHOWN of each file
 * are printed as they come; cli_warn_flush() then prints how many more
 * there were.  ctx of cli_warn is a struct cli_warn, zeroed to start.
 */
struct cli_warn {
	char file[1024];
	unsigned long shown, more;
};
void cli_warn(void *ctx, const struct dt_diag *d);
void cli_warn_flush(struct cli_warn *w);

/* Data directory: $DETENTE_DATA_DIR, <exe dir>/data, <exe dir>/../share/detente. */
void cli_datadir(char *out, size_t size);

#endif
