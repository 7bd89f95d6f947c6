/*
 * render_map.h — the HTML report's world map (private to src/report/): a
 * choropleth of the report's origins counted in events, drawn as inline SVG
 * on a report/worldmap.h map, with a legend, a hover title per country
 * holding its JSON counts in all five units, and the keys the map cannot
 * place ("??", regional codes) listed beneath it.
 *
 * Classes are decades of the largest count on the map, at most five
 * (integer arithmetic only): with a largest count of 2849, 1-9, 10-99,
 * 100-999 and 1000-9999 events; with 2000000, 1-999, then one decade each
 * up to 1000000-9999999.  A country with no events is left grey.  No
 * script: the page stays within its default-src 'none' policy.
 *
 * With an empty map (no map data built in) the page says so in place of
 * the map; the country table that follows lists every country either way.
 */
#ifndef DT_REPORT_RENDER_MAP_H
#define DT_REPORT_RENDER_MAP_H

#include <jansson.h>

#include "report/render_util.h"
#include "report/worldmap.h"

#define MAP_MAX_CLASSES 5

/* The map's style sheet (its classes mq0..mq5 are the legend's colours). */
extern const char map_css[];

/* The class bounds for a largest count max (> 0): n classes, class k holds
 * counts lo[k]..hi[k].  Returns n (0 when max <= 0). */
int map_classes(long long max, long long lo[MAP_MAX_CLASSES], long long hi[MAP_MAX_CLASSES]);

/* The map of the "origins" object org (at JSON path "origins"). */
void html_world_map(struct rctx *c, json_t *org, const struct worldmap *m);

#endif
