/*
 * worldmap.h — the world map the HTML report draws its country choropleth
 * on: one SVG path per country, keyed by ISO 3166-1 alpha-2 code.
 *
 * The geometry is not in the repository: at build time scripts/worldmap.js
 * turns npm world-atlas (Natural Earth admin-0 countries, public domain;
 * features keyed by ISO 3166-1 numeric code) and npm i18n-iso-countries
 * (numeric -> alpha-2, English names), both installed by scripts/bootstrap
 * with pinned versions and integrity, into build/gen/worldmap.h, which
 * worldmap.c compiles in.  Projection Natural Earth I, latitudes 84 N to
 * 57 S (no Antarctica), whole map units, viewBox 0 0 width height.  When
 * the packages were absent at build time the map is empty (n == 0) and the
 * report says so and shows the country table alone.  docs/report.md, "World
 * map", has the details (simplification, Kosovo as XK, markers).
 *
 * The data is constant: the same build draws the same bytes.
 */
#ifndef DT_REPORT_WORLDMAP_H
#define DT_REPORT_WORLDMAP_H

#include <stddef.h>

struct worldmap_country {
	const char *cc;   /* ISO 3166-1 alpha-2 ("XK": Kosovo); "" for land with no code */
	const char *name; /* English short name */
	const char *d;    /* SVG path data in map units; NULL when nothing is left to draw */
	int mx, my;       /* where its marker goes, when small */
	int small;        /* too small to see or point at: draw a marker as well */
};

struct worldmap {
	const struct worldmap_country *c; /* sorted by cc; "" ones first */
	size_t n;                         /* 0: no map data was built in */
	int width, height;                /* the SVG viewBox */
	const char *source;               /* provenance: packages, versions, projection */
};

/* The map built into this binary. */
extern const struct worldmap worldmap_builtin;

/* The country of m with code cc, or NULL. */
const struct worldmap_country *worldmap_find(const struct worldmap *m, const char *cc);

#endif
