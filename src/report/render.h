/*
 * render.h — the Markdown and HTML renderings of the JSON report.
 *
 * The JSON report ("detente.report/v1", docs/report.md) is the model; these
 * functions turn one into a document a person reads.  They show no figure
 * the JSON does not hold: every number on the page is copied from the JSON
 * (in the HTML, inside an element whose data-figure attribute names its
 * JSON path, e.g. data-figure="campaigns[0].events"); only geometry (bar
 * lengths, the world map's fill classes: render_map.h) and the notation of
 * shares as percentages are derived.
 *
 * Both are pure functions of their input: the same JSON gives the same
 * bytes (no clock, no locale, no hash order).  Every string of the JSON is
 * treated as hostile (it carries attacker-chosen domains and signatures) and
 * escaped for the target language.  The HTML is one self-contained file: no
 * script, font, image or style from anywhere else.
 *
 * json/len: the report text (need not be NUL-terminated); the caller keeps
 * it.  out: the caller's buffer; the document is appended to it.  On failure
 * out is left as it was.  A text that is not JSON, or not a complete
 * detente.report/v1 (a documented member missing or of the wrong type, an
 * entry reference that names no entry), gives DT_EFORMAT with diag->msg
 * naming the JSON path at fault; DT_ELIMIT when out's maximum is reached;
 * DT_ENOMEM.
 */
#ifndef DT_REPORT_RENDER_H
#define DT_REPORT_RENDER_H

#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"

#define REPORT_SCHEMA "detente.report/v1"

enum dt_err report_render_md(const char *json, size_t len, struct strbuf *out,
                             struct dt_diag *diag);
enum dt_err report_render_html(const char *json, size_t len, struct strbuf *out,
                               struct dt_diag *diag);

/* report_render_html drawing its world map on m (report/worldmap.h) rather
 * than on the map built in; an empty m gives the page without a map. */
struct worldmap;
enum dt_err report_render_html_map(const char *json, size_t len, const struct worldmap *m,
                                   struct strbuf *out, struct dt_diag *diag);

#endif
