/*
 * test_jscan.c — the JSON reader (core/jscan.h) against jansson, an
 * independent implementation: hand-picked valid and invalid texts from
 * RFC 8259's grammar edges, then 200,000 random mutations of real EVE and
 * Zeek JSON lines, each accepted by jscan exactly when jansson accepts it
 * (one known, documented difference aside: jansson refuses numbers beyond
 * what int64 and double hold, which jscan's grammar check lets through and
 * its accessors refuse).  Accepted texts must also give the same string
 * and integer values for every member jansson sees.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jscan.h"
#include "testhelp.h"

static bool jansson_ok(const char *s, size_t n, json_error_t *e)
{
	json_t *j = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, e);

	json_decref(j);
	return j != NULL;
}

/* A text jansson refuses only for a reason jscan leaves to its accessors. */
static bool known_difference(const json_error_t *e)
{
	return strstr(e->text, "too big") != NULL || strstr(e->text, "overflow") != NULL;
}

static void test_cases(void)
{
	static const char *const good[] = {
	    "{}",
	    "[]",
	    "0",
	    "-0",
	    "1.5e-7",
	    "\"\"",
	    "true",
	    "null",
	    " {\"a\" : [1, 2, {}]} ",
	    "\"\\u00e9\\ud83d\\ude00\\n\\/\"",
	    "\"h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
	    "{\"a\":1,\"a\":2}",
	    "[1e5,1E+5,-1.0e-5]",
	};
	static const char *const bad[] = {
	    "",
	    "{",
	    "[1,]",
	    "{\"a\":1,}",
	    "01",
	    "1.",
	    ".5",
	    "-",
	    "1e",
	    "+1",
	    "[1 2]",
	    "{\"a\" 1}",
	    "{a:1}",
	    "'x'",
	    "\"\\x\"",
	    "\"\\u12\"",
	    "\"\\ud800\"",
	    "\"\\udc00x\"",
	    "\"a\tb\"",
	    "\"\xc0\xaf\"",
	    "\"\xed\xa0\x80\"",
	    "\"\xf4\x90\x80\x80\"",
	    "\"\xff\"",
	    "tru",
	    "nul",
	    "[1]x",
	    "{}{}",
	    "\"abc",
	    "[\"a\",",
	};
	struct js_doc d;
	json_error_t e;

	js_init(&d);
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		CHECKF(js_parse(&d, good[i], strlen(good[i])), "good %zu: %s", i, d.err);
		CHECKF(jansson_ok(good[i], strlen(good[i]), &e), "jansson good %zu", i);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		CHECKF(!js_parse(&d, bad[i], strlen(bad[i])), "bad %zu accepted", i);
		CHECKF(!jansson_ok(bad[i], strlen(bad[i]), &e), "jansson bad %zu", i);
	}
	/* values */
	{
		const char *t = "{\"s\":\"a\\\"b\\u00e9\",\"n\":-42,\"big\":9223372036854775808,"
		                "\"f\":1.5,\"o\":{\"x\":{\"y\":\"deep\"}},\"a\":[1,\"two\"],"
		                "\"o.x\":\"flat\",\"dup\":1,\"dup\":2}";
		const char *p;
		size_t n;
		int64_t v;

		CHECK(js_parse(&d, t, strlen(t)));
		CHECK(js_str(&d, js_get(&d, 0, "s"), &p, &n) && n == 5 &&
		      memcmp(p, "a\"b\xc3\xa9", 5) == 0);
		CHECK(js_int(&d, js_get(&d, 0, "n"), &v) && v == -42);
		CHECK(!js_int(&d, js_get(&d, 0, "big"), &v));
		CHECK(!js_int(&d, js_get(&d, 0, "f"), &v));
		CHECK(js_raw(&d, js_get(&d, 0, "f"), &p, &n) && n == 3 && memcmp(p, "1.5", 3) == 0);
		CHECK(js_str(&d, js_path(&d, 0, "o.x.y"), &p, &n) && n == 4);
		CHECK(js_str(&d, js_path(&d, 0, "o.x"), &p, &n) && n == 4 &&
		      memcmp(p, "flat", 4) == 0);
		CHECK(js_str(&d, js_index(&d, js_get(&d, 0, "a"), 1), &p, &n) && n == 3);
		CHECK(js_index(&d, js_get(&d, 0, "a"), 2) == JS_NONE);
		CHECK(js_int(&d, js_get(&d, 0, "dup"), &v) && v == 2);
		CHECK(js_get(&d, 0, "missing") == JS_NONE && js_get(&d, JS_NONE, "s") == JS_NONE);
	}
	/* depth */
	{
		char deep[200];

		memset(deep, '[', 100);
		memset(deep + 100, ']', 100);
		CHECK(!js_parse(&d, deep, 200) && strstr(d.err, "deep"));
		CHECK(js_parse(&d, deep + 100 - JS_MAX_DEPTH, 2 * JS_MAX_DEPTH));
	}
	js_release(&d);
}

/* Whether object t has a member name written with escapes (such names
 * never match js_get: documented). */
static bool escaped_name(const struct js_doc *d, int t)
{
	for (int i = t + 1; t >= 0 && i < d->t[t].next; i = d->t[i + 1].next)
		if (d->t[i].escaped)
			return true;
	return false;
}

/* Every string and integer member of object j (recursively) reads the
 * same through jscan token t. */
static int compare(struct js_doc *d, int t, json_t *j)
{
	const char *k;
	json_t *v;
	int bad = 0;

	if (escaped_name(d, t))
		return 0;
	json_object_foreach(j, k, v)
	{
		int tv = js_get(d, t, k);
		const char *p;
		size_t n;
		int64_t iv;

		if (json_is_string(v)) {
			if (memchr(json_string_value(v), 0, json_string_length(v)))
				continue;
			if (!js_str(d, tv, &p, &n) || n != json_string_length(v) ||
			    memcmp(p, json_string_value(v), n) != 0) {
				if (bad++ < 3)
					fprintf(stderr, "string %s differs\n", k);
			}
		} else if (json_is_integer(v)) {
			if (!js_int(d, tv, &iv) || iv != json_integer_value(v)) {
				if (bad++ < 3)
					fprintf(stderr, "integer %s differs\n", k);
			}
		} else if (json_is_object(v)) {
			bad += compare(d, tv, v);
		}
	}
	return bad;
}

static void test_mutations(void)
{
	static const char *const seeds[] = {
	    "{\"timestamp\":\"2016-06-08T20:01:52.875791+0000\",\"flow_id\":1234567890123,"
	    "\"event_type\":\"alert\",\"src_ip\":\"192.0.2.1\",\"src_port\":4444,\"dest_ip\":"
	    "\"2001:db8::1\",\"proto\":\"TCP\",\"alert\":{\"signature\":\"ET \\\"x\\\" \\u00e9\","
	    "\"signature_id\":2001,\"severity\":2},\"flow\":{\"bytes_toserver\":1.5e3}}",
	    "{\"ts\":1521911530.151237,\"uid\":\"Cmc5423\",\"id.orig_h\":\"172.31.255.5\","
	    "\"answers\":[\"a\",\"b\"],\"TTLs\":[60.0,null],\"rejected\":false,\"x\":{}}",
	};
	unsigned long long seed = 99;
	struct js_doc d;
	char buf[1024];
	int mismatch = 0, valuebad = 0, accepted = 0;

	js_init(&d);
	for (int round = 0; round < 200000; round++) {
		const char *s = seeds[round % 2];
		size_t n = strlen(s), edits = 1 + th_rand(&seed) % 3;
		json_error_t e;
		bool a, b;

		memcpy(buf, s, n);
		for (size_t k = 0; k < edits; k++) {
			size_t at = th_rand(&seed) % n;
			static const char alphabet[] =
			    "{}[]\",:\\u0123456789eE.-+ tfnlr\xc3\xa9\xff\x01";

			switch (th_rand(&seed) % 3) {
			case 0: buf[at] = alphabet[th_rand(&seed) % (sizeof(alphabet) - 1)]; break;
			case 1: /* delete */
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
				break;
			default: /* duplicate */
				if (n + 1 < sizeof(buf)) {
					memmove(buf + at + 1, buf + at, n - at);
					n++;
				}
				break;
			}
		}
		a = js_parse(&d, buf, n);
		b = jansson_ok(buf, n, &e);
		if (a != b && !(a && known_difference(&e))) {
			if (mismatch++ < 5)
				fprintf(stderr, "mismatch (jscan %d, jansson %d: %s): %.*s\n", a, b,
				        e.text, (int)n, buf);
		}
		if (a && b) {
			json_t *j = json_loadb(buf, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);

			accepted++;
			if (json_is_object(j))
				valuebad += compare(&d, 0, j);
			json_decref(j);
		}
	}
	CHECKF(mismatch == 0, "%d mismatches", mismatch);
	CHECKF(valuebad == 0, "%d values differ", valuebad);
	CHECK(accepted > 1000); /* the mutations kept some texts valid */
	js_release(&d);
}

int main(void)
{
	RUN(test_cases);
	RUN(test_mutations);
	DONE();
}
