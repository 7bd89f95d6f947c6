/*
 * worldmap.c — the built-in world map (worldmap.h): the data that
 * scripts/worldmap.js generated into build/gen/worldmap.h, or none.
 */
#include "report/worldmap.h"

#include <string.h>

/* The Makefile generates the file before compiling this one (a stub without
 * the npm data); without it at all, e.g. when compiled by hand, no map. */
#if defined(__has_include)
#if __has_include("../../build/gen/worldmap.h")
#include "../../build/gen/worldmap.h"
#endif
#endif

#ifdef WORLDMAP_WIDTH
const struct worldmap worldmap_builtin = {
    worldmap_data,   sizeof(worldmap_data) / sizeof(worldmap_data[0]),
    WORLDMAP_WIDTH,  WORLDMAP_HEIGHT,
    WORLDMAP_SOURCE,
};
#else
const struct worldmap worldmap_builtin = {NULL, 0, 0, 0, "no map data was built in"};
#endif

const struct worldmap_country *worldmap_find(const struct worldmap *m, const char *cc)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(m->c[mid].cc, cc);

		if (r == 0)
			return &m->c[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
