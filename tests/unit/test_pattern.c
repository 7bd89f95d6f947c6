/*
 * test_pattern.c — the STIX 2.1 pattern parser (intel/pattern.h).
 *
 * Hand-written patterns for every operator, constant type, qualifier and
 * path form of STIX 2.1 part 9, with the atoms they must reduce to
 * (rendered as "obs.conj type path=value" lines); syntax errors with
 * their columns; the bounds (nesting, expansion); then every pattern of
 * the shared corpus's STIX files, which must all parse, with the counts
 * and reductions the reports call for; and a timing loop (printed).
 */
#include <jansson.h>
#include <time.h>

#include "testhelp.h"

#include "intel/normalize.h"
#include "intel/pattern.h"

static struct pattern pat;
static struct dt_diag diag;
static char got[8192];

/* Parses s; renders the atoms into got. */
static enum dt_err parse(const char *s)
{
	enum dt_err err = pattern_parse(&pat, s, strlen(s), &diag);
	size_t o = 0;

	got[0] = '\0';
	for (size_t i = 0; i < pat.natoms && o < sizeof(got) - 200; i++) {
		const struct intel_atom *a = &pat.atoms[i];

		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%u.%u %s %.*s=%.*s",
		                      i ? "; " : "", a->obs, a->conj, intel_type_name(a->type),
		                      (int)a->path.len, a->path.p, (int)a->value.len, a->value.p);
	}
	return err;
}

/* s must parse, be supported, in mode m, to exactly the atoms `want`. */
static void atoms_are(int line, const char *s, enum intel_mode m, const char *want)
{
	enum dt_err err = parse(s);

	CHECKF(err == DT_OK, "line %d: %s: error %s (col %lu)", line, s, diag.msg, diag.col);
	if (err)
		return;
	CHECKF(pat.unsupported == NULL, "line %d: %s: unsupported: %s", line, s, pat.unsupported);
	CHECKF(pat.mode == m, "line %d: %s: mode %d, want %d", line, s, pat.mode, m);
	CHECKF(strcmp(got, want) == 0, "line %d: %s:\n  got  %s\n  want %s", line, s, got, want);
}
#define ATOMS(s, m, want) atoms_are(__LINE__, s, m, want)

/* s must parse and be unsupported with a reason containing `why`. */
static void unsupported(int line, const char *s, const char *why)
{
	enum dt_err err = parse(s);

	CHECKF(err == DT_OK, "line %d: %s: error %s (col %lu)", line, s, diag.msg, diag.col);
	if (err)
		return;
	CHECKF(pat.unsupported && strstr(pat.unsupported, why),
	       "line %d: %s: unsupported '%s', want '%s'", line, s,
	       pat.unsupported ? pat.unsupported : "(null)", why);
	CHECKF(pat.natoms == 0, "line %d: %s: %zu atoms", line, s, pat.natoms);
}
#define UNSUPPORTED(s, why) unsupported(__LINE__, s, why)

/* s must be a syntax error at column col, its reason containing `why`. */
static void syntax(int line, const char *s, unsigned long col, const char *why)
{
	enum dt_err err = parse(s);

	CHECKF(err == DT_EPARSE, "line %d: %s: accepted", line, s);
	if (err != DT_EPARSE)
		return;
	CHECKF(diag.col == col, "line %d: %s: column %lu, want %lu (%s)", line, s, diag.col, col,
	       diag.msg);
	CHECKF(strstr(diag.msg, why), "line %d: %s: '%s', want '%s'", line, s, diag.msg, why);
	CHECKF(pat.natoms == 0, "line %d: atoms after an error", line);
}
#define SYNTAX(s, col, why) syntax(__LINE__, s, col, why)

/* s parses (supported or not). */
#define PARSES(s) CHECKF(parse(s) == DT_OK, "%s: %s (col %lu)", s, diag.msg, diag.col)

static void test_paths(void)
{
	ATOMS("[ipv4-addr:value = '198.51.100.1']", IM_ANY,
	      "0.0 ipv4-addr ipv4-addr:value=198.51.100.1");
	ATOMS("[ipv6-addr:value = '2001:db8::1']", IM_ANY,
	      "0.0 ipv6-addr ipv6-addr:value=2001:db8::1");
	ATOMS("[domain-name:value = 'Evil.COM']", IM_ANY,
	      "0.0 domain-name domain-name:value=Evil.COM");
	ATOMS("[domain-name:resolves_to_refs[*].value = '10.0.0.1']", IM_ANY,
	      "0.0 ip domain-name:resolves_to_refs[*].value=10.0.0.1");
	ATOMS("[url:value = 'http://evil.com/x']", IM_ANY, "0.0 url url:value=http://evil.com/x");
	ATOMS("[email-addr:value = 'a@b.c']", IM_ANY, "0.0 email email-addr:value=a@b.c");
	ATOMS("[network-traffic:src_ref.value = '1.2.3.4' OR network-traffic:dst_ref.value = "
	      "'::1']",
	      IM_ANY,
	      "0.0 ip network-traffic:src_ref.value=1.2.3.4; 0.1 ip "
	      "network-traffic:dst_ref.value=::1");
	/* hash names: any case, with or without hyphen, quoted or not */
	ATOMS("[file:hashes.MD5 = 'aa']", IM_ANY, "0.0 md5 file:hashes.MD5=aa");
	ATOMS("[file:hashes.md5 = 'aa']", IM_ANY, "0.0 md5 file:hashes.md5=aa");
	ATOMS("[file:hashes.'MD5' = 'aa']", IM_ANY, "0.0 md5 file:hashes.'MD5'=aa");
	ATOMS("[file:hashes.'SHA-1' = 'aa']", IM_ANY, "0.0 sha1 file:hashes.'SHA-1'=aa");
	ATOMS("[file:hashes.SHA1 = 'aa']", IM_ANY, "0.0 sha1 file:hashes.SHA1=aa");
	ATOMS("[file:hashes.'SHA-256' = 'aa']", IM_ANY, "0.0 sha256 file:hashes.'SHA-256'=aa");
	ATOMS("[file:hashes.sha256 = 'aa']", IM_ANY, "0.0 sha256 file:hashes.sha256=aa");
	ATOMS("[file:hashes.SHA-256 = 'aa']", IM_ANY, "0.0 sha256 file:hashes.SHA-256=aa");
	ATOMS("[file:hashes.'SHA-512' = 'aa']", IM_ANY, "0.0 sha512 file:hashes.'SHA-512'=aa");
	ATOMS("[file:hashes.SHA512 = 'aa']", IM_ANY, "0.0 sha512 file:hashes.SHA512=aa");
	ATOMS("[x509-certificate:hashes.'SHA-1' = 'aa']", IM_ANY,
	      "0.0 x509-sha1 x509-certificate:hashes.'SHA-1'=aa");
	ATOMS("[x509-certificate:hashes.SHA256 = 'aa']", IM_ANY,
	      "0.0 x509-sha256 x509-certificate:hashes.SHA256=aa");
	/* the path as written, white space included */
	ATOMS("[ file:hashes . 'MD5'  =  'aa' ]", IM_ANY, "0.0 md5 file:hashes . 'MD5'=aa");
	/* paths detente does not evaluate */
	UNSUPPORTED("[x509-certificate:hashes.MD5 = 'aa']",
	            "comparison on x509-certificate:hashes.MD5 is not evaluated");
	UNSUPPORTED("[file:hashes.'SHA3-256' = 'aa']", "file:hashes.'SHA3-256'");
	UNSUPPORTED("[mutex:name = 'x']", "comparison on mutex:name is not evaluated");
	UNSUPPORTED("[file:name = 'x']", "file:name");
	UNSUPPORTED("[ipv4-addr:value.x = 'x']", "ipv4-addr:value.x");
	UNSUPPORTED("[domain-name:resolves_to_refs[0].value = '1.2.3.4']",
	            "domain-name:resolves_to_refs[0].value");
	UNSUPPORTED("[network-traffic:src_port = 80]", "network-traffic:src_port");
	UNSUPPORTED("[file:'hashes'.'MD\\'5' = 'x']", "file:'hashes'.'MD\\'5'");
	/* index steps and quoted first components parse */
	PARSES("[a:b[*].c[-1].'d e'[0][+2] = 'x']");
	PARSES("[a:'first'.x = 'x']");
}

static void test_operators(void)
{
	ATOMS("[ipv4-addr:value ISSUBSET '10.0.0.0/8']", IM_ANY,
	      "0.0 ipv4-addr ipv4-addr:value=10.0.0.0/8");
	ATOMS("[ipv6-addr:value ISSUBSET '2001:db8::/32']", IM_ANY,
	      "0.0 ipv6-addr ipv6-addr:value=2001:db8::/32");
	ATOMS("[network-traffic:dst_ref.value ISSUBSET '10.0.0.0/8']", IM_ANY,
	      "0.0 ip network-traffic:dst_ref.value=10.0.0.0/8");
	ATOMS("[domain-name:value IN ('a.com', 'b.com','c.com')]", IM_ANY,
	      "0.0 domain-name domain-name:value=a.com; 0.1 domain-name domain-name:value=b.com; "
	      "0.2 domain-name domain-name:value=c.com");
	ATOMS("[ipv4-addr:value IN ('1.1.1.1')]", IM_ANY, "0.0 ipv4-addr ipv4-addr:value=1.1.1.1");
	UNSUPPORTED("[domain-name:value ISSUBSET 'a.com']",
	            "operator ISSUBSET on domain-name:value");
	UNSUPPORTED("[ipv4-addr:value ISSUPERSET '10.0.0.0/8']", "operator ISSUPERSET");
	UNSUPPORTED("[ipv4-addr:value != '1.2.3.4']", "operator != on ipv4-addr:value");
	UNSUPPORTED("[ipv4-addr:value > '1.2.3.4']", "operator >");
	UNSUPPORTED("[ipv4-addr:value < '1.2.3.4']", "operator <");
	UNSUPPORTED("[ipv4-addr:value >= '1.2.3.4']", "operator >=");
	UNSUPPORTED("[ipv4-addr:value <= '1.2.3.4']", "operator <=");
	UNSUPPORTED("[url:value LIKE 'http://%.evil.com/']", "operator LIKE on url:value");
	UNSUPPORTED("[url:value MATCHES '^http://.*']", "operator MATCHES on url:value");
	UNSUPPORTED("[email-message:subject MATCHES '^x']",
	            "operator MATCHES on email-message:subject");
	UNSUPPORTED("[EXISTS url:value]", "operator EXISTS on url:value");
	UNSUPPORTED("[ipv4-addr:value NOT = '1.2.3.4']", "NOT = on ipv4-addr:value");
	UNSUPPORTED("[ipv4-addr:value NOT IN ('1.2.3.4')]", "NOT IN on ipv4-addr:value");
	UNSUPPORTED("[ipv4-addr:value NOT ISSUBSET '1.2.3.0/24']", "NOT ISSUBSET");
	UNSUPPORTED("[ipv4-addr:value = 5]", "not a string");
	UNSUPPORTED("[ipv4-addr:value IN ('1.2.3.4', 5)]", "not a string");
	UNSUPPORTED("[ipv4-addr:value IN ()]", "matches nothing");
	/* an empty set inside an OR: nothing from it, the rest kept */
	ATOMS("[ipv4-addr:value IN () OR url:value = 'x']", IM_ANY, "0.0 url url:value=x");
}

static void test_constants(void)
{
	/* string escapes: \' and \\ decoded into the pool */
	ATOMS("[url:value = 'it\\'s \\\\ here']", IM_ANY, "0.0 url url:value=it's \\ here");
	ATOMS("[url:value = '']", IM_ANY, "0.0 url url:value=");
	ATOMS("[url:value = 'a]b)c(d[e OR AND']", IM_ANY, "0.0 url url:value=a]b)c(d[e OR AND");
	/* every other constant type parses (in comparisons not evaluated) */
	PARSES("[a:b = 1] OR [a:b = -1] OR [a:b = +1] OR [a:b = 0]");
	PARSES("[a:b = 1.5] OR [a:b = -0.5] OR [a:b = .5] OR [a:b = +.5] OR [a:b = 00.5]");
	PARSES("[a:b = true] OR [a:b = false]");
	PARSES("[a:b = t'2020-02-29T23:59:60Z'] OR [a:b > t'2020-01-01T00:00:00.123456Z']");
	PARSES("[a:b = h'00ff'] OR [a:b = h''] OR [a:b = h'ABcd']");
	PARSES("[a:b = b'AAAA'] OR [a:b = b'AA=='] OR [a:b = b'AAA='] OR [a:b = b'+/9z']");
	PARSES("[a:b IN (1, 2.5, 'x', true, t'2020-01-01T00:00:00Z', h'00', b'AAAA')]");
	PARSES("[a:b < -5 AND a:b >= 2.5 AND a:b <= 'x' AND a:b > h'01']");
	SYNTAX("[a:b = 01]", 8, "invalid number");
	SYNTAX("[a:b = 1.]", 8, "digits expected after '.'");
	SYNTAX("[a:b = 1x]", 8, "invalid number");
	SYNTAX("[a:b = tru]", 8, "expected a value");
	SYNTAX("[a:b = TRUE]", 8, "expected a value");
	SYNTAX("[a:b = t'2020-13-01T00:00:00Z']", 8, "invalid timestamp");
	SYNTAX("[a:b = t'2020-01-01 00:00:00Z']", 8, "invalid timestamp");
	SYNTAX("[a:b = t'2020-01-01T00:00:00']", 8, "invalid timestamp");
	SYNTAX("[a:b = t'2020-01-01T00:00:00.Z']", 8, "invalid timestamp");
	SYNTAX("[a:b = h'0']", 8, "odd number");
	SYNTAX("[a:b = h'0g']", 11, "invalid hex");
	SYNTAX("[a:b = b'AAA']", 8, "multiple of 4");
	SYNTAX("[a:b = b'A=AA']", 12, "invalid base64");
	SYNTAX("[a:b = b'AA===']", 14, "invalid base64");
	SYNTAX("[a:b = 'x\\n']", 10, "invalid escape");
	SYNTAX("[a:b = 'x]", 8, "unterminated string");
	SYNTAX("[a:b > true]", 8, "boolean");
	SYNTAX("[a:b LIKE 5]", 11, "expected a string");
	SYNTAX("[a:b MATCHES h'00']", 14, "expected a string");
	SYNTAX("[a:b ISSUBSET 1]", 15, "expected a string");
	SYNTAX("[a:b IN 'x']", 9, "expected '(' after IN");
	SYNTAX("[a:b IN ('x' 'y')]", 14, "expected ',' or ')'");
	SYNTAX("[a:b IN ('x',)]", 14, "expected a value");
}

static void test_boolean(void)
{
	/* AND binds tighter than OR inside an observation */
	ATOMS("[url:value = 'a' OR url:value = 'b' AND domain-name:value = 'c']", IM_ANY,
	      "0.0 url url:value=a; 0.1 url url:value=b; 0.1 domain-name domain-name:value=c");
	ATOMS("[(url:value = 'a' OR url:value = 'b') AND domain-name:value = 'c']", IM_ANY,
	      "0.0 url url:value=a; 0.0 domain-name domain-name:value=c; 0.1 url url:value=b; 0.1 "
	      "domain-name domain-name:value=c");
	ATOMS("[(((url:value = 'a')))]", IM_ANY, "0.0 url url:value=a");
	/* a dropped comparison drops its conjunction only */
	ATOMS("[url:value = 'a' OR mutex:name = 'm']", IM_ANY, "0.0 url url:value=a");
	ATOMS("[(url:value = 'a' OR mutex:name = 'm') AND domain-name:value = 'c']", IM_ANY,
	      "0.0 url url:value=a; 0.0 domain-name domain-name:value=c");
	UNSUPPORTED("[url:value = 'a' AND mutex:name = 'm']", "comparison on mutex:name");
	UNSUPPORTED("[url:value NOT = 'a' OR mutex:name = 'm']", "NOT = on url:value");
	/* the observed-data case: (domain AND its addresses) OR ... */
	ATOMS("[(domain-name:value = 'd' AND domain-name:resolves_to_refs[*].value = '1.1.1.1') OR "
	      "domain-name:value = 'e']",
	      IM_ANY,
	      "0.0 domain-name domain-name:value=d; 0.0 ip "
	      "domain-name:resolves_to_refs[*].value=1.1.1.1; "
	      "0.1 domain-name domain-name:value=e");
	/* a product: (a|b) AND (c|d) AND (e|f) = 8 conjunctions of 3 */
	CHECK(parse("[(url:value='a' OR url:value='b') AND (url:value='c' OR url:value='d') AND "
	            "(url:value='e' OR url:value='f')]") == DT_OK &&
	      pat.natoms == 24 && pat.atoms[23].conj == 7);
	{
		static const char want[] = "0.0 url url:value=a; 0.0 url url:value=c; 0.0 url "
		                           "url:value=e; 0.1 url url:value=a; 0.1 url url:value=c; "
		                           "0.1 url url:value=f; 0.2 url url:value=a; 0.2 url "
		                           "url:value=d; 0.2 url url:value=e;";

		CHECKF(strncmp(got, want, sizeof(want) - 1) == 0, "%s", got);
	}
}

static void test_observations(void)
{
	ATOMS("[url:value = 'a'] OR [domain-name:value = 'b']", IM_ANY,
	      "0.0 url url:value=a; 1.0 domain-name domain-name:value=b");
	ATOMS("[url:value = 'a'] AND [domain-name:value = 'b']", IM_ALL,
	      "0.0 url url:value=a; 1.0 domain-name domain-name:value=b");
	ATOMS("[url:value = 'a'] FOLLOWEDBY [domain-name:value = 'b']", IM_SEQ,
	      "0.0 url url:value=a; 1.0 domain-name domain-name:value=b");
	/* an observation with nothing left is skipped in ANY (numbers stay dense) */
	ATOMS("[mutex:name = 'm'] OR [url:value = 'a'] OR [file:name = 'f'] OR [url:value = 'b']",
	      IM_ANY, "0.0 url url:value=a; 1.0 url url:value=b");
	/* ... and sinks ALL and SEQ */
	UNSUPPORTED("[mutex:name = 'm'] AND [url:value = 'a']", "comparison on mutex:name");
	UNSUPPORTED("[url:value = 'a'] FOLLOWEDBY [file:name = 'f']", "comparison on file:name");
	/* precedence: AND over OR over FOLLOWEDBY */
	ATOMS("[url:value = 'a'] FOLLOWEDBY [url:value = 'b'] OR [url:value = 'c']", IM_SEQ,
	      "0.0 url url:value=a; 1.0 url url:value=b; 1.1 url url:value=c");
	ATOMS("[url:value = 'a'] OR [url:value = 'b'] FOLLOWEDBY [url:value = 'c']", IM_SEQ,
	      "0.0 url url:value=a; 0.1 url url:value=b; 1.0 url url:value=c");
	ATOMS("([url:value = 'a'] OR [url:value = 'b']) AND [url:value = 'c'] AND ([url:value = "
	      "'d'] AND [url:value = 'e'])",
	      IM_ALL,
	      "0.0 url url:value=a; 0.1 url url:value=b; 1.0 url url:value=c; 2.0 url url:value=d; "
	      "3.0 url url:value=e");
	ATOMS("(([url:value = 'a']))", IM_ANY, "0.0 url url:value=a");
	ATOMS("([url:value = 'a'] OR ([url:value = 'b'] OR [url:value = 'c']))", IM_ANY,
	      "0.0 url url:value=a; 1.0 url url:value=b; 2.0 url url:value=c");
	UNSUPPORTED("[url:value = 'a'] AND [url:value = 'b'] OR [url:value = 'c']",
	            "no single mode");
	UNSUPPORTED("[url:value = 'a'] AND ([url:value = 'b'] FOLLOWEDBY [url:value = 'c'])",
	            "no single mode");
	UNSUPPORTED("[url:value = 'a'] AND [url:value = 'b'] FOLLOWEDBY [url:value = 'c']",
	            "no single mode");
}

static void test_qualifiers(void)
{
	UNSUPPORTED("[url:value = 'a'] WITHIN 300 SECONDS", "qualifier WITHIN is not evaluated");
	UNSUPPORTED("[url:value = 'a'] WITHIN 1.5 SECONDS", "WITHIN");
	UNSUPPORTED("[url:value = 'a'] REPEATS 5 TIMES", "qualifier REPEATS is not evaluated");
	UNSUPPORTED("[url:value = 'a'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
	            "qualifier START/STOP is not evaluated");
	UNSUPPORTED("([url:value = 'a'] AND [url:value = 'b']) REPEATS 2 TIMES WITHIN 10 SECONDS",
	            "REPEATS");
	UNSUPPORTED("[url:value = 'a'] OR [url:value = 'b'] WITHIN 5 SECONDS", "WITHIN");
	SYNTAX("[url:value = 'a'] WITHIN -5 SECONDS", 26, "number of seconds");
	SYNTAX("[url:value = 'a'] WITHIN 5", 27, "expected SECONDS");
	SYNTAX("[url:value = 'a'] REPEATS 1.5 TIMES", 27, "integer");
	SYNTAX("[url:value = 'a'] REPEATS 2", 28, "expected TIMES");
	SYNTAX("[url:value = 'a'] START '2016' STOP t'2016-07-01T00:00:00Z'", 25, "after START");
	SYNTAX("[url:value = 'a'] START t'2016-06-01T00:00:00Z'", 48, "expected STOP");
	SYNTAX("[url:value = 'a'] START t'2016-06-01T00:00:00Z' STOP 5", 54, "after STOP");
}

static void test_syntax(void)
{
	SYNTAX("", 1, "empty pattern");
	SYNTAX("   ", 4, "empty pattern");
	SYNTAX("url:value = 'a'", 1, "expected '[' or '('");
	SYNTAX("[url:value = 'a'", 17, "expected ']'");
	SYNTAX("[url:value = 'a']]", 18, "unexpected text");
	SYNTAX("[url:value = 'a'] [url:value = 'b']", 19, "unexpected text");
	SYNTAX("[url:value = 'a'] OR", 21, "expected '[' or '('");
	SYNTAX("[url:value = 'a'] or [url:value = 'b']", 19, "unexpected text");
	SYNTAX("[url:value = 'a' and url:value = 'b']", 18, "expected ']'");
	SYNTAX("[]", 2, "expected an object path");
	SYNTAX("[url = 'a']", 6, "expected ':'");
	SYNTAX("[url: = 'a']", 7, "expected a property name");
	SYNTAX("[url:value. = 'a']", 13, "expected a property name");
	SYNTAX("[url:value 'a']", 12, "expected a comparison operator");
	SYNTAX("[url:value == 'a']", 13, "expected a value");
	SYNTAX("[url:value =]", 13, "expected a value");
	SYNTAX("[url:x[a] = 'a']", 8, "expected an index");
	SYNTAX("[url:x[1.5] = 'a']", 8, "integer index");
	SYNTAX("[url:x[1 = 'a']", 10, "expected ']' after the index");
	SYNTAX("[(url:value = 'a']", 18, "expected ')'");
	SYNTAX("([url:value = 'a']", 19, "expected ')'");
	SYNTAX("[url:value = 'a' OR]", 20, "expected an object path");
	SYNTAX("[url:value NOT NOT = 'a']", 16, "expected a comparison operator");
	SYNTAX("[EXISTS]", 8, "expected an object path");
	SYNTAX("[url:value = 'a'] /* open", 19, "unterminated comment");
	/* comments are white space */
	ATOMS("/* c */ [url:value /* c */ = 'a'] // to the end", IM_ANY, "0.0 url url:value=a");
	ATOMS("[url:value = 'a'] // x\nOR [url:value = 'b']", IM_ANY,
	      "0.0 url url:value=a; 1.0 url url:value=b");
	/* keywords are whole words */
	SYNTAX("[url:value = 'a'] ORx [url:value = 'b']", 19, "unexpected text");
	SYNTAX("[url:value INx ('a')]", 12, "expected a comparison operator");
	/* a NUL inside the text is just a wrong byte */
	CHECK(pattern_parse(&pat, "[url:value = 'a']\0", 18, &diag) == DT_EPARSE && diag.col == 18);
	CHECK(pattern_parse(&pat, "[url:value = 'a\0b']", 19, &diag) == DT_OK && pat.natoms == 1 &&
	      pat.atoms[0].value.len == 3);
}

static void test_bounds(void)
{
	static char buf[1 << 20];
	size_t o = 0;

	/* nesting: 64 levels parse, 65 do not, a million do not crash */
	for (int d = 0; d < 63; d++)
		buf[o++] = '(';
	o += (size_t)sprintf(buf + o, "[url:value = 'a']");
	for (int d = 0; d < 63; d++)
		buf[o++] = ')';
	buf[o] = '\0';
	CHECK(parse(buf) == DT_OK && pat.natoms == 1);
	o = (size_t)sprintf(buf, "[");
	for (int d = 0; d < 63; d++)
		buf[o++] = '(';
	o += (size_t)sprintf(buf + o, "url:value = 'a'");
	for (int d = 0; d < 63; d++)
		buf[o++] = ')';
	buf[o++] = ']';
	buf[o] = '\0';
	CHECK(parse(buf) == DT_OK && pat.natoms == 1);
	o = 0;
	for (int d = 0; d < 65; d++)
		buf[o++] = '(';
	o += (size_t)sprintf(buf + o, "[url:value = 'a']");
	for (int d = 0; d < 65; d++)
		buf[o++] = ')';
	buf[o] = '\0';
	CHECK(parse(buf) == DT_EPARSE && strstr(diag.msg, "nested too deeply") && diag.col == 65);
	memset(buf, '(', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	CHECK(parse(buf) == DT_EPARSE);
	buf[0] = '[';
	CHECK(parse(buf) == DT_EPARSE);

	/* expansion: 12 ANDed pairs = 4096 conjunctions of 12 atoms */
	o = (size_t)sprintf(buf, "[");
	for (int k = 0; k < 12; k++)
		o += (size_t)sprintf(buf + o, "%s(url:value = 'a%d' OR url:value = 'b%d')",
		                     k ? " AND " : "", k, k);
	sprintf(buf + o, "]");
	UNSUPPORTED(buf, "pattern expands beyond 4096 atoms");
	/* 4096 atoms exactly: 4096 ORed comparisons */
	o = (size_t)sprintf(buf, "[");
	for (int k = 0; k < 4096; k++)
		o += (size_t)sprintf(buf + o, "%surl:value = '%d'", k ? " OR " : "", k);
	sprintf(buf + o, "]");
	CHECK(parse(buf) == DT_OK && pat.natoms == 4096 && !pat.unsupported &&
	      pat.atoms[4095].conj == 4095);
	sprintf(buf + o, " OR url:value = 'x']");
	UNSUPPORTED(buf, "beyond 4096");
	/* across observations too */
	o = 0;
	for (int k = 0; k < 4097; k++)
		o += (size_t)sprintf(buf + o, "%s[url:value = '%d']", k ? " OR " : "", k);
	UNSUPPORTED(buf, "beyond 4096");
	/* a long AND chain */
	o = (size_t)sprintf(buf, "[");
	for (int k = 0; k < 5000; k++)
		o += (size_t)sprintf(buf + o, "%surl:value = '%d'", k ? " AND " : "", k);
	sprintf(buf + o, "]");
	UNSUPPORTED(buf, "beyond 4096");
	/* a syntax error after the expansion is still found */
	buf[o] = '\0';
	CHECK(parse(buf) == DT_EPARSE && strstr(diag.msg, "expected ']'"));
	/* many observations, none evaluated: no atoms, a bounded reason */
	o = 0;
	for (int k = 0; k < 20000; k++)
		o += (size_t)sprintf(buf + o, "%s[mutex:name = '%d']", k ? " OR " : "", k);
	UNSUPPORTED(buf, "mutex:name");
}

/* ---- the corpus ------------------------------------------------------- */

struct tally {
	int parsed, supported, unsupported;
};

static json_t *load(const char *file)
{
	char path[1024];
	json_error_t e;
	json_t *j;

	snprintf(path, sizeof(path), "%s/stix/%s", th_corpus(), file);
	j = json_load_file(path, 0, &e);
	return j;
}

static json_t *objects(json_t *j)
{
	json_t *o = json_object_get(j, "objects");

	return o ? o : j;
}

/* Every indicator's pattern of the corpus: all parse. */
static void test_corpus_all(void)
{
	static const char *const files[] = {
	    "Mandiant_APT1_Report.json",
	    "apt1.json",
	    "fireeye-pivy-report-with-indicators.json",
	    "indicator-for-c2-ip-address.json",
	    "indicator-to-campaign-relationship.json",
	    "indicators-for-C2-with-COA.json",
	    "infrastructure.json",
	    "interop-objectmarking-test.json",
	    "malicious-email-indicator-with-attachment.json",
	    "poisonivy.json",
	};
	int total = 0, sup = 0, nfiles = 0, badvals = 0;
	struct strbuf nb;

	strbuf_init(&nb, 1 << 16);
	for (size_t f = 0; f < sizeof(files) / sizeof(*files); f++) {
		json_t *j = load(files[f]), *arr, *o;
		size_t i;

		if (j == NULL)
			continue;
		nfiles++;
		arr = objects(j);
		json_array_foreach(arr, i, o)
		{
			const char *s = json_string_value(json_object_get(o, "pattern"));

			if (s == NULL)
				continue;
			total++;
			CHECKF(parse(s) == DT_OK, "%s: %s: col %lu %s", files[f], s, diag.col,
			       diag.msg);
			sup += pat.unsupported == NULL;
			CHECK((pat.natoms > 0) == (pat.unsupported == NULL));
			/* every atom's value normalizes (the corpus is clean) */
			for (size_t a = 0; a < pat.natoms; a++) {
				enum ind_type t = pat.atoms[a].type;
				const char *why;

				if (intel_normalize(&t, pat.atoms[a].value.p,
				                    pat.atoms[a].value.len, &nb, &why))
					continue;
				/* poisonivy.json has one value with a word before it */
				badvals++;
				CHECKF(pat.atoms[a].value.len == 21 &&
				           memcmp(pat.atoms[a].value.p, "domain autuo.xicp.net",
				                  21) == 0,
				       "%s: %.*s: %s", files[f], (int)pat.atoms[a].value.len,
				       pat.atoms[a].value.p, why);
			}
		}
		json_decref(j);
	}
	strbuf_release(&nb);
	if (nfiles == 0)
		SKIP("no STIX corpus in %s/stix", th_corpus());
	CHECKF(nfiles == 10, "%d files", nfiles);
	printf("# corpus: %d patterns, %d supported, %d unsupported\n", total, sup, total - sup);
	CHECKF(total == 1062, "%d patterns", total);
	CHECKF(sup == 737, "%d supported", sup);
	CHECKF(badvals == 1, "%d values that do not normalize", badvals);
}

/* The Poison Ivy report: the single-comparison patterns by path. */
static void test_corpus_pivy(void)
{
	json_t *j = load("fireeye-pivy-report-with-indicators.json"), *o;
	int md5 = 0, ip = 0, dom = 0, mutex = 0, xid = 0, combined = 0, n = 0;
	size_t i;

	if (j == NULL)
		SKIP("no %s/stix/fireeye-pivy-report-with-indicators.json", th_corpus());
	json_array_foreach(objects(j), i, o)
	{
		const char *s = json_string_value(json_object_get(o, "pattern"));

		if (s == NULL)
			continue;
		n++;
		if (parse(s) != DT_OK)
			continue;
		if (strncmp(s, "[file:hashes.MD5 = '", 20) == 0 && strlen(s) == 20 + 32 + 2) {
			md5 += pat.natoms == 1 && pat.atoms[0].type == IT_MD5 && !pat.unsupported &&
			       pat.atoms[0].value.len == 32 && pat.atoms[0].value.p == s + 20;
		} else if (strncmp(s, "[ipv4-addr:value = '", 20) == 0 &&
		           strstr(s, " OR ") == NULL) {
			ip += pat.natoms == 1 && pat.atoms[0].type == IT_IPV4 && !pat.unsupported;
		} else if (strncmp(s, "[domain-name:value = '", 22) == 0 &&
		           strstr(s, " OR ") == NULL) {
			dom +=
			    pat.natoms == 1 && pat.atoms[0].type == IT_DOMAIN && !pat.unsupported;
		} else if (strncmp(s, "[mutex:name = '", 15) == 0 && strstr(s, " OR ") == NULL) {
			mutex += pat.natoms == 0 && pat.unsupported &&
			         strcmp(pat.unsupported,
			                "comparison on mutex:name is not evaluated") == 0;
		} else if (strncmp(s, "[file:x_ID = '", 14) == 0) {
			xid += pat.unsupported && strstr(pat.unsupported, "file:x_ID") != NULL;
		} else if (strncmp(s, "[mutex:name = '", 15) == 0 &&
		           strstr(s, "] OR [(file:x_ID = '") &&
		           strstr(s, "] OR [domain-name:value = '")) {
			/* [mutex] OR [(x_ID OR x_PIVY_Password OR MD5)] OR [domain] */
			combined++;
			CHECKF(pat.mode == IM_ANY && !pat.unsupported && pat.natoms == 2 &&
			           pat.atoms[0].type == IT_MD5 && pat.atoms[0].obs == 0 &&
			           pat.atoms[0].conj == 0 && pat.atoms[1].type == IT_DOMAIN &&
			           pat.atoms[1].obs == 1 && pat.atoms[1].conj == 0,
			       "%s -> %s", s, got);
		}
	}
	json_decref(j);
	CHECKF(n == 1019, "%d patterns", n);
	CHECKF(md5 == 195, "%d MD5", md5);
	CHECKF(ip == 165, "%d ipv4-addr", ip);
	CHECKF(dom == 45, "%d domain-name", dom);
	CHECKF(mutex == 148, "%d mutex", mutex);
	CHECKF(xid == 149, "%d file:x_ID", xid);
	CHECKF(combined == 17, "%d combined", combined);
}

/* Two of the example files, pattern by pattern. */
static void test_corpus_examples(void)
{
	json_t *j = load("malicious-email-indicator-with-attachment.json"), *o;
	int matches = 0;
	size_t i;

	if (j == NULL)
		SKIP("no STIX corpus in %s/stix", th_corpus());
	json_array_foreach(objects(j), i, o)
	{
		const char *s = json_string_value(json_object_get(o, "pattern"));

		if (s == NULL)
			continue;
		CHECK(parse(s) == DT_OK);
		matches += pat.unsupported && strstr(pat.unsupported, "operator MATCHES") != NULL;
	}
	json_decref(j);
	CHECKF(matches == 2, "%d MATCHES", matches);
	ATOMS("[file:hashes.'SHA-256' = "
	      "'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
	      IM_ANY,
	      "0.0 sha256 file:hashes.'SHA-256'="
	      "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c");
	UNSUPPORTED("[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = "
	            "'4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
	            "comparison on x509-certificate:issuer is not evaluated");
	ATOMS("[ ipv4-addr:value = '10.0.0.0' ]", IM_ANY, "0.0 ipv4-addr ipv4-addr:value=10.0.0.0");
}

/* Patterns per second on the Poison Ivy patterns, repeated (printed). */
static void test_speed(void)
{
	json_t *j = load("fireeye-pivy-report-with-indicators.json"), *o;
	const char **ps = NULL;
	size_t *lens = NULL, n = 0, i, bytes = 0, runs = 0, atoms = 0;
	struct timespec a, b;
	double sec;

	if (j == NULL)
		SKIP("no %s/stix/fireeye-pivy-report-with-indicators.json", th_corpus());
	ps = calloc(2000, sizeof(*ps));
	lens = calloc(2000, sizeof(*lens));
	json_array_foreach(objects(j), i, o)
	{
		const char *s = json_string_value(json_object_get(o, "pattern"));

		if (s && n < 2000) {
			ps[n] = s;
			lens[n++] = strlen(s);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (i = 0; i < n; i++) {
			if (pattern_parse(&pat, ps[i], lens[i], &diag) == DT_OK)
				atoms += pat.natoms;
			bytes += lens[i];
		}
		runs++;
		clock_gettime(CLOCK_MONOTONIC, &b);
		sec = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	} while (sec < 0.5);
	printf("# pattern speed: %zu patterns in %.3f s: %.2f M patterns/s, %.0f MB/s\n", runs * n,
	       sec, (double)(runs * n) / sec / 1e6, (double)bytes / sec / 1e6);
	CHECK(atoms > 0);
	free(ps);
	free(lens);
	json_decref(j);
}

int main(void)
{
	pattern_init(&pat);
	RUN(test_paths);
	RUN(test_operators);
	RUN(test_constants);
	RUN(test_boolean);
	RUN(test_observations);
	RUN(test_qualifiers);
	RUN(test_syntax);
	RUN(test_bounds);
	RUN(test_corpus_all);
	RUN(test_corpus_pivy);
	RUN(test_corpus_examples);
	RUN(test_speed);
	pattern_release(&pat);
	DONE();
}
