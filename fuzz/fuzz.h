/*
 * fuzz.h — what the fuzz targets share: the libFuzzer entry point, a
 * property check that traps, opening an index image from memory, and the
 * invariants every answer of an index must satisfy.
 *
 * Each target includes this header exactly once, so the helpers are
 * static inline (and the mmap wrappers below plain functions).
 *
 * FUZZ_WRAP_MMAP (set by fuzz/fuzz.mk together with -Wl,--wrap=mmap and
 * -Wl,--wrap=munmap) replaces the read-only file mapping of
 * geo_index_open() with an exact-size heap copy, so that AddressSanitizer
 * sees any read past the end of the index (a real mapping is padded with
 * zeros to the page size and would hide it).
 */
#ifndef DT_FUZZ_H
#define DT_FUZZ_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/ip.h"
#include "geo/build.h"
#include "geo/geo.h"
#include "ingest/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__attribute__((noreturn, unused)) static void fuzz_fail(const char *what,
							const char *file,
							int line)
{
	fprintf(stderr, "%s:%d: property violated: %s\n", file, line, what);
	fflush(stderr);
	__builtin_trap();
}

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			fuzz_fail(#cond, __FILE__, __LINE__);                  \
	} while (0)

/* ---- the text-log targets (eve, syslog, weblog) ----------------------- */

/* Reads every byte of an event string, so ASan sees one that points
 * outside live memory. */
static inline void fuzz_touch(struct dt_str s)
{
	volatile char sink = 0;

	FUZZ_CHECK(s.len == 0 || s.p != NULL);
	for (size_t i = 0; i < s.len; i++)
		sink ^= s.p[i];
	(void)sink;
}

/* Line `no` (1-based) of data[0..len) as a slice. */
static inline struct dt_str fuzz_line(const char *data, size_t len, unsigned long no)
{
	struct dt_str l = {data, 0};
	size_t i = 0;

	for (unsigned long k = 1; k < no; k++) {
		const char *nl = memchr(data + i, '\n', len - i);

		FUZZ_CHECK(nl != NULL);
		i = (size_t)(nl - data) + 1;
	}
	l.p = data + i;
	while (i + l.len < len && data[i + l.len] != '\n')
		l.len++;
	return l;
}

/* n decimal digits at s, or -1. */
static inline int fuzz_num(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* ---- exact-size mappings (see above) --------------------------------- */

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#endif
#ifdef FUZZ_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#endif

#ifdef FUZZ_WRAP_MMAP
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_munmap(void *addr, size_t len);

/*
 * Under AddressSanitizer a slot keeps its buffer from one mapping to the
 * next (fresh multi-megabyte allocations cost page faults on every run):
 * only the first len bytes are unpoisoned while mapped, and the whole
 * buffer is poisoned again at munmap, so that a read past the end or after
 * the unmap is still reported.  Without it, a plain malloc per mapping.
 */
static struct {
	char *buf;
	size_t cap;
	size_t len;
	bool used;
} fuzz_maps[8];

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	size_t slot, got = 0;
	char *p;

	if (addr != NULL || fd < 0 || prot != PROT_READ || len == 0 ||
	    (flags & MAP_FIXED))
		return __real_mmap(addr, len, prot, flags, fd, off);
	for (slot = 0; slot < sizeof(fuzz_maps) / sizeof(*fuzz_maps); slot++)
		if (!fuzz_maps[slot].used)
			break;
	if (slot == sizeof(fuzz_maps) / sizeof(*fuzz_maps))
		return __real_mmap(addr, len, prot, flags, fd, off);
#ifdef FUZZ_ASAN
	if (fuzz_maps[slot].cap < len) {
		void *n;
		size_t cap = fuzz_maps[slot].cap ? fuzz_maps[slot].cap : 1u << 20;

		while (cap < len)
			cap *= 2;
		if (fuzz_maps[slot].buf)
			__asan_unpoison_memory_region(fuzz_maps[slot].buf,
						      fuzz_maps[slot].cap);
		free(fuzz_maps[slot].buf);
		if (posix_memalign(&n, 4096, cap) != 0) {
			fuzz_maps[slot].buf = NULL;
			fuzz_maps[slot].cap = 0;
			errno = ENOMEM;
			return MAP_FAILED;
		}
		fuzz_maps[slot].buf = n;
		fuzz_maps[slot].cap = cap;
	}
	p = fuzz_maps[slot].buf;
	__asan_unpoison_memory_region(p, len);
	__asan_poison_memory_region(p + len, fuzz_maps[slot].cap - len);
#else
	{
		void *n;

		if (posix_memalign(&n, 4096, len) != 0) {
			errno = ENOMEM;
			return MAP_FAILED;
		}
		p = n;
	}
#endif
	while (got < len) {
		ssize_t n = pread(fd, p + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < len)
		memset(p + got, 0, len - got); /* as a mapping past EOF */
	fuzz_maps[slot].buf = p;
	fuzz_maps[slot].len = len;
	fuzz_maps[slot].used = true;
	return p;
}

int __wrap_munmap(void *addr, size_t len)
{
	for (size_t i = 0; i < sizeof(fuzz_maps) / sizeof(*fuzz_maps); i++) {
		if (fuzz_maps[i].used && (void *)fuzz_maps[i].buf == addr) {
			if (fuzz_maps[i].len != len)
				fuzz_fail("munmap length differs from mmap length",
					  __FILE__, __LINE__);
			fuzz_maps[i].used = false;
#ifdef FUZZ_ASAN
			__asan_poison_memory_region(addr, fuzz_maps[i].cap);
#else
			free(addr);
			fuzz_maps[i].buf = NULL;
#endif
			return 0;
		}
	}
	return __real_munmap(addr, len);
}
#endif

/* ---- opening an image ------------------------------------------------ */

/*
 * Writes n bytes to a file and opens it with geo_index_open().  The file
 * is one memfd kept for the life of the process (rewritten in place, which
 * spares the kernel freeing and allocating its pages on every run), opened
 * through /proc/self/fd; without /proc, a temporary file unlinked at once.
 */
__attribute__((unused)) static enum dt_err
fuzz_open_bytes(const void *p, size_t n, struct geo_index **ix,
		struct dt_diag *diag)
{
	static int memfd = -2;
	static char mpath[64];
	char tpath[512];
	const char *path = mpath;
	enum dt_err err;
	size_t done = 0;
	int fd;

	*ix = NULL;
	if (memfd == -2) {
		memfd = -1;
		if (access("/proc/self/fd", X_OK) == 0 &&
		    (memfd = memfd_create("detente-fuzz", MFD_CLOEXEC)) >= 0)
			snprintf(mpath, sizeof(mpath), "/proc/self/fd/%d", memfd);
	}
	if (memfd >= 0) {
		fd = memfd;
		if (ftruncate(fd, (off_t)n) != 0) {
			perror("fuzz: ftruncate");
			abort();
		}
	} else {
		const char *tmp = getenv("TMPDIR");

		snprintf(tpath, sizeof(tpath), "%s/detente-fuzz-XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if ((fd = mkstemp(tpath)) < 0) {
			perror("fuzz: mkstemp");
			abort();
		}
		path = tpath;
	}
	while (done < n) {
		ssize_t w = pwrite(fd, (const char *)p + done, n - done, (off_t)done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			perror("fuzz: write");
			abort();
		}
		done += (size_t)w;
	}
	err = geo_index_open(path, ix, diag);
	if (fd != memfd) {
		unlink(tpath);
		close(fd);
	}
	return err;
}

/*
 * Serializes the builder's index, frees the builder, and opens the image:
 * every image the builder writes must open, so either failing is a
 * property violation.  Returns the opened index.
 */
__attribute__((unused)) static struct geo_index *fuzz_build_open(struct geo_builder *b)
{
	struct geo_index *ix = NULL;
	struct dt_diag d;
	uint8_t *img = NULL;
	size_t len = 0;
	enum dt_err err = geo_builder_serialize(b, &img, &len, &d);

	geo_builder_free(b);
	FUZZ_CHECK(err == DT_OK);
	err = fuzz_open_bytes(img, len, &ix, &d);
	if (err != DT_OK)
		fprintf(stderr, "geo_index_open refused the builder's image: %s\n", d.msg);
	FUZZ_CHECK(err == DT_OK);
	free(img);
	return ix;
}

/* ---- invariants of answers ------------------------------------------- */

static inline dt_u128 fuzz_u128(const uint8_t *p, size_t n)
{
	dt_u128 v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static inline struct dt_ip fuzz_ip4(uint32_t a)
{
	struct dt_ip ip = {.family = DT_IP_V4, .mapped = false, .addr = a};

	return ip;
}

static inline struct dt_ip fuzz_ip6(dt_u128 a)
{
	struct dt_ip ip = {.family = DT_IP_V6, .mapped = false, .addr = a};

	return ip;
}

static inline bool fuzz_same_fields(const struct geo_answer *a,
				    const struct geo_answer *b)
{
	if (memcmp(a->country, b->country, 3) != 0 || a->asn != b->asn ||
	    a->flags != b->flags)
		return false;
	if ((a->as_org == NULL) != (b->as_org == NULL))
		return false;
	return a->as_org == NULL || strcmp(a->as_org, b->as_org) == 0;
}

static inline bool fuzz_same_prefix(const struct dt_prefix *a,
				    const struct dt_prefix *b)
{
	return a->ip.family == b->ip.family && a->ip.mapped == b->ip.mapped &&
	       a->len == b->len && a->ip.addr == b->ip.addr;
}

/* What any answer of any index that opened must look like. */
static inline void fuzz_check_fields(const struct geo_index *ix,
				     const struct geo_answer *a)
{
	unsigned nflags = geo_index_flag_count(ix);

	FUZZ_CHECK(a->country[2] == '\0');
	FUZZ_CHECK((a->country[0] == 0 && a->country[1] == 0) ||
		   (a->country[0] >= 'A' && a->country[0] <= 'Z' &&
		    a->country[1] >= 'A' && a->country[1] <= 'Z'));
	if (a->as_org != NULL)
		(void)strlen(a->as_org); /* must be terminated inside the file */
	FUZZ_CHECK(nflags <= 32);
	FUZZ_CHECK(nflags == 32 || (a->flags >> nflags) == 0);
	for (unsigned bit = 0; bit < nflags; bit++)
		if (a->flags & (1u << bit))
			FUZZ_CHECK(geo_index_flag_name(ix, bit) != NULL);
}

/*
 * Looks ip up and checks the answer: fields well formed, network a prefix
 * of the family that contains the address with its host bits zero, and the
 * same answer and network at both ends of that network (the network is the
 * widest prefix around the address inside one run, so it is the network of
 * each of its addresses).  Returns the answer.
 */
static inline struct geo_answer fuzz_lookup(const struct geo_index *ix,
					    const struct dt_ip *ip)
{
	struct geo_answer a, e;
	struct dt_ip end;
	dt_u128 mask, max = dt_ip_max(ip->family);
	unsigned bits = dt_ip_bits(ip->family);

	memset(&a, 0xa5, sizeof(a));
	geo_lookup(ix, ip, &a);
	fuzz_check_fields(ix, &a);
	FUZZ_CHECK(a.network.ip.family == ip->family);
	FUZZ_CHECK(!a.network.ip.mapped);
	FUZZ_CHECK(a.network.len <= bits);
	mask = dt_ip_mask(ip->family, a.network.len);
	FUZZ_CHECK((a.network.ip.addr & ~mask) == 0);
	FUZZ_CHECK((ip->addr & mask) == a.network.ip.addr);

	end = *ip;
	end.mapped = false;
	end.addr = a.network.ip.addr;
	memset(&e, 0x5a, sizeof(e));
	geo_lookup(ix, &end, &e);
	FUZZ_CHECK(fuzz_same_fields(&a, &e));
	FUZZ_CHECK(fuzz_same_prefix(&a.network, &e.network));
	end.addr = a.network.ip.addr | (~mask & max);
	memset(&e, 0x5a, sizeof(e));
	geo_lookup(ix, &end, &e);
	FUZZ_CHECK(fuzz_same_fields(&a, &e));
	FUZZ_CHECK(fuzz_same_prefix(&a.network, &e.network));
	return a;
}

/*
 * Walks up to `limit` intervals of a family from each end (all of them when
 * there are fewer) with geo_index_interval: they must tile the space from 0
 * to the family's maximum, answer what a lookup of their ends answers, and
 * carry as network a prefix at their start inside them.  With `maximal`
 * (indexes the builder wrote), neighbours must differ: runs are maximal.
 */
static inline void fuzz_walk(const struct geo_index *ix, uint8_t family,
			     uint32_t limit, bool maximal)
{
	struct geo_stats st;
	uint32_t n;
	dt_u128 max = dt_ip_max(family), first, last, prev_last = 0;
	struct geo_answer a, prev, l;

	geo_index_stats(ix, &st);
	n = family == DT_IP_V4 ? st.intervals4 : st.intervals6;
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(geo_index_interval(ix, family, n, &first, &last, &a) == DT_ENOTFOUND);
	FUZZ_CHECK(geo_index_interval(ix, family, UINT32_MAX, &first, &last, &a) ==
		   DT_ENOTFOUND);
	for (uint32_t i = 0; i < n; i++) {
		struct dt_ip ip = {.family = family};

		if (n > 2 * limit && i == limit) {
			i = n - limit; /* skip the middle */
			FUZZ_CHECK(geo_index_interval(ix, family, i - 1, &first,
						      &prev_last, &prev) == DT_OK);
		}
		FUZZ_CHECK(geo_index_interval(ix, family, i, &first, &last, &a) == DT_OK);
		fuzz_check_fields(ix, &a);
		FUZZ_CHECK(first <= last && last <= max);
		FUZZ_CHECK(i == 0 ? first == 0 : first == prev_last + 1);
		if (i == n - 1)
			FUZZ_CHECK(last == max);
		if (maximal && i > 0)
			FUZZ_CHECK(!fuzz_same_fields(&a, &prev));
		FUZZ_CHECK(a.network.ip.family == family && a.network.ip.addr == first);
		FUZZ_CHECK(a.network.len <= dt_ip_bits(family));
		FUZZ_CHECK((first | (~dt_ip_mask(family, a.network.len) & max)) <= last);
		ip.addr = first;
		l = fuzz_lookup(ix, &ip);
		FUZZ_CHECK(fuzz_same_fields(&a, &l));
		FUZZ_CHECK(fuzz_same_prefix(&a.network, &l.network));
		ip.addr = last;
		l = fuzz_lookup(ix, &ip);
		FUZZ_CHECK(fuzz_same_fields(&a, &l));
		prev = a;
		prev_last = last;
	}
}

/* The other entry points on a handful of addresses: same answers. */
static inline void fuzz_batch(const struct geo_index *ix,
			      const struct dt_ip *ips, size_t n)
{
	struct geo_answer out[40], one;
	uint32_t a4[40], ids[40];
	size_t n4 = 0;

	if (n > 40)
		n = 40;
	geo_lookup_batch(ix, ips, out, n);
	for (size_t i = 0; i < n; i++) {
		geo_lookup(ix, &ips[i], &one);
		FUZZ_CHECK(fuzz_same_fields(&out[i], &one));
		FUZZ_CHECK(fuzz_same_prefix(&out[i].network, &one.network));
		if (ips[i].family == DT_IP_V4)
			a4[n4++] = (uint32_t)ips[i].addr;
	}
	geo_lookup4_ids(ix, a4, ids, n4);
	for (size_t i = 0; i < n4; i++) {
		struct dt_ip ip = fuzz_ip4(a4[i]);
		struct geo_answer b;

		geo_info_get(ix, ids[i], &one);
		geo_lookup(ix, &ip, &b);
		FUZZ_CHECK(fuzz_same_fields(&one, &b));
	}
}

#endif
