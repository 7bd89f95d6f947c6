/*
 * cmd_sync.c — `detente sync --from DIR`: mirror a peer's ledger from the
 * static tlog-tiles files its `log export` wrote, verify it, cosign its
 * checkpoint, and ingest the evidence files it shares as the peer's
 * submissions.  The verification and the mirror are ledger_sync's; the
 * ingest is submit_peer's; this file only prints.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "geo/refdata.h"
#include "ingest/submit.h"
#include "ledger/ledger.h"
#include "store/store.h"

static const char sync_usage[] =
    "usage: detente sync --from DIR [--peer NAME] [--cosigned FILE] [--no-ingest]\n"
    "\n"
    "Mirror a peer's ledger from DIR, a C2SP tlog-tiles tree its 'detente log\n"
    "export' wrote.  The checkpoint must be signed by a peer added with 'detente\n"
    "peer add'; every new entry must be signed by it; the Merkle tree recomputed\n"
    "from all its entries must have the checkpoint's root and agree with every\n"
    "hash tile read; and it must extend the tree accepted from the peer before.\n"
    "Then the entries are stored, the checkpoint recorded in this node's own log,\n"
    "and written with this node's cosignature added, for the peer to record with\n"
    "'detente log cosignature add'.  Payloads the peer shares are copied when\n"
    "their digest matches, and the telemetry files among them ingested as the\n"
    "peer's submissions, with the parameters its signed entries carry.\n"
    "\n"
    "A checkpoint or entry not signed by the peer, files that do not match its\n"
    "checkpoint, a smaller tree than before (rollback) or another history (a\n"
    "fork: split view) is refused, exit 1; for the last ones both signed\n"
    "checkpoints are kept (table peer_evidence).  Re-running is a no-op.\n"
    "\n"
    "  --from DIR        the peer's export\n"
    "  --peer NAME       the peer (default: the one whose key signs the checkpoint)\n"
    "  --cosigned FILE   where the cosigned checkpoint goes (default: stdout)\n"
    "  --no-ingest       mirror and cosign only\n";

struct ingest_ctx {
	unsigned long ingested, failed;
};

static void done(void *ctx, const struct submit_peer_item *it)
{
	struct ingest_ctx *c = ctx;

	if (it->err) {
		c->failed++;
		cli_diag(it->diag);
		return;
	}
	c->ingested++;
	fprintf(stderr,
	        "detente: peer %s entry %llu (%s): %llu events stored, %llu rejected, "
	        "%llu ignored\n",
	        it->author, (unsigned long long)it->idx, it->r->format,
	        (unsigned long long)it->r->counts.events,
	        (unsigned long long)it->r->counts.rejected,
	        (unsigned long long)it->r->counts.ignored);
}

int cmd_sync(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, 'f'},     {"peer", required_argument, NULL, 'p'},
	    {"cosigned", required_argument, NULL, 'c'}, {"no-ingest", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},           {0, 0, 0, 0},
	};
	const char *from = NULL, *peer = NULL, *cosigned = NULL;
	struct ledger *l = NULL;
	struct store *s = NULL;
	struct geo_index *ix = NULL;
	struct ledger_source src;
	struct ledger_sync_report rep;
	struct strbuf out;
	struct dt_diag d;
	bool ingest = true;
	int ch, rc = 0;
	enum dt_err err;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': from = optarg; break;
		case 'p': peer = optarg; break;
		case 'c': cosigned = optarg; break;
		case 'n': ingest = false; break;
		case 'h': fputs(sync_usage, stdout); return 0;
		default: fputs(sync_usage, stderr); return EXIT_USAGE;
		}
	}
	if (from == NULL || optind < argc) {
		fputs(sync_usage, stderr);
		return EXIT_USAGE;
	}
	dt_diag_clear(&d);
	if (ledger_open(c->db, &l, &d)) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	strbuf_init(&out, 1u << 20);
	ledger_source_dir(&src, from);
	err = ledger_sync(l, peer, &src, &out, &rep, &d);
	if (err == DT_EFORMAT) {
		cli_error("sync from %s: REFUSED: %s", from, d.msg);
		if (rep.evidence >= 0)
			cli_error("sync: evidence kept (%s): both signed checkpoints in table "
			          "peer_evidence, row %lld of %s",
			          rep.evidence_kind, (long long)rep.evidence, c->db);
		rc = EXIT_REJECTED;
		goto out;
	}
	if (err) {
		cli_diag(&d);
		rc = EXIT_USAGE;
		goto out;
	}
	fprintf(stderr,
	        "detente: sync: peer %s: %llu entries (%llu new), %llu hash tiles checked, "
	        "%llu payloads held, %llu withheld by the peer",
	        rep.peer, (unsigned long long)rep.size, (unsigned long long)rep.new_entries,
	        (unsigned long long)rep.tiles, (unsigned long long)rep.payloads,
	        (unsigned long long)rep.withheld);
	if (rep.payloads_bad)
		fprintf(stderr, ", %llu REJECTED (digest mismatch)",
		        (unsigned long long)rep.payloads_bad);
	fputc('\n', stderr);
	if (rep.payloads_bad)
		rc = EXIT_REJECTED;
	if (cosigned) {
		FILE *f = fopen(cosigned, "wb");

		if (f == NULL || fwrite(out.p, 1, out.len, f) != out.len || fclose(f) != 0) {
			cli_error("%s: cannot write the cosigned checkpoint", cosigned);
			rc = EXIT_USAGE;
			goto out;
		}
	} else if (fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout)) {
		cli_error("stdout: write failed");
		rc = EXIT_USAGE;
		goto out;
	}
	if (ingest) {
		struct ingest_ctx ic = {0};
		struct cli_warn ws = {0};
		char dir[1100];

		if (refdata_dir(c->db, dir, sizeof(dir)) || refdata_open_active(dir, &ix, NULL)) {
			cli_error("sync: no reference data: the peer's telemetry is mirrored but "
			          "not ingested; run 'detente refdata build', then sync again");
			goto out;
		}
		if (store_open(c->db, &s, &d) ||
		    submit_peer(l, s, ix, rep.peer, cli_warn, &ws, done, &ic, &d)) {
			cli_diag(&d);
			rc = EXIT_USAGE;
			goto out;
		}
		cli_warn_flush(&ws);
		if (ic.failed)
			rc = EXIT_REJECTED;
	}
out:
	store_close(s);
	geo_index_free(ix);
	ledger_close(l);
	strbuf_release(&out);
	return rc;
}
