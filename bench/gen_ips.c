/*
 * gen_ips.c — the input of the end-to-end benchmark: N lines (default 10M)
 * of public addresses in canonical text, reproducible from a fixed seed.
 *
 *   gen_ips DB OUT [N]
 *
 * 70% uniformly random public IPv4 addresses, 30% random addresses inside
 * real IPv6 ranges of DB's active index (ranges that carry data, aliased
 * MMDB space left out, as in bench/lookup.c), shuffled together.  Written
 * to OUT.tmp and renamed, so an interrupted run leaves no partial file.
 */
#include <stdio.h>

#include "bench.h"

int main(int argc, char **argv)
{
	struct geo_index *ix;
	struct bench_ranges r6;
	uint64_t seed = 0x6465746e74653410ull;
	unsigned long long n = 10000000;
	char tmp[4096], t[DT_IP_STRLEN + 1];
	FILE *f;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: gen_ips DB OUT [N]\n");
		return 2;
	}
	if (argc == 4 && (n = strtoull(argv[3], NULL, 10)) == 0) {
		fprintf(stderr, "gen_ips: bad N '%s'\n", argv[3]);
		return 2;
	}
	ix = bench_open_index(argv[1]);
	bench_data_ranges(ix, DT_IP_V6, &r6);
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	if ((f = fopen(tmp, "w")) == NULL) {
		perror(tmp);
		return 2;
	}
	setvbuf(f, NULL, _IOFBF, 1u << 20);
	for (unsigned long long i = 0; i < n; i++) {
		struct dt_ip ip = {0};
		size_t len;

		if (bench_below(&seed, 10) < 7) {
			ip.family = DT_IP_V4;
			ip.addr = bench_random_public4(&seed);
		} else {
			ip.family = DT_IP_V6;
			ip.addr = bench_in_ranges(&r6, &seed);
		}
		len = dt_ip_format(&ip, t);
		t[len++] = '\n';
		fwrite(t, 1, len, f);
	}
	if (fclose(f) != 0 || rename(tmp, argv[2]) != 0) {
		perror(argv[2]);
		return 2;
	}
	free(r6.r);
	geo_index_free(ix);
	return 0;
}
