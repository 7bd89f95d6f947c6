/*
 * fuzz_block.c — the event store's block decoder (store/block.h).
 *
 * Blocks are read back from the node's database, which a damaged disk or
 * a hostile copy of a node can change, so block_decode must refuse any
 * malformed block and never read outside what it decoded.  The input is
 * either a raw block (zstd frame) or, after a first byte of 0, the
 * decompressed layout, which this target compresses itself so that the
 * fuzzer reaches the column checks.  Every row of a block that decodes is
 * read with block_get.
 */
#include <zstd.h>

#include "fuzz.h"
#include "store/block.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct block k;
	struct dt_diag d;
	void *z = NULL;
	const void *in = data;
	size_t len = size;

	if (size > 0 && data[0] == 0) {
		size_t bound = ZSTD_compressBound(size - 1);

		if ((z = malloc(bound)) == NULL)
			return 0;
		len = ZSTD_compress(z, bound, data + 1, size - 1, 1);
		if (ZSTD_isError(len)) {
			free(z);
			return 0;
		}
		in = z;
	}
	if (block_decode(&k, in, len, &d) == DT_OK)
		for (size_t i = 0; i < k.n; i++) {
			struct block_row r;

			block_get(&k, i, &r);
			/* touch every string byte */
			volatile size_t sum = r.ev.uid.len + r.ev.url.len + r.country.len +
			                      r.as_org.len + r.flags.len + r.ev.signature.len;
			for (size_t j = 0; j < r.ev.url.len; j++)
				sum += (unsigned char)r.ev.url.p[j];
			(void)sum;
		}
	free(z);
	return 0;
}
