/*
 * fuzz_tiles.c — the tlog-tiles parsers a node runs on a peer's files
 * (ledger/tiles.h), the entry parser (ledger_entry_parse) and the
 * submission parameters of an entry's description (submit_about_parse).
 *
 * The input is read by every parser.  Properties:
 *   - tile_path_parse: accepts only canonical paths: a parsed path formats
 *     back (tile_path) to exactly the input;
 *   - tile_bundle_parse, for the width the first byte names: the entries
 *     lie inside the input, in order, and re-encode (tile_bundle_add) to
 *     exactly the input;
 *   - tile_width and tile_count agree for a size taken from the input;
 *   - ledger_entry_parse: a parsed entry has a known TLP and a description
 *     without control bytes; the verdict is DT_OK or DT_EPARSE;
 *   - submit_about_parse: DT_OK, DT_ENOTFOUND or DT_EPARSE; on DT_OK a
 *     format and at most SUBMIT_MAX_HOME home networks.
 */
#include "fuzz.h"
#include "ingest/submit.h"
#include "ledger/ledger.h"
#include "ledger/tiles.h"

static void fuzz_path(const uint8_t *data, size_t size)
{
	char out[TILE_MAX_PATH];
	uint64_t n;
	unsigned w;
	int level;

	if (tile_path_parse((const char *)data, size, &level, &n, &w, NULL) != DT_OK)
		return;
	FUZZ_CHECK(level >= TILE_ENTRIES && level <= TILE_MAX_LEVEL);
	FUZZ_CHECK(w >= 1 && w <= TILE_WIDTH);
	FUZZ_CHECK(tile_path(level, n, w, out, sizeof(out)) == DT_OK);
	FUZZ_CHECK(strlen(out) == size && memcmp(out, data, size) == 0);
}

static void fuzz_bundle(const uint8_t *data, size_t size)
{
	static struct tile_entry e[TILE_WIDTH];
	struct strbuf b;
	unsigned w;

	if (size < 1)
		return;
	w = (unsigned)data[0] + 1;
	if (tile_bundle_parse(data + 1, size - 1, w, e, NULL) != DT_OK)
		return;
	strbuf_init(&b, size + 1);
	for (unsigned i = 0; i < w; i++) {
		FUZZ_CHECK(e[i].p >= data + 1 && e[i].p + e[i].len <= data + size);
		FUZZ_CHECK(i == 0 || e[i].p >= e[i - 1].p + e[i - 1].len);
		FUZZ_CHECK(tile_bundle_add(&b, e[i].p, e[i].len) == DT_OK);
	}
	FUZZ_CHECK(b.len == size - 1 && (size == 1 || memcmp(b.p, data + 1, size - 1) == 0));
	strbuf_release(&b);
}

static void fuzz_widths(const uint8_t *data, size_t size)
{
	uint64_t s = 0;

	for (size_t i = 0; i < size && i < 8; i++)
		s = s << 8 | data[i];
	for (int level = TILE_ENTRIES; level <= TILE_MAX_LEVEL; level++) {
		uint64_t c = tile_count(level, s);

		if (c)
			FUZZ_CHECK(tile_width(level, c - 1, s) >= 1);
		FUZZ_CHECK(tile_width(level, c, s) == 0);
		if (c > 1)
			FUZZ_CHECK(tile_width(level, c - 2, s) == TILE_WIDTH);
	}
}

static void fuzz_entry(const uint8_t *data, size_t size)
{
	static struct ledger_entry_info e;
	enum dt_err err = ledger_entry_parse((const char *)data, size, &e, NULL);

	FUZZ_CHECK(err == DT_OK || err == DT_EPARSE);
	if (err)
		return;
	FUZZ_CHECK(ledger_tlp_rank(e.tlp) >= 0);
	for (const char *p = e.about; *p; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
}

static void fuzz_about(const uint8_t *data, size_t size)
{
	struct submit_opts o = {.format = NULL};
	char *s = malloc(size + 1), store[LEDGER_MAX_ABOUT + 8];
	enum dt_err err;

	if (s == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	err = submit_about_parse(s, &o, store, sizeof(store));
	FUZZ_CHECK(err == DT_OK || err == DT_ENOTFOUND || err == DT_EPARSE);
	if (err == DT_OK)
		FUZZ_CHECK(o.format != NULL && o.nhome <= SUBMIT_MAX_HOME);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_path(data, size);
	fuzz_bundle(data, size);
	fuzz_widths(data, size);
	fuzz_entry(data, size);
	fuzz_about(data, size);
	return 0;
}
