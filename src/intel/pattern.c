/*
 * pattern.c — the STIX 2.1 patterning language (STIX 2.1 CS02 part 9 and
 * its ANTLR grammar, STIXPattern.g4 in oasis-open/cti-stix2-json-schemas'
 * sibling cti-pattern-validator), parsed in full and reduced to the
 * atoms of intel/intel.h.
 *
 * Grammar, loosest first (keywords upper-case, white space and /∗ ∗/ or //
 * comments between tokens):
 *   pattern      := obs_fby
 *   obs_fby      := obs_or  (FOLLOWEDBY obs_or)*
 *   obs_or       := obs_and (OR obs_and)*
 *   obs_and      := obs     (AND obs)*
 *   obs          := ('[' cmp_or ']' | '(' obs_fby ')') qualifier*
 *   qualifier    := WITHIN (int|float) SECONDS | REPEATS int TIMES
 *                 | START t'..' STOP t'..'
 *   cmp_or       := cmp_and (OR cmp_and)*
 *   cmp_and      := test (AND test)*
 *   test         := '(' cmp_or ')' | EXISTS path
 *                 | path NOT? (= | != | < | <= | > | >= | IN | LIKE | MATCHES
 *                              | ISSUBSET | ISSUPERSET) operand
 *   path         := type ':' (ident | 'str') ('.' (ident | 'str') | '[' (int | '*') ']')*
 *   literals     := 'str' (\' and \\ the only escapes) | [+-]int | [+-]float
 *                 | true | false | t'YYYY-MM-DDTHH:MM:SS[.f]Z' | h'hex pairs'
 *                 | b'base64' | '(' literal, ... ')' (after IN)
 * One leniency: a key step may contain '-' unquoted (file:hashes.SHA-256),
 * which producers write although the grammar wants 'SHA-256' quoted.
 *
 * Reduction.  Each comparison expression is turned into disjunctive normal
 * form while it is parsed, on two stacks (conjunctions, and the atom
 * references they hold) used strictly last-in first-out: the operands of
 * an AND or OR are always the two newest forms on the stacks, adjacent,
 * so OR is a no-op concatenation and AND writes the cross product above
 * them and moves it down.  A comparison detente cannot evaluate is not
 * stored at all: it only "poisons" the form, meaning "has conjunctions
 * that will be dropped" (poison AND x is poison; poison OR x keeps x).
 * Everything is bounded by PATTERN_MAX_ATOMS: beyond it the parser only
 * checks syntax.  Recursion happens only at '(' and '[', whose nesting is
 * limited to PATTERN_MAX_DEPTH; operator chains are loops, so the
 * observation tree is n-ary (first child, next sibling).
 *
 * Then the mode: an observation tree that is all OR is IM_ANY (each
 * observation its own obs number, empty ones skipped); an AND (or
 * FOLLOWEDBY) of operands that are each an observation or an OR of
 * observations is IM_ALL (IM_SEQ), each operand one obs number; anything
 * else cannot be said in one mode and is unsupported.
 *
 * Ownership: atoms point into the caller's text or into p->pool (string
 * values with escapes, decoded); both must outlive the use of p.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/pattern.h"

/* A comparison detente evaluates: the atom it becomes. */
struct leaf {
	uint8_t type;    /* enum ind_type */
	uint8_t in_pool; /* value decoded into p->pool */
	uint32_t path_off, path_len;
	uint32_t val_off, val_len;
};

/* A conjunction: references ref[a0 .. a0 + n) to leaves. */
struct conj {
	uint32_t a0, n;
};

/* Why a comparison was dropped (formatted only when it matters). */
enum bad_kind { BAD_NONE, BAD_PATH, BAD_OP, BAD_NOT, BAD_VALUE };
struct bad {
	uint8_t kind;
	const char *op;
	uint32_t path_off, path_len;
};

/* An observation ('[' ... ']'), its conjunctions in fconj[c0 .. c0 + nc). */
struct obs {
	uint32_t c0, nc;
	struct bad bad; /* the first dropped comparison in it */
};

/* The observation tree: leaves are observations, inner nodes n-ary. */
enum node_kind { N_OBS, N_AND, N_OR, N_FBY };
struct node {
	uint8_t kind;
	int32_t first, next; /* first child; next sibling (-1: none) */
	uint32_t obs;        /* N_OBS: index into obs[] */
};

#define ARR(T, name)                                                                               \
	T *name;                                                                                   \
	size_t n_##name, cap_##name

struct pattern_work {
	ARR(struct leaf, leaf);
	ARR(struct conj, conj); /* the comparison stacks */
	ARR(uint32_t, ref);
	ARR(struct conj, fconj); /* observations' conjunctions, final */
	ARR(uint32_t, fref);
	ARR(struct obs, obs);
	ARR(struct node, node);
	ARR(uint32_t, grp); /* mode analysis: observation indexes by group */
	ARR(uint32_t, gend);
	char why[200];
};

/* A form on the stacks. */
struct dnf {
	uint32_t c0, nc, r0;
	bool poison;
};

/* The parser. */
struct ps {
	const char *s;
	size_t n, i;
	struct pattern *p;
	struct pattern_work *w;
	int depth;
	bool failed, nomem, overflow;
	size_t err_at;
	const char *err;
	const char *qual; /* the first qualifier's keyword */
	struct bad first; /* the first dropped comparison of the pattern */
	struct bad cur;   /* ... of the current observation */
};

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	np = realloc(*p, c * size);
	if (np == NULL)
		return false;
	*p = np;
	*cap = c;
	return true;
}

#define RESERVE(ps, w, name, need)                                                                 \
	(grow((void **)&(w)->name, &(w)->cap_##name, (need), sizeof(*(w)->name)) || oom(ps))

static bool oom(struct ps *ps)
{
	if (!ps->failed) {
		ps->failed = ps->nomem = true;
		ps->err = "out of memory";
		ps->err_at = ps->i;
	}
	return false;
}

static void fail(struct ps *ps, size_t at, const char *why)
{
	if (!ps->failed) {
		ps->failed = true;
		ps->err_at = at;
		ps->err = why;
	}
}

/* ---- lexing ----------------------------------------------------------- */

static inline bool is_ident(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Skips white space and comments. */
static void ws(struct ps *ps)
{
	const char *s = ps->s;
	size_t n = ps->n, i = ps->i;

	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
		                 s[i] == '\v' || s[i] == '\f'))
			i++;
		if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
			const char *e = NULL;

			for (size_t k = i + 2; k + 1 < n; k++)
				if (s[k] == '*' && s[k + 1] == '/') {
					e = s + k;
					break;
				}
			if (e == NULL) {
				ps->i = i;
				fail(ps, i, "unterminated comment");
				ps->i = n;
				return;
			}
			i = (size_t)(e - s) + 2;
			continue;
		}
		if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
			while (i < n && s[i] != '\n')
				i++;
			continue;
		}
		break;
	}
	ps->i = i;
}

/* The next character after white space (0 at the end). */
static char peek(struct ps *ps)
{
	ws(ps);
	return ps->i < ps->n ? ps->s[ps->i] : '\0';
}

static bool eat(struct ps *ps, char c)
{
	if (peek(ps) != c)
		return false;
	ps->i++;
	return true;
}

/* Consumes keyword k (upper-case, whole word) when it comes next. */
static bool kw(struct ps *ps, const char *k, size_t len)
{
	size_t i;

	ws(ps);
	i = ps->i;
	if (ps->n - i < len || memcmp(ps->s + i, k, len) != 0)
		return false;
	if (i + len < ps->n && (is_ident(ps->s[i + len], false) || ps->s[i + len] == '-'))
		return false;
	ps->i = i + len;
	return true;
}
#define KW(ps, k) kw(ps, k, sizeof(k) - 1)

/* A literal as scanned: its kind and its text (a string's between quotes). */
enum lit_kind { L_STRING, L_INT, L_FLOAT, L_BOOL, L_TIME, L_HEX, L_BIN };
struct lit {
	uint8_t kind;
	bool escaped;
	size_t at, off, len;
};

/* 'text' with \' and \\ as the only escapes; ps->i at the opening quote. */
static bool scan_string(struct ps *ps, struct lit *l)
{
	const char *s = ps->s;
	size_t i = ps->i + 1;

	l->kind = L_STRING;
	l->at = ps->i;
	l->off = i;
	l->escaped = false;
	for (;;) {
		const char *q = memchr(s + i, '\'', ps->n - i);
		const char *b = memchr(s + i, '\\', (q ? (size_t)(q - s) : ps->n) - i);

		if (b) {
			size_t k = (size_t)(b - s);

			if (k + 1 >= ps->n || (s[k + 1] != '\'' && s[k + 1] != '\\')) {
				fail(ps, k,
				     "invalid escape in string: only \\' and \\\\ are allowed");
				return false;
			}
			l->escaped = true;
			i = k + 2;
			continue;
		}
		if (q == NULL) {
			fail(ps, l->at, "unterminated string");
			return false;
		}
		l->len = (size_t)(q - s) - l->off;
		ps->i = (size_t)(q - s) + 1;
		return true;
	}
}

static bool digits(const char *s, size_t at, size_t n, int k, int lo, int hi)
{
	int v = 0;

	for (int j = 0; j < k; j++) {
		if (at + (size_t)j >= n || !is_digit(s[at + (size_t)j]))
			return false;
		v = v * 10 + (s[at + (size_t)j] - '0');
	}
	return v >= lo && v <= hi;
}

/* t'YYYY-MM-DDTHH:MM:SS[.frac]Z' (RFC 3339, UTC); ps->i at the 't'. */
static bool scan_time(struct ps *ps, struct lit *l)
{
	const char *s = ps->s;
	size_t n = ps->n, i = ps->i + 2, at = ps->i;

	l->kind = L_TIME;
	l->at = at;
	l->off = i;
	if (!digits(s, i, n, 4, 0, 9999) || i + 4 >= n || s[i + 4] != '-' ||
	    !digits(s, i + 5, n, 2, 1, 12) || i + 7 >= n || s[i + 7] != '-' ||
	    !digits(s, i + 8, n, 2, 1, 31) || i + 10 >= n || s[i + 10] != 'T' ||
	    !digits(s, i + 11, n, 2, 0, 23) || i + 13 >= n || s[i + 13] != ':' ||
	    !digits(s, i + 14, n, 2, 0, 59) || i + 16 >= n || s[i + 16] != ':' ||
	    !digits(s, i + 17, n, 2, 0, 60))
		goto bad;
	i += 19;
	if (i < n && s[i] == '.') {
		size_t f = ++i;

		while (i < n && is_digit(s[i]))
			i++;
		if (i == f)
			goto bad;
	}
	if (i + 1 >= n || s[i] != 'Z' || s[i + 1] != '\'')
		goto bad;
	l->len = i + 1 - l->off;
	ps->i = i + 2;
	return true;
bad:
	fail(ps, at, "invalid timestamp: t'YYYY-MM-DDTHH:MM:SS[.s]Z' expected");
	return false;
}

/* h'hex pairs' or b'base64'; ps->i at the prefix letter. */
static bool scan_binary(struct ps *ps, struct lit *l, bool hex)
{
	const char *s = ps->s;
	size_t n = ps->n, i = ps->i + 2, at = ps->i, k, pad = 0;

	l->kind = hex ? L_HEX : L_BIN;
	l->at = at;
	l->off = i;
	for (; i < n && s[i] != '\''; i++) {
		char c = s[i];
		bool ok;

		if (hex) {
			ok = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		} else if (c == '=') {
			pad++;
			ok = pad <= 2;
		} else {
			ok = pad == 0 && (is_ident(c, false) || c == '+' || c == '/') && c != '_';
		}
		if (!ok) {
			fail(ps, i, hex ? "invalid hex literal" : "invalid base64 literal");
			return false;
		}
	}
	if (i == n) {
		fail(ps, at, "unterminated literal");
		return false;
	}
	k = i - l->off;
	if (hex ? k % 2 != 0 : k % 4 != 0) {
		fail(ps, at,
		     hex ? "hex literal of an odd number of digits"
		         : "base64 literal not a multiple of 4 characters");
		return false;
	}
	l->len = k;
	ps->i = i + 1;
	return true;
}

/* [+-] int or float (IntLiteral '0' | [1-9][0-9]*, FloatLiteral [0-9]*.[0-9]+). */
static bool scan_number(struct ps *ps, struct lit *l)
{
	const char *s = ps->s;
	size_t n = ps->n, i = ps->i, d;

	l->at = i;
	l->off = i;
	if (s[i] == '+' || s[i] == '-')
		i++;
	d = i;
	while (i < n && is_digit(s[i]))
		i++;
	if (i < n && s[i] == '.') {
		size_t f = ++i;

		while (i < n && is_digit(s[i]))
			i++;
		if (i == f) {
			fail(ps, l->at, "invalid number: digits expected after '.'");
			return false;
		}
		l->kind = L_FLOAT;
	} else {
		if (i == d || (s[d] == '0' && i - d > 1)) {
			fail(ps, l->at, "invalid number");
			return false;
		}
		l->kind = L_INT;
	}
	if (i < n && (is_ident(s[i], false) || s[i] == '.')) {
		fail(ps, l->at, "invalid number");
		return false;
	}
	l->len = i - l->off;
	ps->i = i;
	return true;
}

/* Any single literal. */
static bool scan_literal(struct ps *ps, struct lit *l)
{
	char c = peek(ps);
	const char *s = ps->s + ps->i;
	size_t left = ps->n - ps->i;

	if (c == '\'')
		return scan_string(ps, l);
	if (left >= 2 && s[1] == '\'' && c == 't')
		return scan_time(ps, l);
	if (left >= 2 && s[1] == '\'' && (c == 'h' || c == 'b'))
		return scan_binary(ps, l, c == 'h');
	if (is_digit(c) || c == '+' || c == '-' || c == '.')
		return scan_number(ps, l);
	l->at = ps->i;
	if (KW(ps, "true") || KW(ps, "false")) {
		l->kind = L_BOOL;
		return true;
	}
	fail(ps, ps->i, "expected a value");
	return false;
}

/* ---- object paths ------------------------------------------------------ */

/* What a path is, for detente: the atom type and the operators taken. */
enum path_kind { P_NONE, P_ADDR, P_PLAIN };

struct path {
	size_t at, end;
	enum ind_type type;
	enum path_kind kind;
};

static bool eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static bool ieq(const char *s, size_t n, const char *lit)
{
	if (strlen(lit) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) : s[i];

		if (c != lit[i])
			return false;
	}
	return true;
}

/* A hash algorithm name (case-insensitive, with or without the hyphen). */
static enum ind_type hash_type(const char *s, size_t n, bool cert)
{
	if (!cert && ieq(s, n, "MD5"))
		return IT_MD5;
	if (ieq(s, n, "SHA-1") || ieq(s, n, "SHA1"))
		return cert ? IT_CERT_SHA1 : IT_SHA1;
	if (ieq(s, n, "SHA-256") || ieq(s, n, "SHA256"))
		return cert ? IT_CERT_SHA256 : IT_SHA256;
	if (!cert && (ieq(s, n, "SHA-512") || ieq(s, n, "SHA512")))
		return IT_SHA512;
	return IT_NONE;
}

#define MAX_STEPS 4
struct step {
	const char *p;
	size_t n;
	char kind; /* 'k' key, 's' quoted key, '*' any index, 'i' index */
};

/* The path's meaning from its type and steps. */
static void classify(struct path *pa, const char *ty, size_t tn, const struct step *st, int ns)
{
	pa->type = IT_NONE;
	pa->kind = P_NONE;
	if (ns < 1 || ns > MAX_STEPS)
		return;
	for (int k = 0; k < ns; k++)
		if (st[k].kind != 'k' && st[k].kind != 's' && !(st[k].kind == '*' && k == 1))
			return;
#define STEP(k, lit) (st[k].kind == 'k' && eq(st[k].p, st[k].n, lit))
	if (ns == 1 && STEP(0, "value")) {
		if (eq(ty, tn, "ipv4-addr"))
			pa->type = IT_IPV4, pa->kind = P_ADDR;
		else if (eq(ty, tn, "ipv6-addr"))
			pa->type = IT_IPV6, pa->kind = P_ADDR;
		else if (eq(ty, tn, "domain-name"))
			pa->type = IT_DOMAIN, pa->kind = P_PLAIN;
		else if (eq(ty, tn, "url"))
			pa->type = IT_URL, pa->kind = P_PLAIN;
		else if (eq(ty, tn, "email-addr"))
			pa->type = IT_EMAIL, pa->kind = P_PLAIN;
	} else if (ns == 2 && STEP(0, "hashes") && st[1].kind != '*') {
		if (eq(ty, tn, "file"))
			pa->type = hash_type(st[1].p, st[1].n, false);
		else if (eq(ty, tn, "x509-certificate"))
			pa->type = hash_type(st[1].p, st[1].n, true);
		if (pa->type != IT_NONE)
			pa->kind = P_PLAIN;
	} else if (ns == 2 && (STEP(0, "src_ref") || STEP(0, "dst_ref")) && STEP(1, "value")) {
		if (eq(ty, tn, "network-traffic"))
			pa->type = IT_IP, pa->kind = P_ADDR;
	} else if (ns == 3 && STEP(0, "resolves_to_refs") && st[1].kind == '*' &&
	           STEP(2, "value")) {
		if (eq(ty, tn, "domain-name"))
			pa->type = IT_IP, pa->kind = P_ADDR;
	}
#undef STEP
}

/* One path component name: an identifier (hyphens tolerated) or a string. */
static bool component(struct ps *ps, struct step *st)
{
	struct lit l;
	char c = peek(ps);

	if (c == '\'') {
		if (!scan_string(ps, &l))
			return false;
		st->p = ps->s + l.off;
		st->n = l.len;
		st->kind = l.escaped ? '?' : 's'; /* escaped names match nothing we know */
		return true;
	}
	if (!is_ident(c, true)) {
		fail(ps, ps->i, "expected a property name");
		return false;
	}
	st->p = ps->s + ps->i;
	while (ps->i < ps->n && (is_ident(ps->s[ps->i], false) || ps->s[ps->i] == '-'))
		ps->i++;
	st->n = (size_t)(ps->s + ps->i - st->p);
	st->kind = 'k';
	return true;
}

static bool parse_path(struct ps *ps, struct path *pa)
{
	struct step st[MAX_STEPS];
	const char *ty;
	size_t tn;
	int ns = 0;

	ws(ps);
	pa->at = ps->i;
	if (ps->i >= ps->n || !is_ident(ps->s[ps->i], true)) {
		fail(ps, ps->i, "expected an object path (type:property)");
		return false;
	}
	ty = ps->s + ps->i;
	while (ps->i < ps->n && (is_ident(ps->s[ps->i], false) || ps->s[ps->i] == '-'))
		ps->i++;
	tn = (size_t)(ps->s + ps->i - ty);
	if (!eat(ps, ':')) {
		fail(ps, ps->i, "expected ':' after the object type");
		return false;
	}
	for (;;) {
		struct step cur;

		if (ns == 0) {
			if (!component(ps, &cur))
				return false;
		} else if (eat(ps, '.')) {
			if (!component(ps, &cur))
				return false;
		} else if (peek(ps) == '[') {
			/* an index step, not the end of the observation: '[' never
			 * closes one, so this is unambiguous */
			ps->i++;
			if (eat(ps, '*')) {
				cur.kind = '*';
			} else {
				struct lit l;
				char c = peek(ps);

				if (!(is_digit(c) || c == '-' || c == '+')) {
					fail(ps, ps->i, "expected an index or '*'");
					return false;
				}
				if (!scan_number(ps, &l))
					return false;
				if (l.kind != L_INT) {
					fail(ps, l.at, "expected an integer index");
					return false;
				}
				cur.kind = 'i';
			}
			cur.p = NULL;
			cur.n = 0;
			if (!eat(ps, ']')) {
				fail(ps, ps->i, "expected ']' after the index");
				return false;
			}
		} else {
			break;
		}
		if (ns < MAX_STEPS + 1) {
			if (ns < MAX_STEPS)
				st[ns] = cur;
			ns++;
		}
		pa->end = ps->i;
	}
	classify(pa, ty, tn, st, ns);
	return true;
}

/* ---- forms ------------------------------------------------------------- */

static struct dnf dnf_top(const struct pattern_work *w)
{
	struct dnf d = {(uint32_t)w->n_conj, 0, (uint32_t)w->n_ref, false};

	return d;
}

/* Notes a dropped comparison; returns the poisoned (empty) form. */
static struct dnf drop(struct ps *ps, const struct path *pa, enum bad_kind kind, const char *op)
{
	struct dnf d = dnf_top(ps->w);

	if (ps->cur.kind == BAD_NONE) {
		ps->cur.kind = (uint8_t)kind;
		ps->cur.op = op;
		ps->cur.path_off = (uint32_t)pa->at;
		ps->cur.path_len = (uint32_t)(pa->end - pa->at);
		if (ps->first.kind == BAD_NONE)
			ps->first = ps->cur;
	}
	d.poison = true;
	return d;
}

/* Pushes a one-atom conjunction for a string literal. */
static bool push_atom(struct ps *ps, const struct path *pa, const struct lit *l)
{
	struct pattern_work *w = ps->w;
	struct pattern *p = ps->p;
	struct leaf *lf;

	if (ps->overflow)
		return true;
	if (w->n_ref >= PATTERN_MAX_ATOMS) {
		ps->overflow = true;
		return true;
	}
	if (!RESERVE(ps, w, leaf, w->n_leaf + 1) || !RESERVE(ps, w, conj, w->n_conj + 1) ||
	    !RESERVE(ps, w, ref, w->n_ref + 1))
		return false;
	lf = &w->leaf[w->n_leaf];
	lf->type = (uint8_t)pa->type;
	lf->path_off = (uint32_t)pa->at;
	lf->path_len = (uint32_t)(pa->end - pa->at);
	lf->in_pool = l->escaped;
	if (!l->escaped) {
		lf->val_off = (uint32_t)l->off;
		lf->val_len = (uint32_t)l->len;
	} else {
		/* decode \' and \\ into the pool */
		size_t need = p->pool_len + l->len;
		char *o;

		if (!grow((void **)&p->pool, &p->pool_cap, need + 1, 1))
			return oom(ps);
		o = p->pool + p->pool_len;
		lf->val_off = (uint32_t)p->pool_len;
		for (size_t i = l->off, e = l->off + l->len; i < e; i++) {
			if (ps->s[i] == '\\')
				i++;
			*o++ = ps->s[i];
		}
		lf->val_len = (uint32_t)(o - (p->pool + p->pool_len));
		p->pool_len += lf->val_len;
	}
	w->conj[w->n_conj].a0 = (uint32_t)w->n_ref;
	w->conj[w->n_conj].n = 1;
	w->n_conj++;
	w->ref[w->n_ref++] = (uint32_t)w->n_leaf++;
	return true;
}

/* Pops the stacks back to form d's start (its content dropped). */
static struct dnf dnf_clear(struct ps *ps, struct dnf d)
{
	ps->w->n_conj = d.c0;
	ps->w->n_ref = d.r0;
	d.nc = 0;
	return d;
}

static struct dnf dnf_or(struct ps *ps, struct dnf x, struct dnf y)
{
	x.poison |= y.poison;
	if (ps->overflow || ps->failed)
		return dnf_clear(ps, x);
	x.nc += y.nc;
	if (ps->w->n_ref - x.r0 > PATTERN_MAX_ATOMS) {
		ps->overflow = true;
		return dnf_clear(ps, x);
	}
	return x;
}

static struct dnf dnf_and(struct ps *ps, struct dnf x, struct dnf y)
{
	struct pattern_work *w = ps->w;
	bool xne = x.nc > 0 || x.poison, yne = y.nc > 0 || y.poison;
	size_t rx = y.r0 - x.r0, ry = w->n_ref - y.r0, nc, total, c, q, delta;
	struct dnf r = x;

	r.poison = (x.poison && yne) || (y.poison && xne);
	if (ps->overflow || ps->failed || x.nc == 0 || y.nc == 0)
		return dnf_clear(ps, r);
	nc = (size_t)x.nc * y.nc;
	total = (size_t)x.nc * ry + (size_t)y.nc * rx;
	if (nc > PATTERN_MAX_ATOMS || total > PATTERN_MAX_ATOMS) {
		ps->overflow = true;
		return dnf_clear(ps, r);
	}
	if (!RESERVE(ps, w, conj, w->n_conj + nc) || !RESERVE(ps, w, ref, w->n_ref + total))
		return dnf_clear(ps, r);
	c = w->n_conj;
	q = w->n_ref;
	for (uint32_t i = 0; i < x.nc; i++) {
		const struct conj cx = w->conj[x.c0 + i];

		for (uint32_t j = 0; j < y.nc; j++) {
			const struct conj cy = w->conj[y.c0 + j];

			w->conj[c].a0 = (uint32_t)q;
			w->conj[c].n = cx.n + cy.n;
			c++;
			memcpy(w->ref + q, w->ref + cx.a0, cx.n * sizeof(*w->ref));
			q += cx.n;
			memcpy(w->ref + q, w->ref + cy.a0, cy.n * sizeof(*w->ref));
			q += cy.n;
		}
	}
	/* move the product down over its operands */
	delta = w->n_ref - x.r0;
	memmove(w->conj + x.c0, w->conj + w->n_conj, nc * sizeof(*w->conj));
	memmove(w->ref + x.r0, w->ref + w->n_ref, total * sizeof(*w->ref));
	for (size_t k = 0; k < nc; k++)
		w->conj[x.c0 + k].a0 -= (uint32_t)delta;
	w->n_conj = x.c0 + nc;
	w->n_ref = x.r0 + total;
	r.nc = (uint32_t)nc;
	return r;
}

/* ---- comparison expressions ------------------------------------------- */

static struct dnf cmp_or(struct ps *ps);

/* The operator after a path (longest first); NULL when none. */
static const char *operator(struct ps *ps)
{
	static const char *const words[] = {"ISSUPERSET", "ISSUBSET", "MATCHES", "LIKE", "IN"};
	char c = peek(ps);
	const char *s = ps->s + ps->i;
	size_t left = ps->n - ps->i;

	if (c == '=') {
		ps->i++;
		return "=";
	}
	if (c == '!' && left >= 2 && s[1] == '=') {
		ps->i += 2;
		return "!=";
	}
	if (c == '<' || c == '>') {
		bool e = left >= 2 && s[1] == '=';

		ps->i += e ? 2 : 1;
		return c == '<' ? (e ? "<=" : "<") : (e ? ">=" : ">");
	}
	for (size_t k = 0; k < sizeof(words) / sizeof(*words); k++)
		if (kw(ps, words[k], strlen(words[k])))
			return words[k];
	return NULL;
}

/* One comparison (or a parenthesized expression). */
static struct dnf test(struct ps *ps)
{
	struct dnf d = dnf_top(ps->w);
	struct path pa;
	const char *op;
	bool not ;
	struct lit l;

	if (peek(ps) == '(') {
		if (++ps->depth > PATTERN_MAX_DEPTH) {
			fail(ps, ps->i, "pattern nested too deeply");
			return d;
		}
		ps->i++;
		d = cmp_or(ps);
		if (ps->failed)
			return d;
		if (!eat(ps, ')'))
			fail(ps, ps->i, "expected ')' or a boolean operator");
		ps->depth--;
		return d;
	}
	if (KW(ps, "EXISTS")) {
		if (!parse_path(ps, &pa))
			return d;
		return drop(ps, &pa, BAD_OP, "EXISTS");
	}
	if (!parse_path(ps, &pa))
		return d;
	not = KW(ps, "NOT");
	op = operator(ps);
	if (op == NULL) {
		fail(ps, ps->i, "expected a comparison operator");
		return d;
	}
	if (strcmp(op, "IN") == 0) {
		bool strings = true;

		if (!eat(ps, '(')) {
			fail(ps, ps->i, "expected '(' after IN");
			return d;
		}
		if (eat(ps, ')')) {
			if (not || pa.kind == P_NONE)
				return drop(ps, &pa, not ? BAD_NOT : BAD_PATH, op);
			return d; /* nothing is in the empty set */
		}
		do {
			if (!scan_literal(ps, &l))
				return dnf_clear(ps, d);
			strings &= l.kind == L_STRING;
			if (l.kind == L_STRING && pa.kind != P_NONE &&
			    !not &&!push_atom(ps, &pa, &l))
				return dnf_clear(ps, d);
		} while (eat(ps, ','));
		if (!eat(ps, ')')) {
			fail(ps, ps->i, "expected ',' or ')' in the set");
			return dnf_clear(ps, d);
		}
		if (not || pa.kind == P_NONE || !strings) {
			d = dnf_clear(ps, d);
			return drop(ps, &pa,
			            not                 ? BAD_NOT
			            : pa.kind == P_NONE ? BAD_PATH
			                                : BAD_VALUE,
			            op);
		}
		d.nc = (uint32_t)(ps->w->n_conj - d.c0);
		if (ps->overflow)
			d = dnf_clear(ps, d);
		return d;
	}
	if (!scan_literal(ps, &l))
		return d;
	if (op[0] == '<' || op[0] == '>') {
		if (l.kind == L_BOOL) {
			fail(ps, l.at, "ordering comparison with a boolean");
			return d;
		}
	} else if (op[0] != '=' && op[0] != '!' && l.kind != L_STRING) {
		fail(ps, l.at, "expected a string");
		return d;
	}
	if (not )
		return drop(ps, &pa, BAD_NOT, op);
	if (pa.kind == P_NONE)
		return drop(ps, &pa, op[0] == '=' ? BAD_PATH : BAD_OP, op);
	if (!(op[0] == '=' || (pa.kind == P_ADDR && strcmp(op, "ISSUBSET") == 0)))
		return drop(ps, &pa, BAD_OP, op);
	if (l.kind != L_STRING)
		return drop(ps, &pa, BAD_VALUE, op);
	if (!push_atom(ps, &pa, &l))
		return d;
	d.nc = (uint32_t)(ps->w->n_conj - d.c0);
	return d;
}

static struct dnf cmp_and(struct ps *ps)
{
	struct dnf x = test(ps);

	while (!ps->failed && KW(ps, "AND")) {
		struct dnf y = test(ps);

		if (ps->failed)
			break;
		x = dnf_and(ps, x, y);
	}
	return x;
}

static struct dnf cmp_or(struct ps *ps)
{
	struct dnf x = cmp_and(ps);

	while (!ps->failed && KW(ps, "OR")) {
		struct dnf y = cmp_and(ps);

		if (ps->failed)
			break;
		x = dnf_or(ps, x, y);
	}
	return x;
}

/* ---- observation expressions ------------------------------------------ */

static int32_t obs_fby(struct ps *ps);

static int32_t new_node(struct ps *ps, enum node_kind kind)
{
	struct pattern_work *w = ps->w;
	struct node *nd;

	if (!RESERVE(ps, w, node, w->n_node + 1))
		return -1;
	nd = &w->node[w->n_node];
	nd->kind = (uint8_t)kind;
	nd->first = nd->next = -1;
	nd->obs = 0;
	return (int32_t)w->n_node++;
}

/* '[' comparison ']': the form's clean conjunctions become the observation's. */
static int32_t observation(struct ps *ps)
{
	struct pattern_work *w = ps->w;
	struct dnf d;
	struct obs *o;
	int32_t nd;

	ps->i++; /* '[' */
	memset(&ps->cur, 0, sizeof(ps->cur));
	d = cmp_or(ps);
	if (ps->failed)
		return -1;
	if (!eat(ps, ']')) {
		fail(ps, ps->i, "expected ']' or a boolean operator");
		return -1;
	}
	if (!RESERVE(ps, w, obs, w->n_obs + 1) || (nd = new_node(ps, N_OBS)) < 0)
		return -1;
	o = &w->obs[w->n_obs];
	o->c0 = (uint32_t)w->n_fconj;
	o->nc = 0;
	o->bad = ps->cur;
	if (!ps->overflow && d.nc > 0) {
		size_t nr = w->n_ref - d.r0;

		if (w->n_fref + nr > PATTERN_MAX_ATOMS) {
			ps->overflow = true;
		} else {
			if (!RESERVE(ps, w, fconj, w->n_fconj + d.nc) ||
			    !RESERVE(ps, w, fref, w->n_fref + nr))
				return -1;
			for (uint32_t k = 0; k < d.nc; k++) {
				struct conj c = w->conj[d.c0 + k];

				w->fconj[w->n_fconj].a0 = (uint32_t)w->n_fref;
				w->fconj[w->n_fconj].n = c.n;
				w->n_fconj++;
				memcpy(w->fref + w->n_fref, w->ref + c.a0, c.n * sizeof(*w->ref));
				w->n_fref += c.n;
			}
			o->nc = d.nc;
		}
	}
	dnf_clear(ps, d);
	w->node[nd].obs = (uint32_t)w->n_obs++;
	return nd;
}

static bool qualifiers(struct ps *ps)
{
	struct lit l;

	for (;;) {
		size_t at;

		ws(ps);
		at = ps->i;
		if (KW(ps, "WITHIN")) {
			ws(ps);
			if (ps->i >= ps->n || !(is_digit(ps->s[ps->i]) || ps->s[ps->i] == '+' ||
			                        ps->s[ps->i] == '.')) {
				fail(ps, ps->i, "expected a number of seconds after WITHIN");
				return false;
			}
			if (!scan_number(ps, &l))
				return false;
			if (!KW(ps, "SECONDS")) {
				fail(ps, ps->i, "expected SECONDS");
				return false;
			}
			if (!ps->qual)
				ps->qual = "WITHIN";
		} else if (KW(ps, "REPEATS")) {
			ws(ps);
			if (ps->i >= ps->n || !(is_digit(ps->s[ps->i]) || ps->s[ps->i] == '+')) {
				fail(ps, ps->i, "expected a number after REPEATS");
				return false;
			}
			if (!scan_number(ps, &l))
				return false;
			if (l.kind != L_INT) {
				fail(ps, l.at, "expected an integer after REPEATS");
				return false;
			}
			if (!KW(ps, "TIMES")) {
				fail(ps, ps->i, "expected TIMES");
				return false;
			}
			if (!ps->qual)
				ps->qual = "REPEATS";
		} else if (KW(ps, "START")) {
			if (peek(ps) != 't' || ps->i + 1 >= ps->n || ps->s[ps->i + 1] != '\'') {
				fail(ps, ps->i, "expected a timestamp t'...' after START");
				return false;
			}
			if (!scan_time(ps, &l))
				return false;
			if (!KW(ps, "STOP")) {
				fail(ps, ps->i, "expected STOP");
				return false;
			}
			if (peek(ps) != 't' || ps->i + 1 >= ps->n || ps->s[ps->i + 1] != '\'') {
				fail(ps, ps->i, "expected a timestamp t'...' after STOP");
				return false;
			}
			if (!scan_time(ps, &l))
				return false;
			if (!ps->qual)
				ps->qual = "START/STOP";
		} else {
			(void)at;
			return true;
		}
	}
}

static int32_t obs_one(struct ps *ps)
{
	char c = peek(ps);
	int32_t nd;

	if (c != '[' && c != '(') {
		fail(ps, ps->i, "expected '[' or '(' to start an observation");
		return -1;
	}
	if (++ps->depth > PATTERN_MAX_DEPTH) {
		fail(ps, ps->i, "pattern nested too deeply");
		return -1;
	}
	if (c == '[') {
		nd = observation(ps);
	} else {
		ps->i++;
		nd = obs_fby(ps);
		if (nd >= 0 && !eat(ps, ')')) {
			fail(ps, ps->i, "expected ')' or an observation operator");
			nd = -1;
		}
	}
	ps->depth--;
	if (nd < 0 || !qualifiers(ps))
		return -1;
	return nd;
}

/* One level of the observation operators: first (K first)*. */
static int32_t obs_chain(struct ps *ps, int32_t (*sub)(struct ps *), const char *k, size_t klen,
                         enum node_kind kind)
{
	int32_t first = sub(ps), last, nd;

	if (first < 0 || !kw(ps, k, klen))
		return first;
	if ((nd = new_node(ps, kind)) < 0)
		return -1;
	ps->w->node[nd].first = last = first;
	do {
		int32_t c = sub(ps);

		if (c < 0)
			return -1;
		ps->w->node[last].next = c;
		last = c;
	} while (kw(ps, k, klen));
	return nd;
}

static int32_t obs_and(struct ps *ps)
{
	return obs_chain(ps, obs_one, "AND", 3, N_AND);
}

static int32_t obs_or(struct ps *ps)
{
	return obs_chain(ps, obs_and, "OR", 2, N_OR);
}

static int32_t obs_fby(struct ps *ps)
{
	return obs_chain(ps, obs_or, "FOLLOWEDBY", 10, N_FBY);
}

/* ---- the mode, and the atoms ------------------------------------------ */

/* Appends the observations under nd when it is OR of observations only. */
static bool or_leaves(struct ps *ps, int32_t nd)
{
	struct pattern_work *w = ps->w;

	if (w->node[nd].kind == N_OBS) {
		if (!RESERVE(ps, w, grp, w->n_grp + 1))
			return false;
		w->grp[w->n_grp++] = w->node[nd].obs;
		return true;
	}
	if (w->node[nd].kind != N_OR)
		return false;
	for (int32_t c = w->node[nd].first; c >= 0; c = w->node[c].next)
		if (!or_leaves(ps, c))
			return false;
	return true;
}

/* Groups the operands of an AND (or FOLLOWEDBY) tree, flattening nesting. */
static bool operands(struct ps *ps, int32_t nd, enum node_kind kind)
{
	struct pattern_work *w = ps->w;

	for (int32_t c = w->node[nd].first; c >= 0; c = w->node[c].next) {
		if (w->node[c].kind == kind) {
			if (!operands(ps, c, kind))
				return false;
			continue;
		}
		if (!or_leaves(ps, c) || !RESERVE(ps, w, gend, w->n_gend + 1))
			return false;
		w->gend[w->n_gend++] = (uint32_t)w->n_grp;
	}
	return true;
}

static const char *bad_reason(struct ps *ps, const struct bad *b)
{
	char *o = ps->w->why;
	size_t sz = sizeof(ps->w->why);
	int pl = (int)(b->path_len > 120 ? 120 : b->path_len);
	const char *path = ps->s + b->path_off;

	switch (b->kind) {
	case BAD_PATH: snprintf(o, sz, "comparison on %.*s is not evaluated", pl, path); break;
	case BAD_OP:
		snprintf(o, sz, "operator %s on %.*s is not evaluated", b->op, pl, path);
		break;
	case BAD_NOT: snprintf(o, sz, "NOT %s on %.*s is not evaluated", b->op, pl, path); break;
	case BAD_VALUE:
		snprintf(o, sz,
		         "comparison of %.*s with a value that is not a string is not evaluated",
		         pl, path);
		break;
	default: return "pattern matches nothing (an empty IN set)";
	}
	return o;
}

/* Builds p->atoms from the observation groups; false on no memory. */
static bool emit(struct ps *ps, bool any)
{
	struct pattern_work *w = ps->w;
	struct pattern *p = ps->p;
	uint32_t g0 = 0, obs = 0;

	if (!grow((void **)&p->atoms, &p->atoms_cap, w->n_fref + 1, sizeof(*p->atoms)))
		return oom(ps);
	for (size_t g = 0; g < w->n_gend; g++) {
		uint32_t conj = 0;
		size_t at0 = p->natoms;

		for (uint32_t k = g0; k < w->gend[g]; k++) {
			const struct obs *o = &w->obs[w->grp[k]];

			for (uint32_t c = o->c0; c < o->c0 + o->nc; c++, conj++) {
				const struct conj *cj = &w->fconj[c];

				for (uint32_t r = cj->a0; r < cj->a0 + cj->n; r++) {
					const struct leaf *lf = &w->leaf[w->fref[r]];
					struct intel_atom *a = &p->atoms[p->natoms++];

					a->type = (enum ind_type)lf->type;
					a->value.p = (lf->in_pool ? p->pool : ps->s) + lf->val_off;
					a->value.len = lf->val_len;
					a->path.p = ps->s + lf->path_off;
					a->path.len = lf->path_len;
					a->obs = (uint16_t)obs;
					a->conj = (uint16_t)conj;
				}
			}
		}
		if (conj > 0) {
			obs++;
		} else if (!any) {
			/* every observation must be seen: one that cannot be
			 * evaluated sinks the pattern */
			const struct bad *b = &w->obs[w->grp[g0]].bad;

			for (uint32_t k = g0; k < w->gend[g] && b->kind == BAD_NONE; k++)
				b = &w->obs[w->grp[k]].bad;
			p->natoms = at0;
			p->unsupported = bad_reason(ps, b);
			p->natoms = 0;
			return true;
		}
		g0 = w->gend[g];
	}
	if (p->natoms == 0)
		p->unsupported = bad_reason(ps, &ps->first);
	return true;
}

/* ---- the entry points ------------------------------------------------- */

void pattern_init(struct pattern *p)
{
	memset(p, 0, sizeof(*p));
}

void pattern_release(struct pattern *p)
{
	struct pattern_work *w;

	if (p == NULL)
		return;
	w = p->work;
	if (w) {
		free(w->leaf);
		free(w->conj);
		free(w->ref);
		free(w->fconj);
		free(w->fref);
		free(w->obs);
		free(w->node);
		free(w->grp);
		free(w->gend);
		free(w);
	}
	free(p->atoms);
	free(p->pool);
	memset(p, 0, sizeof(*p));
}

enum dt_err pattern_parse(struct pattern *p, const char *s, size_t len, struct dt_diag *diag)
{
	struct ps ps;
	struct pattern_work *w;
	int32_t root;
	enum node_kind top;

	p->natoms = 0;
	p->pool_len = 0;
	p->mode = IM_ANY;
	p->unsupported = NULL;
	if (p->work == NULL && (p->work = calloc(1, sizeof(*p->work))) == NULL)
		return DT_ENOMEM;
	w = p->work;
	w->n_leaf = w->n_conj = w->n_ref = w->n_fconj = w->n_fref = 0;
	w->n_obs = w->n_node = w->n_grp = w->n_gend = 0;
	memset(&ps, 0, sizeof(ps));
	ps.s = s;
	ps.n = len;
	ps.p = p;
	ps.w = w;
	if (len > UINT32_MAX / 2) {
		fail(&ps, 0, "pattern too long");
		goto syntax;
	}
	if (peek(&ps) == '\0' && ps.i >= len) {
		fail(&ps, ps.i, "empty pattern");
		goto syntax;
	}
	root = obs_fby(&ps);
	if (!ps.failed && peek(&ps) != '\0')
		fail(&ps, ps.i, "unexpected text after the pattern");
	if (!ps.failed && ps.i < len)
		fail(&ps, ps.i, "unexpected text after the pattern");
	if (ps.failed)
		goto syntax;

	if (ps.qual) {
		snprintf(w->why, sizeof(w->why), "qualifier %s is not evaluated", ps.qual);
		p->unsupported = w->why;
		return DT_OK;
	}
	if (ps.overflow) {
		p->unsupported = "pattern expands beyond 4096 atoms";
		return DT_OK;
	}
	/* the mode */
	if (or_leaves(&ps, root)) {
		for (size_t k = 0; k < w->n_grp; k++) {
			if (!RESERVE(&ps, w, gend, w->n_gend + 1))
				break;
			w->gend[w->n_gend++] = (uint32_t)(k + 1);
		}
		p->mode = IM_ANY;
	} else {
		top = (enum node_kind)w->node[root].kind;
		w->n_grp = w->n_gend = 0;
		if ((top != N_AND && top != N_FBY) || !operands(&ps, root, top)) {
			if (ps.nomem)
				goto syntax;
			p->unsupported = "observations combined in a way no single mode expresses "
			                 "(OR over AND or FOLLOWEDBY, or AND with FOLLOWEDBY)";
			return DT_OK;
		}
		p->mode = top == N_AND ? IM_ALL : IM_SEQ;
	}
	if (ps.nomem || !emit(&ps, p->mode == IM_ANY))
		goto syntax;
	if (p->unsupported)
		p->natoms = 0;
	return DT_OK;
syntax:
	p->natoms = 0;
	if (ps.nomem) {
		dt_diag_set(diag, "", 0, "%s", "out of memory");
		return DT_ENOMEM;
	}
	dt_diag_set(diag, "", 0, "%s", ps.err);
	diag->col = ps.err_at + 1;
	return DT_EPARSE;
}
