/*
 * answer.h — the text forms of an attribution answer, as the CLI contract
 * (docs/detente.1, DESIGN.md) fixes them:
 *
 *   JSON  {"ip":"8.8.8.8","country":"US","asn":15169,"as_org":"Google LLC",
 *          "network":"8.8.8.0/24","flags":[],"refdata":"sha256:<hex>"}
 *         unknown values are null; one object, no newline.
 *   TSV   ip, country, asn, as_org, network, flags (comma-separated);
 *         unknown values are "-"; tabs and newlines in as_org become spaces.
 *   text  "8.8.8.8  US  AS15169  Google LLC  8.8.8.0/24  [flags]"
 *
 * The ip column is the canonical text of ip; a caller that still holds the
 * text it parsed may call geo_answer_tsv_text() to reuse it when that text
 * is already canonical (a plain dotted quad always is: the parser accepts
 * no other IPv4 form).
 */
#ifndef DT_GEO_ANSWER_H
#define DT_GEO_ANSWER_H

#include "core/strbuf.h"
#include "geo/geo.h"

enum dt_err geo_answer_json(struct strbuf *b, const struct geo_index *ix, const struct dt_ip *ip,
                            const struct geo_answer *a);
enum dt_err geo_answer_tsv(struct strbuf *b, const struct geo_index *ix, const struct dt_ip *ip,
                           const struct geo_answer *a);
/* TSV with the ip column taken from text[0..len) when ip is plain IPv4. */
enum dt_err geo_answer_tsv_text(struct strbuf *b, const struct geo_index *ix,
                                const struct dt_ip *ip, const char *text, size_t len,
                                const struct geo_answer *a);
/* One line of `refdata dump`: first, last, country, asn, as_org, flags,
 * tab-separated, "-" for unknown, with newline. */
enum dt_err geo_answer_dump_row(struct strbuf *b, const struct geo_index *ix, uint8_t family,
                                dt_u128 first, dt_u128 last, const struct geo_answer *a);
enum dt_err geo_answer_text(struct strbuf *b, const struct geo_index *ix, const struct dt_ip *ip,
                            const struct geo_answer *a);

/* The TSV header line (with newline). */
extern const char geo_answer_tsv_header[];

#endif
