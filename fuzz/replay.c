/*
 * replay.c — run a fuzz target's LLVMFuzzerTestOneInput over saved inputs,
 * without libFuzzer (in the manner of SQLite's fuzzcheck), so that
 * `make check` replays the regression set and the reference corpus with
 * the ordinary compiler, and under the sanitizers with SANITIZE=.
 *
 *   replay [-q] PATH...
 *
 * Each PATH is a file or a directory (its regular files, sorted by name,
 * not recursively).  Every input is read into a buffer of exactly its size
 * (so that AddressSanitizer sees a read past it) and handed to the target
 * once.  On success prints
 *   fuzz-replay <target>: N inputs ok
 * (<target> is the program's name); exits 1 if a path cannot be read, and a
 * failing input (a trap, a crash, a sanitizer report) names itself on
 * stderr before the process dies.  -q: no success line.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define REPLAY_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define REPLAY_SANITIZER 1
#endif
#ifdef REPLAY_SANITIZER
void __sanitizer_set_death_callback(void (*callback)(void));
#endif

static char current[4096];

static void say_current(void)
{
	static const char pre[] = "fuzz-replay: failing input: ";

	if (!current[0])
		return;
	/* async-signal-safe */
	if (write(2, pre, sizeof(pre) - 1) < 0 || write(2, current, strlen(current)) < 0 ||
	    write(2, "\n", 1) < 0)
		return;
}

static void on_signal(int sig)
{
	say_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int run_file(const char *path, unsigned long *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	/* exactly n bytes (malloc(0) may return NULL: use one spare byte then) */
	if ((buf = malloc(n ? (size_t)n : 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	snprintf(current, sizeof(current), "%s", path);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	current[0] = '\0';
	free(buf);
	(*count)++;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, unsigned long *count)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path, count);
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char *full;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		len = strlen(path) + strlen(e->d_name) + 2;
		if ((full = malloc(len)) == NULL)
			abort();
		snprintf(full, len, "%s/%s", path, e->d_name);
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(full);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((names = realloc(names, cap * sizeof(*names))) == NULL)
				abort();
		}
		names[n++] = full;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && run_file(names[i], count) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	unsigned long count = 0;
	int quiet = 0, rc = 0, i = 1;
#ifdef REPLAY_SANITIZER
	/* the sanitizers report SEGV, BUS and FPE themselves, then call back */
	static const int sigs[] = {SIGILL, SIGABRT, SIGTRAP};
#else
	static const int sigs[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGTRAP};
#endif

	if (i < argc && strcmp(argv[i], "-q") == 0) {
		quiet = 1;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [-q] FILE|DIR...\n", name);
		return 2;
	}
	for (size_t k = 0; k < sizeof(sigs) / sizeof(*sigs); k++)
		signal(sigs[k], on_signal);
#ifdef REPLAY_SANITIZER
	__sanitizer_set_death_callback(say_current);
#endif
	for (; i < argc; i++)
		if (run_path(argv[i], &count) != 0)
			rc = 1;
	if (rc == 0 && !quiet)
		printf("fuzz-replay %s: %lu inputs ok\n", name, count);
	return rc;
}
