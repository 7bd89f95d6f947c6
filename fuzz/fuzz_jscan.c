/*
 * fuzz_jscan.c — the JSON reader (core/jscan.h), differentially against
 * jansson: a text is accepted by jscan exactly when jansson accepts it
 * (jansson's refusal of numbers beyond int64/double aside, which jscan
 * leaves to its accessors, and jansson's reading of a NUL byte as the end
 * of the text, which jscan refuses), and every accessor stays inside the
 * text.
 */
#include <jansson.h>

#include "core/jscan.h"
#include "fuzz.h"

/* Reads every token through every accessor. */
static void walk(struct js_doc *d)
{
	for (int t = 0; t < d->n; t++) {
		const char *p;
		size_t n;
		int64_t v;
		volatile size_t sum = 0;

		if (js_str(d, t, &p, &n))
			for (size_t i = 0; i < n; i++)
				sum += (unsigned char)p[i];
		if (js_raw(d, t, &p, &n))
			for (size_t i = 0; i < n; i++)
				sum += (unsigned char)p[i];
		(void)js_int(d, t, &v);
		(void)js_get(d, t, "event_type");
		(void)js_path(d, t, "a.b.c");
		(void)js_index(d, t, 1);
		(void)sum;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct js_doc d;
	json_error_t e;
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	bool a = js_parse(&d, (const char *)data, size);
	int depth = 0, maxdepth = 0;

	/* jansson allows deeper nesting than jscan's 64 */
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '[' || data[i] == '{')
			depth++;
		if (data[i] == ']' || data[i] == '}')
			depth--;
		if (depth > maxdepth)
			maxdepth = depth;
	}
	if (memchr(data, 0, size) != NULL) {
		/* jansson stops at a NUL; jscan refuses it */
	} else if (j != NULL && !a && maxdepth <= JS_MAX_DEPTH)
		abort(); /* jansson accepts what jscan refuses */
	else if (j == NULL && a && !strstr(e.text, "too big") && !strstr(e.text, "overflow") &&
	         !strstr(e.text, "maximum"))
		abort(); /* jscan accepts what jansson refuses */
	if (a)
		walk(&d);
	json_decref(j);
	return 0;
}
