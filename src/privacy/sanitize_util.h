/*
 * sanitize_util.h — what the sanitizers of privacy/sanitize.h share: the
 * treatment of one value by its kind (address, host name, user, URL, ...),
 * the URL policy, JSON re-emission with substituted values, and a buffered
 * writer.
 *
 * Every san_* function appends the derivative of a value to out and adds
 * what it replaced to the counts of the context.  They are deterministic
 * (the same value always gives the same text under one key), so a value
 * that an event uses is mapped the same way wherever it appears; the tests
 * compute the expected events with these same functions.
 *
 * The URL policy (san_url), applied to a request target, an absolute URL
 * or a Referer alike, without looking for a scheme (so that the
 * derivative of "http://" host "/" target is "http://" san_name(host) "/"
 * san_url(target), which is how the parsers compose an event's url):
 *   - the text before '?' is cut at '/' into segments; a segment after
 *     one of the segments user, users, u, profile, account, home (any case)
 *     becomes privacy_value; a segment "~name" becomes "~" privacy_value;
 *     an e-mail-like segment (an '@' or "%40" with a '.' after it) becomes
 *     privacy_user; every other segment goes through san_name (home names,
 *     reverse-DNS names and addresses, "host:port" forms);
 *   - the query (up to '#') is cut at '&' and ';'; the value of a
 *     parameter whose name (any case) is one of SAN_SECRET_PARAMS becomes
 *     privacy_value, an e-mail-like value privacy_user, everything else
 *     goes through privacy_scrub;
 *   - the fragment goes through privacy_scrub.
 * Percent-escapes other than %40 are not decoded: a home name written
 * with %2E is not recognised.
 *
 * Ownership: a struct san holds a small cache of address pseudonyms (its
 * only allocation, made by san_init); the privacy context and the counts
 * are the caller's.
 */
#ifndef DT_PRIVACY_SANITIZE_UTIL_H
#define DT_PRIVACY_SANITIZE_UTIL_H

#include <stdbool.h>
#include <stdio.h>

#include "core/jscan.h"
#include "core/strbuf.h"
#include "ingest/reader.h"
#include "privacy/privacy.h"

/* Output is written in chunks of about this size. */
#define SAN_FLUSH_AT (256u << 10)
/* The largest output a line may grow to (pseudonyms are longer than most
 * values they replace). */
#define SAN_MAX_OUT (3u * (64u << 20))
/* Address pseudonyms remembered (direct-mapped, by address text). */
#define SAN_CACHE_SLOTS 4096

struct san_cache_slot;

struct san {
	struct privacy *p;
	struct privacy_counts *c; /* never NULL: the caller's or `own` */
	struct privacy_counts own;
	struct san_cache_slot *cache; /* [SAN_CACHE_SLOTS]; owned */
	struct strbuf tmp;            /* san_json's scratch; owned */
};

/* c may be NULL.  DT_ENOMEM when the cache cannot be allocated. */
enum dt_err san_init(struct san *s, struct privacy *p, struct privacy_counts *c);
void san_release(struct san *s);

/* How a value is treated. */
enum san_kind {
	SAN_SCRUB,  /* privacy_scrub (an address alone: privacy_addr) */
	SAN_ADDR,   /* an address: its pseudonym when home; not one: scrub */
	SAN_SUBNET, /* a prefix: privacy_prefix when inside a home net */
	SAN_NAME,   /* a host name: san_name */
	SAN_USER,   /* a user or mailbox: san_user */
	SAN_VALUE,  /* privacy_value */
	SAN_URL,    /* san_url */
	SAN_DROP,   /* withheld: nothing written, counted as dropped */
};

enum dt_err san_kind_value(struct san *s, enum san_kind k, const char *v, size_t n,
                           struct strbuf *out);

enum dt_err san_scrub(struct san *s, const char *v, size_t n, struct strbuf *out);
enum dt_err san_addr(struct san *s, const char *v, size_t n, struct strbuf *out);
enum dt_err san_subnet(struct san *s, const char *v, size_t n, struct strbuf *out);
enum dt_err san_value(struct san *s, const char *v, size_t n, struct strbuf *out);

/* A host name: privacy_name when under a home domain (a trailing dot
 * kept); a reverse-DNS name (in-addr.arpa with four labels, ip6.arpa with
 * 32) of a home address: the pseudonym's reverse name; else scrubbed. */
enum dt_err san_name(struct san *s, const char *v, size_t n, struct strbuf *out);

/* A user name or mailbox: "Display <addr>" keeps its shape (display
 * name privacy_value, addr as below); a name, or an e-mail address whose
 * domain is a plain host name: privacy_user; anything else with an '@':
 * privacy_value (so that no domain text is copied). */
enum dt_err san_user(struct san *s, const char *v, size_t n, struct strbuf *out);

/* The URL policy above. */
enum dt_err san_url(struct san *s, const char *v, size_t n, struct strbuf *out);

/* The query parameter names whose values are withheld (comma-separated,
 * lower case), for documentation and tests. */
extern const char SAN_SECRET_PARAMS[];

/*
 * JSON: the line d was parsed from (js_parse over line[0..n)), written to
 * out with the value of every string (keys included) replaced by its
 * derivative when it changes, everything else byte for byte.  kind says,
 * for the dotted path of a member ("http.hostname"; array levels add
 * nothing; keys written with escapes are used as written) and the object
 * holding it, how its value is treated; SAN_DROP replaces the whole value
 * (of any type) by "".  A string whose value parses as an address (or a
 * prefix) is treated as SAN_ADDR (SAN_SUBNET) whatever its kind.
 */
typedef enum san_kind san_json_kind_fn(void *ctx, struct js_doc *d, int obj, const char *path,
                                       size_t plen);
enum dt_err san_json(struct san *s, struct js_doc *d, const char *line, size_t n,
                     san_json_kind_fn *kind, void *ctx, struct strbuf *out);

/* Writes b to out and empties it when it holds SAN_FLUSH_AT bytes or
 * more, or always with force.  DT_EIO with diag (naming name) on failure. */
enum dt_err san_flush(struct strbuf *b, FILE *out, bool force, const char *name,
                      struct dt_diag *diag);

/*
 * The line loop of a text log (ingest/textlog.c's reading of lines: a BOM
 * on the first line, a CR before the newline and blank lines kept as they
 * are): each other line goes to fn, which appends its derivative to out
 * and sets *ok, or sets *ok false when the line is not the format's — the
 * driver then drops what fn wrote, scrubs the line as text and counts it
 * unparsed.  Overlong lines are scrubbed.  When lines came but none was
 * the format's: DT_EFORMAT naming the first with notfmt.
 */
typedef enum dt_err san_line_fn(void *ctx, const char *s, size_t n, bool *ok);
enum dt_err san_textlog(struct reader *r, struct san *s, struct strbuf *out, FILE *f,
                        const char *name, const char *notfmt, san_line_fn *fn, void *ctx,
                        struct dt_diag *diag);

/* Case-insensitive equality of s[0..n) and the NUL-terminated lit. */
bool san_eq_nocase(const char *s, size_t n, const char *lit);

#endif
