/*
 * testhelp.h — the in-house test runner (in the spirit of Redis's
 * testhelp.h).  A test is a function; CHECK records a failure with
 * file:line and carries on; SKIP ends the test as skipped with a reason
 * that is printed (never silent).  Each test binary ends with the line
 *   # N passed, N failed, N skipped
 * which tests/run.sh adds up.
 */
#ifndef DT_TESTHELP_H
#define DT_TESTHELP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int th_pass, th_fail, th_skip, th_cur_fail, th_cur_skip;
static char th_skip_why[1200];

#define CHECK(cond) CHECKF(cond, "%s", #cond)
#define CHECKF(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			if (th_cur_fail++ < 20) {                              \
				fprintf(stderr, "%s:%d: check failed: ",       \
					__FILE__, __LINE__);                   \
				fprintf(stderr, __VA_ARGS__);                  \
				fputc('\n', stderr);                           \
			}                                                      \
		}                                                              \
	} while (0)
#define SKIP(...)                                                              \
	do {                                                                   \
		th_cur_skip = 1;                                               \
		snprintf(th_skip_why, sizeof(th_skip_why), __VA_ARGS__);       \
		return;                                                        \
	} while (0)
#define RUN(fn)                                                                \
	do {                                                                   \
		th_cur_fail = th_cur_skip = 0;                                 \
		fn();                                                          \
		if (th_cur_fail) {                                             \
			th_fail++;                                             \
			printf("FAIL %s (%d checks failed)\n", #fn,            \
			       th_cur_fail);                                   \
		} else if (th_cur_skip) {                                      \
			th_skip++;                                             \
			printf("skip %s: %s\n", #fn, th_skip_why);             \
		} else {                                                       \
			th_pass++;                                             \
			printf("ok   %s\n", #fn);                              \
		}                                                              \
		fflush(stdout);                                                \
	} while (0)
#define DONE()                                                                 \
	do {                                                                   \
		printf("# %d passed, %d failed, %d skipped\n", th_pass,        \
		       th_fail, th_skip);                                      \
		return th_fail ? 1 : 0;                                        \
	} while (0)

/* Where the shared reference corpus is ($DETENTE_CORPUS or ../shared/corpus). */
static inline const char *th_corpus(void)
{
	const char *c = getenv("DETENTE_CORPUS");

	return c && *c ? c : "../shared/corpus";
}

/* splitmix64: reproducible pseudo-random numbers for property tests. */
static inline unsigned long long th_rand(unsigned long long *s)
{
	unsigned long long z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

#endif
