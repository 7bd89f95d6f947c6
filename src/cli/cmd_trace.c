/*
 * cmd_trace.c — `detente trace [--json|--tsv] [IP...]`.
 *
 * With no IP arguments, reads one address a line from stdin and streams:
 * fixed-size batches are parsed, looked up together (geo_lookup_batch) and
 * formatted into one output buffer, so memory stays constant however long
 * the input.  Blank lines and '#' comments are skipped; a line that is not
 * an address is reported with its number and skipped, and the exit status
 * is then 1.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "core/strbuf.h"
#include "geo/answer.h"
#include "geo/refdata.h"

#define TRACE_BATCH 1024
#define TRACE_READ (1u << 20)
#define TRACE_FLUSH (1u << 16)

static const char usage[] =
	"usage: detente trace [--json|--tsv] [--no-header] [IP...]\n"
	"\n"
	"Attribute each IP address (IPv4, IPv6, IPv4-mapped IPv6) to country, AS\n"
	"number, AS organisation, the network over which that answer holds, and\n"
	"flags (bogon, private, cloud, vpn, public-dns, sinkhole, ...), from the\n"
	"active reference data snapshot.  With no IP arguments, reads one address a\n"
	"line from standard input.\n"
	"\n"
	"  --json        one JSON object a line: ip, country, asn, as_org, network,\n"
	"                flags, refdata (unknown values are null)\n"
	"  --tsv         tab-separated with a header line (unknown values are -)\n"
	"  --no-header   omit the TSV header line\n"
	"\n"
	"exit status: 0 all answered, 1 some input was not an address, 2 setup error\n";

enum fmt { FMT_TEXT, FMT_JSON, FMT_TSV };

struct tracer {
	const struct geo_index *ix;
	enum fmt fmt;
	struct strbuf out;
	struct dt_ip ips[TRACE_BATCH];
	struct geo_answer ans[TRACE_BATCH];
	size_t n;
	unsigned long long done, bad;
	bool write_failed;
};

static void flush_out(struct tracer *t)
{
	if (t->out.len && fwrite(t->out.p, 1, t->out.len, stdout) != t->out.len)
		t->write_failed = true;
	strbuf_reset(&t->out);
}

static void run_batch(struct tracer *t)
{
	geo_lookup_batch(t->ix, t->ips, t->ans, t->n);
	for (size_t i = 0; i < t->n; i++) {
		enum dt_err err;

		if (t->fmt == FMT_JSON)
			err = geo_answer_json(&t->out, t->ix, &t->ips[i], &t->ans[i]);
		else if (t->fmt == FMT_TSV)
			err = geo_answer_tsv(&t->out, t->ix, &t->ips[i], &t->ans[i]);
		else
			err = geo_answer_text(&t->out, t->ix, &t->ips[i], &t->ans[i]);
		if (!err)
			strbuf_addc(&t->out, '\n');
		if (t->out.len >= TRACE_FLUSH)
			flush_out(t);
	}
	t->done += t->n;
	t->n = 0;
}

static void add_text(struct tracer *t, const char *s, size_t len,
		     const char *src, unsigned long line)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	if (len == 0 || (line && *s == '#'))
		return;
	if (dt_ip_parse(s, len, &t->ips[t->n])) {
		t->bad++;
		if (line)
			cli_error("%s:%lu: invalid IP address '%.*s'", src, line,
				  (int)(len > 64 ? 64 : len), s);
		else
			cli_error("trace: invalid IP address '%.*s'", (int)(len > 64 ? 64 : len), s);
		return;
	}
	if (++t->n == TRACE_BATCH)
		run_batch(t);
}

static int read_stdin(struct tracer *t)
{
	char *buf = malloc(TRACE_READ);
	size_t have = 0;
	unsigned long line = 0;
	uint64_t total = 0, bytes = 0;
	bool skipping = false;
	struct progress pr;
	struct stat st;

	if (buf == NULL) {
		cli_error("out of memory");
		return -1;
	}
	if (fstat(0, &st) == 0 && S_ISREG(st.st_mode))
		total = (uint64_t)st.st_size;
	progress_init(&pr, "trace", total);
	for (;;) {
		ssize_t r = read(0, buf + have, TRACE_READ - have);
		size_t start = 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cli_error("stdin: read failed: %s", strerror(errno));
			free(buf);
			return -1;
		}
		bytes += (uint64_t)r;
		have += (size_t)r;
		for (;;) {
			char *nl = memchr(buf + start, '\n', have - start);
			size_t len;

			if (nl == NULL)
				break;
			len = (size_t)(nl - (buf + start));
			line++;
			if (skipping)
				skipping = false;
			else
				add_text(t, buf + start, len, "stdin", line);
			start += len + 1;
		}
		if (r == 0) {
			if (start < have && !skipping)
				add_text(t, buf + start, have - start, "stdin", ++line);
			break;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have == TRACE_READ) {
			/* a line longer than the buffer: not an address */
			line++;
			t->bad++;
			cli_error("stdin:%lu: line longer than %u bytes, skipped", line, TRACE_READ);
			skipping = true;
			have = 0;
		}
		progress_update(&pr, bytes, t->done + t->n);
	}
	progress_done(&pr);
	free(buf);
	return 0;
}

int cmd_trace(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"tsv", no_argument, NULL, 't'},
		{"no-header", no_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{0, 0, 0, 0},
	};
	struct tracer *t;
	struct geo_index *ix = NULL;
	struct dt_diag diag;
	char dir[1100];
	bool header = true;
	int ch, rc;

	enum fmt fmt = FMT_TEXT;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': fmt = FMT_JSON; break;
		case 't': fmt = FMT_TSV; break;
		case 'H': header = false; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	dt_diag_clear(&diag);
	if (refdata_dir(c->db, dir, sizeof(dir)) || refdata_open_active(dir, &ix, &diag)) {
		cli_diag(&diag);
		return EXIT_USAGE;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		geo_index_free(ix);
		cli_error("out of memory");
		return EXIT_USAGE;
	}
	t->ix = ix;
	t->fmt = fmt;
	strbuf_init(&t->out, 1u << 24);
	if (fmt == FMT_TSV && header)
		strbuf_adds(&t->out, geo_answer_tsv_header);
	rc = 0;
	if (optind < argc) {
		for (int i = optind; i < argc; i++)
			add_text(t, argv[i], strlen(argv[i]), NULL, 0);
	} else if (read_stdin(t) < 0) {
		rc = EXIT_USAGE;
	}
	if (t->n)
		run_batch(t);
	flush_out(t);
	if (fflush(stdout) != 0 || t->write_failed) {
		cli_error("stdout: write failed: %s", strerror(errno));
		rc = EXIT_USAGE;
	}
	if (rc == 0 && t->bad) {
		if (optind >= argc)
			cli_error("trace: %llu lines rejected, %llu addresses traced", t->bad, t->done);
		rc = EXIT_REJECTED;
	}
	strbuf_release(&t->out);
	free(t);
	geo_index_free(ix);
	return rc;
}
