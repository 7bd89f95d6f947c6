/*
 * pattern.h — the STIX 2.1 patterning language (STIX 2.1 part 9), as far
 * as detente can evaluate it against events.
 *
 * A pattern is parsed in full (grammar of §9: observation expressions in
 * brackets, AND/OR/FOLLOWEDBY between them, qualifiers, comparison
 * expressions with AND/OR/NOT and parentheses, every operator and
 * constant type), then reduced to the atoms of intel.h in disjunctive
 * normal form.  Comparisons detente evaluates:
 *   ipv4-addr:value / ipv6-addr:value  with =, ISSUBSET, IN (...)
 *   domain-name:value                  with =, IN
 *   domain-name:resolves_to_refs[*].value   (the event's address: the
 *                                       domain was served from it)
 *   url:value                          with =, IN
 *   file:hashes.<MD5|SHA-1|SHA-256|SHA-512> (names case-insensitive,
 *                                       quoted or not) with =, IN
 *   x509-certificate:hashes.<SHA-1|SHA-256>  with =, IN
 *   network-traffic:src_ref.value / dst_ref.value  (either endpoint)
 *   email-addr:value                   (kept as IT_EMAIL)
 * Any other comparison (other object paths, !=, <, LIKE, MATCHES, NOT,
 * ISSUPERSET) makes its conjunction — and, when no conjunction is left,
 * the pattern — unsupported; qualifiers (WITHIN, REPEATS, START/STOP) make
 * the pattern unsupported.  Unsupported is not an error: the indicator is
 * kept with the reason.  OR over comparisons or observations multiplies
 * conjunctions; the expansion is bounded (PATTERN_MAX_ATOMS).
 */
#ifndef DT_INTEL_PATTERN_H
#define DT_INTEL_PATTERN_H

#include <stddef.h>

#include "core/err.h"
#include "intel/intel.h"

#define PATTERN_MAX_ATOMS 4096
#define PATTERN_MAX_DEPTH 64

struct pattern {
	struct intel_atom *atoms; /* values point into text (escapes decoded into pool) */
	size_t natoms;
	enum intel_mode mode;
	const char *unsupported; /* reason (static, or text in the private work
	                            area), valid until the next parse; or NULL */
	/* private */
	char *pool;
	size_t pool_len, pool_cap, atoms_cap;
	struct pattern_work *work; /* parser stacks, reused from parse to parse */
};

void pattern_init(struct pattern *p);
void pattern_release(struct pattern *p);

/*
 * Parses s[0..len) into p (reused: earlier results are dropped).  A syntax
 * error returns DT_EPARSE with diag->col the 1-based column and a reason;
 * a pattern that parses but cannot be evaluated returns DT_OK with
 * p->unsupported set (and the atoms that could be, if any conjunction
 * survived).
 *
 * As implemented: p->unsupported is set only when nothing of the pattern
 * can be evaluated — no conjunction left, a qualifier, observations mixed
 * in a way no single mode expresses ([A] OR ([B] AND [C])), or the
 * expansion limit — and natoms is then 0.  Dropping some conjunctions of
 * an IM_ANY pattern (or of one observation of IM_ALL/IM_SEQ) while others
 * survive leaves unsupported NULL.  Observations are numbered 0.. densely
 * (IM_ANY: observations with nothing left are skipped; IM_ALL/IM_SEQ: an
 * OR of observations inside an AND/FOLLOWEDBY operand is one observation),
 * and conjunctions 0.. densely within each.  Between observations
 * FOLLOWEDBY binds loosest, then OR, then AND (the STIX 2.1 grammar);
 * keywords are upper-case.  Parentheses and brackets nest at most
 * PATTERN_MAX_DEPTH deep (deeper: DT_EPARSE).
 */
enum dt_err pattern_parse(struct pattern *p, const char *s, size_t len, struct dt_diag *diag);

#endif
