/*
 * index_rss.c — resident memory of the attribution data itself, measured
 * from inside the process (VmHWM of /proc/self/status), so the benchmark
 * does not depend on /usr/bin/time and can tell the index apart from the
 * rest of a program.
 *
 *   index_rss detente DB    open DB's active index, look up the start of
 *                           every interval (touches every table)
 *   index_rss mmdb FILE     MMDB_open FILE, read every page of the mapping
 *
 * Prints one line: "rss <kind> <VmHWM before KiB> <VmHWM after KiB>
 * <file bytes>"; the difference is what the data costs once fully resident.
 */
#include <stdio.h>

#include "bench.h"

static long vm_hwm_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static uint64_t touch_detente(const char *db, uint64_t *bytes)
{
	struct geo_index *ix = bench_open_index(db);
	struct geo_stats st;
	uint64_t sum = 0;

	geo_index_stats(ix, &st);
	*bytes = st.file_bytes;
	for (uint8_t family = DT_IP_V4; family <= DT_IP_V6; family += 2) {
		uint32_t n = family == DT_IP_V4 ? st.intervals4 : st.intervals6;

		for (uint32_t i = 0; i < n; i++) {
			struct geo_answer a;
			struct dt_ip ip = {.family = family};
			dt_u128 first, last;

			if (geo_index_interval(ix, family, i, &first, &last, &a))
				break;
			ip.addr = first;
			geo_lookup(ix, &ip, &a);
			sum += a.asn + (a.as_org ? (unsigned char)a.as_org[0] : 0);
		}
	}
	/* left mapped: the measurement is taken while the index is in use */
	return sum;
}

static uint64_t touch_mmdb(const char *path, uint64_t *bytes)
{
	static MMDB_s mmdb;
	uint64_t sum = 0;

	bench_open_mmdb(path, &mmdb);
	*bytes = (uint64_t)mmdb.file_size;
	for (ssize_t i = 0; i < mmdb.file_size; i += 4096)
		sum += ((const volatile uint8_t *)mmdb.file_content)[i];
	return sum;
}

int main(int argc, char **argv)
{
	uint64_t bytes = 0, sum;
	long before, after;

	if (argc != 3 || (strcmp(argv[1], "detente") != 0 && strcmp(argv[1], "mmdb") != 0)) {
		fprintf(stderr, "usage: index_rss detente DB | index_rss mmdb FILE\n");
		return 2;
	}
	before = vm_hwm_kib();
	if (strcmp(argv[1], "detente") == 0)
		sum = touch_detente(argv[2], &bytes);
	else
		sum = touch_mmdb(argv[2], &bytes);
	after = vm_hwm_kib();
	printf("rss %s %ld %ld %llu\n", argv[1], before, after, (unsigned long long)bytes);
	fprintf(stderr, "index_rss: %s: VmHWM %ld -> %ld KiB, file %llu bytes (sum %llx)\n",
		argv[1], before, after, (unsigned long long)bytes, (unsigned long long)sum);
	return 0;
}
