/*
 * cmd_ingest.c — `detente ingest` and `detente events`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "core/limits.h"
#include "geo/refdata.h"
#include "ingest/formats.h"
#include "ingest/submit.h"
#include "ledger/ledger.h"
#include "store/store.h"

static const char ingest_usage[] =
    "usage: detente ingest [--format auto|zeek|eve|pcap|netflow|syslog|weblog]\n"
    "                      [--victim ORG] [--sector S] [--home-net CIDR,...]\n"
    "                      [--tlp LEVEL] [--no-share] FILE...\n"
    "\n"
    "Turn telemetry files into attributed events: each file becomes a signed\n"
    "ledger entry (kind submission) and its records events in the node's\n"
    "database, with the remote endpoint attributed from the active reference\n"
    "data.  Files are streamed (memory stays flat); gzip is read transparently;\n"
    "re-ingesting a file adds nothing.  On a terminal a progress line shows\n"
    "bytes, events/s and the time left.\n"
    "\n"
    "The file itself never leaves the node.  Unless it is TLP:RED, a sanitized\n"
    "copy is made at once and recorded in a second entry (kind sanitized): the\n"
    "same format with addresses in the home networks pseudonymized (Crypto-PAn),\n"
    "and host names under the home domains ('share domain'), user names and\n"
    "identifying URL values replaced by keyed pseudonyms.  That copy is what\n"
    "peers receive; 'share preview' shows it.\n"
    "\n"
    "  --format F        auto (default: told from the first bytes), or\n"
    "                    zeek     Zeek TSV or JSON logs of any kind\n"
    "                    eve      Suricata EVE JSON\n"
    "                    pcap     pcap/pcapng captures, assembled into connections\n"
    "                    netflow  NetFlow v5/v9 and IPFIX export packets, as a file\n"
    "                             of packets or a capture of the export traffic\n"
    "                             (a capture is read as pcap unless this is given)\n"
    "                    syslog   iptables/nftables/ufw logs, sshd authentication\n"
    "                    weblog   nginx/apache common and combined access logs\n"
    "  --victim ORG      the organisation the telemetry comes from\n"
    "  --sector S        its sector\n"
    "  --home-net LIST   the victim's networks, comma-separated CIDRs (default:\n"
    "                    RFC 1918, RFC 6598, loopback, link-local, fc00::/7); the\n"
    "                    endpoint outside them is the remote one, to attribute\n"
    "  --tlp LEVEL       CLEAR, GREEN, AMBER (default), AMBER+STRICT, RED\n"
    "  --no-share        make no sanitized copy now ('share sanitize' makes it)\n"
    "\n"
    "exit status: 0 all ingested, 1 some records rejected or a file damaged,\n"
    "2 usage or setup error\n";

static const char events_usage[] =
    "usage: detente events [--json|--tsv] [--victim V] [--since T] [--until T]\n"
    "\n"
    "Print stored events, oldest first: TSV with a header (default) or one JSON\n"
    "object a line (--json) with ts, src, sport, dst, dport, proto, kind, remote,\n"
    "victim, country, asn, as_org, flags, signature, domain, submission, record\n"
    "and the other indicator fields.  T is RFC 3339 (2024-04-12T19:29:12Z, or a\n"
    "date) or seconds since the epoch.\n";

bool cli_parse_home(const char *list, struct submit_opts *o, const char *cmd)
{
	o->nhome = 0;
	while (*list) {
		size_t n = strcspn(list, ",");

		if (n && (o->nhome == SUBMIT_MAX_HOME ||
		          dt_prefix_parse(list, n, &o->home[o->nhome++], NULL) != DT_OK)) {
			cli_error("%s: --home-net: '%.*s' is not a CIDR prefix", cmd, (int)n, list);
			return false;
		}
		list += n + (list[n] == ',');
	}
	return true;
}

static void show_progress(void *ctx, uint64_t done, uint64_t total, uint64_t events)
{
	struct progress *p = ctx;

	p->total = total;
	progress_update(p, done, events);
}

int cmd_ingest(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'}, {"victim", required_argument, NULL, 'v'},
	    {"sector", required_argument, NULL, 's'}, {"home-net", required_argument, NULL, 'n'},
	    {"tlp", required_argument, NULL, 't'},    {"no-share", no_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},         {0, 0, 0, 0},
	};
	struct submit_opts o = {.format = "auto"};
	struct ledger *l = NULL;
	struct store *s = NULL;
	struct geo_index *ix = NULL;
	struct dt_diag d;
	struct cli_warn ws = {0};
	char dir[1100];
	int ch, rc = 0;

	submit_default_home(&o);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': o.format = optarg; break;
		case 'v': o.victim = optarg; break;
		case 's': o.sector = optarg; break;
		case 'n':
			if (!cli_parse_home(optarg, &o, "ingest"))
				return EXIT_USAGE;
			break;
		case 't': o.tlp = optarg; break;
		case 'S': o.no_share = true; break;
		case 'h': fputs(ingest_usage, stdout); return 0;
		default: fputs(ingest_usage, stderr); return EXIT_USAGE;
		}
	}
	if (strcmp(o.format, "auto") != 0 && ingest_format(o.format) == NULL) {
		cli_error("ingest: --format '%s' is not one of auto, %s", o.format,
		          ingest_format_names);
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		fputs(ingest_usage, stderr);
		return EXIT_USAGE;
	}
	dt_diag_clear(&d);
	if (ledger_open(c->db, &l, &d) || refdata_dir(c->db, dir, sizeof(dir)) ||
	    refdata_open_active(dir, &ix, &d) || store_open(c->db, &s, &d)) {
		cli_diag(&d);
		rc = EXIT_USAGE;
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		struct submit_result r;
		struct progress p;
		enum dt_err err;

		dt_diag_clear(&d);
		progress_init(&p, argv[i], 0);
		o.progress = show_progress;
		o.pctx = &p;
		err = submit_file(l, s, ix, argv[i], &o, cli_warn, &ws, &r, &d);
		progress_done(&p);
		if (err) {
			cli_diag(&d);
			rc = rc ? rc : EXIT_REJECTED;
			continue;
		}
		cli_warn_flush(&ws);
		if (r.already) {
			printf("%s: already ingested as ledger entry %llu; nothing added\n",
			       argv[i], (unsigned long long)r.entry);
			continue;
		}
		printf("%s: %s, %llu records, %llu events stored, %llu rejected, %llu ignored; "
		       "ledger entry %llu\n",
		       argv[i], r.format, (unsigned long long)r.counts.records,
		       (unsigned long long)r.counts.events, (unsigned long long)r.counts.rejected,
		       (unsigned long long)r.counts.ignored, (unsigned long long)r.entry);
		if (r.derived)
			printf("%s: sanitized copy for peers %s; ledger entry %llu\n", argv[i],
			       r.derived_digest, (unsigned long long)r.derived_entry);
		else if (r.derive_error[0])
			cli_error("%s: no sanitized copy for peers yet (%s); 'detente share "
			          "sanitize' retries",
			          argv[i], r.derive_error);
		if (r.damaged) {
			cli_error("%s: %s; the records before it were ingested", argv[i], r.damage);
			rc = rc ? rc : EXIT_REJECTED;
		}
		if (r.counts.rejected)
			rc = rc ? rc : EXIT_REJECTED;
	}
out:
	store_close(s);
	geo_index_free(ix);
	ledger_close(l);
	return rc;
}

/* RFC 3339 / ISO date or epoch seconds into microseconds. */
static bool parse_time(const char *t, int64_t *us)
{
	struct tm tm;
	char *end;
	long frac = 0;
	int fdigits = 0;

	if (*t >= '0' && *t <= '9' && strspn(t, "0123456789") == strlen(t)) {
		*us = strtoll(t, NULL, 10) * 1000000;
		return true;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(t, "%Y-%m-%d", &tm);
	if (end == NULL)
		return false;
	if (*end == 'T' || *end == ' ') {
		end = strptime(end + 1, "%H:%M:%S", &tm);
		if (end == NULL)
			return false;
		if (*end == '.') {
			for (end++; *end >= '0' && *end <= '9'; end++)
				if (fdigits++ < 6)
					frac = frac * 10 + (*end - '0');
			while (fdigits++ < 6)
				frac *= 10;
		}
	}
	if (*end == 'Z')
		end++;
	if (*end != '\0')
		return false;
	*us = (int64_t)timegm(&tm) * 1000000 + frac;
	return true;
}

static enum dt_err write_row(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	return fwrite(line, 1, len, stdout) == len ? DT_OK : DT_EIO;
}

int cmd_events(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"tsv", no_argument, NULL, 't'},
	    {"victim", required_argument, NULL, 'v'},
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	struct store_query q = {.since_us = INT64_MIN, .until_us = INT64_MAX, .tsv = true};
	struct store *s = NULL;
	struct dt_diag d;
	int ch;
	enum dt_err err;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': q.tsv = false; break;
		case 't': q.tsv = true; break;
		case 'v': q.victim = optarg; break;
		case 's':
		case 'u':
			if (!parse_time(optarg, ch == 's' ? &q.since_us : &q.until_us)) {
				cli_error("events: '%s' is not a time (RFC 3339 or epoch seconds)",
				          optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': fputs(events_usage, stdout); return 0;
		default: fputs(events_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("events: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	dt_diag_clear(&d);
	if (access(c->db, F_OK) != 0) {
		cli_error("%s: no node here; run 'detente init' and 'detente ingest' first", c->db);
		return EXIT_USAGE;
	}
	if (store_open(c->db, &s, &d)) {
		cli_diag(&d);
		return EXIT_USAGE;
	}
	if (q.tsv)
		fputs(store_tsv_header, stdout);
	err = store_events(s, &q, write_row, NULL, &d);
	store_close(s);
	if (err || fflush(stdout)) {
		if (err != DT_EIO || d.msg[0])
			cli_diag(&d);
		return EXIT_USAGE;
	}
	return 0;
}
