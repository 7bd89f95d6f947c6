/*
 * fuzz_index.c — geo_index_open on arbitrary bytes (geo/index.c).
 *
 * The contract (geo.h): open validates every offset and count once, so
 * that after a successful open no lookup can read outside the file,
 * whatever it contained.  The input is written to a file and opened; most
 * inputs must simply be refused without a crash.  When one opens, every
 * reader is exercised: lookups of fixed IPv4 and IPv6 addresses (ends of
 * the space, block boundaries, well-known ranges) and of addresses made of
 * the input bytes, the batch and id paths, intervals near both ends of each
 * family and at indexes taken from the input, flag names, input records,
 * stats, digest and verify.  Answers must satisfy fuzz_lookup's
 * invariants (well-formed fields, a network containing the address), the
 * intervals must tile each family, and the batch paths must agree with
 * single lookups.
 *
 * Built with FUZZ_WRAP_MMAP (fuzz/fuzz.mk), the index lives in an
 * exact-size heap block, so a read even one byte past the end is reported.
 *
 * Seeds: real indexes, the .idx.gz files of fuzz/regress/fuzz_index
 * gunzipped by fuzz/seeds.sh, or any .idx under a detente database.
 */
#include "fuzz.h"

static const char *const fixed[] = {
	"0.0.0.0", "0.0.0.1", "0.255.255.255", "1.0.0.0", "10.0.0.1",
	"127.0.0.1", "192.168.1.1", "81.2.69.160", "2.125.160.216",
	"223.255.255.255", "224.0.0.1", "255.255.255.254", "255.255.255.255",
	"::", "::1", "::2", "::ffff:1.2.3.4", "2001:db8::1", "2001:218::",
	"2a02:d300::", "3fff::", "fe80::1", "ff02::1", "7fff:ffff::",
	"8000::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
	"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct geo_index *ix;
	struct dt_diag d;
	struct dt_ip ips[40];
	size_t nips = 0;
	struct geo_stats st;
	struct geo_answer a;
	dt_u128 first, last;
	enum dt_err err;

	err = fuzz_open_bytes(data, size, &ix, &d);
	if (err != DT_OK) {
		FUZZ_CHECK(ix == NULL);
		FUZZ_CHECK(err == DT_EFORMAT);
		FUZZ_CHECK(d.msg[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(ix != NULL);

	geo_index_stats(ix, &st);
	FUZZ_CHECK(st.file_bytes == size);
	FUZZ_CHECK(st.intervals4 > 0 && st.intervals6 > 0 && st.infos > 0);
	FUZZ_CHECK(strncmp(geo_index_digest(ix), "sha256:", 7) == 0 &&
		   strlen(geo_index_digest(ix)) == 7 + 64);
	/* opened from a path that is not <sha256>.idx: the digest is of the bytes */
	FUZZ_CHECK(geo_index_verify(ix, &d) == DT_OK);

	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++) {
		FUZZ_CHECK(dt_ip_parse(fixed[i], strlen(fixed[i]), &ips[nips]) == DT_OK);
		(void)fuzz_lookup(ix, &ips[nips]);
		nips++;
	}
	for (size_t off = 0; off + 16 <= size && nips + 2 <= 40; off += 4099) {
		ips[nips] = fuzz_ip4((uint32_t)fuzz_u128(data + off + 3, 4));
		(void)fuzz_lookup(ix, &ips[nips++]);
		ips[nips] = fuzz_ip6(fuzz_u128(data + off, 16));
		(void)fuzz_lookup(ix, &ips[nips++]);
	}
	fuzz_batch(ix, ips, nips);

	fuzz_walk(ix, DT_IP_V4, 16, false);
	fuzz_walk(ix, DT_IP_V6, 16, false);
	for (size_t off = 0; off + 4 <= size && off < 64; off += 4) {
		uint32_t i = (uint32_t)fuzz_u128(data + off, 4);

		err = geo_index_interval(ix, DT_IP_V4, i, &first, &last, &a);
		FUZZ_CHECK(err == (i < st.intervals4 ? DT_OK : DT_ENOTFOUND));
		err = geo_index_interval(ix, DT_IP_V6, i % (st.intervals6 + 1), &first,
					 &last, &a);
		FUZZ_CHECK(err == (i % (st.intervals6 + 1) < st.intervals6 ? DT_OK
									   : DT_ENOTFOUND));
		if (err == DT_OK)
			fuzz_check_fields(ix, &a);
	}

	for (unsigned bit = 0; bit <= 33; bit++) {
		const char *name = geo_index_flag_name(ix, bit);

		FUZZ_CHECK((name != NULL) == (bit < geo_index_flag_count(ix)));
		if (name)
			(void)strlen(name);
	}
	for (unsigned i = 0; i <= st.inputs && i < 300; i++) {
		const char *kind;
		uint64_t isize;
		const uint8_t *sha;

		err = geo_index_input(ix, i, &kind, &isize, &sha);
		FUZZ_CHECK(err == (i < st.inputs ? DT_OK : DT_ENOTFOUND));
		if (err == DT_OK) {
			volatile uint8_t x = sha[31];

			FUZZ_CHECK(strlen(kind) < 16);
			(void)x;
		}
	}
	geo_index_free(ix);
	return 0;
}
