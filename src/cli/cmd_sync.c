/*
 * cmd_sync.c — `detente sync`: mirror a peer's ledger — from the static
 * tlog-tiles files its `log export` wrote, or over HTTP from its `detente
 * serve` — verify it, cosign its checkpoint, and ingest the evidence files
 * it shares as the peer's submissions; over HTTP, also submit this node's
 * checkpoint to the peer's witness endpoint and record its cosignature.
 * The verification and the mirror are ledger_sync's, the HTTP client and
 * witness call server/client.h's, the ingest is submit_peer's; this file
 * only chooses and prints.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "geo/refdata.h"
#include "ingest/submit.h"
#include "ledger/ledger.h"
#include "ledger/status.h"
#include "server/auth.h"
#include "server/client.h"
#include "store/store.h"

static const char sync_usage[] =
    "usage: detente sync [--from DIR|URL] [--peer NAME] [--token TOKEN] [--cosigned FILE]\n"
    "                    [--no-ingest] [--no-push]\n"
    "\n"
    "Mirror a peer's ledger: from DIR, a C2SP tlog-tiles tree its 'detente log\n"
    "export' wrote, or from URL, its 'detente serve'.  Without --from, every peer\n"
    "recorded with a URL ('detente peer add NAME VKEY URL --token TOKEN') is\n"
    "synced in turn.  The checkpoint must be signed by a peer added with 'detente\n"
    "peer add'; every new entry must be signed by it; the Merkle tree recomputed\n"
    "from all its entries must have the checkpoint's root and agree with every\n"
    "hash tile read; and it must extend the tree accepted from the peer before.\n"
    "Then the entries are stored, the checkpoint recorded in this node's own log\n"
    "and cosigned.  Payloads the peer shares are copied when their digest\n"
    "matches, and the telemetry files among them ingested as the peer's\n"
    "submissions, with the parameters its signed entries carry.\n"
    "\n"
    "From a directory, the checkpoint with this node's cosignature is written\n"
    "(stdout or --cosigned) for the peer to record with 'detente log cosignature\n"
    "add'.  Over HTTP, this node's own checkpoint is then submitted to the peer's\n"
    "witness endpoint (C2SP tlog-witness) with a consistency proof, and the\n"
    "cosignature it returns is recorded (when the peer's cosigner key is known).\n"
    "\n"
    "A checkpoint or entry not signed by the peer, files that do not match its\n"
    "checkpoint, a smaller tree than before (rollback) or another history (a\n"
    "fork: split view) is refused, exit 1; for the last ones both signed\n"
    "checkpoints are kept (table peer_evidence).  Re-running is a no-op.  An\n"
    "interrupted sync changes nothing: run it again.\n"
    "\n"
    "  --from DIR|URL    the peer's export or server (default: every peer's URL)\n"
    "  --peer NAME       the peer (default: the one whose key signs the checkpoint)\n"
    "  --token TOKEN     the credential the peer issued (default: the one kept by\n"
    "                    'peer add --token')\n"
    "  --cosigned FILE   where the cosigned checkpoint goes (default: stdout for a\n"
    "                    directory, nowhere over HTTP)\n"
    "  --no-ingest       mirror and cosign only\n"
    "  --no-push         over HTTP: do not submit this node's checkpoint\n";

struct ingest_ctx {
	unsigned long ingested, failed;
};

static void done(void *ctx, const struct submit_peer_item *it)
{
	struct ingest_ctx *c = ctx;
	char copy[64] = "";

	if (it->err) {
		c->failed++;
		cli_diag(it->diag);
		return;
	}
	c->ingested++;
	if (it->sanitized)
		snprintf(copy, sizeof(copy), ", sanitized copy in entry %llu",
		         (unsigned long long)it->copy_idx);
	fprintf(stderr,
	        "detente: peer %s entry %llu (%s%s): %llu events stored, %llu rejected, "
	        "%llu ignored\n",
	        it->author, (unsigned long long)it->idx, it->r->format, copy,
	        (unsigned long long)it->r->counts.events,
	        (unsigned long long)it->r->counts.rejected,
	        (unsigned long long)it->r->counts.ignored);
}

struct sync_opts {
	const char *peer, *token, *cosigned;
	bool ingest, push;
};

static bool is_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static int ingest_mirrored(struct cli *c, struct ledger *l, const char *peer)
{
	struct ingest_ctx ic = {0};
	struct cli_warn ws = {0};
	struct store *s = NULL;
	struct geo_index *ix = NULL;
	struct dt_diag d;
	char dir[1100];
	int rc = 0;

	dt_diag_clear(&d);
	if (refdata_dir(c->db, dir, sizeof(dir)) || refdata_open_active(dir, &ix, NULL)) {
		cli_error("sync: no reference data: the peer's telemetry is mirrored but "
		          "not ingested; run 'detente refdata build', then sync again");
		return 0;
	}
	if (store_open(c->db, &s, &d) ||
	    submit_peer(l, s, ix, peer, cli_warn, &ws, done, &ic, &d)) {
		cli_diag(&d);
		rc = EXIT_USAGE;
	} else {
		cli_warn_flush(&ws);
		if (ic.failed)
			rc = EXIT_REJECTED;
	}
	store_close(s);
	geo_index_free(ix);
	return rc;
}

static int push(struct http_client *hc, struct ledger *l, const char *from)
{
	struct witness_push wp;
	struct dt_diag d;

	dt_diag_clear(&d);
	if (http_client_push_checkpoint(hc, l, &wp, &d)) {
		cli_error("sync: %s: this node's checkpoint was not cosigned: %s", from, d.msg);
		return EXIT_REJECTED;
	}
	if (wp.cosigner_unknown)
		fprintf(stderr,
		        "detente: sync: %s cosigned this node's checkpoint (%llu entries), but its "
		        "cosigner key is not known: not recorded ('detente peer add NAME "
		        "--cosigner CVKEY')\n",
		        from, (unsigned long long)wp.size);
	else
		fprintf(stderr,
		        "detente: sync: %s cosigned this node's checkpoint (%llu entries; it had "
		        "%llu): %zu cosignature recorded\n",
		        from, (unsigned long long)wp.size, (unsigned long long)wp.old, wp.recorded);
	return 0;
}

static int sync_one(struct cli *c, struct ledger *l, const char *from, const struct sync_opts *o)
{
	struct http_client *hc = NULL;
	struct ledger_source src;
	struct ledger_sync_report rep;
	struct strbuf out;
	struct dt_diag d;
	char token[600];
	const char *tok = o->token;
	bool http = is_url(from);
	int rc = 0;
	enum dt_err err;

	dt_diag_clear(&d);
	if (http && tok == NULL && o->peer &&
	    auth_peer_token_get(c->db, o->peer, token, sizeof(token), NULL) == DT_OK)
		tok = token;
	if (http) {
		if (http_client_open(from, tok, &hc, &d)) {
			cli_diag(&d);
			return EXIT_USAGE;
		}
		http_client_source(hc, &src);
	} else {
		ledger_source_dir(&src, from);
	}
	strbuf_init(&out, 1u << 20);
	err = ledger_sync(l, o->peer, &src, &out, &rep, &d);
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
		cli_error("sync from %s: %s", from, d.msg);
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
	if (o->cosigned) {
		FILE *f = fopen(o->cosigned, "wb");

		if (f == NULL || fwrite(out.p, 1, out.len, f) != out.len || fclose(f) != 0) {
			cli_error("%s: cannot write the cosigned checkpoint", o->cosigned);
			rc = EXIT_USAGE;
			goto out;
		}
	} else if (!http && (fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout))) {
		cli_error("stdout: write failed");
		rc = EXIT_USAGE;
		goto out;
	}
	if (o->ingest) {
		int r = ingest_mirrored(c, l, rep.peer);

		if (r > rc)
			rc = r;
	}
	if (http && o->push) {
		int r = push(hc, l, from);

		if (r > rc)
			rc = r;
	}
out:
	http_client_close(hc);
	strbuf_release(&out);
	return rc;
}

struct peer_urls {
	char (*name)[NOTE_MAX_NAME];
	char (*url)[LEDGER_STATUS_MAX_URL];
	size_t n, cap;
};

static enum dt_err collect(void *ctx, const struct ledger_peer_status *p)
{
	struct peer_urls *u = ctx;

	if (p->url[0] == '\0')
		return DT_OK;
	if (u->n == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 8;
		void *a = realloc(u->name, cap * sizeof(*u->name));

		if (a == NULL)
			return DT_ENOMEM;
		u->name = a;
		if ((a = realloc(u->url, cap * sizeof(*u->url))) == NULL)
			return DT_ENOMEM;
		u->url = a;
		u->cap = cap;
	}
	snprintf(u->name[u->n], sizeof(u->name[0]), "%s", p->name);
	snprintf(u->url[u->n], sizeof(u->url[0]), "%s", p->url);
	u->n++;
	return DT_OK;
}

int cmd_sync(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, 'f'},     {"peer", required_argument, NULL, 'p'},
	    {"cosigned", required_argument, NULL, 'c'}, {"no-ingest", no_argument, NULL, 'n'},
	    {"token", required_argument, NULL, 't'},    {"no-push", no_argument, NULL, 'P'},
	    {"help", no_argument, NULL, 'h'},           {0, 0, 0, 0},
	};
	struct sync_opts o = {NULL, NULL, NULL, true, true};
	const char *from = NULL;
	struct ledger *l = NULL;
	struct dt_diag d;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': from = optarg; break;
		case 'p': o.peer = optarg; break;
		case 'c': o.cosigned = optarg; break;
		case 't': o.token = optarg; break;
		case 'n': o.ingest = false; break;
		case 'P': o.push = false; break;
		case 'h': fputs(sync_usage, stdout); return 0;
		default: fputs(sync_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fputs(sync_usage, stderr);
		return EXIT_USAGE;
	}
	dt_diag_clear(&d);
	if (ledger_open(c->db, &l, &d)) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	if (from) {
		rc = sync_one(c, l, from, &o);
	} else {
		struct peer_urls u = {0};

		if (ledger_peer_status(l, collect, &u, &d)) {
			cli_diag(&d);
			rc = EXIT_USAGE;
		} else if (u.n == 0) {
			cli_error(
			    "sync: no peer has a URL: give --from DIR|URL, or 'detente peer add "
			    "NAME VKEY URL'");
			rc = EXIT_USAGE;
		}
		for (size_t i = 0; i < u.n && rc != EXIT_USAGE; i++) {
			struct sync_opts po = o;
			int r;

			if (o.peer && strcmp(o.peer, u.name[i]) != 0)
				continue;
			po.peer = u.name[i];
			po.cosigned = NULL;
			if ((r = sync_one(c, l, u.url[i], &po)) > rc)
				rc = r;
		}
		free(u.name);
		free(u.url);
	}
	ledger_close(l);
	return rc;
}
