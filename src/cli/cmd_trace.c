/*
 * cmd_trace.c — `detente trace [--json|--tsv] [IP...]`.
 *
 * With no IP arguments, reads one address a line from stdin and streams it
 * in blocks of whole lines (1 MiB).  Each block is parsed, looked up in
 * batches (geo_lookup_batch) and formatted into its own output buffer; with
 * more than one thread, blocks are handed to workers and written back in
 * input order, so the output is identical to a single-threaded run.  Memory
 * is bounded by the number of blocks in flight, whatever the input size.
 *
 * Blank lines and '#' comments are skipped; a line that is not an address
 * is reported as stdin:LINE and skipped, and the exit status is then 1.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
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

#define TRACE_BATCH       1024
#define TRACE_BLOCK       (1u << 18)
#define TRACE_MAX_THREADS 16

static const char usage[] =
    "usage: detente trace [--json|--tsv] [--no-header] [--threads N] [IP...]\n"
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
    "  --threads N   worker threads for standard input (default: the number of\n"
    "                cores, at most 16; output order is always the input order)\n"
    "\n"
    "exit status: 0 all answered, 1 some input was not an address, 2 setup error\n";

enum fmt { FMT_TEXT, FMT_JSON, FMT_TSV };

/* One block of input and what it turns into. */
struct block {
	char *in;
	size_t len;
	unsigned long first_line; /* line number of in[0] */
	struct strbuf out, err;
	unsigned long long done, bad;
	int state; /* 0 free, 1 queued, 2 done */
};

struct tracer {
	const struct geo_index *ix;
	enum fmt fmt;
};

/* texts/lens (may be NULL): the trimmed input text of each address */
static void format_batch(const struct tracer *t, const struct dt_ip *ips, const char *const *texts,
                         const size_t *lens, struct geo_answer *ans, size_t n, struct strbuf *out)
{
	geo_lookup_batch(t->ix, ips, ans, n);
	for (size_t i = 0; i < n; i++) {
		enum dt_err err;

		if (t->fmt == FMT_JSON)
			err = geo_answer_json(out, t->ix, &ips[i], &ans[i]);
		else if (t->fmt == FMT_TSV)
			err = geo_answer_tsv_text(out, t->ix, &ips[i], texts ? texts[i] : NULL,
			                          lens ? lens[i] : 0, &ans[i]);
		else
			err = geo_answer_text(out, t->ix, &ips[i], &ans[i]);
		if (!err)
			strbuf_addc(out, '\n');
	}
}

/* Trims; returns false for blank lines and (when line > 0) comments. */
static bool trim(const char **s, size_t *len, unsigned long line)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r'))
		(*len)--;
	return *len > 0 && !(line && **s == '#');
}

/* Parses, looks up and formats every line of b->in. */
static void process_block(const struct tracer *t, struct block *b)
{
	struct dt_ip ips[TRACE_BATCH];
	struct geo_answer ans[TRACE_BATCH];
	const char *texts[TRACE_BATCH];
	size_t lens[TRACE_BATCH];
	size_t n = 0, i = 0;
	unsigned long line = b->first_line;

	while (i < b->len) {
		const char *s = b->in + i, *nl = memchr(s, '\n', b->len - i);
		size_t len = nl ? (size_t)(nl - s) : b->len - i;

		i += len + 1;
		if (!trim(&s, &len, line)) {
			line++;
			continue;
		}
		if (dt_ip_parse(s, len, &ips[n]) != DT_OK) {
			b->bad++;
			strbuf_addf(&b->err, "detente: stdin:%lu: invalid IP address '%.*s'\n",
			            line, (int)(len > 64 ? 64 : len), s);
		} else {
			texts[n] = s;
			lens[n] = len;
			if (++n == TRACE_BATCH) {
				format_batch(t, ips, texts, lens, ans, n, &b->out);
				b->done += n;
				n = 0;
			}
		}
		line++;
	}
	if (n) {
		format_batch(t, ips, texts, lens, ans, n, &b->out);
		b->done += n;
	}
}

/* ---- reading blocks of whole lines ------------------------------------ */

struct reader {
	char *carry; /* a partial last line from the previous read */
	size_t carry_len;
	bool eof, skipping;
	unsigned long next_line;
	uint64_t bytes;
	int error;
};

/*
 * Fills b with the next run of whole lines (at most TRACE_BLOCK bytes plus
 * one line).  Returns false at the end of input.
 */
static bool read_block(struct reader *r, struct block *b, unsigned long long *toolong)
{
	size_t cap = TRACE_BLOCK + TRACE_BLOCK, len = 0;

	if (b->in == NULL && (b->in = malloc(cap)) == NULL) {
		r->error = ENOMEM;
		return false;
	}
	memcpy(b->in, r->carry, r->carry_len);
	len = r->carry_len;
	r->carry_len = 0;
	while (!r->eof && len < TRACE_BLOCK) {
		ssize_t got = read(0, b->in + len, cap - len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r->error = errno;
			return false;
		}
		if (got == 0)
			r->eof = true;
		len += (size_t)got;
		r->bytes += (uint64_t)got;
	}
	if (len == 0)
		return false;
	if (!r->eof) {
		/* keep the partial last line for the next block */
		char *last = memrchr(b->in, '\n', len);

		if (last == NULL) {
			/* one line longer than a whole block: not an address */
			if (!r->skipping) {
				(*toolong)++;
				fprintf(stderr,
				        "detente: stdin:%lu: line longer than %u bytes, skipped\n",
				        r->next_line, TRACE_BLOCK);
			}
			r->skipping = true;
			b->len = 0;
			b->first_line = r->next_line;
			return true;
		}
		r->carry_len = len - (size_t)(last + 1 - b->in);
		memcpy(r->carry, last + 1, r->carry_len);
		len = (size_t)(last + 1 - b->in);
	}
	b->len = len;
	b->first_line = r->next_line;
	if (r->skipping) {
		/* drop the rest of the overlong line */
		char *nl = memchr(b->in, '\n', len);
		size_t skip = (size_t)(nl - b->in) + 1;

		memmove(b->in, b->in + skip, len - skip);
		b->len = len - skip;
		r->next_line++;
		b->first_line = r->next_line;
		r->skipping = false;
	}
	for (const char *p = b->in, *end = b->in + b->len; (p = memchr(p, '\n', (size_t)(end - p)));
	     p++)
		r->next_line++;
	if (b->len && b->in[b->len - 1] != '\n')
		r->next_line++; /* a final line without newline */
	return true;
}

/* ---- the pipeline ------------------------------------------------------ */

struct pool {
	const struct tracer *t;
	struct block *slots;
	size_t nslots;
	unsigned long long queued, taken; /* sequence numbers */
	bool closing;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
};

static void *worker(void *arg)
{
	struct pool *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->taken == p->queued && !p->closing)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->taken == p->queued)
			break;
		struct block *b = &p->slots[p->taken++ % p->nslots];
		pthread_mutex_unlock(&p->mu);
		process_block(p->t, b);
		pthread_mutex_lock(&p->mu);
		b->state = 2;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static bool write_block(struct block *b, unsigned long long *done, unsigned long long *bad)
{
	bool ok = fwrite(b->out.p ? b->out.p : "", 1, b->out.len, stdout) == b->out.len;

	if (b->err.len)
		fputs(b->err.p, stderr);
	*done += b->done;
	*bad += b->bad;
	strbuf_reset(&b->out);
	strbuf_reset(&b->err);
	b->done = b->bad = 0;
	b->state = 0;
	return ok;
}

/*
 * Writes finished blocks in input order until at most `keep` are still
 * queued.  Called and returns with p->mu held.
 */
static void drain(struct pool *p, unsigned long long *written, size_t keep,
                  unsigned long long *done, unsigned long long *bad, bool *write_failed)
{
	while (*written < p->queued && p->queued - *written > keep) {
		struct block *w = &p->slots[*written % p->nslots];

		while (w->state != 2)
			pthread_cond_wait(&p->done, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (!write_block(w, done, bad))
			*write_failed = true;
		pthread_mutex_lock(&p->mu);
		(*written)++;
	}
}

static int run_stdin(const struct tracer *t, unsigned threads, unsigned long long *done,
                     unsigned long long *bad, bool *write_failed)
{
	struct pool p = {.t = t};
	struct reader r = {.next_line = 1};
	pthread_t tid[TRACE_MAX_THREADS];
	unsigned long long written = 0;
	struct progress pr;
	struct stat st;
	int rc = 0;

	p.nslots = threads > 1 ? 2 * threads + 1 : 1;
	p.slots = calloc(p.nslots, sizeof(*p.slots));
	r.carry = malloc(2 * TRACE_BLOCK);
	if (p.slots == NULL || r.carry == NULL) {
		cli_error("out of memory");
		free(p.slots);
		free(r.carry);
		return -1;
	}
	for (size_t i = 0; i < p.nslots; i++) {
		strbuf_init(&p.slots[i].out, 1u << 28);
		strbuf_init(&p.slots[i].err, 1u << 24);
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.work, NULL);
	pthread_cond_init(&p.done, NULL);
	for (unsigned k = 0; threads > 1 && k < threads; k++)
		pthread_create(&tid[k], NULL, worker, &p);
	progress_init(&pr, "trace",
	              fstat(0, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0);
	for (;;) {
		struct block *b = &p.slots[p.queued % p.nslots];

		if (threads > 1) {
			/* the slot is free once its previous block is written, in order */
			pthread_mutex_lock(&p.mu);
			drain(&p, &written, p.nslots - 1, done, bad, write_failed);
			pthread_mutex_unlock(&p.mu);
		}
		if (!read_block(&r, b, bad))
			break;
		if (threads > 1) {
			pthread_mutex_lock(&p.mu);
			b->state = 1;
			p.queued++;
			pthread_cond_signal(&p.work);
			pthread_mutex_unlock(&p.mu);
		} else {
			process_block(t, b);
			if (!write_block(b, done, bad))
				*write_failed = true;
			p.queued++;
			written++;
		}
		progress_update(&pr, r.bytes, *done);
	}
	if (threads > 1) {
		pthread_mutex_lock(&p.mu);
		p.closing = true;
		pthread_cond_broadcast(&p.work);
		drain(&p, &written, 0, done, bad, write_failed);
		pthread_mutex_unlock(&p.mu);
		for (unsigned k = 0; k < threads; k++)
			pthread_join(tid[k], NULL);
	}
	progress_done(&pr);
	if (r.error) {
		cli_error("stdin: read failed: %s", strerror(r.error));
		rc = -1;
	}
	for (size_t i = 0; i < p.nslots; i++) {
		free(p.slots[i].in);
		strbuf_release(&p.slots[i].out);
		strbuf_release(&p.slots[i].err);
	}
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.work);
	pthread_cond_destroy(&p.done);
	free(p.slots);
	free(r.carry);
	return rc;
}

int cmd_trace(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},      {"tsv", no_argument, NULL, 't'},
	    {"no-header", no_argument, NULL, 'H'}, {"threads", required_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},      {0, 0, 0, 0},
	};
	struct tracer t = {.fmt = FMT_TEXT};
	struct geo_index *ix = NULL;
	struct dt_diag diag;
	char dir[1100];
	bool header = true, write_failed = false;
	unsigned long long done = 0, bad = 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = cores > 0 ? (unsigned)cores : 1;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': t.fmt = FMT_JSON; break;
		case 't': t.fmt = FMT_TSV; break;
		case 'H': header = false; break;
		case 'T': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > TRACE_MAX_THREADS) {
				cli_error("trace: --threads takes 1 to %d, not '%s'",
				          TRACE_MAX_THREADS, optarg);
				return EXIT_USAGE;
			}
			threads = (unsigned)v;
			break;
		}
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (threads > TRACE_MAX_THREADS)
		threads = TRACE_MAX_THREADS;
	dt_diag_clear(&diag);
	if (refdata_dir(c->db, dir, sizeof(dir)) || refdata_open_active(dir, &ix, &diag)) {
		cli_diag(&diag);
		return EXIT_USAGE;
	}
	t.ix = ix;
	if (t.fmt == FMT_TSV && header)
		fputs(geo_answer_tsv_header, stdout);
	if (optind < argc) {
		struct strbuf out;
		struct dt_ip ip;
		struct geo_answer a;

		strbuf_init(&out, 1u << 20);
		for (int i = optind; i < argc; i++) {
			const char *s = argv[i];
			size_t len = strlen(s);

			if (!trim(&s, &len, 0) || dt_ip_parse(s, len, &ip) != DT_OK) {
				cli_error("trace: invalid IP address '%.*s'",
				          (int)(len > 64 ? 64 : len), s);
				bad++;
				continue;
			}
			format_batch(&t, &ip, NULL, NULL, &a, 1, &out);
			done++;
		}
		if (fwrite(out.p ? out.p : "", 1, out.len, stdout) != out.len)
			write_failed = true;
		strbuf_release(&out);
	} else if (run_stdin(&t, threads, &done, &bad, &write_failed) < 0) {
		rc = EXIT_USAGE;
	}
	if (fflush(stdout) != 0 || write_failed) {
		cli_error("stdout: write failed: %s", strerror(errno));
		rc = EXIT_USAGE;
	}
	if (rc == 0 && bad) {
		if (optind >= argc)
			cli_error("trace: %llu lines rejected, %llu addresses traced", bad, done);
		rc = EXIT_REJECTED;
	}
	geo_index_free(ix);
	return rc;
}
