/*
 * sanitize_weblog.c — the derivative of an nginx/apache access log
 * (common, combined, vhost_combined and the longer custom forms that
 * ingest/weblog.c accepts), for privacy/sanitize.h.
 *
 * Each line is taken apart as ingest/weblog.c does (client, the first
 * " [" that opens a valid time, the quoted request ending at a quote
 * followed by a status, status, bytes, the quoted referer and user agent)
 * and rewritten field by field:
 *
 *   vhost:port   san_name(vhost) ":" port
 *   client       privacy_addr (home nets only); a host name: san_name
 *   ident, user  privacy_user (san_user), "-" kept
 *   time         kept
 *   request      the method and " HTTP/x.y" kept, the target through the
 *                URL policy (san_url); a request line that is not
 *                "METHOD target" is scrubbed
 *   status, bytes  kept
 *   referer      the URL policy ("-" kept)
 *   user agent   privacy_scrub (a user agent is kept, unless it holds a
 *                home address or name)
 *   the rest     privacy_scrub
 *
 * The target and the referer are sanitized in their unescaped form (\"
 * and \\ undone, as the parser does) and escaped again so that undoing
 * the escapes gives the sanitized text exactly: the event url read from
 * the derivative is san_url of the original's.  A line the parser would
 * reject for its shape (no time, no quoted request with a status) is
 * scrubbed whole and counted as unparsed; the input is refused
 * (DT_EFORMAT) when every non-blank line is, as ingest_weblog refuses it.
 */
#include <string.h>

#include "ingest/logtime.h"
#include "ingest/weblogfmt.h"
#include "privacy/sanitize.h"
#include "privacy/sanitize_util.h"

struct ws {
	struct san s;
	struct strbuf out;
	struct strbuf un, tmp; /* an unescaped field and its derivative */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Writes the derivative of a quoted field's content v[0..n) by fn: when
 * the parser unescapes it (short enough, with a backslash), the
 * derivative of the unescaped text, escaped again; else of the raw text.
 */
static enum dt_err escaped_field(struct ws *w, const char *v, size_t n,
                                 enum dt_err (*fn)(struct san *, const char *, size_t,
                                                   struct strbuf *))
{
	enum dt_err err;

	if (n > WEBLOG_FIELD_MAX || memchr(v, '\\', n) == NULL) {
		if (!memchr(v, '"', n))
			return fn(&w->s, v, n, &w->out);
	} else {
		strbuf_reset(&w->un);
		for (size_t i = 0; i < n; i++) {
			if (v[i] == '\\' && i + 1 < n && (v[i + 1] == '"' || v[i + 1] == '\\'))
				i++;
			if ((err = strbuf_addc(&w->un, v[i])))
				return err;
		}
		v = w->un.p;
		n = w->un.len;
	}
	strbuf_reset(&w->tmp);
	if ((err = fn(&w->s, v, n, &w->tmp)))
		return err;
	/* escape so that the parser's unescaping gives tmp back */
	for (size_t i = 0; !err && i < w->tmp.len; i++) {
		char c = w->tmp.p[i];
		char next = i + 1 < w->tmp.len ? w->tmp.p[i + 1] : '"';

		if (c == '"' || (c == '\\' && (next == '"' || next == '\\')))
			err = strbuf_addc(&w->out, '\\');
		if (!err)
			err = strbuf_addc(&w->out, c);
	}
	return err;
}

/* The request line: "METHOD target[ HTTP/x.y]" as ingest/weblog.c splits
 * it, or scrubbed. */
static enum dt_err request(struct ws *w, const char *r, size_t n)
{
	const char *sp = memchr(r, ' ', n);
	size_t m = sp ? (size_t)(sp - r) : n, end = n;
	enum dt_err err;

	if (m == 0 || m > 20)
		return san_scrub(&w->s, r, n, &w->out);
	for (size_t i = 0; i < m; i++)
		if (r[i] < 'A' || r[i] > 'Z')
			return san_scrub(&w->s, r, n, &w->out);
	if (sp == NULL)
		return strbuf_add(&w->out, r, n);
	for (size_t i = end; i > m; i--) {
		if (r[i - 1] == ' ') {
			if (end - i >= 5 && memcmp(r + i, "HTTP/", 5) == 0)
				end = i - 1;
			break;
		}
	}
	if ((err = strbuf_add(&w->out, r, m + 1)))
		return err;
	if (end > m && (err = escaped_field(w, r + m + 1, end - m - 1, san_url)))
		return err;
	return strbuf_add(&w->out, r + end, n - end);
}

/* The client: an address or a host name. */
static enum dt_err client(struct ws *w, const char *v, size_t n)
{
	struct dt_ip ip;

	if (dt_ip_parse(v, n, &ip) == DT_OK)
		return san_addr(&w->s, v, n, &w->out);
	return san_name(&w->s, v, n, &w->out);
}

/* "ident user" between the client and " [". */
static enum dt_err ident_user(struct ws *w, const char *v, size_t n)
{
	const char *sp = memchr(v, ' ', n);
	size_t a = sp ? (size_t)(sp - v) : n;
	enum dt_err err;

	if (!sp)
		return san_scrub(&w->s, v, n, &w->out);
	if (a == 1 && v[0] == '-')
		err = strbuf_addc(&w->out, '-');
	else
		err = san_user(&w->s, v, a, &w->out);
	if (!err)
		err = strbuf_addc(&w->out, ' ');
	if (err || a + 1 == n)
		return err;
	if (n - a - 1 == 1 && v[a + 1] == '-')
		return strbuf_addc(&w->out, '-');
	return san_user(&w->s, v + a + 1, n - a - 1, &w->out);
}

static enum dt_err referer(struct san *s, const char *v, size_t n, struct strbuf *out)
{
	if (n == 1 && v[0] == '-')
		return strbuf_addc(out, '-');
	return san_url(s, v, n, out);
}

/* One line; false when its shape is not an access log's (nothing written). */
static enum dt_err line(struct ws *w, const char *s, size_t n, bool *ok)
{
	const char *sp = memchr(s, ' ', n), *lb;
	size_t cl, used = 0, i, q, b, vh = 0, start = 0, hl;
	struct dt_str vhost;
	int32_t vport;
	int64_t ts;
	enum dt_err err;

	*ok = false;
	if (sp == NULL || sp == s)
		return DT_OK;
	cl = (size_t)(sp - s);
	for (lb = sp; (lb = memchr(lb, '[', (size_t)(s + n - lb))) != NULL; lb++)
		if (lb[-1] == ' ' && !logtime_clf(lb + 1, (size_t)(s + n - lb - 1), &used, &ts) &&
		    lb + 1 + used < s + n && lb[1 + used] == ']')
			break;
	if (lb == NULL)
		return DT_OK;
	/* vhost_combined: "vhost:port client ..." */
	if (weblog_vhost_port((struct dt_str){s, cl}, &vhost, &vport)) {
		hl = vhost.len;
		size_t nl = 0;
		struct dt_ip ip;

		while (sp + 1 + nl < lb && sp[1 + nl] != ' ')
			nl++;
		if (nl && !dt_ip_parse(sp + 1, nl, &ip)) {
			vh = hl;
			start = cl + 1;
			cl = nl;
		}
	}
	i = (size_t)(lb - s) + 1 + used + 1;
	if (i + 1 >= n || s[i] != ' ' || s[i + 1] != '"')
		return DT_OK;
	i++;
	q = weblog_quoted_end(s, n, i);
	while (q < n && !weblog_status_at(s, n, q + 1)) {
		const char *nq = memchr(s + q + 1, '"', n - q - 1);

		q = nq ? (size_t)(nq - s) : n;
	}
	if (q >= n || q + 5 >= n || s[q + 5] != ' ')
		return DT_OK;
	/* the body bytes: digits or "-" (else the parser rejects the line) */
	for (b = q + 6; b < n && s[b] != ' '; b++)
		if (!is_digit(s[b]) &&
		    !(s[b] == '-' && b == q + 6 && (b + 1 == n || s[b + 1] == ' ')))
			return DT_OK;
	if (b == q + 6)
		return DT_OK;
	*ok = true;
	/* vhost:port client ident user [time] " */
	if (vh) {
		if ((err = san_name(&w->s, s, vh, &w->out)) ||
		    (err = strbuf_add(&w->out, s + vh, start - vh)))
			return err;
	}
	if ((err = client(w, s + start, cl)) || (err = strbuf_addc(&w->out, ' ')))
		return err;
	if ((size_t)(lb - s) > start + cl + 1 &&
	    (err = ident_user(w, s + start + cl + 1, (size_t)(lb - s) - start - cl - 2)))
		return err;
	if ((size_t)(lb - s) > start + cl + 1 && (err = strbuf_addc(&w->out, ' ')))
		return err;
	if ((err = strbuf_add(&w->out, lb, (size_t)(s + i + 1 - lb))) ||
	    (err = request(w, s + i + 1, q - i - 1)))
		return err;
	/* '"' status bytes */
	for (i = q + 6; i < n && s[i] != ' '; i++)
		;
	if ((err = strbuf_add(&w->out, s + q, i - q)))
		return err;
	if (i + 1 < n && s[i + 1] == '"') {
		size_t r = weblog_quoted_end(s, n, i + 1);

		if ((err = strbuf_add(&w->out, s + i, 2)) ||
		    (err = escaped_field(w, s + i + 2, (r < n ? r : n) - i - 2, referer)))
			return err;
		i = r;
		if (r < n && r + 2 < n && s[r + 1] == ' ' && s[r + 2] == '"') {
			size_t u = weblog_quoted_end(s, n, r + 2);

			if ((err = strbuf_add(&w->out, s + r, 3)) ||
			    (err = san_scrub(&w->s, s + r + 3, (u < n ? u : n) - r - 3, &w->out)))
				return err;
			i = u;
		}
	}
	return i < n ? san_scrub(&w->s, s + i, n - i, &w->out) : DT_OK;
}

static enum dt_err weblog_line(void *ctx, const char *s, size_t n, bool *ok)
{
	return line(ctx, s, n, ok);
}

enum dt_err sanitize_weblog(struct reader *r, struct privacy *p, FILE *out, const char *name,
                            struct privacy_counts *c, struct dt_diag *diag)
{
	struct ws w;
	enum dt_err err;

	memset(&w, 0, sizeof(w));
	strbuf_init(&w.out, SAN_MAX_OUT + SAN_FLUSH_AT);
	strbuf_init(&w.un, SAN_MAX_OUT);
	strbuf_init(&w.tmp, SAN_MAX_OUT);
	if (!(err = san_init(&w.s, p, c)))
		err = san_textlog(r, &w.s, &w.out, out, name,
		                  "not an nginx/apache access log: no line has its shape",
		                  weblog_line, &w, diag);
	san_release(&w.s);
	strbuf_release(&w.out);
	strbuf_release(&w.un);
	strbuf_release(&w.tmp);
	return err;
}
